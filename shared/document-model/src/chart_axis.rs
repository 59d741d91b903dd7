//! Axis arithmetic every chart renderer shares (PDF vectors, the DOCX picture), so a chart's
//! ticks and date labels are the same whichever format shows it.

/// A "nice" gridline step (1, 2, 2.5 or 5 × 10^k) for about `target` units.
pub fn nice_step(target: f32) -> f32 {
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

/// The top of a chart's value axis: its `y_max` when that is set, else the largest finite value
/// (1 when there is none).
pub fn value_max(chart: &crate::LineChart) -> f32 {
    let data_max = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold(0.0f32, f32::max);
    if chart.y_max.is_finite() && chart.y_max > 0.0 {
        chart.y_max
    } else if data_max > 0.0 {
        data_max
    } else {
        1.0
    }
}

/// The value axis `0..max`: about six gridlines at a nice step, `(step, ticks)`. At most 50
/// ticks, so that a degenerate step (huge `max`) cannot produce thousands of lines.
pub fn value_ticks(max: f32) -> (f32, Vec<f32>) {
    let step = nice_step(max / 6.0);
    let mut ticks = Vec::new();
    let mut v = 0.0f32;
    while v <= max * 1.0001 && ticks.len() < 50 {
        ticks.push(v);
        v += step;
    }
    (step, ticks)
}

/// A tick's label: whole numbers when the step is whole.
pub fn tick_label(v: f32, step: f32) -> String {
    if step.fract() == 0.0 && v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Which of the centred labels `(x, width)` (in x order) to draw so that none overlap, with at
/// least `gap` between neighbours: greedily from the first; the last replaces the labels
/// before it that it would collide with, so both ends of the axis are labelled whenever two
/// labels fit at all.
pub fn thin_labels(labels: &[(f32, f32)], gap: f32) -> Vec<usize> {
    let clears = |a: (f32, f32), b: (f32, f32)| b.0 - b.1 / 2.0 >= a.0 + a.1 / 2.0 + gap;
    let mut kept: Vec<usize> = Vec::new();
    for (i, l) in labels.iter().enumerate() {
        match kept.last() {
            Some(&k) if !clears(labels[k], *l) => {}
            _ => kept.push(i),
        }
    }
    let last = labels.len().saturating_sub(1);
    if labels.len() > 1 && kept.last() != Some(&last) {
        while kept.len() > 1 && !clears(labels[kept[kept.len() - 1]], labels[last]) {
            kept.pop();
        }
        if kept
            .last()
            .is_some_and(|&k| clears(labels[k], labels[last]))
        {
            kept.push(last);
        }
    }
    kept
}

/// Marker radius for points `xs` apart at the closest: `max`, or less when neighbours are
/// closer than about three radii, never below `min`, so every point stays a visible marker
/// without markers merging into a band.
pub fn marker_radius(xs: impl IntoIterator<Item = f32>, max: f32, min: f32) -> f32 {
    let mut prev: Option<f32> = None;
    let mut closest = f32::INFINITY;
    for x in xs {
        if let Some(p) = prev {
            let d = (x - p).abs();
            if d > 0.0 {
                closest = closest.min(d);
            }
        }
        prev = Some(x);
    }
    (closest / 3.0).clamp(min, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_axis_tops_at_y_max_else_the_largest_value() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 10).expect("date");
        let chart = |y_max: f32, values: &[f32]| crate::LineChart {
            title: "Mood".into(),
            y_label: "mood".into(),
            y_max,
            series: vec![crate::Series {
                name: "Mood".into(),
                points: values.iter().map(|v| (day, *v)).collect(),
            }],
            bands: Vec::new(),
        };
        assert_eq!(value_max(&chart(10.0, &[3.0, 12.0])), 10.0);
        assert_eq!(value_max(&chart(0.0, &[3.0, f32::NAN, 7.5])), 7.5);
        assert_eq!(value_max(&chart(f32::NAN, &[])), 1.0);
        assert_eq!(value_max(&chart(-2.0, &[-4.0])), 1.0);
    }

    #[test]
    fn nice_steps_and_ticks() {
        assert_eq!(nice_step(27.0 / 6.0), 5.0);
        assert_eq!(nice_step(4.0), 5.0);
        assert_eq!(nice_step(1.8), 2.0);
        assert_eq!(nice_step(0.2), 0.2);
        assert_eq!(
            value_ticks(27.0),
            (5.0, vec![0.0, 5.0, 10.0, 15.0, 20.0, 25.0])
        );
        assert_eq!(value_ticks(10.0).1.len(), 6);
        assert_eq!(tick_label(5.0, 5.0), "5");
        assert_eq!(tick_label(0.5, 0.5), "0.5");
    }

    #[test]
    fn date_labels_are_thinned_to_what_fits_keeping_both_ends() {
        let labels =
            |xs: &[f32], w: f32| -> Vec<(f32, f32)> { xs.iter().map(|x| (*x, w)).collect() };
        assert_eq!(
            thin_labels(&labels(&[0.0, 50.0, 100.0], 20.0), 6.0),
            [0, 1, 2]
        );
        // 22 weekly points across 400 pt with 24 pt labels: a subset, ends kept, none overlap.
        let xs: Vec<f32> = (0..22).map(|i| i as f32 * 400.0 / 21.0).collect();
        let kept = thin_labels(&labels(&xs, 24.0), 6.0);
        assert_eq!(kept.first(), Some(&0));
        assert_eq!(kept.last(), Some(&21));
        assert!(kept.len() >= 8 && kept.len() < 22, "{kept:?}");
        for w in kept.windows(2) {
            assert!(xs[w[1]] - xs[w[0]] >= 24.0 + 6.0, "{kept:?}");
        }
        // Two points too close for two labels: the first only.
        assert_eq!(thin_labels(&labels(&[0.0, 5.0], 30.0), 6.0), [0]);
        assert!(thin_labels(&[], 6.0).is_empty());
    }

    #[test]
    fn markers_shrink_when_points_crowd() {
        assert_eq!(marker_radius([0.0, 40.0], 2.1, 0.9), 2.1);
        assert_eq!(marker_radius([0.0, 1.0], 2.1, 0.9), 0.9);
        assert_eq!(marker_radius([0.0], 2.1, 0.9), 2.1);
    }
}
