//! Cell values as the reader produces them and the engine consumes them.
//!
//! Invariant: a cell is either a typed value, `Empty` (the export left it
//! blank) or `Invalid` (not known: the export had something that does not
//! parse as the field's type, and a data error was reported for it, or the
//! table has no column for the field at all). Rules that need an
//! `Empty` or `Invalid` value are *undetermined*, never passed. Rules that
//! test for emptiness (`x is empty`) see `Empty` as a value and `Invalid` as
//! unknown.

use std::fmt;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Empty,
    Invalid,
    Str(Arc<str>),
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

    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }
}

impl fmt::Display for Value {
    /// The value as a person reads it in a message or evidence cell.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Empty | Value::Invalid => Ok(()),
            Value::Str(s) => f.write_str(s),
            Value::Int(n) => write!(f, "{n}"),
            Value::Decimal(x) => {
                if x.fract() == 0.0 && x.abs() < 1e15 {
                    write!(f, "{x:.0}")
                } else {
                    write!(f, "{x}")
                }
            }
            Value::Bool(b) => f.write_str(if *b { "是" } else { "否" }),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::DateTime(d) => write!(f, "{}", d.format("%Y-%m-%d %H:%M:%S")),
        }
    }
}

/// Whether two texts are equal: `a == b`, faster for the short texts cells
/// hold (labels, codes, names of 4 to 16 bytes), which it compares as two
/// overlapping machine words instead of calling `memcmp`.
#[inline]
pub fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let half = |s: &[u8], at: usize| -> u32 {
        let mut w = [0u8; 4];
        w.copy_from_slice(&s[at..at + 4]);
        u32::from_le_bytes(w)
    };
    match n {
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        _ => a == b,
    }
}

#[cfg(test)]
#[path = "value_tests.rs"]
mod tests;
