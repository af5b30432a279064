//! Narrative Markdown from the config turned into plain data: paragraphs, headings, lists and
//! code blocks made of text spans marked bold, italic, code or link. Every renderer draws the
//! spans with its own markup, so the text itself is never interpreted as markup: raw HTML in
//! the Markdown is kept as literal text.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Serialize;

/// A run of text with one set of inline styles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    pub text: String,
    pub strong: bool,
    pub emph: bool,
    pub code: bool,
    pub link: Option<String>,
}

/// A block of narrative text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    Paragraph {
        spans: Vec<Span>,
    },
    Heading {
        level: u8,
        spans: Vec<Span>,
    },
    List {
        ordered: bool,
        items: Vec<Vec<Span>>,
    },
    Code {
        text: String,
    },
}

#[derive(Default)]
struct Builder {
    blocks: Vec<Block>,
    spans: Vec<Span>,
    strong: usize,
    emph: usize,
    link: Option<String>,
    list: Option<(bool, Vec<Vec<Span>>)>,
    code: Option<String>,
    heading: Option<u8>,
}

impl Builder {
    fn push_text(&mut self, text: &str, code: bool) {
        if let Some(buffer) = &mut self.code {
            buffer.push_str(text);
            return;
        }
        let span = Span {
            text: text.to_string(),
            strong: self.strong > 0,
            emph: self.emph > 0,
            code,
            link: self.link.clone(),
        };
        match self.spans.last_mut() {
            Some(last)
                if !code
                    && !last.code
                    && last.strong == span.strong
                    && last.emph == span.emph
                    && last.link == span.link =>
            {
                last.text.push_str(text)
            }
            _ => self.spans.push(span),
        }
    }

    /// Closes the current run of spans into a paragraph, heading or list item.
    fn flush(&mut self) {
        let spans = std::mem::take(&mut self.spans);
        if spans.iter().all(|s| s.text.trim().is_empty()) {
            return;
        }
        if let Some((_, items)) = &mut self.list {
            items.push(spans);
        } else if let Some(level) = self.heading {
            self.blocks.push(Block::Heading { level, spans });
        } else {
            self.blocks.push(Block::Paragraph { spans });
        }
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Start(Tag::Strong) => self.strong += 1,
            Event::End(TagEnd::Strong) => self.strong -= 1,
            Event::Start(Tag::Emphasis) => self.emph += 1,
            Event::End(TagEnd::Emphasis) => self.emph -= 1,
            Event::Start(Tag::Link { dest_url, .. }) => self.link = safe_link(&dest_url),
            Event::End(TagEnd::Link) => self.link = None,
            Event::Start(Tag::Heading { level, .. }) => {
                self.flush();
                self.heading = Some(level as u8);
            }
            Event::End(TagEnd::Heading(_)) => {
                self.flush();
                self.heading = None;
            }
            Event::Start(Tag::List(start)) => {
                self.flush();
                self.list.get_or_insert((start.is_some(), Vec::new()));
            }
            Event::End(TagEnd::List(_)) => {
                self.flush();
                if let Some((ordered, items)) = self.list.take() {
                    self.blocks.push(Block::List { ordered, items });
                }
            }
            Event::End(TagEnd::Item) | Event::End(TagEnd::Paragraph) => self.flush(),
            Event::Start(Tag::CodeBlock(_)) => {
                self.flush();
                self.code = Some(String::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(text) = self.code.take() {
                    self.blocks.push(Block::Code {
                        text: text.trim_end().to_string(),
                    });
                }
            }
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                self.push_text(&text, false)
            }
            Event::Code(text) => self.push_text(&text, true),
            Event::SoftBreak => self.push_text(" ", false),
            Event::HardBreak => self.push_text("\n", false),
            _ => {}
        }
    }
}

/// Keeps web and mail links only; anything else (`javascript:`, `file:`) stays plain text.
fn safe_link(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        .then(|| url.trim().to_string())
}

/// Parses narrative Markdown into blocks.
pub fn parse(markdown: &str) -> Vec<Block> {
    let mut builder = Builder::default();
    for event in Parser::new(markdown) {
        builder.event(event);
    }
    builder.flush();
    builder.blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(spans: &[Span]) -> String {
        spans.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn paragraphs_lists_and_styles() {
        let blocks = parse("Detect **80%** of fraud.\n\n- one\n- *two*\n\n## Next\n");
        let Block::Paragraph { spans } = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert_eq!(text(spans), "Detect 80% of fraud.");
        assert!(spans[1].strong && spans[1].text == "80%");
        let Block::List { ordered, items } = &blocks[1] else {
            panic!("{blocks:?}")
        };
        assert!(!ordered);
        assert_eq!(items.len(), 2);
        assert!(items[1][0].emph);
        assert!(matches!(&blocks[2], Block::Heading { level: 2, .. }));
    }

    #[test]
    fn only_web_and_mail_links_are_kept() {
        let blocks = parse("[a](https://example.org) [b](javascript:alert(1))");
        let Block::Paragraph { spans } = &blocks[0] else {
            panic!()
        };
        assert_eq!(spans[0].link.as_deref(), Some("https://example.org"));
        assert!(spans.iter().skip(1).all(|s| s.link.is_none()));
    }

    #[test]
    fn raw_html_and_markup_characters_stay_text() {
        let blocks = parse("<script>alert(1)</script> #panic(\"x\") $x$");
        let all: String = blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph { spans } => text(spans),
                _ => String::new(),
            })
            .collect();
        assert!(all.contains("<script>alert(1)</script>"), "{all}");
        assert!(all.contains("#panic(\"x\") $x$"), "{all}");
    }
}
