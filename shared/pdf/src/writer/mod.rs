//! The PDF file writer: objects serialized as they are finished, into a buffer the caller drains
//! to its sink between layout steps, with the byte offset of every object kept for the
//! cross-reference table written at the end.
//!
//! Object numbers are handed out by [`ObjWriter::alloc`] before an object is written, so an
//! object can be referenced (a page's parent, the shared font resources, a structure element's
//! parent) long before it exists. Nothing else of a written object is kept: memory is one
//! offset per object.
//!
//! Small objects written in great numbers (structure elements, the parent tree's arrays, the
//! outline) go through [`ObjWriter::compact`] into compressed object streams of up to
//! [`PER_STREAM`] objects (ISO 32000-1 7.5.7): a tagged record has an element per paragraph,
//! row and cell, which as plain objects would more than double the file. The cross-reference
//! is then a stream too (7.5.8).

pub(crate) mod archival;
pub(crate) mod deflate;
pub(crate) mod structure;
pub(crate) mod syntax;

use syntax::write_u64;

use crate::PdfError;
use deflate::deflate_pieces;

/// Objects per object stream.
const PER_STREAM: usize = 200;
/// Deflate level of object streams (dictionaries of names and numbers compress well at any).
const PACKED_COMPRESSION: i32 = 2;
/// An offset entry holding an object stream's number and an index instead of a byte offset.
const IN_STREAM: u64 = 1 << 63;

/// An indirect object's number (generation is always 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Ref(pub u32);

impl Ref {
    /// Writes `N 0 R`.
    pub(crate) fn put(self, out: &mut Vec<u8>) {
        write_u64(out, self.0 as u64);
        out.extend_from_slice(b" 0 R");
    }

    /// Writes `[N 0 R M 0 R …]`.
    pub(crate) fn put_array(refs: &[Ref], out: &mut Vec<u8>) {
        out.push(b'[');
        for (i, r) in refs.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            r.put(out);
        }
        out.push(b']');
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
    /// Offset of each object by number (index 0 unused); 0 while not written; for an object
    /// in an object stream, `IN_STREAM | stream << 20 | index`.
    offsets: Vec<u64>,
    /// The object stream being filled: (object number, offset in `packed`) and the objects.
    packed_ids: Vec<(u32, usize)>,
    packed: Vec<u8>,
    /// Scratch for compressing object streams.
    deflated: Vec<u8>,
    /// Some object was written into an object stream: the cross-reference must be a stream.
    any_packed: bool,
    /// The first error compressing an object stream (reported by [`Self::finish`]).
    error: Option<PdfError>,
}

impl ObjWriter {
    pub(crate) fn new() -> Self {
        let mut out = Vec::with_capacity(64 * 1024);
        out.extend_from_slice(HEADER);
        ObjWriter {
            out,
            drained: 0,
            offsets: vec![0],
            packed_ids: Vec::new(),
            packed: Vec::new(),
            deflated: Vec::new(),
            any_packed: false,
            error: None,
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

    /// Writes object `r` (not a stream) into the current object stream.
    pub(crate) fn compact(&mut self, r: Ref, body: impl FnOnce(&mut Vec<u8>)) {
        self.packed_ids.push((r.0, self.packed.len()));
        body(&mut self.packed);
        self.packed.push(b'\n');
        if self.packed_ids.len() >= PER_STREAM {
            self.flush_packed();
        }
    }

    /// The text of object `r` while it waits in the current object stream (for tests).
    #[cfg(test)]
    pub(crate) fn packed_object(&self, r: Ref) -> Option<String> {
        let i = self.packed_ids.iter().position(|(id, _)| *id == r.0)?;
        let end = self
            .packed_ids
            .get(i + 1)
            .map_or(self.packed.len(), |(_, at)| *at);
        Some(String::from_utf8_lossy(&self.packed[self.packed_ids[i].1..end]).to_string())
    }

    /// Writes the current object stream out.
    fn flush_packed(&mut self) {
        if self.packed_ids.is_empty() {
            return;
        }
        let stream = self.alloc();
        let mut header = Vec::with_capacity(self.packed_ids.len() * 12);
        for (i, &(id, at)) in self.packed_ids.iter().enumerate() {
            if i > 0 {
                header.push(b' ');
            }
            write_u64(&mut header, id as u64);
            header.push(b' ');
            write_u64(&mut header, at as u64);
            if let Some(slot) = self.offsets.get_mut(id as usize) {
                *slot = IN_STREAM | (stream.0 as u64) << 20 | i as u64;
            }
        }
        header.push(b'\n');
        let first = header.len();
        let mut deflated = std::mem::take(&mut self.deflated);
        // The header, then the objects: compressed as one stream, never copied into one buffer.
        let parts = [header.as_slice(), self.packed.as_slice()];
        if let Err(e) = deflate_pieces(PACKED_COMPRESSION, parts, &mut deflated) {
            self.error.get_or_insert(e);
        }
        let n = self.packed_ids.len();
        self.stream(
            stream,
            |o| {
                o.extend_from_slice(b"/Type/ObjStm/N ");
                write_u64(o, n as u64);
                o.extend_from_slice(b"/First ");
                write_u64(o, first as u64);
                o.extend_from_slice(b"/Filter/FlateDecode");
            },
            &deflated,
        );
        self.deflated = deflated;
        self.packed_ids.clear();
        self.packed.clear();
        self.any_packed = true;
    }

    /// Bytes written since the last drain.
    pub(crate) fn take(&mut self) -> Vec<u8> {
        let taken = std::mem::replace(&mut self.out, Vec::with_capacity(64 * 1024));
        self.drained += taken.len() as u64;
        taken
    }

    /// The first `at_most` pending bytes (all of them when fewer), handed out: a large piece
    /// (a long table's pages, the file's end) leaves in several.
    pub(crate) fn take_at_most(&mut self, at_most: usize) -> Vec<u8> {
        if self.out.len() <= at_most {
            return self.take();
        }
        // The front copied out and the rest moved down in place: never a second copy of the
        // rest.
        let taken = self.out[..at_most].to_vec();
        self.out.drain(..at_most);
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

    /// Writes the cross-reference section and the trailer: the end of the file. `trailer`
    /// writes the trailer dictionary's entries besides `/Size`.
    pub(crate) fn finish(&mut self, trailer: impl FnOnce(&mut Vec<u8>)) -> Result<(), PdfError> {
        self.flush_packed();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.any_packed {
            self.xref_stream(trailer)
        } else {
            self.xref_table(trailer);
            Ok(())
        }
    }

    fn xref_table(&mut self, trailer: impl FnOnce(&mut Vec<u8>)) {
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

    /// The cross-reference stream (ISO 32000-1 7.5.8): entries of 1 + 5 + 2 bytes, the
    /// trailer's entries in its dictionary.
    fn xref_stream(&mut self, trailer: impl FnOnce(&mut Vec<u8>)) -> Result<(), PdfError> {
        let xref = self.alloc();
        let xref_at = self.position();
        if let Some(slot) = self.offsets.get_mut(xref.0 as usize) {
            *slot = xref_at;
        }
        let n = self.offsets.len();
        // The entries compressed 8,192 at a time: a long document has hundreds of thousands.
        let entries = self
            .offsets
            .chunks(8192)
            .enumerate()
            .map(|(chunk, offsets)| {
                let mut buf = Vec::with_capacity(offsets.len() * 8);
                for (k, &at) in offsets.iter().enumerate() {
                    let i = chunk * 8192 + k;
                    let (kind, field, index) = if i == 0 || at == 0 {
                        (0u8, 0u64, if i == 0 { 0xFFFF } else { 0 })
                    } else if at & IN_STREAM != 0 {
                        (2, (at & !IN_STREAM) >> 20, at & 0xFFFFF)
                    } else {
                        (1, at, 0)
                    };
                    buf.push(kind);
                    buf.extend_from_slice(&field.to_be_bytes()[3..]);
                    buf.extend_from_slice(&(index as u16).to_be_bytes());
                }
                buf
            });
        let mut deflated = std::mem::take(&mut self.deflated);
        deflate_pieces(PACKED_COMPRESSION, entries, &mut deflated)?;
        self.stream(
            xref,
            |o| {
                o.extend_from_slice(b"/Type/XRef/Size ");
                write_u64(o, n as u64);
                o.extend_from_slice(b"/W[1 5 2]/Filter/FlateDecode");
                trailer(o);
            },
            &deflated,
        );
        self.out.extend_from_slice(b"startxref\n");
        write_u64(&mut self.out, xref_at);
        self.out.extend_from_slice(b"\n%%EOF\n");
        Ok(())
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
        })
        .unwrap();
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

#[cfg(test)]
mod packed_tests {
    use super::*;

    #[test]
    fn packed_objects_are_found_through_the_xref_stream() {
        let mut w = ObjWriter::new();
        let root = w.alloc();
        let small: Vec<Ref> = (0..PER_STREAM + 3).map(|_| w.alloc()).collect();
        for (k, r) in small.iter().enumerate() {
            w.compact(*r, |o| write_u64(o, k as u64));
        }
        w.obj(root, |o| o.extend_from_slice(b"<</Type/Catalog>>"));
        w.finish(|o| {
            o.extend_from_slice(b"/Root ");
            root.put(o);
        })
        .unwrap();
        let file = w.take();
        let text = String::from_utf8_lossy(&file);
        // Two object streams (200 + 3 objects) and the xref stream.
        assert_eq!(text.matches("/Type/ObjStm/N 200/").count(), 1, "{text}");
        assert_eq!(text.matches("/Type/ObjStm/N 3/").count(), 1);
        assert!(text.contains("/Type/XRef/Size "), "{text}");
        assert!(text.contains("/Root 1 0 R"));
        assert!(text.ends_with("%%EOF\n"));
    }
}
