//! CSV and TSV (`.csv`, `.tsv`, `.txt`): sampling, delimiter detection and
//! chunked streaming with the csv crate's `ByteRecord` (cells are decoded
//! only when parsed, on the worker).
//!
//! Row numbers are line numbers (the line a record starts on), so a CSV row
//! number is what a text editor shows, and what a spreadsheet shows for a
//! file without line breaks inside quoted cells.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use super::chunk::{Chunk, ChunkSeq, Rows, TablePlan, MAX_CHUNK_BYTES};
use super::encoding::{self, DetectError, TextEncoding};
use super::header::SCAN_ROWS;
use super::split::Cutter;
use super::{Pulled, ReadError, SourceFile, StreamStats};

/// How much of a file the encoding and header detection read.
const SAMPLE: u64 = 1 << 20;

/// Why a sample with NUL bytes is no text: where the first is.
fn nul_reason(sample: &[u8]) -> String {
    let at = memchr::memchr(0, sample).unwrap_or(0);
    let before = &sample[..at];
    let breaks = match memchr::memchr_iter(b'\n', before).count() {
        // (Old Mac line breaks: `\r` alone.)
        0 => memchr::memchr_iter(b'\r', before).count(),
        n => n,
    };
    let line = 1 + breaks;
    format!(
        "含有 NUL 字节(第一个在第 {line} 行, 第 {} 字节),不是文本文件(可能是改了扩展名的 Excel 文件, 或没有字节顺序标记的 UTF-16 文本)",
        at + 1
    )
}

/// The first rows of a text table.
pub(crate) struct TextProbe {
    pub encoding: TextEncoding,
    pub delimiter: u8,
    pub rows: Vec<Vec<String>>,
    /// The line of each row in `rows`.
    pub lines: Vec<u32>,
}

/// Samples a text file: encoding (unless forced), delimiter and the first
/// `scan` rows decoded (see [`super::header::scan_rows`]). `Ok(None)` for a
/// file with no content.
pub(crate) fn probe(
    path: &Path,
    rel: &str,
    tab: bool,
    forced: Option<TextEncoding>,
    scan: usize,
) -> Result<Option<TextProbe>, ReadError> {
    let io = ReadError::io(rel);
    let mut f = File::open(path).map_err(io)?;
    let mut sample = Vec::new();
    (&mut f).take(SAMPLE).read_to_end(&mut sample).map_err(io)?;
    let complete = (sample.len() as u64) < SAMPLE || f.read(&mut [0u8; 1]).map_err(io)? == 0;
    let enc = match forced {
        Some(e) => e,
        None => encoding::detect(&sample, complete).map_err(|e| match e {
            DetectError::Binary => ReadError::Unreadable {
                file: rel.to_string(),
                reason: nul_reason(&sample),
            },
            DetectError::BomNotUtf8 => ReadError::UnknownEncoding {
                file: rel.to_string(),
                detail: "以 UTF-8 的字节顺序标记 (BOM) 开头, 其后的内容却不是 UTF-8(可能是 GBK);请另存为 UTF-8, 或在映射文件中指定 encoding".into(),
            },
            DetectError::Unknown { offset } => ReadError::UnknownEncoding {
                file: rel.to_string(),
                detail: format!("既不是 UTF-8 也不是 GBK/GB18030(第 {offset} 字节起);可在映射文件中指定 encoding"),
            },
        })?,
    };
    let transcoded;
    let body: &[u8] = if enc.is_utf16() {
        transcoded = enc.decode_lossy(&sample);
        transcoded.as_bytes()
    } else {
        &sample[enc.bom_len(&sample)..]
    };
    let enc_cells = enc.cell_encoding();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    // Old Mac line breaks (a lone `\r`) read as `\n`, as `stream` reads them.
    let lf;
    let body: &[u8] = if cr_only(&body[..body.len().min(SNIFF as usize)]) {
        lf = cr_to_lf(body.to_vec());
        &lf
    } else {
        body
    };
    let delimiter = if tab || detect_tab(body) { b'\t' } else { b',' };
    let mut rdr = builder(delimiter).from_reader(body);
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    let mut rec = csv::ByteRecord::new();
    while rows.len() < scan {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {
                let start = rec.position().map_or(1, csv::Position::line);
                let after = rdr.position();
                // Whether the record's `\n` was read with it, judged record
                // by record: a title line saved with `\n` above a header
                // and rows with `\r\n` (a line added in another editor)
                // mixes both in one file.
                let term = u64::from(
                    usize::try_from(after.byte())
                        .ok()
                        .and_then(|b| b.checked_sub(1))
                        .and_then(|b| body.get(b))
                        == Some(&b'\n'),
                );
                lines.push(record_line(start, after.line(), &rec, term));
                rows.push(
                    rec.iter()
                        .map(|c| {
                            enc_cells.decode(c).map_or_else(
                                || String::from_utf8_lossy(c).into_owned(),
                                std::borrow::Cow::into_owned,
                            )
                        })
                        .collect(),
                );
            }
            Ok(false) => break,
            Err(e) => {
                return Err(ReadError::Unreadable {
                    file: rel.to_string(),
                    reason: e.to_string(),
                })
            }
        }
    }
    if !complete && rows.len() < scan && rows.len() > 1 {
        // The last record may be cut by the end of the sample.
        rows.pop();
        lines.pop();
    }
    Ok(Some(TextProbe {
        encoding: enc,
        delimiter,
        rows,
        lines,
    }))
}

/// Tab-separated "when the header has tabs" (the data contract): the first
/// line with two or more tabs or commas (a header; a title row above it has
/// neither) decides, so that commas inside the cells of a tab-separated
/// file do not count. Without such a line, more tabs than commas in the
/// first lines.
fn detect_tab(body: &[u8]) -> bool {
    let mut tabs = 0usize;
    let mut commas = 0usize;
    for line in body.split(|&b| b == b'\n').take(SCAN_ROWS) {
        let (t, c) = (count_byte(line, b'\t'), count_byte(line, b','));
        if t.max(c) >= 2 {
            return t > c;
        }
        tabs += t;
        commas += c;
    }
    tabs > commas
}

pub(crate) fn builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 18);
    b
}

/// The chunks of a text source, each cut when it is asked for: by the
/// worker that parses it next (see [`super::par_stream`]), so that its bytes
/// are read into the cache of the core that splits and types them, and no
/// thread of its own takes a core's time from the workers.
pub(crate) struct TextChunks {
    cutter: Cutter<Box<dyn Read + Send>>,
    seq: ChunkSeq,
    chunk_rows: usize,
    rel: String,
}

impl TextChunks {
    /// Opens the source: its encoding's BOM skipped, UTF-16 transcoded,
    /// lone `\r` line breaks read as `\n`, the rows before its header
    /// (`data_skip`) passed.
    pub(crate) fn open(
        source: &SourceFile,
        plan: &Arc<TablePlan>,
        chunk_rows: usize,
    ) -> Result<TextChunks, ReadError> {
        let io = ReadError::io(&source.rel);
        let mut file = File::open(&source.path).map_err(io)?;
        let enc = source.encoding.unwrap_or(TextEncoding::Utf8);
        let mut head = [0u8; 4];
        let n = read_up_to(&mut file, &mut head).map_err(io)?;
        let bom = enc.bom_len(&head[..n]);
        // UTF-16 is transcoded as it is read.
        // (The file's offset of the first byte read, where it is the
        // file's own byte: the reads are placed by it.)
        let (mut input, offset): (Box<dyn Read + Send>, u64) = if enc.is_utf16() {
            file.seek(SeekFrom::Start(0)).map_err(io)?;
            (Box::new(encoding::Utf16Reader::new(file, enc)), 0)
        } else {
            file.seek(SeekFrom::Start(bom as u64)).map_err(io)?;
            (Box::new(file), bom as u64)
        };
        // A file whose lines end with a lone `\r` (old Mac exports, Excel's
        // "CSV (Macintosh)") is read with `\n` for it, so that row numbers are
        // lines as for any other file. Its first bytes decide, read apart.
        if cr_only(&sniff(source, enc, bom).map_err(io)?) {
            input = Box::new(CrToLf::new(input));
        }
        let mut chunks = TextChunks {
            cutter: Cutter::new(input, source.delimiter).at_offset(offset),
            seq: ChunkSeq::new(plan),
            chunk_rows: chunk_rows.max(1),
            rel: source.rel.clone(),
        };
        if source.data_skip > 0 {
            chunks
                .cutter
                .next_block(source.data_skip, MAX_CHUNK_BYTES)
                .map_err(|e| chunks.unreadable(&e))?;
        }
        Ok(chunks)
    }

    fn unreadable(&self, e: &std::io::Error) -> ReadError {
        ReadError::Unreadable {
            file: self.rel.clone(),
            reason: e.to_string(),
        }
    }
}

impl Pulled for TextChunks {
    fn next_chunk(&mut self) -> Result<Option<Chunk>, ReadError> {
        let block = self
            .cutter
            .next_block(self.chunk_rows, MAX_CHUNK_BYTES)
            .map_err(|e| self.unreadable(&e))?;
        Ok(block.map(|block| {
            let raw = block.records as u64;
            self.seq.next(Rows::Text(block), raw)
        }))
    }

    fn stats(&self) -> StreamStats {
        self.seq.stats()
    }
}

/// The line a record starts on, from the csv crate's line count after the
/// record (`after`) and where reading began (`start`, before any blank
/// lines skipped). `term` is 1 when the record's line break was consumed
/// with it (`\n` endings), 0 for `\r\n` endings (csv stops at the `\r`)
/// and for a last record without a line break. Line breaks inside quoted
/// cells are counted only when the line count moved by more than one.
fn record_line(start: u64, after: u64, rec: &csv::ByteRecord, term: u64) -> u32 {
    let diff = after.saturating_sub(start);
    let inner = if diff > 1 {
        count_byte(rec.as_slice(), b'\n') as u64
    } else {
        0
    };
    after.saturating_sub(inner + term).max(1) as u32
}

/// How much of a text decides whether its lines end with a lone `\r`.
const SNIFF: u64 = 64 << 10;

/// The first bytes of a text source's content, as `stream` reads it (after
/// the BOM, UTF-16 transcoded).
fn sniff(source: &SourceFile, enc: TextEncoding, bom: usize) -> std::io::Result<Vec<u8>> {
    let mut file = File::open(&source.path)?;
    let mut head = Vec::new();
    if enc.is_utf16() {
        encoding::Utf16Reader::new(file, enc)
            .take(SNIFF)
            .read_to_end(&mut head)?;
    } else {
        file.seek(SeekFrom::Start(bom as u64))?;
        file.take(SNIFF).read_to_end(&mut head)?;
    }
    Ok(head)
}

/// Whether the text's lines end with a lone `\r` (judged by its first line
/// break; a `\r` at the very end of a sample does not decide).
fn cr_only(body: &[u8]) -> bool {
    // A `\r` inside a quoted cell of an ordinary file must not decide: a
    // file is lone-CR when it breaks lines with `\r` and never with `\n`.
    memchr::memchr(b'\r', body).is_some_and(|i| i + 1 < body.len())
        && memchr::memchr(b'\n', body).is_none()
}

fn cr_to_lf(bytes: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    CrToLf::new(&bytes[..])
        .read_to_end(&mut out)
        .map_or(bytes, |_| out)
}

/// A reader of a text with lone `\r` line breaks that gives `\n` for them;
/// a `\r\n` (should one occur further on) stays one line break.
struct CrToLf<R> {
    inner: R,
    /// The last byte given was a `\r` turned into `\n`: a `\n` next is
    /// the rest of that line break, not a new one.
    after_cr: bool,
}

impl<R: Read> CrToLf<R> {
    fn new(inner: R) -> Self {
        CrToLf {
            inner,
            after_cr: false,
        }
    }
}

impl<R: Read> Read for CrToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let mut n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            if std::mem::take(&mut self.after_cr) && buf[0] == b'\n' {
                buf.copy_within(1..n, 0);
                n -= 1;
                if n == 0 {
                    continue;
                }
            }
            let mut i = 0;
            while i < n {
                if buf[i] == b'\r' {
                    if i + 1 < n && buf[i + 1] == b'\n' {
                        i += 1; // a `\r\n`: the cutter reads it as one break
                    } else {
                        buf[i] = b'\n';
                        self.after_cr = i + 1 == n;
                    }
                }
                i += 1;
            }
            return Ok(n);
        }
    }
}

fn count_byte(bytes: &[u8], b: u8) -> usize {
    bytes.iter().fold(0, |n, &x| n + usize::from(x == b))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::{cr_only, CrToLf};
    use std::io::Read;

    /// Gives one byte per read, so that every buffer boundary is tried.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some((&b, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            buf[0] = b;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn lone_carriage_returns_become_line_feeds_and_crlf_stays_one_break() {
        for text in [&b"a\rb\r\nc\r"[..], b"\r\r\n\r", b"x"] {
            let mut whole = Vec::new();
            CrToLf::new(text).read_to_end(&mut whole).unwrap();
            let mut trickled = Vec::new();
            CrToLf::new(Trickle(text))
                .read_to_end(&mut trickled)
                .unwrap();
            // The same line breaks (a `\r\n` may come out as `\n` when a
            // read ends between its two bytes: one break either way).
            let breaks = |b: &[u8]| String::from_utf8_lossy(b).replace("\r\n", "\n");
            assert_eq!(breaks(&whole), breaks(&trickled), "{text:?}");
            assert!(!breaks(&whole).contains('\r'), "{text:?}");
        }
        let mut out = Vec::new();
        CrToLf::new(&b"a\rb\r\nc\r"[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"a\nb\r\nc\n");
    }

    #[test]
    fn a_file_is_lone_cr_only_without_any_line_feed() {
        assert!(cr_only(b"h1,h2\ra,b\r"));
        // A `\r` in a quoted cell of an ordinary file does not decide.
        assert!(!cr_only(b"h1,\"x\ry\"\r\na,b\r\n"));
        assert!(!cr_only(b"h1,h2\na,b\n"));
        assert!(!cr_only(b"h1,h2\r"));
    }
}
