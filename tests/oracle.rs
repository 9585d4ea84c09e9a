//! yimen against an independent oracle.
//!
//! `tests/oracle/oracle.py` (Python 3 standard library only, written from the rule
//! catalogue and the data contract alone) generates a messy export folder and the
//! findings the rule catalogue's semantics give for it. For a few fixed seeds this
//! test runs `yimen audit` on the folder and requires, for every rule code:
//! - the set of finding keys equals the oracle's (precision and recall 1);
//! - every record the oracle is sure is undetermined is reported as undetermined.
//!
//! On a mismatch it prints, per code, the missing and unexpected keys with the row
//! data of a few of them, then fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// (seed, audit date). The last audits across the 2026 New Year holiday (and its
/// 调休 Sunday, 2026-01-04), so unfinished cases are counted with holiday-cn 2026.
const SEEDS: [(u64, &str); 3] = [
    (7, "2025-12-31"),
    (42, "2025-12-31"),
    (20_251_231, "2026-01-09"),
];
const CASES: u32 = 400;

type Keys = BTreeSet<Vec<String>>;

fn oracle_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/oracle.py")
}

fn holiday_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/holiday-cn")
}

fn require_python() {
    let ok = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "the oracle test needs `python3` (3.11+, standard library only) on PATH: \
         it runs tests/oracle/oracle.py to generate the exports and the expected findings"
    );
}

fn keys_of(v: &Value) -> Keys {
    v.as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|k| {
            k.as_array()
                .expect("a key is a list")
                .iter()
                .map(|s| s.as_str().expect("a key value is a string").to_string())
                .collect()
        })
        .collect()
}

fn by_code(list: &Value) -> BTreeMap<String, Keys> {
    let mut out: BTreeMap<String, Keys> = BTreeMap::new();
    for f in list.as_array().expect("a list of findings") {
        let code = f["code"].as_str().expect("code").to_string();
        let key: Vec<String> = f["key"]
            .as_array()
            .expect("key")
            .iter()
            .map(|s| s.as_str().expect("key value is a string").to_string())
            .collect();
        out.entry(code).or_default().insert(key);
    }
    out
}

fn run_oracle(dir: &Path, seed: u64, as_of: &str) -> Value {
    let out = Command::new("python3")
        .arg(oracle_script())
        .arg(dir)
        .args([
            "--seed",
            &seed.to_string(),
            "--cases",
            &CASES.to_string(),
            "--as-of",
            as_of,
        ])
        .arg("--holidays")
        .arg(holiday_dir())
        .output()
        .expect("running python3");
    assert!(
        out.status.success(),
        "oracle.py failed for seed {seed}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json is JSON")
}

fn run_yimen(export: &Path, as_of: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("audit")
        .arg(export)
        .args(["--as-of", as_of, "--format", "json", "--fail-on", "never"])
        .output()
        .expect("running yimen");
    assert!(
        out.status.success(),
        "yimen audit failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("yimen's JSON output");
    let schema_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/contracts/findings.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).expect("findings.schema.json"))
            .expect("schema");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "yimen's JSON breaks findings.schema.json: {errors:#?}"
    );
    json
}

/// The raw cells of the records behind a key, as the oracle wrote them.
fn row_data(expected: &Value, code: &str, key: &[String]) -> String {
    let dataset = if code == "H002" {
        "cases-groups"
    } else {
        expected["datasets"][code].as_str().unwrap_or("")
    };
    match expected["rows"][dataset].get(key.join("|")) {
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 900 {
                s.chars().take(900).collect::<String>() + "…"
            } else {
                s
            }
        }
        None => "(no row in the oracle's data)".to_string(),
    }
}

/// For the authorisation rules, the authorisation rows of the record's (dept, item).
fn auth_rows(expected: &Value, code: &str, key: &[String]) -> Option<String> {
    if !matches!(code, "A001" | "A002" | "A003") {
        return None;
    }
    let dataset = expected["datasets"][code].as_str()?;
    let row = expected["rows"][dataset].get(key.join("|"))?.get(0)?;
    let item = row
        .get("item_code")
        .or_else(|| row.get("code"))?
        .as_str()?
        .trim();
    let dept = row["dept"].as_str()?.trim();
    let pair = format!("{dept}|{item}");
    Some(match expected["rows"]["authorizations"].get(&pair) {
        Some(v) => format!("authorisations of ({dept}, {item}): {v}"),
        None => format!("no authorisation for ({dept}, {item})"),
    })
}

/// How the oracle wrote a dataset: format, files (with encodings), the header of each field.
fn files_of(expected: &Value, code: &str) -> String {
    let dataset = expected["datasets"][code].as_str().unwrap_or("");
    format!("{dataset}: {}", expected["files"][dataset])
}

/// Compares one seed; returns the report of the disagreements (empty when none).
fn compare(seed: u64, expected: &Value, actual: &Value) -> String {
    let got = by_code(&actual["findings"]);
    let got_undet = by_code(&actual["undetermined"]);
    let mut why_undet: BTreeMap<(String, Vec<String>), String> = BTreeMap::new();
    for u in actual["undetermined"].as_array().expect("undetermined") {
        let key: Vec<String> = u["key"]
            .as_array()
            .expect("key")
            .iter()
            .map(|s| s.as_str().unwrap_or_default().to_string())
            .collect();
        why_undet.insert(
            (u["code"].as_str().unwrap_or_default().to_string(), key),
            u["missing"].to_string(),
        );
    }
    let empty = Keys::new();
    let mut report = String::new();
    let codes = expected["findings"].as_object().expect("findings per code");
    for (code, exp) in codes {
        let exp = keys_of(exp);
        let exp_undet = keys_of(&expected["undetermined"][code]);
        let got_c = got.get(code).unwrap_or(&empty);
        let got_u = got_undet.get(code).unwrap_or(&empty);
        let missing: Vec<_> = exp.difference(got_c).collect();
        let unexpected: Vec<_> = got_c.difference(&exp).collect();
        let missing_undet: Vec<_> = exp_undet.difference(got_u).collect();
        if missing.is_empty() && unexpected.is_empty() && missing_undet.is_empty() {
            continue;
        }
        report += &format!(
            "\n[seed {seed}] {code}: expected {} findings, yimen {}; {} missing, {} unexpected, \
             {} expected undetermined not reported as such\n  written as {}\n",
            exp.len(),
            got_c.len(),
            missing.len(),
            unexpected.len(),
            missing_undet.len(),
            files_of(expected, code)
        );
        for (label, keys) in [
            ("missing finding", &missing),
            ("unexpected finding", &unexpected),
            ("not reported undetermined", &missing_undet),
        ] {
            for (i, k) in keys.iter().enumerate() {
                let also = if let Some(m) = why_undet.get(&(code.clone(), (*k).clone())) {
                    format!(" (yimen: undetermined, missing {m})")
                } else if exp_undet.contains(*k) {
                    " (oracle: undetermined)".to_string()
                } else {
                    String::new()
                };
                report += &format!("  {label}: {k:?}{also}\n");
                if i < 3 {
                    report += &format!("      row: {}\n", row_data(expected, code, k));
                    if let Some(a) = auth_rows(expected, code, k) {
                        report += &format!("      {a}\n");
                    }
                }
            }
        }
    }
    if !report.is_empty() {
        report += &format!(
            "[seed {seed}] how each dataset was written: {}\n",
            expected["files"]
        );
    }
    for code in got.keys() {
        if !codes.contains_key(code) {
            report += &format!(
                "\n[seed {seed}] {code}: yimen reports a code the catalogue does not have\n"
            );
        }
    }
    report
}

#[test]
fn yimen_agrees_with_the_independent_oracle() {
    require_python();
    let mut report = String::new();
    for (seed, as_of) in SEEDS {
        let dir = tempfile::tempdir().expect("tempdir");
        let expected = run_oracle(dir.path(), seed, as_of);
        let as_of = expected["as_of"].as_str().expect("as_of").to_string();
        let actual = run_yimen(&dir.path().join("export"), &as_of);
        assert_eq!(
            actual["as_of"].as_str(),
            Some(as_of.as_str()),
            "as_of echoed"
        );
        let errors = actual["data_errors"].as_array().map_or(0, Vec::len);
        if errors > 0 {
            report += &format!(
                "\n[seed {seed}] {errors} data errors on cells the oracle wrote from the contract, e.g. {}\n",
                actual["data_errors"][0]
            );
        }
        report += &compare(seed, &expected, &actual);
    }
    assert!(
        report.is_empty(),
        "yimen disagrees with the oracle:{report}"
    );
}

/// The comparison itself must see a difference: the same exports audited on
/// another date change the verdicts of the date-dependent rules.
#[test]
fn the_oracle_comparison_detects_a_difference() {
    require_python();
    let dir = tempfile::tempdir().expect("tempdir");
    let (seed, as_of) = SEEDS[2];
    let expected = run_oracle(dir.path(), seed, as_of);
    let actual = run_yimen(&dir.path().join("export"), "2026-01-08");
    let report = compare(seed, &expected, &actual);
    assert!(
        report.contains("] H003:") || report.contains("] H004:"),
        "{report}"
    );
}

/// A sweep over more seeds: five by default; a wider one by hand with
/// `YIMEN_ORACLE_SEEDS=1-50 cargo test --test oracle` (a range `a-b` or a
/// comma-separated list), each seed audited on 2025-12-31.
#[test]
fn many_seeds() {
    require_python();
    let spec = std::env::var("YIMEN_ORACLE_SEEDS").unwrap_or_else(|_| "101-105".to_string());
    let seeds: Vec<u64> = if let Some((a, b)) = spec.split_once('-') {
        (a.trim().parse().expect("seed")..=b.trim().parse().expect("seed")).collect()
    } else {
        spec.split(',')
            .map(|s| s.trim().parse().expect("seed"))
            .collect()
    };
    let mut report = String::new();
    for seed in seeds {
        let dir = tempfile::tempdir().expect("tempdir");
        let expected = run_oracle(dir.path(), seed, "2025-12-31");
        let actual = run_yimen(&dir.path().join("export"), "2025-12-31");
        report += &compare(seed, &expected, &actual);
    }
    assert!(
        report.is_empty(),
        "yimen disagrees with the oracle:{report}"
    );
}
