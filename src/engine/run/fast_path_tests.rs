//! The debug check of a group member's contribution: it holds for what the
//! fast path computes, and it fails when a key or an input is wrong, when
//! the record is no member, or when the reference notes a missing value.
//! And a record's verdicts and dates are its own (stamped with its number).

use crate::text::Text;

use super::super::{AggInput, RunOptions, Runner};
use crate::calendar::Calendar;
use crate::engine::data::{Data, Row};
use crate::engine::fast::{value_bkey, BKey, Fast};
use crate::engine::recent_lookups::RecentLookups;
use crate::ir::{Program, RuleDef};
use crate::schema::Schema;
use crate::sources::SourceRegistry;
use crate::value::Value;

const POLICY: &str = r#"
policy p { title "t" issuer "i" }
rule X002 dual {
  title "b"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  group by case.dept, case.item_code
  require not (any(case.channel == "原单位") and count() > 1)
  message "{case.dept} {count(case.joint)}"
}
rule X003 joint-only {
  title "c"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.joint
  group by case.dept
  require count() > 0
  message "{case.dept}"
}
rule X004 results {
  title "d"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  group by case.dept
  require count(case.result == "准予") > 0
  message "{case.dept}"
}
"#;

fn program() -> Program {
    crate::engine::test_program(POLICY)
}

/// One case of 市监局's item A1, taken at 原单位, not joint.
fn data() -> Data {
    let schema = Schema::builtin();
    let ds = schema.dataset_index("cases").expect("cases");
    let cases = &schema.datasets[ds];
    let mut values = vec![Value::Empty; cases.fields.len()];
    let text = |s: &str| Value::Str(Text::from(s));
    for (name, v) in [
        ("id", text("C1")),
        ("dept", text("市监局")),
        ("item_code", text("A1")),
        ("channel", text("原单位")),
        ("joint", Value::Bool(false)),
    ] {
        values[cases.field_index(name).expect("a field")] = v;
    }
    let mut data = Data::new(schema.datasets.len());
    let file = data.add_file("cases.csv", None);
    data.push(
        ds,
        Row {
            file,
            row: 2,
            values,
        },
    );
    data
}

/// The options of the tests' runs: the audit date 2026-06-30, the official
/// calendar, no parameters, no period.
fn options() -> RunOptions<'static> {
    RunOptions {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("a date"),
        params: Vec::new(),
        calendar: Calendar::official(),
        sources: SourceRegistry::builtin(),
        period: None,
    }
}

/// Run `check` with a runner over [`data`] and the row.
fn with_runner(check: impl FnOnce(&Runner<'_>, &Row)) {
    let program = program();
    let data = data();
    let opts = options();
    let runner = Runner::new(&program, Schema::builtin(), &data, &opts);
    let row = &data.tables[program.rules[0].dataset][0];
    check(&runner, row);
}

/// Run `check` with the runner, the rule (X002), the row and the group key
/// and aggregate inputs the fast path computes for it.
fn with_member(check: impl FnOnce(&Runner<'_>, usize, &Row, Vec<BKey<'_>>, Vec<AggInput>)) {
    with_runner(|runner, row| {
        let ri = 0;
        let rule = &runner.env.program.rules[ri];
        let mut fast = Fast::new(&runner.env, &runner.shared_lookups);
        fast.record(&row.values);
        let mut keys = Vec::new();
        assert_eq!(fast.group_member(rule, &mut keys), Ok(true));
        let mut inputs = Vec::new();
        super::member_inputs(&mut fast, rule, &runner.agg_plans[&ri], &mut inputs)
            .expect("every input known");
        check(runner, ri, row, keys, inputs);
    });
}

/// The check of rule `ri` on the row, with the group key 市监局 and `inputs`.
fn check_dept_member(ri: usize, inputs: &[AggInput]) {
    with_runner(|runner, row| {
        let rule = &runner.env.program.rules[ri];
        let dept = Schema::builtin().datasets[rule.dataset]
            .field_index("dept")
            .expect("dept");
        let keys = [value_bkey(&row.values[dept]).expect("a department")];
        runner.check_member(rule, row, &keys, &runner.agg_plans[&ri], inputs);
    });
}

#[test]
fn the_fast_path_s_contribution_passes_the_check() {
    with_member(|runner, ri, row, keys, inputs| {
        // any(channel == 原单位): true; count(): present; count(joint): false.
        assert!(inputs.contains(&AggInput::Cond(Some(true))));
        assert!(inputs.contains(&AggInput::Present));
        assert!(inputs.contains(&AggInput::Cond(Some(false))));
        let rule = &runner.env.program.rules[ri];
        runner.check_member(rule, row, &keys, &runner.agg_plans[&ri], &inputs);
    });
}

#[test]
#[should_panic(expected = "aggregate input")]
fn a_wrong_aggregate_input_fails_the_check() {
    with_member(|runner, ri, row, keys, mut inputs| {
        let flipped = inputs
            .iter()
            .position(|i| *i == AggInput::Cond(Some(true)))
            .expect("a true condition");
        inputs[flipped] = AggInput::Cond(Some(false));
        let rule = &runner.env.program.rules[ri];
        runner.check_member(rule, row, &keys, &runner.agg_plans[&ri], &inputs);
    });
}

#[test]
#[should_panic(expected = "group key")]
fn a_wrong_group_key_fails_the_check() {
    with_member(|runner, ri, row, mut keys, inputs| {
        keys[1] = BKey::Int(7);
        let rule = &runner.env.program.rules[ri];
        runner.check_member(rule, row, &keys, &runner.agg_plans[&ri], &inputs);
    });
}

#[test]
#[should_panic(expected = "member")]
fn a_record_its_when_excludes_fails_the_check() {
    // X003 has only joint cases; the row is not joint.
    check_dept_member(1, &[AggInput::Present]);
}

#[test]
#[should_panic(expected = "missing values")]
fn a_contribution_the_reference_finds_a_value_missing_for_fails_the_check() {
    // X004 counts the cases with result 准予; the row has no result: the
    // same unknown input on both sides, but the reference notes it.
    check_dept_member(2, &[AggInput::Cond(None)]);
}

/// A verdict kept for one record is not the next record's, also where the
/// record numbers that stamp the verdicts wrap around.
#[test]
fn a_record_s_verdicts_are_forgotten_at_the_next_record() {
    with_runner(|runner, row| {
        let ri = 0;
        let mut fast = Fast::new(&runner.env, &runner.shared_lookups);
        fast.record(&row.values);
        fast.passed_with(ri, true);
        assert!(fast.noted_missing(ri));
        fast.record(&row.values);
        assert!(!fast.noted_missing(ri));
        // A verdict stamped 1, then four billion records later the number
        // is 1 again: the stamps were cleared on the way.
        fast.set_record_no(1);
        fast.passed_with(ri, true);
        fast.set_record_no(u32::MAX);
        fast.record(&row.values);
        assert!(!fast.noted_missing(ri));
        fast.passed_with(ri, true);
        assert!(fast.noted_missing(ri));
    });
}

/// `date(x)` of a record's field is computed once per record and kept for
/// the other rules: never for the next record, also where the record
/// numbers wrap around.
#[test]
fn a_record_s_dates_are_forgotten_at_the_next_record() {
    let program = crate::engine::test_program(
        r#"
policy p { title "t" issuer "i" }
rule X010 early {
  title "e"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  require days(date(case.accepted_at), as_of) > 480
  message "{case.id}"
}
"#,
    );
    let data = data();
    let opts = options();
    let runner = Runner::new(&program, Schema::builtin(), &data, &opts);
    let cases = &Schema::builtin().datasets[program.rules[0].dataset];
    let at = cases.field_index("accepted_at").expect("accepted_at");
    let on = |y: i32, m: u32, d: u32| {
        let mut values = data.tables[program.rules[0].dataset][0].values.clone();
        values[at] = Value::DateTime(
            chrono::NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|d| d.and_hms_opt(9, 30, 0))
                .expect("a date"),
        );
        values
    };
    let (early, late) = (on(2025, 2, 1), on(2025, 4, 1));
    let rule = &program.rules[0];
    let mut fast = Fast::new(&runner.env, &runner.shared_lookups);
    fast.record(&early);
    assert_eq!(fast.violation(0, rule), Ok(Some(false)));
    fast.record(&late);
    assert_eq!(fast.violation(0, rule), Ok(Some(true)));
    // A date kept at record number 1, then four billion records later the
    // number is 1 again: the stamps were cleared on the way.
    fast.set_record_no(0);
    fast.record(&early);
    assert_eq!(fast.violation(0, rule), Ok(Some(false)));
    fast.set_record_no(u32::MAX);
    fast.record(&late);
    assert_eq!(fast.violation(0, rule), Ok(Some(true)));
}

/// A rule reading `catalogue[case.item_code]`: an item's name is the
/// department of its cases (a violation otherwise, and for a code the
/// catalogue lacks).
const NAMED: &str = r#"
policy p { title "t" issuer "i" }
rule X011 named {
  title "n"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  let item = catalogue[case.item_code]
  require item is not none and item.name == case.dept
  message "{case.id}"
}
"#;

/// Items of [`NAMED`]'s catalogue: more than the slots of the table of
/// lookups by a key's string (4,096), and codes it lacks.
const ITEMS: usize = 5_000;
const MISSING: usize = 250;

/// The code and the name of item `i`.
fn item(i: usize) -> (String, String) {
    (format!("I{i:05}"), format!("事项{i}"))
}

/// A catalogue of [`ITEMS`] items.
fn named_catalogue(schema: &Schema) -> Data {
    let cat = schema.dataset_index("catalogue").expect("catalogue");
    let field = |name: &str| schema.datasets[cat].field_index(name).expect("a field");
    let mut data = Data::new(schema.datasets.len());
    let file = data.add_file("事项目录.csv", None);
    for i in 0..ITEMS {
        let (code, name) = item(i);
        let mut values = vec![Value::Empty; schema.datasets[cat].fields.len()];
        values[field("code")] = Value::Str(Text::from(code));
        values[field("name")] = Value::Str(Text::from(name));
        data.push(
            cat,
            Row {
                file,
                row: i as u32 + 2,
                values,
            },
        );
    }
    data
}

/// `n` cases of random codes (of [`ITEMS`] and [`MISSING`] more), each
/// code one string of `strings` (as the reader shares a column's texts),
/// with whether [`NAMED`] finds a violation; `x` is the random state.
fn named_cases(
    schema: &Schema,
    strings: &[(Text, Text)],
    n: usize,
    x: &mut u64,
) -> Vec<(Vec<Value>, bool)> {
    let cases = schema.dataset_index("cases").expect("cases");
    let field = |name: &str| schema.datasets[cases].field_index(name).expect("a field");
    let wrong: Text = Text::from("别的部门");
    (0..n)
        .map(|_| {
            *x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let k = (*x >> 33) as usize % strings.len();
            let named = *x % 5 != 0;
            let mut values = vec![Value::Empty; schema.datasets[cases].fields.len()];
            values[field("item_code")] = Value::Str(strings[k].0.clone());
            let dept = if named && k < ITEMS {
                &strings[k].1
            } else {
                &wrong
            };
            values[field("dept")] = Value::Str(dept.clone());
            (values, !(named && k < ITEMS))
        })
        .collect()
}

/// Fresh strings of every code and name (missing codes with no item), by
/// item, made from item `first` on (and around).
fn named_strings(first: usize) -> Vec<(Text, Text)> {
    let n = ITEMS + MISSING;
    let mut made: Vec<Option<(Text, Text)>> = vec![None; n];
    for j in 0..n {
        let i = (first + j) % n;
        let (code, name) = item(i);
        made[i] = Some((Text::from(code), Text::from(name)));
    }
    made.into_iter()
        .map(|m| m.expect("every item made"))
        .collect()
}

/// Run `check` with a runner of [`NAMED`] over [`named_catalogue`], and
/// its rule.
fn with_named(check: impl FnOnce(&Runner<'_>, &RuleDef)) {
    let program = crate::engine::test_program(NAMED);
    let schema = Schema::builtin();
    let data = named_catalogue(schema);
    let opts = options();
    let runner = Runner::new(&program, schema, &data, &opts);
    check(&runner, &program.rules[0]);
}

/// Each of `records` judged by the fast path as [`named_cases`] expects.
fn judge_named<'r>(fast: &mut Fast<'r>, rule: &'r RuleDef, records: &'r [(Vec<Value>, bool)]) {
    for (values, violation) in records {
        fast.record(values);
        assert_eq!(fast.violation(0, rule), Ok(Some(*violation)));
    }
}

/// A lookup by one text key is remembered by the address of the key's
/// string, in a table whose slots more distinct keys share than it has:
/// every record still finds its own row, or none.
#[test]
fn a_lookup_remembered_by_its_key_s_string_finds_each_record_s_own_row() {
    with_named(|runner, rule| {
        let strings = named_strings(0);
        let records = named_cases(Schema::builtin(), &strings, 12_000, &mut 11);
        let mut fast = Fast::new(&runner.env, &runner.shared_lookups);
        judge_named(&mut fast, rule, &records);
    });
}

/// A worker's later chunk goes on with the lookups its earlier chunks
/// remembered: the strings of the earlier chunk are gone by then (but for
/// those the table keeps), and the later chunk's strings, some at their
/// addresses, hold other codes. Each record finds its own row.
#[test]
fn lookups_remembered_across_a_worker_s_chunks_answer_for_each_later_string() {
    with_named(|runner, rule| {
        let mut recent = RecentLookups::default();
        let mut x = 7;
        for _ in 0..4 {
            // Each chunk's strings made anew, in another order (freed
            // strings' addresses go to other texts).
            let strings = named_strings((x >> 40) as usize);
            let records = named_cases(Schema::builtin(), &strings, 6_000, &mut x);
            let mut fast = Fast::with_recent(&runner.env, &runner.shared_lookups, recent);
            judge_named(&mut fast, rule, &records);
            recent = fast.into_recent();
        }
    });
}

/// A record's shared lookup (computed once for its rules) is not the next
/// record's, also where the record numbers that stamp it wrap around: each
/// rule's visit to a record is a record of its own to the fast evaluator,
/// and a stale lookup would judge a record by another's item.
#[test]
fn a_record_s_shared_lookups_are_forgotten_at_the_next_record() {
    with_named(|runner, rule| {
        let strings = named_strings(0);
        let records = named_cases(Schema::builtin(), &strings, 200, &mut 3);
        let cases = &Schema::builtin().datasets[rule.dataset];
        let code = cases.field_index("item_code").expect("item_code");
        // A violation of an item the catalogue has (its department is
        // another's), and a pass of another item.
        let known = |values: &[Value]| match &values[code] {
            Value::Str(t) => t[1..].parse::<usize>().is_ok_and(|i| i < ITEMS),
            _ => false,
        };
        let fail = records
            .iter()
            .find(|r| r.1 && known(&r.0))
            .expect("a violation of a known item");
        let pass = records
            .iter()
            .find(|r| !r.1 && r.0[code] != fail.0[code])
            .expect("a pass of another item");
        assert!(runner.shared_lookups.count() > 0, "the lookup is shared");
        let mut fast = Fast::new(&runner.env, &runner.shared_lookups);
        fast.record(&fail.0);
        assert_eq!(fast.violation(0, rule), Ok(Some(true)));
        fast.record(&pass.0);
        assert_eq!(fast.violation(0, rule), Ok(Some(false)));
        // The lookup kept at record number 1, then four billion records
        // later the number is 1 again: the stamps were cleared on the way.
        fast.set_record_no(0);
        fast.record(&fail.0);
        assert_eq!(fast.violation(0, rule), Ok(Some(true)));
        fast.set_record_no(u32::MAX);
        fast.record(&pass.0);
        assert_eq!(fast.violation(0, rule), Ok(Some(false)));
    });
}
