//! Retriers and Catchers, shared by Task, Parallel and Map.

use super::io::{Assign, ResultPath};
use super::jsonata::JsonataValue;
use super::machine::StateId;
use std::sync::Arc;

/// An `ErrorEquals` list, compiled.
#[derive(Clone, Debug)]
pub struct ErrorMatcher {
    /// The names, as written (`States.ALL` included).
    pub names: Vec<Arc<str>>,
}

/// One `Retry` entry, with AWS's defaults filled in.
#[derive(Clone, Debug)]
pub struct Retrier {
    /// `ErrorEquals`.
    pub errors: ErrorMatcher,
    /// `IntervalSeconds` (default 1).
    pub interval_seconds: u64,
    /// `MaxAttempts` (default 3; 0 means never retry).
    pub max_attempts: u32,
    /// `BackoffRate` (default 2.0).
    pub backoff_rate: f64,
    /// `MaxDelaySeconds`: a cap on each computed interval.
    pub max_delay_seconds: Option<u64>,
    /// `JitterStrategy` (default NONE).
    pub jitter: Jitter,
}

/// `JitterStrategy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Jitter {
    /// No jitter (the default).
    #[default]
    None,
    /// A delay drawn uniformly from `[0, interval]`.
    Full,
}

/// One `Catch` entry.
#[derive(Clone, Debug)]
pub struct Catcher {
    /// `ErrorEquals`.
    pub errors: ErrorMatcher,
    /// `Next`, resolved.
    pub next: StateId,
    /// JSONPath `ResultPath` (default `$`: the error output replaces the input).
    pub result_path: ResultPath,
    /// JSONata `Output` (default `$states.errorOutput`).
    pub output: Option<JsonataValue>,
    /// The catcher's `Assign` (replaces the state's on this path).
    pub assign: Option<Assign>,
}
