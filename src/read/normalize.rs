//! Text normalisation for matching: full-width → half-width, stray
//! whitespace (incl. NBSP, the ideographic space and zero-width characters),
//! and the small glob matcher for file-name patterns.
//!
//! Invariant: every function here is total (no panics) and returns borrowed
//! text when nothing changes, so the hot path of cell parsing allocates
//! nothing for clean ASCII cells.

use std::borrow::Cow;

/// Characters that are whitespace for an export (Rust's `White_Space`
/// includes NBSP and U+3000) plus zero-width ones that Excel and web
/// forms leave behind.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}')
}

/// Trims export whitespace at both ends. Always inlined, the trimming out
/// of line: it runs on every cell and its first test decides almost all of
/// them (left to the inliner, whether the cell parsers inlined it changed
/// with unrelated code, by 0.1k instructions a case).
#[allow(
    clippy::inline_always,
    reason = "measured: left to the inliner, the cell parsers stopped inlining it when unrelated code changed"
)]
#[inline(always)]
pub fn trim(s: &str) -> &str {
    // Most cells need nothing: look at the two ends first, by their bytes
    // where that decides.
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return s;
    };
    if plain_start(first) && plain_end(s, last) {
        return s;
    }
    trim_spaces(s)
}

#[inline(never)]
fn trim_spaces(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// A text starting with byte `a` does not start with a space: an ASCII
/// byte that is not whitespace, or the lead byte of a character that no
/// space character has (spaces beyond ASCII start with C2, E1, E2, E3 or EF).
#[allow(
    clippy::inline_always,
    reason = "measured: left to the inliner, the cell parsers stopped inlining it when unrelated code changed"
)]
#[inline(always)]
pub(crate) fn plain_start(a: u8) -> bool {
    if a.is_ascii() {
        return !matches!(a, b' ' | b'\t'..=b'\r');
    }
    !matches!(a, 0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF)
}

/// `s`, whose last byte is `z`, does not end with a space.
#[allow(
    clippy::inline_always,
    reason = "measured: left to the inliner, the cell parsers stopped inlining it when unrelated code changed"
)]
#[inline(always)]
fn plain_end(s: &str, z: u8) -> bool {
    if z.is_ascii() {
        return !matches!(z, b' ' | b'\t'..=b'\r');
    }
    s.chars().next_back().is_some_and(|c| !is_space(c))
}

/// Maps one full-width character to its half-width form (`（` → `(`,
/// `１` → `1`, `Ａ` → `A`, U+3000 → space); others unchanged.
pub fn half_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Whether [`value`] may change `s`: only a space or a full-width form
/// does, that is ASCII whitespace or a character whose lead byte spaces and
/// full-width forms have (not the E4..E9 of Chinese characters).
#[inline]
fn may_change(s: &str) -> bool {
    /// The bytes that may start a change, as a table (one load per byte).
    const MAY: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 256 {
            t[b] = matches!(
                b as u8,
                b'\t'..=b'\r' | b' ' | 0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF
            );
            b += 1;
        }
        t
    };
    s.bytes().any(|b| MAY[usize::from(b)])
}

/// Trimmed; a text with anything beyond ASCII also gets half-width forms
/// and its inner whitespace runs as one space, or none between two Chinese
/// characters or between one and a bracket (where a space is never meant). For values: `２０２５年３月１日`
/// → `2025年3月1日`, `（一）` → `(一)`, `区\u{a0}民政局` → `区民政局`,
/// `John\u{a0}\u{a0}Smith 张三` → `John Smith 张三`. Borrowed when nothing
/// changes.
#[inline]
pub fn value(s: &str) -> Cow<'_, str> {
    // ASCII (ids, codes) is only trimmed; `is_ascii` reads a word at a time.
    // (That test inlined where the value is asked for, the rest called: the
    // repeated-key check asks it of every case id.)
    if s.is_ascii() {
        return Cow::Borrowed(trim(s));
    }
    beyond_ascii(s)
}

/// [`value`] of a text with a byte beyond ASCII.
#[inline(never)]
fn beyond_ascii(s: &str) -> Cow<'_, str> {
    if !may_change(s) {
        return Cow::Borrowed(s);
    }
    let t = trim(s);
    if t.is_ascii() {
        // Pure ASCII is kept as it is, inner spaces and all.
        return Cow::Borrowed(t);
    }
    let needs = t.chars().any(|c| half_width(c) != c || is_space(c));
    if !needs {
        return Cow::Borrowed(t);
    }
    let chinese = |c: char| !c.is_ascii() && !is_space(c);
    let mut out = String::with_capacity(t.len());
    let mut space = false;
    for c in t.chars() {
        let h = half_width(c);
        if is_space(h) {
            space = true;
            continue;
        }
        // A run of spaces becomes one, unless Chinese text is on both sides
        // or on one side with a bracket on the other (`卫健局 (x)`).
        let glued = |c: char| chinese(c) || matches!(c, '(' | ')' | '[' | ']');
        let before = out.chars().next_back();
        let dropped =
            before.is_some_and(glued) && glued(h) && (before.is_some_and(chinese) || chinese(h));
        if space && !dropped {
            out.push(' ');
        }
        space = false;
        out.push(h);
    }
    Cow::Owned(out)
}

/// The matching key of a header or an enum value: half-width forms, no
/// whitespace at all, ASCII lower-case, and the `*` that templates put on
/// required columns removed. `投资额（万元）` and `投资额(万元)` meet here.
pub fn key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let h = half_width(c);
        if is_space(h) || h == '*' {
            continue;
        }
        out.push(h.to_ascii_lowercase());
    }
    out
}

/// Whether `name` matches a glob `pattern` with `*` (any run of characters)
/// and `?` (one character), ASCII case-insensitively.
pub fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
    let n: Vec<char> = name.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Iterative wildcard matching with one backtrack point (linear enough
    // for file names).
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_spaces() {
        assert_eq!(value(" ２０２５年３月１日\u{a0}"), "2025年3月1日");
        assert_eq!(value("区住建局（人防办）"), "区住建局(人防办)");
        assert_eq!(value("Ａ１"), "A1");
        assert_eq!(value("区\u{a0}民政局"), "区民政局");
        assert_eq!(value("区 \u{3000} 民政局"), "区民政局");
        assert_eq!(value("2025年3月1日\u{a0}\u{a0}9:30"), "2025年3月1日 9:30");
        assert_eq!(value("John\u{a0}\u{a0}Smith 张三"), "John Smith 张三");
        assert_eq!(value("身份证, 户口本"), "身份证, 户口本");
        assert_eq!(value("卫健局 （疾控）"), "卫健局(疾控)");
        assert_eq!(value("( 人防办 ) 住建局"), "(人防办)住建局");
        assert_eq!(value("John (张三)"), "John (张三)");
        assert_eq!(key("投资额（万元）"), "投资额(万元)");
        assert_eq!(key(" *事项\u{3000}名称 "), "事项名称");
        assert_eq!(key("ID"), "id");
    }

    #[test]
    fn trim_by_bytes_is_trim_by_characters() {
        // Every space character's lead byte is one `plain_start` refuses.
        for c in (0..=0x10_FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_space(c))
        {
            let mut buf = [0u8; 4];
            let lead = c.encode_utf8(&mut buf).as_bytes()[0];
            assert!(!plain_start(lead), "{c:?}");
        }
        for t in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{3000}区住建局",
            "区住建局\u{3000}",
            "区住建局",
            "\u{a0}x\u{a0}",
            "x\u{feff}",
            "\u{200b}",
            "\t1\r",
            "中心窗口",
            "\u{3001}",
            "\u{2029}a",
            "a\u{85}",
            "\u{1680}",
            "\u{205f}b",
        ] {
            assert_eq!(trim(t), t.trim_matches(is_space), "{t:?}");
        }
    }

    #[test]
    fn globs() {
        assert!(glob("*办件*", "2025年办件记录.csv"));
        assert!(glob("*case*", "Cases.CSV"));
        assert!(!glob("*收费*", "办件.csv"));
        assert!(glob("exports/*.csv", "exports/a.csv"));
        assert!(glob("a?c", "abc"));
    }
}
