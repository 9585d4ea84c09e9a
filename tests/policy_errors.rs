//! The error corpus: every file in `tests/corpus/errors` fails to load, and
//! its rendered diagnostics (no colour, width 100) are pinned by a snapshot.
//! Together the cases cover every error code a user can meet.

mod common;

use std::collections::BTreeSet;

use yimen::diagnostics::ErrorCode;

#[test]
fn every_error_case_is_reported_and_pinned() {
    let files = common::yimen_files(&common::root().join("tests/corpus/errors"));
    assert!(
        files.len() >= 30,
        "the error corpus has {} cases",
        files.len()
    );
    let mut seen = BTreeSet::new();
    for path in &files {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let Err(errs) = common::load_with_params(std::slice::from_ref(path)) else {
            panic!("{name} loaded without errors");
        };
        for f in &errs.errors {
            for e in &f.errors {
                assert!(!e.label.is_empty(), "{name}: an error without a label");
                seen.insert(e.code);
            }
        }
        insta::assert_snapshot!(name, common::render_all(&errs));
    }
    // Codes that no policy text can produce: I/O and a bad source document
    // (tested through the CLI), and the two internal safety nets (a
    // formatter or grammar bug).
    let untestable = [
        ErrorCode::Io,
        ErrorCode::BadSourceFile,
        ErrorCode::FormatChangedAst,
        ErrorCode::Internal,
    ];
    let missing: Vec<&str> = ErrorCode::ALL
        .iter()
        .filter(|c| !seen.contains(c) && !untestable.contains(c))
        .map(|c| c.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "error codes without a corpus case: {missing:?}"
    );
}

#[test]
fn a_broken_text_never_panics_and_always_points_somewhere() {
    // Break the shipped policies at many places: delete a character, or insert
    // a stray one. Loading must give errors with a span inside the text.
    let path = common::root().join("policies/handling.yimen");
    let documented = std::fs::read_to_string(path).unwrap();
    // The same without doc comments, and with the test blocks unindented:
    // items are then told apart by their keywords alone.
    let mut bare = String::new();
    for l in documented.lines().filter(|l| !l.starts_with("///")) {
        bare.push_str(l.strip_prefix("  ").unwrap_or(l));
        bare.push('\n');
    }
    // (Every 13th place of one, every 31st of the other: debug builds parse
    // slowly, and each break may parse the file twice.)
    for (text, step) in [(documented, 13), (bare, 31)] {
        broken_variants_point_somewhere(&text, step);
    }
}

fn broken_variants_point_somewhere(text: &str, step: usize) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (n, &(i, c)) in chars.iter().enumerate().step_by(step) {
        for variant in 0..2 {
            let broken = if variant == 0 {
                format!("{}{}", &text[..i], &text[i + c.len_utf8()..])
            } else {
                format!("{}@{}", &text[..i], &text[i..])
            };
            if let Err(errs) = yimen::syntax::text_to_ast(&broken) {
                // One broken place is one broken item: the items after it
                // are parsed again and not reported (at most the item the
                // break ran into, an unclosed string or bracket).
                let syntax = errs.iter().filter(|e| e.code == ErrorCode::Syntax).count();
                assert!(
                    syntax <= 1,
                    "case {n}: {syntax} syntax errors for one break"
                );
                for e in errs {
                    assert!(
                        e.span.end <= broken.len(),
                        "case {n}: span outside the text"
                    );
                    assert_ne!(e.code, ErrorCode::Internal, "case {n}: {}", e.message);
                }
            }
        }
    }
}

/// Every broken item of a file is reported, up to twenty: a file of
/// thirty rules with a stray token each gives twenty syntax errors, one per
/// rule, in order.
#[test]
fn syntax_errors_are_reported_item_by_item_up_to_twenty() {
    let mut text = String::from("policy p {\n  title \"t\"\n}\n");
    for i in 0..30 {
        text.push_str(&format!(
            "\nrule X{i:03} r {{\n  severity info\n  for s in staff\n  require s.id ) is not empty\n}}\n"
        ));
    }
    let Err(errs) = yimen::syntax::text_to_ast(&text) else {
        panic!("the broken file parsed");
    };
    assert_eq!(errs.len(), 20);
    let lines: Vec<usize> = errs
        .iter()
        .map(|e| text[..e.span.start].matches('\n').count() + 1)
        .collect();
    let expected: Vec<usize> = (0..20).map(|i| 8 + 6 * i).collect();
    assert_eq!(lines, expected);
    assert!(errs.iter().all(|e| e.code == ErrorCode::Syntax));
}

/// Expressions nested or chained deeper than yimen evaluates are refused
/// with `yimen::too-deep` (exit 2), never a stack overflow; one just within
/// the limit goes through every stage, the audit included.
#[test]
fn deep_expressions_are_refused_not_crashed_on() {
    let head = "policy p { title \"t\" }\nrule X001 a {\n  severity info\n  cite gangnan-2017 \"四、(六)\"\n  for s in staff\n  ";
    let folder = |body: &str| common::policy_folder(&format!("{head}{body}\n}}\n"));
    let n = 400;
    let deep = [
        format!("require {}true{}", "(".repeat(n), ")".repeat(n)),
        format!("require 1 in {}1{}", "[".repeat(n), "]".repeat(n)),
        format!(
            "require {}true{}",
            "if true then ".repeat(n),
            " else false".repeat(n)
        ),
        format!("require {}s.id{} > 0", "len(".repeat(n), ")".repeat(n)),
        format!("require 1 in {}1{}", "[".repeat(20_000), "]".repeat(20_000)),
        format!("require {}true", "not ".repeat(5000)),
        format!("require {}", vec!["true"; 5000].join(" and ")),
        format!("require {}1 > 0", "-".repeat(5000)),
        format!("require s{} is empty", ".id".repeat(5000)),
    ];
    // A type nested past the limit, in a parameter declared before the rule.
    let nested_type = format!(
        "policy q {{ title \"t\" }}\nparam x: {}int{} = []\n",
        "list<".repeat(150),
        ">".repeat(150)
    );
    // `yimen check-policy DIR`: its exit code and stderr.
    let check = |dir: &std::path::Path| {
        let out = common::yimen(None)
            .arg("check-policy")
            .arg(dir)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let dir = common::policy_folder(&nested_type);
    let (code, err) = check(dir.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("yimen::too-deep"), "{err}");
    for body in &deep {
        let dir = folder(body);
        let (code, err) = check(dir.path());
        assert_eq!(code, Some(2), "{}: {err}", &body[..40]);
        assert!(err.contains("yimen::too-deep"), "{}: {err}", &body[..40]);
    }
    // 90 levels: checked, formatted and evaluated.
    let dir = folder(&format!(
        "require {}s.id is not empty",
        "not not ".repeat(45)
    ));
    let (code, err) = check(dir.path());
    assert_eq!(code, Some(0), "{err}");
    let export = tempfile::tempdir().unwrap();
    std::fs::write(
        export.path().join("窗口人员.csv"),
        "工号,姓名,派驻单位\nS1,张三,民政局\n",
    )
    .unwrap();
    let json = common::audit_json(None, export.path(), &[dir.path().to_path_buf()]);
    assert_eq!(json["summary"]["records"]["staff"], 1, "{json}");
}
