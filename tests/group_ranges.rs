//! A group's aggregate with unknown contributions lies in a range (a
//! `ratio` between its least and greatest value, a `max` at least the
//! greatest known value, a `min` at most the least), and a comparison the
//! whole range decides is decided; a message shows the range. The fast
//! path and the reference evaluator agree byte for byte.

mod common;

const POLICY: &str = r#"policy p {
  title "范围"
}

rule K221 mostly-outside {
  severity error
  cite sandu-2018 "七、(六)"
  for case in cases
  when case.result != "撤回"
  group by case.dept
  require ratio(case.channel == "原单位") <= 50%
  message "{case.dept} 原单位受理比例 {ratio(case.channel == "原单位")}, 件数 {count()}"
}

rule K222 fee-range {
  severity error
  cite sandu-2018 "七、(六)"
  for fee in fees
  group by fee.dept
  require max(fee.amount) <= 1000 and min(fee.amount) >= 10
  message "{fee.dept} 最高 {max(fee.amount)} 元, 最低 {min(fee.amount)} 元"
}
"#;

#[test]
fn a_ratio_max_or_min_with_unknown_contributions_decides_by_its_range() {
    let dir = common::folder(&[
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间,办理结果\n\
             C1,A1,甲局,原单位,2025-03-03 09:00,准予\n\
             C2,A1,甲局,原单位,2025-03-03 09:00,准予\n\
             C3,A1,甲局,原单位,2025-03-03 09:00,准予\n\
             C4,A1,甲局,中心窗口,2025-03-03 09:00,准予\n\
             C5,A1,甲局,原单位,2025-03-03 09:00,\n\
             C6,A1,甲局,,2025-03-03 09:00,准予\n\
             C7,A1,乙局,原单位,2025-03-03 09:00,准予\n\
             C8,A1,乙局,,2025-03-03 09:00,准予\n",
        ),
        (
            "收费记录.csv",
            "收费流水号,收费部门,收费金额,收费时间\n\
             F1,甲局,5000,2025-03-03 09:00\n\
             F2,甲局,,2025-03-03 09:00\n\
             F3,乙局,1,2025-03-03 09:00\n\
             F4,乙局,,2025-03-03 09:00\n\
             F5,丙局,500,2025-03-03 09:00\n\
             F6,丙局,,2025-03-03 09:00\n",
        ),
    ]);
    let policy = common::policy_folder(POLICY);
    let paths = common::yimen_files(policy.path());
    let fast = common::audit_bytes(None, dir.path(), &paths, &[]);
    let reference = common::audit_bytes(Some("reference"), dir.path(), &paths, &[]);
    assert_eq!(
        String::from_utf8_lossy(&fast),
        String::from_utf8_lossy(&reference)
    );
    // 甲局: three of four known cases taken at 原单位, one more whose
    // membership is unknown (no 办理结果) and one whose channel is: at
    // least 60%, a finding. 乙局: one of one known, one unknown: at least
    // 50%, undetermined. Fees: 甲局's max is at least 5000, 乙局's min at
    // most 1 (findings); 丙局's 500 decides neither.
    let json: serde_json::Value = serde_json::from_slice(&fast).unwrap();
    let verdicts = serde_json::json!({
        "findings": json["findings"],
        "undetermined": json["undetermined"],
    });
    insta::assert_snapshot!(
        "group_ranges",
        serde_json::to_string_pretty(&verdicts).unwrap()
    );
}
