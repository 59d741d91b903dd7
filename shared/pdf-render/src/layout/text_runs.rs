//! Text runs: shaping text into lines and turning a line into positioned `Item::Text` runs.

use document_model::{Align, Run};

use super::{Item, Layout};
use crate::fonts::{Fonts, GlyphUsage};
use crate::style::Rgb8;
use crate::text::{Laid, Line, Shaped, break_lines};

impl Layout {
    pub(super) fn shape_runs(
        &mut self,
        runs: &[Run],
        bold: bool,
        width: f32,
        size: f32,
        laid: &mut Laid,
    ) {
        laid.clear();
        self.shaper.shape_runs(runs, bold, &mut laid.glyphs);
        break_lines(laid, units_for(width, size));
    }

    pub(super) fn shape_plain(
        &mut self,
        text: &str,
        bold: bool,
        width: f32,
        size: f32,
        laid: &mut Laid,
    ) {
        laid.clear();
        self.shaper.shape_str(text, bold, false, &mut laid.glyphs);
        break_lines(laid, units_for(width, size));
    }

    /// Pushes the text items of one line: one item per run of glyphs of the same face.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn line_items(
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
    pub(super) fn draw_line(
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

    pub(super) fn push(&mut self, item: Item) {
        self.pages.last_mut().expect("a page").push(item);
    }

    /// Draws line `line` of `laid` with its box top at `top` into `out` (a page, the header or
    /// a footer).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn line_into(
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

/// Line-break width in 1/1000 em for `width` points at `size`.
pub(super) fn units_for(width: f32, size: f32) -> u32 {
    if width >= f32::MAX / 2.0 {
        return u32::MAX;
    }
    (width * 1000.0 / size).max(0.0) as u32
}

/// Baseline of a line whose box (of height `leading`) starts at `top`.
pub(super) fn baseline(top: f32, size: f32, leading: f32) -> f32 {
    // DejaVu: ascender 0.928 em, descender 0.236 em; centre the glyph box in the line box.
    top + (leading - size * 1.164) / 2.0 + size * 0.928
}
