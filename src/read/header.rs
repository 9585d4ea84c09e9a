//! Headers: which column is which field, which row is the header, and which
//! dataset a table holds.
//!
//! A header cell matches a field when its [`normalize::key`] equals the key
//! of one of the field's aliases (schema first, then the mapping) or of the
//! field's own name. When two columns match the same field, the one whose
//! alias comes first in the list wins (then the leftmost); the other is
//! unmapped.
//!
//! The header row is searched in the first rows of a table: every row, and
//! every pair of rows read as a two-level header (`进驻人数` merged above
//! `前台`/`后台` gives `进驻人数(前台)`), is scored against every dataset;
//! the best score wins, the earliest row on a tie, a single row before a
//! pair. A dataset is a candidate only when all its `required` fields are
//! present, and only when no other dataset matches more columns; between
//! candidates of equal score the schema's file-name patterns decide, else
//! the header is ambiguous. When no dataset is taken so, a file whose name
//! matches exactly one dataset's
//! patterns, with at least two of its columns, is read as that dataset (the
//! missing required columns are reported). A dataset named by the mapping
//! skips all of this but the row search; when no column fits it, the
//! failure says which row was looked at ([`Unfit`]).

use std::collections::HashMap;

use super::cell::unit_kind;
use super::mapping::Mapping;
use super::normalize;
use crate::schema::Schema;

/// How many rows the header search looks at.
pub const SCAN_ROWS: usize = 30;

/// The rows to sample for a header: [`SCAN_ROWS`], or down to the header
/// row a mapping gives (1-based), however far below.
pub fn scan_rows(header_row: Option<u32>) -> usize {
    header_row.map_or(SCAN_ROWS, |h| SCAN_ROWS.max(h as usize + 1))
}

/// A column of a table: its header as in the file and the field it feeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    /// Index into the dataset's fields.
    pub field: Option<usize>,
}

/// The alias tables of every dataset.
#[derive(Clone, Debug)]
pub struct HeaderMatcher {
    /// Per dataset (schema order): alias key → (field, priority).
    tables: Vec<HashMap<String, (usize, usize)>>,
    /// Per dataset: each field's unit kind (see [`unit_kind`]).
    unit_kinds: Vec<Vec<Option<usize>>>,
}

/// Priority of a header that names a field with a unit after it
/// (`实收金额(元)`): after the field's aliases and the mapping's.
const WITH_UNIT: usize = 500;

/// A header key's trailing unit, `(元)`, `(天)`, `(人)`: the key before it
/// and the unit mark.
pub fn split_unit(key: &str) -> Option<(&str, &str)> {
    let inner = key.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let mark = &inner[open + 1..];
    unit_kind(mark).map(|_| (&inner[..open], mark))
}

impl HeaderMatcher {
    pub fn new(schema: &Schema, mapping: Option<&Mapping>) -> HeaderMatcher {
        let tables = schema
            .datasets
            .iter()
            .map(|ds| {
                let mut t: HashMap<String, (usize, usize)> = HashMap::new();
                for (fi, f) in ds.fields.iter().enumerate() {
                    let extra = mapping.map_or(&[][..], |m| m.headers(&ds.name, &f.name));
                    let all = f
                        .aliases
                        .iter()
                        .enumerate()
                        .map(|(i, a)| (a.as_str(), i))
                        .chain(extra.iter().enumerate().map(|(i, a)| (a.as_str(), 100 + i)))
                        .chain(std::iter::once((f.name.as_str(), 1000)));
                    for (alias, prio) in all {
                        let k = normalize::key(alias);
                        // An alias that two fields share goes to the first
                        // (mapping aliases come later, so they never steal).
                        t.entry(k).or_insert((fi, prio));
                    }
                }
                t
            })
            .collect();
        let unit_kinds = schema
            .datasets
            .iter()
            .map(|ds| {
                ds.fields
                    .iter()
                    .map(|f| f.unit.as_deref().and_then(unit_kind))
                    .collect()
            })
            .collect();
        HeaderMatcher { tables, unit_kinds }
    }

    /// Every header key (normalised alias) of dataset `ds` with its field.
    pub fn keys(&self, ds: usize) -> impl Iterator<Item = (&str, usize)> {
        self.tables
            .get(ds)
            .into_iter()
            .flat_map(|t| t.iter().map(|(k, &(f, _))| (k.as_str(), f)))
    }

    /// Every header key of dataset `ds` with its field, as [`Self::keys`],
    /// and each followed by a unit of its field's kind (`收费金额(元)`,
    /// `收费金额(万元)`), as [`Self::assign`] takes them: for records of
    /// keys, where any record may name a field by any of them.
    pub fn keys_with_units(&self, ds: usize) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        for (k, f) in self.keys(ds) {
            if let Some(kind) = self.unit_kinds[ds][f] {
                for mark in super::cell::unit_marks_of(kind) {
                    out.entry(normalize::key(&format!("{k}({mark})")))
                        .or_insert(f);
                }
            }
        }
        // (A key that is itself an alias keeps its own field.)
        for (k, f) in self.keys(ds) {
            out.insert(k.to_string(), f);
        }
        out
    }

    /// Assigns fields of dataset `ds` to columns. Each column gives its
    /// alternatives as [`normalize::key`]s (the first that matches counts).
    pub fn assign(&self, ds: usize, alts: &[Vec<String>]) -> Vec<Option<usize>> {
        let Some(table) = self.tables.get(ds) else {
            return vec![None; alts.len()];
        };
        let mut hits: Vec<(usize, usize, usize)> = Vec::new(); // (prio, col, field)
        let kinds = &self.unit_kinds[ds];
        for (c, a) in alts.iter().enumerate() {
            if let Some((f, p)) = a.iter().find_map(|h| table.get(h).copied()) {
                hits.push((p, c, f));
            } else if let Some((f, p)) = a.iter().find_map(|h| {
                // A field's header with a unit of the field's kind after
                // it (money or a count of days, pieces, people).
                let (base, mark) = split_unit(h)?;
                let (f, p) = table.get(base).copied()?;
                (kinds[f].is_some() && kinds[f] == unit_kind(mark)).then_some((f, p))
            }) {
                hits.push((WITH_UNIT + p, c, f));
            }
        }
        hits.sort_unstable();
        let mut out = vec![None; alts.len()];
        let mut taken = Vec::new();
        for (_, c, f) in hits {
            if !taken.contains(&f) {
                taken.push(f);
                out[c] = Some(f);
            }
        }
        out
    }
}

/// The header the search settled on.
#[derive(Clone, Debug)]
pub struct HeaderChoice {
    /// Index (into the scanned rows) of the header's first row.
    pub start: usize,
    /// 1 or 2 rows.
    pub height: usize,
    pub dataset: usize,
    pub columns: Vec<Column>,
    /// Required fields the header lacks (only when the dataset was decided
    /// by the file name or the mapping).
    pub missing_required: Vec<String>,
}

/// Why no header was settled on.
#[derive(Clone, Debug)]
pub enum HeaderFailure {
    /// No dataset fits; the text says what came closest, and `closest`
    /// which dataset (by index) that is.
    NoMatch { why: String, closest: Option<usize> },
    /// Several datasets fit equally well.
    Ambiguous(Vec<String>),
    /// The file name or a mapping says which dataset, but the header lacks
    /// a column of its key; the text says which.
    Keyless(String),
    /// A dataset was named (by the mapping, or by a YAML file's key), but
    /// no column of the header looked at is one of its fields.
    Unfit(Unfit),
}

/// What the header search saw when no column fitted the dataset it was
/// told to find (see [`HeaderFailure::Unfit`]); row indexes are into the
/// scanned rows, which the caller turns into the file's row numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unfit {
    pub dataset: usize,
    /// The row looked at as the header: the header row given, or the
    /// first row with content; `None` when the given one is not among the
    /// rows (blank or past the end) or no row has content.
    pub looked_at: Option<usize>,
    /// With a header row given: the first row where the dataset's header
    /// is found when any row may be it.
    pub found_at: Option<usize>,
}

struct Variant {
    start: usize,
    height: usize,
    display: Vec<String>,
    alts: Vec<Vec<String>>,
}

fn variants(rows: &[Vec<String>]) -> Vec<Variant> {
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        out.push(Variant {
            start: r,
            height: 1,
            display: row.iter().map(|c| normalize::trim(c).to_string()).collect(),
            alts: row.iter().map(|c| vec![c.clone()]).collect(),
        });
        if r > 0 {
            let upper = &rows[r - 1];
            let width = upper.len().max(row.len());
            let mut display = Vec::with_capacity(width);
            let mut alts = Vec::with_capacity(width);
            let mut carry: Option<&str> = None;
            for c in 0..width {
                let u = upper.get(c).map_or("", |s| normalize::trim(s));
                let l = row.get(c).map_or("", |s| normalize::trim(s));
                if !u.is_empty() {
                    carry = Some(u);
                }
                match (u.is_empty(), l.is_empty()) {
                    (false, true) => {
                        display.push(u.to_string());
                        alts.push(vec![u.to_string()]);
                    }
                    (_, false) => {
                        if let Some(p) = carry {
                            let composed = format!("{p}({l})");
                            display.push(composed.clone());
                            alts.push(vec![composed, l.to_string()]);
                        } else {
                            display.push(l.to_string());
                            alts.push(vec![l.to_string()]);
                        }
                    }
                    (true, true) => {
                        carry = None;
                        display.push(String::new());
                        alts.push(Vec::new());
                    }
                }
            }
            out.push(Variant {
                start: r - 1,
                height: 2,
                display,
                alts,
            });
        }
    }
    out
}

/// Chooses the header row and dataset of a table from its first rows.
/// `names` are the file name and (for workbooks and YAML) the sheet name,
/// matched against the schema's file patterns; `forced` is a dataset named
/// by the mapping; `header_row` a header row (0-based) fixed by the mapping.
pub fn choose(
    schema: &Schema,
    matcher: &HeaderMatcher,
    rows: &[Vec<String>],
    names: &[&str],
    forced: Option<usize>,
    header_row: Option<usize>,
) -> Result<HeaderChoice, HeaderFailure> {
    let choice = choose_any(schema, matcher, rows, names, forced, header_row)?;
    // A table taken by its file name or a mapping without the column of its
    // key cannot tell its records apart: its rows would all share one empty
    // key (one finding for different items, every item "new" in a diff).
    let ds = &schema.datasets[choice.dataset];
    let keyless: Vec<&str> = choice
        .missing_required
        .iter()
        .filter(|f| ds.key.contains(f))
        .filter_map(|f| ds.field(f))
        .map(crate::schema::Field::header)
        .collect();
    if keyless.is_empty() {
        Ok(choice)
    } else {
        Err(HeaderFailure::Keyless(format!(
            "按文件名或映射文件应为 {} {}, 但表头缺少键列 {}: 无法区分各行记录 (用 --map 指明哪一列是 {})",
            ds.name,
            ds.title,
            keyless.join("、"),
            keyless.join("、")
        )))
    }
}

/// [`choose`] before the check of the key columns.
fn choose_any(
    schema: &Schema,
    matcher: &HeaderMatcher,
    rows: &[Vec<String>],
    names: &[&str],
    forced: Option<usize>,
    header_row: Option<usize>,
) -> Result<HeaderChoice, HeaderFailure> {
    struct Cand {
        v: usize,
        ds: usize,
        score: usize,
        required_ok: bool,
        fields: Vec<Option<usize>>,
    }
    let vars = variants(rows);
    // Each header cell normalised once, not once per dataset.
    let keys: Vec<Vec<Vec<String>>> = vars
        .iter()
        .map(|v| {
            v.alts
                .iter()
                .map(|a| a.iter().map(|h| normalize::key(h)).collect())
                .collect()
        })
        .collect();
    let mut cands: Vec<Cand> = Vec::new();
    // (lower row, dataset) → score of the single-row reading: a two-row
    // reading counts only when it maps more columns than its lower row alone.
    let mut single: HashMap<(usize, usize), usize> = HashMap::new();
    for (vi, v) in vars.iter().enumerate() {
        if header_row.is_some_and(|h| h != v.start) {
            continue;
        }
        for (di, ds) in schema.datasets.iter().enumerate() {
            if ds.derived || forced.is_some_and(|f| f != di) {
                continue;
            }
            let fields = matcher.assign(di, &keys[vi]);
            let score = fields.iter().filter(|f| f.is_some()).count();
            if v.height == 1 {
                single.insert((v.start, di), score);
            } else if score <= single.get(&(v.start + 1, di)).copied().unwrap_or(0) {
                continue;
            }
            if score == 0 {
                continue;
            }
            let required_ok = ds.required.iter().all(|r| {
                ds.field_index(r)
                    .is_some_and(|ri| fields.contains(&Some(ri)))
            });
            cands.push(Cand {
                v: vi,
                ds: di,
                score,
                required_ok,
                fields,
            });
        }
    }
    // Best first: score, then earliest row, then single rows before pairs.
    cands.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(vars[a.v].start.cmp(&vars[b.v].start))
            .then(vars[a.v].height.cmp(&vars[b.v].height))
            .then(a.ds.cmp(&b.ds))
    });
    let name_matches = |di: usize| {
        schema.datasets[di]
            .file_patterns
            .iter()
            .any(|p| names.iter().any(|n| normalize::glob(p, n)))
    };
    let finish = |c: &Cand| {
        let v = &vars[c.v];
        let ds = &schema.datasets[c.ds];
        let missing_required = ds
            .required
            .iter()
            .filter(|r| {
                !ds.field_index(r)
                    .is_some_and(|ri| c.fields.contains(&Some(ri)))
            })
            .cloned()
            .collect();
        HeaderChoice {
            start: v.start,
            height: v.height,
            dataset: c.ds,
            columns: v
                .display
                .iter()
                .zip(&c.fields)
                .map(|(h, f)| Column {
                    header: h.clone(),
                    field: *f,
                })
                .collect(),
            missing_required,
        }
    };
    if let Some(dataset) = forced {
        return cands.first().map(finish).ok_or_else(|| {
            let looked_at = match header_row {
                Some(h) => (h < rows.len()).then_some(h),
                None => rows
                    .iter()
                    .position(|r| r.iter().any(|c| !normalize::trim(c).is_empty())),
            };
            // A header row off by one: say where the header is.
            let found_at = header_row.and_then(|_| {
                choose_any(schema, matcher, rows, names, forced, None)
                    .ok()
                    .map(|c| c.start)
            });
            HeaderFailure::Unfit(Unfit {
                dataset,
                looked_at,
                found_at,
            })
        });
    }
    let ok: Vec<&Cand> = cands.iter().filter(|c| c.required_ok).collect();
    // A dataset with its required columns is taken unless another matches
    // more columns without them: a fee ledger lacking its amount column
    // still has its case number and item code (what a case log requires),
    // and is a fee ledger with a column missing, not a case log.
    let outscored = |best: &&&Cand| cands.first().is_some_and(|any| any.score > best.score);
    // A header with an event dataset's required columns and its event date
    // (a case log's 受理时间) holds events, not a register that happens to
    // match more columns: a case log carrying its items' 事项名称, 实施主体,
    // 承诺办结时限 is no catalogue (a register has no acceptance time).
    let has_event = |c: &&Cand| {
        let ds = &schema.datasets[c.ds];
        ds.event_date
            .as_deref()
            .and_then(|f| ds.field_index(f))
            .is_some_and(|fi| c.fields.contains(&Some(fi)))
    };
    let standing = |c: &&&Cand| schema.datasets[c.ds].event_date.is_none();
    if let (Some(_), Some(events)) = (
        ok.first().filter(standing),
        ok.iter().find(|c| has_event(c)),
    ) {
        let rivals = ok
            .iter()
            .filter(|c| has_event(c) && c.score == events.score && c.ds != events.ds)
            .count();
        if rivals == 0 {
            return Ok(finish(events));
        }
    }
    if let Some(best) = ok.first().filter(|b| !outscored(b)) {
        let mut tied: Vec<usize> = ok
            .iter()
            .filter(|c| c.score == best.score)
            .map(|c| c.ds)
            .collect();
        tied.sort_unstable();
        tied.dedup();
        if tied.len() == 1 {
            return Ok(finish(best));
        }
        let by_name: Vec<usize> = tied.iter().copied().filter(|&d| name_matches(d)).collect();
        if by_name.len() == 1 {
            if let Some(c) = ok
                .iter()
                .find(|c| c.ds == by_name[0] && c.score == best.score)
            {
                return Ok(finish(c));
            }
        }
        return Err(HeaderFailure::Ambiguous(
            tied.iter()
                .map(|&d| schema.datasets[d].name.clone())
                .collect(),
        ));
    }
    // No dataset has its required columns: the file name may decide.
    let by_name: Vec<usize> = (0..schema.datasets.len())
        .filter(|&d| name_matches(d))
        .collect();
    if by_name.len() == 1 {
        if let Some(c) = cands.iter().find(|c| c.ds == by_name[0] && c.score >= 2) {
            return Ok(finish(c));
        }
    }
    // (One matching cell, a data dictionary's `调整编号` row, names nothing.)
    let closest = cands.first().filter(|c| c.score >= 2).map(|c| c.ds);
    Err(HeaderFailure::NoMatch {
        closest,
        why: match cands.first() {
        // A long preamble (a cover page, notes) may put the header below the
        // rows looked at: say where to give it.
        None if header_row.is_none() && rows.len() >= SCAN_ROWS => format!(
            "前 {SCAN_ROWS} 行中没有表头 (没有任何列能对应到已知数据集的字段);若表头在更下面, 请在映射文件 (--map) 的 files 中为此文件写 header_row: 表头所在行号"
        ),
        None => "表头没有任何列能对应到已知数据集的字段".to_string(),
        Some(c) => {
            let ds = &schema.datasets[c.ds];
            let missing: Vec<&str> = ds
                .required
                .iter()
                .filter(|r| {
                    !ds.field_index(r)
                        .is_some_and(|ri| c.fields.contains(&Some(ri)))
                })
                .filter_map(|r| ds.field(r).map(crate::schema::Field::header))
                .collect();
            format!(
                "表头未匹配任何数据集(最接近 {} {},缺少必需列 {})",
                ds.name,
                ds.title,
                missing.join("、")
            )
        }
    },
    })
}
