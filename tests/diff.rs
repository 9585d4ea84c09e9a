//! `yimen diff`: a catalogue kept in git; a change that withdraws one item
//! without approval and adds one incomplete item is reported as exactly
//! those two items, exit 1; a clean change exits 0; a bad revision exits 2.

mod common;

use std::process::Command;

use common::git_catalogue::{diff, git, item, keys, old_and_new, repo, write_v2, HEADER};

/// Two fields of each data error of a diff's JSON, in order.
fn error_fields(
    json: &serde_json::Value,
    a: &str,
    b: &str,
) -> Vec<(serde_json::Value, serde_json::Value)> {
    json["data_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e[a].clone(), e[b].clone()))
        .collect()
}

#[test]
fn a_withdrawal_without_approval_and_an_incomplete_new_item_are_reported() {
    let tmp = repo();
    let cat = tmp.path().join("catalogue");
    write_v2(&cat);
    git(tmp.path(), &["commit", "-q", "-am", "v2"]);
    let (code, json, err) = diff(tmp.path(), &["--base", "HEAD~1", "catalogue"]);
    assert_eq!(code, 1, "{err}");
    let found = keys(&json);
    let items: std::collections::BTreeSet<&str> = found.iter().map(|(_, k)| k.as_str()).collect();
    assert_eq!(
        items.into_iter().collect::<Vec<_>>(),
        ["A1", "A3"],
        "{found:?}"
    );
    assert!(found.contains(&("D001".into(), "A1".into())), "{found:?}");
    assert!(found.contains(&("D002".into(), "A3".into())), "{found:?}");
    // The change records yimen made are counted here (and only here: an
    // audit's summary lists the datasets of the export).
    assert!(
        json["summary"]["records"]["catalogue_changes"].as_u64() > Some(0),
        "{}",
        json["summary"]
    );
    // Old findings (none here) are not reported again; the same two folders give the same answer.
    let old = tempfile::tempdir().unwrap();
    let text = Command::new("git")
        .arg("-C")
        .arg(tmp.path())
        .args(["show", "HEAD~1:catalogue/事项目录.csv"])
        .output()
        .unwrap()
        .stdout;
    std::fs::write(old.path().join("事项目录.csv"), text).unwrap();
    let (code2, json2, _) = diff(
        tmp.path(),
        &[old.path().to_str().unwrap(), cat.to_str().unwrap()],
    );
    assert_eq!((code2, keys(&json2)), (code, found));
}

#[test]
fn a_clean_change_exits_0_and_a_missing_revision_exits_2() {
    let tmp = repo();
    let cat = tmp.path().join("catalogue");
    let v2 = format!(
        "{HEADER}{}{}",
        item("A1", "行政许可", "是", "", true),
        item("A2", "公共服务", "是", "", true).replace("A2事项", "A2事项(更名)")
    );
    std::fs::write(cat.join("事项目录.csv"), v2).unwrap();
    git(tmp.path(), &["commit", "-q", "-am", "rename"]);
    let (code, json, err) = diff(tmp.path(), &["--base", "HEAD~1", "catalogue"]);
    assert_eq!(code, 0, "{err} {json}");
    assert!(keys(&json).is_empty(), "{json}");
    // A file that holds no dataset, in both versions: listed once for each,
    // the old version's under its name.
    std::fs::write(cat.join("说明.txt"), "目录维护说明\n").unwrap();
    git(tmp.path(), &["add", "."]);
    git(tmp.path(), &["commit", "-q", "-m", "notes"]);
    std::fs::write(cat.join("说明.txt"), "目录维护说明(修订)\n").unwrap();
    let (code, _, err) = diff(tmp.path(), &["--base", "HEAD", "catalogue"]);
    assert_eq!(code, 0, "{err}");
    let listed: Vec<&str> = err.lines().filter(|l| l.contains("说明.txt")).collect();
    assert_eq!(listed.len(), 2, "{err}");
    assert!(listed[0].starts_with("旧版本 已跳过: 说明.txt"), "{err}");
    assert!(listed[1].starts_with("已跳过: 说明.txt"), "{err}");
    let (code, _, err) = diff(tmp.path(), &["--base", "no-such-rev", "catalogue"]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-rev"), "{err}");
}

/// With `--base`, annotations name files from the repository's root, where
/// GitHub looks for them, also when yimen runs in a subfolder; outside a
/// working tree the message says so.
#[test]
fn annotations_name_files_from_the_repository_root() {
    let tmp = repo();
    let cat = tmp.path().join("catalogue");
    write_v2(&cat);
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .current_dir(&cat)
        .args(["diff", "--base", "HEAD", ".", "--as-of", "2025-12-31"])
        .args(["--format", "github"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.lines()
            .filter(|l| l.starts_with("::error"))
            .all(|l| l.contains("file=catalogue/事项目录.csv,")),
        "{text}"
    );
    // The file named bare, from its own folder: named from the root too.
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .current_dir(&cat)
        .args([
            "diff",
            "--base",
            "HEAD",
            "事项目录.csv",
            "--as-of",
            "2025-12-31",
        ])
        .args(["--format", "github"])
        .output()
        .unwrap();
    let bare = String::from_utf8_lossy(&out.stdout);
    assert!(
        bare.lines()
            .filter(|l| l.starts_with("::error"))
            .all(|l| l.contains("file=catalogue/事项目录.csv,")),
        "{bare}"
    );
    assert!(bare.lines().any(|l| l.starts_with("::error")), "{bare}");
    let outside = tempfile::tempdir().unwrap();
    let (code, _, err) = diff(outside.path(), &["--base", "HEAD", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("不在 git 仓库的工作区中"), "{err}");
}

/// A catalogue folder that the base revision did not have (added by the
/// change under review) is all new: the change rules run on every item,
/// with a note, not an error about a folder with nothing in it; a path that
/// does not exist is named in words.
#[test]
fn a_catalogue_added_by_the_change_is_all_new_and_a_missing_path_is_named() {
    let tmp = repo();
    let added = tmp.path().join("catalogue2");
    std::fs::create_dir(&added).unwrap();
    std::fs::write(
        added.join("事项目录.csv"),
        format!(
            "{HEADER}{}{}",
            item("B1", "行政许可", "是", "", true),
            item("B2", "行政许可", "是", "", false)
        ),
    )
    .unwrap();
    git(tmp.path(), &["add", "."]);
    git(tmp.path(), &["commit", "-q", "-m", "second catalogue"]);
    let (code, json, err) = diff(tmp.path(), &["--base", "HEAD~1", "catalogue2"]);
    // (D002 is an error: a new in-centre item needs its 六公开 fields, and
    // the build fails under the default --fail-on error; P001 a warning.)
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("旧版本 (HEAD~1) 中没有这些文件"), "{err}");
    assert!(!err.contains("yimen-diff"), "no temporary path: {err}");
    assert_eq!(
        keys(&json),
        [
            ("D002".to_string(), "B2".to_string()),
            ("P001".to_string(), "B2".to_string())
        ],
        "{json}"
    );
    assert_eq!(json["summary"]["records"]["catalogue_changes"], 2);
    let (code, _, err) = diff(tmp.path(), &["--base", "HEAD", "no-such-folder"]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-folder 不存在"), "{err}");
    let (code, _, err) = diff(tmp.path(), &["no-such-old", "catalogue"]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-old 不存在"), "{err}");
}

/// D002 reports what the change made incomplete: emptying a field of a
/// complete item does, renaming an item whose 六公开 were already incomplete
/// does not (that is P001's, an old finding).
#[test]
fn d002_only_when_the_change_made_the_disclosure_incomplete() {
    let (tmp, old, new) = old_and_new();
    std::fs::write(
        old.join("事项目录.csv"),
        format!(
            "{HEADER}{}{}",
            item("A1", "行政许可", "是", "", true),
            item("A2", "行政许可", "是", "", false)
        ),
    )
    .unwrap();
    std::fs::write(
        new.join("事项目录.csv"),
        format!(
            "{HEADER}{}{}",
            item("A1", "行政许可", "是", "", false),
            item("A2", "行政许可", "是", "", false).replace("A2事项", "A2事项(更名)")
        ),
    )
    .unwrap();
    let (code, json, err) = diff(tmp.path(), &[old.to_str().unwrap(), new.to_str().unwrap()]);
    // (D002 is an error: the change fails the build.)
    assert_eq!(code, 1, "{err}");
    let found = keys(&json);
    assert!(found.contains(&("D002".into(), "A1".into())), "{found:?}");
    assert!(!found.contains(&("D002".into(), "A2".into())), "{found:?}");
}

/// An empty column added to the export changes no item (a value not known
/// in the old file, for want of its column, is not a change to empty); a
/// base revision whose folder holds no data (only `.gitkeep`) makes every
/// item new, as a folder it did not have.
#[test]
fn an_added_empty_column_is_no_change_and_a_base_without_data_is_all_new() {
    let (tmp, old, new) = old_and_new();
    let without_fee = |text: &str| {
        text.lines()
            .map(|l| l.rsplit_once(',').map_or(l, |(a, _)| a).to_string() + "\n")
            .collect::<String>()
    };
    let v1 = format!(
        "{HEADER}{}{}",
        item("A1", "行政许可", "是", "", true),
        item("A2", "公共服务", "是", "", true)
    );
    std::fs::write(old.join("事项目录.csv"), without_fee(&v1)).unwrap();
    std::fs::write(new.join("事项目录.csv"), v1.replace(",不收费\n", ",\n")).unwrap();
    let (code, json, err) = diff(tmp.path(), &[old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        json["summary"]["records"]["catalogue_changes"], 0,
        "{}",
        json["summary"]
    );
    assert!(json["undetermined"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["dataset"] != "catalogue_changes"));

    let repo = tempfile::tempdir().unwrap();
    let cat = repo.path().join("cat");
    std::fs::create_dir(&cat).unwrap();
    std::fs::write(cat.join(".gitkeep"), "").unwrap();
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "placeholder"]);
    std::fs::write(cat.join("事项目录.csv"), &v1).unwrap();
    let (code, json, err) = diff(repo.path(), &["--base", "HEAD", "cat"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("旧版本 (HEAD) 中没有这些文件"), "{err}");
    assert!(!err.contains("yimen-diff"), "{err}");
    assert_eq!(json["summary"]["records"]["catalogue_changes"], 2);
}

#[test]
fn the_old_versions_unreadable_files_and_bad_values_are_not_dropped() {
    let (tmp, old, new) = old_and_new();
    let good = item("A2", "公共服务", "是", "", true);
    // Row 2 of the old catalogue: 是否进驻中心 unreadable.
    let bad = item("A1", "行政许可", "可能", "", true);
    std::fs::write(old.join("事项目录.csv"), format!("{HEADER}{bad}{good}")).unwrap();
    let fixed = item("A1", "行政许可", "是", "", true);
    std::fs::write(new.join("事项目录.csv"), format!("{HEADER}{fixed}{good}")).unwrap();
    let (code, json, stderr) = diff(tmp.path(), &["old", "new"]);
    assert_eq!(code, 0, "{stderr}");
    // The report is of the new version; the old one's error is shown.
    assert_eq!(json["data_errors"], serde_json::json!([]));
    assert!(
        stderr.contains("旧版本 数据错误: 事项目录.csv 第 2 行 是否进驻中心"),
        "{stderr}"
    );
    // --strict stops at it, and says it is the old version's.
    let (code, _, stderr) = diff(tmp.path(), &["old", "new", "--strict"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("错误: 旧版本 --strict"), "{stderr}");
    // An unreadable file in the old version is exit 2, as in the new one.
    std::fs::write(old.join("事项目录.csv"), format!("{HEADER}{fixed}{good}")).unwrap();
    std::fs::write(old.join("junk.csv"), b"\x00\x01bin").unwrap();
    let (code, json, stderr) = diff(tmp.path(), &["old", "new"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("旧版本 错误: junk.csv"), "{stderr}");
    // ... and the report says so: the file is listed, not only on stderr
    // (SARIF said `executionSuccessful: true`, the JSON's `skipped` was empty).
    let skipped = &json["skipped"];
    assert_eq!(skipped.as_array().map(Vec::len), Some(1), "{json:#}");
    assert_eq!(skipped[0]["file"], "junk.csv", "{json:#}");
    assert_eq!(skipped[0]["unreadable"], true, "{json:#}");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("旧版本 (old): "),
        "{json:#}"
    );
    let sarif = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .current_dir(tmp.path())
        .args([
            "diff",
            "old",
            "new",
            "--as-of",
            "2025-12-31",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"], false,
        "{sarif:#}"
    );
    // An old version of which no file can be read: nothing to compare
    // with, said of the folder the user named (not a temporary one).
    std::fs::remove_file(old.join("事项目录.csv")).unwrap();
    let (code, _, stderr) = diff(tmp.path(), &["old", "new"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("错误: 旧版本 (old) 中没有可以读取的导出数据, 无法比较"),
        "{stderr}"
    );
    assert!(!stderr.contains("yimen-diff"), "{stderr}");
    // No change: the change set is there, empty.
    let (code, json, stderr) = diff(tmp.path(), &["new", "new"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        json["summary"]["records"]["catalogue_changes"], 0,
        "{json:#}"
    );
}

#[test]
fn a_code_retyped_in_full_width_is_the_same_item_and_no_old_finding_is_new() {
    let (tmp, old, new) = old_and_new();
    // Old: A1 in the centre; a code repeated in full width (C002 keyed A1,
    // the first row's text).
    let v1 = format!(
        "{HEADER}{}{}",
        item("A1", "行政许可", "是", "", true),
        item("Ａ１", "行政许可", "是", "", true).replace("Ａ１事项", "A1事项")
    );
    std::fs::write(old.join("事项目录.csv"), &v1).unwrap();
    // The rows swapped: nothing changed, the repeated code now first in
    // full width (C002 keyed Ａ１).
    let mut lines: Vec<&str> = v1.lines().collect();
    lines.swap(1, 2);
    std::fs::write(new.join("事项目录.csv"), lines.join("\n") + "\n").unwrap();
    let (code, json, err) = diff(tmp.path(), &[old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}\n{json:#}");
    assert_eq!(
        json["summary"]["records"]["catalogue_changes"], 0,
        "{json:#}"
    );
    assert!(keys(&json).is_empty(), "{json:#}");

    // The code retyped in full width and the item withdrawn without an
    // approval: one modified item, D001, not a removal and an addition.
    let v2 = format!(
        "{HEADER}{}",
        item("Ａ１", "行政许可", "否", "", true).replace("Ａ１事项", "A1事项")
    );
    let v1 = format!("{HEADER}{}", item("A1", "行政许可", "是", "", true));
    std::fs::write(old.join("事项目录.csv"), v1).unwrap();
    std::fs::write(new.join("事项目录.csv"), v2).unwrap();
    let (code, json, err) = diff(tmp.path(), &[old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}\n{json:#}");
    assert_eq!(
        json["summary"]["records"]["catalogue_changes"], 1,
        "{json:#}"
    );
    assert!(
        keys(&json).contains(&("D001".to_string(), "Ａ１".to_string())),
        "{json:#}"
    );
}

/// A catalogue renamed by the change (a file, then its folder) is compared
/// with what it was under its former name, as git finds the rename: not
/// taken as a catalogue added with every item new (which hid A1's
/// withdrawal: nothing is "withdrawn" from a catalogue that did not exist).
#[test]
fn a_renamed_catalogue_is_compared_with_its_former_self() {
    let tmp = repo();
    git(
        tmp.path(),
        &["mv", "catalogue/事项目录.csv", "catalogue/目录2025.csv"],
    );
    let cat = tmp.path().join("catalogue");
    write_v2(&cat);
    std::fs::rename(cat.join("事项目录.csv"), cat.join("目录2025.csv")).unwrap();
    git(tmp.path(), &["commit", "-q", "-am", "renamed, v2"]);
    let expect = [
        ("D001".to_string(), "A1".to_string()),
        ("D002".to_string(), "A3".to_string()),
        ("E001".to_string(), "A1".to_string()),
        ("P001".to_string(), "A3".to_string()),
    ];
    let (code, json, err) = diff(tmp.path(), &["--base", "HEAD~1", "catalogue/目录2025.csv"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(keys(&json), expect, "{err}");
    assert!(
        err.contains("按改名前的文件 catalogue/事项目录.csv 比较"),
        "{err}"
    );
    assert!(!err.contains("全部事项按新增处理"), "{err}");
    // The folder renamed, not yet committed (a rename staged by `git mv`).
    git(tmp.path(), &["mv", "catalogue", "目录"]);
    let (code, json, err) = diff(tmp.path(), &["--base", "HEAD~1", "目录"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(keys(&json), expect, "{err}");
}

/// A code listed twice whose rows only changed places is unchanged: its
/// first row alone made `A1 是, A1 否` swapped a withdrawal (D001) and
/// `A2 10, A2 30` swapped raised promised days (D003), exit 1 for a change
/// that changed nothing.
#[test]
fn a_duplicated_codes_rows_swapped_are_no_change() {
    let (tmp, old, new) = old_and_new();
    let rows = [
        item("A1", "行政许可", "是", "", true),
        item("A1", "行政许可", "否", "", true),
        item("A2", "行政许可", "是", "", true),
        item("A2", "行政许可", "是", "", true).replace(",20,10,", ",20,30,"),
    ];
    std::fs::write(
        old.join("事项目录.csv"),
        format!("{HEADER}{}", rows.concat()),
    )
    .unwrap();
    let swapped = [&rows[1], &rows[0], &rows[3], &rows[2]];
    std::fs::write(
        new.join("事项目录.csv"),
        format!(
            "{HEADER}{}",
            swapped.iter().map(|r| r.as_str()).collect::<String>()
        ),
    )
    .unwrap();
    let (code, json, err) = diff(tmp.path(), &["old", "new"]);
    assert_eq!(code, 0, "{err} {json}");
    assert_eq!(json["summary"]["records"]["catalogue_changes"], 0, "{json}");
    // A row of it changed is a change of the item.
    std::fs::write(
        new.join("事项目录.csv"),
        format!(
            "{HEADER}{}{}{}{}",
            rows[1],
            rows[0].replace(",是,", ",否,"),
            rows[2],
            rows[3]
        ),
    )
    .unwrap();
    let (_, json, _) = diff(tmp.path(), &["old", "new"]);
    assert_eq!(json["summary"]["records"]["catalogue_changes"], 1, "{json}");
}

/// Every field of the catalogue has its old value in the change set
/// (`before_<field>`), so a region's own rule can ask of any field what it
/// was: here the department that implements an item, its kind and its
/// legal days (only seven fields had one).
#[test]
fn a_regions_rule_reads_any_fields_old_value() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new, local) = (
        tmp.path().join("old"),
        tmp.path().join("new"),
        tmp.path().join("local"),
    );
    for d in [&old, &new, &local] {
        std::fs::create_dir(d).unwrap();
    }
    let a1 = item("A1", "行政许可", "是", "", true);
    let a2 = item("A2", "公共服务", "是", "", true);
    std::fs::write(old.join("事项目录.csv"), format!("{HEADER}{a1}{a2}")).unwrap();
    let moved = a1
        .replace(",X局,", ",Y局,")
        .replace(",行政许可,", ",行政确认,");
    let cut = a2.replace(",20,10,", ",15,10,");
    std::fs::write(new.join("事项目录.csv"), format!("{HEADER}{moved}{cut}")).unwrap();
    std::fs::write(
        local.join("moves.yimen"),
        r#"policy local_moves {
  title "本地: 目录变更"
}

rule L001 dept-or-kind-changed {
  title "事项变更实施主体或类型"
  severity warning
  cite gangnan-2017 "四、(六)"
  for ch in catalogue_changes
  when ch.change_kind == "修改"
  require ch.dept == ch.before_dept and ch.kind == ch.before_kind and ch.legal_days == ch.before_legal_days
  message "事项 {ch.code}: 实施主体 {ch.before_dept} → {ch.dept}, 类型 {ch.before_kind} → {ch.kind}, 法定时限 {ch.before_legal_days} → {ch.legal_days}"
}
"#,
    )
    .unwrap();
    let (code, json, err) = diff(
        tmp.path(),
        &["old", "new", "--policy", "@builtin", "--policy", "local"],
    );
    assert_eq!(code, 0, "{err} {json}");
    let messages: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "L001")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "事项 A1: 实施主体 X局 → Y局, 类型 行政许可 → 行政确认, 法定时限 20 → 20",
            "事项 A2: 实施主体 X局 → X局, 类型 公共服务 → 公共服务, 法定时限 20 → 15",
        ],
        "{json}"
    );
}

/// An item modified with its promised days empty before and after (renamed
/// here) has had no promised days raised: D003 was undetermined for it
/// (`before_promised_days is empty` made it apply, and its empty
/// `promised_days` could not be compared). One whose promised days the
/// change emptied is no raise either; one given days where it had none is.
#[test]
fn d003_only_when_the_change_set_promised_days() {
    let (tmp, old, new) = old_and_new();
    let no_days = |code: &str| item(code, "行政许可", "是", "", true).replace(",20,10,", ",20,,");
    let v1 = format!(
        "{HEADER}{}{}{}",
        no_days("A1"),
        item("A2", "行政许可", "是", "", true),
        no_days("A3")
    );
    let v2 = format!(
        "{HEADER}{}{}{}",
        no_days("A1").replace("A1事项", "A1事项(更名)"),
        no_days("A2"),
        item("A3", "行政许可", "是", "", true).replace(",20,10,", ",20,30,")
    );
    std::fs::write(old.join("事项目录.csv"), v1).unwrap();
    std::fs::write(new.join("事项目录.csv"), v2).unwrap();
    let (code, json, err) = diff(tmp.path(), &["old", "new"]);
    assert_eq!(code, 1, "{err}\n{json:#}");
    assert_eq!(
        json["summary"]["records"]["catalogue_changes"], 3,
        "{json:#}"
    );
    let d003_undetermined: Vec<_> = json["undetermined"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["code"] == "D003")
        .collect();
    assert!(d003_undetermined.is_empty(), "{json:#}");
    let d003: Vec<_> = keys(&json)
        .into_iter()
        .filter(|(c, _)| c == "D003")
        .collect();
    assert_eq!(d003, [("D003".to_string(), "A3".to_string())], "{json:#}");
}

/// An old data error moved down by rows inserted above it is not new (it
/// was compared with its row: every old error below an inserted item was
/// reported as introduced); the same bad value in one more row is one new
/// error.
#[test]
fn an_old_data_error_moved_by_inserted_rows_is_not_new() {
    let (tmp, old, new) = old_and_new();
    let bad = |code: &str| item(code, "行政许可", "是", "", true).replace(",20,10,", ",二十,10,");
    let added = item("A0", "行政许可", "是", "", true);
    std::fs::write(old.join("事项目录.csv"), format!("{HEADER}{}", bad("A1"))).unwrap();
    std::fs::write(
        new.join("事项目录.csv"),
        format!("{HEADER}{added}{}", bad("A1")),
    )
    .unwrap();
    let (code, json, err) = diff(tmp.path(), &["old", "new"]);
    assert_eq!(code, 0, "{err}\n{json:#}");
    assert_eq!(json["data_errors"], serde_json::json!([]), "{json:#}");
    std::fs::write(
        new.join("事项目录.csv"),
        format!("{HEADER}{added}{}{}", bad("A1"), bad("A2")),
    )
    .unwrap();
    let (_, json, err) = diff(tmp.path(), &["old", "new"]);
    assert_eq!(
        error_fields(&json, "row", "value"),
        [(4.into(), "二十".into())],
        "{err}\n{json:#}"
    );
    // In another register, by its record's key: a change filed above an old
    // bad date (a register listing the newest first).
    let head = "调整编号,事项编码,调整类型,公布日期,备案日期,批准文号\n";
    let t1 = "T1,A1,调整,2025-13-45,2025-03-05,县政府函〔2025〕1号\n";
    let t2 = "T2,A2,调整,2025-04-01,2025-04-05,县政府函〔2025〕2号\n";
    std::fs::write(old.join("目录调整记录.csv"), format!("{head}{t1}")).unwrap();
    std::fs::write(new.join("目录调整记录.csv"), format!("{head}{t2}{t1}")).unwrap();
    let (_, json, err) = diff(tmp.path(), &["old", "new"]);
    assert_eq!(
        error_fields(&json, "file", "row"),
        [("事项目录.csv".into(), 4.into())],
        "{err}\n{json:#}"
    );
}

/// A withdrawal whose approval the same change files in the 目录调整记录
/// (a 撤出中心 record with its 批准文号) rather than as the catalogue's
/// 不进驻批准文号 is approved: D001 called it unapproved, though E003, on
/// the register, was satisfied.
/// An old and a new version in which item A1 is withdrawn from the centre
/// (its catalogue row's 是否进驻中心 是 → 否, no 不进驻批准文号).
fn a1_withdrawn() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let (tmp, old, new) = old_and_new();
    for (dir, in_center) in [(&old, "是"), (&new, "否")] {
        std::fs::write(
            dir.join("事项目录.csv"),
            format!("{HEADER}{}", item("A1", "行政许可", in_center, "", true)),
        )
        .unwrap();
    }
    (tmp, old, new)
}

#[test]
fn d001_takes_the_approval_filed_in_the_changes_register() {
    let (tmp, old, new) = a1_withdrawn();
    let register = |approval: &str| {
        format!("调整编号,事项编码,调整类型,公布日期,备案日期,批准文号\nT1,Ａ１,撤出中心,2025-03-01,2025-03-05,{approval}\n")
    };
    std::fs::write(
        new.join("目录调整记录.csv"),
        register("县政府函〔2025〕7号"),
    )
    .unwrap();
    let (_, json, err) = diff(tmp.path(), &["old", "new"]);
    // (E001 is the catalogue's own rule: its 不进驻批准文号 is still empty.)
    assert_eq!(
        keys(&json),
        [("E001".to_string(), "A1".to_string())],
        "{err}\n{json:#}"
    );
    // The record without its approval: D001, and E003 on the register.
    std::fs::write(new.join("目录调整记录.csv"), register("")).unwrap();
    let (code, json, err) = diff(tmp.path(), &["old", "new"]);
    assert_eq!(code, 1, "{err}\n{json:#}");
    assert_eq!(
        keys(&json),
        [
            ("D001".to_string(), "A1".to_string()),
            ("E001".to_string(), "A1".to_string()),
            ("E003".to_string(), "T1".to_string())
        ],
        "{json:#}"
    );
    // A record of the change that could not be read (a comma inside its
    // 批准文号 made a cell too many) may hold the approval: D001 is
    // undetermined, not a finding.
    std::fs::write(
        new.join("目录调整记录.csv"),
        "调整编号,事项编码,调整类型,公布日期,备案日期,批准文号\nT1,A1,撤出中心,2025-03-01,2025-03-05,县政府函,〔2025〕7号\n",
    )
    .unwrap();
    let (_, json, err) = diff(tmp.path(), &["old", "new"]);
    assert!(
        !keys(&json).contains(&("D001".to_string(), "A1".to_string())),
        "{err}\n{json:#}"
    );
    let undetermined: Vec<_> = json["undetermined"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["code"].as_str().unwrap(), u["key"][0].as_str().unwrap()))
        .collect();
    assert!(undetermined.contains(&("D001", "A1")), "{json:#}");
    // A record the register held before the change (an earlier withdrawal,
    // approved then) is not this change's approval.
    std::fs::write(
        old.join("目录调整记录.csv"),
        register("县政府函〔2019〕3号"),
    )
    .unwrap();
    std::fs::write(
        new.join("目录调整记录.csv"),
        register("县政府函〔2019〕3号"),
    )
    .unwrap();
    let (code, json, err) = diff(tmp.path(), &["old", "new"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        keys(&json).contains(&("D001".to_string(), "A1".to_string())),
        "{json:#}"
    );
    // Nor is a record without an id the old register held already, nor a
    // row of it that could not be read then either (it made D001
    // undetermined).
    let old_register = "调整编号,事项编码,调整类型,公布日期,备案日期,批准文号\n,A1,撤出中心,2019-03-01,2019-03-05,县政府函〔2019〕3号\nT0,A1,撤出中心,2019-03-01,2019-03-05,县政府函,〔2019〕4号\n";
    std::fs::write(old.join("目录调整记录.csv"), old_register).unwrap();
    std::fs::write(new.join("目录调整记录.csv"), old_register).unwrap();
    let (code, json, err) = diff(tmp.path(), &["old", "new"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        keys(&json).contains(&("D001".to_string(), "A1".to_string())),
        "{json:#}"
    );
}

/// A changes-register record whose item code or id cannot be read (a NUL
/// in JSON Lines) leaves D001 undetermined: with its code unreadable it may
/// be A1's withdrawal (D001 was a finding), with its id unreadable it may be
/// the withdrawal filed before the change (D001 passed on that approval).
#[test]
fn d001_is_undetermined_on_a_register_record_that_cannot_be_read() {
    let (tmp, old, new) = a1_withdrawn();
    let record = |id: &str, code: &str, approval: &str| {
        format!(
            "{{\"调整编号\": \"{id}\", \"事项编码\": \"{code}\", \"调整类型\": \"撤出中心\", \"公布日期\": \"2025-03-01\", \"备案日期\": \"2025-03-05\", \"批准文号\": \"{approval}\"}}\n"
        )
    };
    let d001 = |json: &serde_json::Value, list: &str| -> bool {
        json[list]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["code"] == "D001" && v["key"][0] == "A1")
    };
    // The item code unreadable, the approval filed with this change.
    std::fs::write(
        new.join("目录调整记录.jsonl"),
        record("T1", "A1\\u0000", "县政府函〔2025〕7号"),
    )
    .unwrap();
    let (_, json, err) = diff(tmp.path(), &["old", "new"]);
    assert!(!d001(&json, "findings"), "{err}\n{json:#}");
    assert!(d001(&json, "undetermined"), "{err}\n{json:#}");
    // The id unreadable, the record the register held before the change.
    let earlier = record("T0", "A1", "县政府函〔2019〕3号");
    std::fs::write(old.join("目录调整记录.jsonl"), &earlier).unwrap();
    std::fs::write(
        new.join("目录调整记录.jsonl"),
        record("T0\\u0000", "A1", "县政府函〔2019〕3号"),
    )
    .unwrap();
    let (_, json, err) = diff(tmp.path(), &["old", "new"]);
    assert!(!d001(&json, "findings"), "{err}\n{json:#}");
    assert!(d001(&json, "undetermined"), "{err}\n{json:#}");
    // Read, it is the earlier record: D001.
    std::fs::write(new.join("目录调整记录.jsonl"), &earlier).unwrap();
    let (_, json, err) = diff(tmp.path(), &["old", "new"]);
    assert!(d001(&json, "findings"), "{err}\n{json:#}");
}

/// An old error fixed on one item and the same bad value brought in on
/// another is a new error: matched without rows alone, A7's error was taken
/// for A1's old one and dropped.
#[test]
fn the_same_bad_value_on_another_item_is_a_new_error() {
    let (tmp, old, new) = old_and_new();
    let good = |code: &str| item(code, "行政许可", "是", "", true);
    let bad = |code: &str| good(code).replace(",20,10,", ",二十,10,");
    std::fs::write(
        old.join("事项目录.csv"),
        format!("{HEADER}{}{}", bad("A1"), good("A2")),
    )
    .unwrap();
    std::fs::write(
        new.join("事项目录.csv"),
        format!("{HEADER}{}{}{}", good("A1"), good("A2"), bad("A7")),
    )
    .unwrap();
    let (_, json, err) = diff(tmp.path(), &["old", "new"]);
    assert_eq!(
        error_fields(&json, "row", "value"),
        [(4.into(), "二十".into())],
        "{err}\n{json:#}"
    );
}
