//! Lookups that a rule and the rules it reads (`fires`) make on the same record.
//!
//! Each rule binds its own `let item = catalogue[case.item_code]`, so a rule
//! that reads another's verdict makes the same lookup twice on one record. A
//! lookup whose keys depend only on the record (no `let`, no group, no other
//! rule's verdict) gives the same answer in every rule: the fast path gives
//! each distinct such lookup an id and computes it once per record (a rule's
//! visit to a record, see `Fast::record`).
//!
//! Invariant: two lookup nodes share an id only when they are structurally
//! equal and read nothing but the record, constants, parameters and the audit
//! date.

use rustc_hash::FxHashMap as HashMap;

use crate::ir::{IrExpr, Program};

/// Lookup node (by address) → its shared id.
#[derive(Debug, Default)]
pub struct SharedLookups {
    ids: HashMap<usize, usize>,
    count: usize,
}

impl SharedLookups {
    pub fn new(program: &Program) -> Self {
        let mut distinct: Vec<&IrExpr> = Vec::new();
        let mut ids = HashMap::default();
        for rule in &program.rules {
            let mut stack: Vec<&IrExpr> = rule.exprs().collect();
            while let Some(e) = stack.pop() {
                if matches!(e, IrExpr::Lookup { .. }) && reads_only_the_record(e) {
                    let id = distinct.iter().position(|d| *d == e).unwrap_or_else(|| {
                        distinct.push(e);
                        distinct.len() - 1
                    });
                    ids.insert(address(e), id);
                }
                stack.extend(e.children());
            }
        }
        SharedLookups {
            ids,
            count: distinct.len(),
        }
    }

    /// The shared id of lookup node `e`, if it has one.
    pub fn id(&self, e: &IrExpr) -> Option<usize> {
        self.ids.get(&address(e)).copied()
    }

    /// How many distinct shared lookups there are.
    pub fn count(&self) -> usize {
        self.count
    }
}

fn address(e: &IrExpr) -> usize {
    std::ptr::from_ref(e) as usize
}

fn reads_only_the_record(e: &IrExpr) -> bool {
    !e.any(&mut |n| {
        matches!(
            n,
            IrExpr::LetRef(_) | IrExpr::GroupKey(_) | IrExpr::Agg { .. } | IrExpr::Fires(_)
        )
    })
}

#[cfg(test)]
#[path = "shared_lookups_tests.rs"]
mod tests;
