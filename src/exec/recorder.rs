//! The live side of the history: assigns ids, links `previousEventId`s along causal
//! chains, timestamps events from the clock, stores them (per [`HistoryLevel`]) and
//! feeds subscribers of [`ExecutionHandle::events`](super::ExecutionHandle::events).

use super::clock::Clock;
use super::history::{
    Assigned, EventDetails, EventType, Events, History, HistoryEvent, HistoryLevel,
};
use crate::value::Val;
use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// A causal chain of events: the top level, one Parallel branch or one Map
/// iteration. Each event recorded on a chain points back at the chain's previous
/// event.
#[derive(Debug)]
pub(crate) struct Chain(AtomicU64);

impl Chain {
    /// A chain whose next event points at `prev`.
    pub(crate) fn new(prev: u64) -> Chain {
        Chain(AtomicU64::new(prev))
    }

    /// The id of the chain's last event.
    pub(crate) fn last(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Makes `id` the chain's last event.
    pub(crate) fn set(&self, id: u64) {
        self.0.store(id, Ordering::Release);
    }
}

struct Inner {
    next_id: u64,
    events: Events,
    /// The stored events after [`Recorder::finish`] moved them out (shared with the
    /// outcome's [`History`], for late subscribers).
    finished_events: Option<Arc<Events>>,
    subscribers: Vec<UnboundedSender<HistoryEvent>>,
    finished: bool,
}

impl Inner {
    /// Sends `event` to the subscribers, dropping those that went away.
    #[cold]
    #[inline(never)]
    fn send(&mut self, event: &HistoryEvent) {
        self.subscribers
            .retain(|s| s.unbounded_send(event.clone()).is_ok());
    }

    /// Sends the last stored event to the subscribers.
    #[cold]
    #[inline(never)]
    fn send_last(&mut self) {
        if let Some(event) = self.events.last() {
            let event = event.clone();
            self.send(&event);
        }
    }
}

/// Records an event with the recorder locked (`$inner`); evaluates to its id.
///
/// `$details` is evaluated once the event's slot in the store is found, and the
/// event is written straight into it. A macro rather than a function taking a
/// closure: the closure's captures were copied through the stack (with
/// store-forwarding stalls) before the event was built.
macro_rules! push_locked {
    ($recorder:expr, $inner:expr, $prev:expr, $event_type:expr, $timestamp:expr, $details:expr) => {{
        let inner: &mut Inner = $inner;
        let id = inner.next_id;
        inner.next_id += 1;
        if $recorder.level != HistoryLevel::None {
            if let Some(slot) = inner.events.free_slot() {
                *slot = Some(HistoryEvent {
                    id,
                    previous_event_id: $prev,
                    timestamp_millis: $timestamp,
                    event_type: $event_type,
                    details: $details,
                });
                inner.events.commit();
            }
            if !inner.subscribers.is_empty() {
                inner.send_last();
            }
        } else if !inner.subscribers.is_empty() {
            let event = HistoryEvent {
                id,
                previous_event_id: $prev,
                timestamp_millis: $timestamp,
                event_type: $event_type,
                details: $details,
            };
            inner.send(&event);
        }
        id
    }};
}

/// The body of the `Recorder::record_*` functions that build their event's details
/// in place from borrowed parts: locks, reads the clock, records the event on
/// `$chain` after its last one and advances the chain; evaluates to the id.
///
/// Details built by the caller and passed in by value are copied through the stack
/// twice before they reach their slot, each copy stalling on the one before it:
/// building `MapIteration*` events in place made map_10k 8 % faster (BENCHMARKS.md,
/// profile note 17).
macro_rules! record_in_place {
    ($recorder:expr, $chain:expr, $event_type:expr, $details:expr) => {{
        let recorder: &Recorder = $recorder;
        let chain: &Chain = $chain;
        let mut inner = recorder.lock();
        let timestamp_millis = recorder.timestamp(&inner);
        let prev = chain.last();
        let id = push_locked!(
            recorder,
            &mut inner,
            prev,
            $event_type,
            timestamp_millis,
            $details
        );
        chain.set(id);
        id
    }};
}

/// Records events for one execution.
pub(crate) struct Recorder {
    level: HistoryLevel,
    clock: Arc<dyn Clock>,
    inner: Mutex<Inner>,
}

impl Recorder {
    pub(crate) fn new(level: HistoryLevel, clock: Arc<dyn Clock>) -> Recorder {
        Recorder {
            level,
            clock,
            inner: Mutex::new(Inner {
                next_id: 1,
                events: Events::default(),
                finished_events: None,
                subscribers: Vec::new(),
                finished: false,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The payload to store for a data field: the value at `Full`, nothing otherwise.
    pub(crate) fn data(&self, v: &Val) -> Option<Val> {
        match self.level {
            HistoryLevel::Full => Some(v.clone()),
            _ => None,
        }
    }

    /// Records an event whose predecessor is `prev`; returns its id.
    ///
    /// Subscribers (rare) are served out of line, from the stored copy.
    ///
    /// Not [`push_locked!`]: for an event whose details arrive already built (the
    /// Task, Map and Parallel events) writing it through the macro's in-place slot
    /// measured +1.5 % instructions on task_retry_catch with no wall-time gain.
    #[inline]
    pub(crate) fn push(&self, prev: u64, event_type: EventType, details: EventDetails) -> u64 {
        let mut inner = self.lock();
        let id = inner.next_id;
        inner.next_id += 1;
        if self.level != HistoryLevel::None {
            let timestamp_millis = self.clock.now_millis();
            inner.events.push(HistoryEvent {
                id,
                previous_event_id: prev,
                timestamp_millis,
                event_type,
                details,
            });
            if !inner.subscribers.is_empty() {
                inner.send_last();
            }
        } else if !inner.subscribers.is_empty() {
            let event = HistoryEvent {
                id,
                previous_event_id: prev,
                timestamp_millis: self.clock.now_millis(),
                event_type,
                details,
            };
            inner.send(&event);
        }
        id
    }

    /// The timestamp for an event: the clock's time, unless the event is neither
    /// stored nor sent (then the clock is not read).
    #[inline(always)]
    fn timestamp(&self, inner: &Inner) -> i64 {
        if self.level != HistoryLevel::None || !inner.subscribers.is_empty() {
            self.clock.now_millis()
        } else {
            0
        }
    }

    /// Records an event on `chain` and advances the chain.
    pub(crate) fn record(
        &self,
        chain: &Chain,
        event_type: EventType,
        details: EventDetails,
    ) -> u64 {
        let id = self.push(chain.last(), event_type, details);
        chain.set(id);
        id
    }

    /// Records two events one after the other on `chain` (a Task attempt's
    /// `*Scheduled` and `*Started`), under one lock and with one clock reading
    /// (both get the same timestamp), each built in its slot; advances the chain
    /// and returns the second event's id.
    ///
    /// The same events as two calls of [`Recorder::record`] with nothing recorded
    /// on the chain in between.
    pub(crate) fn record_pair(
        &self,
        chain: &Chain,
        first: EventType,
        first_details: EventDetails,
        second: EventType,
        second_details: EventDetails,
    ) -> u64 {
        let mut inner = self.lock();
        let timestamp_millis = self.timestamp(&inner);
        let prev = chain.last();
        let first_id = push_locked!(
            self,
            &mut inner,
            prev,
            first,
            timestamp_millis,
            first_details
        );
        let id = push_locked!(
            self,
            &mut inner,
            first_id,
            second,
            timestamp_millis,
            second_details
        );
        chain.set(id);
        id
    }

    /// Records a `MapIteration*` event (`event_type`) of Map state `name`'s
    /// iteration `index` on `chain` and advances the chain; returns its id.
    ///
    /// The same event as [`Recorder::record`] with [`EventDetails::MapIteration`],
    /// built in place from borrowed parts (see `record_in_place!`).
    pub(crate) fn record_iteration(
        &self,
        chain: &Chain,
        event_type: EventType,
        name: &Arc<str>,
        index: usize,
    ) -> u64 {
        record_in_place!(
            self,
            chain,
            event_type,
            EventDetails::MapIteration {
                name: name.clone(),
                index,
            }
        )
    }

    /// Records an event with [`EventDetails::Output`] (`*Succeeded` of a Lambda
    /// function or an activity) on `chain`, built in place; returns its id.
    pub(crate) fn record_output(&self, chain: &Chain, event_type: EventType, output: &Val) -> u64 {
        record_in_place!(
            self,
            chain,
            event_type,
            EventDetails::Output {
                output: self.data(output),
            }
        )
    }

    /// Records an event with [`EventDetails::TaskOutput`] (`TaskSucceeded`,
    /// `TaskSubmitted`) on `chain`, built in place; returns its id.
    pub(crate) fn record_task_output(
        &self,
        chain: &Chain,
        event_type: EventType,
        resource_type: &Arc<str>,
        resource: &Arc<str>,
        output: &Val,
    ) -> u64 {
        record_in_place!(
            self,
            chain,
            event_type,
            EventDetails::TaskOutput {
                resource_type: resource_type.clone(),
                resource: resource.clone(),
                output: self.data(output),
            }
        )
    }

    /// Records an event with [`EventDetails::Error`] (`*Failed`, `*TimedOut` of a
    /// Lambda function or an activity) on `chain`, built in place; returns its id.
    pub(crate) fn record_error(
        &self,
        chain: &Chain,
        event_type: EventType,
        error: Option<Arc<str>>,
        cause: Option<String>,
    ) -> u64 {
        record_in_place!(
            self,
            chain,
            event_type,
            EventDetails::Error { error, cause }
        )
    }

    /// Records a state's `*StateEntered` event (`event_type`) on `chain` and
    /// advances the chain; returns its id and timestamp (the clock's time, read
    /// also when the event is not kept).
    ///
    /// The same event as [`Recorder::record`] with [`EventDetails::StateEntered`],
    /// built in place from borrowed parts.
    pub(crate) fn record_entered(
        &self,
        chain: &Chain,
        event_type: EventType,
        name: &Arc<str>,
        input: &Val,
    ) -> (u64, i64) {
        let mut inner = self.lock();
        let timestamp_millis = self.clock.now_millis();
        let prev = chain.last();
        let id = push_locked!(
            self,
            &mut inner,
            prev,
            event_type,
            timestamp_millis,
            EventDetails::StateEntered {
                name: name.clone(),
                input: self.data(input),
            }
        );
        chain.set(id);
        (id, timestamp_millis)
    }

    /// Records a state's `*StateExited` event (`event_type`) on `chain` and
    /// advances the chain; returns its id.
    ///
    /// The same event as [`Recorder::record`] with [`EventDetails::StateExited`],
    /// built in place from borrowed parts.
    pub(crate) fn record_exited(
        &self,
        chain: &Chain,
        event_type: EventType,
        name: &Arc<str>,
        output: &Val,
        assigned: Option<Assigned>,
    ) -> u64 {
        record_in_place!(
            self,
            chain,
            event_type,
            EventDetails::StateExited {
                name: name.clone(),
                output: self.data(output),
                assigned,
            }
        )
    }

    /// Records a state's `*StateExited` event and, unless its id is over `limit`,
    /// the next state's `*StateEntered` (whose input is the output), one after the
    /// other on `chain`, under one lock and with one clock reading (both events
    /// get the same timestamp); advances the chain.
    ///
    /// Returns the `*StateExited` id and, if it was recorded, the `*StateEntered`
    /// id and timestamp: the same events as [`Recorder::record_exited`] followed
    /// by [`Recorder::record_entered`] with nothing recorded on the chain in
    /// between.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(crate) fn record_exited_entered(
        &self,
        chain: &Chain,
        exited: EventType,
        name: &Arc<str>,
        output: &Val,
        assigned: Option<Assigned>,
        entered: EventType,
        next_name: &Arc<str>,
        limit: u64,
    ) -> (u64, Option<(u64, i64)>) {
        let mut inner = self.lock();
        let timestamp_millis = self.clock.now_millis();
        let prev = chain.last();
        let exited_id = push_locked!(
            self,
            &mut inner,
            prev,
            exited,
            timestamp_millis,
            EventDetails::StateExited {
                name: name.clone(),
                output: self.data(output),
                assigned,
            }
        );
        if exited_id > limit {
            chain.set(exited_id);
            return (exited_id, None);
        }
        let entered_id = push_locked!(
            self,
            &mut inner,
            exited_id,
            entered,
            timestamp_millis,
            EventDetails::StateEntered {
                name: next_name.clone(),
                input: self.data(output),
            }
        );
        chain.set(entered_id);
        (exited_id, Some((entered_id, timestamp_millis)))
    }

    /// How many events have been recorded.
    pub(crate) fn count(&self) -> u64 {
        self.lock().next_id - 1
    }

    /// A stream of events: those already stored, then live ones until the end.
    pub(crate) fn subscribe(&self) -> UnboundedReceiver<HistoryEvent> {
        let (tx, rx) = unbounded();
        let mut inner = self.lock();
        let stored = match &inner.finished_events {
            Some(events) => &**events,
            None => &inner.events,
        };
        for e in stored {
            let _ = tx.unbounded_send(e.clone());
        }
        if !inner.finished {
            inner.subscribers.push(tx);
        }
        rx
    }

    /// Ends the history: closes the streams and returns the stored events (moved
    /// out, not copied; late subscribers still get them replayed).
    pub(crate) fn finish(&self) -> History {
        let mut inner = self.lock();
        inner.finished = true;
        inner.subscribers.clear();
        let events = std::mem::take(&mut inner.events);
        let shared = inner
            .finished_events
            .get_or_insert_with(|| Arc::new(events))
            .clone();
        History::from_shared(shared)
    }
}
