//! Shared helpers for the executor tests: every test body is an `async fn` run both
//! on tokio and on `futures::executor::block_on`, always on a virtual clock.
#![allow(dead_code)]

use statelang::exec::{
    EventType, Executor, HistoryEvent, Outcome, Resolvers, TaskResolver, VirtualClock,
};
use statelang::{StateMachine, Val};
use std::sync::Arc;

/// 2024-01-01T00:00:00Z, where every test's virtual clock starts.
pub const T0: i64 = 1_704_067_200_000;

/// Runs `async fn $name()` as two tests: `$name::block_on` and `$name::tokio`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn block_on() {
                futures::executor::block_on(super::$name());
            }

            #[tokio::test]
            async fn tokio() {
                super::$name().await;
            }
        }
    )*};
}

/// Parses a definition, panicking with the diagnostics if it is rejected.
pub fn machine(json: &str) -> StateMachine {
    match StateMachine::parse(json) {
        Ok(m) => m,
        Err(e) => panic!("definition rejected: {e:#?}"),
    }
}

/// A deterministic executor on a virtual clock starting at [`T0`].
pub fn executor(resolver: impl TaskResolver + 'static) -> Executor {
    executor_with_clock(resolver, VirtualClock::starting_at(T0))
}

/// A deterministic executor on the given virtual clock.
pub fn executor_with_clock(resolver: impl TaskResolver + 'static, clock: VirtualClock) -> Executor {
    Executor::new(Arc::new(resolver))
        .clock(Arc::new(clock))
        .random_seed(42)
        .state_machine_name("TestMachine")
        .execution_name("test-execution")
        .account("111111111111")
        .region("us-east-1")
        .role_arn("arn:aws:iam::111111111111:role/test")
}

/// Runs `json` on `input` with `resolvers`.
pub async fn run(json: &str, input: Val, resolvers: Resolvers) -> Outcome {
    executor(resolvers).run(&machine(json), input).await
}

/// Runs `json` on `input` with no resolvers.
pub async fn run_plain(json: &str, input: Val) -> Outcome {
    run(json, input, Resolvers::new()).await
}

/// The event type names of an outcome's history.
pub fn types(o: &Outcome) -> Vec<&'static str> {
    o.history.type_names()
}

/// The events of type `t`.
pub fn events_of(o: &Outcome, t: EventType) -> Vec<&HistoryEvent> {
    o.history
        .events()
        .iter()
        .filter(|e| e.event_type == t)
        .collect()
}

/// The event's details in the corpus shape (payloads parsed).
pub fn details(e: &HistoryEvent) -> serde_json::Value {
    e.to_corpus_json()["details"].clone()
}

/// Asserts ids run 1..=n and every previousEventId points backwards.
pub fn assert_well_linked(o: &Outcome) {
    for (i, e) in o.history.events().iter().enumerate() {
        assert_eq!(e.id, i as u64 + 1, "ids are consecutive");
        assert!(
            e.previous_event_id < e.id,
            "previousEventId points back: {e:?}"
        );
        assert!(e.timestamp_millis >= T0, "timestamps come from the clock");
    }
}

/// Yields once to the executor (wakes itself, then returns `Pending` once).
pub async fn yield_now() {
    let mut yielded = false;
    futures::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await
}
