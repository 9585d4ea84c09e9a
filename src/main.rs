//! The `yimen` command line. See `yimen --help`.

use std::process::ExitCode;

/// mimalloc, as ruff does: an audit allocates and frees a record's values
/// and strings by the million, across worker threads. Built without
/// transparent huge pages (the `no_thp` feature, see Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The main thread's stack: policies are converted, checked and formatted
/// recursively, and expressions may nest up to `MAX_DEPTH` levels (deeper
/// ones are refused with `yimen::too-deep`); unoptimised builds need large
/// frames for that. Untouched stack costs no memory.
const STACK: usize = 256 << 20;

fn main() -> ExitCode {
    match std::thread::Builder::new()
        .name("yimen".into())
        .stack_size(STACK)
        .spawn(yimen::cli::main)
    {
        Ok(t) => t.join().unwrap_or(ExitCode::from(2)),
        Err(_) => yimen::cli::main(),
    }
}
