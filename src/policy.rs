//! Loading policies: files → sources → ASTs → one checked [`Program`].
//!
//! Invariant: a program is returned only when every file parsed and checked
//! cleanly; otherwise every error of every file is returned, with the
//! sources needed to render them. Files are read in sorted path order.

use std::path::{Path, PathBuf};

use rayon::iter::{IntoParallelRefIterator, ParallelIterator};

use crate::check::{ast_to_ir, Citations, FileErrors};
use crate::diagnostics::{ErrorCode, PolicyError, PolicySource};
use crate::ir::Program;
use crate::schema::Schema;
use crate::syntax::{text_to_ast_recovering, Recovered};

/// The file extension of policy files.
pub const EXTENSION: &str = "yimen";

/// Policies that failed to load: the sources and their errors.
#[derive(Debug)]
pub struct PolicyErrors {
    pub sources: Vec<PolicySource>,
    pub errors: Vec<FileErrors>,
}

impl PolicyErrors {
    /// One error of a file (or folder) that cannot be used: `why` in words.
    pub fn unreadable(path: &Path, why: String) -> PolicyErrors {
        PolicyErrors {
            sources: vec![PolicySource::new(display_path(path), String::new())],
            errors: vec![FileErrors {
                file: 0,
                errors: vec![
                    PolicyError::new(ErrorCode::Io, crate::ast::Span::new(0, 0), why)
                        .label("unreadable"),
                ],
            }],
        }
    }

    pub fn count(&self) -> usize {
        self.errors.iter().map(|f| f.errors.len()).sum()
    }

    /// `other`'s files and errors after these.
    pub fn append(&mut self, other: PolicyErrors) {
        let offset = self.sources.len();
        self.sources.extend(other.sources);
        self.errors
            .extend(other.errors.into_iter().map(|f| FileErrors {
                file: f.file + offset,
                errors: f.errors,
            }));
    }
}

/// Every policy file named by `paths`: files as given, directories walked
/// for `*.yimen`, sorted and deduplicated.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, (PathBuf, String)> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = out.len();
            for entry in walkdir::WalkDir::new(p)
                .follow_links(false)
                .sort_by_file_name()
            {
                let entry = entry.map_err(|e| (p.clone(), e.to_string()))?;
                if entry.file_type().is_file()
                    && entry.path().extension().is_some_and(|x| x == EXTENSION)
                {
                    out.push(entry.path().to_path_buf());
                }
            }
            // A mistyped folder would otherwise run no rule and pass.
            if out.len() == before {
                return Err((
                    p.clone(),
                    "目录中没有策略文件 (*.yimen) (no policy files in this folder)".into(),
                ));
            }
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err((
                p.clone(),
                "没有这个文件或目录 (no such file or directory)".into(),
            ));
        }
    }
    out.sort();
    out.dedup();
    // One file named twice (`local` and `./local/`, a folder and a file in
    // it): once, by its canonical path.
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    Ok(out)
}

/// Read policy files into sources; an unreadable file becomes an error.
pub fn read_sources(files: &[PathBuf]) -> Result<Vec<PolicySource>, PolicyErrors> {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let name = display_path(f);
        match crate::read::small_file(f) {
            Ok(text) => sources.push(PolicySource::new(name, text)),
            Err(e) => {
                sources.push(PolicySource::new(name.clone(), String::new()));
                errors.push(FileErrors {
                    file: i,
                    errors: vec![PolicyError::new(
                        ErrorCode::Io,
                        crate::ast::Span::new(0, 0),
                        format!("cannot read {name}: {e}"),
                    )
                    .label("unreadable")],
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(sources)
    } else {
        Err(PolicyErrors { sources, errors })
    }
}

pub(crate) fn display_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Parse and check policy sources together.
pub fn load_sources(
    sources: Vec<PolicySource>,
    schema: &Schema,
    citations: Option<&dyn Citations>,
) -> Result<(Vec<PolicySource>, Program), PolicyErrors> {
    let parsed = parse_sources(&sources);
    load_parsed(sources, parsed, schema, citations)
}

/// Each source parsed, in order: the files side by side on the current
/// pool (parsing is most of an audit's start, before its workers have
/// anything to do: with the source documents read meanwhile, the start of
/// an audit with the shipped policies 17.5 to 14.4 ms on two cores).
pub(crate) fn parse_sources(sources: &[PolicySource]) -> Vec<Recovered> {
    sources
        .par_iter()
        .map(|src| text_to_ast_recovering(&src.text))
        .collect()
}

/// [`load_sources`] of sources already parsed ([`parse_sources`]).
pub(crate) fn load_parsed(
    sources: Vec<PolicySource>,
    parsed: Vec<Recovered>,
    schema: &Schema,
    citations: Option<&dyn Citations>,
) -> Result<(Vec<PolicySource>, Program), PolicyErrors> {
    debug_assert_eq!(sources.len(), parsed.len());
    let mut asts = Vec::new();
    let mut errors = Vec::new();
    let mut syntax_failed = false;
    let mut whole = true;
    let mut left_out: Vec<String> = Vec::new();
    for (i, parsed) in parsed.into_iter().enumerate() {
        left_out.extend(parsed.left_out);
        match (parsed.ast, parsed.rest) {
            (Some(ast), _) => asts.push(ast),
            (None, Some(rest)) => {
                syntax_failed = true;
                asts.push(rest);
            }
            (None, None) => {
                syntax_failed = true;
                whole = false;
            }
        }
        if !parsed.errors.is_empty() {
            errors.push(FileErrors {
                file: i,
                errors: parsed.errors,
            });
        }
    }
    if !whole {
        // A file of which nothing could be kept: checking the others would
        // report the names it defines as unknown. The syntax errors first.
        return Err(PolicyErrors { sources, errors });
    }
    // A file whose only errors are literals that are no value is checked
    // too (its bad literals typed as errors), and so is what parses of a
    // file with syntax errors (its broken items left out): every error of
    // it is reported, but those that a left-out item may cause (a name it
    // defines, a code it has, the policy header it is) are not.
    match ast_to_ir(&sources, &asts, schema, citations) {
        Ok(program) if errors.is_empty() => Ok((sources, program)),
        Ok(_) => Err(PolicyErrors { sources, errors }),
        Err(mut checked) => {
            if syntax_failed {
                let names_one = |m: &str| left_out.iter().any(|n| m.contains(&format!("`{n}`")));
                for file in &mut checked {
                    file.errors
                        .retain(|e| !may_stem_from_a_broken_item(e.code) && !names_one(&e.message));
                }
                checked.retain(|f| !f.errors.is_empty());
            }
            let merged = !errors.is_empty();
            for file in checked {
                match errors.iter_mut().find(|f| f.file == file.file) {
                    Some(f) => {
                        f.errors.extend(file.errors);
                        f.errors.sort_by_key(|e| e.span.start);
                    }
                    None => errors.push(file),
                }
            }
            if merged {
                errors.sort_by_key(|f| f.file);
            }
            Err(PolicyErrors { sources, errors })
        }
    }
}

/// Whether an error of the checker may be due to an item left out for its
/// syntax error (see [`load_sources`]): a name, parameter, rule code or
/// policy header it would have defined. (So may one naming a left-out
/// item, `{limit}` in a template, `lim[…]` read as a dataset.)
fn may_stem_from_a_broken_item(code: crate::diagnostics::ErrorCode) -> bool {
    use crate::diagnostics::ErrorCode as E;
    matches!(
        code,
        E::UnknownName
            | E::UnknownParameter
            | E::BadFires
            | E::UnknownExpectedCode
            | E::PolicyHeader
            | E::Internal
    )
}

/// Collect, read, parse and check the policies named by `paths`.
pub fn load_paths(
    paths: &[PathBuf],
    schema: &Schema,
    citations: Option<&dyn Citations>,
) -> Result<(Vec<PolicySource>, Program), PolicyErrors> {
    let sources = read_paths(paths)?;
    load_sources(sources, schema, citations)
}

/// The policy files under `paths` (files, or folders walked), read.
pub fn read_paths(paths: &[PathBuf]) -> Result<Vec<PolicySource>, PolicyErrors> {
    let files = collect_files(paths).map_err(|(p, why)| {
        PolicyErrors::unreadable(&p, format!("cannot read {}: {why}", display_path(&p)))
    })?;
    read_sources(&files)
}
