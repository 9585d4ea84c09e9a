//! Temporary entry point of the `reader` branch: `yimen inspect DIR [--map F]
//! [--format text|json] [--strict]` (the real CLI lives in `src/cli/`).

use std::path::PathBuf;
use std::process::ExitCode;

use yimen::read::{inspect, render_json, render_text, Mapping, ReadOptions};
use yimen::schema::Schema;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut dir, mut map, mut json, mut strict) = (None, None, false, false);
    let mut it = args.iter().skip_while(|a| *a == "inspect");
    while let Some(a) = it.next() {
        match a.as_str() {
            "--map" => map = it.next().map(PathBuf::from),
            "--format" => json = it.next().is_some_and(|f| f == "json"),
            "--strict" => strict = true,
            d => dir = Some(PathBuf::from(d)),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: yimen inspect DIR [--map F] [--format text|json] [--strict]");
        return ExitCode::from(2);
    };
    let schema = Schema::builtin();
    let mapping = match map.map(|m| Mapping::load(&m, schema)).transpose() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match inspect(&dir, schema, &ReadOptions { mapping, strict }) {
        Ok(r) => {
            print!(
                "{}",
                if json {
                    render_json(&r)
                } else {
                    render_text(&r)
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
