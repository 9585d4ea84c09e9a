//! `yimen report --format xlsx`: the report's tables, one sheet each (every
//! metric value in one filterable table, then each metric's own), numbers as
//! numbers and percentages formatted as percentages.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::Report;
use crate::output::display_width;

fn widths(ws: &mut Worksheet, rows: &[Vec<String>]) -> Result<(), XlsxError> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    for c in 0..cols {
        let w = rows
            .iter()
            .filter_map(|r| r.get(c))
            .map(|s| display_width(s))
            .max()
            .unwrap_or(8);
        ws.set_column_width(c as u16, (w.clamp(6, 50) + 2) as f64)?;
    }
    Ok(())
}

fn header(ws: &mut Worksheet, names: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (c, n) in names.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *n, bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The formats the metric tables share.
struct Formats {
    bold: Format,
    pct: Format,
}

/// A metric's sheet name: its id and name, without the characters a sheet
/// name may not hold, at most Excel's 31 characters (the id, unique,
/// first).
fn metric_sheet_name(id: &str, name: &str) -> String {
    let text: String = format!("{id} {name}")
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\''))
        .take(31)
        .collect();
    text.trim_end().to_string()
}

/// Metric values as a table on `ws`: with the metric's id and name first
/// (`with_id`, the sheet of every metric) or without (a metric's own sheet).
fn metric_table(
    ws: &mut Worksheet,
    metrics: &[&super::MetricRow],
    with_id: bool,
    f: &Formats,
) -> Result<(), XlsxError> {
    let columns = [
        "指标",
        "名称",
        "部门",
        "分子",
        "分母",
        "数值",
        "无法判定",
        "目标",
        "达标",
        "上期",
        "较上期（百分点）",
    ];
    let names = if with_id { &columns[..] } else { &columns[2..] };
    header(ws, names, &f.bold)?;
    // (The columns after the id and name, shifted by `at`.)
    let at: u16 = if with_id { 2 } else { 0 };
    let mut text_rows = vec![names.iter().map(|s| (*s).to_string()).collect::<Vec<_>>()];
    for (i, m) in metrics.iter().enumerate() {
        let row = (i + 1) as u32;
        let dept = m.dept.clone().unwrap_or_else(|| "全中心".into());
        if with_id {
            ws.write_string(row, 0, &m.id)?;
            ws.write_string(row, 1, &m.name)?;
        }
        ws.write_string(row, at, &dept)?;
        ws.write_number(row, at + 1, m.numerator as f64)?;
        ws.write_number(row, at + 2, m.denominator as f64)?;
        match m.value {
            // With the decimals the md and html show: a value that misses
            // its target is never displayed as the target.
            Some(v) => match super::md::decimals_against(m) {
                1 => ws.write_number_with_format(row, at + 3, v, &f.pct)?,
                d => {
                    let pct = Format::new().set_num_format(format!("0.{}%", "0".repeat(d)));
                    ws.write_number_with_format(row, at + 3, v, &pct)?
                }
            },
            None => ws.write_string(row, at + 3, "—")?,
        };
        ws.write_number(row, at + 4, m.undetermined as f64)?;
        if let Some(t) = m.target {
            ws.write_number_with_format(row, at + 5, t, &f.pct)?;
        }
        let reached = match (m.value, m.target) {
            (Some(_), Some(_)) if m.target_missed => "未达标",
            (Some(_), Some(_)) => "达标",
            _ => "—",
        };
        ws.write_string(row, at + 6, reached)?;
        if let Some(p) = m.previous {
            ws.write_number_with_format(row, at + 7, p, &f.pct)?;
        }
        if let Some(c) = m.change_points {
            ws.write_number(row, at + 8, c)?;
        }
        text_rows.push(if with_id {
            vec![m.id.clone(), m.name.clone(), dept]
        } else {
            vec![dept]
        });
    }
    ws.autofilter(0, 0, metrics.len() as u32, (names.len() - 1) as u16)?;
    widths(ws, &text_rows)
}

fn build(r: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let date = chrono::NaiveDate::parse_from_str(&r.as_of, "%Y-%m-%d").unwrap_or_default();
    let created = ExcelDateTime::from_ymd(
        u16::try_from(chrono::Datelike::year(&date)).unwrap_or(2025),
        chrono::Datelike::month(&date) as u8,
        chrono::Datelike::day(&date) as u8,
    )?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let formats = Formats {
        bold: Format::new().set_bold(),
        pct: Format::new().set_num_format("0.0%"),
    };
    let bold = &formats.bold;
    let score = Format::new().set_num_format("0.0");

    // 指标: every metric value, one filterable table; then each metric's
    // table on a sheet of its own, as the md and html have a table each.
    let ws = wb.add_worksheet();
    ws.set_name("指标")?;
    let all: Vec<&super::MetricRow> = r.metrics.iter().collect();
    metric_table(ws, &all, true, &formats)?;
    let mut ids: Vec<&str> = Vec::new();
    for m in &r.metrics {
        if !ids.contains(&m.id.as_str()) {
            ids.push(&m.id);
        }
    }
    for id in ids {
        let rows: Vec<&super::MetricRow> = r.metrics.iter().filter(|m| m.id == id).collect();
        let ws = wb.add_worksheet();
        ws.set_name(metric_sheet_name(id, &rows[0].name))?;
        metric_table(ws, &rows, false, &formats)?;
    }

    // 得分排名.
    let ws = wb.add_worksheet();
    ws.set_name("得分排名")?;
    let compared = r.previous.is_some();
    let all = [
        "名次",
        "部门",
        "得分",
        "问题数",
        "指标得分",
        "扣分",
        "等次",
        "未达标指标",
        "上期名次",
        "上期得分",
    ];
    let names = if compared { &all[..] } else { &all[..8] };
    header(ws, names, bold)?;
    let mut text_rows = vec![names.iter().map(|s| (*s).to_string()).collect::<Vec<_>>()];
    for (i, d) in r.departments.iter().enumerate() {
        let row = (i + 1) as u32;
        match d.rank {
            Some(rank) => ws.write_number(row, 0, rank as f64)?,
            None => ws.write_string(row, 0, "—")?,
        };
        ws.write_string(row, 1, &d.dept)?;
        match d.score {
            Some(v) => ws.write_number_with_format(row, 2, v, &score)?,
            None => ws.write_string(row, 2, "不计分")?,
        };
        ws.write_number(row, 3, d.findings as f64)?;
        match d.weighted {
            Some(v) => ws.write_number_with_format(row, 4, v, &score)?,
            None => ws.write_string(row, 4, "—")?,
        };
        ws.write_number_with_format(row, 5, d.penalty, &score)?;
        ws.write_string(row, 6, if d.excellent { "优秀" } else { "" })?;
        let missed = d.targets_missed.join("、");
        ws.write_string(row, 7, &missed)?;
        if compared {
            if let Some(rank) = d.previous_rank {
                ws.write_number(row, 8, rank as f64)?;
            }
            if let Some(v) = d.previous_score {
                ws.write_number_with_format(row, 9, v, &score)?;
            }
        }
        text_rows.push(vec![
            String::new(),
            d.dept.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            missed,
        ]);
    }
    widths(ws, &text_rows)?;

    // 问题分布: findings per department and family.
    let ws = wb.add_worksheet();
    ws.set_name("问题分布")?;
    let mut names: Vec<&str> = vec!["部门"];
    let fams = super::family_columns(r);
    names.extend(&fams);
    names.push("合计");
    header(ws, &names, bold)?;
    let mut text_rows = vec![names.iter().map(|s| (*s).to_string()).collect::<Vec<_>>()];
    for (i, d) in r.departments.iter().enumerate() {
        let row = (i + 1) as u32;
        ws.write_string(row, 0, &d.dept)?;
        for (c, f) in fams.iter().enumerate() {
            ws.write_number(
                row,
                (c + 1) as u16,
                d.by_family.get(*f).copied().unwrap_or(0) as f64,
            )?;
        }
        ws.write_number(row, (fams.len() + 1) as u16, d.findings as f64)?;
        text_rows.push(vec![d.dept.clone()]);
    }
    widths(ws, &text_rows)?;

    // 典型问题: each department's worst cases, as the md and html list them.
    let ws = wb.add_worksheet();
    ws.set_name("典型问题")?;
    let names = ["部门", "规则", "键", "问题"];
    header(ws, &names, bold)?;
    let mut text_rows = vec![names.iter().map(|s| (*s).to_string()).collect::<Vec<_>>()];
    for (d, w) in r
        .departments
        .iter()
        .flat_map(|d| d.worst.iter().map(move |w| (d, w)))
    {
        let row = text_rows.len() as u32;
        let key = w.key.join(" / ");
        for (c, v) in [&d.dept, &w.code, &key, &w.message].into_iter().enumerate() {
            ws.write_string(row, c as u16, v)?;
        }
        text_rows.push(vec![d.dept.clone(), w.code.clone(), key]);
    }
    widths(ws, &text_rows)?;
    ws.set_column_width(3, 80)?;

    // 说明: what the tables do not say: period, dates, notes, method.
    let ws = wb.add_worksheet();
    ws.set_name("说明")?;
    let mut lines: Vec<(String, String)> = vec![
        (
            "考评期间".into(),
            r.period
                .clone()
                .unwrap_or_else(|| "导出中的全部数据".into()),
        ),
        ("数据截止日期".into(), r.as_of.clone()),
    ];
    if let Some(p) = &r.previous {
        lines.push(("上期".into(), p.clone()));
    }
    lines.extend(r.notes.iter().map(|n| ("说明".to_string(), n.clone())));
    lines.extend(r.method.iter().map(|m| ("方法".to_string(), m.clone())));
    lines.push(("工作日历".into(), r.calendar.clone()));
    lines.push(("依据的规则".into(), r.policies.join("; ")));
    for (i, (k, v)) in lines.iter().enumerate() {
        ws.write_string_with_format(i as u32, 0, k, bold)?;
        ws.write_string(i as u32, 1, v)?;
    }
    ws.set_column_width(0, 12)?;
    ws.set_column_width(1, 120)?;
    wb.save_to_buffer()
}

pub fn render(r: &Report) -> Result<Vec<u8>, String> {
    crate::output::xlsx::build_workbook(|| build(r)).map_err(|e| format!("无法生成工作簿：{e}"))
}

#[cfg(test)]
mod tests {
    /// A sheet name keeps none of the characters Excel refuses in one and
    /// at most 31 characters, the id first.
    #[test]
    fn a_metric_sheet_name_is_one_excel_takes() {
        assert_eq!(super::metric_sheet_name("M01", "进驻率"), "M01 进驻率");
        assert_eq!(
            super::metric_sheet_name("M90", "[本地] 办件/时限: 达标*?'率"),
            "M90 本地 办件时限 达标率"
        );
        let long = super::metric_sheet_name("M91", &"长".repeat(40));
        assert_eq!(long.chars().count(), 31);
        assert!(long.starts_with("M91 "));
    }
}
