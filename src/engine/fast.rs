//! The fast path of evaluation: the verdict of a rule on one record, on
//! borrowed values, without the bookkeeping a finding needs (missing field
//! names, fields read, messages).
//!
//! Almost every record passes almost every rule, and a pass needs nothing but
//! its verdict. This evaluator computes exactly the verdict of
//! [`super::eval::Frame`] (Kleene's logic, the same coercions), but it never
//! clones a cell, never allocates per record and shares, within one record,
//! the lookups and the verdicts of `fires(...)` (the runner makes each rule's
//! visit to a record a record of its own: [`Fast::record`]). When a verdict
//! is anything but a clean pass, or an expression is outside what this path
//! handles ([`Bail`]), the caller runs the reference evaluator, which is the
//! one that reports.
//!
//! Invariant: for every record and rule, a verdict from this path equals the
//! reference evaluator's (debug builds assert it on every record the tests
//! run; `YIMEN_ENGINE=reference` turns this path off, and a test compares the
//! two on whole exports).

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::data::Row;
use super::eval::{to_date, Env};
use super::index::{Hit, Key};
use super::recent_lookups::RecentLookups;
use super::shared_lookups::SharedLookups;
use crate::ast::{CmpOp, IsTest};
use crate::calendar::{add_months, add_years, age_in_full_years, Calendar};
use crate::ir::{ArithOp, Const, Func, IrExpr, RuleDef};
use crate::text::Text;
use crate::value::{text_cmp, text_contains, text_eq, Value};

/// This path cannot decide: evaluate with the reference evaluator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bail;

type R<T> = Result<T, Bail>;

#[path = "fast_batch.rs"]
pub(super) mod batch;

/// An evaluated expression, borrowed from the record, the data or the program.
///
/// Every payload is one 64-bit integer or pointer, so that a value (and a
/// `Result` of one) is a pair of scalars and travels in registers: the
/// evaluator returns one per node, and an aggregate returned through memory
/// costs more than the node's work.
#[derive(Clone, Copy, Debug)]
// (The known scalars, what `batch::need` keeps, declared together: their
// tags one range. Measured on 200k cases, the rule passes' instructions:
// 388.9M in the former order, 378.6M in this one, 381.2M and 383.2M with
// `False` and `True` first or right after `Unknown`: the inliner's choices
// move with the order, so another order is measured, not reasoned.)
enum F<'r> {
    Unknown,
    Empty,
    Invalid,
    Nothing,
    Var,
    /// A looked-up record (a row of a register held whole).
    Rec(&'r Row),
    List(&'r Vec<Value>),
    Map(&'r Vec<(Value, Value)>),
    Str(&'r Text),
    Int(i64),
    /// An `f64`, by its bits.
    Dec(u64),
    /// Days from the common era (`NaiveDate::num_days_from_ce`).
    Date(i64),
    DateTime(&'r NaiveDateTime),
    True,
    False,
}

const _: () = assert!(std::mem::size_of::<F<'_>>() == 16);

impl<'r> F<'r> {
    fn of(v: &'r Value) -> F<'r> {
        match v {
            Value::Empty => F::Empty,
            Value::Invalid => F::Invalid,
            Value::Str(s) => F::Str(s),
            Value::Int(n) => F::Int(*n),
            Value::Decimal(x) => F::dec(*x),
            Value::Bool(b) => F::bool(*b),
            Value::Date(d) => F::day(*d),
            Value::DateTime(d) => F::DateTime(d),
        }
    }

    fn of_const(c: &'r Const) -> F<'r> {
        match c {
            Const::Value(v) => F::of(v),
            Const::List(l) => F::List(l),
            Const::Map(m) => F::Map(m),
        }
    }

    /// `None` for `F::Unknown` (what [`Fast::need`] returns when not known).
    fn known(self) -> Option<F<'r>> {
        match self {
            F::Unknown => None,
            v => Some(v),
        }
    }

    fn bool(b: bool) -> F<'r> {
        if b {
            F::True
        } else {
            F::False
        }
    }

    fn tri(b: Option<bool>) -> F<'r> {
        b.map_or(F::Unknown, F::bool)
    }

    fn as_bool(self) -> Option<bool> {
        match self {
            F::True => Some(true),
            F::False => Some(false),
            _ => None,
        }
    }

    fn dec(x: f64) -> F<'r> {
        F::Dec(x.to_bits())
    }

    fn day(d: NaiveDate) -> F<'r> {
        F::Date(i64::from(d.num_days_from_ce()))
    }

    /// Row `row` of a register held whole, held by reference: a field of
    /// it is then one load away, not three (the data, its table, the row).
    fn rec(rows: &'r [Row], row: u32) -> F<'r> {
        F::Rec(&rows[row as usize])
    }

    /// Field `field` of the looked-up record `rec`.
    fn field_of(rec: &'r Row, field: usize) -> F<'r> {
        F::of(&rec.values[field])
    }

    fn date(self) -> Option<NaiveDate> {
        match self {
            F::Date(n) => NaiveDate::from_num_days_from_ce_opt(i32::try_from(n).ok()?),
            F::DateTime(d) => Some(d.date()),
            _ => None,
        }
    }

    /// The day number of a date or datetime (as `F::Date` holds it),
    /// without making a `NaiveDate` of a `F::Date`.
    fn day_number(self) -> Option<i64> {
        match self {
            F::Date(n) => Some(n),
            F::DateTime(d) => Some(i64::from(d.date().num_days_from_ce())),
            _ => None,
        }
    }

    fn num(self) -> Option<f64> {
        match self {
            F::Int(n) => Some(n as f64),
            F::Dec(x) => Some(f64::from_bits(x)),
            _ => None,
        }
    }

    /// The hash key of a known scalar (as [`Key::of`]).
    fn key(self) -> Option<Key> {
        Some(match self {
            F::Str(s) => Key::text(s),
            F::Int(n) => Key::Int(n),
            F::Dec(bits) => {
                let x = f64::from_bits(bits);
                if x.fract() == 0.0 && x.abs() < 9.0e15 {
                    Key::Int(x as i64)
                } else {
                    Key::Dec(x.to_bits())
                }
            }
            F::True | F::False => Key::Bool(matches!(self, F::True)),
            F::Date(_) => Key::Date(self.date()?),
            F::DateTime(d) => Key::DateTime(*d),
            _ => return None,
        })
    }

    /// The owned value of a known scalar.
    fn value(self) -> Option<Value> {
        Some(match self {
            F::Str(s) => Value::Str(s.clone()),
            F::Int(n) => Value::Int(n),
            F::Dec(x) => Value::Decimal(f64::from_bits(x)),
            F::True | F::False => Value::Bool(matches!(self, F::True)),
            F::Date(_) => Value::Date(self.date()?),
            F::DateTime(d) => Value::DateTime(*d),
            _ => return None,
        })
    }
}

/// A map lookup (`limit_for[case.dept]`), or a `let` of one.
fn is_map_get(rule: &RuleDef, e: &IrExpr) -> bool {
    match e {
        IrExpr::MapGet { .. } => true,
        IrExpr::LetRef(i) => rule
            .lets
            .get(*i)
            .is_some_and(|d| matches!(d.expr, IrExpr::MapGet { .. })),
        _ => false,
    }
}

/// Do two known scalars compare as `op` says? (as [`super::eval::compare`])
fn compare(op: CmpOp, a: F<'_>, b: F<'_>) -> Option<bool> {
    use std::cmp::Ordering;
    let ord = match (a, b) {
        (F::Int(x), F::Int(y)) => x.cmp(&y),
        (F::Str(x), F::Str(y)) => {
            if Text::ptr_eq(x, y) {
                Ordering::Equal
            } else if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                // Equality first looks at the lengths: most unequal labels
                // differ there, and no byte is compared.
                return Some(text_eq(x, y) == (op == CmpOp::Eq));
            } else {
                text_cmp(x, y)
            }
        }
        (F::True | F::False, F::True | F::False) => a.as_bool().cmp(&b.as_bool()),
        (F::Date(x), F::Date(y)) => x.cmp(&y),
        (F::DateTime(x), F::DateTime(y)) => x.cmp(y),
        (F::Date(_), F::DateTime(y)) => a.date()?.and_time(chrono::NaiveTime::MIN).cmp(y),
        (F::DateTime(x), F::Date(_)) => x.cmp(&b.date()?.and_time(chrono::NaiveTime::MIN)),
        _ => crate::value::compare_numbers(a.num()?, b.num()?)?,
    };
    Some(super::eval::holds(op, ord))
}

fn equal(a: F<'_>, b: F<'_>) -> bool {
    compare(CmpOp::Eq, a, b).unwrap_or(false)
}

/// Two texts are equal as values: the same string, or texts that match
/// ([`text_eq`]).
#[allow(
    clippy::inline_always,
    reason = "measured: left to the inliner, the kernels' comparison loop called it for every record"
)]
#[inline(always)]
fn texts_match(x: &Text, y: &Text) -> bool {
    Text::ptr_eq(x, y) || text_eq(x, y)
}

/// Two lookup key values are the same key.
fn same_key(a: F<'_>, b: F<'_>) -> bool {
    match (a, b) {
        (F::Str(x), F::Str(y)) => texts_match(x, y),
        _ => a.key() == b.key(),
    }
}

fn arith<'r>(op: ArithOp, a: F<'r>, b: F<'r>) -> F<'r> {
    if let (F::Int(x), F::Int(y), false) = (a, b, op == ArithOp::Div) {
        let r = match op {
            ArithOp::Add => x.checked_add(y),
            ArithOp::Sub => x.checked_sub(y),
            _ => x.checked_mul(y),
        };
        return r.map_or(F::Unknown, F::Int);
    }
    let (Some(x), Some(y)) = (a.num(), b.num()) else {
        return F::Unknown;
    };
    F::dec(match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div => {
            if y == 0.0 {
                return F::Unknown;
            }
            x / y
        }
    })
}

/// Function `func` of its known arguments (as [`super::eval`] computes it):
/// `F::Unknown` when it has no value, a [`Bail`] when the reference must say
/// why (a span of working days over days the calendar does not know).
fn apply_func<'r>(cal: &Calendar, func: Func, vals: [F<'r>; 2]) -> R<F<'r>> {
    let date = |i: usize| vals[i].date();
    let int = |i: usize| match vals[i] {
        F::Int(n) => Some(n),
        _ => None,
    };
    let day = |i: usize| vals[i].day_number();
    Ok(match func {
        Func::Date => day(0).map_or(F::Unknown, F::Date),
        // A span over days the calendar does not know: the reference
        // evaluator says which notice is missing.
        Func::Workdays => match (day(0), day(1)) {
            (Some(a), Some(b)) => F::Int(cal.known_workdays(a, b).map_err(|_| Bail)?),
            _ => return Err(Bail),
        },
        Func::Days => match (day(0), day(1)) {
            (Some(a), Some(b)) => F::Int(b - a),
            _ => F::Unknown,
        },
        Func::Age => match (date(0), date(1)) {
            (Some(a), Some(b)) => F::Int(age_in_full_years(a, b)),
            _ => F::Unknown,
        },
        Func::AddYears => match (date(0), int(1)) {
            (Some(d), Some(n)) => add_years(d, n).map_or(F::Unknown, F::day),
            _ => F::Unknown,
        },
        Func::AddMonths => match (date(0), int(1)) {
            (Some(d), Some(n)) => add_months(d, n).map_or(F::Unknown, F::day),
            _ => F::Unknown,
        },
        Func::AddDays => match (date(0), int(1)) {
            (Some(d), Some(n)) => chrono::TimeDelta::try_days(n)
                .and_then(|t| d.checked_add_signed(t))
                .map_or(F::Unknown, F::day),
            _ => F::Unknown,
        },
        Func::Year => date(0).map_or(F::Unknown, |d| {
            F::Int(i64::from(chrono::Datelike::year(&d)))
        }),
        Func::Month => date(0).map_or(F::Unknown, |d| {
            F::Int(i64::from(chrono::Datelike::month(&d)))
        }),
        Func::Len => match vals[0] {
            F::Str(s) => F::Int(s.chars().count() as i64),
            F::List(l) => F::Int(i64::try_from(l.len()).unwrap_or(i64::MAX)),
            _ => F::Unknown,
        },
        Func::Contains => match (vals[0], vals[1]) {
            (F::Str(a), F::Str(b)) => F::bool(text_contains(a, b)),
            _ => F::Unknown,
        },
        Func::Coalesce => F::Unknown,
    })
}

/// `v is [not] none|empty`: `F::Unknown` for a value not known (an invalid
/// one is a missing value, which [`Fast::is`] notes).
#[inline]
fn is_test(v: F<'_>, test: IsTest, negated: bool) -> F<'_> {
    let is = match v {
        F::Nothing | F::Empty => true,
        F::Str(s) => s.trim().is_empty() && test == IsTest::Empty,
        F::List(l) => l.is_empty() && test == IsTest::Empty,
        F::Invalid | F::Unknown => return F::Unknown,
        _ => false,
    };
    F::bool(is != negated)
}

/// A group or metric key borrowed from the chunk's records, for the
/// accumulators of one chunk: a whole decimal is the integer (as in the owned
/// [`Key`]), and a string is keyed by *identity*, not content: the reader
/// shares one string per distinct value of a column in a chunk, so a key costs
/// one pointer to hash and compare. Two equal strings held apart become two
/// entries, which [`BKey::to_key`] makes one again when the chunk's
/// accumulators are folded by content.
#[derive(Clone, Copy, Debug)]
pub enum BKey<'r> {
    Str(&'r Text),
    Int(i64),
    Dec(u64),
    Bool(bool),
    Date(NaiveDate),
    DateTime(&'r NaiveDateTime),
}

impl BKey<'_> {
    /// The owned key.
    pub fn to_key(self) -> Key {
        match self {
            BKey::Str(s) => Key::text(s),
            BKey::Int(n) => Key::Int(n),
            BKey::Dec(bits) => Key::Dec(bits),
            BKey::Bool(b) => Key::Bool(b),
            BKey::Date(d) => Key::Date(d),
            BKey::DateTime(d) => Key::DateTime(*d),
        }
    }
}

impl PartialEq for BKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (BKey::Str(a), BKey::Str(b)) => Text::ptr_eq(a, b),
            (BKey::Int(a), BKey::Int(b)) => a == b,
            (BKey::Dec(a), BKey::Dec(b)) => a == b,
            (BKey::Bool(a), BKey::Bool(b)) => a == b,
            (BKey::Date(a), BKey::Date(b)) => a == b,
            (BKey::DateTime(a), BKey::DateTime(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for BKey<'_> {}

impl std::hash::Hash for BKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            BKey::Str(s) => text_address(s).hash(state),
            BKey::Int(n) => n.hash(state),
            BKey::Dec(bits) => bits.hash(state),
            BKey::Bool(b) => b.hash(state),
            BKey::Date(d) => d.hash(state),
            BKey::DateTime(d) => d.hash(state),
        }
    }
}

/// The borrowed key of a record's value, as a group or metric key of the
/// fast path holds it (`None`: empty or unreadable).
pub fn value_bkey(v: &Value) -> Option<BKey<'_>> {
    F::of(v).bkey()
}

impl<'r> F<'r> {
    /// The borrowed key of a known scalar (as [`F::key`]).
    fn bkey(self) -> Option<BKey<'r>> {
        Some(match self {
            F::Str(s) => BKey::Str(s),
            F::Int(n) => BKey::Int(n),
            F::Dec(bits) => {
                let x = f64::from_bits(bits);
                if x.fract() == 0.0 && x.abs() < 9.0e15 {
                    BKey::Int(x as i64)
                } else {
                    BKey::Dec(bits)
                }
            }
            F::True | F::False => BKey::Bool(matches!(self, F::True)),
            F::Date(_) => BKey::Date(self.date()?),
            F::DateTime(d) => BKey::DateTime(d),
            _ => return None,
        })
    }
}

/// The identity of a lookup's key values within one chunk: the dataset and
/// each key by the address of its text (the reader gives equal texts of a
/// column one shared string per worker) or by its integer. Equal identities
/// mean equal keys; unequal ones may still be equal keys (a miss of the
/// memo, not a wrong answer).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct KeyIdentity {
    dataset: u32,
    /// Per key, bit set: an integer; clear: a text's address.
    ints: u8,
    words: [u64; 3],
}

impl KeyIdentity {
    fn of(dataset: usize, keys: &[F<'_>]) -> Option<KeyIdentity> {
        if keys.len() > 3 {
            return None;
        }
        let mut id = KeyIdentity {
            dataset: u32::try_from(dataset).ok()?,
            ints: 0,
            words: [0; 3],
        };
        for (i, k) in keys.iter().enumerate() {
            id.words[i] = match k {
                F::Str(s) => text_address(s) as u64,
                F::Int(n) => {
                    id.ints |= 1 << i;
                    *n as u64
                }
                _ => return None,
            };
        }
        Some(id)
    }
}

/// A string's address: its identity while it is alive (the reader shares
/// one string per distinct text of a column in a worker), for the tables
/// keyed by it.
pub(crate) fn text_address(s: &Text) -> usize {
    s.address()
}

/// Whether a rule in force from `from` applies to every record of a chunk
/// whose earliest event date is `earliest` ([`Fast::earliest_event`]; `None`:
/// no record has one, and a record without one is judged).
pub(crate) fn in_force_for_all(from: Option<NaiveDate>, earliest: Option<NaiveDate>) -> bool {
    from.is_none_or(|from| earliest.is_none_or(|d| d >= from))
}

/// The slot of a table of `slots` (a power of two) that a string's address
/// picks: its bits above the allocator's 16-byte grain, so that strings
/// allocated one after another (a column's distinct texts) take slots one
/// after another.
pub(crate) fn address_slot(addr: usize, slots: usize) -> usize {
    (addr >> 4) & (slots - 1)
}

/// One lookup made for the current record.
struct Looked {
    dataset: usize,
    keys: std::ops::Range<usize>,
    on: Option<NaiveDate>,
    hit: Hit,
}

/// The fast evaluator of one chunk: reused across its records.
pub struct Fast<'r> {
    env: &'r Env<'r>,
    shared: &'r SharedLookups,
    /// The current record's shared lookups (by id): the value, and whether
    /// computing it noted a missing value, stamped with the record's number
    /// as `verdicts` are.
    memo: Vec<(u32, F<'r>, bool)>,
    values: &'r [Value],
    /// `let` values of the rules being evaluated (a stack: `fires` nests).
    lets: Vec<Option<F<'r>>>,
    base: usize,
    looked: Vec<Looked>,
    looked_keys: Vec<F<'r>>,
    /// The candidates of the chunk's lookups by the identity of their key
    /// values: a record whose item code is the same shared string as an
    /// earlier record's finds the same rows without hashing its text.
    candidates: rustc_hash::FxHashMap<KeyIdentity, &'r [u32]>,
    /// Undated lookups by one text key (`catalogue[case.item_code]`), by
    /// the address of the key's string, kept across a worker's chunks.
    recent: RecentLookups,
    key_buf: Vec<Key>,
    group_key: Vec<F<'r>>,
    /// Verdicts on the record (the visiting rule's, and those of the rules
    /// its `fires` evaluates), by program rule index, with whether
    /// the reference evaluator would have noted a missing value.
    /// Stamped with the record's number: an entry of another record is no
    /// verdict (no clearing of every rule's entry per record).
    verdicts: Vec<(u32, Option<bool>, bool)>,
    /// `date(x)` of a field of the record, by field, stamped with the
    /// record's number: computed once per record (a rule and the rules its
    /// `fires` evaluates may read the same date).
    days: Vec<(u32, i64)>,
    /// The current record's number in the chunk; never 0, the stamp of an
    /// entry no record has set.
    record_no: u32,
    /// The reference evaluator would have noted a missing value.
    saw_missing: bool,
    depth: u8,
}

impl<'r> Fast<'r> {
    /// A fast evaluator with no lookups remembered (tests).
    #[cfg(all(test, debug_assertions))]
    pub fn new(env: &'r Env<'r>, shared: &'r SharedLookups) -> Self {
        Self::with_recent(env, shared, RecentLookups::default())
    }

    /// The fast evaluator of a chunk, going on with the lookups the
    /// worker's earlier chunks remembered (see [`Fast::into_recent`]).
    pub fn with_recent(env: &'r Env<'r>, shared: &'r SharedLookups, recent: RecentLookups) -> Self {
        Fast {
            env,
            shared,
            memo: vec![(0, F::Unknown, false); shared.count()],
            values: &[],
            lets: Vec::new(),
            base: 0,
            looked: Vec::new(),
            looked_keys: Vec::new(),
            candidates: rustc_hash::FxHashMap::default(),
            recent,
            key_buf: Vec::new(),
            group_key: Vec::new(),
            verdicts: vec![(0, None, false); env.program.rules.len()],
            days: Vec::new(),
            record_no: 1,
            saw_missing: false,
            depth: 0,
        }
    }

    /// The lookups remembered, for the worker's next chunk.
    pub fn into_recent(self) -> RecentLookups {
        self.recent
    }

    /// Start a record: forget what was computed for the previous one (a
    /// few stores: the caches are stamped with the record's number).
    #[inline]
    pub fn record(&mut self, values: &'r [Value]) {
        self.values = values;
        self.looked.clear();
        self.looked_keys.clear();
        self.record_no = self.record_no.wrapping_add(1);
        if self.record_no == 0 {
            // (Four billion records in one chunk: stamps start again.)
            self.memo.iter_mut().for_each(|v| v.0 = 0);
            self.verdicts.iter_mut().for_each(|v| v.0 = 0);
            self.days.iter_mut().for_each(|v| v.0 = 0);
            self.record_no = 1;
        }
    }

    /// The answer kept for an undated lookup of `dataset` by the one text
    /// `key` (see [`RecentLookups`]), if any: what [`Self::lookup`] finds.
    #[inline]
    pub fn recent_hit(&self, dataset: usize, key: &Text) -> Option<Hit> {
        self.recent.get(dataset, key)
    }

    /// Keep among the recent lookups the answer of an undated lookup of
    /// `dataset` by the one text `key`, a string of a record (what
    /// [`Self::lookup`] keeps when it makes that lookup), unless it is there:
    /// a batch kernel reads lookups only from there, and a worker's first
    /// chunk would find none.
    pub fn remember_lookup(&mut self, dataset: usize, key: &Text) {
        if self.recent.get(dataset, key).is_some() {
            return;
        }
        let Some(index) = self.env.indexes.get(dataset).and_then(Option::as_ref) else {
            return;
        };
        let Some(k) = F::Str(key).key() else {
            return;
        };
        self.key_buf.clear();
        self.key_buf.push(k);
        let hit = index.pick(
            index.candidates(&self.key_buf),
            None,
            &self.env.data.tables[dataset],
        );
        self.recent.keep(dataset, key, hit);
    }

    /// Start a rule on the current record.
    fn begin(&mut self, rule: &RuleDef) {
        self.base = 0;
        self.lets.clear();
        self.lets.resize(rule.lets.len(), None);
        self.saw_missing = false;
    }

    /// Tests: note that per-record rule `ri` passes the current record, and
    /// whether the reference evaluator notes a missing value doing so.
    #[cfg(all(test, debug_assertions))]
    pub fn passed_with(&mut self, ri: usize, missing: bool) {
        self.set_verdict(ri, (Some(false), missing));
    }

    /// Tests: go on from record number `n` (to reach the numbers' wrap).
    #[cfg(all(test, debug_assertions))]
    pub fn set_record_no(&mut self, n: u32) {
        self.record_no = n;
    }

    /// The verdict of rule `ri` on the current record, if computed.
    #[inline]
    fn verdict_of(&self, ri: usize) -> Option<(Option<bool>, bool)> {
        let (no, v, missing) = self.verdicts[ri];
        (no == self.record_no).then_some((v, missing))
    }

    #[inline]
    fn set_verdict(&mut self, ri: usize, (v, missing): (Option<bool>, bool)) {
        self.verdicts[ri] = (self.record_no, v, missing);
    }

    /// Whether evaluating per-record rule `ri` on the current record noted
    /// a missing value (`false` before it is evaluated): debug builds' checks.
    #[cfg(debug_assertions)]
    pub fn noted_missing(&self, ri: usize) -> bool {
        self.verdict_of(ri).is_some_and(|(_, missing)| missing)
    }

    /// The verdict of a per-record rule: `Some(true)` = a violation.
    pub fn violation(&mut self, ri: usize, rule: &'r RuleDef) -> R<Option<bool>> {
        if let Some((v, _)) = self.verdict_of(ri) {
            return Ok(v);
        }
        self.begin(rule);
        let v = self.verdict(rule)?;
        self.set_verdict(ri, (v, self.saw_missing));
        Ok(v)
    }

    fn verdict(&mut self, rule: &'r RuleDef) -> R<Option<bool>> {
        if !self.applicable(rule) {
            return Ok(Some(false));
        }
        let member = self.all_of(rule, &rule.filters)?;
        if member == Some(false) {
            return Ok(Some(false));
        }
        let ok = match &rule.require {
            Some(r) => self.tri(rule, r)?,
            None => Some(true),
        };
        Ok(match (member, ok) {
            (_, Some(true)) => Some(false),
            (Some(true), Some(false)) => Some(true),
            _ => None,
        })
    }

    /// A metric on the current record: `None` when the record is not counted,
    /// else its `per` key and its verdict (`None`: undetermined).
    pub fn metric(&mut self, rule: &'r RuleDef) -> R<Option<(Option<BKey<'r>>, Option<bool>)>> {
        self.begin(rule);
        if !self.applicable(rule) {
            return Ok(None);
        }
        let member = self.all_of(rule, &rule.filters)?;
        if member == Some(false) {
            return Ok(None);
        }
        let per = match &rule.per {
            Some(e) => self.value_of(rule, e)?.bkey(),
            None => None,
        };
        let ratio = match &rule.ratio {
            Some(r) => Some(self.tri(rule, r)?),
            None => None,
        };
        let verdict = match (member, ratio) {
            (Some(true), Some(Some(b))) => Some(b),
            _ => None,
        };
        Ok(Some((per, verdict)))
    }

    /// A group rule on the current record, when every value is known:
    /// `false` when the record is not a member, else `true` with the group
    /// key in `keys` (and its values kept for [`Self::group_values`]).
    /// Anything unknown is a [`Bail`] (the reference evaluator reports it).
    pub fn group_member(&mut self, rule: &'r RuleDef, keys: &mut Vec<BKey<'r>>) -> R<bool> {
        self.begin(rule);
        keys.clear();
        self.group_key.clear();
        if !self.applicable(rule) {
            return Ok(false);
        }
        match self.all_of(rule, &rule.filters)? {
            Some(false) => return Ok(false),
            Some(true) => {}
            None => return Err(Bail),
        }
        for g in &rule.group_by {
            let v = self.need(rule, g)?.known().ok_or(Bail)?;
            keys.push(v.bkey().ok_or(Bail)?);
            self.group_key.push(v);
        }
        if self.saw_missing {
            return Err(Bail);
        }
        Ok(true)
    }

    /// The values of the group key [`Self::group_member`] found last.
    pub fn group_values(&self) -> Vec<Value> {
        self.group_key.iter().filter_map(|v| v.value()).collect()
    }

    /// A condition of the current group rule, known, or a [`Bail`].
    pub fn group_cond(&mut self, rule: &'r RuleDef, e: &'r IrExpr) -> R<bool> {
        let b = self.tri(rule, e)?.ok_or(Bail)?;
        if self.saw_missing {
            return Err(Bail);
        }
        Ok(b)
    }

    /// A value of the current group rule, known, or a [`Bail`].
    pub fn group_value(&mut self, rule: &'r RuleDef, e: &'r IrExpr) -> R<Value> {
        let v = self.need(rule, e)?.value().ok_or(Bail)?;
        if self.saw_missing {
            return Err(Bail);
        }
        Ok(v)
    }

    /// Whether the rule applies to the current record: its event date is
    /// not before the rule's in-force date (or either is unknown).
    pub fn applicable(&mut self, rule: &RuleDef) -> bool {
        Self::applies_to(self.env, rule, self.values)
    }

    /// Whether the rule applies to a record of `values` (as
    /// [`Fast::applicable`] to the current one), without starting it.
    pub fn applies_to(env: &Env<'_>, rule: &RuleDef, values: &[Value]) -> bool {
        let Some(from) = rule.effective_from else {
            return true;
        };
        let Some(f) = env.event_field[rule.dataset] else {
            return true;
        };
        // (Dates compare as they are: no day number to compute per rule.
        // Read for each visit: a rule asks once, and a rule its `fires`
        // evaluates once more.)
        values.get(f).and_then(to_date).is_none_or(|d| d >= from)
    }

    /// The earliest event date among `rows`, whose event date is field
    /// `event_field` (`None`: none has one): a rule in force on it applies
    /// to every one of them ([`Fast::applies_to`], [`in_force_for_all`]),
    /// so that a chunk's rule pass and kernels need not read each record's
    /// date for it.
    pub fn earliest_event(event_field: Option<usize>, rows: &[Row]) -> Option<NaiveDate> {
        let f = event_field?;
        rows.iter()
            .filter_map(|r| r.values.get(f).and_then(to_date))
            .min()
    }

    fn all_of(&mut self, rule: &'r RuleDef, conditions: &'r [IrExpr]) -> R<Option<bool>> {
        let mut acc = Some(true);
        for c in conditions {
            match self.tri(rule, c)? {
                Some(false) => return Ok(Some(false)),
                Some(true) => {}
                None => acc = None,
            }
        }
        Ok(acc)
    }

    /// A known scalar, or `F::Unknown`.
    fn need(&mut self, rule: &'r RuleDef, e: &'r IrExpr) -> R<F<'r>> {
        Ok(match self.value_of(rule, e)? {
            F::Empty | F::Invalid => {
                self.saw_missing = true;
                F::Unknown
            }
            // (A map without the key, or a `let` of one: the reference
            // names it.)
            F::Nothing if is_map_get(rule, e) => {
                self.saw_missing = true;
                F::Unknown
            }
            v @ (F::Str(_)
            | F::Int(_)
            | F::Dec(_)
            | F::True
            | F::False
            | F::Date(_)
            | F::DateTime(_)) => v,
            _ => F::Unknown,
        })
    }

    fn tri(&mut self, rule: &'r RuleDef, e: &'r IrExpr) -> R<Option<bool>> {
        Ok(self.need(rule, e)?.as_bool())
    }

    /// [`Self::eval`], with the commonest leaves (a constant, a field of the
    /// record or of a looked-up record) read in place, without a call.
    #[inline]
    fn value_of(&mut self, rule: &'r RuleDef, e: &'r IrExpr) -> R<F<'r>> {
        match e {
            IrExpr::Const(Const::Value(v)) => Ok(F::of(v)),
            IrExpr::LetRef(i) => match self.lets[self.base + i] {
                Some(v) => Ok(v),
                None => self.let_value(rule, *i),
            },
            IrExpr::Is {
                negated,
                test,
                expr,
            } if matches!(&**expr, IrExpr::Field { base, .. } if matches!(**base, IrExpr::Var)) => {
                let IrExpr::Field { field, .. } = &**expr else {
                    return self.eval(rule, e);
                };
                let v = self.values.get(*field).map_or(F::Empty, F::of);
                Ok(self.is(v, *test, *negated))
            }
            // `date(x)` of a field of the record (as `Self::call` computes it).
            IrExpr::Call {
                func: Func::Date,
                args,
            } if args.len() == 1
                && matches!(&args[0], IrExpr::Field { base, .. } if matches!(**base, IrExpr::Var)) =>
            {
                let IrExpr::Field { field, .. } = &args[0] else {
                    return self.eval(rule, e);
                };
                let f = *field;
                if let Some(&(stamp, day)) = self.days.get(f) {
                    if stamp == self.record_no {
                        return Ok(F::Date(day));
                    }
                }
                Ok(match self.values.get(f).map_or(F::Empty, F::of) {
                    F::Empty | F::Invalid => {
                        self.saw_missing = true;
                        F::Unknown
                    }
                    v => match v.day_number() {
                        Some(day) => {
                            if f >= self.days.len() {
                                self.days.resize(f + 1, (0, 0));
                            }
                            self.days[f] = (self.record_no, day);
                            F::Date(day)
                        }
                        None => F::Unknown,
                    },
                })
            }
            IrExpr::Field { base, field, .. } => match **base {
                IrExpr::Var => Ok(self.values.get(*field).map_or(F::Empty, F::of)),
                // `item.in_center`: the let computed here on its first use,
                // a looked-up record's field read in place.
                IrExpr::LetRef(i) => match self.lets[self.base + i] {
                    Some(F::Rec(r)) => Ok(F::field_of(r, *field)),
                    None => match self.let_value(rule, i)? {
                        F::Rec(r) => Ok(F::field_of(r, *field)),
                        _ => self.eval(rule, e),
                    },
                    Some(_) => self.eval(rule, e),
                },
                _ => self.eval(rule, e),
            },
            _ => self.eval(rule, e),
        }
    }

    /// The value of `let` `i` of the rule, computed and kept on its first use
    /// for the current record.
    fn let_value(&mut self, rule: &'r RuleDef, i: usize) -> R<F<'r>> {
        // (A `let` of a lookup, `let item = catalogue[…]` in most rules, goes
        // to the lookup without another pass through `eval`.)
        let v = match &rule.lets[i].expr {
            lookup @ IrExpr::Lookup { .. } => self.shared_lookup(rule, lookup)?,
            expr => self.eval(rule, expr)?,
        };
        self.lets[self.base + i] = Some(v);
        Ok(v)
    }

    #[allow(clippy::too_many_lines)]
    fn eval(&mut self, rule: &'r RuleDef, e: &'r IrExpr) -> R<F<'r>> {
        Ok(match e {
            IrExpr::Const(c) => F::of_const(c),
            IrExpr::Var => F::Var,
            IrExpr::AsOf => F::day(self.env.as_of),
            IrExpr::Param(i) => match &self.env.params[*i] {
                Some(c) => F::of_const(c),
                None => F::Empty,
            },
            IrExpr::LetRef(i) => match self.lets[self.base + *i] {
                Some(v) => v,
                None => self.let_value(rule, *i)?,
            },
            IrExpr::Field { base, field, .. } => match self.eval(rule, base)? {
                F::Var => self.values.get(*field).map_or(F::Empty, F::of),
                F::Rec(r) => F::field_of(r, *field),
                F::Nothing => {
                    self.saw_missing = true;
                    F::Unknown
                }
                _ => F::Unknown,
            },
            IrExpr::Lookup { .. } => self.shared_lookup(rule, e)?,
            IrExpr::MapGet { map, key } => {
                let F::Map(entries) = self.eval(rule, map)? else {
                    return Ok(F::Unknown);
                };
                let Some(k) = self.need(rule, key)?.known() else {
                    return Ok(F::Unknown);
                };
                entries
                    .iter()
                    .find(|(ek, _)| equal(F::of(ek), k))
                    .map_or(F::Nothing, |(_, v)| F::of(v))
            }
            IrExpr::Call { func, args } => self.call(rule, *func, args)?,
            IrExpr::Agg { .. } | IrExpr::GroupKey(_) | IrExpr::List(_) => return Err(Bail),
            IrExpr::Fires(idx) => self.fires(*idx)?,
            IrExpr::Not(inner) => F::tri(self.tri(rule, inner)?.map(|b| !b)),
            IrExpr::Neg(inner) => match self.need(rule, inner)? {
                F::Int(n) => {
                    if let Some(m) = n.checked_neg() {
                        F::Int(m)
                    } else {
                        // (As an overflow of `Arith`: the reference notes it.)
                        self.saw_missing = true;
                        F::Unknown
                    }
                }
                F::Dec(x) => F::dec(-f64::from_bits(x)),
                _ => F::Unknown,
            },
            IrExpr::And(a, b) => {
                let l = self.tri(rule, a)?;
                if l == Some(false) {
                    return Ok(F::False);
                }
                match (l, self.tri(rule, b)?) {
                    (_, Some(false)) => F::False,
                    (Some(true), Some(true)) => F::True,
                    _ => F::Unknown,
                }
            }
            IrExpr::Or(a, b) => {
                let l = self.tri(rule, a)?;
                if l == Some(true) {
                    return Ok(F::True);
                }
                match (l, self.tri(rule, b)?) {
                    (_, Some(true)) => F::True,
                    (Some(false), Some(false)) => F::False,
                    _ => F::Unknown,
                }
            }
            IrExpr::Arith(op, a, b) => {
                let x = self.need(rule, a)?.known();
                let y = self.need(rule, b)?.known();
                match (x, y) {
                    (Some(x), Some(y)) => {
                        let r = arith(*op, x, y);
                        // Known operands without a result (a division by
                        // zero, an overflow): the reference notes why.
                        if matches!(r, F::Unknown) {
                            self.saw_missing = true;
                        }
                        r
                    }
                    _ => F::Unknown,
                }
            }
            IrExpr::Cmp(op, a, b) => {
                let x = self.need(rule, a)?.known();
                let y = self.need(rule, b)?.known();
                match (x, y) {
                    (Some(x), Some(y)) => F::tri(compare(*op, x, y)),
                    _ => F::Unknown,
                }
            }
            IrExpr::In { negated, item, set } => {
                let x = self.need(rule, item)?.known();
                let s = self.value_of(rule, set)?;
                let Some(x) = x else { return Ok(F::Unknown) };
                let found = match s {
                    F::List(l) => l.iter().any(|v| equal(F::of(v), x)),
                    F::Map(m) => m.iter().any(|(k, _)| equal(F::of(k), x)),
                    _ => return Ok(F::Unknown),
                };
                F::bool(found != *negated)
            }
            IrExpr::Is {
                negated,
                test,
                expr,
            } => {
                let v = self.value_of(rule, expr)?;
                self.is(v, *test, *negated)
            }
            IrExpr::If(c, t, f) => match self.tri(rule, c)? {
                Some(true) => self.value_of(rule, t)?,
                Some(false) => self.value_of(rule, f)?,
                None => F::Unknown,
            },
        })
    }

    /// `v is [not] none|empty`.
    #[inline]
    fn is(&mut self, v: F<'r>, test: IsTest, negated: bool) -> F<'r> {
        if matches!(v, F::Invalid) {
            self.saw_missing = true;
        }
        is_test(v, test, negated)
    }

    /// The verdict of another rule on the current record.
    #[inline(never)]
    fn fires(&mut self, idx: usize) -> R<F<'r>> {
        if usize::from(self.depth) >= crate::check::MAX_FIRES_DEPTH {
            return Ok(F::Unknown);
        }
        let target = &self.env.program.rules[idx];
        let (v, inner_missing) = if let Some(cached) = self.verdict_of(idx) {
            cached
        } else {
            let (base, len, outer_missing) = (self.base, self.lets.len(), self.saw_missing);
            self.base = len;
            self.lets.resize(len + target.lets.len(), None);
            self.saw_missing = false;
            self.depth += 1;
            let v = self.verdict(target);
            self.depth -= 1;
            self.base = base;
            self.lets.truncate(len);
            let inner = (v?, self.saw_missing);
            self.saw_missing = outer_missing;
            self.set_verdict(idx, inner);
            inner
        };
        // The reference evaluator keeps the inner rule's missing values; an
        // unknown verdict is treated as one (conservatively).
        self.saw_missing |= inner_missing || v.is_none();
        Ok(F::tri(v))
    }

    /// A lookup, computed once per record when it reads only the record
    /// (see [`SharedLookups`]).
    #[inline(never)]
    fn shared_lookup(&mut self, rule: &'r RuleDef, e: &'r IrExpr) -> R<F<'r>> {
        let IrExpr::Lookup {
            dataset,
            keys,
            valid_on,
        } = e
        else {
            return Err(Bail);
        };
        let Some(id) = self.shared.id(e) else {
            return self.lookup(rule, *dataset, keys, valid_on.as_deref());
        };
        let (no, v, missing) = self.memo[id];
        if no == self.record_no {
            self.saw_missing |= missing;
            return Ok(v);
        }
        let outer = std::mem::replace(&mut self.saw_missing, false);
        let v = self.lookup(rule, *dataset, keys, valid_on.as_deref())?;
        let missing = self.saw_missing;
        self.saw_missing = outer || missing;
        self.memo[id] = (self.record_no, v, missing);
        Ok(v)
    }

    #[inline(never)]
    fn lookup(
        &mut self,
        rule: &'r RuleDef,
        dataset: usize,
        keys: &'r [IrExpr],
        valid_on: Option<&'r IrExpr>,
    ) -> R<F<'r>> {
        let start = self.looked_keys.len();
        let mut unknown = false;
        for k in keys {
            match self.need(rule, k)?.known() {
                Some(v) => self.looked_keys.push(v),
                _ => unknown = true,
            }
        }
        let on = match valid_on {
            Some(v) => {
                let d = self.need(rule, v)?.date();
                unknown |= d.is_none();
                d
            }
            None => None,
        };
        if unknown {
            self.looked_keys.truncate(start);
            return Ok(F::Unknown);
        }
        let Some(index) = self.env.indexes.get(dataset).and_then(Option::as_ref) else {
            self.looked_keys.truncate(start);
            self.saw_missing = true;
            return Ok(F::Unknown);
        };
        let keys_now = start..self.looked_keys.len();
        // One text key, no date: the answer for the key's string.
        let text = match self.looked_keys[keys_now.clone()] {
            [F::Str(s)] if on.is_none() => {
                if let Some(hit) = self.recent.get(dataset, s) {
                    self.looked_keys.truncate(start);
                    return Ok(match hit {
                        Hit::Row(r) => F::rec(&self.env.data.tables[dataset], r),
                        _ => F::Nothing,
                    });
                }
                Some(s)
            }
            _ => None,
        };
        let cached = self.looked.iter().find(|l| {
            l.dataset == dataset
                && l.on == on
                && l.keys.len() == keys_now.len()
                && self.looked_keys[l.keys.clone()]
                    .iter()
                    .zip(&self.looked_keys[keys_now.clone()])
                    .all(|(a, b)| same_key(*a, *b))
        });
        let hit = if let Some(l) = cached {
            let h = l.hit;
            self.looked_keys.truncate(start);
            h
        } else {
            let identity = KeyIdentity::of(dataset, &self.looked_keys[keys_now.clone()]);
            let known = identity.and_then(|id| self.candidates.get(&id).copied());
            let candidates = if let Some(c) = known {
                c
            } else {
                self.key_buf.clear();
                self.key_buf.extend(
                    self.looked_keys[keys_now.clone()]
                        .iter()
                        .filter_map(|k| k.key()),
                );
                let c = index.candidates(&self.key_buf);
                if let Some(id) = identity {
                    self.candidates.insert(id, c);
                }
                c
            };
            let h = index.pick(candidates, on, &self.env.data.tables[dataset]);
            if let Some(s) = text {
                self.recent.keep(dataset, s, h);
            }
            self.looked.push(Looked {
                dataset,
                keys: keys_now,
                on,
                hit: h,
            });
            h
        };
        match hit {
            Hit::Row(r) => Ok(F::rec(&self.env.data.tables[dataset], r)),
            Hit::None => Ok(F::Nothing),
            // A candidate's validity does not read (bad data, rare): the
            // reference names the unreadable bounds it saw, even where an
            // `or` swallows the unknown, so it decides.
            Hit::Unknown => Err(Bail),
        }
    }

    #[inline(never)]
    fn call(&mut self, rule: &'r RuleDef, func: Func, args: &'r [IrExpr]) -> R<F<'r>> {
        if func == Func::Coalesce {
            return Ok(match self.eval(rule, &args[0])? {
                F::Empty | F::Nothing => self.eval(rule, &args[1])?,
                F::Invalid => {
                    self.saw_missing = true;
                    F::Unknown
                }
                v => v,
            });
        }
        let mut vals = [F::Unknown; 2];
        if args.len() > vals.len() {
            return Err(Bail);
        }
        // Every argument, as the reference evaluates them (each missing one
        // is noted there).
        let mut known = true;
        for (slot, a) in vals.iter_mut().zip(args) {
            match self.need(rule, a)? {
                F::Unknown => known = false,
                v => *slot = v,
            }
        }
        if !known {
            return Ok(F::Unknown);
        }
        apply_func(self.env.calendar, func, vals)
    }
}
