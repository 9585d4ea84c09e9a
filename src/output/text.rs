//! `--format text`: for a person. Findings grouped by department and rule,
//! each with its message, evidence (each value under the file and row it
//! comes from; for a group that has more rows than it lists, how many:
//! `组内记录: 共 7 行, 证据列出其中 6 行`) and citation, then a summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::AuditDoc;
use crate::engine::report::{Evidence, Finding, GroupRows};

/// The evidence of a finding or an undetermined verdict, exactly the
/// entries the JSON gives, each value under the place (file, sheet, row) it
/// comes from: `办件记录.csv 第 25 行  dept=区教科体局, item_code=A1;
/// 窗口授权.csv 第 6 行  level=初审`. Places come in the order of their first
/// entry, the values of a place in the entries' order; places without a
/// value that follow one another in one file are one list of rows
/// (`办件记录.csv 第 38、180、204 行`, a group's records).
fn evidence_text(evidence: &[Evidence]) -> String {
    let places = super::evidence_places(evidence);
    let mut parts: Vec<String> = Vec::new();
    let mut rows: Vec<u32> = Vec::new();
    for (n, (p, fields)) in places.iter().enumerate() {
        if fields.is_empty() {
            rows.push(p.row);
            let next_joins = places
                .get(n + 1)
                .is_some_and(|(q, f)| f.is_empty() && q.file == p.file && q.sheet == p.sheet);
            if !next_joins {
                let list: Vec<String> = rows.drain(..).map(|r| r.to_string()).collect();
                parts.push(format!("{} 第 {} 行", super::file_text(p), list.join("、")));
            }
        } else {
            parts.push(format!(
                "{} 第 {} 行  {}",
                super::file_text(p),
                p.row,
                fields.join(", ")
            ));
        }
    }
    parts.join("; ")
}

/// For a group whose evidence lists some of its records, how many it has
/// and lists (`共 1000 行, 列出 12 行`); `None` when it lists them all.
fn rows_listed(rows: Option<&GroupRows>) -> Option<String> {
    rows.filter(|r| r.listed < r.total)
        .map(|r| format!("共 {} 行, 证据列出其中 {} 行", r.total, r.listed))
}

pub fn render(doc: &AuditDoc<'_>) -> String {
    let a = doc.audit;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "yimen 合规检查  审计日期 {}",
        doc.as_of.format("%Y-%m-%d")
    );
    if !doc.settings.is_empty() {
        let _ = writeln!(out, "本次设置: {}", doc.settings.join("; "));
    }
    let mut by_dept: BTreeMap<&str, BTreeMap<&str, Vec<&Finding>>> = BTreeMap::new();
    let depts = super::dept_labels(&a.findings, "(未注明部门)");
    for (f, dept) in a.findings.iter().zip(depts) {
        by_dept
            .entry(dept)
            .or_default()
            .entry(&f.code)
            .or_default()
            .push(f);
    }
    for (dept, rules) in &by_dept {
        let n: usize = rules.values().map(Vec::len).sum();
        let _ = writeln!(out, "\n== {dept} ({n} 处) ==");
        for (code, fs) in rules {
            let rule = doc.program.rule(code);
            let title = rule.and_then(|r| r.title.clone()).unwrap_or_default();
            let sev = fs.first().map_or("", |f| f.severity);
            let _ = writeln!(out, "  [{code} {sev}] {title} ({} 处)", fs.len());
            for f in fs {
                // (New or persisting only against a baseline: with waivers
                // alone, every finding not waived has the status `new`.)
                let status = match f.waiver {
                    Some(_) => super::triage::WAIVED,
                    None => super::triage::baseline_label(f),
                };
                let status = if status.is_empty() {
                    String::new()
                } else {
                    format!("[{status}] ")
                };
                let _ = writeln!(out, "    · {status}{}", f.message);
                if let Some(w) = &f.waiver {
                    let _ = writeln!(out, "      豁免: {}", super::triage::waiver_text(w));
                }
                if !f.evidence.is_empty() {
                    let _ = writeln!(out, "      证据: {}", evidence_text(&f.evidence));
                }
                if let Some(n) = rows_listed(f.group_rows.as_ref()) {
                    let _ = writeln!(out, "      组内记录: {n}");
                }
                let cites: Vec<String> = f
                    .cite
                    .iter()
                    .map(|c| format!("{} {}", c.policy, c.clause))
                    .collect();
                let _ = writeln!(out, "      依据: {}", cites.join("; "));
            }
        }
    }
    // The text of each clause the findings break, once a rule (the
    // findings above name them by document and clause).
    let mut fired: Vec<&str> = a.findings.iter().map(|f| &*f.code).collect();
    fired.sort_unstable();
    fired.dedup();
    if !fired.is_empty() {
        let _ = writeln!(out, "\n== 所依据的条款 ==");
        for code in fired {
            let Some(rule) = doc.program.rule(code) else {
                continue;
            };
            let title = rule.title.as_deref().unwrap_or(&rule.name);
            let _ = writeln!(out, "  [{code}] {title}");
            for line in super::clause_lines(rule) {
                let _ = writeln!(out, "    {}", line.replace('\n', "\n    "));
            }
        }
    }
    if !a.undetermined.is_empty() {
        let _ = writeln!(
            out,
            "\n== 无法判定 ({} 项, 缺少必要数据) ==",
            a.undetermined.len()
        );
        for u in a.undetermined.iter().take(50) {
            let _ = writeln!(
                out,
                "  [{}] {} [{}] 缺少 {}  ({}){}",
                u.code,
                u.dataset,
                u.key.join(", "),
                u.missing.join(", "),
                evidence_text(&u.evidence),
                rows_listed(u.group_rows.as_ref())
                    .map(|n| format!("  {n}"))
                    .unwrap_or_default()
            );
        }
        if a.undetermined.len() > 50 {
            let _ = writeln!(
                out,
                "  … 另有 {} 项 (用 --format json 查看全部)",
                a.undetermined.len() - 50
            );
            let kinds = a.undetermined.iter().map(|u| (&u.code, &u.missing));
            breakdown(
                &mut out,
                "按规则与所缺字段",
                kinds,
                "项",
                |(code, missing)| format!("[{code}] 缺少 {}", missing.join(", ")),
            );
        }
    }
    if !a.data_errors.is_empty() {
        let _ = writeln!(out, "\n== 数据错误 ({} 处) ==", a.data_errors.len());
        for e in a.data_errors.iter().take(50) {
            let _ = writeln!(out, "  {}", data_error_line(e));
        }
        if a.data_errors.len() > 50 {
            let _ = writeln!(
                out,
                "  … 另有 {} 处 (用 --format json 查看全部)",
                a.data_errors.len() - 50
            );
            let kinds = a
                .data_errors
                .iter()
                .map(|e| (&e.file, &e.sheet, &e.column, &e.message));
            breakdown(
                &mut out,
                "按文件、列与问题",
                kinds,
                "处",
                |(file, sheet, column, message)| {
                    let mut at = file.to_string();
                    if let Some(sheet) = sheet {
                        let _ = write!(at, " [{sheet}]");
                    }
                    match column {
                        Some(c) => format!("{at} {c}: {message}"),
                        None => format!("{at} 整行: {message}"),
                    }
                },
            );
        }
    }
    if !a.resolved.is_empty() {
        let _ = writeln!(
            out,
            "\n== 已整改 (基线中有, 本次未发现: {} 项) ==",
            a.resolved.len()
        );
        for (code, key) in &a.resolved {
            let _ = writeln!(out, "  [{code}] {}", key.join(", "));
        }
    }
    for (title, list) in [
        ("已过期的豁免 (不再适用)", &a.expired_waivers),
        ("未匹配任何发现的豁免", &a.stale_waivers),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "\n== {title}: {} 项 ==", list.len());
            for w in list {
                let _ = writeln!(
                    out,
                    "  [{}] {} — {} ({}, 有效至 {})",
                    w.code,
                    w.key.join(", "),
                    w.reason,
                    w.approval_ref,
                    w.expires
                );
            }
        }
    }
    let s = &a.summary;
    let records: Vec<String> = super::records_shown(doc)
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let findings: Vec<String> = s.findings.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(out, "\n汇总");
    let _ = writeln!(out, "  读取记录: {}", records.join(", "));
    let _ = writeln!(
        out,
        "  发现: {} 处{}",
        a.findings.len(),
        if findings.is_empty() {
            String::new()
        } else {
            format!(" ({})", findings.join(", "))
        }
    );
    let _ = writeln!(out, "  无法判定: {} 项", s.undetermined);
    if s.data_errors > 0 {
        let _ = writeln!(
            out,
            "  数据错误: {} 处 (在 {} 行中)",
            s.data_errors, s.data_error_rows
        );
    } else {
        let _ = writeln!(out, "  数据错误: 0 处");
    }
    if !a.skipped.is_empty() {
        let unreadable = a.skipped.iter().filter(|k| k.unreadable).count();
        let _ = writeln!(
            out,
            "  未读取的文件: {} 个{}",
            a.skipped.len(),
            if unreadable > 0 {
                format!(" (其中 {unreadable} 个无法读取)")
            } else {
                String::new()
            }
        );
        for k in &a.skipped {
            let _ = writeln!(
                out,
                "    {}{}: {}",
                if k.unreadable { "[无法读取] " } else { "" },
                k.file,
                k.reason
            );
        }
    }
    out
}

/// Where a list was cut, how its items fall into kinds (one `kinds` item
/// per listed item), the commonest first: a column whose every cell fails,
/// or a rule missing one field throughout, shows at once, not in the fifty
/// lines of one kind the list kept.
fn breakdown<K: std::hash::Hash + Eq + Ord + Copy>(
    out: &mut String,
    title: &str,
    kinds: impl Iterator<Item = K>,
    unit: &str,
    text: impl Fn(K) -> String,
) {
    const SHOWN: usize = 10;
    let mut counts: rustc_hash::FxHashMap<K, usize> = rustc_hash::FxHashMap::default();
    for k in kinds {
        *counts.entry(k).or_default() += 1;
    }
    let mut counts: Vec<(K, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let _ = writeln!(out, "  {title}:");
    for &(kind, n) in counts.iter().take(SHOWN) {
        let _ = writeln!(out, "    {n} {unit}  {}", text(kind));
    }
    if counts.len() > SHOWN {
        let rest: usize = counts[SHOWN..].iter().map(|(_, n)| n).sum();
        let _ = writeln!(
            out,
            "    … 另有 {} 类, 共 {rest} {unit}",
            counts.len() - SHOWN
        );
    }
}

/// One data error on one line: file, sheet, row, column, what is wrong, the
/// value and what was expected. A row's error (wrong cell count, a
/// duplicate key) has no column or expected type: only what applies.
pub(crate) fn data_error_line(e: &crate::read::DataError) -> String {
    let mut line = e.file.to_string();
    if let Some(sheet) = &e.sheet {
        let _ = write!(line, " [{sheet}]");
    }
    let _ = write!(line, " 第 {} 行", e.row);
    if let Some(c) = &e.column {
        let _ = write!(line, " {c}");
    }
    let _ = write!(line, ": {}", e.message);
    match (&e.value, &e.expected) {
        (Some(v), Some(x)) => {
            let _ = write!(line, " (值 {v:?}, 应为 {x})");
        }
        (Some(v), None) => {
            let _ = write!(line, " (值 {v:?})");
        }
        (None, Some(x)) => {
            let _ = write!(line, " (应为 {x})");
        }
        (None, None) => {}
    }
    line
}
