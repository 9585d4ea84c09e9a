//! The real catalogue of 广安区 (shared/data/real/guangan-catalogue.csv),
//! read with a mapping: 1,135 items, Sichuan's numeric 事项类型 codes all
//! mapped to labels, 34 departments.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use yimen::read::{discover, inspect, read_table, read_table_full, Mapping, ReadOptions};
use yimen::schema::Schema;
use yimen::value::Value;

const MAPPING: &str = r#"
datasets:
  catalogue:
    headers:
      name: [事项名称]
    values:
      kind: { "1": 行政许可, "2": 行政处罚, "3": 行政强制, "4": 行政征收, "5": 行政给付,
              "6": 行政检查, "7": 行政确认, "8": 行政奖励, "9": 行政裁决, "10": 其他行政权力,
              "20": 公共服务 }
files:
  "guangan-catalogue.csv": { dataset: catalogue, encoding: utf-8 }
"#;

fn folder() -> tempfile::TempDir {
    let real =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real/guangan-catalogue.csv");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(real, tmp.path().join("guangan-catalogue.csv")).unwrap();
    tmp
}

#[test]
fn guangan_catalogue_counts() {
    let schema = Schema::builtin();
    let mapping = Mapping::from_yaml("mapping.yaml", MAPPING, schema).unwrap();
    let tmp = folder();
    for opts in [
        ReadOptions::default(),
        ReadOptions {
            mapping: Some(mapping),
            strict: true,
        },
    ] {
        let d = discover(tmp.path(), schema, &opts).unwrap();
        assert_eq!(d.sources.len(), 1);
        let src = &d.sources[0];
        assert_eq!(src.dataset, "catalogue");
        assert_eq!(
            src.unmapped_columns(),
            vec!["主项名称", "部门编码", "行政区划代码"]
        );
        let (records, errors) = read_table(src, schema, &opts).unwrap();
        assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(5)]);
        assert_eq!(records.len(), 1135);
        let ds = schema.dataset("catalogue").unwrap();
        let at = |r: &yimen::read::Record, f: &str| r.values[ds.field_index(f).unwrap()].clone();
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        let mut depts = BTreeSet::new();
        for r in &records {
            match at(r, "kind") {
                Value::Str(k) => *kinds.entry(k.to_string()).or_default() += 1,
                other => panic!("row {}: kind {other:?}", r.row),
            }
            match at(r, "dept") {
                Value::Str(d) => depts.insert(d.to_string()),
                other => panic!("row {}: dept {other:?}", r.row),
            };
            assert!(matches!(at(r, "code"), Value::Str(_)), "row {}", r.row);
            assert!(matches!(at(r, "name"), Value::Str(_)), "row {}", r.row);
        }
        assert_eq!(depts.len(), 34);
        assert_eq!(kinds.values().sum::<usize>(), 1135);
        for k in kinds.keys() {
            assert!(
                ds.field("kind").unwrap().values.contains(k),
                "{k} is a label"
            );
        }
        assert_eq!(kinds.get("行政许可"), Some(&536)); // cross-checked with Python's csv module
        assert_eq!(kinds.get("公共服务"), Some(&348));
        assert_eq!(kinds.get("其他行政权力"), Some(&182));
        assert_eq!(records.first().map(|r| r.row), Some(2));
        assert_eq!(records.last().map(|r| r.row), Some(1136));
    }
}

#[test]
fn guangan_inspect() {
    let tmp = folder();
    let r = inspect(tmp.path(), Schema::builtin(), &ReadOptions::default()).unwrap();
    assert_eq!(r.files.len(), 1);
    let f = &r.files[0];
    assert_eq!(
        (f.rows, f.errors, f.encoding.as_deref(), f.header_row),
        (1135, 0, Some("utf-8"), Some(1))
    );
}

/// The real catalogue's item names of more than 128 bytes (Python's csv).
const LONG_NAMES: usize = 9;

/// A register held whole is read by every worker (a lookup's values go
/// into each case's verdict): its short texts are interned, one string
/// for the process (no reference count that two cores update in turn);
/// a long text (a name of more than 128 bytes) is not.
#[test]
fn the_short_texts_of_a_register_held_whole_are_interned() {
    let schema = Schema::builtin();
    let mapping = Mapping::from_yaml("mapping.yaml", MAPPING, schema).unwrap();
    let opts = ReadOptions {
        mapping: Some(mapping),
        strict: true,
    };
    let tmp = folder();
    let d = discover(tmp.path(), schema, &opts).unwrap();
    let table = read_table_full(&d.sources[0], schema, &opts).unwrap();
    assert_eq!(table.records.len(), 1135);
    let ds = schema.dataset("catalogue").unwrap();
    let text = |r: &yimen::read::Record, f: &str| match &r.values[ds.field_index(f).unwrap()] {
        Value::Str(s) => s.clone(),
        other => panic!("row {}: {f} {other:?}", r.row),
    };
    let (mut long, mut short) = (0, 0);
    for r in &table.records {
        for f in ["code", "dept", "kind", "name"] {
            let t = text(r, f);
            if t.len() > 128 {
                assert!(!t.is_static(), "row {}: {f}", r.row);
                long += 1;
            } else {
                assert!(t.is_static(), "row {}: {f} {t}", r.row);
                short += 1;
            }
        }
    }
    // (Cross-checked with Python: item names of more than 128 bytes.)
    assert_eq!((long, short), (LONG_NAMES, 4 * 1135 - LONG_NAMES));
    // Two items of one department: one string.
    let dept = |i: usize| text(&table.records[i], "dept");
    let (a, b) = (0..1135)
        .find_map(|i| (i + 1..1135).find(|&j| dept(j) == dept(i)).map(|j| (i, j)))
        .expect("two items of one department");
    assert!(yimen::text::Text::ptr_eq(&dept(a), &dept(b)));
}
