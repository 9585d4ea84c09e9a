//! Guards: a rule's first condition, when it is a simple test of one field
//! of the record, checked on the raw value before the rule is evaluated.
//!
//! Most records fail most rules' first `when` (`case.channel == "原单位"`,
//! `case.joint`, `case.project_kind is not empty`), and such a record passes
//! the rule (or is not counted by the metric, or is no member of a group)
//! whatever else the rule says. A guard decides that in a few instructions,
//! where the evaluator would begin the rule, dispatch on the tree and
//! convert the value.
//!
//! The guards of a chunk's rules that have no kernel are checked together
//! before the rule passes ([`Exclusions`]: guard by guard over the records,
//! each loop testing one field one way, a bit a guard), so that a rule
//! whose guard excludes every record of the chunk has no pass to make.
//!
//! Invariant: [`Guard::excludes`] is `true` only when the fast evaluator
//! would find the condition `false` (known, not missing): for anything else
//! (a missing or unparsable value, another type) it is `false` and the rule
//! is evaluated as before. Debug builds check every exclusion against the
//! reference evaluator.

use crate::ast::{CmpOp, IsTest};
use crate::engine::address_slots::TextsMet;
use crate::engine::data::Row;
use crate::ir::{Const, IrExpr, RuleDef};
use crate::text::Text;
use crate::value::Value;

/// A rule's first condition, when it is one of these shapes.
#[derive(Clone, Debug)]
pub(super) enum Guard {
    /// `field == "text"` (`eq`) or `field != "text"`.
    Text { field: usize, text: Text, eq: bool },
    /// `field is [not] none|empty`.
    Is {
        field: usize,
        negated: bool,
        test: IsTest,
    },
    /// A yes/no field on its own.
    Flag { field: usize },
}

impl Guard {
    /// The guard of `rule`: its first `when`, or the left side of it while
    /// that is an `and` (a false left side makes the whole false).
    pub(super) fn of(rule: &RuleDef) -> Option<Guard> {
        let mut e = rule.filters.first()?;
        while let IrExpr::And(left, _) = e {
            e = left;
        }
        match e {
            IrExpr::Cmp(op @ (CmpOp::Eq | CmpOp::Ne), a, b) => {
                let (field, text) = match (record_field(a), text_const(b)) {
                    (Some(f), Some(t)) => (f, t),
                    _ => (record_field(b)?, text_const(a)?),
                };
                Some(Guard::Text {
                    field,
                    text,
                    eq: *op == CmpOp::Eq,
                })
            }
            IrExpr::Is {
                negated,
                test,
                expr,
            } => Some(Guard::Is {
                field: record_field(expr)?,
                negated: *negated,
                test: *test,
            }),
            IrExpr::Field { .. } => Some(Guard::Flag {
                field: record_field(e)?,
            }),
            _ => None,
        }
    }

    /// Whether the condition is certainly false on a record with `values`
    /// (`met`: the texts this rule pass compared, see [`TextsMet`]).
    pub(super) fn excludes(&self, values: &[Value], met: &mut TextsMet) -> bool {
        match self {
            Guard::Text { field, text, eq } => match values.get(*field) {
                Some(Value::Str(s)) => met.equal(s, text) != *eq,
                _ => false,
            },
            Guard::Is {
                field,
                negated,
                test,
            } => {
                // As the evaluator: an empty cell is none and empty; text is
                // empty when blank; an unparsable cell is unknown.
                let is = match values.get(*field) {
                    None | Some(Value::Empty) => true,
                    Some(Value::Str(s)) => s.trim().is_empty() && *test == IsTest::Empty,
                    Some(Value::Invalid) => return false,
                    Some(_) => false,
                };
                is == *negated
            }
            Guard::Flag { field } => matches!(values.get(*field), Some(Value::Bool(false))),
        }
    }
}

/// The records of a chunk that the guards of its rules exclude, checked for
/// up to 64 rules at once, record by record.
pub(super) struct Exclusions {
    /// By record: bit `k` set when the guard of the `k`th rule checked here
    /// excludes it.
    masks: Vec<u64>,
    /// By slot (the dataset's rules in order): the rule's bit, 0 when its
    /// guard is not checked here.
    bits: Vec<u64>,
    /// The bits of the rules whose guards exclude every record.
    every: u64,
}

impl Exclusions {
    /// Check the guards given by slot (`None`: none to check) on every
    /// record of `rows`; past the 64th, guards are left unchecked.
    pub(super) fn of(guards: &[Option<&Guard>], rows: &[Row]) -> Exclusions {
        let mut bits = vec![0u64; guards.len()];
        // (The `k`th guard checked here has bit `1 << k`.)
        let mut checked: Vec<(&Guard, TextsMet)> = Vec::new();
        for (slot, g) in guards.iter().enumerate() {
            if let Some(g) = g {
                if checked.len() < 64 {
                    bits[slot] = 1 << checked.len();
                    checked.push((g, TextsMet::default()));
                }
            }
        }
        if checked.is_empty() {
            return Exclusions {
                masks: Vec::new(),
                bits,
                every: !0,
            };
        }
        // Guard by guard over the records: each loop tests one field one
        // way, where a record's loop over the guards dispatched on each.
        let mut masks = vec![0u64; rows.len()];
        for (k, (g, met)) in checked.iter_mut().enumerate() {
            let bit = 1u64 << k;
            for (m, row) in masks.iter_mut().zip(rows) {
                if g.excludes(&row.values, met) {
                    *m |= bit;
                }
            }
        }
        let every = masks.iter().fold(!0u64, |every, &m| every & m);
        Exclusions { masks, bits, every }
    }

    /// Whether the guard of the rule at `slot` was checked here.
    #[inline]
    pub(super) fn checked(&self, slot: usize) -> bool {
        self.bits.get(slot).is_some_and(|&b| b != 0)
    }

    /// Whether the guard of the rule at `slot` (checked here) excludes
    /// record `i`.
    #[inline]
    pub(super) fn excludes(&self, slot: usize, i: usize) -> bool {
        self.masks[i] & self.bits[slot] != 0
    }

    /// Whether the guard of the rule at `slot` (checked here) excludes every
    /// record.
    pub(super) fn every(&self, slot: usize) -> bool {
        self.checked(slot) && self.every & self.bits[slot] != 0
    }
}

/// `case.field`: the index of a field of the record ranged over.
fn record_field(e: &IrExpr) -> Option<usize> {
    match e {
        IrExpr::Field { base, field, .. } if matches!(**base, IrExpr::Var) => Some(*field),
        _ => None,
    }
}

fn text_const(e: &IrExpr) -> Option<Text> {
    match e {
        IrExpr::Const(Const::Value(Value::Str(s))) => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
