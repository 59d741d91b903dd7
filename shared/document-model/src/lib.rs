//! The document model: what a printable export *is*, independent of PDF, DOCX or HTML.
//!
//! Templates produce markup, the markup parser produces a [`Document`], and each renderer turns
//! a `Document` into bytes. Text in the model is plain text: it is never interpreted again, so
//! patient text containing `<b>`, `**` or `{{` prints literally.

pub mod chart_axis;
pub mod escape;
pub mod sample;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A whole printable document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub meta: Meta,
    pub page: PageSetup,
    /// Printed at the top of every page.
    pub header: PageHeader,
    /// Printed at the bottom of every page.
    pub footer: PageFooter,
    pub blocks: Vec<Block>,
}

/// Document properties (PDF Info dictionary, DOCX core properties, HTML `<meta>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    pub created: DateTime<Utc>,
    /// The language of the text, a BCP 47 tag (`en-US`): PDF `/Lang`, so a screen reader
    /// speaks it with the right voice.
    #[serde(default = "default_lang")]
    pub lang: String,
}

/// The language of documents that do not say: the templates are written in US English.
pub fn default_lang() -> String {
    "en-US".to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageSize {
    /// 215.9 × 279.4 mm (the default).
    Letter,
    /// 210 × 297 mm.
    A4,
}

impl PageSize {
    /// Width and height in millimetres.
    pub fn mm(self) -> (f32, f32) {
        match self {
            PageSize::Letter => (215.9, 279.4),
            PageSize::A4 => (210.0, 297.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PageSetup {
    pub size: PageSize,
    /// Margins in millimetres: top, right, bottom, left. The header and footer sit inside them.
    pub margins_mm: [f32; 4],
}

impl Default for PageSetup {
    fn default() -> Self {
        Self {
            size: PageSize::Letter,
            margins_mm: [25.0, 19.0, 22.0, 19.0],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageHeader {
    /// The practice's name, printed bold.
    pub title: String,
    /// Further lines under it (address, phone, NPI), smaller.
    pub lines: Vec<String>,
    /// Printed red and bold on every page: `CONFIDENTIAL - PROTECTED HEALTH INFORMATION`.
    pub confidentiality: String,
    /// Whose record this is, printed on every page so a loose page can be put back:
    /// `王芳 (MRN-000007)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageFooter {
    /// e.g. `Exported by Amara Okafor, PhD on 2026-11-27 · job 0b0c…`.
    pub watermark: String,
    /// Optional extra footer text (a template's footer).
    pub text: Option<String>,
    /// Print `Page X of Y`.
    pub page_numbers: bool,
}

/// A run of text with one style.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bold: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub italic: bool,
}

impl Run {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bold: false,
            italic: false,
        }
    }
    pub fn bold(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bold: true,
            italic: false,
        }
    }
    pub fn italic(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bold: false,
            italic: true,
        }
    }
}

/// Styled text: a paragraph, a list item, a table cell.
pub type Text = Vec<Run>;

/// Plain text of styled text.
pub fn plain_text(text: &Text) -> String {
    text.iter().map(|r| r.text.as_str()).collect()
}

/// What a reader of blocks gets next when blocks are made as they are read (a long record's
/// PDF): a block, nothing yet (its input must be supplied first: the reader tries again after
/// its caller has), or the end.
#[derive(Debug, Clone, PartialEq)]
pub enum NextBlock {
    Block(Block),
    Later,
    End,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "block", rename_all = "snake_case")]
pub enum Block {
    /// Level 1 (section) to 3. Level 1 and 2 headings become bookmarks/outline entries. A heading
    /// is kept on the same page as the block after it.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph {
        text: Text,
    },
    BulletList {
        items: Vec<Text>,
    },
    /// Two columns, label and value, bordered; e.g. demographics.
    KeyValue {
        rows: Vec<(String, Text)>,
    },
    /// A bordered data table whose header row repeats on every page it spans.
    Table(Table),
    /// A boxed call-out.
    Notice {
        kind: NoticeKind,
        text: Text,
    },
    /// A vector line chart.
    Chart(LineChart),
    PageBreak,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Each row has one cell per column.
    pub rows: Vec<Vec<Text>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub title: String,
    /// Relative width; widths are scaled to the text width.
    pub width: f32,
    #[serde(default)]
    pub align: Align,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Left,
    Right,
    Center,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Info,
    Warning,
}

/// Values over dates, one line per series, optionally over shaded value bands (an instrument's
/// severity ranges). Every point is a marker; see [`LineChart::describe`] for the text
/// alternative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineChart {
    pub title: String,
    /// Axis label of the values, e.g. `score`.
    pub y_label: String,
    /// The value axis runs from 0 to this.
    pub y_max: f32,
    pub series: Vec<Series>,
    /// Value ranges shaded behind the lines; see [`LineChart::band_extents`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<Band>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    /// In date order.
    pub points: Vec<(NaiveDate, f32)>,
}

/// A labelled value range, e.g. PHQ-9 "Mild" 5–9 (inclusive, as the instrument states it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub from: f32,
    pub to: f32,
    pub label: String,
}

/// Where a band is shaded on the value axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandExtent<'a> {
    pub band: &'a Band,
    /// Lower edge (value units).
    pub low: f32,
    /// Upper edge (value units).
    pub high: f32,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Dates as every document prints them: `6 Jan 2026` (templates, header, footer, chart text).
pub fn format_date(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    )
}

/// A value as charts print it: whole numbers without `.0`, else one decimal.
pub fn format_value(v: f32) -> String {
    if !v.is_finite() {
        "–".to_owned()
    } else if (v - v.round()).abs() < 0.005 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The light tint of band `index` of `count` (ascending values), shared by every renderer so a
/// band looks the same in PDF, DOCX and HTML: from pale green (the lowest, e.g. "minimal") through
/// pale yellow and orange to pale red (the highest, "severe"), light enough that lines, markers
/// and gridlines stay readable on top.
pub fn band_tint(index: usize, count: usize) -> [u8; 3] {
    const STOPS: [[f32; 3]; 4] = [
        [226.0, 242.0, 227.0],
        [252.0, 245.0, 214.0],
        [253.0, 230.0, 208.0],
        [250.0, 215.0, 212.0],
    ];
    let t = if count > 1 {
        index.min(count - 1) as f32 / (count - 1) as f32
    } else {
        0.0
    };
    let x = t * (STOPS.len() - 1) as f32;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f32;
    let mut out = [0u8; 3];
    for (c, o) in out.iter_mut().enumerate() {
        *o = (STOPS[i][c] + (STOPS[i + 1][c] - STOPS[i][c]) * f).round() as u8;
    }
    out
}

impl LineChart {
    /// The bands' shaded extents, clamped to `0..=y_max`, in ascending order, empty ones left
    /// out. Bands state inclusive ranges of whole scores (0–4, 5–9): where a gap separates two
    /// neighbours the edge is halfway (4.5), so a score of 5 sits inside "5–9", not on a line.
    pub fn band_extents(&self) -> Vec<BandExtent<'_>> {
        let mut bands: Vec<&Band> = self
            .bands
            .iter()
            .filter(|b| b.from.is_finite() && b.to.is_finite() && b.from <= b.to)
            .collect();
        bands.sort_by(|a, b| a.from.total_cmp(&b.from));
        let top = if self.y_max.is_finite() && self.y_max > 0.0 {
            self.y_max
        } else {
            f32::MAX
        };
        let mut out = Vec::with_capacity(bands.len());
        for (i, b) in bands.iter().enumerate() {
            let low = match i.checked_sub(1).map(|j| bands[j]) {
                Some(prev) if prev.to < b.from => (prev.to + b.from) / 2.0,
                _ => b.from,
            };
            let high = match bands.get(i + 1) {
                Some(next) if b.to < next.from => (b.to + next.from) / 2.0,
                _ => b.to,
            };
            let (low, high) = (low.max(0.0), high.min(top));
            if high > low {
                out.push(BandExtent { band: b, low, high });
            }
        }
        out
    }

    /// The band `v` falls in (by shaded extent), if any.
    pub fn band_of(&self, v: f32) -> Option<&Band> {
        self.band_extents()
            .into_iter()
            .find(|e| e.low <= v && v <= e.high)
            .map(|e| e.band)
    }

    /// A plain-language summary of the chart for readers who cannot see it (DOCX alt text,
    /// tagged PDF): per series its first and last value with their dates, the band of the
    /// last, the number of values, the lowest and highest; then the bands. Dates as documents
    /// print them ([`format_date`]), e.g.
    ///
    /// `PHQ-9. PHQ-9 from 18 on 10 Mar 2026 to 7 (Mild) on 21 Oct 2026, 8 values; lowest 5,
    /// highest 18. Shaded bands: Minimal 0–4, Mild 5–9, …`
    pub fn describe(&self) -> String {
        let mut out = String::new();
        let title = self.title.trim();
        if !title.is_empty() {
            out.push_str(title);
            out.push_str(". ");
        }
        let mut any = false;
        for s in &self.series {
            let points: Vec<(NaiveDate, f32)> = s
                .points
                .iter()
                .copied()
                .filter(|p| p.1.is_finite())
                .collect();
            let (Some(first), Some(last)) = (points.first(), points.last()) else {
                continue;
            };
            any = true;
            let name = s.name.trim();
            let band = |v: f32| match self.band_of(v) {
                Some(b) if !b.label.trim().is_empty() => format!(" ({})", b.label.trim()),
                _ => String::new(),
            };
            if points.len() == 1 {
                out.push_str(&format!(
                    "{name}: {}{} on {}, 1 value. ",
                    format_value(first.1),
                    band(first.1),
                    format_date(first.0)
                ));
                continue;
            }
            let lowest = points.iter().map(|p| p.1).fold(f32::INFINITY, f32::min);
            let highest = points.iter().map(|p| p.1).fold(f32::NEG_INFINITY, f32::max);
            out.push_str(&format!(
                "{name} from {} on {} to {}{} on {}, {} values; lowest {}, highest {}. ",
                format_value(first.1),
                format_date(first.0),
                format_value(last.1),
                band(last.1),
                format_date(last.0),
                points.len(),
                format_value(lowest),
                format_value(highest),
            ));
        }
        if !any {
            out.push_str("No data. ");
        }
        let extents = self.band_extents();
        if !extents.is_empty() {
            out.push_str("Shaded bands: ");
            for (i, e) in extents.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(e.band.label.trim());
                out.push(' ');
                out.push_str(&format_value(e.band.from));
                out.push('–');
                out.push_str(&format_value(e.band.to));
            }
            out.push_str(". ");
        }
        out.truncate(out.trim_end().len());
        out
    }
}

impl Document {
    /// The document's text in reading order, as a screen reader gets it through a tagged PDF's
    /// structure tree: block by block, a chart by its description, a list item with its bullet,
    /// whitespace runs as one space (the rules of `tests/pdf_checks/check_pdf_ua.py
    /// --expect-text`, which compares a PDF's tagged text with this).
    pub fn reading_text(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let plain = |t: &[Run]| t.iter().map(|r| r.text.as_str()).collect::<String>();
        for block in &self.blocks {
            match block {
                Block::Heading { text, .. } => parts.push(text.clone()),
                Block::Paragraph { text } => parts.push(plain(text)),
                Block::BulletList { items } => {
                    for item in items.iter().filter(|i| !plain(i).trim().is_empty()) {
                        parts.push("•".into());
                        parts.push(plain(item));
                    }
                }
                Block::KeyValue { rows } => {
                    for (k, v) in rows {
                        parts.push(k.clone());
                        parts.push(plain(v));
                    }
                }
                Block::Table(t) => {
                    if t.columns.is_empty() {
                        continue;
                    }
                    parts.extend(t.columns.iter().map(|c| c.title.clone()));
                    for row in &t.rows {
                        for i in 0..t.columns.len() {
                            parts.push(row.get(i).map(|c| plain(c)).unwrap_or_default());
                        }
                    }
                }
                Block::Notice { text, .. } => parts.push(plain(text)),
                Block::Chart(c) => parts.push(c.describe()),
                Block::PageBreak => {}
            }
        }
        parts
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Heading texts with their levels, in order: the outline.
    pub fn outline(&self) -> Vec<(u8, &str)> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, text } if *level <= 2 => Some((*level, text.as_str())),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn band(from: f32, to: f32, label: &str) -> Band {
        Band {
            from,
            to,
            label: label.into(),
        }
    }

    fn phq9(points: Vec<(NaiveDate, f32)>) -> LineChart {
        LineChart {
            title: "PHQ-9".into(),
            y_label: "score".into(),
            y_max: 27.0,
            series: vec![Series {
                name: "PHQ-9".into(),
                points,
            }],
            bands: vec![
                band(0.0, 4.0, "Minimal"),
                band(5.0, 9.0, "Mild"),
                band(10.0, 14.0, "Moderate"),
                band(15.0, 19.0, "Moderately severe"),
                band(20.0, 27.0, "Severe"),
            ],
        }
    }

    #[test]
    fn bands_meet_halfway_between_whole_scores() {
        let c = phq9(vec![]);
        let e: Vec<(f32, f32)> = c.band_extents().iter().map(|e| (e.low, e.high)).collect();
        assert_eq!(
            e,
            [
                (0.0, 4.5),
                (4.5, 9.5),
                (9.5, 14.5),
                (14.5, 19.5),
                (19.5, 27.0)
            ]
        );
        assert_eq!(c.band_of(5.0).map(|b| b.label.as_str()), Some("Mild"));
        assert_eq!(c.band_of(4.0).map(|b| b.label.as_str()), Some("Minimal"));
        let mut short = c.clone();
        short.y_max = 12.0;
        assert_eq!(
            short.band_extents().len(),
            3,
            "bands above y_max are left out"
        );
        assert_eq!(short.band_extents()[2].high, 12.0);
    }

    #[test]
    fn describe_summarises_each_series_with_document_dates() {
        let c = phq9(vec![
            (d(2026, 3, 10), 18.0),
            (d(2026, 4, 7), 5.0),
            (d(2026, 10, 21), 7.0),
        ]);
        assert_eq!(
            c.describe(),
            "PHQ-9. PHQ-9 from 18 on 10 Mar 2026 to 7 (Mild) on 21 Oct 2026, 3 values; \
             lowest 5, highest 18. Shaded bands: Minimal 0–4, Mild 5–9, Moderate 10–14, \
             Moderately severe 15–19, Severe 20–27."
        );
        let one = phq9(vec![(d(2026, 1, 6), 15.5)]);
        assert!(
            one.describe()
                .contains("PHQ-9: 15.5 (Moderately severe) on 6 Jan 2026")
        );
        let none = LineChart {
            bands: vec![],
            ..phq9(vec![])
        };
        assert_eq!(none.describe(), "PHQ-9. No data.");
    }

    #[test]
    fn band_tints_run_from_green_to_red() {
        assert_eq!(band_tint(0, 5), [226, 242, 227]);
        assert_eq!(band_tint(4, 5), [250, 215, 212]);
        assert_eq!(band_tint(0, 1), [226, 242, 227]);
        let mid = band_tint(2, 5);
        assert!(mid[0] > 240 && mid[2] < 220, "{mid:?}");
    }

    #[test]
    fn dates_and_values_print_as_in_documents() {
        assert_eq!(format_date(d(2026, 1, 6)), "6 Jan 2026");
        assert_eq!(format_date(d(2026, 12, 31)), "31 Dec 2026");
        assert_eq!(format_value(20.0), "20");
        assert_eq!(format_value(18.8), "18.8");
        assert_eq!(format_value(f32::NAN), "–");
    }
}
