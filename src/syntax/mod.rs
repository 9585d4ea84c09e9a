//! Policy text → AST.
//!
//! Two stages: `text_to_cst` (pest, with the grammar in `grammar/yimen.pest`)
//! and `cst_to_ast` (this module's converters). `pest::Pair` never leaves this
//! module: callers see [`crate::ast`] and [`PolicyError`]s only.
//!
//! Invariant: a grammar drift (a pair where the converter did not expect one)
//! becomes an [`ErrorCode::Internal`] diagnostic, never a panic.

pub mod comments;
mod cst_to_ast;
mod errors;

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
/// again, up to [`MAX_SYNTAX_ERRORS`] times (see [`blank_broken_item`]).
/// Literal errors (a date that does not exist …) are all collected.
pub fn text_to_ast(text: &str) -> Result<PolicyFile, Vec<PolicyError>> {
    let first = match YimenParser::parse(Rule::file, text) {
        Ok(pairs) => return cst_to_ast::file(pairs),
        Err(e) => e,
    };
    let mut found = vec![errors::syntax_error(&first, text)];
    let starts = item_starts(text);
    let mut blanked = text.as_bytes().to_vec();
    let mut at = error_offset(&first);
    while found.len() < MAX_SYNTAX_ERRORS && blank_broken_item(&mut blanked, &starts, at) {
        // Only ASCII spaces replace whole items' bytes: still UTF-8.
        let Ok(rest) = std::str::from_utf8(&blanked) else {
            break;
        };
        match YimenParser::parse(Rule::file, rest) {
            Ok(_) => break,
            Err(e) => {
                let next = error_offset(&e);
                if next <= at {
                    break;
                }
                found.push(errors::syntax_error(&e, rest));
                at = next;
            }
        }
    }
    Err(found)
}

/// At most this many syntax errors are reported per file.
const MAX_SYNTAX_ERRORS: usize = 20;

fn error_offset(e: &pest::error::Error<Rule>) -> usize {
    match e.location {
        pest::error::InputLocation::Pos(p) | pest::error::InputLocation::Span((p, _)) => p,
    }
}

/// Where top-level items may start: lines that begin, at their first
/// column, with an item keyword followed by a space, or with a doc comment
/// (`///`) after a line that is not one.
fn item_starts(text: &str) -> Vec<usize> {
    const KEYWORDS: [&str; 5] = ["policy", "param", "rule", "metric", "test"];
    let mut starts = Vec::new();
    let mut offset = 0;
    let mut after_doc = false;
    for line in text.split_inclusive('\n') {
        let doc = line.starts_with("///");
        let keyword = KEYWORDS.iter().any(|k| {
            line.strip_prefix(k)
                .is_some_and(|rest| rest.starts_with([' ', '\t']))
        });
        if (doc || keyword) && !after_doc {
            starts.push(offset);
        }
        after_doc = doc;
        offset += line.len();
    }
    starts
}

/// Blanks the item that holds a syntax error at byte `at`: from the item
/// start before it to the next item start after it (an error found right at
/// an item start belongs to the item before it: an unclosed `{` is seen
/// where the next item begins). `false` when nothing is left to blank.
fn blank_broken_item(text: &mut [u8], starts: &[usize], at: usize) -> bool {
    let before = starts.partition_point(|&s| s <= at);
    let (from, to) = if before > 0 && starts[before - 1] == at {
        // The item before the one starting here.
        if before < 2 {
            return false;
        }
        (starts[before - 2], at)
    } else {
        let from = if before == 0 { 0 } else { starts[before - 1] };
        (from, starts.get(before).copied().unwrap_or(text.len()))
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
