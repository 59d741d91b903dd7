//! Tables and key–value lists: column widths fitted to the words, header and body cells.

use exports_document_model::{Align, Run, Table, Text, plain_text};

use super::grid::{Cell, TABLE_GRID, grid_row_height};
use super::{Layout, Tag};
use crate::style::*;
use crate::text::{Class, Shaped, widest_word};
use crate::writer::structure::{Attr, Role};

/// A table's column left edges and widths, in points.
#[derive(Debug, Clone)]
pub(super) struct Columns {
    pub lefts: Vec<f32>,
    pub widths: Vec<f32>,
}

impl Layout {
    pub(super) fn kv_cells(&mut self, key: &str, value: &Text) -> [Cell; 2] {
        let w = self.frame.width();
        let label_w = (w * 0.3).clamp(90.0, 170.0);
        let x = self.frame.left;
        let mut label = self.cell(&[Run::plain(key)], true, x, label_w, Align::Left);
        label.fill = Some(LABEL_FILL);
        label.color = TEXT_STRONG;
        let value = self.cell(value, false, x + label_w, w - label_w, Align::Left);
        [label, value]
    }

    pub(super) fn key_value(&mut self, rows: &[(String, Text)]) {
        if rows.is_empty() {
            return;
        }
        self.space(BLOCK_GAP);
        self.grid_top = true;
        // A two-column table whose first column heads its row.
        let table = self.open(None, Role::Table, Attr::None);
        for (k, v) in rows {
            let mut cells = self.kv_cells(k, v);
            let tr = self.open(Some(table), Role::TR, Attr::None);
            let scope = Attr::Scope { column: false };
            cells[0].tag = self.open_cell(tr, Role::TH, scope, &mut cells[0], || k.clone());
            cells[1].tag =
                self.open_cell(tr, Role::TD, Attr::None, &mut cells[1], || plain_text(v));
            self.grid_row(&cells, &TABLE_GRID, None);
            for c in &cells {
                self.close(c.tag);
            }
            self.close(tr);
        }
        self.end_grid();
        self.close(table);
        self.y += BLOCK_GAP_AFTER;
    }

    /// The columns of table `t`, block `index` of the blocks being laid out: the relative
    /// widths scaled to the text width, except that a column narrower than its widest word
    /// (header or cell) is widened to hold it, taking the room from the others in proportion,
    /// as long as every column can hold its widest word. Otherwise words must break somewhere
    /// and the relative widths stand. Cached for the last table asked about: keep-with-next
    /// measures a table before it is laid out, and measuring shapes every cell.
    pub(super) fn columns(&mut self, index: usize, t: &Table) -> Columns {
        let index = self.window_start + index;
        if let Some((cached, columns)) = &self.column_cache
            && *cached == index
        {
            return columns.clone();
        }
        let rel: Vec<f32> = t
            .columns
            .iter()
            .map(|c| {
                if c.width.is_finite() && c.width > 0.0 {
                    c.width
                } else {
                    1.0
                }
            })
            .collect();
        let total = self.frame.width();
        let (min, whole) = self.column_min_widths(t);
        let widths = fit_columns(&rel, &prefer_whole_words(&min, &whole, total), total);
        let mut lefts = Vec::with_capacity(widths.len());
        let mut x = self.frame.left;
        for w in &widths {
            lefts.push(x);
            x += w;
        }
        let columns = Columns { lefts, widths };
        self.column_cache = Some((index, columns.clone()));
        columns
    }

    /// Per column, two widths (set in the table font, plus padding): the one that holds its
    /// widest word, where a word may break after a hyphen or slash as lines do; and the one
    /// that holds its widest space-separated word whole ("Person-centered" on one line).
    pub(super) fn column_min_widths(&mut self, t: &Table) -> (Vec<f32>, Vec<f32>) {
        // Measuring shapes the text a second time; missing glyphs are counted once, at layout.
        let missing = self.shaper.missing;
        let mut laid = std::mem::take(&mut self.scratch);
        let mut min = vec![0u32; t.columns.len()];
        let mut whole = vec![0u32; t.columns.len()];
        for (i, c) in t.columns.iter().enumerate() {
            laid.clear();
            self.shaper.shape_str(&c.title, true, false, &mut laid);
            min[i] = widest_word(&laid.glyphs);
            whole[i] = widest_unbroken(&laid.glyphs);
        }
        for row in &t.rows {
            for (i, text) in row.iter().enumerate().take(min.len()) {
                laid.clear();
                self.shaper.shape_runs(text, false, &mut laid);
                min[i] = min[i].max(widest_word(&laid.glyphs));
                whole[i] = whole[i].max(widest_unbroken(&laid.glyphs));
            }
        }
        laid.clear();
        self.scratch = laid;
        self.shaper.missing = missing;
        // The extra quarter point absorbs rounding in `units_for`.
        let points = |u: &u32| *u as f32 * TABLE_SIZE / 1000.0 + 2.0 * CELL_PAD_H + 0.25;
        (
            min.iter().map(points).collect(),
            whole.iter().map(points).collect(),
        )
    }

    pub(super) fn header_cells(&mut self, t: &Table, columns: &Columns) -> Vec<Cell> {
        t.columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut cell = self.cell(
                    &[Run::bold(c.title.as_str())],
                    true,
                    columns.lefts[i],
                    columns.widths[i],
                    c.align,
                );
                cell.fill = Some(HEADER_FILL);
                cell.color = TEXT_STRONG;
                cell
            })
            .collect()
    }

    pub(super) fn row_cells(
        &mut self,
        t: &Table,
        row: &[Text],
        columns: &Columns,
        fill: Option<Rgb8>,
    ) -> Vec<Cell> {
        (0..t.columns.len())
            .map(|i| {
                let empty = Vec::new();
                let text = row.get(i).unwrap_or(&empty);
                let mut cell = self.cell(
                    text,
                    false,
                    columns.lefts[i],
                    columns.widths[i],
                    t.columns[i].align,
                );
                cell.fill = fill;
                cell
            })
            .collect()
    }

    pub(super) fn table(&mut self, index: usize, t: &Table) {
        self.table_until(index, t, usize::MAX);
    }

    /// Lays out table `t` (block `index` of the window) from where it stopped, until it is done
    /// (true) or the file's pending bytes reach `pending` after a row (false: call again to go
    /// on). A long table's pages then leave while it is laid out; the file is the same.
    pub(super) fn table_until(&mut self, index: usize, t: &Table, pending: usize) -> bool {
        let block = self.window_start + index;
        let mut progress = match self.table_in_progress.take() {
            Some(p) if p.block == block => p,
            _ => match self.table_start(block, index, t) {
                Some(p) => p,
                None => return true,
            },
        };
        while let Some(row) = t.rows.get(progress.next_row) {
            let fill = (progress.next_row % 2 == 1).then_some(ZEBRA_FILL);
            let mut cells = self.row_cells(t, row, &progress.columns, fill);
            let tr = self.open(progress.body, Role::TR, Attr::None);
            for (i, cell) in cells.iter_mut().enumerate() {
                cell.tag = self.open_cell(tr, Role::TD, Attr::None, cell, || {
                    row.get(i).map(plain_text).unwrap_or_default()
                });
            }
            self.grid_row(&cells, &TABLE_GRID, Some(&progress.header));
            for cell in &cells {
                self.close(cell.tag);
            }
            self.close(tr);
            progress.next_row += 1;
            if self.emitter.w.pending() >= pending && progress.next_row < t.rows.len() {
                self.table_in_progress = Some(progress);
                return false;
            }
        }
        if let Some(body) = progress.body {
            self.close(body);
        }
        self.end_grid();
        self.close(progress.table);
        self.y += BLOCK_GAP_AFTER;
        true
    }

    /// The table's columns, its header laid out (kept with the first row), its elements open;
    /// `None` for a table without columns.
    fn table_start(&mut self, block: usize, index: usize, t: &Table) -> Option<TableInProgress> {
        if t.columns.is_empty() {
            return None;
        }
        let columns = self.columns(index, t);
        let mut header = self.header_cells(t, &columns);
        let header_h = grid_row_height(&header, &TABLE_GRID);
        self.space(BLOCK_GAP);
        // Keep the header with the first row.
        let first = match t.rows.first() {
            Some(r) => {
                let cells = self.row_cells(t, r, &columns, None);
                grid_row_height(&cells, &TABLE_GRID)
            }
            None => 0.0,
        };
        // A first row taller than a page is split anyway: then keep two of its lines.
        let first = if first > self.body_height() - header_h {
            2.0 * TABLE_LEADING + 2.0 * CELL_PAD_V
        } else {
            first
        };
        self.need(header_h + first);
        self.grid_top = true;
        let table = self.open(None, Role::Table, Attr::None);
        let head = self.open(Some(table), Role::THead, Attr::None);
        let tr = self.open(Some(head), Role::TR, Attr::None);
        for (cell, column) in header.iter_mut().zip(&t.columns) {
            let scope = Attr::Scope { column: true };
            cell.tag = self.open_cell(tr, Role::TH, scope, cell, || column.title.clone());
        }
        self.grid_row(&header, &TABLE_GRID, None);
        for cell in &header {
            self.close(cell.tag);
        }
        self.close(tr);
        self.close(head);
        let body = (!t.rows.is_empty()).then(|| self.open(Some(table), Role::TBody, Attr::None));
        Some(TableInProgress {
            block,
            columns,
            header,
            table,
            body,
            next_row: 0,
        })
    }
}

/// A table laid out over several calls ([`Layout::table_until`]).
pub(crate) struct TableInProgress {
    /// The table's index in the document.
    block: usize,
    columns: Columns,
    header: Vec<Cell>,
    table: Tag,
    body: Option<Tag>,
    next_row: usize,
}

/// The widest run of glyphs between spaces and line breaks (1/1000 em): a hyphenated word or a
/// path counts whole, ideographs one by one (lines break around them anyway).
fn widest_unbroken(glyphs: &[Shaped]) -> u32 {
    let mut widest = 0;
    let mut word = 0;
    for g in glyphs {
        match g.class {
            Class::Space | Class::Newline => word = 0,
            Class::Ideo => {
                widest = widest.max(word).max(u32::from(g.adv));
                word = 0;
            }
            _ => {
                word += u32::from(g.adv);
                widest = widest.max(word);
            }
        }
    }
    widest
}

/// The minimum width of each column for [`fit_columns`]: `min` (the widest breakable word),
/// raised to `whole` (the widest word kept whole, hyphens included) for as many columns as the
/// total width allows, those needing the least extra first. A modality like "Person-centered"
/// then stays on one line, doubling no row heights, whenever the other columns have the slack.
pub(super) fn prefer_whole_words(min: &[f32], whole: &[f32], total: f32) -> Vec<f32> {
    let mut out = min.to_vec();
    let mut order: Vec<usize> = (0..min.len()).filter(|&i| whole[i] > min[i]).collect();
    order.sort_by(|&a, &b| (whole[a] - min[a]).total_cmp(&(whole[b] - min[b])));
    let mut sum: f32 = out.iter().sum();
    for i in order {
        let extra = whole[i] - min[i];
        if sum + extra <= total {
            out[i] = whole[i];
            sum += extra;
        }
    }
    out
}

impl Layout {
    /// Opens the element of a cell in row `tr`.
    fn open_cell(
        &mut self,
        tr: Tag,
        role: Role,
        attr: Attr,
        cell: &mut Cell,
        text: impl FnOnce() -> String,
    ) -> Tag {
        let laid = std::mem::take(&mut cell.laid);
        let tag = self.open_text(Some(tr), role, attr, &laid, text);
        cell.laid = laid;
        tag
    }
}

/// Column widths summing to `total`: in proportion to `rel`, except that columns whose share is
/// below their `min` get exactly `min` and the rest share what is left, in proportion. When the
/// minimums do not fit together, the plain proportional widths.
pub(super) fn fit_columns(rel: &[f32], min: &[f32], total: f32) -> Vec<f32> {
    let mut fixed = vec![false; rel.len()];
    if min.iter().sum::<f32>() > total {
        return shares(rel, min, &fixed, total);
    }
    // The free columns share at least the sum of their minimums, so not all of them fall short:
    // every pass fixes some and leaves some free, until none falls short.
    loop {
        let ws = shares(rel, min, &fixed, total);
        let mut short = false;
        for i in 0..rel.len() {
            if !fixed[i] && ws[i] < min[i] {
                fixed[i] = true;
                short = true;
            }
        }
        if !short {
            return ws;
        }
    }
}

/// Fixed columns at their minimum; the others share the rest of `total` in proportion.
pub(super) fn shares(rel: &[f32], min: &[f32], fixed: &[bool], total: f32) -> Vec<f32> {
    let mut room = total;
    let mut free_rel = 0.0;
    for i in 0..rel.len() {
        if fixed[i] {
            room -= min[i];
        } else {
            free_rel += rel[i];
        }
    }
    (0..rel.len())
        .map(|i| {
            if fixed[i] {
                min[i]
            } else {
                room * rel[i] / free_rel
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fit_columns;

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01)
    }

    #[test]
    fn columns_keep_their_proportions_when_every_word_fits() {
        let w = fit_columns(&[2.0, 1.0, 1.0], &[10.0, 10.0, 10.0], 400.0);
        assert!(close(&w, &[200.0, 100.0, 100.0]), "{w:?}");
    }

    #[test]
    fn a_narrow_column_takes_room_from_the_others_in_proportion() {
        let w = fit_columns(&[6.0, 1.0, 1.0], &[20.0, 80.0, 20.0], 400.0);
        // Status gets its 80; the remaining 320 is shared 6 : 1.
        assert!(close(&w, &[320.0 * 6.0 / 7.0, 80.0, 320.0 / 7.0]), "{w:?}");
        assert!((w.iter().sum::<f32>() - 400.0).abs() < 0.01);
    }

    #[test]
    fn widening_one_column_can_push_another_below_its_minimum() {
        let w = fit_columns(&[1.0, 1.0, 1.0], &[10.0, 250.0, 90.0], 400.0);
        assert!(close(&w, &[60.0, 250.0, 90.0]), "{w:?}");
    }

    #[test]
    fn minimums_that_cannot_all_fit_leave_the_proportions() {
        let w = fit_columns(&[1.0, 1.0], &[300.0, 300.0], 400.0);
        assert!(close(&w, &[200.0, 200.0]), "{w:?}");
    }

    #[test]
    fn hyphenated_words_are_kept_whole_when_the_table_has_room() {
        use super::prefer_whole_words;
        // Column 1 could break "Person-centered" after the hyphen (min 50) but wants 90 whole.
        assert_eq!(
            prefer_whole_words(&[30.0, 50.0, 20.0], &[30.0, 90.0, 20.0], 400.0),
            [30.0, 90.0, 20.0]
        );
        // Not enough room for both: the cheaper one is kept whole.
        assert_eq!(
            prefer_whole_words(&[50.0, 50.0], &[200.0, 120.0], 260.0),
            [50.0, 120.0]
        );
        // Seven columns as in the full record's sessions table: the modality column, whose
        // share of 1.1 / 7.3 of 504 pt is narrower than the whole word, is widened.
        let rel = [1.3, 1.1, 1.1, 1.1, 0.9, 1.1, 0.7];
        let mut min = [60.0, 55.0, 50.0, 50.0, 40.0, 60.0, 30.0];
        let whole = [60.0, 55.0, 50.0, 90.0, 40.0, 60.0, 30.0];
        let w = fit_columns(&rel, &prefer_whole_words(&min, &whole, 504.0), 504.0);
        assert!(w[3] >= 90.0, "{w:?}");
        min[3] = 90.0;
        assert!(w.iter().zip(&min).all(|(w, m)| w + 0.01 >= *m), "{w:?}");
    }

    #[test]
    fn no_columns_no_widths() {
        assert!(fit_columns(&[], &[], 400.0).is_empty());
    }
}
