//! A formula cell saved without its result (a workbook written by a
//! program, never opened in Excel) has no value to read: it is a data error
//! and the rules that need it are undetermined, not an empty cell (which
//! made a finished case unfinished, and overdue).

mod common;

use std::path::Path;

use rust_xlsxwriter::{Formula, Workbook};

const CATALOGUE: (&str, &str) = (
    "事项目录.csv",
    "事项编码,事项名称,事项类型,实施主体,是否进驻中心,办件类型,承诺办结时限\n\
     A1,事项一,行政许可,民政局,是,承诺件,5\n",
);

/// Rewrites each entry of the workbook at `path` by `edit(name, bytes)`.
fn rewrite_entries(path: &Path, edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) {
    common::rewrite_zip_entries(path, |name, bytes| Some(edit(name, bytes)));
}

/// Rewrites the workbook at `path` with every formula's saved result taken
/// out (`rust_xlsxwriter` saves a result with each formula).
fn drop_formula_results(path: &Path) {
    rewrite_entries(path, |name, bytes| {
        if !name.starts_with("xl/worksheets/sheet") {
            return bytes;
        }
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("</f><v>0</v>"), "{text}");
        text.replace("</f><v>0</v>", "</f>").into_bytes()
    });
}

/// Marks the workbook at `path` as of the 1904 date system (old Mac Excel).
fn set_1904_date_system(path: &Path) {
    rewrite_entries(path, |name, bytes| {
        if name != "xl/workbook.xml" {
            return bytes;
        }
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("<workbookPr"), "{text}");
        text.replace("<workbookPr", "<workbookPr date1904=\"1\"")
            .into_bytes()
    });
}

#[test]
fn a_formula_saved_without_its_result_is_reported_and_undetermined() {
    let dir = common::folder(&[CATALOGUE]);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "办件编号",
        "事项编码",
        "受理部门",
        "受理渠道",
        "受理时间",
        "办结时间",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, id) in [(1u32, "C1"), (2, "C2")] {
        for (c, v) in [id, "A1", "民政局", "中心窗口", "2025-03-03 09:00:00"]
            .iter()
            .enumerate()
        {
            ws.write_string(r, c as u16, *v).unwrap();
        }
    }
    // C1 finished the next day, by a formula on its acceptance time; C2
    // by a plain value.
    ws.write_formula(1, 5, Formula::new("=E2+1")).unwrap();
    ws.write_string(2, 5, "2025-03-04 09:00:00").unwrap();
    let path = dir.path().join("办件记录.xlsx");
    wb.save(&path).unwrap();
    drop_formula_results(&path);

    let json = common::audit_json(None, dir.path(), &[]);
    assert_eq!(json["summary"]["records"]["cases"], 2, "{json:#}");
    let errors = json["data_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{json:#}");
    assert_eq!(errors[0]["file"], "办件记录.xlsx");
    assert_eq!(errors[0]["row"], 2);
    assert_eq!(errors[0]["column"], "办结时间");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("没有保存它的计算结果"),
        "{json:#}"
    );
    // Unknown, not unfinished: C1 is not overdue as of a year later.
    assert!(
        common::with_code(&json, "findings", "H003").is_empty(),
        "{json:#}"
    );
    let h003 = common::with_code(&json, "undetermined", "H003");
    assert_eq!(h003.len(), 1, "{json:#}");
    assert_eq!(h003[0]["key"], serde_json::json!(["C1"]));
}

/// A day count written into a cell formatted as a date shows as a date in
/// Excel (45717 as 2025-03-01): it is a data error naming the date, and the
/// rules that need it are undetermined; it was read as 45717 days. A day
/// count in a duration format (`[h]:mm`) is still its number of days.
#[test]
fn a_day_count_formatted_as_a_date_is_reported_not_read_as_its_serial() {
    // The error names the date the cell shows, in either date system.
    day_count_formatted_as_a_date(false, "2025-03-01");
    day_count_formatted_as_a_date(true, "2029-03-02");
}

fn day_count_formatted_as_a_date(of_1904: bool, shown: &str) {
    use rust_xlsxwriter::Format;
    let dir = common::folder(&[(
        "办件记录.csv",
        "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
         C1,A1,民政局,中心窗口,2025-03-03 09:00:00,2025-03-20 09:00:00\n\
         C2,A2,民政局,中心窗口,2025-03-03 09:00:00,2025-03-20 09:00:00\n",
    )]);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "事项编码",
        "事项名称",
        "事项类型",
        "实施主体",
        "是否进驻中心",
        "办件类型",
        "承诺办结时限",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, code) in [(1u32, "A1"), (2, "A2")] {
        for (c, v) in [code, "事项", "行政许可", "民政局", "是", "承诺件"]
            .iter()
            .enumerate()
        {
            ws.write_string(r, c as u16, *v).unwrap();
        }
    }
    let as_date = Format::new().set_num_format("yyyy-mm-dd");
    let as_hours = Format::new().set_num_format("[h]:mm");
    ws.write_number_with_format(1, 6, 45717, &as_date).unwrap();
    ws.write_number_with_format(2, 6, 5, &as_hours).unwrap();
    let path = dir.path().join("事项目录.xlsx");
    wb.save(&path).unwrap();
    if of_1904 {
        set_1904_date_system(&path);
    }

    let json = common::audit_json(None, dir.path(), &[]);
    let errors = json["data_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{json:#}");
    assert_eq!(errors[0]["file"], "事项目录.xlsx");
    assert_eq!(errors[0]["row"], 2);
    assert_eq!(errors[0]["column"], "承诺办结时限");
    assert_eq!(errors[0]["value"], shown);
    assert!(
        errors[0]["message"].as_str().unwrap().contains("日期格式"),
        "{json:#}"
    );
    // A1's time limit is unknown: C1 undetermined, not within 45717 days.
    let h003 = common::with_code(&json, "undetermined", "H003");
    assert_eq!(h003.len(), 1, "{json:#}");
    assert_eq!(h003[0]["key"], serde_json::json!(["C1"]));
    // A2's limit is 5 working days: C2 took 13.
    let found = common::with_code(&json, "findings", "H003");
    assert_eq!(found.len(), 1, "{json:#}");
    assert_eq!(found[0]["key"], serde_json::json!(["C2"]));
}

/// A catalogue's item code written as a formula saved without its result
/// has no text to match: the record may be any item, so no case's item is
/// called missing from that catalogue (H006 was a finding for K1's cases).
#[test]
fn a_register_key_formula_without_its_result_may_be_any_key() {
    let dir = common::folder(&[(
        "办件记录.csv",
        "办件编号,事项编码,受理部门,受理渠道,受理时间\n\
         C1,K1,民政局,原单位,2025-03-03 09:00\n\
         C2,K2,民政局,原单位,2025-03-03 09:00\n",
    )]);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "事项编码",
        "事项名称",
        "事项类型",
        "实施主体",
        "是否进驻中心",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, name) in [(1u32, "甲"), (2, "乙")] {
        for (c, v) in [name, "行政许可", "民政局", "是"].iter().enumerate() {
            ws.write_string(r, c as u16 + 1, *v).unwrap();
        }
    }
    ws.write_formula(1, 0, Formula::new("=\"K\"&\"1\""))
        .unwrap();
    ws.write_string(2, 0, "K2").unwrap();
    let path = dir.path().join("事项目录.xlsx");
    wb.save(&path).unwrap();
    drop_formula_results(&path);

    let json = common::audit_json(None, dir.path(), &[]);
    assert!(
        common::with_code(&json, "findings", "H006").is_empty(),
        "{json:#}"
    );
    let h006 = common::with_code(&json, "undetermined", "H006");
    assert_eq!(h006.len(), 1, "{json:#}");
    assert_eq!(h006[0]["key"], serde_json::json!(["C1"]));
    assert_eq!(common::with_code(&json, "findings", "H001").len(), 1);
}
