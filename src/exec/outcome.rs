//! The result of an execution: [`Outcome`] and its [`Status`].

use super::history::History;
use crate::error::StatesError;
use crate::value::Val;
use std::fmt;

/// How an execution ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// `SUCCEEDED`: the output is set.
    Succeeded,
    /// `FAILED`: the error is set.
    Failed,
    /// `TIMED_OUT`: the top-level `TimeoutSeconds` ran out.
    TimedOut,
    /// `ABORTED`: the execution was stopped.
    Aborted,
}

impl Status {
    /// The status as AWS spells it (`SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// What an execution produced.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// How it ended.
    pub status: Status,
    /// The output, when it succeeded.
    pub output: Option<Val>,
    /// The error and cause, when it failed, timed out, or was stopped with an error.
    /// An empty error name stands for an error AWS records without a name.
    pub error: Option<StatesError>,
    /// The recorded events (per the executor's [`HistoryLevel`](super::HistoryLevel)).
    pub history: History,
}

impl Outcome {
    /// `true` when the status is SUCCEEDED.
    pub fn succeeded(&self) -> bool {
        self.status == Status::Succeeded
    }

    /// The error name, if any.
    pub fn error_name(&self) -> Option<&str> {
        self.error.as_ref().map(|e| &*e.error)
    }

    /// The cause, if any.
    pub fn cause(&self) -> Option<&str> {
        self.error.as_ref().and_then(|e| e.cause.as_deref())
    }
}
