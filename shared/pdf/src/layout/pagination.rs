//! Pagination: the cursor, page breaks, and how much of the next blocks a heading keeps with it.

use exports_document_model::Block;

use super::grid::{TABLE_GRID, grid_row_height};
use super::notice::notice_grid;
use super::{Layout, page_data};
use crate::style::*;

impl Layout {
    pub(super) fn at_page_top(&self) -> bool {
        self.y <= self.frame.body_top + 0.01
    }

    /// Ends the current page (handing it to the emitter, which writes it out) and starts the
    /// next one.
    pub(super) fn new_page(&mut self) {
        self.end_page();
        self.begin_page();
        self.y = self.frame.body_top;
        self.grid_top = true;
    }

    /// The page being laid out, from 0.
    pub(super) fn page_index(&self) -> usize {
        self.emitter.page_count().saturating_sub(1)
    }

    pub(super) fn begin_page(&mut self) {
        self.emitter.begin_page();
    }

    /// Writes the current page out and forgets it. A write error is kept for the caller of
    /// the layout (pagination happens deep inside block layout, which cannot fail).
    pub(super) fn end_page(&mut self) {
        // Grid borders still pending belong on this page.
        self.end_grid();
        let result = self
            .emitter
            .end_page(&self.page, &page_data!(self), self.page_numbers);
        if let Err(e) = result
            && self.error.is_none()
        {
            self.error = Some(e);
        }
        #[cfg(test)]
        self.pages.push(self.page.clone());
        self.page.clear();
        self.page_tag = None;
        self.clear_page_data();
    }

    /// Starts a new page unless `h` fits below the cursor (or the page is still empty).
    pub(super) fn need(&mut self, h: f32) {
        if self.y + h > self.frame.body_bottom + 0.01 && !self.at_page_top() {
            self.new_page();
        }
    }

    /// Vertical space before a block; none at the top of a page.
    pub(super) fn space(&mut self, h: f32) {
        if !self.at_page_top() {
            self.y += h;
        }
    }

    pub(super) fn body_height(&self) -> f32 {
        self.frame.body_bottom - self.frame.body_top
    }

    /// The height the start of `blocks[at..]` needs on the page of a heading before it: its
    /// space before plus its first line / row (a heading's own height plus what follows it).
    pub(super) fn first_chunk_height(&mut self, blocks: &[Block], at: usize, depth: u8) -> f32 {
        let Some(block) = blocks.get(at) else {
            return 0.0;
        };
        let w = self.frame.width();
        let h = match block {
            Block::Heading { level, text } => {
                let (st, before, _) = heading_style(*level);
                let mut laid = std::mem::take(&mut self.scratch);
                self.shape_plain(text, true, w, st.size, &mut laid);
                let h = laid.lines.len().max(1) as f32 * st.leading + before;
                self.scratch = laid;
                let rest = if depth > 0 {
                    self.first_chunk_height(blocks, at + 1, depth - 1)
                } else {
                    0.0
                };
                h + rest
            }
            Block::Paragraph { .. } => PARA_GAP + 2.0 * BODY_LEADING,
            Block::BulletList { .. } => PARA_GAP + BODY_LEADING,
            Block::KeyValue { rows } => match rows.first() {
                Some((k, v)) => {
                    let cells = self.kv_cells(k, v);
                    BLOCK_GAP + grid_row_height(&cells, &TABLE_GRID)
                }
                None => 0.0,
            },
            Block::Table(t) => {
                let columns = self.columns(at, t);
                let header = self.header_cells(t, &columns);
                let mut h = BLOCK_GAP + grid_row_height(&header, &TABLE_GRID);
                if let Some(row) = t.rows.first() {
                    let cells = self.row_cells(t, row, &columns, None);
                    h += grid_row_height(&cells, &TABLE_GRID);
                }
                h
            }
            Block::Notice { kind, text } => {
                let cells = self.notice_cells(*kind, text);
                BLOCK_GAP + grid_row_height(&cells, &notice_grid(*kind))
            }
            // A chart that does not fit is scaled down to this before it moves (`chart`).
            Block::Chart(_) => BLOCK_GAP + CHART_MIN_HEIGHT,
            Block::PageBreak => 0.0,
        };
        h.min(self.body_height() * 0.5)
    }
}
