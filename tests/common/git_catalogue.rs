//! A catalogue kept in a git repository, and `yimen diff` run in it
//! (`tests/diff.rs`, `tests/diff_revision.rs`).

use std::path::Path;
use std::process::Command;

pub const HEADER: &str = "事项编码,事项名称,事项类型,实施主体,是否进驻中心,不进驻批准文号,办件类型,法定办结时限,承诺办结时限,审批内容,办理流程,设定依据,申请材料,收费标准\n";

pub fn item(code: &str, kind: &str, in_center: &str, exemption: &str, complete: bool) -> String {
    let six = if complete {
        "内容,流程,依据,材料"
    } else {
        "内容,流程,,材料"
    };
    format!("{code},{code}事项,{kind},X局,{in_center},{exemption},承诺件,20,10,{six},不收费\n")
}

pub fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

pub fn diff(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .current_dir(dir)
        .arg("diff")
        .args(args)
        .args(["--as-of", "2025-12-31", "--format", "json"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let cat = tmp.path().join("catalogue");
    std::fs::create_dir(&cat).unwrap();
    let v1 = format!(
        "{HEADER}{}{}",
        item("A1", "行政许可", "是", "", true),
        item("A2", "公共服务", "是", "", true)
    );
    std::fs::write(cat.join("事项目录.csv"), v1).unwrap();
    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "."]);
    git(tmp.path(), &["commit", "-q", "-m", "v1"]);
    tmp
}

/// v2: A1 withdrawn from the centre without an approval; A3 added without its basis.
pub fn write_v2(cat: &Path) {
    let v2 = format!(
        "{HEADER}{}{}{}",
        item("A1", "行政许可", "否", "", true),
        item("A2", "公共服务", "是", "", true),
        item("A3", "行政许可", "是", "", false)
    );
    std::fs::write(cat.join("事项目录.csv"), v2).unwrap();
}

pub fn keys(json: &serde_json::Value) -> Vec<(String, String)> {
    let mut k: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["key"][0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    k.sort();
    k
}

/// A temporary folder holding the empty folders `old` and `new`, for
/// `yimen diff old new` (run in the temporary folder).
pub fn old_and_new() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    std::fs::create_dir(&old).unwrap();
    std::fs::create_dir(&new).unwrap();
    (tmp, old, new)
}
