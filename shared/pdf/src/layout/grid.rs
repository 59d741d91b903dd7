//! Bordered grids of cells (table rows, key–value rows, notice boxes): row placement across
//! pages with repeated headers, and borders merged into one line per column edge.

use exports_document_model::{Align, Run};

use super::text_runs::LineBox;
use super::{Item, Layout, Tag};
use crate::style::*;
use crate::text::Laid;

/// A shaped table cell (or notice box, key–value cell).
pub(super) struct Cell {
    pub(super) laid: Laid,
    /// Left edge of the cell and its width (borders are drawn on these edges).
    pub(super) x: f32,
    pub(super) w: f32,
    pub(super) align: Align,
    pub(super) fill: Option<Rgb8>,
    pub(super) color: Rgb8,
    /// The element the cell's text belongs to.
    pub(super) tag: Tag,
}

/// The vertical borders of a run of grid rows on one page.
pub(super) struct GridSpan {
    page: usize,
    xs: Vec<f32>,
    top: f32,
    bottom: f32,
    color: Rgb8,
}

/// How a grid of cells is drawn.
#[derive(Clone, Copy)]
pub(super) struct GridStyle {
    pub(super) size: f32,
    pub(super) leading: f32,
    pub(super) pad_h: f32,
    pub(super) pad_v: f32,
    pub(super) border: Rgb8,
    /// A bar along the left edge (notices).
    pub(super) accent: Option<Rgb8>,
    /// Draw vertical borders between cells.
    pub(super) inner_rules: bool,
}

pub(super) const TABLE_GRID: GridStyle = GridStyle {
    size: TABLE_SIZE,
    leading: TABLE_LEADING,
    pad_h: CELL_PAD_H,
    pad_v: CELL_PAD_V,
    border: BORDER,
    accent: None,
    inner_rules: true,
};

impl Layout {
    pub(super) fn cell(&mut self, runs: &[Run], bold: bool, x: f32, w: f32, align: Align) -> Cell {
        let mut laid = Laid::default();
        let inner = (w - 2.0 * CELL_PAD_H).max(1.0);
        self.shape_runs(runs, bold, inner, TABLE_SIZE, &mut laid);
        Cell {
            laid,
            x,
            w,
            align,
            fill: None,
            color: TEXT,
            tag: Tag::Artifact,
        }
    }

    /// Places one grid row, moving it to the next page (repeating `header`) when it does not
    /// fit; a row taller than a whole page is split between its lines.
    pub(super) fn grid_row(&mut self, cells: &[Cell], style: &GridStyle, header: Option<&[Cell]>) {
        let n = cells
            .iter()
            .map(|c| c.laid.lines.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let full = n as f32 * style.leading + 2.0 * style.pad_v;
        let header_h = header.map_or(0.0, |h| grid_row_height(h, &TABLE_GRID));
        if self.y + full <= self.frame.body_bottom + 0.01 {
            self.grid_part(cells, style, 0, n);
            return;
        }
        // Table rows move to the next page whole unless taller than a page; a notice (a box of
        // running text) is split like a paragraph once it is taller than a quarter page.
        let keep_whole = match style.accent {
            Some(_) => self.body_height() / 4.0,
            None => self.body_height() - header_h,
        };
        if full <= keep_whole {
            self.continue_grid(header);
            self.grid_part(cells, style, 0, n);
            return;
        }
        let mut from = 0;
        while from < n {
            let avail = self.frame.body_bottom - self.y - 2.0 * style.pad_v;
            let mut fit = (avail / style.leading).floor().max(0.0) as usize;
            // At least two lines on a page (one if that is all the row has left).
            if fit < 2.min(n - from) {
                if self.at_page_top() || self.y <= self.frame.body_top + header_h + 0.01 {
                    fit = 1;
                } else {
                    self.continue_grid(header);
                    continue;
                }
            }
            let k = fit.min(n - from);
            self.grid_part(cells, style, from, k);
            from += k;
            if from < n {
                self.continue_grid(header);
            }
        }
    }

    /// Draws the pending vertical borders.
    pub(super) fn end_grid(&mut self) {
        if let Some(span) = self.grid_span.take() {
            // The span is on the current page: a new page ends the grid's span first.
            for x in span.xs {
                self.page.push(Item::Line {
                    x1: x,
                    y1: span.top,
                    x2: x,
                    y2: span.bottom,
                    color: span.color,
                    width: BORDER_W,
                });
            }
        }
    }

    pub(super) fn continue_grid(&mut self, header: Option<&[Cell]>) {
        self.new_page();
        if let Some(h) = header {
            // The header row again: drawn for the reader of the page, not part of the table's
            // structure a second time.
            self.repeating = true;
            self.grid_part(h, &TABLE_GRID, 0, usize::MAX);
            self.repeating = false;
        }
    }

    /// Draws lines `from..from + count` of each cell as one row segment at the cursor.
    pub(super) fn grid_part(
        &mut self,
        cells: &[Cell],
        style: &GridStyle,
        from: usize,
        count: usize,
    ) {
        let n = cells
            .iter()
            .map(|c| c.laid.lines.len().saturating_sub(from).min(count))
            .max()
            .unwrap_or(0)
            .max(1);
        let h = n as f32 * style.leading + 2.0 * style.pad_v;
        let top = self.y;
        let left = cells.first().map_or(self.frame.left, |c| c.x);
        let right = cells.last().map_or(self.frame.right, |c| c.x + c.w);
        for c in cells {
            if let Some(fill) = c.fill {
                self.push(Item::Fill {
                    x: c.x,
                    y: top,
                    w: c.w,
                    h,
                    color: fill,
                });
            }
        }
        let bar_left = match style.accent {
            Some(color) => {
                self.push(Item::Fill {
                    x: left - NOTICE_ACCENT_W,
                    y: top,
                    w: NOTICE_ACCENT_W,
                    h,
                    color,
                });
                left - NOTICE_ACCENT_W
            }
            None => left,
        };
        for c in cells {
            let end = c.laid.lines.len().min(from.saturating_add(count));
            let x = c.x + style.pad_h;
            let w = c.w - 2.0 * style.pad_h;
            self.text_tag = if self.repeating {
                Tag::Pagination
            } else {
                c.tag
            };
            for (k, line) in c.laid.lines.iter().enumerate().take(end).skip(from) {
                let line_top = top + style.pad_v + (k - from) as f32 * style.leading;
                self.draw_line(
                    &c.laid,
                    *line,
                    LineBox {
                        x,
                        width: w,
                        top: line_top,
                        align: c.align,
                    },
                    TextStyle {
                        size: style.size,
                        leading: style.leading,
                        color: c.color,
                    },
                );
            }
        }
        self.text_tag = Tag::Artifact;
        // Borders: bottom, the verticals, and the top when the grid starts on this page.
        let b = style.border;
        if self.grid_top {
            self.push(Item::Line {
                x1: bar_left,
                y1: top,
                x2: right,
                y2: top,
                color: b,
                width: BORDER_W,
            });
            self.grid_top = false;
        }
        self.push(Item::Line {
            x1: bar_left,
            y1: top + h,
            x2: right,
            y2: top + h,
            color: b,
            width: BORDER_W,
        });
        let mut xs: Vec<f32> = Vec::with_capacity(cells.len() + 1);
        xs.push(bar_left);
        if style.inner_rules {
            xs.extend(cells.iter().skip(1).map(|c| c.x));
        }
        xs.push(right);
        let page = self.page_index();
        match &mut self.grid_span {
            Some(span)
                if span.page == page
                    && span.xs == xs
                    && span.color == b
                    && (span.bottom - top).abs() < 0.01 =>
            {
                span.bottom = top + h;
            }
            _ => {
                self.end_grid();
                self.grid_span = Some(GridSpan {
                    page,
                    xs,
                    top,
                    bottom: top + h,
                    color: b,
                });
            }
        }
        self.y = top + h;
    }
}

pub(super) fn grid_row_height(cells: &[Cell], style: &GridStyle) -> f32 {
    let n = cells
        .iter()
        .map(|c| c.laid.lines.len())
        .max()
        .unwrap_or(0)
        .max(1);
    n as f32 * style.leading + 2.0 * style.pad_v
}
