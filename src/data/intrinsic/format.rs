//! `States.Format`: `{}` placeholders filled with the arguments' text.
//!
//! Strings are inserted raw; numbers, booleans and `null` as their JSON text; objects
//! and arrays the way Java prints a `Map`/`List` (`{a=1, b=[x, y]}`), as AWS does.

use super::{expect_str, failure, Call, Function, Prepared};
use crate::error::StatesError;
use crate::value::Val;

/// Evaluates `States.Format(template, args...)`.
pub(super) fn format(call: &Call, args: &[Val]) -> Result<Val, StatesError> {
    let owned;
    let pieces: &[Box<str>] = match &call.prepared {
        Prepared::FormatPieces(p) => p,
        _ => {
            owned = split_template(expect_str(Function::Format, args, 0)?);
            &owned
        }
    };
    let values = &args[1..];
    if pieces.len() - 1 != values.len() {
        return Err(failure(
            Function::Format,
            format!(
                "the template has {} placeholder(s) but {} argument(s) were given",
                pieces.len() - 1,
                values.len()
            ),
        ));
    }
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum::<usize>() + 16);
    for (i, piece) in pieces.iter().enumerate() {
        out.push_str(piece);
        if let Some(v) = values.get(i) {
            render(v, &mut out);
        }
    }
    Ok(Val::string(out))
}

/// Splits a run-time template (from a path or a call) at its `{}` placeholders.
/// Backslashes have no special meaning there: escapes belong to literals.
fn split_template(template: &str) -> Vec<Box<str>> {
    template.split("{}").map(Box::from).collect()
}

/// Appends the Java `toString` text of a value.
pub(super) fn render(v: &Val, out: &mut String) {
    match v {
        Val::String(s) => out.push_str(s),
        Val::Array(a) => {
            out.push('[');
            for (i, item) in a.items().iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(item, out);
            }
            out.push(']');
        }
        Val::Object(o) => {
            out.push('{');
            for (i, (k, item)) in o.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                render(item, out);
            }
            out.push('}');
        }
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Number(n) => out.push_str(&n.to_string()),
    }
}
