//! A metric's counts by key: each key keeps its own, however the table of
//! recent keys shares its slots.

use crate::text::Text;

use chrono::NaiveDate;

use super::MetricCounts;
use crate::engine::fast::BKey;

#[test]
fn every_key_keeps_its_own_counts_past_the_table_of_recent_keys() {
    // 300 departments, more than the table has slots (their addresses
    // share slots), a record without a department, and a key that is no
    // text.
    let texts: Vec<Text> = (0..300).map(|i| Text::from(format!("部门{i}"))).collect();
    let day = NaiveDate::from_ymd_opt(2025, 1, 1).expect("a date");
    let (none, date) = (texts.len(), texts.len() + 1);
    let mut counts = MetricCounts::default();
    let mut expected = vec![0u64; texts.len() + 2];
    let mut x: u64 = 7;
    for _ in 0..20_000 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        // (One key more often than the others, as departments are.)
        let k = if x % 7 == 0 {
            3
        } else {
            (x >> 33) as usize % (texts.len() + 2)
        };
        let key = match k {
            k if k == none => None,
            k if k == date => Some(BKey::Date(day)),
            i => Some(BKey::Str(&texts[i])),
        };
        let acc = counts.of(key, (0, 0));
        acc.denominator += 1;
        acc.numerator += u64::from(k % 2 == 0);
        expected[k] += 1;
    }
    let mut seen = vec![false; expected.len()];
    for (key, acc) in counts.into_counts() {
        let k = match key {
            None => none,
            Some(BKey::Date(_)) => date,
            Some(BKey::Str(s)) => texts
                .iter()
                .position(|t| Text::ptr_eq(t, s))
                .expect("one of the texts"),
            Some(other) => panic!("a key never counted: {other:?}"),
        };
        assert!(!seen[k], "key {k} counted in two places");
        seen[k] = true;
        assert_eq!(acc.denominator, expected[k], "key {k}");
        let odd = k % 2 == 1;
        assert_eq!(acc.numerator, if odd { 0 } else { expected[k] }, "key {k}");
    }
    let counted = expected.iter().filter(|&&n| n > 0).count();
    assert_eq!(seen.iter().filter(|&&s| s).count(), counted);
}

#[test]
fn the_same_text_in_two_strings_is_two_keys_until_the_chunk_is_folded() {
    // Keys are told apart by their strings here (as the map of the keys
    // is): the fold at the chunk's end makes them one by content.
    let a: Text = Text::from("人社局");
    let b: Text = Text::from("人社局");
    let mut counts = MetricCounts::default();
    counts.of(Some(BKey::Str(&a)), (0, 2)).denominator += 1;
    counts.of(Some(BKey::Str(&b)), (0, 3)).denominator += 2;
    counts.of(Some(BKey::Str(&a)), (0, 4)).denominator += 4;
    let got: Vec<u64> = counts
        .into_counts()
        .map(|(_, acc)| acc.denominator)
        .collect();
    assert_eq!(got, vec![5, 2]);
}

#[test]
fn a_key_keeps_the_text_of_its_earliest_record() {
    // A chunk's records come in row order: a key's counts note the record
    // that made them, and folding two chunks' counts keeps the earlier.
    let a: Text = Text::from("民政局（本级）");
    let b: Text = Text::from("民政局(本级)");
    let mut later = MetricCounts::default();
    later.of(Some(BKey::Str(&b)), (1, 2)).denominator += 1;
    later.of(Some(BKey::Str(&b)), (1, 9)).denominator += 1;
    let mut earlier = MetricCounts::default();
    earlier.of(Some(BKey::Str(&a)), (0, 7)).denominator += 1;
    earlier.of(Some(BKey::Str(&a)), (0, 8)).denominator += 1;
    let (_, mut folded) = later.into_counts().next().unwrap();
    assert_eq!(folded.first.as_ref().map(|(at, _)| *at), Some((1, 2)));
    let (_, first) = earlier.into_counts().next().unwrap();
    folded.absorb(&first);
    let got = folded.first.map(|(at, t)| (at, t.to_string()));
    assert_eq!(got, Some(((0, 7), "民政局（本级）".to_string())));
    assert_eq!(folded.denominator, 4);
}

/// A text key's entry in the table of recent keys: one address gives one
/// entry and no other (none is the empty entry's 0); strings one after
/// another (within 4 KiB) take slots one after another, and strings a multiple of 4 KiB
/// apart (one allocator page's departments) take different slots, where
/// the address alone gave them one.
#[test]
fn recent_keys_of_strings_pages_apart_take_different_slots() {
    use super::{recent_key, RECENT};
    use crate::engine::fast::address_slot;
    let base = 0x0200_0092_7990_usize;
    let slot = |a: usize| address_slot(recent_key(a), RECENT);
    // (Unfolded, 8 KiB apart: one slot.)
    assert_eq!(
        address_slot(base, RECENT),
        address_slot(base + 0x2000, RECENT)
    );
    for k in 1..16 {
        assert_ne!(slot(base), slot(base + k * 0x1000), "{k} pages apart");
    }
    // (The 256 grains of one 4 KiB window.)
    let window = base & !0xfff;
    let run: std::collections::HashSet<usize> =
        (0..RECENT).map(|i| slot(window + 16 * i)).collect();
    assert_eq!(run.len(), RECENT, "a run of strings fills every slot");
    let keys: std::collections::HashSet<usize> =
        (1..100_000).map(|i| recent_key(base + 16 * i)).collect();
    assert_eq!(keys.len(), 99_999);
    assert!(!keys.contains(&0));
}
