//! The catalogue change set (`yimen diff`): two versions of the item
//! catalogue compared item by item (by code, each code's first row), as
//! records of the `catalogue_changes` dataset that policies range over.

mod approvals;
mod errors;
mod repo_path;
mod revision;

pub use approvals::{change_ids, ChangeIds};
pub use errors::{drop_old_errors, row_keys, RowKeys};
pub use revision::{checkout_revision, repository_prefix, Checkout};

use crate::engine::{Data, Row};
use crate::schema::Schema;
use crate::value::Value;

/// One catalogue row with its place.
#[derive(Clone, Debug)]
pub struct CatalogueRow {
    pub file: String,
    pub sheet: Option<String>,
    pub row: u32,
    pub values: Vec<Value>,
}

/// The catalogue rows held in `data` (as an audit read them), in file order.
pub fn catalogue_rows(schema: &Schema, data: &Data) -> Vec<CatalogueRow> {
    let Some(ds) = schema.dataset_index("catalogue") else {
        return Vec::new();
    };
    data.tables[ds]
        .iter()
        .map(|r| {
            let f = &data.files[r.file as usize];
            CatalogueRow {
                file: f.path.to_string(),
                sheet: f.sheet.as_deref().map(str::to_string),
                row: r.row,
                values: r.values.clone(),
            }
        })
        .collect()
}

/// Each code's rows (its first row first), by the code's matching form
/// (`Ａ１` is item `A1`, as an audit matches it: a code retyped in full
/// width is the same item, neither removed nor added), in the order of
/// their first rows.
fn by_code(rows: &[CatalogueRow], code: usize) -> Vec<(String, Vec<&CatalogueRow>)> {
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut out: Vec<(String, Vec<&CatalogueRow>)> = Vec::new();
    for r in rows {
        let c = crate::read::normalize::value(&r.values[code].to_string()).into_owned();
        if c.is_empty() {
            continue;
        }
        if let Some(&i) = at.get(&c) {
            out[i].1.push(r);
        } else {
            at.insert(c.clone(), out.len());
            out.push((c, vec![r]));
        }
    }
    out
}

/// The rows of a code listed more than once hold the same items in both
/// versions, whatever their order: each new row is, one to one, an old row.
fn same_rows(old: &[&CatalogueRow], new: &[&CatalogueRow]) -> bool {
    if old.len() != new.len() {
        return false;
    }
    let mut taken = vec![false; old.len()];
    new.iter().all(|n| {
        let found = (0..old.len()).find(|&i| !taken[i] && same_item(&old[i].values, &n.values));
        found.map(|i| taken[i] = true).is_some()
    })
}

/// Add the change records between `old` and the catalogue in `data`, as the
/// `catalogue_changes` dataset. Removed items are placed at their old row
/// (the file name prefixed with `旧版:`).
/// `old_change_ids` are the ids of the old version's changes register (a
/// record among them is not of this change).
pub fn inject_changes(
    schema: &Schema,
    old: &[CatalogueRow],
    old_change_ids: &ChangeIds,
    data: &mut Data,
) {
    let new = &catalogue_rows(schema, data);
    let (Some(cat_i), Some(ch_i)) = (
        schema.dataset_index("catalogue"),
        schema.dataset_index("catalogue_changes"),
    ) else {
        return;
    };
    let cat = &schema.datasets[cat_i];
    let ch = &schema.datasets[ch_i];
    let Some(code_f) = cat.field_index("code") else {
        return;
    };
    let old_by = by_code(old, code_f);
    let new_by = by_code(new, code_f);
    let approvals = approvals::Approvals::of(schema, data, old_change_ids);
    let field = |row: Option<&CatalogueRow>, name: &str| -> Value {
        match (row, cat.field_index(name)) {
            (Some(r), Some(f)) => r.values[f].clone(),
            _ => Value::Empty,
        }
    };
    let mut push = |kind: &str,
                    before: Option<&CatalogueRow>,
                    after: Option<&CatalogueRow>,
                    place: &CatalogueRow,
                    old_side: bool| {
        let values: Vec<Value> = ch
            .fields
            .iter()
            .map(|f| match f.name.as_str() {
                "change_kind" => Value::str(kind),
                "register_approval_ref" => approvals.of_code(&field(after.or(before), "code")),
                n if n.starts_with("before_") => field(before, &n["before_".len()..]),
                n => field(after.or(before), n),
            })
            .collect();
        let path = if old_side {
            format!("旧版:{}", place.file)
        } else {
            place.file.clone()
        };
        let file = data.add_file(&path, place.sheet.as_deref());
        data.push(
            ch_i,
            Row {
                file,
                row: place.row,
                values,
            },
        );
    };
    // (Looked up by code, not searched: a catalogue has thousands of items.)
    let old_of: std::collections::HashMap<&str, &Vec<&CatalogueRow>> =
        old_by.iter().map(|(c, r)| (c.as_str(), r)).collect();
    let new_of: std::collections::HashSet<&str> = new_by.iter().map(|(c, _)| c.as_str()).collect();
    for (code, ns) in &new_by {
        let n = ns[0];
        match old_of.get(code.as_str()) {
            None => push("新增", None, Some(n), n, false),
            // A code listed twice whose rows only changed places (or
            // order within the code) is unchanged: its first row alone
            // made a withdrawal of `A1 是, A1 否` swapped.
            Some(os) if ns.len() > 1 && same_rows(os, ns) => {}
            Some(os) if !same_item(&os[0].values, &n.values) => {
                push("修改", Some(os[0]), Some(n), n, false);
            }
            Some(_) => {}
        }
    }
    for (code, os) in &old_by {
        if !new_of.contains(code.as_str()) {
            push("删除", Some(os[0]), None, os[0], true);
        }
    }
}

/// The same item in both versions: every field equal (a text in its
/// matching form: `民政局（本级）` retyped `民政局(本级)` changes nothing), a
/// value that is not known on one side (its column absent from that
/// version's file, or unreadable) counting as equal to an empty one, so that
/// adding an empty column to the export changes no item.
fn same_item(old: &[Value], new: &[Value]) -> bool {
    let same_text = |a: &Value, b: &Value| match (a, b) {
        (Value::Str(a), Value::Str(b)) => {
            crate::read::normalize::value(a) == crate::read::normalize::value(b)
        }
        _ => false,
    };
    old.len() == new.len()
        && old
            .iter()
            .zip(new)
            .all(|(a, b)| a == b || same_text(a, b) || (a.is_missing() && b.is_missing()))
}

/// A finding's rule code and key in their matching form: an old finding
/// keyed `A1` is the new one keyed `Ａ１` (a duplicated code reported under
/// whichever row came first).
pub fn matching_key(code: &str, key: &[String]) -> (String, Vec<String>) {
    (
        code.to_string(),
        key.iter()
            .map(|k| crate::read::normalize::value(k).into_owned())
            .collect(),
    )
}
