//! PDF renderer of the document model.
//!
//! [`render_pdf`] lays a [`Document`] out itself (real glyph metrics of the embedded fonts, line
//! wrapping, pagination with repeated table headers, keep-with-next headings) and writes the PDF
//! itself (`writer`, `emit`): each page is written out as soon as it is full and dropped, so
//! memory does not grow with the document; [`render_pdf_to`] and [`PdfStream`] hand the file
//! out in pieces as it is made. Every page has the practice header, the red confidentiality
//! banner and the `Page X of Y` footer.
//!
//! Every file is **tagged PDF/UA-1 and PDF/A-2u** (`docs/accessibility.md`): a structure tree
//! built from the document model as the layout goes (headings, paragraphs, lists, tables with
//! header scopes, notices, figures with alternative text; page furniture, decoration and
//! repeated table headers as artifacts), `/Lang`, `/MarkInfo`, `/DisplayDocTitle`, `/Tabs /S`,
//! Unicode for every glyph, XMP metadata claiming PDF/A-2u and PDF/UA-1, an sRGB output intent.
//! The structure is written as it is built, like the pages: elements when they close, each
//! page's parent-tree entry when the page ends.
//!
//! No PDF library is used on this path: printpdf (and lopdf under it) build the whole document
//! in memory before writing a byte, could not stream, and had no way to say which Unicode text
//! a glyph stands for beyond one character per glyph. The crate's own writer is a few hundred
//! lines (`src/writer/`): objects, streams, a cross-reference table.
//!
//! Scripts: text is shaped (rustybuzz) where the script needs it (Arabic, Hebrew, Devanagari,
//! Thai) and laid out bidirectionally (Unicode bidi algorithm): right-to-left paragraphs are set
//! right to left and aligned right, mixed lines are put in visual order, and text extraction
//! (`/ToUnicode`, `/ActualText`) gives the logical text back. See `docs/scripts.md`.
//!
//! Fonts: DejaVu Sans (regular, bold, oblique, bold oblique) for most text; Noto Sans Arabic,
//! Hebrew, Devanagari and Thai (regular and bold) for those scripts; WenQuanYi Micro Hei for CJK,
//! kana and Hangul; a Symbola subset for emoji; bold CJK and emoji are emboldened by stroking.
//! All embedded in the binary, each parsed once per process when a document first needs it, and
//! subsetted per document. A character no font has is drawn as U+FFFD and counted in
//! [`RenderReport::missing_glyphs`].
//!
//! Output is deterministic: the same `Document` gives the same bytes.

mod chars;
mod emit;
mod font_objects;
mod fonts;
mod layout;
mod style;
mod text;
mod writer;

use std::collections::VecDeque;
use std::io::Write;

use exports_document_model::{Block, Document, NextBlock};

/// Why a document could not be rendered.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PdfError {
    /// An embedded font could not be parsed or subsetted (a build defect, not bad input).
    #[error("embedded font: {0}")]
    Font(String),
    /// The page setup leaves no room for text (negative or huge margins).
    #[error("page setup: {0}")]
    PageSetup(String),
    /// Building or writing the PDF failed (the sink refused the bytes).
    #[error("writing the PDF: {0}")]
    Write(String),
    /// A streamed document's blocks could not be read (its markup is invalid).
    #[error("reading the document: {0}")]
    Blocks(String),
}

/// Where a streamed render reads its blocks from, in order: a parser reading them as they are
/// asked for (`exports_documents::MarkupBlocks`), or a document's own (any iterator of blocks).
pub trait Blocks: Send {
    /// The next block; [`NextBlock::Later`] when it needs input its caller has not supplied yet
    /// (the render then hands out what it has, and goes on when pulled again); or the end. The
    /// error is a message without PHI.
    fn next_block(&mut self) -> Result<NextBlock, String>;
}

impl<I: Iterator<Item = Result<Block, String>> + Send> Blocks for I {
    fn next_block(&mut self) -> Result<NextBlock, String> {
        self.next()
            .transpose()
            .map(|b| b.map_or(NextBlock::End, NextBlock::Block))
    }
}

/// A render's [`Blocks`].
pub type BlockSource = Box<dyn Blocks>;

/// A document's own blocks, then a source's.
struct OwnFirst {
    own: std::vec::IntoIter<Block>,
    rest: BlockSource,
}

impl Blocks for OwnFirst {
    fn next_block(&mut self) -> Result<NextBlock, String> {
        match self.own.next() {
            Some(block) => Ok(NextBlock::Block(block)),
            None => self.rest.next_block(),
        }
    }
}

/// Blocks a streamed render holds: the one being laid out and those keep-with-next reads after
/// it (`first_chunk_height`: up to three headings ahead).
const WINDOW: usize = 4;

/// What a render produced, besides the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderReport {
    /// Number of pages.
    pub pages: usize,
    /// Characters no embedded font has a glyph for; each was drawn as a visible placeholder
    /// (U+FFFD, or the `.notdef` box of a shaped script's face). Characters that are never
    /// drawn (variation selectors, joiners, skin-tone modifiers after an emoji, bidi controls)
    /// do not count.
    pub missing_glyphs: usize,
}

/// How a PDF is written. Every export is tagged and archival ([`PdfOptions::default`]); the
/// untagged variant exists for the bench, which measures what tagging costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub struct PdfOptions {
    /// Tagged PDF/UA-1 and PDF/A-2 (structure tree, marked content, XMP, output intent).
    pub accessible: bool,
}

impl Default for PdfOptions {
    fn default() -> Self {
        PdfOptions { accessible: true }
    }
}

/// Renders `doc` to PDF bytes.
pub fn render_pdf(doc: &Document) -> Result<Vec<u8>, PdfError> {
    render_pdf_with_report(doc).map(|(bytes, _)| bytes)
}

/// Renders `doc` to PDF bytes and reports page count and characters without a glyph.
pub fn render_pdf_with_report(doc: &Document) -> Result<(Vec<u8>, RenderReport), PdfError> {
    let mut bytes = Vec::new();
    let report = render_pdf_to(doc, &mut bytes)?;
    Ok((bytes, report))
}

/// Pending output above this is handed to the sink between blocks.
const FLUSH_AT: usize = 256 * 1024;

/// Renders `doc` into `sink` as it is laid out: the file is never held whole (only what the
/// current block produced, at most a few hundred KB).
pub fn render_pdf_to(doc: &Document, sink: &mut dyn Write) -> Result<RenderReport, PdfError> {
    render_pdf_with_options(doc, sink, PdfOptions::default())
}

/// [`render_pdf_to`] with other [`PdfOptions`] (for the bench).
#[doc(hidden)]
pub fn render_pdf_with_options(
    doc: &Document,
    sink: &mut dyn Write,
    options: PdfOptions,
) -> Result<RenderReport, PdfError> {
    let mut layout = layout::Layout::new(fonts::fonts()?, doc, options)?;
    let io = |e: std::io::Error| PdfError::Write(e.to_string());
    for i in 0..doc.blocks.len() {
        layout.block(&doc.blocks, i);
        if layout.emitter.w.pending() >= FLUSH_AT {
            layout.emitter.w.drain_to(sink).map_err(io)?;
        }
    }
    layout.finish(doc)?;
    layout.emitter.w.drain_to(sink).map_err(io)?;
    Ok(report_of(&layout))
}

fn report_of(layout: &layout::Layout) -> RenderReport {
    RenderReport {
        pages: layout.emitter.page_count(),
        missing_glyphs: layout.shaper.missing,
    }
}

/// A render in progress that hands the file out in chunks as the layout goes
/// ([`PdfStream::next_chunk`]): for uploading a large file in parts while it is made. It reads
/// blocks from its [`BlockSource`] as the layout needs them and drops each once laid out, so
/// what it holds is a few blocks and the page being laid out.
pub struct PdfStream {
    /// The document without its blocks: metadata, page setup, header and footer.
    head: Document,
    blocks: BlockSource,
    /// The next blocks, read ahead for keep-with-next; `window[0]` is block `laid`.
    window: VecDeque<Block>,
    laid: usize,
    layout: layout::Layout,
    blocks_ended: bool,
    /// Once the last block is laid out: the next page to number.
    numbering: Option<usize>,
    finished: bool,
}

impl PdfStream {
    /// Chunks are at most this big (a block's pages, or the file's end, that make more are
    /// handed out over several calls), so the caller's buffer for a part never has to grow.
    pub const CHUNK: usize = 256 * 1024;

    /// Streams a whole document.
    pub fn new(doc: Document) -> Result<PdfStream, PdfError> {
        Self::with_options(doc, PdfOptions::default())
    }

    /// Streams a document whose blocks are read as they are needed: `head` is the document
    /// without them (its own blocks, if any, come first).
    pub fn from_blocks(head: Document, blocks: BlockSource) -> Result<PdfStream, PdfError> {
        Self::streaming(head, blocks, PdfOptions::default())
    }

    /// [`Self::new`] with other [`PdfOptions`] (for the bench).
    #[doc(hidden)]
    pub fn with_options(doc: Document, options: PdfOptions) -> Result<PdfStream, PdfError> {
        Self::streaming(doc, Box::new(std::iter::empty()), options)
    }

    fn streaming(
        mut head: Document,
        rest: BlockSource,
        options: PdfOptions,
    ) -> Result<PdfStream, PdfError> {
        let layout = layout::Layout::new(fonts::fonts()?, &head, options)?;
        let own = std::mem::take(&mut head.blocks);
        let blocks: BlockSource = if own.is_empty() {
            rest
        } else {
            Box::new(OwnFirst {
                own: own.into_iter(),
                rest,
            })
        };
        Ok(PdfStream {
            head,
            blocks,
            window: VecDeque::with_capacity(WINDOW),
            laid: 0,
            layout,
            blocks_ended: false,
            numbering: None,
            finished: false,
        })
    }

    /// The next piece of the file; `None` once the whole file has been handed out. A piece is
    /// empty (or short) when the blocks wait for input ([`NextBlock::Later`]): supply it and
    /// pull again.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, PdfError> {
        if self.finished {
            let w = &mut self.layout.emitter.w;
            return Ok((w.pending() > 0).then(|| w.take_at_most(Self::CHUNK)));
        }
        while self.layout.emitter.w.pending() < Self::CHUNK {
            // Keep-with-next looks ahead: a block is laid out only with its window full (or
            // the blocks ended), so waiting for input never changes the layout.
            while self.window.len() < WINDOW && !self.blocks_ended {
                match self.blocks.next_block().map_err(PdfError::Blocks)? {
                    NextBlock::Block(block) => self.window.push_back(block),
                    NextBlock::End => self.blocks_ended = true,
                    NextBlock::Later => return Ok(Some(self.layout.emitter.w.take())),
                }
            }
            if self.window.is_empty() {
                // The pages are numbered a chunk's worth at a time (a long document's numbers
                // are megabytes), then the file is finished.
                let from = match self.numbering {
                    Some(next) => next,
                    None => {
                        self.layout.end_last_page()?;
                        1
                    }
                };
                self.numbering = self.layout.page_numbers(from, Self::CHUNK)?;
                if self.numbering.is_none() {
                    self.layout.finish_file(&self.head)?;
                    self.finished = true;
                }
                break;
            }
            self.layout.window_start = self.laid;
            // A long table stops once a chunk's worth is written, and goes on at the next pull.
            if self
                .layout
                .block_until(self.window.make_contiguous(), 0, Self::CHUNK)
            {
                self.window.pop_front();
                self.laid += 1;
            }
        }
        if let Some(e) = self.layout.error.take() {
            return Err(e);
        }
        Ok(Some(self.layout.emitter.w.take_at_most(Self::CHUNK)))
    }

    /// Pages and missing glyphs so far (all of them once [`Self::next_chunk`] returned `None`).
    pub fn report(&self) -> RenderReport {
        report_of(&self.layout)
    }
}

/// Parses the embedded fonts now instead of on the first render (call at cold start).
pub fn warm_up() -> Result<(), PdfError> {
    fonts::fonts().map(|_| ())
}
