//! Pass states: `Result` (a literal, never template-processed) or the effective input.

use super::engine::{Failure, StateCx, StateOk};
use super::io;
use crate::definition::io::{InputFilter, Io, JsonPathIo, ResultPath};
use crate::value::Val;

/// Runs a Pass state.
///
/// A JSONPath state without `Assign` (the common Pass state) takes a straight
/// path: InputPath/Parameters, `Result`, ResultPath and OutputPath in one frame,
/// without the general pipeline's `$states` (JSONata) or Assign steps.
#[inline]
pub(crate) fn run(cx: &StateCx<'_>, result: Option<&Val>, raw: Val) -> Result<StateOk, Failure> {
    match (&cx.state.io, &cx.state.assign) {
        (Io::JsonPath(io), None) => run_jsonpath(cx, io, result, raw),
        _ => run_general(cx, result, raw),
    }
}

/// [`run`] for a JSONPath state without `Assign`: the JSONPath steps of
/// [`io::effective_input`] and [`io::finish`], without `$states` or Assign.
#[inline]
fn run_jsonpath(
    cx: &StateCx<'_>,
    io: &JsonPathIo,
    result: Option<&Val>,
    raw: Val,
) -> Result<StateOk, Failure> {
    let ctx = cx.ctx;
    // The most common Pass states, Parameters as the output or written at a
    // ResultPath, go from the template straight to the output or the write (no
    // Results moved through the steps).
    if let (InputFilter::Identity, Some(t), None, InputFilter::Identity) =
        (&io.input_path, &io.parameters, result, &io.output_path)
    {
        let output = match &io.result_path {
            ResultPath::Replace => io::template(cx, t, &raw, ctx)?,
            ResultPath::At(p) => {
                let effective = io::template(cx, t, &raw, ctx)?;
                match p.try_write(raw, effective) {
                    Ok(output) => output,
                    Err((e, raw)) => return Err(io::result_path_failure(p, &raw, e)),
                }
            }
            ResultPath::Discard => {
                // Evaluated all the same: a failing Parameters fails the state.
                io::template(cx, t, &raw, ctx)?;
                raw
            }
        };
        return Ok(StateOk {
            output,
            next: cx.state.transition,
            assigned: None,
        });
    }
    let effective = io::jsonpath_effective_input(cx, io, &raw, ctx)?;
    let result = match result {
        Some(r) => r.clone(),
        None => effective,
    };
    Ok(StateOk {
        output: io::jsonpath_place(cx, io, raw, result, ctx)?,
        next: cx.state.transition,
        assigned: None,
    })
}

/// [`run`] for the other states (JSONata, or with `Assign`).
#[inline(never)]
fn run_general(cx: &StateCx<'_>, result: Option<&Val>, raw: Val) -> Result<StateOk, Failure> {
    let ctx = cx.ctx;
    let effective = io::effective_input(cx, &raw, ctx)?;
    let result = match result {
        Some(r) => r.clone(),
        None => effective,
    };
    let (output, assigned) = io::finish(cx, raw, result, ctx, cx.state.assign.as_ref())?;
    Ok(StateOk {
        output,
        next: cx.state.transition,
        assigned,
    })
}
