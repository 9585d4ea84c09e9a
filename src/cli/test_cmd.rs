//! `yimen test [PATHS]`: run the `test` blocks of the policies through the
//! engine; a readable diff on failure, exit 1.

use super::{load_policies, report_policy_errors, ErrorFormat};
use crate::calendar::Calendar;
use crate::schema::Schema;
use crate::sources::SourceRegistry;
use crate::testing::run_all;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Policy files or directories; default: the policies that ship with yimen.
    paths: Vec<std::path::PathBuf>,
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
    let outcomes = run_all(
        &program,
        schema,
        SourceRegistry::builtin(),
        Calendar::official(),
    );
    let mut failed = 0;
    for o in &outcomes {
        if o.passed() {
            println!("ok     {} ({})", o.name, o.file);
        } else {
            failed += 1;
            println!("FAILED {} ({})", o.name, o.file);
            for f in &o.failures {
                println!("         {f}");
            }
        }
    }
    println!("{} passed, {failed} failed", outcomes.len() - failed);
    u8::from(failed > 0)
}
