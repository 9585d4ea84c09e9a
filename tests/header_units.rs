//! Headers that say a field's unit (`实收金额(元)`, `投资额(元)`,
//! `法定办结时限(天)`) are that field, its numbers scaled when the unit is
//! another money unit than the field's; and a register that lacks one of
//! its required columns is read (or skipped) as what it is, never as
//! another dataset whose fewer columns it happens to have.

mod common;

const CATALOGUE: (&str, &str) = (
    "事项目录.csv",
    "事项编码,事项名称,是否进驻中心,法定办结时限(天),承诺办结时限(工作日),是否收费\n\
     A1,事项一,是,20,10,是\n",
);

const CASES: (&str, &str) = (
    "办件记录.csv",
    "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
     C1,A1,民政局,中心窗口,2025-03-03 09:00:00,2025-03-04 09:00:00\n",
);

fn run(dir: &std::path::Path, command: &str) -> serde_json::Value {
    let out = common::yimen(None)
        .arg(command)
        .arg(dir)
        .args(["--format", "json"])
        .args(if command == "audit" {
            &["--as-of", "2025-12-31", "--fail-on", "never"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap();
    common::assert_success(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The messages of the audit's findings of `code`.
fn messages(json: &serde_json::Value, list: &str, code: &str) -> Vec<String> {
    common::with_code(json, list, code)
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

/// `inspect`'s reading of `file`: its dataset and unmapped columns.
fn reading(json: &serde_json::Value, file: &str) -> (String, Vec<String>) {
    let t = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["path"] == file)
        .unwrap_or_else(|| panic!("{file} not read: {json:#}"));
    let unmapped = t["unmapped_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    (t["dataset"].as_str().unwrap().to_string(), unmapped)
}

#[test]
fn a_header_with_its_fields_unit_after_it_is_that_field() {
    let dir = common::folder(&[
        CATALOGUE,
        CASES,
        (
            "收费记录.csv",
            "收费流水号,办件编号,事项编码,收费部门,实收金额(元),缴费时间,收费地点,收款单位\n\
             F1,C1,A1,民政局,120,2025-03-03 10:00:00,原单位,财政\n",
        ),
    ]);
    let inspect = run(dir.path(), "inspect");
    let (dataset, unmapped) = reading(&inspect, "收费记录.csv");
    assert_eq!(dataset, "fees");
    assert!(unmapped.is_empty(), "{unmapped:?}");
    let (_, unmapped) = reading(&inspect, "事项目录.csv");
    assert!(unmapped.is_empty(), "{unmapped:?}");
    let audit = run(dir.path(), "audit");
    assert_eq!(
        messages(&audit, "findings", "F001"),
        ["收费 F1 在原单位收取 120 元"]
    );
}

#[test]
fn a_money_column_in_another_unit_is_scaled_and_a_unit_of_another_kind_is_no_match() {
    let dir = common::folder(&[
        CATALOGUE,
        CASES,
        (
            "收费记录.csv",
            "收费流水号,办件编号,事项编码,收费部门,收费金额(万元),缴费时间,收费地点,收款单位,减免金额(天)\n\
             F1,C1,A1,民政局,0.012,2025-03-03 10:00:00,原单位,财政,\n\
             F2,C1,A1,民政局,35元,2025-03-03 10:00:00,原单位,财政,\n",
        ),
    ]);
    let inspect = run(dir.path(), "inspect");
    // (Days are no amount of money: that column is no field's.)
    let (_, unmapped) = reading(&inspect, "收费记录.csv");
    assert_eq!(unmapped, ["减免金额(天)"]);
    let audit = run(dir.path(), "audit");
    assert_eq!(
        messages(&audit, "findings", "F001"),
        ["收费 F1 在原单位收取 120 元", "收费 F2 在原单位收取 35 元"]
    );
}

#[test]
fn a_fee_ledger_without_its_amount_column_is_no_case_log() {
    let ledger = "收费流水号,办件编号,事项编码,收费部门,缴费时间,收费地点,收款单位,减免金额\n\
                  F1,C1,A1,民政局,2025-03-03 10:00:00,原单位,财政,0\n";
    // Named as a fee ledger: read as one, the amount unknown.
    let dir = common::folder(&[CATALOGUE, CASES, ("收费记录.csv", ledger)]);
    let (dataset, _) = reading(&run(dir.path(), "inspect"), "收费记录.csv");
    assert_eq!(dataset, "fees");
    let audit = run(dir.path(), "audit");
    assert_eq!(audit["summary"]["records"]["cases"], 1, "{audit:#}");
    assert_eq!(audit["summary"]["records"]["fees"], 1, "{audit:#}");
    // Outside the hall whatever the amount; whether the floor was kept
    // needs it.
    assert_eq!(common::with_code(&audit, "findings", "F001").len(), 1);
    let f004 = common::with_code(&audit, "undetermined", "F004");
    assert_eq!(f004.len(), 1, "{audit:#}");
    assert!(f004[0]["missing"]
        .as_array()
        .unwrap()
        .contains(&"amount".into()));
    // Named otherwise: skipped, and the reason says what it came closest to.
    let dir = common::folder(&[CATALOGUE, CASES, ("data.csv", ledger)]);
    let audit = run(dir.path(), "audit");
    assert_eq!(audit["summary"]["records"]["cases"], 1, "{audit:#}");
    let skipped = audit["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{audit:#}");
    assert_eq!(skipped[0]["file"], "data.csv");
    let reason = skipped[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("fees") && reason.contains("收费金额"),
        "{reason}"
    );
}

/// The F003 messages of an export of a catalogue of one free item and a
/// fee ledger `ledger` (file name and text).
fn free_item_fees(ledger: (&str, &str)) -> Vec<String> {
    let dir = common::folder(&[
        (
            "事项目录.csv",
            "事项编码,事项名称,实施主体,是否收费\nA1,证,民政局,否\n",
        ),
        ledger,
    ]);
    let mut m = messages(&run(dir.path(), "audit"), "findings", "F003");
    m.sort();
    m
}

#[test]
fn a_record_of_keys_may_name_a_field_with_a_unit_whatever_the_other_records_write() {
    // Each record names the amount its own way: with a unit, without, in
    // 万元; each value read in its own key's unit (the first record's key
    // does not set the unit of the others).
    let expected = [
        "收费 P1: 事项 A1 公布为免费, 却收取 60 元",
        "收费 P2: 事项 A1 公布为免费, 却收取 60 元",
        "收费 P3: 事项 A1 公布为免费, 却收取 70 元",
    ];
    let jsonl = "{\"收费流水号\":\"P1\",\"事项编码\":\"A1\",\"收费金额(万元)\":0.006}\n\
                 {\"收费流水号\":\"P2\",\"事项编码\":\"A1\",\"实收金额\":60}\n\
                 {\"收费流水号\":\"P3\",\"事项编码\":\"A1\",\"实收金额（元）\":70}\n";
    assert_eq!(free_item_fees(("收费记录.jsonl", jsonl)), expected);
    let yaml = "- 收费流水号: P1\n  事项编码: A1\n  收费金额(万元): 0.006\n\
                - 收费流水号: P2\n  事项编码: A1\n  实收金额: 60\n\
                - 收费流水号: P3\n  事项编码: A1\n  实收金额(元): 70\n";
    assert_eq!(free_item_fees(("收费记录.yaml", yaml)), expected);
    // A key first seen after the records sampled for the header.
    let mut late = String::new();
    for i in 0..300 {
        late.push_str(&format!(
            "{{\"收费流水号\":\"Q{i}\",\"事项编码\":\"A9\"}}\n"
        ));
    }
    late.push_str("{\"收费流水号\":\"P1\",\"事项编码\":\"A1\",\"收费金额(万元)\":0.006}\n");
    assert_eq!(
        free_item_fees(("收费记录.jsonl", &late)),
        ["收费 P1: 事项 A1 公布为免费, 却收取 60 元"]
    );
}
