//! A group's accumulators: each aggregate's partial value ([`AggAcc`])
//! and the group's key and evidence rows ([`GroupAcc`]), mergeable in any
//! order with the same result.
//!
//! The evidence of a group's verdict is the records that decide it: each
//! aggregate the verdict reads (in `require`, or a `when` after `group by`)
//! keeps the first records (by place:
//! file, row) that make its value what it is ([`Keep`]), the group its
//! first member records and the first whose contribution is unknown. Each
//! list is bounded, so memory grows with the groups, not their records, and
//! the first places of a whole are the first of its parts' first places:
//! the lists are the same however the records are chunked and merged.

use super::exact_sum::ExactSum;
use super::{Range, Val};
use crate::engine::eval::AggInput;
use crate::ir::AggFunc;
use crate::value::Value;

/// A group's first member records kept as evidence, and the first records
/// whose contribution is unknown.
pub(super) const GROUP_EVIDENCE: usize = 5;
/// The records kept per side of an aggregate's condition (`any`, `all`,
/// `ratio`): enough to show what holds.
const DECIDING_ROWS: usize = 5;
/// The records a `count` keeps (those it counts): every repeated row of a
/// duplicated item code (C002) up to this many.
const COUNTED_ROWS: usize = 20;

// (A memo entry's members added at once keep this many first places.)
const _: () = assert!(
    COUNTED_ROWS <= super::pending::KEPT
        && DECIDING_ROWS <= super::pending::KEPT
        && GROUP_EVIDENCE <= super::pending::KEPT
);

/// Which of its records an aggregate keeps as the evidence of its group's
/// verdict: those that make its value what it is. An aggregate the verdict
/// does not read (a message's) keeps none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Keep {
    #[default]
    Nothing,
    /// The records whose condition holds (`any`).
    Holding,
    /// The records whose condition fails (`all`).
    Failing,
    /// Both sides (`ratio`, which either may decide).
    Both,
    /// The records counted (`count(c)`: those that hold; `count()`: every
    /// member), more of them.
    Counted,
    /// The record with the least value (`min`).
    Least,
    /// The record with the greatest value (`max`).
    Greatest,
}

impl Keep {
    /// What an aggregate of `func` in the rule's `require` keeps.
    pub(super) fn of(func: AggFunc) -> Keep {
        match func {
            AggFunc::Any => Keep::Holding,
            AggFunc::All => Keep::Failing,
            AggFunc::Ratio => Keep::Both,
            AggFunc::Count => Keep::Counted,
            AggFunc::Min => Keep::Least,
            AggFunc::Max => Keep::Greatest,
            AggFunc::Sum | AggFunc::First => Keep::Nothing,
        }
    }

    fn holding(self) -> bool {
        matches!(self, Keep::Holding | Keep::Both | Keep::Counted)
    }

    fn failing(self) -> bool {
        matches!(self, Keep::Failing | Keep::Both)
    }

    /// How many records each side keeps.
    fn cap(self) -> usize {
        if self == Keep::Counted {
            COUNTED_ROWS
        } else {
            DECIDING_ROWS
        }
    }
}

/// Keep `at` among the first `cap` places of `rows` (sorted, distinct),
/// whatever order places come in. In order (a chunk's records), a full list
/// costs one comparison.
#[inline]
fn keep_first(rows: &mut Vec<(u32, u32)>, at: (u32, u32), cap: usize) {
    match rows.last() {
        Some(&last) if at <= last => {
            if let Err(i) = rows.binary_search(&at) {
                rows.insert(i, at);
                rows.truncate(cap);
            }
        }
        _ if rows.len() < cap => rows.push(at),
        _ => {}
    }
}

/// The first `cap` places of two such lists. Chunks merge in order, so
/// their places mostly all come after mine: then mine takes what room is
/// left, without sorting (a full list, nothing).
fn merge_first(mine: &mut Vec<(u32, u32)>, theirs: &[(u32, u32)], cap: usize) {
    let Some(&first) = theirs.first() else {
        return;
    };
    if mine.last().is_none_or(|&last| last < first) {
        // (Both lists hold at most `cap` places: keep_first and this keep them so.)
        debug_assert!(mine.len() <= cap && theirs.len() <= cap);
        let room = cap.saturating_sub(mine.len()).min(theirs.len());
        mine.extend_from_slice(&theirs[..room]);
        return;
    }
    mine.extend_from_slice(theirs);
    mine.sort_unstable();
    mine.dedup();
    mine.truncate(cap);
}

/// Whether `a` is below `b` (a value of the same field; `false` for values
/// that do not compare).
/// The order extremes are kept in: exact for numbers (a rule's comparison
/// allows a relative 1e-9, which is not transitive: 1.0, 1.0000000009 and
/// 1.0000000018 kept a different maximum in a different order of adding,
/// on the fast path and the reference), the values' own order otherwise.
fn less(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x < y,
        (Value::Decimal(x), Value::Decimal(y)) => canonical(*x).total_cmp(&canonical(*y)).is_lt(),
        (Value::Int(x), Value::Decimal(y)) => int_vs_decimal(*x, *y).is_lt(),
        (Value::Decimal(x), Value::Int(y)) => int_vs_decimal(*y, *x).is_gt(),
        _ => crate::engine::eval::compare(crate::ast::CmpOp::Lt, a, b).unwrap_or(false),
    }
}

/// A decimal for ordering: -0 as 0 (an integer 0 ties with both), any
/// NaN as the positive one (above every number, as against an integer).
fn canonical(x: f64) -> f64 {
    if x.is_nan() {
        f64::NAN
    } else if x == 0.0 {
        0.0
    } else {
        x
    }
}

/// An integer against a decimal, exactly (an integer past 2^53 made a
/// float would equal its neighbours: 2^53 and 2^53 + 1 both equal to the
/// decimal 2^53, an order that is not transitive). NaN is above all.
#[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
fn int_vs_decimal(x: i64, y: f64) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    if y.is_nan() || y >= 9_223_372_036_854_775_808.0 {
        return Ordering::Less;
    }
    if y < -9_223_372_036_854_775_808.0 {
        return Ordering::Greater;
    }
    // (Within i64's range a float's floor converts exactly.)
    let floor = y.floor();
    let whole = floor as i64;
    match x.cmp(&whole) {
        Ordering::Equal if y > floor => Ordering::Less,
        other => other,
    }
}

/// Keep `(v, at)` in `slot` if `v` is more extreme (`better(v, kept)`),
/// or as extreme and earlier: the earliest record with the extreme value,
/// whatever order records come in.
fn keep_extreme(
    slot: &mut Option<(Value, (u32, u32))>,
    v: &Value,
    at: (u32, u32),
    better: impl Fn(&Value, &Value) -> bool,
) {
    let take = slot
        .as_ref()
        .is_none_or(|(m, m_at)| better(v, m) || (!better(m, v) && at < *m_at));
    if take {
        *slot = Some((v.clone(), at));
    }
}

/// An aggregate accumulator: mergeable, order-independent (`first` keeps
/// the record with the smallest place).
#[derive(Clone, Debug, Default)]
pub(super) struct AggAcc {
    n: u64,
    trues: u64,
    falses: u64,
    unknown: u64,
    /// `ratio`, among the records counted in `unknown`: those that may be
    /// members holding (their condition not known to fail), those that may
    /// be members failing (not known to hold), and the certain members (a
    /// group may have no member at all without one, or a known record).
    may_hold: u64,
    may_fail: u64,
    unknown_members: u64,
    sum: ExactSum,
    all_int: bool,
    /// The least and greatest known values, each with the place of the
    /// earliest record holding it.
    min: Option<(Value, (u32, u32))>,
    max: Option<(Value, (u32, u32))>,
    /// `first(x)`: the earliest record's place (file, row) and its value
    /// (`None`: unknown, or the record's membership is). Order-independent
    /// because the place decides, not the order of adding.
    first: Option<((u32, u32), Option<Value>)>,
    /// `max`, `min`, `sum` over records whose membership is unknown and
    /// whose value is known: their least and greatest values, and the sums
    /// of their positive and of their negative values (what they may add);
    /// whether one of those is a decimal. With no record whose value is
    /// unknown (`unknown_values`), the aggregate is bounded on both sides.
    maybe_min: Option<(Value, (u32, u32))>,
    maybe_max: Option<(Value, (u32, u32))>,
    maybe_pos: ExactSum,
    maybe_neg: ExactSum,
    maybe_decimal: bool,
    /// Records (members or not) whose value is unknown: the aggregate may
    /// be anything on the side they could push it.
    unknown_values: u64,
    /// Which records this aggregate keeps as evidence.
    keep: Keep,
    /// The first certain members (by place) whose condition holds (or,
    /// for `count()`, every first member), when `keep` says so.
    held: Vec<(u32, u32)>,
    /// The first certain members whose condition fails, when `keep` says so.
    failed: Vec<(u32, u32)>,
}

impl AggAcc {
    pub(super) fn merge(&mut self, o: &AggAcc) {
        self.n += o.n;
        self.trues += o.trues;
        self.falses += o.falses;
        self.unknown += o.unknown;
        self.may_hold += o.may_hold;
        self.may_fail += o.may_fail;
        self.unknown_members += o.unknown_members;
        self.sum.merge(&o.sum);
        self.all_int &= o.all_int;
        self.maybe_pos.merge(&o.maybe_pos);
        self.maybe_neg.merge(&o.maybe_neg);
        self.maybe_decimal |= o.maybe_decimal;
        self.unknown_values += o.unknown_values;
        if let Some((v, at)) = &o.maybe_min {
            keep_extreme(&mut self.maybe_min, v, *at, less);
        }
        if let Some((v, at)) = &o.maybe_max {
            keep_extreme(&mut self.maybe_max, v, *at, |a, b| less(b, a));
        }
        if let Some((v, at)) = &o.min {
            keep_extreme(&mut self.min, v, *at, less);
        }
        if let Some((v, at)) = &o.max {
            keep_extreme(&mut self.max, v, *at, |a, b| less(b, a));
        }
        let cap = self.keep.cap();
        merge_first(&mut self.held, &o.held, cap);
        merge_first(&mut self.failed, &o.failed, cap);
        if let Some((at, v)) = &o.first {
            if self.first.as_ref().is_none_or(|(mine, _)| at < mine) {
                self.first = Some((*at, v.clone()));
            }
        }
    }

    /// Add one record (at `at`: file, row) to the accumulator.
    #[inline]
    pub(super) fn add(
        &mut self,
        func: AggFunc,
        member: Option<bool>,
        input: &AggInput,
        at: (u32, u32),
    ) {
        // The commonest input, a known condition of a certain member, in
        // place; the rest out of line.
        if let (AggInput::Cond(Some(c)), Some(true), false) =
            (input, member, func == AggFunc::First)
        {
            self.add_known(*c, at);
            return;
        }
        self.add_any(func, member, input, at);
    }

    /// A certain member's known condition, kept as evidence if `keep` says so.
    #[inline]
    fn add_known(&mut self, c: bool, at: (u32, u32)) {
        if c {
            self.trues += 1;
            if self.keep.holding() {
                keep_first(&mut self.held, at, self.keep.cap());
            }
        } else {
            self.falses += 1;
            if self.keep.failing() {
                keep_first(&mut self.failed, at, self.keep.cap());
            }
        }
    }

    /// `n` certain members' known condition `c`, `firsts` the first places
    /// among them (at least as many as a list keeps): what `n` calls of
    /// [`Self::add_known`] make (see `pending`).
    pub(super) fn add_known_n(&mut self, c: bool, n: u64, firsts: &[(u32, u32)]) {
        let (count, keep, list) = if c {
            (&mut self.trues, self.keep.holding(), &mut self.held)
        } else {
            (&mut self.falses, self.keep.failing(), &mut self.failed)
        };
        *count += n;
        if keep {
            for &at in firsts {
                keep_first(list, at, self.keep.cap());
            }
        }
    }

    /// [`Self::add`], for every input.
    #[inline(never)]
    fn add_any(&mut self, func: AggFunc, member: Option<bool>, input: &AggInput, at: (u32, u32)) {
        let certain = member == Some(true);
        if func == AggFunc::First {
            if self.first.as_ref().is_none_or(|(mine, _)| at < *mine) {
                let v = match input {
                    AggInput::Value(Some(v)) if certain => Some(v.clone()),
                    _ => None,
                };
                self.first = Some((at, v));
            }
            return;
        }
        match input {
            AggInput::Present => {
                if certain {
                    self.n += 1;
                    if self.keep.holding() {
                        keep_first(&mut self.held, at, self.keep.cap());
                    }
                } else {
                    self.unknown += 1;
                }
            }
            &AggInput::Cond(c) => {
                let matters = match func {
                    AggFunc::Any | AggFunc::Count => c != Some(false),
                    AggFunc::All => c != Some(true),
                    _ => true,
                };
                match (certain, c) {
                    (true, Some(c)) => self.add_known(c, at),
                    _ if matters => {
                        self.unknown += 1;
                        if func == AggFunc::Ratio {
                            self.may_hold += u64::from(c != Some(false));
                            self.may_fail += u64::from(c != Some(true));
                            self.unknown_members += u64::from(certain);
                        }
                    }
                    _ => {}
                }
            }
            AggInput::Value(v) => match (certain, v) {
                (true, Some(v)) => {
                    self.n += 1;
                    match v {
                        Value::Int(n) => self.sum.add_int(*n),
                        Value::Decimal(x) => {
                            self.sum.add_decimal(*x);
                            self.all_int = false;
                        }
                        _ => {}
                    }
                    keep_extreme(&mut self.min, v, at, less);
                    keep_extreme(&mut self.max, v, at, |a, b| less(b, a));
                }
                (false, Some(v)) => {
                    // A possible member with a known value.
                    self.unknown += 1;
                    match v {
                        Value::Int(n) => {
                            if *n > 0 {
                                self.maybe_pos.add_int(*n);
                            } else {
                                self.maybe_neg.add_int(*n);
                            }
                        }
                        Value::Decimal(x) => {
                            if *x > 0.0 {
                                self.maybe_pos.add_decimal(*x);
                            } else {
                                self.maybe_neg.add_decimal(*x);
                            }
                            self.maybe_decimal = true;
                        }
                        _ => {}
                    }
                    keep_extreme(&mut self.maybe_min, v, at, less);
                    keep_extreme(&mut self.maybe_max, v, at, |a, b| less(b, a));
                }
                (_, None) => {
                    self.unknown += 1;
                    self.unknown_values += 1;
                }
            },
        }
    }

    pub(super) fn value(&self, func: AggFunc, has_arg: bool) -> Val {
        let b = |x: bool| Val::V(Value::Bool(x));
        match func {
            AggFunc::First => match &self.first {
                Some((_, Some(v))) => Val::V(v.clone()),
                _ => Val::Unknown,
            },
            // A ratio whose range is one value is that value (0 when no
            // record may hold, 1 when none may fail).
            AggFunc::Ratio if self.unknown > 0 => match self.ratio_range() {
                Some((lo, hi)) if lo == hi => Val::V(lo),
                _ => Val::Unknown,
            },
            // So is a max, min or sum whose possible members change
            // nothing (a max whose other records may hold smaller values).
            AggFunc::Max | AggFunc::Min | AggFunc::Sum if self.unknown > 0 => {
                match self.value_range(func) {
                    Some((Some(lo), Some(hi))) if lo == hi => Val::V(lo),
                    _ => Val::Unknown,
                }
            }
            _ if self.unknown > 0 && !matches!(func, AggFunc::Any | AggFunc::All) => Val::Unknown,
            AggFunc::Count if has_arg => Val::V(Value::Int(self.trues as i64)),
            AggFunc::Count => Val::V(Value::Int(self.n as i64)),
            AggFunc::Any if self.trues > 0 => b(true),
            AggFunc::All if self.falses > 0 => b(false),
            AggFunc::Any | AggFunc::All if self.unknown > 0 => Val::Unknown,
            AggFunc::Any => b(false),
            AggFunc::All => b(true),
            AggFunc::Ratio => {
                let d = self.trues + self.falses;
                if d == 0 {
                    Val::Unknown
                } else {
                    Val::V(Value::Decimal(self.trues as f64 / d as f64))
                }
            }
            AggFunc::Sum => {
                if self.all_int {
                    Val::V(Value::Int(self.sum.int()))
                } else {
                    Val::V(Value::Decimal(self.sum.decimal()))
                }
            }
            AggFunc::Min => self.min.clone().map_or(Val::Unknown, |(v, _)| Val::V(v)),
            AggFunc::Max => self.max.clone().map_or(Val::Unknown, |(v, _)| Val::V(v)),
        }
    }

    /// The places of the records this aggregate keeps as evidence (see
    /// [`Keep`]).
    fn evidence(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let extreme = match self.keep {
            Keep::Least => self.min.as_ref(),
            Keep::Greatest => self.max.as_ref(),
            _ => None,
        };
        self.held
            .iter()
            .chain(&self.failed)
            .copied()
            .chain(extreme.map(|(_, at)| *at))
    }

    /// The values the aggregate can take while some contributions are
    /// unknown (see [`Range`]): `None` when it is known, or could be
    /// anything (a `sum` with a value unknown; a `ratio` or `max` of a
    /// group that may have no member with a known value).
    pub(super) fn range(&self, func: AggFunc, has_arg: bool) -> Option<Range> {
        if self.unknown == 0 {
            return None;
        }
        let (lo, hi) = match func {
            AggFunc::Count => {
                let known = if has_arg { self.trues } else { self.n };
                let int = |n: u64| i64::try_from(n).ok().map(Value::Int);
                (int(known), int(known + self.unknown))
            }
            AggFunc::Ratio => {
                let (lo, hi) = self.ratio_range()?;
                if lo == hi {
                    return None; // known: see `value`
                }
                (Some(lo), Some(hi))
            }
            AggFunc::Max | AggFunc::Min | AggFunc::Sum => {
                let (lo, hi) = self.value_range(func)?;
                if lo.is_some() && lo == hi {
                    return None; // known: see `value`
                }
                (lo, hi)
            }
            AggFunc::Any | AggFunc::All | AggFunc::First => return None,
        };
        Some(Range { lo, hi })
    }

    /// The least and greatest values of a `max`, `min` or `sum` while some
    /// records' membership or value is unknown (`None` on a side without
    /// a bound): a `max` is at least its certain members' greatest value,
    /// and at most the greatest of any record that may be a member when
    /// every such record's value is known; a `min` likewise; a `sum` lies
    /// between its certain members' sum plus every negative value that may
    /// join and plus every positive one, when all are known. `None` for a
    /// `max` or `min` without a certain member's value, or a `sum` with
    /// any value unknown.
    fn value_range(&self, func: AggFunc) -> Option<(Option<Value>, Option<Value>)> {
        let bounded = self.unknown_values == 0;
        let either = |a: &Option<(Value, (u32, u32))>,
                      b: &Option<(Value, (u32, u32))>,
                      pick_b: fn(&Value, &Value) -> bool| {
            match (a, b) {
                (Some((x, _)), Some((y, _))) if pick_b(y, x) => Some(y.clone()),
                (Some((x, _)), _) => Some(x.clone()),
                (None, Some((y, _))) => Some(y.clone()),
                (None, None) => None,
            }
        };
        Some(match func {
            AggFunc::Max => {
                let certain = self.max.clone()?.0;
                let hi = if bounded {
                    either(&self.max, &self.maybe_max, |y, x| less(x, y))
                } else {
                    None
                };
                (Some(certain), hi)
            }
            AggFunc::Min => {
                let certain = self.min.clone()?.0;
                let lo = if bounded {
                    either(&self.min, &self.maybe_min, less)
                } else {
                    None
                };
                (lo, Some(certain))
            }
            AggFunc::Sum => {
                if !bounded {
                    return None;
                }
                let int = self.all_int && !self.maybe_decimal;
                let v = |x: ExactSum| {
                    if int {
                        Value::Int(x.int())
                    } else {
                        Value::Decimal(x.decimal())
                    }
                };
                (
                    Some(v(self.sum.plus(&self.maybe_neg))),
                    Some(v(self.sum.plus(&self.maybe_pos))),
                )
            }
            _ => return None,
        })
    }

    /// A ratio's least and greatest values while some contributions are
    /// unknown: each unknown record as a member that fails (least) or, if
    /// it may hold, as one that holds and otherwise none (most). `None`
    /// for a group that may have no member with a known condition.
    fn ratio_range(&self) -> Option<(Value, Value)> {
        let (t, f) = (self.trues, self.falses);
        if t + f + self.unknown_members == 0 {
            return None;
        }
        let ratio = |n: u64, d: u64| Value::Decimal(n as f64 / d as f64);
        Some((
            ratio(t, t + f + self.may_fail),
            ratio(t + self.may_hold, t + f + self.may_hold),
        ))
    }
}

#[derive(Clone, Debug)]
pub(super) struct GroupAcc {
    /// The group's key values as its first record (by place) wrote them:
    /// records whose keys match only once normalised (`A2`, `Ａ２`) may
    /// meet in any order, the earliest record's text is kept.
    pub(super) keys: Vec<Value>,
    /// The place (file, row) of the record `keys` come from.
    pub(super) keys_at: (u32, u32),
    /// How many records the group has (members, and records whose
    /// membership is unknown).
    records: u64,
    /// How many of them are certainly members: a group without one may
    /// have no member at all, so its violation is not certain.
    pub(super) certain: u64,
    /// The places of its first records.
    rows: Vec<(u32, u32)>,
    pub(super) aggs: Vec<AggAcc>,
    /// Fields missing in records whose contribution is unknown.
    pub(super) missing: Vec<String>,
    /// The places of the first records (by place) whose contribution is
    /// unknown: an undetermined verdict's evidence names them, wherever
    /// they are in the group.
    unknown_rows: Vec<(u32, u32)>,
}

impl GroupAcc {
    /// A group of the key values `keys` (from the record at `keys_at`),
    /// for aggregates keeping `keeps`.
    pub(super) fn new(keys: Vec<Value>, keys_at: (u32, u32), keeps: &[Keep]) -> Self {
        GroupAcc {
            keys,
            keys_at,
            records: 0,
            certain: 0,
            rows: Vec::new(),
            aggs: keeps
                .iter()
                .map(|&keep| AggAcc {
                    all_int: true,
                    keep,
                    ..AggAcc::default()
                })
                .collect(),
            missing: Vec::new(),
            unknown_rows: Vec::new(),
        }
    }

    /// `n` certain members, `firsts` the first places among them (at least
    /// as many as a list keeps): what `n` calls of [`Self::add_record`]
    /// make (see `pending`).
    pub(super) fn add_records(&mut self, n: u64, firsts: &[(u32, u32)]) {
        self.records += n;
        self.certain += n;
        for &at in firsts {
            keep_first(&mut self.rows, at, GROUP_EVIDENCE);
        }
    }

    /// Count the record at `at` in the group (before adding its inputs to
    /// the aggregates), a certain member or not (`member`).
    #[inline]
    pub(super) fn add_record(&mut self, at: (u32, u32), member: Option<bool>) {
        self.records += 1;
        self.certain += u64::from(member == Some(true));
        keep_first(&mut self.rows, at, GROUP_EVIDENCE);
    }

    /// Note that the record at `at` contributes something unknown.
    pub(super) fn add_unknown(&mut self, at: (u32, u32)) {
        keep_first(&mut self.unknown_rows, at, GROUP_EVIDENCE);
    }

    /// The places of the records a verdict's evidence names (sorted,
    /// distinct): the group's first records, those each aggregate keeps
    /// and, for an undetermined verdict (`unknown`), the first whose
    /// contribution is unknown; and how many records the group has.
    pub(super) fn evidence_rows(&self, unknown: bool) -> (Vec<(u32, u32)>, u64) {
        let mut rows = self.rows.clone();
        for a in &self.aggs {
            rows.extend(a.evidence());
        }
        if unknown {
            rows.extend(&self.unknown_rows);
        }
        rows.sort_unstable();
        rows.dedup();
        (rows, self.records)
    }

    pub(super) fn merge(&mut self, o: GroupAcc) {
        if o.keys_at < self.keys_at {
            self.keys_at = o.keys_at;
            self.keys = o.keys;
        }
        for (a, b) in self.aggs.iter_mut().zip(&o.aggs) {
            a.merge(b);
        }
        for m in o.missing {
            if !self.missing.contains(&m) {
                self.missing.push(m);
            }
        }
        self.missing.sort();
        self.records += o.records;
        self.certain += o.certain;
        merge_first(&mut self.rows, &o.rows, GROUP_EVIDENCE);
        merge_first(&mut self.unknown_rows, &o.unknown_rows, GROUP_EVIDENCE);
    }
}

#[cfg(test)]
#[path = "group_acc_tests.rs"]
mod tests;
