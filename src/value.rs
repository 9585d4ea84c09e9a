//! Cell values as the reader produces them and the engine consumes them.
//!
//! Invariant: a cell is either a typed value, `Empty` (the export left it
//! blank) or `Invalid` (not known: the export had something that does not
//! parse as the field's type, and a data error was reported for it, or the
//! table has no column for the field at all). Rules that need an
//! `Empty` or `Invalid` value are *undetermined*, never passed. Rules that
//! test for emptiness (`x is empty`) see `Empty` as a value and `Invalid` as
//! unknown.

use crate::text::Text;
use std::borrow::Cow;
use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Empty,
    Invalid,
    Str(Text),
    Int(i64),
    Decimal(f64),
    Bool(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl Value {
    /// Empty or invalid: the value is not known.
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Empty | Value::Invalid)
    }

    /// A text constant (a policy's literal, a label, a parameter's value):
    /// interned ([`crate::text::intern`]), so that it meets the reader's
    /// texts of a column as the same string, compared without reading it.
    pub fn str(s: &str) -> Value {
        Value::Str(crate::text::intern(s))
    }
}

impl fmt::Display for Value {
    /// The value as a person reads it in a message or evidence cell.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Empty | Value::Invalid => Ok(()),
            Value::Str(s) => f.write_str(s),
            Value::Int(n) => write!(f, "{n}"),
            Value::Decimal(x) => f.write_str(&decimal_text(*x)),
            Value::Bool(b) => f.write_str(if *b { "是" } else { "否" }),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::DateTime(d) => write!(f, "{}", d.format("%Y-%m-%d %H:%M:%S")),
        }
    }
}

/// A decimal as a person reads it: at most ten decimal places and fifteen
/// significant digits (what `f64` holds exactly), without trailing zeros,
/// so that binary noise (`0.1 + 0.2` is `0.30000000000000004` in `f64`,
/// `1234567.89` is `1234567.889999999897…`) never shows: `0.3`, `1.5`,
/// `0.3333333333`, `1234567.89`.
pub fn decimal_text(x: f64) -> String {
    if !x.is_finite() || x.abs() >= 1e15 {
        return format!("{x}");
    }
    // Digits before the point (at least one: `0.5`); one place at least,
    // so that the zeros trimmed below are after a point.
    let whole = x.abs().trunc();
    let whole_digits = if whole < 1.0 {
        1
    } else {
        whole.to_string().len()
    };
    let places = 15usize.saturating_sub(whole_digits).clamp(1, 10);
    let t = format!("{x:.places$}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" {
        "0".to_string()
    } else {
        t.to_string()
    }
}

/// The most by which two numbers that compare equal may differ: a tenth
/// of the finest difference an export's amounts carry, a 分 in 万元
/// (0.000001), so that 9,999,999.99 元 of investment (999.999999 万元) is
/// below a threshold of 1,000 万元, where a relative billionth alone made
/// them equal; still above the noise of one operation on amounts below a
/// billion (half a unit in the last place of 10^9 is 6e-8).
pub const FINEST_DIFFERENCE: f64 = 1e-7;

/// How two numbers compare, where a decimal is involved: decimals are held
/// as binary floating point, so values closer than the noise of its
/// arithmetic (a billionth, relative, at most [`FINEST_DIFFERENCE`]) are
/// equal: `0.1 + 0.2 == 0.3`, and a sum of fees equal to a limit is not
/// over it. Both evaluators compare numbers through this function.
pub fn compare_numbers(x: f64, y: f64) -> Option<std::cmp::Ordering> {
    let tolerance = (1e-9 * x.abs().max(y.abs()).max(1.0)).min(FINEST_DIFFERENCE);
    if (x - y).abs() <= tolerance {
        Some(std::cmp::Ordering::Equal)
    } else {
        x.partial_cmp(&y)
    }
}

/// Whether two texts match: equal, or equal in their normalised form
/// (full-width forms half-width, stray and non-breaking spaces dropped:
/// `招商局（本级）` matches `招商局(本级)`), as the data contract has values
/// matched; as lookups and groups match them.
#[inline]
/// Whether two values of one field are the same as a rule compares them:
/// texts in their normalised form (`Ａ１` is `A1`), numbers within the
/// finest difference ([`compare_numbers`]: 9267565.83 元 is 926.756583 万元
/// once scaled, a last binary digit apart).
pub fn same_value(a: &Value, b: &Value) -> bool {
    let num = |v: &Value| match v {
        Value::Int(n) => Some(*n as f64),
        Value::Decimal(x) => Some(*x),
        _ => None,
    };
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => text_eq(x, y),
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => compare_numbers(x, y) == Some(std::cmp::Ordering::Equal),
            _ => a == b,
        },
    }
}

pub fn text_eq(a: &str, b: &str) -> bool {
    use crate::read::normalize::plain_start;
    if same_text(a, b) {
        return true;
    }
    // Most unequal texts (labels, codes) differ in a first or last
    // character that normalising keeps (no space, no full-width form): they
    // differ normalised too, and nothing is scanned.
    if let (Some(&p), Some(&q)) = (a.as_bytes().first(), b.as_bytes().first()) {
        if p != q && plain_start(p) && plain_start(q) {
            return false;
        }
    }
    text_eq_slow(a, b)
}

/// [`text_eq`] past its first test, out of line (its calls and their frame
/// cost more than the first test on the hot path).
#[inline(never)]
fn text_eq_slow(a: &str, b: &str) -> bool {
    use crate::read::normalize::{half_width, is_space, value};
    let kept = |c: Option<char>| c.is_none_or(|c| !is_space(c) && half_width(c) == c);
    let (c, d) = (a.chars().next_back(), b.chars().next_back());
    if c != d && kept(c) && kept(d) {
        return false;
    }
    let (x, y) = (value(a), value(b));
    // Neither changed by normalising: they differ.
    let unchanged = matches!(x, Cow::Borrowed(t) if t.len() == a.len())
        && matches!(y, Cow::Borrowed(t) if t.len() == b.len());
    !unchanged && x == y
}

/// How two texts order: by their normalised forms, so that texts that
/// match ([`text_eq`]) are equal.
pub fn text_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    if same_text(a, b) {
        return std::cmp::Ordering::Equal;
    }
    crate::read::normalize::value(a).cmp(&crate::read::normalize::value(b))
}

/// Whether text `a` contains text `b`, both in their normalised form.
pub fn text_contains(a: &str, b: &str) -> bool {
    a.contains(b) || crate::read::normalize::value(a).contains(&*crate::read::normalize::value(b))
}

/// Whether two texts are equal: `a == b`, faster for the short texts cells
/// hold (labels, codes, names of 4 to 16 bytes), which it compares as two
/// overlapping machine words instead of calling `memcmp`.
#[inline]
pub fn same_text(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// [`same_text`] of bytes (a cell's, before decoding).
#[inline]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        8..=16 => word_at(a, 0) == word_at(b, 0) && word_at(a, n - 8) == word_at(b, n - 8),
        4..=7 => half_at(a, 0) == half_at(b, 0) && half_at(a, n - 4) == half_at(b, n - 4),
        _ => a == b,
    }
}

/// The eight bytes of `s` from `at`, as one little-endian word (for
/// comparing or mixing short texts a word at a time).
#[inline]
pub(crate) fn word_at(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&s[at..at + 8]);
    u64::from_le_bytes(w)
}

/// [`word_at`] of four bytes.
#[inline]
pub(crate) fn half_at(s: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&s[at..at + 4]);
    u32::from_le_bytes(w)
}

#[cfg(test)]
#[path = "value_tests.rs"]
mod tests;
