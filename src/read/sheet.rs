//! Workbooks (`.xlsx`, `.xls`) through calamine: every sheet is a table
//! candidate; header rows are found under title rows (a merged title cell
//! holds its text in its first cell, so it reads as a one-cell row).
//!
//! Row numbers are the sheet's own (1-based, as Excel shows them), also when
//! the used range starts below row 1.
//!
//! An `.xlsx` sheet is streamed cell by cell (calamine's cell reader): the
//! probe reads only its first rows, and a long sheet is handed on in chunks
//! as it is read, so memory does not grow with its rows. Its columns are
//! the sheet's own (column A is 0), in the probe and in the stream alike.
//! An `.xls` workbook has no cell streaming in calamine and is read whole
//! (a sheet is at most 65,536 rows). (Discovery takes no `.xlsb` or `.ods`.)
//!
//! In both, a sheet's rows run from its first row holding a non-empty cell,
//! blank rows between included (they are counted as blank, not skipped
//! silently), and merged cells in the data rows are filled or reported
//! ([`super::merged`]).

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use calamine::{
    open_workbook_auto, Data, DataRef, Range, Reader, SheetVisible, Sheets, Xlsx, XlsxError,
};

use super::cell::data_text;
use super::chunk::{CellRow, Chunk, Emitter, Rows, TablePlan};
use super::merged::Merges;
use super::workbook_errors::{after_cell, workbook_error, xlsx_error};
use super::{ReadError, SourceFile};

/// The first rows of one sheet.
pub(crate) struct SheetProbe {
    pub name: String,
    /// Texts of the first rows of the used range.
    pub rows: Vec<Vec<String>>,
    /// 0-based sheet row of the range's first row.
    pub first_row: u32,
    pub empty: bool,
    /// Hidden in the workbook (not read).
    pub hidden: bool,
    /// Named as an earlier sheet of the workbook (not read: Excel allows
    /// no two sheets one name, and a damaged or generated workbook listing
    /// one part many times would have its rows read as many times).
    pub repeated: bool,
}

fn open_err(path: &Path, rel: &str, e: &calamine::Error) -> ReadError {
    if matches!(
        e,
        calamine::Error::Xlsx(XlsxError::Password)
            | calamine::Error::Xls(calamine::XlsError::Password)
    ) {
        return ReadError::Unreadable {
            file: rel.to_string(),
            reason: ENCRYPTED.to_string(),
        };
    }
    let head = file_head(path);
    let xls = path
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("xls"));
    let reason = if head.starts_with(b"PK\x03\x04") && xls {
        format!("文件实际是 .xlsx 格式 (zip), 扩展名却是 .xls: 请把扩展名改为 .xlsx 后再审计 (技术信息: {e})")
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) && !xls {
        format!("文件实际是旧版 Office 格式 (如 .xls), 扩展名却是 .xlsx: 若是旧版 Excel 文件, 请把扩展名改为 .xls 后再审计 (技术信息: {e})")
    } else if is_html(&head) {
        format!("不是 Excel 工作簿: 文件内容是网页表格 (HTML; 一些系统导出的 .xls 实为网页): 请用 Excel 打开后另存为 .xlsx 再审计 (技术信息: {e})")
    } else if looks_like_text(&head) {
        format!("不是有效的 Excel 工作簿: 文件内容是文本, 不是工作簿: 可能是改了扩展名的 CSV, 请改回 .csv (技术信息: {e})")
    } else {
        format!("不是有效的 Excel 工作簿或已损坏: {}", workbook_error(e))
    };
    ReadError::Unreadable {
        file: rel.to_string(),
        reason,
    }
}

/// Why a workbook saved with a password to open it is not read, and what
/// to do (its parts are encrypted: nothing in it can be read).
const ENCRYPTED: &str = "工作簿设有打开密码(已加密), 无法读取其内容: 请在 Excel 中取消密码 (文件 → 信息 → 保护工作簿 → 用密码进行加密, 清空密码) 后另存, 再审计";

/// The first 4 KiB of a file (empty when it cannot be read).
fn file_head(path: &Path) -> Vec<u8> {
    let mut head = Vec::with_capacity(4096);
    let _ = std::fs::File::open(path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, 4096), &mut head));
    head
}

/// Whether a file's first bytes are text (UTF-8, GBK: no control bytes
/// but line breaks and tabs), as a CSV given a workbook's extension is.
fn looks_like_text(head: &[u8]) -> bool {
    !head.is_empty()
        && head
            .iter()
            .all(|&b| b >= 0x20 || matches!(b, b'\n' | b'\r' | b'\t'))
}

/// Whether a file's first bytes are a web page's (`<html`, `<table`, or a
/// `<!DOCTYPE` or `<?xml` before them): what some systems export as `.xls`.
fn is_html(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with('<') && (text.contains("<html") || text.contains("<table"))
}

/// Runs a calamine call, turning a panic on a malformed workbook into an
/// error naming the file (a broken export must not stop the audit).
fn guarded<T>(rel: &str, f: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    crate::quiet::quietly(f).unwrap_or_else(|_| {
        Err(ReadError::Unreadable {
            file: rel.to_string(),
            reason: format!(
                "工作簿结构异常, 解析失败: 可能已损坏或不是 Excel 保存的; {}",
                super::workbook_errors::RESAVE
            ),
        })
    })
}

/// Opens a workbook and samples every sheet.
/// The sheets of a workbook, each with its first `scan` rows (see
/// [`super::header::scan_rows`]).
pub(crate) fn probe(path: &Path, rel: &str, scan: usize) -> Result<Vec<SheetProbe>, ReadError> {
    guarded(rel, || probe_inner(path, rel, scan))
}

fn probe_inner(path: &Path, rel: &str, scan: usize) -> Result<Vec<SheetProbe>, ReadError> {
    precheck(path, rel)?;
    let mut wb = open_workbook_auto(path).map_err(|e| open_err(path, rel, &e))?;
    let mut out = Vec::new();
    // A hidden sheet (an old copy of the data, the lists of a form's
    // drop-downs) is not read: its rows would be taken as records.
    let hidden: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible != SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for name in wb.sheet_names() {
        if !seen.insert(name.clone()) {
            out.push(SheetProbe {
                name,
                rows: Vec::new(),
                first_row: 0,
                empty: false,
                hidden: false,
                repeated: true,
            });
            continue;
        }
        if hidden.contains(&name) {
            out.push(SheetProbe {
                name,
                rows: Vec::new(),
                first_row: 0,
                empty: false,
                hidden: true,
                repeated: false,
            });
            continue;
        }
        if let Sheets::Xlsx(x) = &mut wb {
            out.push(probe_xlsx(x, &name, scan).map_err(|e| sheet_err(rel, &name, &e))?);
            continue;
        }
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| sheet_err(rel, &name, &workbook_error(&e)))?;
        let first_row = range.start().map_or(0, |(r, _)| r);
        let rows: Vec<Vec<String>> = range
            .rows()
            .take(scan)
            .map(|r| r.iter().map(data_text).collect())
            .collect();
        let empty = range.is_empty() || range.used_cells().next().is_none();
        out.push(SheetProbe {
            name,
            rows,
            first_row,
            empty,
            hidden: false,
            repeated: false,
        });
    }
    Ok(out)
}

/// A cell placed past Excel's last row or column (`ZZZZZZ3`,
/// `A500000000`: a damaged or hostile file) is no cell: the sheet is
/// unreadable, rather than rows and columns allocated up to it (84 GB).
fn outside_a_sheet(r: u32, c: u32) -> Result<(), String> {
    const ROWS: u32 = 1_048_576;
    const COLUMNS: u32 = 16_384;
    if r < ROWS && c < COLUMNS {
        return Ok(());
    }
    Err(format!(
        "有单元格位于第 {} 行第 {} 列, 超出 Excel 工作表的范围 (最多 {ROWS} 行、{COLUMNS} 列): 工作簿结构异常或已损坏",
        u64::from(r) + 1,
        u64::from(c) + 1
    ))
}

/// A sheet that could not be read, `why` in words (see [`xlsx_error`]).
fn sheet_err(rel: &str, name: &str, why: &str) -> ReadError {
    ReadError::Unreadable {
        file: rel.to_string(),
        reason: format!("工作表 {name} 无法读取: {why}"),
    }
}

/// The first rows of an `.xlsx` sheet, read cell by cell up to the end of
/// the sample (see the module doc for rows and columns).
fn probe_xlsx<RS: std::io::Read + std::io::Seek>(
    x: &mut Xlsx<RS>,
    name: &str,
    scan: usize,
) -> Result<SheetProbe, String> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut first_row = None;
    let mut cells = match x.worksheet_cells_reader(name) {
        Ok(c) => c,
        // A chart sheet or the like: no cells (as calamine's range reads it).
        Err(XlsxError::NotAWorksheet(_)) => {
            return Ok(SheetProbe {
                name: name.to_string(),
                rows,
                first_row: 0,
                empty: true,
                hidden: false,
                repeated: false,
            })
        }
        Err(e) => return Err(xlsx_error(&e)),
    };
    let mut last = None;
    while let Some(cell) = {
        let at = last;
        cells
            .next_cell()
            .map_err(|e| format!("{}{}", xlsx_error(&e), after_cell(at)))?
    } {
        last = Some(cell.get_position());
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        outside_a_sheet(r, c)?;
        let first = *first_row.get_or_insert(r);
        let i = r.saturating_sub(first) as usize;
        if i >= scan {
            break;
        }
        if rows.len() <= i {
            rows.resize_with(i + 1, Vec::new);
        }
        let row = &mut rows[i];
        let c = c as usize;
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = data_text(&Data::from(cell.get_value().clone()));
    }
    // The sample's rows as one table: every row as wide as the widest.
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    for row in &mut rows {
        row.resize(width, String::new());
    }
    Ok(SheetProbe {
        name: name.to_string(),
        empty: first_row.is_none(),
        rows,
        first_row: first_row.unwrap_or(0),
        hidden: false,
        repeated: false,
    })
}

/// A part of a workbook past this size (unpacked)…
const PART_LIMIT: u64 = 256 << 20;
/// …and packed more than this many times smaller is taken for a bomb: an
/// Excel sheet of a million rows unpacks to a few hundred megabytes, at
/// ten to fifty times its packed size.
const PART_RATIO: u64 = 200;

/// Checks an old `.xls` (compound file) before calamine trusts its sizes,
/// and the parts of an `.xlsx` (a zip) before calamine unpacks them.
fn precheck(path: &Path, rel: &str) -> Result<(), ReadError> {
    let mut head = [0u8; 8];
    let read_head = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok();
    if read_head && head.starts_with(b"PK\x03\x04") {
        return zip_precheck(path).map_err(|reason| ReadError::Unreadable {
            file: rel.to_string(),
            reason,
        });
    }
    let is_cfb = read_head && head == *b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    if !is_cfb {
        return Ok(());
    }
    let bytes = std::fs::read(path).map_err(ReadError::io(rel))?;
    super::cfb::check(&bytes).map_err(|why| ReadError::Unreadable {
        file: rel.to_string(),
        reason: format!("旧版 Excel 文件已损坏({why})"),
    })
}

/// Refuses a workbook a part of which declares an unpacked size that
/// only a decompression bomb has (see [`PART_LIMIT`], [`PART_RATIO`]): a
/// damaged or hostile file of a megabyte that would unpack to gigabytes.
/// A zip calamine cannot read is left for calamine to report.
fn zip_precheck(path: &Path) -> Result<(), String> {
    let Ok(file) = std::fs::File::open(path) else {
        return Ok(());
    };
    let Ok(mut zip) = zip_parts::ZipArchive::new(std::io::BufReader::new(file)) else {
        return Ok(());
    };
    // (`measured`: unpacked until it passed the bound, not declared.)
    let bomb = |name: &str, size: u64, packed: u64, measured: bool| {
        let (has, times) = if measured {
            ("超过", "以上")
        } else {
            ("有", "")
        };
        format!(
            "工作簿的部件 {name} 解压后{has} {} MB, 是压缩后的 {} 倍{times}, 像是压缩炸弹 (损坏或恶意的文件), 未读取",
            size >> 20,
            size / packed
        )
    };
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index_raw(i) else {
            continue;
        };
        let (size, packed) = (part.size(), part.compressed_size().max(1));
        if size > PART_LIMIT && size / packed > PART_RATIO {
            return Err(bomb(part.name(), size, packed, false));
        }
        // Calamine holds every part but the sheets whole (the shared
        // strings): a declared size may lie, so such a part is unpacked
        // here, up to where it would be a bomb, and measured. (The sheets
        // are streamed.)
        if part.name().starts_with("xl/worksheets/") {
            continue;
        }
        let name = part.name().to_string();
        drop(part);
        let Ok(part) = zip.by_index(i) else {
            continue;
        };
        let bound = PART_LIMIT.max(packed.saturating_mul(PART_RATIO));
        let reader = &mut std::io::Read::take(part, bound + 1);
        let size = std::io::copy(reader, &mut std::io::sink()).unwrap_or(0);
        if size > bound {
            return Err(bomb(&name, size, packed, true));
        }
    }
    Ok(())
}

/// Streams the data rows of one sheet in chunks.
pub(crate) fn stream(
    source: &SourceFile,
    plan: &Arc<TablePlan>,
    chunk_rows: usize,
    f: &mut dyn FnMut(Chunk) -> Result<(), ReadError>,
) -> Result<u64, ReadError> {
    // Only calamine's calls are guarded: a panic of `f` is not the workbook's.
    let rel = &source.rel;
    let mut wb = guarded(rel, || {
        precheck(&source.path, rel)?;
        open_workbook_auto(&source.path).map_err(|e| open_err(&source.path, rel, &e))
    })?;
    let name = source.sheet.clone().unwrap_or_default();
    match &mut wb {
        Sheets::Xlsx(x) => stream_xlsx(x, source, plan, chunk_rows, f),
        other => {
            let range = guarded(rel, || {
                other
                    .worksheet_range(&name)
                    .map_err(|e| sheet_err(rel, &name, &workbook_error(&e)))
            })?;
            // (Of the other formats, calamine gives the merged cells of `.xls`.)
            let dims = match other {
                Sheets::Xls(x) => x.worksheet_merge_cells(&name).unwrap_or_default(),
                _ => Vec::new(),
            };
            let merges = Merges::new(&dims, range.start().map_or(0, |(_, c)| c));
            stream_range(&range, merges, source, plan, chunk_rows, f)
        }
    }
}

/// An `.xlsx` sheet, cell by cell: a row is complete when a cell of a later
/// row arrives.
fn stream_xlsx<RS: std::io::Read + std::io::Seek>(
    x: &mut Xlsx<RS>,
    source: &SourceFile,
    plan: &Arc<TablePlan>,
    chunk_rows: usize,
    f: &mut dyn FnMut(Chunk) -> Result<(), ReadError>,
) -> Result<u64, ReadError> {
    let name = source.sheet.clone().unwrap_or_default();
    let err = |e: &XlsxError| sheet_err(&source.rel, &name, &xlsx_error(e));
    let err_after = |e: &XlsxError, last: Option<(u32, u32)>| {
        sheet_err(
            &source.rel,
            &name,
            &format!("{}{}", xlsx_error(e), after_cell(last)),
        )
    };
    let mut out = Emitter::new(plan, f);
    let mut total = 0u64;
    let mut rows = Vec::with_capacity(chunk_rows.min(65_536));
    let mut first_row: Option<u32> = None;
    // The row being filled: its 0-based sheet row and cells.
    let mut current: Option<(u32, Vec<Data>)> = None;
    let dims = guarded(&source.rel, || match x.worksheet_merge_cells(&name) {
        Some(Ok(d)) => Ok(d),
        None => Ok(Vec::new()),
        Some(Err(e)) => Err(err(&e)),
    })?;
    let mut merges = Merges::new(&dims, 0);
    let mut push = |row: u32, cells: Vec<Data>, rows: &mut Vec<CellRow>| -> Result<(), ReadError> {
        rows.push(merges.row(row, cells));
        total += 1;
        if rows.len() >= chunk_rows {
            let full = std::mem::replace(rows, Vec::with_capacity(chunk_rows.min(65_536)));
            out.emit(Rows::Cells(full))?;
        }
        Ok(())
    };
    let (name_ref, err_ref) = (&name, &err);
    let opened = guarded(&source.rel, move || {
        match x.worksheet_cells_reader(name_ref) {
            Ok(c) => Ok(Some(c)),
            // Not a worksheet: no cells (the probe found it empty).
            Err(XlsxError::NotAWorksheet(_)) => Ok(None),
            Err(e) => Err(err_ref(&e)),
        }
    })?;
    let Some(mut cells) = opened else {
        return Ok(0);
    };
    // The sheet's formula cells, read on the first cell element without a
    // value (see `no_result`).
    let mut formulas: Option<HashSet<(u32, u32)>> = None;
    let mut last: Option<(u32, u32)> = None;
    while let Some(cell) = {
        let at = last;
        guarded(&source.rel, || {
            cells.next_cell().map_err(|e| err_after(&e, at))
        })?
    } {
        let (r, c) = cell.get_position();
        last = Some((r, c));
        outside_a_sheet(r, c).map_err(|m| sheet_err(&source.rel, &name, &m))?;
        // (A formula saved as `<f>…</f><v/>` reads as an empty string.)
        let value: Data = if matches!(cell.get_value(), DataRef::Empty)
            || matches!(cell.get_value(), DataRef::String(s) if s.is_empty())
        {
            let formulas = match &formulas {
                Some(f) => f,
                None => formulas.insert(formula_cells(source, &name)?),
            };
            if !formulas.contains(&(r, c)) {
                continue;
            }
            no_result()
        } else {
            cell.get_value().clone().into()
        };
        let first = *first_row.get_or_insert(r);
        if r.saturating_sub(first) < source.data_skip as u32 {
            continue;
        }
        match &mut current {
            Some((cr, row)) if *cr == r => {
                put(row, c as usize, value);
                continue;
            }
            _ => {}
        }
        // A new row: hand on the one before, and the blank rows between.
        let next_blank = match current.take() {
            Some((cr, row)) => {
                push(cr, row, &mut rows)?;
                cr + 1
            }
            None => first + source.data_skip as u32,
        };
        for blank in next_blank..r {
            push(blank, Vec::new(), &mut rows)?;
        }
        let mut row = Vec::new();
        put(&mut row, c as usize, value);
        current = Some((r, row));
    }
    if let Some((cr, row)) = current.take() {
        push(cr, row, &mut rows)?;
    }
    if !rows.is_empty() {
        out.emit(Rows::Cells(rows))?;
    }
    Ok(total)
}

/// What a formula cell saved without its result reads as: no value, an
/// error the cell parser reports (see `super::cell::NO_RESULT`). A workbook written
/// by a program (openpyxl, a report generator) keeps the formula only, and
/// the value is what Excel would compute on opening it: reading it as an
/// empty cell would make an unfinished case of a finished one.
fn no_result() -> Data {
    Data::Error(calamine::CellErrorType::GettingData)
}

/// The positions (0-based row, column) of the formula cells of sheet
/// `name`: a second pass over the sheet, made only for a sheet with a cell
/// element without a value (Excel saves every formula's result, so a sheet
/// it saved never needs it).
fn formula_cells(source: &SourceFile, name: &str) -> Result<HashSet<(u32, u32)>, ReadError> {
    let rel = &source.rel;
    guarded(rel, || {
        let mut wb: Xlsx<_> = calamine::open_workbook(&source.path)
            .map_err(|e| open_err(&source.path, rel, &calamine::Error::Xlsx(e)))?;
        let mut cells = wb
            .worksheet_cells_reader(name)
            .map_err(|e| sheet_err(rel, name, &xlsx_error(&e)))?;
        let mut found = HashSet::new();
        while let Some(cell) = cells
            .next_formula()
            .map_err(|e| sheet_err(rel, name, &xlsx_error(&e)))?
        {
            if !cell.get_value().is_empty() {
                found.insert(cell.get_position());
            }
        }
        Ok(found)
    })
}

fn put(row: &mut Vec<Data>, c: usize, d: Data) {
    if row.len() <= c {
        row.resize(c + 1, Data::Empty);
    }
    row[c] = d;
}

/// A sheet read whole (`.xls`), its rows handed on in chunks.
fn stream_range(
    range: &Range<Data>,
    mut merges: Merges,
    source: &SourceFile,
    plan: &Arc<TablePlan>,
    chunk_rows: usize,
    f: &mut dyn FnMut(Chunk) -> Result<(), ReadError>,
) -> Result<u64, ReadError> {
    let first_row = range.start().map_or(0, |(r, _)| r);
    let mut out = Emitter::new(plan, f);
    let mut total = 0u64;
    let mut rows = Vec::with_capacity(chunk_rows.min(65_536));
    for (i, r) in range.rows().enumerate().skip(source.data_skip) {
        rows.push(merges.row(first_row + i as u32, r.to_vec()));
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
