//! YAML (`.yaml`, `.yml`) and JSON (`.json`) files, read whole (small
//! datasets): either a list of records, or a mapping whose keys hold lists
//! of records (`catalogue: [...]`, `units: [...]`), each key read as a table
//! like a sheet (a key that names a dataset decides the dataset). Row
//! numbers are the 1-based positions of the records in their list.

use std::path::Path;
use std::sync::Arc;

use calamine::Data;

use super::chunk::{CellRow, Chunk, Emitter, Rows, TablePlan};
use super::encoding::TextEncoding;
use super::{ReadError, SourceFile};

/// One list of records in a YAML file.
pub(crate) struct YamlTable {
    /// The key holding the list (None for a top-level list).
    pub key: Option<String>,
    /// Keys of the records in order of first appearance.
    pub columns: Vec<String>,
    pub rows: Vec<CellRow>,
}

fn scalar_text(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn cell(v: &serde_yaml::Value) -> Data {
    match v {
        serde_yaml::Value::Null => Data::Empty,
        serde_yaml::Value::Bool(b) => Data::Bool(*b),
        // (An integer past i64, as its digits: a double would round it.)
        serde_yaml::Value::Number(n) if n.is_u64() && n.as_i64().is_none() => {
            Data::String(n.to_string())
        }
        serde_yaml::Value::Number(n) => n
            .as_i64()
            .map(Data::Int)
            .or_else(|| n.as_f64().map(Data::Float))
            .unwrap_or_else(|| Data::String(n.to_string())),
        serde_yaml::Value::String(s) => Data::String(s.clone()),
        serde_yaml::Value::Tagged(t) => cell(&t.value),
        other => Data::String(
            serde_yaml::to_string(other)
                .unwrap_or_default()
                .trim()
                .to_string(),
        ),
    }
}

/// A list of records as a table: `None` unless most items are mappings
/// (then it is no table of records). An item that is not a mapping is a
/// bad row of the table, reported, not a reason to drop the others.
fn table(key: Option<String>, items: &[serde_yaml::Value]) -> Option<YamlTable> {
    let mut columns: Vec<String> = Vec::new();
    let mut maps = Vec::new();
    for it in items {
        let m = it.as_mapping();
        for k in m.into_iter().flat_map(serde_yaml::Mapping::keys) {
            let k = scalar_text(k)?;
            if !columns.contains(&k) {
                columns.push(k);
            }
        }
        maps.push(m);
    }
    let mappings = maps.iter().filter(|m| m.is_some()).count();
    if mappings == 0 || mappings * 2 < maps.len() {
        return None;
    }
    let rows = maps
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut cells = vec![Data::Empty; columns.len()];
            for (k, v) in m.iter().flat_map(|m| m.iter()) {
                if let Some(c) = scalar_text(k).and_then(|k| columns.iter().position(|x| *x == k)) {
                    cells[c] = cell(v);
                }
            }
            CellRow {
                row: i as u32 + 1,
                cells,
                unreadable: m.is_none().then(|| {
                    format!(
                        "第 {} 项不是一条记录(键: 值), 是 {:?};已跳过此项",
                        i + 1,
                        serde_yaml::to_string(&items[i]).unwrap_or_default().trim()
                    )
                }),
            }
        })
        .collect();
    Some(YamlTable { key, columns, rows })
}

/// Loads the tables of a YAML or JSON file. `Ok(None)`: no content.
pub(crate) fn load(
    path: &Path,
    rel: &str,
    forced: Option<TextEncoding>,
) -> Result<Option<(TextEncoding, Vec<YamlTable>)>, ReadError> {
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io {
        file: rel.to_string(),
        message: e.to_string(),
    })?;
    let enc = match forced {
        Some(e) => e,
        None => super::encoding::detect(&bytes, true).map_err(|_| ReadError::UnknownEncoding {
            file: rel.to_string(),
            detail: "不是 UTF-8 或 GBK 文本".into(),
        })?,
    };
    let text = enc.decode_lossy(&bytes);
    if text.trim().is_empty() {
        return Ok(None);
    }
    let Lenient(doc) = serde_yaml::from_str(&text).map_err(|e| ReadError::Unreadable {
        file: rel.to_string(),
        reason: format!("YAML/JSON 语法错误: {e}"),
    })?;
    let mut tables = Vec::new();
    match &doc {
        serde_yaml::Value::Sequence(items) => tables.extend(table(None, items)),
        serde_yaml::Value::Mapping(m) => {
            for (k, v) in m {
                if let (Some(k), serde_yaml::Value::Sequence(items)) = (scalar_text(k), v) {
                    tables.extend(table(Some(k), items));
                }
            }
        }
        _ => {}
    }
    Ok(Some((enc, tables)))
}

/// A YAML document as `serde_yaml::Value`, except that an integer too big
/// for 64 bits (`20250301000000123456`, an id or a code written without
/// quotes) is kept as its text: `serde_yaml::Value` refuses it, which made
/// the whole file unreadable for one cell.
struct Lenient(serde_yaml::Value);

impl<'de> serde::Deserialize<'de> for Lenient {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor).map(Lenient)
    }
}

struct LenientVisitor;

impl<'de> serde::de::Visitor<'de> for LenientVisitor {
    type Value = serde_yaml::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Self::Value, E> {
        Ok(serde_yaml::Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
        Ok(serde_yaml::Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
        Ok(serde_yaml::Value::Number(n.into()))
    }

    fn visit_i128<E>(self, n: i128) -> Result<Self::Value, E> {
        Ok(serde_yaml::Value::String(n.to_string()))
    }

    fn visit_u128<E>(self, n: u128) -> Result<Self::Value, E> {
        Ok(serde_yaml::Value::String(n.to_string()))
    }

    fn visit_f64<E>(self, x: f64) -> Result<Self::Value, E> {
        Ok(serde_yaml::Value::Number(x.into()))
    }

    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(serde_yaml::Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(serde_yaml::Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_yaml::Value::Null)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_yaml::Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(LenientVisitor)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Lenient(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(serde_yaml::Value::Sequence(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut m = serde_yaml::Mapping::new();
        while let Some((Lenient(k), Lenient(v))) = map.next_entry()? {
            m.insert(k, v);
        }
        Ok(serde_yaml::Value::Mapping(m))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        use serde::de::VariantAccess;
        let (tag, contents): (String, _) = data.variant()?;
        let Lenient(value) = contents.newtype_variant()?;
        Ok(serde_yaml::Value::Tagged(Box::new(
            serde_yaml::value::TaggedValue {
                tag: serde_yaml::value::Tag::new(tag),
                value,
            },
        )))
    }
}

pub(crate) fn stream(
    source: &SourceFile,
    plan: &Arc<TablePlan>,
    chunk_rows: usize,
    f: &mut dyn FnMut(Chunk) -> Result<(), ReadError>,
) -> Result<u64, ReadError> {
    let tables = load(&source.path, &source.rel, source.encoding)?
        .map(|(_, t)| t)
        .unwrap_or_default();
    let Some(t) = tables.into_iter().find(|t| t.key == source.sheet) else {
        return Err(ReadError::Unreadable {
            file: source.rel.clone(),
            reason: "文件在读取期间发生了变化".into(),
        });
    };
    // Records are laid out by the columns of discovery: same file, same order.
    let total = t.rows.len() as u64;
    let mut out = Emitter::new(plan, f);
    let mut rows = t.rows;
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(chunk_rows));
        out.emit(Rows::Cells(rows))?;
        rows = rest;
    }
    Ok(total)
}
