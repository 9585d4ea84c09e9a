//! Integration tests of the source registry (`yimen::sources`).

use std::path::PathBuf;

use chrono::NaiveDate;
use yimen::sources::{normalize_clause, SourceError, SourceRegistry};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds")
}

fn sources_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies/sources")
}

/// The (source, in force from) table of rule-catalogue.md.
const IN_FORCE: [(&str, &str); 5] = [
    ("gangnan-2017", "2017-12-15"),
    ("sandu-2018", "2018-06-01"),
    ("chenglingji-2022", "2022-08-30"),
    ("dazu-2002", "2002-12-31"),
    ("shuocheng-2019", "2019-05-08"),
];

/// Every clause cited in the "grounded in" column (and the metric sources) of
/// rule-catalogue.md, normalised.
const CITED: &[(&str, &str)] = &[
    // E001..E003
    ("gangnan-2017", "一、(一)"),
    ("gangnan-2017", "二、"),
    ("sandu-2018", "一、(二)2"),
    ("chenglingji-2022", "三、(三)"),
    ("dazu-2002", "二、(一)"),
    ("gangnan-2017", "一、(二)"),
    ("sandu-2018", "七、(八)"),
    ("gangnan-2017", "四、(六)"),
    ("chenglingji-2022", "四、(二)"),
    // H001..H006
    ("sandu-2018", "七、(六)"),
    ("dazu-2002", "五、(二)"),
    ("sandu-2018", "四、(一)"),
    ("chenglingji-2022", "四、(三)"),
    ("sandu-2018", "五、(二)1"),
    ("sandu-2018", "五、(三)1"),
    ("gangnan-2017", "四、(二)"),
    ("sandu-2018", "五、(三)5"),
    // A001..A004
    ("chenglingji-2022", "三、(四)"),
    ("dazu-2002", "二、(二)"),
    ("chenglingji-2022", "一、"),
    // F001..F005
    ("sandu-2018", "五、(三)6"),
    ("sandu-2018", "七、(七)"),
    ("dazu-2002", "三、(二)"),
    ("dazu-2002", "三、(三)"),
    // P001, P002
    ("sandu-2018", "五、(一)"),
    ("gangnan-2017", "四、(四)"),
    // C001, C002
    ("gangnan-2017", "四、(五)"),
    ("gangnan-2017", "四、(七)"),
    ("shuocheng-2019", "三、(一)"),
    ("shuocheng-2019", "四、(二)"),
    // S001..S004
    ("sandu-2018", "三、(二)"),
    ("sandu-2018", "三、(一)"),
    ("sandu-2018", "七、(一)"),
    ("sandu-2018", "七、(三)"),
    ("dazu-2002", "一、"),
    ("chenglingji-2022", "三、(二)"),
    // J001, J002
    ("dazu-2002", "二、(四)"),
    // M06, and the excellence quota note
    ("shuocheng-2019", "三、(二)3(3)"),
    ("sandu-2018", "七、(二)"),
];

#[test]
fn builtin_registry_loads_with_catalogue_dates() {
    let reg = SourceRegistry::builtin();
    assert_eq!(reg.len(), 5);
    let ids: Vec<&str> = reg.sources().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "chenglingji-2022",
            "dazu-2002",
            "gangnan-2017",
            "sandu-2018",
            "shuocheng-2019"
        ],
        "sources come in id order"
    );
    for (id, in_force) in IN_FORCE {
        let src = reg.source(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(src.in_force, date(in_force), "{id} in_force");
        assert!(src.issued <= src.in_force, "{id}: issued after in_force");
        assert!(!src.clauses.is_empty(), "{id} has no clauses");
    }
    let shuocheng = reg.source("shuocheng-2019").unwrap();
    assert_eq!(shuocheng.number.as_deref(), Some("朔区政办发〔2019〕18号"));
    assert_eq!(shuocheng.issued, date("2019-05-08"));
    assert_eq!(
        reg.source("gangnan-2017").unwrap().issued,
        date("2017-12-15")
    );
    assert!(reg.source("chenglingji-2022").unwrap().note.is_some());
}

#[test]
fn builtin_equals_policy_directory() {
    let from_dir = SourceRegistry::from_dir(&sources_dir()).unwrap();
    assert_eq!(&from_dir, SourceRegistry::builtin());
}

#[test]
fn every_cited_clause_resolves() {
    let reg = SourceRegistry::builtin();
    for (source, clause) in CITED {
        assert_eq!(normalize_clause(clause), *clause, "list is normalised");
        let c = reg
            .clause(source, clause)
            .unwrap_or_else(|| panic!("{source} {clause} does not resolve"));
        assert_eq!(c.id, *clause);
    }
    // Short forms as written in rule-catalogue.md resolve too.
    for (source, short) in [
        ("gangnan-2017", "四(六)"),
        ("chenglingji-2022", "一"),
        ("sandu-2018", "五(三)5"),
        ("shuocheng-2019", "三(二)3(3)"),
        ("dazu-2002", "二(四)"),
        ("sandu-2018", "七（八）"),
    ] {
        assert!(reg.clause(source, short).is_some(), "{source} {short}");
    }
}

#[test]
fn cited_clauses_say_what_the_rules_need() {
    let reg = SourceRegistry::builtin();
    let text = |s: &str, c: &str| reg.clause(s, c).unwrap().text.as_str();
    assert!(text("gangnan-2017", "四、(六)").contains("不得擅自撤出"));
    assert!(text("sandu-2018", "五、(三)5").starts_with("明确答复制"));
    assert!(text("shuocheng-2019", "三、(二)3(3)").contains("90%以上实现全程网上办理"));
    assert!(text("dazu-2002", "二、(四)").contains("1000万元以上"));
    assert!(text("dazu-2002", "二、(四)1").contains("县招商局"));
    assert!(text("sandu-2018", "一、(二)2").contains("书面同意备案"));
    assert!(text("chenglingji-2022", "三、(二)").contains("副部长及以上"));
}

fn raw_seed(file: &str) -> String {
    std::fs::read_to_string(seeds_dir().join(file))
        .unwrap_or_else(|e| panic!("cannot read seed {file}: {e}"))
}

/// The seed with each line trimmed and blank lines dropped, lines joined by `\n`: the form in
/// which the YAML files store multi-line clauses.
fn normalised_seed(file: &str) -> String {
    raw_seed(file)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_clause_is_verbatim_from_its_seed() {
    let reg = SourceRegistry::builtin();
    let mut checked = 0;
    for src in reg.sources() {
        let seed_file = src
            .seed
            .as_deref()
            .unwrap_or_else(|| panic!("{} has no seed", src.id));
        let seed = normalised_seed(seed_file);
        for clause in &src.clauses {
            assert!(
                seed.contains(&clause.text),
                "{} {}: text is not a substring of {seed_file}:\n{}",
                src.id,
                clause.id,
                clause.text
            );
            // No line was glued together from pieces: each is a substring of the raw seed.
            for line in clause.text.lines() {
                assert!(
                    raw_seed(seed_file).contains(line),
                    "{} {}",
                    src.id,
                    clause.id
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 133);
}

#[test]
fn clause_ids_are_canonical_and_in_document_order() {
    for src in SourceRegistry::builtin().sources() {
        for c in &src.clauses {
            assert_eq!(normalize_clause(&c.id), c.id);
        }
        // Top-level sections appear in order 一、二、三…
        let tops: Vec<&str> = src
            .clauses
            .iter()
            .map(|c| c.id.as_str())
            .filter(|id| id.ends_with('、'))
            .collect();
        let expected: Vec<String> = "一二三四五六七八"
            .chars()
            .take(tops.len())
            .map(|c| format!("{c}、"))
            .collect();
        assert_eq!(tops, expected, "{}", src.id);
    }
}

#[test]
fn normalize_clause_cases() {
    let cases = [
        ("四(六)", "四、(六)"),
        ("四、（六）", "四、(六)"),
        ("四、 ( 六 ) ", "四、(六)"),
        ("四\u{3000}(六)", "四、(六)"),
        ("四、(六)", "四、(六)"),
        ("一", "一、"),
        ("一、", "一、"),
        ("五(三)1", "五、(三)1"),
        ("五、（三）１", "五、(三)1"),
        ("五(三)1.", "五、(三)1"),
        ("三(二)3(3)", "三、(二)3(3)"),
        ("三、(二)3、(3)", "三、(二)3(3)"),
        ("五1", "五、1"),
        ("", ""),
    ];
    for (input, expected) in cases {
        let once = normalize_clause(input);
        assert_eq!(once, expected, "normalize_clause({input:?})");
        assert_eq!(normalize_clause(&once), once, "idempotent on {input:?}");
    }
    // Idempotence on odd inputs too.
    for odd in ["、一", "(六)", "abc", "十一(二)", "..", "一、、二"] {
        let once = normalize_clause(odd);
        assert_eq!(normalize_clause(&once), once, "idempotent on {odd:?}");
    }
}

#[test]
fn unknown_clause_and_source_get_suggestions() {
    let reg = SourceRegistry::builtin();
    assert!(reg.clause("gangnan-2017", "四(九)").is_none());
    assert!(reg.suggest_clause("gangnan-2017", "四(九)").is_some());
    // A typo: a missing parenthesis.
    assert_eq!(
        reg.suggest_clause("gangnan-2017", "四、(六"),
        Some("四、(六)")
    );
    // A point that does not exist: its parent is as close as its siblings and comes first.
    assert_eq!(
        reg.suggest_clause("sandu-2018", "五(三)7"),
        Some("五、(三)")
    );
    assert_eq!(
        reg.suggest_clause("shuocheng-2019", "三(二)3(6)"),
        Some("三、(二)3(1)")
    );
    assert_eq!(reg.suggest_clause("nowhere", "一"), None);
    assert_eq!(
        reg.suggest_clause("gangnan-2017", "完全无关的条款编号"),
        None
    );

    assert!(reg.source("sandu-2019").is_none());
    assert_eq!(reg.suggest_source("sandu-2019"), Some("sandu-2018"));
    assert_eq!(reg.suggest_source("Sandu-2018"), Some("sandu-2018"));
    assert_eq!(reg.suggest_source("dazu-2020"), Some("dazu-2002"));
    assert_eq!(reg.suggest_source("gangnan"), Some("gangnan-2017"));
    assert_eq!(
        reg.suggest_source("chenglinji-2022"),
        Some("chenglingji-2022")
    );
    assert_eq!(reg.suggest_source("xyz"), None);
    assert_eq!(reg.suggest_source("beijing-2020"), None);
}

const GOOD: &str = "\
id: test-2020
title: 测试文件
issuer: 测试机关
number: null
issued: 2020-01-02
in_force: 2020-02-03
seed: null
note: null
clauses:
  - id: \"一、\"
    text: \"总则\"
  - id: \"一、(一)\"
    text: \"第一款。\"
";

fn one(name: &str, text: &str) -> Result<SourceRegistry, SourceError> {
    SourceRegistry::from_yaml_texts(&[(name.to_owned(), text.to_owned())])
}

#[test]
fn a_good_file_loads() {
    let reg = one("test-2020.yaml", GOOD).unwrap();
    let src = reg.source("test-2020").unwrap();
    assert_eq!(src.issued, date("2020-01-02"));
    assert_eq!(src.in_force, date("2020-02-03"));
    assert_eq!(src.number, None);
    assert_eq!(reg.clause("test-2020", "一(一)").unwrap().text, "第一款。");
}

#[test]
fn malformed_yaml_is_a_yaml_error_with_location() {
    let err = one("test-2020.yaml", "id: [unclosed\ntitle: x\n").unwrap_err();
    match &err {
        SourceError::Yaml { file, line, .. } => {
            assert_eq!(file, "test-2020.yaml");
            assert!(line.is_some());
        }
        other => panic!("expected Yaml, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.starts_with("test-2020.yaml: "), "{message}");
    assert!(message.contains("line 1"), "{message}");

    // Well-formed YAML of the wrong shape (unknown field) is reported the same way.
    let err = one("test-2020.yaml", &GOOD.replace("note:", "notes:")).unwrap_err();
    assert!(matches!(err, SourceError::Yaml { .. }), "{err:?}");
    // A missing required field too.
    let err = one("test-2020.yaml", &GOOD.replace("title: 测试文件\n", "")).unwrap_err();
    assert!(matches!(err, SourceError::Yaml { .. }), "{err:?}");
}

#[test]
fn duplicate_clause_is_reported() {
    let text = format!("{GOOD}  - id: \"一、(一)\"\n    text: \"again\"\n");
    let err = one("test-2020.yaml", &text).unwrap_err();
    match err {
        SourceError::DuplicateClause {
            source_id, clause, ..
        } => {
            assert_eq!(source_id, "test-2020");
            assert_eq!(clause, "一、(一)");
        }
        other => panic!("expected DuplicateClause, got {other:?}"),
    }
}

#[test]
fn other_validation_errors() {
    let err = one("test-2020.yaml", &GOOD.replace("2020-01-02", "2020-13-01")).unwrap_err();
    assert!(
        matches!(
            err,
            SourceError::InvalidDate {
                field: "issued",
                ..
            }
        ),
        "{err:?}"
    );
    let err = one(
        "test-2020.yaml",
        &GOOD.replace("2020-02-03", "\"3 Feb 2020\""),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            SourceError::InvalidDate {
                field: "in_force",
                ..
            }
        ),
        "{err:?}"
    );

    let err = one(
        "test-2020.yaml",
        &GOOD.replace("\"一、(一)\"", "\"一(一)\""),
    )
    .unwrap_err();
    match err {
        SourceError::NonCanonicalClause {
            clause, canonical, ..
        } => {
            assert_eq!(clause, "一(一)");
            assert_eq!(canonical, "一、(一)");
        }
        other => panic!("expected NonCanonicalClause, got {other:?}"),
    }

    let err = one("other.yaml", GOOD).unwrap_err();
    assert!(matches!(err, SourceError::IdMismatch { .. }), "{err:?}");

    let err = one(
        "test-2020.yaml",
        &GOOD.replace("text: \"总则\"", "text: \"  \""),
    )
    .unwrap_err();
    assert!(matches!(err, SourceError::EmptyField { .. }), "{err:?}");

    let err = SourceRegistry::from_yaml_texts(&[
        ("test-2020.yaml".to_owned(), GOOD.to_owned()),
        ("sub/test-2020.yml".to_owned(), GOOD.to_owned()),
    ])
    .unwrap_err();
    match err {
        SourceError::DuplicateSource {
            id,
            file,
            first_file,
        } => {
            assert_eq!(id, "test-2020");
            assert_eq!(file, "sub/test-2020.yml");
            assert_eq!(first_file, "test-2020.yaml");
        }
        other => panic!("expected DuplicateSource, got {other:?}"),
    }
}

#[test]
fn from_dir_reads_yaml_files_and_reports_io_problems() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("test-2020.yaml"), GOOD).unwrap();
    std::fs::write(
        dir.path().join("test-2021.yml"),
        GOOD.replace("test-2020", "test-2021"),
    )
    .unwrap();
    std::fs::write(dir.path().join("README.md"), "not a source").unwrap();
    let reg = SourceRegistry::from_dir(dir.path()).unwrap();
    let ids: Vec<&str> = reg.sources().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["test-2020", "test-2021"]);

    let err = SourceRegistry::from_dir(&dir.path().join("missing")).unwrap_err();
    assert!(matches!(err, SourceError::ReadDir { .. }), "{err:?}");

    let empty = tempfile::tempdir().unwrap();
    let err = SourceRegistry::from_dir(empty.path()).unwrap_err();
    assert!(matches!(err, SourceError::NoSourceFiles { .. }), "{err:?}");

    std::fs::write(dir.path().join("bad.yaml"), [0xff_u8, 0xfe, 0x00]).unwrap();
    let err = SourceRegistry::from_dir(dir.path()).unwrap_err();
    assert!(matches!(err, SourceError::ReadFile { .. }), "{err:?}");
}

/// A citation of a clause that is only a heading shows its subsections
/// (gangnan-2017 二、 is 调整范围; E001 cites it for what 二、(一) says), one
/// whose points are numbered shows them (dazu-2002 二、(四): the lead of
/// each kind of joint case, J001's substance), and a clause with a body and
/// subsections shows its own text alone.
#[test]
fn a_cited_heading_shows_its_children() {
    let reg = SourceRegistry::builtin();
    let e001 = reg.cited_text("gangnan-2017", "二、").unwrap();
    assert!(
        e001.starts_with("调整范围 (一) 区本级各有关单位实施的行政许可事项"),
        "{e001}"
    );
    assert!(e001.contains(" (二) 凡面向群众"), "{e001}");
    let j001 = reg.cited_text("dazu-2002", "二、(四)").unwrap();
    assert!(
        j001.contains(" 1. 招商引资项目联办件的受理责任单位为县招商局"),
        "{j001}"
    );
    assert!(
        j001.contains(" 4. 外商投资企业联办件的受理责任单位为县贸易局"),
        "{j001}"
    );
    let h003 = reg.cited_text("gangnan-2017", "四、(六)").unwrap();
    assert_eq!(h003, reg.clause("gangnan-2017", "四、(六)").unwrap().text);
    // Through `yimen explain`, which shows what findings cite.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yimen"))
        .args(["explain", "E001"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("(一) 区本级"));
}

/// Points 10 and above are not points of point 1: `一、(一)10` continues
/// the number, it is no child of `一、(一)1`, whose citation shows its own
/// text; the parent `一、(一)` shows all twelve.
#[test]
fn a_cited_point_does_not_take_the_points_after_it_for_its_own() {
    let mut text = String::from(
        "id: pts-2020\ntitle: \"点\"\nissuer: \"县政府\"\nissued: 2020-01-02\nin_force: 2020-02-03\nclauses:\n  - id: \"一、\"\n    text: \"总则\"\n  - id: \"一、(一)\"\n    text: \"各项要求\"\n",
    );
    for i in 1..=12 {
        text.push_str(&format!("  - id: \"一、(一){i}\"\n    text: \"第{i}项\"\n"));
    }
    let reg = one("pts-2020.yaml", &text).unwrap();
    assert_eq!(reg.cited_text("pts-2020", "一、(一)1").unwrap(), "第1项");
    let all = reg.cited_text("pts-2020", "一、(一)").unwrap();
    assert!(all.ends_with(" 11. 第11项 12. 第12项"), "{all}");
}
