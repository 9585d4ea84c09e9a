//! `--format text`: a finding's evidence (and an undetermined verdict's)
//! shows every value under the file and row it comes from, as the JSON gives
//! them: a value looked up in another file (A001's authorisation level, in
//! 窗口授权.csv) is not shown as if it were in the record's row.

mod common;

use std::path::Path;

fn audit(dir: &Path, policies: &[&Path], format: &str) -> String {
    let mut cmd = common::yimen(None);
    cmd.arg("audit").arg(dir);
    for p in policies {
        cmd.arg("--policy").arg(p);
    }
    let out = cmd
        .args(["--as-of", "2025-12-31", "--fail-on", "never"])
        .args(["--format", format])
        .output()
        .unwrap();
    common::assert_success(&out);
    String::from_utf8(out.stdout).unwrap()
}

/// The `证据:` line under the finding whose message is `message`.
fn evidence_line<'a>(text: &'a str, message: &str) -> &'a str {
    let lines: Vec<&str> = text.lines().collect();
    let at: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim_start().strip_prefix("· ") == Some(message))
        .collect();
    assert_eq!(at.len(), 1, "finding {message:?} once in\n{text}");
    lines[at[0] + 1..]
        .iter()
        .take_while(|l| !l.trim_start().starts_with("· "))
        .find_map(|l| l.trim_start().strip_prefix("证据: "))
        .unwrap_or_else(|| panic!("no evidence under {message:?} in\n{text}"))
}

/// Whether the text's evidence `line` shows the JSON evidence entry `e`:
/// a part (`; `) at its file, sheet and row, holding its `field=value`; one
/// without a field, a part of its file naming its row (alone or in a list).
fn shows(line: &str, e: &serde_json::Value) -> bool {
    let file = match e["sheet"].as_str() {
        Some(sheet) => format!("{} [{sheet}]", e["file"].as_str().unwrap()),
        None => e["file"].as_str().unwrap().to_string(),
    };
    let row = e["row"].as_u64().unwrap().to_string();
    line.split("; ").any(|part| {
        let Some(rest) = part.strip_prefix(&format!("{file} 第 ")) else {
            return false;
        };
        let Some((rows, fields)) = rest.split_once(" 行") else {
            return false;
        };
        match e["field"].as_str() {
            Some(field) => {
                let pair = format!("{field}={}", e["value"].as_str().unwrap_or(""));
                rows == row && fields.trim_start().split(", ").any(|p| p == pair)
            }
            None => rows.split('、').any(|r| r == row),
        }
    })
}

#[test]
fn a_value_looked_up_in_another_file_is_shown_under_that_file_and_row() {
    let dir = common::root().join("examples/guangan");
    let text = audit(&dir, &[], "text");
    // A001: the case is row 25 of the case log; the authorisation it looked
    // up (区教科体局, only 初审 for this item) is row 6 of 窗口授权.csv.
    assert_eq!(
        evidence_line(
            &text,
            "办件 GA20250000024 由首席代表决定, 但受理当日无决定权授权"
        ),
        "办件记录.csv 第 25 行  decider_role=首席代表, dept=区教科体局, \
         item_code=512B0053300007-511602000000-000-115113010833722043-1-00, \
         accepted_at=2025-09-22 10:08:00; 窗口授权.csv 第 6 行  level=初审",
    );
    // H001: 已进驻 is the catalogue's row (a sheet of a workbook), not the case's.
    assert_eq!(
        evidence_line(
            &text,
            "办件 GA20250000204 的事项 511A0014300003-511602000000-000-2222222222222-1-00\
             (道路货物运输企业设立子公司经营许可)已进驻中心, 却在原单位受理"
        ),
        "办件记录.csv 第 205 行  channel=原单位, \
         item_code=511A0014300003-511602000000-000-2222222222222-1-00; \
         事项目录.xlsx [事项目录] 第 82 行  in_center=是",
    );
    // H002: a group's records, every row the JSON gives, not the first
    // alone: its first five and the centre cases after them (222, 252);
    // the line below says how many it has.
    assert_eq!(
        evidence_line(
            &text,
            "区交通运输局 的事项 511A0014300003-511602000000-000-2222222222222-1-00 \
             中心受理 4 件, 原单位受理 1 件"
        ),
        "办件记录.csv 第 38、180、204、205、215、222、252 行",
    );

    // Every finding of the example: each JSON evidence entry is shown at
    // its own file and row.
    let json: serde_json::Value = serde_json::from_str(&audit(&dir, &[], "json")).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert!(findings.len() > 50, "{json}");
    for f in findings {
        let line = evidence_line(&text, f["message"].as_str().unwrap());
        for e in f["evidence"].as_array().unwrap() {
            assert!(
                shows(line, e),
                "{} {}: {e} not in {line:?}",
                f["code"],
                f["key"]
            );
        }
    }
}

const GROUP_POLICY: &str = r#"/// 分组
policy grouped {
  title "分组"
  issuer "yimen"
}

/// 每个事项的办件都在 2025 年受理
rule X204 accepted-this-year {
  title "受理时间"
  severity error
  cite gangnan-2017 "四、(六)"
  for case in cases
  group by case.item_code
  require all(date(case.accepted_at) >= 2025-01-01)
  message "{case.item_code} {count()} 件"
}
"#;

#[test]
fn an_undetermined_group_shows_every_row_it_names() {
    let export = common::folder(&[
        (
            "事项目录.csv",
            "事项编码,事项名称,事项类型,实施主体,是否进驻中心\nA1,甲,行政许可,市监局,是\n",
        ),
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
             C1,A1,市监局,综合窗口,2025-03-03 09:00:00,2025-03-03 10:00:00\n\
             C2,A1,市监局,综合窗口,,2025-03-04 10:00:00\n",
        ),
    ]);
    let policies = common::policy_folder(GROUP_POLICY);
    let json: serde_json::Value =
        serde_json::from_str(&audit(export.path(), &[policies.path()], "json")).unwrap();
    let x204 = common::with_code(&json, "undetermined", "X204");
    assert_eq!(x204.len(), 1, "{json}");
    assert_eq!(
        x204[0]["evidence"],
        serde_json::json!([
            { "file": "办件记录.csv", "row": 2, "field": null, "value": null },
            { "file": "办件记录.csv", "row": 3, "field": null, "value": null },
        ])
    );
    // Row 3 lacks 受理时间: the text names it, not row 2 alone.
    let text = audit(export.path(), &[policies.path()], "text");
    assert!(
        text.lines()
            .any(|l| l == "  [X204] cases [A1] 缺少 accepted_at  (办件记录.csv 第 2、3 行)"),
        "{text}"
    );
}

/// An undetermined verdict for a looked-up record's empty cell names that
/// record's row after its own (the item is listed, its 承诺办结时限 is
/// empty: 事项目录.csv row 2), so that it is told from a lookup that found
/// nothing (an item not listed), which names the record's row alone; both
/// miss `catalogue.promised_days`. In the JSON as in the text.
#[test]
fn an_empty_looked_up_cell_names_its_row() {
    let dir = common::folder(&[
        (
            "事项目录.csv",
            "事项编码,事项名称,事项类型,实施主体,是否进驻中心,承诺办结时限\nA1,甲许可,行政许可,X局,是,\n",
        ),
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
             C1,A1,X局,中心窗口,2025-03-03 09:00:00,2025-03-10 09:00:00\n\
             C2,ZZ9,X局,中心窗口,2025-03-03 09:00:00,2025-03-10 09:00:00\n",
        ),
    ]);
    let json: serde_json::Value = serde_json::from_str(&audit(dir.path(), &[], "json")).unwrap();
    let h003 = common::with_code(&json, "undetermined", "H003");
    let places: Vec<(String, Vec<(String, u64)>)> = h003
        .iter()
        .map(|u| {
            assert_eq!(u["missing"], serde_json::json!(["catalogue.promised_days"]));
            (
                u["key"][0].as_str().unwrap().to_string(),
                u["evidence"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| {
                        (
                            e["file"].as_str().unwrap().to_string(),
                            e["row"].as_u64().unwrap(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            (
                "C1".to_string(),
                vec![
                    ("办件记录.csv".to_string(), 2),
                    ("事项目录.csv".to_string(), 2)
                ]
            ),
            ("C2".to_string(), vec![("办件记录.csv".to_string(), 3)]),
        ]
    );
    let text = audit(dir.path(), &[], "text");
    assert!(
        text.contains("[H003] cases [C1] 缺少 catalogue.promised_days  (办件记录.csv 第 2 行; 事项目录.csv 第 2 行  promised_days=)"),
        "{text}"
    );
}

/// Where the text cuts a long list of undetermined verdicts or data errors
/// (fifty lines), it says how they fall into kinds, the commonest first: a
/// column whose every cell fails shows at once.
#[test]
fn a_cut_list_says_how_its_items_fall_into_kinds() {
    let mut cases = String::from("办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n");
    for i in 0..60 {
        cases.push_str(&format!(
            "C{i},A1,区民政局,中心窗口,2025/13/45 25:61,2025-03-04 10:00\n"
        ));
    }
    for i in 60..64 {
        cases.push_str(&format!(
            "C{i},A1,区民政局,中心窗口,2025-03-03 09:00,不详\n"
        ));
    }
    let dir = common::folder(&[
        (
            "事项目录.csv",
            "事项编码,事项名称,是否进驻中心,承诺办结时限\nA1,事项一,是,10\n",
        ),
        ("办件记录.csv", &cases),
    ]);
    let text = audit(dir.path(), &[], "text");
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let after = |title: &str| -> Vec<&str> {
        let at = lines
            .iter()
            .position(|l| *l == title)
            .unwrap_or_else(|| panic!("no {title} in\n{text}"));
        lines[at + 1..]
            .iter()
            .copied()
            .take_while(|l| l.starts_with(|c: char| c.is_ascii_digit()) || l.starts_with('…'))
            .collect()
    };
    let errors = after("按文件、列与问题:");
    assert!(
        errors[0].starts_with("60 处  办件记录.csv 受理时间: "),
        "{text}"
    );
    assert!(
        errors[1].starts_with("4 处  办件记录.csv 办结时间: "),
        "{text}"
    );
    assert_eq!(errors.len(), 2, "{text}");
    let verdicts = after("按规则与所缺字段:");
    assert!(
        verdicts.contains(&"60 项  [H003] 缺少 accepted_at"),
        "{text}"
    );
}

/// The text output quotes the clauses the findings break, once a rule,
/// with each document's title, as the JSON's `cite` has their text (a
/// supervision office writes its 通报 from it; the text named only
/// `gangnan-2017 四、(六)`); rules without findings are not listed.
#[test]
fn the_text_quotes_each_broken_rule_s_clauses_once() {
    let dir = common::root().join("examples/guangan");
    let text = audit(&dir, &[], "text");
    let json: serde_json::Value = serde_json::from_str(&audit(&dir, &[], "json")).unwrap();
    let section = text
        .split("== 所依据的条款 ==")
        .nth(1)
        .expect("a section of the clauses")
        .split("\n== ")
        .next()
        .unwrap();
    let findings = json["findings"].as_array().unwrap();
    let mut codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    for code in &codes {
        assert_eq!(
            section.matches(&format!("  [{code}] ")).count(),
            1,
            "{code} once in {section}"
        );
    }
    // Every clause a finding cites, with its text, under its document's title.
    for f in findings {
        for c in f["cite"].as_array().unwrap() {
            let first_line = c["text"].as_str().unwrap().trim().lines().next().unwrap();
            let head = format!("{} 《", c["policy"].as_str().unwrap());
            assert!(section.contains(&head), "{head}");
            assert!(section.contains(first_line), "{first_line}");
        }
    }
    assert!(
        !section.contains("[D001]"),
        "a change rule fires only under diff"
    );
}

/// The text output names what the run was given beyond the shipped
/// settings (a parameter away from its default, a local calendar), so that
/// a report says under which settings its findings hold; a parameter given
/// its default value is no setting.
#[test]
fn the_text_names_the_run_s_own_settings() {
    let dir = common::root().join("examples/guangan");
    let cal = tempfile::tempdir().unwrap();
    let file = cal.path().join("本地.yaml");
    std::fs::write(
        &file,
        "days:\n  - {date: 2025-05-06, off: true, name: 地方假日}\n",
    )
    .unwrap();
    let out = common::yimen(None)
        .arg("audit")
        .arg(&dir)
        .args(["--as-of", "2025-12-31", "--fail-on", "never"])
        .args(["--param", "age_limit=40", "--param", "filing_limit=10"])
        .arg("--calendar")
        .arg(&file)
        .output()
        .unwrap();
    common::assert_success(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().nth(1).unwrap();
    assert!(line.starts_with("本次设置: "), "{text}");
    assert!(line.contains("参数 age_limit = 40 (默认 45)"), "{line}");
    assert!(
        line.contains("本地日历 ") && line.contains("本地.yaml"),
        "{line}"
    );
    assert!(!line.contains("filing_limit"), "{line}");
}
