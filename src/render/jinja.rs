//! The minijinja side of rendering (Markdown and HTML): templates from the template set,
//! strict undefined values, auto-escaping by output format so that any text from the config
//! prints literally, and template errors with file and line.

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, escape_formatter};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::templates::TemplateSet;

const MARKDOWN: &str = "markdown";

/// Renders template `name` of the set with any serialisable data.
pub fn render_data<T: Serialize>(templates: &TemplateSet, name: &str, data: &T) -> Result<String> {
    let env = environment(templates)?;
    let template = env
        .get_template(name)
        .map_err(|e| template_error(templates, &e))?;
    template
        .render(Value::from(minijinja::value::Serde(data)))
        .map_err(|e| template_error(templates, &e))
}

fn environment(templates: &TemplateSet) -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .expect("default delimiters are valid");
    env.set_syntax(syntax);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".md.jinja") || name.ends_with(".md") {
            AutoEscape::Custom(MARKDOWN.into())
        } else if name.ends_with(".html.jinja") || name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(|out, state, value| {
        if *state.auto_escape() == AutoEscape::Custom(MARKDOWN.into()) && !value.is_safe() {
            let text = if value.is_none() || value.is_undefined() {
                String::new()
            } else {
                value.to_string()
            };
            out.write_str(&escape_markdown(&text))
                .map_err(minijinja::Error::from)
        } else {
            escape_formatter(out, state, value)
        }
    });
    env.add_filter("code_md", |text: String, in_table: Option<bool>| {
        Value::from_safe_string(code_span(&text, in_table.unwrap_or(false)))
    });
    env.add_filter("code_block_md", |text: String| {
        Value::from_safe_string(code_block(&text))
    });
    env.add_filter("narrative_md", |text: String| {
        Value::from_safe_string(neutralise_html(&text))
    });
    for (name, file) in &templates.files {
        env.add_template_owned(name.clone(), file.text.clone())
            .map_err(|e| template_error(templates, &e))?;
    }
    Ok(env)
}

/// Escapes what Markdown would read as markup, so text prints as written. Inline markup
/// characters are escaped anywhere; block markers (`#`, `-`, `+`, `=`, `!`, an ordered-list
/// number) only at the start, where a value may begin a line; line breaks become spaces, so a
/// value never ends a table row or a list item early.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let marker = ordered_marker(text);
    for (i, ch) in text.chars().enumerate() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '$' | '~' | '{' | '}' | '&' => {
                out.push('\\');
                out.push(ch);
            }
            '#' | '+' | '-' | '=' | '!' if i == 0 => {
                out.push('\\');
                out.push(ch);
            }
            '.' | ')' if Some(i) == marker => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// The position of the `.` or `)` of an ordered-list marker (`12. `) that `text` starts with.
fn ordered_marker(text: &str) -> Option<usize> {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let mut rest = text.chars().skip(digits);
    let punct = rest.next();
    let after = rest.next();
    ((1..=9).contains(&digits)
        && matches!(punct, Some('.' | ')'))
        && after.is_none_or(char::is_whitespace))
    .then_some(digits)
}

/// Text as one Markdown code span: a fence longer than any run of backticks in it and line
/// breaks as spaces. In a table cell (`in_table`) `|` is escaped, since it would end the cell
/// even inside a code span; GFM removes that backslash again.
pub fn code_span(text: &str, in_table: bool) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    let mut text = text.replace(['\n', '\r'], " ");
    if in_table {
        text = text.replace('|', "\\|");
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Text as a fenced code block whose fence is longer than any run of backticks in it.
pub fn code_block(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}\n{}\n{fence}", text.trim_end_matches('\n'))
}

/// Narrative Markdown keeps its formatting, but raw HTML in it is shown as text.
fn neutralise_html(text: &str) -> String {
    text.replace('<', "&lt;").replace('>', "&gt;")
}

fn template_error(templates: &TemplateSet, err: &minijinja::Error) -> Error {
    let name = err.name().unwrap_or("?");
    let column = err
        .range()
        .zip(err.template_source())
        .map(|(range, source)| {
            let before = &source[..range.start.min(source.len())];
            before.len() - before.rfind('\n').map_or(0, |p| p + 1) + 1
        });
    Error::Template {
        file: templates.display_name(name),
        line: err.line(),
        column,
        message: match err.detail() {
            Some(detail) => format!("{}: {detail}", err.kind()),
            None => err.kind().to_string(),
        },
        hints: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_keeps_text_literal() {
        assert_eq!(escape_markdown("*bold* <b>"), r"\*bold\* \<b\>");
        assert_eq!(
            escape_markdown("#panic(\"x\") $x$"),
            r#"\#panic("x") \$x\$"#
        );
        assert_eq!(escape_markdown("2025-06-01"), "2025-06-01");
        assert_eq!(escape_markdown("a|b"), r"a\|b");
        assert_eq!(escape_markdown("1. first"), r"1\. first");
        assert_eq!(escape_markdown("93.12%"), "93.12%");
        assert_eq!(escape_markdown("&lt;b&gt;"), r"\&lt;b\&gt;");
    }

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code_span("label_missing", true), "`label_missing`");
        assert_eq!(code_span("a`b", false), "``a`b``");
        assert_eq!(code_span("`x`", false), "`` `x` ``");
        assert_eq!(code_span("a|b", true), r"`a\|b`");
        assert_eq!(code_span("a|b", false), "`a|b`");
        assert_eq!(code_span("", true), "");
        assert_eq!(code_block("a\n```\nb\n"), "````\na\n```\nb\n````");
    }
}
