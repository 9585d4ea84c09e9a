//! Calendar sources: the `holidays.tsv` table, holiday-cn JSON files and local YAML files.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer};

use super::dates::parse_date;
use super::{CalendarError, DayException, MAX_EXCEPTION_YEAR, MIN_EXCEPTION_YEAR};

/// The command that regenerates `src/calendar/holidays.tsv`, quoted in its first line.
const REGENERATE_COMMAND: &str =
    "cargo run --example gen_calendar -- ../shared/data/holiday-cn > src/calendar/holidays.tsv";

/// Parses a date of a calendar file: strict `YYYY-MM-DD`, year within the supported range.
fn parse_exception_date(s: &str) -> Result<NaiveDate, String> {
    match parse_date(s) {
        Some(d) if (MIN_EXCEPTION_YEAR..=MAX_EXCEPTION_YEAR).contains(&d.year()) => Ok(d),
        Some(_) => Err(format!(
            "日期 `{s}` 不在支持的年份 {MIN_EXCEPTION_YEAR}-{MAX_EXCEPTION_YEAR} 之内"
        )),
        None => Err(format!("日期应写作 YYYY-MM-DD, 而不是 `{s}`")),
    }
}

/// A date field of a JSON or YAML file, parsed from its string (chrono has no serde here).
/// Errors go through serde, so they carry the file's line and column.
struct DateField(NaiveDate);

impl<'de> Deserialize<'de> for DateField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        parse_exception_date(&s)
            .map(DateField)
            .map_err(serde::de::Error::custom)
    }
}

/// A holiday-cn file: `{"year": 2025, "papers": [...], "days": [...]}`.
#[derive(Deserialize)]
struct HolidayCnFile {
    #[serde(default)]
    year: Option<i32>,
    days: Vec<HolidayCnDay>,
}

#[derive(Deserialize)]
struct HolidayCnDay {
    /// (A local file written in JSON may leave it out, as in YAML.)
    #[serde(default)]
    name: String,
    date: DateField,
    /// holiday-cn's key; `off`, the local YAML's, is taken too.
    #[serde(rename = "isOffDay", alias = "off")]
    is_off_day: bool,
}

/// A local YAML calendar: `days: [{date: 2025-05-06, off: true, name: 地方假日}]`,
/// with `year: 2027` when its days are that year's whole national arrangement.
#[derive(Deserialize)]
struct LocalYamlFile {
    #[serde(default)]
    year: Option<i32>,
    days: Vec<LocalYamlDay>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocalYamlDay {
    date: DateField,
    /// `isOffDay`, holiday-cn's key, is taken too.
    #[serde(alias = "isOffDay")]
    off: bool,
    #[serde(default)]
    name: String,
}

/// Collects the days of one file; a date listed twice in the same file is an error.
fn collect_days(
    path: &Path,
    days: impl IntoIterator<Item = (NaiveDate, DayException)>,
) -> Result<BTreeMap<NaiveDate, DayException>, CalendarError> {
    let mut map = BTreeMap::new();
    let mut index = BTreeMap::new();
    for (i, (date, day)) in days.into_iter().enumerate() {
        if let Some(first) = index.insert(date, i + 1) {
            return Err(CalendarError::Content {
                path: path.to_path_buf(),
                message: format!(
                    "日期 {date} 列出了两次 (`days` 的第 {first} 项和第 {} 项): 一个日子只能有一种安排",
                    i + 1
                ),
            });
        }
        map.insert(date, day);
    }
    Ok(map)
}

fn read_to_string(path: &Path) -> Result<String, CalendarError> {
    let text = crate::read::small_config_file(path).map_err(|source| CalendarError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    // Editors on Windows often prepend a byte order mark, which serde_json rejects.
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

fn parse_holiday_cn(path: &Path, text: &str) -> Result<HolidayCnFile, CalendarError> {
    serde_json::from_str(text).map_err(|source| CalendarError::Json {
        path: path.to_path_buf(),
        source,
    })
}

fn holiday_cn_days(
    path: &Path,
    file: HolidayCnFile,
) -> Result<BTreeMap<NaiveDate, DayException>, CalendarError> {
    collect_days(
        path,
        file.days.into_iter().map(|d| {
            (
                d.date.0,
                DayException {
                    off: d.is_off_day,
                    name: d.name,
                },
            )
        }),
    )
}

/// The year a file's days are the notice of, checked against them: a notice
/// lists days of its year and, for its 元旦, 29-31 December of the year
/// before (the 2007 notice made 2006-12-30 a working day; no notice of
/// 2007-2026 listed any other day outside its year). A file of no days
/// gives no year: a notice not yet published (holiday-cn's `2027.json`
/// before it is).
fn notice_year(
    path: &Path,
    year: Option<i32>,
    days: &BTreeMap<NaiveDate, DayException>,
) -> Result<Option<i32>, CalendarError> {
    let Some(year) = year else {
        return Ok(None);
    };
    let of_notice = |d: &NaiveDate| {
        d.year() == year || (d.year() == year - 1 && d.month() == 12 && d.day() >= 29)
    };
    if let Some(d) = days.keys().find(|d| !of_notice(d)) {
        return Err(CalendarError::Content {
            path: path.to_path_buf(),
            message: format!(
                "日期 {d} 不属于 {year} 年的通知 (`year: {year}`): 一年的通知只安排 {year} 年的日子, 以及为元旦安排的 {} 年 12 月 29-31 日",
                year - 1
            ),
        });
    }
    Ok((!days.is_empty()).then_some(year))
}

/// Reads a user's local calendar: holiday-cn JSON or the YAML format (see
/// [`super::Calendar::with_local_file`]), with the year whose notice it is
/// when it says one (`year`) and lists days.
pub(super) fn read_local_file(
    path: &Path,
) -> Result<(BTreeMap<NaiveDate, DayException>, Option<i32>), CalendarError> {
    let text = read_to_string(path)?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let is_json = match extension.as_deref() {
        Some("json") => true,
        Some("yaml" | "yml") => false,
        _ => text.trim_start().starts_with('{'),
    };
    if is_json {
        let file = parse_holiday_cn(path, &text)?;
        let year = file.year;
        let days = holiday_cn_days(path, file)?;
        let year = notice_year(path, year, &days)?;
        Ok((days, year))
    } else {
        let file: LocalYamlFile =
            crate::read::yaml_from_str(&text).map_err(|source| CalendarError::Yaml {
                path: path.to_path_buf(),
                source,
            })?;
        let year = file.year;
        let days = collect_days(
            path,
            file.days.into_iter().map(|d| {
                (
                    d.date.0,
                    DayException {
                        off: d.off,
                        name: d.name,
                    },
                )
            }),
        )?;
        let year = notice_year(path, year, &days)?;
        Ok((days, year))
    }
}

/// A calendar source's listed days.
type Days = BTreeMap<NaiveDate, DayException>;

/// The comment line of a table naming the years whose notices it holds.
const NOTICES_LINE: &str = "# notices:";

/// Parses a table in the `holidays.tsv` format: its days, and the years
/// whose notices it holds when a `# notices: 2007 2008 …` line says so.
pub(super) fn parse_table(
    tsv: &str,
    source_name: &str,
) -> Result<(Days, Option<BTreeSet<i32>>), CalendarError> {
    let error = |line: usize, message: String| CalendarError::Table {
        source_name: source_name.to_owned(),
        line,
        message,
    };
    let mut map = BTreeMap::new();
    let mut lines_of = BTreeMap::new();
    let mut notices = None;
    for (i, raw) in tsv.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches('\r');
        if let Some(text) = line.strip_prefix(NOTICES_LINE) {
            let years: Result<BTreeSet<i32>, _> =
                text.split_whitespace().map(str::parse::<i32>).collect();
            notices = Some(years.map_err(|_| {
                error(
                    line_no,
                    format!("expected years after `{NOTICES_LINE}`, found `{text}`"),
                )
            })?);
            continue;
        }
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.splitn(3, '\t').collect();
        let [date, status, name] = fields[..] else {
            return Err(error(
                line_no,
                format!(
                    "expected `YYYY-MM-DD<TAB>off|work<TAB>name`, found {} tab-separated field(s)",
                    fields.len()
                ),
            ));
        };
        let date = parse_exception_date(date).map_err(|m| error(line_no, m))?;
        let off = match status {
            "off" => true,
            "work" => false,
            other => {
                return Err(error(
                    line_no,
                    format!("expected `off` or `work` in the second field, found `{other}`"),
                ))
            }
        };
        if let Some(first) = lines_of.insert(date, line_no) {
            return Err(error(
                line_no,
                format!("date {date} is already listed on line {first}"),
            ));
        }
        map.insert(
            date,
            DayException {
                off,
                name: name.to_owned(),
            },
        );
    }
    Ok((map, notices))
}

/// Generates the `holidays.tsv` table from a directory of holiday-cn files (`*.json`, one per
/// year; other files are ignored).
///
/// A year's file can list 29-31 December of the year before (2007.json lists 2006-12-30/31),
/// no other day outside its year. If two files list the same date, the file of the later
/// year wins, as the later notice. (The
/// holiday-cn data of 2007-2027 has no such overlap: each date is listed by one file only.) A
/// date listed twice in the same file, two files of the same year, a file without `year` or a
/// name containing a tab or a line break is an error.
///
/// The output starts with a comment line naming the years and the regeneration command and a
/// `# notices:` line naming the years whose notice is published (a file of no days is
/// none), then one line per date, sorted: `YYYY-MM-DD<TAB>off|work<TAB>name`.
pub fn table_from_holiday_cn_dir(dir: &Path) -> Result<String, CalendarError> {
    let io_error = |source| CalendarError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();

    let mut files: BTreeMap<i32, (PathBuf, BTreeMap<NaiveDate, DayException>)> = BTreeMap::new();
    for path in paths {
        let file = parse_holiday_cn(&path, &read_to_string(&path)?)?;
        let Some(year) = file.year else {
            return Err(CalendarError::Content {
                path,
                message: "missing the `year` of the notice".to_owned(),
            });
        };
        let days = holiday_cn_days(&path, file)?;
        notice_year(&path, Some(year), &days)?;
        if let Some((other, _)) = files.get(&year) {
            return Err(CalendarError::Content {
                message: format!("year {year} is also given by {}", other.display()),
                path,
            });
        }
        files.insert(year, (path, days));
    }
    let (Some(&first_year), Some(&last_year)) = (files.keys().next(), files.keys().next_back())
    else {
        return Err(CalendarError::Content {
            path: dir.to_path_buf(),
            message: "no holiday-cn file (*.json) in this directory".to_owned(),
        });
    };

    // The years whose notice is published: a file of no days (holiday-cn
    // writes the next year's before its notice) is none.
    let published: Vec<String> = files
        .iter()
        .filter(|(_, (_, days))| !days.is_empty())
        .map(|(y, _)| y.to_string())
        .collect();
    // Ascending years: a later file's entry replaces an earlier one's.
    let mut merged: BTreeMap<NaiveDate, DayException> = BTreeMap::new();
    for (path, days) in files.into_values() {
        for (date, day) in days {
            if day.name.contains(['\t', '\n', '\r']) {
                return Err(CalendarError::Content {
                    path,
                    message: format!(
                        "the name of {date} contains a tab or a line break: {:?}",
                        day.name
                    ),
                });
            }
            merged.insert(date, day);
        }
    }

    let years = if first_year == last_year {
        first_year.to_string()
    } else {
        format!("{first_year}-{last_year}")
    };
    let mut out = format!(
        "# generated from holiday-cn {years}; do not edit: regenerate with {REGENERATE_COMMAND}\n{NOTICES_LINE} {}\n",
        published.join(" ")
    );
    for (date, day) in &merged {
        let status = if day.off { "off" } else { "work" };
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{date}\t{status}\t{}", day.name);
    }
    Ok(out)
}
