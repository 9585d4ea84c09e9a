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
    yaml_keys_once(text)?;
    serde_yaml::from_str(text)
}

/// No mapping of a YAML text repeats a key (an error at the repeat's line).
/// Any other error is left to the reading of the file into its type, which
/// words it as before.
pub fn yaml_keys_once(text: &str) -> Result<(), serde_yaml::Error> {
    match serde_yaml::from_str::<NoRepeatedKeys>(text) {
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
