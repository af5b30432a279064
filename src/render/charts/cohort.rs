//! The charts of a cohort summary: the spread of a metric across banks with every bank
//! marked, and the compliance heat-map of banks against their acceptance criteria (columns
//! headed by short keys such as C1, explained in a legend table beside the chart; a longer
//! header is drawn upright when it fits its column, else turned).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Area, DrawResult, GRID, INK, PALETTE, WIDTH, axis_value, err, label_style};
use crate::render::view::StripRow;

/// Horizontal strips, one per metric: whisker min–max, box Q1–Q3, median tick, bank dots.
pub(super) fn strip(root: &Area, rows: &[StripRow], percent: bool) -> DrawResult {
    let top = rows.iter().map(|r| r.max).fold(0.0, f64::max);
    let x_max = if percent {
        (top * 1.05).clamp(0.01, 1.0)
    } else {
        (top * 1.1).max(1.0)
    };
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
        .x_label_formatter(&|v| axis_value(*v, percent))
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

/// Coloured cells per bank and criterion.
pub(super) fn heatmap(
    root: &Area,
    rows: &[String],
    columns: &[String],
    cells: &[Vec<Option<String>>],
) -> DrawResult {
    let (left, top) = (150i32, 70i32);
    let cell_w = ((WIDTH as i32 - left - 20) / columns.len().max(1) as i32).clamp(16, 90);
    let cell_h = 16i32;
    for (j, column) in columns.iter().enumerate() {
        let x = left + j as i32 * cell_w + cell_w / 2;
        // About 6 px per character at 11 px: upright when it fits the column.
        let fits = column.chars().count() as i32 * 6 + 4 <= cell_w;
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
