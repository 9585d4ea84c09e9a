//! `yimen audit DIR`: read an export folder, run the policies, report every
//! finding with its evidence and the clause it breaks.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::{load_policies, report_policy_errors, ErrorFormat, TextOrJson};
use crate::calendar::Calendar;
use crate::engine::{run, Audit, Data, DataError, Row, RunOptions};
use crate::ir::Severity;
use crate::output::AuditDoc;
use crate::read::{discover, read_table_full, ReadOptions};
use crate::schema::Schema;
use crate::sources::SourceRegistry;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Never,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The export folder (searched recursively).
    dir: PathBuf,
    /// Policy files or directories; default: the policies that ship with yimen.
    #[arg(long = "policy")]
    policies: Vec<PathBuf>,
    /// A mapping file: extra header and value aliases, per-file dataset and encoding.
    #[arg(long)]
    map: Option<PathBuf>,
    /// The audit date (YYYY-MM-DD), for rules about unfinished work; default: today.
    #[arg(long = "as-of")]
    as_of: Option<String>,
    /// Override a parameter: name=value (repeatable).
    #[arg(long = "param")]
    params: Vec<String>,
    /// A YAML file of parameter values (a region's settings).
    #[arg(long = "params")]
    params_file: Option<PathBuf>,
    /// A local calendar (holiday-cn JSON or YAML) added to the official one.
    #[arg(long)]
    calendar: Option<PathBuf>,
    /// Worker threads (default: all cores). The output does not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// text (default) or json.
    #[arg(long, value_enum, default_value = "text")]
    format: TextOrJson,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Exit 1 when there is a finding at or above this severity.
    #[arg(long = "fail-on", value_enum, default_value = "error")]
    fail_on: FailOn,
    /// Stop at the first file that cannot be read.
    #[arg(long)]
    strict: bool,
}

pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

pub fn run_cmd(args: &Args) -> u8 {
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("错误: 无法启动工作线程: {e}");
            return 2;
        }
    };
    pool.install(|| audit(args))
}

/// Read every recognised file of `dir` into the engine's data; unreadable
/// files are reported on stderr (and make the exit code 2).
pub fn read_dir(
    dir: &std::path::Path,
    schema: &Schema,
    opts: &ReadOptions,
) -> Result<(Data, Vec<DataError>, bool), String> {
    let discovery = discover(dir, schema, opts).map_err(|e| e.to_string())?;
    let mut unreadable = false;
    for e in &discovery.errors {
        eprintln!("错误: {e}");
        unreadable = true;
    }
    if opts.strict && unreadable {
        return Err("--strict: 有文件无法读取, 审计中止".into());
    }
    let mut data = Data::new(schema.datasets.len());
    let mut errors = Vec::new();
    let bar = (std::io::stderr().is_terminal() && discovery.sources.len() > 1).then(|| {
        let b = indicatif::ProgressBar::new(discovery.sources.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    for src in &discovery.sources {
        if let Some(b) = &bar {
            b.set_message(src.rel.clone());
        }
        let Some(ds) = schema.dataset_index(&src.dataset) else {
            continue;
        };
        match read_table_full(src, schema, opts) {
            Ok(table) => {
                let file = data.add_file(src.rel.clone(), src.sheet.clone());
                for r in table.records {
                    data.push(
                        ds,
                        Row {
                            file,
                            row: r.row,
                            values: r.values,
                        },
                    );
                }
                errors.extend(table.errors.into_iter().map(|e| DataError {
                    file: e.file,
                    sheet: e.sheet,
                    row: e.row,
                    column: e.column,
                    value: e.value,
                    expected: e.expected,
                    message: e.message,
                }));
            }
            Err(e) => {
                eprintln!("错误: {e}");
                unreadable = true;
                if opts.strict {
                    return Err("--strict: 有文件无法读取, 审计中止".into());
                }
            }
        }
        if let Some(b) = &bar {
            b.inc(1);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok((data, errors, unreadable))
}

fn audit(args: &Args) -> u8 {
    let schema = Schema::builtin();
    let (_, program) = match load_policies(&args.policies) {
        Ok(p) => p,
        Err(errs) => {
            report_policy_errors(&errs, ErrorFormat::Human);
            return 2;
        }
    };
    let as_of = if let Some(s) = &args.as_of {
        let Some(d) = parse_date(s) else {
            eprintln!("错误: --as-of 应为 YYYY-MM-DD 格式的日期, 而不是 {s:?}");
            return 2;
        };
        d
    } else {
        chrono::Local::now().date_naive()
    };
    let params = match crate::params::resolve(&program, args.params_file.as_deref(), &args.params) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("错误: {e}");
            return 2;
        }
    };
    let calendar = match &args.calendar {
        Some(p) => match Calendar::official().with_local_file(p) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("错误: {e}");
                return 2;
            }
        },
        None => Calendar::official().clone(),
    };
    let mapping = match super::load_mapping(args.map.as_deref(), schema) {
        Ok(m) => m,
        Err(code) => return code,
    };
    if !args.dir.is_dir() {
        eprintln!(
            "错误: {} 不是一个目录 (not a directory)",
            args.dir.display()
        );
        return 2;
    }
    let opts = ReadOptions {
        mapping,
        strict: args.strict,
    };
    let (data, data_errors, unreadable) = match read_dir(&args.dir, schema, &opts) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("错误: {e}");
            return 2;
        }
    };
    if data.tables.iter().all(Vec::is_empty) && data_errors.is_empty() {
        eprintln!(
            "错误: {} 中没有可识别的导出数据 (用 yimen inspect 查看原因)",
            args.dir.display()
        );
        return 2;
    }
    let mut audit: Audit = run(
        &program,
        schema,
        &data,
        &RunOptions {
            as_of,
            params,
            calendar: &calendar,
            sources: SourceRegistry::builtin(),
        },
    );
    audit.data_errors = data_errors;
    audit.finish();
    let doc = AuditDoc {
        audit: &audit,
        as_of,
        program: &program,
    };
    let text = match args.format {
        TextOrJson::Json => crate::output::json::render(&doc),
        TextOrJson::Text => crate::output::text::render(&doc),
    };
    if let Err(code) = super::emit(&text, args.output.as_deref()) {
        return code;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| {
        audit
            .findings
            .iter()
            .any(|f| Severity::parse(f.severity).is_some_and(|s| s <= t))
    });
    if unreadable {
        2
    } else {
        u8::from(failing)
    }
}
