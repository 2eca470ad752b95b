//! Reading typed field values, with AWS-style messages for the wrong type or range.

use super::pointer::join;
use super::{type_name, Ctx};
use crate::definition::jsonata::{is_expression, JsonataValue};
use crate::definition::machine::QueryLanguage;
use serde_json::{Map, Value};

/// A JSON object being read, with its pointer.
#[derive(Clone, Copy)]
pub(crate) struct Obj<'a> {
    /// The object's members.
    pub map: &'a Map<String, Value>,
    /// The object's JSON pointer.
    pub ptr: &'a str,
}

impl<'a> Obj<'a> {
    /// The member `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        // States have a handful of fields: a scan beats hashing the key.
        if self.map.len() <= 16 {
            self.map
                .iter()
                .find_map(|(k, v)| (k.as_str() == key).then_some(v))
        } else {
            self.map.get(key)
        }
    }

    /// `true` when `key` is present.
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The pointer of member `key`.
    pub fn at(&self, key: &str) -> String {
        join(self.ptr, key)
    }
}

/// Reports a value of the wrong JSON type.
pub(crate) fn wrong_type(cx: &mut Ctx<'_>, ptr: &str, field: &str, expected: &str, v: &Value) {
    cx.error(
        ptr,
        format!(
            "The field '{field}' must be {} {expected} but was {} {}",
            article(expected),
            article(type_name(v)),
            type_name(v)
        ),
    );
}

fn article(word: &str) -> &'static str {
    match word.as_bytes().first() {
        Some(b'A' | b'E' | b'I' | b'O' | b'U') => "an",
        _ => "a",
    }
}

/// A string field (absent → `None`; wrong type reported).
pub(crate) fn opt_str<'a>(cx: &mut Ctx<'_>, o: Obj<'a>, key: &str) -> Option<&'a str> {
    match o.get(key)? {
        Value::String(s) => Some(s),
        v => {
            wrong_type(cx, &o.at(key), key, "STRING", v);
            None
        }
    }
}

/// A string field that must not be a JSONata expression (Next, Default, Resource, ...).
pub(crate) fn opt_plain_str<'a>(
    cx: &mut Ctx<'_>,
    o: Obj<'a>,
    key: &str,
    ql: QueryLanguage,
) -> Option<&'a str> {
    let s = opt_str(cx, o, key)?;
    if ql == QueryLanguage::Jsonata && is_expression(s) {
        no_expression(cx, &o.at(key), key);
        return None;
    }
    Some(s)
}

/// Reports a JSONata expression in a field that does not take one.
pub(crate) fn no_expression(cx: &mut Ctx<'_>, ptr: &str, field: &str) {
    cx.error(
        ptr,
        format!(
            "The field '{field}' does not accept JSONata expressions; it must be a literal value"
        ),
    );
}

/// A boolean field.
pub(crate) fn opt_bool(cx: &mut Ctx<'_>, o: Obj<'_>, key: &str) -> Option<bool> {
    match o.get(key)? {
        Value::Bool(b) => Some(*b),
        v => {
            wrong_type(cx, &o.at(key), key, "BOOLEAN", v);
            None
        }
    }
}

/// An integer field within `min..=max`.
pub(crate) fn opt_int(cx: &mut Ctx<'_>, o: Obj<'_>, key: &str, min: u64, max: u64) -> Option<u64> {
    let v = o.get(key)?;
    int_value(cx, &o.at(key), key, v, min, max)
}

/// An integer value within `min..=max` (`1.0` counts as an integer, as Jackson reads it).
pub(crate) fn int_value(
    cx: &mut Ctx<'_>,
    ptr: &str,
    field: &str,
    v: &Value,
    min: u64,
    max: u64,
) -> Option<u64> {
    let n = match v {
        Value::Number(n) => n,
        _ => {
            wrong_type(cx, ptr, field, "INTEGER", v);
            return None;
        }
    };
    let as_int = n
        .as_u64()
        .map(|u| u as f64)
        .or_else(|| n.as_i64().map(|i| i as f64))
        .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0));
    match as_int {
        Some(f) if f >= min as f64 && f <= max as f64 => Some(f as u64),
        Some(_) => {
            cx.error(
                ptr,
                format!(
                    "The value of the field '{field}' must be between {min} and {max} but was {n}"
                ),
            );
            None
        }
        None => {
            cx.error(
                ptr,
                format!("The field '{field}' must be an INTEGER but was the number {n}"),
            );
            None
        }
    }
}

/// A number field (float allowed) within `min..=max`.
pub(crate) fn opt_number(
    cx: &mut Ctx<'_>,
    o: Obj<'_>,
    key: &str,
    min: f64,
    max: f64,
) -> Option<f64> {
    let v = o.get(key)?;
    match v.as_f64() {
        Some(f) if f >= min && f <= max => Some(f),
        Some(f) => {
            cx.error(
                &o.at(key),
                format!(
                    "The value of the field '{key}' must be between {min} and {max} but was {f}"
                ),
            );
            None
        }
        None => {
            wrong_type(cx, &o.at(key), key, "NUMBER", v);
            None
        }
    }
}

/// An object field.
pub(crate) fn opt_object<'a>(
    cx: &mut Ctx<'_>,
    o: Obj<'a>,
    key: &str,
) -> Option<&'a Map<String, Value>> {
    match o.get(key)? {
        Value::Object(m) => Some(m),
        v => {
            wrong_type(cx, &o.at(key), key, "OBJECT", v);
            None
        }
    }
}

/// An array field.
pub(crate) fn opt_array<'a>(cx: &mut Ctx<'_>, o: Obj<'a>, key: &str) -> Option<&'a [Value]> {
    match o.get(key)? {
        Value::Array(a) => Some(a),
        v => {
            wrong_type(cx, &o.at(key), key, "ARRAY", v);
            None
        }
    }
}

/// A one-of-these-strings field: `The field 'X' should have one of these values: [...]`.
pub(crate) fn opt_enum<'a>(
    cx: &mut Ctx<'_>,
    o: Obj<'a>,
    key: &str,
    allowed: &[&str],
) -> Option<&'a str> {
    let v = o.get(key)?;
    match v.as_str() {
        Some(s) if allowed.contains(&s) => Some(s),
        _ => {
            cx.error(
                &o.at(key),
                format!(
                    "The field '{key}' should have one of these values: [{}]",
                    allowed.join(", ")
                ),
            );
            None
        }
    }
}

/// Reports that both of two mutually exclusive fields are present; `true` if so.
pub(crate) fn exclusive(cx: &mut Ctx<'_>, o: Obj<'_>, a: &str, b: &str) -> bool {
    if o.has(a) && o.has(b) {
        cx.error(
            o.ptr,
            format!("The fields '{a}' and '{b}' are mutually exclusive; set only one of them"),
        );
        true
    } else {
        false
    }
}

/// Reports a missing required field.
pub(crate) fn missing(cx: &mut Ctx<'_>, ptr: &str, field: &str) {
    cx.error(
        ptr,
        format!("The field '{field}' is required but was missing"),
    );
}

/// Checks a JSONata-mode value: expression strings anywhere must have a body.
pub(crate) fn jsonata_value(cx: &mut Ctx<'_>, ptr: &str, v: &Value) -> Option<JsonataValue> {
    let before = cx.error_count();
    check_expressions(cx, ptr, v);
    if cx.error_count() != before {
        return None;
    }
    match JsonataValue::compile(v.into()) {
        Ok(j) => Some(j),
        Err((path, message)) => {
            let at = path.split('/').fold(ptr.to_string(), |p, seg| {
                if seg.is_empty() {
                    p
                } else {
                    join(&p, seg)
                }
            });
            cx.error(&at, message);
            None
        }
    }
}

fn check_expressions(cx: &mut Ctx<'_>, ptr: &str, v: &Value) {
    match v {
        Value::String(s) => {
            if let Some(body) = crate::definition::jsonata::expression_body(s) {
                if body.trim().is_empty() {
                    cx.error(ptr, "The JSONata expression between '{%' and '%}' is empty");
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_expressions(cx, &join(ptr, &i.to_string()), item);
            }
        }
        Value::Object(m) => {
            for (k, item) in m {
                check_expressions(cx, &join(ptr, k), item);
            }
        }
        _ => {}
    }
}

/// A JSONata-mode field that is a literal of some type or an expression string:
/// returns `Some(Err(expr))` for an expression, `Some(Ok(v))` for a literal.
pub(crate) fn literal_or_expr<'a>(
    cx: &mut Ctx<'_>,
    ptr: &str,
    v: &'a Value,
    ql: QueryLanguage,
) -> Option<Result<&'a Value, JsonataValue>> {
    match v {
        Value::String(s) if ql == QueryLanguage::Jsonata && is_expression(s) => {
            jsonata_value(cx, ptr, v).map(Err)
        }
        _ => Some(Ok(v)),
    }
}
