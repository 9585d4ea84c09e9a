//! Which datasets the export gives, and why one it does not give readably
//! is absent: not given at all, or given in a file that could not be read
//! ([`Absence`]). An undetermined verdict names it (`authorizations(无法读取)`,
//! not `(未提供)`), and the summary shows it in place of a record count, so
//! that a ledger that could not be read is not taken for one never given,
//! nor a header-only one (given, no records) for either.

use crate::engine::Absence;
use crate::read::{Discovery, ReadError, ReadOptions};
use crate::schema::Schema;

/// What reading the export made of each dataset (indexed like the schema's).
pub(super) struct Reading {
    /// A file read as the dataset gave records, or no data error (a
    /// header-only register): the dataset is given.
    given: Vec<bool>,
    /// A file of the dataset could not be read, or gave data errors only.
    unreadable: Vec<bool>,
    /// A file that could not be read may hold it (its name and the mapping
    /// name no dataset, or several).
    maybe: Vec<bool>,
    /// The files (path, sheet) not read that hold or may hold it: by their
    /// header, the mapping or their name; not those whose name names no
    /// dataset (a broken `说明.xlsx` is not taken to hold every register).
    files: Vec<Vec<(String, Option<String>)>>,
}

impl Reading {
    /// Nothing read yet; the files discovery could not read attributed to
    /// the datasets they may hold ([`file_datasets`]).
    pub(super) fn new(schema: &Schema, opts: &ReadOptions, discovery: &Discovery) -> Reading {
        let n = schema.datasets.len();
        let mut r = Reading {
            given: vec![false; n],
            unreadable: vec![false; n],
            maybe: vec![false; n],
            files: vec![Vec::new(); n],
        };
        // A data file named as one dataset in which no header was found
        // may hold it, unrecognised (an encoding yimen does not read): not
        // "not given".
        // (Not a workbook of which a sheet was read: its other sheets are
        // notes, not the register.)
        // A name naming several datasets (`目录调整记录`: the catalogue's
        // 目录 and the changes' 调整) names the one the header came closest
        // to.
        for (rel, closest) in &discovery.headerless {
            if discovery.sources.iter().any(|s| s.rel == *rel) {
                continue;
            }
            let named = name_datasets(schema, rel);
            let ds = match named.as_slice() {
                [ds] => Some(*ds),
                _ => closest.filter(|c| named.contains(c)),
            };
            if let Some(ds) = ds {
                r.maybe[ds] = true;
                r.not_read(ds, rel, None);
            }
        }
        for e in &discovery.errors {
            let datasets = file_datasets(schema, opts, e);
            for &ds in &datasets {
                r.not_read(ds, e.file(), e.sheet());
            }
            match datasets.as_slice() {
                [ds] => r.unreadable[*ds] = true,
                [] => {
                    for (ds, d) in schema.datasets.iter().enumerate() {
                        r.maybe[ds] |= !d.derived;
                    }
                }
                several => {
                    for ds in several {
                        r.maybe[*ds] = true;
                    }
                }
            }
        }
        r
    }

    /// A file of `ds` was read: `records` records and `errors` data errors.
    /// It gives the dataset unless every row of it was a data error.
    pub(super) fn read(&mut self, ds: usize, records: u64, errors: usize) {
        if records > 0 || errors == 0 {
            self.given[ds] = true;
        } else {
            self.unreadable[ds] = true;
        }
    }

    /// A file of `ds` could not be read (to its end).
    pub(super) fn failed(&mut self, ds: usize, rel: &str, sheet: Option<&str>) {
        self.unreadable[ds] = true;
        self.not_read(ds, rel, sheet);
    }

    fn not_read(&mut self, ds: usize, rel: &str, sheet: Option<&str>) {
        let f = (rel.to_string(), sheet.map(str::to_string));
        if !self.files[ds].contains(&f) {
            self.files[ds].push(f);
        }
    }

    /// The files (path, sheet) that hold or may hold `ds` and were not read,
    /// in the order met.
    pub(super) fn files_not_read(&self, ds: usize) -> &[(String, Option<String>)] {
        &self.files[ds]
    }

    /// Why `ds` is absent; `None` when it is given.
    pub(super) fn absence(&self, ds: usize) -> Option<Absence> {
        if self.given[ds] {
            None
        } else if self.unreadable[ds] {
            Some(Absence::Unreadable)
        } else if self.maybe[ds] {
            Some(Absence::MaybeUnreadable)
        } else {
            Some(Absence::NotGiven)
        }
    }
}

/// The datasets a file that discovery could not read may hold: those its
/// header matched equally (an ambiguous header), else the one the mapping
/// assigns it, else those whose file-name patterns its name matches
/// (`窗口授权.xlsx`: authorizations). Empty when nothing tells.
fn file_datasets(schema: &Schema, opts: &ReadOptions, e: &ReadError) -> Vec<usize> {
    if let ReadError::AmbiguousHeader { candidates, .. } = e {
        return candidates
            .iter()
            .filter_map(|c| schema.dataset_index(c))
            .collect();
    }
    let rel = e.file();
    let mapped = opts
        .mapping
        .as_ref()
        .and_then(|m| m.for_file(rel))
        .and_then(|f| f.dataset.as_deref())
        .and_then(|d| schema.dataset_index(d));
    if let Some(ds) = mapped {
        return vec![ds];
    }
    name_datasets(schema, rel)
}

/// The datasets whose file-name patterns the name of `rel` matches.
fn name_datasets(schema: &Schema, rel: &str) -> Vec<usize> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    schema
        .datasets
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.derived)
        .filter(|(_, d)| {
            d.file_patterns
                .iter()
                .any(|p| crate::read::normalize::glob(p, name))
        })
        .map(|(ds, _)| ds)
        .collect()
}
