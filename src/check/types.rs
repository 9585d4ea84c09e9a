//! The types of policy expressions.

use std::fmt;

use crate::schema::{FieldType, Schema};

#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Bool,
    Int,
    Decimal,
    Str,
    /// An enum field's values (dataset index, field index): a string whose
    /// values the checker knows.
    Enum(usize, usize),
    Date,
    DateTime,
    List(Box<Type>),
    Map(Box<Type>, Box<Type>),
    /// A record of a dataset (the ranged record or a lookup's result, which
    /// may be none).
    Record(usize),
    /// The literal `none`: fits anywhere.
    Null,
    /// After an error: fits anywhere, so that one mistake is reported once.
    Error,
}

impl Type {
    pub fn of_field(schema: &Schema, dataset: usize, field: usize) -> Type {
        match schema.datasets[dataset].fields[field].ty {
            FieldType::String => Type::Str,
            FieldType::Int => Type::Int,
            FieldType::Decimal => Type::Decimal,
            FieldType::Bool => Type::Bool,
            FieldType::Date => Type::Date,
            FieldType::DateTime => Type::DateTime,
            FieldType::Enum => Type::Enum(dataset, field),
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Decimal | Type::Null | Type::Error)
    }

    pub fn is_stringy(&self) -> bool {
        matches!(self, Type::Str | Type::Enum(..))
    }

    /// A list, a map or a record: no single value, so neither compared
    /// nor shown in a message.
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Map(..) | Type::Record(_))
    }

    fn lenient(&self) -> bool {
        matches!(self, Type::Null | Type::Error)
    }

    /// Can values of the two types be compared with `==`, `<`, `in` …?
    pub fn comparable(&self, other: &Type) -> bool {
        if self.lenient() || other.lenient() {
            return true;
        }
        match (self, other) {
            (a, b) if a.is_numeric() && b.is_numeric() => true,
            (a, b) if a.is_stringy() && b.is_stringy() => true,
            (Type::Bool, Type::Bool)
            | (Type::Date, Type::Date)
            | (Type::DateTime, Type::DateTime) => true,
            // Lists, maps and records are no single values: `[1] == [1]`
            // would be undetermined on every record.
            _ => false,
        }
    }

    /// Is a value of type `self` acceptable where `want` is expected?
    pub fn fits(&self, want: &Type) -> bool {
        if self.lenient() || want.lenient() {
            return true;
        }
        match (self, want) {
            (Type::Int, Type::Decimal) => true,
            (a, b) if a.is_stringy() && b.is_stringy() => true,
            (Type::List(a), Type::List(b)) => a.fits(b),
            (Type::Map(ak, av), Type::Map(bk, bv)) => ak.fits(bk) && av.fits(bv),
            (a, b) => a == b,
        }
    }

    /// The common type of two branches (`if … then a else b`).
    pub fn join(&self, other: &Type) -> Option<Type> {
        if self.lenient() {
            return Some(other.clone());
        }
        if other.lenient() {
            return Some(self.clone());
        }
        if self == other {
            return Some(self.clone());
        }
        match (self, other) {
            (a, b) if a.is_numeric() && b.is_numeric() => Some(Type::Decimal),
            (a, b) if a.is_stringy() && b.is_stringy() => Some(Type::Str),
            _ => None,
        }
    }

    pub fn display<'a>(&'a self, schema: &'a Schema) -> TypeDisplay<'a> {
        TypeDisplay { ty: self, schema }
    }
}

pub struct TypeDisplay<'a> {
    ty: &'a Type,
    schema: &'a Schema,
}

impl fmt::Display for TypeDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ty {
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Decimal => f.write_str("decimal"),
            Type::Str => f.write_str("string"),
            Type::Enum(d, fi) => {
                let ds = &self.schema.datasets[*d];
                write!(f, "string (enum {}.{})", ds.name, ds.fields[*fi].name)
            }
            Type::Date => f.write_str("date"),
            Type::DateTime => f.write_str("datetime"),
            Type::List(t) => write!(f, "list<{}>", t.display(self.schema)),
            Type::Map(k, v) => write!(
                f,
                "map<{}, {}>",
                k.display(self.schema),
                v.display(self.schema)
            ),
            Type::Record(d) => write!(f, "a {} record", self.schema.datasets[*d].name),
            Type::Null => f.write_str("none"),
            Type::Error => f.write_str("(error)"),
        }
    }
}
