//! `--format sarif`: SARIF 2.1.0, as code scanning (GitHub, GitLab, Azure
//! DevOps) reads it. One `reportingDescriptor` per rule of the program, one
//! result per finding located at its first evidence row, one `open` result
//! (not enough data to decide) per undetermined verdict, and the data errors
//! and the files not read as tool execution notifications (a file that
//! could not be read an `error`, one skipped as holding no dataset a
//! `note`, each located at the file).
//!
//! With `--baseline`, every finding's result has its `baselineState` (`new`,
//! or `unchanged` for a persisting one) and each resolved finding of the
//! baseline is a result of its own, `absent`. Undetermined verdicts have
//! none: the baseline compares findings only (SARIF asks for the state on
//! every result of a run that has one; they are the exception). With
//! `--waivers`, every result has `suppressions` (SARIF: all or none): empty,
//! or for a waived finding one `external`, `accepted` suppression whose
//! justification is the waiver's reason and approval; waivers that did not
//! apply (expired, stale) are notifications.

use serde_json::{json, Map, Value};

use super::triage as tri;
use super::{findings_of, reported_codes, AuditDoc};
use crate::engine::report::{Evidence, Finding, Undetermined};
use crate::ir::RuleDef;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF level of a severity.
fn level(severity: &str) -> &'static str {
    match severity {
        "error" => "error",
        "warning" => "warning",
        _ => "note",
    }
}

/// A relative path as a URI reference: `/` separated, every byte outside
/// the unreserved set percent-encoded (so Chinese file names are valid URIs).
pub(crate) fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(e: &Evidence, prefix: &str) -> Value {
    let mut physical = Map::new();
    physical.insert(
        "artifactLocation".into(),
        json!({ "uri": uri(&super::located(prefix, &e.file)) }),
    );
    if e.row >= 1 {
        physical.insert("region".into(), json!({ "startLine": e.row }));
    }
    if let Some(sheet) = &e.sheet {
        physical.insert("properties".into(), json!({ "sheet": sheet }));
    }
    json!({ "physicalLocation": physical })
}

/// The first evidence row is the location; every other place (file, sheet,
/// row) the evidence comes from is a related location.
fn locations(evidence: &[Evidence], prefix: &str) -> (Vec<Value>, Vec<Value>) {
    let mut places: Vec<&Evidence> = Vec::new();
    for e in evidence {
        if !places
            .iter()
            .any(|p| p.file == e.file && p.sheet == e.sheet && p.row == e.row)
        {
            places.push(e);
        }
    }
    let primary = places
        .first()
        .map(|e| location(e, prefix))
        .into_iter()
        .collect();
    let related = places
        .iter()
        .skip(1)
        .enumerate()
        .map(|(i, e)| {
            let mut l = location(e, prefix);
            if let Some(o) = l.as_object_mut() {
                o.insert("id".into(), json!(i + 1));
            }
            l
        })
        .collect();
    (primary, related)
}

fn evidence_json(evidence: &[Evidence]) -> Value {
    serde_json::to_value(evidence).unwrap_or(Value::Null)
}

fn help_text(rule: &RuleDef) -> String {
    let parts = super::clause_lines(rule);
    if parts.is_empty() {
        rule.title.clone().unwrap_or_else(|| rule.code.clone())
    } else {
        format!("依据:\n{}", parts.join("\n"))
    }
}

fn descriptor(code: &str, rule: Option<&RuleDef>) -> Value {
    let Some(rule) = rule else {
        return json!({ "id": code, "shortDescription": { "text": code } });
    };
    let title = rule.title.clone().unwrap_or_else(|| rule.name.clone());
    let mut d = Map::new();
    d.insert("id".into(), json!(code));
    d.insert("name".into(), json!(rule.name));
    d.insert("shortDescription".into(), json!({ "text": title }));
    let docs: Vec<&str> = rule
        .docs
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    if !docs.is_empty() {
        d.insert("fullDescription".into(), json!({ "text": docs.join(" ") }));
    }
    d.insert("help".into(), json!({ "text": help_text(rule) }));
    d.insert(
        "defaultConfiguration".into(),
        json!({ "level": level(rule.severity.as_str()) }),
    );
    let cites: Vec<Value> = rule
        .cites
        .iter()
        .map(|c| json!({ "policy": c.source, "clause": c.clause }))
        .collect();
    d.insert(
        "properties".into(),
        json!({ "tags": ["yimen", rule.policy], "policy": rule.policy, "cite": cites }),
    );
    Value::Object(d)
}

/// What `--baseline` and `--waivers` add to the results of a run.
#[derive(Clone, Copy)]
struct Marks {
    /// Every finding has a `baselineState`.
    baseline: bool,
    /// Every result has `suppressions`.
    waivers: bool,
}

impl Marks {
    /// Add `suppressions` (when waivers were applied) to a result: the
    /// waiver that covers it, or none.
    fn suppress(self, r: &mut Map<String, Value>, waiver: Option<&crate::triage::Waiver>) {
        if !self.waivers {
            return;
        }
        let list: Vec<Value> = waiver
            .map(|w| {
                json!({
                    "kind": "external",
                    "status": "accepted",
                    "justification": tri::waiver_text(w),
                    "properties": {
                        "approved_by": w.approved_by,
                        "approval_ref": w.approval_ref,
                        "expires": w.expires,
                        "key": w.key,
                    },
                })
            })
            .into_iter()
            .collect();
        r.insert("suppressions".into(), Value::Array(list));
    }
}

/// The fingerprint by which a finding is the same across audits.
fn fingerprint(code: &str, dataset: &str, key: &[String]) -> Value {
    json!({ "yimenFindingKey/v1": format!("{code}|{dataset}|{}", key.join("|")) })
}

fn finding(f: &Finding, rule_index: usize, prefix: &str, marks: Marks) -> Value {
    let (primary, related) = locations(&f.evidence, prefix);
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(f.code));
    r.insert("ruleIndex".into(), json!(rule_index));
    r.insert("kind".into(), json!("fail"));
    r.insert("level".into(), json!(level(f.severity)));
    r.insert("message".into(), json!({ "text": f.message }));
    if !primary.is_empty() {
        r.insert("locations".into(), Value::Array(primary));
    }
    if !related.is_empty() {
        r.insert("relatedLocations".into(), Value::Array(related));
    }
    r.insert(
        "partialFingerprints".into(),
        fingerprint(&f.code, &f.dataset, &f.key),
    );
    if marks.baseline {
        let state = if f.baseline == Some("persisting") {
            "unchanged"
        } else {
            "new"
        };
        r.insert("baselineState".into(), json!(state));
    }
    marks.suppress(&mut r, f.waiver.as_ref());
    r.insert(
        "properties".into(),
        json!({
            "key": f.key,
            "dept": f.dept,
            "dataset": f.dataset,
            "rule": f.rule,
            "cite": f.cite.iter().map(|c| json!({ "policy": c.policy, "clause": c.clause })).collect::<Vec<_>>(),
            "evidence": evidence_json(&f.evidence),
        }),
    );
    Value::Object(r)
}

/// A finding of the baseline that is gone: `absent`, without a location
/// (the baseline keeps only its code and key).
fn resolved(
    doc: &AuditDoc<'_>,
    code: &str,
    key: &[String],
    rule_index: Option<usize>,
    marks: Marks,
) -> Value {
    let dataset = tri::rule_dataset(doc, code).unwrap_or_default();
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(code));
    if let Some(i) = rule_index {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert("kind".into(), json!("fail"));
    if let Some(rule) = doc.program.rule(code) {
        r.insert("level".into(), json!(level(rule.severity.as_str())));
    }
    r.insert(
        "message".into(),
        json!({ "text": tri::resolved_text(doc, code, key) }),
    );
    r.insert(
        "partialFingerprints".into(),
        fingerprint(code, dataset, key),
    );
    r.insert("baselineState".into(), json!("absent"));
    marks.suppress(&mut r, None);
    r.insert(
        "properties".into(),
        json!({ "key": key, "dataset": dataset, "resolved": true }),
    );
    Value::Object(r)
}

fn undetermined(u: &Undetermined, rule_index: Option<usize>, prefix: &str, marks: Marks) -> Value {
    let (primary, related) = locations(&u.evidence, prefix);
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(u.code));
    if let Some(i) = rule_index {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert("kind".into(), json!("open"));
    r.insert("level".into(), json!("none"));
    r.insert(
        "message".into(),
        json!({ "text": format!("无法判定: {} [{}] 缺少 {}", u.dataset, u.key.join(", "), u.missing.join(", ")) }),
    );
    if !primary.is_empty() {
        r.insert("locations".into(), Value::Array(primary));
    }
    if !related.is_empty() {
        r.insert("relatedLocations".into(), Value::Array(related));
    }
    marks.suppress(&mut r, None);
    r.insert(
        "properties".into(),
        json!({
            "key": u.key,
            "dataset": u.dataset,
            "missing": u.missing,
            "undetermined": true,
        }),
    );
    Value::Object(r)
}

/// The files not read, as notifications: those that could not be read
/// (`error`), then those skipped as holding no dataset (`note`), each
/// located at the file, its reason the message.
fn file_notifications(doc: &AuditDoc<'_>) -> Vec<Value> {
    super::files_not_read_in_order(doc)
        .map(|k| {
            let level = if k.unreadable { "error" } else { "note" };
            let at = Evidence::whole_file(&k.file);
            json!({
                "level": level,
                "message": { "text": super::file_not_read_text(k) },
                "locations": [location(&at, &doc.location_prefix)],
                "properties": { "file": k.file, "unreadable": k.unreadable },
            })
        })
        .collect()
}

/// The results of the run, made one at a time as they are written: every
/// finding by code (the rules' order), the baseline's resolved findings,
/// then the undetermined verdicts.
fn results<'a>(
    doc: &'a AuditDoc<'a>,
    codes: &'a [(&'a str, Option<&'a RuleDef>)],
    marks: Marks,
) -> impl Iterator<Item = Value> + 'a {
    let index_of = move |code: &str| codes.iter().position(|(c, _)| *c == code);
    let prefix = doc.location_prefix.as_str();
    let findings = codes.iter().enumerate().flat_map(move |(i, (code, _))| {
        findings_of(doc, code)
            .into_iter()
            .map(move |f| finding(f, i, prefix, marks))
    });
    let resolved = doc
        .audit
        .resolved
        .iter()
        .map(move |(code, key)| resolved(doc, code, key, index_of(code), marks));
    let undetermined = doc
        .audit
        .undetermined
        .iter()
        .map(move |u| undetermined(u, index_of(&u.code), prefix, marks));
    findings.chain(resolved).chain(undetermined)
}

/// The tool execution notifications, made one at a time as they are
/// written: the data errors, the files not read, the waivers that did not
/// apply.
fn notifications<'a>(
    doc: &'a AuditDoc<'a>,
    codes: &'a [(&'a str, Option<&'a RuleDef>)],
) -> impl Iterator<Item = Value> + 'a {
    let index_of = move |code: &str| codes.iter().position(|(c, _)| *c == code);
    let data_errors = doc.audit.data_errors.iter().map(move |e| {
        let ev = Evidence {
            file: e.file.clone(),
            sheet: e.sheet.clone(),
            row: e.row,
            field: e.column.clone(),
            value: e.value.clone(),
        };
        json!({
            "level": "warning",
            "message": { "text": format!(
                "数据错误: {} (列 {}, 值 {:?}, 应为 {})",
                e.message,
                e.column.as_deref().unwrap_or(""),
                e.value.as_deref().unwrap_or(""),
                e.expected.as_deref().unwrap_or("")
            ) },
            "locations": [location(&ev, &doc.location_prefix)],
        })
    });
    let unapplied = tri::unapplied(doc)
        .into_iter()
        .map(move |(state, note, w)| {
            let mut n = json!({
                "level": "note",
                "message": { "text": tri::unapplied_text(note, w) },
                "properties": { "waiver": w, "state": state },
            });
            if let (Some(i), Some(o)) = (index_of(&w.code), n.as_object_mut()) {
                o.insert("associatedRule".into(), json!({ "id": w.code, "index": i }));
            }
            n
        });
    data_errors.chain(file_notifications(doc)).chain(unapplied)
}

/// The log's skeleton written as it is, but for its two lists that grow with
/// the data (the results, the notifications), whose items are made and
/// written one at a time: a dirty export's millions of results were first
/// built whole as JSON values, about 5 KB each (1M cases with an
/// unreadable 受理时间: 17.6 GB of memory).
struct Streamed<'s, 'a> {
    value: &'s Value,
    /// The places of the two lists in the skeleton (found by address: no
    /// text of a policy can stand for them).
    results_at: &'s Value,
    notifications_at: &'s Value,
    doc: &'a AuditDoc<'a>,
    codes: &'a [(&'a str, Option<&'a RuleDef>)],
    marks: Marks,
}

impl<'s> Streamed<'s, '_> {
    fn at(&self, value: &'s Value) -> Streamed<'s, '_> {
        Streamed { value, ..*self }
    }
}

impl serde::Serialize for Streamed<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if std::ptr::eq(self.value, self.results_at) {
            return s.collect_seq(results(self.doc, self.codes, self.marks));
        }
        if std::ptr::eq(self.value, self.notifications_at) {
            return s.collect_seq(notifications(self.doc, self.codes));
        }
        match self.value {
            Value::Array(items) => s.collect_seq(items.iter().map(|v| self.at(v))),
            Value::Object(map) => s.collect_map(map.iter().map(|(k, v)| (k, self.at(v)))),
            scalar => scalar.serialize(s),
        }
    }
}

/// The SARIF log written to `w` as it is serialised, never held whole.
pub fn write(doc: &AuditDoc<'_>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let codes = reported_codes(doc);
    let rules: Vec<Value> = codes.iter().map(|(c, r)| descriptor(c, *r)).collect();
    let marks = Marks {
        baseline: tri::has_baseline(doc),
        waivers: tri::has_waivers(doc),
    };
    // A file that could not be read ends the run with exit 2: the run did
    // not succeed, though its results are reported (SARIF 3.20.14).
    let succeeded = super::files_not_read(doc).0.is_empty();
    let s = &doc.audit.summary;
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "yimen",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "invocations": [{
                "executionSuccessful": succeeded,
                "toolExecutionNotifications": [],
            }],
            "columnKind": "unicodeCodePoints",
            "results": [],
            "properties": {
                "as_of": doc.as_of.format("%Y-%m-%d").to_string(),
                "records": s.records,
                "findings": s.findings,
                "undetermined": s.undetermined,
                "data_errors": s.data_errors,
            },
        }],
    });
    let (Some(results_at), Some(notifications_at)) = (
        log.pointer("/runs/0/results"),
        log.pointer("/runs/0/invocations/0/toolExecutionNotifications"),
    ) else {
        return Err(std::io::Error::other(
            "内部错误: SARIF 日志缺少 results 或 toolExecutionNotifications 的位置",
        ));
    };
    let streamed = Streamed {
        value: &log,
        results_at,
        notifications_at,
        doc,
        codes: &codes,
        marks,
    };
    super::write_pretty_json(w, &streamed)
}

/// The SARIF log as text (see [`write()`](fn@write)).
pub fn render(doc: &AuditDoc<'_>) -> String {
    super::rendered(|w| write(doc, w)).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixture;

    fn sarif() -> Value {
        let (program, audit) = (fixture::program(), fixture::audit());
        let doc = fixture::doc(&program, &audit);
        serde_json::from_str(&render(&doc)).unwrap_or(Value::Null)
    }

    /// The log written as it is serialised is the text of the whole value:
    /// the skeleton's keys in their order, the streamed lists in place.
    #[test]
    fn the_streamed_log_is_the_whole_value_pretty_printed() {
        let (program, audit) = (fixture::program(), fixture::audit());
        let doc = fixture::doc(&program, &audit);
        let text = render(&doc);
        let whole: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let run = &whole["runs"][0];
        assert!(
            run["results"].as_array().is_some_and(|r| r.len() > 1),
            "{text}"
        );
        assert!(
            run["invocations"][0]["toolExecutionNotifications"]
                .as_array()
                .is_some_and(|n| !n.is_empty()),
            "{text}"
        );
        let again = serde_json::to_string_pretty(&whole).unwrap_or_default() + "\n";
        assert_eq!(text, again);
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("exports/办件.csv"), "exports/%E5%8A%9E%E4%BB%B6.csv");
        assert_eq!(uri("a b\\c,d.csv"), "a%20b/c%2Cd.csv");
    }

    #[test]
    fn one_descriptor_per_rule_and_results_located() {
        let v = sarif();
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
        assert!(ids.contains(&"H001") && ids.contains(&"S001"), "{ids:?}");
        assert!(
            !ids.iter().any(|i| i.starts_with('M')),
            "metrics are not rules: {ids:?}"
        );
        let h001 = rules
            .iter()
            .find(|r| r["id"] == "H001")
            .cloned()
            .unwrap_or_default();
        assert_eq!(h001["name"], "handled-outside-center");
        assert_eq!(h001["defaultConfiguration"]["level"], "error");
        let help = h001["help"]["text"].as_str().unwrap_or("");
        assert!(
            help.contains("gangnan-2017") && help.contains("四、(六)"),
            "{help}"
        );
        let results = run["results"].as_array().cloned().unwrap_or_default();
        let first = &results[0];
        assert_eq!(first["ruleId"], "H001");
        assert_eq!(
            rules[first["ruleIndex"].as_u64().unwrap_or(0) as usize]["id"],
            "H001"
        );
        assert_eq!(
            first["locations"][0]["physicalLocation"]["region"]["startLine"],
            3
        );
        assert_eq!(
            first["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
            7
        );
        assert_eq!(first["properties"]["key"][0], "C1");
        assert_eq!(first["properties"]["dept"], "民政局");
        let s001 = results
            .iter()
            .find(|r| r["ruleId"] == "S001")
            .cloned()
            .unwrap_or_default();
        assert_eq!(s001["level"], "warning");
        assert!(s001.get("locations").is_none());
        let open: Vec<&Value> = results.iter().filter(|r| r["kind"] == "open").collect();
        assert_eq!(open.len(), 1);
        assert_eq!(
            run["invocations"][0]["toolExecutionNotifications"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
    }
}
