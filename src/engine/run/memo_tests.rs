//! Which fields key a rule's memo, and what a key tells apart.

use std::sync::Arc;

use super::{fields_of_rules, MemoKey};
use crate::diagnostics::PolicySource;
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
    let sources = vec![PolicySource::new("p.yimen", POLICY)];
    crate::policy::load_sources(sources, Schema::builtin(), None)
        .expect("the test policy loads")
        .1
}

/// The memo fields of rule `code`, by name.
fn fields(p: &Program, code: &str) -> Option<Vec<String>> {
    let (_, plans) = super::super::agg_plans(p);
    let all = fields_of_rules(p, &plans);
    let ri = p.rules.iter().position(|r| r.code == code).expect("rule");
    let dataset = &Schema::builtin().datasets[p.rules[ri].dataset];
    all[ri].as_ref().map(|fs| {
        let mut names: Vec<String> = fs.iter().map(|&f| dataset.fields[f].name.clone()).collect();
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
    // The date a dated lookup is made on is read, so it keys the memo.
    assert_eq!(
        fields(&p, "X003"),
        Some(names(&["accepted_at", "dept", "item_code"]))
    );
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
fn keys_tell_values_apart_by_identity_and_give_up_on_date_times() {
    let shared: Arc<str> = Arc::from("GA040003");
    let copy: Arc<str> = Arc::from("GA040003");
    let a = vec![Value::Str(Arc::clone(&shared)), Value::Bool(true)];
    let b = vec![Value::Str(Arc::clone(&shared)), Value::Bool(true)];
    let c = vec![Value::Str(copy), Value::Bool(true)];
    let d = vec![Value::Str(shared), Value::Bool(false)];
    let key = |v: &[Value], applies: bool| MemoKey::of(applies, &[0, 1], v).expect("a key");
    assert!(key(&a, true) == key(&b, true), "the same shared text");
    // Equal texts held apart: two keys (a miss, never a wrong replay).
    assert!(key(&a, true) != key(&c, true));
    assert!(key(&a, true) != key(&d, true));
    assert!(key(&a, true) != key(&a, false), "in force or not");
    let when = chrono::NaiveDate::from_ymd_opt(2025, 3, 3)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("a date");
    assert!(MemoKey::of(true, &[0], &[Value::DateTime(when)]).is_none());
    let one = MemoKey::of(true, &[0], &[Value::Empty]);
    let other = MemoKey::of(true, &[0], &[Value::Invalid]);
    assert!(one.is_some() && one != other, "empty and unreadable differ");
}
