//! Records that share a key (a duplicated item code) are one finding of a
//! rule, keyed by that key, with the evidence of every record: not one
//! finding per record under the same key.

mod common;

/// The audit JSON of `dir` under the shipped policy files named.
fn audit(dir: &std::path::Path, policies: &[&str]) -> serde_json::Value {
    let root = common::root();
    let paths: Vec<std::path::PathBuf> = policies
        .iter()
        .map(|p| root.join(format!("policies/{p}.yimen")))
        .collect();
    common::audit_json(None, dir, &paths)
}

/// The findings of rule `code` as (key, the rows of its evidence).
fn keys_and_rows(json: &serde_json::Value, code: &str) -> Vec<(serde_json::Value, Vec<u64>)> {
    common::with_code(json, "findings", code)
        .into_iter()
        .map(|f| {
            let mut rows: Vec<u64> = f["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["row"].as_u64().unwrap())
                .collect();
            // (One evidence entry per field a rule reads.)
            rows.dedup();
            (f["key"].clone(), rows)
        })
        .collect()
}

#[test]
fn a_duplicated_item_is_one_finding_with_both_rows() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,不进驻批准文号\n\
         K1,甲事项,行政许可,民政局,否,\n\
         K2,乙事项,行政许可,民政局,是,\n\
         K1,甲事项,行政许可,民政局,否,\n",
    )
    .unwrap();
    let json = audit(dir.path(), &["params", "entry", "catalogue"]);
    assert_eq!(
        keys_and_rows(&json, "E001"),
        [(serde_json::json!(["K1"]), vec![2, 4])],
        "{json:#}"
    );
    assert_eq!(json["summary"]["findings"]["E001"], 1);
    assert_eq!(json["summary"]["findings"]["C002"], 1);
}

/// Codes equal in their matching form (`K1`, `Ｋ１`, ` K1`) are one item,
/// as C002 says: one finding of a rule, keyed by the earliest row's text,
/// with every row's evidence, whichever text sorts first.
#[test]
fn codes_equal_once_normalised_are_one_finding_keyed_by_the_earliest_row() {
    let header = "事项编码,事项名称,事项类型,实施主体,是否进驻中心,不进驻批准文号\n";
    let dir = common::folder(&[(
        "事项目录.csv",
        &format!(
            "{header}Ｋ１,甲事项,行政许可,民政局,否,\nK2,乙事项,行政许可,民政局,是,\n\
             K1,甲事项,行政许可,民政局,否,\n K1 ,甲事项,行政许可,民政局,否,\n"
        ),
    )]);
    let json = audit(dir.path(), &["params", "entry", "catalogue"]);
    assert_eq!(
        keys_and_rows(&json, "E001"),
        [(serde_json::json!(["Ｋ１"]), vec![2, 4, 5])],
        "{json:#}"
    );
    assert_eq!(json["summary"]["findings"]["E001"], 1);
    assert_eq!(json["summary"]["findings"]["C002"], 1);
    // The records' evidence in file order, whatever order their texts sort in.
    let dir = common::folder(&[(
        "事项目录.csv",
        &format!(
            "{header}K1,甲事项,行政许可,民政局,否,\nＫ１,甲事项,行政许可,民政局,否,\n\
             \u{3000}K1,甲事项,行政许可,民政局,否,\n"
        ),
    )]);
    let json = audit(dir.path(), &["params", "entry", "catalogue"]);
    assert_eq!(
        keys_and_rows(&json, "E001"),
        [(serde_json::json!(["K1"]), vec![2, 3, 4])],
        "{json:#}"
    );
}

/// A record without its key (an empty code) names no item: two such rows
/// are two findings, not one.
#[test]
fn records_without_a_key_are_not_merged() {
    let dir = common::folder(&[(
        "事项目录.csv",
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,不进驻批准文号\n\
         ,甲事项,行政许可,民政局,否,\n\
         K2,乙事项,行政许可,民政局,是,\n\
         ,丙事项,行政许可,民政局,否,\n",
    )]);
    let json = audit(dir.path(), &["params", "entry", "catalogue"]);
    assert_eq!(
        keys_and_rows(&json, "E001"),
        [
            (serde_json::json!([""]), vec![2]),
            (serde_json::json!([""]), vec![4])
        ],
        "{json:#}"
    );
    assert_eq!(json["summary"]["findings"]["E001"], 2);
}

/// A duplicated code's department is its first row's ("counts once, as its
/// first row"), not the smallest name; rows in file order across files.
#[test]
fn a_duplicated_code_takes_the_department_of_its_first_row() {
    let dir = tempfile::tempdir().unwrap();
    let header = "事项编码,事项名称,事项类型,实施主体,是否进驻中心\n";
    std::fs::write(
        dir.path().join("事项目录.csv"),
        format!("{header}K1,甲事项,行政许可,民政局,是\nK2,乙事项,行政许可,民政局,是\nK1,甲事项,行政许可,公安局,是\nK3,丙事项,行政许可,,是\nK3,丙事项,行政许可,公安局,是\n"),
    )
    .unwrap();
    let json = audit(dir.path(), &["params", "catalogue"]);
    let c002: Vec<(&serde_json::Value, &serde_json::Value)> =
        common::with_code(&json, "findings", "C002")
            .into_iter()
            .map(|f| (&f["key"], &f["dept"]))
            .collect();
    // K3's first row has no department: the finding has none (it is still a
    // finding: the count is known).
    assert_eq!(
        c002,
        [
            (&serde_json::json!(["K1"]), &serde_json::json!("民政局")),
            (&serde_json::json!(["K3"]), &serde_json::Value::Null),
        ],
        "{json:#}"
    );
}

/// A case or fee id that an earlier record has (in the same chunk, another
/// chunk or another file; written with a stray space) is a data error naming
/// the earlier row, and both records are counted. The same at any thread
/// count.
#[test]
fn repeated_case_and_fee_ids_are_data_errors_naming_the_first_row() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心\nK1,甲事项,行政许可,民政局,是\n",
    )
    .unwrap();
    let header = "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n";
    let case =
        |id: &str| format!("{id},K1,民政局,中心窗口,2025-03-03 09:00:00,2025-03-03 10:00:00\n");
    // 5,000 cases: more than two chunks; C10 again at the end (row 5,002).
    let mut one = String::from(header);
    for i in 0..5000 {
        one.push_str(&case(&format!("C{i}")));
    }
    one.push_str(&case("C10"));
    std::fs::write(dir.path().join("办件1.csv"), one).unwrap();
    // A repeat with a space after it, and one in full-width letters: keys
    // are compared in their matching form, as lookups match them (the
    // message shows the full-width key as its row writes it).
    let two = format!("{header}{}{}{}", case("C4999 "), case("D1"), case("Ｃ17"));
    std::fs::write(dir.path().join("办件2.csv"), two).unwrap();
    std::fs::write(
        dir.path().join("收费记录.csv"),
        "收费流水号,办件编号,事项编码,收费金额,收费时间,收费地点,收款单位\n\
         P1,C1,K1,10,2025-03-03 09:00:00,政务服务中心,财政\n\
         P2,C2,K1,10,2025-03-03 09:00:00,政务服务中心,财政\n\
         P1,C3,K1,10,2025-03-03 09:00:00,政务服务中心,财政\n\
         P1,C4,K1,10,2025-03-03 09:00:00,政务服务中心,财政\n",
    )
    .unwrap();
    let (json, errors) = audit_errors(dir.path(), "");
    // The value is the repeated key (in its matching form), though only
    // hashes of the keys were kept while the files streamed.
    let expected = [
        (
            "办件1.csv",
            5002,
            "C10",
            "办件记录的键 (id) 与 办件1.csv 第 12 行相同;两行都已计入",
        ),
        (
            "办件2.csv",
            2,
            "C4999",
            "办件记录的键 (id) 与 办件1.csv 第 5001 行相同;两行都已计入",
        ),
        (
            "办件2.csv",
            4,
            "Ｃ17",
            "办件记录的键 (id) 与 办件1.csv 第 19 行相同;两行都已计入",
        ),
        (
            "收费记录.csv",
            4,
            "P1",
            "收费记录的键 (id) 与 收费记录.csv 第 2 行相同;两行都已计入",
        ),
        // A key three times: each repeat names the first row.
        (
            "收费记录.csv",
            5,
            "P1",
            "收费记录的键 (id) 与 收费记录.csv 第 2 行相同;两行都已计入",
        ),
    ];
    let expected: Vec<Error> = expected
        .iter()
        .map(|(f, r, v, m)| ((*f).to_string(), *r, (*v).to_string(), (*m).to_string()))
        .collect();
    assert_eq!(errors, expected);
    assert_eq!(json["summary"]["data_errors"], 5);
    assert_eq!(json["summary"]["records"]["cases"], 5004);
}

/// A repeated key in a register held whole is a data error saying which row
/// a lookup takes: the first in file order, or, for a register with a
/// validity range (authorisations), the one valid on the date.
#[test]
fn a_repeated_register_key_says_which_row_lookups_take() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("窗口人员.csv"),
        "工号,姓名,派驻单位\nS1,张三,民政局\nS1,李四,民政局\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("窗口授权.csv"),
        "授权单位,事项编码,授权级别,生效日期\n民政局,K1,决定,2024-01-01\n民政局,K1,初审,2024-01-01\n",
    )
    .unwrap();
    let json = common::audit_json(None, dir.path(), &[]);
    let messages: Vec<(String, String)> = json["data_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        messages
            .iter()
            .any(|(f, m)| f == "窗口人员.csv" && m.contains("查找时取文件顺序中的第一行")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|(f, m)| f == "窗口授权.csv" && m.contains("查找时按有效期取行")),
        "{messages:?}"
    );
}

/// Two authorisations of the same department and item, both without a
/// start of validity ("valid since ever"), repeat a key: a data error, since
/// a lookup would take the first of them whatever the second says.
#[test]
fn authorisations_both_without_a_start_repeat_their_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("窗口授权.csv"),
        "授权单位,事项编码,授权级别,是否授权审批专用章,生效日期,失效日期\n\
         民政局,A1,无,是,,\n\
         民政局,A1,决定,否,,\n\
         民政局,A2,决定,否,,\n\
         民政局,A2,决定,否,2025-01-01,\n",
    )
    .unwrap();
    let json = common::audit_json(None, dir.path(), &[]);
    let errors: Vec<(u64, &str, &str)> = json["data_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["value"].as_str().unwrap(),
                e["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [(
            3,
            "民政局, A1, （空）",
            "窗口授权的键 (dept, item_code, valid_from) 与 窗口授权.csv 第 2 行重复;查找时按有效期取行, 生效日期相同的取文件顺序中的第一行"
        )]
    );
}

/// A rule's own `key` clause over a missing value gives an empty key part,
/// as a dataset's key does, so two cases without an id are two findings
/// (not one keyed `["—"]`).
#[test]
fn a_key_clause_over_missing_values_merges_nothing() {
    let policies = common::policy_folder(
        r#"
policy p { title "t" issuer "i" }
rule X001 outside {
  title "a"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  when case.channel == "原单位"
  require false
  key case.id
  message "办件 {case.id}"
}
"#,
    );
    let dir = common::folder(&[(
        "办件记录.csv",
        "办件编号,事项编码,受理部门,受理渠道,受理时间\n\
         ,A1,民政局,原单位,2025-03-03 09:00:00\n\
         C2,A1,民政局,中心窗口,2025-03-03 09:00:00\n\
         ,A1,民政局,原单位,2025-03-04 09:00:00\n",
    )]);
    let json = common::audit_json(None, dir.path(), &[policies.path().to_path_buf()]);
    assert_eq!(
        keys_and_rows(&json, "X001"),
        [
            (serde_json::json!([""]), vec![2]),
            (serde_json::json!([""]), vec![4])
        ],
        "{json:#}"
    );
}

/// A repeated key's data error gives the row's own text (the data contract's
/// raw value) and the key's column as the file heads it: keys match in
/// their normalised form (`Ｄ２` repeats `D2`), the error shows `Ｄ２`, in a
/// streamed case log and in a register held whole alike.
#[test]
fn a_repeated_key_is_shown_as_its_row_writes_it_with_its_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心\nI6,甲事项,行政许可,民政局,是\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("办件记录.csv"),
        "办件流水号,事项编码,受理部门,受理渠道,受理时间\n\
         D2,I6,民政局,中心窗口,2025-03-03 09:00:00\n\
         Ｄ２,I6,民政局,中心窗口,2025-03-03 09:00:00\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("窗口授权.csv"),
        "授权单位,事项编码,授权级别,生效日期\n民政局,I6,决定,2025-01-01\n民政局,Ｉ６,决定,2025-01-01\n",
    )
    .unwrap();
    let json = common::audit_json(None, dir.path(), &[]);
    let errors: Vec<(&str, u64, &str, &str)> = json["data_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap(),
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap_or("(none)"),
                e["value"].as_str().unwrap_or("(none)"),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("办件记录.csv", 3, "办件流水号", "Ｄ２"),
            (
                "窗口授权.csv",
                3,
                "授权单位, 事项编码, 生效日期",
                "民政局, Ｉ６, 2025-01-01"
            ),
        ]
    );
}

/// The repeated-id check keeps a chunk whose ids rise as a run and hashes
/// only the runs whose ids overlap another chunk's: every repeat is still
/// named, with its first row, whether the log is in id order, grouped by
/// department (each group rising, the groups' ids overlapping), shuffled,
/// or numbered without padding (`X9` before `X10`); at any thread count.
/// (The repeats come last, their first rows in chunks whose ids rise.)
#[test]
fn repeated_ids_are_named_in_every_order_of_the_log() {
    let n = 12_000_usize;
    let padded = |i: usize| format!("GA2025{i:07}");
    let unpadded = |i: usize| format!("X{i}");
    let repeats = [(n - 1, 5), (n - 2, 3_000), (n - 3, 9_000)];
    for (name, id) in [
        ("padded", &padded as &dyn Fn(usize) -> String),
        ("unpadded", &unpadded),
    ] {
        let mut ids: Vec<String> = (0..n).map(id).collect();
        for (i, j) in repeats {
            ids[i] = ids[j].clone();
        }
        let dept = |i: usize| if i % 2 == 0 { "民政局" } else { "住建局" };
        let in_order: Vec<usize> = (0..n).collect();
        let mut grouped = in_order.clone();
        grouped.sort_by_key(|&i| (dept(i), i));
        let shuffled: Vec<usize> = (0..n).map(|k| k * 7_919 % n).collect();
        for (order_name, order) in [
            ("in order", in_order),
            ("grouped", grouped),
            ("shuffled", shuffled),
        ] {
            let rows: Vec<(&str, &str)> =
                order.iter().map(|&i| (ids[i].as_str(), dept(i))).collect();
            check_repeats(&format!("{name}, {order_name}"), &[&rows], repeats.len());
        }
    }
}

/// Two files of the case log, each in id order, the second starting with
/// the first's last id: two runs that share one key, both hashed.
#[test]
fn a_run_ending_where_the_next_begins_is_checked() {
    let ids: Vec<String> = (0..9_000).map(|i| format!("GA2025{i:07}")).collect();
    let one: Vec<(&str, &str)> = ids[..5_000]
        .iter()
        .map(|i| (i.as_str(), "民政局"))
        .collect();
    let two: Vec<(&str, &str)> = ids[4_999..]
        .iter()
        .map(|i| (i.as_str(), "民政局"))
        .collect();
    check_repeats("two files", &[&one, &two], 1);
}

/// Audit files `办件1.csv`, `办件2.csv`, … of these (id, department) rows
/// and check its repeated-id data errors against a model (each id after
/// its first row names that row), the same at one and two threads.
fn check_repeats(what: &str, files: &[&[(&str, &str)]], repeats: usize) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心\nK1,甲事项,行政许可,民政局,是\n",
    )
    .unwrap();
    let mut first: std::collections::HashMap<&str, (String, usize)> =
        std::collections::HashMap::new();
    let mut expected: Vec<Error> = Vec::new();
    for (k, rows) in files.iter().enumerate() {
        let file = format!("办件{}.csv", k + 1);
        let mut text = String::from("办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n");
        for (r, &(id, dept)) in rows.iter().enumerate() {
            text.push_str(&format!(
                "{id},K1,{dept},中心窗口,2025-03-03 09:00:00,2025-03-03 10:00:00\n"
            ));
            let row = r + 2;
            match first.get(id) {
                Some((f, fr)) => expected.push((
                    file.clone(),
                    row as u64,
                    id.to_string(),
                    format!("办件记录的键 (id) 与 {f} 第 {fr} 行相同;两行都已计入"),
                )),
                None => {
                    first.insert(id, (file.clone(), row));
                }
            }
        }
        std::fs::write(dir.path().join(&file), text).unwrap();
    }
    assert_eq!(expected.len(), repeats, "{what}: the model");
    let (_, found) = audit_errors(dir.path(), what);
    assert_eq!(found, expected, "{what}");
}

/// A data error as (file, row, value, message).
type Error = (String, u64, String, String);

/// The audit JSON of `dir` (every shipped policy), the same at one and two
/// threads, and its data errors.
fn audit_errors(dir: &std::path::Path, what: &str) -> (serde_json::Value, Vec<Error>) {
    let run = |threads: &str| common::audit_bytes(None, dir, &[], &["--threads", threads]);
    let bytes = run("2");
    assert_eq!(bytes, run("1"), "{what}: the same at any thread count");
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let errors = json["data_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["row"].as_u64().unwrap(),
                e["value"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (json, errors)
}
