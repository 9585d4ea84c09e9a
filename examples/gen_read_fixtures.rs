//! Writes the reader's test fixtures into `tests/fixtures/read/`
//! (deterministic; the `.xls` comes from `tests/fixtures/gen_read_xls.py`,
//! since no Rust crate writes BIFF).
//!
//! Run: `cargo run --example gen_read_fixtures`

use std::fs;
use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/read");
    fs::create_dir_all(&dir)?;
    let w = |name: &str, bytes: &[u8]| fs::write(dir.join(name), bytes);

    // UTF-8 catalogue: codes, labels and variants of every value form.
    w(
        "事项目录-utf8.csv",
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,法定办结时限,承诺办结时限,网办深度,收费下限,备注\n\
         511A0001,建设工程规划许可,1,区住建局,是,20个工作日,10,Ⅳ,\"1,000元\",\n\
         511A0002,食品经营许可,行政许可,区市场监管局,Y,20天,5,IV,,新办\n\
         511A0003,学生资助政策咨询,公共服务事项,区教科体局,√,,1,4,0,\n\
         511A0004,\"婚姻登记(含补领,换领)\",07,区民政局,否,15,7,全程网办,,\n"
            .as_bytes(),
    )?;
    // UTF-8 with BOM, a title line above the header, full-width forms and
    // stray spaces in the header and values.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(
        "广安区政务服务事项目录(2025年版),,,,\n\
         实施编码, 事项名称 ,权力类型,实施机构,是否进驻政务服务中心\n\
         511B0001,社会团体成立登记,\u{3000}行政许可 ,区民政局,是\n\
         511B0002,不动产登记,０７,区自然资源局,\u{a0}true\n"
            .as_bytes(),
    );
    w("事项目录-bom.csv", &bom)?;
    // GBK cases: every datetime form, money units, a default.
    let (gbk, _, bad) = encoding_rs::GBK.encode(
        "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间,办理结果,投资额（万元）,特别程序天数\r\n\
         GA2025000001,511A0001,区住建局,中心窗口,2025-03-01 09:30:00,2025/3/5 16:00,准予,\"1,200\",\r\n\
         GA2025000002,511A0002,区市场监管局,原单位,2025/3/1 9:30,,准予,500万元,3\r\n\
         GA2025000003,511A0001,区住建局,网上,2025-03-01T09:30:00,2025年3月10日,不予,,0\r\n\
         GA2025000004,511A0003,区教科体局,综合窗口,2025年3月1日,20250302,退回,5000元,\r\n",
    );
    assert!(!bad, "GBK fixture must be encodable");
    w("办件-gbk.csv", &gbk)?;
    // GB18030 staff, no BOM: names with characters outside GBK (4-byte).
    let (gb, _, bad) = encoding_rs::GB18030.encode(
        "工号,姓名,派驻单位,岗位,出生日期,身份,是否中层以上干部,是否中级以上职称,进驻日期,离岗日期\n\
         S001,𠮷祥,区住建局,首席代表,1975-06-01,公务员,是,否,2020-01-01,\n\
         S002,王𡈽,区民政局,前台,1990/2/3,编外,N,N,2021-05-01,2024-12-31\n",
    );
    assert!(!bad, "GB18030 fixture must be encodable");
    w("人员-gb18030.csv", &gb)?;
    // TSV authorizations (a pair with two rows over time).
    w(
        "授权.tsv",
        "授权单位\t事项编码\t授权级别\t是否授权审批专用章\t授权日期\t授权书编号\t生效日期\t失效日期\n\
         区住建局\t511A0001\t决定\t是\t2024-01-01\tGA-SQ-001\t2024-01-01\t2024-12-31\n\
         区住建局\t511A0001\t初审\t是\t2024-12-01\tGA-SQ-009\t2025-01-01\t\n"
            .as_bytes(),
    )?;
    // Ragged rows: short, long, long with an empty extra cell, a blank line.
    w(
        "办件-ragged.csv",
        "办件编号,事项编码,受理部门,受理渠道,受理时间\n\
         GA1,511A0001,区住建局,中心窗口,2025-03-01 09:00:00\n\
         GA2,511A0001,区住建局,中心窗口\n\
         GA3,511A0001,区住建局,中心窗口,2025-03-01 09:00:00,多余\n\
         GA4,511A0001,区住建局,中心窗口,2025-03-02 09:00:00,\n\
         \n\
         GA5,511A0002,区民政局,网上,2025-03-03 10:00:00\n"
            .as_bytes(),
    )?;
    // Values that do not parse.
    w(
        "办件-bad-date.csv",
        "办件编号,事项编码,受理渠道,受理时间,办结时间\n\
         GA9,511A0001,中心窗口,2025-13-01,2025-03-02 10:00\n\
         GA10,511A0001,柜台,2025-03-01 09:00,2025-02-30\n"
            .as_bytes(),
    )?;
    // JSON Lines fees: text and number values, a blank line, a broken line.
    w(
        "收费.jsonl",
        "{\"收费流水号\":\"F001\",\"办件编号\":\"GA2025000001\",\"事项编码\":\"511A0001\",\"收费部门\":\"区住建局\",\"收费金额\":\"1,000.50元\",\"收费时间\":\"2025-03-05 10:00:00\",\"收费地点\":\"政务服务中心\",\"收款单位\":\"财政\"}\n\
         {\"收费流水号\":\"F002\",\"办件编号\":\"GA2025000002\",\"事项编码\":\"511A0002\",\"收费部门\":\"区市场监管局\",\"收费金额\":200,\"收费时间\":\"2025/3/6 9:00\",\"收费地点\":\"原单位\",\"收款单位\":\"部门\",\"waiver\":0}\n\
         \n\
         not json\n"
            .as_bytes(),
    )?;
    // YAML catalogue items keyed by field names.
    w(
        "目录补充.yaml",
        "# items added after the export\n\
         - code: \"511A0005\"\n  name: 殡葬补助\n  kind: 5\n  dept: 区民政局\n  in_center: true\n  promised_days: 0\n\
         - code: \"511A0006\"\n  name: 收养登记\n  kind: \"07\"\n  dept: 区民政局\n  in_center: false\n"
            .as_bytes(),
    )?;
    // Things that are skipped or cannot be read.
    w("空.csv", b"")?;
    w(
        "~$进驻单位.xlsx",
        b"\x0bAdministrator\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
    )?;
    w(".hidden.csv", "办件编号,事项编码\nX,Y\n".as_bytes())?;
    w("说明.txt", "本目录为2025年一季度导出数据。\n".as_bytes())?;
    w("乱码.csv", b"\x00\x01\x02\xff\xfe binary \x00 junk")?;
    w("附件.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")?;

    write_units_xlsx(&dir.join("进驻单位.xlsx"))?;
    let full = fs::read(dir.join("进驻单位.xlsx"))?;
    w("损坏.xlsx", &full[..full.len().min(300)])?;
    Ok(())
}

/// Units under two title rows (the first merged across the table) and a
/// two-level header (进驻人数 over 前台/后台); authorizations with Excel
/// date cells on a second sheet; an empty third sheet.
fn write_units_xlsx(path: &Path) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2025, 3, 1)?),
    );
    let title = Format::new().set_bold().set_align(FormatAlign::Center);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    {
        let ws = wb.add_worksheet();
        ws.set_name("进驻单位")?;
        ws.merge_range(0, 0, 0, 6, "广安区政务服务中心进驻单位情况表", &title)?;
        ws.write_string(1, 0, "填报单位:区政务服务管理办公室")?;
        let plain = Format::new();
        for (c, h) in [
            (0u16, "单位名称"),
            (1, "部门类型"),
            (2, "窗口类型"),
            (3, "设窗口数"),
            (6, "备注"),
        ] {
            ws.merge_range(2, c, 3, c, h, &plain)?;
        }
        ws.merge_range(2, 4, 2, 5, "进驻人数", &plain)?;
        ws.write_string(3, 4, "前台")?;
        ws.write_string(3, 5, "后台")?;
        let rows: [(&str, &str, &str, f64, f64, f64, &str); 3] = [
            ("区住建局", "县直部门", "常驻窗口", 2.0, 3.0, 2.0, ""),
            (
                "区税务局",
                "垂管部门",
                "综合窗口",
                1.0,
                1.0,
                0.0,
                "综合窗口代办",
            ),
            ("区供电公司", "企业部门", "未进驻", 0.0, 0.0, 0.0, ""),
        ];
        for (i, r) in rows.iter().enumerate() {
            let row = 4 + i as u32;
            ws.write_string(row, 0, r.0)?;
            ws.write_string(row, 1, r.1)?;
            ws.write_string(row, 2, r.2)?;
            ws.write_number(row, 3, r.3)?;
            ws.write_number(row, 4, r.4)?;
            ws.write_number(row, 5, r.5)?;
            if !r.6.is_empty() {
                ws.write_string(row, 6, r.6)?;
            }
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("窗口授权")?;
        for (c, h) in [
            "授权单位",
            "事项编码",
            "授权级别",
            "授权日期",
            "生效日期",
            "失效日期",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(0, c as u16, *h)?;
        }
        ws.write_string(1, 0, "区民政局")?;
        ws.write_string(1, 1, "511A0004")?;
        ws.write_string(1, 2, "决定")?;
        ws.write_number_with_format(1, 3, 45292.0, &date)?; // 2024-01-01
        ws.write_number_with_format(1, 4, 45292.5, &datetime)?; // 2024-01-01 12:00
        ws.write_string(2, 0, "区民政局")?;
        ws.write_string(2, 1, "511A0005")?;
        ws.write_string(2, 2, "初审")?;
        ws.write_number(2, 3, 45658.0)?; // a serial without a date format
        ws.write_string(2, 4, "2025年1月1日")?;
        ws.write_number_with_format(2, 5, 46022.0, &date)?; // 2025-12-31
    }
    wb.add_worksheet().set_name("Sheet3")?;
    wb.save(path)
}
