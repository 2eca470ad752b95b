//! What every state shares: `Type`, `QueryLanguage`, `Comment`, `Next`/`End`, the
//! data-processing fields and `Assign`; then the per-type parser.

use super::document::query_language;
use super::fields::{check_state_fields, STATE_TYPES};
use super::values::{self, Obj};
use super::{assign, choice, fail, io, map, parallel, task, wait, Ctx};
use crate::definition::machine::QueryLanguage;
use crate::definition::state::{State, StateKind, Transition};
use crate::definition::validate::transitions::Targets;
use serde_json::Value;
use std::sync::Arc;

/// Parses one state. Returns the compiled state (when it had no errors) and whether
/// it can end its scope (`None` when that is unknown: not an object, no valid Type).
pub(crate) fn parse_state(
    cx: &mut Ctx<'_>,
    name: &str,
    value: &Value,
    ptr: &str,
    targets: &mut Targets<'_>,
    inherited: QueryLanguage,
) -> (Option<State>, Option<bool>) {
    let Value::Object(map) = value else {
        values::wrong_type(cx, ptr, name, "OBJECT", value);
        return (None, None);
    };
    let o = Obj { map, ptr };
    let before = cx.error_count();

    let ql = match query_language(cx, o) {
        Some(QueryLanguage::JsonPath) if cx.machine_ql == QueryLanguage::Jsonata => {
            cx.error(
                ptr,
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            );
            QueryLanguage::Jsonata
        }
        Some(q) => q,
        None => inherited,
    };

    let state_type = match o.get("Type") {
        None => {
            values::missing(cx, ptr, "Type");
            None
        }
        Some(Value::String(t)) if STATE_TYPES.contains(&t.as_str()) => Some(t.as_str()),
        Some(_) => {
            cx.error(
                &o.at("Type"),
                format!(
                    "The field 'Type' should have one of these values: [{}]",
                    STATE_TYPES.join(", ")
                ),
            );
            None
        }
    };
    let Some(state_type) = state_type else {
        return (None, None);
    };
    check_state_fields(cx, o, state_type, ql);
    let comment = values::opt_plain_str(cx, o, "Comment", ql).map(str::to_owned);

    let has_transition = matches!(state_type, "Task" | "Pass" | "Wait" | "Parallel" | "Map");
    let (transition, ends) = if has_transition {
        next_or_end(cx, o, targets, ql)
    } else {
        (
            Some(Transition::End),
            matches!(state_type, "Succeed" | "Fail"),
        )
    };

    let io = io::parse_io(cx, o, state_type, ql);
    let assign = if o.has("Assign") && !matches!(state_type, "Succeed" | "Fail") {
        assign::parse_assign(
            cx,
            o.get("Assign").unwrap_or(&Value::Null),
            &o.at("Assign"),
            ql,
        )
        .map(Some)
    } else {
        Some(None)
    };

    let kind = match state_type {
        "Pass" => Some(StateKind::Pass {
            result: o
                .get("Result")
                .filter(|_| ql == QueryLanguage::JsonPath)
                .map(Into::into),
        }),
        "Task" => task::parse_task(cx, o, ql, targets).map(|t| StateKind::Task(Box::new(t))),
        "Choice" => {
            choice::parse_choice(cx, o, ql, targets).map(|c| StateKind::Choice(Box::new(c)))
        }
        "Wait" => wait::parse_wait(cx, o, ql).map(StateKind::Wait),
        "Succeed" => Some(StateKind::Succeed),
        "Fail" => fail::parse_fail(cx, o, ql).map(StateKind::Fail),
        "Parallel" => {
            parallel::parse_parallel(cx, o, ql, targets).map(|p| StateKind::Parallel(Box::new(p)))
        }
        "Map" => map::parse_map(cx, o, ql, targets).map(|m| StateKind::Map(Box::new(m))),
        _ => None,
    };

    if cx.error_count() != before {
        return (None, Some(ends));
    }
    let state = (|| {
        Some(State {
            name: Arc::from(name),
            comment,
            query_language: ql,
            transition: transition?,
            io: io?,
            assign: assign?,
            kind: kind?,
            reads_context: ql == QueryLanguage::Jsonata
                || !matches!(state_type, "Pass" | "Choice" | "Succeed" | "Fail")
                || mentions_context(value),
        })
    })();
    (state, Some(ends))
}

/// `true` when a string in `value` has `$$` (a context path, in a path, a
/// template or an intrinsic argument; or just text, which costs nothing but an
/// update per run of the state).
fn mentions_context(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains("$$"),
        Value::Array(items) => items.iter().any(mentions_context),
        Value::Object(map) => map.values().any(mentions_context),
        _ => false,
    }
}

/// `Next` or `End: true`, exactly one.
fn next_or_end(
    cx: &mut Ctx<'_>,
    o: Obj<'_>,
    targets: &mut Targets<'_>,
    ql: QueryLanguage,
) -> (Option<Transition>, bool) {
    let next = values::opt_plain_str(cx, o, "Next", ql);
    let end = values::opt_bool(cx, o, "End");
    match (o.has("Next"), end) {
        (true, Some(true)) => {
            cx.error(
                o.ptr,
                "The fields 'Next' and 'End' are mutually exclusive: a state either ends its scope (\"End\": true) or names the next state",
            );
            (None, true)
        }
        (true, _) if o.has("End") && end == Some(false) => {
            // "End": false with Next is redundant but harmless.
            let id = next.and_then(|n| targets.resolve(cx, &o.at("Next"), "Next", n));
            (id.map(Transition::Next), false)
        }
        (true, _) => {
            let id = next.and_then(|n| targets.resolve(cx, &o.at("Next"), "Next", n));
            (id.map(Transition::Next), false)
        }
        (false, Some(true)) => (Some(Transition::End), true),
        (false, _) => {
            if !o.has("End") || end.is_some() {
                cx.error(
                    o.ptr,
                    "The state must have either a 'Next' field naming the next state or \"End\": true",
                );
            }
            (None, false)
        }
    }
}
