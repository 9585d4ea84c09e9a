//! The words `ident` refuses are exactly the `kw_*` rules' words: the
//! grammar writes them twice (`keyword` spells them out, for speed).

use pest::Parser;

use super::{Rule, YimenParser};

/// Whether `text` parses whole as `rule`.
fn parses_whole(rule: Rule, text: &str) -> bool {
    YimenParser::parse(rule, text)
        .ok()
        .and_then(|mut pairs| pairs.next())
        .is_some_and(|pair| pair.as_str() == text)
}

#[test]
fn every_keyword_rule_s_word_and_no_other_is_refused_as_an_identifier() {
    let keywords: Vec<(Rule, String)> = Rule::all_rules()
        .iter()
        .filter_map(|&r| {
            let name = format!("{r:?}");
            name.strip_prefix("kw_").map(|w| (r, w.to_string()))
        })
        .collect();
    assert_eq!(keywords.len(), 40, "{keywords:?}");
    for (rule, word) in &keywords {
        assert!(parses_whole(*rule, word), "{word}");
        assert!(
            !parses_whole(Rule::ident, word),
            "{word} taken as an identifier"
        );
        // A longer word, a word that ends early, and the word with a
        // Chinese or a digit after it are identifiers.
        for other in [
            format!("{word}x"),
            format!("{word}_"),
            format!("{word}1"),
            format!("{word}号"),
            format!("x{word}"),
            word[..word.len() - 1].to_string(),
        ] {
            let is_keyword = keywords.iter().any(|(_, w)| *w == other);
            assert_eq!(
                parses_whole(Rule::ident, &other),
                !is_keyword && !other.is_empty(),
                "{other:?}"
            );
        }
    }
}
