//! Unit tests of the path arithmetic of `repo_path.rs`.

use super::{folders, parent, under, within};

#[test]
fn folders_run_from_the_top_down_to_the_files_own() {
    assert_eq!(
        folders(b"a", b"a/b/c/x.csv"),
        [b"a".to_vec(), b"a/b".to_vec(), b"a/b/c".to_vec()]
    );
    assert_eq!(folders(b"", b"b/x.csv"), [b"".to_vec(), b"b".to_vec()]);
    assert_eq!(folders(b"", b"x.csv"), [b"".to_vec()]);
    assert_eq!(folders(b"a", b"a"), [b"a".to_vec()]);
}

#[test]
fn a_folder_holds_its_own_paths_only() {
    assert!(under(b"a/b.csv", b"a"));
    assert!(under(b"a", b"a"));
    assert!(!under(b"ab/c.csv", b"a"));
    assert!(under(b"x", b""));
    assert_eq!(within(b"a/b/c.csv", b"a"), b"b/c.csv");
    assert_eq!(within(b"ab/c.csv", b"a"), b"ab/c.csv");
    assert_eq!(parent(b"a/b/c.csv"), b"a/b");
    assert_eq!(parent(b"c.csv"), b"");
}
