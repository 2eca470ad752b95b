//! The JSONPath input/output pipeline, step by step: InputPath, Parameters,
//! ResultSelector, Assign, ResultPath, OutputPath (CHECKLIST §7), plus the JSONata
//! equivalents (`Arguments`, `Output`, `Assign`).

use super::engine::{Failure, StateCx};
use super::jsonata::States;
use crate::data::context::ContextObject;
use crate::data::path::{Path, PathError};
use crate::data::template::Template;
use crate::definition::io::{Assign, InputFilter, Io, JsonPathIo, ResultPath};
use crate::definition::state::StateKind;
use crate::error::{names, StatesError};
use crate::value::{Map, Val};

/// Applies `InputPath` or `OutputPath`: the identity passes the value through uncopied.
pub(crate) fn filter(
    cx: &StateCx<'_>,
    f: &InputFilter,
    data: &Val,
    ctx: &ContextObject,
) -> Result<Val, Failure> {
    match f {
        InputFilter::Identity => Ok(data.clone()),
        InputFilter::Empty => Ok(Val::empty_object()),
        InputFilter::Path(p) => eval_path(cx, p, data, ctx),
    }
}

/// Evaluates a path against `data`; a miss is `States.Runtime` with Jayway's message.
pub(crate) fn eval_path(
    cx: &StateCx<'_>,
    p: &Path,
    data: &Val,
    ctx: &ContextObject,
) -> Result<Val, Failure> {
    p.eval(&cx.env(data, ctx))
        .map_err(|e| cx.runtime(e.message))
}

/// Evaluates a payload template against `data`.
pub(crate) fn template(
    cx: &StateCx<'_>,
    t: &Template,
    data: &Val,
    ctx: &ContextObject,
) -> Result<Val, Failure> {
    t.eval(&cx.env(data, ctx)).map_err(|e| cx.fail(e))
}

/// Steps 1–2: the effective input (InputPath, then Parameters). JSONata states use
/// `Arguments` or the raw input.
pub(crate) fn effective_input(
    cx: &StateCx<'_>,
    raw: &Val,
    ctx: &ContextObject,
) -> Result<Val, Failure> {
    match &cx.state.io {
        Io::JsonPath(io) => jsonpath_effective_input(cx, io, raw, ctx),
        Io::Jsonata(io) => match &io.arguments {
            Some(a) => super::jsonata::eval(cx, a, "Arguments", States::new(raw, ctx)),
            None => Ok(raw.clone()),
        },
    }
}

/// Steps 1–2 of a JSONPath state: InputPath, then Parameters.
#[inline(always)]
pub(crate) fn jsonpath_effective_input(
    cx: &StateCx<'_>,
    io: &JsonPathIo,
    raw: &Val,
    ctx: &ContextObject,
) -> Result<Val, Failure> {
    match (&io.input_path, &io.parameters) {
        // The identity InputPath: the template reads the raw input itself (no
        // reference count up and down).
        (InputFilter::Identity, Some(t)) => template(cx, t, raw, ctx),
        (f, Some(t)) => template(cx, t, &filter(cx, f, raw, ctx)?, ctx),
        (f, None) => filter(cx, f, raw, ctx),
    }
}

/// Steps 6–7 of a JSONPath state: ResultPath places `result` into `raw`, then
/// OutputPath.
#[inline(always)]
pub(crate) fn jsonpath_place(
    cx: &StateCx<'_>,
    io: &JsonPathIo,
    raw: Val,
    result: Val,
    ctx: &ContextObject,
) -> Result<Val, Failure> {
    let placed = result_path(cx, &io.result_path, raw, result)?;
    match &io.output_path {
        // The identity OutputPath passes the placed value on (moved, not cloned).
        InputFilter::Identity => Ok(placed),
        f => filter(cx, f, &placed, ctx),
    }
}

/// Step 4: ResultSelector over the raw result.
pub(crate) fn select_result(
    cx: &StateCx<'_>,
    result: Val,
    ctx: &ContextObject,
) -> Result<Val, Failure> {
    match &cx.state.io {
        Io::JsonPath(io) => match &io.result_selector {
            Some(t) => template(cx, t, &result, ctx),
            None => Ok(result),
        },
        Io::Jsonata(_) => Ok(result),
    }
}

/// Evaluates an `Assign` block against `data` (the state's result, or the error
/// output in a Catcher; JSONPath) or `states` (JSONata) into the variables to set.
pub(crate) fn assign(
    cx: &StateCx<'_>,
    a: &Assign,
    data: &Val,
    ctx: &ContextObject,
    states: States<'_>,
) -> Result<Map, Failure> {
    let value = match a {
        Assign::JsonPath(t) => template(cx, t, data, ctx)?,
        Assign::Jsonata(j) => super::jsonata::eval(cx, j, "Assign", states)?,
    };
    match value {
        Val::Object(_) => Ok(value.into_object().unwrap_or_default()),
        other => Err(cx.runtime(format!(
            "The Assign field must evaluate to an object, but was: {other}"
        ))),
    }
}

/// Step 6: ResultPath places `result` into the raw input.
#[inline]
pub(crate) fn result_path(
    _cx: &StateCx<'_>,
    rp: &ResultPath,
    raw: Val,
    result: Val,
) -> Result<Val, Failure> {
    match rp {
        ResultPath::Replace => Ok(result),
        ResultPath::Discard => Ok(raw),
        ResultPath::At(p) => match p.try_write(raw, result) {
            Ok(placed) => Ok(placed),
            Err((e, raw)) => Err(result_path_failure(p, &raw, e)),
        },
    }
}

/// `States.ResultPathMatchFailure` for a ResultPath `p` that cannot be applied to
/// `raw` (the input is serialised only here, for the message).
#[cold]
#[inline(never)]
pub(crate) fn result_path_failure(p: &Path, raw: &Val, e: PathError) -> Failure {
    Failure::new(StatesError::new(
        names::RESULT_PATH_MATCH_FAILURE,
        format!(
            "Unable to apply ResultPath '{}' to input '{}': {}",
            p.text(),
            raw,
            e.message
        ),
    ))
}

/// Steps 5–7 on success: Assign (against `result`, with the variables as they were
/// when the state was entered), ResultPath into `raw`, then OutputPath. JSONata
/// states use `Output` or the result.
pub(crate) fn finish(
    cx: &StateCx<'_>,
    raw: Val,
    result: Val,
    ctx: &ContextObject,
    assign_block: Option<&Assign>,
) -> Result<(Val, Option<Map>), Failure> {
    // `$states.result` exists for the states that produce one.
    let has_result = matches!(
        cx.state.kind,
        StateKind::Task(_) | StateKind::Parallel(_) | StateKind::Map(_)
    );
    let states = States {
        result: has_result.then_some(&result),
        ..States::new(&raw, ctx)
    };
    let assigned = match assign_block {
        Some(a) => Some(assign(cx, a, &result, ctx, states)?),
        None => None,
    };
    let output = match &cx.state.io {
        Io::JsonPath(io) => jsonpath_place(cx, io, raw, result, ctx)?,
        Io::Jsonata(io) => match &io.output {
            Some(o) => super::jsonata::eval(cx, o, "Output", states)?,
            None => result,
        },
    };
    Ok((output, assigned))
}

/// A value as AWS quotes it in path error messages: strings raw, others as JSON.
pub(crate) fn shown(v: &Val) -> String {
    match v {
        Val::String(s) => s.to_string(),
        other => other.to_json_string(),
    }
}
