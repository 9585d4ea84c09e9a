//! Paths inside a git repository as `yimen diff --base` handles them: the
//! bytes git gives (a name need not be UTF-8: a zip made on Windows unpacks
//! to GBK names), `/`-separated, from the repository's root; shown lossily
//! only in messages.

use std::ffi::OsString;
use std::path::Path;

/// A path from the repository's root, `/`-separated, as git lists it.
pub(super) type RepoPath = Vec<u8>;

/// The path as an argument or a file name.
#[cfg(unix)]
pub(super) fn os(bytes: &[u8]) -> OsString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(bytes).to_os_string()
}

#[cfg(not(unix))]
pub(super) fn os(bytes: &[u8]) -> OsString {
    OsString::from(String::from_utf8_lossy(bytes).into_owned())
}

/// A file system path as repository path bytes.
#[cfg(unix)]
pub(super) fn bytes_of(p: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    p.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
pub(super) fn bytes_of(p: &Path) -> Vec<u8> {
    p.to_string_lossy().replace('\\', "/").into_bytes()
}

/// The path for a message.
pub(super) fn shown(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `path` is `folder` or inside it (`""` the root holds everything).
pub(super) fn under(path: &[u8], folder: &[u8]) -> bool {
    folder.is_empty()
        || path == folder
        || (path.starts_with(folder) && path.get(folder.len()) == Some(&b'/'))
}

/// `path` from inside `folder` (itself when it is not inside).
pub(super) fn within<'a>(path: &'a [u8], folder: &[u8]) -> &'a [u8] {
    if folder.is_empty() {
        path
    } else if path.len() > folder.len() && under(path, folder) {
        &path[folder.len() + 1..]
    } else {
        path
    }
}

pub(super) fn join(folder: &[u8], name: &[u8]) -> RepoPath {
    if folder.is_empty() {
        return name.to_vec();
    }
    let mut out = folder.to_vec();
    out.push(b'/');
    out.extend_from_slice(name);
    out
}

/// The folder holding `path` (`""` at the root).
pub(super) fn parent(path: &[u8]) -> &[u8] {
    path.iter()
        .rposition(|b| *b == b'/')
        .map_or(&[][..], |i| &path[..i])
}

pub(super) fn pieces(path: &[u8]) -> Vec<RepoPath> {
    path.split(|b| *b == b'/')
        .filter(|p| !p.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// The folders from `top` (itself included; `""` the repository's root)
/// down to the one holding `path`.
pub(super) fn folders(top: &[u8], path: &[u8]) -> Vec<RepoPath> {
    let mut out = vec![top.to_vec()];
    let rest = if under(path, top) && path != top {
        within(path, top)
    } else {
        &[][..]
    };
    let mut names = pieces(rest);
    names.pop();
    for name in names {
        let next = join(out.last().map_or(&[][..], Vec::as_slice), &name);
        out.push(next);
    }
    out
}

#[cfg(test)]
#[path = "repo_path_tests.rs"]
mod tests;
