//! Date/time: `$toMillis`, `$fromMillis` (ISO 8601; pictures not implemented).

use crate::data::timestamp::{format_millis, Timestamp};
use crate::jsonata::error::Error;
use crate::jsonata::eval::R;
use crate::jsonata::value::Value;

/// Parses an ISO 8601 timestamp leniently (date only, missing zone → UTC).
pub(crate) fn parse_iso(s: &str) -> Option<i64> {
    if let Some(t) = Timestamp::parse(s) {
        return Some(t.as_millis());
    }
    let candidates = [
        format!("{s}Z"),
        format!("{s}:00Z"),
        format!("{s}T00:00:00Z"),
        format!("{s}-01T00:00:00Z"),
        format!("{s}-01-01T00:00:00Z"),
    ];
    for c in candidates {
        if let Some(t) = Timestamp::parse(&c) {
            return Some(t.as_millis());
        }
    }
    // `+hhmm` offsets without a colon.
    let b = s.as_bytes();
    if b.len() > 5 {
        let (head, tail) = s.split_at(s.len() - 5);
        if (tail.starts_with('+') || tail.starts_with('-'))
            && tail[1..].bytes().all(|c| c.is_ascii_digit())
        {
            let fixed = format!("{head}{}:{}", &tail[..3], &tail[3..]);
            return Timestamp::parse(&fixed).map(|t| t.as_millis());
        }
    }
    None
}

/// `$toMillis`.
pub(crate) fn to_millis(s: Option<Value>, picture: Option<Value>) -> R {
    let Some(Value::String(s)) = s else {
        return Ok(None);
    };
    if picture.is_some() {
        return Err(Error::new("D3136").message(
            "Date/time picture strings are not supported by this implementation".to_string(),
        ));
    }
    match parse_iso(&s) {
        Some(ms) => Ok(Some(Value::Number(ms as f64))),
        None => Err(Error::new("D3110").value(format!("\"{s}\""))),
    }
}

/// `$fromMillis` (and `$now`).
pub(crate) fn from_millis(ms: Option<Value>, picture: Option<Value>, tz: Option<Value>) -> R {
    let Some(ms) = ms.and_then(|v| v.as_f64()) else {
        return Ok(None);
    };
    if picture.is_some() || tz.is_some() {
        return Err(Error::new("D3136").message(
            "Date/time picture strings are not supported by this implementation".to_string(),
        ));
    }
    Ok(Some(Value::str(&format_millis(ms.floor() as i64))))
}
