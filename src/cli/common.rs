//! What `audit` and `report` share: reading the options of a run (policies,
//! audit date, parameters, calendar, mapping) and the export folder.

use std::path::PathBuf;

use super::{load_policies, report_policy_errors, ErrorFormat};
use crate::calendar::Calendar;
use crate::engine::{Audit, RunOptions};
use crate::ir::Program;
use crate::read::ReadOptions;
use crate::schema::Schema;
use crate::sources::SourceRegistry;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The export folder (searched recursively).
    pub dir: PathBuf,
    /// Policy files or directories; default: the policies that ship with yimen.
    #[arg(long = "policy")]
    pub policies: Vec<PathBuf>,
    /// A mapping file: extra header and value aliases, per-file dataset and encoding.
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// The audit date (YYYY-MM-DD), for rules about unfinished work; default: today.
    #[arg(long = "as-of")]
    pub as_of: Option<String>,
    /// Override a parameter: name=value (repeatable).
    #[arg(long = "param")]
    pub params: Vec<String>,
    /// A YAML file of parameter values (a region's settings).
    #[arg(long = "params")]
    pub params_file: Option<PathBuf>,
    /// A local calendar (holiday-cn JSON or YAML) added to the official one.
    #[arg(long)]
    pub calendar: Option<PathBuf>,
    /// Worker threads (default: all cores). The output does not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Stop at the first file that cannot be read.
    #[arg(long)]
    pub strict: bool,
}

/// A run ready to go: the checked program and everything it needs.
pub struct Prepared {
    pub program: Program,
    pub as_of: chrono::NaiveDate,
    pub params: Vec<Option<crate::ir::Const>>,
    pub calendar: Calendar,
    pub read: ReadOptions,
}

/// Check the options; on error print it and return the exit code (2).
pub fn prepare(args: &RunArgs) -> Result<Prepared, u8> {
    let schema = Schema::builtin();
    let (_, program) = load_policies(&args.policies).map_err(|errs| {
        report_policy_errors(&errs, ErrorFormat::Human);
        2u8
    })?;
    let as_of = match &args.as_of {
        Some(s) => super::audit_cmd::parse_date(s).ok_or_else(|| {
            eprintln!("错误: --as-of 应为 YYYY-MM-DD 格式的日期, 而不是 {s:?}");
            2u8
        })?,
        None => chrono::Local::now().date_naive(),
    };
    let params = crate::params::resolve(&program, args.params_file.as_deref(), &args.params)
        .map_err(|e| {
            eprintln!("错误: {e}");
            2u8
        })?;
    let calendar = match &args.calendar {
        Some(p) => Calendar::official().with_local_file(p).map_err(|e| {
            eprintln!("错误: {e}");
            2u8
        })?,
        None => Calendar::official().clone(),
    };
    let mapping = super::load_mapping(args.map.as_deref(), schema)?;
    if !args.dir.is_dir() {
        eprintln!(
            "错误: {} 不是一个目录 (not a directory)",
            args.dir.display()
        );
        return Err(2);
    }
    Ok(Prepared {
        program,
        as_of,
        params,
        calendar,
        read: ReadOptions {
            mapping,
            strict: args.strict,
        },
    })
}

/// Audit `dir` with a prepared run on a pool of `threads` workers.
pub fn run_audit(
    args: &RunArgs,
    p: &Prepared,
    dir: &std::path::Path,
    period: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
) -> Result<(Audit, bool), u8> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| {
            eprintln!("错误: 无法启动工作线程: {e}");
            2u8
        })?;
    let run_opts = RunOptions {
        as_of: p.as_of,
        params: p.params.clone(),
        calendar: &p.calendar,
        sources: SourceRegistry::builtin(),
        period,
    };
    pool.install(|| {
        super::audit_cmd::audit_dir(dir, &p.program, Schema::builtin(), &p.read, &run_opts)
    })
    .map_err(|e| {
        eprintln!("错误: {e}");
        2u8
    })
}
