//! The files of a catalogue folder as they were at a git revision
//! (`yimen diff --base REV`), written out as a checkout of REV would write
//! them: listed from the revision's tree, their bytes through the
//! repository's filters as REV's attributes name them (a Git LFS pointer
//! becomes its content), symbolic links followed within the tree as the
//! system follows them (a link through a linked folder too; one that leaves
//! the repository or leads nowhere written as a link, for the audit's walk
//! to treat as it treats such a link in the working tree), submodules named
//! and left out, and files renamed since from outside the folder into it
//! read under their new names.
//!
//! Paths stay the bytes git gives (a name need not be UTF-8: a zip made on
//! Windows unpacks to GBK names), shown lossily only in messages.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use super::repo_path::{
    bytes_of, folders, join, os, parent, pieces, shown, under, within, RepoPath,
};

/// How many links in a row one chain may go through before it is taken to
/// be a loop (the system allows 40; loops through folders are caught by
/// the ancestors rule, not by this).
const MAX_LINK_HOPS: usize = 16;

/// The git here has no `--attr-source` (before 2.40): found on the first
/// file that failed for it.
static NO_ATTR_SOURCE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// How many git processes read the old version's files at once.
const GIT_PROCESSES: usize = 8;

/// `path` made absolute (its last part not resolved when it is a symbolic
/// link: a catalogue folder that is a link is looked up as the link at the
/// revision, not as what it leads to today), the folder `git` runs in, and
/// `git` run there (its stdout, or its stderr as the error).
struct InTree {
    abs: PathBuf,
    dir: PathBuf,
}

impl InTree {
    fn new(path: &Path) -> Result<InTree, String> {
        let unreadable = |e: std::io::Error| format!("无法读取 {}: {e}", path.display());
        // (`cat/`, as tab completion types it, would be what the link
        // leads to: a trailing separator follows it.)
        let path: &Path = &path.components().collect::<PathBuf>();
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if let (true, Some(name)) = (is_link, path.file_name()) {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let parent = std::fs::canonicalize(parent).map_err(unreadable)?;
            return Ok(InTree {
                abs: parent.join(name),
                dir: parent,
            });
        }
        let abs = std::fs::canonicalize(path).map_err(unreadable)?;
        let dir = if abs.is_dir() {
            abs.clone()
        } else {
            abs.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        Ok(InTree { abs, dir })
    }

    fn git<I, S>(&self, args: I) -> Result<Vec<u8>, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
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
        let top = self.git(["rev-parse", "--show-toplevel"])?;
        std::fs::canonicalize(String::from_utf8_lossy(&top).trim()).map_err(|e| e.to_string())
    }

    /// The folder `path` names (itself, or a file's folder).
    fn folder(&self) -> &Path {
        if self.abs.is_dir() {
            &self.abs
        } else {
            self.abs.parent().unwrap_or(&self.abs)
        }
    }
}

/// The folder `path` (or a file's folder) relative to the root of the git
/// working tree holding it, `/`-separated and ending in `/` (empty at the
/// root); `None` outside a working tree.
pub fn repository_prefix(path: &Path) -> Option<String> {
    let tree = InTree::new(path).ok()?;
    let top = tree.top().ok()?;
    let rel = tree.folder().strip_prefix(top).ok()?;
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
    /// (a submodule, a loop of links), for the user to see.
    pub left_out: Vec<String>,
}

/// One entry of `git ls-tree`: its mode (`100644`, `120000` a symbolic
/// link, `160000` a submodule), type (`blob`, `tree`, `commit`) and path
/// from the repository's root.
#[derive(Clone)]
struct TreeEntry {
    mode: String,
    kind: String,
    /// The object's id (a submodule's: its recorded commit).
    object: String,
    path: RepoPath,
}

impl TreeEntry {
    fn root() -> TreeEntry {
        TreeEntry {
            mode: "040000".into(),
            kind: "tree".into(),
            object: String::new(),
            path: Vec::new(),
        }
    }

    fn is_link(&self) -> bool {
        self.mode == "120000"
    }
}

/// The entries of `git ls-tree -z` output (`<mode> <type> <object>\t<path>\0`).
fn tree_entries(listing: &[u8]) -> Vec<TreeEntry> {
    listing
        .split(|b| *b == 0)
        .filter(|e| !e.is_empty())
        .filter_map(|e| {
            let tab = e.iter().position(|b| *b == b'\t')?;
            let meta = String::from_utf8_lossy(&e[..tab]);
            let mut meta = meta.split(' ');
            Some(TreeEntry {
                mode: meta.next()?.to_string(),
                kind: meta.next()?.to_string(),
                object: meta.next()?.to_string(),
                path: e[tab + 1..].to_vec(),
            })
        })
        .collect()
}

/// Where a symbolic link's text leads, walked part by part through the
/// revision's tree as the system walks it (a link met on the way is
/// followed, and a `..` after it is taken from where it led).
enum Lead {
    /// To this path of the tree (it may itself be a link, or missing).
    To(RepoPath),
    /// Out of the repository (an absolute text, or `..` above the root).
    Outside,
    /// Through something that is not a folder, or missing, at the revision.
    Nowhere,
}

/// A file to write: the path its bytes are read from at the revision and
/// the path (from the repository's root) it is written under.
struct Wanted {
    from: RepoPath,
    as_name: RepoPath,
    /// The submodule (its working folder and recorded commit) the file is
    /// read from; `None`: the repository itself.
    submodule: Option<(PathBuf, String)>,
}

/// What a checkout writes and what it leaves out.
#[derive(Default)]
struct Collected {
    wanted: Vec<Wanted>,
    /// Links that lead nowhere in the revision's tree, or out of it, to
    /// write as links: (name, target).
    links: Vec<(RepoPath, LinkTarget)>,
    left_out: Vec<String>,
}

/// What a link that does not lead into the revision's tree is written as.
enum LinkTarget {
    /// Nothing (missing at the revision).
    Missing,
    /// Where it leads outside the repository, as a checkout would resolve it.
    Outside(OsString),
}

/// Where the revision's tree is read, for one checkout (or a submodule's
/// tree at the commit the revision records).
struct AtRevision<'a> {
    tree: &'a InTree,
    rev: &'a str,
    /// The submodule this is, for the files it lists.
    submodule: Option<(PathBuf, String)>,
}

impl AtRevision<'_> {
    fn object(&self, path: &[u8]) -> OsString {
        let mut o = OsString::from(format!("{}:", self.rev));
        o.push(os(path));
        o
    }

    fn ls(&self, spec: &[u8], recursive: bool) -> Result<Vec<TreeEntry>, String> {
        let spec = if spec.is_empty() { b"." } else { spec };
        let mut args: Vec<OsString> = vec!["ls-tree".into(), "-z".into(), "--full-tree".into()];
        if recursive {
            args.push("-r".into());
        }
        args.extend([self.rev.into(), "--".into(), os(spec)]);
        Ok(tree_entries(&self.tree.git(&args)?))
    }

    /// The entry at `path` exactly (the root for `""`).
    fn entry(&self, path: &[u8]) -> Result<Option<TreeEntry>, String> {
        if path.is_empty() {
            return Ok(Some(TreeEntry::root()));
        }
        Ok(self.ls(path, false)?.into_iter().find(|e| e.path == path))
    }

    fn link_text(&self, path: &[u8]) -> Result<Vec<u8>, String> {
        let object = self.object(path);
        self.tree
            .git([OsStr::new("cat-file"), OsStr::new("blob"), &object])
    }

    /// The bytes of a file as a checkout writes them: through the filters
    /// the revision's attributes name (a Git LFS pointer becomes its
    /// content). A filter that fails is an error, never the stored form read
    /// in its place (an LFS object not fetched would be a pointer compared
    /// as the catalogue). Git before 2.40 has no `--attr-source`: the
    /// working tree's attributes are taken there.
    fn contents(&self, path: &[u8]) -> Result<Vec<u8>, String> {
        let object = self.object(path);
        let attr = OsString::from(format!("--attr-source={}", self.rev));
        let filtered = |with_attr: bool| {
            let mut args: Vec<&OsStr> = Vec::new();
            if with_attr {
                args.push(&attr);
            }
            args.extend([OsStr::new("cat-file"), OsStr::new("--filters"), &object]);
            self.tree.git(args)
        };
        // (Learnt once: on an older git every file would fail first.)
        let with_attr = !NO_ATTR_SOURCE.load(std::sync::atomic::Ordering::Relaxed);
        filtered(with_attr)
            .or_else(|e| {
                if with_attr && e.contains("attr-source") {
                    NO_ATTR_SOURCE.store(true, std::sync::atomic::Ordering::Relaxed);
                    filtered(false)
                } else {
                    Err(e)
                }
            })
            .map_err(|e| format!("无法取出旧版本 ({}) 的文件 {}: {e}", self.rev, shown(path)))
    }

    /// A submodule at `at` (written under `as_name`): its files as the
    /// commit the revision records holds them, when it is checked out here
    /// (the new version's audit reads its working copy); named and left out
    /// when it is not (the working tree holds nothing of it either).
    fn submodule(
        &self,
        at: &TreeEntry,
        as_name: &[u8],
        top: &Path,
        out: &mut Collected,
    ) -> Result<(), String> {
        let dir = top.join(os(&at.path));
        if !dir.join(".git").exists() {
            out.left_out.push(format!(
                "{} 是未检出的子模块 (submodule), 不比较其中的文件",
                shown(as_name)
            ));
            return Ok(());
        }
        let tree = InTree {
            abs: dir.clone(),
            dir: dir.clone(),
        };
        tree.git(["cat-file", "-e", &format!("{}^{{commit}}", at.object)])
            .map_err(|_| {
                format!(
                    "子模块 {} 中没有旧版本 ({}) 记录的提交 {}: 请先 git submodule update --init (或在子模块中 git fetch) 再比较",
                    shown(as_name),
                    self.rev,
                    at.object
                )
            })?;
        let sub = AtRevision {
            tree: &tree,
            rev: &at.object,
            submodule: Some((dir.clone(), at.object.clone())),
        };
        for e in sub.ls(b"", true)? {
            let name = join(as_name, &e.path);
            sub.resolve(&e, &name, &[], &dir, out)?;
        }
        Ok(())
    }

    /// Where the link at `link` with the text `text` leads.
    fn lead(&self, link: &[u8], text: &[u8], hops: &mut usize) -> Result<Lead, String> {
        if text.starts_with(b"/") {
            return Ok(Lead::Outside);
        }
        let steps: Vec<&[u8]> = text
            .split(|b| *b == b'/')
            .filter(|p| !p.is_empty() && *p != b".")
            .collect();
        let mut at = pieces(parent(link));
        for (i, step) in steps.iter().enumerate() {
            if *step == b"..".as_slice() {
                if at.pop().is_none() {
                    return Ok(Lead::Outside);
                }
                continue;
            }
            at.push(step.to_vec());
            if i + 1 == steps.len() {
                break;
            }
            // A folder on the way, or a link to one.
            let here = at.join(&b'/');
            let Some(e) = self.entry(&here)? else {
                return Ok(Lead::Nowhere);
            };
            if e.is_link() {
                if *hops == 0 {
                    return Ok(Lead::Nowhere);
                }
                *hops -= 1;
                let inner = self.link_text(&here)?;
                match self.lead(&here, &inner, hops)? {
                    Lead::To(p) => at = pieces(&p),
                    other => return Ok(other),
                }
            } else if e.kind != "tree" {
                return Ok(Lead::Nowhere);
            }
        }
        Ok(Lead::To(at.join(&b'/')))
    }

    /// The files a tree entry stands for, each with the name it is written
    /// under: a file itself; a symbolic link, what it leads to within the
    /// tree (a file, or a folder's files under the link's name), or the link
    /// itself when it leads nowhere or out of the repository.
    /// `ancestors` are the folders (their real paths) the entry is inside,
    /// from the compared one down: a link to one of them is a loop, left
    /// out as the audit's walk leaves it. Each chain of links has its own
    /// budget of hops.
    fn resolve(
        &self,
        entry: &TreeEntry,
        as_name: &[u8],
        ancestors: &[RepoPath],
        top: &Path,
        out: &mut Collected,
    ) -> Result<(), String> {
        let mut at = entry.clone();
        let mut hops = MAX_LINK_HOPS;
        loop {
            if at.kind == "commit" {
                return self.submodule(&at, as_name, top, out);
            }
            if at.kind == "tree" {
                if ancestors.contains(&at.path) {
                    out.left_out.push(format!(
                        "{} 是指向其上级目录的符号链接 (循环), 不比较",
                        shown(as_name)
                    ));
                    return Ok(());
                }
                for e in self.ls(&at.path, true)? {
                    let mut inner = ancestors.to_vec();
                    inner.extend(folders(&at.path, &e.path));
                    let name = join(as_name, within(&e.path, &at.path));
                    self.resolve(&e, &name, &inner, top, out)?;
                }
                return Ok(());
            }
            if !at.is_link() {
                out.wanted.push(Wanted {
                    from: at.path,
                    as_name: as_name.to_vec(),
                    submodule: self.submodule.clone(),
                });
                return Ok(());
            }
            let text = self.link_text(&at.path)?;
            let lead = if hops == 0 {
                Lead::Nowhere
            } else {
                hops -= 1;
                self.lead(&at.path, &text, &mut hops)?
            };
            let next = match lead {
                Lead::To(p) => self.entry(&p)?,
                Lead::Nowhere => None,
                Lead::Outside => {
                    // As a checkout resolves it: from the link's folder on disk.
                    let mut target = top.join(os(parent(&at.path)));
                    target.push(os(&text));
                    out.links.push((
                        as_name.to_vec(),
                        LinkTarget::Outside(target.into_os_string()),
                    ));
                    return Ok(());
                }
            };
            let Some(next) = next else {
                out.links.push((as_name.to_vec(), LinkTarget::Missing));
                return Ok(());
            };
            at = next;
        }
    }
}

/// The renames (old, new) in `git diff --name-status -z` output: entries
/// `R<score>\0old\0new\0` among `X\0path\0` (and `C<score>`, copies, with
/// two paths, not renames).
fn renames(status: &[u8]) -> Vec<(RepoPath, RepoPath)> {
    let mut fields = status.split(|b| *b == 0).map(<[u8]>::to_vec);
    let mut out = Vec::new();
    while let Some(kind) = fields.next() {
        if kind.is_empty() {
            break;
        }
        let two_paths = kind.starts_with(b"R") || kind.starts_with(b"C");
        let first = fields.next().unwrap_or_default();
        if two_paths {
            let second = fields.next().unwrap_or_default();
            if kind.starts_with(b"R") {
                out.push((first, second));
            }
        }
    }
    out
}

/// Write a link that does not lead into the revision's tree as a link, for
/// the audit's walk to treat as it treats one in the working tree (one that
/// leads nowhere is unreadable under a data file's name, skipped otherwise).
#[cfg(unix)]
fn write_link(at: &Path, target: &LinkTarget) -> Result<(), String> {
    let target = match target {
        LinkTarget::Missing => OsString::from(".yimen-missing-link-target"),
        LinkTarget::Outside(t) => t.clone(),
    };
    std::os::unix::fs::symlink(target, at).map_err(|e| e.to_string())
}

#[cfg(not(unix))]
fn write_link(at: &Path, _: &LinkTarget) -> Result<(), String> {
    Err(format!(
        "旧版本中的符号链接 {} 无法在本系统上还原, 无法比较",
        at.display()
    ))
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
    tree.git([
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
    let rel = bytes_of(rel);
    let is_dir = tree.abs.is_dir();
    let at = AtRevision {
        tree: &tree,
        rev,
        submodule: None,
    };
    let mut got = Collected::default();
    for entry in at.ls(&rel, true)? {
        let ancestors = if is_dir {
            folders(&rel, &entry.path)
        } else {
            Vec::new()
        };
        let name = entry.path.clone();
        at.resolve(&entry, &name, &ancestors, &top, &mut got)?;
    }
    // (`diff.relative` in a user's configuration would make the paths
    // relative to the folder git runs in.)
    let status = tree.git([
        "-c",
        "diff.relative=false",
        "diff",
        "--find-renames",
        "--name-status",
        "-z",
        rev,
        "--",
    ])?;
    let renamed: Vec<(RepoPath, RepoPath)> = renames(&status)
        .into_iter()
        .filter(|(old, new)| {
            under(new, &rel) && !under(old, &rel) && !got.wanted.iter().any(|w| w.as_name == *new)
        })
        .collect();
    got.wanted.extend(renamed.iter().map(|(old, new)| Wanted {
        from: old.clone(),
        as_name: new.clone(),
        submodule: None,
    }));
    let base = if is_dir { &rel[..] } else { parent(&rel) };
    let place = |name: &[u8]| -> Result<PathBuf, String> {
        let target = dest.join(os(within(name, base)));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        Ok(target)
    };
    // One git process per file, several at once (each mostly waits on its
    // process: a folder of a thousand files took 2.4 s one by one); each
    // file written as it is read, the first error in the files' order.
    let write = |w: &Wanted| -> Result<(), String> {
        let bytes = match &w.submodule {
            None => at.contents(&w.from)?,
            Some((dir, commit)) => {
                let sub = InTree {
                    abs: dir.clone(),
                    dir: dir.clone(),
                };
                AtRevision {
                    tree: &sub,
                    rev: commit,
                    submodule: None,
                }
                .contents(&w.from)?
            }
        };
        std::fs::write(place(&w.as_name)?, bytes).map_err(|e| e.to_string())
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(GIT_PROCESSES)
        .build()
        .map_err(|e| format!("无法启动工作线程: {e}"))?;
    let written: Vec<Result<(), String>> = pool.install(|| {
        use rayon::prelude::*;
        got.wanted.par_iter().map(write).collect()
    });
    written.into_iter().collect::<Result<Vec<()>, String>>()?;
    for (name, target) in &got.links {
        write_link(&place(name)?, target)?;
    }
    Ok(Checkout {
        dir: dest.to_path_buf(),
        renamed: renamed.iter().map(|(o, n)| (shown(o), shown(n))).collect(),
        left_out: got.left_out,
    })
}

#[cfg(test)]
#[path = "revision_tests.rs"]
mod tests;
