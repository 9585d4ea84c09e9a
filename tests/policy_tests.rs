//! The `test` blocks of the shipped policies, run through the real engine
//! (what `yimen test` does), and their coverage: every rule has a test in
//! which it fires and one in which records of its dataset do not fire (the
//! near miss).

mod common;

use yimen::ir::Expectation;
use yimen::testing::run_all;

#[test]
fn every_shipped_policy_test_passes() {
    let (_, program) = yimen::policy::load_sources(
        yimen::builtin::sources(),
        yimen::schema::Schema::builtin(),
        Some(yimen::sources::SourceRegistry::builtin()),
    )
    .unwrap();
    let outcomes = run_all(
        &program,
        yimen::schema::Schema::builtin(),
        yimen::sources::SourceRegistry::builtin(),
        yimen::calendar::Calendar::official(),
    );
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed())
        .map(|o| format!("{}: {}", o.name, o.failures.join("; ")))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(outcomes.len() >= 20);

    for rule in program
        .rules
        .iter()
        .filter(|r| r.kind == yimen::ast::RuleKind::Rule)
    {
        let fires = program.tests.iter().any(|t| {
            t.expects
                .iter()
                .any(|e| matches!(e, Expectation::Finding { code, .. } if *code == rule.code))
        });
        assert!(fires, "{} has no test in which it fires", rule.code);
        // A near miss: a test with more records of the rule's dataset than findings expected.
        let near_miss = program.tests.iter().any(|t| {
            let expected = t
                .expects
                .iter()
                .filter(|e| matches!(e, Expectation::Finding { code, .. } if *code == rule.code))
                .count();
            let mentioned = t.expects.iter().any(|e| match e {
                Expectation::Finding { code, .. } | Expectation::NoFinding { code } => {
                    *code == rule.code
                }
                _ => false,
            });
            let records = t
                .fixtures
                .iter()
                .filter(|(ds, _)| *ds == rule.dataset)
                .count();
            mentioned && records > expected
        });
        assert!(near_miss, "{} has no near-miss test", rule.code);
    }
}

#[test]
fn builtin_policy_list_matches_the_directory() {
    let files: Vec<String> = common::yimen_files(&common::root().join("policies"))
        .iter()
        .map(|p| format!("policies/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    let builtin: Vec<&str> = yimen::builtin::POLICIES.iter().map(|(n, _)| *n).collect();
    assert_eq!(files, builtin);
}

/// A fixture's `""` is an empty cell, as in an export: a test written with
/// `""` models the export (`lead_dept is none` holds, `is empty` too), and
/// `yimen test` passes it.
#[test]
fn an_empty_string_in_a_fixture_is_an_empty_cell() {
    let dir = common::policy_folder(
        r#"policy p {
  title "空值"
}

rule K101 no-lead {
  severity warning
  cite dazu-2002 "二、(四)"
  for case in cases
  require case.lead_dept is none
}

test "空字符串即空单元格" {
  cases { id: "L1", item_code: "A1", lead_dept: "" }
  cases { id: "L2", item_code: "A1", lead_dept: " " }
  cases { id: "L3", item_code: "A1", lead_dept: "招商局" }
  expect K101 on ["L3"]
  expect no undetermined K101
}
"#,
    );
    passes_its_tests(&dir);
}

/// A `count` of a group with records whose condition is unknown lies in a
/// range (the records known to hold, up to those plus the unknown ones): a
/// comparison the whole range decides is decided, through `yimen test`.
/// Dept A has one case known taken at 原单位 and one unknown: `== 0` is
/// false whatever the unknown one is (a finding), `<= 1` is not decided.
/// Dept B has none known and one unknown: `== 0` is not decided, `<= 1`
/// holds. The count may stand on either side of the comparison.
#[test]
fn a_count_range_decides_what_it_can() {
    let dir = common::policy_folder(
        r#"policy p {
  title "计数的范围"
}

rule K201 none-outside {
  severity error
  cite sandu-2018 "七、(六)"
  for case in cases
  group by case.dept
  require count(case.channel == "原单位") == 0
}

rule K202 at-most-one-outside {
  severity error
  cite sandu-2018 "七、(六)"
  for case in cases
  group by case.dept
  require count(case.channel == "原单位") <= 1
}

rule K203 at-most-one-outside-reversed {
  severity error
  cite sandu-2018 "七、(六)"
  for case in cases
  group by case.dept
  require 1 >= count(case.channel == "原单位") and count() != 5
}

test "范围内外" {
  cases { id: "C1", item_code: "A1", dept: "甲局", channel: "原单位" }
  cases { id: "C2", item_code: "A1", dept: "甲局", channel: "" }
  cases { id: "C3", item_code: "A1", dept: "乙局", channel: "中心窗口" }
  cases { id: "C4", item_code: "A1", dept: "乙局", channel: "" }
  expect K201 on ["甲局"]
  expect undetermined K201 on ["乙局"]
  expect no K202
  expect undetermined K202 on ["甲局"]
  expect no K203
  expect undetermined K203 on ["甲局"]
}
"#,
    );
    passes_its_tests(&dir);
}

/// A ratio, a max and a min with unknown contributions lie in a range
/// too, and a comparison the whole range decides is decided; they were
/// undetermined whenever one contribution was unknown. 甲局: three cases
/// known taken at 原单位 and one without its channel: the ratio is at
/// least 75% (a finding); 乙局: one of four, the fifth unknown, at most 40%
/// (passes); 丙局: one known of two, between 50% and 100% (undetermined).
/// The max is at least the greatest known amount, the min at most the
/// least; an equality outside that is decided too. A case whose membership is unknown (`when` on an empty result)
/// counts only if it may be a member: as a 原单位 case it may raise the
/// ratio, never lower it.
#[test]
fn a_ratio_max_or_min_range_decides_what_it_can() {
    let dir = common::policy_folder(
        r#"policy p {
  title "比例与极值的范围"
}

rule K211 mostly-outside {
  severity error
  cite sandu-2018 "七、(六)"
  for case in cases
  group by case.dept
  require ratio(case.channel == "原单位") <= 50%
}

rule K212 mostly-outside-when {
  severity error
  cite sandu-2018 "七、(六)"
  for case in cases
  when case.result != "撤回"
  group by case.dept
  require 50% >= ratio(case.channel == "原单位")
}

rule K213 fee-too-high {
  severity error
  cite sandu-2018 "七、(六)"
  for fee in fees
  group by fee.dept
  require max(fee.amount) <= 1000
}

rule K214 fee-too-low {
  severity error
  cite sandu-2018 "七、(六)"
  for fee in fees
  group by fee.dept
  require min(fee.amount) >= 10
}

rule K215 fee-not-100 {
  severity error
  cite sandu-2018 "七、(六)"
  for fee in fees
  group by fee.dept
  require max(fee.amount) != 100
}

test "比例的范围" {
  cases { id: "C1", item_code: "A1", dept: "甲局", channel: "原单位" }
  cases { id: "C2", item_code: "A1", dept: "甲局", channel: "原单位" }
  cases { id: "C3", item_code: "A1", dept: "甲局", channel: "原单位" }
  cases { id: "C4", item_code: "A1", dept: "甲局", channel: "" }
  cases { id: "C5", item_code: "A1", dept: "乙局", channel: "原单位" }
  cases { id: "C6", item_code: "A1", dept: "乙局", channel: "中心窗口" }
  cases { id: "C7", item_code: "A1", dept: "乙局", channel: "中心窗口" }
  cases { id: "C8", item_code: "A1", dept: "乙局", channel: "中心窗口" }
  cases { id: "C9", item_code: "A1", dept: "乙局", channel: "" }
  cases { id: "D1", item_code: "A1", dept: "丙局", channel: "原单位" }
  cases { id: "D2", item_code: "A1", dept: "丙局", channel: "" }
  expect K211 on ["甲局"]
  expect undetermined K211 on ["丙局"]
}

test "成员未知的办件" {
  cases { id: "C1", item_code: "A1", dept: "甲局", channel: "原单位", result: "准予" }
  cases { id: "C2", item_code: "A1", dept: "甲局", channel: "原单位", result: "准予" }
  cases { id: "C3", item_code: "A1", dept: "甲局", channel: "中心窗口", result: "准予" }
  cases { id: "C4", item_code: "A1", dept: "甲局", channel: "原单位", result: "" }
  cases { id: "C5", item_code: "A1", dept: "乙局", channel: "原单位", result: "准予" }
  cases { id: "C6", item_code: "A1", dept: "乙局", channel: "原单位", result: "准予" }
  cases { id: "C7", item_code: "A1", dept: "乙局", channel: "中心窗口", result: "准予" }
  cases { id: "C8", item_code: "A1", dept: "乙局", channel: "中心窗口", result: "" }
  cases { id: "C9", item_code: "A1", dept: "丙局", channel: "原单位", result: "" }
  expect K212 on ["甲局"]
  expect undetermined K212 on ["乙局"]
  expect undetermined K212 on ["丙局"]
}

test "最大与最小的范围" {
  fees { id: "F1", dept: "甲局", amount: 5000 }
  fees { id: "F2", dept: "甲局" }
  fees { id: "F3", dept: "乙局", amount: 500 }
  fees { id: "F4", dept: "乙局" }
  fees { id: "F5", dept: "丙局", amount: 1 }
  fees { id: "F6", dept: "丙局" }
  fees { id: "F7", dept: "丁局", amount: 20 }
  fees { id: "F8", dept: "丁局" }
  fees { id: "F9", dept: "戊局" }
  expect K213 on ["甲局"]
  expect undetermined K213 on ["乙局"]
  expect undetermined K213 on ["丙局"]
  expect undetermined K213 on ["丁局"]
  expect undetermined K213 on ["戊局"]
  expect K214 on ["丙局"]
  expect undetermined K214 on ["甲局"]
  expect undetermined K214 on ["乙局"]
  expect undetermined K214 on ["丁局"]
  expect undetermined K214 on ["戊局"]
  expect no K215
  expect undetermined K215 on ["丙局"]
  expect undetermined K215 on ["丁局"]
  expect undetermined K215 on ["戊局"]
}
"#,
    );
    passes_its_tests(&dir);
}

/// `yimen test DIR` passes.
fn passes_its_tests(dir: &tempfile::TempDir) {
    let out = yimen_test(dir.path());
    common::assert_success(&out);
}

/// A test's near miss that the fixture does not decide fails: `expect no
/// K301` passed while K301 was undetermined on its only case (the item
/// missing from the fixture), deciding nothing. Expecting the verdict
/// (`expect undetermined K301 on ["N1"]`) passes.
#[test]
fn an_undecided_near_miss_fails_unless_expected() {
    let policy = |expect: &str| {
        common::policy_folder(&format!(
            r#"policy p {{
  title "近似情形"
}}

rule K301 immediate {{
  severity warning
  cite sandu-2018 "五、(二)1"
  for case in cases
  let item = catalogue[case.item_code]
  require item.handling_type != "即办件"
}}

test "目录里没有事项" {{
  cases {{ id: "N1", item_code: "A1" }}
  {expect}
}}
"#
        ))
    };
    let vacuous = policy("expect no K301");
    let out = common::yimen(None)
        .arg("test")
        .arg(vacuous.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("unexpected undetermined K301 on [\"N1\"] (missing catalogue"),
        "{text}"
    );
    passes_its_tests(&policy(
        "expect no K301\n  expect undetermined K301 on [\"N1\"]",
    ));
}

/// A metric's value is tested as records counted or as a percentage, the
/// centre's or a department's; a wrong value, an undetermined record the
/// test does not expect and an unexpected finding each fail with what the
/// engine gave (an unexpected finding with its message).
#[test]
fn metric_values_are_tested_and_a_failure_says_what_was_found() {
    let policy = |expects: &str| {
        common::policy_folder(&format!(
            r#"policy p {{
  title "指标"
}}

rule K401 outside {{
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  require case.channel != "原单位"
  message "办件 {{case.id}} 在原单位受理"
}}

metric M41 finished {{
  cite gangnan-2017 "四、(二)"
  for case in cases
  per case.dept
  ratio case.channel == "中心窗口"
}}

test "三件" {{
  cases {{ id: "C1", dept: "民政局", channel: "中心窗口" }}
  cases {{ id: "C2", dept: "民政局", channel: "原单位" }}
  cases {{ id: "C3", dept: "人社局", channel: "中心窗口" }}
  cases {{ id: "C4", dept: "人社局" }}
  {expects}
}}
"#
        ))
    };
    passes_its_tests(&policy(
        "expect K401 on [\"C2\"]\n  expect undetermined K401 on [\"C4\"]\n  expect M41 = 2 / 3 undetermined 1\n  expect M41 = 66.7% undetermined 1\n  expect M41 for \"民政局\" = 50%\n  expect M41 for \"人社局\" = 1 / 1 undetermined 1\n  expect M41 for \"税务局\" = 0 / 0",
    ));
    let failing = policy(
        "expect no K401\n  expect undetermined K401 on [\"C4\"]\n  expect M41 = 2 / 4\n  expect M41 = 66.6% undetermined 1\n  expect M41 for \"税务局\" = 0%",
    );
    let out = common::yimen(None)
        .arg("test")
        .arg(failing.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for line in [
        "unexpected K401 on [\"C2\"]: 办件 C2 在原单位受理",
        "expected M41 = 2 / 4, got 2 / 3 (66.7%)",
        "M41: 1 record undetermined, the test expects 0: give the fixture the fields, or write `expect M41 = 2 / 3 undetermined 1`",
        "expected M41 = 66.6%, got 2 / 3 (66.7%)",
        "expected M41 for \"税务局\" = 0%, got 0 / 0 (n/a: nothing counted under it; the departments counted are 人社局, 民政局)",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
}

/// A percentage matches a metric's value rounded half up to the decimals
/// written, or as the report shows it (its binary value formatted: 23/80
/// shows 28.7%); 0% and 100% are exact.
#[test]
fn a_percentage_matches_to_the_decimals_written() {
    use yimen::testing::percent_matches;
    // (numerator, denominator, scaled, decimals, matches)
    for (n, d, s, dec, ok) in [
        (1, 8, 13, 0, true),  // 12.5% rounds half up to 13%
        (1, 8, 125, 1, true), // 12.5%
        (1, 8, 12, 0, false), // a tie: the report too rounds it up, 13%
        (1, 8, 14, 0, false),
        (3, 8, 38, 0, true),  // 37.5%
        (2, 3, 667, 1, true), // 66.666…%
        (2, 3, 666, 1, false),
        (2, 3, 67, 0, true),
        (23, 80, 288, 1, true), // 28.75% exactly: half up
        (23, 80, 287, 1, true), // as the report shows it
        (23, 80, 289, 1, false),
        (199, 200, 100, 0, false), // one record short of 100% is not 100%
        (200, 200, 100, 0, true),
        (200, 200, 1000, 1, true),
        (1, 1000, 0, 0, false), // 0.1% is not 0%
        (0, 5, 0, 0, true),
        (0, 0, 0, 0, false), // n/a is no percentage
    ] {
        assert_eq!(
            percent_matches(n, d, s, dec),
            ok,
            "{n} / {d} against {s} at {dec} decimals"
        );
    }
}

/// A department is matched as the engine groups departments (normalised:
/// `ＡＢ` is `AB`); one nothing was counted under fails listing those there
/// are; a refused metric expectation is its only error (not also "the test
/// expects nothing").
#[test]
fn a_metric_expectation_names_departments_as_the_engine_groups_them() {
    let policy = |expects: &str| {
        common::policy_folder(&format!(
            r#"policy p {{
  title "指标"
}}

metric M42 centre {{
  cite gangnan-2017 "四、(二)"
  for case in cases
  per case.dept
  ratio case.channel == "中心窗口"
}}

test "部门" {{
  cases {{ id: "C1", dept: "ＡＢ", channel: "中心窗口" }}
  cases {{ id: "C2", dept: "AB", channel: "原单位" }}
  {expects}
}}
"#
        ))
    };
    passes_its_tests(&policy("expect M42 for \"AB\" = 1 / 2"));
    let typo = policy("expect M42 for \"BA\" = 1 / 2");
    let out = common::yimen(None)
        .arg("test")
        .arg(typo.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("expected M42 for \"BA\" = 1 / 2, got 0 / 0 (n/a: nothing counted under it; the departments counted are ＡＢ)"),
        "{text}"
    );
    let refused = policy("expect M42 = 3 / 2");
    let out = common::yimen(None)
        .arg("check-policy")
        .arg(refused.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.matches("  × ").count(), 1, "{err}");
    assert!(
        err.contains("the numerator counts records of the denominator"),
        "{err}"
    );
}

/// A test dated in a year whose notice yimen does not ship is undetermined
/// (working days over 2027 unknown), and `yimen test --calendar` gives the
/// notice: the region's test passes with it.
#[test]
fn a_test_over_an_unshipped_year_takes_a_calendar() {
    let dir = common::policy_folder(
        r#"policy p {
  title "2027 年的时限"
}

rule K401 late {
  severity warning
  cite gangnan-2017 "四、(六)"
  for case in cases
  require workdays(case.accepted_at, case.finished_at) <= 3
}

test "春节前受理, 节后办结" {
  as_of 2027-03-01
  cases { id: "C1", accepted_at: 2027-02-04T09:00:00, finished_at: 2027-02-15T09:00:00 }
  expect no K401
}
"#,
    );
    let out = yimen_test(dir.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("工作日历(2027年未收录)"), "{text}");
    let calendars = tempfile::tempdir().unwrap();
    let notice = calendars.path().join("2027.yaml");
    std::fs::write(
        &notice,
        "year: 2027\ndays:\n  - {date: 2027-02-05, off: true, name: 春节}\n  - {date: 2027-02-08, off: true, name: 春节}\n  - {date: 2027-02-09, off: true, name: 春节}\n  - {date: 2027-02-10, off: true, name: 春节}\n  - {date: 2027-02-11, off: true, name: 春节}\n  - {date: 2027-02-12, off: true, name: 春节}\n",
    )
    .unwrap();
    let out = common::yimen(None)
        .arg("test")
        .arg(dir.path())
        .arg("--calendar")
        .arg(&notice)
        .output()
        .unwrap();
    common::assert_success(&out);
}

/// `workdays(a, b)` counts the working days d with a < d <= b (the rule
/// catalogue): with b before a none is, so the count is 0, not the days
/// counted backwards, and it is known even over a year no notice settles.
#[test]
fn workdays_backwards_counts_no_day() {
    let dir = common::policy_folder(
        r#"policy p {
  title "倒序的日期"
}

rule K402 backwards {
  severity warning
  cite gangnan-2017 "四、(六)"
  for case in cases
  require workdays(case.accepted_at, case.finished_at) >= 0
}

rule K403 forwards {
  severity warning
  cite gangnan-2017 "四、(六)"
  for case in cases
  require workdays(case.accepted_at, case.finished_at) > 0
}

test "办结时间早于受理时间" {
  as_of 2027-06-01
  cases { id: "C1", accepted_at: 2025-03-20T09:00:00, finished_at: 2025-03-10T09:00:00 }
  cases { id: "C2", accepted_at: 2027-03-10T09:00:00, finished_at: 2027-01-04T09:00:00 }
  cases { id: "C3", accepted_at: 2025-03-10T09:00:00, finished_at: 2025-03-20T09:00:00 }
  expect no K402
  expect K403 on ["C1"]
  expect K403 on ["C2"]
}
"#,
    );
    let out = yimen_test(dir.path());
    common::assert_success(&out);
}

/// `yimen test DIR`.
fn yimen_test(dir: &std::path::Path) -> std::process::Output {
    common::yimen(None).arg("test").arg(dir).output().unwrap()
}

/// A chain of eight `fires`, one inside another (the most the checker
/// allows), is evaluated to its last rule by the fast path and the
/// reference alike: its test expects each rule's finding and nothing
/// undetermined (an evaluator stopping one rule short leaves every rule
/// of the chain undetermined).
#[test]
fn a_chain_of_eight_fires_is_evaluated_to_its_end() {
    let path = common::root().join("tests/corpus/valid/fires_chain_of_eight.yimen");
    for engine in [None, Some("reference")] {
        let out = common::yimen(engine)
            .arg("test")
            .arg(&path)
            .output()
            .unwrap();
        common::assert_success(&out);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("八层 fires 求值到底"), "{engine:?}: {text}");
    }
}

/// `len` of a list (a list parameter, a list written in the rule, one
/// holding a record's fields) is its number of items, through `yimen test`,
/// by the fast path and the reference evaluator alike: it was unknown on every record, naming no
/// missing field. K401 fires on every case (three channels, not two),
/// K402 on none.
#[test]
fn the_length_of_a_list_is_known() {
    let dir = common::policy_folder(
        r#"policy p {
  title "列表长度"
}

param channels: list<string> = ["中心窗口", "综合窗口", "网上办理"]

rule K401 three-channels {
  severity warning
  cite sandu-2018 "七、(六)"
  for case in cases
  require len(channels) == 2
}

rule K402 listed {
  severity warning
  cite sandu-2018 "七、(六)"
  for case in cases
  require len(["甲", "乙"]) + len([case.id, case.dept]) == 4 and len(case.id) == 2
}

test "列表的长度" {
  cases { id: "L1", item_code: "A1", dept: "" }
  cases { id: "L2", item_code: "A1", dept: "区民政局" }
  expect K401 on ["L1"]
  expect K401 on ["L2"]
  expect no K402
  expect no undetermined K401
  expect no undetermined K402
}
"#,
    );
    for engine in [None, Some("reference")] {
        let out = common::yimen(engine)
            .arg("test")
            .arg(dir.path())
            .output()
            .unwrap();
        common::assert_success(&out);
    }
}
