//! What a user meets at the edges of the command line: bounded thread
//! counts, output that cannot be written, missing folders, empty policy
//! folders, files that cannot be read shown in the JSON and the report,
//! row errors rendered without empty parts, a waiver register as a list,
//! an output that would replace an export refused.

use std::path::Path;

mod common;

fn run(args: &[&str], cwd: Option<&Path>) -> std::process::Output {
    let mut cmd = common::yimen(None);
    if let Some(d) = cwd {
        cmd.current_dir(d);
    }
    cmd.args(args).output().unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Write `text` to `dir/name`; the path as a string, for an argument.
fn write_in(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// An export of one clean catalogue row.
fn catalogue_only() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("事项目录.csv"),
        "事项编码,事项名称,是否进驻中心,承诺办结时限\nA1,事项一,是,10\n",
    )
    .unwrap();
    dir
}

/// A small export: one catalogue, one case log with a short row, and a file
/// in no known encoding.
fn export() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write(
        "事项目录.csv",
        "事项编码,事项名称,是否进驻中心,承诺办结时限\nA1,事项一,是,10\n".as_bytes(),
    );
    write(
        "办件记录.csv",
        "办件编号,事项编码,受理部门,受理渠道,受理时间\n\
         C1,A1,区民政局,中心窗口,2025-03-03 09:00\n\
         C2,A1\n"
            .as_bytes(),
    );
    // A workbook that is not one: cannot be read.
    write("收费记录.xlsx", b"not a zip archive");
    dir
}

#[test]
fn thread_counts_are_bounded() {
    let dir = export();
    let d = dir.path().to_str().unwrap();
    for n in ["0", "257", "100000"] {
        let out = run(&["audit", d, "--threads", n], None);
        assert_eq!(
            out.status.code(),
            Some(2),
            "--threads {n}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("1..=256"), "{}", stderr(&out));
    }
    // (Exit 2 for the unreadable workbook, but the audit ran.)
    let out = run(
        &["audit", d, "--threads", "256", "--fail-on", "never"],
        None,
    );
    assert!(!out.stdout.is_empty(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("--threads"), "{}", stderr(&out));
}

#[test]
fn output_that_cannot_be_written_is_an_error_not_a_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not Linux
    };
    let dir = export();
    let d = dir.path().to_str().unwrap();
    for args in [
        vec!["audit", d, "--as-of", "2025-12-31"],
        // (JSON, SARIF, CSV, JUnit and GitHub's commands are written as they
        // are made: a failure midway too.)
        vec!["audit", d, "--as-of", "2025-12-31", "--format", "json"],
        vec!["audit", d, "--as-of", "2025-12-31", "--format", "sarif"],
        vec!["audit", d, "--as-of", "2025-12-31", "--format", "csv"],
        vec!["audit", d, "--as-of", "2025-12-31", "--format", "junit"],
        vec!["audit", d, "--as-of", "2025-12-31", "--format", "github"],
        vec!["inspect", d],
        vec!["explain", "H001"],
        vec!["test"],
    ] {
        let out = common::yimen(None)
            .args(&args)
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("无法写入标准输出"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

/// An `--output` whose folder is missing, or is a file, is refused before
/// the audit or the report, naming which (a file in the way was called a
/// missing folder; the report said `No such file or directory (os error 2)`
/// after its work).
#[test]
fn an_output_folder_that_is_a_file_or_missing_is_named() {
    let dir = export();
    let d = dir.path().to_str().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let file = write_in(out_dir.path(), "afile", "x");
    for command in ["audit", "report"] {
        for (target, says) in [
            (format!("{file}/x.json"), "不是目录, 而是一个文件"),
            (
                format!("{}/no-such/x.json", out_dir.path().display()),
                "no-such 不存在",
            ),
        ] {
            let out = run(
                &[
                    command,
                    d,
                    "--as-of",
                    "2025-12-31",
                    "--format",
                    "json",
                    "--output",
                    &target,
                ],
                None,
            );
            assert_eq!(out.status.code(), Some(2), "{command} {target}");
            assert!(
                stderr(&out).contains(says),
                "{command} {target}: {}",
                stderr(&out)
            );
        }
    }
}

/// A reader that goes away (`yimen audit … | head`) has what it wanted:
/// no error, the exit code the findings make, in every format written as it
/// is serialised (the csv crate's error of its own once hid the closed pipe:
/// exit 2, 无法写入标准输出).
#[test]
fn a_reader_that_goes_away_is_no_failure() {
    use std::io::Read as _;
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    let export = export.to_str().unwrap();
    let made = common::yimen(None)
        .args(["generate", export, "--cases", "5000", "--seed", "1"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));
    for (format, to) in [
        ("json", None),
        ("sarif", None),
        ("csv", None),
        ("junit", None),
        ("github", None),
        ("json", Some("/dev/stdout")),
    ] {
        let mut child = common::yimen(None)
            .args(["audit", export, "--as-of", "2025-12-31", "--format", format])
            .args(to.map(|p| ["--output", p]).into_iter().flatten())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 100];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("无法写入"),
            "{format}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_missing_folder_is_an_error_for_every_command() {
    let missing = "/nonexistent/yimen-export";
    for cmd in ["audit", "inspect", "report"] {
        let out = run(&[cmd, missing], None);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert!(stderr(&out).contains("不存在"), "{cmd}: {}", stderr(&out));
    }
}

#[test]
fn an_empty_policy_folder_or_no_tests_fails() {
    let dir = export();
    let empty = tempfile::tempdir().unwrap();
    let e = empty.path().to_str().unwrap();
    for args in [
        vec!["audit", dir.path().to_str().unwrap(), "--policy", e],
        vec!["check-policy", e],
        vec!["fmt", "--check", e],
    ] {
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("没有策略文件"), "{}", stderr(&out));
    }
    let params = common::root().join("policies/params.yimen");
    let out = run(&["test", params.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no tests found"), "{}", stderr(&out));
}

#[test]
fn files_not_read_are_in_the_json_and_the_report_and_listed_once() {
    let dir = export();
    let d = dir.path().to_str().unwrap();
    std::fs::write(dir.path().join("说明.md"), "说明").unwrap();
    let out = run(
        &["audit", d, "--as-of", "2025-12-31", "--format", "json"],
        None,
    );
    // An unreadable file: exit 2, and the report is still written.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["skipped"],
        serde_json::json!([
            { "file": "收费记录.xlsx", "reason": json["skipped"][0]["reason"], "unreadable": true },
            { "file": "说明.md", "reason": "不支持的文件类型(.md)", "unreadable": false },
        ]),
        "{json:#}"
    );
    let err = stderr(&out);
    assert_eq!(err.matches("收费记录.xlsx").count(), 1, "{err}");

    let out = run(
        &["report", d, "--as-of", "2025-12-31", "--format", "json"],
        None,
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = report["notes"].to_string();
    assert!(notes.contains("数据错误"), "{notes}");
    assert!(notes.contains("收费记录.xlsx"), "{notes}");
}

#[test]
fn a_row_error_is_rendered_without_empty_parts() {
    let dir = export();
    let out = run(
        &[
            "audit",
            dir.path().to_str().unwrap(),
            "--as-of",
            "2025-12-31",
        ],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("办件记录.csv 第 3 行"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(!line.contains(" :") && !line.contains("应为 )"), "{line}");
    assert!(!line.contains("值 \"\""), "{line}");
}

#[test]
fn a_waiver_register_may_be_a_plain_list() {
    let dir = export();
    let register = dir.path().join("豁免.yaml");
    std::fs::write(
        &register,
        "- code: H003\n  key: [\"C1\"]\n  reason: 试点\n  approved_by: 区政务办\n  approval_ref: 区政务办函〔2025〕5号\n  expires: 2026-06-30\n",
    )
    .unwrap();
    let other = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "audit",
            dir.path().to_str().unwrap(),
            "--as-of",
            "2025-12-31",
            "--waivers",
            register.to_str().unwrap(),
            "--format",
            "json",
        ],
        Some(other.path()),
    );
    assert_ne!(out.status.code(), Some(101), "{}", stderr(&out));
    assert!(!stderr(&out).contains("豁免登记"), "{}", stderr(&out));
    std::fs::write(&register, "waivers:\n- code: H003\n").unwrap();
    let out = run(
        &[
            "audit",
            dir.path().to_str().unwrap(),
            "--waivers",
            register.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("每项含 code, key, reason"), "{err}");
    assert!(!err.contains("WaiverFile"), "{err}");
}

#[test]
fn report_periods_and_compare_folders_are_checked() {
    let dir = export();
    let d = dir.path().to_str().unwrap();
    // (A four-digit year out of range is told the range, not "four digits".)
    for given in ["abc", "1901"] {
        let out = run(&["report", d, "--period", given], None);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("应为 1990 到 2100 之间的四位年份"),
            "{}",
            stderr(&out)
        );
    }
    let out = run(
        &["report", d, "--as-of", "2025-12-31", "--period", "2030"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("晚于审计日期"), "{}", stderr(&out));
    let out = run(
        &[
            "report",
            d,
            "--as-of",
            "2025-12-31",
            "--compare",
            "/nonexistent/prev",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--compare"), "{}", stderr(&out));
}

/// An audit date the calendar does not know (a year whose holidays are not
/// published) is warned about (working days over such days are
/// undetermined); a local calendar giving that year's notice silences it
/// only when no year between is missing.
#[test]
fn an_audit_date_beyond_the_calendar_is_warned_about() {
    let dir = export();
    let d = dir.path().to_str().unwrap();
    let warned = |out: &std::process::Output| {
        stderr(out).contains("安排未收录: 涉及未收录日子的工作日计数记为无法判定")
    };
    let out = run(
        &["audit", d, "--as-of", "2025-12-31", "--fail-on", "never"],
        None,
    );
    assert!(!warned(&out), "{}", stderr(&out));
    let out = run(
        &["audit", d, "--as-of", "2031-03-02", "--fail-on", "never"],
        None,
    );
    assert!(warned(&out), "{}", stderr(&out));
    let cal = dir.path().join("local-calendar.json");
    std::fs::write(
        &cal,
        r#"{"year": 2031, "days": [{"name": "元旦", "date": "2031-01-01", "isOffDay": true}]}"#,
    )
    .unwrap();
    let mut args = vec![
        "audit",
        d,
        "--as-of",
        "2031-03-02",
        "--fail-on",
        "never",
        "--calendar",
    ];
    let cal = cal.to_str().unwrap().to_string();
    args.push(&cal);
    // The 2031 notice alone leaves 2027-2030 unknown, which a case of 2026
    // still open is counted over: said, naming them.
    let out = run(&args, None);
    assert!(warned(&out), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("工作日历收录 2007-2026、2031 年的安排, 审计日 2031-03-02 所需的 2027-2030 年的法定节假日与调休安排未收录"),
        "{}",
        stderr(&out)
    );
    // Held through the audit date: nothing to say.
    let out = run(
        &[
            "audit",
            d,
            "--as-of",
            "2026-06-01",
            "--fail-on",
            "never",
            "--calendar",
            &cal,
        ],
        None,
    );
    assert!(!warned(&out), "{}", stderr(&out));
    // 29-31 December wait for the next year's notice, said so.
    let out = run(
        &["audit", d, "--as-of", "2026-12-30", "--fail-on", "never"],
        None,
    );
    assert!(
        stderr(&out).contains("所需的 2027 年的法定节假日与调休安排（2026 年 12 月 29-31 日待 2027 年元旦的安排确定）未收录"),
        "{}",
        stderr(&out)
    );
}

/// `--output` through a symbolic link writes the link's target and keeps
/// the link; a target that is no regular file (here a link to the process's
/// standard output, a pipe) is written to, not replaced by a file.
#[test]
fn output_writes_through_links_and_to_pipes() {
    let dir = catalogue_only();
    let d = dir.path().to_str().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let real = out_dir.path().join("real.json");
    std::fs::write(&real, "old").unwrap();
    let link = out_dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let args = [
        "audit",
        d,
        "--format",
        "json",
        "--fail-on",
        "never",
        "--output",
    ];
    let output_to = |path: &Path| {
        let mut with = args.to_vec();
        with.push(path.to_str().unwrap());
        let out = run(&with, None);
        assert!(out.status.success(), "{}", stderr(&out));
        out
    };
    let is_link = |path: &Path| {
        std::fs::symlink_metadata(path)
            .unwrap()
            .file_type()
            .is_symlink()
    };
    output_to(&link);
    assert!(is_link(&link));
    assert!(std::fs::read_to_string(&real)
        .unwrap()
        .contains("\"findings\""));
    let pipe = out_dir.path().join("stdout");
    std::os::unix::fs::symlink("/proc/self/fd/1", &pipe).unwrap();
    let out = output_to(&pipe);
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"findings\""));
    assert!(is_link(&pipe));
    // A link to a file not made yet: the file is made, the link kept.
    let dangling = out_dir.path().join("dangling.json");
    std::os::unix::fs::symlink("made.json", &dangling).unwrap();
    output_to(&dangling);
    assert!(is_link(&dangling));
    let made = std::fs::read_to_string(out_dir.path().join("made.json")).unwrap();
    assert!(made.contains("\"findings\""));
}

/// Date arithmetic past the calendar's ends (`add_days`, `add_months`,
/// `add_years`) is undetermined, noted as an overflow as integer arithmetic
/// is, never a crash and never a date made up at the calendar's end.
#[test]
fn huge_date_offsets_do_not_crash() {
    let policies = common::policy_folder(
        "policy p { title \"t\" }\n\
         rule X001 a {\n  severity info\n  cite gangnan-2017 \"四、(六)\"\n  for s in staff\n  \
         require add_days(s.start_date, 200000000000000) > s.start_date\n}\n\
         rule X002 b {\n  severity info\n  cite gangnan-2017 \"四、(六)\"\n  for s in staff\n  \
         require add_months(s.start_date, 9000000000000) > s.start_date\n}\n\
         rule X003 c {\n  severity info\n  cite gangnan-2017 \"四、(六)\"\n  for s in staff\n  \
         require year(add_years(s.start_date, -9223372036854775807)) > 0\n}\n",
    );
    let policies = policies.path().to_path_buf();
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    std::fs::create_dir(&export).unwrap();
    std::fs::write(
        export.join("窗口人员.csv"),
        "工号,姓名,派驻单位,进驻日期\nS1,张三,民政局,2024-03-01\n",
    )
    .unwrap();
    for engine in [None, Some("reference")] {
        let json = common::audit_json(engine, &export, std::slice::from_ref(&policies));
        let codes = |list: &str| -> Vec<String> {
            json[list]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["code"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(codes("undetermined"), ["X001", "X002", "X003"], "{json}");
        assert!(codes("findings").is_empty(), "{json}");
        for u in json["undetermined"].as_array().unwrap() {
            assert_eq!(u["missing"], serde_json::json!(["(计算溢出)"]), "{u}");
        }
    }
}

/// A workbook that makes its reader panic is reported as unreadable, and
/// the panic's own text (a Rust message) is not shown to the user.
#[test]
fn a_workbook_that_breaks_its_reader_is_reported_without_rust_text() {
    let dir = tempfile::tempdir().unwrap();
    let xls = std::fs::read(common::root().join("tests/fixtures/read/目录调整.xls")).unwrap();
    std::fs::write(dir.path().join("a.xls"), &xls[..5600.min(xls.len())]).unwrap();
    let d = dir.path().to_str().unwrap();
    for args in [vec!["inspect", d], vec!["audit", d, "--fail-on", "never"]] {
        let out = run(&args, None);
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert!(!all.contains("panicked"), "{args:?}: {all}");
        assert!(all.contains("a.xls"), "{args:?}: {all}");
    }
}

/// A diagnostic whose label lies past column 65,535 is rendered plainly
/// (the graphical renderer cannot), not as a crash.
#[test]
fn a_diagnostic_far_along_a_line_is_rendered() {
    let dir = common::policy_folder(&format!(
        "policy p {{ title \"t\" }}\nrule X001 a {{\n  severity info\n  cite gangnan-2017 \"四、(六)\"\n  for s in staff\n  require{}nosuch\n}}\n",
        " ".repeat(70_000)
    ));
    let out = run(&["check-policy", dir.path().to_str().unwrap()], None);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("yimen::unknown-name") && !err.contains("panicked"),
        "{err}"
    );
}

/// `generate` refuses counts it cannot make an export of (was a panic on 0).
#[test]
fn generate_refuses_impossible_counts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("x");
    let d = d.to_str().unwrap();
    for bad in ["0", "100000000"] {
        let out = run(&["generate", d, "--items-per-dept", bad], None);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
    // `--depts` takes a real catalogue's departments: without one it was
    // silently ignored.
    let out = run(&["generate", d, "--depts", "5"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--real-catalogue"),
        "{}",
        stderr(&out)
    );
    // A file where the folder goes is named as such (not `File exists`).
    let file = write_in(dir.path(), "afile", "x");
    let out = run(&["generate", &file, "--cases", "10"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("已有同名的文件, 不是文件夹"),
        "{}",
        stderr(&out)
    );
}

/// A configuration file that never ends (`/dev/zero`) or is a folder is an
/// error in plain words, not an endless read.
#[test]
fn configuration_files_are_bounded() {
    let dir = catalogue_only();
    let d = dir.path().to_str().unwrap();
    let tmp = std::env::temp_dir();
    let tmp = tmp.to_str().unwrap();
    for (flag, file) in [
        ("--params", "/dev/zero"),
        ("--map", "/dev/zero"),
        ("--calendar", "/dev/zero"),
        ("--waivers", "/dev/zero"),
        ("--params", tmp),
    ] {
        let out = run(&["audit", d, flag, file], None);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{flag} {file}: {err}");
        assert!(
            err.contains("不是配置或规则文件") || err.contains("是文件夹"),
            "{flag} {file}: {err}"
        );
    }
    // A baseline is a previous report, read as it streams, without the
    // limit: an endless file fails at its first byte, a folder is refused.
    for file in ["/dev/zero", tmp] {
        let out = run(&["audit", d, "--baseline", file], None);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains("不是 JSON") || err.contains("是文件夹"),
            "{file}: {err}"
        );
    }
}

/// `--as-of` is a date of 1900-2100 (chrono alone would take `+10000-01-01`).
#[test]
fn the_audit_date_is_a_plausible_date() {
    let dir = export();
    let d = dir.path().to_str().unwrap();
    for bad in ["+10000-01-01", "1899-12-31", "2101-01-01", "2024-02-30"] {
        let out = run(&["audit", d, "--as-of", bad], None);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(stderr(&out).contains("--as-of"), "{bad}: {}", stderr(&out));
    }
}

/// Errors in configuration files speak of YAML, not of Rust types.
#[test]
fn configuration_errors_name_no_rust_types() {
    let dir = export();
    let d = dir.path().to_str().unwrap();
    let cfg = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| write_in(cfg.path(), name, text);
    let map = write("m.yaml", "42\n");
    let params = write("p.yaml", "filing_limit: -99999999999999999999\n");
    for (flag, file) in [("--map", &map), ("--params", &params)] {
        let out = run(&["audit", d, flag, file], None);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        for rust in ["struct ", "i128", "u32", "RawMapping"] {
            assert!(!err.contains(rust), "{flag}: {err}");
        }
    }
    // serde's words in Chinese, the place too (a file's `header_row: -1`
    // said `invalid value: integer \`-1\`, expected u32`).
    let map = write(
        "m2.yaml",
        "files:\n  \"*.csv\": {dataset: cases, header_row: -1}\n",
    );
    let out = run(&["audit", d, "--map", &map], None);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("值无效: 整数 `-1`, 应为 非负整数"), "{err}");
    let map = write("m3.yaml", "datasets:\n  catalogue:\n    header: {}\n");
    let err = stderr(&run(&["audit", d, "--map", &map], None));
    assert!(
        err.contains("未知的字段 `header`, 应为 `headers` 或 `values` (第 3 行第 5 列)"),
        "{err}"
    );
    assert!(
        !err.contains("expected") && !err.contains("at line"),
        "{err}"
    );
}

/// A `--params` file: empty or comments only sets nothing (a regional
/// template); an unknown name or a bad value names the file and the line.
#[test]
fn a_params_file_names_its_line_and_may_be_empty() {
    let dir = catalogue_only();
    let d = dir.path().to_str().unwrap();
    let cfg = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| write_in(cfg.path(), name, text);
    for text in ["", "# 本地参数, 暂无调整\n", "params:\n"] {
        let p = write("empty.yaml", text);
        let out = run(&["audit", d, "--params", &p, "--fail-on", "never"], None);
        assert_eq!(out.status.code(), Some(0), "{text:?}: {}", stderr(&out));
    }
    let p = write("bad.yaml", "# 地区参数\nage_limit: 50\nage_limt: 55\n");
    let out = run(&["audit", d, "--params", &p], None);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad.yaml") && err.contains("第 3 行") && err.contains("age_limit"),
        "{err}"
    );
    let p = write("type.yaml", "params:\n  filing_limit: 十天\n");
    let out = run(&["audit", d, "--params", &p], None);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("type.yaml") && err.contains("第 2 行"),
        "{err}"
    );
    // Every error of the file at once, each at its line (it took a run each).
    let p = write(
        "several.yaml",
        "age_limt: 55\nfiling_limit: 十天\nsenior_age_limit: 50\ncentre_channel: [中心窗口]\ncentre_channels: [大厅]\n",
    );
    let out = run(&["audit", d, "--params", &p], None);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for line in [
        "第 1 行: 未知参数 `age_limt`",
        "第 2 行: 参数 `filing_limit`",
        "第 4 行: 未知参数 `centre_channel`",
        "第 5 行: 参数 `centre_channels` 的值 \"大厅\" 不是 cases.channel 的取值",
    ] {
        // Each on its own line, written as an error.
        let shown = err.lines().find(|l| l.contains(line));
        assert!(
            shown.is_some_and(|l| l.starts_with("错误: 参数文件 ")),
            "{line}: {err}"
        );
    }
    assert!(!err.contains("第 3 行"), "{err}");
    // A name written twice is one more error, not the only one (it hid
    // every other).
    let p = write(
        "twice.yaml",
        "age_limt: 40\nfiling_limit: 5\nsenior_age_limit: abc\nfiling_limit: 6\n",
    );
    let err = stderr(&run(&["audit", d, "--params", &p], None));
    for line in [
        "键 filing_limit 重复出现(第 4 行)",
        "第 1 行: 未知参数 `age_limt`",
        "第 3 行: 参数 `senior_age_limit` 应为 int",
    ] {
        assert!(err.contains(line), "{line}: {err}");
    }
}

/// A parameter compared with an enum field takes only the field's labels: a
/// misspelt kind or channel would silently never match (E001 and M01 off
/// for that kind). The error names the value, the labels and the closest.
#[test]
fn a_parameter_value_an_enum_field_never_holds_is_refused() {
    let dir = catalogue_only();
    let d = dir.path().to_str().unwrap();
    for (param, needle) in [
        (
            "in_scope_kinds=[行政许可, 公关服务]",
            "\"公关服务\" 不是 catalogue.kind 的取值",
        ),
        (
            "centre_channels=[中心窗口,窗口X]",
            "\"窗口X\" 不是 cases.channel 的取值",
        ),
        ("lead_for={基建项目: 发改局}", "是否想写 基建?"),
    ] {
        let out = run(&["audit", d, "--param", param], None);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{param}: {err}");
        assert!(err.contains(needle), "{param}: {err}");
    }
    let out = run(
        &[
            "audit",
            d,
            "--param",
            "centre_channels=[中心窗口, 综合窗口, 自助终端]",
            "--fail-on",
            "never",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Negating the least 64-bit integer overflows as `+`, `-` and `*` do:
/// undetermined, noted as an overflow, never a wrapped value that decides.
#[test]
fn negating_the_least_integer_is_an_overflow_not_a_wrap() {
    let policies = common::policy_folder(
        "policy p { title \"t\" }\n\
         rule X001 a {\n  severity info\n  cite gangnan-2017 \"四、(六)\"\n  for s in staff\n  \
         let x = year(s.start_date) - 2024 - 9223372036854775807 - 1\n  \
         require -x < 0\n}\n",
    );
    let policies = policies.path().to_path_buf();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("窗口人员.csv"),
        "工号,姓名,派驻单位,进驻日期\nS1,张三,民政局,2024-03-01\n",
    )
    .unwrap();
    for engine in [None, Some("reference")] {
        let json = common::audit_json(engine, dir.path(), std::slice::from_ref(&policies));
        assert!(json["findings"].as_array().unwrap().is_empty(), "{json}");
        let undetermined = json["undetermined"].as_array().unwrap();
        assert_eq!(undetermined.len(), 1, "{json}");
        assert_eq!(
            undetermined[0]["missing"],
            serde_json::json!(["(计算溢出)"])
        );
    }
}

/// `--output` naming a data file of the folder read (the case log) is
/// refused before any work, the export left as it was: the report replaced
/// it, and the next audit had no cases. Through a symbolic link too. A new
/// report in the folder, or a file there that is no data (an earlier
/// report), may be written.
#[test]
fn an_output_that_would_replace_an_export_is_refused() {
    let dir = catalogue_only();
    let d = dir.path().to_str().unwrap();
    let catalogue = dir.path().join("事项目录.csv");
    let before = std::fs::read(&catalogue).unwrap();
    let link = tempfile::tempdir().unwrap();
    let linked = link.path().join("out.csv");
    std::os::unix::fs::symlink(&catalogue, &linked).unwrap();
    for (command, output) in [
        ("audit", catalogue.to_str().unwrap()),
        ("audit", linked.to_str().unwrap()),
        ("report", catalogue.to_str().unwrap()),
    ] {
        let out = run(
            &[command, d, "--as-of", "2025-12-31", "--output", output],
            None,
        );
        assert_eq!(
            out.status.code(),
            Some(2),
            "{command} {output}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("这是被读取的数据文件"),
            "{}",
            stderr(&out)
        );
        assert_eq!(std::fs::read(&catalogue).unwrap(), before);
    }
    let notes = write_in(dir.path(), "说明.md", "备注");
    // A report written into the folder is skipped by the next audit as
    // holding no dataset, and may be written again (it was refused as a
    // data file on the second run).
    for (output, format) in [
        (dir.path().join("审计.json"), "json"),
        (dir.path().join("审计.txt"), "text"),
        (dir.path().join("审计.csv"), "csv"),
        (std::path::PathBuf::from(&notes), "text"),
    ] {
        for _ in 0..2 {
            let out = run(
                &[
                    "audit",
                    d,
                    "--as-of",
                    "2025-12-31",
                    "--fail-on",
                    "never",
                    "--format",
                    format,
                    "--output",
                    output.to_str().unwrap(),
                ],
                None,
            );
            assert_eq!(out.status.code(), Some(0), "{output:?}: {}", stderr(&out));
        }
    }
    // `report --compare PREV`: an output among PREV's data files is refused
    // before either folder is read (the current folder's notes file, which
    // its reading lists as skipped, is not listed).
    let prev = catalogue_only();
    let prev_catalogue = prev.path().join("事项目录.csv");
    let prev_before = std::fs::read(&prev_catalogue).unwrap();
    let out = run(
        &[
            "report",
            d,
            "--compare",
            prev.path().to_str().unwrap(),
            "--as-of",
            "2025-12-31",
            "--output",
            prev_catalogue.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("上期 无法写入") && stderr(&out).contains("这是被读取的数据文件"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("已跳过"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&prev_catalogue).unwrap(), prev_before);
    // A file of the folder that cannot be read is not replaced either.
    let broken = write_in(dir.path(), "办件.xlsx", "not a workbook");
    let out = common::audit_command(None, dir.path(), &[])
        .args(["--output", broken.as_str()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // (Named as what it is: not read.)
    assert!(
        stderr(&out).contains("这是无法读取的数据文件"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&broken).unwrap(), b"not a workbook");
    // `yimen diff OLD NEW` given files: the output cannot be one of them.
    let old = tempfile::tempdir().unwrap();
    let old_catalogue = old.path().join("事项目录.csv");
    std::fs::write(&old_catalogue, &before).unwrap();
    let out = run(
        &[
            "diff",
            old_catalogue.to_str().unwrap(),
            catalogue.to_str().unwrap(),
            "--as-of",
            "2025-12-31",
            "--output",
            catalogue.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("报告会覆盖它"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&catalogue).unwrap(), before);
}

/// `--param` scalars in the forms YAML gives them: `True`/`FALSE` for a
/// bool, a text or a date in single or double quotes (read as written
/// since `--param` stopped going through YAML for scalars, they were
/// refused or kept their quotes).
#[test]
fn a_scalar_parameter_takes_yaml_forms() {
    let policies = common::policy_folder(
        "policy p { title \"t\" }\n\
         param 开关: bool = false\n\
         param 名称: string = \"无\"\n\
         param 起始: date = 2020-01-01\n\
         rule X001 a {\n  severity info\n  cite gangnan-2017 \"四、(六)\"\n  for s in staff\n  \
         require not 开关 or s.start_date < 起始\n  \
         message \"{名称} {起始}\"\n}\n",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("窗口人员.csv"),
        "工号,姓名,派驻单位,进驻日期\nS1,张三,民政局,2024-03-01\n",
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let p = policies.path().to_str().unwrap();
    let policy = [policies.path().to_path_buf()];
    for (flag, name, since) in [
        ("开关=True", "名称='甲 乙'", "起始='2024-01-01'"),
        ("开关=TRUE", "名称=\"甲 乙\"", "起始=\"2024-01-01\""),
        ("开关=true", "名称=甲 乙", "起始=2024-01-01"),
    ] {
        let json = serde_json::from_slice::<serde_json::Value>(&common::audit_bytes(
            None,
            dir.path(),
            &policy,
            &["--param", flag, "--param", name, "--param", since],
        ))
        .unwrap();
        assert_eq!(
            json["findings"][0]["message"], "甲 乙 2024-01-01",
            "{flag} {name} {since}: {json}"
        );
    }
    let out = run(&["audit", d, "--policy", p, "--param", "开关=Yes"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// Without `--as-of` the audit date is today in Beijing time, whatever the
/// machine's time zone: a CI runner keeping UTC (or any zone) judged
/// unfinished work a day early before 08:00 in Beijing.
#[test]
fn the_default_audit_date_is_today_in_beijing() {
    let dir = catalogue_only();
    let beijing = || (chrono::Utc::now() + chrono::TimeDelta::hours(8)).date_naive();
    for tz in ["Etc/GMT+12", "Etc/GMT-14", "UTC"] {
        let before = beijing();
        let out = common::yimen(None)
            .env("TZ", tz)
            .args(["audit", dir.path().to_str().unwrap(), "--format", "json"])
            .args(["--fail-on", "never"])
            .output()
            .unwrap();
        let after = beijing();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let as_of = json["as_of"].as_str().unwrap().to_string();
        assert!(
            [before.to_string(), after.to_string()].contains(&as_of),
            "TZ={tz}: {as_of}, Beijing {before}"
        );
    }
}

/// `generate` into a folder holding an earlier export in the other form
/// (`--plain` CSV, then mixed formats) is refused before anything is
/// written, naming the files: both exports were read together (C002 on
/// every item, duplicate cases). Regenerating the same form in place
/// works, and says which files it wrote.
#[test]
fn generate_refuses_a_folder_with_other_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("ex");
    let d = d.to_str().unwrap();
    let plain = ["generate", d, "--cases", "10", "--plain"];
    for _ in 0..2 {
        let out = run(&plain, None);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let before: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let out = run(&["generate", d, "--cases", "10"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("事项目录.csv"), "{}", stderr(&out));
    let after: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before.len(), after.len(), "nothing written");
    // Every file the run says it wrote is one it planned (the check's list).
    let out = run(&plain, None);
    let said = stderr(&out);
    for name in ["事项目录.csv", "进驻单位.csv", "cases.csv", "收费记录.csv"] {
        assert!(said.contains(name), "{said}");
    }
    assert_eq!(after.len(), 7);
    // What the audit would skip does not stand in the way: an Office lock
    // file, a file in a hidden folder, an empty file.
    let other = dir.path().join("other");
    std::fs::create_dir_all(other.join(".git")).unwrap();
    std::fs::write(other.join("~$事项目录.xlsx"), "lock").unwrap();
    std::fs::write(other.join(".git").join("cases.csv"), "a,b\n1,2\n").unwrap();
    std::fs::write(other.join("旧导出.csv"), "").unwrap();
    let o = other.to_str().unwrap();
    let out = run(&["generate", o, "--cases", "10"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let audit = run(
        &["audit", o, "--as-of", "2025-12-31", "--fail-on", "never"],
        None,
    );
    assert_eq!(audit.status.code(), Some(0), "{}", stderr(&audit));
    // A data file the audit would read is still refused.
    std::fs::write(other.join("旧导出.csv"), "办件编号\nX1\n").unwrap();
    let out = run(&["generate", o, "--cases", "10"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("旧导出.csv"), "{}", stderr(&out));
}

/// A rule that looks cases up (a region's fee rule finding each fee's
/// case) makes the audit hold the case log whole instead of streaming it:
/// said on stderr, naming the rule, since memory then grows with the
/// number of cases. The shipped policies stream and say nothing of it.
#[test]
fn holding_a_streamed_dataset_whole_is_said() {
    let policies = common::policy_folder(
        "policy p { title \"t\" }\n\
         rule X001 fee-of-a-refused-case {\n  severity info\n  cite gangnan-2017 \"四、(六)\"\n  \
         for fee in fees\n  let c = cases[fee.case_id]\n  \
         require c is none or c.result != \"不予\"\n}\n",
    );
    let dir = catalogue_only();
    let out = common::audit_command(None, dir.path(), &[policies.path().to_path_buf()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("X001 查找 cases 的记录") && stderr(&out).contains("整个读入内存"),
        "{}",
        stderr(&out)
    );
    // Once per command: `report --compare` audits two folders.
    let out = common::yimen(None)
        .args(["report"])
        .arg(dir.path())
        .arg("--compare")
        .arg(dir.path())
        .args(["--as-of", "2025-12-31", "--policy"])
        .arg(policies.path())
        .output()
        .unwrap();
    assert_eq!(
        stderr(&out).matches("整个读入内存").count(),
        1,
        "{}",
        stderr(&out)
    );
    let out = common::audit_command(None, dir.path(), &[])
        .output()
        .unwrap();
    assert!(!stderr(&out).contains("整个读入内存"), "{}", stderr(&out));
}

/// A file reached under a second name (a symbolic link beside it, a hard
/// link in a subfolder) is read once, the other names listed as skipped
/// with the first: the case log was read twice, every case a repeated
/// key and every count and rate doubled.
#[test]
fn a_file_linked_under_another_name_is_read_once() {
    let dir = export();
    let d = dir.path().to_str().unwrap();
    // (The fixture's unreadable workbook makes the audit exit 2: its JSON
    // is read all the same.)
    let audit = || -> serde_json::Value {
        let out = common::audit_command(None, dir.path(), &[])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let before = audit();
    let cases = dir.path().join("办件记录.csv");
    std::os::unix::fs::symlink(&cases, dir.path().join("办件记录_副本.csv")).unwrap();
    std::fs::create_dir(dir.path().join("备份")).unwrap();
    std::fs::hard_link(&cases, dir.path().join("备份/办件.csv")).unwrap();
    let after = audit();
    assert_eq!(after["summary"]["records"], before["summary"]["records"]);
    assert_eq!(after["data_errors"], before["data_errors"]);
    assert_eq!(after["findings"], before["findings"]);
    let out = run(&["inspect", d, "--format", "json"], None);
    let inspect: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    common::assert_contract("inspect.schema.json", &inspect);
    let skipped: Vec<(String, String)> = inspect["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_owned(),
                s["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // (The walk is in path order: the first name is read, and the
    // findings' evidence names it as before.)
    for name in ["办件记录_副本.csv", "备份/办件.csv"] {
        assert!(
            skipped.contains(&(
                name.to_owned(),
                "与 办件记录.csv 是同一个文件(链接), 只读取一次".to_owned()
            )),
            "{skipped:?}"
        );
    }
    // The hard link is the log: an --output naming it is refused, as the
    // log's own name is (it was written over, the name being skipped).
    let link = dir.path().join("备份/办件.csv");
    let before = std::fs::read(&link).unwrap();
    let out = run(
        &[
            "audit",
            d,
            "--as-of",
            "2025-12-31",
            "--output",
            link.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("报告会覆盖它"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&link).unwrap(), before);
}

/// A link whose name sorts first but reads as no dataset (its header below
/// the rows looked at, which the mapping settles for the file's own name)
/// claims nothing: the file's own name reads it (the log was skipped under
/// both names, the audit exiting 0 without its finding).
#[test]
fn a_link_read_as_no_dataset_leaves_the_file_to_its_own_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("事项目录.csv"),
        "事项编码,事项名称,是否进驻中心,承诺办结时限\nA1,事项一,是,10\n",
    )
    .unwrap();
    let mut log = "说明\n".repeat(36);
    log.push_str(
        "办件编号,事项编码,受理部门,受理渠道,受理时间\nC1,A1,区民政局,原单位,2025-03-03 09:00\n",
    );
    std::fs::write(dir.path().join("办件记录.csv"), log).unwrap();
    std::os::unix::fs::symlink(dir.path().join("办件记录.csv"), dir.path().join("a.csv")).unwrap();
    let map_dir = tempfile::tempdir().unwrap();
    let map = write_in(
        map_dir.path(),
        "map.yaml",
        "files:\n  \"办件记录.csv\": { header_row: 37 }\n",
    );
    let d = dir.path().to_str().unwrap();
    let out = run(
        &[
            "audit",
            d,
            "--map",
            &map,
            "--as-of",
            "2025-12-31",
            "--format",
            "json",
        ],
        None,
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{json}");
    assert_eq!(json["summary"]["records"]["cases"], 1, "{json}");
    assert_eq!(
        common::with_code(&json, "findings", "H001").len(),
        1,
        "{json}"
    );
}
