//! Parallel states: `Branches` (each its own scope), Retry, Catch.

use super::document::{parse_nested, ScopeKind};
use super::pointer::join;
use super::retry::{parse_catch, parse_retry};
use super::values::{self, Obj};
use super::Ctx;
use crate::definition::machine::QueryLanguage;
use crate::definition::parallel::Parallel;
use crate::definition::validate::transitions::Targets;
use serde_json::Value;

/// Parses a Parallel state's own fields.
pub(crate) fn parse_parallel(
    cx: &mut Ctx<'_>,
    o: Obj<'_>,
    ql: QueryLanguage,
    targets: &mut Targets<'_>,
) -> Option<Parallel> {
    let before = cx.error_count();
    let mut branches = Vec::new();
    match o.get("Branches") {
        None => values::missing(cx, o.ptr, "Branches"),
        Some(Value::Array(items)) if items.is_empty() => {
            cx.error(&o.at("Branches"), "Value cannot be empty");
        }
        Some(Value::Array(items)) => {
            let ptr = o.at("Branches");
            for (i, item) in items.iter().enumerate() {
                if let Some(s) =
                    parse_nested(cx, item, &join(&ptr, &i.to_string()), ql, ScopeKind::Nested)
                {
                    branches.push(s);
                }
            }
        }
        Some(v) => values::wrong_type(cx, &o.at("Branches"), "Branches", "ARRAY", v),
    }
    let retry = parse_retry(cx, o, ql);
    let catch = parse_catch(cx, o, ql, targets);
    if cx.error_count() != before {
        return None;
    }
    Some(Parallel {
        branches,
        retry: retry?,
        catch: catch?,
    })
}
