//! The vector line chart: a bordered box with the title, the legend, the value and date axes
//! (`chart_axes`), and one polyline with markers per series.

use exports_document_model::{Align, LineChart};

use super::chart_axes::{DateAxis, Plot, ValueAxis};
use super::text_runs::Label;
use super::{Item, Layout};
use crate::style::*;

const TITLE_SIZE: f32 = 10.0;
pub(super) const LABEL_SIZE: f32 = 7.2;
const LEGEND_SIZE: f32 = 7.8;
const PAD: f32 = 10.0;
/// Above this many points a series is drawn without markers: they would merge into a band.
const MAX_MARKERS: u32 = 80;

impl Layout {
    pub(super) fn chart(&mut self, c: &LineChart) {
        let f = self.frame;
        self.space(BLOCK_GAP);
        self.need(CHART_HEIGHT);
        let top = self.y;
        let left = f.left;
        let width = f.width();
        let bottom = top + CHART_HEIGHT;
        self.push(Item::Stroke {
            x: left,
            y: top,
            w: width,
            h: CHART_HEIGHT,
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
        let plot = Plot {
            top: y + LABEL_SIZE * 1.25 + 6.0,
            bottom: bottom - PAD - LABEL_SIZE * 1.25 - 6.0,
            left: left + PAD + tick_w + 6.0,
            right: left + width - PAD - 6.0,
        };
        self.chart_gridlines(&values, &plot);
        match DateAxis::new(c, &plot) {
            Some(dates) => {
                self.chart_date_labels(&dates, &plot);
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

    /// Per series: its polyline, then markers on top (finite values only).
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
            if end - start <= MAX_MARKERS {
                for i in start..end {
                    let (x, y) = self.points[i as usize];
                    self.push(Item::Dot {
                        x,
                        y,
                        r: 2.1,
                        color,
                    });
                }
            }
        }
    }
}
