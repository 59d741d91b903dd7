//! zlib (FlateDecode) compression with one compressor per level and thread, reused across
//! streams and documents (creating one allocates and clears about 300 KB).

use crate::PdfError;

thread_local! {
    static DEFLATERS: std::cell::RefCell<Vec<Deflater>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Compresses `input` at `level` into `out` (replacing its contents).
pub(crate) fn deflate_into(level: i32, input: &[u8], out: &mut Vec<u8>) -> Result<(), PdfError> {
    DEFLATERS.with(|cell| {
        let mut all = cell.borrow_mut();
        let i = match all.iter().position(|d| d.level == level) {
            Some(i) => i,
            None => {
                all.push(Deflater::new(level));
                all.len() - 1
            }
        };
        all[i].deflate(input, out)
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
}
