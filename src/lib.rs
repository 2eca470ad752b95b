//! statelang: an embeddable Amazon States Language engine.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "conformance")]
pub mod conformance;
pub mod data;
pub mod definition;
pub mod error;
pub mod exec;
pub mod jsonata;
pub mod mock;
pub mod value;

pub use definition::{DefinitionError, StateMachine};
pub use error::StatesError;
pub use exec::{Executor, Outcome, Resolvers, Status};
pub use value::Val;
