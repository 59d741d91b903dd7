//! Chart text as filled glyph outlines of DejaVu Sans, the PDF crate's font file.

use tiny_skia::{Path, PathBuilder};
use ttf_parser::{Face, GlyphId, OutlineBuilder};

use crate::ChartImageError;

/// The regular face the PDF embeds; referenced, not copied, so both draw the same letters.
static DEJAVU_SANS: &[u8] = include_bytes!("../../pdf/fonts/DejaVuSans.ttf");

/// Where `x` is on a line of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

pub(crate) struct Font {
    face: Face<'static>,
    units_per_em: f32,
    ascender: f32,
}

impl Font {
    pub(crate) fn dejavu_sans() -> Result<Font, ChartImageError> {
        let face = Face::parse(DEJAVU_SANS, 0).map_err(|_| ChartImageError::Font("DejaVu Sans"))?;
        let units_per_em = f32::from(face.units_per_em().max(1));
        let ascender = f32::from(face.ascender());
        Ok(Font {
            face,
            units_per_em,
            ascender,
        })
    }

    /// Glyphs of `text` (control characters and characters the font lacks are left out).
    fn glyphs<'a>(&'a self, text: &'a str) -> impl Iterator<Item = GlyphId> + 'a {
        text.chars()
            .filter(|c| !c.is_control())
            .filter_map(|c| self.face.glyph_index(c))
    }

    /// The advance width of `text` at `size`, in points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = self
            .glyphs(text)
            .map(|g| u32::from(self.face.glyph_hor_advance(g).unwrap_or(0)))
            .sum();
        units as f32 * size / self.units_per_em
    }

    /// The outlines of `text` at `size`, placed with the top of the text box at `top` and `x`
    /// at its start, middle or end; with the text's width. `None` when nothing has an outline
    /// (empty text, only spaces).
    pub(crate) fn path(
        &self,
        text: &str,
        size: f32,
        x: f32,
        top: f32,
        anchor: Anchor,
    ) -> (Option<Path>, f32) {
        let width = self.width(text, size);
        let mut pen = match anchor {
            Anchor::Start => x,
            Anchor::Middle => x - width / 2.0,
            Anchor::End => x - width,
        };
        let scale = size / self.units_per_em;
        let baseline = top + self.ascender * scale * 0.9;
        let mut builder = Outline {
            pb: PathBuilder::new(),
            x: pen,
            y: baseline,
            scale,
        };
        for g in self.glyphs(text) {
            builder.x = pen;
            self.face.outline_glyph(g, &mut builder);
            pen += f32::from(self.face.glyph_hor_advance(g).unwrap_or(0)) * scale;
        }
        (builder.pb.finish(), width)
    }
}

/// Font units (y up, origin on the baseline) to points (y down) at the pen position.
struct Outline {
    pb: PathBuilder,
    x: f32,
    y: f32,
    scale: f32,
}

impl Outline {
    fn at(&self, x: f32, y: f32) -> (f32, f32) {
        (self.x + x * self.scale, self.y - y * self.scale)
    }
}

impl OutlineBuilder for Outline {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.pb.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.pb.line_to(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (x1, y1) = self.at(x1, y1);
        let (x, y) = self.at(x, y);
        self.pb.quad_to(x1, y1, x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (x1, y1) = self.at(x1, y1);
        let (x2, y2) = self.at(x2, y2);
        let (x, y) = self.at(x, y);
        self.pb.cubic_to(x1, y1, x2, y2, x, y);
    }
    fn close(&mut self) {
        self.pb.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_anchors() {
        let f = Font::dejavu_sans().unwrap();
        let w = f.width("PHQ-9", 10.0);
        assert!(w > 25.0 && w < 40.0, "{w}");
        assert_eq!(f.width("", 10.0), 0.0);
        let (path, width) = f.path("10 Mar", 7.2, 100.0, 0.0, Anchor::End);
        let bounds = path.unwrap().bounds();
        assert!(bounds.right() <= 100.5 && bounds.left() >= 100.0 - width - 0.5);
        assert!(
            bounds.top() >= 0.0 && bounds.bottom() <= 7.2 * 1.2,
            "{bounds:?}"
        );
        assert!(f.path("   ", 7.2, 0.0, 0.0, Anchor::Start).0.is_none());
    }
}
