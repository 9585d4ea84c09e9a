//! One audit of an export folder, end to end: discover the files, read the
//! small datasets whole (lookups need them), stream the large ones (cases,
//! fees) in chunks evaluated on the workers, and assemble the [`Audit`].
//!
//! Invariant: this stage never prints. Files not read (holding no dataset,
//! or unreadable) are returned in `Audit::skipped` for the caller to report;
//! progress is a callback.

use std::path::Path;

use duplicates::{duplicate_keys, StreamedKeys};

use crate::engine::report::{append, SkippedFile};
use crate::engine::{Audit, Data, DataError, Partial, Row, RunOptions, Runner, UnreadRow};
use crate::ir::Program;
use crate::read::{
    discover, par_stream, par_stream_deferring, read_table_full, recycle, ReadError, ReadOptions,
    DEFAULT_CHUNK_ROWS,
};
use crate::schema::Schema;

/// Adds derived records to the data held in memory.
pub type Inject<'a> = dyn Fn(&mut Data) + Sync + 'a;
/// Told (files done, files in all, file name) after each file.
pub type Progress<'a> = dyn Fn(usize, usize, &str) + Sync + 'a;

/// What a caller may add to an audit.
#[derive(Default)]
pub struct Hooks<'h> {
    /// Add derived records (the catalogue changes of `yimen diff`) to the
    /// data held in memory before the run.
    pub inject: Option<&'h Inject<'h>>,
    /// Called after each file with (files done, files in all, file name).
    pub progress: Option<&'h Progress<'h>>,
    /// The file the caller will write its report to (`--output`): the
    /// audit stops before reading anything when that file is one it reads
    /// (a dataset's file, or one it could not read), which the report
    /// would replace. A file it skips as holding no dataset (an earlier
    /// report written into the folder) may be replaced.
    pub output: Option<&'h Path>,
}

mod absence;
mod duplicates;
mod key_runs;

/// The refusal of an output file that the audit of `dir` reads.
fn output_read(dir: &Path, discovery: &crate::read::Discovery, output: &Path) -> Option<String> {
    // (By the file's identity: a hard link of a data file is that file.)
    std::fs::metadata(output).ok()?;
    let same = |p: &Path| crate::read::same_file(p, output);
    let what = if discovery.sources.iter().any(|s| same(&s.path)) {
        "这是被读取的数据文件"
    } else if discovery
        .skipped
        .iter()
        .any(|k| k.unreadable && same(&dir.join(&k.path)))
    {
        // (A data file this run could not read is still the export's.)
        "这是无法读取的数据文件"
    } else {
        return None;
    };
    Some(format!(
        "无法写入 {}: {what} (在 {} 中), 报告会覆盖它; 请把报告写到别处",
        output.display(),
        dir.display()
    ))
}

/// The refusal of `output` when an audit of `dir` would read it as data,
/// from discovery alone (the folder's headers, not its rows): `report
/// --compare PREV` asks it of PREV before reading the current export.
pub fn output_refusal(
    dir: &Path,
    schema: &Schema,
    opts: &ReadOptions,
    output: &Path,
) -> Option<String> {
    let discovery = discover(dir, schema, opts).ok()?;
    output_read(dir, &discovery, output)
}

const STRICT_STOP: &str = "--strict: 有文件无法读取或含数据错误, 审计中止";

/// Fill in the key of each repeated-key error of a streamed dataset (its
/// `value` as the row writes it, and its `column`): only hashes were kept while streaming, so the files holding
/// repeats are read again, each record's key taken only at the rows named.
/// This costs a second read of those files, and only when a key repeats; a
/// file that cannot be read again leaves its values out (its errors were
/// reported by the first read).
fn name_repeated_keys(
    repeats: &mut [((u32, u32), DataError)],
    fields: &[usize],
    sources: &[crate::read::SourceFile],
    file_of: &[u32],
    schema: &Schema,
    opts: &ReadOptions,
) {
    use std::collections::{BTreeMap, BTreeSet};
    if repeats.is_empty() {
        return;
    }
    let wanted: BTreeSet<(u32, u32)> = repeats.iter().map(|(place, _)| *place).collect();
    let found = std::sync::Mutex::new(BTreeMap::new());
    for (si, src) in sources.iter().enumerate() {
        let file = file_of[si];
        if wanted.range((file, 0)..=(file, u32::MAX)).next().is_none() {
            continue;
        }
        let _ = par_stream(src, schema, opts, DEFAULT_CHUNK_ROWS, |pc| {
            let texts: Vec<((u32, u32), String)> = pc
                .records
                .into_iter()
                .filter(|r| wanted.contains(&(file, r.row)))
                .filter_map(|r| {
                    Some((
                        (file, r.row),
                        duplicates::key_text(fields, &r.values, None)?,
                    ))
                })
                .collect();
            if let Ok(mut m) = found.lock() {
                m.extend(texts);
            }
        });
    }
    let found = found.into_inner().unwrap_or_default();
    for (place, error) in repeats {
        error.value = found.get(place).cloned();
        error.column = duplicates::key_column(sources, &error.file, error.sheet.as_deref(), fields);
    }
}

/// Audit `dir` with `program`. Errors: nothing recognisable in the folder,
/// or (with `opts.strict`) a file that cannot be read.
pub fn audit_dir(
    dir: &Path,
    program: &Program,
    schema: &Schema,
    opts: &ReadOptions,
    run_opts: &RunOptions<'_>,
    hooks: &Hooks<'_>,
) -> Result<Audit, String> {
    let discovery = discover(dir, schema, opts).map_err(|e| e.to_string())?;
    if let Some(e) = hooks.output.and_then(|o| output_read(dir, &discovery, o)) {
        return Err(e);
    }
    let mut unreadable: Vec<ReadError> = discovery.errors.clone();
    if opts.strict && !unreadable.is_empty() {
        let all: Vec<String> = unreadable.iter().map(ToString::to_string).collect();
        return Err(format!("{}: {}", STRICT_STOP, all.join("; ")));
    }
    if discovery.sources.is_empty() {
        let mut msg = format!(
            "{} 中没有可识别的导出数据 (用 yimen inspect 查看详情)",
            dir.display()
        );
        for k in &discovery.skipped {
            msg.push_str(&format!("\n  已跳过: {}: {}", k.path, k.reason));
        }
        return Err(msg);
    }
    let streamed: Vec<bool> = schema
        .datasets
        .iter()
        .enumerate()
        .map(|(i, d)| d.streamed && Runner::streamable(program, i))
        .collect();
    let mut data = Data::new(schema.datasets.len());
    let mut reading = absence::Reading::new(schema, opts, &discovery);
    let mut errors: Vec<DataError> = Vec::new();
    let file_of: Vec<u32> = discovery
        .sources
        .iter()
        .map(|src| data.add_file(&src.rel, src.sheet.as_deref()))
        .collect();
    let total = discovery.sources.len();
    let mut done = 0;
    let mut tick = |name: &str| {
        done += 1;
        if let Some(p) = hooks.progress {
            p(done, total, name);
        }
    };
    let fail = |e: ReadError, unreadable: &mut Vec<ReadError>| -> Result<(), String> {
        if opts.strict {
            return Err(format!("{STRICT_STOP}: {e}"));
        }
        unreadable.push(e);
        Ok(())
    };
    // The small datasets, whole.
    for (si, src) in discovery.sources.iter().enumerate() {
        let Some(ds) = schema.dataset_index(&src.dataset) else {
            continue;
        };
        if streamed[ds] {
            continue;
        }
        match read_table_full(src, schema, opts) {
            Ok(table) => {
                // A file read as the dataset provides it, even without rows
                // (a header-only register: nothing in it); one whose rows all
                // failed does not (its lookups stay unknown, not "no match"):
                // `Reading` decides, below.
                reading.read(ds, table.records.len() as u64, table.errors.len());
                for r in table.records {
                    data.push(
                        ds,
                        Row {
                            file: file_of[si],
                            row: r.row,
                            values: r.values,
                        },
                    );
                }
                errors.extend(table.errors);
                data.unread[ds].extend(table.unread.into_iter().map(|u| UnreadRow {
                    file: file_of[si],
                    row: Some(u.row),
                    texts: u.texts,
                    any: u.any,
                }));
            }
            Err(e) => {
                reading.failed(ds, &src.rel, src.sheet.as_deref());
                fail(e, &mut unreadable)?;
            }
        }
        tick(&src.rel);
    }
    // (A streamed dataset is never looked up: its absence is the summary's.)
    for (ds, absence) in data.absence.iter_mut().enumerate() {
        *absence = reading.absence(ds);
    }
    // A held dataset given by one file and not read from another that
    // holds it (or may: no header fits it, its name names the dataset):
    // the other may hold any key, so a lookup that misses is unknown,
    // naming that file (`units(无法读取: 进驻单位2.csv)`).
    for ds in 0..schema.datasets.len() {
        if streamed[ds] || !data.provided(ds) {
            continue;
        }
        for (rel, sheet) in reading.files_not_read(ds) {
            let file = data.add_file(rel, sheet.as_deref());
            data.unread[ds].push(UnreadRow {
                file,
                row: None,
                texts: Vec::new(),
                any: true,
            });
        }
    }
    errors.extend(duplicate_keys(
        program,
        schema,
        &data,
        &streamed,
        &discovery.sources,
    ));
    if let Some(inject) = hooks.inject {
        inject(&mut data);
    }
    let runner = Runner::new(program, schema, &data, run_opts);
    let mut audit = Audit {
        departments: register_departments(schema, &data),
        ..Audit::default()
    };
    for ds in 0..schema.datasets.len() {
        if !streamed[ds] {
            runner.run_in_memory(ds, &mut audit);
            continue;
        }
        // A large dataset, streamed: chunks parsed and evaluated on the
        // workers, partials merged in file and chunk order as they arrive
        // (memory holds the chunks in flight, not one partial per chunk).
        let merged = std::sync::Mutex::new(InOrder::default());
        let keys = StreamedKeys::new(program, schema, ds);
        // (Its id, which nothing but record rules' messages reads, is made a
        // text only for the records reported: see `read::DeferredCells`.)
        let defer = crate::engine::run::deferrable_field(program, schema, ds);
        for (si, src) in discovery.sources.iter().enumerate() {
            if schema.dataset_index(&src.dataset) != Some(ds) {
                continue;
            }
            let file = file_of[si];
            let before = merged.lock().map(|m| (m.merged.rows(), m.errors.len()));
            let result = par_stream_deferring(src, schema, opts, DEFAULT_CHUNK_ROWS, defer, |pc| {
                let rows: Vec<Row> = pc
                    .records
                    .into_iter()
                    .map(|r| Row {
                        file,
                        row: r.row,
                        values: r.values,
                    })
                    .collect();
                // (The keys hashed first, while the chunk's texts are in
                // the cache from their reading: case ids no rule reads.)
                if let Some(k) = &keys {
                    k.add_chunk(file, &rows, pc.deferred.as_ref());
                }
                let partial = runner.chunk_deferred(ds, &rows, None, pc.deferred.as_ref());
                recycle(rows.into_iter().map(|r| r.values));
                if let Ok(mut m) = merged.lock() {
                    m.arrive(pc.index, partial, pc.errors);
                }
            });
            if let Ok(mut m) = merged.lock() {
                m.end_of_source();
                if let Ok((rows_before, errors_before)) = before {
                    let rows = m.merged.rows() - rows_before;
                    // A file that failed before giving a record gives
                    // nothing (as a held one that fails): its dataset is
                    // unreadable, not given with no records. One that gave
                    // records first gives those (each finding's evidence is
                    // a row read); the file is listed as unreadable.
                    if result.is_ok() || rows > 0 {
                        reading.read(ds, rows, m.errors.len() - errors_before);
                    }
                }
            }
            if let Err(e) = result {
                reading.failed(ds, &src.rel, src.sheet.as_deref());
                fail(e, &mut unreadable)?;
            }
            tick(&src.rel);
        }
        let m = merged.into_inner().unwrap_or_default();
        // `--strict` stops at bad data in a streamed file as in a small one.
        if let (true, Some(e)) = (opts.strict, m.errors.first()) {
            let bad = ReadError::BadData {
                file: e.file.to_string(),
                error: Box::new(e.clone()),
            };
            fail(bad, &mut unreadable)?;
        }
        append(&mut errors, m.errors);
        if let Some(k) = keys {
            let fields = k.fields().to_vec();
            let mut repeats = k.repeats(&schema.datasets[ds], &data);
            name_repeated_keys(
                &mut repeats,
                &fields,
                &discovery.sources,
                &file_of,
                schema,
                opts,
            );
            errors.extend(repeats.into_iter().map(|(_, e)| e));
        }
        runner.finish_dataset(ds, [m.merged], &mut audit);
    }
    audit.data_errors = errors;
    // Unreadable files are listed once, as unreadable (discovery also lists
    // them as skipped).
    let failed = |path: &str| unreadable.iter().any(|e| e.file() == path);
    audit.skipped = discovery
        .skipped
        .iter()
        .filter(|k| !failed(&k.path))
        .map(|k| SkippedFile {
            file: k.path.clone(),
            reason: k.reason.clone(),
            unreadable: false,
        })
        .chain(unreadable.iter().map(|e| SkippedFile {
            file: e.file().to_string(),
            reason: e.reason(),
            unreadable: true,
        }))
        .collect();
    audit.pattern_use.clone_from(&discovery.pattern_use);
    audit.summary.not_read = schema
        .datasets
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.derived)
        .filter_map(|(ds, d)| Some((d.name.clone(), reading.absence(ds)?)))
        .collect();
    // In path order; a workbook whose sheets fail alike is one entry.
    audit.skipped.sort();
    audit.skipped.dedup();
    audit.finish();
    Ok(audit)
}

/// The partials of one streamed dataset, folded in file and chunk order as
/// the workers deliver them (in any order).
#[derive(Default)]
struct InOrder {
    merged: Partial,
    errors: Vec<DataError>,
    /// The next chunk index of the current source.
    next: u64,
    /// Chunks that arrived before one of a lower index.
    pending: std::collections::BTreeMap<u64, (Partial, Vec<DataError>)>,
}

impl InOrder {
    fn arrive(&mut self, index: u64, p: Partial, errors: Vec<DataError>) {
        self.pending.insert(index, (p, errors));
        while let Some((p, errors)) = self.pending.remove(&self.next) {
            self.merged.absorb(p);
            append(&mut self.errors, errors);
            self.next += 1;
        }
    }

    /// The source is read (or stopped by an error): fold what is left, in
    /// order, and start the next source at chunk 0.
    fn end_of_source(&mut self) {
        for (_, (p, errors)) in std::mem::take(&mut self.pending) {
            self.merged.absorb(p);
            append(&mut self.errors, errors);
        }
        self.next = 0;
    }
}

/// The departments the registers held in memory name (进驻单位, the
/// catalogue's 实施主体, the staff's and authorisations' units), sorted,
/// once each (names that match in their normalised form are one
/// department, under its earliest record's text, by file and row): the
/// departments of the centre, also those with nothing to count.
fn register_departments(schema: &Schema, data: &Data) -> Vec<String> {
    let mut placed: Vec<((u32, u32), &crate::value::Value)> = schema
        .datasets
        .iter()
        .zip(&data.tables)
        .filter_map(|(ds, rows)| ds.field_index("dept").map(|f| (f, rows)))
        .flat_map(|(f, rows)| {
            rows.iter()
                .filter(move |r| !r.values[f].is_missing())
                .map(move |r| ((r.file, r.row), &r.values[f]))
        })
        .collect();
    placed.sort_by_key(|(at, _)| *at);
    let mut seen = std::collections::HashSet::new();
    let mut names: Vec<String> = placed
        .into_iter()
        .map(|(_, v)| v.to_string())
        .filter(|n| seen.insert(crate::read::normalize::value(n).into_owned()))
        .collect();
    names.sort();
    names
}
