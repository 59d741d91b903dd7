//! The vector line chart: a bordered box with the title, the legend, the shaded value bands,
//! the value and date axes (`chart_axes`), and one polyline with a marker on every point per
//! series. A chart that does not fit the rest of the page is scaled down to it when that leaves
//! at least [`CHART_MIN_HEIGHT`], else moved to the next page.

use exports_document_model::chart_axis::marker_radius;
use exports_document_model::{Align, LineChart, band_tint};

use super::chart_axes::{DateAxis, Plot, ValueAxis};
use super::text_runs::Label;
use super::{Item, Layout, Tag};
use crate::style::*;
use crate::writer::structure::{Attr, Role};

const TITLE_SIZE: f32 = 10.0;
pub(super) const LABEL_SIZE: f32 = 7.2;
const LEGEND_SIZE: f32 = 7.8;
const BAND_LABEL_SIZE: f32 = 6.4;
const PAD: f32 = 10.0;
/// Marker radius when points are far apart; closer points get smaller markers so that every
/// point stays visible without the markers merging into a band.
const MARKER_R: f32 = 2.1;
const MARKER_R_MIN: f32 = 0.9;

impl Layout {
    /// The chart's height here: the full height when it fits below the cursor (or the page is
    /// empty), else what is left of the page when that is at least [`CHART_MIN_HEIGHT`] (a
    /// slightly flatter chart beats a page left empty below the block before it), else the
    /// full height on a new page, which leaves less than [`CHART_MIN_HEIGHT`] empty.
    fn chart_height(&mut self) -> f32 {
        let full = CHART_HEIGHT.min(self.body_height());
        let room = self.frame.body_bottom - self.y;
        if room + 0.01 >= full || self.at_page_top() {
            full
        } else if room >= CHART_MIN_HEIGHT {
            room
        } else {
            self.new_page();
            full
        }
    }

    pub(super) fn chart(&mut self, c: &LineChart) {
        let f = self.frame;
        self.space(BLOCK_GAP);
        let height = self.chart_height();
        let top = self.y;
        let left = f.left;
        let width = f.width();
        let bottom = top + height;
        // The whole drawing is the figure's content; its alternative text says what it shows.
        let bbox = [left, f.page_h - bottom, left + width, f.page_h - top];
        let figure = self.open(
            None,
            Role::Figure,
            Attr::Figure {
                alt: c.describe(),
                bbox,
            },
        );
        self.text_tag = figure;
        self.art_tag = figure;
        self.push(Item::Stroke {
            x: left,
            y: top,
            w: width,
            h: height,
            color: BORDER,
            width: BORDER_W,
        });
        let y = self.chart_title_and_legend(c, top);

        let values = ValueAxis::new(c);
        let tick_w = values
            .ticks
            .iter()
            .map(|t| self.measure(&values.tick_label(*t), false, LABEL_SIZE))
            .fold(0.0f32, f32::max);
        // The axis label sits above the tick labels.
        let y_label = c.y_label.trim();
        if !y_label.is_empty() {
            self.label(Label {
                text: y_label,
                bold: false,
                size: LABEL_SIZE,
                color: MUTED,
                x: left + PAD,
                top: y,
                align: Align::Left,
            });
        }
        // Band labels go in a gutter right of the plot, where no line or marker covers them.
        let band_label_w = c
            .band_extents()
            .iter()
            .map(|e| self.measure(e.band.label.trim(), false, BAND_LABEL_SIZE))
            .fold(0.0f32, f32::max);
        let band_gutter = if band_label_w > 0.0 {
            band_label_w + 8.0
        } else {
            6.0
        };
        let plot = Plot {
            top: y + LABEL_SIZE * 1.25 + 6.0,
            bottom: bottom - PAD - LABEL_SIZE * 1.25 - 6.0,
            left: left + PAD + tick_w + 6.0,
            right: left + width - PAD - band_gutter,
        };
        self.chart_bands(c, &values, &plot);
        self.chart_gridlines(&values, &plot);
        match DateAxis::new(c, &plot) {
            Some(dates) => {
                self.chart_date_labels(c, &dates, &plot);
                self.chart_series(c, &dates, &values, &plot);
            }
            None => {
                self.label(Label {
                    text: "No data",
                    bold: false,
                    size: LABEL_SIZE + 1.0,
                    color: MUTED,
                    x: (plot.left + plot.right) / 2.0,
                    top: (plot.top + plot.bottom) / 2.0 - LABEL_SIZE,
                    align: Align::Center,
                });
            }
        }
        self.chart_axis_lines(&plot);
        self.art_tag = Tag::Artifact;
        self.close(figure);
        self.y = bottom + BLOCK_GAP_AFTER;
    }

    /// Draws the title, and the legend on its right when there is room (else on the next row);
    /// returns the top of the row below them.
    fn chart_title_and_legend(&mut self, c: &LineChart, top: f32) -> f32 {
        let left = self.frame.left;
        let width = self.frame.width();
        let title_top = top + PAD - 2.0;
        let title_w = self.label(Label {
            text: c.title.trim(),
            bold: true,
            size: TITLE_SIZE,
            color: TEXT_STRONG,
            x: left + PAD,
            top: title_top,
            align: Align::Left,
        });
        let entries: Vec<(f32, &str)> = c
            .series
            .iter()
            .map(|s| {
                (
                    self.measure(s.name.trim(), false, LEGEND_SIZE),
                    s.name.trim(),
                )
            })
            .collect();
        let legend_w: f32 = entries.iter().map(|(w, _)| 18.0 + w + 12.0).sum();
        let mut y = title_top + TITLE_SIZE * 1.25 + 4.0;
        let (mut lx, legend_top) = if title_w + legend_w + 3.0 * PAD < width {
            (left + width - PAD - legend_w + 12.0, title_top + 1.5)
        } else {
            y += LEGEND_SIZE * 1.25 + 4.0;
            (left + PAD, title_top + TITLE_SIZE * 1.25 + 4.0)
        };
        for (k, (w, name)) in entries.iter().enumerate() {
            let color = SERIES_COLORS[k % SERIES_COLORS.len()];
            let cy = legend_top + LEGEND_SIZE * 0.62;
            self.push(Item::Line {
                x1: lx,
                y1: cy,
                x2: lx + 14.0,
                y2: cy,
                color,
                width: 1.6,
            });
            self.push(Item::Dot {
                x: lx + 7.0,
                y: cy,
                r: 2.0,
                color,
            });
            self.label(Label {
                text: name,
                bold: false,
                size: LEGEND_SIZE,
                color: TEXT,
                x: lx + 18.0,
                top: legend_top,
                align: Align::Left,
            });
            lx += 18.0 + w + 12.0;
        }
        y
    }

    /// The bands as light fills across the plot, each labelled right of the plot, level with
    /// its middle, when it is tall enough for the text.
    fn chart_bands(&mut self, c: &LineChart, values: &ValueAxis, plot: &Plot) {
        let extents = c.band_extents();
        for (i, e) in extents.iter().enumerate() {
            let [r, g, b] = band_tint(i, extents.len());
            let (top, bottom) = (plot.y_of(values, e.high), plot.y_of(values, e.low));
            if bottom - top <= 0.0 {
                continue;
            }
            self.push(Item::Fill {
                x: plot.left,
                y: top,
                w: plot.right - plot.left,
                h: bottom - top,
                color: Rgb8(r, g, b),
            });
            let label = e.band.label.trim();
            if !label.is_empty() && bottom - top >= BAND_LABEL_SIZE * 1.2 {
                self.label(Label {
                    text: label,
                    bold: false,
                    size: BAND_LABEL_SIZE,
                    color: MUTED,
                    x: plot.right + 4.0,
                    top: (top + bottom) / 2.0 - BAND_LABEL_SIZE * 0.62,
                    align: Align::Left,
                });
            }
        }
    }

    /// Per series: its polyline, then a marker on every point (finite values only), smaller
    /// when points crowd.
    fn chart_series(&mut self, c: &LineChart, dates: &DateAxis, values: &ValueAxis, plot: &Plot) {
        for (k, s) in c.series.iter().enumerate() {
            let color = SERIES_COLORS[k % SERIES_COLORS.len()];
            let start = self.points.len() as u32;
            for (d, v) in &s.points {
                if v.is_finite() {
                    self.points.push((dates.x_of(*d), plot.y_of(values, *v)));
                }
            }
            let end = self.points.len() as u32;
            if end - start >= 2 {
                self.push(Item::Polyline {
                    start,
                    end,
                    color,
                    width: 1.6,
                });
            }
            let r = marker_radius(
                self.points[start as usize..end as usize]
                    .iter()
                    .map(|p| p.0),
                MARKER_R,
                MARKER_R_MIN,
            );
            for i in start..end {
                let (x, y) = self.points[i as usize];
                self.push(Item::Dot { x, y, r, color });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};
    use exports_document_model::{Band, Block, Document, LineChart, Run, Series};

    use super::super::{Item, Layout};
    use crate::fonts::fonts;
    use crate::style::*;

    fn doc(blocks: Vec<Block>) -> Document {
        let mut d = exports_document_model::sample::clinical_document(1, 1);
        d.blocks = blocks;
        d
    }

    fn layout(blocks: Vec<Block>) -> Layout {
        let d = doc(blocks);
        let mut l =
            Layout::new(fonts().expect("fonts"), &d, crate::PdfOptions::default()).expect("layout");
        l.blocks(&d.blocks);
        l
    }

    fn mood_chart(n: i64) -> LineChart {
        let start = NaiveDate::from_ymd_opt(2026, 1, 6).expect("date");
        LineChart {
            title: "Mood".into(),
            y_label: "mood (1–10)".into(),
            y_max: 10.0,
            series: vec![Series {
                name: "Mood".into(),
                points: (0..n)
                    .map(|i| (start + Duration::weeks(i), (3 + i % 6) as f32))
                    .collect(),
            }],
            bands: vec![],
        }
    }

    fn dots(items: &[Item]) -> usize {
        items
            .iter()
            .filter(|i| matches!(i, Item::Dot { .. }))
            .count()
    }

    fn fills(items: &[Item]) -> Vec<(f32, f32, Rgb8)> {
        items
            .iter()
            .filter_map(|i| match *i {
                Item::Fill { y, h, color, .. } => Some((y, h, color)),
                _ => None,
            })
            .collect()
    }

    /// The bottom of the lowest item on the page: how far its content reaches.
    fn content_bottom(items: &[Item]) -> f32 {
        items
            .iter()
            .map(|i| match *i {
                Item::Text { y, .. } => y,
                Item::Fill { y, h, .. } | Item::Stroke { y, h, .. } => y + h,
                Item::Line { y1, y2, .. } => y1.max(y2),
                Item::Dot { y, r, .. } => y + r,
                Item::Polyline { .. } | Item::Mark { .. } => 0.0,
            })
            .fold(0.0, f32::max)
    }

    #[test]
    fn every_point_gets_a_marker() {
        for n in [2, 22, 150] {
            let l = layout(vec![Block::Chart(mood_chart(n))]);
            assert_eq!(l.pages.len(), 1);
            // One marker per point plus the legend's dot.
            assert_eq!(dots(&l.pages[0]), n as usize + 1, "{n} points");
        }
    }

    #[test]
    fn bands_are_shaded_behind_the_lines_from_green_to_red() {
        let mut c = mood_chart(8);
        c.title = "PHQ-9 scores".into();
        c.y_max = 27.0;
        c.bands = [
            (0.0, 4.0, "Minimal"),
            (5.0, 9.0, "Mild"),
            (10.0, 14.0, "Moderate"),
            (15.0, 19.0, "Moderately severe"),
            (20.0, 27.0, "Severe"),
        ]
        .iter()
        .map(|(from, to, label)| Band {
            from: *from,
            to: *to,
            label: (*label).into(),
        })
        .collect();
        let l = layout(vec![Block::Chart(c)]);
        let items = &l.pages[0];
        let f = fills(items);
        assert_eq!(f.len(), 5, "{f:?}");
        // Lowest band at the bottom, each band's height in proportion to its range.
        assert!(f.windows(2).all(|w| w[0].0 > w[1].0), "{f:?}");
        let unit = f[0].1 / 4.5;
        assert!((f[1].1 - 5.0 * unit).abs() < 0.01 && (f[4].1 - 7.5 * unit).abs() < 0.01);
        let [r, g, b] = exports_document_model::band_tint(0, 5);
        assert_eq!(f[0].2, Rgb8(r, g, b));
        // Fills come before the polyline and markers: they are drawn behind them.
        let first_fill = items.iter().position(|i| matches!(i, Item::Fill { .. }));
        let line = items
            .iter()
            .position(|i| matches!(i, Item::Polyline { .. }));
        assert!(first_fill < line);
    }

    #[test]
    fn a_chart_that_does_not_fit_is_scaled_to_the_page_rather_than_leaving_it_half_empty() {
        // Paragraphs until a full-height chart no longer fits below them (about 60 % down the
        // page), then a chart: moving it would leave the rest of the page empty.
        let probe = layout(vec![]);
        let (top, bottom) = (probe.frame.body_top, probe.frame.body_bottom);
        let body = bottom - top;
        let mut blocks = Vec::new();
        let mut l = layout(vec![]);
        while bottom - l.y >= CHART_HEIGHT + BLOCK_GAP {
            blocks.push(Block::Paragraph {
                text: vec![Run::plain("Line of text.")],
            });
            l = layout(blocks.clone());
        }
        assert_eq!(l.pages.len(), 1);
        let filled = l.y;
        assert!(
            bottom - filled < CHART_HEIGHT + BLOCK_GAP,
            "the chart must not fit"
        );
        blocks.push(Block::Chart(mood_chart(22)));
        let l = layout(blocks);
        assert_eq!(l.pages.len(), 1, "scaled onto the page, not moved");
        let empty = bottom - content_bottom(&l.pages[0]);
        assert!(empty < body * 0.4, "{empty} of {body} left empty");
        let border = l.pages[0]
            .iter()
            .rev()
            .find_map(|i| match *i {
                Item::Stroke { h, .. } => Some(h),
                _ => None,
            })
            .expect("chart border");
        assert!(
            (CHART_MIN_HEIGHT..CHART_HEIGHT).contains(&border),
            "{border}"
        );
        assert_eq!(dots(&l.pages[0]), 23, "every point still drawn");
    }

    #[test]
    fn a_chart_with_too_little_room_moves_and_leaves_little_empty() {
        let probe = layout(vec![]);
        let (top, bottom) = (probe.frame.body_top, probe.frame.body_bottom);
        let mut blocks = Vec::new();
        let mut l = layout(vec![]);
        while bottom - l.y > CHART_MIN_HEIGHT * 0.9 {
            blocks.push(Block::Paragraph {
                text: vec![Run::plain("Line of text.")],
            });
            l = layout(blocks.clone());
        }
        assert_eq!(l.pages.len(), 1);
        blocks.push(Block::Chart(mood_chart(5)));
        let l = layout(blocks);
        assert_eq!(l.pages.len(), 2, "moved to the next page");
        let empty = bottom - content_bottom(&l.pages[0]);
        assert!(empty < (bottom - top) * 0.4, "{empty} left empty");
        assert_eq!(dots(&l.pages[1]), 6);
    }
}
