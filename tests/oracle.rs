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
//!
//! The oracle also gives the evaluation metrics M01-M07 (the centre row, dept null,
//! and one row per department with records in the metric). For the same seeds the
//! metrics tests run `yimen report --format json` on the folder (no `--period`: every
//! record counts) and require, for every row the oracle gives, the same numerator,
//! denominator and undetermined count, and no further yimen row with a non-zero
//! denominator or undetermined count. On a mismatch they print a table of the
//! differing rows, then fail.

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
    run_checked(
        export,
        &[
            "audit",
            "--as-of",
            as_of,
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        "findings.schema.json",
    )
}

fn run_report(export: &Path, as_of: &str) -> Value {
    run_checked(
        export,
        &["report", "--as-of", as_of, "--format", "json"],
        "metrics.schema.json",
    )
}

/// `yimen COMMAND EXPORT ARGS…` (the command first in `args`): its JSON,
/// required to succeed and to validate against `../shared/contracts/SCHEMA`.
fn run_checked(export: &Path, args: &[&str], schema: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg(args[0])
        .arg(export)
        .args(&args[1..])
        .output()
        .expect("running yimen");
    assert!(
        out.status.success(),
        "yimen {} failed ({}):\n{}",
        args[0],
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("yimen's JSON output");
    let schema_path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/contracts")
        .join(schema);
    let schema_json: Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).expect("the schema"))
            .expect("schema");
    let validator = jsonschema::validator_for(&schema_json).expect("a valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "yimen's JSON breaks {schema}: {errors:#?}"
    );
    json
}

/// The seeds of the sweeps: `YIMEN_ORACLE_SEEDS` (a range `a-b` or a comma-separated
/// list), 101-105 by default.
fn sweep_seeds() -> Vec<u64> {
    let spec = std::env::var("YIMEN_ORACLE_SEEDS").unwrap_or_else(|_| "101-105".to_string());
    if let Some((a, b)) = spec.split_once('-') {
        (a.trim().parse().expect("seed")..=b.trim().parse().expect("seed")).collect()
    } else {
        spec.split(',')
            .map(|s| s.trim().parse().expect("seed"))
            .collect()
    }
}

/// (metric id, dept; `None` for the centre) -> (numerator, denominator, undetermined).
type MetricRows = BTreeMap<(String, Option<String>), [u64; 3]>;

fn metric_rows(list: &Value) -> MetricRows {
    let mut out = MetricRows::new();
    for m in list.as_array().expect("a list of metrics") {
        let id = m["id"].as_str().expect("metric id").to_string();
        let dept = m["dept"].as_str().map(str::to_string);
        let n = |f: &str| m[f].as_u64().unwrap_or(0);
        out.insert(
            (id, dept),
            [n("numerator"), n("denominator"), n("undetermined")],
        );
    }
    out
}

/// The oracle's undetermined records of a metric row (for the diagnostics).
fn metric_undetermined(expected: &Value, id: &str, dept: Option<&str>) -> String {
    let v = &expected["metric_records"][id][dept.unwrap_or("")][2];
    let keys: Vec<&str> = v
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if keys.len() > 8 {
        format!("{} …({} in all)", keys[..8].join(", "), keys.len())
    } else {
        keys.join(", ")
    }
}

/// Compares the metrics of one seed; returns a table of the differing rows (empty when none).
fn compare_metrics(seed: u64, expected: &Value, actual: &Value) -> String {
    let exp = metric_rows(&expected["metrics"]);
    let got = metric_rows(&actual["metrics"]);
    let fmt = |r: Option<&[u64; 3]>| match r {
        Some([n, d, u]) => format!("{n:>6}{d:>6}{u:>6}"),
        None => format!("{:>18}", "(no row)"),
    };
    let mut lines = Vec::new();
    let mut undetermined = Vec::new();
    for ((id, dept), e) in &exp {
        let g = got.get(&(id.clone(), dept.clone()));
        if g != Some(e) {
            lines.push((id.clone(), dept.clone(), fmt(Some(e)), fmt(g)));
            if g.is_none_or(|g| g[2] != e[2]) && e[2] > 0 {
                undetermined.push(format!(
                    "  {id} {}: the oracle's undetermined records: {}",
                    dept.as_deref().unwrap_or("(centre)"),
                    metric_undetermined(expected, id, dept.as_deref())
                ));
            }
        }
    }
    for ((id, dept), g) in &got {
        if !exp.contains_key(&(id.clone(), dept.clone())) && (g[1] > 0 || g[2] > 0) {
            lines.push((id.clone(), dept.clone(), fmt(None), fmt(Some(g))));
        }
    }
    if lines.is_empty() {
        return String::new();
    }
    let mut report = format!(
        "\n[seed {seed}] {} metric rows differ (left the oracle's numerator, denominator and \
         undetermined, right yimen's):\n  {:<7}{:<14}{:>6}{:>6}{:>6}   {:>6}{:>6}{:>6}\n",
        lines.len(),
        "metric",
        "dept",
        "num",
        "den",
        "und",
        "num",
        "den",
        "und"
    );
    for (id, dept, e, g) in lines {
        let dept = dept.unwrap_or_else(|| "(centre)".to_string());
        // pad by columns, a CJK character taking two
        let width: usize = dept.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
        let pad = " ".repeat(14usize.saturating_sub(width));
        report += &format!("  {id:<7}{dept}{pad}{e}   {g}\n");
    }
    for u in undetermined {
        report += &u;
        report.push('\n');
    }
    report
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
    let mut report = String::new();
    for seed in sweep_seeds() {
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

/// The metrics M01-M07 of `yimen report` against the oracle's, for the fixed seeds
/// (with their audit dates: M02 looks at the authorisations valid on it).
#[test]
fn yimen_metrics_agree_with_the_oracle() {
    require_python();
    let mut report = String::new();
    for (seed, as_of) in SEEDS {
        let dir = tempfile::tempdir().expect("tempdir");
        let expected = run_oracle(dir.path(), seed, as_of);
        let actual = run_report(&dir.path().join("export"), as_of);
        report += &compare_metrics(seed, &expected, &actual);
    }
    assert!(
        report.is_empty(),
        "yimen's metrics disagree with the oracle's:{report}"
    );
}

/// The metrics sweep over `YIMEN_ORACLE_SEEDS` (see `many_seeds`), audited on 2025-12-31.
#[test]
fn many_seeds_metrics() {
    require_python();
    let mut report = String::new();
    for seed in sweep_seeds() {
        let dir = tempfile::tempdir().expect("tempdir");
        let expected = run_oracle(dir.path(), seed, "2025-12-31");
        let actual = run_report(&dir.path().join("export"), "2025-12-31");
        report += &compare_metrics(seed, &expected, &actual);
    }
    assert!(
        report.is_empty(),
        "yimen's metrics disagree with the oracle's:{report}"
    );
}

/// The metrics comparison itself must see a difference: the oracle's own rows agree
/// with themselves, and not once a numerator, an undetermined count or a row changes.
#[test]
fn the_metrics_comparison_detects_a_difference() {
    require_python();
    let dir = tempfile::tempdir().expect("tempdir");
    let (seed, as_of) = SEEDS[0];
    let expected = run_oracle(dir.path(), seed, as_of);
    let same = serde_json::json!({ "metrics": expected["metrics"].clone() });
    assert_eq!(compare_metrics(seed, &expected, &same), "");
    let rows = expected["metrics"].as_array().expect("metrics").clone();
    assert!(
        rows.len() > 7,
        "a centre row per metric and department rows"
    );
    for (i, field) in [(0, "numerator"), (rows.len() - 1, "undetermined")] {
        let mut changed = rows.clone();
        let v = changed[i][field].as_u64().expect("a count");
        changed[i][field] = Value::from(v + 1);
        let report = compare_metrics(seed, &expected, &serde_json::json!({ "metrics": changed }));
        assert!(report.contains("1 metric rows differ"), "{field}: {report}");
    }
    let mut extra = rows.clone();
    extra.push(
        serde_json::json!({"id": "M05", "dept": "不存在局", "numerator": 0,
                                  "denominator": 3, "undetermined": 0}),
    );
    let report = compare_metrics(seed, &expected, &serde_json::json!({ "metrics": extra }));
    assert!(report.contains("不存在局"), "{report}");
    let mut missing = rows;
    missing.remove(0);
    let report = compare_metrics(seed, &expected, &serde_json::json!({ "metrics": missing }));
    assert!(report.contains("(no row)"), "{report}");
}
