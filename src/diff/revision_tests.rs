//! Unit tests of `revision.rs`'s parsing of git's output (the checkout
//! itself is tested through `yimen diff` in `tests/diff_revision.rs`).

use super::{renames, tree_entries};

#[test]
fn tree_entries_keep_mode_type_and_the_bytes_of_the_path() {
    let e = tree_entries(
        b"100644 blob 0123\ta/x.csv\x00120000 blob 4567\tl.csv\x00160000 commit 89ab\ttools\x00100644 blob cd\t\xcb\xb5\xc3\xf7.txt\x00",
    );
    let kinds: Vec<_> = e
        .iter()
        .map(|e| (e.mode.as_str(), e.kind.as_str(), e.path.as_slice()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("100644", "blob", &b"a/x.csv"[..]),
            ("120000", "blob", b"l.csv"),
            ("160000", "commit", b"tools"),
            ("100644", "blob", b"\xcb\xb5\xc3\xf7.txt"),
        ]
    );
}

#[test]
fn renames_skip_copies_and_single_paths() {
    let r = renames(b"M\x00a.csv\x00R100\x00old.csv\x00new/a.csv\x00C90\x00x\x00y\x00D\x00z\x00");
    assert_eq!(r, [(b"old.csv".to_vec(), b"new/a.csv".to_vec())]);
}
