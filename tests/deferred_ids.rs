//! A case log's ids kept as bytes by the reader (`read::DeferredCells`),
//! made texts only for the records reported: the same values, messages,
//! keys and repeated-key errors as reading every id as a text, for ids
//! that are kept and ids that are not (padded, full-width, Chinese,
//! placeholders, quoted), and no deferral where a condition reads the id.

mod common;

use std::sync::Mutex;

use yimen::engine::run::deferrable_field;
use yimen::read::{par_stream, par_stream_deferring, ReadOptions, Record, DEFERRED};
use yimen::schema::Schema;
use yimen::value::Value;

const CASES_HEADER: &str = "办件编号,事项编码,受理部门,受理渠道,受理时间\n";

/// Ids of every kind, each with whether the reader keeps it as bytes.
const IDS: [(&str, bool); 12] = [
    ("GA20250000001", true),
    ("SX/2025-01_a.b", true),
    ("\" GA2 \"", false),
    ("ＧＡ３", false),
    ("GA:4", false),
    ("办件5", false),
    ("NULL", false),
    ("-", false),
    ("\"GA6\"", true),
    ("", false),
    ("GA20250000001x", true),
    ("G\tA7", false),
];

fn cases_csv() -> String {
    let mut text = CASES_HEADER.to_string();
    for (i, (id, _)) in IDS.iter().enumerate() {
        text.push_str(&format!(
            "{id},ZZ{i},区民政局,中心窗口,2025-03-0{} 09:00:00\n",
            1 + i % 9
        ));
    }
    text
}

/// The records of the folder's case log, in file order, with the kept
/// cells of `defer`: (record, its kept text).
fn read(dir: &std::path::Path, defer: Option<usize>) -> Vec<(Record, Option<String>)> {
    let src = common::only_cases_source(dir);
    let out = Mutex::new(Vec::new());
    let opts = ReadOptions::default();
    par_stream_deferring(&src, Schema::builtin(), &opts, 5, defer, |pc| {
        let kept: Vec<Option<String>> = (0..pc.records.len())
            .map(|i| {
                pc.deferred
                    .as_ref()
                    .and_then(|d| d.text(i).map(str::to_string))
            })
            .collect();
        if let Some(d) = &pc.deferred {
            assert_eq!(d.len(), pc.records.len(), "an entry per record");
        }
        let mut o = out.lock().unwrap();
        o.extend(pc.records.into_iter().zip(kept));
    })
    .unwrap();
    let mut v = out.into_inner().unwrap();
    v.sort_by_key(|(r, _)| r.row);
    v
}

#[test]
fn kept_ids_give_the_values_reading_them_as_texts_gives() {
    let dir = common::folder(&[("办件记录.csv", &cases_csv())]);
    let schema = Schema::builtin();
    let cases = schema.dataset_index("cases").unwrap();
    let id = schema.datasets[cases].field_index("id").unwrap();
    let whole = read(dir.path(), None);
    let deferred = read(dir.path(), Some(id));
    assert_eq!(whole.len(), deferred.len());
    assert!(whole.iter().all(|(_, k)| k.is_none()), "none kept unasked");
    let mut kept = 0;
    for ((w, _), (d, text)) in whole.iter().zip(&deferred) {
        assert_eq!(w.row, d.row);
        let expected = IDS[(w.row - 2) as usize].1;
        assert_eq!(text.is_some(), expected, "row {}: {text:?}", w.row);
        let mut values = d.values.clone();
        if let Some(t) = text {
            assert_eq!(values[id], DEFERRED, "row {}", w.row);
            values[id] = Value::str(t);
            kept += 1;
        }
        assert_eq!(values, w.values, "row {}", w.row);
    }
    assert_eq!(kept, IDS.iter().filter(|(_, k)| *k).count());
    // (The plain read, for comparison, through `par_stream` too.)
    let src = common::only_cases_source(dir.path());
    let n = Mutex::new(0);
    par_stream(&src, schema, &ReadOptions::default(), 5, |pc| {
        assert!(pc.deferred.is_none());
        *n.lock().unwrap() += pc.records.len();
    })
    .unwrap();
    assert_eq!(n.into_inner().unwrap(), whole.len());
}

#[test]
fn a_gbk_log_keeps_nothing() {
    let text = cases_csv();
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("办件记录.csv"), gbk).unwrap();
    let schema = Schema::builtin();
    let cases = schema.dataset_index("cases").unwrap();
    let id = schema.datasets[cases].field_index("id").unwrap();
    let records = read(dir.path(), Some(id));
    assert_eq!(records.len(), read(dir.path(), None).len());
    assert!(records.iter().all(|(_, k)| k.is_none()));
}

/// The shipped policies read the case and fee ids only in record rules'
/// messages; a policy whose condition, `let`, own key or group rule's
/// message reads the id does not have it deferred.
#[test]
fn the_id_is_deferred_only_where_no_condition_reads_it() {
    let schema = Schema::builtin();
    let cases = schema.dataset_index("cases").unwrap();
    let fees = schema.dataset_index("fees").unwrap();
    let id = schema.datasets[cases].field_index("id");
    let shipped = common::load_with_params(&common::yimen_files(&common::root().join("policies")))
        .expect("the shipped policies check");
    assert_eq!(deferrable_field(&shipped, schema, cases), id);
    assert_eq!(
        deferrable_field(&shipped, schema, fees),
        schema.datasets[fees].field_index("id")
    );
    let rule = |body: &str| {
        format!(
            "policy t {{\n  title \"t\"\n  issuer \"t\"\n}}\n\
             rule X001 x {{\n  title \"x\"\n  severity warning\n  cite gangnan-2017 \"四、(六)\"\n\
             \x20 for case in cases\n{body}\n}}\n"
        )
    };
    let cases_of = |text: String| {
        let dir = common::policy_folder(&text);
        let program = common::load_with_params(&[dir.path().join("p.yimen")])
            .unwrap_or_else(|e| panic!("{}\n{text}", common::render_all(&e)));
        deferrable_field(&program, schema, cases)
    };
    assert_eq!(
        cases_of(rule(
            "  require case.channel != \"原单位\"\n  message \"办件 {case.id}\""
        )),
        id,
        "read in the message only"
    );
    // A rule taking each case once (`distinct`: the log is held whole).
    assert_eq!(
        cases_of(
            rule("  require case.channel != \"原单位\"").replace("in cases", "in distinct cases")
        ),
        None
    );
    // A metric counting per id.
    assert_eq!(
        cases_of(
            "policy t {\n  title \"t\"\n  issuer \"t\"\n}\n\
             metric M91 m {\n  title \"m\"\n  cite gangnan-2017 \"四、(六)\"\n\
             \x20 for case in cases\n  per case.id\n  ratio case.channel == \"原单位\"\n}\n"
                .to_string()
        ),
        None
    );
    for body in [
        "  require case.id != \"GA1\"",
        "  when case.id is not none\n  require case.channel != \"原单位\"",
        "  let i = case.id\n  require case.channel != \"原单位\"",
        "  require case.channel != \"原单位\"\n  key case.id, case.item_code",
        "  require case.channel != \"原单位\" or contains(case.id, \"GA\")",
        "  group by case.dept\n  require count() <= 1\n  message \"首件 {first(case.id)}\"",
    ] {
        assert_eq!(cases_of(rule(body)), None, "{body}");
    }
}

/// Through the CLI: findings keyed and worded by kept and unkept ids alike
/// (a placeholder id is none: `—` in the message), undetermined records
/// keyed by them, a repeat across the two
/// (`GA1`, `ＧＡ1`) one finding under the earlier row's text and a
/// repeated-key error naming both rows and the later row's own text.
#[test]
fn findings_and_repeats_show_the_ids_as_written() {
    let mut log = CASES_HEADER.to_string();
    let ids = ["GA1", " GA2 ", "办件3", "ＧＡ1", "GA/5", "NULL", "\"GA7\""];
    for (i, id) in ids.iter().enumerate() {
        log.push_str(&format!(
            "{id},ZZ{i},区民政局,中心窗口,2025-03-03 09:00:00\n"
        ));
    }
    let dir = common::folder(&[
        (
            "事项目录.csv",
            "事项编码,事项名称,事项类型,实施主体,是否进驻中心,不进驻批准文号\n\
             K1,甲事项,行政许可,区民政局,是,\n",
        ),
        ("办件记录.csv", &log),
    ]);
    let root = common::root();
    let json = common::audit_json(
        None,
        dir.path(),
        &[
            root.join("policies/params.yimen"),
            root.join("policies/handling.yimen"),
        ],
    );
    let found: Vec<(String, String, Vec<u64>)> = common::with_code(&json, "findings", "H006")
        .iter()
        .map(|f| {
            (
                f["key"][0].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                f["evidence"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["row"].as_u64().unwrap())
                    .collect(),
            )
        })
        .collect();
    let expected: Vec<(String, String, Vec<u64>)> = [
        ("", "—", 5, vec![7]),
        ("GA/5", "GA/5", 4, vec![6]),
        ("GA1", "GA1", 0, vec![2, 5]),
        ("GA2", "GA2", 1, vec![3]),
        ("GA7", "GA7", 6, vec![8]),
        ("办件3", "办件3", 2, vec![4]),
    ]
    .into_iter()
    .map(|(key, shown, i, rows)| {
        (
            key.to_string(),
            format!("办件 {shown} 的事项编码 ZZ{i} 不在事项目录中"),
            rows,
        )
    })
    .collect();
    assert_eq!(found, expected, "{json:#}");
    // Undetermined records keyed by their ids too (no 承诺时限 to count against).
    let undetermined: Vec<&str> = common::with_code(&json, "undetermined", "H003")
        .iter()
        .map(|u| u["key"][0].as_str().unwrap())
        .collect();
    assert_eq!(undetermined, ["", "GA/5", "GA1", "GA2", "GA7", "办件3"]);
    let repeats: Vec<(u64, &str, &str)> = json["data_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["value"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        repeats,
        [(
            5,
            "ＧＡ1",
            "办件记录的键 (id) 与 办件记录.csv 第 2 行相同;两行都已计入"
        )],
        "{json:#}"
    );
}

/// A group rule's message aggregates its records' ids as they are judged
/// (`first(case.id)`): the ids are read, not kept as bytes.
#[test]
fn a_group_message_over_the_ids_shows_them() {
    let dir = common::folder(&[(
        "办件记录.csv",
        &format!(
            "{CASES_HEADER}GA1,K1,民政局,中心窗口,2025-03-03 09:00:00\n\
             GA2,K1,民政局,中心窗口,2025-03-03 09:00:00\n"
        ),
    )]);
    let policy = common::policy_folder(
        "policy t {\n  title \"t\"\n  issuer \"t\"\n}\n\
         rule X001 x {\n  title \"x\"\n  severity warning\n  cite gangnan-2017 \"四、(六)\"\n\
         \x20 for case in cases\n  group by case.dept\n  require count() <= 1\n\
         \x20 message \"首件 {first(case.id)}, 末件 {max(case.id)}\"\n}\n",
    );
    for engine in [None, Some("reference")] {
        let json = common::audit_json(engine, dir.path(), &[policy.path().join("p.yimen")]);
        let messages: Vec<&str> = common::with_code(&json, "findings", "X001")
            .iter()
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        assert_eq!(messages, ["首件 GA1, 末件 GA2"], "{engine:?}");
    }
}
