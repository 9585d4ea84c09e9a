//! A group rule's evidence: the rows of the group and the records its
//! verdict looked up (E002: the 进驻单位 row that says 未进驻), each with the
//! field it read, so that a reader sees both sides of the finding.

mod common;

#[test]
fn a_group_finding_cites_the_record_it_looked_up() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心\n\
         K1,甲,行政许可,市监局,是\n\
         K2,乙,行政许可,税务局,是\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("进驻单位.csv"),
        "进驻单位,窗口类型\n民政局,综合窗口\n市监局,未进驻\n",
    )
    .unwrap();
    let json = common::audit_json(None, tmp.path(), &[]);
    let e002: Vec<&serde_json::Value> = common::with_code(&json, "findings", "E002");
    let by_key = |k: &str| {
        e002.iter()
            .find(|f| f["key"][0] == k)
            .unwrap_or_else(|| panic!("no E002 on {k}: {json}"))
    };
    // 市监局 is in the register as 未进驻: its row is evidence.
    assert_eq!(
        by_key("市监局")["evidence"],
        serde_json::json!([
            { "file": "事项目录.csv", "row": 2, "field": null, "value": null },
            { "file": "进驻单位.csv", "row": 3, "field": "window_type", "value": "未进驻" },
        ]),
    );
    // 税务局 is not in the register at all: only its items.
    assert_eq!(
        by_key("税务局")["evidence"],
        serde_json::json!([
            { "file": "事项目录.csv", "row": 3, "field": null, "value": null },
        ]),
    );
}

/// The rows of `finding`'s evidence from `file`, in order.
fn rows_of(finding: &serde_json::Value, file: &str) -> Vec<u64> {
    finding["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["file"] == file)
        .map(|e| e["row"].as_u64().unwrap())
        .collect()
}

/// H002 (dual track) on seven cases of one item, six taken at the centre
/// and the last at 原单位: the evidence named the first five centre cases
/// only, not the 原单位 one that makes the finding, and did not say it was
/// cut. It names the rows that decide each `any` (the first centre cases,
/// the 原单位 one) besides the group's first, and how many the group has.
#[test]
fn a_group_finding_names_the_rows_that_decide_it_and_how_many_it_has() {
    let mut cases = String::from("办件编号,事项编码,受理部门,受理渠道,受理时间\n");
    for i in 1..=6 {
        cases.push_str(&format!("C{i},A1,民政局,中心窗口,2025-03-0{i} 09:00:00\n"));
    }
    cases.push_str("C7,A1,民政局,原单位,2025-03-07 09:00:00\n");
    let dir = common::folder(&[
        (
            "事项目录.csv",
            "事项编码,事项名称,事项类型,实施主体,是否进驻中心\nA1,甲,行政许可,民政局,是\n",
        ),
        ("办件记录.csv", &cases),
    ]);
    let fast = common::audit_bytes(None, dir.path(), &[], &[]);
    let reference = common::audit_bytes(Some("reference"), dir.path(), &[], &[]);
    assert_eq!(
        String::from_utf8_lossy(&fast),
        String::from_utf8_lossy(&reference)
    );
    let json: serde_json::Value = serde_json::from_slice(&fast).unwrap();
    let h002 = common::with_code(&json, "findings", "H002");
    assert_eq!(h002.len(), 1, "{json:#}");
    assert_eq!(rows_of(h002[0], "办件记录.csv"), [2, 3, 4, 5, 6, 8]);
    assert_eq!(
        h002[0]["group_rows"],
        serde_json::json!({ "total": 7, "listed": 6 })
    );
    let text = common::yimen(None)
        .arg("audit")
        .arg(dir.path())
        .args(["--as-of", "2025-12-31", "--fail-on", "never"])
        .output()
        .unwrap();
    common::assert_success(&text);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains(
            "      证据: 办件记录.csv 第 2、3、4、5、6、8 行\n      组内记录: 共 7 行, 证据列出其中 6 行\n"
        ),
        "{text}"
    );
}

/// A repeated item code (C002) names every row it occurs in, up to twenty,
/// and how many there are beyond: it named the first five of seven.
#[test]
fn a_duplicated_code_names_every_row_up_to_twenty() {
    for (times, listed) in [(7_u64, 7_u64), (25, 20)] {
        let mut catalogue = String::from("事项编码,事项名称,事项类型,实施主体,是否进驻中心\n");
        for i in 1..=times {
            catalogue.push_str(&format!("A1,甲{i},行政许可,民政局,是\n"));
        }
        let dir = common::folder(&[("事项目录.csv", &catalogue)]);
        let json = common::audit_json(None, dir.path(), &[]);
        let c002 = common::with_code(&json, "findings", "C002");
        assert_eq!(c002.len(), 1, "{json:#}");
        let rows = rows_of(c002[0], "事项目录.csv");
        assert_eq!(rows, (2..2 + listed).collect::<Vec<u64>>(), "{times}");
        let group_rows = if listed < times {
            serde_json::json!({ "total": times, "listed": listed })
        } else {
            serde_json::Value::Null
        };
        assert_eq!(c002[0]["group_rows"], group_rows, "{times}");
        assert_eq!(
            c002[0]["message"],
            format!("事项编码 A1 在目录中出现 {times} 次")
        );
    }
}

const DECIDING_POLICY: &str = r#"policy p {
  title "证据"
}

rule K231 all-at-centre {
  severity error
  cite sandu-2018 "七、(六)"
  for case in cases
  group by case.dept
  require all(case.channel != "原单位")
  message "{case.dept} 原单位受理 {count(case.channel == "原单位")} 件"
}

rule K232 fee-cap {
  severity error
  cite sandu-2018 "七、(六)"
  for fee in fees
  group by fee.dept
  let top = max(fee.amount)
  require top <= 1000 and min(fee.amount) >= 10
  message "{fee.dept} 最高 {top} 元, 最低 {min(fee.amount)} 元, 共 {sum(fee.amount)} 元"
}

rule K233 mostly-centre {
  severity error
  cite sandu-2018 "七、(六)"
  for case in cases
  group by case.dept
  require ratio(case.channel == "中心窗口") >= 99.99%
  message "{case.dept} 中心受理比例 {ratio(case.channel == "中心窗口")}"
}
"#;

/// Each aggregate the verdict reads names the rows that make its value
/// (`all`: the first that fail; `max`, through a `let`, and `min`: the
/// row holding the extreme; `ratio`: the first on each side), after the
/// group's first rows; an aggregate only a message reads (`count`, `sum`)
/// names none. The rows are the same at any thread count, though the
/// group spreads over chunks, and on the reference evaluator.
#[test]
fn each_aggregate_names_the_rows_that_make_its_value() {
    let mut cases = String::from("办件编号,事项编码,受理部门,受理渠道,受理时间\n");
    // 20,000 cases of one department over three chunks: 原单位 at 12,
    // 9,000, 15,000 and 19,990 (rows one more), the rest at the centre.
    for i in 1..=20_000 {
        let channel = if [12, 9_000, 15_000, 19_990].contains(&i) {
            "原单位"
        } else {
            "中心窗口"
        };
        cases.push_str(&format!("C{i},A1,D,{channel},2025-03-03 09:00\n"));
    }
    let mut fees = String::from("收费流水号,收费部门,收费金额,收费时间\n");
    // The max (3000) first at row 7, the min (5) first at row 8.
    for (i, amount) in [100, 200, 50, 60, 300, 3000, 5, 3000, 5].iter().enumerate() {
        fees.push_str(&format!("F{i},D,{amount},2025-03-03 09:00\n"));
    }
    let dir = common::folder(&[("办件记录.csv", &cases), ("收费记录.csv", &fees)]);
    let policy = common::policy_folder(DECIDING_POLICY);
    let paths = common::yimen_files(policy.path());
    let json = same_at_any_thread_count(dir.path(), &paths);
    let verdicts: Vec<serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            serde_json::json!({
                "code": f["code"],
                "message": f["message"],
                "rows": rows_of(f, "办件记录.csv")
                    .into_iter()
                    .chain(rows_of(f, "收费记录.csv"))
                    .collect::<Vec<u64>>(),
                "group_rows": f["group_rows"],
            })
        })
        .collect();
    insta::assert_snapshot!(
        "group_evidence_deciding_rows",
        serde_json::to_string_pretty(&verdicts).unwrap()
    );
}

/// The audit's JSON at one thread, which two and four threads and the
/// reference evaluator (at two) give byte for byte.
fn same_at_any_thread_count(
    dir: &std::path::Path,
    paths: &[std::path::PathBuf],
) -> serde_json::Value {
    let one = common::audit_bytes(None, dir, paths, &["--threads", "1"]);
    for (engine, threads) in [(None, "2"), (None, "4"), (Some("reference"), "2")] {
        let other = common::audit_bytes(engine, dir, paths, &["--threads", threads]);
        assert_eq!(
            String::from_utf8_lossy(&one),
            String::from_utf8_lossy(&other),
            "{engine:?} {threads}"
        );
    }
    serde_json::from_slice(&one).unwrap()
}

/// A group whose records lie in two files of the case log, over several
/// chunks of each: one finding, its count and its deciding rows from both
/// files, the same at any thread count and on the reference evaluator
/// (each worker keeps its groups across its chunks and files, by the
/// strings its reader shares, and they are folded by content at the end).
#[test]
fn a_group_over_two_files_and_their_chunks_is_one_finding() {
    let header = "办件编号,事项编码,受理部门,受理渠道,受理时间\n";
    let (mut first, mut second) = (String::from(header), String::from(header));
    for i in 1..=12_000 {
        let channel = if i == 10_000 {
            "原单位"
        } else {
            "中心窗口"
        };
        first.push_str(&format!("C{i},A1,区民政局,{channel},2025-03-03 09:00\n"));
        // (The second file's texts are the same, in other strings: each
        // file's reader shares its own.)
        let channel = if i == 11_000 {
            "原单位"
        } else {
            "中心窗口"
        };
        second.push_str(&format!("E{i},A1,区民政局,{channel},2025-03-03 09:00\n"));
    }
    let dir = common::folder(&[("办件记录.csv", &first), ("办件记录2.csv", &second)]);
    let policy = common::policy_folder(DECIDING_POLICY);
    let paths = common::yimen_files(policy.path());
    let json = same_at_any_thread_count(dir.path(), &paths);
    let k231: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "K231")
        .collect();
    assert_eq!(k231.len(), 1, "{k231:?}");
    assert_eq!(k231[0]["message"], "区民政局 原单位受理 2 件");
    // Each file's 原单位 case is among the rows that decide it (a row is
    // its line: the header is line 1).
    assert!(
        rows_of(k231[0], "办件记录.csv").contains(&10_001),
        "{}",
        k231[0]
    );
    assert!(
        rows_of(k231[0], "办件记录2.csv").contains(&11_001),
        "{}",
        k231[0]
    );
    assert_eq!(k231[0]["group_rows"]["total"], 24_000, "{}", k231[0]);
}
