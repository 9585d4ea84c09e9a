//! The source registry: the policy documents that the rules are grounded in.
//!
//! Each source document (a county or district notice on its government service centre) is
//! described by one YAML file in `policies/sources/`: its metadata (title, issuer, 文号, dates)
//! and the clauses of its body, copied verbatim from the seed text. Rules cite clauses as
//! `source id` + `clause id`, e.g. `gangnan-2017` `四、(六)`.
//!
//! Clause ids have a canonical form (see [`normalize_clause`]): a top-level section `四、`, a
//! subsection `四、(六)`, a numbered point `五、(三)1` and a further level `三、(二)3(3)`, always
//! with ASCII parentheses.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Deserialize;

/// The most characters of child clauses a citation shows with its clause
/// ([`SourceRegistry::cited_text`]).
pub const CHILDREN_SHOWN: usize = 400;

/// One source document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Short name, e.g. `gangnan-2017`; equal to the YAML file's stem.
    pub id: String,
    /// Full title of the document.
    pub title: String,
    /// Issuing authority.
    pub issuer: String,
    /// Document number (文号), when the document has one.
    pub number: Option<String>,
    /// Date of issue (for documents dated only to a year or month, see the YAML comments).
    pub issued: NaiveDate,
    /// Date from which the document's rules apply to events.
    pub in_force: NaiveDate,
    /// File name of the seed text in `shared/seeds/`, if any.
    pub seed: Option<String>,
    /// Free-text remark (e.g. that the document is a draft).
    pub note: Option<String>,
    /// The clauses of the body, in document order, with canonical ids.
    pub clauses: Vec<Clause>,
}

/// One clause (section, subsection or numbered point) of a source document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// Canonical clause id, e.g. `四、(六)`.
    pub id: String,
    /// The clause text, verbatim from the document (numbering marker dropped).
    pub text: String,
}

impl Source {
    /// The clause with the given id (normalised first).
    pub fn clause(&self, clause: &str) -> Option<&Clause> {
        let id = normalize_clause(clause);
        self.clauses.iter().find(|c| c.id == id)
    }
}

/// Errors met while loading source documents.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A directory could not be listed.
    #[error("cannot read source directory {}: {source}", path.display())]
    ReadDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file could not be read.
    #[error("cannot read source file {}: {source}", path.display())]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A directory holds no `*.yaml`/`*.yml` file.
    #[error("no source files (*.yaml, *.yml) in {}", path.display())]
    NoSourceFiles { path: PathBuf },
    /// A file is not valid YAML or does not have the expected shape.
    /// The message of `source` includes the location ("at line L column C") when known.
    #[error("{file}: invalid source file: {source}")]
    Yaml {
        file: String,
        /// 1-based line of the error, when `serde_yaml` knows it.
        line: Option<usize>,
        /// 1-based column of the error, when `serde_yaml` knows it.
        column: Option<usize>,
        #[source]
        source: serde_yaml::Error,
    },
    /// A date field is not a `YYYY-MM-DD` date.
    #[error("{file}: field `{field}` must be a date YYYY-MM-DD, found {value:?}: {source}")]
    InvalidDate {
        file: String,
        field: &'static str,
        value: String,
        #[source]
        source: chrono::ParseError,
    },
    /// A required text field is empty.
    #[error("{file}: field `{field}` must not be empty")]
    EmptyField { file: String, field: String },
    /// The source id does not match the file name.
    #[error("{file}: source id `{id}` does not match the file name (expected `{id}.yaml`)")]
    IdMismatch { file: String, id: String },
    /// Two files declare the same source id.
    #[error("duplicate source id `{id}` in {file} (first defined in {first_file})")]
    DuplicateSource {
        id: String,
        file: String,
        first_file: String,
    },
    /// A clause id is not in canonical form.
    #[error("{file}: clause id `{clause}` is not canonical; write `{canonical}`")]
    NonCanonicalClause {
        file: String,
        clause: String,
        canonical: String,
    },
    /// A clause id occurs twice within one source.
    #[error("{file}: duplicate clause id `{clause}` in source `{source_id}`")]
    DuplicateClause {
        file: String,
        source_id: String,
        clause: String,
    },
}

/// A local source document that cannot be used: its path as shown, its
/// text (empty when it could not be read) and why.
#[derive(Debug)]
pub struct SourceFileError {
    pub file: String,
    pub text: String,
    pub error: SourceError,
}

impl SourceFileError {
    /// A file or folder that could not be read: no text to show.
    fn unread(path: &Path, error: SourceError) -> Self {
        SourceFileError {
            file: path.display().to_string(),
            text: String::new(),
            error,
        }
    }
}

impl SourceError {
    /// Where in `text`, the file's, the error lies (byte offsets), when it
    /// can be told: a YAML error's line and column, a bad date's or empty
    /// field's key, a clause id.
    pub fn span_in(&self, text: &str) -> Option<(usize, usize)> {
        match self {
            // A field left out is no place in the file.
            SourceError::Yaml { source, .. } if source.to_string().starts_with("missing field") => {
                None
            }
            SourceError::Yaml {
                line: Some(l),
                column: Some(c),
                ..
            } => {
                let start = line_start(text, *l)?;
                let line = text[start..].split('\n').next().unwrap_or("");
                let at = line
                    .char_indices()
                    .nth(c.saturating_sub(1))
                    .map_or(line.len(), |(i, _)| i);
                Some(word_span(text, start + at))
            }
            SourceError::InvalidDate { field, .. } => top_level_value(text, field),
            SourceError::EmptyField { field, .. } => top_level_value(text, field),
            SourceError::IdMismatch { .. } | SourceError::DuplicateSource { .. } => {
                top_level_value(text, "id")
            }
            SourceError::NonCanonicalClause { clause, .. } => {
                clause_id_spans(text, clause).first().copied()
            }
            SourceError::DuplicateClause { clause, .. } => {
                clause_id_spans(text, clause).get(1).copied()
            }
            _ => None,
        }
    }
}

/// The byte offset of 1-based line `n`.
fn line_start(text: &str, n: usize) -> Option<usize> {
    if n <= 1 {
        return Some(0);
    }
    text.match_indices('\n').nth(n - 2).map(|(i, _)| i + 1)
}

/// From `at` to the end of its word (at least one character, unless at the end).
fn word_span(text: &str, at: usize) -> (usize, usize) {
    let rest = &text[at..];
    let len = rest
        .find(|c: char| c.is_whitespace() || c == ':')
        .filter(|&n| n > 0)
        .unwrap_or_else(|| rest.chars().next().map_or(0, char::len_utf8));
    (at, at + len)
}

/// The value (or, when empty, the key) of a top-level `key:` line.
fn top_level_value(text: &str, key: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
            let value = rest.trim();
            let start = if value.is_empty() {
                offset
            } else {
                offset + key.len() + 1 + rest.find(value).unwrap_or(0)
            };
            let end = if value.is_empty() {
                offset + key.len()
            } else {
                start + value.len()
            };
            return Some((start, end));
        }
        offset += line.len();
    }
    None
}

/// Every `- id: CLAUSE` (quoted or not) of the clause list, in order.
fn clause_id_spans(text: &str, clause: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed
            .strip_prefix("- id:")
            .or_else(|| trimmed.strip_prefix("id:"))
        {
            let value = rest.trim();
            if value.trim_matches(['"', '\'']) == clause {
                let start = offset + line.find(value).unwrap_or(0);
                out.push((start, start + value.len()));
            }
        }
        offset += line.len();
    }
    out
}

/// The YAML shape of a source file, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: String,
    title: String,
    issuer: String,
    #[serde(default)]
    number: Option<String>,
    issued: String,
    in_force: String,
    #[serde(default)]
    seed: Option<String>,
    #[serde(default)]
    note: Option<String>,
    clauses: Vec<RawClause>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClause {
    id: String,
    text: String,
}

/// The five source documents shipped with yimen, embedded at compile time.
const BUILTIN_FILES: [(&str, &str); 5] = [
    (
        "chenglingji-2022.yaml",
        include_str!("../policies/sources/chenglingji-2022.yaml"),
    ),
    (
        "dazu-2002.yaml",
        include_str!("../policies/sources/dazu-2002.yaml"),
    ),
    (
        "gangnan-2017.yaml",
        include_str!("../policies/sources/gangnan-2017.yaml"),
    ),
    (
        "sandu-2018.yaml",
        include_str!("../policies/sources/sandu-2018.yaml"),
    ),
    (
        "shuocheng-2019.yaml",
        include_str!("../policies/sources/shuocheng-2019.yaml"),
    ),
];

/// A set of source documents, keyed and ordered by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceRegistry {
    sources: BTreeMap<String, Source>,
}

/// The registry of this run: the built-in one, or the built-in one with a
/// region's own documents (installed once, before policies are checked).
static ACTIVE: OnceLock<SourceRegistry> = OnceLock::new();

impl SourceRegistry {
    /// The registry policies are checked against and cite from in this run:
    /// the built-in one unless [`SourceRegistry::install_local`] added a
    /// region's documents.
    pub fn active() -> &'static SourceRegistry {
        ACTIVE.get().unwrap_or_else(|| Self::builtin())
    }

    /// The built-in documents plus those of `dirs` (the `sources/` folders
    /// beside a region's policies), made the run's registry. A local file
    /// identical to a built-in one (the repository's own `policies/sources`)
    /// is the same document; any other reuse of an id is an error.
    ///
    /// Every local file is checked: the errors of all of them are returned,
    /// each with its file's text, so that each can be shown where it lies,
    /// with the registry of the documents that could be used (nothing is
    /// installed then), for checking the policies all the same.
    pub fn install_local(
        dirs: &[PathBuf],
    ) -> Result<&'static SourceRegistry, (SourceRegistry, Vec<SourceFileError>)> {
        let mut texts: Vec<(String, String)> = BUILTIN_FILES
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect();
        let builtin = texts.len();
        let mut errors = Vec::new();
        for dir in dirs {
            let paths = match Self::dir_paths(dir) {
                Ok(p) => p,
                Err(error) => {
                    errors.push(SourceFileError::unread(dir, error));
                    continue;
                }
            };
            for path in paths {
                // A file that cannot be read is reported at itself, and
                // the folder's other files are checked all the same.
                let (name, text) = match Self::read_text(&path) {
                    Ok(nt) => nt,
                    Err(error) => {
                        errors.push(SourceFileError::unread(&path, error));
                        continue;
                    }
                };
                // The same document again (a built-in one, or one of a
                // folder read already): one document.
                if texts
                    .iter()
                    .any(|(n, t)| file_stem(n) == file_stem(&name) && *t == text)
                {
                    continue;
                }
                texts.push((format!("{}/{name}", dir.display()), text));
            }
        }
        if texts.len() == builtin && errors.is_empty() {
            return Ok(Self::active());
        }
        if texts.len() == builtin {
            return Err((Self::builtin().clone(), errors));
        }
        let (reg, parse_errors) = Self::parse_all(&texts);
        errors.extend(parse_errors.into_iter().map(|(i, error)| {
            let (file, text) = &texts[i];
            SourceFileError {
                file: file.clone(),
                text: text.clone(),
                error,
            }
        }));
        if !errors.is_empty() {
            return Err((reg, errors));
        }
        Ok(ACTIVE.get_or_init(|| reg))
    }

    /// The built-in registry: the YAML files of `policies/sources/`, embedded in the binary and
    /// parsed once.
    pub fn builtin() -> &'static SourceRegistry {
        static BUILTIN: OnceLock<SourceRegistry> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let texts: Vec<(String, String)> = BUILTIN_FILES
                .iter()
                .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
                .collect();
            // The embedded files are fixed at compile time and `tests/sources.rs` proves that
            // they load, so a failure here is a build defect, not a runtime condition.
            Self::from_yaml_texts(&texts).expect("embedded source files are valid (tested)")
        })
    }

    /// Load every `*.yaml`/`*.yml` file of `dir` (not recursive), in file-name order.
    pub fn from_dir(dir: &Path) -> Result<SourceRegistry, SourceError> {
        Self::from_yaml_texts(&Self::dir_texts(dir)?)
    }

    /// `(file name, text)` of every `*.yaml`/`*.yml` file of `dir`, in
    /// file-name order.
    fn dir_texts(dir: &Path) -> Result<Vec<(String, String)>, SourceError> {
        Self::dir_paths(dir)?
            .iter()
            .map(|p| Self::read_text(p))
            .collect()
    }

    /// The `*.yaml`/`*.yml` files of `dir`, in file-name order; an error
    /// when it holds none.
    fn dir_paths(dir: &Path) -> Result<Vec<PathBuf>, SourceError> {
        let read_dir_err = |source| SourceError::ReadDir {
            path: dir.to_path_buf(),
            source,
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(read_dir_err)? {
            let path = entry.map_err(read_dir_err)?.path();
            let is_yaml = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
            if is_yaml && path.is_file() {
                paths.push(path);
            }
        }
        if paths.is_empty() {
            return Err(SourceError::NoSourceFiles {
                path: dir.to_path_buf(),
            });
        }
        paths.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        Ok(paths)
    }

    /// A source file's name and text.
    fn read_text(path: &Path) -> Result<(String, String), SourceError> {
        let text =
            crate::read::small_config_file(path).map_err(|source| SourceError::ReadFile {
                path: path.to_path_buf(),
                source,
            })?;
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        Ok((name, text))
    }

    /// Build a registry from `(file name, YAML content)` pairs, validated in the given order.
    ///
    /// Each file must describe one source whose id equals the file name without its
    /// `.yaml`/`.yml` extension; clause ids must be canonical and unique within the source.
    pub fn from_yaml_texts(texts: &[(String, String)]) -> Result<SourceRegistry, SourceError> {
        let (registry, errors) = Self::parse_all(texts);
        match errors.into_iter().next() {
            Some((_, e)) => Err(e),
            None => Ok(registry),
        }
    }

    /// Every text parsed, in order: the sources of those that are valid
    /// (the first file of an id), and each other one's error with its
    /// index in `texts`.
    fn parse_all(texts: &[(String, String)]) -> (SourceRegistry, Vec<(usize, SourceError)>) {
        let mut sources: BTreeMap<String, Source> = BTreeMap::new();
        let mut files: BTreeMap<String, String> = BTreeMap::new();
        let mut errors = Vec::new();
        for (i, (file, text)) in texts.iter().enumerate() {
            let source = match parse_source(file, text) {
                Ok(s) => s,
                Err(e) => {
                    errors.push((i, e));
                    continue;
                }
            };
            if let Some(first_file) = files.get(&source.id) {
                errors.push((
                    i,
                    SourceError::DuplicateSource {
                        id: source.id,
                        file: file.clone(),
                        first_file: first_file.clone(),
                    },
                ));
                continue;
            }
            files.insert(source.id.clone(), file.clone());
            sources.insert(source.id.clone(), source);
        }
        (SourceRegistry { sources }, errors)
    }

    /// The source with the given id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.get(id)
    }

    /// All sources, in id order.
    pub fn sources(&self) -> impl Iterator<Item = &Source> {
        self.sources.values()
    }

    /// Number of sources.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// Whether the registry holds no source.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// The clause `clause` (normalised first) of source `source`.
    pub fn clause(&self, source: &str, clause: &str) -> Option<&Clause> {
        self.source(source)?.clause(clause)
    }

    /// The text a citation of `clause` shows: the clause's own text, and
    /// its direct children's when its own text is only a heading (gangnan-2017
    /// 二、 is 调整范围, its content in 二、(一) and 二、(二)) or its children
    /// are numbered points (dazu-2002 二、(四): which department leads which
    /// joint case is in 二、(四)1-4), each after its marker, as the document
    /// reads; at most [`CHILDREN_SHOWN`] characters of children, else the
    /// clause's own text alone.
    pub fn cited_text(&self, source: &str, clause: &str) -> Option<String> {
        let src = self.source(source)?;
        let parent = src.clause(clause)?;
        let children: Vec<(&str, &str)> = src
            .clauses
            .iter()
            .filter_map(|c| {
                let rest = c.id.strip_prefix(parent.id.as_str())?;
                // Digits after a number continue it (`一、(一)10` is no
                // point of `一、(一)1`).
                let point = !rest.is_empty()
                    && rest.bytes().all(|b| b.is_ascii_digit())
                    && !parent.id.ends_with(|c: char| c.is_ascii_digit());
                let sub =
                    rest.starts_with('(') && rest.ends_with(')') && rest.matches('(').count() == 1;
                (point || sub).then_some((rest, c.text.trim()))
            })
            .collect();
        let heading = !parent.text.contains(['。', '；', ';', '：', ':']);
        let points = !children.is_empty()
            && children
                .iter()
                .all(|(m, _)| m.bytes().all(|b| b.is_ascii_digit()));
        let size: usize = children.iter().map(|(_, t)| t.chars().count()).sum();
        if children.is_empty() || !(heading || points) || size > CHILDREN_SHOWN {
            return Some(parent.text.clone());
        }
        let mut text = parent.text.trim().to_string();
        for (marker, t) in children {
            let marker = if marker.starts_with('(') {
                marker.to_string()
            } else {
                format!("{marker}.")
            };
            text.push_str(&format!(" {marker} {t}"));
        }
        Some(text)
    }

    /// The known source id closest to `id` ("did you mean"), or `None` if none is close.
    ///
    /// Matches ignore ASCII case; a query equal to the part of an id before its first `-`
    /// (`sandu` for `sandu-2018`) also matches.
    pub fn suggest_source(&self, id: &str) -> Option<&str> {
        let query = id.trim().to_ascii_lowercase();
        if query.is_empty() {
            return None;
        }
        if let Some(exact) = self.sources.keys().find(|k| **k == query) {
            return Some(exact.as_str());
        }
        let mut prefix_matches = self
            .sources
            .keys()
            .filter(|k| k.split('-').next() == Some(query.as_str()));
        if let (Some(only), None) = (prefix_matches.next(), prefix_matches.next()) {
            return Some(only.as_str());
        }
        let limit = (query.chars().count() / 3).max(2);
        self.sources
            .keys()
            .map(|k| (strsim::levenshtein(&query, k), k))
            .filter(|(d, _)| *d <= limit)
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| k.as_str())
    }

    /// The clause id of source `source` closest to `clause` ("did you mean"), or `None` if the
    /// source is unknown or no clause is close.
    ///
    /// The query is normalised first. Among the clauses at the smallest edit distance (at most
    /// 2, and less than the query's length) the one sharing the longest prefix with the query
    /// wins, then the first in document order.
    pub fn suggest_clause(&self, source: &str, clause: &str) -> Option<&str> {
        let src = self.source(source)?;
        let query = normalize_clause(clause);
        let query_len = query.chars().count();
        if query_len == 0 {
            return None;
        }
        src.clauses
            .iter()
            .enumerate()
            .map(|(pos, c)| {
                let distance = strsim::levenshtein(&query, &c.id);
                let prefix = query
                    .chars()
                    .zip(c.id.chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                (distance, std::cmp::Reverse(prefix), pos, c.id.as_str())
            })
            .filter(|(d, ..)| *d <= 2 && *d < query_len)
            .min()
            .map(|(.., id)| id)
    }
}

/// Parse and validate one source file.
fn parse_source(file: &str, text: &str) -> Result<Source, SourceError> {
    let raw: RawSource = crate::read::yaml_from_str(text).map_err(|source| {
        let location = source.location();
        SourceError::Yaml {
            file: file.to_owned(),
            line: location.as_ref().map(serde_yaml::Location::line),
            column: location.as_ref().map(serde_yaml::Location::column),
            source,
        }
    })?;

    let empty = |field: &str| SourceError::EmptyField {
        file: file.to_owned(),
        field: field.to_owned(),
    };
    let id = raw.id.trim().to_owned();
    if id.is_empty() {
        return Err(empty("id"));
    }
    if raw.title.trim().is_empty() {
        return Err(empty("title"));
    }
    if raw.issuer.trim().is_empty() {
        return Err(empty("issuer"));
    }
    let file_stem = file_stem(file);
    if file_stem != id {
        return Err(SourceError::IdMismatch {
            file: file.to_owned(),
            id,
        });
    }
    let issued = parse_date(file, "issued", &raw.issued)?;
    let in_force = parse_date(file, "in_force", &raw.in_force)?;
    if raw.clauses.is_empty() {
        return Err(empty("clauses"));
    }

    let mut clauses: Vec<Clause> = Vec::with_capacity(raw.clauses.len());
    for c in raw.clauses {
        let canonical = normalize_clause(&c.id);
        if canonical.is_empty() {
            return Err(empty("clauses[].id"));
        }
        if canonical != c.id {
            return Err(SourceError::NonCanonicalClause {
                file: file.to_owned(),
                clause: c.id,
                canonical,
            });
        }
        if clauses.iter().any(|prev| prev.id == c.id) {
            return Err(SourceError::DuplicateClause {
                file: file.to_owned(),
                source_id: id,
                clause: c.id,
            });
        }
        let text = c.text.trim();
        if text.is_empty() {
            return Err(empty(&format!("clauses[{}].text", c.id)));
        }
        clauses.push(Clause {
            id: c.id,
            text: text.to_owned(),
        });
    }

    Ok(Source {
        id,
        title: raw.title.trim().to_owned(),
        issuer: raw.issuer.trim().to_owned(),
        number: non_empty(raw.number),
        issued,
        in_force,
        seed: non_empty(raw.seed),
        note: non_empty(raw.note),
        clauses,
    })
}

/// The file name without a `.yaml`/`.yml` extension (and without any directory part).
fn file_stem(file: &str) -> &str {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    for ext in [".yaml", ".yml", ".YAML", ".YML"] {
        if let Some(stem) = name.strip_suffix(ext) {
            return stem;
        }
    }
    name
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn parse_date(file: &str, field: &'static str, value: &str) -> Result<NaiveDate, SourceError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|source| SourceError::InvalidDate {
        file: file.to_owned(),
        field,
        value: value.to_owned(),
        source,
    })
}

/// Chinese numerals used in section numbers.
fn is_cn_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' | '百' | '零' | '〇'
    )
}

/// Bring a clause reference to canonical form.
///
/// Whitespace (including full-width and non-breaking spaces) is removed, full-width
/// parentheses and digits become ASCII, the separators `、` `.` `．` are dropped, and a leading
/// Chinese-numeral section number gets its `、` back:
/// `四(六)` → `四、(六)`, `四、（六）` → `四、(六)`, `一` → `一、`, `五(三)1` → `五、(三)1`,
/// `三(二)3(3)` → `三、(二)3(3)`. The function is idempotent.
pub fn normalize_clause(s: &str) -> String {
    let body: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            other => other,
        })
        .filter(|c| !matches!(c, '、' | '.' | '．'))
        .collect();
    let section_len: usize = body
        .chars()
        .take_while(|c| is_cn_numeral(*c))
        .map(char::len_utf8)
        .sum();
    if section_len == 0 {
        return body;
    }
    let mut out = String::with_capacity(body.len() + '、'.len_utf8());
    out.push_str(&body[..section_len]);
    out.push('、');
    out.push_str(&body[section_len..]);
    out
}

/// The registry is what the policy checker resolves citations against.
impl crate::check::Citations for SourceRegistry {
    fn has_source(&self, id: &str) -> bool {
        self.source(id).is_some()
    }

    fn has_clause(&self, source: &str, clause: &str) -> bool {
        self.clause(source, clause).is_some()
    }

    fn source_ids(&self) -> Vec<String> {
        self.sources().map(|s| s.id.clone()).collect()
    }

    fn suggest_clause(&self, source: &str, clause: &str) -> Option<String> {
        SourceRegistry::suggest_clause(self, source, clause).map(str::to_string)
    }

    fn normalize_clause(&self, clause: &str) -> String {
        normalize_clause(clause)
    }

    fn in_force(&self, source: &str) -> Option<chrono::NaiveDate> {
        self.source(source).map(|s| s.in_force)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_examples() {
        assert_eq!(normalize_clause("四(六)"), "四、(六)");
        assert_eq!(normalize_clause(" 四、（六） "), "四、(六)");
        assert_eq!(normalize_clause("一"), "一、");
        assert_eq!(normalize_clause("五(三)1"), "五、(三)1");
        assert_eq!(normalize_clause("三(二)3(3)"), "三、(二)3(3)");
        assert_eq!(normalize_clause("、一"), "一、");
    }

    #[test]
    fn file_stems() {
        assert_eq!(file_stem("a/b/sandu-2018.yaml"), "sandu-2018");
        assert_eq!(file_stem("x.yml"), "x");
        assert_eq!(file_stem("noext"), "noext");
    }
}
