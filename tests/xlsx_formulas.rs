//! A formula cell saved without its result (a workbook written by a
//! program, never opened in Excel) has no value to read: it is a data error
//! and the rules that need it are undetermined, not an empty cell (which
//! made a finished case unfinished, and overdue).

mod common;

use std::io::{Read, Write};
use std::path::Path;

use rust_xlsxwriter::{Formula, Workbook};

const CATALOGUE: (&str, &str) = (
    "事项目录.csv",
    "事项编码,事项名称,事项类型,实施主体,是否进驻中心,办件类型,承诺办结时限\n\
     A1,事项一,行政许可,民政局,是,承诺件,5\n",
);

/// Rewrites the workbook at `path` with every formula's saved result taken
/// out (`rust_xlsxwriter` saves a result with each formula).
fn drop_formula_results(path: &Path) {
    let mut zin = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut entries = Vec::new();
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        let name = f.name().to_string();
        if name.starts_with("xl/worksheets/sheet") {
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.contains("</f><v>0</v>"), "{text}");
            bytes = text.replace("</f><v>0</v>", "</f>").into_bytes();
        }
        entries.push((name, bytes));
    }
    let mut zout = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
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
