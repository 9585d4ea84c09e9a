//! Batch kernels: the per-record part of a rule or metric evaluated over a
//! chunk's records one operation at a time, each operation a loop over up to
//! [`BATCH`] records, instead of the whole rule walked once per record. Each
//! filter, and then the test, runs over the records still open (in force,
//! every filter before it true): a `when` that leaves out most records
//! leaves the rest little to compute.
//!
//! A kernel *certifies* the plain outcomes (a rule passes; a metric does
//! not count the record, or counts it with a known verdict) and leaves
//! every other record [`UNSURE`], for the fast evaluator and then the
//! reference to decide as before. It computes each value as [`Fast`] does,
//! through the same functions (`compare`, `arith`, `apply_func`, `is_test`,
//! a lookup answered by the worker's recent lookups), with one difference:
//! every operand is computed, where the fast evaluator stops at the first
//! that decides. A value not known ([`F::Unknown`]) therefore stands for
//! anything the fast evaluator would have noted (a missing value, a
//! lookup it would make afresh, a span the calendar does not know), and an
//! outcome that depends on one is never certified; it is ignored only
//! where the fast evaluator never computes it (the right side of `and`
//! after a false left side, of `or` after a true one, the branch of `if`
//! not taken).
//!
//! A column of the chunk's records that more than one place of its kernels
//! reads (a field as it is, or its day: `case.finished_at`,
//! `date(case.accepted_at)`, the operands of `workdays`; or the record a
//! lookup by a field finds: `catalogue[case.item_code]`, whose fields two
//! rules read) is computed once for the chunk ([`Shared`]), and each
//! operation takes its batch's part of it.
//!
//! Invariant: a certified outcome is the one the fast evaluator computes
//! for the record, with no missing value noted (debug builds check every
//! one against it, and the reference checks the fast path as before).
//! Rules and metrics without a memo (they read a date and time) get a
//! kernel; of the others, the memo replays most at less cost, and only a
//! rule (not a metric or a group rule) whose kernel reads nothing but
//! columns its dataset's other kernels read gets one too (`H006`'s
//! `catalogue[case.item_code] is not none`: a chunk it certifies wholly
//! passed skips the rule's pass; `run::Runner::new`).

use chrono::NaiveDate;

use super::{apply_func, arith, compare, equal, in_force_for_all, is_test, texts_match, Fast, F};
use crate::ast::{CmpOp, IsTest, RuleKind};
use crate::engine::address_slots::TextsMet;
use crate::engine::data::Row;
use crate::engine::eval::{holds, to_date, Env};
use crate::engine::index::Hit;
use crate::ir::{ArithOp, Const, Func, IrExpr, RuleDef};
use crate::text::Text;
use crate::value::Value;

/// What a kernel says of a record: nothing.
pub const UNSURE: u8 = 0;
/// A rule passes the record; a metric does not count it.
pub const PASS: u8 = 1;
/// A metric counts the record, its ratio's condition false.
pub const COUNTED_FALSE: u8 = 2;
/// A metric counts the record, its ratio's condition true.
pub const COUNTED_TRUE: u8 = 3;

/// Records an operation runs over at once: its operands' columns (16 bytes
/// a value) stay in the level-1 and level-2 caches.
const BATCH: usize = 1024;

/// An expression compiled for a kernel (what [`IrExpr`] says, `let`s
/// inlined).
#[derive(Debug)]
enum Node {
    Const(Const),
    Param(usize),
    AsOf,
    /// A field of the record.
    Field(usize),
    /// A field of a looked-up record.
    RecField(Box<Node>, usize),
    /// Field `field` of the record an undated lookup of `dataset` by field
    /// `key` of the record finds (`item.promised_days`, `item` being
    /// `catalogue[case.item_code]`): `RecField` of such a `Lookup`, in one
    /// loop.
    LookedUpField {
        dataset: usize,
        key: usize,
        field: usize,
    },
    /// `date` of a field of the record, in one loop.
    DateOfField(usize),
    /// An undated lookup by one key.
    Lookup {
        dataset: usize,
        key: Box<Node>,
    },
    Not(Box<Node>),
    Neg(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Arith(ArithOp, Box<Node>, Box<Node>),
    Cmp(CmpOp, Box<Node>, Box<Node>),
    In {
        negated: bool,
        item: Box<Node>,
        set: Box<Node>,
    },
    Is {
        negated: bool,
        test: IsTest,
        expr: Box<Node>,
    },
    If(Box<Node>, Box<Node>, Box<Node>),
    Call(Func, Vec<Node>),
    /// The verdict of another rule (by program index), from its kernel.
    Fires(usize),
}

impl Node {
    /// `None` for what no kernel computes (a map, an aggregate, a dated
    /// lookup or one by several keys, `coalesce`, the record itself).
    fn of(rule: &RuleDef, e: &IrExpr) -> Option<Node> {
        let node = |e: &IrExpr| Node::of(rule, e).map(Box::new);
        Some(match e {
            IrExpr::Const(c) => Node::Const(c.clone()),
            IrExpr::Param(i) => Node::Param(*i),
            IrExpr::AsOf => Node::AsOf,
            IrExpr::Field { base, field, .. } => match **base {
                IrExpr::Var => Node::Field(*field),
                _ => match Node::of(rule, base)? {
                    Node::Lookup { dataset, key } => match *key {
                        Node::Field(key) => Node::LookedUpField {
                            dataset,
                            key,
                            field: *field,
                        },
                        key => Node::RecField(
                            Box::new(Node::Lookup {
                                dataset,
                                key: Box::new(key),
                            }),
                            *field,
                        ),
                    },
                    base => Node::RecField(Box::new(base), *field),
                },
            },
            // (`let`s refer to earlier ones only: no circle.)
            IrExpr::LetRef(i) => Node::of(rule, &rule.lets.get(*i)?.expr)?,
            IrExpr::Lookup {
                dataset,
                keys,
                valid_on: None,
            } if keys.len() == 1 => Node::Lookup {
                dataset: *dataset,
                key: node(&keys[0])?,
            },
            IrExpr::Call { func, args } if *func != Func::Coalesce && args.len() <= 2 => {
                let args: Vec<Node> = args
                    .iter()
                    .map(|a| Node::of(rule, a))
                    .collect::<Option<_>>()?;
                match (func, args.as_slice()) {
                    (Func::Date, [Node::Field(f)]) => Node::DateOfField(*f),
                    // (`workdays` reads its operands' days: a field's day
                    // is what it reads of it, and the column `date()` of
                    // the field shares.)
                    (Func::Workdays, _) => Node::Call(
                        *func,
                        args.into_iter()
                            .map(|a| match a {
                                Node::Field(f) => Node::DateOfField(f),
                                a => a,
                            })
                            .collect(),
                    ),
                    _ => Node::Call(*func, args),
                }
            }
            IrExpr::Fires(idx) => Node::Fires(*idx),
            IrExpr::Not(a) => Node::Not(node(a)?),
            IrExpr::Neg(a) => Node::Neg(node(a)?),
            IrExpr::And(a, b) => Node::And(node(a)?, node(b)?),
            IrExpr::Or(a, b) => Node::Or(node(a)?, node(b)?),
            IrExpr::Arith(op, a, b) => Node::Arith(*op, node(a)?, node(b)?),
            IrExpr::Cmp(op, a, b) => Node::Cmp(*op, node(a)?, node(b)?),
            IrExpr::In { negated, item, set } => Node::In {
                negated: *negated,
                item: node(item)?,
                set: node(set)?,
            },
            IrExpr::Is {
                negated,
                test,
                expr,
            } => Node::Is {
                negated: *negated,
                test: *test,
                expr: node(expr)?,
            },
            IrExpr::If(c, t, f) => Node::If(node(c)?, node(t)?, node(f)?),
            IrExpr::Var
            | IrExpr::Lookup { .. }
            | IrExpr::MapGet { .. }
            | IrExpr::Call { .. }
            | IrExpr::Agg { .. }
            | IrExpr::GroupKey(_)
            | IrExpr::List(_) => return None,
        })
    }
}

impl Node {
    /// `f` of each node directly under this one.
    fn each_child<'n>(&'n self, mut f: impl FnMut(&'n Node)) {
        match self {
            Node::Const(_)
            | Node::Param(_)
            | Node::AsOf
            | Node::Field(_)
            | Node::DateOfField(_)
            | Node::LookedUpField { .. }
            | Node::Fires(_) => {}
            Node::RecField(a, _)
            | Node::Not(a)
            | Node::Neg(a)
            | Node::Is { expr: a, .. }
            | Node::Lookup { key: a, .. } => f(a),
            Node::And(a, b)
            | Node::Or(a, b)
            | Node::Arith(_, a, b)
            | Node::Cmp(_, a, b)
            | Node::In {
                item: a, set: b, ..
            } => {
                f(a);
                f(b);
            }
            Node::If(c, t, e) => {
                f(c);
                f(t);
                f(e);
            }
            Node::Call(_, args) => args.iter().for_each(f),
        }
    }

    /// Each column of the record this node and those under it read whole
    /// (a field as it is, its day, or the record a lookup by it finds),
    /// into `out`, as often as they do.
    fn columns(&self, out: &mut Vec<Column>) {
        match self {
            Node::Field(f) => out.push(Column::Field(*f)),
            Node::DateOfField(f) => out.push(Column::Day(*f)),
            Node::LookedUpField { dataset, key, .. } => out.push(Column::Found {
                dataset: *dataset,
                key: *key,
            }),
            Node::Lookup { dataset, key } => {
                if let Node::Field(key) = **key {
                    // (Its key field is read through the lookup's column.)
                    out.push(Column::Found {
                        dataset: *dataset,
                        key,
                    });
                    return;
                }
            }
            _ => {}
        }
        self.each_child(|n| n.columns(out));
    }
}

/// A column of a chunk's records that kernels read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    /// A field, as it is.
    Field(usize),
    /// A field's day (`date()` of it).
    Day(usize),
    /// The record an undated lookup of `dataset` by field `key` finds
    /// (`catalogue[case.item_code]`), as [`Node::Lookup`] has it: the
    /// record, [`F::Nothing`], or not known.
    Found { dataset: usize, key: usize },
}

impl Column {
    /// The column's value of a record.
    #[allow(
        clippy::inline_always,
        reason = "measured: left to the inliner, each record's value was a call"
    )]
    #[inline(always)]
    fn of<'r>(self, r: &'r Row, env: &'r Env<'r>, fast: &Fast<'r>) -> F<'r> {
        match self {
            Column::Field(f) => Self::field(r, f),
            Column::Day(f) => Self::day(r, f),
            Column::Found { dataset, key } => match r.values.get(key) {
                Some(Value::Str(s)) => found(env, fast, dataset, s),
                _ => F::Unknown,
            },
        }
    }

    /// [`Column::Field`]'s value of a record.
    #[allow(clippy::inline_always, reason = "as `of`")]
    #[inline(always)]
    fn field(r: &Row, f: usize) -> F<'_> {
        r.values.get(f).map_or(F::Empty, F::of)
    }

    /// [`Column::Day`]'s value of a record.
    #[allow(clippy::inline_always, reason = "as `of`")]
    #[inline(always)]
    fn day(r: &Row, f: usize) -> F<'_> {
        r.values.get(f).and_then(to_date).map_or(F::Unknown, F::day)
    }
}

/// What an undated lookup of `dataset` by the text `key` finds: the answer
/// the worker's recent lookups keep (as `Fast::lookup` finds it first); a
/// key not there is not known here (the fast evaluator looks it up).
#[inline]
fn found<'r>(env: &'r Env<'r>, fast: &Fast<'r>, dataset: usize, key: &Text) -> F<'r> {
    match fast.recent_hit(dataset, key) {
        Some(Hit::Row(r)) => F::rec(&env.data.tables[dataset], r),
        Some(_) => F::Nothing,
        None => F::Unknown,
    }
}

/// The columns that more than one place of a chunk's kernels read, each
/// computed once over the chunk's records (a date's day, a field's value,
/// read from the record and converted once, not by every kernel again; the
/// record a lookup finds, looked up once).
#[derive(Default)]
struct Shared<'r> {
    columns: Vec<(Column, Vec<F<'r>>)>,
}

impl<'r> Shared<'r> {
    fn of(
        kernels: &[Option<&'r Kernel>],
        rows: &'r [Row],
        env: &'r Env<'r>,
        fast: &Fast<'r>,
    ) -> Shared<'r> {
        let mut reads = Vec::new();
        for k in kernels.iter().flatten() {
            for n in k.filters.iter().chain(&k.test) {
                n.columns(&mut reads);
            }
        }
        let mut columns: Vec<(Column, Vec<F<'r>>)> = Vec::new();
        for (i, &c) in reads.iter().enumerate() {
            let again = reads[i + 1..].contains(&c);
            if again && !columns.iter().any(|(d, _)| *d == c) {
                // (A loop of its own for each kind of column: no dispatch on
                // the column a record.)
                let column = match c {
                    Column::Field(f) => rows.iter().map(|r| Column::field(r, f)).collect(),
                    Column::Day(f) => rows.iter().map(|r| Column::day(r, f)).collect(),
                    Column::Found { .. } => rows.iter().map(|r| c.of(r, env, fast)).collect(),
                };
                columns.push((c, column));
            }
        }
        Shared { columns }
    }

    #[inline]
    fn get(&self, c: Column) -> Option<&[F<'r>]> {
        self.columns
            .iter()
            .find(|(d, _)| *d == c)
            .map(|(_, v)| v.as_slice())
    }
}

/// Add a lookup (dataset, field) to a list of distinct ones.
fn push_new(out: &mut Vec<(usize, usize)>, lookup: (usize, usize)) {
    if !out.contains(&lookup) {
        out.push(lookup);
    }
}

/// The kernel of a per-record rule or a metric.
#[derive(Debug)]
pub struct Kernel {
    metric: bool,
    /// The lookups by one field of the record it makes (dataset, field).
    lookups: Vec<(usize, usize)>,
    effective_from: Option<NaiveDate>,
    filters: Vec<Node>,
    /// A rule's `require`, a metric's `ratio`.
    test: Option<Node>,
}

impl Kernel {
    /// The kernel of `rule`, when every part of it that decides a record's
    /// outcome compiles (a group rule has none; a metric only with no `per`
    /// or a `per` that is a field of the record, which the caller reads).
    pub fn of(rule: &RuleDef) -> Option<Kernel> {
        let metric = match rule.kind {
            RuleKind::Metric => {
                let per_ok = match &rule.per {
                    None => true,
                    Some(IrExpr::Field { base, .. }) => matches!(**base, IrExpr::Var),
                    Some(_) => false,
                };
                if !per_ok || rule.ratio.is_none() {
                    return None;
                }
                true
            }
            RuleKind::Rule if !rule.is_group() => false,
            RuleKind::Rule => return None,
        };
        let test = if metric { &rule.ratio } else { &rule.require };
        let filters: Vec<Node> = rule
            .filters
            .iter()
            .map(|f| Node::of(rule, f))
            .collect::<Option<_>>()?;
        let test = match test {
            Some(t) => Some(Node::of(rule, t)?),
            None => None,
        };
        // (The lookups by one field are the columns of the records they
        // find.)
        let mut columns = Vec::new();
        filters
            .iter()
            .chain(&test)
            .for_each(|n| n.columns(&mut columns));
        let mut lookups = Vec::new();
        for c in columns {
            if let Column::Found { dataset, key } = c {
                push_new(&mut lookups, (dataset, key));
            }
        }
        Some(Kernel {
            metric,
            lookups,
            effective_from: rule.effective_from,
            filters,
            test,
        })
    }

    /// Is this a metric's kernel?
    pub fn is_metric(&self) -> bool {
        self.metric
    }

    /// Whether every column of the records this kernel reads (a field, its
    /// day, the record a lookup by a field finds) is one that one of
    /// `others` reads too, so that a chunk computes it for them anyway.
    pub fn reads_only_columns_of(&self, others: &[&Kernel]) -> bool {
        let mut theirs = Vec::new();
        for k in others {
            k.columns(&mut theirs);
        }
        let mut mine = Vec::new();
        self.columns(&mut mine);
        mine.iter().all(|c| theirs.contains(c))
    }

    /// The columns its filters and test read, into `out`.
    fn columns(&self, out: &mut Vec<Column>) {
        for n in self.filters.iter().chain(&self.test) {
            n.columns(out);
        }
    }
}

/// What the kernels of a chunk's rules see.
struct Cx<'r, 'c> {
    env: &'r Env<'r>,
    fast: &'c Fast<'r>,
    /// The records of the batch.
    rows: &'r [Row],
    /// Where the batch starts in the chunk.
    offset: usize,
    /// The records an operation runs over, by their place in the batch
    /// (`None`: all of them): those still open after the filters so far.
    sel: Option<&'c [u32]>,
    /// By slot: the outcomes certified so far (empty: none yet, or no
    /// kernel).
    done: &'c [Vec<u8>],
    /// By program rule index: the slot of a per-record rule with a kernel.
    slot_of: &'c [Option<usize>],
    /// The columns computed once for the chunk.
    shared: &'c Shared<'r>,
}

/// Columns of values, reused from one operation to the next.
type Pool<'r> = Vec<Vec<F<'r>>>;

/// The outcomes the kernels certify for a chunk's records: by slot (the
/// dataset's rules in order), one byte per record ([`UNSURE`] …), empty
/// for a rule without a kernel. `kernels` is by slot; `slot_of` maps a
/// program rule index to the slot of a per-record rule with a kernel (for
/// `fires`); `earliest` is the records' earliest event date
/// ([`Fast::earliest_event`]: a kernel in force on it reads no record's
/// date).
pub fn certify<'r>(
    env: &'r Env<'r>,
    fast: &mut Fast<'r>,
    kernels: &[Option<&'r Kernel>],
    slot_of: &[Option<usize>],
    event_field: Option<usize>,
    earliest: Option<NaiveDate>,
    rows: &'r [Row],
) -> Vec<Vec<u8>> {
    // The chunk's lookups by one text field, answered first (most are
    // already, from the worker's earlier chunks).
    let mut lookups: Vec<(usize, usize)> = Vec::new();
    for k in kernels.iter().flatten() {
        for &l in &k.lookups {
            push_new(&mut lookups, l);
        }
    }
    for &(dataset, f) in &lookups {
        for row in rows {
            if let Some(Value::Str(key)) = row.values.get(f) {
                fast.remember_lookup(dataset, key);
            }
        }
    }
    let fast = &*fast;
    let shared = Shared::of(kernels, rows, env, fast);
    let mut done: Vec<Vec<u8>> = vec![Vec::new(); kernels.len()];
    let mut pool: Pool<'r> = Vec::new();
    for (slot, kernel) in kernels.iter().enumerate() {
        let Some(k) = kernel else { continue };
        let mut out = Vec::with_capacity(rows.len());
        // (A kernel in force before the chunk's earliest event date reads no
        // record's date: in force for each.)
        let event_field = event_field.filter(|_| !in_force_for_all(k.effective_from, earliest));
        for (b, batch) in rows.chunks(BATCH).enumerate() {
            let cx = Cx {
                env,
                fast,
                rows: batch,
                offset: b * BATCH,
                sel: None,
                done: &done,
                slot_of,
                shared: &shared,
            };
            k.outcomes(&cx, event_field, &mut pool, &mut out);
        }
        done[slot] = out;
    }
    done
}

impl Kernel {
    /// The outcomes of the batch's records, appended to `out`.
    fn outcomes<'r>(
        &'r self,
        cx: &Cx<'r, '_>,
        event_field: Option<usize>,
        pool: &mut Pool<'r>,
        out: &mut Vec<u8>,
    ) {
        let start = out.len();
        let n = cx.rows.len();
        // Not in force for a record dated before the rule: passes, or is
        // not counted (as `Fast::applicable`). Still open, by place in the
        // batch: in force and every filter so far true. Each filter, and
        // the test, runs over these alone (a `when` that leaves out most
        // records leaves the test little to do).
        let mut open: Vec<u32> = if let (Some(from), Some(f)) = (self.effective_from, event_field) {
            out.extend(cx.rows.iter().map(|row| {
                let applies = row
                    .values
                    .get(f)
                    .and_then(to_date)
                    .is_none_or(|d| d >= from);
                // (Still open: `UNSURE` marks a record whose outcome is
                // not decided yet, until the test below.)
                if applies {
                    UNSURE
                } else {
                    PASS
                }
            }));
            (0u32..)
                .zip(&out[start..])
                .filter_map(|(j, &o)| (o == UNSURE).then_some(j))
                .collect()
        } else {
            // (In force for every record: all open.)
            out.resize(start + n, UNSURE);
            (0..u32::try_from(n).unwrap_or(u32::MAX)).collect()
        };
        let outcomes = &mut out[start..];
        let mut col = take(pool);
        for filter in &self.filters {
            if open.is_empty() {
                break;
            }
            eval(filter, &cx.over(&open), pool, &mut col);
            let mut kept = 0;
            for k in 0..open.len() {
                let j = open[k] as usize;
                match tri(col[k]) {
                    Some(true) => {
                        open[kept] = open[k];
                        kept += 1;
                    }
                    // A filter false: the rule passes, the metric does
                    // not count the record.
                    Some(false) => outcomes[j] = PASS,
                    // The filter not known: the fast evaluator goes on,
                    // noting it; not certified.
                    None => {}
                }
            }
            open.truncate(kept);
        }
        if open.is_empty() {
            pool.push(col);
            return;
        }
        match &self.test {
            Some(test) => eval(test, &cx.over(&open), pool, &mut col),
            None => col.clear(),
        }
        for (k, &j) in open.iter().enumerate() {
            let v = if self.test.is_some() {
                tri(col[k])
            } else {
                Some(true)
            };
            outcomes[j as usize] = match (self.metric, v) {
                (false, Some(true)) => PASS,
                (true, Some(true)) => COUNTED_TRUE,
                (true, Some(false)) => COUNTED_FALSE,
                _ => UNSURE,
            };
        }
        pool.push(col);
    }
}

impl<'r, 'c> Cx<'r, 'c> {
    /// The same batch, its operations run over the records at `sel`
    /// (all of them when that is every record).
    fn over<'s>(&self, sel: &'s [u32]) -> Cx<'r, 's>
    where
        'c: 's,
    {
        Cx {
            env: self.env,
            fast: self.fast,
            rows: self.rows,
            offset: self.offset,
            sel: (sel.len() < self.rows.len()).then_some(sel),
            done: self.done,
            slot_of: self.slot_of,
            shared: self.shared,
        }
    }

    /// How many records an operation runs over.
    fn len(&self) -> usize {
        self.sel.map_or(self.rows.len(), <[u32]>::len)
    }

    /// Column `c` of each record an operation runs over, appended to
    /// `out`: from the chunk's shared columns when it is one of them.
    #[inline]
    fn column(&self, out: &mut Vec<F<'r>>, c: Column) {
        match self.shared.get(c) {
            Some(col) => {
                let col = &col[self.offset..self.offset + self.rows.len()];
                match self.sel {
                    None => out.extend_from_slice(col),
                    Some(sel) => out.extend(sel.iter().map(|&j| col[j as usize])),
                }
            }
            None => self.gather(out, |r| c.of(r, self.env, self.fast)),
        }
    }

    /// `of` the shared column `c`'s value of each record an operation runs
    /// over, appended to `out`; `false` when `c` is not shared (nothing
    /// appended).
    #[inline]
    fn map_shared(&self, out: &mut Vec<F<'r>>, c: Column, of: impl Fn(F<'r>) -> F<'r>) -> bool {
        let Some(col) = self.shared.get(c) else {
            return false;
        };
        let col = &col[self.offset..self.offset + self.rows.len()];
        match self.sel {
            None => out.extend(col.iter().map(|&v| of(v))),
            Some(sel) => out.extend(sel.iter().map(|&j| of(col[j as usize]))),
        }
        true
    }

    /// The value of `node` for every record when it is one and the same
    /// (a constant, a parameter, the audit date).
    #[inline]
    fn scalar(&self, node: &'r Node) -> Option<F<'r>> {
        Some(match node {
            Node::Const(c) => F::of_const(c),
            Node::Param(i) => self.env.params[*i].as_ref().map_or(F::Empty, F::of_const),
            Node::AsOf => F::day(self.env.as_of),
            _ => return None,
        })
    }

    /// The values of `node` in place, when it is a shared column and the
    /// operation runs over every record of the batch.
    #[inline]
    fn borrowed(&self, node: &Node) -> Option<&'c [F<'r>]> {
        if self.sel.is_some() {
            return None;
        }
        let c = match *node {
            Node::Field(f) => Column::Field(f),
            Node::DateOfField(f) => Column::Day(f),
            Node::Lookup { dataset, ref key } => match **key {
                Node::Field(key) => Column::Found { dataset, key },
                _ => return None,
            },
            _ => return None,
        };
        let col = self.shared.get(c)?;
        Some(&col[self.offset..self.offset + self.rows.len()])
    }

    /// `of` each record an operation runs over, appended to `out`.
    #[inline]
    fn gather(&self, out: &mut Vec<F<'r>>, of: impl Fn(&'r Row) -> F<'r>) {
        match self.sel {
            None => out.extend(self.rows.iter().map(of)),
            Some(sel) => out.extend(sel.iter().map(|&j| of(&self.rows[j as usize]))),
        }
    }
}

fn take<'r>(pool: &mut Pool<'r>) -> Vec<F<'r>> {
    let mut v = pool.pop().unwrap_or_default();
    v.clear();
    v
}

/// A known scalar, or `F::Unknown` (as `Fast::need`, which notes a
/// missing value there).
#[inline]
fn need(v: F<'_>) -> F<'_> {
    match v {
        F::Str(_) | F::Int(_) | F::Dec(_) | F::True | F::False | F::Date(_) | F::DateTime(_) => v,
        _ => F::Unknown,
    }
}

#[inline]
fn tri(v: F<'_>) -> Option<bool> {
    // (`need(v).as_bool()`: what `need` makes unknown is no truth value.)
    v.as_bool()
}

/// `f` of the known values of `a` and `b`, record by record, into `out`;
/// unknown where either is not known (as `Fast::eval`'s `Arith` and `Cmp`).
fn binary<'r>(
    a: &'r Node,
    b: &'r Node,
    cx: &Cx<'r, '_>,
    pool: &mut Pool<'r>,
    out: &mut Vec<F<'r>>,
    f: impl Fn(F<'r>, F<'r>) -> F<'r>,
) {
    let both = |x: F<'r>, y: F<'r>| both_known(x, y, &f);
    // A constant right side (`case.channel == "原单位"`, `x > 5`) is no
    // column, and a shared column of every record is read where it is:
    // neither is copied.
    if let Some(y) = cx.scalar(b) {
        unary(a, cx, pool, out, |x| both(x, y));
        return;
    }
    // (A shared left side too: `date(case.finished_at) <= date(case.accepted_at)`.)
    if let Some(xs) = cx.borrowed(a) {
        out.clear();
        if let Some(ys) = cx.borrowed(b) {
            out.extend(xs.iter().zip(ys).map(|(&x, &y)| both(x, y)));
            return;
        }
        eval(b, cx, pool, out);
        for (v, &x) in out.iter_mut().zip(xs) {
            *v = both(x, *v);
        }
        return;
    }
    eval(a, cx, pool, out);
    if let Some(ys) = cx.borrowed(b) {
        for (v, &r) in out.iter_mut().zip(ys) {
            *v = both(*v, r);
        }
        return;
    }
    let mut right = take(pool);
    eval(b, cx, pool, &mut right);
    for (v, &r) in out.iter_mut().zip(&right) {
        *v = both(*v, r);
    }
    pool.push(right);
}

/// `f` of two known values, else `F::Unknown`. (Inlined in every loop of
/// [`binary`]: left to the inliner, two of them called it a record.)
#[allow(
    clippy::inline_always,
    reason = "measured: called, a third of the operation's instructions"
)]
#[inline(always)]
fn both_known<'r>(x: F<'r>, y: F<'r>, f: &impl Fn(F<'r>, F<'r>) -> F<'r>) -> F<'r> {
    match (need(x), need(y)) {
        (F::Unknown, _) | (_, F::Unknown) => F::Unknown,
        (x, y) => f(x, y),
    }
}

/// Of a comparison's operands, the one that is not a text constant or
/// parameter and that text, when the other is one.
fn text_operand<'r>(cx: &Cx<'r, '_>, a: &'r Node, b: &'r Node) -> Option<(&'r Node, &'r Text)> {
    match (cx.scalar(a), cx.scalar(b)) {
        (None, Some(F::Str(t))) => Some((a, t)),
        (Some(F::Str(t)), None) => Some((b, t)),
        _ => None,
    }
}

/// `f` of `a`'s value of each record, into `out`: from a shared column in
/// place when `a` is one (no copy of it first).
#[inline]
fn unary<'r>(
    a: &'r Node,
    cx: &Cx<'r, '_>,
    pool: &mut Pool<'r>,
    out: &mut Vec<F<'r>>,
    mut f: impl FnMut(F<'r>) -> F<'r>,
) {
    if let Some(xs) = cx.borrowed(a) {
        out.clear();
        out.extend(xs.iter().map(|&x| f(x)));
        return;
    }
    eval(a, cx, pool, out);
    for v in out.iter_mut() {
        *v = f(*v);
    }
}

/// The values of `node` for the batch's records, into `out` (cleared).
#[allow(clippy::too_many_lines, reason = "one arm per operation")]
fn eval<'r>(node: &'r Node, cx: &Cx<'r, '_>, pool: &mut Pool<'r>, out: &mut Vec<F<'r>>) {
    out.clear();
    let n = cx.len();
    // The operands' columns, from the pool.
    let operand = |e: &'r Node, pool: &mut Pool<'r>| {
        let mut c = take(pool);
        eval(e, cx, pool, &mut c);
        c
    };
    match node {
        Node::Const(c) => out.resize(n, F::of_const(c)),
        Node::Param(i) => {
            let v = match &cx.env.params[*i] {
                Some(c) => F::of_const(c),
                None => F::Empty,
            };
            out.resize(n, v);
        }
        Node::AsOf => out.resize(n, F::day(cx.env.as_of)),
        Node::Field(f) => cx.column(out, Column::Field(*f)),
        // (What `RecField` of `Lookup` computes, in one loop.)
        Node::LookedUpField {
            dataset,
            key,
            field,
        } => {
            let found = Column::Found {
                dataset: *dataset,
                key: *key,
            };
            let of = |v| match v {
                F::Rec(r) => F::field_of(r, *field),
                _ => F::Unknown,
            };
            if !cx.map_shared(out, found, of) {
                cx.gather(out, |r| of(found.of(r, cx.env, cx.fast)));
            }
        }
        // (What `Call(Date)` of `Field` computes, in one loop.)
        Node::DateOfField(f) => cx.column(out, Column::Day(*f)),
        Node::RecField(base, f) => unary(base, cx, pool, out, |v| match v {
            F::Rec(r) => F::field_of(r, *f),
            // (No record found: a missing value.)
            _ => F::Unknown,
        }),
        Node::Lookup { dataset, key } => {
            if let Node::Field(key) = **key {
                // (The lookup by a field, which `Column::Found` computes.)
                cx.column(
                    out,
                    Column::Found {
                        dataset: *dataset,
                        key,
                    },
                );
                return;
            }
            eval(key, cx, pool, out);
            for v in out.iter_mut() {
                *v = match need(*v) {
                    F::Str(s) => found(cx.env, cx.fast, *dataset, s),
                    _ => F::Unknown,
                };
            }
        }
        Node::Not(a) => unary(a, cx, pool, out, |v| F::tri(tri(v).map(|b| !b))),
        Node::Neg(a) => unary(a, cx, pool, out, |v| match need(v) {
            F::Int(x) => x.checked_neg().map_or(F::Unknown, F::Int),
            F::Dec(x) => F::dec(-f64::from_bits(x)),
            _ => F::Unknown,
        }),
        Node::And(a, b) | Node::Or(a, b) => {
            // The left side decides alone when false (`and`) or true
            // (`or`): the right side is then not computed by the fast
            // evaluator, and its value here not looked at.
            let stop = matches!(node, Node::Or(..));
            eval(a, cx, pool, out);
            let right = operand(b, pool);
            for (v, r) in out.iter_mut().zip(&right) {
                *v = match tri(*v) {
                    Some(l) if l == stop => F::bool(stop),
                    Some(_) => F::tri(tri(*r)),
                    None => F::Unknown,
                };
            }
            pool.push(right);
        }
        Node::Arith(op, a, b) => binary(a, b, cx, pool, out, |x, y| arith(*op, x, y)),
        Node::Cmp(op, a, b) => {
            // A field's or looked-up field's text compared with one text
            // (`case.channel == "原单位"`, `item.handling_type == "即办件"`):
            // each of the batch's few strings compared once.
            if let (CmpOp::Eq | CmpOp::Ne, Some((x, text))) = (op, text_operand(cx, a, b)) {
                let eq = *op == CmpOp::Eq;
                let mut met = TextsMet::default();
                unary(x, cx, pool, out, |v| match need(v) {
                    F::Str(s) => F::bool(met.equal(s, text) == eq),
                    F::Unknown => F::Unknown,
                    v => F::tri(compare(*op, v, F::Str(text))),
                });
                return;
            }
            // (Numbers and days compared in place, the rest by `compare`,
            // which orders them the same way.)
            binary(a, b, cx, pool, out, |x, y| match (x, y) {
                (F::Int(p), F::Int(q)) | (F::Date(p), F::Date(q)) => F::bool(holds(*op, p.cmp(&q))),
                // (A text's equality in the loop, as `compare` has it.)
                (F::Str(p), F::Str(q)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                    F::bool(texts_match(p, q) == (*op == CmpOp::Eq))
                }
                _ => F::tri(compare(*op, x, y)),
            });
        }
        Node::In { negated, item, set } => {
            let member = |v: F<'r>, s: F<'r>| {
                let x = need(v);
                if matches!(x, F::Unknown) {
                    F::Unknown
                } else {
                    match s {
                        F::List(l) => F::bool(l.iter().any(|e| equal(F::of(e), x)) != *negated),
                        F::Map(m) => F::bool(m.iter().any(|(k, _)| equal(F::of(k), x)) != *negated),
                        _ => F::Unknown,
                    }
                }
            };
            // (A list constant or parameter: one set for every record.)
            if let Some(s) = cx.scalar(set) {
                unary(item, cx, pool, out, |v| member(v, s));
                return;
            }
            eval(item, cx, pool, out);
            let sets = operand(set, pool);
            for (v, &s) in out.iter_mut().zip(&sets) {
                *v = member(*v, s);
            }
            pool.push(sets);
        }
        Node::Is {
            negated,
            test,
            expr,
        } => unary(expr, cx, pool, out, |v| is_test(v, *test, *negated)),
        Node::If(c, t, f) => {
            eval(c, cx, pool, out);
            let then = operand(t, pool);
            let other = operand(f, pool);
            for ((v, t), f) in out.iter_mut().zip(&then).zip(&other) {
                *v = match tri(*v) {
                    Some(true) => *t,
                    Some(false) => *f,
                    None => F::Unknown,
                };
            }
            pool.push(then);
            pool.push(other);
        }
        // `date(x)`, the commonest call, without a call per record (as
        // `apply_func` computes it).
        Node::Call(Func::Date, args) if args.len() == 1 => unary(&args[0], cx, pool, out, |v| {
            v.day_number().map_or(F::Unknown, F::Date)
        }),
        // `workdays(a, b)` (`apply_func`'s, without a call per record): a
        // span the calendar does not know leaves the record to the fast
        // evaluator, as any operand not a date does.
        Node::Call(Func::Workdays, args) if args.len() == 2 => {
            let cal = cx.env.calendar;
            let span = |a: F<'r>, b: F<'r>| match (a.day_number(), b.day_number()) {
                (Some(a), Some(b)) => cal.known_workdays(a, b).map_or(F::Unknown, F::Int),
                _ => F::Unknown,
            };
            // (`workdays(x, as_of)`: one end for every record.)
            if let Some(b) = cx.scalar(&args[1]) {
                unary(&args[0], cx, pool, out, |a| span(a, b));
                return;
            }
            eval(&args[0], cx, pool, out);
            let to = operand(&args[1], pool);
            for (v, &b) in out.iter_mut().zip(&to) {
                *v = span(*v, b);
            }
            pool.push(to);
        }
        Node::Call(func, args) => {
            let cols: Vec<Vec<F<'r>>> = args.iter().map(|a| operand(a, pool)).collect();
            out.extend((0..n).map(|j| {
                let mut vals = [F::Unknown; 2];
                for (slot, c) in vals.iter_mut().zip(&cols) {
                    match need(c[j]) {
                        F::Unknown => return F::Unknown,
                        v => *slot = v,
                    }
                }
                // (A `Bail` of the fast evaluator: not certified.)
                apply_func(cx.env.calendar, *func, vals).unwrap_or(F::Unknown)
            }));
            pool.extend(cols);
        }
        Node::Fires(idx) => {
            let certified = cx
                .slot_of
                .get(*idx)
                .copied()
                .flatten()
                .map(|s| cx.done[s].as_slice())
                .filter(|d| !d.is_empty());
            let place = |k: usize| cx.offset + cx.sel.map_or(k, |s| s[k] as usize);
            out.extend((0..n).map(|k| match certified {
                // A pass certified, no missing value noted: `fires` false.
                Some(d) if d[place(k)] == PASS => F::False,
                _ => F::Unknown,
            }));
        }
    }
}
