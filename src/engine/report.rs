//! What an audit produces: findings, undetermined verdicts, metric values,
//! data errors and a summary. Serialises exactly to the findings contract.

use std::cmp::Ordering;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::read::normalize;
use crate::text::Text;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    pub file: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<Text>,
    pub row: u32,
    pub field: Option<Text>,
    pub value: Option<String>,
}

impl Evidence {
    /// A whole file, no row of it (a file that could not be read).
    pub fn whole_file(file: &str) -> Evidence {
        Evidence {
            file: Text::from(file),
            sheet: None,
            row: 0,
            field: None,
            value: None,
        }
    }
}

/// How many records a group has and how many of them a group verdict's
/// evidence lists (it lists those that decide it, and the group's first
/// ones, a bounded number).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct GroupRows {
    pub total: u64,
    pub listed: u64,
}

impl GroupRows {
    /// Whether the evidence lists every record of the group (then the
    /// JSON leaves the count out), or it is no group's.
    #[allow(clippy::ref_option, reason = "serde's skip_serializing_if")]
    pub fn all_listed(rows: &Option<GroupRows>) -> bool {
        rows.is_none_or(|r| r.listed >= r.total)
    }

    /// The count of two groups whose verdicts merged (one key).
    fn add(rows: &mut Option<GroupRows>, other: Option<GroupRows>) {
        if let (Some(r), Some(o)) = (rows.as_mut(), other) {
            r.total += o.total;
            r.listed += o.listed;
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CiteOut {
    pub policy: String,
    pub clause: String,
    /// The clause's text, shared by every finding of the rule (a clause runs
    /// to a kilobyte, and a county's year has tens of thousands of findings).
    pub text: std::sync::Arc<str>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Text,
    pub rule: Text,
    pub severity: &'static str,
    pub dataset: Text,
    pub key: Vec<String>,
    pub dept: Option<String>,
    pub message: String,
    pub cite: Vec<CiteOut>,
    pub evidence: Vec<Evidence>,
    /// A group rule's: how many records the group has and how many the
    /// evidence lists; in the JSON (beyond the contract, which allows more
    /// keys) only when it lists fewer.
    #[serde(skip_serializing_if = "GroupRows::all_listed")]
    pub group_rows: Option<GroupRows>,
    /// With `--baseline` or `--waivers`: new, persisting or waived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    /// The waiver that applies, when waived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<crate::triage::Waiver>,
    /// With `--baseline`: new or persisting, a waived finding too (its
    /// `status` says only waived, as the contract's one `status` can). In
    /// the JSON beyond the contract's keys (which it allows); SARIF,
    /// `JUnit`, GitHub, CSV and xlsx show both too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Undetermined {
    pub code: Text,
    pub dataset: Text,
    pub key: Vec<String>,
    pub missing: Vec<Text>,
    pub evidence: Vec<Evidence>,
    /// As a finding's.
    #[serde(skip_serializing_if = "GroupRows::all_listed")]
    pub group_rows: Option<GroupRows>,
}

/// A cell or row that could not be read: the reader's type, reported as is.
pub use crate::read::DataError;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricValue {
    pub id: String,
    /// `None`: the whole centre.
    pub dept: Option<String>,
    pub numerator: u64,
    pub denominator: u64,
    /// `None` when the denominator is 0 (n/a).
    pub value: Option<f64>,
    pub undetermined: u64,
    pub target: Option<f64>,
    /// The place (file, row) of the earliest record counted under `dept`,
    /// whose text `dept` is (`None`: the centre, or a key that is no text).
    #[serde(skip)]
    pub first_at: Option<(u32, u32)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub records: BTreeMap<String, u64>,
    pub findings: BTreeMap<String, u64>,
    pub undetermined: u64,
    pub data_errors: u64,
    /// The rows those data errors are on (a row with two unreadable cells
    /// counts once), as the data contract asks a summary to count them
    /// (beyond the contract's keys, which it allows).
    pub data_error_rows: u64,
    /// The datasets the audit has nothing of, each with why: not given, or
    /// given in a file that could not be read (beyond the contract, whose
    /// summary allows more keys; `records` counts them 0, as a header-only
    /// file's).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub not_read: BTreeMap<String, crate::engine::Absence>,
}

/// A file of the export folder that the audit did not read (or not to
/// its end): it holds no dataset, or it could not be read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SkippedFile {
    /// Relative to the audited folder.
    pub file: String,
    pub reason: String,
    /// It should have been read and could not be (an error), as opposed to
    /// holding no dataset.
    pub unreadable: bool,
}

/// The result of an audit.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Audit {
    pub findings: Vec<Finding>,
    pub undetermined: Vec<Undetermined>,
    pub metrics: Vec<MetricValue>,
    pub data_errors: Vec<DataError>,
    /// Files not read, in path order: nothing is dropped without being shown.
    pub skipped: Vec<SkippedFile>,
    /// What became of each of the mapping's `files` patterns in the folder
    /// (`audit` and `report` warn of those no file used: a typo would
    /// otherwise go unnoticed).
    #[serde(skip)]
    pub pattern_use: Vec<crate::read::mapping::PatternUse>,
    pub summary: Summary,
    /// With `--baseline`: findings of the baseline that are gone (code, key).
    pub resolved: Vec<(String, Vec<String>)>,
    /// The departments the registers held in memory name (units,
    /// catalogue, staff, authorisations), for the report to list a
    /// department with nothing to count.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<String>,
    /// With a period (`report --period`): per dataset, the records whose
    /// event date is missing or unreadable, left out since the period cannot
    /// place them.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub undated: std::collections::BTreeMap<String, u64>,
    /// With a period: per dataset, the records dated outside it, left out.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub outside_period: std::collections::BTreeMap<String, u64>,
    /// With `--waivers`: waivers past their expiry, and waivers matching nothing.
    pub expired_waivers: Vec<crate::triage::Waiver>,
    pub stale_waivers: Vec<crate::triage::Waiver>,
}

impl Audit {
    /// Sort everything by a stable key and fill in the summary. After this
    /// the audit is the same whatever order the workers finished in.
    pub fn finish(&mut self) {
        self.sort_findings();
        // Records that share a key (a duplicated item code, C002: equal in
        // the matching form, `A1` and `Ａ１`) are one finding of a rule: the
        // earliest record's, with every record's evidence. Records without
        // a key (an empty key cell) share none.
        let merged_findings = merge_same_key(
            &mut self.findings,
            |f| (&f.code, &f.key, &f.evidence),
            |f| &mut f.evidence,
            |first, later| GroupRows::add(&mut first.group_rows, later.group_rows),
        );
        let merged_undetermined = merge_same_key(
            &mut self.undetermined,
            |u| (&u.code, &u.key, &u.evidence),
            |u| &mut u.evidence,
            |first, later| {
                GroupRows::add(&mut first.group_rows, later.group_rows);
                for m in &later.missing {
                    if !first.missing.contains(m) {
                        first.missing.push(m.clone());
                    }
                }
            },
        );
        // (A merge keeps the earliest record's key text, which may sort
        // elsewhere.)
        if merged_findings || merged_undetermined {
            self.sort_findings();
        }
        sort_by_places(&mut self.data_errors, Ord::cmp);
        self.metrics
            .sort_by(|a, b| (&a.id, &a.dept).cmp(&(&b.id, &b.dept)));
        self.summary.findings.clear();
        for f in &self.findings {
            *self.summary.findings.entry(f.code.to_string()).or_default() += 1;
        }
        self.summary.undetermined = self.undetermined.len() as u64;
        self.summary.data_errors = self.data_errors.len() as u64;
        // (Sorted: a row's errors are next to each other. Counted where
        // they lie: a list of the places took 40 MB for a million errors.)
        let same_row =
            |a: &DataError, b: &DataError| (&a.file, &a.sheet, a.row) == (&b.file, &b.sheet, b.row);
        self.summary.data_error_rows = self
            .data_errors
            .iter()
            .enumerate()
            .filter(|&(i, e)| i == 0 || !same_row(&self.data_errors[i - 1], e))
            .count() as u64;
    }

    /// Findings and undetermined verdicts in their output order: by code,
    /// key, evidence.
    fn sort_findings(&mut self) {
        sort_by_code(
            &mut self.findings,
            |f| &f.code,
            |a, b| (&a.key, &a.evidence, &a.message).cmp(&(&b.key, &b.evidence, &b.message)),
        );
        sort_by_code(
            &mut self.undetermined,
            |u| &u.code,
            |a, b| (&a.key, &a.evidence, &a.missing).cmp(&(&b.key, &b.evidence, &b.missing)),
        );
    }
}

/// Appends `items` to `to`, taking the vector itself when `to` is empty:
/// `extend` copied a chunk's or a dataset's findings, verdicts and data
/// errors into a fresh vector at each merge (a dirty export's 1.51 million
/// verdicts, about 220 MB, copied three times, the last ones under the lock the
/// workers hand their chunks in through).
pub(crate) fn append<T>(to: &mut Vec<T>, items: Vec<T>) {
    if to.is_empty() {
        *to = items;
    } else {
        to.extend(items);
    }
}

/// A stable sort of `items` by `cmp` that sorts their places and then moves
/// each item once: a finding or a data error is 100-200 bytes, and a
/// dirty export's million of them were moved at every step of the sort,
/// with a scratch copy of half of them (about 200 MB).
fn sort_by_places<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| cmp(&items[a], &items[b]));
    put_in_order(items, order);
}

/// [`sort_by_places`] by code, then by `rest`: the places are first put in
/// the order of their codes' ranks (a stable counting sort), then each
/// code's places sorted by `rest`. Findings come record by record, the
/// codes of a record's verdicts interleaved (`H003`, `H004`, `M05` of one
/// row, then of the next): sorted whole, the sort found no run of sorted
/// items in them and every comparison began with two codes; one code's
/// verdicts are mostly in order already (a dirty export's 1.51 million
/// undetermined verdicts took 1.5 of the audit's 9 seconds to sort).
fn sort_by_code<T>(items: &mut [T], code: impl Fn(&T) -> &Text, rest: impl Fn(&T, &T) -> Ordering) {
    let (ranks, n_codes): (Vec<usize>, usize) = {
        // Each item's code by its order of first meeting, then those
        // numbers mapped to the codes' ranks (a rule's code is met a million
        // times, the distinct ones are few).
        let mut met: HashMap<&Text, usize> = HashMap::new();
        let firsts: Vec<usize> = items
            .iter()
            .map(|item| {
                let n = met.len();
                *met.entry(code(item)).or_insert(n)
            })
            .collect();
        let mut codes: Vec<(&Text, usize)> = met.into_iter().collect();
        codes.sort_unstable();
        let mut rank_of_first = vec![0; codes.len()];
        for (rank, &(_, first)) in codes.iter().enumerate() {
            rank_of_first[first] = rank;
        }
        let ranks = firsts.into_iter().map(|f| rank_of_first[f]).collect();
        (ranks, codes.len())
    };
    let mut starts = vec![0usize; n_codes + 1];
    for &r in &ranks {
        starts[r + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    let mut order = vec![0usize; items.len()];
    let mut next = starts.clone();
    for (i, &r) in ranks.iter().enumerate() {
        order[next[r]] = i;
        next[r] += 1;
    }
    for span in starts.windows(2) {
        order[span[0]..span[1]].sort_by(|&a, &b| rest(&items[a], &items[b]));
    }
    put_in_order(items, order);
}

/// Moves item `order[k]` to place `k`, each item once: each cycle of the
/// permutation followed once, by swaps; a place done points to itself.
fn put_in_order<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut k = start;
        while order[k] != start {
            let next = order[k];
            items.swap(k, next);
            order[k] = k;
            k = next;
        }
        order[k] = k;
    }
}

/// Merges the items of one code whose keys are equal in their matching
/// form ([`normalize::value`]): the one with the earliest evidence stays,
/// with its key's text and message, and takes the others' evidence after
/// its own, record by record in file order (each record's in the order the
/// rule read it), and whatever `merge` adds. A key with an empty part names
/// no record and merges with none. The result does not depend on the
/// order of `items`, except for items equal in code, key and evidence.
///
/// Returns whether two items may have shared a key (then `items` was
/// rebuilt); most audits have none, and a dirty export's million
/// undetermined verdicts are then left in place, unsorted again.
fn merge_same_key<T>(
    items: &mut Vec<T>,
    parts: impl Fn(&T) -> (&Text, &Vec<String>, &Vec<Evidence>),
    evidence_of: impl Fn(&mut T) -> &mut Vec<Evidence>,
    merge: impl Fn(&mut T, &T),
) -> bool {
    if !any_shared_key(items, &parts) {
        return false;
    }
    let mut group_of: HashMap<(Text, Vec<String>), usize> = HashMap::new();
    let mut groups: Vec<Vec<T>> = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        let (code, key, _) = parts(&item);
        let matching: Vec<String> = key
            .iter()
            .map(|k| normalize::value(k).into_owned())
            .collect();
        if matching.iter().any(String::is_empty) {
            groups.push(vec![item]);
            continue;
        }
        match group_of.entry((code.clone(), matching)) {
            Entry::Vacant(v) => {
                v.insert(groups.len());
                groups.push(vec![item]);
            }
            Entry::Occupied(o) => groups[*o.get()].push(item),
        }
    }
    for mut group in groups {
        group.sort_by(|a, b| parts(a).2.cmp(parts(b).2));
        let mut records = group.into_iter();
        let Some(mut first) = records.next() else {
            continue;
        };
        for mut later in records {
            merge(&mut first, &later);
            let evidence = evidence_of(&mut first);
            for e in std::mem::take(evidence_of(&mut later)) {
                if !evidence.contains(&e) {
                    evidence.push(e);
                }
            }
        }
        items.push(first);
    }
    true
}

/// Whether two items of one code may share a key in its matching form: by
/// 64-bit hashes of the code and the key (two keys that only share a hash
/// take the full merge, which finds them apart).
fn any_shared_key<T>(
    items: &[T],
    parts: impl Fn(&T) -> (&Text, &Vec<String>, &Vec<Evidence>),
) -> bool {
    use std::hash::{Hash, Hasher};
    let mut seen: rustc_hash::FxHashSet<u64> = rustc_hash::FxHashSet::default();
    seen.reserve(items.len());
    for item in items {
        let (code, key, _) = parts(item);
        let mut h = rustc_hash::FxHasher::default();
        code.hash(&mut h);
        let mut empty_part = false;
        for k in key {
            let matching = normalize::value(k);
            empty_part |= matching.is_empty();
            matching.hash(&mut h);
        }
        // (A key with an empty part merges with none.)
        if !empty_part && !seen.insert(h.finish()) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{sort_by_code, sort_by_places, Text};

    /// As the standard stable sort: equal items keep their order.
    #[test]
    fn sorting_by_places_is_the_stable_sort() {
        let mut seed = 7u64;
        for n in [0, 1, 2, 3, 10, 257, 5000] {
            let items: Vec<(u8, usize)> = (0..n)
                .map(|i| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    ((seed >> 60) as u8, i)
                })
                .collect();
            let mut expected = items.clone();
            expected.sort_by_key(|a| a.0);
            let mut got = items;
            sort_by_places(&mut got, |a, b| a.0.cmp(&b.0));
            assert_eq!(got, expected, "{n} items");
        }
    }

    /// As the standard stable sort by code, then the rest: equal items keep
    /// their order, codes interleaved as a record's verdicts are.
    #[test]
    fn sorting_by_code_is_the_stable_sort_by_code_then_the_rest() {
        let codes = ["M05", "H003", "H10", "H004", "C002"];
        let mut seed = 11u64;
        for n in [0, 1, 2, 3, 10, 257, 5000] {
            let items: Vec<(Text, u8, usize)> = (0..n)
                .map(|i| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    let code = Text::from(codes[(seed >> 61) as usize % codes.len()]);
                    (code, (seed >> 40) as u8 % 4, i)
                })
                .collect();
            let mut expected = items.clone();
            expected.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
            let mut got = items;
            sort_by_code(&mut got, |a| &a.0, |a, b| a.1.cmp(&b.1));
            assert_eq!(got, expected, "{n} items");
        }
    }
}
