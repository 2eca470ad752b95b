//! Which fields each state type accepts, per query language (CHECKLIST §4).

use super::values::Obj;
use super::Ctx;
use crate::definition::machine::QueryLanguage;

/// Fields every state accepts.
const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];

/// The state types, in AWS's order (used in the `Type` message).
pub(crate) const STATE_TYPES: &[&str] = &[
    "Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map",
];

/// (fields in both languages, JSONPath-only fields, JSONata-only fields) for a type.
fn table(
    state_type: &str,
) -> (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
) {
    match state_type {
        "Pass" => (
            &["Next", "End", "Assign"],
            &[
                "InputPath",
                "OutputPath",
                "Parameters",
                "ResultPath",
                "Result",
            ],
            &["Output"],
        ),
        "Task" => (
            &[
                "Next",
                "End",
                "Assign",
                "Resource",
                "TimeoutSeconds",
                "HeartbeatSeconds",
                "Credentials",
                "Retry",
                "Catch",
            ],
            &[
                "InputPath",
                "OutputPath",
                "Parameters",
                "ResultSelector",
                "ResultPath",
                "TimeoutSecondsPath",
                "HeartbeatSecondsPath",
            ],
            &["Arguments", "Output"],
        ),
        "Choice" => (
            &["Choices", "Default", "Assign"],
            &["InputPath", "OutputPath"],
            &["Output"],
        ),
        "Wait" => (
            &["Next", "End", "Assign", "Seconds", "Timestamp"],
            &["InputPath", "OutputPath", "SecondsPath", "TimestampPath"],
            &["Output"],
        ),
        "Succeed" => (&[], &["InputPath", "OutputPath"], &["Output"]),
        "Fail" => (&["Error", "Cause"], &["ErrorPath", "CausePath"], &[]),
        "Parallel" => (
            &["Next", "End", "Assign", "Branches", "Retry", "Catch"],
            &[
                "InputPath",
                "OutputPath",
                "Parameters",
                "ResultSelector",
                "ResultPath",
            ],
            &["Arguments", "Output"],
        ),
        "Map" => (
            &[
                "Next",
                "End",
                "Assign",
                "Iterator",
                "ItemProcessor",
                "ItemReader",
                "ItemSelector",
                "ItemBatcher",
                "ResultWriter",
                "MaxConcurrency",
                "ToleratedFailurePercentage",
                "ToleratedFailureCount",
                "Label",
                "Retry",
                "Catch",
            ],
            &[
                "InputPath",
                "OutputPath",
                "Parameters",
                "ResultSelector",
                "ResultPath",
                "ItemsPath",
                "MaxConcurrencyPath",
                "ToleratedFailurePercentagePath",
                "ToleratedFailureCountPath",
            ],
            &["Items", "Output"],
        ),
        _ => (&[], &[], &[]),
    }
}

/// Reports every field the state type does not accept in its query language.
pub(crate) fn check_state_fields(
    cx: &mut Ctx<'_>,
    o: Obj<'_>,
    state_type: &str,
    ql: QueryLanguage,
) {
    let (both, jp, ja) = table(state_type);
    for key in o.map.keys() {
        let k = key.as_str();
        if COMMON.contains(&k) || both.contains(&k) {
            continue;
        }
        match ql {
            QueryLanguage::JsonPath if jp.contains(&k) => continue,
            QueryLanguage::Jsonata if ja.contains(&k) => continue,
            QueryLanguage::JsonPath if ja.contains(&k) => cx.error(
                &o.at(k),
                format!("The field '{k}' is only supported in JSONata states; set \"QueryLanguage\": \"JSONata\" to use it"),
            ),
            QueryLanguage::Jsonata if jp.contains(&k) => cx.error(
                &o.at(k),
                format!("The field '{k}' is not supported in JSONata states (JSONPath only)"),
            ),
            _ => unsupported(cx, &o.at(k), k),
        }
    }
}

/// Reports a field that is not part of the object's schema.
pub(crate) fn unsupported(cx: &mut Ctx<'_>, ptr: &str, key: &str) {
    cx.error(
        ptr,
        format!("The field '{key}' is not supported by Step Functions"),
    );
}

/// Reports every key of `o` that is not in `allowed`.
pub(crate) fn check_keys(cx: &mut Ctx<'_>, o: Obj<'_>, allowed: &[&str]) {
    for key in o.map.keys() {
        if !allowed.contains(&key.as_str()) {
            unsupported(cx, &o.at(key), key);
        }
    }
}
