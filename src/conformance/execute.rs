//! Running one case's execution: the case's identity and input, mocked tasks, a
//! fake S3 for Map ItemReader, a virtual clock that reports "still running" instead
//! of jumping decades ahead, and StopExecution for recordings that were stopped.

use crate::definition::{MachineType, ParseOptions};
use crate::exec::{
    Clock, ExecutionHandle, Executor, HistoryEvent, Outcome, TaskError, TaskRequest, TaskResolver,
    VirtualClock,
};
use crate::mock::MockResolver;
use crate::value::Val;
use crate::StateMachine;
use async_trait::async_trait;
use base64::Engine as _;
use futures::future::BoxFuture;
use futures::task::{waker, ArcWake};
use futures::{FutureExt, StreamExt};
use serde_json::{json, Value as Json};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The virtual start time of every case run: 2026-11-26T16:14:57Z, the "now" the
/// corpus's inputs were computed from (its far-future Wait timestamps are
/// 24855 and 24856 days after it).
const START_MILLIS: i64 = 1_795_709_697_000;

/// Timers further ahead than this never fire: an execution waiting on one is
/// reported RUNNING. Task timeouts go up to 99,999,999 s (about 3.2 years), so the
/// bound is 4 years.
const HORIZON_MILLIS: u64 = 4 * 366 * 24 * 3600 * 1000;

/// The longest a case may run in real time.
const REAL_TIME_LIMIT: Duration = Duration::from_secs(20);

/// How an execution ended, as the runner saw it.
pub(crate) struct Actual {
    /// SUCCEEDED, FAILED, TIMED_OUT, ABORTED or RUNNING.
    pub status: String,
    /// The output, when SUCCEEDED.
    pub output: Option<Json>,
    /// The error name, when there is one.
    pub error: Option<String>,
    /// The cause, when there is one.
    pub cause: Option<String>,
    /// The history in the raw `GetExecutionHistory` shape, payloads parsed:
    /// `[{"type", "<xxx>EventDetails": {...}}]`.
    pub events: Vec<Json>,
}

/// A virtual clock with a horizon, which can also stop the execution the first
/// time it goes idle.
struct BoundedClock {
    inner: VirtualClock,
    stop_when_idle: Mutex<Option<ExecutionHandle>>,
}

impl Clock for BoundedClock {
    fn now_millis(&self) -> i64 {
        self.inner.now_millis()
    }

    fn sleep(&self, millis: u64) -> BoxFuture<'static, ()> {
        if millis > HORIZON_MILLIS {
            futures::future::pending().boxed()
        } else {
            self.inner.sleep(millis)
        }
    }

    fn is_virtual(&self) -> bool {
        true
    }

    fn advance(&self) -> bool {
        let stop = self
            .stop_when_idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(h) = stop {
            h.stop(None, None);
            return true;
        }
        self.inner.advance()
    }
}

/// Serves `arn:aws:states:::s3:getObject` / `listObjectsV2` from the case's
/// `s3_objects`, and everything else from the mocks.
struct CaseResolver {
    mocks: MockResolver,
    s3: Vec<S3Object>,
    /// The case has no `mocks` at all (only the final result was recorded).
    no_mocks: bool,
    /// A Task state ran although the case mocks nothing.
    unmocked_call: AtomicBool,
}

struct S3Object {
    bucket: String,
    key: String,
    body: String,
}

impl CaseResolver {
    fn s3(&self, task: &TaskRequest) -> Option<Result<Val, TaskError>> {
        let action = task.resource.strip_prefix("arn:aws:states:::s3:")?;
        let arg = |k: &str| task.input.get(k).and_then(Val::as_str).unwrap_or("");
        let bucket = arg("Bucket");
        match action {
            "getObject" => {
                let key = arg("Key");
                Some(
                    match self.s3.iter().find(|o| o.bucket == bucket && o.key == key) {
                        Some(o) => Ok(Val::string(o.body.as_str())),
                        None => Err(TaskError::new(
                            "S3.NoSuchKeyException",
                            format!("The specified key does not exist. (Service: S3, Status Code: 404, Request ID: <request_id>) bucket={bucket} key={key}"),
                        )),
                    },
                )
            }
            "listObjectsV2" => {
                let prefix = arg("Prefix");
                let contents: Vec<Json> = self
                    .s3
                    .iter()
                    .filter(|o| o.bucket == bucket && o.key.starts_with(prefix))
                    .map(|o| json!({"Key": o.key, "Size": o.body.len()}))
                    .collect();
                Some(Ok(Val::from(json!({"Contents": contents}))))
            }
            _ => None,
        }
    }
}

#[async_trait]
impl TaskResolver for CaseResolver {
    async fn invoke(&self, task: TaskRequest) -> Result<Val, TaskError> {
        if !self.mocks.mocks(&task.state_name) {
            if let Some(r) = self.s3(&task) {
                return r;
            }
            if self.no_mocks {
                self.unmocked_call.store(true, Ordering::Release);
            }
        }
        self.mocks.answer(&task)
    }
}

struct WakeFlag(AtomicBool);

impl ArcWake for WakeFlag {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.0.store(true, Ordering::Release);
    }
}

fn text(v: Option<&Json>) -> Option<String> {
    v.and_then(Json::as_str).map(str::to_string)
}

/// The definition's text as sent to AWS.
pub(crate) fn definition_text(case: &Json) -> Result<String, String> {
    match (case.get("definition_raw"), case.get("definition")) {
        (Some(Json::String(raw)), _) => Ok(raw.clone()),
        (_, Some(def)) => serde_json::to_string(def).map_err(|e| e.to_string()),
        _ => Err("the case has no definition".into()),
    }
}

/// The parse options of the case's state machine type.
pub(crate) fn parse_options(case: &Json) -> ParseOptions {
    let machine_type = match case
        .pointer("/context/stateMachineType")
        .and_then(Json::as_str)
    {
        Some("EXPRESS") => MachineType::Express,
        _ => MachineType::Standard,
    };
    ParseOptions { machine_type }
}

fn s3_objects(case: &Json) -> Result<Vec<S3Object>, String> {
    let Some(list) = case.get("s3_objects") else {
        return Ok(Vec::new());
    };
    let list = list.as_array().ok_or("s3_objects must be an array")?;
    let mut out = Vec::new();
    for o in list {
        let s = |k: &str| o.get(k).and_then(Json::as_str).map(str::to_string);
        let body = match (s("body"), s("body_base64")) {
            (Some(b), _) => b,
            (None, Some(b64)) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64.as_bytes())
                    .map_err(|e| format!("s3_objects: bad body_base64: {e}"))?;
                String::from_utf8_lossy(&bytes).into_owned()
            }
            (None, None) => String::new(),
        };
        out.push(S3Object {
            bucket: s("bucket").unwrap_or_default(),
            key: s("key").unwrap_or_default(),
            body,
        });
    }
    Ok(out)
}

/// The name of the worker that polled the case's activities, as `ActivityStarted`
/// recorded it.
///
/// The worker is the test harness's activity consumer (LocalStack's tests poll the
/// activity from a consumer state machine, recorded as the worker
/// `BASE_ID_ACTIVITY_CONSUMER`), not part of the state machine under test, so, like
/// the execution names in `context`, it is a value the execution ran with. The case
/// format has no field for it: the recorded history is the only source.
fn activity_worker_name(case: &Json) -> Option<String> {
    case.pointer("/expected/history")?
        .as_array()?
        .iter()
        .filter(|e| e.get("type").and_then(Json::as_str) == Some("ActivityStarted"))
        .find_map(|e| text(e.pointer("/details/workerName")))
}

/// Why a case's execution produced no comparable result.
pub(crate) enum RunError {
    /// The case cannot be run as written (a failing result).
    Fail(String),
    /// The case format cannot express what the execution needs.
    Skip(String),
}

impl From<String> for RunError {
    fn from(m: String) -> RunError {
        RunError::Fail(m)
    }
}

impl From<&str> for RunError {
    fn from(m: &str) -> RunError {
        RunError::Fail(m.to_string())
    }
}

/// Runs the case's execution.
pub(crate) fn execute(case: &Json) -> Result<Actual, RunError> {
    let definition = definition_text(case)?;
    let machine = StateMachine::parse_with(&definition, &parse_options(case))
        .map_err(|e| RunError::Fail(format!("definition rejected, but AWS ran it: {e}")))?;
    let mocks = match case.get("mocks") {
        Some(m) => {
            MockResolver::from_mocked_responses(m).map_err(|e| RunError::Fail(e.to_string()))?
        }
        None => MockResolver::default(),
    };
    let resolver = Arc::new(CaseResolver {
        mocks: mocks.clone(),
        s3: s3_objects(case)?,
        no_mocks: case.get("mocks").is_none(),
        unmocked_call: AtomicBool::new(false),
    });
    let ctx = case.get("context").cloned().unwrap_or(Json::Null);
    let c = |k: &str, d: &str| text(ctx.get(k)).unwrap_or_else(|| d.to_string());
    let clock = Arc::new(BoundedClock {
        inner: VirtualClock::starting_at(START_MILLIS),
        stop_when_idle: Mutex::new(None),
    });
    let region = c("region", "us-east-1");
    let account = c("accountId", "111111111111");
    let sm_name = c("stateMachineName", "<ArnPart_0idx>");
    let exec_name = c("executionName", "<ExecArnPart_0idx>");
    let mut executor = Executor::new(resolver.clone())
        .clock(clock.clone())
        .random_seed(1)
        .account(account.as_str())
        .region(region.as_str())
        .state_machine_name(sm_name.as_str())
        .execution_name(exec_name.as_str())
        .role_arn(c("roleArn", "snf_role_arn"));
    if let Some(worker) = activity_worker_name(case) {
        executor = executor.activity_worker_name(worker);
    }
    if c("stateMachineType", "STANDARD") == "EXPRESS" {
        // Express executions have ARNs of the form
        // arn:aws:states:<region>:<account>:express:<machine>:<name>:<id>.
        let id = if exec_name == "<SyncExecArn_Part1_0idx>" {
            "<SyncExecArn_Part2_0idx>"
        } else {
            "00000000-0000-4000-8000-000000000000"
        };
        executor = executor.execution_arn(format!(
            "arn:aws:states:{region}:{account}:express:{sm_name}:{exec_name}:{id}"
        ));
    }
    let input = Val::from(case.get("input").cloned().unwrap_or_else(|| json!({})));
    let (handle, fut) = executor.start(&machine, input);
    mocks.attach(handle.clone());
    if case.pointer("/expected/status").and_then(Json::as_str) == Some("ABORTED") {
        // The recording's test called StopExecution while the execution waited.
        *clock
            .stop_when_idle
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(handle.clone());
    }
    let mut events_stream = handle.events();

    let flag = Arc::new(WakeFlag(AtomicBool::new(false)));
    let w = waker(flag.clone());
    let mut cx = Context::from_waker(&w);
    let mut fut = Box::pin(fut);
    let started = Instant::now();
    let outcome: Option<Outcome> = loop {
        flag.0.store(false, Ordering::Release);
        if let Poll::Ready(o) = fut.as_mut().poll(&mut cx) {
            break Some(o);
        }
        if !flag.0.load(Ordering::Acquire) {
            // Nothing can wake it: no timer within the horizon, no token to complete.
            break None;
        }
        if started.elapsed() > REAL_TIME_LIMIT {
            return Err(RunError::Fail(format!(
                "the execution ran for more than {} s of real time",
                REAL_TIME_LIMIT.as_secs()
            )));
        }
    };
    if resolver.unmocked_call.load(Ordering::Acquire) {
        return Err(RunError::Skip(
            "a Task state ran, but only the final result was recorded, so the case has no mocks"
                .into(),
        ));
    }
    match outcome {
        Some(o) => {
            let events = o.history.events().iter().map(raw_event).collect();
            Ok(Actual {
                status: o.status.as_str().to_string(),
                output: o.output.as_ref().map(Val::to_serde),
                error: o.error.as_ref().map(|e| e.error.to_string()),
                cause: o.error.as_ref().and_then(|e| e.cause.clone()),
                events,
            })
        }
        None => {
            let mut events = Vec::new();
            let noop = futures::task::noop_waker();
            let mut ncx = Context::from_waker(&noop);
            while let Poll::Ready(Some(e)) = events_stream.poll_next_unpin(&mut ncx) {
                events.push(raw_event(&e));
            }
            Ok(Actual {
                status: "RUNNING".into(),
                output: None,
                error: None,
                cause: None,
                events,
            })
        }
    }
}

/// `{"type", "<xxx>EventDetails": {...}}` with payloads parsed.
fn raw_event(e: &HistoryEvent) -> Json {
    let corpus = e.to_corpus_json();
    let details = corpus.get("details").cloned().unwrap_or_else(|| json!({}));
    let mut m = serde_json::Map::new();
    m.insert("type".into(), Json::String(e.event_type.as_str().into()));
    m.insert(e.event_type.details_key(), details);
    Json::Object(m)
}
