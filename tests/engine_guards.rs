//! Guards (a rule's first condition checked on the raw value, see
//! `src/engine/run/guard.rs`) through `yimen audit`: every shape of guard, on
//! values that pass it, fail it, are empty, blank or unparsable, gives the
//! same audit as the reference evaluator, byte for byte, and the verdicts
//! the rule catalogue's semantics ask for. (The debug build under test also
//! checks each exclusion against the reference as it is made: the metric's
//! counts, which the audit's JSON does not hold, are checked that way.)

mod common;

const POLICY: &str = r#"/// 守卫的各种形状
policy guards {
  title "守卫"
  issuer "yimen"
}

/// 文本相等
rule G001 text-equal {
  title "原单位受理"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.channel == "原单位"
  require case.result == "准予"
  message "办件 {case.id}"
}

/// 文本不等, 在 and 的左边
rule G002 text-not-equal {
  title "非综合窗口准予"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.channel != "综合窗口" and case.result == "准予"
  require case.finished_at is not none
  message "办件 {case.id}"
}

/// 非空
rule G003 not-empty {
  title "有项目类型"
  severity warning
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.project_kind is not empty
  require case.joint
  message "办件 {case.id}"
}

/// 是否字段
rule G004 flag {
  title "联办"
  severity warning
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.joint
  require case.lead_dept is not empty
  message "办件 {case.id}"
}

/// 分组规则的守卫
rule G005 group {
  title "原单位受理两件以上"
  severity warning
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.channel == "原单位"
  group by case.dept
  require count(case.id is not empty) < 2
  message "{case.dept}"
}

/// 指标的守卫
metric M91 finished-granted {
  title "办结准予率"
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.finished_at is not none
  per case.dept
  ratio case.result == "准予"
}
"#;

/// (`id`, `channel`, `finished_at`, `result`, `joint`, `lead_dept`, `project_kind`): the
/// guard fields take values that pass, fail, are empty, blank or bad.
const ROWS: &[[&str; 7]] = &[
    ["C1", "原单位", "2025-03-04 10:00:00", "准予", "否", "", ""],
    ["C2", "原单位", "", "不予", "是", "住建局", "基建"],
    [
        "C3",
        "综合窗口",
        "2025-03-04 10:00:00",
        "准予",
        "是",
        "",
        "招商引资",
    ],
    ["C4", "", "2025-03-04 10:00:00", "准予", "", "", "  "],
    ["C5", "   ", "2025-13-01", "准予", "也许", "", ""],
    ["C6", "火星窗口", "", "准予", "否", "", "基建"],
    ["C7", "中心窗口", "2025-03-05", "", "是", "发改局", ""],
    ["C8", "原单位", "2025-03-06 09:00", "准予", "否", "", ""],
    // (G002 after G001: each rule pass compares the channel's texts with its
    // own guard's text. Taking G001's answers, G002 would leave this case
    // out as equal to 综合窗口.)
    ["C9", "原单位", "", "准予", "否", "", ""],
];

fn export() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from(
        "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间,办理结果,是否联办,牵头部门,项目类型\n",
    );
    for [id, channel, finished, result, joint, lead, kind] in ROWS {
        csv.push_str(&format!(
            "{id},A1,民政局,{channel},2025-03-03 09:00:00,{finished},{result},{joint},{lead},{kind}\n"
        ));
    }
    std::fs::write(dir.path().join("办件.csv"), csv).unwrap();
    std::fs::write(dir.path().join("guards.yimen"), POLICY).unwrap();
    dir
}

fn audit(dir: &std::path::Path, engine: Option<&str>) -> serde_json::Value {
    common::audit_json(engine, dir, &[dir.join("guards.yimen")])
}

/// The keys (ids, or groups) of the entries of `list` with `code`.
fn keys(json: &serde_json::Value, list: &str, code: &str) -> Vec<String> {
    common::with_code(json, list, code)
        .into_iter()
        .map(|f| {
            f["key"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap())
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect()
}

#[test]
fn guards_decide_as_the_reference_evaluator() {
    let dir = export();
    let fast = audit(dir.path(), None);
    let reference = audit(dir.path(), Some("reference"));
    assert_eq!(fast, reference, "the fast path and the reference differ");

    // 原单位 and refused: a finding. An empty, blank or bad channel leaves
    // the rule unknown, but `require` holds: passed.
    assert_eq!(keys(&fast, "findings", "G001"), ["C2"]);
    assert!(keys(&fast, "undetermined", "G001").is_empty());
    // Unknown channel (blank, not a channel), granted, and the finishing
    // time bad or missing: unknown. 综合窗口 and refused cases are out; 原单位,
    // granted and not finished: a finding.
    assert_eq!(keys(&fast, "findings", "G002"), ["C9"]);
    assert_eq!(keys(&fast, "undetermined", "G002"), ["C5", "C6"]);
    // A project kind and not joint; a blank kind is empty.
    assert_eq!(keys(&fast, "findings", "G003"), ["C6"]);
    assert!(keys(&fast, "undetermined", "G003").is_empty());
    // Joint without a lead; joint empty or 也许 (no yes/no value) and no lead:
    // unknown.
    assert_eq!(keys(&fast, "findings", "G004"), ["C3"]);
    assert_eq!(keys(&fast, "undetermined", "G004"), ["C4", "C5"]);
    // Four cases at 原单位 in one department, three of unknown channel: at
    // least three, so `< 2` fails whatever the unknown ones are.
    assert_eq!(keys(&fast, "findings", "G005"), ["民政局"]);
    assert!(keys(&fast, "undetermined", "G005").is_empty());
}
