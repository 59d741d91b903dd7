//! Text runs: shaping text into lines and turning a line into positioned `Item::Text` runs:
//! per face, in visual order (bidirectional lines reordered with unicode-bidi's rule L2), shaped
//! clusters with their positions and, where needed, their `/ActualText`.

use exports_document_model::{Align, Run};

use unicode_bidi::{BidiInfo, Level};

use super::{Item, Layout, NO_EXT, NO_PLACE, Place, Span, TextExt};
use crate::fonts::FaceId;
use crate::style::{Rgb8, TextStyle};
use crate::text::{Class, FAKE_BOLD, Laid, Line, MIRRORED, RTL_PARA, Shaped, break_lines};

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
        self.shaper.shape_runs(runs, bold, laid);
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
        self.shaper.shape_str(text, bold, false, laid);
        break_lines(laid, units_for(width, size));
    }

    /// Draws line `line` of `laid` on the current page.
    pub(super) fn draw_line(&mut self, laid: &Laid, line: Line, at: LineBox, style: TextStyle) {
        if line.start == line.end {
            return;
        }
        self.mark(self.text_tag);
        // Taken out for the call, which also needs `self` (a move of the Vec, no copy).
        let mut page = std::mem::take(&mut self.page);
        self.line_into(&mut page, laid, line, at, style);
        self.page = page;
    }

    pub(super) fn push(&mut self, item: Item) {
        let tag = match item {
            Item::Text { .. } => self.text_tag,
            _ => self.art_tag,
        };
        self.mark(tag);
        self.page.push(item);
    }

    /// Draws line `line` of `laid` into `out` (a page, the header or a footer): one text item
    /// per run of glyphs of the same face, in visual order. A line of a right-to-left
    /// paragraph aligned `Left` (the start of the line) is aligned right.
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
        let rtl = glyphs.first().is_some_and(|g| g.flags & RTL_PARA != 0);
        let align = match at.align {
            Align::Left if rtl => Align::Right,
            a => a,
        };
        let mut x = match align {
            Align::Left => at.x,
            Align::Right => at.x + (at.width - w).max(0.0),
            Align::Center => at.x + ((at.width - w) / 2.0).max(0.0),
        };
        let y = baseline(at.top, size, leading);
        if !laid.bidi && !laid.has_shaped() {
            let end = self.simple_line_into(out, glyphs, x, y, size, color);
            self.break_space(out, laid, line, end, y, size, color);
            return;
        }
        // Visual order (rule L2 on the glyphs' levels; trailing spaces, the only whitespace
        // rule L1 would reset, are not part of the line).
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        if laid.bidi {
            let levels: Vec<Level> = glyphs.iter().map(|g| Level::from(g.level)).collect();
            order.extend(BidiInfo::reorder_visual(&levels));
        } else {
            order.extend(0..glyphs.len());
        }
        let base = line.start as usize;
        let mut k = 0;
        while k < order.len() {
            let first = glyphs[order[k]];
            let (face, bold) = (first.face, first.flags & FAKE_BOLD);
            let start = self.codes.len() as u32;
            let place = if face.shaped() {
                self.places.len() as u32
            } else {
                NO_PLACE
            };
            let span_start = self.spans.len() as u32;
            let mut units = 0u32;
            // The text of the run's shaped glyphs as drawn, and whether their own `/ToUnicode`
            // entries and positions let a reader get it back.
            let mut shown = std::mem::take(&mut self.shown);
            shown.clear();
            let mut needs_span = false;
            while k < order.len()
                && glyphs[order[k]].face == face
                && glyphs[order[k]].flags & FAKE_BOLD == bold
            {
                let g = glyphs[order[k]];
                let Some(extra) = laid.extra(base + order[k]) else {
                    let code = self.usage.code(self.fonts, face, g.ch, g.gid);
                    if g.flags & MIRRORED != 0 {
                        let text = unicode_bidi_mirroring::get_mirrored(g.ch).unwrap_or(g.ch);
                        let at = self.codes.len() as u32;
                        self.push_span(at, at + 1, text.encode_utf8(&mut [0; 4]));
                    }
                    self.codes.push(code);
                    units += g.adv as u32;
                    k += 1;
                    continue;
                };
                // A shaped cluster: its glyphs are next to each other in visual order.
                let text = extra.text;
                let mut e = k + 1;
                while e < order.len() && laid.extra(base + order[e]).is_some_and(|h| h.text == text)
                {
                    e += 1;
                }
                let (adv, simple) = self.cluster_codes(laid, base, &order[k..e], face, &mut shown);
                units += adv;
                needs_span |= !simple;
                k = e;
            }
            if needs_span {
                self.push_span(start, self.codes.len() as u32, &shown);
            }
            self.shown = shown;
            let span_end = self.spans.len() as u32;
            let ext = if place == NO_PLACE && span_start == span_end {
                NO_EXT
            } else {
                self.text_ext.push(TextExt {
                    place,
                    spans: (span_start, span_end),
                });
                (self.text_ext.len() - 1) as u32
            };
            out.push(Item::Text {
                x,
                y,
                size,
                face,
                color,
                start,
                end: self.codes.len() as u32,
                fake_bold: bold != 0,
                ext,
            });
            x += units as f32 * size / 1000.0;
        }
        self.order = order;
        self.break_space(out, laid, line, x, y, size, color);
    }

    /// A line of glyphs drawn one per character in logical order (no shaped run, no
    /// right-to-left text): the path nearly all text takes.
    fn simple_line_into(
        &mut self,
        out: &mut Vec<Item>,
        glyphs: &[Shaped],
        mut x: f32,
        y: f32,
        size: f32,
        color: Rgb8,
    ) -> f32 {
        let mut seg_start = 0;
        while seg_start < glyphs.len() {
            let face = glyphs[seg_start].face;
            let bold = glyphs[seg_start].flags & FAKE_BOLD;
            let mut seg_end = seg_start;
            let mut units = 0u32;
            let start = self.codes.len() as u32;
            while seg_end < glyphs.len()
                && glyphs[seg_end].face == face
                && glyphs[seg_end].flags & FAKE_BOLD == bold
            {
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
                fake_bold: bold != 0,
                ext: NO_EXT,
            });
            x += units as f32 * size / 1000.0;
            seg_start = seg_end;
        }
        x
    }

    /// Tagged output: draws the space line `line` was broken at after it, at `x`.
    #[allow(clippy::too_many_arguments)]
    fn break_space(
        &mut self,
        out: &mut Vec<Item>,
        laid: &Laid,
        line: Line,
        x: f32,
        y: f32,
        size: f32,
        color: Rgb8,
    ) {
        // Tagged output: the space the line was broken at is drawn after it (invisible, and
        // outside the width the line was aligned by), so text read through the structure
        // tree keeps its word boundaries: "end of line" + "next line", not "linenext".
        let glyphs = &laid.glyphs[line.start as usize..line.end as usize];
        if self.emitter.tree.is_some()
            && let Some(&last) = glyphs.last()
            && let Some((face, ch, gid)) = match laid.glyphs.get(line.end as usize) {
                Some(g) if g.class == Class::Space => Some((g.face, g.ch, g.gid)),
                Some(g) if g.class == Class::Newline => self
                    .fonts
                    .face(last.face)
                    .and_then(|f| f.lookup(' '))
                    .map(|s| (last.face, ' ', s.gid)),
                _ => None,
            }
        {
            let code = self.usage.code(self.fonts, face, ch, gid);
            match out.last_mut() {
                Some(Item::Text { face: f, end, .. })
                    if *f == face && *end as usize == self.codes.len() =>
                {
                    self.codes.push(code);
                    *end += 1;
                }
                _ => {
                    let start = self.codes.len() as u32;
                    self.codes.push(code);
                    out.push(Item::Text {
                        x,
                        y,
                        size,
                        face,
                        color,
                        start,
                        end: start + 1,
                        fake_bold: false,
                        ext: NO_EXT,
                    });
                }
            }
        }
    }

    /// Numbers the glyphs of one shaped cluster (`order`: their indices in `laid.glyphs` from
    /// `base`, in visual order), records their positions and appends its text as drawn to `shown`. Returns the
    /// cluster's advance and whether its glyphs' `/ToUnicode` entries and positions give its
    /// text back: a single glyph standing for the cluster, not displaced by the shaper, does;
    /// a cluster of several glyphs (a vowel sign drawn before its consonant, a mark placed on
    /// its letter, a split vowel) does not, and its run gets an `/ActualText` span.
    ///
    /// The text as drawn is the cluster's text in right-to-left clusters reversed: text
    /// extraction (poppler, pdf.js, pdfminer) reads the glyphs of a line left to right, each
    /// glyph's characters in the order given, and turns right-to-left stretches around
    /// afterwards; a lam-alef ligature mapped to "لا" would come out "ال".
    fn cluster_codes(
        &mut self,
        laid: &Laid,
        base: usize,
        order: &[usize],
        face: FaceId,
        shown: &mut String,
    ) -> (u32, bool) {
        let fonts = self.fonts;
        let (Some(font), Some(extra)) = (fonts.face(face), laid.extra(base + order[0])) else {
            return (0, false);
        };
        let glyphs = &laid.glyphs[base..];
        let first = glyphs[order[0]];
        let text = laid.cluster_text(extra);
        let at = shown.len();
        if first.level & 1 == 1 {
            shown.extend(text.chars().rev());
        } else {
            shown.push_str(text);
        }
        let mut simple = order.len() == 1;
        for &i in order {
            let g = glyphs[i];
            let code = if simple {
                let (code, same) = self.usage.code_for_text(fonts, face, g.gid, &shown[at..]);
                simple = same;
                code
            } else {
                self.usage.code_in_span(fonts, face, g.gid, text)
            };
            self.codes.push(code);
            let e = laid.extra(base + i).copied().unwrap_or_default();
            // A glyph moved off its pen position would be taken for a separate word.
            simple &= e.x_off == 0 && e.y_off == 0;
            self.places.push(Place {
                x_off: e.x_off,
                y_off: e.y_off,
                adv: g.adv,
                w: font.advance(g.gid),
            });
        }
        (order.iter().map(|&i| glyphs[i].adv as u32).sum(), simple)
    }

    fn push_span(&mut self, from: u32, to: u32, text: &str) {
        let start = self.span_text.len() as u32;
        self.span_text.push_str(text);
        self.spans.push(Span {
            from,
            to,
            text: (start, self.span_text.len() as u32),
        });
    }

    /// Draws a single line of plain text (up to its first line break); returns its width.
    pub(super) fn label(&mut self, label: Label) -> f32 {
        let mut laid = std::mem::take(&mut self.scratch);
        laid.clear();
        self.shaper
            .shape_str(label.text, label.bold, false, &mut laid);
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
        self.shaper.shape_str(text, bold, false, &mut laid);
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
