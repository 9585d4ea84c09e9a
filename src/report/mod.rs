//! The annual evaluation (`yimen report`): metrics per department and for
//! the centre, findings per department by rule family, weighted scores, a
//! ranking with the 20% excellence quota (sandu-2018 七、(二)), targets, and
//! the trend against a previous period. Writers: `json`, `md`.

pub mod html;
pub mod json;
pub mod md;
pub mod xlsx;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::ast::CmpOp;
use crate::engine::Audit;
use crate::ir::{Program, RuleDef};
use crate::schema::Schema;

/// The rule families, by the first letter of a code.
pub const FAMILIES: &[(char, &str)] = &[
    ('E', "进驻"),
    ('H', "办理"),
    ('A', "授权"),
    ('F', "收费"),
    ('P', "公开"),
    ('C', "目录"),
    ('S', "人员"),
    ('J', "并联"),
];

/// The columns of the findings-by-family tables: the families, and 其他
/// when a department has findings of a code outside them (a region's own
/// rule, `X001`), so that a row adds up to its total.
pub fn family_columns(r: &Report) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = FAMILIES.iter().map(|(_, n)| *n).collect();
    if r.departments
        .iter()
        .any(|d| d.by_family.contains_key(OTHER_FAMILY))
    {
        names.push(OTHER_FAMILY);
    }
    names
}

/// The family of a code outside [`FAMILIES`].
pub const OTHER_FAMILY: &str = "其他";

/// Weights and targets of the scores (`--weights FILE`, YAML). Defaults:
/// every metric weighs 1 except 按时办结率 (M04) and 进驻率 (M01), which weigh 2;
/// an error finding costs 2 points, a warning 1, at most 40 points in all;
/// the top 20% (rounded down) are rated 优秀.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    pub metrics: BTreeMap<String, f64>,
    pub penalty_error: f64,
    pub penalty_warning: f64,
    pub penalty_info: f64,
    pub max_penalty: f64,
    /// A ratio, `0.2` or `20%`.
    #[serde(deserialize_with = "ratio")]
    pub excellence_share: f64,
    /// Targets that replace the policies' (`M06: 0.95`, or `M06: 95%` as a
    /// percent parameter is written).
    #[serde(deserialize_with = "ratios")]
    pub targets: BTreeMap<String, f64>,
}

/// A ratio as a number (`0.95`) or a percentage (`95%`, `95％`).
#[derive(Deserialize)]
#[serde(untagged)]
enum RatioText {
    Number(f64),
    Text(String),
}

impl RatioText {
    fn value<E: serde::de::Error>(self) -> Result<f64, E> {
        match self {
            RatioText::Number(x) => Ok(x),
            RatioText::Text(t) => t
                .trim()
                .strip_suffix(['%', '％'])
                // (Written as `--param` takes a number: no `1e3`, `NaN`.)
                .and_then(|n| crate::params::plain_decimal(n.trim()))
                .map(|x| x / 100.0)
                .ok_or_else(|| E::custom(format!("`{t}` 应为比率 (0.95) 或百分数 (95%)"))),
        }
    }
}

fn ratio<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    RatioText::deserialize(d)?.value()
}

fn ratios<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f64>, D::Error> {
    BTreeMap::<String, RatioText>::deserialize(d)?
        .into_iter()
        .map(|(k, v)| v.value().map(|v| (k, v)))
        .collect()
}

impl Default for Weights {
    fn default() -> Self {
        let metrics = [
            ("M01", 2.0),
            ("M02", 1.0),
            ("M03", 1.0),
            ("M04", 2.0),
            ("M05", 1.0),
            ("M06", 1.0),
            ("M07", 1.0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Weights {
            metrics,
            penalty_error: 2.0,
            penalty_warning: 1.0,
            penalty_info: 0.0,
            max_penalty: 40.0,
            excellence_share: 0.2,
            targets: BTreeMap::new(),
        }
    }
}

impl Weights {
    /// The weights of a `--weights` file. A metric the file does not weigh
    /// keeps its default weight (`metrics: {M06: 3}` leaves M01 and M04 at 2).
    pub fn from_yaml(file: &str, text: &str) -> Result<Weights, String> {
        let mut w: Weights = crate::read::yaml_from_str(text)
            .map_err(|e| format!("权重文件 {file}: {}", crate::read::yaml_message(&e)))?;
        for (k, v) in Weights::default().metrics {
            w.metrics.entry(k).or_insert(v);
        }
        let penalties = [
            ("penalty_error", w.penalty_error),
            ("penalty_warning", w.penalty_warning),
            ("penalty_info", w.penalty_info),
            ("max_penalty", w.max_penalty),
        ];
        let named = penalties.iter().map(|(k, v)| (*k, *v)).chain(
            w.metrics
                .iter()
                .chain(&w.targets)
                .map(|(k, v)| (k.as_str(), *v)),
        );
        for (k, v) in named {
            if !v.is_finite() || v < 0.0 {
                return Err(format!("权重文件 {file}: {k} 的值 {v} 应为非负数"));
            }
        }
        // A metric is a ratio: a target of 95 meant 95%, which no value
        // reaches; one of 150% no value reaches either. (Which was written
        // is not known here: the message names both readings.)
        for (k, v) in &w.targets {
            if *v > 1.0 {
                let text = crate::value::decimal_text;
                return Err(format!(
                    "权重文件 {file}: targets 中 {k} 的目标 {} (即 {}%) 超过 100%, 没有指标值能达到: 目标应为 0% 到 100% 之间的比率 (若指 {}%, 写作 {}% 或 {})",
                    text(*v),
                    text(v * 100.0),
                    text(*v),
                    text(*v),
                    text(v / 100.0)
                ));
            }
        }
        // sandu-2018 七、(二): 优秀 for at most 20%.
        if !(0.0..=0.2 + 1e-9).contains(&w.excellence_share) {
            return Err(format!(
                "权重文件 {file}: excellence_share 应在 0 与 0.2 之间(三都县2018年方案 七、(二): 优秀不超过 20%)"
            ));
        }
        Ok(w)
    }

    /// Every metric the file weighs or sets a target for is one of `known`
    /// (the loaded policies' metrics): a misspelt id would weigh nothing.
    pub fn check_metrics(&self, file: &str, known: &[&str]) -> Result<(), String> {
        let given = self.metrics.keys().chain(self.targets.keys());
        for id in given {
            if !known.contains(&id.as_str()) && !Weights::default().metrics.contains_key(id) {
                let hint = crate::diagnostics::did_you_mean(id, known.iter().copied())
                    .map_or(String::new(), |c| format!("; 是否想写 {c}?"));
                return Err(format!(
                    "权重文件 {file}: 没有指标 {id} (已加载的指标: {}){hint}",
                    known.join(", ")
                ));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct MetricRow {
    pub id: String,
    pub name: String,
    pub dept: Option<String>,
    pub numerator: u64,
    pub denominator: u64,
    pub value: Option<f64>,
    pub undetermined: u64,
    pub target: Option<f64>,
    /// `>=` or `<=` …, for the target.
    pub target_op: Option<&'static str>,
    pub target_missed: bool,
    /// With `--compare`: the previous value and the change in points.
    pub previous: Option<f64>,
    pub change_points: Option<f64>,
    /// Why the value is n/a when it is (a dataset missing from the export).
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct WorstCase {
    pub code: String,
    pub key: Vec<String>,
    pub message: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeptRow {
    pub dept: String,
    pub findings: u64,
    /// Findings per family name (进驻, 办理 …).
    pub by_family: BTreeMap<String, u64>,
    /// The weighted average of the department's metric values × 100, to
    /// one decimal (`None`: no metric has a value): the score before the
    /// deduction.
    pub weighted: Option<f64>,
    /// Points deducted for the findings (by severity, capped), to one
    /// decimal: the score is `weighted − penalty`, exactly as both are shown.
    pub penalty: f64,
    pub worst: Vec<WorstCase>,
    /// `None`: no metric of the department has a value, so it is not scored
    /// (nor ranked): findings alone cannot make a score.
    pub score: Option<f64>,
    /// Equal scores share a rank (1, 1, 3).
    pub rank: Option<usize>,
    pub excellent: bool,
    pub targets_missed: Vec<String>,
    /// With `--compare`: the department's score and rank in the previous
    /// period, computed the same way (`None`: not scored then, or absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_rank: Option<usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub as_of: String,
    pub period: Option<String>,
    /// With `--compare`: what the previous period is (folder and year).
    pub previous: Option<String>,
    /// How scores, ranks and the 优秀 quota are worked out, line by line,
    /// with the weights used: so that a reader can recompute any score.
    pub method: Vec<String>,
    /// The share of the scored departments that may be rated 优秀.
    pub excellence_share: f64,
    pub metrics: Vec<MetricRow>,
    pub departments: Vec<DeptRow>,
    /// Findings without a department (a case or item whose department is
    /// empty): in the total, in no department's row or penalty.
    pub unassigned_findings: u64,
    pub notes: Vec<String>,
    pub policies: Vec<String>,
    pub calendar: String,
}

fn meets(op: CmpOp, value: f64, target: f64) -> bool {
    let eps = 1e-9;
    match op {
        CmpOp::Ge => value + eps >= target,
        CmpOp::Gt => value > target + eps,
        CmpOp::Le => value <= target + eps,
        CmpOp::Lt => value + eps < target,
        CmpOp::Eq => (value - target).abs() < eps,
        CmpOp::Ne => (value - target).abs() >= eps,
    }
}

/// The datasets a metric reads: its own, those it looks up, and those of
/// the rules it asks with `fires` (and theirs), in schema order.
fn needed_datasets(program: &crate::ir::Program, rule: &RuleDef) -> Vec<usize> {
    let mut seen = std::collections::BTreeSet::new();
    let mut rules = vec![rule];
    let mut visited = std::collections::BTreeSet::new();
    while let Some(r) = rules.pop() {
        if !visited.insert(r.code.as_str()) {
            continue;
        }
        seen.insert(r.dataset);
        for e in r.exprs() {
            e.any(&mut |x| {
                match x {
                    crate::ir::IrExpr::Lookup { dataset, .. } => {
                        seen.insert(*dataset);
                    }
                    crate::ir::IrExpr::Fires(i) => {
                        if let Some(t) = program.rules.get(*i) {
                            rules.push(t);
                        }
                    }
                    _ => {}
                }
                false
            });
        }
    }
    seen.into_iter().collect()
}

fn lower_is_better(rule: &RuleDef) -> bool {
    matches!(rule.target, Some((CmpOp::Le | CmpOp::Lt, _)))
}

/// Build the report from an audit (and the audit of the previous period).
/// A share in percentage points as the report shows it (one decimal, a
/// half away from zero: `md::percent`), so that changes are differences of
/// shown values.
fn shown_points(x: f64) -> f64 {
    (x * 100.0 * 10.0).round() / 10.0
}

/// How the 优秀 quota is counted, in words: a share of the scored
/// departments rounded down and at least one; none with a share of 0.
pub fn quota_text(share: f64) -> String {
    if share > 0.0 {
        format!("计得分部门数 × {}%，向下取整，至少 1 个", share_text(share))
    } else {
        "优秀比例为 0，不评优秀".to_string()
    }
}

/// A share as a percentage without trailing zeros (0.07 → "7", 0.125 → "12.5").
pub(super) fn share_text(share: f64) -> String {
    let s = format!("{:.2}", share * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What the evaluation did not see: data errors, files that could not be
/// read, files that hold no dataset (the data contract: their counts
/// appear in every summary).
fn data_notes(audit: &Audit) -> Vec<String> {
    /// Rows named per file: enough to find them, not a listing.
    const ROWS_SHOWN: usize = 5;
    let mut notes = Vec::new();
    if audit.summary.data_errors > 0 {
        // Per file (the list is sorted by file and row): (file, errors,
        // rows with errors, the first of those rows).
        let mut files: Vec<(String, usize, usize, Vec<u32>)> = Vec::new();
        let mut last_row = None;
        for e in &audit.data_errors {
            let name = match &e.sheet {
                Some(sheet) => format!("{}「{sheet}」", e.file),
                None => e.file.to_string(),
            };
            if files.last().is_none_or(|(f, ..)| *f != name) {
                files.push((name, 0, 0, Vec::new()));
                last_row = None;
            }
            if let Some((_, n, distinct, rows)) = files.last_mut() {
                *n += 1;
                if last_row.replace(e.row) != Some(e.row) {
                    *distinct += 1;
                    if rows.len() < ROWS_SHOWN {
                        rows.push(e.row);
                    }
                }
            }
        }
        let detail: Vec<String> = files
            .iter()
            .map(|(file, n, distinct, rows)| {
                let shown: Vec<String> = rows.iter().map(u32::to_string).collect();
                let more = if *distinct > rows.len() { " 等" } else { "" };
                format!("{file} {n} 处（第 {} 行{more}）", shown.join("、"))
            })
            .collect();
        notes.push(format!(
            "导出中有 {} 处数据错误，在 {} 行中（无法解析的值或无法读取的行）：{}；无法解析的值使需要它的规则和指标对该记录记为无法判定，无法读取的行未读入，不计入任何规则和指标，明细见 yimen audit 或 yimen inspect",
            audit.summary.data_errors,
            audit.summary.data_error_rows,
            detail.join("；")
        ));
    }
    for k in audit.skipped.iter().filter(|k| k.unreadable) {
        notes.push(format!(
            "文件 {} 读取失败（{}），未读到的数据未计入",
            k.file, k.reason
        ));
    }
    let other = audit.skipped.iter().filter(|k| !k.unreadable).count();
    if other > 0 {
        notes.push(format!(
            "另有 {other} 个文件不含可识别的数据集，未读取（yimen inspect 列出原因）"
        ));
    }
    notes
}

/// Why a metric could not be computed: the datasets it needs that the
/// export does not give (`导出中没有窗口授权（authorizations）`), or gives
/// with their header alone (`…只有表头而没有记录`), and
/// those given in a file that could not be read, named so
/// (`窗口授权（authorizations）无法读取`): a ledger that failed to read is
/// not one the export lacks.
fn absent_note(audit: &Audit, absent: &[&crate::schema::Dataset]) -> String {
    use crate::engine::Absence;
    let named = |ds: &crate::schema::Dataset| format!("{}（{}）", ds.title, ds.name);
    let (mut lacking, mut empty) = (Vec::new(), Vec::new());
    let mut parts = Vec::new();
    for ds in absent {
        match audit.summary.not_read.get(&ds.name) {
            Some(a @ (Absence::Unreadable | Absence::MaybeUnreadable)) => {
                parts.push(format!("{}{}", named(ds), a.label()));
            }
            Some(Absence::NotGiven) => lacking.push(named(ds)),
            // (Given with its header alone: it is there, with no record.)
            None => empty.push(named(ds)),
        }
    }
    if !empty.is_empty() {
        parts.insert(0, format!("{}只有表头而没有记录", empty.join("、")));
    }
    if !lacking.is_empty() {
        parts.insert(0, format!("导出中没有{}", lacking.join("、")));
    }
    format!("{}，无法计算", parts.join("，"))
}

pub fn build(
    program: &Program,
    schema: &Schema,
    audit: &Audit,
    previous: Option<&Audit>,
    weights: &Weights,
    as_of: chrono::NaiveDate,
    period: Option<String>,
) -> Report {
    let mut notes = data_notes(audit);
    let mut metrics = Vec::new();
    let prev_value = |id: &str, dept: &Option<String>| -> Option<f64> {
        previous?
            .metrics
            .iter()
            .find(|m| m.id == id && same_dept_opt(m.dept.as_deref(), dept.as_deref()))
            .and_then(|m| m.value)
    };
    for m in &audit.metrics {
        let Some(rule) = program.rule(&m.id) else {
            continue;
        };
        let records = |d: usize| {
            let name = &schema.datasets[d].name;
            audit.summary.records.get(name).copied().unwrap_or(0)
        };
        // The metric's own dataset without records, or a dataset it (or a
        // rule it asks with `fires`) looks up, when the metric could not
        // count every record: the export's gap is the reason.
        let absent: Vec<&crate::schema::Dataset> = needed_datasets(program, rule)
            .into_iter()
            .filter(|&d| records(d) == 0)
            .filter(|&d| d == rule.dataset || m.value.is_none() || m.undetermined > 0)
            .map(|d| &schema.datasets[d])
            .collect();
        let empty = !absent.is_empty();
        let note = empty.then(|| absent_note(audit, &absent));
        if let (true, None) = (empty, &m.dept) {
            notes.push(format!(
                "{} {}: {}",
                m.id,
                rule.title.as_deref().unwrap_or(""),
                note.clone().unwrap_or_default()
            ));
        }
        let target = weights.targets.get(&m.id).copied().or(m.target);
        // A target the weights file gives a metric its policy sets none for:
        // at least (the report scores such a metric as higher-is-better).
        let op = rule.target.map(|(op, _)| op).or(target.map(|_| CmpOp::Ge));
        let missed =
            matches!((m.value, target, op), (Some(v), Some(t), Some(op)) if !meets(op, v, t));
        let previous = prev_value(&m.id, &m.dept);
        metrics.push(MetricRow {
            id: m.id.clone(),
            name: rule.title.clone().unwrap_or_else(|| rule.name.clone()),
            dept: m.dept.clone(),
            numerator: m.numerator,
            denominator: m.denominator,
            value: m.value,
            undetermined: m.undetermined,
            target,
            target_op: op.map(CmpOp::as_str),
            target_missed: missed,
            previous,
            // The difference of the values as shown (one decimal of a
            // percentage), so that the column agrees with them.
            change_points: match (m.value, previous) {
                (Some(a), Some(b)) => Some(shown_points(a) - shown_points(b)).map(|c| {
                    // In tenths, so that 81.2 − 63.6 is 17.6, not 17.599…
                    (c * 10.0).round() / 10.0 + 0.0
                }),
                _ => None,
            },
            note,
        });
    }
    let names = department_names(&metrics, audit);
    // A metric without `per` is the centre's alone: no department rows, and
    // its records are not "without a department".
    let centre_only: Vec<&str> = program
        .rules
        .iter()
        .filter(|r| r.kind == crate::ast::RuleKind::Metric && r.per.is_none())
        .map(|r| r.code.as_str())
        .collect();
    fill_departments(&mut metrics, &names, &centre_only);
    notes.extend(unassigned_notes(audit, &metrics, &centre_only));
    notes.extend(period_notes(
        schema,
        program,
        audit,
        &counted(
            metrics
                .iter()
                .map(|m| (&m.id, &m.dept, m.denominator, m.undetermined)),
        ),
        period.as_deref(),
    ));
    if let Some(prev) = previous {
        notes.extend(previous_notes(&names, prev, &metrics));
        // The previous year, as the current one: a year without records.
        let year = period.as_deref().and_then(|p| p.parse::<i32>().ok());
        let before = year.map(|y| (y - 1).to_string());
        let counted = counted(
            prev.metrics
                .iter()
                .map(|m| (&m.id, &m.dept, m.denominator, m.undetermined)),
        );
        notes.extend(
            period_notes(schema, program, prev, &counted, before.as_deref())
                .into_iter()
                .map(|n| format!("上期数据：{n}")),
        );
    }
    let mut departments = departments(program, audit, names, &metrics, weights, &mut notes);
    if let Some(prev) = previous {
        // The previous period scored and ranked the same way, from its own audit.
        let before = build(program, schema, prev, None, weights, as_of, None).departments;
        for d in &mut departments {
            if let Some(b) = before.iter().find(|b| same_dept(&b.dept, &d.dept)) {
                d.previous_score = b.score;
                d.previous_rank = b.rank;
            }
        }
    }
    Report {
        as_of: as_of.format("%Y-%m-%d").to_string(),
        period,
        previous: None,
        method: method(weights, program),
        excellence_share: weights.excellence_share,
        metrics,
        departments,
        unassigned_findings: audit.findings.iter().filter(|f| f.dept.is_none()).count() as u64,
        notes,
        policies: program
            .policies
            .iter()
            .map(|p| format!("{}（{}）", p.title.clone().unwrap_or_default(), p.file))
            .collect(),
        calendar: calendar_text(crate::calendar::Calendar::official(), &[], as_of),
    }
}

/// The report's line on the working-day calendar it counted with: the
/// official one built in, a local file added (`--calendar`), and, for an
/// audit date the calendar does not know, that working days counted over
/// such days are undetermined.
pub fn calendar_text(
    calendar: &crate::calendar::Calendar,
    local: &[std::path::PathBuf],
    as_of: chrono::NaiveDate,
) -> String {
    let official = crate::calendar::Calendar::official().covered_years().1;
    let mut text =
        format!("国务院办公厅公布的法定节假日与调休安排（holiday-cn，收录至 {official} 年），内置");
    if !local.is_empty() {
        let held = calendar.held_years_text();
        let held = if held.contains('、') {
            format!("合计收录 {held} 年")
        } else {
            format!("合计收录至 {} 年", calendar.covered_years().1)
        };
        let names: Vec<String> = local.iter().map(|p| p.display().to_string()).collect();
        let _ = write!(text, "；另加本地日历 {}（{held}）", names.join("、"));
    }
    if let Some(missing) = calendar.missing_text(as_of) {
        let _ = write!(
            text,
            "；{missing}未收录，涉及未收录日子的工作日计数记为无法判定（无论如何安排结论都不变的除外）"
        );
    }
    text
}

fn departments(
    program: &Program,
    audit: &Audit,
    names: Vec<String>,
    metrics: &[MetricRow],
    weights: &Weights,
    notes: &mut Vec<String>,
) -> Vec<DeptRow> {
    // Each finding's department in its matching form, once.
    let finding_keys: Vec<Option<String>> = audit
        .findings
        .iter()
        .map(|f| f.dept.as_deref().map(dept_key))
        .collect();
    let mut rows: Vec<DeptRow> = names
        .into_iter()
        .map(|dept| {
            let key = dept_key(&dept);
            let fs: Vec<_> = audit
                .findings
                .iter()
                .zip(&finding_keys)
                .filter(|(_, k)| k.as_ref() == Some(&key))
                .map(|(f, _)| f)
                .collect();
            let mut by_family = BTreeMap::new();
            for f in &fs {
                let fam = f
                    .code
                    .chars()
                    .next()
                    .and_then(|c| FAMILIES.iter().find(|(l, _)| *l == c))
                    .map_or(OTHER_FAMILY, |(_, n)| n);
                *by_family.entry(fam.to_string()).or_insert(0) += 1;
            }
            let mut worst: Vec<_> = fs.iter().filter(|f| f.severity == "error").collect();
            worst.extend(fs.iter().filter(|f| f.severity != "error"));
            let worst = worst
                .into_iter()
                .take(5)
                .map(|f| WorstCase {
                    code: f.code.to_string(),
                    key: f.key.clone(),
                    message: f.message.clone(),
                })
                .collect();
            let penalty: f64 = fs
                .iter()
                .map(|f| match f.severity {
                    "error" => weights.penalty_error,
                    "warning" => weights.penalty_warning,
                    _ => weights.penalty_info,
                })
                .sum::<f64>()
                .min(weights.max_penalty);
            let (mut sum, mut wsum) = (0.0, 0.0);
            let mut targets_missed = Vec::new();
            for m in metrics
                .iter()
                .filter(|m| m.dept.as_deref() == Some(dept.as_str()))
            {
                let w = weights.metrics.get(&m.id).copied().unwrap_or(1.0);
                if let Some(v) = m.value {
                    let lower = program.rule(&m.id).is_some_and(lower_is_better);
                    sum += w * if lower { 1.0 - v } else { v };
                    wsum += w;
                }
                if m.target_missed {
                    targets_missed.push(format!("{} {}", m.id, m.name));
                }
            }
            // The parts as shown (one decimal), and the score their
            // difference, so that it can be recomputed from what is shown:
            // in tenths, so that 99.9 − 0.8 is 99.1, not 99.10000000000001.
            let weighted = (wsum > 0.0).then(|| tenths(sum / wsum * 100.0));
            let penalty = tenths(penalty);
            let score = weighted.map(|w| tenths_sub(w, penalty));
            DeptRow {
                dept,
                findings: fs.len() as u64,
                by_family,
                weighted,
                penalty,
                worst,
                score,
                rank: None,
                excellent: false,
                targets_missed,
                previous_score: None,
                previous_rank: None,
            }
        })
        .collect();
    // Scored departments by score, then the unscored; names break ties only
    // in the listing, not in the rank.
    rows.sort_by(|a, b| match (a.score, b.score) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.dept.cmp(&b.dept)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.dept.cmp(&b.dept),
    });
    let scored = rows.iter().filter(|r| r.score.is_some()).count();
    // The share of the scored departments, rounded down and at least one
    // (issue 7; sandu-2018 七、(二) caps 优秀 at 20%: one of two to four
    // departments is the least a ranking can honour); a share of zero names
    // none. The epsilon keeps 0.29 × 100 from flooring to 28.
    let share = weights.excellence_share;
    let floor = (scored as f64 * share + 1e-9).floor() as usize;
    let quota = if share > 0.0 { floor.max(1) } else { 0 }.min(scored);
    let mut i = 0;
    while i < scored {
        // A group of equal scores: one rank; 优秀 only if the whole group
        // fits in the quota (never more than the share).
        let end = (i..scored)
            .find(|&j| rows[j].score != rows[i].score)
            .unwrap_or(scored);
        for r in &mut rows[i..end] {
            r.rank = Some(i + 1);
            r.excellent = end <= quota;
        }
        if i < quota && quota < end {
            let names: Vec<&str> = rows[i..end].iter().map(|r| r.dept.as_str()).collect();
            notes.push(format!(
                "{} 得分相同（{:.1}），并列第 {} 名；优秀名额 {quota} 个，不足以全部评定，均未评为优秀，请另行评定",
                names.join("、"),
                rows[i].score.unwrap_or_default(),
                i + 1
            ));
        }
        i = end;
    }
    let unscored: Vec<&str> = rows[scored..].iter().map(|r| r.dept.as_str()).collect();
    if !unscored.is_empty() {
        notes.push(format!(
            "{} 没有可计算的考评指标（各指标分母为零或权重为零），不计得分，不参与排名",
            unscored.join("、")
        ));
    }
    rows
}

/// `x` to one decimal (half away from zero), as the report shows it; + 0.0:
/// a value that rounds to zero from below shows 0.0, not -0.0.
fn tenths(x: f64) -> f64 {
    (x * 10.0).round() / 10.0 + 0.0
}

/// `a − b` of two values to one decimal, exactly to one decimal.
fn tenths_sub(a: f64, b: f64) -> f64 {
    ((a * 10.0).round() - (b * 10.0).round()) / 10.0 + 0.0
}

/// The departments of the report: every department with a metric row or a
/// finding.
///
/// Names that match (`区民政局（本级）`, `区民政局(本级)`: the data contract's
/// normalised form) are one department, shown as the export wrote it: under
/// the name its metrics show (the earliest counted record's text, by file
/// and row), else its findings' (the one with the earliest evidence), else
/// the registers' (their earliest record's); a stationed department with
/// nothing to count is listed too (not scored), unless it is there under a
/// spelling that matches.
fn department_names(metrics: &[MetricRow], audit: &Audit) -> Vec<String> {
    let mut by_key: BTreeMap<String, &str> = BTreeMap::new();
    // (Metrics without a place, a key that is no text, after the others.)
    let mut metric_names: Vec<((u32, u32), &str)> = audit
        .metrics
        .iter()
        .filter(|m| metrics.iter().any(|r| r.id == m.id))
        .filter_map(|m| {
            Some((
                m.first_at.unwrap_or((u32::MAX, u32::MAX)),
                m.dept.as_deref()?,
            ))
        })
        .collect();
    metric_names.sort_unstable();
    let mut finding_names: Vec<(Option<&crate::engine::Evidence>, &str)> = audit
        .findings
        .iter()
        .filter_map(|f| Some((f.evidence.iter().min(), f.dept.as_deref()?)))
        .collect();
    finding_names.sort_unstable();
    for n in metric_names
        .into_iter()
        .map(|(_, n)| n)
        .chain(finding_names.into_iter().map(|(_, n)| n))
        .chain(audit.departments.iter().map(String::as_str))
    {
        by_key.entry(dept_key(n)).or_insert(n);
    }
    let mut names: Vec<String> = by_key.into_values().map(str::to_string).collect();
    names.sort();
    names
}

/// A department's name in its matching form.
fn dept_key(name: &str) -> String {
    crate::read::normalize::value(name).into_owned()
}

/// Two spellings of one department.
fn same_dept(a: &str, b: &str) -> bool {
    a == b || dept_key(a) == dept_key(b)
}

fn same_dept_opt(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same_dept(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// Every metric with `per` gets a row for every department, n/a where the
/// department has nothing to count, so that no department is missing from
/// a metric's table (one without `per` is the centre's alone). Rows stay in the order: centre, then departments by
/// name.
fn fill_departments(metrics: &mut Vec<MetricRow>, names: &[String], centre_only: &[&str]) {
    let mut ids: Vec<String> = metrics.iter().map(|m| m.id.clone()).collect();
    ids.dedup();
    let mut out = Vec::with_capacity(metrics.len());
    for id in ids {
        let rows: Vec<MetricRow> = metrics.iter().filter(|m| m.id == id).cloned().collect();
        if centre_only.contains(&id.as_str()) {
            out.extend(rows);
            continue;
        }
        let Some(centre) = rows.iter().find(|m| m.dept.is_none()).cloned() else {
            out.extend(rows);
            continue;
        };
        out.push(centre.clone());
        for name in names {
            // (Under the report's name for it: two metrics may have met
            // the department first under two spellings.)
            match rows
                .iter()
                .find(|m| m.dept.as_deref().is_some_and(|d| same_dept(d, name)))
            {
                Some(m) => out.push(MetricRow {
                    dept: Some(name.clone()),
                    ..m.clone()
                }),
                None => out.push(MetricRow {
                    dept: Some(name.clone()),
                    numerator: 0,
                    denominator: 0,
                    value: None,
                    undetermined: 0,
                    target_missed: false,
                    previous: None,
                    change_points: None,
                    ..centre.clone()
                }),
            }
        }
    }
    *metrics = out;
}

/// Records and findings without a department (its cell empty) count for
/// the centre and in no department: say how many, rather than leave the
/// department rows short of the centre's without a word.
fn unassigned_notes(audit: &Audit, metrics: &[MetricRow], centre_only: &[&str]) -> Vec<String> {
    let mut notes = Vec::new();
    let mut short = Vec::new();
    let centres = metrics
        .iter()
        .filter(|m| m.dept.is_none() && !centre_only.contains(&m.id.as_str()));
    for centre in centres {
        let in_depts: u64 = metrics
            .iter()
            .filter(|m| m.id == centre.id && m.dept.is_some())
            .map(|m| m.denominator + m.undetermined)
            .sum();
        let n = (centre.denominator + centre.undetermined).saturating_sub(in_depts);
        if n > 0 {
            short.push(format!("{} {n} 条", centre.id));
        }
    }
    if !short.is_empty() {
        notes.push(format!(
            "部分记录的部门为空（办件的受理部门、事项的实施主体等），计入全中心的指标，未计入任何部门：{}",
            short.join("、")
        ));
    }
    let mut codes: BTreeMap<&str, u64> = BTreeMap::new();
    for f in audit.findings.iter().filter(|f| f.dept.is_none()) {
        *codes.entry(f.code.as_str()).or_default() += 1;
    }
    if !codes.is_empty() {
        let n: u64 = codes.values().sum();
        let detail: Vec<String> = codes.iter().map(|(c, k)| format!("{c} {k} 处")).collect();
        notes.push(format!(
            "有 {n} 处问题未注明部门（{}），计入问题总数，未计入任何部门的问题数和扣分",
            detail.join("、")
        ));
    }
    notes
}

/// A metric's id, whether its row is the whole centre's, and the records
/// it counted (decided or undetermined).
type Counted<'a> = (&'a str, bool, u64);

/// [`Counted`] of metric rows given as (id, department, denominator,
/// undetermined): the report's rows and an audit's values alike.
fn counted<'a>(
    rows: impl Iterator<Item = (&'a String, &'a Option<String>, u64, u64)>,
) -> Vec<Counted<'a>> {
    rows.map(|(id, dept, d, u)| (id.as_str(), dept.is_none(), d + u))
        .collect()
}

/// With `--period`: an event dataset with records none of which falls in
/// the year leaves its metrics empty; say so rather than rank on the rest
/// silently.
fn period_notes(
    schema: &Schema,
    program: &Program,
    audit: &Audit,
    metrics: &[Counted<'_>],
    period: Option<&str>,
) -> Vec<String> {
    let Some(p) = period else {
        return Vec::new();
    };
    let mut notes = Vec::new();
    for (ds_index, ds) in schema.datasets.iter().enumerate() {
        if ds.event_date.is_none() {
            continue;
        }
        let field = ds
            .event_date
            .as_deref()
            .and_then(|f| ds.field(f))
            .map_or("", crate::schema::Field::header);
        if let Some(n) = audit.undated.get(&ds.name) {
            notes.push(format!(
                "{}中有 {n} 条记录的{field}为空或无法识别，无法确定是否属于 {p} 年度，未计入问题统计，在其所属的指标中计为无法判定",
                ds.title
            ));
        }
        let read = audit.summary.records.get(&ds.name).copied().unwrap_or(0);
        let centre: Vec<&str> = metrics
            .iter()
            .filter(|(id, whole, _)| {
                *whole && program.rule(id).is_some_and(|r| r.dataset == ds_index)
            })
            .map(|(id, _, _)| *id)
            .collect();
        let none_counted = metrics
            .iter()
            .filter(|(id, whole, _)| *whole && centre.contains(id))
            .all(|(_, _, n)| *n == 0);
        if read > 0 && !centre.is_empty() && none_counted {
            notes.push(format!(
                "{p} 年度内没有{}（导出中的 {read} 条记录都不在该年度），{} 无法计算",
                ds.title,
                centre.join("、")
            ));
        } else if let Some(n) = audit.outside_period.get(&ds.name) {
            // (Nothing dropped unsaid: the records of other years.)
            notes.push(format!(
                "{}中有 {n} 条记录的{field}不在 {p} 年度，未计入本期的指标和问题统计",
                ds.title
            ));
        }
    }
    notes
}

/// With `--compare`: what the previous period's data lacked, and the
/// departments present in one period only.
fn previous_notes(names: &[String], previous: &Audit, metrics: &[MetricRow]) -> Vec<String> {
    let mut notes: Vec<String> = data_notes(previous)
        .into_iter()
        .map(|n| format!("上期数据：{n}"))
        .collect();
    let mut now = names.to_vec();
    now.retain(|d| {
        metrics
            .iter()
            .any(|m| m.dept.as_ref() == Some(d) && m.value.is_some())
    });
    let mut before: Vec<String> = previous
        .metrics
        .iter()
        .filter(|m| m.value.is_some())
        .filter_map(|m| m.dept.clone())
        .collect();
    before.sort();
    before.dedup();
    let gone: Vec<&str> = before
        .iter()
        .filter(|d| !now.iter().any(|n| same_dept(n, d)))
        .map(String::as_str)
        .collect();
    let new: Vec<&str> = now
        .iter()
        .filter(|d| !before.iter().any(|b| same_dept(b, d)))
        .map(String::as_str)
        .collect();
    if !gone.is_empty() {
        notes.push(format!(
            "上期有指标数值而本期没有的部门：{}；全中心的较上期变化包含其上期记录",
            gone.join("、")
        ));
    }
    if !new.is_empty() {
        notes.push(format!(
            "本期新出现的部门：{}（没有上期数值，较上期记为“—”）",
            new.join("、")
        ));
    }
    notes
}

/// How a score is made, with the weights used.
fn method(weights: &Weights, program: &Program) -> Vec<String> {
    let lower: Vec<&str> = program
        .rules
        .iter()
        .filter(|r| r.kind == crate::ast::RuleKind::Metric && lower_is_better(r))
        .map(|r| r.code.as_str())
        .collect();
    let ws: Vec<String> = weights
        .metrics
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    vec![
        format!(
            "得分 = 指标得分 − 问题扣分，指标得分为部门各项考评指标数值的加权平均 × 100；越低越好的指标（{}）取 1 − 数值；分母为零（—）的指标不计入加权；没有任何可计算指标的部门不计得分",
            if lower.is_empty() { "无".to_string() } else { lower.join("、") }
        ),
        format!("指标权重：{}；未列出的指标权重为 1", ws.join("，")),
        format!(
            "问题扣分：每处错误 {} 分，每处警告 {} 分，每处提示 {} 分，合计最多扣 {} 分",
            weights.penalty_error, weights.penalty_warning, weights.penalty_info, weights.max_penalty
        ),
        "指标得分和扣分各保留一位小数，得分为两者之差；得分相同者名次并列".to_string(),
        format!(
            "优秀名额：{}（三都县2018年方案 七、（二）：优秀比例不超过 20%）；并列者须全部在名额内才评为优秀",
            quota_text(weights.excellence_share)
        ),
        clause_line("各指标依据的条款", program, crate::ast::RuleKind::Metric),
        clause_line("问题扣分所依据规则的条款", program, crate::ast::RuleKind::Rule),
    ]
}

/// The clauses the metrics (or the rules) of the run cite, code by code
/// (`M04 按时办结率：gangnan-2017 四、(六)`).
fn clause_line(label: &str, program: &Program, kind: crate::ast::RuleKind) -> String {
    let items: Vec<String> = program
        .rules
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| {
            let cites: Vec<String> = r
                .cites
                .iter()
                .map(|c| format!("{} {}", c.source, c.clause))
                .collect();
            format!(
                "{} {}：{}",
                r.code,
                r.title.as_deref().unwrap_or(&r.name),
                if cites.is_empty() {
                    "无".to_string()
                } else {
                    cites.join("、")
                }
            )
        })
        .collect();
    format!(
        "{label}（条文见 yimen explain 编码）：{}",
        if items.is_empty() {
            "无".to_string()
        } else {
            items.join("；")
        }
    )
}
