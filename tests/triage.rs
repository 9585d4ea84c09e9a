//! `--baseline` and `--waivers` through `yimen audit`: new, persisting and
//! resolved findings; waived findings with their approval, not failing the
//! run; expired and stale waivers reported; bad files exit 2.

mod common;

use std::process::Command;

fn export(dir: &std::path::Path, cases: &str) {
    std::fs::write(
        dir.join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,承诺办结时限\nA1,甲许可,行政许可,X局,是,5\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("办件记录.csv"),
        format!("办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n{cases}"),
    )
    .unwrap();
}

fn audit(dir: &std::path::Path, extra: &[&str], as_of: &str) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("audit")
        .arg(dir)
        .args(["--as-of", as_of, "--format", "json", "--policy"])
        .arg(common::root().join("policies"))
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn h001(json: &serde_json::Value) -> Vec<(String, String)> {
    common::with_code(json, "findings", "H001")
        .into_iter()
        .map(|f| {
            (
                f["key"][0].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn baseline_classifies_new_persisting_and_resolved() {
    let before = tempfile::tempdir().unwrap();
    export(before.path(), "C1,A1,X局,原单位,2025-03-03 09:00:00,2025-03-03 10:00:00\nC2,A1,X局,原单位,2025-03-04 09:00:00,2025-03-04 10:00:00\n");
    let (_, old, _) = audit(before.path(), &[], "2025-06-30");
    let base = before.path().join("baseline.json");
    std::fs::write(&base, serde_json::to_string(&old).unwrap()).unwrap();

    let now = tempfile::tempdir().unwrap();
    export(now.path(), "C2,A1,X局,原单位,2025-03-04 09:00:00,2025-03-04 10:00:00\nC3,A1,X局,原单位,2025-03-05 09:00:00,2025-03-05 10:00:00\n");
    let (code, json, err) = audit(
        now.path(),
        &["--baseline", base.to_str().unwrap()],
        "2025-06-30",
    );
    assert_eq!(code, 1, "{err}");
    let mut got = h001(&json);
    got.sort();
    assert_eq!(
        got,
        [
            ("C2".to_string(), "persisting".to_string()),
            ("C3".to_string(), "new".to_string())
        ]
    );
    let resolved: Vec<&serde_json::Value> = common::with_code(&json, "resolved", "H001");
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0]["key"][0], "C1");
    // A previous report is no configuration file: one past 64 MiB (a
    // county's year of findings and their evidence) is read all the same.
    let text = serde_json::to_string(&old).unwrap();
    let big = format!("{{\"pad\":\"{}\",{}", "x".repeat(65 << 20), &text[1..]);
    std::fs::write(&base, big).unwrap();
    let (code, again, err) = audit(
        now.path(),
        &["--baseline", base.to_str().unwrap()],
        "2025-06-30",
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(again, json);
}

#[test]
fn waivers_apply_until_they_expire_and_stale_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    export(
        dir.path(),
        "C1,A1,X局,原单位,2025-03-03 09:00:00,2025-03-03 10:00:00\n",
    );
    let w = dir.path().join("waivers.yaml");
    std::fs::write(
        &w,
        "waivers:\n  - code: H001\n    key: [\"C*\"]\n    reason: 试点\n    approved_by: 区政务办\n    approval_ref: 区政务办函〔2025〕5号\n    expires: 2025-06-30\n  - code: H004\n    key: [\"Z9\"]\n    reason: 无\n    approved_by: 区政务办\n    approval_ref: 区政务办函〔2025〕6号\n    expires: 2026-01-01\n",
    )
    .unwrap();
    let ws = w.to_str().unwrap();
    // In force on its last day: waived, with the approval, and the run does not fail on it.
    let (code, json, err) = audit(dir.path(), &["--waivers", ws], "2025-06-30");
    assert_eq!(
        h001(&json),
        [("C1".to_string(), "waived".to_string())],
        "{err}"
    );
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "H001")
        .unwrap();
    assert_eq!(f["waiver"]["approval_ref"], "区政务办函〔2025〕5号");
    assert_eq!(json["stale_waivers"][0]["code"], "H004");
    let others_fail = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["severity"] == "error" && f["status"] != "waived");
    assert_eq!(code, i32::from(others_fail));
    // The day after: expired, no longer applies, and reported.
    let (code, json, _) = audit(dir.path(), &["--waivers", ws], "2025-07-01");
    assert_eq!(code, 1);
    assert_eq!(h001(&json), [("C1".to_string(), "new".to_string())]);
    assert_eq!(json["expired_waivers"][0]["code"], "H001");
}

#[test]
fn malformed_baseline_or_waivers_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    export(dir.path(), "");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"findings\": [{\"code\": 1}]}").unwrap();
    let (code, _, err) = audit(
        dir.path(),
        &["--baseline", bad.to_str().unwrap()],
        "2025-06-30",
    );
    assert_eq!(code, 2);
    assert!(err.contains("bad.json"), "{err}");
    let w = dir.path().join("w.yaml");
    std::fs::write(&w, "waivers:\n  - code: H001\n    key: [C1]\n    reason: x\n    approved_by: y\n    approval_ref: z\n    expires: 2025-13-01\n").unwrap();
    let (code, _, err) = audit(
        dir.path(),
        &["--waivers", w.to_str().unwrap()],
        "2025-06-30",
    );
    assert_eq!(code, 2);
    assert!(err.contains("expires"), "{err}");
    // A waiver that could waive nothing: a misspelt code (it was only
    // reported stale), a metric's, a key of the wrong number of values.
    let waiver = |code: &str, key: &str| {
        format!("waivers:\n  - code: {code}\n    key: {key}\n    reason: x\n    approved_by: y\n    approval_ref: z\n    expires: 2026-06-30\n")
    };
    for (text, says) in [
        (
            waiver("h001", "[C1]"),
            "第 1 项的 code h001 不是已加载策略中的规则; 是否想写 H001?",
        ),
        (waiver("M04", "[X局]"), "M04 是考评指标, 没有可豁免的发现"),
        (
            waiver("H002", "[X局]"),
            "key 有 1 个值, 而 H002 的发现的键有 2 个值 (H002 的键为 [dept, item_code])",
        ),
        (
            waiver("H001", "[C1, A1]"),
            "key 有 2 个值, 而 H001 的发现的键有 1 个值 (H001 的键为 [id])",
        ),
    ] {
        std::fs::write(&w, text).unwrap();
        let (code, _, err) = audit(
            dir.path(),
            &["--waivers", w.to_str().unwrap()],
            "2025-06-30",
        );
        assert_eq!(code, 2, "{says}: {err}");
        assert!(err.contains(says), "{says}: {err}");
    }
}

/// A waiver register written as a bare list, with a one-value key written
/// without brackets (`key: C1`), applies; a mistake in a bare list is named
/// at its item and line (it was blamed on the list's shape: "expected a
/// mapping").
#[test]
fn a_bare_list_of_waivers_with_a_plain_key() {
    let dir = tempfile::tempdir().unwrap();
    export(
        dir.path(),
        "C1,A1,X局,原单位,2025-03-03 09:00:00,2025-03-03 10:00:00\n",
    );
    let w = dir.path().join("waivers.yaml");
    let entry = "- code: H001\n  key: \"C*\"\n  reason: 试点\n  approved_by: 区政务办\n  approval_ref: 区政务办函〔2025〕5号\n";
    std::fs::write(&w, format!("{entry}  expires: 2025-06-30\n")).unwrap();
    let (_, json, err) = audit(
        dir.path(),
        &["--waivers", w.to_str().unwrap()],
        "2025-06-30",
    );
    assert_eq!(
        h001(&json),
        [("C1".to_string(), "waived".to_string())],
        "{err}"
    );
    std::fs::write(&w, format!("{entry}  expire: 2025-06-30\n")).unwrap();
    let (code, _, err) = audit(
        dir.path(),
        &["--waivers", w.to_str().unwrap()],
        "2025-06-30",
    );
    assert_eq!(code, 2);
    assert!(err.contains("expire") && err.contains("第 6 行"), "{err}");
    assert!(!err.contains("expected a mapping"), "{err}");
}

/// In the text report, new and persisting are said only against a
/// baseline: with waivers alone a finding not waived is shown without a
/// state (its JSON status is `new`, as the contract's enum has it).
#[test]
fn text_says_new_only_against_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    export(
        dir.path(),
        "C1,A1,X局,原单位,2025-03-03 09:00:00,2025-03-03 10:00:00\n\
         C2,A1,X局,原单位,2025-03-03 09:00:00,2025-03-03 10:00:00\n",
    );
    let w = dir.path().join("waivers.yaml");
    std::fs::write(
        &w,
        "waivers:\n  - code: H001\n    key: [\"C1\"]\n    reason: 试点\n    approved_by: 区政务办\n    approval_ref: 区政务办函〔2025〕5号\n    expires: 2025-12-31\n",
    )
    .unwrap();
    let text = |extra: &[&str]| -> Vec<String> {
        let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
            .arg("audit")
            .arg(dir.path())
            .args([
                "--as-of",
                "2025-06-30",
                "--format",
                "text",
                "--fail-on",
                "never",
            ])
            .args(["--waivers", w.to_str().unwrap()])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| l.contains("· ") && (l.contains("C1") || l.contains("C2")))
            .filter(|l| l.contains("原单位"))
            .map(str::to_string)
            .collect()
    };
    let lines = text(&[]);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("[已豁免]") && l.contains("C1")),
        "{lines:?}"
    );
    assert!(lines.iter().all(|l| !l.contains("[新增]")), "{lines:?}");
    // Against a baseline (an earlier run's JSON, without C2's finding), C2 is new.
    let (_, before, _) = audit(dir.path(), &[], "2025-06-30");
    let mut before = before;
    let findings = before["findings"].as_array_mut().unwrap();
    findings.retain(|f| f["key"][0] != "C2");
    let b = dir.path().join("before.json");
    std::fs::write(&b, before.to_string()).unwrap();
    let lines = text(&["--baseline", b.to_str().unwrap()]);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("[新增]") && l.contains("C2")),
        "{lines:?}"
    );
}

/// A finding's key is the text of its earliest record: the same finding is
/// keyed `Ｃ２` in one export and `C2` in the next when the rows change
/// order. The baseline and the waivers match keys in their matching form
/// (full-width half-width, stray spaces gone), as records match: it is
/// persisting, not new and resolved at once, and a waiver written in
/// either width applies.
#[test]
fn baseline_and_waiver_keys_match_in_their_normalised_form() {
    let dir = tempfile::tempdir().unwrap();
    export(
        dir.path(),
        "C1,A1,X局,原单位,2025-03-03 09:00:00,2025-03-03 10:00:00\nC2,A1,X局,原单位,2025-03-04 09:00:00,2025-03-04 10:00:00\n",
    );
    let (_, old, _) = audit(dir.path(), &[], "2025-06-30");
    let wide = serde_json::to_string(&old)
        .unwrap()
        .replace("\"C2\"", "\"Ｃ２ \"");
    let base = dir.path().join("baseline.json");
    std::fs::write(&base, wide).unwrap();
    let w = dir.path().join("waivers.yaml");
    std::fs::write(
        &w,
        "waivers:\n  - code: H001\n    key: [\"Ｃ１\"]\n    reason: 试点\n    approved_by: 区政务办\n    approval_ref: 区政务办函〔2025〕5号\n    expires: 2026-06-30\n",
    )
    .unwrap();
    let (_, json, err) = audit(
        dir.path(),
        &[
            "--baseline",
            base.to_str().unwrap(),
            "--waivers",
            w.to_str().unwrap(),
        ],
        "2025-06-30",
    );
    let mut got = h001(&json);
    got.sort();
    assert_eq!(
        got,
        [
            ("C1".to_string(), "waived".to_string()),
            ("C2".to_string(), "persisting".to_string())
        ],
        "{err}"
    );
    // A waived finding keeps its state against the baseline beside its
    // status, as the other formats show it.
    let baseline: Vec<(&str, &str)> = common::with_code(&json, "findings", "H001")
        .iter()
        .map(|f| {
            (
                f["key"][0].as_str().unwrap(),
                f["baseline"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(baseline, [("C1", "persisting"), ("C2", "persisting")]);
    assert!(
        json["resolved"].as_array().is_none_or(Vec::is_empty),
        "{}",
        json["resolved"]
    );
    assert!(
        json["stale_waivers"].as_array().is_none_or(Vec::is_empty),
        "{}",
        json["stale_waivers"]
    );
}
