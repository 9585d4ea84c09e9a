//! Every fixture of `tests/fixtures/read/` through `inspect` (the JSON
//! contract) and through `read_table`.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use yimen::read::{
    discover, inspect, read_table, read_table_full, render_json, render_text, ReadOptions,
    SourceFile,
};
use yimen::schema::Schema;
use yimen::value::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/read")
}

fn schema() -> &'static Schema {
    Schema::builtin()
}

fn source(rel: &str, sheet: Option<&str>) -> SourceFile {
    let d = discover(&dir(), schema(), &ReadOptions::default()).unwrap();
    d.sources
        .into_iter()
        .find(|s| s.rel == rel && s.sheet.as_deref() == sheet)
        .unwrap_or_else(|| panic!("{rel} not discovered"))
}

/// The values of one record by field name.
fn rec(src: &SourceFile, r: &yimen::read::Record, field: &str) -> Value {
    let ds = schema().dataset(&src.dataset).unwrap();
    r.values[ds.field_index(field).unwrap()].clone()
}

fn s(v: &str) -> Value {
    Value::str(v)
}

fn dt(v: &str) -> Value {
    Value::DateTime(NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S").unwrap())
}

fn d(y: i32, m: u32, day: u32) -> Value {
    Value::Date(NaiveDate::from_ymd_opt(y, m, day).unwrap())
}

#[test]
fn inspect_json_matches_the_contract_and_the_snapshot() {
    let report = inspect(&dir(), schema(), &ReadOptions::default()).unwrap();
    let json = render_json(&report);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let contract_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/contracts/inspect.schema.json");
    let contract: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(contract_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&contract).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    insta::assert_snapshot!("inspect_fixtures_json", json);
    insta::assert_snapshot!("inspect_fixtures_text", render_text(&report));
}

#[test]
fn inspect_counts_per_file() {
    let report = inspect(&dir(), schema(), &ReadOptions::default()).unwrap();
    let get = |p: &str, sheet: Option<&str>| {
        report
            .files
            .iter()
            .find(|f| f.path == p && f.sheet.as_deref() == sheet)
            .unwrap_or_else(|| panic!("{p} not in the report"))
    };
    let f = get("办件-gbk.csv", None);
    assert_eq!(
        (f.dataset.as_str(), f.format.as_str(), f.encoding.as_deref()),
        ("cases", "csv", Some("gbk"))
    );
    assert_eq!((f.rows, f.errors), (4, 0));
    let f = get("人员-gb18030.csv", None);
    assert_eq!(
        (f.dataset.as_str(), f.encoding.as_deref(), f.rows),
        ("staff", Some("gb18030"), 2)
    );
    let f = get("事项目录-bom.csv", None);
    assert_eq!(
        (f.encoding.as_deref(), f.header_row, f.rows),
        (Some("utf-8-bom"), Some(2), 2)
    );
    let f = get("授权.tsv", None);
    assert_eq!(
        (f.dataset.as_str(), f.format.as_str(), f.rows),
        ("authorizations", "tsv", 2)
    );
    let f = get("进驻单位.xlsx", Some("进驻单位"));
    assert_eq!(
        (f.dataset.as_str(), f.header_row, f.rows, f.errors),
        ("units", Some(3), 3, 0)
    );
    assert!(f.unmapped_columns.is_empty(), "{:?}", f.unmapped_columns);
    let f = get("进驻单位.xlsx", Some("窗口授权"));
    assert_eq!(
        (f.dataset.as_str(), f.header_row, f.rows),
        ("authorizations", Some(1), 2)
    );
    let f = get("目录调整.xls", Some("调整记录"));
    assert_eq!(
        (f.dataset.as_str(), f.format.as_str(), f.rows, f.errors),
        ("changes", "xls", 3, 0)
    );
    let f = get("办件-ragged.csv", None);
    assert_eq!((f.rows, f.errors, f.bad_rows), (3, 2, 2));
    let f = get("办件-bad-date.csv", None);
    assert_eq!((f.rows, f.errors), (2, 3));
    assert_eq!(
        f.column_errors,
        vec![
            ("受理渠道".into(), 1),
            ("受理时间".into(), 1),
            ("办结时间".into(), 1)
        ]
    );
    let f = get("收费.jsonl", None);
    assert_eq!((f.dataset.as_str(), f.rows, f.errors), ("fees", 2, 1));
    let f = get("目录补充.yaml", None);
    assert_eq!((f.dataset.as_str(), f.rows, f.errors), ("catalogue", 2, 0));
    let skipped: Vec<(&str, &str)> = report
        .skipped
        .iter()
        .map(|s| (s.path.as_str(), s.reason.as_str()))
        .collect();
    assert!(
        skipped.contains(&("~$进驻单位.xlsx", "Office 临时锁文件")),
        "{skipped:?}"
    );
    assert!(skipped.contains(&(".hidden.csv", "隐藏文件")));
    assert!(skipped.contains(&("空.csv", "空文件")));
    assert!(skipped.contains(&("附件.pdf", "不支持的文件类型(.pdf)")));
    assert!(skipped.contains(&("进驻单位.xlsx", "工作表 Sheet3: 空工作表")));
    assert!(skipped
        .iter()
        .any(|(p, r)| *p == "损坏.xlsx" && r.contains("无法读取")));
    assert!(skipped
        .iter()
        .any(|(p, r)| *p == "乱码.csv" && r.contains("不是文本文件")));
    assert!(skipped
        .iter()
        .any(|(p, r)| *p == "说明.txt" && r.contains("表头")));
    assert_eq!(
        report.files.len() + report.skipped.len(),
        20,
        "every file and sheet is accounted for"
    );
}

#[test]
fn utf8_catalogue() {
    let src = source("事项目录-utf8.csv", None);
    let (records, errors) = read_table(&src, schema(), &ReadOptions::default()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        records.iter().map(|r| r.row).collect::<Vec<_>>(),
        vec![2, 3, 4, 5]
    );
    let r = &records[0];
    assert_eq!(rec(&src, r, "code"), s("511A0001"));
    assert_eq!(rec(&src, r, "kind"), s("行政许可"));
    assert_eq!(rec(&src, r, "in_center"), Value::Bool(true));
    assert_eq!(rec(&src, r, "legal_days"), Value::Int(20));
    assert_eq!(rec(&src, r, "online_depth"), s("全程网办"));
    assert_eq!(rec(&src, r, "fee_min"), Value::Decimal(1000.0));
    assert_eq!(
        rec(&src, r, "exemption_ref"),
        Value::Invalid,
        "a field without a column is not known (not an empty cell)"
    );
    assert_eq!(rec(&src, &records[2], "kind"), s("公共服务"));
    assert_eq!(rec(&src, &records[2], "legal_days"), Value::Empty);
    assert_eq!(rec(&src, &records[3], "name"), s("婚姻登记(含补领,换领)"));
    assert_eq!(rec(&src, &records[3], "kind"), s("行政确认"));
    assert_eq!(rec(&src, &records[3], "in_center"), Value::Bool(false));
}

#[test]
fn bom_catalogue_under_a_title_line() {
    let src = source("事项目录-bom.csv", None);
    assert_eq!(src.header_row, Some(2));
    let (records, errors) = read_table(&src, schema(), &ReadOptions::default()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        records.iter().map(|r| r.row).collect::<Vec<_>>(),
        vec![3, 4]
    );
    assert_eq!(rec(&src, &records[0], "name"), s("社会团体成立登记"));
    assert_eq!(rec(&src, &records[0], "kind"), s("行政许可"));
    assert_eq!(rec(&src, &records[1], "kind"), s("行政确认"));
    assert_eq!(rec(&src, &records[1], "in_center"), Value::Bool(true));
}

#[test]
fn gbk_cases() {
    let src = source("办件-gbk.csv", None);
    let (records, errors) = read_table(&src, schema(), &ReadOptions::default()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(records.len(), 4);
    let col = |f: &str| records.iter().map(|r| rec(&src, r, f)).collect::<Vec<_>>();
    assert_eq!(col("dept")[0], s("区住建局"));
    assert_eq!(
        col("channel"),
        vec![s("中心窗口"), s("原单位"), s("网上"), s("综合窗口")]
    );
    assert_eq!(
        col("accepted_at"),
        vec![
            dt("2025-03-01 09:30:00"),
            dt("2025-03-01 09:30:00"),
            dt("2025-03-01 09:30:00"),
            dt("2025-03-01 00:00:00")
        ]
    );
    assert_eq!(
        col("finished_at"),
        vec![
            dt("2025-03-05 16:00:00"),
            Value::Empty,
            dt("2025-03-10 00:00:00"),
            dt("2025-03-02 00:00:00")
        ]
    );
    assert_eq!(
        col("investment"),
        vec![
            Value::Decimal(1200.0),
            Value::Decimal(500.0),
            Value::Empty,
            Value::Decimal(0.5)
        ]
    );
    assert_eq!(
        col("suspended_days"),
        vec![Value::Int(0), Value::Int(3), Value::Int(0), Value::Int(0)]
    );
}

#[test]
fn gb18030_staff_with_four_byte_names() {
    let src = source("人员-gb18030.csv", None);
    let (records, errors) = read_table(&src, schema(), &ReadOptions::default()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rec(&src, &records[0], "name"), s("𠮷祥"));
    assert_eq!(rec(&src, &records[1], "name"), s("王𡈽"));
    assert_eq!(rec(&src, &records[1], "birth_date"), d(1990, 2, 3));
    assert_eq!(rec(&src, &records[1], "end_date"), d(2024, 12, 31));
    assert_eq!(rec(&src, &records[0], "end_date"), Value::Empty);
    assert_eq!(rec(&src, &records[0], "cadre"), Value::Bool(true));
}

#[test]
fn tsv_authorizations_keep_both_rows_of_a_pair() {
    let src = source("授权.tsv", None);
    let (records, errors) = read_table(&src, schema(), &ReadOptions::default()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(records.len(), 2);
    assert_eq!(rec(&src, &records[0], "level"), s("决定"));
    assert_eq!(rec(&src, &records[1], "level"), s("初审"));
    assert_eq!(rec(&src, &records[1], "valid_to"), Value::Empty);
}

#[test]
fn xlsx_units_under_two_title_rows_and_a_two_level_header() {
    let src = source("进驻单位.xlsx", Some("进驻单位"));
    assert_eq!(src.header_row, Some(3));
    let (records, errors) = read_table(&src, schema(), &ReadOptions::default()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        records.iter().map(|r| r.row).collect::<Vec<_>>(),
        vec![5, 6, 7]
    );
    let r = &records[0];
    assert_eq!(rec(&src, r, "dept"), s("区住建局"));
    assert_eq!(rec(&src, r, "dept_type"), s("县直部门"));
    assert_eq!(rec(&src, r, "windows"), Value::Int(2));
    assert_eq!(rec(&src, r, "front_staff"), Value::Int(3));
    assert_eq!(rec(&src, r, "back_staff"), Value::Int(2));
    assert_eq!(rec(&src, &records[1], "note"), s("综合窗口代办"));
    assert_eq!(rec(&src, &records[2], "window_type"), s("未进驻"));
}

#[test]
fn xlsx_excel_dates() {
    let src = source("进驻单位.xlsx", Some("窗口授权"));
    let (records, errors) = read_table(&src, schema(), &ReadOptions::default()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rec(&src, &records[0], "signed_at"), d(2024, 1, 1));
    assert_eq!(rec(&src, &records[0], "valid_from"), d(2024, 1, 1));
    assert_eq!(
        rec(&src, &records[1], "signed_at"),
        d(2025, 1, 1),
        "a serial without a date format"
    );
    assert_eq!(rec(&src, &records[1], "valid_from"), d(2025, 1, 1));
    assert_eq!(rec(&src, &records[1], "valid_to"), d(2025, 12, 31));
}

#[test]
fn xls_changes() {
    let src = source("目录调整.xls", Some("调整记录"));
    let (records, errors) = read_table(&src, schema(), &ReadOptions::default()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        records.iter().map(|r| r.row).collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    assert_eq!(rec(&src, &records[0], "change_type"), s("撤出中心"));
    assert_eq!(rec(&src, &records[0], "published_at"), d(2017, 12, 15));
    assert_eq!(rec(&src, &records[0], "filed_at"), d(2017, 12, 20));
    assert_eq!(rec(&src, &records[1], "filed_at"), Value::Empty);
    assert_eq!(rec(&src, &records[2], "published_at"), d(2017, 12, 18));
    assert_eq!(rec(&src, &records[2], "filed_at"), d(2017, 12, 21));
    assert_eq!(
        rec(&src, &records[0], "approval_ref"),
        s("港南府办〔2017〕12号")
    );
}

#[test]
fn ragged_rows_are_skipped_and_reported() {
    let src = source("办件-ragged.csv", None);
    let t = read_table_full(&src, schema(), &ReadOptions::default()).unwrap();
    assert_eq!(
        t.records.iter().map(|r| r.row).collect::<Vec<_>>(),
        vec![2, 5, 7]
    );
    assert_eq!(t.bad_rows, 2);
    assert_eq!(
        t.errors.iter().map(|e| e.row).collect::<Vec<_>>(),
        vec![3, 4]
    );
    assert!(
        t.errors[0].message.contains("4 个单元格"),
        "{}",
        t.errors[0].message
    );
    assert_eq!(t.errors[0].file, "办件-ragged.csv");
}

#[test]
fn a_bad_date_is_a_data_error_and_the_row_is_kept() {
    let src = source("办件-bad-date.csv", None);
    let (records, errors) = read_table(&src, schema(), &ReadOptions::default()).unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(rec(&src, &records[0], "accepted_at"), Value::Invalid);
    assert_eq!(
        rec(&src, &records[0], "finished_at"),
        dt("2025-03-02 10:00:00"),
        "the rest of the row is used"
    );
    assert_eq!(rec(&src, &records[1], "channel"), Value::Invalid);
    let e = &errors[0];
    assert_eq!(
        (
            e.file.as_str(),
            e.sheet.as_deref(),
            e.row,
            e.column.as_deref(),
            e.value.as_deref(),
            e.expected.as_deref()
        ),
        (
            "办件-bad-date.csv",
            None,
            2,
            Some("受理时间"),
            Some("2025-13-01"),
            Some("datetime")
        )
    );
    assert_eq!(e.message, "日期时间不存在");
    let json = serde_json::to_value(e).unwrap();
    assert_eq!(json["column"], "受理时间");
}

#[test]
fn jsonl_fees() {
    let src = source("收费.jsonl", None);
    let (records, errors) = read_table(&src, schema(), &ReadOptions::default()).unwrap();
    assert_eq!(
        records.iter().map(|r| r.row).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(rec(&src, &records[0], "amount"), Value::Decimal(1000.5));
    assert_eq!(rec(&src, &records[1], "amount"), Value::Decimal(200.0));
    assert_eq!(rec(&src, &records[1], "paid_at"), dt("2025-03-06 09:00:00"));
    assert_eq!(rec(&src, &records[1], "waiver"), Value::Decimal(0.0));
    assert_eq!(rec(&src, &records[0], "collector"), s("财政"));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].row, 4);
}

#[test]
fn yaml_catalogue() {
    let src = source("目录补充.yaml", None);
    let (records, errors) = read_table(&src, schema(), &ReadOptions::default()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rec(&src, &records[0], "code"), s("511A0005"));
    assert_eq!(rec(&src, &records[0], "kind"), s("行政给付"));
    assert_eq!(rec(&src, &records[1], "kind"), s("行政确认"));
    assert_eq!(rec(&src, &records[0], "in_center"), Value::Bool(true));
    assert_eq!(rec(&src, &records[0], "promised_days"), Value::Int(0));
}

#[test]
fn jsonl_keys_first_seen_after_the_sampled_lines_are_read() {
    // The keys are sampled from the first 100 lines; 减免金额 first appears
    // on line 130 (a value) and 140 (a bad value): neither may be dropped.
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 1..=150 {
        let extra = match i {
            130 => r#","减免金额":"50元""#,
            140 => r#","减免金额":"不详""#,
            _ => "",
        };
        text.push_str(&format!(
            r#"{{"收费流水号":"F{i:03}","办件编号":"GA{i:010}","事项编码":"511A0001","收费部门":"区住建局","收费金额":100,"收费时间":"2025-03-05 10:00:00","收费地点":"政务服务中心","收款单位":"财政"{extra}}}"#
        ));
        text.push('\n');
    }
    std::fs::write(tmp.path().join("收费.jsonl"), text).unwrap();
    let d = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    let src = d
        .sources
        .into_iter()
        .next()
        .expect("the file is discovered");
    let (records, errors) = read_table(&src, schema(), &ReadOptions::default()).unwrap();
    assert_eq!(records.len(), 150);
    assert_eq!(rec(&src, &records[129], "waiver"), Value::Decimal(50.0));
    assert_eq!(rec(&src, &records[139], "waiver"), Value::Invalid);
    // Lines without the key have the field empty, as an empty cell would.
    assert_eq!(rec(&src, &records[0], "waiver"), Value::Empty);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].row, 140);
    assert_eq!(errors[0].column.as_deref(), Some("减免金额"));
    assert_eq!(errors[0].value.as_deref(), Some("不详"));
}

/// A workbook saved with the 1904 date system (old Mac Excel) counts its
/// date cells from 1904: read 1,462 days later than a 1900 workbook's.
#[test]
fn xlsx_of_the_1904_date_system() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xlsx1904");
    let found = discover(&dir, schema(), &ReadOptions::default()).unwrap();
    let src = found
        .sources
        .into_iter()
        .next()
        .expect("the workbook is discovered");
    let (records, errors) = read_table(&src, schema(), &ReadOptions::default()).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rec(&src, &records[0], "published_at"), d(2025, 3, 3));
    assert_eq!(rec(&src, &records[0], "filed_at"), d(2025, 3, 4));
    assert_eq!(rec(&src, &records[1], "published_at"), d(2025, 3, 1));
}
