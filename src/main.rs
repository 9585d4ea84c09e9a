//! The `yimen` command line. See `yimen --help`.

use std::process::ExitCode;

fn main() -> ExitCode {
    yimen::cli::main()
}
