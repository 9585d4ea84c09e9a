//! `span_of`, which looks for a `/` before it looks for `//` on a pair's
//! last line, against the form it had, over every pair of every policy in
//! the repository (the shipped ones and the corpus) and of texts made to
//! trip it.

use pest::iterators::Pair;
use pest::Parser;

use super::span_of;
use crate::syntax::{comments::collect_lexical, Rule, YimenParser};

/// `span_of` as it was: the last line split off by `rsplit` and searched
/// for `//` at once.
fn span_by_whole_text(pair: &Pair<'_, Rule>) -> (usize, usize) {
    let start = pair.as_span().start();
    let mut text = pair.as_str();
    loop {
        let trimmed = text.trim_end();
        let last_line = trimmed.rsplit('\n').next().unwrap_or(trimmed);
        if !last_line.contains("//") {
            text = trimmed;
            break;
        }
        match collect_lexical(trimmed).last() {
            Some(c) if c.span.end >= trimmed.len() => text = &trimmed[..c.span.start],
            _ => {
                text = trimmed;
                break;
            }
        }
    }
    (start, start + text.len())
}

/// Every pair of `text`'s parse agrees; the number of pairs ending in a
/// comment on a line of its own or after code.
fn check(text: &str, name: &str) -> usize {
    let Ok(pairs) = YimenParser::parse(Rule::file, text) else {
        return 0;
    };
    let mut commented = 0;
    let mut stack: Vec<Pair<'_, Rule>> = pairs.collect();
    while let Some(p) = stack.pop() {
        let span = span_of(&p);
        assert_eq!(
            (span.start, span.end),
            span_by_whole_text(&p),
            "{name}: {:?} at {}",
            p.as_rule(),
            p.as_span().start()
        );
        if span.end < p.as_span().start() + p.as_str().trim_end().len() {
            commented += 1;
        }
        stack.extend(p.into_inner());
    }
    commented
}

#[test]
fn pairs_ending_in_a_comment_are_cut_as_before() {
    let mut files = Vec::new();
    for dir in ["policies", "tests/corpus/valid", "tests/corpus/errors"] {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for e in walkdir::WalkDir::new(root).sort_by_file_name() {
            let e = e.expect("a readable folder");
            if e.path().extension().is_some_and(|x| x == "yimen") {
                files.push(e.path().to_path_buf());
            }
        }
    }
    assert!(files.len() > 50, "{} policy files", files.len());
    let mut commented = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("a policy file");
        commented += check(&text, &f.display().to_string());
    }
    // (Pairs that end in a comment are what the shortcut is for.)
    assert!(commented > 10, "{commented} pairs ending in a comment");
    // Strings with `//` before the comment, on the comment's line and the
    // line before; a comment inside a comment; Windows line ends.
    let tricky = [
        "policy p {\n  title \"a // b\"\n  issuer \"x\" // the issuer\n}\n",
        "policy p {\n  title \"t\"\n  issuer \"x\"\n}\nparam n: int = 1 // one // two\n",
        "policy p {\r\n  title \"t // u\" // a title\r\n  issuer \"x\"\r\n}\r\n",
        "policy p {\n  title \"t\"\n  issuer \"x\"\n}\nparam s: string = \"//\" // not \"a string\"\n",
    ];
    for (i, t) in tricky.iter().enumerate() {
        check(t, &format!("tricky {i}"));
    }
}
