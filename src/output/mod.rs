//! Writers of an audit: one file per format. Writers only format; they never
//! decide anything about the findings.

pub mod json;
pub mod text;

/// The findings of an audit with what the writers need to say about it.
pub struct AuditDoc<'a> {
    pub audit: &'a crate::engine::Audit,
    pub as_of: chrono::NaiveDate,
    pub program: &'a crate::ir::Program,
}
