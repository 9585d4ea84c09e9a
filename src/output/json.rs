//! `--format json`: exactly the findings contract of `design.md`
//! (`../shared/contracts/findings.schema.json`).

use serde::Serialize;

use super::AuditDoc;
use crate::engine::report::{DataError, Finding, SkippedFile, Summary, Undetermined};

#[derive(Serialize)]
struct Contract<'a> {
    yimen: &'static str,
    as_of: String,
    findings: &'a [Finding],
    undetermined: &'a [Undetermined],
    data_errors: &'a [DataError],
    summary: &'a Summary,
    /// Files not read (beyond the contract, which allows more keys): what
    /// holds no dataset and what could not be read, so that a reader of the
    /// JSON alone sees that a ledger is missing, not empty.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    skipped: &'a [SkippedFile],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    resolved: Vec<Resolved<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    expired_waivers: &'a [crate::triage::Waiver],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    stale_waivers: &'a [crate::triage::Waiver],
}

#[derive(Serialize)]
struct Resolved<'a> {
    code: &'a str,
    key: &'a [String],
    status: &'static str,
}

/// The findings contract's JSON as text (see [`write()`](fn@write); writing into
/// memory fails only if serialising does: not for these types).
pub fn render(doc: &AuditDoc<'_>) -> String {
    super::rendered(|w| write(doc, w)).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}\n"))
}

/// The findings contract's JSON written to `w` as it is serialised, never
/// held whole (a million data errors make hundreds of megabytes).
pub fn write(doc: &AuditDoc<'_>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let c = Contract {
        yimen: env!("CARGO_PKG_VERSION"),
        as_of: doc.as_of.format("%Y-%m-%d").to_string(),
        findings: &doc.audit.findings,
        undetermined: &doc.audit.undetermined,
        data_errors: &doc.audit.data_errors,
        summary: &doc.audit.summary,
        skipped: &doc.audit.skipped,
        resolved: doc
            .audit
            .resolved
            .iter()
            .map(|(code, key)| Resolved {
                code,
                key,
                status: "resolved",
            })
            .collect(),
        expired_waivers: &doc.audit.expired_waivers,
        stale_waivers: &doc.audit.stale_waivers,
    };
    super::write_pretty_json(w, &c)
}
