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

/// A key in one worker's chunk and again in another's is a repeat, whichever
/// worker read the first: every worker's parts reach the final check, which
/// names the earlier row (and a key of one worker's chunk only is none).
#[test]
fn a_key_repeated_in_chunks_of_two_workers_is_named_once_with_the_first_row() {
    let schema = Schema::builtin();
    let ds = schema.dataset_index("cases").unwrap();
    let keys = StreamedKeys {
        fields: vec![schema.datasets[ds].field_index("id").unwrap()],
        parts: PerThread::default(),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    // Each of the pool's two workers adds one chunk; the calling thread
    // (outside the pool) a third.
    pool.broadcast(|ctx| {
        let rows: Vec<Row> = if ctx.index() == 0 {
            (0..3000).map(|i| case(&format!("A{i}"), i + 2)).collect()
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
    let mut data = Data::new(schema.datasets.len());
    data.add_file("办件.csv", None);
    let found: Vec<(u32, String)> = keys
        .repeats(&schema.datasets[ds], &data)
        .into_iter()
        .map(|((_, row), e)| (row, e.message.to_string()))
        .collect();
    assert_eq!(
        found,
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
