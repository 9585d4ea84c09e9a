//! Rows that are not quite records: rows of odd spaces only are blank rows,
//! a row whose content is all outside the recognised columns (a footer) or
//! in one of them alone (a footer or a title in the first column) is
//! reported and not read, and a header saved with trailing unnamed columns
//! does not make every shorter row a wrong-width row.

mod common;

use rust_xlsxwriter::Workbook;

const CATALOGUE: (&str, &str) = (
    "事项目录.csv",
    "事项编码,事项名称,是否进驻中心,法定办结时限,承诺办结时限\nA1,事项一,是,20,10\n",
);

fn audit(dir: &std::path::Path) -> serde_json::Value {
    common::audit_json(None, dir, &[])
}

/// The keys of the audit's findings and undetermined verdicts.
fn keys(json: &serde_json::Value) -> Vec<String> {
    ["findings", "undetermined"]
        .iter()
        .flat_map(|list| json[*list].as_array().unwrap().iter())
        .map(|f| f["key"].to_string())
        .collect()
}

#[test]
fn rows_of_non_breaking_or_full_width_spaces_are_blank_rows() {
    let dir = common::folder(&[
        CATALOGUE,
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
             C1,A1,民政局,中心窗口,2025-03-03 09:00:00,2025-03-04 09:00:00\n\
             \u{a0},,,,,\n\
             \u{3000}, \u{a0},,,,\n\
             \u{a0}\n",
        ),
    ]);
    let json = audit(dir.path());
    assert_eq!(json["summary"]["records"]["cases"], 1, "{json:#}");
    assert_eq!(json["data_errors"].as_array().unwrap().len(), 0, "{json:#}");
    assert!(
        keys(&json).iter().all(|k| k != "[\"\"]"),
        "a blank row was read as a record without a key: {json:#}"
    );
}

#[test]
fn a_row_with_content_only_outside_the_recognised_columns_is_reported_not_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(CATALOGUE.0), CATALOGUE.1).unwrap();
    // A sheet with a numbering column and a footer written into it.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let rows: [&[&str]; 4] = [
        &[
            "序号",
            "办件编号",
            "事项编码",
            "受理部门",
            "受理渠道",
            "受理时间",
        ],
        &["1", "C1", "A1", "民政局", "中心窗口", "2025-03-03 09:00:00"],
        &["2", "C2", "A1", "民政局", "原单位", "2025-03-03 10:00:00"],
        &["制表人：张三  审核：李四"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save(dir.path().join("办件记录.xlsx")).unwrap();
    // A CSV register whose last rows hold a note and placeholders only.
    std::fs::write(
        dir.path().join("收费记录.csv"),
        "收费流水号,办件编号,事项编码,收费金额,收费时间,收费地点,备注\n\
         F1,C1,A1,10.00,2025-03-03 09:40:00,政务服务中心,\n\
         ,,,,,,以上数据截至 2025 年 3 月\n\
         -,NULL,/,,—,,\n",
    )
    .unwrap();
    let json = audit(dir.path());
    let records = &json["summary"]["records"];
    assert_eq!(records["cases"], 2, "{json:#}");
    assert_eq!(records["fees"], 1, "{json:#}");
    let errors: Vec<(&str, u64, &str)> = json["data_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap(),
                e["row"].as_u64().unwrap(),
                e["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("办件记录.xlsx", 4, "制表人：张三  审核：李四"),
            ("收费记录.csv", 3, ",,,,,,以上数据截至 2025 年 3 月"),
            ("收费记录.csv", 4, "-,NULL,/,,—,,"),
        ],
        "{json:#}"
    );
    assert!(
        json["data_errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("已识别的各列都是空的"),
        "{json:#}"
    );
    assert!(keys(&json).iter().all(|k| k != "[\"\"]"), "{json:#}");
}

#[test]
fn a_header_with_trailing_unnamed_columns_reads_rows_without_them() {
    let dir = common::folder(&[
        CATALOGUE,
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间,,,\n\
             C1,A1,民政局,中心窗口,2025-03-03 09:00:00,2025-03-04 09:00:00\n\
             C2,A1,民政局,原单位,2025-03-03 09:00:00,2025-03-04 09:00:00,,,\n\
             C3,A1,民政局,中心窗口,2025-03-03 09:00:00,2025-03-04 09:00:00,,\n\
             C4,A1,民政局,中心窗口,2025-03-03 09:00:00\n",
        ),
    ]);
    let json = audit(dir.path());
    assert_eq!(json["summary"]["records"]["cases"], 3, "{json:#}");
    // A row short of a named column is still the wrong width.
    let errors = json["data_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{json:#}");
    assert_eq!(errors[0]["row"], 5);
    let h001: Vec<&serde_json::Value> = common::with_code(&json, "findings", "H001");
    assert_eq!(h001.len(), 1, "{json:#}");
    assert_eq!(h001[0]["key"], serde_json::json!(["C2"]));
}

/// The (file, row) of an audit's data errors whose message holds `part`.
fn errors_saying<'a>(json: &'a serde_json::Value, part: &str) -> Vec<(&'a str, u64)> {
    json["data_errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["message"].as_str().unwrap().contains(part))
        .map(|e| (e["file"].as_str().unwrap(), e["row"].as_u64().unwrap()))
        .collect()
}

#[test]
fn a_case_log_footer_is_no_case_though_an_empty_day_count_reads_as_zero() {
    // 特别程序天数 empty = 0: the footer's row held that 0 and was a case
    // keyed "" (undetermined for every case rule).
    let dir = common::folder(&[
        CATALOGUE,
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间,特别程序天数,\n\
             C1,A1,民政局,中心窗口,2025-03-03 09:00:00,2025-03-04 09:00:00,,\n\
             ,,,,,,,制表人:张三\n",
        ),
    ]);
    let json = audit(dir.path());
    assert_eq!(json["summary"]["records"]["cases"], 1, "{json:#}");
    assert_eq!(
        errors_saying(&json, "已识别的各列都是空的"),
        [("办件记录.csv", 3)],
        "{json:#}"
    );
    assert!(keys(&json).iter().all(|k| k != "[\"\"]"), "{json:#}");
}

#[test]
fn a_day_count_that_reads_as_an_empty_cell_leaves_a_lone_value_no_record() {
    // 特别程序天数 empty, or written 0, is what an empty cell reads as (a
    // case's 0 days): with a footer in 受理部门 it is still one value
    // alone, while a day count of 3 beside it makes two (a record).
    let dir = common::folder(&[
        CATALOGUE,
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间,特别程序天数\n\
             C1,A1,民政局,中心窗口,2025-03-03 09:00:00,2025-03-04 09:00:00,\n\
             ,,制表人:张三,,,,\n\
             ,,审核人:李四,,,,0\n\
             ,,民政局,,,,3\n",
        ),
    ]);
    let json = audit(dir.path());
    assert_eq!(json["summary"]["records"]["cases"], 2, "{json:#}");
    // C1's empty day count is its 0: H003 is decided for it.
    let undetermined_h003: Vec<&serde_json::Value> = json["undetermined"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["code"] == "H003" && u["key"][0] == "C1")
        .collect();
    assert!(undetermined_h003.is_empty(), "{json:#}");
    assert_eq!(
        errors_saying(&json, "只有一列有值"),
        [("办件记录.csv", 3), ("办件记录.csv", 4)],
        "{json:#}"
    );
}

#[test]
fn a_row_with_one_recognised_value_alone_is_reported_not_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(CATALOGUE.0), CATALOGUE.1).unwrap();
    // A sheet has no width: a footer in the first column is one cell.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let rows: [&[&str]; 5] = [
        &["办件编号", "事项编码", "受理部门", "受理渠道", "受理时间"],
        &["C1", "A1", "民政局", "中心窗口", "2025-03-03 09:00:00"],
        &[],
        &["制表人:张三"],
        &["", "", "", "", "制表日期:2026年1月5日"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    wb.save(dir.path().join("办件记录.xlsx")).unwrap();
    // A CSV saved by a spreadsheet writes the row out to the full width.
    std::fs::write(
        dir.path().join("收费记录.csv"),
        "收费流水号,办件编号,事项编码,收费金额,收费时间\n\
         F1,C1,A1,10.00,2025-03-03 09:40:00\n\
         制表人:张三,,,,\n\
         F2,C1,A1,,\n",
    )
    .unwrap();
    let json = audit(dir.path());
    let records = &json["summary"]["records"];
    assert_eq!(records["cases"], 1, "{json:#}");
    // Two values are a record, however few (F2 has an id and an item).
    assert_eq!(records["fees"], 2, "{json:#}");
    assert_eq!(
        errors_saying(&json, "只有一列有值"),
        [
            ("办件记录.xlsx", 4),
            ("办件记录.xlsx", 5),
            ("收费记录.csv", 3)
        ],
        "{json:#}"
    );
    assert!(
        keys(&json).iter().all(|k| !k.contains("制表")),
        "a footer was read as a record: {json:#}"
    );
}

#[test]
fn a_json_lines_record_with_one_key_is_a_record() {
    // Records of keys leave out what is empty: one value is a record there.
    let dir = common::folder(&[
        CATALOGUE,
        (
            "办件记录.jsonl",
            "{\"办件编号\": \"C1\", \"事项编码\": \"A1\", \"受理时间\": \"2025-03-03 09:00:00\"}\n\
             {\"办件编号\": \"C2\"}\n",
        ),
    ]);
    let json = audit(dir.path());
    assert_eq!(json["summary"]["records"]["cases"], 2, "{json:#}");
    assert!(errors_saying(&json, "只有一列有值").is_empty(), "{json:#}");
}

#[test]
fn a_key_alone_is_a_record_unless_it_reads_as_a_line_of_text() {
    // A unit of the register with nothing filled in but its name is a
    // unit; a section title in the key's column (`一、区直部门`) is not.
    let dir = common::folder(&[
        CATALOGUE,
        (
            "进驻单位.csv",
            "进驻单位,部门类型,窗口类型,设窗口数,前台人数,后台人数\n\
             一、区直部门,,,,,\n\
             区民政局,县直部门,常驻窗口,2,3,1\n\
             区人社局,,,,,\n",
        ),
    ]);
    let json = audit(dir.path());
    assert_eq!(json["summary"]["records"]["units"], 2, "{json:#}");
    assert_eq!(
        errors_saying(&json, "只有一列有值"),
        [("进驻单位.csv", 2)],
        "{json:#}"
    );
}

/// An empty line (nothing before its line break) is a blank row too, in
/// CSV (`\n`, `\r\n`, a lone `\r`, after a quoted record) and JSON Lines,
/// so that a file's lines add up: header, records, blank rows and rows
/// not read (an empty line was in no count).
#[test]
fn empty_lines_are_counted_as_blank_rows() {
    let header = "办件编号,事项编码,受理部门,受理渠道,受理时间";
    let row = |id: &str| format!("{id},A1,民政局,中心窗口,2025-03-03 09:00:00");
    let cases = [
        (
            "lf.csv",
            format!("{header}\n{}\n\n{}\n\n\n", row("C1"), row("C2")),
            3,
        ),
        (
            "crlf.csv",
            format!(
                "{header}\r\n{}\r\n\r\nC2,A1,民政局,\"中心窗口\",2025-03-03 09:00:00\r\n\r\n{}\r\n",
                row("C1"),
                row("C3")
            ),
            2,
        ),
        ("cr.csv", format!("{header}\r{}\r\r{}\r", row("C1"), row("C2")), 1),
        // A header alone, then empty lines: a block of no record.
        ("header_only.csv", format!("{header}\n\n\r\n"), 2),
        (
            "办件.jsonl",
            "{\"办件编号\":\"L1\",\"事项编码\":\"A1\"}\n\n  \n{\"办件编号\":\"L2\",\"事项编码\":\"A1\"}\n"
                .to_string(),
            2,
        ),
    ];
    for (name, text, blank) in cases {
        let dir = common::folder(&[CATALOGUE, (name, text.as_str())]);
        let out = common::yimen(None)
            .args(["inspect", "--format", "json"])
            .arg(dir.path())
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let file = json["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == name)
            .unwrap_or_else(|| panic!("{name}: {json:#}"));
        assert_eq!(file["blank_rows"], blank, "{name}: {file:#}");
        assert_eq!(file["errors"], 0, "{name}: {file:#}");
    }
}
