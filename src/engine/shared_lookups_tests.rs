//! Which lookups the fast path shares across rules.

use super::SharedLookups;
use crate::ir::{IrExpr, Program};

const POLICY: &str = r#"
policy p { title "t" issuer "i" }
rule X001 a {
  title "a"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  let item = catalogue[case.item_code]
  require item.in_center
  message "m"
}
rule X002 b {
  title "b"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  let item = catalogue[case.item_code]
  let auth = authorizations[case.dept, case.item_code] valid_on date(case.accepted_at)
  let other = catalogue[item.code]
  require item.promised_days > 0 and auth is not none and other is not none
  message "m"
}
"#;

fn program() -> Program {
    crate::engine::test_program(POLICY)
}

/// The `let` expressions of rule `code`, by name.
fn let_expr<'p>(p: &'p Program, code: &str, name: &str) -> &'p IrExpr {
    let rule = p.rules.iter().find(|r| r.code == code).expect("rule");
    &rule.lets.iter().find(|l| l.name == name).expect("let").expr
}

#[test]
fn equal_record_lookups_share_an_id_and_let_dependent_ones_have_none() {
    let p = program();
    let shared = SharedLookups::new(&p);
    let a = shared.id(let_expr(&p, "X001", "item"));
    let b = shared.id(let_expr(&p, "X002", "item"));
    assert!(a.is_some());
    assert_eq!(a, b, "the same lookup in two rules is one");
    let auth = shared.id(let_expr(&p, "X002", "auth"));
    assert!(
        auth.is_some() && auth != a,
        "a dated lookup on the record is shared too"
    );
    // Keyed by a `let` (another lookup's record): not shared.
    assert_eq!(shared.id(let_expr(&p, "X002", "other")), None);
    assert_eq!(shared.count(), 2);
}
