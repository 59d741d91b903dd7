//! The document model: what a printable export *is*, independent of PDF, DOCX or HTML.
//!
//! Templates produce markup, the markup parser produces a [`Document`], and each renderer turns
//! a `Document` into bytes. Text in the model is plain text: it is never interpreted again, so
//! patient text containing `<b>`, `**` or `{{` prints literally.

pub mod escape;
pub mod sample;

use chrono::{DateTime, NaiveDate, Utc};
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

/// Values over dates, one line per series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineChart {
    pub title: String,
    /// Axis label of the values, e.g. `score`.
    pub y_label: String,
    /// The value axis runs from 0 to this.
    pub y_max: f32,
    pub series: Vec<Series>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    /// In date order.
    pub points: Vec<(NaiveDate, f32)>,
}

impl Document {
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
