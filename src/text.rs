//! The text of a cell: a string that is cheap to clone.
//!
//! A column's texts repeat (departments, item codes, channels, an enum's
//! labels): the reader shares one string per distinct text of a column
//! (`read::cell::StrCache`), and every record holding it clones it. An
//! `Arc<str>` clone and drop are atomic operations, each a full barrier:
//! on the case log, about a dozen a record, measured at 8% of the audit's
//! wall time. Texts the reader shares are instead interned for the life of
//! the process ([`intern`]): a clone copies a pointer, a drop does nothing.
//! Every other text (an id, a free-text reason: values that do not repeat)
//! is reference-counted as before.
//!
//! Invariant: the interned texts of a process take at most
//! [`INTERN_BUDGET`] bytes (counted with their bookkeeping); past it,
//! [`intern`] gives reference-counted texts, so a process that audits
//! export after export (a library user, the test suite) never grows
//! without bound. Which form a text takes never changes a result: texts
//! compare, hash and order by content.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

/// A text: interned for the life of the process, or reference-counted.
#[derive(Clone)]
pub enum Text {
    /// Interned ([`intern`]): a clone copies the pointer.
    Kept(&'static str),
    /// Reference-counted.
    Shared(Arc<str>),
}

/// The most bytes the interned texts of a process take (each counted with
/// [`ENTRY_COST`] bytes of bookkeeping).
pub const INTERN_BUDGET: usize = 32 << 20;

/// What an interned text costs beyond its bytes: its set entry and its
/// allocation's header, about.
const ENTRY_COST: usize = 32;

/// The interned texts and the bytes they take.
struct Interned {
    set: HashSet<&'static str>,
    bytes: usize,
}

static INTERNED: Mutex<Option<Interned>> = Mutex::new(None);

/// The text `s`, interned while the process's budget lasts (the same
/// `&'static str` for the same text, whichever thread asks), else
/// reference-counted. For texts that repeat: each distinct one is kept
/// until the process ends.
pub fn intern(s: &str) -> Text {
    let mut guard = INTERNED.lock().unwrap_or_else(PoisonError::into_inner);
    let interned = guard.get_or_insert_with(|| Interned {
        set: HashSet::new(),
        bytes: 0,
    });
    if let Some(&kept) = interned.set.get(s) {
        return Text::Kept(kept);
    }
    let cost = s.len() + ENTRY_COST;
    if interned.bytes + cost > INTERN_BUDGET {
        return Text::Shared(Arc::from(s));
    }
    let kept: &'static str = Box::leak(Box::from(s));
    interned.set.insert(kept);
    interned.bytes += cost;
    Text::Kept(kept)
}

impl Text {
    /// The text as a string slice.
    #[inline]
    pub fn as_str(&self) -> &str {
        match self {
            Text::Kept(s) => s,
            Text::Shared(s) => s,
        }
    }

    /// The same string (not only the same content): the same address and
    /// length. Equal content may be in two strings.
    #[inline]
    pub fn ptr_eq(a: &Text, b: &Text) -> bool {
        let (a, b) = (a.as_str(), b.as_str());
        std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len()
    }

    /// The address of its bytes: its identity while it is alive (an
    /// interned text's for the whole process), for tables keyed by it.
    #[inline]
    pub fn address(&self) -> usize {
        self.as_str().as_ptr() as usize
    }
}

impl Deref for Text {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    /// A reference-counted text (use [`intern`] for one that repeats).
    fn from(s: &str) -> Text {
        Text::Shared(Arc::from(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::Shared(Arc::from(s))
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
    /// As its `str` hashes (so that `Borrow<str>` lookups find it).
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
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
        assert!(matches!(a, Text::Kept(_)));
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
    fn past_the_budget_texts_are_reference_counted() {
        // One text larger than the whole budget is never interned.
        let big = "字".repeat(INTERN_BUDGET / 3 + 1);
        assert!(matches!(intern(&big), Text::Shared(_)));
        assert!(matches!(intern("小"), Text::Kept(_)));
    }
}
