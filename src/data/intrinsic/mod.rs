//! Intrinsic functions (`States.Format(...)` and the 17 others), compiled once.
//!
//! STUB: the intrinsics helper writes this module.
