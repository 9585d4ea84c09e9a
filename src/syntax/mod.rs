//! Policy text → AST.
//!
//! Two stages: `text_to_cst` (pest, with the grammar in `grammar/yimen.pest`)
//! and `cst_to_ast` (this module's converters). `pest::Pair` never leaves this
//! module: callers see [`crate::ast`] and [`PolicyError`]s only.
//!
//! Invariant: a grammar drift (a pair where the converter did not expect one)
//! becomes an [`ErrorCode::Internal`](crate::diagnostics::ErrorCode::Internal) diagnostic, never a panic.

pub mod comments;
mod cst_to_ast;
mod errors;
mod headers;
#[cfg(test)]
mod keywords_tests;

use pest::Parser;

use crate::ast::PolicyFile;
use crate::diagnostics::PolicyError;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/yimen.pest"]
pub(crate) struct YimenParser;

/// Parse a policy text into its AST, or every error found.
///
/// pest stops at the first syntax error; to report the others too, the
/// top-level item holding it is blanked out (every byte but line ends
/// becomes a space, so offsets keep their meaning) and the text parsed
/// again, up to `MAX_SYNTAX_ERRORS` times (see `blank_broken_item`).
/// Literal errors (a date that does not exist …) are all collected.
pub fn text_to_ast(text: &str) -> Result<PolicyFile, Vec<PolicyError>> {
    match text_to_ast_recovering(text) {
        Recovered {
            ast: Some(file),
            errors,
            ..
        } if errors.is_empty() => Ok(file),
        Recovered { errors, .. } => Err(errors),
    }
}

/// What [`text_to_ast_recovering`] makes of a file.
pub struct Recovered {
    /// The file's AST; `None` after a syntax error. A file whose only
    /// errors are literals that are no value (a date that does not exist,
    /// a number past 64 bits) has its AST, those literals held as
    /// [`crate::ast::Literal::Invalid`], so that the checker reports the
    /// file's other errors too.
    pub ast: Option<PolicyFile>,
    pub errors: Vec<PolicyError>,
    /// After syntax errors: the AST of the file without the items that
    /// hold them (each blanked out), when the rest parses, so that the
    /// checker can still report the other items' errors.
    pub rest: Option<PolicyFile>,
    /// The names the left-out items would define (a `param`'s name, a
    /// rule's or metric's code and name): the rest's errors that name one
    /// may be due to its absence.
    pub left_out: Vec<String>,
}

/// The names defined by the items blanked out of `text` (see
/// [`Recovered::left_out`]): each line the blanking emptied that starts
/// an item.
fn left_out_names(text: &str, blanked: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let end = at + line.len();
        let emptied = blanked
            .get(at..end)
            .is_some_and(|b| b.iter().all(u8::is_ascii_whitespace))
            && !line.trim().is_empty();
        at = end;
        if !emptied {
            continue;
        }
        let mut words = line
            .split(|c: char| c.is_whitespace() || matches!(c, ':' | '=' | '{'))
            .filter(|w| !w.is_empty());
        match words.next() {
            Some("param") => names.extend(words.next().map(str::to_string)),
            Some("rule" | "metric") => names.extend(words.take(2).map(str::to_string)),
            _ => {}
        }
    }
    names
}

/// Like [`text_to_ast`], keeping what can be kept of a file with errors
/// (see [`Recovered`]).
pub fn text_to_ast_recovering(text: &str) -> Recovered {
    let first = match YimenParser::parse(Rule::file, text) {
        Ok(pairs) => {
            let (ast, errors) = cst_to_ast::file(pairs);
            return Recovered {
                ast,
                errors,
                rest: None,
                left_out: Vec::new(),
            };
        }
        Err(e) => e,
    };
    let mut found = vec![errors::syntax_error(&first, text)];
    let starts = item_starts(text);
    let mut blanked = text.as_bytes().to_vec();
    let mut at = error_offset(&first);
    let mut mid_item = !expects_an_item(&first);
    let mut rest_ast = None;
    while found.len() < MAX_SYNTAX_ERRORS && blank_broken_item(&mut blanked, &starts, at, mid_item)
    {
        // Only ASCII spaces replace whole items' bytes: still UTF-8, and
        // every offset (every span) the same as in the text.
        let Ok(rest) = std::str::from_utf8(&blanked) else {
            break;
        };
        match YimenParser::parse(Rule::file, rest) {
            Ok(pairs) => {
                // The rest's literals that are no value (a date that does
                // not exist) are reported beside the syntax errors, held as
                // invalid in its AST as in a file without syntax errors
                // (they were lost: the rest left unchecked).
                let (ast, errs) = cst_to_ast::file(pairs);
                found.extend(errs);
                rest_ast = ast;
                break;
            }
            Err(e) => {
                let next = error_offset(&e);
                if next <= at {
                    break;
                }
                found.push(errors::syntax_error(&e, rest));
                at = next;
                mid_item = !expects_an_item(&e);
            }
        }
    }
    Recovered {
        ast: None,
        errors: found,
        rest: rest_ast,
        left_out: left_out_names(text, &blanked),
    }
}

/// At most this many syntax errors are reported per file.
const MAX_SYNTAX_ERRORS: usize = 20;

/// Whether the parser, where it stopped, looked for an item (or the end
/// of the file), not for the rest of one.
fn expects_an_item(e: &pest::error::Error<Rule>) -> bool {
    matches!(&e.variant, pest::error::ErrorVariant::ParsingError { positives, .. } if positives.contains(&Rule::EOI))
}

fn error_offset(e: &pest::error::Error<Rule>) -> usize {
    match e.location {
        pest::error::InputLocation::Pos(p) | pest::error::InputLocation::Span((p, _)) => p,
    }
}

/// Where top-level items may start: lines that begin, at their first
/// column, with `rule`, `metric`, `test` or `policy` and a space, or a doc
/// comment (`///`) after a line that is not one, whatever is left open
/// before them (an unclosed `{` is a broken item, not a longer one); and
/// `param` lines outside any bracket (inside a test, `param` sets one).
///
/// A doc comment starts an item only where one may: not after an item's
/// bare keyword (`rule⏎/// …⏎H902 b {`) and not before an indented line or
/// a closing brace (a `///` at the first column of a rule's body); such a
/// misplaced one is part of the item around it, one error with it.
fn item_starts(text: &str) -> Vec<usize> {
    const ALWAYS: [&str; 4] = ["policy", "rule", "metric", "test"];
    let mut depth_at = vec![0usize];
    errors::open_brackets(text, text.len(), |_, depth| depth_at.push(depth));
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    // A line that holds no token: blank, or a `//` comment alone.
    let empty = |l: &str| {
        let t = l.trim();
        t.is_empty() || (t.starts_with("//") && !t.starts_with("///")) || t.starts_with("////")
    };
    let bare_keyword = |l: &str| {
        let code = l.split("//").next().unwrap_or("").trim();
        ALWAYS.contains(&code) || code == "param"
    };
    // For each line, the next line (after it) and the last line (before
    // it) that holds code, doc comments skipped.
    let code = |l: &&str| !empty(l) && !l.starts_with("///");
    let mut next_code = vec![None; lines.len()];
    for n in (0..lines.len().saturating_sub(1)).rev() {
        next_code[n] = if code(&lines[n + 1]) {
            Some(n + 1)
        } else {
            next_code[n + 1]
        };
    }
    let mut last_code = vec![None; lines.len()];
    for n in 1..lines.len() {
        last_code[n] = if code(&lines[n - 1]) {
            Some(n - 1)
        } else {
            last_code[n - 1]
        };
    }
    let doc_may_start = |n: usize| {
        let after = next_code[n].map(|i: usize| lines[i]);
        let before = last_code[n].map(|i: usize| lines[i]);
        after.is_none_or(|l| !l.starts_with(char::is_whitespace) && !l.starts_with('}'))
            && !before.is_some_and(bare_keyword)
    };
    let mut starts = Vec::new();
    let mut offset = 0;
    let mut after_doc = false;
    for (n, line) in lines.iter().enumerate() {
        let doc = line.starts_with("///") && doc_may_start(n);
        let keyword = |k: &str| {
            line.strip_prefix(k)
                .is_some_and(|rest| rest.starts_with([' ', '\t']))
        };
        let top_level = depth_at.get(n).copied().unwrap_or(0) == 0;
        let start = doc || ALWAYS.iter().any(|k| keyword(k)) || (top_level && keyword("param"));
        if start && !after_doc {
            starts.push(offset);
        }
        after_doc = doc;
        offset += line.len();
    }
    starts
}

/// Blanks the item that holds a syntax error at byte `at`: from the start
/// of the item where the outermost bracket still open at `at` was opened
/// (an unclosed `{` makes the parser read on into the next items), or else
/// of the item holding `at`, up to the next item start (`at` itself when an
/// item starts there). `false` when nothing is left to blank.
fn blank_broken_item(text: &mut [u8], starts: &[usize], at: usize, mid_item: bool) -> bool {
    let opened = std::str::from_utf8(&text[..at.min(text.len())])
        .ok()
        .and_then(|t| {
            errors::open_brackets(t, at, |_, _| {})
                .first()
                .map(|&(_, i)| i)
        });
    let holder = opened.unwrap_or(at);
    // An error at an item's first byte, no bracket open, where the parser
    // looked for no item but the rest of one (`mid_item`), is the item
    // before it left unfinished (`param j: decimal =`, its value looked for
    // on the next line, `param k …`): that one is blanked, not the next.
    let before = if mid_item && opened.is_none() && starts.binary_search(&at).is_ok() {
        starts.partition_point(|&s| s < holder)
    } else {
        starts.partition_point(|&s| s <= holder)
    };
    let from = if before == 0 { 0 } else { starts[before - 1] };
    let to = if starts.binary_search(&at).is_ok() && at > from {
        at
    } else {
        let after = starts.partition_point(|&s| s <= at);
        starts.get(after).copied().unwrap_or(text.len())
    };
    if from >= to || text[from..to].iter().all(u8::is_ascii_whitespace) {
        return false;
    }
    for b in &mut text[from..to] {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
    true
}

/// Parse a standalone expression (used for `--param name=value` and tests).
pub fn text_to_expr(text: &str) -> Result<crate::ast::Expr, Vec<PolicyError>> {
    let pairs = match YimenParser::parse(Rule::standalone_expr, text) {
        Ok(pairs) => pairs,
        Err(e) => return Err(vec![errors::syntax_error(&e, text)]),
    };
    cst_to_ast::standalone_expr(pairs)
}
