//! Shared helpers for the integration tests.
#![allow(dead_code)]

pub mod git_catalogue;

use std::path::{Path, PathBuf};

use yimen::diagnostics::{render_human, PolicySource};
use yimen::policy::{load_sources, PolicyErrors};
use yimen::read::{discover, ReadOptions, SourceFile};
use yimen::schema::Schema;
use yimen::sources::SourceRegistry;

/// The `yimen` binary under test, with the engine `YIMEN_ENGINE` names
/// (`None`: the default, whatever the environment says).
pub fn yimen(engine: Option<&str>) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_yimen"));
    match engine {
        Some(e) => cmd.env("YIMEN_ENGINE", e),
        None => cmd.env_remove("YIMEN_ENGINE"),
    };
    cmd
}

/// `yimen audit DIR --policy P... --as-of 2025-12-31 --format json` with the
/// engine `YIMEN_ENGINE` names: its JSON, after asserting it exited 0.
pub fn audit_json(engine: Option<&str>, dir: &Path, policies: &[PathBuf]) -> serde_json::Value {
    serde_json::from_slice(&audit_bytes(engine, dir, policies, &[])).unwrap()
}

/// As [`audit_json`], with `extra` arguments: the JSON's bytes, to compare
/// runs byte for byte.
pub fn audit_bytes(
    engine: Option<&str>,
    dir: &Path,
    policies: &[PathBuf],
    extra: &[&str],
) -> Vec<u8> {
    let out = audit_command(engine, dir, policies)
        .args(extra)
        .output()
        .unwrap();
    assert_success(&out);
    out.stdout
}

/// `yimen audit DIR --policy P... --as-of 2025-12-31 --format json
/// --fail-on never`, to add arguments to and run (its exit code not
/// asserted).
pub fn audit_command(
    engine: Option<&str>,
    dir: &Path,
    policies: &[PathBuf],
) -> std::process::Command {
    let mut cmd = yimen(engine);
    cmd.arg("audit").arg(dir);
    for p in policies {
        cmd.arg("--policy").arg(p);
    }
    cmd.args([
        "--as-of",
        "2025-12-31",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    cmd
}

/// Asserts that a command exited 0 (showing its stderr if not).
pub fn assert_success(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The codes of the rules that apply to an export (not the change rules
/// D001-D003 of `yimen diff`).
pub const ALL_CODES: &[&str] = &[
    "E001", "E002", "E003", "H001", "H002", "H003", "H004", "H005", "H006", "A001", "A002", "A003",
    "A004", "F001", "F002", "F003", "F004", "F005", "P001", "P002", "C001", "C002", "S001", "S002",
    "S003", "S004", "J001", "J002",
];

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `*.yimen` files directly in `dir`, sorted.
pub fn yimen_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yimen"))
        .collect();
    out.sort();
    out
}

/// A source named relative to the repository root, for stable snapshots.
pub fn source(path: &Path) -> PolicySource {
    let name = path
        .strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    PolicySource::new(name, std::fs::read_to_string(path).unwrap())
}

/// Load files together with the shipped parameters (so `centre_channels` … resolve).
pub fn load_with_params(paths: &[PathBuf]) -> Result<yimen::ir::Program, PolicyErrors> {
    let mut all = vec![root().join("policies/params.yimen")];
    for p in paths {
        if !all.contains(p) {
            all.push(p.clone());
        }
    }
    let sources = all.iter().map(|p| source(p)).collect();
    load_sources(sources, Schema::builtin(), Some(SourceRegistry::builtin())).map(|(_, p)| p)
}

/// Every error rendered as a person sees it, without colour, at width 100.
pub fn render_all(errs: &PolicyErrors) -> String {
    let mut out = String::new();
    for f in &errs.errors {
        for e in &f.errors {
            out.push_str(&render_human(e, &errs.sources[f.file], false, 100));
        }
    }
    out
}

/// A policy folder with the shipped schema and sources and one policy file
/// `p.yimen` holding `text`.
pub fn policy_folder(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = root();
    std::fs::copy(
        root.join("policies/schema.yaml"),
        dir.path().join("schema.yaml"),
    )
    .unwrap();
    let sources = dir.path().join("sources");
    std::fs::create_dir(&sources).unwrap();
    for f in std::fs::read_dir(root.join("policies/sources")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, sources.join(f.file_name().unwrap())).unwrap();
    }
    std::fs::write(dir.path().join("p.yimen"), text).unwrap();
    dir
}

/// The entries of the audit JSON's `list` (`findings`, `undetermined`,
/// `resolved` …) with rule code `code`, in the JSON's order.
pub fn with_code<'a>(
    json: &'a serde_json::Value,
    list: &str,
    code: &str,
) -> Vec<&'a serde_json::Value> {
    json[list]
        .as_array()
        .unwrap_or_else(|| panic!("no `{list}` list in {json}"))
        .iter()
        .filter(|e| e["code"] == code)
        .collect()
}

/// A temporary folder holding `files` (name, text).
pub fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// How `sarif` departs from the official SARIF 2.1.0 schema (in
/// `../shared/data/sarif/`): nothing when it conforms.
pub fn sarif_schema_errors(sarif: &serde_json::Value) -> Vec<String> {
    let schema_path = root().join("../shared/data/sarif/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(sarif)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

/// Rewrites each zip entry of the file (a workbook) at `path` as
/// `edit(name, bytes)` gives it (`None`: left out).
pub fn rewrite_zip_entries(path: &Path, edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut entries = Vec::new();
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        let name = f.name().to_string();
        if let Some(bytes) = edit(&name, bytes) {
            entries.push((name, bytes));
        }
    }
    let mut zout = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
}

/// The text of the entry `name` of a zip file (a workbook's part).
pub fn unzip_entry(path: &Path, name: &str) -> String {
    use std::io::Read as _;
    let mut zin = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zin.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Asserts that `json` follows the contract `contract` of `../shared/contracts`
/// (`findings.schema.json`, `metrics.schema.json`, `inspect.schema.json`).
pub fn assert_contract(contract: &str, json: &serde_json::Value) {
    let path = root().join("../shared/contracts").join(contract);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(json)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The rows of an audit's data errors, in their order.
pub fn data_error_rows(json: &serde_json::Value) -> Vec<u64> {
    json["data_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["row"].as_u64().unwrap())
        .collect()
}

/// The one case log discovery finds in `dir` (with the built-in schema).
pub fn only_cases_source(dir: &Path) -> SourceFile {
    let found = discover(dir, Schema::builtin(), &ReadOptions::default()).expect("discover");
    let mut cases: Vec<SourceFile> = found
        .sources
        .into_iter()
        .filter(|s| s.dataset == "cases")
        .collect();
    assert_eq!(cases.len(), 1, "one case log");
    cases.remove(0)
}
