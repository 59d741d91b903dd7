//! Laid-out pages to PDF objects, page by page, through [`ObjWriter`].
//!
//! The layout hands over each page when it is full ([`Emitter::end_page`]): its content stream
//! is written and compressed at once, its page object written, and nothing of it is kept but
//! its object number. What every page shares is written once: the practice header and the
//! footer's shared lines are form XObjects each page draws (`/Hd Do`, `/Ft Do`), the fonts one
//! resource dictionary written at the end, when the glyph set of each face is known. `Page X of
//! Y` needs Y: each page draws its own small form XObject (`/Pn Do`), written at the end.
//!
//! Page content streams are written by [`ContentWriter`] (no `core::fmt`, no allocation per
//! glyph: formatting glyph ids was once 60 % of the time of a 170-page record).

use exports_document_model::Document;

use crate::PdfError;
use crate::PdfOptions;
use crate::font_objects::{resource_name as font_name, write_fonts};
use crate::fonts::{FaceId, Fonts, GlyphUsage};
use crate::layout::{Item, NO_PLACE, OutlineEntry, Place, Span, Tag, TextExt};
use crate::style::Rgb8;
use crate::writer::archival::{DocInfo, write_metadata, write_output_intent};
use crate::writer::deflate::deflate_into;
use crate::writer::structure::StructTree;
use crate::writer::syntax::*;
use crate::writer::{ObjWriter, Ref};

/// Deflate level of page content streams (zlib-rs). On the 171-page sample record: level 1
/// 422 KB, level 2 349 KB, level 6 324 KB; the render takes about 15 % longer at level 2 than at
/// level 1, and 35 % longer at level 6.
const COMPRESSION: i32 = 2;
/// Streams shorter than this are not compressed (a compressor reset costs more than it saves).
const MIN_COMPRESS: usize = 512;
/// Pages per node of the page tree: viewers find page 4,000 of a long record through a few
/// dozen nodes instead of one array of 4,000.
const PAGES_PER_NODE: usize = 64;

const PRODUCER: &str = "practice-exports exports-pdf";
const CREATOR: &str = "practice-exports";

/// What a page's (or a form's) items point into: glyph ids, polyline points, and for shaped
/// glyphs their positions and `/ActualText` spans.
pub(crate) struct PageData<'a> {
    pub codes: &'a [u16],
    pub points: &'a [(f32, f32)],
    pub text_ext: &'a [TextExt],
    pub places: &'a [Place],
    pub spans: &'a [Span],
    pub span_text: &'a str,
}

pub(crate) struct Emitter {
    pub(crate) w: ObjWriter,
    page_w: f32,
    page_h: f32,
    catalog: Ref,
    pages: Ref,
    info: Ref,
    /// The font resource dictionary every page and form shares (written at the end).
    fonts: Ref,
    header: Option<Ref>,
    footer: Option<Ref>,
    /// Each page's object.
    page_ids: Vec<Ref>,
    /// Each page's `Page X of Y` form, when the document numbers its pages.
    numbers: Vec<Ref>,
    /// The page tree's nodes, one per `PAGES_PER_NODE` pages.
    nodes: Vec<Ref>,
    /// Scratch: a content stream, and it compressed.
    content: Vec<u8>,
    packed: Vec<u8>,
    hash: Fnv128,
    /// The structure tree, when the output is tagged.
    pub(crate) tree: Option<StructTree>,
}

impl Emitter {
    pub(crate) fn new(doc: &Document, page_w: f32, page_h: f32, options: PdfOptions) -> Emitter {
        let mut w = ObjWriter::new();
        let catalog = w.alloc();
        let pages = w.alloc();
        let info = w.alloc();
        let fonts = w.alloc();
        let tree = options.accessible.then(|| StructTree::new(&mut w));
        let mut hash = Fnv128::new();
        hash.write(doc.meta.title.as_bytes());
        hash.write(&doc.meta.created.timestamp().to_le_bytes());
        Emitter {
            w,
            page_w,
            page_h,
            catalog,
            pages,
            info,
            fonts,
            header: None,
            footer: None,
            page_ids: Vec::new(),
            numbers: Vec::new(),
            nodes: Vec::new(),
            content: Vec::with_capacity(64 * 1024),
            packed: Vec::with_capacity(32 * 1024),
            hash,
            tree,
        }
    }

    /// The page being laid out.
    pub(crate) fn current_page(&self) -> Ref {
        self.page_ids.last().copied().unwrap_or(Ref(0))
    }

    /// Pages begun so far.
    pub(crate) fn page_count(&self) -> usize {
        self.page_ids.len()
    }

    /// Writes a form XObject of `items` (page coordinates), drawn by every page.
    fn form(&mut self, items: &[Item], data: &PageData<'_>) -> Result<Ref, PdfError> {
        self.content.clear();
        let mut cw = ContentWriter::new(&mut self.content, self.page_h, data);
        cw.items(items);
        cw.finish();
        let r = self.w.alloc();
        self.write_content(r, true)?;
        Ok(r)
    }

    /// The header and the footer lines every page shares.
    pub(crate) fn furniture(
        &mut self,
        header: &[Item],
        footer: &[Item],
        data: &PageData<'_>,
    ) -> Result<(), PdfError> {
        if !header.is_empty() {
            self.header = Some(self.form(header, data)?);
        }
        if !footer.is_empty() {
            self.footer = Some(self.form(footer, data)?);
        }
        Ok(())
    }

    /// Starts a page: its object number.
    pub(crate) fn begin_page(&mut self) -> Ref {
        if self.page_ids.len().is_multiple_of(PAGES_PER_NODE) {
            let node = self.w.alloc();
            self.nodes.push(node);
        }
        let page = self.w.alloc();
        self.page_ids.push(page);
        page
    }

    /// Writes the page begun last: its content (`items`), and the page object.
    pub(crate) fn end_page(
        &mut self,
        items: &[Item],
        data: &PageData<'_>,
        page_numbers: bool,
    ) -> Result<(), PdfError> {
        let (Some(&page), Some(&node)) = (self.page_ids.last(), self.nodes.last()) else {
            return Err(PdfError::Write("a page ended before it began".into()));
        };
        self.content.clear();
        let tagged = self.tree.is_some();
        // The furniture first, each form in the default graphics state; the body inside q/Q,
        // so what it leaves set does not reach the footer's forms. Header and footer are
        // pagination artifacts: a screen reader skips them.
        if self.header.is_some() {
            if tagged {
                self.content
                    .extend_from_slice(b"/Artifact<</Type/Pagination/Subtype/Header>>BDC\n");
            }
            self.content.extend_from_slice(b"/Hd Do\n");
            if tagged {
                self.content.extend_from_slice(b"EMC\n");
            }
        }
        self.content.extend_from_slice(b"q\n");
        let mut cw = ContentWriter::new(&mut self.content, self.page_h, data);
        cw.items(items);
        cw.finish();
        self.content.extend_from_slice(b"Q\n");
        let number = page_numbers.then(|| self.w.alloc());
        if self.footer.is_some() || number.is_some() {
            if tagged {
                self.content
                    .extend_from_slice(b"/Artifact<</Type/Pagination/Subtype/Footer>>BDC\n");
            }
            if self.footer.is_some() {
                self.content.extend_from_slice(b"/Ft Do\n");
            }
            if let Some(r) = number {
                self.numbers.push(r);
                self.content.extend_from_slice(b"/Pn Do\n");
            }
            if tagged {
                self.content.extend_from_slice(b"EMC\n");
            }
        }
        let struct_parents = self.tree.as_mut().map(|t| t.end_page(&mut self.w));
        let contents = self.w.alloc();
        self.write_content(contents, false)?;
        let (header, footer, fonts) = (self.header, self.footer, self.fonts);
        let (pw, ph) = (self.page_w, self.page_h);
        self.w.obj(page, |o| {
            o.extend_from_slice(b"<</Type/Page/Parent ");
            node.put(o);
            o.extend_from_slice(b"/MediaBox[0 0 ");
            write_num(o, pw);
            o.push(b' ');
            write_num(o, ph);
            o.extend_from_slice(b"]/Resources<</Font ");
            fonts.put(o);
            if header.is_some() || footer.is_some() || number.is_some() {
                o.extend_from_slice(b"/XObject<<");
                for (name, r) in [(&b"/Hd "[..], header), (b"/Ft ", footer), (b"/Pn ", number)] {
                    if let Some(r) = r {
                        o.extend_from_slice(name);
                        r.put(o);
                    }
                }
                o.extend_from_slice(b">>");
            }
            o.extend_from_slice(b">>/Contents ");
            contents.put(o);
            if let Some(key) = struct_parents {
                // Tab order follows the structure (PDF/UA-1 7.18.3).
                o.extend_from_slice(b"/StructParents ");
                write_u64(o, key as u64);
                o.extend_from_slice(b"/Tabs/S");
            }
            o.extend_from_slice(b">>");
        });
        Ok(())
    }

    /// Writes `self.content` as object `r`: a page's content stream, or (`form`) a form XObject
    /// over the whole page.
    fn write_content(&mut self, r: Ref, form: bool) -> Result<(), PdfError> {
        let compress = self.content.len() >= MIN_COMPRESS;
        if compress {
            deflate_into(COMPRESSION, &self.content, &mut self.packed)?;
        }
        let data = if compress {
            &self.packed
        } else {
            &self.content
        };
        self.hash.write(data);
        let (fonts, pw, ph) = (self.fonts, self.page_w, self.page_h);
        self.w.stream(
            r,
            |o| {
                if form {
                    o.extend_from_slice(b"/Type/XObject/Subtype/Form/BBox[0 0 ");
                    write_num(o, pw);
                    o.push(b' ');
                    write_num(o, ph);
                    o.extend_from_slice(b"]/Resources<</Font ");
                    fonts.put(o);
                    o.extend_from_slice(b">>");
                }
                if compress {
                    o.extend_from_slice(b"/Filter/FlateDecode");
                }
            },
            data,
        );
        Ok(())
    }

    /// Writes the `Page X of Y` form of page `index` (0-based), drawn by `items`.
    pub(crate) fn page_number(
        &mut self,
        index: usize,
        items: &[Item],
        data: &PageData<'_>,
    ) -> Result<(), PdfError> {
        let Some(&r) = self.numbers.get(index) else {
            return Err(PdfError::Write(format!(
                "page {} has no number form",
                index + 1
            )));
        };
        self.content.clear();
        let mut cw = ContentWriter::new(&mut self.content, self.page_h, data);
        cw.items(items);
        cw.finish();
        self.write_content(r, true)
    }

    /// The rest of the file: fonts, page tree, outline, document information, catalog, the
    /// cross-reference table and the trailer.
    pub(crate) fn finish(
        &mut self,
        doc: &Document,
        fonts: &Fonts,
        usage: &GlyphUsage,
        outline: &[OutlineEntry],
    ) -> Result<(), PdfError> {
        let all_unicode = self.write_fonts(fonts, usage)?;
        self.write_page_tree();
        let struct_root = self.tree.as_mut().map(|t| {
            t.finish(&mut self.w);
            t.root
        });
        let outlines = self.write_outline(outline);
        let info = self.info;
        let created = pdf_date(doc);
        let doc_info = DocInfo::new(doc, CREATOR, PRODUCER);
        // PDF/A-2 (with PDF/UA-1): the XMP packet repeats the Info dictionary and names the
        // conformance level: U when every glyph maps to Unicode, which the fonts ensure unless
        // a glyph stands for no text of its own.
        let archival = if struct_root.is_some() {
            let metadata =
                write_metadata(&mut self.w, &doc_info, if all_unicode { 'U' } else { 'B' });
            Some((metadata, write_output_intent(&mut self.w)?))
        } else {
            None
        };
        self.w.obj(info, |o| {
            o.extend_from_slice(b"<</Title");
            write_text(o, doc_info.title);
            o.extend_from_slice(b"/Author");
            write_text(o, doc_info.author);
            o.extend_from_slice(b"/Subject");
            write_text(o, doc_info.subject);
            o.extend_from_slice(b"/Keywords");
            write_text(o, &doc_info.keywords);
            o.extend_from_slice(b"/Creator");
            write_text(o, doc_info.creator);
            o.extend_from_slice(b"/Producer");
            write_text(o, doc_info.producer);
            o.extend_from_slice(b"/CreationDate");
            write_text(o, &created);
            o.extend_from_slice(b"/ModDate");
            write_text(o, &created);
            o.extend_from_slice(b">>");
        });
        let (catalog, pages) = (self.catalog, self.pages);
        self.w.obj(catalog, |o| {
            o.extend_from_slice(b"<</Type/Catalog/Pages ");
            pages.put(o);
            if let Some(outlines) = outlines {
                o.extend_from_slice(b"/Outlines ");
                outlines.put(o);
                o.extend_from_slice(b"/PageMode/UseOutlines");
            }
            if let Some(root) = struct_root {
                o.extend_from_slice(b"/StructTreeRoot ");
                root.put(o);
                o.extend_from_slice(b"/MarkInfo<</Marked true>>/Lang");
                write_text(o, &doc.meta.lang);
                // Viewers show the title, not the file name (PDF/UA-1 7.1).
                o.extend_from_slice(b"/ViewerPreferences<</DisplayDocTitle true>>");
            }
            if let Some((metadata, intent)) = archival {
                o.extend_from_slice(b"/Metadata ");
                metadata.put(o);
                o.extend_from_slice(b"/OutputIntents[");
                intent.put(o);
                o.push(b']');
            }
            o.extend_from_slice(b">>");
        });
        // The file identifier, derived from the content so the same Document always gives the
        // same bytes.
        let id = self.hash.finish_hex();
        self.w.finish(|o| {
            o.extend_from_slice(b"/Root ");
            catalog.put(o);
            o.extend_from_slice(b"/Info ");
            info.put(o);
            o.extend_from_slice(b"/ID[<");
            o.extend_from_slice(id.as_bytes());
            o.extend_from_slice(b"><");
            o.extend_from_slice(id.as_bytes());
            o.extend_from_slice(b">]");
        })
    }

    /// Each face the document used, subsetted to its glyphs (`font_objects`), and the
    /// resource dictionary naming them. Returns whether every glyph maps to some Unicode text.
    fn write_fonts(&mut self, fonts: &Fonts, usage: &GlyphUsage) -> Result<bool, PdfError> {
        let (names, all_unicode) = write_fonts(&mut self.w, fonts, usage, &mut self.packed)?;
        let fonts_ref = self.fonts;
        self.w.obj(fonts_ref, |o| {
            o.extend_from_slice(b"<<");
            for (name, r) in &names {
                write_name(o, name);
                o.push(b' ');
                r.put(o);
            }
            o.extend_from_slice(b">>");
        });
        Ok(all_unicode)
    }

    /// The page tree: the root over one node per `PAGES_PER_NODE` pages.
    fn write_page_tree(&mut self) {
        let (root, total) = (self.pages, self.page_ids.len());
        let nodes = std::mem::take(&mut self.nodes);
        self.w.obj(root, |o| {
            o.extend_from_slice(b"<</Type/Pages/Count ");
            write_u64(o, total as u64);
            o.extend_from_slice(b"/Kids");
            Ref::put_array(&nodes, o);
            o.extend_from_slice(b">>");
        });
        for (i, &node) in nodes.iter().enumerate() {
            let kids = &self.page_ids[i * PAGES_PER_NODE..((i + 1) * PAGES_PER_NODE).min(total)];
            self.w.obj(node, |o| {
                o.extend_from_slice(b"<</Type/Pages/Count ");
                write_u64(o, kids.len() as u64);
                o.extend_from_slice(b"/Parent ");
                root.put(o);
                o.extend_from_slice(b"/Kids");
                Ref::put_array(kids, o);
                o.extend_from_slice(b">>");
            });
        }
        self.nodes = nodes;
    }

    /// The document outline: level-1 headings at the top, level-2 headings under the level-1
    /// heading before them, each pointing at the heading's position on its page.
    fn write_outline(&mut self, entries: &[OutlineEntry]) -> Option<Ref> {
        if entries.is_empty() || self.page_ids.is_empty() {
            return None;
        }
        let root = self.w.alloc();
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
        let ids: Vec<Ref> = entries.iter().map(|_| self.w.alloc()).collect();
        let page_h = self.page_h;
        let page_ids = &self.page_ids;
        let item =
            |o: &mut Vec<u8>, e: &OutlineEntry, parent: Ref, siblings: &[usize], k: usize| {
                o.extend_from_slice(b"<</Title");
                write_text(o, &e.title);
                o.extend_from_slice(b"/Parent ");
                parent.put(o);
                o.extend_from_slice(b"/Dest[");
                page_ids.get(e.page).unwrap_or(&page_ids[0]).put(o);
                o.extend_from_slice(b"/XYZ 0 ");
                write_num(o, (page_h - e.y + 4.0).round());
                o.extend_from_slice(b" null]");
                if k > 0 {
                    o.extend_from_slice(b"/Prev ");
                    ids[siblings[k - 1]].put(o);
                }
                if k + 1 < siblings.len() {
                    o.extend_from_slice(b"/Next ");
                    ids[siblings[k + 1]].put(o);
                }
            };
        let top_idx: Vec<usize> = tops.iter().map(|t| t.0).collect();
        for (k, (i, children)) in tops.iter().enumerate() {
            self.w.compact(ids[*i], |o| {
                item(o, &entries[*i], root, &top_idx, k);
                if let (Some(first), Some(last)) = (children.first(), children.last()) {
                    o.extend_from_slice(b"/First ");
                    ids[*first].put(o);
                    o.extend_from_slice(b"/Last ");
                    ids[*last].put(o);
                    // Positive: open, showing the level-2 entries.
                    o.extend_from_slice(b"/Count ");
                    write_u64(o, children.len() as u64);
                }
                o.extend_from_slice(b">>");
            });
            for (c, child) in children.iter().enumerate() {
                self.w.compact(ids[*child], |o| {
                    item(o, &entries[*child], ids[*i], children, c);
                    o.extend_from_slice(b">>");
                });
            }
        }
        self.w.compact(root, |o| {
            o.extend_from_slice(b"<</Type/Outlines/First ");
            ids[tops[0].0].put(o);
            o.extend_from_slice(b"/Last ");
            ids[tops[tops.len() - 1].0].put(o);
            o.extend_from_slice(b"/Count ");
            write_u64(o, entries.len() as u64);
            o.extend_from_slice(b">>");
        });
        Some(root)
    }
}

/// The creation date as a PDF date (`D:20261127100000+00'00'`, UTC).
fn pdf_date(doc: &Document) -> String {
    doc.meta.created.format("D:%Y%m%d%H%M%S+00'00'").to_string()
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
    /// A marked-content sequence is open.
    in_mark: bool,
}

impl<'a> ContentWriter<'a> {
    /// A writer appending to `out`, in the default graphics state except round line joins
    /// (chart lines), which it sets.
    fn new(out: &'a mut Vec<u8>, page_h: f32, data: &PageData<'a>) -> Self {
        out.extend_from_slice(b"1 j\n");
        ContentWriter {
            out,
            page_h,
            codes: data.codes,
            points: data.points,
            text_ext: data.text_ext,
            places: data.places,
            spans: data.spans,
            span_text: data.span_text,
            in_text: false,
            render_mode: 0,
            font: None,
            fill: None,
            stroke: None,
            stroke_w: None,
            round_caps: false,
            line: (0, 0),
            in_mark: false,
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
        if self.in_mark {
            self.out.extend_from_slice(b"EMC\n");
        }
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
                    self.out.extend_from_slice(font_name(face).as_bytes());
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
                        write_glyphs(self.out, &self.codes[start as usize..end as usize]);
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
            Item::Mark { tag, mcid } => {
                // Sequences never straddle a text object.
                self.text_mode(false);
                if self.in_mark {
                    self.out.extend_from_slice(b"EMC\n");
                }
                match tag {
                    Tag::Artifact => self.out.extend_from_slice(b"/Artifact BMC\n"),
                    Tag::Pagination => self
                        .out
                        .extend_from_slice(b"/Artifact<</Type/Pagination>>BDC\n"),
                    Tag::Elem { role, .. } => {
                        write_name(self.out, role.name());
                        self.out.extend_from_slice(b"<</MCID ");
                        write_u64(self.out, mcid as u64);
                        self.out.extend_from_slice(b">>BDC\n");
                    }
                }
                self.in_mark = true;
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
                write_i64(self.out, pending as i64);
                pending = 0;
            }
            if !in_string {
                self.out.push(b'(');
                in_string = true;
            }
            write_glyph_code(self.out, self.codes[k as usize]);
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
