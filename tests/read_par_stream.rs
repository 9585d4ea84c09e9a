//! `par_stream` of a CSV or JSON Lines case log: the workers read the
//! file's chunks in turn and parse each one they read. Every chunk comes
//! once, numbered in file order, its records the rows it read (in the order
//! a sequential read gives them), and the counts returned are the file's; a
//! file gone after discovery is an I/O error, with no chunk given.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use yimen::read::{
    par_stream, parse_chunk, stream_chunks, ReadError, ReadOptions, Record, SourceFile,
};
use yimen::schema::Schema;

/// Data rows in the file; chunks of [`CHUNK`] rows.
const ROWS: u32 = 10_007;
const CHUNK: usize = 97;
/// The data row (1-based) written with a cell too many, and the one after
/// which a blank line is written.
const BAD: u32 = 4_321;
const BLANK_AFTER: u32 = 777;

/// Row `i`'s cells (the header's order), the bad row with one too many.
fn cells(i: u32) -> Vec<String> {
    let mut c = vec![
        format!("C{i:06}"),
        format!("A{}", i % 7),
        "区民政局".to_string(),
        ["中心窗口", "综合窗口", "原单位"][(i % 3) as usize].to_string(),
        format!("2025-03-{:02} 09:{:02}:00", 1 + i % 28, i % 60),
    ];
    if i == BAD {
        c.push("多余".into());
    }
    c
}

const HEADERS: [&str; 5] = ["办件编号", "事项编码", "受理部门", "受理渠道", "受理时间"];

fn write_csv(dir: &Path) {
    let mut text = HEADERS.join(",") + "\n";
    for i in 1..=ROWS {
        text.push_str(&cells(i).join(","));
        text.push('\n');
        if i == BLANK_AFTER {
            text.push('\n');
        }
    }
    std::fs::write(dir.join("cases.csv"), text).unwrap();
}

/// The same rows as JSON Lines (no header line: row `i` is line `i + 1`
/// as in the CSV); the bad row is not an object.
fn write_jsonl(dir: &Path) {
    let mut text = String::from("{\"办件编号\": \"C000000\", \"事项编码\": \"A0\", \"受理部门\": \"区民政局\", \"受理渠道\": \"中心窗口\", \"受理时间\": \"2025-03-01 09:00:00\"}\n");
    for i in 1..=ROWS {
        if i == BAD {
            text.push_str("[\"不是对象\"]\n");
        } else {
            let fields: Vec<String> = HEADERS
                .iter()
                .zip(cells(i))
                .map(|(k, v)| format!("\"{k}\": \"{v}\""))
                .collect();
            text.push_str(&format!("{{{}}}\n", fields.join(", ")));
        }
        if i == BLANK_AFTER {
            text.push('\n');
        }
    }
    std::fs::write(dir.join("cases.jsonl"), text).unwrap();
}

/// Per chunk index: its records, bad rows and blank rows.
type ByIndex = BTreeMap<u64, (Vec<Record>, u64, u64)>;

fn par_read(src: &SourceFile, threads: usize) -> (ByIndex, yimen::read::StreamStats) {
    let got = Mutex::new(ByIndex::new());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let stats = pool
        .install(|| {
            par_stream(
                src,
                Schema::builtin(),
                &ReadOptions::default(),
                CHUNK,
                |pc| {
                    let old = got
                        .lock()
                        .unwrap()
                        .insert(pc.index, (pc.records, pc.bad_rows, pc.blank_rows));
                    assert!(old.is_none(), "chunk {} given twice", pc.index);
                },
            )
        })
        .expect("read");
    (got.into_inner().unwrap(), stats)
}

/// The chunks of `src` read in parallel at one, two and three threads
/// against the same chunks read one by one: `raw` rows in all, the
/// records on the lines `lines`, one bad row and one blank line.
fn check_chunks(src: &SourceFile, raw: u64, lines: &[u32]) {
    // The reference: the chunks handed out one by one, parsed in order.
    let mut expected = ByIndex::new();
    let seq = stream_chunks::<ReadError>(
        src,
        Schema::builtin(),
        &ReadOptions::default(),
        CHUNK,
        |c| {
            let pc = parse_chunk(c);
            expected.insert(pc.index, (pc.records, pc.bad_rows, pc.blank_rows));
            Ok(())
        },
    )
    .expect("read in order");
    assert_eq!(seq.raw_rows, raw);
    assert!(seq.chunks > 100, "{} chunks", seq.chunks);
    for threads in [1, 2, 3] {
        let (got, stats) = par_read(src, threads);
        assert_eq!(stats, seq, "{threads} threads: the file's counts");
        let indices: Vec<u64> = got.keys().copied().collect();
        assert_eq!(
            indices,
            (0..seq.chunks).collect::<Vec<_>>(),
            "{threads} threads: every chunk once"
        );
        assert_eq!(got, expected, "{threads} threads: the chunks read in order");
        let rows: Vec<u32> = got
            .values()
            .flat_map(|(records, _, _)| records.iter().map(|r| r.row))
            .collect();
        assert_eq!(rows, lines, "{threads} threads: the records' lines");
        let bad: u64 = got.values().map(|c| c.1).sum();
        let blank: u64 = got.values().map(|c| c.2).sum();
        assert_eq!((bad, blank), (1, 1), "{threads} threads");
    }
}

/// The lines of rows `1..=ROWS` but the bad one: row `i` on line `i + 1`,
/// one more after the blank line.
fn data_lines() -> Vec<u32> {
    (1..=ROWS)
        .filter(|&i| i != BAD)
        .map(|i| if i > BLANK_AFTER { i + 2 } else { i + 1 })
        .collect()
}

#[test]
fn a_csv_s_chunks_come_once_each_in_file_order_with_the_file_s_counts() {
    let tmp = tempfile::tempdir().unwrap();
    write_csv(tmp.path());
    // (A blank line is not a row cut: the chunk that holds it counts it.)
    check_chunks(
        &common::only_cases_source(tmp.path()),
        u64::from(ROWS),
        &data_lines(),
    );
}

#[test]
fn a_json_lines_log_s_chunks_come_once_each_in_file_order_with_its_counts() {
    let tmp = tempfile::tempdir().unwrap();
    write_jsonl(tmp.path());
    // (Line 1 is a record; a blank line is not counted.)
    let lines: Vec<u32> = std::iter::once(1).chain(data_lines()).collect();
    check_chunks(
        &common::only_cases_source(tmp.path()),
        u64::from(ROWS) + 1,
        &lines,
    );
}

#[test]
fn a_log_gone_after_discovery_is_an_io_error_and_gives_no_chunk() {
    for (write, name) in [
        (write_csv as fn(&Path), "cases.csv"),
        (write_jsonl, "cases.jsonl"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path());
        let src = common::only_cases_source(tmp.path());
        std::fs::remove_file(tmp.path().join(name)).unwrap();
        let given = Mutex::new(0u32);
        let res = par_stream(
            &src,
            Schema::builtin(),
            &ReadOptions::default(),
            CHUNK,
            |_| {
                *given.lock().unwrap() += 1;
            },
        );
        match res {
            Err(ReadError::Io { file, .. }) => assert_eq!(file, name),
            other => panic!("{name}: expected an I/O error, got {other:?}"),
        }
        assert_eq!(*given.lock().unwrap(), 0, "{name}");
    }
}
