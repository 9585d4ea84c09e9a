//! Chunks of raw rows and their parsing.
//!
//! A reader fills a [`Chunk`] with raw rows (CSV cells as bytes in one flat
//! buffer, JSON lines, or spreadsheet cells) and hands it on; [`parse_chunk`]
//! turns it into records and data errors. Parsing is a pure function of the
//! chunk, so chunks can be parsed on rayon workers in any order and merged
//! by `Chunk::index`.
//!
//! Invariant: a chunk owns everything it needs (the table plan is shared
//! through an `Arc`), so memory is bounded by the chunks in flight.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use calamine::Data;

use super::bytemask;
use super::cell::{data_text, BadCell, CellParser, StrCache};

/// Distinct values a column's cache holds (for the chunks of a file a
/// worker reads).
const CACHE_LIMIT: usize = 4096;
use super::encoding::TextEncoding;
use super::header::Column;
use super::pool::Spares;
use super::split::{row_number, split_block_reusing, TextBlock};
use super::{DataError, ReadError, Record, SourceFile};
use crate::per_thread::PerThread;
use crate::schema::{FieldType, Schema};
use crate::text::{intern, Text};
use crate::value::Value;

/// What a worker shares between the values of an active column: a plain
/// string column's cache of strings, an enum's labels (its own copies, so
/// that threads never count references to the same label).
#[derive(Debug, Default)]
struct ColumnShare {
    cache: Option<StrCache>,
    local: Option<Vec<Text>>,
}

/// A [`ColumnShare`] per active column of a table.
type ColumnCaches = Vec<ColumnShare>;

/// What parsing a table needs, compiled once per source.
#[derive(Debug)]
pub(crate) struct TablePlan {
    /// Interned, as are the headers: each of the file's data errors
    /// names them.
    pub file: Text,
    pub sheet: Option<Text>,
    pub encoding: Option<TextEncoding>,
    pub n_fields: usize,
    pub n_columns: usize,
    /// The header's cells up to its last one with a name: a text row may
    /// leave out the unnamed columns after it (a header saved with trailing
    /// empty cells, rows without them).
    pub named_width: usize,
    /// (column, field) of the mapped columns.
    pub active: Vec<(usize, usize)>,
    pub headers: Vec<Text>,
    /// Per field.
    pub parsers: Vec<CellParser>,
    /// Per field: its parser before a column's unit (`(万元)`) is applied,
    /// for a value under another key (see [`TablePlan::parse_key_cell`]).
    base_parsers: Vec<CellParser>,
    /// Records of keys: the parser of each header key with a unit after it
    /// (`收费金额(万元)`), made once (see [`TablePlan::parse_key_cell`]).
    unit_key_parsers: HashMap<String, CellParser>,
    /// Per field: without a column in the file it reads as empty, not as
    /// unknown. In a table (CSV, sheet) only the bounds of a validity range
    /// do (a register without them records no time limit, as an empty bound
    /// means); in records of keys (JSON Lines, YAML, JSON) every field does,
    /// since a record may leave out the key of an empty value.
    pub absent_is_empty: Vec<bool>,
    /// Per field: what an empty cell reads as (`Empty`, or the field's
    /// default: `suspended_days` empty = 0). A row whose fields all hold
    /// this holds no value (see [`no_record`]).
    pub empty_cell: Vec<Value>,
    /// The first two fields whose empty cell reads as `Empty` (an id, an
    /// item code): a row holding a value in both is a record, the
    /// commonest answer of [`no_record`], found by two loads.
    surely_two: Option<(usize, usize)>,
    /// Records of keys (JSON Lines, YAML, JSON), not rows of a table.
    pub records_of_keys: bool,
    /// Per field: part of the dataset's key.
    pub key_field: Vec<bool>,
    /// JSON keys (and YAML keys) → column.
    pub keys: HashMap<String, usize>,
    /// JSON Lines: the keys are sampled from the first lines; a key first seen
    /// later that names a field no column feeds is read into that field
    /// (normalised alias → field), not dropped.
    pub late_keys: HashMap<String, usize>,
    /// Every header key of the dataset's fields (normalised alias → field).
    /// In records of keys (JSON Lines, YAML, JSON) one record may name a
    /// field by another alias than the column that feeds it (`实施编码` where
    /// the first records wrote `事项编码`): its value is read when the
    /// column's key is absent or empty in that record, not dropped.
    pub alias_fields: HashMap<String, usize>,
    /// (column, field) of the columns no field is mapped to whose key is
    /// another alias of a mapped field, or the same key again: in a table
    /// (CSV, sheet) a header that gives a field two columns (`受理渠道`
    /// twice, `事项编码` beside `实施编码`) has the second read in the rows
    /// where the first is blank, and a data error where it holds another
    /// value (it was left unread, named an unmapped column).
    pub alt_columns: Vec<(usize, usize)>,
    /// The shared strings and labels of the active columns, per worker
    /// (see [`TablePlan::take_caches`]).
    str_caches: PerThread<ColumnCaches>,
    /// A worker's buffer of split rows, for its next chunk.
    spare_rows: PerThread<FlatRows>,
    /// The field whose plain cells are kept as bytes (see
    /// [`super::DeferredCells`]), set by [`TablePlan::deferring`].
    deferred: Option<usize>,
}

impl TablePlan {
    pub fn new(
        source: &SourceFile,
        schema: &Schema,
        mapping: Option<&super::Mapping>,
    ) -> Option<TablePlan> {
        let ds = schema.dataset(&source.dataset)?;
        let alias_fields = Self::alias_fields(source, schema, mapping);
        let mut parsers: Vec<CellParser> = ds
            .fields
            .iter()
            .map(|f| CellParser::new(f, mapping.and_then(|m| m.values(&ds.name, &f.name))))
            .collect();
        let base_parsers = parsers.clone();
        let unit_key_parsers = alias_fields
            .iter()
            .filter_map(|(k, &f)| {
                let (_, mark) = super::header::split_unit(k)?;
                Some((k.clone(), base_parsers[f].clone().with_column_unit(mark)))
            })
            .collect();
        // A header with a unit after the field's name (`投资额(元)`): the
        // column's numbers are in it.
        for col in &source.columns {
            let key = super::normalize::key(&col.header);
            if let (Some(f), Some((_, mark))) = (col.field, super::header::split_unit(&key)) {
                parsers[f] = parsers[f].clone().with_column_unit(mark);
            }
        }
        let empty_cell: Vec<Value> = parsers
            .iter()
            .map(|p| p.parse("").unwrap_or(Value::Empty))
            .collect();
        let mut reads_empty = (0..empty_cell.len()).filter(|&f| empty_cell[f] == Value::Empty);
        let surely_two = reads_empty.next().zip(reads_empty.next());
        Some(TablePlan {
            empty_cell,
            surely_two,
            key_field: ds.fields.iter().map(|f| ds.key.contains(&f.name)).collect(),
            records_of_keys: matches!(
                source.format,
                super::Format::Jsonl | super::Format::Yaml | super::Format::Json
            ),
            file: intern(&source.rel),
            sheet: source.sheet.as_deref().map(intern),
            // Cells of UTF-16 files are kept transcoded to UTF-8.
            encoding: source.encoding.map(TextEncoding::cell_encoding),
            n_fields: ds.fields.len(),
            n_columns: source.columns.len(),
            named_width: source
                .columns
                .iter()
                .rposition(|c| c.field.is_some() || !super::normalize::trim(&c.header).is_empty())
                .map_or(0, |c| c + 1),
            active: source
                .columns
                .iter()
                .enumerate()
                .filter_map(|(c, col)| col.field.map(|f| (c, f)))
                .collect(),
            headers: source.columns.iter().map(|c| intern(&c.header)).collect(),
            parsers,
            base_parsers,
            unit_key_parsers,
            absent_is_empty: ds
                .fields
                .iter()
                .map(|f| {
                    matches!(
                        source.format,
                        super::Format::Jsonl | super::Format::Yaml | super::Format::Json
                    ) || ds
                        .valid
                        .as_ref()
                        .is_some_and(|(from, to)| f.name == *from || f.name == *to)
                })
                .collect(),
            keys: source
                .columns
                .iter()
                .enumerate()
                // Keys normalised as headers are (stray and no-break spaces,
                // full-width forms), so that `"失效日期 "` finds its column.
                .map(|(i, Column { header, .. })| (super::normalize::key(header), i))
                .collect(),
            late_keys: Self::late_keys(source, &alias_fields),
            alt_columns: Self::alt_columns(source, &alias_fields),
            alias_fields,
            str_caches: PerThread::default(),
            spare_rows: PerThread::default(),
            deferred: None,
        })
    }

    /// This plan, keeping the cells of field `defer` as bytes where they
    /// read as them (see [`super::DeferredCells`]): when its column is a
    /// plain string of a text table (CSV, TSV), read from one column (not
    /// also from a second one, whose cells are compared with it).
    pub fn deferring(mut self, defer: Option<usize>) -> TablePlan {
        self.deferred = defer.filter(|&f| {
            !self.records_of_keys
                && self.sheet.is_none()
                && self.active.iter().any(|&(_, af)| af == f)
                && self.parsers.get(f).is_some_and(CellParser::is_plain_string)
                && !self.alt_columns.iter().any(|&(_, af)| af == f)
        });
        self
    }

    /// The shared strings and labels of the active columns for one
    /// chunk's parse: the ones this thread used for the file's earlier
    /// chunks, so that a worker's chunks share their strings (and the
    /// memos find them by address).
    fn take_caches(&self) -> ColumnCaches {
        self.str_caches.take().unwrap_or_else(|| {
            self.active
                .iter()
                .map(|&(_, f)| {
                    let parser = &self.parsers[f];
                    ColumnShare {
                        cache: parser.is_plain_string().then(StrCache::default),
                        local: parser.is_enum().then(|| parser.local_labels()),
                    }
                })
                .collect()
        })
    }

    /// See [`TablePlan::alt_columns`].
    fn alt_columns(
        source: &SourceFile,
        alias_fields: &HashMap<String, usize>,
    ) -> Vec<(usize, usize)> {
        source
            .columns
            .iter()
            .enumerate()
            .filter(|(_, col)| col.field.is_none())
            .filter_map(|(c, col)| {
                alias_fields
                    .get(&super::normalize::key(&col.header))
                    .map(|&f| (c, f))
            })
            .collect()
    }

    /// Per column of `source`, the field it feeds: its own, or in records
    /// of keys the field whose other alias it is (see
    /// [`TablePlan::alt_columns`]). Without building the parsers.
    pub fn column_fields(
        source: &SourceFile,
        schema: &Schema,
        mapping: Option<&super::Mapping>,
    ) -> Vec<Option<usize>> {
        let alts = Self::alt_columns(source, &Self::alias_fields(source, schema, mapping));
        source
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| {
                col.field
                    .or_else(|| alts.iter().find(|(ac, _)| *ac == c).map(|&(_, f)| f))
            })
            .collect()
    }

    /// See [`TablePlan::alias_fields`].
    fn alias_fields(
        source: &SourceFile,
        schema: &Schema,
        mapping: Option<&super::Mapping>,
    ) -> HashMap<String, usize> {
        let Some(ds) = schema.dataset_index(&source.dataset) else {
            return HashMap::new();
        };
        super::header::HeaderMatcher::new(schema, mapping).keys_with_units(ds)
    }

    /// JSON Lines: the header keys (`alias_fields`) of the fields no column
    /// of `source` feeds (see [`TablePlan::late_keys`]); other formats have
    /// every column in their header.
    fn late_keys(
        source: &SourceFile,
        alias_fields: &HashMap<String, usize>,
    ) -> HashMap<String, usize> {
        if source.format != super::Format::Jsonl {
            return HashMap::new();
        }
        let fed: Vec<usize> = source.columns.iter().filter_map(|c| c.field).collect();
        alias_fields
            .iter()
            .filter(|(_, f)| !fed.contains(f))
            .map(|(k, &f)| (k.clone(), f))
            .collect()
    }

    /// A cell of field `f`. A record of keys (JSON Lines, YAML) has no date
    /// cells: a number where a date goes is read as its text (a data error
    /// unless it reads as a date, `20250301`), not as an Excel serial,
    /// which only a workbook's number cell is (`45717` was 2025-03-01, `1`
    /// 1900-01-01).
    fn parse_cell(&self, f: usize, d: &Data) -> Result<Value, BadCell> {
        self.parse_cell_with(&self.parsers[f], d)
    }

    /// A value of field `f` under `key` in a record of keys, where `key` is
    /// not the header of the column that feeds the field (another alias, a
    /// key first seen after the sampled records): read in the unit `key`
    /// gives (`收费金额(万元)`), or the field's own, not the column's.
    /// (Every such key is one of `alias_fields`.)
    fn parse_key_cell(&self, f: usize, key: &str, d: &Data) -> Result<Value, BadCell> {
        let parser = self
            .unit_key_parsers
            .get(&super::normalize::key(key))
            .unwrap_or(&self.base_parsers[f]);
        self.parse_cell_with(parser, d)
    }

    fn parse_cell_with(&self, parser: &CellParser, d: &Data) -> Result<Value, BadCell> {
        // (No text holds a NUL: a JSON `\u0000`, a YAML `\0`, an old
        // workbook's padding. A CSV row holding one is not read at all,
        // `nul_row`; a record of keys or a sheet's row keeps its other
        // cells, the row's structure being whole.)
        if matches!(d, Data::String(t) if t.contains('\0')) {
            return Err(BadCell {
                expected: intern(NO_NUL),
                message: intern("单元格含有 NUL 字符 (显示为 ␀), 不是文字;此字段无法读取"),
            });
        }
        if self.records_of_keys
            && matches!(parser.field_type(), FieldType::Date | FieldType::DateTime)
            && matches!(d, Data::Int(_) | Data::Float(_))
        {
            return parser.parse(&data_text(d));
        }
        parser.parse_data(d)
    }

    /// A cell's raw value as its file writes it, for a data error: a
    /// record of keys writes a yes/no `true` or `false` (a workbook's
    /// `TRUE`, `FALSE`).
    fn cell_text(&self, d: &Data) -> String {
        match d {
            Data::Bool(b) if self.records_of_keys => b.to_string(),
            Data::String(t) if t.contains('\0') => t.replace('\0', "␀"),
            _ => data_text(d),
        }
    }

    fn error(
        &self,
        row: u32,
        column: Option<usize>,
        value: Option<String>,
        bad: BadCell,
    ) -> DataError {
        DataError {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row,
            column: column.and_then(|c| self.headers.get(c).cloned()),
            value,
            expected: Some(bad.expected),
            message: bad.message,
        }
    }

    fn row_error(&self, row: u32, message: String) -> DataError {
        DataError {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row,
            column: None,
            value: None,
            expected: None,
            message: Text::from(message),
        }
    }

    /// A totals row (`合计` …): not a record, reported with its text.
    fn totals_row(&self, row: u32, raw: &str, label: &str) -> DataError {
        self.bad_row(
            row,
            raw,
            "一条记录",
            format!("本行是「{label}」行, 汇总其上各行, 不是一条记录;未读入"),
        )
    }

    /// A row with content only outside the recognised columns, or in one of
    /// them alone (see [`no_record`]): not a record, reported with its text.
    fn valueless_row(&self, row: u32, raw: &str, why: NoRecord) -> DataError {
        let (expected, message) = match why {
            NoRecord::Valueless => (
                "一条记录 (至少一个已识别的列有值)",
                "本行已识别的各列都是空的 (内容只在未识别的列中, 如表尾的制表人、备注, 或只有占位符), 不是一条记录;未读入".to_string(),
            ),
            NoRecord::Lone => (
                "一条记录 (至少两个已识别的列有值)",
                format!(
                    "本行在 {} 个已识别的列中只有一列有值, 像是标题、表尾 (制表人、制表日期) 或说明, 不是一条记录;未读入",
                    self.active.len()
                ),
            ),
        };
        self.bad_row(row, raw, expected, message)
    }

    /// A row error with the row's raw text (shortened) and what was expected.
    fn bad_row(&self, row: u32, raw: &str, expected: &str, message: String) -> DataError {
        DataError {
            value: Some(shorten(raw)),
            expected: Some(intern(expected)),
            ..self.row_error(row, message)
        }
    }
}

/// A row's text as a data error shows it: at most 200 characters.
fn shorten(raw: &str) -> String {
    const MAX: usize = 200;
    let raw = raw.trim_end_matches(['\r', '\n']);
    match raw.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &raw[..at]),
        None => raw.to_string(),
    }
}

/// Raw text rows in one flat buffer: no allocation per row or cell.
#[derive(Debug, Default)]
pub(crate) struct FlatRows {
    bytes: Vec<u8>,
    /// End offset of every cell in `bytes`.
    ends: Vec<u32>,
    /// Index into `ends` of each row's first cell; one more than rows.
    starts: Vec<u32>,
    /// Where each row's first cell starts in `bytes`.
    firsts: Vec<u32>,
    /// The row number of each row.
    lines: Vec<u32>,
    /// Bytes between a cell's end and the next cell's start in a row: 0,
    /// or 1 when the text's delimiters stay in `bytes` (see
    /// [`FlatRows::split_lines`]).
    gap: usize,
    /// Rows (index, line breaks inside their cells) whose quotes the csv
    /// crate read leniently (a closing quote followed by text): kept, and
    /// reported.
    pub quote_notes: Vec<(u32, u32)>,
    /// Rows (index) holding a NUL byte: no text a cell holds (a database
    /// field's padding); each such row is reported and not read.
    pub nul_rows: Vec<u32>,
}

impl FlatRows {
    pub fn with_capacity(rows: usize, bytes: usize) -> FlatRows {
        FlatRows::reusing(None, rows, bytes)
    }

    /// [`FlatRows::with_capacity`], emptying `spare` (an earlier chunk's)
    /// rather than allocating when there is one.
    pub fn reusing(spare: Option<FlatRows>, rows: usize, bytes: usize) -> FlatRows {
        let mut r = spare.unwrap_or_default();
        r.bytes.clear();
        r.bytes.reserve(bytes);
        r.ends.clear();
        // (Room for sixteen cells a row: a case log has fifteen.)
        r.ends.reserve(rows * 16);
        r.starts.clear();
        r.starts.reserve(rows + 1);
        r.starts.push(0);
        r.firsts.clear();
        r.firsts.reserve(rows);
        r.lines.clear();
        r.lines.reserve(rows);
        r.gap = 0;
        r.quote_notes.clear();
        r.nul_rows.clear();
        r
    }

    /// Where the cell after the one ending at `end` in a row starts.
    fn next_start(&self, end: u32) -> usize {
        end as usize + self.gap
    }

    pub fn push_record(&mut self, line: u32, rec: &csv::ByteRecord) {
        let base = self.bytes.len();
        self.firsts.push(base as u32);
        self.bytes.extend_from_slice(rec.as_slice());
        let mut end = base;
        for cell in rec {
            end += cell.len();
            self.ends.push(end as u32);
        }
        self.starts.push(self.ends.len() as u32);
        self.lines.push(line);
    }

    /// The records of `bytes`, whole lines of text without quotes (a block
    /// of them as the cutter gives it, moved in: no copy), split at
    /// `delimiter` and at line breaks (`\n`, `\r`, `\r\n`; an empty line
    /// is no record) in one pass, sixteen bytes at a time
    /// ([`bytemask::masks`]). The delimiters and line breaks stay in
    /// `bytes`: a cell starts one byte after the one before it in its row
    /// ends. The records start at `bytes[start]` (the bytes before it,
    /// ASCII, are kept but read as no record; `before`, the byte before the
    /// block in its file); `first_line` is the line number of that byte;
    /// `rows`, the number of records expected (for capacity). Lines are
    /// counted as an editor shows them: a lone `\r` is one, a `\r\n` one.
    pub fn split_lines(
        spare: Option<FlatRows>,
        bytes: Vec<u8>,
        (start, before): (usize, u8),
        rows: usize,
        first_line: u64,
        delimiter: u8,
    ) -> FlatRows {
        let mut r = FlatRows::reusing(spare, rows, 0);
        r.bytes = bytes;
        r.gap = 1;
        let FlatRows {
            bytes,
            ends,
            starts,
            firsts,
            lines,
            nul_rows,
            ..
        } = &mut r;
        let mut line = first_line;
        let first = start;
        // Where the current line starts.
        let mut line_start = first;
        // Whether the current line holds a NUL byte.
        let mut nul = false;
        // A byte below 0x0E other than the delimiter: a line break ends a
        // row (delimiters, most of the hits, are pushed where found, so
        // that this, once a row, may stay out of the loop).
        let mut low_byte = |ends: &mut Vec<u32>, p: usize, b: u8| {
            if b != b'\n' && b != b'\r' {
                // (Another byte below 0x0E: part of a cell.)
                nul |= b == 0;
                return;
            }
            if p > line_start {
                if std::mem::take(&mut nul) {
                    nul_rows.push(lines.len() as u32);
                }
                ends.push(p as u32);
                starts.push(ends.len() as u32);
                firsts.push(line_start as u32);
                lines.push(row_number(line));
            }
            let prev = if p > first { bytes[p - 1] } else { before };
            line += u64::from(b == b'\r' || prev != b'\r');
            line_start = p + 1;
        };
        let mut blocks = bytes[first..].chunks_exact(16);
        let mut at = first;
        for block in &mut blocks {
            let mut sixteen = [0u8; 16];
            sixteen.copy_from_slice(block);
            let (delims, low) = bytemask::masks(sixteen, delimiter);
            if low & !delims == 0 {
                // (Most blocks: no line break, only cells' ends, each
                // found without looking at its byte again.)
                let mut found = delims;
                while found != 0 {
                    ends.push((at + found.trailing_zeros() as usize) as u32);
                    found &= found - 1;
                }
            } else {
                // (A line break, or another byte below 0x0E, which
                // `low_byte` leaves in its cell.)
                let mut found = delims | low;
                while found != 0 {
                    let k = found.trailing_zeros() as usize;
                    if sixteen[k] == delimiter {
                        ends.push((at + k) as u32);
                    } else {
                        low_byte(ends, at + k, sixteen[k]);
                    }
                    found &= found - 1;
                }
            }
            at += 16;
        }
        for (k, &b) in blocks.remainder().iter().enumerate() {
            if b == delimiter {
                ends.push((at + k) as u32);
            } else {
                low_byte(ends, at + k, b);
            }
        }
        // The last line, without a line break.
        let n = bytes.len();
        if n > line_start {
            if nul {
                nul_rows.push(lines.len() as u32);
            }
            ends.push(n as u32);
            starts.push(ends.len() as u32);
            firsts.push(line_start as u32);
            lines.push(row_number(line));
        }
        r
    }

    pub fn push_line(&mut self, line: u32, text: &[u8]) {
        self.firsts.push(self.bytes.len() as u32);
        self.bytes.extend_from_slice(text);
        self.ends.push(self.bytes.len() as u32);
        self.starts.push(self.ends.len() as u32);
        self.lines.push(line);
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// The row number of row `i`.
    #[cfg(test)]
    pub fn line(&self, i: usize) -> u32 {
        self.lines[i]
    }

    /// Every cell's bytes, row by row (cell `j` of the chunk is the `j`th).
    fn cells(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.len()).flat_map(move |i| {
            let row = self.row(i);
            (0..row.len()).map(move |c| row.cell(c))
        })
    }

    /// Cells of row `i` as (cell start offsets via `ends`).
    pub(super) fn row(&self, i: usize) -> RowCells<'_> {
        let a = self.starts[i] as usize;
        let b = self.starts[i + 1] as usize;
        let first = self.firsts[i] as usize;
        RowCells {
            rows: self,
            a,
            b,
            first,
        }
    }
}

pub(super) struct RowCells<'a> {
    rows: &'a FlatRows,
    a: usize,
    b: usize,
    first: usize,
}

impl<'a> RowCells<'a> {
    pub(super) fn len(&self) -> usize {
        self.b - self.a
    }

    /// Cell `c` and its offset in the chunk's buffer.
    fn cell_at(&self, c: usize) -> (&'a [u8], usize) {
        let i = self.a + c;
        let start = if c == 0 {
            self.first
        } else {
            self.rows.next_start(self.rows.ends[i - 1])
        };
        let end = self.rows.ends[i] as usize;
        (&self.rows.bytes[start..end], start)
    }

    pub(super) fn cell(&self, c: usize) -> &'a [u8] {
        let i = self.a + c;
        let start = if c == 0 {
            self.first
        } else {
            self.rows.next_start(self.rows.ends[i - 1])
        };
        let end = self.rows.ends[i] as usize;
        &self.rows.bytes[start..end]
    }

    /// The row's text as the file has it (cells decoded, rejoined by the
    /// delimiter), for a data error about the whole row.
    fn text(&self, enc: TextEncoding, delimiter: u8) -> String {
        let text = (0..self.len())
            .map(|c| self.decoded(c, enc))
            .collect::<Vec<_>>()
            .join(&char::from(delimiter).to_string());
        // (A NUL byte in a cell no field reads, shown as `nul_row` shows
        // one: never written raw into a report.)
        if text.contains('\0') {
            text.replace('\0', "␀")
        } else {
            text
        }
    }

    /// Each cell's text (decoded, or as far as it decodes), without NUL
    /// bytes (a key padded with them, `A2\0\0`, may be the `A2` a lookup
    /// of the register looks for).
    fn texts(&self, enc: TextEncoding) -> Vec<String> {
        (0..self.len())
            .map(|c| {
                let t = self.decoded(c, enc);
                if t.contains('\0') {
                    t.replace('\0', "")
                } else {
                    t
                }
            })
            .collect()
    }

    /// Cell `c`'s text (decoded, or as far as it decodes).
    fn decoded(&self, c: usize, enc: TextEncoding) -> String {
        let raw = self.cell(c);
        enc.decode(raw).map_or_else(
            || String::from_utf8_lossy(raw).into_owned(),
            Cow::into_owned,
        )
    }

    /// No cell has content: spaces only, the non-breaking and full-width
    /// ones too (which values are normalised of), as in a sheet.
    fn all_blank(&self, enc: TextEncoding) -> bool {
        // (Most rows start with an id or a code: decided by one byte.)
        let first_end = self.rows.ends.get(self.a).map_or(0, |&e| e as usize);
        if first_end > self.first
            && self
                .rows
                .bytes
                .get(self.first)
                .is_some_and(u8::is_ascii_graphic)
        {
            return false;
        }
        self.all_blank_cells(enc)
    }

    #[inline(never)]
    fn all_blank_cells(&self, enc: TextEncoding) -> bool {
        (0..self.len()).all(|c| {
            let raw = self.cell(c);
            raw.iter().all(u8::is_ascii_whitespace)
                || (!raw.first().is_some_and(u8::is_ascii_graphic)
                    && enc
                        .decode(raw)
                        .is_some_and(|t| super::normalize::trim(&t).is_empty()))
        })
    }

    /// The label of a totals row (`合计` …) in the row's first cell with
    /// content. A row that starts with an id or a code (every record of
    /// most exports) is decided by its first byte, nothing decoded.
    fn totals_label(&self, enc: TextEncoding) -> Option<&'static str> {
        if self
            .rows
            .bytes
            .get(self.first)
            .is_some_and(u8::is_ascii_alphanumeric)
        {
            return None;
        }
        let raw = (0..self.len())
            .map(|c| self.cell(c))
            .find(|raw| !raw.iter().all(u8::is_ascii_whitespace))?;
        totals_label(&enc.decode(raw)?)
    }
}

/// A spreadsheet (or YAML) row: its row number and cells.
#[derive(Debug)]
pub(crate) struct CellRow {
    pub row: u32,
    pub cells: Vec<Data>,
    /// Why the row could not be read as a record (a YAML list item that is
    /// not a mapping): a bad row, reported and counted.
    pub unreadable: Option<String>,
    /// Values of a record of keys (YAML) that its cells do not show, by
    /// column (none in a sheet).
    pub odd: Vec<(usize, OddCell)>,
}

/// A value of a YAML record its row's cells do not show.
#[derive(Debug)]
pub(crate) enum OddCell {
    /// The column's cell is a list or a mapping (this kind), not a value:
    /// its text is in the cell.
    Compound(&'static str),
    /// The column's key again in the record, with this value (and its kind
    /// when it is a list or a mapping); the cell holds the first.
    Repeat(Data, Option<&'static str>),
}

#[derive(Debug)]
pub(crate) enum Rows {
    /// Text records, split into cells by the worker.
    Text(TextBlock),
    Json(FlatRows),
    Cells(Vec<CellRow>),
}

/// A chunk also ends at this many bytes (row offsets are u32; very wide rows
/// must not make one chunk huge).
pub(crate) const MAX_CHUNK_BYTES: usize = 64 << 20;

/// The chunks of one source, numbered in file order as they are made,
/// with the raw rows they hold counted: what every reader's chunks share
/// ([`Emitter`] for a reader that hands them on, `text::TextChunks` and
/// `jsonl::JsonlChunks` for those the workers pull).
#[derive(Debug)]
pub(crate) struct ChunkSeq {
    plan: Arc<TablePlan>,
    chunks: u64,
    raw_rows: u64,
}

impl ChunkSeq {
    pub(crate) fn new(plan: &Arc<TablePlan>) -> Self {
        ChunkSeq {
            plan: Arc::clone(plan),
            chunks: 0,
            raw_rows: 0,
        }
    }

    /// The next chunk, of `rows` holding `raw_rows` raw data rows.
    pub(crate) fn next(&mut self, rows: Rows, raw_rows: u64) -> Chunk {
        let chunk = Chunk {
            index: self.chunks,
            plan: Arc::clone(&self.plan),
            rows,
        };
        self.chunks += 1;
        self.raw_rows += raw_rows;
        chunk
    }

    /// The raw rows and the chunks made so far.
    pub(crate) fn stats(&self) -> super::StreamStats {
        super::StreamStats {
            raw_rows: self.raw_rows,
            chunks: self.chunks,
        }
    }
}

/// Hands the chunks of one source to the caller in order, numbered.
pub(crate) struct Emitter<'f> {
    seq: ChunkSeq,
    f: &'f mut dyn FnMut(Chunk) -> Result<(), ReadError>,
}

impl<'f> Emitter<'f> {
    pub(crate) fn new(
        plan: &Arc<TablePlan>,
        f: &'f mut dyn FnMut(Chunk) -> Result<(), ReadError>,
    ) -> Self {
        Emitter {
            seq: ChunkSeq::new(plan),
            f,
        }
    }

    pub(crate) fn emit(&mut self, rows: Rows) -> Result<(), ReadError> {
        // (Its readers count their raw rows themselves.)
        (self.f)(self.seq.next(rows, 0))
    }
}

/// A batch of raw rows of one source, in file order.
#[derive(Debug)]
pub struct Chunk {
    /// 0-based position of the chunk in its source.
    pub index: u64,
    pub(crate) plan: Arc<TablePlan>,
    pub(crate) rows: Rows,
}

impl Chunk {
    /// The number of raw rows.
    pub fn len(&self) -> usize {
        match &self.rows {
            Rows::Text(b) => b.records,
            Rows::Json(r) => r.len(),
            Rows::Cells(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The raw bytes held (text rows), for throughput accounting.
    pub fn byte_len(&self) -> usize {
        match &self.rows {
            Rows::Text(b) => b.bytes.len() - b.start,
            Rows::Json(r) => r.byte_len(),
            Rows::Cells(_) => 0,
        }
    }
}

/// The records and errors of one chunk.
#[derive(Debug, Default)]
pub struct ParsedChunk {
    pub index: u64,
    pub records: Vec<Record>,
    pub errors: Vec<DataError>,
    /// Rows skipped for a wrong number of cells or as unreadable (each has
    /// an error in `errors`).
    pub bad_rows: u64,
    /// Rows with no content at all (not records, not errors).
    pub blank_rows: u64,
    /// The texts of the rows skipped (`bad_rows`), for lookups: a key a
    /// skipped row may hold is not known to be absent.
    pub unread: Vec<Unread>,
    /// The cells kept as bytes, an entry per record (see
    /// [`super::par_stream_deferring`]); `None` when none were asked for.
    pub deferred: Option<super::DeferredCells>,
}

/// A row not read as a record (its error is among the chunk's errors):
/// its line or row, and the texts it holds (its cells; for a JSON line
/// that does not parse, the pieces between its quotes and punctuation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unread {
    pub row: u32,
    pub texts: Vec<String>,
    /// It may hold any key: see `engine::UnreadRow::any`.
    pub any: bool,
}

/// What a data error expects of a cell holding a NUL character (a record
/// of keys, a sheet): its value without the NUL is still a reading of it.
pub(crate) const NO_NUL: &str = "不含 NUL 字符的文字";

impl ParsedChunk {
    /// Counts a row skipped, keeping its texts. (Out of line: rare, and
    /// kept out of the loops over records.)
    #[cold]
    #[inline(never)]
    fn skipped(&mut self, row: u32, texts: Vec<String>) {
        self.skipped_as(row, texts, false);
    }

    /// [`ParsedChunk::skipped`], the row possibly holding any key
    /// ([`Unread::any`]).
    #[cold]
    #[inline(never)]
    fn skipped_as(&mut self, row: u32, texts: Vec<String>, any: bool) {
        self.bad_rows += 1;
        self.unread.push(Unread { row, texts, any });
    }

    /// [`ParsedChunk::skipped`] for a row of a text table.
    #[cold]
    #[inline(never)]
    fn skipped_cells(&mut self, row: u32, cells: &RowCells<'_>, enc: TextEncoding) {
        self.skipped(row, cells.texts(enc));
    }
}

/// The pieces of a JSON line that did not parse: what lies between its
/// quotes, colons, commas and brackets.
fn json_pieces(raw: &str) -> Vec<String> {
    raw.split(['"', ',', ':', '{', '}', '[', ']'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            // (`\u6c11` escapes, as Python's json.dumps writes Chinese.)
            if t.contains('\\') {
                serde_json::from_str::<String>(&format!("\"{t}\""))
                    .unwrap_or_else(|_| t.to_string())
            } else {
                t.to_string()
            }
        })
        .collect()
}

/// Parses a chunk: pure, so it can run on any thread. (It takes the chunk:
/// a text block's bytes become the records' buffer, not copied.)
pub fn parse_chunk(chunk: Chunk) -> ParsedChunk {
    let mut out = ParsedChunk {
        index: chunk.index,
        records: Vec::with_capacity(chunk.len()),
        ..ParsedChunk::default()
    };
    let Chunk { plan, rows, .. } = chunk;
    let plan = &*plan;
    match rows {
        Rows::Text(block) => {
            let (delimiter, empty_lines, unclosed) =
                (block.delimiter, block.empty_lines, block.unclosed_quote);
            let builder = super::text::builder(delimiter);
            let rows = split_block_reusing(block, &builder, plan.spare_rows.take());
            parse_text(plan, &rows, delimiter, &mut out);
            out.blank_rows += empty_lines;
            if let (Some(quote), Some(last)) = (unclosed, rows.len().checked_sub(1)) {
                let row = quote.row;
                let enc = plan.encoding.unwrap_or(TextEncoding::Utf8);
                // The quote merged the rest of its line into one cell: when
                // that left the row the wrong number of cells, the row was
                // reported and skipped for it; one error says both.
                let skipped = out.errors.last().is_some_and(|e| {
                    e.row == row
                        && e.column.is_none()
                        && e.expected.as_deref() == Some(&cells_expected(plan.n_columns))
                });
                let what = if skipped {
                    out.errors.pop();
                    "该单元格读到本行行尾为止, 本行的单元格数因此与表头不符, 已跳过此行"
                } else {
                    "该单元格读到本行行尾为止"
                };
                let why = match quote.closed_on {
                    None => "没有配对的结束引号 (直到文件末尾, 或 16 MiB 之内)".to_string(),
                    Some(line) => format!(
                        "不成对: 下一个引号在第 {line} 行, 其后紧跟其他字符, 不是单元格的结束引号"
                    ),
                };
                out.errors.push(plan.bad_row(
                    row,
                    &rows.row(last).text(enc, delimiter),
                    "成对的引号",
                    format!("本行有一个引号 (\") {why};{what};其后各行照常读取"),
                ));
            }
            plan.spare_rows.put(rows);
        }
        Rows::Json(rows) => parse_json(plan, &rows, &mut out),
        Rows::Cells(rows) => parse_cells(plan, &rows, &mut out),
    }
    // A field with a default (`suspended_days`: empty = 0) and no column in
    // the file takes its default in every row. Any other field without a
    // column in a table (CSV, sheet) is not known: the export did not give
    // it, which is not an empty cell (`refusal_reason is empty` must not
    // hold of a file without that column), except the bounds of a validity
    // range, and the fields of records of keys (`TablePlan::absent_is_empty`).
    let defaults: Vec<(usize, Value)> = (0..plan.n_fields)
        .filter(|f| !plan.active.iter().any(|(_, af)| af == f))
        .filter_map(|f| match plan.parsers[f].parse("") {
            Ok(Value::Empty) | Err(_) => (!plan.absent_is_empty[f]).then_some((f, Value::Invalid)),
            Ok(v) => Some((f, v)),
        })
        .collect();
    if !defaults.is_empty() {
        for r in &mut out.records {
            for (f, v) in &defaults {
                // (A JSON Lines key first seen after the sampled lines may
                // have filled it.)
                if r.values[*f] == Value::Empty {
                    r.values[*f] = v.clone();
                }
            }
        }
    }
    out
}

/// The text of a chunk's cells, decoded once per chunk: UTF-8 is validated
/// as a whole (cells are slices of the buffer), GBK/GB18030 is decoded cell
/// by cell into one string (no allocation per cell).
enum ChunkText<'a> {
    Utf8(&'a str),
    /// `ends[j]` is where cell `j` ends in `text`; the next cell starts
    /// `gap` bytes later; `bad[j]` (when present) marks cells that did not
    /// decode.
    Decoded {
        text: String,
        ends: Vec<u32>,
        gap: usize,
        bad: Vec<bool>,
    },
    /// Invalid UTF-8 somewhere in the chunk: cells are checked one by one.
    PerCell,
}

impl<'a> ChunkText<'a> {
    fn new(rows: &'a FlatRows, enc: TextEncoding) -> ChunkText<'a> {
        match enc {
            // UTF-16 cells were transcoded to UTF-8 while reading.
            TextEncoding::Utf8
            | TextEncoding::Utf8Bom
            | TextEncoding::Utf16Le
            | TextEncoding::Utf16Be => {
                // The whole chunk at once, with SIMD: most of its bytes are
                // Chinese text, where the scalar check is slowest.
                simdutf8::basic::from_utf8(&rows.bytes).map_or(ChunkText::PerCell, ChunkText::Utf8)
            }
            TextEncoding::Gbk | TextEncoding::Gb18030 => {
                let utf8 = Self::utf8_rows(rows);
                if utf8.is_none() {
                    if let Some(t) = Self::decode_joined(rows) {
                        return t;
                    }
                }
                let mut text = String::with_capacity(rows.bytes.len() + rows.bytes.len() / 2);
                let mut ends = Vec::with_capacity(rows.ends.len());
                let mut bad = utf8.unwrap_or_else(|| vec![false; rows.ends.len()]);
                // Decoding into the big string's spare capacity would make
                // encoding_rs touch every page of it on each call: decode
                // into a small scratch buffer and append.
                let mut scratch = [0u8; 1024];
                for (j, raw) in rows.cells().enumerate() {
                    if bad[j] {
                        // (A cell of a UTF-8 row: reported, not decoded.)
                    } else if raw.is_ascii() {
                        // ASCII is ASCII in GBK.
                        text.push_str(std::str::from_utf8(raw).unwrap_or_default());
                    } else {
                        let mut dec = encoding_rs::GB18030.new_decoder_without_bom_handling();
                        let need = dec
                            .max_utf8_buffer_length_without_replacement(raw.len())
                            .unwrap_or(usize::MAX);
                        if need <= scratch.len() {
                            let (res, _, written) =
                                dec.decode_to_utf8_without_replacement(raw, &mut scratch, true);
                            match (res, std::str::from_utf8(&scratch[..written])) {
                                (encoding_rs::DecoderResult::InputEmpty, Ok(t)) => text.push_str(t),
                                _ => bad[j] = true,
                            }
                        } else {
                            match enc.decode(raw) {
                                Some(t) => text.push_str(&t),
                                None => bad[j] = true,
                            }
                        }
                    }
                    ends.push(text.len() as u32);
                }
                ChunkText::Decoded {
                    text,
                    ends,
                    gap: 0,
                    bad,
                }
            }
        }
    }

    /// In a GBK file, the rows written in UTF-8 (pasted in from another
    /// system): GBK decodes most UTF-8 text without an error, into other
    /// characters (`营业执照` → `钀ヤ笟鎵х収`), so a row is taken as UTF-8
    /// when its bytes are valid UTF-8 with at least two characters beyond
    /// ASCII (Chinese text in GBK almost never is: `局`, `中`, any character
    /// whose first byte is 0xB0-0xC1 or whose second is not 0x80-0xBF
    /// breaks it). Per cell: set for the non-ASCII cells of such rows;
    /// `None` when there are none.
    fn utf8_rows(rows: &FlatRows) -> Option<Vec<bool>> {
        let mut marks: Option<Vec<bool>> = None;
        for i in 0..rows.len() {
            let (a, b) = (rows.starts[i] as usize, rows.starts[i + 1] as usize);
            if a == b {
                continue;
            }
            let from = rows.firsts[i] as usize;
            let bytes = &rows.bytes[from..rows.ends[b - 1] as usize];
            let wide = bytes.iter().filter(|&&c| c >= 0x80).count();
            if wide < 6 || simdutf8::basic::from_utf8(bytes).is_err() {
                continue;
            }
            let m = marks.get_or_insert_with(|| vec![false; rows.ends.len()]);
            let row = rows.row(i);
            for c in 0..row.len() {
                m[a + c] = !row.cell(c).is_ascii();
            }
        }
        marks
    }

    /// The fast path for GBK: the cells joined with a unit separator
    /// (0x1F, never part of a GBK sequence) and decoded in one call, then
    /// split at the separators. `None` when some cell does not decode or
    /// holds a 0x1F itself (the caller then decodes cell by cell).
    fn decode_joined(rows: &FlatRows) -> Option<ChunkText<'static>> {
        const SEP: u8 = 0x1F;
        let mut joined = Vec::with_capacity(rows.bytes.len() + rows.ends.len());
        for raw in rows.cells() {
            joined.extend_from_slice(raw);
            joined.push(SEP);
        }
        let text = encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(&joined)?
            .into_owned();
        let ends: Vec<u32> = text
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == SEP)
            .map(|(i, _)| i as u32)
            .collect();
        (ends.len() == rows.ends.len()).then_some(ChunkText::Decoded {
            text,
            ends,
            gap: 1,
            bad: Vec::new(),
        })
    }

    /// Cell `j` (global index into the chunk's cells) whose raw bytes are
    /// `raw`; `None` when it does not decode.
    fn cell(
        &self,
        j: usize,
        raw: &'a [u8],
        raw_start: usize,
        enc: TextEncoding,
    ) -> Option<Cow<'_, str>> {
        match self {
            ChunkText::Utf8(t) => t
                .get(raw_start..raw_start + raw.len())
                .map(Cow::Borrowed)
                .or_else(|| std::str::from_utf8(raw).ok().map(Cow::Borrowed)),
            ChunkText::Decoded {
                text,
                ends,
                gap,
                bad,
            } => {
                if bad.get(j) == Some(&true) {
                    return None;
                }
                let a = if j == 0 {
                    0
                } else {
                    ends[j - 1] as usize + gap
                };
                text.get(a..ends[j] as usize).map(Cow::Borrowed)
            }
            ChunkText::PerCell => enc.decode(raw),
        }
    }
}

/// How [`parse_text`] reads one active column of a chunk.
struct ColumnParse<'p> {
    /// The column in the row, and the field it fills.
    c: usize,
    f: usize,
    /// Its plain cells are kept as bytes (see [`super::DeferredCells`]).
    defer: bool,
    parser: &'p CellParser,
    /// Its commonest cells read from their bytes
    /// ([`CellParser::parse_bytes_into`]).
    by_bytes: bool,
    /// The worker's shared strings or labels of the column, given back at
    /// the chunk's end.
    share: ColumnShare,
    empty: Option<Value>,
}

fn parse_text(plan: &TablePlan, rows: &FlatRows, delimiter: u8, out: &mut ParsedChunk) {
    let enc = plan.encoding.unwrap_or(TextEncoding::Utf8);
    let width = plan.n_columns;
    let decoded = ChunkText::new(rows, enc);
    // (UTF-8 throughout: a cell's bytes are its text.)
    let utf8 = matches!(decoded, ChunkText::Utf8(_));
    // Per active column: its column and field, its parser, a cache of
    // shared values for plain string fields (departments, item codes
    // repeat; ids do not, and their cache stops growing at the limit), an
    // enum's labels for this worker, and what an empty cell becomes (optional
    // columns are empty in most rows: no call per cell then). One struct per
    // column, walked in step with the row's cells.
    // (A UTF-8 text's cells are their texts' bytes: only there kept as bytes.)
    let mut deferred = plan
        .deferred
        .filter(|_| utf8)
        .map(|f| super::DeferredCells::new(f, rows.len()));
    let mut cols: Vec<ColumnParse<'_>> = plan
        .active
        .iter()
        .zip(plan.take_caches())
        .map(|(&(c, f), mut share)| {
            let parser = &plan.parsers[f];
            let mut v = Value::Empty;
            let empty = match &mut share.cache {
                Some(cache) => {
                    parser.parse_shared_into("", cache, CACHE_LIMIT, &mut v);
                    Some(v)
                }
                None => parser
                    .parse_into("", share.local.as_deref(), &mut v)
                    .ok()
                    .map(|()| v),
            };
            ColumnParse {
                c,
                f,
                defer: deferred.as_ref().is_some_and(|d| d.field == f),
                parser,
                by_bytes: parser.reads_bytes(share.local.is_some()),
                share,
                empty,
            }
        })
        .collect();
    let mut notes = rows.quote_notes.iter().peekable();
    let mut spares = Spares::take();
    let totals = totals_rows(rows, enc);
    let mut totals = totals.iter().peekable();
    let mut nuls = rows.nul_rows.iter().peekable();
    for i in 0..rows.len() {
        let cells = rows.row(i);
        let line = rows.lines[i];
        if let Some(&(_, label)) = totals.next_if(|&&(k, _)| k == i) {
            notes.next_if(|&&(k, _)| k as usize == i);
            nuls.next_if(|&&k| k as usize == i);
            out.skipped_cells(line, &cells, enc);
            out.errors
                .push(plan.totals_row(line, &cells.text(enc, delimiter), label));
            continue;
        }
        // (A NUL only in a column no field reads is never read: the row is.)
        if nuls.next_if(|&&k| k as usize == i).is_some() && nul_read(plan, &cells).is_some() {
            notes.next_if(|&&(k, _)| k as usize == i);
            nul_row(plan, out, line, &cells, enc);
            continue;
        }
        let stray_quote = notes
            .next_if(|&&(k, _)| k as usize == i)
            .map(|&(_, inner)| inner);
        if cells.len() != width {
            if cells.all_blank(enc) {
                out.blank_rows += 1;
                continue;
            }
            let extra_empty =
                cells.len() > width && (width..cells.len()).all(|c| cells.cell(c).is_empty());
            // (Only unnamed columns left out: no field reads them.)
            let short_of_unnamed = cells.len() < width && cells.len() >= plan.named_width;
            if !extra_empty && !short_of_unnamed {
                out.skipped_cells(line, &cells, enc);
                let text = cells.text(enc, delimiter);
                // A quote that opened a cell and closed lines later made
                // one record of those lines: say how many.
                let inner = text.matches('\n').count();
                let span = if inner > 0 {
                    format!(
                        "(单元格中的引号使本行延续到第 {} 行, 共 {} 行)",
                        u64::from(line) + inner as u64,
                        inner + 1
                    )
                } else {
                    String::new()
                };
                out.errors.push(plan.bad_row(
                    line,
                    &text,
                    &cells_expected(width),
                    format!(
                        "本行有 {} 个单元格,表头有 {width} 列{span};已跳过此行",
                        cells.len()
                    ),
                ));
                continue;
            }
        } else if cells.all_blank(enc) {
            out.blank_rows += 1;
            continue;
        }
        let mut values = spares.values(plan.n_fields);
        let mut kept: &[u8] = b"";
        for col in &mut cols {
            let (raw, raw_start) = cells.cell_at(col.c);
            // (The row's values start empty, and no other column fills
            // this field: a header maps a field once.)
            let slot = &mut values[col.f];
            if raw.is_empty() {
                if let Some(v) = &col.empty {
                    if !matches!(v, Value::Empty) {
                        set_to(slot, v);
                    }
                    continue;
                }
            } else if col.defer && keeps_as_bytes(col.parser, raw) {
                *slot = super::DEFERRED;
                kept = raw;
                continue;
            } else if col.by_bytes
                && col
                    .parser
                    .parse_bytes_into(raw, col.share.local.as_deref(), utf8, slot)
            {
                continue;
            }
            if utf8 {
                if let Some(cache) = &mut col.share.cache {
                    if let Some(v) = cache.found_again(raw) {
                        *slot = Value::Str(v.clone());
                        continue;
                    }
                }
            }
            let Some(text) = decoded.cell(cells.a + col.c, raw, raw_start, enc) else {
                undecodable_cell(plan, out, line, col, raw, enc, slot);
                continue;
            };
            if let Some(cache) = &mut col.share.cache {
                col.parser
                    .parse_shared_into(&text, cache, CACHE_LIMIT, slot);
            } else if let Err(bad) = col
                .parser
                .parse_into(&text, col.share.local.as_deref(), slot)
            {
                bad_cell(plan, out, line, col.c, text, bad);
            }
        }
        if !plan.alt_columns.is_empty() {
            alt_cells(plan, out, line, &cells, enc, &mut values);
        }
        if let Some(inner) = stray_quote {
            let span = if inner > 0 {
                format!(",且本行与其后 {inner} 行被读成了一条记录")
            } else {
                String::new()
            };
            out.errors.push(plan.bad_row(
                line,
                &cells.text(enc, delimiter),
                "结束引号后紧跟分隔符或换行",
                format!("本行的引号不成对或位置不当 (结束引号后紧跟其他字符){span};已按 CSV 规则读取此行, 请核对"),
            ));
        }
        if let Some(why) = no_record(plan, &values) {
            valueless(plan, out, line, &cells, enc, delimiter, why);
            continue;
        }
        if let Some(d) = &mut deferred {
            d.push(kept);
        }
        out.records.push(Record { row: line, values });
    }
    out.deferred = deferred;
    plan.str_caches
        .put(cols.into_iter().map(|c| c.share).collect());
}

/// `*slot = v.clone()`, a number, yes/no or date written from a register:
/// `Value`'s derived clone copied such a value's seven bytes after its tag
/// through the stack, in two overlapping four-byte stores read back at
/// once (a store-forwarding stall for every empty cell of a column whose
/// empty reads as a value, `0` days; perf: 6% of `parse_text`'s samples).
#[inline]
fn set_to(slot: &mut Value, v: &Value) {
    match *v {
        Value::Int(n) => *slot = Value::Int(n),
        Value::Decimal(x) => *slot = Value::Decimal(x),
        Value::Bool(b) => *slot = Value::Bool(b),
        Value::Date(d) => *slot = Value::Date(d),
        Value::DateTime(dt) => *slot = Value::DateTime(dt),
        _ => *slot = v.clone(),
    }
}

/// Whether a cell of a deferred column is kept as its bytes: it reads as
/// them ([`super::DeferredCells::keeps`]) and is no placeholder.
#[inline]
fn keeps_as_bytes(parser: &CellParser, raw: &[u8]) -> bool {
    super::DeferredCells::keeps(raw) && !parser.says_nothing_ascii(raw)
}

/// A cell that does not decode in its file's encoding: `Invalid`, and a
/// data error. (Out of the loop over a row's cells, as [`bad_cell`]: the
/// rare paths kept apart leave the loop its registers.)
#[cold]
#[inline(never)]
fn undecodable_cell(
    plan: &TablePlan,
    out: &mut ParsedChunk,
    line: u32,
    col: &ColumnParse<'_>,
    raw: &[u8],
    enc: TextEncoding,
    slot: &mut Value,
) {
    *slot = Value::Invalid;
    out.errors.push(plan.error(
        line,
        Some(col.c),
        Some(String::from_utf8_lossy(raw).into_owned()),
        BadCell {
            expected: col.parser.expected(),
            message: Text::from(undecodable(raw, enc)),
        },
    ));
    // (What a key reads as in the other common encoding may be a
    // register's key, `民K1` pasted in from a GBK system: a lookup of it is
    // unknown, not "no match", `read::unknown_keys`. The row itself is read.)
    if !plan.key_field[col.f] {
        return;
    }
    let other = if matches!(enc, TextEncoding::Gbk | TextEncoding::Gb18030) {
        TextEncoding::Utf8
    } else {
        TextEncoding::Gb18030
    };
    if let Some(text) = other.decode(raw) {
        out.unread.push(Unread {
            row: line,
            texts: vec![text.into_owned()],
            any: false,
        });
    }
}

/// A cell that does not read as its field's type: a data error (the
/// parser has made its value `Invalid`).
#[cold]
#[inline(never)]
fn bad_cell(
    plan: &TablePlan,
    out: &mut ParsedChunk,
    line: u32,
    c: usize,
    text: Cow<'_, str>,
    bad: BadCell,
) {
    out.errors
        .push(plan.error(line, Some(c), Some(text.into_owned()), bad));
}

/// The totals rows (`合计` …) of a chunk: index and label. A pass of its
/// own, so that the rare case costs the loop over records one comparison.
fn totals_rows(rows: &FlatRows, enc: TextEncoding) -> Vec<(usize, &'static str)> {
    (0..rows.len())
        .filter_map(|i| rows.row(i).totals_label(enc).map(|label| (i, label)))
        .collect()
}

/// The message for a cell that does not decode in its file's encoding,
/// with what it reads as in the other common one (a row pasted in from a
/// GBK system into a UTF-8 file, or the other way round).
fn undecodable(raw: &[u8], enc: TextEncoding) -> String {
    let gbk = matches!(enc, TextEncoding::Gbk | TextEncoding::Gb18030);
    if gbk {
        if let (Ok(text), Some(garbled)) = (std::str::from_utf8(raw), enc.decode(raw)) {
            return format!(
                "本行是 UTF-8 编码, 与文件其余部分 ({}) 不同: 按 UTF-8 读作「{text}」(按 {} 则为「{garbled}」);未读入",
                enc.name(),
                enc.name()
            );
        }
    }
    let other = if gbk {
        TextEncoding::Utf8
    } else {
        TextEncoding::Gb18030
    };
    match other.decode(raw) {
        Some(text) => format!(
            "无法按 {} 编码解码(按 {} 可读作「{text}」)",
            enc.name(),
            other.name()
        ),
        None => format!("无法按 {} 编码解码", enc.name()),
    }
}

fn parse_json(plan: &TablePlan, rows: &FlatRows, out: &mut ParsedChunk) {
    let enc = plan.encoding.unwrap_or(TextEncoding::Utf8);
    let mut spares = Spares::take();
    for i in 0..rows.len() {
        let line = rows.lines[i];
        let raw = rows.row(i).cell(0);
        if raw.iter().all(u8::is_ascii_whitespace) {
            // An empty line: no record, counted.
            out.blank_rows += 1;
            continue;
        }
        let obj = enc
            .decode(raw)
            .ok_or_else(|| format!("无法按 {} 编码解码", enc.name()))
            .and_then(|t| {
                serde_json::from_str::<JsonEntries>(&t)
                    .map(|e| e.0)
                    .map_err(|e| format!("不是 JSON 对象: {e}"))
            });
        let obj = match obj {
            Ok(o) => o,
            Err(message) => {
                // (A raw NUL byte, which JSON does not allow in a string:
                // left out of the texts a lookup may match, `K3\0` being
                // maybe `K3`, and shown as `␀`.)
                let text = String::from_utf8_lossy(raw);
                out.skipped(line, json_pieces(&text.replace('\0', "")));
                out.errors
                    .push(plan.bad_row(line, &text.replace('\0', "␀"), "JSON 对象", message));
                continue;
            }
        };
        let mut values = spares.values(plan.n_fields);
        let mut present = vec![false; plan.headers.len()];
        // Keys naming a field, and those with a value.
        let (mut mapped, mut filled) = (0usize, 0usize);
        // Values under another alias of a field a column feeds: (field,
        // column, key, value), read after the record's own keys.
        let mut alts: Vec<(usize, Option<usize>, &String, &serde_json::Value)> = Vec::new();
        // Fields whose column's key is blank in the record (a default may
        // have filled them): another alias's value is read.
        let mut own_blank = vec![false; plan.n_fields];
        // Fields read from a key first seen after the sampled lines.
        let mut late_read = vec![false; plan.n_fields];
        for (k, v) in &obj {
            let key = super::normalize::key(k);
            let has_value = !v.is_null() && v.as_str().is_none_or(|t| !t.trim().is_empty());
            let alt = |c: Option<usize>| {
                plan.alias_fields
                    .get(&key)
                    .filter(|_| c.is_none_or(|c| !plan.active.iter().any(|(ac, _)| *ac == c)))
                    .map(|&f| (f, c, k, v))
            };
            let Some(&c) = plan.keys.get(&key) else {
                // A key the sampled lines did not have: read it if it names
                // a field no column feeds, or as another alias of one.
                if let Some(a) = alt(None).filter(|_| !plan.late_keys.contains_key(&key)) {
                    mapped += 1;
                    filled += usize::from(has_value);
                    alts.push(a);
                } else if let Some(&f) = plan.late_keys.get(&key) {
                    mapped += 1;
                    filled += usize::from(has_value);
                    if late_read[f] {
                        // The field's key again (the same key, or another
                        // alias): read as another alias, as below.
                        alts.push((f, None, k, v));
                        continue;
                    }
                    late_read[f] = true;
                    let d = json_data(v);
                    own_blank[f] = blank_cell(&d);
                    match parse_json_value(plan, f, v, &d, Some(k)) {
                        Ok(val) => values[f] = val,
                        Err(bad) => {
                            values[f] = Value::Invalid;
                            let mut e = plan.error(line, None, Some(plan.cell_text(&d)), bad);
                            e.column = Some(intern(k));
                            out.errors.push(e);
                        }
                    }
                }
                continue;
            };
            if present[c] {
                // A second key of this column (the same key written twice,
                // or the same once normalised, `受理时间 ` after `受理时间`):
                // read as another alias, after the record's own keys, so
                // that a second value is reported.
                let field = plan.active.iter().find(|(ac, _)| *ac == c).map(|&(_, f)| f);
                if let Some(f) = field.or_else(|| plan.alias_fields.get(&key).copied()) {
                    mapped += 1;
                    filled += usize::from(has_value);
                    alts.push((f, Some(c), k, v));
                }
                continue;
            }
            present[c] = true;
            let Some(&(_, f)) = plan.active.iter().find(|(ac, _)| *ac == c) else {
                if let Some(a) = alt(Some(c)) {
                    mapped += 1;
                    filled += usize::from(has_value);
                    alts.push(a);
                }
                continue;
            };
            mapped += 1;
            filled += usize::from(has_value);
            let d = json_data(v);
            own_blank[f] = blank_cell(&d);
            match parse_json_value(plan, f, v, &d, None) {
                Ok(val) => values[f] = val,
                Err(bad) => {
                    values[f] = Value::Invalid;
                    out.errors
                        .push(plan.error(line, Some(c), Some(plan.cell_text(&d)), bad));
                }
            }
        }
        if mapped == 0 && !obj.is_empty() {
            // Keys, none of them a field's: not a record of this dataset.
            let keys: Vec<&str> = obj.iter().map(|(k, _)| k.as_str()).collect();
            out.skipped(line, json_pieces(&String::from_utf8_lossy(raw)));
            out.errors.push(plan.row_error(
                line,
                format!("本行的键 ({}) 都不是本表的字段;已跳过此行", keys.join(", ")),
            ));
            continue;
        }
        if filled == 0 {
            // `{}` or only empty values: a blank row, as in a sheet.
            out.blank_rows += 1;
            continue;
        }
        // Another alias fills a field its column left absent or empty (the
        // first such key in the record's order). One that brings another
        // value for a field already filled is reported, not dropped.
        let mut alt_filled = vec![false; plan.n_fields];
        for (f, c, k, v) in alts {
            let d = json_data(v);
            let parsed = parse_json_value(plan, f, v, &d, Some(k));
            // (A blank or a placeholder under another key gives nothing.)
            if blank_cell(&d) || parsed == Ok(Value::Empty) {
                continue;
            }
            if alt_filled[f] || (values[f] != Value::Empty && !own_blank[f]) {
                // (Two unreadable values were reported as such already.)
                if !crate::value::same_value(&parsed.unwrap_or(Value::Invalid), &values[f]) {
                    let mut e =
                        plan.error(line, c, Some(plan.cell_text(&d)), second_value(plan, f));
                    e.column = Some(intern(k));
                    out.errors.push(e);
                }
                continue;
            }
            alt_filled[f] = true;
            match parsed {
                Ok(val) => values[f] = val,
                Err(bad) => {
                    values[f] = Value::Invalid;
                    let mut e = plan.error(line, c, Some(plan.cell_text(&d)), bad);
                    e.column = Some(intern(k));
                    out.errors.push(e);
                }
            }
        }
        // Fields whose key is absent get their default, like an empty cell.
        for &(c, f) in &plan.active {
            if !present[c] && !alt_filled[f] {
                if let Ok(v) = plan.parsers[f].parse("") {
                    values[f] = v;
                }
            }
        }
        out.records.push(Record { row: line, values });
    }
}

/// A JSON object's members in the order written, a key written twice
/// included (`serde_json::Map` keeps the last value of a repeated key
/// silently). Values are read as `serde_json::Value`, numbers with their
/// text (`arbitrary_precision`).
struct JsonEntries(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for JsonEntries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(JsonEntriesVisitor)
    }
}

struct JsonEntriesVisitor;

impl<'de> serde::de::Visitor<'de> for JsonEntriesVisitor {
    type Value = JsonEntries;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<JsonEntries, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(16));
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(JsonEntries(entries))
    }
}

/// A JSON value of field `f` (`d` its cell): an object or an array is no
/// value of a field, a data error, not its text.
fn parse_json_value(
    plan: &TablePlan,
    f: usize,
    v: &serde_json::Value,
    d: &Data,
    key: Option<&str>,
) -> Result<Value, BadCell> {
    match (v, key) {
        (serde_json::Value::Object(_), _) => Err(not_single(plan, f, "JSON 对象")),
        (serde_json::Value::Array(_), _) => Err(not_single(plan, f, "JSON 数组")),
        (_, None) => plan.parse_cell(f, d),
        (_, Some(key)) => plan.parse_key_cell(f, key, d),
    }
}

/// The data error of a value of field `f` that is a `kind` (an object, a
/// list), not one value.
pub(crate) fn not_single(plan: &TablePlan, f: usize, kind: &str) -> BadCell {
    BadCell {
        expected: plan.parsers[f].expected(),
        message: intern(&format!("不是单个值, 是一个{kind};此字段无法读取")),
    }
}

/// A JSON (or YAML) scalar as a spreadsheet cell.
pub(crate) fn json_data(v: &serde_json::Value) -> Data {
    match v {
        serde_json::Value::Null => Data::Empty,
        serde_json::Value::Bool(b) => Data::Bool(*b),
        // A number is read as written (serde_json keeps its text): an
        // integer of 64 bits as one, a number a double holds exactly as
        // that double, any other (`20250301000000123456`, `1.10`) as its
        // text, which a text field keeps digit for digit and a number field
        // parses, so that no digit is lost silently.
        serde_json::Value::Number(n) => {
            let text = n.to_string();
            if let Some(i) = n.as_i64() {
                Data::Int(i)
            } else if let Some(x) = n
                .as_f64()
                .filter(|x| x.is_finite() && (x.to_string() == text || text.contains(['e', 'E'])))
            {
                Data::Float(x)
            } else {
                Data::String(text)
            }
        }
        serde_json::Value::String(s) => Data::String(s.clone()),
        other => Data::String(other.to_string()),
    }
}

/// What a row of the wrong width was expected to have (its data error's
/// `expected`, by which an unclosed quote's error recognises it).
fn cells_expected(width: usize) -> String {
    format!("{width} 个单元格")
}

/// The data error of a record of keys that gives field `f` a second value
/// under another of its keys (the first is read).
fn second_value(plan: &TablePlan, f: usize) -> BadCell {
    BadCell {
        expected: plan.parsers[f].expected(),
        message: intern(if plan.records_of_keys {
            "本记录另有一个键也对应此字段, 取值不同; 已取先读到的值, 此值未用"
        } else {
            "本行另有一列也对应此字段, 取值不同; 已取先读到的值, 此值未用"
        }),
    }
}

/// A sheet or YAML cell with nothing in it (empty, or only spaces).
pub(crate) fn blank_cell(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => super::normalize::trim(s).is_empty(),
        _ => false,
    }
}

fn parse_cells(plan: &TablePlan, rows: &[CellRow], out: &mut ParsedChunk) {
    let mut spares = Spares::take();
    for r in rows {
        if let Some(why) = &r.unreadable {
            // (With the row's text, as every row error shows it.)
            let texts: Vec<String> = r.cells.iter().map(data_text).collect();
            let text = texts.join(",");
            out.skipped(r.row, texts);
            let mut error = plan.row_error(r.row, why.clone());
            if !text.trim_matches(',').is_empty() {
                error.value = Some(shorten(&text));
            }
            out.errors.push(error);
            continue;
        }
        if r.cells.iter().all(blank_cell) {
            out.blank_rows += 1;
            continue;
        }
        let label = match r.cells.iter().find(|d| !blank_cell(d)) {
            Some(Data::String(s)) => totals_label(s),
            _ => None,
        };
        if let Some(label) = label {
            let text: Vec<String> = r.cells.iter().map(data_text).collect();
            out.errors
                .push(plan.totals_row(r.row, &text.join(","), label));
            out.skipped(r.row, text);
            continue;
        }
        let mut values = spares.values(plan.n_fields);
        for &(c, f) in &plan.active {
            let own = r.cells.get(c).unwrap_or(&Data::Empty);
            if r.odd.is_empty() && plan.alt_columns.is_empty() {
                // (A sheet's cell, or a record of keys that names each
                // field once.)
                match plan.parse_cell(f, own) {
                    Ok(v) => values[f] = v,
                    Err(bad) => {
                        values[f] = Value::Invalid;
                        out.errors
                            .push(plan.error(r.row, Some(c), Some(plan.cell_text(own)), bad));
                    }
                }
                continue;
            }
            // A record of keys (YAML) may name the field under another
            // alias, or its key twice: the first value is read (its own
            // column's, unless blank).
            let given = field_values(plan, r, c, f);
            // (Another alias's value in its own key's unit.)
            let parse_at = |col: usize, d: &Data| {
                if col == c {
                    plan.parse_cell(f, d)
                } else {
                    plan.parse_key_cell(f, &plan.headers[col], d)
                }
            };
            // (A placeholder, `-` or `NULL`, is as blank as an empty cell.)
            let pick = given
                .iter()
                .position(|g| !blank_cell(g.1) && parse_at(g.0, g.1) != Ok(Value::Empty))
                .unwrap_or(0);
            let (col, d, kind) = given[pick];
            let parsed = match kind {
                Some(kind) => Err(not_single(plan, f, kind)),
                None => parse_at(col, d),
            };
            match parsed {
                Ok(v) => values[f] = v,
                Err(bad) => {
                    values[f] = Value::Invalid;
                    out.errors
                        .push(plan.error(r.row, Some(col), Some(plan.cell_text(d)), bad));
                }
            }
            // Another value of the field: reported, not dropped (a blank or
            // a placeholder is no value).
            for (i, &(ac, ad, kind)) in given.iter().enumerate() {
                if i == pick || blank_cell(ad) {
                    continue;
                }
                let other = match kind {
                    Some(_) => Value::Invalid,
                    None => parse_at(ac, ad).unwrap_or(Value::Invalid),
                };
                if other != Value::Empty && !crate::value::same_value(&other, &values[f]) {
                    out.errors.push(plan.error(
                        r.row,
                        Some(ac),
                        Some(plan.cell_text(ad)),
                        second_value(plan, f),
                    ));
                }
            }
        }
        if let Some(why) = no_record(plan, &values) {
            let text: Vec<String> = r.cells.iter().map(data_text).collect();
            out.errors
                .push(plan.valueless_row(r.row, &text.join(","), why));
            out.skipped(r.row, text);
            continue;
        }
        out.records.push(Record { row: r.row, values });
    }
}

/// The values a record of keys gives field `f` (column `c` feeds it), in
/// order: its column's cell, the same key again, then each other alias's
/// cell and its repeats; with the column and, for a list or a mapping, its
/// kind.
fn field_values<'r>(
    plan: &TablePlan,
    r: &'r CellRow,
    c: usize,
    f: usize,
) -> Vec<(usize, &'r Data, Option<&'static str>)> {
    let mut given = Vec::new();
    let columns = std::iter::once(c).chain(
        plan.alt_columns
            .iter()
            .filter(|&&(_, af)| af == f)
            .map(|&(ac, _)| ac),
    );
    for col in columns {
        let Some(d) = r.cells.get(col) else {
            continue;
        };
        let kind = r.odd.iter().find_map(|(oc, odd)| match odd {
            OddCell::Compound(kind) if *oc == col => Some(*kind),
            _ => None,
        });
        given.push((col, d, kind));
        for (oc, odd) in &r.odd {
            if let OddCell::Repeat(d, kind) = odd {
                if *oc == col {
                    given.push((col, d, *kind));
                }
            }
        }
    }
    if given.is_empty() {
        given.push((c, &Data::Empty, None));
    }
    given
}

/// A CSV row's cells in the columns no field is mapped to whose header is
/// another alias of a mapped field (or the same header again): the first
/// with a value is read when the field's own column is blank (or holds a
/// placeholder) in the row, and any later one holding another value is a
/// data error (see [`TablePlan::alt_columns`]), as in a sheet.
#[cold]
#[inline(never)]
fn alt_cells(
    plan: &TablePlan,
    out: &mut ParsedChunk,
    line: u32,
    cells: &RowCells<'_>,
    enc: TextEncoding,
    values: &mut [Value],
) {
    let text = |c: usize| -> String {
        let raw = cells.cell(c);
        enc.decode(raw).map_or_else(
            || String::from_utf8_lossy(raw).into_owned(),
            Cow::into_owned,
        )
    };
    // Whether a cell gives the field nothing: blank, or a placeholder.
    let nothing = |f: usize, c: usize, t: &str| {
        super::normalize::trim(t).is_empty()
            || plan.parse_key_cell(f, &plan.headers[c], &Data::String(t.to_owned()))
                == Ok(Value::Empty)
    };
    // Fields a second column filled in this row.
    let mut filled: Vec<usize> = Vec::new();
    for &(ac, f) in &plan.alt_columns {
        if ac >= cells.len() {
            continue;
        }
        let alt = text(ac);
        if nothing(f, ac, &alt) {
            continue;
        }
        let own_blank = !filled.contains(&f)
            && plan
                .active
                .iter()
                .find(|&&(_, af)| af == f)
                .is_none_or(|&(c, _)| c >= cells.len() || nothing(f, c, &text(c)));
        let parsed = plan.parse_key_cell(f, &plan.headers[ac], &Data::String(alt.clone()));
        if own_blank {
            filled.push(f);
            match parsed {
                Ok(v) => values[f] = v,
                Err(bad) => {
                    values[f] = Value::Invalid;
                    out.errors.push(plan.error(line, Some(ac), Some(alt), bad));
                }
            }
            continue;
        }
        let other = parsed.unwrap_or(Value::Invalid);
        if !crate::value::same_value(&other, &values[f]) {
            out.errors
                .push(plan.error(line, Some(ac), Some(alt), second_value(plan, f)));
        }
    }
}

/// The first cell of a row holding a NUL byte that a field reads (its
/// column or a second column of it), or past the header's width (a row
/// that is no record either way).
#[cold]
#[inline(never)]
fn nul_read(plan: &TablePlan, cells: &RowCells<'_>) -> Option<usize> {
    let read = |c: usize| {
        c >= plan.n_columns
            || plan.active.iter().any(|&(ac, _)| ac == c)
            || plan.alt_columns.iter().any(|&(ac, _)| ac == c)
    };
    (0..cells.len()).find(|&c| read(c) && cells.cell(c).contains(&0))
}

/// Report a row of [`parse_text`] holding a NUL byte in a cell a field
/// reads, and skip it: no cell's text holds one (a database field's
/// padding, a file damaged in copying); the cell is named, its NUL bytes
/// shown as `␀`.
#[cold]
#[inline(never)]
fn nul_row(
    plan: &TablePlan,
    out: &mut ParsedChunk,
    line: u32,
    cells: &RowCells<'_>,
    enc: TextEncoding,
) {
    let c = nul_read(plan, cells).unwrap_or(0);
    let raw = cells.cell(c);
    let text = enc
        .decode(raw)
        .map_or_else(
            || String::from_utf8_lossy(raw).into_owned(),
            Cow::into_owned,
        )
        .replace('\0', "␀");
    // (The row's texts without their NUL bytes: `RowCells::texts`. A key
    // of NUL bytes alone gives no text: the row may hold any key.)
    let key = plan
        .active
        .iter()
        .any(|&(ac, f)| ac == c && plan.key_field[f]);
    let any = key && text.replace('␀', "").trim().is_empty();
    out.skipped_as(line, cells.texts(enc), any);
    out.errors.push(plan.error(
        line,
        Some(c),
        Some(text),
        BadCell {
            expected: intern("不含 NUL 字节的文字"),
            message: intern("单元格含有 NUL 字节 (显示为 ␀), 不是文字;已跳过此行"),
        },
    ));
}

/// Report a row of [`parse_text`] that [`no_record`] finds (out of the
/// loop over rows: a rare case).
#[cold]
#[inline(never)]
fn valueless(
    plan: &TablePlan,
    out: &mut ParsedChunk,
    line: u32,
    cells: &RowCells<'_>,
    enc: TextEncoding,
    delimiter: u8,
    why: NoRecord,
) {
    out.skipped_cells(line, cells, enc);
    out.errors
        .push(plan.valueless_row(line, &cells.text(enc, delimiter), why));
}

/// A row whose recognised columns are all empty (or placeholders), its
/// content only in columns of no field (a footer's 制表人, a note): not a
/// record (it would be one without a key, undetermined for every rule),
/// but not a blank row either. (A unreadable value is a value: its record
/// is kept and the cell reported.) A field with a default counts as empty
/// when it holds what an empty cell reads as (`特别程序天数` empty = 0: the
/// case log's footer is no case with `suspended_days` 0).
///
/// In a table whose header maps three columns or more, a row with one value
/// alone (`制表人:张三` in the first column, `一、行政许可` not merged
/// across, a note) is no record either: it would be one judged on nothing,
/// undetermined for every rule (a CSV saved by Excel writes such a row out
/// to the full width; a sheet has no width). A key alone stays a record (a
/// unit of the register with nothing else filled in) unless it reads as a
/// line of text, no key: with a colon, an enumeration comma or a space
/// inside. Records of keys (JSON Lines, YAML) leave out what is empty: one
/// value is a record there.
fn no_record(plan: &TablePlan, values: &[Value]) -> Option<NoRecord> {
    if let Some((a, b)) = plan.surely_two {
        let held = |f: usize| values.get(f).is_some_and(|v| !matches!(v, Value::Empty));
        if held(a) && held(b) {
            return None;
        }
    }
    // Most rows: two values in fields where an empty cell reads as empty
    // (an id, an item code), found by their kind alone: the first two such
    // fields, then any two. (A pass of its own:
    // folded into the filter below as `empty is Empty || v != empty`, it
    // saved half as many instructions, 1,074 against 1,054 million reading
    // 200k cases.)
    let mut surely_held = values
        .iter()
        .zip(&plan.empty_cell)
        .filter(|(v, empty)| matches!(empty, Value::Empty) && !matches!(v, Value::Empty));
    if surely_held.next().is_some() && surely_held.next().is_some() {
        return None;
    }
    let mut held = values
        .iter()
        .zip(&plan.empty_cell)
        .enumerate()
        .filter(|(_, (v, empty))| !matches!(v, Value::Empty) && *v != *empty);
    match (held.next(), held.next()) {
        (None, _) => Some(NoRecord::Valueless),
        (Some((f, (v, _))), None) if !plan.records_of_keys && plan.active.len() >= 3 => {
            let text_line = || match v {
                Value::Str(s) => s
                    .trim()
                    .contains([':', '：', '、', ' ', '\u{3000}', '\u{a0}']),
                _ => false,
            };
            (!plan.key_field[f] || text_line()).then_some(NoRecord::Lone)
        }
        _ => None,
    }
}

/// Why a row is not a record (see [`no_record`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NoRecord {
    /// Its recognised columns are all empty.
    Valueless,
    /// One recognised column alone has a value.
    Lone,
}

/// The label of a totals row (`合计`, `总计`, `小计`, `共计`, `累计`,
/// `总合计`, with any spaces inside and a colon after, or `合计：1,234 元`),
/// when `cell`, the first cell of a row with content, is one. Exports of the
/// fee ledger and case system often end a table with such a row: it sums
/// the records above and is not one of them.
fn totals_label(cell: &str) -> Option<&'static str> {
    const LABELS: [&str; 6] = ["总合计", "合计", "总计", "小计", "共计", "累计"];
    let is_space = super::normalize::is_space;
    let first = cell.trim_start_matches(is_space).chars().next()?;
    if first.is_ascii() {
        return None;
    }
    let text: String = cell.chars().filter(|&c| !is_space(c)).collect();
    LABELS.into_iter().find(|label| {
        text.strip_prefix(label).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with([':', '：']) || rest.starts_with(['(', '（'])
        })
    })
}
