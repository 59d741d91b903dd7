//! Table column widths: the model's relative widths scaled to the text width, then widened where a
//! column's longest word would not fit, taking the room from columns with some to spare. A status
//! column of relative width 1.3 is too narrow for "Discontinued" at 9 pt, which Word would then
//! break in the middle of the word.

/// Scales relative widths to integer twips summing to `total`. Widths that are not positive
/// finite numbers count as the average of the others (or 1 when none is usable).
pub(crate) fn scale_widths(rel: &[f32], total: usize) -> Vec<usize> {
    let good: Vec<f32> = rel
        .iter()
        .copied()
        .filter(|w| w.is_finite() && *w > 0.0)
        .collect();
    let fallback = if good.is_empty() {
        1.0
    } else {
        good.iter().sum::<f32>() / good.len() as f32
    };
    let rel: Vec<f64> = rel
        .iter()
        .map(|w| {
            f64::from(if w.is_finite() && *w > 0.0 {
                *w
            } else {
                fallback
            })
        })
        .collect();
    let sum: f64 = rel.iter().sum();
    let mut widths: Vec<usize> = rel
        .iter()
        .map(|w| (w / sum * total as f64).floor() as usize)
        .collect();
    let used: usize = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last += total - used;
    }
    widths
}

/// Widths summing to `total`, as close to `rel` as the minimum widths `min` (each column's
/// longest word plus cell padding) allow. A column keeps its share when its words fit; a column
/// whose words do not is widened to its minimum, and the room comes from the other columns in
/// proportion to what they have beyond their own minimum. A single very long word (a URL, a file
/// name) claims at most 45% of the table. When even the minimums do not fit, widths follow the
/// minimums.
pub(crate) fn fit_widths(rel: &[f32], total: usize, min: &[usize]) -> Vec<usize> {
    let base = scale_widths(rel, total);
    if base.len() != min.len() || base.is_empty() {
        return base;
    }
    let min: Vec<usize> = base
        .iter()
        .zip(min)
        .map(|(b, m)| (*m).min((*b).max(total * 45 / 100)))
        .collect();
    let needed: usize = min.iter().sum();
    if needed >= total {
        let rel: Vec<f32> = min.iter().map(|m| *m as f32).collect();
        return scale_widths(&rel, total);
    }
    let deficit: usize = base
        .iter()
        .zip(&min)
        .map(|(b, m)| m.saturating_sub(*b))
        .sum();
    if deficit == 0 {
        return base;
    }
    let slack: Vec<usize> = base
        .iter()
        .zip(&min)
        .map(|(b, m)| b.saturating_sub(*m))
        .collect();
    let total_slack: usize = slack.iter().sum();
    let mut widths: Vec<usize> = base
        .iter()
        .zip(&min)
        .zip(&slack)
        .map(|((b, m), s)| {
            if b < m {
                *m
            } else {
                // total_slack >= deficit > 0 here, since the minimums fit.
                b - deficit * s / total_slack
            }
        })
        .collect();
    // Rounding leaves the sum a few twips over: take them from the column with most to spare.
    let mut over = widths.iter().sum::<usize>().saturating_sub(total);
    while over > 0 {
        let Some((i, spare)) = widths
            .iter()
            .zip(&min)
            .map(|(w, m)| w.saturating_sub(*m))
            .enumerate()
            .max_by_key(|(_, spare)| *spare)
        else {
            break;
        };
        if spare == 0 {
            break;
        }
        let take = spare.min(over);
        widths[i] -= take;
        over -= take;
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_sum_to_total() {
        let w = scale_widths(&[1.0, 4.0, 1.2, 1.5], 10086);
        assert_eq!(w.iter().sum::<usize>(), 10086);
        assert!(w[1] > w[0] * 3);
        let w = scale_widths(&[0.0, f32::NAN, 2.0], 900);
        assert_eq!(w, vec![300, 300, 300]);
        let w = scale_widths(&[0.0, 0.0], 1001);
        assert_eq!(w, vec![500, 501]);
    }

    #[test]
    fn narrow_columns_widen_at_the_expense_of_roomy_ones() {
        // Goal:4, Plan:2.2, Status:1.3, Target date:1.4, Progress:1.1 on 10086 twips.
        let rel = [4.0, 2.2, 1.3, 1.4, 1.1];
        let base = scale_widths(&rel, 10086);
        let min = [1500, 1200, 1600, 1100, 1000];
        let w = fit_widths(&rel, 10086, &min);
        assert_eq!(w.iter().sum::<usize>(), 10086);
        assert!(base[2] < 1600 && w[2] == 1600, "{w:?}");
        for i in 0..5 {
            assert!(w[i] >= min[i], "{w:?}");
        }
        // The widest column gave the most.
        assert!(base[0] - w[0] > base[1] - w[1], "{base:?} {w:?}");
        // Nothing to do when every word fits.
        assert_eq!(fit_widths(&rel, 10086, &[100; 5]), base);
    }

    #[test]
    fn impossible_minimums_share_the_width() {
        let w = fit_widths(&[1.0, 1.0], 1000, &[900, 900]);
        assert_eq!(w.iter().sum::<usize>(), 1000);
        // A long URL claims at most 45% of the table.
        let w = fit_widths(&[1.0, 1.0, 1.0], 9000, &[100, 8000, 100]);
        assert_eq!(w[1], 4050);
        assert_eq!(w.iter().sum::<usize>(), 9000);
    }
}
