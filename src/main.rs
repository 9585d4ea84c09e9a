//! The `yimen` command line. See `yimen --help`.

use std::process::ExitCode;

/// mimalloc, as ruff does: an audit allocates and frees a record's values
/// and strings by the million, across worker threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    yimen::cli::main()
}
