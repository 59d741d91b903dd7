//! The chart's axes: value ticks with gridlines, date labels, and the two axis lines.

use chrono::{Duration, NaiveDate};
use exports_document_model::{Align, LineChart};

use super::chart::LABEL_SIZE;
use super::text_runs::Label;
use super::{Item, Layout};
use crate::style::*;

/// The plotting area, in page coordinates.
pub(super) struct Plot {
    pub top: f32,
    pub bottom: f32,
    pub left: f32,
    pub right: f32,
}

impl Plot {
    /// Where value `v` lands vertically (clamped to the axis).
    pub(super) fn y_of(&self, values: &ValueAxis, v: f32) -> f32 {
        let height = (self.bottom - self.top).max(1.0);
        self.bottom - v.clamp(0.0, values.max) / values.max * height
    }
}

/// The value axis: `0..max` with gridlines every `step`.
pub(super) struct ValueAxis {
    pub max: f32,
    pub step: f32,
    pub ticks: Vec<f32>,
}

impl ValueAxis {
    /// The chart's `y_max` when it is set, else the largest value (1 when there is none).
    pub(super) fn new(c: &LineChart) -> ValueAxis {
        let data_max = c
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .filter(|v| v.is_finite())
            .fold(0.0f32, f32::max);
        let max = if c.y_max.is_finite() && c.y_max > 0.0 {
            c.y_max
        } else if data_max > 0.0 {
            data_max
        } else {
            1.0
        };
        let step = nice_step(max / 6.0);
        let mut ticks = Vec::new();
        let mut v = 0.0f32;
        // The bound keeps a degenerate step (huge `max`) from producing thousands of lines.
        while v <= max * 1.0001 && ticks.len() < 50 {
            ticks.push(v);
            v += step;
        }
        ValueAxis { max, step, ticks }
    }

    /// A tick's label: whole numbers when the step is whole.
    pub(super) fn tick_label(&self, v: f32) -> String {
        if self.step.fract() == 0.0 && v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    }
}

/// The date axis: the series' first to last date across the plot, inset from its edges.
pub(super) struct DateAxis {
    first: NaiveDate,
    /// Days from the first to the last date.
    span: f32,
    left: f32,
    right: f32,
}

impl DateAxis {
    /// `None` when no series has a point.
    pub(super) fn new(c: &LineChart, plot: &Plot) -> Option<DateAxis> {
        let dates = c.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
        let (min, max) = dates.fold((None::<NaiveDate>, None::<NaiveDate>), |(lo, hi), d| {
            (
                Some(lo.map_or(d, |l| l.min(d))),
                Some(hi.map_or(d, |h| h.max(d))),
            )
        });
        let (first, last) = min.zip(max)?;
        Some(DateAxis {
            first,
            span: (last - first).num_days().max(0) as f32,
            left: plot.left + 8.0,
            right: plot.right - 8.0,
        })
    }

    /// Where date `d` lands horizontally; a single date sits in the middle.
    pub(super) fn x_of(&self, d: NaiveDate) -> f32 {
        if self.span == 0.0 {
            (self.left + self.right) / 2.0
        } else {
            self.left + (d - self.first).num_days() as f32 / self.span * (self.right - self.left)
        }
    }

    /// The labelled dates: evenly spaced, about one per 90 pt, without repeats.
    fn label_dates(&self) -> Vec<NaiveDate> {
        let n = if self.span == 0.0 {
            1
        } else {
            (((self.right - self.left) / 90.0) as i64).clamp(2, 6)
        };
        let mut dates: Vec<NaiveDate> = Vec::with_capacity(n as usize);
        for i in 0..n {
            let d = if n == 1 {
                self.first
            } else {
                self.first + Duration::days((self.span as i64 * i) / (n - 1))
            };
            if dates.last() != Some(&d) {
                dates.push(d);
            }
        }
        dates
    }
}

impl Layout {
    /// Gridlines with their value labels, plus a line at the top when `max` is not a tick.
    pub(super) fn chart_gridlines(&mut self, values: &ValueAxis, plot: &Plot) {
        let grid_line = |y: f32| Item::Line {
            x1: plot.left,
            y1: y,
            x2: plot.right,
            y2: y,
            color: GRID,
            width: 0.5,
        };
        for t in &values.ticks {
            let gy = plot.y_of(values, *t);
            self.push(grid_line(gy));
            self.label(Label {
                text: &values.tick_label(*t),
                bold: false,
                size: LABEL_SIZE,
                color: MUTED,
                x: plot.left - 5.0,
                top: gy - LABEL_SIZE * 0.62,
                align: Align::Right,
            });
        }
        if values
            .ticks
            .last()
            .is_some_and(|t| (values.max - t) > values.step * 0.05)
        {
            self.push(grid_line(plot.y_of(values, values.max)));
        }
    }

    /// Tick marks and labels under the plot; months and years when the span exceeds 300 days.
    pub(super) fn chart_date_labels(&mut self, dates: &DateAxis, plot: &Plot) {
        let long = dates.span > 300.0;
        for d in dates.label_dates() {
            let x = dates.x_of(d);
            let text = if long {
                d.format("%b %Y").to_string()
            } else {
                d.format("%b %-d").to_string()
            };
            self.push(Item::Line {
                x1: x,
                y1: plot.bottom,
                x2: x,
                y2: plot.bottom + 3.0,
                color: AXIS,
                width: 0.6,
            });
            self.label(Label {
                text: &text,
                bold: false,
                size: LABEL_SIZE,
                color: MUTED,
                x,
                top: plot.bottom + 5.0,
                align: Align::Center,
            });
        }
    }

    /// The value and date axis lines, drawn over the gridlines.
    pub(super) fn chart_axis_lines(&mut self, plot: &Plot) {
        self.push(Item::Line {
            x1: plot.left,
            y1: plot.top - 2.0,
            x2: plot.left,
            y2: plot.bottom,
            color: AXIS,
            width: 0.8,
        });
        self.push(Item::Line {
            x1: plot.left,
            y1: plot.bottom,
            x2: plot.right,
            y2: plot.bottom,
            color: AXIS,
            width: 0.8,
        });
    }
}

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
