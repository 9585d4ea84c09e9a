//! A map parameter that has no entry for a record's key: the rule needing
//! the value is undetermined, and its verdict names what is missing (the
//! map and the key, `limit_for[区人社局]`), as a missing field is named;
//! `missing` was empty. Both evaluators agree, byte for byte.

mod common;

const POLICY: &str = r#"policy limits {
  title "部门时限"
}

param limit_for: map<string, int> = { "区民政局": 1 }

rule X001 dept-limit {
  title "超过部门时限"
  severity info
  cite gangnan-2017 "四、(六)"
  for case in cases
  require workdays(case.accepted_at, case.finished_at) <= limit_for[case.dept]
  message "办件 {case.id}"
}

rule X003 dept-limit-through-let {
  title "超过部门时限"
  severity info
  cite gangnan-2017 "四、(六)"
  for case in cases
  let lim = limit_for[case.dept]
  require workdays(case.accepted_at, case.finished_at) <= lim
  message "办件 {case.id}"
}

rule X002 dept-listed {
  title "部门有时限"
  severity info
  cite gangnan-2017 "四、(六)"
  for case in cases
  require limit_for[case.dept] is not none
  message "办件 {case.id} 的部门没有时限"
}
"#;

const CASES: &str = "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
C1,A1,区民政局,中心窗口,2025-03-03 09:00:00,2025-03-10 09:00:00\n\
C2,A1,区人社局,中心窗口,2025-03-03 09:00:00,2025-03-10 09:00:00\n\
C3,A1,区民政局,中心窗口,2025-03-03 09:00:00,2025-03-04 09:00:00\n";

#[test]
fn a_map_without_the_key_names_it_in_the_undetermined_verdict() {
    let policies = common::policy_folder(POLICY);
    let dir = common::folder(&[("办件记录.csv", CASES)]);
    let p = [policies.path().to_path_buf()];
    let json = common::audit_json(None, dir.path(), &p);
    let found: Vec<_> = common::with_code(&json, "findings", "X001")
        .iter()
        .map(|f| f["key"][0].as_str().unwrap().to_string())
        .collect();
    assert_eq!(found, ["C1"], "{json}");
    let undetermined = common::with_code(&json, "undetermined", "X001");
    assert_eq!(undetermined.len(), 1, "{json}");
    assert_eq!(undetermined[0]["key"][0], "C2");
    assert_eq!(
        undetermined[0]["missing"],
        serde_json::json!(["limit_for[区人社局]"])
    );
    // Through a `let` as written in the `require`.
    let through_let = common::with_code(&json, "undetermined", "X003");
    assert_eq!(through_let.len(), 1, "{json}");
    assert_eq!(
        through_let[0]["missing"],
        serde_json::json!(["limit_for[区人社局]"])
    );
    // `is none` asks whether there is an entry: decided, nothing missing.
    let x002 = common::with_code(&json, "findings", "X002");
    assert_eq!(x002.len(), 1, "{json}");
    assert_eq!(x002[0]["key"][0], "C2");
    assert!(common::with_code(&json, "undetermined", "X002").is_empty());
    let reference = common::audit_bytes(Some("reference"), dir.path(), &p, &[]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&reference).unwrap(),
        json
    );
}
