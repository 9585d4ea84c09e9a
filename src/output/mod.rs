//! Writers of an audit: one file per format. Writers only format; they never
//! decide anything about the findings.

pub mod csv;
pub mod github;
pub mod json;
pub mod junit;
pub(crate) mod markup;
pub mod sarif;
pub mod text;
pub(crate) mod triage;
pub mod xlsx;

use crate::ast::RuleKind;
use crate::engine::report::{Evidence, Finding, SkippedFile};
use crate::ir::{Program, RuleDef};

/// The findings of an audit with what the writers need to say about it.
pub struct AuditDoc<'a> {
    pub audit: &'a crate::engine::Audit,
    pub as_of: chrono::NaiveDate,
    pub program: &'a crate::ir::Program,
    /// What the writers that locate files in a repository (`github`,
    /// `sarif`, `junit`) put before a file name, which is relative to the export
    /// folder: the folder as seen from the working directory (in CI, the
    /// repository's root), `/`-separated and ending in `/`; empty when the
    /// folder is the working directory. See [`location_prefix`].
    pub location_prefix: String,
    /// What the run was given beyond the shipped settings, for the text
    /// output to say (a parameter set away from its default, a local
    /// calendar file): the same findings come again only with them.
    pub settings: Vec<String>,
}

/// A file of the export (named relative to the folder) as the writers that
/// locate files in a repository name it (`sarif`, `github`, `junit`): after
/// [`AuditDoc::location_prefix`], `/`-separated.
pub(crate) fn located(prefix: &str, file: &str) -> String {
    format!("{prefix}{file}").replace('\\', "/")
}

/// The export folder `dir` as seen from the working directory, as
/// [`AuditDoc::location_prefix`] holds it: relative when `dir` is (or lies
/// under the working directory), else as given.
pub fn location_prefix(dir: &std::path::Path) -> String {
    use std::path::Component;
    let cwd = std::env::current_dir().ok();
    let rel = match &cwd {
        Some(c) if dir.is_absolute() => dir.strip_prefix(c).unwrap_or(dir),
        _ => dir,
    };
    let mut out = String::new();
    for c in rel.components() {
        match c {
            Component::CurDir => {}
            Component::RootDir => out.push('/'),
            Component::Prefix(p) => out.push_str(&p.as_os_str().to_string_lossy()),
            Component::ParentDir | Component::Normal(_) => {
                out.push_str(&c.as_os_str().to_string_lossy());
                out.push('/');
            }
        }
    }
    out
}

/// Report formats of `yimen audit --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// For a person: grouped by department and rule.
    Text,
    /// The findings contract.
    Json,
    /// SARIF 2.1.0 (code scanning).
    Sarif,
    /// XML test report in the junit format (GitLab, Jenkins).
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// One row per finding, UTF-8 with a BOM (Excel).
    Csv,
    /// An Excel workbook (needs --output FILE).
    Xlsx,
}

impl AuditFormat {
    /// Whether the format is binary (never written to a terminal).
    pub fn is_binary(self) -> bool {
        matches!(self, AuditFormat::Xlsx)
    }
}

/// Render an audit in `format`. Only the workbook writer can fail.
pub fn render(format: AuditFormat, doc: &AuditDoc<'_>) -> Result<Vec<u8>, String> {
    Ok(match format {
        AuditFormat::Text => text::render(doc).into_bytes(),
        AuditFormat::Json => json::render(doc).into_bytes(),
        AuditFormat::Sarif => sarif::render(doc).into_bytes(),
        AuditFormat::Junit => junit::render(doc).into_bytes(),
        AuditFormat::Github => github::render(doc).into_bytes(),
        AuditFormat::Csv => csv::render(doc)?,
        AuditFormat::Xlsx => xlsx::render(doc)?,
    })
}

/// The rules a report lists: every rule of the program (not the metrics), in
/// code order, then any code that fired (or, with a baseline, was resolved)
/// without being in the program, so a report always describes every code it
/// mentions.
pub(crate) fn reported_codes<'a>(doc: &'a AuditDoc<'_>) -> Vec<(&'a str, Option<&'a RuleDef>)> {
    let program: &'a Program = doc.program;
    let mut out: Vec<(&str, Option<&RuleDef>)> = program
        .rules
        .iter()
        .filter(|r| r.kind == RuleKind::Rule)
        .map(|r| (r.code.as_str(), Some(r)))
        .collect();
    let audit: &'a crate::engine::Audit = doc.audit;
    let mentioned = audit
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .chain(audit.resolved.iter().map(|(code, _)| code.as_str()));
    for code in mentioned {
        if !out.iter().any(|(c, _)| *c == code) {
            out.push((code, program.rule(code)));
        }
    }
    out.sort_by(|a, b| a.0.cmp(b.0));
    out
}

/// The findings of one code, in report order.
/// A writer of an audit format that writes as it goes.
pub type StreamedWriter = fn(&AuditDoc<'_>, &mut dyn std::io::Write) -> std::io::Result<()>;

/// The writer of an audit format that writes as it goes (never holding its
/// output whole: a dirty export's millions of items make gigabytes), or
/// `None` for one rendered first (`text`, whose lists are cut; `xlsx`, a
/// zip built in memory).
pub fn streamed(format: AuditFormat) -> Option<StreamedWriter> {
    match format {
        AuditFormat::Json => Some(json::write),
        AuditFormat::Sarif => Some(sarif::write),
        AuditFormat::Csv => Some(csv::write),
        AuditFormat::Junit => Some(junit::write),
        AuditFormat::Github => Some(github::write),
        AuditFormat::Text | AuditFormat::Xlsx => None,
    }
}

/// `value` as pretty JSON and a line break, written as it is serialised:
/// `serde_json` writes token by token, and through a buffer of its own type
/// each write is a copy into it, not a call through `w`'s vtable (a dirty
/// export's 700 MB of JSON: about a second less).
pub(crate) fn write_pretty_json(
    w: &mut dyn std::io::Write,
    value: &impl serde::Serialize,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, w);
    serde_json::to_writer_pretty(&mut buffered, value)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// What a writer that writes as it goes makes, as text (written into
/// memory, which fails only on an internal error).
pub(crate) fn rendered(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<String> {
    let mut out = Vec::new();
    write(&mut out)?;
    String::from_utf8(out).map_err(std::io::Error::other)
}

/// Text written (`fmt::Write`) onto an `io::Write` through a buffer, for the
/// writers that make their output piece by piece: the first error is kept
/// (later writes fail at once) and given back by [`IoText::finish`].
pub(crate) struct IoText<'w> {
    w: std::io::BufWriter<&'w mut dyn std::io::Write>,
    error: Option<std::io::Error>,
}

impl<'w> IoText<'w> {
    pub(crate) fn new(w: &'w mut dyn std::io::Write) -> IoText<'w> {
        IoText {
            w: std::io::BufWriter::with_capacity(1 << 16, w),
            error: None,
        }
    }

    /// The first error, or the flush's.
    pub(crate) fn finish(mut self) -> std::io::Result<()> {
        match self.error.take() {
            Some(e) => Err(e),
            None => std::io::Write::flush(&mut self.w),
        }
    }
}

impl std::fmt::Write for IoText<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.error.is_some() {
            return Err(std::fmt::Error);
        }
        std::io::Write::write_all(&mut self.w, s.as_bytes()).map_err(|e| {
            self.error = Some(e);
            std::fmt::Error
        })
    }
}

pub(crate) fn findings_of<'a>(doc: &'a AuditDoc<'_>, code: &str) -> Vec<&'a Finding> {
    let audit: &'a crate::engine::Audit = doc.audit;
    audit.findings.iter().filter(|f| f.code == code).collect()
}

/// What a report calls a file that could not be read (the CSV's 严重程度,
/// the workbook's 状态).
pub(crate) const UNREADABLE_FILE: &str = "无法读取";
/// What a report calls a file skipped as holding no dataset.
pub(crate) const SKIPPED_FILE: &str = "已跳过";

/// The files the audit did not read: those it could not read, then those
/// skipped as holding no dataset, each in path order.
pub(crate) fn files_not_read<'a>(
    doc: &'a AuditDoc<'_>,
) -> (Vec<&'a SkippedFile>, Vec<&'a SkippedFile>) {
    let audit: &'a crate::engine::Audit = doc.audit;
    audit.skipped.iter().partition(|k| k.unreadable)
}

/// The files not read in the order the formats list them: those that could
/// not be read, then those skipped as holding no dataset (`unreadable` tells
/// them apart).
pub(crate) fn files_not_read_in_order<'a>(
    doc: &'a AuditDoc<'_>,
) -> impl Iterator<Item = &'a SkippedFile> {
    let (unreadable, skipped) = files_not_read(doc);
    unreadable.into_iter().chain(skipped)
}

/// A file not read in one line, as the command says it on stderr: `窗口授权.xlsx:
/// 无法读取: …` for one that could not be read (its reason says what
/// failed), `已跳过: README.md: 不支持的文件类型(.md)` for one holding no
/// dataset.
pub(crate) fn file_not_read_text(k: &SkippedFile) -> String {
    if k.unreadable {
        format!("{}: {}", k.file, k.reason)
    } else {
        format!("{SKIPPED_FILE}: {}: {}", k.file, k.reason)
    }
}

/// The records read of each dataset, as a summary shows them: the count,
/// or why there are none when the export does not give the dataset
/// (`未提供`) or gives it in a file that could not be read (`无法读取`), so
/// that neither reads as a register given with no rows (`0`).
pub(crate) fn records_shown<'a>(doc: &'a AuditDoc<'_>) -> Vec<(&'a str, RecordsShown)> {
    let s: &'a crate::engine::report::Summary = &doc.audit.summary;
    s.records
        .iter()
        .map(|(name, n)| {
            let shown = match s.not_read.get(name) {
                Some(a) => RecordsShown::Absent(a.label()),
                None => RecordsShown::Count(*n),
            };
            (name.as_str(), shown)
        })
        .collect()
}

/// A dataset's entry in [`records_shown`].
pub(crate) enum RecordsShown {
    Count(u64),
    /// Why the dataset has no records: [`crate::engine::Absence::label`].
    Absent(&'static str),
}

impl std::fmt::Display for RecordsShown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordsShown::Count(n) => write!(f, "{n}"),
            RecordsShown::Absent(label) => f.write_str(label),
        }
    }
}

/// Each finding's department as the per-department summaries (text,
/// workbook) group it: departments match in their matching form, as the
/// engine groups them (`区民政局(本级)` and `区民政局（本级）` are one), each
/// shown as the first finding naming it writes it; `none` for a finding
/// without one. By the findings' index.
pub(crate) fn dept_labels<'a>(findings: &'a [Finding], none: &'a str) -> Vec<&'a str> {
    let mut shown: std::collections::HashMap<std::borrow::Cow<'a, str>, &'a str> =
        std::collections::HashMap::new();
    findings
        .iter()
        .map(|f| match f.dept.as_deref() {
            Some(d) => *shown.entry(crate::read::normalize::value(d)).or_insert(d),
            None => none,
        })
        .collect()
}

/// Chinese label of a severity.
pub(crate) fn severity_label(severity: &str) -> &'static str {
    match severity {
        "error" => "错误",
        "warning" => "警告",
        "info" => "提示",
        _ => "未知",
    }
}

/// The citations of a finding, short: `gangnan-2017 四、(六); sandu-2018 七、(六)`.
pub(crate) fn cites_short(f: &Finding) -> String {
    f.cite
        .iter()
        .map(|c| format!("{} {}", c.policy, c.clause))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The citations of a finding with the text of each clause, one per line.
/// The clauses a rule cites, each with its document's title and the
/// clause's text (`gangnan-2017 《港南区…通知》 四、(六): …`), as a 通报
/// quotes them.
pub(crate) fn clause_lines(rule: &RuleDef) -> Vec<String> {
    let registry = crate::sources::SourceRegistry::active();
    rule.cites
        .iter()
        .map(|c| {
            let title = registry
                .source(&c.source)
                .map(|s| format!("《{}》", s.title))
                .unwrap_or_default();
            let text = registry
                .cited_text(&c.source, &c.clause)
                .map(|t| t.trim().to_string())
                .unwrap_or_default();
            format!("{} {title} {}: {text}", c.source, c.clause)
        })
        .collect()
}

pub(crate) fn cites_long(f: &Finding) -> String {
    f.cite
        .iter()
        .map(|c| format!("{} {}: {}", c.policy, c.clause, c.text))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A file as the evidence names it, with its sheet: `事项目录.xlsx [目录]`.
pub(crate) fn file_text(e: &Evidence) -> String {
    match &e.sheet {
        Some(s) => format!("{} [{s}]", e.file),
        None => e.file.to_string(),
    }
}

/// The places (file, sheet, row) of `evidence`, in the order of their
/// first entry, each with its `field=value` pairs in the entries' order.
pub(crate) fn evidence_places(evidence: &[Evidence]) -> Vec<(&Evidence, Vec<String>)> {
    let mut places: Vec<(&Evidence, Vec<String>)> = Vec::new();
    for e in evidence {
        let i = places
            .iter()
            .position(|(p, _)| p.file == e.file && p.sheet == e.sheet && p.row == e.row)
            .unwrap_or_else(|| {
                places.push((e, Vec::new()));
                places.len() - 1
            });
        if let Some(field) = &e.field {
            places[i]
                .1
                .push(format!("{field}={}", e.value.as_deref().unwrap_or("")));
        }
    }
    places
}

/// The evidence of a finding beside its first row (the formats' 证据行
/// column): that row's `field=value` pairs first, then each other place
/// after its file and row (`窗口授权.csv 第 6 行 level=初审; seal=否`), a
/// value belonging to the last place named before it, or to the first row.
/// Places without a value are named too, those that follow one another in
/// one file as one list of rows (a repeated code's second row,
/// `事项目录.csv 第 9 行`; a group's records, `办件记录.csv 第 3、5 行`), so
/// that no row of the evidence is left out.
pub(crate) fn evidence_values(f: &Finding) -> String {
    evidence_text(&f.evidence)
}

/// [`evidence_values`] of any evidence list (an undetermined verdict's).
pub(crate) fn evidence_text(evidence: &[Evidence]) -> String {
    let places = evidence_places(evidence);
    let mut parts = Vec::new();
    let mut rows: Vec<String> = Vec::new();
    for (n, (p, fields)) in places.iter().enumerate() {
        if n == 0 {
            if !fields.is_empty() {
                parts.push(fields.join("; "));
            }
        } else if fields.is_empty() {
            rows.push(p.row.to_string());
            let next_joins = places
                .get(n + 1)
                .is_some_and(|(q, f)| f.is_empty() && q.file == p.file && q.sheet == p.sheet);
            if !next_joins {
                parts.push(format!("{} 第 {} 行", file_text(p), rows.join("、")));
                rows.clear();
            }
        } else {
            parts.push(format!(
                "{} 第 {} 行 {}",
                file_text(p),
                p.row,
                fields.join("; ")
            ));
        }
    }
    parts.join("; ")
}

/// The text a person sees for a finding's key.
pub(crate) fn key_text(f: &Finding) -> String {
    f.key.join(" / ")
}

/// Display width of text in a fixed-width view: CJK and other wide
/// characters count as 2.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

#[cfg(test)]
pub(crate) mod fixture {
    //! A small audit over the shipped program, with text that needs escaping
    //! in every format.

    /// The audit document the writers' tests render.
    pub fn doc<'a>(
        program: &'a crate::ir::Program,
        audit: &'a crate::engine::Audit,
    ) -> super::AuditDoc<'a> {
        super::AuditDoc {
            audit,
            as_of: chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default(),
            program,
            location_prefix: String::new(),
            settings: Vec::new(),
        }
    }

    use crate::engine::report::{CiteOut, DataError, Evidence, Finding, Undetermined};
    use crate::engine::Audit;
    use crate::ir::Program;

    pub fn program() -> Program {
        let (_, program) = crate::policy::load_sources(
            crate::builtin::sources(),
            crate::schema::Schema::builtin(),
            Some(crate::sources::SourceRegistry::active()),
        )
        .unwrap_or_else(|_| panic!("the shipped policies check"));
        program
    }

    fn ev(file: &str, row: u32, field: &str, value: &str) -> Evidence {
        Evidence {
            file: file.into(),
            sheet: None,
            row,
            field: Some(field.into()),
            value: Some(value.into()),
        }
    }

    pub fn audit() -> Audit {
        let cite = CiteOut {
            policy: "gangnan-2017".into(),
            clause: "四、(六)".into(),
            text: "凡属在区政务服务中心办理的业务,一律不得在原单位办理。".into(),
        };
        let mut a = Audit {
            findings: vec![
                Finding {
                    code: "H001".into(),
                    rule: "handled-outside-center".into(),
                    severity: "error",
                    dataset: "cases".into(),
                    key: vec!["C1".into()],
                    dept: Some("民政局".into()),
                    message: "办件 C1 <在原单位> 受理 & \"体外循环\" 100%\nsecond line, a:b".into(),
                    cite: vec![cite.clone()],
                    status: None,
                    waiver: None,
                    baseline: None,
                    group_rows: None,
                    evidence: vec![
                        ev("exports/办件.csv", 3, "channel", "原单位"),
                        ev("exports/事项, 目录.csv", 7, "in_center", "true"),
                    ],
                },
                Finding {
                    code: "H001".into(),
                    rule: "handled-outside-center".into(),
                    severity: "error",
                    dataset: "cases".into(),
                    key: vec!["C2".into()],
                    dept: None,
                    message: "=SUM(A1)".into(),
                    cite: vec![cite],
                    status: None,
                    waiver: None,
                    baseline: None,
                    group_rows: None,
                    evidence: vec![Evidence {
                        file: "事项目录.xlsx".into(),
                        sheet: Some("目录".into()),
                        row: 5,
                        field: Some("channel".into()),
                        value: Some("原单位".into()),
                    }],
                },
                Finding {
                    code: "S001".into(),
                    rule: "staff-over-age".into(),
                    severity: "warning",
                    dataset: "staff".into(),
                    key: vec!["P1".into(), "x".into()],
                    dept: Some("人社局".into()),
                    message: "人员 P1 超龄".into(),
                    cite: vec![],
                    status: None,
                    waiver: None,
                    baseline: None,
                    group_rows: None,
                    evidence: vec![],
                },
            ],
            undetermined: vec![Undetermined {
                code: "H003".into(),
                dataset: "cases".into(),
                key: vec!["C9".into()],
                missing: vec!["finished_at".into()],
                evidence: vec![ev("exports/办件.csv", 11, "id", "C9")],
                group_rows: None,
            }],
            data_errors: vec![DataError {
                file: "exports/办件.csv".into(),
                sheet: None,
                row: 9,
                column: Some("受理时间".into()),
                value: Some("2025-13-01".into()),
                expected: Some("datetime".into()),
                message: "不是日期".into(),
            }],
            ..Audit::default()
        };
        a.summary.records.insert("cases".into(), 12);
        a.finish();
        a
    }
}
