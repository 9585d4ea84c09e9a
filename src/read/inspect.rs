//! `yimen inspect DIR`: what each file was read as (dataset, format,
//! encoding, sheet, header row, rows, mapped and unmapped columns, value
//! errors per column) and what was skipped and why. A user's first command
//! on a new export.
//!
//! The JSON form follows `contracts/inspect.schema.json`; a skipped entry
//! also says whether the file could not be read (`unreadable`, as in the
//! audit's `skipped`), which the contract's open objects allow.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;

use super::{discover, par_stream, DataError, ReadError, ReadOptions, Skipped, DEFAULT_CHUNK_ROWS};
use crate::schema::Schema;

/// Data errors kept as examples per file.
const SAMPLE_ERRORS: usize = 20;

/// What one table was read as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    pub path: String,
    pub dataset: String,
    /// csv | tsv | xlsx | xls | jsonl | yaml | json
    pub format: String,
    pub encoding: Option<String>,
    pub sheet: Option<String>,
    pub header_row: Option<u32>,
    /// Records read (rows skipped for a wrong cell count are not records).
    pub rows: u64,
    pub unmapped_columns: Vec<String>,
    /// Data errors (cells that do not parse, rows skipped).
    pub errors: u64,
    /// (header, field) of every column.
    pub columns: Vec<(String, Option<String>)>,
    /// Required fields without a column.
    pub missing_required: Vec<String>,
    /// Rows skipped for a wrong number of cells (counted in `errors`).
    pub bad_rows: u64,
    /// Rows without any content.
    pub blank_rows: u64,
    /// Value errors per column header, in column order.
    pub column_errors: Vec<(String, u64)>,
    /// The first data errors, in row order.
    pub sample_errors: Vec<DataError>,
}

/// The whole inspection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InspectReport {
    pub files: Vec<FileInfo>,
    pub skipped: Vec<Skipped>,
    /// What became of each of the mapping's `files` patterns.
    pub pattern_use: Vec<super::mapping::PatternUse>,
}

/// Counts of one table while it is read.
#[derive(Default)]
struct Acc {
    rows: u64,
    errors: u64,
    bad: u64,
    blank: u64,
    per_col: std::collections::HashMap<String, u64>,
    samples: Vec<(u64, DataError)>,
}

/// Inspects `dir`: discovery, then every table read and counted. A table
/// that fails half-way is listed as skipped (or the error returned when
/// `strict`).
pub fn inspect(
    dir: &Path,
    schema: &Schema,
    opts: &ReadOptions,
) -> Result<InspectReport, ReadError> {
    let d = discover(dir, schema, opts)?;
    // Discovery goes on past a table it reports unreadable (without its key
    // column, or not fitting the dataset the mapping names); `strict`
    // stops there, as `audit` does.
    if let Some(e) = d.errors.first().filter(|_| opts.strict) {
        return Err(e.clone());
    }
    let mut report = InspectReport {
        files: Vec::new(),
        skipped: d.skipped,
        pattern_use: d.pattern_use,
    };
    for src in &d.sources {
        let ds = schema.dataset(&src.dataset);
        let field_name = |f: usize| ds.and_then(|d| d.fields.get(f)).map(|f| f.name.clone());
        let acc = Mutex::new(Acc::default());
        let res = par_stream(src, schema, opts, DEFAULT_CHUNK_ROWS, |p| {
            let Ok(mut a) = acc.lock() else { return };
            a.rows += p.records.len() as u64;
            a.errors += p.errors.len() as u64;
            a.bad += p.bad_rows;
            a.blank += p.blank_rows;
            for e in &p.errors {
                if let Some(c) = &e.column {
                    *a.per_col.entry(c.to_string()).or_insert(0) += 1;
                }
            }
            a.samples.extend(
                p.errors
                    .into_iter()
                    .take(SAMPLE_ERRORS)
                    .map(|e| (p.index, e)),
            );
        });
        if let Err(e) = res {
            if opts.strict {
                return Err(e);
            }
            report.skipped.push(Skipped {
                path: src.rel.clone(),
                reason: e.reason(),
                unreadable: true,
            });
            continue;
        }
        let mut a = acc.into_inner().unwrap_or_default();
        a.samples.sort_by_key(|x| (x.0, x.1.row));
        let column_errors = src
            .columns
            .iter()
            .filter_map(|c| a.per_col.get(&c.header).map(|n| (c.header.clone(), *n)))
            .collect();
        let fields = src.column_fields(schema, opts.mapping.as_ref());
        report.files.push(FileInfo {
            path: src.rel.clone(),
            dataset: src.dataset.clone(),
            format: src.format.name().to_string(),
            encoding: src.encoding.map(|e| e.name().to_string()),
            sheet: src.sheet.clone(),
            header_row: src.header_row,
            rows: a.rows,
            unmapped_columns: src
                .columns
                .iter()
                .zip(&fields)
                .filter(|(c, f)| f.is_none() && !c.header.is_empty())
                .map(|(c, _)| shown(&c.header))
                .collect(),
            errors: a.errors,
            columns: src
                .columns
                .iter()
                .zip(&fields)
                .map(|(c, f)| (shown(&c.header), f.and_then(field_name)))
                .collect(),
            missing_required: src.missing_required.clone(),
            bad_rows: a.bad,
            blank_rows: a.blank,
            column_errors,
            sample_errors: a
                .samples
                .into_iter()
                .take(SAMPLE_ERRORS)
                .map(|(_, e)| e)
                .collect(),
        });
    }
    report.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(report)
}

#[derive(Serialize)]
struct JsonReport<'a> {
    files: Vec<JsonFile<'a>>,
    skipped: &'a [Skipped],
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    dataset: &'a str,
    format: &'a str,
    encoding: Option<&'a str>,
    sheet: Option<&'a str>,
    header_row: Option<u32>,
    rows: u64,
    unmapped_columns: &'a [String],
    errors: u64,
    /// Beyond the contract (its objects are open): what the text form says.
    columns: Vec<JsonColumn<'a>>,
    missing_required: &'a [String],
    bad_rows: u64,
    blank_rows: u64,
    column_errors: Vec<JsonColumnErrors<'a>>,
    /// The first data errors (at most twenty), in row order; `errors`
    /// counts them all.
    sample_errors: &'a [DataError],
}

/// A column of the header and the field it feeds (`null`: none).
#[derive(Serialize)]
struct JsonColumn<'a> {
    header: &'a str,
    field: Option<&'a str>,
}

/// Value errors of one column.
#[derive(Serialize)]
struct JsonColumnErrors<'a> {
    column: &'a str,
    errors: u64,
}

/// The inspect contract's JSON (pretty-printed, with a final newline).
pub fn render_json(r: &InspectReport) -> String {
    let j = JsonReport {
        files: r
            .files
            .iter()
            .map(|f| JsonFile {
                path: &f.path,
                dataset: &f.dataset,
                format: &f.format,
                encoding: f.encoding.as_deref(),
                sheet: f.sheet.as_deref(),
                header_row: f.header_row,
                rows: f.rows,
                unmapped_columns: &f.unmapped_columns,
                errors: f.errors,
                columns: f
                    .columns
                    .iter()
                    .map(|(header, field)| JsonColumn {
                        header,
                        field: field.as_deref(),
                    })
                    .collect(),
                missing_required: &f.missing_required,
                bad_rows: f.bad_rows,
                blank_rows: f.blank_rows,
                column_errors: f
                    .column_errors
                    .iter()
                    .map(|(column, errors)| JsonColumnErrors {
                        column,
                        errors: *errors,
                    })
                    .collect(),
                sample_errors: &f.sample_errors,
            })
            .collect(),
        skipped: &r.skipped,
    };
    let mut s =
        serde_json::to_string_pretty(&j).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

/// The report for people (Chinese).
pub fn render_text(r: &InspectReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "读取 {} 个表,跳过 {} 项", r.files.len(), r.skipped.len());
    for f in &r.files {
        let _ = writeln!(s);
        let mut head = f.path.clone();
        if let Some(sh) = &f.sheet {
            let _ = write!(head, " [{sh}]");
        }
        let _ = writeln!(s, "{head} → {}", f.dataset);
        let mut meta = format!("  格式 {}", f.format);
        if let Some(e) = &f.encoding {
            let _ = write!(meta, ",编码 {e}");
        }
        if let Some(h) = f.header_row {
            let _ = write!(meta, ",表头在第 {h} 行");
        }
        let _ = write!(meta, ",{} 行记录,{} 个数据错误", f.rows, f.errors);
        if f.bad_rows > 0 {
            let _ = write!(meta, "(其中 {} 行无法读取,已跳过)", f.bad_rows);
        }
        if f.blank_rows > 0 {
            let _ = write!(meta, ",{} 个空行", f.blank_rows);
        }
        let _ = writeln!(s, "{meta}");
        let mapped: Vec<String> = f
            .columns
            .iter()
            .filter_map(|(h, fld)| fld.as_ref().map(|fld| format!("{h}→{fld}")))
            .collect();
        let _ = writeln!(
            s,
            "  已对应列: {}",
            if mapped.is_empty() {
                "无".to_string()
            } else {
                mapped.join(", ")
            }
        );
        if !f.unmapped_columns.is_empty() {
            let _ = writeln!(s, "  未对应列: {}", f.unmapped_columns.join(", "));
        }
        if !f.missing_required.is_empty() {
            let _ = writeln!(s, "  缺少必需字段: {}", f.missing_required.join(", "));
        }
        if !f.column_errors.is_empty() {
            let per: Vec<String> = f
                .column_errors
                .iter()
                .map(|(h, n)| format!("{h} {n}"))
                .collect();
            let _ = writeln!(s, "  各列取值错误: {}", per.join(", "));
        }
        for e in &f.sample_errors {
            let mut line = format!("    第 {} 行", e.row);
            if let Some(c) = &e.column {
                let _ = write!(line, " {c}");
            }
            if let Some(v) = &e.value {
                let _ = write!(line, " “{v}”");
            }
            let _ = write!(line, ": {}", e.message);
            if let Some(x) = e.expected.as_ref().filter(|x| *x != "enum") {
                let _ = write!(line, "(应为 {x})");
            }
            let _ = writeln!(s, "{line}");
        }
        if f.errors > f.sample_errors.len() as u64 {
            let _ = writeln!(
                s,
                "    ……另有 {} 个错误",
                f.errors - f.sample_errors.len() as u64
            );
        }
    }
    if !r.skipped.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "跳过:");
        for k in &r.skipped {
            let _ = writeln!(s, "  {}: {}", k.path, k.reason);
        }
    }
    s
}

/// A header as a report shows it: a NUL character (a JSON Lines key
/// `"备注\u0000"`) as `␀`, never raw.
fn shown(header: &str) -> String {
    header.replace('\0', "␀")
}
