//! Fail states: Error/ErrorPath and Cause/CausePath, no I/O processing, no Exited
//! event.

use super::engine::{Failure, StateCx};
use super::io;
use crate::definition::fail::{Fail, FailField};
use crate::error::StatesError;
use crate::value::Val;
use std::sync::Arc;

/// Evaluates a Fail state into the failure it raises.
pub(crate) fn run(cx: &StateCx<'_>, f: &Fail, raw: Val) -> Failure {
    let error = match field(cx, f.error.as_ref(), "ErrorPath", &raw) {
        Ok(e) => e,
        Err(failure) => return failure,
    };
    let cause = match field(cx, f.cause.as_ref(), "CausePath", &raw) {
        Ok(c) => c,
        Err(failure) => return failure,
    };
    Failure::new(StatesError {
        error: error.map(Arc::from).unwrap_or_else(|| Arc::from("")),
        cause,
    })
}

fn field(
    cx: &StateCx<'_>,
    f: Option<&FailField>,
    path_field: &str,
    raw: &Val,
) -> Result<Option<String>, Failure> {
    let Some(f) = f else {
        return Ok(None);
    };
    let ctx = cx.ctx;
    let value = match f {
        FailField::Literal(s) => return Ok(Some(s.to_string())),
        FailField::Path(p) => p.eval(&cx.env(raw, ctx)).map_err(|_| {
            cx.runtime(format!(
                "The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
                p.text(),
                path_field,
                raw.to_json_string()
            ))
        })?,
        FailField::Intrinsic(i) => i.eval(&cx.env(raw, ctx)).map_err(|e| cx.fail(e))?,
        FailField::Jsonata(j) => super::jsonata::eval(
            cx,
            j,
            if path_field == "ErrorPath" {
                "Error"
            } else {
                "Cause"
            },
            super::jsonata::States::new(raw, ctx),
        )?,
    };
    Ok(Some(io::shown(&value)))
}
