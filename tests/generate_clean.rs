//! `yimen generate --clean` writes an export on which no rule fires and none
//! is undetermined, whatever the seed, the catalogue (made up or real), the
//! formats (`--plain` or mixed) and the audit date within the period it
//! covers; without `--clean` every rule fires. Same seed, same bytes.

mod common;

use std::path::{Path, PathBuf};

/// Audit dates: mid-period (cases accepted after it), the period's end, and
/// half a year later (an unfinished case would be overdue by then).
const AS_OF: &[&str] = &["2025-06-30", "2025-12-31", "2026-06-30"];

fn real_catalogue() -> PathBuf {
    common::root().join("../shared/data/real/guangan-catalogue.csv")
}

/// `yimen generate DIR --cases 500 --seed SEED [--real-catalogue …] [extra…]`.
fn generate(dir: &Path, seed: u64, real: bool, extra: &[&str]) {
    let mut cmd = common::yimen(None);
    cmd.arg("generate")
        .arg(dir)
        .args(["--cases", "500", "--seed", &seed.to_string()])
        .args(extra);
    if real {
        cmd.arg("--real-catalogue").arg(real_catalogue());
    }
    common::assert_success(&cmd.output().unwrap());
}

/// `yimen audit DIR --as-of AS_OF --format json --fail-on warning`: the exit
/// code and the JSON, after asserting that nothing was said on stderr.
fn audit(dir: &Path, as_of: &str) -> (Option<i32>, serde_json::Value) {
    let out = common::yimen(None)
        .arg("audit")
        .arg(dir)
        .args(["--as-of", as_of, "--format", "json", "--fail-on", "warning"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.is_empty(), "{}: {said}", dir.display());
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

/// "CODE key" of every entry of a list of the JSON.
fn listed(json: &serde_json::Value, list: &str) -> Vec<String> {
    json[list]
        .as_array()
        .unwrap_or_else(|| panic!("no `{list}` list"))
        .iter()
        .map(|e| format!("{} {}", e["code"], e["key"]))
        .collect()
}

#[test]
fn a_clean_export_has_no_finding_at_any_audit_date() {
    let tmp = tempfile::tempdir().unwrap();
    for seed in [1, 3, 4] {
        for real in [false, true] {
            for plain in [false, true] {
                let dir = tmp.path().join(format!("{seed}-{real}-{plain}"));
                let extra: &[&str] = if plain {
                    &["--clean", "--plain"]
                } else {
                    &["--clean"]
                };
                generate(&dir, seed, real, extra);
                for as_of in AS_OF {
                    let (code, json) = audit(&dir, as_of);
                    let what =
                        format!("seed {seed}, real catalogue {real}, plain {plain}, as of {as_of}");
                    assert_eq!(listed(&json, "findings"), Vec::<String>::new(), "{what}");
                    assert_eq!(
                        listed(&json, "undetermined"),
                        Vec::<String>::new(),
                        "{what}"
                    );
                    assert_eq!(json["data_errors"], serde_json::json!([]), "{what}");
                    assert_eq!(code, Some(0), "{what}");
                }
            }
        }
    }
}

#[test]
fn without_clean_every_rule_fires() {
    let tmp = tempfile::tempdir().unwrap();
    for seed in [1, 3, 4] {
        for real in [false, true] {
            let dir = tmp.path().join(format!("{seed}-{real}"));
            generate(&dir, seed, real, &[]);
            let (code, json) = audit(&dir, "2025-12-31");
            assert_eq!(code, Some(1));
            for c in common::ALL_CODES {
                assert!(
                    !common::with_code(&json, "findings", c).is_empty(),
                    "{c} does not fire on seed {seed}, real catalogue {real}"
                );
            }
        }
    }
}

/// Every file of `dir`, by name, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    for extra in [&["--clean"][..], &[]] {
        let a = tmp.path().join(format!("a{}", extra.len()));
        let b = tmp.path().join(format!("b{}", extra.len()));
        generate(&a, 3, true, extra);
        generate(&b, 3, true, extra);
        let (fa, fb) = (files(&a), files(&b));
        assert_eq!(fa.len(), 7);
        assert!(fa == fb, "two runs with seed 3 {extra:?} differ");
    }
}

/// The files `generate` writes are the ones `planned_files` names (the
/// list `yimen generate` checks a folder against), in both forms.
#[test]
fn generate_writes_the_planned_files() {
    for mixed in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let opts = yimen::generate::GenOptions {
            cases: 20,
            mixed_formats: mixed,
            ..yimen::generate::GenOptions::default()
        };
        let summary = yimen::generate::generate(dir.path(), &opts).unwrap();
        assert_eq!(
            summary.files,
            yimen::generate::planned_files(&opts),
            "{mixed}"
        );
    }
}
