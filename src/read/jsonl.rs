//! JSON Lines (`.jsonl`, `.ndjson`): one object per line; the keys of the
//! first lines are the header. Row numbers are line numbers. Blank lines are
//! skipped; a line that is not an object is a bad row.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use super::chunk::{Chunk, ChunkSeq, FlatRows, Rows, TablePlan, MAX_CHUNK_BYTES};
use super::encoding::{self, TextEncoding};
use super::header::SCAN_ROWS;
use super::{Pulled, ReadError, SourceFile, StreamStats};

/// Lines sampled for keys.
const KEY_LINES: usize = 100;

/// Bytes sampled for keys, unless the first line is longer.
const SAMPLE: u64 = 1 << 20;

/// The longest first line sampled whole (no record of an export is
/// 16 MiB; a longer line is reported as too long).
const MAX_LINE: u64 = 16 << 20;

/// `sample` holds a whole line with content (a line break after
/// something other than white space).
fn holds_a_line(sample: &[u8]) -> bool {
    sample
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .is_some_and(|start| sample[start..].contains(&b'\n'))
}

pub(crate) struct JsonProbe {
    pub encoding: TextEncoding,
    /// The keys in order of first appearance.
    pub keys: Vec<String>,
}

pub(crate) fn probe(
    path: &Path,
    rel: &str,
    forced: Option<TextEncoding>,
) -> Result<Option<JsonProbe>, ReadError> {
    let io = ReadError::io(rel);
    let mut sample = Vec::new();
    let mut file = BufReader::new(File::open(path).map_err(io)?);
    (&mut file)
        .take(SAMPLE)
        .read_to_end(&mut sample)
        .map_err(io)?;
    // The whole first line at least (one record of a megabyte, a long
    // 不予理由, is no reason to find no object), up to MAX_LINE.
    let whole = sample.len() < SAMPLE as usize;
    if !whole && !holds_a_line(&sample) {
        (&mut file)
            .take(MAX_LINE - SAMPLE)
            .read_until(b'\n', &mut sample)
            .map_err(io)?;
        if !holds_a_line(&sample) && sample.len() >= MAX_LINE as usize {
            return Err(ReadError::Unreadable {
                file: rel.to_string(),
                reason: format!(
                    "第一行超过 {} MiB 仍未结束, 行太长, 不像 JSON Lines (每行一个 JSON 对象)",
                    MAX_LINE >> 20
                ),
            });
        }
    }
    let enc = match forced {
        Some(e) => e,
        None => encoding::detect(&sample, whole).map_err(|_| ReadError::UnknownEncoding {
            file: rel.to_string(),
            detail: "JSON Lines 应为 UTF-8".into(),
        })?,
    };
    if enc.is_utf16() {
        return Err(ReadError::UnknownEncoding {
            file: rel.to_string(),
            detail: "JSON Lines 应为 UTF-8 或 GBK,不支持 UTF-16".into(),
        });
    }
    let text = enc.decode_lossy(&sample);
    let mut keys: Vec<String> = Vec::new();
    // (Looked up by hash: a first line of 200,000 keys took 23 s by scan.)
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut objects = 0;
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(KEY_LINES.max(SCAN_ROWS))
    {
        // (A line that is no object is a bad row when the file is read.)
        if let Ok(obj) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(line) {
            objects += 1;
            for k in obj.keys() {
                if seen.insert(k.clone()) {
                    keys.push(k.clone());
                }
            }
        }
    }
    if objects == 0 {
        if text.trim().is_empty() {
            return Ok(None);
        }
        return Err(ReadError::Unreadable {
            file: rel.to_string(),
            reason: "前 100 行中没有 JSON 对象".into(),
        });
    }
    Ok(Some(JsonProbe {
        encoding: enc,
        keys,
    }))
}

/// The chunks of a JSON Lines source, each read when it is asked for (by
/// the worker that parses it next, as [`super::text::TextChunks`]).
pub(crate) struct JsonlChunks {
    input: BufReader<File>,
    enc: TextEncoding,
    seq: ChunkSeq,
    chunk_rows: usize,
    rel: String,
    buf: Vec<u8>,
    line: u32,
}

impl JsonlChunks {
    pub(crate) fn open(
        source: &SourceFile,
        plan: &Arc<TablePlan>,
        chunk_rows: usize,
    ) -> Result<JsonlChunks, ReadError> {
        let file = File::open(&source.path).map_err(ReadError::io(&source.rel))?;
        Ok(JsonlChunks {
            input: BufReader::with_capacity(1 << 20, file),
            enc: source.encoding.unwrap_or(TextEncoding::Utf8),
            seq: ChunkSeq::new(plan),
            chunk_rows: chunk_rows.max(1),
            rel: source.rel.clone(),
            buf: Vec::new(),
            line: 0,
        })
    }
}

impl Pulled for JsonlChunks {
    /// The next chunk of lines.
    fn next_chunk(&mut self) -> Result<Option<Chunk>, ReadError> {
        let mut rows = FlatRows::with_capacity(self.chunk_rows, self.chunk_rows * 256);
        // (The lines with content: a line of spaces only is a blank row,
        // kept for its count.)
        let mut raw = 0u64;
        while rows.len() < self.chunk_rows && rows.byte_len() < MAX_CHUNK_BYTES {
            self.buf.clear();
            let n = self
                .input
                .read_until(b'\n', &mut self.buf)
                .map_err(ReadError::io(&self.rel))?;
            if n == 0 {
                break;
            }
            self.line += 1;
            let mut text: &[u8] = &self.buf;
            if self.line == 1 {
                text = &text[self.enc.bom_len(text)..];
            }
            raw += u64::from(!text.iter().all(u8::is_ascii_whitespace));
            rows.push_line(self.line, text);
        }
        if rows.len() == 0 {
            return Ok(None);
        }
        Ok(Some(self.seq.next(Rows::Json(rows), raw)))
    }

    fn stats(&self) -> StreamStats {
        self.seq.stats()
    }
}
