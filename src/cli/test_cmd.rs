//! `yimen test [PATHS]`: run the `test` blocks of the policies through the
//! engine; a readable diff on failure, exit 1.

use std::fmt::Write as _;

use super::{load_policies, report_policy_errors, ErrorFormat};
use crate::schema::Schema;
use crate::sources::SourceRegistry;
use crate::testing::run_all;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Policy files or directories; default: the policies that ship with yimen.
    /// `@builtin` names the shipped policies, so that a region adds its own:
    /// `yimen test @builtin 本地规则/`. Documents in a `sources/` folder
    /// beside the policies can be cited besides the built-in ones.
    paths: Vec<std::path::PathBuf>,
    /// A local calendar added to the official one, as for `audit` (a test
    /// dated in a year whose notice yimen does not ship needs it). Repeatable.
    #[arg(long)]
    calendar: Vec<std::path::PathBuf>,
}

pub fn run(args: &Args) -> u8 {
    let schema = Schema::builtin();
    let (_, program) = match load_policies(&args.paths) {
        Ok(p) => p,
        Err(errs) => {
            report_policy_errors(&errs, ErrorFormat::Human);
            return 2;
        }
    };
    let calendar = match super::common::load_calendar(&args.calendar) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("错误: {e}");
            return 2;
        }
    };
    let outcomes = run_all(&program, schema, SourceRegistry::active(), &calendar);
    if outcomes.is_empty() {
        // A CI step that tests nothing must not pass.
        eprintln!("错误: 策略中没有任何 test 块 (no tests found)");
        return 2;
    }
    let mut failed = 0;
    let mut out = String::new();
    for o in &outcomes {
        if o.passed() {
            let _ = writeln!(out, "ok     {} ({})", o.name, o.file);
        } else {
            failed += 1;
            let _ = writeln!(out, "FAILED {} ({})", o.name, o.file);
            for f in &o.failures {
                let _ = writeln!(out, "         {f}");
            }
        }
    }
    let _ = writeln!(out, "{} passed, {failed} failed", outcomes.len() - failed);
    match super::emit(out, None) {
        Ok(()) => u8::from(failed > 0),
        Err(code) => code,
    }
}
