//! `yimen generate DIR`: a deterministic, realistic export folder (for trying
//! yimen, for tests and for benchmarks).

use std::path::PathBuf;

use crate::generate::{generate, read_real_items, select_items, GenOptions};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The folder to write (created if needed).
    dir: PathBuf,
    /// Number of cases.
    #[arg(long, default_value_t = 300)]
    cases: usize,
    /// The seed: the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Take item names, codes, kinds and departments from a real catalogue CSV
    /// (columns 实施主体, 事项名称, 事项编码, 事项类型).
    #[arg(long = "real-catalogue")]
    real_catalogue: Option<PathBuf>,
    /// With --real-catalogue: how many of its departments to take (1-1000).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    depts: u16,
    /// Items per department (taken from the real catalogue with
    /// --real-catalogue, else generated; 1-1000).
    #[arg(long = "items-per-dept", default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..=1000))]
    items_per_dept: u16,
    /// A clean export: no injected violations.
    #[arg(long)]
    clean: bool,
    /// Plain UTF-8 CSV only (no xlsx, GBK or BOM).
    #[arg(long)]
    plain: bool,
}

pub fn run(args: &Args) -> u8 {
    let real_items = match &args.real_catalogue {
        Some(p) => match read_real_items(p) {
            Ok(all) => select_items(
                &all,
                usize::from(args.depts),
                usize::from(args.items_per_dept),
            ),
            Err(e) => {
                eprintln!("错误: 无法读取 {}: {e}", p.display());
                return 2;
            }
        },
        None => Vec::new(),
    };
    let opts = GenOptions {
        seed: args.seed,
        cases: args.cases,
        items_per_dept: usize::from(args.items_per_dept),
        violations: !args.clean,
        real_items,
        mixed_formats: !args.plain,
        ..GenOptions::default()
    };
    match generate(&args.dir, &opts) {
        Ok(s) => {
            eprintln!(
                "已生成 {}: {} 个事项, {} 件办件, {} 笔收费 ({})",
                args.dir.display(),
                s.items,
                s.cases,
                s.fees,
                s.files.join(", ")
            );
            0
        }
        Err(e) => {
            eprintln!("错误: 无法写入 {}: {e}", args.dir.display());
            2
        }
    }
}
