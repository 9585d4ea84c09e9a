//! The text of a cell: a string that is cheap to clone.
//!
//! A text is one pointer (`arcstr::ArcStr`: its length and count sit
//! before its bytes), where `Arc<str>` and a tag took 24 bytes: a cell's
//! [`crate::value::Value`] takes 16 bytes, a record of the case log's 15
//! fields 240 instead of 360, and a verdict's or data error's names 8
//! bytes each (an audit of 10M cases 3% faster, a dirty export's peak
//! memory a third lower).
//!
//! A text is reference-counted, or static (it lives until the process
//! ends, and its clones count nothing: an atomic instruction each, however
//! uncontended, is a barrier). The reader shares one string per distinct
//! text of a column in each worker (`read::cell::StrCache`), and keeps it
//! static from its second sighting on ([`Text::keep`]): the texts a column
//! repeats (departments, item codes, channels) count nothing, its unique
//! ones (case ids) are freed with their records (10M cases: 2-3% less
//! wall and CPU time). The texts every worker reads are interned
//! ([`intern`]: one static string per text for the process): the short
//! texts of the registers held whole (a lookup's values go into each
//! case's verdict, `read::read_table_full`), an enum's labels and a
//! mapping's alias targets, a policy's text constants (`Value::str`), and
//! the names a run's verdicts and data errors repeat (a rule's code, a
//! file, a column, what was expected and what is wrong). An atomic count
//! that two cores update in turn moves its cache line between them on
//! every clone: interning those took 3% off the audit's wall time at two
//! threads.
//!
//! Invariant: the interned texts of a process take at most
//! [`INTERN_BUDGET`] bytes and the kept ones at most [`KEPT_BUDGET`]
//! (counted with their bookkeeping); past them, texts stay
//! reference-counted, so a process that audits export after export (a
//! library user, the test suite) never grows without bound. Which form a
//! text takes never changes a result: texts compare, hash and order by
//! content.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use arcstr::ArcStr;
use rustc_hash::FxHashSet;

/// A text: static (interned or kept for the life of the process), or
/// reference-counted. One pointer (`ArcStr`: its length and count sit
/// before its bytes), so that a cell's value ([`crate::value::Value`])
/// takes 16 bytes, not 24. Its form is private: only [`intern`], `From`
/// and [`Text::keep`] make or change one, so that two live texts at one
/// address are one text (the address tables rely on it).
#[derive(Clone)]
pub struct Text(ArcStr);

/// The most bytes the interned texts of a process take (their strings and
/// bookkeeping).
pub const INTERN_BUDGET: usize = 32 << 20;

/// What an interned text costs beyond its bytes: its string's header (its
/// length and count, 16 bytes) and the allocator's rounding, about 16
/// more, and its entry in the set (an 8-byte pointer and a control byte,
/// at most 7/8 of the buckets used, and the table a growth frees).
const ENTRY_COST: usize = 64;

/// The most bytes the texts a worker's reader keeps for the life of the
/// process take ([`Text::keep`]), apart from [`INTERN_BUDGET`], so that
/// they never leave the interned texts without room.
pub const KEPT_BUDGET: usize = 16 << 20;

/// The bytes [`Text::keep`] has kept (what a kept text costs beyond its
/// bytes, as an interned one, [`ENTRY_COST`]: its header, the allocator's
/// rounding, and nothing else counted apart).
static KEPT_BYTES: AtomicUsize = AtomicUsize::new(0);

/// The interned texts and the bytes they take.
struct Interned {
    set: FxHashSet<ArcStr>,
    bytes: usize,
}

static INTERNED: Mutex<Option<Interned>> = Mutex::new(None);

/// The text `s`, interned while the process's budget lasts (the same
/// string for the same text, whichever thread asks: a clone copies the
/// pointer and counts nothing), else reference-counted. For texts that
/// repeat: each distinct one is kept until the process ends.
pub fn intern(s: &str) -> Text {
    if s.is_empty() {
        return Text::default();
    }
    let mut guard = INTERNED.lock().unwrap_or_else(PoisonError::into_inner);
    let interned = guard.get_or_insert_with(|| Interned {
        set: FxHashSet::default(),
        bytes: 0,
    });
    if let Some(kept) = interned.set.get(s) {
        return Text(kept.clone());
    }
    let cost = s.len() + ENTRY_COST;
    if interned.bytes + cost > INTERN_BUDGET {
        return Text(ArcStr::from(s));
    }
    let kept = ArcStr::from(s);
    // (Static from now on: never freed, and its clones count nothing.)
    kept.leak();
    interned.set.insert(kept.clone());
    interned.bytes += cost;
    Text(kept)
}

impl Text {
    /// Keep this text's string for the life of the process, while
    /// [`KEPT_BUDGET`] lasts: from then on its clones, and those made
    /// before, count nothing (an atomic instruction each, however
    /// uncontended: a barrier). For a worker's string of a text its column
    /// repeats (`read::cell::StrCache`, from its second sighting, so that
    /// a column of unique ids keeps nothing).
    #[inline]
    pub fn keep(&self) {
        if ArcStr::is_static(&self.0) {
            return;
        }
        let cost = self.len() + ENTRY_COST;
        let taken = KEPT_BYTES.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
            (b + cost <= KEPT_BUDGET).then_some(b + cost)
        });
        if taken.is_ok() {
            self.0.leak();
        }
    }

    /// The text as a string slice.
    #[inline]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Interned ([`intern`]) or kept ([`Text::keep`]): it lives, at its
    /// address, until the process ends, and its clones count nothing.
    #[inline]
    pub fn is_static(&self) -> bool {
        ArcStr::is_static(&self.0)
    }

    /// The same string (not only the same content). Equal content may be
    /// in two strings.
    #[inline]
    pub fn ptr_eq(a: &Text, b: &Text) -> bool {
        ArcStr::ptr_eq(&a.0, &b.0)
    }

    /// The address of its bytes: its identity while it is alive (an
    /// interned text's for the whole process), for tables keyed by it.
    #[inline]
    pub fn address(&self) -> usize {
        self.0.as_ptr() as usize
    }
}

impl Deref for Text {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    /// A reference-counted text (use [`intern`] for one that repeats); the
    /// empty text is the interned one.
    fn from(s: &str) -> Text {
        if s.is_empty() {
            return Text::default();
        }
        Text(ArcStr::from(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::from(s.as_str())
    }
}

impl PartialEq for Text {
    #[inline]
    fn eq(&self, other: &Text) -> bool {
        // (As `Arc`'s does: the same string is equal without reading it.)
        Text::ptr_eq(self, other) || self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl std::borrow::Borrow<str> for Text {
    /// (Its `Hash`, `Eq` and `Ord` are its `str`'s.)
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Default for Text {
    /// The empty text (interned).
    fn default() -> Text {
        Text(ArcStr::new())
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    /// As its `str` hashes.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl serde::Serialize for Text {
    /// As its `str` serialises.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_texts_are_one_string_and_compare_by_content() {
        let a = intern("区民政局");
        let b = intern(&String::from("区民政局"));
        if !a.is_static() {
            // (Another test of this process took the whole budget.)
            return;
        }
        assert!(Text::ptr_eq(&a, &b));
        let c = Text::from("区民政局");
        assert!(!Text::ptr_eq(&a, &c));
        assert_eq!(a, c);
        let hash = |t: &Text| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            t.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(&a), hash(&c));
        assert_eq!(a.cmp(&Text::from("区人社局")), "区民政局".cmp("区人社局"));
        assert_eq!(format!("{a:?}"), format!("{:?}", "区民政局"));
        assert_eq!(a.address(), b.address());
    }

    #[test]
    fn interned_texts_lie_sixteen_bytes_apart_or_more() {
        // (The tables keyed by a text's address take its bits above 16
        // bytes: two texts sharing them would share a slot.)
        let texts: Vec<Text> = (0..100).map(|i| intern(&format!("GA{i:06}"))).collect();
        if !texts.iter().all(Text::is_static) {
            return;
        }
        let mut addresses: Vec<usize> = texts.iter().map(Text::address).collect();
        addresses.sort_unstable();
        assert!(addresses.windows(2).all(|w| w[1] - w[0] >= 16));
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(t.as_str(), format!("GA{i:06}"));
        }
        // A long text, and the empty one (at no block's next address).
        let long = "长".repeat(64 << 10);
        assert_eq!(intern(&long).as_str(), long);
        assert_eq!(intern("").as_str(), "");
        assert!(!addresses.contains(&intern("").address()));
    }

    #[test]
    fn a_kept_text_is_static_with_the_clones_made_before() {
        let t = Text::from("综合窗口");
        let before = t.clone();
        assert!(!t.is_static());
        t.keep();
        assert!(t.is_static() && before.is_static());
        assert!(Text::ptr_eq(&t, &before));
        assert_eq!(before.as_str(), "综合窗口");
        drop(before);
        assert_eq!(t.clone().as_str(), "综合窗口");
        // One larger than the whole budget is never kept.
        let big = Text::from("字".repeat(KEPT_BUDGET / 3 + 1));
        big.keep();
        assert!(!big.is_static());
    }

    #[test]
    fn past_the_budget_texts_are_reference_counted() {
        // One text larger than the whole budget is never interned.
        let big = "字".repeat(INTERN_BUDGET / 3 + 1);
        assert!(!intern(&big).is_static());
        assert_eq!(intern(&big).as_str(), big);
        assert!(Text::from("").is_static());
    }
}
