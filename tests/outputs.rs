//! The report formats of `yimen audit` on the example county
//! (`examples/guangan`, as of 2025-12-31): SARIF validated against the
//! official schema, the junit XML well-formed with matching counts, GitHub workflow
//! commands, CSV with a BOM, the workbook re-opened with calamine; each
//! pinned by a snapshot. And `--output`: atomic, refused with exit 2 when
//! it cannot be written.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn yimen(args: &[&str], output: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yimen"));
    cmd.arg("audit")
        .arg(common::root().join("examples/guangan"))
        .args(["--as-of", "2025-12-31"])
        .args(args);
    if let Some(p) = output {
        cmd.arg("--output").arg(p);
    }
    cmd.output().unwrap()
}

/// The report on standard output, which must be the only thing said.
fn report(format: &str) -> Vec<u8> {
    let out = yimen(&["--format", format], None);
    // Only the example folder's README is said, as skipped.
    let said = String::from_utf8_lossy(&out.stderr)
        .replace("已跳过: README.md: 不支持的文件类型(.md)\n", "");
    assert!(said.is_empty(), "{said}");
    assert_eq!(out.status.code(), Some(1), "findings at error severity");
    out.stdout
}

fn contract() -> serde_json::Value {
    serde_json::from_slice(&report("json")).unwrap()
}

fn count(json: &serde_json::Value, field: &str) -> usize {
    json[field].as_array().unwrap().len()
}

#[test]
fn sarif_validates_against_the_schema_and_describes_every_code() {
    let text = String::from_utf8(report("sarif")).unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    let errors = common::sarif_schema_errors(&sarif);
    assert!(errors.is_empty(), "{errors:#?}");

    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let results = run["results"].as_array().unwrap();
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[i], id, "ruleIndex points at the rule");
    }
    let json = contract();
    for code in json["summary"]["findings"].as_object().unwrap().keys() {
        assert!(ids.contains(&code.as_str()), "{code} fired without a rule");
    }
    let fails = results.iter().filter(|r| r["kind"] == "fail").count();
    assert_eq!(fails, count(&json, "findings"));
    let open = results.iter().filter(|r| r["kind"] == "open").count();
    assert_eq!(open, count(&json, "undetermined"));
    // Every finding of the example is located at its evidence row.
    for r in results.iter().filter(|r| r["kind"] == "fail") {
        let loc = &r["locations"][0]["physicalLocation"];
        // Located from the working directory (in CI, the repository's
        // root), where code scanning looks for the file.
        assert!(loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("examples/guangan/"));
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(r["properties"]["key"].as_array().is_some());
    }
    let h001 = rules.iter().find(|r| r["id"] == "H001").unwrap();
    assert_eq!(h001["name"], "handled-outside-center");
    assert_eq!(h001["defaultConfiguration"]["level"], "error");
    assert!(h001["help"]["text"]
        .as_str()
        .unwrap()
        .contains("一律不得在原单位办理"));
    insta::assert_snapshot!("guangan_sarif", text);
}

/// What a `JUnit` report holds, once read to its end by quick-xml with
/// balanced, matching tags (it panics on any other).
struct JunitCounts {
    suites: usize,
    cases: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

fn junit_counts(text: &str) -> JunitCounts {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0i32;
    let mut n = JunitCounts {
        suites: 0,
        cases: 0,
        failures: 0,
        errors: 0,
        skipped: 0,
    };
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) => {
                depth += 1;
                match e.name().as_ref() {
                    b"testsuite" => n.suites += 1,
                    b"testcase" => n.cases += 1,
                    b"failure" => n.failures += 1,
                    b"error" => n.errors += 1,
                    _ => {}
                }
            }
            quick_xml::events::Event::Empty(e) => match e.name().as_ref() {
                b"testcase" => n.cases += 1,
                b"skipped" => n.skipped += 1,
                b"failure" => n.failures += 1,
                b"error" => n.errors += 1,
                _ => {}
            },
            quick_xml::events::Event::End(_) => depth -= 1,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "{text}");
    n
}

/// With data errors the report is still well-formed: the `数据错误` suite,
/// an erroring testcase per data error, was left open before the next.
#[test]
fn junit_with_data_errors_is_well_formed() {
    let dir = common::folder(&[
        (
            "事项目录.csv",
            "事项编码,事项名称,事项类型,实施主体,是否进驻中心\nA1,甲,行政许可,民政局,是\n",
        ),
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间\n\
             C1,A1,民政局,中心窗口,2025-13-45\n\
             C2,A1,民政局,中心窗口,2025-03-03 09:00\n",
        ),
        ("说明.md", "备注"),
    ]);
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("audit")
        .arg(dir.path())
        .args([
            "--as-of",
            "2025-12-31",
            "--format",
            "junit",
            "--fail-on",
            "never",
        ])
        .output()
        .unwrap();
    common::assert_success(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("<testsuite name=\"数据错误\" tests=\"1\""),
        "{text}"
    );
    let counts = junit_counts(&text);
    assert_eq!(counts.errors, 1, "{text}");
    // The suite closed before 读取文件 (the notes file, skipped) opens.
    let errors_at = text.find("name=\"数据错误\"").unwrap();
    let files_at = text.find("name=\"读取文件\"").unwrap();
    assert_eq!(
        text[errors_at..files_at].matches("</testsuite>").count(),
        1,
        "{text}"
    );
}

#[test]
fn junit_is_well_formed_with_one_suite_per_rule() {
    let text = String::from_utf8(report("junit")).unwrap();
    let json = contract();
    let JunitCounts {
        suites,
        cases,
        failures,
        skipped,
        ..
    } = junit_counts(&text);
    let program_rules = 31;
    // One suite per rule (no data errors here), and 读取文件 with the
    // folder's README, skipped.
    assert_eq!(suites, program_rules + 1);
    assert!(text.contains(
        "<testsuite name=\"读取文件\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\">"
    ));
    let findings = count(&json, "findings");
    let undetermined = count(&json, "undetermined");
    assert_eq!(failures, findings);
    assert_eq!(skipped, undetermined + 1);
    // A rule with neither a finding nor an undetermined verdict (the catalogue
    // change rules, which need `yimen diff`) has one passing case.
    let mut with_outcome: Vec<&str> = ["findings", "undetermined"]
        .iter()
        .flat_map(|k| {
            json[*k]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["code"].as_str().unwrap())
        })
        .collect();
    with_outcome.sort_unstable();
    with_outcome.dedup();
    assert_eq!(
        cases,
        findings + undetermined + (program_rules - with_outcome.len()) + 1
    );
    let head = text.lines().nth(1).unwrap();
    assert!(head.contains(&format!("failures=\"{findings}\"")), "{head}");
    insta::assert_snapshot!("guangan_junit", text);
}

#[test]
fn github_commands_one_line_per_finding() {
    let text = String::from_utf8(report("github")).unwrap();
    let json = contract();
    let lines: Vec<&str> = text.lines().collect();
    let n = count(&json, "findings");
    // Then one notice naming the files skipped: the README.
    assert_eq!(
        lines.len(),
        n + count(&json, "undetermined") + count(&json, "data_errors") + 1
    );
    assert_eq!(
        lines.last().unwrap(),
        &"::notice title=已跳过的文件::1 个文件不含可识别的数据集, 未读取: README.md (不支持的文件类型(.md))"
    );
    for (line, f) in lines.iter().zip(json["findings"].as_array().unwrap()) {
        let kind = match f["severity"].as_str().unwrap() {
            "error" => "::error ",
            "warning" => "::warning ",
            _ => "::notice ",
        };
        assert!(line.starts_with(kind), "{line}");
        let ev = &f["evidence"][0];
        assert!(
            line.contains(&format!(
                "file=examples/guangan/{},line={},title={}::",
                ev["file"].as_str().unwrap(),
                ev["row"],
                f["code"].as_str().unwrap()
            )),
            "{line}"
        );
    }
    insta::assert_snapshot!("guangan_github", text);
}

/// The first line of `yimen audit DIR --format github` run in `cwd`.
fn first_github_line(cwd: &Path, dir: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .current_dir(cwd)
        .args(["audit", dir, "--as-of", "2025-12-31", "--format", "github"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().next().unwrap().to_string()
}

#[test]
fn github_files_are_named_from_the_working_directory() {
    // The export folder itself as the working directory: bare file names.
    let first = first_github_line(&common::root().join("examples/guangan"), ".");
    assert!(
        first.starts_with("::error file=办件记录.csv,line="),
        "{first}"
    );
    // A folder below the working directory, named relatively.
    let first = first_github_line(&common::root().join("examples"), "./guangan/");
    assert!(
        first.starts_with("::error file=guangan/办件记录.csv,line="),
        "{first}"
    );
}

#[test]
fn csv_has_a_bom_and_one_row_per_finding_then_the_undetermined_and_data_errors() {
    let bytes = report("csv");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let header = r.headers().unwrap().clone();
    assert_eq!(&header[0], "规则代码");
    assert_eq!(&header[1], "规则名称");
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let json = contract();
    let findings = count(&json, "findings");
    let undetermined = count(&json, "undetermined");
    let errors = count(&json, "data_errors");
    assert!(undetermined > 0, "the example has undetermined verdicts");
    // Last, the file skipped: the README.
    assert_eq!(rows.len(), findings + undetermined + errors + 1);
    let last = rows.last().unwrap();
    assert_eq!(
        (&last[2], &last[6], &last[8]),
        ("已跳过", "不支持的文件类型(.md)", "README.md")
    );
    for (row, f) in rows.iter().zip(json["findings"].as_array().unwrap()) {
        assert_eq!(&row[0], f["code"].as_str().unwrap());
        assert_eq!(&row[6], f["message"].as_str().unwrap());
    }
    for (row, u) in rows[findings..]
        .iter()
        .zip(json["undetermined"].as_array().unwrap())
    {
        assert_eq!(
            (&row[0], &row[2]),
            (u["code"].as_str().unwrap(), "无法判定")
        );
    }
    for (row, e) in rows[findings + undetermined..]
        .iter()
        .zip(json["data_errors"].as_array().unwrap())
    {
        assert_eq!(&row[2], "数据错误");
        assert_eq!(&row[8], e["file"].as_str().unwrap());
        assert_eq!(row[10], e["row"].to_string());
    }
    insta::assert_snapshot!("guangan_csv", String::from_utf8(bytes).unwrap());
}

#[test]
fn the_workbook_reopens_with_its_sheets_and_rows() {
    use calamine::Reader as _;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("审计.xlsx");
    let out = yimen(&["--format", "xlsx"], Some(&path));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on standard output");
    let json = contract();
    let fired = json["summary"]["findings"].as_object().unwrap();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let mut expected = vec!["汇总".to_string()];
    expected.extend(fired.keys().cloned());
    expected.push("无法判定".to_string());
    expected.push("未读取的文件".to_string());
    assert_eq!(book.sheet_names(), expected);
    for (code, n) in fired {
        let range = book.worksheet_range(code).unwrap();
        assert_eq!(range.height() as u64, n.as_u64().unwrap() + 1, "{code}");
        let clause = range.get_value((1, 10)).unwrap().to_string();
        assert!(!clause.is_empty(), "{code} without clause text");
    }
    let und = book.worksheet_range("无法判定").unwrap();
    assert_eq!(und.height(), count(&json, "undetermined") + 1);
    // The summary: departments × codes, then the total row with every finding.
    let sum = book.worksheet_range("汇总").unwrap();
    assert_eq!(sum.get_value((0, 0)).unwrap().to_string(), "部门");
    let total_col = fired.len() + 1;
    assert_eq!(
        sum.get_value((0, total_col as u32)).unwrap().to_string(),
        "合计"
    );
    let depts: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["dept"].as_str().unwrap_or("(未注明部门)"))
        .collect();
    let total_row = depts.len() as u32 + 1;
    assert_eq!(sum.get_value((total_row, 0)).unwrap().to_string(), "合计");
    assert_eq!(
        sum.get_value((total_row, total_col as u32))
            .unwrap()
            .to_string(),
        count(&json, "findings").to_string()
    );
    // Deterministic: the same audit, the same bytes.
    let again = tmp.path().join("again.xlsx");
    yimen(&["--format", "xlsx"], Some(&again));
    assert!(std::fs::read(&path).unwrap() == std::fs::read(&again).unwrap());
}

/// A workbook's sheets go out through temporary files: without a writable
/// temporary directory the audit says so and exits 2, no panic, no file.
#[test]
fn a_workbook_without_a_writable_temporary_directory_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("审计.xlsx");
    let missing = tmp.path().join("没有此目录");
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("audit")
        .arg(common::root().join("examples/guangan"))
        .args(["--as-of", "2025-12-31", "--format", "xlsx", "--output"])
        .arg(&path)
        .env("TMPDIR", &missing)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("无法生成 Excel 工作簿: 临时目录"), "{err}");
    assert!(
        err.contains("没有此目录") && err.contains("TMPDIR"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!path.exists());
}

#[test]
fn xlsx_needs_an_output_file() {
    let out = yimen(&["--format", "xlsx"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--output"), "{err}");
}

#[test]
fn output_is_written_whole_and_nothing_else_is_left() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("report.sarif");
    std::fs::write(&path, "old").unwrap();
    let out = yimen(&["--format", "sarif"], Some(&path));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read(&path).unwrap(), report("sarif"));
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["report.sarif"], "no temporary file left");
}

#[test]
fn an_unwritable_output_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    for (path, format) in [
        (tmp.path().join("missing/report.sarif"), "sarif"),
        (file.join("report.csv"), "csv"),
        (tmp.path().to_path_buf(), "xlsx"),
        // Passes the early check, fails when written.
        (tmp.path().join("长".repeat(100) + ".sarif"), "sarif"),
    ] {
        let out = yimen(&["--format", format], Some(&path));
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&path.display().to_string()),
            "the error names the path: {err}"
        );
        assert!(out.stdout.is_empty());
        assert!(!path.is_file(), "no partial file");
    }
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["a-file"]);
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let out = yimen(&["--format", "pdf"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pdf"));
}

/// One department written two ways (`区民政局（本级）`, `区民政局(本级)`) is one
/// department in the per-department summaries, as the engine groups it and
/// the report counts it: one text section, one workbook 汇总 row, shown as
/// its first finding writes it.
#[test]
fn a_department_written_two_ways_is_one_in_the_summaries() {
    let dir = common::folder(&[
        (
            "事项目录.csv",
            "事项编码,事项名称,事项类型,实施主体,是否进驻中心,承诺办结时限\nA1,甲许可,行政许可,区民政局（本级）,是,5\n",
        ),
        (
            "办件记录.csv",
            "办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n\
             C1,A1,区民政局（本级）,原单位,2025-03-03 09:00:00,2025-03-03 10:00:00\n\
             C2,A1,区民政局(本级),原单位,2025-03-04 09:00:00,2025-03-04 10:00:00\n",
        ),
    ]);
    let run = |format: &str, out: Option<&Path>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_yimen"));
        cmd.arg("audit").arg(dir.path()).args([
            "--as-of",
            "2025-12-31",
            "--fail-on",
            "never",
            "--format",
            format,
        ]);
        if let Some(p) = out {
            cmd.arg("--output").arg(p);
        }
        let o = cmd.output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    let text = run("text", None);
    let sections: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("== 区民政局"))
        .collect();
    assert_eq!(sections, ["== 区民政局（本级） (2 处) =="], "{text}");
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("a.xlsx");
    run("xlsx", Some(&book));
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    let summary = calamine::Reader::worksheet_range(&mut wb, "汇总").unwrap();
    let rows: Vec<String> = summary
        .rows()
        .filter_map(|r| r.first().map(ToString::to_string))
        .filter(|c| c.starts_with("区民政局"))
        .collect();
    assert_eq!(rows, ["区民政局（本级）"]);
}
