//! The building blocks of a section: labelled facts, tables of formatted cells, charts and
//! short texts. Templates draw each kind with their own markup.

use serde::Serialize;

use super::LabelledText;

/// One block of a section, tagged by `type` for the templates.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A sub-heading inside a section.
    Heading {
        text: String,
    },
    /// Label–value rows.
    Facts {
        rows: Vec<LabelledText>,
    },
    Table(Table),
    Chart(ChartRef),
    /// A sentence of plain text.
    Text {
        text: String,
    },
}

/// A table of already formatted cells.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub caption: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub title: String,
    /// `left` or `right`.
    pub align: &'static str,
}

impl Column {
    pub fn left(title: &str) -> Column {
        Column {
            title: title.into(),
            align: "left",
        }
    }

    pub fn right(title: &str) -> Column {
        Column {
            title: title.into(),
            align: "right",
        }
    }
}

/// A formatted cell; `style` is one of `pass`, `fail`, `not_evaluable`, `strong`, `muted`,
/// `code` (monospace, unbroken), `hash` (monospace, may wrap anywhere), or none.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Cell {
    pub text: String,
    pub style: Option<&'static str>,
    /// Links the templates draw instead of `text`, each to a section of the report (its
    /// anchor `ID-NUMBER`, filled in once the sections are numbered).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<CellLink>,
}

/// A link in a cell: its text and the anchor of the section it jumps to.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CellLink {
    pub text: String,
    pub target: String,
    /// The section's number, for formats without links (Markdown prints `text (§5)`).
    pub number: Option<usize>,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            style: None,
            links: Vec::new(),
        }
    }

    pub fn styled(text: impl Into<String>, style: &'static str) -> Cell {
        Cell {
            text: text.into(),
            style: Some(style),
            links: Vec::new(),
        }
    }
}

impl Table {
    pub fn new(columns: Vec<Column>) -> Table {
        Table {
            caption: None,
            columns,
            rows: Vec::new(),
            note: None,
        }
    }

    pub fn caption(mut self, caption: impl Into<String>) -> Table {
        self.caption = Some(caption.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Table {
        self.note = Some(note.into());
        self
    }

    /// Removes columns whose cells are all empty (an interval column of metrics without one).
    pub fn without_empty_columns(mut self) -> Table {
        let keep: Vec<bool> = (0..self.columns.len())
            .map(|i| {
                i == 0
                    || self
                        .rows
                        .iter()
                        .any(|r| r.get(i).is_some_and(|c| !c.text.is_empty()))
            })
            .collect();
        let mut index = 0..;
        self.columns.retain(|_| keep[index.next().unwrap_or(0)]);
        for row in &mut self.rows {
            let mut index = 0..;
            row.retain(|_| keep[index.next().unwrap_or(0)]);
        }
        self
    }
}

/// A chart placed in the report: its id names the SVG file (`charts/ID.svg` for typst, inline
/// in HTML). The spec is the data it is drawn from.
#[derive(Debug, Clone, Serialize)]
pub struct ChartRef {
    pub id: String,
    pub title: String,
    pub caption: String,
    #[serde(skip)]
    pub spec: ChartSpec,
}

/// What a chart shows, in the report's language; `render::charts` draws it.
#[derive(Debug, Clone)]
pub enum ChartSpec {
    /// Weekly lines: (series label, points (week label, value)); values are ratios when
    /// `percent`, otherwise in `unit`.
    Trend {
        series: Vec<TrendLine>,
        percent: bool,
        unit: String,
    },
    /// Bars per category, one bar per series, with 95% intervals where known.
    Bars {
        categories: Vec<String>,
        series: Vec<(String, Vec<Option<Estimate>>)>,
        percent: bool,
    },
    /// The 2×2 confusion matrix of labelled events; `positive` and `negative` name the two
    /// ground-truth classes (`Attack` and `Genuine` for liveness checks).
    Confusion {
        tp: f64,
        fp: f64,
        tn: f64,
        fn_: f64,
        positive: String,
        negative: String,
        /// The words of the cells (true positives, false negatives, false positives, true
        /// negatives) and of the heads (ground truth, flagged, not flagged).
        words: Box<[String; 7]>,
    },
    /// Counts per bin: (low, high, count); the last bin is open-ended.
    Histogram {
        bins: Vec<(f64, f64, f64)>,
        unit: String,
        /// The label of the count axis, in the report's language.
        axis: String,
    },
    /// One row per metric: the spread across banks (min–max line, Q1–Q3 box, median) and a
    /// dot per bank; `highlight` marks one bank's own value (letters).
    Strip { rows: Vec<StripRow>, percent: bool },
    /// Banks (rows) × criteria (columns), each cell `pass`, `fail`, `not_evaluable` or none.
    Heatmap {
        rows: Vec<String>,
        columns: Vec<String>,
        cells: Vec<Vec<Option<String>>>,
    },
}

/// One metric of a strip chart.
#[derive(Debug, Clone)]
pub struct StripRow {
    pub label: String,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
    pub points: Vec<f64>,
    pub highlight: Option<f64>,
}

/// One line of a trend chart.
#[derive(Debug, Clone)]
pub struct TrendLine {
    pub label: String,
    /// (week label, value) for every week.
    pub points: Vec<(String, Option<f64>)>,
    /// Lines of the same metric share a colour (index into the chart palette).
    pub color: usize,
    /// Drawn lighter: the baseline arm of an A/B trial.
    pub faded: bool,
}

/// A value with an optional interval, for bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub low: Option<f64>,
    pub high: Option<f64>,
}
