//! The data-processing fields: InputPath, Parameters, ResultSelector, ResultPath,
//! OutputPath (JSONPath) and Arguments, Output (JSONata).

use super::compat;
use super::values::{self, Obj};
use super::Ctx;
use crate::definition::io::{InputFilter, Io, JsonPathIo, JsonataIo, ResultPath};
use crate::definition::jsonata::is_expression;
use crate::definition::machine::QueryLanguage;
use serde_json::Value;

/// Parses the state's I/O fields for its query language.
pub(crate) fn parse_io(
    cx: &mut Ctx<'_>,
    o: Obj<'_>,
    state_type: &str,
    ql: QueryLanguage,
) -> Option<Io> {
    match ql {
        QueryLanguage::JsonPath => {
            let input_path = input_filter(cx, o, "InputPath");
            let output_path = input_filter(cx, o, "OutputPath");
            let parameters = match o.get("Parameters") {
                Some(v) if state_type != "Map" => {
                    compat::template(cx, &o.at("Parameters"), v).map(Some)
                }
                _ => Some(None),
            };
            let result_selector = match o.get("ResultSelector") {
                Some(v @ Value::Object(_)) => {
                    compat::template(cx, &o.at("ResultSelector"), v).map(Some)
                }
                Some(v) => {
                    values::wrong_type(cx, &o.at("ResultSelector"), "ResultSelector", "OBJECT", v);
                    None
                }
                None => Some(None),
            };
            let result_path = result_path(cx, o, "ResultPath");
            Some(Io::JsonPath(JsonPathIo {
                input_path: input_path?,
                parameters: parameters?,
                result_selector: result_selector?,
                result_path: result_path?,
                output_path: output_path?,
            }))
        }
        QueryLanguage::Jsonata => {
            let arguments = match o.get("Arguments") {
                Some(v) => arguments(cx, &o.at("Arguments"), v).map(Some),
                None => Some(None),
            };
            let output = match o.get("Output") {
                Some(v) => values::jsonata_value(cx, &o.at("Output"), v).map(Some),
                None => Some(None),
            };
            Some(Io::Jsonata(JsonataIo {
                arguments: arguments?,
                output: output?,
            }))
        }
    }
}

/// JSONata `Arguments`: an object, or a single expression string.
pub(crate) fn arguments(
    cx: &mut Ctx<'_>,
    ptr: &str,
    v: &Value,
) -> Option<crate::definition::jsonata::JsonataValue> {
    match v {
        Value::Object(_) => values::jsonata_value(cx, ptr, v),
        Value::String(s) if is_expression(s) => values::jsonata_value(cx, ptr, v),
        _ => {
            cx.error(
                ptr,
                format!(
                    "The field 'Arguments' must be an OBJECT or a JSONata expression but was {}",
                    super::type_name(v)
                ),
            );
            None
        }
    }
}

/// `InputPath` / `OutputPath`: absent or `$` → identity, `null` → `{}`, else a Path.
pub(crate) fn input_filter(cx: &mut Ctx<'_>, o: Obj<'_>, key: &str) -> Option<InputFilter> {
    match o.get(key) {
        None => Some(InputFilter::Identity),
        Some(Value::Null) => Some(InputFilter::Empty),
        Some(Value::String(s)) if s == "$" => Some(InputFilter::Identity),
        Some(Value::String(s)) => compat::path(cx, &o.at(key), key, s).map(InputFilter::Path),
        Some(v) => {
            values::wrong_type(cx, &o.at(key), key, "STRING", v);
            None
        }
    }
}

/// `ResultPath` (also on Catchers): absent or `$` → replace, `null` → discard, else a
/// reference path rooted at `$`.
pub(crate) fn result_path(cx: &mut Ctx<'_>, o: Obj<'_>, key: &str) -> Option<ResultPath> {
    match o.get(key) {
        None => Some(ResultPath::Replace),
        Some(Value::Null) => Some(ResultPath::Discard),
        Some(Value::String(s)) if s == "$" => Some(ResultPath::Replace),
        Some(Value::String(s)) => {
            let p = compat::reference(cx, &o.at(key), key, s)?;
            if compat::rooted_at_input(&p) {
                Some(ResultPath::At(p))
            } else {
                cx.error(
                    &o.at(key),
                    format!("The value for the field '{key}' must be a reference path starting with '$' (it writes into the state's input): '{s}'"),
                );
                None
            }
        }
        Some(v) => {
            values::wrong_type(cx, &o.at(key), key, "STRING", v);
            None
        }
    }
}
