//! Mocked task results: AWS Step Functions Local's `MockConfigFile` format, as a
//! [`TaskResolver`].
//!
//! A mock configuration names, per state machine and test case, which mocked
//! response each Task state gets. A mocked response lists what the state's Nth
//! invocation returns (`Return`) or throws (`Throw`), keyed by the invocation index
//! (`"0"`) or an inclusive range (`"1-2"`). Invocations are counted per state, across
//! retries and across Map iterations, in the order they happen.
//!
//! ```
//! use statelang::mock::MockConfig;
//! let config = MockConfig::from_json(r#"{
//!   "StateMachines": {"Orders": {"TestCases": {"HappyPath": {"Charge": "ChargeOk"}}}},
//!   "MockedResponses": {"ChargeOk": {"0": {"Return": {"ok": true}}}}
//! }"#).unwrap();
//! let resolver = config.resolver("Orders", "HappyPath").unwrap();
//! # let _ = resolver;
//! ```
//!
//! For `.waitForTaskToken` tasks the conformance corpus adds `Submitted`: what the
//! resolver returns at once (the `TaskSubmitted` output), while `Return`/`Throw`
//! completes the token afterwards. [`MockResolver::attach`] gives the resolver the
//! [`ExecutionHandle`] it completes tokens through. For `.sync`/`.sync:2` tasks,
//! `Submitted` is the service's immediate response, recorded in `TaskSubmitted`
//! before the job's `Return`/`Throw` (see [`MockResolver::answer`]).

use crate::definition::task::{IntegrationPattern, ResourceKind};
use crate::exec::{ExecutionHandle, TaskError, TaskRequest, TaskResolver};
use crate::value::Val;
use async_trait::async_trait;
use indexmap::IndexMap;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// A mock configuration could not be loaded or used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MockError {
    /// The text is not JSON, or its shape is not the MockConfigFile format.
    #[error("invalid mock configuration: {0}")]
    Invalid(String),
    /// The state machine is not in `StateMachines`.
    #[error("state machine '{0}' is not in the mock configuration")]
    UnknownStateMachine(String),
    /// The test case is not in the state machine's `TestCases`.
    #[error("test case '{test_case}' is not defined for state machine '{state_machine}'")]
    UnknownTestCase {
        /// The state machine.
        state_machine: String,
        /// The missing test case.
        test_case: String,
    },
    /// A test case names a mocked response that `MockedResponses` does not define.
    #[error(
        "test case '{test_case}' maps state '{state}' to undefined mocked response '{response}'"
    )]
    UnknownResponse {
        /// The test case.
        test_case: String,
        /// The Task state.
        state: String,
        /// The missing response name.
        response: String,
    },
    /// No state machine was named and the configuration has not exactly one.
    #[error("the mock configuration has {0} state machines; name one")]
    AmbiguousStateMachine(usize),
}

/// What one mocked invocation does.
#[derive(Clone, Debug, PartialEq)]
pub enum MockOutcome {
    /// The task succeeds with this result.
    Return(Val),
    /// The task fails with this error (an empty name: no error name).
    Throw(TaskError),
}

/// One entry of a mocked response: what invocations `first..=last` do.
#[derive(Clone, Debug, PartialEq)]
pub struct MockStep {
    /// First invocation index (0-based) this entry covers.
    pub first: u64,
    /// Last invocation index this entry covers (inclusive).
    pub last: u64,
    /// The result or error, when given (`Return` / `Throw`).
    pub outcome: Option<MockOutcome>,
    /// The `TaskSubmitted` output of a `.waitForTaskToken` / `.sync` task (corpus
    /// extension).
    pub submitted: Option<Val>,
}

/// A mocked response: the steps of one `MockedResponses` entry, by invocation index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MockedResponse {
    /// The steps, in the order written.
    pub steps: Vec<MockStep>,
}

impl MockedResponse {
    /// Parses `{"0": {"Return": ...}, "1-2": {"Throw": {...}}}`.
    pub fn from_value(v: &Json) -> Result<MockedResponse, MockError> {
        let obj = v
            .as_object()
            .ok_or_else(|| MockError::Invalid("a mocked response must be an object".into()))?;
        let mut steps = Vec::with_capacity(obj.len());
        for (key, step) in obj {
            let (first, last) = parse_range(key)?;
            let o = step.as_object().ok_or_else(|| {
                MockError::Invalid(format!("mocked response entry '{key}' must be an object"))
            })?;
            let outcome = match (o.get("Return"), o.get("Throw")) {
                (Some(_), Some(_)) => {
                    return Err(MockError::Invalid(format!(
                        "mocked response entry '{key}' has both Return and Throw"
                    )))
                }
                (Some(r), None) => Some(MockOutcome::Return(Val::from(r))),
                (None, Some(t)) => Some(MockOutcome::Throw(parse_throw(key, t)?)),
                (None, None) => None,
            };
            let submitted = o.get("Submitted").map(Val::from);
            if outcome.is_none() && submitted.is_none() {
                return Err(MockError::Invalid(format!(
                    "mocked response entry '{key}' has neither Return nor Throw"
                )));
            }
            steps.push(MockStep {
                first,
                last,
                outcome,
                submitted,
            });
        }
        Ok(MockedResponse { steps })
    }

    /// The step for invocation `index`, if any.
    pub fn step(&self, index: u64) -> Option<&MockStep> {
        self.steps
            .iter()
            .find(|s| s.first <= index && index <= s.last)
    }
}

fn parse_range(key: &str) -> Result<(u64, u64), MockError> {
    let bad = || MockError::Invalid(format!("invalid invocation index or range '{key}'"));
    let num = |s: &str| s.trim().parse::<u64>().map_err(|_| bad());
    match key.split_once('-') {
        None => {
            let n = num(key)?;
            Ok((n, n))
        }
        Some((a, b)) => {
            let (a, b) = (num(a)?, num(b)?);
            if a > b {
                return Err(bad());
            }
            Ok((a, b))
        }
    }
}

fn parse_throw(key: &str, t: &Json) -> Result<TaskError, MockError> {
    let o = t.as_object().ok_or_else(|| {
        MockError::Invalid(format!(
            "Throw of mocked response entry '{key}' must be an object"
        ))
    })?;
    let text = |k: &str| -> Result<Option<String>, MockError> {
        match o.get(k) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            // A cause recorded as JSON: keep it as compact JSON text.
            Some(other) => Ok(Some(other.to_string())),
        }
    };
    Ok(TaskError {
        error: text("Error")?.unwrap_or_default().into(),
        cause: text("Cause")?,
    })
}

/// A loaded `MockConfigFile`.
#[derive(Clone, Debug, Default)]
pub struct MockConfig {
    /// state machine → test case → (state → mocked response name).
    state_machines: IndexMap<String, IndexMap<String, IndexMap<String, String>>>,
    /// The `MockedResponses`.
    responses: IndexMap<String, MockedResponse>,
}

impl MockConfig {
    /// Loads a configuration from the MockConfigFile JSON text.
    pub fn from_json(text: &str) -> Result<MockConfig, MockError> {
        let v: Json = serde_json::from_str(text).map_err(|e| MockError::Invalid(e.to_string()))?;
        MockConfig::from_value(&v)
    }

    /// Loads a configuration from a parsed MockConfigFile document.
    pub fn from_value(v: &Json) -> Result<MockConfig, MockError> {
        let invalid = |m: &str| MockError::Invalid(m.to_string());
        let root = v
            .as_object()
            .ok_or_else(|| invalid("the document must be an object"))?;
        let mut config = MockConfig::default();
        if let Some(sms) = root.get("StateMachines") {
            let sms = sms
                .as_object()
                .ok_or_else(|| invalid("StateMachines must be an object"))?;
            for (sm, body) in sms {
                let cases = body
                    .get("TestCases")
                    .and_then(Json::as_object)
                    .ok_or_else(|| {
                        MockError::Invalid(format!(
                            "StateMachines.{sm}.TestCases must be an object"
                        ))
                    })?;
                let mut out = IndexMap::new();
                for (case, states) in cases {
                    let states = states.as_object().ok_or_else(|| {
                        MockError::Invalid(format!("test case '{case}' must be an object"))
                    })?;
                    let mut map = IndexMap::new();
                    for (state, resp) in states {
                        let resp = resp.as_str().ok_or_else(|| {
                            MockError::Invalid(format!(
                                "test case '{case}': state '{state}' must name a mocked response"
                            ))
                        })?;
                        map.insert(state.clone(), resp.to_string());
                    }
                    out.insert(case.clone(), map);
                }
                config.state_machines.insert(sm.clone(), out);
            }
        }
        if let Some(rs) = root.get("MockedResponses") {
            let rs = rs
                .as_object()
                .ok_or_else(|| invalid("MockedResponses must be an object"))?;
            for (name, r) in rs {
                let parsed = MockedResponse::from_value(r).map_err(|e| match e {
                    MockError::Invalid(m) => MockError::Invalid(format!("{name}: {m}")),
                    other => other,
                })?;
                config.responses.insert(name.clone(), parsed);
            }
        }
        Ok(config)
    }

    /// The state machine names, in file order.
    pub fn state_machines(&self) -> impl Iterator<Item = &str> {
        self.state_machines.keys().map(String::as_str)
    }

    /// The only state machine's name, when there is exactly one.
    pub fn only_state_machine(&self) -> Result<&str, MockError> {
        match self.state_machines.len() {
            1 => Ok(self
                .state_machines
                .keys()
                .next()
                .map(String::as_str)
                .unwrap_or("")),
            n => Err(MockError::AmbiguousStateMachine(n)),
        }
    }

    /// A resolver for one test case of one state machine.
    pub fn resolver(
        &self,
        state_machine: &str,
        test_case: &str,
    ) -> Result<MockResolver, MockError> {
        let cases = self
            .state_machines
            .get(state_machine)
            .ok_or_else(|| MockError::UnknownStateMachine(state_machine.to_string()))?;
        let states = cases
            .get(test_case)
            .ok_or_else(|| MockError::UnknownTestCase {
                state_machine: state_machine.to_string(),
                test_case: test_case.to_string(),
            })?;
        let mut map = HashMap::new();
        for (state, resp) in states {
            let r = self
                .responses
                .get(resp)
                .ok_or_else(|| MockError::UnknownResponse {
                    test_case: test_case.to_string(),
                    state: state.clone(),
                    response: resp.clone(),
                })?;
            map.insert(state.clone(), r.clone());
        }
        Ok(MockResolver::new(map))
    }
}

/// A [`TaskResolver`] that answers Task states from mocked responses.
///
/// An unmocked state, or an invocation index that no entry covers, fails the task
/// with `States.Runtime` and a cause naming the state and the index.
#[derive(Clone, Default)]
pub struct MockResolver {
    responses: Arc<HashMap<String, MockedResponse>>,
    counters: Arc<Mutex<HashMap<String, u64>>>,
    handle: Arc<Mutex<Option<ExecutionHandle>>>,
}

impl fmt::Debug for MockResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut states: Vec<&String> = self.responses.keys().collect();
        states.sort();
        f.debug_struct("MockResolver")
            .field("states", &states)
            .finish()
    }
}

/// The error name of a mock that cannot answer.
pub const MOCK_ERROR: &str = "States.Runtime";

impl MockResolver {
    /// A resolver over mocked responses keyed by state name.
    pub fn new(responses: HashMap<String, MockedResponse>) -> MockResolver {
        MockResolver {
            responses: Arc::new(responses),
            ..MockResolver::default()
        }
    }

    /// Loads the conformance corpus's `mocks` object: `{"<StateName>": {"0":
    /// {"Return": ...}, ...}}` (MockedResponses keyed by state name, with the
    /// `Submitted` extension).
    pub fn from_mocked_responses(mocks: &Json) -> Result<MockResolver, MockError> {
        let obj = mocks
            .as_object()
            .ok_or_else(|| MockError::Invalid("mocks must be an object".into()))?;
        let mut map = HashMap::new();
        for (state, r) in obj {
            let parsed = MockedResponse::from_value(r).map_err(|e| match e {
                MockError::Invalid(m) => MockError::Invalid(format!("{state}: {m}")),
                other => other,
            })?;
            map.insert(state.clone(), parsed);
        }
        Ok(MockResolver::new(map))
    }

    /// `true` when `state` has a mocked response.
    pub fn mocks(&self, state: &str) -> bool {
        self.responses.contains_key(state)
    }

    /// Gives the resolver the running execution's handle, through which it completes
    /// the task tokens of `.waitForTaskToken` tasks. Call it after
    /// [`Executor::start`](crate::exec::Executor::start), before polling the execution.
    pub fn attach(&self, handle: ExecutionHandle) {
        *self.handle.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle);
    }

    /// How many times `state` has been invoked so far.
    pub fn invocations(&self, state: &str) -> u64 {
        self.counters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(state)
            .copied()
            .unwrap_or(0)
    }

    fn next_index(&self, state: &str) -> u64 {
        let mut c = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let n = c.entry(state.to_string()).or_insert(0);
        let i = *n;
        *n += 1;
        i
    }

    /// Answers one invocation synchronously (what [`TaskResolver::invoke`] does).
    ///
    /// For a `.sync`/`.sync:2` task it first records `TaskSubmitted` through
    /// [`TaskRequest::heartbeat`]: with `Submitted`, or `{}` when only `Return` is
    /// given (AWS records the event for every job it started); a `Throw` without
    /// `Submitted` is a rejected call and records none.
    pub fn answer(&self, task: &TaskRequest) -> Result<Val, TaskError> {
        let state = &*task.state_name;
        let Some(resp) = self.responses.get(state) else {
            return Err(TaskError::new(
                MOCK_ERROR,
                format!(
                    "No mocked response for Task state '{state}' (resource {}).",
                    task.resource
                ),
            ));
        };
        let index = self.next_index(state);
        let Some(step) = resp.step(index) else {
            return Err(TaskError::new(
                MOCK_ERROR,
                format!("No mocked response for invocation {index} of Task state '{state}'."),
            ));
        };
        match &task.task_token {
            Some(token) => {
                // Callback pattern: complete the token, then return the submission.
                let handle = self
                    .handle
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                if let (Some(outcome), Some(handle)) = (&step.outcome, handle) {
                    // A token nobody waits on any more is not an error of the mock.
                    let _ = match outcome {
                        MockOutcome::Return(v) => handle.send_task_success(token, v.clone()),
                        MockOutcome::Throw(e) => {
                            handle.send_task_failure(token, &e.error, e.cause.as_deref())
                        }
                    };
                } else if step.outcome.is_some() {
                    return Err(TaskError::new(
                        MOCK_ERROR,
                        format!(
                            "Task state '{state}' waits for a task token, but the mock resolver has no execution handle (call MockResolver::attach)."
                        ),
                    ));
                }
                Ok(step.submitted.clone().unwrap_or_else(Val::empty_object))
            }
            None => {
                if runs_a_job(task) {
                    // AWS records `TaskSubmitted`, the service's immediate response
                    // (StartExecution's `ExecutionArn`/`StartDate`, ...), for every
                    // `.sync` job it started, before the job's result or failure
                    // (callback/start_execution_sync*). Without `Submitted`, a Return
                    // is still a started job, whose immediate response the mock does
                    // not know: `{}`, as for `.waitForTaskToken` above. A Throw
                    // without `Submitted` is a call that was rejected before any job
                    // started: AWS records `TaskFailed` right after `TaskStarted`.
                    match (&step.submitted, &step.outcome) {
                        (Some(s), _) => {
                            task.heartbeat.submitted(s.clone());
                        }
                        (None, Some(MockOutcome::Return(_))) => {
                            task.heartbeat.submitted(Val::empty_object());
                        }
                        (None, _) => {}
                    }
                }
                match &step.outcome {
                    Some(MockOutcome::Return(v)) => Ok(v.clone()),
                    Some(MockOutcome::Throw(e)) => Err(e.clone()),
                    None => Err(TaskError::new(
                        MOCK_ERROR,
                        format!(
                            "Invocation {index} of Task state '{state}' has only a Submitted response, but the task does not wait for a token."
                        ),
                    )),
                }
            }
        }
    }
}

/// `true` for `.sync` and `.sync:2` integrations: the call starts a job and the
/// task's result is the job's.
fn runs_a_job(task: &TaskRequest) -> bool {
    matches!(
        task.kind,
        ResourceKind::Integration {
            pattern: IntegrationPattern::Sync | IntegrationPattern::Sync2,
            ..
        }
    )
}

#[async_trait]
impl TaskResolver for MockResolver {
    async fn invoke(&self, task: TaskRequest) -> Result<Val, TaskError> {
        self.answer(&task)
    }
}
