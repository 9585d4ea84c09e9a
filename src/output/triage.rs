//! What the writers say of `--baseline` and `--waivers`: the labels and
//! texts every format shares. Nothing is classified here: the audit holds
//! what `crate::triage` decided (a finding's `baseline`, `status` and
//! `waiver`; the resolved findings; the expired and stale waivers).

use super::AuditDoc;
use crate::engine::report::Finding;
use crate::triage::Waiver;

/// A finding not in the baseline.
pub(crate) const NEW: &str = "新增";
/// A finding in the baseline too.
pub(crate) const PERSISTING: &str = "持续";
/// A finding of the baseline that is gone.
pub(crate) const RESOLVED: &str = "已整改";
/// A finding a waiver in force covers.
pub(crate) const WAIVED: &str = "已豁免";
/// A waiver past its expiry date.
pub(crate) const EXPIRED: &str = "已过期";
/// A waiver in force that matches no finding.
pub(crate) const STALE: &str = "未匹配";

/// What a resolved finding is, in a sentence.
pub(crate) const RESOLVED_NOTE: &str = "基线中有, 本次未发现";

/// The columns a finding's triage adds to a table (the CSV, the workbook's
/// rule sheets), after all the others.
pub(crate) const COLUMNS: [&str; 6] = [
    "基线状态",
    "豁免状态",
    "豁免理由",
    "豁免批准单位",
    "豁免批准文号",
    "豁免有效至",
];

/// Whether the audit was compared with a baseline (every finding then has
/// its baseline state).
pub(crate) fn has_baseline(doc: &AuditDoc<'_>) -> bool {
    !doc.audit.resolved.is_empty() || doc.audit.findings.iter().any(|f| f.baseline.is_some())
}

/// Whether a register of waivers was applied (a non-empty register always
/// leaves a trace: a waived finding, or an expired or stale waiver).
pub(crate) fn has_waivers(doc: &AuditDoc<'_>) -> bool {
    let a = doc.audit;
    !a.expired_waivers.is_empty()
        || !a.stale_waivers.is_empty()
        || a.findings.iter().any(|f| f.waiver.is_some())
}

/// The label of a finding's baseline state; empty without a baseline.
pub(crate) fn baseline_label(f: &Finding) -> &'static str {
    match f.baseline {
        Some("new") => NEW,
        Some("persisting") => PERSISTING,
        _ => "",
    }
}

/// A waiver in one line: `reason (approved_by, approval_ref, 有效至 expires)`.
pub(crate) fn waiver_text(w: &Waiver) -> String {
    format!(
        "{} ({}, {}, 有效至 {})",
        w.reason, w.approved_by, w.approval_ref, w.expires
    )
}

/// A waiver's key patterns, as a finding's key is shown.
pub(crate) fn waiver_key(w: &Waiver) -> String {
    w.key.join(" / ")
}

/// The cells under [`COLUMNS`].
pub(crate) fn cells(baseline: &str, waiver_state: &str, w: Option<&Waiver>) -> [String; 6] {
    let field = |get: fn(&Waiver) -> &String| w.map(get).cloned().unwrap_or_default();
    [
        baseline.to_string(),
        waiver_state.to_string(),
        field(|w| &w.reason),
        field(|w| &w.approved_by),
        field(|w| &w.approval_ref),
        field(|w| &w.expires),
    ]
}

/// A finding's cells under [`COLUMNS`].
pub(crate) fn finding_cells(f: &Finding) -> [String; 6] {
    let state = if f.waiver.is_some() { WAIVED } else { "" };
    cells(baseline_label(f), state, f.waiver.as_ref())
}

/// The waivers that did not apply, each with its label ([`EXPIRED`] or
/// [`STALE`]) and what it means: the expired ones first, then the stale
/// ones, each in the register's order.
pub(crate) fn unapplied<'a>(
    doc: &'a AuditDoc<'_>,
) -> Vec<(&'static str, &'static str, &'a Waiver)> {
    let a: &'a crate::engine::Audit = doc.audit;
    let expired = a
        .expired_waivers
        .iter()
        .map(|w| (EXPIRED, "豁免已过期, 不再适用", w));
    let stale = a
        .stale_waivers
        .iter()
        .map(|w| (STALE, "豁免未匹配任何发现", w));
    expired.chain(stale).collect()
}

/// A resolved finding in a sentence: `已整改: cases [C1] 基线中有, 本次未发现`.
pub(crate) fn resolved_text(doc: &AuditDoc<'_>, code: &str, key: &[String]) -> String {
    let dataset = rule_dataset(doc, code).unwrap_or_default();
    format!("{RESOLVED}: {dataset} [{}] {RESOLVED_NOTE}", key.join(", "))
}

/// A waiver that did not apply in a sentence, after what it means (`note`
/// of [`unapplied`]): `豁免已过期, 不再适用: H001 [C3] reason (…)`.
pub(crate) fn unapplied_text(note: &str, w: &Waiver) -> String {
    format!(
        "{note}: {} [{}] {}",
        w.code,
        w.key.join(", "),
        waiver_text(w)
    )
}

/// The dataset a rule reports its findings against (a resolved finding
/// keeps only its code and key).
pub(crate) fn rule_dataset(doc: &AuditDoc<'_>, code: &str) -> Option<&'static str> {
    let rule = doc.program.rule(code)?;
    crate::schema::Schema::builtin()
        .datasets
        .get(rule.report_dataset)
        .map(|d| d.name.as_str())
}
