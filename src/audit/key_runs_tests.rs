use super::*;

/// A run of `keys` (rows from 2 unless `rows` says), or `None` where they
/// do not rise.
fn run_of(keys: &[&str], rows: Option<&[u32]>) -> Option<Span> {
    let mut b = RunBuilder::new(keys.len());
    for (i, k) in keys.iter().enumerate() {
        let row = rows.map_or(i as u32 + 2, |r| r[i]);
        if !b.push(k.as_bytes(), row) {
            return None;
        }
    }
    b.finish(7)
}

#[test]
fn a_run_hashes_its_keys_as_the_chunk_would_with_their_rows() {
    let keys = [
        "H",
        "GB",
        "GA3",
        "GA20250000009",
        "GA20250000010",
        "GA202500000100",
    ];
    let span = run_of(&keys, None).expect("rising");
    assert_eq!(&*span.low, b"H");
    assert_eq!(span.high.as_deref(), Some(&b"GA202500000100"[..]));
    let run = span.run.expect("a run");
    assert_eq!(run.file, 7);
    let want: Vec<(u64, u32)> = keys
        .iter()
        .zip(2..)
        .map(|(k, r)| (key_hash(k.as_bytes()), r))
        .collect();
    assert_eq!(run.hashed(), want);
    // Front-coded: each key its two lengths and what it does not share
    // with the key before (`H`, `GB`, `A3`, `20250000009`, `10`, `0`).
    assert_eq!(
        run.coded.len(),
        (2 + 1) + (2 + 2) + (2 + 2) + (2 + 11) + (2 + 2) + (2 + 1)
    );
}

#[test]
fn rows_that_skip_are_listed() {
    let span = run_of(&["A", "B", "C", "D"], Some(&[2, 3, 5, 6])).expect("rising");
    let hashed = span.run.expect("a run").hashed();
    let rows: Vec<u32> = hashed.iter().map(|&(_, r)| r).collect();
    assert_eq!(rows, [2, 3, 5, 6]);
}

#[test]
fn keys_that_repeat_or_fall_or_are_too_long_make_no_run() {
    assert!(run_of(&["A", "B", "B"], None).is_none(), "a repeat");
    assert!(run_of(&["AB", "A"], None).is_none(), "shorter after");
    assert!(run_of(&["B", "A"], None).is_none(), "falling");
    assert!(
        run_of(&["A9", "A10", "B1"], None).is_none(),
        "shorter after"
    );
    assert!(
        run_of(&["A9", "B1", "A10", "A11"], None).is_some(),
        "shorter first"
    );
    assert!(run_of(&["A1234567890", "A1234567890"], None).is_none());
    let long = "K".repeat(256);
    assert!(
        run_of(&["A", &long], None).is_none(),
        "longer than a byte codes"
    );
    assert!(run_of(&["A", &"K".repeat(255)], None).is_some());
    assert!(run_of(&[], None).is_none(), "no key, no span");
}

/// Rising keys that share little with each other (time-ordered random ids)
/// would take more to keep as a run than as hashes: the chunk is hashed.
#[test]
fn rising_keys_that_share_little_make_no_run() {
    // A key's tail from its number, scrambled (a multiplicative hash).
    let tail = |i: u64| format!("{:016x}", i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let uuid_like: Vec<String> = (0..100)
        .map(|i| format!("0189{i:04x}-{}", tail(i)))
        .collect();
    let keys: Vec<&str> = uuid_like.iter().map(String::as_str).collect();
    assert!(
        run_of(&keys[..10], None).is_some(),
        "within the first key's allowance"
    );
    assert!(run_of(&keys, None).is_none());
    // Case ids in order keep two or three bytes each.
    let ids: Vec<String> = (0..4096).map(|i| format!("GA2025{i:07}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let run = run_of(&ids, None).expect("a run").run.expect("a run");
    assert!(
        run.coded.len() <= 4 * ids.len(),
        "{} bytes",
        run.coded.len()
    );
}

#[test]
fn the_shared_prefix_is_found_eight_bytes_at_a_time_and_byte_by_byte() {
    for (a, b, n) in [
        ("", "", 0),
        ("GA20250000001", "GA20250000002", 12),
        ("GA2025000", "GA2025001", 8),
        ("GA20250", "GA20251", 6),
        ("ABCDEFGHIJ", "ABCDEFGHIJKL", 10),
        ("XBCDEFGHIJ", "ABCDEFGHIJ", 0),
        ("GA20250000001", "GA20250000001", 13),
        ("GA2025000X001", "GA2025000Y001", 9),
        ("GA2025000000X", "GA2025000000Y", 12),
    ] {
        assert_eq!(shared_prefix(a.as_bytes(), b.as_bytes()), n, "{a} {b}");
    }
    // Every place of a first difference, in keys of every length to 20
    // (the last eight bytes read again past the first eight), against a
    // count byte by byte.
    for len in 0..=20 {
        for at in 0..=len {
            let a: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let mut b = a.clone();
            if at < len {
                b[at] = b'#';
            }
            for (x, y) in [(&a, &b), (&b, &a), (&a, &a)] {
                let naive = x.iter().zip(y.iter()).take_while(|(p, q)| p == q).count();
                assert_eq!(shared_prefix(x, y), naive, "{len} {at}");
                let shorter = &y[..y.len().saturating_sub(3)];
                let naive = x.iter().zip(shorter).take_while(|(p, q)| p == q).count();
                assert_eq!(shared_prefix(x, shorter), naive, "{len} {at} shorter");
            }
        }
    }
}

fn span(low: &str, high: Option<&str>) -> Span {
    Span {
        low: low.as_bytes().into(),
        high: high.map(|h| h.as_bytes().into()),
        run: None,
    }
}

#[test]
fn spans_that_touch_or_are_linked_overlap_and_the_others_not() {
    let spans = || {
        vec![
            span("A", Some("C")),
            span("D", Some("F")),
            // Shares F with the one before.
            span("F", Some("G")),
            span("H", Some("I")),
            // Linked to the one above through the next.
            span("K", Some("M")),
            span("L", Some("P")),
            span("O", Some("O")),
            span("Q", Some("R")),
        ]
    };
    assert_eq!(overlapping(&spans()), [1, 2, 4, 5, 6]);
    // A span with keys of another kind spans every key after its low.
    let mut with_other = spans();
    with_other.push(span("", None));
    assert_eq!(overlapping(&with_other), (0..9).collect::<Vec<_>>());
    assert!(overlapping(&[span("A", Some("Z"))]).is_empty());
}

#[test]
fn bounds_are_the_lowest_and_highest_key_in_the_runs_order() {
    let mut b = Bounds::default();
    assert!(Bounds::default().span().is_none());
    for k in ["GA5", "GA10", "GA4", "GB1", "GA3"] {
        b.widen(k.as_bytes());
    }
    let span = b.span().expect("keys taken");
    assert_eq!(&*span.low, b"GA3");
    assert_eq!(span.high.as_deref(), Some(&b"GA10"[..]));
    assert!(span.run.is_none());
}
