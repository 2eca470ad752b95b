//! Fail states.
mod common;
use common::*;
use serde_json::json;
use statelang::exec::{EventType, Status};
use statelang::val;

async fn error_and_cause_end_the_execution() {
    let o = run_plain(
        r#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"MyError","Cause":"it failed"}}}"#,
        val!({}),
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("MyError"));
    assert_eq!(o.cause(), Some("it failed"));
    assert_eq!(
        types(&o),
        ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]
    );
    let failed = o.history.events().last().unwrap();
    assert_eq!(
        details(failed),
        json!({"error": "MyError", "cause": "it failed"})
    );
    assert_eq!(failed.previous_event_id, 2);
}

async fn absent_error_and_cause_are_absent_keys() {
    let o = run_plain(
        r#"{"StartAt":"F","States":{"F":{"Type":"Fail"}}}"#,
        val!({}),
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    let failed = o.history.find(EventType::ExecutionFailed).unwrap();
    assert_eq!(details(failed), json!({}));
    assert_eq!(
        failed.to_aws_json().get("executionFailedEventDetails"),
        None
    );
}

async fn fail_inside_map_fails_the_map_with_its_own_error() {
    let o = run_plain(
        r#"{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"MaxConcurrency":1,
            "ItemProcessor":{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"HandleItemFailError","Cause":"HandleItemFailCause"}}}}}}"#,
        val!([1]),
    )
    .await;
    assert_eq!(o.error_name(), Some("HandleItemFailError"));
    assert_eq!(o.cause(), Some("HandleItemFailCause"));
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "MapIterationStarted",
            "FailStateEntered",
            "MapIterationFailed",
            "MapStateFailed",
            "ExecutionFailed"
        ]
    );
}

both!(
    error_and_cause_end_the_execution,
    absent_error_and_cause_are_absent_keys,
    fail_inside_map_fails_the_map_with_its_own_error,
);
