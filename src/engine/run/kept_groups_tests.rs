//! A worker's kept groups: found again by a later chunk's keys, one per
//! string identity until folded by content, bounded.

use super::{KeptGroups, MAX_KEPT};
use crate::engine::fast::BKey;
use crate::engine::index::Key;
use crate::engine::run::{GroupAcc, Partial};
use crate::text::Text;

fn group(at: u32) -> GroupAcc {
    let mut g = GroupAcc::new(Vec::new(), (0, at), &[]);
    g.add_record((0, at), Some(true));
    g
}

/// (records, first place) of each folded group, by key.
fn folded(kept: KeptGroups) -> Vec<(Vec<Key>, u64, (u32, u32))> {
    let mut p = Partial {
        groups: vec![rustc_hash::FxHashMap::default()],
        ..Partial::default()
    };
    kept.fold_into(&mut p);
    let mut out: Vec<(Vec<Key>, u64, (u32, u32))> = p.groups[0]
        .iter()
        .map(|(k, g)| (k.clone(), g.evidence_rows(false).1, g.keys_at))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn a_later_chunk_finds_its_group_by_the_same_string() {
    let mut kept = KeptGroups::new(1);
    let dept = Text::from("区民政局");
    let first = [BKey::Str(&dept), BKey::Int(7)];
    let g = kept.find_or_make(0, &first, || group(2));
    kept.at(0, g).add_record((0, 2), Some(true));
    // The next chunk: another record holding the same string.
    let again = dept.clone();
    let later = [BKey::Str(&again), BKey::Int(7)];
    assert_eq!(kept.find(0, &later), Some(g));
    assert!(kept.has_key(0, g, &later));
    // Another key value, another group.
    assert_eq!(kept.find(0, &[BKey::Str(&dept), BKey::Int(8)]), None);
    // Another string of the same text is kept apart (found by identity)
    // and folded into the same group by content.
    let copy = Text::from("区民政局");
    let other = [BKey::Str(&copy), BKey::Int(7)];
    assert_eq!(kept.find(0, &other), None);
    let h = kept.find_or_make(0, &other, || group(1));
    assert_ne!(g, h);
    assert!(kept.has_key(0, h, &later), "the same key by content");
    let key = vec![Key::text(&dept), Key::Int(7)];
    // Three records, the first at row 1 (the copy's).
    assert_eq!(folded(kept), vec![(key, 3, (0, 1))]);
}

#[test]
fn past_the_bound_a_rule_s_groups_are_folded_and_its_places_forgotten() {
    let mut kept = KeptGroups::new(1);
    let texts: Vec<Text> = (0..=MAX_KEPT).map(|_| Text::from("同一事项")).collect();
    for (i, t) in texts.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        kept.find_or_make(0, &[BKey::Str(t)], || group(i));
    }
    kept.places(0).push(1);
    kept.bound();
    assert!(kept.places(0).is_empty());
    assert_eq!(kept.find(0, &[BKey::Str(&texts[0])]), None);
    // Every string of the one text: one group, every record, the first place.
    let n = MAX_KEPT as u64 + 1;
    assert_eq!(folded(kept), vec![(vec![Key::text(&texts[0])], n, (0, 0))]);
}

#[test]
fn below_the_bound_nothing_is_folded() {
    let mut kept = KeptGroups::new(1);
    let t = Text::from("区住建局");
    let g = kept.find_or_make(0, &[BKey::Str(&t)], || group(0));
    kept.places(0).push(u32::try_from(g + 1).unwrap_or(0));
    kept.bound();
    assert_eq!(kept.find(0, &[BKey::Str(&t)]), Some(g));
    assert_eq!(kept.places(0).as_slice(), [1]);
}
