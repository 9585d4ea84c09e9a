//! `yimen report --format html`: one self-contained file (no external
//! scripts, fonts or styles: these networks are closed), in Chinese,
//! printable on A4, with bar charts as inline SVG. Every value from the data
//! is HTML-escaped.

use std::fmt::Write as _;

use super::md::{
    change, op_text, pct, pct_against, previous, previous_rank_and_score, rank_and_score,
    summary_line, weighted,
};
use super::{MetricRow, Report};

/// Escape text for HTML content and attribute values (the markup escaper
/// the `JUnit` writer uses too).
pub fn esc(s: &str) -> String {
    crate::output::markup::escape(s)
}

const STYLE: &str = r#"
@page { size: A4; margin: 18mm 15mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimSun", sans-serif; color: #1a1a1a; margin: 0 auto; max-width: 190mm; font-size: 10.5pt; line-height: 1.5; }
h1 { font-size: 22pt; text-align: center; margin-top: 60mm; }
h2 { font-size: 14pt; border-bottom: 2px solid #9b1c1c; padding-bottom: 2pt; margin-top: 18pt; }
h3 { font-size: 11.5pt; margin: 12pt 0 4pt; }
.cover { text-align: center; page-break-after: always; }
.cover p { font-size: 12pt; }
section { page-break-before: always; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 10pt; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #999; padding: 2pt 4pt; text-align: left; }
th { background: #f0e6e6; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.missed { color: #9b1c1c; font-weight: bold; }
.excellent { color: #1d6b2c; font-weight: bold; }
.note { color: #555; font-size: 9.5pt; }
svg { display: block; margin: 4pt 0 8pt; }
"#;

fn metric_chart(rows: &[&MetricRow]) -> String {
    let depts: Vec<&&MetricRow> = rows.iter().filter(|m| m.dept.is_some()).collect();
    if depts.is_empty() {
        return String::new();
    }
    let bar_h = 14;
    let label_w = 150;
    let chart_w = 400;
    let bars = depts.len() * (bar_h + 4) + 4;
    let height = bars + 28;
    let first = rows[0];
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{height}" role="img" aria-label="{} {}：各部门数值（0%—100%）">"#,
        label_w + chart_w + 60,
        esc(&first.id),
        esc(&first.name)
    );
    // The scale: an axis with ticks every 25%.
    let _ = write!(
        svg,
        r##"<line x1="{label_w}" y1="{bars}" x2="{}" y2="{bars}" stroke="#999"/>"##,
        label_w + chart_w
    );
    for tick in 0..=4 {
        let x = label_w + chart_w * tick / 4;
        let _ = write!(
            svg,
            r##"<line x1="{x}" y1="{bars}" x2="{x}" y2="{}" stroke="#999"/><text x="{x}" y="{}" font-size="9" fill="#555" text-anchor="middle">{}%</text>"##,
            bars + 3,
            bars + 12,
            tick * 25
        );
    }
    for (i, m) in depts.iter().enumerate() {
        let y = i * (bar_h + 4) + 4;
        let name = esc(m.dept.as_deref().unwrap_or(""));
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="10" text-anchor="end">{name}</text>"#,
            label_w - 6,
            y + bar_h - 3
        );
        match m.value {
            Some(v) => {
                let w = (v.clamp(0.0, 1.0) * f64::from(chart_w)).round();
                let fill = if m.target_missed {
                    "#c05050"
                } else {
                    "#4a7ab5"
                };
                let _ = write!(
                    svg,
                    r#"<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{fill}"/>"#
                );
                let _ = write!(
                    svg,
                    r#"<text x="{}" y="{}" font-size="10">{}</text>"#,
                    f64::from(label_w) + w + 4.0,
                    y + bar_h - 3,
                    // (As the table shows it: more decimals where one would
                    // show a missed target reached.)
                    esc(&pct_against(m))
                );
            }
            None => {
                let _ = write!(
                    svg,
                    r##"<text x="{}" y="{}" font-size="10" fill="#777">—（分母为零）</text>"##,
                    label_w + 4,
                    y + bar_h - 3
                );
            }
        }
    }
    if let Some(t) = depts.first().and_then(|m| m.target) {
        let x = f64::from(label_w) + t.clamp(0.0, 1.0) * f64::from(chart_w);
        let _ = write!(
            svg,
            r##"<line x1="{x}" y1="0" x2="{x}" y2="{bars}" stroke="#9b1c1c" stroke-dasharray="4 2"/><text x="{x}" y="{}" font-size="9" fill="#9b1c1c" text-anchor="middle">目标 {}</text>"##,
            height - 3,
            esc(&pct(Some(t)))
        );
    }
    svg.push_str("</svg>");
    svg
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let title = r.period.as_ref().map_or_else(
        || "政务服务中心绩效考评报告".to_string(),
        |p| format!("政务服务中心{p}年度绩效考评报告"),
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&title)
    );
    let _ = writeln!(
        out,
        "<div class=\"cover\"><h1>{}</h1><p>考评期间：{}</p><p>数据截止日期：{}</p>{}<p class=\"note\">由 yimen 依据政务服务中心有关规定自动生成</p></div>",
        esc(&title),
        esc(r.period.as_deref().unwrap_or("导出中的全部数据")),
        esc(&r.as_of),
        r.previous
            .as_ref()
            .map(|p| format!("<p>上期：{}</p>", esc(p)))
            .unwrap_or_default()
    );
    // Summary
    let (line, excellent) = summary_line(r);
    let excellent: Vec<String> = excellent.into_iter().map(esc).collect();
    let _ = write!(
        out,
        "<section><h2>一、概况</h2><p>{}<span class=\"excellent\">{}</span>。</p>",
        esc(&line),
        if excellent.is_empty() {
            "无".to_string()
        } else {
            excellent.join("、")
        }
    );
    for n in &r.notes {
        let _ = write!(out, "<p class=\"note\">说明：{}</p>", esc(n));
    }
    out.push_str("</section>\n<section><h2>二、考评指标</h2>\n");
    let mut ids: Vec<&str> = r.metrics.iter().map(|m| m.id.as_str()).collect();
    ids.dedup();
    for id in ids {
        let rows: Vec<&MetricRow> = r.metrics.iter().filter(|m| m.id == id).collect();
        let Some(first) = rows.first() else { continue };
        let target = match (first.target_op, first.target) {
            (Some(op), Some(t)) => format!("（目标 {} {}）", op_text(op), esc(&pct(Some(t)))),
            _ => String::new(),
        };
        let _ = write!(
            out,
            "<h3>{} {}{target}</h3>\n{}\n",
            esc(id),
            esc(&first.name),
            metric_chart(&rows)
        );
        out.push_str("<table><thead><tr><th>部门</th><th>分子</th><th>分母</th><th>数值</th><th>无法判定</th><th>达标</th><th>上期</th><th>较上期</th></tr></thead><tbody>\n");
        for m in rows {
            let reached = match (m.value, m.target) {
                (Some(_), Some(_)) if m.target_missed => "<span class=\"missed\">未达标</span>",
                (Some(_), Some(_)) => "达标",
                _ => "—",
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{reached}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(m.dept.as_deref().unwrap_or("全中心")),
                m.numerator,
                m.denominator,
                esc(&pct_against(m)),
                m.undetermined,
                esc(&previous(m)),
                esc(&change(m))
            );
        }
        out.push_str("</tbody></table>\n");
    }
    let compared = r.previous.is_some();
    let _ = writeln!(
        out,
        "</section>\n<section><h2>三、部门得分与排名</h2>\n<table><thead><tr><th>名次</th><th>部门</th><th>得分</th><th>问题数</th><th>指标得分</th><th>扣分</th><th>等次</th><th>未达标指标</th>{}</tr></thead><tbody>",
        if compared { "<th>上期名次</th><th>上期得分</th>" } else { "" }
    );
    for d in &r.departments {
        let (rank, score) = rank_and_score(d);
        let more = if compared {
            let (rank, score) = previous_rank_and_score(d);
            format!("<td class=\"n\">{rank}</td><td class=\"n\">{score}</td>")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}</td><td>{}</td><td>{}</td>{more}</tr>",
            rank,
            esc(&d.dept),
            score,
            d.findings,
            weighted(d),
            d.penalty,
            if d.excellent { "<span class=\"excellent\">优秀</span>" } else { "" },
            esc(&d.targets_missed.join("、"))
        );
    }
    out.push_str("</tbody></table></section>\n<section><h2>四、问题清单</h2>\n<table><thead><tr><th>部门</th>");
    let fams = super::family_columns(r);
    for f in &fams {
        let _ = write!(out, "<th>{f}</th>");
    }
    out.push_str("<th>合计</th></tr></thead><tbody>\n");
    for d in &r.departments {
        let _ = write!(out, "<tr><td>{}</td>", esc(&d.dept));
        for f in &fams {
            let _ = write!(
                out,
                "<td class=\"n\">{}</td>",
                d.by_family.get(*f).copied().unwrap_or(0)
            );
        }
        let _ = writeln!(out, "<td class=\"n\">{}</td></tr>", d.findings);
    }
    out.push_str("</tbody></table>\n");
    for d in r.departments.iter().filter(|d| !d.worst.is_empty()) {
        let _ = write!(out, "<h3>{} 典型问题</h3><ul>", esc(&d.dept));
        for w in &d.worst {
            let _ = write!(out, "<li>[{}] {}</li>", esc(&w.code), esc(&w.message));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n<section><h2>五、方法</h2><ul>");
    for line in &r.method {
        let _ = write!(out, "<li>{}</li>", esc(line));
    }
    let _ = write!(out, "<li>依据的规则：{}</li>", esc(&r.policies.join("；")));
    let _ = write!(out, "<li>工作日历：{}</li>", esc(&r.calendar));
    out.push_str("<li>分母为零的指标记为 —（不适用，n/a），不记为 0% 或 100%；缺少必要数据的记录不计入分子分母，单独列出。</li>");
    out.push_str("</ul></section>\n</body>\n</html>\n");
    out
}
