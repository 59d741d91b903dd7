//! PDF renderer of the document model.
//!
//! [`render_pdf`] lays a [`Document`] out itself (real glyph metrics of the embedded fonts, line
//! wrapping, pagination with repeated table headers, keep-with-next headings), then emits the
//! pages through printpdf with the practice header, the red confidentiality banner and the
//! `Page X of Y` footer on every page.
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

use exports_document_model::Document;

/// Why a document could not be rendered.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PdfError {
    /// An embedded font could not be parsed or subsetted (a build defect, not bad input).
    #[error("embedded font: {0}")]
    Font(String),
    /// The page setup leaves no room for text (negative or huge margins).
    #[error("page setup: {0}")]
    PageSetup(String),
    /// Building or writing the PDF failed.
    #[error("writing the PDF: {0}")]
    Write(String),
}

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

/// Renders `doc` to PDF bytes.
pub fn render_pdf(doc: &Document) -> Result<Vec<u8>, PdfError> {
    render_pdf_with_report(doc).map(|(bytes, _)| bytes)
}

/// Renders `doc` to PDF bytes and reports page count and characters without a glyph.
pub fn render_pdf_with_report(doc: &Document) -> Result<(Vec<u8>, RenderReport), PdfError> {
    let fonts = fonts::fonts()?;
    let mut layout = layout::Layout::new(fonts, doc)?;
    layout.blocks(&doc.blocks);
    layout.finish();
    let bytes = emit::emit(&layout, doc)?;
    let report = RenderReport {
        pages: layout.pages.len(),
        missing_glyphs: layout.shaper.missing,
    };
    Ok((bytes, report))
}

/// Parses the embedded fonts now instead of on the first render (call at cold start).
pub fn warm_up() -> Result<(), PdfError> {
    fonts::fonts().map(|_| ())
}
