//! Renders a [`document_model::Document`] as a Word document (`.docx`).
//!
//! ```no_run
//! let doc = document_model::sample::clinical_document(3, 120);
//! let bytes: Vec<u8> = render_docx::render_docx(&doc).unwrap();
//! ```
//!
//! The body, header, footer and numbering are built with docx-rs 0.4.22. The style sheet
//! (`word/styles.xml`, real Word styles: Normal, Heading 1–3, List Paragraph, Caption, header,
//! footer and the "Clinical Table" table style) and the core properties are ours, and we pack the
//! ZIP ourselves: compressed, with fixed timestamps, so the same `Document` always gives the same
//! bytes.
//!
//! Data-table header rows repeat on every page (`<w:tblHeader/>`). docx-rs has no API for that,
//! so header rows are built with `cant_split()` (which they want anyway) and the built
//! `word/document.xml` gets `<w:tblHeader/>` next to each `<w:cantSplit/>` — the renderer uses
//! `cant_split()` nowhere else, and the number of patched rows is checked.
//!
//! Text is plain text: docx-rs escapes it, so `<b>`, `**` or `{{` in patient text appear
//! literally. Characters XML 1.0 cannot carry (control characters) become U+FFFD; `\n` becomes a
//! line break and `\t` a tab.

mod package;
mod styles;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Timelike};
use document_model::{
    Align, Block, Column, Document, LineChart, NoticeKind, PageSize, Table as ModelTable, Text,
};
use docx_rs::{
    AbstractNumbering, AlignmentType, BorderType, BreakType, DocumentChild, Docx, Footer, Header,
    IndentLevel, Level, LevelJc, LevelText, NumPages, NumberFormat, Numbering, NumberingId,
    PageMargin, PageNum, Paragraph, Run, Shading, ShdType, SpecialIndentType, Start, Table,
    TableBorder, TableBorderPosition, TableBorders, TableCell, TableCellMargins, TableLayoutType,
    TableRow, WidthType,
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
        children: Vec::with_capacity(doc.blocks.len() + 16),
    };
    for (i, block) in doc.blocks.iter().enumerate() {
        let next_is_heading = matches!(doc.blocks.get(i + 1), Some(Block::Heading { .. }));
        r.block(i, block, next_is_heading)?;
    }
    if r.children.is_empty() {
        let p = r.p();
        r.children.push(DocumentChild::Paragraph(Box::new(p)));
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
    // What `Docx::add_paragraph`/`add_table` do, without moving the 5 KB `Docx` per block.
    docx.document.children = r.children;
    docx.document.has_numbering = true;
    docx.document_rels.has_numberings = true;
    let xml = docx.build();
    let document = package::mark_header_rows(&xml.document, r.header_rows)?;

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
    /// Data-table header rows built (each carries the `cant_split` marker).
    header_rows: usize,
    children: Vec<DocumentChild>,
}

impl Renderer {
    /// A new paragraph with the next paragraph id.
    fn p(&mut self) -> Paragraph {
        self.ids += 1;
        Paragraph::new().id(format!("{:08X}", self.ids))
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
                let p = self.p().style(style);
                let p = add_text(p, text, false, false);
                self.children.push(DocumentChild::Paragraph(Box::new(p)));
            }
            Block::Paragraph { text } => {
                let p = self.p();
                let p = add_runs(p, text);
                self.children.push(DocumentChild::Paragraph(Box::new(p)));
            }
            Block::BulletList { items } => {
                for item in items {
                    let p = self
                        .p()
                        .style(styles::LIST_PARAGRAPH)
                        .numbering(NumberingId::new(BULLETS), IndentLevel::new(0));
                    let p = add_runs(p, item);
                    self.children.push(DocumentChild::Paragraph(Box::new(p)));
                }
            }
            Block::KeyValue { rows } => {
                if rows.is_empty() {
                    return Ok(());
                }
                let widths = scale_widths(&[3.0, 7.0], self.text_width);
                let mut table_rows = Vec::with_capacity(rows.len());
                for (label, value) in rows {
                    let label_p = add_text(self.p().style(styles::TABLE_TEXT), label, true, false);
                    let value_p = add_runs(self.p().style(styles::TABLE_TEXT), value);
                    table_rows.push(TableRow::new(vec![
                        TableCell::new()
                            .width(widths[0], WidthType::Dxa)
                            .shading(fill(LABEL_FILL))
                            .add_paragraph(label_p),
                        TableCell::new()
                            .width(widths[1], WidthType::Dxa)
                            .add_paragraph(value_p),
                    ]));
                }
                self.push_table(table(table_rows, widths, self.text_width), next_is_heading);
            }
            Block::Table(t) => self.data_table(index, t, next_is_heading)?,
            Block::Notice { kind, text } => {
                let (fill_color, border_color) = match kind {
                    NoticeKind::Info => ("DEEAF6", "2E74B5"),
                    NoticeKind::Warning => ("FFF2CC", "BF8F00"),
                };
                let p = add_runs(self.p().style(styles::NOTICE_TEXT), text);
                let cell = TableCell::new()
                    .width(self.text_width, WidthType::Dxa)
                    .shading(fill(fill_color))
                    .add_paragraph(p);
                let borders = TableBorders::with_empty()
                    .set(border(TableBorderPosition::Top, 4, border_color))
                    .set(border(TableBorderPosition::Bottom, 4, border_color))
                    .set(border(TableBorderPosition::Right, 4, border_color))
                    .set(border(TableBorderPosition::Left, 24, border_color));
                let t = table(
                    vec![TableRow::new(vec![cell])],
                    vec![self.text_width],
                    self.text_width,
                )
                .set_borders(borders)
                .margins(TableCellMargins::new().margin(80, 140, 80, 160));
                self.push_table(t, next_is_heading);
            }
            Block::Chart(chart) => self.chart(chart, next_is_heading),
            Block::PageBreak => {
                let p = self.p().add_run(Run::new().add_break(BreakType::Page));
                self.children.push(DocumentChild::Paragraph(Box::new(p)));
            }
        }
        Ok(())
    }

    /// A table, followed by a small spacer paragraph unless a heading (which has space above)
    /// follows: two adjacent tables would otherwise merge into one in Word, and the body should
    /// not end with a table.
    fn push_table(&mut self, t: Table, next_is_heading: bool) {
        self.children.push(DocumentChild::Table(Box::new(t)));
        if !next_is_heading {
            let p = self.p().style(styles::SPACER);
            self.children.push(DocumentChild::Paragraph(Box::new(p)));
        }
    }

    /// The header row: shaded, bold, never split, repeated on every page.
    fn header_row(&mut self, titles: &[&str], columns: &[Align], widths: &[usize]) -> TableRow {
        self.header_rows += 1;
        let cells = titles
            .iter()
            .zip(columns)
            .zip(widths)
            .map(|((title, align), width)| {
                let p = aligned(self.p().style(styles::TABLE_TEXT), *align);
                TableCell::new()
                    .width(*width, WidthType::Dxa)
                    .shading(fill(HEADER_FILL))
                    .add_paragraph(add_text(p, title, true, false))
            })
            .collect();
        // The marker `package::mark_header_rows` turns into `<w:tblHeader/>`.
        TableRow::new(cells).cant_split()
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
        let mut rows = Vec::with_capacity(t.rows.len() + 1);
        rows.push(self.header_row(&titles, &aligns, &widths));
        for cells in &t.rows {
            let cells = cells
                .iter()
                .zip(&aligns)
                .zip(&widths)
                .map(|((text, align), width)| {
                    let p = aligned(self.p().style(styles::TABLE_TEXT), *align);
                    TableCell::new()
                        .width(*width, WidthType::Dxa)
                        .add_paragraph(add_runs(p, text))
                })
                .collect();
            rows.push(TableRow::new(cells));
        }
        self.push_table(table(rows, widths, self.text_width), next_is_heading);
        Ok(())
    }

    /// A chart becomes its title as a caption and a table of its values: one row per date, one
    /// column per series.
    fn chart(&mut self, chart: &LineChart, next_is_heading: bool) {
        let mut caption = add_text(self.p().style(styles::CAPTION), &chart.title, false, false);
        if !chart.y_label.is_empty() {
            caption = caption.add_run(
                Run::new()
                    .add_text(format!(" ({})", clean(&chart.y_label)))
                    .italic(),
            );
        }
        self.children
            .push(DocumentChild::Paragraph(Box::new(caption)));

        let dates: BTreeSet<_> = chart
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|(d, _)| *d))
            .collect();
        if dates.is_empty() {
            let p = add_text(self.p(), "No data points.", false, true);
            self.children.push(DocumentChild::Paragraph(Box::new(p)));
            return;
        }
        let values: Vec<BTreeMap<_, f32>> = chart
            .series
            .iter()
            .map(|s| s.points.iter().copied().collect())
            .collect();
        let mut rel = vec![1.4f32];
        rel.extend(chart.series.iter().map(|_| 1.0f32));
        let widths = scale_widths(
            &rel,
            self.text_width.min(1440 * 2 + 1200 * chart.series.len()),
        );
        let total: usize = widths.iter().sum();
        let mut titles = vec!["Date"];
        titles.extend(chart.series.iter().map(|s| s.name.as_str()));
        let mut aligns = vec![Align::Left];
        aligns.extend(chart.series.iter().map(|_| Align::Right));

        let mut rows = Vec::with_capacity(dates.len() + 1);
        rows.push(self.header_row(&titles, &aligns, &widths));
        for date in dates {
            let mut cells = Vec::with_capacity(widths.len());
            let label = date.format("%Y-%m-%d").to_string();
            let p = self.p().style(styles::TABLE_TEXT);
            cells.push(
                TableCell::new()
                    .width(widths[0], WidthType::Dxa)
                    .add_paragraph(p.add_run(Run::new().add_text(label))),
            );
            for (series, width) in values.iter().zip(&widths[1..]) {
                let text = series
                    .get(&date)
                    .map_or_else(|| "–".to_owned(), |v| format_value(*v));
                let p = aligned(self.p().style(styles::TABLE_TEXT), Align::Right);
                cells.push(
                    TableCell::new()
                        .width(*width, WidthType::Dxa)
                        .add_paragraph(p.add_run(Run::new().add_text(text))),
                );
            }
            rows.push(TableRow::new(cells));
        }
        self.push_table(table(rows, widths, total), next_is_heading);
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

/// A fixed-layout bordered table in the "Clinical Table" style.
fn table(rows: Vec<TableRow>, widths: Vec<usize>, total: usize) -> Table {
    let borders = [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ]
    .into_iter()
    .fold(TableBorders::with_empty(), |b, pos| {
        b.set(border(pos, 4, BORDER_COLOR))
    });
    Table::new(rows)
        .set_grid(widths)
        .width(total, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .style(styles::TABLE_STYLE)
        .set_borders(borders)
        .margins(TableCellMargins::new().margin(40, 100, 40, 100))
}

fn border(position: TableBorderPosition, size: usize, color: &str) -> TableBorder {
    TableBorder::new(position)
        .border_type(BorderType::Single)
        .size(size)
        .color(color)
}

fn fill(color: &str) -> Shading {
    Shading::new()
        .shd_type(ShdType::Clear)
        .color("auto")
        .fill(color)
}

fn aligned(p: Paragraph, align: Align) -> Paragraph {
    match align {
        Align::Left => p,
        Align::Right => p.align(AlignmentType::Right),
        Align::Center => p.align(AlignmentType::Center),
    }
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

/// Adds styled runs.
fn add_runs(mut p: Paragraph, text: &Text) -> Paragraph {
    for run in text {
        p = add_text(p, &run.text, run.bold, run.italic);
    }
    p
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

fn format_value(v: f32) -> String {
    if !v.is_finite() {
        "–".to_owned()
    } else if (v - v.round()).abs() < 0.005 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
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

    #[test]
    fn values_are_formatted_compactly() {
        assert_eq!(format_value(20.0), "20");
        assert_eq!(format_value(18.8), "18.8");
        assert_eq!(format_value(f32::NAN), "–");
    }
}
