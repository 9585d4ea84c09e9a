//! `yimen generate DIR`: a deterministic, realistic export folder (for trying
//! yimen, for tests and for benchmarks).

use std::path::PathBuf;

use crate::generate::{generate, planned_files, read_real_items, select_items, GenOptions};

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
    /// With --real-catalogue: how many of its departments to take (1-1000;
    /// all it has when it has fewer). The generated catalogue has 12
    /// departments.
    #[arg(long, default_value_t = 10, requires = "real_catalogue", value_parser = clap::value_parser!(u16).range(1..=1000))]
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
    if args.dir.exists() && !args.dir.is_dir() {
        eprintln!(
            "错误: 无法写入 {}: 已有同名的文件, 不是文件夹",
            args.dir.display()
        );
        return 2;
    }
    if let Err(e) = no_other_data(&args.dir, &opts) {
        eprintln!("错误: {e}");
        return 2;
    }
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

/// A folder that already holds data files other than those this run writes
/// (an earlier export in the other form: `事项目录.xlsx` beside the
/// `事项目录.csv` of `--plain`) is refused before anything is written: an
/// audit reads every data file of the folder, and the two exports mixed
/// gave C002 on every item and duplicate cases. The files this run writes
/// are replaced, so that regenerating an export in place works.
fn no_other_data(dir: &std::path::Path, opts: &GenOptions) -> Result<(), String> {
    if !dir.is_dir() {
        return Ok(());
    }
    let planned = planned_files(opts);
    // The files an audit of the folder would read: as discovery walks it
    // (links followed, hidden folders, temporary files and empty files
    // skipped).
    let mut others: Vec<String> = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            !(e.file_type().is_dir() && e.file_name().to_string_lossy().starts_with('.'))
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.metadata().is_ok_and(|m| m.len() > 0))
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .into_owned();
            let name = e.file_name().to_str()?;
            (crate::read::is_data_file_name(name) && !planned.contains(&rel.as_str()))
                .then_some(rel)
        })
        .collect();
    if others.is_empty() {
        return Ok(());
    }
    let n = others.len();
    others.truncate(5);
    Err(format!(
        "{} 中已有 {n} 个其他数据文件 ({}{}): 审计会把它们与生成的导出一并读取; 请换一个空目录, 或先删除它们",
        dir.display(),
        others.join("、"),
        if n > 5 { " …" } else { "" }
    ))
}
