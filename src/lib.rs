//! yimen (一门): a compliance checker for county government service centres.
//!
//! See `ARCHITECTURE.md` for the pipeline, the code map and the invariants.

pub mod ast;
pub mod diagnostics;
pub mod read;
pub mod syntax;
pub mod schema;
pub mod value;
