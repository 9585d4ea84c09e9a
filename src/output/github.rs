//! `--format github`: GitHub Actions workflow commands, one line per
//! finding (`::error file=…,line=…,title=CODE::message`), which the runner
//! turns into annotations on the export file. Warnings are `::warning`,
//! info `::notice`; undetermined verdicts and data errors are `::notice` and
//! `::warning` lines after the findings, then an `::error` for each file
//! that could not be read (at the file) and one `::notice` naming the files
//! skipped as holding no dataset. The title of a finding is its code
//! alone, whatever else is said (a step reads it as the rule): with
//! `--baseline` the message starts with whether a finding is new or
//! persisting (`【新增】`); a waived finding is only a `::notice`
//! (`【已豁免】`) whose message names the waiver. Resolved findings
//! (`title=H001`, `已整改: …`) and waivers that did not apply are
//! `::notice` lines last.

use super::triage::{self as tri, WAIVED};
use super::{cites_short, AuditDoc};
use crate::engine::report::{Evidence, Finding};

/// Escape the message of a workflow command (GitHub's `escapeData`).
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value of a workflow command (GitHub's `escapeProperty`).
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command; `prefix` goes before the evidence file (see
/// [`AuditDoc::location_prefix`]).
fn command(
    out: &mut dyn std::fmt::Write,
    kind: &str,
    at: Option<(&Evidence, &str)>,
    title: &str,
    message: &str,
) {
    let mut props = Vec::new();
    if let Some((e, prefix)) = at {
        props.push(format!(
            "file={}",
            escape_property(&super::located(prefix, &e.file))
        ));
        if e.row >= 1 {
            props.push(format!("line={}", e.row));
        }
    }
    props.push(format!("title={}", escape_property(title)));
    let _ = writeln!(
        out,
        "::{kind} {}::{}",
        props.join(","),
        escape_data(message)
    );
}

/// What a finding's message starts with: its baseline state and whether
/// it is waived, when there is anything to say (`【持续、已豁免】`).
fn finding_states(f: &Finding) -> String {
    let states: Vec<&str> = [
        tri::baseline_label(f),
        if f.waiver.is_some() { WAIVED } else { "" },
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect();
    if states.is_empty() {
        String::new()
    } else {
        format!("【{}】", states.join("、"))
    }
}

/// An `::error` at each file that could not be read, then one `::notice`
/// listing the files skipped as holding no dataset (one line, not an
/// annotation per README).
fn files_not_read(out: &mut dyn std::fmt::Write, doc: &AuditDoc<'_>) {
    let (unreadable, skipped) = super::files_not_read(doc);
    for k in unreadable {
        let at = Evidence::whole_file(&k.file);
        command(
            out,
            "error",
            Some((&at, doc.location_prefix.as_str())),
            "无法读取的文件",
            &super::file_not_read_text(k),
        );
    }
    if !skipped.is_empty() {
        let list: Vec<String> = skipped
            .iter()
            .map(|k| format!("{} ({})", k.file, k.reason))
            .collect();
        let message = format!(
            "{} 个文件不含可识别的数据集, 未读取: {}",
            skipped.len(),
            list.join("; ")
        );
        command(out, "notice", None, "已跳过的文件", &message);
    }
}

/// The workflow commands, one a line, written to `w` as they are made.
pub fn write(doc: &AuditDoc<'_>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = super::IoText::new(w);
    commands(doc, &mut out);
    out.finish()
}

/// The workflow commands as text (see [`write()`](fn@write)).
pub fn render(doc: &AuditDoc<'_>) -> String {
    let mut out = String::new();
    commands(doc, &mut out);
    out
}

fn commands(doc: &AuditDoc<'_>, out: &mut dyn std::fmt::Write) {
    let a = doc.audit;
    let prefix = doc.location_prefix.as_str();
    for f in &a.findings {
        // A waived finding is no violation: a notice at most.
        let kind = match f.severity {
            "error" if f.waiver.is_none() => "error",
            "warning" if f.waiver.is_none() => "warning",
            _ => "notice",
        };
        let mut message = finding_states(f);
        message.push_str(&f.message);
        if let Some(d) = &f.dept {
            message.push_str(&format!(" [{d}]"));
        }
        let cites = cites_short(f);
        if !cites.is_empty() {
            message.push_str(&format!(" (依据 {cites})"));
        }
        if let Some(w) = &f.waiver {
            message.push_str(&format!(" {WAIVED}: {}", tri::waiver_text(w)));
        }
        command(
            out,
            kind,
            f.evidence.first().map(|e| (e, prefix)),
            &f.code,
            &message,
        );
    }
    for u in &a.undetermined {
        let message = format!(
            "无法判定: {} [{}] 缺少 {}",
            u.dataset,
            u.key.join(", "),
            u.missing.join(", ")
        );
        command(
            out,
            "notice",
            u.evidence.first().map(|e| (e, prefix)),
            &u.code,
            &message,
        );
    }
    for e in &a.data_errors {
        let at = Evidence {
            file: e.file.clone(),
            sheet: e.sheet.clone(),
            row: e.row,
            field: None,
            value: None,
        };
        let message = format!(
            "数据错误: {} (列 {}, 值 {:?}, 应为 {})",
            e.message,
            e.column.as_deref().unwrap_or(""),
            e.value.as_deref().unwrap_or(""),
            e.expected.as_deref().unwrap_or("")
        );
        command(out, "warning", Some((&at, prefix)), "数据错误", &message);
    }
    files_not_read(out, doc);
    for (code, key) in &a.resolved {
        command(
            out,
            "notice",
            None,
            code,
            &tri::resolved_text(doc, code, key),
        );
    }
    for (state, note, w) in tri::unapplied(doc) {
        let title = format!("豁免{state}");
        command(out, "notice", None, &title, &tri::unapplied_text(note, w));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixture;

    #[test]
    fn escapes_as_github_does() {
        assert_eq!(escape_data("100%\r\nx:y,z"), "100%25%0D%0Ax:y,z");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn one_line_per_finding_with_level_file_and_line() {
        let (program, audit) = (fixture::program(), fixture::audit());
        let doc = fixture::doc(&program, &audit);
        let out = render(&doc);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3 + 1 + 1, "{out}");
        assert!(
            lines[0].starts_with("::error file=exports/办件.csv,line=3,title=H001::办件 C1 <在原单位> 受理 & \"体外循环\" 100%25%0Asecond line, a:b"),
            "{}",
            lines[0]
        );
        assert!(
            lines[2].starts_with("::warning title=S001::人员 P1 超龄"),
            "{}",
            lines[2]
        );
        assert!(lines[3].starts_with("::notice file=exports/办件.csv,line=11,title=H003::"));
        assert!(lines[4].starts_with("::warning file=exports/办件.csv,line=9,title=数据错误::"));
    }
}
