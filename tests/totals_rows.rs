//! A totals row (`合计`, `总计`, `小计` …) at the foot of a table sums the
//! records above it and is not one: it is reported as a data error at its
//! row and not read, in a CSV in any encoding and in a sheet; a record whose
//! text merely contains such a word is read as usual.

mod common;

use rust_xlsxwriter::Workbook;

#[test]
fn totals_rows_are_reported_and_not_read_as_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let rows = [
        [
            "事项编码",
            "事项名称",
            "是否进驻中心",
            "法定办结时限",
            "承诺办结时限",
        ],
        ["A1", "事项一", "是", "20", "10"],
        ["A2", "合计核定许可", "是", "20", "10"],
        ["合计", "", "", "40", "20"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    wb.save(dir.path().join("事项目录.xlsx")).unwrap();
    let cases = "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
                 C1,A1,区民政局,中心窗口,2025-03-03 09:30:00,2025-03-04 09:30:00\n\
                 C2,A2,区民政局,中心窗口,2025-03-03 10:30:00,2025-03-04 10:30:00\n\
                 \u{3000}合 计：,2 件,,,,\n";
    let gbk = encoding_rs::GB18030.encode(cases).0.into_owned();
    std::fs::write(dir.path().join("办件记录.csv"), gbk).unwrap();
    std::fs::write(
        dir.path().join("收费记录.csv"),
        "序号,收费流水号,办件编号,事项编码,收费金额,收费时间,收费地点\n\
         1,F1,C1,A1,10.00,2025-03-03 09:40:00,政务服务中心\n\
         ,\"总计\",,,10.00,,\n",
    )
    .unwrap();
    let json = common::audit_json(None, dir.path(), &[]);
    let records = &json["summary"]["records"];
    assert_eq!(records["catalogue"], 2, "{json:#}");
    assert_eq!(records["cases"], 2, "{json:#}");
    assert_eq!(records["fees"], 1, "{json:#}");
    let errors = json["data_errors"].as_array().unwrap();
    let totals: Vec<(String, u64, String)> = errors
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["row"].as_u64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(totals.len(), 3, "{totals:?}");
    for (file, row, label) in [
        ("事项目录.xlsx", 4, "「合计」"),
        ("办件记录.csv", 4, "「合计」"),
        ("收费记录.csv", 3, "「总计」"),
    ] {
        assert!(
            totals.iter().any(|(f, r, m)| f == file
                && *r == row
                && m.contains(label)
                && m.contains("不是一条记录")),
            "{file} row {row}: {totals:?}"
        );
    }
    // Nothing was judged of the totals rows: no finding or undetermined
    // verdict names them.
    let text = json.to_string();
    for list in ["findings", "undetermined"] {
        for f in json[list].as_array().unwrap() {
            let key = f["key"].to_string();
            assert!(!key.contains("合") && !key.contains("总计"), "{text}");
        }
    }
}
