//! The example county (`examples/guangan`) through `yimen audit`: every rule
//! fires, the JSON is exactly the findings contract, the findings are pinned,
//! and the output does not depend on the number of threads.

mod common;

use std::process::Command;

fn audit(dir: &std::path::Path, extra: &[&str]) -> (i32, String) {
    audit_with(dir, extra, None)
}

/// `yimen audit`, optionally with the engine set by `YIMEN_ENGINE`.
fn audit_with(dir: &std::path::Path, extra: &[&str], engine: Option<&str>) -> (i32, String) {
    let out = common::yimen(engine)
        .arg("audit")
        .arg(dir)
        .args(["--as-of", "2025-12-31", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    // Only the example folder's README is said, as skipped.
    let said = String::from_utf8_lossy(&out.stderr)
        .replace("已跳过: README.md: 不支持的文件类型(.md)\n", "");
    assert!(said.is_empty(), "{said}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn the_example_county_fires_every_rule_with_evidence_and_clause_text() {
    let dir = common::root().join("examples/guangan");
    let (code, out) = audit(&dir, &[]);
    assert_eq!(code, 1, "findings at error severity exit 1");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    common::assert_contract("findings.schema.json", &json);
    let findings = json["findings"].as_array().unwrap();
    for c in common::ALL_CODES {
        let f = common::with_code(&json, "findings", c);
        assert!(!f.is_empty(), "{c} does not fire on the example county");
        for f in f {
            assert!(
                !f["evidence"].as_array().unwrap().is_empty(),
                "{c} without evidence"
            );
            for cite in f["cite"].as_array().unwrap() {
                assert!(
                    !cite["text"].as_str().unwrap().is_empty(),
                    "{c} cites a clause without text"
                );
            }
        }
    }
    // The records read, per dataset of the data contract (not the change
    // records `yimen diff` makes).
    let datasets: Vec<&str> = json["summary"]["records"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        datasets,
        [
            "authorizations",
            "cases",
            "catalogue",
            "changes",
            "fees",
            "staff",
            "units"
        ]
    );
    // Most records are clean.
    let cases = json["summary"]["records"]["cases"].as_u64().unwrap();
    let case_findings = findings.iter().filter(|f| f["dataset"] == "cases").count() as u64;
    assert!(
        case_findings * 3 < cases,
        "{case_findings} findings on {cases} cases"
    );
    insta::assert_snapshot!("guangan_audit_json", out);
}

#[test]
fn the_text_report_groups_by_department() {
    let dir = common::root().join("examples/guangan");
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("audit")
        .arg(&dir)
        .args(["--as-of", "2025-12-31", "--fail-on", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("== 区教科体局"), "{text}");
    assert!(text.contains("依据: gangnan-2017 四、(六)"));
    assert!(text.contains("汇总"));
}

#[test]
fn output_is_byte_identical_at_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("export");
    let status = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("generate")
        .arg(&dir)
        .args(["--cases", "100000", "--seed", "7"])
        .status()
        .unwrap();
    assert!(status.success());
    let (_, one) = audit(&dir, &["--threads", "1", "--fail-on", "never"]);
    let (_, two) = audit(&dir, &["--threads", "2", "--fail-on", "never"]);
    assert!(one == two, "--threads 1 and --threads 2 differ");
    let json: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(json["summary"]["records"]["cases"], 100_000);
    // The fast path (which decides the passing records) against the
    // reference evaluator alone: the same audit, byte for byte. (Debug builds
    // also check the fast path's every verdict against the reference.)
    let (_, reference) = audit_with(
        &dir,
        &["--threads", "2", "--fail-on", "never"],
        Some("reference"),
    );
    assert!(
        one == reference,
        "the fast path and the reference evaluator differ"
    );
    assert!(
        json["findings"].as_array().is_some_and(|f| f.len() > 100)
            && json["undetermined"]
                .as_array()
                .is_some_and(|u| !u.is_empty()),
        "the export must exercise findings and undetermined verdicts"
    );
}

#[test]
fn the_fast_path_agrees_with_the_reference_on_the_example() {
    let dir = common::root().join("examples/guangan");
    let (_, fast) = audit_with(&dir, &["--fail-on", "never"], None);
    let (_, reference) = audit_with(&dir, &["--fail-on", "never"], Some("reference"));
    assert!(
        fast == reference,
        "the fast path and the reference evaluator differ"
    );
}
