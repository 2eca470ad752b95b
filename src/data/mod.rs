//! Data processing in JSONPath mode: paths, payload templates, intrinsic functions,
//! the context object and timestamps.
//!
//! Everything here is compiled once, when the definition is parsed, into typed forms
//! ([`path::Path`], [`template::Template`], [`intrinsic::Intrinsic`]); the executor
//! only evaluates them against an [`Env`].

pub mod context;
pub mod intrinsic;
pub mod path;
pub mod random;
pub mod template;
pub mod timestamp;

use crate::value::Val;
use context::ContextObject;
use random::Random;
use std::sync::Arc;

/// What a path or template reads when it is evaluated.
pub struct Env<'a> {
    /// The current data: `$` (the effective input, or the result for ResultSelector).
    pub input: &'a Val,
    /// The context object: `$$`.
    pub context: &'a ContextObject,
    /// The workflow variables in scope: `$name`.
    pub variables: &'a dyn Variables,
    /// The randomness source of `States.UUID` and `States.MathRandom`.
    pub random: &'a Random,
}

/// Read access to the workflow variables visible to a state.
pub trait Variables {
    /// The value of variable `name`, if it has been assigned.
    fn get(&self, name: &str) -> Option<Val>;
}

/// No variables at all.
pub struct NoVariables;

impl Variables for NoVariables {
    fn get(&self, _name: &str) -> Option<Val> {
        None
    }
}

impl Variables for crate::value::Map {
    fn get(&self, name: &str) -> Option<Val> {
        crate::value::Map::get(self, name).cloned()
    }
}

/// Where a path starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathRoot {
    /// `$`: the current data.
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(Arc<str>),
}
