//! The files of a catalogue folder as they were at a git revision
//! (`yimen diff --base REV`): listed from the revision's tree, their bytes
//! as a checkout would write them (LFS and other filters applied), symbolic
//! links followed within the tree, submodules named and left out, and files
//! renamed into the folder since read under their new names.

use std::path::{Path, PathBuf};

/// How many links in a row a symbolic link may go through before it is
/// taken to be a loop.
const MAX_LINK_HOPS: usize = 8;

/// `path` made absolute, the folder holding it (itself when a folder) and
/// `git` run in that folder (its stdout, or its stderr as the error).
struct InTree {
    abs: PathBuf,
    dir: PathBuf,
}

impl InTree {
    fn new(path: &Path) -> Result<InTree, String> {
        let abs =
            std::fs::canonicalize(path).map_err(|e| format!("无法读取 {}: {e}", path.display()))?;
        let dir = if abs.is_dir() {
            abs.clone()
        } else {
            abs.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        Ok(InTree { abs, dir })
    }

    fn git(&self, args: &[&str]) -> Result<Vec<u8>, String> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(args)
            .output()
            .map_err(|e| format!("无法运行 git: {e}"))?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// The root of the working tree holding the folder.
    fn top(&self) -> Result<PathBuf, String> {
        let top = self.git(&["rev-parse", "--show-toplevel"])?;
        std::fs::canonicalize(String::from_utf8_lossy(&top).trim()).map_err(|e| e.to_string())
    }
}

/// The folder `path` (or a file's folder) relative to the root of the git
/// working tree holding it, `/`-separated and ending in `/` (empty at the
/// root); `None` outside a working tree.
pub fn repository_prefix(path: &Path) -> Option<String> {
    let tree = InTree::new(path).ok()?;
    let top = tree.top().ok()?;
    let rel = tree.dir.strip_prefix(top).ok()?;
    let mut prefix = String::new();
    for c in rel.components() {
        prefix.push_str(&c.as_os_str().to_string_lossy());
        prefix.push('/');
    }
    Some(prefix)
}

/// The files under `path` as they were at a git revision, written out by
/// [`checkout_revision`].
pub struct Checkout {
    /// The folder they were written into.
    pub dir: PathBuf,
    /// Files read under their later names (old, new; from the repository's
    /// root): git finds them renamed since the revision from outside `path`
    /// to a name under it.
    pub renamed: Vec<(String, String)>,
    /// What was under `path` at the revision and is not compared, with why
    /// (a submodule), for the user to see.
    pub left_out: Vec<String>,
}

/// One entry of `git ls-tree`: its mode (`100644`, `120000` a symbolic
/// link, `160000` a submodule), type (`blob`, `tree`, `commit`) and path
/// from the repository's root.
struct TreeEntry {
    mode: String,
    kind: String,
    path: String,
}

/// The entries of `git ls-tree -z` output (`<mode> <type> <object>\t<path>\0`).
fn tree_entries(listing: &[u8]) -> Vec<TreeEntry> {
    listing
        .split(|b| *b == 0)
        .filter(|e| !e.is_empty())
        .filter_map(|e| {
            let e = String::from_utf8_lossy(e);
            let (meta, path) = e.split_once('\t')?;
            let mut meta = meta.split(' ');
            Some(TreeEntry {
                mode: meta.next()?.to_string(),
                kind: meta.next()?.to_string(),
                path: path.to_string(),
            })
        })
        .collect()
}

/// The path a symbolic link at `link` with the text `target` leads to,
/// from the repository's root; `None` when it leaves the repository (an
/// absolute path, or `..` above the root).
fn link_target(link: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || target.starts_with('\\') {
        return None;
    }
    let mut parts: Vec<&str> = link.split('/').collect();
    parts.pop();
    for piece in target.split(['/', '\\']) {
        match piece {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The folders from `top` (itself included; `""` the repository's root)
/// down to the one holding `path`.
fn folders(top: &str, path: &str) -> Vec<String> {
    let rest = if top.is_empty() {
        path
    } else {
        path.strip_prefix(&format!("{top}/")).unwrap_or("")
    };
    let mut out = vec![top.to_string()];
    let mut pieces: Vec<&str> = rest.split('/').collect();
    pieces.pop();
    for piece in pieces {
        let last = out.last().cloned().unwrap_or_default();
        out.push(if last.is_empty() {
            piece.to_string()
        } else {
            format!("{last}/{piece}")
        });
    }
    out
}

/// A file to write: the path its bytes are read from at the revision and
/// the path (from the repository's root) it is written under.
struct Wanted {
    from: String,
    as_name: String,
}

/// What a checkout writes and what it leaves out.
#[derive(Default)]
struct Collected {
    wanted: Vec<Wanted>,
    left_out: Vec<String>,
}

/// Where the revision's tree is read, for one checkout.
struct AtRevision<'a> {
    tree: &'a InTree,
    rev: &'a str,
}

impl AtRevision<'_> {
    fn ls(&self, spec: &str, recursive: bool) -> Result<Vec<TreeEntry>, String> {
        let mut args = vec!["ls-tree", "-z", "--full-tree"];
        if recursive {
            args.push("-r");
        }
        args.extend([self.rev, "--", spec]);
        Ok(tree_entries(&self.tree.git(&args)?))
    }

    /// The bytes of a file as a checkout writes them: through the
    /// repository's filters (a Git LFS pointer becomes its content).
    fn contents(&self, path: &str) -> Result<Vec<u8>, String> {
        let object = format!("{}:{path}", self.rev);
        self.tree
            .git(&["cat-file", "--filters", &object])
            .or_else(|_| self.tree.git(&["cat-file", "blob", &object]))
    }

    /// The files a tree entry stands for, each with the name it is written
    /// under: a file itself; a symbolic link, what it leads to within the
    /// tree (a file, or a folder's files under the link's name).
    /// `ancestors` are the folders (their real paths) the entry is inside,
    /// from the compared one down: a link to one of them is a loop, left
    /// out as the audit's walk leaves it.
    fn resolve(
        &self,
        entry: &TreeEntry,
        as_name: &str,
        ancestors: &[String],
        hops: usize,
        out: &mut Collected,
    ) -> Result<(), String> {
        let (mut path, mut mode, mut kind) =
            (entry.path.clone(), entry.mode.clone(), entry.kind.clone());
        for hop in 0..=hops {
            if kind == "tree" {
                if ancestors.contains(&path) {
                    out.left_out.push(format!(
                        "{as_name} 是指向其上级目录的符号链接 (循环), 不比较"
                    ));
                    return Ok(());
                }
                let spec = if path.is_empty() { "." } else { path.as_str() };
                for e in self.ls(spec, true)? {
                    if e.kind != "blob" {
                        continue;
                    }
                    let sub = if path.is_empty() {
                        e.path.as_str()
                    } else {
                        e.path.strip_prefix(&format!("{path}/")).unwrap_or(&e.path)
                    };
                    let mut inner = ancestors.to_vec();
                    inner.extend(folders(&path, &e.path));
                    self.resolve(&e, &format!("{as_name}/{sub}"), &inner, hops - hop, out)?;
                }
                return Ok(());
            }
            if mode != "120000" {
                out.wanted.push(Wanted {
                    from: path,
                    as_name: as_name.to_string(),
                });
                return Ok(());
            }
            let text = self
                .tree
                .git(&["cat-file", "blob", &format!("{}:{path}", self.rev)])?;
            let text = String::from_utf8_lossy(&text).to_string();
            let Some(target) = link_target(&path, &text) else {
                return self.unresolved(as_name, &text);
            };
            if target.is_empty() {
                (path, mode, kind) = (target, "040000".into(), "tree".into());
                continue;
            }
            let mut found = self.ls(&target, false)?;
            if found.len() != 1 {
                return self.unresolved(as_name, &text);
            }
            let next = found.remove(0);
            (path, mode, kind) = (next.path, next.mode, next.kind);
        }
        self.unresolved(as_name, "(符号链接层数过多)")
    }

    /// A symbolic link that leads nowhere in the revision's tree: an error
    /// when its name is a data file's (its content cannot be compared), left
    /// out otherwise, as the audit skips a broken link of no data type.
    fn unresolved(&self, as_name: &str, target: &str) -> Result<(), String> {
        let name = as_name.rsplit('/').next().unwrap_or(as_name);
        if crate::read::is_data_file_name(name) {
            return Err(format!(
                "旧版本 ({}) 中的符号链接 {as_name} 指向 {target}, 该版本的仓库中没有这个文件, 无法比较",
                self.rev
            ));
        }
        Ok(())
    }
}

/// The renames (old, new) in `git diff --name-status -z` output: entries
/// `R<score>\0old\0new\0` among `X\0path\0` (and `C<score>`, copies, with
/// two paths, not renames).
fn renames(status: &[u8]) -> Vec<(String, String)> {
    let mut fields = status
        .split(|b| *b == 0)
        .map(|f| String::from_utf8_lossy(f).to_string());
    let mut out = Vec::new();
    while let Some(kind) = fields.next() {
        if kind.is_empty() {
            break;
        }
        let two_paths = kind.starts_with('R') || kind.starts_with('C');
        let first = fields.next().unwrap_or_default();
        if two_paths {
            let second = fields.next().unwrap_or_default();
            if kind.starts_with('R') {
                out.push((first, second));
            }
        }
    }
    out
}

/// Write the files under `path` as they were at git revision `rev` into
/// `dest` (the same layout relative to `path`). `path` is a folder or a file
/// in a git working tree. Files renamed since from outside `path` to a name
/// under it (as git detects renames between `rev` and the working tree) are
/// written under their new names: a catalogue moved or renamed by the change
/// is compared with what it was, not taken as all new.
pub fn checkout_revision(path: &Path, rev: &str, dest: &Path) -> Result<Checkout, String> {
    std::fs::create_dir_all(dest).map_err(|e| e.to_string())?;
    let tree = InTree::new(path)?;
    let top = tree.top().map_err(|e| {
        format!(
            "{} 不在 git 仓库的工作区中 (not in a git working tree): {e}",
            path.display()
        )
    })?;
    tree.git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])
    .map_err(|_| format!("git 版本 {rev} 不存在 (revision not found)"))?;
    let rel = tree
        .abs
        .strip_prefix(&top)
        .map_err(|_| format!("{} 不在 git 仓库中", path.display()))?;
    let rel_s = rel.to_string_lossy().replace('\\', "/");
    let spec = if rel_s.is_empty() {
        "."
    } else {
        rel_s.as_str()
    };
    let at = AtRevision { tree: &tree, rev };
    let mut got = Collected::default();
    for entry in at.ls(spec, true)? {
        if entry.kind == "commit" {
            got.left_out.push(format!(
                "{} 是子模块 (submodule), 不比较其中的文件",
                entry.path
            ));
            continue;
        }
        let ancestors = if tree.abs.is_dir() {
            folders(&rel_s, &entry.path)
        } else {
            Vec::new()
        };
        let name = entry.path.clone();
        at.resolve(&entry, &name, &ancestors, MAX_LINK_HOPS, &mut got)?;
    }
    let Collected {
        mut wanted,
        left_out,
    } = got;
    let under = |p: &str| rel_s.is_empty() || p == rel_s || p.starts_with(&format!("{rel_s}/"));
    let status = tree.git(&["diff", "--find-renames", "--name-status", "-z", rev, "--"])?;
    let renamed: Vec<(String, String)> = renames(&status)
        .into_iter()
        .filter(|(old, new)| under(new) && !under(old) && !wanted.iter().any(|w| w.as_name == *new))
        .collect();
    wanted.extend(renamed.iter().map(|(old, new)| Wanted {
        from: old.clone(),
        as_name: new.clone(),
    }));
    let base = if tree.abs.is_dir() {
        rel_s.clone()
    } else {
        rel.parent()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default()
    };
    for w in &wanted {
        let bytes = at.contents(&w.from)?;
        let sub = if base.is_empty() {
            w.as_name.as_str()
        } else {
            w.as_name
                .strip_prefix(&format!("{base}/"))
                .unwrap_or(&w.as_name)
        };
        let target = dest.join(sub);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&target, bytes).map_err(|e| e.to_string())?;
    }
    Ok(Checkout {
        dir: dest.to_path_buf(),
        renamed,
        left_out,
    })
}

#[cfg(test)]
mod tests {
    use super::{folders, link_target, renames, tree_entries};

    #[test]
    fn folders_run_from_the_top_down_to_the_files_own() {
        assert_eq!(folders("a", "a/b/c/x.csv"), ["a", "a/b", "a/b/c"]);
        assert_eq!(folders("", "b/x.csv"), ["", "b"]);
        assert_eq!(folders("", "x.csv"), [""]);
    }

    #[test]
    fn a_link_is_followed_from_its_folder() {
        assert_eq!(
            link_target("a/b/l.csv", "../c/x.csv").as_deref(),
            Some("a/c/x.csv")
        );
        assert_eq!(link_target("l.csv", "./x.csv").as_deref(), Some("x.csv"));
        assert_eq!(link_target("l.csv", "../x.csv"), None);
        assert_eq!(link_target("a/l.csv", "/etc/x.csv"), None);
    }

    #[test]
    fn tree_entries_keep_mode_and_type() {
        let e = tree_entries(
            b"100644 blob 0123\ta/x.csv\x00120000 blob 4567\tl.csv\x00160000 commit 89ab\ttools\x00",
        );
        let kinds: Vec<_> = e
            .iter()
            .map(|e| (e.mode.as_str(), e.kind.as_str(), e.path.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("100644", "blob", "a/x.csv"),
                ("120000", "blob", "l.csv"),
                ("160000", "commit", "tools")
            ]
        );
    }

    #[test]
    fn renames_skip_copies_and_single_paths() {
        let r = renames(b"M\0a.csv\0R100\0old.csv\0new/a.csv\0C90\0x\0y\0D\0z\0");
        assert_eq!(r, [("old.csv".to_string(), "new/a.csv".to_string())]);
    }
}
