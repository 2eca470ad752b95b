//! The top-level document and every nested scope (`StartAt` + `States`).

use super::fields::check_keys;
use super::hash::FastMap;
use super::pointer::join;
use super::states::parse_state;
use super::values::{self, Obj};
use super::Ctx;
use crate::definition::diagnostic::Code;
use crate::definition::machine::{MachineDef, QueryLanguage, Scope};
use crate::definition::validate::transitions::Targets;
use crate::definition::validate::{reachability, variables, Graph};
use serde_json::Value;

/// The longest state name AWS accepts.
const MAX_STATE_NAME: usize = 80;

/// Which kind of scope is parsed: it decides the extra fields it accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScopeKind {
    /// The whole definition.
    Top,
    /// A Parallel branch or a legacy `Iterator`.
    Nested,
    /// A Map `ItemProcessor` (also accepts `ProcessorConfig`).
    Processor,
}

/// Parses the whole definition.
pub(crate) fn parse_document(cx: &mut Ctx<'_>, value: Value) -> Option<MachineDef> {
    let Value::Object(map) = &value else {
        cx.error("", "Definition must be a valid JSON object");
        return None;
    };
    let o = Obj { map, ptr: "" };
    check_keys(
        cx,
        o,
        &[
            "StartAt",
            "States",
            "Comment",
            "Version",
            "TimeoutSeconds",
            "QueryLanguage",
        ],
    );
    let ql = query_language(cx, o).unwrap_or_default();
    cx.machine_ql = ql;
    if o.has("Version") && values::opt_str(cx, o, "Version").is_some_and(|v| v != "1.0") {
        cx.error(
            &o.at("Version"),
            "The field 'Version' should have one of these values: [1.0]",
        );
    }
    let timeout_seconds = values::opt_int(cx, o, "TimeoutSeconds", 0, 99_999_999);
    let scope = parse_scope(cx, o, ql, ScopeKind::Top);
    variables::check_scoping(cx);
    let scope = scope?;
    Some(MachineDef {
        scope,
        timeout_seconds,
        query_language: ql,
        machine_type: cx.opts.machine_type,
        source_json: value,
        source_val: Default::default(),
    })
}

/// Reads a `QueryLanguage` field: `JSONPath` or `JSONata`.
pub(crate) fn query_language(cx: &mut Ctx<'_>, o: Obj<'_>) -> Option<QueryLanguage> {
    match values::opt_enum(cx, o, "QueryLanguage", &["JSONPath", "JSONata"])? {
        "JSONata" => Some(QueryLanguage::Jsonata),
        _ => Some(QueryLanguage::JsonPath),
    }
}

/// Parses a nested state machine (Parallel branch, Map processor) at `ptr`.
pub(crate) fn parse_nested(
    cx: &mut Ctx<'_>,
    value: &Value,
    ptr: &str,
    ql: QueryLanguage,
    kind: ScopeKind,
) -> Option<Scope> {
    let Value::Object(map) = value else {
        values::wrong_type(
            cx,
            ptr,
            ptr.rsplit('/').next().unwrap_or(""),
            "OBJECT",
            value,
        );
        return None;
    };
    let o = Obj { map, ptr };
    let mut allowed = vec!["StartAt", "States", "Comment", "QueryLanguage"];
    if kind == ScopeKind::Processor {
        allowed.push("ProcessorConfig");
    }
    check_keys(cx, o, &allowed);
    let ql = match query_language(cx, o) {
        Some(QueryLanguage::JsonPath) if cx.machine_ql == QueryLanguage::Jsonata => {
            cx.error(
                ptr,
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            );
            ql
        }
        Some(q) => q,
        None => ql,
    };
    cx.scope_count += 1;
    cx.scope_stack.push(cx.scope_count);
    let scope = parse_scope(cx, o, ql, kind);
    cx.scope_stack.pop();
    scope
}

/// Parses `StartAt`, `States` and `Comment` of a scope object, then checks its graph.
fn parse_scope(cx: &mut Ctx<'_>, o: Obj<'_>, ql: QueryLanguage, kind: ScopeKind) -> Option<Scope> {
    if kind == ScopeKind::Top {
        cx.scope_stack.push(0);
    }
    let missing: Vec<&str> = ["States", "StartAt"]
        .into_iter()
        .filter(|k| !o.has(k))
        .collect();
    if !missing.is_empty() {
        cx.error(
            o.ptr,
            format!("These fields are required: [{}]", missing.join(", ")),
        );
    }
    let comment = values::opt_str(cx, o, "Comment").map(str::to_owned);
    let start_at = values::opt_plain_str(cx, o, "StartAt", ql);
    let states = values::opt_object(cx, o, "States");
    let states = states?;
    let states_ptr = o.at("States");
    if states.is_empty() {
        cx.error(&states_ptr, "Value cannot be empty");
    }

    // Names first: transitions resolve against the whole scope.
    let mut names: FastMap<&str, usize> = FastMap::default();
    names.reserve(states.len());
    for (i, name) in states.keys().enumerate() {
        names.insert(name.as_str(), i);
        let len = name.chars().count();
        if len == 0 || len > MAX_STATE_NAME {
            cx.error_code(
                Code::InvalidStateName,
                &join(&states_ptr, name),
                format!("State names must be 1 to {MAX_STATE_NAME} characters long, but '{name}' has {len}"),
            );
        }
        if !cx.state_names.insert(name.clone()) {
            cx.error_code(
                Code::DuplicateStateName,
                &join(&states_ptr, name),
                format!("Duplicate State name: '{name}' (state names must be unique across the whole state machine, including Parallel branches and Map processors)"),
            );
        }
    }

    let mut graph = Graph {
        names: states.keys().cloned().collect(),
        complete: true,
        ..Graph::default()
    };
    let mut compiled = Vec::with_capacity(states.len());
    for (name, value) in states {
        let ptr = join(&states_ptr, name);
        let mut targets = Targets::new(&names);
        let (state, terminal) = parse_state(cx, name, value, &ptr, &mut targets, ql);
        graph.edges.push(targets.edges);
        graph.complete &= terminal.is_some();
        graph.terminal.push(terminal.unwrap_or(false));
        compiled.push(state);
    }

    let start = match start_at {
        Some(s) => {
            let id = names.get(s).copied();
            if id.is_none() && !states.is_empty() {
                cx.error_code(
                    Code::MissingTransitionTarget,
                    &o.at("StartAt"),
                    format!("Missing 'StartAt' target: {s} (no state of that name in 'States')"),
                );
            }
            id
        }
        None => None,
    };
    graph.start = start;
    reachability::check(cx, &graph, o.ptr, &states_ptr);

    let states: Option<Vec<_>> = compiled.into_iter().collect();
    Some(Scope {
        start_at: start?,
        states: states?,
        comment,
    })
}
