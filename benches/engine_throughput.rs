//! The engine alone: every shipped rule and metric over a generated case log
//! held in memory, on one thread, with the fast path and with the reference
//! evaluator, in the same run (no reading, no I/O: the figure is the cost of
//! judging, per record).
//!
//! Run: `cargo bench --bench engine_throughput [-- ROWS]` (default 200,000
//! cases, clean: every record passes, as in a real audit nearly all do). Best
//! of three runs of each; prints ns per case and the ratio (the two must
//! count the same records: checked), then the fast path's cost per policy
//! file, to show where the time goes.

mod common;

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
        let file = data.add_file(&src.rel, src.sheet.as_deref());
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
    let rows = usize::try_from(common::size(200_000, 5_000)).expect("ROWS fits in memory");
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
    let cases = schema.dataset_index("cases").expect("cases");
    let mut data = load(tmp.path(), schema);
    let case_rows = std::mem::take(&mut data.tables[cases]);
    let time = |policies: Vec<yimen::diagnostics::PolicySource>, fast: bool| {
        let (_, program) =
            yimen::policy::load_sources(policies, schema, Some(sources)).expect("shipped policies");
        let run_opts = RunOptions {
            as_of: chrono::NaiveDate::from_ymd_opt(2025, 12, 31).expect("date"),
            params: yimen::params::resolve(&program, None, &[]).expect("params"),
            calendar: Calendar::official(),
            sources,
            period: None,
        };
        let mut runner = Runner::new(&program, schema, &data, &run_opts);
        runner.set_fast_path(fast);
        let rules = program.rules.iter().filter(|r| r.dataset == cases).count();
        let (secs, n) = best_of_three(|| {
            case_rows
                .chunks(4096)
                .map(|c| runner.chunk(cases, c, None).rows())
                .sum()
        });
        (secs, n, rules)
    };
    let all = yimen::builtin::sources();
    let (fast, n, rules) = time(all.clone(), true);
    let (reference, m, _) = time(all.clone(), false);
    assert_eq!(n, m);
    let per = |t: f64| t * 1e9 / n as f64;
    println!("{n} cases, {rules} rules and metrics over them");
    println!("fast path  {:8.0} ns/case  {:8.3} s", per(fast), fast);
    println!(
        "reference  {:8.0} ns/case  {:8.3} s",
        per(reference),
        reference
    );
    println!("ratio      reference/fast {:.2}x", reference / fast);
    // Where the time goes: each policy file over cases alone (with the shared
    // parameters, and the handling rules that metrics' fires() refers to).
    let named = |names: &[&str]| -> Vec<_> {
        all.iter()
            .filter(|p| names.iter().any(|n| p.name.ends_with(n)))
            .cloned()
            .collect()
    };
    let (base, _, _) = time(named(&["params.yimen"]), true);
    println!(
        "fast path by policy file, over the cost of a chunk with no rule ({:.0} ns/case):",
        per(base)
    );
    for file in [
        "handling.yimen",
        "authorization.yimen",
        "joint.yimen",
        "metrics.yimen",
    ] {
        let mut set = vec!["params.yimen", file];
        if file == "metrics.yimen" {
            set.push("handling.yimen");
        }
        let (t, _, k) = time(named(&set), true);
        let note = if file == "metrics.yimen" {
            " (with handling)"
        } else {
            ""
        };
        println!(
            "  {file:22} {k:2} over cases  {:8.0} ns/case{note}",
            per(t - base)
        );
    }
}
