//! What a worker keeps from one unit of work to the next, by thread.

use std::sync::{Mutex, PoisonError};

/// What a worker keeps between the chunks of a file (its string caches,
/// its buffers, its memos), by thread. A thread gets back only what it gave: two cores
/// counting references to the same strings pass their cache lines back and
/// forth (about 10% slower on two cores), and a buffer freed and allocated
/// anew for every chunk costs a page fault, and the zeroing of a fresh
/// (huge) page, each time. What a thread keeps changes no value. Threads
/// outside the rayon pool share one slot.
#[derive(Debug)]
pub struct PerThread<T>(Mutex<Vec<(Option<usize>, T)>>);

impl<T> Default for PerThread<T> {
    fn default() -> Self {
        PerThread(Mutex::new(Vec::new()))
    }
}

impl<T> PerThread<T> {
    /// What this thread gave back last, if anything.
    pub fn take(&self) -> Option<T> {
        let me = rayon::current_thread_index();
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let i = kept.iter().position(|(t, _)| *t == me)?;
        Some(kept.swap_remove(i).1)
    }

    /// Everything every thread gave back (and keeps no more).
    pub fn drain(&self) -> Vec<T> {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.drain(..).map(|(_, v)| v).collect()
    }

    /// Keep `v` for this thread's next [`PerThread::take`].
    pub fn put(&self, v: T) {
        let me = rayon::current_thread_index();
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((me, v));
    }
}
