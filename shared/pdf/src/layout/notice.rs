//! Notices: a shaded box of running text with a coloured bar on its left.

use exports_document_model::{Align, NoticeKind, Text, plain_text};

use super::grid::{Cell, GridStyle};
use super::{Layout, Tag};
use crate::style::*;
use crate::text::Laid;
use crate::writer::structure::{Attr, Role};

impl Layout {
    pub(super) fn notice_cells(&mut self, kind: NoticeKind, text: &Text) -> [Cell; 1] {
        let (fill, _, _) = notice_colors(kind);
        let x = self.frame.left;
        let w = self.frame.width();
        let mut laid = Laid::default();
        let inner = w - 2.0 * NOTICE_PAD_H - NOTICE_ACCENT_W;
        self.shape_runs(text, false, inner, BODY_SIZE, &mut laid);
        [Cell {
            laid,
            x: x + NOTICE_ACCENT_W,
            w: w - NOTICE_ACCENT_W,
            align: Align::Left,
            fill: Some(fill),
            color: TEXT,
            tag: Tag::Artifact,
        }]
    }

    pub(super) fn notice(&mut self, kind: NoticeKind, text: &Text) {
        let mut cells = self.notice_cells(kind, text);
        if cells[0].laid.lines.is_empty() {
            return;
        }
        self.space(BLOCK_GAP);
        self.grid_top = true;
        let note = self.open(None, Role::Notice, Attr::None);
        let laid = std::mem::take(&mut cells[0].laid);
        cells[0].tag = self.open_text(Some(note), Role::P, Attr::None, &laid, || plain_text(text));
        cells[0].laid = laid;
        self.grid_row(&cells, &notice_grid(kind), None);
        self.close(cells[0].tag);
        self.close(note);
        self.end_grid();
        self.y += BLOCK_GAP_AFTER;
    }
}

pub(super) fn notice_grid(kind: NoticeKind) -> GridStyle {
    let (_, border, accent) = notice_colors(kind);
    GridStyle {
        size: BODY_SIZE,
        leading: BODY_LEADING,
        pad_h: NOTICE_PAD_H,
        pad_v: NOTICE_PAD_V,
        border,
        accent: Some(accent),
        inner_rules: false,
    }
}
