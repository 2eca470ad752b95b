//! `$boolean` casting rules (also used by predicates, conditions, `and`/`or`).

use crate::jsonata::value::Value;

/// jsonata-js `fn.boolean`; `None` for undefined.
pub(crate) fn to_bool(v: Option<&Value>) -> Option<bool> {
    let v = v?;
    Some(match v {
        Value::Array(a) => match a.items.len() {
            0 => false,
            1 => to_bool(Some(&a.items[0])).unwrap_or(false),
            _ => a.items.iter().any(|x| to_bool(Some(x)) == Some(true)),
        },
        Value::String(s) => !s.is_empty(),
        Value::Number(n) => *n != 0.0,
        Value::Object(_) => !v.keys().is_empty(),
        Value::Bool(b) => *b,
        Value::Null => false,
        Value::Function(_) => false,
        Value::Tuple(t) => to_bool(t.at.as_ref()).unwrap_or(false),
    })
}
