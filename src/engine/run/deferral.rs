//! The field of a streamed dataset whose cells the reader may keep as
//! bytes ([`crate::read::DeferredCells`]): its id, which the shipped
//! policies read only in record rules' messages (and the findings' keys
//! are). The engine makes such a cell a text only for a record it reports
//! ([`Judged::values`]).

use std::borrow::Cow;

use super::{Row, Runner};
use crate::ast::RuleKind;
use crate::ir::{IrExpr, Program};
use crate::read::DeferredCells;
use crate::schema::{FieldType, Schema};
use crate::value::Value;

/// The field of dataset `ds` whose cells may be kept as bytes: its key,
/// when that is one text field that nothing of the program reads but the
/// holes of record rules' messages. Not when any expression of any rule or
/// metric reads it (a condition, a `let`, a group key, a department, a key
/// of the rule's own, a group rule's or metric's message, whose aggregates
/// the records feed as they are judged), and only of a dataset streamed
/// ([`Runner::streamable`]: none looks its records up or takes each key
/// once).
pub fn deferrable_field(program: &Program, schema: &Schema, ds: usize) -> Option<usize> {
    if !Runner::streamable(program, ds) {
        return None;
    }
    let d = schema.datasets.get(ds)?;
    let [key] = d.key.as_slice() else {
        return None;
    };
    let field = d.field_index(key)?;
    if d.fields[field].ty != FieldType::String {
        return None;
    }
    let mut reads = |e: &IrExpr| matches!(e, IrExpr::Field { dataset, field: f, .. } if *dataset == ds && *f == field);
    // (A record rule's message is made from the record, given its kept
    // cell; a group rule's, from aggregates its records feed as they are
    // judged, so its holes read the cell as conditions do.)
    let read = program.rules.iter().any(|r| {
        let record_rule = r.kind == RuleKind::Rule && !r.is_group();
        if record_rule {
            r.judged_exprs().any(|e| e.any(&mut reads))
        } else {
            r.exprs().any(|e| e.any(&mut reads))
        }
    });
    (!read).then_some(field)
}

/// A record judged by a rule: its row, and the chunk's kept cells with
/// the row's place among them, if the reader kept any.
#[derive(Clone, Copy)]
pub(super) struct Judged<'r> {
    pub row: &'r Row,
    pub kept: Option<(&'r DeferredCells, usize)>,
}

impl<'r> Judged<'r> {
    /// The record's values as reading its row whole gives them: with its
    /// kept cell made a text (for a finding's message and key).
    pub fn values(&self) -> Cow<'r, [Value]> {
        let Some((cells, i)) = self.kept else {
            return Cow::Borrowed(&self.row.values);
        };
        let Some(text) = cells.value(i) else {
            return Cow::Borrowed(&self.row.values);
        };
        let mut values = self.row.values.clone();
        if let Some(v) = values.get_mut(cells.field) {
            *v = text;
        }
        Cow::Owned(values)
    }
}
