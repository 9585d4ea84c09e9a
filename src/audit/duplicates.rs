//! Repeated keys: "a duplicate key is a finding, never a silent overwrite"
//! (data contract). A dataset held whole is checked on its rows; a streamed
//! one (cases, fees) on runs of rising keys, front-coded ([`key_runs`]),
//! and hashes of the other keys, since holding ten million case ids whole
//! would cost more memory than the whole audit.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use super::key_runs::{self, hasher, key_hash, text_part, Bounds, Run, RunBuilder, Span};

use crate::engine::index::Key;
use crate::engine::{Data, DataError, Row};
use crate::ir::Program;
use crate::per_thread::PerThread;
use crate::read::{normalize, DeferredCells, SourceFile};
use crate::schema::{Dataset, Schema};
use crate::text::Text;
use crate::value::Value;

/// Rows of a dataset held whole whose key an earlier row already has:
/// data errors, since "a duplicate key is a finding, never a silent
/// overwrite", unless a rule of the program reports them as findings (C002
/// for the catalogue: see [`reports_duplicate_keys`]). A lookup takes the
/// first row in file order; rules over the dataset see every row.
pub(super) fn duplicate_keys(
    program: &Program,
    schema: &Schema,
    data: &Data,
    streamed: &[bool],
    sources: &[SourceFile],
) -> Vec<DataError> {
    let mut out = Vec::new();
    for (ds, d) in schema.datasets.iter().enumerate() {
        if streamed[ds] {
            continue;
        }
        let Some(fields) = checked_key(program, schema, ds) else {
            continue;
        };
        let rows = &data.tables[ds];
        // An empty start of validity is a value ("valid since ever"): two
        // rows of the same department and item both without one repeat.
        let valid_from = d.valid.as_ref().and_then(|(from, _)| d.field_index(from));
        let part = |f: usize, v: &Value| match v {
            Value::Empty if Some(f) == valid_from => Some(Key::Str(EMPTY_BOUND.into())),
            v => Key::of(v),
        };
        let mut first: rustc_hash::FxHashMap<Vec<Key>, usize> = rustc_hash::FxHashMap::default();
        for (i, row) in rows.iter().enumerate() {
            // A key with a part missing is no key to repeat.
            let Some(key) = fields
                .iter()
                .map(|&f| row.values.get(f).and_then(|v| part(f, v)))
                .collect::<Option<Vec<Key>>>()
            else {
                continue;
            };
            match first.entry(key) {
                std::collections::hash_map::Entry::Occupied(e) => {
                    let text = key_text(&fields, &row.values, valid_from);
                    let earlier = &rows[*e.get()];
                    let file = |r: &Row| data.files[r.file as usize].clone();
                    let (here, there) = (file(row), file(earlier));
                    let column = key_column(sources, &here.path, here.sheet.as_deref(), &fields);
                    out.push(DataError {
                        file: here.path,
                        sheet: here.sheet,
                        row: row.row,
                        column,
                        value: text,
                        expected: None,
                        message: Text::from(format!(
                            "{}的键 ({}) 与 {} 第 {} 行重复;{}",
                            d.title,
                            d.key.join(", "),
                            there.path,
                            earlier.row,
                            if d.valid.is_some() {
                                "查找时按有效期取行, 生效日期相同的取文件顺序中的第一行"
                            } else {
                                "查找时取文件顺序中的第一行"
                            }
                        )),
                    });
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(i);
                }
            }
        }
    }
    out
}

/// How an empty start of validity shows in a repeated key (a date field
/// never holds this text, so it cannot meet a real value).
const EMPTY_BOUND: &str = "（空）";

/// The key fields of dataset `ds` whose repeats are data errors: `None`
/// when it has no key or a rule reports its repeated keys as findings.
fn checked_key(program: &Program, schema: &Schema, ds: usize) -> Option<Vec<usize>> {
    let d = &schema.datasets[ds];
    if d.key.is_empty() {
        return None;
    }
    let fields = d
        .key
        .iter()
        .map(|k| d.field_index(k))
        .collect::<Option<Vec<usize>>>()?;
    (!reports_duplicate_keys(program, ds, &fields)).then_some(fields)
}

/// Whether a group rule of `program` over dataset `ds` groups by exactly its
/// key `fields` and requires that each key occur once (`require count() <=
/// 1`), as C002 does: then its findings report the duplicate keys, and data
/// errors would say it twice. A rule allowing more (`count() <= 2`) does not
/// count: the duplicates it lets pass stay data errors.
fn reports_duplicate_keys(program: &Program, ds: usize, fields: &[usize]) -> bool {
    use crate::ast::CmpOp;
    use crate::ir::{AggFunc, Const, IrExpr};
    use crate::value::Value;
    let count = |e: &IrExpr| {
        matches!(
            e,
            IrExpr::Agg {
                func: AggFunc::Count,
                arg: None
            }
        )
    };
    let int =
        |e: &IrExpr, n: i64| matches!(e, IrExpr::Const(Const::Value(Value::Int(m))) if *m == n);
    let once = |e: &IrExpr| match e {
        IrExpr::Cmp(CmpOp::Le, a, b) => count(a) && int(b, 1),
        IrExpr::Cmp(CmpOp::Lt, a, b) => count(a) && int(b, 2),
        IrExpr::Cmp(CmpOp::Ge, a, b) => int(a, 1) && count(b),
        IrExpr::Cmp(CmpOp::Gt, a, b) => int(a, 2) && count(b),
        _ => false,
    };
    program.rules.iter().any(|r| {
        let mut by: Vec<usize> = r
            .group_by
            .iter()
            .filter_map(|g| match g {
                IrExpr::Field { base, field, .. } if **base == IrExpr::Var => Some(*field),
                _ => None,
            })
            .collect();
        by.sort_unstable();
        let mut key = fields.to_vec();
        key.sort_unstable();
        r.dataset == ds
            && r.is_group()
            && r.filters.is_empty()
            && r.group_filters.is_empty()
            && by.len() == r.group_by.len()
            && by == key
            && r.require.as_ref().is_some_and(once)
    })
}

/// The final check looks for repeated hashes in this many parts (by their
/// top bits), in parallel.
const PARTS: usize = 256;

fn part_of(hash: u64) -> usize {
    (hash >> 56) as usize
}

/// [`PARTS`] parts without a block yet.
fn no_parts() -> Vec<Vec<Block>> {
    (0..PARTS).map(|_| Vec::new()).collect()
}

/// The most hashes in a [`Block`]: 8 KiB of them, read in one sweep.
const BLOCK: usize = 1024;

/// The keys of a streamed dataset's records: a chunk's whose keys rise as
/// a run ([`key_runs`]: two or three bytes a case id, hashed at the end
/// only when its span overlaps another chunk's), every other chunk's as
/// 64-bit hashes with the place (file, row) of each record: 12 bytes per
/// record, however long its key, kept by part (the hash's top bits), each
/// part's hashes in blocks of their own, so that the final check reads a
/// part's hashes in order, not a few from each chunk's (measured: those
/// scattered reads were half of the check's time). The result does not
/// depend on the order chunks arrive in: a hash is repeated however its
/// records are ordered, and the places of a repeated hash are sorted
/// before the first is named.
///
/// Each worker keeps parts of its own ([`PerThread`]), which [`repeats`]
/// joins part by part: a chunk takes its thread's parts once, where a lock
/// per part and chunk (256 a chunk, their cache lines passed between the
/// cores) was a tenth of the worker's loop around the rules.
///
/// Two different keys share a 64-bit hash with a probability of about
/// n²/2⁶⁵ (3 in a million for ten million records); such a pair would be
/// reported as a repeat. The message names both rows, so a reader can check.
///
/// [`repeats`]: StreamedKeys::repeats
pub(super) struct StreamedKeys {
    fields: Vec<usize>,
    /// By worker: its blocks of each part.
    parts: PerThread<Vec<Vec<Block>>>,
    /// By worker: the spans of its chunks' keys, with the runs among them.
    spans: PerThread<Vec<Span>>,
}

/// A record's key as the check reads it: the bytes of one text part (its
/// matching form), or another key, or none (a part missing).
enum KeyRead<'a> {
    Text(Cow<'a, [u8]>),
    Other,
    Missing,
}

/// Hashes of one part and one file, with their records' rows.
struct Block {
    file: u32,
    hashes: Vec<u64>,
    rows: Vec<u32>,
}

impl StreamedKeys {
    /// `None` when dataset `ds` has no key, or a rule reports its repeated
    /// keys as findings.
    pub(super) fn new(program: &Program, schema: &Schema, ds: usize) -> Option<StreamedKeys> {
        Some(StreamedKeys {
            fields: checked_key(program, schema, ds)?,
            parts: PerThread::default(),
            spans: PerThread::default(),
        })
    }

    /// The key of record `i` of a chunk when it is one text (a one-field
    /// key): a cell the reader kept as bytes (they are its matching form,
    /// as `normalize::value` of its text) or a text's matching form.
    #[inline]
    fn one_text<'a>(
        &self,
        i: usize,
        row: &'a Row,
        deferred: Option<&'a DeferredCells>,
    ) -> KeyRead<'a> {
        let [f] = self.fields[..] else {
            return KeyRead::Other;
        };
        if let Some(b) = deferred.filter(|d| d.field == f).and_then(|d| d.bytes(i)) {
            return KeyRead::Text(Cow::Borrowed(b));
        }
        match row.values.get(f) {
            Some(Value::Str(s)) => KeyRead::Text(match normalize::value(s) {
                Cow::Borrowed(t) => Cow::Borrowed(t.as_bytes()),
                Cow::Owned(t) => Cow::Owned(t.into_bytes()),
            }),
            Some(v) if Key::of(v).is_some() => KeyRead::Other,
            _ => KeyRead::Missing,
        }
    }

    /// A chunk's keys as a run, when they are texts rising strictly.
    fn as_run(&self, file: u32, rows: &[Row], deferred: Option<&DeferredCells>) -> Option<Span> {
        let mut run = RunBuilder::new(rows.len());
        for (i, row) in rows.iter().enumerate() {
            match self.one_text(i, row, deferred) {
                KeyRead::Text(key) => {
                    if !run.push(&key, row.row) {
                        return None;
                    }
                }
                KeyRead::Missing => {}
                KeyRead::Other => return None,
            }
        }
        run.finish(file)
    }

    /// The key hashes of a chunk's rows (on a worker), with their rows (a
    /// row whose key has a part missing has no key to repeat), and the
    /// span of its keys (`None`: it has none).
    fn hash_chunk(
        &self,
        rows: &[Row],
        deferred: Option<&DeferredCells>,
    ) -> (Vec<(u64, u32)>, Option<Span>) {
        let mut out = Vec::with_capacity(rows.len());
        let deferred = deferred.filter(|d| self.fields.contains(&d.field));
        // The lowest and highest key while every key is one text.
        let mut bounds = Bounds::default();
        let mut texts = self.fields.len() == 1;
        'rows: for (i, row) in rows.iter().enumerate() {
            if texts {
                match self.one_text(i, row, deferred) {
                    KeyRead::Text(key) => {
                        bounds.widen(&key);
                        out.push((key_hash(&key), row.row));
                        continue;
                    }
                    KeyRead::Missing => continue,
                    KeyRead::Other => texts = false,
                }
            }
            let mut h = hasher();
            for &f in &self.fields {
                let kept = deferred.filter(|d| d.field == f).and_then(|d| d.bytes(i));
                if let Some(b) = kept {
                    text_part(&mut h, b);
                    continue;
                }
                match row.values.get(f) {
                    // A text by its matching form, as `Key::text` (without
                    // making the key).
                    Some(Value::Str(s)) => text_part(&mut h, normalize::value(s).as_bytes()),
                    Some(v) => match Key::of(v) {
                        Some(k) => k.hash(&mut h),
                        None => continue 'rows,
                    },
                    None => continue 'rows,
                }
            }
            out.push((h.finish(), row.row));
        }
        // (A chunk with a key of another kind, or of several parts, spans
        // every key.)
        let span = match bounds.span() {
            Some(span) if texts => Some(span),
            _ if out.is_empty() => None,
            _ => Some(Span {
                low: Box::default(),
                high: None,
                run: None,
            }),
        };
        (out, span)
    }

    /// Hash the keys of a chunk of `file` (on a worker; `deferred`: its
    /// cells kept as bytes) and add them to
    /// their parts in this worker's blocks, grouped by part first (a
    /// counting sort: one pass to count, one to place).
    pub(super) fn add_chunk(&self, file: u32, rows: &[Row], deferred: Option<&DeferredCells>) {
        debug_assert!(deferred.is_none_or(|d| d.len() == rows.len()));
        if let Some(run) = self.as_run(file, rows, deferred) {
            self.add_span(run);
            return;
        }
        let (pairs, span) = self.hash_chunk(rows, deferred);
        if let Some(span) = span {
            self.add_span(span);
        }
        self.place(file, pairs);
    }

    fn add_span(&self, span: Span) {
        let mut spans = self.spans.take().unwrap_or_default();
        spans.push(span);
        self.spans.put(spans);
    }

    /// Add a chunk's key hashes to their parts in this worker's blocks.
    fn place(&self, file: u32, pairs: Vec<(u64, u32)>) {
        let mut starts = [0u32; PARTS + 1];
        for &(h, _) in &pairs {
            starts[part_of(h) + 1] += 1;
        }
        for p in 0..PARTS {
            starts[p + 1] += starts[p];
        }
        let mut next = starts;
        let mut placed = vec![(0u64, 0u32); pairs.len()];
        for (h, row) in pairs {
            let slot = &mut next[part_of(h)];
            placed[*slot as usize] = (h, row);
            *slot += 1;
        }
        let mut parts = self.parts.take().unwrap_or_else(no_parts);
        for (p, blocks) in parts.iter_mut().enumerate() {
            let mut rest = &placed[starts[p] as usize..starts[p + 1] as usize];
            while !rest.is_empty() {
                // The part's last block while it has room and is of this
                // file, else a new one.
                if !blocks
                    .last()
                    .is_some_and(|b| b.file == file && b.hashes.len() < BLOCK)
                {
                    blocks.push(Block {
                        file,
                        hashes: Vec::with_capacity(BLOCK),
                        rows: Vec::with_capacity(BLOCK),
                    });
                }
                let Some(b) = blocks.last_mut() else { break };
                let (now, later) = rest.split_at((BLOCK - b.hashes.len()).min(rest.len()));
                b.hashes.extend(now.iter().map(|&(h, _)| h));
                b.rows.extend(now.iter().map(|&(_, row)| row));
                rest = later;
            }
        }
        self.parts.put(parts);
    }

    /// The key fields (schema field indexes) whose repeats are checked.
    pub(super) fn fields(&self) -> &[usize] {
        &self.fields
    }

    /// A data error for every record whose key an earlier record (by file and
    /// row) has, naming that record, with the place (file index, row) of the
    /// record it is about. Its `value` (the key) is not known here: only
    /// hashes were kept; [`key_text`] gives it from the record, read again.
    pub(super) fn repeats(self, d: &Dataset, data: &Data) -> Vec<((u32, u32), DataError)> {
        // The runs that overlap another span join the hashed keys; the
        // others hold no repeated key.
        let mut spans: Vec<Span> = self.spans.drain().into_iter().flatten().collect();
        let overlapping = key_runs::overlapping(&spans);
        let runs: Vec<Run> = overlapping
            .into_iter()
            .filter_map(|i| spans[i].run.take())
            .collect();
        drop(spans);
        runs.into_par_iter()
            .for_each(|run| self.place(run.file, run.hashed()));
        let mut parts = no_parts();
        for kept in self.parts.drain() {
            for (part, blocks) in parts.iter_mut().zip(kept) {
                part.extend(blocks);
            }
        }
        let mut pairs: Vec<(u64, u64)> = parts
            .into_par_iter()
            .flat_map_iter(|blocks| {
                // The hashes alone first, into a set (a cost linear in the
                // number of records, where sorting them was not): most parts
                // repeat none, and then no place is looked at.
                let mut seen: rustc_hash::FxHashSet<u64> = rustc_hash::FxHashSet::default();
                seen.reserve(blocks.iter().map(|b| b.hashes.len()).sum());
                let mut repeated: Vec<u64> = Vec::new();
                for b in &blocks {
                    for &h in &b.hashes {
                        if !seen.insert(h) {
                            repeated.push(h);
                        }
                    }
                }
                drop(seen);
                repeated.sort_unstable();
                repeated.dedup();
                // (hash, place), place = file << 32 | row, of the repeated hashes.
                let mut all: Vec<(u64, u64)> = Vec::new();
                if !repeated.is_empty() {
                    for b in &blocks {
                        all.extend(
                            b.hashes
                                .iter()
                                .zip(&b.rows)
                                .filter(|(h, _)| repeated.binary_search(h).is_ok())
                                .map(|(&h, &r)| (h, (u64::from(b.file) << 32) | u64::from(r))),
                        );
                    }
                }
                all.sort_unstable();
                let mut out = Vec::new();
                let mut first: Option<(u64, u64)> = None;
                for (h, place) in all {
                    match first {
                        Some((fh, fp)) if fh == h => out.push((place, fp)),
                        _ => first = Some((h, place)),
                    }
                }
                out
            })
            .collect();
        pairs.sort_unstable();
        pairs
            .into_iter()
            .map(|(place, earlier)| {
                let file = |p: u64| &data.files[(p >> 32) as usize];
                let row = |p: u64| (p & 0xffff_ffff) as u32;
                let (here, there) = (file(place), file(earlier));
                let error = DataError {
                    file: here.path.clone(),
                    sheet: here.sheet.clone(),
                    row: row(place),
                    column: None,
                    value: None,
                    expected: None,
                    message: Text::from(format!(
                        "{}的键 ({}) 与 {} 第 {} 行相同;两行都已计入",
                        d.title,
                        d.key.join(", "),
                        there.path,
                        row(earlier)
                    )),
                };
                (((place >> 32) as u32, row(place)), error)
            })
            .collect()
    }
}

/// The key of a record as a data error names it (`K1` or `民政局, K1`): a
/// text part as the record writes it (the data contract's raw value: keys
/// match in their normalised form, `Ｄ２` repeats `D2`, but the error shows
/// the row's own text), a date in its one form, an empty start of validity
/// (`valid_from`, the field of one) as `（空）`. `None` when another part is
/// missing (such a record has no key to repeat).
pub(super) fn key_text(
    fields: &[usize],
    values: &[Value],
    valid_from: Option<usize>,
) -> Option<String> {
    let parts = fields
        .iter()
        .map(|&f| match values.get(f)? {
            Value::Empty if Some(f) == valid_from => Some(EMPTY_BOUND.to_string()),
            v => Key::of(v).map(|_| v.to_string()),
        })
        .collect::<Option<Vec<String>>>()?;
    Some(parts.join(", "))
}

/// The header(s) of a key's column(s) in the file (or sheet) `path` as it
/// writes them (`办件编号`; `授权单位, 事项编码, 生效日期`), for a repeated
/// key's data error; `None` when the file is not among `sources`.
pub(super) fn key_column(
    sources: &[SourceFile],
    path: &str,
    sheet: Option<&str>,
    fields: &[usize],
) -> Option<Text> {
    let src = sources
        .iter()
        .find(|s| s.rel == path && s.sheet.as_deref() == sheet)?;
    let headers: Vec<&str> = fields
        .iter()
        .filter_map(|&f| {
            src.columns
                .iter()
                .find(|c| c.field == Some(f))
                .map(|c| c.header.as_str())
        })
        .collect();
    (!headers.is_empty()).then(|| crate::text::intern(&headers.join(", ")))
}

#[cfg(test)]
#[path = "duplicates_tests.rs"]
mod tests;
