//! A key written twice in one mapping of a YAML configuration file is an
//! error naming the key and the line of the repeat (exit 2), never the last
//! value silently: the weights, the mapping, the parameters, the waivers, a
//! local calendar, the schema and the source files.

mod common;

/// A folder with one case, for the commands to run on.
fn export() -> tempfile::TempDir {
    common::folder(&[(
        "办件记录.csv",
        "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
         C1,A1,X局,中心窗口,2025-03-03 09:00:00,2025-03-03 10:00:00\n",
    )])
}

/// `yimen COMMAND DIR --as-of 2025-12-31 OPTION FILE` with `text` in FILE:
/// its exit code and stderr.
fn run(command: &str, option: &str, text: &str) -> (Option<i32>, String) {
    let dir = export();
    let file = dir.path().join("config.yaml");
    std::fs::write(&file, text).unwrap();
    let out = common::yimen(None)
        .arg(command)
        .arg(dir.path())
        .args(["--as-of", "2025-12-31", option])
        .arg(&file)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_repeat(command: &str, option: &str, text: &str, named: &str) {
    let (code, err) = run(command, option, text);
    assert_eq!(code, Some(2), "{option}: {text}\n{err}");
    assert!(err.contains(named), "{option}: {text}\n{err}");
}

#[test]
fn a_weights_file_repeating_a_key_in_a_mapping_is_an_error() {
    for (text, named) in [
        ("metrics:\n  M01: 1\n  M01: 5\n", "权重文件"),
        ("metrics:\n  M01: 1\n  M01: 5\n", "键 M01 重复出现(第 3 行)"),
        (
            "penalty_error: 1\ntargets:\n  M06: 0.9\n  M04: 0.8\n  M06: 0.5\n",
            "键 M06 重复出现(第 5 行)",
        ),
        ("metrics: {M01: 1, M01: 5}\n", "键 M01 重复出现(第 1 行)"),
        // A repeated top-level key, refused before, now at its line too.
        (
            "penalty_error: 1\nmax_penalty: 5\npenalty_error: 2\n",
            "键 penalty_error 重复出现(第 3 行)",
        ),
    ] {
        assert_repeat("report", "--weights", text, named);
    }
}

#[test]
fn a_mapping_file_repeating_a_key_is_an_error() {
    for (text, named) in [
        // A header of a field given twice.
        (
            "datasets:\n  cases:\n    headers:\n      dept: 办理部门\n      dept: 承办单位\n",
            "键 dept 重复出现(第 5 行)",
        ),
        // A dataset given twice: its first settings were dropped.
        (
            "datasets:\n  cases:\n    headers: { dept: 办理部门 }\n  cases:\n    headers: { dept: 承办单位 }\n",
            "键 cases 重复出现(第 4 行)",
        ),
        // A field's value aliases given twice.
        (
            "datasets:\n  catalogue:\n    values:\n      kind: { \"1\": 行政许可 }\n      kind: { \"2\": 行政处罚 }\n",
            "键 kind 重复出现(第 5 行)",
        ),
    ] {
        assert_repeat("audit", "--map", text, named);
    }
}

#[test]
fn params_waivers_and_calendar_files_repeating_a_key_are_errors_at_the_repeat() {
    assert_repeat(
        "audit",
        "--params",
        "params:\n  age_limit: 50\n  age_limit: 60\n",
        "键 age_limit 重复出现(第 3 行)",
    );
    assert_repeat(
        "audit",
        "--params",
        "lead_for:\n  基建: 发改局\n  基建: 住建局\n",
        "键 基建 重复出现(第 3 行)",
    );
    let waiver = "- code: H001\n  key: [C1]\n  reason: r\n  approved_by: a\n  approval_ref: x\n  expires: 2026-12-31\n";
    assert_repeat(
        "audit",
        "--waivers",
        &format!("{waiver}  reason: again\n"),
        "键 reason 重复出现(第 7 行)",
    );
    let (code, err) = run(
        "audit",
        "--calendar",
        "days:\n  - date: 2025-10-11\n    off: true\n    off: false\n",
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("键 off 重复出现(第 4 行)"), "{err}");
}

#[test]
fn a_schema_or_source_file_repeating_a_key_is_an_error() {
    let root = common::root();
    let schema = std::fs::read_to_string(root.join("policies/schema.yaml")).unwrap();
    // A value alias given twice: the second label won silently.
    let twice = schema.replacen(
        "value_aliases: { \"1\": 即办件,",
        "value_aliases: { \"1\": 即办件, \"1\": 承诺件,",
        1,
    );
    assert_ne!(twice, schema);
    let Err(err) = yimen::schema::Schema::from_yaml("schema.yaml", &twice) else {
        panic!("a repeated value alias is an error");
    };
    let err = err.to_string();
    let line = 1 + schema
        .lines()
        .position(|l| l.contains("value_aliases: { \"1\": 即办件,"))
        .unwrap();
    assert!(
        err.contains("\"1\"") && err.contains(&format!("line {line}")),
        "{err}"
    );
    let source = std::fs::read_to_string(root.join("policies/sources/sandu-2018.yaml")).unwrap();
    // The first key of the file, written again on the next line.
    let mut lines: Vec<&str> = source.lines().collect();
    let at = lines
        .iter()
        .position(|l| !l.starts_with('#') && l.contains(':'))
        .unwrap();
    let first = lines[at];
    lines.insert(at + 1, first);
    let texts = [("sandu-2018.yaml".to_string(), lines.join("\n"))];
    let Err(err) = yimen::sources::SourceRegistry::from_yaml_texts(&texts) else {
        panic!("a repeated key is an error");
    };
    let err = err.to_string();
    let key = first.split(':').next().unwrap();
    assert!(
        err.contains(key) && err.contains(&format!("line {}", at + 2)),
        "{err}"
    );
}
