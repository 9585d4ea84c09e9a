//! What the benchmarks share.

/// The size to run at: the first numeric argument, else `bench` under
/// `cargo bench` (which passes `--bench`), else `smoke` (`cargo test
/// --all-targets` runs the benchmarks without it, as smoke tests).
pub fn size(bench: u64, smoke: u64) -> u64 {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let default = if args.iter().any(|a| a == "--bench") {
        bench
    } else {
        smoke
    };
    args.iter().find_map(|a| a.parse().ok()).unwrap_or(default)
}
