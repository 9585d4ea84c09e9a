//! Workbooks (`.xlsx`, `.xls`) through calamine: every sheet is a table
//! candidate; header rows are found under title rows (a merged title cell
//! holds its text in its first cell, so it reads as a one-cell row).
//!
//! Row numbers are the sheet's own (1-based, as Excel shows them), also when
//! the used range starts below row 1.
//!
//! A workbook is read whole (calamine has no row streaming for both
//! formats); a sheet is at most 1,048,576 rows, so this is bounded. Its
//! rows are still handed on in chunks, like a CSV's.

use std::path::Path;
use std::sync::Arc;

use calamine::{open_workbook_auto, Data, Range, Reader};

use super::cell::data_text;
use super::chunk::{CellRow, Chunk, Emitter, Rows, TablePlan};
use super::header::SCAN_ROWS;
use super::{ReadError, SourceFile};

/// The first rows of one sheet.
pub(crate) struct SheetProbe {
    pub name: String,
    /// Texts of the first rows of the used range.
    pub rows: Vec<Vec<String>>,
    /// 0-based sheet row of the range's first row.
    pub first_row: u32,
    pub empty: bool,
}

fn open_err(rel: &str, e: &calamine::Error) -> ReadError {
    ReadError::Unreadable {
        file: rel.to_string(),
        reason: format!("不是有效的 Excel 工作簿或已损坏({e})"),
    }
}

/// Runs a calamine call, turning a panic on a malformed workbook into an
/// error naming the file (a broken export must not stop the audit).
fn guarded<T>(rel: &str, f: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(ReadError::Unreadable {
            file: rel.to_string(),
            reason: "工作簿结构异常,解析失败".to_string(),
        })
    })
}

/// Opens a workbook and samples every sheet.
pub(crate) fn probe(path: &Path, rel: &str) -> Result<Vec<SheetProbe>, ReadError> {
    guarded(rel, || probe_inner(path, rel))
}

fn probe_inner(path: &Path, rel: &str) -> Result<Vec<SheetProbe>, ReadError> {
    precheck(path, rel)?;
    let mut wb = open_workbook_auto(path).map_err(|e| open_err(rel, &e))?;
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| ReadError::Unreadable {
                file: rel.to_string(),
                reason: format!("工作表 {name} 无法读取({e})"),
            })?;
        let first_row = range.start().map_or(0, |(r, _)| r);
        let rows: Vec<Vec<String>> = range
            .rows()
            .take(SCAN_ROWS)
            .map(|r| r.iter().map(data_text).collect())
            .collect();
        let empty = range.is_empty() || range.used_cells().next().is_none();
        out.push(SheetProbe {
            name,
            rows,
            first_row,
            empty,
        });
    }
    Ok(out)
}

/// Checks an old `.xls` (compound file) before calamine trusts its sizes.
fn precheck(path: &Path, rel: &str) -> Result<(), ReadError> {
    let mut head = [0u8; 8];
    let is_cfb = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && head == *b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    if !is_cfb {
        return Ok(());
    }
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io {
        file: rel.to_string(),
        message: e.to_string(),
    })?;
    super::cfb::check(&bytes).map_err(|why| ReadError::Unreadable {
        file: rel.to_string(),
        reason: format!("旧版 Excel 文件已损坏({why})"),
    })
}

fn load(source: &SourceFile) -> Result<Range<Data>, ReadError> {
    precheck(&source.path, &source.rel)?;
    let mut wb = open_workbook_auto(&source.path).map_err(|e| open_err(&source.rel, &e))?;
    let name = source.sheet.clone().unwrap_or_default();
    wb.worksheet_range(&name)
        .map_err(|e| ReadError::Unreadable {
            file: source.rel.clone(),
            reason: format!("工作表 {name} 无法读取({e})"),
        })
}

/// Streams the data rows of one sheet in chunks.
pub(crate) fn stream(
    source: &SourceFile,
    plan: &Arc<TablePlan>,
    chunk_rows: usize,
    f: &mut dyn FnMut(Chunk) -> Result<(), ReadError>,
) -> Result<u64, ReadError> {
    let range = guarded(&source.rel, || load(source))?;
    let first_row = range.start().map_or(0, |(r, _)| r);
    let mut out = Emitter::new(plan, f);
    let mut total = 0u64;
    let mut rows = Vec::with_capacity(chunk_rows.min(65_536));
    for (i, r) in range.rows().enumerate().skip(source.data_skip) {
        rows.push(CellRow {
            row: first_row + i as u32 + 1,
            cells: r.to_vec(),
        });
        total += 1;
        if rows.len() >= chunk_rows {
            let full = std::mem::replace(&mut rows, Vec::with_capacity(chunk_rows.min(65_536)));
            out.emit(Rows::Cells(full))?;
        }
    }
    if !rows.is_empty() {
        out.emit(Rows::Cells(rows))?;
    }
    Ok(total)
}
