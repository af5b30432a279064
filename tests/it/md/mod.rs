//! Reading Markdown as a CommonMark reader with GFM tables does (pulldown-cmark), for the
//! tests of report.md, cohort.md and the letters.

#![allow(dead_code)]

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The tables a GFM reader finds in `md`: per table, its rows of cell texts (header first).
pub fn tables(md: &str) -> Vec<Vec<Vec<String>>> {
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    let mut cell: Option<String> = None;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => tables.push(Vec::new()),
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                if let Some(t) = tables.last_mut() {
                    t.push(Vec::new());
                }
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::End(TagEnd::TableCell) => {
                let text = cell.take().unwrap_or_default();
                if let Some(row) = tables.last_mut().and_then(|t| t.last_mut()) {
                    row.push(text);
                }
            }
            _ => {}
        }
    }
    tables
}

/// The table of `md` whose header row has a cell equal to `head`.
pub fn table_with(md: &str, head: &str) -> Option<Vec<Vec<String>>> {
    tables(md)
        .into_iter()
        .find(|t| t.first().is_some_and(|h| h.iter().any(|c| c == head)))
}

/// The body row of `table` whose first cell is `first`.
pub fn row<'a>(table: &'a [Vec<String>], first: &str) -> Option<&'a Vec<String>> {
    table
        .iter()
        .skip(1)
        .find(|r| r.first().is_some_and(|c| c == first))
}
