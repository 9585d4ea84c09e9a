//! A group's accumulators: each aggregate's partial value ([`AggAcc`])
//! and the group's key and evidence rows ([`GroupAcc`]), mergeable in any
//! order with the same result.

use super::{Range, Val, GROUP_EVIDENCE};
use crate::engine::eval::AggInput;
use crate::ir::AggFunc;
use crate::value::Value;

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
    sum: f64,
    all_int: bool,
    min: Option<Value>,
    max: Option<Value>,
    /// `first(x)`: the earliest record's place (file, row) and its value
    /// (`None`: unknown, or the record's membership is). Order-independent
    /// because the place decides, not the order of adding.
    first: Option<((u32, u32), Option<Value>)>,
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
        self.sum += o.sum;
        self.all_int &= o.all_int;
        for (mine, theirs, op) in [
            (&mut self.min, &o.min, crate::ast::CmpOp::Lt),
            (&mut self.max, &o.max, crate::ast::CmpOp::Gt),
        ] {
            if let Some(t) = theirs {
                let better = mine
                    .as_ref()
                    .is_none_or(|m| crate::engine::eval::compare(op, t, m).unwrap_or(false));
                if better {
                    *mine = Some(t.clone());
                }
            }
        }
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
            if *c {
                self.trues += 1;
            } else {
                self.falses += 1;
            }
            return;
        }
        self.add_any(func, member, input, at);
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
                    (true, Some(true)) => self.trues += 1,
                    (true, Some(false)) => self.falses += 1,
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
                        Value::Int(n) => self.sum += *n as f64,
                        Value::Decimal(x) => {
                            self.sum += x;
                            self.all_int = false;
                        }
                        _ => {}
                    }
                    let lt = |a: &Value, b: &Value| {
                        crate::engine::eval::compare(crate::ast::CmpOp::Lt, a, b).unwrap_or(false)
                    };
                    if self.min.as_ref().is_none_or(|m| lt(v, m)) {
                        self.min = Some(v.clone());
                    }
                    if self.max.as_ref().is_none_or(|m| lt(m, v)) {
                        self.max = Some(v.clone());
                    }
                }
                _ => self.unknown += 1,
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
                    Val::V(Value::Int(self.sum as i64))
                } else {
                    Val::V(Value::Decimal(self.sum))
                }
            }
            AggFunc::Min => self.min.clone().map_or(Val::Unknown, Val::V),
            AggFunc::Max => self.max.clone().map_or(Val::Unknown, Val::V),
        }
    }

    /// The values the aggregate can take while some contributions are
    /// unknown (see [`Range`]): `None` when it is known, or could be
    /// anything (a `sum`; a `ratio` or `max` of a group that may have no
    /// member with a known value).
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
                // Each unknown record as a member that fails (least) or, if
                // it may hold, as one that holds and otherwise none (most).
                let (t, f) = (self.trues, self.falses);
                if t + f + self.unknown_members == 0 {
                    return None;
                }
                let ratio = |n: u64, d: u64| Some(Value::Decimal(n as f64 / d as f64));
                (
                    ratio(t, t + f + self.may_fail),
                    ratio(t + self.may_hold, t + f + self.may_hold),
                )
            }
            AggFunc::Max => (Some(self.max.clone()?), None),
            AggFunc::Min => (None, Some(self.min.clone()?)),
            AggFunc::Sum | AggFunc::Any | AggFunc::All | AggFunc::First => return None,
        };
        Some(Range { lo, hi })
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
    pub(super) rows: Vec<(u32, u32)>,
    pub(super) aggs: Vec<AggAcc>,
    /// Fields missing in records whose contribution is unknown.
    pub(super) missing: Vec<String>,
    /// The places of the first records (by place) whose contribution is
    /// unknown: an undetermined verdict's evidence names them, wherever
    /// they are in the group.
    pub(super) unknown_rows: Vec<(u32, u32)>,
}

impl GroupAcc {
    pub(super) fn new(keys: Vec<Value>, keys_at: (u32, u32), aggs: usize) -> Self {
        GroupAcc {
            keys,
            keys_at,
            rows: Vec::new(),
            aggs: vec![
                AggAcc {
                    all_int: true,
                    ..AggAcc::default()
                };
                aggs
            ],
            missing: Vec::new(),
            unknown_rows: Vec::new(),
        }
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
        for (mine, theirs) in [
            (&mut self.rows, o.rows),
            (&mut self.unknown_rows, o.unknown_rows),
        ] {
            mine.extend(theirs);
            mine.sort_unstable();
            mine.dedup();
            mine.truncate(GROUP_EVIDENCE);
        }
    }
}
