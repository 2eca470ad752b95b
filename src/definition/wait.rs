//! Wait states.

use super::jsonata::JsonataValue;
use crate::data::path::Path;
use crate::data::timestamp::Timestamp;

/// A `Wait` state's own field: exactly one of the four forms.
#[derive(Clone, Debug)]
pub enum Wait {
    /// `Seconds`: a literal non-negative integer.
    Seconds(u64),
    /// `Timestamp`: a literal RFC 3339 instant.
    Timestamp(Timestamp),
    /// `SecondsPath`: a reference path to a non-negative integer.
    SecondsPath(Path),
    /// `TimestampPath`: a reference path to an RFC 3339 string.
    TimestampPath(Path),
    /// JSONata `Seconds` expression.
    SecondsExpr(JsonataValue),
    /// JSONata `Timestamp` expression.
    TimestampExpr(JsonataValue),
}
