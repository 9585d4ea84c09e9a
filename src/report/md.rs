//! `yimen report --format md`: the evaluation as Markdown, for pasting into
//! a document.

use std::fmt::Write as _;

use super::{Report, FAMILIES};

/// A percentage as people read it; n/a as "—".
pub fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{:.1}%", v * 100.0))
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let title = r.period.as_ref().map_or_else(
        || "政务服务中心绩效考评报告".to_string(),
        |p| format!("政务服务中心{p}年度绩效考评报告"),
    );
    let _ = writeln!(out, "# {title}\n");
    let _ = writeln!(out, "审计日期: {}\n", r.as_of);
    let findings: u64 = r.departments.iter().map(|d| d.findings).sum();
    let excellent: Vec<&str> = r
        .departments
        .iter()
        .filter(|d| d.excellent)
        .map(|d| d.dept.as_str())
        .collect();
    let _ = writeln!(out, "## 一、概况\n");
    let _ = writeln!(
        out,
        "参评部门 {} 个, 发现问题 {} 处。评为优秀的部门(不超过参评部门的20%, 三都县2018年方案 七、(二)): {}。\n",
        r.departments.len(),
        findings,
        if excellent.is_empty() { "无".to_string() } else { excellent.join("、") }
    );
    for n in &r.notes {
        let _ = writeln!(out, "- 说明: {n}");
    }
    let _ = writeln!(out, "\n## 二、考评指标\n");
    let mut ids: Vec<(&str, &str)> = r
        .metrics
        .iter()
        .map(|m| (m.id.as_str(), m.name.as_str()))
        .collect();
    ids.dedup();
    for (id, name) in ids {
        let rows: Vec<_> = r.metrics.iter().filter(|m| m.id == id).collect();
        let target = rows
            .first()
            .and_then(|m| Some(format!(" (目标 {} {})", m.target_op?, pct(m.target))))
            .unwrap_or_default();
        let _ = writeln!(out, "### {id} {name}{target}\n");
        let _ = writeln!(
            out,
            "| 部门 | 分子 | 分母 | 数值 | 无法判定 | 达标 | 较上期 |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---|---:|");
        for m in rows {
            let reached = if m.value.is_none() || m.target.is_none() {
                "—"
            } else if m.target_missed {
                "未达标"
            } else {
                "达标"
            };
            let change = m
                .change_points
                .map_or_else(|| "—".to_string(), |c| format!("{c:+.1} 个百分点"));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell(m.dept.as_deref().unwrap_or("全中心")),
                m.numerator,
                m.denominator,
                pct(m.value),
                m.undetermined,
                reached,
                change
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## 三、部门得分与排名\n");
    let _ = writeln!(out, "| 名次 | 部门 | 得分 | 问题数 | 等次 | 未达标指标 |");
    let _ = writeln!(out, "|---:|---|---:|---:|---|---|");
    for d in &r.departments {
        let _ = writeln!(
            out,
            "| {} | {} | {:.1} | {} | {} | {} |",
            d.rank,
            cell(&d.dept),
            d.score,
            d.findings,
            if d.excellent { "优秀" } else { "" },
            cell(&d.targets_missed.join("、"))
        );
    }
    let _ = writeln!(out, "\n## 四、问题清单\n");
    let fams: Vec<&str> = FAMILIES.iter().map(|(_, n)| *n).collect();
    let _ = writeln!(out, "| 部门 | {} | 合计 |", fams.join(" | "));
    let _ = writeln!(out, "|---|{}---:|", "---:|".repeat(fams.len()));
    for d in &r.departments {
        let counts: Vec<String> = fams
            .iter()
            .map(|f| d.by_family.get(*f).copied().unwrap_or(0).to_string())
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell(&d.dept),
            counts.join(" | "),
            d.findings
        );
    }
    for d in r.departments.iter().filter(|d| !d.worst.is_empty()) {
        let _ = writeln!(out, "\n**{}** 典型问题:\n", d.dept);
        for w in &d.worst {
            let _ = writeln!(out, "- [{}] {}", w.code, cell(&w.message));
        }
    }
    let _ = writeln!(out, "\n## 五、方法\n");
    let _ = writeln!(out, "- 依据的规则: {}", r.policies.join("; "));
    let _ = writeln!(out, "- 工作日历: {}", r.calendar);
    let _ = writeln!(out, "- 分母为零的指标记为“—”(不适用), 不记为 0% 或 100%; 缺少必要数据的记录不计入分子分母, 单独列出。");
    out
}
