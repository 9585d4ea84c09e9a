//! Hash indexes for lookups (`catalogue[code]`, `authorizations[dept, code] valid_on d`),
//! built once over the small datasets.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::data::Row;
use crate::read::normalize;
use crate::schema::Dataset;
use crate::value::Value;

/// A hashable key value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Str(Arc<str>),
    Int(i64),
    /// A decimal that is not a whole number, by its bits.
    Dec(u64),
    Bool(bool),
    Date(NaiveDate),
    DateTime(chrono::NaiveDateTime),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Str(s) => f.write_str(s),
            Key::Int(n) => write!(f, "{n}"),
            Key::Dec(bits) => write!(f, "{}", Value::Decimal(f64::from_bits(*bits))),
            Key::Bool(b) => write!(f, "{}", Value::Bool(*b)),
            Key::Date(d) => write!(f, "{}", Value::Date(*d)),
            Key::DateTime(d) => write!(f, "{}", Value::DateTime(*d)),
        }
    }
}

impl Key {
    /// The key of a text: its matching form ([`normalize::value`]: half-width
    /// forms, no stray spaces), so that `Ａ１` finds `A1` and `区住建局（人防办）`
    /// meets `区住建局(人防办)` in lookups, groups and duplicates, while
    /// values keep their text as the export wrote it.
    pub fn text(s: &Arc<str>) -> Key {
        match normalize::value(s) {
            std::borrow::Cow::Borrowed(t) if t.len() == s.len() => Key::Str(Arc::clone(s)),
            t => Key::Str(Arc::from(t.as_ref())),
        }
    }

    /// The key of a known value; `None` for an empty or invalid one.
    pub fn of(v: &Value) -> Option<Key> {
        Some(match v {
            Value::Empty | Value::Invalid => return None,
            Value::Str(s) => Key::text(s),
            Value::Int(n) => Key::Int(*n),
            Value::Decimal(x) => {
                if x.fract() == 0.0 && x.abs() < 9.0e15 {
                    Key::Int(*x as i64)
                } else {
                    Key::Dec(x.to_bits())
                }
            }
            Value::Bool(b) => Key::Bool(*b),
            Value::Date(d) => Key::Date(*d),
            Value::DateTime(d) => Key::DateTime(*d),
        })
    }
}

/// What a lookup found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    Row(u32),
    None,
    /// The answer depends on a value that is not known (an invalid validity date).
    Unknown,
}

pub struct Index {
    map: HashMap<Vec<Key>, Vec<u32>>,
    valid: Option<(usize, usize)>,
}

impl Index {
    pub fn build(dataset: &Dataset, rows: &[Row]) -> Index {
        let fields: Vec<usize> = dataset
            .lookup
            .iter()
            .filter_map(|f| dataset.field_index(f))
            .collect();
        let valid = dataset
            .valid
            .as_ref()
            .and_then(|(a, b)| Some((dataset.field_index(a)?, dataset.field_index(b)?)));
        let mut map: HashMap<Vec<Key>, Vec<u32>> = HashMap::default();
        for (i, row) in rows.iter().enumerate() {
            let key: Option<Vec<Key>> = fields.iter().map(|&f| Key::of(&row.values[f])).collect();
            if let Some(key) = key {
                map.entry(key).or_default().push(i as u32);
            }
        }
        Index { map, valid }
    }

    /// The row for `key`: the first in file order, or with `on`, among the
    /// rows valid on that date the one with the latest start.
    pub fn get(&self, key: &[Key], on: Option<NaiveDate>, rows: &[Row]) -> Hit {
        self.pick(self.candidates(key), on, rows)
    }

    /// The rows whose key is `key`, in file order.
    pub fn candidates(&self, key: &[Key]) -> &[u32] {
        self.map.get(key).map_or(&[], Vec::as_slice)
    }

    /// Among `candidates` (as [`Index::candidates`] gives them), the row a
    /// lookup finds (see [`Index::get`]).
    pub fn pick(&self, candidates: &[u32], on: Option<NaiveDate>, rows: &[Row]) -> Hit {
        let (Some(on), Some((from_f, to_f))) = (on, self.valid) else {
            return candidates.first().map_or(Hit::None, |&r| Hit::Row(r));
        };
        // Each row's start (`None`: open; `Err`: unreadable) and whether it
        // is valid on `on` (`None`: unknown, a bound unreadable). A row one
        // readable bound rules out is out, whatever the other holds.
        let mut best: Option<(Option<NaiveDate>, u32)> = None;
        // The rows that may be valid, unknown: (their start, file order).
        let mut maybe: Vec<(Result<Option<NaiveDate>, ()>, u32)> = Vec::new();
        for &r in candidates {
            let values = &rows[r as usize].values;
            let from = match &values[from_f] {
                Value::Empty => Ok(None),
                Value::Date(d) => Ok(Some(*d)),
                _ => Err(()),
            };
            let from_ok = from.map(|f| f.is_none_or(|f| f <= on));
            let to_ok = match &values[to_f] {
                Value::Empty => Ok(true),
                Value::Date(d) => Ok(*d >= on),
                _ => Err(()),
            };
            match (from_ok, to_ok) {
                (Ok(false), _) | (_, Ok(false)) => {}
                (Ok(true), Ok(true)) => {
                    let from = from.unwrap_or_default();
                    if best.is_none_or(|(bf, _)| from > bf) {
                        best = Some((from, r));
                    }
                }
                _ => maybe.push((from, r)),
            }
        }
        // A row that may be valid decides the lookup when, valid, it would
        // be the one found: its start later than the best's (or unknown), or
        // the same and earlier in the file.
        let beats = |&(from, r): &(Result<Option<NaiveDate>, ()>, u32)| match (from, best) {
            (Err(()), _) | (_, None) => true,
            (Ok(f), Some((bf, br))) => f > bf || (f == bf && r < br),
        };
        if maybe.iter().any(beats) {
            return Hit::Unknown;
        }
        best.map_or(Hit::None, |(_, r)| Hit::Row(r))
    }
}
