//! The hand-written reference of `benches/audit_vs_duckdb.sh`: the three
//! `DuckDB` checks (see `duckdb_checks.py`) as one pass of plain Rust over the same
//! generated export, on every core, the way one would write them for this one
//! export and nothing else: no policy, no typing of unused cells, no
//! evidence, no undetermined verdicts.
//!
//! 1. cases of in-centre items taken at 原单位 (H001);
//! 2. overdue in working days, on the official calendar (H003);
//! 3. dual-track groups (H002) and the on-time ratio per department (M04).
//!
//! Run: `cargo bench --bench handwritten_pass -- EXPORT_DIR AS_OF`. Prints one
//! line per check (so the work cannot be optimised away) and its wall time.
//! Without arguments (as `cargo test --all-targets` runs it) it checks a small
//! generated export.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use yimen::calendar::Calendar;

/// What the checks need of an item.
struct Item {
    in_centre: bool,
    promised: i64,
}

/// One worker's counts, merged at the end.
#[derive(Default)]
struct Counts {
    outside: u64,
    overdue: u64,
    /// (dept, item) → (taken in the centre, taken at 原单位).
    tracks: HashMap<(Vec<u8>, Vec<u8>), (bool, bool)>,
    /// dept → (on time, finished).
    on_time: HashMap<Vec<u8>, (u64, u64)>,
}

/// `2025-08-14 13:52:00` or `2025/8/11 16:40`: the date part.
fn date(s: &[u8]) -> Option<NaiveDate> {
    let day = s.split(|&b| b == b' ').next()?;
    let mut parts = day.split(|&b| b == b'-' || b == b'/');
    let mut num = || -> Option<u32> {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 4 {
            return None;
        }
        p.iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let (y, m, d) = (num()?, num()?, num()?);
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

fn int(s: &[u8]) -> Option<i64> {
    std::str::from_utf8(s).ok()?.trim().parse().ok()
}

fn catalogue(path: &Path) -> HashMap<Vec<u8>, Item> {
    let mut rdr = csv::Reader::from_path(path).expect("catalogue");
    let headers = rdr.byte_headers().expect("catalogue header").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name.as_bytes())
            .unwrap_or_else(|| panic!("catalogue has no column {name}"))
    };
    let (code, centre, promised) = (col("事项编码"), col("是否进驻中心"), col("承诺办结时限"));
    let mut items = HashMap::new();
    for r in rdr.byte_records() {
        let r = r.expect("catalogue row");
        items.insert(
            r[code].to_vec(),
            Item {
                in_centre: &r[centre] == "是".as_bytes(),
                promised: int(&r[promised]).unwrap_or(i64::MAX),
            },
        );
    }
    items
}

/// Byte offsets splitting the file's rows into `n` ranges at line starts.
fn ranges(path: &Path, n: usize) -> (Vec<u8>, Vec<(u64, u64)>) {
    let mut f = BufReader::new(File::open(path).expect("cases"));
    let mut header = Vec::new();
    f.read_until(b'\n', &mut header).expect("header");
    let len = f.get_ref().metadata().expect("size").len();
    let start = header.len() as u64;
    let mut cuts = vec![start];
    for i in 1..n {
        let mut at = start + (len - start) * i as u64 / n as u64;
        f.seek(SeekFrom::Start(at)).expect("seek");
        let mut skip = Vec::new();
        at += f.read_until(b'\n', &mut skip).expect("read") as u64;
        cuts.push(at);
    }
    cuts.push(len);
    (header, cuts.windows(2).map(|w| (w[0], w[1])).collect())
}

#[allow(clippy::too_many_arguments)]
fn pass(
    path: &Path,
    (from, to): (u64, u64),
    cols: &[usize; 6],
    items: &HashMap<Vec<u8>, Item>,
    cal: &Calendar,
    as_of: NaiveDate,
) -> Counts {
    let [code, dept, channel, accepted, finished, suspended] = *cols;
    let mut f = File::open(path).expect("cases");
    f.seek(SeekFrom::Start(from)).expect("seek");
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .buffer_capacity(1 << 20)
        .from_reader(f.take(to - from));
    let mut c = Counts::default();
    let mut r = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut r).expect("row") {
        let Some(item) = items.get(&r[code]) else {
            continue;
        };
        let ch = &r[channel];
        let at_unit = ch == "原单位".as_bytes();
        if item.in_centre {
            if at_unit {
                c.outside += 1;
            }
            let centre = ch == "中心窗口".as_bytes() || ch == "综合窗口".as_bytes();
            if centre || at_unit {
                let t = c
                    .tracks
                    .entry((r[dept].to_vec(), r[code].to_vec()))
                    .or_default();
                t.0 |= centre;
                t.1 |= at_unit;
            }
        }
        let Some(acc) = date(&r[accepted]) else {
            continue;
        };
        let fin = date(&r[finished]);
        let used = cal.workdays(acc, fin.unwrap_or(as_of)) - int(&r[suspended]).unwrap_or(0);
        let late = used > item.promised;
        c.overdue += u64::from(late);
        if fin.is_some() {
            let d = c.on_time.entry(r[dept].to_vec()).or_default();
            d.0 += u64::from(!late);
            d.1 += 1;
        }
    }
    c
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let tmp = tempfile::tempdir().expect("temporary folder");
    let (export, as_of) = match &args[..] {
        [export, as_of] => (Path::new(export), as_of.as_str()),
        [] => {
            let opts = yimen::generate::GenOptions {
                cases: 20_000,
                violations: false,
                mixed_formats: false,
                ..yimen::generate::GenOptions::default()
            };
            yimen::generate::generate(tmp.path(), &opts).expect("generate");
            (tmp.path(), "2025-12-31")
        }
        _ => {
            eprintln!("usage: handwritten_pass EXPORT_DIR AS_OF");
            std::process::exit(2);
        }
    };
    let as_of = NaiveDate::parse_from_str(as_of, "%Y-%m-%d").expect("AS_OF is YYYY-MM-DD");
    let start = Instant::now();
    let cal = Calendar::official();
    let items = catalogue(&export.join("事项目录.csv"));
    let cases = export.join("cases.csv");
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let (header, parts) = ranges(&cases, threads);
    let header = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&header[..])
        .byte_records()
        .next()
        .expect("header row")
        .expect("header");
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name.as_bytes())
            .unwrap_or_else(|| panic!("cases has no column {name}"))
    };
    let cols = [
        col("事项编码"),
        col("受理部门"),
        col("受理渠道"),
        col("受理时间"),
        col("办结时间"),
        col("特别程序天数"),
    ];
    let counts: Vec<Counts> = std::thread::scope(|s| {
        let workers: Vec<_> = parts
            .iter()
            .map(|&part| {
                let (cases, cols, items) = (&cases, &cols, &items);
                s.spawn(move || pass(cases, part, cols, items, cal, as_of))
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect()
    });
    let mut total = Counts::default();
    for c in counts {
        total.outside += c.outside;
        total.overdue += c.overdue;
        for (k, (a, b)) in c.tracks {
            let t = total.tracks.entry(k).or_default();
            t.0 |= a;
            t.1 |= b;
        }
        for (k, (a, b)) in c.on_time {
            let t = total.on_time.entry(k).or_default();
            t.0 += a;
            t.1 += b;
        }
    }
    let dual = total.tracks.values().filter(|(a, b)| *a && *b).count();
    println!("in-centre items taken at 原单位: {}", total.outside);
    println!("overdue in working days: {}", total.overdue);
    println!(
        "dual-track groups: {dual}; on-time ratio for {} departments",
        total.on_time.len()
    );
    println!("handwritten wall: {:.2} s", start.elapsed().as_secs_f64());
}
