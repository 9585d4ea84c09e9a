//! The value vectors of records, used again: a streamed dataset's chunk
//! gives its records' vectors back when the rules are done with them
//! ([`recycle`]), and the next chunk the worker parses takes them, all at
//! once ([`Spares`]), where it would allocate one per record.
//!
//! Invariant: the pool is per thread (a rayon worker parses a chunk and
//! runs its rules in one task, so what it gives back it takes again) and
//! bounded ([`KEPT`] vectors), so that it never holds more than about two
//! chunks' records.

use std::cell::RefCell;

use crate::value::Value;

/// The most vectors a thread keeps: two chunks' records.
const KEPT: usize = 2 * super::DEFAULT_CHUNK_ROWS;

thread_local! {
    static SPARE: RefCell<Vec<Vec<Value>>> = const { RefCell::new(Vec::new()) };
}

/// An emptied vector `v` (or a new one) as `n` empty values: as it is
/// when it has that width (the commonest case, inlined; the other apart).
#[inline]
fn of_width(v: Vec<Value>, n: usize) -> Vec<Value> {
    if v.len() == n {
        v
    } else {
        resized(v, n)
    }
}

/// [`of_width`] of a vector of another width: a new one, or one of
/// another dataset's records. (Filled by `resize_with`, not
/// `vec![Value::Empty; n]`, which clones the first element through
/// `Value`'s `Clone` once per field.)
#[cold]
#[inline(never)]
fn resized(mut v: Vec<Value>, n: usize) -> Vec<Value> {
    v.clear();
    v.reserve_exact(n);
    v.resize_with(n, || Value::Empty);
    v
}

/// The spare vectors of this thread, taken for one chunk: its records
/// take theirs here without reaching the thread's pool each time
/// ([`Spares::values`]), and what the chunk left is given back to the
/// pool when it drops.
pub(crate) struct Spares(Vec<Vec<Value>>);

impl Spares {
    /// This thread's spare vectors, all of them (the pool is left empty
    /// until the chunk gives back what it did not take).
    pub(crate) fn take() -> Spares {
        Spares(
            SPARE
                .try_with(|s| std::mem::take(&mut *s.borrow_mut()))
                .unwrap_or_default(),
        )
    }

    /// A record's `n` values before its cells are read, all empty: a
    /// vector given back by [`recycle`] on this thread (emptied there, in
    /// the pass that dropped its values: of the same width, as a streamed
    /// dataset's chunks are, it is handed out as it is), or a new one.
    #[inline]
    pub(crate) fn values(&mut self, n: usize) -> Vec<Value> {
        of_width(self.0.pop().unwrap_or_default(), n)
    }
}

impl Drop for Spares {
    fn drop(&mut self) {
        let left = std::mem::take(&mut self.0);
        let _ = SPARE.try_with(|s| {
            let mut spare = s.borrow_mut();
            if spare.is_empty() {
                // (Even with nothing left: the vector's room, which the
                // chunk's records fill again when they are given back.)
                *spare = left;
            } else {
                let room = KEPT.saturating_sub(spare.len());
                spare.extend(left.into_iter().take(room));
            }
        });
    }
}

/// Gives back the value vectors of records the caller is done with (each
/// value is dropped here and its place left empty) for the chunks this
/// thread parses next to take again; beyond two chunks' worth, they are
/// freed.
pub fn recycle(rows: impl IntoIterator<Item = Vec<Value>>) {
    let _ = SPARE.try_with(|s| {
        let mut spare = s.borrow_mut();
        for mut v in rows {
            if spare.len() >= KEPT {
                break;
            }
            v.fill_with(|| Value::Empty);
            spare.push(v);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vector_given_back_comes_again_empty_and_of_the_width_asked() {
        let text = Value::str("区住建局");
        recycle([
            vec![text.clone(), Value::Int(3)],
            vec![Value::Bool(true); 30],
        ]);
        // (Last in, first out: the wide one first, cut to the width asked,
        // then the narrow one grown to it.)
        let mut spares = Spares::take();
        assert_eq!(spares.values(5), vec![Value::Empty; 5]);
        assert_eq!(spares.values(5), vec![Value::Empty; 5]);
        drop(spares);
        recycle([vec![text, Value::Int(3)]]);
        assert_eq!(
            Spares::take().values(2),
            vec![Value::Empty; 2],
            "of the width asked, emptied"
        );
    }

    #[test]
    fn a_chunk_takes_the_spare_vectors_and_gives_back_what_it_left() {
        std::thread::spawn(|| {
            let pooled = || SPARE.with(|s| s.borrow().len());
            let text = Value::str("区住建局");
            recycle([
                vec![text.clone(), Value::Int(3)],
                vec![text; 7],
                vec![Value::Int(1); 4],
            ]);
            let mut spares = Spares::take();
            assert_eq!(pooled(), 0, "taken whole");
            assert_eq!(spares.values(4), vec![Value::Empty; 4], "emptied");
            assert_eq!(
                spares.values(2),
                vec![Value::Empty; 2],
                "cut to the width asked"
            );
            drop(spares);
            assert_eq!(pooled(), 1, "the one not taken given back");
            let mut spares = Spares::take();
            assert_eq!(
                spares.values(3),
                vec![Value::Empty; 3],
                "grown to the width asked"
            );
            assert_eq!(
                spares.values(3),
                vec![Value::Empty; 3],
                "new when none is left"
            );
            recycle([vec![Value::Int(1)], vec![Value::Int(2)]]);
            drop(spares);
            assert_eq!(pooled(), 2, "nothing to give back: the pool as it was");
            let spares = Spares::take();
            recycle((0..KEPT).map(|_| vec![Value::Int(1)]));
            drop(spares);
            assert_eq!(pooled(), KEPT, "given back up to the bound");
            // A chunk that takes every vector gives back the pool's room,
            // for its records to come back to without growing it again.
            let room = SPARE.with(|s| s.borrow().capacity());
            let mut spares = Spares::take();
            for _ in 0..KEPT {
                spares.values(1);
            }
            drop(spares);
            assert_eq!(pooled(), 0);
            assert_eq!(SPARE.with(|s| s.borrow().capacity()), room, "the room kept");
        })
        .join()
        .expect("the thread ends");
    }

    #[test]
    fn a_thread_keeps_at_most_two_chunks_of_vectors() {
        std::thread::spawn(|| {
            recycle((0..KEPT + 10).map(|_| vec![Value::Int(1)]));
            let kept = SPARE.with(|s| s.borrow().len());
            assert_eq!(kept, KEPT);
        })
        .join()
        .expect("the thread ends");
    }
}
