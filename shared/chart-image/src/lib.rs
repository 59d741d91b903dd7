//! Draws an [`exports_document_model::LineChart`] as a PNG picture: what the DOCX shows where
//! the PDF draws the same chart with vectors.
//!
//! The picture follows the PDF's chart (`shared/pdf/src/layout/chart.rs`): a bordered box with
//! the title and legend, the value axis label, the shaded value bands labelled in a gutter on
//! the right, gridlines with value ticks, date labels at the points' dates (thinned with
//! [`chart_axis::thin_labels`]), one line per series and a marker on every point. Axis
//! arithmetic, band extents and tints come from the model, so both formats agree.
//!
//! Sizes are given in points and drawn at `dpi`; text is DejaVu Sans (the PDF crate's font
//! file, `shared/pdf/fonts/DejaVuSans.ttf`) drawn from its glyph outlines. A character the font
//! lacks is left out (chart text is titles, instrument names and numbers). The output is
//! deterministic: the same chart and size give the same bytes.

mod png;
mod text;

use chrono::{Datelike, NaiveDate};
use exports_document_model::chart_axis::{
    marker_radius, thin_labels, tick_label, value_max, value_ticks,
};
use exports_document_model::{LineChart, band_tint};
use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform,
};

use text::{Anchor, Font};

/// Why a chart could not be drawn.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ChartImageError {
    /// The size is not positive and finite, or too large to allocate.
    #[error("chart picture size {0} × {1} pt at {2} dpi is not drawable")]
    Size(f32, f32, f32),
    /// The embedded font could not be parsed (a build defect, not bad input).
    #[error("embedded font: {0}")]
    Font(&'static str),
    #[error("encoding the PNG: {0}")]
    Encode(&'static str),
}

/// A drawn chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartPicture {
    pub png: Vec<u8>,
    pub width_px: u32,
    pub height_px: u32,
}

/// The largest picture side, in pixels: a guard against absurd sizes, far above a page at
/// 600 dpi.
const MAX_SIDE: f32 = 8000.0;

// The look, in points and colours, as the PDF's (`shared/pdf/src/style.rs`, `layout/chart.rs`).
const TITLE_SIZE: f32 = 10.0;
const LABEL_SIZE: f32 = 7.2;
const LEGEND_SIZE: f32 = 7.8;
const BAND_LABEL_SIZE: f32 = 6.4;
const PAD: f32 = 10.0;
const LABEL_GAP: f32 = 6.0;
const MARKER_R: f32 = 2.1;
const MARKER_R_MIN: f32 = 0.9;
const BORDER: [u8; 3] = [0xC5, 0xCC, 0xD6];
const TEXT: [u8; 3] = [0x1F, 0x29, 0x33];
const TEXT_STRONG: [u8; 3] = [0x1A, 0x20, 0x2C];
const MUTED: [u8; 3] = [0x5F, 0x6B, 0x7A];
const GRID: [u8; 3] = [0xE3, 0xE7, 0xEC];
const AXIS: [u8; 3] = [0x8A, 0x93, 0x9F];
const SERIES_COLORS: [[u8; 3]; 6] = [
    [0x2B, 0x6C, 0xB0],
    [0xDD, 0x7A, 0x1F],
    [0x2F, 0x9E, 0x6B],
    [0xB8, 0x3B, 0x5E],
    [0x6B, 0x5B, 0xB5],
    [0x8A, 0x8F, 0x98],
];

/// Draws `chart` as a `width_pt × height_pt` picture at `dpi` and encodes it as PNG.
pub fn render_chart_png(
    chart: &LineChart,
    width_pt: f32,
    height_pt: f32,
    dpi: f32,
) -> Result<ChartPicture, ChartImageError> {
    let scale = dpi / 72.0;
    let (w_px, h_px) = (width_pt * scale, height_pt * scale);
    let drawable = |v: f32| v.is_finite() && (1.0..=MAX_SIDE).contains(&v);
    if !(drawable(w_px) && drawable(h_px) && width_pt >= 72.0 && height_pt >= 36.0) {
        return Err(ChartImageError::Size(width_pt, height_pt, dpi));
    }
    let (width_px, height_px) = (w_px.round() as u32, h_px.round() as u32);
    let mut pixmap =
        Pixmap::new(width_px, height_px).ok_or(ChartImageError::Size(width_pt, height_pt, dpi))?;
    pixmap.fill(Color::WHITE);
    let mut canvas = Canvas {
        pixmap,
        transform: Transform::from_scale(width_px as f32 / width_pt, height_px as f32 / height_pt),
        font: Font::dejavu_sans()?,
    };
    canvas.chart(chart, width_pt, height_pt);

    // Opaque white background: premultiplied RGBA is plain RGBA; drop the alpha.
    let rgba = canvas.pixmap.data();
    let mut rgb = Vec::with_capacity(rgba.len() / 4 * 3);
    for px in rgba.chunks_exact(4) {
        rgb.extend_from_slice(&px[..3]);
    }
    let png = png::encode_rgb(&rgb, width_px, height_px, dpi)?;
    Ok(ChartPicture {
        png,
        width_px,
        height_px,
    })
}

/// The plotting area, in points from the picture's top-left corner.
struct Plot {
    top: f32,
    bottom: f32,
    left: f32,
    right: f32,
    /// The value axis runs from 0 to this.
    max: f32,
}

impl Plot {
    fn y_of(&self, v: f32) -> f32 {
        let h = (self.bottom - self.top).max(1.0);
        self.bottom - v.clamp(0.0, self.max) / self.max * h
    }
}

/// Dates across the plot, inset from its edges; a single date sits in the middle.
struct Dates {
    first: NaiveDate,
    span: f32,
    left: f32,
    right: f32,
}

impl Dates {
    fn x_of(&self, d: NaiveDate) -> f32 {
        if self.span == 0.0 {
            (self.left + self.right) / 2.0
        } else {
            self.left + (d - self.first).num_days() as f32 / self.span * (self.right - self.left)
        }
    }
}

/// One line of text: `x` at its start, middle or end (`anchor`), its box's top at `top`.
struct Label<'a> {
    text: &'a str,
    size: f32,
    x: f32,
    top: f32,
    anchor: Anchor,
    color: [u8; 3],
    bold: bool,
}

struct Canvas {
    pixmap: Pixmap,
    transform: Transform,
    font: Font,
}

fn paint(rgb: [u8; 3]) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(rgb[0], rgb[1], rgb[2], 255);
    p.anti_alias = true;
    p
}

impl Canvas {
    fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, rgb: [u8; 3]) {
        if let Some(r) = Rect::from_xywh(x, y, w, h) {
            self.pixmap.fill_rect(r, &paint(rgb), self.transform, None);
        }
    }

    fn line(&mut self, points: &[(f32, f32)], width: f32, rgb: [u8; 3]) {
        let mut pb = PathBuilder::new();
        for (i, (x, y)) in points.iter().enumerate() {
            if i == 0 {
                pb.move_to(*x, *y);
            } else {
                pb.line_to(*x, *y);
            }
        }
        if let Some(path) = pb.finish() {
            let stroke = Stroke {
                width,
                line_cap: LineCap::Round,
                line_join: LineJoin::Round,
                ..Stroke::default()
            };
            self.pixmap
                .stroke_path(&path, &paint(rgb), &stroke, self.transform, None);
        }
    }

    fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32, rgb: [u8; 3]) {
        self.line(
            &[(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)],
            width,
            rgb,
        );
    }

    fn dot(&mut self, x: f32, y: f32, r: f32, rgb: [u8; 3]) {
        if let Some(path) = PathBuilder::from_circle(x, y, r) {
            self.pixmap
                .fill_path(&path, &paint(rgb), FillRule::Winding, self.transform, None);
        }
    }

    /// Draws a label; returns its width.
    fn text(&mut self, l: Label) -> f32 {
        let (path, width) = self.font.path(l.text, l.size, l.x, l.top, l.anchor);
        if let Some(path) = path {
            let p = paint(l.color);
            self.pixmap
                .fill_path(&path, &p, FillRule::Winding, self.transform, None);
            if l.bold {
                // One face is embedded; a thin outline of the same colour makes the title bold.
                let stroke = Stroke {
                    width: l.size * 0.045,
                    line_join: LineJoin::Round,
                    ..Stroke::default()
                };
                self.pixmap
                    .stroke_path(&path, &p, &stroke, self.transform, None);
            }
        }
        width
    }

    fn chart(&mut self, c: &LineChart, width: f32, height: f32) {
        self.stroke_rect(0.25, 0.25, width - 0.5, height - 0.5, 0.5, BORDER);
        let y = self.title_and_legend(c, width);

        let max = value_max(c);
        let (step, ticks) = value_ticks(max);
        let tick_w = ticks
            .iter()
            .map(|t| self.font.width(&tick_label(*t, step), LABEL_SIZE))
            .fold(0.0f32, f32::max);
        let y_label = c.y_label.trim();
        if !y_label.is_empty() {
            self.text(Label {
                text: y_label,
                size: LABEL_SIZE,
                x: PAD,
                top: y,
                anchor: Anchor::Start,
                color: MUTED,
                bold: false,
            });
        }
        let extents = c.band_extents();
        let band_label_w = extents
            .iter()
            .map(|e| self.font.width(e.band.label.trim(), BAND_LABEL_SIZE))
            .fold(0.0f32, f32::max);
        let gutter = if band_label_w > 0.0 {
            band_label_w + 8.0
        } else {
            6.0
        };
        let plot = Plot {
            top: y + LABEL_SIZE * 1.25 + 6.0,
            bottom: height - PAD - LABEL_SIZE * 1.25 - 6.0,
            left: PAD + tick_w + 6.0,
            right: width - PAD - gutter,
            max,
        };

        // Bands behind everything, labelled in the gutter level with their middles.
        for (i, e) in extents.iter().enumerate() {
            let (top, bottom) = (plot.y_of(e.high), plot.y_of(e.low));
            if bottom - top <= 0.0 {
                continue;
            }
            self.fill_rect(
                plot.left,
                top,
                plot.right - plot.left,
                bottom - top,
                band_tint(i, extents.len()),
            );
            let label = e.band.label.trim();
            if !label.is_empty() && bottom - top >= BAND_LABEL_SIZE * 1.2 {
                let mid = (top + bottom) / 2.0 - BAND_LABEL_SIZE * 0.62;
                self.text(Label {
                    text: label,
                    size: BAND_LABEL_SIZE,
                    x: plot.right + 4.0,
                    top: mid,
                    anchor: Anchor::Start,
                    color: MUTED,
                    bold: false,
                });
            }
        }
        // Gridlines with their labels, and the top of the axis when it is not a tick.
        for t in &ticks {
            let gy = plot.y_of(*t);
            self.line(&[(plot.left, gy), (plot.right, gy)], 0.5, GRID);
            let label = tick_label(*t, step);
            self.text(Label {
                text: &label,
                size: LABEL_SIZE,
                x: plot.left - 5.0,
                top: gy - LABEL_SIZE * 0.62,
                anchor: Anchor::End,
                color: MUTED,
                bold: false,
            });
        }
        if ticks.last().is_some_and(|t| (max - t) > step * 0.05) {
            let gy = plot.y_of(max);
            self.line(&[(plot.left, gy), (plot.right, gy)], 0.5, GRID);
        }

        let dates: Vec<NaiveDate> = c
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .collect();
        match (dates.iter().min(), dates.iter().max()) {
            (Some(&first), Some(&last)) => {
                let axis = Dates {
                    first,
                    span: (last - first).num_days().max(0) as f32,
                    left: plot.left + 8.0,
                    right: plot.right - 8.0,
                };
                self.date_labels(dates, &axis, &plot);
                self.series(c, &axis, &plot);
            }
            _ => {
                let mid = (plot.top + plot.bottom) / 2.0 - LABEL_SIZE;
                self.text(Label {
                    text: "No data",
                    size: LABEL_SIZE + 1.0,
                    x: (plot.left + plot.right) / 2.0,
                    top: mid,
                    anchor: Anchor::Middle,
                    color: MUTED,
                    bold: false,
                });
            }
        }
        self.line(
            &[(plot.left, plot.top - 2.0), (plot.left, plot.bottom)],
            0.8,
            AXIS,
        );
        self.line(
            &[(plot.left, plot.bottom), (plot.right, plot.bottom)],
            0.8,
            AXIS,
        );
    }

    /// The title, and the legend on its right when there is room (else on the next row);
    /// returns the top of the row below them.
    fn title_and_legend(&mut self, c: &LineChart, width: f32) -> f32 {
        let title_top = PAD - 2.0;
        let title_w = self.text(Label {
            text: c.title.trim(),
            size: TITLE_SIZE,
            x: PAD,
            top: title_top,
            anchor: Anchor::Start,
            color: TEXT_STRONG,
            bold: true,
        });
        let entries: Vec<(f32, &str)> = c
            .series
            .iter()
            .map(|s| (self.font.width(s.name.trim(), LEGEND_SIZE), s.name.trim()))
            .collect();
        let legend_w: f32 = entries.iter().map(|(w, _)| 18.0 + w + 12.0).sum();
        let mut y = title_top + TITLE_SIZE * 1.25 + 4.0;
        let (mut lx, legend_top) = if title_w + legend_w + 3.0 * PAD < width {
            (width - PAD - legend_w + 12.0, title_top + 1.5)
        } else {
            y += LEGEND_SIZE * 1.25 + 4.0;
            (PAD, title_top + TITLE_SIZE * 1.25 + 4.0)
        };
        for (k, (w, name)) in entries.iter().enumerate() {
            let color = SERIES_COLORS[k % SERIES_COLORS.len()];
            let cy = legend_top + LEGEND_SIZE * 0.62;
            self.line(&[(lx, cy), (lx + 14.0, cy)], 1.6, color);
            self.dot(lx + 7.0, cy, 2.0, color);
            self.text(Label {
                text: name,
                size: LEGEND_SIZE,
                x: lx + 18.0,
                top: legend_top,
                anchor: Anchor::Start,
                color: TEXT,
                bold: false,
            });
            lx += 18.0 + w + 12.0;
        }
        y
    }

    /// Tick marks and labels at the points' dates (`10 Mar`; with the year when the dates span
    /// more than one), thinned so that none overlap.
    fn date_labels(&mut self, mut all: Vec<NaiveDate>, axis: &Dates, plot: &Plot) {
        all.sort_unstable();
        all.dedup();
        let with_year = match (all.first(), all.last()) {
            (Some(a), Some(b)) => a.year() != b.year(),
            _ => false,
        };
        let labels: Vec<(f32, String, f32)> = all
            .iter()
            .map(|d| {
                let text = if with_year {
                    d.format("%-d %b %Y").to_string()
                } else {
                    d.format("%-d %b").to_string()
                };
                let w = self.font.width(&text, LABEL_SIZE);
                (axis.x_of(*d), text, w)
            })
            .collect();
        let extents: Vec<(f32, f32)> = labels.iter().map(|l| (l.0, l.2)).collect();
        for i in thin_labels(&extents, LABEL_GAP) {
            let (x, text, _) = &labels[i];
            self.line(&[(*x, plot.bottom), (*x, plot.bottom + 3.0)], 0.6, AXIS);
            self.text(Label {
                text,
                size: LABEL_SIZE,
                x: *x,
                top: plot.bottom + 5.0,
                anchor: Anchor::Middle,
                color: MUTED,
                bold: false,
            });
        }
    }

    /// Per series its line, then a marker on every point (finite values only).
    fn series(&mut self, c: &LineChart, axis: &Dates, plot: &Plot) {
        for (k, s) in c.series.iter().enumerate() {
            let color = SERIES_COLORS[k % SERIES_COLORS.len()];
            let points: Vec<(f32, f32)> = s
                .points
                .iter()
                .filter(|p| p.1.is_finite())
                .map(|(d, v)| (axis.x_of(*d), plot.y_of(*v)))
                .collect();
            if points.len() >= 2 {
                self.line(&points, 1.6, color);
            }
            let r = marker_radius(points.iter().map(|p| p.0), MARKER_R, MARKER_R_MIN);
            for (x, y) in points {
                self.dot(x, y, r, color);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exports_document_model::{Band, Series};

    fn chart(n: i64, bands: bool) -> LineChart {
        let start = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        LineChart {
            title: "PHQ-9 scores".into(),
            y_label: "score".into(),
            y_max: 27.0,
            series: vec![Series {
                name: "PHQ-9".into(),
                points: (0..n)
                    .map(|i| (start + chrono::Duration::weeks(i), (18 - i % 12) as f32))
                    .collect(),
            }],
            bands: if bands {
                vec![
                    Band {
                        from: 0.0,
                        to: 4.0,
                        label: "Minimal".into(),
                    },
                    Band {
                        from: 5.0,
                        to: 27.0,
                        label: "Worse".into(),
                    },
                ]
            } else {
                vec![]
            },
        }
    }

    /// Decodes our own PNG's pixels (filter types 0–2, as the encoder writes) for inspection.
    fn pixels(p: &ChartPicture) -> Vec<u8> {
        let png = &p.png;
        let mut at = 8;
        let mut idat = Vec::new();
        while at < png.len() {
            let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            if &png[at + 4..at + 8] == b"IDAT" {
                idat.extend_from_slice(&png[at + 8..at + 8 + len]);
            }
            at += 12 + len;
        }
        let row = p.width_px as usize * 3;
        let mut raw = vec![0u8; (row + 1) * p.height_px as usize];
        let (raw, rc) =
            zlib_rs::decompress_slice(&mut raw, &idat, zlib_rs::InflateConfig::default());
        assert_eq!(rc, zlib_rs::ReturnCode::Ok);
        let mut out = vec![0u8; row * p.height_px as usize];
        for y in 0..p.height_px as usize {
            let f = raw[y * (row + 1)];
            for i in 0..row {
                let v = raw[y * (row + 1) + 1 + i];
                let left = if i >= 3 { out[y * row + i - 3] } else { 0 };
                let up = if y > 0 { out[(y - 1) * row + i] } else { 0 };
                out[y * row + i] = match f {
                    0 => v,
                    1 => v.wrapping_add(left),
                    2 => v.wrapping_add(up),
                    _ => panic!("filter {f}"),
                };
            }
        }
        out
    }

    #[test]
    fn draws_at_the_asked_resolution_deterministically() {
        let c = chart(22, true);
        let a = render_chart_png(&c, 504.0, 215.0, 200.0).unwrap();
        assert_eq!((a.width_px, a.height_px), (1400, 597));
        assert_eq!(a, render_chart_png(&c, 504.0, 215.0, 200.0).unwrap());
        assert!(a.png.len() < 200_000, "{} bytes", a.png.len());
    }

    #[test]
    fn bands_series_and_text_are_drawn() {
        let p = render_chart_png(&chart(22, true), 504.0, 215.0, 100.0).unwrap();
        let px = pixels(&p);
        let count = |rgb: [u8; 3]| px.chunks_exact(3).filter(|c| *c == rgb).count();
        // The lowest band's tint fills a good part of the plot; the series colour is drawn.
        assert!(count(band_tint(0, 2)) > 2000, "{}", count(band_tint(0, 2)));
        assert!(count(band_tint(1, 2)) > 10000);
        assert!(count(SERIES_COLORS[0]) > 300);
        // Text: dark pixels of the title in its row band.
        let row = p.width_px as usize * 3;
        let title_rows = &px[row * 8..row * 22];
        let dark = title_rows
            .chunks_exact(3)
            .filter(|c| c[0] < 100 && c[1] < 100 && c[2] < 100)
            .count();
        assert!(dark > 100, "title drawn: {dark}");
        // Without bands no tint.
        let plain = render_chart_png(&chart(22, false), 504.0, 215.0, 100.0).unwrap();
        let px = pixels(&plain);
        assert_eq!(
            px.chunks_exact(3).filter(|c| *c == band_tint(0, 2)).count(),
            0
        );
    }

    #[test]
    fn empty_charts_and_bad_sizes() {
        let mut c = chart(0, false);
        c.y_max = f32::NAN;
        assert!(render_chart_png(&c, 504.0, 215.0, 200.0).is_ok());
        assert!(render_chart_png(&chart(3, true), 0.0, 215.0, 200.0).is_err());
        assert!(render_chart_png(&chart(3, true), 504.0, 215.0, f32::NAN).is_err());
        assert!(render_chart_png(&chart(3, true), 504.0, 215.0, 1e6).is_err());
    }
}
