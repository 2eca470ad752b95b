//! TEMPORARY: evaluation entry points of the payload-template and intrinsic modules,
//! which other branches are writing. Removed when those branches are merged.

use crate::data::intrinsic::Intrinsic;
use crate::data::template::Template;
use crate::data::Env;
use crate::error::StatesError;
use crate::value::Val;

impl Template {
    /// Evaluates the template (stub).
    pub fn eval(&self, env: &Env<'_>) -> Result<Val, StatesError> {
        let _ = env;
        Err(StatesError::runtime(
            "payload templates are not available yet",
        ))
    }
}

impl Intrinsic {
    /// Evaluates the intrinsic call (stub).
    pub fn eval(&self, env: &Env<'_>) -> Result<Val, StatesError> {
        let _ = env;
        Err(StatesError::intrinsic("intrinsics are not available yet"))
    }
}
