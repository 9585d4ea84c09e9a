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
            Ok(out) if out == *src.text => {}
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
/// kept); a target that is not a regular file (a device, a pipe,
/// `/dev/stdout`) is written to directly, since renaming over it would
/// replace it with a file.
pub(crate) fn write_atomically(path: &Path, contents: impl AsRef<[u8]>) -> std::io::Result<()> {
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() && !meta.is_dir() {
            use std::io::Write as _;
            let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
            return f.write_all(contents.as_ref()).and_then(|()| f.flush());
        }
    }
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        if let Ok(target) = std::fs::canonicalize(path) {
            return write_atomically(&target, contents);
        }
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
    let written = std::fs::write(&tmp, contents).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
