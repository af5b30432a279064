//! The charts of a submission report: weekly trends, bars with intervals, the confusion
//! matrix and a histogram.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, DrawResult, FONT, INK, Key, LEGEND_WIDTH, PALETTE, axis_decimals, axis_label,
    category_axes, category_labels, err, label_style, legend, shade, y_top,
};
use crate::render::format;
use crate::render::view::{Estimate, TrendLine};

pub(super) fn trend(root: &Area, series: &[TrendLine], percent: bool, unit: &str) -> DrawResult {
    let weeks: Vec<String> = series
        .first()
        .map(|l| l.points.iter().map(|(w, _)| w.clone()).collect())
        .unwrap_or_default();
    let top = series
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|(_, v)| *v))
        .fold(0.0, f64::max);
    let y_desc = if percent { "" } else { unit };
    let top = y_top(top, percent);
    let decimals = axis_decimals(top, percent);
    let format = |v: &f64| axis_label(*v, percent, decimals);
    let mut chart = category_axes(root, weeks.len(), top, LEGEND_WIDTH, &format, y_desc)?;
    let (labels, most) = week_labels(&weeks);
    category_labels(&chart, root, &labels, weeks.len().div_ceil(most))?;
    for line in series {
        let color = shade(line.color, line.faded);
        for run in runs(&line.points) {
            // A lone known week is a dot: a one-point line is no line (and SVG readers warn).
            if run.len() > 1 {
                chart
                    .draw_series(LineSeries::new(run.clone(), color.stroke_width(2)))
                    .map_err(err)?;
            }
            chart
                .draw_series(run.iter().map(|c| Circle::new(*c, 3, color.filled())))
                .map_err(err)?;
        }
    }
    let keys: Vec<Key> = series
        .iter()
        .map(|l| Key {
            label: l.label.clone(),
            color: shade(l.color, l.faded),
            line: true,
        })
        .collect();
    legend(root, &keys)
}

/// Labels for ISO weeks (`2025-W23`) and how many fit under the axis: `W23` while every
/// week is in one year, the whole `2025-W52` when the period crosses a year.
fn week_labels(weeks: &[String]) -> (Vec<String>, usize) {
    let year = |w: &String| w.split('-').next().unwrap_or_default().to_string();
    let one_year = weeks
        .iter()
        .all(|w| year(w) == weeks.first().map(year).unwrap_or_default());
    if one_year {
        let short = weeks
            .iter()
            .map(|w| w.split('-').next_back().unwrap_or(w).to_string())
            .collect();
        (short, 12)
    } else {
        (weeks.to_vec(), 6)
    }
}

/// Runs of consecutive known values as (x, y) points; unknown weeks break the line.
fn runs(points: &[(String, Option<f64>)]) -> Vec<Vec<(f64, f64)>> {
    let mut all = Vec::new();
    let mut current = Vec::new();
    for (x, (_, value)) in points.iter().enumerate() {
        match value {
            Some(v) => current.push((x as f64, *v)),
            None if !current.is_empty() => all.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        all.push(current);
    }
    all
}

pub(super) fn bars(
    root: &Area,
    categories: &[String],
    series: &[(String, Vec<Option<Estimate>>)],
    percent: bool,
) -> DrawResult {
    let top = series
        .iter()
        .flat_map(|(_, v)| {
            v.iter()
                .flatten()
                .map(|e| e.high.unwrap_or(e.value).max(e.value))
        })
        .fold(0.0, f64::max);
    let right = if series.len() > 1 { LEGEND_WIDTH } else { 12 };
    let top = y_top(top, percent);
    let decimals = axis_decimals(top, percent);
    let format = |v: &f64| axis_label(*v, percent, decimals);
    let mut chart = category_axes(root, categories.len(), top, right, &format, "")?;
    category_labels(&chart, root, categories, 1)?;
    let width = 0.7 / series.len().max(1) as f64;
    for (s, (_, values)) in series.iter().enumerate() {
        let color = PALETTE[s % PALETTE.len()];
        let left = |i: usize| i as f64 - 0.35 + s as f64 * width;
        // Zero-height bars are left out: an empty rectangle is invalid SVG for some readers.
        let boxes = values
            .iter()
            .enumerate()
            .filter(|(_, e)| e.is_some_and(|e| e.value > top / 120.0))
            .filter_map(|(i, e)| {
                e.map(|e| {
                    Rectangle::new(
                        [(left(i) + 0.02, 0.0), (left(i) + width - 0.02, e.value)],
                        color.mix(0.85).filled(),
                    )
                })
            });
        chart.draw_series(boxes).map_err(err)?;
        let whiskers = values.iter().enumerate().filter_map(|(i, e)| {
            let e = (*e)?;
            let mid = left(i) + width / 2.0;
            Some(ErrorBar::new_vertical(
                mid,
                e.low?,
                e.value,
                e.high?,
                INK.stroke_width(1),
                6,
            ))
        });
        chart.draw_series(whiskers).map_err(err)?;
    }
    if series.len() > 1 {
        let keys: Vec<Key> = series
            .iter()
            .enumerate()
            .map(|(i, (label, _))| Key {
                label: label.clone(),
                color: shade(i, false),
                line: false,
            })
            .collect();
        legend(root, &keys)?;
    }
    Ok(())
}

/// The 2×2 matrix of `[tp, fp, tn, fn]`: columns by decision, rows by the ground-truth
/// classes `[positive, negative]`.
/// `words` names the cells (tp, fn, fp, tn) and the heads (ground truth, flagged, not flagged).
pub(super) fn confusion(
    root: &Area,
    counts: [f64; 4],
    classes: [&String; 2],
    words: &[String; 7],
) -> DrawResult {
    let [tp, fp, tn, fn_] = counts;
    let total = (tp + fp + tn + fn_).max(1.0);
    let cells = [
        (words[0].as_str(), tp, 0, 0),
        (words[1].as_str(), fn_, 1, 0),
        (words[2].as_str(), fp, 0, 1),
        (words[3].as_str(), tn, 1, 1),
    ];
    let (x0, y0, cw, ch) = (230i32, 50i32, 200i32, 110i32);
    let head = label_style(13).pos(Pos::new(HPos::Center, VPos::Center));
    let heads = [
        (words[4].clone(), (x0 - 70, y0 - 18)),
        (words[5].clone(), (x0 + cw / 2, y0 - 18)),
        (words[6].clone(), (x0 + cw + cw / 2, y0 - 18)),
        (classes[0].clone(), (x0 - 70, y0 + ch / 2)),
        (classes[1].clone(), (x0 - 70, y0 + ch + ch / 2)),
    ];
    for (text, at) in heads {
        root.draw(&Text::new(text, at, head.clone())).map_err(err)?;
    }
    for (label, count, col, row) in cells {
        let correct = col == row;
        let base = if correct { PALETTE[0] } else { PALETTE[1] };
        let shade = 0.15 + 0.6 * (count / total).sqrt();
        let (x, y) = (x0 + col * cw, y0 + row * ch);
        root.draw(&Rectangle::new(
            [(x, y), (x + cw, y + ch)],
            base.mix(shade).filled(),
        ))
        .map_err(err)?;
        root.draw(&Rectangle::new(
            [(x, y), (x + cw, y + ch)],
            WHITE.stroke_width(2),
        ))
        .map_err(err)?;
        let ink = if shade > 0.5 { WHITE } else { INK };
        let big = TextStyle::from((FONT, 24).into_font())
            .color(&ink)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let small = TextStyle::from((FONT, 12).into_font())
            .color(&ink)
            .pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new(
            format::fixed(count, 0),
            (x + cw / 2, y + ch / 2 - 10),
            big,
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            format!("{label} · {}", format::percent(count / total)),
            (x + cw / 2, y + ch / 2 + 18),
            small,
        ))
        .map_err(err)?;
    }
    Ok(())
}

pub(super) fn histogram(
    root: &Area,
    bins: &[(f64, f64, f64)],
    unit: &str,
    axis: &str,
) -> DrawResult {
    let top = y_top(bins.iter().map(|b| b.2).fold(0.0, f64::max), false);
    let decimals = axis_decimals(top, false);
    let format = |v: &f64| axis_label(*v, false, decimals);
    let mut chart = category_axes(root, bins.len(), top, 12, &format, axis)?;
    let labels: Vec<String> = bins
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if i + 1 == bins.len() {
                format!("≥{} {unit}", format::fixed(b.0, 0))
            } else {
                format::fixed(b.0, 0)
            }
        })
        .collect();
    category_labels(&chart, root, &labels, (bins.len() / 8).max(1))?;
    // Bins under one pixel high are left out: a zero-height rectangle is invalid SVG.
    let boxes = bins
        .iter()
        .enumerate()
        .filter(|(_, b)| b.2 > top / 120.0)
        .map(|(i, b)| {
            Rectangle::new(
                [(i as f64 - 0.45, 0.0), (i as f64 + 0.45, b.2)],
                PALETTE[0].mix(0.85).filled(),
            )
        });
    chart.draw_series(boxes).map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn week_labels_carry_the_year_only_across_years() {
        let one: Vec<String> = ["2025-W23", "2025-W24"].map(String::from).to_vec();
        assert_eq!(week_labels(&one).0, ["W23", "W24"]);
        let two: Vec<String> = ["2025-W52", "2026-W01"].map(String::from).to_vec();
        assert_eq!(week_labels(&two).0, ["2025-W52", "2026-W01"]);
    }
}
