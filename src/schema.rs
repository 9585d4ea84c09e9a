//! The schema: datasets, fields, types, keys and Chinese aliases
//! (`policies/schema.yaml`, embedded in the binary).
//!
//! The checker resolves names against it; the reader recognises files and
//! parses cells with it. A user's mapping file adds aliases on top.
//!
//! Invariant: dataset and field order is the file's order, so every listing
//! derived from the schema is deterministic.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

/// The schema that ships with yimen.
pub const BUILTIN_SCHEMA: &str = include_str!("../policies/schema.yaml");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    String,
    Int,
    Decimal,
    Bool,
    Date,
    DateTime,
    Enum,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Int => "int",
            FieldType::Decimal => "decimal",
            FieldType::Bool => "bool",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
            FieldType::Enum => "enum",
        }
    }

    fn parse(s: &str) -> Option<FieldType> {
        Some(match s {
            "string" => FieldType::String,
            "int" => FieldType::Int,
            "decimal" => FieldType::Decimal,
            "bool" => FieldType::Bool,
            "date" => FieldType::Date,
            "datetime" => FieldType::DateTime,
            "enum" => FieldType::Enum,
            _ => return None,
        })
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub ty: FieldType,
    /// Header names; the first is the canonical Chinese header.
    pub aliases: Vec<String>,
    /// An enum's labels.
    pub values: Vec<String>,
    /// Raw value → label.
    pub value_aliases: BTreeMap<String, String>,
    /// The value of an empty cell, as text to parse (e.g. `0`).
    pub default: Option<String>,
    pub unit: Option<String>,
    /// A text that says there is nothing (`无`, `暂无`, `没有`) is an empty
    /// cell: a document number or a reason, where such a word is no
    /// content (`不进驻批准文号: 无` is no approval).
    pub none_words: bool,
}

impl Field {
    /// The Chinese header, or the name.
    pub fn header(&self) -> &str {
        self.aliases.first().map_or(&self.name, String::as_str)
    }
}

#[derive(Clone, Debug)]
pub struct Dataset {
    pub name: String,
    pub title: String,
    pub key: Vec<String>,
    pub lookup: Vec<String>,
    pub valid: Option<(String, String)>,
    pub event_date: Option<String>,
    pub streamed: bool,
    /// Made by yimen (`yimen diff`), never read from an export: no file is
    /// matched to it, and it is counted in the summary only when it has records.
    pub derived: bool,
    pub file_patterns: Vec<String>,
    pub required: Vec<String>,
    pub fields: Vec<Field>,
}

impl Dataset {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }

    /// The field a column header names (`受理时间` → `accepted_at`): one of
    /// its aliases, or, for a Chinese word of two characters or more, the
    /// first field with an alias that holds it. Policies name fields, not
    /// headers; this is what a "did you mean" offers a policy author who
    /// wrote the header.
    pub fn field_for_header(&self, text: &str) -> Option<&str> {
        let exact = self
            .fields
            .iter()
            .find(|f| f.aliases.iter().any(|a| a == text));
        exact
            .or_else(|| {
                chinese_word(text).then(|| {
                    self.fields
                        .iter()
                        .find(|f| f.aliases.iter().any(|a| a.contains(text)))
                })?
            })
            .map(|f| f.name.as_str())
    }
}

/// Two characters or more, none of them ASCII.
fn chinese_word(text: &str) -> bool {
    text.chars().count() >= 2 && !text.chars().any(|c| c.is_ascii())
}

#[derive(Clone, Debug)]
pub struct Schema {
    pub datasets: Vec<Dataset>,
}

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("schema {file}: {message}")]
    Yaml { file: String, message: String },
    #[error("schema {file}: dataset `{dataset}`: {message}")]
    Invalid {
        file: String,
        dataset: String,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    datasets: serde_yaml::Mapping,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDataset {
    title: String,
    key: Vec<String>,
    #[serde(default)]
    lookup: Option<Vec<String>>,
    #[serde(default)]
    valid: Option<Vec<String>>,
    #[serde(default)]
    event_date: Option<String>,
    #[serde(default)]
    streamed: bool,
    #[serde(default)]
    derived: bool,
    #[serde(default)]
    file_patterns: Vec<String>,
    #[serde(default)]
    required: Vec<String>,
    fields: serde_yaml::Mapping,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    value_aliases: BTreeMap<String, String>,
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    none_words: bool,
}

impl Schema {
    /// The schema that ships with yimen (parsed once).
    pub fn builtin() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            // The embedded file is tested (tests/schema.rs); failing here is a build defect.
            Schema::from_yaml("policies/schema.yaml", BUILTIN_SCHEMA)
                .unwrap_or_else(|e| panic!("the built-in schema is invalid: {e}"))
        })
    }

    pub fn from_yaml(file: &str, text: &str) -> Result<Schema, SchemaError> {
        let yaml_err = |e: serde_yaml::Error| SchemaError::Yaml {
            file: file.to_string(),
            message: e.to_string(),
        };
        let raw: RawSchema = crate::read::yaml_from_str(text).map_err(yaml_err)?;
        let mut datasets = Vec::new();
        for (name, value) in raw.datasets {
            let name = yaml_key(&name).ok_or_else(|| SchemaError::Yaml {
                file: file.to_string(),
                message: "a dataset name must be a string".into(),
            })?;
            let invalid = |message: String| SchemaError::Invalid {
                file: file.to_string(),
                dataset: name.clone(),
                message,
            };
            let rd: RawDataset =
                serde_yaml::from_value(value).map_err(|e| invalid(e.to_string()))?;
            let mut fields = Vec::new();
            for (fname, fvalue) in rd.fields {
                let fname = yaml_key(&fname)
                    .ok_or_else(|| invalid("a field name must be a string".into()))?;
                let rf: RawField = serde_yaml::from_value(fvalue)
                    .map_err(|e| invalid(format!("field `{fname}`: {e}")))?;
                let ty = FieldType::parse(&rf.ty).ok_or_else(|| {
                    invalid(format!(
                        "field `{fname}`: unknown type `{}` (string, int, decimal, bool, date, datetime or enum)",
                        rf.ty
                    ))
                })?;
                if let Some(u) = &rf.unit {
                    if !matches!(ty, FieldType::Int | FieldType::Decimal)
                        || crate::read::cell::unit_kind(u).is_none()
                    {
                        return Err(invalid(format!(
                            "field `{fname}`: unit `{u}` (a number field's unit: {})",
                            crate::read::cell::unit_marks()
                        )));
                    }
                }
                if ty == FieldType::Enum && rf.values.is_empty() {
                    return Err(invalid(format!("enum field `{fname}` has no values")));
                }
                for label in rf.value_aliases.values() {
                    if ty == FieldType::Enum && !rf.values.contains(label) {
                        return Err(invalid(format!(
                            "field `{fname}`: value alias target `{label}` is not one of its values"
                        )));
                    }
                }
                fields.push(Field {
                    name: fname,
                    ty,
                    aliases: rf.aliases,
                    values: rf.values,
                    value_aliases: rf.value_aliases,
                    default: rf.default,
                    unit: rf.unit,
                    none_words: rf.none_words,
                });
            }
            let ds = Dataset {
                lookup: rd.lookup.unwrap_or_else(|| rd.key.clone()),
                valid: match rd.valid {
                    None => None,
                    Some(v) if v.len() == 2 => Some((v[0].clone(), v[1].clone())),
                    Some(_) => {
                        return Err(invalid("`valid` must name two fields [from, to]".into()))
                    }
                },
                name: name.clone(),
                title: rd.title,
                key: rd.key,
                event_date: rd.event_date,
                streamed: rd.streamed,
                derived: rd.derived,
                file_patterns: rd.file_patterns,
                required: rd.required,
                fields,
            };
            let mut named: Vec<&String> = ds
                .key
                .iter()
                .chain(&ds.lookup)
                .chain(&ds.required)
                .collect();
            named.extend(ds.event_date.iter());
            if let Some((a, b)) = &ds.valid {
                named.push(a);
                named.push(b);
            }
            for n in named {
                if ds.field(n).is_none() {
                    return Err(invalid(format!(
                        "names field `{n}`, which it does not declare"
                    )));
                }
            }
            datasets.push(ds);
        }
        Ok(Schema { datasets })
    }

    pub fn dataset(&self, name: &str) -> Option<&Dataset> {
        self.datasets.iter().find(|d| d.name == name)
    }

    pub fn dataset_index(&self, name: &str) -> Option<usize> {
        self.datasets.iter().position(|d| d.name == name)
    }

    pub fn dataset_names(&self) -> impl Iterator<Item = &str> {
        self.datasets.iter().map(|d| d.name.as_str())
    }

    /// The dataset a Chinese name means (`办件记录`, `办件` → `cases`): its
    /// title, a word of its title, or a word its file patterns look for
    /// (`*收费*`) held in the name. Derived datasets (made by yimen) are
    /// offered only for their exact title.
    pub fn dataset_for_title(&self, text: &str) -> Option<&str> {
        if let Some(d) = self.datasets.iter().find(|d| d.title == text) {
            return Some(&d.name);
        }
        if !chinese_word(text) {
            return None;
        }
        let exported = || self.datasets.iter().filter(|d| !d.derived);
        exported()
            .find(|d| d.title.contains(text))
            .or_else(|| {
                exported().find(|d| {
                    d.file_patterns.iter().any(|p| {
                        let word = p.trim_matches('*');
                        chinese_word(word) && text.contains(word)
                    })
                })
            })
            .map(|d| d.name.as_str())
    }
}

fn yaml_key(v: &serde_yaml::Value) -> Option<String> {
    v.as_str().map(str::to_string)
}
