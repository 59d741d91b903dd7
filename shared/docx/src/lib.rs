//! Renders a [`exports_document_model::Document`] as a Word document (`.docx`).
//!
//! ```no_run
//! let doc = exports_document_model::sample::clinical_document(3, 120);
//! let bytes: Vec<u8> = exports_docx::render_docx(&doc).unwrap();
//! ```
//!
//! The WordprocessingML parts are written directly as XML: `word/document.xml` (body and section
//! properties), the page header and footer, `word/numbering.xml` and the style sheet
//! (`word/styles.xml`, real Word styles: Normal, Heading 1–3, List Paragraph, Caption, header,
//! footer and the "Clinical Table" table style). Every element's children are in the order the
//! ECMA-376 schema (`wml.xsd`) requires, which Word enforces where LibreOffice forgives;
//! `tests/ooxml_schema.rs` checks every part with an independent validator. docx-rs 0.4.22 builds
//! the package's other parts (content types, relationships, document properties, font table),
//! and we pack the ZIP ourselves: compressed, with fixed timestamps, so the same `Document` always
//! gives the same bytes.
//!
//! Tables: every row is kept on one page (`<w:cantSplit/>`) and data-table header rows repeat on
//! every page (`<w:tblHeader/>`). Column widths follow the model's relative widths, widened where a
//! column's longest word would not fit (see [`columns`]).
//!
//! The page header carries the practice's name with whose record it is (`identity`) at a
//! right-aligned tab stop, on every page including the first.
//!
//! Right-to-left and complex scripts (see [`script`]): text is split into runs of one script;
//! Arabic and Hebrew runs are marked `<w:rtl/>`, complex-script runs `<w:cs/>` with a font for
//! the script (`w:rFonts w:cs`), East Asian runs name an East Asian font (`w:eastAsia`), and a
//! paragraph whose first strong character is right-to-left gets `<w:bidi/>`.
//!
//! Text is plain text, escaped as docx-rs escapes it, so `<b>`, `**` or `{{` in patient text appear
//! literally. Characters XML 1.0 cannot carry (control characters) become U+FFFD; `\n` becomes a
//! line break and `\t` a tab.

mod chart_picture;
mod columns;
mod glyph_widths;
mod measure;
mod package;
mod script;
mod styles;

use std::borrow::Cow;
use std::fmt::Write as _;

use chrono::{Datelike, Timelike};
use docx_rs::{Docx, Footer, Header};
use exports_document_model::escape::{self, escape_into};
use exports_document_model::{
    Align, Block, Column, Document, NoticeKind, PageSize, Table as ModelTable, Text,
};

use columns::fit_widths;
use script::{Script, is_rtl_paragraph, segments};

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    /// A data table row does not have one cell per column.
    #[error(
        "table in block {block}: row {row} has {found} cells, the table has {expected} columns"
    )]
    RaggedTable {
        block: usize,
        row: usize,
        expected: usize,
        found: usize,
    },
    /// Writing the ZIP container failed.
    #[error("writing the DOCX container: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing the DOCX container: {0}")]
    Io(#[from] std::io::Error),
    /// A chart could not be drawn as a picture.
    #[error("drawing a chart: {0}")]
    Chart(String),
    /// A bug in this renderer (an invariant of the generated XML did not hold).
    #[error("internal DOCX renderer error: {0}")]
    Internal(&'static str),
}

/// Renders `doc` as the bytes of a `.docx` file.
///
/// Deterministic: the same `Document` gives the same bytes (ZIP entries carry `doc.meta.created`
/// as their timestamp; paragraph ids are numbered per document).
pub fn render_docx(doc: &Document) -> Result<Vec<u8>, DocxError> {
    let (page_w, page_h) = match doc.page.size {
        PageSize::Letter => (12240, 15840),
        PageSize::A4 => (11906, 16838),
    };
    let [top, right, bottom, left] = doc.page.margins_mm.map(mm_to_twips);
    let text_width = (page_w - left - right).max(1440) as usize;

    let mut r = Renderer {
        ids: 0,
        text_width,
        out: String::with_capacity(doc.blocks.len() * 1024 + 4096),
        pictures: Vec::new(),
    };
    for (i, block) in doc.blocks.iter().enumerate() {
        let next_is_heading = matches!(doc.blocks.get(i + 1), Some(Block::Heading { .. }));
        r.block(i, block, next_is_heading)?;
    }
    if r.out.is_empty() {
        r.open_p(None, Align::Left, false);
        r.close_p();
    }
    let body = std::mem::take(&mut r.out);
    let header = r.header(doc);
    let footer = r.footer(doc);

    // docx-rs writes the package's bookkeeping: content types, relationships (the header's and
    // footer's included), document properties and the font table. The WordprocessingML parts
    // are ours: docx-rs writes children out of schema order (`w:rPr` first in `w:pPr`,
    // `w:tblStyle` last in `w:tblPr`, the header reference after `w:pgSz`, `w:rPr` inside a
    // numbering level's `w:pPr`), which Word rejects.
    let mut docx = Docx::new().header(Header::new()).footer(Footer::new());
    docx.document.has_numbering = true;
    docx.document_rels.has_numberings = true;
    let mut xml = docx.build();
    chart_picture::attach(&mut xml, std::mem::take(&mut r.pictures))?;
    let section = package::Section {
        page_w,
        page_h,
        top,
        right,
        bottom,
        left,
        // The header and footer sit inside the margins, about a third of the way in.
        header: (top * 3 / 10).max(284),
        footer: (bottom * 3 / 10).max(284),
    };
    let document = package::document_xml(&body, &section, &xml.document_rels)?;

    let keywords = doc
        .meta
        .keywords
        .iter()
        .map(|k| clean(k))
        .collect::<Vec<_>>()
        .join(", ");
    let created = doc.meta.created.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    // A BCP 47 tag is letters, digits and hyphens; anything else falls back to English.
    let language = Some(doc.meta.lang.as_str())
        .filter(|l| !l.is_empty() && l.len() <= 35)
        .filter(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or("en-US")
        .to_owned();
    let core = package::core_xml(&package::CoreProps {
        title: &clean(&doc.meta.title),
        subject: &clean(&doc.meta.subject),
        creator: &clean(&doc.meta.author),
        keywords: &keywords,
        created: &created,
        language: &language,
    });
    // The document's language is the default of every run (`w:docDefaults`), so Word's
    // proofing and screen readers use it.
    let styles = styles::STYLES_XML.replacen(
        r#"<w:lang w:val="en-US" w:eastAsia="en-US""#,
        &format!(r#"<w:lang w:val="{language}" w:eastAsia="{language}""#),
        1,
    );
    package::zip(
        package::Parts {
            xml,
            document,
            header: package::header_xml(&header),
            footer: package::footer_xml(&footer),
            numbering: styles::NUMBERING_XML.as_bytes(),
            styles: styles.into_bytes(),
            settings: styles::SETTINGS_XML.as_bytes(),
            core,
        },
        zip_timestamp(&doc.meta.created),
    )
}

/// Numbering id (and abstract numbering id) of bullet lists (`word/numbering.xml`).
const BULLETS: usize = 2;

const HEADER_FILL: &str = "D9E2F3";
const LABEL_FILL: &str = "F2F2F2";
const BORDER_COLOR: &str = "A6A6A6";

/// Size of table text (the "Table Text" style), in points: what column widths are measured at.
const TABLE_TEXT_PT: f32 = 9.0;
/// Cell margins left and right (`w:tblCellMar`), plus room for borders and rounding, in twips.
const CELL_PADDING: usize = 100 + 100 + 60;

struct Renderer {
    /// Last paragraph id handed out, so ids depend on the document only.
    ids: u32,
    text_width: usize,
    /// The XML being written: the body (the children of `<w:body>` before `<w:sectPr>`), then the
    /// header's and the footer's paragraphs.
    out: String,
    /// PNG pictures of the charts, in body order (`chart_picture`).
    pictures: Vec<Vec<u8>>,
}

/// How a piece of text is formatted: bold, italic, and a character style.
#[derive(Clone, Copy, Default)]
struct RunFormat {
    bold: bool,
    italic: bool,
    style: Option<&'static str>,
}

impl Renderer {
    /// Opens a left-to-right paragraph with the next id and its properties.
    fn open_p(&mut self, style: Option<&str>, align: Align, bullet: bool) {
        self.open_p_with(style, align, bullet, false, None);
    }

    /// Opens a paragraph with the next id. Properties in `w:pPr` schema order: `w:pStyle`,
    /// `w:numPr` (`w:ilvl` before `w:numId`), `w:tabs`, `w:bidi`, `w:jc`. `right_tab` is a
    /// right-aligned tab stop at that position (twips from the left margin).
    fn open_p_with(
        &mut self,
        style: Option<&str>,
        align: Align,
        bullet: bool,
        rtl: bool,
        right_tab: Option<usize>,
    ) {
        self.ids += 1;
        let _ = write!(self.out, "<w:p w14:paraId=\"{:08X}\">", self.ids);
        let jc = match align {
            Align::Left => None,
            Align::Right => Some("right"),
            Align::Center => Some("center"),
        };
        if style.is_none() && !bullet && !rtl && right_tab.is_none() && jc.is_none() {
            return;
        }
        self.out.push_str("<w:pPr>");
        if let Some(style) = style {
            let _ = write!(self.out, "<w:pStyle w:val=\"{style}\" />");
        }
        if bullet {
            let _ = write!(
                self.out,
                "<w:numPr><w:ilvl w:val=\"0\" /><w:numId w:val=\"{BULLETS}\" /></w:numPr>"
            );
        }
        if let Some(pos) = right_tab {
            let _ = write!(
                self.out,
                "<w:tabs><w:tab w:val=\"right\" w:pos=\"{pos}\" /></w:tabs>"
            );
        }
        if rtl {
            self.out.push_str("<w:bidi />");
        }
        if let Some(jc) = jc {
            let _ = write!(self.out, "<w:jc w:val=\"{jc}\" />");
        }
        self.out.push_str("</w:pPr>");
    }

    fn close_p(&mut self) {
        self.out.push_str("</w:p>");
    }

    /// A paragraph holding one styled text.
    fn text_p(&mut self, style: Option<&str>, align: Align, text: &str, bold: bool, italic: bool) {
        let rtl = is_rtl_paragraph([text]);
        self.open_p_with(style, align, false, rtl, None);
        write_text(&mut self.out, text, bold, italic);
        self.close_p();
    }

    fn runs_p(&mut self, style: Option<&str>, align: Align, bullet: bool, text: &Text) {
        let rtl = is_rtl_paragraph(text.iter().map(|r| r.text.as_str()));
        self.open_p_with(style, align, bullet, rtl, None);
        for run in text {
            write_text(&mut self.out, &run.text, run.bold, run.italic);
        }
        self.close_p();
    }

    fn block(
        &mut self,
        index: usize,
        block: &Block,
        next_is_heading: bool,
    ) -> Result<(), DocxError> {
        match block {
            Block::Heading { level, text } => {
                let style = styles::HEADING[usize::from((*level).clamp(1, 3) - 1)];
                self.text_p(Some(style), Align::Left, text, false, false);
            }
            Block::Paragraph { text } => self.runs_p(None, Align::Left, false, text),
            Block::BulletList { items } => {
                for item in items {
                    self.runs_p(Some(styles::LIST_PARAGRAPH), Align::Left, true, item);
                }
            }
            Block::KeyValue { rows } => {
                if rows.is_empty() {
                    return Ok(());
                }
                let mut min = [0usize; 2];
                for (label, value) in rows {
                    min[0] = min[0].max(word_twips(label, true));
                    min[1] = min[1].max(text_word_twips(value));
                }
                let widths =
                    fit_widths(&[3.0, 7.0], self.text_width, &min.map(|m| m + CELL_PADDING));
                self.open_table(&widths, self.text_width, &TABLE_BORDERS, (40, 100, 40, 100));
                for (label, value) in rows {
                    self.out.push_str(BODY_ROW);
                    open_cell(&mut self.out, widths[0], Some(LABEL_FILL));
                    self.text_p(Some(styles::TABLE_TEXT), Align::Left, label, true, false);
                    self.out.push_str("</w:tc>");
                    open_cell(&mut self.out, widths[1], None);
                    self.runs_p(Some(styles::TABLE_TEXT), Align::Left, false, value);
                    self.out.push_str("</w:tc></w:tr>");
                }
                self.close_table(next_is_heading);
            }
            Block::Table(t) => self.data_table(index, t, next_is_heading)?,
            Block::Notice { kind, text } => {
                let (fill_color, border_color) = match kind {
                    NoticeKind::Info => ("DEEAF6", "2E74B5"),
                    NoticeKind::Warning => ("FFF2CC", "BF8F00"),
                };
                let borders = [
                    ("top", 4, border_color),
                    ("left", 24, border_color),
                    ("bottom", 4, border_color),
                    ("right", 4, border_color),
                ];
                let w = self.text_width;
                self.open_table(&[w], w, &borders, (80, 160, 80, 140));
                self.out.push_str(BODY_ROW);
                open_cell(&mut self.out, w, Some(fill_color));
                self.runs_p(Some(styles::NOTICE_TEXT), Align::Left, false, text);
                self.out.push_str("</w:tc></w:tr>");
                self.close_table(next_is_heading);
            }
            Block::Chart(chart) => self.chart(chart)?,
            Block::PageBreak => {
                self.open_p(None, Align::Left, false);
                self.out.push_str("<w:r><w:br w:type=\"page\" /></w:r>");
                self.close_p();
            }
        }
        Ok(())
    }

    /// `<w:tbl>` with its properties and grid: "Clinical Table" style, fixed layout. Borders are
    /// `(side, size, colour)` in `w:tblBorders` order (top, left, bottom, right, insideH,
    /// insideV); margins are top, left, bottom, right. `w:tblPr` children in schema order:
    /// `w:tblStyle`, `w:tblW`, `w:jc`, `w:tblBorders`, `w:tblLayout`, `w:tblCellMar`.
    fn open_table(
        &mut self,
        widths: &[usize],
        total: usize,
        borders: &[(&str, usize, &str)],
        margins: (usize, usize, usize, usize),
    ) {
        let out = &mut self.out;
        let _ = write!(
            out,
            "<w:tbl><w:tblPr><w:tblStyle w:val=\"{}\" /><w:tblW w:w=\"{total}\" w:type=\"dxa\" /><w:jc w:val=\"left\" /><w:tblBorders>",
            styles::TABLE_STYLE
        );
        for (side, size, color) in borders {
            let _ = write!(
                out,
                "<w:{side} w:val=\"single\" w:sz=\"{size}\" w:space=\"0\" w:color=\"{color}\" />"
            );
        }
        let (t, l, b, r) = margins;
        let _ = write!(
            out,
            "</w:tblBorders><w:tblLayout w:type=\"fixed\" /><w:tblCellMar><w:top w:w=\"{t}\" w:type=\"dxa\" /><w:left w:w=\"{l}\" w:type=\"dxa\" /><w:bottom w:w=\"{b}\" w:type=\"dxa\" /><w:right w:w=\"{r}\" w:type=\"dxa\" /></w:tblCellMar></w:tblPr><w:tblGrid>"
        );
        for w in widths {
            let _ = write!(out, "<w:gridCol w:w=\"{w}\" />");
        }
        out.push_str("</w:tblGrid>");
    }

    /// Closes a table, followed by a small spacer paragraph unless a heading (which has space
    /// above) follows: two adjacent tables would otherwise merge into one in Word, and the body
    /// should not end with a table.
    fn close_table(&mut self, next_is_heading: bool) {
        self.out.push_str("</w:tbl>");
        if !next_is_heading {
            self.open_p(Some(styles::SPACER), Align::Left, false);
            self.close_p();
        }
    }

    /// The header row: shaded, bold, never split, repeated on every page.
    fn header_row(&mut self, titles: &[&str], columns: &[Align], widths: &[usize]) {
        self.out
            .push_str("<w:tr><w:trPr><w:cantSplit /><w:tblHeader /></w:trPr>");
        for ((title, align), width) in titles.iter().zip(columns).zip(widths) {
            open_cell(&mut self.out, *width, Some(HEADER_FILL));
            self.text_p(Some(styles::TABLE_TEXT), *align, title, true, false);
            self.out.push_str("</w:tc>");
        }
        self.out.push_str("</w:tr>");
    }

    fn data_table(
        &mut self,
        index: usize,
        t: &ModelTable,
        next_is_heading: bool,
    ) -> Result<(), DocxError> {
        for (row, cells) in t.rows.iter().enumerate() {
            if cells.len() != t.columns.len() {
                return Err(DocxError::RaggedTable {
                    block: index,
                    row,
                    expected: t.columns.len(),
                    found: cells.len(),
                });
            }
        }
        if t.columns.is_empty() {
            return Ok(());
        }
        let rel: Vec<f32> = t.columns.iter().map(|c: &Column| c.width).collect();
        // Each column at least as wide as its longest word, in the title (bold) or any cell.
        let mut min: Vec<usize> = t
            .columns
            .iter()
            .map(|c| word_twips(&c.title, true))
            .collect();
        for cells in &t.rows {
            for (m, text) in min.iter_mut().zip(cells) {
                *m = (*m).max(text_word_twips(text));
            }
        }
        let min: Vec<usize> = min.into_iter().map(|m| m + CELL_PADDING).collect();
        let widths = fit_widths(&rel, self.text_width, &min);
        let aligns: Vec<Align> = t.columns.iter().map(|c| c.align).collect();
        let titles: Vec<&str> = t.columns.iter().map(|c| c.title.as_str()).collect();
        self.open_table(&widths, self.text_width, &TABLE_BORDERS, (40, 100, 40, 100));
        self.header_row(&titles, &aligns, &widths);
        for cells in &t.rows {
            self.out.push_str(BODY_ROW);
            for ((text, align), width) in cells.iter().zip(&aligns).zip(&widths) {
                open_cell(&mut self.out, *width, None);
                self.runs_p(Some(styles::TABLE_TEXT), *align, false, text);
                self.out.push_str("</w:tc>");
            }
            self.out.push_str("</w:tr>");
        }
        self.close_table(next_is_heading);
        Ok(())
    }

    /// The page header's paragraphs (`word/header1.xml` is the only header, so it prints on
    /// every page, the first included): the practice's name with whose record it is at a
    /// right-aligned tab stop at the right margin, the practice's lines, the confidentiality line.
    fn header(&mut self, doc: &Document) -> String {
        let h = &doc.header;
        let identity = h
            .identity
            .as_deref()
            .map(str::trim)
            .filter(|i| !i.is_empty());
        let mut any = false;
        if !h.title.is_empty() || identity.is_some() {
            let rtl = is_rtl_paragraph([h.title.as_str()]);
            let tab = identity.map(|_| self.text_width);
            self.open_p_with(Some(styles::HEADER_TITLE), Align::Left, false, rtl, tab);
            write_text(&mut self.out, &h.title, false, false);
            if let Some(identity) = identity {
                self.out.push_str("<w:r><w:tab /></w:r>");
                let format = RunFormat {
                    style: Some(styles::IDENTITY),
                    ..RunFormat::default()
                };
                write_runs(&mut self.out, identity, format);
            }
            self.close_p();
            any = true;
        }
        for line in &h.lines {
            self.text_p(Some(styles::HEADER), Align::Left, line, false, false);
            any = true;
        }
        if !h.confidentiality.is_empty() {
            // Red comes from the style; bold is also set on the run.
            self.text_p(
                Some(styles::CONFIDENTIAL),
                Align::Left,
                &h.confidentiality,
                true,
                false,
            );
            any = true;
        }
        if !any {
            // A header part needs a paragraph.
            self.open_p(Some(styles::HEADER), Align::Left, false);
            self.close_p();
        }
        std::mem::take(&mut self.out)
    }

    /// The page footer's paragraphs: footer text, watermark, `Page X of Y` (PAGE and NUMPAGES
    /// fields, so the viewer fills in the numbers).
    fn footer(&mut self, doc: &Document) -> String {
        let f = &doc.footer;
        let mut any = false;
        if let Some(text) = f.text.as_deref().filter(|t| !t.is_empty()) {
            self.text_p(Some(styles::FOOTER), Align::Left, text, false, false);
            any = true;
        }
        if !f.watermark.is_empty() {
            self.text_p(
                Some(styles::FOOTER_DETAIL),
                Align::Left,
                &f.watermark,
                false,
                false,
            );
            any = true;
        }
        if f.page_numbers {
            self.open_p(Some(styles::FOOTER), Align::Right, false);
            write_text(&mut self.out, "Page ", false, false);
            self.out.push_str(&field("PAGE"));
            write_text(&mut self.out, " of ", false, false);
            self.out.push_str(&field("NUMPAGES"));
            self.close_p();
            any = true;
        }
        if !any {
            self.open_p(Some(styles::FOOTER), Align::Left, false);
            self.close_p();
        }
        std::mem::take(&mut self.out)
    }
}

/// A complex field (`PAGE`, `NUMPAGES`) in one run, with `1` as its last computed value.
fn field(instr: &str) -> String {
    format!(
        "<w:r><w:fldChar w:fldCharType=\"begin\" /><w:instrText>{instr}</w:instrText><w:fldChar w:fldCharType=\"separate\" /><w:t>1</w:t><w:fldChar w:fldCharType=\"end\" /></w:r>"
    )
}

/// Every body row: kept on one page. (A row taller than a page still flows onto the next, as
/// ECMA-376 specifies for `w:cantSplit`.)
const BODY_ROW: &str = "<w:tr><w:trPr><w:cantSplit /></w:trPr>";

/// The borders of the data, key-value and chart tables.
const TABLE_BORDERS: [(&str, usize, &str); 6] = [
    ("top", 4, BORDER_COLOR),
    ("left", 4, BORDER_COLOR),
    ("bottom", 4, BORDER_COLOR),
    ("right", 4, BORDER_COLOR),
    ("insideH", 4, BORDER_COLOR),
    ("insideV", 4, BORDER_COLOR),
];

/// Width of the longest word of a table cell's plain text, in twips.
fn word_twips(text: &str, bold: bool) -> usize {
    measure::longest_word_twips(text, TABLE_TEXT_PT, bold)
}

/// Width of the longest word of styled table text. Words are measured run by run, so a word split
/// over two runs counts as two (rare, and only in hand-written markup).
fn text_word_twips(text: &Text) -> usize {
    text.iter()
        .map(|run| word_twips(&run.text, run.bold))
        .max()
        .unwrap_or(0)
}

/// `<w:tc>` with its width and optional shading (`w:tcW` before `w:shd`, as the schema orders
/// `w:tcPr`).
fn open_cell(out: &mut String, width: usize, fill: Option<&str>) {
    let _ = write!(
        out,
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\" />"
    );
    if let Some(fill) = fill {
        let _ = write!(
            out,
            "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{fill}\" />"
        );
    }
    out.push_str("</w:tcPr>");
}

/// Writes plain text, bold and/or italic: see [`write_runs`].
fn write_text(out: &mut String, text: &str, bold: bool, italic: bool) {
    write_runs(
        out,
        text,
        RunFormat {
            bold,
            italic,
            style: None,
        },
    );
}

/// Writes plain text as runs, one per script (see [`script::segments`]): `\n` becomes a line
/// break, `\t` a tab, characters XML 1.0 cannot carry become U+FFFD. Sizes and colours come from
/// styles. Run properties in `w:rPr` schema order: `w:rStyle`, `w:rFonts`, `w:b`, `w:bCs`, `w:i`,
/// `w:iCs`, `w:rtl`, `w:cs`, `w:lang`. Bold and italic also set their complex-script twins, so
/// Arabic or Hindi text is as bold as the Latin text beside it.
fn write_runs(out: &mut String, text: &str, format: RunFormat) {
    if text.is_empty() {
        return;
    }
    let text = clean(text);
    for (script, piece) in segments(&text) {
        out.push_str("<w:r>");
        write_run_props(out, script, format);
        for (i, line) in piece.split('\n').enumerate() {
            if i > 0 {
                out.push_str("<w:br w:type=\"textWrapping\" />");
            }
            for (j, part) in line.split('\t').enumerate() {
                if j > 0 {
                    out.push_str("<w:tab />");
                }
                if !part.is_empty() {
                    out.push_str("<w:t xml:space=\"preserve\">");
                    escape_text(out, part);
                    out.push_str("</w:t>");
                }
            }
        }
        out.push_str("</w:r>");
    }
}

/// `<w:rPr>` of a run of one script (nothing when the run needs no properties).
fn write_run_props(out: &mut String, script: Script, format: RunFormat) {
    let props = script.props();
    if format.style.is_none()
        && !format.bold
        && !format.italic
        && props.fonts.is_none()
        && !props.rtl
        && !props.cs
        && props.lang.is_none()
    {
        return;
    }
    out.push_str("<w:rPr>");
    if let Some(style) = format.style {
        let _ = write!(out, "<w:rStyle w:val=\"{style}\" />");
    }
    if let Some(fonts) = props.fonts {
        out.push_str(fonts);
    }
    if format.bold {
        out.push_str("<w:b /><w:bCs />");
    }
    if format.italic {
        out.push_str("<w:i /><w:iCs />");
    }
    if props.rtl {
        out.push_str("<w:rtl />");
    }
    if props.cs {
        out.push_str("<w:cs />");
    }
    if let Some(lang) = props.lang {
        out.push_str(lang);
    }
    out.push_str("</w:rPr>");
}

/// XML-escapes text content exactly as docx-rs does.
fn escape_text(out: &mut String, text: &str) {
    escape_into(out, text, escape::docx_text);
}

/// Text XML 1.0 can carry: control characters other than tab and newline become U+FFFD, `\r\n`
/// and lone `\r` become `\n`, U+FFFE/U+FFFF become U+FFFD.
fn clean(text: &str) -> Cow<'_, str> {
    let bad = |c: char| (c < ' ' && c != '\t' && c != '\n') || c == '\u{FFFE}' || c == '\u{FFFF}';
    // Fast path on bytes: U+FFFE/U+FFFF are EF BF BE/BF in UTF-8.
    let suspicious = text
        .bytes()
        .any(|b| (b < b' ' && b != b'\t' && b != b'\n') || b == 0xBF);
    if !suspicious || !text.contains(bad) {
        return Cow::Borrowed(text);
    }
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    Cow::Owned(
        text.chars()
            .map(|c| if bad(c) { '\u{FFFD}' } else { c })
            .collect(),
    )
}

fn mm_to_twips(mm: f32) -> i32 {
    if mm.is_finite() {
        (mm.clamp(0.0, 200.0) * 1440.0 / 25.4).round() as i32
    } else {
        0
    }
}

/// ZIP timestamps (DOS time, no zone): the document's creation time, clamped to what DOS time
/// can hold.
fn zip_timestamp(created: &chrono::DateTime<chrono::Utc>) -> zip::DateTime {
    let year = created.year().clamp(1980, 2107) as u16;
    zip::DateTime::from_date_and_time(
        year,
        created.month() as u8,
        created.day() as u8,
        created.hour() as u8,
        created.minute() as u8,
        created.second().min(58) as u8,
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_replaces_control_characters() {
        assert!(matches!(clean("plain <b>"), Cow::Borrowed(_)));
        assert_eq!(clean("a\u{1b}b\r\nc\rd"), "a\u{FFFD}b\nc\nd");
    }

    #[test]
    fn runs_carry_script_properties_in_schema_order() {
        let mut out = String::new();
        write_text(&mut out, "Patient: فاطمة الزهراء (MRN-000009)", true, false);
        assert_eq!(
            out,
            concat!(
                r#"<w:r><w:rPr><w:b /><w:bCs /></w:rPr><w:t xml:space="preserve">Patient: </w:t></w:r>"#,
                r#"<w:r><w:rPr><w:rFonts w:cs="Noto Sans Arabic" /><w:b /><w:bCs /><w:rtl /><w:cs /><w:lang w:bidi="ar-SA" /></w:rPr>"#,
                r#"<w:t xml:space="preserve">فاطمة الزهراء</w:t></w:r>"#,
                r#"<w:r><w:rPr><w:b /><w:bCs /></w:rPr><w:t xml:space="preserve"> (MRN-000009)</w:t></w:r>"#,
            )
        );
        let mut out = String::new();
        write_text(&mut out, "王芳", false, true);
        assert_eq!(
            out,
            r#"<w:r><w:rPr><w:rFonts w:eastAsia="Noto Sans CJK SC" /><w:i /><w:iCs /></w:rPr><w:t xml:space="preserve">王芳</w:t></w:r>"#
        );
        let mut out = String::new();
        write_text(&mut out, "plain", false, false);
        assert_eq!(out, r#"<w:r><w:t xml:space="preserve">plain</w:t></w:r>"#);
    }
}
