//! The vector line chart: axes, gridlines, date axis labels, one polyline + markers per series,
//! legend.

use chrono::{Duration, NaiveDate};
use document_model::{Align, LineChart};

use super::text_runs::Label;
use super::{Item, Layout};
use crate::style::*;

const TITLE_SIZE: f32 = 10.0;
const LABEL_SIZE: f32 = 7.2;
const LEGEND_SIZE: f32 = 7.8;
const PAD: f32 = 10.0;

/// A "nice" gridline step (1, 2, 2.5 or 5 × 10^k) for about `target` units.
fn nice_step(target: f32) -> f32 {
    if !(target.is_finite() && target > 0.0) {
        return 1.0;
    }
    let mag = 10f32.powf(target.log10().floor());
    let f = target / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn fmt_value(v: f32, step: f32) -> String {
    if step.fract() == 0.0 && v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

impl Layout {
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

    pub(crate) fn chart(&mut self, c: &LineChart) {
        let f = self.frame;
        self.gap(BLOCK_GAP);
        self.ensure(CHART_HEIGHT);
        let top = self.cursor();
        let left = f.left;
        let width = f.width();
        let bottom = top + CHART_HEIGHT;
        self.item(Item::Stroke {
            x: left,
            y: top,
            w: width,
            h: CHART_HEIGHT,
            color: BORDER,
            width: BORDER_W,
        });

        // Title, and the legend on its right when there is room (else on the next row).
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
            self.item(Item::Line {
                x1: lx,
                y1: cy,
                x2: lx + 14.0,
                y2: cy,
                color,
                width: 1.6,
            });
            self.item(Item::Dot {
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

        // Value axis: 0..y_max with nice gridlines.
        let data_max = c
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .filter(|v| v.is_finite())
            .fold(0.0f32, f32::max);
        let y_max = if c.y_max.is_finite() && c.y_max > 0.0 {
            c.y_max
        } else if data_max > 0.0 {
            data_max
        } else {
            1.0
        };
        let step = nice_step(y_max / 6.0);
        let mut ticks = Vec::new();
        let mut v = 0.0f32;
        while v <= y_max * 1.0001 && ticks.len() < 50 {
            ticks.push(v);
            v += step;
        }
        let tick_w = ticks
            .iter()
            .map(|t| self.measure(&fmt_value(*t, step), false, LABEL_SIZE))
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
        let plot_top = y + LABEL_SIZE * 1.25 + 6.0;
        let plot_bottom = bottom - PAD - LABEL_SIZE * 1.25 - 6.0;
        let plot_left = left + PAD + tick_w + 6.0;
        let plot_right = left + width - PAD - 6.0;
        let plot_h = (plot_bottom - plot_top).max(1.0);
        let to_y = |v: f32| plot_bottom - v.clamp(0.0, y_max) / y_max * plot_h;
        let grid_line = |y: f32| Item::Line {
            x1: plot_left,
            y1: y,
            x2: plot_right,
            y2: y,
            color: GRID,
            width: 0.5,
        };
        for t in &ticks {
            let gy = to_y(*t);
            self.item(grid_line(gy));
            self.label(Label {
                text: &fmt_value(*t, step),
                bold: false,
                size: LABEL_SIZE,
                color: MUTED,
                x: plot_left - 5.0,
                top: gy - LABEL_SIZE * 0.62,
                align: Align::Right,
            });
        }
        if ticks.last().is_some_and(|t| (y_max - t) > step * 0.05) {
            self.item(grid_line(to_y(y_max)));
        }

        // Date axis.
        let dates = c.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
        let (min, max) = dates.fold((None::<NaiveDate>, None::<NaiveDate>), |(lo, hi), d| {
            (
                Some(lo.map_or(d, |l| l.min(d))),
                Some(hi.map_or(d, |h| h.max(d))),
            )
        });
        let inner_l = plot_left + 8.0;
        let inner_r = plot_right - 8.0;
        if let (Some(min), Some(max)) = (min, max) {
            let span = (max - min).num_days().max(0) as f32;
            let to_x = |d: NaiveDate| {
                if span == 0.0 {
                    (inner_l + inner_r) / 2.0
                } else {
                    inner_l + (d - min).num_days() as f32 / span * (inner_r - inner_l)
                }
            };
            let n_labels = if span == 0.0 {
                1
            } else {
                (((inner_r - inner_l) / 90.0) as i64).clamp(2, 6)
            };
            let long = span > 300.0;
            let mut last_label = None;
            for i in 0..n_labels {
                let d = if n_labels == 1 {
                    min
                } else {
                    min + Duration::days((span as i64 * i) / (n_labels - 1))
                };
                if last_label == Some(d) {
                    continue;
                }
                last_label = Some(d);
                let x = to_x(d);
                let text = if long {
                    d.format("%b %Y").to_string()
                } else {
                    d.format("%b %-d").to_string()
                };
                self.item(Item::Line {
                    x1: x,
                    y1: plot_bottom,
                    x2: x,
                    y2: plot_bottom + 3.0,
                    color: AXIS,
                    width: 0.6,
                });
                self.label(Label {
                    text: &text,
                    bold: false,
                    size: LABEL_SIZE,
                    color: MUTED,
                    x,
                    top: plot_bottom + 5.0,
                    align: Align::Center,
                });
            }
            // Series: polyline, then markers on top.
            for (k, s) in c.series.iter().enumerate() {
                let color = SERIES_COLORS[k % SERIES_COLORS.len()];
                let start = self.points.len() as u32;
                for (d, v) in &s.points {
                    if v.is_finite() {
                        self.points.push((to_x(*d), to_y(*v)));
                    }
                }
                let end = self.points.len() as u32;
                if end - start >= 2 {
                    self.item(Item::Polyline {
                        start,
                        end,
                        color,
                        width: 1.6,
                    });
                }
                if end - start <= 80 {
                    for i in start..end {
                        let (x, y) = self.points[i as usize];
                        self.item(Item::Dot {
                            x,
                            y,
                            r: 2.1,
                            color,
                        });
                    }
                }
            }
        } else {
            self.label(Label {
                text: "No data",
                bold: false,
                size: LABEL_SIZE + 1.0,
                color: MUTED,
                x: (plot_left + plot_right) / 2.0,
                top: (plot_top + plot_bottom) / 2.0 - LABEL_SIZE,
                align: Align::Center,
            });
        }
        // Axes over the gridlines.
        self.item(Item::Line {
            x1: plot_left,
            y1: plot_top - 2.0,
            x2: plot_left,
            y2: plot_bottom,
            color: AXIS,
            width: 0.8,
        });
        self.item(Item::Line {
            x1: plot_left,
            y1: plot_bottom,
            x2: plot_right,
            y2: plot_bottom,
            color: AXIS,
            width: 0.8,
        });
        self.advance_to(bottom + BLOCK_GAP_AFTER);
    }
}

#[cfg(test)]
mod tests {
    use super::nice_step;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(27.0 / 6.0), 5.0);
        assert_eq!(nice_step(4.0), 5.0);
        assert_eq!(nice_step(1.8), 2.0);
        assert_eq!(nice_step(0.2), 0.2);
    }
}
