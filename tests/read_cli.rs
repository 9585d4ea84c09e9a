//! `yimen inspect DIR --format json` end to end: the binary's output is the
//! library's `render_json` and follows the inspect contract.

use std::path::Path;
use std::process::Command;

use yimen::read::{inspect, render_json, ReadOptions};
use yimen::schema::Schema;

#[test]
fn inspect_json_from_the_binary() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/read");
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("inspect")
        .arg(&dir)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lib = render_json(&inspect(&dir, Schema::builtin(), &ReadOptions::default()).unwrap());
    assert_eq!(stdout, lib);
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let contract: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/contracts/inspect.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(jsonschema::is_valid(&contract, &value));
    assert_eq!(value["files"].as_array().map(Vec::len), Some(12));
}

#[test]
fn inspect_with_a_bad_mapping_names_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let map = tmp.path().join("m.yaml");
    std::fs::write(
        &map,
        "datasets:\n  catalogue:\n    headers:\n      kinds: 类型\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("inspect")
        .arg(tmp.path())
        .arg("--map")
        .arg(&map)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("第 4 行") && err.contains("kinds"), "{err}");
}

/// A `files` pattern of the mapping that no file used is a warning of both
/// `inspect` and `audit` (a typo would otherwise change nothing, silently),
/// saying why: no file matches, or an earlier pattern took its files; a
/// pattern with `[…]` is told that brackets match literally. A pattern of
/// lock files (skipped anyway) is used; `report --compare` warns only of a
/// pattern that neither period used.
#[test]
fn unused_mapping_patterns_are_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let export = tmp.path().join("export");
    std::fs::create_dir(&export).unwrap();
    std::fs::write(
        export.join("窗口人员-2025.csv"),
        "工号,姓名,派驻单位\nS1,张三,民政局\n",
    )
    .unwrap();
    std::fs::write(export.join("~$窗口人员-2025.csv"), "").unwrap();
    let map = tmp.path().join("m.yaml");
    std::fs::write(
        &map,
        "files:\n  \"窗口人员-*.csv\": { dataset: staff }\n  \"窗口人员-2025.csv\": { dataset: staff }\n  \"办件-202[45].csv\": { dataset: cases }\n  \"~$*\": { skip: true }\n",
    )
    .unwrap();
    let run = |command: &str, extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
            .arg(command)
            .arg(&export)
            .arg("--map")
            .arg(&map)
            .args(extra)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{command}: {err}");
        err.lines()
            .filter(|l| l.contains("警告: 映射文件"))
            .map(str::to_string)
            .collect::<Vec<String>>()
    };
    for (command, extra) in [
        ("inspect", &[][..]),
        (
            "audit",
            &["--as-of", "2025-12-31", "--fail-on", "never"][..],
        ),
    ] {
        let warnings = run(command, extra);
        assert_eq!(warnings.len(), 2, "{command}: {warnings:?}");
        assert!(
            warnings[0].contains("\"窗口人员-2025.csv\" 没有用于任何文件: 与之匹配的文件都先匹配了前面的 \"窗口人员-*.csv\""),
            "{warnings:?}"
        );
        assert!(
            warnings[1].contains("\"办件-202[45].csv\" 没有用于任何文件: 没有文件与之匹配")
                && warnings[1].contains("方括号"),
            "{warnings:?}"
        );
    }
    // A previous period whose file the bracket pattern names literally.
    let before = tmp.path().join("before");
    std::fs::create_dir(&before).unwrap();
    std::fs::write(
        before.join("办件-202[45].csv"),
        "办件编号,事项编码,受理部门,受理渠道,受理时间\nC1,A1,民政局,中心窗口,2024-03-04 09:00:00\n",
    )
    .unwrap();
    std::fs::copy(
        export.join("窗口人员-2025.csv"),
        before.join("窗口人员-2024.csv"),
    )
    .unwrap();
    let warnings = run(
        "report",
        &[
            "--as-of",
            "2025-12-31",
            "--compare",
            before.to_str().unwrap(),
        ],
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("\"窗口人员-2025.csv\""),
        "{warnings:?}"
    );
}
