//! A streamed chunk whose keys rise strictly ([`order`]), kept as a run
//! instead of hashed: its first and last key, and its keys front-coded
//! (each as the length it shares with the key before, then the rest: two
//! or three bytes for a case id after its neighbour; a run past
//! [`CODED_MOST`] bytes a key is hashed instead). A case log exported in
//! the order of its ids (or of its acceptance times, which its ids follow)
//! is runs only, none of which overlaps another: no key can repeat, and
//! none is hashed. Where spans overlap, the runs among them are decoded
//! and hashed at the end ([`Run::hashed`]), exactly as their chunks' keys
//! would have been ([`key_hash`]), and join the hashed chunks' check.
//!
//! Invariant: the keys compared here are the bytes the hash check hashes
//! (a kept cell's bytes, a text's matching form), in one total order
//! ([`order`]: shorter first, then byte by byte) where equal means the
//! same bytes; two records can share a key only if the spans of their
//! chunks (lowest to highest key, both included) overlap, so a run that
//! overlaps no other span holds no repeated key, and leaving it unhashed
//! changes no result.

use std::cmp::Ordering;
use std::hash::{BuildHasher, Hash, Hasher};

use crate::value::word_at;

/// The seed of the key hashes (fixed: the check's result never depends on
/// it, but runs are reproducible).
const SEED: u64 = 0x796d_656e;

/// The hash of a key of one text part (its bytes), as
/// `StreamedKeys::hash_chunk` makes it part by part.
pub(super) fn key_hash(bytes: &[u8]) -> u64 {
    let mut h = hasher();
    text_part(&mut h, bytes);
    h.finish()
}

/// A new hasher of the key check.
pub(super) fn hasher() -> impl Hasher {
    foldhash::quality::FixedState::with_seed(SEED).build_hasher()
}

/// Add a text part of a key (its matching form's bytes) to a key's hash.
pub(super) fn text_part(h: &mut impl Hasher, bytes: &[u8]) {
    bytes.hash(h);
}

/// The keys of a chunk, from its first to its last (both included), and
/// the run they form, if they rise. `high` is `None` when the chunk's keys
/// are not all texts: such a span is taken to overlap every other.
pub(super) struct Span {
    pub low: Box<[u8]>,
    pub high: Option<Box<[u8]>>,
    /// `None`: the chunk's keys were hashed as they came.
    pub run: Option<Run>,
}

/// The lowest and highest of a hashed chunk's keys ([`order`]), as the
/// span they make.
#[derive(Default)]
pub(super) struct Bounds(Option<Span>);

impl Bounds {
    /// Take in a key.
    pub(super) fn widen(&mut self, key: &[u8]) {
        let Some(span) = &mut self.0 else {
            self.0 = Some(Span {
                low: key.into(),
                high: Some(key.into()),
                run: None,
            });
            return;
        };
        if order(key, &span.low).is_lt() {
            span.low = key.into();
        } else if span.high.as_deref().is_some_and(|h| order(key, h).is_gt()) {
            span.high = Some(key.into());
        }
    }

    /// The span of the keys taken in (`None` when none was).
    pub(super) fn span(self) -> Option<Span> {
        self.0
    }
}

/// A chunk's keys, rising strictly, front-coded, with their records' rows.
pub(super) struct Run {
    pub file: u32,
    coded: Vec<u8>,
    rows: Rows,
}

/// The rows of a run's keys: consecutive from a first (the common case),
/// or listed.
enum Rows {
    From(u32, u32),
    Listed(Vec<u32>),
}

impl Rows {
    fn push(&mut self, row: u32) {
        match self {
            Rows::From(first, n) if first.checked_add(*n) == Some(row) => *n += 1,
            Rows::From(first, n) => {
                let mut listed: Vec<u32> = (0..*n).map(|i| *first + i).collect();
                listed.push(row);
                *self = Rows::Listed(listed);
            }
            Rows::Listed(rows) => rows.push(row),
        }
    }

    fn len(&self) -> usize {
        match self {
            Rows::From(_, n) => *n as usize,
            Rows::Listed(rows) => rows.len(),
        }
    }

    fn get(&self, i: usize) -> u32 {
        match self {
            // (`i` < n, and first + n fits: `push` checked it.)
            Rows::From(first, _) => *first + i as u32,
            Rows::Listed(rows) => rows[i],
        }
    }
}

/// A run in the making, key by key; [`RunBuilder::push`] says when the
/// keys stop rising (or a key is too long to code), and the chunk is hashed
/// instead.
pub(super) struct RunBuilder {
    first: Option<Box<[u8]>>,
    prev: Vec<u8>,
    coded: Vec<u8>,
    rows: Rows,
}

/// The longest key a run codes (its lengths are bytes).
const LONGEST: usize = u8::MAX as usize;

/// The most bytes a run keeps for its keys, on average a key after its
/// first: past it (rising keys that share little, such as time-ordered
/// random ids), the chunk is hashed, at 12 bytes a key.
const CODED_MOST: usize = 8;

impl RunBuilder {
    pub(super) fn new(capacity: usize) -> RunBuilder {
        RunBuilder {
            first: None,
            prev: Vec::new(),
            coded: Vec::with_capacity(capacity * 3),
            rows: Rows::Listed(Vec::new()),
        }
    }

    /// Add the key of the record at `row`; `false` when it does not come
    /// after the key before, is longer than a run codes, or the run's keys
    /// take more than [`CODED_MOST`] bytes each.
    #[inline]
    pub(super) fn push(&mut self, key: &[u8], row: u32) -> bool {
        if key.len() > LONGEST {
            return false;
        }
        let shared = if self.first.is_none() {
            self.first = Some(key.into());
            self.rows = Rows::From(row, 0);
            0
        } else {
            let shared = shared_prefix(&self.prev, key);
            // Rising ([`order`]): longer, or as long and the first byte
            // they differ in higher here.
            let rises = match key.len().cmp(&self.prev.len()) {
                Ordering::Greater => true,
                Ordering::Less => false,
                Ordering::Equal => key.get(shared) > self.prev.get(shared),
            };
            if !rises {
                return false;
            }
            shared
        };
        let rest = &key[shared..];
        // (Both lengths fit a byte: `key` is at most `LONGEST` long.)
        self.coded.push(shared as u8);
        self.coded.push(rest.len() as u8);
        self.coded.extend_from_slice(rest);
        self.prev.truncate(shared);
        self.prev.extend_from_slice(rest);
        self.rows.push(row);
        self.coded.len() <= 2 + LONGEST + CODED_MOST * self.rows.len()
    }

    /// The span of the keys pushed, as a run (`None` when none was).
    pub(super) fn finish(self, file: u32) -> Option<Span> {
        let low = self.first?;
        Some(Span {
            low,
            high: Some(self.prev.into()),
            run: Some(Run {
                file,
                coded: self.coded,
                rows: self.rows,
            }),
        })
    }
}

impl Run {
    /// Each key's hash ([`key_hash`]) with its record's row.
    pub(super) fn hashed(&self) -> Vec<(u64, u32)> {
        let mut out = Vec::new();
        let mut key: Vec<u8> = Vec::new();
        let mut at = 0;
        while let (Some(&shared), Some(&len)) = (self.coded.get(at), self.coded.get(at + 1)) {
            let end = at + 2 + usize::from(len);
            let Some(rest) = self.coded.get(at + 2..end) else {
                break;
            };
            key.truncate(usize::from(shared));
            key.extend_from_slice(rest);
            out.push((key_hash(&key), self.rows.get(out.len())));
            at = end;
        }
        out
    }
}

/// The order of keys in runs and spans: shorter first, keys as long byte
/// by byte. Ids numbered without padding (`A9`, `A10`) rise in it as they
/// do padded; two keys are equal in it only when their bytes are.
pub(super) fn order(a: &[u8], b: &[u8]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// How many leading bytes `a` and `b` share (eight at a time; past the
/// last whole eight, their last eight bytes, those before being equal).
#[inline]
fn shared_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let diff = word_at(a, i) ^ word_at(b, i);
        if diff != 0 {
            return i + (diff.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    if i < n && n >= 8 {
        let diff = word_at(a, n - 8) ^ word_at(b, n - 8);
        return n - 8 + (diff.trailing_zeros() / 8).min(8) as usize;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// The spans that overlap another (by their keys, first to last, both
/// included), as their places in `spans`: the members of every group of
/// spans linked by overlaps, groups of one left out.
pub(super) fn overlapping(spans: &[Span]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by(|&a, &b| self::order(&spans[a].low, &spans[b].low));
    let mut out = Vec::new();
    let mut group: Vec<usize> = Vec::new();
    // The highest key of the group so far (`None`: above every key).
    let mut high: Option<&[u8]> = None;
    for i in order {
        let s = &spans[i];
        let joins = !group.is_empty() && high.is_none_or(|h| self::order(&s.low, h).is_le());
        if !joins {
            if group.len() > 1 {
                out.append(&mut group);
            }
            group.clear();
            high = s.high.as_deref();
        } else if let (Some(h), Some(sh)) = (high, s.high.as_deref()) {
            high = Some(if self::order(sh, h).is_gt() { sh } else { h });
        } else {
            high = None;
        }
        group.push(i);
    }
    if group.len() > 1 {
        out.append(&mut group);
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
#[path = "key_runs_tests.rs"]
mod tests;
