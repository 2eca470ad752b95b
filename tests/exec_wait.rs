//! Wait states on the virtual clock: durations are instant in real time but advance
//! the timestamps.
mod common;
use common::*;
use statelang::exec::{EventType, Status};
use statelang::val;
use std::time::Instant;

async fn seconds_advance_virtual_time_instantly() {
    let started = Instant::now();
    let o = run_plain(
        r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":86400,"Next":"P"},"P":{"Type":"Pass","End":true}}}"#,
        val!({"k": 1}),
    )
    .await;
    assert!(started.elapsed().as_secs() < 5, "no real sleeping");
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!({"k": 1})));
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "WaitStateEntered",
            "WaitStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    let entered = o.history.find(EventType::WaitStateEntered).unwrap();
    let exited = o.history.find(EventType::WaitStateExited).unwrap();
    assert_eq!(entered.timestamp_millis, T0);
    assert_eq!(exited.timestamp_millis, T0 + 86_400_000);
}

async fn timestamp_in_the_future_waits_until_then() {
    let o = run_plain(
        r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"2024-01-01T00:01:30.500Z","End":true}}}"#,
        val!({}),
    )
    .await;
    let exited = o.history.find(EventType::WaitStateExited).unwrap();
    assert_eq!(exited.timestamp_millis, T0 + 90_500);
}

async fn timestamp_in_the_past_does_not_wait() {
    let o = run_plain(
        r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"2016-03-14T01:59:00Z","End":true}}}"#,
        val!({}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(
        o.history
            .find(EventType::WaitStateExited)
            .unwrap()
            .timestamp_millis,
        T0
    );
}

async fn zero_seconds_is_no_wait() {
    let o = run_plain(
        r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":0,"End":true}}}"#,
        val!(1),
    )
    .await;
    assert_eq!(o.output, Some(val!(1)));
}

async fn timers_fire_in_deadline_order_across_branches() {
    let o = run_plain(
        r#"{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[
            {"StartAt":"Slow","States":{"Slow":{"Type":"Wait","Seconds":30,"End":true}}},
            {"StartAt":"Fast","States":{"Fast":{"Type":"Wait","Seconds":10,"End":true}}}
        ]}}}"#,
        val!("x"),
    )
    .await;
    assert_eq!(o.output, Some(val!(["x", "x"])));
    let exits: Vec<(String, i64)> = o
        .history
        .events()
        .iter()
        .filter(|e| e.event_type == EventType::WaitStateExited)
        .map(|e| (e.state_name().unwrap().to_string(), e.timestamp_millis))
        .collect();
    assert_eq!(
        exits,
        [
            ("Fast".to_string(), T0 + 10_000),
            ("Slow".to_string(), T0 + 30_000)
        ]
    );
}

both!(
    seconds_advance_virtual_time_instantly,
    timestamp_in_the_future_waits_until_then,
    timestamp_in_the_past_does_not_wait,
    zero_seconds_is_no_wait,
    timers_fire_in_deadline_order_across_branches,
);
