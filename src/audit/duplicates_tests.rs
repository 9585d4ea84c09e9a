//! The streamed keys' check across workers: each worker keeps parts of its
//! own, and the final check joins them.

use super::*;
use crate::engine::Data;
use crate::text::Text;

fn case(id: &str, row: u32) -> Row {
    let cases = Schema::builtin().dataset("cases").unwrap();
    let mut values = vec![Value::Empty; cases.fields.len()];
    values[cases.field_index("id").unwrap()] = Value::Str(Text::from(id));
    Row {
        file: 0,
        row,
        values,
    }
}

/// The repeated-id check of the case log, and a pool of two workers to add
/// its chunks from.
fn case_keys() -> (StreamedKeys, rayon::ThreadPool) {
    let schema = Schema::builtin();
    let ds = schema.dataset_index("cases").unwrap();
    let keys = StreamedKeys {
        fields: vec![schema.datasets[ds].field_index("id").unwrap()],
        parts: PerThread::default(),
        spans: PerThread::default(),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    (keys, pool)
}

/// The repeats the final check names (the cases in `办件.csv`), as (row,
/// message).
fn named(keys: StreamedKeys) -> Vec<(u32, String)> {
    let schema = Schema::builtin();
    let ds = schema.dataset_index("cases").unwrap();
    let mut data = Data::new(schema.datasets.len());
    data.add_file("办件.csv", None);
    keys.repeats(&schema.datasets[ds], &data)
        .into_iter()
        .map(|((_, row), e)| (row, e.message.to_string()))
        .collect()
}

/// A key in one worker's chunk and again in another's is a repeat, whichever
/// worker read the first: every worker's parts reach the final check, which
/// names the earlier row (and a key of one worker's chunk only is none).
#[test]
fn a_key_repeated_in_chunks_of_two_workers_is_named_once_with_the_first_row() {
    let (keys, pool) = case_keys();
    // Each of the pool's two workers adds one chunk; the calling thread
    // (outside the pool) a third.
    pool.broadcast(|ctx| {
        let rows: Vec<Row> = if ctx.index() == 0 {
            // (Falling, as the other: both chunks hashed.)
            (0..3000)
                .map(|i| case(&format!("A{}", 2999 - i), i + 2))
                .collect()
        } else {
            let mut rows: Vec<Row> = (0..3000)
                .map(|i| case(&format!("B{i}"), i + 5002))
                .collect();
            rows.push(case("A7", 9000));
            rows
        };
        keys.add_chunk(0, &rows, None);
    });
    keys.add_chunk(0, &[case("B5", 9500), case("C1", 9501)], None);
    assert_eq!(
        named(keys),
        [
            (
                9000,
                "办件记录的键 (id) 与 办件.csv 第 2994 行相同;两行都已计入".to_string()
            ),
            (
                9500,
                "办件记录的键 (id) 与 办件.csv 第 5007 行相同;两行都已计入".to_string()
            ),
        ]
    );
}

/// Chunks whose ids rise (zero-padded) are kept as runs: a run that
/// overlaps a hashed chunk or another run is hashed at the end and its
/// repeats found as a hashed chunk's; a run apart from every other span
/// holds none.
#[test]
fn runs_that_overlap_are_hashed_at_the_end_and_their_repeats_named() {
    let (keys, pool) = case_keys();
    pool.broadcast(|ctx| {
        let rows: Vec<Row> = if ctx.index() == 0 {
            (0..3000)
                .map(|i| case(&format!("A{i:04}"), i + 2))
                .collect()
        } else {
            let mut rows: Vec<Row> = (0..3000)
                .map(|i| case(&format!("B{i:04}"), i + 5002))
                .collect();
            // (Falling: this chunk is hashed, its span A0007 to B2999.)
            rows.push(case("A0007", 9000));
            rows
        };
        keys.add_chunk(0, &rows, None);
    });
    // A run within the second chunk's span, and one apart from all.
    keys.add_chunk(0, &[case("B0005", 9500), case("C0001", 9501)], None);
    keys.add_chunk(0, &[case("D1", 9600), case("D2", 9601)], None);
    // (The spans counted, then given back as one thread's for the check.)
    let runs = |keys: &StreamedKeys| {
        let spans: Vec<Span> = keys.spans.drain().into_iter().flatten().collect();
        let n = spans.iter().filter(|s| s.run.is_some()).count();
        keys.spans.put(spans);
        n
    };
    assert_eq!(runs(&keys), 3, "the chunks whose ids rise");
    assert_eq!(
        named(keys),
        [
            (
                9000,
                "办件记录的键 (id) 与 办件.csv 第 9 行相同;两行都已计入".to_string()
            ),
            (
                9500,
                "办件记录的键 (id) 与 办件.csv 第 5007 行相同;两行都已计入".to_string()
            ),
        ]
    );
}
