//! `yimen test`: the `test` blocks of the policies, each run through the real
//! engine on its fixture records, the findings compared with the expectations.

use std::collections::BTreeSet;

use crate::calendar::Calendar;
use crate::engine::{run, Audit, Data, Row, RunOptions};
use crate::ir::{Const, Expectation, Program, TestDef};
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
    let file = data.add_file(format!("{}#{}", test.file, test.name), None);
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
            out.push(format!("unexpected {code} on {}", fmt_key(k)));
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
