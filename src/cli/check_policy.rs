//! `yimen check-policy [PATHS]`: parse and check policies; exit 0 clean, 2 on any error.

use super::{report_policy_errors, ErrorFormat};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Policy files or directories (walked for *.yimen); default: the policies
    /// that ship with yimen. `@builtin` names the shipped policies (a
    /// region's rules checked with them); documents in a `sources/` folder
    /// beside the policies can be cited besides the built-in ones.
    paths: Vec<std::path::PathBuf>,
    /// How to print errors: human (default) or json (for tools).
    #[arg(long, value_enum, default_value = "human")]
    error_format: ErrorFormat,
}

pub fn run(args: &Args) -> u8 {
    match super::load_policies(&args.paths) {
        Ok((sources, program)) => {
            if args.error_format == ErrorFormat::Json {
                if let Err(code) =
                    super::emit(format!("{}\n", serde_json::json!({ "errors": [] })), None)
                {
                    return code;
                }
            } else {
                let rules = program
                    .rules
                    .iter()
                    .filter(|r| r.kind == crate::ast::RuleKind::Rule)
                    .count();
                let metrics = program.rules.len() - rules;
                eprintln!(
                    "通过: {} 个文件, {rules} 条规则, {metrics} 项指标, {} 个测试 (ok: {} file(s) checked)",
                    sources.len(),
                    program.tests.len(),
                    sources.len()
                );
            }
            0
        }
        Err(errs) => {
            report_policy_errors(&errs, args.error_format);
            2
        }
    }
}
