//! A row of a register that could not be read (a wrong number of cells, a
//! JSON line that does not parse) is a data error; a lookup of a key that
//! row may hold is then unknown, never "no match": the item is not said to
//! be missing from the catalogue, the department not stationed, the
//! authorisation absent, when the row that would say otherwise was not read.

mod common;

use std::path::Path;

/// The catalogue (K1 in the centre; K3's row one cell short), the units
/// (民政局's row one cell long), the authorisations (民政局's for K1 one cell
/// long), and two cases, each of a key only a skipped row holds.
fn export(catalogue_k3: &str, units_mz: &str, auth_k1: &str) -> tempfile::TempDir {
    common::folder(&[
        (
            "事项目录.csv",
            &format!("事项编码,事项名称,事项类型,实施主体,是否进驻中心\nK1,甲,行政许可,民政局,是\n{catalogue_k3}\n"),
        ),
        (
            "进驻单位.csv",
            &format!("进驻单位,窗口类型,设窗口数\n{units_mz}\n人社局,常驻窗口,2\n"),
        ),
        (
            "窗口授权.csv",
            &format!("授权单位,事项编码,授权级别,是否授权审批专用章,生效日期,失效日期\n{auth_k1}\n人社局,K9,决定,是,,\n"),
        ),
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间,决定人角色\n\
             C1,K1,民政局,中心窗口,2025-03-03,首席代表\n\
             C2,K3,民政局,中心窗口,2025-03-03,窗口人员\n",
        ),
    ])
}

fn skipped_rows() -> tempfile::TempDir {
    export(
        "K3,丙,行政许可,民政局",
        "民政局,常驻窗口,2,备注",
        "民政局,K1,决定,是,,,备注",
    )
}

/// (code, key, missing) of every finding (missing empty) and undetermined
/// verdict of `codes`.
fn verdicts(json: &serde_json::Value, codes: &[&str]) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    for (list, undetermined) in [("findings", false), ("undetermined", true)] {
        for v in json[list].as_array().unwrap() {
            let code = v["code"].as_str().unwrap();
            if !codes.contains(&code) {
                continue;
            }
            let key: Vec<&str> = v["key"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap())
                .collect();
            let missing = if undetermined {
                v["missing"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m.as_str().unwrap().to_string())
                    .collect()
            } else {
                Vec::new()
            };
            out.push((code.to_string(), key.join("/"), missing));
        }
    }
    out
}

fn audit(engine: Option<&str>, dir: &Path) -> serde_json::Value {
    common::audit_json(engine, dir, &[])
}

/// The audit of `dir`, the same from the fast path and the reference
/// evaluator.
fn audit_both(dir: &Path) -> serde_json::Value {
    let json = audit(None, dir);
    assert_eq!(audit(Some("reference"), dir), json);
    json
}

const CODES: [&str; 5] = ["E002", "A001", "A002", "A003", "H006"];

#[test]
fn a_key_only_a_skipped_row_holds_is_not_known_to_be_absent() {
    let dir = skipped_rows();
    let json = audit_both(dir.path());
    let unread =
        |ds: &str, file: &str, row: u32| vec![format!("{ds}(无法读取: {file} 第 {row} 行)")];
    let auth = unread("authorizations", "窗口授权.csv", 2);
    let mut a003 = auth.clone();
    a003.extend(["site_check", "collective", "handling_type"].map(String::from));
    assert_eq!(
        verdicts(&json, &CODES),
        vec![
            ("A001".into(), "C1".into(), auth.clone()),
            ("A002".into(), "K1".into(), auth),
            ("A003".into(), "K1".into(), a003),
            (
                "E002".into(),
                "民政局".into(),
                unread("units", "进驻单位.csv", 2)
            ),
            (
                "H006".into(),
                "C2".into(),
                unread("catalogue", "事项目录.csv", 3)
            ),
        ],
    );
    // The rows are still reported, each once.
    let rows = common::data_error_rows(&json);
    assert_eq!(rows, [3, 2, 2], "{json:#}");
    // The reference evaluator says the same.
    common::assert_contract("findings.schema.json", &json);
}

#[test]
fn a_skipped_row_of_other_keys_leaves_absence_certain() {
    // The skipped rows hold other keys (K4, 公安局, K5): K3, 民政局 and the
    // authorisation of K1 are missing for certain.
    let dir = export(
        "K4,丙,行政许可,民政局",
        "公安局,常驻窗口,2,备注",
        "民政局,K5,决定,是,,,备注",
    );
    let json = audit_both(dir.path());
    let certain: Vec<(String, String, Vec<String>)> =
        verdicts(&json, &["E002", "A001", "A002", "H006"]);
    assert_eq!(
        certain,
        vec![
            ("A001".into(), "C1".into(), vec![]),
            ("A002".into(), "K1".into(), vec![]),
            ("E002".into(), "民政局".into(), vec![]),
            ("H006".into(), "C2".into(), vec![]),
        ],
    );
}

#[test]
fn rows_read_whole_give_the_verdicts_their_values_make() {
    // The same rows with the right number of cells: K3 is in the catalogue,
    // 民政局 stationed, its authorisation of K1 a decision's; K3, in the
    // centre, has no authorisation (certain: every row was read).
    let dir = export(
        "K3,丙,行政许可,民政局,是",
        "民政局,常驻窗口,2",
        "民政局,K1,决定,是,,",
    );
    let json = audit_both(dir.path());
    assert_eq!(
        verdicts(&json, &["E002", "A001", "A002", "H006"]),
        vec![("A002".into(), "K3".into(), vec![])]
    );
    assert!(
        json["data_errors"].as_array().unwrap().is_empty(),
        "{json:#}"
    );
}

#[test]
fn a_json_line_that_does_not_parse_may_hold_the_key() {
    let dir = common::folder(&[
        (
            "事项目录.jsonl",
            "{\"事项编码\": \"K1\", \"事项名称\": \"甲\", \"是否进驻中心\": \"是\"}\n\
             {\"事项编码\": \"K3\", \"事项名称\": \"丙\", \"是否进驻中心\": \"是\"\n",
        ),
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间\n\
             C2,K3,民政局,中心窗口,2025-03-03\n\
             C4,K4,民政局,中心窗口,2025-03-03\n",
        ),
    ]);
    let json = audit_both(dir.path());
    assert_eq!(
        verdicts(&json, &["H006"]),
        vec![
            ("H006".into(), "C4".into(), vec![]),
            (
                "H006".into(),
                "C2".into(),
                vec!["catalogue(无法读取: 事项目录.jsonl 第 2 行)".into()]
            ),
        ],
    );
    common::assert_contract("findings.schema.json", &json);
}

#[test]
fn a_dated_lookup_with_a_skipped_row_of_its_key_is_unknown() {
    // 民政局's authorisation of K1 is valid on the case's date, but a
    // skipped row of the same pair may be one with a later start (the one
    // the lookup would find): unknown, as with a validity date that does
    // not read.
    let dir = export(
        "K3,丙,行政许可,民政局,是",
        "民政局,常驻窗口,2",
        "民政局,K1,决定,是,2025-01-01,\n民政局,K1,受理,否,2025-02-01,,备注",
    );
    let json = audit_both(dir.path());
    assert_eq!(
        verdicts(&json, &["A001"]),
        vec![(
            "A001".into(),
            "C1".into(),
            vec!["authorizations(无法读取: 窗口授权.csv 第 3 行)".into()]
        )],
    );
}

/// A quote that opened a cell and closed lines later made one skipped row
/// of those lines: the keys of the lines it swallowed may be held too
/// (a review: K4's line inside it was called not in the catalogue).
#[test]
fn the_lines_an_open_quote_swallowed_may_hold_keys() {
    let dir = common::folder(&[
        (
            "事项目录.csv",
            "事项编码,事项名称,事项类型,实施主体,是否进驻中心\n\
             K1,甲,行政许可,民政局,是\n\
             K3,\"丙,行政许可,民政局,是\n\
             K4,丁,行政许可,民政局,是\n\
             K5,戊\",民政局,是\n",
        ),
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间\n\
             C3,K3,民政局,中心窗口,2025-03-03\n\
             C4,K4,民政局,中心窗口,2025-03-03\n\
             C9,K9,民政局,中心窗口,2025-03-03\n",
        ),
    ]);
    let json = audit_both(dir.path());
    let h006: Vec<(String, String, usize)> = verdicts(&json, &["H006"])
        .into_iter()
        .map(|(c, k, m)| (c, k, m.len()))
        .collect();
    assert_eq!(
        h006,
        [
            ("H006".to_string(), "C9".to_string(), 0),
            ("H006".to_string(), "C3".to_string(), 1),
            ("H006".to_string(), "C4".to_string(), 1),
        ]
    );
}

/// A JSON line that does not parse is read for its keys with its escapes
/// undone (`\u6c11\u653f\u5c40`, as Python's json.dumps writes 民政局).
#[test]
fn a_broken_json_line_s_escaped_texts_may_hold_keys() {
    let dir = common::folder(&[
        (
            "进驻单位.jsonl",
            "{\"进驻单位\": \"人社局\", \"窗口类型\": \"常驻窗口\"}\n\
             {\"\\u8fdb\\u9a7b\\u5355\\u4f4d\": \"\\u6c11\\u653f\\u5c40\", \"窗口类型\": \"常驻窗口\"\n",
        ),
        (
            "事项目录.csv",
            "事项编码,事项名称,事项类型,实施主体,是否进驻中心\nK1,甲,行政许可,民政局,是\n",
        ),
    ]);
    let json = audit_both(dir.path());
    assert_eq!(
        verdicts(&json, &["E002"]),
        [(
            "E002".to_string(),
            "民政局".to_string(),
            vec!["units(无法读取: 进驻单位.jsonl 第 2 行)".to_string()]
        )]
    );
}

/// The units given by `进驻单位.csv` (人社局 alone) and `other`, a second
/// file of the export; a case of 民政局, so that E002 asks whether it is
/// stationed. The audit's JSON and its exit code.
fn units_beside(other: (&str, &[u8])) -> (serde_json::Value, Option<i32>) {
    let dir = common::folder(&[
        (
            "事项目录.csv",
            "事项编码,事项名称,事项类型,实施主体,是否进驻中心\nK1,甲,行政许可,民政局,是\n",
        ),
        (
            "进驻单位.csv",
            "进驻单位,窗口类型,设窗口数\n人社局,常驻窗口,2\n",
        ),
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间,决定人角色\n\
             C1,K1,民政局,中心窗口,2025-03-03,首席代表\n",
        ),
    ]);
    std::fs::write(dir.path().join(other.0), other.1).unwrap();
    let run = |engine| {
        let out = common::audit_command(engine, dir.path(), &[])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (json, out.status.code())
    };
    let (json, code) = run(None);
    // The reference evaluator says the same.
    assert_eq!(run(Some("reference")).0, json);
    common::assert_contract("findings.schema.json", &json);
    (json, code)
}

#[test]
fn a_file_of_a_register_that_could_not_be_read_may_hold_any_key() {
    // `进驻单位2.xlsx` is no workbook: 民政局 may be stationed in it.
    let (json, code) = units_beside(("进驻单位2.xlsx", b"not a zip at all"));
    assert_eq!(code, Some(2), "an unreadable file is exit 2");
    assert_eq!(
        verdicts(&json, &["E002"]),
        vec![(
            "E002".into(),
            "民政局".into(),
            vec!["units(无法读取: 进驻单位2.xlsx)".into()]
        )],
    );
    // The units are given (a file was read): the summary counts its row.
    assert_eq!(json["summary"]["records"]["units"], 1, "{json:#}");
}

#[test]
fn a_file_named_as_a_register_without_a_header_that_fits_may_hold_any_key() {
    // Big5 `進駐單位` headers: read as GBK, no header fits; its name names
    // the units.
    let big5: &[u8] = b"\xb6\x69\xb7\x72\xb3\xe6\xa6\xec,\xb5\xa1\xa4\x66\xc3\xfe\xab\xac\n";
    let (json, _) = units_beside(("进驻单位2.csv", big5));
    assert_eq!(
        verdicts(&json, &["E002"]),
        vec![(
            "E002".into(),
            "民政局".into(),
            vec!["units(无法读取: 进驻单位2.csv)".into()]
        )],
    );
}

#[test]
fn a_broken_file_whose_name_names_no_register_leaves_lookups_certain() {
    // `说明.xlsx` may be anything: the units' lookups stay certain.
    let (json, code) = units_beside(("说明.xlsx", b"not a zip at all"));
    assert_eq!(code, Some(2));
    assert_eq!(
        verdicts(&json, &["E002"]),
        vec![("E002".into(), "民政局".into(), vec![])],
    );
}

#[test]
fn a_skipped_row_s_texts_are_read_through_the_mapping_s_value_aliases() {
    // The mapping reads 县民政局 as 民政局: the units row of 县民政局, one
    // cell long, may say 民政局 is stationed.
    let dir = export(
        "K3,丙,行政许可,民政局,是",
        "县民政局,常驻窗口,2,备注",
        "民政局,K1,决定,是,,",
    );
    let map = dir.path().join("mapping.yaml");
    std::fs::write(
        &map,
        "datasets:\n  units:\n    values:\n      dept: { 县民政局: 民政局 }\n",
    )
    .unwrap();
    let run = |engine| {
        let out = common::audit_command(engine, dir.path(), &[])
            .arg("--map")
            .arg(&map)
            .output()
            .unwrap();
        common::assert_success(&out);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let json = run(None);
    assert_eq!(
        verdicts(&json, &["E002"]),
        vec![(
            "E002".into(),
            "民政局".into(),
            vec!["units(无法读取: 进驻单位.csv 第 2 行)".into()]
        )],
    );
    assert_eq!(run(Some("reference")), json);
}

#[test]
fn a_sheet_of_notes_beside_a_register_s_sheet_holds_no_key() {
    // `进驻单位2.xlsx`: a sheet of units (公安局), and a sheet of notes no
    // header fits: the notes are not taken to hold 民政局.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("units.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let units = wb.add_worksheet();
    for (c, text) in ["进驻单位", "窗口类型", "设窗口数"].iter().enumerate() {
        units.write_string(0, c as u16, *text).unwrap();
    }
    for (c, text) in ["公安局", "常驻窗口", "1"].iter().enumerate() {
        units.write_string(1, c as u16, *text).unwrap();
    }
    let notes = wb.add_worksheet().set_name("填报说明").unwrap();
    notes.write_string(0, 0, "本表由各进驻单位填报").unwrap();
    wb.save(&path).unwrap();
    let (json, code) = units_beside(("进驻单位2.xlsx", &std::fs::read(&path).unwrap()));
    assert_eq!(code, Some(0), "{json:#}");
    assert_eq!(json["summary"]["records"]["units"], 2, "{json:#}");
    assert_eq!(
        verdicts(&json, &["E002"]),
        vec![("E002".into(), "民政局".into(), vec![])],
    );
}

#[test]
fn a_skipped_row_of_too_many_texts_to_list_may_hold_any_key() {
    // An authorisation row of 70 cells: its texts make 4,900 pairs, more
    // than are listed; none is 民政局's K1, yet the row may hold it.
    let cells: Vec<String> = (0..70).map(|i| format!("备注{i}")).collect();
    let dir = export(
        "K3,丙,行政许可,民政局,是",
        "民政局,常驻窗口,2",
        &cells.join(","),
    );
    let json = audit_both(dir.path());
    assert_eq!(
        verdicts(&json, &["A001"]),
        vec![(
            "A001".into(),
            "C1".into(),
            vec!["authorizations(无法读取: 窗口授权.csv 第 2 行)".into()]
        )],
    );
}

#[test]
fn a_workbook_s_title_row_may_hold_a_key() {
    // 进驻单位.xlsx: 人社局's row, then a row of 民政局 alone merged
    // across (read as a title, not a record): 民政局 may be stationed.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("units.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in [
        ["进驻单位", "窗口类型", "设窗口数"],
        ["人社局", "常驻窗口", "2"],
    ]
    .iter()
    .enumerate()
    {
        for (c, text) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *text).unwrap();
        }
    }
    ws.merge_range(2, 0, 2, 2, "民政局", &rust_xlsxwriter::Format::new())
        .unwrap();
    wb.save(&path).unwrap();
    let dir = common::folder(&[
        (
            "事项目录.csv",
            "事项编码,事项名称,事项类型,实施主体,是否进驻中心\nK1,甲,行政许可,民政局,是\n",
        ),
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间,决定人角色\n\
             C1,K1,民政局,中心窗口,2025-03-03,首席代表\n",
        ),
    ]);
    std::fs::copy(&path, dir.path().join("进驻单位.xlsx")).unwrap();
    let json = audit_both(dir.path());
    assert_eq!(
        verdicts(&json, &["E002"]),
        vec![(
            "E002".into(),
            "民政局".into(),
            vec!["units(无法读取: 进驻单位.xlsx [Sheet1] 第 3 行)".into()]
        )],
    );
}
