//! `yimen audit DIR`: read an export folder, run the policies, report every
//! finding with its evidence and the clause it breaks.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::common::{prepare, run_audit, RunArgs};
use crate::engine::{Audit, Data, DataError, Row, RunOptions, Runner};
use crate::ir::Severity;
use crate::output::{AuditDoc, AuditFormat};
use crate::read::{discover, read_table_full, ReadOptions};
use crate::schema::Schema;
use crate::triage::{baseline_keys, triage, Waivers};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Never,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    run: RunArgs,
    /// text (default), json (the findings contract), sarif, junit, github, csv or xlsx.
    #[arg(long, value_enum, default_value = "text")]
    format: AuditFormat,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Exit 1 when there is a finding at or above this severity.
    #[arg(long = "fail-on", value_enum, default_value = "error")]
    fail_on: FailOn,
    /// A previous `--format json` report: each finding is marked new or
    /// persisting, and the baseline's findings that are gone are listed as resolved.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// A YAML register of approved waivers (`code`, `key` patterns, `reason`,
    /// `approved_by`, `approval_ref`, `expires`).
    #[arg(long)]
    waivers: Option<PathBuf>,
}

impl FailOn {
    /// The exit code of a run: 2 when input was unreadable, 1 when a finding
    /// (not waived) is at or above the threshold, else 0.
    pub fn exit_code(self, findings: &[crate::engine::Finding], unreadable: bool) -> u8 {
        let threshold = match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Never => None,
        };
        let failing = threshold.is_some_and(|t| {
            findings
                .iter()
                .filter(|f| f.status != Some("waived"))
                .any(|f| Severity::parse(f.severity).is_some_and(|s| s <= t))
        });
        if unreadable {
            2
        } else {
            u8::from(failing)
        }
    }
}

pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

pub fn run_cmd(args: &Args) -> u8 {
    audit(args)
}

/// Read an export folder and run the program over it: the small datasets
/// are read whole (lookups need them), the large ones (`streamed` in the
/// schema) are streamed in chunks evaluated in parallel, so memory does not
/// grow with the case log. Unreadable files are reported on stderr; the
/// returned flag says whether there were any.
pub fn audit_dir(
    dir: &std::path::Path,
    program: &crate::ir::Program,
    schema: &Schema,
    opts: &ReadOptions,
    run_opts: &RunOptions<'_>,
) -> Result<(Audit, bool), String> {
    audit_dir_with(dir, program, schema, opts, run_opts, &|_| {})
}

/// [`audit_dir`], with `inject` adding derived records (the catalogue
/// changes of `yimen diff`) to the data held in memory before the run.
pub fn audit_dir_with(
    dir: &std::path::Path,
    program: &crate::ir::Program,
    schema: &Schema,
    opts: &ReadOptions,
    run_opts: &RunOptions<'_>,
    inject: &dyn Fn(&mut Data),
) -> Result<(Audit, bool), String> {
    let strict_stop = || "--strict: 有文件无法读取, 审计中止".to_string();
    let discovery = discover(dir, schema, opts).map_err(|e| e.to_string())?;
    let mut unreadable = false;
    for e in &discovery.errors {
        eprintln!("错误: {e}");
        unreadable = true;
    }
    if opts.strict && unreadable {
        return Err(strict_stop());
    }
    if discovery.sources.is_empty() {
        return Err(format!(
            "{} 中没有可识别的导出数据 (用 yimen inspect 查看原因)",
            dir.display()
        ));
    }
    let streamed: Vec<bool> = schema
        .datasets
        .iter()
        .enumerate()
        .map(|(i, d)| d.streamed && Runner::streamable(program, i))
        .collect();
    let mut data = Data::new(schema.datasets.len());
    let mut errors: Vec<DataError> = Vec::new();
    let file_of: Vec<u32> = discovery
        .sources
        .iter()
        .map(|src| data.add_file(src.rel.clone(), src.sheet.clone()))
        .collect();
    let bar = (std::io::stderr().is_terminal() && discovery.sources.len() > 1).then(|| {
        let b = indicatif::ProgressBar::new(discovery.sources.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let tick = |msg: &str| {
        if let Some(b) = &bar {
            b.set_message(msg.to_string());
            b.inc(1);
        }
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
                errors.extend(table.errors.into_iter().map(data_error));
            }
            Err(e) => {
                eprintln!("错误: {e}");
                unreadable = true;
                if opts.strict {
                    return Err(strict_stop());
                }
            }
        }
        tick(&src.rel);
    }
    inject(&mut data);
    let runner = Runner::new(program, schema, &data, run_opts);
    let mut audit = Audit::default();
    for ds in 0..schema.datasets.len() {
        if !streamed[ds] {
            runner.run_in_memory(ds, &mut audit);
            continue;
        }
        // A large dataset, streamed: chunks parsed and evaluated on the
        // workers, partials merged in file and chunk order.
        let parts = std::sync::Mutex::new(Vec::new());
        for (si, src) in discovery.sources.iter().enumerate() {
            if schema.dataset_index(&src.dataset) != Some(ds) {
                continue;
            }
            let file = file_of[si];
            let result =
                crate::read::par_stream(src, schema, opts, crate::read::DEFAULT_CHUNK_ROWS, |pc| {
                    let rows: Vec<Row> = pc
                        .records
                        .into_iter()
                        .map(|r| Row {
                            file,
                            row: r.row,
                            values: r.values,
                        })
                        .collect();
                    let partial = runner.chunk(ds, &rows, None);
                    if let Ok(mut v) = parts.lock() {
                        v.push((si, pc.index, partial, pc.errors));
                    }
                });
            if let Err(e) = result {
                eprintln!("错误: {e}");
                unreadable = true;
                if opts.strict {
                    return Err(strict_stop());
                }
            }
            tick(&src.rel);
        }
        let mut parts = parts.into_inner().unwrap_or_default();
        parts.sort_by_key(|(si, ci, _, _)| (*si, *ci));
        let mut partials = Vec::with_capacity(parts.len());
        for (_, _, p, errs) in parts {
            partials.push(p);
            errors.extend(errs.into_iter().map(data_error));
        }
        runner.finish_dataset(ds, partials, &mut audit);
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    audit.data_errors = errors;
    audit.finish();
    Ok((audit, unreadable))
}

fn data_error(e: crate::read::DataError) -> DataError {
    DataError {
        file: e.file,
        sheet: e.sheet,
        row: e.row,
        column: e.column,
        value: e.value,
        expected: e.expected,
        message: e.message,
    }
}

/// Refuse, before any work, an output the format cannot go to: a binary
/// format without `--output`, or an output path that is a directory or lies
/// in a folder that does not exist.
pub(crate) fn check_output(
    format: AuditFormat,
    output: Option<&std::path::Path>,
) -> Result<(), String> {
    let Some(path) = output else {
        if format.is_binary() {
            return Err(
                "--format xlsx 需要 --output FILE (工作簿是二进制文件, 不能写到终端)".to_string(),
            );
        }
        return Ok(());
    };
    if path.is_dir() {
        return Err(format!("无法写入 {}: 这是一个目录", path.display()));
    }
    let parent = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = parent {
        if !dir.is_dir() {
            return Err(format!(
                "无法写入 {}: 目录 {} 不存在",
                path.display(),
                dir.display()
            ));
        }
    }
    Ok(())
}

/// A finding of a baseline: code and key.
type BaselineKey = (String, Vec<String>);

/// Read `--baseline` and `--waivers` before any data is.
fn load_triage(args: &Args) -> Result<(Option<Vec<BaselineKey>>, Waivers), String> {
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).map_err(|e| format!("无法读取 {}: {e}", p.display()))
    };
    let baseline = match &args.baseline {
        Some(p) => Some(baseline_keys(&p.display().to_string(), &read(p)?)?),
        None => None,
    };
    let waivers = match &args.waivers {
        Some(p) => Waivers::from_yaml(&p.display().to_string(), &read(p)?)?,
        None => Waivers::default(),
    };
    Ok((baseline, waivers))
}

fn audit(args: &Args) -> u8 {
    if let Err(e) = check_output(args.format, args.output.as_deref()) {
        eprintln!("错误: {e}");
        return 2;
    }
    let (baseline, waivers) = match load_triage(args) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("错误: {e}");
            return 2;
        }
    };
    let prepared = match prepare(&args.run) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let (mut audit, unreadable) = match run_audit(&args.run, &prepared, &args.run.dir, None) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if baseline.is_some() || !waivers.list.is_empty() {
        let t = triage(
            &audit.findings,
            baseline.as_deref(),
            &waivers,
            prepared.as_of,
        );
        for (f, s) in audit.findings.iter_mut().zip(t.statuses) {
            f.status = Some(s.status);
            f.waiver = s.waiver;
        }
        audit.resolved = t.resolved;
        audit.expired_waivers = t.expired_waivers;
        audit.stale_waivers = t.stale_waivers;
    }
    let doc = AuditDoc {
        audit: &audit,
        as_of: prepared.as_of,
        program: &prepared.program,
    };
    let report = match crate::output::render(args.format, &doc) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误: {e}");
            return 2;
        }
    };
    if let Err(code) = super::emit(&report, args.output.as_deref()) {
        return code;
    }
    args.fail_on.exit_code(&audit.findings, unreadable)
}
