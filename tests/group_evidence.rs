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
