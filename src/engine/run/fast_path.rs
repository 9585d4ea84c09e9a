//! The fast path's side of a chunk: one rule on one record through
//! [`Fast`], the groups and metric counts it keeps per chunk (keyed by values
//! borrowed from the records), and, in debug builds, the check of every
//! verdict against the reference evaluator.

#[cfg(debug_assertions)]
use super::eval_metric;
use super::kept_groups::KeptGroups;
use super::memo::{Memo, MemoPlan, Outcome};
use super::metric_counts::MetricCounts;
use super::{AggInput, AggPlan, GroupAcc, Partial, Runner};
use crate::ast::RuleKind;
use crate::engine::address_slots::TextsMet;
use crate::engine::data::Row;
#[cfg(debug_assertions)]
use crate::engine::eval::Frame;
use crate::engine::fast::batch;
use crate::engine::fast::{value_bkey, BKey, Bail, Fast};
#[cfg(debug_assertions)]
use crate::engine::index::Key;
use crate::ir::{AggFunc, IrExpr, RuleDef};
#[cfg(debug_assertions)]
use crate::value::Value;

/// What the fast path accumulates over one chunk: metric counts keyed by
/// values borrowed from the chunk's records (no reference counting per
/// record), folded into the chunk's [`Partial`] at its end, and the
/// worker's groups, kept across its chunks ([`KeptGroups`]).
pub(super) struct FastChunk<'r> {
    keys: Vec<BKey<'r>>,
    inputs: Vec<AggInput>,
    kept: KeptGroups,
    metrics: Vec<MetricCounts<'r>>,
}

impl FastChunk<'_> {
    pub(super) fn new(rules: usize, kept: KeptGroups) -> Self {
        FastChunk {
            keys: Vec::new(),
            inputs: Vec::new(),
            kept,
            metrics: std::iter::repeat_with(MetricCounts::default)
                .take(rules)
                .collect(),
        }
    }

    /// Fold the metric counts into the chunk's partial (where the
    /// reference evaluator may have counted other records of the same
    /// departments); the groups go back to the worker.
    pub(super) fn fold_into(self, p: &mut Partial) -> KeptGroups {
        for (slot, metrics) in self.metrics.into_iter().enumerate() {
            for (k, acc) in metrics.into_counts() {
                p.metrics[slot]
                    .entry(k.map(BKey::to_key))
                    .or_default()
                    .absorb(&acc);
            }
        }
        let mut kept = self.kept;
        kept.bound();
        kept
    }
}

impl Runner<'_> {
    /// One rule on one record on the fast path: done when the record passes
    /// (or is counted, for metrics and groups); a [`Bail`] sends it to the
    /// reference evaluator, which reports. A record whose read values the
    /// rule's [`Memo`] has seen replays the outcome found then (`all_apply`:
    /// the rule is known to apply to every record of the chunk, see
    /// [`Fast::earliest_event`]). Debug builds check every verdict against
    /// the reference.
    #[allow(
        clippy::too_many_arguments,
        reason = "the state of one chunk, borrowed apart"
    )]
    pub(super) fn fast_row<'r>(
        &'r self,
        fast: &mut Fast<'r>,
        acc: &mut FastChunk<'r>,
        memo: &mut Memo,
        ri: usize,
        rule: &'r RuleDef,
        row: &'r Row,
        slot: usize,
        all_apply: bool,
    ) -> Result<(), Bail> {
        let plan = self.memo_plans[ri].as_ref().filter(|_| memo.is_on());
        debug_assert!(!all_apply || Fast::applies_to(&self.env, rule, &row.values));
        let key = plan.map(|p| {
            (
                p,
                all_apply || Fast::applies_to(&self.env, rule, &row.values),
            )
        });
        if let Some((p, applies)) = key {
            if let Some((entry, outcome)) = memo.get(applies, &p.fields, &row.values) {
                return self.replay(acc, p, ri, rule, row, slot, (entry, outcome));
            }
        }
        // (Started only when evaluated: a replay reads nothing of it.)
        fast.record(&row.values);
        let keep = |memo: &mut Memo, outcome: Outcome| {
            if let Some((p, applies)) = key {
                memo.keep(applies, &p.fields, &row.values, outcome);
            }
        };
        match rule.kind {
            RuleKind::Metric => {
                let counted = fast.metric(rule)?;
                self.count(acc, rule, row, slot, counted.as_ref());
                keep(
                    memo,
                    counted.map_or(Outcome::NotCounted, |(_, v)| Outcome::Counted(v)),
                );
                Ok(())
            }
            RuleKind::Rule if rule.is_group() => {
                if !fast.group_member(rule, &mut acc.keys)? {
                    self.not_member(rule, row);
                    keep(memo, Outcome::Member(None));
                    return Ok(());
                }
                let plan = &self.agg_plans[&ri];
                member_inputs(fast, rule, plan, &mut acc.inputs)?;
                let FastChunk {
                    keys, inputs, kept, ..
                } = acc;
                self.check_member(rule, row, keys, plan, inputs);
                let g = kept.find_or_make(slot, keys, || {
                    GroupAcc::new(fast.group_values(), (row.file, row.row), &plan.keeps)
                });
                add_member(kept.at(slot, g), plan, inputs, row);
                keep(memo, Outcome::Member(Some(inputs.as_slice().into())));
                Ok(())
            }
            RuleKind::Rule => match fast.violation(ri, rule)? {
                Some(false) => {
                    self.check_pass(rule, row);
                    keep(memo, Outcome::Passed);
                    Ok(())
                }
                _ => Err(Bail),
            },
        }
    }

    /// A metric's counts over a chunk whose every record its kernel decided
    /// (`certified`, by record: none [`batch::UNSURE`]), in one loop over
    /// the outcomes: what [`Runner::certified`] counts record by record.
    /// Debug builds check each record as that does.
    pub(super) fn count_certified<'r>(
        &'r self,
        fast: &mut Fast<'r>,
        acc: &mut FastChunk<'r>,
        rule: &'r RuleDef,
        rows: &'r [Row],
        slot: usize,
        certified: &[u8],
    ) {
        debug_assert!(rule.kind == RuleKind::Metric && certified.len() == rows.len());
        let per = kernel_per_field(rule);
        let counts = &mut acc.metrics[slot];
        for (row, &outcome) in rows.iter().zip(certified) {
            debug_assert_ne!(outcome, batch::UNSURE);
            #[cfg(debug_assertions)]
            {
                let counted = (outcome != batch::PASS)
                    .then(|| (per_key(per, row), Some(outcome == batch::COUNTED_TRUE)));
                fast.record(&row.values);
                kernel_agrees(fast, rule, row, counted);
                self.check_metric(rule, row, counted.as_ref());
            }
            if outcome == batch::PASS {
                continue;
            }
            let counted = counts.of(per_key(per, row), (row.file, row.row));
            counted.denominator += 1;
            counted.numerator += u64::from(outcome == batch::COUNTED_TRUE);
        }
        #[cfg(not(debug_assertions))]
        let _ = (self, fast);
    }

    /// Apply the outcome a rule's kernel certified for a record (see
    /// [`batch`]): a pass, or a metric's count with this record's `per` key.
    /// Debug builds check it against the fast evaluator (and, as for any
    /// pass or count, against the reference); release builds need neither
    /// the evaluator nor the rule's index.
    #[allow(
        clippy::too_many_arguments,
        reason = "the state of one chunk, borrowed apart"
    )]
    pub(super) fn certified<'r>(
        &'r self,
        fast: &mut Fast<'r>,
        acc: &mut FastChunk<'r>,
        ri: usize,
        rule: &'r RuleDef,
        row: &'r Row,
        slot: usize,
        outcome: u8,
    ) {
        #[cfg(debug_assertions)]
        fast.record(&row.values);
        #[cfg(not(debug_assertions))]
        let _ = (fast, ri);
        if rule.kind == RuleKind::Metric {
            let counted = (outcome != batch::PASS).then(|| {
                (
                    per_key(kernel_per_field(rule), row),
                    Some(outcome == batch::COUNTED_TRUE),
                )
            });
            #[cfg(debug_assertions)]
            kernel_agrees(fast, rule, row, counted);
            self.count(acc, rule, row, slot, counted.as_ref());
        } else {
            #[cfg(debug_assertions)]
            {
                assert_eq!(
                    fast.violation(ri, rule),
                    Ok(Some(false)),
                    "the kernel of {} disagrees with the fast path at row {}",
                    rule.code,
                    row.row
                );
                assert!(
                    !fast.noted_missing(ri),
                    "the kernel of {} certified a pass the fast path notes a missing value in, at row {}",
                    rule.code,
                    row.row
                );
            }
            self.check_pass(rule, row);
        }
    }

    /// Apply the outcome a record with the same read values had, with this
    /// record's `per` and group keys.
    #[allow(
        clippy::too_many_arguments,
        reason = "the state of one chunk, borrowed apart"
    )]
    fn replay<'r>(
        &'r self,
        acc: &mut FastChunk<'r>,
        memo: &MemoPlan,
        ri: usize,
        rule: &'r RuleDef,
        row: &'r Row,
        slot: usize,
        (entry, outcome): (usize, &Outcome),
    ) -> Result<(), Bail> {
        match outcome {
            Outcome::Passed => self.check_pass(rule, row),
            Outcome::NotCounted => self.count(acc, rule, row, slot, None),
            Outcome::Counted(verdict) => {
                let per = memo.per.and_then(|f| value_bkey(&row.values[f]));
                self.count(acc, rule, row, slot, Some(&(per, *verdict)));
            }
            Outcome::Member(None) => self.not_member(rule, row),
            Outcome::Member(Some(inputs)) => {
                self.replay_member(acc, memo, ri, rule, row, slot, entry, inputs)?;
            }
        }
        Ok(())
    }

    /// [`Self::replay`] of a group member: the record joins the group the
    /// worker noted for the memo entry (found by its place, without making
    /// the key), or the group of its key, noted for the entry's next replay.
    #[allow(
        clippy::too_many_arguments,
        reason = "the state of one chunk, borrowed apart"
    )]
    fn replay_member<'r>(
        &'r self,
        acc: &mut FastChunk<'r>,
        memo: &MemoPlan,
        ri: usize,
        rule: &'r RuleDef,
        row: &'r Row,
        slot: usize,
        entry: usize,
        inputs: &[AggInput],
    ) -> Result<(), Bail> {
        let FastChunk { keys, kept, .. } = acc;
        // (Looked up where needed: a member of a known group whose entry is
        // pending, the common replay, needs no plan.)
        let plan = || &self.agg_plans[&ri];
        let known = kept.places(slot).get(entry).and_then(|&p| p.checked_sub(1));
        // (Debug builds make the key of a known group too, to check the
        // record against the reference and the place against the key.)
        if known.is_none() || cfg!(debug_assertions) {
            keys.clear();
            for &f in &memo.group {
                // (Known when the outcome was kept: the values are the same.)
                keys.push(value_bkey(&row.values[f]).ok_or(Bail)?);
            }
            self.check_member(rule, row, keys, plan(), inputs);
        }
        let g = if let Some(g) = known {
            // (By content: the group may be keyed by another string of the
            // same text, one the dataset's fold would make the same group.)
            debug_assert!(
                kept.has_key(slot, g as usize, keys),
                "memo entry {entry} of {} names another group",
                rule.code
            );
            g as usize
        } else {
            let g = kept.find_or_make(slot, keys, || {
                let values = memo.group.iter().map(|&f| row.values[f].clone()).collect();
                GroupAcc::new(values, (row.file, row.row), &plan().keeps)
            });
            let places = kept.places(slot);
            if places.len() <= entry {
                places.resize(entry + 1, 0);
            }
            // (A worker has fewer groups than `u32` counts; past that, 0
            // would only leave the place unnamed.)
            places[entry] = u32::try_from(g + 1).unwrap_or(0);
            g
        };
        let at = (row.file, row.row);
        let pending = &mut kept.pending[slot];
        if !pending.add(entry, at) && !pending.start(entry, g, inputs, plan(), at) {
            add_member(kept.at(slot, g), plan(), inputs, row);
        }
        Ok(())
    }

    /// Count a record for a metric (`None`: not counted).
    #[allow(
        clippy::inline_always,
        reason = "measured: with `#[inline]` it stayed a call per record"
    )]
    #[inline(always)]
    fn count<'r>(
        &self,
        acc: &mut FastChunk<'r>,
        rule: &RuleDef,
        row: &Row,
        slot: usize,
        counted: Option<&(Option<BKey<'r>>, Option<bool>)>,
    ) {
        #[cfg(debug_assertions)]
        self.check_metric(rule, row, counted);
        #[cfg(not(debug_assertions))]
        let _ = (self, rule);
        if let Some((per, verdict)) = counted {
            let acc = acc.metrics[slot].of(*per, (row.file, row.row));
            match verdict {
                Some(b) => {
                    acc.denominator += 1;
                    acc.numerator += u64::from(*b);
                }
                None => acc.undetermined += 1,
            }
        }
    }

    /// Debug builds: the reference evaluator finds the record no member of
    /// the group rule.
    fn not_member(&self, rule: &RuleDef, row: &Row) {
        #[cfg(debug_assertions)]
        self.check_verdict(rule, row, |f| !f.applicable() || f.member() == Some(false));
        #[cfg(not(debug_assertions))]
        let _ = (self, rule, row);
    }

    /// Debug builds: the reference evaluator passes the record.
    fn check_pass(&self, rule: &RuleDef, row: &Row) {
        #[cfg(debug_assertions)]
        self.check_verdict(rule, row, |f| f.violation() == Some(false));
        #[cfg(not(debug_assertions))]
        let _ = (self, rule, row);
    }

    /// Debug builds: the reference evaluator finds the record a member of
    /// the group of `keys`, with no value missing, contributing `inputs` to
    /// the group's aggregates (on the fresh path and on a replay alike).
    fn check_member(
        &self,
        rule: &RuleDef,
        row: &Row,
        keys: &[BKey<'_>],
        plan: &AggPlan<'_>,
        inputs: &[AggInput],
    ) {
        #[cfg(debug_assertions)]
        {
            let mut f = Frame::new(&self.env, rule, &row.values);
            let disagree = |what: &str| {
                format!(
                    "fast path disagrees with the reference on {} at row {}: {what}",
                    rule.code, row.row
                )
            };
            assert!(f.applicable(), "{}", disagree("in force"));
            assert_eq!(f.member(), Some(true), "{}", disagree("member"));
            let reference: Vec<Option<Key>> = rule
                .group_by
                .iter()
                .map(|g| f.need(g).as_ref().and_then(Key::of))
                .collect();
            let fast: Vec<Option<Key>> = keys.iter().map(|k| Some(k.to_key())).collect();
            assert_eq!(reference, fast, "{}", disagree("group key"));
            // (Decimals by their bits: a NaN is the same NaN.)
            let same = |a: &AggInput, b: &AggInput| match (a, b) {
                (
                    AggInput::Value(Some(Value::Decimal(x))),
                    AggInput::Value(Some(Value::Decimal(y))),
                ) => x.to_bits() == y.to_bits(),
                _ => a == b,
            };
            for ((func, arg), input) in plan.nodes.iter().zip(inputs) {
                let reference = f.agg_arg(*func, *arg);
                assert!(
                    same(&reference, input),
                    "{}: {reference:?} against {input:?}",
                    disagree("aggregate input")
                );
            }
            assert!(f.missing.is_empty(), "{}", disagree("missing values"));
        }
        #[cfg(not(debug_assertions))]
        let _ = (self, rule, row, keys, plan, inputs);
    }

    /// Whether the rule's [`super::Guard`] excludes the record: then the
    /// rule passes it, the metric does
    /// not count it, the group rule does not have it. Debug builds check it
    /// against the reference.
    pub(super) fn guard_excludes(
        &self,
        ri: usize,
        rule: &RuleDef,
        row: &Row,
        met: &mut TextsMet,
    ) -> bool {
        if !self.guards[ri]
            .as_ref()
            .is_some_and(|g| g.excludes(&row.values, met))
        {
            return false;
        }
        self.excluded(rule, row);
        true
    }

    /// A record the rule's guard excludes: the rule passes it, the metric
    /// does not count it, the group rule does not have it; debug builds
    /// check that against the reference.
    #[inline]
    pub(super) fn excluded(&self, rule: &RuleDef, row: &Row) {
        match rule.kind {
            RuleKind::Metric => {
                #[cfg(debug_assertions)]
                self.check_metric(rule, row, None);
            }
            RuleKind::Rule if rule.is_group() => self.not_member(rule, row),
            RuleKind::Rule => self.check_pass(rule, row),
        }
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
        let mut m = rustc_hash::FxHashMap::default();
        let mut f = Frame::new(&self.env, rule, &row.values);
        eval_metric(rule, &mut f, &mut m, (row.file, row.row), false);
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

/// The aggregate inputs of the group member `fast` holds (after
/// [`Fast::group_member`]), into `inputs`: each aggregate's argument once
/// (an aggregate with the same argument as an earlier one reuses its
/// input); anything unknown is a [`Bail`].
fn member_inputs<'r>(
    fast: &mut Fast<'r>,
    rule: &'r RuleDef,
    plan: &AggPlan<'r>,
    inputs: &mut Vec<AggInput>,
) -> Result<(), Bail> {
    inputs.clear();
    for (i, (func, arg)) in plan.nodes.iter().enumerate() {
        if let Some(j) = plan.same_as[i] {
            let input = inputs[j].clone();
            inputs.push(input);
            continue;
        }
        inputs.push(match (func, arg) {
            (_, None) => AggInput::Present,
            (AggFunc::Count | AggFunc::Any | AggFunc::All | AggFunc::Ratio, Some(a)) => {
                AggInput::Cond(Some(fast.group_cond(rule, a)?))
            }
            (_, Some(a)) => AggInput::Value(Some(fast.group_value(rule, a)?)),
        });
    }
    Ok(())
}

/// The field a metric with a kernel counts `per` (`Kernel::of` takes only
/// a field of the record, or none).
#[inline]
fn kernel_per_field(rule: &RuleDef) -> Option<usize> {
    match &rule.per {
        Some(IrExpr::Field { field, .. }) => Some(*field),
        _ => None,
    }
}

/// The `per` key of a record: its value of field `per`.
#[inline]
fn per_key(per: Option<usize>, row: &Row) -> Option<BKey<'_>> {
    per.and_then(|f| row.values.get(f).and_then(value_bkey))
}

/// Debug builds: the count a metric's kernel certified for the record
/// `fast` holds is the fast evaluator's.
#[cfg(debug_assertions)]
fn kernel_agrees<'r>(
    fast: &mut Fast<'r>,
    rule: &'r RuleDef,
    row: &Row,
    counted: Option<(Option<BKey<'r>>, Option<bool>)>,
) {
    assert_eq!(
        fast.metric(rule),
        Ok(counted),
        "the kernel of {} disagrees with the fast path at row {}",
        rule.code,
        row.row
    );
}

/// Add a member record's aggregate inputs to its group.
fn add_member(group: &mut GroupAcc, plan: &AggPlan<'_>, inputs: &[AggInput], row: &Row) {
    let at = (row.file, row.row);
    group.add_record(at, Some(true));
    for (agg, ((func, _), input)) in group.aggs.iter_mut().zip(plan.nodes.iter().zip(inputs)) {
        agg.add(*func, Some(true), input, at);
    }
}

#[cfg(all(test, debug_assertions))]
#[path = "fast_path_tests.rs"]
mod tests;
