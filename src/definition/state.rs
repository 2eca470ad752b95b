//! One state: what every state type shares, and the per-type payloads.

use super::choice::Choice;
use super::fail::Fail;
use super::io::{Assign, Io};
use super::machine::{QueryLanguage, StateId};
use super::map::MapState;
use super::parallel::Parallel;
use super::task::Task;
use super::wait::Wait;
use crate::value::Val;
use std::sync::Arc;

/// A compiled state.
#[derive(Debug)]
pub struct State {
    /// The state's name (its key in `States`).
    pub name: Arc<str>,
    /// The state's `Comment`.
    pub comment: Option<String>,
    /// The effective query language (state-level value, else inherited).
    pub query_language: QueryLanguage,
    /// Where to go after the state succeeds. Choice, Succeed and Fail hold `End`
    /// (Choice transitions live in its rules).
    pub transition: Transition,
    /// Input and output processing.
    pub io: Io,
    /// `Assign` on success (not on Succeed/Fail).
    pub assign: Option<Assign>,
    /// What the state does.
    pub kind: StateKind,
    /// Whether running the state may read the context object's state fields
    /// (`$$.State.Name`): always for Task, Wait, Parallel and Map states (a task
    /// request carries the context) and JSONata states (`$states.context`); for
    /// the others only when a string in the state's definition has `$$`. The
    /// executor updates the context's state name only for these.
    pub(crate) reads_context: bool,
}

/// `Next` or `End`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// Continue with this state of the same scope.
    Next(StateId),
    /// The scope (execution, branch or iteration) ends here.
    End,
}

/// The state types and their own fields.
#[derive(Debug)]
pub enum StateKind {
    /// `Pass`: `Result` (literal JSON, never template-processed) or the effective input.
    Pass {
        /// The literal `Result`, when present.
        result: Option<Val>,
    },
    /// `Task`: call the embedding program's resolver.
    Task(Box<Task>),
    /// `Choice`: pick the next state by rules.
    Choice(Box<Choice>),
    /// `Wait`: wait for a duration or until a time.
    Wait(Wait),
    /// `Succeed`: end the scope successfully.
    Succeed,
    /// `Fail`: end the execution (or branch) with an error.
    Fail(Fail),
    /// `Parallel`: run branches concurrently.
    Parallel(Box<Parallel>),
    /// `Map`: run a processor for each item.
    Map(Box<MapState>),
}

impl StateKind {
    /// The `Type` name, which prefixes the history event types (`PassStateEntered`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            StateKind::Pass { .. } => "Pass",
            StateKind::Task(_) => "Task",
            StateKind::Choice(_) => "Choice",
            StateKind::Wait(_) => "Wait",
            StateKind::Succeed => "Succeed",
            StateKind::Fail(_) => "Fail",
            StateKind::Parallel(_) => "Parallel",
            StateKind::Map(_) => "Map",
        }
    }
}
