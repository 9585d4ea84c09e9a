//! The working-day calendar.
//!
//! `workdays(a, b)` is the number of working days `d` with `a < d <= b` on the official
//! calendar of the People's Republic of China: Monday to Friday are working days unless a
//! State Council notice makes them holidays, Saturday and Sunday are rest days unless a notice
//! makes them adjusted working days (调休). A case accepted and finished on the same day took 0
//! working days; one "finished" before it was accepted took 0 too (no day lies between:
//! `workdays(b, a) == 0` for `a <= b`, as the rule catalogue defines it).
//!
//! The official exceptions are embedded in the binary (`holidays.tsv`, generated from the
//! holiday-cn data by `examples/gen_calendar.rs`; `tests/calendar.rs` proves that the embedded
//! file equals a fresh generation). A user can layer a local calendar on top of it
//! ([`Calendar::with_local_file`]).
//!
//! Implementation: every day is numbered (`num_days_from_ce`), and the calendar answers the
//! *rank* of a day, the signed number of working days between a fixed origin and that day.
//! `workdays(a, b) = rank(b) - rank(a)`. Over a dense range of days (at least 2000-01-01 ..=
//! 2040-12-31, widened to hold every exception) the rank is precomputed in an array; outside it
//! there are no exceptions by construction, so the rank is the plain Monday-to-Friday count plus
//! the constant correction accumulated by the exceptions before that point. The two agree at
//! the boundary by construction, so `workdays` is exact and additive for any pair of dates.

mod dates;
mod files;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};

pub use dates::{add_months, add_years, age_in_full_years};
pub use files::table_from_holiday_cn_dir;

/// The official calendar table, generated from holiday-cn (see the first line of the file).
const EMBEDDED_TABLE: &str = include_str!("holidays.tsv");

/// The dense range always spans at least these years (widened to hold every exception).
const DENSE_FIRST_YEAR: i32 = 2000;
const DENSE_LAST_YEAR: i32 = 2040;

/// Exception dates must lie in these years: it bounds the dense array (a few hundred KB at
/// most) and catches typos such as `0205-05-06` in a local file.
pub const MIN_EXCEPTION_YEAR: i32 = 1900;
pub const MAX_EXCEPTION_YEAR: i32 = 2199;

/// One listed day: a holiday (`off = true`) or an adjusted working day (`off = false`).
///
/// The holiday-cn data also lists the weekend days inside a holiday period as `off`, and once
/// (2020-02-03) a weekday as a working day: such entries do not change the day's status but are
/// kept, since they carry the holiday's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayException {
    /// `true`: a rest day; `false`: a working day.
    pub off: bool,
    /// The holiday's name as published (e.g. `春节`), possibly empty in a local file.
    pub name: String,
}

/// Errors reading a calendar table, a holiday-cn directory or a local calendar file.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// A file or directory could not be read.
    #[error("无法读取 {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A JSON file is not in the holiday-cn format (the message carries line and column).
    #[error(
        "{}: 不是 holiday-cn 格式的日历文件 (应为 {{\"days\": [{{\"name\": \"…\", \"date\": \"YYYY-MM-DD\", \"isOffDay\": true|false}}, …]}}, 是某年国务院办公厅通知的全部安排时再写 \"year\": YYYY): {}",
        path.display(),
        crate::read::serde_in_chinese(&source.to_string())
    )]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// A YAML file is not a local calendar (the message carries line and column).
    #[error(
        "{}: 不是本地日历文件 (应为 `days: [{{date: YYYY-MM-DD, off: true|false, name: …}}, …]`, 是某年国务院办公厅通知的全部安排时再写 `year: YYYY`): {}",
        path.display(),
        crate::read::yaml_message(source)
    )]
    Yaml {
        path: PathBuf,
        #[source]
        source: serde_yaml::Error,
    },
    /// A line of a calendar table (`holidays.tsv` format) is malformed.
    #[error("{source_name}:{line}: {message}")]
    Table {
        source_name: String,
        line: usize,
        message: String,
    },
    /// A file parsed but its content is inconsistent (a date listed twice, a missing year, …).
    #[error("{}: {message}", path.display())]
    Content { path: PathBuf, message: String },
}

/// A count of working days over days no held notice settles
/// ([`Calendar::workdays_bounds`]): it lies in `least..=most`, and `year`'s
/// notice (the first missing) would settle it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unsettled {
    pub least: i64,
    pub most: i64,
    pub year: i32,
}

/// A working-day calendar: the listed exceptions plus a precomputed rank table.
///
/// Invariant: a day is *known* when the notice that settles it is held: the
/// notice of its year, and for 29-31 December also the next year's (every
/// 元旦 arrangement that moved a December day, 2006-2026, moved one of those
/// three). Counting over a day not known is [`Calendar::known_workdays`]'s
/// error, never a Monday-to-Friday guess: a year's holidays are unknown
/// until the State Council publishes them.
#[derive(Clone)]
pub struct Calendar {
    exceptions: BTreeMap<NaiveDate, DayException>,
    /// The years whose notice the calendar holds.
    notices: BTreeSet<i32>,
    /// The known days, as runs of day numbers (first, last), ascending.
    known: Vec<(i64, i64)>,
    /// Day number (`num_days_from_ce`) of the first day of the dense range.
    first_day: i64,
    /// `rank[i]` = rank of day `first_day + i` (see the module documentation).
    rank: Vec<i32>,
    /// Rank correction after the dense range: `rank(d) - weekday_rank(d)` for any later day.
    tail_correction: i64,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("exceptions", &self.exceptions.len())
            .field("covered_years", &self.covered_years())
            .field("dense_days", &self.rank.len())
            .finish_non_exhaustive()
    }
}

/// Signed number of Monday-to-Friday days `d` with `0 < d <= n` (negated for `n < 0`), `n`
/// being a `num_days_from_ce` day number. Day 1 (0001-01-01, proleptic Gregorian) is a Monday,
/// so day `n` is a weekday iff `n mod 7` is in 1..=5; `f(n) - f(n - 1)` is 1 exactly then.
#[inline]
fn weekday_rank(n: i64) -> i64 {
    5 * n.div_euclid(7) + n.rem_euclid(7).min(5)
}

#[inline]
fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

/// Ascending years in words, as runs: `2007-2026、2028`.
fn years_text(years: impl IntoIterator<Item = i32>) -> String {
    let mut runs: Vec<(i32, i32)> = Vec::new();
    for y in years {
        match runs.last_mut() {
            Some(r) if r.1 + 1 == y => r.1 = y,
            _ => runs.push((y, y)),
        }
    }
    runs.iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The days the notices of `years` settle (see [`Calendar`]'s invariant), as
/// ascending runs of day numbers.
fn known_runs(years: &BTreeSet<i32>) -> Vec<(i64, i64)> {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for &y in years {
        let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(y, 1, 1),
            NaiveDate::from_ymd_opt(y, 12, if years.contains(&(y + 1)) { 31 } else { 28 }),
        ) else {
            continue;
        };
        let (first, last) = (day_number(first), day_number(last));
        match runs.last_mut() {
            Some(run) if run.1 + 1 == first => run.1 = last,
            _ => runs.push((first, last)),
        }
    }
    runs
}

impl Calendar {
    /// The official national calendar embedded in yimen, parsed once.
    pub fn official() -> &'static Self {
        static OFFICIAL: OnceLock<Calendar> = OnceLock::new();
        OFFICIAL.get_or_init(|| {
            // The embedded table is generated by examples/gen_calendar.rs and is parsed by
            // tests/calendar.rs (which also checks it equals a fresh generation), so this
            // cannot fail in a tested build.
            Self::from_table_named(EMBEDDED_TABLE, "src/calendar/holidays.tsv")
                .expect("the embedded calendar table is valid (tested in tests/calendar.rs)")
        })
    }

    /// Builds a calendar from a table in the `holidays.tsv` format: one line per listed day,
    /// `YYYY-MM-DD<TAB>off|work<TAB>name`; a `# notices: 2007 2008 …` line names the years
    /// whose notices it holds (without it: those of the days it lists, 29-31 December
    /// counting for the next year); other lines starting with `#`, and blank lines, are
    /// ignored. A date listed twice is an error.
    pub fn from_table(tsv: &str) -> Result<Self, CalendarError> {
        Self::from_table_named(tsv, "calendar table")
    }

    fn from_table_named(tsv: &str, source_name: &str) -> Result<Self, CalendarError> {
        let (exceptions, notices) = files::parse_table(tsv, source_name)?;
        // (A table without its `# notices:` line: the notices of the days it
        // lists, 29-31 December being the next year's.)
        let notices = notices.unwrap_or_else(|| {
            exceptions
                .keys()
                .map(|d| d.year() + i32::from(d.month() == 12 && d.day() >= 29))
                .collect()
        });
        Ok(Self::from_exceptions(exceptions, notices))
    }

    /// A copy of this calendar with a user's local calendar layered on top: the file is either
    /// holiday-cn JSON (`.json`, or content starting with `{`) or YAML (`.yaml`/`.yml`, or any
    /// other content): `days: [{date: 2025-05-06, off: true, name: 地方假日}]` (`name` is
    /// optional). A local entry replaces the entry of the same date, if any.
    ///
    /// The file's days settle a year not yet known only when it says it is that
    /// year's notice: holiday-cn's `year`, or `year: 2027` in YAML. A local
    /// holiday alone (`壮族三月三`) does not make the rest of its year known.
    pub fn with_local_file(&self, path: &Path) -> Result<Self, CalendarError> {
        let (local, year) = files::read_local_file(path)?;
        let mut exceptions = self.exceptions.clone();
        exceptions.extend(local);
        let mut notices = self.notices.clone();
        notices.extend(year);
        Ok(Self::from_exceptions(exceptions, notices))
    }

    fn from_exceptions(
        exceptions: BTreeMap<NaiveDate, DayException>,
        notices: BTreeSet<i32>,
    ) -> Self {
        let dense_first = NaiveDate::from_ymd_opt(DENSE_FIRST_YEAR, 1, 1);
        let dense_last = NaiveDate::from_ymd_opt(DENSE_LAST_YEAR, 12, 31);
        let mut first = dense_first.map_or(0, day_number);
        let mut last = dense_last.map_or(0, day_number);
        if let Some((&d, _)) = exceptions.first_key_value() {
            first = first.min(day_number(d));
        }
        if let Some((&d, _)) = exceptions.last_key_value() {
            last = last.max(day_number(d));
        }

        // Exception dates are limited to MIN/MAX_EXCEPTION_YEAR by the parsers, so the range
        // holds a few hundred thousand days at most and every rank fits in an i32.
        let len = usize::try_from(last - first + 1).unwrap_or(0);
        let mut rank = Vec::with_capacity(len);
        let mut exc = exceptions.iter().peekable();
        let mut r = weekday_rank(first - 1);
        for n in first..=last {
            let weekday = weekday_rank(n) - weekday_rank(n - 1) == 1;
            let mut working = weekday;
            if let Some(&(&d, e)) = exc.peek() {
                if day_number(d) == n {
                    working = !e.off;
                    exc.next();
                }
            }
            r += i64::from(working);
            rank.push(r as i32);
        }
        let tail_correction = r - weekday_rank(last);
        let known = known_runs(&notices);
        Self {
            exceptions,
            notices,
            known,
            first_day: first,
            rank,
            tail_correction,
        }
    }

    /// Rank of day number `n`: inside the dense range one array lookup, outside it arithmetic.
    #[inline]
    fn rank_of(&self, n: i64) -> i64 {
        match usize::try_from(n - self.first_day) {
            Err(_) => weekday_rank(n),
            Ok(i) => match self.rank.get(i) {
                Some(&r) => i64::from(r),
                None => weekday_rank(n) + self.tail_correction,
            },
        }
    }

    /// Whether `d` is a working day.
    #[inline]
    pub fn is_workday(&self, d: NaiveDate) -> bool {
        let n = day_number(d);
        self.rank_of(n) - self.rank_of(n - 1) == 1
    }

    /// The number of working days `d` with `a < d <= b`, as the rule catalogue
    /// defines `workdays(a, b)`: 0 when `b` is not after `a` (no day lies
    /// between them; a case "finished" before it was accepted took no working
    /// day, it did not give any back).
    #[inline]
    pub fn workdays(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        self.workdays_between_day_numbers(day_number(a), day_number(b))
    }

    /// [`Calendar::workdays`] on day numbers (`NaiveDate::num_days_from_ce`).
    #[inline]
    pub fn workdays_between_day_numbers(&self, a: i64, b: i64) -> i64 {
        // (The rank never falls: for `b <= a` the difference is 0 or less.)
        (self.rank_of(b) - self.rank_of(a)).max(0)
    }

    /// The first and last year whose notice the calendar holds (the official one:
    /// 2007-2026). A calendar without any returns the empty range `(i32::MAX, i32::MIN)`.
    pub fn covered_years(&self) -> (i32, i32) {
        match (self.notices.first(), self.notices.last()) {
            (Some(&first), Some(&last)) => (first, last),
            _ => (i32::MAX, i32::MIN),
        }
    }

    /// [`Calendar::workdays`] on day numbers when every day counted (`a < d <= b`)
    /// is known (none is when `b <= a`: the count is 0 whatever the calendar);
    /// else the year of the first notice missing (2027 for 2026-12-30, whose
    /// status the 2027 notice may change).
    #[inline]
    pub fn known_workdays(&self, a: i64, b: i64) -> Result<i64, i32> {
        let (lo, hi) = (a + 1, b);
        if lo > hi || self.known.iter().any(|&(f, l)| f <= lo && hi <= l) {
            return Ok(self.workdays_between_day_numbers(a, b));
        }
        // The first day of the span not known.
        let mut d = lo;
        for &(f, l) in &self.known {
            if f <= d && d <= l {
                d = l + 1;
            }
        }
        Err(self.missing_notice(d))
    }

    /// [`Calendar::known_workdays`], or when days of the span are not known, the
    /// range the count lies in: each such day may be a working day or not,
    /// whatever its weekday (a notice may make a Saturday one).
    pub fn workdays_bounds(&self, a: i64, b: i64) -> Result<i64, Unsettled> {
        let year = match self.known_workdays(a, b) {
            Ok(n) => return Ok(n),
            Err(year) => year,
        };
        // (`a < b` here: an empty span is known.)
        let (lo, hi) = (a + 1, b);
        // The unknown stretches of the span: their days, and what the rank
        // counted of them.
        let (mut days, mut counted) = (0_i64, 0_i64);
        let mut stretch = |from: i64, to: i64| {
            if from <= to {
                days += to - from + 1;
                counted += self.rank_of(to) - self.rank_of(from - 1);
            }
        };
        let mut cur = lo;
        for &(f, l) in &self.known {
            if l < cur {
                continue;
            }
            if f > hi {
                break;
            }
            stretch(cur, f - 1);
            cur = l + 1;
        }
        stretch(cur, hi);
        let known = self.rank_of(hi) - self.rank_of(lo - 1) - counted;
        Err(Unsettled {
            least: known,
            most: known + days,
            year,
        })
    }

    /// Whether day `d` is known (see the type's invariant).
    pub fn is_known(&self, d: NaiveDate) -> bool {
        let n = day_number(d);
        self.known.iter().any(|&(f, l)| f <= n && n <= l)
    }

    /// The years whose notices are held, as runs (`2007-2026、2028`).
    pub fn held_years_text(&self) -> String {
        years_text(self.notices.iter().copied())
    }

    /// The notices missing for counting working days up to `as_of`: every year
    /// from the first held one (or `as_of`'s, if earlier) through the one that
    /// settles `as_of` (the next year's for 29-31 December) that is not held.
    /// Empty when `as_of` and every day between the held years and it are known.
    pub fn missing_notices(&self, as_of: NaiveDate) -> Vec<i32> {
        let last = if self.is_known(as_of) {
            as_of.year()
        } else {
            self.missing_notice(day_number(as_of))
        };
        let first = self
            .notices
            .first()
            .map_or(as_of.year(), |&f| f.min(as_of.year()));
        (first..=last)
            .filter(|y| !self.notices.contains(y))
            .collect()
    }

    /// What the calendar lacks for an audit dated `as_of`, in words (`2027 年的法定节假日与调休安排`,
    /// with why for 29-31 December), or `None` when it lacks nothing.
    pub fn missing_text(&self, as_of: NaiveDate) -> Option<String> {
        let missing = self.missing_notices(as_of);
        if missing.is_empty() {
            return None;
        }
        let mut text = format!(
            "{} 年的法定节假日与调休安排",
            years_text(missing.iter().copied())
        );
        if !self.is_known(as_of) && self.notices.contains(&as_of.year()) {
            let _ = write!(
                text,
                "（{} 年 12 月 29-31 日待 {} 年元旦的安排确定）",
                as_of.year(),
                as_of.year() + 1
            );
        }
        Some(text)
    }

    /// The notice that settles day number `n`: its year's, or the next year's for a
    /// late December day of a year whose notice is held.
    fn missing_notice(&self, n: i64) -> i32 {
        let d = NaiveDate::from_num_days_from_ce_opt(i32::try_from(n).unwrap_or(i32::MAX))
            .unwrap_or(NaiveDate::MAX);
        if self.notices.contains(&d.year()) {
            d.year() + 1
        } else {
            d.year()
        }
    }

    /// The listed entry for `d`, if any (its name is useful in explanations).
    pub fn exception(&self, d: NaiveDate) -> Option<&DayException> {
        self.exceptions.get(&d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_rank_steps_on_weekdays_only() {
        // 0001-01-01 is day 1 and a Monday; check a few weeks on both sides of the origin.
        for n in -30_i64..30 {
            let step = weekday_rank(n) - weekday_rank(n - 1);
            let expected = i64::from((1..=5).contains(&n.rem_euclid(7)));
            assert_eq!(step, expected, "day {n}");
        }
        let d = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(); // a Monday
        assert_eq!(day_number(d).rem_euclid(7), 1);
    }
}
