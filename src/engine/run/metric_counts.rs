//! A metric's counts over one chunk, by `per` key, as the fast path keeps
//! them (keys borrowed from the chunk's records).

use rustc_hash::FxHashMap as HashMap;

use super::MetricAcc;
use crate::engine::address_slots::AddressSlots;
use crate::engine::fast::{text_address, BKey};

/// A metric's counts in one chunk, by `per` key. Most metrics count per
/// department: a key that is a text is found first by its string's address
/// in a small table of recent keys (a dozen departments fit), without
/// hashing the key for every record; any other key, and a text the table
/// does not hold, through the map.
#[derive(Default)]
pub(super) struct MetricCounts<'r> {
    places: HashMap<Option<BKey<'r>>, usize>,
    keys: Vec<Option<BKey<'r>>>,
    accs: Vec<MetricAcc>,
    /// A key's place, by the address of its string.
    recent: AddressSlots<usize, RECENT>,
}

/// Entries of [`MetricCounts::recent`] (a power of two). A department's
/// strings are allocated where the reader first meets them, not one after
/// another: twelve of them in 64 slots shared one often enough that a
/// chunk's counts went through the map (`found_or_made`: 0.7-0.8% of a
/// 10M-case audit's samples in some builds, 0.3% with 256 slots).
const RECENT: usize = 256;

/// A text key's entry in [`MetricCounts::recent`]: its string's address,
/// its bits above the 256 slots' folded into theirs (an xorshift, so one
/// address still gives one entry and no other). Two departments' strings
/// 8 KiB apart in one allocator page took one slot for every chunk in some
/// builds, sending a quarter of a metric's counts through the map
/// (`found_or_made`: 0.4-1% of a 10M-case audit's samples).
#[inline]
fn recent_key(address: usize) -> usize {
    address ^ (address >> 8)
}

impl<'r> MetricCounts<'r> {
    /// The counts of `key`, new ones if it has none yet, for the record at
    /// `at` (file, row): a text key keeps its earliest record's text. (A
    /// chunk's records come in row order: the record that makes a key's
    /// counts is its earliest in the chunk, and no later one is noted.)
    #[allow(
        clippy::inline_always,
        reason = "measured: left to the inliner (or `#[inline]`), a call per counted record"
    )]
    #[inline(always)]
    pub(super) fn of(&mut self, key: Option<BKey<'r>>, at: (u32, u32)) -> &mut MetricAcc {
        // (The chunk's strings outlive its counts: no other string can
        // take a key's address meanwhile.)
        if let Some(BKey::Str(s)) = key {
            if let Some(i) = self.recent.get(recent_key(text_address(s))) {
                return &mut self.accs[i];
            }
        }
        self.found_or_made(key, at)
    }

    /// [`Self::of`] past the table of recent keys: the key's counts found
    /// by content, or made.
    #[inline(never)]
    fn found_or_made(&mut self, key: Option<BKey<'r>>, at: (u32, u32)) -> &mut MetricAcc {
        let next = self.keys.len();
        let i = *self.places.entry(key).or_insert(next);
        if i == next {
            self.keys.push(key);
            let mut acc = MetricAcc::default();
            if let Some(BKey::Str(s)) = key {
                acc.note_text(at, s);
            }
            self.accs.push(acc);
        }
        if let Some(BKey::Str(s)) = key {
            self.recent.put(recent_key(text_address(s)), i);
        }
        &mut self.accs[i]
    }

    /// The keys and their counts, in the order first counted.
    pub(super) fn into_counts(self) -> impl Iterator<Item = (Option<BKey<'r>>, MetricAcc)> {
        self.keys.into_iter().zip(self.accs)
    }
}

#[cfg(test)]
#[path = "metric_counts_tests.rs"]
mod tests;
