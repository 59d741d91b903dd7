//! Page layout: blocks flowed into pages of positioned items (text runs, rectangles, lines).
//!
//! Coordinates are points from the page's top-left corner; `emit` flips them for PDF. Pages are
//! not kept: each is handed to the [`Emitter`] when it is full, written out and dropped, so the
//! layout holds one page of items however long the document. The [`Layout`] state lives here; its methods are split by responsibility: placing text runs
//! (`text_runs`), breaking pages (`pagination`), running text (`prose`), bordered grids of
//! cells (`grid`) and what is drawn in them (`tables`, `notice`), the page header and footer
//! (`furniture`) and the line chart (`chart`, `chart_axes`).
//!
//! Text items hold glyphs in visual order: a line of bidirectional text is reordered when it is
//! placed (`text_runs`), and shaped glyphs carry their positions (`Place`) and, where a glyph's
//! `/ToUnicode` entry cannot say what it stands for, an `/ActualText` span (`Span`).

mod chart;
mod chart_axes;
mod furniture;
mod grid;
mod notice;
mod pagination;
mod prose;
mod tables;
mod tags;
mod text_runs;

use exports_document_model::{Block, Document, PageSize};

use crate::PdfError;
use crate::emit::Emitter;
use crate::fonts::{FaceId, Fonts, GlyphUsage};
use crate::style::*;
use crate::text::{Laid, Shaper};

use grid::GridSpan;
use tables::Columns;
pub(crate) use tags::Tag;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Item {
    /// Subset glyph ids `start..end` of `Layout::codes`, all of one face, in visual order,
    /// baseline at `y`.
    Text {
        x: f32,
        y: f32,
        size: f32,
        face: FaceId,
        color: Rgb8,
        start: u32,
        end: u32,
        /// Drawn emboldened (bold text in a face without a bold variant).
        fake_bold: bool,
        /// `Layout::text_ext[ext]`: positions and `/ActualText` spans of shaped or mirrored
        /// glyphs; [`NO_EXT`] for plain text (kept out of the item, which every run has).
        ext: u32,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb8,
    },
    Stroke {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb8,
        width: f32,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        color: Rgb8,
        width: f32,
    },
    /// Points `start..end` of `Layout::points`.
    Polyline {
        start: u32,
        end: u32,
        color: Rgb8,
        width: f32,
    },
    Dot {
        x: f32,
        y: f32,
        r: f32,
        color: Rgb8,
    },
    /// Starts a marked-content sequence (closing the one before): the items after it, up to
    /// the next mark, are `tag`'s content (tagged output only).
    Mark {
        tag: Tag,
        mcid: u32,
    },
}

/// `Item::Text::ext` of plain text: each glyph advances by its width, no span.
pub(crate) const NO_EXT: u32 = u32::MAX;
/// `TextExt::place` of glyphs drawn one per character.
pub(crate) const NO_PLACE: u32 = u32::MAX;

/// What a text item of shaped or mirrored glyphs needs besides its glyphs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextExt {
    /// Shaped glyphs: `Layout::places[place..place + (end - start)]` position them;
    /// [`NO_PLACE`]: each glyph advances by its width.
    pub place: u32,
    /// `Layout::spans[spans.0..spans.1]`: glyphs drawn for another text (`/ActualText`).
    pub spans: (u32, u32),
}

/// Where a shaped glyph goes, in 1/1000 em: drawn at the pen plus the offset, then the pen
/// moves by `adv`; `w` is the glyph's own width (its `/W` entry), what a viewer would move by.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place {
    pub x_off: i16,
    pub y_off: i16,
    pub adv: u16,
    pub w: u16,
}

/// Glyphs `from..to` of `Layout::codes` stand for `Layout::span_text[text.0..text.1]` (their
/// own `/ToUnicode` entries would give another text: a reordered or split cluster, a mirrored
/// bracket).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub from: u32,
    pub to: u32,
    pub text: (u32, u32),
}

/// An outline (bookmark) entry: a level-1 or level-2 heading and where it landed.
#[derive(Debug, Clone)]
pub(crate) struct OutlineEntry {
    pub level: u8,
    pub title: String,
    pub page: usize,
    pub y: f32,
}

/// Page geometry in points.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub page_w: f32,
    pub page_h: f32,
    pub left: f32,
    pub right: f32,
    pub body_top: f32,
    pub body_bottom: f32,
}

impl Frame {
    pub(crate) fn width(&self) -> f32 {
        self.right - self.left
    }
}

pub(crate) struct Layout {
    pub fonts: &'static Fonts,
    pub shaper: Shaper,
    pub usage: GlyphUsage,
    /// Glyph ids (subset numbering) of the current page's `Item::Text`s.
    pub codes: Vec<u16>,
    /// `Item::Text::ext` of the current page's shaped or mirrored glyphs; their positions and
    /// spans.
    pub text_ext: Vec<TextExt>,
    pub places: Vec<Place>,
    /// `/ActualText` spans (`TextExt::spans`) and their texts, of the current page.
    pub spans: Vec<Span>,
    pub span_text: String,
    /// Scratch: a line's glyphs in visual order; a run's text as drawn.
    order: Vec<usize>,
    shown: String,
    /// Points of the current page's `Item::Polyline`s.
    pub points: Vec<(f32, f32)>,
    /// The current page's body items.
    pub page: Vec<Item>,
    /// Header items (the same on every page), until they are written.
    header: Vec<Item>,
    /// Writes the finished pages.
    pub emitter: Emitter,
    /// The first error writing a page (pagination cannot fail; the caller checks this).
    pub error: Option<PdfError>,
    /// Unit tests: a copy of every finished page's items.
    #[cfg(test)]
    pub pages: Vec<Vec<Item>>,
    pub outline: Vec<OutlineEntry>,
    pub frame: Frame,
    /// Top of the free space on the current page.
    y: f32,
    /// The next grid row must draw its top border (table start, or continued on a new page).
    grid_top: bool,
    /// Vertical borders of consecutive grid rows, drawn as one line per column edge.
    grid_span: Option<GridSpan>,
    footer_lines: Laid,
    footer_first_baseline: f32,
    page_numbers: bool,
    scratch: Laid,
    /// The last table's columns, keyed by the table's index in the document: keep-with-next
    /// measures a table before the table itself is laid out.
    column_cache: Option<(usize, Columns)>,
    /// A table whose rows are being laid out over several calls.
    table_in_progress: Option<tables::TableInProgress>,
    /// The document index of `blocks[0]` of the slice being laid out (a streamed document is
    /// laid out through a window of a few blocks).
    pub(crate) window_start: usize,
    /// Where text goes now (tagged output).
    text_tag: Tag,
    /// Where drawings (fills, lines, dots) go now: artifacts, except a chart's.
    art_tag: Tag,
    /// The current page's marked-content sequence.
    page_tag: Option<Tag>,
    /// The level of the last heading tagged.
    heading_level: u8,
    /// A table's header row is being repeated at the top of a page.
    repeating: bool,
}

/// The emitter's view of what the current page's items point into (a macro, so the fields are
/// borrowed one by one while the emitter is borrowed mutably).
macro_rules! page_data {
    ($l:expr) => {
        crate::emit::PageData {
            codes: &$l.codes,
            points: &$l.points,
            text_ext: &$l.text_ext,
            places: &$l.places,
            spans: &$l.spans,
            span_text: &$l.span_text,
        }
    };
}
pub(super) use page_data;

impl Layout {
    /// Forgets what the items of a written page pointed into.
    pub(super) fn clear_page_data(&mut self) {
        self.codes.clear();
        self.points.clear();
        self.text_ext.clear();
        self.places.clear();
        self.spans.clear();
        self.span_text.clear();
    }

    pub(crate) fn new(
        fonts: &'static Fonts,
        doc: &Document,
        options: crate::PdfOptions,
    ) -> Result<Layout, PdfError> {
        let (w_mm, h_mm) = doc.page.size.mm();
        let (page_w, page_h) = match doc.page.size {
            PageSize::Letter => (612.0, 792.0),
            PageSize::A4 => (w_mm * MM, h_mm * MM),
        };
        let [mt, mr, mb, ml] = doc.page.margins_mm;
        if ![mt, mr, mb, ml].iter().all(|m| m.is_finite() && *m >= 0.0) {
            return Err(PdfError::PageSetup(format!(
                "margins must be finite and non-negative, got {:?}",
                doc.page.margins_mm
            )));
        }
        let frame = Frame {
            page_w,
            page_h,
            left: ml * MM,
            right: page_w - mr * MM,
            body_top: mt * MM,
            body_bottom: page_h - mb * MM,
        };
        if frame.width() < 144.0 || frame.body_bottom - frame.body_top < 144.0 {
            return Err(PdfError::PageSetup(format!(
                "margins {:?} mm leave less than 2 inches for the text",
                doc.page.margins_mm
            )));
        }
        let mut l = Layout {
            fonts,
            shaper: Shaper::new(fonts),
            usage: GlyphUsage::new(),
            codes: Vec::with_capacity(8 * 1024),
            text_ext: Vec::new(),
            places: Vec::new(),
            spans: Vec::new(),
            span_text: String::new(),
            order: Vec::new(),
            shown: String::new(),
            points: Vec::new(),
            page: Vec::with_capacity(512),
            header: Vec::new(),
            emitter: Emitter::new(doc, frame.page_w, frame.page_h, options),
            error: None,
            #[cfg(test)]
            pages: Vec::new(),
            outline: Vec::new(),
            frame,
            y: frame.body_top,
            grid_top: false,
            grid_span: None,
            footer_lines: Laid::default(),
            footer_first_baseline: 0.0,
            page_numbers: doc.footer.page_numbers,
            scratch: Laid::default(),
            column_cache: None,
            table_in_progress: None,
            window_start: 0,
            text_tag: Tag::Artifact,
            art_tag: Tag::Artifact,
            page_tag: None,
            heading_level: 0,
            repeating: false,
        };
        l.layout_header(doc);
        l.prepare_footer(doc);
        if l.frame.body_bottom - l.frame.body_top < 144.0 {
            return Err(PdfError::PageSetup(
                "header and footer leave less than 2 inches for the text".into(),
            ));
        }
        l.y = l.frame.body_top;
        let header = std::mem::take(&mut l.header);
        let footer = l.footer_items();
        l.emitter.furniture(&header, &footer, &page_data!(l))?;
        l.clear_page_data();
        l.begin_page();
        Ok(l)
    }

    /// Lays out block `i` of `blocks` (the blocks after it are read to keep a heading with
    /// what follows). Blocks are laid out in order, each once.
    pub(crate) fn block(&mut self, blocks: &[Block], i: usize) {
        let Some(block) = blocks.get(i) else {
            return;
        };
        match block {
            Block::Heading { level, text } => {
                let keep = self.first_chunk_height(blocks, i + 1, 2);
                self.heading(*level, text, keep);
            }
            Block::Paragraph { text } => self.paragraph(text),
            Block::BulletList { items } => self.bullets(items),
            Block::KeyValue { rows } => self.key_value(rows),
            Block::Table(t) => self.table(i, t),
            Block::Notice { kind, text } => self.notice(*kind, text),
            Block::Chart(c) => self.chart(c),
            Block::PageBreak => {
                if !self.at_page_top() {
                    self.new_page();
                }
            }
        }
    }

    /// [`Self::block`], except that a table stops after a row once the file's pending bytes
    /// reach `pending`: false until the block is done (call again with the same window).
    pub(crate) fn block_until(&mut self, blocks: &[Block], i: usize, pending: usize) -> bool {
        match blocks.get(i) {
            Some(Block::Table(t)) => self.table_until(i, t, pending),
            _ => {
                self.block(blocks, i);
                true
            }
        }
    }

    /// Unit tests: lays out every block and ends the last page (its items in `pages`).
    #[cfg(test)]
    pub(crate) fn blocks(&mut self, blocks: &[Block]) {
        for i in 0..blocks.len() {
            self.block(blocks, i);
        }
        self.end_page();
    }

    /// Ends the last page and writes the rest of the file.
    pub(crate) fn finish(&mut self, doc: &Document) -> Result<(), PdfError> {
        self.end_last_page()?;
        self.page_numbers(1, usize::MAX)?;
        self.finish_file(doc)
    }

    /// Ends the last page: then the pages are numbered ([`Self::page_numbers`]) and the file
    /// finished ([`Self::finish_file`]).
    pub(crate) fn end_last_page(&mut self) -> Result<(), PdfError> {
        self.end_page();
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Writes the fonts, page tree, structure tree, outline, metadata and cross-references.
    pub(crate) fn finish_file(&mut self, doc: &Document) -> Result<(), PdfError> {
        self.emitter
            .finish(doc, self.fonts, &self.usage, &self.outline)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_item_stays_small() {
        // Every run of text on every page is one: a long record has tens of thousands.
        assert_eq!(std::mem::size_of::<super::Item>(), 32);
    }
}
