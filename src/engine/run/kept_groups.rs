//! A worker's groups of the fast path, kept across its chunks.
//!
//! A group rule's members on the fast path are added to groups keyed by the
//! identity of their key values (a text by the address of its string, which
//! the reader shares within a worker). Kept per chunk, each group was made,
//! folded by content and merged once per chunk: on a real catalogue's
//! export, where `H002` meets about 1,200 of its groups in every chunk, that
//! churn took 6-8% of the audit's samples. Kept across a worker's chunks,
//! a group recurring in the next chunk is found again, and its memo entries
//! name its place for good; the groups are folded by content once, when the
//! dataset is finished ([`super::Runner::finish_dataset`], the sink every
//! caller goes through).
//!
//! Invariant: a kept key holds its texts, so that no other text takes their
//! addresses while it is kept: equal identity is equal content. Keys whose
//! strings are not shared (a column the reader's cache gave up on) would
//! make a group per record: past [`MAX_KEPT`] groups a rule's are folded by
//! content into its settled groups and its places forgotten, so memory
//! stays bounded by the distinct groups. Merging is order-independent, so
//! which worker kept which records never changes the output.

use std::hash::{Hash, Hasher};

use chrono::{NaiveDate, NaiveDateTime};
use indexmap::{Equivalent, IndexMap};
use rustc_hash::{FxBuildHasher, FxHashMap as HashMap};

use super::pending::Pending;
use super::{merge_group, GroupAcc, Partial};
use crate::engine::fast::BKey;
use crate::engine::index::Key;
use crate::text::Text;

/// Groups a rule keeps by identity before they are folded by content.
pub(super) const MAX_KEPT: usize = 1 << 16;

/// A key value kept across chunks: a [`BKey`] that owns its text.
#[derive(Clone, Debug)]
enum KeptValue {
    Str(Text),
    Int(i64),
    Dec(u64),
    Bool(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl KeptValue {
    fn of(k: &BKey<'_>) -> KeptValue {
        match *k {
            BKey::Str(s) => KeptValue::Str(s.clone()),
            BKey::Int(n) => KeptValue::Int(n),
            BKey::Dec(bits) => KeptValue::Dec(bits),
            BKey::Bool(b) => KeptValue::Bool(b),
            BKey::Date(d) => KeptValue::Date(d),
            BKey::DateTime(d) => KeptValue::DateTime(*d),
        }
    }

    /// As a chunk's borrowed key: the same hash and equality (a text by
    /// its string's address, which a clone shares).
    fn as_bkey(&self) -> BKey<'_> {
        match self {
            KeptValue::Str(s) => BKey::Str(s),
            KeptValue::Int(n) => BKey::Int(*n),
            KeptValue::Dec(bits) => BKey::Dec(*bits),
            KeptValue::Bool(b) => BKey::Bool(*b),
            KeptValue::Date(d) => BKey::Date(*d),
            KeptValue::DateTime(d) => BKey::DateTime(d),
        }
    }
}

/// A group's key as a worker keeps it.
#[derive(Clone, Debug)]
struct KeptKey(Vec<KeptValue>);

/// Hashes a key's values as [`KeptKey`] and [`Look`] both do.
fn hash_keys<'k, H: Hasher>(n: usize, keys: impl Iterator<Item = BKey<'k>>, state: &mut H) {
    state.write_usize(n);
    for k in keys {
        k.hash(state);
    }
}

impl Hash for KeptKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_keys(self.0.len(), self.0.iter().map(KeptValue::as_bkey), state);
    }
}

impl PartialEq for KeptKey {
    fn eq(&self, other: &KeptKey) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|(a, b)| a.as_bkey() == b.as_bkey())
    }
}

impl Eq for KeptKey {}

/// A chunk's borrowed key, looked up among the kept ones.
struct Look<'a, 'r>(&'a [BKey<'r>]);

impl Hash for Look<'_, '_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_keys(self.0.len(), self.0.iter().copied(), state);
    }
}

impl Equivalent<KeptKey> for Look<'_, '_> {
    fn equivalent(&self, key: &KeptKey) -> bool {
        self.0.len() == key.0.len() && self.0.iter().zip(&key.0).all(|(a, b)| *a == b.as_bkey())
    }
}

/// A worker's groups of each group rule of a dataset (by slot), kept from
/// one chunk to the next with the worker's memos.
#[derive(Default)]
pub(super) struct KeptGroups {
    /// By slot: the groups by key identity, each at a fixed place.
    groups: Vec<IndexMap<KeptKey, GroupAcc, FxBuildHasher>>,
    /// By slot, then by memo entry: the place in `groups` (plus one; 0:
    /// none yet) of the group the entry's records join. The entry's values
    /// hold the group key's fields, so a replay finds its group without
    /// making and hashing the key.
    places: Vec<Vec<u32>>,
    /// By slot: groups folded by content when a rule kept too many.
    settled: Vec<HashMap<Vec<Key>, GroupAcc>>,
    /// By slot: the members replayed from memo entries in the worker's
    /// chunks, waiting to join their groups (see `pending`), added when the
    /// groups are bounded or folded.
    pub(super) pending: Vec<Pending>,
}

impl KeptGroups {
    /// Groups for `rules` slots.
    pub(super) fn new(rules: usize) -> Self {
        KeptGroups {
            groups: std::iter::repeat_with(IndexMap::default)
                .take(rules)
                .collect(),
            places: vec![Vec::new(); rules],
            settled: std::iter::repeat_with(HashMap::default)
                .take(rules)
                .collect(),
            pending: std::iter::repeat_with(Pending::default)
                .take(rules)
                .collect(),
        }
    }

    /// Add the members of rule slot `slot` counted by memo entry to their
    /// groups.
    fn flush_pending(&mut self, slot: usize) {
        let mut pending = std::mem::take(&mut self.pending[slot]);
        pending.flush(self, slot);
        self.pending[slot] = pending;
    }

    /// The place of the group of `keys` in slot `slot`, if kept.
    pub(super) fn find(&self, slot: usize, keys: &[BKey<'_>]) -> Option<usize> {
        self.groups[slot].get_index_of(&Look(keys))
    }

    /// The place of the group of `keys`, made by `make` if not kept yet.
    pub(super) fn find_or_make(
        &mut self,
        slot: usize,
        keys: &[BKey<'_>],
        make: impl FnOnce() -> GroupAcc,
    ) -> usize {
        self.find(slot, keys).unwrap_or_else(|| {
            let key = KeptKey(keys.iter().map(KeptValue::of).collect());
            self.groups[slot].insert_full(key, make()).0
        })
    }

    /// The group at `place` of slot `slot`.
    pub(super) fn at(&mut self, slot: usize, place: usize) -> &mut GroupAcc {
        &mut self.groups[slot][place]
    }

    /// Whether the group at `place` has the key `keys` by content (a debug
    /// check of a memo entry's place).
    pub(super) fn has_key(&self, slot: usize, place: usize, keys: &[BKey<'_>]) -> bool {
        self.groups[slot].get_index(place).is_some_and(|(k, _)| {
            k.0.len() == keys.len()
                && k.0
                    .iter()
                    .zip(keys)
                    .all(|(a, b)| a.as_bkey().to_key() == b.to_key())
        })
    }

    /// The places of slot `slot`'s groups by memo entry.
    pub(super) fn places(&mut self, slot: usize) -> &mut Vec<u32> {
        &mut self.places[slot]
    }

    /// At a chunk's end: a rule that keeps too many groups by identity has
    /// them folded by content (see [`MAX_KEPT`]).
    pub(super) fn bound(&mut self) {
        for slot in 0..self.groups.len() {
            if self.groups[slot].len() > MAX_KEPT {
                // (The places its counted members name go with them.)
                self.flush_pending(slot);
                let groups = std::mem::take(&mut self.groups[slot]);
                for (k, acc) in groups {
                    merge_group(&mut self.settled[slot], k.to_keys(), acc);
                }
                self.places[slot].clear();
            }
        }
    }

    /// Fold every group into `p`, by content, with every member counted.
    pub(super) fn fold_into(mut self, p: &mut Partial) {
        for slot in 0..self.pending.len() {
            self.flush_pending(slot);
        }
        for (slot, groups) in self.groups.into_iter().enumerate() {
            for (k, acc) in groups {
                merge_group(&mut p.groups[slot], k.to_keys(), acc);
            }
        }
        for (slot, settled) in self.settled.into_iter().enumerate() {
            for (k, acc) in settled {
                merge_group(&mut p.groups[slot], k, acc);
            }
        }
    }
}

impl KeptKey {
    /// The key by content.
    fn to_keys(&self) -> Vec<Key> {
        self.0.iter().map(|v| v.as_bkey().to_key()).collect()
    }
}

#[cfg(test)]
#[path = "kept_groups_tests.rs"]
mod tests;
