//! The cutter and the splitter against the csv crate reading the whole text
//! at once: the same records, the same cells, and each record's row number
//! the line its first byte is on, for every block size.

use super::{split_block, Cutter};
use crate::read::text::builder;

/// (line of the first byte, cells) of every record.
type Records = Vec<(u32, Vec<Vec<u8>>)>;

/// The records of `text` as the csv crate reads it in one go, except that
/// a quote that opens a cell and that no quote closes as a cell ends (none
/// closes it before the end, or the next quote, on a later line, is
/// followed by other text than a delimiter or a line break) ends its record
/// at the line break after it, and reading goes on with the next line.
fn whole(text: &[u8]) -> Records {
    whole_from(text, 0)
}

/// Where the quote is that opened the first quoted cell over more than one
/// line whose closing quote is followed by other text than a delimiter or
/// a line break (spaces after it aside), by the same walk as [`open_at_end`].
fn stray_span(text: &[u8]) -> Option<usize> {
    let (mut open, mut spans, mut cell_start, mut i) = (None, false, true, 0);
    while i < text.len() {
        let b = text[i];
        match open {
            Some(_) if b == b'"' && text.get(i + 1) == Some(&b'"') => i += 1,
            Some(q) if b == b'"' => {
                let after = text[i + 1..].iter().find(|&&c| c != b' ' && c != b'\t');
                if spans && !matches!(after, None | Some(b',' | b'\r' | b'\n')) {
                    return Some(q);
                }
                open = None;
            }
            Some(_) => spans |= b == b'\r' || b == b'\n',
            None if b == b'"' && cell_start => (open, spans) = (Some(i), false),
            None => {}
        }
        cell_start = open.is_none() && matches!(b, b',' | b'\r' | b'\n');
        i += 1;
    }
    None
}

/// The lines `text` ends, counted naively (independent of the code under
/// test) by the walk of [`open_at_end`]: each `\n`, and outside quotes each
/// `\r` not followed by a `\n` (a lone one ends a record and a line, as an
/// editor shows it; inside a quoted cell it is text).
fn lines_in(text: &[u8]) -> u32 {
    let (mut open, mut cell_start, mut i, mut n) = (false, true, 0, 0);
    while i < text.len() {
        let b = text[i];
        if b == b'\n' || (b == b'\r' && !open && text.get(i + 1) != Some(&b'\n')) {
            n += 1;
        }
        match open {
            true if b == b'"' && text.get(i + 1) == Some(&b'"') => i += 1,
            true if b == b'"' => open = false,
            true => {}
            false if b == b'"' && cell_start => open = true,
            false => {}
        }
        cell_start = !open && matches!(b, b',' | b'\r' | b'\n');
        i += 1;
    }
    n
}

/// Where the quote is that opened a cell still open at the end of `text`,
/// by a plain walk over the csv crate's rules (a quote opens a cell only at
/// a cell's start; `""` inside one is a quote; a line break outside quotes
/// ends a record).
fn open_at_end(text: &[u8]) -> Option<usize> {
    let (mut open, mut cell_start, mut i) = (None, true, 0);
    while i < text.len() {
        let b = text[i];
        match open {
            Some(_) if b == b'"' && text.get(i + 1) == Some(&b'"') => i += 1,
            Some(_) if b == b'"' => open = None,
            Some(_) => {}
            None if b == b'"' && cell_start => open = Some(i),
            None => {}
        }
        cell_start = open.is_none() && matches!(b, b',' | b'\r' | b'\n');
        i += 1;
    }
    open
}

fn whole_from(text: &[u8], lines_before: u32) -> Records {
    if let Some(q) = stray_span(text).or_else(|| open_at_end(text)) {
        if let Some(cut) = text[q..]
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .map(|k| q + k)
        {
            let lines = lines_in(&text[..cut]);
            let mut out = whole_from(&text[..cut], lines_before);
            out.extend(whole_from(&text[cut..], lines_before + lines));
            return out;
        }
    }
    let mut rdr = builder(b',').from_reader(text);
    let mut rec = csv::ByteRecord::new();
    let mut out = Vec::new();
    while rdr.read_byte_record(&mut rec).unwrap() {
        let mut start = rec.position().unwrap().byte() as usize;
        while matches!(text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let line = lines_before + 1 + lines_in(&text[..start]);
        out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
    }
    out
}

/// The same through the cutter (blocks of `n` records, read in pieces of
/// 7 bytes so that records straddle reads) and the splitter.
fn cut(text: &[u8], n: usize, max_bytes: usize) -> (Records, usize) {
    cut_reading(text, n, max_bytes, 7)
}

/// [`cut`], reading `read` bytes at a time; the same records, blocks and
/// empty lines whatever the pieces of plain lines counted at once (of 2
/// and 13 bytes, and of the cutter's own size).
fn cut_reading(text: &[u8], n: usize, max_bytes: usize, read: usize) -> (Records, usize) {
    let got = cut_pieces(text, n, max_bytes, read, super::PIECE);
    let empty = EMPTY.with(std::cell::Cell::get);
    for piece in [2, 13] {
        let other = cut_pieces(text, n, max_bytes, read, piece);
        assert_eq!(other, got, "pieces of {piece} bytes");
        assert_eq!(EMPTY.with(std::cell::Cell::get), empty, "pieces of {piece}");
    }
    got
}

/// [`cut_reading`] with pieces of plain lines of `piece` bytes.
fn cut_pieces(
    text: &[u8],
    n: usize,
    max_bytes: usize,
    read: usize,
    piece: usize,
) -> (Records, usize) {
    struct Trickle<'a>(&'a [u8]);
    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let k = buf.len().min(7).min(self.0.len());
            buf[..k].copy_from_slice(&self.0[..k]);
            self.0 = &self.0[k..];
            Ok(k)
        }
    }
    let mut cutter = Cutter::new(Trickle(text), b',')
        .with_read(read)
        .with_piece(piece);
    let mut out = Vec::new();
    let mut blocks = 0;
    let mut empty = 0;
    while let Some(block) = cutter.next_block(n, max_bytes).unwrap() {
        // (A last block of empty lines alone holds no record.)
        blocks += usize::from(block.records > 0);
        empty += block.empty_lines;
        let rows = split_block(&block, &builder(b','));
        assert_eq!(rows.len(), block.records, "records counted by the cutter");
        for i in 0..rows.len() {
            let r = rows.row(i);
            let cells = (0..r.len()).map(|c| r.cell(c).to_vec()).collect();
            out.push((rows.line(i), cells));
        }
    }
    EMPTY.with(|e| e.set(empty));
    (out, blocks)
}

thread_local! {
    /// The empty lines the cutter counted in the last [`cut`].
    static EMPTY: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The empty lines of a text without quotes, counted naively: lines (ended
/// by `\r\n`, `\r` or `\n`) with nothing before their break.
fn empty_lines(text: &[u8]) -> u64 {
    let (mut n, mut start, mut i) = (0, 0, 0);
    while i < text.len() {
        if matches!(text[i], b'\r' | b'\n') {
            n += u64::from(i == start);
            i += if text[i] == b'\r' && text.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            start = i;
        } else {
            i += 1;
        }
    }
    n
}

const TEXTS: &[&str] = &[
    "a,b\n1,2\n3,4\n",
    "a,b\r\n1,2\r\n\r\n3,4",
    "a,b\n\n\n1,2\n,\n \n3,4\n\n",
    "a,b\r1,2\r3,4\r",
    "a,\"b\nc\",d\n1,\"x\"\"y\",2\n\"q\"\r\n3,4\n",
    "x,5\"inch,y\nz,\"a\"b,c\n\"open\n\nstill open\n",
    "\"\",\"\"\n\"a,b\",c\n",
    "no newline at the end,\"quoted\"",
    "\n\r\n",
    "",
    "甲,乙\n丙,\"丁\n戊\"\n己,庚\n",
    // A BOM inside a file is data, also at the start of a quoted record
    // and of a block (only a file's first BOM is skipped, before cutting).
    "a,\"b\"\n\u{feff}\"c\",d\n",
    "a,b\n\u{feff}\"x\ny\",c\n1,2\n",
    "a,b\n\u{feff}c,d\n\u{feff}\n",
    // A quote left open that a stray quote lines later closes: the first
    // ends its record at its line break, the second is a quote never
    // closed; a legitimate multi-line cell before it in the record stays.
    "1,\"x,2\n3,4\n5,\"y,6\n7,8\n",
    "1,\"x\n3,4\n5,\"y\"z,6\n7,8\n",
    "a,\"b\nc\",\"d\ne\"f,g\nh,i\r\n",
    "a,\"b\r\nc\"\"\"d\r\ne,f\r\n",
    // Spaces after the closing quote of a cell over lines: one cell, as
    // the csv crate reads it, not a stray quote.
    "a,\"b\nc\" ,d\n1,2\n",
    "a,\"b\nc\" \t\n1,2\n",
    // Runs of empty lines longer than a block.
    "a,b\n\n\r\n\n\n\r\r\n\n\n\n\n1,2\n\n\n\n\n\n\n\n\n\n",
];

#[test]
fn cuts_and_splits_as_the_csv_crate_reads() {
    for text in TEXTS {
        let want = whole(text.as_bytes());
        for n in 1..5 {
            for max_bytes in [3, 1 << 20] {
                let (got, blocks) = cut(text.as_bytes(), n, max_bytes);
                assert_eq!(
                    got, want,
                    "{text:?} in blocks of {n} records, {max_bytes} bytes"
                );
                if !text.contains('"') {
                    assert_eq!(
                        EMPTY.with(std::cell::Cell::get),
                        empty_lines(text.as_bytes()),
                        "{text:?}: empty lines in blocks of {n} records, {max_bytes} bytes"
                    );
                }
                // (A quote left open, to the end or closed by a stray
                // quote, also ends its block.)
                let cut = open_at_end(text.as_bytes()).or(stray_span(text.as_bytes()));
                if max_bytes > 3 && cut.is_none() {
                    assert_eq!(blocks, want.len().div_ceil(n), "{text:?}: blocks of {n}");
                }
            }
        }
    }
}

#[test]
fn a_generated_export_cuts_as_the_csv_crate_reads() {
    let mut text = String::new();
    for i in 0..3000 {
        match i % 11 {
            0 => text.push_str(&format!("GA{i},\"多行\n备注 {i}\",x\r\n")),
            5 => text.push('\n'),
            _ => text.push_str(&format!("GA{i},区住建局,2025-03-01 09:{:02}:00\n", i % 60)),
        }
    }
    let want = whole(text.as_bytes());
    let (got, _) = cut(text.as_bytes(), 256, 1 << 20);
    assert_eq!(got, want);
}

#[test]
fn delimiters_at_every_offset_of_a_word() {
    // Lines of 0 to 40 bytes with delimiters at changing offsets, so that
    // the sixteen-byte scan meets them at every position, and a multi-byte
    // character across block boundaries.
    let mut text = String::new();
    for n in 0..40 {
        let line: String = (0..n)
            .map(|i| match (i * 7 + n) % 5 {
                0 => ",",
                1 => "甲",
                2 => "\u{4e2c}", // E4 B8 AC: 0xAC is the delimiter with the high bit
                3 => "-",        // the delimiter plus one: a borrow in a looser test
                _ => "x",
            })
            .collect();
        text.push_str(&line);
        text.push_str(",end\n");
        // A delimiter followed by the byte above it, at every offset.
        text.push_str(&"x".repeat(n % 9));
        text.push_str(",-,--,-\n");
    }
    let want = whole(text.as_bytes());
    let (got, _) = cut(text.as_bytes(), 16, 1 << 20);
    assert_eq!(got, want);
}

#[test]
fn lines_split_at_each_delimiter_as_the_csv_crate_reads() {
    // Lines without quotes split by `FlatRows::split_lines` at a comma, a
    // tab (itself a byte below 0x0E, as the line breaks), a semicolon or a
    // bar: the delimiter, the line breaks `\n`, `\r\n` and `\r`, a control
    // byte that is part of a cell, the byte above the delimiter and a
    // multi-byte character, at every offset of a sixteen-byte block.
    for d in [b',', b'\t', b';', b'|'] {
        let mut text = Vec::new();
        for n in 0..48usize {
            for i in 0..n {
                match (i * 7 + n) % 6 {
                    0 => text.push(d),
                    1 => text.extend_from_slice("甲".as_bytes()),
                    2 => text.push(d + 1),
                    3 => text.push(0x0C),
                    _ => text.push(b'x'),
                }
            }
            text.extend_from_slice(match n % 4 {
                0 => b"\n".as_slice(),
                1 => b"\r\n",
                2 => b"\r",
                _ => b"\n\n",
            });
        }
        let mut want = Vec::new();
        let mut rdr = builder(d).from_reader(text.as_slice());
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            let mut start = rec.position().unwrap().byte() as usize;
            while matches!(text.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            // (A record's row number: the line its first byte is on, as
            // `whole_from` counts it.)
            let line = 1 + lines_in(&text[..start]);
            want.push((line, rec.iter().map(<[u8]>::to_vec).collect::<Vec<_>>()));
        }
        let rows =
            crate::read::chunk::FlatRows::split_lines(None, text.clone(), (0, b'\n'), 0, 1, d);
        let got: Records = (0..rows.len())
            .map(|i| {
                let r = rows.row(i);
                (
                    rows.line(i),
                    (0..r.len()).map(|c| r.cell(c).to_vec()).collect(),
                )
            })
            .collect();
        assert_eq!(got, want, "delimiter {d}");
    }
}

#[test]
fn random_texts_cut_and_split_as_the_csv_crate_reads() {
    // Texts of up to 40 pieces drawn from the bytes that matter (quotes,
    // delimiters, line breaks, a BOM, a multi-byte character, control
    // bytes below 0x0E that are no line break), by a fixed xorshift so that
    // a failure reproduces.
    const PIECES: &[&[u8]] = &[
        b"a",
        b"bc",
        b",",
        b"\t",
        b"\x0c",
        b"\x00",
        b"\"",
        b"\"\"",
        b"\r",
        b"\n",
        b"\r\n",
        b" ",
        b"\xEF\xBB\xBF",
        "甲".as_bytes(),
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let len = (next() % 41) as usize;
        let mut text = Vec::new();
        for _ in 0..len {
            text.extend_from_slice(PIECES[(next() % PIECES.len() as u64) as usize]);
        }
        // A file's own BOM is skipped before cutting (and the csv crate
        // would drop one at the start of what it reads): none at the start.
        while text.starts_with(b"\xEF\xBB\xBF") {
            text.drain(..3);
        }
        let want = whole(&text);
        for n in [1, 2, 3] {
            for max_bytes in [3, 1 << 20] {
                let (got, _) = cut(&text, n, max_bytes);
                assert_eq!(
                    got,
                    want,
                    "{:?} in blocks of {n} records, {max_bytes} bytes",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }
}

/// A quote never closed ends its record at its line break, and the block
/// with it, whether the input ends (a row number for the data error) or
/// the record grows past `MAX_RECORD` bytes first (rather than be read
/// whole into memory): the rows after it are rows.
#[test]
fn a_quote_never_closed_ends_its_record_at_the_line_break() {
    let rows = super::MAX_RECORD / 4 + 100_000;
    let mut text = b"a,b\n1,\"x\n".to_vec();
    for _ in 0..rows {
        text.extend_from_slice(b"y,z\n");
    }
    text.extend_from_slice(b"2,\"open");
    let mut cutter = Cutter::new(&text[..], b',');
    let first = cutter.next_block(10, 1 << 30).unwrap().unwrap();
    assert_eq!(
        (first.records, first.unclosed_quote.map(|q| q.row)),
        (2, Some(2))
    );
    let rest = split_block(&first, &builder(b','));
    assert_eq!(rest.row(1).cell(1), b"x");
    let mut records = 0;
    let mut unclosed = Vec::new();
    while let Some(block) = cutter.next_block(100_000, 1 << 30).unwrap() {
        records += block.records;
        unclosed.extend(block.unclosed_quote.map(|q| q.row));
    }
    assert_eq!(records, rows + 1);
    assert_eq!(unclosed, [u32::try_from(rows).unwrap() + 3]);
}

/// Long runs of lines without a quote, `\r\n`, lone `\r` and empty lines
/// among them, a quoted record over lines in between, runs of `\r\n` with
/// empty lines, lone `\n` and lone `\r` among them, and a file whose
/// every cell is quoted: the same records and empty lines as the csv crate,
/// in blocks of several sizes, read in pieces of a real read's size (64
/// KiB, records and blocks ending anywhere in them) and of smaller ones.
#[test]
fn long_runs_without_quotes_cut_as_the_csv_crate_reads() {
    use std::fmt::Write;
    let lines = |from: usize, to: usize| -> String {
        let mut text = String::new();
        for i in from..to {
            let end = match i % 97 {
                0 => "\r\n",
                1 => "\r",
                2 => "\n\n",
                3 => "\r\n\r\n",
                _ => "\n",
            };
            let _ = write!(text, "GA{i},区住建局,2025-03-01{end}");
        }
        text
    };
    let plain = lines(0, 2000);
    let with_quotes = lines(0, 1200) + "GA,\"多行\r\n备注\",x\n" + &lines(1200, 2000);
    let mut quoted = String::new();
    for i in 0..600 {
        let _ = writeln!(quoted, "\"GA{i}\",\"区住建局\",\"2025\"");
    }
    // Windows line breaks, with now and then an empty line, a lone `\n`
    // or a lone `\r` among them.
    let mut crlf = String::new();
    for i in 0..3000 {
        let end = match i % 331 {
            0 => "\r\n\r\n",
            1 => "\n",
            2 => "\r",
            _ => "\r\n",
        };
        let _ = write!(crlf, "GA{i},区住建局,2025-03-01{end}");
    }
    for text in [plain, with_quotes, quoted, crlf] {
        let want = whole(text.as_bytes());
        for (n, read) in [(100_000, 64 << 10), (700, 64 << 10), (513, 4096), (64, 100)] {
            let (got, _) = cut_reading(text.as_bytes(), n, 1 << 20, read);
            assert_eq!(got, want, "blocks of {n}, reads of {read}");
            if !text.contains('"') {
                assert_eq!(
                    EMPTY.with(std::cell::Cell::get),
                    empty_lines(text.as_bytes())
                );
            }
        }
    }
}

/// After the first block, every read lands in the block's buffer at the
/// input's own offset modulo a cache line (the kernel's copy crawls
/// otherwise on some processors), whatever the length of the unfinished
/// record carried over; and the blocks still hold the records as the csv
/// crate reads them.
#[test]
fn reads_land_at_the_input_offset_modulo_a_cache_line() {
    struct Placed<'a> {
        rest: &'a [u8],
        at: usize,
        residues: Vec<usize>,
    }
    impl std::io::Read for Placed<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let k = buf.len().min(self.rest.len());
            if k > 0 {
                let residue = (buf.as_ptr() as usize).wrapping_sub(self.at) % super::LINE;
                self.residues.push(residue);
            }
            buf[..k].copy_from_slice(&self.rest[..k]);
            self.rest = &self.rest[k..];
            self.at += k;
            Ok(k)
        }
    }
    // Lines of every length mod 64, so that the carried-over tails do too.
    let mut text = Vec::new();
    for i in 0..20_000usize {
        text.extend_from_slice(format!("{i},{}\n", "x".repeat(i % 97)).as_bytes());
    }
    let offset = 3;
    let input = Placed {
        rest: &text,
        at: offset,
        residues: Vec::new(),
    };
    let mut cutter = Cutter::new(input, b',')
        .at_offset(offset as u64)
        .with_read(4096);
    let mut got = Vec::new();
    let mut first_reads = None;
    while let Some(block) = cutter.next_block(37, 1 << 20).unwrap() {
        first_reads.get_or_insert(cutter.input.residues.len());
        let rows = split_block(&block, &builder(b','));
        for i in 0..rows.len() {
            let r = rows.row(i);
            let cells: Vec<Vec<u8>> = (0..r.len()).map(|c| r.cell(c).to_vec()).collect();
            got.push((rows.line(i), cells));
        }
    }
    assert_eq!(got, whole(&text));
    let later = &cutter.input.residues[first_reads.unwrap()..];
    assert!(
        later.len() > 100,
        "{} reads after the first block",
        later.len()
    );
    assert!(later.iter().all(|&r| r == 0), "{later:?}");
}
