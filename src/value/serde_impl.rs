//! `Serialize` and `Deserialize` for [`Val`]: JSON text goes straight in and out.

use super::{Map, Number, Val};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;
use std::sync::Arc;

impl Serialize for Val {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Val::Null => serializer.serialize_unit(),
            Val::Bool(b) => serializer.serialize_bool(*b),
            Val::Number(n) => n.serialize(serializer),
            Val::String(s) => serializer.serialize_str(s),
            Val::Array(a) => {
                let mut seq = serializer.serialize_seq(Some(a.items.len()))?;
                for item in &a.items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Val::Object(o) => {
                let mut map = serializer.serialize_map(Some(o.len()))?;
                for (k, v) in o.iter() {
                    map.serialize_entry(&**k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Val {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Val, D::Error> {
        deserializer.deserialize_any(ValVisitor)
    }
}

struct ValVisitor;

impl<'de> Visitor<'de> for ValVisitor {
    type Value = Val;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Val, E> {
        Ok(Val::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Val, E> {
        Ok(Val::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Val, E> {
        Ok(Val::Number(n.into()))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Val, E> {
        Ok(Number::from_f64(f).map_or(Val::Null, Val::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Val, E> {
        Ok(Val::String(Arc::from(s)))
    }
    fn visit_string<E>(self, s: String) -> Result<Val, E> {
        Ok(Val::String(Arc::from(s)))
    }
    fn visit_none<E>(self) -> Result<Val, E> {
        Ok(Val::Null)
    }
    fn visit_unit<E>(self) -> Result<Val, E> {
        Ok(Val::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Val, D::Error> {
        Deserialize::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        // The length is computed here, while the elements are at hand (theirs are
        // computed already), so the size check of an execution input parsed from
        // text does not walk the whole document again.
        let v = Val::array(items);
        v.json_len();
        Ok(v)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Val, A::Error> {
        let mut map = Map::with_capacity(access.size_hint().unwrap_or(0).min(4096));
        while let Some(key) = access.next_key::<KeyString>()? {
            let value: Val = access.next_value()?;
            map.insert(key.0, value);
        }
        let v = Val::object(map);
        v.json_len();
        Ok(v)
    }
}

/// An object key deserialised straight into an `Arc<str>`.
struct KeyString(Arc<str>);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyString, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = KeyString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<KeyString, E> {
                Ok(KeyString(Arc::from(s)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}
