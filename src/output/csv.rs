//! `--format csv`: one row per finding, UTF-8 with a byte order mark so
//! Excel opens the Chinese text correctly, headers in Chinese. The last
//! columns say what `--baseline` and `--waivers` made of it (基线状态 新增 or
//! 持续; 豁免状态 已豁免 with the waiver's reason, approval and expiry). With
//! them, the findings are followed by one row per resolved finding of the
//! baseline (基线状态 已整改) and one per waiver that did not apply
//! (豁免状态 已过期 or 未匹配, its key patterns under 键), so that the file
//! says everything the text report does. Last come the undetermined
//! verdicts (严重程度 无法判定, the missing fields under 说明), the data
//! errors (严重程度 数据错误, the column and raw value under 证据值) and the
//! files not read (严重程度 无法读取, then 已跳过 for a file holding no
//! dataset: the file under 证据文件, the reason under 说明): a CSV handed on
//! says what the audit could not decide and what it could not read, as
//! every other format does.

use super::triage::{self as tri, RESOLVED, RESOLVED_NOTE};
use super::{
    cites_short, evidence_text, evidence_values, files_not_read_in_order, key_text, severity_label,
    AuditDoc, SKIPPED_FILE, UNREADABLE_FILE,
};

/// 严重程度 of an undetermined verdict's row.
const UNDETERMINED: &str = "无法判定";
/// 严重程度 of a data error's row.
const DATA_ERROR: &str = "数据错误";

const HEADER: [&str; 13] = [
    "规则代码",
    "规则名称",
    "严重程度",
    "数据集",
    "键",
    "部门",
    "说明",
    "依据",
    "证据文件",
    "工作表",
    "证据行",
    "证据值",
    "规则标识",
];

/// A cell a spreadsheet would read as a formula (`=`, `+`, `@`, or `-` not
/// starting a number) is prefixed with `'`, so opening the report never
/// evaluates text that came from an export.
pub(crate) fn defuse(s: &str) -> String {
    let mut chars = s.chars();
    let risky = match chars.next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => !chars.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    };
    if risky {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A row that is not a finding: `code`, `key` and `note` (under 说明), the
/// rule's names, `severity` and `dataset` when known, the triage `cells`.
fn other_row(
    doc: &AuditDoc<'_>,
    code: &str,
    key: String,
    note: &str,
    with_rule_facts: bool,
    cells: [String; 6],
) -> Vec<String> {
    let rule = doc.program.rule(code);
    let title = rule.and_then(|r| r.title.clone()).unwrap_or_default();
    let (severity, dataset) = match rule {
        Some(r) if with_rule_facts => (
            severity_label(r.severity.as_str()),
            tri::rule_dataset(doc, code).unwrap_or_default(),
        ),
        _ => ("", ""),
    };
    let mut row = vec![
        code.to_string(),
        title,
        severity.to_string(),
        dataset.to_string(),
        key,
        String::new(),
        note.to_string(),
    ];
    // 依据, the evidence's file, sheet, row and values: none.
    row.extend(std::iter::repeat_n(String::new(), 5));
    row.push(rule.map(|r| r.name.clone()).unwrap_or_default());
    row.extend(cells);
    row
}

/// The rows after the findings: resolved findings of the baseline (a
/// finding's code, severity and dataset), then waivers that did not apply
/// (a waiver's code and key patterns).
fn triage_rows(doc: &AuditDoc<'_>) -> Vec<Vec<String>> {
    let resolved = doc.audit.resolved.iter().map(|(code, key)| {
        let cells = tri::cells(RESOLVED, "", None);
        other_row(doc, code, key.join(" / "), RESOLVED_NOTE, true, cells)
    });
    let waivers = tri::unapplied(doc).into_iter().map(|(state, note, w)| {
        let cells = tri::cells("", state, Some(w));
        other_row(doc, &w.code, tri::waiver_key(w), note, false, cells)
    });
    resolved.chain(waivers).collect()
}

/// The rows of the undetermined verdicts, then of the data errors, then of
/// the files not read, with the triage columns empty, made one at a time as
/// they are written (a dirty export's millions of them, built whole, took
/// 2 GB).
fn unknown_rows<'a>(doc: &'a AuditDoc<'a>) -> impl Iterator<Item = Vec<String>> + 'a {
    let a = doc.audit;
    let undetermined = a.undetermined.iter().map(|u| {
        let rule = doc.program.rule(&u.code);
        let first = u.evidence.first();
        vec![
            u.code.to_string(),
            rule.and_then(|r| r.title.clone()).unwrap_or_default(),
            UNDETERMINED.to_string(),
            u.dataset.to_string(),
            u.key.join(" / "),
            String::new(),
            format!("无法判定: 缺少 {}", u.missing.join(", ")),
            String::new(),
            first.map(|e| e.file.to_string()).unwrap_or_default(),
            first
                .and_then(|e| e.sheet.as_deref())
                .unwrap_or_default()
                .to_string(),
            first.map(|e| e.row.to_string()).unwrap_or_default(),
            evidence_text(&u.evidence),
            rule.map(|r| r.name.clone()).unwrap_or_default(),
        ]
    });
    let errors = a.data_errors.iter().map(|e| {
        let message = match &e.expected {
            Some(x) => format!("{} (应为 {x})", e.message),
            None => e.message.to_string(),
        };
        let value = match (&e.column, &e.value) {
            (Some(c), v) => format!("{c}={}", v.as_deref().unwrap_or("")),
            (None, Some(v)) => v.clone(),
            (None, None) => String::new(),
        };
        let mut row = vec![String::new(), String::new(), DATA_ERROR.to_string()];
        row.extend(std::iter::repeat_n(String::new(), 3));
        row.extend([
            message,
            String::new(),
            e.file.to_string(),
            e.sheet.as_deref().unwrap_or_default().to_string(),
            e.row.to_string(),
            value,
            String::new(),
        ]);
        row
    });
    let files = files_not_read_in_order(doc).map(|k| {
        let label = if k.unreadable {
            UNREADABLE_FILE
        } else {
            SKIPPED_FILE
        };
        let mut row = vec![String::new(), String::new(), label.to_string()];
        row.extend(std::iter::repeat_n(String::new(), 3));
        row.extend([k.reason.clone(), String::new(), k.file.clone()]);
        row.extend(std::iter::repeat_n(String::new(), 4));
        row
    });
    undetermined.chain(errors).chain(files).map(|mut row| {
        row.extend(std::iter::repeat_n(String::new(), tri::COLUMNS.len()));
        row
    })
}

/// A CSV writer's error as the writing's own: the csv crate wraps an I/O
/// error in one of its own, of kind `Other`, and a reader that went away
/// (`yimen audit … --format csv | head`) was then reported as a failure
/// to write.
fn io_error(e: ::csv::Error) -> std::io::Error {
    let text = e.to_string();
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        _ => std::io::Error::other(text),
    }
}

/// The CSV written to `w` row by row, never held whole.
pub fn write(doc: &AuditDoc<'_>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_rows(doc, w).map_err(io_error)
}

fn write_rows(doc: &AuditDoc<'_>, w: &mut dyn std::io::Write) -> Result<(), ::csv::Error> {
    w.write_all("\u{FEFF}".as_bytes())?;
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .buffer_capacity(1 << 16)
        .from_writer(w);
    w.write_record(HEADER.iter().chain(&tri::COLUMNS))?;
    for f in &doc.audit.findings {
        let title = doc
            .program
            .rule(&f.code)
            .and_then(|r| r.title.clone())
            .unwrap_or_default();
        let first = f.evidence.first();
        let row = [
            f.code.to_string(),
            title,
            severity_label(f.severity).to_string(),
            f.dataset.to_string(),
            key_text(f),
            f.dept.clone().unwrap_or_default(),
            f.message.clone(),
            cites_short(f),
            first.map(|e| e.file.to_string()).unwrap_or_default(),
            first
                .and_then(|e| e.sheet.as_deref())
                .unwrap_or_default()
                .to_string(),
            first.map(|e| e.row.to_string()).unwrap_or_default(),
            evidence_values(f),
            f.rule.to_string(),
        ];
        let triage = tri::finding_cells(f);
        w.write_record(row.iter().chain(&triage).map(|c| defuse(c)))?;
    }
    for row in triage_rows(doc).into_iter().chain(unknown_rows(doc)) {
        w.write_record(row.iter().map(|c| defuse(c)))?;
    }
    Ok(w.flush()?)
}

/// The CSV's bytes (see [`write()`](fn@write)).
pub fn render(doc: &AuditDoc<'_>) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    write(doc, &mut buf).map_err(|e| e.to_string())?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixture;

    #[test]
    fn formulas_are_defused_numbers_kept() {
        assert_eq!(defuse("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(defuse("-12"), "-12");
        assert_eq!(defuse("-x"), "'-x");
        assert_eq!(defuse("民政局"), "民政局");
    }

    #[test]
    fn bom_header_and_one_row_per_finding() {
        let (program, audit) = (fixture::program(), fixture::audit());
        let doc = fixture::doc(&program, &audit);
        let bytes = render(&doc).unwrap_or_default();
        assert!(bytes.starts_with("\u{FEFF}".as_bytes()));
        let mut r = ::csv::ReaderBuilder::new().from_reader(&bytes[3..]);
        let header: Vec<String> = r
            .headers()
            .map(|h| h.iter().map(String::from).collect())
            .unwrap_or_default();
        assert_eq!(header[..13], HEADER);
        assert_eq!(header[13..], tri::COLUMNS);
        let rows: Vec<::csv::StringRecord> = r.records().filter_map(Result::ok).collect();
        // Three findings, one undetermined verdict, one data error.
        assert_eq!(rows.len(), 5);
        assert_eq!(&rows[0][0], "H001");
        assert_eq!(&rows[0][2], "错误");
        assert_eq!(
            &rows[0][6],
            "办件 C1 <在原单位> 受理 & \"体外循环\" 100%\nsecond line, a:b"
        );
        assert_eq!(&rows[0][10], "3");
        assert_eq!(
            &rows[0][11],
            "channel=原单位; exports/事项, 目录.csv 第 7 行 in_center=true"
        );
        assert_eq!(&rows[1][6], "'=SUM(A1)");
        assert_eq!(&rows[1][9], "目录");
        assert_eq!(&rows[2][4], "P1 / x");
        let undetermined: Vec<&str> = rows[3].iter().take(13).collect();
        assert_eq!(
            undetermined,
            [
                "H003",
                "超过承诺时限办结",
                "无法判定",
                "cases",
                "C9",
                "",
                "无法判定: 缺少 finished_at",
                "",
                "exports/办件.csv",
                "",
                "11",
                "id=C9",
                "overdue",
            ]
        );
        let error: Vec<&str> = rows[4].iter().collect();
        assert_eq!(error[2], "数据错误");
        assert_eq!(error[6], "不是日期 (应为 datetime)");
        assert_eq!(
            error[8..12],
            ["exports/办件.csv", "", "9", "受理时间=2025-13-01"]
        );
        assert_eq!(error.len(), 19);
        assert!(error.iter().skip(12).all(|c| c.is_empty()));
    }
}
