//! The PDF file writer: objects serialized as they are finished, into a buffer the caller drains
//! to its sink between layout steps, with the byte offset of every object kept for the
//! cross-reference table written at the end.
//!
//! Object numbers are handed out by [`ObjWriter::alloc`] before an object is written, so an
//! object can be referenced (a page's parent, the shared font resources, a structure element's
//! parent) long before it exists. Nothing else of a written object is kept: memory is one
//! offset per object.

pub(crate) mod archival;
pub(crate) mod deflate;
pub(crate) mod structure;
pub(crate) mod syntax;

use syntax::write_u64;

/// An indirect object's number (generation is always 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Ref(pub u32);

impl Ref {
    /// Writes `N 0 R`.
    pub(crate) fn put(self, out: &mut Vec<u8>) {
        write_u64(out, self.0 as u64);
        out.extend_from_slice(b" 0 R");
    }
}

/// The header: version, and a comment of four bytes above 127 so transfer programs treat the
/// file as binary (ISO 32000-1 7.5.2; required by PDF/A-2, 6.1.2).
const HEADER: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";

pub(crate) struct ObjWriter {
    /// Bytes written and not yet drained.
    pub out: Vec<u8>,
    /// Bytes drained before `out`.
    drained: u64,
    /// Offset of each object by number (index 0 unused); 0 while not written.
    offsets: Vec<u64>,
}

impl ObjWriter {
    pub(crate) fn new() -> Self {
        let mut out = Vec::with_capacity(64 * 1024);
        out.extend_from_slice(HEADER);
        ObjWriter {
            out,
            drained: 0,
            offsets: vec![0],
        }
    }

    /// A new object number.
    pub(crate) fn alloc(&mut self) -> Ref {
        self.offsets.push(0);
        Ref((self.offsets.len() - 1) as u32)
    }

    fn position(&self) -> u64 {
        self.drained + self.out.len() as u64
    }

    /// Starts object `r` (`N 0 obj`); its body follows in `out`, closed by [`Self::end`].
    pub(crate) fn begin(&mut self, r: Ref) -> &mut Vec<u8> {
        let at = self.position();
        if let Some(slot) = self.offsets.get_mut(r.0 as usize) {
            *slot = at;
        }
        write_u64(&mut self.out, r.0 as u64);
        self.out.extend_from_slice(b" 0 obj\n");
        &mut self.out
    }

    pub(crate) fn end(&mut self) {
        self.out.extend_from_slice(b"\nendobj\n");
    }

    /// Writes object `r` whose body `body` writes.
    pub(crate) fn obj(&mut self, r: Ref, body: impl FnOnce(&mut Vec<u8>)) {
        body(self.begin(r));
        self.end();
    }

    /// Writes stream object `r`: `dict` writes the dictionary's entries besides `/Length`
    /// (a `/Filter` among them when `data` is compressed).
    pub(crate) fn stream(&mut self, r: Ref, dict: impl FnOnce(&mut Vec<u8>), data: &[u8]) {
        let out = self.begin(r);
        out.extend_from_slice(b"<<");
        dict(out);
        out.extend_from_slice(b"/Length ");
        write_u64(out, data.len() as u64);
        out.extend_from_slice(b">>\nstream\n");
        out.extend_from_slice(data);
        out.extend_from_slice(b"\nendstream");
        self.end();
    }

    /// Bytes written since the last drain.
    pub(crate) fn take(&mut self) -> Vec<u8> {
        let taken = std::mem::replace(&mut self.out, Vec::with_capacity(64 * 1024));
        self.drained += taken.len() as u64;
        taken
    }

    /// Moves the pending bytes into `sink`, keeping the buffer's capacity.
    pub(crate) fn drain_to(&mut self, sink: &mut dyn std::io::Write) -> std::io::Result<()> {
        sink.write_all(&self.out)?;
        self.drained += self.out.len() as u64;
        self.out.clear();
        Ok(())
    }

    /// Bytes pending in the buffer.
    pub(crate) fn pending(&self) -> usize {
        self.out.len()
    }

    /// Writes the cross-reference table and the trailer: the end of the file. `trailer` writes
    /// the trailer dictionary's entries besides `/Size`.
    pub(crate) fn finish(&mut self, trailer: impl FnOnce(&mut Vec<u8>)) {
        let xref_at = self.position();
        let n = self.offsets.len();
        self.out.reserve(n * 20 + 256);
        self.out.extend_from_slice(b"xref\n0 ");
        write_u64(&mut self.out, n as u64);
        self.out.extend_from_slice(b"\n0000000000 65535 f\r\n");
        for &at in &self.offsets[1..] {
            if at == 0 {
                // Allocated but never written: a free entry (never referenced either).
                self.out.extend_from_slice(b"0000000000 65535 f\r\n");
                continue;
            }
            let mut digits = [b'0'; 10];
            let mut v = at;
            for d in digits.iter_mut().rev() {
                *d = b'0' + (v % 10) as u8;
                v /= 10;
            }
            self.out.extend_from_slice(&digits);
            self.out.extend_from_slice(b" 00000 n\r\n");
        }
        self.out.extend_from_slice(b"trailer\n<</Size ");
        write_u64(&mut self.out, n as u64);
        trailer(&mut self.out);
        self.out.extend_from_slice(b">>\nstartxref\n");
        write_u64(&mut self.out, xref_at);
        self.out.extend_from_slice(b"\n%%EOF\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_at_their_objects_across_drains() {
        let mut w = ObjWriter::new();
        let a = w.alloc();
        let b = w.alloc();
        let mut file = Vec::new();
        w.obj(b, |o| o.extend_from_slice(b"(b)"));
        w.drain_to(&mut file).unwrap();
        w.stream(a, |o| o.extend_from_slice(b"/X 1"), b"data");
        w.finish(|o| {
            o.extend_from_slice(b"/Root ");
            a.put(o);
        });
        file.extend_from_slice(&w.take());
        assert!(file.starts_with(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"));
        let find = |pat: &[u8]| file.windows(pat.len()).position(|w| w == pat).unwrap();
        let xref = find(b"xref\n0 3\n");
        let entry = |k: usize| -> usize {
            let at = xref + 9 + 20 * k;
            std::str::from_utf8(&file[at..at + 10])
                .unwrap()
                .parse()
                .unwrap()
        };
        assert!(
            file[entry(1)..].starts_with(b"1 0 obj\n<</X 1/Length 4>>\nstream\ndata\nendstream")
        );
        assert!(file[entry(2)..].starts_with(b"2 0 obj\n(b)\nendobj"));
        let text = String::from_utf8_lossy(&file[xref..]);
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .trim_end_matches("\n%%EOF\n")
            .parse()
            .unwrap();
        assert_eq!(start, xref);
        assert!(text.contains("trailer\n<</Size 3/Root 1 0 R>>"));
    }
}
