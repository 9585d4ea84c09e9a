//! Files that cannot be read as what their name says are listed, never
//! passed over silently: a workbook without sheets is unreadable; a
//! symbolic link that leads nowhere is unreadable when named as a data file
//! and skipped, as a plain file of that name would be, otherwise.

mod common;

use std::path::Path;
use std::process::Output;

use rust_xlsxwriter::Workbook;

const CATALOGUE: (&str, &str) = (
    "事项目录.csv",
    "事项编码,事项名称,是否进驻中心,法定办结时限,承诺办结时限\nA1,事项一,是,20,10\n",
);

fn run(dir: &Path, args: &[&str]) -> Output {
    common::yimen(None)
        .arg(args[0])
        .arg(dir)
        .args(&args[1..])
        .output()
        .unwrap()
}

fn audit(dir: &Path) -> Output {
    common::audit_command(None, dir, &[]).output().unwrap()
}

/// The `skipped` entries of a JSON output: (path, reason, unreadable). The
/// audit names the path `file`, inspect `path`.
fn skipped(out: &Output) -> Vec<(String, String, bool)> {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let path = s.get("file").or_else(|| s.get("path")).unwrap();
            (
                path.as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
                s["unreadable"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// Rewrites the sheet of the workbook at `path` as `edit(text, cut)` gives
/// it, `cut` the place of its `</sheetData>`.
fn sheet_edited(path: &Path, edit: impl Fn(&str, usize) -> String) {
    common::rewrite_zip_entries(path, |name, bytes| {
        if !name.starts_with("xl/worksheets/") {
            return Some(bytes);
        }
        let text = String::from_utf8(bytes).unwrap();
        let cut = text.find("</sheetData>").unwrap();
        Some(edit(&text, cut).into_bytes())
    });
}

/// Writes a one-sheet workbook to `path`, then each of its zip entries as
/// `edit(name, bytes)` gives it (`None`: left out).
fn workbook_edited(path: &Path, edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "办件编号").unwrap();
    ws.write_string(1, 0, "C1").unwrap();
    wb.save(path).unwrap();
    common::rewrite_zip_entries(path, edit);
}

/// Writes a case log workbook to `path`: its header, then `n` records
/// (`C1`, `C2`, … of item `A1`), for the tests that then break its parts.
fn case_log_xlsx(path: &Path, n: u32) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let header = ["办件编号", "事项编码", "受理部门", "受理渠道", "受理时间"];
    for (c, text) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *text).unwrap();
    }
    for r in 1..=n {
        let id = format!("C{r}");
        let row = [
            id.as_str(),
            "A1",
            "区民政局",
            "中心窗口",
            "2025-03-03 09:00:00",
        ];
        for (c, text) in row.iter().enumerate() {
            ws.write_string(r, c as u16, *text).unwrap();
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn a_workbook_without_sheets_is_unreadable() {
    let empty_sheets = |name: &str, bytes: Vec<u8>| {
        if name != "xl/workbook.xml" {
            return Some(bytes);
        }
        let text = String::from_utf8(bytes).unwrap();
        let (start, end) = (
            text.find("<sheets>").unwrap(),
            text.find("</sheets>").unwrap(),
        );
        Some(
            format!(
                "{}<sheets/>{}",
                &text[..start],
                &text[end + "</sheets>".len()..]
            )
            .into_bytes(),
        )
    };
    let no_workbook_part =
        |name: &str, bytes: Vec<u8>| (name != "xl/workbook.xml").then_some(bytes);
    for (what, edit) in [
        (
            "<sheets/>",
            &empty_sheets as &dyn Fn(&str, Vec<u8>) -> Option<Vec<u8>>,
        ),
        ("no xl/workbook.xml", &no_workbook_part),
    ] {
        let dir = common::folder(&[CATALOGUE]);
        workbook_edited(&dir.path().join("办件记录.xlsx"), edit);
        let out = run(dir.path(), &["inspect", "--format", "json"]);
        assert!(out.status.success(), "{what}");
        let listed = skipped(&out);
        assert!(
            listed
                .iter()
                .any(|(p, r, u)| p == "办件记录.xlsx" && *u && !r.is_empty()),
            "{what}: {listed:?}"
        );
        let out = audit(dir.path());
        assert_eq!(out.status.code(), Some(2), "{what}");
        let listed = skipped(&out);
        let entry = listed.iter().find(|(p, _, _)| p == "办件记录.xlsx");
        assert!(entry.is_some_and(|(_, _, u)| *u), "{what}: {listed:?}");
        if what == "<sheets/>" {
            let reason = &entry.unwrap().1;
            assert!(reason.contains("工作簿中没有工作表"), "{reason}");
        }
    }
}

#[cfg(unix)]
#[test]
fn a_broken_link_is_unreadable_only_when_named_as_a_data_file() {
    use std::os::unix::fs::symlink;
    let dir = common::folder(&[CATALOGUE]);
    let d = dir.path();
    symlink(d.join("loop2"), d.join("loop1")).unwrap();
    symlink(d.join("loop1"), d.join("loop2")).unwrap();
    symlink(d.join("gone"), d.join("dangling")).unwrap();
    let out = audit(d);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = skipped(&out);
    for name in ["loop1", "loop2", "dangling"] {
        assert!(
            listed
                .iter()
                .any(|(p, r, u)| p == name && !*u && r.contains("不支持的文件类型")),
            "{name}: {listed:?}"
        );
    }

    // Named as a data file, the same links are files that could not be read.
    symlink(d.join("b.csv"), d.join("a.csv")).unwrap();
    symlink(d.join("a.csv"), d.join("b.csv")).unwrap();
    symlink(d.join("gone.csv"), d.join("办件记录.csv")).unwrap();
    let out = audit(d);
    assert_eq!(out.status.code(), Some(2));
    let listed = skipped(&out);
    for name in ["a.csv", "b.csv", "办件记录.csv"] {
        assert!(
            listed.iter().any(|(p, _, u)| p == name && *u),
            "{name}: {listed:?}"
        );
    }
}

/// A case log whose sheet breaks off before its first record is delivered
/// (a truncated export) gives no record: its dataset is unreadable, as a
/// register that fails to read is (`cases(无法读取)`, the report's metrics
/// on it not computed because it could not be read), not given with none.
#[test]
fn a_streamed_file_failing_before_its_records_leaves_its_dataset_unreadable() {
    let dir = common::folder(&[CATALOGUE]);
    let path = dir.path().join("办件记录.xlsx");
    // Past what discovery reads of the sheet to find its header, fewer
    // than a chunk of records.
    let records = u32::try_from(yimen::read::DEFAULT_CHUNK_ROWS - 1).unwrap();
    assert!(records > 1000);
    case_log_xlsx(&path, records);
    // The sheet's XML cut off inside a row after the records.
    let next = records + 2;
    sheet_edited(&path, |text, cut| {
        format!(
            "{}<row r=\"{next}\"><c r=\"A{next}\" t=\"str\"><v>C{}</x></c>",
            &text[..cut],
            records + 1
        )
    });
    let out = audit(dir.path());
    assert_eq!(out.status.code(), Some(2));
    let listed = skipped(&out);
    assert!(
        listed.iter().any(|(p, _, u)| p == "办件记录.xlsx" && *u),
        "{listed:?}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["not_read"]["cases"], "unreadable", "{json}");
    let report = run(
        dir.path(),
        &[
            "report",
            "--as-of",
            "2025-12-31",
            "--period",
            "2025",
            "--format",
            "md",
        ],
    );
    assert_eq!(report.status.code(), Some(2));
    let md = String::from_utf8_lossy(&report.stdout);
    assert!(!md.contains("导出中没有办件记录"), "{md}");
    assert!(md.contains("M04 按时办结率"), "{md}");
}

/// A YAML or JSON file nested 100,000 levels deep (a corrupt or hostile
/// export) is unreadable at once: libyaml's scanner took time quadratic in
/// the depth (80,000 levels: 47 s, an audit in CI hanging), though the
/// reading refused it in the end.
#[test]
fn a_data_file_nested_very_deeply_is_unreadable_at_once() {
    let dir = common::folder(&[CATALOGUE]);
    let n = 100_000;
    std::fs::write(
        dir.path().join("进驻单位.json"),
        format!("{}{}\n", "[".repeat(n), "]".repeat(n)),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("窗口人员.yaml"),
        format!("{}1{}\n", "{a: ".repeat(n), "}".repeat(n)),
    )
    .unwrap();
    // (Without the cut this run takes minutes: no timing is asserted.)
    let out = audit(dir.path());
    assert_eq!(out.status.code(), Some(2));
    let listed = skipped(&out);
    for name in ["进驻单位.json", "窗口人员.yaml"] {
        assert!(
            listed
                .iter()
                .any(|(p, r, u)| p == name && *u && r.contains("recursion limit")),
            "{name}: {listed:?}"
        );
    }
}

/// A workbook listing one sheet name many times (Excel allows no two
/// sheets one name; a damaged or generated file): the first is read, the
/// others are skipped, said once, not each read again (5,000 entries took
/// 38 s and counted every row 5,000 times).
#[test]
fn a_sheet_listed_again_under_its_name_is_read_once() {
    let dir = common::folder(&[CATALOGUE]);
    let path = dir.path().join("办件记录.xlsx");
    case_log_xlsx(&path, 1);
    common::rewrite_zip_entries(&path, |name, bytes| {
        if name != "xl/workbook.xml" {
            return Some(bytes);
        }
        let text = String::from_utf8(bytes).unwrap();
        let start = text.find("<sheet ").unwrap();
        let end = start + text[start..].find("/>").unwrap() + 2;
        let again = text[start..end].repeat(50);
        Some(format!("{}{again}{}", &text[..end], &text[end..]).into_bytes())
    });
    let out = audit(dir.path());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["records"]["cases"], 1, "{json}");
    let listed = skipped(&out);
    let same: Vec<_> = listed
        .iter()
        .filter(|(p, r, _)| p == "办件记录.xlsx" && r.contains("同名"))
        .collect();
    assert_eq!(same.len(), 1, "{listed:?}");
    let out = run(dir.path(), &["inspect", "--format", "json"]);
    assert_eq!(skipped(&out).len(), 1, "{:?}", skipped(&out));
}

/// A JSON Lines file whose first record has 300,000 keys is looked at in
/// linear time (each key was looked for in a list: 200,000 keys took 23 s)
/// and skipped as holding no dataset. (No timing is asserted.)
#[test]
fn a_json_lines_record_of_many_keys_is_read_in_linear_time() {
    let dir = common::folder(&[CATALOGUE]);
    let keys: Vec<String> = (0..300_000).map(|i| format!("\"{i}\":0")).collect();
    std::fs::write(
        dir.path().join("c.jsonl"),
        format!("{{{}}}\n", keys.join(",")),
    )
    .unwrap();
    let out = run(dir.path(), &["inspect", "--format", "json"]);
    assert!(out.status.success());
    assert!(skipped(&out).iter().any(|(p, _, u)| p == "c.jsonl" && !*u));
}

/// A cell placed past Excel's last column or row (a damaged or hostile
/// workbook) makes its sheet unreadable, said so: the reader allocated rows
/// and columns up to it (`ZZZZZZ3`: 7.7 GB, an abort; `A500000000`: an
/// abort in the audit, minutes in inspect).
#[test]
fn a_cell_past_excel_s_last_column_or_row_is_unreadable() {
    for at in ["ZZZZZZ3", "A500000000"] {
        let dir = common::folder(&[CATALOGUE]);
        let path = dir.path().join("办件记录.xlsx");
        case_log_xlsx(&path, 1);
        let row: String = at.chars().filter(char::is_ascii_digit).collect();
        sheet_edited(&path, |text, cut| {
            format!(
                "{}<row r=\"{row}\"><c r=\"{at}\" t=\"inlineStr\"><is><t>x</t></is></c></row>{}",
                &text[..cut],
                &text[cut..]
            )
        });
        for args in [
            &["inspect", "--format", "json"][..],
            &["audit", "--format", "json"],
        ] {
            let out = run(dir.path(), args);
            let listed = skipped(&out);
            assert!(
                listed.iter().any(|(p, r, u)| p == "办件记录.xlsx"
                    && *u
                    && r.contains("超出 Excel 工作表的范围")),
                "{at} {args:?}: {listed:?}"
            );
        }
    }
}

/// A workbook one part of which declares that it unpacks to hundreds of
/// megabytes from a few kilobytes (a decompression bomb: a damaged or
/// hostile file of a megabyte made the reader allocate gigabytes and
/// abort) is unreadable at once, said so with the part and its sizes;
/// an ordinary workbook is read.
#[test]
fn a_workbook_part_that_would_unpack_like_a_bomb_is_unreadable() {
    let dir = common::folder(&[CATALOGUE]);
    let path = dir.path().join("办件记录.xlsx");
    case_log_xlsx(&path, 3);
    assert_eq!(audit(dir.path()).status.code(), Some(0));
    // The central directory's entry of the sheet: its unpacked size (at
    // offset 24 of the entry) made 512 MiB.
    let mut bytes = std::fs::read(&path).unwrap();
    let name = b"xl/worksheets/sheet1.xml";
    let entry = (0..bytes.len() - 46 - name.len())
        .find(|&i| bytes[i..].starts_with(b"PK\x01\x02") && bytes[i + 46..].starts_with(name))
        .expect("the sheet's central directory entry");
    bytes[entry + 24..entry + 28].copy_from_slice(&(512u32 << 20).to_le_bytes());
    std::fs::write(&path, bytes).unwrap();
    let audited = audit(dir.path());
    assert_eq!(audited.status.code(), Some(2));
    for out in [audited, run(dir.path(), &["inspect", "--format", "json"])] {
        let skipped = skipped(&out);
        let (file, reason, unreadable) = skipped
            .iter()
            .find(|s| s.0 == "办件记录.xlsx")
            .unwrap_or_else(|| panic!("{skipped:?}"));
        assert_eq!(file, "办件记录.xlsx");
        assert!(unreadable);
        assert!(
            reason.starts_with(
                "无法读取: 工作簿的部件 xl/worksheets/sheet1.xml 解压后有 512 MB, 是压缩后的 "
            ) && reason.ends_with("倍, 像是压缩炸弹 (损坏或恶意的文件), 未读取"),
            "{reason}"
        );
    }
}

/// A workbook whose shared strings unpack to more than 256 MB from a few
/// hundred kilobytes while its zip headers declare one megabyte (a crafted
/// bomb: the reader held gigabytes) is unreadable: the part is measured as
/// it unpacks, not taken at its word.
#[test]
fn a_workbook_part_that_understates_its_size_is_measured() {
    let dir = common::folder(&[CATALOGUE]);
    let path = dir.path().join("办件记录.xlsx");
    case_log_xlsx(&path, 1);
    let name = "xl/sharedStrings.xml";
    common::rewrite_zip_entries(&path, |part, bytes| {
        if part != name {
            return Some(bytes);
        }
        let at = bytes
            .windows(3)
            .position(|w| w == b"<t>")
            .expect("a shared string")
            + 3;
        let mut out = bytes[..at].to_vec();
        out.resize(out.len() + (257 << 20), b'A');
        out.extend_from_slice(&bytes[at..]);
        Some(out)
    });
    // The sizes its local header (offset 22) and central directory entry
    // (offset 24) declare: one megabyte.
    let mut bytes = std::fs::read(&path).unwrap();
    for (signature, offset, name_at) in [(b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)] {
        let entry = (0..bytes.len() - name_at - name.len())
            .find(|&i| {
                bytes[i..].starts_with(signature)
                    && bytes[i + name_at..].starts_with(name.as_bytes())
            })
            .expect("the part's header");
        bytes[entry + offset..entry + offset + 4].copy_from_slice(&(1u32 << 20).to_le_bytes());
    }
    std::fs::write(&path, bytes).unwrap();
    let audited = audit(dir.path());
    assert_eq!(audited.status.code(), Some(2));
    let skipped = skipped(&audited);
    let (_, reason, unreadable) = skipped
        .iter()
        .find(|s| s.0 == "办件记录.xlsx")
        .unwrap_or_else(|| panic!("{skipped:?}"));
    assert!(unreadable);
    assert!(
        reason.starts_with(
            "无法读取: 工作簿的部件 xl/sharedStrings.xml 解压后超过 256 MB, 是压缩后的 "
        ) && reason.ends_with("倍以上, 像是压缩炸弹 (损坏或恶意的文件), 未读取"),
        "{reason}"
    );
}

/// A compound file (OLE2) of 512-byte sectors: its header, a FAT sector
/// and one directory sector holding the root and a stream named `stream`
/// (empty), as Excel saves a workbook encrypted with a password
/// (`EncryptedPackage`, beside `EncryptionInfo`).
fn compound_file(stream: &str) -> Vec<u8> {
    const FREE: u32 = 0xFFFF_FFFF;
    const END: u32 = 0xFFFF_FFFE;
    let mut b = vec![0u8; 512 * 3];
    let put = |b: &mut [u8], at: usize, v: u32| b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    b[..8].copy_from_slice(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    b[24..26].copy_from_slice(&0x3Eu16.to_le_bytes());
    b[26..28].copy_from_slice(&3u16.to_le_bytes());
    b[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
    b[30..32].copy_from_slice(&9u16.to_le_bytes());
    b[32..34].copy_from_slice(&6u16.to_le_bytes());
    put(&mut b, 44, 1); // one FAT sector
    put(&mut b, 48, 1); // the directory at sector 1
    put(&mut b, 56, 4096);
    put(&mut b, 60, END); // no mini FAT
    put(&mut b, 68, END); // no DIFAT sectors
    put(&mut b, 76, 0); // the FAT at sector 0
    for i in 1..109 {
        put(&mut b, 76 + 4 * i, FREE);
    }
    // The FAT (sector 0, at 512): itself, the directory's end, free.
    put(&mut b, 512, 0xFFFF_FFFD);
    put(&mut b, 516, END);
    for i in 2..128 {
        put(&mut b, 512 + 4 * i, FREE);
    }
    // The directory (sector 1, at 1024).
    let entry = |b: &mut [u8], at: usize, name: &str, kind: u8, child: u32| {
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        b[at..at + utf16.len()].copy_from_slice(&utf16);
        b[at + 64..at + 66].copy_from_slice(&(utf16.len() as u16 + 2).to_le_bytes());
        b[at + 66] = kind;
        b[at + 67] = 1; // black
        put(b, at + 68, FREE);
        put(b, at + 72, FREE);
        put(b, at + 76, child);
        put(b, at + 116, END);
    };
    entry(&mut b, 1024, "Root Entry", 5, 1);
    entry(&mut b, 1024 + 128, stream, 2, FREE);
    for k in 2..4 {
        let at = 1024 + 128 * k;
        put(&mut b, at + 68, FREE);
        put(&mut b, at + 72, FREE);
        put(&mut b, at + 76, FREE);
    }
    b
}

/// A workbook saved with a password to open it is unreadable, said so in
/// words a clerk acts on (calamine's `Workbook is password protected`
/// was shown inside 不是有效的 Excel 工作簿或已损坏).
#[test]
fn a_workbook_with_a_password_to_open_it_says_so() {
    let dir = common::folder(&[CATALOGUE]);
    std::fs::write(
        dir.path().join("办件记录.xlsx"),
        compound_file("EncryptedPackage"),
    )
    .unwrap();
    let audited = audit(dir.path());
    assert_eq!(audited.status.code(), Some(2));
    let first = skipped(&audited);
    let (_, reason, unreadable) = first
        .iter()
        .find(|s| s.0 == "办件记录.xlsx")
        .unwrap_or_else(|| panic!("{first:?}"));
    assert!(unreadable);
    assert_eq!(
        reason,
        "无法读取: 工作簿设有打开密码(已加密), 无法读取其内容: 请在 Excel 中取消密码 (文件 → 信息 → 保护工作簿 → 用密码进行加密, 清空密码) 后另存, 再审计"
    );
    // A compound file without it is no workbook, as before.
    std::fs::write(dir.path().join("办件记录.xlsx"), compound_file("Other")).unwrap();
    let listed = skipped(&audit(dir.path()));
    assert!(
        listed
            .iter()
            .any(|s| s.0 == "办件记录.xlsx" && s.2 && !s.1.contains("密码")),
        "{listed:?}"
    );
}

/// calamine's errors reach the user in words a clerk acts on, calamine's
/// own English after them as the technical detail: a cell holding an error
/// value Excel does not write (`#BOGUS`, a generator's invention) was
/// `工作表 Sheet1 无法读取(Unsupported cell error value '#BOGUS')`.
#[test]
fn a_workbook_calamine_cannot_read_is_described_in_words() {
    let dir = common::folder(&[CATALOGUE]);
    let path = dir.path().join("办件记录.xlsx");
    case_log_xlsx(&path, 1);
    sheet_edited(&path, |text, cut| {
        format!(
            "{}<row r=\"3\"><c r=\"A3\" t=\"e\"><v>#BOGUS</v></c></row>{}",
            &text[..cut],
            &text[cut..]
        )
    });
    let out = audit(dir.path());
    let listed = skipped(&out);
    let reason = listed
        .iter()
        .find(|(p, _, u)| p == "办件记录.xlsx" && *u)
        .map_or_else(|| panic!("{listed:?}"), |(_, r, _)| r.clone());
    assert!(
        reason.contains(
            "工作表 Sheet1 无法读取: 工作簿中有单元格的错误值 \"#BOGUS\" 无法识别 (Excel 的错误值为 #N/A、#DIV/0!、#VALUE! 等): 请在 Excel 中改正该单元格后另存 (技术信息: Unsupported cell error value '#BOGUS') (出错位置在单元格 E2 之后)"
        ),
        "{reason}"
    );
    // Past the rows the discovery looks at: found while streaming, the
    // place named after the last cell read.
    case_log_xlsx(&path, 40);
    sheet_edited(&path, |text, cut| {
        format!(
            "{}<row r=\"42\"><c r=\"C42\" t=\"e\"><v>#BOGUS</v></c></row>{}",
            &text[..cut],
            &text[cut..]
        )
    });
    let listed = skipped(&audit(dir.path()));
    assert!(
        listed.iter().any(|(p, r, u)| p == "办件记录.xlsx"
            && *u
            && r.contains("无法识别")
            && r.ends_with("(出错位置在单元格 E41 之后)")),
        "{listed:?}"
    );
    // A file cut short (a download that stopped): not a complete zip.
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let listed = skipped(&audit(dir.path()));
    assert!(
        listed.iter().any(|(p, r, u)| p == "办件记录.xlsx"
            && *u
            && r.contains("不是有效的 Excel 工作簿或已损坏: 文件不是完整的 .xlsx 压缩包")),
        "{listed:?}"
    );
}

/// A workbook given another format's extension says what it really is and
/// what to do: a web page saved as `.xls` (some systems export HTML tables
/// so; it was told to rename to .csv, which would not help), an `.xlsx`
/// named `.xls` (called a damaged `.xls`), an old `.xls` named `.xlsx`.
#[test]
fn a_workbook_under_another_formats_extension_says_what_it_is() {
    let dir = common::folder(&[CATALOGUE]);
    std::fs::write(
        dir.path().join("办件记录.xls"),
        "<html><body><table><tr><td>办件编号</td></tr><tr><td>C1</td></tr></table></body></html>\n",
    )
    .unwrap();
    case_log_xlsx(&dir.path().join("收费记录.xls"), 1);
    std::fs::write(dir.path().join("进驻单位.xlsx"), compound_file("Workbook")).unwrap();
    let listed = skipped(&audit(dir.path()));
    let reason = |name: &str| {
        listed
            .iter()
            .find(|(p, _, u)| p == name && *u)
            .map_or_else(|| panic!("{name}: {listed:?}"), |(_, r, _)| r.clone())
    };
    assert!(
        reason("办件记录.xls").contains("文件内容是网页表格 (HTML"),
        "{listed:?}"
    );
    assert!(
        reason("收费记录.xls").contains("文件实际是 .xlsx 格式 (zip), 扩展名却是 .xls"),
        "{listed:?}"
    );
    assert!(
        reason("进驻单位.xlsx").contains("文件实际是旧版 Office 格式 (如 .xls), 扩展名却是 .xlsx"),
        "{listed:?}"
    );
}
