//! The engine alone: every shipped rule and metric over a generated case log
//! held in memory, on one thread, with the fast path and with the reference
//! evaluator, in the same run (no reading, no I/O: the figure is the cost of
//! judging, per record).
//!
//! Run: `cargo bench --bench engine_throughput [-- ROWS]` (default 200,000
//! cases, clean: every record passes, as in a real audit nearly all do). Best
//! of three runs of each; prints ns per case and the ratio. The two must
//! count the same records (checked).

use std::path::Path;
use std::time::Instant;

use yimen::calendar::Calendar;
use yimen::engine::{Data, Row, RunOptions, Runner};
use yimen::read::{discover, read_table_full, ReadOptions};
use yimen::schema::Schema;
use yimen::sources::SourceRegistry;

fn load(dir: &Path, schema: &Schema) -> Data {
    let opts = ReadOptions::default();
    let found = discover(dir, schema, &opts).expect("discover");
    let mut data = Data::new(schema.datasets.len());
    for src in &found.sources {
        let ds = schema.dataset_index(&src.dataset).expect("dataset");
        let file = data.add_file(src.rel.clone(), src.sheet.clone());
        let table = read_table_full(src, schema, &opts).expect("read");
        for r in table.records {
            data.push(
                ds,
                Row {
                    file,
                    row: r.row,
                    values: r.values,
                },
            );
        }
    }
    data
}

fn best_of_three(mut f: impl FnMut() -> u64) -> (f64, u64) {
    let mut best = f64::MAX;
    let mut check = 0;
    for _ in 0..3 {
        let t = Instant::now();
        check = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, check)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this
    // without it, as a smoke test on a small export.
    let default = if args.iter().any(|a| a == "--bench") {
        200_000
    } else {
        5_000
    };
    let rows: usize = args
        .iter()
        .find(|a| *a != "--bench")
        .map_or(default, |a| a.parse().expect("ROWS is a number"));
    let tmp = tempfile::tempdir().expect("temporary folder");
    let opts = yimen::generate::GenOptions {
        cases: rows,
        violations: false,
        mixed_formats: false,
        ..yimen::generate::GenOptions::default()
    };
    yimen::generate::generate(tmp.path(), &opts).expect("generate");
    let schema = Schema::builtin();
    let sources = SourceRegistry::builtin();
    let (_, program) =
        yimen::policy::load_sources(yimen::builtin::sources(), schema, Some(sources))
            .expect("shipped policies");
    let params = yimen::params::resolve(&program, None, &[]).expect("params");
    let cases = schema.dataset_index("cases").expect("cases");
    let mut data = load(tmp.path(), schema);
    let case_rows = std::mem::take(&mut data.tables[cases]);
    let run_opts = RunOptions {
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 12, 31).expect("date"),
        params,
        calendar: Calendar::official(),
        sources,
        period: None,
    };
    let mut runner = Runner::new(&program, schema, &data, &run_opts);
    let mut measure = |fast: bool| {
        runner.set_fast_path(fast);
        best_of_three(|| {
            case_rows
                .chunks(4096)
                .map(|c| runner.chunk(cases, c, None).rows())
                .sum()
        })
    };
    let (fast, n) = measure(true);
    let (reference, m) = measure(false);
    assert_eq!(n, m);
    let per = |t: f64| t * 1e9 / n as f64;
    println!(
        "{n} cases, {} rules and metrics over them",
        program.rules.iter().filter(|r| r.dataset == cases).count()
    );
    println!("fast path  {:8.0} ns/case  {:8.3} s", per(fast), fast);
    println!(
        "reference  {:8.0} ns/case  {:8.3} s",
        per(reference),
        reference
    );
    println!("ratio      reference/fast {:.2}x", reference / fast);
}
