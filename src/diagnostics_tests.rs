use miette::{SourceCode, SourceSpan};

use super::{CharColumns, PolicySource};

/// A text with every kind of line break, empty lines, and characters of
/// several bytes, at its start and end too.
const MIXED: &str = "\r\n规则 A\nrule x {\r\n  a\r\rb\n\n  第３条 c\r\n\rlast 行";

/// The line and column counted the slow way (the definition): `\n` breaks
/// lines; a column counts characters since the last `\n` or `\r`.
fn line_col_by_counting(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit(['\n', '\r'])
        .next()
        .map_or(0, |l| l.chars().count())
        + 1;
    (line, col)
}

fn char_offsets(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.char_indices().map(|(i, _)| i).chain([text.len()])
}

#[test]
fn line_col_agrees_with_counting_at_every_offset() {
    let src = PolicySource::new("m.yimen", MIXED);
    for offset in char_offsets(MIXED) {
        assert_eq!(
            src.line_col(offset),
            line_col_by_counting(MIXED, offset),
            "at {offset}"
        );
    }
    // Inside a character: its start.
    let inside = MIXED.find('规').unwrap() + 1;
    assert_eq!(
        src.line_col(inside),
        line_col_by_counting(MIXED, inside - 1)
    );
}

/// The lines miette is given around a span are those it would find
/// reading the whole text: the same contents, span, line and line count,
/// for every span and amount of context.
#[test]
fn spans_read_from_a_window_are_those_of_the_whole_text() {
    let src = PolicySource::new("m.yimen", MIXED);
    let cols = CharColumns { src: src.clone() };
    let offsets: Vec<usize> = char_offsets(MIXED).collect();
    for (i, &start) in offsets.iter().enumerate() {
        for &end in &offsets[i..] {
            let span = SourceSpan::new(start.into(), end - start);
            for (before, after) in [(0, 0), (1, 1), (2, 3), (5, 5)] {
                let whole = MIXED.read_span(&span, before, after).unwrap();
                let ours = cols.read_span(&span, before, after).unwrap();
                let at = format!("span {start}..{end}, context {before}/{after}");
                assert_eq!(ours.data(), whole.data(), "{at}");
                assert_eq!(ours.span(), whole.span(), "{at}");
                assert_eq!(ours.line(), whole.line(), "{at}");
                assert_eq!(ours.line_count(), whole.line_count(), "{at}");
            }
        }
    }
}
