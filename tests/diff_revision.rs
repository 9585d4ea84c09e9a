//! `yimen diff --base REV` reads the old version as a checkout of REV would
//! write it: a catalogue moved into a folder that held other files, one
//! reached through a symbolic link, one stored through a filter (as Git LFS
//! stores it), a folder holding a submodule. Each was compared with the
//! wrong old version (all items new, or exit 2).

mod common;

use std::path::Path;

use common::git_catalogue::{diff, git, item, keys, write_v2, HEADER};

/// The findings of v2 (`write_v2`) against v1 (A1 and A2, complete).
fn v2_findings() -> Vec<(String, String)> {
    [
        ("D001", "A1"),
        ("D002", "A3"),
        ("E001", "A1"),
        ("P001", "A3"),
    ]
    .iter()
    .map(|(c, k)| ((*c).to_string(), (*k).to_string()))
    .collect()
}

fn v1() -> String {
    format!(
        "{HEADER}{}{}",
        item("A1", "行政许可", "是", "", true),
        item("A2", "公共服务", "是", "", true)
    )
}

/// A repository whose first commit holds `files` (path, content).
fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = tmp.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    git(tmp.path(), &["init", "-q"]);
    tmp
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// `git mv` of the catalogue into a folder that already held a file: the
/// old version of the folder was that file alone, every item was new (the
/// rename was looked for only when the folder had held nothing), exit 1
/// with A1's withdrawal unseen.
#[test]
fn a_catalogue_moved_into_a_folder_holding_files_is_compared_with_its_former_self() {
    let v1 = v1();
    let tmp = repo_with(&[
        ("source/事项目录.csv", &v1),
        ("catalogue/说明.md", "目录的说明\n"),
    ]);
    commit(tmp.path(), "v1");
    git(
        tmp.path(),
        &["mv", "source/事项目录.csv", "catalogue/事项目录.csv"],
    );
    write_v2(&tmp.path().join("catalogue"));
    let (code, json, err) = diff(tmp.path(), &["--base", "HEAD", "catalogue"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(keys(&json), v2_findings(), "{err}");
    assert!(
        err.contains("按改名前的文件 source/事项目录.csv 比较"),
        "{err}"
    );
    // Moved and unchanged: no change at all.
    git(tmp.path(), &["checkout", "-q", "--", "."]);
    git(tmp.path(), &["reset", "-q", "--hard"]);
    git(
        tmp.path(),
        &["mv", "source/事项目录.csv", "catalogue/事项目录.csv"],
    );
    let (code, json, err) = diff(tmp.path(), &["--base", "HEAD", "catalogue"]);
    assert_eq!((code, keys(&json)), (0, vec![]), "{err}");
}

/// A catalogue folder whose files are symbolic links (to a file, to a
/// folder) elsewhere in the repository: the old version held the links'
/// texts (`../data/事项目录.csv`) as if they were the files, so an unchanged
/// catalogue had every item new.
#[cfg(unix)]
#[test]
fn a_catalogue_reached_through_symbolic_links_is_compared_through_them() {
    let v1 = v1();
    let tmp = repo_with(&[("data/事项目录.csv", &v1)]);
    let root = tmp.path();
    std::fs::create_dir_all(root.join("by_file")).unwrap();
    std::fs::create_dir_all(root.join("by_folder")).unwrap();
    std::os::unix::fs::symlink("../data/事项目录.csv", root.join("by_file/事项目录.csv")).unwrap();
    std::os::unix::fs::symlink("../data", root.join("by_folder/最新")).unwrap();
    // A link that leads back to its own folder: a loop, left out as the
    // audit's walk leaves it.
    std::os::unix::fs::symlink(".", root.join("by_folder/自身")).unwrap();
    commit(root, "v1");
    for folder in ["by_file", "by_folder"] {
        let (code, json, err) = diff(root, &["--base", "HEAD", folder]);
        assert_eq!((code, keys(&json)), (0, vec![]), "{folder}: {err}");
        assert!(!err.contains("新增"), "{folder}: {err}");
    }
    let (_, _, err) = diff(root, &["--base", "HEAD", "by_folder"]);
    assert!(
        err.contains("by_folder/自身 是指向其上级目录的符号链接 (循环), 不比较"),
        "{err}"
    );
    write_v2(&root.join("data"));
    for folder in ["by_file", "by_folder"] {
        let (code, json, err) = diff(root, &["--base", "HEAD", folder]);
        assert_eq!(code, 1, "{folder}: {err}");
        assert_eq!(keys(&json), v2_findings(), "{folder}: {err}");
    }
}

/// A repository of v1 whose CSV files are stored through a filter (base64,
/// standing in for Git LFS), not yet committed.
fn filtered_repo() -> tempfile::TempDir {
    let v1 = v1();
    let tmp = repo_with(&[
        ("catalogue/事项目录.csv", &v1),
        (".gitattributes", "*.csv filter=b64\n"),
    ]);
    git(tmp.path(), &["config", "filter.b64.clean", "base64"]);
    git(tmp.path(), &["config", "filter.b64.smudge", "base64 -d"]);
    tmp
}

/// A catalogue stored through a filter, as Git LFS stores one (the
/// repository holds a pointer, a checkout writes the content): the old
/// version was read as stored (here base64 text), not as checked out.
#[test]
fn a_catalogue_stored_through_a_filter_is_read_as_checked_out() {
    let tmp = filtered_repo();
    let root = tmp.path();
    commit(root, "v1");
    let stored = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["cat-file", "blob", "HEAD:catalogue/事项目录.csv"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&stored.stdout).contains("事项编码"));
    let (code, json, err) = diff(root, &["--base", "HEAD", "catalogue"]);
    assert_eq!((code, keys(&json)), (0, vec![]), "{err}");
    write_v2(&root.join("catalogue"));
    let (code, json, err) = diff(root, &["--base", "HEAD", "catalogue"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(keys(&json), v2_findings(), "{err}");
}

/// A submodule inside the catalogue folder: `git show` of it failed
/// (`fatal: bad object`), exit 2. It is left out, and said so.
#[test]
fn a_submodule_in_the_folder_is_named_and_left_out() {
    let v1 = v1();
    let tmp = repo_with(&[("catalogue/事项目录.csv", &v1)]);
    let root = tmp.path();
    commit(root, "v1");
    let head = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    git(
        root,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{head},catalogue/tools"),
        ],
    );
    git(root, &["commit", "-q", "-m", "tools as a submodule"]);
    let (code, json, err) = diff(root, &["--base", "HEAD", "catalogue"]);
    assert_eq!((code, keys(&json)), (0, vec![]), "{err}");
    assert!(
        err.contains("catalogue/tools 是未检出的子模块 (submodule), 不比较其中的文件"),
        "{err}"
    );
    write_v2(&root.join("catalogue"));
    let (code, json, err) = diff(root, &["--base", "HEAD", "catalogue"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(keys(&json), v2_findings(), "{err}");
}

/// The catalogue folder is itself a link, re-pointed by the change
/// (`catalogue -> data/2024`, then `data/2025`): the old version is what
/// the link led to at the revision, not today's target at the revision
/// (which did not exist: every item was new, A1's withdrawal unseen).
/// A link whose text goes through a linked folder (`../current/…` with
/// `current -> data/2024`) is followed as the system follows it (it was
/// exit 2, the file "not in the repository").
#[cfg(unix)]
#[test]
fn links_are_followed_as_the_system_follows_them() {
    let v1 = v1();
    let tmp = repo_with(&[("data/2024/事项目录.csv", &v1)]);
    let root = tmp.path();
    std::os::unix::fs::symlink("data/2024", root.join("catalogue")).unwrap();
    std::os::unix::fs::symlink("data/2024", root.join("current")).unwrap();
    std::fs::create_dir(root.join("via")).unwrap();
    std::os::unix::fs::symlink("../current/事项目录.csv", root.join("via/事项目录.csv")).unwrap();
    commit(root, "v1");
    let (code, json, err) = diff(root, &["--base", "HEAD", "via"]);
    assert_eq!((code, keys(&json)), (0, vec![]), "{err}");
    std::fs::create_dir_all(root.join("data/2025")).unwrap();
    write_v2(&root.join("data/2025"));
    std::fs::remove_file(root.join("catalogue")).unwrap();
    std::os::unix::fs::symlink("data/2025", root.join("catalogue")).unwrap();
    for path in ["catalogue", "catalogue/"] {
        let (code, json, err) = diff(root, &["--base", "HEAD", path]);
        assert_eq!(code, 1, "{path}: {err}");
        assert_eq!(keys(&json), v2_findings(), "{path}: {err}");
        assert!(!err.contains("全部事项按新增处理"), "{path}: {err}");
    }
}

/// A filter that fails (an LFS object of the revision not fetched) is an
/// error naming the file: the stored form (a pointer) was read in its place
/// and every item taken as new.
#[test]
fn a_filter_that_fails_is_an_error_not_the_stored_form() {
    let tmp = filtered_repo();
    let root = tmp.path();
    git(root, &["config", "filter.b64.required", "true"]);
    commit(root, "v1");
    git(root, &["config", "filter.b64.smudge", "false"]);
    write_v2(&root.join("catalogue"));
    let (code, _, err) = diff(root, &["--base", "HEAD", "catalogue"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("无法取出旧版本 (HEAD) 的文件 catalogue/事项目录.csv"),
        "{err}"
    );
}

/// A file whose name is not UTF-8 (a zip made on Windows unpacks to GBK
/// names) beside the catalogue: its name was mangled and git asked for a
/// file that does not exist (exit 2). A link of the old version that leads
/// nowhere, named as a data file, is listed in the report as unreadable,
/// as the audit lists it in a working tree (the diff stopped without one).
/// A user's `diff.relative` does not hide a rename into the folder.
#[cfg(unix)]
#[test]
fn odd_names_dangling_links_and_a_users_git_configuration() {
    use std::os::unix::ffi::OsStrExt;
    let v1 = v1();
    let tmp = repo_with(&[("catalogue/事项目录.csv", &v1)]);
    let root = tmp.path();
    let gbk = std::ffi::OsStr::from_bytes(b"\xcb\xb5\xc3\xf7.txt");
    std::fs::write(root.join("catalogue").join(gbk), "说明\n").unwrap();
    std::os::unix::fs::symlink("../gone/办件记录.csv", root.join("catalogue/办件记录.csv"))
        .unwrap();
    commit(root, "v1");
    std::fs::remove_file(root.join("catalogue/办件记录.csv")).unwrap();
    let (code, json, err) = diff(root, &["--base", "HEAD", "catalogue"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(keys(&json), vec![], "{err}");
    let skipped = json["skipped"].as_array().unwrap();
    assert!(
        skipped.iter().any(|k| k["file"] == "办件记录.csv"
            && k["unreadable"] == true
            && k["reason"].as_str().unwrap().starts_with("旧版本 (HEAD): ")),
        "{json:#}"
    );
    // A rename into the folder, with diff.relative set in the repository.
    git(root, &["rm", "-q", "--cached", "catalogue/办件记录.csv"]);
    git(root, &["commit", "-q", "-m", "no link"]);
    git(root, &["mv", "catalogue/事项目录.csv", "目录.csv"]);
    git(root, &["commit", "-q", "-m", "moved out"]);
    git(root, &["mv", "目录.csv", "catalogue/事项目录.csv"]);
    git(root, &["config", "diff.relative", "true"]);
    write_v2(&root.join("catalogue"));
    let (code, json, err) = diff(root, &["--base", "HEAD", "catalogue"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(keys(&json), v2_findings(), "{err}");
}

/// A submodule checked out inside the folder: the new version's audit reads
/// its working copy, so the old version holds it as the revision records it
/// (it was left out: every item of it was new, and an unchanged repository
/// reported D002 and P001 as introduced).
#[test]
fn a_checked_out_submodule_is_compared_at_its_recorded_commit() {
    let town = format!(
        "{HEADER}{}{}",
        item("B1", "行政许可", "是", "", true),
        item("B2", "公共服务", "是", "", true)
    );
    let src = repo_with(&[("乡镇目录.csv", &town)]);
    commit(src.path(), "town v1");
    let v1 = v1();
    let tmp = repo_with(&[("catalogue/事项目录.csv", &v1)]);
    let root = tmp.path();
    git(
        root,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            src.path().to_str().unwrap(),
            "catalogue/mod",
        ],
    );
    commit(root, "v1 with the towns");
    let (code, json, err) = diff(root, &["--base", "HEAD", "catalogue"]);
    assert_eq!((code, keys(&json)), (0, vec![]), "{err}");
    // B1 withdrawn in the submodule's working copy.
    let town2 = town.replace("B1,B1事项,行政许可,X局,是", "B1,B1事项,行政许可,X局,否");
    std::fs::write(root.join("catalogue/mod/乡镇目录.csv"), town2).unwrap();
    let (code, json, err) = diff(root, &["--base", "HEAD", "catalogue"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        keys(&json),
        [
            ("D001".to_string(), "B1".to_string()),
            ("E001".to_string(), "B1".to_string())
        ],
        "{err}"
    );
}
