//! Cell values: from the raw text (or spreadsheet cell) of an export to a
//! typed [`Value`], per the data contract.
//!
//! - empty cells (after trimming whitespace, NBSP, U+3000) are `Empty`, or
//!   the field's `default`; in typed (non-string) fields the database
//!   placeholders `NULL`, `\N`, `-`, `--`, `—`, `——`, `/` are empty too;
//! - strings are trimmed, their content kept as written;
//! - booleans: 是/否, Y/N, yes/no, true/false, 1/0, √/×, ✓/✗;
//! - numbers: thousands separators, a leading ¥, a trailing unit (元, 万元,
//!   天, 日, 个工作日, 工作日, 个, 人, 件); money is scaled to the field's
//!   unit (`5000元` in a 万元 field is 0.5; a field without a unit is in 元);
//! - dates and datetimes: `2025-03-01 09:30:00`, `2025/3/1 9:30`,
//!   `2025-03-01T09:30:00(.fff)`, `2025.3.1`, `2025年3月1日( 9时30分)`,
//!   `20250301`, `20250301093000`; Excel serial numbers in a workbook's
//!   number cells (as text, `45717` is no date: a data error); a date field
//!   takes the date of a datetime, a datetime field takes a date as midnight;
//! - enums: a label, or a value alias of the schema or the mapping, matched
//!   exactly first, then with full-width/half-width, whitespace and ASCII case
//!   normalised;
//! - value aliases on non-enum fields replace the raw text before parsing
//!   (`已进驻: 是` for a bool).
//!
//! Invariant: parsing is pure and never panics; a value that does not parse
//! is a [`BadCell`] (the caller reports it and stores `Value::Invalid`).

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use calamine::{CellErrorType, Data};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use super::normalize;
use crate::schema::{Field, FieldType};
use crate::text::{intern, Text};
use crate::value::{half_at, same_bytes, same_text, word_at, Value};

/// The alias tables and value caches are hit once per cell: `FxHash`, not
/// `SipHash` (whose `DoS` resistance buys nothing for keys from the schema and
/// one chunk).
type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// Shared string values of one column: one `Text` per distinct text, so
/// equal values of the column share their string (and the rules compare
/// them by address first). A chunk's parse takes a column's cache from the
/// file's pool and gives it back (see `TablePlan::take_caches`), so equal
/// texts share one string across the chunks a worker reads. It gives up on
/// a column whose values rarely repeat (ids): once it holds as many texts
/// as it may (the limit) and fewer than half its lookups have hit, it stops
/// looking. (A column of a thousand item codes misses on most of its first
/// few hundred cells, which are first sightings: giving up on those, as
/// after 256 lookups before, left every record its own strings, and every
/// table keyed by a string's address missing, 50% more instructions on a
/// real catalogue's cases.) Texts are kept by their hash and
/// compared with [`same_text`] (inline, where a set of strings would call
/// `memcmp` for every cell); of two texts with the same hash, the first
/// is shared and the other is not. A text found again is kept static
/// ([`Text::keep`]): its clones count nothing from then on.
///
/// A text found again also takes a slot of a small table (`recent`), by a
/// cheap mix of its length and first and last bytes: most cells of such a
/// column are found there, one slot read and compared, without hashing
/// the text and probing the map.
#[derive(Debug, Default)]
pub struct StrCache {
    by_hash: FastMap<u64, Text>,
    /// [`RECENT_SLOTS`] slots (empty until a text is found again).
    recent: Vec<Option<Text>>,
    lookups: u64,
    hits: u64,
    off: bool,
}

/// The slots of a [`StrCache`]'s table of texts found again (a power of
/// two): a column's departments or item codes, mostly in slots of their
/// own.
const RECENT_SLOTS: usize = 1024;
const _: () = assert!(RECENT_SLOTS.is_power_of_two());

/// A text's slot in [`StrCache::recent`]: its length and its first and
/// last eight bytes (or four, or all of a shorter one), mixed.
#[inline]
fn recent_slot(b: &[u8]) -> usize {
    let n = b.len();
    let (x, y) = match n {
        8.. => (word_at(b, 0), word_at(b, n - 8)),
        4..=7 => (u64::from(half_at(b, 0)), u64::from(half_at(b, n - 4))),
        _ => (b.iter().fold(0u64, |h, &c| h << 8 | u64::from(c)), 0),
    };
    let h = (x ^ y.rotate_left(29) ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> (64 - RECENT_SLOTS.trailing_zeros())) as usize
}

impl StrCache {
    /// A text found in the table of texts found again by its bytes,
    /// counted as a lookup and a hit; `None`: nothing counted.
    /// [`CellParser::parse_shared`] looks there first for a trimmed text;
    /// the reader, for a cell of UTF-8 text by its bytes as they are,
    /// before any decoding or trimming (a kept text is trimmed and not
    /// empty, so bytes equal to one are the text trimming them gives: what
    /// `parse_shared` gives for it). Not for another encoding: GBK bytes
    /// can equal the UTF-8 bytes of another text.
    #[inline]
    pub fn found_again(&mut self, raw: &[u8]) -> Option<&Text> {
        // (Empty until a text is found again, and when the cache is off.)
        let v = self.recent.get(recent_slot(raw))?.as_ref()?;
        if !same_bytes(v.as_bytes(), raw) {
            return None;
        }
        self.lookups += 1;
        self.hits += 1;
        Some(v)
    }
}

/// A value that does not parse as its field's type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadCell {
    /// The expected type, e.g. `datetime` (the field type's name; the
    /// parser's [`CellParser::expected`]).
    pub expected: Text,
    /// What is wrong, in Chinese (interned: a column's unreadable cells
    /// repeat a few messages).
    pub message: Text,
}

/// A field's compiled parser: its type, labels and aliases (schema plus
/// mapping) in hash maps. Build once per file, use on every cell.
#[derive(Clone, Debug)]
pub struct CellParser {
    ty: FieldType,
    header: String,
    /// The field's unit (`元`, `万元` for scaling; `工作日`, `个`: a count).
    unit: Option<String>,
    /// Counted in days or pieces: no negative number (see [`COUNTS`]).
    count: bool,
    /// The money unit the column's header gives its numbers (`投资额(元)`
    /// for a field in 万元), when it is not the field's: a number without a
    /// unit of its own is in it, and scaled.
    column_unit: Option<&'static str>,
    /// Enum: raw text → (label index, label). Other types: raw text →
    /// (unused, replacement text).
    exact: FastMap<Box<str>, (usize, Text)>,
    /// The same, keyed by [`normalize::key`].
    normalized: FastMap<String, (usize, Text)>,
    labels: Vec<Text>,
    /// Enum: the labels as written, with the label index `exact` gives
    /// them (a mapping may send a label's text to another label), for a
    /// scan that is cheaper than hashing when there are few.
    label_texts: Vec<(Box<str>, usize)>,
    /// Enum: the labels of `label_texts` that no trimming changes, as
    /// bytes, for [`CellParser::parse_bytes_into`].
    raw_labels: Vec<RawLabel>,
    default: Option<Value>,
    /// See [`Field::none_words`].
    none_words: bool,
    /// The type's name, interned once: every data error of the column
    /// names it.
    expected: Text,
    /// Enum: the data error's message (it names the labels), made once.
    enum_message: Text,
}

/// An enum with at most this many labels is matched by scanning them first.
const LABEL_SCAN: usize = 16;

/// An enum label's bytes as a cell's are compared with them: its length
/// and the words [`same_bytes`] compares, read once when the parser is
/// made, so that a cell's words are read once and compared with each
/// label's without loading the label's string (perf put the scan's loads
/// of one label's bytes after another among the reader's hottest
/// instructions; sixteen alternated pairs at 10M cases, twelve faster,
/// CPU about 1% less).
#[derive(Clone, Debug)]
struct RawLabel {
    words: LabelWords,
    bytes: Box<[u8]>,
    /// The label's place among the enum's labels.
    index: usize,
}

/// A text's length and its first and last eight bytes (8 to 16 bytes) or
/// four (4 to 7 bytes), which decide its equality with another of that
/// length as [`same_bytes`] does; a shorter or longer text is compared by
/// its bytes (`head` and `tail` 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LabelWords {
    len: usize,
    head: u64,
    tail: u64,
}

impl LabelWords {
    #[inline]
    fn of(b: &[u8]) -> LabelWords {
        let len = b.len();
        let (head, tail) = match len {
            8..=16 => (word_at(b, 0), word_at(b, len - 8)),
            4..=7 => (u64::from(half_at(b, 0)), u64::from(half_at(b, len - 4))),
            _ => (0, 0),
        };
        LabelWords { len, head, tail }
    }

    /// Whether [`LabelWords::of`] alone decides equality at this length.
    #[inline]
    fn decides(self) -> bool {
        matches!(self.len, 4..=16)
    }
}

impl RawLabel {
    /// Whether `raw`, whose words are `words`, is this label's bytes.
    #[inline]
    fn is(&self, words: LabelWords, raw: &[u8]) -> bool {
        self.words == words && (words.decides() || &*self.bytes == raw)
    }
}

/// Parses one raw cell text as `field` (schema aliases only). The engine
/// uses [`CellParser`]; this is the one-off form for tools and tests.
pub fn parse(field: &Field, raw: &str) -> Result<Value, BadCell> {
    CellParser::new(field, None).parse(raw)
}

impl CellParser {
    /// Compiles `field`, with extra value aliases from the user's mapping
    /// (raw → label or replacement text), which win over the schema's.
    pub fn new(field: &Field, extra: Option<&BTreeMap<String, String>>) -> CellParser {
        let mut p = CellParser {
            ty: field.ty,
            header: field.header().to_string(),
            unit: field.unit.clone(),
            count: is_count_unit(field.unit.as_deref()),
            column_unit: None,
            exact: FastMap::default(),
            normalized: FastMap::default(),
            labels: Vec::new(),
            label_texts: Vec::new(),
            raw_labels: Vec::new(),
            default: None,
            none_words: field.none_words,
            expected: intern(field.ty.as_str()),
            enum_message: Text::default(),
        };
        let add = |p: &mut CellParser, raw: &str, target: (usize, Text)| {
            p.exact.insert(raw.into(), target.clone());
            p.normalized.insert(normalize::key(raw), target);
        };
        if field.ty == FieldType::Enum {
            let mut labels: Vec<Text> = field.values.iter().map(|v| intern(v)).collect();
            for (i, l) in labels.clone().into_iter().enumerate() {
                add(&mut p, &l.clone(), (i, l));
            }
            for (raw, target) in field
                .value_aliases
                .iter()
                .chain(extra.into_iter().flatten())
            {
                // Targets are labels (the schema and the mapping are checked
                // when loaded); an unknown one becomes a label of its own.
                let i = labels
                    .iter()
                    .position(|l| **l == **target)
                    .unwrap_or_else(|| {
                        labels.push(intern(target));
                        labels.len() - 1
                    });
                add(&mut p, raw, (i, labels[i].clone()));
            }
            if labels.len() <= LABEL_SCAN {
                p.label_texts = labels
                    .iter()
                    .filter_map(|l| p.exact.get(&**l).map(|&(i, _)| (Box::from(&**l), i)))
                    .collect();
                p.raw_labels = p
                    .label_texts
                    .iter()
                    .filter(|(l, _)| normalize::trim(l) == &**l)
                    .map(|(l, i)| RawLabel {
                        words: LabelWords::of(l.as_bytes()),
                        bytes: Box::from(l.as_bytes()),
                        index: *i,
                    })
                    .collect();
            }
            p.enum_message = enum_message(&p.header, &labels);
            p.labels = labels;
        } else {
            for (raw, target) in field
                .value_aliases
                .iter()
                .chain(extra.into_iter().flatten())
            {
                add(&mut p, raw, (usize::MAX, intern(target)));
            }
        }
        if let Some(d) = &field.default {
            // A default that does not parse is a schema defect; treat as no default.
            let mut plain = p.clone();
            plain.default = None;
            p.default = plain.parse(d).ok().filter(|v| !v.is_missing());
        }
        p
    }

    pub fn field_type(&self) -> FieldType {
        self.ty
    }

    /// The type's name as a data error gives it (`datetime`), interned.
    pub fn expected(&self) -> Text {
        self.expected.clone()
    }

    /// A string field without value aliases: its value is the trimmed
    /// text, so a reader may share equal values (see `parse_shared`).
    pub fn is_plain_string(&self) -> bool {
        self.ty == FieldType::String && self.exact.is_empty()
    }

    /// A placeholder, or in a field of [`Field::none_words`] a word saying
    /// there is nothing: an empty cell.
    #[inline]
    fn says_nothing(&self, t: &str) -> bool {
        is_placeholder(t) || (self.none_words && is_none_word(t))
    }

    /// [`CellParser::says_nothing`] of a cell of ASCII bytes (no word
    /// saying there is nothing is ASCII: only a placeholder, of at most
    /// six bytes).
    #[inline]
    pub(crate) fn says_nothing_ascii(&self, raw: &[u8]) -> bool {
        raw.len() <= 6 && std::str::from_utf8(raw).is_ok_and(|t| self.says_nothing(t))
    }

    /// [`CellParser::parse`] for a plain string field, sharing equal values
    /// through `cache` (one allocation per distinct value, not per cell).
    /// The cache stops growing at `limit` entries (a key-like column).
    #[inline]
    pub fn parse_shared(&self, raw: &str, cache: &mut StrCache, limit: usize) -> Value {
        let t = normalize::trim(raw);
        if t.is_empty() {
            return self.empty();
        }
        if cache.off {
            if self.says_nothing(t) {
                return self.empty();
            }
            return Value::Str(Text::from(t));
        }
        if let Some(v) = cache.found_again(t.as_bytes()) {
            return Value::Str(v.clone());
        }
        cache.lookups += 1;
        let h = {
            let mut h = rustc_hash::FxHasher::default();
            t.hash(&mut h);
            h.finish()
        };
        let kept = cache.by_hash.get(&h);
        if let Some(v) = kept.filter(|v| same_text(v, t)) {
            cache.hits += 1;
            // (A text seen twice: its clones count nothing from now on.)
            v.keep();
            if cache.recent.is_empty() {
                cache.recent = vec![None; RECENT_SLOTS];
            }
            cache.recent[recent_slot(t.as_bytes())] = Some(v.clone());
            return Value::Str(v.clone());
        }
        // (A placeholder is never kept: a text found kept is none.)
        if self.says_nothing(t) {
            return self.empty();
        }
        let taken = kept.is_some();
        if cache.by_hash.len() >= limit && cache.hits * 2 < cache.lookups {
            cache.off = true;
            cache.by_hash = FastMap::default();
            cache.recent = Vec::new();
        }
        let v = Text::from(t);
        if !cache.off && !taken && cache.by_hash.len() < limit {
            cache.by_hash.insert(h, v.clone());
        }
        Value::Str(v)
    }

    /// [`CellParser::parse_shared`] into `out`. The parsers that a chunk
    /// runs per cell write their value in place: a `Value` (or a `Result`
    /// of one) returned through memory and then copied into the record
    /// stalls on the copy (the return is written in narrow stores and read
    /// back in one wide load): about 5% of a one-thread audit's samples
    /// (`perf record`), of which writing in place removes about half.
    #[inline(never)]
    pub fn parse_shared_into(
        &self,
        raw: &str,
        cache: &mut StrCache,
        limit: usize,
        out: &mut Value,
    ) {
        *out = self.parse_shared(raw, cache, limit);
    }

    /// Whether [`CellParser::parse_bytes_into`] may read this column's
    /// cells (`local`: the column has an enum's labels for the worker).
    pub fn reads_bytes(&self, local: bool) -> bool {
        match self.ty {
            FieldType::DateTime | FieldType::Date => self.exact.is_empty() && !local,
            FieldType::Enum => local && !self.raw_labels.is_empty(),
            FieldType::Bool => self.exact.is_empty() && !local,
            FieldType::Decimal => self.exact.is_empty() && self.column_unit.is_none() && !local,
            _ => false,
        }
    }

    /// The commonest cells read from their bytes, before any decoding, into
    /// `out`: a date or datetime in its commonest forms, read by position
    /// (`2025-03-01 09:30:00`, `2025/8/11 16:40`: ASCII, the same bytes in
    /// every encoding a text file may have), and,
    /// when the chunk's text is UTF-8 (`utf8`), an enum's label as written
    /// (what [`CellParser::parse_local`] finds first for it) and a yes/no in
    /// the forms [`parse_bool`] tries first (`是`, `否`, `1`, `0`, …; when no
    /// mapping alias comes before), and a plain decimal (`plain_decimal`:
    /// ASCII too) of a column without a unit of its own or aliases. `false`:
    /// nothing written, read the cell's decoded text as usual (which reads
    /// these cells the same way).
    #[inline]
    pub fn parse_bytes_into(
        &self,
        raw: &[u8],
        local: Option<&[Text]>,
        utf8: bool,
        out: &mut Value,
    ) -> bool {
        match (self.ty, local) {
            (FieldType::DateTime | FieldType::Date, None) if self.exact.is_empty() => {
                numeric_into(raw, self.ty == FieldType::Date, out)
            }
            (FieldType::Enum, Some(l)) if utf8 => {
                let words = LabelWords::of(raw);
                let label = self.raw_labels.iter().find(|lt| lt.is(words, raw));
                match label.and_then(|lt| l.get(lt.index)) {
                    Some(v) => {
                        *out = Value::Str(v.clone());
                        true
                    }
                    None => false,
                }
            }
            (FieldType::Bool, None) if utf8 && self.exact.is_empty() => match bool_bytes(raw) {
                Some(b) => {
                    *out = Value::Bool(b);
                    true
                }
                None => false,
            },
            (FieldType::Decimal, None) if self.exact.is_empty() && self.column_unit.is_none() => {
                match plain_decimal(raw) {
                    Some(x) => {
                        *out = Value::Decimal(x);
                        true
                    }
                    None => false,
                }
            }
            _ => false,
        }
    }

    /// [`CellParser::parse_local`] (`local`: an enum's labels) or
    /// [`CellParser::parse`] into `out`; on a [`BadCell`], `out` is
    /// `Invalid`. See [`CellParser::parse_shared_into`].
    #[inline(never)]
    pub fn parse_into(
        &self,
        raw: &str,
        local: Option<&[Text]>,
        out: &mut Value,
    ) -> Result<(), BadCell> {
        // The commonest dates and datetimes (`2025-03-01 09:30:00`, and the
        // spreadsheet's `2025/3/1 9:30`), read by position without the
        // layers of `parse` (which would read them the same way: such a text
        // has nothing to trim and is no placeholder).
        if matches!(self.ty, FieldType::DateTime | FieldType::Date)
            && self.exact.is_empty()
            && local.is_none()
            && numeric_into(raw.as_bytes(), self.ty == FieldType::Date, out)
        {
            return Ok(());
        }
        // The other common cells, written in place for the reason above
        // (a value returned through memory and copied into the record
        // stalls: about 40% of this function's samples before): an enum's
        // label as written (as `parse_local` finds it first), a yes/no and
        // an integer as `parse_typed` reads them (when no mapping alias
        // comes first). Anything else takes the general path (a plain
        // decimal is read from its bytes before: `parse_bytes_into`).
        let t = normalize::trim(raw);
        match (self.ty, local) {
            (FieldType::Enum, Some(l)) => {
                let label = self.label_texts.iter().find(|(lt, _)| same_text(lt, t));
                if let Some(v) = label.and_then(|&(_, i)| l.get(i)) {
                    *out = Value::Str(v.clone());
                    return Ok(());
                }
            }
            (FieldType::Bool, None) if self.exact.is_empty() && !t.is_empty() => {
                if let Some(b) = parse_bool(t) {
                    *out = Value::Bool(b);
                    return Ok(());
                }
            }
            (FieldType::Int, None) if self.exact.is_empty() && !t.is_empty() => {
                if let Some(Number::Int(n)) = parse_number(t, self.unit.as_deref()) {
                    if n >= 0 || !self.count {
                        *out = Value::Int(n);
                        return Ok(());
                    }
                }
            }
            _ => {}
        }
        let parsed = match local {
            Some(l) => self.parse_local(raw, l),
            None => self.parse(raw),
        };
        match parsed {
            Ok(v) => {
                *out = v;
                Ok(())
            }
            Err(bad) => {
                *out = Value::Invalid;
                Err(bad)
            }
        }
    }

    /// The parser of a column whose header gives the unit `mark` (`(元)`):
    /// a money field in another money unit scales the column's numbers
    /// that carry no unit of their own.
    #[must_use]
    pub fn with_column_unit(mut self, mark: &str) -> CellParser {
        let money = |u: &str| unit_kind(u) == Some(MONEY);
        if self.ty == FieldType::Decimal
            && money(mark)
            && self.unit.as_deref().is_some_and(|u| money(u) && u != mark)
        {
            self.column_unit = UNITS.iter().copied().find(|u| *u == mark);
        }
        self
    }

    /// A number of this field's column (see [`Self::with_column_unit`]).
    fn number(&self, t: &str) -> Option<Number> {
        match self.column_unit {
            Some(cu)
                if !UNITS
                    .iter()
                    .any(|u| normalize::value(t).trim_end().ends_with(u)) =>
            {
                parse_number(&format!("{t}{cu}"), self.unit.as_deref())
            }
            _ => parse_number(t, self.unit.as_deref()),
        }
    }

    fn empty(&self) -> Value {
        self.default.clone().unwrap_or(Value::Empty)
    }

    /// Parses a raw text cell.
    pub fn parse(&self, raw: &str) -> Result<Value, BadCell> {
        let t = normalize::trim(raw);
        if t.is_empty() {
            return Ok(self.empty());
        }
        match self.ty {
            FieldType::String => {
                if !self.exact.is_empty() {
                    if let Some((_, r)) = self.alias(t) {
                        return Ok(Value::Str(r.clone()));
                    }
                }
                if self.says_nothing(t) {
                    return Ok(self.empty());
                }
                Ok(Value::Str(Text::from(t)))
            }
            FieldType::Enum => {
                if let Some((_, label)) = self.alias(t) {
                    return Ok(Value::Str(label.clone()));
                }
                if is_placeholder(t) {
                    return Ok(self.empty());
                }
                Err(self.bad_enum())
            }
            _ => {
                if !self.exact.is_empty() {
                    if let Some((_, r)) = self.alias(t) {
                        return self.parse_typed(normalize::trim(r));
                    }
                }
                // Placeholders are rare: look for them only when the value
                // does not parse.
                self.parse_typed(t).or_else(|e| {
                    if is_placeholder(t) {
                        Ok(self.empty())
                    } else {
                        Err(e)
                    }
                })
            }
        }
    }

    /// What a value alias (the schema's or the mapping's) makes of `raw`,
    /// when one does (`县民政局` → `民政局`).
    pub fn alias_target(&self, raw: &str) -> Option<&str> {
        self.alias(normalize::trim(raw))
            .map(|(_, target)| &**target)
    }

    fn alias(&self, t: &str) -> Option<&(usize, Text)> {
        if let Some(v) = self.exact.get(t) {
            return Some(v);
        }
        self.normalized.get(&normalize::key(t))
    }

    /// Whether the field is an enum (see [`CellParser::parse_local`]).
    pub fn is_enum(&self) -> bool {
        self.ty == FieldType::Enum
    }

    /// An enum's labels for one worker: values parsed with
    /// [`CellParser::parse_local`] share these. The labels are interned (no
    /// reference count); past the process's interning budget each worker
    /// gets fresh copies, so that threads parsing different chunks never
    /// contend on one count.
    pub fn local_labels(&self) -> Vec<Text> {
        self.labels
            .iter()
            .map(|l| {
                if l.is_static() {
                    l.clone()
                } else {
                    Text::from(&**l)
                }
            })
            .collect()
    }

    /// [`CellParser::parse`] for an enum, giving labels from `local`
    /// (from [`CellParser::local_labels`]).
    #[inline]
    pub fn parse_local(&self, raw: &str, local: &[Text]) -> Result<Value, BadCell> {
        let t = normalize::trim(raw);
        if t.is_empty() {
            return Ok(self.empty());
        }
        if let Some(&(_, i)) = self.label_texts.iter().find(|(l, _)| same_text(l, t)) {
            if let Some(v) = local.get(i) {
                return Ok(Value::Str(v.clone()));
            }
        }
        match self.alias(t) {
            Some((i, shared)) => Ok(Value::Str(local.get(*i).unwrap_or(shared).clone())),
            None if self.ty != FieldType::Enum => self.parse(raw),
            None if is_placeholder(t) => Ok(self.empty()),
            None => Err(self.bad_enum()),
        }
    }

    fn parse_typed(&self, t: &str) -> Result<Value, BadCell> {
        if t.is_empty() {
            return Ok(self.empty());
        }
        match self.ty {
            FieldType::String => Ok(Value::Str(Text::from(t))),
            FieldType::Enum => self
                .alias(t)
                .map(|(_, l)| Value::Str(l.clone()))
                .ok_or_else(|| self.bad_enum()),
            FieldType::Bool => parse_bool(t)
                .map(Value::Bool)
                .ok_or_else(|| self.bad("无法识别的是/否值")),
            FieldType::Int => match parse_number(t, self.unit.as_deref()) {
                Some(Number::Int(n)) => self.int(n),
                Some(Number::Float(x)) => float_to_int(x)
                    .ok_or_else(|| {
                        // (Digits past 64 bits read as a float.)
                        // (`99999999999999999999` is too large;
                        // `12345678901234567890.5` no integer at all.)
                        self.bad(if x.fract() == 0.0 && !has_fraction(t) {
                            "整数超出范围"
                        } else {
                            "不是整数"
                        })
                    })
                    .and_then(|n| self.int(n)),
                None => Err(self.bad(
                    &wrong_unit(t, self.unit.as_deref()).unwrap_or_else(|| "无法识别的整数".into()),
                )),
            },
            FieldType::Decimal => match self.number(t) {
                // A decimal is computed with, and shown as, a binary float:
                // one whose digits it does not keep (past fifteen
                // significant ones, or ten places) would no longer be the
                // value written (12345678901234567.89 became
                // 12345678901234568).
                Some(n) if !keeps_digits(t, &n, self.column_unit.is_some()) => Err(self.bad(
                    "有效数字超过 15 位 (或小数超过 10 位), 无法按原值计算 (Excel 也只保留 15 位有效数字)",
                )),
                Some(Number::Int(n)) => Ok(Value::Decimal(n as f64)),
                Some(Number::Float(x)) => Ok(Value::Decimal(x)),
                None => Err(self.bad(
                    &wrong_unit(t, self.unit.as_deref()).unwrap_or_else(|| "无法识别的数值".into()),
                )),
            },
            FieldType::Date => match parse_datetime(t) {
                Ok(dt) => Ok(Value::Date(dt.date())),
                Err(msg) => Err(self.bad(msg.replace("日期时间", "日期").as_str())),
            },
            FieldType::DateTime => match parse_datetime(t) {
                Ok(dt) => Ok(Value::DateTime(dt)),
                Err(msg) => Err(self.bad(msg)),
            },
        }
    }

    /// Parses a spreadsheet cell (calamine): numbers, booleans and Excel
    /// dates keep their type; text goes through [`CellParser::parse`].
    pub fn parse_data(&self, d: &Data) -> Result<Value, BadCell> {
        match d {
            Data::Empty => Ok(self.empty()),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => self.parse(s),
            Data::Error(CellErrorType::GettingData) => Err(self.bad(NO_RESULT)),
            Data::Error(e) => Err(self.bad(&format!("单元格错误 {e}"))),
            Data::Bool(b) => match self.ty {
                FieldType::Bool => Ok(Value::Bool(*b)),
                _ => self.parse(if *b { "是" } else { "否" }),
            },
            Data::Int(n) => self.parse_float(*n as f64, d),
            Data::Float(x) => self.parse_float(*x, d),
            Data::DateTime(x) => match self.ty {
                FieldType::Date | FieldType::DateTime => self.parse_float(serial_1900(x), d),
                // A day count or an amount formatted as a date shows as a
                // date in Excel (45717 as 2025-03-01): its serial number is
                // no count the sheet's reader meant. A duration format
                // (`[h]:mm`) stays its number of days.
                FieldType::Int | FieldType::Decimal if !is_duration(x) => Err(self
                    .bad("单元格是日期格式, 显示为日期而不是数值;请把该列设为数值格式后重新导出")),
                FieldType::Int | FieldType::Decimal => self.parse_float(x.as_f64(), d),
                _ => match excel_serial(serial_1900(x)) {
                    Some(dt) => self.parse(&format_datetime(dt)),
                    None => Err(self.bad("无效的 Excel 日期")),
                },
            },
        }
    }

    fn parse_float(&self, x: f64, d: &Data) -> Result<Value, BadCell> {
        match self.ty {
            FieldType::Int => float_to_int(x)
                .ok_or_else(|| self.bad("不是整数"))
                .and_then(|n| self.int(n)),
            // YAML's `.nan` and `.inf` are numbers to the YAML reader, not
            // amounts: no comparison could decide on them.
            FieldType::Decimal if x.is_finite() => Ok(Value::Decimal(match self.column_unit {
                Some(_) => match self.number(&x.to_string()) {
                    Some(Number::Int(n)) => n as f64,
                    Some(Number::Float(y)) => y,
                    None => x,
                },
                None => x,
            })),
            FieldType::Decimal => Err(self.bad("无法识别的数值")),
            FieldType::Date => excel_serial(x)
                .ok_or("无法识别的日期")
                .and_then(plausible)
                .map(|dt| Value::Date(dt.date()))
                .map_err(|m| self.bad(m)),
            FieldType::DateTime => excel_serial(x)
                .ok_or("无法识别的日期时间")
                .and_then(plausible)
                .map(Value::DateTime)
                .map_err(|m| self.bad(m)),
            FieldType::Bool | FieldType::String | FieldType::Enum => self.parse(&data_text(d)),
        }
    }

    /// An integer of the field: a count of days or pieces is never negative.
    fn int(&self, n: i64) -> Result<Value, BadCell> {
        if n < 0 && self.count {
            let unit = self.unit.as_deref().unwrap_or_default();
            return Err(self.bad(&format!("不能为负数(本字段以{unit}计)")));
        }
        Ok(Value::Int(n))
    }

    fn bad(&self, what: &str) -> BadCell {
        BadCell {
            expected: self.expected(),
            message: intern(what),
        }
    }

    fn bad_enum(&self) -> BadCell {
        BadCell {
            expected: self.expected(),
            message: self.enum_message.clone(),
        }
    }
}

/// An enum's data error message: its header and labels.
fn enum_message(header: &str, labels: &[Text]) -> Text {
    let mut text = String::new();
    for (i, l) in labels.iter().enumerate() {
        if i > 0 {
            text.push('、');
        }
        text.push_str(l);
    }
    intern(&format!("不是{header}的可识别取值(应为 {text} 之一)"))
}

/// The text of a spreadsheet cell as a person sees it (numbers without a
/// trailing `.0`, dates as `YYYY-MM-DD[ HH:MM:SS]`).
pub fn data_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(x) => float_text(*x),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(x) => {
            let serial = serial_1900(x);
            excel_serial(serial).map_or_else(|| float_text(x.as_f64()), format_datetime)
        }
        Data::Error(CellErrorType::GettingData) => "(公式, 无计算结果)".to_string(),
        Data::Error(e) => format!("{e}"),
    }
}

/// The message for a formula cell saved without its result (the sheet
/// reader gives it as `#GETTING_DATA`, the error Excel shows for a value
/// still to come).
pub(crate) const NO_RESULT: &str = "单元格是公式, 但文件中没有保存它的计算结果 (由程序生成、未经 Excel 计算并保存), 无法读出其值;请在 Excel 中打开并保存后重新导出";

fn float_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

fn format_datetime(dt: NaiveDateTime) -> String {
    if dt.time() == NaiveTime::MIN {
        dt.format("%Y-%m-%d").to_string()
    } else {
        dt.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

fn float_to_int(x: f64) -> Option<i64> {
    if x.is_finite() && (x - x.round()).abs() < 1e-9 && x.abs() < 9.0e15 {
        Some(x.round() as i64)
    } else {
        None
    }
}

/// Whether a cell holds a database's or a typist's placeholder for
/// "nothing" (`NULL`, `\N`, `-`, `—`, `/`, …): read as an empty cell in a
/// field of any type (`不进驻批准文号` `－` is no approval number, as `备案日期`
/// `－` is no date). Words are not placeholders: `无` may be content
/// (`申请材料: 无`, no documents needed).
#[inline]
fn is_placeholder(t: &str) -> bool {
    // (At most six bytes: most cells are longer, and done in one test.)
    t.len() <= 6
        && matches!(
            t,
            "NULL" | "null" | "Null" | "\\N" | "-" | "--" | "—" | "——" | "/" | "／" | "－"
        )
}

/// A word saying there is nothing (in a document number's or a reason's
/// column, see [`Field::none_words`]).
fn is_none_word(t: &str) -> bool {
    t.len() <= 12
        && matches!(
            &*normalize::value(t),
            "无" | "暂无" | "没有" | "无文号" | "无批文" | "无理由" | "未说明"
        )
}

/// The commonest yes/no cells as their UTF-8 bytes are, without trimming
/// or decoding: what [`parse_bool`] reads them as (the first forms it
/// tries); `None` for any other bytes.
#[inline]
fn bool_bytes(raw: &[u8]) -> Option<bool> {
    match raw {
        b"\xE6\x98\xAF" | b"1" | b"Y" | b"true" => Some(true),
        b"\xE5\x90\xA6" | b"0" | b"N" | b"false" => Some(false),
        _ => None,
    }
}

/// 是/否 and their usual variants.
pub fn parse_bool(t: &str) -> Option<bool> {
    match t {
        "是" | "1" | "Y" | "true" => return Some(true),
        "否" | "0" | "N" | "false" => return Some(false),
        _ => {}
    }
    let n = normalize::value(t);
    let s: &str = &n;
    match s {
        "是" | "√" | "✓" | "✔" | "1" | "对" | "有" => return Some(true),
        "否" | "×" | "✗" | "✘" | "0" | "错" | "无" => return Some(false),
        _ => {}
    }
    if s.len() <= 5 && s.is_ascii() {
        let l = s.to_ascii_lowercase();
        return match l.as_str() {
            "y" | "yes" | "true" | "t" => Some(true),
            "n" | "no" | "false" | "f" => Some(false),
            _ => None,
        };
    }
    None
}

/// A parsed number, kept integral when written without a fraction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

const UNITS: &[&str] = &[
    "个工作日",
    "工作日",
    "万元",
    "元",
    "天",
    "日",
    "个",
    "人",
    "件",
];

/// The kinds of unit, each with its marks: a number may carry a mark of
/// its field's kind only. Money and quantities: `5万元` is no number of
/// working days, `5天` no amount; the quantities are not told apart (an
/// export writes `3天` for a count as often as `3人`, and the data contract
/// lists 天 and 个工作日 for numbers at large).
const UNIT_KINDS: &[&[&str]] = &[
    &["万元", "元"],
    &["个工作日", "工作日", "天", "日", "个", "人", "件"],
];

/// The kind of [`UNIT_KINDS`] that counts (days, pieces): a field counted
/// so holds no negative number (`特别程序天数 -1` would hide a day of delay),
/// where an amount of money may be negative (a reversal).
const COUNTS: usize = 1;

/// The kind of [`UNIT_KINDS`] that is money (scaled between 元 and 万元).
const MONEY: usize = 0;

/// The kind of a unit mark (an index into `UNIT_KINDS`); `None` for an
/// unknown mark.
pub fn unit_kind(mark: &str) -> Option<usize> {
    UNIT_KINDS.iter().position(|k| k.contains(&mark))
}

/// The unit marks of a kind (see [`unit_kind`]).
pub fn unit_marks_of(kind: usize) -> &'static [&'static str] {
    UNIT_KINDS.get(kind).copied().unwrap_or_default()
}

/// Whether a field of unit `unit` counts days or pieces, so that a
/// negative number of it is no value (a data error in an export, an error
/// in a test's fixture).
pub fn is_count_unit(unit: Option<&str>) -> bool {
    unit.and_then(unit_kind) == Some(COUNTS)
}

/// The unit marks a schema may give a field, for its error message.
pub fn unit_marks() -> String {
    UNIT_KINDS
        .iter()
        .flat_map(|k| k.iter())
        .copied()
        .collect::<Vec<_>>()
        .join("、")
}

/// Why `t` is no number of a field in `field_unit`, when it is a number
/// with a unit of another kind: for the data error.
fn wrong_unit(t: &str, field_unit: Option<&str>) -> Option<String> {
    let fu = field_unit?;
    let n = normalize::value(t);
    if let Some(sign) = currency_sign(&n) {
        if unit_kind(fu) != Some(MONEY) {
            return Some(format!("货币符号“{sign}”不适用于本字段(本字段以{fu}计)"));
        }
    }
    if n.contains('/') {
        // A rate (`10元/件`), not a number with a unit.
        return None;
    }
    let mark = UNITS.iter().find(|u| n.trim_end().ends_with(**u))?;
    (unit_kind(mark) != unit_kind(fu))
        .then(|| format!("单位“{mark}”不适用于本字段(本字段以{fu}计)"))
}

/// A number with optional `¥`, thousands separators and a trailing unit of
/// the kind of `field_unit` (any kind when the field has none); money
/// units are scaled to `field_unit` (default 元).
#[allow(clippy::many_single_char_names)] // t(ext), n(ormalised), s, c(leaned), x
pub fn parse_number(t: &str, field_unit: Option<&str>) -> Option<Number> {
    // Plain numbers: digits, an optional sign and one decimal point.
    let digits = t.strip_prefix('-').unwrap_or(t);
    if !digits.is_empty() && digits.len() <= 18 {
        let mut dots = 0;
        if digits.bytes().all(|b| {
            dots += usize::from(b == b'.');
            b.is_ascii_digit() || b == b'.'
        }) && dots <= 1
            && !digits.starts_with('.')
            && !digits.ends_with('.')
        {
            return if dots == 0 {
                t.parse().ok().map(Number::Int)
            } else {
                t.parse().ok().map(Number::Float)
            };
        }
    }
    let n: Cow<'_, str> = normalize::value(t);
    if currency_sign(&n).is_some() && field_unit.is_some_and(|fu| unit_kind(fu) != Some(MONEY)) {
        // `￥3` is money, not three days.
        return None;
    }
    let mut s: &str = n.trim_start_matches(['¥', '￥']).trim();
    let mut money: Option<&str> = None;
    for u in UNITS {
        if let Some(rest) = s.strip_suffix(u) {
            if field_unit.is_some_and(|fu| unit_kind(fu) != unit_kind(u)) {
                return None;
            }
            if *u == "万元" || *u == "元" {
                money = Some(u);
            }
            s = rest.trim_end();
            break;
        }
    }
    if s.is_empty() || !thousands_grouped(s) {
        return None;
    }
    let cleaned: Cow<'_, str> = if s.contains([',', ' ', '_']) {
        Cow::Owned(
            s.chars()
                .filter(|c| !matches!(c, ',' | ' ' | '_'))
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    };
    let c: &str = &cleaned;
    let body = c.strip_prefix(['-', '+']).unwrap_or(c);
    if body.is_empty()
        || !body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || body.bytes().filter(|&b| b == b'.').count() > 1
        || body.starts_with('.') && body.len() == 1
    {
        return None;
    }
    let scale: f64 = match (money, field_unit.unwrap_or("元")) {
        (Some("万元"), "元") => 10_000.0,
        (Some("元"), "万元") => 1e-4,
        _ => 1.0,
    };
    if !c.contains('.') && (scale - 1.0).abs() < f64::EPSILON {
        if let Ok(i) = c.parse::<i64>() {
            return Some(Number::Int(i));
        }
    }
    let x: f64 = c.parse().ok()?;
    Some(Number::Float(x * scale))
}

/// Whether a decimal read from `t` as `n` shows as written: the
/// significant digits of `t` (half- or full-width, from the first to the
/// last that is not zero) are those of the value as it prints
/// ([`crate::value::decimal_text`]; a unit's scaling moves only the point).
fn keeps_digits(t: &str, n: &Number, scaled: bool) -> bool {
    // (Most cells: plain digits, unscaled, within fifteen significant
    // digits and ten places, which a float keeps: no printing needed.)
    if !scaled && plain_and_within(t) {
        return true;
    }
    let x = match *n {
        Number::Int(i) => i as f64,
        Number::Float(x) => x,
    };
    significant(t) == significant(&crate::value::decimal_text(x))
}

/// Whether a number's text has digits other than zeros after its point.
fn has_fraction(t: &str) -> bool {
    t.split_once('.')
        .is_some_and(|(_, frac)| frac.chars().any(|c| c.is_ascii_digit() && c != '0'))
}

/// The value of a plain decimal of at most fifteen digits and ten places
/// (`30.00`, `0`, `-12.5`: an optional `-`, ASCII digits, and a point
/// between digits), read at once: what `parse_typed` reads for it (through
/// `parse_number`'s plain numbers and [`plain_and_within`]), to the bit.
/// The digits as an integer (below 10^15, so exact as a float) over ten to
/// the places (exact too) is one correctly rounded division, the value
/// `str::parse` gives; without a point the integer is negated before it
/// becomes a float, as `parse_number` reads it through `i64` (`-0` is 0).
/// `None` for anything else, which the general path reads. (A fee ledger's
/// amounts took about 480 instructions a cell through those layers.)
fn plain_decimal(b: &[u8]) -> Option<f64> {
    const TENS: [f64; 11] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
    let (negative, body) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    // (Fifteen digits and a point at most.)
    if body.is_empty() || body.len() > 16 {
        return None;
    }
    let mut m: i64 = 0;
    let mut point = None;
    for (i, &c) in body.iter().enumerate() {
        match c {
            b'0'..=b'9' => m = m * 10 + i64::from(c - b'0'),
            b'.' if point.is_none() && i > 0 => point = Some(i),
            _ => return None,
        }
    }
    match point {
        None if body.len() <= 15 => Some((if negative { -m } else { m }) as f64),
        Some(p) if body.len() - p - 1 <= 10 && p + 1 < body.len() => {
            let x = m as f64 / TENS[body.len() - p - 1];
            Some(if negative { -x } else { x })
        }
        _ => None,
    }
}

/// A plain decimal (`-12.50`: ASCII digits, a point) of at most fifteen
/// significant digits and ten places.
fn plain_and_within(t: &str) -> bool {
    let body = t.strip_prefix('-').unwrap_or(t).as_bytes();
    let (int, frac) = match body.iter().position(|&b| b == b'.') {
        Some(p) => (&body[..p], &body[p + 1..]),
        None => (body, &body[..0]),
    };
    if int.is_empty() || !int.iter().chain(frac).all(u8::is_ascii_digit) || frac.len() > 10 {
        return false;
    }
    let digits = || int.iter().chain(frac);
    let lead = digits().take_while(|&&b| b == b'0').count();
    let trail = frac.iter().rev().take_while(|&&b| b == b'0').count();
    let trail = if trail == frac.len() {
        trail + int.iter().rev().take_while(|&&b| b == b'0').count()
    } else {
        trail
    };
    (int.len() + frac.len()).saturating_sub(lead + trail) <= 15
}

/// The digits of a number's text from the first to the last that is not
/// zero.
fn significant(t: &str) -> Vec<u32> {
    let digits: Vec<u32> = t
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => c.to_digit(10),
            '０'..='９' => Some(u32::from(c) - u32::from('０')),
            _ => None,
        })
        .collect();
    match (
        digits.iter().position(|&d| d != 0),
        digits.iter().rposition(|&d| d != 0),
    ) {
        (Some(a), Some(b)) => digits[a..=b].to_vec(),
        _ => Vec::new(),
    }
}

/// The currency sign a number starts with (`¥`, `￥`), if any.
fn currency_sign(n: &str) -> Option<char> {
    n.trim_start()
        .chars()
        .next()
        .filter(|c| matches!(c, '¥' | '￥'))
}

/// Separators in a number (commas, spaces or underscores, one kind) group
/// its whole part by thousands (`1,234,567.5`, `1 200`): `1,00` or
/// `12,3456` is no number (a decimal comma, a typo), not 100.
fn thousands_grouped(s: &str) -> bool {
    let separator = |c: char| matches!(c, ',' | ' ' | '_');
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    // After the point nothing groups: `1.234,50` (a decimal comma after a
    // point for thousands) and `0.1,5` are no numbers.
    if fraction.contains(separator) {
        return false;
    }
    // (A space after the sign is none: `- 500`.)
    let whole = whole.trim_start_matches(['-', '+']).trim_start();
    let mut kinds = whole.chars().filter(|&c| separator(c));
    let Some(kind) = kinds.next() else {
        return true;
    };
    // One kind of separator, between groups of three digits: `1 5` and
    // `1_0` are no numbers (not 15 and 10), nor is `1,234 567`.
    if kinds.any(|c| c != kind) {
        return false;
    }
    // (A run of spaces is one, as normalisation makes it in other text.)
    let mut groups = whole.split(kind).filter(|g| kind != ' ' || !g.is_empty());
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
}

/// Converts an Excel serial (days since 1899-12-30, with Excel's phantom
/// 1900-02-29) to a datetime, rounded to the second.
/// The serial number of a date cell counted from 1900, as
/// [`excel_serial`] takes it: a workbook saved with the 1904 date system
/// (`<workbookPr date1904="1"/>`, old Mac Excel) counts from 1904-01-01,
/// 1,462 days later. (calamine keeps the flag in the cell but gives it no
/// getter: a cell equal to itself made with the flag set is one.)
/// Whether a date cell has a duration format (`[h]:mm`), not a date's
/// (calamine tells it only with its `dates` feature).
fn is_duration(x: &calamine::ExcelDateTime) -> bool {
    use calamine::{ExcelDateTime, ExcelDateTimeType};
    let v = x.as_f64();
    [false, true]
        .into_iter()
        .any(|of_1904| *x == ExcelDateTime::new(v, ExcelDateTimeType::TimeDelta, of_1904))
}

fn serial_1900(x: &calamine::ExcelDateTime) -> f64 {
    use calamine::{ExcelDateTime, ExcelDateTimeType};
    let v = x.as_f64();
    let of_1904 = [ExcelDateTimeType::DateTime, ExcelDateTimeType::TimeDelta]
        .into_iter()
        .any(|t| *x == ExcelDateTime::new(v, t, true));
    if of_1904 {
        v + 1462.0
    } else {
        v
    }
}

pub fn excel_serial(x: f64) -> Option<NaiveDateTime> {
    if !x.is_finite() || !(0.0..2_958_466.0).contains(&x) {
        return None;
    }
    let x = if x < 60.0 { x + 1.0 } else { x };
    let days = x.floor();
    let secs = ((x - days) * 86_400.0).round() as i64;
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(NaiveTime::MIN);
    base.checked_add_signed(Duration::days(days as i64))?
        .checked_add_signed(Duration::seconds(secs))
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tok {
    Num(u64, u8),
    Sep(char),
}

/// Parses the date and datetime forms of the contract (see the module doc).
/// The error is the Chinese message.
#[allow(clippy::many_single_char_names)] // y, m, d, h, s as in dates
pub fn parse_datetime(t: &str) -> Result<NaiveDateTime, &'static str> {
    match fast_numeric(t.as_bytes()) {
        Some(dt) => Ok(dt),
        None => match utc_offset(t) {
            // A time with its offset (`2025-03-01T09:30:00+08:00`, `…Z`):
            // the centre's time, Beijing time (UTC+8), as every other time
            // of an export is.
            Some((local, minutes)) => datetime_by_tokens(local).map(|dt| {
                dt + chrono::TimeDelta::minutes(i64::from(BEIJING_OFFSET_MINUTES - minutes))
            }),
            None => datetime_by_tokens(t),
        },
    }
    .and_then(plausible)
}

/// Beijing time's offset from UTC, in minutes.
const BEIJING_OFFSET_MINUTES: i32 = 8 * 60;

/// A date and time with a UTC offset after its time (`Z`, `+08:00`,
/// `+0800`, `-05`): the text before it and the offset in minutes. A date
/// alone (`2025-03-01`, whose `-01` is no offset) has none, and neither has
/// a time without seconds or `T` (`09:30-10:00`).
fn utc_offset(t: &str) -> Option<(&str, i32)> {
    let t = t.trim();
    let b = t.as_bytes();
    if let Some(rest) = t.strip_suffix(['Z', 'z']) {
        return (rest.contains(':') && rest.ends_with(|c: char| c.is_ascii_digit()))
            .then_some((rest, 0));
    }
    let sign_at = t.rfind(['+', '-'])?;
    let (local, offset) = (t[..sign_at].trim_end(), &t[sign_at + 1..]);
    // (An ISO time, with its `T` or its seconds: `09:30-10:00` is a span of
    // time, no offset.)
    let iso = local.contains(['T', 't']) || local.matches(':').count() == 2;
    if !iso || !local.ends_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let digits: String = offset.chars().filter(|&c| c != ':').collect();
    let shape_ok = matches!(offset.len(), 2 | 4 | 5)
        && digits.bytes().all(|c| c.is_ascii_digit())
        && (offset.len() != 5 || offset.as_bytes()[2] == b':')
        && matches!(digits.len(), 2 | 4);
    if !shape_ok {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(Ok(0), str::parse)
        .ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    let sign = if b[sign_at] == b'-' { -1 } else { 1 };
    Some((local, sign * (hours * 60 + minutes)))
}

/// The years a date of an export may have (the range `--as-of` takes): a
/// date outside them (`0025-03-03`, `2205-03-03`) is a typo, and taken as
/// written it would put its record before or after every rule's time.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

fn plausible(dt: NaiveDateTime) -> Result<NaiveDateTime, &'static str> {
    if YEARS.contains(&chrono::Datelike::year(&dt)) {
        Ok(dt)
    } else {
        Err("年份超出 1900-2100, 可能是录入错误")
    }
}

/// A number written as text where a date goes.
const NUMBER_NOT_DATE: &str =
    "数字不是日期 (Excel 日期序列号只在 xlsx 的数值单元格中识别, 文本中请写 2025-03-01 等日期格式)";

/// [`parse_datetime`]'s general reader: the text as tokens (numbers and
/// separators), then the forms.
fn datetime_by_tokens(t: &str) -> Result<NaiveDateTime, &'static str> {
    const BAD: &str = "无法识别的日期时间";
    let n = normalize::value(t);
    let s: &str = &n;
    let mut toks: [Tok; 24] = [Tok::Sep(' '); 24];
    let mut len = 0usize;
    let mut cur: Option<(u64, u8)> = None;
    let mut dots = 0;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            let (v, k) = cur.unwrap_or((0, 0));
            if k >= 16 {
                return Err(BAD);
            }
            cur = Some((v * 10 + u64::from(d), k + 1));
            continue;
        }
        if let Some((v, k)) = cur.take() {
            if len >= toks.len() {
                return Err(BAD);
            }
            toks[len] = Tok::Num(v, k);
            len += 1;
        }
        let sep = match c {
            ' ' | '\t' => ' ',
            '-' | '/' | '.' | ':' | 'T' | 't' | '年' | '月' | '日' | '号' | '时' | '点' | '分'
            | '秒' | 'Z' => c,
            _ => return Err(BAD),
        };
        if sep == '.' {
            dots += 1;
        }
        if sep == ' ' && len > 0 && toks[len - 1] == Tok::Sep(' ') {
            continue;
        }
        if len >= toks.len() {
            return Err(BAD);
        }
        toks[len] = Tok::Sep(sep);
        len += 1;
    }
    if let Some((v, k)) = cur.take() {
        if len == 0 && k > 8 {
            // Compact forms, from the digits themselves.
            return compact(s).ok_or(BAD);
        }
        if len >= toks.len() {
            return Err(BAD);
        }
        toks[len] = Tok::Num(v, k);
        len += 1;
    }
    let toks = &toks[..len];
    match toks {
        // A number alone (an Excel serial, `45717`, a bare year, `1`): the
        // data contract reads Excel serial numbers in xlsx cells, where the
        // cell says it is a number (see `parse_data`); as text it is no
        // date (`1` in 进驻日期 was read as 1900-01-01).
        [Tok::Num(_, k)] | [Tok::Num(_, k), Tok::Sep('.'), Tok::Num(_, _)]
            if *k <= 7 && dots <= 1 =>
        {
            Err(NUMBER_NOT_DATE)
        }
        [Tok::Num(_, 8)] => compact(s).ok_or(BAD),
        _ => ymd_hms(toks),
    }
}

/// [`fast_numeric`] of `b`, when its year is plausible, written into
/// `out` (its day alone when `date_only`); `false`, nothing written,
/// otherwise.
///
/// Out of line, its answer a flag, the value written where it is kept, and
/// the fixed-width form (inlined) kept apart from the others (called): an
/// `Option` of the date and time, returned or merged from both forms, went
/// through the stack in four-byte stores that were loaded back as eight
/// at once, a store-forwarding stall a cell (perf: a tenth of
/// `parse_text`'s samples).
#[inline(never)]
fn numeric_into(b: &[u8], date_only: bool, out: &mut Value) -> bool {
    let put = |dt: NaiveDateTime, out: &mut Value| {
        if plausible(dt).is_err() {
            return false;
        }
        *out = if date_only {
            Value::Date(dt.date())
        } else {
            Value::DateTime(dt)
        };
        true
    };
    if let Some(dt) = fixed_width(b) {
        return put(dt, out);
    }
    by_position(b).is_some_and(|dt| put(dt, out))
}

/// The commonest forms, read by position without tokens: `2025-03-01`,
/// `2025/3/1`, `2025-03-01 09:30:00`, `2025/3/1 9:30`, `2025-03-01T09:30`.
/// `None` for anything else, a date that does not exist included: the
/// general reader then decides, with its messages. So this path never
/// changes a verdict, only its cost. (The fixed-width reader inlined
/// where it is called, the other forms called.)
#[inline]
fn fast_numeric(b: &[u8]) -> Option<NaiveDateTime> {
    fixed_width(b).or_else(|| by_position(b))
}

/// [`fast_numeric`]'s forms whose numbers may have fewer digits
/// (`2025/3/1 9:30`), read number by number.
#[inline(never)]
fn by_position(b: &[u8]) -> Option<NaiveDateTime> {
    let year = four_digits(b)?;
    let sep = *b.get(4)?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let (month, at) = one_or_two(b, 5)?;
    if b.get(at) != Some(&sep) {
        return None;
    }
    let (day, at) = one_or_two(b, at + 1)?;
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    if at == b.len() {
        return Some(date.and_time(NaiveTime::MIN));
    }
    if !matches!(b[at], b' ' | b'T') {
        return None;
    }
    let (h, at) = one_or_two(b, at + 1)?;
    if b.get(at) != Some(&b':') {
        return None;
    }
    let (m, at) = one_or_two(b, at + 1)?;
    let (sec, at) = match b.get(at) {
        None => (0, at),
        Some(b':') => one_or_two(b, at + 1)?,
        Some(_) => return None,
    };
    if at != b.len() {
        return None;
    }
    Some(date.and_time(NaiveTime::from_hms_opt(h, m, sec)?))
}

/// The number of `b`'s first four bytes, all ASCII digits.
#[inline]
fn four_digits(b: &[u8]) -> Option<u32> {
    let d: &[u8; 4] = b.get(..4)?.try_into().ok()?;
    let mut v = 0;
    for &c in d {
        let x = c.wrapping_sub(b'0');
        if x > 9 {
            return None;
        }
        v = v * 10 + u32::from(x);
    }
    Some(v)
}

/// The number of the one or two ASCII digits of `b` at `at` (two when the
/// second byte is a digit too), and where it ends; `None` when `b[at]` is
/// no digit.
#[inline]
fn one_or_two(b: &[u8], at: usize) -> Option<(u32, usize)> {
    let first = u32::from(b.get(at)?.wrapping_sub(b'0'));
    if first > 9 {
        return None;
    }
    match b.get(at + 1).map(|c| u32::from(c.wrapping_sub(b'0'))) {
        Some(second) if second <= 9 => Some((first * 10 + second, at + 2)),
        _ => Some((first, at + 1)),
    }
}

/// [`fast_numeric`] for the commonest exports, every digit in its place:
/// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` and `YYYY-MM-DD HH:MM:SS` (or with `/`,
/// or `T`). `None` for anything else.
///
/// The text is read as three 8-byte words (`DDDD-DD-`, `DD DD:DD`, `:DD`,
/// a short text's missing places as `0`s), whose digit places are checked
/// all at once: a byte is a digit when its high nibble is 3 and adding 6
/// keeps it 3. (No byte carries into the next: the separators, checked one
/// by one, are below `0xFA`, and so is every byte of UTF-8.)
#[allow(
    clippy::inline_always,
    reason = "measured: called, its answer went back through the stack (see `numeric_into`)"
)]
#[inline(always)]
fn fixed_width(b: &[u8]) -> Option<NaiveDateTime> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const SIX: u64 = 0x0606_0606_0606_0606;
    const LOW: u64 = 0x0F0F_0F0F_0F0F_0F0F;
    // The digit places of each word (little-endian: byte i is bits 8i..).
    const DIGITS: [u64; 3] = [
        0x00FF_FF00_FFFF_FFFF,
        0xFFFF_00FF_FF00_FFFF,
        0x0000_0000_00FF_FF00,
    ];
    let n = b.len();
    if !matches!(n, 10 | 16 | 19) || !matches!(b[4], b'-' | b'/') || b[7] != b[4] {
        return None;
    }
    if n > 10 && (!matches!(b[10], b' ' | b'T') || b[13] != b':' || (n == 19 && b[16] != b':')) {
        return None;
    }
    let word = |at: usize, len: usize| {
        let mut w = [b'0'; 8];
        w[..len].copy_from_slice(&b[at..at + len]);
        u64::from_le_bytes(w)
    };
    let w = [
        word(0, 8),
        if n >= 16 { word(8, 8) } else { word(8, 2) },
        if n == 19 { word(16, 3) } else { ZEROS },
    ];
    // (Each word's mask fixed at compile time, the checks without a branch.)
    let digits = |k: usize| {
        let m = DIGITS[k];
        (w[k] & HIGH & m) ^ (ZEROS & m) | (w[k].wrapping_add(SIX) & HIGH & m) ^ (ZEROS & m)
    };
    if digits(0) | digits(1) | digits(2) != 0 {
        return None;
    }
    // Each word's two-digit numbers at once: byte `i` of `pairs[k]` is the
    // number of the digits at `i` and `i + 1` (a byte's low nibble times 10
    // plus the next one's: at most 165, so no byte carries into the next).
    let pairs = w.map(|x| {
        let d = x & LOW;
        d * 10 + (d >> 8)
    });
    let two = |k: usize, i: u32| ((pairs[k] >> (8 * i)) & 0xFF) as u32;
    let (year, month, day) = (two(0, 0) * 100 + two(0, 2), two(0, 5), two(1, 0));
    // (No month 0 or 13, no day 0 or 32: no date, as the calendar says.)
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let date = DAYS.with(|days| {
        let (key, slot) = day_key(year, month, day);
        let (k, date) = days[slot].get();
        if k == key {
            return Some(date);
        }
        let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
        days[slot].set((key, date));
        Some(date)
    })?;
    let time = NaiveTime::from_hms_opt(two(1, 3), two(1, 6), two(2, 1))?;
    Some(date.and_time(time))
}

/// The slots of [`DAYS`]: one for each month day (1 to 31 of every month,
/// in 32 places) of four consecutive years.
const DAY_SLOTS: usize = 4 * 12 * 32;

/// A date's key (its year, month and day packed: a year of up to four
/// digits, a month 1 to 12 and a day 1 to 31 each their own bits, so no
/// two dates share one, and none is 0, an empty slot's) and its slot in
/// [`DAYS`]: by the year modulo 4, the month and the day, so that the dates
/// of four years never share a slot.
#[inline]
fn day_key(year: u32, month: u32, day: u32) -> (u32, usize) {
    debug_assert!(year <= 9999 && (1..=12).contains(&month) && (1..=31).contains(&day));
    let key = year << 9 | month << 5 | day;
    let slot = (((year & 3) * 12 + month - 1) * 32 + day - 1) as usize;
    (key, slot)
}

thread_local! {
    /// The dates [`fixed_width`] read on this thread, by their year, month
    /// and day ([`day_key`]): a date found here is not computed again by
    /// the calendar. A slot of its own for each day of four years: a hashed
    /// table of 512 slots, which a case log's dates (a few hundred a year)
    /// shared, had its dates push each other out (a quarter of
    /// `numeric_into`'s samples computing them again; eleven alternated
    /// pairs at 10M cases, this table faster in nine, CPU medians 3.72
    /// against 3.86 s). The same numbers are the same date, so a slot gives
    /// what computing them gives.
    static DAYS: [Cell<(u32, NaiveDate)>; DAY_SLOTS] =
        const { [const { Cell::new((0, NaiveDate::MIN)) }; DAY_SLOTS] };
}

/// `YYYYMMDD`, `YYYYMMDDHHMM`, `YYYYMMDDHHMMSS`.
fn compact(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if !b.iter().all(u8::is_ascii_digit) || !matches!(b.len(), 8 | 12 | 14) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> { s.get(r)?.parse().ok() };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(4..6)?, num(6..8)?)?;
    let (h, m, sec) = match b.len() {
        8 => (0, 0, 0),
        12 => (num(8..10)?, num(10..12)?, 0),
        _ => (num(8..10)?, num(10..12)?, num(12..14)?),
    };
    Some(date.and_time(NaiveTime::from_hms_opt(h, m, sec)?))
}

#[allow(clippy::many_single_char_names)] // y, m, d, h, s as in dates
fn ymd_hms(toks: &[Tok]) -> Result<NaiveDateTime, &'static str> {
    const BAD: &str = "无法识别的日期时间";
    const NO_DATE: &str = "日期时间不存在";
    let mut i = 0;
    let mut next = || -> Option<Tok> {
        let t = toks.get(i).copied();
        i += 1;
        t
    };
    let Some(Tok::Num(y, 4)) = next() else {
        return Err(BAD);
    };
    let Some(Tok::Sep(s1)) = next() else {
        return Err(BAD);
    };
    let Some(Tok::Num(m, 1..=2)) = next() else {
        return Err(BAD);
    };
    let Some(Tok::Sep(s2)) = next() else {
        return Err(BAD);
    };
    let Some(Tok::Num(d, 1..=2)) = next() else {
        return Err(BAD);
    };
    let cjk = match (s1, s2) {
        ('-', '-') | ('/', '/') | ('.', '.') => false,
        ('年', '月') => true,
        _ => return Err(BAD),
    };
    let date = NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32).ok_or(NO_DATE)?;
    let mut rest = &toks[5..];
    if cjk {
        if let [Tok::Sep('日' | '号'), r @ ..] = rest {
            rest = r;
        }
    }
    // Date/time separator.
    match rest {
        [] => return Ok(date.and_time(NaiveTime::MIN)),
        [Tok::Sep(' ' | 'T' | 't'), r @ ..] => rest = r,
        [Tok::Num(..), ..] if cjk => {}
        _ => return Err(BAD),
    }
    let (h, mi, sec, nanos, tail) = match rest {
        [Tok::Num(h, 1..=2), Tok::Sep(':' | '时' | '点'), Tok::Num(mi, 1..=2), tail @ ..] => {
            let (sec, nanos, tail) = match tail {
                [Tok::Sep(':' | '分'), Tok::Num(s, 1..=2), Tok::Sep('.'), Tok::Num(f, k), t @ ..] => {
                    (*s, frac_nanos(*f, *k), t)
                }
                [Tok::Sep(':' | '分'), Tok::Num(s, 1..=2), t @ ..] => (*s, 0, t),
                t => (0, 0, t),
            };
            (*h, *mi, sec, nanos, tail)
        }
        [Tok::Num(h, 1..=2), Tok::Sep('时' | '点'), tail @ ..] => (*h, 0, 0, 0, tail),
        _ => return Err(BAD),
    };
    // Trailing unit marks and a UTC `Z`.
    for t in tail {
        if !matches!(t, Tok::Sep('分' | '秒' | 'Z' | ' ')) {
            return Err(BAD);
        }
    }
    let time =
        NaiveTime::from_hms_nano_opt(h as u32, mi as u32, sec as u32, nanos).ok_or(NO_DATE)?;
    Ok(date.and_time(time))
}

fn frac_nanos(f: u64, k: u8) -> u32 {
    let mut v = f;
    let mut k = k;
    while k < 9 {
        v *= 10;
        k += 1;
    }
    while k > 9 {
        v /= 10;
        k -= 1;
    }
    v as u32
}

#[cfg(test)]
#[path = "cell_tests.rs"]
mod tests;
