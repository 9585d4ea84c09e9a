//! The data contract's rules for messy and bad input, end to end: `--strict`
//! stops at bad data in any file, nothing is skipped or dropped silently.

mod common;

use std::path::Path;

/// A folder with a one-item catalogue and a case log, `cases` its rows.
fn export(cases: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("事项目录.csv"),
        "事项编码,事项名称,是否进驻中心,法定办结时限,承诺办结时限\nA1,事项一,是,20,10\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("办件记录.csv"),
        format!("办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n{cases}"),
    )
    .unwrap();
    dir
}

fn run(dir: &Path, extra: &[&str]) -> std::process::Output {
    common::yimen(None)
        .arg("audit")
        .arg(dir)
        .args([
            "--as-of",
            "2025-12-31",
            "--fail-on",
            "never",
            "--format",
            "json",
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn strict_stops_at_bad_data_in_a_streamed_case_log() {
    let dir = export(
        "C1,A1,区民政局,中心窗口,2025-03-01 09:30:00,2025-03-02 09:30:00\n\
         C2,A1,区民政局,中心窗口,2025-13-01 09:30:00,2025-03-02 09:30:00\n",
    );
    let out = run(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["data_errors"], 1);
    let out = run(dir.path(), &["--strict"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("办件记录.csv") && err.contains("第 3 行"),
        "{err}"
    );
}
