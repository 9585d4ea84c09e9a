//! The working-day calendar, through the public API, on the real holiday-cn data.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate, Weekday};
use yimen::calendar::{
    add_months, add_years, age_in_full_years, table_from_holiday_cn_dir, Calendar, CalendarError,
};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn holiday_cn_dir() -> PathBuf {
    manifest_dir().join("../shared/data/holiday-cn")
}

fn committed_table() -> String {
    std::fs::read_to_string(manifest_dir().join("src/calendar/holidays.tsv")).unwrap()
}

fn official() -> &'static Calendar {
    Calendar::official()
}

/// An independent reading of the committed table: date -> is a rest day.
fn reference_exceptions() -> HashMap<NaiveDate, bool> {
    committed_table()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "{l}");
            let off = match f[1] {
                "off" => true,
                "work" => false,
                other => panic!("bad status {other}"),
            };
            (date(f[0]), off)
        })
        .collect()
}

/// Day-by-day reference: the listed status, else Monday to Friday.
fn reference_is_workday(exc: &HashMap<NaiveDate, bool>, d: NaiveDate) -> bool {
    match exc.get(&d) {
        Some(&off) => !off,
        None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
    }
}

/// Day-by-day reference count of working days in (a, b], for a <= b.
fn reference_workdays(exc: &HashMap<NaiveDate, bool>, a: NaiveDate, b: NaiveDate) -> i64 {
    assert!(a <= b);
    a.iter_days()
        .skip(1)
        .take_while(|d| *d <= b)
        .filter(|d| reference_is_workday(exc, *d))
        .count() as i64
}

// ---------------------------------------------------------------------------------------------
// The embedded table

#[test]
fn embedded_table_equals_a_fresh_generation_from_holiday_cn() {
    let generated = table_from_holiday_cn_dir(&holiday_cn_dir()).unwrap();
    assert!(
        generated == committed_table(),
        "src/calendar/holidays.tsv is out of date: regenerate it with \
         `cargo run --example gen_calendar -- ../shared/data/holiday-cn > src/calendar/holidays.tsv`"
    );
    let first = generated.lines().next().unwrap();
    assert!(
        first.starts_with("# generated from holiday-cn 2007-2027; do not edit"),
        "{first}"
    );
}

#[test]
fn embedded_table_parses_and_official_calendar_loads() {
    let table = include_str!("../src/calendar/holidays.tsv");
    let parsed = Calendar::from_table(table).unwrap();
    assert_eq!(parsed.covered_years(), (2007, 2026));
    let cal = Calendar::official();
    assert_eq!(cal.covered_years(), (2007, 2026));
    // The same instance every time (parsed once).
    assert!(std::ptr::eq(cal, Calendar::official()));
    // Every data line of the table became an entry.
    let lines = table.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(lines, reference_exceptions().len());
    assert_eq!(lines, 678);
}

/// What was found in the data: a year's file lists a few days of the previous year (the
/// 元旦 days around 31 December), but no date is listed by two files, so the "later year
/// wins" rule of the generator never applies to the current data. This test keeps that finding
/// true (or makes a future overlap visible).
#[test]
fn holiday_cn_files_never_list_the_same_date_twice() {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut outside_own_year = Vec::new();
    for entry in std::fs::read_dir(holiday_cn_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let year = v["year"].as_i64().unwrap();
        for day in v["days"].as_array().unwrap() {
            let d = day["date"].as_str().unwrap().to_owned();
            if !d.starts_with(&year.to_string()) {
                outside_own_year.push(d.clone());
            }
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            if let Some(other) = seen.insert(d.clone(), file.clone()) {
                panic!("{d} is listed by {other} and {file}");
            }
        }
    }
    outside_own_year.sort();
    assert_eq!(
        outside_own_year,
        [
            "2006-12-30",
            "2006-12-31",
            "2007-12-29",
            "2007-12-30",
            "2007-12-31",
            "2011-12-31",
            "2018-12-29",
            "2018-12-30",
            "2018-12-31",
            "2022-12-31"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Real holidays

#[test]
fn spring_festival_2025() {
    let cal = official();
    // From 2025.json: 01-26 (Sun) work; 01-28 .. 02-04 off; 02-08 (Sat) work.
    // Days d with 2025-01-24 (Fri) < d <= 2025-02-05 (Wed):
    //   01-25 Sat  rest (ordinary weekend)
    //   01-26 Sun  WORK (调休)                      -> 1
    //   01-27 Mon  work                             -> 2
    //   01-28 Tue .. 02-04 Tue  春节 (listed off)   -> 0
    //   02-05 Wed  work                             -> 3
    assert_eq!(cal.workdays(date("2025-01-24"), date("2025-02-05")), 3);
    // The adjusted working weekend days.
    assert!(cal.is_workday(date("2025-01-26")));
    assert_eq!(date("2025-01-26").weekday(), Weekday::Sun);
    assert!(cal.is_workday(date("2025-02-08")));
    assert_eq!(date("2025-02-08").weekday(), Weekday::Sat);
    assert!(!cal.is_workday(date("2025-02-09")));
    assert!(!cal.is_workday(date("2025-01-25")));
    // Holidays on weekdays.
    assert!(!cal.is_workday(date("2025-01-28")));
    assert!(!cal.is_workday(date("2025-02-04")));
    assert!(cal.is_workday(date("2025-02-05")));
    let e = cal.exception(date("2025-02-08")).unwrap();
    assert!(!e.off);
    assert_eq!(e.name, "春节");
    assert!(cal.exception(date("2025-02-05")).is_none());
    // Accepted on the 调休 Saturday, finished on Monday 02-10: only Monday counts.
    assert_eq!(cal.workdays(date("2025-02-08"), date("2025-02-10")), 1);
}

#[test]
fn same_day_friday_to_monday_and_year_boundary() {
    let cal = official();
    assert_eq!(cal.workdays(date("2025-03-07"), date("2025-03-07")), 0);
    assert_eq!(cal.workdays(date("2025-01-28"), date("2025-01-28")), 0); // a holiday too
    assert_eq!(date("2025-03-07").weekday(), Weekday::Fri);
    assert_eq!(cal.workdays(date("2025-03-07"), date("2025-03-10")), 1);
    // 2024-12-31 (Tue) -> 2025-01-02 (Thu): 01-01 is 元旦, 01-02 counts.
    assert_eq!(cal.workdays(date("2024-12-31"), date("2025-01-02")), 1);
    assert!(!cal.is_workday(date("2025-01-01")));
}

#[test]
fn national_day_2025() {
    let cal = official();
    // From 2025.json: 09-28 (Sun) work, 10-01 .. 10-08 off, 10-11 (Sat) work.
    assert_eq!(date("2025-09-28").weekday(), Weekday::Sun);
    assert_eq!(date("2025-10-11").weekday(), Weekday::Sat);
    assert!(cal.is_workday(date("2025-09-28")));
    assert!(cal.is_workday(date("2025-10-11")));
    assert!(!cal.is_workday(date("2025-10-12")));
    for day in 1..=8 {
        assert!(!cal.is_workday(NaiveDate::from_ymd_opt(2025, 10, day).unwrap()));
    }
    // (2025-09-26 Fri, 2025-10-13 Mon]: 09-27 Sat rest; 09-28 Sun WORK (1); 09-29, 09-30 (3);
    // 10-01 .. 10-08 rest; 10-09, 10-10 (5); 10-11 Sat WORK (6); 10-12 Sun rest; 10-13 (7).
    assert_eq!(cal.workdays(date("2025-09-26"), date("2025-10-13")), 7);
    // Accepted on the last day before the holiday, finished on the first day after it.
    assert_eq!(cal.workdays(date("2025-09-30"), date("2025-10-09")), 1);
}

/// The rule catalogue: `workdays(a, b)` is the number of working days d with
/// date(a) < d <= date(b); with b before a no day is one, so the count is 0,
/// not the days counted backwards.
#[test]
fn reversed_interval_counts_no_day() {
    let cal = official();
    assert_eq!(cal.workdays(date("2025-02-05"), date("2025-01-24")), 0);
    assert_eq!(cal.workdays(date("2025-10-13"), date("2025-09-26")), 0);
    assert_eq!(cal.workdays(date("2045-03-10"), date("1999-03-10")), 0);
    // Even over days no notice settles: no day is counted, so none is unknown.
    let span = |a: &str, b: &str| {
        cal.known_workdays(
            i64::from(date(a).num_days_from_ce()),
            i64::from(date(b).num_days_from_ce()),
        )
    };
    assert_eq!(span("2027-03-10", "2027-01-04"), Ok(0));
    assert_eq!(span("2026-12-31", "2026-12-29"), Ok(0));
    assert!(span("2027-01-04", "2027-03-10").is_err());
}

// ---------------------------------------------------------------------------------------------
// Outside the data and the dense range

#[test]
fn outside_the_dense_range_counts_monday_to_friday() {
    let cal = official();
    let none = HashMap::new();
    // 1999-01-01 is a Friday: 1999 has 261 weekdays, 260 of them after 01-01.
    assert_eq!(cal.workdays(date("1999-01-01"), date("1999-12-31")), 260);
    // 2045-01-01 and 2045-12-31 are Sundays: 260 weekdays in between.
    assert_eq!(cal.workdays(date("2045-01-01"), date("2045-12-31")), 260);
    for (a, b) in [
        ("1999-01-01", "1999-12-31"),
        ("2045-01-01", "2045-12-31"),
        ("1950-02-03", "1951-07-09"),
        ("2060-06-06", "2061-01-01"),
        ("1999-12-29", "2000-01-04"),
        ("2040-12-27", "2041-01-03"),
    ] {
        assert_eq!(
            cal.workdays(date(a), date(b)),
            reference_workdays(&none, date(a), date(b)),
            "{a} -> {b}"
        );
    }
    // Across the dense-range start: 2000-01-01 Sat, 01-02 Sun, 01-03 Mon, 01-04 Tue.
    assert_eq!(cal.workdays(date("1999-12-31"), date("2000-01-04")), 2);
    // Far away dates do not panic and stay consistent.
    let far_past = NaiveDate::MIN;
    let far_future = NaiveDate::MAX;
    let whole = cal.workdays(far_past, far_future);
    assert_eq!(
        whole,
        cal.workdays(far_past, date("2025-01-01")) + cal.workdays(date("2025-01-01"), far_future)
    );
    assert!(!cal.is_workday(date("1999-01-02"))); // Saturday
    assert!(cal.is_workday(date("2045-01-02"))); // Monday
}

/// A small deterministic linear congruential generator (no rand crate).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn date_in(&mut self, first: NaiveDate, last: NaiveDate) -> NaiveDate {
        let span = (last - first).num_days() as u64 + 1;
        first + chrono::Days::new(self.next() % span)
    }
}

#[test]
fn additive_and_exact_across_the_dense_range_boundaries() {
    let cal = official();
    let exc = reference_exceptions();
    // Reference rank over 1990 ..= 2050, day by day.
    let start = date("1990-01-01");
    let end = date("2050-12-31");
    let mut reference_rank = HashMap::new();
    let mut r = 0_i64;
    for d in start.iter_days().take_while(|d| *d <= end) {
        if d > start && reference_is_workday(&exc, d) {
            r += 1;
        }
        reference_rank.insert(d, r);
    }
    let reference = |a: NaiveDate, b: NaiveDate| reference_rank[&b] - reference_rank[&a];

    let mut rng = Lcg(0x5eed_1234_abcd_0042);
    let windows = [
        (date("1995-01-01"), date("1999-12-31")), // before the dense range
        (date("2000-01-01"), date("2004-12-31")), // its start
        (date("2005-01-01"), date("2035-12-31")), // the data
        (date("2036-01-01"), date("2040-12-31")), // its end
        (date("2041-01-01"), date("2050-12-31")), // after it
        (start, end),
    ];
    for _ in 0..2000 {
        let mut abc = [0, 1, 2].map(|_| {
            let (f, l) = windows[(rng.next() % windows.len() as u64) as usize];
            rng.date_in(f, l)
        });
        abc.sort();
        let [a, b, c] = abc;
        let (ab, bc, ac) = (cal.workdays(a, b), cal.workdays(b, c), cal.workdays(a, c));
        assert_eq!(ac, ab + bc, "{a} {b} {c}");
        assert_eq!(ac, reference(a, c), "{a} -> {c}");
        assert_eq!(cal.workdays(c, a), 0, "{c} -> {a}");
    }
    // The boundaries themselves, day by day.
    for (f, l) in [
        (date("1999-12-20"), date("2000-01-10")),
        (date("2040-12-20"), date("2041-01-10")),
    ] {
        for a in f.iter_days().take_while(|d| *d <= l) {
            for b in a.iter_days().take_while(|d| *d <= l) {
                assert_eq!(cal.workdays(a, b), reference(a, b), "{a} -> {b}");
            }
        }
    }
}

#[test]
fn is_workday_matches_the_table_day_by_day_2007_to_2027() {
    let cal = official();
    let exc = reference_exceptions();
    let mut previous = date("2006-12-31");
    let mut total = 0;
    for d in date("2007-01-01")
        .iter_days()
        .take_while(|d| *d <= date("2027-12-31"))
    {
        let expected = reference_is_workday(&exc, d);
        assert_eq!(cal.is_workday(d), expected, "{d}");
        assert_eq!(cal.workdays(previous, d), i64::from(expected), "{d}");
        total += i64::from(expected);
        previous = d;
    }
    assert_eq!(cal.workdays(date("2006-12-31"), date("2027-12-31")), total);
    // 2025: 261 weekdays (01-01 is a Wednesday, 52 weeks + 1 day), minus 18 holiday weekdays
    // (元旦 1, 春节 6, 清明 1, 劳动节 3, 端午 1, 国庆中秋 6), plus 5 调休 weekend days
    // (01-26, 02-08, 04-27, 09-28, 10-11) = 248.
    assert_eq!(cal.workdays(date("2024-12-31"), date("2025-12-31")), 248);
    assert_eq!(
        reference_workdays(&exc, date("2024-12-31"), date("2025-12-31")),
        248
    );
}

// ---------------------------------------------------------------------------------------------
// Local calendars and tables

#[test]
fn local_yaml_calendar_overrides_the_official_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("local.yaml");
    std::fs::write(
        &path,
        "# 本县地方假日\n\
         days:\n  \
           - {date: 2025-05-06, off: true, name: 地方假日}\n  \
           - date: 2025-10-11\n    \
             off: true\n    \
             name: 本地调整\n  \
           - date: 2025-05-10\n    \
             off: false\n",
    )
    .unwrap();
    let official = Calendar::official();
    let local = official.with_local_file(&path).unwrap();

    // 2025-05-06 is a Tuesday, made a holiday.
    assert_eq!(date("2025-05-06").weekday(), Weekday::Tue);
    assert!(official.is_workday(date("2025-05-06")));
    assert!(!local.is_workday(date("2025-05-06")));
    assert_eq!(official.workdays(date("2025-05-05"), date("2025-05-09")), 4);
    assert_eq!(local.workdays(date("2025-05-05"), date("2025-05-09")), 3);
    assert_eq!(
        local.exception(date("2025-05-06")).unwrap().name,
        "地方假日"
    );
    // The official 调休 Saturday 2025-10-11 is overridden to a rest day.
    assert!(official.is_workday(date("2025-10-11")));
    assert!(!local.is_workday(date("2025-10-11")));
    assert_eq!(local.workdays(date("2025-09-26"), date("2025-10-13")), 6);
    // A Saturday made a working day, without a name.
    assert!(local.is_workday(date("2025-05-10")));
    assert_eq!(local.exception(date("2025-05-10")).unwrap().name, "");
    // Everything else is unchanged.
    assert_eq!(local.workdays(date("2025-01-24"), date("2025-02-05")), 3);
    assert_eq!(local.covered_years(), official.covered_years());
}

#[test]
fn local_holiday_cn_json_calendar_overrides_and_extends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("2031.json");
    std::fs::write(
        &path,
        r#"{"year": 2031, "days": [
            {"name": "元旦", "date": "2031-01-01", "isOffDay": true}
        ]}"#,
    )
    .unwrap();
    let extra = dir.path().join("extra.json");
    std::fs::write(
        &extra,
        r#"{"days": [{"name": "测试", "date": "2025-05-07", "isOffDay": true}]}"#,
    )
    .unwrap();
    let local = Calendar::official()
        .with_local_file(&path)
        .unwrap()
        .with_local_file(&extra)
        .unwrap();
    assert_eq!(local.covered_years(), (2007, 2031));
    assert!(!local.is_workday(date("2031-01-01"))); // a Wednesday
    assert!(Calendar::official().is_workday(date("2031-01-01")));
    assert!(!local.is_workday(date("2025-05-07")));
    assert_eq!(local.workdays(date("2030-12-31"), date("2031-01-02")), 1);
    // Layering works on any calendar, and content sniffing works without an extension.
    let sniffed = dir.path().join("calendar");
    std::fs::write(
        &sniffed,
        r#"{"days": [{"name": "x", "date": "2050-01-03", "isOffDay": true}]}"#,
    )
    .unwrap();
    let twice = local.with_local_file(&sniffed).unwrap();
    assert!(!twice.is_workday(date("2050-01-03"))); // a Monday, beyond the default dense range
    assert!(!twice.is_workday(date("2031-01-01")));
    // (A file that says no year settles none: 2050 stays unknown.)
    assert_eq!(twice.covered_years(), (2007, 2031));
    // Beyond the last listed day, the count stays exact.
    assert_eq!(
        twice.workdays(date("2049-12-31"), date("2060-12-31")),
        local.workdays(date("2049-12-31"), date("2060-12-31")) - 1
    );
}

/// Either form takes either key for a day off (`off`, holiday-cn's
/// `isOffDay`), and a JSON day may leave out its name as a YAML one may:
/// a YAML file written with holiday-cn's key was refused.
#[test]
fn local_calendars_take_either_key_for_a_day_off() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("local.yaml");
    std::fs::write(
        &yaml,
        "days:\n  - {date: 2025-05-06, isOffDay: true, name: 地方假日}\n",
    )
    .unwrap();
    let json = dir.path().join("local.json");
    std::fs::write(&json, r#"{"days": [{"date": "2025-05-06", "off": true}]}"#).unwrap();
    for path in [yaml, json] {
        let local = Calendar::official().with_local_file(&path).unwrap();
        assert!(!local.is_workday(date("2025-05-06")), "{path:?}");
    }
}

#[test]
fn local_file_errors_name_the_file_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.yaml");
    let err = Calendar::official().with_local_file(&missing).unwrap_err();
    assert!(matches!(err, CalendarError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("missing.yaml"), "{err}");

    let bad_date = dir.path().join("bad.yaml");
    std::fs::write(&bad_date, "days:\n  - {date: 2025-5-6, off: true}\n").unwrap();
    let err = Calendar::official().with_local_file(&bad_date).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, CalendarError::Yaml { .. }), "{err:?}");
    assert!(
        msg.contains("bad.yaml") && msg.contains("2025-5-6"),
        "{msg}"
    );
    assert!(msg.contains("第 2 行"), "{msg}");
    assert!(msg.contains("日期应写作 YYYY-MM-DD"), "{msg}");

    let typo = dir.path().join("typo.yml");
    std::fs::write(&typo, "days:\n  - {date: 2025-05-06, of: true}\n").unwrap();
    let err = Calendar::official().with_local_file(&typo).unwrap_err();
    assert!(err.to_string().contains("typo.yml"), "{err}");

    let twice = dir.path().join("twice.yaml");
    std::fs::write(
        &twice,
        "days:\n  - {date: 2025-05-06, off: true}\n  - {date: 2025-05-06, off: false}\n",
    )
    .unwrap();
    let err = Calendar::official().with_local_file(&twice).unwrap_err();
    assert!(err.to_string().contains("列出了两次"), "{err}");

    let json = dir.path().join("bad.json");
    std::fs::write(
        &json,
        r#"{"days": [{"date": "2025-05-06", "isOffDay": 1}]}"#,
    )
    .unwrap();
    let err = Calendar::official().with_local_file(&json).unwrap_err();
    assert!(matches!(err, CalendarError::Json { .. }), "{err:?}");
    assert!(err.to_string().contains("第 1 行"), "{err}");

    let far = dir.path().join("far.yaml");
    std::fs::write(&far, "days:\n  - {date: 0205-05-06, off: true}\n").unwrap();
    let err = Calendar::official().with_local_file(&far).unwrap_err();
    assert!(err.to_string().contains("不在支持的年份"), "{err}");
}

#[test]
fn from_table_reports_the_line() {
    let err = Calendar::from_table("# header\n2025-01-01\toff\n").unwrap_err();
    assert!(
        matches!(err, CalendarError::Table { line: 2, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("YYYY-MM-DD<TAB>off|work<TAB>name"),
        "{err}"
    );
    let err = Calendar::from_table("2025-01-01\tholiday\t元旦\n").unwrap_err();
    assert!(
        err.to_string().contains(":1: expected `off` or `work`"),
        "{err}"
    );
    let err = Calendar::from_table("2025-01-01\toff\t元旦\n\n2025-01-01\twork\tx\n").unwrap_err();
    assert!(
        matches!(err, CalendarError::Table { line: 3, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("already listed on line 1"),
        "{err}"
    );
    let err = Calendar::from_table("2025-13-01\toff\tx\n").unwrap_err();
    assert!(err.to_string().contains("2025-13-01"), "{err}");

    // A table with CRLF line ends and an empty name is fine.
    let cal = Calendar::from_table("# x\r\n2025-05-06\toff\t\r\n").unwrap();
    assert!(!cal.is_workday(date("2025-05-06")));
    assert_eq!(cal.exception(date("2025-05-06")).unwrap().name, "");

    // An empty table is a plain Monday-to-Friday calendar covering no year.
    let plain = Calendar::from_table("").unwrap();
    let (first, last) = plain.covered_years();
    assert!(first > last);
    assert_eq!(plain.workdays(date("2025-01-24"), date("2025-02-05")), 8);
}

#[test]
fn generation_errors() {
    let dir = tempfile::tempdir().unwrap();
    let err = table_from_holiday_cn_dir(dir.path()).unwrap_err();
    assert!(err.to_string().contains("no holiday-cn file"), "{err}");
    let err = table_from_holiday_cn_dir(&dir.path().join("nope")).unwrap_err();
    assert!(matches!(err, CalendarError::Io { .. }), "{err:?}");

    std::fs::write(
        dir.path().join("2030.json"),
        r#"{"year": 2030, "days": [{"name": "a", "date": "2029-12-31", "isOffDay": true},
                                   {"name": "b", "date": "2030-01-01", "isOffDay": true}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("2029.json"),
        r#"{"year": 2029, "days": [{"name": "old", "date": "2029-12-31", "isOffDay": false}]}"#,
    )
    .unwrap();
    // Overlap: the later year's file wins.
    let table = table_from_holiday_cn_dir(dir.path()).unwrap();
    assert_eq!(
        table.lines().skip(1).collect::<Vec<_>>(),
        [
            "# notices: 2029 2030",
            "2029-12-31\toff\ta",
            "2030-01-01\toff\tb"
        ]
    );
    assert!(table.starts_with("# generated from holiday-cn 2029-2030;"));

    std::fs::write(
        dir.path().join("copy.json"),
        r#"{"year": 2030, "days": []}"#,
    )
    .unwrap();
    let err = table_from_holiday_cn_dir(dir.path()).unwrap_err();
    assert!(
        err.to_string().contains("year 2030 is also given by"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Date arithmetic

#[test]
fn add_years_and_months_clamp() {
    assert_eq!(add_years(date("2024-02-29"), 1), Some(date("2025-02-28")));
    assert_eq!(add_years(date("2024-02-29"), 4), Some(date("2028-02-29")));
    assert_eq!(add_years(date("2024-02-29"), -1), Some(date("2023-02-28")));
    assert_eq!(add_years(date("2025-06-15"), 0), Some(date("2025-06-15")));
    assert_eq!(add_years(date("2025-06-15"), -45), Some(date("1980-06-15")));
    assert_eq!(add_months(date("2025-01-31"), 1), Some(date("2025-02-28")));
    assert_eq!(add_months(date("2024-01-31"), 1), Some(date("2024-02-29")));
    assert_eq!(add_months(date("2025-03-31"), -1), Some(date("2025-02-28")));
    assert_eq!(add_months(date("2025-01-31"), -2), Some(date("2024-11-30")));
    assert_eq!(add_months(date("2025-01-15"), 12), Some(date("2026-01-15")));
    assert_eq!(add_months(date("2025-11-30"), 3), Some(date("2026-02-28")));
    assert_eq!(add_months(date("2025-05-31"), 0), Some(date("2025-05-31")));
    // Past the ends of the calendar: no date (a rule reports an overflow).
    assert_eq!(add_years(date("2025-06-15"), i64::MAX), None);
    assert_eq!(add_months(date("2025-06-15"), -9_000_000_000_000), None);
    assert_eq!(add_years(date("2025-06-15"), 300_000), None);
}

#[test]
fn age_in_full_years_boundaries() {
    let birth = date("1980-06-15");
    assert_eq!(age_in_full_years(birth, date("2025-06-15")), 45);
    assert_eq!(age_in_full_years(birth, date("2025-06-14")), 44);
    assert_eq!(age_in_full_years(birth, date("2025-06-16")), 45);
    assert_eq!(age_in_full_years(birth, date("2026-06-14")), 45);
    assert_eq!(age_in_full_years(birth, birth), 0);
    // Born on February 29: the birthday of a common year is March 1.
    let leap = date("1980-02-29");
    assert_eq!(age_in_full_years(leap, date("2025-02-28")), 44);
    assert_eq!(age_in_full_years(leap, date("2025-03-01")), 45);
    assert_eq!(age_in_full_years(leap, date("2024-02-28")), 43);
    assert_eq!(age_in_full_years(leap, date("2024-02-29")), 44);
    // Before birth: negative, floor semantics.
    assert_eq!(age_in_full_years(birth, date("1980-06-14")), -1);
    assert_eq!(age_in_full_years(birth, date("1979-06-15")), -1);
    assert_eq!(age_in_full_years(birth, date("1979-06-14")), -2);
}

#[test]
fn calendar_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Calendar>();
    assert_send_sync::<CalendarError>();
}

/// Working days are counted only over days a held notice settles: a year
/// whose holidays are not published (2027, 2006), and 29-31 December of
/// the last year held (the next year's 元旦 notice has moved those days,
/// 2007-12-29 and 2018-12-29 among them), give the year of the notice
/// missing, not a Monday-to-Friday guess.
#[test]
fn working_days_over_days_no_notice_settles_are_unknown() {
    let cal = Calendar::official();
    let n = |d: &str| i64::from(chrono::Datelike::num_days_from_ce(&date(d)));
    assert_eq!(cal.known_workdays(n("2026-12-01"), n("2026-12-28")), Ok(19));
    assert_eq!(
        cal.known_workdays(n("2026-12-01"), n("2026-12-29")),
        Err(2027)
    );
    assert_eq!(
        cal.known_workdays(n("2027-01-05"), n("2027-03-01")),
        Err(2027)
    );
    // Backwards no day is counted, so none is unknown.
    assert_eq!(cal.known_workdays(n("2027-03-01"), n("2027-01-05")), Ok(0));
    // The span is the days after the first date: 2006-12-31 itself is not counted.
    assert_eq!(cal.known_workdays(n("2006-12-31"), n("2007-01-05")), Ok(2));
    assert_eq!(
        cal.known_workdays(n("2006-06-01"), n("2007-01-05")),
        Err(2006)
    );
    // No day counted, none unknown.
    assert_eq!(cal.known_workdays(n("2030-05-05"), n("2030-05-05")), Ok(0));
    // A late December day of a year held, before the next year's notice
    // and after it.
    assert_eq!(cal.known_workdays(n("2025-12-26"), n("2026-01-05")), Ok(5));
    assert!(cal.is_known(date("2026-12-28")));
    assert!(!cal.is_known(date("2026-12-29")));
    assert!(!cal.is_known(date("2006-12-31")));

    // A local file saying it is the 2027 notice settles 2027 and the end of 2026.
    let dir = tempfile::tempdir().unwrap();
    let layered = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        cal.with_local_file(&path)
    };
    let with = layered(
        "2027.yaml",
        "year: 2027\ndays:\n  - {date: 2027-01-01, off: true, name: 元旦}\n",
    )
    .unwrap();
    assert_eq!(with.covered_years(), (2007, 2027));
    assert_eq!(with.known_workdays(n("2026-12-28"), n("2027-01-04")), Ok(4));
    assert_eq!(
        with.known_workdays(n("2027-12-01"), n("2027-12-31")),
        Err(2028)
    );
    // A local holiday alone does not.
    let with = layered(
        "local.yaml",
        "days:\n  - {date: 2027-04-09, off: true, name: 三月三}\n",
    )
    .unwrap();
    assert_eq!(with.covered_years(), (2007, 2026));
    assert_eq!(
        with.known_workdays(n("2027-04-01"), n("2027-04-30")),
        Err(2027)
    );
    // A notice's days lie in its year or around its 元旦.
    let err = layered(
        "wrong.json",
        r#"{"year": 2026, "days": [{"name": "x", "date": "2025-05-07", "isOffDay": true}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("日期 2025-05-07 不属于 2026 年的通知"),
        "{err}"
    );
    // The range an unsettled count lies in: each unknown day may be a
    // working day or not (2026-12-29..31 are Tuesday to Thursday).
    let u = cal
        .workdays_bounds(n("2026-12-20"), n("2026-12-31"))
        .unwrap_err();
    assert_eq!((u.least, u.most, u.year), (6, 9, 2027));
    // Backwards: no day counted, none unknown.
    assert_eq!(cal.workdays_bounds(n("2026-12-31"), n("2026-12-20")), Ok(0));
    assert_eq!(cal.workdays_bounds(n("2026-12-20"), n("2026-12-28")), Ok(6));
    // An empty notice (holiday-cn's file of a year not yet published) settles nothing.
    let empty = layered("2027.json", r#"{"year": 2027, "papers": [], "days": []}"#);
    assert_eq!(empty.unwrap().covered_years(), (2007, 2026));
}

/// A count over more unknown days than a fortnight (23 days of an
/// unpublished year at the end of January's third week) is still decided
/// when every count it may take gives one verdict: Y26c, unfinished since
/// October 2026, is overdue however the 2027 notice falls (it was
/// undetermined past sixteen values); Y26d, accepted in late November,
/// may be on time or not and stays undetermined.
#[test]
fn a_verdict_every_count_of_three_unknown_weeks_gives_stands() {
    let dir = p35_export(&[
        ("Y26c", "2026-10-09 09:00:00", ""),
        ("Y26d", "2026-11-20 09:00:00", ""),
    ]);
    let (json, _) = json_of(
        "audit",
        dir.path(),
        &["--as-of", "2027-01-20", "--fail-on", "never"],
    );
    let found: Vec<(&str, &str)> = common::with_code(&json, "findings", "H003")
        .into_iter()
        .map(|f| {
            (
                f["key"][0].as_str().unwrap(),
                f["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "Y26c");
    assert!(found[0].1.contains(" 至 "), "{found:?}");
    let undetermined: Vec<&str> = common::with_code(&json, "undetermined", "H003")
        .into_iter()
        .map(|f| f["key"][0].as_str().unwrap())
        .collect();
    assert_eq!(undetermined, ["Y26d"]);
}

/// A count over days no notice settles written in a message hole of its
/// own (not through the `let` the clause decided on), or in the message of
/// a rule another clause decided, shows between its least and most, as the
/// `let` does, through both evaluators (it showed "—"); a negated count
/// shows its least first.
#[test]
fn a_message_hole_counting_unsettled_days_shows_its_range() {
    let dir = p35_export(&[("Y26b", "2026-11-05 09:00:00", "2026-12-30 10:00:00")]);
    let policies = common::policy_folder(
        r#"policy p {
  title "区间"
}

rule K501 late {
  severity warning
  cite gangnan-2017 "四、(六)"
  for case in cases
  let used = workdays(case.accepted_at, case.finished_at)
  require used <= 35
  message "{used} / {workdays(case.accepted_at, case.finished_at)}"
}

rule K502 centre {
  severity warning
  cite gangnan-2017 "四、(六)"
  for case in cases
  require case.channel == "原单位"
  message "{workdays(case.accepted_at, case.finished_at)} / {0 - workdays(case.accepted_at, case.finished_at)}"
}
"#,
    );
    for engine in [None, Some("reference")] {
        let json = common::audit_json(engine, dir.path(), &[policies.path().to_path_buf()]);
        let found = common::with_code(&json, "findings", "K501");
        assert_eq!(found.len(), 1, "{json}");
        let message = found[0]["message"].as_str().unwrap();
        let (a, b) = message.split_once(" / ").unwrap();
        assert!(a.contains(" 至 "), "{message}");
        assert_eq!(a, b, "{engine:?}");
        // Decided by the channel, not the count: the hole still shows its
        // range (it showed "—"), and a negated count its least first.
        let found = common::with_code(&json, "findings", "K502");
        assert_eq!(found.len(), 1, "{json}");
        let message = found[0]["message"].as_str().unwrap();
        let (a, b) = message.split_once(" / ").unwrap();
        let (lo, hi) = a.split_once(" 至 ").unwrap();
        assert_eq!(b, format!("-{hi} 至 -{lo}"), "{engine:?}: {message}");
    }
}

/// An export of item P35 (35 working days promised) and the case log rows
/// `cases` (id, accepted, finished).
fn p35_export(cases: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("事项目录.csv"),
        "事项编码,事项名称,事项类型,实施主体,是否进驻中心,承诺办结时限\nP35,测试事项,行政许可,区民政局,是,35\n",
    )
    .unwrap();
    let mut log = String::from("办件编号,事项编码,受理部门,受理渠道,受理时间,办结时间\n");
    for (id, accepted, finished) in cases {
        log.push_str(&format!(
            "{id},P35,区民政局,中心窗口,{accepted},{finished}\n"
        ));
    }
    std::fs::write(dir.path().join("办件记录.csv"), log).unwrap();
    dir
}

/// `yimen COMMAND DIR --format json ARGS…`, which must exit 0: its JSON and
/// its standard error.
fn json_of(command: &str, dir: &std::path::Path, args: &[&str]) -> (serde_json::Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg(command)
        .arg(dir)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    (serde_json::from_slice(&out.stdout).unwrap(), err)
}

/// Through the audit: a time limit counted over days of 2027, whose holidays
/// the calendar does not hold, is undetermined naming the notice missing
/// (it was a finding counted Monday to Friday, said only on stderr); a case
/// whose span ends before 29 December 2026 is decided, and so is one whose
/// verdict holds however 29-31 December fall; the 2027 notice given with
/// `--calendar` decides the others.
#[test]
fn the_audit_leaves_a_time_limit_over_an_unpublished_year_undetermined() {
    let dir = p35_export(&[
        ("Y27", "2027-01-05 09:00:00", ""),
        ("Y26", "2026-10-09 09:00:00", "2026-12-20 10:00:00"),
        ("Y26b", "2026-11-05 09:00:00", "2026-12-30 10:00:00"),
    ]);
    let audit = |extra: &[&str]| {
        let mut args = vec!["--as-of", "2027-03-01", "--fail-on", "never"];
        args.extend(extra);
        let (json, err) = json_of("audit", dir.path(), &args);
        let h003 = |list: &str| -> Vec<String> {
            common::with_code(&json, list, "H003")
                .into_iter()
                .map(|f| {
                    let missing = f["missing"].as_array().map_or(String::new(), |m| {
                        m.iter()
                            .map(|v| v.as_str().unwrap())
                            .collect::<Vec<_>>()
                            .join(",")
                    });
                    format!("{} {missing}", f["key"][0].as_str().unwrap())
                        .trim()
                        .to_string()
                })
                .collect()
        };
        (h003("findings"), h003("undetermined"), err)
    };
    let (found, undetermined, err) = audit(&[]);
    // (Y26b ends on 30 December: overdue however 29-30 December fall.)
    assert_eq!(found, ["Y26", "Y26b"]);
    assert_eq!(undetermined, ["Y27 工作日历(2027年未收录)"]);
    assert!(
        err.contains("审计日 2027-03-01 所需的 2027 年的法定节假日与调休安排未收录"),
        "{err}"
    );
    let notice = dir.path().join("2027.yaml");
    std::fs::write(
        &notice,
        "year: 2027\ndays:\n  - {date: 2027-01-01, off: true, name: 元旦}\n  - {date: 2027-02-08, off: true, name: 春节}\n",
    )
    .unwrap();
    let (found, undetermined, err) = audit(&["--calendar", notice.to_str().unwrap()]);
    assert_eq!(found, ["Y26", "Y26b", "Y27"]);
    assert!(undetermined.is_empty(), "{undetermined:?}");
    assert!(!err.contains("未收录"), "{err}");
    // A county's own day besides the notice: `--calendar` again, both layered.
    let local = dir.path().join("本地.yaml");
    std::fs::write(
        &local,
        "days:\n  - {date: 2026-12-18, off: true, name: 地方假日}\n",
    )
    .unwrap();
    let message = |extra: &[&str]| {
        let mut args = vec!["--as-of", "2027-03-01", "--fail-on", "never"];
        args.extend(extra);
        let (json, _) = json_of("audit", dir.path(), &args);
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "H003" && f["key"][0] == "Y26")
            .map(|f| f["message"].as_str().unwrap().to_string())
            .unwrap()
    };
    let notice = notice.to_str().unwrap();
    assert_eq!(
        message(&["--calendar", notice]),
        "办件 Y26 用时 51 个工作日, 超过承诺时限 35 个工作日"
    );
    assert_eq!(
        message(&["--calendar", notice, "--calendar", local.to_str().unwrap()]),
        "办件 Y26 用时 50 个工作日, 超过承诺时限 35 个工作日"
    );
}

/// At the year's end, before the next year's notice: a count over 29-31
/// December takes a few values (each of those days may be made a holiday
/// or not), and a verdict that holds for every one stands: Y26b is overdue
/// however they fall (its message gives the count as a range), Y26c is on
/// time however they fall, Y26d is overdue only if they are working days
/// (undetermined). The on-time rate counts the two decided and leaves the
/// third out, as undetermined.
#[test]
fn a_verdict_that_holds_however_the_unsettled_days_fall_stands() {
    let dir = p35_export(&[
        ("Y26b", "2026-11-05 09:00:00", "2026-12-30 10:00:00"),
        ("Y26c", "2026-11-13 09:00:00", "2026-12-31 10:00:00"),
        ("Y26d", "2026-11-10 09:00:00", "2026-12-31 10:00:00"),
    ]);
    let run = |command: &str| -> serde_json::Value {
        let mut args = vec!["--as-of", "2026-12-31"];
        if command == "audit" {
            args.extend(["--fail-on", "never"]);
        }
        json_of(command, dir.path(), &args).0
    };
    let json = run("audit");
    let of = |list: &str| -> Vec<String> {
        common::with_code(&json, list, "H003")
            .into_iter()
            .map(|f| {
                format!(
                    "{} {}",
                    f["key"][0].as_str().unwrap(),
                    f["message"].as_str().unwrap_or("")
                )
                .trim()
                .to_string()
            })
            .collect()
    };
    assert_eq!(
        of("findings"),
        ["Y26b 办件 Y26b 用时 37 至 39 个工作日, 超过承诺时限 35 个工作日"]
    );
    assert_eq!(of("undetermined"), ["Y26d"]);
    let missing = &json["undetermined"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "H003")
        .unwrap()["missing"];
    assert_eq!(missing, &serde_json::json!(["工作日历(2027年未收录)"]));
    let report = run("report");
    let m04 = report["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "M04" && m["dept"] == "区民政局")
        .unwrap()
        .to_string();
    assert!(m04.contains("\"undetermined\":1"), "{m04}");
    assert!(
        m04.contains("\"numerator\":1") && m04.contains("\"denominator\":2"),
        "{m04}"
    );
}
