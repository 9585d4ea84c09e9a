//! A broken item header (`rule H901 name` without its `{`, a full-width
//! `｛`, a title written into the header): pest gives up on the whole item
//! and points at its keyword ("expected … found `rule`", as if `rule` were
//! wrong), since a literal brace records no attempt of its own. The header
//! line is read again here, and the error placed where the header goes wrong.

use crate::ast::Span;
use crate::diagnostics::{ErrorCode, PolicyError};

/// The error for an item whose header is broken, when `word` (at byte
/// `start` of `text`) is the keyword of an item at the start of a line;
/// `None` when its header reads well (the error is elsewhere).
pub(super) fn broken_header(text: &str, start: usize, word: &str) -> Option<PolicyError> {
    let at_line_start = start == 0 || text[..start].ends_with('\n');
    let shape = match word {
        "rule" | "metric" => "CODE name",
        "policy" => "name",
        "test" => "\"name\"",
        _ => return None,
    };
    if !at_line_start {
        return None;
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[start..line_end];
    // The header's parts after the keyword: words, or a quoted name.
    let mut pos = word.len();
    let mut parts: Vec<(usize, usize)> = Vec::new();
    for _ in 0..shape.split(' ').count() {
        let rest = &line[pos..];
        let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let from = pos + skipped;
        let rest = &line[from..];
        let len = if let Some(quoted) = rest.strip_prefix('"') {
            quoted.find('"').map_or(rest.len(), |i| i + 2)
        } else {
            rest.find(|c: char| c.is_whitespace() || c == '{' || c == '｛')
                .unwrap_or(rest.len())
        };
        if len == 0 {
            break;
        }
        parts.push((from, from + len));
        pos = from + len;
    }
    let rest = &line[pos..];
    let from = pos + (rest.len() - rest.trim_start().len());
    let next = line[from..].chars().next();
    let header = line[..pos].trim_end();
    let form = format!("`{word} {shape} {{`");
    let wanted = shape.split(' ').count();
    if parts.len() < wanted {
        let what = match (word, parts.len()) {
            ("rule" | "metric", 0) => "a code (a capital letter and digits, like `H001`)",
            ("rule" | "metric", _) => "a name (lower-case words joined by `-`)",
            ("test", _) => "a name in double quotes",
            _ => "a name",
        };
        let at = start + from;
        let span = match line[from..].chars().next() {
            Some(c) => Span::new(at, at + c.len_utf8()),
            None => Span::new(start, start + header.len()),
        };
        return Some(
            PolicyError::new(
                ErrorCode::Syntax,
                span,
                format!("expected {what} after `{header}`"),
            )
            .label(format!("{what} goes here"))
            .help(format!("an item is written {form} … `}}`")),
        );
    }
    let (span, message, label, help) = match next {
        Some('{') => return None,
        Some('｛') => (
            Span::new(start + from, start + from + '｛'.len_utf8()),
            format!("expected `{{` after `{header}`, found a full-width `｛`"),
            "a full-width brace".to_string(),
            "write the brace half-width: `{`".to_string(),
        ),
        None => (
            Span::new(start, start + header.len()),
            format!("expected `{{` at the end of `{header}`"),
            "this header has no `{`".to_string(),
            format!("an item is written {form} … `}}`, its clauses inside the braces"),
        ),
        Some(_) => {
            let found = line[from..].split_whitespace().next().unwrap_or_default();
            (
                Span::new(start + from, start + from + found.len()),
                format!("expected `{{` after `{header}`, found `{found}`"),
                "expected `{` here".to_string(),
                if word == "policy" {
                    "a policy header is `policy name {`; its title goes inside: `title \"…\"`"
                        .to_string()
                } else if found.starts_with(['"', '“']) && word != "test" {
                    // (design.md's illustration writes `metric M04 name "按时办结率" {`.)
                    format!(
                        "an item is written {form} … `}}`; its title goes inside: `title {found}`"
                    )
                } else {
                    format!("an item is written {form} … `}}`")
                },
            )
        }
    };
    Some(
        PolicyError::new(ErrorCode::Syntax, span, message)
            .label(label)
            .help(help),
    )
}
