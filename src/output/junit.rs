//! `--format junit`: `JUnit` XML as GitLab and Jenkins read it. One
//! `<testsuite>` per rule (named by code and title), one failing
//! `<testcase>` per finding, one passing testcase for a rule without
//! findings (so every rule appears), one skipped testcase per undetermined
//! verdict (an audit never passes a record whose data is missing), a
//! `数据错误` suite with one erroring testcase per data error, and a
//! `读取文件` suite of the files not read: a failing testcase per file that
//! could not be read, a skipped one per file holding no dataset.
//!
//! With `--baseline` a finding's testcase has a property `基线状态` (新增 or
//! 持续, also in the failure's text), and each resolved finding of the
//! baseline is a passing testcase of its rule's suite (`基线状态` 已整改),
//! named as its failing one was. A waived finding is skipped, not failed,
//! the waiver's reason and approval its message; waivers that did not apply
//! (expired, stale) are skipped testcases of a `豁免登记` suite.
//!
//! A testcase's `file` is as `sarif` and `github` name files: the export
//! folder as seen from the working directory before the file's name
//! ([`AuditDoc::location_prefix`]), so that GitLab links it in the
//! repository.

use std::fmt::Write as _;

use super::triage::{self as tri, RESOLVED, WAIVED};
use super::{cites_long, evidence_values, findings_of, key_text, reported_codes, AuditDoc};
use crate::engine::report::{Finding, Undetermined};

use super::markup::escape;

/// The suite (and class) of the files not read.
const FILES: &str = "读取文件";

/// Escape text for an attribute: as content, with line breaks kept as
/// character references (a parser would otherwise normalise them to spaces).
fn attr(s: &str) -> String {
    escape(s).replace('\n', "&#10;").replace('\r', "&#13;")
}

fn place(f: &Finding) -> String {
    f.evidence
        .first()
        .map(|e| match &e.sheet {
            Some(s) => format!("{} [{s}] 第 {} 行", e.file, e.row),
            None => format!("{} 第 {} 行", e.file, e.row),
        })
        .unwrap_or_default()
}

fn testcase_name(dataset: &str, key: &[String]) -> String {
    format!("{dataset} [{}]", key.join(", "))
}

/// A testcase's properties, if any: `(name, value)` pairs.
fn properties(out: &mut dyn std::fmt::Write, props: &[(&str, &str)]) {
    let props: Vec<&(&str, &str)> = props.iter().filter(|(_, v)| !v.is_empty()).collect();
    if props.is_empty() {
        return;
    }
    let _ = writeln!(out, "      <properties>");
    for (name, value) in props {
        let _ = writeln!(
            out,
            "        <property name=\"{}\" value=\"{}\"/>",
            attr(name),
            attr(value)
        );
    }
    let _ = writeln!(out, "      </properties>");
}

/// A finding's testcase: failing, or skipped when a waiver covers it.
fn finding_case(out: &mut dyn std::fmt::Write, code: &str, f: &Finding, prefix: &str) {
    let name = testcase_name(&f.dataset, &f.key);
    let file = f
        .evidence
        .first()
        .map(|e| format!(" file=\"{}\"", attr(&super::located(prefix, &e.file))))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"{file}>",
        attr(code),
        attr(&name)
    );
    let baseline = tri::baseline_label(f);
    let waived = if f.waiver.is_some() { WAIVED } else { "" };
    properties(
        out,
        &[(tri::COLUMNS[0], baseline), (tri::COLUMNS[1], waived)],
    );
    let mut body = format!("{}\n", f.message);
    body.push_str(&format!("键: {}\n", key_text(f)));
    if let Some(d) = &f.dept {
        body.push_str(&format!("部门: {d}\n"));
    }
    let place = place(f);
    if !place.is_empty() {
        body.push_str(&format!("证据: {place}\n"));
    }
    let values = evidence_values(f);
    if !values.is_empty() {
        body.push_str(&format!("证据值: {values}\n"));
    }
    let cites = cites_long(f);
    if !cites.is_empty() {
        body.push_str(&format!("依据:\n{cites}\n"));
    }
    if !baseline.is_empty() {
        body.push_str(&format!("基线状态: {baseline}\n"));
    }
    if let Some(w) = &f.waiver {
        let _ = writeln!(
            out,
            "      <skipped message=\"{}\">{}</skipped>",
            attr(&format!("{WAIVED}: {}", tri::waiver_text(w))),
            escape(&body)
        );
    } else {
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            attr(&f.message),
            attr(f.severity),
            escape(&body)
        );
    }
    let _ = writeln!(out, "    </testcase>");
}

/// A finding of the baseline that is gone: a passing testcase, named as the
/// finding's was.
fn resolved_case(out: &mut dyn std::fmt::Write, doc: &AuditDoc<'_>, code: &str, key: &[String]) {
    let dataset = tri::rule_dataset(doc, code).unwrap_or_default();
    let _ = writeln!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\">",
        attr(code),
        attr(&testcase_name(dataset, key))
    );
    properties(out, &[(tri::COLUMNS[0], RESOLVED)]);
    let _ = writeln!(out, "    </testcase>");
}

/// The waivers that did not apply: a suite of skipped testcases (written
/// when `out` is given). Returns its testcases.
fn waiver_suite(out: Option<&mut (dyn std::fmt::Write + '_)>, doc: &AuditDoc<'_>) -> usize {
    let list = tri::unapplied(doc);
    let n = list.len();
    let (Some(out), false) = (out, list.is_empty()) else {
        return n;
    };
    let _ = writeln!(
        out,
        "  <testsuite name=\"豁免登记\" tests=\"{n}\" failures=\"0\" errors=\"0\" skipped=\"{n}\">"
    );
    for (state, note, w) in list {
        let name = format!("{} [{}] {}", w.code, w.key.join(", "), w.approval_ref);
        let _ = writeln!(
            out,
            "    <testcase classname=\"豁免登记\" name=\"{}\">",
            attr(&name)
        );
        properties(out, &[(tri::COLUMNS[1], state)]);
        let _ = writeln!(
            out,
            "      <skipped message=\"{}\"/>",
            attr(&format!("{note}: {}", tri::waiver_text(w)))
        );
        let _ = writeln!(out, "    </testcase>");
    }
    let _ = writeln!(out, "  </testsuite>");
    n
}

/// The files not read, as the suite `读取文件`: a failing testcase per
/// file that could not be read (its reason the failure), then a skipped
/// one per file holding no dataset (written when `out` is given). Returns
/// (testcases, failures).
fn files_suite(out: Option<&mut (dyn std::fmt::Write + '_)>, doc: &AuditDoc<'_>) -> (usize, usize) {
    let (unreadable, skipped) = super::files_not_read(doc);
    let (n, failed) = (unreadable.len() + skipped.len(), unreadable.len());
    let (Some(out), false) = (out, n == 0) else {
        return (n, failed);
    };
    let _ = writeln!(
        out,
        "  <testsuite name=\"{FILES}\" tests=\"{n}\" failures=\"{failed}\" errors=\"0\" skipped=\"{}\">",
        n - failed
    );
    for k in unreadable.into_iter().chain(skipped) {
        let _ = writeln!(
            out,
            "    <testcase classname=\"{FILES}\" name=\"{}\" file=\"{}\">",
            attr(&k.file),
            attr(&super::located(&doc.location_prefix, &k.file))
        );
        let text = super::file_not_read_text(k);
        if k.unreadable {
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"unreadable-file\">{}</failure>",
                attr(&text),
                escape(&text)
            );
        } else {
            let _ = writeln!(out, "      <skipped message=\"{}\"/>", attr(&text));
        }
        let _ = writeln!(out, "    </testcase>");
    }
    let _ = writeln!(out, "  </testsuite>");
    (n, failed)
}

fn skipped(out: &mut dyn std::fmt::Write, code: &str, u: &Undetermined) {
    let message = format!("无法判定: 缺少 {}", u.missing.join(", "));
    let _ = writeln!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\">",
        attr(code),
        attr(&testcase_name(&u.dataset, &u.key))
    );
    let _ = writeln!(out, "      <skipped message=\"{}\"/>", attr(&message));
    let _ = writeln!(out, "    </testcase>");
}

/// The suites, written to `out` when given, and their totals: (testcases,
/// failures, errors, skipped). Counted first without `out`, so that the
/// root element, which carries the totals, is written before them.
fn suites(
    doc: &AuditDoc<'_>,
    mut out: Option<&mut (dyn std::fmt::Write + '_)>,
) -> (usize, usize, usize, usize) {
    let a = doc.audit;
    let (mut tests, mut failures, mut skips) = (0usize, 0usize, 0usize);
    for (code, rule) in reported_codes(doc) {
        let findings = findings_of(doc, code);
        let undetermined: Vec<&Undetermined> =
            a.undetermined.iter().filter(|u| u.code == code).collect();
        let title = rule.and_then(|r| r.title.as_deref()).unwrap_or("");
        let name = if title.is_empty() {
            code.to_string()
        } else {
            format!("{code} {title}")
        };
        let resolved: Vec<&Vec<String>> = a
            .resolved
            .iter()
            .filter(|(c, _)| c == code)
            .map(|(_, key)| key)
            .collect();
        let waived = findings.iter().filter(|f| f.waiver.is_some()).count();
        let failed = findings.len() - waived;
        let passing = usize::from(findings.is_empty());
        let n = findings.len() + passing + undetermined.len() + resolved.len();
        let skipped_here = undetermined.len() + waived;
        tests += n;
        failures += failed;
        skips += skipped_here;
        let Some(body) = out.as_deref_mut() else {
            continue;
        };
        let _ = writeln!(
            body,
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped_here}\">",
            attr(&name),
        );
        for f in &findings {
            finding_case(body, code, f, &doc.location_prefix);
        }
        for key in resolved {
            resolved_case(body, doc, code, key);
        }
        if passing == 1 {
            let _ = writeln!(
                body,
                "    <testcase classname=\"{}\" name=\"{}\"/>",
                attr(code),
                attr(&format!("{code} 未发现违规"))
            );
        }
        for u in undetermined {
            skipped(body, code, u);
        }
        let _ = writeln!(body, "  </testsuite>");
    }
    let errors = a.data_errors.len();
    tests += errors;
    if let (Some(body), true) = (out.as_deref_mut(), errors > 0) {
        let _ = writeln!(
            body,
            "  <testsuite name=\"数据错误\" tests=\"{errors}\" failures=\"0\" errors=\"{errors}\" skipped=\"0\">"
        );
        for e in &a.data_errors {
            let name = match &e.sheet {
                Some(s) => format!("{} [{s}] 第 {} 行", e.file, e.row),
                None => format!("{} 第 {} 行", e.file, e.row),
            };
            let detail = format!(
                "列 {}: 值 {:?}, 应为 {}",
                e.column.as_deref().unwrap_or(""),
                e.value.as_deref().unwrap_or(""),
                e.expected.as_deref().unwrap_or("")
            );
            let _ = writeln!(
                body,
                "    <testcase classname=\"数据错误\" name=\"{}\" file=\"{}\">",
                attr(&name),
                attr(&super::located(&doc.location_prefix, &e.file))
            );
            let _ = writeln!(
                body,
                "      <error message=\"{}\" type=\"data-error\">{}</error>",
                attr(&e.message),
                escape(&detail)
            );
            let _ = writeln!(body, "    </testcase>");
        }
        let _ = writeln!(body, "  </testsuite>");
    }
    let (files, unreadable) = files_suite(out.as_deref_mut(), doc);
    tests += files;
    failures += unreadable;
    skips += files - unreadable;
    let unapplied = waiver_suite(out, doc);
    tests += unapplied;
    skips += unapplied;
    (tests, failures, errors, skips)
}

/// The `JUnit` XML written to `w` as it is made, never held whole: the
/// suites are counted first (the root element carries the totals), then
/// written (a dirty export's 2.5 million testcases took 1.2 GB as text).
pub fn write(doc: &AuditDoc<'_>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let (tests, failures, errors, skips) = suites(doc, None);
    let mut out = super::IoText::new(w);
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skips}\">",
        attr(&format!("yimen 合规检查 {}", doc.as_of.format("%Y-%m-%d")))
    );
    suites(doc, Some(&mut out));
    let _ = out.write_str("</testsuites>\n");
    out.finish()
}

/// The `JUnit` XML as text (see [`write()`](fn@write)).
pub fn render(doc: &AuditDoc<'_>) -> String {
    super::rendered(|w| write(doc, w)).unwrap_or_else(|e| format!("<!-- {e} -->\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixture;

    /// The root's totals (counted before the suites are written) are the
    /// sums of the suites' own.
    #[test]
    fn the_root_totals_are_the_suites_sums() {
        let (program, audit) = (fixture::program(), fixture::audit());
        let doc = fixture::doc(&program, &audit);
        let xml = render(&doc);
        let count = |line: &str, name: &str| -> usize {
            let at = line
                .find(&format!(" {name}=\""))
                .map_or(0, |i| i + name.len() + 3);
            line[at..]
                .split('"')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(usize::MAX)
        };
        let root = xml
            .lines()
            .find(|l| l.starts_with("<testsuites"))
            .unwrap_or("");
        let suites: Vec<&str> = xml
            .lines()
            .filter(|l| l.trim_start().starts_with("<testsuite "))
            .collect();
        assert!(suites.len() > 2, "{xml}");
        for name in ["tests", "failures", "errors", "skipped"] {
            let sum: usize = suites.iter().map(|l| count(l, name)).sum();
            assert_eq!(count(root, name), sum, "{name}: {xml}");
        }
    }

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("x\u{1}y\nz"), "x\u{FFFD}y\nz");
        assert_eq!(attr("a\nb"), "a&#10;b");
    }

    #[test]
    fn every_rule_appears_and_counts_match() {
        let (program, audit) = (fixture::program(), fixture::audit());
        let doc = fixture::doc(&program, &audit);
        let xml = render(&doc);
        let rules = reported_codes(&doc).len();
        assert_eq!(xml.matches("<testsuite ").count(), rules + 1, "{xml}");
        assert_eq!(xml.matches("<failure ").count(), 3);
        assert_eq!(xml.matches("<skipped ").count(), 1);
        assert_eq!(xml.matches("<error ").count(), 1);
        assert!(xml.contains("&lt;在原单位&gt; 受理 &amp; &quot;体外循环&quot; 100%&#10;"));
        // Every other rule passes once.
        assert_eq!(xml.matches("未发现违规").count(), rules - 2);
        let header = xml.lines().nth(1).unwrap_or("");
        assert!(
            header.contains(&format!("tests=\"{}\"", 3 + (rules - 2) + 1 + 1)),
            "{header}"
        );
        assert!(header.contains("failures=\"3\""), "{header}");
    }
}
