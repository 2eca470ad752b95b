//! Intrinsic functions (`States.Format(...)` and the 17 others), compiled once.
//!
//! STUB: the intrinsics helper writes this module.

/// A compiled intrinsic function call. (Stub until the intrinsics helper lands.)
#[derive(Clone, Debug)]
pub struct Intrinsic;
