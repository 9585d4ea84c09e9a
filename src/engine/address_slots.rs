//! A small table of values by the address of a string (`fast::text_address`),
//! one value a slot, a slot picked by the address's bits above the
//! allocator's grain (`fast::address_slot`): what a rule pass or a chunk
//! remembers of the few strings of a column it meets (a metric's recent
//! keys, a text guard's verdicts, a kernel's comparisons with a text:
//! [`TextsMet`]), without reading or hashing the strings.
//!
//! Invariant: the owner keeps the table no longer than the strings whose
//! addresses it holds live (a chunk's records, a rule pass): no other string
//! can come to an address it names meanwhile. Two addresses may share a slot;
//! the later takes it, and a lookup of the earlier misses.

use super::fast::address_slot;
use crate::text::Text;
use crate::value::text_eq;

/// `N` slots (a power of two) of `(address, value)`; address 0: empty.
pub(crate) struct AddressSlots<V: Copy, const N: usize> {
    slots: [(usize, V); N],
}

impl<V: Copy + Default, const N: usize> Default for AddressSlots<V, N> {
    fn default() -> Self {
        AddressSlots {
            slots: [(0, V::default()); N],
        }
    }
}

impl<V: Copy, const N: usize> AddressSlots<V, N> {
    /// The value kept for the string at `addr`, if its slot holds it.
    #[inline]
    pub(crate) fn get(&self, addr: usize) -> Option<V> {
        match self.slots[address_slot(addr, N)] {
            (a, v) if a == addr => Some(v),
            _ => None,
        }
    }

    /// Keep `value` for the string at `addr` (in its slot, whatever was there).
    #[inline]
    pub(crate) fn put(&mut self, addr: usize, value: V) {
        self.slots[address_slot(addr, N)] = (addr, value);
    }
}

/// Whether each text met equals one text, by the address of its string: a
/// column's texts are a few strings the reader shares (`原单位`, `中心窗口`),
/// each compared once, where each record's comparison read both strings
/// (a third of a text guard's instructions on generated cases; a kernel's
/// `text_eq` on Chinese texts that share their last character normalises
/// both). Its owner is one guard over a chunk's records (`run::guard::
/// Exclusions`) or over a rule pass's, or one operation of a kernel over a
/// batch: the records outlive it, so no other string takes an address it
/// has met while it lasts (one table each, never kept beyond).
#[derive(Default)]
pub(crate) struct TextsMet {
    /// Whether the text equals the one text, by its string's address.
    slots: AddressSlots<bool, TEXTS_MET>,
}

/// Slots of [`TextsMet`] (a power of two).
const TEXTS_MET: usize = 16;

impl TextsMet {
    /// Whether `s` equals `text` in their matching form ([`text_eq`]).
    /// `text` is the same text at every call.
    #[inline]
    pub(crate) fn equal(&mut self, s: &Text, text: &Text) -> bool {
        let a = s.address();
        if let Some(equal) = self.slots.get(a) {
            return equal;
        }
        let equal = Text::ptr_eq(s, text) || text_eq(s, text);
        self.slots.put(a, equal);
        equal
    }
}

#[cfg(test)]
#[path = "address_slots_tests.rs"]
mod tests;
