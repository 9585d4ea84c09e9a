//! Discovery, dataset decisions, the mapping file, strictness, streaming
//! and determinism.

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

use yimen::read::{
    discover, inspect, parse_chunk, read_table, read_table_full, render_json, stream_chunks,
    Mapping, ReadError, ReadOptions,
};
use yimen::schema::Schema;
use yimen::value::Value;

fn schema() -> &'static Schema {
    Schema::builtin()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    if let Some(p) = dir.join(name).parent() {
        fs::create_dir_all(p).unwrap();
    }
    fs::write(dir.join(name), bytes).unwrap();
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_hidden_folders_are_listed_not_followed_forever() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "a/办件.csv", "办件编号,事项编码\nGA1,X\n".as_bytes());
    std::os::unix::fs::symlink(d.join("a"), d.join("a/loop")).unwrap();
    std::os::unix::fs::symlink(d.join("gone.csv"), d.join("a/dangling.csv")).unwrap();
    std::os::unix::fs::symlink(d, d.join("a/root")).unwrap();
    write(d, ".git/config", b"[core]\n");
    let disc = discover(d, schema(), &ReadOptions::default()).unwrap();
    assert_eq!(disc.sources.len(), 1);
    let skipped: Vec<(String, String)> = disc
        .skipped
        .iter()
        .map(|s| (s.path.clone(), s.reason.clone()))
        .collect();
    assert!(
        skipped
            .iter()
            .any(|(p, r)| p == "a/loop" && r.contains("符号链接循环")),
        "{skipped:?}"
    );
    assert!(
        skipped.contains(&(".git".to_string(), "隐藏目录".to_string())),
        "{skipped:?}"
    );
    // A link to nothing, in words; a loop back to the audited folder, named.
    assert!(
        skipped
            .iter()
            .any(|(p, r)| p == "a/dangling.csv" && r.contains("指向不存在文件的符号链接")),
        "{skipped:?}"
    );
    assert!(
        skipped
            .iter()
            .any(|(p, r)| p == "a/root" && r.contains("指回审计的文件夹")),
        "{skipped:?}"
    );
}

#[test]
fn an_ambiguous_header_names_the_candidates() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "x.csv", b"id,name,code\n1,a,b\n");
    let disc = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    assert!(disc.sources.is_empty());
    let err = disc.errors.first().expect("an error");
    assert_eq!(
        err,
        &ReadError::AmbiguousHeader {
            file: "x.csv".into(),
            sheet: None,
            candidates: vec!["catalogue".into(), "staff".into()]
        }
    );
    let msg = err.to_string();
    assert!(
        msg.contains("catalogue") && msg.contains("staff") && msg.contains("x.csv"),
        "{msg}"
    );
    assert!(
        disc.skipped[0].reason.contains("catalogue、staff"),
        "{:?}",
        disc.skipped
    );
    // Strict: the error stops discovery.
    let strict = discover(
        tmp.path(),
        schema(),
        &ReadOptions {
            mapping: None,
            strict: true,
        },
    );
    assert!(matches!(strict, Err(ReadError::AmbiguousHeader { .. })));
    // The file name breaks the tie…
    fs::rename(tmp.path().join("x.csv"), tmp.path().join("人员名单.csv")).unwrap();
    let disc = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    assert_eq!(disc.sources[0].dataset, "staff");
    // …and so does the mapping.
    let m = Mapping::from_yaml(
        "m.yaml",
        "files:\n  \"人员名单.csv\": { dataset: catalogue }\n",
        schema(),
    )
    .unwrap();
    let disc = discover(
        tmp.path(),
        schema(),
        &ReadOptions {
            mapping: Some(m),
            strict: false,
        },
    )
    .unwrap();
    assert_eq!(disc.sources[0].dataset, "catalogue");
}

#[test]
fn the_file_name_decides_when_required_columns_are_missing() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "2025年办件.csv",
        "办件编号,受理时间,受理渠道\nC1,2025-03-01,网上\n".as_bytes(),
    );
    write(
        tmp.path(),
        "other.csv",
        "办件编号,受理时间,受理渠道\nC1,2025-03-01,网上\n".as_bytes(),
    );
    let disc = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    assert_eq!(disc.sources.len(), 1);
    assert_eq!(disc.sources[0].dataset, "cases");
    assert_eq!(disc.sources[0].missing_required, vec!["item_code"]);
    let other = disc.skipped.iter().find(|s| s.path == "other.csv").unwrap();
    assert!(other.reason.contains("事项编码"), "{}", other.reason);
}

/// Taken by its name, a table without the column of its key could not tell
/// its records apart (one finding for different cases, one empty key): it is
/// not read, and the error says which column is missing.
#[test]
fn a_table_taken_by_name_without_its_key_column_is_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "2025年办件.csv",
        "事项编码,受理时间,受理渠道\nA1,2025-03-01,网上\n".as_bytes(),
    );
    write(
        tmp.path(),
        "事项目录.csv",
        "编码,事项名称,事项类型\nA1,甲,行政许可\n".as_bytes(),
    );
    let disc = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    assert!(disc.sources.is_empty(), "{:?}", disc.sources);
    let mut errors: Vec<String> = disc.errors.iter().map(ToString::to_string).collect();
    errors.sort();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("2025年办件.csv") && errors[0].contains("键列 办件编号"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("事项目录.csv") && errors[1].contains("键列 事项编码"),
        "{errors:?}"
    );
}

/// One sheet of a workbook without its key column (a summary sheet taken
/// by the workbook's name) is skipped with the reason; the workbook's other
/// sheets are still read, whatever their order.
#[test]
fn a_keyless_sheet_does_not_stop_the_other_sheets() {
    use rust_xlsxwriter::Workbook;
    for summary_first in [true, false] {
        let tmp = tempfile::tempdir().unwrap();
        let mut wb = Workbook::new();
        let sheets: [(&str, &[&[&str]]); 2] = [
            (
                "汇总",
                &[&["事项名称", "实施主体", "数量"], &["甲", "X局", "3"]],
            ),
            (
                "明细",
                &[
                    &["事项编码", "事项名称", "事项类型", "实施主体"],
                    &["A1", "甲", "行政许可", "X局"],
                ],
            ),
        ];
        let order: Vec<usize> = if summary_first {
            vec![0, 1]
        } else {
            vec![1, 0]
        };
        for i in order {
            let (name, rows) = sheets[i];
            let ws = wb.add_worksheet().set_name(name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    ws.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
        wb.save(tmp.path().join("事项目录.xlsx")).unwrap();
        let disc = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
        let read: Vec<(&str, Option<&str>)> = disc
            .sources
            .iter()
            .map(|s| (s.dataset.as_str(), s.sheet.as_deref()))
            .collect();
        assert_eq!(read, [("catalogue", Some("明细"))], "{summary_first}");
        assert!(disc.errors.is_empty(), "{:?}", disc.errors);
        let skipped: Vec<&str> = disc.skipped.iter().map(|k| k.reason.as_str()).collect();
        assert!(
            skipped
                .iter()
                .any(|r| r.contains("工作表 汇总") && r.contains("键列 事项编码")),
            "{skipped:?}"
        );
    }
}

#[test]
fn mapping_aliases_encodings_and_header_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let (gbk, _, _) =
        encoding_rs::GBK.encode("编号,名称,权力类别,进驻情况\nA1,甲,许可,已进驻\nA2,乙,1,未进驻\n");
    write(tmp.path(), "exports/list.csv", &gbk);
    write(
        tmp.path(),
        "exports/cases.csv",
        "导出于 2025-04-01\n\n办件编号,事项编码\nGA1,A1\n".as_bytes(),
    );
    let text = r#"
datasets:
  catalogue:
    headers:
      code: 编号
      name: [名称]
      kind: [权力类别]
      in_center: 进驻情况
    values:
      kind: { 许可: 行政许可 }
      in_center: { 已进驻: 是, 未进驻: 否 }
files:
  "exports/list.csv": { dataset: catalogue, encoding: gb18030 }
  "cases.csv": { header_row: 3 }
"#;
    let m = Mapping::from_yaml("mapping.yaml", text, schema()).unwrap();
    let opts = ReadOptions {
        mapping: Some(m),
        strict: true,
    };
    let disc = discover(tmp.path(), schema(), &opts).unwrap();
    let list = disc
        .sources
        .iter()
        .find(|s| s.rel == "exports/list.csv")
        .unwrap();
    assert_eq!(
        list.encoding.map(yimen::read::TextEncoding::name),
        Some("gb18030")
    );
    let (records, errors) = read_table(list, schema(), &opts).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let ds = schema().dataset("catalogue").unwrap();
    let at = |i: usize, f: &str| records[i].values[ds.field_index(f).unwrap()].clone();
    assert_eq!(at(0, "kind"), Value::str("行政许可"));
    assert_eq!(at(1, "kind"), Value::str("行政许可"));
    assert_eq!(at(0, "in_center"), Value::Bool(true));
    assert_eq!(at(1, "in_center"), Value::Bool(false));
    let cases = disc
        .sources
        .iter()
        .find(|s| s.rel == "exports/cases.csv")
        .unwrap();
    assert_eq!(cases.header_row, Some(3));
    let (records, _) = read_table(cases, schema(), &opts).unwrap();
    assert_eq!(records[0].row, 4);
}

#[test]
fn bad_mapping_files_name_the_line() {
    let s = schema();
    let cases = [
        (
            "datasets:\n  catalog:\n    headers: {}\n",
            Some(2),
            "未知的数据集",
        ),
        (
            "datasets:\n  catalogue:\n    headers:\n      kinds: 类型\n",
            Some(4),
            "没有字段",
        ),
        (
            "datasets:\n  catalogue:\n    values:\n      kind: { \"99\": 许可 }\n",
            Some(4),
            "不是字段",
        ),
        (
            "datasets:\n  catalogue:\n    values:\n      in_center: { 已进驻: maybe }\n",
            Some(4),
            "不能作为字段 `in_center` 的值",
        ),
        (
            "datasets:\n  catalogue:\n    values:\n      promised_days: { 一周: 七 }\n",
            Some(4),
            "不能作为字段 `promised_days` 的值",
        ),
        (
            "files:\n  a.csv: { dataset: nope }\n",
            Some(2),
            "未知的数据集",
        ),
        (
            "files:\n  a.csv: { encoding: big5 }\n",
            Some(2),
            "不支持的编码",
        ),
        (
            "files:\n  a.csv: { datasets: cases }\n",
            Some(2),
            "未知的字段 `datasets`",
        ),
        // A header another field has (in the schema, or earlier in the
        // file) would be ignored: the column silently not remapped.
        (
            "datasets:\n  cases:\n    headers:\n      channel: 受理时间\n",
            Some(4),
            "表头 `受理时间` 已对应数据集 cases 的字段 `accepted_at`",
        ),
        (
            "datasets:\n  catalogue:\n    headers:\n      dept: 承办单位\n      name: [办理项目, 承办单位]\n",
            Some(5),
            "已对应数据集 catalogue 的字段 `dept`, 不能再对应字段 `name`",
        ),
        ("datasets: [1, 2\n", Some(1), ""),
        ("colums: {}\n", Some(1), "未知的字段 `colums`"),
    ];
    for (text, line, needle) in cases {
        match Mapping::from_yaml("m.yaml", text, s) {
            Err(ReadError::BadMapping {
                file,
                line: l,
                message,
            }) => {
                assert_eq!(file, "m.yaml");
                assert_eq!(l, line, "{text:?}: {message}");
                assert!(message.contains(needle), "{text:?}: {message}");
            }
            other => panic!("{text:?}: {other:?}"),
        }
    }
    assert!(Mapping::from_yaml("m.yaml", "", s).is_ok());
    // A field's own alias again, in another width, is no clash.
    assert!(Mapping::from_yaml(
        "m.yaml",
        "datasets:\n  cases:\n    headers:\n      accepted_at: [受理时间, 受理日期]\n",
        s
    )
    .is_ok());
}

#[test]
fn strict_stops_at_an_unreadable_file_and_lax_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "a.xlsx", b"PK\x03\x04 truncated");
    write(
        tmp.path(),
        "b.csv",
        "办件编号,事项编码\nGA1,A1\n".as_bytes(),
    );
    let lax = inspect(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    assert_eq!(lax.files.len(), 1);
    assert!(lax.skipped[0].reason.contains("无法读取"));
    let strict = inspect(
        tmp.path(),
        schema(),
        &ReadOptions {
            mapping: None,
            strict: true,
        },
    );
    match strict {
        Err(ReadError::Unreadable { file, .. }) => assert_eq!(file, "a.xlsx"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_encoding_is_an_error_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    // Bytes that are neither UTF-8 nor GB18030.
    write(tmp.path(), "a.csv", b"\xff\xff\xff,\x80\x80\n");
    let d = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    assert!(
        matches!(&d.errors[0], ReadError::UnknownEncoding { file, .. } if file == "a.csv"),
        "{:?}",
        d.errors
    );
}

#[test]
fn crlf_quoted_newlines_and_blank_lines_keep_line_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "办件.csv",
        "办件编号,事项编码,不予理由\r\nGA1,A1,\"第一行\r\n第二行\"\r\n\r\nGA2,A1,x\r\nGA3,A1,\"y\""
            .as_bytes(),
    );
    write(
        tmp.path(),
        "lf.csv",
        "办件编号,事项编码,不予理由\nGA1,A1,\"a\nb\"\n\n\nGA2,A1,x\nGA3,A1,y".as_bytes(),
    );
    let d = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    for src in &d.sources {
        let (records, errors) = read_table(src, schema(), &ReadOptions::default()).unwrap();
        assert!(errors.is_empty());
        let rows: Vec<u32> = records.iter().map(|r| r.row).collect();
        let want = if src.rel == "lf.csv" {
            vec![2, 6, 7]
        } else {
            vec![2, 5, 6]
        };
        assert_eq!(rows, want, "{}", src.rel);
    }
}

/// A title line saved with `\n` above a header and rows saved with `\r\n`
/// (the title added in another editor): the header is found on its own
/// line, which `header_row` in the mapping then names, and the rows keep
/// their line numbers. (The line break was judged by the file's first line:
/// the header was said to be on line 1, and `header_row: 2` refused.)
#[test]
fn a_title_line_with_another_line_break_keeps_the_header_s_line() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "cases.csv",
        "2025年办件统计表\n办件编号,事项编码\r\nGA1,A1\r\nGA2,A1\r\n".as_bytes(),
    );
    let d = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    assert_eq!(d.sources[0].header_row, Some(2));
    let text = "files:\n  \"cases.csv\": { dataset: cases, header_row: 2 }\n";
    let opts = ReadOptions {
        mapping: Some(Mapping::from_yaml("m.yaml", text, schema()).unwrap()),
        strict: true,
    };
    let d = discover(tmp.path(), schema(), &opts).unwrap();
    assert!(
        d.errors.is_empty() && d.skipped.is_empty(),
        "{:?}",
        d.skipped
    );
    let (records, errors) = read_table(&d.sources[0], schema(), &opts).unwrap();
    assert!(errors.is_empty());
    let rows: Vec<u32> = records.iter().map(|r| r.row).collect();
    assert_eq!(rows, [3, 4]);
}

#[test]
fn chunks_parse_to_the_same_records_as_a_whole_read() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from("办件编号,事项编码,受理时间,受理渠道,特别程序天数\n");
    for i in 0..5000 {
        let when = if i % 997 == 0 {
            "2025-13-01".to_string()
        } else {
            format!("2025-03-{:02} 09:{:02}:00", i % 28 + 1, i % 60)
        };
        let short = if i % 1999 == 0 { "" } else { ",网上" };
        writeln!(text, "GA{i},A{},{when}{short},{}", i % 7, i % 3).unwrap();
    }
    write(tmp.path(), "办件.csv", text.as_bytes());
    let d = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    let src = &d.sources[0];
    let whole = read_table_full(src, schema(), &ReadOptions::default()).unwrap();
    let mut chunks = Vec::new();
    let stats = stream_chunks::<ReadError>(src, schema(), &ReadOptions::default(), 333, |c| {
        chunks.push(c);
        Ok(())
    })
    .unwrap();
    assert_eq!(stats.raw_rows, 5000);
    assert_eq!(stats.chunks, chunks.len() as u64);
    assert_eq!(
        chunks.iter().map(|c| c.index).collect::<Vec<_>>(),
        (0..chunks.len() as u64).collect::<Vec<_>>()
    );
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for c in chunks {
        let p = parse_chunk(c);
        records.extend(p.records);
        errors.extend(p.errors);
    }
    assert_eq!(records, whole.records);
    assert_eq!(errors, whole.errors);
    assert_eq!(whole.bad_rows, 3);
    assert_eq!(whole.records.len(), 4997);
    assert_eq!(
        whole.errors.len(),
        3 + 6 - 1,
        "3 short rows, 6 bad dates of which one on a short row"
    );
}

/// The raw chunks of `src`, `rows` records each.
fn chunks_of(src: &yimen::read::SourceFile, rows: usize) -> Vec<yimen::read::Chunk> {
    let mut chunks = Vec::new();
    stream_chunks::<ReadError>(src, schema(), &ReadOptions::default(), rows, |c| {
        chunks.push(c);
        Ok(())
    })
    .unwrap();
    chunks
}

/// The records of `chunks`, parsed in order (on this thread).
fn records_of(chunks: Vec<yimen::read::Chunk>) -> Vec<yimen::read::Record> {
    chunks
        .into_iter()
        .flat_map(|c| parse_chunk(c).records)
        .collect()
}

/// The value of `field` in each of `records`, as its `Text`.
fn field_texts(records: &[yimen::read::Record], field: &str) -> Vec<yimen::text::Text> {
    let f = schema()
        .dataset("cases")
        .unwrap()
        .field_index(field)
        .unwrap();
    records
        .iter()
        .map(|r| match &r.values[f] {
            Value::Str(s) => s.clone(),
            v => panic!("{field} {v:?}"),
        })
        .collect()
}

#[test]
fn equal_texts_of_a_column_share_one_string_across_a_thread_s_chunks() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from("办件编号,事项编码,受理部门,受理渠道\n");
    for i in 0..2000 {
        let channel = if i % 2 == 0 { "综合窗口" } else { "网上" };
        writeln!(text, "GA{i},A{},区民政局,{channel}", i % 3).unwrap();
    }
    write(tmp.path(), "办件.csv", text.as_bytes());
    // The same table in GBK (cells decoded into a chunk's own text).
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    fs::create_dir(tmp.path().join("gbk")).unwrap();
    write(&tmp.path().join("gbk"), "办件.csv", &gbk);
    for dir in [tmp.path().to_path_buf(), tmp.path().join("gbk")] {
        let d = discover(&dir, schema(), &ReadOptions::default()).unwrap();
        let src = &d.sources[0];
        let chunks = chunks_of(src, 250);
        assert_eq!(chunks.len(), 8, "{}", dir.display());
        // (Parsed once: a text the same worker reads again is seen twice.)
        let records = records_of(chunks);
        let codes = field_texts(&records, "item_code");
        assert_eq!(codes.len(), 2000);
        // Record 0 (chunk 0) and record 1998 (chunk 7) hold `A0`: one string.
        assert_eq!(&*codes[1998], "A0");
        assert!(
            yimen::text::Text::ptr_eq(&codes[0], &codes[1998]),
            "{}: a later chunk allocated `A0` again",
            dir.display()
        );
        assert!(!yimen::text::Text::ptr_eq(&codes[0], &codes[1]));
        // A text the column repeats is kept for the process (its clones
        // count nothing); a unique one, an id, is not (nothing leaks).
        assert!(codes[0].is_static() && codes[1998].is_static());
        let ids = field_texts(&records, "id");
        assert!(ids.iter().all(|id| !id.is_static()), "{}", dir.display());
        // An enum's label too (the worker's own copy of it).
        let channels = field_texts(&records, "channel");
        assert_eq!(&*channels[1998], "综合窗口");
        assert!(
            yimen::text::Text::ptr_eq(&channels[0], &channels[1998]),
            "{}: a later chunk has its own copy of the label",
            dir.display()
        );
    }
}

/// A real catalogue's thousand item codes: the first few hundred cells of
/// the column are all first sightings, and the cache still shares every
/// code from its second sighting on (it gives up only on a column with
/// more distinct texts than it holds, such as the ids).
#[test]
fn a_column_of_a_thousand_codes_shares_each_code_s_string_from_its_second_sighting() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from("办件编号,事项编码,受理部门,受理渠道\n");
    for i in 0..4000 {
        writeln!(text, "GA{i},511A{:06}-1-00,区民政局,网上", i % 1000).unwrap();
    }
    write(tmp.path(), "办件.csv", text.as_bytes());
    let d = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    let records = records_of(chunks_of(&d.sources[0], 250));
    let codes = field_texts(&records, "item_code");
    assert_eq!(codes.len(), 4000);
    for i in 1000..4000 {
        assert_eq!(codes[i], codes[i % 1000]);
        assert!(
            yimen::text::Text::ptr_eq(&codes[i], &codes[i % 1000]),
            "record {i} has its own string of {}",
            codes[i]
        );
    }
    // The ids (no text repeats) are each their own string.
    let ids = field_texts(&records, "id");
    assert!(!yimen::text::Text::ptr_eq(&ids[0], &ids[1]));
}

#[test]
fn chunks_with_and_without_quotes_parsed_one_after_another_keep_their_cells() {
    // One thread parses every chunk, reusing the buffers of the one before:
    // chunks with quotes (split by the csv crate) and without (split at the
    // delimiters) follow each other.
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from("办件编号,事项编码,不予理由\n");
    let reason = |i: usize| {
        if i % 500 == 7 {
            format!("第{i}号,材料不全")
        } else {
            format!("x{i}")
        }
    };
    for i in 0..2000 {
        let r = reason(i);
        if r.contains(',') {
            writeln!(text, "GA{i},A{},\"{r}\"", i % 7).unwrap();
        } else {
            writeln!(text, "GA{i},A{},{r}", i % 7).unwrap();
        }
    }
    write(tmp.path(), "办件.csv", text.as_bytes());
    let d = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    let src = &d.sources[0];
    let chunks = chunks_of(src, 200);
    assert_eq!(chunks.len(), 10);
    let cases = schema().dataset("cases").unwrap();
    let (id, why) = (
        cases.field_index("id").unwrap(),
        cases.field_index("refusal_reason").unwrap(),
    );
    let mut n = 0;
    for c in chunks {
        let p = parse_chunk(c);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        for r in p.records {
            assert_eq!(r.row as usize, n + 2);
            assert_eq!(r.values[id], Value::Str(format!("GA{n}").into()));
            assert_eq!(r.values[why], Value::Str(reason(n).into()), "row {}", r.row);
            n += 1;
        }
    }
    assert_eq!(n, 2000);
}

#[test]
fn output_is_the_same_at_any_thread_count() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/read");
    let a = render_json(&inspect(&dir, schema(), &ReadOptions::default()).unwrap());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let b =
        pool.install(|| render_json(&inspect(&dir, schema(), &ReadOptions::default()).unwrap()));
    assert_eq!(a, b);
}

/// Junk under every supported extension: each file is read or listed, and
/// nothing panics.
#[test]
fn junk_in_every_format_is_listed_not_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let xlsx =
        fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/read/进驻单位.xlsx"))
            .unwrap();
    let xls =
        fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/read/目录调整.xls"))
            .unwrap();
    let exts = ["csv", "tsv", "txt", "jsonl", "yaml", "json", "xlsx", "xls"];
    let mut n = 0;
    // YIMEN_JUNK_ROUNDS=500 for a longer run.
    let rounds: usize = std::env::var("YIMEN_JUNK_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    for round in 0..rounds {
        for ext in exts {
            let bytes: Vec<u8> = match (ext, round % 3) {
                // Real workbooks with bytes flipped and cut.
                ("xlsx" | "xls", 0) => {
                    let src = if ext == "xlsx" { &xlsx } else { &xls };
                    let mut b = src.clone();
                    for _ in 0..20 {
                        let i = (next() as usize) % b.len();
                        b[i] ^= (next() & 0xff) as u8;
                    }
                    b.truncate(b.len() - (next() as usize % 200));
                    b
                }
                // Text-like junk: delimiters, quotes, CJK, line breaks.
                (_, 1) => {
                    let alphabet = [
                        "办件编号",
                        "事项编码",
                        ",",
                        "\t",
                        "\"",
                        "\n",
                        "\r\n",
                        "2025-13-01",
                        "是",
                        "{",
                        "}",
                        ":",
                        "- ",
                        "﻿",
                    ];
                    (0..200)
                        .flat_map(|_| {
                            alphabet[(next() as usize) % alphabet.len()]
                                .as_bytes()
                                .to_vec()
                        })
                        .collect()
                }
                _ => (0..(next() % 3000))
                    .map(|_| (next() & 0xff) as u8)
                    .collect(),
            };
            write(tmp.path(), &format!("f{n}.{ext}"), &bytes);
            n += 1;
        }
    }
    let report = inspect(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    let listed: std::collections::BTreeSet<&str> = report
        .files
        .iter()
        .map(|f| f.path.as_str())
        .chain(report.skipped.iter().map(|s| s.path.as_str()))
        .collect();
    assert_eq!(
        listed.len(),
        n,
        "every file is read or skipped with a reason"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_listed_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("办件.csv");
    let ok = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return; // no mkfifo here
    }
    let d = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    assert_eq!(d.skipped[0].reason, "不是普通文件");
}

#[test]
fn strict_reading_stops_at_the_first_data_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/read");
    let d = discover(&dir, schema(), &ReadOptions::default()).unwrap();
    let src = d
        .sources
        .iter()
        .find(|s| s.rel == "办件-bad-date.csv")
        .unwrap();
    let strict = ReadOptions {
        mapping: None,
        strict: true,
    };
    let err = read_table(src, schema(), &strict).unwrap_err();
    assert_eq!(
        err.to_string(),
        "办件-bad-date.csv: 第 2 行 受理时间: 日期时间不存在"
    );
    let ok = d.sources.iter().find(|s| s.rel == "办件-gbk.csv").unwrap();
    assert_eq!(read_table(ok, schema(), &strict).unwrap().0.len(), 4);
}

/// Excel's "Unicode text" export: UTF-16LE with a BOM, tab-separated, CRLF.
#[test]
fn utf16_unicode_text_exports() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "办件编号\t事项编码\t受理时间\r\nGA1\tA1\t2025-03-01 09:00:00\r\nGA2\tA2\t2025/3/2 9:00\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    write(tmp.path(), "办件.txt", &bytes);
    let report = inspect(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    let f = &report.files[0];
    assert_eq!(
        (
            f.dataset.as_str(),
            f.format.as_str(),
            f.encoding.as_deref(),
            f.rows,
            f.errors
        ),
        ("cases", "tsv", Some("utf-16le"), 2, 0)
    );
    let d = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    let (records, _) = read_table(&d.sources[0], schema(), &ReadOptions::default()).unwrap();
    assert_eq!(
        records.iter().map(|r| r.row).collect::<Vec<_>>(),
        vec![2, 3]
    );
    assert_eq!(records[1].values[0], Value::str("GA2"));
}

/// The reasons `discover` gives for what it skipped, by path.
fn skip_reasons(dir: &Path, opts: &ReadOptions) -> Vec<(String, String)> {
    discover(dir, schema(), opts)
        .unwrap()
        .skipped
        .iter()
        .map(|s| (s.path.clone(), s.reason.clone()))
        .collect()
}

#[test]
fn a_header_below_the_rows_looked_at_is_named_and_found_by_its_header_row() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 1..=40 {
        writeln!(text, "填报说明第 {i} 条").unwrap();
    }
    text.push_str("事项编码,事项名称,事项类型,实施主体,是否进驻中心\nA1,甲,行政许可,民政局,是\n");
    write(tmp.path(), "目录.csv", text.as_bytes());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for r in 0..50u32 {
        ws.write_string(r, 0, format!("封面第 {} 行", r + 1))
            .unwrap();
    }
    for (c, h) in ["办件编号", "事项编码", "受理部门"].iter().enumerate() {
        ws.write_string(50, c as u16, *h).unwrap();
    }
    for (c, v) in ["C1", "A1", "民政局"].iter().enumerate() {
        ws.write_string(51, c as u16, *v).unwrap();
    }
    wb.save(tmp.path().join("办件.xlsx")).unwrap();

    // Without a header row: skipped, saying where to give it.
    let reasons = skip_reasons(tmp.path(), &ReadOptions::default());
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons
            .iter()
            .all(|(_, r)| r.contains("前 30 行中没有表头") && r.contains("header_row")),
        "{reasons:?}"
    );
    // With it, however far below the rows looked at: read.
    let text = "files:\n  \"目录.csv\": { header_row: 41 }\n  \"办件.xlsx\": { header_row: 51 }\n";
    let opts = ReadOptions {
        mapping: Some(Mapping::from_yaml("mapping.yaml", text, schema()).unwrap()),
        strict: true,
    };
    let disc = discover(tmp.path(), schema(), &opts).unwrap();
    assert!(disc.skipped.is_empty(), "{:?}", disc.skipped);
    let rows: Vec<(String, String, u32)> = disc
        .sources
        .iter()
        .map(|s| {
            let (records, errors) = read_table(s, schema(), &opts).unwrap();
            assert!(errors.is_empty(), "{errors:?}");
            (s.rel.clone(), s.dataset.clone(), records[0].row)
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("办件.xlsx".to_string(), "cases".to_string(), 52),
            ("目录.csv".to_string(), "catalogue".to_string(), 42),
        ]
    );
}

#[test]
fn a_hidden_sheet_is_listed_as_skipped_not_read() {
    // An old copy of the catalogue, hidden beside the current one: its rows
    // would be repeated items.
    let tmp = tempfile::tempdir().unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, hidden) in [("事项目录", false), ("旧版目录", true)] {
        let ws = wb.add_worksheet().set_name(name).unwrap();
        for (c, h) in ["事项编码", "事项名称", "事项类型", "实施主体"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in ["A1", "甲", "行政许可", "民政局"].iter().enumerate() {
            ws.write_string(1, c as u16, *v).unwrap();
        }
        if hidden {
            ws.set_hidden(true);
        }
    }
    wb.save(tmp.path().join("目录.xlsx")).unwrap();
    let disc = discover(tmp.path(), schema(), &ReadOptions::default()).unwrap();
    let read: Vec<Option<&str>> = disc.sources.iter().map(|s| s.sheet.as_deref()).collect();
    assert_eq!(read, [Some("事项目录")]);
    let reasons = skip_reasons(tmp.path(), &ReadOptions::default());
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert_eq!(reasons[0].0, "目录.xlsx");
    assert!(
        reasons[0].1.starts_with("工作表 旧版目录: 隐藏的工作表"),
        "{reasons:?}"
    );
}

#[test]
fn a_csv_given_a_workbook_s_extension_is_named_as_text() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "目录.xlsx",
        "事项编码,事项名称\nA1,甲\n".as_bytes(),
    );
    write(tmp.path(), "坏.xlsx", b"PK\x03\x04\x00\x01broken");
    let reasons = skip_reasons(tmp.path(), &ReadOptions::default());
    let reason = |name: &str| {
        reasons
            .iter()
            .find(|(p, _)| p == name)
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    };
    assert!(
        reason("目录.xlsx").contains("可能是改了扩展名的 CSV"),
        "{reasons:?}"
    );
    // A broken workbook is not called text.
    let broken = reason("坏.xlsx");
    assert!(broken.contains("不是有效的 Excel 工作簿"), "{reasons:?}");
    assert!(!broken.contains("CSV"), "{reasons:?}");
}

/// A case log that carries its items' columns (事项名称, 实施主体, 承诺办结时限,
/// 法定办结时限: six a catalogue knows, against four of a case log) is a case
/// log: it has a case log's required columns and its acceptance time, which
/// no register has. Read as a catalogue it gave C002 on every item and no
/// case was checked.
#[test]
fn a_case_log_with_item_columns_is_a_case_log() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,承诺办结时限\nA1,甲许可,行政许可,X局,是,10\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("导出.csv"),
        "受理编号,事项编码,事项名称,实施主体,办件类型,承诺办结时限,法定办结时限,受理时间,办结时间\n\
         C1,A1,甲许可,X局,承诺件,10,20,2025/3/3 9:30,2025/3/5 10:00\n\
         C2,A1,甲许可,X局,承诺件,10,20,2025/3/4 9:30,2025/3/25 10:00\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("audit")
        .arg(dir.path())
        .args([
            "--as-of",
            "2025-12-31",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["records"]["cases"], 2, "{json}");
    assert_eq!(json["summary"]["records"]["catalogue"], 1, "{json}");
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"C002"), "{codes:?}");
    assert!(
        codes.contains(&"H003"),
        "C2 took 15 working days: {codes:?}"
    );
}

/// A register in an encoding yimen does not read (Big5) decodes as GBK
/// without an error and its header as other characters: skipped, the
/// reason saying the file is not UTF-8 and how its first row read; the
/// dataset its name gives is "not given or unreadable", never "not given".
#[test]
fn a_register_in_an_encoding_not_read_may_hold_the_dataset_its_name_gives() {
    let text =
        "授權單位,事項編碼,授權級別,是否授權審批專用章,生效日期\n民政局,K1,決定,是,2025-01-01\n";
    let (big5, _, unmappable) = encoding_rs::BIG5.encode(text);
    assert!(!unmappable);
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "窗口授权.csv", &big5);
    write(
        d,
        "事项目录.csv",
        "事项编码,事项名称,实施主体\nK1,甲,民政局\n".as_bytes(),
    );
    // An unsupported file named as the dataset holds nothing of it.
    write(d, "授权说明.md", "说明".as_bytes());
    let json = common::audit_json(None, d, &[]);
    assert_eq!(
        json["summary"]["not_read"]["authorizations"], "not_given_or_unreadable",
        "{json:#}"
    );
    let skipped = json["skipped"].as_array().unwrap();
    let reason = skipped
        .iter()
        .find(|k| k["file"] == "窗口授权.csv")
        .and_then(|k| k["reason"].as_str())
        .unwrap();
    assert!(
        reason.contains("文件不是 UTF-8, 已按 gbk 读取, 第一行读作「") && reason.contains("Big5"),
        "{reason}"
    );
    // The same register in GBK is read.
    let (gbk, _, _) = encoding_rs::GBK.encode(
        "授权单位,事项编码,授权级别,是否授权审批专用章,生效日期\n民政局,K1,决定,是,2025-01-01\n",
    );
    write(d, "窗口授权.csv", &gbk);
    let disc = discover(d, schema(), &ReadOptions::default()).unwrap();
    assert!(disc.headerless.is_empty(), "{:?}", disc.skipped);
    assert!(disc.sources.iter().any(|s| s.dataset == "authorizations"));
}

/// A file whose name names two datasets (`目录调整记录`: the catalogue's 目录
/// and the changes register's 调整) and whose header lacks the changes
/// register's 调整编号 may hold the register its header came closest to:
/// changes is "not given or unreadable", not "not given" (D001 took the
/// register as given nothing and called a withdrawal filed there
/// unapproved).
#[test]
fn a_name_naming_two_datasets_names_the_one_the_header_came_closest_to() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "事项目录.csv",
        "事项编码,事项名称,实施主体\nK1,甲,民政局\n".as_bytes(),
    );
    write(
        d,
        "目录调整记录.csv",
        "事项编码,调整类型,公布日期,批准文号\nK1,撤出中心,2025-06-01,县政府函〔2025〕9号\n"
            .as_bytes(),
    );
    let json = common::audit_json(None, d, &[]);
    assert_eq!(
        json["summary"]["not_read"]["changes"], "not_given_or_unreadable",
        "{json:#}"
    );
    assert!(
        json["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["file"] == "目录调整记录.csv"
                && k["reason"]
                    .as_str()
                    .unwrap()
                    .contains("最接近 changes 目录调整记录,缺少必需列 调整编号")),
        "{json:#}"
    );
    // A data dictionary so named, one cell of which (调整编号) is a field's
    // header, names nothing.
    std::fs::remove_file(d.join("目录调整记录.csv")).unwrap();
    write(
        d,
        "目录调整说明.csv",
        "字段名,含义\n调整编号,每条调整的编号\n调整类型,新增或撤出中心等\n".as_bytes(),
    );
    let json = common::audit_json(None, d, &[]);
    assert_eq!(
        json["summary"]["not_read"]["changes"], "not_given",
        "{json:#}"
    );
}
