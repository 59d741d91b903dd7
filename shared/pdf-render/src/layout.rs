//! Page layout: blocks flowed into pages of positioned items (text runs, rectangles, lines).
//!
//! Coordinates are points from the page's top-left corner; `emit` flips them for PDF.

use document_model::{Align, Block, Document, NoticeKind, PageSize, Run, Table, Text};

use crate::PdfError;
use crate::fonts::{FaceId, Fonts, GlyphUsage};
use crate::style::*;
use crate::text::{Laid, Line, Shaped, Shaper, break_lines, widest_word};

/// Something drawn on a page.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Item {
    /// Subset glyph ids `start..end` of `Layout::codes`, all of one face, baseline at `y`.
    Text {
        x: f32,
        y: f32,
        size: f32,
        face: FaceId,
        color: Rgb8,
        start: u32,
        end: u32,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb8,
    },
    Stroke {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb8,
        width: f32,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        color: Rgb8,
        width: f32,
    },
    /// Points `start..end` of `Layout::points`.
    Polyline {
        start: u32,
        end: u32,
        color: Rgb8,
        width: f32,
    },
    Dot {
        x: f32,
        y: f32,
        r: f32,
        color: Rgb8,
    },
}

/// An outline (bookmark) entry: a level-1 or level-2 heading and where it landed.
#[derive(Debug, Clone)]
pub(crate) struct OutlineEntry {
    pub level: u8,
    pub title: String,
    pub page: usize,
    pub y: f32,
}

/// Page geometry in points.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub page_w: f32,
    pub page_h: f32,
    pub left: f32,
    pub right: f32,
    pub body_top: f32,
    pub body_bottom: f32,
}

impl Frame {
    pub(crate) fn width(&self) -> f32 {
        self.right - self.left
    }
}

/// A shaped table cell (or notice box, key–value cell).
struct Cell {
    laid: Laid,
    /// Left edge of the cell and its width (borders are drawn on these edges).
    x: f32,
    w: f32,
    align: Align,
    fill: Option<Rgb8>,
    color: Rgb8,
}

/// The vertical borders of a run of grid rows on one page.
struct GridSpan {
    page: usize,
    xs: Vec<f32>,
    top: f32,
    bottom: f32,
    color: Rgb8,
}

/// How a grid of cells is drawn.
#[derive(Clone, Copy)]
struct GridStyle {
    size: f32,
    leading: f32,
    pad_h: f32,
    pad_v: f32,
    border: Rgb8,
    /// A bar along the left edge (notices).
    accent: Option<Rgb8>,
    /// Draw vertical borders between cells.
    inner_rules: bool,
}

const TABLE_GRID: GridStyle = GridStyle {
    size: TABLE_SIZE,
    leading: TABLE_LEADING,
    pad_h: CELL_PAD_H,
    pad_v: CELL_PAD_V,
    border: BORDER,
    accent: None,
    inner_rules: true,
};

pub(crate) struct Layout {
    pub fonts: &'static Fonts,
    pub shaper: Shaper,
    pub usage: GlyphUsage,
    /// Glyph ids (subset numbering) of every `Item::Text`.
    pub codes: Vec<u16>,
    pub points: Vec<(f32, f32)>,
    /// Body items per page.
    pub pages: Vec<Vec<Item>>,
    /// Header items (the same on every page).
    pub header: Vec<Item>,
    /// Footer items per page (after `finish`).
    pub footers: Vec<Vec<Item>>,
    pub outline: Vec<OutlineEntry>,
    pub frame: Frame,
    /// Top of the free space on the current page.
    y: f32,
    /// The next grid row must draw its top border (table start, or continued on a new page).
    grid_top: bool,
    /// Vertical borders of consecutive grid rows, drawn as one line per column edge.
    grid_span: Option<GridSpan>,
    footer_lines: Laid,
    footer_first_baseline: f32,
    page_numbers: bool,
    scratch: Laid,
    /// The last table's column edges and widths, keyed by the table's address.
    column_cache: Option<(usize, Vec<f32>, Vec<f32>)>,
}

impl Layout {
    pub(crate) fn new(fonts: &'static Fonts, doc: &Document) -> Result<Layout, PdfError> {
        let (w_mm, h_mm) = doc.page.size.mm();
        let (page_w, page_h) = match doc.page.size {
            PageSize::Letter => (612.0, 792.0),
            PageSize::A4 => (w_mm * MM, h_mm * MM),
        };
        let [mt, mr, mb, ml] = doc.page.margins_mm;
        if ![mt, mr, mb, ml].iter().all(|m| m.is_finite() && *m >= 0.0) {
            return Err(PdfError::PageSetup(format!(
                "margins must be finite and non-negative, got {:?}",
                doc.page.margins_mm
            )));
        }
        let frame = Frame {
            page_w,
            page_h,
            left: ml * MM,
            right: page_w - mr * MM,
            body_top: mt * MM,
            body_bottom: page_h - mb * MM,
        };
        if frame.width() < 144.0 || frame.body_bottom - frame.body_top < 144.0 {
            return Err(PdfError::PageSetup(format!(
                "margins {:?} mm leave less than 2 inches for the text",
                doc.page.margins_mm
            )));
        }
        let mut l = Layout {
            fonts,
            shaper: Shaper::new(fonts),
            usage: GlyphUsage::new(),
            codes: Vec::with_capacity(doc.blocks.len() * 256),
            points: Vec::new(),
            pages: vec![Vec::with_capacity(256)],
            header: Vec::new(),
            footers: Vec::new(),
            outline: Vec::new(),
            frame,
            y: frame.body_top,
            grid_top: false,
            grid_span: None,
            footer_lines: Laid::default(),
            footer_first_baseline: 0.0,
            page_numbers: doc.footer.page_numbers,
            scratch: Laid::default(),
            column_cache: None,
        };
        l.layout_header(doc);
        l.prepare_footer(doc);
        if l.frame.body_bottom - l.frame.body_top < 144.0 {
            return Err(PdfError::PageSetup(
                "header and footer leave less than 2 inches for the text".into(),
            ));
        }
        l.y = l.frame.body_top;
        Ok(l)
    }

    // ---------------------------------------------------------------- text primitives

    fn shape_runs(&mut self, runs: &[Run], bold: bool, width: f32, size: f32, laid: &mut Laid) {
        laid.clear();
        self.shaper.shape_runs(runs, bold, &mut laid.glyphs);
        break_lines(laid, units_for(width, size));
    }

    fn shape_plain(&mut self, text: &str, bold: bool, width: f32, size: f32, laid: &mut Laid) {
        laid.clear();
        self.shaper.shape_str(text, bold, false, &mut laid.glyphs);
        break_lines(laid, units_for(width, size));
    }

    /// Pushes the text items of one line: one item per run of glyphs of the same face.
    #[allow(clippy::too_many_arguments)]
    fn line_items(
        fonts: &Fonts,
        codes: &mut Vec<u16>,
        usage: &mut GlyphUsage,
        out: &mut Vec<Item>,
        glyphs: &[Shaped],
        x: f32,
        baseline: f32,
        size: f32,
        color: Rgb8,
    ) {
        let mut seg_start = 0;
        let mut x = x;
        while seg_start < glyphs.len() {
            let face = glyphs[seg_start].face;
            let mut seg_end = seg_start;
            let mut units = 0u32;
            let start = codes.len() as u32;
            while seg_end < glyphs.len() && glyphs[seg_end].face == face {
                let g = glyphs[seg_end];
                codes.push(usage.code(fonts, face, g.ch, g.gid));
                units += g.adv as u32;
                seg_end += 1;
            }
            // Spaces between runs are kept inside the runs, so a run made only of spaces
            // (rare) still draws nothing visible but keeps text extraction right.
            out.push(Item::Text {
                x,
                y: baseline,
                size,
                face,
                color,
                start,
                end: codes.len() as u32,
            });
            x += units as f32 * size / 1000.0;
            seg_start = seg_end;
        }
    }

    /// Draws line `line` of `laid` with its box top at `top`, on the current page.
    #[allow(clippy::too_many_arguments)]
    fn draw_line(
        &mut self,
        laid: &Laid,
        line: Line,
        x: f32,
        width: f32,
        align: Align,
        top: f32,
        size: f32,
        leading: f32,
        color: Rgb8,
    ) {
        if line.start == line.end {
            return;
        }
        // Taken out for the call, which also needs `self` (a move of the Vec, no copy).
        let mut page = std::mem::take(self.pages.last_mut().expect("a page"));
        self.line_into(
            &mut page, laid, line, x, width, align, top, size, leading, color,
        );
        *self.pages.last_mut().expect("a page") = page;
    }

    fn push(&mut self, item: Item) {
        self.pages.last_mut().expect("a page").push(item);
    }

    // ---------------------------------------------------------------- pagination

    fn at_page_top(&self) -> bool {
        self.y <= self.frame.body_top + 0.01
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::with_capacity(256));
        self.y = self.frame.body_top;
        self.grid_top = true;
    }

    /// Starts a new page unless `h` fits below the cursor (or the page is still empty).
    fn need(&mut self, h: f32) {
        if self.y + h > self.frame.body_bottom + 0.01 && !self.at_page_top() {
            self.new_page();
        }
    }

    /// Vertical space before a block; none at the top of a page.
    fn space(&mut self, h: f32) {
        if !self.at_page_top() {
            self.y += h;
        }
    }

    fn body_height(&self) -> f32 {
        self.frame.body_bottom - self.frame.body_top
    }

    // ---------------------------------------------------------------- blocks

    pub(crate) fn blocks(&mut self, blocks: &[Block]) {
        for (i, block) in blocks.iter().enumerate() {
            match block {
                Block::Heading { level, text } => {
                    let keep = self.first_chunk_height(&blocks[i + 1..], 2);
                    self.heading(*level, text, keep);
                }
                Block::Paragraph { text } => self.paragraph(text),
                Block::BulletList { items } => self.bullets(items),
                Block::KeyValue { rows } => self.key_value(rows),
                Block::Table(t) => self.table(t),
                Block::Notice { kind, text } => self.notice(*kind, text),
                Block::Chart(c) => self.chart(c),
                Block::PageBreak => {
                    if !self.at_page_top() {
                        self.new_page();
                    }
                }
            }
        }
    }

    /// The height the start of `blocks` needs on the page of a heading before it: its space
    /// before plus its first line / row (a heading's own height plus what follows it).
    fn first_chunk_height(&mut self, blocks: &[Block], depth: u8) -> f32 {
        let Some(block) = blocks.first() else {
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
                    self.first_chunk_height(&blocks[1..], depth - 1)
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
                let (xs, ws) = self.columns(t);
                let header = self.header_cells(t, &xs, &ws);
                let mut h = BLOCK_GAP + grid_row_height(&header, &TABLE_GRID);
                if let Some(row) = t.rows.first() {
                    let cells = self.row_cells(t, row, &xs, &ws, None);
                    h += grid_row_height(&cells, &TABLE_GRID);
                }
                h
            }
            Block::Notice { kind, text } => {
                let cells = self.notice_cells(*kind, text);
                BLOCK_GAP + grid_row_height(&cells, &notice_grid(*kind))
            }
            Block::Chart(_) => BLOCK_GAP + CHART_HEIGHT,
            Block::PageBreak => 0.0,
        };
        h.min(self.body_height() * 0.5)
    }

    fn heading(&mut self, level: u8, text: &str, keep_next: f32) {
        let (st, before, after) = heading_style(level);
        let w = self.frame.width();
        let mut laid = std::mem::take(&mut self.scratch);
        self.shape_plain(text, true, w, st.size, &mut laid);
        let n = laid.lines.len().max(1);
        let h = n as f32 * st.leading + after;
        self.space(before);
        self.need(h + keep_next);
        if level <= 2 {
            self.outline.push(OutlineEntry {
                level,
                title: text.trim().to_owned(),
                page: self.pages.len() - 1,
                y: self.y,
            });
        }
        let x = self.frame.left;
        for i in 0..laid.lines.len() {
            let top = self.y;
            self.draw_line(
                &laid,
                laid.lines[i],
                x,
                w,
                Align::Left,
                top,
                st.size,
                st.leading,
                st.color,
            );
            self.y += st.leading;
        }
        if laid.lines.is_empty() {
            self.y += st.leading;
        }
        if level == 2 {
            let y = self.y + 2.0;
            self.push(Item::Line {
                x1: self.frame.left,
                y1: y,
                x2: self.frame.right,
                y2: y,
                color: RULE,
                width: 0.6,
            });
        }
        self.y += after;
        self.scratch = laid;
    }

    /// Flows lines of `laid` at `x`, starting new pages as needed; `first_line` runs before
    /// the first line is drawn (list bullets).
    #[allow(clippy::too_many_arguments)]
    fn flow_lines(
        &mut self,
        laid: &Laid,
        x: f32,
        width: f32,
        size: f32,
        leading: f32,
        color: Rgb8,
        mut first_line: impl FnMut(&mut Self, f32),
    ) {
        let n = laid.lines.len();
        // No orphan: the first two lines of a paragraph start on the same page.
        if n >= 2 {
            self.need(2.0 * leading);
        }
        for (i, line) in laid.lines.iter().enumerate() {
            // No widow: the last line does not start a page alone.
            if n >= 4 && i == n - 2 && self.y + 2.0 * leading > self.frame.body_bottom + 0.01 {
                self.new_page();
            }
            self.need(leading);
            let top = self.y;
            if i == 0 {
                first_line(self, top);
            }
            self.draw_line(
                laid,
                *line,
                x,
                width,
                Align::Left,
                top,
                size,
                leading,
                color,
            );
            self.y += leading;
        }
    }

    fn paragraph(&mut self, text: &Text) {
        let w = self.frame.width();
        let mut laid = std::mem::take(&mut self.scratch);
        self.shape_runs(text, false, w, BODY_SIZE, &mut laid);
        if !laid.lines.is_empty() {
            self.space(PARA_GAP);
            let x = self.frame.left;
            self.flow_lines(&laid, x, w, BODY_SIZE, BODY_LEADING, TEXT, |_, _| {});
        }
        self.scratch = laid;
    }

    fn bullets(&mut self, items: &[Text]) {
        let x = self.frame.left + BULLET_INDENT;
        let w = self.frame.width() - BULLET_INDENT;
        self.space(PARA_GAP);
        let mut laid = std::mem::take(&mut self.scratch);
        let mut bullet = Laid::default();
        self.shape_plain("•", false, 100.0, BODY_SIZE, &mut bullet);
        for (i, item) in items.iter().enumerate() {
            self.shape_runs(item, false, w, BODY_SIZE, &mut laid);
            if laid.lines.is_empty() {
                continue;
            }
            if i > 0 {
                self.y += LIST_GAP;
            }
            let bx = self.frame.left + BULLET_X;
            self.flow_lines(&laid, x, w, BODY_SIZE, BODY_LEADING, TEXT, |l, top| {
                if let Some(line) = bullet.lines.first() {
                    l.draw_line(
                        &bullet,
                        *line,
                        bx,
                        10.0,
                        Align::Left,
                        top,
                        BODY_SIZE,
                        BODY_LEADING,
                        ACCENT,
                    );
                }
            });
        }
        self.scratch = laid;
    }

    // ---------------------------------------------------------------- grids

    fn cell(&mut self, runs: &[Run], bold: bool, x: f32, w: f32, align: Align) -> Cell {
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
        }
    }

    fn kv_cells(&mut self, key: &str, value: &Text) -> [Cell; 2] {
        let w = self.frame.width();
        let label_w = (w * 0.3).clamp(90.0, 170.0);
        let x = self.frame.left;
        let mut label = self.cell(&[Run::plain(key)], true, x, label_w, Align::Left);
        label.fill = Some(LABEL_FILL);
        label.color = TEXT_STRONG;
        let value = self.cell(value, false, x + label_w, w - label_w, Align::Left);
        [label, value]
    }

    fn key_value(&mut self, rows: &[(String, Text)]) {
        if rows.is_empty() {
            return;
        }
        self.space(BLOCK_GAP);
        self.grid_top = true;
        for (k, v) in rows {
            let cells = self.kv_cells(k, v);
            self.grid_row(&cells, &TABLE_GRID, None);
        }
        self.end_grid();
        self.y += BLOCK_GAP_AFTER;
    }

    /// Column left edges and widths: the relative widths scaled to the text width, except that
    /// a column narrower than its widest word (header or cell) is widened to hold it, taking the
    /// room from the others in proportion, as long as every column can hold its widest word.
    /// Otherwise words must break somewhere and the relative widths stand. Cached for the last
    /// table asked about: keep-with-next asks about a table before it is laid out.
    fn columns(&mut self, t: &Table) -> (Vec<f32>, Vec<f32>) {
        let key = t as *const Table as usize;
        if let Some((k, xs, ws)) = &self.column_cache
            && *k == key
        {
            return (xs.clone(), ws.clone());
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
        let min = self.column_min_widths(t);
        let ws = fit_columns(&rel, &min, total);
        let mut xs = Vec::with_capacity(ws.len());
        let mut x = self.frame.left;
        for w in &ws {
            xs.push(x);
            x += w;
        }
        self.column_cache = Some((key, xs.clone(), ws.clone()));
        (xs, ws)
    }

    /// Per column, the width that holds its widest word set in the table font, plus padding.
    fn column_min_widths(&mut self, t: &Table) -> Vec<f32> {
        // Measuring shapes the text a second time; missing glyphs are counted once, at layout.
        let missing = self.shaper.missing;
        let mut glyphs = std::mem::take(&mut self.scratch.glyphs);
        let mut min = vec![0u32; t.columns.len()];
        for (i, c) in t.columns.iter().enumerate() {
            glyphs.clear();
            self.shaper.shape_str(&c.title, true, false, &mut glyphs);
            min[i] = widest_word(&glyphs);
        }
        for row in &t.rows {
            for (i, text) in row.iter().enumerate().take(min.len()) {
                glyphs.clear();
                self.shaper.shape_runs(text, false, &mut glyphs);
                min[i] = min[i].max(widest_word(&glyphs));
            }
        }
        glyphs.clear();
        self.scratch.glyphs = glyphs;
        self.shaper.missing = missing;
        // The extra quarter point absorbs rounding in `units_for`.
        min.iter()
            .map(|&u| u as f32 * TABLE_SIZE / 1000.0 + 2.0 * CELL_PAD_H + 0.25)
            .collect()
    }

    fn header_cells(&mut self, t: &Table, xs: &[f32], ws: &[f32]) -> Vec<Cell> {
        t.columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut cell =
                    self.cell(&[Run::bold(c.title.as_str())], true, xs[i], ws[i], c.align);
                cell.fill = Some(HEADER_FILL);
                cell.color = TEXT_STRONG;
                cell
            })
            .collect()
    }

    fn row_cells(
        &mut self,
        t: &Table,
        row: &[Text],
        xs: &[f32],
        ws: &[f32],
        fill: Option<Rgb8>,
    ) -> Vec<Cell> {
        (0..t.columns.len())
            .map(|i| {
                let empty = Vec::new();
                let text = row.get(i).unwrap_or(&empty);
                let mut cell = self.cell(text, false, xs[i], ws[i], t.columns[i].align);
                cell.fill = fill;
                cell
            })
            .collect()
    }

    fn table(&mut self, t: &Table) {
        if t.columns.is_empty() {
            return;
        }
        let (xs, ws) = self.columns(t);
        let header = self.header_cells(t, &xs, &ws);
        let header_h = grid_row_height(&header, &TABLE_GRID);
        self.space(BLOCK_GAP);
        // Keep the header with the first row.
        let first = match t.rows.first() {
            Some(r) => {
                let cells = self.row_cells(t, r, &xs, &ws, None);
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
        self.grid_row(&header, &TABLE_GRID, None);
        for (i, row) in t.rows.iter().enumerate() {
            let fill = (i % 2 == 1).then_some(ZEBRA_FILL);
            let cells = self.row_cells(t, row, &xs, &ws, fill);
            self.grid_row(&cells, &TABLE_GRID, Some(&header));
        }
        self.end_grid();
        self.y += BLOCK_GAP_AFTER;
    }

    fn notice_cells(&mut self, kind: NoticeKind, text: &Text) -> [Cell; 1] {
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
        }]
    }

    fn notice(&mut self, kind: NoticeKind, text: &Text) {
        let cells = self.notice_cells(kind, text);
        if cells[0].laid.lines.is_empty() {
            return;
        }
        self.space(BLOCK_GAP);
        self.grid_top = true;
        self.grid_row(&cells, &notice_grid(kind), None);
        self.end_grid();
        self.y += BLOCK_GAP_AFTER;
    }

    /// Places one grid row, moving it to the next page (repeating `header`) when it does not
    /// fit; a row taller than a whole page is split between its lines.
    fn grid_row(&mut self, cells: &[Cell], style: &GridStyle, header: Option<&[Cell]>) {
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
    fn end_grid(&mut self) {
        if let Some(span) = self.grid_span.take() {
            let page = &mut self.pages[span.page];
            for x in span.xs {
                page.push(Item::Line {
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

    fn continue_grid(&mut self, header: Option<&[Cell]>) {
        self.new_page();
        if let Some(h) = header {
            self.grid_part(h, &TABLE_GRID, 0, usize::MAX);
        }
    }

    /// Draws lines `from..from + count` of each cell as one row segment at the cursor.
    fn grid_part(&mut self, cells: &[Cell], style: &GridStyle, from: usize, count: usize) {
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
            for (k, line) in c.laid.lines.iter().enumerate().take(end).skip(from) {
                let line_top = top + style.pad_v + (k - from) as f32 * style.leading;
                self.draw_line(
                    &c.laid,
                    *line,
                    x,
                    w,
                    c.align,
                    line_top,
                    style.size,
                    style.leading,
                    c.color,
                );
            }
        }
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
        let page = self.pages.len() - 1;
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

    // ---------------------------------------------------------------- header and footer

    fn layout_header(&mut self, doc: &Document) {
        let f = self.frame;
        let w = f.width();
        let mut items = Vec::new();
        let mut y = HEADER_TOP.min(f.body_top);
        let mut laid = Laid::default();

        // Red confidentiality banner.
        let conf = doc.header.confidentiality.trim();
        if !conf.is_empty() {
            self.shape_plain(conf, true, w - 12.0, BANNER_SIZE, &mut laid);
            let n = laid.lines.len().max(1) as f32;
            let h = n * BANNER_LEADING + 2.0 * BANNER_PAD_V;
            items.push(Item::Fill {
                x: f.left,
                y,
                w,
                h,
                color: BANNER_FILL,
            });
            items.push(Item::Stroke {
                x: f.left,
                y,
                w,
                h,
                color: BANNER_BORDER,
                width: 0.7,
            });
            for (i, line) in laid.lines.iter().enumerate() {
                let top = y + BANNER_PAD_V + i as f32 * BANNER_LEADING;
                self.line_into(
                    &mut items,
                    &laid,
                    *line,
                    f.left,
                    w,
                    Align::Center,
                    top,
                    BANNER_SIZE,
                    BANNER_LEADING,
                    RED,
                );
            }
            y += h + 5.0;
        }
        // Practice name and its lines.
        self.shape_plain(doc.header.title.trim(), true, w, TITLE_SIZE, &mut laid);
        for line in laid.lines.clone() {
            self.line_into(
                &mut items,
                &laid,
                line,
                f.left,
                w,
                Align::Left,
                y,
                TITLE_SIZE,
                TITLE_LEADING,
                NAVY,
            );
            y += TITLE_LEADING;
        }
        for text in &doc.header.lines {
            self.shape_plain(text.trim(), false, w, SMALL_SIZE, &mut laid);
            for line in laid.lines.clone() {
                self.line_into(
                    &mut items,
                    &laid,
                    line,
                    f.left,
                    w,
                    Align::Left,
                    y,
                    SMALL_SIZE,
                    SMALL_LEADING,
                    MUTED,
                );
                y += SMALL_LEADING;
            }
        }
        y += 3.0;
        items.push(Item::Line {
            x1: f.left,
            y1: y,
            x2: f.right,
            y2: y,
            color: HEADER_RULE,
            width: 0.8,
        });
        self.header = items;
        self.frame.body_top = f.body_top.max(y + 12.0);
    }

    /// Draws line `line` of `laid` with its box top at `top` into `out` (a page, the header or
    /// a footer).
    #[allow(clippy::too_many_arguments)]
    fn line_into(
        &mut self,
        out: &mut Vec<Item>,
        laid: &Laid,
        line: Line,
        x: f32,
        width: f32,
        align: Align,
        top: f32,
        size: f32,
        leading: f32,
        color: Rgb8,
    ) {
        let glyphs = &laid.glyphs[line.start as usize..line.end as usize];
        let w = laid.line_units(line) as f32 * size / 1000.0;
        let x = match align {
            Align::Left => x,
            Align::Right => x + (width - w).max(0.0),
            Align::Center => x + ((width - w) / 2.0).max(0.0),
        };
        Self::line_items(
            self.fonts,
            &mut self.codes,
            &mut self.usage,
            out,
            glyphs,
            x,
            baseline(top, size, leading),
            size,
            color,
        );
    }

    /// Shapes the footer text and watermark (page numbers are added per page in `finish`) and
    /// moves the body bottom above the footer.
    fn prepare_footer(&mut self, doc: &Document) {
        let f = self.frame;
        let mut laid = Laid::default();
        let reserve = if doc.footer.page_numbers {
            let mut probe = Laid::default();
            self.shape_plain(
                "Page 0000 of 0000",
                false,
                f32::MAX,
                FOOTER_SIZE,
                &mut probe,
            );
            probe.max_units() as f32 * FOOTER_SIZE / 1000.0 + 12.0
        } else {
            0.0
        };
        let width = f.width() - reserve;
        let mut runs = Vec::new();
        if let Some(t) = doc
            .footer
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            runs.push(Run::plain(t));
            runs.push(Run::plain("\n"));
        }
        let wm = doc.footer.watermark.trim();
        if !wm.is_empty() {
            runs.push(Run::plain(wm));
        }
        self.shape_runs(&runs, false, width, FOOTER_SIZE, &mut laid);
        let n = laid.lines.len().max(1) as f32;
        let last_top = f.page_h - FOOTER_BOTTOM - FOOTER_LEADING;
        let first_top = last_top - (n - 1.0) * FOOTER_LEADING;
        self.footer_first_baseline = first_top;
        self.footer_lines = laid;
        let rule = first_top - 4.0;
        self.frame.body_bottom = f.body_bottom.min(rule - 12.0);
    }

    /// Builds each page's footer: rule, footer text and watermark, `Page X of Y`.
    pub(crate) fn finish(&mut self) {
        let f = self.frame;
        let total = self.pages.len();
        let laid = std::mem::take(&mut self.footer_lines);
        let first_top = self.footer_first_baseline;
        // The shared footer text is shaped once; every page's items point at the same text.
        let mut shared = Vec::new();
        shared.push(Item::Line {
            x1: f.left,
            y1: first_top - 4.0,
            x2: f.right,
            y2: first_top - 4.0,
            color: RULE,
            width: 0.6,
        });
        for (i, line) in laid.lines.iter().enumerate() {
            let top = first_top + i as f32 * FOOTER_LEADING;
            self.line_into(
                &mut shared,
                &laid,
                *line,
                f.left,
                f.width(),
                Align::Left,
                top,
                FOOTER_SIZE,
                FOOTER_LEADING,
                MUTED,
            );
        }
        let mut num = Laid::default();
        self.footers = Vec::with_capacity(total);
        for page in 1..=total {
            let mut items = shared.clone();
            if self.page_numbers {
                let label = format!("Page {page} of {total}");
                self.shape_plain(&label, false, f32::MAX, FOOTER_SIZE, &mut num);
                if let Some(line) = num.lines.first().copied() {
                    self.line_into(
                        &mut items,
                        &num,
                        line,
                        f.left,
                        f.width(),
                        Align::Right,
                        first_top,
                        FOOTER_SIZE,
                        FOOTER_LEADING,
                        TEXT_STRONG,
                    );
                }
            }
            self.footers.push(items);
        }
    }

    // ---------------------------------------------------------------- used by the chart

    pub(crate) fn cursor(&self) -> f32 {
        self.y
    }

    pub(crate) fn advance_to(&mut self, y: f32) {
        self.y = y;
    }

    pub(crate) fn ensure(&mut self, h: f32) {
        self.need(h);
    }

    pub(crate) fn gap(&mut self, h: f32) {
        self.space(h);
    }

    pub(crate) fn item(&mut self, item: Item) {
        self.push(item);
    }

    /// Draws a single line of plain text; returns its width.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn label(
        &mut self,
        text: &str,
        bold: bool,
        x: f32,
        top: f32,
        size: f32,
        color: Rgb8,
        align: Align,
    ) -> f32 {
        let mut laid = std::mem::take(&mut self.scratch);
        laid.clear();
        self.shaper.shape_str(text, bold, false, &mut laid.glyphs);
        let end = laid
            .glyphs
            .iter()
            .position(|g| g.class == crate::text::Class::Newline)
            .unwrap_or(laid.glyphs.len());
        let line = Line {
            start: 0,
            end: end as u32,
        };
        let w = laid.line_units(line) as f32 * size / 1000.0;
        let x0 = match align {
            Align::Left => x,
            Align::Right => x - w,
            Align::Center => x - w / 2.0,
        };
        self.draw_line(
            &laid,
            line,
            x0,
            w,
            Align::Left,
            top,
            size,
            size * 1.25,
            color,
        );
        self.scratch = laid;
        w
    }

    /// Width of `text` set on one line.
    pub(crate) fn measure(&mut self, text: &str, bold: bool, size: f32) -> f32 {
        let mut laid = std::mem::take(&mut self.scratch);
        laid.clear();
        self.shaper.shape_str(text, bold, false, &mut laid.glyphs);
        let units: u32 = laid.glyphs.iter().map(|g| g.adv as u32).sum();
        self.scratch = laid;
        units as f32 * size / 1000.0
    }
}

fn grid_row_height(cells: &[Cell], style: &GridStyle) -> f32 {
    let n = cells
        .iter()
        .map(|c| c.laid.lines.len())
        .max()
        .unwrap_or(0)
        .max(1);
    n as f32 * style.leading + 2.0 * style.pad_v
}

fn notice_grid(kind: NoticeKind) -> GridStyle {
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

/// Line-break width in 1/1000 em for `width` points at `size`.
/// Column widths summing to `total`: in proportion to `rel`, except that columns whose share is
/// below their `min` get exactly `min` and the rest share what is left, in proportion. When the
/// minimums do not fit together, the plain proportional widths.
fn fit_columns(rel: &[f32], min: &[f32], total: f32) -> Vec<f32> {
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
fn shares(rel: &[f32], min: &[f32], fixed: &[bool], total: f32) -> Vec<f32> {
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

fn units_for(width: f32, size: f32) -> u32 {
    if width >= f32::MAX / 2.0 {
        return u32::MAX;
    }
    (width * 1000.0 / size).max(0.0) as u32
}

/// Baseline of a line whose box (of height `leading`) starts at `top`.
pub(crate) fn baseline(top: f32, size: f32, leading: f32) -> f32 {
    // DejaVu: ascender 0.928 em, descender 0.236 em; centre the glyph box in the line box.
    top + (leading - size * 1.164) / 2.0 + size * 0.928
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
    fn no_columns_no_widths() {
        assert!(fit_columns(&[], &[], 400.0).is_empty());
    }
}
