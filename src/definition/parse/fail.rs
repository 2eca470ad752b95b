//! Fail states: Error/ErrorPath, Cause/CausePath.

use super::values::{self, Obj};
use super::{compat, Ctx};
use crate::definition::fail::{Fail, FailField};
use crate::definition::jsonata::is_expression;
use crate::definition::machine::QueryLanguage;
use serde_json::Value;
use std::sync::Arc;

/// Parses a Fail state's own fields.
pub(crate) fn parse_fail(cx: &mut Ctx<'_>, o: Obj<'_>, ql: QueryLanguage) -> Option<Fail> {
    let error = field(cx, o, "Error", "ErrorPath", ql);
    let cause = field(cx, o, "Cause", "CausePath", ql);
    Some(Fail {
        error: error?,
        cause: cause?,
    })
}

fn field(
    cx: &mut Ctx<'_>,
    o: Obj<'_>,
    key: &str,
    path_key: &str,
    ql: QueryLanguage,
) -> Option<Option<FailField>> {
    if values::exclusive(cx, o, key, path_key) {
        return None;
    }
    if let Some(v) = o.get(key) {
        let ptr = o.at(key);
        return match v {
            Value::String(s) if ql == QueryLanguage::Jsonata && is_expression(s) => {
                values::jsonata_value(cx, &ptr, v).map(|j| Some(FailField::Jsonata(j)))
            }
            Value::String(s) => Some(Some(FailField::Literal(Arc::from(s.as_str())))),
            _ => {
                values::wrong_type(cx, &ptr, key, "STRING", v);
                None
            }
        };
    }
    if ql == QueryLanguage::JsonPath && o.has(path_key) {
        let s = values::opt_str(cx, o, path_key)?;
        let ptr = o.at(path_key);
        return if s.trim_start().starts_with("States.") {
            compat::string_intrinsic(cx, &ptr, path_key, s).map(|i| Some(FailField::Intrinsic(i)))
        } else {
            compat::path(cx, &ptr, path_key, s).map(|p| Some(FailField::Path(p)))
        };
    }
    Some(None)
}
