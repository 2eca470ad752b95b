//! Payload templates (Parameters, ResultSelector, ItemSelector, Assign in JSONPath).
//!
//! STUB: the intrinsics helper writes this module.
