//! A long `.xlsx` case log, read cell by cell in chunks, gives the same
//! records as the same rows written as CSV: values, sheet row numbers (data
//! starting below a title and right of column A), blank rows counted, and a
//! bad cell reported at its row.

mod common;

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};
use yimen::read::{discover, read_table_full, ReadOptions, SourceFile, Table};
use yimen::schema::Schema;

/// More rows than a chunk holds (`DEFAULT_CHUNK_ROWS`), several times over.
const ROWS: u32 = 20_000;
const _: () = assert!(ROWS as usize > 2 * yimen::read::DEFAULT_CHUNK_ROWS);
/// A blank row in the middle of the sheet, after this many data rows.
const BLANK_AFTER: u32 = 17_000;
/// The data row whose acceptance time does not parse.
const BAD: u32 = 123;

const HEADERS: [&str; 5] = ["办件编号", "事项编码", "受理部门", "受理渠道", "受理时间"];

fn row(i: u32) -> [String; 5] {
    let time = if i == BAD {
        "下周一".to_string()
    } else {
        format!("2025-03-{:02} 09:{:02}:00", 1 + i % 28, i % 60)
    };
    [
        format!("C{i:06}"),
        format!("A{}", i % 7),
        ["区民政局", "区住建局", "区市场监管局"][(i % 3) as usize].to_string(),
        ["中心窗口", "综合窗口", "原单位"][(i % 3) as usize].to_string(),
        time,
    ]
}

fn read(dir: &Path) -> (SourceFile, Table) {
    let src = common::only_cases_source(dir);
    let t = read_table_full(&src, Schema::builtin(), &ReadOptions::default()).expect("read");
    (src, t)
}

#[test]
fn a_long_sheet_streams_like_its_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let (xdir, cdir) = (tmp.path().join("x"), tmp.path().join("c"));
    std::fs::create_dir_all(&xdir).unwrap();
    std::fs::create_dir_all(&cdir).unwrap();

    // The workbook: a title in B1, the header in row 3 from column B, data
    // from row 4, one blank row in the middle; acceptance times as text.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("办件").unwrap();
    let bold = Format::new().set_bold();
    ws.write_string_with_format(0, 1, "2025年办件登记表", &bold)
        .unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(2, 1 + c as u16, *h).unwrap();
    }
    let mut csv = HEADERS.join(",") + "\n";
    let mut sheet_row = 3u32;
    for i in 0..ROWS {
        if i == BLANK_AFTER {
            sheet_row += 1;
            csv.push('\n');
        }
        for (c, v) in row(i).iter().enumerate() {
            ws.write_string(sheet_row, 1 + c as u16, v).unwrap();
        }
        csv += &row(i).join(",");
        csv.push('\n');
        sheet_row += 1;
    }
    wb.save(xdir.join("办件.xlsx")).unwrap();
    std::fs::write(cdir.join("办件.csv"), csv).unwrap();

    let (xsrc, x) = read(&xdir);
    let (_, c) = read(&cdir);
    assert_eq!(xsrc.sheet.as_deref(), Some("办件"));
    assert_eq!(xsrc.header_row, Some(3));
    assert_eq!(x.records.len(), ROWS as usize);
    assert_eq!(c.records.len(), ROWS as usize);
    for (a, b) in x.records.iter().zip(&c.records) {
        assert_eq!(a.values, b.values, "sheet row {}", a.row);
    }
    // Sheet rows as Excel shows them: data from row 4, one blank row skipped
    // over (and counted), as the CSV's lines are.
    assert_eq!(x.records[0].row, 4);
    let after_blank = &x.records[BLANK_AFTER as usize];
    assert_eq!(after_blank.row, 4 + BLANK_AFTER + 1);
    assert_eq!(x.records.last().unwrap().row, 4 + ROWS);
    assert_eq!(
        x.records.iter().map(|r| r.row).collect::<Vec<_>>(),
        c.records.iter().map(|r| r.row + 2).collect::<Vec<_>>(),
        "the sheet's rows are the CSV's lines two rows lower"
    );
    assert_eq!(x.blank_rows, 1);
    // The bad cell: one data error at its row, naming its column.
    assert_eq!(x.errors.len(), 1, "{:?}", x.errors);
    let e = &x.errors[0];
    assert_eq!(e.row, 4 + BAD);
    assert_eq!(e.column.as_deref(), Some("受理时间"));
    assert_eq!(e.value.as_deref(), Some("下周一"));
    assert_eq!(c.errors.len(), 1);
}

/// A catalogue sheet as county offices lay it out: a title merged across
/// the table, a section row merged across it (`一、行政许可`), the
/// department merged down over its items, and a blank row inside that
/// merge. The merged department is every covered item's; the section row
/// is no item: reported at its row, not read as an item coded
/// `一、行政许可`; the blank row stays blank.
#[test]
fn merged_cells_in_data_rows_are_filled_down_and_a_section_row_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let headers = [
        "事项编码",
        "事项名称",
        "事项类型",
        "实施主体",
        "是否进驻中心",
        "承诺办结时限",
    ];
    let last = headers.len() as u16 - 1;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("事项目录").unwrap();
    let plain = Format::new();
    ws.merge_range(0, 0, 0, last, "2025年政务服务事项目录", &plain)
        .unwrap();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    ws.merge_range(2, 0, 2, last, "一、行政许可", &plain)
        .unwrap();
    let items = [
        ["A1", "食品经营许可", "行政许可", "", "是", "5"],
        ["A2", "药品零售许可", "行政许可", "", "是", "10"],
        ["", "", "", "", "", ""],
        ["A3", "医疗器械经营备案", "行政许可", "", "否", "3"],
        ["B1", "建筑工程施工许可", "行政许可", "区住建局", "是", "7"],
    ];
    for (i, item) in items.iter().enumerate() {
        for (c, v) in item.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(3 + i as u32, c as u16, *v).unwrap();
            }
        }
    }
    // 实施主体 merged over rows 4-7 (A1, A2, the blank row, A3).
    ws.merge_range(3, 3, 6, 3, "区市场监管局", &plain).unwrap();
    wb.save(tmp.path().join("事项目录.xlsx")).unwrap();

    let src = discover(tmp.path(), Schema::builtin(), &ReadOptions::default())
        .expect("discover")
        .sources
        .into_iter()
        .find(|s| s.dataset == "catalogue")
        .expect("the catalogue");
    assert_eq!(src.header_row, Some(2));
    let t = read_table_full(&src, Schema::builtin(), &ReadOptions::default()).expect("read");
    let dept = Schema::builtin()
        .dataset("catalogue")
        .unwrap()
        .field_index("dept")
        .unwrap();
    let got: Vec<(u32, String)> = t
        .records
        .iter()
        .map(|r| (r.row, r.values[dept].to_string()))
        .collect();
    assert_eq!(
        got,
        [
            (4, "区市场监管局".to_string()),
            (5, "区市场监管局".to_string()),
            (7, "区市场监管局".to_string()),
            (8, "区住建局".to_string()),
        ]
    );
    assert_eq!(t.blank_rows, 1, "row 6 is blank, merge or not");
    assert_eq!(t.bad_rows, 1);

    // Through the audit: the section row is a data error at row 3, and no
    // rule sees an item coded `一、行政许可`.
    let json = common::audit_json(None, tmp.path(), &[]);
    let errors = json["data_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["row"], 3);
    assert_eq!(errors[0]["sheet"], "事项目录");
    // The raw value, as every row error has it.
    assert_eq!(errors[0]["value"], "一、行政许可", "{errors:?}");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("一、行政许可") && message.contains("6 列"),
        "{message}"
    );
    let text = json.to_string();
    assert!(!text.contains("[\"一、行政许可\"]"), "{text}");
    assert_eq!(json["summary"]["records"]["catalogue"], 4);
}
