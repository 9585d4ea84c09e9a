//! Policy diagnostics: one error type for every stage that reads a policy
//! (syntax, AST building, checking, formatting), rendered by miette for people
//! and as JSON for tools.
//!
//! Invariant: every error has a stable [`ErrorCode`], a primary span with a
//! label, and a message in plain words; codes are never renamed or reused.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

use crate::ast::Span;

/// The stable codes of policy errors. `yimen check-policy --error-format json`
/// prints them; scripts rely on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// The text does not follow the grammar.
    Syntax,
    /// A date, datetime or number literal that does not exist or does not fit.
    BadLiteral,
    /// A field of the `policy` header that does not exist, or is repeated.
    BadHeader,
    /// No `policy` header, or more than one, in a file.
    PolicyHeader,
    UnknownDataset,
    UnknownField,
    UnknownFunction,
    UnknownParameter,
    /// A name that is no variable, `let`, parameter or dataset.
    UnknownName,
    UnknownType,
    /// An enum field compared with a value it never takes.
    UnknownEnumValue,
    TypeMismatch,
    WrongArgumentCount,
    /// `count`, `any`, … outside a group rule or metric.
    AggregateOutsideGroup,
    /// A record field used after `group by` that is not a group key.
    GroupKeyNotAvailable,
    /// A lookup with the wrong number of keys.
    LookupArity,
    /// A lookup key of the wrong type.
    LookupKeyType,
    DuplicateCode,
    DuplicateName,
    /// A rule or metric code of the wrong form (rules `H001`, metrics `M01`).
    BadCode,
    UnknownSeverity,
    /// A message template naming something that does not exist.
    TemplateUnknownField,
    /// A test expecting a code that no loaded rule has.
    UnknownExpectedCode,
    /// A test expecting a finding whose key has the wrong number of values,
    /// or a finding of a metric.
    ExpectKeyArity,
    UnknownSource,
    UnknownClause,
    MissingClause,
    DuplicateClause,
    /// A clause that does not belong where it stands (`ratio` in a rule …).
    MisplacedClause,
    /// `fires(CODE)` of a rule that ranges over another dataset or groups.
    BadFires,
    /// A file that cannot be read.
    Io,
    /// A document of a `sources/` folder beside the policies that is not a
    /// valid source document.
    BadSourceFile,
    /// The formatter would have changed the meaning of the file.
    FormatChangedAst,
    /// An expression nested (or chained) deeper than yimen evaluates.
    TooDeep,
    /// A bug in yimen (a grammar drift): report it.
    Internal,
    /// A division by a literal zero (`x / 0`).
    DivisionByZero,
    /// A test expecting both no findings (or undetermined verdicts) of a
    /// code and some.
    ContradictoryExpect,
}

impl ErrorCode {
    /// The stable code, as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Syntax => "yimen::syntax",
            ErrorCode::BadLiteral => "yimen::bad-literal",
            ErrorCode::BadHeader => "yimen::bad-header",
            ErrorCode::PolicyHeader => "yimen::policy-header",
            ErrorCode::UnknownDataset => "yimen::unknown-dataset",
            ErrorCode::UnknownField => "yimen::unknown-field",
            ErrorCode::UnknownFunction => "yimen::unknown-function",
            ErrorCode::UnknownParameter => "yimen::unknown-parameter",
            ErrorCode::UnknownName => "yimen::unknown-name",
            ErrorCode::UnknownType => "yimen::unknown-type",
            ErrorCode::UnknownEnumValue => "yimen::unknown-enum-value",
            ErrorCode::TypeMismatch => "yimen::type-mismatch",
            ErrorCode::WrongArgumentCount => "yimen::wrong-argument-count",
            ErrorCode::AggregateOutsideGroup => "yimen::aggregate-outside-group",
            ErrorCode::GroupKeyNotAvailable => "yimen::group-key-not-available",
            ErrorCode::LookupArity => "yimen::lookup-arity",
            ErrorCode::LookupKeyType => "yimen::lookup-key-type",
            ErrorCode::DuplicateCode => "yimen::duplicate-code",
            ErrorCode::DuplicateName => "yimen::duplicate-name",
            ErrorCode::BadCode => "yimen::bad-code",
            ErrorCode::UnknownSeverity => "yimen::unknown-severity",
            ErrorCode::TemplateUnknownField => "yimen::template-unknown-field",
            ErrorCode::UnknownExpectedCode => "yimen::unknown-expected-code",
            ErrorCode::ExpectKeyArity => "yimen::expect-key-arity",
            ErrorCode::UnknownSource => "yimen::unknown-source",
            ErrorCode::UnknownClause => "yimen::unknown-clause",
            ErrorCode::MissingClause => "yimen::missing-clause",
            ErrorCode::DuplicateClause => "yimen::duplicate-clause",
            ErrorCode::MisplacedClause => "yimen::misplaced-clause",
            ErrorCode::BadFires => "yimen::bad-fires",
            ErrorCode::Io => "yimen::io",
            ErrorCode::BadSourceFile => "yimen::bad-source-file",
            ErrorCode::FormatChangedAst => "yimen::format-changed-ast",
            ErrorCode::TooDeep => "yimen::too-deep",
            ErrorCode::Internal => "yimen::internal",
            ErrorCode::DivisionByZero => "yimen::division-by-zero",
            ErrorCode::ContradictoryExpect => "yimen::contradictory-expect",
        }
    }

    /// Every code, for documentation and tests.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Syntax,
        ErrorCode::BadLiteral,
        ErrorCode::BadHeader,
        ErrorCode::PolicyHeader,
        ErrorCode::UnknownDataset,
        ErrorCode::UnknownField,
        ErrorCode::UnknownFunction,
        ErrorCode::UnknownParameter,
        ErrorCode::UnknownName,
        ErrorCode::UnknownType,
        ErrorCode::UnknownEnumValue,
        ErrorCode::TypeMismatch,
        ErrorCode::WrongArgumentCount,
        ErrorCode::AggregateOutsideGroup,
        ErrorCode::GroupKeyNotAvailable,
        ErrorCode::LookupArity,
        ErrorCode::LookupKeyType,
        ErrorCode::DuplicateCode,
        ErrorCode::DuplicateName,
        ErrorCode::BadCode,
        ErrorCode::UnknownSeverity,
        ErrorCode::TemplateUnknownField,
        ErrorCode::UnknownExpectedCode,
        ErrorCode::ExpectKeyArity,
        ErrorCode::UnknownSource,
        ErrorCode::UnknownClause,
        ErrorCode::MissingClause,
        ErrorCode::DuplicateClause,
        ErrorCode::MisplacedClause,
        ErrorCode::BadFires,
        ErrorCode::Io,
        ErrorCode::BadSourceFile,
        ErrorCode::FormatChangedAst,
        ErrorCode::TooDeep,
        ErrorCode::Internal,
        ErrorCode::DivisionByZero,
        ErrorCode::ContradictoryExpect,
    ];
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One error in one policy file.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyError {
    pub code: ErrorCode,
    pub message: String,
    pub span: Span,
    pub label: String,
    /// Further places that explain the error (the first definition of a duplicate …).
    pub related: Vec<(Span, String)>,
    pub help: Option<String>,
}

impl PolicyError {
    pub fn new(code: ErrorCode, span: Span, message: impl Into<String>) -> Self {
        PolicyError {
            code,
            message: message.into(),
            span,
            label: String::new(),
            related: Vec::new(),
            help: None,
        }
    }

    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    #[must_use]
    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }

    /// Attach the source so that miette can render it.
    pub fn with_source(&self, src: &PolicySource) -> RenderedError {
        RenderedError {
            error: self.clone(),
            src: CharColumns { src: src.clone() },
        }
    }
}

/// A policy file's name (as the user gave it) and text.
#[derive(Clone, Debug)]
pub struct PolicySource {
    pub name: String,
    /// The text without a byte order mark (an editor's on Windows), so that
    /// columns on the first line count from its first character.
    pub text: Arc<String>,
    /// The file began with a byte order mark (which the formatter drops).
    pub bom: bool,
    /// Where each line begins: the offsets after every `\n`, and those
    /// after a lone `\r` (which miette takes for a line break too), so that
    /// placing an error is a search, not a count from the file's start (a
    /// file of 20,000 faulty rules took minutes to report).
    lines: Arc<LineIndex>,
}

#[derive(Debug, Default)]
struct LineIndex {
    /// Offsets just after each `\n`.
    newlines: Vec<usize>,
    /// Offsets just after each `\r` not followed by `\n`.
    lone_cr: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let b = text.as_bytes();
        let mut index = LineIndex::default();
        for i in memchr::memchr2_iter(b'\n', b'\r', b) {
            if b[i] == b'\n' {
                index.newlines.push(i + 1);
            } else if b.get(i + 1) != Some(&b'\n') {
                index.lone_cr.push(i + 1);
            }
        }
        index
    }

    /// The `\n` line breaks at or before `offset` (a line starting at
    /// `offset` counts its break).
    fn newlines_before(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&s| s <= offset)
    }

    /// The line breaks miette counts (`\n`, `\r\n`, a lone `\r`) at or
    /// before `offset`.
    fn breaks_before(&self, offset: usize) -> usize {
        self.newlines_before(offset) + self.lone_cr.partition_point(|&s| s <= offset)
    }

    /// Where the `\n`-line holding `offset` begins.
    fn line_start(&self, offset: usize) -> usize {
        match self.newlines_before(offset) {
            0 => 0,
            n => self.newlines[n - 1],
        }
    }
}

impl PolicySource {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let mut text = text.into();
        let bom = text.starts_with('\u{FEFF}');
        if bom {
            text.drain(..'\u{FEFF}'.len_utf8());
        }
        let lines = Arc::new(LineIndex::new(&text));
        PolicySource {
            name: name.into(),
            text: Arc::new(text),
            bom,
            lines,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = self.lines.newlines_before(offset) + 1;
        let before = &self.text[self.lines.line_start(offset)..offset];
        // (A lone `\r` ends a line too, as miette draws it.)
        let col = before.rsplit('\r').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    /// The text miette looks at for `span`: whole `\n`-lines from
    /// `before` lines above the span's to `after` lines below its end
    /// (and one more each way, for a lone `\r`), with the offset it
    /// begins at and the line breaks before it as miette counts them.
    fn window(&self, span: &SourceSpan, before: usize, after: usize) -> (usize, &str, usize) {
        let text = self.text.as_str();
        let first = self.lines.newlines_before(span.offset().min(text.len()));
        let last = self
            .lines
            .newlines_before((span.offset() + span.len()).min(text.len()));
        let start = match first.saturating_sub(before + 1) {
            0 => 0,
            n => self.lines.newlines[n - 1],
        };
        let end = self
            .lines
            .newlines
            .get(last + after + 1)
            .copied()
            .unwrap_or(text.len());
        // (A `\r\n` split by `start` would count twice: `start` follows a
        // `\n`, so it never splits one.)
        let breaks = if start == 0 {
            0
        } else {
            self.lines.breaks_before(start)
        };
        (start, &text[start..end], breaks)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A [`PolicyError`] with its source, ready for miette.
#[derive(Debug)]
pub struct RenderedError {
    error: PolicyError,
    src: CharColumns,
}

/// A policy text for miette, whose `file:line:col` counts the column in
/// characters, as editors do (miette counts bytes: a Chinese character
/// before the span counted three), the same as [`PolicySource::line_col`]
/// and the JSON diagnostics.
#[derive(Debug)]
struct CharColumns {
    src: PolicySource,
}

impl SourceCode for CharColumns {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette reads a text from its start to find a span's lines: the
        // lines around it are given instead, and its answer moved back.
        let (start, window, breaks) =
            self.src
                .window(span, context_lines_before, context_lines_after);
        let local = SourceSpan::new((span.offset().saturating_sub(start)).into(), span.len());
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        let column = if inner.column() == 0 {
            0
        } else {
            self.src.line_col(span.offset()).1 - 1
        };
        let at = SourceSpan::new((inner.span().offset() + start).into(), inner.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.src.name.clone(),
            inner.data(),
            at,
            inner.line() + breaks,
            column,
            inner.line_count() + breaks,
        )))
    }
}

impl fmt::Display for RenderedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error.message)
    }
}

impl std::error::Error for RenderedError {}

impl Diagnostic for RenderedError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.error.code.as_str()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error
            .help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(
            (!self.error.label.is_empty()).then(|| self.error.label.clone()),
            self.error.span,
        );
        let related = self
            .error
            .related
            .iter()
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// miette's graphical report; colour only when `color` is set.
    Human { color: bool, width: usize },
    /// One JSON object per error (see [`JsonError`]).
    Json,
}

/// The JSON form of an error, for tools (`--error-format json`).
#[derive(Clone, Debug, Serialize)]
pub struct JsonError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub code: &'static str,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

impl JsonError {
    pub fn new(err: &PolicyError, src: &PolicySource) -> Self {
        let (line, column) = src.line_col(err.span.start);
        let (end_line, end_column) = src.line_col(err.span.end);
        JsonError {
            file: src.name.clone(),
            line,
            column,
            end_line,
            end_column,
            code: err.code.as_str(),
            message: err.message.clone(),
            label: err.label.clone(),
            help: err.help.clone(),
        }
    }
}

/// Render one error for a person, as miette's graphical report.
pub fn render_human(err: &PolicyError, src: &PolicySource, color: bool, width: usize) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let rendered = err.with_source(src);
    // (miette panics on a label past column 65,535: plain text then.)
    let graphical = crate::quiet::quietly(|| {
        let mut out = String::new();
        handler.render_report(&mut out, &rendered).map(|()| out)
    });
    if let Ok(Ok(out)) = graphical {
        return out;
    }
    let (line, col) = src.line_col(err.span.start);
    let mut out = format!("{}: {}:{line}:{col}: {}\n", err.code, src.name, err.message);
    if let Some(help) = &err.help {
        out.push_str(&format!("  help: {help}\n"));
    }
    out
}

/// The closest of `candidates` to `word`, if it is close enough to be a
/// plausible typo ("did you mean").
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(f64, &str)> = None;
    let w = word.to_lowercase();
    let long = w.chars().count() > 2;
    for cand in candidates {
        if cand == word {
            continue;
        }
        // Case aside (`AGE_LIMIT` is `age_limit`), and a word that begins a
        // name (`on-time` for `on-time-rate`) is close.
        let c = cand.to_lowercase();
        let score = strsim::normalized_damerau_levenshtein(&w, &c);
        let close = score >= 0.6
            || strsim::damerau_levenshtein(&w, &c) <= 2 && long
            || long && c.starts_with(&w);
        if close && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, cand));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// "did you mean `x`?" or nothing.
pub fn suggestion(word: &str, candidates: &[&str]) -> Option<String> {
    did_you_mean(word, candidates.iter().copied()).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
#[path = "diagnostics_tests.rs"]
mod tests;
