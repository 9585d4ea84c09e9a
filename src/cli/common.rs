//! What `audit`, `report` and `diff` share: the options of a run (policies,
//! audit date, parameters, calendar, mapping, threads), their checking, and
//! one audit of a folder with its progress bar and unreadable-file messages.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::{load_policies, report_policy_errors, ErrorFormat};
use crate::audit::{audit_dir, Hooks, Inject};
use crate::calendar::Calendar;
use crate::engine::{Audit, RunOptions};
use crate::ir::Program;
use crate::read::ReadOptions;
use crate::schema::Schema;
use crate::sources::SourceRegistry;

/// The export folder and the options of a run.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The export folder (searched recursively).
    pub dir: PathBuf,
    #[command(flatten)]
    pub opts: RunOpts,
}

/// The options of a run.
#[derive(clap::Args, Debug, Clone)]
pub struct RunOpts {
    /// Policy files or directories; default: the policies that ship with yimen.
    /// `@builtin` names the shipped policies, so that a region adds its own:
    /// `--policy @builtin --policy 本地规则/`. Documents in a `sources/`
    /// folder beside the policies can be cited besides the built-in ones.
    #[arg(long = "policy")]
    pub policies: Vec<PathBuf>,
    /// A mapping file: extra header and value aliases, per-file dataset and encoding.
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// The audit date (YYYY-MM-DD): unfinished cases are judged as of it, and
    /// authorisations, staff and units as they stand on it; default: today in
    /// Beijing time (UTC+8), whatever the machine's time zone.
    #[arg(long = "as-of")]
    pub as_of: Option<String>,
    /// Override a parameter: name=value (repeatable).
    #[arg(long = "param")]
    pub params: Vec<String>,
    /// A YAML file of parameter values (a region's settings).
    #[arg(long = "params")]
    pub params_file: Option<PathBuf>,
    /// A local calendar added to the official one: YAML
    /// (`days: [{date: 2025-05-06, off: true, name: 地方假日}]`, `off: false`
    /// for a working day) or JSON in holiday-cn's form (`{"days": [{"name":
    /// …, "date": …, "isOffDay": true}]}`); either key name is taken in
    /// either form. With `year: 2027` (holiday-cn's `year`) its days are that
    /// year's national arrangement: working days over a year no notice gives
    /// (shipped: 2007-2026) are undetermined. Repeatable (a year's notice
    /// each, a county's own days): later files override earlier ones.
    #[arg(long)]
    pub calendar: Vec<PathBuf>,
    /// Worker threads, 1 to 256 (default: one per core). The output does
    /// not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// Stop (exit 2) at the first file that cannot be read or the first
    /// value that does not parse, in any file.
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
    pub threads: Option<usize>,
}

/// The audit date given to `flag` (`--as-of`, `--compare-as-of`); on a bad
/// one, the error printed and exit code 2.
pub(super) fn audit_date(flag: &str, s: &str) -> Result<chrono::NaiveDate, u8> {
    parse_date(s).ok_or_else(|| {
        fail(format!(
            "{flag} 应为 1900—2100 年间 YYYY-MM-DD 格式的日期, 而不是 {s:?}"
        ))
    })
}

/// A `YYYY-MM-DD` date of the years an audit can be about (1900-2100: not
/// `+10000-01-01`, which chrono would accept).
fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let s = s.trim();
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| crate::read::cell::YEARS.contains(&chrono::Datelike::year(d)))
}

fn fail(e: impl std::fmt::Display) -> u8 {
    eprintln!("错误: {e}");
    2
}

/// Today in Beijing time (UTC+8), the centres' time: a CI runner keeps
/// UTC, where before 08:00 in Beijing it is still yesterday, and unfinished
/// cases and authorisations would be judged a day early.
fn beijing_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::TimeDelta::hours(8)).date_naive()
}

/// A dataset streamed in chunks (cases, fees) that the policies make the
/// audit hold whole (a region's rule looking cases up by id) is said on
/// stderr: memory then grows with the number of its records, where it is
/// otherwise bounded by the registers and the groups.
fn warn_held_whole(program: &crate::ir::Program) {
    for (i, d) in Schema::builtin().datasets.iter().enumerate() {
        let codes = crate::engine::Runner::holding_whole(program, i);
        if d.streamed && !codes.is_empty() {
            eprintln!(
                "注意: {} 查找 {} 的记录 (或按键去重), 该数据集将整个读入内存而不是分块流式处理: 内存随其记录数增长 (数百万条时可达数 GB)",
                codes.join("、"),
                d.name
            );
        }
    }
}

/// Check the options; on error print it and return the exit code (2).
pub fn prepare(opts: &RunOpts) -> Result<Prepared, u8> {
    let schema = Schema::builtin();
    let (_, program) = load_policies(&opts.policies).map_err(|errs| {
        report_policy_errors(&errs, ErrorFormat::Human);
        2u8
    })?;
    let as_of = match &opts.as_of {
        Some(s) => audit_date("--as-of", s)?,
        None => beijing_today(),
    };
    let params = crate::params::resolve(&program, opts.params_file.as_deref(), &opts.params)
        .map_err(fail)?;
    let calendar = load_calendar(&opts.calendar).map_err(fail)?;
    warn_past_calendar(&calendar, as_of);
    let mapping = super::load_mapping(opts.map.as_deref(), schema)?;
    // Once per command, however many audits it runs (diff, report --compare).
    warn_held_whole(&program);
    Ok(Prepared {
        program,
        as_of,
        params,
        calendar,
        read: ReadOptions {
            mapping,
            strict: opts.strict,
        },
        threads: opts.threads.map(usize::from),
    })
}

/// What a run was given beyond the shipped settings, as the text output
/// names it: each parameter whose value is not its default (`参数
/// age_limit = 40 (默认 45)`), each local calendar file.
pub fn settings(prepared: &Prepared, opts: &RunOpts) -> Vec<String> {
    let mut out: Vec<String> = prepared
        .program
        .params
        .iter()
        .zip(&prepared.params)
        .filter(|(p, v)| v.is_some() && p.default != **v)
        .map(|(p, v)| {
            let now = v.as_ref().map_or_else(String::new, ToString::to_string);
            match &p.default {
                Some(d) => format!("参数 {} = {now} (默认 {d})", p.name),
                None => format!("参数 {} = {now}", p.name),
            }
        })
        .collect();
    out.extend(
        opts.calendar
            .iter()
            .map(|c| format!("本地日历 {}", c.display())),
    );
    out
}

/// What is wrong with an export folder argument that is not a folder.
pub fn not_a_folder(dir: &Path) -> String {
    if dir.exists() {
        format!("{} 不是目录, 请给出导出文件所在的文件夹", dir.display())
    } else {
        format!("{} 不存在", dir.display())
    }
}

/// The official calendar with the local files layered on it, in order.
pub fn load_calendar(paths: &[PathBuf]) -> Result<Calendar, crate::calendar::CalendarError> {
    paths
        .iter()
        .try_fold(Calendar::official().clone(), |cal, p| {
            cal.with_local_file(p)
        })
}

/// Warns when the calendar lacks a notice needed to count working days up
/// to the audit date (a year whose holidays are not yet published, a year
/// between the held ones, or for 29-31 December the next year's): counts
/// over such days are undetermined unless the verdict holds however they fall.
pub fn warn_past_calendar(calendar: &Calendar, as_of: chrono::NaiveDate) {
    let Some(text) = calendar.missing_text(as_of) else {
        return;
    };
    let missing = calendar.missing_notices(as_of);
    let how = match missing.as_slice() {
        [y] if *y >= 2007 => format!("holiday-cn 的 {y}.json, 或写明 year: {y} 的 YAML"),
        _ => "每年一个文件: holiday-cn 的年度 JSON, 或写明 year 的 YAML".to_string(),
    };
    eprintln!(
        "警告: 工作日历收录 {} 年的安排, 审计日 {as_of} 所需的 {text}未收录: 涉及未收录日子的工作日计数记为无法判定, 无论这些日子如何安排结论都不变的除外 (可用 --calendar 加入国务院办公厅的安排: {how})",
        calendar.held_years_text()
    );
}

/// Warns of the mapping's `files` patterns that no file used (`uses`: over
/// every folder the command read).
pub fn warn_unused_patterns(
    mapping: Option<&crate::read::mapping::Mapping>,
    uses: &[crate::read::mapping::PatternUse],
) {
    if let Some(m) = mapping {
        for w in m.unused_warnings(uses) {
            eprintln!("警告: {w}");
        }
    }
}

/// Audit `dir` with a prepared run: on a pool of the asked number of
/// workers, with a progress bar on a terminal, skipped and unreadable files
/// reported on stderr (after `label`, when one audit of several is about,
/// say, the old version). Returns the audit and whether any file was
/// unreadable.
pub fn run_audit(
    p: &Prepared,
    dir: &Path,
    period: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    inject: Option<&Inject<'_>>,
    label: &str,
    output: Option<&Path>,
) -> Result<(Audit, bool), u8> {
    if !dir.is_dir() {
        return Err(fail(not_a_folder(dir)));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(p.threads.unwrap_or(0))
        // The evaluators recurse over expressions (at most `MAX_DEPTH` deep).
        .stack_size(32 << 20)
        .build()
        .map_err(|e| fail(format!("无法启动工作线程: {e}")))?;
    let run_opts = RunOptions {
        as_of: p.as_of,
        params: p.params.clone(),
        calendar: &p.calendar,
        sources: SourceRegistry::active(),
        period,
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let progress = |done: usize, total: usize, name: &str| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
            b.set_message(name.to_string());
        }
    };
    let hooks = Hooks {
        inject,
        progress: Some(&progress),
        output,
    };
    let result = pool.install(|| {
        audit_dir(
            dir,
            &p.program,
            Schema::builtin(),
            &p.read,
            &run_opts,
            &hooks,
        )
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let audit = result.map_err(|e| fail(format!("{label}{e}")))?;
    // Nothing is skipped silently (the data contract).
    for k in audit.skipped.iter().filter(|k| !k.unreadable) {
        eprintln!("{label}已跳过: {}: {}", k.file, k.reason);
    }
    for k in audit.skipped.iter().filter(|k| k.unreadable) {
        eprintln!("{label}错误: {}: {}", k.file, k.reason);
    }
    let unreadable = audit.skipped.iter().any(|k| k.unreadable);
    Ok((audit, unreadable))
}

/// Writes an audit's document in `format` to `output` (standard output
/// without one): the JSON as it is serialised (a million data errors make
/// hundreds of megabytes, never held whole), the other formats rendered
/// first. The exit code on failure (2), its message printed.
pub(crate) fn write_audit(
    format: crate::output::AuditFormat,
    doc: &crate::output::AuditDoc<'_>,
    output: Option<&std::path::Path>,
) -> Result<(), u8> {
    if let Some(write) = crate::output::streamed(format) {
        return super::emit_with(&mut |w| write(doc, w), output);
    }
    match crate::output::render(format, doc) {
        Ok(report) => super::emit(&report, output),
        Err(e) => {
            eprintln!("错误: {e}");
            Err(2)
        }
    }
}
