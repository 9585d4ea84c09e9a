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

#[test]
fn a_duplicated_item_is_one_finding_with_both_rows() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心\n\
         K1,甲事项,行政许可,民政局,否\n\
         K2,乙事项,行政许可,民政局,是\n\
         K1,甲事项,行政许可,民政局,否\n",
    )
    .unwrap();
    let json = audit(dir.path(), &["params", "entry", "catalogue"]);
    let e001: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "E001")
        .collect();
    assert_eq!(e001.len(), 1, "{e001:?}");
    assert_eq!(e001[0]["key"], serde_json::json!(["K1"]));
    let mut rows: Vec<u64> = e001[0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["row"].as_u64().unwrap())
        .collect();
    rows.dedup();
    assert_eq!(rows, [2, 4]);
    assert_eq!(json["summary"]["findings"]["E001"], 1);
    assert_eq!(json["summary"]["findings"]["C002"], 1);
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
    let c002: Vec<(&serde_json::Value, &serde_json::Value)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "C002")
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
