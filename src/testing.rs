//! `yimen test`: the `test` blocks of the policies, each run through the real
//! engine on its fixture records, the findings compared with the expectations.

use std::collections::BTreeSet;

use crate::calendar::Calendar;
use crate::engine::{run, Audit, Data, Row, RunOptions};
use crate::ir::{Const, Expectation, ExpectedRate, Program, TestDef};
use crate::schema::Schema;
use crate::sources::SourceRegistry;

/// The outcome of one test block.
#[derive(Debug)]
pub struct TestOutcome {
    pub name: String,
    pub file: String,
    /// Empty when the test passed; otherwise one line per difference.
    pub failures: Vec<String>,
}

impl TestOutcome {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// The date a test runs on when it gives no `as_of`: fixed, so that a test
/// gives the same answer every day.
pub const DEFAULT_TEST_AS_OF: chrono::NaiveDate =
    match chrono::NaiveDate::from_ymd_opt(2025, 12, 31) {
        Some(d) => d,
        None => chrono::NaiveDate::MIN,
    };

/// Build the engine's data from a test's fixture records.
pub fn fixture_data(schema: &Schema, test: &TestDef) -> Data {
    let mut data = Data::new(schema.datasets.len());
    let file = data.add_file(&format!("{}#{}", test.file, test.name), None);
    let mut counts = vec![0u32; schema.datasets.len()];
    for (ds, values) in &test.fixtures {
        counts[*ds] += 1;
        data.push(
            *ds,
            Row {
                file,
                // Row 1 is the header, as in a spreadsheet.
                row: counts[*ds] + 1,
                values: values.clone(),
            },
        );
    }
    data
}

/// Run one test block.
pub fn run_test(
    program: &Program,
    schema: &Schema,
    sources: &SourceRegistry,
    calendar: &Calendar,
    test: &TestDef,
) -> (TestOutcome, Audit) {
    let mut params: Vec<Option<Const>> = program.params.iter().map(|p| p.default.clone()).collect();
    for (i, c) in &test.params {
        params[*i] = Some(c.clone());
    }
    let data = fixture_data(schema, test);
    let audit = run(
        program,
        schema,
        &data,
        &RunOptions {
            as_of: test.as_of.unwrap_or(DEFAULT_TEST_AS_OF),
            params,
            calendar,
            sources,
            period: None,
        },
    );
    let failures = compare(&audit, &test.expects);
    (
        TestOutcome {
            name: test.name.clone(),
            file: test.file.clone(),
            failures,
        },
        audit,
    )
}

fn fmt_key(k: &[String]) -> String {
    format!(
        "[{}]",
        k.iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The differences between what the audit found and what the test expects.
/// For every code an expectation names, the findings (or undetermined
/// verdicts) of that code must be exactly the expected ones; a code whose
/// findings are expected has no undetermined verdict unless the test
/// expects some.
pub fn compare(audit: &Audit, expects: &[Expectation]) -> Vec<String> {
    let mut out = Vec::new();
    let mut finding_codes = BTreeSet::new();
    let mut undet_codes = BTreeSet::new();
    for e in expects {
        match e {
            Expectation::Finding { code, .. } | Expectation::NoFinding { code } => {
                finding_codes.insert(code.clone());
            }
            Expectation::Undetermined { code, .. } | Expectation::NoUndetermined { code } => {
                undet_codes.insert(code.clone());
            }
            Expectation::Metric {
                code,
                dept,
                rate,
                undetermined,
            } => out.extend(compare_metric(
                audit,
                code,
                dept.as_deref(),
                rate,
                *undetermined,
            )),
        }
    }
    for code in &finding_codes {
        let expected: BTreeSet<Vec<String>> = expects
            .iter()
            .filter_map(|e| match e {
                Expectation::Finding { code: c, key } if c == code => Some(key.clone()),
                _ => None,
            })
            .collect();
        let actual: BTreeSet<Vec<String>> = audit
            .findings
            .iter()
            .filter(|f| &f.code == code)
            .map(|f| f.key.clone())
            .collect();
        for k in expected.difference(&actual) {
            let und = audit
                .undetermined
                .iter()
                .find(|u| &u.code == code && &u.key == k);
            let why = und.map_or(String::new(), |u| {
                format!(" (undetermined: missing {})", u.missing.join(", "))
            });
            out.push(format!("expected {code} on {}, not found{why}", fmt_key(k)));
        }
        for k in actual.difference(&expected) {
            // Its message says why the rule found it.
            let why = audit
                .findings
                .iter()
                .find(|f| &f.code == code && &f.key == k)
                .map_or(String::new(), |f| format!(": {}", f.message));
            out.push(format!("unexpected {code} on {}{why}", fmt_key(k)));
        }
        // A fixture decides the rules it tests: an undetermined verdict
        // would make `expect no` pass without deciding anything (a near
        // miss that misses a field), unless the test expects it.
        if !undet_codes.contains(code) {
            for u in audit.undetermined.iter().filter(|u| &u.code == code) {
                if expected.contains(&u.key) {
                    continue; // reported above, with its missing fields
                }
                out.push(format!(
                    "unexpected undetermined {code} on {} (missing {}): give the fixture the fields, or write `expect undetermined {code} on {}`",
                    fmt_key(&u.key),
                    u.missing.join(", "),
                    fmt_key(&u.key)
                ));
            }
        }
    }
    for code in &undet_codes {
        let expected: BTreeSet<Vec<String>> = expects
            .iter()
            .filter_map(|e| match e {
                Expectation::Undetermined { code: c, key } if c == code => Some(key.clone()),
                _ => None,
            })
            .collect();
        let actual: BTreeSet<Vec<String>> = audit
            .undetermined
            .iter()
            .filter(|u| &u.code == code)
            .map(|u| u.key.clone())
            .collect();
        for k in expected.difference(&actual) {
            out.push(format!(
                "expected {code} undetermined on {}, not found",
                fmt_key(k)
            ));
        }
        for k in actual.difference(&expected) {
            out.push(format!("unexpected undetermined {code} on {}", fmt_key(k)));
        }
    }
    out
}

/// The difference between a metric's value and the expected one. A
/// department is matched as the engine groups departments (in normalised
/// form: `ＡＢ` is `AB`); one no record was counted under has `0 / 0`, and a
/// failure then lists the departments there are.
fn compare_metric(
    audit: &Audit,
    code: &str,
    dept: Option<&str>,
    rate: &ExpectedRate,
    undetermined: u64,
) -> Vec<String> {
    let norm = |s: &str| crate::read::normalize::value(s).into_owned();
    let wanted = dept.map(norm);
    let found = audit
        .metrics
        .iter()
        .find(|m| m.id == code && m.dept.as_deref().map(norm) == wanted);
    let (numerator, denominator, undet) =
        found.map_or((0, 0, 0), |m| (m.numerator, m.denominator, m.undetermined));
    let whose = dept.map_or(String::new(), |d| format!(" for \"{d}\""));
    let written = match rate {
        ExpectedRate::Counts {
            numerator,
            denominator,
        } => format!("{numerator} / {denominator}"),
        ExpectedRate::Percent { scaled, decimals } => percent_text(*scaled, *decimals),
    };
    let matches = match rate {
        ExpectedRate::Counts {
            numerator: n,
            denominator: d,
        } => (*n, *d) == (numerator, denominator),
        ExpectedRate::Percent { scaled, decimals } => {
            percent_matches(numerator, denominator, *scaled, *decimals)
        }
    };
    let mut out = Vec::new();
    if !matches {
        let actual = if denominator == 0 {
            let depts: Vec<&str> = audit
                .metrics
                .iter()
                .filter(|m| m.id == code)
                .filter_map(|m| m.dept.as_deref())
                .collect();
            if found.is_none() && dept.is_some() && !depts.is_empty() {
                format!(
                    "0 / 0 (n/a: nothing counted under it; the departments counted are {})",
                    depts.join(", ")
                )
            } else {
                "0 / 0 (n/a: nothing counted)".to_string()
            }
        } else {
            let p = numerator as f64 / denominator as f64 * 100.0;
            format!("{numerator} / {denominator} ({p:.1}%)")
        };
        out.push(format!("expected {code}{whose} = {written}, got {actual}"));
    }
    if undet != undetermined {
        let records = if undet == 1 { "record" } else { "records" };
        // The line that would pass: the value found when the written one
        // failed too.
        let value = if matches {
            written.clone()
        } else {
            format!("{numerator} / {denominator}")
        };
        let how = if undet > undetermined {
            "give the fixture the fields, or write"
        } else {
            "the fixture decides more of its records than that; write"
        };
        out.push(format!(
            "{code}{whose}: {undet} {records} undetermined, the test expects {undetermined}: {how} `expect {code}{whose} = {value} undetermined {undet}`"
        ));
    }
    out
}

/// `scaled` / 10^`decimals` as a percentage (`667`, 1 → `66.7%`).
fn percent_text(scaled: u64, decimals: u32) -> String {
    let unit = 10u64.pow(decimals);
    if decimals == 0 {
        format!("{scaled}%")
    } else {
        format!(
            "{}.{:0width$}%",
            scaled / unit,
            scaled % unit,
            width = decimals as usize
        )
    }
}

/// Whether `numerator / denominator` is the percentage written (`scaled` /
/// 10^`decimals`) to the decimals written: rounded half up exactly, or as
/// the report shows it (its binary value formatted, which a value copied
/// from the report must match). `0%` and `100%` are exact: a metric one
/// record short of 100% is not 100%. `0 / 0` (n/a) is no percentage.
pub fn percent_matches(numerator: u64, denominator: u64, scaled: u64, decimals: u32) -> bool {
    if denominator == 0 {
        return false;
    }
    let unit = 10u128.pow(decimals);
    let whole = u128::from(scaled);
    if whole == 0 {
        return numerator == 0;
    }
    if whole == 100 * unit {
        return numerator == denominator;
    }
    // round_half_up(n * 100 * unit / d) == whole, in integers:
    // (2 whole - 1) d <= 2 n 100 unit < (2 whole + 1) d.
    let (n, d) = (u128::from(numerator), u128::from(denominator));
    let x = 2 * n * 100 * unit;
    let exact = (2 * whole - 1) * d <= x && x < (2 * whole + 1) * d;
    let shown =
        crate::report::md::percent(numerator as f64 / denominator as f64, decimals as usize);
    exact || shown == percent_text(scaled, decimals)
}

/// Run every test block of a program, in order.
pub fn run_all(
    program: &Program,
    schema: &Schema,
    sources: &SourceRegistry,
    calendar: &Calendar,
) -> Vec<TestOutcome> {
    program
        .tests
        .iter()
        .map(|t| run_test(program, schema, sources, calendar, t).0)
        .collect()
}
