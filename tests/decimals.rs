//! Money: decimals are held in binary floating point, but compare and print
//! as a person reckons them: a sum of 0.10 and 0.20 is 0.3 (not over a
//! limit of 0.3, printed "0.3"), a net of 0.3 - 0.2 is 0.1.

mod common;

const POLICY: &str = r#"policy p {
  title "金额"
}

rule R401 fee-total {
  severity error
  cite dazu-2002 "三、(二)"
  for fee in fees
  group by fee.case_id
  require sum(fee.amount) <= 0.3
}

rule R402 net {
  severity error
  cite dazu-2002 "三、(二)"
  for fee in fees
  require fee.amount - fee.waiver >= 0.1
}

rule R403 listing {
  severity info
  cite dazu-2002 "三、(二)"
  for fee in fees
  group by fee.case_id
  require count() > 9
  message "办件 {fee.case_id} 收费合计 {sum(fee.amount)} 元, 三分之一为 {sum(fee.amount) / 3} 元"
}
"#;

#[test]
fn decimal_sums_and_differences_compare_and_print_as_reckoned() {
    let json = audit_fees(
        POLICY,
        "收费流水号,办件编号,收费金额,减免金额\nF1,C1,0.10,0\nF2,C1,0.20,0\nF3,C2,0.3,0.2\n",
        None,
    );
    let mut messages: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    messages.sort();
    // 0.1 + 0.2 is 0.3, not over a limit of 0.3 (no R401); 0.3 - 0.2 is
    // 0.1, not under 0.1 (no R402); sums print as reckoned.
    assert_eq!(
        messages,
        [
            "R403 办件 C1 收费合计 0.3 元, 三分之一为 0.1 元",
            "R403 办件 C2 收费合计 0.3 元, 三分之一为 0.1 元",
        ],
        "{}",
        json["findings"]
    );
    let undetermined = json["undetermined"].as_array().unwrap();
    assert!(undetermined.is_empty(), "{undetermined:?}");
}

/// A division by zero is undetermined, and says so in place of a missing
/// field's name (an empty list read as "缺少" followed by nothing).
#[test]
fn a_division_by_zero_is_undetermined_and_named() {
    let json = audit_fees(
        r#"policy p {
  title "除法"
}

rule R301 ratio {
  severity warning
  cite dazu-2002 "三、(二)"
  for fee in fees
  require fee.amount / fee.waiver > 1
}
"#,
        "收费流水号,办件编号,收费金额,减免金额\nF1,C1,10,0\nF2,C1,10,5\n",
        None,
    );
    let undetermined = json["undetermined"].as_array().unwrap();
    assert_eq!(undetermined.len(), 1, "{undetermined:?}");
    assert_eq!(undetermined[0]["key"], serde_json::json!(["F1"]));
    assert_eq!(
        undetermined[0]["missing"],
        serde_json::json!(["waiver(除数为零)"])
    );
    assert!(json["findings"].as_array().unwrap().is_empty());
}

/// A `percent` parameter reads in a message as a percentage (`12.5%`), as
/// it was written, not as the fraction it holds.
#[test]
fn a_percent_parameter_prints_as_a_percentage() {
    let json = audit_fees(
        r#"policy p {
  title "百分比"
}

param 减免上限: percent = 12.5%

rule R302 waiver-share {
  severity warning
  cite dazu-2002 "三、(二)"
  for fee in fees
  require fee.waiver <= fee.amount * 减免上限
  message "减免 {fee.waiver} 元, 超过收费的 {减免上限}"
}
"#,
        "收费流水号,办件编号,收费金额,减免金额\nF1,C1,100,20\nF2,C1,100,12.5\n",
        None,
    );
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["message"], "减免 20 元, 超过收费的 12.5%");
}

/// The fast path and the reference agree on what a division by zero notes,
/// inside a group's aggregate too (the fast path hands such a record over).
#[test]
fn a_division_by_zero_notes_the_same_on_both_engines() {
    let policy = r#"policy p {
  title "除法"
}

rule R303 grouped {
  severity warning
  cite dazu-2002 "三、(二)"
  for fee in fees
  group by fee.dept
  require count(fee.amount / fee.waiver > 1 or fee.item_code == "Z") < 2
}
"#;
    // F1 counts, F2 is unknown: the count is 1 or 2, so `< 2` is not decided.
    let csv = "收费流水号,事项编码,开票部门,收费金额,减免金额\nF1,Z,X局,10,0\nF2,Y,X局,,2\n";
    let fast = audit_fees(policy, csv, None);
    let reference = audit_fees(policy, csv, Some("reference"));
    assert_eq!(fast, reference);
    let missing = fast["undetermined"][0]["missing"].to_string();
    assert!(
        missing.contains("waiver(除数为零)"),
        "{}",
        fast["undetermined"]
    );
}

/// The audit JSON of a fee ledger `csv` (收费记录.csv) under `policy` alone,
/// on the given engine.
fn audit_fees(policy: &str, csv: &str, engine: Option<&str>) -> serde_json::Value {
    let policies = common::policy_folder(policy);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("收费记录.csv"), csv).unwrap();
    common::audit_json(engine, dir.path(), &[policies.path().to_path_buf()])
}

/// A `percent` parameter given as a bare number above 1 (`30`, meant as
/// 30%) is refused with the two ways to write it (it was read as 3000%, and
/// the rule never fired); a negative one too. `30%` and `0.3` are the same.
/// A parameter given twice with `--param` is refused (which was meant?).
#[test]
fn a_percent_parameter_refuses_a_bare_number_above_one() {
    let policies = common::policy_folder(
        "policy p {\n  title \"百分比\"\n}\n\nparam 减免上限: percent = 12.5%\n\n\
         rule R302 waiver-share {\n  severity warning\n  cite dazu-2002 \"三、(二)\"\n\
         \x20 for fee in fees\n  require fee.waiver <= fee.amount * 减免上限\n\
         \x20 message \"减免 {fee.waiver} 元, 超过收费的 {减免上限}\"\n}\n",
    );
    let dir = common::folder(&[(
        "收费记录.csv",
        "收费流水号,办件编号,收费金额,减免金额\nF1,C1,100,20\nF2,C1,100,40\n",
    )]);
    let policies = [policies.path().to_path_buf()];
    let run = |extra: &[&str]| {
        common::audit_command(None, dir.path(), &policies)
            .args(extra)
            .output()
            .unwrap()
    };
    for given in ["减免上限=30%", "减免上限=0.3"] {
        let out = run(&["--param", given]);
        common::assert_success(&out);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let keys: Vec<_> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["key"].clone())
            .collect();
        assert_eq!(keys, [serde_json::json!(["F2"])], "{given}");
    }
    let file = dir.path().join("params.yaml");
    std::fs::write(&file, "# 本地参数\n减免上限: 30\n").unwrap();
    for (extra, needles) in [
        (vec!["--param", "减免上限=30"], vec!["30%", "0.3"]),
        (vec!["--param", "减免上限=-5%"], vec!["不能为负数"]),
        (
            vec!["--params", file.to_str().unwrap()],
            vec!["params.yaml", "第 2 行", "30%"],
        ),
        (
            vec!["--param", "减免上限=30%", "--param", "减免上限=40%"],
            vec!["两次"],
        ),
        // No number a rule could use: not a number, infinite, or an
        // exponent past f64 (1e400 is infinite, 1e-400 zero).
        (vec!["--param", "减免上限=NaN"], vec!["减免上限", "NaN"]),
        (vec!["--param", "减免上限=inf"], vec!["减免上限", "inf"]),
        (vec!["--param", "减免上限=1e400"], vec!["减免上限", "1e400"]),
        (
            vec!["--param", "减免上限=1e-400"],
            vec!["减免上限", "1e-400"],
        ),
    ] {
        let out = run(&extra);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        for n in needles {
            assert!(err.contains(n), "{extra:?}: {n} in {err}");
        }
    }
}

/// An amount of millions with cents prints as written in messages and
/// evidence (`1234567.89` showed as `1234567.8899999999`, its binary form
/// to ten places), with or without thousands separators and unit.
#[test]
fn an_amount_of_millions_prints_as_written() {
    let policy = r#"policy p {
  title "金额"
}

rule R404 big-fee {
  severity info
  cite dazu-2002 "三、(二)"
  for fee in fees
  require fee.amount < 1000000
  message "收取 {fee.amount} 元"
}
"#;
    let json = audit_fees(
        policy,
        "收费流水号,办件编号,收费金额\nF1,C1,\"1,234,567.89\"\nF2,C1,6539906.55元\nF3,C1,99999999.99\n",
        None,
    );
    let shown: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["message"].as_str().unwrap().to_string(),
                f["evidence"][0]["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("收取 1234567.89 元".to_string(), "1234567.89".to_string()),
            ("收取 6539906.55 元".to_string(), "6539906.55".to_string()),
            ("收取 99999999.99 元".to_string(), "99999999.99".to_string()),
        ],
        "{}",
        json["findings"]
    );
}

/// J002 (a big project not handled jointly) on an investment a 分 below
/// 1,000 万元, written in 元 (9,999,999.99 元 is 999.999999 万元) or in
/// 万元: no finding, where comparing within a relative billionth made it
/// 1,000 万元; exactly 1,000 万元, in either unit, is a finding. Both
/// engines, the shipped policies.
#[test]
fn an_investment_a_fen_below_the_threshold_is_below_it() {
    let dir = common::folder(&[(
        "办件记录.csv",
        "办件编号,事项编码,受理部门,受理时间,是否联办,项目类型,投资额(万元)\n\
         I1,A1,发改局,2025-03-03 09:00:00,否,基建,9999999.99元\n\
         I2,A1,发改局,2025-03-03 09:00:00,否,基建,999.999999\n\
         I3,A1,发改局,2025-03-03 09:00:00,否,基建,1000\n\
         I4,A1,发改局,2025-03-03 09:00:00,否,基建,\"10,000,000元\"\n\
         I5,A1,发改局,2025-03-03 09:00:00,否,基建,999.99\n",
    )]);
    for engine in [None, Some("reference")] {
        let json = common::audit_json(engine, dir.path(), &[]);
        let mut keys: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "J002")
            .map(|f| f["key"][0].as_str().unwrap().to_string())
            .collect();
        keys.sort();
        assert_eq!(keys, ["I3", "I4"], "{engine:?}");
    }
}

/// A decimal whose digits a binary float does not keep as written is a data
/// error (past fifteen significant digits, or ten places:
/// 12345678901234567.89 became 12345678901234568 and was shown so in the
/// evidence); fifteen are kept as written, trailing and leading zeros not
/// counted, and so is a larger whole number a float holds (2^53). An
/// integer past 64 bits is said to be out of range, not "not an integer".
#[test]
fn a_decimal_past_fifteen_digits_is_a_data_error() {
    let json = audit_fees(
        POLICY,
        "收费流水号,办件编号,收费金额,减免金额\n\
         F1,C1,12345678901234567.89,0\n\
         F2,C2,1234567890123.45,0\n\
         F3,C3,12345.6789012345,0\n\
         F4,C4,12000000000000000000,0\n\
         F5,C5,9007199254740992,0.00000000001\n",
        None,
    );
    let errors: Vec<(u64, &str, &str)> = json["data_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["value"].as_str().unwrap(),
                e["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [(
            2,
            "12345678901234567.89",
            "有效数字超过 15 位 (或小数超过 10 位), 无法按原值计算 (Excel 也只保留 15 位有效数字)"
        ),
        (
            6,
            "0.00000000001",
            "有效数字超过 15 位 (或小数超过 10 位), 无法按原值计算 (Excel 也只保留 15 位有效数字)"
        ),],
        "{json}"
    );
    let dir = common::folder(&[(
        "办件记录.csv",
        "办件编号,事项编码,受理时间,特别程序天数\nC1,A1,2025-03-03,99999999999999999999\nC2,A1,2025-03-03,1.5\nC3,A1,2025-03-03,12345678901234567890.5\n",
    )]);
    let json = common::audit_json(None, dir.path(), &[]);
    let messages: Vec<&str> = json["data_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["整数超出范围", "不是整数", "不是整数"], "{json}");
}
