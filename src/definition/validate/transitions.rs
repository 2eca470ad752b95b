//! Resolving `StartAt`, `Next`, `Default` and Catcher `Next` to state ids within a
//! scope (MISSING_TRANSITION_TARGET).

use crate::definition::diagnostic::Code;
use crate::definition::machine::StateId;
use crate::definition::parse::hash::FastMap;
use crate::definition::parse::Ctx;

/// A scope's name → id table, and the edges found while parsing one state.
pub(crate) struct Targets<'n> {
    names: &'n FastMap<&'n str, StateId>,
    /// The transitions of the state being parsed.
    pub edges: Vec<StateId>,
}

impl<'n> Targets<'n> {
    /// A resolver over a scope's names.
    pub fn new(names: &'n FastMap<&'n str, StateId>) -> Targets<'n> {
        Targets {
            names,
            edges: Vec::new(),
        }
    }

    /// Resolves `target` named by field `field` at `ptr`; reports a missing target.
    pub fn resolve(
        &mut self,
        cx: &mut Ctx<'_>,
        ptr: &str,
        field: &str,
        target: &str,
    ) -> Option<StateId> {
        match self.names.get(target) {
            Some(&id) => {
                self.edges.push(id);
                Some(id)
            }
            None => {
                cx.error_code(
                    Code::MissingTransitionTarget,
                    ptr,
                    format!("Missing '{field}' target: {target} (no state of that name in the same scope)"),
                );
                None
            }
        }
    }
}
