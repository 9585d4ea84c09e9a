//! Group members replayed from a memo entry, added to their group once per
//! entry and worker rather than once per record.
//!
//! A memo entry's members all join the same group with the same aggregate
//! inputs. When every input is a known condition (`any(c)`, `count(c)`:
//! what `AggAcc::add_known` takes), a member adds one to a few counters and
//! keeps its place among the first ones: a worker counts each entry's
//! members over its chunks and keeps their first places ([`KEPT`], as many
//! as any list of evidence keeps), and adds them to the group when its
//! groups are folded ([`Pending::flush`]: at the dataset's end, or when a
//! rule keeps too many groups, `KeptGroups::bound`). Flushed at the end of
//! each rule pass over a chunk, the entries' groups (their accumulators,
//! read from memory a chunk's reading and rules had pushed them out of)
//! were 2.2% of the 10M audit's samples, and an entry's first member in
//! each pass took [`Pending::start`]'s path.
//!
//! Invariant: a group after a flush is the group the members' own adds
//! would have made. Its counters are sums, and its lists of evidence keep
//! the first places of a set whatever order they come in
//! (`group_acc::keep_first`); an entry's counted members keep their first
//! [`KEPT`] places, and a member is counted without its place only when
//! [`KEPT`] of them come before it (a worker's records come in order; one
//! that comes before those is added to its group alone, `Pending::add`),
//! so they hold every place of it that any list can keep.

use super::kept_groups::KeptGroups;
use super::{AggInput, AggPlan};
use crate::ir::AggFunc;

/// The most places a list of a group's evidence keeps
/// (`group_acc::COUNTED_ROWS`; the others keep fewer).
pub(super) const KEPT: usize = 20;

/// The members of one memo entry in the current pass.
struct Members {
    entry: u32,
    /// The group's place in the worker's groups of the rule.
    group: u32,
    /// The entry's inputs: bit `i` is aggregate `i`'s condition.
    conds: u64,
    n: u64,
    firsts: [(u32, u32); KEPT],
    kept: u8,
    /// The latest of `firsts`.
    latest: (u32, u32),
}

/// A rule's members by memo entry (in one worker's chunks), waiting to be
/// added to their groups.
#[derive(Default)]
pub(super) struct Pending {
    /// By memo entry: its place in `list`, plus one (0: none yet;
    /// [`ONE_BY_ONE`]: its members are added one by one).
    of_entry: Vec<u32>,
    list: Vec<Members>,
    /// The entries marked [`ONE_BY_ONE`].
    one_by_one: Vec<u32>,
    /// By memo entry: the entry's inputs as condition bits ([`CONDS`] and
    /// bit `i` aggregate `i`'s condition), [`MIXED`] when they are not all
    /// known conditions, 0 when not read yet. An entry's inputs never
    /// change while the worker keeps its memos (and these groups with
    /// them), so they are read at its first member only: read at each
    /// count's first member, the entry's inputs (an allocation of their
    /// own, long out of the cache) were a miss each time.
    conds: Vec<u64>,
}

/// An entry whose inputs are not all known conditions.
const ONE_BY_ONE: u32 = u32::MAX;

/// The mark of an entry's condition bits in [`Pending`]'s `conds` (at most
/// [`MAX_CONDS`] of them, below it).
const CONDS: u64 = 1 << 63;

/// The most inputs an entry's members may have to be counted by entry.
const MAX_CONDS: usize = 62;

/// An entry whose inputs are not all known conditions, in `conds`.
const MIXED: u64 = u64::MAX;

/// An entry's inputs as condition bits (bit `i` aggregate `i`'s), when
/// each is a known condition and no aggregate keeps its first value.
fn conds_of(inputs: &[AggInput], plan: &AggPlan<'_>) -> Option<u64> {
    if inputs.len() > MAX_CONDS || plan.nodes.iter().any(|(f, _)| *f == AggFunc::First) {
        return None;
    }
    inputs
        .iter()
        .enumerate()
        .try_fold(0u64, |bits, (i, input)| match input {
            AggInput::Cond(Some(c)) => Some(bits | u64::from(*c) << i),
            _ => None,
        })
}

impl Pending {
    /// Count a member at `at` of memo entry `entry` when the entry is
    /// pending; `false` when it is not yet, or its members are added one by
    /// one ([`Pending::start`] says which), or when the entry's first
    /// places are full and `at` comes before the latest of them (the
    /// member may be among the first: [`Pending::start`] refuses it too,
    /// and it is added to its group alone).
    #[inline]
    pub(super) fn add(&mut self, entry: usize, at: (u32, u32)) -> bool {
        let Some(&k) = self.of_entry.get(entry) else {
            return false;
        };
        let Some(m) = k.checked_sub(1).and_then(|k| self.list.get_mut(k as usize)) else {
            return false;
        };
        if usize::from(m.kept) < KEPT {
            m.firsts[usize::from(m.kept)] = at;
            m.kept += 1;
            m.latest = m.latest.max(at);
        } else if at < m.latest {
            return false;
        }
        m.n += 1;
        true
    }

    /// The first member at `at` of memo entry `entry`, which joins group
    /// `group` with `inputs`: pending, and `true`, when every input is a
    /// known condition (`any(c)`, `count(c)`; at most [`MAX_CONDS`] of
    /// them); else `false`, and the entry's members are added one by one
    /// from now on. `false` too for a member of an entry already counted
    /// (one [`Pending::add`] refused), added alone.
    #[cold]
    #[inline(never)]
    pub(super) fn start(
        &mut self,
        entry: usize,
        group: usize,
        inputs: &[AggInput],
        plan: &AggPlan<'_>,
        at: (u32, u32),
    ) -> bool {
        if self.of_entry.len() <= entry {
            self.of_entry.resize(entry + 1, 0);
        }
        if self.of_entry[entry] != 0 {
            return false;
        }
        let Some(conds) = self.conds_of_entry(entry, inputs, plan) else {
            self.of_entry[entry] = ONE_BY_ONE;
            self.one_by_one.push(entry as u32);
            return false;
        };
        let mut firsts = [(0, 0); KEPT];
        firsts[0] = at;
        self.list.push(Members {
            entry: entry as u32,
            group: group as u32,
            conds,
            n: 1,
            firsts,
            kept: 1,
            latest: at,
        });
        self.of_entry[entry] = self.list.len() as u32;
        true
    }

    /// Memo entry `entry`'s inputs as condition bits ([`conds_of`]), read
    /// from `inputs` the first time only.
    fn conds_of_entry(
        &mut self,
        entry: usize,
        inputs: &[AggInput],
        plan: &AggPlan<'_>,
    ) -> Option<u64> {
        if self.conds.len() <= entry {
            self.conds.resize(entry + 1, 0);
        }
        if self.conds[entry] == 0 {
            self.conds[entry] = conds_of(inputs, plan).map_or(MIXED, |bits| CONDS | bits);
        }
        (self.conds[entry] != MIXED).then_some(self.conds[entry] & !CONDS)
    }

    /// Add the counted members of rule slot `slot` (whose pending these
    /// are) to their groups, and count afresh.
    pub(super) fn flush(&mut self, kept: &mut KeptGroups, slot: usize) {
        for e in self.one_by_one.drain(..) {
            self.of_entry[e as usize] = 0;
        }
        for m in self.list.drain(..) {
            self.of_entry[m.entry as usize] = 0;
            let group = kept.at(slot, m.group as usize);
            let firsts = &m.firsts[..usize::from(m.kept)];
            group.add_records(m.n, firsts);
            for (i, agg) in group.aggs.iter_mut().enumerate() {
                agg.add_known_n(m.conds >> i & 1 == 1, m.n, firsts);
            }
        }
    }
}

#[cfg(test)]
#[path = "pending_tests.rs"]
mod tests;
