//! The engine: a checked [`crate::ir::Program`] run over the records of an
//! export folder (`run`), producing an [`Audit`].
//!
//! - `data`: the records as the engine sees them (file, row, values);
//! - `index`: hash indexes for lookups, built once;
//! - `eval`: three-valued evaluation of one record or group (the reference,
//!   which reports);
//! - `fast`: the verdict of a rule on one record on borrowed values, for the
//!   records that pass (nearly all of them);
//! - `run`: the plan (one pass per dataset, aggregates as mergeable
//!   accumulators) and its parallel execution;
//! - `report`: the results, serialised by the output writers;
//! - `address_slots`: a small table of values by a string's address (a
//!   metric's recent keys, a text guard's verdicts).

mod address_slots;
pub mod data;
pub mod eval;
mod fast;
pub mod index;
pub(crate) mod recent_lookups;
pub mod report;
pub mod run;
mod shared_lookups;

pub use data::{Absence, Data, FileRef, Row, UnreadRow};
pub use report::{Audit, DataError, Evidence, Finding, MetricValue, Undetermined};
pub use run::{run, Partial, RunOptions, Runner};

/// The checked program of one policy file's text (engine unit tests).
#[cfg(test)]
pub(crate) fn test_program(text: &str) -> crate::ir::Program {
    let sources = vec![crate::diagnostics::PolicySource::new("p.yimen", text)];
    crate::policy::load_sources(sources, crate::schema::Schema::builtin(), None)
        .expect("the test policy loads")
        .1
}
