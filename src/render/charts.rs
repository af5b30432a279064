//! Charts drawn once as SVG with plotters, from the chart specs of the view: the PDF embeds the
//! SVG files and the HTML inlines the same text, so both show the same drawing. Labels are
//! escaped by the SVG backend; fonts are named, never fetched.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format;
use super::view::{ChartSpec, Estimate, TrendLine};

/// The font family charts ask for: the typst build embeds it; browsers fall back to serif.
const FONT: &str = "Libertinus Serif";
const WIDTH: u32 = 720;
const HEIGHT: u32 = 300;
const INK: RGBColor = RGBColor(40, 40, 40);
const GRID: RGBColor = RGBColor(225, 225, 225);
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 78, 121),
    RGBColor(197, 90, 17),
    RGBColor(84, 130, 53),
    RGBColor(112, 48, 160),
    RGBColor(191, 144, 0),
    RGBColor(68, 114, 196),
];

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
type DrawResult<T = ()> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Draws one chart as an SVG document.
pub fn svg(spec: &ChartSpec) -> DrawResult<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        match spec {
            ChartSpec::Trend {
                series,
                percent,
                unit,
            } => trend(&root, series, *percent, unit)?,
            ChartSpec::Bars {
                categories,
                series,
                percent,
            } => bars(&root, categories, series, *percent)?,
            ChartSpec::Confusion { tp, fp, tn, fn_ } => confusion(&root, *tp, *fp, *tn, *fn_)?,
            ChartSpec::Histogram { bins, unit } => histogram(&root, bins, unit)?,
        }
        root.present().map_err(err)?;
    }
    Ok(out)
}

fn label_style(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&INK)
}

fn axis_value(v: f64, percent: bool) -> String {
    if percent {
        format!("{}%", format::fixed(v * 100.0, if v < 0.1 { 1 } else { 0 }))
    } else {
        format::fixed(v, 0)
    }
}

/// A y range from 0 to a little above `top`.
fn y_top(top: f64, percent: bool) -> f64 {
    let floor = if percent { 0.01 } else { 1.0 };
    let top = (top * 1.15).max(floor);
    if percent { top.min(1.05) } else { top }
}

/// Category labels under the x axis at positions 0..n, shortened when long.
fn category_labels(chart: &Chart, area: &Area, labels: &[String], every: usize) -> DrawResult {
    let style = label_style(12).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, label) in labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every.max(1) == 0)
    {
        let (x, y) = chart.backend_coord(&(i as f64, 0.0));
        let short: String = if label.chars().count() > 16 {
            label.chars().take(15).chain(['…']).collect()
        } else {
            label.clone()
        };
        area.draw(&Text::new(short, (x, y + 6), style.clone()))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn trend(root: &Area, series: &[TrendLine], percent: bool, unit: &str) -> DrawResult {
    let weeks: Vec<String> = series
        .first()
        .map(|l| l.points.iter().map(|(w, _)| w.clone()).collect())
        .unwrap_or_default();
    let top = series
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|(_, v)| *v))
        .fold(0.0, f64::max);
    let n = weeks.len().max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .margin_right(LEGEND_WIDTH)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..y_top(top, percent))
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .max_light_lines(0)
        .bold_line_style(GRID)
        .y_label_formatter(&|v| axis_value(*v, percent))
        .y_desc(if percent { "" } else { unit })
        .label_style(label_style(12))
        .axis_style(INK)
        .draw()
        .map_err(err)?;
    let short: Vec<String> = weeks
        .iter()
        .map(|w| w.split('-').next_back().unwrap_or(w).to_string())
        .collect();
    category_labels(
        &chart,
        root,
        &short,
        (weeks.len() / 14).max(1) + usize::from(weeks.len() > 14),
    )?;
    for line in series {
        let color = shade(line.color, line.faded);
        for run in runs(&line.points) {
            chart
                .draw_series(LineSeries::new(run.clone(), color.stroke_width(2)))
                .map_err(err)?;
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

/// Palette colour `index`, lighter when `faded`.
fn shade(index: usize, faded: bool) -> RGBAColor {
    PALETTE[index % PALETTE.len()].mix(if faded { 0.45 } else { 1.0 })
}

/// One legend entry.
struct Key {
    label: String,
    color: RGBAColor,
    /// A line swatch (trend) rather than a box (bars).
    line: bool,
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

/// Space kept right of the plot for a legend.
const LEGEND_WIDTH: u32 = 170;

/// A legend drawn right of the plot: a swatch and the label of each series.
fn legend(root: &Area, keys: &[Key]) -> DrawResult {
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

fn bars(
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
    let n = categories.len().max(1) as f64;
    let right = if series.len() > 1 { LEGEND_WIDTH } else { 12 };
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .margin_right(right)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..y_top(top, percent))
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .max_light_lines(0)
        .bold_line_style(GRID)
        .y_label_formatter(&|v| axis_value(*v, percent))
        .label_style(label_style(12))
        .axis_style(INK)
        .draw()
        .map_err(err)?;
    category_labels(&chart, root, categories, 1)?;
    let width = 0.7 / series.len().max(1) as f64;
    for (s, (_, values)) in series.iter().enumerate() {
        let color = PALETTE[s % PALETTE.len()];
        let left = |i: usize| i as f64 - 0.35 + s as f64 * width;
        let boxes = values.iter().enumerate().filter_map(|(i, e)| {
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

fn confusion(root: &Area, tp: f64, fp: f64, tn: f64, fn_: f64) -> DrawResult {
    let total = (tp + fp + tn + fn_).max(1.0);
    let cells = [
        ("True positives", tp, 0, 0),
        ("False negatives", fn_, 1, 0),
        ("False positives", fp, 0, 1),
        ("True negatives", tn, 1, 1),
    ];
    let (x0, y0, cw, ch) = (230i32, 50i32, 200i32, 110i32);
    let head = label_style(13).pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new("Flagged", (x0 + cw / 2, y0 - 18), head.clone()))
        .map_err(err)?;
    root.draw(&Text::new(
        "Not flagged",
        (x0 + cw + cw / 2, y0 - 18),
        head.clone(),
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        "Truly positive",
        (x0 - 70, y0 + ch / 2),
        head.clone(),
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        "Truly negative",
        (x0 - 70, y0 + ch + ch / 2),
        head.clone(),
    ))
    .map_err(err)?;
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

fn histogram(root: &Area, bins: &[(f64, f64, f64)], unit: &str) -> DrawResult {
    let top = bins.iter().map(|b| b.2).fold(0.0, f64::max);
    let n = bins.len().max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..y_top(top, false))
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .max_light_lines(0)
        .bold_line_style(GRID)
        .y_label_formatter(&|v| format::fixed(*v, 0))
        .y_desc("interactions")
        .label_style(label_style(12))
        .axis_style(INK)
        .draw()
        .map_err(err)?;
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
    let boxes = bins.iter().enumerate().map(|(i, b)| {
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
        let confusion = ChartSpec::Confusion {
            tp: 5.0,
            fp: 1.0,
            tn: 10.0,
            fn_: 2.0,
        };
        let histogram = ChartSpec::Histogram {
            bins: vec![(0.0, 100.0, 3.0), (100.0, 200.0, 1.0)],
            unit: "ms".into(),
        };
        for spec in [trend, confusion, histogram] {
            assert!(svg(&spec).unwrap().contains("</svg>"));
        }
    }
}
