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
use std::sync::{Arc, Mutex, MutexGuard};

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
    TaskScheduled(Arc<TaskScheduledDetails>),
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
    /// `LambdaFunctionScheduled`: the function and its input inline (each attempt
    /// records its own without an allocation), the rarer settings behind an `Arc`.
    LambdaFunctionScheduled {
        resource: Arc<str>,
        input: Option<Val>,
        settings: Option<Arc<LambdaFunctionSettings>>,
    },
    /// `ActivityScheduled`.
    ActivityScheduled(Arc<ActivityScheduledDetails>),
    /// `ActivityStarted`.
    ActivityStarted { worker_name: Option<Arc<str>> },
    /// `EvaluationFailed`.
    EvaluationFailed(Box<EvaluationFailedDetails>),
}

/// The details of `TaskScheduled` (behind an `Arc`: they are large, and every event is as
/// big as the largest variant; the retries of a Task attempt with the same input
/// share one copy).
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

/// The settings a `LambdaFunctionScheduled` event records when the state has them
/// (`timeoutInSeconds`, `taskCredentials`); the retries of a Task with the same
/// settings share one copy.
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub struct LambdaFunctionSettings {
    pub timeout_seconds: Option<u64>,
    pub role_arn: Option<Arc<str>>,
}

/// The details of `ActivityScheduled` (behind an `Arc`: they are large, and every event is as
/// big as the largest variant; the retries of a Task attempt with the same input
/// share one copy).
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
            EventDetails::LambdaFunctionScheduled { input, .. } => input.as_ref(),
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
            EventDetails::LambdaFunctionScheduled {
                resource,
                input,
                settings,
            } => {
                m.insert("resource".into(), Json::String(resource.to_string()));
                put_data(&mut m, "input", "inputDetails", input);
                let settings = settings.as_deref();
                if let Some(t) = settings.and_then(|s| s.timeout_seconds) {
                    m.insert("timeoutInSeconds".into(), json!(t));
                }
                if let Some(r) = settings.and_then(|s| s.role_arn.as_ref()) {
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

/// The events of the first chunk of an [`Events`] store, as a power of two.
const FIRST_CHUNK_BITS: u32 = 4;
/// The events of the largest chunks, as a power of two: every chunk from the one
/// that starts at `2 << MAX_CHUNK_BITS` on holds this many.
const MAX_CHUNK_BITS: u32 = 9;

/// Where event `i` (0-based) lives: its chunk and its offset in that chunk.
///
/// Chunk 0 holds events `0..16`; chunk `j` from 1 holds `16 << (j - 1) .. 16 << j`
/// (each as large as all before it, so the boundaries are powers of two) until
/// chunks reach 512 events; from event 1,024 on, every chunk holds 512.
#[inline]
fn locate(i: usize) -> (usize, usize) {
    const FIRST: usize = 1 << FIRST_CHUNK_BITS;
    const MAX: usize = 1 << MAX_CHUNK_BITS;
    if i < FIRST {
        (0, i)
    } else if i < 2 * MAX {
        let bits = usize::BITS - 1 - i.leading_zeros();
        ((bits - FIRST_CHUNK_BITS + 1) as usize, i - (1 << bits))
    } else {
        (
            (i >> MAX_CHUNK_BITS) + (MAX_CHUNK_BITS - FIRST_CHUNK_BITS) as usize,
            i & (MAX - 1),
        )
    }
}

/// How many events chunk `j` holds (see [`locate`]).
fn chunk_capacity(j: usize) -> usize {
    match chunk_class(j) {
        0 => 1 << FIRST_CHUNK_BITS,
        class => 1 << (FIRST_CHUNK_BITS + class as u32 - 1),
    }
}

/// The size class of chunk `j`: chunks 0 to 5 are each of their own size, every
/// later chunk holds 512 events.
fn chunk_class(j: usize) -> usize {
    j.min(CHUNK_CLASSES - 1)
}

/// How many chunk sizes there are.
const CHUNK_CLASSES: usize = (MAX_CHUNK_BITS - FIRST_CHUNK_BITS + 2) as usize;

/// The most events the process-wide [`ChunkCache`] keeps room for (5.8 MB of
/// events, however many threads run executions).
const CACHE_EVENTS: usize = 1 << 16;

/// The emptied chunks of dropped histories, by size class, for the next executions
/// to fill. Executions that follow each other then record into memory that is
/// already mapped: freeing the chunks to the allocator lets it return them to the
/// system at the end of each execution (glibc trims the heap top), and the next
/// execution takes a page fault per 4 KB of history again. One cache for the
/// process (not one per thread), so what it holds is bounded however many threads
/// run executions; it is locked once per chunk taken (every 512 events at most)
/// and once per dropped history.
struct ChunkCache {
    free: [Vec<Vec<Slot>>; CHUNK_CLASSES],
    /// The capacity of the chunks in `free`, in events (at most [`CACHE_EVENTS`]).
    events: usize,
}

static CACHE: Mutex<ChunkCache> = Mutex::new(ChunkCache {
    free: [const { Vec::new() }; CHUNK_CLASSES],
    events: 0,
});

/// The cache, also after a panic elsewhere while it was locked (it holds only
/// empty vectors, so it is never left inconsistent).
fn cache() -> MutexGuard<'static, ChunkCache> {
    CACHE.lock().unwrap_or_else(|e| e.into_inner())
}

/// One stored event, or room for one. A chunk is a vector of `chunk_capacity(j)`
/// slots, its events first: an event is written into its empty slot in place
/// (the slot is known to be empty, so nothing is dropped, and there is no
/// capacity check between building the event and storing it, which with
/// `Vec::push` makes the compiler build the event on the stack and copy it).
pub(crate) type Slot = Option<HistoryEvent>;

/// An empty chunk with room for `chunk_capacity(j)` events: a cached one if there is
/// one, else a new one.
fn take_chunk(j: usize) -> Vec<Slot> {
    let n = chunk_capacity(j);
    let cached = {
        let mut cache = cache();
        let chunk = cache.free[chunk_class(j)].pop();
        if chunk.is_some() {
            cache.events -= n;
        }
        chunk
    };
    cached.unwrap_or_else(|| std::iter::repeat_with(|| None).take(n).collect())
}

/// Gives the chunks of a dropped store back to the cache (after dropping
/// their events), as far as the cache has room; frees the rest.
fn recycle(mut chunks: Vec<Vec<Slot>>) {
    for chunk in &mut chunks {
        for slot in chunk.iter_mut() {
            if slot.is_none() {
                break;
            }
            *slot = None;
        }
    }
    let mut cache = cache();
    for (j, chunk) in chunks.into_iter().enumerate() {
        let n = chunk_capacity(j);
        if cache.events + n > CACHE_EVENTS || chunk.len() != n {
            break;
        }
        cache.events += n;
        cache.free[chunk_class(j)].push(chunk);
    }
}

/// The recorded events of an execution, in id order, as [`History::events`] returns
/// them: indexable (`events[0]`), iterable (`for e in events`, [`Events::iter`]) and
/// sized ([`Events::len`]), like a slice.
///
/// The events are stored in chunks (16 events first, each chunk as large as all
/// before it, at most 512), not in one vector: recording an event never moves the
/// ones before it, and no allocation is larger than 45 KB. When a store is dropped,
/// its emptied chunks are kept (up to 65,536 events' worth per process) for the
/// next executions to record into. [`Events::to_vec`] copies the events into one
/// vector when a slice is needed.
///
/// ```
/// use statelang::exec::EventType;
/// use statelang::{val, Executor, Resolvers, StateMachine};
/// use std::sync::Arc;
///
/// let machine =
///     StateMachine::parse(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#)
///         .expect("a valid definition");
/// let executor = Executor::new(Arc::new(Resolvers::new()));
/// let outcome = futures::executor::block_on(executor.run(&machine, val!({})));
/// let events = outcome.history.events();
/// assert_eq!(events.len(), 4);
/// assert_eq!(events[1].event_type, EventType::PassStateEntered);
/// assert_eq!(events.last().map(|e| e.id), Some(4));
/// assert!(events.iter().all(|e| e.previous_event_id < e.id));
/// ```
#[derive(Default)]
pub struct Events {
    /// Chunk `j` has [`chunk_capacity`]`(j)` slots, the events first; all but the
    /// last are full.
    chunks: Vec<Vec<Slot>>,
    /// How many events are stored.
    len: usize,
    /// How many events the allocated chunks hold when full.
    capacity: usize,
}

impl Events {
    /// Appends an event.
    #[inline]
    pub(crate) fn push(&mut self, event: HistoryEvent) {
        if let Some(slot) = self.free_slot() {
            *slot = Some(event);
            self.commit();
        }
    }

    /// The slot of the next event (always there and empty), for a caller that
    /// writes the event into it and then counts it ([`Events::commit`]): the
    /// event is built in place, with no closure whose captures go through the
    /// stack.
    #[inline(always)]
    pub(crate) fn free_slot(&mut self) -> Option<&mut Slot> {
        if self.len == self.capacity {
            self.add_chunk();
        }
        let free = self.capacity - self.len;
        let chunk = self.chunks.last_mut()?;
        // The last chunk's first free slot.
        chunk.len().checked_sub(free).and_then(|i| chunk.get_mut(i))
    }

    /// Counts the event just written into [`Events::free_slot`].
    #[inline(always)]
    pub(crate) fn commit(&mut self) {
        self.len += 1;
    }

    #[cold]
    #[inline(never)]
    fn add_chunk(&mut self) {
        let j = self.chunks.len();
        self.chunks.push(take_chunk(j));
        self.capacity += chunk_capacity(j);
    }

    /// How many events there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` when there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The event at `index` (0-based: the event whose id is `index + 1`), if any.
    pub fn get(&self, index: usize) -> Option<&HistoryEvent> {
        if index >= self.len {
            return None;
        }
        let (chunk, offset) = locate(index);
        self.chunks.get(chunk)?.get(offset)?.as_ref()
    }

    /// The first event (`ExecutionStarted` when there are any).
    pub fn first(&self) -> Option<&HistoryEvent> {
        self.get(0)
    }

    /// The last event.
    pub fn last(&self) -> Option<&HistoryEvent> {
        self.get(self.len.checked_sub(1)?)
    }

    /// The events in order.
    pub fn iter(&self) -> EventsIter<'_> {
        EventsIter {
            inner: self.chunks.iter().flatten().flatten(),
            remaining: self.len,
        }
    }

    /// The events copied into one vector (each event cloned: its payloads are
    /// shared, not copied).
    pub fn to_vec(&self) -> Vec<HistoryEvent> {
        let mut v = Vec::with_capacity(self.len);
        v.extend(self.iter().cloned());
        v
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        recycle(std::mem::take(&mut self.chunks));
    }
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl std::ops::Index<usize> for Events {
    type Output = HistoryEvent;

    /// The event at `index` (0-based); panics when there is none, as a slice does.
    fn index(&self, index: usize) -> &HistoryEvent {
        match self.get(index) {
            Some(e) => e,
            None => panic!(
                "index out of bounds: the history has {} events but the index is {index}",
                self.len
            ),
        }
    }
}

impl<'a> IntoIterator for &'a Events {
    type Item = &'a HistoryEvent;
    type IntoIter = EventsIter<'a>;

    fn into_iter(self) -> EventsIter<'a> {
        self.iter()
    }
}

/// The iterator of [`Events::iter`]: the events in order (from either end), with an
/// exact length.
#[derive(Clone, Debug)]
pub struct EventsIter<'a> {
    inner: std::iter::Flatten<std::iter::Flatten<std::slice::Iter<'a, Vec<Slot>>>>,
    remaining: usize,
}

impl<'a> Iterator for EventsIter<'a> {
    type Item = &'a HistoryEvent;

    #[inline]
    fn next(&mut self) -> Option<&'a HistoryEvent> {
        let e = self.inner.next()?;
        self.remaining -= 1;
        Some(e)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl DoubleEndedIterator for EventsIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let e = self.inner.next_back()?;
        self.remaining -= 1;
        Some(e)
    }
}

impl ExactSizeIterator for EventsIter<'_> {}

impl std::iter::FusedIterator for EventsIter<'_> {}

/// The recorded events of an execution, in id order.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// Shared with the recorder (for late subscribers): cloning a history is cheap.
    events: Arc<Events>,
}

impl History {
    pub(crate) fn from_shared(events: Arc<Events>) -> History {
        History { events }
    }

    /// The events: index them (`events()[0]`), iterate them (`events().iter()`, `for e
    /// in history.events()`), count them, or copy them into a `Vec` with
    /// [`Events::to_vec`].
    pub fn events(&self) -> &Events {
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

    fn event(id: u64) -> HistoryEvent {
        HistoryEvent {
            id,
            previous_event_id: id - 1,
            timestamp_millis: 0,
            event_type: EventType::PassStateEntered,
            details: EventDetails::None,
        }
    }

    #[test]
    fn chunks_tile_the_indices() {
        let mut next = 0;
        for j in 0..40 {
            for offset in 0..chunk_capacity(j) {
                assert_eq!(locate(next), (j, offset), "event {next}");
                next += 1;
            }
        }
        assert_eq!(chunk_capacity(0), 16);
        assert_eq!(chunk_capacity(1), 16);
        assert_eq!(chunk_capacity(2), 32);
        assert_eq!(chunk_capacity(6), 512);
        assert_eq!(chunk_capacity(7), 512);
    }

    #[test]
    fn events_index_and_iterate_like_a_slice() {
        let mut events = Events::default();
        assert!(events.is_empty());
        assert!(events.first().is_none() && events.last().is_none());
        assert_eq!(events.iter().next().map(|e| e.id), None);
        let n = 3000;
        for id in 1..=n {
            events.push(event(id));
        }
        assert_eq!(events.len(), n as usize);
        for (i, e) in events.iter().enumerate() {
            assert_eq!(e.id, i as u64 + 1);
            assert_eq!(events[i].id, e.id);
        }
        assert!(events.get(n as usize).is_none());
        assert_eq!(events.first().map(|e| e.id), Some(1));
        assert_eq!(events.last().map(|e| e.id), Some(n));
        let back: Vec<u64> = events.iter().rev().map(|e| e.id).collect();
        assert_eq!(back, (1..=n).rev().collect::<Vec<_>>());
        let mut it = events.iter();
        assert_eq!(it.len(), n as usize);
        it.next();
        it.next_back();
        assert_eq!(it.len(), n as usize - 2);
        let v = events.to_vec();
        assert_eq!(v.len(), n as usize);
        assert!(v.iter().zip(&events).all(|(a, b)| a.id == b.id));
    }

    #[test]
    fn dropped_stores_are_recycled_within_the_process_wide_bound() {
        // Far more events than the cache keeps: it keeps at most CACHE_EVENTS
        // (other tests may drop stores at the same time; the bound holds anyway).
        for _ in 0..4 {
            let mut events = Events::default();
            for id in 1..=(CACHE_EVENTS as u64 / 2 + 1000) {
                events.push(event(id));
            }
            assert_eq!(events.len(), CACHE_EVENTS / 2 + 1000);
            drop(events);
            let cache = cache();
            assert!(cache.events <= CACHE_EVENTS, "{}", cache.events);
            let held: usize = cache
                .free
                .iter()
                .enumerate()
                .map(|(class, chunks)| chunks.len() * chunk_capacity(class))
                .sum();
            assert_eq!(held, cache.events);
        }
        // A new store records into recycled chunks, which come back empty.
        let mut events = Events::default();
        events.push(event(1));
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].id, 1);
    }

    #[test]
    #[should_panic(expected = "index out of bounds")]
    fn indexing_past_the_end_panics() {
        let mut events = Events::default();
        events.push(event(1));
        let _ = &events[1];
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn events_stay_small() {
        // The history is made of these; the rare large details are boxed (or, for
        // the `*Scheduled` details a retry may share, behind an `Arc`).
        assert!(std::mem::size_of::<HistoryEvent>() <= 88);
        // A slot is no larger than its event.
        assert_eq!(
            std::mem::size_of::<Slot>(),
            std::mem::size_of::<HistoryEvent>()
        );
    }
}
