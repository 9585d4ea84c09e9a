//! `yimen fmt [--check] PATHS`: canonical layout, comments kept, idempotent.

use std::path::Path;

use super::{report_policy_errors, single_error, ErrorFormat};
use crate::diagnostics::PolicySource;
use crate::fmt::format_text;
use crate::policy::{collect_files, read_sources};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Policy files or directories (walked for *.yimen).
    #[arg(required = true)]
    paths: Vec<std::path::PathBuf>,
    /// Do not write: list the files that are not formatted and exit 1.
    #[arg(long)]
    check: bool,
}

pub fn run(args: &Args) -> u8 {
    let files = match collect_files(&args.paths) {
        Ok(f) => f,
        Err((p, why)) => {
            eprintln!("错误: 无法读取 {}: {why}", p.display());
            return 2;
        }
    };
    let sources = match read_sources(&files) {
        Ok(s) => s,
        Err(errs) => {
            report_policy_errors(&errs, ErrorFormat::Human);
            return 2;
        }
    };
    let mut status = 0;
    let mut report = String::new();
    for (path, src) in files.iter().zip(&sources) {
        match format_text(&src.text) {
            // (A byte order mark is not canonical: the file is rewritten without.)
            Ok(out) if out == *src.text && !src.bom => {}
            Ok(out) => {
                if args.check {
                    report.push_str(&format!("未格式化 (would reformat): {}\n", src.name));
                    status = status.max(1);
                } else if let Err(e) = write_atomically(path, &out) {
                    eprintln!("错误: 无法写入 {}: {e}", src.name);
                    status = 2;
                } else {
                    report.push_str(&format!("已格式化 (formatted): {}\n", src.name));
                }
            }
            Err(errors) => {
                for e in errors {
                    report_policy_errors(
                        &single_error(&PolicySource::clone(src), e),
                        ErrorFormat::Human,
                    );
                }
                status = 2;
            }
        }
    }
    match super::emit(report, None) {
        Ok(()) => status,
        Err(code) => code,
    }
}

/// Write through a temporary file in the same directory, then rename: the
/// file is either the old one or the whole new one, and no temporary file is
/// left behind on an error.
///
/// A symbolic link is written through (its target is replaced, the link
/// kept, also when the target does not exist yet). A target that is not a
/// regular file (a device, a pipe), or a stream of the process
/// (`/dev/stdout`, `/proc/self/fd/1`, which may be a file the shell
/// redirected to), is appended to directly: renaming over it would replace
/// it with a file. A folder is an error before anything is written.
pub(crate) fn write_atomically(path: &Path, contents: impl AsRef<[u8]>) -> std::io::Result<()> {
    let contents = contents.as_ref();
    write_atomically_with(path, &mut |w| w.write_all(contents))
}

/// As [`write_atomically`], the contents written by `write` into the file
/// (through a buffer), so that a large output is never held whole.
pub(crate) fn write_atomically_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    write_through(path, write, 0)
}

fn write_through(
    path: &Path,
    contents: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    links: u8,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let stream = path.starts_with("/dev")
        || path.starts_with("/proc")
        || std::fs::read_link(path).is_ok_and(|t| t.starts_with("/proc") || t.starts_with("/dev"));
    let meta = std::fs::metadata(path);
    if meta.as_ref().is_ok_and(std::fs::Metadata::is_dir) {
        return Err(std::io::Error::other("是文件夹, 不是文件"));
    }
    if stream || meta.as_ref().is_ok_and(|m| !m.is_file()) {
        let mut f = std::io::BufWriter::new(std::fs::OpenOptions::new().append(true).open(path)?);
        return contents(&mut f).and_then(|()| f.flush());
    }
    if let Ok(target) = std::fs::read_link(path) {
        if links >= 16 {
            return Err(std::io::Error::other("符号链接层数过多 (成环?)"));
        }
        // A relative target is relative to the link's folder.
        let target = match path.parent() {
            Some(dir) if target.is_relative() => dir.join(target),
            _ => target,
        };
        return write_through(&target, contents, links + 1);
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.yimen.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp)
        .and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            contents(&mut w)?;
            w.flush()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
