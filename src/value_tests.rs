//! `same_text` against `==` on every pair of lengths and every position of
//! a difference; `text_eq` against equality of the normalised forms;
//! `decimal_text` on amounts whose binary form is not their decimal one;
//! `compare_numbers` at a 分 and within arithmetic's noise; the size of a
//! value.

use super::{compare_numbers, decimal_text, same_text, text_eq};
use crate::read::normalize::value;

#[test]
fn same_text_is_equality() {
    let base = "中心窗口abcdefghijklmnopq";
    for n in 0..=24 {
        let a = &base.as_bytes()[..n];
        // Texts by bytes: the comparison does not look at characters.
        let a = String::from_utf8_lossy(a).into_owned();
        assert!(same_text(&a, &a.clone()), "{a:?}");
        for m in 0..=24 {
            let b = String::from_utf8_lossy(&base.as_bytes()[..m]).into_owned();
            assert_eq!(same_text(&a, &b), a == b, "{a:?} {b:?}");
        }
        // One byte changed, at every position.
        for i in 0..a.len() {
            let mut bytes = a.clone().into_bytes();
            bytes[i] ^= 1;
            if let Ok(b) = String::from_utf8(bytes) {
                assert!(!same_text(&a, &b), "{a:?} {b:?}");
            }
        }
    }
    assert!(same_text("原单位", "原单位"));
    assert!(!same_text("中心窗口", "综合窗口"));
}

/// `text_eq`'s shortcuts (a first or last character normalising keeps)
/// never decide otherwise than comparing the normalised forms, on texts
/// with spaces, full-width forms and zero-width characters at either end
/// and inside.
#[test]
fn text_eq_is_equality_of_normalised_forms() {
    let texts = [
        "",
        " ",
        "\u{a0}",
        "\u{3000}",
        "\u{200b}",
        "A1",
        "Ａ１",
        " A1",
        "A1 ",
        "A１",
        "a b",
        "ab",
        "中心窗口",
        "原单位",
        "综合窗口",
        "招商局（本级）",
        "招商局(本级)",
        "招商局 (本级)",
        "招商局\u{a0}(本级)",
        "计经委",
        "计 经委",
        "\u{a0}计经委",
        "计经委\u{3000}",
        "（一）",
        "(一)",
        "\u{feff}A1",
        "John\u{a0}\u{a0}Smith",
        "John Smith",
        "JohnSmith",
    ];
    for a in texts {
        for b in texts {
            assert_eq!(text_eq(a, b), value(a) == value(b), "{a:?} {b:?}");
        }
    }
    assert!(text_eq("招商局（本级）", "招商局 (本级)"));
    assert!(!text_eq("a b", "ab"));
}

/// A decimal prints as written, whatever its size: an amount of millions
/// with cents (`1234567.89` is `1234567.889999999897…` in binary) showed
/// as `1234567.8899999999`; arithmetic noise never shows; an amount of
/// fifteen digits keeps its last zero.
#[test]
fn decimal_text_shows_what_was_written() {
    for written in [
        "1234567.89",
        "6539906.55",
        "99999999.99",
        "0.3",
        "1.5",
        "0.3333333333",
        "-2500.05",
        "123456789012.34",
        "100000000000000",
        "0",
    ] {
        let x: f64 = written.parse().unwrap();
        assert_eq!(decimal_text(x), written, "{written}");
    }
    assert_eq!(decimal_text(0.1 + 0.2), "0.3");
    assert_eq!(decimal_text(0.57 * 10_000.0), "5700");
    assert_eq!(decimal_text(-0.000_000_000_01), "0");
    assert_eq!(decimal_text(1.0 / 3.0), "0.3333333333");
}

/// Numbers within arithmetic's noise compare equal, amounts a 分 apart
/// never: 9,999,999.99 元 in 万元 is below 1,000 万元 (it was equal under
/// a relative billionth), a difference that cancels millions is still equal
/// to what it reckons.
#[test]
fn numbers_compare_as_reckoned_and_a_fen_apart_differ() {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let cases = [
        (0.1 + 0.2, 0.3, Equal),
        (1_000_000.1 - 1_000_000.0, 0.1, Equal),
        (2.000_000_001, 2.0, Equal),
        (9_999_999.99 / 10_000.0, 1000.0, Less),
        (999.999_999, 1000.0, Less),
        (100_000_000.01, 100_000_000.0, Greater),
        (999_999_999.99, 1_000_000_000.0, Less),
        (1000.0, 1000.0, Equal),
    ];
    for (x, y, want) in cases {
        assert_eq!(compare_numbers(x, y), Some(want), "{x} against {y}");
        assert_eq!(
            compare_numbers(y, x),
            Some(want.reverse()),
            "{y} against {x}"
        );
    }
    assert_eq!(compare_numbers(f64::NAN, 1.0), None);
}

/// A cell value takes 16 bytes, a text one pointer: a record of the case
/// log's 15 fields 240 bytes (360 when a text was a tagged `Arc<str>` of
/// 24), and each name a verdict or data error repeats 8. What every chunk
/// in flight and every verdict held until sorted is made of.
#[test]
fn a_value_takes_sixteen_bytes_and_a_text_one_pointer() {
    use std::mem::size_of;
    assert_eq!(size_of::<super::Value>(), 16);
    assert_eq!(size_of::<crate::engine::index::Key>(), 16);
    assert_eq!(size_of::<crate::text::Text>(), 8);
    assert_eq!(size_of::<Option<crate::text::Text>>(), 8);
}
