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
/// Syntax errors stop at the first (pest cannot recover); literal errors
/// (a date that does not exist …) are all collected.
pub fn text_to_ast(text: &str) -> Result<PolicyFile, Vec<PolicyError>> {
    let pairs = match YimenParser::parse(Rule::file, text) {
        Ok(pairs) => pairs,
        Err(e) => return Err(vec![errors::syntax_error(&e, text)]),
    };
    cst_to_ast::file(pairs)
}

/// Parse a standalone expression (used for `--param name=value` and tests).
pub fn text_to_expr(text: &str) -> Result<crate::ast::Expr, Vec<PolicyError>> {
    let pairs = match YimenParser::parse(Rule::standalone_expr, text) {
        Ok(pairs) => pairs,
        Err(e) => return Err(vec![errors::syntax_error(&e, text)]),
    };
    cst_to_ast::standalone_expr(pairs)
}
