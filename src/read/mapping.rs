//! The user's mapping file (`--map mapping.yaml`): what a county's exports
//! call things, without recompiling.
//!
//! ```yaml
//! # Extra header and value aliases, per dataset and field (schema names).
//! datasets:
//!   catalogue:
//!     headers:                  # field: header or [headers] (added to the schema's aliases)
//!       kind: 权力类别
//!       dept: [办理部门, 承办单位]
//!     values:                   # field: { raw value: label or replacement }
//!       kind: { "1": 行政许可, "20": 公共服务 }
//!       online_depth: { "Ⅳ": 全程网办 }
//!       in_center: { 已进驻: 是, 未进驻: 否 }
//! # Per-file settings, by glob (`*`, `?`) on the path relative to the audited
//! # folder (a pattern without `/` matches the file name); the first match
//! # wins; a pattern that no file used is a warning.
//! files:
//!   "广安/*目录*.csv": { dataset: catalogue, encoding: gbk }
//!   "办件-2025.csv":   { dataset: cases, header_row: 3 }
//!   "说明.xlsx":       { skip: true }
//! ```
//!
//! Quote value-alias keys that look like numbers (`"01"`): YAML reads an
//! unquoted `01` as the number 1. Every name is checked against the schema
//! when the file is loaded; an error names the file and the line.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::encoding::TextEncoding;
use super::normalize;
use super::ReadError;
use crate::schema::{FieldType, Schema};

/// A loaded, validated mapping file.
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    /// The mapping file's path, as given.
    pub file: String,
    pub datasets: BTreeMap<String, DatasetMapping>,
    /// Per-file settings, in the file's order.
    pub files: Vec<FileMapping>,
}

/// Extra aliases for one dataset.
#[derive(Clone, Debug, Default)]
pub struct DatasetMapping {
    /// Field → extra header aliases.
    pub headers: BTreeMap<String, Vec<String>>,
    /// Field → raw value → label (enum) or replacement text.
    pub values: BTreeMap<String, BTreeMap<String, String>>,
}

/// What became of a `files` pattern in one folder: the first match of some
/// file, only ever matching files an earlier pattern took (which), or no
/// file at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PatternUse {
    #[default]
    Unmatched,
    Shadowed(usize),
    Used,
}

impl PatternUse {
    /// Over two folders (or files): used in either is used.
    #[must_use]
    pub fn merge(self, other: PatternUse) -> PatternUse {
        match (self, other) {
            (PatternUse::Used, _) | (_, PatternUse::Used) => PatternUse::Used,
            (PatternUse::Shadowed(a), _) => PatternUse::Shadowed(a),
            (_, b) => b,
        }
    }
}

/// Settings for the files a glob pattern matches.
#[derive(Clone, Debug, Default)]
pub struct FileMapping {
    pub pattern: String,
    pub dataset: Option<String>,
    pub encoding: Option<TextEncoding>,
    /// The 1-based row of the header (the first row when it spans two).
    pub header_row: Option<u32>,
    pub skip: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    #[serde(default)]
    datasets: BTreeMap<String, RawDataset>,
    #[serde(default)]
    files: serde_yaml::Mapping,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDataset {
    #[serde(default)]
    headers: BTreeMap<String, OneOrMany>,
    #[serde(default)]
    values: BTreeMap<String, serde_yaml::Mapping>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    dataset: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    header_row: Option<u32>,
    #[serde(default)]
    skip: bool,
}

impl Mapping {
    /// Reads and validates a mapping file.
    pub fn load(path: &Path, schema: &Schema) -> Result<Mapping, ReadError> {
        let file = path.display().to_string();
        let text = super::small_config_file(path).map_err(|e| ReadError::BadMapping {
            file: file.clone(),
            line: None,
            message: format!("无法读取: {e}"),
        })?;
        Mapping::from_yaml(&file, &text, schema)
    }

    /// Parses and validates mapping text; `file` names it in errors.
    pub fn from_yaml(file: &str, text: &str, schema: &Schema) -> Result<Mapping, ReadError> {
        let err = |line: Option<usize>, message: String| ReadError::BadMapping {
            file: file.to_string(),
            line,
            message,
        };
        if text.trim().is_empty() {
            return Ok(Mapping {
                file: file.to_string(),
                ..Mapping::default()
            });
        }
        let raw: RawMapping = super::yaml_from_str(text).map_err(|e| {
            err(
                e.location().map(|l| l.line()),
                format!(
                    "{} (应为 `datasets:` 与 `files:` 两节,格式见 README 的「映射文件」一节)",
                    super::yaml_message(&e)
                ),
            )
        })?;
        let mut m = Mapping {
            file: file.to_string(),
            ..Mapping::default()
        };
        for (ds_name, rd) in raw.datasets {
            let Some(ds) = schema.dataset(&ds_name) else {
                return Err(err(
                    line_of(text, &["datasets:", &ds_name]),
                    format!(
                        "未知的数据集 `{ds_name}`(应为 {} 之一)",
                        names(schema.dataset_names())
                    ),
                ));
            };
            let mut dm = DatasetMapping::default();
            for (field, headers) in rd.headers {
                if ds.field(&field).is_none() {
                    return Err(err(
                        line_of(text, &["datasets:", &ds_name, "headers:", &field]),
                        format!(
                            "数据集 {ds_name} 没有字段 `{field}`(应为 {} 之一)",
                            names(ds.field_names())
                        ),
                    ));
                }
                let list = match headers {
                    OneOrMany::One(h) => vec![h],
                    OneOrMany::Many(v) => v,
                };
                if list.iter().any(|h| normalize::key(h).is_empty()) {
                    return Err(err(
                        line_of(text, &["datasets:", &ds_name, "headers:", &field]),
                        format!("字段 `{field}` 的表头别名不能为空"),
                    ));
                }
                dm.headers.insert(field, list);
            }
            // A header names one field: an alias another field already has
            // (in the schema or earlier in this file) would be ignored
            // (the first field keeps it), the column silently not remapped.
            let mut claimed: BTreeMap<String, String> = BTreeMap::new();
            for f in &ds.fields {
                for a in f.aliases.iter().chain(std::iter::once(&f.name)) {
                    claimed
                        .entry(normalize::key(a))
                        .or_insert_with(|| f.name.clone());
                }
            }
            for (field, list) in &dm.headers {
                for h in list {
                    let owner = claimed
                        .entry(normalize::key(h))
                        .or_insert_with(|| field.clone());
                    if owner != field {
                        return Err(err(
                            line_of(text, &["datasets:", &ds_name, "headers:", field]),
                            format!(
                                "表头 `{h}` 已对应数据集 {ds_name} 的字段 `{owner}`, 不能再对应字段 `{field}`(一个表头只对应一个字段)"
                            ),
                        ));
                    }
                }
            }
            for (field, values) in rd.values {
                let Some(f) = ds.field(&field) else {
                    return Err(err(
                        line_of(text, &["datasets:", &ds_name, "values:", &field]),
                        format!(
                            "数据集 {ds_name} 没有字段 `{field}`(应为 {} 之一)",
                            names(ds.field_names())
                        ),
                    ));
                };
                let mut map = BTreeMap::new();
                for (k, v) in values {
                    let here = || line_of(text, &["datasets:", &ds_name, "values:", &field]);
                    let (Some(k), Some(v)) = (scalar(&k), scalar(&v)) else {
                        return Err(err(
                            here(),
                            format!("字段 `{field}` 的取值别名应为 `原值: 标准值`"),
                        ));
                    };
                    if f.ty == FieldType::Enum && !f.values.contains(&v) {
                        return Err(err(
                            here(),
                            format!(
                                "`{k}: {v}`: {v} 不是字段 `{field}` 的取值(应为 {} 之一)",
                                f.values.join("、")
                            ),
                        ));
                    }
                    // A replacement of another type must read as that type
                    // (`已进驻: 是` for a yes/no field, not `maybe`): checked
                    // here, not reported on every row of the export.
                    if f.ty != FieldType::Enum && !v.trim().is_empty() {
                        if let Err(bad) = super::cell::parse(f, &v) {
                            return Err(err(
                                here(),
                                format!(
                                    "`{k}: {v}`: {v} 不能作为字段 `{field}` 的值 ({})",
                                    bad.message
                                ),
                            ));
                        }
                    }
                    map.insert(k, v);
                }
                dm.values.insert(field, map);
            }
            m.datasets.insert(ds_name, dm);
        }
        for (pattern, value) in raw.files {
            let Some(pattern) = scalar(&pattern) else {
                return Err(err(
                    line_of(text, &["files:"]),
                    "`files` 的键应为文件路径或通配符".into(),
                ));
            };
            let here = || line_of(text, &["files:", &pattern]);
            let rf: RawFile = serde_yaml::from_value(value).map_err(|e| {
                err(
                    here(),
                    format!(
                        "`{pattern}`: {} (可用: dataset, encoding, header_row, skip)",
                        super::yaml_message(&e)
                    ),
                )
            })?;
            if let Some(d) = &rf.dataset {
                if schema.dataset(d).is_none() {
                    return Err(err(
                        here(),
                        format!(
                            "`{pattern}`: 未知的数据集 `{d}`(应为 {} 之一)",
                            names(schema.dataset_names())
                        ),
                    ));
                }
            }
            let encoding = match &rf.encoding {
                None => None,
                Some(l) => Some(TextEncoding::from_label(l).ok_or_else(|| {
                    err(
                        here(),
                        format!(
                            "`{pattern}`: 不支持的编码 `{l}`(应为 {} 之一)",
                            TextEncoding::LABELS
                        ),
                    )
                })?),
            };
            if rf.header_row == Some(0) {
                return Err(err(here(), format!("`{pattern}`: header_row 从 1 起算")));
            }
            m.files.push(FileMapping {
                pattern,
                dataset: rf.dataset,
                encoding,
                header_row: rf.header_row,
                skip: rf.skip,
            });
        }
        Ok(m)
    }

    /// The settings for a file (path relative to the audited folder, `/`
    /// separators): the first pattern that matches.
    pub fn for_file(&self, rel: &str) -> Option<&FileMapping> {
        self.file_index(rel, &mut []).map(|i| &self.files[i])
    }

    /// The position in `files` of [`Mapping::for_file`]'s entry, noting in
    /// `uses` that it was used and that every later pattern matching the
    /// file too was shadowed by it.
    pub fn file_index(&self, rel: &str, uses: &mut [PatternUse]) -> Option<usize> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let mut matching = self.files.iter().enumerate().filter(|(_, f)| {
            if f.pattern.contains('/') {
                normalize::glob(&f.pattern, rel)
            } else {
                normalize::glob(&f.pattern, name)
            }
        });
        let (first, _) = matching.next()?;
        if let Some(u) = uses.get_mut(first) {
            *u = PatternUse::Used;
        }
        for (i, _) in matching {
            if let Some(u) = uses.get_mut(i) {
                *u = u.merge(PatternUse::Shadowed(first));
            }
        }
        Some(first)
    }

    /// A warning for each `files` pattern that no file used, saying why
    /// (a typo or a file missing this time, or an earlier pattern matching
    /// first); glob syntax beyond `*` and `?` is named: it matches literally.
    pub fn unused_warnings(&self, uses: &[PatternUse]) -> Vec<String> {
        self.files
            .iter()
            .zip(uses)
            .filter_map(|(f, u)| {
                let why = match u {
                    PatternUse::Used => return None,
                    PatternUse::Shadowed(by) => format!(
                        "与之匹配的文件都先匹配了前面的 \"{}\"",
                        self.files.get(*by).map_or("", |b| b.pattern.as_str())
                    ),
                    PatternUse::Unmatched => "没有文件与之匹配".to_string(),
                };
                let literal = if f.pattern.contains(['[', ']', '{', '}']) {
                    " (模式只支持 * 与 ?, 方括号、花括号按字面匹配)"
                } else {
                    ""
                };
                Some(format!(
                    "映射文件 {} 的 files 中的 \"{}\" 没有用于任何文件: {why}{literal}",
                    self.file, f.pattern
                ))
            })
            .collect()
    }

    /// Extra header aliases of a field.
    pub fn headers(&self, dataset: &str, field: &str) -> &[String] {
        self.datasets
            .get(dataset)
            .and_then(|d| d.headers.get(field))
            .map_or(&[], Vec::as_slice)
    }

    /// Extra value aliases of a field.
    pub fn values(&self, dataset: &str, field: &str) -> Option<&BTreeMap<String, String>> {
        self.datasets.get(dataset).and_then(|d| d.values.get(field))
    }
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join(", ")
}

fn scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The 1-based line where the needles occur one after another (each on or
/// after the line of the previous one): good enough to point at a key.
fn line_of(text: &str, needles: &[&str]) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut at = 0usize;
    let mut found = None;
    for n in needles {
        let i = (at..lines.len()).find(|&i| lines[i].contains(n))?;
        found = Some(i + 1);
        at = i;
    }
    found
}
