//! Evaluating checked expressions over one record (or one group), in
//! Kleene's three-valued logic: a value the expression needs and the record
//! lacks makes the result unknown, and the missing fields are remembered.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::data::{Absence, Data};
use super::index::{Hit, Index, Key};
use crate::ast::{CmpOp, IsTest};
use crate::calendar::{add_months, add_years, age_in_full_years, Calendar};
use crate::ir::{AggFunc, ArithOp, Const, Func, IrExpr, Program, RuleDef};
use crate::schema::Schema;
use crate::text::{intern, Text};
use crate::value::Value;

/// An evaluated expression.
#[derive(Clone, Debug)]
pub enum Val {
    V(Value),
    /// Not known: a needed value is missing.
    Unknown,
    /// The ranged record.
    Var,
    /// A looked-up record: dataset and row index.
    Rec(usize, u32),
    /// A lookup that found nothing (`none`).
    Nothing,
    List(Arc<Vec<Value>>),
    Map(Arc<Vec<(Value, Value)>>),
}

impl Val {
    fn of_const(c: &Const) -> Val {
        match c {
            Const::Value(v) => Val::V(v.clone()),
            Const::List(l) => Val::List(Arc::clone(l)),
            Const::Map(m) => Val::Map(Arc::clone(m)),
        }
    }
}

/// What every evaluation shares: the program, the data, the indexes.
pub struct Env<'a> {
    pub program: &'a Program,
    pub schema: &'a Schema,
    /// The datasets held in memory (lookups, evidence) and every file's name.
    pub data: &'a Data,
    pub indexes: Vec<Option<Index>>,
    pub params: Vec<Option<Const>>,
    pub as_of: NaiveDate,
    pub calendar: &'a Calendar,
    /// Aggregate nodes (by address) → their slot in a group's accumulators.
    pub agg_slots: HashMap<usize, usize>,
    /// Per dataset, the index of its `event_date` field.
    pub event_field: Vec<Option<usize>>,
    /// The names every verdict repeats, interned once.
    pub names: Names,
}

/// The names a run's findings and undetermined verdicts repeat (a rule's
/// code and name, a dataset's and a field's), interned once
/// ([`crate::text::intern`]): a dirty export's million verdicts each copy
/// a pointer where each held a string of its own.
pub struct Names {
    /// By rule code: the code and the rule's name.
    rules: HashMap<String, (Text, Text)>,
    /// Per dataset.
    pub datasets: Vec<Text>,
    /// Per dataset, per field.
    pub fields: Vec<Vec<Text>>,
}

impl Names {
    pub fn of(program: &Program, schema: &Schema) -> Names {
        Names {
            rules: program
                .rules
                .iter()
                .map(|r| (r.code.clone(), (intern(&r.code), intern(&r.name))))
                .collect(),
            datasets: schema.datasets.iter().map(|d| intern(&d.name)).collect(),
            fields: schema
                .datasets
                .iter()
                .map(|d| d.fields.iter().map(|f| intern(&f.name)).collect())
                .collect(),
        }
    }

    /// A rule's code and name (interned here when the rule is not the
    /// program's: never, in a run).
    pub fn rule(&self, rule: &RuleDef) -> (Text, Text) {
        match self.rules.get(&rule.code) {
            Some((code, name)) => (code.clone(), name.clone()),
            None => (intern(&rule.code), intern(&rule.name)),
        }
    }
}

/// The aggregates of one group, as the group-level clauses see them.
pub struct GroupView<'a> {
    pub keys: &'a [Value],
    pub aggs: &'a [Val],
    /// Per aggregate slot: for an aggregate that is unknown because some
    /// records' contribution (or membership) is, the values it can still
    /// take (see [`Range`]). A comparison the whole range decides is decided
    /// (`count(x) == 0` with one record known to hold is false, whatever the
    /// unknown ones are); a message shows "至少 n", not "—".
    pub bounds: &'a [Option<Range>],
}

/// The values an unknown aggregate can take, whatever its unknown
/// contributions turn out to be: at least `lo` and at most `hi` (`None`:
/// no bound on that side). A `count` lies between the members known to
/// hold and those plus the unknown ones; a `ratio` between its value with
/// every unknown record a member that fails and with every one that may
/// hold holding; a `max` is at least the greatest known value, a `min` at
/// most the least, and bounded on the other side too when every record
/// that may join has a known value; a `sum` then lies between the
/// members' sum plus the negative and plus the positive values that may
/// join (`group_acc::AggAcc::value_range`).
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    pub lo: Option<Value>,
    pub hi: Option<Value>,
}

/// A [`Range`] of numbers, its missing ends infinite, for arithmetic on
/// ranges ([`Frame::unknown_range`]).
#[derive(Clone, Copy, Debug)]
struct Interval {
    lo: f64,
    hi: f64,
}

impl Interval {
    fn point(x: f64) -> Interval {
        Interval { lo: x, hi: x }
    }

    /// `None` when an end is no number (a date's `max`).
    fn of_range(r: &Range) -> Option<Interval> {
        let end = |v: &Option<Value>, none: f64| match v {
            Some(v) => num(v).filter(|x| !x.is_nan()),
            None => Some(none),
        };
        Some(Interval {
            lo: end(&r.lo, f64::NEG_INFINITY)?,
            hi: end(&r.hi, f64::INFINITY)?,
        })
    }

    fn into_range(self) -> Range {
        let end = |x: f64| x.is_finite().then_some(Value::Decimal(x));
        Range {
            lo: end(self.lo),
            hi: end(self.hi),
        }
    }

    /// The interval of `self op other`; `None` when it is not one (a
    /// divisor that may be zero, an infinite end times zero).
    fn arith(self, op: ArithOp, other: Interval) -> Option<Interval> {
        let (lo, hi) = match op {
            ArithOp::Add => (self.lo + other.lo, self.hi + other.hi),
            ArithOp::Sub => (self.lo - other.hi, self.hi - other.lo),
            ArithOp::Mul | ArithOp::Div => {
                if op == ArithOp::Div && other.lo <= 0.0 && other.hi >= 0.0 {
                    return None;
                }
                let f = |a: f64, b: f64| if op == ArithOp::Mul { a * b } else { a / b };
                let ends = [
                    f(self.lo, other.lo),
                    f(self.lo, other.hi),
                    f(self.hi, other.lo),
                    f(self.hi, other.hi),
                ];
                let lo = ends.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = ends.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                if ends.iter().any(|x| x.is_nan()) {
                    return None;
                }
                (lo, hi)
            }
        };
        (!lo.is_nan() && !hi.is_nan()).then_some(Interval { lo, hi })
    }
}

/// A field read while deciding, for the evidence of a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Touched {
    /// `None`: the ranged record; `Some((dataset, row))`: a looked-up one.
    pub record: Option<(usize, u32)>,
    pub field: usize,
    pub dataset: usize,
}

/// The evaluation of one rule on one record or group.
/// Lookups already made for the current record, shared by every rule that
/// judges it (they look up the same item again and again).
pub type LookupCache = std::cell::RefCell<Vec<(usize, Vec<Key>, Option<NaiveDate>, Hit)>>;

pub struct Frame<'a> {
    pub env: &'a Env<'a>,
    cache: Option<&'a LookupCache>,
    pub rule: &'a RuleDef,
    pub values: &'a [Value],
    pub group: Option<GroupView<'a>>,
    lets: Vec<Option<Val>>,
    pub missing: Vec<String>,
    /// The looked-up records whose empty or unreadable field made a value
    /// unknown (`catalogue.promised_days` of an item that is listed): an
    /// undetermined verdict names their rows, so that a listed item's empty
    /// cell is told from an item not listed, which has none.
    pub missing_at: Vec<Touched>,
    pub touched: Option<Vec<Touched>>,
    /// [`Frame::unknown_range`] of each group-level `let` met so far.
    let_ranges: std::collections::HashMap<usize, Option<Range>>,
    depth: u8,
    /// The value each `workdays` call over days no notice settles takes in
    /// this evaluation (by the call's identity), see [`Frame::settled`].
    picks: Vec<(usize, i64)>,
    /// The `workdays` calls met over days no notice settles, not picked:
    /// (identity, least, most).
    unsettled: Vec<(usize, i64, i64)>,
    /// For a finding's message: such a call that `picks` does not name (in
    /// a message hole, not the clause that decided) at its least (`false`)
    /// or most (`true`) count, as the picks are.
    extremes: Option<bool>,
    /// Whether `extremes` gave a call its count.
    extremes_used: bool,
}

/// The most evaluations [`Frame::settled`] makes of one judgement (the
/// product of the values each unsettled count may take): 29-31 December
/// before the next year's notice leave at most four values a count, and
/// an audit in the first two months of a year whose notice is not yet
/// held up to 64 (a count over its unknown days so far).
const MAX_SETTLINGS: u64 = 64;

/// How a missing notice is named among a verdict's missing values
/// (`工作日历(2027年未收录)`), and found again when enumeration decides.
const CALENDAR_NOTE: &str = "工作日历(";

/// A date's or a date and time's day (an event date, `date(x)`), else `None`.
pub(crate) fn to_date(v: &Value) -> Option<NaiveDate> {
    match v {
        Value::Date(d) => Some(*d),
        Value::DateTime(d) => Some(d.date()),
        _ => None,
    }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(n) => Some(*n as f64),
        Value::Decimal(x) => Some(*x),
        _ => None,
    }
}

/// Do two known values compare as `op` says?
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> Option<bool> {
    ordering(a, b).map(|ord| holds(op, ord))
}

/// How two known values compare (`None`: they do not, a text and a number).
pub fn ordering(a: &Value, b: &Value) -> Option<Ordering> {
    Some(match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Str(x), Value::Str(y)) => crate::value::text_cmp(x, y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::DateTime(x), Value::DateTime(y)) => x.cmp(y),
        (Value::Date(x), Value::DateTime(y)) => x.and_time(chrono::NaiveTime::MIN).cmp(y),
        (Value::DateTime(x), Value::Date(y)) => x.cmp(&y.and_time(chrono::NaiveTime::MIN)),
        _ => crate::value::compare_numbers(num(a)?, num(b)?)?,
    })
}

/// Does an ordering satisfy `op`?
pub fn holds(op: CmpOp, ord: Ordering) -> bool {
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    compare(CmpOp::Eq, a, b).unwrap_or(false)
}

impl<'a> Frame<'a> {
    pub fn new(env: &'a Env<'a>, rule: &'a RuleDef, values: &'a [Value]) -> Self {
        Self::with_lets(env, rule, values, Vec::new())
    }

    /// A frame reusing the `let` cache of an earlier one (no allocation).
    pub fn with_lets(
        env: &'a Env<'a>,
        rule: &'a RuleDef,
        values: &'a [Value],
        mut lets: Vec<Option<Val>>,
    ) -> Self {
        lets.clear();
        lets.resize(rule.lets.len(), None);
        Frame {
            env,
            cache: None,
            rule,
            values,
            group: None,
            lets,
            missing: Vec::new(),
            missing_at: Vec::new(),
            touched: None,
            let_ranges: std::collections::HashMap::new(),
            depth: 0,
            picks: Vec::new(),
            unsettled: Vec::new(),
            extremes: None,
            extremes_used: false,
        }
    }

    /// `judge` of this frame; when it is unknown because working days were
    /// counted over days no notice settles (29-31 December before the next
    /// year's notice) and those counts can take few values, `judge` of the
    /// record with each of them: the value they all give, or unknown. A
    /// count that may take more than `MAX_SETTLINGS` (64) values (over more
    /// than two months of a year not published) stays unknown.
    pub fn settled<T: PartialEq>(
        &mut self,
        judge: impl Fn(&mut Frame<'a>) -> Option<T>,
    ) -> Option<T> {
        let first = judge(self);
        if first.is_some() || self.unsettled.is_empty() {
            return first;
        }
        let counts: Vec<(usize, i64, u64)> = self
            .unsettled
            .iter()
            .map(|&(id, least, most)| {
                (
                    id,
                    least,
                    u64::try_from(most - least + 1).unwrap_or(u64::MAX),
                )
            })
            .collect();
        let all = counts
            .iter()
            .try_fold(1_u64, |n, &(.., k)| n.checked_mul(k))
            .filter(|&n| n <= MAX_SETTLINGS)?;
        let mut agreed = None;
        for mut k in 0..all {
            let mut g = Frame::new(self.env, self.rule, self.values);
            g.cache = self.cache;
            g.depth = self.depth;
            g.picks = counts
                .iter()
                .map(|&(id, least, n)| {
                    let pick = least + i64::try_from(k % n).unwrap_or(0);
                    k /= n;
                    (id, pick)
                })
                .collect();
            let v = judge(&mut g)?;
            if !g.unsettled.is_empty() {
                return None;
            }
            match &agreed {
                Some(a) if *a != v => return None,
                Some(_) => {}
                None => agreed = Some(v),
            }
        }
        // Decided: the notices missing are not why anything is unknown.
        self.missing.retain(|m| !m.starts_with(CALENDAR_NOTE));
        agreed
    }

    /// Each unsettled count met at its least (`false`) or most (`true`)
    /// value: what a finding decided by [`Frame::settled`] shows.
    pub fn extreme_picks(&self, most: bool) -> Vec<(usize, i64)> {
        self.unsettled
            .iter()
            .map(|&(id, least, top)| (id, if most { top } else { least }))
            .collect()
    }

    /// This frame with unsettled counts taking the values `picks` gives.
    #[must_use]
    pub fn with_picks(mut self, picks: Vec<(usize, i64)>) -> Self {
        self.picks = picks;
        self
    }

    /// This frame, for a message, with the unsettled counts `picks` does
    /// not name at their least (`false`) or most (`true`).
    #[must_use]
    pub fn with_extremes(mut self, most: bool) -> Self {
        self.set_extremes(most);
        self
    }

    /// See [`Frame::with_extremes`].
    pub fn set_extremes(&mut self, most: bool) {
        self.extremes = Some(most);
    }

    /// Whether a count took its value from [`Frame::with_extremes`].
    pub fn extremes_used(&self) -> bool {
        self.extremes_used
    }

    pub fn for_group(env: &'a Env<'a>, rule: &'a RuleDef, group: GroupView<'a>) -> Self {
        let mut f = Frame::new(env, rule, &[]);
        f.group = Some(group);
        f
    }

    /// Share the lookups of the current record with other frames.
    #[must_use]
    pub fn with_cache(mut self, cache: &'a LookupCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Give back the `let` cache for the next frame.
    pub fn into_lets(self) -> Vec<Option<Val>> {
        self.lets
    }

    /// Record the fields read, for evidence.
    #[must_use]
    pub fn track(mut self) -> Self {
        self.touched = Some(Vec::new());
        self
    }

    fn name_of(&self, e: &IrExpr) -> Option<String> {
        match e {
            IrExpr::Field {
                base,
                dataset,
                field,
            } => {
                let ds = &self.env.schema.datasets[*dataset];
                let f = &ds.fields[*field].name;
                Some(if matches!(**base, IrExpr::Var) {
                    f.clone()
                } else {
                    format!("{}.{f}", ds.name)
                })
            }
            IrExpr::LetRef(i) => Some(self.rule.lets[*i].name.clone()),
            IrExpr::Param(i) => Some(self.env.program.params[*i].name.clone()),
            _ => None,
        }
    }

    /// Note why a value is unknown, in the place of a missing field's name
    /// (`(计算溢出)`, `amount(除数为零)`).
    fn note(&mut self, why: &str) {
        if !self.missing.iter().any(|m| m == why) {
            self.missing.push(why.to_string());
        }
    }

    /// A map without the key a value was needed for (`limit_for[case.dept]`
    /// of a department the parameter leaves out): named with the key
    /// (`limit_for[民政局]`), as a missing field is.
    fn map_miss(&mut self, e: &IrExpr) {
        // (Through a `let` that is one: `let lim = limit_for[case.dept]`.)
        let e = match e {
            IrExpr::LetRef(i) => match self.rule.lets.get(*i) {
                Some(def) => &def.expr,
                None => return,
            },
            e => e,
        };
        let IrExpr::MapGet { map, key } = e else {
            return;
        };
        let name = self.name_of(map).unwrap_or_else(|| "映射".to_string());
        let key = match self.eval(key) {
            Val::V(v) => v.to_string(),
            _ => String::new(),
        };
        self.note(&format!("{name}[{key}]"));
    }

    fn miss(&mut self, e: &IrExpr) {
        if let Some(n) = self.name_of(e) {
            if !self.missing.contains(&n) {
                self.missing.push(n);
            }
        }
        if let IrExpr::Field {
            base,
            dataset,
            field,
        } = e
        {
            if !matches!(**base, IrExpr::Var) {
                // (The lookup again: cached, and only on this rare path.)
                if let Val::Rec(ds, row) = self.eval(base) {
                    let at = Touched {
                        record: Some((ds, row)),
                        field: *field,
                        dataset: *dataset,
                    };
                    if !self.missing_at.contains(&at) {
                        self.missing_at.push(at);
                    }
                }
            }
        }
    }

    /// A field of the ranged record or a constant, borrowed: `None` for any
    /// other expression (and while evidence is being tracked).
    fn peek<'s>(&'s self, e: &'s IrExpr) -> Option<&'s Value> {
        if self.touched.is_some() {
            return None;
        }
        match e {
            IrExpr::Field { base, field, .. } if matches!(**base, IrExpr::Var) => {
                self.values.get(*field)
            }
            IrExpr::Const(Const::Value(v)) => Some(v),
            _ => None,
        }
    }

    /// A constant list or a list parameter, borrowed.
    fn peek_list<'s>(&'s self, e: &'s IrExpr) -> Option<&'s [Value]> {
        match e {
            IrExpr::Const(Const::List(l)) => Some(l),
            IrExpr::Param(i) => match self.env.params.get(*i)? {
                Some(Const::List(l)) => Some(l),
                _ => None,
            },
            _ => None,
        }
    }

    /// A known scalar, or `None` (and the missing field remembered).
    pub fn need(&mut self, e: &IrExpr) -> Option<Value> {
        match self.eval(e) {
            Val::V(Value::Empty | Value::Invalid) => {
                self.miss(e);
                None
            }
            Val::Nothing => {
                self.map_miss(e);
                None
            }
            Val::V(v) => Some(v),
            _ => None,
        }
    }

    /// A condition: `Some(b)`, or `None` when unknown.
    pub fn tri(&mut self, e: &IrExpr) -> Option<bool> {
        match self.need(e)? {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn eval(&mut self, e: &IrExpr) -> Val {
        match e {
            IrExpr::Const(c) => Val::of_const(c),
            IrExpr::Var => Val::Var,
            IrExpr::AsOf => Val::V(Value::Date(self.env.as_of)),
            IrExpr::Param(i) => match &self.env.params[*i] {
                Some(c) => Val::of_const(c),
                None => Val::V(Value::Empty),
            },
            IrExpr::LetRef(i) => {
                if let Some(v) = &self.lets[*i] {
                    return v.clone();
                }
                let rule = self.rule;
                let v = self.eval(&rule.lets[*i].expr);
                self.lets[*i] = Some(v.clone());
                v
            }
            IrExpr::Field {
                base,
                dataset,
                field,
            } => self.field(base, *dataset, *field),
            IrExpr::Lookup {
                dataset,
                keys,
                valid_on,
            } => self.lookup(*dataset, keys, valid_on.as_deref()),
            IrExpr::MapGet { map, key } => {
                let Val::Map(entries) = self.eval(map) else {
                    return Val::Unknown;
                };
                let Some(k) = self.need(key) else {
                    return Val::Unknown;
                };
                entries
                    .iter()
                    .find(|(ek, _)| values_equal(ek, &k))
                    .map_or(Val::Nothing, |(_, v)| Val::V(v.clone()))
            }
            IrExpr::Call { func, args } => self.call(*func, args),
            IrExpr::Agg { .. } => {
                let slot = self.env.agg_slots.get(&(std::ptr::from_ref(e) as usize));
                match (slot, &self.group) {
                    (Some(&s), Some(g)) => g.aggs.get(s).cloned().unwrap_or(Val::Unknown),
                    _ => Val::Unknown,
                }
            }
            IrExpr::GroupKey(i) => match &self.group {
                Some(g) => g.keys.get(*i).cloned().map_or(Val::Unknown, Val::V),
                None => Val::Unknown,
            },
            IrExpr::Fires(idx) => {
                if usize::from(self.depth) >= crate::check::MAX_FIRES_DEPTH {
                    return Val::Unknown;
                }
                let rule = &self.env.program.rules[*idx];
                let mut inner = Frame::new(self.env, rule, self.values);
                inner.depth = self.depth + 1;
                let v = inner.settled(Frame::violation);
                for m in inner.missing {
                    if !self.missing.contains(&m) {
                        self.missing.push(m);
                    }
                }
                v.map_or(Val::Unknown, |b| Val::V(Value::Bool(b)))
            }
            IrExpr::Not(inner) => self
                .tri(inner)
                .map_or(Val::Unknown, |b| Val::V(Value::Bool(!b))),
            IrExpr::Neg(inner) => match self.need(inner) {
                Some(Value::Int(n)) => n.checked_neg().map_or_else(
                    || {
                        // (The least 64-bit integer has no negative.)
                        self.note("(计算溢出)");
                        Val::Unknown
                    },
                    |m| Val::V(Value::Int(m)),
                ),
                Some(Value::Decimal(x)) => Val::V(Value::Decimal(-x)),
                _ => Val::Unknown,
            },
            IrExpr::And(a, b) => {
                let l = self.tri(a);
                if l == Some(false) {
                    return Val::V(Value::Bool(false));
                }
                match (l, self.tri(b)) {
                    (_, Some(false)) => Val::V(Value::Bool(false)),
                    (Some(true), Some(true)) => Val::V(Value::Bool(true)),
                    _ => Val::Unknown,
                }
            }
            IrExpr::Or(a, b) => {
                let l = self.tri(a);
                if l == Some(true) {
                    return Val::V(Value::Bool(true));
                }
                match (l, self.tri(b)) {
                    (_, Some(true)) => Val::V(Value::Bool(true)),
                    (Some(false), Some(false)) => Val::V(Value::Bool(false)),
                    _ => Val::Unknown,
                }
            }
            IrExpr::Arith(op, a, b) => {
                let (Some(x), Some(y)) = (self.need(a), self.need(b)) else {
                    return Val::Unknown;
                };
                arith(*op, &x, &y).map_or_else(
                    || {
                        // Known values without a result: say why, in the
                        // place of a missing field's name.
                        let zero = *op == ArithOp::Div && num(&y) == Some(0.0);
                        let note = match self.name_of(b).filter(|_| zero) {
                            Some(n) => format!("{n}(除数为零)"),
                            None if zero => "(除数为零)".to_string(),
                            None => "(计算溢出)".to_string(),
                        };
                        self.note(&note);
                        Val::Unknown
                    },
                    Val::V,
                )
            }
            IrExpr::Cmp(op, a, b) => {
                // Fast path: a field of the record against a constant, compared
                // in place (no clone of either value).
                if let (Some(x), Some(y)) = (self.peek(a), self.peek(b)) {
                    return match (x.is_missing(), y.is_missing()) {
                        (false, false) => {
                            compare(*op, x, y).map_or(Val::Unknown, |r| Val::V(Value::Bool(r)))
                        }
                        (mx, my) => {
                            if mx {
                                self.miss(a);
                            }
                            if my {
                                self.miss(b);
                            }
                            Val::Unknown
                        }
                    };
                }
                if let Some(v) = self.bounded_cmp(*op, a, b) {
                    return v;
                }
                let x = self.need(a);
                let y = self.need(b);
                match (x, y) {
                    (Some(x), Some(y)) => {
                        compare(*op, &x, &y).map_or(Val::Unknown, |r| Val::V(Value::Bool(r)))
                    }
                    _ => Val::Unknown,
                }
            }
            IrExpr::In { negated, item, set } => {
                if let (Some(x), Some(list)) = (self.peek(item), self.peek_list(set)) {
                    if x.is_missing() {
                        self.miss(item);
                        return Val::Unknown;
                    }
                    return Val::V(Value::Bool(
                        list.iter().any(|v| values_equal(v, x)) != *negated,
                    ));
                }
                let x = self.need(item);
                let s = self.eval(set);
                let Some(x) = x else { return Val::Unknown };
                let found = match s {
                    Val::List(l) => l.iter().any(|v| values_equal(v, &x)),
                    Val::Map(m) => m.iter().any(|(k, _)| values_equal(k, &x)),
                    _ => return Val::Unknown,
                };
                Val::V(Value::Bool(found != *negated))
            }
            IrExpr::Is {
                negated,
                test,
                expr,
            } => {
                let v = self.eval(expr);
                let is = match v {
                    Val::Nothing | Val::V(Value::Empty) => true,
                    Val::V(Value::Str(s)) => s.trim().is_empty() && *test == IsTest::Empty,
                    Val::List(l) => l.is_empty() && *test == IsTest::Empty,
                    Val::V(Value::Invalid) => {
                        self.miss(expr);
                        return Val::Unknown;
                    }
                    Val::Unknown => return Val::Unknown,
                    _ => false,
                };
                Val::V(Value::Bool(is != *negated))
            }
            IrExpr::If(c, t, f) => match self.tri(c) {
                Some(true) => self.eval(t),
                Some(false) => self.eval(f),
                None => Val::Unknown,
            },
            IrExpr::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    match self.need(i) {
                        Some(v) => out.push(v),
                        None => return Val::Unknown,
                    }
                }
                Val::List(Arc::new(out))
            }
        }
    }

    fn field(&mut self, base: &IrExpr, dataset: usize, field: usize) -> Val {
        let data = self.env.data;
        let (record, value) = match self.eval(base) {
            Val::Var => (
                None,
                self.values.get(field).cloned().unwrap_or(Value::Empty),
            ),
            Val::Rec(ds, row) => (
                Some((ds, row)),
                data.tables[ds][row as usize].values[field].clone(),
            ),
            Val::Nothing => {
                let ds = &self.env.schema.datasets[dataset];
                let n = format!("{}.{}", ds.name, ds.fields[field].name);
                if !self.missing.contains(&n) {
                    self.missing.push(n);
                }
                return Val::Unknown;
            }
            _ => return Val::Unknown,
        };
        if let Some(t) = &mut self.touched {
            let touched = Touched {
                record,
                field,
                dataset,
            };
            if !t.contains(&touched) {
                t.push(touched);
            }
        }
        Val::V(value)
    }

    fn lookup(&mut self, dataset: usize, keys: &[IrExpr], valid_on: Option<&IrExpr>) -> Val {
        let mut key = Vec::with_capacity(keys.len());
        let mut unknown = false;
        for k in keys {
            match self.need(k).as_ref().and_then(Key::of) {
                Some(k) => key.push(k),
                None => unknown = true,
            }
        }
        let on = valid_on.and_then(|v| {
            let d = self.need(v).as_ref().and_then(to_date);
            unknown |= d.is_none();
            d
        });
        if unknown {
            return Val::Unknown;
        }
        let Some(index) = self.env.indexes.get(dataset).and_then(Option::as_ref) else {
            // The export has no records of this dataset at all: whether a
            // match exists is not known (never "no match"). Not given, or
            // given in a file that could not be read.
            let name = format!(
                "{}({})",
                self.env.schema.datasets[dataset].name,
                self.env.data.absence[dataset].unwrap_or_default().label()
            );
            if !self.missing.contains(&name) {
                self.missing.push(name);
            }
            return Val::Unknown;
        };
        let cached = self.cache.and_then(|c| {
            c.borrow()
                .iter()
                .find(|(d, k, o, _)| *d == dataset && *o == on && *k == key)
                .map(|(_, _, _, h)| *h)
        });
        let hit = if let Some(h) = cached {
            h
        } else {
            let h = index.get(&key, on, &self.env.data.tables[dataset]);
            if let Some(c) = self.cache {
                c.borrow_mut().push((dataset, key.clone(), on, h));
            }
            h
        };
        match hit {
            Hit::Row(r) => Val::Rec(dataset, r),
            Hit::None => Val::Nothing,
            Hit::Unknown => {
                let candidates = index.candidates(&key);
                self.unknown_validity(dataset, candidates);
                self.unread_rows(dataset, &index.unread_places(candidates));
                Val::Unknown
            }
        }
    }

    /// A lookup is unknown when a row that could not be read may hold its
    /// key: name each such row as missing (`units(无法读取: 进驻单位.csv 第 3 行)`),
    /// or the file not read (`units(无法读取: 进驻单位2.csv)`).
    fn unread_rows(&mut self, dataset: usize, places: &[(u32, Option<u32>)]) {
        for &(file, row) in places {
            let f = &self.env.data.files[file as usize];
            let sheet = f
                .sheet
                .as_ref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default();
            let row = row.map(|r| format!(" 第 {r} 行")).unwrap_or_default();
            let name = format!(
                "{}({}: {}{sheet}{row})",
                self.env.schema.datasets[dataset].name,
                Absence::Unreadable.label(),
                f.path
            );
            if !self.missing.contains(&name) {
                self.missing.push(name);
            }
        }
    }

    /// A dated lookup is unknown when a candidate's validity bound does not
    /// parse: name those bounds as missing, and their rows as evidence.
    fn unknown_validity(&mut self, dataset: usize, candidates: &[u32]) {
        let ds = &self.env.schema.datasets[dataset];
        let Some((from, to)) = &ds.valid else {
            return;
        };
        let bounds: Vec<usize> = [from, to]
            .into_iter()
            .filter_map(|f| ds.field_index(f))
            .collect();
        for &r in candidates {
            // (An unread row has no values: `unread_rows` names it.)
            let Some(row) = self.env.data.tables[dataset].get(r as usize) else {
                continue;
            };
            let values = &row.values;
            for &f in &bounds {
                if !matches!(values[f], Value::Invalid) {
                    continue;
                }
                let name = format!("{}.{}", ds.name, ds.fields[f].name);
                if !self.missing.contains(&name) {
                    self.missing.push(name);
                }
                if let Some(t) = &mut self.touched {
                    let touched = Touched {
                        record: Some((dataset, r)),
                        field: f,
                        dataset,
                    };
                    if !t.contains(&touched) {
                        t.push(touched);
                    }
                }
            }
        }
    }

    fn call(&mut self, func: Func, args: &[IrExpr]) -> Val {
        if func == Func::Coalesce {
            return match self.eval(&args[0]) {
                Val::V(Value::Empty) | Val::Nothing => self.eval(&args[1]),
                Val::V(Value::Invalid) => {
                    self.miss(&args[0]);
                    Val::Unknown
                }
                v => v,
            };
        }
        // A list's length is known whatever its items hold (a list is no
        // scalar value: the loop below would find it missing).
        if func == Func::Len {
            let n = match &args[0] {
                IrExpr::List(items) => Some(items.len()),
                e => self.peek_list(e).map(<[Value]>::len),
            };
            if let Some(n) = n {
                return Val::V(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)));
            }
        }
        // Every argument is evaluated, so that the missing list names each
        // missing one (`age(birth_date, start_date)` with both unparsable).
        let mut vals = Vec::with_capacity(args.len());
        let mut known = true;
        for a in args {
            match self.need(a) {
                Some(v) => vals.push(v),
                None => known = false,
            }
        }
        if !known {
            return Val::Unknown;
        }
        let cal = self.env.calendar;
        let date = |i: usize| to_date(&vals[i]);
        let int = |i: usize| match &vals[i] {
            Value::Int(n) => Some(*n),
            _ => None,
        };
        let out = match func {
            Func::Date => date(0).map(Value::Date),
            // Over a day whose status no notice held settles (a year not
            // yet published): unknown, naming the notice.
            // (The checker gives it dates; anything else counts from the
            // default date, as before, and is as unknown as that is.)
            Func::Workdays => match (date(0), date(1)) {
                (Some(a), Some(b)) => {
                    let day = |d: NaiveDate| i64::from(chrono::Datelike::num_days_from_ce(&d));
                    match cal.workdays_bounds(day(a), day(b)) {
                        Ok(n) => Some(Value::Int(n)),
                        Err(u) => {
                            // (A call is known by its arguments' place in the IR.)
                            let id = args.as_ptr() as usize;
                            if let Some(&(_, n)) = self.picks.iter().find(|(i, _)| *i == id) {
                                Some(Value::Int(n))
                            } else if let Some(most) = self.extremes {
                                self.extremes_used = true;
                                Some(Value::Int(if most { u.most } else { u.least }))
                            } else {
                                if !self.unsettled.iter().any(|(i, ..)| *i == id) {
                                    self.unsettled.push((id, u.least, u.most));
                                }
                                self.note(&format!("{CALENDAR_NOTE}{}年未收录)", u.year));
                                None
                            }
                        }
                    }
                }
                // (The checker gives it dates or datetimes.)
                _ => None,
            },
            Func::Days => match (date(0), date(1)) {
                (Some(a), Some(b)) => Some(Value::Int((b - a).num_days())),
                _ => None,
            },
            Func::Age => match (date(0), date(1)) {
                (Some(a), Some(b)) => Some(Value::Int(age_in_full_years(a, b))),
                _ => None,
            },
            Func::AddYears => match (date(0), int(1)) {
                (Some(d), Some(n)) => add_years(d, n).map(Value::Date),
                _ => None,
            },
            Func::AddMonths => match (date(0), int(1)) {
                (Some(d), Some(n)) => add_months(d, n).map(Value::Date),
                _ => None,
            },
            Func::AddDays => match (date(0), int(1)) {
                (Some(d), Some(n)) => chrono::TimeDelta::try_days(n)
                    .and_then(|t| d.checked_add_signed(t))
                    .map(Value::Date),
                _ => None,
            },
            Func::Year => date(0).map(|d| Value::Int(i64::from(chrono::Datelike::year(&d)))),
            Func::Month => date(0).map(|d| Value::Int(i64::from(chrono::Datelike::month(&d)))),
            Func::Len => match &vals[0] {
                Value::Str(s) => Some(Value::Int(s.chars().count() as i64)),
                _ => None,
            },
            Func::Contains => match (&vals[0], &vals[1]) {
                (Value::Str(a), Value::Str(b)) => {
                    Some(Value::Bool(crate::value::text_contains(a, b)))
                }
                _ => None,
            },
            Func::Coalesce => None,
        };
        if out.is_none()
            && matches!(func, Func::AddYears | Func::AddMonths | Func::AddDays)
            && date(0).is_some()
            && int(1).is_some()
        {
            // Known arguments without a result: past the calendar's ends,
            // noted as an arithmetic overflow is.
            self.note("(计算溢出)");
        }
        out.map_or(Val::Unknown, Val::V)
    }

    /// Is the record dated before the rule applies? `Some(false)`: not applicable.
    pub fn applicable(&self) -> bool {
        let Some(from) = self.rule.effective_from else {
            return true;
        };
        let Some(f) = self.env.event_field[self.rule.dataset] else {
            return true;
        };
        match self.values.get(f).and_then(to_date) {
            Some(d) => d >= from,
            None => true,
        }
    }

    /// The Kleene AND of conditions: false as soon as one is false.
    fn all_of(&mut self, conditions: &[IrExpr]) -> Option<bool> {
        let mut acc = Some(true);
        for c in conditions {
            match self.tri(c) {
                Some(false) => return Some(false),
                Some(true) => {}
                None => acc = None,
            }
        }
        acc
    }

    /// Does the record pass the record-level filters (the `when`s)?
    pub fn member(&mut self) -> Option<bool> {
        self.all_of(&self.rule.filters)
    }

    /// violation = member ∧ ¬require, in Kleene's logic.
    fn judge(&mut self, member: Option<bool>) -> Option<bool> {
        if member == Some(false) {
            return Some(false);
        }
        let ok = match &self.rule.require {
            Some(r) => self.tri(r),
            None => Some(true),
        };
        match (member, ok) {
            (_, Some(true)) => Some(false),
            (Some(true), Some(false)) => Some(true),
            _ => None,
        }
    }

    /// The verdict of a per-record rule: `Some(true)` = a violation.
    pub fn violation(&mut self) -> Option<bool> {
        if !self.applicable() {
            return Some(false);
        }
        let member = self.member();
        self.judge(member)
    }

    /// The verdict of a group: group filters and `require`.
    pub fn group_violation(&mut self) -> Option<bool> {
        let member = self.all_of(&self.rule.group_filters);
        self.judge(member)
    }

    /// The range of an unknown aggregate of the current group (see
    /// [`GroupView::bounds`]), with the aggregate's function.
    fn agg_range(&self, e: &IrExpr) -> Option<(AggFunc, Range)> {
        // Through a group-level `let` (`let r = ratio(…)`, `require r <= 50%`).
        if let IrExpr::LetRef(i) = e {
            let def = self.rule.lets.get(*i)?;
            return if def.group_level {
                self.agg_range(&def.expr)
            } else {
                None
            };
        }
        let (IrExpr::Agg { func, .. }, Some(g)) = (e, &self.group) else {
            return None;
        };
        let &s = self.env.agg_slots.get(&(std::ptr::from_ref(e) as usize))?;
        match (g.aggs.get(s), g.bounds.get(s)) {
            (Some(Val::Unknown), Some(Some(r))) => Some((*func, r.clone())),
            _ => None,
        }
    }

    /// The values `e` can take when it is unknown for the unknown
    /// contributions of the current group's aggregates: an aggregate's
    /// range (through a group-level `let` too, see [`Frame::agg_range`]),
    /// and arithmetic on such a range and a known number or another range
    /// (`count(x) + 1`, `count(x) * 3`, `let n = count()`, `n - 1`). The
    /// interval is computed end by end, as if the two sides varied apart:
    /// it may be wider than the values the group can give (both sides
    /// counting the same records), never narrower, so what it decides is
    /// decided. Numbers only; `None` when nothing of `e` has a range.
    fn unknown_range(&mut self, e: &IrExpr) -> Option<Range> {
        if let Some((_, r)) = self.agg_range(e) {
            return Some(r);
        }
        match e {
            IrExpr::LetRef(i) => {
                let def = self.rule.lets.get(*i)?;
                if !def.group_level {
                    return None;
                }
                // Once per `let` (a chain of lets each using the one before
                // twice would otherwise be walked 2^n times).
                if let Some(r) = self.let_ranges.get(i) {
                    return r.clone();
                }
                let r = self.unknown_range(&def.expr);
                self.let_ranges.insert(*i, r.clone());
                r
            }
            IrExpr::Arith(op, a, b) => {
                let (ra, rb) = (self.unknown_range(a), self.unknown_range(b));
                if ra.is_none() && rb.is_none() {
                    return None;
                }
                let x = match ra {
                    Some(r) => Interval::of_range(&r)?,
                    None => Interval::point(self.known_number(a)?),
                };
                let y = match rb {
                    Some(r) => Interval::of_range(&r)?,
                    None => Interval::point(self.known_number(b)?),
                };
                x.arith(*op, y).map(Interval::into_range)
            }
            _ => None,
        }
    }

    /// `e`'s value as a number, when it is a known one.
    fn known_number(&mut self, e: &IrExpr) -> Option<f64> {
        match self.eval(e) {
            Val::V(v) => num(&v).filter(|x| x.is_finite()),
            _ => None,
        }
    }

    /// A comparison with an unknown aggregate (or arithmetic on one, see
    /// [`Frame::unknown_range`]) on one side or both, decided when every
    /// value in the ranges gives the same answer; `None` otherwise (then
    /// evaluated as usual: unknown).
    fn bounded_cmp(&mut self, op: CmpOp, a: &IrExpr, b: &IrExpr) -> Option<Val> {
        let (ra, rb) = (self.unknown_range(a), self.unknown_range(b));
        let (range, other, agg_left) = match (ra, rb) {
            (Some(r), None) => (r, b, true),
            (None, Some(r)) => (r, a, false),
            (Some(x), Some(y)) => {
                // Two ranges: the orderings the two can have.
                let (x, y) = (Interval::of_range(&x)?, Interval::of_range(&y)?);
                // Through `compare_numbers`, as the values compare: ends
                // within its tolerance are equal (an infinite end compares
                // as beyond every number).
                let cmp = |a: f64, b: f64| {
                    if a.is_infinite() || b.is_infinite() {
                        a.partial_cmp(&b)
                    } else {
                        crate::value::compare_numbers(a, b)
                    }
                };
                let (lo_hi, hi_lo) = (cmp(x.lo, y.hi)?, cmp(x.hi, y.lo)?);
                let possible = [
                    (Ordering::Less, lo_hi == Ordering::Less),
                    (
                        Ordering::Equal,
                        lo_hi != Ordering::Greater && hi_lo != Ordering::Less,
                    ),
                    (Ordering::Greater, hi_lo == Ordering::Greater),
                ];
                let mut answers = possible
                    .iter()
                    .filter(|(_, can)| *can)
                    .map(|(ord, _)| holds(op, *ord));
                let first = answers.next()?;
                return answers
                    .all(|h| h == first)
                    .then_some(Val::V(Value::Bool(first)));
            }
            (None, None) => return None,
        };
        let y = match self.eval(other) {
            Val::V(y) if !y.is_missing() => y,
            _ => return None,
        };
        // How the aggregate compares with `y` at an end of its range; an
        // end without a bound is beyond every value.
        let end = |bound: Option<&Value>, beyond: Ordering| match bound {
            Some(v) => ordering(v, &y),
            None => Some(beyond),
        };
        let (lo, hi) = (
            end(range.lo.as_ref(), Ordering::Less)?,
            end(range.hi.as_ref(), Ordering::Greater)?,
        );
        let decided = match op {
            // Outside the range: never equal. Inside: unknown.
            CmpOp::Eq | CmpOp::Ne => {
                (lo == Ordering::Greater || hi == Ordering::Less).then_some(op == CmpOp::Ne)?
            }
            // Monotone in the aggregate: the two ends decide.
            _ => {
                let at = |ord: Ordering| holds(op, if agg_left { ord } else { ord.reverse() });
                (at(lo) == at(hi)).then_some(at(lo))?
            }
        };
        Some(Val::V(Value::Bool(decided)))
    }

    /// `e` as a message shows it (a missing value as "—").
    pub fn text(&mut self, e: &IrExpr) -> String {
        self.text_or(e, "—")
    }

    /// `e` as a message or a finding's key shows it, a missing value as
    /// `missing` (a key holds "", as a dataset's own key does).
    pub fn text_or(&mut self, e: &IrExpr, missing: &str) -> String {
        if let IrExpr::Param(i) = e {
            if let (Some(p), Some(Some(Const::Value(Value::Decimal(x))))) =
                (self.env.program.params.get(*i), self.env.params.get(*i))
            {
                if p.percent {
                    return format!("{}%", crate::value::decimal_text(x * 100.0));
                }
            }
        }
        // An unknown aggregate with a range shows it: a count the count
        // known so far ("至少 n"), a ratio both ends, a max or min its
        // known extreme.
        if let Some((func, range)) = self.agg_range(e) {
            match (range.lo, range.hi) {
                (Some(lo), _) if func == AggFunc::Count => return format!("至少 {lo}"),
                (Some(lo), Some(hi)) => return format!("{lo} 至 {hi}"),
                (Some(lo), None) => return format!("至少 {lo}"),
                (None, Some(hi)) => return format!("至多 {hi}"),
                (None, None) => {}
            }
        }
        match self.eval(e) {
            Val::V(Value::Empty | Value::Invalid) | Val::Unknown | Val::Nothing => missing.into(),
            Val::V(v) => v.to_string(),
            Val::List(l) => l
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("、"),
            Val::Map(_) | Val::Var | Val::Rec(..) => "…".into(),
        }
    }

    /// An aggregate's argument on this record.
    pub fn agg_arg(&mut self, func: AggFunc, arg: Option<&IrExpr>) -> AggInput {
        match (func, arg) {
            (_, None) => AggInput::Present,
            (AggFunc::Count | AggFunc::Any | AggFunc::All | AggFunc::Ratio, Some(a)) => {
                AggInput::Cond(self.tri(a))
            }
            (_, Some(a)) => AggInput::Value(self.need(a)),
        }
    }
}

/// One record's contribution to an aggregate.
#[derive(Clone, Debug, PartialEq)]
// (A tag byte of its own, as `IrExpr`: matched for every group member.)
#[repr(u8)]
pub enum AggInput {
    Present,
    Cond(Option<bool>),
    Value(Option<Value>),
}

fn arith(op: ArithOp, a: &Value, b: &Value) -> Option<Value> {
    if let (Value::Int(x), Value::Int(y), false) = (a, b, op == ArithOp::Div) {
        return Some(Value::Int(match op {
            ArithOp::Add => x.checked_add(*y)?,
            ArithOp::Sub => x.checked_sub(*y)?,
            _ => x.checked_mul(*y)?,
        }));
    }
    let (x, y) = (num(a)?, num(b)?);
    let r = match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div => {
            if y == 0.0 {
                return None;
            }
            x / y
        }
    };
    Some(Value::Decimal(r))
}
