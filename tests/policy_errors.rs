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
    // Codes that no policy text can produce: I/O (tested through the CLI),
    // and the two internal safety nets (a formatter or grammar bug).
    let untestable = [
        ErrorCode::Io,
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
    let text = std::fs::read_to_string(path).unwrap();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (n, &(i, c)) in chars.iter().enumerate().step_by(13) {
        for variant in 0..2 {
            let broken = if variant == 0 {
                format!("{}{}", &text[..i], &text[i + c.len_utf8()..])
            } else {
                format!("{}@{}", &text[..i], &text[i..])
            };
            if let Err(errs) = yimen::syntax::text_to_ast(&broken) {
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
