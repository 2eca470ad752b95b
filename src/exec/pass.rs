//! Pass states: `Result` (a literal, never template-processed) or the effective input.

use super::engine::{Failure, StateCx, StateOk};
use super::io;
use crate::value::Val;

/// Runs a Pass state.
pub(crate) fn run(cx: &StateCx<'_>, result: Option<&Val>, raw: Val) -> Result<StateOk, Failure> {
    let ctx = cx.ctx;
    let effective = io::effective_input(cx, &raw, ctx)?;
    let result = match result {
        Some(r) => r.clone(),
        None => effective,
    };
    let (output, assigned) = io::finish(cx, raw, result, ctx, cx.state.assign.as_ref())?;
    Ok(StateOk {
        output,
        next: cx.state.transition,
        assigned,
    })
}
