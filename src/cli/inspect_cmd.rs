//! `yimen inspect DIR [--map F] [--format text|json] [--strict]`: what each
//! file of an export folder was read as, and what was skipped and why.

use std::path::PathBuf;

use crate::read::{inspect, render_json, render_text, ReadOptions};
use crate::schema::Schema;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The export folder (searched recursively).
    dir: PathBuf,
    /// A mapping file: extra header and value aliases, per-file dataset and encoding.
    #[arg(long)]
    map: Option<PathBuf>,
    /// text (default) or json.
    #[arg(long, value_enum, default_value = "text")]
    format: super::TextOrJson,
    /// Stop at the first file that cannot be read.
    #[arg(long)]
    strict: bool,
}

pub fn run(args: &Args) -> u8 {
    if !args.dir.is_dir() {
        eprintln!("错误: {}", super::common::not_a_folder(&args.dir));
        return 2;
    }
    let schema = Schema::builtin();
    let mapping = match super::load_mapping(args.map.as_deref(), schema) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let opts = ReadOptions {
        mapping,
        strict: args.strict,
    };
    match inspect(&args.dir, schema, &opts) {
        Ok(r) => {
            super::common::warn_unused_patterns(opts.mapping.as_ref(), &r.pattern_use);
            let text = match args.format {
                super::TextOrJson::Json => render_json(&r),
                super::TextOrJson::Text => render_text(&r),
            };
            match super::emit(text, None) {
                Ok(()) => 0,
                Err(code) => code,
            }
        }
        Err(e) => {
            eprintln!("错误: {e}");
            2
        }
    }
}
