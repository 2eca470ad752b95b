//! `States.StringToJson`, `States.JsonToString` and `States.JsonMerge`.

use super::{expect_str, failure, type_phrase, Function};
use crate::error::StatesError;
use crate::value::Val;

/// `States.StringToJson(string)`: parses JSON text; blank text is `null`.
pub(super) fn string_to_json(args: &[Val]) -> Result<Val, StatesError> {
    let text = expect_str(Function::StringToJson, args, 0)?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(Val::Null);
    }
    let v = Val::from_json_str(trimmed).map_err(|e| {
        failure(
            Function::StringToJson,
            format!("the string is not valid JSON: {e}"),
        )
    })?;
    // serde_json reads the integer `-0` as the float `-0.0`; Jackson (AWS) reads it
    // as the integer 0.
    if has_integer_minus_zero(trimmed) {
        return Ok(minus_zero_to_int(v));
    }
    Ok(v)
}

/// `true` when the JSON text has a `-0` number token with no fraction or exponent.
fn has_integer_minus_zero(text: &str) -> bool {
    let b = text.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'-' if !in_string
                && b.get(i + 1) == Some(&b'0')
                && !matches!(b.get(i + 2), Some(b'.' | b'e' | b'E' | b'0'..=b'9')) =>
            {
                return true
            }
            _ => {}
        }
        i += 1;
    }
    false
}

fn minus_zero_to_int(v: Val) -> Val {
    match v {
        Val::Number(ref n) if n.as_f64().is_some_and(|f| f == 0.0 && f.is_sign_negative()) => {
            Val::int(0)
        }
        Val::Array(ref a) => Val::array(a.items().iter().cloned().map(minus_zero_to_int).collect()),
        Val::Object(ref o) => Val::object(
            o.iter()
                .map(|(k, x)| (k.clone(), minus_zero_to_int(x.clone())))
                .collect(),
        ),
        other => other,
    }
}

/// `States.JsonToString(value)`: compact JSON text.
pub(super) fn json_to_string(args: &[Val]) -> Val {
    Val::string(args.first().map(Val::to_json_string).unwrap_or_default())
}

/// `States.JsonMerge(a, b, false)`: a shallow merge, `b`'s keys winning.
pub(super) fn merge(args: &[Val]) -> Result<Val, StatesError> {
    let f = Function::JsonMerge;
    let object = |i: usize| match args.get(i) {
        Some(v @ Val::Object(_)) => Ok(v),
        Some(v) => Err(failure(
            f,
            format!(
                "argument {} must be an object but was {}",
                i + 1,
                type_phrase(v)
            ),
        )),
        None => Err(failure(f, format!("argument {} is missing", i + 1))),
    };
    let a = object(0)?;
    let b = object(1)?;
    match args.get(2) {
        Some(Val::Bool(false)) => {}
        Some(Val::Bool(true)) => {
            return Err(failure(f, "deep merge (true) is not supported; use false"))
        }
        Some(v) => {
            return Err(failure(
                f,
                format!("argument 3 must be a boolean but was {}", type_phrase(v)),
            ))
        }
        None => return Err(failure(f, "argument 3 is missing")),
    }
    let Some(b_map) = b.as_object() else {
        return Ok(a.clone());
    };
    if b_map.is_empty() {
        return Ok(a.clone());
    }
    let mut out = a.clone();
    if let Some(map) = out.as_object_mut() {
        for (k, v) in b_map {
            map.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}
