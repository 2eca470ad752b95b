//! Payload templates (Parameters, ResultSelector, ItemSelector, Assign in JSONPath).
//!
//! STUB: the intrinsics helper writes this module.

/// A compiled payload template. (Stub until the intrinsics helper lands.)
#[derive(Clone, Debug)]
pub struct Template;
