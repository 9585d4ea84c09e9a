//! `yimen check-policy` and `yimen fmt` through the binary.

mod common;

use std::process::Command;

fn yimen(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .args(args)
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn shipped_policies_check_with_exit_0() {
    let (code, _, err) = yimen(&["check-policy", "policies"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("31 条规则"), "{err}");
}

/// Policies named twice (`@builtin` and the shipped folder; a folder as
/// `policies` and `./policies/`, and one of its files) are loaded once: every
/// code of them was reported as used twice, "first" in the same file.
#[test]
fn policies_named_twice_load_once() {
    for args in [
        &["check-policy", "@builtin", "policies"][..],
        &[
            "check-policy",
            "policies",
            "./policies/",
            "policies/handling.yimen",
        ],
    ] {
        let (code, _, err) = yimen(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(err.contains("31 条规则"), "{args:?}: {err}");
    }
}

#[test]
fn a_near_miss_field_name_gives_exit_2_and_did_you_mean_at_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::root().join("policies/entry.yimen")).unwrap();
    let broken = text.replacen("item.in_center", "item.in_centre", 1);
    let line = broken
        .lines()
        .position(|l| l.contains("in_centre"))
        .unwrap()
        + 1;
    std::fs::write(dir.path().join("entry.yimen"), broken).unwrap();
    std::fs::copy(
        common::root().join("policies/params.yimen"),
        dir.path().join("params.yimen"),
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, _, err) = yimen(&["check-policy", d]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `in_center`?"), "{err}");
    assert!(err.contains(&format!("entry.yimen:{line}:")), "{err}");
    let (code, out, _) = yimen(&["check-policy", "--error-format", "json", d]);
    assert_eq!(code, 2);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let e = &json["errors"][0];
    assert_eq!(e["code"], "yimen::unknown-field");
    assert_eq!(e["line"], line);
    assert_eq!(e["help"], "did you mean `in_center`?");
}

#[test]
fn broken_syntax_gives_exit_2_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.yimen");
    std::fs::write(
        &p,
        "policy x {}\nrule H001 a-b {\n  severity error\n  require (1 <\n}\n",
    )
    .unwrap();
    let (code, _, err) = yimen(&["check-policy", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("x.yimen:5:1"), "{err}");
    assert!(err.contains("yimen::syntax"), "{err}");
}

#[test]
fn a_missing_file_is_an_io_error_with_exit_2() {
    let (code, out, _) = yimen(&[
        "check-policy",
        "--error-format",
        "json",
        "no/such/file.yimen",
    ]);
    assert_eq!(code, 2);
    assert!(out.contains("yimen::io"), "{out}");
}

#[test]
fn fmt_check_reports_and_fmt_writes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.yimen");
    std::fs::write(&p, "policy x {  title \"t\" }\n// kept\nparam a:int=1\n").unwrap();
    let ps = p.to_str().unwrap();
    let (code, out, _) = yimen(&["fmt", "--check", ps]);
    assert_eq!(code, 1, "{out}");
    let (code, _, _) = yimen(&["fmt", ps]);
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "policy x {\n  title \"t\"\n}\n\n// kept\nparam a: int = 1\n"
    );
    let (code, _, _) = yimen(&["fmt", "--check", ps]);
    assert_eq!(code, 0);
}

/// Old Mac line breaks (a lone `\r`) end a comment as the grammar reads
/// them: the file formats as its `\n` twin does, comments kept, instead of
/// being refused as a formatter bug.
#[test]
fn fmt_reads_a_lone_carriage_return_as_a_line_break() {
    let dir = tempfile::tempdir().unwrap();
    let text = "policy x {  title \"t\" }\n// kept\nrule X001 r {\n  severity error // why\n  cite gangnan-2017 \"四、(六)\"\n  for c in cases\n  require c.id is not empty\n}\n";
    let (cr, lf) = (dir.path().join("cr.yimen"), dir.path().join("lf.yimen"));
    std::fs::write(&cr, text.replace('\n', "\r")).unwrap();
    std::fs::write(&lf, text).unwrap();
    for p in [&cr, &lf] {
        let (code, out, err) = yimen(&["fmt", p.to_str().unwrap()]);
        assert_eq!(code, 0, "{out}{err}");
    }
    let formatted = std::fs::read_to_string(&lf).unwrap();
    assert!(
        formatted.contains("// kept") && formatted.contains("// why"),
        "{formatted}"
    );
    assert_eq!(std::fs::read_to_string(&cr).unwrap(), formatted);
}

#[test]
fn fmt_refuses_a_file_that_does_not_parse_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.yimen");
    std::fs::write(&p, "policy x {\nrule\n").unwrap();
    let (code, _, err) = yimen(&["fmt", p.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "policy x {\nrule\n");
}

#[test]
fn explain_prints_the_rule_its_parameters_and_every_cited_clause() {
    let (code, out, err) = yimen(&["explain", "H002"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("H002 dual-track"));
    assert!(out.contains("group by case.dept, case.item_code"));
    assert!(out.contains("centre_channels = [中心窗口, 综合窗口]"));
    for (clause, text) in [
        (
            "gangnan-2017 四、(六)",
            "凡属在区政务服务中心办理的业务,一律不得在原单位办理",
        ),
        ("sandu-2018 四、(一)", "明进暗不进"),
        ("sandu-2018 七、(八)", "事进权不进"),
    ] {
        assert!(out.contains(clause), "{clause} missing");
        assert!(out.contains(text), "{text} missing");
    }
    let (code, _, err) = yimen(&["explain", "H020"]);
    assert_eq!(code, 2);
    assert!(err.contains("是否要查 H002"), "{err}");
    // By the rule's name, as JSON's `rule` field gives it; a misspelt name
    // gets the name it is closest to.
    let (code, out, err) = yimen(&["explain", "dual-track"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("H002 dual-track"), "{out}");
    let (code, _, err) = yimen(&["explain", "dual-trak"]);
    assert_eq!(code, 2);
    assert!(err.contains("是否要查 dual-track"), "{err}");
    // The start of a name is close to it (`on-time` is `on-time-rate`'s).
    let (code, _, err) = yimen(&["explain", "on-time"]);
    assert_eq!(code, 2);
    assert!(err.contains("是否要查 on-time-rate"), "{err}");
    // Case aside: a parameter written in capitals.
    let (code, _, err) = yimen(&["audit", "no-such-dir", "--param", "AGE_LIMIT=44"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `age_limit`"), "{err}");
    // A metric: no severity, and it says which records it counts.
    let (code, out, err) = yimen(&["explain", "M04"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("考评指标") && !out.contains("严重程度"),
        "{out}"
    );
    assert!(
        out.contains("考评期内的全部办件记录") && out.contains("依据文件的施行日期不用于筛选"),
        "{out}"
    );
    // A metric of a policy with its own `effective` date says it counts
    // records from then on, without contradicting itself.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.yimen");
    std::fs::write(
        &p,
        "policy m {\n  title \"t\"\n  effective 2025-02-01\n}\n\n\
         metric M91 finished-rate {\n  title \"办结率\"\n  cite gangnan-2017 \"四、(六)\"\n  \
         for case in cases\n  ratio case.finished_at is not none\n}\n",
    )
    .unwrap();
    let (code, out, err) = yimen(&["explain", "M91", "--policy", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("考评期内其政策生效后的办件记录")
            && out.contains("适用于 accepted_at 在 2025-02-01 及以后")
            && !out.contains("全部"),
        "{out}"
    );
}

/// A region adds its rules to the shipped ones (`--policy @builtin`), using
/// their parameters and `fires(…)`, and cites its own document from a
/// `sources/` folder beside its policies; without the folder the citation
/// is an unknown source, and a registry error names the folder.
#[test]
fn a_region_adds_rules_citing_its_own_document() {
    let dir = tempfile::tempdir().unwrap();
    let region = dir.path().join("本地规则");
    std::fs::create_dir_all(region.join("sources")).unwrap();
    std::fs::write(
        region.join("sources/myxian-2025.yaml"),
        "id: myxian-2025\ntitle: \"某县政务服务中心管理办法\"\nissuer: \"某县人民政府\"\nnumber: null\nissued: 2025-01-01\nin_force: 2025-01-01\nseed: null\nnote: \"test\"\nclauses:\n  - id: \"一、\"\n    text: \"超期办件须说明理由。\"\n",
    )
    .unwrap();
    std::fs::write(
        region.join("r.yimen"),
        r#"policy myxian {
  title "某县补充规则"
}

/// 超期且办理结果为不予的办件。
rule Q001 overdue-refusal {
  severity warning
  cite myxian-2025 "一、"
  for case in cases
  when case.result == "不予"
  require not fires(H003)
}
"#,
    )
    .unwrap();
    std::fs::write(
        region.join("s.yimen"),
        "policy myxian2 {\n  title \"某县补充规则二\"\n}\n",
    )
    .unwrap();
    let r = region.to_str().unwrap();
    let (code, _, err) = yimen(&["check-policy", "@builtin", r]);
    assert_eq!(code, 0, "{err}");
    // Its files one by one, or the folder twice: its sources/ read once.
    let (a, b) = (region.join("r.yimen"), region.join("s.yimen"));
    let (code, _, err) = yimen(&[
        "check-policy",
        "@builtin",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        r,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = yimen(&["explain", "Q001", "--policy", "@builtin", "--policy", r]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("超期办件须说明理由"), "{out}");
    // Without the shipped policies, fires(H003) has nothing to ask.
    let (code, _, err) = yimen(&["check-policy", r]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("H003"), "{err}");
    // Without its sources/ folder, the document is unknown.
    std::fs::remove_dir_all(region.join("sources")).unwrap();
    let (code, _, err) = yimen(&["check-policy", "@builtin", r]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("myxian-2025"), "{err}");
}

/// Chinese identifiers work everywhere: a rule named in Chinese, citing a
/// local document whose id is Chinese, is checked, explained and audited
/// (the finding names the rule and the document as written).
#[test]
fn a_rule_and_a_document_may_be_named_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let region = dir.path().join("本县");
    std::fs::create_dir_all(region.join("sources")).unwrap();
    std::fs::write(
        region.join("sources/本县-2025.yaml"),
        "id: 本县-2025\ntitle: \"本县政务服务管理规定\"\nissuer: \"本县人民政府\"\nnumber: null\nissued: 2025-01-01\nin_force: 2025-01-01\nseed: null\nnote: \"test\"\nclauses:\n  - id: \"一、\"\n    text: \"进驻事项一律在中心受理。\"\n",
    )
    .unwrap();
    std::fs::write(
        region.join("r.yimen"),
        "policy 本县 {\n  title \"本县补充规则\"\n}\n\n\
         rule Z001 体外循环 {\n  severity error\n  cite 本县-2025 \"一、\"\n  for 办件 in cases\n  \
         require 办件.channel != \"原单位\"\n}\n",
    )
    .unwrap();
    let r = region.to_str().unwrap();
    let (code, _, err) = yimen(&["check-policy", r]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = yimen(&["explain", "Z001", "--policy", r]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("体外循环") && out.contains("进驻事项一律在中心受理"),
        "{out}"
    );
    let export = dir.path().join("export");
    std::fs::create_dir_all(&export).unwrap();
    std::fs::write(
        export.join("办件.csv"),
        "办件编号,事项编码,受理部门,受理渠道,受理时间\nC1,A1,民政局,原单位,2025-03-03 09:00:00\nC2,A1,民政局,中心窗口,2025-03-03 10:00:00\n",
    )
    .unwrap();
    let json = common::audit_json(None, &export, std::slice::from_ref(&region));
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json}");
    assert_eq!(findings[0]["rule"], "体外循环");
    assert_eq!(findings[0]["key"], serde_json::json!(["C1"]));
    assert_eq!(findings[0]["cite"][0]["policy"], "本县-2025", "{json}");
}

/// An author who writes what the export shows (a dataset's Chinese title,
/// a column header), a type name of another language, full-width signs, or
/// a code without its zeros, is told what yimen calls it.
#[test]
fn names_from_the_export_other_languages_and_full_width_signs_get_a_did_you_mean() {
    let dir = tempfile::tempdir().unwrap();
    let names = dir.path().join("names.yimen");
    std::fs::write(
        &names,
        "policy p {\n  title \"t\"\n}\n\nparam limit: integer = 3\n\n\
         rule X001 chinese-names {\n  severity error\n  cite gangnan-2017 \"四、(六)\"\n  \
         for c in 办件记录\n  require c.dept == \"a\"\n}\n\n\
         rule X002 header-names {\n  severity error\n  cite gangnan-2017 \"四、(六)\"\n  \
         for c in cases\n  require c.受理时间 is empty\n}\n",
    )
    .unwrap();
    let (code, out, _) = yimen(&[
        "check-policy",
        "--error-format",
        "json",
        "@builtin",
        names.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let helps: Vec<&str> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["help"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(helps.len(), 3, "{helps:?}");
    assert_eq!(helps[0], "did you mean `int`?");
    assert!(helps[1].ends_with("did you mean `cases`?"), "{helps:?}");
    assert!(
        helps[2].ends_with("did you mean `accepted_at`?"),
        "{helps:?}"
    );

    let wide = dir.path().join("wide.yimen");
    std::fs::write(
        &wide,
        "policy p {\n  title \"t\"\n}\n\nrule X003 wide {\n  severity error\n  \
         cite gangnan-2017 \"四、(六)\"\n  for c in cases\n  require c.suspended_days ＞＝ 0\n}\n",
    )
    .unwrap();
    let (code, _, err) = yimen(&["check-policy", "@builtin", wide.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("write it half-width, `>=`"), "{err}");

    let (code, _, err) = yimen(&["explain", "h3"]);
    assert_eq!(code, 2);
    assert!(err.contains("是否要查 H003?"), "{err}");
}

/// Every broken document of a `sources/` folder is reported, each in its
/// file at the line at fault (a mistyped key, a date that is none), with
/// the format as help; exit 2.
#[test]
fn every_broken_source_document_is_shown_where_it_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let region = dir.path().join("本地规则");
    std::fs::create_dir_all(region.join("sources")).unwrap();
    std::fs::write(
        region.join("sources/a-2024.yaml"),
        "id: a-2024\ntitle: \"甲\"\nissuer: \"县政府\"\nissued: 2024-13-01\nin_force: 2024-02-01\nclauses:\n  - id: \"一、\"\n    text: 进驻\n",
    )
    .unwrap();
    std::fs::write(
        region.join("sources/b-2023.yaml"),
        "id: b-2023\ntitle: \"乙\"\nissuer: \"县政府\"\nissued: 2023-01-01\nin_force: 2023-01-01\nclauses:\n  - id: \"一、\"\n    txt: 进驻\n",
    )
    .unwrap();
    std::fs::write(region.join("r.yimen"), "policy r {\n  title \"补充\"\n}\n").unwrap();
    // One that is not text at all (GBK) hides neither.
    std::fs::write(
        region.join("sources/c-2022.yaml"),
        b"id: c-2022\ntitle: \xff\xd2\n",
    )
    .unwrap();
    let (code, _, err) = yimen(&["check-policy", "@builtin", region.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.matches("yimen::bad-source-file").count(), 3, "{err}");
    assert!(err.contains("不是 UTF-8 编码的文本"), "{err}");
    for shown in [
        "a-2024.yaml:4:9]",
        "issued: 2024-13-01",
        "b-2023.yaml:8:5]",
        "txt: 进驻",
        "named after its id",
    ] {
        assert!(err.contains(shown), "missing {shown:?} in:\n{err}");
    }
}

/// A broken document of a `sources/` folder no longer hides the policies'
/// own errors: a mistyped field is reported beside it, checked against the
/// documents that could be used, while a citation of the broken document
/// itself is not reported again as an unknown source.
#[test]
fn a_broken_source_document_hides_no_policy_error() {
    let dir = tempfile::tempdir().unwrap();
    let region = dir.path().join("本地规则");
    std::fs::create_dir_all(region.join("sources")).unwrap();
    std::fs::write(
        region.join("sources/bad-2025.yaml"),
        "id: bad-2025\ntitle: \"残缺\"\n",
    )
    .unwrap();
    std::fs::write(
        region.join("r.yimen"),
        "policy r {\n  title \"补充\"\n}\n\nrule X101 outside {\n  severity error\n  \
         cite bad-2025 \"一、\"\n  for case in cases\n  require case.chanel != \"原单位\"\n}\n\n\
         rule X102 other {\n  severity error\n  cite gangnan-2017 \"四、(六)\"\n  \
         for case in cases\n  require case.dept is not empty\n}\n",
    )
    .unwrap();
    let (code, _, err) = yimen(&["check-policy", region.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.matches("yimen::bad-source-file").count(), 1, "{err}");
    assert!(err.contains("yimen::unknown-field"), "{err}");
    assert!(err.contains("`channel`"), "{err}");
    assert!(!err.contains("yimen::unknown-source"), "{err}");
}

/// A region's policy checked without the shipped ones that uses their
/// names (a parameter, a rule code in `fires` and in a test) is told to
/// load them with `@builtin`, and checks cleanly beside them.
#[test]
fn shipped_names_without_builtin_say_to_load_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("local.yimen");
    std::fs::write(
        &path,
        "policy l {\n  title \"本地\"\n}\n\nmetric M21 on-time {\n  title \"按时办结率\"\n  for case in cases\n  when case.channel in centre_channels\n  ratio not fires(H003)\n}\n",
    )
    .unwrap();
    let local = path.to_str().unwrap();
    let (code, _, err) = yimen(&["check-policy", local]);
    assert_eq!(code, 2, "{err}");
    for name in ["centre_channels", "H003"] {
        let at = err
            .find(&format!("`{name}` is a"))
            .unwrap_or_else(|| panic!("{err}"));
        assert!(err[at..].contains("@builtin"), "{err}");
    }
    let (code, _, err) = yimen(&["check-policy", "@builtin", local]);
    assert_eq!(code, 0, "{err}");
    // Loaded, a code written as a value is told to be asked with `fires`.
    std::fs::write(&path, "policy l {\n  title \"本地\"\n}\n\nmetric M21 on-time {\n  title \"按时办结率\"\n  for case in cases\n  ratio not H003\n}\n").unwrap();
    let (code, _, err) = yimen(&["check-policy", "@builtin", local]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`fires(H003)`") && !err.contains("not loaded"),
        "{err}"
    );
}

/// A policy saved with a byte order mark (a Windows editor): columns on its
/// first line count from its first character (the mark made `polcy` column
/// 2), and `fmt` rewrites it without the mark (`--check` lists it).
#[test]
fn a_byte_order_mark_moves_no_column_and_fmt_drops_it() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yimen");
    std::fs::write(&bad, "\u{feff}polcy p {\r\n  title \"x\"\r\n}\r\n").unwrap();
    let (code, out, err) = yimen(&[
        "check-policy",
        bad.to_str().unwrap(),
        "--error-format",
        "json",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(out.contains("\"line\":1,\"column\":1,"), "{out}");
    let good = dir.path().join("good.yimen");
    let text = "policy p {\n  title \"x\"\n}\n";
    std::fs::write(&good, format!("\u{feff}{text}")).unwrap();
    let path = good.to_str().unwrap();
    let (code, out, _) = yimen(&["fmt", "--check", path]);
    assert_eq!(code, 1, "{out}");
    let (code, out, err) = yimen(&["fmt", path]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(std::fs::read_to_string(&good).unwrap(), text);
}

/// Configuration files saved with a byte order mark (Windows Notepad's
/// UTF-8) are read as without it: a region's `sources/` document was read
/// as missing its fields (`missing field title`), and a `--params` file's
/// error lost its line.
#[test]
fn configuration_files_with_a_byte_order_mark_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let region = dir.path().join("local");
    std::fs::create_dir_all(region.join("sources")).unwrap();
    std::fs::write(
        region.join("sources/myxian-2025.yaml"),
        "\u{feff}id: myxian-2025\ntitle: \"某县办法\"\nissuer: \"某县人民政府\"\nissued: 2025-01-01\nin_force: 2025-01-01\nclauses:\n  - id: \"一、\"\n    text: \"超期办件须说明理由。\"\n",
    )
    .unwrap();
    std::fs::write(
        region.join("r.yimen"),
        "policy myxian {\n  title \"某县补充规则\"\n}\n\nrule Q001 refusal {\n  severity warning\n  cite myxian-2025 \"一、\"\n  for case in cases\n  require case.result != \"不予\"\n}\n",
    )
    .unwrap();
    let (code, _, err) = yimen(&["check-policy", region.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let export = common::folder(&[(
        "事项目录.csv",
        "事项编码,事项名称,是否进驻中心\nA1,事项一,是\n",
    )]);
    let params = dir.path().join("p.yaml");
    std::fs::write(&params, "\u{feff}age_limt: 50\n").unwrap();
    let (code, _, err) = yimen(&[
        "audit",
        export.path().to_str().unwrap(),
        "--params",
        params.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("第 1 行: 未知参数 `age_limt`"), "{err}");
}

/// A policy saved as GBK (an editor's default) is named as such, with the
/// line its first such byte is on and how to mend it; bytes of no known
/// encoding get the mending alone.
#[test]
fn a_policy_saved_as_gbk_says_so_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let gbk = dir.path().join("gbk.yimen");
    let (text, _, _) = encoding_rs::GBK.encode("policy p {\n  title \"县级规则\"\n}\n");
    std::fs::write(&gbk, &text).unwrap();
    // (As JSON: the rendered message wraps at the terminal's width.)
    let json = ["--error-format", "json"];
    let (code, out, err) = yimen(&[&["check-policy", gbk.to_str().unwrap()][..], &json].concat());
    assert_eq!(code, 2, "{err}");
    assert!(out.contains("不是 UTF-8 编码的文本 (第 2 行起)"), "{out}");
    assert!(
        out.contains("文件像是 GBK 编码: 请在编辑器中以 UTF-8 编码另存"),
        "{out}"
    );
    let other = dir.path().join("other.yimen");
    std::fs::write(&other, b"policy p {\n  title \"\xff\"\n}\n").unwrap();
    let (code, out, err) = yimen(&[&["check-policy", other.to_str().unwrap()][..], &json].concat());
    assert_eq!(code, 2, "{err}");
    assert!(
        out.contains("(第 2 行起); 请在编辑器中以 UTF-8 编码另存"),
        "{out}"
    );
}

/// `explain` of no code asks for one, of a code the shipped policies lack
/// says where a region's rule comes from (`--policy`); `--param =5` is no
/// parameter named "" but a malformed `--param`.
#[test]
fn explain_and_param_name_what_is_missing() {
    let (code, _, err) = yimen(&["explain", ""]);
    assert_eq!(code, 2);
    assert!(err.contains("请给出规则或指标的代码"), "{err}");
    let (code, _, err) = yimen(&["explain", "L001"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("本地策略中的规则请用 --policy 给出其文件夹"),
        "{err}"
    );
    let (code, _, err) = yimen(&[
        "audit",
        "examples/guangan",
        "--as-of",
        "2025-12-31",
        "--param",
        "=5",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("`--param` 应写作 name=value"), "{err}");
}
