//! Which fields key a rule's memo, and what its keys tell apart.

use crate::text::Text;

use super::{plans, Memo, MemoPlan, Outcome};
use crate::engine::eval::AggInput;
use crate::ir::Program;
use crate::schema::Schema;
use crate::value::Value;

const POLICY: &str = r#"
policy p { title "t" issuer "i" }
rule X001 outside {
  title "a"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  let item = catalogue[case.item_code]
  when case.channel == "原单位"
  require not item.in_center
  message "办件 {case.id} 在原单位受理"
}
rule X002 dual {
  title "b"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  group by case.dept, case.item_code
  require not (any(case.channel == "原单位") and count() > 1)
  message "{case.dept} {count(case.joint)}"
}
rule X003 dated {
  title "c"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  let auth = authorizations[case.dept, case.item_code] valid_on date(case.accepted_at)
  require auth is not none
  message "m"
}
rule X004 follows {
  title "d"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  require not fires(X001)
  message "m"
}
rule X005 many {
  title "e"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  require case.dept != case.lead_dept or case.joint or case.channel == "网上" or case.result == "准予" or case.item_code == "A"
  message "m"
}
metric M91 share {
  title "f"
  cite gangnan-2017 "四、(六)"
  for case in cases
  per case.dept
  ratio case.joint
}
"#;

fn program() -> Program {
    crate::engine::test_program(POLICY)
}

/// The memo plan of rule `code`.
fn plan_of(p: &Program, code: &str) -> Option<MemoPlan> {
    let (_, aggs) = super::super::agg_plans(p);
    let mut all = plans(p, Schema::builtin(), &aggs);
    let ri = p.rules.iter().position(|r| r.code == code).expect("rule");
    all.swap_remove(ri)
}

/// The memo fields of rule `code`, by name.
fn fields(p: &Program, code: &str) -> Option<Vec<String>> {
    let ri = p.rules.iter().position(|r| r.code == code).expect("rule");
    let dataset = &Schema::builtin().datasets[p.rules[ri].dataset];
    plan_of(p, code).map(|plan| {
        let mut names: Vec<String> = plan
            .fields
            .iter()
            .map(|&f| dataset.fields[f].name.clone())
            .collect();
        names.sort_unstable();
        names
    })
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

#[test]
fn a_memo_is_keyed_by_what_the_verdict_reads_not_by_the_message() {
    let p = program();
    // `case.id` is read only by the message (of a finding, which the
    // reference evaluator writes): not part of the key.
    assert_eq!(fields(&p, "X001"), Some(names(&["channel", "item_code"])));
    // A group rule: its keys and the arguments of its aggregates, the
    // message's among them (they are counted per record).
    assert_eq!(
        fields(&p, "X002"),
        Some(names(&["channel", "dept", "item_code", "joint"]))
    );
    assert_eq!(fields(&p, "M91"), Some(names(&["dept", "joint"])));
    // A date and time (the day a dated lookup is made on) has too many
    // values for a memo to pay.
    assert_eq!(fields(&p, "X003"), None);
}

#[test]
fn a_rule_that_reads_another_rule_or_too_many_fields_has_no_memo() {
    let p = program();
    assert_eq!(
        fields(&p, "X004"),
        None,
        "fires(...) reads the other rule's fields"
    );
    assert_eq!(fields(&p, "X005"), None, "five fields");
}

#[test]
fn per_and_group_keys_are_read_from_the_replaying_record() {
    let p = program();
    let cases = Schema::builtin()
        .datasets
        .iter()
        .find(|d| d.name == "cases")
        .expect("cases");
    let field = |n: &str| cases.field_index(n).expect("field");
    let m = plan_of(&p, "M91").expect("a memo");
    assert_eq!(m.per, Some(field("dept")));
    let g = plan_of(&p, "X002").expect("a memo");
    assert_eq!(g.group, vec![field("dept"), field("item_code")]);
}

#[test]
fn an_outcome_is_replayed_for_the_same_content_only() {
    let code = |s: &str| Value::Str(Text::from(s));
    let a = vec![code("GA040003"), Value::Bool(true)];
    // The same texts held apart (as in another chunk): the same key.
    let b = vec![code("GA040003"), Value::Bool(true)];
    let other_code = vec![code("GA040004"), Value::Bool(true)];
    let other_flag = vec![code("GA040003"), Value::Bool(false)];
    let fields = [0, 1];
    let mut memo = Memo::default();
    memo.keep(true, &fields, &a, Outcome::Passed);
    let replayed = |memo: &mut Memo, v: &[Value], applies: bool| {
        matches!(memo.get(applies, &fields, v), Some((0, Outcome::Passed)))
    };
    assert!(replayed(&mut memo, &a, true));
    assert!(replayed(&mut memo, &b, true));
    assert!(!replayed(&mut memo, &other_code, true));
    assert!(!replayed(&mut memo, &other_flag, true));
    assert!(!replayed(&mut memo, &a, false), "in force or not");
    // Empty and unreadable are told apart; a date and time has no key.
    let empty = [Value::Empty];
    let invalid = [Value::Invalid];
    assert_ne!(
        Memo::hash(true, &[0], &empty),
        Memo::hash(true, &[0], &invalid)
    );
    memo.keep(true, &[0], &empty, Outcome::NotCounted);
    assert!(memo.get(true, &[0], &invalid).is_none());
    let when = chrono::NaiveDate::from_ymd_opt(2025, 3, 3)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("a date");
    assert_eq!(Memo::hash(true, &[0], &[Value::DateTime(when)]), None);
    memo.keep(true, &[0], &[Value::DateTime(when)], Outcome::NotCounted);
    assert!(memo.get(true, &[0], &[Value::DateTime(when)]).is_none());
}

/// As many keys as the memo keeps, at least as many as its table of recent
/// keys has slots (so that many keys share a slot): each key replays its
/// own outcome, found by its strings or, held apart, by its content.
#[test]
fn each_key_replays_its_own_outcome_past_the_table_of_recent_keys() {
    let n = super::MAX_ENTRIES;
    assert!(n >= super::SLOTS, "at least as many keys as slots");
    let keys: Vec<Vec<Value>> = (0..n)
        .map(|k| {
            vec![
                Value::Str(Text::from(format!("GA{k:06}"))),
                Value::Bool(k % 3 == 0),
            ]
        })
        .collect();
    let fields = [0, 1];
    let outcome = |k: i64| Outcome::Member(Some(vec![AggInput::Value(Some(Value::Int(k)))].into()));
    let mut memo = Memo::default();
    for (k, v) in keys.iter().enumerate() {
        memo.keep(true, &fields, v, outcome(k as i64));
    }
    let own = |memo: &mut Memo, v: &[Value], k: usize| match memo.get(true, &fields, v) {
        // (Its place is where it was kept: the k-th.)
        Some((place, Outcome::Member(Some(inputs)))) => {
            place == k && inputs.as_ref() == [AggInput::Value(Some(Value::Int(k as i64)))]
        }
        _ => false,
    };
    // In another order than kept, twice (the second time from the slots
    // the first time named).
    for _ in 0..2 {
        for k in (0..n).map(|i| (i * 7) % n) {
            assert!(own(&mut memo, &keys[k], k), "key {k}");
            let apart = vec![
                Value::Str(Text::from(format!("GA{k:06}"))),
                keys[k][1].clone(),
            ];
            assert!(own(&mut memo, &apart, k), "key {k} held apart");
            let flipped = vec![keys[k][0].clone(), Value::Bool(k % 3 != 0)];
            assert!(
                memo.get(true, &fields, &flipped).is_none(),
                "key {k} flipped"
            );
        }
    }
}

/// A memo that replays fewer than half of its lookups stops at the end of a
/// trial (`TRIAL` lookups, and every as many after), not before; one that
/// replays more goes on.
#[test]
fn a_memo_that_replays_too_little_stops_at_the_end_of_a_trial() {
    let trial = usize::try_from(super::TRIAL).unwrap();
    let fields = [0];
    let value = |k: usize| [Value::Int(k as i64)];
    // Every lookup a new value, kept after it: no replay.
    let mut varied = Memo::default();
    for k in 0..trial {
        assert!(varied.is_on(), "on before the trial's end, lookup {k}");
        assert!(varied.get(true, &fields, &value(k)).is_none());
        varied.keep(true, &fields, &value(k), Outcome::Passed);
    }
    assert!(!varied.is_on(), "off at the trial's end");
    // Half of them replays (one value, then a new one), for three trials:
    // never fewer than half.
    let mut half = Memo::default();
    half.keep(true, &fields, &value(0), Outcome::Passed);
    for k in 0..3 * trial {
        assert!(half.is_on(), "on at lookup {k}");
        let v = if k % 2 == 0 { value(0) } else { value(k + 1) };
        let _ = half.get(true, &fields, &v);
    }
    assert!(half.is_on());
    // Replays for three quarters of a trial, then none: on through the
    // second trial (fewer than half of all its lookups replayed from its
    // middle on), off at its end.
    let mut late = Memo::default();
    late.keep(true, &fields, &value(0), Outcome::Passed);
    for k in 0..2 * trial {
        assert!(late.is_on(), "on at lookup {k}");
        let v = if k < trial * 3 / 4 {
            value(0)
        } else {
            value(k + 1)
        };
        let _ = late.get(true, &fields, &v);
    }
    assert!(!late.is_on(), "off at the second trial's end");
}
