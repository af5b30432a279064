//! Charts drawn once as SVG with plotters, from the chart specs of the view: the PDF embeds the
//! SVG files and the HTML inlines the same text, so both show the same drawing. Labels are
//! escaped by the SVG backend; fonts are named, never fetched. `report` draws the charts of a
//! submission report, `cohort` those of a cohort summary.

mod cohort;
mod report;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format;
use super::view::{ChartRef, ChartSpec};

/// The font family charts ask for: the typst build embeds it; browsers fall back to serif.
pub(super) const FONT: &str = "Libertinus Serif";
pub(super) const WIDTH: u32 = 720;
pub(super) const HEIGHT: u32 = 300;
pub(super) const INK: RGBColor = RGBColor(40, 40, 40);
pub(super) const GRID: RGBColor = RGBColor(225, 225, 225);
pub(super) const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 78, 121),
    RGBColor(197, 90, 17),
    RGBColor(84, 130, 53),
    RGBColor(112, 48, 160),
    RGBColor(191, 144, 0),
    RGBColor(68, 114, 196),
];

pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
pub(super) type Chart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
pub(super) type DrawResult<T = ()> = Result<T, String>;

pub(super) fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The one chart pass of a document: every chart its view refers to, drawn once (id → SVG).
pub fn draw_all<'a>(
    charts: impl IntoIterator<Item = &'a ChartRef>,
) -> crate::error::Result<std::collections::BTreeMap<String, String>> {
    charts
        .into_iter()
        .map(|c| {
            let svg = svg(&c.spec).map_err(|message| crate::error::Error::Chart {
                id: c.id.clone(),
                message,
            })?;
            Ok((c.id.clone(), svg))
        })
        .collect()
}

/// Draws one chart as an SVG document.
pub fn svg(spec: &ChartSpec) -> DrawResult<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height(spec))).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        match spec {
            ChartSpec::Trend {
                series,
                percent,
                unit,
            } => report::trend(&root, series, *percent, unit)?,
            ChartSpec::Bars {
                categories,
                series,
                percent,
            } => report::bars(&root, categories, series, *percent)?,
            ChartSpec::Confusion {
                tp,
                fp,
                tn,
                fn_,
                positive,
                negative,
                words,
            } => report::confusion(&root, [*tp, *fp, *tn, *fn_], [positive, negative], words)?,
            ChartSpec::Histogram { bins, unit, axis } => {
                report::histogram(&root, bins, unit, axis)?
            }
            ChartSpec::Strip { rows, percent } => cohort::strip(&root, rows, *percent)?,
            ChartSpec::Heatmap {
                rows,
                columns,
                cells,
            } => cohort::heatmap(&root, rows, columns, cells)?,
        }
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// Palette colour `index`, lighter when `faded`.
pub(super) fn shade(index: usize, faded: bool) -> RGBAColor {
    PALETTE[index % PALETTE.len()].mix(if faded { 0.45 } else { 1.0 })
}

/// One legend entry.
pub(super) struct Key {
    pub label: String,
    pub color: RGBAColor,
    /// A line swatch (trend) rather than a box (bars).
    pub line: bool,
}

/// The drawing height: fixed, except for charts with one row per metric or bank.
fn height(spec: &ChartSpec) -> u32 {
    match spec {
        ChartSpec::Strip { rows, .. } => 60 + 44 * rows.len().max(1) as u32,
        ChartSpec::Heatmap { rows, columns, .. } => cohort::heatmap_height(rows.len(), columns),
        _ => HEIGHT,
    }
}

/// A chart with `n` categories at x = 0..n, a y axis from 0 to `top` with a light grid, and
/// `right` pixels kept free for a legend; category labels are drawn by the caller.
pub(super) fn category_axes<'a, 'b>(
    root: &'a Area<'b>,
    n: usize,
    top: f64,
    right: u32,
    y_format: &dyn Fn(&f64) -> String,
    y_desc: &str,
) -> DrawResult<Chart<'a, 'b>> {
    let n = n.max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .margin_right(right)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .max_light_lines(0)
        .bold_line_style(GRID)
        .y_label_formatter(y_format)
        .y_desc(y_desc)
        .label_style(label_style(12))
        .axis_style(INK)
        .draw()
        .map_err(err)?;
    Ok(chart)
}

pub(super) fn label_style(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&INK)
}

/// Decimals for every label of an axis from 0 to `top`, so the axis uses one format (never
/// `5.0%` beside `10%`): enough for a sixth of the range.
pub(super) fn axis_decimals(top: f64, percent: bool) -> usize {
    let step = if percent { top * 100.0 } else { top } / 6.0;
    if step <= 0.0 || !step.is_finite() {
        return 0;
    }
    ((-step.log10()).ceil().max(0.0) as usize).min(3)
}

/// An axis label with `decimals` places, as a percentage when `percent`.
pub(super) fn axis_label(v: f64, percent: bool, decimals: usize) -> String {
    if percent {
        format!("{}%", format::fixed(v * 100.0, decimals))
    } else {
        format::fixed(v, decimals)
    }
}

/// A y range from 0 to a little above `top`.
pub(super) fn y_top(top: f64, percent: bool) -> f64 {
    let floor = if percent { 0.01 } else { 1.0 };
    let top = (top * 1.15).max(floor);
    if percent { top.min(1.05) } else { top }
}

/// Category labels under the x axis at positions 0..n, shortened when long.
pub(super) fn category_labels(
    chart: &Chart,
    area: &Area,
    labels: &[String],
    every: usize,
) -> DrawResult {
    let style = label_style(12).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, label) in labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every.max(1) == 0)
    {
        let (x, y) = chart.backend_coord(&(i as f64, 0.0));
        let short: String = if label.chars().count() > 20 {
            label.chars().take(19).chain(['…']).collect()
        } else {
            label.clone()
        };
        area.draw(&Text::new(short, (x, y + 6), style.clone()))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Space kept right of the plot for a legend.
pub(super) const LEGEND_WIDTH: u32 = 170;

/// A legend drawn right of the plot: a swatch and the label of each series.
pub(super) fn legend(root: &Area, keys: &[Key]) -> DrawResult {
    let x = (WIDTH - LEGEND_WIDTH + 14) as i32;
    let style = label_style(12).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, key) in keys.iter().enumerate() {
        let y = 24 + 20 * i as i32;
        if key.line {
            root.draw(&PathElement::new(
                vec![(x, y), (x + 18, y)],
                key.color.stroke_width(2),
            ))
            .map_err(err)?;
        } else {
            root.draw(&Rectangle::new(
                [(x + 3, y - 6), (x + 15, y + 6)],
                key.color.filled(),
            ))
            .map_err(err)?;
        }
        let short: String = if key.label.chars().count() > 24 {
            key.label.chars().take(23).chain(['…']).collect()
        } else {
            key.label.clone()
        };
        root.draw(&Text::new(short, (x + 24, y), style.clone()))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::view::{Estimate, TrendLine};

    #[test]
    fn bars_escape_labels_and_are_deterministic() {
        let spec = ChartSpec::Bars {
            categories: vec!["<b>x</b>".into(), "web".into()],
            series: vec![(
                "ai".into(),
                vec![
                    Some(Estimate {
                        value: 0.5,
                        low: Some(0.4),
                        high: Some(0.6),
                    }),
                    None,
                ],
            )],
            percent: true,
        };
        let a = svg(&spec).unwrap();
        assert!(a.starts_with("<svg"));
        assert!(a.contains("&lt;b&gt;x&lt;/b&gt;"), "{a}");
        assert!(!a.contains("<b>"));
        assert_eq!(a, svg(&spec).unwrap());
    }

    #[test]
    fn every_kind_draws() {
        let trend = ChartSpec::Trend {
            series: vec![TrendLine {
                label: "Recall".into(),
                points: vec![
                    ("2025-W23".into(), Some(0.9)),
                    ("2025-W24".into(), None),
                    ("2025-W25".into(), Some(0.8)),
                ],
                color: 0,
                faded: false,
            }],
            percent: true,
            unit: "%".into(),
        };
        assert_eq!(axis_decimals(1.05, true), 0);
        assert_eq!(axis_decimals(0.05, true), 1);
        assert_eq!(axis_decimals(600.0, false), 0);
        assert_eq!(axis_label(0.05, true, 1), "5.0%");
        assert_eq!(axis_label(0.1, true, 1), "10.0%");
        let confusion = ChartSpec::Confusion {
            tp: 5.0,
            fp: 1.0,
            tn: 10.0,
            fn_: 2.0,
            positive: "Attack".into(),
            negative: "Genuine".into(),
            words: ["TP", "FN", "FP", "TN", "Truth", "Flagged", "Not flagged"]
                .map(String::from)
                .into(),
        };
        let histogram = ChartSpec::Histogram {
            bins: vec![(0.0, 100.0, 3.0), (100.0, 200.0, 1.0)],
            unit: "ms".into(),
            axis: "interactions".into(),
        };
        for spec in [trend, confusion, histogram] {
            assert!(svg(&spec).unwrap().contains("</svg>"));
        }
    }
}
