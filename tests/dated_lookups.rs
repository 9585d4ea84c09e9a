//! A dated lookup (`authorizations[dept, code] valid_on d`) with a row whose
//! validity date is unreadable: the row decides nothing when a readable
//! bound already rules it out, and the lookup is unknown (its rules
//! undetermined) whenever the row, were it valid, would be the one found;
//! it was skipped when another row was valid (a finding, or a silent pass,
//! decided on the wrong row) and made the lookup unknown even when ruled out.

mod common;

const CATALOGUE: (&str, &str) = (
    "事项目录.csv",
    "事项编码,事项名称,事项类型,实施主体,是否进驻中心,办件类型,是否需现场勘查,是否需集体研究\n\
     A1,甲,行政许可,市监局,是,承诺件,否,否\n\
     A2,乙,行政许可,市监局,是,承诺件,否,否\n",
);

const CASES: (&str, &str) = (
    "办件记录.csv",
    "办件编号,事项编码,受理部门,受理渠道,受理时间,决定人角色\n\
     C1,A1,市监局,中心窗口,2025-06-01 09:00,首席代表\n\
     C2,A2,市监局,中心窗口,2025-06-01 09:00,首席代表\n",
);

fn keys(json: &serde_json::Value, list: &str, code: &str) -> Vec<String> {
    common::with_code(json, list, code)
        .iter()
        .map(|e| e["key"].to_string())
        .collect()
}

/// Both engines, the same verdicts: (findings, undetermined) per code.
fn verdicts(authorizations: &str) -> Vec<(&'static str, Vec<String>, Vec<String>)> {
    let dir = common::folder(&[CATALOGUE, CASES, ("窗口授权.csv", authorizations)]);
    let fast = common::audit_json(None, dir.path(), &[]);
    let reference = common::audit_json(Some("reference"), dir.path(), &[]);
    assert_eq!(fast["findings"], reference["findings"]);
    assert_eq!(fast["undetermined"], reference["undetermined"]);
    ["A001", "A002", "A003"]
        .into_iter()
        .map(|c| {
            (
                c,
                keys(&fast, "findings", c),
                keys(&fast, "undetermined", c),
            )
        })
        .collect()
}

fn none() -> Vec<String> {
    Vec::new()
}

fn two(a: &str, b: &str) -> Vec<String> {
    vec![a.to_string(), b.to_string()]
}

/// A1's 决定 row starts on an unreadable date: valid, it would be the later
/// start and the one found, so A001 on C1 is unknown, not decided on the
/// 初审 row (a finding), and so are A002 and A003 on A1. A2's 无 row ends on
/// an unreadable date: valid, it would be found (the later start), so A001
/// on C2 and A002 and A003 on A2 are unknown (A002 passed silently).
#[test]
fn a_row_that_would_be_found_makes_the_lookup_unknown() {
    let v = verdicts(
        "授权单位,事项编码,授权级别,是否授权审批专用章,生效日期,失效日期\n\
         市监局,A1,决定,是,2025-13-01,\n\
         市监局,A1,初审,是,,\n\
         市监局,A2,决定,是,,\n\
         市监局,A2,无,是,2024-01-01,2025-02-30\n",
    );
    assert_eq!(
        v,
        [
            ("A001", none(), two(r#"["C1"]"#, r#"["C2"]"#)),
            ("A002", none(), two(r#"["A1"]"#, r#"["A2"]"#)),
            ("A003", none(), two(r#"["A1"]"#, r#"["A2"]"#)),
        ]
    );
}

/// A row whose readable bound rules it out (it ended before 2025-06-01, or
/// starts after the audit date) decides nothing, whatever its other date
/// holds: A1 and A2 have no authorisation, C1 and C2 are decided by the
/// chief representative without one (A001), neither item has one on the
/// audit date (A002) and A003 has nothing to check (all were undetermined).
#[test]
fn a_row_ruled_out_by_its_readable_bound_decides_nothing() {
    let v = verdicts(
        "授权单位,事项编码,授权级别,是否授权审批专用章,生效日期,失效日期\n\
         市监局,A1,决定,是,abc,2024-01-01\n\
         市监局,A2,决定,是,2026-01-01,abc\n",
    );
    assert_eq!(
        v,
        [
            ("A001", two(r#"["C1"]"#, r#"["C2"]"#), none()),
            ("A002", two(r#"["A1"]"#, r#"["A2"]"#), none()),
            ("A003", none(), none()),
        ]
    );
}

/// A row that may be valid but would lose to a valid one (an earlier
/// start, unreadable end) changes nothing: the later 决定 row is found
/// (A003: a 决定 without site check or collective decision, not 即办件).
#[test]
fn a_row_that_would_lose_changes_nothing() {
    let v = verdicts(
        "授权单位,事项编码,授权级别,是否授权审批专用章,生效日期,失效日期\n\
         市监局,A1,初审,是,2020-01-01,不详\n\
         市监局,A1,决定,是,2021-01-01,\n\
         市监局,A2,决定,是,2021-01-01,\n",
    );
    assert_eq!(
        v,
        [
            ("A001", none(), none()),
            ("A002", none(), none()),
            ("A003", two(r#"["A1"]"#, r#"["A2"]"#), none()),
        ]
    );
}
