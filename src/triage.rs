//! Baselines and waivers: what a supervision office already knows.
//!
//! - `--baseline PREVIOUS.json` (an earlier `yimen audit --format json`):
//!   each finding is `new` or `persisting` (same code and key); findings of
//!   the baseline that are gone are listed as resolved.
//! - `--waivers FILE` (YAML): approved exceptions. A finding matching a
//!   waiver in force on the audit date is `waived`, with its approval, and
//!   does not fail the run; an expired waiver no longer applies and is
//!   reported; a waiver that matches nothing is reported as stale.
//!
//! ```yaml
//! waivers:
//!   - code: H001
//!     key: ["GA2025*"]          # one pattern per key value; * and ? wildcards
//!                               # (a finding of one key value: `key: GA2025*`)
//!     reason: 试点期间由原单位受理
//!     approved_by: 区政务服务管理办公室
//!     approval_ref: 区政务办函〔2025〕5号
//!     expires: 2026-06-30
//! ```

use serde::{Deserialize, Serialize};

use crate::engine::Finding;

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub code: String,
    /// One pattern per value of the finding's key; a single pattern may
    /// be written without the list's brackets.
    #[serde(deserialize_with = "one_or_more")]
    pub key: Vec<String>,
    pub reason: String,
    pub approved_by: String,
    pub approval_ref: String,
    /// YYYY-MM-DD; the waiver applies up to and including this day.
    pub expires: String,
}

/// A list of texts, or one text for a list of one.
fn one_or_more<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMore {
        One(String),
        More(Vec<String>),
    }
    Ok(match OneOrMore::deserialize(d)? {
        OneOrMore::One(s) => vec![s],
        OneOrMore::More(v) => v,
    })
}

/// The register: `waivers:` holding the list, or the list itself.
#[derive(Deserialize)]
#[serde(untagged)]
enum WaiverFile {
    Keyed(Keyed),
    List(Vec<Waiver>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Keyed {
    waivers: Vec<Waiver>,
}

/// The register's expected shape, for messages.
const WAIVER_SHAPE: &str = "应为 waivers: 下的列表(或列表本身), 每项含 code, key, reason, approved_by, approval_ref, expires (YYYY-MM-DD)";

/// The register, checked.
#[derive(Clone, Debug, Default)]
pub struct Waivers {
    pub list: Vec<(Waiver, chrono::NaiveDate)>,
}

impl Waivers {
    pub fn from_yaml(file: &str, text: &str) -> Result<Waivers, String> {
        let text = &*crate::read::bounded_yaml(text);
        // (Before the shape: a repeated key would be "no shape matched".)
        crate::read::yaml_keys_once(text)
            .map_err(|e| format!("豁免登记 {file}: {}", crate::read::yaml_message(&e)))?;
        let waivers = match serde_yaml::from_str::<WaiverFile>(text) {
            Ok(WaiverFile::Keyed(k)) => k.waivers,
            Ok(WaiverFile::List(l)) => l,
            // An untagged enum's error says only that nothing matched: the
            // error of the form the file has (a list, or `waivers:` over
            // one) names the field and the line.
            Err(_) => {
                let list = matches!(
                    serde_yaml::from_str::<serde_yaml::Value>(text),
                    Ok(serde_yaml::Value::Sequence(_))
                );
                let e = if list {
                    serde_yaml::from_str::<Vec<Waiver>>(text).err()
                } else {
                    serde_yaml::from_str::<Keyed>(text).err()
                };
                return Err(format!(
                    "豁免登记 {file}: {WAIVER_SHAPE}{}",
                    e.map(|e| format!(" ({})", crate::read::yaml_message(&e)))
                        .unwrap_or_default()
                ));
            }
        };
        let mut list = Vec::new();
        for (i, w) in waivers.into_iter().enumerate() {
            let date =
                chrono::NaiveDate::parse_from_str(w.expires.trim(), "%Y-%m-%d").map_err(|_| {
                    format!(
                        "豁免登记 {file}: 第 {} 项的 expires {:?} 应为 YYYY-MM-DD",
                        i + 1,
                        w.expires
                    )
                })?;
            if w.key.is_empty() {
                return Err(format!("豁免登记 {file}: 第 {} 项没有 key", i + 1));
            }
            for (field, v) in [
                ("reason", &w.reason),
                ("approved_by", &w.approved_by),
                ("approval_ref", &w.approval_ref),
            ] {
                if v.trim().is_empty() {
                    return Err(format!("豁免登记 {file}: 第 {} 项缺少 {field}", i + 1));
                }
            }
            list.push((w, date));
        }
        Ok(Waivers { list })
    }

    /// Every waiver names a rule of `program` (a metric has no findings to
    /// waive) with one key pattern per value of its findings' keys: a
    /// misspelt code (`e001`) or a pattern too many waives nothing, and was
    /// only reported stale.
    pub fn check_against(&self, file: &str, program: &crate::ir::Program) -> Result<(), String> {
        use crate::ast::RuleKind;
        let rules = program.rules.iter().filter(|r| r.kind != RuleKind::Metric);
        for (i, (w, _)) in self.list.iter().enumerate() {
            let n = i + 1;
            let Some(rule) = program.rule(&w.code) else {
                let hint = crate::diagnostics::did_you_mean(
                    &w.code,
                    rules.clone().map(|r| r.code.as_str()),
                )
                .map_or(String::new(), |c| format!("; 是否想写 {c}?"));
                return Err(format!(
                    "豁免登记 {file}: 第 {n} 项的 code {} 不是已加载策略中的规则{hint}",
                    w.code
                ));
            };
            if rule.kind == RuleKind::Metric {
                return Err(format!(
                    "豁免登记 {file}: 第 {n} 项的 {} 是考评指标, 没有可豁免的发现",
                    w.code
                ));
            }
            let names = key_names(rule);
            if w.key.len() != names.len() {
                return Err(format!(
                    "豁免登记 {file}: 第 {n} 项的 key 有 {} 个值, 而 {} 的发现的键有 {} 个值 ({} 的键为 [{}])",
                    w.key.len(),
                    w.code,
                    names.len(),
                    w.code,
                    names.join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// What a rule's findings are keyed by (one name a value): its `key`
/// clause's or its groups' fields, else its dataset's key fields.
fn key_names(rule: &crate::ir::RuleDef) -> Vec<String> {
    let schema = crate::schema::Schema::builtin();
    let exprs = rule
        .key
        .as_ref()
        .or((!rule.group_by.is_empty()).then_some(&rule.group_by));
    if let Some(e) = exprs {
        return e
            .iter()
            .map(|x| match x {
                crate::ir::IrExpr::Field { dataset, field, .. } => schema
                    .datasets
                    .get(*dataset)
                    .and_then(|d| d.fields.get(*field))
                    .map_or_else(|| "…".to_string(), |f| f.name.clone()),
                _ => "…".to_string(),
            })
            .collect();
    }
    let d = &schema.datasets[rule.report_dataset];
    d.key
        .iter()
        .filter(|k| d.field_index(k).is_some())
        .cloned()
        .collect()
}

/// `*` and `?` wildcards, whole-string match.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A waiver's key patterns match a finding's key in their matching form
/// (`区民政局(本级)` waives `区民政局（本级）`, `Ｋ01` waives `K01`), as records
/// match: which spelling a finding's key takes depends on which of its
/// records comes first.
fn matches(w: &Waiver, f: &Finding) -> bool {
    use crate::read::normalize::value;
    f.code == w.code
        && w.key.len() == f.key.len()
        && w.key
            .iter()
            .zip(&f.key)
            .all(|(p, k)| glob(&value(p), &value(k)))
}

/// A finding's place in the triage.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Status {
    pub code: String,
    pub key: Vec<String>,
    /// new, persisting or waived.
    pub status: &'static str,
    /// With a baseline: new or persisting, whether waived or not.
    pub baseline: Option<&'static str>,
    pub waiver: Option<Waiver>,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Triage {
    /// One per finding, in the audit's order.
    pub statuses: Vec<Status>,
    /// In the baseline, gone now.
    pub resolved: Vec<(String, Vec<String>)>,
    pub expired_waivers: Vec<Waiver>,
    pub stale_waivers: Vec<Waiver>,
}

impl Triage {
    pub fn is_waived(&self, i: usize) -> bool {
        self.statuses.get(i).is_some_and(|s| s.status == "waived")
    }
}

/// Findings of a baseline file (a previous `--format json`): code and key.
pub fn baseline_keys(
    file: &str,
    reader: impl std::io::Read,
) -> Result<Vec<(String, Vec<String>)>, String> {
    /// What a baseline is read for: each finding's code and key (the rest
    /// of the report, its evidence, is skipped as it streams by: a county's
    /// year gives a report of hundreds of megabytes).
    #[derive(serde::Deserialize)]
    struct Report {
        findings: Option<Vec<Entry>>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        code: Option<serde_json::Value>,
        key: Option<serde_json::Value>,
    }
    let report: Report = serde_json::from_reader(std::io::BufReader::new(reader))
        .map_err(|e| format!("基线文件 {file}: 不是 JSON 对象: {e}"))?;
    let list = report.findings.ok_or_else(|| {
        format!("基线文件 {file}: 没有 findings 列表 (应为 yimen audit --format json 的输出)")
    })?;
    let mut out = Vec::with_capacity(list.len());
    for (i, f) in list.into_iter().enumerate() {
        let code = f.code.as_ref().and_then(|c| c.as_str());
        let key = f.key.as_ref().and_then(|k| k.as_array()).map(|k| {
            k.iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        });
        match (code, key) {
            (Some(c), Some(Some(k))) => out.push((c.to_string(), k)),
            _ => {
                return Err(format!(
                    "基线文件 {file}: 第 {} 个发现缺少 code 或 key",
                    i + 1
                ))
            }
        }
    }
    Ok(out)
}

/// Classify the findings.
pub fn triage(
    findings: &[Finding],
    baseline: Option<&[(String, Vec<String>)]>,
    waivers: &Waivers,
    as_of: chrono::NaiveDate,
) -> Triage {
    use crate::diff::matching_key;
    use std::collections::HashSet;
    let mut t = Triage::default();
    let mut used = vec![false; waivers.list.len()];
    // Keys compare in their matching form: the same finding is keyed
    // `区民政局(本级)` or `区民政局（本级）` as one record or the other comes
    // first in the export.
    let base: Option<HashSet<(String, Vec<String>)>> =
        baseline.map(|b| b.iter().map(|(c, k)| matching_key(c, k)).collect());
    for f in findings {
        let in_baseline = base.as_ref().map(|b| {
            if b.contains(&matching_key(&f.code, &f.key)) {
                "persisting"
            } else {
                "new"
            }
        });
        let mut status = in_baseline.unwrap_or("new");
        let mut waiver = None;
        for (i, (w, expires)) in waivers.list.iter().enumerate() {
            if matches(w, f) {
                used[i] = true;
                if *expires >= as_of {
                    status = "waived";
                    waiver = Some(w.clone());
                    break;
                }
            }
        }
        t.statuses.push(Status {
            code: f.code.to_string(),
            key: f.key.clone(),
            status,
            baseline: in_baseline,
            waiver,
        });
    }
    for (i, (w, expires)) in waivers.list.iter().enumerate() {
        if *expires < as_of {
            t.expired_waivers.push(w.clone());
        } else if !used[i] {
            t.stale_waivers.push(w.clone());
        }
    }
    if let Some(b) = baseline {
        let now: HashSet<(String, Vec<String>)> = findings
            .iter()
            .map(|f| matching_key(&f.code, &f.key))
            .collect();
        let mut listed = HashSet::new();
        for (c, k) in b {
            let m = matching_key(c, k);
            if !now.contains(&m) && listed.insert(m) {
                t.resolved.push((c.clone(), k.clone()));
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("GA2025*", "GA20250000001"));
        assert!(glob("*", ""));
        assert!(glob("区?局", "区民局"));
        assert!(!glob("GA2024*", "GA20250000001"));
        assert!(glob("A1", "A1") && !glob("A1", "A12"));
    }
}
