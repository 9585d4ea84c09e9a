//! `yimen report DIR`: the annual evaluation — metrics, scores, ranking.

use std::path::PathBuf;

use chrono::Datelike as _;

use super::common::{prepare, run_audit, RunArgs};
use crate::report::{build, Weights};
use crate::schema::Schema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Html,
    Json,
    Md,
    Xlsx,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    run: RunArgs,
    /// The year evaluated (e.g. 2025): only event records dated in it are
    /// counted. Default: every record, whatever its date.
    #[arg(long, value_parser = parse_year)]
    period: Option<i32>,
    /// The previous period's export folder, for the trend.
    #[arg(long)]
    compare: Option<PathBuf>,
    /// The audit date of the previous period (YYYY-MM-DD): its unfinished
    /// cases are judged as of this day. Default: with --period, --as-of one
    /// year earlier (the previous export was taken a year before); without
    /// it, --as-of.
    #[arg(long, requires = "compare")]
    compare_as_of: Option<String>,
    /// A YAML file of weights and targets; every key optional: `metrics`
    /// (metric → weight; default 1, M01 and M04 2), `penalty_error` (2),
    /// `penalty_warning` (1), `penalty_info` (0), `max_penalty` (40),
    /// `excellence_share` (0.2, at most 0.2: sandu-2018 七、(二)), `targets`
    /// (metric → target, e.g. `M06: 0.95` or `M06: 95%`).
    #[arg(long)]
    weights: Option<PathBuf>,
    /// md (default), html (one self-contained file, printable on A4), xlsx (needs --output) or json.
    #[arg(long, value_enum, default_value = "md")]
    format: ReportFormat,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
}

fn parse_year(s: &str) -> Result<i32, String> {
    s.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1990..=2100).contains(y))
        .ok_or_else(|| format!("应为 1990 到 2100 之间的四位年份, 如 2025 (a year from 1990 to 2100, such as 2025), 而不是 {s:?}"))
}

fn year(y: i32) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    Some((
        chrono::NaiveDate::from_ymd_opt(y, 1, 1)?,
        chrono::NaiveDate::from_ymd_opt(y, 12, 31)?,
    ))
}

pub fn run(args: &Args) -> u8 {
    if args.format == ReportFormat::Xlsx && args.output.is_none() {
        eprintln!("错误: --format xlsx 需要 --output FILE (工作簿不能写到终端)");
        return 2;
    }
    if let Some(path) = &args.output {
        if let Err(e) = super::audit_cmd::output_place(path) {
            eprintln!("错误: {e}");
            return 2;
        }
    }
    let weights = match &args.weights {
        Some(p) => match crate::read::small_config_file(p)
            .map_err(|e| format!("无法读取 {}: {e}", p.display()))
            .and_then(|t| Weights::from_yaml(&p.display().to_string(), &t))
        {
            Ok(w) => w,
            Err(e) => {
                eprintln!("错误: {e}");
                return 2;
            }
        },
        None => Weights::default(),
    };
    let mut prepared = match prepare(&args.run.opts) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Some(p) = &args.weights {
        let known: Vec<&str> = prepared
            .program
            .rules
            .iter()
            .filter(|r| r.kind == crate::ast::RuleKind::Metric)
            .map(|r| r.code.as_str())
            .collect();
        if let Err(e) = weights.check_metrics(&p.display().to_string(), &known) {
            eprintln!("错误: {e}");
            return 2;
        }
    }
    if let Some(y) = args.period.filter(|&y| y > prepared.as_of.year()) {
        eprintln!(
            "错误: 考评年度 {y} 晚于审计日期 {} (--as-of)",
            prepared.as_of
        );
        return 2;
    }
    let period = args.period.and_then(year);
    // An output among the previous period's data files is refused before
    // either folder is read (the current one's audit refuses its own).
    if let (Some(prev), Some(out)) = (&args.compare, &args.output) {
        if let Some(e) = crate::audit::output_refusal(prev, Schema::builtin(), &prepared.read, out)
        {
            eprintln!("错误: 上期 {e}");
            return 2;
        }
    }
    let (audit, mut unreadable) = match run_audit(
        &prepared,
        &args.run.dir,
        period,
        None,
        "",
        args.output.as_deref(),
    ) {
        Ok(x) => x,
        Err(code) => return code,
    };
    // No dataset given at all (an empty folder, the wrong one): nothing to
    // evaluate. Registers given with their headers alone are given and
    // empty: their metrics have no denominator (`—`), as the audit has them.
    let given = |name: &String| !audit.summary.not_read.contains_key(name);
    if !audit.summary.records.keys().any(given) {
        eprintln!("错误: {} 中没有任何可用的数据集", args.run.dir.display());
        return 2;
    }
    if audit.summary.records.values().all(|n| *n == 0) {
        eprintln!(
            "警告: {} 中没有任何记录: 各项指标均无分母",
            args.run.dir.display()
        );
    }
    let current_as_of = prepared.as_of;
    let previous_as_of = match &args.compare_as_of {
        Some(s) => match super::common::audit_date("--compare-as-of", s) {
            Ok(d) => d,
            Err(code) => return code,
        },
        // The previous period's export was taken a year before this one:
        // its unfinished cases are judged as of then, not as of today
        // (a case still open at the end of 2024 is not two years late).
        None if args.period.is_some() => {
            crate::calendar::add_years(current_as_of, -1).unwrap_or(current_as_of)
        }
        None => current_as_of,
    };
    if args.compare.is_some() {
        if let Some(y) = args.period.filter(|&y| y - 1 > previous_as_of.year()) {
            eprintln!(
                "错误: 上期考评年度 {} 晚于上期审计日期 {previous_as_of} (--compare-as-of)",
                y - 1
            );
            return 2;
        }
        if prepared.calendar.missing_notices(previous_as_of)
            != prepared.calendar.missing_notices(current_as_of)
        {
            super::common::warn_past_calendar(&prepared.calendar, previous_as_of);
        }
    }
    let previous = match &args.compare {
        Some(dir) => {
            if !dir.is_dir() {
                eprintln!("错误: --compare: {}", super::common::not_a_folder(dir));
                return 2;
            }
            let prev_period = args.period.and_then(|y| year(y - 1));
            prepared.as_of = previous_as_of;
            let run = run_audit(
                &prepared,
                dir,
                prev_period,
                None,
                "上期 ",
                args.output.as_deref(),
            );
            prepared.as_of = current_as_of;
            match run {
                Ok((a, prev_unreadable)) => {
                    // A file of the previous period that cannot be read
                    // fails the run as one of this period does (the report
                    // is written, its notes say which).
                    unreadable |= prev_unreadable;
                    Some(a)
                }
                Err(code) => return code,
            }
        }
        None => None,
    };
    // A pattern is unused when neither period's folder used it (a file
    // name with a year in it serves one of them).
    let uses: Vec<_> = match &previous {
        Some(prev) => audit
            .pattern_use
            .iter()
            .zip(&prev.pattern_use)
            .map(|(a, b)| a.merge(*b))
            .collect(),
        None => audit.pattern_use.clone(),
    };
    super::common::warn_unused_patterns(prepared.read.mapping.as_ref(), &uses);
    let mut report = build(
        &prepared.program,
        Schema::builtin(),
        &audit,
        previous.as_ref(),
        &weights,
        prepared.as_of,
        args.period.map(|y| y.to_string()),
    );
    report.calendar =
        crate::report::calendar_text(&prepared.calendar, &args.run.opts.calendar, prepared.as_of);
    report.previous = args.compare.as_ref().map(|dir| match args.period {
        Some(y) => format!(
            "{} 年度 ({}, 审计日期 {previous_as_of})",
            y - 1,
            dir.display()
        ),
        None => format!("{} 中的全部数据 (审计日期 {previous_as_of})", dir.display()),
    });
    let bytes = match args.format {
        ReportFormat::Json => crate::report::json::render(&report).into_bytes(),
        ReportFormat::Md => crate::report::md::render(&report).into_bytes(),
        ReportFormat::Html => crate::report::html::render(&report).into_bytes(),
        ReportFormat::Xlsx => match crate::report::xlsx::render(&report) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("错误: {e}");
                return 2;
            }
        },
    };
    if let Err(code) = super::emit(&bytes, args.output.as_deref()) {
        return code;
    }
    // The audits' last use: left to the system at exit, as `audit` does
    // (freeing a dirty export's millions of items one at a time).
    std::mem::forget(audit);
    std::mem::forget(previous);
    if unreadable {
        2
    } else {
        0
    }
}
