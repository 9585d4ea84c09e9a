//! `par_stream` of a CSV case log: the workers cut the file's chunks in
//! turn and parse each one they cut. Every chunk comes once, numbered in
//! file order, its records the rows it cut (in the order a sequential read
//! gives them), and the counts returned are the file's; a file gone after
//! discovery is an I/O error, with no chunk given.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use yimen::read::{
    discover, par_stream, parse_chunk, stream_chunks, ReadError, ReadOptions, Record, SourceFile,
};
use yimen::schema::Schema;

/// Data rows in the file; chunks of [`CHUNK`] rows.
const ROWS: u32 = 10_007;
const CHUNK: usize = 97;
/// The data row (1-based) written with a cell too many, and the one after
/// which a blank line is written.
const BAD: u32 = 4_321;
const BLANK_AFTER: u32 = 777;

fn write_log(dir: &Path) {
    let mut text = String::from("办件编号,事项编码,受理部门,受理渠道,受理时间\n");
    for i in 1..=ROWS {
        let extra = if i == BAD { ",多余" } else { "" };
        text.push_str(&format!(
            "C{i:06},A{},区民政局,{},2025-03-{:02} 09:{:02}:00{extra}\n",
            i % 7,
            ["中心窗口", "综合窗口", "原单位"][(i % 3) as usize],
            1 + i % 28,
            i % 60
        ));
        if i == BLANK_AFTER {
            text.push('\n');
        }
    }
    std::fs::write(dir.join("cases.csv"), text).unwrap();
}

fn only_source(dir: &Path) -> SourceFile {
    let found = discover(dir, Schema::builtin(), &ReadOptions::default()).expect("discover");
    let mut cases: Vec<SourceFile> = found
        .sources
        .into_iter()
        .filter(|s| s.dataset == "cases")
        .collect();
    assert_eq!(cases.len(), 1, "one case log");
    cases.remove(0)
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

#[test]
fn a_csv_s_chunks_come_once_each_in_file_order_with_the_file_s_counts() {
    let tmp = tempfile::tempdir().unwrap();
    write_log(tmp.path());
    let src = only_source(tmp.path());
    // The reference: the chunks handed out one by one, parsed in order.
    let mut expected = ByIndex::new();
    let seq = stream_chunks::<ReadError>(
        &src,
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
    // (A blank line is not a row cut: the chunk that holds it counts it.)
    let raw = u64::from(ROWS);
    assert_eq!(seq.raw_rows, raw);
    assert_eq!(seq.chunks, raw.div_ceil(CHUNK as u64));
    for threads in [1, 2, 3] {
        let (got, stats) = par_read(&src, threads);
        assert_eq!(
            (stats.raw_rows, stats.chunks),
            (seq.raw_rows, seq.chunks),
            "{threads} threads: the file's counts"
        );
        let indices: Vec<u64> = got.keys().copied().collect();
        assert_eq!(
            indices,
            (0..seq.chunks).collect::<Vec<_>>(),
            "{threads} threads: every chunk once"
        );
        assert_eq!(got, expected, "{threads} threads: the chunks read in order");
        // Rows in file order across the chunks: data starts on line 2,
        // the blank line is not a record, the bad row is skipped.
        let rows: Vec<u32> = got
            .values()
            .flat_map(|(records, _, _)| records.iter().map(|r| r.row))
            .collect();
        let want: Vec<u32> = (1..=ROWS)
            .filter(|&i| i != BAD)
            .map(|i| if i > BLANK_AFTER { i + 2 } else { i + 1 })
            .collect();
        assert_eq!(rows, want, "{threads} threads: the records' lines");
        let bad: u64 = got.values().map(|c| c.1).sum();
        let blank: u64 = got.values().map(|c| c.2).sum();
        assert_eq!((bad, blank), (1, 1), "{threads} threads");
    }
}

#[test]
fn a_csv_gone_after_discovery_is_an_io_error_and_gives_no_chunk() {
    let tmp = tempfile::tempdir().unwrap();
    write_log(tmp.path());
    let src = only_source(tmp.path());
    std::fs::remove_file(tmp.path().join("cases.csv")).unwrap();
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
        Err(ReadError::Io { file, .. }) => assert_eq!(file, "cases.csv"),
        other => panic!("expected an I/O error, got {other:?}"),
    }
    assert_eq!(*given.lock().unwrap(), 0);
}
