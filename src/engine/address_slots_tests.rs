use super::*;

/// More texts than [`TextsMet`] has slots, each met twice: every answer is
/// [`text_eq`]'s, where texts share slots (one taking another's) and where
/// a text equals the guard's only in its matching form (full-width, inner
/// spaces) or is another string of the same text.
#[test]
fn texts_met_are_answered_as_text_eq_would_though_they_share_slots() {
    let guard = crate::text::intern("A1");
    let mut texts: Vec<Text> = ["Ａ1", "A１", "A 1", "A1", "a1", "A1 号"]
        .into_iter()
        .map(Text::from)
        .collect();
    texts.extend((0..40).map(|i| Text::from(format!("B{i}").as_str())));
    texts.push(guard.clone());
    let mut met = TextsMet::default();
    for round in 0..2 {
        for t in &texts {
            assert_eq!(
                met.equal(t, &guard),
                text_eq(t, &guard),
                "round {round}: {t:?}"
            );
        }
    }
    // (Some equal the guard's text, some do not: both answers are given.)
    let equal = texts.iter().filter(|t| text_eq(t, &guard)).count();
    assert!(equal >= 3 && equal < texts.len() - 40, "{equal}");
}
