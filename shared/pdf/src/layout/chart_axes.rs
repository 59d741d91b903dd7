//! The chart's axes: value ticks with gridlines, date labels, and the two axis lines.

use chrono::{Datelike, NaiveDate};
use exports_document_model::chart_axis::{thin_labels, tick_label, value_max, value_ticks};
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
        let max = value_max(c);
        let (step, ticks) = value_ticks(max);
        ValueAxis { max, step, ticks }
    }

    /// A tick's label: whole numbers when the step is whole.
    pub(super) fn tick_label(&self, v: f32) -> String {
        tick_label(v, self.step)
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

    /// Tick marks and labels under the plot at the points' dates (`10 Mar`, with the year when
    /// the dates span more than one year), thinned so that no two labels overlap: the first
    /// date always, then each date whose label clears the previous one, and the last date in
    /// place of the one before it when they would collide. Every point still has a marker.
    pub(super) fn chart_date_labels(&mut self, c: &LineChart, dates: &DateAxis, plot: &Plot) {
        let mut all: Vec<NaiveDate> = c
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .collect();
        all.sort_unstable();
        all.dedup();
        let (Some(first), Some(last)) = (all.first().copied(), all.last().copied()) else {
            return;
        };
        let with_year = first.year() != last.year();
        let labels: Vec<(f32, String, f32)> = all
            .iter()
            .map(|d| {
                let text = if with_year {
                    d.format("%-d %b %Y").to_string()
                } else {
                    d.format("%-d %b").to_string()
                };
                let w = self.measure(&text, false, LABEL_SIZE);
                (dates.x_of(*d), text, w)
            })
            .collect();
        let extents: Vec<(f32, f32)> = labels.iter().map(|l| (l.0, l.2)).collect();
        for i in thin_labels(&extents, LABEL_GAP) {
            let (x, text, _) = &labels[i];
            self.push(Item::Line {
                x1: *x,
                y1: plot.bottom,
                x2: *x,
                y2: plot.bottom + 3.0,
                color: AXIS,
                width: 0.6,
            });
            self.label(Label {
                text,
                bold: false,
                size: LABEL_SIZE,
                color: MUTED,
                x: *x,
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

/// Space between two date labels, in points.
const LABEL_GAP: f32 = 6.0;
