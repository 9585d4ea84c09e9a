//! Files the audit could not read, and datasets it has nothing of, in
//! every format of `yimen audit`. An export of a catalogue and a window
//! authorisation ledger that is a broken workbook (`窗口授权.xlsx`, `PK…`):
//! every format names the file and why it could not be read (csv a row,
//! xlsx a sheet and a count in 汇总, sarif an `error` notification at the
//! file, junit a failing testcase, github an `::error` at the file), the
//! verdicts that needed the ledger say it could not be read
//! (`authorizations(无法读取)`, not `(未提供)`), and the summary tells a
//! dataset not given (`未提供`) from one unreadable (`无法读取`) and from one
//! given with no rows (`0`). Files skipped as holding no dataset are listed
//! too, where the format has a place for them.

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
    // 汇总: the count, and the ledger's records as unreadable, not 0.
    let facts = summary_facts(&mut book);
    assert_eq!(facts["无法读取的文件"], "1");
    assert_eq!(facts["读取记录: authorizations"], "无法读取");
    assert_eq!(facts["读取记录: units"], "未提供");
    assert_eq!(facts["读取记录: catalogue"], "1");
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
    // The run ends with exit 2: it did not succeed.
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
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
    // Its file as sarif and github name it: the folder, then the name.
    let name = dir.path().file_name().unwrap().to_str().unwrap();
    assert!(suite.contains(&format!(
        "<testcase classname=\"读取文件\" name=\"{LEDGER}\" file=\"{name}/{LEDGER}\">"
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
fn verdicts_that_need_an_unreadable_ledger_say_it_could_not_be_read() {
    let dir = broken_ledger();
    let json: serde_json::Value = serde_json::from_str(&stdout(dir.path(), "json", 2)).unwrap();
    let missing = |code: &str| -> Vec<String> {
        json["undetermined"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == code)
            .map(|u| serde_json::from_value(u["missing"].clone()).unwrap())
            .unwrap_or_default()
    };
    assert_eq!(missing("A002"), ["authorizations(无法读取)"]);
    // A register not given at all is still not given.
    assert_eq!(missing("E002"), ["units(未提供)"]);
    let text = stdout(dir.path(), "text", 2);
    assert!(
        text.contains("[A002] catalogue [A1] 缺少 authorizations(无法读取)"),
        "{text}"
    );
    assert!(!text.contains("authorizations(未提供)"), "{text}");
    let csv = stdout(dir.path(), "csv", 2);
    assert!(
        csv.contains("无法判定: 缺少 authorizations(无法读取)"),
        "{csv}"
    );
}

/// The `读取记录` line of the text summary.
fn records_line(text: &str) -> &str {
    text.lines()
        .find(|l| l.trim_start().starts_with("读取记录:"))
        .unwrap()
        .trim()
}

#[test]
fn the_summary_tells_not_given_from_unreadable_from_empty() {
    const HEADER_ONLY: &str = "授权单位,事项编码,授权级别,是否授权审批专用章,生效日期,失效日期\n";
    let alone = common::folder(&[("事项目录.csv", CATALOGUE)]);
    let empty = common::folder(&[("事项目录.csv", CATALOGUE), ("窗口授权.csv", HEADER_ONLY)]);
    let broken = broken_ledger();
    let not_given = stdout(alone.path(), "text", 0);
    assert_eq!(
        records_line(&not_given),
        "读取记录: authorizations 未提供, cases 未提供, catalogue 1, changes 未提供, fees 未提供, staff 未提供, units 未提供"
    );
    // Given with no rows: 0, and the ledger's rule decides (A002 finds
    // the item without authorisation).
    let header_only = stdout(empty.path(), "text", 1);
    assert!(
        records_line(&header_only).starts_with("读取记录: authorizations 0, cases 未提供"),
        "{header_only}"
    );
    assert!(header_only.contains("[A002 error]"), "{header_only}");
    let unreadable = stdout(broken.path(), "text", 2);
    assert!(
        records_line(&unreadable).starts_with("读取记录: authorizations 无法读取, cases 未提供"),
        "{unreadable}"
    );
    // The JSON keeps `records` as the contract pins it (0 for each), and
    // says why beside it, in `not_read`.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("../shared/contracts/findings.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for (dir, exit, authorizations) in [
        (alone.path(), 0, Some("not_given")),
        (empty.path(), 1, None),
        (broken.path(), 2, Some("unreadable")),
    ] {
        let json: serde_json::Value = serde_json::from_str(&stdout(dir, "json", exit)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let summary = &json["summary"];
        assert_eq!(summary["records"]["authorizations"], 0);
        assert_eq!(
            summary["not_read"]["authorizations"].as_str(),
            authorizations
        );
        assert_eq!(summary["not_read"]["units"], "not_given");
        assert!(summary["not_read"].get("catalogue").is_none());
    }
}

#[test]
fn a_broken_file_whose_name_names_no_dataset_may_be_any() {
    let dir = common::folder(&[("事项目录.csv", CATALOGUE)]);
    std::fs::write(dir.path().join("data.xlsx"), b"PK\x03\x04garbage").unwrap();
    let text = stdout(dir.path(), "text", 2);
    assert!(
        text.contains("缺少 authorizations(未提供或无法读取)"),
        "{text}"
    );
    assert!(
        records_line(&text).starts_with("读取记录: authorizations 未提供或无法读取"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(dir.path(), "json", 2)).unwrap();
    assert_eq!(
        json["summary"]["not_read"]["units"],
        "not_given_or_unreadable"
    );
}

#[test]
fn a_ledger_whose_every_row_is_a_data_error_is_unreadable_not_absent() {
    let ledger = "授权单位,事项编码,授权级别,是否授权审批专用章,生效日期,失效日期\n民政局,A1,决定,是,2020-01-01,,x,y\n";
    let dir = common::folder(&[("事项目录.csv", CATALOGUE), ("窗口授权.csv", ledger)]);
    let text = stdout(dir.path(), "text", 0);
    assert!(text.contains("缺少 authorizations(无法读取)"), "{text}");
    assert!(
        records_line(&text).starts_with("读取记录: authorizations 无法读取"),
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
    let name = dir.path().file_name().unwrap().to_str().unwrap();
    let xml = stdout(dir.path(), "junit", 2);
    assert!(xml.contains(
        "<testsuite name=\"读取文件\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\">"
    ));
    assert!(xml.contains(&format!(
        "<testcase classname=\"读取文件\" name=\"说明.md\" file=\"{name}/说明.md\">\n      <skipped message=\"已跳过: 说明.md: {reason}\"/>"
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

#[test]
fn the_report_says_a_metric_lacks_an_unreadable_ledger() {
    let dir = broken_ledger();
    let out = common::yimen(None)
        .arg("report")
        .arg(dir.path())
        .args(["--as-of", "2025-12-31", "--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("M02 授权到位率: 窗口授权（authorizations）无法读取，无法计算"),
        "{md}"
    );
    // A dataset not given is still said to be missing from the export.
    assert!(md.contains("导出中没有办件记录（cases），无法计算"), "{md}");
}

/// How the text summary shows the case log read from `log` (`cases 0`).
fn cases_shown(log: &str) -> String {
    let dir = common::folder(&[("事项目录.csv", CATALOGUE), ("办件记录.csv", log)]);
    let out = audit(dir.path(), "text", &["--fail-on", "never"]);
    let text = String::from_utf8(out.stdout).unwrap();
    records_line(&text)
        .split(", ")
        .find(|d| d.starts_with("cases "))
        .unwrap()
        .to_string()
}

#[test]
fn the_streamed_case_log_is_told_the_same_way() {
    const HEADER: &str = "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n";
    // Its header alone: 0; its one row a data error: unreadable.
    assert_eq!(cases_shown(HEADER), "cases 0");
    let bad = format!("{HEADER}C1,A1,民政局,窗口,2025-03-03 09:00:00,x,y,z\n");
    assert_eq!(cases_shown(&bad), "cases 无法读取");
    // A broken workbook named as the case log.
    let dir = common::folder(&[("事项目录.csv", CATALOGUE)]);
    std::fs::write(dir.path().join("办件记录.xlsx"), b"PK\x03\x04garbage").unwrap();
    let text = stdout(dir.path(), "text", 2);
    assert!(records_line(&text).contains(", cases 无法读取, "), "{text}");
}
