//! Hash indexes for lookups (`catalogue[code]`, `authorizations[dept, code] valid_on d`),
//! built once over the small datasets.

use rustc_hash::FxHashMap as HashMap;

use chrono::NaiveDate;

use super::data::{Row, UnreadRow};
use crate::read::normalize;
use crate::schema::Dataset;
use crate::text::Text;
use crate::value::Value;

/// A hashable key value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Str(Text),
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
    pub fn text(s: &Text) -> Key {
        match normalize::value(s) {
            std::borrow::Cow::Borrowed(t) if t.len() == s.len() => Key::Str(s.clone()),
            t => Key::Str(Text::from(t.as_ref())),
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
    /// Each key's rows in file order; after them, as `rows + k`, the
    /// unread rows (k-th of `unread`) that may hold it.
    map: HashMap<Vec<Key>, Vec<u32>>,
    valid: Option<(usize, usize)>,
    /// The records indexed: an id from `rows` on is an unread row.
    rows: u32,
    /// The unread rows' places (file, row; `None`: the whole file).
    unread: Vec<(u32, Option<u32>)>,
    /// Unread rows holding so many texts that the keys they may hold were
    /// not listed: they may hold any.
    wild: Vec<u32>,
}

/// Past this many key combinations an unread row is taken to hold any key.
const UNREAD_KEYS_LIMIT: usize = 4096;

/// The keys an unread row's texts may give a field: each text in its
/// matching form, and as a whole number when it reads as one.
pub(crate) fn unread_keys(texts: &[String]) -> Vec<Key> {
    let mut keys: Vec<Key> = Vec::new();
    // Each text whole, and its pieces between line breaks and separators:
    // a quote that opened a cell and closed lines later put whole lines,
    // their keys inside, in one text.
    let pieces = texts.iter().flat_map(|t| {
        std::iter::once(t.as_str()).chain(
            t.split(['\n', '\r', ',', '\t', '"'])
                .filter(move |p| p.len() < t.len()),
        )
    });
    for t in pieces {
        let norm = normalize::value(t);
        if norm.is_empty() {
            continue;
        }
        if let Ok(n) = norm.parse::<i64>() {
            keys.push(Key::Int(n));
        }
        keys.push(Key::Str(Text::from(norm.as_ref())));
    }
    keys.sort();
    keys.dedup();
    keys
}

impl Index {
    pub fn build(dataset: &Dataset, rows: &[Row], unread: &[UnreadRow]) -> Index {
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
        // A row that could not be read may hold any key its texts make:
        // each combination of them, one for each key field.
        let n = rows.len() as u32;
        let mut wild = Vec::new();
        for (k, u) in unread.iter().enumerate() {
            let id = n + k as u32;
            if u.row.is_none() || u.any {
                // A whole file not read may hold any key, and so may a
                // record whose key gave no text.
                wild.push(id);
                continue;
            }
            let keys = unread_keys(&u.texts);
            let combinations = keys
                .len()
                .checked_pow(fields.len() as u32)
                .unwrap_or(usize::MAX);
            if combinations > UNREAD_KEYS_LIMIT {
                wild.push(id);
                continue;
            }
            let mut tuple = vec![0usize; fields.len()];
            for _ in 0..combinations {
                let key: Vec<Key> = tuple.iter().map(|&t| keys[t].clone()).collect();
                let ids = map.entry(key).or_default();
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
                // The next combination (an odometer over the texts).
                for digit in tuple.iter_mut().rev() {
                    *digit += 1;
                    if *digit < keys.len() {
                        break;
                    }
                    *digit = 0;
                }
            }
        }
        Index {
            map,
            valid,
            rows: n,
            unread: unread.iter().map(|u| (u.file, u.row)).collect(),
            wild,
        }
    }

    /// The places (file, row) of the unread rows among `candidates` (as
    /// [`Index::candidates`] gives them), and of those that may hold any key.
    pub fn unread_places(&self, candidates: &[u32]) -> Vec<(u32, Option<u32>)> {
        candidates
            .iter()
            .chain(&self.wild)
            .filter_map(|&r| r.checked_sub(self.rows))
            .map(|k| self.unread[k as usize])
            .collect()
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
    /// lookup finds (see [`Index::get`]). A row that could not be read and
    /// may hold the key makes "no match" unknown; with a date, any answer
    /// (it may be valid then, with a later start).
    pub fn pick(&self, candidates: &[u32], on: Option<NaiveDate>, rows: &[Row]) -> Hit {
        let (Some(on), Some((from_f, to_f))) = (on, self.valid) else {
            return match candidates.first() {
                Some(&r) if r < self.rows => Hit::Row(r),
                Some(_) => Hit::Unknown,
                None if self.wild.is_empty() => Hit::None,
                None => Hit::Unknown,
            };
        };
        // Each row's start (`None`: open; `Err`: unreadable) and whether it
        // is valid on `on` (`None`: unknown, a bound unreadable). A row one
        // readable bound rules out is out, whatever the other holds.
        let mut best: Option<(Option<NaiveDate>, u32)> = None;
        // The rows that may be valid, unknown: (their start, file order).
        let mut maybe: Vec<(Result<Option<NaiveDate>, ()>, u32)> = Vec::new();
        for &r in candidates.iter().chain(&self.wild) {
            if r >= self.rows {
                maybe.push((Err(()), r));
                continue;
            }
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
