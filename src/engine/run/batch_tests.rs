//! The batch kernels (`engine::fast::batch`) on records chosen to reach
//! each of their edges: which rules get one, which records they certify
//! (each certified outcome compared with the fast evaluator's), and a
//! chunk's findings, undetermined verdicts and metric counts the same as
//! the reference evaluator's.

use chrono::{NaiveDate, NaiveDateTime};

use super::{Partial, RunOptions, Runner};
use crate::calendar::Calendar;
use crate::engine::data::{Data, Row};
use crate::engine::fast::batch::Kernel;
use crate::ir::{Const, Program};
use crate::schema::Schema;
use crate::sources::SourceRegistry;
use crate::text::Text;
use crate::value::Value;

/// The policy's header and the parameter its rules read.
macro_rules! head {
    () => {
        r#"
policy p { title "t" issuer "i" }
param centre_channels: list<string> = ["中心窗口", "综合窗口"]
"#
    };
}

/// A group rule whose inputs are all known conditions (its members are
/// counted by memo entry: `pending`).
macro_rules! dual {
    () => {
        r#"
rule K008 dual {
  title "h"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  group by case.dept, case.item_code
  require not (any(case.channel in centre_channels) and any(case.channel == "原单位"))
  message "{case.dept} {case.item_code} {count(case.channel == "原单位")}"
}
"#
    };
}

const POLICY: &str = concat!(
    head!(),
    r#"
rule K001 overdue {
  title "a"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  let item = catalogue[case.item_code]
  let end = if case.finished_at is none then as_of else date(case.finished_at)
  let used = workdays(case.accepted_at, end) - case.suspended_days
  require used <= item.promised_days
  message "{case.id}"
}
rule K002 same-day {
  title "b"
  severity warning
  cite gangnan-2017 "四、(六)"
  for case in cases
  let item = catalogue[case.item_code]
  when item.handling_type == "即办件"
  require case.finished_at is not none and date(case.finished_at) <= date(case.accepted_at)
  message "{case.id}"
}
rule K003 channels {
  title "c"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.finished_at is not none
  require case.channel in centre_channels or not (-case.suspended_days < -3)
  message "{case.id}"
}
metric M91 same-day-rate {
  title "d"
  cite gangnan-2017 "四、(六)"
  for case in cases
  per case.dept
  ratio case.finished_at is not none and date(case.finished_at) == date(case.accepted_at)
}
metric M92 on-time-rate {
  title "e"
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.finished_at is not none
  per case.dept
  ratio not fires(K001)
}
rule K006 dated {
  title "f"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  let auth = authorizations[case.dept, case.item_code] valid_on date(case.accepted_at)
  when case.finished_at is not none
  require auth is not none
  message "{case.id}"
}
rule K009 open-long {
  title "i"
  severity warning
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.suspended_days >= 0 and not (case.finished_at is not none)
  require workdays(case.accepted_at, as_of) - case.suspended_days <= 30 and -case.suspended_days <= 0
  message "{case.id}"
}
rule K010 listed {
  title "j"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  require catalogue[case.item_code] is not none
  message "{case.id}"
}
rule K011 listed-refused {
  title "k"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.result == "不予"
  require catalogue[case.item_code] is not none
  message "{case.id}"
}
rule K012 outside-same-day {
  title "l"
  severity warning
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.channel == "原单位"
  require case.finished_at is not none and date(case.finished_at) <= date(case.accepted_at)
  message "{case.id}"
}
metric M93 listed-rate {
  title "m"
  cite gangnan-2017 "四、(六)"
  for case in cases
  per case.dept
  ratio catalogue[case.item_code] is not none
}
rule K007 grouped {
  title "g"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.finished_at is not none
  group by case.dept
  require count() < 100
  message "{case.dept}"
}
"#,
    dual!()
);

fn at(s: &str) -> Value {
    Value::DateTime(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a date and time"))
}

fn text(s: &str) -> Value {
    Value::Str(Text::from(s))
}

/// Catalogue items A1 (承诺件, 5 days), A2 (即办件, 0 days), A3 (no
/// promised days); the cases of [`CASES`], one row each from row 2.
fn data() -> Data {
    let schema = Schema::builtin();
    let mut data = Data::new(schema.datasets.len());
    let cat = schema.dataset_index("catalogue").expect("catalogue");
    let file = data.add_file("事项目录.csv", None);
    for (i, (code, kind, days)) in [
        ("A1", "承诺件", Value::Int(5)),
        ("A2", "即办件", Value::Int(0)),
        ("A3", "承诺件", Value::Empty),
    ]
    .into_iter()
    .enumerate()
    {
        let fields = &schema.datasets[cat];
        let mut values = vec![Value::Empty; fields.fields.len()];
        for (name, v) in [
            ("code", text(code)),
            ("name", text("事项")),
            ("handling_type", text(kind)),
            ("promised_days", days),
        ] {
            values[fields.field_index(name).expect("a field")] = v;
        }
        data.push(
            cat,
            Row {
                file,
                row: i as u32 + 2,
                values,
            },
        );
    }
    let ds = schema.dataset_index("cases").expect("cases");
    let file = data.add_file("cases.csv", None);
    for (i, case) in CASES.iter().enumerate() {
        let fields = &schema.datasets[ds];
        let mut values = vec![Value::Empty; fields.fields.len()];
        values[fields.field_index("id").expect("id")] = text(&format!("C{}", i + 1));
        values[fields.field_index("suspended_days").expect("a field")] = Value::Int(0);
        for (name, v) in &case.1 {
            values[fields.field_index(name).expect("a field")] = v.clone();
        }
        data.push(
            ds,
            Row {
                file,
                row: i as u32 + 2,
                values,
            },
        );
    }
    data
}

type Case = (&'static str, Vec<(&'static str, Value)>);

/// Each case: what it reaches, and its values.
static CASES: std::sync::LazyLock<Vec<Case>> = std::sync::LazyLock::new(|| {
    let base = |item: &str, accepted: &str, finished: Option<&str>| {
        let mut v = vec![
            ("dept", text("市监局")),
            ("item_code", text(item)),
            ("channel", text("中心窗口")),
            ("accepted_at", at(accepted)),
        ];
        if let Some(f) = finished {
            v.push(("finished_at", at(f)));
        }
        v
    };
    let with = |mut v: Vec<(&'static str, Value)>, name: &'static str, x: Value| {
        v.retain(|(n, _)| *n != name);
        v.push((name, x));
        v
    };
    vec![
        (
            "on time",
            base("A1", "2025-03-03 09:00", Some("2025-03-05 10:00")),
        ),
        (
            "overdue",
            base("A1", "2025-03-03 09:00", Some("2025-03-20 10:00")),
        ),
        ("unfinished", base("A1", "2026-06-25 09:00", None)),
        (
            "finished invalid",
            with(
                base("A1", "2025-03-03 09:00", None),
                "finished_at",
                Value::Invalid,
            ),
        ),
        (
            "item not in the catalogue",
            base("A9", "2025-03-03 09:00", Some("2025-03-04 10:00")),
        ),
        (
            "no promised days",
            base("A3", "2025-03-03 09:00", Some("2025-03-04 10:00")),
        ),
        (
            "即办件 same day",
            base("A2", "2025-03-03 09:00", Some("2025-03-03 16:00")),
        ),
        (
            "即办件 next day",
            base("A2", "2025-03-03 09:00", Some("2025-03-04 09:30")),
        ),
        (
            "past the calendar",
            base("A1", "2031-03-03 09:00", Some("2031-03-05 10:00")),
        ),
        (
            "no acceptance",
            with(
                base("A1", "2025-03-03 09:00", Some("2025-03-05 10:00")),
                "accepted_at",
                Value::Empty,
            ),
        ),
        (
            "no item code",
            with(
                base("A1", "2025-03-03 09:00", Some("2025-03-05 10:00")),
                "item_code",
                Value::Empty,
            ),
        ),
        (
            "no department",
            with(
                base("A1", "2025-03-03 09:00", Some("2025-03-03 10:00")),
                "dept",
                Value::Empty,
            ),
        ),
        (
            "elsewhere, long suspended",
            with(
                with(
                    base("A1", "2025-03-03 09:00", Some("2025-03-20 10:00")),
                    "channel",
                    text("原单位"),
                ),
                "suspended_days",
                Value::Int(12),
            ),
        ),
        (
            "no channel",
            with(
                base("A1", "2025-03-03 09:00", Some("2025-03-04 10:00")),
                "channel",
                Value::Empty,
            ),
        ),
        (
            "elsewhere, short suspended",
            with(
                base("A1", "2025-03-03 09:00", Some("2025-03-04 10:00")),
                "channel",
                text("原单位"),
            ),
        ),
        // (原单位 in its matching form only: a trailing ideographic space.)
        (
            "elsewhere spaced, same day",
            with(
                base("A1", "2025-03-03 09:00", Some("2025-03-03 10:00")),
                "channel",
                text("原单位\u{3000}"),
            ),
        ),
        (
            "elsewhere spaced, next day",
            with(
                base("A1", "2025-03-03 09:00", Some("2025-03-04 10:00")),
                "channel",
                text("原单位\u{3000}"),
            ),
        ),
    ]
});

fn options() -> RunOptions<'static> {
    RunOptions {
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30).expect("a date"),
        params: vec![Some(Const::List(std::sync::Arc::new(vec![
            Value::str("中心窗口"),
            Value::str("综合窗口"),
        ])))],
        calendar: Calendar::official(),
        sources: SourceRegistry::builtin(),
        period: None,
    }
}

fn program() -> Program {
    crate::engine::test_program(POLICY)
}

fn code_index(program: &Program, code: &str) -> usize {
    program
        .rules
        .iter()
        .position(|r| r.code == code)
        .expect("a rule")
}

#[test]
fn rules_and_metrics_without_a_memo_get_a_kernel_others_not() {
    let program = program();
    let has = |code: &str| Kernel::of(&program.rules[code_index(&program, code)]).is_some();
    for code in ["K001", "K002", "K003", "K009", "M91", "M92"] {
        assert!(has(code), "{code} has a kernel");
    }
    // A lookup by date and a group rule: none.
    assert!(!has("K006"));
    assert!(!has("K007"));
}

/// A rule a memo replays gets a kernel too when its kernel reads only the
/// columns the other kernels of its dataset read (K010 reads the catalogue
/// item K001 and K002 find): not when it reads one of its own (K011's
/// result), nor a group rule (K008). A metric gets its kernel whatever it
/// reads (M93: a chunk its kernel decides is counted in one loop).
#[test]
fn a_memo_s_rule_gets_a_kernel_when_it_reads_only_other_kernels_columns() {
    let program = program();
    let data = data();
    let opts = options();
    let runner = Runner::new(&program, Schema::builtin(), &data, &opts);
    let ri = |code: &str| code_index(&program, code);
    for code in ["K010", "K011", "M93", "K008"] {
        assert!(runner.memo_plans[ri(code)].is_some(), "{code} has a memo");
        assert!(Kernel::of(&program.rules[ri(code)]).is_some() || code == "K008");
    }
    for code in ["K010", "M93"] {
        assert!(runner.kernels[ri(code)].is_some(), "{code}");
    }
    for code in ["K011", "K008"] {
        assert!(runner.kernels[ri(code)].is_none(), "{code}");
    }
    // (The memo-less rules keep theirs.)
    for code in ["K001", "K002", "K012", "M91"] {
        assert!(runner.kernels[ri(code)].is_some(), "{code}");
    }
}

/// The kernels' outcomes checked against the fast evaluator's notes, which
/// only debug builds keep (`cargo test --release` builds without them).
#[cfg(debug_assertions)]
mod certified {
    use super::*;
    use crate::engine::fast::batch::{self, COUNTED_FALSE, COUNTED_TRUE, PASS, UNSURE};
    use crate::engine::fast::{value_bkey, Fast};

    /// The outcomes the kernels of dataset `ds`'s rules certify for `rows`,
    /// by slot and record, as a fresh worker's chunk (the kernels make the
    /// lookups they read first).
    fn certify(runner: &Runner<'_>, ds: usize, rows: &[Row]) -> Vec<Vec<u8>> {
        let mut fast = Fast::new(&runner.env, &runner.shared_lookups);
        let kernels: Vec<Option<&Kernel>> = runner.rules[ds]
            .iter()
            .map(|(ri, _)| runner.kernels[*ri].as_ref())
            .collect();
        batch::certify(
            &runner.env,
            &mut fast,
            &kernels,
            &runner.kernel_slots[ds],
            runner.env.event_field[ds],
            Fast::earliest_event(runner.env.event_field[ds], rows),
            rows,
        )
    }

    /// The outcomes the kernels certify for the cases, by code and case (a
    /// worker's first chunk), each compared with the fast evaluator's.
    #[test]
    fn the_kernels_certify_the_plain_outcomes_and_nothing_the_fast_path_would_not() {
        let program = program();
        let data = data();
        let opts = options();
        let runner = Runner::new(&program, Schema::builtin(), &data, &opts);
        let ds = Schema::builtin().dataset_index("cases").expect("cases");
        let rows = &data.tables[ds];
        let done = certify(&runner, ds, rows);
        let mut check = Fast::new(&runner.env, &runner.shared_lookups);
        let mut seen = std::collections::BTreeMap::new();
        for (slot, (ri, rule)) in runner.rules[ds].iter().enumerate() {
            for (i, row) in rows.iter().enumerate() {
                let outcome = done[slot].get(i).copied().unwrap_or(UNSURE);
                seen.insert((rule.code.as_str(), CASES[i].0), outcome);
                if outcome == UNSURE {
                    continue;
                }
                check.record(&row.values);
                if runner.kernels[*ri].as_ref().is_some_and(Kernel::is_metric) {
                    let per = row.values[Schema::builtin().datasets[ds]
                        .field_index("dept")
                        .expect("dept")]
                    .clone();
                    let expected = match outcome {
                        PASS => None,
                        o => Some((value_bkey(&per), Some(o == COUNTED_TRUE))),
                    };
                    assert_eq!(
                        check.metric(rule),
                        Ok(expected),
                        "{} {}",
                        rule.code,
                        CASES[i].0
                    );
                } else {
                    assert_eq!(
                        check.violation(*ri, rule),
                        Ok(Some(false)),
                        "{} {}",
                        rule.code,
                        CASES[i].0
                    );
                    assert!(!check.noted_missing(*ri), "{} {}", rule.code, CASES[i].0);
                }
            }
        }
        let expect = |code: &str, case: &str, outcome: u8| {
            assert_eq!(seen[&(code, case)], outcome, "{code} on {case}");
        };
        // K001, overdue: passes when known; the unfinished case counts to the
        // audit date (the `else` branch's missing date not looked at).
        for case in ["on time", "unfinished", "即办件 same day", "no department"] {
            expect("K001", case, PASS);
        }
        // A violation, a missing or invalid value, a key the catalogue lacks,
        // a span the calendar does not know: the fast path and the reference.
        for case in [
            "overdue",
            "finished invalid",
            "item not in the catalogue",
            "no promised days",
            "past the calendar",
            "no acceptance",
        ] {
            expect("K001", case, UNSURE);
        }
        // K002: not a 即办件 passes at the `when`, whatever the dates.
        expect("K002", "overdue", PASS);
        expect("K002", "unfinished", PASS);
        expect("K002", "即办件 same day", PASS);
        expect("K002", "即办件 next day", UNSURE);
        expect("K002", "item not in the catalogue", UNSURE);
        // (A lookup by an empty key: what the item's field compares with is
        // not known.)
        expect("K001", "no item code", UNSURE);
        expect("K002", "no item code", UNSURE);
        // K003: `or`'s left side decides when true; else `not`, `-` and `<`.
        expect("K003", "on time", PASS);
        expect("K003", "unfinished", PASS);
        expect("K003", "elsewhere, short suspended", PASS);
        expect("K003", "elsewhere, long suspended", UNSURE);
        expect("K003", "finished invalid", UNSURE);
        // (`or` true by its right side after an unknown left: a pass the fast
        // path notes a missing value in.)
        expect("K003", "no channel", UNSURE);
        // K010: an item the catalogue has passes; one it lacks, or no item
        // code, is left to the fast path.
        expect("K010", "on time", PASS);
        expect("K010", "item not in the catalogue", UNSURE);
        expect("K010", "no item code", UNSURE);
        // K012: a text compared with 原单位 once per string, in its matching
        // form: the spaced channel is 原单位 too.
        expect("K012", "on time", PASS);
        expect("K012", "elsewhere spaced, same day", PASS);
        expect("K012", "elsewhere spaced, next day", UNSURE);
        expect("K012", "elsewhere, short suspended", UNSURE);
        expect("K012", "no channel", UNSURE);
        // M91: counted, true or false; `and` stops at an unfinished case.
        expect("M91", "on time", COUNTED_FALSE);
        expect("M91", "no department", COUNTED_TRUE);
        expect("M91", "unfinished", COUNTED_FALSE);
        expect("M91", "finished invalid", UNSURE);
        expect("M91", "no acceptance", UNSURE);
        // M92: not counted when unfinished; `fires(K001)` from K001's kernel.
        expect("M92", "unfinished", PASS);
        expect("M92", "on time", COUNTED_TRUE);
        expect("M92", "overdue", UNSURE);
        expect("M92", "no promised days", UNSURE);
    }

    /// Over a chunk of more than two batches, each record's certified
    /// outcomes are those of the same values in a chunk of one: the
    /// columns the kernels share (a case's day of acceptance and of
    /// finishing, its finishing time, the catalogue item its code finds,
    /// read by several) are read at each batch's own place.
    #[test]
    fn the_outcomes_of_a_chunk_of_many_batches_are_each_record_s_own() {
        let program = program();
        let data = data();
        let opts = options();
        let runner = Runner::new(&program, Schema::builtin(), &data, &opts);
        let ds = Schema::builtin().dataset_index("cases").expect("cases");
        // (One string per text, as the reader shares a column's: the
        // lookups a worker remembers are kept by the key string's address,
        // one a slot, and two of the cases' own strings of one item code
        // taking one slot would leave one of them unknown (not certified)
        // in one order of the records and the other in another.)
        let few = &one_string_per_text(&data.tables[ds]);
        let one = certify(&runner, ds, few);
        let many = many_rows(few);
        let all = certify(&runner, ds, &many);
        let n = few.len();
        for (slot, (_, rule)) in runner.rules[ds].iter().enumerate() {
            assert_eq!(all[slot].len(), one[slot].len() * many.len() / n);
            for (k, &outcome) in all[slot].iter().enumerate() {
                let i = (k * 7 + k / n) % n;
                assert_eq!(
                    outcome, one[slot][i],
                    "{} on {} at {k}",
                    rule.code, CASES[i].0
                );
            }
        }
    }
}

/// `rows` with each text one string, shared by every row that holds it.
#[cfg(debug_assertions)]
fn one_string_per_text(rows: &[Row]) -> Vec<Row> {
    let mut strings: std::collections::HashMap<String, Text> = std::collections::HashMap::new();
    rows.iter()
        .map(|r| Row {
            file: r.file,
            row: r.row,
            values: r
                .values
                .iter()
                .map(|v| match v {
                    Value::Str(t) => Value::Str(
                        strings
                            .entry(t.to_string())
                            .or_insert_with(|| t.clone())
                            .clone(),
                    ),
                    v => v.clone(),
                })
                .collect(),
        })
        .collect()
}

/// The cases repeated into a chunk of more than two batches (each copy a
/// row of its own), in a different order in each copy so that a batch
/// starts at every case.
fn many_rows(rows: &[Row]) -> Vec<Row> {
    rows_of(rows, 2600)
}

/// `count` rows made of `rows` in a fixed mixed order, numbered from row 2.
fn rows_of(rows: &[Row], count: usize) -> Vec<Row> {
    let n = rows.len();
    (0..count)
        .map(|k| {
            let r = &rows[(k * 7 + k / n) % n];
            Row {
                file: r.file,
                row: k as u32 + 2,
                values: r.values.clone(),
            }
        })
        .collect()
}

/// The findings (as [`finding_lines`]) of `program` over dataset `ds` of
/// `data` held in memory, by the fast path or by the reference alone.
fn findings_in_memory(program: &Program, data: &Data, ds: usize, fast: bool) -> Vec<String> {
    let opts = options();
    let mut runner = Runner::new(program, Schema::builtin(), data, &opts);
    runner.set_fast_path(fast);
    let mut audit = crate::engine::Audit::default();
    runner.run_in_memory(ds, &mut audit);
    audit.finish();
    finding_lines(&audit.findings)
}

/// Each finding as a line (its code, key, message, evidence and group
/// rows), sorted.
fn finding_lines(findings: &[crate::engine::Finding]) -> Vec<String> {
    let mut lines: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {} {:?} {:?}",
                f.code, f.key, f.message, f.evidence, f.group_rows
            )
        })
        .collect();
    lines.sort();
    lines
}

/// Findings, undetermined verdicts and metric counts of a chunk, its
/// kernels certifying, are the reference evaluator's.
#[test]
fn a_chunk_s_results_with_kernels_are_the_reference_s() {
    let program = program();
    let data = data();
    let opts = options();
    let ds = Schema::builtin().dataset_index("cases").expect("cases");
    let rows = &data.tables[ds];
    let fast = Runner::new(&program, Schema::builtin(), &data, &opts);
    let with_kernels = fast.chunk(ds, rows, None);
    let mut reference = Runner::new(&program, Schema::builtin(), &data, &opts);
    reference.set_fast_path(false);
    let expected = reference.chunk(ds, rows, None);
    let summary = |p: &Partial| {
        let findings = finding_lines(&p.findings);
        let mut undetermined: Vec<String> = p
            .undetermined
            .iter()
            .map(|u| format!("{} {:?} {:?}", u.code, u.key, u.missing))
            .collect();
        undetermined.sort();
        let metrics: Vec<String> = p
            .metrics
            .iter()
            .map(|m| {
                let mut rows: Vec<String> = m
                    .iter()
                    .map(|(k, a)| {
                        format!("{k:?} {}/{} {}", a.numerator, a.denominator, a.undetermined)
                    })
                    .collect();
                rows.sort();
                rows.join("; ")
            })
            .collect();
        (findings, undetermined, metrics)
    };
    let (findings, undetermined, metrics) = summary(&with_kernels);
    assert_eq!(
        (&findings, &undetermined, &metrics),
        (
            &summary(&expected).0,
            &summary(&expected).1,
            &summary(&expected).2
        )
    );
    // (The cases reach findings, undetermined verdicts and counts alike.)
    assert!(findings.iter().any(|f| f.starts_with("K001")));
    assert!(undetermined.iter().any(|u| u.starts_with("K001")));
    assert!(metrics.iter().any(|m| m.contains('/')));
    // A chunk of more than two batches, the reference's too.
    let many = many_rows(rows);
    assert_eq!(
        summary(&fast.chunk(ds, &many, None)),
        summary(&reference.chunk(ds, &many, None)),
        "many batches"
    );
    // The same worker's later chunks, its lookups remembered from the
    // first: of the same records (the strings it remembered them by), and
    // of the same texts in other strings.
    let later = self::data();
    for (what, rows) in [("again", rows), ("other strings", &later.tables[ds])] {
        let again = fast.chunk(ds, rows, None);
        assert_eq!(summary(&again), summary(&expected), "{what}");
    }
}

/// A group rule's members replayed from a memo entry join their group when
/// the worker's groups are folded (`run::pending`), many at once:
/// the findings, their evidence and their groups' rows are the reference
/// evaluator's, which adds each record itself (more members of an entry
/// than any list of evidence keeps).
#[test]
fn group_members_replayed_from_a_memo_give_the_reference_s_findings() {
    let program = program();
    let mut data = data();
    let ds = Schema::builtin().dataset_index("cases").expect("cases");
    data.tables[ds] = many_rows(&data.tables[ds]);
    let fast = findings_in_memory(&program, &data, ds, true);
    assert_eq!(fast, findings_in_memory(&program, &data, ds, false));
    // (Groups of both channels: a finding whose evidence names rows.)
    assert!(
        fast.iter()
            .any(|f| f.starts_with("K008") && f.contains("row")),
        "{fast:?}"
    );
}

/// Two group rules whose memo entries count their members by entry
/// (`pending`), over chunks enough that each worker's later chunks take an
/// entry's condition bits as read at its first member: the bits are the
/// rule's own (the two rules' entries are the same values in the same
/// order, their conditions in another: one rule's bits would be the
/// other's wrong), and the findings the reference's.
#[test]
fn condition_bits_kept_by_memo_entry_are_each_rule_s_own_across_chunks() {
    let program = crate::engine::test_program(concat!(
        head!(),
        dual!(),
        r#"
rule K009 outside {
  title "i"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  group by case.dept, case.item_code
  require not any(case.channel in centre_channels)
  message "{case.dept} {case.item_code} {count(case.channel == "原单位")}"
}
"#
    ));
    let mut data = data();
    let ds = Schema::builtin().dataset_index("cases").expect("cases");
    // (Four chunks of `run::CHUNK` records.)
    data.tables[ds] = rows_of(&data.tables[ds], 4 * super::CHUNK - 100);
    let fast = findings_in_memory(&program, &data, ds, true);
    assert_eq!(fast, findings_in_memory(&program, &data, ds, false));
    for code in ["K008", "K009"] {
        assert!(fast.iter().any(|f| f.starts_with(code)), "{code}: {fast:?}");
    }
}
