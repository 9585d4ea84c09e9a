//! `--format json`: exactly the findings contract of `design.md`
//! (`../shared/contracts/findings.schema.json`).

use std::io::Write as _;

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

pub fn render(doc: &AuditDoc<'_>) -> String {
    let mut out = Vec::new();
    // (Writing into memory fails only if serialising does: not for these
    // types.)
    match write(doc, &mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
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
    // serde_json writes token by token: through a buffer of its own type,
    // each write is a copy into it, not a call through `w`'s vtable (a
    // dirty export's 700 MB of JSON: about a second less).
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, w);
    serde_json::to_writer_pretty(&mut buffered, &c)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}
