//! The parser's only call sites into `crate::data` (paths, templates, intrinsics),
//! each turning the data layer's syntax error into a diagnostic.

use super::Ctx;
use crate::data::intrinsic::Intrinsic;
use crate::data::path::Path;
use crate::data::template::Template;
use crate::data::PathRoot;
use serde_json::Value;

/// The intrinsic functions that return a string (allowed in Fail `ErrorPath`/`CausePath`).
const STRING_INTRINSICS: &[&str] = &[
    "ArrayGetItem",
    "Base64Encode",
    "Base64Decode",
    "Format",
    "JsonToString",
    "Hash",
    "UUID",
];

/// Compiles a Path (InputPath, OutputPath, ...).
pub(crate) fn path(cx: &mut Ctx<'_>, ptr: &str, field: &str, text: &str) -> Option<Path> {
    match Path::parse(text) {
        Ok(p) => Some(p),
        Err(e) => {
            cx.error(
                ptr,
                format!(
                    "The value for the field '{field}' must be a valid JSONPath ({}): '{text}'",
                    e.message
                ),
            );
            None
        }
    }
}

/// Compiles a Reference Path (ResultPath, ItemsPath, Variable, `*Path` fields).
pub(crate) fn reference(cx: &mut Ctx<'_>, ptr: &str, field: &str, text: &str) -> Option<Path> {
    match Path::parse_reference(text) {
        Ok(p) => Some(p),
        Err(e) => {
            cx.error(
                ptr,
                format!(
                    "The value for the field '{field}' must be a valid ReferencePath ({}): '{text}'",
                    e.message
                ),
            );
            None
        }
    }
}

/// `true` when the path starts at `$` (the data), not `$$` or a variable.
pub(crate) fn rooted_at_input(p: &Path) -> bool {
    matches!(p.root(), PathRoot::Input)
}

/// Compiles a payload template (Parameters, ResultSelector, ItemSelector, Assign,
/// Credentials). Errors are reported at the template field's pointer, as AWS does.
pub(crate) fn template(cx: &mut Ctx<'_>, ptr: &str, value: &Value) -> Option<Template> {
    match Template::compile(value) {
        Ok(t) => Some(t),
        Err(e) => {
            cx.error(ptr, e.message);
            None
        }
    }
}

/// Compiles a Fail `ErrorPath`/`CausePath` intrinsic call (string-returning only).
pub(crate) fn string_intrinsic(
    cx: &mut Ctx<'_>,
    ptr: &str,
    field: &str,
    text: &str,
) -> Option<Intrinsic> {
    let name = text
        .trim_start()
        .strip_prefix("States.")
        .and_then(|rest| rest.split('(').next())
        .unwrap_or("")
        .trim();
    if !STRING_INTRINSICS.contains(&name) {
        cx.error(
            ptr,
            format!(
                "The value for the field '{field}' must be a valid JSONPath or an intrinsic function that returns a string ({}): '{text}'",
                STRING_INTRINSICS
                    .iter()
                    .map(|n| format!("States.{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        return None;
    }
    match Intrinsic::parse(text) {
        Ok(i) => Some(i),
        Err(e) => {
            cx.error(
                ptr,
                format!(
                    "The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call ({})",
                    e.message
                ),
            );
            None
        }
    }
}
