//! Text runs: shaping text into lines and turning a line into positioned `Item::Text` runs.

use exports_document_model::{Align, Run};

use super::{Item, Layout};
use crate::style::{Rgb8, TextStyle};
use crate::text::{Class, Laid, Line, break_lines};

/// Where a line of text goes: aligned within `x..x + width`, its line box starting at `top`.
#[derive(Debug, Clone, Copy)]
pub(super) struct LineBox {
    pub x: f32,
    pub width: f32,
    pub top: f32,
    pub align: Align,
}

/// A single line of plain text drawn by the chart, anchored at `x` by its left edge, right edge
/// or centre (`align`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Label<'a> {
    pub text: &'a str,
    pub bold: bool,
    pub size: f32,
    pub color: Rgb8,
    pub x: f32,
    pub top: f32,
    pub align: Align,
}

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

    /// Draws line `line` of `laid` on the current page.
    pub(super) fn draw_line(&mut self, laid: &Laid, line: Line, at: LineBox, style: TextStyle) {
        if line.start == line.end {
            return;
        }
        // Taken out for the call, which also needs `self` (a move of the Vec, no copy).
        let mut page = std::mem::take(self.pages.last_mut().expect("a page"));
        self.line_into(&mut page, laid, line, at, style);
        *self.pages.last_mut().expect("a page") = page;
    }

    pub(super) fn push(&mut self, item: Item) {
        self.pages.last_mut().expect("a page").push(item);
    }

    /// Draws line `line` of `laid` into `out` (a page, the header or a footer): one text item
    /// per run of glyphs of the same face.
    pub(super) fn line_into(
        &mut self,
        out: &mut Vec<Item>,
        laid: &Laid,
        line: Line,
        at: LineBox,
        style: TextStyle,
    ) {
        let TextStyle {
            size,
            leading,
            color,
        } = style;
        let glyphs = &laid.glyphs[line.start as usize..line.end as usize];
        let w = laid.line_units(line) as f32 * size / 1000.0;
        let mut x = match at.align {
            Align::Left => at.x,
            Align::Right => at.x + (at.width - w).max(0.0),
            Align::Center => at.x + ((at.width - w) / 2.0).max(0.0),
        };
        let y = baseline(at.top, size, leading);
        let mut seg_start = 0;
        while seg_start < glyphs.len() {
            let face = glyphs[seg_start].face;
            let mut seg_end = seg_start;
            let mut units = 0u32;
            let start = self.codes.len() as u32;
            while seg_end < glyphs.len() && glyphs[seg_end].face == face {
                let g = glyphs[seg_end];
                self.codes
                    .push(self.usage.code(self.fonts, face, g.ch, g.gid));
                units += g.adv as u32;
                seg_end += 1;
            }
            // Spaces between runs are kept inside the runs, so a run made only of spaces
            // (rare) still draws nothing visible but keeps text extraction right.
            out.push(Item::Text {
                x,
                y,
                size,
                face,
                color,
                start,
                end: self.codes.len() as u32,
            });
            x += units as f32 * size / 1000.0;
            seg_start = seg_end;
        }
    }

    /// Draws a single line of plain text (up to its first line break); returns its width.
    pub(super) fn label(&mut self, label: Label) -> f32 {
        let mut laid = std::mem::take(&mut self.scratch);
        laid.clear();
        self.shaper
            .shape_str(label.text, label.bold, false, &mut laid.glyphs);
        let end = laid
            .glyphs
            .iter()
            .position(|g| g.class == Class::Newline)
            .unwrap_or(laid.glyphs.len());
        let line = Line {
            start: 0,
            end: end as u32,
        };
        let w = laid.line_units(line) as f32 * label.size / 1000.0;
        let x = match label.align {
            Align::Left => label.x,
            Align::Right => label.x - w,
            Align::Center => label.x - w / 2.0,
        };
        let at = LineBox {
            x,
            width: w,
            top: label.top,
            align: Align::Left,
        };
        let style = TextStyle {
            size: label.size,
            leading: label.size * 1.25,
            color: label.color,
        };
        self.draw_line(&laid, line, at, style);
        self.scratch = laid;
        w
    }

    /// Width of `text` set on one line.
    pub(super) fn measure(&mut self, text: &str, bold: bool, size: f32) -> f32 {
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
