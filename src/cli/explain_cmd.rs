//! `yimen explain CODE`: a rule's documentation, its definition, its
//! parameters and the full text of every clause it cites.

use std::fmt::Write as _;

use super::{load_policies, report_policy_errors, ErrorFormat};
use crate::diagnostics::did_you_mean;
use crate::ir::{Const, IrExpr, Program, RuleDef};
use crate::sources::SourceRegistry;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A rule or metric code, such as H002 or M04, or its name (dual-track).
    code: String,
    /// Policy files or directories; default: the policies that ship with yimen.
    /// `@builtin` names the shipped policies, so that a region adds its own:
    /// `--policy @builtin --policy 本地规则/`. Documents in a `sources/`
    /// folder beside the policies can be cited besides the built-in ones.
    #[arg(long = "policy")]
    policies: Vec<std::path::PathBuf>,
}

fn params_used(rule: &RuleDef) -> Vec<usize> {
    let mut out = Vec::new();
    for e in rule.exprs() {
        e.any(&mut |n| {
            if let IrExpr::Param(i) = n {
                if !out.contains(i) {
                    out.push(*i);
                }
            }
            false
        });
    }
    out.sort_unstable();
    out
}

/// The explanation of one rule, as printed.
pub fn explain(program: &Program, rule: &RuleDef, sources: &SourceRegistry) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}  {}",
        rule.code,
        rule.name,
        rule.title.as_deref().unwrap_or("")
    );
    let ds = &crate::schema::Schema::builtin().datasets[rule.dataset];
    if rule.kind == crate::ast::RuleKind::Metric {
        let _ = writeln!(out, "考评指标    来源: {}", rule.file);
        if ds.event_date.is_some() {
            // The cited documents' in-force dates do not filter a metric; its
            // policy's own `effective` date does (the line below says so).
            let scope = if rule.effective_from.is_some() {
                "考评期内其政策生效后的"
            } else {
                "考评期内的全部"
            };
            let _ = writeln!(
                out,
                "统计{scope}{} (yimen report --period 年度); 依据文件的施行日期不用于筛选",
                ds.title
            );
        }
    } else {
        let _ = writeln!(
            out,
            "严重程度: {}    来源: {}",
            rule.severity.as_str(),
            rule.file
        );
    }
    if let (Some(d), Some(event)) = (rule.effective_from, &ds.event_date) {
        let _ = writeln!(
            out,
            "适用于 {event} 在 {} 及以后的{}",
            d.format("%Y-%m-%d"),
            ds.title
        );
    }
    if !rule.docs.is_empty() {
        let _ = writeln!(out, "\n{}", rule.docs.join("\n"));
    }
    let _ = writeln!(out, "\n定义:\n");
    for line in rule.text.lines() {
        let _ = writeln!(out, "    {line}");
    }
    let params = params_used(rule);
    if !params.is_empty() {
        let _ = writeln!(out, "\n参数 (可用 --param 或参数文件覆盖):");
        for i in params {
            let p = &program.params[i];
            let _ = writeln!(
                out,
                "  {} = {}{}",
                p.name,
                p.default.as_ref().map_or_else(
                    || "(无默认值, 须以 --param 给出)".to_string(),
                    Const::to_string
                ),
                if p.docs.is_empty() {
                    String::new()
                } else {
                    format!("    // {}", p.docs.join(" "))
                }
            );
        }
    }
    let _ = writeln!(out, "\n依据:");
    for c in &rule.cites {
        let src = sources.source(&c.source);
        let title = src.map(|s| s.title.as_str()).unwrap_or_default();
        let _ = writeln!(out, "\n  {} {}  《{title}》", c.source, c.clause);
        if let Some(text) = sources.cited_text(&c.source, &c.clause) {
            for line in text.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    out
}

pub fn run(args: &Args) -> u8 {
    let (_, program) = match load_policies(&args.policies) {
        Ok(p) => p,
        Err(errs) => {
            report_policy_errors(&errs, ErrorFormat::Human);
            return 2;
        }
    };
    // A code (`H002`, `h002`) or a rule's name (`dual-track`, as JSON's
    // `rule` field has it).
    let asked = args.code.trim();
    let code = asked.to_uppercase();
    let by_name = || program.rules.iter().find(|r| r.name == asked);
    let Some(rule) = program.rule(&code).or_else(by_name) else {
        let help = padded_code(&code, |c| program.rule(c).is_some())
            .or_else(|| did_you_mean(&code, program.rules.iter().map(|r| r.code.as_str())))
            .or_else(|| did_you_mean(asked, program.rules.iter().map(|r| r.name.as_str())))
            .map(|s| format!(" (是否要查 {s}?)"))
            .unwrap_or_default();
        // (A region's own rule is in its policy folder, given with --policy.)
        let local = if args.policies.is_empty() {
            "; 本地策略中的规则请用 --policy 给出其文件夹"
        } else {
            ""
        };
        if asked.is_empty() {
            eprintln!("错误: 请给出规则或指标的代码 (如 H001) 或名称 (如 dual-track)");
        } else {
            eprintln!("错误: 没有代码或名称为 {asked} 的规则或指标{help}{local}");
        }
        return 2;
    };
    match super::emit(explain(&program, rule, SourceRegistry::active()), None) {
        Ok(()) => 0,
        Err(code) => code,
    }
}

/// A code written without its leading zeros (`H1` → `H001`, `M4` →
/// `M04`), when a rule or metric has it.
fn padded_code(code: &str, exists: impl Fn(&str) -> bool) -> Option<String> {
    let mut chars = code.chars();
    let letter = chars.next().filter(char::is_ascii_uppercase)?;
    let digits = chars.as_str();
    let n: u32 = digits
        .parse()
        .ok()
        .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))?;
    [format!("{letter}{n:03}"), format!("{letter}{n:02}")]
        .into_iter()
        .find(|c| c != code && exists(c))
}
