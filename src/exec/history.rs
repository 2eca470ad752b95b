//! The execution history: AWS's event types and `*EventDetails`, with payloads kept
//! as shared [`Val`]s and serialised only on demand.
//!
//! Two serialised shapes are offered: [`History::to_aws_json`], the
//! `GetExecutionHistory` response (`input`/`output`/`parameters` as JSON strings), and
//! [`History::to_corpus_json`], the conformance corpus's `{"type", "details"}` list
//! (payloads as parsed JSON).

use crate::value::Val;
use serde_json::{json, Map as JsonMap, Value as Json};
use std::fmt;
use std::sync::Arc;

/// How much of the history an execution records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HistoryLevel {
    /// No events are kept (ids are still counted: error causes cite them).
    None,
    /// Every event, without the data fields (`input`, `output`, `parameters`,
    /// `assignedVariables`), like `GetExecutionHistory` with `includeExecutionData=false`.
    Summary,
    /// Every event with its data (the default).
    #[default]
    Full,
}

macro_rules! event_types {
    ($($name:ident),* $(,)?) => {
        /// An AWS `HistoryEventType`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum EventType { $($name),* }

        impl EventType {
            /// The type name as AWS spells it (`PassStateEntered`, ...).
            pub fn as_str(self) -> &'static str {
                match self { $(EventType::$name => stringify!($name)),* }
            }
        }
    };
}

event_types!(
    ExecutionStarted,
    ExecutionSucceeded,
    ExecutionFailed,
    ExecutionAborted,
    ExecutionTimedOut,
    PassStateEntered,
    PassStateExited,
    TaskStateEntered,
    TaskStateExited,
    TaskStateAborted,
    ChoiceStateEntered,
    ChoiceStateExited,
    WaitStateEntered,
    WaitStateExited,
    WaitStateAborted,
    SucceedStateEntered,
    SucceedStateExited,
    FailStateEntered,
    ParallelStateEntered,
    ParallelStateStarted,
    ParallelStateSucceeded,
    ParallelStateFailed,
    ParallelStateAborted,
    ParallelStateExited,
    MapStateEntered,
    MapStateStarted,
    MapStateSucceeded,
    MapStateFailed,
    MapStateAborted,
    MapStateExited,
    MapIterationStarted,
    MapIterationSucceeded,
    MapIterationFailed,
    MapIterationAborted,
    MapRunStarted,
    MapRunSucceeded,
    MapRunFailed,
    MapRunAborted,
    TaskScheduled,
    TaskStarted,
    TaskSubmitted,
    TaskSucceeded,
    TaskFailed,
    TaskTimedOut,
    TaskStartFailed,
    TaskSubmitFailed,
    LambdaFunctionScheduled,
    LambdaFunctionStarted,
    LambdaFunctionSucceeded,
    LambdaFunctionFailed,
    LambdaFunctionTimedOut,
    ActivityScheduled,
    ActivityStarted,
    ActivitySucceeded,
    ActivityFailed,
    ActivityTimedOut,
    EvaluationFailed,
);

impl EventType {
    /// The key of this event's details object: `stateEnteredEventDetails` for every
    /// `*StateEntered`, `stateExitedEventDetails` for every `*StateExited`, otherwise
    /// the type in lowerCamelCase plus `EventDetails`.
    pub fn details_key(self) -> String {
        let name = self.as_str();
        if name.ends_with("StateEntered") {
            return String::from("stateEnteredEventDetails");
        }
        if name.ends_with("StateExited") {
            return String::from("stateExitedEventDetails");
        }
        let mut key = String::with_capacity(name.len() + 12);
        let mut chars = name.chars();
        if let Some(c) = chars.next() {
            key.push(c.to_ascii_lowercase());
        }
        key.extend(chars);
        key.push_str("EventDetails");
        key
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Variables a state assigned, in assignment order, as recorded in
/// `stateExitedEventDetails.assignedVariables`.
pub type Assigned = Arc<Vec<(Arc<str>, Val)>>;

/// The details of an event. Data fields are `None` at [`HistoryLevel::Summary`].
#[derive(Clone, Debug, Default)]
#[allow(missing_docs)]
pub enum EventDetails {
    /// The event carries no details.
    #[default]
    None,
    /// `ExecutionStarted`.
    ExecutionStarted {
        input: Option<Val>,
        role_arn: Arc<str>,
    },
    /// `ExecutionSucceeded`, `LambdaFunctionSucceeded`, `ActivitySucceeded`.
    Output { output: Option<Val> },
    /// `Execution{Failed,Aborted,TimedOut}`, `LambdaFunction{Failed,TimedOut}`,
    /// `Activity{Failed,TimedOut}`, `MapRunFailed`.
    Error {
        error: Option<Arc<str>>,
        cause: Option<String>,
    },
    /// `*StateEntered`.
    StateEntered { name: Arc<str>, input: Option<Val> },
    /// `*StateExited`.
    StateExited {
        name: Arc<str>,
        output: Option<Val>,
        assigned: Option<Assigned>,
    },
    /// `MapStateStarted`.
    MapStateStarted { length: usize },
    /// `MapIteration{Started,Succeeded,Failed,Aborted}`.
    MapIteration { name: Arc<str>, index: usize },
    /// `MapRunStarted`.
    MapRunStarted { map_run_arn: Arc<str> },
    /// `TaskScheduled`.
    TaskScheduled(Box<TaskScheduledDetails>),
    /// `TaskStarted`.
    Task {
        resource_type: Arc<str>,
        resource: Arc<str>,
    },
    /// `TaskSubmitted`, `TaskSucceeded`.
    TaskOutput {
        resource_type: Arc<str>,
        resource: Arc<str>,
        output: Option<Val>,
    },
    /// `TaskFailed`, `TaskTimedOut`, `TaskStartFailed`, `TaskSubmitFailed`.
    TaskError(Box<TaskErrorDetails>),
    /// `LambdaFunctionScheduled`.
    LambdaFunctionScheduled(Box<LambdaFunctionScheduledDetails>),
    /// `ActivityScheduled`.
    ActivityScheduled(Box<ActivityScheduledDetails>),
    /// `ActivityStarted`.
    ActivityStarted { worker_name: Option<Arc<str>> },
    /// `EvaluationFailed`.
    EvaluationFailed(Box<EvaluationFailedDetails>),
}

/// The details of `TaskScheduled` (boxed: it is large and rare, and every event is as
/// big as the largest variant).
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub struct TaskScheduledDetails {
    pub resource_type: Arc<str>,
    pub resource: Arc<str>,
    pub region: Arc<str>,
    pub parameters: Option<Val>,
    pub timeout_seconds: Option<u64>,
    pub heartbeat_seconds: Option<u64>,
    pub role_arn: Option<Arc<str>>,
}

/// The details of `TaskFailed`, `TaskTimedOut`, `TaskStartFailed` and `TaskSubmitFailed`
/// (boxed: it is large and rare, and every event is as big as the largest variant).
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub struct TaskErrorDetails {
    pub resource_type: Arc<str>,
    pub resource: Arc<str>,
    pub error: Option<Arc<str>>,
    pub cause: Option<String>,
}

/// The details of `LambdaFunctionScheduled` (boxed: it is large and rare, and every event is as
/// big as the largest variant).
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub struct LambdaFunctionScheduledDetails {
    pub resource: Arc<str>,
    pub input: Option<Val>,
    pub timeout_seconds: Option<u64>,
    pub role_arn: Option<Arc<str>>,
}

/// The details of `ActivityScheduled` (boxed: it is large and rare, and every event is as
/// big as the largest variant).
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub struct ActivityScheduledDetails {
    pub resource: Arc<str>,
    pub input: Option<Val>,
    pub timeout_seconds: Option<u64>,
    pub heartbeat_seconds: Option<u64>,
}

/// The details of `EvaluationFailed` (boxed: it is large and rare, and every event is as
/// big as the largest variant).
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub struct EvaluationFailedDetails {
    pub error: Option<Arc<str>>,
    pub cause: Option<String>,
    pub location: Option<Arc<str>>,
    pub state: Arc<str>,
}

/// One history event.
#[derive(Clone, Debug)]
pub struct HistoryEvent {
    /// 1-based, increasing by one per event.
    pub id: u64,
    /// The causally preceding event (0 for none), as AWS links them.
    pub previous_event_id: u64,
    /// When it happened, in milliseconds since the Unix epoch (from the clock).
    pub timestamp_millis: i64,
    /// The event type.
    pub event_type: EventType,
    /// The type's details.
    pub details: EventDetails,
}

/// How data fields are written: as JSON text (AWS API) or parsed (corpus).
#[derive(Clone, Copy, PartialEq, Eq)]
enum DataShape {
    Text,
    Parsed,
}

fn data(v: &Val, shape: DataShape) -> Json {
    match shape {
        DataShape::Text => Json::String(v.to_json_string()),
        DataShape::Parsed => v.to_serde(),
    }
}

fn truncated() -> Json {
    json!({ "truncated": false })
}

impl HistoryEvent {
    /// The name of the state this event belongs to, for `*StateEntered`/`*StateExited`.
    pub fn state_name(&self) -> Option<&str> {
        match &self.details {
            EventDetails::StateEntered { name, .. } | EventDetails::StateExited { name, .. } => {
                Some(name)
            }
            _ => None,
        }
    }

    /// The `input` payload of the event, if it has one.
    pub fn input(&self) -> Option<&Val> {
        match &self.details {
            EventDetails::ExecutionStarted { input, .. }
            | EventDetails::StateEntered { input, .. } => input.as_ref(),
            EventDetails::LambdaFunctionScheduled(d) => d.input.as_ref(),
            EventDetails::ActivityScheduled(d) => d.input.as_ref(),
            EventDetails::TaskScheduled(d) => d.parameters.as_ref(),
            _ => None,
        }
    }

    /// The `output` payload of the event, if it has one.
    pub fn output(&self) -> Option<&Val> {
        match &self.details {
            EventDetails::Output { output }
            | EventDetails::StateExited { output, .. }
            | EventDetails::TaskOutput { output, .. } => output.as_ref(),
            _ => None,
        }
    }

    /// The `error` and `cause` of the event, if it is a failure event.
    pub fn error(&self) -> Option<(Option<&str>, Option<&str>)> {
        match &self.details {
            EventDetails::Error { error, cause } => Some((error.as_deref(), cause.as_deref())),
            EventDetails::TaskError(d) => Some((d.error.as_deref(), d.cause.as_deref())),
            EventDetails::EvaluationFailed(d) => Some((d.error.as_deref(), d.cause.as_deref())),
            _ => None,
        }
    }

    fn details_json(&self, shape: DataShape) -> JsonMap<String, Json> {
        let mut m = JsonMap::new();
        let put_data = |m: &mut JsonMap<String, Json>, key: &str, dkey: &str, v: &Option<Val>| {
            if let Some(v) = v {
                m.insert(key.to_string(), data(v, shape));
                if !dkey.is_empty() {
                    m.insert(dkey.to_string(), truncated());
                }
            }
        };
        let put_err = |m: &mut JsonMap<String, Json>, e: &Option<Arc<str>>, c: &Option<String>| {
            if let Some(e) = e {
                m.insert("error".into(), Json::String(e.to_string()));
            }
            if let Some(c) = c {
                m.insert("cause".into(), Json::String(c.clone()));
            }
        };
        let put_res = |m: &mut JsonMap<String, Json>, t: &str, r: &str| {
            m.insert("resourceType".into(), Json::String(t.to_string()));
            m.insert("resource".into(), Json::String(r.to_string()));
        };
        match &self.details {
            EventDetails::None => {}
            EventDetails::ExecutionStarted { input, role_arn } => {
                put_data(&mut m, "input", "inputDetails", input);
                m.insert("roleArn".into(), Json::String(role_arn.to_string()));
            }
            EventDetails::Output { output } => put_data(&mut m, "output", "outputDetails", output),
            EventDetails::Error { error, cause } => put_err(&mut m, error, cause),
            EventDetails::StateEntered { name, input } => {
                m.insert("name".into(), Json::String(name.to_string()));
                put_data(&mut m, "input", "inputDetails", input);
            }
            EventDetails::StateExited {
                name,
                output,
                assigned,
            } => {
                m.insert("name".into(), Json::String(name.to_string()));
                put_data(&mut m, "output", "outputDetails", output);
                if let Some(vars) = assigned {
                    let mut a = JsonMap::new();
                    for (k, v) in vars.iter() {
                        a.insert(k.to_string(), data(v, shape));
                    }
                    m.insert("assignedVariables".into(), Json::Object(a));
                    m.insert("assignedVariablesDetails".into(), truncated());
                }
            }
            EventDetails::MapStateStarted { length } => {
                m.insert("length".into(), json!(length));
            }
            EventDetails::MapIteration { name, index } => {
                m.insert("name".into(), Json::String(name.to_string()));
                m.insert("index".into(), json!(index));
            }
            EventDetails::MapRunStarted { map_run_arn } => {
                m.insert("mapRunArn".into(), Json::String(map_run_arn.to_string()));
            }
            EventDetails::TaskScheduled(d) => {
                let TaskScheduledDetails {
                    resource_type,
                    resource,
                    region,
                    parameters,
                    timeout_seconds,
                    heartbeat_seconds,
                    role_arn,
                } = &**d;
                put_res(&mut m, resource_type, resource);
                m.insert("region".into(), Json::String(region.to_string()));
                put_data(&mut m, "parameters", "", parameters);
                if let Some(t) = timeout_seconds {
                    m.insert("timeoutInSeconds".into(), json!(t));
                }
                if let Some(h) = heartbeat_seconds {
                    m.insert("heartbeatInSeconds".into(), json!(h));
                }
                if let Some(r) = role_arn {
                    m.insert(
                        "taskCredentials".into(),
                        json!({ "roleArn": r.to_string() }),
                    );
                }
            }
            EventDetails::Task {
                resource_type,
                resource,
            } => put_res(&mut m, resource_type, resource),
            EventDetails::TaskOutput {
                resource_type,
                resource,
                output,
            } => {
                put_res(&mut m, resource_type, resource);
                put_data(&mut m, "output", "outputDetails", output);
            }
            EventDetails::TaskError(d) => {
                let TaskErrorDetails {
                    resource_type,
                    resource,
                    error,
                    cause,
                } = &**d;
                put_res(&mut m, resource_type, resource);
                put_err(&mut m, error, cause);
            }
            EventDetails::LambdaFunctionScheduled(d) => {
                let LambdaFunctionScheduledDetails {
                    resource,
                    input,
                    timeout_seconds,
                    role_arn,
                } = &**d;
                m.insert("resource".into(), Json::String(resource.to_string()));
                put_data(&mut m, "input", "inputDetails", input);
                if let Some(t) = timeout_seconds {
                    m.insert("timeoutInSeconds".into(), json!(t));
                }
                if let Some(r) = role_arn {
                    m.insert(
                        "taskCredentials".into(),
                        json!({ "roleArn": r.to_string() }),
                    );
                }
            }
            EventDetails::ActivityScheduled(d) => {
                let ActivityScheduledDetails {
                    resource,
                    input,
                    timeout_seconds,
                    heartbeat_seconds,
                } = &**d;
                m.insert("resource".into(), Json::String(resource.to_string()));
                put_data(&mut m, "input", "inputDetails", input);
                if let Some(t) = timeout_seconds {
                    m.insert("timeoutInSeconds".into(), json!(t));
                }
                if let Some(h) = heartbeat_seconds {
                    m.insert("heartbeatInSeconds".into(), json!(h));
                }
            }
            EventDetails::ActivityStarted { worker_name } => {
                if let Some(w) = worker_name {
                    m.insert("workerName".into(), Json::String(w.to_string()));
                }
            }
            EventDetails::EvaluationFailed(d) => {
                let EvaluationFailedDetails {
                    error,
                    cause,
                    location,
                    state,
                } = &**d;
                put_err(&mut m, error, cause);
                if let Some(l) = location {
                    m.insert("location".into(), Json::String(l.to_string()));
                }
                m.insert("state".into(), Json::String(state.to_string()));
            }
        }
        m
    }

    /// The event as `GetExecutionHistory` returns it: `timestamp` (epoch seconds, as
    /// the AWS JSON protocol sends it), `type`, `id`, `previousEventId` and the
    /// details object (omitted when empty) with payloads as JSON strings.
    pub fn to_aws_json(&self) -> Json {
        let mut m = JsonMap::new();
        m.insert(
            "timestamp".into(),
            json!(self.timestamp_millis as f64 / 1000.0),
        );
        m.insert("type".into(), Json::String(self.event_type.as_str().into()));
        m.insert("id".into(), json!(self.id));
        m.insert("previousEventId".into(), json!(self.previous_event_id));
        let details = self.details_json(DataShape::Text);
        if !details.is_empty() || matches!(self.event_type, EventType::ExecutionAborted) {
            m.insert(self.event_type.details_key(), Json::Object(details));
        }
        Json::Object(m)
    }

    /// The event in the conformance corpus shape: `{"type", "details"}`, payloads parsed.
    pub fn to_corpus_json(&self) -> Json {
        json!({
            "type": self.event_type.as_str(),
            "details": Json::Object(self.details_json(DataShape::Parsed)),
        })
    }
}

/// The recorded events of an execution, in id order.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// Shared with the recorder (for late subscribers): cloning a history is cheap.
    events: Arc<Vec<HistoryEvent>>,
}

impl History {
    pub(crate) fn from_shared(events: Arc<Vec<HistoryEvent>>) -> History {
        History { events }
    }

    /// The events.
    pub fn events(&self) -> &[HistoryEvent] {
        &self.events
    }

    /// How many events were recorded.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// `true` when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The event types in order (handy in assertions).
    pub fn types(&self) -> Vec<EventType> {
        self.events.iter().map(|e| e.event_type).collect()
    }

    /// The event type names in order.
    pub fn type_names(&self) -> Vec<&'static str> {
        self.events.iter().map(|e| e.event_type.as_str()).collect()
    }

    /// The first event of type `t`.
    pub fn find(&self, t: EventType) -> Option<&HistoryEvent> {
        self.events.iter().find(|e| e.event_type == t)
    }

    /// The `GetExecutionHistory` response: `{"events": [...]}`.
    pub fn to_aws_json(&self) -> Json {
        json!({ "events": self.events.iter().map(HistoryEvent::to_aws_json).collect::<Vec<_>>() })
    }

    /// The conformance corpus shape: `[{"type", "details"}, ...]`.
    pub fn to_corpus_json(&self) -> Json {
        Json::Array(
            self.events
                .iter()
                .map(HistoryEvent::to_corpus_json)
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_keys_follow_aws_naming() {
        assert_eq!(
            EventType::PassStateEntered.details_key(),
            "stateEnteredEventDetails"
        );
        assert_eq!(
            EventType::MapStateExited.details_key(),
            "stateExitedEventDetails"
        );
        assert_eq!(
            EventType::LambdaFunctionScheduled.details_key(),
            "lambdaFunctionScheduledEventDetails"
        );
        assert_eq!(
            EventType::MapIterationStarted.details_key(),
            "mapIterationStartedEventDetails"
        );
    }

    #[test]
    fn aws_shape_has_payloads_as_strings() {
        let e = HistoryEvent {
            id: 2,
            previous_event_id: 0,
            timestamp_millis: 1500,
            event_type: EventType::PassStateEntered,
            details: EventDetails::StateEntered {
                name: Arc::from("A"),
                input: Some(crate::val!({"x": 1})),
            },
        };
        let j = e.to_aws_json();
        assert_eq!(j["stateEnteredEventDetails"]["input"], json!("{\"x\":1}"));
        assert_eq!(j["timestamp"], json!(1.5));
        let c = e.to_corpus_json();
        assert_eq!(c["details"]["input"], json!({"x": 1}));
        assert_eq!(c["details"]["inputDetails"], json!({"truncated": false}));
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn events_stay_small() {
        // The history is one vector of these; the rare large details are boxed.
        assert!(std::mem::size_of::<HistoryEvent>() <= 88);
    }
}
