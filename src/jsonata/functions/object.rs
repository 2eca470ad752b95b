//! Object functions: `$keys`, `$spread`, `$merge`, `$type` (and `$lookup`, `$each`, `$sift`
//! elsewhere).

use crate::jsonata::value::{ObjMap, Value};
use std::sync::Arc;

/// `$keys`.
pub(crate) fn keys(arg: Option<&Value>) -> Value {
    let mut out: Vec<Arc<str>> = Vec::new();
    match arg {
        Some(Value::Array(a)) => {
            for item in &a.items {
                for k in item.keys() {
                    if !out.contains(&k) {
                        out.push(k);
                    }
                }
            }
        }
        Some(o @ Value::Object(_)) => out = o.keys(),
        _ => {}
    }
    Value::seq(out.into_iter().map(Value::String).collect())
}

/// `$spread`.
pub(crate) fn spread(arg: Option<Value>) -> Option<Value> {
    match arg {
        Some(Value::Array(a)) => {
            let mut out = Vec::new();
            for item in &a.items {
                match spread(Some(item.clone())) {
                    Some(Value::Array(x)) => out.extend(x.items.iter().cloned()),
                    Some(v) => out.push(v),
                    None => {}
                }
            }
            Some(Value::seq(out))
        }
        Some(o @ Value::Object(_)) => {
            let out = o
                .entries()
                .into_iter()
                .map(|(k, v)| {
                    let mut m = ObjMap::new();
                    m.insert(k, v);
                    Value::object(m)
                })
                .collect();
            Some(Value::seq(out))
        }
        other => other,
    }
}

/// `$merge`.
pub(crate) fn merge(arg: Option<Value>) -> Option<Value> {
    let arg = arg?;
    let mut out = ObjMap::new();
    for o in arg.items() {
        for (k, v) in o.entries() {
            out.insert(k, v);
        }
    }
    Some(Value::object(out))
}

/// `$type`.
pub(crate) fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Bool(_) => "boolean",
        Value::Array(_) => "array",
        Value::Function(_) => "function",
        Value::Object(_) | Value::Tuple(_) => "object",
    }
}
