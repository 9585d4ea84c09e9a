//! Files the audit could not read, and datasets it has nothing of, in
//! every format of `yimen audit`. An export of a catalogue and a window
//! authorisation ledger that is a broken workbook (`窗口授权.xlsx`, `PK…`):
//! every format names the file and why it could not be read (csv a row,
//! xlsx a sheet and a count in 汇总, sarif an `error` notification at the
//! file, junit a failing testcase, github an `::error` at the file). Files
//! skipped as holding no dataset are listed too, where the format has a
//! place for them.

mod common;

use std::path::Path;
use std::process::Output;

use calamine::Reader as _;

const CATALOGUE: &str =
    "事项编码,事项名称,事项类型,实施主体,是否进驻中心\nA1,甲,行政许可,民政局,是\n";
const LEDGER: &str = "窗口授权.xlsx";
/// What the reason of the broken workbook says.
const BROKEN: &str = "不是有效的 Excel 工作簿或已损坏";

/// The probe's export: the catalogue and a broken ledger.
fn broken_ledger() -> tempfile::TempDir {
    let dir = common::folder(&[("事项目录.csv", CATALOGUE)]);
    std::fs::write(dir.path().join(LEDGER), b"PK\x03\x04garbage").unwrap();
    dir
}

/// `yimen audit DIR --as-of 2025-12-31 --format FORMAT [extra…]`, run in
/// `DIR`'s parent (so that `sarif` and `github` name files `DIR/…`).
fn audit(dir: &Path, format: &str, extra: &[&str]) -> Output {
    common::yimen(None)
        .current_dir(dir.parent().unwrap())
        .arg("audit")
        .arg(dir.file_name().unwrap())
        .args(["--as-of", "2025-12-31", "--format", format])
        .args(extra)
        .output()
        .unwrap()
}

/// The report on standard output, after asserting the exit code.
fn stdout(dir: &Path, format: &str, exit: i32) -> String {
    let out = audit(dir, format, &[]);
    assert_eq!(
        out.status.code(),
        Some(exit),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The CSV's rows (after the header), as strings.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let body = text.strip_prefix('\u{FEFF}').unwrap();
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn csv_has_a_row_for_the_unreadable_file() {
    let dir = broken_ledger();
    let rows = csv_rows(&stdout(dir.path(), "csv", 2));
    let last = rows.last().unwrap();
    // 严重程度, 说明 (the reason), 证据文件; after the undetermined verdicts.
    assert_eq!(last[2], "无法读取");
    assert!(last[6].contains(BROKEN), "{last:?}");
    assert_eq!(last[8], LEDGER);
    assert_eq!(rows.iter().filter(|r| r[8] == LEDGER).count(), 1);
    assert!(rows[..rows.len() - 1].iter().all(|r| r[2] == "无法判定"));
}

#[test]
fn the_workbook_lists_the_unreadable_file_and_counts_it() {
    let dir = broken_ledger();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("审计.xlsx");
    let out = audit(dir.path(), "xlsx", &["--output", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["汇总", "无法判定", "未读取的文件"]);
    let files = book.worksheet_range("未读取的文件").unwrap();
    let cell = |r: u32, c: u32| files.get_value((r, c)).unwrap().to_string();
    assert_eq!(
        [cell(0, 0), cell(0, 1), cell(0, 2)],
        ["文件", "状态", "原因"]
    );
    assert_eq!([cell(1, 0), cell(1, 1)], [LEDGER, "无法读取"]);
    assert!(cell(1, 2).contains(BROKEN));
    assert_eq!(files.height(), 2);
    // 汇总: the count.
    let facts = summary_facts(&mut book);
    assert_eq!(facts["无法读取的文件"], "1");
}

/// The label and value pairs of the workbook's 汇总 sheet (its first two
/// columns).
fn summary_facts<R: std::io::Read + std::io::Seek>(
    book: &mut calamine::Xlsx<R>,
) -> std::collections::BTreeMap<String, String> {
    let sum = book.worksheet_range("汇总").unwrap();
    sum.rows()
        .filter_map(|r| Some((r.first()?.to_string(), r.get(1)?.to_string())))
        .collect()
}

#[test]
fn sarif_notifies_an_error_at_the_unreadable_file() {
    let dir = broken_ledger();
    let sarif: serde_json::Value = serde_json::from_str(&stdout(dir.path(), "sarif", 2)).unwrap();
    let errors = common::sarif_schema_errors(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert_eq!(notes[0]["level"], "error");
    let text = notes[0]["message"]["text"].as_str().unwrap();
    assert!(
        text.starts_with(&format!("{LEDGER}: 无法读取: {BROKEN}")),
        "{text}"
    );
    let name = dir.path().file_name().unwrap().to_str().unwrap();
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        format!("{name}/%E7%AA%97%E5%8F%A3%E6%8E%88%E6%9D%83.xlsx")
    );
}

#[test]
fn junit_fails_a_testcase_for_the_unreadable_file() {
    let dir = broken_ledger();
    let xml = stdout(dir.path(), "junit", 2);
    let suite = xml
        .split("<testsuite ")
        .find(|s| s.starts_with("name=\"读取文件\""))
        .unwrap_or_else(|| panic!("no 读取文件 suite: {xml}"));
    assert!(suite
        .starts_with("name=\"读取文件\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\">"));
    assert!(suite.contains(&format!(
        "<testcase classname=\"读取文件\" name=\"{LEDGER}\" file=\"{LEDGER}\">"
    )));
    assert!(suite.contains(&format!("<failure message=\"{LEDGER}: 无法读取: {BROKEN}")));
    // The totals count it; the document is well-formed.
    let head = xml.lines().nth(1).unwrap();
    assert!(head.contains("failures=\"1\""), "{head}");
    let mut reader = quick_xml::Reader::from_str(&xml);
    reader.config_mut().check_end_names = true;
    while reader.read_event().unwrap() != quick_xml::events::Event::Eof {}
}

#[test]
fn github_annotates_the_unreadable_file_with_an_error() {
    let dir = broken_ledger();
    let text = stdout(dir.path(), "github", 2);
    let name = dir.path().file_name().unwrap().to_str().unwrap();
    let line = text.lines().last().unwrap();
    assert!(
        line.starts_with(&format!(
            "::error file={name}/{LEDGER},title=无法读取的文件::{LEDGER}: 无法读取: {BROKEN}"
        )),
        "{text}"
    );
}

#[test]
fn files_holding_no_dataset_are_listed_where_the_format_has_a_place() {
    let dir = common::folder(&[("事项目录.csv", CATALOGUE), ("说明.md", "导出说明\n")]);
    std::fs::write(dir.path().join(LEDGER), b"PK\x03\x04garbage").unwrap();
    let reason = "不支持的文件类型(.md)";
    // csv: after the unreadable file, 已跳过.
    let rows = csv_rows(&stdout(dir.path(), "csv", 2));
    let n = rows.len();
    assert_eq!(
        (&rows[n - 2][2][..], &rows[n - 2][8][..]),
        ("无法读取", LEDGER)
    );
    assert_eq!(
        (
            &rows[n - 1][2][..],
            &rows[n - 1][6][..],
            &rows[n - 1][8][..]
        ),
        ("已跳过", reason, "说明.md")
    );
    // sarif: a note at the file.
    let sarif: serde_json::Value = serde_json::from_str(&stdout(dir.path(), "sarif", 2)).unwrap();
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let levels: Vec<&str> = notes.iter().map(|n| n["level"].as_str().unwrap()).collect();
    assert_eq!(levels, ["error", "note"]);
    assert_eq!(
        notes[1]["message"]["text"],
        format!("已跳过: 说明.md: {reason}")
    );
    // junit: a skipped testcase in the same suite.
    let xml = stdout(dir.path(), "junit", 2);
    assert!(xml.contains(
        "<testsuite name=\"读取文件\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\">"
    ));
    assert!(xml.contains(&format!(
        "<testcase classname=\"读取文件\" name=\"说明.md\" file=\"说明.md\">\n      <skipped message=\"已跳过: 说明.md: {reason}\"/>"
    )));
    // github: one notice naming them, after the error.
    let text = stdout(dir.path(), "github", 2);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[lines.len() - 2].starts_with("::error "));
    assert_eq!(
        lines[lines.len() - 1],
        format!(
            "::notice title=已跳过的文件::1 个文件不含可识别的数据集, 未读取: 说明.md ({reason})"
        )
    );
    // xlsx: a row of the sheet, and the count.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("审计.xlsx");
    audit(dir.path(), "xlsx", &["--output", path.to_str().unwrap()]);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let files = book.worksheet_range("未读取的文件").unwrap();
    let row: Vec<String> = files
        .rows()
        .nth(2)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(row, ["说明.md", "已跳过", reason]);
    assert_eq!(summary_facts(&mut book)["已跳过的文件"], "1");
}
