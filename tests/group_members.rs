//! A group member's contribution (its group key and aggregate inputs) on the
//! fast path: the same as the reference evaluator's, missing values noted
//! included. The debug build under test checks every member against the
//! reference as it is added (`check_member` in `src/engine/run/fast_path.rs`),
//! so a disagreement fails the audit itself; the JSON is also compared with
//! the reference evaluator's, byte for byte.

mod common;

const POLICY: &str = r#"/// 组成员
policy members {
  title "组成员"
  issuer "yimen"
}

/// 有效期读不出的授权, 被 or 的另一边吞掉
rule X001 grouped {
  title "分组"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  group by case.dept
  require not any(authorizations[case.dept, case.item_code] valid_on date(case.accepted_at) is none or case.joint)
  message "{case.dept} {count()}"
}
"#;

#[test]
fn a_dated_lookup_with_an_unreadable_validity_is_noted_as_the_reference_notes_it() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心\nK1,甲,行政许可,市监局,是\n",
    )
    .unwrap();
    // The one authorisation of 市监局 for K1 has a start date that is no date:
    // whether it is valid on a case's day is not known.
    std::fs::write(
        tmp.path().join("窗口授权.csv"),
        "授权单位,事项编码,授权级别,生效日期,失效日期\n市监局,K1,决定,2025-13-45,\n",
    )
    .unwrap();
    // A joint case (the unknown is swallowed by `or`) and a case that is not
    // (the unknown stays unknown).
    std::fs::write(
        tmp.path().join("办件记录.csv"),
        "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间,是否联办\n\
         C1,K1,市监局,综合窗口,2025-03-03 09:00:00,2025-03-03 10:00:00,是\n\
         C2,K1,市监局,综合窗口,2025-03-04 09:00:00,2025-03-04 10:00:00,否\n",
    )
    .unwrap();
    let policies = common::policy_folder(POLICY);
    let paths = [policies.path().to_path_buf()];
    let fast = common::audit_bytes(None, tmp.path(), &paths, &[]);
    let reference = common::audit_bytes(Some("reference"), tmp.path(), &paths, &[]);
    assert_eq!(
        String::from_utf8_lossy(&fast),
        String::from_utf8_lossy(&reference)
    );
    let json: serde_json::Value = serde_json::from_slice(&fast).unwrap();
    // The joint case makes `any` hold: a finding, whatever C2 is.
    let x001: Vec<&serde_json::Value> = common::with_code(&json, "findings", "X001");
    assert_eq!(x001.len(), 1, "{json}");
    assert_eq!(x001[0]["key"], serde_json::json!(["市监局"]));
}

/// H002 (dual track) on 20,000 cases over three chunks: three departments,
/// four items and three channels interleaved, so that a chunk holds many
/// groups and its records replay a few memo entries many times, each
/// replay finding its entry's group by the place the chunk keeps for it
/// (`FastChunk::places`; debug builds check that place against the key).
/// In CSV (a worker shares one string per distinct value) and in JSON Lines
/// (each record its own strings: a replay's key strings are not those its
/// group is keyed by). Every group's counts in the message are the file's,
/// and the audit is the reference evaluator's, byte for byte.
#[test]
fn replayed_members_join_their_own_groups_across_chunks() {
    let depts = ["民政局", "市监局", "人社局"];
    let channels = ["中心窗口", "原单位", "综合窗口"];
    let mut catalogue = String::from("事项编码,事项名称,事项类型,实施主体,是否进驻中心\n");
    for (d, dept) in depts.iter().enumerate() {
        for i in 0..4 {
            catalogue.push_str(&format!("I{d}{i},事项{d}{i},行政许可,{dept},是\n"));
        }
    }
    let mut csv = String::from("办件编号,事项编码,受理部门,受理渠道,受理时间\n");
    let mut jsonl = String::new();
    // (department, item) -> (centre, 原单位)
    let mut counts = std::collections::BTreeMap::new();
    for n in 0..20_000usize {
        let d = n % 3;
        let i = (n / 3) % 4;
        // 原单位 only for items 0 and 1, and rarely: most groups of those
        // are dual-track, the others not.
        let c = if i < 2 && n % 97 == 0 {
            1
        } else {
            (n / 12) % 2 * 2
        };
        let (code, dept, channel) = (format!("I{d}{i}"), depts[d], channels[c]);
        csv.push_str(&format!(
            "C{n},{code},{dept},{channel},2025-03-03 09:00:00\n"
        ));
        jsonl.push_str(&format!(
            "{{\"办件编号\":\"C{n}\",\"事项编码\":\"{code}\",\"受理部门\":\"{dept}\",\"受理渠道\":\"{channel}\",\"受理时间\":\"2025-03-03 09:00:00\"}}\n"
        ));
        let e = counts.entry((dept, code)).or_insert((0, 0));
        if c == 1 {
            e.1 += 1;
        } else {
            e.0 += 1;
        }
    }
    let mut expected: Vec<String> = counts
        .iter()
        .filter(|(_, &(centre, origin))| centre > 0 && origin > 0)
        .map(|((dept, code), (centre, origin))| {
            format!("{dept} 的事项 {code} 中心受理 {centre} 件, 原单位受理 {origin} 件")
        })
        .collect();
    expected.sort_unstable();
    assert_eq!(expected.len(), 6, "items 0 and 1 of each department");
    for cases in [
        ("办件记录.csv", csv.as_str()),
        ("办件记录.jsonl", jsonl.as_str()),
    ] {
        let dir = common::folder(&[("事项目录.csv", &catalogue), cases]);
        let fast = common::audit_bytes(None, dir.path(), &[], &["--threads", "2"]);
        let reference = common::audit_bytes(Some("reference"), dir.path(), &[], &[]);
        assert!(
            fast == reference,
            "{}: the fast path and the reference evaluator differ",
            cases.0
        );
        let json: serde_json::Value = serde_json::from_slice(&fast).unwrap();
        assert_eq!(json["summary"]["records"]["cases"], 20_000, "{}", cases.0);
        let mut got: Vec<&str> = common::with_code(&json, "findings", "H002")
            .iter()
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        got.sort_unstable();
        assert_eq!(got, expected, "{}", cases.0);
    }
}
