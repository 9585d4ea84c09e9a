//! In-force dates on a chunk of records (`yimen audit`): a rule applies to
//! a case accepted on or after the in-force date of one of its sources
//! (rule-catalogue.md, "Effective dates"). The engine reads no record's date
//! for a rule in force before a chunk's earliest acceptance date
//! (`Fast::earliest_event`); a chunk holding an older case still judges each
//! case by its own date. Two chunks (the reader's 4,096 records, then the
//! rest): the first dated 2025 throughout, the second holding cases of
//! 2016, before gangnan-2017 (2017-12-15). The fast path and the reference
//! evaluator agree byte for byte, at one thread and two.

mod common;

use yimen::read::DEFAULT_CHUNK_ROWS;

const POLICY: &str = r#"/// 施行日期
policy dates {
  title "施行日期"
  issuer "yimen"
}

/// 读日期的规则 (批量核)
rule T001 same-day {
  title "当日办结"
  severity warning
  cite gangnan-2017 "四、(二)"
  for case in cases
  require date(case.finished_at) <= date(case.accepted_at)
  message "办件 {case.id} 未当日办结"
}

/// 只读部门的规则 (按值记忆)
rule T002 known-dept {
  title "部门已知"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  require case.dept != "火星局"
  message "办件 {case.id} 的受理部门为 {case.dept}"
}

/// 分组规则 (按值记忆)
rule T003 dept-outside {
  title "原单位受理"
  severity warning
  cite gangnan-2017 "四、(六)"
  for case in cases
  group by case.dept
  require not any(case.channel == "原单位")
  message "{case.dept}"
}
"#;

/// The export: `DEFAULT_CHUNK_ROWS` plain cases of 2025, then the cases of
/// `tail` (`id`, `dept`, `channel`, accepted, finished).
fn export(tail: &[[&str; 5]]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n");
    for i in 0..DEFAULT_CHUNK_ROWS {
        csv.push_str(&format!(
            "P{i:05},A1,民政局,中心窗口,2025-03-03 09:00:00,2025-03-03 10:00:00\n"
        ));
    }
    for [id, dept, channel, accepted, finished] in tail {
        csv.push_str(&format!("{id},A1,{dept},{channel},{accepted},{finished}\n"));
    }
    std::fs::write(dir.path().join("办件.csv"), csv).unwrap();
    std::fs::write(dir.path().join("in_force.yimen"), POLICY).unwrap();
    dir
}

/// The second chunk: cases of 2016 that would break every rule, and cases
/// of 2025 that do.
const TAIL: &[[&str; 5]] = &[
    [
        "O1",
        "火星局",
        "原单位",
        "2016-03-01 09:00:00",
        "2016-03-09 10:00:00",
    ],
    [
        "N1",
        "民政局",
        "中心窗口",
        "2025-04-01 09:00:00",
        "2025-04-01 10:00:00",
    ],
    [
        "O2",
        "民政局",
        "中心窗口",
        "2017-12-14 09:00:00",
        "2017-12-20 10:00:00",
    ],
    [
        "N2",
        "火星局",
        "中心窗口",
        "2025-04-02 09:00:00",
        "2025-04-03 10:00:00",
    ],
    ["O3", "人社局", "原单位", "2016-05-05", "2016-05-06"],
    [
        "N3",
        "民政局",
        "中心窗口",
        "2017-12-15 09:00:00",
        "2017-12-18 10:00:00",
    ],
];

fn audit(dir: &std::path::Path, engine: Option<&str>, threads: &str) -> Vec<u8> {
    common::audit_bytes(
        engine,
        dir,
        &[dir.join("in_force.yimen")],
        &["--threads", threads],
    )
}

/// The first key of each finding of `code`, sorted.
fn keys(json: &serde_json::Value, code: &str) -> Vec<String> {
    let mut keys: Vec<String> = common::with_code(json, "findings", code)
        .into_iter()
        .map(|f| f["key"][0].as_str().unwrap().to_owned())
        .collect();
    keys.sort();
    keys
}

#[test]
fn a_chunk_judges_each_case_by_its_own_date_and_a_later_chunk_all_of_them() {
    let dir = export(TAIL);
    let fast = audit(dir.path(), None, "1");
    assert_eq!(
        fast,
        audit(dir.path(), Some("reference"), "1"),
        "the fast path and the reference differ"
    );
    assert_eq!(
        fast,
        audit(dir.path(), None, "2"),
        "one thread and two differ"
    );
    let json: serde_json::Value = serde_json::from_slice(&fast).unwrap();
    // Not finished the day it was accepted: N2 (2025) and N3 (the in-force
    // date itself); O2 (the day before) and O1 (2016) are not judged.
    assert_eq!(keys(&json, "T001"), ["N2", "N3"]);
    // 火星局: N2, not O1 (2016).
    assert_eq!(keys(&json, "T002"), ["N2"]);
    // 原单位 only in 2016: no department's group holds a case of it.
    assert!(keys(&json, "T003").is_empty());
    assert_eq!(
        json["summary"]["records"]["cases"],
        DEFAULT_CHUNK_ROWS + TAIL.len()
    );
}

#[test]
fn a_chunk_of_cases_all_in_force_is_judged_whole() {
    // The second chunk's cases all of 2025: every rule in force for both.
    let tail: Vec<[&str; 5]> = TAIL
        .iter()
        .map(|&[id, dept, channel, _, finished]| {
            let finished = if finished.len() > 10 {
                "2025-06-02 10:00:00"
            } else {
                "2025-06-02"
            };
            [id, dept, channel, "2025-06-01 09:00:00", finished]
        })
        .collect();
    let dir = export(&tail);
    let fast = audit(dir.path(), None, "2");
    assert_eq!(fast, audit(dir.path(), Some("reference"), "2"));
    let json: serde_json::Value = serde_json::from_slice(&fast).unwrap();
    assert_eq!(keys(&json, "T001"), ["N1", "N2", "N3", "O1", "O2", "O3"]);
    assert_eq!(keys(&json, "T002"), ["N2", "O1"]);
    assert_eq!(keys(&json, "T003"), ["人社局", "火星局"]);
}
