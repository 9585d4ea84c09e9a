//! `yimen inspect DIR --format json` end to end: the binary's output is the
//! library's `render_json` and follows the inspect contract.

use std::path::Path;
use std::process::Command;

use yimen::read::{inspect, render_json, ReadOptions};
use yimen::schema::Schema;

/// The inspect contract's JSON Schema.
fn inspect_contract() -> serde_json::Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/contracts/inspect.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn inspect_json_from_the_binary() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/read");
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("inspect")
        .arg(&dir)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lib = render_json(&inspect(&dir, Schema::builtin(), &ReadOptions::default()).unwrap());
    assert_eq!(stdout, lib);
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let contract = inspect_contract();
    assert!(jsonschema::is_valid(&contract, &value));
    assert_eq!(value["files"].as_array().map(Vec::len), Some(12));
}

#[test]
fn inspect_with_a_bad_mapping_names_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let map = tmp.path().join("m.yaml");
    std::fs::write(
        &map,
        "datasets:\n  catalogue:\n    headers:\n      kinds: 类型\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("inspect")
        .arg(tmp.path())
        .arg("--map")
        .arg(&map)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("第 4 行") && err.contains("kinds"), "{err}");
}

/// A `files` pattern of the mapping that no file used is a warning of both
/// `inspect` and `audit` (a typo would otherwise change nothing, silently),
/// saying why: no file matches, or an earlier pattern took its files; a
/// pattern with `[…]` is told that brackets match literally. A pattern of
/// lock files (skipped anyway) is used; `report --compare` warns only of a
/// pattern that neither period used.
#[test]
fn unused_mapping_patterns_are_warned_about() {
    let (tmp, export) = export_dir();
    std::fs::write(
        export.join("窗口人员-2025.csv"),
        "工号,姓名,派驻单位\nS1,张三,民政局\n",
    )
    .unwrap();
    std::fs::write(export.join("~$窗口人员-2025.csv"), "").unwrap();
    let map = tmp.path().join("m.yaml");
    std::fs::write(
        &map,
        "files:\n  \"窗口人员-*.csv\": { dataset: staff }\n  \"窗口人员-2025.csv\": { dataset: staff }\n  \"办件-202[45].csv\": { dataset: cases }\n  \"~$*\": { skip: true }\n",
    )
    .unwrap();
    let run = |command: &str, extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
            .arg(command)
            .arg(&export)
            .arg("--map")
            .arg(&map)
            .args(extra)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{command}: {err}");
        err.lines()
            .filter(|l| l.contains("警告: 映射文件"))
            .map(str::to_string)
            .collect::<Vec<String>>()
    };
    for (command, extra) in [
        ("inspect", &[][..]),
        (
            "audit",
            &["--as-of", "2025-12-31", "--fail-on", "never"][..],
        ),
    ] {
        let warnings = run(command, extra);
        assert_eq!(warnings.len(), 2, "{command}: {warnings:?}");
        assert!(
            warnings[0].contains("\"窗口人员-2025.csv\" 没有用于任何文件: 与之匹配的文件都先匹配了前面的 \"窗口人员-*.csv\""),
            "{warnings:?}"
        );
        assert!(
            warnings[1].contains("\"办件-202[45].csv\" 没有用于任何文件: 没有文件与之匹配")
                && warnings[1].contains("方括号"),
            "{warnings:?}"
        );
    }
    // A previous period whose file the bracket pattern names literally.
    let before = tmp.path().join("before");
    std::fs::create_dir(&before).unwrap();
    std::fs::write(
        before.join("办件-202[45].csv"),
        "办件编号,事项编码,受理部门,受理渠道,受理时间\nC1,A1,民政局,中心窗口,2024-03-04 09:00:00\n",
    )
    .unwrap();
    std::fs::copy(
        export.join("窗口人员-2025.csv"),
        before.join("窗口人员-2024.csv"),
    )
    .unwrap();
    let warnings = run(
        "report",
        &[
            "--as-of",
            "2025-12-31",
            "--compare",
            before.to_str().unwrap(),
        ],
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("\"窗口人员-2025.csv\""),
        "{warnings:?}"
    );
}

/// The case log and catalogue of a small export: C1 accepted at the
/// department's own office (H001), C2 in the centre.
const CASES: &str = "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\nC1,A1,民政局,原单位,2025-03-03 09:00:00,2025-03-03 10:00:00\nC2,A1,民政局,中心窗口,2025-03-03 09:00:00,2025-03-03 10:00:00\n";
const CATALOGUE: &str = "事项编码,事项名称,事项类型,实施主体,是否进驻中心,不进驻批准文号\nA1,婚姻登记,行政确认,民政局,是,\n";

/// `yimen COMMAND DIR --map MAP --as-of 2025-12-31 --fail-on never ARGS`:
/// its exit code and standard output.
fn run_mapped(command: &str, dir: &Path, map: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yimen"));
    cmd.arg(command).arg(dir).arg("--map").arg(map);
    if command != "inspect" {
        cmd.args(["--as-of", "2025-12-31"]);
    }
    if command == "audit" {
        cmd.args(["--fail-on", "never"]);
    }
    let out = cmd.args(args).output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

/// A temporary folder with an empty `export` folder in it (the mapping
/// file goes beside it).
fn export_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let export = tmp.path().join("export");
    std::fs::create_dir(&export).unwrap();
    (tmp, export)
}

/// The reason `file` is skipped as unreadable by `audit` under `map`,
/// asserting exit 2.
fn unreadable_in_audit(export: &Path, map: &Path, file: &str) -> String {
    let (code, json) = run_mapped("audit", export, map, &["--format", "json"]);
    assert_eq!(code, Some(2), "{json}");
    let (reason, unreadable) = audit_skipped(&json, file);
    assert!(unreadable, "{reason}");
    reason
}

/// The audit's `skipped` entry of `file`: its reason and `unreadable`.
fn audit_skipped(json: &str, file: &str) -> (String, bool) {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let k = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["file"] == file)
        .unwrap_or_else(|| panic!("{file} not in {}", v["skipped"]));
    (
        k["reason"].as_str().unwrap().to_string(),
        k["unreadable"].as_bool().unwrap(),
    )
}

/// A file the mapping assigns to a dataset, none of whose columns fits it
/// (its header row off by one, its encoding given wrong), is unreadable:
/// exit 2 in `audit` and `report`, not a clean audit with every case
/// dropped. The reason says what was expected, which row was looked at and
/// what it held, and where the header is or that the encoding may be wrong.
#[test]
fn a_file_the_mapping_assigns_that_no_column_fits_is_unreadable() {
    let (tmp, export) = export_dir();
    std::fs::write(export.join("办件.csv"), CASES).unwrap();
    std::fs::write(export.join("目录.csv"), CATALOGUE).unwrap();
    let map = tmp.path().join("m.yaml");
    std::fs::write(
        &map,
        "files:\n  \"办件.csv\": { dataset: cases, header_row: 2 }\n",
    )
    .unwrap();
    let reason = unreadable_in_audit(&export, &map, "办件.csv");
    for part in [
        "映射文件 (--map) 指定为 cases",
        "必需列 办件编号、事项编码",
        "键列 办件编号",
        "(header_row: 2) 为 “C1, A1, 民政局, 原单位,",
        "第 1 行才是 cases 的表头",
        "header_row: 2 改为 1",
    ] {
        assert!(reason.contains(part), "{part}: {reason}");
    }
    let (code, _) = run_mapped("report", &export, &map, &["--format", "json"]);
    assert_eq!(code, Some(2));

    // A GBK case log the mapping calls UTF-8.
    let (gbk, _, _) = encoding_rs::GBK.encode(CASES);
    std::fs::write(export.join("办件.csv"), &gbk).unwrap();
    std::fs::write(
        &map,
        "files:\n  \"办件.csv\": { dataset: cases, encoding: utf-8 }\n",
    )
    .unwrap();
    let reason = unreadable_in_audit(&export, &map, "办件.csv");
    assert!(
        reason.contains("第一个非空行 (第 1 行)")
            && reason.contains("encoding: utf-8")
            && reason.contains("编码可能不对"),
        "{reason}"
    );
    // A UTF-8 case log the mapping calls GBK: read as GBK, most of its
    // header is no column, some still is (ASCII and a few characters come
    // through), its key column not: the hint too (it was left out there).
    let utf8 = "办件编号,事项编码,受理部门,受理渠道,受理时间,决定人角色,投资额(万元)\n\
                C1,A1,民政局,中心窗口,2025-03-03 09:00:00,窗口人员,\n";
    std::fs::write(export.join("办件.csv"), utf8).unwrap();
    std::fs::write(
        &map,
        "files:\n  \"办件.csv\": { dataset: cases, encoding: gbk }\n",
    )
    .unwrap();
    let reason = unreadable_in_audit(&export, &map, "办件.csv");
    assert!(
        reason.contains("表头缺少键列 办件编号")
            && reason.contains("encoding: gbk")
            && reason.contains("编码可能不对"),
        "{reason}"
    );
    std::fs::write(export.join("办件.csv"), &gbk).unwrap();
    // Without the encoding, the same file is read.
    std::fs::write(&map, "files:\n  \"办件.csv\": { dataset: cases }\n").unwrap();
    let (code, json) = run_mapped("audit", &export, &map, &["--format", "json"]);
    assert_eq!(code, Some(0), "{json}");
    assert!(json.contains("\"H001\""), "{json}");
}

/// Only the mapping's word makes such a file unreadable: a file whose name
/// suggests a dataset (`*办件*`) without a column of it is skipped, as is a
/// notes sheet beside the data sheet of a workbook the mapping assigns; a
/// mapped workbook none of whose sheets fits is unreadable.
#[test]
fn a_name_or_a_notes_sheet_without_a_fitting_column_stays_skipped() {
    let (tmp, export) = export_dir();
    std::fs::write(export.join("目录.csv"), CATALOGUE).unwrap();
    std::fs::write(
        export.join("办件说明.csv"),
        "序号,说明\n1,本表由政务服务中心导出\n",
    )
    .unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let data = wb.add_worksheet().set_name("办件").unwrap();
    for (r, line) in CASES.lines().enumerate() {
        for (c, v) in line.split(',').enumerate() {
            data.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    let notes = wb.add_worksheet().set_name("填表说明").unwrap();
    notes.write_string(0, 0, "本表按月报送").unwrap();
    wb.save(export.join("办件.xlsx")).unwrap();
    let map = tmp.path().join("m.yaml");
    std::fs::write(&map, "files:\n  \"办件.xlsx\": { dataset: cases }\n").unwrap();
    let (code, json) = run_mapped("audit", &export, &map, &["--format", "json"]);
    assert_eq!(code, Some(0), "{json}");
    assert!(json.contains("\"H001\""), "{json}");
    let (reason, unreadable) = audit_skipped(&json, "办件说明.csv");
    assert!(
        !unreadable && reason == "表头没有任何列能对应到已知数据集的字段",
        "{reason}"
    );
    let (reason, unreadable) = audit_skipped(&json, "办件.xlsx");
    assert!(
        !unreadable && reason.starts_with("工作表 填表说明: 映射文件 (--map) 指定为 cases"),
        "{reason}"
    );

    std::fs::write(
        &map,
        "files:\n  \"办件.xlsx\": { dataset: cases, header_row: 2 }\n",
    )
    .unwrap();
    let reason = unreadable_in_audit(&export, &map, "办件.xlsx");
    assert!(
        reason.contains("工作表 办件: 映射文件 (--map) 指定为 cases")
            && reason.contains("header_row: 2 改为 1")
            && reason.contains("工作表 填表说明: "),
        "{reason}"
    );
}

/// `inspect --format json` says which skipped files could not be read, as
/// the audit's `skipped` does, so that a script tells a corrupt or misread
/// ledger from a README; the JSON still follows the inspect contract.
#[test]
fn inspect_json_flags_unreadable_skipped_files() {
    let (tmp, export) = export_dir();
    std::fs::write(export.join("办件.csv"), CASES).unwrap();
    std::fs::write(export.join("目录.csv"), CATALOGUE).unwrap();
    std::fs::write(export.join("收费.csv"), b"\x00\x01\x02binary\x00").unwrap();
    std::fs::write(export.join("说明.pdf"), b"%PDF-1.4").unwrap();
    let map = tmp.path().join("m.yaml");
    std::fs::write(
        &map,
        "files:\n  \"办件.csv\": { dataset: cases, header_row: 2 }\n",
    )
    .unwrap();
    let (_, json) = run_mapped("inspect", &export, &map, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let skipped: Vec<(&str, bool)> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["path"].as_str().unwrap(),
                k["unreadable"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        [("办件.csv", true), ("收费.csv", true), ("说明.pdf", false)],
        "{json}"
    );
    let contract = inspect_contract();
    assert!(jsonschema::is_valid(&contract, &v));
}

/// `inspect --strict` stops, exit 2, at a file it could not read however
/// discovery found it so, as `audit --strict` does: a mapped file no column
/// fits, a file taken by its name without its key column.
#[test]
fn inspect_strict_stops_at_a_file_read_as_unreadable() {
    let (tmp, export) = export_dir();
    std::fs::write(export.join("办件.csv"), CASES).unwrap();
    let map = tmp.path().join("m.yaml");
    std::fs::write(
        &map,
        "files:\n  \"办件.csv\": { dataset: cases, header_row: 2 }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("inspect")
        .arg(&export)
        .arg("--map")
        .arg(&map)
        .arg("--strict")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("办件.csv: 无法读取") && err.contains("header_row"),
        "{err}"
    );

    std::fs::write(
        export.join("办件.csv"),
        "事项编码,受理时间,受理渠道\nA1,2025-03-01,网上\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("inspect")
        .arg(&export)
        .arg("--strict")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("键列 办件编号"), "{err}");
}

/// `inspect --format json` says per file what its text form says: each
/// column's field, the required fields without a column, bad and blank
/// rows, value errors per column and the first of them in full (it gave
/// only a count of errors, so a script could not tell what was wrong).
#[test]
fn inspect_json_names_columns_missing_fields_and_value_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("办件记录.csv"),
        "办件编号,受理部门,受理时间,备注\nC1,民政局,2025-13-01,x\n,,,\nC2,民政局,2025-03-03,y,多余\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("inspect")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["files"][0];
    assert_eq!(
        f["columns"],
        serde_json::json!([
            {"header": "办件编号", "field": "id"},
            {"header": "受理部门", "field": "dept"},
            {"header": "受理时间", "field": "accepted_at"},
            {"header": "备注", "field": null}
        ])
    );
    assert_eq!(f["missing_required"], serde_json::json!(["item_code"]));
    assert_eq!(
        (f["bad_rows"].as_u64(), f["blank_rows"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        f["column_errors"],
        serde_json::json!([{"column": "受理时间", "errors": 1}])
    );
    let first = &f["sample_errors"][0];
    assert_eq!(
        (
            &first["row"],
            &first["column"],
            &first["value"],
            &first["expected"]
        ),
        (
            &serde_json::json!(2),
            &serde_json::json!("受理时间"),
            &serde_json::json!("2025-13-01"),
            &serde_json::json!("datetime")
        )
    );
    assert_eq!(f["errors"], 2, "{f:#}");
    assert_eq!(f["sample_errors"].as_array().map(Vec::len), Some(2));
    let contract = inspect_contract();
    assert!(jsonschema::is_valid(&contract, &v));
}
