//! Outcomes of a rule remembered by the identity of the values it reads.
//!
//! Many rules over the case log read only columns with few distinct values
//! (`case.item_code`, `case.dept`, `case.channel`): `H006` asks whether the
//! item code is in the catalogue, `M07` whether the case of an item in the
//! centre was taken at 原单位, `H002` which group a case joins. The reader
//! gives equal texts of such a column one shared string per chunk, so two
//! records whose read fields hold the same strings (by address), the same
//! numbers, flags or dates, get the same outcome: the second one replays the
//! first one's instead of evaluating the rule again.
//!
//! Invariant: a replayed outcome is the one the fast evaluator computes for
//! the record. The key holds every record field the per-record part of the
//! rule reads (its filters, `let`s, `require`, `per`, `ratio`, group keys and
//! aggregate arguments, and the event date when the rule has an in-force
//! date); a rule that reads the record any other way (`fires`, the record
//! itself) has no memo. Everything else the fast evaluator reads (the lookup
//! datasets, parameters, the audit date, the calendar) is the same for the
//! whole run. Only clean outcomes are kept (a pass, a count, a membership);
//! anything else is evaluated afresh, and debug builds check every replay
//! against the reference evaluator.

use rustc_hash::FxHashMap as HashMap;

use super::AggPlan;
use crate::engine::eval::AggInput;
use crate::engine::fast::BKey;
use crate::ir::{IrExpr, Program, RuleDef};
use crate::value::Value;

/// The most fields a memo key holds; a rule reading more has no memo.
const MAX_FIELDS: usize = 4;

/// Entries a memo keeps per chunk (of 2,048 records, see
/// `read::DEFAULT_CHUNK_ROWS`): past this, fewer than half the records
/// could replay an outcome, and the memo stops for the rest of the chunk.
const MAX_ENTRIES: usize = 1024;

/// [`fields_read`] of every rule of `program` (by rule index).
pub(super) fn fields_of_rules(
    program: &Program,
    agg_plans: &HashMap<usize, AggPlan<'_>>,
) -> Vec<Option<Vec<usize>>> {
    program
        .rules
        .iter()
        .enumerate()
        .map(|(ri, rule)| {
            let agg_args: Vec<&IrExpr> = agg_plans
                .get(&ri)
                .map(|p| p.nodes.iter().filter_map(|(_, a)| *a).collect())
                .unwrap_or_default();
            fields_read(rule, &agg_args)
        })
        .collect()
}

/// The record fields a rule's per-record part reads, when it can have a
/// memo: `None` when it reads more than [`MAX_FIELDS`] or reads the record
/// otherwise than by field.
pub(super) fn fields_read(rule: &RuleDef, agg_args: &[&IrExpr]) -> Option<Vec<usize>> {
    let mut exprs: Vec<&IrExpr> = rule
        .lets
        .iter()
        .filter(|l| !l.group_level)
        .map(|l| &l.expr)
        .collect();
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
    let mut stack = exprs;
    while let Some(e) = stack.pop() {
        match e {
            IrExpr::Field { base, field, .. } if matches!(**base, IrExpr::Var) => {
                if !fields.contains(field) {
                    fields.push(*field);
                }
                continue;
            }
            IrExpr::Var | IrExpr::Fires(_) => return None,
            _ => {}
        }
        stack.extend(e.children());
    }
    fields.sort_unstable();
    (fields.len() <= MAX_FIELDS).then_some(fields)
}

/// The identity of a record's values of a rule's fields, and whether the
/// rule applies to the record (its event date is not before the rule's
/// in-force date).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct MemoKey {
    applies: bool,
    tags: [u8; MAX_FIELDS],
    words: [u64; MAX_FIELDS],
}

impl MemoKey {
    /// `None` when a value has no cheap identity (a date and time).
    pub(super) fn of(applies: bool, fields: &[usize], values: &[Value]) -> Option<MemoKey> {
        let mut key = MemoKey {
            applies,
            tags: [0; MAX_FIELDS],
            words: [0; MAX_FIELDS],
        };
        for (i, &f) in fields.iter().enumerate() {
            let (tag, word) = match values.get(f)? {
                Value::Empty => (1, 0),
                Value::Invalid => (2, 0),
                // By address: equal addresses are equal texts.
                Value::Str(s) => (3, std::sync::Arc::as_ptr(s).cast::<u8>() as u64),
                Value::Int(n) => (4, *n as u64),
                Value::Decimal(x) => (5, x.to_bits()),
                Value::Bool(b) => (6, u64::from(*b)),
                Value::Date(d) => (7, i64::from(chrono::Datelike::num_days_from_ce(d)) as u64),
                Value::DateTime(_) => return None,
            };
            key.tags[i] = tag;
            key.words[i] = word;
        }
        Some(key)
    }
}

/// What the fast evaluator found for a record, to replay.
#[derive(Clone)]
pub(super) enum Outcome<'r> {
    /// A per-record rule passes; whether the reference would have noted a
    /// missing value (for `fires` of other rules).
    Passed { missing: bool },
    /// A metric: not counted (`None`), or its `per` key and verdict.
    Counted(Option<(Option<BKey<'r>>, Option<bool>)>),
    /// A group rule: not a member (`None`), or the group and the inputs of
    /// its aggregates.
    Member(Option<(Vec<BKey<'r>>, Vec<AggInput>)>),
}

/// The memo of one rule over one chunk.
#[derive(Default)]
pub(super) struct Memo<'r> {
    outcomes: HashMap<MemoKey, Outcome<'r>>,
    /// Too many distinct values in this chunk: no more memo.
    off: bool,
}

impl<'r> Memo<'r> {
    pub(super) fn get(&self, key: &MemoKey) -> Option<&Outcome<'r>> {
        self.outcomes.get(key)
    }

    pub(super) fn is_off(&self) -> bool {
        self.off
    }

    pub(super) fn keep(&mut self, key: MemoKey, outcome: Outcome<'r>) {
        if self.outcomes.len() >= MAX_ENTRIES {
            self.off = true;
            self.outcomes = HashMap::default();
            return;
        }
        self.outcomes.insert(key, outcome);
    }
}

#[cfg(test)]
#[path = "memo_tests.rs"]
mod tests;
