//! The fast path's side of a chunk: one rule on one record through
//! [`Fast`], the groups and metric counts it keeps per chunk (keyed by values
//! borrowed from the records), and, in debug builds, the check of every
//! verdict against the reference evaluator.

use rustc_hash::FxHashMap as HashMap;

#[cfg(debug_assertions)]
use super::eval_metric;
use super::{merge_group, AggInput, GroupAcc, MetricAcc, Partial, Runner, GROUP_EVIDENCE};
use crate::ast::RuleKind;
use crate::engine::data::Row;
#[cfg(debug_assertions)]
use crate::engine::eval::Frame;
use crate::engine::fast::{BKey, Bail, Fast};
use crate::engine::index::Key;
use crate::ir::{AggFunc, RuleDef};

/// What the fast path accumulates over one chunk: groups and metric
/// counts keyed by values borrowed from the chunk's records (no reference
/// counting per record), folded into the chunk's [`Partial`] at its end.
pub(super) struct FastChunk<'r> {
    keys: Vec<BKey<'r>>,
    inputs: Vec<AggInput>,
    groups: Vec<HashMap<Vec<BKey<'r>>, GroupAcc>>,
    metrics: Vec<HashMap<Option<BKey<'r>>, MetricAcc>>,
}

impl FastChunk<'_> {
    pub(super) fn new(rules: usize) -> Self {
        FastChunk {
            keys: Vec::new(),
            inputs: Vec::new(),
            groups: vec![HashMap::default(); rules],
            metrics: vec![HashMap::default(); rules],
        }
    }

    /// Fold into the chunk's partial (where the reference evaluator may have
    /// counted other records of the same groups).
    pub(super) fn fold_into(self, p: &mut Partial) {
        for (slot, groups) in self.groups.into_iter().enumerate() {
            for (k, acc) in groups {
                let key: Vec<Key> = k.into_iter().map(BKey::to_key).collect();
                merge_group(&mut p.groups[slot], key, acc);
            }
        }
        for (slot, metrics) in self.metrics.into_iter().enumerate() {
            for (k, acc) in metrics {
                p.metrics[slot]
                    .entry(k.map(BKey::to_key))
                    .or_default()
                    .absorb(&acc);
            }
        }
    }
}

impl Runner<'_> {
    /// One rule on one record on the fast path: done when the record passes
    /// (or is counted, for metrics and groups); a [`Bail`] sends it to the
    /// reference evaluator, which reports. Debug builds check every verdict
    /// against the reference.
    pub(super) fn fast_row<'r>(
        &'r self,
        fast: &mut Fast<'r>,
        acc: &mut FastChunk<'r>,
        ri: usize,
        rule: &'r RuleDef,
        row: &'r Row,
        slot: usize,
    ) -> Result<(), Bail> {
        match rule.kind {
            RuleKind::Metric => {
                let counted = fast.metric(rule)?;
                #[cfg(debug_assertions)]
                self.check_metric(rule, row, counted.as_ref());
                if let Some((per, verdict)) = counted {
                    let acc = acc.metrics[slot].entry(per).or_default();
                    match verdict {
                        Some(b) => {
                            acc.denominator += 1;
                            acc.numerator += u64::from(b);
                        }
                        None => acc.undetermined += 1,
                    }
                }
                Ok(())
            }
            RuleKind::Rule if rule.is_group() => {
                if !fast.group_member(rule, &mut acc.keys)? {
                    #[cfg(debug_assertions)]
                    self.check_verdict(rule, row, |f| !f.applicable() || f.member() == Some(false));
                    return Ok(());
                }
                let plan = &self.agg_plans[&ri];
                acc.inputs.clear();
                for (i, (func, arg)) in plan.nodes.iter().enumerate() {
                    if let Some(j) = plan.same_as[i] {
                        let input = acc.inputs[j].clone();
                        acc.inputs.push(input);
                        continue;
                    }
                    acc.inputs.push(match (func, arg) {
                        (_, None) => AggInput::Present,
                        (
                            AggFunc::Count | AggFunc::Any | AggFunc::All | AggFunc::Ratio,
                            Some(a),
                        ) => AggInput::Cond(Some(fast.group_cond(rule, a)?)),
                        (_, Some(a)) => AggInput::Value(Some(fast.group_value(rule, a)?)),
                    });
                }
                let groups = &mut acc.groups[slot];
                let group = if let Some(g) = groups.get_mut(acc.keys.as_slice()) {
                    g
                } else {
                    groups.entry(acc.keys.clone()).or_insert_with(|| {
                        GroupAcc::new(fast.group_values(), (row.file, row.row), plan.nodes.len())
                    })
                };
                if group.rows.len() < GROUP_EVIDENCE {
                    group.rows.push((row.file, row.row));
                }
                for (i, ((func, _), input)) in
                    plan.nodes.iter().zip(acc.inputs.drain(..)).enumerate()
                {
                    group.aggs[i].add(*func, Some(true), input, (row.file, row.row));
                }
                Ok(())
            }
            RuleKind::Rule => match fast.violation(ri, rule)? {
                Some(false) => {
                    #[cfg(debug_assertions)]
                    self.check_verdict(rule, row, |f| f.violation() == Some(false));
                    Ok(())
                }
                _ => Err(Bail),
            },
        }
    }

    /// Whether the rule's [`super::Guard`] excludes the record: then the
    /// rule passes it (its verdict is noted, for `fires`), the metric does
    /// not count it, the group rule does not have it. Debug builds check it
    /// against the reference.
    pub(super) fn guard_excludes(
        &self,
        fast: &mut Fast<'_>,
        ri: usize,
        rule: &RuleDef,
        row: &Row,
    ) -> bool {
        if !self.guards[ri]
            .as_ref()
            .is_some_and(|g| g.excludes(&row.values))
        {
            return false;
        }
        match rule.kind {
            RuleKind::Metric => {
                #[cfg(debug_assertions)]
                self.check_metric(rule, row, None);
            }
            RuleKind::Rule if rule.is_group() => {
                #[cfg(debug_assertions)]
                self.check_verdict(rule, row, |f| !f.applicable() || f.member() == Some(false));
            }
            RuleKind::Rule => {
                fast.passed(ri);
                #[cfg(debug_assertions)]
                self.check_verdict(rule, row, |f| f.violation() == Some(false));
            }
        }
        true
    }

    /// Debug builds: the reference evaluator agrees with the fast path.
    #[cfg(debug_assertions)]
    fn check_verdict(&self, rule: &RuleDef, row: &Row, agrees: impl Fn(&mut Frame<'_>) -> bool) {
        let mut f = Frame::new(&self.env, rule, &row.values);
        assert!(
            agrees(&mut f),
            "fast path disagrees with the reference on {} at row {}",
            rule.code,
            row.row
        );
    }

    /// Debug builds: the reference evaluator counts a metric as the fast path did.
    #[cfg(debug_assertions)]
    fn check_metric(
        &self,
        rule: &RuleDef,
        row: &Row,
        fast: Option<&(Option<BKey<'_>>, Option<bool>)>,
    ) {
        let mut m = HashMap::default();
        let mut f = Frame::new(&self.env, rule, &row.values);
        eval_metric(rule, &mut f, &mut m);
        let reference = m
            .into_iter()
            .next()
            .map(|(k, acc)| (k, (acc.denominator > 0).then_some(acc.numerator > 0)));
        let fast = fast.map(|(k, v)| (k.map(BKey::to_key), *v));
        assert_eq!(
            reference, fast,
            "fast path disagrees with the reference on {} at row {}",
            rule.code, row.row
        );
    }
}
