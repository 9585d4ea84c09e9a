//! CSV and TSV text cut into blocks at record boundaries ([`Cutter`], by
//! the worker that takes the block next, one worker at a time), and blocks
//! split into records on the workers ([`split_block`]).
//!
//! The cutter only looks for line breaks and quotes (`memchr`): a
//! line break outside quotes ends a record, and a record that holds a quote
//! is measured with `csv_core` itself, so the cuts are exactly where the csv
//! crate's reader would be between two records. Lines are counted a piece
//! ([`PIECE`]) at a time when the piece's line breaks are all `\n` or all
//! `\r\n` and none of its lines is empty (each line break then ends a
//! record), one by one otherwise and in the piece where the block ends.
//! Splitting a block into cells, the expensive part, runs on the workers:
//! a block without quotes by its delimiters and line breaks (one pass over
//! the block's own bytes, [`FlatRows::split_lines`]), a block with quotes
//! by the csv crate.
//!
//! The csv crate's rules that this follows (reader settings of
//! [`super::text`]: double quotes, no escape, no comment, `\r`, `\n` or
//! `\r\n` end a record): empty lines are no records, a quote opens a quoted
//! cell only at the start of a cell, and the last record needs no line
//! break.
//!
//! A record's row number is the line its first byte is on (1 + the `\n`
//! before it), which is what a text editor shows.

use std::io::Read;

use memchr::{memchr, memchr2_iter, memchr_iter, memmem, memrchr};

use super::chunk::FlatRows;

/// Bytes read at a time. The bytes of an unfinished record are copied into
/// the next block's buffer, so this is kept near a block's size.
const READ: usize = 64 << 10;

/// Bytes of lines without a quote counted at once when they are plain (a
/// `\n` ends each, or a `\r\n` each, and none is empty); the piece where
/// a block is cut is counted line by line.
const PIECE: usize = 8 << 10;

/// A record longer than this is taken to hold a quote that is never
/// closed (no cell of an export is 16 MiB): it is cut as at the end of the
/// input, rather than read whole into memory.
const MAX_RECORD: usize = 16 << 20;

/// A cache line. The kernel copies a read from the page cache with
/// `rep movsb`, which on some processors (AMD Zen 3, measured: five times
/// slower) crawls when the destination sits 1 to 31 bytes past the
/// source's place in a cache line; a block's bytes are therefore put where
/// the reads land at the file's own offset modulo this.
const LINE: usize = 64;

/// Raw text of whole records, as the cutter cut them.
#[derive(Clone, Debug)]
pub(crate) struct TextBlock {
    /// `bytes[start..]`: the block's text; the bytes before `start` (fewer
    /// than [`LINE`], ASCII) only place the reads (see [`LINE`]).
    pub bytes: Vec<u8>,
    pub start: usize,
    /// The byte before `bytes[start]` (a line break at the file's start):
    /// a `\n` there after a `\r` ends no further line.
    pub before: u8,
    /// The line number of the block's first byte.
    pub first_line: u64,
    /// The records in the block (empty lines are none).
    pub records: usize,
    /// The empty lines among them (no byte before their line break): no
    /// records, counted as blank rows, so that a table's lines add up.
    pub empty_lines: u64,
    /// Whether a record in the block holds a quote (then the csv crate
    /// splits it; otherwise delimiters and line breaks do).
    pub quoted: bool,
    pub delimiter: u8,
    /// The block's last record when a quote in it opened a cell that no
    /// quote closes as a cell ends (see [`OpenQuote`]): that record was
    /// cut at the line break after the quote (the csv crate would have read
    /// the later lines into the cell), and the rows after it are read as
    /// rows. The record is kept; the quote is a data error.
    pub unclosed_quote: Option<OpenQuote>,
}

/// A quote that opened a cell and was not closed as a cell ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpenQuote {
    /// The row of the record holding it.
    pub row: u32,
    /// `None`: no quote closed it before the end of the file (or within
    /// `MAX_RECORD` bytes). `Some(line)`: the next quote, on a later line,
    /// is followed by other text than a delimiter or a line break, so it
    /// was no cell's end either (two stray quotes far apart would have
    /// made one record of every line between them).
    pub closed_on: Option<u32>,
}

/// Cuts a text into blocks of whole records.
pub(crate) struct Cutter<R> {
    input: R,
    /// `buf[head..]`: the text not cut yet (the bytes before `head` place
    /// the reads, see [`LINE`]).
    buf: Vec<u8>,
    head: usize,
    /// Where the next read starts in the input (for the reads' placement).
    input_at: u64,
    /// Bytes read at a time ([`READ`]; tests make it small, so that records
    /// straddle reads).
    read: usize,
    /// Bytes of plain lines counted at once ([`PIECE`]; tests make it
    /// small).
    piece: usize,
    /// Finds an empty line among plain ones with `\n` line breaks.
    empty_line: memmem::Finder<'static>,
    /// Finds an empty line among plain ones with `\r\n` line breaks.
    crlf_empty_line: memmem::Finder<'static>,
    eof: bool,
    /// The line number of `buf[head]`.
    line: u64,
    /// The byte before `buf[head]` (a line break at the start: the first line
    /// starts there).
    before: u8,
    delimiter: u8,
    core: csv_core::Reader,
    scratch: Vec<u8>,
    ends: Vec<usize>,
}

impl<R: Read> Cutter<R> {
    pub(crate) fn new(input: R, delimiter: u8) -> Self {
        Cutter {
            input,
            buf: Vec::with_capacity(2 * READ),
            head: 0,
            input_at: 0,
            read: READ,
            piece: PIECE,
            empty_line: memmem::Finder::new(b"\n\n"),
            crlf_empty_line: memmem::Finder::new(b"\n\r"),
            eof: false,
            line: 1,
            before: b'\n',
            delimiter,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            scratch: vec![0; 1 << 12],
            ends: vec![0; 64],
        }
    }

    /// The cutter of an input whose first byte is at `offset` in its file
    /// (after a BOM), for the reads' placement (see [`LINE`]).
    pub(crate) fn at_offset(mut self, offset: u64) -> Self {
        self.input_at = offset;
        self
    }

    /// The cutter reading `read` bytes at a time.
    #[cfg(test)]
    pub(crate) fn with_read(mut self, read: usize) -> Self {
        self.read = read.max(1);
        self
    }

    /// The cutter counting plain lines `piece` bytes at a time.
    #[cfg(test)]
    pub(crate) fn with_piece(mut self, piece: usize) -> Self {
        self.piece = piece.max(1);
        self
    }

    /// The lines of `buf[from..to]` when they are plain: every line break
    /// a `\n`, or every one a `\r\n`, and no line empty (`seg`: where
    /// the current line starts). Then each line break ends a record: their
    /// number and the place of the last `\n` (`None`: no line break).
    fn plain_lines(&self, from: usize, to: usize, seg: usize) -> Option<(usize, Option<usize>)> {
        let piece = &self.buf[from..to];
        let Some(last) = memrchr(b'\n', piece) else {
            return memchr(b'\r', piece).is_none().then_some((0, None));
        };
        if from == seg && matches!(piece[0], b'\r' | b'\n') {
            return None;
        }
        let n = if memchr(b'\r', piece).is_none() {
            if self.empty_line.find(piece).is_some() {
                return None;
            }
            memchr_iter(b'\n', piece).count()
        } else {
            crlf_lines(piece, &self.crlf_empty_line)?
        };
        Some((n, Some(from + last)))
    }

    /// Reads more input onto `buf`; sets `eof` when there is none.
    fn fill(&mut self) -> std::io::Result<()> {
        let old = self.buf.len();
        if self.buf.capacity() - old < self.read {
            // Grow by half (not double): blocks are about the same size,
            // and a block's buffer should not be twice what it holds.
            self.buf.reserve_exact(self.read.max(old / 2));
        }
        // Into the spare capacity as it is: no zeroing of bytes the read
        // overwrites anyway (`read_to_end` retries an interrupted read).
        let n = match (&mut self.input)
            .take(self.read as u64)
            .read_to_end(&mut self.buf)
        {
            Ok(n) => n,
            Err(e) => {
                self.buf.truncate(old);
                return Err(e);
            }
        };
        self.eof = n == 0;
        self.input_at += n as u64;
        Ok(())
    }

    /// The end of the record that starts at `from` and holds a quote: where
    /// `csv_core` stops after it (reading more input as needed).
    fn quoted_end(&mut self, from: usize) -> std::io::Result<usize> {
        use csv_core::ReadRecordResult as R;
        self.core.reset();
        // The first read after a reset is given one byte: `csv_core` drops
        // a UTF-8 BOM at the start of what it first reads, which is right
        // for a file's start (skipped before cutting) but not for a record
        // in the middle of one.
        let mut first = true;
        let mut at = from;
        loop {
            let end = if first { at + 1 } else { self.buf.len() };
            first = false;
            let (res, nin, _, _) =
                self.core
                    .read_record(&self.buf[at..end], &mut self.scratch, &mut self.ends);
            at += nin;
            match res {
                R::Record | R::End => return Ok(at),
                // The cells' bytes are not needed here: reuse the buffers.
                R::OutputFull | R::OutputEndsFull => {}
                // The one-byte first read is used up.
                R::InputEmpty if at < self.buf.len() => {}
                R::InputEmpty if at - from > MAX_RECORD => return Ok(at),
                R::InputEmpty if self.eof => {
                    // Input is over: an empty input ends the last record.
                    let _ = self
                        .core
                        .read_record(&[], &mut self.scratch, &mut self.ends);
                    return Ok(at);
                }
                R::InputEmpty => self.fill()?,
            }
        }
    }

    /// The byte before `buf[at]` (`before` at the block's start).
    fn byte_before(&self, at: usize) -> u8 {
        if at > self.head {
            self.buf[at - 1]
        } else {
            self.before
        }
    }

    /// Drops `buf[..seg]`, empty lines only (their `newlines` line breaks
    /// counted into `line`), rather than hold a long run of them.
    fn drop_empty_lines(&mut self, seg: usize, newlines: &mut u64) {
        self.before = self.buf[seg - 1];
        self.buf.drain(..seg);
        self.head = 0;
        self.line += std::mem::take(newlines);
    }

    /// The next block of at most `max_records` records (fewer when the
    /// block would pass `max_bytes`, but at least one), or `None` at the end.
    pub(crate) fn next_block(
        &mut self,
        max_records: usize,
        max_bytes: usize,
    ) -> std::io::Result<Option<TextBlock>> {
        // Invariant: `seg` is where the current line (segment between
        // record ends) starts, a record boundary; `buf[seg..pos]` holds no
        // quote and no line break. Places in `buf` are absolute; the
        // block's own bytes start at `head`.
        let mut pos = self.head;
        let mut seg = self.head;
        let mut records = 0;
        let mut newlines = 0u64;
        let mut empty_lines = 0u64;
        let mut quoted = false;
        let mut unclosed_row = None;
        'cut: while records < max_records {
            // The line breaks before the next quote.
            let quote = memchr(b'"', &self.buf[pos..]).map(|i| pos + i);
            let region = quote.unwrap_or(self.buf.len());
            let mut dropped = false;
            // Piece by piece: a piece of plain lines counted at once, any
            // other line by line (a search per line costs its set-up per
            // line: a case log has one line in about 120 bytes).
            let mut from = pos;
            'pieces: while from < region {
                let to = region.min(from + self.piece);
                if let Some((n, last)) = self.plain_lines(from, to, seg) {
                    match last {
                        None => {
                            from = to;
                            continue;
                        }
                        // (No cut among them: each line is a record, and
                        // records and bytes stay under the block's.)
                        Some(last)
                            if records + n < max_records && last + 1 - self.head < max_bytes =>
                        {
                            records += n;
                            newlines += n as u64;
                            seg = last + 1;
                            from = to;
                            continue;
                        }
                        Some(_) => {}
                    }
                }
                for i in memchr2_iter(b'\r', b'\n', &self.buf[from..to]) {
                    let at = from + i;
                    if at > seg {
                        records += 1;
                    } else {
                        // A line with nothing before its break: one whose
                        // break follows another line's (`\n`, or a lone
                        // `\r` before a `\r`), not the `\n` of a `\r\n`
                        // nor the break after a quoted record's closing
                        // quote.
                        let prev = self.byte_before(at);
                        if prev == b'\n' || (prev == b'\r' && self.buf[at] == b'\r') {
                            empty_lines += 1;
                        }
                    }
                    // (A lone `\r` ends a line, as an editor and a
                    // spreadsheet show it: each `\r` is counted, and the
                    // `\n` of a `\r\n` not again.)
                    newlines += u64::from(self.buf[at] == b'\r' || self.byte_before(at) != b'\r');
                    seg = at + 1;
                    if records >= max_records || (seg - self.head >= max_bytes && records > 0) {
                        break 'cut;
                    }
                    if seg - self.head >= max_bytes {
                        dropped = true;
                        break 'pieces;
                    }
                }
                from = to;
            }
            if dropped {
                self.drop_empty_lines(seg, &mut newlines);
                (pos, seg) = (0, 0);
                continue;
            }
            // (`buf[seg..region]` holds no line break now.)
            pos = region;
            if quote.is_none() {
                if self.eof {
                    if seg < pos {
                        records += 1;
                        seg = pos;
                    }
                    break;
                }
                if seg - self.head >= max_bytes && records > 0 {
                    break;
                }
                self.fill()?;
                continue;
            }
            quoted = true;
            let end = self.quoted_end(seg)?;
            let at_end = end == self.buf.len() && (self.eof || end - seg > MAX_RECORD);
            // Only a record over more than one line, or one still open
            // at the end of the input, can hold a quote to cut at: one
            // `memchr2` over a well-quoted one-line record, no more.
            let cut = if at_end || inner_line_break(&self.buf[seg..end]) {
                let q = quotes(&self.buf[seg..end], self.delimiter);
                match q.stray_span {
                    Some((open, close)) => Some((open, Some(close))),
                    None => q.open.filter(|_| at_end).map(|open| (open, None)),
                }
            } else {
                None
            };
            if let Some((q, close)) = cut {
                // Cut the record at the first line break after the
                // quote, and the block after it, so that the csv
                // crate (which splits the block) cannot go on past it.
                // The quote's cell is read as the csv crate reads a
                // quote never closed: to its line's end (a cell opened
                // in the last column so loses only its quote; one in
                // a middle column leaves the row short, reported and
                // skipped with its text). Taking the quote as a
                // character instead would keep a record whose cell
                // holds a quote that is no part of its value, and
                // read the quote otherwise than a quote never closed.
                let from = seg + q;
                let cut =
                    memchr::memchr2(b'\r', b'\n', &self.buf[from..]).map_or(end, |i| from + i);
                let row = row_number(self.line + newlines);
                let closed_on = close.map(|c| {
                    let inner = memchr_iter(b'\n', &self.buf[seg..seg + c]).count() as u64;
                    row_number(self.line + newlines + inner)
                });
                newlines += memchr_iter(b'\n', &self.buf[seg..cut]).count() as u64;
                records += 1;
                seg = cut;
                unclosed_row = Some(OpenQuote { row, closed_on });
                break;
            }
            // (Inside quotes a `\n` is a line, a `\r` not; the record's
            // own `\r`, ending it, is, and the `\n` after it is not again.)
            newlines += memchr_iter(b'\n', &self.buf[seg..end]).count() as u64
                + u64::from(end > seg && self.buf[end - 1] == b'\r');
            records += 1;
            pos = end;
            seg = pos;
            if seg - self.head >= max_bytes {
                if records > 0 {
                    break;
                }
                self.drop_empty_lines(seg, &mut newlines);
                (pos, seg) = (0, 0);
            }
        }
        if records == 0 {
            if empty_lines == 0 {
                return Ok(None);
            }
            // Only empty lines to the end (after a full block, or a header
            // alone): a block of no record, for their count.
            self.buf.clear();
            self.head = 0;
            let first_line = self.line;
            self.line += newlines;
            return Ok(Some(TextBlock {
                bytes: Vec::new(),
                start: 0,
                before: b'\n',
                first_line,
                records: 0,
                empty_lines,
                quoted: false,
                delimiter: self.delimiter,
                unclosed_quote: None,
            }));
        }
        let before = self.before;
        if seg > self.head {
            self.before = self.buf[seg - 1];
        }
        // Cut at `seg`; the rest starts the next block, placed so that the
        // next read lands at its offset in the file modulo a cache line.
        // The next block is likely as long as this one.
        let rest = self.buf.len() - seg;
        let mut next = Vec::with_capacity(LINE + (seg - self.head).max(rest) + self.read);
        let end = (next.as_ptr() as usize).wrapping_add(rest);
        let pad = (self.input_at as usize).wrapping_sub(end) % LINE;
        next.resize(pad, b'\n');
        next.extend_from_slice(&self.buf[seg..]);
        self.buf.truncate(seg);
        let bytes = std::mem::replace(&mut self.buf, next);
        let start = std::mem::replace(&mut self.head, pad);
        let first_line = self.line;
        self.line += newlines;
        Ok(Some(TextBlock {
            bytes,
            start,
            before,
            first_line,
            records,
            empty_lines,
            quoted,
            delimiter: self.delimiter,
            unclosed_quote: unclosed_row,
        }))
    }
}

/// The number of line breaks of `piece` when every one is a `\r\n`
/// within it (a `\r` before each `\n`, a `\n` after each `\r`) and no
/// line between two is empty (no `\n\r`). The pairs are checked in one
/// pass, which the compiler turns into vector instructions (where runs of
/// 128 bytes, or the empty lines looked for in the same pass, took more
/// instructions); the rest is `memchr`'s.
fn crlf_lines(piece: &[u8], empty_line: &memmem::Finder<'_>) -> Option<usize> {
    let n = piece.len();
    if n < 2 || piece[0] == b'\n' || piece[n - 1] == b'\r' {
        return None;
    }
    let (firsts, seconds) = (&piece[..n - 1], &piece[1..]);
    let unpaired = firsts.iter().zip(seconds).fold(0u8, |u, (&x, &y)| {
        u | (u8::from(x == b'\r') ^ u8::from(y == b'\n'))
    });
    (unpaired == 0 && empty_line.find(piece).is_none()).then(|| memchr_iter(b'\r', piece).count())
}

/// What the quotes of one record did (`record`: its text as the csv crate
/// reads it, up to the first line break outside quotes or the end).
struct Quotes {
    /// Where the quote is that opened a cell no quote closed.
    open: Option<usize>,
    /// A quote closed a cell and something other than a delimiter or a
    /// line break follows it (`"通知"第3条`, or a quote left open that a
    /// quote lines later closed): the csv crate reads on, but the quotes
    /// are not where the writer meant them.
    stray: bool,
    /// Line breaks inside quoted cells.
    inner: u32,
    /// The first quoted cell over more than one line whose closing quote
    /// is followed by other text than a delimiter or a line break (where
    /// its quotes are): a quote left open that a stray quote lines later
    /// closed.
    stray_span: Option<(usize, usize)>,
}

/// The csv crate's rules: a quote opens a quoted cell only at the start of
/// a cell, `""` inside one is a quote, a quote closes it, and a line break
/// outside quotes ends the record.
fn quotes(record: &[u8], delimiter: u8) -> Quotes {
    let mut q = Quotes {
        open: None,
        stray: false,
        inner: 0,
        stray_span: None,
    };
    let mut cell_start = true;
    // A line break since the open quote.
    let mut spans = false;
    let mut i = 0;
    while i < record.len() {
        let b = record[i];
        if let Some(open) = q.open {
            if b == b'"' {
                if record.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    q.open = None;
                    // Spaces after a closing quote (`"多行⏎备注" ,x`) do
                    // not make it stray: the csv crate reads them into the
                    // cell, whose lines stay one cell. (A tab is a space
                    // unless it is the delimiter.)
                    let next = record[i + 1..]
                        .iter()
                        .find(|&&c| c != b' ' && (c != b'\t' || c == delimiter))
                        .copied();
                    let stray =
                        !matches!(next, None | Some(b'\r' | b'\n')) && next != Some(delimiter);
                    q.stray |= stray;
                    if stray && spans && q.stray_span.is_none() {
                        q.stray_span = Some((open, i));
                    }
                }
            } else if matches!(b, b'\r' | b'\n') {
                spans = true;
                q.inner += u32::from(b == b'\n');
            }
        } else if b == b'"' && cell_start {
            q.open = Some(i);
            spans = false;
        } else if matches!(b, b'\r' | b'\n') {
            break;
        }
        cell_start = q.open.is_none() && b == delimiter;
        i += 1;
    }
    q
}

/// Whether a record (its text as [`quotes`] takes it) has a line break
/// before the one that ends it: a quoted cell over more than one line.
fn inner_line_break(record: &[u8]) -> bool {
    let body = record
        .iter()
        .rposition(|&b| !matches!(b, b'\r' | b'\n'))
        .map_or(0, |i| i + 1);
    memchr::memchr2(b'\r', b'\n', &record[..body]).is_some()
}

/// The records of a block, with their row numbers.
#[cfg(test)]
pub(crate) fn split_block(block: &TextBlock, csv: &csv::ReaderBuilder) -> FlatRows {
    split_block_reusing(block.clone(), csv, None)
}

/// [`split_block`] into `spare` (an earlier block's buffers) when there is
/// one.
pub(crate) fn split_block_reusing(
    block: TextBlock,
    csv: &csv::ReaderBuilder,
    spare: Option<FlatRows>,
) -> FlatRows {
    if !block.quoted {
        return FlatRows::split_lines(
            spare,
            block.bytes,
            (block.start, block.before),
            block.records,
            block.first_line,
            block.delimiter,
        );
    }
    let bytes = &block.bytes[block.start..];
    let mut rows = FlatRows::reusing(spare, block.records, bytes.len());
    let mut rdr = csv.from_reader(OneByteFirst {
        rest: bytes,
        first: true,
    });
    let mut rec = csv::ByteRecord::new();
    let mut line = block.first_line;
    let mut counted = 0usize;
    let mut starts = Vec::with_capacity(block.records);
    // Reading a slice cannot fail, and the reader is flexible.
    while rdr.read_byte_record(&mut rec).unwrap_or(false) {
        let mut start = rec.position().map_or(0, |p| p.byte() as usize);
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        // The line breaks since the last record's start: its `\n`s inside
        // quotes, then the breaks ending it (and any empty lines), where a
        // lone `\r` is a line and a `\r\n` one.
        let run = bytes[counted..start]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        let mid = start - run;
        let prev = mid.checked_sub(1).map_or(block.before, |p| bytes[p]);
        line += memchr_iter(b'\n', &bytes[counted..mid]).count() as u64
            + line_breaks(&bytes[mid..start], prev);
        counted = start;
        starts.push(start);
        if memchr(0, rec.as_slice()).is_some() {
            rows.nul_rows
                .push(u32::try_from(rows.len()).unwrap_or(u32::MAX));
        }
        rows.push_record(row_number(line), &rec);
    }
    // The records whose quotes the csv crate read leniently.
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(bytes.len());
        let q = quotes(&bytes[start..end], block.delimiter);
        if q.stray {
            rows.quote_notes.push((i as u32, q.inner));
        }
    }
    rows
}

/// A slice whose first read gives one byte: the csv crate's reader drops a
/// UTF-8 BOM at the start of what it first reads, and a block's first
/// record is not a file's start (a file's BOM is skipped before cutting).
struct OneByteFirst<'a> {
    rest: &'a [u8],
    first: bool,
}

impl Read for OneByteFirst<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = if std::mem::take(&mut self.first) {
            buf.len().min(1)
        } else {
            buf.len()
        };
        let n = want.min(self.rest.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

/// The line breaks of `bytes`, line breaks only (between records), as a
/// text editor and a spreadsheet count them: each `\n`, and each `\r` not
/// followed by one (an old Mac line break among others), a `\r\n` one;
/// `before` is the byte before `bytes`.
fn line_breaks(bytes: &[u8], before: u8) -> u64 {
    memchr2_iter(b'\r', b'\n', bytes)
        .map(|i| {
            let prev = i.checked_sub(1).map_or(before, |p| bytes[p]);
            u64::from(bytes[i] == b'\r' || prev != b'\r')
        })
        .sum()
}

pub(crate) fn row_number(line: u64) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;
