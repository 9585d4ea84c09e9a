//! The valid corpus (the shipped policies and `tests/corpus/valid`) through
//! every stage: parse, check, format; formatting is idempotent and keeps the AST.

mod common;

use yimen::fmt::format_text;
use yimen::syntax::text_to_ast;

fn corpus() -> Vec<std::path::PathBuf> {
    let mut files = common::yimen_files(&common::root().join("policies"));
    files.extend(common::yimen_files(
        &common::root().join("tests/corpus/valid"),
    ));
    files
}

#[test]
fn shipped_policies_and_valid_corpus_check_cleanly_together() {
    let files = corpus();
    let program = match common::load_with_params(&files) {
        Ok(p) => p,
        Err(e) => panic!("{}", common::render_all(&e)),
    };
    let codes: Vec<&str> = program.rules.iter().map(|r| r.code.as_str()).collect();
    // Every rule and metric of the rule catalogue is encoded.
    for code in [
        "E001", "E002", "E003", "H001", "H002", "H003", "H004", "H005", "H006", "A001", "A002",
        "A003", "A004", "F001", "F002", "F003", "F004", "F005", "P001", "P002", "C001", "C002",
        "S001", "S002", "S003", "S004", "J001", "J002", "M01", "M02", "M03", "M04", "M05", "M06",
        "M07",
    ] {
        assert!(
            codes.contains(&code),
            "{code} is missing from the shipped policies"
        );
    }
    // Rules are kept in code order.
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    assert_eq!(codes, sorted);
}

#[test]
fn every_shipped_rule_cites_clauses_that_exist() {
    let program =
        common::load_with_params(&common::yimen_files(&common::root().join("policies"))).unwrap();
    let reg = yimen::sources::SourceRegistry::builtin();
    for r in &program.rules {
        assert!(!r.cites.is_empty(), "{} cites nothing", r.code);
        for c in &r.cites {
            assert!(
                reg.clause(&c.source, &c.clause).is_some(),
                "{} cites {} {}",
                r.code,
                c.source,
                c.clause
            );
        }
    }
}

#[test]
fn formatting_is_idempotent_and_keeps_the_ast() {
    for path in corpus() {
        let text = std::fs::read_to_string(&path).unwrap();
        let once = format_text(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let twice = format_text(&once).unwrap();
        assert_eq!(once, twice, "fmt is not idempotent on {}", path.display());
        assert_eq!(
            text_to_ast(&text).unwrap(),
            text_to_ast(&once).unwrap(),
            "{}",
            path.display()
        );
    }
}

#[test]
fn shipped_policies_are_formatted() {
    for path in common::yimen_files(&common::root().join("policies")) {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            format_text(&text).unwrap(),
            text,
            "run `yimen fmt policies` ({})",
            path.display()
        );
    }
}

#[test]
fn comments_survive_formatting() {
    let path = common::root().join("tests/corpus/valid/constructs.yimen");
    let text = std::fs::read_to_string(path).unwrap();
    let out = format_text(&text).unwrap();
    for c in [
        "// A policy exercising",
        "//// A banner",
        "// trailing comment on a header field",
        "// a comment before the closing brace",
        "// trailing",
    ] {
        assert!(out.contains(c), "lost {c:?}");
    }
    insta::assert_snapshot!("constructs_formatted", out);
}

/// Control characters and bidirectional marks in strings are written back
/// as escapes (a raw CR cannot stand in a string, and a raw U+202E makes the
/// text read differently from what it is).
#[test]
fn formatting_escapes_control_characters() {
    let text = "policy p {\n  title \"a\\u{D}b\\u{202E}c\\u{0}d\\u{1B}e\"\n}\n";
    let out = format_text(text).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        out,
        "policy p {\n  title \"a\\u{D}b\\u{202E}c\\u{0}d\\u{1B}e\"\n}\n"
    );
    assert_eq!(text_to_ast(text).unwrap(), text_to_ast(&out).unwrap());
}

/// The blanks that are no space (no-break, ideographic, zero-width, the
/// byte order mark) stay escapes, written as such or raw: `"\u{200B}"` was
/// printed raw and read as `""`. The space and Chinese text stay as they are.
#[test]
fn formatting_escapes_blanks_other_than_the_space() {
    let text = "policy p {\n  title \"\\u{200B}|\\u{A0}|\\u{3000}|\\u{FEFF}|\\u{2060}|\u{3000}| 一门\"\n}\n";
    let out = format_text(text).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        out,
        "policy p {\n  title \"\\u{200B}|\\u{A0}|\\u{3000}|\\u{FEFF}|\\u{2060}|\\u{3000}| 一门\"\n}\n"
    );
    assert_eq!(text_to_ast(text).unwrap(), text_to_ast(&out).unwrap());
}

/// A comment after a block's opening or closing brace is printed where it
/// was (it moved to the opening brace, then inside the block, and with any
/// other comment in the file fmt refused the file).
#[test]
fn comments_after_braces_stay_after_them() {
    let path = common::root().join("tests/corpus/valid/comments_at_braces.yimen");
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(format_text(&text).unwrap(), text);
}

/// A comment in a message template's hole was dropped without a word, and
/// one in an item's head before its name, with another after its `{`, made
/// the formatter refuse the file: each is kept, in order.
#[test]
fn comments_in_template_holes_and_item_heads_are_kept() {
    let path = common::root().join("tests/corpus/valid/comments_in_holes_and_heads.yimen");
    let text = std::fs::read_to_string(path).unwrap();
    let out = format_text(&text).unwrap_or_else(|e| panic!("{e:?}"));
    let wanted = [
        "// in the header's head",
        "// after the header's brace",
        "// in the rule's head",
        "// after the rule's brace",
        "// which case",
        "// after the message",
        "// in the test's head",
        "// after the test's brace",
    ];
    let mut at = 0;
    for c in wanted {
        let Some(n) = out[at..].find(c) else {
            panic!("{c:?} lost or moved past another comment:\n{out}");
        };
        at += n + c.len();
    }
    assert!(out.contains("http://example.org/{case.item_code}"), "{out}");
}
