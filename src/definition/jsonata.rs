//! JSONata-mode values: JSON in which strings of the form `{% expr %}` are expressions.
//!
//! Expressions are kept as text (their delimiters and placement checked at parse
//! time); compiling and evaluating JSONata comes with the JSONata work.

use crate::value::Val;

/// A JSONata-mode field value: literal JSON with `{% ... %}` strings at any depth.
#[derive(Clone, Debug)]
pub struct JsonataValue {
    /// The value as written.
    pub value: Val,
}

/// `true` when `s` is a JSONata expression string: starts with `{%` and ends with `%}`.
pub fn is_expression(s: &str) -> bool {
    s.len() >= 4 && s.starts_with("{%") && s.ends_with("%}")
}

/// The expression body between `{%` and `%}`, if `s` is an expression string.
pub fn expression_body(s: &str) -> Option<&str> {
    if is_expression(s) {
        Some(&s[2..s.len() - 2])
    } else {
        None
    }
}
