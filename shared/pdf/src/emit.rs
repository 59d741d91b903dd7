//! Laid-out pages to PDF bytes.
//!
//! printpdf builds the document skeleton: page tree and Info dictionary. Page content streams
//! are written by [`ContentWriter`] instead of printpdf's op serializer, which formats every
//! glyph id byte through `core::fmt` and allocates a `String` per character when it collects
//! glyph usage: that was 60 % of the time of a 170-page record. The fonts (Type0 / CIDFontType2
//! with `/W` widths, `/ToUnicode` and the subset font program) are written by `font_objects`
//! into the font dictionary printpdf shares between the pages: shaped glyphs need a
//! `/ToUnicode` printpdf cannot build. printpdf's lopdf object model then gets the fonts, our
//! content streams, the outline, a deterministic `/ID` and compression before it is written.

use exports_document_model::Document;
use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};
use printpdf::{PdfDocument, PdfPage, PdfSaveOptions, Pt, Rect};

use crate::PdfError;
use crate::font_objects::{add_fonts, resource_name};
use crate::fonts::FaceId;
use crate::layout::{Item, Layout, NO_PLACE, OutlineEntry, Place, Span, TextExt};
use crate::style::Rgb8;

/// Deflate level of page content streams (zlib-rs). On the 171-page sample record: level 1
/// 422 KB, level 2 349 KB, level 6 324 KB; the render takes about 15 % longer at level 2 than at
/// level 1, and 35 % longer at level 6.
const COMPRESSION: i32 = 2;
/// Deflate level of font programs (binary glyph data gains little from more).
const FONT_COMPRESSION: i32 = 1;

// The renderer's name as it was when the crate was `render-pdf`: the files stay byte-identical.
const PRODUCER: &str = "practice-exports render-pdf (printpdf 0.12)";

pub(crate) fn emit(layout: &Layout, doc: &Document) -> Result<Vec<u8>, PdfError> {
    let mut pdf = PdfDocument::new(&doc.meta.title);
    let info = &mut pdf.metadata.info;
    info.author = doc.meta.author.clone();
    info.subject = doc.meta.subject.clone();
    info.keywords = doc.meta.keywords.clone();
    info.creator = "practice-exports".into();
    info.producer = PRODUCER.into();
    let created = printpdf::OffsetDateTime::from_unix_timestamp(doc.meta.created.timestamp())
        .map_err(|e| PdfError::Write(format!("creation date: {e}")))?;
    info.creation_date = created;
    info.modification_date = created;
    info.metadata_date = created;

    let f = layout.frame;
    let media = Rect::from_wh(Pt(f.page_w), Pt(f.page_h));
    pdf.pages = (0..layout.pages.len())
        .map(|_| PdfPage {
            media_box: media.clone(),
            trim_box: media.clone(),
            crop_box: media.clone(),
            ops: Vec::new(),
        })
        .collect();

    let opts = PdfSaveOptions {
        optimize: false,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lo = pdf.to_lopdf_document(&opts, &mut warnings);
    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
    {
        return Err(PdfError::Write(w.msg.clone()));
    }
    drop(pdf);

    let mut hash = Fnv128::new();
    hash.write(doc.meta.title.as_bytes());
    hash.write(&doc.meta.created.timestamp().to_le_bytes());

    // Our content streams replace printpdf's.
    let page_ids: Vec<ObjectId> = lo.get_pages().into_values().collect();
    if page_ids.len() != layout.pages.len() {
        return Err(PdfError::Write(format!(
            "printpdf wrote {} pages, expected {}",
            page_ids.len(),
            layout.pages.len()
        )));
    }

    // Fonts: only the faces this document uses, each subsetted to the glyphs it uses, in the
    // font dictionary every page's resources share.
    let font_dict_id = shared_font_dict(&lo, page_ids[0])?;
    let added = add_fonts(&mut lo, layout.fonts, &layout.usage)?;
    let font_dict = lo
        .get_object_mut(font_dict_id)
        .and_then(Object::as_dict_mut)
        .map_err(|e| PdfError::Write(format!("font resources: {e}")))?;
    for (name, id) in added {
        font_dict.set(name, Object::Reference(id));
    }
    let mut content = Vec::with_capacity(64 * 1024);
    for (i, page_id) in page_ids.iter().enumerate() {
        let mut w = ContentWriter::new(&mut content, f.page_h, layout);
        w.items(&layout.header);
        w.items(&layout.pages[i]);
        w.items(&layout.footers[i]);
        w.finish();
        let compressed = with_deflater(COMPRESSION, |d| d.deflate(&content))?;
        hash.write(&compressed);
        let contents_id = lo
            .get_dictionary(*page_id)
            .and_then(|p| p.get(b"Contents"))
            .and_then(Object::as_reference)
            .map_err(|e| PdfError::Write(format!("page {}: {e}", i + 1)))?;
        let mut dict = Dictionary::new();
        dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        let stream = Stream::new(dict, compressed).with_compression(false);
        lo.objects.insert(contents_id, Object::Stream(stream));
    }

    finish_document(&mut lo, layout, &page_ids, &mut hash)?;
    let mut out = Vec::with_capacity(64 * 1024 + layout.pages.len() * 6 * 1024);
    lo.save_to(&mut out)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

/// The font dictionary printpdf made for the page resources (every page's `/Resources /Font`
/// points at the same one).
fn shared_font_dict(lo: &lopdf::Document, page: ObjectId) -> Result<ObjectId, PdfError> {
    let resources = lo
        .get_dictionary(page)
        .and_then(|p| p.get(b"Resources"))
        .and_then(Object::as_reference)
        .map_err(|e| PdfError::Write(format!("page resources: {e}")))?;
    lo.get_dictionary(resources)
        .and_then(|r| r.get(b"Font"))
        .and_then(Object::as_reference)
        .map_err(|e| PdfError::Write(format!("font resources: {e}")))
}

/// Outline, Info clean-up, compression of the remaining streams, deterministic /ID.
fn finish_document(
    lo: &mut lopdf::Document,
    layout: &Layout,
    page_ids: &[ObjectId],
    hash: &mut Fnv128,
) -> Result<(), PdfError> {
    let catalog_id = lo
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|e| PdfError::Write(format!("catalog: {e}")))?;
    if let Some(outlines) = build_outline(lo, &layout.outline, page_ids, layout.frame.page_h) {
        let catalog = lo
            .get_object_mut(catalog_id)
            .and_then(Object::as_dict_mut)
            .map_err(|e| PdfError::Write(format!("catalog: {e}")))?;
        catalog.set("Outlines", Object::Reference(outlines));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }

    // Info: drop the empty PDF/X fields printpdf always writes.
    if let Ok(info_id) = lo.trailer.get(b"Info").and_then(Object::as_reference)
        && let Ok(info) = lo.get_object_mut(info_id).and_then(Object::as_dict_mut)
    {
        for key in [&b"GTS_PDFXVersion"[..], b"Identifier"] {
            let empty = matches!(info.get(key), Ok(Object::String(s, _)) if s.is_empty());
            if empty {
                info.remove(key);
            }
        }
    }

    // Font programs (ToUnicode maps of a few hundred bytes stay uncompressed: every stream
    // costs a compressor reset).
    for object in lo.objects.values_mut() {
        if let Object::Stream(stream) = object
            && stream.dict.get(b"Filter").is_err()
            && stream.allows_compression
            && stream.content.len() >= MIN_COMPRESS
        {
            let compressed = with_deflater(FONT_COMPRESSION, |d| d.deflate(&stream.content))?;
            if compressed.len() < stream.content.len() {
                stream
                    .dict
                    .set("Filter", Object::Name(b"FlateDecode".to_vec()));
                stream.set_content(compressed);
            }
            hash.write(&stream.content);
        }
    }
    // The file identifier: printpdf draws it from a process-wide counter; derive it from the
    // content instead so the same Document always gives the same bytes.
    let id = hash.finish_hex();
    lo.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone().into_bytes(), StringFormat::Hexadecimal),
            Object::String(id.into_bytes(), StringFormat::Hexadecimal),
        ]),
    );
    Ok(())
}

/// Streams shorter than this are not compressed.
const MIN_COMPRESS: usize = 2048;

thread_local! {
    /// One compressor per level and thread, kept across documents (creating one allocates and
    /// clears about 300 KB).
    static DEFLATERS: std::cell::RefCell<Vec<Deflater>> = const { std::cell::RefCell::new(Vec::new()) };
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

/// zlib (FlateDecode) compression with one compressor and one buffer reused for every stream.
struct Deflater {
    level: i32,
    z: zlib_rs::Deflate,
    buf: Vec<u8>,
}

impl Deflater {
    fn new(level: i32) -> Self {
        Deflater {
            level,
            z: zlib_rs::Deflate::new(level, true, 15),
            buf: Vec::new(),
        }
    }

    fn deflate(&mut self, input: &[u8]) -> Result<Vec<u8>, PdfError> {
        self.z.reset();
        let bound = zlib_rs::compress_bound(input.len()) + 64;
        if self.buf.len() < bound {
            self.buf.resize(bound, 0);
        }
        match self
            .z
            .compress(input, &mut self.buf, zlib_rs::DeflateFlush::Finish)
        {
            Ok(zlib_rs::Status::StreamEnd) => {}
            other => return Err(PdfError::Write(format!("deflate: {other:?}"))),
        }
        Ok(self.buf[..self.z.total_out() as usize].to_vec())
    }
}

/// The document outline: level-1 headings at the top, level-2 headings under the level-1
/// heading before them, each pointing at the heading's position on its page.
fn build_outline(
    lo: &mut lopdf::Document,
    entries: &[OutlineEntry],
    page_ids: &[ObjectId],
    page_h: f32,
) -> Option<ObjectId> {
    if entries.is_empty() {
        return None;
    }
    let root = lo.new_object_id();
    // Tree: top-level items, each with its children.
    let mut tops: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match tops.last_mut() {
            Some((parent, children)) if e.level >= 2 && entries[*parent].level < e.level => {
                children.push(i)
            }
            _ => tops.push((i, Vec::new())),
        }
    }
    let ids: Vec<ObjectId> = entries.iter().map(|_| lo.new_object_id()).collect();
    let dest = |e: &OutlineEntry| {
        let page = page_ids.get(e.page).copied().unwrap_or(page_ids[0]);
        Object::Array(vec![
            Object::Reference(page),
            Object::Name(b"XYZ".to_vec()),
            Object::Integer(0),
            Object::Real((page_h - e.y + 4.0).round()),
            Object::Null,
        ])
    };
    let link = |dict: &mut Dictionary, siblings: &[usize], k: usize| {
        if k > 0 {
            dict.set("Prev", Object::Reference(ids[siblings[k - 1]]));
        }
        if k + 1 < siblings.len() {
            dict.set("Next", Object::Reference(ids[siblings[k + 1]]));
        }
    };
    let top_idx: Vec<usize> = tops.iter().map(|t| t.0).collect();
    for (k, (i, children)) in tops.iter().enumerate() {
        let mut d = Dictionary::new();
        d.set("Title", pdf_text(&entries[*i].title));
        d.set("Parent", Object::Reference(root));
        d.set("Dest", dest(&entries[*i]));
        link(&mut d, &top_idx, k);
        if let (Some(first), Some(last)) = (children.first(), children.last()) {
            d.set("First", Object::Reference(ids[*first]));
            d.set("Last", Object::Reference(ids[*last]));
            // Positive: open, showing the level-2 entries.
            d.set("Count", Object::Integer(children.len() as i64));
        }
        for (c, child) in children.iter().enumerate() {
            let mut cd = Dictionary::new();
            cd.set("Title", pdf_text(&entries[*child].title));
            cd.set("Parent", Object::Reference(ids[*i]));
            cd.set("Dest", dest(&entries[*child]));
            link(&mut cd, children, c);
            lo.objects.insert(ids[*child], Object::Dictionary(cd));
        }
        lo.objects.insert(ids[*i], Object::Dictionary(d));
    }
    let mut r = Dictionary::new();
    r.set("Type", Object::Name(b"Outlines".to_vec()));
    r.set("First", Object::Reference(ids[tops[0].0]));
    r.set("Last", Object::Reference(ids[tops[tops.len() - 1].0]));
    r.set("Count", Object::Integer(entries.len() as i64));
    lo.objects.insert(root, Object::Dictionary(r));
    Some(root)
}

/// A PDF text string: UTF-16BE with a byte-order mark.
fn pdf_text(s: &str) -> Object {
    let mut bytes = Vec::with_capacity(2 + s.len() * 2);
    bytes.extend_from_slice(&[0xFE, 0xFF]);
    for u in s.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// 128-bit FNV-1a (two 64-bit lanes), for the file identifier.
struct Fnv128(u64, u64);

impl Fnv128 {
    fn new() -> Self {
        Fnv128(0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0100_0000_01b3);
            self.1 = (self.1 ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish_hex(&self) -> String {
        format!("{:016x}{:016x}", self.0, self.1)
    }
}

/// Writes a page content stream from items. The one place content operators are written: text
/// that needs marking (`/ActualText` today, structure tags later) is wrapped here.
struct ContentWriter<'a> {
    out: &'a mut Vec<u8>,
    page_h: f32,
    codes: &'a [u16],
    points: &'a [(f32, f32)],
    text_ext: &'a [TextExt],
    places: &'a [Place],
    spans: &'a [Span],
    span_text: &'a str,
    in_text: bool,
    /// Text rendering mode: 0 fill, 2 fill and stroke (emboldened text).
    render_mode: u8,
    font: Option<(FaceId, f32)>,
    fill: Option<Rgb8>,
    stroke: Option<Rgb8>,
    stroke_w: Option<f32>,
    round_caps: bool,
    /// Origin of the current text line (Td), in hundredths of a point.
    line: (i64, i64),
}

impl<'a> ContentWriter<'a> {
    fn new(out: &'a mut Vec<u8>, page_h: f32, layout: &'a Layout) -> Self {
        out.clear();
        // Round joins (chart lines).
        out.extend_from_slice(b"1 j\n");
        ContentWriter {
            out,
            page_h,
            codes: &layout.codes,
            points: &layout.points,
            text_ext: &layout.text_ext,
            places: &layout.places,
            spans: &layout.spans,
            span_text: &layout.span_text,
            in_text: false,
            render_mode: 0,
            font: None,
            fill: None,
            stroke: None,
            stroke_w: None,
            round_caps: false,
            line: (0, 0),
        }
    }

    fn set_round_caps(&mut self, on: bool) {
        if self.round_caps != on {
            self.out
                .extend_from_slice(if on { b"1 J\n" } else { b"0 J\n" });
            self.round_caps = on;
        }
    }

    fn finish(mut self) {
        self.text_mode(false);
    }

    fn text_mode(&mut self, on: bool) {
        if on != self.in_text {
            self.out
                .extend_from_slice(if on { b"BT\n" } else { b"ET\n" });
            self.in_text = on;
            // BT resets the text line matrix to the identity.
            self.line = (0, 0);
        }
    }

    fn num(&mut self, v: f32) {
        write_num(self.out, v);
        self.out.push(b' ');
    }

    /// A point, flipped to PDF's bottom-left origin.
    fn xy(&mut self, x: f32, y: f32) {
        self.num(x);
        self.num(self.page_h - y);
    }

    fn color(&mut self, c: Rgb8, op: &[u8]) {
        for v in [c.0, c.1, c.2] {
            write_unit(self.out, v);
            self.out.push(b' ');
        }
        self.out.extend_from_slice(op);
    }

    fn set_fill(&mut self, c: Rgb8) {
        if self.fill != Some(c) {
            self.color(c, b"rg\n");
            self.fill = Some(c);
        }
    }

    fn set_stroke(&mut self, c: Rgb8, w: f32) {
        if self.stroke != Some(c) {
            self.color(c, b"RG\n");
            self.stroke = Some(c);
        }
        if self.stroke_w != Some(w) {
            self.num(w);
            self.out.extend_from_slice(b"w\n");
            self.stroke_w = Some(w);
        }
    }

    fn items(&mut self, items: &[Item]) {
        for item in items {
            self.item(item);
        }
    }

    fn item(&mut self, item: &Item) {
        match *item {
            Item::Text {
                x,
                y,
                size,
                face,
                color,
                start,
                end,
                fake_bold,
                ext,
            } => {
                self.text_mode(true);
                if self.font != Some((face, size)) {
                    self.out.push(b'/');
                    self.out.extend_from_slice(resource_name(face).as_bytes());
                    self.out.push(b' ');
                    self.num(size);
                    self.out.extend_from_slice(b"Tf\n");
                    self.font = Some((face, size));
                }
                self.set_fill(color);
                // Emboldening: the outline stroked in the fill colour as well, a thirtieth of
                // the size wide (about the stem difference between a regular and a bold face).
                let mode = if fake_bold {
                    self.set_stroke(color, size / 30.0);
                    2
                } else {
                    0
                };
                if self.render_mode != mode {
                    self.out
                        .extend_from_slice(if mode == 2 { b"2 Tr\n" } else { b"0 Tr\n" });
                    self.render_mode = mode;
                }
                // Td moves relative to the start of the previous run; in exact hundredths, so
                // positions do not drift.
                let (cx, cy) = (centi(x), centi(self.page_h - y));
                write_centi(self.out, cx - self.line.0);
                self.out.push(b' ');
                write_centi(self.out, cy - self.line.1);
                self.out.extend_from_slice(b" Td\n");
                self.line = (cx, cy);
                match self.text_ext.get(ext as usize) {
                    None => {
                        write_string(self.out, &self.codes[start as usize..end as usize]);
                        self.out.extend_from_slice(b" Tj\n");
                    }
                    Some(&TextExt { place, spans }) => self.glyphs(start, end, size, place, spans),
                }
            }
            Item::Fill { x, y, w, h, color } => {
                self.text_mode(false);
                self.set_fill(color);
                self.xy(x, y + h);
                self.num(w);
                self.num(h);
                self.out.extend_from_slice(b"re f\n");
            }
            Item::Stroke {
                x,
                y,
                w,
                h,
                color,
                width,
            } => {
                self.text_mode(false);
                self.set_stroke(color, width);
                self.xy(x, y + h);
                self.num(w);
                self.num(h);
                self.out.extend_from_slice(b"re S\n");
            }
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                color,
                width,
            } => {
                self.text_mode(false);
                self.set_stroke(color, width);
                self.set_round_caps(false);
                self.xy(x1, y1);
                self.out.extend_from_slice(b"m ");
                self.xy(x2, y2);
                self.out.extend_from_slice(b"l S\n");
            }
            Item::Polyline {
                start,
                end,
                color,
                width,
            } => {
                self.text_mode(false);
                self.set_stroke(color, width);
                self.set_round_caps(true);
                let points = self.points;
                for (k, &(x, y)) in points[start as usize..end as usize].iter().enumerate() {
                    self.xy(x, y);
                    self.out
                        .extend_from_slice(if k == 0 { b"m " } else { b"l " });
                }
                self.out.extend_from_slice(b"S\n");
            }
            Item::Dot { x, y, r, color } => {
                // A zero-length stroke with round caps: a filled circle of diameter = line
                // width (ISO 32000-1 8.5.3.2), in 30 bytes instead of four Béziers.
                self.text_mode(false);
                self.set_stroke(color, 2.0 * r);
                self.set_round_caps(true);
                self.xy(x, y);
                self.out.extend_from_slice(b"m ");
                self.xy(x, y);
                self.out.extend_from_slice(b"l S\n");
            }
        }
    }
}

impl ContentWriter<'_> {
    /// Glyphs `start..end` with their own positions (`place`) and `/ActualText` spans: `TJ`
    /// arrays whose numbers move each glyph from where its `/W` width would put it to where
    /// the shaper placed it, `Ts` for vertical offsets (marks), and each span wrapped in
    /// `/Span <</ActualText ...>> BDC ... EMC`.
    fn glyphs(&mut self, start: u32, end: u32, size: f32, place: u32, spans: (u32, u32)) {
        let spans = &self.spans[spans.0 as usize..spans.1 as usize];
        let mut next_span = 0;
        let mut span_end: Option<u32> = None;
        let mut in_array = false;
        let mut in_string = false;
        // The adjustment (1/1000 em, TJ's sign) owed before the next glyph.
        let mut pending: i32 = 0;
        let mut rise: i16 = 0;
        for k in start..end {
            let p = if place == NO_PLACE {
                None
            } else {
                self.places.get((place + k - start) as usize).copied()
            };
            let span = spans.get(next_span).filter(|s| s.from == k).copied();
            let y_off = p.map_or(0, |p| p.y_off);
            if span.is_some() || y_off != rise {
                close_array(self.out, &mut in_array, &mut in_string);
            }
            if let Some(span) = span {
                let text = self
                    .span_text
                    .get(span.text.0 as usize..span.text.1 as usize)
                    .unwrap_or("");
                self.out.extend_from_slice(b"/Span <</ActualText <FEFF");
                for u in text.encode_utf16() {
                    write_hex4(self.out, u);
                }
                self.out.extend_from_slice(b">>> BDC\n");
                span_end = Some(span.to);
                next_span += 1;
            }
            if y_off != rise {
                self.num(y_off as f32 * size / 1000.0);
                self.out.extend_from_slice(b"Ts\n");
                rise = y_off;
            }
            if let Some(p) = p {
                pending -= p.x_off as i32;
            }
            if !in_array {
                self.out.push(b'[');
                in_array = true;
            }
            if pending != 0 {
                if in_string {
                    self.out.push(b')');
                    in_string = false;
                }
                write_u64_signed(self.out, pending as i64);
                pending = 0;
            }
            if !in_string {
                self.out.push(b'(');
                in_string = true;
            }
            write_code(self.out, self.codes[k as usize]);
            if let Some(p) = p {
                pending = p.w as i32 + p.x_off as i32 - p.adv as i32;
            }
            if span_end == Some(k + 1) {
                close_array(self.out, &mut in_array, &mut in_string);
                self.out.extend_from_slice(b"EMC\n");
                span_end = None;
            }
        }
        close_array(self.out, &mut in_array, &mut in_string);
        if span_end.is_some() {
            self.out.extend_from_slice(b"EMC\n");
        }
        if rise != 0 {
            self.out.extend_from_slice(b"0 Ts\n");
        }
    }
}

/// Ends a `TJ` array being written (and the string in it).
fn close_array(out: &mut Vec<u8>, in_array: &mut bool, in_string: &mut bool) {
    if *in_string {
        out.push(b')');
        *in_string = false;
    }
    if *in_array {
        out.extend_from_slice(b"] TJ\n");
        *in_array = false;
    }
}

fn write_u64_signed(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    write_u64(out, v.unsigned_abs());
}

fn write_hex4(out: &mut Vec<u8>, u: u16) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for shift in [12, 8, 4, 0] {
        out.push(HEX[((u >> shift) & 0xF) as usize]);
    }
}

/// A number with at most two decimals (1/7200 inch: finer than any device).
fn write_num(out: &mut Vec<u8>, v: f32) {
    write_centi(out, centi(v));
}

/// `v` in hundredths, rounded.
fn centi(v: f32) -> i64 {
    if v.is_finite() {
        (v as f64 * 100.0).round() as i64
    } else {
        0
    }
}

/// A number given in hundredths.
fn write_centi(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    let a = v.unsigned_abs();
    write_u64(out, a / 100);
    let frac = a % 100;
    if frac != 0 {
        out.push(b'.');
        out.push(b'0' + (frac / 10) as u8);
        if !frac.is_multiple_of(10) {
            out.push(b'0' + (frac % 10) as u8);
        }
    }
}

/// A colour component 0..=255 as 0..1 with three decimals.
fn write_unit(out: &mut Vec<u8>, v: u8) {
    match v {
        0 => out.push(b'0'),
        255 => out.push(b'1'),
        _ => {
            let m = (v as u32 * 1000 + 127) / 255;
            out.extend_from_slice(&[
                b'.',
                b'0' + (m / 100) as u8,
                b'0' + (m / 10 % 10) as u8,
                b'0' + (m % 10) as u8,
            ]);
        }
    }
}

fn write_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Two-byte glyph ids (Identity-H) as a literal string.
fn write_string(out: &mut Vec<u8>, codes: &[u16]) {
    out.push(b'(');
    for &code in codes {
        write_code(out, code);
    }
    out.push(b')');
}

/// One two-byte glyph id inside a literal string.
#[inline(always)]
fn write_code(out: &mut Vec<u8>, code: u16) {
    for b in code.to_be_bytes() {
        match b {
            b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\n' => out.extend_from_slice(b"\\n"),
            _ => out.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings() {
        let mut o = Vec::new();
        for v in [0.0, 1.0, -2.5, 612.0, 0.004, 12.345, -0.001] {
            write_num(&mut o, v);
            o.push(b' ');
        }
        assert_eq!(String::from_utf8(o).unwrap(), "0 1 -2.5 612 0 12.35 0 ");
        let mut o = Vec::new();
        write_unit(&mut o, 0x80);
        assert_eq!(o, b".502");
        let mut o = Vec::new();
        write_string(&mut o, &[0x0028, 0x5C0D, 0x0A41]);
        assert_eq!(o, b"(\0\\(\\\\\\r\\nA)");
    }
}
