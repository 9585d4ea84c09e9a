//! The approvals a change files in the 目录调整记录 (the changes register)
//! for the items it withdraws from the centre: `register_approval_ref` of
//! `catalogue_changes`, which D001 reads beside the catalogue's
//! 不进驻批准文号.

use std::collections::{HashMap, HashSet};

use crate::engine::index::{unread_keys, Key};
use crate::engine::{Absence, Data};
use crate::schema::Schema;
use crate::value::Value;

/// The change type of a withdrawal from the centre.
const WITHDRAWAL: &str = "撤出中心";

fn matching(text: &str) -> String {
    crate::read::normalize::value(text).into_owned()
}

/// What a changes register held before the change, to tell the records
/// the change added: the ids (in matching form), and, counted, the records
/// without an id (by their content) and the rows that could not be read (by
/// their texts).
#[derive(Debug, Default)]
pub struct ChangeIds {
    ids: HashSet<String>,
    without_id: HashMap<String, usize>,
    unread: HashMap<String, usize>,
}

/// A record without an id, by its content in matching form.
fn content(values: &[Value]) -> String {
    values
        .iter()
        .map(|v| matching(&v.to_string()))
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// A row that could not be read, by its texts.
fn texts(t: &[String]) -> String {
    t.join("\u{1f}")
}

/// Take one of `key` from `counts`, if any is left.
fn take(counts: &mut HashMap<String, usize>, key: &str) -> bool {
    match counts.get_mut(key) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    }
}

/// What the changes register held in `data` holds.
pub fn change_ids(schema: &Schema, data: &Data) -> ChangeIds {
    let mut out = ChangeIds::default();
    let Some(ds) = schema.dataset_index("changes") else {
        return out;
    };
    let Some(id) = schema.datasets[ds].field_index("id") else {
        return out;
    };
    for r in &data.tables[ds] {
        if r.values[id].is_missing() {
            *out.without_id.entry(content(&r.values)).or_default() += 1;
        } else {
            out.ids.insert(matching(&r.values[id].to_string()));
        }
    }
    for u in data.unread[ds].iter().filter(|u| u.row.is_some()) {
        *out.unread.entry(texts(&u.texts)).or_default() += 1;
    }
    out
}

/// Each item's approval filed with this change, and the items whose
/// approval is unknown.
#[derive(Default)]
pub(super) struct Approvals {
    /// The 批准文号 of the item's first 撤出中心 record of the change that
    /// has one.
    by_code: HashMap<String, Value>,
    /// Items a record of which could not be read (its type or approval
    /// unreadable, or a row not read that may name the item).
    unknown: HashSet<String>,
    /// A file of the register could not be read: any item's record may be
    /// in it.
    all_unknown: bool,
}

impl Approvals {
    /// The approvals of the changes register held in `data`, leaving out
    /// the records whose id is among `old_ids` (filed before the change).
    pub(super) fn of(schema: &Schema, data: &Data, old: &ChangeIds) -> Approvals {
        let mut out = Approvals::default();
        let Some(ds) = schema.dataset_index("changes") else {
            return out;
        };
        let d = &schema.datasets[ds];
        let (Some(id), Some(code), Some(kind), Some(approval)) = (
            d.field_index("id"),
            d.field_index("item_code"),
            d.field_index("change_type"),
            d.field_index("approval_ref"),
        ) else {
            return out;
        };
        out.all_unknown = matches!(
            data.absence[ds],
            Some(Absence::Unreadable | Absence::MaybeUnreadable)
        );
        let mut without_id = old.without_id.clone();
        let mut unread = old.unread.clone();
        let withdrawal = Value::str(WITHDRAWAL);
        for r in &data.tables[ds] {
            let (c, k, a) = (&r.values[code], &r.values[kind], &r.values[approval]);
            let may_withdraw = *k == withdrawal || *k == Value::Invalid;
            // A record whose id or item code could not be read (a cell of
            // another encoding, a NUL) may be a withdrawal of any item, or
            // one filed before the change: its approval is unknown, never
            // this change's or none.
            if (may_withdraw && matches!(r.values[id], Value::Invalid)) || *c == Value::Invalid {
                if *c == Value::Invalid {
                    out.all_unknown |= may_withdraw;
                } else if !c.is_missing() {
                    out.unknown.insert(matching(&c.to_string()));
                }
                continue;
            }
            // A record the register held before is not of this change.
            let earlier = if r.values[id].is_missing() {
                take(&mut without_id, &content(&r.values))
            } else {
                old.ids.contains(&matching(&r.values[id].to_string()))
            };
            if c.is_missing() || earlier {
                continue;
            }
            let c = matching(&c.to_string());
            match a {
                Value::Empty => {}
                Value::Invalid if may_withdraw => {
                    out.unknown.insert(c);
                }
                _ if *k == withdrawal => {
                    out.by_code.entry(c).or_insert_with(|| a.clone());
                }
                _ if may_withdraw => {
                    out.unknown.insert(c);
                }
                _ => {}
            }
        }
        for u in &data.unread[ds] {
            if u.row.is_none() {
                out.all_unknown = true;
                continue;
            }
            // (A row the old register could not read either is not of
            // this change.)
            if take(&mut unread, &texts(&u.texts)) {
                continue;
            }
            for key in unread_keys(&u.texts) {
                if let Key::Str(s) = key {
                    out.unknown.insert(s.to_string());
                }
            }
        }
        out
    }

    /// The approval of the item with code `code`: its 批准文号, `Invalid`
    /// when a record of the change that may hold one could not be read,
    /// `Empty` when none does.
    pub(super) fn of_code(&self, code: &Value) -> Value {
        let code = matching(&code.to_string());
        match self.by_code.get(&code) {
            Some(v) => v.clone(),
            None if self.all_unknown || self.unknown.contains(&code) => Value::Invalid,
            None => Value::Empty,
        }
    }
}
