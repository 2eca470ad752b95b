//! Array functions: `$zip`, `$distinct` (plus `$count`, `$append`, `$reverse`, `$shuffle`
//! inline in the dispatcher).

use crate::jsonata::error::Error;
use crate::jsonata::eval::R;
use crate::jsonata::value::{deep_equal, Value};

/// `$zip`.
pub(crate) fn zip(args: &[Option<Value>]) -> R {
    let arrays: Vec<Vec<Value>> = args
        .iter()
        .map(|a| match a {
            Some(Value::Array(a)) => a.items.clone(),
            _ => Vec::new(),
        })
        .collect();
    let len = arrays.iter().map(|a| a.len()).min().unwrap_or(0);
    let out = (0..len)
        .map(|i| Value::array(arrays.iter().map(|a| a[i].clone()).collect()))
        .collect();
    Ok::<_, Error>(Some(Value::array(out)))
}

/// `$distinct`.
pub(crate) fn distinct(arg: Option<Value>) -> Option<Value> {
    let arg = arg?;
    let Value::Array(a) = &arg else {
        return Some(arg);
    };
    if a.items.len() <= 1 {
        return Some(arg.clone());
    }
    let mut out: Vec<Value> = Vec::new();
    for v in &a.items {
        if !out.iter().any(|x| deep_equal(x, v)) {
            out.push(v.clone());
        }
    }
    Some(Value::array_flags(
        out,
        a.flags.get() & crate::jsonata::value::SEQUENCE,
    ))
}
