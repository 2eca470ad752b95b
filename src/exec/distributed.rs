//! DISTRIBUTED Map runs (placeholder until implemented).

use super::engine::StateCx;
use super::map::Attempt;
use crate::data::context::ContextObject;
use crate::definition::map::MapState;
use crate::error::StatesError;
use crate::value::Val;

/// Runs a distributed Map once.
pub(crate) async fn run(
    cx: &StateCx<'_>,
    m: &MapState,
    input: &Val,
    ctx: &ContextObject,
) -> Result<Val, Attempt> {
    let _ = (m, input, ctx);
    Err(Attempt::Fatal(cx.fail(StatesError::runtime(
        "distributed Map is not implemented yet",
    ))))
}
