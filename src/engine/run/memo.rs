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
use std::sync::Arc;

use rustc_hash::{FxHashMap as HashMap, FxHasher};

use super::AggPlan;
use crate::engine::eval::AggInput;
use crate::ir::{IrExpr, Program, RuleDef};
use crate::per_thread::PerThread;
use crate::schema::{FieldType, Schema};
use crate::value::{same_text, Value};

/// The most fields a memo key holds; a rule reading more has no memo.
const MAX_FIELDS: usize = 4;

/// Outcomes a memo keeps; past this, it replays what it has and keeps no
/// more.
const MAX_ENTRIES: usize = 4096;

/// Lookups after which a memo that replays fewer than half of them stops
/// (the rule's values are too varied for replays to pay).
const TRIAL: u64 = 8192;

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
    Some(MemoPlan { fields, per, group })
}

/// What the fast evaluator found for a record, to replay. Nothing in it is
/// of the record it came from.
// (A tag byte of its own, as `IrExpr`: matched on every replay.)
#[repr(u8)]
pub(super) enum Outcome {
    /// A per-record rule passes; whether the reference would have noted a
    /// missing value (for `fires` of other rules).
    Passed { missing: bool },
    /// A metric does not count the record.
    NotCounted,
    /// A metric counts the record, with this verdict (`None`: undetermined).
    Counted(Option<bool>),
    /// A group rule: not a member (`None`), or the inputs of its aggregates.
    Member(Option<Box<[AggInput]>>),
}

struct Entry {
    applies: bool,
    values: Box<[Value]>,
    outcome: Outcome,
}

/// The memo of one rule, keyed by the content of the values it reads.
#[derive(Default)]
pub(super) struct Memo {
    entries: HashMap<u64, Entry>,
    lookups: u64,
    hits: u64,
    off: bool,
}

/// Do two values of a key hold the same content?
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Arc::ptr_eq(x, y) || same_text(x, y),
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

    /// The outcome kept for these values, if any.
    pub(super) fn get(
        &mut self,
        hash: u64,
        applies: bool,
        fields: &[usize],
        values: &[Value],
    ) -> Option<&Outcome> {
        self.lookups += 1;
        let e = self.entries.get(&hash)?;
        let hit = e.applies == applies
            && fields
                .iter()
                .zip(e.values.iter())
                .all(|(&f, kept)| same(&values[f], kept));
        if !hit {
            return None;
        }
        self.hits += 1;
        Some(&e.outcome)
    }

    /// Whether the memo is still used.
    pub(super) fn is_on(&mut self) -> bool {
        if !self.off && self.lookups >= TRIAL && self.hits * 2 < self.lookups {
            self.off = true;
            self.entries = HashMap::default();
        }
        !self.off
    }

    /// Keep the outcome found for these values (unless another set of
    /// values has the same hash, or the memo is full).
    pub(super) fn keep(
        &mut self,
        hash: u64,
        applies: bool,
        fields: &[usize],
        values: &[Value],
        outcome: Outcome,
    ) {
        if self.entries.len() >= MAX_ENTRIES {
            return;
        }
        self.entries.entry(hash).or_insert_with(|| Entry {
            applies,
            values: fields.iter().map(|&f| values[f].clone()).collect(),
            outcome,
        });
    }
}

/// The memos of a run, kept between chunks: a worker takes a set for a
/// chunk's rules and gives it back when done. A worker gets back its own
/// set: the strings it kept are the ones its reader shares (see
/// [`PerThread`]), so its replays compare them by address.
pub(super) struct MemoPool {
    /// By dataset.
    sets: Vec<PerThread<Vec<Memo>>>,
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

    /// A set of memos for the `rules` rules of dataset `ds`.
    pub(super) fn take(&self, ds: usize, rules: usize) -> Vec<Memo> {
        self.sets[ds]
            .take()
            .unwrap_or_else(|| std::iter::repeat_with(Memo::default).take(rules).collect())
    }

    /// Give a set back.
    pub(super) fn put(&self, ds: usize, memos: Vec<Memo>) {
        self.sets[ds].put(memos);
    }
}

#[cfg(test)]
#[path = "memo_tests.rs"]
mod tests;
