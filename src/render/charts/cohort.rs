//! The charts of a cohort summary: the spread of a metric across banks with every bank
//! marked, and the compliance heat-map of banks against their acceptance criteria (columns
//! headed by short keys such as C1, explained in a legend table beside the chart; a longer
//! header is drawn upright when it fits its column, else turned).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, DrawResult, GRID, INK, PALETTE, WIDTH, axis_decimals, axis_label, err, label_style,
};
use crate::render::view::StripRow;

/// Horizontal strips, one per metric: whisker min–max, box Q1–Q3, median tick, bank dots.
pub(super) fn strip(root: &Area, rows: &[StripRow], percent: bool) -> DrawResult {
    let top = rows.iter().map(|r| r.max).fold(0.0, f64::max);
    let x_max = if percent {
        (top * 1.05).clamp(0.01, 1.0)
    } else {
        (top * 1.1).max(1.0)
    };
    let decimals = axis_decimals(x_max, percent);
    let n = rows.len().max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(26)
        .y_label_area_size(170)
        .build_cartesian_2d(0f64..x_max, -0.5f64..n - 0.5)
        .map_err(err)?;
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .max_light_lines(0)
        .bold_line_style(GRID)
        .x_labels(6)
        .y_labels(rows.len().max(1))
        .x_label_formatter(&|v| axis_label(*v, percent, decimals))
        .y_label_formatter(&|y| {
            let i = y.round();
            if (y - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .label_style(label_style(12))
        .axis_style(INK)
        .draw()
        .map_err(err)?;
    for (i, r) in rows.iter().enumerate() {
        let y = i as f64;
        chart
            .draw_series([PathElement::new(
                vec![(r.min, y), (r.max, y)],
                INK.stroke_width(1),
            )])
            .map_err(err)?;
        if r.q3 > r.q1 {
            chart
                .draw_series([Rectangle::new(
                    [(r.q1, y - 0.22), (r.q3, y + 0.22)],
                    PALETTE[0].mix(0.25).filled(),
                )])
                .map_err(err)?;
        }
        chart
            .draw_series([PathElement::new(
                vec![(r.median, y - 0.28), (r.median, y + 0.28)],
                PALETTE[0].stroke_width(3),
            )])
            .map_err(err)?;
        chart
            .draw_series(
                r.points
                    .iter()
                    .map(|v| Circle::new((*v, y), 3, PALETTE[0].mix(0.7).filled())),
            )
            .map_err(err)?;
        if let Some(own) = r.highlight {
            chart
                .draw_series([TriangleMarker::new((own, y + 0.3), 7, PALETTE[1].filled())])
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Width of the bank names left of the heat-map, and height of one row.
const HEATMAP_LEFT: i32 = 150;
const HEATMAP_ROW: i32 = 16;

/// The width of one heat-map column for `columns` columns.
fn heatmap_cell_width(columns: usize) -> i32 {
    ((WIDTH as i32 - HEATMAP_LEFT - 20) / columns.max(1) as i32).clamp(16, 90)
}

/// Whether a column header fits its column upright (about 6 px per character at 11 px).
fn fits_upright(column: &str, cell_w: i32) -> bool {
    column.chars().count() as i32 * 6 + 4 <= cell_w
}

/// Space above the cells for the column headers: a line for short keys such as C1, more
/// when a header has to be turned.
fn heatmap_top(columns: &[String]) -> i32 {
    let cell_w = heatmap_cell_width(columns.len());
    if columns.iter().all(|c| fits_upright(c, cell_w)) {
        24
    } else {
        70
    }
}

/// The drawing height of a heat-map: headers, one row per bank and a small margin.
pub(super) fn heatmap_height(rows: usize, columns: &[String]) -> u32 {
    (heatmap_top(columns) + HEATMAP_ROW * rows.max(1) as i32 + 16) as u32
}

/// Coloured cells per bank and criterion.
pub(super) fn heatmap(
    root: &Area,
    rows: &[String],
    columns: &[String],
    cells: &[Vec<Option<String>>],
) -> DrawResult {
    let (left, top) = (HEATMAP_LEFT, heatmap_top(columns));
    let cell_w = heatmap_cell_width(columns.len());
    let cell_h = HEATMAP_ROW;
    for (j, column) in columns.iter().enumerate() {
        let x = left + j as i32 * cell_w + cell_w / 2;
        let fits = fits_upright(column, cell_w);
        let (text, style) = if fits {
            let style = label_style(11).pos(Pos::new(HPos::Center, VPos::Bottom));
            (column.clone(), style)
        } else {
            let style = label_style(11)
                .pos(Pos::new(HPos::Left, VPos::Bottom))
                .transform(FontTransform::Rotate270);
            (column.chars().take(22).collect(), style)
        };
        root.draw(&Text::new(text, (x, top - 4), style))
            .map_err(err)?;
    }
    let row_style = label_style(11).pos(Pos::new(HPos::Right, VPos::Center));
    for (i, row) in rows.iter().enumerate() {
        let y = top + i as i32 * cell_h;
        root.draw(&Text::new(
            row.clone(),
            (left - 6, y + cell_h / 2),
            row_style.clone(),
        ))
        .map_err(err)?;
        for (j, cell) in cells.get(i).into_iter().flatten().enumerate() {
            let x = left + j as i32 * cell_w;
            let color = match cell.as_deref() {
                Some("pass") => RGBColor(30, 123, 52).mix(0.85),
                Some("fail") => RGBColor(180, 35, 24).mix(0.85),
                Some(_) => RGBColor(191, 144, 0).mix(0.75),
                None => WHITE.mix(1.0),
            };
            root.draw(&Rectangle::new(
                [(x + 1, y + 1), (x + cell_w - 1, y + cell_h - 1)],
                color.filled(),
            ))
            .map_err(err)?;
            root.draw(&Rectangle::new(
                [(x + 1, y + 1), (x + cell_w - 1, y + cell_h - 1)],
                GRID.stroke_width(1),
            ))
            .map_err(err)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::view::ChartSpec;

    /// The texts of an SVG drawing.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("</text>")
            .filter_map(|part| part.rsplit_once('>').map(|(_, t)| t.trim().to_string()))
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// The percentage labels of the x axis of a strip whose highest value is `max`.
    fn strip_ticks(max: f64) -> Vec<String> {
        let row = StripRow {
            label: "Recall".into(),
            min: 0.0,
            q1: max / 4.0,
            median: max / 2.0,
            q3: max * 0.75,
            max,
            points: vec![0.0, max],
            highlight: Some(max / 2.0),
        };
        let svg = super::super::svg(&ChartSpec::Strip {
            rows: vec![row],
            percent: true,
        })
        .unwrap();
        texts(&svg)
            .into_iter()
            .filter(|t| t.ends_with('%'))
            .collect()
    }

    /// The decimals of each label.
    fn decimals(ticks: &[String]) -> Vec<usize> {
        ticks
            .iter()
            .map(|t| {
                t.trim_end_matches('%')
                    .split_once('.')
                    .map_or(0, |(_, f)| f.len())
            })
            .collect()
    }

    #[test]
    fn a_strip_axis_uses_one_number_format() {
        // Across 10%: the old labels were `0.0%`, `5.0%` beside `10%`, `15%`.
        let ticks = strip_ticks(0.14);
        assert!(ticks.contains(&"5%".to_string()), "{ticks:?}");
        assert!(ticks.contains(&"10%".to_string()), "{ticks:?}");
        assert!(decimals(&ticks).iter().all(|&d| d == 0), "{ticks:?}");
        // A narrow axis: one decimal on every label, `0.0%` included.
        let ticks = strip_ticks(0.03);
        assert!(ticks.len() >= 3, "{ticks:?}");
        assert!(ticks.contains(&"0.0%".to_string()), "{ticks:?}");
        assert!(decimals(&ticks).iter().all(|&d| d == 1), "{ticks:?}");
    }

    #[test]
    fn a_heatmap_with_short_keys_has_no_empty_band() {
        let keys: Vec<String> = (1..=4).map(|i| format!("C{i}")).collect();
        assert_eq!(heatmap_height(5, &keys), 40 + 16 * 5);
        let long = vec!["A criterion with a long name".to_string(); 12];
        assert_eq!(heatmap_height(5, &long), 86 + 16 * 5);
        let spec = ChartSpec::Heatmap {
            rows: vec!["Bank A".into(), "Bank B".into()],
            columns: keys,
            cells: vec![vec![Some("pass".into()); 4], vec![None; 4]],
        };
        let svg = super::super::svg(&spec).unwrap();
        assert!(
            svg.contains(&format!("height=\"{}\"", 40 + 16 * 2)),
            "{svg}"
        );
        assert!(texts(&svg).contains(&"C4".to_string()));
    }
}
