//! pest errors → plain-language diagnostics.
//!
//! pest reports the grammar rules it expected; a person wants words. Every
//! rule that can appear in an error has a name here, and a misspelt keyword
//! gets a "did you mean".

use pest::error::{Error, ErrorVariant, InputLocation};

use super::Rule;
use crate::ast::Span;
use crate::diagnostics::{did_you_mean, ErrorCode, PolicyError};

/// What a person calls a grammar rule.
/// Where the parser looked for a clause of a rule or metric, only the
/// clauses that item may have (a rule's error listed `per`, `ratio` and
/// `target`, a metric's `require`), and the `}` that ends it, which the
/// parser does not name.
fn clauses_of_the_item(text: &str, start: usize, positives: &[Rule], expected: &mut Vec<&str>) {
    const CLAUSES: [Rule; 6] = [
        Rule::when_clause,
        Rule::let_clause,
        Rule::cite_clause,
        Rule::kw_when,
        Rule::kw_let,
        Rule::kw_cite,
    ];
    if !positives.iter().any(|r| CLAUSES.contains(r)) {
        return;
    }
    // The item the error is in: the last line before it that starts one.
    let before = &text[..start.min(text.len())];
    let item = before.lines().rev().find_map(|l| {
        ["rule ", "metric ", "test ", "policy ", "param "]
            .into_iter()
            .find(|k| l.starts_with(k))
    });
    let not_here: &[&str] = match item {
        Some("rule ") => &["`per`", "`ratio`", "`target`"],
        Some("metric ") => &[
            "`severity`",
            "`require`",
            "`message`",
            "`group by`",
            "`group`",
            "`key`",
            "`dept`",
            "`dataset`",
        ],
        _ => return,
    };
    expected.retain(|e| !not_here.contains(e));
    expected.push("`}`");
}

pub(super) fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::policy_decl => "a `policy` header",
        Rule::param_decl => "a `param` declaration",
        Rule::rule_decl => "a `rule`",
        Rule::metric_decl => "a `metric`",
        Rule::test_decl => "a `test`",
        Rule::docs | Rule::doc_line => "a `///` doc comment",
        Rule::header_field => "a header field (title, issuer, number, issued, effective)",
        Rule::type_expr => "a type (bool, int, decimal, string, date, datetime, list<…>, map<…, …>)",
        Rule::code => "a code such as `H001` or `M01`",
        Rule::rule_name => "a kebab-case name such as `dual-track` (or Chinese words, `体外循环`)",
        Rule::title_clause => "`title`",
        Rule::severity_clause => "`severity`",
        Rule::cite_clause => "`cite`",
        Rule::citation => "a citation such as `gangnan-2017 \"四、(六)\"`",
        Rule::source_id => "a source name such as `gangnan-2017`",
        Rule::for_clause => "`for`",
        Rule::distinct => "`distinct`",
        Rule::let_clause => "`let`",
        Rule::when_clause => "`when`",
        Rule::group_clause => "`group by`",
        Rule::require_clause => "`require`",
        Rule::message_clause => "`message`",
        Rule::dept_clause => "`dept`",
        Rule::key_clause => "`key`",
        Rule::dataset_clause => "`dataset`",
        Rule::per_clause => "`per`",
        Rule::ratio_clause => "`ratio`",
        Rule::target_clause => "`target`",
        Rule::as_of_stmt => "`as_of`",
        Rule::param_set => "`param`",
        Rule::fixture => "a fixture record such as `cases { id: \"C1\" }`",
        Rule::field_init => "a field such as `id: \"C1\"`",
        Rule::expect_stmt => "`expect`",
        Rule::expect_none | Rule::expect_some | Rule::expect_metric => "an expectation",
        Rule::metric_dept => "`for \"department\"`",
        Rule::fraction => "a count such as `2 / 3`",
        Rule::metric_undetermined => "`undetermined N`",
        Rule::undetermined => "`undetermined`",
        Rule::key_list => "a key list such as `[\"C1\"]`",
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::cmp_expr
        | Rule::add_expr
        | Rule::mul_expr
        | Rule::unary
        | Rule::postfix
        | Rule::standalone_expr => "an expression",
        Rule::not_op | Rule::negated => "`not`",
        Rule::cmp_tail | Rule::cmp_op => "a comparison (==, !=, <, <=, >, >=)",
        Rule::in_tail => "`in`",
        Rule::is_tail => "`is`",
        Rule::none_test => "`none`",
        Rule::empty_test => "`empty`",
        Rule::add_op => "`+` or `-`",
        Rule::mul_op => "`*` or `/`",
        Rule::neg => "`-`",
        Rule::field_suffix => "`.field`",
        Rule::index_suffix => "a lookup `[key]`",
        Rule::valid_on => "`valid_on`",
        Rule::as_of_ref => "`as_of`",
        Rule::paren => "a parenthesis",
        Rule::if_expr => "`if … then … else …`",
        Rule::call => "a function call",
        Rule::code_arg => "a rule code",
        Rule::name => "a name",
        Rule::date_lit => "a date (YYYY-MM-DD)",
        Rule::datetime_lit => "a datetime (YYYY-MM-DDTHH:MM:SS)",
        Rule::percent_lit => "a percentage",
        Rule::decimal_lit => "a decimal number",
        Rule::int_lit => "a whole number",
        Rule::bool_lit => "`true` or `false`",
        Rule::none_lit => "`none`",
        Rule::list_lit => "a list `[…]`",
        Rule::map_lit => "a map `{…: …}`",
        Rule::map_entry => "a map entry `key: value`",
        Rule::string_lit | Rule::str_inner => "a string in double quotes",
        Rule::str_escape => "an escape (\\\", \\\\, \\n, \\t, \\{, \\}, \\u{…})",
        Rule::template => "a message template in double quotes",
        Rule::tpl_text => "template text",
        Rule::tpl_hole => "a `{…}` hole",
        Rule::ident => "a name",
        Rule::field_name => "a field name",
        Rule::file => "a policy file",
        Rule::doc_text => "doc text",
        Rule::kw_policy => "`policy`",
        Rule::kw_param => "`param`",
        Rule::kw_rule => "`rule`",
        Rule::kw_metric => "`metric`",
        Rule::kw_test => "`test`",
        Rule::kw_title => "`title`",
        Rule::kw_severity => "`severity`",
        Rule::kw_cite => "`cite`",
        Rule::kw_for => "`for`",
        Rule::kw_in => "`in`",
        Rule::kw_distinct => "`distinct`",
        Rule::kw_let => "`let`",
        Rule::kw_when => "`when`",
        Rule::kw_group => "`group`",
        Rule::kw_by => "`by`",
        Rule::kw_require => "`require`",
        Rule::kw_message => "`message`",
        Rule::kw_dept => "`dept`",
        Rule::kw_key => "`key`",
        Rule::kw_dataset => "`dataset`",
        Rule::kw_per => "`per`",
        Rule::kw_ratio => "`ratio`",
        Rule::kw_target => "`target`",
        Rule::kw_as_of => "`as_of`",
        Rule::kw_expect => "`expect`",
        Rule::kw_no => "`no`",
        Rule::kw_on => "`on`",
        Rule::kw_undetermined => "`undetermined`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_not => "`not`",
        Rule::kw_is => "`is`",
        Rule::kw_none => "`none`",
        Rule::kw_empty => "`empty`",
        Rule::kw_if => "`if`",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_valid_on => "`valid_on`",
        Rule::kw_true => "`true`",
        Rule::kw_false => "`false`",
        Rule::WHITESPACE | Rule::COMMENT => "white space",
        Rule::item => "a policy header, param, rule, metric or test",
        Rule::clause => "a clause (title, severity, cite, for, let, when, group by, require, message, dept, key, dataset, per, ratio, target)",
        Rule::test_stmt => "a test statement (as_of, param, a fixture record, expect)",
        Rule::primary | Rule::call_arg => "an operand",
        Rule::literal => "a literal",
        Rule::ident_char => "a letter or digit",
        Rule::keyword => "a keyword",
    }
}

/// The plain word a keyword-like rule stands for, for "did you mean".
fn keyword_word(rule: Rule) -> Option<&'static str> {
    // (A file starts with its policy header.)
    if rule == Rule::file {
        return Some("policy");
    }
    // The keyword in backquotes: `` `require` ``, ``a `rule` ``, ``a `param` declaration``.
    let d = describe(rule);
    let (_, rest) = d.split_once('`')?;
    let (w, _) = rest.split_once('`')?;
    (!w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic() || c == '_')).then_some(w)
}

/// The word (identifier-like run) that starts at `pos`.
fn word_at(text: &str, pos: usize) -> &str {
    let rest = &text[pos.min(text.len())..];
    let end = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(rest.len(), |(i, _)| i);
    &rest[..end]
}

pub(super) fn syntax_error(err: &Error<Rule>, text: &str) -> PolicyError {
    let (start, end) = match err.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((s, e)) => (s, e),
    };
    let word = word_at(text, start);
    let span = if end > start {
        Span::new(start, end)
    } else if !word.is_empty() {
        Span::new(start, start + word.len())
    } else {
        let next = text[start.min(text.len())..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        Span::new(start, start + next)
    };
    let found = if word.is_empty() {
        text[start.min(text.len())..]
            .chars()
            .next()
            .map_or_else(|| "the end of the file".to_string(), char_name)
    } else {
        format!("`{word}`")
    };
    if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
        if let Some(e) = super::headers::broken_header(text, start, word) {
            return e;
        }
        if let Some(e) = bad_escape(text, start) {
            return e;
        }
        if let Some(e) = unmatched_closer(text, start) {
            return e;
        }
        if let Some(e) = trailing_comma(text, start, word) {
            return e;
        }
        if let Some(e) = misspelt_prefix_keyword(text, start, word, positives) {
            return e;
        }
    }
    match &err.variant {
        ErrorVariant::ParsingError {
            positives,
            negatives,
        } => {
            let mut expected: Vec<&str> = positives.iter().map(|r| describe(*r)).collect();
            clauses_of_the_item(text, start, positives, &mut expected);
            expected.sort_unstable();
            expected.dedup();
            let expected_text = join_or(&expected);
            let mut e = if expected.is_empty() {
                let unexpected: Vec<&str> = negatives.iter().map(|r| describe(*r)).collect();
                PolicyError::new(
                    ErrorCode::Syntax,
                    span,
                    format!("unexpected {}", join_or(&unexpected)),
                )
                .label("not allowed here")
            } else {
                PolicyError::new(
                    ErrorCode::Syntax,
                    span,
                    format!("expected {expected_text}, found {found}"),
                )
                .label(format!("expected {expected_text}"))
            };
            if !word.is_empty() {
                let words: Vec<&str> = positives.iter().filter_map(|r| keyword_word(*r)).collect();
                if let Some(s) = did_you_mean(word, words.iter().copied()) {
                    e = e.help(format!("did you mean `{s}`?"));
                }
            }
            if let Some((open, at)) = unclosed(text, start, word) {
                let close = closer(open);
                e = e
                    .related(
                        Span::new(at, at + 1),
                        format!("this `{open}` is not closed"),
                    )
                    .help(format!("add the `{close}` that closes the `{open}`"));
            }
            if e.help.is_none() {
                let rest = &text[start.min(text.len())..];
                let line = rest.split('\n').next().unwrap_or("");
                let hint = if (line.starts_with('"') && !line[1..].contains('"'))
                    || (rest.starts_with(['\n', '\r']) && string_open_at(text, start))
                {
                    // (A string may not span lines.)
                    Some("this string is not closed: add the closing `\"` on the same line")
                } else if rest.starts_with(['“', '”', '‘', '’', '\'']) {
                    Some("strings are written in straight double quotes: \"…\"")
                } else if rest.starts_with("&&") {
                    Some("write `and`")
                } else if rest.starts_with("||") {
                    Some("write `or`")
                } else if let Some(form) = (rest.starts_with('=') && !rest.starts_with("=="))
                    .then(|| declaration_with_its_equals(text, start))
                    .flatten()
                {
                    // (`param x: int = = 3`: no comparison was meant.)
                    Some(form)
                } else if rest.starts_with('=')
                    && !rest.starts_with("==")
                    && !in_expect_line(text, start)
                {
                    // (In an expectation `=` is no comparison: see below.)
                    Some("compare with `==`")
                } else if rest.starts_with('；') {
                    // (The language has no `;`: a clause ends with its line.)
                    Some("`；` is a full-width semicolon, and yimen has no `;`: a clause ends with its line")
                } else if let Some(wide) = rest.chars().next().filter(|c| "，：（）".contains(*c))
                {
                    // (A full-width mark, the half-width one named.)
                    Some(match wide {
                        '，' => "`，` is a full-width punctuation mark: write it half-width, `,`",
                        '：' => "`：` is a full-width punctuation mark: write it half-width, `:`",
                        '（' => "`（` is a full-width punctuation mark: write it half-width, `(`",
                        _ => "`）` is a full-width punctuation mark: write it half-width, `)` (if it closes a `(`)",
                    })
                } else if rest.starts_with('。') {
                    Some("`。` is the Chinese full stop: a field is read with a half-width `.` (`case.channel`)")
                } else if rest.starts_with('、') {
                    Some("`、` is the Chinese enumeration comma: separate values with a half-width `,`")
                } else {
                    None
                };
                if let Some(h) = hint {
                    e = e.help(h);
                } else if let Some(h) = full_width_hint(rest) {
                    e = e.help(h);
                } else if let Some((at, wide)) = full_width_later_on_line(text, start) {
                    // (`param x：int`: the parser stopped before it, at the
                    // item or the name, whose words are right.)
                    let narrow = half_width(wide);
                    e = e
                        .related(
                            Span::new(at, at + wide.len_utf8()),
                            format!("full-width `{wide}`"),
                        )
                        .help(format!(
                            "`{wide}` is a full-width punctuation mark: write it half-width, `{narrow}`"
                        ));
                }
            }
            if e.help.is_none() && word == "on" && after_expect_no(text, start) {
                e = e.help("`expect no CODE` takes no records: it says the test has no finding of that code at all; `expect CODE on [\"…\"]` names the records it finds, and the findings must then be exactly those");
            }
            if e.help.is_none() && word != "on" && in_expect_line(text, start) {
                e = e.help("an expectation is `expect H001 on [\"C1\"]`, `expect no H001`, `expect undetermined H003 on [\"C5\"]`, or a metric's value: `expect M04 = 2 / 3`, `expect M04 for \"民政局\" = 50% undetermined 1`");
            }
            if e.help.is_none() && text[start.min(text.len())..].starts_with("///") {
                e = e.help("`///` is a doc comment and may stand only before a rule, metric, param, test or policy header; use `//` for a comment");
            }
            e
        }
        // pest's guard of its own stack: the text nests too deeply to parse.
        ErrorVariant::CustomError { message } if message.contains("limit reached") => {
            PolicyError::new(
                ErrorCode::TooDeep,
                span,
                "表达式嵌套过深, 无法解析".to_string(),
            )
            .label("从这里开始嵌套过深")
            .help("拆成几个 let, 或用 `x in [..]` 代替一长串 `or`")
        }
        ErrorVariant::CustomError { message } => {
            PolicyError::new(ErrorCode::Syntax, span, message.clone()).label("here")
        }
    }
}

/// The form of a `param` or `let` whose `=` comes just before byte `at`
/// (`let l = = 3`: a second `=` there is a slip, not a comparison; in
/// `let l = a = 3` it is one, and `None` leaves that hint).
fn declaration_with_its_equals(text: &str, at: usize) -> Option<&'static str> {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..at].trim();
    // Nothing but the declaration before: its one `=` at the end (a
    // comparison before it, `let l = a == = 3`, has another).
    if !before.ends_with('=') || before.matches('=').count() != 1 {
        return None;
    }
    let words: Vec<&str> = before.split_whitespace().collect();
    match words.as_slice() {
        ["param", ..] if before.contains(':') => {
            Some("a parameter's default follows one `=`: `param NAME: TYPE = VALUE`")
        }
        ["let", _, "="] => Some("a `let` takes one `=`: `let NAME = EXPRESSION`"),
        _ => None,
    }
}

/// Whether byte `at` lies after `expect` on an expectation's line.
fn in_expect_line(text: &str, at: usize) -> bool {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..at]
        .trim_start()
        .strip_prefix("expect")
        .is_some_and(|rest| rest.starts_with(char::is_whitespace))
}

/// Whether the line before byte `at` reads `expect no [undetermined] CODE`.
fn after_expect_no(text: &str, at: usize) -> bool {
    let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let words: Vec<&str> = text[line_start..at].split_whitespace().collect();
    matches!(
        words.as_slice(),
        ["expect", "no", _] | ["expect", "no", "undetermined", _]
    )
}

/// The brackets still open at byte `at` of `text` (outermost first, with
/// their offsets), brackets in strings and comments not counted (the `{…}`
/// holes of a message template are code). `on_line(offset, depth)` is
/// called at the start of every line with the number of brackets open there.
pub(super) fn open_brackets(
    text: &str,
    at: usize,
    mut on_line: impl FnMut(usize, usize),
) -> Vec<(char, usize)> {
    #[derive(Clone, Copy)]
    enum Frame {
        Open(char, usize),
        Str,
        /// A `{…}` hole of a message template: code inside a string.
        Hole,
    }
    let at = at.min(text.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut depth = 0usize;
    let mut chars = text[..at].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\n' {
            // (A string does not run past its line.)
            while matches!(stack.last(), Some(Frame::Str | Frame::Hole)) {
                stack.pop();
            }
            on_line(i + 1, depth);
            continue;
        }
        if matches!(stack.last(), Some(Frame::Str)) {
            match c {
                '\\' => {
                    chars.next_if(|&(_, d)| d != '\n');
                }
                '"' => {
                    stack.pop();
                }
                '{' => stack.push(Frame::Hole),
                _ => {}
            }
            continue;
        }
        match c {
            '"' => stack.push(Frame::Str),
            '/' if chars.peek().is_some_and(|&(_, d)| d == '/') => {
                while chars.next_if(|&(_, d)| d != '\n').is_some() {}
            }
            '(' | '[' | '{' => {
                stack.push(Frame::Open(c, i));
                depth += 1;
            }
            '}' if matches!(stack.last(), Some(Frame::Hole)) => {
                stack.pop();
            }
            ')' | ']' | '}' => {
                if matches!(stack.last(), Some(Frame::Open(o, _)) if closer(*o) == c) {
                    stack.pop();
                    depth -= 1;
                }
            }
            _ => {}
        }
    }
    stack
        .iter()
        .filter_map(|f| match f {
            Frame::Open(c, i) => Some((*c, *i)),
            _ => None,
        })
        .collect()
}

/// How a message names a character: in backquotes when it shows, by its
/// code point when it does not (a line break, a no-break space, a
/// zero-width space, a control character), so that no message holds a raw
/// line break or an invisible character between backquotes.
fn char_name(c: char) -> String {
    let name = match c {
        '\n' | '\r' => return "a line break".to_string(),
        '\t' => Some("tab"),
        '\u{0}' => Some("NUL"),
        '\u{A0}' => Some("no-break space"),
        '\u{AD}' => Some("soft hyphen"),
        '\u{200B}' => Some("zero-width space"),
        '\u{200C}' => Some("zero-width non-joiner"),
        '\u{200D}' => Some("zero-width joiner"),
        '\u{2028}' => Some("line separator"),
        '\u{2029}' => Some("paragraph separator"),
        '\u{2060}' => Some("word joiner"),
        '\u{FEFF}' => Some("zero-width no-break space"),
        _ => None,
    };
    let invisible = (c.is_whitespace() && c != ' ')
        || matches!(c, '\u{AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}');
    match name {
        Some(n) => format!("U+{:04X} ({n})", u32::from(c)),
        None if c.is_control() => format!("U+{:04X} (a control character)", u32::from(c)),
        None if invisible => format!("U+{:04X} (an invisible character)", u32::from(c)),
        None => format!("`{c}`"),
    }
}

/// Whether a string (or message template) is open at byte `at`: its line
/// up to `at` holds an unclosed `"`.
fn string_open_at(text: &str, at: usize) -> bool {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut open = false;
    let mut chars = text[line_start..at].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if open => {
                chars.next();
            }
            '"' => open = !open,
            '/' if !open && chars.as_str().starts_with('/') => return false,
            _ => {}
        }
    }
    open
}

/// An unknown escape (`"\q"`) where the parser stops: at the string's
/// opening quote, or at the backslash in a template.
fn bad_escape(text: &str, at: usize) -> Option<PolicyError> {
    let rest = text.get(at..)?;
    let line = rest.split(['\n', '\r']).next().unwrap_or("");
    let (from, body) = if let Some(b) = line.strip_prefix('"') {
        (at + 1, b)
    } else if line.starts_with('\\') && string_open_at(text, at) {
        (at, line)
    } else {
        return None;
    };
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return None,
            '\\' => {
                let after = &body[i + 1..];
                let len = escape_len(after)?;
                if len > 0 {
                    for _ in after[..len].chars() {
                        chars.next();
                    }
                    continue;
                }
                let shown: String = after.chars().take(1).collect();
                let span = Span::new(from + i, from + i + 1 + shown.len());
                let what = after.chars().next().map_or_else(
                    || "a backslash at the end of the line".to_string(),
                    |c| {
                        if c.is_control() || c.is_whitespace() {
                            format!("a backslash before {}", char_name(c))
                        } else {
                            format!("`\\{c}`")
                        }
                    },
                );
                return Some(
                    PolicyError::new(ErrorCode::Syntax, span, format!("unknown escape {what}"))
                        .label("not an escape")
                        .help("the escapes are \\\", \\\\, \\n, \\t, \\{, \\} and \\u{…}; write `\\\\` for a backslash"),
                );
            }
            _ => {}
        }
    }
    None
}

/// The length of a known escape after its backslash (`n`, `u{3000}`), 0 for
/// an unknown one; `None` at the end of the text.
fn escape_len(after: &str) -> Option<usize> {
    let c = after.chars().next()?;
    Some(match c {
        '"' | '\\' | 'n' | 't' | '{' | '}' => 1,
        'u' => {
            let hex = after
                .strip_prefix("u{")
                .map(|h| h.chars().take_while(char::is_ascii_hexdigit).count());
            match hex {
                Some(n @ 1..=6) if after[2 + n..].starts_with('}') => 3 + n,
                _ => 0,
            }
        }
        _ => 0,
    })
}

/// A closing bracket with no opening one before it (`require (a))`).
fn unmatched_closer(text: &str, at: usize) -> Option<PolicyError> {
    let c = text.get(at..)?.chars().next()?;
    if !matches!(c, ')' | ']' | '}') {
        return None;
    }
    let open = open_brackets(text, at, |_, _| {});
    if open.iter().any(|&(o, _)| closer(o) == c) {
        return None;
    }
    let opener = match c {
        ')' => '(',
        ']' => '[',
        _ => '{',
    };
    Some(
        PolicyError::new(
            ErrorCode::Syntax,
            Span::new(at, at + 1),
            format!("unmatched `{c}`"),
        )
        .label(format!("no `{opener}` is open here"))
        .help(format!(
            "remove this `{c}`, or add the `{opener}` it closes"
        )),
    )
}

/// The words that start a clause or a test statement.
const CLAUSE_WORDS: [&str; 18] = [
    "title", "severity", "cite", "for", "let", "when", "group", "require", "message", "dept",
    "key", "dataset", "per", "ratio", "target", "as_of", "expect", "param",
];

/// Whether the line holding byte `at` starts, before `at`, with nothing or
/// with a clause's keyword alone (`for ` in `for case in cases`), where
/// the error lies at `word`.
fn at_clause_start(text: &str, at: usize, word: &str) -> Option<usize> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let head = text[line_start..at].trim();
    let clause = if head.is_empty() {
        CLAUSE_WORDS.contains(&word)
    } else {
        CLAUSE_WORDS.contains(&head)
    };
    clause.then_some(line_start)
}

/// A comma at the end of a line before a clause (`cite a "一、",⏎for …`):
/// the error is the comma, not the clause.
fn trailing_comma(text: &str, at: usize, word: &str) -> Option<PolicyError> {
    let line_start = at_clause_start(text, at.min(text.len()), word)?;
    let before = text[..line_start].trim_end();
    if !before.ends_with(',') || string_open_at(text, before.len()) {
        return None;
    }
    let comma = before.len() - 1;
    // (Within a clause of an item, not in a record or list left open.)
    if open_brackets(text, comma, |_, _| {}).len() > 1 {
        return None;
    }
    Some(
        PolicyError::new(
            ErrorCode::Syntax,
            Span::new(comma, comma + 1),
            "a comma with nothing after it",
        )
        .label("remove this comma")
        .help("a comma separates two items of a list; after the last one there is none"),
    )
}

/// A misspelt `not` or `if` before an operand (`require nto case.joint`):
/// the parser took it for a name and stops at the operand after it.
fn misspelt_prefix_keyword(
    text: &str,
    at: usize,
    word: &str,
    positives: &[Rule],
) -> Option<PolicyError> {
    if word.is_empty()
        || !positives
            .iter()
            .any(|r| matches!(r, Rule::mul_op | Rule::kw_and))
    {
        return None;
    }
    let before = &text[..at];
    let gap = before.len() - before.trim_end_matches([' ', '\t']).len();
    if gap == 0 {
        return None;
    }
    let end = at - gap;
    let prev_start = before[..end]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric() || c == '_')
        .last()
        .map(|(i, _)| i)?;
    let prev = &before[prev_start..end];
    if before[..prev_start].ends_with('.')
        || prev.chars().next().is_some_and(|c| c.is_ascii_digit())
    {
        return None;
    }
    let s = did_you_mean(prev, ["not", "if"])?;
    Some(
        PolicyError::new(
            ErrorCode::Syntax,
            Span::new(prev_start, end),
            format!("unknown word `{prev}` before `{word}`"),
        )
        .label("not a keyword")
        .help(format!("did you mean `{s}`?")),
    )
}

/// The opening bracket left unclosed where a syntax error is found, when
/// the error looks like its consequence: the text ends, a different closing
/// bracket comes, or a new top-level item starts while a bracket is open.
/// Strings and `//` comments are skipped.
fn unclosed(text: &str, at: usize, word: &str) -> Option<(char, usize)> {
    let at = at.min(text.len());
    let open = open_brackets(text, at, |_, _| {});
    let &(top, _) = open.last()?;
    let next = text[at..].chars().next();
    let consequence = match next {
        None => true,
        Some(c @ (')' | ']' | '}')) => c != closer(top),
        _ => {
            matches!(word, "rule" | "metric" | "test" | "param" | "policy")
                // (A clause's keyword at the start of a line, inside a
                // parenthesis or a list: the clause before it is unfinished.)
                || (matches!(top, '(' | '[')
                    && text[..at].rfind('\n').is_some_and(|i| text[i + 1..at].trim().is_empty())
                    && CLAUSE_WORDS.contains(&word))
        }
    };
    consequence.then(|| *open.last().unwrap_or(&(top, 0)))
}

/// The bracket that closes `open` (`(`, `[` or `{`).
fn closer(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The first full-width form of an ASCII punctuation mark (`：`, `，`,
/// `｛`; not a digit or letter) on the line of byte `start`, after it,
/// outside double-quoted strings and before a `//` comment (Chinese
/// comments are full of them): where an IME's punctuation broke a line the
/// parser gave up on earlier.
fn full_width_later_on_line(text: &str, start: usize) -> Option<(usize, char)> {
    let start = start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text[line_start..line_end].char_indices() {
        let at = line_start + i;
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        } else if c == '/' && text[at..].starts_with("//") {
            return None;
        } else if at >= start
            && ('\u{FF01}'..='\u{FF5E}').contains(&c)
            && !half_width(c).is_ascii_alphanumeric()
        {
            return Some((at, c));
        }
    }
    None
}

/// The half-width form of a full-width ASCII sign (`：` → `:`).
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        c => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
    }
}

/// For text that starts with full-width forms of ASCII signs (`！=`,
/// `＞＝`, `［`), the half-width text to write instead.
fn full_width_hint(rest: &str) -> Option<String> {
    let wide: String = rest
        .chars()
        .take_while(|c| ('\u{FF01}'..='\u{FF5E}').contains(c) || *c == '\u{3000}')
        .take(3)
        .collect();
    if wide.is_empty() {
        return None;
    }
    let narrow: String = wide.chars().map(half_width).collect();
    Some(format!(
        "`{wide}` is written with full-width characters: write it half-width, `{narrow}`"
    ))
}
