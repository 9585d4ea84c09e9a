//! Cell values as the reader produces them and the engine consumes them.
//!
//! Invariant: a cell is either a typed value, `Empty` (the export left it
//! blank) or `Invalid` (the export had something that does not parse as the
//! field's type; a data error was reported for it). Rules that need an
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
