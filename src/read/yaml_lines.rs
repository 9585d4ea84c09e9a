//! The line each record of a YAML list starts on, so that a YAML record's
//! row is a line a text editor shows, as a CSV's and a JSON Lines file's
//! are (a record's position in its list named line 24 while it began on
//! line 346).
//!
//! Only block sequences are found, one item marker (`- `) a record at the
//! list's own indentation: the document's top-level list, or the list under
//! a top-level key (`cases:` then `  - 办件编号: …`). Where the markers found
//! are not one per record (a flow list `[…]`, JSON, a marker inside a block
//! scalar), the records keep their positions in the list.

/// The 1-based line each of the `n` items of the list starts on: the
/// document's list (`key` `None`) or the one under top-level `key`; `None`
/// when its item markers are not exactly `n`.
pub(super) fn item_lines(text: &str, key: Option<&str>, n: usize) -> Option<Vec<u32>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let mut at = match key {
        None => 0,
        Some(k) => lines.iter().position(|l| is_key_line(l, k))? + 1,
    };
    // The list's first line holding anything: its first item's marker.
    while at < lines.len() && is_blank(lines[at]) {
        at += 1;
    }
    let first = lines.get(at)?;
    let indent = first.len() - first.trim_start_matches(' ').len();
    if !is_marker(&first[indent..]) || (key.is_none() && indent > 0) {
        return None;
    }
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(at) {
        if is_blank(line) {
            continue;
        }
        let own = line.len() - line.trim_start_matches(' ').len();
        if own < indent || (own == indent && !is_marker(&line[own..])) {
            // Past the list (the next top-level key, a document end).
            break;
        }
        if own == indent {
            found.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
        }
    }
    (found.len() == n).then_some(found)
}

/// A line with nothing but spaces or a comment, or a document start.
fn is_blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#') || t == "---"
}

/// A block sequence's item marker: `-` alone or before a space.
fn is_marker(rest: &str) -> bool {
    rest == "-" || rest.starts_with("- ") || rest.starts_with("-\t")
}

/// A top-level key `k` with its value on the lines below (`k:`, `"k":`,
/// `'k':`, a comment after it allowed).
fn is_key_line(line: &str, k: &str) -> bool {
    let rest = [format!("{k}:"), format!("\"{k}\":"), format!("'{k}':")]
        .into_iter()
        .find_map(|p| line.strip_prefix(p.as_str()).map(str::to_string));
    rest.is_some_and(|r| {
        let r = r.trim();
        r.is_empty() || r.starts_with('#')
    })
}

#[cfg(test)]
mod tests {
    use super::item_lines;

    #[test]
    fn block_items_start_on_their_markers_lines() {
        let text = "# 办件\n---\n- 办件编号: C1\n  事项编码: A1\n\n- 办件编号: C2\n  事项编码: |\n    - 不是记录\n- {办件编号: C3}\n";
        assert_eq!(item_lines(text, None, 3), Some(vec![3, 6, 9]));
        let keyed = "说明: 导出\ncases:\n  - 办件编号: C1\n    事项编码: A1\n  - 办件编号: C2\nfees:\n  - 收费流水号: F1\n";
        assert_eq!(item_lines(keyed, Some("cases"), 2), Some(vec![3, 5]));
        assert_eq!(item_lines(keyed, Some("fees"), 1), Some(vec![7]));
    }

    #[test]
    fn other_layouts_keep_positions() {
        // A flow list, JSON, a count that does not agree: no lines.
        assert_eq!(item_lines("[{a: 1}, {a: 2}]\n", None, 2), None);
        assert_eq!(
            item_lines("{\"cases\": [\n  {\"a\": 1}\n]}\n", Some("cases"), 1),
            None
        );
        assert_eq!(item_lines("- a: 1\n- a: 2\n", None, 3), None);
        assert_eq!(item_lines("cases: [{a: 1}]\n", Some("cases"), 1), None);
    }
}
