//! HeartbeatSeconds: heartbeats reset the clock; expiry is States.Timeout (also
//! matchable as States.HeartbeatTimeout).
mod common;
use common::*;
use serde_json::json;
use statelang::exec::{Clock, EventType, Resolvers, Status, VirtualClock};
use statelang::val;

fn worker(clock: VirtualClock, beats: u32, step_ms: u64) -> Resolvers {
    Resolvers::new().fallback(move |task| {
        let clock = clock.clone();
        async move {
            for _ in 0..beats {
                clock.sleep(step_ms).await;
                assert!(task.heartbeat.beat());
            }
            clock.sleep(step_ms).await;
            Ok(val!("done"))
        }
    })
}

const DEF: &str = r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
    "TimeoutSeconds":100,"HeartbeatSeconds":5,"End":true}}}"#;

async fn heartbeats_keep_a_long_task_alive() {
    let clock = VirtualClock::starting_at(T0);
    let o = executor_with_clock(worker(clock.clone(), 6, 4_000), clock)
        .run(&machine(DEF), val!({}))
        .await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    assert_eq!(o.output, Some(val!("done")));
    let succeeded = o.history.find(EventType::TaskSucceeded).unwrap();
    assert_eq!(succeeded.timestamp_millis, T0 + 28_000);
    let scheduled = o.history.find(EventType::TaskScheduled).unwrap();
    assert_eq!(details(scheduled)["heartbeatInSeconds"], json!(5));
    assert_eq!(details(scheduled)["timeoutInSeconds"], json!(100));
}

async fn missing_heartbeats_time_the_task_out() {
    let clock = VirtualClock::starting_at(T0);
    let o = executor_with_clock(worker(clock.clone(), 1, 6_000), clock)
        .run(&machine(DEF), val!({}))
        .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("States.Timeout"));
    let timed_out = o.history.find(EventType::TaskTimedOut).unwrap();
    assert_eq!(timed_out.timestamp_millis, T0 + 5_000);
    assert_eq!(
        details(timed_out),
        json!({"resourceType": "lambda", "resource": "invoke", "error": "States.Timeout"})
    );
}

async fn heartbeat_expiry_is_catchable_as_heartbeat_timeout() {
    let clock = VirtualClock::starting_at(T0);
    let def = r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"work","HeartbeatSeconds":2,
        "Catch":[{"ErrorEquals":["States.HeartbeatTimeout"],"Next":"H"}],"End":true},
        "H":{"Type":"Pass","End":true}}}"#;
    let o = executor_with_clock(worker(clock.clone(), 0, 10_000), clock)
        .run(&machine(def), val!({}))
        .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(
        o.output,
        Some(val!({"Error": "States.Timeout", "Cause": ""}))
    );
}

async fn overall_timeout_still_applies_with_heartbeats() {
    let clock = VirtualClock::starting_at(T0);
    let def = r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"work","TimeoutSeconds":10,"HeartbeatSeconds":3,"End":true}}}"#;
    let o = executor_with_clock(worker(clock.clone(), 100, 2_000), clock)
        .run(&machine(def), val!({}))
        .await;
    assert_eq!(o.error_name(), Some("States.Timeout"));
    assert_eq!(
        o.history
            .find(EventType::TaskTimedOut)
            .unwrap()
            .timestamp_millis,
        T0 + 10_000
    );
}

both!(
    heartbeats_keep_a_long_task_alive,
    missing_heartbeats_time_the_task_out,
    heartbeat_expiry_is_catchable_as_heartbeat_timeout,
    overall_timeout_still_applies_with_heartbeats,
);
