//! [`ExecutionHandle`]: stop a running execution, complete its task tokens, watch its
//! events.

use super::control::{Completion, Control, Termination};
use super::history::HistoryEvent;
use super::recorder::Recorder;
use super::resolver::TaskError;
use crate::value::Val;
use futures::Stream;
use std::fmt;
use std::sync::Arc;

/// Controls one running execution. Cheap to clone; every method is synchronous and
/// may be called from any thread or task.
///
/// ```
/// use futures::StreamExt;
/// use statelang::exec::{EventType, Executor, Resolvers, Status};
/// use statelang::{val, StateMachine};
/// use std::sync::Arc;
/// let machine = StateMachine::parse(r#"{"StartAt": "Approve", "States": {"Approve": {
///     "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
///     "HeartbeatSeconds": 3600, "End": true}}}"#).unwrap();
/// // The resolver "sends the message" and hands the token over by returning it.
/// let resolvers = Resolvers::new().fallback(|task| async move {
///     Ok(val!({"token": task.task_token.as_deref()}))
/// });
/// let (handle, execution) = Executor::new(Arc::new(resolvers)).start(&machine, val!({}));
/// let mut events = handle.events();
/// let approver = async {
///     while let Some(event) = events.next().await {
///         if event.event_type == EventType::TaskSubmitted {
///             let response = event.output().cloned().unwrap_or_default();
///             let token = response.get("token").and_then(|t| t.as_str()).unwrap_or_default();
///             handle.send_task_success(token, val!({"approved": true})).unwrap();
///         }
///     }
/// };
/// let (outcome, ()) = futures::executor::block_on(async { futures::join!(execution, approver) });
/// assert_eq!(outcome.status, Status::Succeeded);
/// assert_eq!(outcome.output, Some(val!({"approved": true})));
/// ```
#[derive(Clone)]
pub struct ExecutionHandle {
    pub(crate) control: Arc<Control>,
    pub(crate) recorder: Arc<Recorder>,
    pub(crate) execution_arn: Arc<str>,
}

/// A task token that no running task is waiting on (never issued, already
/// completed, timed out, or its execution ended): AWS's `TaskDoesNotExist`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Task does not exist: '{token}'")]
pub struct TaskDoesNotExist {
    /// The token that was sent.
    pub token: String,
}

impl ExecutionHandle {
    /// The execution's ARN.
    pub fn execution_arn(&self) -> &str {
        &self.execution_arn
    }

    /// Stops the execution (`StopExecution`): it ends ABORTED with an
    /// `ExecutionAborted` event carrying `error` and `cause`. Returns `false` when the
    /// execution had already ended or was already stopping.
    pub fn stop(&self, error: Option<&str>, cause: Option<&str>) -> bool {
        self.control.terminate(Termination::Stopped {
            error: error.map(str::to_string),
            cause: cause.map(str::to_string),
        })
    }

    /// Completes a `.waitForTaskToken` task with `output` as its result
    /// (`SendTaskSuccess`).
    pub fn send_task_success(&self, token: &str, output: Val) -> Result<(), TaskDoesNotExist> {
        self.complete(token, Completion::Success(output))
    }

    /// Fails a `.waitForTaskToken` task (`SendTaskFailure`). `error` may be empty: the
    /// failure then has no error name, as AWS records it.
    pub fn send_task_failure(
        &self,
        token: &str,
        error: &str,
        cause: Option<&str>,
    ) -> Result<(), TaskDoesNotExist> {
        self.complete(
            token,
            Completion::Failure(TaskError {
                error: error.to_string().into(),
                cause: cause.map(str::to_string),
            }),
        )
    }

    /// Resets the task's heartbeat clock (`SendTaskHeartbeat`). Writes no event.
    pub fn send_task_heartbeat(&self, token: &str) -> Result<(), TaskDoesNotExist> {
        match self.control.token(token) {
            Some(slot) if slot.heartbeat.beat() => Ok(()),
            _ => Err(TaskDoesNotExist {
                token: token.to_string(),
            }),
        }
    }

    fn complete(&self, token: &str, c: Completion) -> Result<(), TaskDoesNotExist> {
        let missing = || TaskDoesNotExist {
            token: token.to_string(),
        };
        let slot = self.control.token(token).ok_or_else(missing)?;
        self.control.remove_token(token);
        slot.completion.unbounded_send(c).map_err(|_| missing())
    }

    /// The history events as they are recorded: the events so far, then live ones;
    /// the stream ends when the execution does.
    pub fn events(&self) -> impl Stream<Item = HistoryEvent> + Send + Unpin + 'static {
        self.recorder.subscribe()
    }

    /// How many events have been recorded so far.
    pub fn event_count(&self) -> u64 {
        self.recorder.count()
    }
}

impl fmt::Debug for ExecutionHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecutionHandle")
            .field("execution_arn", &self.execution_arn)
            .finish()
    }
}
