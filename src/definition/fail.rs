//! Fail states.

use super::jsonata::JsonataValue;
use crate::data::intrinsic::Intrinsic;
use crate::data::path::Path;
use std::sync::Arc;

/// A `Fail` state's own fields: all optional.
#[derive(Clone, Debug, Default)]
pub struct Fail {
    /// `Error` / `ErrorPath`.
    pub error: Option<FailField>,
    /// `Cause` / `CausePath`.
    pub cause: Option<FailField>,
}

/// Where a Fail state's error or cause comes from.
#[derive(Clone, Debug)]
pub enum FailField {
    /// A literal string.
    Literal(Arc<str>),
    /// `ErrorPath`/`CausePath` as a path.
    Path(Path),
    /// `ErrorPath`/`CausePath` as a string-returning intrinsic.
    Intrinsic(Intrinsic),
    /// A JSONata expression.
    Jsonata(JsonataValue),
}
