//! The look: sizes in points, colours.

use exports_document_model::NoticeKind;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb8(pub u8, pub u8, pub u8);

/// Points per millimetre.
pub(crate) const MM: f32 = 72.0 / 25.4;

// Text.
pub(crate) const BODY_SIZE: f32 = 9.5;
pub(crate) const BODY_LEADING: f32 = 13.4;
pub(crate) const PARA_GAP: f32 = 5.0;
pub(crate) const LIST_GAP: f32 = 1.5;
pub(crate) const BULLET_X: f32 = 5.0;
pub(crate) const BULLET_INDENT: f32 = 16.0;
pub(crate) const BLOCK_GAP: f32 = 8.0;
pub(crate) const BLOCK_GAP_AFTER: f32 = 4.0;

/// Heading style, space before, space after.
pub(crate) fn heading_style(level: u8) -> (TextStyle, f32, f32) {
    match level {
        0 | 1 => (
            TextStyle {
                size: 16.0,
                leading: 20.0,
                color: NAVY,
            },
            16.0,
            6.0,
        ),
        2 => (
            TextStyle {
                size: 12.0,
                leading: 15.5,
                color: ACCENT,
            },
            14.0,
            7.0,
        ),
        _ => (
            TextStyle {
                size: 10.2,
                leading: 13.5,
                color: TEXT_STRONG,
            },
            11.0,
            1.0,
        ),
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct TextStyle {
    pub size: f32,
    pub leading: f32,
    pub color: Rgb8,
}

// Tables.
pub(crate) const TABLE_SIZE: f32 = 8.6;
pub(crate) const TABLE_LEADING: f32 = 11.6;
pub(crate) const CELL_PAD_H: f32 = 5.0;
pub(crate) const CELL_PAD_V: f32 = 3.6;
pub(crate) const BORDER_W: f32 = 0.5;

// Notices.
pub(crate) const NOTICE_PAD_H: f32 = 8.0;
pub(crate) const NOTICE_PAD_V: f32 = 6.0;
pub(crate) const NOTICE_ACCENT_W: f32 = 3.0;

// Page header and footer.
pub(crate) const HEADER_TOP: f32 = 26.0;
pub(crate) const BANNER_SIZE: f32 = 7.6;
pub(crate) const BANNER_LEADING: f32 = 9.5;
pub(crate) const BANNER_PAD_V: f32 = 2.6;
pub(crate) const TITLE_SIZE: f32 = 11.5;
pub(crate) const TITLE_LEADING: f32 = 14.5;
pub(crate) const SMALL_SIZE: f32 = 7.6;
pub(crate) const SMALL_LEADING: f32 = 9.8;
pub(crate) const IDENTITY_SIZE: f32 = 8.6;
pub(crate) const IDENTITY_LEADING: f32 = 11.0;
pub(crate) const FOOTER_SIZE: f32 = 7.2;
pub(crate) const FOOTER_LEADING: f32 = 9.4;
/// Distance of the last footer line's box bottom from the page bottom.
pub(crate) const FOOTER_BOTTOM: f32 = 28.0;

// Charts.
pub(crate) const CHART_HEIGHT: f32 = 215.0;
/// The least a chart is scaled to rather than moved to the next page: below this the plot
/// gets too flat to read, above it moving would leave the rest of the page empty.
pub(crate) const CHART_MIN_HEIGHT: f32 = CHART_HEIGHT * 0.6;
pub(crate) const SERIES_COLORS: [Rgb8; 6] = [
    Rgb8(0x2B, 0x6C, 0xB0),
    Rgb8(0xDD, 0x7A, 0x1F),
    Rgb8(0x2F, 0x9E, 0x6B),
    Rgb8(0xB8, 0x3B, 0x5E),
    Rgb8(0x6B, 0x5B, 0xB5),
    Rgb8(0x8A, 0x8F, 0x98),
];

// Colours.
pub(crate) const TEXT: Rgb8 = Rgb8(0x1F, 0x29, 0x33);
pub(crate) const TEXT_STRONG: Rgb8 = Rgb8(0x1A, 0x20, 0x2C);
pub(crate) const MUTED: Rgb8 = Rgb8(0x5F, 0x6B, 0x7A);
pub(crate) const NAVY: Rgb8 = Rgb8(0x1B, 0x36, 0x5D);
pub(crate) const ACCENT: Rgb8 = Rgb8(0x2B, 0x6C, 0xB0);
pub(crate) const BORDER: Rgb8 = Rgb8(0xC5, 0xCC, 0xD6);
pub(crate) const RULE: Rgb8 = Rgb8(0xD5, 0xDA, 0xE1);
pub(crate) const HEADER_RULE: Rgb8 = Rgb8(0x2B, 0x6C, 0xB0);
pub(crate) const HEADER_FILL: Rgb8 = Rgb8(0xE6, 0xEE, 0xF7);
pub(crate) const ZEBRA_FILL: Rgb8 = Rgb8(0xF7, 0xF9, 0xFB);
pub(crate) const LABEL_FILL: Rgb8 = Rgb8(0xF2, 0xF4, 0xF7);
pub(crate) const RED: Rgb8 = Rgb8(0xB4, 0x1E, 0x24);
pub(crate) const BANNER_FILL: Rgb8 = Rgb8(0xFD, 0xEE, 0xEE);
pub(crate) const BANNER_BORDER: Rgb8 = Rgb8(0xC9, 0x3A, 0x3F);
pub(crate) const GRID: Rgb8 = Rgb8(0xE3, 0xE7, 0xEC);
pub(crate) const AXIS: Rgb8 = Rgb8(0x8A, 0x93, 0x9F);

/// Fill, border, accent bar.
pub(crate) fn notice_colors(kind: NoticeKind) -> (Rgb8, Rgb8, Rgb8) {
    match kind {
        NoticeKind::Info => (
            Rgb8(0xEC, 0xF4, 0xFC),
            Rgb8(0xA9, 0xC8, 0xEA),
            Rgb8(0x2B, 0x6C, 0xB0),
        ),
        NoticeKind::Warning => (
            Rgb8(0xFF, 0xF6, 0xE6),
            Rgb8(0xF0, 0xC8, 0x86),
            Rgb8(0xD9, 0x82, 0x1E),
        ),
    }
}
