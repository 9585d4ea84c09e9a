//! `--baseline` and `--waivers` in every format of `yimen audit`, not only
//! text and json: an export whose baseline held H001 for cases C1 and C2
//! and which now has C2 and C3 (C1 resolved, C2 persisting, C3 new), with a
//! register that waives C2, has an expired waiver for C3 and a stale one
//! for H004. In each format C2 is shown waived with its approval and not as
//! a violation, C3 as a new violation, C1 as resolved, and both waivers
//! that did not apply are reported. Pinned by snapshots.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The columns csv and xlsx append for the baseline state and the waiver.
const TRIAGE_COLUMNS: [&str; 6] = [
    "基线状态",
    "豁免状态",
    "豁免理由",
    "豁免批准单位",
    "豁免批准文号",
    "豁免有效至",
];

const AS_OF: &str = "2025-06-30";
const APPROVAL: &str = "区政务办函〔2025〕5号";

fn export(dir: &Path, cases: &[&str]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,承诺办结时限\nA1,甲许可,行政许可,X局,是,5\n",
    )
    .unwrap();
    let mut log = String::from("办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n");
    for (i, id) in cases.iter().enumerate() {
        let day = 3 + i;
        log.push_str(&format!(
            "{id},A1,X局,原单位,2025-03-0{day} 09:00:00,2025-03-0{day} 10:00:00\n"
        ));
    }
    std::fs::write(dir.join("办件记录.csv"), log).unwrap();
}

/// The folder of a run: `now/` (the export audited), `baseline.json` (the
/// audit of `before/`) and `waivers.yaml`.
struct Setup {
    tmp: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        export(&tmp.path().join("before"), &["C1", "C2"]);
        export(&tmp.path().join("now"), &["C2", "C3"]);
        let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
            .current_dir(tmp.path())
            .args(["audit", "before", "--as-of", AS_OF, "--format", "json"])
            .args(["--output", "baseline.json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        std::fs::write(
            tmp.path().join("waivers.yaml"),
            format!(
                "waivers:
  - code: H001
    key: [C2]
    reason: 试点期间由原单位受理
    approved_by: 区政务服务管理办公室
    approval_ref: {APPROVAL}
    expires: 2026-06-30
  - code: H001
    key: [\"C3\"]
    reason: 已到期的试点
    approved_by: 区政务服务管理办公室
    approval_ref: 区政务办函〔2024〕1号
    expires: 2025-01-31
  - code: H004
    key: [\"Z*\"]
    reason: 无对应办件
    approved_by: 区政务服务管理办公室
    approval_ref: 区政务办函〔2025〕9号
    expires: 2026-12-31
"
            ),
        )
        .unwrap();
        Setup { tmp }
    }

    fn now(&self) -> PathBuf {
        self.tmp.path().join("now")
    }

    /// `yimen audit . --format FORMAT` run in `now/` (so files are named
    /// bare), with the baseline and the register unless `plain`, and
    /// `extra` arguments. The exit code and standard output.
    fn audit(&self, format: &str, plain: bool, extra: &[&str]) -> (i32, Vec<u8>) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_yimen"));
        cmd.current_dir(self.now())
            .args(["audit", ".", "--as-of", AS_OF, "--format", format]);
        if !plain {
            cmd.args([
                "--baseline",
                "../baseline.json",
                "--waivers",
                "../waivers.yaml",
            ]);
        }
        let out = cmd.args(extra).output().unwrap();
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), out.stdout)
    }

    /// As [`Setup::audit`] with the baseline and the register: the report
    /// as text, after checking that C3 (new, not waived) fails the run.
    fn report(&self, format: &str) -> String {
        let (code, out) = self.audit(format, false, &[]);
        assert_eq!(code, 1, "C3 is a new error");
        String::from_utf8(out).unwrap()
    }
}

#[test]
fn csv_has_the_baseline_state_and_the_waiver_in_its_last_columns() {
    let s = Setup::new();
    let text = s.report("csv");
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    // The thirteen columns of old, in their order, then the new ones.
    assert_eq!(header[0], "规则代码");
    assert_eq!(header[12], "规则标识");
    assert_eq!(header[13..], TRIAGE_COLUMNS);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let row = |code: &str, key: &str| {
        rows.iter()
            .find(|r| &r[0] == code && &r[4] == key)
            .unwrap_or_else(|| panic!("no row {code} {key} in\n{text}"))
    };
    let c2 = row("H001", "C2");
    assert_eq!((&c2[13], &c2[14], &c2[17]), ("持续", "已豁免", APPROVAL));
    let c3 = row("H001", "C3");
    assert_eq!((&c3[13], &c3[14]), ("新增", ""));
    assert_eq!(&row("H001", "C1")[13], "已整改");
    assert_eq!(&row("H001", "C3")[13], "新增");
    assert_eq!(&row("H004", "Z*")[14], "未匹配");
    let expired = rows
        .iter()
        .find(|r| &r[14] == "已过期")
        .expect("the expired waiver");
    assert_eq!((&expired[0], &expired[4]), ("H001", "C3"));
    insta::assert_snapshot!("triage_csv", text);
}

#[test]
fn github_shows_a_waived_finding_as_a_notice_and_the_state_in_the_message() {
    let s = Setup::new();
    let text = s.report("github");
    let c2: Vec<&str> = text.lines().filter(|l| l.contains("办件 C2")).collect();
    assert_eq!(c2.len(), 1, "{text}");
    // The title is the code alone, as issue 6 writes it (`title=CODE`): a
    // step reads it as the rule; the state begins the message.
    assert!(
        c2[0].starts_with("::notice ") && c2[0].contains("title=H001::【持续、已豁免】办件 C2"),
        "{}",
        c2[0]
    );
    assert!(c2[0].contains(APPROVAL), "{}", c2[0]);
    let c3 = text.lines().find(|l| l.contains("办件 C3")).unwrap();
    assert!(
        c3.starts_with("::error ") && c3.contains("title=H001::【新增】办件 C3"),
        "{c3}"
    );
    assert!(
        text.contains("::notice title=H001::已整改: cases [C1]"),
        "{text}"
    );
    assert!(text.contains("::notice title=豁免已过期::"), "{text}");
    assert!(text.contains("::notice title=豁免未匹配::"), "{text}");
    // Without the baseline and the register, C2 is an error again.
    let (_, plain) = s.audit("github", true, &[]);
    let plain = String::from_utf8(plain).unwrap();
    assert!(
        plain
            .lines()
            .any(|l| l.starts_with("::error ") && l.contains("title=H001::办件 C2")),
        "{plain}"
    );
    insta::assert_snapshot!("triage_github", text);
}

#[test]
fn sarif_has_baseline_states_and_suppressions_and_validates() {
    let s = Setup::new();
    let text = s.report("sarif");
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    let errors = common::sarif_schema_errors(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");

    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    let h001 = |key: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == "H001" && r["properties"]["key"][0] == key)
            .unwrap_or_else(|| panic!("no H001 {key}"))
    };
    let c2 = h001("C2");
    assert_eq!(c2["baselineState"], "unchanged");
    let suppression = &c2["suppressions"][0];
    assert_eq!(suppression["kind"], "external");
    assert_eq!(suppression["status"], "accepted");
    assert!(suppression["justification"]
        .as_str()
        .unwrap()
        .contains(APPROVAL));
    let c3 = h001("C3");
    assert_eq!(c3["baselineState"], "new");
    assert_eq!(c3["suppressions"], serde_json::json!([]));
    let c1 = h001("C1");
    assert_eq!(c1["baselineState"], "absent");
    // SARIF: suppressions on every result or on none; the baseline state
    // on every finding's result (undetermined verdicts are not compared).
    for r in results {
        assert!(r["suppressions"].is_array(), "{r}");
        if r["kind"] == "fail" {
            assert!(r["baselineState"].is_string(), "{r}");
        }
    }
    let notes: Vec<&str> = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["message"]["text"].as_str())
        .collect();
    assert!(
        notes.iter().any(|n| n.starts_with("豁免已过期")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.starts_with("豁免未匹配")),
        "{notes:?}"
    );
    // Without them, neither.
    let (_, plain) = s.audit("sarif", true, &[]);
    let plain = String::from_utf8(plain).unwrap();
    assert!(!plain.contains("baselineState") && !plain.contains("suppressions"));
    // The results and notifications (the rules are pinned by outputs.rs).
    let pinned = serde_json::json!({
        "results": results,
        "notifications": run["invocations"][0]["toolExecutionNotifications"],
    });
    insta::assert_snapshot!(
        "triage_sarif",
        serde_json::to_string_pretty(&pinned).unwrap()
    );
}

#[test]
fn junit_skips_a_waived_finding_and_passes_a_resolved_one() {
    let s = Setup::new();
    let text = s.report("junit");
    // Well-formed, and each testcase's outcome.
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().check_end_names = true;
    let decoder = reader.decoder();
    let mut outcomes: Vec<(String, String, Vec<String>)> = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let attr = |name: &str| {
                    e.try_get_attribute(name)
                        .unwrap()
                        .map(|a| a.decode_and_unescape_value(decoder).unwrap().into_owned())
                        .unwrap_or_default()
                };
                match e.name().as_ref() {
                    b"testcase" => {
                        outcomes.push((attr("classname"), attr("name"), Vec::new()));
                    }
                    b"failure" | b"skipped" | b"error" => {
                        let tag = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                        outcomes.last_mut().unwrap().2.push(tag);
                    }
                    b"property" => {
                        let p = format!("{}={}", attr("name"), attr("value"));
                        outcomes.last_mut().unwrap().2.push(p);
                    }
                    _ => {}
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    let case = |class: &str, name: &str| {
        outcomes
            .iter()
            .find(|(c, n, _)| c == class && n == name)
            .map_or_else(
                || panic!("no testcase {class} {name}"),
                |(_, _, o)| o.join(" "),
            )
    };
    assert_eq!(
        case("H001", "cases [C2]"),
        "基线状态=持续 豁免状态=已豁免 skipped"
    );
    assert_eq!(case("H001", "cases [C3]"), "基线状态=新增 failure");
    assert_eq!(case("H001", "cases [C1]"), "基线状态=已整改");
    assert_eq!(
        case("豁免登记", "H001 [C3] 区政务办函〔2024〕1号"),
        "豁免状态=已过期 skipped"
    );
    assert_eq!(
        case("豁免登记", "H004 [Z*] 区政务办函〔2025〕9号"),
        "豁免状态=未匹配 skipped"
    );
    assert!(text.contains(&format!(
        "已豁免: 试点期间由原单位受理 (区政务服务管理办公室, {APPROVAL}"
    )));
    let suite = text
        .lines()
        .find(|l| l.contains("<testsuite name=\"H001 "))
        .unwrap();
    assert!(
        suite.contains("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""),
        "{suite}"
    );
    insta::assert_snapshot!("triage_junit", text);
}

#[test]
fn the_workbook_has_the_columns_and_sheets_of_the_triage() {
    use calamine::Reader as _;
    let s = Setup::new();
    let path = s.tmp.path().join("审计.xlsx");
    let (code, _) = s.audit("xlsx", false, &["--output", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let names = book.sheet_names();
    assert!(
        names.ends_with(&["已整改".to_string(), "豁免登记".to_string()]),
        "{names:?}"
    );
    let rows = |range: &calamine::Range<calamine::Data>| -> Vec<Vec<String>> {
        range
            .rows()
            .map(|r| r.iter().map(ToString::to_string).collect())
            .collect()
    };
    let h001 = rows(&book.worksheet_range("H001").unwrap());
    assert_eq!(h001[0][11..], TRIAGE_COLUMNS);
    let c2 = h001.iter().find(|r| r[0] == "C2").unwrap();
    assert_eq!((&*c2[11], &*c2[12], &*c2[15]), ("持续", "已豁免", APPROVAL));
    let c3 = h001.iter().find(|r| r[0] == "C3").unwrap();
    assert_eq!((&*c3[11], &*c3[12]), ("新增", ""));
    let resolved = rows(&book.worksheet_range("已整改").unwrap());
    assert_eq!(
        resolved[1][..4],
        ["H001", "进驻事项在原单位受理(体外循环)", "cases", "C1"]
    );
    let waivers = rows(&book.worksheet_range("豁免登记").unwrap());
    let states: Vec<(&str, &str, &str)> = waivers[1..]
        .iter()
        .map(|r| (&*r[0], &*r[1], &*r[2]))
        .collect();
    assert_eq!(states, [("H001", "C3", "已过期"), ("H004", "Z*", "未匹配")]);
    let summary = rows(&book.worksheet_range("汇总").unwrap());
    let fact = |label: &str| {
        summary
            .iter()
            .find(|r| r[0] == label)
            .map_or_else(|| panic!("no {label} in the summary"), |r| r[1].clone())
    };
    assert_eq!(fact("基线: 新增"), "1");
    assert_eq!(fact("基线: 持续"), "1");
    assert_eq!(fact("基线: 已整改"), "1");
    assert_eq!(fact("豁免: 已豁免"), "1");
    // Deterministic: the same audit, the same bytes.
    let again = s.tmp.path().join("again.xlsx");
    s.audit("xlsx", false, &["--output", again.to_str().unwrap()]);
    assert!(std::fs::read(&path).unwrap() == std::fs::read(&again).unwrap());
}
