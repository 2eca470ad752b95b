//! The functions AWS Step Functions adds to JSONata: `$partition`, `$range`, `$hash`,
//! `$random([seed])`, `$uuid` (in the dispatcher) and `$parse`.

use crate::data::intrinsic::HashAlgorithm;
use crate::data::random::Random;
use crate::jsonata::error::Error;
use crate::jsonata::eval::{Ctx, R};
use crate::jsonata::value::Value;
use crate::value::Val;

/// `$partition(array, size)`: chunks of `size`, the last possibly shorter.
pub(crate) fn partition(arr: Option<Value>, size: Option<Value>) -> R {
    let Some(arr) = arr else { return Ok(None) };
    let size = size.and_then(|s| s.as_f64()).unwrap_or(0.0);
    if size < 1.0 || size.fract() != 0.0 {
        return Err(Error::new("D3137").message(format!(
            "The size argument of $partition must be a positive integer, got {}",
            crate::jsonata::value::format_number(size)
        )));
    }
    let items = arr.items();
    let chunks = items
        .chunks(size as usize)
        .map(|c| Value::array(c.to_vec()))
        .collect();
    Ok(Some(Value::array(chunks)))
}

/// `$range(start, end, step)`: inclusive of `end` when a step lands on it.
pub(crate) fn range(start: Option<Value>, end: Option<Value>, step: Option<Value>) -> R {
    let (Some(a), Some(b)) = (start.and_then(|v| v.as_f64()), end.and_then(|v| v.as_f64())) else {
        return Ok(None);
    };
    let step = step.and_then(|v| v.as_f64()).unwrap_or(1.0);
    let mut out = Vec::new();
    if step == 0.0 {
        return Ok(Some(Value::seq(out)));
    }
    let mut x = a;
    while (step > 0.0 && x <= b) || (step < 0.0 && x >= b) {
        if out.len() >= 1_000_000 {
            return Err(Error::new("D2014").value("more than 1000000"));
        }
        out.push(Value::Number(x));
        x += step;
    }
    Ok(Some(Value::seq(out)))
}

/// `$hash(value, algorithm)`: lowercase hex (default SHA-256).
pub(crate) fn hash(v: Option<Value>, alg: Option<Value>) -> R {
    let Some(Value::String(s)) = v else {
        return Ok(None);
    };
    let name = alg
        .as_ref()
        .and_then(|a| a.as_str())
        .unwrap_or("SHA-256")
        .to_string();
    let Some(alg) = HashAlgorithm::from_name(&name) else {
        return Err(Error::new("D3137").message(format!(
            "The hash algorithm '{name}' is not supported. Use MD5, SHA-1, SHA-256, SHA-384 or SHA-512"
        )));
    };
    Ok(Some(Value::str(&alg.hex_digest(s.as_bytes()))))
}

/// `$random([seed])`: `0 <= n < 1`; deterministic for a given seed.
pub(crate) fn random(ctx: &mut Ctx, seed: Option<Value>) -> R {
    let n = match seed.and_then(|s| s.as_f64()) {
        Some(s) => Random::seeded(s.to_bits()).next_f64(),
        None => ctx.random().next_f64(),
    };
    Ok(Some(Value::Number(n)))
}

/// `$parse(json)`: JSON text to a value.
pub(crate) fn parse(v: Option<Value>) -> R {
    let Some(Value::String(s)) = v else {
        return Ok(None);
    };
    match Val::from_json_str(&s) {
        Ok(val) => Ok(Some(Value::from_val(&val))),
        Err(e) => Err(Error::new("D3137").message(format!("Unable to parse JSON: {e}"))),
    }
}
