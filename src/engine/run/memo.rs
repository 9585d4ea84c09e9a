//! Outcomes of a rule remembered by the values it reads.
//!
//! Many rules over the case log read only columns with few distinct values
//! (`case.item_code`, `case.dept`, `case.channel`): `H006` asks whether the
//! item code is in the catalogue, `M07` whether the case of an item in the
//! centre was taken at 原单位, `H002` which group a case joins and what it
//! adds to it. Two records with the same values of the fields a rule reads
//! get the same outcome: the later one replays the earlier one's instead of
//! evaluating the rule again. A memo outlives its chunk (a worker takes one
//! from the run's [`MemoPool`] for each chunk and gives it back), so a value
//! seen once in the file is evaluated once per worker, not once per chunk.
//!
//! Invariant: a replayed outcome is the one the fast evaluator computes for
//! the record. The key holds the content of every record field the
//! per-record part of the rule reads (its filters, `let`s, `require`, `per`,
//! `ratio`, group keys and aggregate arguments) and whether the rule applies
//! to the record (by its in-force date); a rule that reads the record any
//! other way (`fires`, the record itself), reads a date and time (too many
//! values to pay), or has a `per` or a group key that is not a field of the
//! record has no memo. An outcome holds nothing of the record it came from:
//! `per` and group keys are read from the replaying record. Everything else
//! the fast evaluator reads (the lookup datasets, parameters, the audit
//! date, the calendar) is the same for the whole run. Only clean outcomes
//! are kept (a pass, a count, a membership); anything else is evaluated
//! afresh. Debug builds check every replayed outcome against the reference
//! evaluator, as on the fresh path: a pass, a count, an exclusion, and a
//! group member's key and aggregate inputs. Which memo a chunk gets never
//! changes an outcome, so output stays the same at any thread count.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap as HashMap, FxHasher};

use super::kept_groups::KeptGroups;
use super::AggPlan;
use crate::engine::eval::AggInput;
use crate::engine::fast::text_address;
use crate::ir::{IrExpr, Program, RuleDef};
use crate::per_thread::PerThread;
use crate::schema::{FieldType, Schema};
use crate::text::Text;
use crate::value::{same_text, Value};

/// The most fields a memo key holds; a rule reading more has no memo.
const MAX_FIELDS: usize = 4;

/// Outcomes a memo keeps; past this, it replays what it has and keeps no
/// more. (A real catalogue's 1,135 items give H002 about 4,500 keys of
/// department, item code and channel: 4,096 left some evaluated afresh for
/// every record.)
const MAX_ENTRIES: usize = 16384;

/// Lookups after which, and after every as many more, a memo that has
/// replayed fewer than half of its lookups stops (the rule's values are too
/// varied for replays to pay). A power of two: the count is tested by its
/// low bits.
const TRIAL: u64 = 8192;

const _: () = assert!(TRIAL.is_power_of_two());

/// How a rule's memo is keyed and its outcomes replayed.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct MemoPlan {
    /// The record fields the rule's per-record part reads, in field order.
    pub fields: Vec<usize>,
    /// A metric's `per` field (`None`: no `per`).
    pub per: Option<usize>,
    /// A group rule's key fields, in `group by` order.
    pub group: Vec<usize>,
}

/// The memo plan of every rule of `program` (by rule index).
pub(super) fn plans(
    program: &Program,
    schema: &Schema,
    agg_plans: &HashMap<usize, AggPlan<'_>>,
) -> Vec<Option<MemoPlan>> {
    program
        .rules
        .iter()
        .enumerate()
        .map(|(ri, rule)| {
            let agg_args: Vec<&IrExpr> = match agg_plans.get(&ri) {
                Some(p) => p.nodes.iter().filter_map(|(_, a)| *a).collect(),
                // (A group rule without its aggregates: no key can hold
                // what they read.)
                None if rule.is_group() => return None,
                None => Vec::new(),
            };
            plan(rule, schema, &agg_args)
        })
        .collect()
}

/// A record field, when `e` is one.
fn record_field(e: &IrExpr) -> Option<usize> {
    match e {
        IrExpr::Field { base, field, .. } if matches!(**base, IrExpr::Var) => Some(*field),
        _ => None,
    }
}

/// The memo plan of a rule, or `None` when it can have no memo.
fn plan(rule: &RuleDef, schema: &Schema, agg_args: &[&IrExpr]) -> Option<MemoPlan> {
    // Every `let`, group-level ones too: the checker keeps those from
    // reading the record, but an aggregate's argument may name one, and a
    // key holding more fields than needed is still right.
    let mut exprs: Vec<&IrExpr> = rule.lets.iter().map(|l| &l.expr).collect();
    exprs.extend(&rule.filters);
    exprs.extend(&rule.group_by);
    if rule.is_group() {
        // What is judged per group (`require`, the `when`s after `group
        // by`) reads the record only through its aggregates' arguments.
        exprs.extend(agg_args);
    } else {
        exprs.extend(&rule.require);
        exprs.extend(&rule.per);
        exprs.extend(&rule.ratio);
    }
    let mut fields = Vec::new();
    while let Some(e) = exprs.pop() {
        if let Some(field) = record_field(e) {
            if !fields.contains(&field) {
                fields.push(field);
            }
            continue;
        }
        if matches!(e, IrExpr::Var | IrExpr::Fires(_)) {
            return None;
        }
        exprs.extend(e.children());
    }
    fields.sort_unstable();
    let types = &schema.datasets.get(rule.dataset)?.fields;
    let date_time = |f: &usize| types.get(*f).is_none_or(|t| t.ty == FieldType::DateTime);
    if fields.len() > MAX_FIELDS || fields.iter().any(date_time) {
        return None;
    }
    let per = match &rule.per {
        Some(e) => Some(record_field(e)?),
        None => None,
    };
    let group = rule
        .group_by
        .iter()
        .map(record_field)
        .collect::<Option<Vec<usize>>>()?;
    // (A replay joins the group its entry's first record joined, without
    // making the key again: the key must hold the group's fields. It does,
    // as `group_by` is read above; a plan that did not would have no memo.)
    if !group.iter().all(|f| fields.contains(f)) {
        return None;
    }
    Some(MemoPlan { fields, per, group })
}

/// What the fast evaluator found for a record, to replay. Nothing in it is
/// of the record it came from.
// (A tag byte of its own, as `IrExpr`: matched on every replay.)
#[repr(u8)]
pub(super) enum Outcome {
    /// A per-record rule passes.
    Passed,
    /// A metric does not count the record.
    NotCounted,
    /// A metric counts the record, with this verdict (`None`: undetermined).
    Counted(Option<bool>),
    /// A group rule: not a member (`None`), or the inputs of its aggregates.
    Member(Option<Box<[AggInput]>>),
}

/// A kept outcome and the identity of the values it was found for (the
/// strings' addresses are the kept strings', which [`Memo`]'s `values`
/// keeps taken). One cache line: a replay reads nothing else of it (the
/// values, read only when the identity differs, are kept apart).
#[repr(C, align(64))]
struct Entry {
    identity: Identity,
    outcome: Outcome,
}

// (Its identity and outcome fill the line exactly on 64-bit targets.)
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Entry>() == 64);

/// Slots of a memo's table of recent keys (a power of two). Keys share a
/// slot less the more slots there are: 1,024 slots for the 528 keys of
/// `H002` on a generated export sent one lookup in seven to the content
/// hash, 4,096 one in thirty (-0.8% instructions on the audit); for the
/// 4,500 keys of a real catalogue 8,192 slots take 0.8% fewer
/// instructions than 4,096. A slot is 16 bits (an entry's place plus one:
/// [`MAX_ENTRIES`] fits), so a table is 16 KiB: the memos of the case
/// rules compete for the level-1 cache (twelve paired runs at 10M cases,
/// 16 against 32 bits: eight faster, about 1% less wall time).
const SLOTS: usize = 8192;

// (A slot holds a place in `kept` plus one.)
const _: () = assert!(MAX_ENTRIES < u16::MAX as usize);

/// The memo of one rule, keyed by the content of the values it reads.
///
/// A record's values are looked for first by their identity (a text by the
/// address of its string, the reader sharing one string per distinct text
/// of a column) in a table of slots, each naming a kept entry: no hashing
/// of the texts and one entry read. A record whose identity the table does
/// not name is looked for by the content of its values.
#[derive(Default)]
pub(super) struct Memo {
    /// The hash of the values' content → the entry's place in `kept`.
    entries: HashMap<u64, u32>,
    kept: Vec<Entry>,
    /// By entry: the values its outcome was found for.
    values: Vec<Box<[Value]>>,
    /// By the identity's slot: the place of an entry in `kept`, plus one
    /// (0: none). Empty until the first entry is kept.
    slots: Vec<u16>,
    lookups: u64,
    hits: u64,
    off: bool,
}

/// Each value of a key as one word and its kind (a text: the address of
/// its string). Equal identities mean equal content, as long as the
/// strings of one of them are alive; equal content may still have another
/// identity (the same text in another string).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Identity {
    kinds: [u8; MAX_FIELDS],
    /// Whether the rule applies to the record (by its in-force date).
    applies: bool,
    words: [u64; MAX_FIELDS],
}

impl Identity {
    /// The identity of a record's values of `fields` and its slot in a
    /// memo's table (a hash of the fields' kinds and words, one round a
    /// field). `None` when a value has no key (a date and time, or no such
    /// field) or there are more than [`MAX_FIELDS`] fields.
    #[allow(
        clippy::inline_always,
        reason = "measured: called out of line, its 40-byte answer went through memory (-0.9% instructions on the audit inlined)"
    )]
    #[inline(always)]
    fn of(applies: bool, fields: &[usize], values: &[Value]) -> Option<(Identity, usize)> {
        if fields.len() > MAX_FIELDS {
            return None;
        }
        let mut id = Identity {
            kinds: [0; MAX_FIELDS],
            applies,
            words: [0; MAX_FIELDS],
        };
        let mut h = u64::from(applies);
        for (i, &f) in fields.iter().enumerate() {
            let (k, w) = match values.get(f)? {
                Value::Empty => (1, 0),
                Value::Invalid => (2, 0),
                Value::Str(s) => (3, text_address(s) as u64),
                Value::Int(n) => (4, *n as u64),
                Value::Decimal(x) => (5, x.to_bits()),
                Value::Bool(b) => (6, u64::from(*b)),
                Value::Date(d) => (7, i64::from(chrono::Datelike::num_days_from_ce(d)) as u64),
                Value::DateTime(_) => return None,
            };
            (id.kinds[i], id.words[i]) = (k, w);
            h = (h.rotate_left(5) ^ w ^ u64::from(k)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        Some((id, (h >> (64 - SLOTS.trailing_zeros())) as usize))
    }
}

/// Do two values of a key hold the same content?
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Text::ptr_eq(x, y) || same_text(x, y),
        (Value::Decimal(x), Value::Decimal(y)) => x.to_bits() == y.to_bits(),
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Date(x), Value::Date(y)) => x == y,
        (Value::Empty, Value::Empty) | (Value::Invalid, Value::Invalid) => true,
        _ => false,
    }
}

impl Memo {
    /// The hash of a record's values of `fields`; `None` when one has no
    /// key (a date and time, which the plan excludes; or no such field).
    pub(super) fn hash(applies: bool, fields: &[usize], values: &[Value]) -> Option<u64> {
        let mut h = FxHasher::default();
        applies.hash(&mut h);
        for &f in fields {
            match values.get(f)? {
                Value::Empty => h.write_u8(1),
                Value::Invalid => h.write_u8(2),
                Value::Str(s) => {
                    h.write_u8(3);
                    s.hash(&mut h);
                }
                Value::Int(n) => {
                    h.write_u8(4);
                    h.write_i64(*n);
                }
                Value::Decimal(x) => {
                    h.write_u8(5);
                    h.write_u64(x.to_bits());
                }
                Value::Bool(b) => {
                    h.write_u8(6);
                    h.write_u8(u8::from(*b));
                }
                Value::Date(d) => {
                    h.write_u8(7);
                    d.hash(&mut h);
                }
                Value::DateTime(_) => return None,
            }
        }
        Some(h.finish())
    }

    /// The outcome kept for these values, if any, with the entry's place
    /// (the same for the same values as long as the memo is on: entries are
    /// only ever added).
    pub(super) fn get(
        &mut self,
        applies: bool,
        fields: &[usize],
        values: &[Value],
    ) -> Option<(usize, &Outcome)> {
        self.lookups += 1;
        let (identity, slot) = Identity::of(applies, fields, values)?;
        let named = self.slots.get(slot).and_then(|&p| p.checked_sub(1));
        if let Some(i) = named {
            let e = &self.kept[i as usize];
            if e.identity == identity {
                self.hits += 1;
                return Some((i as usize, &self.kept[i as usize].outcome));
            }
        }
        let i = *self.entries.get(&Self::hash(applies, fields, values)?)?;
        let e = &self.kept[i as usize];
        let hit = e.identity.applies == applies
            && fields
                .iter()
                .zip(self.values[i as usize].iter())
                .all(|(&f, kept)| same(&values[f], kept));
        if !hit {
            return None;
        }
        self.hits += 1;
        // (Only the entry's own strings may name it: another string of the
        // same text may be gone, its address another text's, by the time
        // a record brings that address again.)
        if e.identity == identity {
            self.slots[slot] = (i + 1) as u16;
        }
        Some((i as usize, &self.kept[i as usize].outcome))
    }

    /// Read the memo's tables once, in address order, before a rule pass
    /// looks its records up in them at random: a line of each (the slots,
    /// 32 to a line; each entry, a line of its own), so that the pass finds
    /// them in the cache, where the chunk's parsing and the rule passes
    /// before had pushed them out and each first lookup of a line waited
    /// for memory (perf: the slot's and the entry's loads, a sixth of the
    /// rule passes' samples). Reading in order lets the hardware fetch
    /// ahead; nothing is kept or changed.
    pub(super) fn warm(&self) {
        let slots = self
            .slots
            .iter()
            .step_by(32)
            .fold(0u64, |x, &s| x ^ u64::from(s));
        let kept = self.kept.iter().fold(0u64, |x, e| x ^ e.identity.words[0]);
        std::hint::black_box(slots ^ kept);
    }

    /// Whether the memo is still used.
    pub(super) fn is_on(&mut self) -> bool {
        // (Judged every `TRIAL` lookups: between, a test of the count's low
        // bits.)
        if self.lookups % TRIAL == 0
            && self.lookups > 0
            && !self.off
            && self.hits * 2 < self.lookups
        {
            self.off = true;
            self.entries = HashMap::default();
            self.kept = Vec::new();
            self.values = Vec::new();
            self.slots = Vec::new();
        }
        !self.off
    }

    /// Keep the outcome found for these values (unless another set of
    /// values has the same hash, or the memo is full).
    pub(super) fn keep(
        &mut self,
        applies: bool,
        fields: &[usize],
        values: &[Value],
        outcome: Outcome,
    ) {
        if self.kept.len() >= MAX_ENTRIES {
            return;
        }
        let (Some(hash), Some((identity, slot))) = (
            Self::hash(applies, fields, values),
            Identity::of(applies, fields, values),
        ) else {
            return;
        };
        let place = self.kept.len() as u32;
        if *self.entries.entry(hash).or_insert(place) != place {
            return;
        }
        self.kept.push(Entry { identity, outcome });
        // (The kept values are the record's strings: its identity.)
        self.values
            .push(fields.iter().map(|&f| values[f].clone()).collect());
        if self.slots.is_empty() {
            self.slots = vec![0; SLOTS];
        }
        self.slots[slot] = (place + 1) as u16;
    }
}

/// The memos of a run, kept between chunks: a worker takes a set for a
/// chunk's rules and gives it back when done. A worker gets back its own
/// set: the strings it kept are the ones its reader shares (see
/// [`PerThread`]), so its replays compare them by address. With the set go
/// the worker's groups ([`KeptGroups`]), whose places its memo entries name.
pub(super) struct MemoPool {
    /// By dataset.
    sets: Vec<PerThread<(Vec<Memo>, KeptGroups)>>,
}

impl MemoPool {
    /// A pool for a schema of `datasets` datasets.
    pub(super) fn new(datasets: usize) -> Self {
        MemoPool {
            sets: std::iter::repeat_with(PerThread::default)
                .take(datasets)
                .collect(),
        }
    }

    /// A set of memos for the `rules` rules of dataset `ds`, with the
    /// worker's groups.
    pub(super) fn take(&self, ds: usize, rules: usize) -> (Vec<Memo>, KeptGroups) {
        self.sets[ds].take().unwrap_or_else(|| {
            (
                std::iter::repeat_with(Memo::default).take(rules).collect(),
                KeptGroups::new(rules),
            )
        })
    }

    /// Give a set back.
    pub(super) fn put(&self, ds: usize, memos: Vec<Memo>, groups: KeptGroups) {
        self.sets[ds].put((memos, groups));
    }

    /// Every worker's groups of dataset `ds`, for the dataset's end (their
    /// memos go with them: a later chunk of the dataset starts afresh).
    pub(super) fn drain_groups(&self, ds: usize) -> Vec<KeptGroups> {
        self.sets[ds].drain().into_iter().map(|(_, g)| g).collect()
    }
}

#[cfg(test)]
#[path = "memo_tests.rs"]
mod tests;
