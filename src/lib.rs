//! yimen (一门): a compliance checker for county government service centres.
//!
//! See `ARCHITECTURE.md` for the pipeline, the code map and the invariants.

pub mod ast;
pub mod audit;
pub mod builtin;
pub mod calendar;
pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod diff;
pub mod engine;
pub mod fmt;
pub mod generate;
pub mod ir;
pub mod output;
pub mod params;
pub mod per_thread;
pub mod policy;
pub mod quiet;
pub mod read;
pub mod report;
pub mod schema;
pub mod sources;
pub mod syntax;
pub mod testing;
pub mod text;
pub mod triage;
pub mod value;
