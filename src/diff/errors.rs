//! The data errors a change introduced: the new version's, less those the
//! old version had, matched without their row numbers where a row can be
//! told by its content, so that rows inserted above an old error do not
//! make it new, while the same bad value on another item stays new.

use std::collections::HashMap;

use super::CatalogueRow;
use crate::read::DataError;
use crate::schema::Schema;

/// Where an error is, as the two versions are matched on.
#[derive(Hash, PartialEq, Eq)]
enum Place<'a> {
    /// On the catalogue row of this item (its code in matching form).
    Item(&'a str),
    /// On a row not read, whose text the error's value is: the text tells
    /// the row.
    RowText,
    /// Elsewhere (another register's cell, a catalogue row without its
    /// code): at this row exactly.
    Row(u32),
}

/// The item code of each catalogue row by its place (file, sheet, row).
type Codes<'a> = HashMap<(&'a str, Option<&'a str>, u32), String>;

fn codes<'a>(schema: &Schema, rows: &'a [CatalogueRow]) -> Codes<'a> {
    let code = schema
        .dataset_index("catalogue")
        .and_then(|ds| schema.datasets[ds].field_index("code"));
    let mut out = HashMap::new();
    let Some(code) = code else {
        return out;
    };
    for r in rows {
        let c = crate::read::normalize::value(&r.values[code].to_string()).into_owned();
        if !c.is_empty() {
            out.insert((r.file.as_str(), r.sheet.as_deref(), r.row), c);
        }
    }
    out
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

fn identity<'a>(e: &'a DataError, codes: &'a Codes<'_>) -> Identity<'a> {
    let place = match codes.get(&(e.file.as_str(), e.sheet.as_deref(), e.row)) {
        Some(c) => Place::Item(c),
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
/// one item, where it was in one, is one new error). `old_rows` and
/// `new_rows` are the two versions' catalogue rows, which tell an error's
/// item.
pub fn drop_old_errors(
    schema: &Schema,
    after: &mut Vec<DataError>,
    before: &[DataError],
    old_rows: &[CatalogueRow],
    new_rows: &[CatalogueRow],
) {
    let (old_codes, new_codes) = (codes(schema, old_rows), codes(schema, new_rows));
    let mut old: HashMap<_, usize> = HashMap::new();
    for e in before {
        *old.entry(identity(e, &old_codes)).or_default() += 1;
    }
    let keep: Vec<bool> = after
        .iter()
        .map(|e| match old.get_mut(&identity(e, &new_codes)) {
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
