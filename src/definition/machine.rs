//! The compiled state machine and its transition scopes.

use super::state::State;
use crate::value::Val;
use std::sync::{Arc, OnceLock};

/// The index of a state inside its [`Scope`]: `Next` targets are resolved to these.
pub type StateId = usize;

/// Which query language a state (or the machine) uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum QueryLanguage {
    /// `"JSONPath"`: InputPath, Parameters, ResultSelector, ResultPath, OutputPath (the default).
    #[default]
    JsonPath,
    /// `"JSONata"`: Arguments, Output, `{% %}` expressions.
    Jsonata,
}

/// STANDARD or EXPRESS: AWS applies different rules to each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MachineType {
    /// Long-running, exactly-once workflows (the default).
    #[default]
    Standard,
    /// Short, high-volume workflows: no activities, `.sync` or `.waitForTaskToken`.
    Express,
}

/// One `States` object with its `StartAt`: the top level, a Parallel branch or a Map
/// processor. Transitions stay inside a scope.
#[derive(Debug)]
pub struct Scope {
    /// The first state.
    pub start_at: StateId,
    /// The states, in definition order; a [`StateId`] indexes this vector.
    pub states: Vec<State>,
    /// The scope's `Comment`.
    pub comment: Option<String>,
}

impl Scope {
    /// The state with this id.
    pub fn state(&self, id: StateId) -> &State {
        &self.states[id]
    }

    /// The id of the state named `name` (a linear search: for tools and tests, never
    /// the executor, which follows resolved ids).
    pub fn find(&self, name: &str) -> Option<StateId> {
        self.states.iter().position(|s| &*s.name == name)
    }
}

/// A parsed, validated state machine definition: typed, immutable, `Send + Sync`, and
/// cheap to clone (an `Arc`).
#[derive(Clone, Debug)]
pub struct StateMachine {
    pub(crate) def: Arc<MachineDef>,
}

/// The contents of a [`StateMachine`].
#[derive(Debug)]
pub struct MachineDef {
    /// The top-level scope.
    pub scope: Scope,
    /// Top-level `TimeoutSeconds`: the whole execution's time limit.
    pub timeout_seconds: Option<u64>,
    /// Top-level `QueryLanguage` (the default for every state).
    pub query_language: QueryLanguage,
    /// The type the definition was validated for.
    pub machine_type: MachineType,
    /// The definition as given, as parsed; converted to a [`Val`] on first use by
    /// [`MachineDef::source`] (most machines never need it, and the conversion
    /// costs as much as the rest of parsing).
    pub(crate) source_json: serde_json::Value,
    /// The [`Val`] form of the source, made on demand.
    pub(crate) source_val: OnceLock<Val>,
}

impl MachineDef {
    /// The definition as given (for describe calls and tools).
    pub fn source(&self) -> &Val {
        self.source_val.get_or_init(|| (&self.source_json).into())
    }

    /// The definition as given, as a `serde_json::Value`.
    pub fn source_json(&self) -> &serde_json::Value {
        &self.source_json
    }
}

impl StateMachine {
    /// Wraps a compiled definition.
    pub fn from_def(def: MachineDef) -> StateMachine {
        StateMachine { def: Arc::new(def) }
    }

    /// The compiled definition.
    pub fn def(&self) -> &MachineDef {
        &self.def
    }

    /// The top-level scope.
    pub fn scope(&self) -> &Scope {
        &self.def.scope
    }
}
