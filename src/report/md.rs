//! `yimen report --format md`: the evaluation as Markdown, for pasting into
//! a document.

use std::fmt::Write as _;

use super::Report;

/// A percentage as people read it; a zero denominator as "—" (issue 7:
/// "a zero denominator shows "—" (n/a), never 0% or 100%").
pub fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| percent(v, 1))
}

/// A ratio as a percentage to `decimals` places, a half rounded away from
/// zero (6.25% to one place is 6.3%), as the scores are rounded and as a
/// spreadsheet shows the number (`0.0%`): every format shows one text.
pub fn percent(v: f64, decimals: usize) -> String {
    let scale = 10f64.powi(i32::try_from(decimals).unwrap_or(0));
    let x = (v * 100.0 * scale).round() / scale;
    format!("{x:.decimals$}%")
}

/// The decimals [`pct_against`] shows a metric's value with.
pub fn decimals_against(m: &super::MetricRow) -> usize {
    let (Some(v), Some(t)) = (m.value, m.target) else {
        return 1;
    };
    for decimals in 1..=4 {
        if !m.target_missed || percent(v, decimals) != percent(t, decimals) {
            return decimals;
        }
    }
    4
}

/// The previous period's value: "—" when there is none to show.
pub fn previous(m: &super::MetricRow) -> String {
    m.previous
        .map_or_else(|| "—".to_string(), |v| percent(v, 1))
}

/// A metric's value as shown beside its target: with more decimals where
/// one would show it equal to a target it misses (0.03% against "<= 0%"
/// must not read "0.0%，未达标").
pub fn pct_against(m: &super::MetricRow) -> String {
    match m.value {
        Some(v) => percent(v, decimals_against(m)),
        None => pct(None),
    }
}

/// A target's comparison as a reader writes it (≥, ≤).
pub fn op_text(op: &str) -> &str {
    match op {
        ">=" => "≥",
        "<=" => "≤",
        other => other,
    }
}

/// The change against the previous period as shown: "持平" for none.
pub fn change(m: &super::MetricRow) -> String {
    match m.change_points {
        None => "—".to_string(),
        Some(c) if c.abs() < 0.05 => "持平".to_string(),
        Some(c) => format!("{c:+.1} 个百分点"),
    }
}

/// A department's rank and score as shown ("—" when not scored).
pub fn rank_and_score(d: &super::DeptRow) -> (String, String) {
    (
        d.rank.map_or_else(|| "—".to_string(), |r| r.to_string()),
        d.score
            .map_or_else(|| "不计分".to_string(), |s| format!("{s:.1}")),
    )
}

/// A department's weighted metric values as shown ("—" when not scored).
pub fn weighted(d: &super::DeptRow) -> String {
    d.weighted
        .map_or_else(|| "—".to_string(), |w| format!("{w:.1}"))
}

/// A department's rank and score in the previous period ("—" for none).
pub fn previous_rank_and_score(d: &super::DeptRow) -> (String, String) {
    (
        d.previous_rank
            .map_or_else(|| "—".to_string(), |r| r.to_string()),
        d.previous_score
            .map_or_else(|| "—".to_string(), |s| format!("{s:.1}")),
    )
}

/// The first line of the summary: departments, findings, the 优秀.
pub fn summary_line(r: &Report) -> (String, Vec<&str>) {
    let findings: u64 =
        r.departments.iter().map(|d| d.findings).sum::<u64>() + r.unassigned_findings;
    let unassigned = match r.unassigned_findings {
        0 => String::new(),
        n => format!("（其中 {n} 处未注明部门）"),
    };
    let scored = r.departments.iter().filter(|d| d.score.is_some()).count();
    let excellent: Vec<&str> = r
        .departments
        .iter()
        .filter(|d| d.excellent)
        .map(|d| d.dept.as_str())
        .collect();
    (
        format!(
            "参评部门 {} 个（计得分 {scored} 个），发现问题 {findings} 处{unassigned}。评为优秀的部门（{}，三都县2018年方案 七、（二））：",
            r.departments.len(),
            super::quota_text(r.excellence_share)
        ),
        excellent,
    )
}

/// Text from the export in running Markdown (a department's name in bold,
/// in a list, in a table's cell): on one line, its emphasis, code and
/// table marks literal (`*甲局*` in a cell would render in italics).
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let title = r.period.as_ref().map_or_else(
        || "政务服务中心绩效考评报告".to_string(),
        |p| format!("政务服务中心{p}年度绩效考评报告"),
    );
    let _ = writeln!(out, "# {title}\n");
    let _ = writeln!(out, "数据截止日期：{}\n", r.as_of);
    if let Some(p) = &r.previous {
        let _ = writeln!(out, "上期：{p}\n");
    }
    let (line, excellent) = summary_line(r);
    let _ = writeln!(out, "## 一、概况\n");
    let _ = writeln!(
        out,
        "{line}{}。\n",
        if excellent.is_empty() {
            "无".to_string()
        } else {
            excellent
                .iter()
                .map(|d| inline(d))
                .collect::<Vec<_>>()
                .join("、")
        }
    );
    for n in &r.notes {
        let _ = writeln!(out, "- 说明：{n}");
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
            .and_then(|m| {
                Some(format!(
                    "（目标 {} {}）",
                    op_text(m.target_op?),
                    pct(m.target)
                ))
            })
            .unwrap_or_default();
        let _ = writeln!(out, "### {id} {name}{target}\n");
        let _ = writeln!(
            out,
            "| 部门 | 分子 | 分母 | 数值 | 无法判定 | 达标 | 上期 | 较上期 |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---|---:|---:|");
        for m in rows {
            let reached = if m.value.is_none() || m.target.is_none() {
                "—"
            } else if m.target_missed {
                "未达标"
            } else {
                "达标"
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                inline(m.dept.as_deref().unwrap_or("全中心")),
                m.numerator,
                m.denominator,
                pct_against(m),
                m.undetermined,
                reached,
                previous(m),
                change(m)
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## 三、部门得分与排名\n");
    let compared = r.previous.is_some();
    let (more_head, more_rule) = if compared {
        (" 上期名次 | 上期得分 |", "---:|---:|")
    } else {
        ("", "")
    };
    let _ = writeln!(
        out,
        "| 名次 | 部门 | 得分 | 问题数 | 指标得分 | 扣分 | 等次 | 未达标指标 |{more_head}"
    );
    let _ = writeln!(out, "|---:|---|---:|---:|---:|---:|---|---|{more_rule}");
    for d in &r.departments {
        let (rank, score) = rank_and_score(d);
        let more = if compared {
            let (rank, score) = previous_rank_and_score(d);
            format!(" {rank} | {score} |")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.1} | {} | {} |{more}",
            rank,
            inline(&d.dept),
            score,
            d.findings,
            weighted(d),
            d.penalty,
            if d.excellent { "优秀" } else { "" },
            inline(&d.targets_missed.join("、"))
        );
    }
    let _ = writeln!(out, "\n## 四、问题清单\n");
    let fams = super::family_columns(r);
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
            inline(&d.dept),
            counts.join(" | "),
            d.findings
        );
    }
    for d in r.departments.iter().filter(|d| !d.worst.is_empty()) {
        let _ = writeln!(out, "\n**{}** 典型问题:\n", inline(&d.dept));
        for w in &d.worst {
            let _ = writeln!(out, "- [{}] {}", w.code, inline(&w.message));
        }
    }
    let _ = writeln!(out, "\n## 五、方法\n");
    for line in &r.method {
        let _ = writeln!(out, "- {line}");
    }
    let _ = writeln!(out, "- 依据的规则：{}", r.policies.join("；"));
    let _ = writeln!(out, "- 工作日历：{}", r.calendar);
    let _ = writeln!(out, "- 分母为零的指标记为 —（不适用，n/a），不记为 0% 或 100%；缺少必要数据的记录不计入分子分母，单独列出。");
    out
}
