//! The run-time error every failing state produces: an error name and a cause.
//!
//! AWS reports failures as an `error` name (`States.Timeout`, `Lambda.Unknown`, a
//! user's own `CustomError`) plus a free-text `cause`. Everything in statelang that
//! fails at run time returns a [`StatesError`]; Retry and Catch match on its name.

use std::fmt;
use std::sync::Arc;

/// The predefined `States.*` error names, as AWS spells them.
pub mod names {
    /// Wildcard matcher in `ErrorEquals`; never raised.
    pub const ALL: &str = "States.ALL";
    /// A task failed; also a matcher for every error except `States.Timeout`.
    pub const TASK_FAILED: &str = "States.TaskFailed";
    /// A task, heartbeat or execution timed out.
    pub const TIMEOUT: &str = "States.Timeout";
    /// Documented for heartbeat expiry (AWS records `States.Timeout`); matchable only.
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    /// An unrecoverable processing error (paths, conversions). Never caught or retried.
    pub const RUNTIME: &str = "States.Runtime";
    /// A payload over the size limit.
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    /// The task lacked privileges.
    pub const PERMISSIONS: &str = "States.Permissions";
    /// `ResultPath` could not be applied to the state's input.
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    /// A `.$` path in a payload template failed (documented; AWS raises Runtime).
    pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
    /// An intrinsic function failed.
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    /// A JSONata expression failed, returned nothing or the wrong type.
    pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
    /// Documented for a failed Parallel branch (AWS reports the branch's own error).
    pub const BRANCH_FAILED: &str = "States.BranchFailed";
    /// A Choice state matched no rule and has no `Default`.
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    /// A distributed Map exceeded its tolerated failures.
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    /// A Map ItemReader could not read its source.
    pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
    /// A Map ResultWriter could not write.
    pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
}

/// A run-time failure: AWS's `error` name and optional `cause` text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatesError {
    /// The error name, e.g. `States.Runtime` or `CustomError`.
    pub error: Arc<str>,
    /// The human-readable cause; `None` when AWS would omit it.
    pub cause: Option<String>,
}

impl StatesError {
    /// An error with a name and a cause.
    pub fn new(error: impl Into<Arc<str>>, cause: impl Into<String>) -> StatesError {
        StatesError {
            error: error.into(),
            cause: Some(cause.into()),
        }
    }

    /// An error with a name and no cause.
    pub fn without_cause(error: impl Into<Arc<str>>) -> StatesError {
        StatesError {
            error: error.into(),
            cause: None,
        }
    }

    /// `States.Runtime` with a cause.
    pub fn runtime(cause: impl Into<String>) -> StatesError {
        StatesError::new(names::RUNTIME, cause)
    }

    /// `States.IntrinsicFailure` with a cause.
    pub fn intrinsic(cause: impl Into<String>) -> StatesError {
        StatesError::new(names::INTRINSIC_FAILURE, cause)
    }

    /// `true` when the error is `name`.
    pub fn is(&self, name: &str) -> bool {
        &*self.error == name
    }
}

impl fmt::Display for StatesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Some(cause) => write!(f, "{}: {}", self.error, cause),
            None => f.write_str(&self.error),
        }
    }
}

impl std::error::Error for StatesError {}
