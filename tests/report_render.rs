//! The HTML report of the example county renders in headless Chromium
//! (Debian's `chromium`, installed by `.ci/run`; no network) to a PNG
//! screenshot and an A4 PDF without errors.

mod common;

use std::process::Command;

fn chromium() -> &'static str {
    for c in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if std::path::Path::new(c).exists() {
            return c;
        }
    }
    panic!("headless Chromium is needed for this test: apt-get install chromium (see .ci/run)");
}

fn run_chromium(profile: &std::path::Path, args: &[String]) -> std::process::Output {
    Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_example_county_report_renders_to_png_and_pdf() {
    let tmp = tempfile::tempdir().unwrap();
    let html = tmp.path().join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_yimen"))
        .arg("report")
        .arg(common::root().join("examples/guangan"))
        .args([
            "--as-of",
            "2025-12-31",
            "--period",
            "2025",
            "--format",
            "html",
            "--output",
        ])
        .arg(&html)
        .output()
        .unwrap();
    common::assert_success(&out);
    let url = format!("file://{}", html.display());
    let png = tmp.path().join("report.png");
    let pdf = tmp.path().join("report.pdf");
    let shot = run_chromium(
        &tmp.path().join("p1"),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=900,1800".into(),
            url.clone(),
        ],
    );
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let print = run_chromium(
        &tmp.path().join("p2"),
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".into(),
            url,
        ],
    );
    assert!(
        print.status.success(),
        "{}",
        String::from_utf8_lossy(&print.stderr)
    );
    let png_bytes = std::fs::read(&png).unwrap();
    assert!(png_bytes.starts_with(b"\x89PNG\r\n\x1a\n") && png_bytes.len() > 10_000);
    let pdf_bytes = std::fs::read(&pdf).unwrap();
    assert!(pdf_bytes.starts_with(b"%PDF-") && pdf_bytes.len() > 10_000);
    // Several A4 pages: sections break pages.
    let pages = pdf_bytes
        .windows(10)
        .filter(|w| w == b"/Type /Pag" || w == b"/Type/Page")
        .count();
    assert!(pages >= 3, "{pages} pages");
}
