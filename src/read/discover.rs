//! Discovery: walk the audited folder and decide, from the first rows of
//! each file, which dataset each table holds.
//!
//! Walk: recursive, following symbolic links (walkdir detects loops),
//! siblings sorted by name, so the order is the path order. Skipped with a
//! reason, never silently: Office lock files (`~$*`), hidden files and
//! folders (`.*`), temporary files (`*.tmp`, `*~`, `*.bak`, `*.swp`,
//! `*.part`, `*.crdownload`), pipes, sockets and devices, the mapping file
//! itself, files the mapping says to skip, unsupported types, empty files,
//! tables that match no dataset, and files that cannot be read (these also
//! give a [`ReadError`]). A file the mapping assigns to a dataset that no
//! column of any of its tables fits is one that cannot be read (the user
//! said it holds the data); a file only named like a dataset is skipped.

use std::path::Path;

use super::header::{self, HeaderChoice, HeaderFailure, HeaderMatcher, Unfit};
use super::mapping::{FileMapping, PatternUse};
use super::{jsonl, sheet, text, yaml};
use super::{Discovery, Format, ReadError, ReadOptions, Skipped, SourceFile};
use crate::schema::Schema;

fn rel_of(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

fn temp_reason(name: &str) -> Option<&'static str> {
    if name.starts_with("~$") {
        return Some("Office 临时锁文件");
    }
    if name.starts_with('.') {
        return Some("隐藏文件");
    }
    let lower = name.to_ascii_lowercase();
    let temp = [".tmp", ".temp", ".bak", ".swp", ".part", ".crdownload"];
    if name.ends_with('~') || temp.iter().any(|t| lower.ends_with(t)) || lower.starts_with('~') {
        return Some("临时文件");
    }
    None
}

/// Whether a file of this name is read as data when it lies in an
/// audited folder: a data type's extension, and no temporary or hidden
/// file's name (which [`discover`] skips, as it skips hidden folders and
/// empty files).
pub(crate) fn is_data_file_name(name: &str) -> bool {
    temp_reason(name).is_none() && format_of(name).is_some()
}

fn format_of(name: &str) -> Option<Format> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    Some(match ext.as_str() {
        "csv" | "txt" => Format::Csv,
        "tsv" => Format::Tsv,
        "xlsx" | "xlsm" => Format::Xlsx,
        "xls" => Format::Xls,
        "jsonl" | "ndjson" => Format::Jsonl,
        "yaml" | "yml" => Format::Yaml,
        "json" => Format::Json,
        _ => return None,
    })
}

/// The reason a file of no data type is skipped.
fn unsupported(name: &str) -> String {
    let ext = name
        .rsplit_once('.')
        .map_or_else(|| "无扩展名".to_string(), |(_, e)| format!(".{e}"));
    format!("不支持的文件类型({ext})")
}

/// Why a symbolic link the walk could not follow is skipped, when it is
/// one that leads nowhere (its target missing, or a loop of links) and its
/// name is no data file's (temporary, hidden, or of no data type): `None`
/// for anything else, which stays unreadable (a folder or a link to one
/// without permission, a link named `办件记录.csv`).
fn unsupported_broken_link(path: &Path) -> Option<String> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link || std::fs::metadata(path).is_ok() {
        return None;
    }
    let name = path.file_name()?.to_string_lossy();
    if let Some(r) = temp_reason(&name) {
        return Some(format!("{r}(无法打开的符号链接)"));
    }
    format_of(&name)
        .is_none()
        .then(|| format!("{}(无法打开的符号链接)", unsupported(&name)))
}

/// Finds the tables of `dir` and the datasets they hold.
pub fn discover(dir: &Path, schema: &Schema, opts: &ReadOptions) -> Result<Discovery, ReadError> {
    let mut d = Discovery::default();
    let matcher = HeaderMatcher::new(schema, opts.mapping.as_ref());
    let mapping_path = opts
        .mapping
        .as_ref()
        .and_then(|m| std::fs::canonicalize(&m.file).ok());
    let mut hidden_dirs: Vec<String> = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() > 0
                && e.file_type().is_dir()
                && e.file_name().to_string_lossy().starts_with('.')
            {
                hidden_dirs.push(rel_of(dir, e.path()));
                return false;
            }
            true
        });
    let mut pending_skips: Vec<Skipped> = Vec::new();
    // The files read so far, by identity: a file reached again under
    // another name (a symbolic or hard link) is read once.
    let mut read_files: std::collections::HashMap<FileId, String> =
        std::collections::HashMap::new();
    d.pattern_use = vec![PatternUse::default(); opts.mapping.as_ref().map_or(0, |m| m.files.len())];
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map_or_else(String::new, |p| rel_of(dir, p));
                if let Some(anc) = e.loop_ancestor() {
                    pending_skips.push(Skipped {
                        path,
                        reason: match rel_of(dir, anc) {
                            // The loop goes back to the audited folder itself.
                            r if r.is_empty() => "符号链接循环(指回审计的文件夹)".to_string(),
                            r => format!("符号链接循环(指回 {r})"),
                        },
                        unreadable: false,
                    });
                    continue;
                }
                // A link that leads nowhere (dangling, or a loop of links)
                // under a name of no data file (`loop1`) is skipped, as a
                // file of that name would be: it is no table the export
                // gives. Named as a data file, it is unreadable.
                if let Some(reason) = e.path().and_then(unsupported_broken_link) {
                    pending_skips.push(Skipped {
                        path,
                        reason,
                        unreadable: false,
                    });
                    continue;
                }
                // In words, not the walker's (`IO error for operation on …`).
                let message = match e.io_error().map(std::io::Error::kind) {
                    Some(std::io::ErrorKind::NotFound) => {
                        "不存在(可能是指向不存在文件的符号链接)".to_string()
                    }
                    Some(std::io::ErrorKind::PermissionDenied) => "没有读取权限".to_string(),
                    _ => e
                        .io_error()
                        .map_or_else(|| e.to_string(), ToString::to_string),
                };
                let err = ReadError::Io {
                    file: path.clone(),
                    message,
                };
                if opts.strict {
                    return Err(err);
                }
                pending_skips.push(Skipped {
                    path,
                    reason: err.reason(),
                    unreadable: true,
                });
                d.errors.push(err);
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        if !entry.file_type().is_file() {
            // A pipe, socket or device: reading it could block forever.
            pending_skips.push(Skipped {
                path: rel_of(dir, entry.path()),
                reason: "不是普通文件".to_string(),
                unreadable: false,
            });
            continue;
        }
        let path = entry.path();
        let rel = rel_of(dir, path);
        let name = entry.file_name().to_string_lossy().into_owned();
        // (Looked up before the files skipped anyway, so that a pattern
        // naming lock files is not reported unused.)
        let fmap: Option<&FileMapping> = opts
            .mapping
            .as_ref()
            .and_then(|m| Some(&m.files[m.file_index(&rel, &mut d.pattern_use)?]));
        let mut skip = |reason: String| {
            pending_skips.push(Skipped {
                path: rel.clone(),
                reason,
                unreadable: false,
            });
        };
        if let Some(r) = temp_reason(&name) {
            skip(r.to_string());
            continue;
        }
        if mapping_path.is_some() && std::fs::canonicalize(path).ok() == mapping_path {
            skip("映射文件".to_string());
            continue;
        }
        if fmap.is_some_and(|f| f.skip) {
            skip("映射文件要求跳过".to_string());
            continue;
        }
        let Some(format) = format_of(&name) else {
            skip(unsupported(&name));
            continue;
        };
        if entry.metadata().is_ok_and(|m| m.len() == 0) {
            skip("空文件".to_string());
            continue;
        }
        // (A name read as no dataset, one the mapping does not settle,
        // claims nothing: the file's own name may still read it.)
        let id = file_id(path);
        if let Some(first) = id.as_ref().and_then(|id| read_files.get(id)) {
            skip(format!("与 {first} 是同一个文件(链接), 只读取一次"));
            continue;
        }
        let sources_before = d.sources.len();
        let mut ctx = Ctx {
            schema,
            matcher: &matcher,
            rel: &rel,
            name: &name,
            path,
            fmap,
            out: &mut d,
            skips: &mut pending_skips,
        };
        let read = ctx.file(format);
        if let Some(id) = id.filter(|_| d.sources.len() > sources_before) {
            read_files.insert(id, rel.clone());
        }
        if let Err(e) = read {
            if opts.strict {
                return Err(e);
            }
            pending_skips.push(Skipped {
                path: rel.clone(),
                reason: e.reason(),
                unreadable: true,
            });
            d.errors.push(e);
        }
    }
    for h in hidden_dirs {
        pending_skips.push(Skipped {
            path: h,
            reason: "隐藏目录".to_string(),
            unreadable: false,
        });
    }
    pending_skips.sort_by(|a, b| a.path.cmp(&b.path));
    d.skipped = pending_skips;
    Ok(d)
}

/// What makes two paths one file: its device and inode where there are
/// such, else its canonical path (which finds symbolic links only).
#[derive(Debug, PartialEq, Eq, Hash)]
enum FileId {
    #[cfg_attr(not(unix), allow(dead_code))]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Path(std::path::PathBuf),
}

/// Whether two paths are one file (through a symbolic or a hard link).
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    matches!((file_id(a), file_id(b)), (Some(x), Some(y)) if x == y)
}

fn file_id(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| FileId::Inode(m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(path).ok().map(FileId::Path)
    }
}

/// What a table's header says.
enum Choice {
    /// The table holds this dataset, with this header.
    Table(HeaderChoice),
    /// It holds no dataset: skipped, for this reason; the dataset (index)
    /// its header came closest to.
    Skip(String, Option<usize>),
    /// It is unreadable and reported already (a table without its key
    /// column; a workbook's other sheets are still read).
    Reported,
    /// A dataset was named (by the mapping, or a YAML file's key) and no
    /// column fits it; the text says what was looked at and expected.
    /// Named by the mapping, a file none of whose tables is read so is
    /// unreadable ([`Ctx::settle_unfit`]); otherwise skipped.
    Unfit(String),
}

struct Ctx<'a> {
    schema: &'a Schema,
    matcher: &'a HeaderMatcher,
    rel: &'a str,
    name: &'a str,
    path: &'a Path,
    fmap: Option<&'a FileMapping>,
    out: &'a mut Discovery,
    skips: &'a mut Vec<Skipped>,
}

impl Ctx<'_> {
    fn forced(&self, key: Option<&str>) -> Option<usize> {
        self.fmap
            .and_then(|f| f.dataset.as_deref())
            .or(key)
            .and_then(|n| self.schema.dataset_index(n))
    }

    /// Whether the mapping names this file's dataset.
    fn mapped(&self) -> bool {
        self.fmap.is_some_and(|f| f.dataset.is_some())
    }

    /// The header and dataset of a table, or why it holds none (see
    /// [`Choice`]). `lines` gives the row number of each of `rows` (none
    /// for the keys of JSON Lines and YAML records).
    fn choose(
        &mut self,
        rows: &[Vec<String>],
        lines: Option<&[u32]>,
        sheet: Option<&str>,
        forced: Option<usize>,
        header_row: Option<usize>,
    ) -> Result<Choice, ReadError> {
        let mut names = vec![self.name];
        names.extend(sheet);
        match header::choose(self.schema, self.matcher, rows, &names, forced, header_row) {
            Ok(c) => Ok(Choice::Table(c)),
            Err(HeaderFailure::NoMatch { why, closest }) => Ok(Choice::Skip(why, closest)),
            Err(HeaderFailure::Unfit(u)) => Ok(Choice::Unfit(self.unfit_reason(&u, rows, lines))),
            // A sheet of a workbook is taken by the workbook's name, which
            // also names its summary sheets: without a key it is skipped
            // with the reason. A file of one table so named, or a table a
            // mapping assigns, is meant as the data: it is unreadable.
            Err(HeaderFailure::Keyless(reason)) if sheet.is_some() && forced.is_none() => {
                Ok(Choice::Skip(reason, None))
            }
            Err(HeaderFailure::Keyless(reason)) => {
                let reason = reason + &self.forced_encoding_hint();
                self.unreadable(match sheet {
                    Some(s) => format!("工作表 {s}: {reason}"),
                    None => reason,
                });
                Ok(Choice::Reported)
            }
            Err(HeaderFailure::Ambiguous(candidates)) => Err(ReadError::AmbiguousHeader {
                file: self.rel.to_string(),
                sheet: sheet.map(str::to_string),
                candidates,
            }),
        }
    }

    /// Reports the file as unreadable, for `reason`.
    fn unreadable(&mut self, reason: String) {
        let err = ReadError::Unreadable {
            file: self.rel.to_string(),
            reason,
        };
        self.skips.push(Skipped {
            path: self.rel.to_string(),
            reason: err.reason(),
            unreadable: true,
        });
        self.out.errors.push(err);
    }

    /// Why no column of a table fits the dataset it was told to hold:
    /// what was expected, the row looked at and what it held, and a hint
    /// when the mapping gave the header row or the encoding.
    fn unfit_reason(&self, u: &Unfit, rows: &[Vec<String>], lines: Option<&[u32]>) -> String {
        let ds = &self.schema.datasets[u.dataset];
        let header_of = |f: &String| {
            ds.field(f)
                .map_or_else(|| f.clone(), |f| f.header().to_string())
        };
        let required: Vec<String> = ds.required.iter().map(header_of).collect();
        let key: Vec<String> = ds
            .key
            .iter()
            .filter(|k| ds.required.contains(k))
            .map(header_of)
            .collect();
        let by = if self.mapped() {
            "映射文件 (--map) 指定"
        } else {
            "按键名"
        };
        let mut out = format!(
            "{by}为 {} {}, 但表头没有任何列能对上它的字段 (应有必需列 {}, 其中键列 {}, 或它们的别名)",
            ds.name,
            ds.title,
            required.join("、"),
            key.join("、")
        );
        let line = |i: usize| lines.and_then(|l| l.get(i).copied());
        // (JSON Lines and YAML have no header row.)
        let header_row = self
            .fmap
            .and_then(|f| f.header_row)
            .filter(|_| lines.is_some());
        let looked_at = u.looked_at.and_then(|i| Some((i, rows.get(i)?)));
        match (looked_at, header_row, lines) {
            (Some((_, row)), _, None) => {
                out.push_str(&format!(";记录的键为 “{}”", shown(row)));
            }
            (Some((_, row)), Some(h), Some(_)) => out.push_str(&format!(
                ";映射文件指定的表头行 (header_row: {h}) 为 “{}”",
                shown(row)
            )),
            (Some((i, row)), None, Some(_)) => {
                out.push_str(&format!(
                    ";前 {} 行中都没有, 第一个非空行 (第 {} 行) 为 “{}”",
                    rows.len(),
                    line(i).map_or_else(|| (i + 1).to_string(), |l| l.to_string()),
                    shown(row)
                ));
            }
            (None, Some(h), _) => out.push_str(&format!(
                ";映射文件指定的表头行 (header_row: {h}) 为空或不在文件中"
            )),
            (None, None, _) => out.push_str(";表中没有非空行"),
        }
        if let Some(h) = header_row {
            match u.found_at.and_then(line) {
                Some(l) => out.push_str(&format!(
                    ";第 {l} 行才是 {} 的表头: 请把映射文件中的 header_row: {h} 改为 {l}",
                    ds.name
                )),
                None => out.push_str(&format!(
                    ";请核对映射文件中的 header_row: {h} 是否为表头所在的行号"
                )),
            }
        } else if lines.is_some() && rows.len() >= header::SCAN_ROWS {
            out.push_str(&format!(
                ";若表头在第 {} 行以下, 请在映射文件中为此文件写 header_row: 表头所在行号",
                header::SCAN_ROWS
            ));
        }
        out.push_str(&self.forced_encoding_hint());
        out
    }

    /// For a text file whose encoding the mapping forced, that it may be
    /// wrong (a header read in the wrong encoding fits no dataset, or only
    /// in part: its key column unrecognised); else nothing.
    fn forced_encoding_hint(&self) -> String {
        let text = !matches!(format_of(self.name), Some(Format::Xlsx | Format::Xls));
        match self.fmap.and_then(|f| f.encoding).filter(|_| text) {
            Some(enc) => format!(
                ";映射文件指定了编码 encoding: {}, 编码可能不对 (如 GBK 文件写成 utf-8, 表头会读成乱码): 请核对, 或删去 encoding 由 yimen 自动识别",
                enc.name()
            ),
            None => String::new(),
        }
    }

    /// The tables of a file that no column fitted (each labelled with its
    /// sheet or key): a file the mapping assigns, none of whose tables was
    /// read, is unreadable (the user said it holds the dataset); otherwise
    /// each is skipped with its reason (a workbook's notes sheet, a YAML
    /// key naming a dataset).
    fn settle_unfit(&mut self, unfit: Vec<(Option<String>, String)>, what: &str, read_any: bool) {
        if unfit.is_empty() {
            return;
        }
        if self.mapped() && !read_any {
            let reasons: Vec<String> = unfit
                .into_iter()
                .map(|(label, why)| match label {
                    Some(l) => format!("{what} {l}: {why}"),
                    None => why,
                })
                .collect();
            self.unreadable(reasons.join("; "));
        } else {
            for (label, why) in unfit {
                self.skip(label.as_deref(), what, &why);
            }
        }
    }

    /// [`Ctx::skip`] for a table no header of which fits a dataset
    /// (see [`super::Discovery::headerless`]).
    fn skip_headerless(
        &mut self,
        sheet: Option<&str>,
        what: &str,
        reason: &str,
        closest: Option<usize>,
    ) {
        self.skip(sheet, what, reason);
        let entry = (self.rel.to_string(), closest);
        if !self.out.headerless.contains(&entry) {
            self.out.headerless.push(entry);
        }
    }

    fn skip(&mut self, sheet: Option<&str>, what: &str, reason: &str) {
        let reason = match sheet {
            Some(s) => format!("{what} {s}: {reason}"),
            None => reason.to_string(),
        };
        let skipped = Skipped {
            path: self.rel.to_string(),
            reason,
            unreadable: false,
        };
        // (A workbook listing one sheet thousands of times: one entry.)
        if self.skips.last() != Some(&skipped) {
            self.skips.push(skipped);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        format: Format,
        c: HeaderChoice,
        encoding: Option<super::TextEncoding>,
        delimiter: u8,
        sheet: Option<String>,
        header_row: Option<u32>,
    ) {
        self.push_text(format, c, encoding, delimiter, sheet, header_row);
    }

    fn push_text(
        &mut self,
        format: Format,
        c: HeaderChoice,
        encoding: Option<super::TextEncoding>,
        delimiter: u8,
        sheet: Option<String>,
        header_row: Option<u32>,
    ) {
        let ds = &self.schema.datasets[c.dataset];
        self.out.sources.push(SourceFile {
            path: self.path.to_path_buf(),
            rel: self.rel.to_string(),
            format,
            encoding,
            delimiter,
            sheet,
            header_row,
            data_skip: c.start + c.height,
            dataset: ds.name.clone(),
            columns: c.columns,
            missing_required: c.missing_required,
        });
    }

    fn file(&mut self, format: Format) -> Result<(), ReadError> {
        let forced_enc = self.fmap.and_then(|f| f.encoding);
        let header_row = self.fmap.and_then(|f| f.header_row);
        match format {
            Format::Csv | Format::Tsv => {
                let Some(p) = text::probe(
                    self.path,
                    self.rel,
                    format == Format::Tsv,
                    forced_enc,
                    super::header::scan_rows(header_row),
                )?
                else {
                    self.skip(None, "", "空文件(没有内容)");
                    return Ok(());
                };
                let hr = match header_row {
                    None => None,
                    Some(h) => Some(p.lines.iter().position(|&l| l == h).unwrap_or(usize::MAX)),
                };
                match self.choose(&p.rows, Some(&p.lines), None, self.forced(None), hr)? {
                    Choice::Table(c) => {
                        let line = p.lines.get(c.start).copied();
                        let fmt = if p.delimiter == b'\t' {
                            Format::Tsv
                        } else {
                            Format::Csv
                        };
                        self.push_text(fmt, c, Some(p.encoding), p.delimiter, None, line);
                    }
                    Choice::Skip(why, closest) => {
                        let why = why + &not_utf8_hint(p.encoding, forced_enc, &p.rows);
                        self.skip_headerless(None, "", &why, closest);
                    }
                    Choice::Unfit(why) => self.settle_unfit(vec![(None, why)], "", false),
                    Choice::Reported => {}
                }
            }
            Format::Xlsx | Format::Xls => {
                let mut unfit = Vec::new();
                let mut read_any = false;
                let sheets =
                    sheet::probe(self.path, self.rel, super::header::scan_rows(header_row))?;
                if sheets.is_empty() {
                    // (A zip that is a workbook in name only: no sheet
                    // listed in `xl/workbook.xml`, or no such part.) The
                    // file was meant to hold data: not a silent nothing.
                    self.unreadable("工作簿中没有工作表 (工作簿结构异常或已损坏)".to_string());
                    return Ok(());
                }
                for s in sheets {
                    if s.repeated {
                        self.skip(
                            Some(&s.name),
                            "工作表",
                            "与前面的工作表同名, 未读取 (同一工作簿中工作表不能重名: 工作簿结构异常或已损坏;前一个已读取)",
                        );
                        continue;
                    }
                    if s.hidden {
                        self.skip(
                            Some(&s.name),
                            "工作表",
                            "隐藏的工作表, 未读取 (多为旧数据或下拉选项;若其中是要检查的数据, 请在 Excel 中取消隐藏)",
                        );
                        continue;
                    }
                    if s.empty {
                        self.skip(Some(&s.name), "工作表", "空工作表");
                        continue;
                    }
                    let hr = header_row.map(|h| {
                        (h as usize)
                            .checked_sub(1 + s.first_row as usize)
                            .unwrap_or(usize::MAX)
                    });
                    let lines: Vec<u32> = (0..s.rows.len() as u32)
                        .map(|i| s.first_row + i + 1)
                        .collect();
                    match self.choose(
                        &s.rows,
                        Some(&lines),
                        Some(&s.name),
                        self.forced(None),
                        hr,
                    )? {
                        Choice::Table(c) => {
                            let row = s.first_row + c.start as u32 + 1;
                            self.push(format, c, None, b',', Some(s.name.clone()), Some(row));
                            read_any = true;
                        }
                        Choice::Skip(why, closest) => {
                            self.skip_headerless(Some(&s.name), "工作表", &why, closest);
                        }
                        Choice::Unfit(why) => unfit.push((Some(s.name.clone()), why)),
                        Choice::Reported => read_any = true,
                    }
                }
                self.settle_unfit(unfit, "工作表", read_any);
            }
            Format::Jsonl => {
                let Some(p) = jsonl::probe(self.path, self.rel, forced_enc)? else {
                    self.skip(None, "", "空文件(没有内容)");
                    return Ok(());
                };
                match self.choose(
                    std::slice::from_ref(&p.keys),
                    None,
                    None,
                    self.forced(None),
                    None,
                )? {
                    Choice::Table(c) => self.push(
                        format,
                        HeaderChoice {
                            start: 0,
                            height: 0,
                            ..c
                        },
                        Some(p.encoding),
                        b',',
                        None,
                        None,
                    ),
                    Choice::Skip(why, closest) => {
                        let why = why
                            + &not_utf8_hint(p.encoding, forced_enc, std::slice::from_ref(&p.keys));
                        self.skip_headerless(None, "", &why, closest);
                    }
                    Choice::Unfit(why) => self.settle_unfit(vec![(None, why)], "", false),
                    Choice::Reported => {}
                }
            }
            Format::Yaml | Format::Json => {
                let Some((enc, tables)) = yaml::load(self.path, self.rel, forced_enc)? else {
                    self.skip(None, "", "空文件(没有内容)");
                    return Ok(());
                };
                if tables.is_empty() {
                    self.skip(
                        None,
                        "",
                        "内容不是记录列表(应为对象列表,或以数据集名为键的对象列表)",
                    );
                }
                let mut unfit = Vec::new();
                let mut read_any = false;
                for t in tables {
                    let key = t.key.as_deref();
                    let forced = self.forced(key.filter(|k| self.schema.dataset(k).is_some()));
                    match self.choose(std::slice::from_ref(&t.columns), None, key, forced, None)? {
                        Choice::Table(c) => {
                            self.push(
                                format,
                                HeaderChoice {
                                    start: 0,
                                    height: 0,
                                    ..c
                                },
                                Some(enc),
                                b',',
                                t.key.clone(),
                                None,
                            );
                            read_any = true;
                        }
                        Choice::Skip(why, closest) => {
                            self.skip_headerless(key, "键", &why, closest);
                        }
                        Choice::Unfit(why) => unfit.push((t.key.clone(), why)),
                        Choice::Reported => read_any = true,
                    }
                }
                self.settle_unfit(unfit, "键", read_any);
            }
        }
        Ok(())
    }
}

/// A row as a reason shows it: its cells up to the last with content, at
/// most eight, each of at most 24 characters.
fn shown(row: &[String]) -> String {
    let cells: Vec<&str> = row.iter().map(|c| super::normalize::trim(c)).collect();
    let end = cells
        .iter()
        .rposition(|c| !c.is_empty())
        .map_or(0, |i| i + 1);
    let mut out: Vec<String> = cells[..end]
        .iter()
        .take(8)
        .map(|c| match c.char_indices().nth(24) {
            Some((at, _)) => format!("{}…", &c[..at]),
            None => (*c).to_string(),
        })
        .collect();
    if end > 8 {
        out.push("…".to_string());
    }
    out.join(", ")
}

/// For a text file read in GBK or GB18030 because it is not UTF-8 (no
/// encoding given by the mapping) and in which no header was found: that
/// another encoding (Big5, Shift-JIS) would read as such without an error
/// and its header as other characters, with the first row as read.
fn not_utf8_hint(
    enc: super::TextEncoding,
    forced: Option<super::TextEncoding>,
    rows: &[Vec<String>],
) -> String {
    use super::TextEncoding;
    if forced.is_some() || !matches!(enc, TextEncoding::Gbk | TextEncoding::Gb18030) {
        return String::new();
    }
    let first = rows
        .iter()
        .map(|r| r.join(","))
        .find(|r| !r.trim_matches([',', ' ']).is_empty())
        .unwrap_or_default();
    let shown: String = first.chars().take(60).collect();
    let more = if first.chars().count() > 60 {
        "…"
    } else {
        ""
    };
    format!(
        ";文件不是 UTF-8, 已按 {} 读取, 第一行读作「{shown}{more}」: 若文件是 yimen 不读的编码 (如 Big5), 表头会读成乱码, 请另存为 UTF-8 或 GBK",
        enc.name()
    )
}
