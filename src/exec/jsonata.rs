//! Evaluating JSONata-mode field values (CHECKLIST §8): the compiled templates of
//! the definition, `$states`, workflow variables as `$name`, the execution's seeded
//! randomness and clock, and AWS's `States.QueryEvaluationError` causes, each also
//! recorded as an `EvaluationFailed` event.

use super::engine::{Failure, StateCx};
use super::history::{EvaluationFailedDetails, EventDetails, EventType};
use crate::data::context::ContextObject;
use crate::data::Variables;
use crate::definition::jsonata::{Expr, JsonataValue, Template};
use crate::error::{names, StatesError};
use crate::jsonata::Bindings;
use crate::value::{Map, Val};
use std::sync::Arc;

/// What `$states` holds for one evaluation.
#[derive(Clone, Copy)]
pub(crate) struct States<'a> {
    /// `$states.input`: the state's raw input.
    pub(crate) input: &'a Val,
    /// `$states.context`.
    pub(crate) context: &'a ContextObject,
    /// `$states.result` (Task, Parallel, Map; Output and Assign after success).
    pub(crate) result: Option<&'a Val>,
    /// `$states.errorOutput` (a Catcher's Output and Assign).
    pub(crate) error_output: Option<&'a Val>,
}

impl<'a> States<'a> {
    /// `$states` with only `input` and `context`.
    pub(crate) fn new(input: &'a Val, context: &'a ContextObject) -> States<'a> {
        States {
            input,
            context,
            result: None,
            error_output: None,
        }
    }

    fn to_val(self) -> Val {
        let mut m = Map::with_capacity(4);
        m.insert(Arc::from("input"), self.input.clone());
        m.insert(Arc::from("context"), self.context.to_val());
        if let Some(r) = self.result {
            m.insert(Arc::from("result"), r.clone());
        }
        if let Some(e) = self.error_output {
            m.insert(Arc::from("errorOutput"), e.clone());
        }
        Val::object(m)
    }
}

/// Evaluates a JSONata-mode value of the field `field` (`Output`, `Items`, ...).
pub(crate) fn eval(
    cx: &StateCx<'_>,
    v: &JsonataValue,
    field: &str,
    states: States<'_>,
) -> Result<Val, Failure> {
    if let Template::Literal(l) = &v.template {
        return Ok(l.clone());
    }
    let mut ev = Evaluator {
        cx,
        field,
        states,
        states_val: None,
    };
    ev.template(&v.template)
}

/// Evaluates a field that must produce a value of one JSON type (`expected` is
/// `array`, `boolean`, ...): otherwise the "unexpected result type" error.
pub(crate) fn eval_typed(
    cx: &StateCx<'_>,
    v: &JsonataValue,
    field: &str,
    states: States<'_>,
    expected: &str,
) -> Result<Val, Failure> {
    let out = eval(cx, v, field, states)?;
    if type_name(&out) == expected {
        return Ok(out);
    }
    let text = match &v.template {
        Template::Expr(e) => e.text.to_string(),
        _ => v.value.to_json_string(),
    };
    Err(error(
        cx,
        Some(field),
        format!(
            "The JSONata expression '{text}' specified for the field '{field}' returned an unexpected result type. Expected '{expected}', but was '{}' for value: {}",
            type_name(&out),
            out.to_json_string()
        ),
    ))
}

/// A `States.QueryEvaluationError` raised by this state, recorded as an
/// `EvaluationFailed` event (with `location` when a field is to blame).
pub(crate) fn error(cx: &StateCx<'_>, location: Option<&str>, message: String) -> Failure {
    let cause = format!("{}{}", cx.runtime_prefix(), message);
    cx.record(
        EventType::EvaluationFailed,
        EventDetails::EvaluationFailed(Box::new(EvaluationFailedDetails {
            error: Some(Arc::from(names::QUERY_EVALUATION_ERROR)),
            cause: Some(cause.clone()),
            location: location.map(Arc::from),
            state: cx.state.name.clone(),
        })),
    );
    Failure::new(StatesError::new(names::QUERY_EVALUATION_ERROR, cause))
}

/// The JSON type name AWS uses in messages.
pub(crate) fn type_name(v: &Val) -> &'static str {
    match v {
        Val::Null => "null",
        Val::Bool(_) => "boolean",
        Val::Number(_) => "number",
        Val::String(_) => "string",
        Val::Array(_) => "array",
        Val::Object(_) => "object",
    }
}

struct Evaluator<'c, 'a> {
    cx: &'c StateCx<'c>,
    field: &'c str,
    states: States<'a>,
    states_val: Option<Val>,
}

impl Evaluator<'_, '_> {
    fn template(&mut self, t: &Template) -> Result<Val, Failure> {
        match t {
            Template::Literal(v) => Ok(v.clone()),
            Template::Expr(e) => self.expr(e),
            Template::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.template(item)?);
                }
                Ok(Val::array(out))
            }
            Template::Object(fields) => {
                let mut out = Map::with_capacity(fields.len());
                for (k, item) in fields {
                    let v = self.template(item)?;
                    out.insert(k.clone(), v);
                }
                Ok(Val::object(out))
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<Val, Failure> {
        let run = self.cx.run;
        let mut bindings = Bindings::new()
            .with_random(run.random.clone())
            .with_now_millis(run.clock.now_millis());
        if e.uses_states {
            let states = self.states;
            let v = self.states_val.get_or_insert_with(|| states.to_val());
            bindings.set("states", v.clone());
        }
        for name in &e.variables {
            if let Some(v) = self.cx.vars.get(name) {
                bindings.set(name.clone(), v);
            }
        }
        let location = if e.path.is_empty() {
            self.field.to_string()
        } else {
            format!("{}/{}", self.field, e.path)
        };
        match e.expression.evaluate(None, &bindings) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(error(
                self.cx,
                Some(&location),
                format!(
                    "The JSONata expression '{}' specified for the field '{location}' returned nothing (undefined).",
                    e.text
                ),
            )),
            Err(err) => Err(error(
                self.cx,
                Some(&location),
                format!(
                    "The JSONata expression '{}' specified for the field '{location}' threw an error during evaluation. {}: {}",
                    e.text, err.code, err.message
                ),
            )),
        }
    }
}
