//! `Retry` and `Catch` (CHECKLIST §12.3–12.4).

use super::assign::parse_assign;
use super::fields::check_keys;
use super::io::result_path;
use super::pointer::join;
use super::values::{self, Obj};
use super::Ctx;
use crate::definition::io::ResultPath;
use crate::definition::machine::QueryLanguage;
use crate::definition::retry::{Catcher, ErrorMatcher, Jitter, Retrier};
use crate::definition::validate::transitions::Targets;
use serde_json::Value;
use std::sync::Arc;

/// The predefined error names (the only `States.*` names allowed in ErrorEquals).
pub(crate) const PREDEFINED_ERRORS: &[&str] = &[
    "States.ALL",
    "States.HeartbeatTimeout",
    "States.Timeout",
    "States.TaskFailed",
    "States.Permissions",
    "States.ResultPathMatchFailure",
    "States.ParameterPathFailure",
    "States.QueryEvaluationError",
    "States.BranchFailed",
    "States.NoChoiceMatched",
    "States.IntrinsicFailure",
    "States.ExceedToleratedFailureThreshold",
    "States.ItemReaderFailed",
    "States.ResultWriterFailed",
    "States.Runtime",
    "States.DataLimitExceeded",
];

const MAX_RETRY_NUMBER: u64 = 99_999_999;
const MAX_DELAY_SECONDS: u64 = 31_622_400;

/// Parses `Retry` (absent → empty).
pub(crate) fn parse_retry(cx: &mut Ctx<'_>, o: Obj<'_>, ql: QueryLanguage) -> Option<Vec<Retrier>> {
    if !o.has("Retry") {
        return Some(Vec::new());
    }
    let items = values::opt_array(cx, o, "Retry")?;
    let ptr = o.at("Retry");
    let before = cx.error_count();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let iptr = join(&ptr, &i.to_string());
        let Value::Object(map) = item else {
            values::wrong_type(cx, &iptr, "Retry", "OBJECT", item);
            continue;
        };
        let r = Obj { map, ptr: &iptr };
        check_keys(
            cx,
            r,
            &[
                "ErrorEquals",
                "IntervalSeconds",
                "MaxAttempts",
                "BackoffRate",
                "MaxDelaySeconds",
                "JitterStrategy",
                "Comment",
            ],
        );
        values::opt_plain_str(cx, r, "Comment", ql);
        let errors = error_equals(cx, r, i + 1 == items.len(), "retrier");
        let interval = values::opt_int(cx, r, "IntervalSeconds", 1, MAX_RETRY_NUMBER);
        let attempts = values::opt_int(cx, r, "MaxAttempts", 0, MAX_RETRY_NUMBER);
        let backoff = values::opt_number(cx, r, "BackoffRate", 1.0, f64::MAX);
        let max_delay = values::opt_int(cx, r, "MaxDelaySeconds", 1, MAX_DELAY_SECONDS);
        let jitter = values::opt_enum(cx, r, "JitterStrategy", &["FULL", "NONE"]);
        if let Some(errors) = errors {
            out.push(Retrier {
                errors,
                interval_seconds: interval.unwrap_or(1),
                max_attempts: attempts.map_or(3, |a| a as u32),
                backoff_rate: backoff.unwrap_or(2.0),
                max_delay_seconds: max_delay,
                jitter: if jitter == Some("FULL") {
                    Jitter::Full
                } else {
                    Jitter::None
                },
            });
        }
    }
    (cx.error_count() == before).then_some(out)
}

/// Parses `Catch` (absent → empty), resolving each catcher's `Next`.
pub(crate) fn parse_catch(
    cx: &mut Ctx<'_>,
    o: Obj<'_>,
    ql: QueryLanguage,
    targets: &mut Targets<'_>,
) -> Option<Vec<Catcher>> {
    if !o.has("Catch") {
        return Some(Vec::new());
    }
    let items = values::opt_array(cx, o, "Catch")?;
    let ptr = o.at("Catch");
    let before = cx.error_count();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let iptr = join(&ptr, &i.to_string());
        let Value::Object(map) = item else {
            values::wrong_type(cx, &iptr, "Catch", "OBJECT", item);
            continue;
        };
        let c = Obj { map, ptr: &iptr };
        let lang_field = match ql {
            QueryLanguage::JsonPath => "ResultPath",
            QueryLanguage::Jsonata => "Output",
        };
        check_keys(
            cx,
            c,
            &["ErrorEquals", "Next", "Comment", "Assign", lang_field],
        );
        values::opt_plain_str(cx, c, "Comment", ql);
        let errors = error_equals(cx, c, i + 1 == items.len(), "catcher");
        let next = match values::opt_plain_str(cx, c, "Next", ql) {
            Some(n) => targets.resolve(cx, &c.at("Next"), "Next", n),
            None => {
                if !c.has("Next") {
                    values::missing(cx, &iptr, "Next");
                }
                None
            }
        };
        let rp = match ql {
            QueryLanguage::JsonPath => result_path(cx, c, "ResultPath"),
            QueryLanguage::Jsonata => Some(ResultPath::Replace),
        };
        let output = match (ql, c.get("Output")) {
            (QueryLanguage::Jsonata, Some(v)) => {
                values::jsonata_value(cx, &c.at("Output"), v).map(Some)
            }
            _ => Some(None),
        };
        let assign = match c.get("Assign") {
            Some(v) => parse_assign(cx, v, &c.at("Assign"), ql).map(Some),
            None => Some(None),
        };
        if let (Some(errors), Some(next), Some(result_path), Some(output), Some(assign)) =
            (errors, next, rp, output, assign)
        {
            out.push(Catcher {
                errors,
                next,
                result_path,
                output,
                assign,
            });
        }
    }
    (cx.error_count() == before).then_some(out)
}

/// `ErrorEquals`: a non-empty array of strings; `States.ALL` alone and only in the
/// last retrier/catcher; no unknown `States.` names.
fn error_equals(cx: &mut Ctx<'_>, o: Obj<'_>, is_last: bool, what: &str) -> Option<ErrorMatcher> {
    let ptr = o.at("ErrorEquals");
    let Some(v) = o.get("ErrorEquals") else {
        values::missing(cx, o.ptr, "ErrorEquals");
        return None;
    };
    let Value::Array(items) = v else {
        values::wrong_type(cx, &ptr, "ErrorEquals", "ARRAY", v);
        return None;
    };
    if items.is_empty() {
        cx.error(&ptr, "Value cannot be empty");
        return None;
    }
    let before = cx.error_count();
    let mut names = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let iptr = join(&ptr, &i.to_string());
        let Value::String(name) = item else {
            values::wrong_type(cx, &iptr, "ErrorEquals", "STRING", item);
            continue;
        };
        if name.starts_with("States.") && !PREDEFINED_ERRORS.contains(&name.as_str()) {
            cx.error(
                &iptr,
                format!("'{name}' is not a predefined error name; error names starting with 'States.' are reserved (custom errors must not use that prefix)"),
            );
        }
        if name == "States.ALL" {
            if items.len() > 1 {
                cx.error(&iptr, "'States.ALL' must appear alone in 'ErrorEquals'");
            } else if !is_last {
                cx.error(
                    &iptr,
                    format!("A {what} whose 'ErrorEquals' is 'States.ALL' must be the last {what}"),
                );
            }
        }
        names.push(Arc::from(name.as_str()));
    }
    (cx.error_count() == before).then_some(ErrorMatcher { names })
}
