//! Succeed states: InputPath, then OutputPath; the scope ends.

use super::engine::{Failure, StateCx, StateOk};
use super::io;
use crate::definition::state::Transition;
use crate::value::Val;

/// Runs a Succeed state.
pub(crate) fn run(cx: &StateCx<'_>, raw: Val) -> Result<StateOk, Failure> {
    let ctx = cx.ctx;
    let effective = io::effective_input(cx, &raw, ctx)?;
    let (output, _) = io::finish(cx, raw, effective, ctx, None)?;
    Ok(StateOk {
        output,
        next: Transition::End,
        assigned: None,
    })
}
