//! Whole-scope checks that run after a scope's states are parsed: transition
//! targets, reachability and terminal states, and variable scoping.

pub(crate) mod reachability;
pub(crate) mod transitions;
pub(crate) mod variables;

use super::machine::StateId;

/// The transition graph of one scope, as far as it could be parsed.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    /// State names, in definition order (a [`StateId`] indexes this).
    pub names: Vec<String>,
    /// Each state's outgoing transitions (Next, Default, Choice rules, Catchers).
    pub edges: Vec<Vec<StateId>>,
    /// Whether each state can end the scope (End: true, Succeed, Fail).
    pub terminal: Vec<bool>,
    /// `false` when some state's kind is unknown (so terminal states cannot be judged).
    pub complete: bool,
    /// The resolved `StartAt`.
    pub start: Option<StateId>,
}
