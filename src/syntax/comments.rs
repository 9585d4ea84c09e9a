//! The `//` comments of a policy text, with their places.
//!
//! Comments are not part of the AST; the formatter re-attaches them to the
//! item or clause they stand before (or after, on the same line).

use crate::ast::Span;

/// A `//` comment: its text (without the slashes' line ending) and span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// Every ordinary comment in `text`, in order. `///` doc comments are not
/// comments (they belong to the AST); `////…` lines are. Strings are skipped,
/// so `"http://…"` is not a comment.
pub fn collect(text: &str) -> Vec<Comment> {
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
