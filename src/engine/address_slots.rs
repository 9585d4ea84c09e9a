//! A small table of values by the address of a string (`fast::text_address`),
//! one value a slot, a slot picked by the address's bits above the
//! allocator's grain (`fast::address_slot`): what a rule pass or a chunk
//! remembers of the few strings of a column it meets (a metric's recent
//! keys, a text guard's verdicts), without reading or hashing the strings.
//!
//! Invariant: the owner keeps the table no longer than the strings whose
//! addresses it holds live (a chunk's records, a rule pass): no other string
//! can come to an address it names meanwhile. Two addresses may share a slot;
//! the later takes it, and a lookup of the earlier misses.

use super::fast::address_slot;

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
