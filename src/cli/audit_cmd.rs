//! `yimen audit DIR`: read an export folder, run the policies, report every
//! finding with its evidence and the clause it breaks.

use std::path::PathBuf;

use super::common::{prepare, run_audit, RunArgs};
use crate::ir::Severity;
use crate::output::{AuditDoc, AuditFormat};
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

pub fn run_cmd(args: &Args) -> u8 {
    audit(args)
}

/// Refuse, before any work, an output the format cannot go to: a binary
/// format without `--output`, an output path that is a directory or lies
/// in a folder that does not exist, or one of the files given to read
/// (`inputs`), which the report would replace.
pub(crate) fn check_output(
    format: AuditFormat,
    output: Option<&std::path::Path>,
    inputs: &[&std::path::Path],
) -> Result<(), String> {
    if let Some(path) = output {
        not_an_input(path, inputs)?;
    }
    let Some(path) = output else {
        if format.is_binary() {
            return Err(
                "--format xlsx 需要 --output FILE (工作簿是二进制文件, 不能写到终端)".to_string(),
            );
        }
        return Ok(());
    };
    output_place(path)
}

/// Refuse an output path that is a directory or lies in a folder that does
/// not exist (or is a file), before any work.
pub(crate) fn output_place(path: &std::path::Path) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!("无法写入 {}: 这是一个目录", path.display()));
    }
    let parent = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = parent {
        if !dir.is_dir() {
            // (A file of that name is in the way, or nothing is there.)
            let why = if dir.exists() {
                "不是目录, 而是一个文件"
            } else {
                "不存在"
            };
            return Err(format!(
                "无法写入 {}: 目录 {} {why}",
                path.display(),
                dir.display()
            ));
        }
    }
    Ok(())
}

/// An output that is itself one of the files given to read (`yimen diff
/// old.csv new.csv --output new.csv`) is refused before any work; a file
/// inside a folder read is refused by the audit once it knows the file is
/// read as data (`Hooks::output`), so that a report written into the
/// folder earlier (and skipped there as holding no dataset) may be written
/// again.
pub(crate) fn not_an_input(
    output: &std::path::Path,
    inputs: &[&std::path::Path],
) -> Result<(), String> {
    let Ok(target) = std::fs::canonicalize(output) else {
        return Ok(());
    };
    let given = inputs
        .iter()
        .any(|input| std::fs::canonicalize(input).is_ok_and(|root| root == target));
    if given && target.is_file() {
        return Err(format!(
            "无法写入 {}: 这是被读取的数据文件, 报告会覆盖它; 请把报告写到别处",
            output.display()
        ));
    }
    Ok(())
}

/// A finding of a baseline: code and key.
type BaselineKey = (String, Vec<String>);

/// Read `--baseline` and `--waivers` before any data is.
fn load_triage(args: &Args) -> Result<(Option<Vec<BaselineKey>>, Waivers), String> {
    let read = |p: &std::path::Path| {
        crate::read::small_config_file(p).map_err(|e| format!("无法读取 {}: {e}", p.display()))
    };
    let baseline = match &args.baseline {
        // A previous report, not a configuration file: no size limit (a
        // county's year of findings passes 64 MiB), read as it streams.
        Some(p) => {
            let file =
                crate::read::open_file(p).map_err(|e| format!("无法读取 {}: {e}", p.display()))?;
            Some(baseline_keys(&p.display().to_string(), file)?)
        }
        None => None,
    };
    let waivers = match &args.waivers {
        Some(p) => Waivers::from_yaml(&p.display().to_string(), &read(p)?)?,
        None => Waivers::default(),
    };
    Ok((baseline, waivers))
}

fn audit(args: &Args) -> u8 {
    if let Err(e) = check_output(args.format, args.output.as_deref(), &[]) {
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
    let prepared = match prepare(&args.run.opts) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Some(p) = &args.waivers {
        if let Err(e) = waivers.check_against(&p.display().to_string(), &prepared.program) {
            eprintln!("错误: {e}");
            return 2;
        }
    }
    let (mut audit, unreadable) = match run_audit(
        &prepared,
        &args.run.dir,
        None,
        None,
        "",
        args.output.as_deref(),
    ) {
        Ok(x) => x,
        Err(code) => return code,
    };
    super::common::warn_unused_patterns(prepared.read.mapping.as_ref(), &audit.pattern_use);
    if baseline.is_some() || !waivers.list.is_empty() {
        let t = triage(
            &audit.findings,
            baseline.as_deref(),
            &waivers,
            prepared.as_of,
        );
        for (f, s) in audit.findings.iter_mut().zip(t.statuses) {
            f.status = Some(s.status);
            f.baseline = s.baseline;
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
        location_prefix: crate::output::location_prefix(&args.run.dir),
        settings: super::common::settings(&prepared, &args.run.opts),
    };
    if let Err(code) = super::common::write_audit(args.format, &doc, args.output.as_deref()) {
        return code;
    }
    let code = args.fail_on.exit_code(&audit.findings, unreadable);
    // The audit's last use: the process ends after this command, and the
    // system takes its memory back at once, where freeing a dirty export's
    // millions of findings, verdicts and data errors one allocation at a
    // time took half a second (1M cases with an unreadable 受理时间).
    std::mem::forget(audit);
    code
}
