//! Cells of one text field kept as bytes, not made into texts: a streamed
//! dataset's id (`办件编号`), which nothing but record rules' messages
//! reads, and the keys of the few records reported. Making it a text for
//! every record (an allocation while reading, a freeing and a cache miss
//! on its count when the record's values are dropped) was about 7% of a
//! 10M-case audit's samples (`perf`); its bytes are copied here instead,
//! one buffer a chunk, and made a text only for a record that is reported
//! ([`DeferredCells::value`]).
//!
//! Invariant: a cell is kept here only when reading it would give exactly
//! its bytes as a text (see [`DeferredCells::keeps`]), so the text made
//! later is the one reading it would have made; the record's value of the
//! field then holds [`DEFERRED`], which no rule reads (the caller asks for
//! deferral only of a field nothing but record rules' messages reads), and
//! the reader takes as a value held (`chunk::no_record`: the cell is not
//! empty). The entries follow the chunk's records one for one.

use crate::text::Text;
use crate::value::Value;

/// What a record's value holds for a field whose cell was kept as bytes:
/// unknown, should anything read it (never a value that could pass a rule).
pub const DEFERRED: Value = Value::Invalid;

/// The bytes a kept cell may hold (see [`DeferredCells::keeps`]): a table,
/// one load a byte.
static KEPT_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'/');
        b += 1;
    }
    t
};

/// The kept cells of one field, one entry per record of a chunk (in the
/// order of the chunk's records); an entry is empty where the record's
/// value holds the cell as read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeferredCells {
    /// The field (schema index) whose cells these are.
    pub field: usize,
    bytes: Vec<u8>,
    /// Per record: where its cell ends in `bytes` (it starts where the
    /// previous one ends).
    ends: Vec<u32>,
}

impl DeferredCells {
    pub(crate) fn new(field: usize, records: usize) -> DeferredCells {
        DeferredCells {
            field,
            bytes: Vec::with_capacity(records * 16),
            ends: Vec::with_capacity(records),
        }
    }

    /// Whether a cell of these bytes, in a UTF-8 text, reads as exactly
    /// them (a plain string field's cell, trimmed, not a placeholder: the
    /// caller asks [`crate::read::cell::CellParser`] that last). Letters,
    /// digits and `-_./` only: no blank to trim, nothing a row's other
    /// checks read inside a text (a colon makes a lone key a line of text),
    /// never a different text once normalised.
    #[inline]
    pub(crate) fn keeps(raw: &[u8]) -> bool {
        // (Every byte looked at, no branch a byte: the ids are short.)
        !raw.is_empty()
            && raw.len() <= 64
            && raw
                .iter()
                .fold(true, |ok, &b| ok & KEPT_BYTES[usize::from(b)])
    }

    /// The next record's entry: its cell's bytes, or none (`b""`).
    #[inline]
    pub(crate) fn push(&mut self, raw: &[u8]) {
        self.bytes.extend_from_slice(raw);
        // (At most 64 bytes a record, a chunk's records a few thousand: far
        // below 4 GiB.)
        debug_assert!(u32::try_from(self.bytes.len()).is_ok());
        self.ends
            .push(u32::try_from(self.bytes.len()).unwrap_or(u32::MAX));
    }

    /// The number of entries (the chunk's records).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The kept cell of record `i`, `None` where its value holds it: its
    /// bytes, which are also its normalised form (`normalize::value`: ASCII
    /// with nothing to trim), for the repeated-key check to hash.
    #[inline]
    pub fn bytes(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)? as usize;
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] as usize,
        };
        self.bytes.get(start..end).filter(|b| !b.is_empty())
    }

    /// The kept cell of record `i` as text, `None` where its value holds it.
    pub fn text(&self, i: usize) -> Option<&str> {
        std::str::from_utf8(self.bytes(i)?).ok()
    }

    /// The value reading record `i`'s kept cell would have given, `None`
    /// where its value holds it.
    pub fn value(&self, i: usize) -> Option<Value> {
        self.text(i).map(|t| Value::Str(Text::from(t)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_follow_the_records_and_an_empty_one_is_none() {
        let mut d = DeferredCells::new(0, 3);
        d.push(b"GA20250000001");
        d.push(b"");
        d.push(b"SX/2025-01_a.b");
        assert_eq!(d.len(), 3);
        assert_eq!(d.text(0), Some("GA20250000001"));
        assert_eq!(d.text(1), None);
        assert_eq!(d.value(2), Some(Value::str("SX/2025-01_a.b")));
        assert_eq!(d.text(3), None);
    }

    #[test]
    fn only_cells_that_read_as_their_bytes_are_kept() {
        for kept in ["GA20250000001", "2025-000123", "SX/2025/001", "a_b.c"] {
            assert!(DeferredCells::keeps(kept.as_bytes()), "{kept}");
        }
        let long = "9".repeat(65);
        for read in [
            "",
            " GA1",
            "GA1 ",
            "GA 1",
            "A:1",
            "Ｄ２",
            "办件1",
            "GA\u{0}1",
            "\"GA1\"",
            long.as_str(),
        ] {
            assert!(!DeferredCells::keeps(read.as_bytes()), "{read:?}");
        }
    }
}
