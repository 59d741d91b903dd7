//! Renders a [`exports_document_model::Document`] as a Word document (`.docx`).
//!
//! ```no_run
//! let doc = exports_document_model::sample::clinical_document(3, 120);
//! let bytes: Vec<u8> = exports_docx::render_docx(&doc).unwrap();
//! ```
//!
//! The body (`<w:body>` of `word/document.xml`) is written directly as XML, element for element
//! what docx-rs 0.4.22 wrote for it (building docx-rs's tree for a long record and having it write
//! the tree cost most of the render time); the header, footer, numbering and the rest of
//! `word/document.xml` are built with docx-rs, the body spliced in. The style sheet
//! (`word/styles.xml`, real Word styles: Normal, Heading 1–3, List Paragraph, Caption, header,
//! footer and the "Clinical Table" table style) and the core properties are ours, and we pack the
//! ZIP ourselves: compressed, with fixed timestamps, so the same `Document` always gives the same
//! bytes.
//!
//! Data-table header rows repeat on every page (`<w:tblHeader/>`): header rows are written with
//! `<w:cantSplit/>` (which they want anyway) and `word/document.xml` gets `<w:tblHeader/>` next to
//! each `<w:cantSplit/>` — the renderer writes it nowhere else, and the number of patched rows is
//! checked.
//!
//! Text is plain text, escaped as docx-rs escapes it, so `<b>`, `**` or `{{` in patient text appear
//! literally. Characters XML 1.0 cannot carry (control characters) become U+FFFD; `\n` becomes a
//! line break and `\t` a tab.

mod chart_picture;
mod package;
mod styles;

use std::borrow::Cow;
use std::fmt::Write as _;

use chrono::{Datelike, Timelike};
use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, Footer, Header, Level, LevelJc, LevelText,
    NumPages, NumberFormat, Numbering, PageMargin, PageNum, Paragraph, Run, SpecialIndentType,
    Start,
};
use exports_document_model::escape::{self, escape_into};
use exports_document_model::{
    Align, Block, Column, Document, NoticeKind, PageSize, Table as ModelTable, Text,
};

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
        header_rows: 0,
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
    let header = r.header(doc);
    let footer = r.footer(doc);

    let margin = PageMargin::new()
        .top(top)
        .right(right)
        .bottom(bottom)
        .left(left)
        // The header and footer sit inside the margins, about a third of the way in.
        .header((top * 3 / 10).max(284))
        .footer((bottom * 3 / 10).max(284))
        .gutter(0);
    let mut docx = Docx::new()
        .page_size(page_w as u32, page_h as u32)
        .page_margin(margin)
        .header(header)
        .footer(footer)
        .add_abstract_numbering(bullet_numbering())
        .add_numbering(Numbering::new(BULLETS, BULLETS));
    // The body is written by `Renderer` directly (building docx-rs's tree for it and having
    // docx-rs write it cost most of the render time); docx-rs writes the rest of the package,
    // `word/document.xml` with an empty body, into which the body is spliced.
    docx.document.has_numbering = true;
    docx.document_rels.has_numberings = true;
    let mut xml = docx.build();
    chart_picture::attach(&mut xml, std::mem::take(&mut r.pictures))?;
    let document = package::splice_body(&xml.document, &r.out)?;
    let document = package::mark_header_rows(&document, r.header_rows)?;

    let keywords = doc
        .meta
        .keywords
        .iter()
        .map(|k| clean(k))
        .collect::<Vec<_>>()
        .join(", ");
    let created = doc.meta.created.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let core = package::core_xml(&package::CoreProps {
        title: &clean(&doc.meta.title),
        subject: &clean(&doc.meta.subject),
        creator: &clean(&doc.meta.author),
        keywords: &keywords,
        created: &created,
    });
    package::zip(
        package::Parts {
            xml,
            document,
            styles: styles::STYLES_XML.as_bytes(),
            settings: styles::SETTINGS_XML.as_bytes(),
            core,
        },
        zip_timestamp(&doc.meta.created),
    )
}

/// Numbering id (and abstract numbering id) of bullet lists; docx-rs reserves 1 for its default.
const BULLETS: usize = 2;

const HEADER_FILL: &str = "D9E2F3";
const LABEL_FILL: &str = "F2F2F2";
const BORDER_COLOR: &str = "A6A6A6";

struct Renderer {
    /// Last paragraph id handed out. docx-rs numbers paragraphs from a thread-local counter;
    /// numbering them here keeps the output independent of what the thread rendered before.
    ids: u32,
    text_width: usize,
    /// Data-table header rows written (each carries the `cantSplit` marker).
    header_rows: usize,
    /// The body XML (the children of `<w:body>` before `<w:sectPr>`).
    out: String,
    /// PNG pictures of the charts, in body order (`chart_picture`).
    pictures: Vec<Vec<u8>>,
}

impl Renderer {
    /// A new paragraph with the next paragraph id.
    fn p(&mut self) -> Paragraph {
        self.ids += 1;
        Paragraph::new().id(format!("{:08X}", self.ids))
    }

    /// Opens a paragraph with the next id and its properties, as docx-rs writes them.
    fn open_p(&mut self, style: Option<&str>, align: Align, bullet: bool) {
        self.ids += 1;
        let _ = write!(
            self.out,
            "<w:p w14:paraId=\"{:08X}\"><w:pPr><w:rPr />",
            self.ids
        );
        if let Some(style) = style {
            let _ = write!(self.out, "<w:pStyle w:val=\"{style}\" />");
        }
        if bullet {
            let _ = write!(
                self.out,
                "<w:numPr><w:numId w:val=\"{BULLETS}\" /><w:ilvl w:val=\"0\" /></w:numPr>"
            );
        }
        match align {
            Align::Left => {}
            Align::Right => self.out.push_str("<w:jc w:val=\"right\" />"),
            Align::Center => self.out.push_str("<w:jc w:val=\"center\" />"),
        }
        self.out.push_str("</w:pPr>");
    }

    fn close_p(&mut self) {
        self.out.push_str("</w:p>");
    }

    /// A paragraph holding one styled text.
    fn text_p(&mut self, style: Option<&str>, align: Align, text: &str, bold: bool, italic: bool) {
        self.open_p(style, align, false);
        write_text(&mut self.out, text, bold, italic);
        self.close_p();
    }

    fn runs_p(&mut self, style: Option<&str>, align: Align, bullet: bool, text: &Text) {
        self.open_p(style, align, bullet);
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
                let widths = scale_widths(&[3.0, 7.0], self.text_width);
                self.open_table(&widths, self.text_width, &TABLE_BORDERS, (40, 100, 40, 100));
                for (label, value) in rows {
                    self.out.push_str("<w:tr><w:trPr />");
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
                self.out.push_str("<w:tr><w:trPr />");
                open_cell(&mut self.out, w, Some(fill_color));
                self.runs_p(Some(styles::NOTICE_TEXT), Align::Left, false, text);
                self.out.push_str("</w:tc></w:tr>");
                self.close_table(next_is_heading);
            }
            Block::Chart(chart) => self.chart(chart)?,
            Block::PageBreak => {
                self.open_p(None, Align::Left, false);
                self.out
                    .push_str("<w:r><w:rPr /><w:br w:type=\"page\" /></w:r>");
                self.close_p();
            }
        }
        Ok(())
    }

    /// `<w:tbl>` with its properties and grid: fixed layout, "Clinical Table" style. Borders are
    /// `(side, size, colour)` in docx-rs's order; margins are top, left, bottom, right.
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
            "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\" /><w:jc w:val=\"left\" /><w:tblBorders>"
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
            "</w:tblBorders><w:tblCellMar><w:top w:w=\"{t}\" w:type=\"dxa\" /><w:left w:w=\"{l}\" w:type=\"dxa\" /><w:bottom w:w=\"{b}\" w:type=\"dxa\" /><w:right w:w=\"{r}\" w:type=\"dxa\" /></w:tblCellMar><w:tblStyle w:val=\"{}\" /><w:tblLayout w:type=\"fixed\" /></w:tblPr><w:tblGrid>",
            styles::TABLE_STYLE
        );
        for w in widths {
            let _ = write!(out, "<w:gridCol w:w=\"{w}\" w:type=\"dxa\" />");
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
        self.header_rows += 1;
        // `package::mark_header_rows` adds `<w:tblHeader />` after the marker.
        self.out.push_str("<w:tr>");
        self.out.push_str(package::HEADER_ROW_MARKER);
        self.out.push_str("</w:trPr>");
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
        let widths = scale_widths(&rel, self.text_width);
        let aligns: Vec<Align> = t.columns.iter().map(|c| c.align).collect();
        let titles: Vec<&str> = t.columns.iter().map(|c| c.title.as_str()).collect();
        self.open_table(&widths, self.text_width, &TABLE_BORDERS, (40, 100, 40, 100));
        self.header_row(&titles, &aligns, &widths);
        for cells in &t.rows {
            self.out.push_str("<w:tr><w:trPr />");
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

    fn header(&mut self, doc: &Document) -> Header {
        let h = &doc.header;
        let mut header = Header::new();
        let mut any = false;
        if !h.title.is_empty() {
            header = header.add_paragraph(add_text(
                self.p().style(styles::HEADER_TITLE),
                &h.title,
                false,
                false,
            ));
            any = true;
        }
        for line in &h.lines {
            header =
                header.add_paragraph(add_text(self.p().style(styles::HEADER), line, false, false));
            any = true;
        }
        if !h.confidentiality.is_empty() {
            // Red comes from the style; bold is also set on the run.
            let p = add_text(
                self.p().style(styles::CONFIDENTIAL),
                &h.confidentiality,
                true,
                false,
            );
            header = header.add_paragraph(p);
            any = true;
        }
        if !any {
            header = header.add_paragraph(self.p().style(styles::HEADER));
        }
        header
    }

    fn footer(&mut self, doc: &Document) -> Footer {
        let f = &doc.footer;
        let mut footer = Footer::new();
        let mut any = false;
        if let Some(text) = f.text.as_deref().filter(|t| !t.is_empty()) {
            footer =
                footer.add_paragraph(add_text(self.p().style(styles::FOOTER), text, false, false));
            any = true;
        }
        if !f.watermark.is_empty() {
            footer = footer.add_paragraph(add_text(
                self.p().style(styles::FOOTER_DETAIL),
                &f.watermark,
                false,
                false,
            ));
            any = true;
        }
        if f.page_numbers {
            let p = self
                .p()
                .style(styles::FOOTER)
                .align(AlignmentType::Right)
                .add_run(Run::new().add_text("Page "))
                .add_page_num(PageNum::new())
                .add_run(Run::new().add_text(" of "))
                .add_num_pages(NumPages::new());
            footer = footer.add_paragraph(p);
            any = true;
        }
        if !any {
            footer = footer.add_paragraph(self.p().style(styles::FOOTER));
        }
        footer
    }
}

/// The borders of the data, key-value and chart tables.
const TABLE_BORDERS: [(&str, usize, &str); 6] = [
    ("top", 4, BORDER_COLOR),
    ("left", 4, BORDER_COLOR),
    ("bottom", 4, BORDER_COLOR),
    ("right", 4, BORDER_COLOR),
    ("insideH", 4, BORDER_COLOR),
    ("insideV", 4, BORDER_COLOR),
];

/// `<w:tc>` with its width and optional shading.
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

/// Four levels of bullets (•, ◦, ▪, •…), all nine levels defined as Word expects.
fn bullet_numbering() -> AbstractNumbering {
    (0..9).fold(AbstractNumbering::new(BULLETS), |a, level| {
        let symbol = ["•", "◦", "▪"][level % 3];
        let left = 720 * (level as i32 + 1);
        a.add_level(
            Level::new(
                level,
                Start::new(1),
                NumberFormat::new("bullet"),
                LevelText::new(symbol),
                LevelJc::new("left"),
            )
            .indent(
                Some(left),
                Some(SpecialIndentType::Hanging(360)),
                None,
                None,
            ),
        )
    })
}

/// Adds one run of plain text: `\n` becomes a line break, `\t` a tab, characters XML 1.0 cannot
/// carry become U+FFFD. Only `b`/`i` are set directly (docx-rs writes them in schema order);
/// sizes and colours come from styles.
fn add_text(p: Paragraph, text: &str, bold: bool, italic: bool) -> Paragraph {
    if text.is_empty() {
        return p;
    }
    let text = clean(text);
    let mut run = Run::new();
    if !text.contains(['\n', '\t']) {
        run = run.add_text(text);
    } else {
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                run = run.add_break(BreakType::TextWrapping);
            }
            for (j, piece) in line.split('\t').enumerate() {
                if j > 0 {
                    run = run.add_tab();
                }
                if !piece.is_empty() {
                    run = run.add_text(piece);
                }
            }
        }
    }
    if bold {
        run = run.bold();
    }
    if italic {
        run = run.italic();
    }
    p.add_run(run)
}

/// Writes one run of plain text, as [`add_text`] builds it and docx-rs writes it.
fn write_text(out: &mut String, text: &str, bold: bool, italic: bool) {
    if text.is_empty() {
        return;
    }
    let text = clean(text);
    out.push_str("<w:r>");
    match (bold, italic) {
        (false, false) => out.push_str("<w:rPr />"),
        (true, false) => out.push_str("<w:rPr><w:b /><w:bCs /></w:rPr>"),
        (false, true) => out.push_str("<w:rPr><w:i /><w:iCs /></w:rPr>"),
        (true, true) => out.push_str("<w:rPr><w:b /><w:bCs /><w:i /><w:iCs /></w:rPr>"),
    }
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:br w:type=\"textWrapping\" />");
        }
        for (j, piece) in line.split('\t').enumerate() {
            if j > 0 {
                out.push_str("<w:tab />");
            }
            if !piece.is_empty() {
                out.push_str("<w:t xml:space=\"preserve\">");
                escape_text(out, piece);
                out.push_str("</w:t>");
            }
        }
    }
    out.push_str("</w:r>");
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

/// Scales relative widths to integer twips summing to `total`. Widths that are not positive
/// finite numbers count as the average of the others (or 1 when none is usable).
fn scale_widths(rel: &[f32], total: usize) -> Vec<usize> {
    let good: Vec<f32> = rel
        .iter()
        .copied()
        .filter(|w| w.is_finite() && *w > 0.0)
        .collect();
    let fallback = if good.is_empty() {
        1.0
    } else {
        good.iter().sum::<f32>() / good.len() as f32
    };
    let rel: Vec<f64> = rel
        .iter()
        .map(|w| {
            f64::from(if w.is_finite() && *w > 0.0 {
                *w
            } else {
                fallback
            })
        })
        .collect();
    let sum: f64 = rel.iter().sum();
    let mut widths: Vec<usize> = rel
        .iter()
        .map(|w| (w / sum * total as f64).floor() as usize)
        .collect();
    let used: usize = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last += total - used;
    }
    widths
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
    fn widths_sum_to_total() {
        let w = scale_widths(&[1.0, 4.0, 1.2, 1.5], 10086);
        assert_eq!(w.iter().sum::<usize>(), 10086);
        assert!(w[1] > w[0] * 3);
        let w = scale_widths(&[0.0, f32::NAN, 2.0], 900);
        assert_eq!(w, vec![300, 300, 300]);
        let w = scale_widths(&[0.0, 0.0], 1001);
        assert_eq!(w, vec![500, 501]);
    }

    #[test]
    fn clean_replaces_control_characters() {
        assert!(matches!(clean("plain <b>"), Cow::Borrowed(_)));
        assert_eq!(clean("a\u{1b}b\r\nc\rd"), "a\u{FFFD}b\nc\nd");
    }
}
