//! `yimen report`: metric values exact on a fixture with known answers (zero
//! denominators and undetermined records included), the metrics contract,
//! scores and the excellence quota, and the Markdown pinned.

mod common;

use std::process::Command;

fn fixture(dir: &std::path::Path) {
    std::fs::write(
        dir.join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,不进驻批准文号,办件类型,承诺办结时限,网办深度\n\
         A1,甲许可,行政许可,X局,是,,即办件,1,\n\
         A2,乙许可,行政许可,X局,否,区政府函〔2025〕1号,承诺件,5,\n\
         A3,丙许可,行政许可,X局,否,,承诺件,5,\n\
         P1,甲服务,公共服务,X局,是,,承诺件,5,全程网办\n\
         P2,乙服务,公共服务,Y局,是,,承诺件,5,一次到现场\n\
         K1,处罚,行政处罚,Y局,否,,承诺件,5,\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("窗口授权.csv"),
        "授权单位,事项编码,授权级别,是否授权审批专用章\nX局,A1,决定,是\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("办件记录.csv"),
        "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
         C1,A1,X局,中心窗口,2025-03-03 09:00:00,2025-03-03 10:00:00\n\
         C2,P1,X局,原单位,2025-03-03 09:00:00,2025-03-20 10:00:00\n\
         C3,Z9,Y局,中心窗口,2025-03-03 09:00:00,\n",
    )
    .unwrap();
}

fn report(dir: &std::path::Path, format: &str) -> (i32, String, String) {
    report_with(dir, &["--format", format])
}

/// `yimen report DIR --format json`, asserting it exited 0.
fn json_report(dir: &std::path::Path) -> serde_json::Value {
    let (code, out, err) = report(dir, "json");
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// The departments of a JSON report, in its order.
fn dept_names(json: &serde_json::Value) -> Vec<&str> {
    json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["dept"].as_str().unwrap())
        .collect()
}

/// `yimen report DIR --as-of 2025-12-31` with `extra` arguments.
fn report_with(dir: &std::path::Path, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("report")
        .arg(dir)
        .args(["--as-of", "2025-12-31"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `yimen report` of the fixture with `weights` (a YAML text) as
/// `--weights`, as JSON, asserting it exited 0.
fn weighted_report(weights: &str) -> serde_json::Value {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    let w = tmp.path().join("w.yaml");
    std::fs::write(&w, weights).unwrap();
    let (code, out, err) = report_with(
        tmp.path(),
        &["--format", "json", "--weights", w.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// The report's JSON validates against the metrics contract's schema.
fn assert_metrics_contract(json: &serde_json::Value, out: &str) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("../shared/contracts/metrics.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(json), "{out}");
}

fn metric<'a>(json: &'a serde_json::Value, id: &str, dept: Option<&str>) -> &'a serde_json::Value {
    json["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id && m["dept"].as_str() == dept)
        .unwrap_or_else(|| panic!("no {id} for {dept:?}"))
}

#[test]
fn metric_values_are_exact_with_zero_denominators_and_undetermined_records() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    let (code, out, err) = report(tmp.path(), "json");
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_metrics_contract(&json, &out);
    let check = |id: &str, dept: Option<&str>, num: u64, den: u64, undetermined: u64| {
        let m = metric(&json, id, dept);
        assert_eq!(
            (m["numerator"].as_u64(), m["denominator"].as_u64()),
            (Some(num), Some(den)),
            "{id} {dept:?}: {m}"
        );
        assert_eq!(
            m["undetermined"].as_u64(),
            Some(undetermined),
            "{id} {dept:?}: {m}"
        );
        if den == 0 {
            assert!(
                m["value"].is_null(),
                "{id} {dept:?}: a zero denominator is n/a"
            );
        } else {
            let v = m["value"].as_f64().unwrap();
            assert!((v - num as f64 / den as f64).abs() < 1e-12);
        }
    };
    // 进驻率: X has A1 (in), A2 (exempted), A3 (out), P1 (in); Y has P2 (in); K1 is not in scope.
    check("M01", Some("X局"), 3, 4, 0);
    check("M01", Some("Y局"), 1, 1, 0);
    check("M01", None, 4, 5, 0);
    // 授权到位率: in-centre items A1 (决定), P1 (none); P2 (none).
    check("M02", Some("X局"), 1, 2, 0);
    check("M02", Some("Y局"), 0, 1, 0);
    // 即办件率.
    check("M03", Some("X局"), 1, 2, 0);
    // 按时办结率: C1 on time, C2 13 working days > 5; Y has no finished case.
    check("M04", Some("X局"), 1, 2, 0);
    check("M04", None, 1, 2, 0);
    assert!(json["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| !(m["id"] == "M04" && m["dept"] == "Y局" && m["denominator"] != 0)));
    // 现场办结率: C1 only; C3 unfinished counts in the denominator.
    check("M05", Some("X局"), 1, 2, 0);
    check("M05", Some("Y局"), 0, 1, 0);
    // 全程网办率.
    check("M06", Some("X局"), 1, 1, 0);
    check("M06", Some("Y局"), 0, 1, 0);
    check("M06", None, 1, 2, 0);
    // 厅外受理率: C2 of two in-centre cases; C3's item is unknown: undetermined.
    check("M07", Some("X局"), 1, 2, 0);
    check("M07", Some("Y局"), 0, 0, 1);
    check("M07", None, 1, 2, 1);
    // Ranking: the excellence quota is 20% (sandu-2018 七(二)), rounded
    // down, at least one (issue 7): the first of two departments.
    let depts = json["departments"].as_array().unwrap();
    let excellent: Vec<_> = depts.iter().filter(|d| d["excellent"] == true).collect();
    assert_eq!(excellent.len(), 1, "{depts:?}");
    assert_eq!(excellent[0]["rank"], 1);
    assert_eq!(depts[0]["rank"], 1);
}

#[test]
fn markdown_report_is_pinned() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    let (code, out, err) = report(tmp.path(), "md");
    assert_eq!(code, 0, "{err}");
    // Issue 7: a zero denominator "shows "—" (n/a), never 0% or 100%".
    assert!(
        out.contains("| Y局 | 0 | 0 | — |"),
        "zero denominators show —"
    );
    insta::assert_snapshot!("report_fixture_md", out);
}

#[test]
fn a_malformed_weights_file_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    let w = tmp.path().join("w.yaml");
    // A negative weight, penalty or cap (scores above 100, errors as
    // bonuses); 优秀 for more than 20% (sandu-2018 七、(二)); a metric that
    // is not loaded (a typo would weigh nothing), with the id it resembles.
    for (text, named) in [
        ("metrics: {M01: -1}\n", "M01"),
        ("max_penalty: -5\n", "max_penalty"),
        ("penalty_error: -10\n", "penalty_error"),
        ("excellence_share: 0.5\n", "excellence_share"),
        ("metrics: {M99: 5}\n", "没有指标 M99"),
        ("targets: {M066: 0.9}\n", "是否想写 M06"),
        // A ratio written as a percentage: no value could reach it.
        ("targets: {M06: 95}\n", "若指 95%, 写作 95% 或 0.95"),
        // Above 100% as a percentage: named as written, not as 1.5%.
        ("targets: {M06: 150%}\n", "目标 1.5 (即 150%) 超过 100%"),
        ("targets: {M06: 九成}\n", "应为比率 (0.95) 或百分数 (95%)"),
        ("targets: {M06: 1e3%}\n", "应为比率 (0.95) 或百分数 (95%)"),
        ("excellence_share: 30%\n", "excellence_share"),
    ] {
        std::fs::write(&w, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
            .arg("report")
            .arg(tmp.path())
            .args(["--weights", w.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(named), "{text}: {err}");
    }
}

/// A region that rates no department 优秀 says so with a share of zero (the
/// "at least one" of the default quota does not override it).
#[test]
fn an_excellence_share_of_zero_rates_no_department() {
    let json = weighted_report("excellence_share: 0\n");
    let depts = json["departments"].as_array().unwrap();
    assert_eq!(depts[0]["rank"], 1);
    assert!(depts.iter().all(|d| d["excellent"] == false), "{depts:?}");
    // The method and the summary say so, not "at least one".
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    let w = tmp.path().join("w.yaml");
    std::fs::write(&w, "excellence_share: 0\n").unwrap();
    let (code, md, err) = report_with(tmp.path(), &["--weights", w.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(!md.contains("至少 1 个"), "{md}");
    assert_eq!(md.matches("优秀比例为 0，不评优秀").count(), 2, "{md}");
}

/// A weights file that weighs one metric leaves the others at their defaults
/// (M01 and M04 weigh 2): the method states them.
#[test]
fn a_partial_weights_file_keeps_the_other_defaults() {
    let json = weighted_report("metrics: {M06: 3}\n");
    let method = json["method"].to_string();
    assert!(
        method.contains("M01 2") && method.contains("M04 2") && method.contains("M06 3"),
        "{method}"
    );
    // Which clauses (issue 7): each metric's and each rule's.
    assert!(
        method.contains("M04 按时办结率：gangnan-2017 四、(六)"),
        "{method}"
    );
    assert!(method.contains("H001 "), "{method}");
}

#[test]
fn html_report_has_every_department_and_metric_and_escapes_the_data() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    // Plant markup in an item name and a department name.
    let cat = tmp.path().join("事项目录.csv");
    let text = std::fs::read_to_string(&cat)
        .unwrap()
        .replace("甲许可", "<script>alert(1)</script>")
        .replace(",Y局,", ",Y局<b>&,");
    std::fs::write(&cat, text).unwrap();
    let (code, html, err) = report(tmp.path(), "html");
    assert_eq!(code, 0, "{err}");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "unescaped markup from the data");
    assert!(!html.contains("<b>&"), "unescaped markup from the data");
    assert!(html.contains("Y局&lt;b&gt;&amp;"));
    for dept in ["X局", "Y局&lt;b&gt;&amp;"] {
        assert!(html.contains(&format!("<td>{dept}</td>")), "{dept} missing");
    }
    for id in ["M01", "M02", "M03", "M04", "M05", "M06", "M07"] {
        assert!(html.contains(&format!("<h3>{id} ")), "{id} missing");
    }
    // Self-contained: no external resources.
    for external in ["src=\"http", "href=\"http", "@import", "<link"] {
        assert!(!html.contains(external), "external resource: {external}");
    }
    assert!(html.contains("<svg"), "charts are inline SVG");
    // Each chart names its metric for a screen reader and has a scale.
    assert!(html.contains("aria-label=\"M01 "), "charts named by metric");
    assert!(html.contains(">100%</text>"), "charts have a scale");
    assert!(html.contains("@page { size: A4"));
    // A zero denominator reads —, as in the Markdown.
    assert!(
        html.contains("<td class=\"n\">0</td><td class=\"n\">0</td><td class=\"n\">—</td>"),
        "zero denominators show —"
    );
}

/// With `--period`, the previous period's cases are judged as of a year
/// before `--as-of` (its export was taken then): a case still open at the
/// end of 2024, three working days after it was taken, was not overdue in
/// that period's evaluation; `--compare-as-of` sets the date outright.
#[test]
fn compare_judges_the_previous_period_as_of_a_year_earlier() {
    let now = tempfile::tempdir().unwrap();
    let before = tempfile::tempdir().unwrap();
    fixture(now.path());
    fixture(before.path());
    std::fs::write(
        before.path().join("办件记录.csv"),
        "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
         B1,A1,X局,中心窗口,2024-03-04 09:00:00,2024-03-04 10:00:00\n\
         B2,P1,X局,中心窗口,2024-12-26 09:00:00,\n",
    )
    .unwrap();
    let previous = |extra: &[&str]| {
        let mut args = vec!["--period", "2025", "--format", "json", "--compare"];
        let dir = before.path().to_str().unwrap();
        args.push(dir);
        args.extend_from_slice(extra);
        let (code, out, err) = report_with(now.path(), &args);
        assert_eq!(code, 0, "{err}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        let x = json["departments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["dept"] == "X局")
            .unwrap()
            .clone();
        x["previous_score"].as_f64().unwrap()
    };
    // B2: 2024-12-27, -30, -31 are three working days, within P1's five.
    let as_then = previous(&[]);
    let as_stated = previous(&["--compare-as-of", "2024-12-31"]);
    let as_now = previous(&["--compare-as-of", "2025-12-31"]);
    assert!(
        (as_then - as_stated).abs() < 1e-9,
        "{as_then} vs {as_stated}"
    );
    // Judged as of the current audit date, B2 would be a year overdue
    // (H003, an error: two points deducted).
    assert!(
        (as_then - as_now - 2.0).abs() < 1e-9,
        "{as_then} vs {as_now}"
    );
    let (code, md, err) = report_with(
        now.path(),
        &[
            "--period",
            "2025",
            "--compare",
            before.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(md.contains("2024 年度 ("), "{md}");
    assert!(md.contains("审计日期 2024-12-31)"), "{md}");
    let (code, _, err) = report_with(now.path(), &["--compare-as-of", "2024-12-31"]);
    assert_eq!(code, 2, "--compare-as-of without --compare: {err}");
    let (code, _, err) = report_with(
        now.path(),
        &[
            "--compare",
            before.path().to_str().unwrap(),
            "--compare-as-of",
            "2024-13-01",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--compare-as-of"), "{err}");
    // A previous period later than its own audit date, as for --as-of.
    let (code, _, err) = report_with(
        now.path(),
        &[
            "--period",
            "2025",
            "--compare",
            before.path().to_str().unwrap(),
            "--compare-as-of",
            "2023-06-30",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("上期考评年度 2024 晚于上期审计日期 2023-06-30"),
        "{err}"
    );
}

#[test]
fn compare_gives_the_change_against_the_previous_period() {
    let now = tempfile::tempdir().unwrap();
    let before = tempfile::tempdir().unwrap();
    fixture(now.path());
    fixture(before.path());
    // The previous period: C2 was taken in the hall.
    let cases = before.path().join("办件记录.csv");
    let text = std::fs::read_to_string(&cases)
        .unwrap()
        .replace("C2,P1,X局,原单位", "C2,P1,X局,中心窗口");
    std::fs::write(&cases, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("report")
        .arg(now.path())
        .arg("--compare")
        .arg(before.path())
        .args(["--as-of", "2025-12-31", "--format", "json"])
        .output()
        .unwrap();
    common::assert_success(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let m07 = metric(&json, "M07", Some("X局"));
    assert_eq!(m07["previous"].as_f64(), Some(0.0));
    assert_eq!(m07["change_points"].as_f64(), Some(50.0));
    let m01 = metric(&json, "M01", Some("X局"));
    assert_eq!(m01["change_points"].as_f64(), Some(0.0));
    // Each department's score and rank in the previous period, computed the
    // same way from that period's audit: X局's M07 was 0% then, so its score
    // was higher; the ranking table shows both.
    let x = json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["dept"] == "X局")
        .unwrap();
    let (score, earlier) = (
        x["score"].as_f64().unwrap(),
        x["previous_score"].as_f64().unwrap(),
    );
    assert!(earlier > score, "{x}");
    assert!(x["previous_rank"].as_u64().is_some(), "{x}");
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("report")
        .arg(now.path())
        .arg("--compare")
        .arg(before.path())
        .args(["--as-of", "2025-12-31", "--format", "md"])
        .output()
        .unwrap();
    common::assert_success(&out);
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains(
            "| 名次 | 部门 | 得分 | 问题数 | 指标得分 | 扣分 | 等次 | 未达标指标 | 上期名次 | 上期得分 |"
        ),
        "{md}"
    );
    assert!(md.contains(&format!("| {earlier:.1} |")), "{md}");
    // Without --compare, no such columns (nor fields).
    let (_, plain, _) = report(now.path(), "md");
    assert!(!plain.contains("上期名次"));
    let (_, plain, _) = report(now.path(), "json");
    assert!(!plain.contains("previous_score"));
}

/// `yimen report DIR --format xlsx --output PATH`, with `TMPDIR` as given.
fn xlsx_report(
    dir: &std::path::Path,
    path: &std::path::Path,
    tmpdir: Option<&std::path::Path>,
) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yimen"));
    cmd.arg("report")
        .arg(dir)
        .args(["--as-of", "2025-12-31", "--format", "xlsx", "--output"])
        .arg(path);
    if let Some(t) = tmpdir {
        cmd.env("TMPDIR", t);
    }
    cmd.output().unwrap()
}

/// The report's workbook, as the audit's, needs a writable temporary
/// directory: without one, an error naming it and exit 2, not a panic.
#[test]
fn an_xlsx_report_without_a_writable_temporary_directory_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    let path = tmp.path().join("考评.xlsx");
    let out = xlsx_report(tmp.path(), &path, Some(&tmp.path().join("没有此目录")));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("临时目录") && !err.contains("panicked"),
        "{err}"
    );
    assert!(!path.exists());
}

#[test]
fn xlsx_report_reopens_with_the_expected_sheets() {
    use calamine::{DataType as _, Reader as _};
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    let path = tmp.path().join("考评.xlsx");
    let out = xlsx_report(tmp.path(), &path, None);
    common::assert_success(&out);
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    // Every metric value on one sheet, then each metric's table on its own
    // (issue 7: "the same tables, one sheet each"), then the rest.
    assert_eq!(
        wb.sheet_names(),
        [
            "指标",
            "M01 进驻率",
            "M02 授权到位率",
            "M03 即办件率",
            "M04 按时办结率",
            "M05 现场办结率",
            "M06 全程网办率",
            "M07 厅外受理率",
            "得分排名",
            "问题分布",
            "典型问题",
            "说明"
        ]
    );
    let m01_sheet = wb.worksheet_range("M01 进驻率").unwrap();
    let m01_rows: Vec<_> = m01_sheet.rows().collect();
    assert_eq!(m01_rows[0][0], "部门");
    let x = m01_rows.iter().find(|r| r[0] == "X局").unwrap();
    assert_eq!(x[3].get_float(), Some(0.75));
    let metrics = wb.worksheet_range("指标").unwrap();
    let rows: Vec<_> = metrics.rows().collect();
    // A header and one row per metric value; values are numbers, n/a is "—".
    let json_out = report(tmp.path(), "json").1;
    let json: serde_json::Value = serde_json::from_str(&json_out).unwrap();
    assert_eq!(rows.len(), json["metrics"].as_array().unwrap().len() + 1);
    let m01 = rows
        .iter()
        .find(|r| r[0] == "M01" && r[2] == "X局")
        .unwrap();
    assert_eq!(m01[5].get_float(), Some(0.75));
    let ranking = wb.worksheet_range("得分排名").unwrap();
    assert_eq!(
        ranking.rows().count(),
        json["departments"].as_array().unwrap().len() + 1
    );
    // The worst cases the md and html list, a row each (as the JSON has them).
    let worst: Vec<(String, String, String)> = json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| {
            d["worst"].as_array().unwrap().iter().map(move |w| {
                (
                    d["dept"].as_str().unwrap().to_string(),
                    w["code"].as_str().unwrap().to_string(),
                    w["message"].as_str().unwrap().to_string(),
                )
            })
        })
        .collect();
    assert!(!worst.is_empty(), "{json:#}");
    let sheet: Vec<(String, String, String)> = wb
        .worksheet_range("典型问题")
        .unwrap()
        .rows()
        .skip(1)
        .map(|r| (r[0].to_string(), r[1].to_string(), r[3].to_string()))
        .collect();
    assert_eq!(sheet, worst);
    // A workbook is never written to a terminal.
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("report")
        .arg(tmp.path())
        .args(["--format", "xlsx"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_dataset_makes_its_metrics_na_with_the_reason_and_no_data_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    std::fs::remove_file(tmp.path().join("办件记录.csv")).unwrap();
    let (code, out, err) = report(tmp.path(), "json");
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m04 = metric(&json, "M04", None);
    assert!(m04["value"].is_null());
    assert!(m04["note"].as_str().unwrap().contains("办件记录"), "{m04}");
    assert!(json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().starts_with("M04")));
    // The item metrics are still computed.
    assert_eq!(metric(&json, "M01", None)["denominator"], 5);
    let empty = tempfile::tempdir().unwrap();
    let (code, _, _) = report(empty.path(), "json");
    assert_eq!(code, 2);
}

/// A lookup the metric needs into a dataset the export lacks: the metric is
/// n/a (its records undetermined) and the report names the missing dataset
/// (M02 looks up the authorisations; M04 asks H003, which looks up the
/// catalogue).
#[test]
fn a_metric_is_na_for_a_missing_lookup_dataset_and_says_which() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    std::fs::remove_file(tmp.path().join("窗口授权.csv")).unwrap();
    let (code, out, err) = report(tmp.path(), "json");
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m02 = metric(&json, "M02", None);
    assert!(m02["value"].is_null(), "{m02}");
    assert!(
        m02["note"].as_str().unwrap().contains("authorizations"),
        "{m02}"
    );
    assert!(json["notes"].as_array().unwrap().iter().any(|n| n
        .as_str()
        .unwrap()
        .starts_with("M02")
        && n.as_str().unwrap().contains("窗口授权")));
    // A metric that does not need it says nothing of it.
    assert!(metric(&json, "M04", None)["note"].is_null());

    std::fs::remove_file(tmp.path().join("事项目录.csv")).unwrap();
    let (code, out, err) = report(tmp.path(), "json");
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m04 = metric(&json, "M04", None);
    assert!(m04["value"].is_null(), "{m04}");
    assert!(m04["note"].as_str().unwrap().contains("catalogue"), "{m04}");
}

/// One department under several spellings (full- and half-width brackets,
/// a non-breaking space): one row in the ranking, with every finding's
/// deduction, and one row per metric (data contract: such forms are
/// normalised before matching).
#[test]
fn spellings_of_one_department_are_one_department() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,办件类型,法定办结时限,承诺办结时限,网办深度\n\
         N1,事项1,行政许可,民政局(本级),是,承诺件,20,10,全程网办\n\
         N2,事项2,行政许可,民政局（本级）,否,承诺件,20,10,全程网办\n\
         N3,事项3,行政许可,民政局\u{a0}(本级),是,承诺件,20,10,全程网办\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("办件记录.csv"),
        "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
         C1,N1,民政局（本级）,中心窗口,2025-11-03 09:00:00,2025-11-03 10:00:00\n\
         C2,N1,民政局(本级),原单位,2025-11-03 09:00:00,2025-11-03 10:00:00\n",
    )
    .unwrap();
    let (code, out, err) = report(tmp.path(), "json");
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let depts = json["departments"].as_array().unwrap();
    assert_eq!(depts.len(), 1, "{depts:?}");
    let d = &depts[0];
    // H001 (C2 at 原单位, under `民政局(本级)`), H002 (both ways, under
    // `民政局（本级）`): every finding counts, whatever spelling its record has.
    let audit = common::audit_json(None, tmp.path(), &[]);
    let findings = audit["findings"].as_array().unwrap().len();
    assert_eq!(findings, 2, "{audit}");
    assert_eq!(d["findings"], findings, "{d}");
    let name = d["dept"].as_str().unwrap();
    for m in json["metrics"].as_array().unwrap() {
        assert!(m["dept"].is_null() || m["dept"] == name, "{m}");
    }
    // M01 has the three items of the one department (N2, not in the
    // centre without an exemption column, undetermined).
    let m01 = metric(&json, "M01", Some(name));
    assert_eq!(m01["denominator"], 2, "{m01}");
    assert_eq!(m01["undetermined"], 1, "{m01}");
}

/// A target the weights file sets for a metric whose policy has none is
/// checked, as at least that value.
#[test]
fn a_target_from_the_weights_file_is_checked() {
    // (As a percent parameter is written, too: `90%`.)
    assert_eq!(
        weighted_report("targets: {M04: 90%}\nexcellence_share: 10%\n")["departments"],
        weighted_report("targets: {M04: 0.9}\nexcellence_share: 0.1\n")["departments"]
    );
    let json = weighted_report("targets: {M04: 0.9}\n");
    let m04 = metric(&json, "M04", Some("X局"));
    assert_eq!(m04["target"], 0.9, "{m04}");
    assert_eq!(m04["target_op"], ">=", "{m04}");
    let missed = m04["value"].as_f64().unwrap() < 0.9;
    assert_eq!(m04["target_missed"], missed, "{m04}");
    assert!(missed, "the fixture's X局 has an overdue case: {m04}");
    let x = json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["dept"] == "X局")
        .unwrap();
    assert!(x["targets_missed"].to_string().contains("M04"), "{x}");
}

/// Six departments with equal scores share rank 1; the quota (one of six)
/// cannot take the whole tie, so none is rated 优秀 and a note says so; a
/// department with findings but no metric is not scored nor ranked; the
/// method states the weights, so that a score can be recomputed.
#[test]
fn ties_share_a_rank_and_the_quota_never_splits_them() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rows = vec![
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,办件类型,法定办结时限,承诺办结时限,网办深度"
            .to_string(),
    ];
    for (i, d) in ["甲局", "乙局", "丙局", "丁局", "戊局", "己局"]
        .iter()
        .enumerate()
    {
        rows.push(format!(
            "A{i},事项{i},行政许可,{d},是,承诺件,20,10,全程网办"
        ));
    }
    rows.push("K1,处罚,行政处罚,庚局,否,承诺件,5,10,".into());
    std::fs::write(tmp.path().join("事项目录.csv"), rows.join("\n") + "\n").unwrap();
    let (code, out, err) = report(tmp.path(), "json");
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let depts = json["departments"].as_array().unwrap();
    let ranked: Vec<_> = depts.iter().filter(|d| d["dept"] != "庚局").collect();
    assert_eq!(ranked.len(), 6);
    assert!(ranked
        .iter()
        .all(|d| d["rank"] == 1 && d["excellent"] == false));
    let unscored = depts.iter().find(|d| d["dept"] == "庚局").unwrap();
    assert!(unscored["score"].is_null() && unscored["rank"].is_null());
    let notes = json["notes"].to_string();
    assert!(notes.contains("并列第 1 名"), "{notes}");
    assert!(notes.contains("庚局 没有可计算的考评指标"), "{notes}");
    let method = json["method"].to_string();
    assert!(
        method.contains("M01 2") && method.contains("最多扣 40 分"),
        "{method}"
    );
    // Every department is in every metric's table, "—" where n/a.
    let m06_rows = json["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["id"] == "M06")
        .count();
    assert_eq!(m06_rows, 1 + 7);
}

/// A value that rounds to its target but misses it is shown with the
/// decimals that tell them apart; the change column is the difference of
/// the values as shown, and the previous value is shown beside it.
#[test]
fn shown_values_never_contradict_their_target_or_their_change() {
    let now = tempfile::tempdir().unwrap();
    let before = tempfile::tempdir().unwrap();
    let catalogue = "事项编码,事项名称,事项类型,实施主体,是否进驻中心,办件类型,承诺办结时限\n\
                     A1,甲许可,行政许可,X局,是,承诺件,10\n";
    let mut cases = String::from("办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n");
    for i in 0..5000 {
        let channel = if i == 0 { "原单位" } else { "中心窗口" };
        cases.push_str(&format!(
            "C{i},A1,X局,{channel},2025-03-03 09:00:00,2025-03-03 10:00:00\n"
        ));
    }
    for dir in [now.path(), before.path()] {
        std::fs::write(dir.join("事项目录.csv"), catalogue).unwrap();
        std::fs::write(dir.join("办件记录.csv"), &cases).unwrap();
    }
    let (code, md, err) = report(now.path(), "md");
    assert_eq!(code, 0, "{err}");
    // M07 = 1/5000 = 0.02%, target ≤ 0%: not "0.0% 未达标".
    let line = md
        .lines()
        .skip_while(|l| !l.starts_with("### M07"))
        .find(|l| l.starts_with("| 全中心"))
        .unwrap();
    assert!(line.contains("0.02%") && line.contains("未达标"), "{line}");
    // So does the html's chart, and the workbook's cell format.
    let (_, html, _) = report(now.path(), "html");
    assert!(html.contains(">0.02%</text>"), "the chart's label");
    let book = now.path().join("r.xlsx");
    let (code, _, err) = report_with(
        now.path(),
        &["--format", "xlsx", "--output", book.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let sheet = common::unzip_entry(&book, "xl/worksheets/sheet1.xml");
    let styles = common::unzip_entry(&book, "xl/styles.xml");
    assert!(styles.contains("formatCode=\"0.00%\""), "{styles}");
    assert!(!sheet.is_empty());
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("report")
        .arg(now.path())
        .arg("--compare")
        .arg(before.path())
        .args(["--as-of", "2025-12-31"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("上期："), "{md}");
    let line = md
        .lines()
        .skip_while(|l| !l.starts_with("### M07"))
        .find(|l| l.starts_with("| 全中心"))
        .unwrap();
    assert!(line.ends_with("| 0.0% | 持平 |"), "{line}");
}

/// `--period` for a year without cases says so instead of ranking on the
/// catalogue alone silently.
#[test]
fn a_period_without_cases_is_noted() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    let (code, out, err) = report_with(tmp.path(), &["--period", "2024", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let notes = json["notes"].to_string();
    assert!(notes.contains("2024 年度内没有办件记录"), "{notes}");
    // The previous period of a year with cases, compared: the same note for
    // that period.
    let (code, out, err) = report_with(
        tmp.path(),
        &[
            "--period",
            "2025",
            "--format",
            "json",
            "--compare",
            tmp.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let notes = json["notes"].to_string();
    assert!(
        notes.contains("上期数据：2024 年度内没有办件记录"),
        "{notes}"
    );
    assert!(!notes.contains("2025 年度内没有"), "{notes}");
}

/// With `--period`, a case without a usable acceptance time cannot be placed
/// in the year: it is not counted as if in the year, but undetermined in
/// each metric whose population it is in (its department's row, where the
/// evaluation reads it: a metric needs its date to decide), and the note
/// says how many.
#[test]
fn a_period_counts_undated_records_undetermined_and_says_how_many() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    std::fs::write(
        tmp.path().join("办件记录.csv"),
        "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
         C1,A1,X局,中心窗口,2025-03-03 09:00:00,2025-03-03 10:00:00\n\
         C2,P1,X局,原单位,,2025-03-20 10:00:00\n\
         C3,P1,X局,原单位,2025-13-05 10:00,2025-03-20 10:00:00\n\
         C4,P1,X局,原单位,2024-03-03 09:00:00,2024-03-20 10:00:00\n",
    )
    .unwrap();
    let (code, out, err) = report_with(tmp.path(), &["--period", "2025", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m07 = metric(&json, "M07", Some("X局"));
    assert_eq!(
        (
            m07["numerator"].as_u64(),
            m07["denominator"].as_u64(),
            m07["undetermined"].as_u64()
        ),
        (Some(0), Some(1), Some(2)),
        "{m07}"
    );
    // M05 (every case) too; M04 only the finished ones (both are).
    for id in ["M04", "M05"] {
        assert_eq!(metric(&json, id, Some("X局"))["undetermined"], 2, "{id}");
    }
    let notes = json["notes"].to_string();
    assert!(
        notes.contains("有 2 条记录的受理时间为空或无法识别，无法确定是否属于 2025 年度，未计入问题统计，在其所属的指标中计为无法判定"),
        "{notes}"
    );
    // C4, of 2024, left out and said so (nothing dropped unsaid: only a
    // period with no case of its own had a note).
    assert!(
        notes.contains("有 1 条记录的受理时间不在 2025 年度，未计入本期的指标和问题统计"),
        "{notes}"
    );
}

/// The note about data errors names each file with its count and first rows,
/// so that the author of the evaluation can find them, and says what each
/// kind does: an unparsable value makes its record undetermined, a row not
/// read counts nowhere (the note said both were undetermined; a row not read
/// is in no metric's count of undetermined records).
#[test]
fn the_data_error_note_names_files_and_rows() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    let mut cases = String::from("办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n");
    for i in 0..8 {
        // Rows 2..=9: an unreadable acceptance time in each, two bad cells in row 2.
        let finished = if i == 0 {
            "昨天"
        } else {
            "2025-03-04 10:00:00"
        };
        cases.push_str(&format!("C{i},A1,X局,中心窗口,不详,{finished}\n"));
    }
    std::fs::write(tmp.path().join("办件记录.csv"), cases).unwrap();
    let (code, out, err) = report(tmp.path(), "json");
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let notes: Vec<&str> = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    let note = notes
        .iter()
        .find(|n| n.contains("数据错误"))
        .unwrap_or_else(|| panic!("{notes:?}"));
    assert!(
        note.contains("导出中有 9 处数据错误")
            && note.contains("办件记录.csv 9 处（第 2、3、4、5、6 行 等）")
            && note.contains("无法解析的值使需要它的规则和指标对该记录记为无法判定，无法读取的行未读入，不计入任何规则和指标"),
        "{note}"
    );
}

/// Every score can be recomputed from the report alone: the metric values,
/// the weights the method states (M01 and M04 weigh 2) and each
/// department's deducted points (`penalty`, 扣分).
#[test]
fn a_score_is_the_weighted_metrics_less_the_deducted_points() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    let (code, out, err) = report(tmp.path(), "json");
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(recomputed_scores(&json, 2.0), 2);
    let (_, md, _) = report(tmp.path(), "md");
    assert!(
        md.contains("| 名次 | 部门 | 得分 | 问题数 | 指标得分 | 扣分 | 等次 | 未达标指标 |"),
        "{md}"
    );
}

/// A number as shown with one decimal ("32.5"), in tenths (325).
fn tenths(shown: &str) -> i64 {
    let (whole, tenth) = shown.split_once('.').unwrap_or((shown, "0"));
    assert_eq!(tenth.len(), 1, "not one decimal: {shown}");
    let negative = whole.starts_with('-');
    let n =
        whole.trim_start_matches('-').parse::<i64>().unwrap() * 10 + tenth.parse::<i64>().unwrap();
    if negative {
        -n
    } else {
        n
    }
}

/// Checks every scored department of a JSON report: its weighted value is
/// the weighted average of its metric values × 100 (M01 and M04 weigh 2,
/// each error costs `per_error`) to one decimal, and its score is that
/// value less its penalty, exactly as the JSON prints them. The
/// departments checked.
fn recomputed_scores(json: &serde_json::Value, per_error: f64) -> usize {
    let mut checked = 0;
    for d in json["departments"].as_array().unwrap() {
        let Some(score) = d["score"].as_f64() else {
            continue;
        };
        let (mut sum, mut wsum) = (0.0, 0.0);
        for m in json["metrics"].as_array().unwrap() {
            let Some(v) = m["value"].as_f64() else {
                continue;
            };
            if m["dept"] != d["dept"] {
                continue;
            }
            let w = if m["id"] == "M01" || m["id"] == "M04" {
                2.0
            } else {
                1.0
            };
            let lower = m["target_op"] == "<=";
            sum += w * if lower { 1.0 - v } else { v };
            wsum += w;
        }
        let weighted = d["weighted"].as_f64().unwrap();
        assert!((sum / wsum * 100.0 - weighted).abs() <= 0.05 + 1e-9, "{d}");
        let penalty = d["penalty"].as_f64().unwrap();
        assert!(penalty > 0.0, "{d}");
        let errors = d["findings"].as_f64().unwrap();
        assert!((errors * per_error - penalty).abs() <= 0.05 + 1e-9, "{d}");
        // As printed: "99.9" − "0.8" is "99.1".
        let shown = |v: &serde_json::Value| tenths(&v.to_string());
        assert_eq!(
            shown(&d["score"]),
            shown(&d["weighted"]) - shown(&d["penalty"]),
            "{}: {weighted} - {penalty} != {score}",
            d["dept"]
        );
        checked += 1;
    }
    checked
}

/// Deducted points that are no whole tenth (3 × 0.25 = 0.75, shown 0.8):
/// the score is what the report shows less what it shows deducted, in
/// every format, never a value computed from the unrounded penalty.
#[test]
fn a_score_can_be_recomputed_from_the_shown_parts_in_every_format() {
    use calamine::{DataType as _, Reader as _};
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    // X局 has four error findings (1.5 points), Y局 two (0.75, shown 0.8).
    let w = tmp.path().join("w.yaml");
    std::fs::write(&w, "penalty_error: 0.375\n").unwrap();
    let weights = ["--weights", w.to_str().unwrap()];
    let run = |format: &str| {
        let (code, out, err) =
            report_with(tmp.path(), &[&["--format", format], &weights[..]].concat());
        assert_eq!(code, 0, "{err}");
        out
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(recomputed_scores(&json, 0.375), 2);
    let y = &json["departments"].as_array().unwrap()[1];
    assert_eq!(
        (
            &y["dept"],
            y["weighted"].to_string(),
            y["penalty"].to_string(),
            y["score"].to_string()
        ),
        (
            &serde_json::json!("Y局"),
            "33.3".into(),
            "0.8".into(),
            "32.5".into()
        ),
        "{y}"
    );
    // The ranking table's 得分, 指标得分 and 扣分, by department.
    let expected: Vec<(String, [i64; 3])> = json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let t = |k: &str| tenths(&d[k].to_string());
            (
                d["dept"].as_str().unwrap().to_string(),
                [t("score"), t("weighted"), t("penalty")],
            )
        })
        .collect();
    let md = run("md");
    for (dept, [score, weighted, penalty]) in &expected {
        let row = md
            .lines()
            .find(|l| l.starts_with('|') && l.split('|').nth(2).map(str::trim) == Some(dept))
            .unwrap_or_else(|| panic!("no row for {dept}: {md}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(
            [tenths(cells[3]), tenths(cells[5]), tenths(cells[6])],
            [*score, *weighted, *penalty],
            "{row}"
        );
        assert_eq!(score, &(weighted - penalty), "{row}");
    }
    let html = run("html");
    for (dept, [score, weighted, penalty]) in &expected {
        let row = html
            .lines()
            .find(|l| {
                // (The ranking's row: the rank before the department.)
                l.starts_with("<tr><td class=\"n\">")
                    && l.contains(&format!("</td><td>{dept}</td>"))
            })
            .unwrap_or_else(|| panic!("no row for {dept}: {html}"));
        let cells: Vec<&str> = row
            .split("<td")
            .skip(1)
            .map(|c| &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()])
            .collect();
        assert_eq!(
            [tenths(cells[2]), tenths(cells[4]), tenths(cells[5])],
            [*score, *weighted, *penalty],
            "{row}"
        );
    }
    let path = tmp.path().join("考评.xlsx");
    let (code, _, err) = report_with(
        tmp.path(),
        &[
            &["--format", "xlsx", "--output", path.to_str().unwrap()],
            &weights[..],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{err}");
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    let ranking = wb.worksheet_range("得分排名").unwrap();
    let rows: Vec<_> = ranking.rows().collect();
    assert_eq!(rows[0][4], "指标得分", "{:?}", rows[0]);
    assert_eq!(rows[0][5], "扣分", "{:?}", rows[0]);
    for (dept, [score, weighted, penalty]) in &expected {
        let row = rows.iter().find(|r| r[1] == dept.as_str()).unwrap();
        let t = |c: usize| (row[c].get_float().unwrap() * 10.0).round() as i64;
        assert_eq!([t(2), t(4), t(5)], [*score, *weighted, *penalty], "{row:?}");
    }
}

/// A department the units register lists but with nothing to count (no
/// item, no case) is listed, not scored, with the note that says so; one
/// listed under a full-width spelling of a known name is not listed twice.
#[test]
fn a_stationed_department_with_nothing_to_count_is_listed() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    std::fs::write(
        tmp.path().join("进驻单位.csv"),
        "进驻单位,窗口类型\nX局,综合窗口\nＹ局,综合窗口\nF局,专窗\n",
    )
    .unwrap();
    let json = json_report(tmp.path());
    let depts = dept_names(&json);
    assert_eq!(depts, ["X局", "Y局", "F局"], "{}", json["departments"]);
    let f = &json["departments"][2];
    assert!(f["score"].is_null() && f["rank"].is_null(), "{f}");
    assert!(json["notes"]
        .to_string()
        .contains("F局 没有可计算的考评指标"));
}

/// A case or item whose department is empty counts for the centre and in
/// no department: the notes say how many per metric and which findings,
/// and the summary's count of findings includes them.
#[test]
fn records_without_a_department_are_counted_and_noted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,办件类型,承诺办结时限,法定办结时限\n\
         A,甲事项,行政许可,甲局,是,承诺件,5,10\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("办件记录.csv"),
        "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
         c1,A,甲局,中心窗口,2025-03-03 09:00:00,2025-03-03 10:00:00\n\
         c2,A,,原单位,2025-03-03 09:00:00,2025-03-03 10:00:00\n",
    )
    .unwrap();
    let (code, out, err) = report(dir.path(), "json");
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(metric(&json, "M07", None)["denominator"], 2);
    assert_eq!(metric(&json, "M07", Some("甲局"))["denominator"], 1);
    assert_eq!(json["unassigned_findings"], 1);
    let notes: Vec<&str> = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes.contains(&"部分记录的部门为空（办件的受理部门、事项的实施主体等），计入全中心的指标，未计入任何部门：M04 1 条、M05 1 条、M07 1 条"),
        "{notes:#?}"
    );
    assert!(
        notes.contains(
            &"有 1 处问题未注明部门（H001 1 处），计入问题总数，未计入任何部门的问题数和扣分"
        ),
        "{notes:#?}"
    );
    let (_, md, _) = report(dir.path(), "md");
    assert!(md.contains("发现问题 1 处（其中 1 处未注明部门）"), "{md}");
}

/// A department the catalogue names (公安局, implementing only a 行政处罚
/// item outside the centre), with no case, no finding and no unit row, is
/// still a department of the evaluation: listed, n/a in every metric, not
/// scored.
#[test]
fn a_department_only_the_catalogue_names_is_listed_with_nothing_to_count() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,不进驻批准文号,办件类型,网办深度\n\
         K1,甲许可,行政许可,民政局,是,,即办件,全程网办\n\
         G1,处罚,行政处罚,公安局,否,,承诺件,不能网办\n",
    )
    .unwrap();
    let json = json_report(tmp.path());
    let depts = dept_names(&json);
    assert!(
        depts.contains(&"公安局") && depts.contains(&"民政局"),
        "{depts:?}"
    );
    let m01 = metric(&json, "M01", Some("公安局"));
    assert_eq!(m01["denominator"], 0, "{m01}");
    assert!(m01["value"].is_null(), "{m01}");
}

/// Departments are grouped in their matching form but shown as the export
/// wrote them: `民政局（本级）` (full-width brackets, in every record) is never
/// shown as `民政局(本级)`, its matching form, in any table or format; a
/// department only the units register names keeps its text too.
#[test]
fn departments_keep_the_exports_spelling_in_every_format() {
    use calamine::Reader as _;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("cases.csv"),
        "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间,办理结果\n\
         C1,A1,民政局（本级）,中心窗口,2025-01-02 09:00:00,2025-01-02 10:00:00,准予\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,不进驻批准文号,办件类型\n\
         A1,许可,行政许可,民政局（本级）,否,,即办件\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("进驻单位.csv"),
        "进驻单位,窗口类型\n财政局（本级）,综合窗口\n",
    )
    .unwrap();
    let json = json_report(tmp.path());
    assert_eq!(
        dept_names(&json),
        ["民政局（本级）", "财政局（本级）"],
        "{}",
        json["departments"]
    );
    for m in json["metrics"].as_array().unwrap() {
        assert!(
            m["dept"].is_null() || m["dept"] == "民政局（本级）" || m["dept"] == "财政局（本级）",
            "{m}"
        );
    }
    for format in ["md", "html"] {
        let (code, out, err) = report(tmp.path(), format);
        assert_eq!(code, 0, "{err}");
        assert!(!out.contains("(本级)"), "{format}: {out}");
        assert!(out.contains("民政局（本级）"), "{format}: {out}");
    }
    // The 优秀 line names it as the tables do.
    let md = report(tmp.path(), "md").1;
    assert!(md.contains("评为优秀的部门"), "{md}");
    assert!(
        md.lines()
            .filter(|l| l.contains("评为优秀的部门"))
            .all(|l| l.contains("民政局（本级）")),
        "{md}"
    );
    let path = tmp.path().join("考评.xlsx");
    let (code, _, err) = report_with(
        tmp.path(),
        &["--format", "xlsx", "--output", path.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let mut wb = calamine::open_workbook_auto(&path).unwrap();
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).unwrap();
        for cell in range.used_cells() {
            let text = cell.2.to_string();
            assert!(!text.contains("(本级)"), "{sheet}: {text}");
        }
    }
}

/// A department written two ways is shown as its earliest record (by file
/// and row) wrote it, whatever order the workers count its records in:
/// the same at one thread and two, over several chunks.
#[test]
fn a_department_written_two_ways_is_shown_as_its_earliest_record_at_any_thread_count() {
    use std::fmt::Write as _;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,不进驻批准文号,办件类型\n\
         A1,许可,行政许可,民政局（本级）,是,,即办件\n",
    )
    .unwrap();
    let mut cases =
        String::from("办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间,办理结果\n");
    for i in 0..12_000 {
        // The first record full-width, the others in the matching form.
        let dept = if i == 0 {
            "民政局（本级）"
        } else {
            "民政局(本级)"
        };
        writeln!(
            cases,
            "C{i},A1,{dept},中心窗口,2025-01-02 09:00:00,2025-01-02 10:00:00,准予"
        )
        .unwrap();
    }
    std::fs::write(tmp.path().join("办件记录.csv"), cases).unwrap();
    let run = |threads: &str| {
        let (code, out, err) = report_with(tmp.path(), &["--format", "json", "--threads", threads]);
        assert_eq!(code, 0, "{err}");
        out
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let json: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(
        dept_names(&json),
        ["民政局（本级）"],
        "{}",
        json["departments"]
    );
    // Every case counted under it (decided or undetermined).
    let m04 = metric(&json, "M04", Some("民政局（本级）"));
    let counted = m04["denominator"].as_u64().unwrap() + m04["undetermined"].as_u64().unwrap();
    assert_eq!(counted, 12_000, "{m04}");
}

#[test]
fn a_department_name_with_markdown_marks_stays_literal_in_the_md() {
    // X局 renamed `X*局_甲`: in bold and in the 优秀 line its marks would
    // open emphasis; in a list a line break would end the item.
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    for name in ["事项目录.csv", "窗口授权.csv", "办件记录.csv"] {
        let path = tmp.path().join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("X局", "X*局_甲")).unwrap();
    }
    let (code, md, err) = report(tmp.path(), "md");
    assert_eq!(code, 0, "{err}");
    assert!(md.contains("**X\\*局\\_甲** 典型问题"), "{md}");
    assert!(!md.contains("**X*局_甲**"), "{md}");
    // Table cells too: `*甲局*` in a cell rendered in italics.
    assert!(md.contains("| X\\*局\\_甲 |"), "{md}");
    assert!(!md.contains("| X*局_甲 |"), "{md}");
}

/// The report's calendar line says what was counted with: a local calendar
/// added with `--calendar` (it named only the built-in one), and for an
/// audit date the calendar does not know, that working days over such days
/// are undetermined. A local file makes a year known only when it says it
/// is that year's notice (`year: 2027`): one local holiday did.
#[test]
fn the_calendar_line_names_a_local_calendar_and_days_past_it() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let cal = dir.path().join("本地日历.yaml");
    std::fs::write(
        &cal,
        "year: 2027\ndays:\n  - {date: 2027-02-05, off: true}\n",
    )
    .unwrap();
    let holiday = dir.path().join("三月三.yaml");
    std::fs::write(
        &holiday,
        "days:\n  - {date: 2027-04-09, off: true, name: 三月三}\n",
    )
    .unwrap();
    let line = |as_of: &str, extra: &[&str]| -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
            .arg("report")
            .arg(dir.path())
            .args(["--as-of", as_of, "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["calendar"].as_str().unwrap().to_string()
    };
    let plain = line("2025-12-31", &[]);
    assert!(plain.ends_with("年），内置"), "{plain}");
    let local = line("2027-12-20", &["--calendar", cal.to_str().unwrap()]);
    assert!(
        local.contains("另加本地日历") && local.contains("本地日历.yaml"),
        "{local}"
    );
    assert!(local.contains("合计收录至 2027 年"), "{local}");
    assert!(!local.contains("无法判定"), "{local}");
    let one_day = line("2027-12-20", &["--calendar", holiday.to_str().unwrap()]);
    assert!(one_day.contains("合计收录至 2026 年"), "{one_day}");
    assert!(
        one_day.contains("；2027 年的法定节假日与调休安排未收录，涉及未收录日子的工作日计数记为无法判定（无论如何安排结论都不变的除外）"),
        "{one_day}"
    );
    let past = line("2028-06-30", &[]);
    assert!(
        past.contains("；2027-2028 年的法定节假日与调休安排未收录"),
        "{past}"
    );
    let before = line("2005-06-30", &[]);
    assert!(
        before.contains("；2005 年的法定节假日与调休安排未收录"),
        "{before}"
    );
    let year_end = line("2026-12-31", &[]);
    assert!(
        year_end.contains("；2027 年的法定节假日与调休安排（2026 年 12 月 29-31 日待 2027 年元旦的安排确定）未收录"),
        "{year_end}"
    );
}

/// A metric without `per` is the centre's alone: its one row, no n/a row for
/// every department, and its records are not noted as lacking a department
/// (the note blamed the export for cells that were filled).
#[test]
fn a_metric_without_per_is_the_centres_alone() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    let policies = common::policy_folder(
        "policy p { title \"t\" }\n\
         metric M90 centre-share {\n  title \"中心受理占比\"\n  cite gangnan-2017 \"四、(六)\"\n  \
         for case in cases\n  ratio case.channel == \"中心窗口\"\n}\n",
    );
    let local = policies.path().to_str().unwrap();
    let (code, out, err) = report_with(
        tmp.path(),
        &[
            "--format", "json", "--policy", "@builtin", "--policy", local,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows: Vec<&serde_json::Value> = json["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["id"] == "M90")
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0]["dept"].is_null());
    assert_eq!(
        (
            rows[0]["numerator"].as_u64(),
            rows[0]["denominator"].as_u64()
        ),
        (Some(2), Some(3))
    );
    assert!(!out.contains("M90 3 条"), "{out}");
}

/// A region's own rule (a code outside the families) is counted in a 其他
/// column of the findings tables, so that each row adds up to its total,
/// in md, html and the workbook as in the JSON's `by_family`; a value on
/// an exact tie of its last decimal (1/16 = 6.25%) is rounded as the
/// scores are and a spreadsheet shows it: 6.3%, in every format.
#[test]
fn a_regions_rule_has_its_column_and_ties_round_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cases = String::from("办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n");
    for i in 0..16 {
        let finished = if i == 0 {
            "2025-03-03 10:00:00"
        } else {
            "2025-03-20 10:00:00"
        };
        cases.push_str(&format!(
            "C{i},A1,X局,中心窗口,2025-03-03 09:00:00,{finished}\n"
        ));
    }
    std::fs::write(
        tmp.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,办件类型,承诺办结时限\nA1,甲许可,行政许可,X局,是,承诺件,30\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("办件记录.csv"), cases).unwrap();
    let policies = common::policy_folder(
        "policy p { title \"本地\" }\n\
         rule X001 local {\n  severity error\n  cite gangnan-2017 \"四、(六)\"\n  \
         for case in cases\n  require case.id != \"C3\"\n  message \"{case.id}\"\n}\n",
    );
    let p = policies.path().to_str().unwrap();
    let args =
        |format: &'static str| vec!["--policy", "@builtin", "--policy", p, "--format", format];
    let (code, md, err) = report_with(tmp.path(), &args("md"));
    assert_eq!(code, 0, "{err}");
    let table = md
        .lines()
        .skip_while(|l| !l.starts_with("## 四、问题清单"))
        .take(5)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(table.contains("| 其他 | 合计 |"), "{table}");
    let row = table.lines().find(|l| l.starts_with("| X局")).unwrap();
    let cells: Vec<u64> = row
        .split('|')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let (total, parts) = cells.split_last().unwrap();
    assert_eq!(parts.iter().sum::<u64>(), *total, "{row}");
    assert_eq!(parts.last(), Some(&1), "{row}");
    let m05 = md
        .lines()
        .skip_while(|l| !l.starts_with("### M05"))
        .find(|l| l.starts_with("| X局"))
        .unwrap();
    assert!(m05.contains("| 6.3% |"), "{m05}");
    let (_, html, _) = report_with(tmp.path(), &args("html"));
    assert!(html.contains("<th>其他</th>"), "html");
    assert!(html.contains(">6.3%<") && !html.contains(">6.2%<"), "html");
    let book = tmp.path().join("r.xlsx");
    let mut xargs = args("xlsx");
    xargs.extend(["--output", book.to_str().unwrap()]);
    let (code, _, err) = report_with(tmp.path(), &xargs);
    assert_eq!(code, 0, "{err}");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut wb, "问题分布").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(header.contains(&"其他".to_string()), "{header:?}");
}

/// An export whose registers and logs are given with their headers alone is
/// given and empty (as the audit has it): the report is written, every
/// metric without a denominator and saying why, not refused as an export
/// without any dataset (exit 2), which an empty folder still is.
#[test]
fn an_export_of_headers_alone_is_reported_with_no_denominators() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    for entry in std::fs::read_dir(tmp.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let header = text.lines().next().unwrap();
        std::fs::write(&path, format!("{header}\n")).unwrap();
    }
    let (code, out, err) = report(tmp.path(), "json");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("没有任何记录"), "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_metrics_contract(&json, &out);
    for id in ["M01", "M04"] {
        let m = metric(&json, id, None);
        assert!(m["value"].is_null(), "{m}");
        assert_eq!(m["denominator"], 0, "{m}");
    }
    let (code, md, _) = report(tmp.path(), "md");
    assert_eq!(code, 0);
    assert!(md.contains("办件记录（cases）只有表头而没有记录"), "{md}");
    assert!(!md.contains("导出中没有"), "{md}");
}
