//! A record without its group key could be in any group: it is undetermined
//! (by its own key) only when it could change a group's verdict. A case
//! taken online without its department is neither a centre nor a 原单位
//! case of any department (H002), an authorisation row of 初审 without its
//! department grants no 决定 (A004): no verdict; they were undetermined.

mod common;

/// One in-centre item, A2, of department D.
const CATALOGUE: &str = "事项编码,事项名称,事项类型,实施主体,是否进驻中心,办件类型,承诺办结时限\n\
                         A2,x,行政许可,D,是,承诺件,10\n";

fn undetermined(json: &serde_json::Value, code: &str) -> Vec<String> {
    common::with_code(json, "undetermined", code)
        .iter()
        .map(|u| u["key"].to_string())
        .collect()
}

#[test]
fn a_record_without_its_group_key_is_undetermined_only_if_it_could_matter() {
    let dir = common::folder(&[
        ("事项目录.csv", CATALOGUE),
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
             n3,A2,,网上,2025-03-03 09:00,2025-03-04 09:00\n\
             n4,ZZ,,网上,2025-03-03 09:00,2025-03-04 09:00\n\
             n5,A2,D,中心窗口,2025-03-03 09:00,2025-03-04 09:00\n\
             n6,A2,,原单位,2025-03-03 09:00,2025-03-04 09:00\n",
        ),
        (
            "窗口授权.csv",
            "授权单位,事项编码,授权级别,是否授权审批专用章,生效日期,失效日期\n\
             ,A2,初审,否,2025-01-01,\n\
             ,A2,决定,否,2025-01-01,\n\
             D,A2,决定,是,2025-01-01,\n",
        ),
    ]);
    let fast = common::audit_json(None, dir.path(), &[]);
    let reference = common::audit_json(Some("reference"), dir.path(), &[]);
    assert_eq!(fast["undetermined"], reference["undetermined"]);
    assert_eq!(fast["findings"], reference["findings"]);
    // n6, taken at 原单位, may be D's: D's item A2 may be handled on two
    // tracks. n3 and n4, online, change no department's verdict.
    assert_eq!(undetermined(&fast, "H002"), [r#"["n6"]"#]);
    // The 决定 row without a seal may be any department's; the 初审 one
    // grants no 决定.
    assert_eq!(undetermined(&fast, "A004"), [r#"["","A2","2025-01-01"]"#]);
    assert!(common::with_code(&fast, "findings", "A004").is_empty());
}

/// A group's undetermined verdict names, besides its first rows, the
/// records whose contribution is unknown (row 9, the eighth case, without
/// its 受理时间); it named the first five rows only, none of them the one
/// to mend.
#[test]
fn a_groups_undetermined_verdict_names_the_records_it_could_not_count() {
    let mut cases = String::from("办件编号,事项编码,受理部门,受理渠道,受理时间\n");
    for i in 1..=7 {
        cases.push_str(&format!("C{i},A1,D,中心窗口,2025-03-0{i} 09:00\n"));
    }
    cases.push_str("C8,A1,D,中心窗口,\n");
    let dir = common::folder(&[("办件记录.csv", &cases)]);
    let policy = common::policy_folder(
        "policy t {\n  title \"t\"\n}\n\
         rule X204 dated {\n  title \"x\"\n  severity error\n  cite gangnan-2017 \"四、(六)\"\n\
         \x20 for case in cases\n  group by case.dept\n\
         \x20 require all(date(case.accepted_at) >= 2025-01-01)\n  message \"{case.dept}\"\n}\n",
    );
    for engine in [None, Some("reference")] {
        let json = common::audit_json(engine, dir.path(), &common::yimen_files(policy.path()));
        let u = common::with_code(&json, "undetermined", "X204");
        assert_eq!(u.len(), 1, "{json:#}");
        let rows: Vec<u64> = u[0]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["row"].as_u64().unwrap())
            .collect();
        assert_eq!(rows, [2, 3, 4, 5, 6, 9], "{engine:?}");
        assert_eq!(u[0]["missing"], serde_json::json!(["accepted_at"]));
    }
}

/// A group's violation that a record without its group key could overturn
/// is not certain: 甲局's one case at 原单位 fails `any(centre)` and
/// `count() >= 2`, but C2, a centre case whose department is missing, may
/// be 甲局's (both undetermined, naming the missing department; C2 too, by
/// its own key). A violation no such record can overturn stands: H002's
/// two tracks of D stay a finding beside a key-less 原单位 case, which
/// could only add a track.
#[test]
fn a_group_violation_a_keyless_record_could_overturn_is_undetermined() {
    let policy = common::policy_folder(
        r#"policy p {
  title "无分组键"
}

rule K241 needs-centre {
  severity error
  cite sandu-2018 "七、(六)"
  for case in cases
  group by case.dept
  require any(case.channel == "中心窗口")
}

rule K242 at-least-two {
  severity error
  cite sandu-2018 "七、(六)"
  for case in cases
  group by case.dept
  require count() >= 2
}
"#,
    );
    let dir = common::folder(&[
        ("事项目录.csv", CATALOGUE),
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
             C1,A2,甲局,原单位,2025-03-03 09:00,2025-03-04 09:00\n\
             C2,A2,,中心窗口,2025-03-03 09:00,2025-03-04 09:00\n\
             D1,A2,D,中心窗口,2025-03-03 09:00,2025-03-04 09:00\n\
             D2,A2,D,原单位,2025-03-03 09:00,2025-03-04 09:00\n",
        ),
    ]);
    let mut paths = common::yimen_files(policy.path());
    paths.extend(common::yimen_files(&common::root().join("policies")));
    for engine in [None, Some("reference")] {
        let json: serde_json::Value =
            serde_json::from_slice(&common::audit_bytes(engine, dir.path(), &paths, &[])).unwrap();
        for code in ["K241", "K242"] {
            assert!(
                common::with_code(&json, "findings", code).is_empty(),
                "{code}: {json:#}"
            );
            let und = common::with_code(&json, "undetermined", code);
            let keys: Vec<String> = und.iter().map(|u| u["key"].to_string()).collect();
            assert!(
                keys.contains(&r#"["甲局"]"#.to_string()),
                "{code}: {keys:?}"
            );
            let group = und.iter().find(|u| u["key"][0] == "甲局").unwrap();
            assert_eq!(group["missing"], serde_json::json!(["dept"]), "{code}");
        }
        let h002: Vec<String> = common::with_code(&json, "findings", "H002")
            .iter()
            .map(|f| f["key"].to_string())
            .collect();
        assert_eq!(h002, [r#"["D","A2"]"#], "{engine:?}");
    }
}

/// A record missing part of its group key may join only the groups its
/// known values match: C2 is 乙局's, so (甲局, A2)'s one case stays a
/// finding of `count() >= 2` (it was undetermined); (乙局, A2) with C3
/// alone may gain C2 and is undetermined. The undetermined verdict lists
/// the group's own row and then the key-less one that could join it (its
/// own rows all listed: the key-less one is no row of the group).
#[test]
fn a_record_missing_part_of_its_key_may_join_only_the_groups_it_matches() {
    let policy = common::policy_folder(
        r#"policy p {
  title "部分分组键"
}

rule K251 at-least-two {
  severity error
  cite sandu-2018 "七、(六)"
  for case in cases
  group by case.dept, case.item_code
  require count() >= 2
}
"#,
    );
    let dir = common::folder(&[(
        "办件记录.csv",
        "办件编号,事项编码,受理部门,受理渠道,受理时间\n\
         C1,A2,甲局,原单位,2025-03-03 09:00\n\
         C2,,乙局,中心窗口,2025-03-03 09:00\n\
         C3,A2,乙局,原单位,2025-03-03 09:00\n",
    )]);
    let paths = common::yimen_files(policy.path());
    for engine in [None, Some("reference")] {
        let json: serde_json::Value =
            serde_json::from_slice(&common::audit_bytes(engine, dir.path(), &paths, &[])).unwrap();
        let keys = |what: &str| -> Vec<String> {
            common::with_code(&json, what, "K251")
                .iter()
                .map(|v| v["key"].to_string())
                .collect()
        };
        assert_eq!(keys("findings"), [r#"["甲局","A2"]"#], "{engine:?}");
        assert_eq!(
            keys("undetermined"),
            [r#"["C2"]"#, r#"["乙局","A2"]"#],
            "{engine:?}"
        );
        let und = common::with_code(&json, "undetermined", "K251");
        let group = und.iter().find(|u| u["key"][0] == "乙局").unwrap();
        let rows: Vec<u64> = group["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["row"].as_u64().unwrap())
            .collect();
        assert_eq!(rows, [4, 3], "own row first, then the one that may join");
        // (Its one row listed: no `group_rows`, which says a list was cut.)
        assert!(group["group_rows"].is_null(), "{group:#}");
        assert_eq!(group["missing"], serde_json::json!(["item_code"]));
    }
}
