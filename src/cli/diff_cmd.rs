//! `yimen diff --base GIT_REV [PATH]` or `yimen diff OLD NEW`: check a change
//! of the catalogue. Reports (a) the change rules over the derived change set
//! (`catalogue_changes`: D001 withdrawal without approval, D002 六公开
//! incomplete, D003 promised days raised above legal days) and (b) only the
//! findings the change introduced: those of the new version that the old one
//! did not have.

use std::path::{Path, PathBuf};

use super::common::{prepare, run_audit, RunOpts};
use crate::diff::{catalogue_rows, checkout_revision, inject_changes};
use crate::output::{AuditDoc, AuditFormat};
use crate::schema::Schema;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// With --base: the catalogue folder or file in a git working tree (default `.`).
    /// Without: the OLD and the NEW folder or file.
    paths: Vec<PathBuf>,
    /// Compare the working tree with this git revision (a commit, tag or `HEAD~1`).
    #[arg(long)]
    base: Option<String>,
    #[command(flatten)]
    opts: RunOpts,
    /// text (default), json, sarif, junit, github, csv or xlsx (as for `audit`).
    #[arg(long, value_enum, default_value = "text")]
    format: AuditFormat,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Exit 1 when there is a finding at or above this severity.
    #[arg(long = "fail-on", value_enum, default_value = "error")]
    fail_on: super::audit_cmd::FailOn,
}

/// A folder holding `path`: the folder itself, or a temporary copy of the file.
fn as_dir(path: &Path, tmp: &Path) -> Result<PathBuf, String> {
    if !path.exists() {
        return Err(super::common::not_a_folder(path));
    }
    if path.is_dir() {
        return Ok(path.to_path_buf());
    }
    let name = path
        .file_name()
        .ok_or_else(|| format!("{} 不是文件或目录", path.display()))?;
    std::fs::create_dir_all(tmp).map_err(|e| e.to_string())?;
    std::fs::copy(path, tmp.join(name)).map_err(|e| format!("无法读取 {}: {e}", path.display()))?;
    Ok(tmp.to_path_buf())
}

fn dirs(args: &Args, tmp: &Path) -> Result<(PathBuf, PathBuf), String> {
    match (&args.base, args.paths.as_slice()) {
        (Some(rev), paths) if paths.len() <= 1 => {
            let path = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
            let new = as_dir(&path, &tmp.join("new"))?;
            let old = checkout_revision(&path, rev, &tmp.join("old"))?;
            for (from, to) in &old.renamed {
                eprintln!("旧版本 ({rev}) 中没有 {to}: 按改名前的文件 {from} 比较");
            }
            for why in &old.left_out {
                eprintln!("旧版本 ({rev}) 中 {why}");
            }
            Ok((old.dir, new))
        }
        (None, [old, new]) => Ok((
            as_dir(old, &tmp.join("old"))?,
            as_dir(new, &tmp.join("new"))?,
        )),
        _ => Err("用法: yimen diff --base GIT_REV [PATH] 或 yimen diff OLD NEW".into()),
    }
}

/// The folder of the new version as the user named it (a file's folder
/// when it is a file), which file names in findings are relative to.
fn new_folder(args: &Args) -> PathBuf {
    let path = match (&args.base, args.paths.as_slice()) {
        (Some(_), paths) => paths.first().cloned().unwrap_or_else(|| PathBuf::from(".")),
        (None, [_, new]) => new.clone(),
        _ => PathBuf::from("."),
    };
    if path.is_dir() {
        path
    } else {
        // (A bare file name's parent is `""`: the working directory.)
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }
}

pub fn run(args: &Args) -> u8 {
    let inputs: Vec<&Path> = args.paths.iter().map(PathBuf::as_path).collect();
    if let Err(e) = super::audit_cmd::check_output(args.format, args.output.as_deref(), &inputs) {
        eprintln!("错误: {e}");
        return 2;
    }
    let tmp = match tempfile_dir() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("错误: {e}");
            return 2;
        }
    };
    diff(args, tmp.path())
}

/// The old version's data errors, on standard error: the report is of the
/// new version (its files, its rows), but a value the old one could not
/// read changes what counts as introduced, and nothing is dropped unshown.
fn report_old_errors(errors: &[crate::read::DataError]) {
    const SHOWN: usize = 20;
    for e in errors.iter().take(SHOWN) {
        eprintln!(
            "旧版本 数据错误: {}",
            crate::output::text::data_error_line(e)
        );
    }
    if errors.len() > SHOWN {
        eprintln!("旧版本 数据错误: … 另有 {} 处", errors.len() - SHOWN);
    }
    if !errors.is_empty() {
        eprintln!(
            "旧版本共有 {} 处数据错误: 其中的记录无法与新版本比较, 相关发现可能被算作本次变更引入",
            errors.len()
        );
    }
}

/// A fresh folder of its own for the two versions, removed when dropped
/// (a folder named by the process id alone could hold a former run's files).
fn tempfile_dir() -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix("yimen-diff-")
        .tempdir()
        .map_err(|e| format!("无法创建临时目录: {e}"))
}

/// The old version's files that could not be read, listed in the report
/// with the new version's (exit 2 says the comparison is incomplete; a
/// report that listed nothing, SARIF's `executionSuccessful: true`, said
/// otherwise): under their names in the folder, the reason starting with
/// `旧版本`. A file the new version could not read either is listed once.
fn add_old_unreadable(
    after: &mut crate::engine::Audit,
    before: &crate::engine::Audit,
    rev_part: &str,
) {
    for k in before.skipped.iter().filter(|k| k.unreadable) {
        if after
            .skipped
            .iter()
            .any(|a| a.unreadable && a.file == k.file)
        {
            continue;
        }
        after.skipped.push(crate::engine::report::SkippedFile {
            file: k.file.clone(),
            reason: format!("旧版本{rev_part}: {}", k.reason),
            unreadable: true,
        });
    }
}

/// What the old audit's hook takes from the data it read.
#[derive(Default)]
struct Taken {
    rows: Vec<crate::diff::CatalogueRow>,
    change_ids: crate::diff::ChangeIds,
    keys: crate::diff::RowKeys,
}

fn diff(args: &Args, tmp: &Path) -> u8 {
    let (old, new) = match dirs(args, tmp) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("错误: {e}");
            return 2;
        }
    };
    let p = match prepare(&args.opts) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let schema = Schema::builtin();
    // What the old audit read that the comparison needs: its catalogue
    // rows (the change set is derived from them and the new ones inside the
    // new audit: each file read once), its changes register (records not
    // of this change) and the keys of its registers' rows (data errors
    // matched by record).
    let old_taken = std::sync::Mutex::new(Taken::default());
    let capture = |data: &mut crate::engine::Data| {
        if let Ok(mut t) = old_taken.lock() {
            *t = Taken {
                rows: catalogue_rows(schema, data),
                change_ids: crate::diff::change_ids(schema, data),
                keys: crate::diff::row_keys(schema, data),
            };
        }
    };
    // A catalogue that the old version did not have at all (added by this
    // change): every item is new, and nothing was found before.
    // (Git keeps no empty folder: a base holding only `.gitkeep` or a README
    // has no data either.)
    let old_discovery = crate::read::discover(&old, schema, &p.read);
    let old_is_empty = old_discovery
        .as_ref()
        .is_ok_and(|d| d.sources.is_empty() && d.errors.is_empty());
    // The old version as the user named it: the revision, or the OLD path.
    let rev_part = match (&args.base, args.paths.as_slice()) {
        (Some(rev), _) => format!(" ({rev})"),
        (None, [old, _]) => format!(" ({})", old.display()),
        _ => String::new(),
    };
    if old_is_empty {
        eprintln!("旧版本{rev_part} 中没有这些文件: 全部事项按新增处理");
    }
    // Files in the old version, none of them readable: nothing to compare
    // with (named as the user knows them, not by the temporary folder).
    if let Some(d) = old_discovery
        .as_ref()
        .ok()
        .filter(|d| d.sources.is_empty() && !d.errors.is_empty())
    {
        eprintln!("错误: 旧版本{rev_part} 中没有可以读取的导出数据, 无法比较:");
        for e in &d.errors {
            eprintln!("  {e}");
        }
        return 2;
    }
    let old_audit = || {
        if old_is_empty {
            Ok((crate::engine::Audit::default(), false))
        } else {
            run_audit(
                &p,
                &old,
                None,
                Some(&capture),
                "旧版本 ",
                args.output.as_deref(),
            )
        }
    };
    let audits = old_audit().and_then(|(before, old_unreadable)| {
        report_old_errors(&before.data_errors);
        let old = std::mem::take(
            &mut *old_taken
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let new_keys = std::sync::Mutex::new(crate::diff::RowKeys::default());
        let inject = |data: &mut crate::engine::Data| {
            inject_changes(schema, &old.rows, &old.change_ids, data);
            if let Ok(mut k) = new_keys.lock() {
                *k = crate::diff::row_keys(schema, data);
            }
        };
        run_audit(&p, &new, None, Some(&inject), "", args.output.as_deref()).map(|(after, u)| {
            let new_keys = new_keys
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (before, after, u || old_unreadable, old.keys, new_keys)
        })
    });
    let (before, mut after, unreadable, old_keys, new_keys) = match audits {
        Ok(x) => x,
        Err(code) => return code,
    };
    // Only what the change introduced: the change rules, and findings the old version did not have.
    let change_ds = "catalogue_changes";
    let matching_key = crate::diff::matching_key;
    // (By code and key in their matching form, in a set: an export's
    // undetermined verdicts may number in the hundreds of thousands.)
    let old_findings: std::collections::HashSet<_> = before
        .findings
        .iter()
        .map(|b| matching_key(&b.code, &b.key))
        .collect();
    after.findings.retain(|f| {
        f.dataset == change_ds || !old_findings.contains(&matching_key(&f.code, &f.key))
    });
    let old_undetermined: std::collections::HashSet<_> = before
        .undetermined
        .iter()
        .map(|b| matching_key(&b.code, &b.key))
        .collect();
    after.undetermined.retain(|u| {
        u.dataset == change_ds || !old_undetermined.contains(&matching_key(&u.code, &u.key))
    });
    crate::diff::drop_old_errors(
        &mut after.data_errors,
        &before.data_errors,
        &old_keys,
        &new_keys,
    );
    add_old_unreadable(&mut after, &before, &rev_part);
    after.finish();
    // The change set is a dataset of the report even when empty (no change).
    after
        .summary
        .records
        .entry(change_ds.to_string())
        .or_insert(0);
    let doc = AuditDoc {
        audit: &after,
        as_of: p.as_of,
        program: &p.program,
        // With --base the folder is in a repository: files are named from
        // its root, where code scanning and annotations look for them,
        // whatever folder yimen runs in.
        location_prefix: args
            .base
            .as_ref()
            .and_then(|_| crate::diff::repository_prefix(&new_folder(args)))
            .unwrap_or_else(|| crate::output::location_prefix(&new_folder(args))),
        settings: super::common::settings(&p, &args.opts),
    };
    if let Err(code) = super::common::write_audit(args.format, &doc, args.output.as_deref()) {
        return code;
    }
    args.fail_on.exit_code(&after.findings, unreadable)
}
