//! The data errors a change introduced: the new version's, less those the
//! old version had, matched by their row's record (its key) where a row
//! can be told by its content, so that rows inserted above an old error do
//! not make it new, while the same bad value on another record stays new.

use std::collections::HashMap;

use crate::read::DataError;
use crate::schema::Schema;
use crate::text::Text;

/// Where an error is, as the two versions are matched on.
#[derive(Hash, PartialEq, Eq)]
enum Place<'a> {
    /// On the row of a register held whole with this key (its dataset and
    /// key values in matching form): the catalogue's item, a change's id.
    Record(&'a str),
    /// On a row not read, whose text the error's value is: the text tells
    /// the row.
    RowText,
    /// Elsewhere (a row without its key, a streamed dataset's row): at this
    /// row exactly.
    Row(u32),
}

/// The key of each row of the registers held whole, by its place (file,
/// sheet, row): taken from one version's data, as its audit read it.
#[derive(Debug, Default)]
pub struct RowKeys(HashMap<(Text, Option<Text>, u32), String>);

/// The keys of the rows of the registers held in `data` (the streamed case
/// log and fee ledger are not held: their rows match by row).
pub fn row_keys(schema: &Schema, data: &crate::engine::Data) -> RowKeys {
    let mut out = HashMap::new();
    for (ds, d) in schema.datasets.iter().enumerate() {
        if d.derived || d.streamed {
            continue;
        }
        let fields: Vec<usize> = d.key.iter().filter_map(|k| d.field_index(k)).collect();
        if fields.is_empty() {
            continue;
        }
        for r in &data.tables[ds] {
            let key: Vec<String> = fields
                .iter()
                .map(|&f| crate::read::normalize::value(&r.values[f].to_string()).into_owned())
                .collect();
            if key.iter().any(String::is_empty) {
                continue;
            }
            let f = &data.files[r.file as usize];
            out.insert(
                (f.path.clone(), f.sheet.clone(), r.row),
                format!("{}\u{1f}{}", d.name, key.join("\u{1f}")),
            );
        }
    }
    RowKeys(out)
}

/// An error's message with the numbers in it masked: they name rows
/// (`与第 3 行重复`).
fn masked(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_number = false;
    for c in message.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

/// A data error as the two versions are matched on: all but its row.
#[derive(Hash, PartialEq, Eq)]
struct Identity<'a> {
    place: Place<'a>,
    file: &'a str,
    sheet: Option<&'a str>,
    column: Option<&'a str>,
    value: Option<&'a str>,
    expected: Option<&'a str>,
    message: String,
}

fn identity<'a>(e: &'a DataError, keys: &'a RowKeys) -> Identity<'a> {
    let place = match keys.0.get(&(e.file.clone(), e.sheet.clone(), e.row)) {
        Some(k) => Place::Record(k),
        None if e.column.is_none() && e.value.is_some() => Place::RowText,
        None => Place::Row(e.row),
    };
    Identity {
        place,
        file: &e.file,
        sheet: e.sheet.as_deref(),
        column: e.column.as_deref(),
        value: e.value.as_deref(),
        expected: e.expected.as_deref(),
        message: masked(&e.message),
    }
}

/// Drop from the new version's data errors those the old version had,
/// each old error accounting for one new one (a value wrong in two rows of
/// one item, where it was in one, is one new error). `old_keys` and
/// `new_keys` are the two versions' [`row_keys`], which tell an error's
/// record.
pub fn drop_old_errors(
    after: &mut Vec<DataError>,
    before: &[DataError],
    old_keys: &RowKeys,
    new_keys: &RowKeys,
) {
    let mut old: HashMap<_, usize> = HashMap::new();
    for e in before {
        *old.entry(identity(e, old_keys)).or_default() += 1;
    }
    let keep: Vec<bool> = after
        .iter()
        .map(|e| match old.get_mut(&identity(e, new_keys)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect();
    drop(old);
    let mut keep = keep.into_iter();
    after.retain(|_| keep.next().unwrap_or(true));
}
