//! Reading throughput on a generated case log: yimen's chunked parallel
//! parse (discover + stream + parse into typed records) against the csv
//! crate's raw `ByteRecord` pass over the same file, in the same run.
//!
//! Run: `cargo bench --bench read_throughput [-- ROWS]` (default 1,000,000
//! rows). Best of three runs of each. Prints rows/s, MB/s and peak memory (`VmHWM`, reset between phases
//! through `/proc/self/clear_refs`) for each, and the ratio.

mod common;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use yimen::read::{
    discover, par_stream, parse_chunk, stream_chunks, ReadError, ReadOptions, DEFAULT_CHUNK_ROWS,
};
use yimen::schema::Schema;

const CHANNELS: [&str; 5] = ["中心窗口", "综合窗口", "网上", "自助终端", "原单位"];
const RESULTS: [&str; 6] = ["准予", "部分准予", "不予", "退回", "补正", "撤回"];
const ROLES: [&str; 4] = ["首席代表", "窗口人员", "部门负责人", "集体研究"];
const DEPTS: [&str; 8] = [
    "区住建局",
    "区市场监管局",
    "区民政局",
    "区人社局",
    "区自然资源局",
    "区卫健局",
    "区教科体局",
    "区交通局",
];

/// A small deterministic generator (64-bit LCG).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn generate(path: &Path, rows: u64, gbk: bool) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut rng = Lcg(20_250_301);
    let mut line = String::with_capacity(256);
    let put = |w: &mut BufWriter<File>, s: &str| -> std::io::Result<()> {
        if gbk {
            let (b, _, _) = encoding_rs::GBK.encode(s);
            w.write_all(&b)
        } else {
            w.write_all(s.as_bytes())
        }
    };
    put(&mut w, "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间,办理结果,决定人角色,是否告知救济权利,投资额(万元),特别程序天数,备注\n")?;
    for i in 0..rows {
        line.clear();
        let day = rng.next() % 28 + 1;
        let month = rng.next() % 12 + 1;
        let (h, m, s) = (rng.next() % 9 + 8, rng.next() % 60, rng.next() % 60);
        let finished = if rng.next() % 10 == 0 {
            String::new()
        } else {
            format!(
                "2025-{month:02}-{:02} {:02}:{m:02}:{s:02}",
                (day + rng.next() % 3).min(28),
                h + 1
            )
        };
        let invest = if rng.next() % 4 == 0 {
            format!("{}.{}", rng.next() % 100_000, rng.next() % 100)
        } else {
            String::new()
        };
        let _ = std::fmt::Write::write_fmt(
            &mut line,
            format_args!(
                "GA2025{i:08},511A{:04}-511602000000-000-11511301008778183N-1-00,{},{},2025-{month:02}-{day:02} {h:02}:{m:02}:{s:02},{finished},{},{},{},{invest},{},\n",
                rng.next() % 1200,
                rng.pick(&DEPTS),
                rng.pick(&CHANNELS),
                rng.pick(&RESULTS),
                rng.pick(&ROLES),
                if rng.next() % 2 == 0 { "是" } else { "否" },
                rng.next() % 3,
            ),
        );
        put(&mut w, &line)?;
    }
    w.flush()
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU seconds (user + system, all threads) of this process so far.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

struct Run {
    secs: f64,
    cpu: f64,
    rows: u64,
    peak: f64,
}

fn csv_raw(path: &Path) -> Run {
    reset_peak();
    let c = cpu_secs();
    let t = Instant::now();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .expect("open");
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0u64;
    let mut fields = 0u64;
    while rdr.read_byte_record(&mut rec).expect("read") {
        rows += 1;
        fields += rec.len() as u64;
    }
    std::hint::black_box(fields);
    Run {
        secs: t.elapsed().as_secs_f64(),
        cpu: cpu_secs() - c,
        rows: rows - 1,
        peak: peak_mb(),
    }
}

fn yimen_parse(dir: &Path) -> (Run, u64) {
    reset_peak();
    let c = cpu_secs();
    let t = Instant::now();
    let schema = Schema::builtin();
    let opts = ReadOptions::default();
    let d = discover(dir, schema, &opts).expect("discover");
    let src = &d.sources[0];
    let rows = AtomicU64::new(0);
    let errors = AtomicU64::new(0);
    par_stream(src, schema, &opts, DEFAULT_CHUNK_ROWS, |p| {
        rows.fetch_add(p.records.len() as u64, Ordering::Relaxed);
        errors.fetch_add(p.errors.len() as u64, Ordering::Relaxed);
    })
    .expect("read");
    (
        Run {
            secs: t.elapsed().as_secs_f64(),
            cpu: cpu_secs() - c,
            rows: rows.load(Ordering::Relaxed),
            peak: peak_mb(),
        },
        errors.load(Ordering::Relaxed),
    )
}

/// The two halves alone, on one thread: chunking only, then parsing.
fn yimen_halves(dir: &Path) -> (f64, f64) {
    let schema = Schema::builtin();
    let opts = ReadOptions::default();
    let d = discover(dir, schema, &opts).expect("discover");
    let src = &d.sources[0];
    let t = Instant::now();
    let mut n = 0u64;
    let mut parse_secs = 0.0;
    stream_chunks::<ReadError>(src, schema, &opts, DEFAULT_CHUNK_ROWS, |c| {
        let t2 = Instant::now();
        n += parse_chunk(c).records.len() as u64;
        parse_secs += t2.elapsed().as_secs_f64();
        Ok(())
    })
    .expect("read");
    std::hint::black_box(n);
    (t.elapsed().as_secs_f64() - parse_secs, parse_secs)
}

fn main() {
    let rows = common::size(1_000_000, 20_000);
    println!(
        "threads: {} (rayon), cores: {}",
        rayon::current_num_threads(),
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    for gbk in [false, true] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("办件.csv");
        generate(&path, rows, gbk).expect("generate");
        let mb = std::fs::metadata(&path).map_or(0.0, |m| m.len() as f64 / 1e6);
        println!(
            "\n{} rows, {:.1} MB, {}",
            rows,
            mb,
            if gbk { "GBK" } else { "UTF-8" }
        );
        // Warm the page cache so both read from memory, then take the best
        // of three runs of each, alternating (the machine may be shared).
        let _ = csv_raw(&path);
        let mut raw = csv_raw(&path);
        let (mut ours, errors) = yimen_parse(tmp.path());
        assert_eq!(ours.rows, raw.rows, "every row read");
        assert_eq!(errors, 0, "no data errors in generated data");
        for _ in 0..2 {
            let r = csv_raw(&path);
            if r.secs < raw.secs {
                raw = Run {
                    peak: raw.peak,
                    ..r
                }; // later runs see yimen's retained heap
            }
            let (o, _) = yimen_parse(tmp.path());
            if o.secs < ours.secs {
                ours = Run {
                    peak: ours.peak.max(o.peak),
                    ..o
                };
            }
        }
        for (name, r) in [
            ("csv ByteRecord (raw)", &raw),
            ("yimen typed records", &ours),
        ] {
            println!(
                "  {name:22} {:7.3} s (cpu {:6.2} s)  {:10.0} rows/s  {:7.1} MB/s  peak {:7.1} MB",
                r.secs,
                r.cpu,
                r.rows as f64 / r.secs,
                mb / r.secs,
                r.peak
            );
        }
        println!(
            "  ratio yimen/raw: wall {:.2}x, cpu {:.2}x",
            ours.secs / raw.secs,
            ours.cpu / raw.cpu.max(0.01)
        );
        let (read, parse) = (0..3)
            .map(|_| yimen_halves(tmp.path()))
            .fold((f64::MAX, f64::MAX), |(a, b), (x, y)| (a.min(x), b.min(y)));
        println!(
            "  one thread: chunking {read:.3} s + parsing {parse:.3} s ({:.0} ns/row)",
            parse * 1e9 / rows as f64
        );
    }
}
