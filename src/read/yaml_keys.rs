//! Configuration YAML read with every mapping's keys checked once each:
//! serde reading a mapping into a map keeps a repeated key's last value
//! silently.

use super::repeated_key;

/// A configuration file's YAML as `T`, a key repeated in any mapping of it
/// an error at the line of the repeat ([`super::yaml_message`] words it): serde
/// reading a mapping into a map keeps the last value silently (`metrics:
/// {M01: 1, M01: 5}` weighed 5), and a repeated field of a struct was named
/// at the line of its mapping, not of the repeat.
pub fn yaml_from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_yaml::Error> {
    let text = &*bounded_yaml(text);
    yaml_keys_once(text)?;
    serde_yaml::from_str(text)
}

/// No mapping of a YAML text repeats a key (an error at the repeat's line).
/// Any other error is left to the reading of the file into its type, which
/// words it as before.
pub fn yaml_keys_once(text: &str) -> Result<(), serde_yaml::Error> {
    match serde_yaml::from_str::<NoRepeatedKeys>(&bounded_yaml(text)) {
        Err(e) if repeated_key(&e.to_string()).is_some() => Err(e),
        _ => Ok(()),
    }
}

/// A YAML document read only to find a mapping that repeats a key.
struct NoRepeatedKeys;

impl<'de> serde::Deserialize<'de> for NoRepeatedKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoRepeatedKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for NoRepeatedKeys {
    type Value = NoRepeatedKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_i128<E>(self, _: i128) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_u128<E>(self, _: u128) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_none<E>(self) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self, D::Error> {
        <NoRepeatedKeys as serde::Deserialize>::deserialize(d)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Self, A::Error> {
        while a.next_element::<NoRepeatedKeys>()?.is_some() {}
        Ok(self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while a.next_key_seed(FreshKey(&mut seen))?.is_some() {
            a.next_value::<NoRepeatedKeys>()?;
        }
        Ok(self)
    }

    /// A tagged value (`!Tag x`).
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, a: A) -> Result<Self, A::Error> {
        use serde::de::VariantAccess as _;
        let (serde::de::IgnoredAny, variant) = a.variant()?;
        variant.newtype_variant::<NoRepeatedKeys>()
    }
}

/// A mapping's key, an error if the mapping has had it (the error raised
/// while the key is read carries the key's line).
struct FreshKey<'a>(&'a mut std::collections::HashSet<String>);

impl<'de> serde::de::DeserializeSeed<'de> for FreshKey<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl FreshKey<'_> {
    fn fresh<E: serde::de::Error>(self, key: String) -> Result<(), E> {
        if self.0.contains(&key) {
            return Err(E::custom(format!("duplicate entry with key {key:?}")));
        }
        self.0.insert(key);
        Ok(())
    }
}

impl<'de> serde::de::Visitor<'de> for FreshKey<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<(), E> {
        self.fresh(v.to_string())
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<(), E> {
        self.fresh(v.to_string())
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<(), E> {
        self.fresh(v.to_string())
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<(), E> {
        self.fresh(v.to_string())
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<(), E> {
        self.fresh(v.to_string())
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<(), E> {
        self.fresh(v.to_string())
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        self.fresh(v.to_string())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.fresh("~".to_string())
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.fresh("~".to_string())
    }

    // A key that is a sequence, a mapping or a tagged value (never one of
    // a configuration file's): its own mappings are checked, it is not
    // compared.
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        <NoRepeatedKeys as serde::Deserialize>::deserialize(d).map(drop)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, a: A) -> Result<(), A::Error> {
        serde::de::Visitor::visit_seq(NoRepeatedKeys, a).map(drop)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, a: A) -> Result<(), A::Error> {
        serde::de::Visitor::visit_map(NoRepeatedKeys, a).map(drop)
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, a: A) -> Result<(), A::Error> {
        serde::de::Visitor::visit_enum(NoRepeatedKeys, a).map(drop)
    }
}

/// Flow collections (`[`, `{`) nested deeper than this are cut before
/// libyaml reads the text: its scanner takes time quadratic in the depth
/// (80,000 levels in a 640 KB file: 47 s), though the reading refuses
/// anything past 128 levels in the end.
const MAX_FLOW_DEPTH: usize = 256;

/// The text libyaml is to read: `text` itself, or, when its flow
/// collections nest deeper than `MAX_FLOW_DEPTH`, the text up to that
/// opener with the open collections closed, which the reading refuses at
/// once (`recursion limit exceeded`, at its place), as it refuses a file
/// nested less deeply.
pub fn bounded_yaml(text: &str) -> std::borrow::Cow<'_, str> {
    let Some((at, open)) = too_deep_at(text) else {
        return std::borrow::Cow::Borrowed(text);
    };
    let mut cut = String::with_capacity(at + open.len() + 1);
    cut.push_str(&text[..at]);
    cut.extend(open.iter().rev().map(|&c| if c == '[' { ']' } else { '}' }));
    cut.push('\n');
    std::borrow::Cow::Owned(cut)
}

/// Where the flow collections of a YAML (or JSON) text first nest deeper
/// than [`MAX_FLOW_DEPTH`] (the byte after that opener), with the openers
/// then open. A scan that follows YAML closely enough: quoted scalars and
/// comments are skipped, and outside a flow collection a bracket opens one
/// only where a value starts (a line's start, after `:`, `-`, `?`), so
/// that a bracket inside a plain text (`第[3条`) is none. It may miss a
/// collection (after an anchor or a tag), never counts one too many.
fn too_deep_at(text: &str) -> Option<(usize, Vec<char>)> {
    let mut open: Vec<char> = Vec::new();
    let mut quote: Option<char> = None;
    // The last character other than a space on the line ('\n' at its start),
    // and the character just before.
    let (mut last, mut prev) = ('\n', '\n');
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let before = std::mem::replace(&mut prev, c);
        if let Some(q) = quote {
            match c {
                '\\' if q == '"' => {
                    chars.next();
                }
                '\'' if q == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') => {
                    chars.next();
                }
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '\n' => {
                last = '\n';
                continue;
            }
            ' ' | '\t' | '\r' => continue,
            '#' if matches!(before, ' ' | '\t' | '\n' | '\r') => {
                // A comment, to the line's end.
                while chars.next_if(|&(_, n)| n != '\n').is_some() {}
                continue;
            }
            '"' | '\'' if matches!(last, '\n' | ':' | '-' | '?' | ',' | '[' | '{') => {
                quote = Some(c);
            }
            '[' | '{' if !open.is_empty() || matches!(last, '\n' | ':' | '-' | '?') => {
                open.push(c);
                if open.len() > MAX_FLOW_DEPTH {
                    return Some((i + 1, open));
                }
            }
            ']' | '}' => {
                open.pop();
            }
            _ => {}
        }
        last = c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{bounded_yaml, too_deep_at, MAX_FLOW_DEPTH};

    fn nested(n: usize) -> String {
        format!("{}1{}\n", "{a: ".repeat(n), "}".repeat(n))
    }

    #[test]
    fn a_text_nested_past_the_limit_is_cut_and_closed() {
        assert!(too_deep_at(&nested(MAX_FLOW_DEPTH)).is_none());
        let deep = nested(100_000);
        let cut = bounded_yaml(&deep);
        assert!(
            cut.len() < 2 * 4 * (MAX_FLOW_DEPTH + 1) + 8,
            "{}",
            cut.len()
        );
        let err = serde_yaml::from_str::<serde_yaml::Value>(&cut).unwrap_err();
        assert!(
            err.to_string().contains("recursion limit exceeded"),
            "{err}"
        );
        let list = format!("items:\n  - {}{}\n", "[".repeat(300), "]".repeat(300));
        assert!(too_deep_at(&list).is_some());
    }

    /// Brackets in plain text, quoted scalars and comments open nothing,
    /// however many: a register's notes (`第[3条`) never make a file "deep".
    #[test]
    fn brackets_in_texts_quotes_and_comments_are_no_nesting() {
        let mut text = String::new();
        for i in 0..2000 {
            text.push_str(&format!(
                "- 名称: 第[{i}条 {{x\n  备注: \"[[{{\\\"\"\n  说明: '[{{''[' # [[[[{{\n  引用: a[b {{c\n"
            ));
        }
        assert!(too_deep_at(&text).is_none());
        assert!(serde_yaml::from_str::<serde_yaml::Value>(&text).is_ok());
        assert!(matches!(bounded_yaml(&text), std::borrow::Cow::Borrowed(_)));
    }
}
