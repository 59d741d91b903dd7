//! zlib (FlateDecode) compression with one compressor per level and thread, reused across
//! streams and documents (creating one allocates and clears about 300 KB).

use crate::PdfError;

thread_local! {
    static DEFLATERS: std::cell::RefCell<Vec<Deflater>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Compresses `input` at `level` into `out` (replacing its contents).
pub(crate) fn deflate_into(level: i32, input: &[u8], out: &mut Vec<u8>) -> Result<(), PdfError> {
    with_deflater(level, |d| d.deflate(input, out))
}

/// Compresses the concatenation of `pieces` into `out` (replacing its contents), a piece at a
/// time: neither the whole input nor room for its worst case is held at once (a long document's
/// cross-reference entries are megabytes). The same bytes as [`deflate_into`] of the
/// concatenation.
pub(crate) fn deflate_pieces<P: AsRef<[u8]>>(
    level: i32,
    pieces: impl IntoIterator<Item = P>,
    out: &mut Vec<u8>,
) -> Result<(), PdfError> {
    with_deflater(level, |d| {
        d.z.reset();
        out.clear();
        for piece in pieces {
            d.feed(piece.as_ref(), out, zlib_rs::DeflateFlush::NoFlush)?;
        }
        d.feed(&[], out, zlib_rs::DeflateFlush::Finish)
    })
}

fn with_deflater<T>(level: i32, f: impl FnOnce(&mut Deflater) -> T) -> T {
    DEFLATERS.with(|cell| {
        let mut all = cell.borrow_mut();
        let i = match all.iter().position(|d| d.level == level) {
            Some(i) => i,
            None => {
                all.push(Deflater::new(level));
                all.len() - 1
            }
        };
        f(&mut all[i])
    })
}

struct Deflater {
    level: i32,
    z: zlib_rs::Deflate,
}

impl Deflater {
    fn new(level: i32) -> Self {
        Deflater {
            level,
            z: zlib_rs::Deflate::new(level, true, 15),
        }
    }

    fn deflate(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), PdfError> {
        self.z.reset();
        let bound = zlib_rs::compress_bound(input.len()) + 64;
        out.clear();
        out.resize(bound, 0);
        match self.z.compress(input, out, zlib_rs::DeflateFlush::Finish) {
            Ok(zlib_rs::Status::StreamEnd) => {}
            other => return Err(PdfError::Write(format!("deflate: {other:?}"))),
        }
        out.truncate(self.z.total_out() as usize);
        Ok(())
    }

    /// Compresses `input` onto the end of `out`, growing it as the output needs; with
    /// `Finish`, until the stream ends.
    fn feed(
        &mut self,
        mut input: &[u8],
        out: &mut Vec<u8>,
        flush: zlib_rs::DeflateFlush,
    ) -> Result<(), PdfError> {
        let finish = matches!(flush, zlib_rs::DeflateFlush::Finish);
        loop {
            let len = out.len();
            // Room for about half the input (what text compresses to at worst here), at least 4 KB.
            out.resize(len + (input.len() / 2).max(4096), 0);
            let (read, wrote) = (self.z.total_in(), self.z.total_out());
            let status = self.z.compress(input, &mut out[len..], flush);
            let wrote = (self.z.total_out() - wrote) as usize;
            out.truncate(len + wrote);
            input = &input[(self.z.total_in() - read) as usize..];
            match status {
                Ok(zlib_rs::Status::StreamEnd) => return Ok(()),
                Ok(_) if !finish && input.is_empty() => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(PdfError::Write(format!("deflate: {e:?}"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn compresses_and_reuses() {
        let mut out = Vec::new();
        let input = b"BT /F1 9 Tf (hello) Tj ET\n".repeat(100);
        super::deflate_into(2, &input, &mut out).unwrap();
        assert!(out.len() < input.len() / 5);
        assert_eq!(&out[..1], &[0x78]);
        let first = out.clone();
        super::deflate_into(2, &input, &mut out).unwrap();
        assert_eq!(first, out);
    }

    #[test]
    fn pieces_compress_to_the_same_bytes_as_the_whole() {
        // Entries like a cross-reference stream's: 8 bytes an object, 100,000 objects.
        let whole: Vec<u8> = (0..100_000u32)
            .flat_map(|i| {
                let mut e = [1u8, 0, 0, 0, 0, 0, 0, 0];
                e[1..5].copy_from_slice(&(i * 37).to_be_bytes());
                e
            })
            .collect();
        let mut expected = Vec::new();
        super::deflate_into(2, &whole, &mut expected).unwrap();
        for piece in [1000usize, 4096, 65536, whole.len()] {
            let mut got = Vec::new();
            super::deflate_pieces(2, whole.chunks(piece), &mut got).unwrap();
            assert!(got == expected, "pieces of {piece} bytes");
        }
        let mut empty = Vec::new();
        super::deflate_pieces(2, std::iter::empty::<&[u8]>(), &mut empty).unwrap();
        let mut expected = Vec::new();
        super::deflate_into(2, &[], &mut expected).unwrap();
        assert_eq!(empty, expected);
    }
}
