//! Reading real exports: discovery, formats, encodings, headers, values and
//! bad rows (issue 3; the data contract in `shared/data-contract.md`).
//!
//! ```text
//! dir ─► discover (walk, skip, sample, header → dataset) ─► SourceFile*
//!        SourceFile ─► stream_chunks (raw rows) ─► parse_chunk (records, data errors)
//! ```
//! - [`discover`] reads only the first rows of each file and says which
//!   dataset each table holds and what was skipped and why;
//! - [`stream_chunks`] hands out raw rows in chunks (memory does not grow
//!   with the file; a CSV is only cut at record boundaries there, and split
//!   into cells by the worker, see `split`); [`parse_chunk`] is pure and
//!   runs on any rayon worker;
//!   [`par_stream`] does both on the rayon pool (a text's or JSON Lines'
//!   chunks read by the workers in turn, other formats on a reader thread);
//! - [`read_table`] reads a whole table (small datasets);
//! - [`inspect`](mod@inspect) is `yimen inspect`.
//!
//! Invariants: output order is deterministic (paths sorted, chunks merged by
//! index); nothing read is dropped without a count: a cell that does not
//! parse is `Value::Invalid` with a [`DataError`], a row with the wrong
//! number of cells is skipped with a [`DataError`], a file not read is a
//! [`Skipped`] entry (and a [`ReadError`] when it could not be read at all).
//! No input makes this module panic.

mod bytemask;
pub mod cell;
mod cfb;
mod chunk;
mod deferred;
mod discover;
pub mod encoding;
pub mod header;
pub mod inspect;
mod jsonl;
pub mod mapping;
mod merged;
pub mod normalize;
mod pool;
mod sheet;
mod split;
mod text;
mod workbook_errors;
mod yaml;
mod yaml_keys;
mod yaml_lines;

use std::path::PathBuf;
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use rayon::iter::{ParallelBridge, ParallelIterator};
use serde::Serialize;

pub use chunk::{parse_chunk, Chunk, ParsedChunk, Unread};
pub use deferred::{DeferredCells, DEFERRED};
pub use discover::discover;
pub(crate) use discover::is_data_file_name;
pub(crate) use discover::same_file;
pub use encoding::TextEncoding;
pub use header::Column;
pub use inspect::{inspect, render_json, render_text, FileInfo, InspectReport};
pub use mapping::Mapping;
pub use pool::recycle;
pub use yaml_keys::{bounded_yaml, yaml_from_str, yaml_keys_once};

use crate::schema::Schema;
use crate::text::Text;
use crate::value::Value;

/// How to read.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub mapping: Option<Mapping>,
    /// Stop at the first file that cannot be read; [`read_table`] also
    /// stops at the first data error (a [`ReadError::BadData`]). Streaming
    /// callers see every error in their chunks and decide.
    pub strict: bool,
}

/// One record: its row as the file shows it, and its values in the schema's
/// field order (fields without a column are `Value::Empty`).
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// 1-based: the line (CSV, JSONL), the sheet row (xlsx, xls), the
    /// position in the list (YAML).
    pub row: u32,
    pub values: Vec<Value>,
}

/// A cell or row that could not be read. Serialises as an entry of the
/// findings contract's `data_errors`.
///
/// Its texts but the value repeat from error to error (a column whose
/// every cell is unreadable gives a million errors): each is a [`Text`],
/// interned where it is made, a copy of a pointer for every error.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DataError {
    /// Relative to the audited folder, `/` separators.
    pub file: Text,
    pub sheet: Option<Text>,
    pub row: u32,
    /// The header as written in the file.
    pub column: Option<Text>,
    /// The raw value.
    pub value: Option<String>,
    /// The expected type (`datetime`, `int`, `enum` …).
    pub expected: Option<Text>,
    /// What is wrong, in Chinese.
    pub message: Text,
}

/// A file (or a sheet of it) that was not read, and why (in Chinese).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
    /// It could not be read (it has a [`ReadError`]), as opposed to holding
    /// no dataset (a README, a lock file): what `audit` fails on.
    pub unreadable: bool,
}

/// File formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Csv,
    Tsv,
    Xlsx,
    Xls,
    Jsonl,
    Yaml,
    Json,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Jsonl => "jsonl",
            Format::Yaml => "yaml",
            Format::Json => "json",
        }
    }
}

/// One table to read: a text file, a sheet of a workbook, a list in a YAML
/// file; with the dataset and columns discovery settled on.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path to open.
    pub path: PathBuf,
    /// Relative to the audited folder, `/` separators.
    pub rel: String,
    pub format: Format,
    pub encoding: Option<TextEncoding>,
    /// CSV delimiter (`,` or tab).
    pub delimiter: u8,
    /// The sheet (workbooks) or key (YAML) of the table.
    pub sheet: Option<String>,
    /// 1-based row of the header's first row (None for JSONL and YAML).
    pub header_row: Option<u32>,
    /// Raw rows (records, sheet rows) before the data.
    pub data_skip: usize,
    pub dataset: String,
    pub columns: Vec<Column>,
    /// Required fields of the dataset without a column (when the dataset
    /// was decided by the file name or the mapping).
    pub missing_required: Vec<String>,
}

impl SourceFile {
    /// Headers of the columns that feed no field (non-empty ones).
    pub fn unmapped_columns(&self) -> Vec<String> {
        self.columns
            .iter()
            .filter(|c| c.field.is_none() && !c.header.is_empty())
            .map(|c| c.header.clone())
            .collect()
    }

    /// Per column, the field it feeds: its own, or in records of keys
    /// (JSON Lines, YAML, JSON) the field whose other alias it is (read
    /// where a record leaves that field's column absent or empty).
    pub fn column_fields(&self, schema: &Schema, mapping: Option<&Mapping>) -> Vec<Option<usize>> {
        chunk::TablePlan::column_fields(self, schema, mapping)
    }
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// In path order (sheets in workbook order).
    pub sources: Vec<SourceFile>,
    /// In path order.
    pub skipped: Vec<Skipped>,
    /// Files that could not be read (each also in `skipped`).
    pub errors: Vec<ReadError>,
    /// Data files (or a sheet or key of one) skipped because no header in
    /// them fits a dataset (each also in `skipped`): one named as a dataset
    /// may hold it, unrecognised (an encoding yimen does not read, a header
    /// written otherwise). With each, the dataset its header came closest
    /// to (a name naming several datasets, `目录调整记录`, is taken to name
    /// that one).
    pub headerless: Vec<(String, Option<usize>)>,
    /// What became of each of the mapping's `files` patterns.
    pub pattern_use: Vec<mapping::PatternUse>,
}

/// A file that cannot be read, or a mapping that cannot be used.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ReadError {
    #[error("{file}: 无法读取: {reason}")]
    Unreadable { file: String, reason: String },
    #[error("{file}: 读写错误: {message}")]
    Io { file: String, message: String },
    #[error("{file}: 无法识别的文本编码: {detail}")]
    UnknownEncoding { file: String, detail: String },
    #[error("{file}{}: 表头同样符合多个数据集: {}(请在映射文件 files 中指定 dataset)", sheet.as_ref().map(|s| format!(" [{s}]")).unwrap_or_default(), candidates.join("、"))]
    AmbiguousHeader {
        file: String,
        sheet: Option<String>,
        candidates: Vec<String>,
    },
    #[error("映射文件 {file}{}: {message}", line.map(|l| format!(" 第 {l} 行")).unwrap_or_default())]
    BadMapping {
        file: String,
        line: Option<usize>,
        message: String,
    },
    #[error("{file}: 数据集 `{dataset}` 不在 schema 中")]
    UnknownDataset { file: String, dataset: String },
    #[error("{file}: 读取被中止")]
    Aborted { file: String },
    /// With `strict`: the first data error of a table read whole.
    #[error("{}{}: 第 {} 行{}: {}", error.file, error.sheet.as_ref().map(|s| format!(" [{s}]")).unwrap_or_default(), error.row, error.column.as_ref().map(|c| format!(" {c}")).unwrap_or_default(), error.message)]
    BadData { file: String, error: Box<DataError> },
}

impl ReadError {
    /// What an I/O error reading `file` (relative to the audited folder)
    /// becomes: for `map_err`.
    pub(crate) fn io(file: &str) -> impl Fn(std::io::Error) -> ReadError + Copy + '_ {
        move |e| ReadError::Io {
            file: file.to_string(),
            message: e.to_string(),
        }
    }

    /// The error without the file name (for a [`Skipped`] reason).
    pub fn reason(&self) -> String {
        let full = self.to_string();
        let prefix = format!("{}: ", self.file());
        match full.strip_prefix(&prefix) {
            Some(r) => r.to_string(),
            None => full,
        }
    }

    /// The file the error is about.
    pub fn file(&self) -> &str {
        match self {
            ReadError::Unreadable { file, .. }
            | ReadError::Io { file, .. }
            | ReadError::UnknownEncoding { file, .. }
            | ReadError::AmbiguousHeader { file, .. }
            | ReadError::BadMapping { file, .. }
            | ReadError::UnknownDataset { file, .. }
            | ReadError::Aborted { file }
            | ReadError::BadData { file, .. } => file,
        }
    }

    /// The sheet the error is about, when it names one.
    pub fn sheet(&self) -> Option<&str> {
        match self {
            ReadError::AmbiguousHeader { sheet, .. } => sheet.as_deref(),
            ReadError::BadData { error, .. } => error.sheet.as_deref(),
            _ => None,
        }
    }
}

/// Totals of one streamed source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Raw data rows handed out (records, bad and blank rows).
    pub raw_rows: u64,
    pub chunks: u64,
}

/// A YAML error of a configuration file in the words of its format, not of
/// the Rust types it was read into (`expected struct RawMapping`,
/// `expected u32`, `as i128`): what a user can act on. A repeated key is
/// named with its line, in Chinese.
pub fn yaml_message(e: &serde_yaml::Error) -> String {
    let mut m = e.to_string();
    if let Some(key) = repeated_key(&m) {
        let place = e
            .location()
            .map_or(String::new(), |l| format!("第 {} 行", l.line()));
        return format!("键 {key} 重复出现({place}): 同一映射中每个键只能写一次");
    }
    // `struct Name` (a Rust type) → a mapping.
    while let Some(i) = m.find("struct ") {
        let end = m[i + 7..]
            .find(|c: char| !c.is_alphanumeric() && c != '_')
            .map_or(m.len(), |j| i + 7 + j);
        m.replace_range(i..end, "a mapping (key: value)");
    }
    for (rust, plain) in [
        (" as i128", ""),
        (" as u128", ""),
        ("expected u8", "expected a non-negative integer"),
        ("expected u16", "expected a non-negative integer"),
        ("expected u32", "expected a non-negative integer"),
        ("expected u64", "expected a non-negative integer"),
        ("expected usize", "expected a non-negative integer"),
        ("expected i32", "expected an integer"),
        ("expected i64", "expected an integer"),
        ("expected f64", "expected a number"),
        ("unit value", "an empty value (~)"),
        ("any YAML value", "a value"),
    ] {
        m = m.replace(rust, plain);
    }
    serde_in_chinese(&m)
}

/// serde's words for what a configuration file got wrong, in Chinese, as
/// yimen's own messages are (an invalid value, integer -1, where a
/// non-negative integer goes: `值无效: 整数 -1, 应为非负整数`; a place
/// `(第 3 行第 5 列)`); the names in backticks stay as written.
pub(crate) fn serde_in_chinese(m: &str) -> String {
    let mut m = m.to_string();
    for (en, zh) in [
        ("invalid value: ", "值无效: "),
        ("invalid type: ", "类型不对: "),
        ("invalid length ", "长度不对: "),
        ("unknown field ", "未知的字段 "),
        ("unknown variant ", "未知的取值 "),
        ("missing field ", "缺少字段 "),
        (", expected one of ", ", 应为以下之一: "),
        (", expected ", ", 应为 "),
        // (What was expected first: `a boolean` before `boolean `.)
        ("a non-negative integer", "非负整数"),
        ("an integer", "整数"),
        ("a number", "数"),
        ("a mapping (key: value)", "映射 (键: 值)"),
        ("a sequence", "列表"),
        ("a string", "文本"),
        ("a boolean", "是/否 (true/false)"),
        ("a map", "映射"),
        ("an empty value (~)", "空值 (~)"),
        ("integer ", "整数 "),
        ("floating point ", "小数 "),
        ("string ", "文本 "),
        ("boolean ", "是/否 "),
        ("` or `", "` 或 `"),
    ] {
        m = m.replace(en, zh);
    }
    // Each ` at line 3 column 5` → ` (第 3 行第 5 列)`.
    let mut out = String::with_capacity(m.len());
    let mut rest = m.as_str();
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let line: String = after.chars().take_while(char::is_ascii_digit).collect();
        let tail = &after[line.len()..];
        let column = tail
            .strip_prefix(" column ")
            .map(|t| {
                t.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            })
            .filter(|c| !c.is_empty());
        match (line.is_empty(), column) {
            (false, Some(c)) => {
                out.push_str(&format!(" (第 {line} 行第 {c} 列)"));
                rest = &tail[" column ".len() + c.len()..];
            }
            (false, None) => {
                out.push_str(&format!(" (第 {line} 行)"));
                rest = tail;
            }
            (true, _) => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The key a serde YAML error says is repeated (in `duplicate entry with
/// key "M01"` or in `duplicate field` followed by the key in backticks), as
/// written.
pub(crate) fn repeated_key(message: &str) -> Option<String> {
    let (_, rest) = message
        .split_once("duplicate entry with key ")
        .or_else(|| message.split_once("duplicate field "))?;
    let rest = rest.split(" at line ").next().unwrap_or(rest);
    let key = rest
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| rest.strip_prefix('`').and_then(|r| r.strip_suffix('`')))
        .unwrap_or(rest);
    Some(key.to_string())
}

/// The largest configuration or policy file yimen reads (a mapping,
/// parameters, weights, a calendar, waivers, a policy; not a baseline, a
/// previous report read as it streams).
pub const SMALL_FILE_LIMIT: u64 = 64 << 20;

/// A file opened for reading, its failures in words (`文件不存在`); a
/// folder is refused.
pub fn open_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::io::{Error, ErrorKind};
    if path.is_dir() {
        return Err(Error::other("是文件夹, 不是文件"));
    }
    std::fs::File::open(path).map_err(|e| match e.kind() {
        ErrorKind::NotFound => Error::new(ErrorKind::NotFound, "文件不存在"),
        ErrorKind::PermissionDenied => Error::new(ErrorKind::PermissionDenied, "没有读取权限"),
        _ => e,
    })
}

/// A configuration file as text, without the byte order mark a Windows
/// editor saves (which would make a YAML file's first key another text:
/// a region's `sources/` document read as missing its fields); see
/// [`small_file`].
pub fn small_config_file(path: &std::path::Path) -> std::io::Result<String> {
    let mut text = small_file(path)?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// A configuration or policy file as text: a folder, a file larger than
/// [`SMALL_FILE_LIMIT`] (`/dev/zero`) or one that is not UTF-8 is an error
/// in plain words, not an endless read. (A policy keeps its byte order
/// mark here: `PolicySource` drops it, and `fmt` rewrites the file.)
pub fn small_file(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read as _};
    let file = open_file(path)?;
    let mut bytes = Vec::new();
    file.take(SMALL_FILE_LIMIT + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > SMALL_FILE_LIMIT {
        return Err(Error::other(format!(
            "文件超过 {} MiB, 不是配置或规则文件",
            SMALL_FILE_LIMIT >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        // Where the first byte that is no UTF-8 is, and how to mend it (a
        // policy or mapping saved as GBK by an editor's default).
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = memchr::memchr_iter(b'\n', &bytes[..at]).count() + 1;
        let gbk = encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(bytes);
        let hint = if gbk.is_some() {
            "; 文件像是 GBK 编码: 请在编辑器中以 UTF-8 编码另存"
        } else {
            "; 请在编辑器中以 UTF-8 编码另存"
        };
        Error::new(
            ErrorKind::InvalidData,
            format!("不是 UTF-8 编码的文本 (第 {line} 行起){hint}"),
        )
    })
}

/// Rows per chunk that suits the engine: large enough to amortise the
/// hand-over, small enough that a chunk's records are still in the cache
/// (two megabytes of level 2 a core here) when the rules read them after
/// parsing. 8,192 rows against 2,048 (2026-12, two cores): 2M cases of the
/// real catalogue 1.97 -> 1.59-1.96 s, 10M generated cases 4.2 -> 4.05 s,
/// when each chunk made and folded its own groups (a group rule over a real
/// catalogue's thousand items meets most of its groups in every chunk).
/// Since a worker keeps its memos and groups across its chunks, 4,096 rows
/// (session 40, alternated runs): 10M generated cases 3.70-3.86 -> 3.66-3.79
/// s, peak RSS 192-200 -> 185-188 MB; 1M real-catalogue cases 0.48-0.51 s
/// either way (77 MB against 87); 2,048 no faster than 4,096. Earlier, with
/// less shared per worker, 16,384 rows cost 13% more CPU than 2,048. On the
/// VM of sessions 45-46 (512 KiB of level 2 a core), 1,024 and 2,048 rows
/// against 4,096: 10M generated cases within the noise (seven alternated
/// runs each), 1.3% more instructions at 1,024, 15-18 MB less peak RSS.
pub const DEFAULT_CHUNK_ROWS: usize = 4_096;

/// The plan of `source`, its text cells of field `defer` kept as bytes
/// where they can be (see [`DeferredCells`]).
fn plan_for(
    source: &SourceFile,
    schema: &Schema,
    opts: &ReadOptions,
    defer: Option<usize>,
) -> Result<Arc<chunk::TablePlan>, ReadError> {
    chunk::TablePlan::new(source, schema, opts.mapping.as_ref())
        .map(|p| p.deferring(defer))
        .map(Arc::new)
        .ok_or_else(|| ReadError::UnknownDataset {
            file: source.rel.clone(),
            dataset: source.dataset.clone(),
        })
}

/// Hands out the raw data rows of `source` in chunks of `chunk_rows`, in
/// file order, to `f` (which may send them to workers). Memory: one chunk
/// plus the reader's buffer (a workbook is loaded whole). An error from `f`
/// stops the reading and is returned.
pub fn stream_chunks<E: From<ReadError>>(
    source: &SourceFile,
    schema: &Schema,
    opts: &ReadOptions,
    chunk_rows: usize,
    mut f: impl FnMut(Chunk) -> Result<(), E>,
) -> Result<StreamStats, E> {
    let plan = plan_for(source, schema, opts, None)?;
    let chunk_rows = chunk_rows.max(1);
    let mut chunks = 0u64;
    let mut user_err: Option<E> = None;
    let mut sink = |c: Chunk| -> Result<(), ReadError> {
        chunks += 1;
        f(c).map_err(|e| {
            user_err = Some(e);
            ReadError::Aborted {
                file: source.rel.clone(),
            }
        })
    };
    let res = match source.format {
        Format::Csv | Format::Tsv => {
            text::TextChunks::open(source, &plan, chunk_rows).and_then(|c| c.drain(&mut sink))
        }
        Format::Xlsx | Format::Xls => sheet::stream(source, &plan, chunk_rows, &mut sink),
        Format::Jsonl => {
            jsonl::JsonlChunks::open(source, &plan, chunk_rows).and_then(|c| c.drain(&mut sink))
        }
        Format::Yaml | Format::Json => yaml::stream(source, &plan, chunk_rows, &mut sink),
    };
    match res {
        Ok(raw_rows) => Ok(StreamStats { raw_rows, chunks }),
        Err(e) => Err(user_err.unwrap_or_else(|| E::from(e))),
    }
}

/// Reads `source` and parses its chunks on the rayon pool, calling `f`
/// with each parsed chunk (in any order: merge by `ParsedChunk::index`). A
/// CSV, TSV or JSON Lines source is read by the workers themselves
/// (`par_pull`); other formats on a reader thread. At most a few chunks
/// are in flight.
pub fn par_stream<F>(
    source: &SourceFile,
    schema: &Schema,
    opts: &ReadOptions,
    chunk_rows: usize,
    f: F,
) -> Result<StreamStats, ReadError>
where
    F: Fn(ParsedChunk) + Sync + Send,
{
    par_stream_deferring(source, schema, opts, chunk_rows, None, f)
}

/// [`par_stream`], the cells of field `defer` (a text nothing but record
/// rules' messages reads, `engine::run::deferrable_field`)
/// kept as bytes where they can be, not made texts: in
/// [`ParsedChunk::deferred`] (a CSV or TSV; other formats read them all).
pub fn par_stream_deferring<F>(
    source: &SourceFile,
    schema: &Schema,
    opts: &ReadOptions,
    chunk_rows: usize,
    defer: Option<usize>,
    f: F,
) -> Result<StreamStats, ReadError>
where
    F: Fn(ParsedChunk) + Sync + Send,
{
    match source.format {
        Format::Csv | Format::Tsv => {
            let plan = plan_for(source, schema, opts, defer)?;
            return par_pull(text::TextChunks::open(source, &plan, chunk_rows)?, f);
        }
        Format::Jsonl => {
            let plan = plan_for(source, schema, opts, None)?;
            return par_pull(jsonl::JsonlChunks::open(source, &plan, chunk_rows)?, f);
        }
        Format::Xlsx | Format::Xls | Format::Yaml | Format::Json => {}
    }
    let in_flight = rayon::current_num_threads().max(1) * 2;
    let (tx, rx) = sync_channel::<Chunk>(in_flight);
    std::thread::scope(|s| {
        let reader = s.spawn(move || {
            stream_chunks(source, schema, opts, chunk_rows, |c| {
                tx.send(c).map_err(|_| ReadError::Aborted {
                    file: source.rel.clone(),
                })
            })
        });
        rx.into_iter().par_bridge().for_each(|c| {
            // (The raw chunk is gone before the records are used.)
            f(parse_chunk(c));
        });
        reader.join().unwrap_or_else(|_| {
            Err(ReadError::Aborted {
                file: source.rel.clone(),
            })
        })
    })
}

/// A source whose chunks the workers read in turn ([`par_pull`]): a text
/// (`text::TextChunks`) or JSON Lines (`jsonl::JsonlChunks`).
pub(crate) trait Pulled: Send {
    /// The next chunk, numbered in file order; `None` at the end.
    fn next_chunk(&mut self) -> Result<Option<Chunk>, ReadError>;
    /// The raw rows and the chunks given so far.
    fn stats(&self) -> StreamStats;

    /// Every chunk to `f` in turn, on this thread; the raw rows read.
    fn drain(mut self, f: &mut dyn FnMut(Chunk) -> Result<(), ReadError>) -> Result<u64, ReadError>
    where
        Self: Sized,
    {
        while let Some(chunk) = self.next_chunk()? {
            f(chunk)?;
        }
        Ok(self.stats().raw_rows)
    }
}

/// The chunks of `source`, each parsed and handed to `f` by the worker
/// that took it: the workers take turns asking for the next chunk (cut or
/// read then, into its worker's cache), so no reader thread takes a core's
/// time from them. At most one chunk a worker is in flight. The first error
/// ends the stream and is returned.
fn par_pull<F>(mut source: impl Pulled, f: F) -> Result<StreamStats, ReadError>
where
    F: Fn(ParsedChunk) + Sync + Send,
{
    let mut failed = None;
    // (`par_bridge` asks for the next item under its lock: one worker
    // reads at a time, in file order, so the chunks' indices are in order.)
    std::iter::from_fn(|| match source.next_chunk() {
        Ok(chunk) => chunk,
        Err(e) => {
            failed = Some(e);
            None
        }
    })
    .par_bridge()
    .for_each(|c| f(parse_chunk(c)));
    failed.map_or_else(|| Ok(source.stats()), Err)
}

/// A whole table: its records in file order and its data errors in row
/// order, plus the counts of skipped and blank rows.
#[derive(Debug, Default)]
pub struct Table {
    pub records: Vec<Record>,
    pub errors: Vec<DataError>,
    pub bad_rows: u64,
    pub blank_rows: u64,
    /// The rows skipped, with their texts (see [`chunk::Unread`]).
    pub unread: Vec<chunk::Unread>,
}

/// A record of a register whose lookup key could not be read (a NUL in it,
/// bytes of another encoding) may be the one a lookup looks for: its row is
/// also an unread row, with the record's texts, its data errors' values (a
/// NUL shown as `␀` left out) and what a cell reads as in the other common
/// encoding (the reader's unread entry for that row), so that a lookup of
/// any key they may give is unknown, never "no match" (the record stays,
/// its other values read); with no reading of the key (a formula without
/// its result, NUL bytes alone) a lookup of any key.
fn unknown_keys(t: &mut Table, source: &SourceFile, schema: &Schema) {
    let Some(ds) = schema.dataset(&source.dataset) else {
        return;
    };
    // (The fields a lookup goes by: an authorisation's `valid_from` is in
    // its key, not in its lookups, whose dates `valid_on` reads.)
    let keys: Vec<usize> = ds.lookup.iter().filter_map(|k| ds.field_index(k)).collect();
    let unknown = |r: &Record| {
        keys.iter()
            .any(|&f| matches!(r.values.get(f), Some(Value::Invalid)))
    };
    if !t.records.iter().any(unknown) {
        return;
    }
    // By row: the texts its errors and the reader's unread entries give,
    // and whether one of them reads the key (a NUL's cell without it, not
    // empty; a cell of another encoding as that encoding reads it).
    let mut said: std::collections::HashMap<u32, (Vec<String>, bool)> =
        std::collections::HashMap::new();
    for e in &t.errors {
        if let Some(v) = &e.value {
            let text = v.replace('␀', "");
            let (texts, read) = said.entry(e.row).or_default();
            *read |= e.expected.as_deref() == Some(chunk::NO_NUL) && !text.trim().is_empty();
            texts.push(text);
        }
    }
    for u in &t.unread {
        let (texts, read) = said.entry(u.row).or_default();
        *read |= !u.texts.is_empty();
        texts.extend(u.texts.iter().cloned());
    }
    let mut more = Vec::new();
    for r in t.records.iter().filter(|r| unknown(r)) {
        let (mut texts, read) = said.remove(&r.row).unwrap_or_default();
        texts.extend(r.values.iter().filter_map(|v| match v {
            Value::Str(s) => Some(s.to_string()),
            _ => None,
        }));
        // (No reading of the key at all, a formula without its result or a
        // key of NUL bytes alone: it may be any key.)
        more.push(chunk::Unread {
            row: r.row,
            texts,
            any: !read,
        });
    }
    t.unread.extend(more);
}

/// Adds to each skipped row's texts what the value aliases (the schema's
/// and the mapping's) make of them: a row whose `县民政局` the mapping
/// reads as 民政局 may hold 民政局's key.
fn with_alias_targets(
    unread: &mut [chunk::Unread],
    source: &SourceFile,
    schema: &Schema,
    opts: &ReadOptions,
) {
    let Some(ds) = schema.dataset(&source.dataset) else {
        return;
    };
    if unread.is_empty() {
        return;
    }
    let parsers: Vec<cell::CellParser> = ds
        .fields
        .iter()
        .map(|f| {
            let extra = opts
                .mapping
                .as_ref()
                .and_then(|m| m.values(&ds.name, &f.name));
            cell::CellParser::new(f, extra)
        })
        .collect();
    for u in unread {
        let targets: Vec<String> = u
            .texts
            .iter()
            .flat_map(|t| parsers.iter().filter_map(move |p| p.alias_target(t)))
            .filter(|target| !u.texts.iter().any(|t| t == target))
            .map(str::to_string)
            .collect();
        u.texts.extend(targets);
    }
}

/// Reads a whole table (parsing in parallel).
pub fn read_table(
    source: &SourceFile,
    schema: &Schema,
    opts: &ReadOptions,
) -> Result<(Vec<Record>, Vec<DataError>), ReadError> {
    read_table_full(source, schema, opts).map(|t| (t.records, t.errors))
}

/// [`read_table`] with the row counts.
/// The longest text of a table held whole that [`intern_held_texts`]
/// interns (a long free text, 审批内容, is rarely read per case).
const HELD_TEXT_INTERNED: usize = 128;

/// Intern the short texts of a table held whole: every worker reads them
/// (a lookup's values are cloned into each case's verdict), and a
/// reference count that two cores update in turn moves its cache line
/// between them on every clone (measured: 3% of the audit's wall time at
/// two threads).
fn intern_held_texts(records: &mut [Record]) {
    for v in records.iter_mut().flat_map(|r| r.values.iter_mut()) {
        if let Value::Str(s) = v {
            // (Also a text a worker's reader kept static: interned, it is
            // one string for the process, as a policy's constants are.)
            if s.len() <= HELD_TEXT_INTERNED {
                *v = Value::Str(crate::text::intern(s));
            }
        }
    }
}

pub fn read_table_full(
    source: &SourceFile,
    schema: &Schema,
    opts: &ReadOptions,
) -> Result<Table, ReadError> {
    let parts = Mutex::new(Vec::new());
    par_stream(source, schema, opts, DEFAULT_CHUNK_ROWS, |p| {
        if let Ok(mut v) = parts.lock() {
            v.push(p);
        }
    })?;
    let mut parts = parts.into_inner().unwrap_or_default();
    parts.sort_by_key(|p| p.index);
    let mut t = Table::default();
    for p in parts {
        t.records.extend(p.records);
        t.errors.extend(p.errors);
        t.bad_rows += p.bad_rows;
        t.blank_rows += p.blank_rows;
        t.unread.extend(p.unread);
    }
    unknown_keys(&mut t, source, schema);
    with_alias_targets(&mut t.unread, source, schema, opts);
    intern_held_texts(&mut t.records);
    if opts.strict {
        if let Some(e) = t.errors.first() {
            return Err(ReadError::BadData {
                file: e.file.to_string(),
                error: Box::new(e.clone()),
            });
        }
    }
    Ok(t)
}
