//! Text encodings of CSV/TSV/JSONL/YAML exports: UTF-8, UTF-8 with BOM,
//! GBK and GB18030, and UTF-16 with a BOM (Excel's "Unicode text", which
//! is transcoded to UTF-8 while reading), detected per file from a sample,
//! overridable per file in the mapping.
//!
//! Detection: a BOM decides; otherwise valid UTF-8 is UTF-8; otherwise a
//! sample that decodes as GB18030 without error is GB18030 when it uses the
//! four-byte sequences GBK lacks, else GBK (the name users know). A NUL byte
//! makes a file binary (unreadable), and anything else is an unknown
//! encoding. Both GBK and GB18030 are decoded with the GB18030 decoder (a
//! superset), so a GBK-labelled file with a rare four-byte character later
//! on still decodes.
//!
//! Invariant: CSV splitting runs on raw bytes for UTF-8 and GBK/GB18030,
//! because no byte of a GBK/GB18030 multi-byte sequence is a delimiter,
//! quote or line break (trail bytes are ≥ 0x30); UTF-16 (whose code units
//! contain such bytes) is transcoded to UTF-8 before splitting.

use std::borrow::Cow;

use encoding_rs::{Encoding, GB18030, UTF_8};

/// A supported text encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Gbk,
    Gb18030,
    Utf16Le,
    Utf16Be,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const GB18030_BOM: &[u8] = b"\x84\x31\x95\x33";

/// Why a sample could not be given an encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DetectError {
    /// NUL bytes in the first line, or in a quarter of the bytes: not a
    /// text file (a workbook, UTF-16 without its BOM). A few NUL bytes
    /// further down make their rows unreadable, not the file.
    Binary,
    /// A UTF-8 byte order mark before text that is not UTF-8 (GBK, by a
    /// program that put the mark before any text).
    BomNotUtf8,
    /// Neither UTF-8 nor GB18030; `offset` is the first byte that fits neither.
    Unknown { offset: usize },
}

impl TextEncoding {
    /// The name shown in `inspect` and accepted in the mapping.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Gbk => "gbk",
            TextEncoding::Gb18030 => "gb18030",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
        }
    }

    /// Parses a user's encoding label (`utf-8`, `utf8`, `UTF-8-BOM`, `gbk`,
    /// `cp936`, `gb2312`, `gb18030`).
    pub fn from_label(label: &str) -> Option<TextEncoding> {
        let l: String = label
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Some(match l.as_str() {
            "utf8" => TextEncoding::Utf8,
            "utf8bom" | "utf8sig" => TextEncoding::Utf8Bom,
            "gbk" | "cp936" | "gb2312" | "936" | "windows936" => TextEncoding::Gbk,
            "gb18030" => TextEncoding::Gb18030,
            "utf16" | "utf16le" | "unicode" => TextEncoding::Utf16Le,
            "utf16be" => TextEncoding::Utf16Be,
            _ => return None,
        })
    }

    /// The labels `from_label` accepts, for error messages.
    pub const LABELS: &'static str = "utf-8, utf-8-bom, gbk, gb18030, utf-16le, utf-16be";

    /// Whether the file is UTF-16 (transcoded to UTF-8 as it is read).
    pub fn is_utf16(self) -> bool {
        matches!(self, TextEncoding::Utf16Le | TextEncoding::Utf16Be)
    }

    /// The encoding of the bytes the reader keeps for a cell: UTF-16 is
    /// transcoded to UTF-8 as it is read, the others are kept as they are.
    #[must_use]
    pub fn cell_encoding(self) -> TextEncoding {
        if self.is_utf16() {
            TextEncoding::Utf8
        } else {
            self
        }
    }

    pub(crate) fn decoder(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => UTF_8,
            TextEncoding::Gbk | TextEncoding::Gb18030 => GB18030,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
        }
    }

    /// The length of the byte-order mark this encoding's file starts with,
    /// if `head` has one.
    pub fn bom_len(self, head: &[u8]) -> usize {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom if head.starts_with(UTF8_BOM) => 3,
            TextEncoding::Gbk | TextEncoding::Gb18030 if head.starts_with(GB18030_BOM) => 4,
            TextEncoding::Utf16Le if head.starts_with(b"\xFF\xFE") => 2,
            TextEncoding::Utf16Be if head.starts_with(b"\xFE\xFF") => 2,
            _ => 0,
        }
    }

    /// Decodes one cell (or line). `None` when the bytes are malformed in
    /// this encoding. Borrows for UTF-8 and for ASCII in GBK.
    pub fn decode(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => {
                std::str::from_utf8(bytes).ok().map(Cow::Borrowed)
            }
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => self
                .decoder()
                .decode_without_bom_handling_and_without_replacement(bytes),
            TextEncoding::Gbk | TextEncoding::Gb18030 => {
                if bytes.is_ascii() {
                    // ASCII is ASCII in GBK: no copy.
                    std::str::from_utf8(bytes).ok().map(Cow::Borrowed)
                } else {
                    self.decoder()
                        .decode_without_bom_handling_and_without_replacement(bytes)
                }
            }
        }
    }

    /// Decodes a whole text (a sample or a small file), replacing malformed
    /// sequences with U+FFFD; the BOM is removed.
    pub fn decode_lossy(self, bytes: &[u8]) -> String {
        let bytes = &bytes[self.bom_len(bytes)..];
        let (text, _) = self.decoder().decode_without_bom_handling(bytes);
        text.into_owned()
    }
}

/// Detects the encoding of a file from its first bytes. `complete` says
/// whether `sample` is the whole file (else a multi-byte sequence cut at the
/// end of the sample is not an error).
pub fn detect(sample: &[u8], complete: bool) -> Result<TextEncoding, DetectError> {
    if let Some(rest) = sample.strip_prefix(UTF8_BOM) {
        let utf8 = match simdutf8::compat::from_utf8(rest) {
            Ok(_) => true,
            Err(e) if e.error_len().is_none() && !complete => true,
            Err(_) => mostly(rest, complete, |l| std::str::from_utf8(l).is_ok()),
        };
        return if utf8 {
            Ok(TextEncoding::Utf8Bom)
        } else {
            Err(DetectError::BomNotUtf8)
        };
    }
    if sample.starts_with(GB18030_BOM) {
        return Ok(TextEncoding::Gb18030);
    }
    if sample.starts_with(b"\xFF\xFE") {
        return Ok(TextEncoding::Utf16Le);
    }
    if sample.starts_with(b"\xFE\xFF") {
        return Ok(TextEncoding::Utf16Be);
    }
    if memchr_nul(sample) {
        return Err(DetectError::Binary);
    }
    // (The whole sample with SIMD: a case log's is megabytes, mostly
    // Chinese text, where the scalar check is slowest.)
    match simdutf8::compat::from_utf8(sample) {
        Ok(_) => return Ok(TextEncoding::Utf8),
        Err(e) if e.error_len().is_none() && !complete => return Ok(TextEncoding::Utf8),
        Err(_) if mostly(sample, complete, |l| std::str::from_utf8(l).is_ok()) => {
            return Ok(TextEncoding::Utf8);
        }
        Err(_) => {}
    }
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(sample.len() * 3 / 2 + 16);
    let (result, read) = decoder.decode_to_string_without_replacement(sample, &mut out, complete);
    match result {
        encoding_rs::DecoderResult::Malformed(_, _)
            if !mostly(sample, complete, |l| {
                GB18030
                    .decode_without_bom_handling_and_without_replacement(l)
                    .is_some()
            }) =>
        {
            return Err(DetectError::Unknown { offset: read });
        }
        encoding_rs::DecoderResult::Malformed(_, _) => {}
        encoding_rs::DecoderResult::InputEmpty | encoding_rs::DecoderResult::OutputFull => {}
    }
    if uses_four_byte_gb18030(sample) {
        Ok(TextEncoding::Gb18030)
    } else {
        Ok(TextEncoding::Gbk)
    }
}

/// Whether most lines holding non-ASCII bytes decode (`decodes`), the
/// header (the first of them) included: a UTF-8 file with a row or two
/// pasted in from a GBK system, or the other way round. The file is read in
/// the encoding of most of it, and the cells that do not decode are data
/// errors, rather than the whole file being misread (and skipped for a
/// header no one can match) or refused. A GBK line of Chinese text is almost
/// never valid UTF-8, so UTF-8 is asked first. A last line cut by the
/// sample's end is not judged.
fn mostly(sample: &[u8], complete: bool, decodes: impl Fn(&[u8]) -> bool) -> bool {
    // (Old Mac files break lines with a lone `\r`.)
    let mut lines: Vec<&[u8]> = sample.split(|&b| b == b'\n' || b == b'\r').collect();
    if !complete {
        lines.pop();
    }
    let (mut utf8, mut other) = (0usize, 0usize);
    let mut first = None;
    for line in lines.into_iter().filter(|l| !l.is_ascii()) {
        let ok = decodes(line);
        first.get_or_insert(ok);
        if ok {
            utf8 += 1;
        } else {
            other += 1;
        }
    }
    first == Some(true) && utf8 > other
}

/// Whether NUL bytes say the sample is no text: one in its first line
/// (a workbook's archive, UTF-16 without its BOM, where every other byte
/// is one), or a quarter of its bytes.
fn memchr_nul(b: &[u8]) -> bool {
    let Some(first) = memchr::memchr(0, b) else {
        return false;
    };
    // (A file of old Mac line breaks has `\r` alone.)
    if !b[..first].contains(&b'\n') && !b[..first].contains(&b'\r') {
        return true;
    }
    memchr::memchr_iter(0, b).count() * 4 > b.len()
}

/// Whether a GB18030 byte stream has a four-byte sequence (lead 0x81–0xFE,
/// then a digit 0x30–0x39).
fn uses_four_byte_gb18030(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            i += 1;
        } else if (0x81..=0xFE).contains(&c) && i + 1 < b.len() {
            if (0x30..=0x39).contains(&b[i + 1]) {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// Transcodes a UTF-16 stream to UTF-8 as it is read (the BOM removed,
/// malformed sequences replaced with U+FFFD).
pub(crate) struct Utf16Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
    done: bool,
}

impl<R: std::io::Read> Utf16Reader<R> {
    pub(crate) fn new(inner: R, enc: TextEncoding) -> Utf16Reader<R> {
        Utf16Reader {
            inner,
            decoder: enc.decoder().new_decoder_with_bom_removal(),
            input: vec![0; 1 << 16],
            in_start: 0,
            in_end: 0,
            output: vec![0; (1 << 16) * 3 / 2 + 16],
            out_start: 0,
            out_end: 0,
            eof: false,
            done: false,
        }
    }
}

impl<R: std::io::Read> std::io::Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            if self.in_start == self.in_end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.in_start = 0;
                self.in_end = n;
                self.eof = n == 0;
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.in_start..self.in_end],
                &mut self.output,
                self.eof,
            );
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            if self.eof && matches!(result, encoding_rs::CoderResult::InputEmpty) {
                self.done = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects() {
        assert_eq!(
            detect("事项编码,事项名称".as_bytes(), true),
            Ok(TextEncoding::Utf8)
        );
        assert_eq!(detect(b"\xEF\xBB\xBFa,b", true), Ok(TextEncoding::Utf8Bom));
        let (gbk, _, _) = GB18030.encode("事项编码,事项名称");
        assert_eq!(detect(&gbk, true), Ok(TextEncoding::Gbk));
        let (gb, _, _) = GB18030.encode("姓名,𠮷");
        assert_eq!(detect(&gb, true), Ok(TextEncoding::Gb18030));
        assert_eq!(detect(b"a\0b", true), Err(DetectError::Binary));
        // A NUL further down, in a few rows: text (the rows are reported).
        assert_eq!(
            detect(b"a,b\n1,\0\n2,3\n4,5\n", true),
            Ok(TextEncoding::Utf8)
        );
        assert_eq!(
            detect(b"a,b\n\0\0\0\0\0\0\0", true),
            Err(DetectError::Binary)
        );
        // A UTF-8 mark before GBK text.
        let (gbk, _, _) = GB18030.encode("事项编码,事项名称\nA1,事项一\n");
        let marked = [UTF8_BOM, &gbk[..]].concat();
        assert_eq!(detect(&marked, true), Err(DetectError::BomNotUtf8));
        // A UTF-8 sequence cut by the sample's end is fine.
        let s = "事项".as_bytes();
        assert_eq!(detect(&s[..4], false), Ok(TextEncoding::Utf8));
        assert_eq!(TextEncoding::from_label("UTF-8"), Some(TextEncoding::Utf8));
        assert_eq!(TextEncoding::from_label("CP936"), Some(TextEncoding::Gbk));
        assert_eq!(detect(b"\xFF\xFEa\0", true), Ok(TextEncoding::Utf16Le));
    }

    #[test]
    fn a_utf8_text_with_a_gbk_line_is_utf8_and_a_gbk_text_stays_gbk() {
        let (gbk_row, _, _) = GB18030.encode("A2,事项二,行政许可\n");
        let mut mixed = "事项编码,事项名称,事项类型\nA1,事项一,行政许可\n"
            .as_bytes()
            .to_vec();
        mixed.extend_from_slice(&gbk_row);
        mixed.extend_from_slice("A3,事项三,公共服务\n".as_bytes());
        assert_eq!(detect(&mixed, true), Ok(TextEncoding::Utf8));
        // Mostly GBK, with one UTF-8 line: GBK (the header decides first).
        let (gbk, _, _) = GB18030.encode("事项编码,事项名称\nA1,事项一\nA2,事项二\n");
        let mut other = gbk.to_vec();
        other.extend_from_slice("A3,事项三\n".as_bytes());
        assert_eq!(detect(&other, true), Ok(TextEncoding::Gbk));
    }

    #[test]
    fn transcodes_utf16() {
        use std::io::Read;
        let mut bytes = vec![0xFF, 0xFE];
        for u in "办件编号\t事项编码\r\nGA1\tA1\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let mut out = String::new();
        Utf16Reader::new(&bytes[..], TextEncoding::Utf16Le)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "办件编号\t事项编码\r\nGA1\tA1\r\n");
    }
}
