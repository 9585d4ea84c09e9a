//! The plan and its execution: one pass per dataset for every rule and
//! metric over it, in parallel chunks, with mergeable partial aggregates.
//!
//! Invariant: workers return partial results and never print; partials are
//! merged in chunk order and the audit is sorted at the end, so the output is
//! byte-identical at any thread count.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use rayon::prelude::*;

use super::address_slots::TextsMet;
use super::data::{Data, Row};
use super::eval::{
    to_date, AggInput, Env, Frame, GroupView, LookupCache, Names, Range, Touched, Val,
};
use super::fast::batch::{self, Kernel};
use super::fast::{in_force_for_all, Fast};
use super::index::{Index, Key};
use super::recent_lookups::RecentLookups;
use super::report::{
    append, Audit, CiteOut, Evidence, Finding, GroupRows, MetricValue, Undetermined,
};
use super::shared_lookups::SharedLookups;
use crate::ast::RuleKind;
use crate::ir::{AggFunc, Const, IrExpr, Program, RuleDef, TemplatePiece};
use crate::per_thread::PerThread;
use crate::read::DeferredCells;
use crate::sources::SourceRegistry;
use crate::text::Text;
use crate::value::Value;
pub use deferral::deferrable_field;
use deferral::Judged;
use fast_path::FastChunk;
use group_acc::{AggAcc, GroupAcc, Keep};
use guard::{Exclusions, Guard};

mod deferral;
mod exact_sum;
mod fast_path;
mod group_acc;
mod guard;
mod kept_groups;
mod memo;
mod metric_counts;
mod pending;

pub const CHUNK: usize = 4096;

/// Settings of one audit run.
#[derive(Clone)]
pub struct RunOptions<'a> {
    pub as_of: chrono::NaiveDate,
    /// Parameter values (overrides already applied), indexed like `program.params`.
    pub params: Vec<Option<Const>>,
    pub calendar: &'a crate::calendar::Calendar,
    pub sources: &'a SourceRegistry,
    /// Only event records dated in this period (inclusive) are judged; records
    /// without a usable date are left out and counted (`Audit::undated`).
    /// `None`: every record.
    pub period: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
}

#[derive(Clone, Debug, Default)]
struct MetricAcc {
    numerator: u64,
    denominator: u64,
    undetermined: u64,
    /// A text `per` key as its earliest counted record (by place: file,
    /// row) wrote it: records whose keys match only once normalised
    /// (`民政局（本级）`, `民政局(本级)`) are counted together, under the
    /// export's text, whatever order they meet in.
    first: Option<((u32, u32), Text)>,
}

impl MetricAcc {
    fn absorb(&mut self, o: &MetricAcc) {
        self.numerator += o.numerator;
        self.denominator += o.denominator;
        self.undetermined += o.undetermined;
        if let Some((at, text)) = &o.first {
            self.note_text(*at, text);
        }
    }

    /// The key's text in the record at `at`, kept if that record is the
    /// earliest so far.
    fn note_text(&mut self, at: (u32, u32), text: &Text) {
        if self.first.as_ref().is_none_or(|(first, _)| at < *first) {
            self.first = Some((at, text.clone()));
        }
    }
}

/// Add a group's partial aggregates to `groups` (merging with what is there).
fn merge_group<K: Eq + std::hash::Hash>(groups: &mut HashMap<K, GroupAcc>, key: K, acc: GroupAcc) {
    // (One hash of the key, found or not.)
    match groups.entry(key) {
        std::collections::hash_map::Entry::Occupied(m) => m.into_mut().merge(acc),
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(acc);
        }
    }
}

/// The aggregates of a group rule, each with its slot.
struct AggPlan<'p> {
    nodes: Vec<(AggFunc, Option<&'p IrExpr>)>,
    /// Per node: an earlier node with the same argument (`any(x)` and
    /// `count(x)` in one rule), whose input the fast path reuses instead of
    /// evaluating the argument again.
    same_as: Vec<Option<usize>>,
    /// Per node: which of its records it keeps as the evidence of the
    /// group's verdict (nothing unless the verdict reads it).
    keeps: Vec<Keep>,
}

impl AggPlan<'_> {
    /// Each aggregate's value from its accumulator (a group's, or one
    /// record's alone).
    fn values(&self, accs: &[AggAcc]) -> Vec<Val> {
        self.nodes
            .iter()
            .zip(accs)
            .map(|((func, arg), acc)| acc.value(*func, arg.is_some()))
            .collect()
    }
}

impl AggPlan<'_> {
    fn link_same_arguments(&mut self) {
        self.same_as = (0..self.nodes.len())
            .map(|i| {
                let arg = self.nodes[i].1?;
                let kind = |f: AggFunc| {
                    matches!(
                        f,
                        AggFunc::Count | AggFunc::Any | AggFunc::All | AggFunc::Ratio
                    )
                };
                (0..i).find(|&j| {
                    self.nodes[j].1 == Some(arg) && kind(self.nodes[j].0) == kind(self.nodes[i].0)
                })
            })
            .collect();
    }
}

/// The aggregates of every group rule (by program rule index), and the
/// slot of each aggregate node (by address).
fn agg_plans(
    program: &Program,
) -> (
    std::collections::HashMap<usize, usize>,
    HashMap<usize, AggPlan<'_>>,
) {
    let mut agg_slots = std::collections::HashMap::new();
    let mut agg_plans: HashMap<usize, AggPlan<'_>> = HashMap::default();
    for (ri, rule) in program.rules.iter().enumerate() {
        if rule.is_group() {
            let mut plan = AggPlan {
                nodes: Vec::new(),
                same_as: Vec::new(),
                keeps: Vec::new(),
            };
            for e in group_level_exprs(rule) {
                collect_aggs(e, &mut agg_slots, &mut plan);
            }
            plan.link_same_arguments();
            plan.keeps = deciding_keeps(rule, &agg_slots, &plan);
            agg_plans.insert(ri, plan);
        }
    }
    (agg_slots, agg_plans)
}

fn collect_aggs<'p>(
    e: &'p IrExpr,
    slots: &mut std::collections::HashMap<usize, usize>,
    plan: &mut AggPlan<'p>,
) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        if let IrExpr::Agg { func, arg } = e {
            slots.insert(std::ptr::from_ref(e) as usize, plan.nodes.len());
            plan.nodes.push((*func, arg.as_deref()));
            // An aggregate's argument is evaluated per record, never nested.
            continue;
        }
        stack.extend(e.children());
    }
}

/// What each aggregate of a group rule keeps as evidence ([`Keep`]): the
/// aggregates the verdict reads (the rule's `require` and the `when`s after
/// `group by`), directly or through a group-level `let`, keep the records
/// that make their value; the others (a message's, a `dept`'s) nothing.
fn deciding_keeps(
    rule: &RuleDef,
    slots: &std::collections::HashMap<usize, usize>,
    plan: &AggPlan<'_>,
) -> Vec<Keep> {
    let mut keeps = vec![Keep::Nothing; plan.nodes.len()];
    let mut lets_seen = vec![false; rule.lets.len()];
    let mut stack: Vec<&IrExpr> = rule.require.iter().chain(&rule.group_filters).collect();
    while let Some(e) = stack.pop() {
        match e {
            IrExpr::Agg { func, .. } => {
                if let Some(&slot) = slots.get(&(std::ptr::from_ref(e) as usize)) {
                    keeps[slot] = Keep::of(*func);
                }
            }
            IrExpr::LetRef(i) => {
                if let (Some(l), Some(seen)) = (rule.lets.get(*i), lets_seen.get_mut(*i)) {
                    if l.group_level && !*seen {
                        *seen = true;
                        stack.push(&l.expr);
                    }
                }
            }
            _ => stack.extend(e.children()),
        }
    }
    keeps
}

fn group_level_exprs(rule: &RuleDef) -> Vec<&IrExpr> {
    let mut out: Vec<&IrExpr> = rule
        .lets
        .iter()
        .filter(|l| l.group_level)
        .map(|l| &l.expr)
        .collect();
    out.extend(rule.group_filters.iter());
    out.extend(rule.require.iter());
    out.extend(rule.dept.iter());
    out.extend(rule.key.iter().flatten());
    for p in &rule.message {
        if let TemplatePiece::Hole(e) = p {
            out.push(e);
        }
    }
    out
}

/// Partial results of one chunk of one dataset: mergeable.
#[derive(Default)]
pub struct Partial {
    rows: u64,
    /// With a period: records whose event date is missing or unreadable, so
    /// that the period cannot place them (left out, counted).
    undated: u64,
    /// With a period: records dated outside it (left out, counted).
    outside: u64,
    findings: Vec<Finding>,
    undetermined: Vec<Undetermined>,
    groups: Vec<HashMap<Vec<Key>, GroupAcc>>,
    /// Per group rule: the records without their whole group key that may
    /// change a verdict, gathered by the key values they have (`None` where
    /// missing); each may be a member of any group those values match.
    unplaced: Vec<HashMap<Vec<Option<Key>>, GroupAcc>>,
    metrics: Vec<HashMap<Option<Key>, MetricAcc>>,
    /// The missing names of this chunk's undetermined verdicts, one text
    /// each (a column that is empty throughout names the same field in
    /// every verdict).
    missing_names: SharedTexts,
}

/// Texts made once and shared by the verdicts that repeat them.
#[derive(Default)]
struct SharedTexts(rustc_hash::FxHashSet<Text>);

impl SharedTexts {
    fn share(&mut self, s: &str) -> Text {
        if let Some(t) = self.0.get(s) {
            return t.clone();
        }
        let t = Text::from(s);
        self.0.insert(t.clone());
        t
    }
}

/// The plan of a run, ready to evaluate chunks of any dataset: lookup
/// indexes over the datasets held in memory, aggregate slots of group rules,
/// the rules of each dataset.
pub struct Runner<'a> {
    env: Env<'a>,
    agg_plans: HashMap<usize, AggPlan<'a>>,
    rules: Vec<Vec<(usize, &'a RuleDef)>>,
    /// Each rule's citations with their text, made once: a finding gets a
    /// copy (finding the text scans its document's clauses).
    cites: HashMap<String, Vec<CiteOut>>,
    period: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// Decide passing records on the fast path (off with `YIMEN_ENGINE=reference`).
    fast: bool,
    shared_lookups: SharedLookups,
    /// Each rule's guard (by program rule index), on the fast path.
    guards: Vec<Option<Guard>>,
    /// How each rule's outcomes are remembered and replayed (by program
    /// rule index; `None`: they are not, see [`memo`]).
    memo_plans: Vec<Option<memo::MemoPlan>>,
    /// The memos, between the chunks that use them.
    memo_pool: memo::MemoPool,
    /// The fast path's lookups by one text key, between a worker's chunks.
    recent_lookups: PerThread<RecentLookups>,
    /// Each rule's batch kernel (by program rule index), on the fast path:
    /// the rules and metrics without a memo whose outcome-deciding parts
    /// compile (see [`batch`]).
    kernels: Vec<Option<Kernel>>,
    /// By dataset, by program rule index: the slot of a per-record rule
    /// with a kernel (what `fires` of it reads).
    kernel_slots: Vec<Vec<Option<usize>>>,
}

impl Partial {
    /// The records this partial covers.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Merge `p`, the partial of the chunk that follows, into this one.
    /// Merging is in chunk order (groups keep their first evidence rows), so
    /// a caller may fold partials as they arrive in order instead of holding
    /// them all: the result is the same.
    pub fn absorb(&mut self, p: Partial) {
        self.rows += p.rows;
        self.undated += p.undated;
        self.outside += p.outside;
        append(&mut self.findings, p.findings);
        append(&mut self.undetermined, p.undetermined);
        if self.groups.len() < p.groups.len() {
            self.groups.resize_with(p.groups.len(), HashMap::default);
        }
        if self.metrics.len() < p.metrics.len() {
            self.metrics.resize_with(p.metrics.len(), HashMap::default);
        }
        for (slot, g) in p.groups.into_iter().enumerate() {
            for (k, acc) in g {
                merge_group(&mut self.groups[slot], k, acc);
            }
        }
        if self.unplaced.len() < p.unplaced.len() {
            self.unplaced
                .resize_with(p.unplaced.len(), HashMap::default);
        }
        for (slot, u) in p.unplaced.into_iter().enumerate() {
            for (k, acc) in u {
                merge_group(&mut self.unplaced[slot], k, acc);
            }
        }
        for (slot, m) in p.metrics.into_iter().enumerate() {
            for (k, acc) in m {
                self.metrics[slot].entry(k).or_default().absorb(&acc);
            }
        }
    }
}

impl<'a> Runner<'a> {
    /// `data` holds the datasets that are not streamed, and every file.
    pub fn new(
        program: &'a Program,
        schema: &'a crate::schema::Schema,
        data: &'a Data,
        opts: &RunOptions<'a>,
    ) -> Self {
        let indexes: Vec<Option<Index>> = schema
            .datasets
            .iter()
            .enumerate()
            .map(|(i, ds)| {
                data.provided(i)
                    .then(|| Index::build(ds, &data.tables[i], &data.unread[i]))
            })
            .collect();
        let (agg_slots, agg_plans) = agg_plans(program);
        let rules: Vec<Vec<(usize, &RuleDef)>> = (0..schema.datasets.len())
            .map(|d| {
                program
                    .rules
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.dataset == d)
                    .collect()
            })
            .collect();
        let event_field: Vec<Option<usize>> = schema
            .datasets
            .iter()
            .map(|d| d.event_date.as_ref().and_then(|n| d.field_index(n)))
            .collect();
        let memo_plans = memo::plans(program, schema, &agg_plans);
        let mut kernels: Vec<Option<Kernel>> = program
            .rules
            .iter()
            .zip(&memo_plans)
            // A metric gets its kernel even where a memo could replay it: a
            // chunk its kernel decides wholly is counted in one loop
            // (`count_certified`) where the memo looked every record up
            // (M07: -0.4% instructions on the audit of 200k clean cases,
            // +0.03% on one with violations; the memo still serves the
            // records the kernel leaves).
            .map(|(rule, memo)| {
                (memo.is_none() || rule.kind == RuleKind::Metric && !rule.is_group())
                    .then(|| Kernel::of(rule))
                    .flatten()
            })
            .collect();
        // A rule that a memo replays gets a kernel too when that kernel
        // reads only columns the other kernels of its dataset read (H006's
        // `catalogue[case.item_code]`, which H003 and H004 read): it costs
        // a test a record over a column made anyway, and a chunk it
        // certifies wholly passed skips the rule's pass (no memo lookup a
        // record). A kernel reading a column of its own costs more than
        // the memo (the metrics have theirs above; a group's pass is never
        // skipped).
        let extra: Vec<(usize, Kernel)> = program
            .rules
            .iter()
            .enumerate()
            .filter(|&(ri, r)| {
                memo_plans[ri].is_some() && r.kind == RuleKind::Rule && !r.is_group()
            })
            .filter_map(|(ri, r)| {
                let k = Kernel::of(r)?;
                let others: Vec<&Kernel> = rules[r.dataset]
                    .iter()
                    .filter_map(|(rj, _)| kernels[*rj].as_ref())
                    .collect();
                k.reads_only_columns_of(&others).then_some((ri, k))
            })
            .collect();
        for (ri, k) in extra {
            kernels[ri] = Some(k);
        }
        let kernel_slots = rules
            .iter()
            .map(|ds_rules| {
                let mut slots = vec![None; program.rules.len()];
                for (slot, (ri, _)) in ds_rules.iter().enumerate() {
                    if kernels[*ri].as_ref().is_some_and(|k| !k.is_metric()) {
                        slots[*ri] = Some(slot);
                    }
                }
                slots
            })
            .collect();
        Runner {
            env: Env {
                program,
                schema,
                data,
                indexes,
                params: opts.params.clone(),
                as_of: opts.as_of,
                calendar: opts.calendar,
                agg_slots,
                event_field,
                names: Names::of(program, schema),
            },
            agg_plans,
            rules,
            cites: program
                .rules
                .iter()
                .map(|r| (r.code.clone(), cites(r, opts.sources)))
                .collect(),
            period: opts.period,
            fast: std::env::var_os("YIMEN_ENGINE").is_none_or(|v| v != "reference"),
            shared_lookups: SharedLookups::new(program),
            guards: program.rules.iter().map(Guard::of).collect(),
            memo_plans,
            memo_pool: memo::MemoPool::new(schema.datasets.len()),
            recent_lookups: PerThread::default(),
            kernels,
            kernel_slots,
        }
    }

    /// Decide passing records on the fast path (the default) or evaluate
    /// every record with the reference evaluator (benchmarks, tests).
    pub fn set_fast_path(&mut self, on: bool) {
        self.fast = on;
    }

    /// Can dataset `ds` be streamed in chunks? Not when a lookup needs it
    /// whole or a rule over it takes each key once (`distinct`).
    pub fn streamable(program: &Program, ds: usize) -> bool {
        Self::holding_whole(program, ds).is_empty()
    }

    /// The codes of the rules that make dataset `ds` be held whole rather
    /// than streamed: they look its records up, or count its keys once
    /// (`distinct`).
    pub fn holding_whole(program: &Program, ds: usize) -> Vec<&str> {
        program
            .rules
            .iter()
            .filter(|r| {
                (r.dataset == ds && r.distinct)
                    || r.exprs().any(|e| {
                        e.any(
                            &mut |n| matches!(n, IrExpr::Lookup { dataset, .. } if *dataset == ds),
                        )
                    })
            })
            .map(|r| r.code.as_str())
            .collect()
    }

    /// The citations of rule `code`, as its findings show them.
    fn cites_of(&self, code: &str) -> Vec<CiteOut> {
        self.cites.get(code).cloned().unwrap_or_default()
    }

    fn empty_partial(&self, ds: usize) -> Partial {
        let n = self.rules[ds].len();
        Partial {
            groups: vec![HashMap::default(); n],
            unplaced: vec![HashMap::default(); n],
            metrics: vec![HashMap::default(); n],
            ..Partial::default()
        }
    }

    /// Evaluate every rule and metric of dataset `ds` on a chunk of its rows.
    /// `first_of_key[i]` says whether `rows[i]` is the first of its key (for
    /// `distinct`; `None`: every row counts). Pure: call it from any worker.
    pub fn chunk(&self, ds: usize, rows: &[Row], first_of_key: Option<&[bool]>) -> Partial {
        self.chunk_deferred(ds, rows, first_of_key, None)
    }

    /// [`Runner::chunk`] of rows whose cells of one field the reader kept
    /// as bytes (`deferred`, an entry per row: see
    /// [`crate::read::par_stream_deferring`]), a field nothing but record
    /// rules' messages reads ([`deferrable_field`]): made texts only for the
    /// records reported, for their messages and keys.
    pub fn chunk_deferred(
        &self,
        ds: usize,
        rows: &[Row],
        first_of_key: Option<&[bool]>,
        deferred: Option<&DeferredCells>,
    ) -> Partial {
        debug_assert!(deferred.is_none_or(|d| d.len() == rows.len()));
        let mut p = self.empty_partial(ds);
        let mut lets = Vec::new();
        let cache = LookupCache::default();
        let mut fast = self.fast.then(|| {
            let (memos, kept) = self.memo_pool.take(ds, self.rules[ds].len());
            (
                Fast::with_recent(
                    &self.env,
                    &self.shared_lookups,
                    self.recent_lookups.take().unwrap_or_default(),
                ),
                FastChunk::new(self.rules[ds].len(), kept),
                memos,
            )
        });
        let event = self.env.event_field[ds].filter(|_| self.period.is_some());
        // The chunk's earliest event date, when a rule's in-force date asks
        // (see `in_force_for_all`).
        let earliest = if fast.is_some()
            && self.rules[ds]
                .iter()
                .any(|(_, r)| r.effective_from.is_some())
        {
            Fast::earliest_event(self.env.event_field[ds], rows)
        } else {
            None
        };
        // The outcomes the rules' kernels certify, by slot and record.
        let certified = match &mut fast {
            Some((f, _, _)) => {
                let kernels: Vec<Option<&Kernel>> = self.rules[ds]
                    .iter()
                    .map(|(ri, _)| self.kernels[*ri].as_ref())
                    .collect();
                batch::certify(
                    &self.env,
                    f,
                    &kernels,
                    &self.kernel_slots[ds],
                    self.env.event_field[ds],
                    earliest,
                    rows,
                )
            }
            None => Vec::new(),
        };
        // The records a period leaves out (and those it cannot place, whose
        // metrics count them undetermined), found before any rule runs.
        let mut out_of_period = Vec::new();
        if let (Some(f), Some((from, to))) = (event, self.period) {
            out_of_period = vec![false; rows.len()];
            for (i, row) in rows.iter().enumerate() {
                let date = to_date(&row.values[f]);
                // Only records dated in the period count; one without a
                // usable date cannot be placed in it: left out and counted
                // (the report says how many).
                match date {
                    Some(d) if d >= from && d <= to => {}
                    Some(_) => {
                        out_of_period[i] = true;
                        p.outside += 1;
                    }
                    None => {
                        out_of_period[i] = true;
                        p.undated += 1;
                        self.undated_metrics(ds, row, i, first_of_key, &cache, &mut p);
                    }
                }
            }
        }
        // The guards of the rules without a kernel, checked for every
        // record at once.
        let exclusions = match &fast {
            Some(_) => {
                let guards: Vec<Option<&Guard>> = self.rules[ds]
                    .iter()
                    .map(|(ri, _)| {
                        self.guards[*ri]
                            .as_ref()
                            .filter(|_| self.kernels[*ri].is_none())
                    })
                    .collect();
                Exclusions::of(&guards, rows)
            }
            None => Exclusions::of(&[], rows),
        };
        // Rule by rule over the chunk's records: one rule's memo and
        // accumulators stay in the cache while its records stream by.
        for (slot, (ri, rule)) in self.rules[ds].iter().enumerate() {
            let certified = certified.get(slot).map_or(&[][..], Vec::as_slice);
            // A rule's kernel that certified every record's pass, or its
            // guard that excludes every record, leaves the pass nothing to
            // do (a pass or an exclusion is no finding and counts nothing);
            // debug builds still visit each, to check it against the
            // evaluators.
            if !cfg!(debug_assertions)
                && (rule.kind != RuleKind::Metric
                    && certified.len() == rows.len()
                    && certified.iter().all(|&o| o == batch::PASS)
                    || exclusions.every(slot))
            {
                continue;
            }
            // A metric whose kernel decided every record, none out of the
            // period and none a repeat of a `distinct` key: counted in one
            // loop over the outcomes.
            if rule.kind == RuleKind::Metric
                && out_of_period.is_empty()
                && (first_of_key.is_none() || !rule.distinct)
                && certified.len() == rows.len()
                && !certified.contains(&batch::UNSURE)
            {
                if let Some((f, acc, _)) = &mut fast {
                    self.count_certified(f, acc, rule, rows, slot, certified);
                    continue;
                }
            }
            let guarded = exclusions.checked(slot);
            // (A rule in force before the chunk's earliest event date applies
            // to all its records: no record's date read for it.)
            let all_apply = fast.is_some() && in_force_for_all(rule.effective_from, earliest);
            let first_of_key = first_of_key.filter(|_| rule.distinct);
            let mut met = TextsMet::default();
            if let Some((_, _, memos)) = &fast {
                memos[slot].warm();
            }
            for (i, row) in rows.iter().enumerate() {
                if out_of_period.get(i) == Some(&true) || first_of_key.is_some_and(|f| !f[i]) {
                    continue;
                }
                if let Some((f, acc, memos)) = &mut fast {
                    if let Some(&outcome) = certified.get(i).filter(|&&o| o != batch::UNSURE) {
                        self.certified(f, acc, *ri, rule, row, slot, outcome);
                        continue;
                    }
                    if guarded {
                        if exclusions.excludes(slot, i) {
                            self.excluded(rule, row);
                            continue;
                        }
                    } else if self.guard_excludes(*ri, rule, row, &mut met) {
                        continue;
                    }
                    // (Each rule's visit to a record is a record of its own
                    // to the fast evaluator, started by `fast_row`: nothing
                    // it keeps for one record outlives the visit.)
                    if self
                        .fast_row(f, acc, &mut memos[slot], *ri, rule, row, slot, all_apply)
                        .is_ok()
                    {
                        continue;
                    }
                }
                cache.borrow_mut().clear();
                let kept = deferred.map(|d| (d, i));
                lets = eval_row(
                    &self.env,
                    *ri,
                    rule,
                    Judged { row, kept },
                    slot,
                    &self.agg_plans,
                    &mut p,
                    lets,
                    &cache,
                );
            }
        }
        if let Some((f, acc, memos)) = fast {
            self.recent_lookups.put(f.into_recent());
            let kept = acc.fold_into(&mut p);
            self.memo_pool.put(ds, memos, kept);
        }
        p.rows = rows.len() as u64;
        p
    }

    /// A record without a usable date, which a period cannot place: no
    /// rule judges it, but each metric whose population it is in (for all
    /// that is known) counts it undetermined in its department's row, where
    /// the evaluation reads it (a case of 原单位 without its date would
    /// otherwise leave M07 at 0% with nothing undetermined).
    fn undated_metrics(
        &self,
        ds: usize,
        row: &Row,
        i: usize,
        first_of_key: Option<&[bool]>,
        cache: &LookupCache,
        p: &mut Partial,
    ) {
        for (slot, (_, rule)) in self.rules[ds].iter().enumerate() {
            if rule.kind != RuleKind::Metric || rule.distinct && first_of_key.is_some_and(|f| !f[i])
            {
                continue;
            }
            cache.borrow_mut().clear();
            let mut f =
                Frame::with_lets(&self.env, rule, &row.values, Vec::new()).with_cache(cache);
            eval_metric(
                rule,
                &mut f,
                &mut p.metrics[slot],
                (row.file, row.row),
                true,
            );
        }
    }

    /// Merge the partials of dataset `ds` (in chunk order) and judge its
    /// groups and metrics into `audit`.
    pub fn finish_dataset(
        &self,
        ds: usize,
        partials: impl IntoIterator<Item = Partial>,
        audit: &mut Audit,
    ) {
        let rules = &self.rules[ds];
        let mut merged = self.empty_partial(ds);
        for p in partials {
            merged.absorb(p);
        }
        // The groups the workers kept across their chunks (every chunk of
        // the dataset is done: its partial came).
        for kept in self.memo_pool.drain_groups(ds) {
            kept.fold_into(&mut merged);
        }
        let dataset = &self.env.schema.datasets[ds];
        if merged.rows > 0 || !dataset.derived {
            *audit
                .summary
                .records
                .entry(dataset.name.clone())
                .or_default() += merged.rows;
        }
        if merged.undated > 0 {
            *audit.undated.entry(dataset.name.clone()).or_default() += merged.undated;
        }
        if merged.outside > 0 {
            *audit
                .outside_period
                .entry(dataset.name.clone())
                .or_default() += merged.outside;
        }
        for f in &mut merged.findings {
            f.cite = self.cites_of(&f.code);
        }
        append(&mut audit.findings, merged.findings);
        append(&mut audit.undetermined, merged.undetermined);
        for (slot, (ri, rule)) in rules.iter().enumerate() {
            if rule.is_group() {
                let mut groups: Vec<(Vec<Key>, GroupAcc)> =
                    std::mem::take(&mut merged.groups[slot])
                        .into_iter()
                        .collect();
                groups.sort_by(|a, b| a.0.cmp(&b.0));
                let mut unplaced: Vec<(Vec<Option<Key>>, GroupAcc)> = merged
                    .unplaced
                    .get_mut(slot)
                    .map(std::mem::take)
                    .unwrap_or_default()
                    .into_iter()
                    .collect();
                unplaced.sort_by(|a, b| a.0.cmp(&b.0));
                let plan = &self.agg_plans[ri];
                let before = audit.findings.len();
                for (key, g) in groups {
                    // The records without their whole key that may be in it
                    // (looked for only when a violation needs them).
                    let may_join = || -> Vec<&GroupAcc> {
                        unplaced
                            .iter()
                            .filter(|(known, _)| {
                                known
                                    .iter()
                                    .zip(&key)
                                    .all(|(k, g)| k.as_ref().is_none_or(|k| k == g))
                            })
                            .map(|(_, acc)| acc)
                            .collect()
                    };
                    judge_group(&self.env, rule, plan, &g, may_join, audit);
                }
                for f in &mut audit.findings[before..] {
                    f.cite = self.cites_of(&f.code);
                }
            }
            if rule.kind == RuleKind::Metric {
                // A department under its earliest record's text (keys that
                // differ in their matching form have different texts).
                let m: BTreeMap<Option<String>, MetricAcc> =
                    std::mem::take(&mut merged.metrics[slot])
                        .into_iter()
                        .map(|(k, v)| {
                            let text = k.map(|k| match &v.first {
                                Some((_, text)) => text.to_string(),
                                None => k.to_string(),
                            });
                            (text, v)
                        })
                        .collect();
                let m = &m;
                let total = m.values().fold(MetricAcc::default(), |mut t, a| {
                    t.absorb(a);
                    t
                });
                audit.metrics.push(metric_value(rule, None, &total));
                for (dept, acc) in m {
                    if let Some(d) = dept {
                        audit.metrics.push(metric_value(rule, Some(d.clone()), acc));
                    }
                }
            }
        }
    }
}

impl Runner<'_> {
    /// Evaluate dataset `ds` from the rows held in memory, in parallel chunks.
    pub fn run_in_memory(&self, ds: usize, audit: &mut Audit) {
        let rows = &self.env.data.tables[ds];
        let first_of_key = distinct_rows(&self.env.schema.datasets[ds], rows);
        let partials: Vec<Partial> = rows
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(ci, chunk)| {
                let start = ci * CHUNK;
                self.chunk(ds, chunk, Some(&first_of_key[start..start + chunk.len()]))
            })
            .collect();
        self.finish_dataset(ds, partials, audit);
    }
}

/// Run the checked program over data held in memory (fixtures, small exports).
pub fn run(
    program: &Program,
    schema: &crate::schema::Schema,
    data: &Data,
    opts: &RunOptions<'_>,
) -> Audit {
    let runner = Runner::new(program, schema, data, opts);
    let mut audit = Audit::default();
    for ds in 0..schema.datasets.len() {
        runner.run_in_memory(ds, &mut audit);
    }
    audit.finish();
    audit
}

fn cites(rule: &RuleDef, sources: &SourceRegistry) -> Vec<CiteOut> {
    rule.cites
        .iter()
        .map(|c| CiteOut {
            policy: c.source.clone(),
            clause: c.clause.clone(),
            text: sources
                .cited_text(&c.source, &c.clause)
                .unwrap_or_default()
                .into(),
        })
        .collect()
}

fn metric_value(rule: &RuleDef, dept: Option<String>, acc: &MetricAcc) -> MetricValue {
    MetricValue {
        id: rule.code.clone(),
        first_at: dept.as_ref().and(acc.first.as_ref()).map(|(at, _)| *at),
        dept,
        numerator: acc.numerator,
        denominator: acc.denominator,
        value: (acc.denominator > 0).then(|| acc.numerator as f64 / acc.denominator as f64),
        undetermined: acc.undetermined,
        target: rule.target.map(|(_, t)| t),
    }
}

fn distinct_rows(ds: &crate::schema::Dataset, rows: &[Row]) -> Vec<bool> {
    let key_fields: Vec<usize> = ds.key.iter().filter_map(|k| ds.field_index(k)).collect();
    let mut seen = std::collections::HashSet::new();
    rows.iter()
        .map(|r| {
            let key: Vec<Option<Key>> = key_fields.iter().map(|&f| Key::of(&r.values[f])).collect();
            seen.insert(key)
        })
        .collect()
}

fn evidence_of(env: &Env<'_>, row: &Row, touched: &[Touched]) -> Vec<Evidence> {
    let data = env.data;
    let file = &data.files[row.file as usize];
    let mut out: Vec<Evidence> = touched
        .iter()
        .map(|t| {
            let r = match t.record {
                None => row,
                Some((ds, ri)) => &data.tables[ds][ri as usize],
            };
            field_evidence(env, r, t)
        })
        .collect();
    if out.is_empty() {
        out.push(Evidence {
            file: file.path.clone(),
            sheet: file.sheet.clone(),
            row: row.row,
            field: None,
            value: None,
        });
    }
    out
}

/// Field `t.field` of record `r` (the one `t` read) as evidence.
fn field_evidence(env: &Env<'_>, r: &Row, t: &Touched) -> Evidence {
    let f = &env.data.files[r.file as usize];
    let v = &r.values[t.field];
    Evidence {
        file: f.path.clone(),
        sheet: f.sheet.clone(),
        row: r.row,
        field: Some(env.names.fields[t.dataset][t.field].clone()),
        value: if v.is_missing() {
            None
        } else {
            Some(v.to_string())
        },
    }
}

fn record_key(
    env: &Env<'_>,
    rule: &RuleDef,
    frame: &mut Frame<'_>,
    values: &[Value],
) -> Vec<String> {
    if let (Some(keys), false) = (&rule.key, rule.is_group()) {
        // (A missing value is "": `Audit::finish` merges such a key with
        // no other.)
        return keys.iter().map(|k| frame.text_or(k, "")).collect();
    }
    let ds = &env.schema.datasets[rule.dataset];
    ds.key
        .iter()
        .filter_map(|k| ds.field_index(k))
        .map(|f| values[f].to_string())
        .collect()
}

fn message(rule: &RuleDef, frame: &mut Frame<'_>) -> String {
    if rule.message.is_empty() {
        return rule.title.clone().unwrap_or_else(|| rule.name.clone());
    }
    let mut out = String::new();
    for p in &rule.message {
        match p {
            TemplatePiece::Text(t) => out.push_str(t),
            TemplatePiece::Hole(e) => out.push_str(&frame.text(e)),
        }
    }
    out
}

/// [`message`] of a finding whose working days lie in a range: each hole as
/// `least` shows it, or `least 至 most` where the two differ.
fn message_between(rule: &RuleDef, least: &mut Frame<'_>, most: &mut Frame<'_>) -> String {
    if rule.message.is_empty() {
        return message(rule, least);
    }
    let mut out = String::new();
    for p in &rule.message {
        match p {
            TemplatePiece::Text(t) => out.push_str(t),
            TemplatePiece::Hole(e) => {
                let (mut a, mut b) = (least.text(e), most.text(e));
                // (A count negated, or subtracted, is least at the most.)
                if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
                    if x > y {
                        std::mem::swap(&mut a, &mut b);
                    }
                }
                out.push_str(&a);
                if a != b {
                    out.push_str(" 至 ");
                    out.push_str(&b);
                }
            }
        }
    }
    out
}

fn dept_of(rule: &RuleDef, frame: &mut Frame<'_>) -> Option<String> {
    let d = rule.dept.as_ref()?;
    match frame.eval(d) {
        Val::V(v) if !v.is_missing() => Some(v.to_string()),
        _ => None,
    }
}

/// Evaluate one rule (or metric) on one row into the chunk's partial.
/// `lets` is the `let` cache of the previous evaluation, reused; it is
/// returned for the next one.
#[allow(clippy::too_many_arguments)]
fn eval_row(
    env: &Env<'_>,
    ri: usize,
    rule: &RuleDef,
    judged: Judged<'_>,
    slot: usize,
    agg_plans: &HashMap<usize, AggPlan<'_>>,
    p: &mut Partial,
    lets: Vec<Option<Val>>,
    cache: &LookupCache,
) -> Vec<Option<Val>> {
    let row = judged.row;
    let mut f = Frame::with_lets(env, rule, &row.values, lets).with_cache(cache);
    match rule.kind {
        RuleKind::Metric => {
            eval_metric(
                rule,
                &mut f,
                &mut p.metrics[slot],
                (row.file, row.row),
                false,
            );
        }
        RuleKind::Rule if rule.is_group() => {
            eval_group_row(env, ri, rule, judged, slot, agg_plans, p, &mut f);
        }
        RuleKind::Rule => eval_record(env, rule, judged, p, &mut f),
    }
    f.into_lets()
}

/// Count the record at `at` (file, row) for a metric; an `undated` one
/// (see [`Runner::undated_metrics`]) undetermined when it is a member.
fn eval_metric(
    rule: &RuleDef,
    f: &mut Frame<'_>,
    metrics: &mut HashMap<Option<Key>, MetricAcc>,
    at: (u32, u32),
    undated: bool,
) {
    if !f.applicable() {
        return;
    }
    // (Membership and the ratio's condition judged together: a count of
    // working days over days no notice settles may decide both.)
    let judged = f.settled(|g| match g.member() {
        Some(false) => Some(None),
        Some(true) => g.rule.ratio.as_ref().and_then(|r| g.tri(r)).map(Some),
        None => None,
    });
    if judged == Some(None) {
        return;
    }
    let (dept, text) = match rule.per.as_ref().map(|e| f.eval(e)) {
        Some(Val::V(v)) => {
            let key = Key::of(&v);
            let text = match v {
                Value::Str(s) if key.is_some() => Some(s),
                _ => None,
            };
            (key, text)
        }
        _ => (None, None),
    };
    let verdict = judged.flatten().filter(|_| !undated);
    let acc = metrics.entry(dept).or_default();
    if let Some(text) = &text {
        acc.note_text(at, text);
    }
    match verdict {
        Some(b) => {
            acc.denominator += 1;
            acc.numerator += u64::from(b);
        }
        None => acc.undetermined += 1,
    }
}

/// The undetermined verdict of `rule` on `row`, into `p`.
fn undetermined_row(
    env: &Env<'_>,
    rule: &RuleDef,
    judged: Judged<'_>,
    f: &mut Frame<'_>,
    dataset: usize,
    p: &mut Partial,
) {
    let row = judged.row;
    let file = &env.data.files[row.file as usize];
    let mut evidence = vec![Evidence {
        file: file.path.clone(),
        sheet: file.sheet.clone(),
        row: row.row,
        field: None,
        value: None,
    }];
    // The looked-up rows whose empty field is missing (an item that is
    // listed, its 承诺办结时限 empty), after the record's own row.
    for t in &f.missing_at {
        if let Some((ds, ri)) = t.record {
            evidence.push(field_evidence(env, &env.data.tables[ds][ri as usize], t));
        }
    }
    let missing = f.missing.iter().map(|m| p.missing_names.share(m)).collect();
    p.undetermined.push(Undetermined {
        code: env.names.rule(rule).0,
        dataset: env.names.datasets[dataset].clone(),
        key: record_key(env, rule, f, &judged.values()),
        missing,
        evidence,
        group_rows: None,
    });
}

#[allow(clippy::too_many_arguments)]
fn eval_group_row(
    env: &Env<'_>,
    ri: usize,
    rule: &RuleDef,
    judged: Judged<'_>,
    slot: usize,
    agg_plans: &HashMap<usize, AggPlan<'_>>,
    p: &mut Partial,
    f: &mut Frame<'_>,
) {
    if !f.applicable() {
        return;
    }
    let member = f.member();
    if member == Some(false) {
        return;
    }
    let row = judged.row;
    let mut key_values = Vec::with_capacity(rule.group_by.len());
    for g in &rule.group_by {
        if let Some(v) = f.need(g) {
            key_values.push(v);
        } else {
            // A record without its group key could be in any group: unless
            // it decides nothing, it is undetermined, by its own key.
            if !decides_nothing(env, rule, &agg_plans[&ri], member, row, f, &key_values) {
                undetermined_row(env, rule, judged, f, rule.dataset, p);
                add_unplaced(rule, &agg_plans[&ri], row, slot, p, f);
            }
            return;
        }
    }
    let Some(keys) = key_values.iter().map(Key::of).collect::<Option<Vec<Key>>>() else {
        return;
    };
    let plan = &agg_plans[&ri];
    let at = (row.file, row.row);
    let acc = p.groups[slot]
        .entry(keys)
        .or_insert_with(|| GroupAcc::new(key_values, at, &plan.keeps));
    acc.add_record(at, member);
    let mut unknown = member.is_none();
    for (i, (func, arg)) in plan.nodes.iter().enumerate() {
        let input = f.agg_arg(*func, *arg);
        unknown |= matches!(input, AggInput::Cond(None) | AggInput::Value(None));
        acc.aggs[i].add(*func, member, &input, at);
    }
    if unknown || !f.missing.is_empty() {
        acc.add_unknown(at);
    }
    for m in f.missing.drain(..) {
        if !acc.missing.contains(&m) {
            acc.missing.push(m);
        }
    }
}

/// A record with its group key missing, or part of it, which may change a
/// group's verdict: gathered with the rule's other such records that have
/// the same key values (`None` where missing). It may be a member of any
/// group whose key those values match, or of none: a violation of such a
/// group that it could overturn is not certain ([`judge_group`]).
fn add_unplaced(
    rule: &RuleDef,
    plan: &AggPlan<'_>,
    row: &Row,
    slot: usize,
    p: &mut Partial,
    f: &mut Frame<'_>,
) {
    let at = (row.file, row.row);
    // (Each key evaluated again: the record's missing fields are noted.)
    let known: Vec<Option<Key>> = rule
        .group_by
        .iter()
        .map(|g| f.need(g).as_ref().and_then(Key::of))
        .collect();
    let acc = p.unplaced[slot]
        .entry(known)
        .or_insert_with(|| GroupAcc::new(Vec::new(), at, &plan.keeps));
    acc.add_record(at, None);
    for (i, (func, arg)) in plan.nodes.iter().enumerate() {
        let input = f.agg_arg(*func, *arg);
        acc.aggs[i].add(*func, None, &input, at);
    }
    acc.add_unknown(at);
    for m in f.missing.drain(..) {
        if !acc.missing.contains(&m) {
            acc.missing.push(m);
        }
    }
}

/// Whether a record whose group key is missing changes no group's verdict,
/// whichever group it is in: each aggregate's input leaves the aggregate as
/// it is (a false condition for `any` and `count`, a true one for `all`),
/// and a group of it alone (a key no other record has) passes. H002: a case
/// taken online without its department is neither a centre nor a 原单位
/// case of any department.
fn decides_nothing(
    env: &Env<'_>,
    rule: &RuleDef,
    plan: &AggPlan<'_>,
    member: Option<bool>,
    row: &Row,
    f: &mut Frame<'_>,
    known_keys: &[Value],
) -> bool {
    let at = (row.file, row.row);
    let mut alone = GroupAcc::new(Vec::new(), at, &plan.keeps);
    for (i, (func, arg)) in plan.nodes.iter().enumerate() {
        let input = f.agg_arg(*func, *arg);
        let neutral = matches!(
            (func, &input),
            (AggFunc::Any | AggFunc::Count, AggInput::Cond(Some(false)))
                | (AggFunc::All, AggInput::Cond(Some(true)))
        );
        if !neutral {
            return false;
        }
        alone.aggs[i].add(*func, member, &input, at);
    }
    let mut keys = known_keys.to_vec();
    keys.resize(rule.group_by.len(), Value::Empty);
    let aggs = plan.values(&alone.aggs);
    let bounds = vec![None; aggs.len()];
    let view = GroupView {
        keys: &keys,
        aggs: &aggs,
        bounds: &bounds,
    };
    Frame::for_group(env, rule, view).group_violation() == Some(false)
}

/// Each aggregate's range (see [`Range`]) in the group `g`.
fn bounds_of(plan: &AggPlan<'_>, g: &GroupAcc) -> Vec<Option<Range>> {
    plan.nodes
        .iter()
        .zip(&g.aggs)
        .map(|((func, arg), acc)| acc.range(*func, arg.is_some()))
        .collect()
}

fn eval_record(
    env: &Env<'_>,
    rule: &RuleDef,
    judged: Judged<'_>,
    p: &mut Partial,
    f: &mut Frame<'_>,
) {
    let row = judged.row;
    match f.settled(Frame::violation) {
        Some(false) => {}
        Some(true) => {
            let values = judged.values();
            // Evaluate again, tracking the fields read, for the evidence (a
            // count over days no notice settles at its least, and shown
            // between its least and most: `用时 36 至 38 个工作日`).
            let mut t = Frame::new(env, rule, &values)
                .track()
                .with_picks(f.extreme_picks(false));
            t.violation();
            let touched = t.touched.take().unwrap_or_default();
            let key = record_key(env, rule, &mut t, &values);
            let most = f.extreme_picks(true);
            // (A count in a message hole, not in the clause that decided,
            // is shown between its own least and most, whatever decided.)
            t.set_extremes(false);
            let plain = message(rule, &mut t);
            let message = if most.is_empty() && !t.extremes_used() {
                plain
            } else {
                let mut m = Frame::new(env, rule, &values)
                    .with_picks(most)
                    .with_extremes(true);
                m.violation();
                message_between(rule, &mut t, &mut m)
            };
            let (code, name) = env.names.rule(rule);
            p.findings.push(Finding {
                code,
                rule: name,
                severity: rule.severity.as_str(),
                dataset: env.names.datasets[rule.report_dataset].clone(),
                key,
                dept: dept_of(rule, &mut t),
                message,
                cite: Vec::new(),
                // (The fields the condition read: never a kept cell, see
                // `deferrable_field`.)
                evidence: evidence_of(env, row, &touched),
                group_rows: None,
                status: None,
                waiver: None,
                baseline: None,
            });
        }
        None => {
            undetermined_row(env, rule, judged, f, rule.report_dataset, p);
        }
    }
}

fn judge_group<'g>(
    env: &Env<'_>,
    rule: &RuleDef,
    plan: &AggPlan<'_>,
    g: &GroupAcc,
    may_join: impl FnOnce() -> Vec<&'g GroupAcc>,
    audit: &mut Audit,
) {
    let aggs = plan.values(&g.aggs);
    let bounds = bounds_of(plan, g);
    let view = || GroupView {
        keys: &g.keys,
        aggs: &aggs,
        bounds: &bounds,
    };
    let mut f = Frame::for_group(env, rule, view()).track();
    let mut verdict = f.group_violation();
    // A group none of whose records is certainly a member may have no
    // member at all: then there is no group to violate anything.
    if verdict == Some(true) && g.certain == 0 {
        verdict = None;
    }
    // A violation stands only if the records without their whole group key
    // that may be in this group (each may or may not be) cannot overturn
    // it: judged again with them as possible members.
    let mut overturned_by: Vec<&GroupAcc> = Vec::new();
    let may_join = if verdict == Some(true) {
        may_join()
    } else {
        Vec::new()
    };
    if !may_join.is_empty() {
        let mut all = g.clone();
        for u in &may_join {
            all.merge((*u).clone());
        }
        let aggs = plan.values(&all.aggs);
        let bounds = bounds_of(plan, &all);
        let view = GroupView {
            keys: &g.keys,
            aggs: &aggs,
            bounds: &bounds,
        };
        if Frame::for_group(env, rule, view).group_violation() != Some(true) {
            verdict = None;
            overturned_by.extend(may_join);
        }
    }
    if verdict == Some(false) {
        return;
    }
    let ds_name = env.names.datasets[rule.report_dataset].clone();
    let (code, name) = env.names.rule(rule);
    // The group's first records, those that decide its aggregates and, for
    // an undetermined verdict, those it could not count.
    let (mut rows, records) = g.evidence_rows(verdict.is_none());
    let group_rows = Some(GroupRows {
        total: records,
        listed: rows.len() as u64,
    });
    // Then the first records without their whole key that could overturn
    // a violation (not the group's own: not counted in `group_rows`).
    let mut joining: Vec<(u32, u32)> = overturned_by
        .iter()
        .flat_map(|u| u.evidence_rows(true).0)
        .collect();
    joining.sort_unstable();
    joining.truncate(group_acc::GROUP_EVIDENCE);
    rows.extend(joining);
    let mut evidence: Vec<Evidence> = rows
        .iter()
        .map(|&(file, row)| {
            let fr = &env.data.files[file as usize];
            Evidence {
                file: fr.path.clone(),
                sheet: fr.sheet.clone(),
                row,
                field: None,
                value: None,
            }
        })
        .collect();
    // The records the group's verdict looked up (E002's 进驻单位 row that
    // says 未进驻), with the fields it read.
    for t in f.touched.take().unwrap_or_default() {
        if let Some((ds, r)) = t.record {
            evidence.push(field_evidence(env, &env.data.tables[ds][r as usize], &t));
        }
    }
    let key: Vec<String> = match &rule.key {
        Some(keys) => keys.iter().map(|k| f.text_or(k, "")).collect(),
        None => g.keys.iter().map(ToString::to_string).collect(),
    };
    match verdict {
        Some(false) => {}
        Some(true) => audit.findings.push(Finding {
            code,
            rule: name,
            severity: rule.severity.as_str(),
            dataset: ds_name,
            key,
            dept: dept_of(rule, &mut f),
            message: message(rule, &mut f),
            cite: Vec::new(),
            evidence,
            group_rows,
            status: None,
            waiver: None,
            baseline: None,
        }),
        None => audit.undetermined.push(Undetermined {
            code,
            dataset: ds_name,
            key,
            missing: {
                let mut m = g.missing.clone();
                for x in f
                    .missing
                    .iter()
                    .chain(overturned_by.iter().flat_map(|u| &u.missing))
                {
                    if !m.contains(x) {
                        m.push(x.clone());
                    }
                }
                m.sort();
                m.into_iter().map(Text::from).collect()
            },
            evidence,
            group_rows,
        }),
    }
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod batch_tests;
