//! Undated lookups by one text key (`catalogue[case.item_code]`), remembered
//! by the address of the key's string across the chunks a worker evaluates.
//!
//! The reader gives the equal texts of a column one shared string per worker
//! (up to its cache's limit), so the records of a worker's chunks bring the
//! same few thousand item codes as the same strings, chunk after chunk. A
//! table kept for the chunk only started empty a chunk at a time and,
//! with a real catalogue's thousand items, met most codes for the first time
//! in every chunk: the index was asked again, hashing the text.
//!
//! Invariant: a slot's address is the address of the string the slot keeps
//! (a clone of it): while the slot names it, no other string can be
//! allocated there. A slot taken by another key drops its string; its
//! address is then named by no slot.

use super::fast::{address_slot, text_address};
use super::index::Hit;
use crate::text::Text;

/// Slots of the table (a power of two): the keys of a real catalogue (about
/// a thousand item codes) mostly in slots of their own.
const SLOTS: usize = 4096;

/// Answers of lookups by one text key, by the key string's address; see the
/// module documentation.
pub struct RecentLookups {
    /// By slot: the key string's address, the dataset, and the answer.
    answers: Vec<(usize, usize, Hit)>,
    /// By slot: the key string itself, kept alive while its address names
    /// the slot.
    strings: Vec<Option<Text>>,
}

impl Default for RecentLookups {
    fn default() -> Self {
        RecentLookups {
            answers: vec![(0, 0, Hit::None); SLOTS],
            strings: vec![None; SLOTS],
        }
    }
}

impl RecentLookups {
    /// The answer kept for `key` in `dataset`, if any.
    #[inline]
    pub fn get(&self, dataset: usize, key: &Text) -> Option<Hit> {
        let addr = text_address(key);
        match self.answers[address_slot(addr, SLOTS)] {
            (a, ds, hit) if a == addr && ds == dataset => Some(hit),
            _ => None,
        }
    }

    /// Keep `hit`, the answer for `key` in `dataset` (a string of the
    /// record being evaluated, cloned to be kept), when it is one: a row or
    /// none. An unknown answer (a candidate's validity unreadable) is not
    /// kept: the lookup is made afresh, and the reference says why.
    pub fn keep(&mut self, dataset: usize, key: &Text, hit: Hit) {
        if matches!(hit, Hit::Unknown) {
            return;
        }
        let addr = text_address(key);
        let slot = address_slot(addr, SLOTS);
        self.answers[slot] = (addr, dataset, hit);
        self.strings[slot] = Some(key.clone());
    }
}
