//! The `//` comments of a policy text, with their places.
//!
//! Comments are not part of the AST; the formatter re-attaches them to the
//! item or clause they stand before (or after, on the same line).

use pest::iterators::Pairs;
use pest::Parser;

use super::{Rule, YimenParser};
use crate::ast::Span;

/// A `//` comment: its text (without the slashes' line ending) and span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// Every ordinary comment in `text`, in order. `///` doc comments are not
/// comments (they belong to the AST); `////…` lines are. Strings are skipped,
/// so `"http://…"` is not a comment, but the holes of a message template are
/// not strings: `"{case.id // which case⏎}"` holds a comment.
///
/// A text that parses is read through its syntax tree (see
/// `between_tokens`); one that does not is scanned character by character
/// ([`collect_lexical`]).
pub fn collect(text: &str) -> Vec<Comment> {
    match YimenParser::parse(Rule::file, text) {
        Ok(pairs) => between_tokens(text, pairs),
        Err(_) => collect_lexical(text),
    }
}

/// The comments of a parsed text: everything but its strings, doc
/// comments, template texts and `/` operators is white space, punctuation,
/// tokens without slashes and comments, so every `//` there starts one.
fn between_tokens(text: &str, pairs: Pairs<'_, Rule>) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut covered = 0;
    for pair in pairs.flatten() {
        if !matches!(
            pair.as_rule(),
            Rule::string_lit | Rule::doc_line | Rule::tpl_text | Rule::mul_op
        ) {
            continue;
        }
        let span = pair.as_span();
        if span.start() < covered {
            continue;
        }
        comments_in_gap(text, covered, span.start(), &mut out);
        covered = span.end();
    }
    comments_in_gap(text, covered, text.len(), &mut out);
    out
}

/// The comments in `text[from..to]`, where every `//` starts one.
fn comments_in_gap(text: &str, from: usize, to: usize, out: &mut Vec<Comment>) {
    let Some(gap) = text.get(from..to) else {
        return;
    };
    let mut at = 0;
    while let Some(n) = gap[at..].find("//") {
        let start = at + n;
        let end = gap[start..]
            .find(['\n', '\r'])
            .map_or(gap.len(), |n| start + n);
        out.push(Comment {
            text: gap[start..end].trim_end().to_string(),
            span: Span::new(from + start, from + end),
        });
        at = end;
    }
}

/// The comments of `text` found character by character, strings skipped
/// (for a text that does not parse, or a piece of one).
pub fn collect_lexical(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 2,
                b'"' | b'\n' | b'\r' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                // To the line's end: `\n`, `\r\n` or a lone `\r` (old Mac).
                let end = text[i..].find(['\n', '\r']).map_or(text.len(), |n| i + n);
                let is_doc = text[i..].starts_with("///") && !text[i..].starts_with("////");
                if !is_doc {
                    out.push(Comment {
                        text: text[i..end].trim_end().to_string(),
                        span: Span::new(i, end),
                    });
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}
