//! Parallel states.

use super::machine::Scope;
use super::retry::{Catcher, Retrier};

/// A `Parallel` state's own fields.
#[derive(Debug)]
pub struct Parallel {
    /// `Branches`, in declaration order (the result array follows this order).
    pub branches: Vec<Scope>,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
}
