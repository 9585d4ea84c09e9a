//! YAML (`.yaml`, `.yml`) and JSON (`.json`) files, read whole (small
//! datasets): either a list of records, or a mapping whose keys hold lists
//! of records (`catalogue: [...]`, `units: [...]`), each key read as a table
//! like a sheet (a key that names a dataset decides the dataset). Row
//! numbers are the 1-based positions of the records in their list.
//!
//! The file is read into [`Node`]s, not `serde_yaml::Value`: a mapping keeps
//! a key written twice (the value `serde_yaml` would keep silently is the
//! last), and a number keeps its text as written (`0x1F`, `1.10`), for a
//! text field to keep it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use calamine::Data;

use super::chunk::{CellRow, Chunk, Emitter, OddCell, Rows, TablePlan};
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

/// A YAML node as read.
#[derive(Clone, Debug)]
enum Node {
    Null,
    Bool(bool),
    /// A number: its cell (an integer past 64 bits as its digits), and its
    /// text as written when a second reading gave it (see [`raw_numbers`]).
    Number(Data, Option<String>),
    Str(String),
    Seq(Vec<Node>),
    /// Every key in the order written, a repeated one included.
    Map(Vec<(Node, Node)>),
    /// A value with a tag (`!Tag x`): read as its value.
    Tagged(Box<Node>),
}

impl Node {
    /// A list or a mapping: no value of one field. Its kind, in words.
    fn compound(&self) -> Option<&'static str> {
        match self {
            Node::Seq(_) => Some("列表 (数组)"),
            Node::Map(_) => Some("映射 (对象)"),
            Node::Tagged(t) => t.compound(),
            _ => None,
        }
    }

    /// The node as one line of text, as a key, a message or a data error
    /// shows it (a list and a mapping in flow style).
    fn text(&self) -> String {
        match self {
            Node::Null => "~".to_string(),
            Node::Bool(b) => b.to_string(),
            Node::Number(d, text) => text.clone().unwrap_or_else(|| super::cell::data_text(d)),
            Node::Str(s) => s.clone(),
            Node::Seq(items) => {
                let items: Vec<String> = items.iter().map(Node::text).collect();
                format!("[{}]", items.join(", "))
            }
            Node::Map(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.text(), v.text()))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
            Node::Tagged(t) => t.text(),
        }
    }

    /// The node as a cell (a list or a mapping as its text: [`Node::compound`]
    /// says it is none).
    fn cell(&self) -> Data {
        match self {
            Node::Null => Data::Empty,
            Node::Bool(b) => Data::Bool(*b),
            // A number is read as written, as JSON Lines reads it: an
            // integer as one, a double that prints as written (or in
            // exponent form) as that double, any other (`0x1F`, `0o17`,
            // `+12`, `1.10`) as its text, which a text field keeps and a
            // number field parses (`0x1F` is no amount: a data error).
            Node::Number(d, Some(text)) => match d {
                Data::Int(i) if i.to_string() == *text => d.clone(),
                Data::Float(x)
                    if !x.is_finite() || x.to_string() == *text || text.contains(['e', 'E']) =>
                {
                    d.clone()
                }
                _ => Data::String(text.clone()),
            },
            Node::Number(d, None) => d.clone(),
            Node::Str(s) => Data::String(s.clone()),
            Node::Tagged(t) => t.cell(),
            Node::Seq(_) | Node::Map(_) => Data::String(self.text()),
        }
    }

    /// A float anywhere in the node: its text may differ from the double's.
    fn has_float(&self) -> bool {
        match self {
            Node::Number(Data::Float(_), _) => true,
            Node::Seq(items) => items.iter().any(Node::has_float),
            Node::Map(entries) => entries.iter().any(|(k, v)| k.has_float() || v.has_float()),
            Node::Tagged(t) => t.has_float(),
            _ => false,
        }
    }
}

/// A list of records as a table: `None` when no item is a mapping (then it
/// is no table of records). An item that is not a mapping is a bad row of
/// the table, reported, not a reason to drop the others. A key that is not
/// text (`1`, `~`, `[a]`) is read as its text, a column of no field unless
/// it names one. A key written twice in one record keeps both values: the
/// first is read, another is reported as a second value of the field.
///
/// A record's row is the line its item starts on (`lines`, see
/// [`super::yaml_lines`]), else its position in the list.
fn table(key: Option<String>, items: &[Node], lines: Option<&[u32]>) -> Option<YamlTable> {
    if !items.iter().any(|it| matches!(it, Node::Map(_))) {
        return None;
    }
    let mut columns: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for it in items {
        if let Node::Map(entries) = it {
            for (k, _) in entries {
                let k = k.text();
                if !index.contains_key(&k) {
                    index.insert(k.clone(), columns.len());
                    columns.push(k);
                }
            }
        }
    }
    let rows = items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let row = lines
                .and_then(|l| l.get(i).copied())
                .unwrap_or_else(|| u32::try_from(i + 1).unwrap_or(u32::MAX));
            let Node::Map(entries) = it else {
                return CellRow {
                    row,
                    cells: vec![Data::Empty; columns.len()],
                    unreadable: Some(format!(
                        "第 {} 项不是一条记录(键: 值), 是 {:?};已跳过此项",
                        i + 1,
                        it.text()
                    )),
                    odd: Vec::new(),
                };
            };
            let mut cells = vec![Data::Empty; columns.len()];
            let mut seen = vec![false; columns.len()];
            let mut odd = Vec::new();
            for (k, v) in entries {
                let Some(&c) = index.get(&k.text()) else {
                    continue;
                };
                let compound = v.compound();
                if seen[c] {
                    odd.push((c, OddCell::Repeat(v.cell(), compound)));
                    continue;
                }
                seen[c] = true;
                cells[c] = v.cell();
                if let Some(kind) = compound {
                    odd.push((c, OddCell::Compound(kind)));
                }
            }
            CellRow {
                row,
                cells,
                unreadable: None,
                odd,
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
    let bytes = std::fs::read(path).map_err(ReadError::io(rel))?;
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
    // (Nested too deeply, it is refused at once: see `bounded_yaml`.)
    let Lenient(mut doc) =
        serde_yaml::from_str(&super::bounded_yaml(&text)).map_err(|e| ReadError::Unreadable {
            file: rel.to_string(),
            reason: format!("YAML/JSON 语法错误: {e}"),
        })?;
    if doc.has_float() || may_hide_digits(&text) {
        raw_numbers(&text, &mut doc);
    }
    let mut tables: Vec<YamlTable> = Vec::new();
    match &doc {
        Node::Seq(items) => tables.extend(table(
            None,
            items,
            super::yaml_lines::item_lines(&text, None, items.len()).as_deref(),
        )),
        Node::Map(entries) => {
            for (k, v) in entries {
                if let Node::Seq(items) = v {
                    let key = k.text();
                    if tables
                        .iter()
                        .any(|t| t.key.as_deref() == Some(key.as_str()))
                    {
                        return Err(ReadError::Unreadable {
                            file: rel.to_string(),
                            reason: format!(
                                "顶层的键「{key}」出现了不止一次, 无法确定读哪一个列表"
                            ),
                        });
                    }
                    let lines = super::yaml_lines::item_lines(&text, Some(&key), items.len());
                    tables.extend(table(Some(key), items, lines.as_deref()));
                }
            }
        }
        _ => {}
    }
    Ok(Some((enc, tables)))
}

/// The text may hold a number whose digits its value does not show: a
/// plain scalar starting `0x`, `0o`, `0b`, `+` or `-0` (`0x1F` is read as
/// 31). Decimal integers print as written.
fn may_hide_digits(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len()).any(|i| {
        let starts = |p: &[u8]| b[i..].starts_with(p);
        (starts(b"0x") || starts(b"0o") || starts(b"0b") || starts(b"+") || starts(b"-0"))
            && (i == 0
                || matches!(
                    b[i - 1],
                    b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',' | b':'
                ))
    })
}

/// Reads `text` a second time along the nodes of the first reading, each
/// number's scalar as a string: its text as written. (`serde_yaml` gives a
/// number's value only; a string's reading of the same scalar gives its
/// text.) A reading that does not follow the first leaves the numbers it
/// did not reach as they are.
fn raw_numbers(text: &str, doc: &mut Node) {
    let de = serde_yaml::Deserializer::from_str(text);
    let _ = serde::de::DeserializeSeed::deserialize(Guided(doc), de);
}

/// One node of the second reading (see [`raw_numbers`]).
struct Guided<'a>(&'a mut Node);

impl<'de> serde::de::DeserializeSeed<'de> for Guided<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        match self.0 {
            Node::Number(_, text) => {
                *text = Some(d.deserialize_str(RawText)?);
                Ok(())
            }
            Node::Seq(items) => d.deserialize_seq(GuidedSeq(items)),
            Node::Map(entries) => d.deserialize_map(GuidedMap(entries)),
            Node::Tagged(inner) => d.deserialize_any(GuidedTag(inner)),
            _ => d.deserialize_ignored_any(serde::de::IgnoredAny).map(drop),
        }
    }
}

/// A scalar's text.
struct RawText;

impl serde::de::Visitor<'_> for RawText {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a scalar")
    }

    fn visit_str<E>(self, s: &str) -> Result<String, E> {
        Ok(s.to_string())
    }
}

struct GuidedSeq<'a>(&'a mut [Node]);

impl<'de> serde::de::Visitor<'de> for GuidedSeq<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for item in self.0 {
            if seq.next_element_seed(Guided(item))?.is_none() {
                return Err(serde::de::Error::custom("sequence changed"));
            }
        }
        Ok(())
    }
}

struct GuidedMap<'a>(&'a mut [(Node, Node)]);

impl<'de> serde::de::Visitor<'de> for GuidedMap<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a mapping")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        for (k, v) in self.0 {
            if map.next_key_seed(Guided(k))?.is_none() {
                return Err(serde::de::Error::custom("mapping changed"));
            }
            map.next_value_seed(Guided(v))?;
        }
        Ok(())
    }
}

struct GuidedTag<'a>(&'a mut Node);

impl<'de> serde::de::Visitor<'de> for GuidedTag<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a tagged value")
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        use serde::de::VariantAccess;
        let (serde::de::IgnoredAny, contents) = data.variant()?;
        contents.newtype_variant_seed(Guided(self.0))
    }
}

/// A YAML document as [`Node`]s. An integer too big for 64 bits
/// (`20250301000000123456`, an id or a code written without quotes) is
/// kept as its digits (`serde_yaml::Value` refuses it, which made the whole
/// file unreadable for one cell).
struct Lenient(Node);

impl<'de> serde::Deserialize<'de> for Lenient {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor).map(Lenient)
    }
}

struct LenientVisitor;

impl<'de> serde::de::Visitor<'de> for LenientVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
        Ok(Node::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Node, E> {
        Ok(Node::Number(Data::Int(n), None))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Node, E> {
        // (An integer past i64, as its digits: a double would round it.)
        Ok(Node::Number(
            i64::try_from(n).map_or_else(|_| Data::String(n.to_string()), Data::Int),
            None,
        ))
    }

    fn visit_i128<E>(self, n: i128) -> Result<Node, E> {
        Ok(Node::Number(Data::String(n.to_string()), None))
    }

    fn visit_u128<E>(self, n: u128) -> Result<Node, E> {
        Ok(Node::Number(Data::String(n.to_string()), None))
    }

    fn visit_f64<E>(self, x: f64) -> Result<Node, E> {
        Ok(Node::Number(Data::Float(x), None))
    }

    fn visit_str<E>(self, s: &str) -> Result<Node, E> {
        Ok(Node::Str(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Node, E> {
        Ok(Node::Str(s))
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(LenientVisitor)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(Lenient(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((Lenient(k), Lenient(v))) = map.next_entry()? {
            entries.push((k, v));
        }
        Ok(Node::Map(entries))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Node, A::Error> {
        use serde::de::VariantAccess;
        let (serde::de::IgnoredAny, contents) = data.variant()?;
        let Lenient(value) = contents.newtype_variant()?;
        Ok(Node::Tagged(Box::new(value)))
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
