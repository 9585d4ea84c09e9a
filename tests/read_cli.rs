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
