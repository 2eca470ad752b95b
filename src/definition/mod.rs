//! ASL JSON → a validated, typed, compiled [`StateMachine`], or every problem found.
//!
//! Parsing does all string work once: paths, templates, intrinsic calls, Choice rules
//! and timestamps are compiled, and every `Next` is resolved to a [`StateId`] in its
//! own scope, so the executor never parses, looks up names, or re-validates.

pub mod choice;
pub mod diagnostic;
pub mod fail;
pub mod io;
pub mod jsonata;
pub mod machine;
pub mod map;
pub mod parallel;
pub mod parse;
pub mod retry;
pub mod source_position;
pub mod state;
pub mod task;
mod validate;
pub mod wait;

pub use diagnostic::{Code, DefinitionError, Diagnostic, Severity, ValidationReport};
pub use machine::{MachineType, QueryLanguage, Scope, StateId, StateMachine};
pub use parse::validate;
pub use state::{State, StateKind, Transition};

/// Options for parsing a definition.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// The state machine type whose rules apply (default STANDARD).
    pub machine_type: MachineType,
}
