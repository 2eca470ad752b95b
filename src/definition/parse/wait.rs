//! Wait states: exactly one of Seconds, Timestamp, SecondsPath, TimestampPath.

use super::task::MAX_SECONDS;
use super::values::{self, Obj};
use super::{compat, Ctx};
use crate::data::timestamp::Timestamp;
use crate::definition::machine::QueryLanguage;
use crate::definition::wait::Wait;

/// Parses a Wait state's own field.
pub(crate) fn parse_wait(cx: &mut Ctx<'_>, o: Obj<'_>, ql: QueryLanguage) -> Option<Wait> {
    let present: Vec<&str> = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]
        .into_iter()
        .filter(|k| o.has(k))
        .collect();
    let [field] = present.as_slice() else {
        let expected = match ql {
            QueryLanguage::JsonPath => "'Seconds', 'Timestamp', 'SecondsPath' or 'TimestampPath'",
            QueryLanguage::Jsonata => "'Seconds' or 'Timestamp'",
        };
        let what = if present.is_empty() {
            "none is set"
        } else {
            "several are set"
        };
        cx.error(
            o.ptr,
            format!("A Wait state needs exactly one of {expected}, but {what}"),
        );
        return None;
    };
    let ptr = o.at(field);
    let v = o.get(field)?;
    match *field {
        "Seconds" => match values::literal_or_expr(cx, &ptr, v, ql)? {
            Err(e) => Some(Wait::SecondsExpr(e)),
            Ok(v) => values::int_value(cx, &ptr, "Seconds", v, 0, MAX_SECONDS).map(Wait::Seconds),
        },
        "Timestamp" => match values::literal_or_expr(cx, &ptr, v, ql)? {
            Err(e) => Some(Wait::TimestampExpr(e)),
            Ok(v) => match v.as_str().and_then(Timestamp::parse) {
                Some(t) => Some(Wait::Timestamp(t)),
                None => {
                    cx.error(&ptr, "String does not match RFC3339 timestamp");
                    None
                }
            },
        },
        "SecondsPath" => {
            let s = values::opt_str(cx, o, field)?;
            compat::reference(cx, &ptr, field, s).map(Wait::SecondsPath)
        }
        _ => {
            let s = values::opt_str(cx, o, field)?;
            compat::reference(cx, &ptr, field, s).map(Wait::TimestampPath)
        }
    }
}
