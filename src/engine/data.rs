//! The records an audit runs over, as the engine sees them.

use crate::text::{intern, Text};
use crate::value::Value;

/// Where rows come from: a file (relative to the audited folder) and a sheet.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileRef {
    /// Interned ([`crate::text::intern`]): every verdict's evidence
    /// names its file, a copy of a pointer each.
    pub path: Text,
    pub sheet: Option<Text>,
}

/// One record: its place (file index into [`Data::files`], 1-based row as a
/// spreadsheet shows it) and its values in schema field order.
#[derive(Clone, Debug)]
pub struct Row {
    pub file: u32,
    pub row: u32,
    pub values: Vec<Value>,
}

/// The records of every dataset (indexed like the schema's datasets).
#[derive(Clone, Debug, Default)]
pub struct Data {
    pub files: Vec<FileRef>,
    pub tables: Vec<Vec<Row>>,
    /// Per dataset: `None` when the export provides it (a file was read as
    /// it, even one with no records), else why it has nothing to look into
    /// (not given, or given and not read), which an undetermined verdict
    /// names (`authorizations(无法读取)`). A lookup into a dataset not
    /// provided is unknown; into one provided without records, it finds
    /// nothing.
    pub absence: Vec<Option<Absence>>,
    /// Per dataset held whole: its rows that could not be read as records
    /// (each a data error), with their texts. A lookup of a key that one of
    /// them may hold is unknown, not "no match".
    pub unread: Vec<Vec<UnreadRow>>,
}

/// A row of a held dataset that was not read as a record: where it is and
/// the texts of its cells. `row: None` is a whole file of the dataset that
/// could not be read (or in which no header was found, though its name
/// names the dataset), beside others that were: it may hold any key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadRow {
    pub file: u32,
    pub row: Option<u32>,
    pub texts: Vec<String>,
    /// A record whose lookup key could not be read and gives no text to
    /// match (a formula without its result, a key of NUL bytes alone): it
    /// may hold any key, as a whole file not read may.
    pub any: bool,
}

/// Why a dataset has no records the audit could use: the export does not
/// give it, or gives it in a file that could not be read.
/// In the JSON (`summary.not_read`): `not_given`, `unreadable`,
/// `not_given_or_unreadable`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Absence {
    /// No file of the export holds it.
    #[default]
    NotGiven,
    /// A file that holds it (by its header, its name or the mapping) could
    /// not be read, or none of its rows could.
    Unreadable,
    /// No file holds it, but a file that could not be read may: one whose
    /// name and mapping name no dataset, or several.
    #[serde(rename = "not_given_or_unreadable")]
    MaybeUnreadable,
}

impl Absence {
    /// How outputs write it after the dataset's name (`authorizations(无法读取)`)
    /// and in place of its record count.
    pub fn label(self) -> &'static str {
        match self {
            Absence::NotGiven => "未提供",
            Absence::Unreadable => "无法读取",
            Absence::MaybeUnreadable => "未提供或无法读取",
        }
    }
}

impl Data {
    pub fn new(datasets: usize) -> Self {
        Data {
            files: Vec::new(),
            tables: vec![Vec::new(); datasets],
            absence: vec![Some(Absence::NotGiven); datasets],
            unread: vec![Vec::new(); datasets],
        }
    }

    /// Register a file, returning its index.
    pub fn add_file(&mut self, path: &str, sheet: Option<&str>) -> u32 {
        let f = FileRef {
            path: intern(path),
            sheet: sheet.map(intern),
        };
        if let Some(i) = self.files.iter().position(|x| *x == f) {
            return i as u32;
        }
        self.files.push(f);
        (self.files.len() - 1) as u32
    }

    /// The export provides `dataset` (see [`Data::absence`]).
    pub fn provided(&self, dataset: usize) -> bool {
        self.absence[dataset].is_none()
    }

    pub fn push(&mut self, dataset: usize, row: Row) {
        self.absence[dataset] = None;
        self.tables[dataset].push(row);
    }
}
