//! Stopping an execution through its handle.
mod common;
use common::*;
use futures::StreamExt;
use serde_json::json;
use statelang::exec::{EventType, ExecutionHandle, Resolvers, Status};
use statelang::val;
use std::sync::{Arc, OnceLock};

async fn stop_during_wait_records_only_execution_aborted() {
    let m = machine(
        r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"Next":"P"},"P":{"Type":"Pass","End":true}}}"#,
    );
    let (handle, fut) = executor(Resolvers::new()).start(&m, val!({}));
    let mut events = handle.events();
    let (o, ()) = futures::join!(fut, async {
        while let Some(e) = events.next().await {
            if e.event_type == EventType::WaitStateEntered {
                assert!(handle.stop(Some("Operator"), Some("maintenance")));
                break;
            }
        }
    });
    assert_eq!(o.status, Status::Aborted);
    assert_eq!(
        types(&o),
        ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]
    );
    let aborted = o.history.events().last().unwrap();
    assert_eq!(aborted.previous_event_id, 0);
    assert_eq!(
        details(aborted),
        json!({"error": "Operator", "cause": "maintenance"})
    );
    assert_eq!(o.error_name(), Some("Operator"));
    assert!(!handle.stop(None, None), "already stopped");
}

async fn stop_without_error_has_empty_details() {
    let m = machine(r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"End":true}}}"#);
    let (handle, fut) = executor(Resolvers::new()).start(&m, val!({}));
    handle.stop(None, None);
    let o = fut.await;
    assert_eq!(o.status, Status::Aborted);
    assert_eq!(o.error, None);
    let aborted = o.history.events().last().unwrap();
    assert_eq!(aborted.event_type, EventType::ExecutionAborted);
    assert_eq!(
        aborted.to_aws_json()["executionAbortedEventDetails"],
        json!({})
    );
}

async fn stop_abandons_a_running_task_and_its_token() {
    let m = machine(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}}"#,
    );
    let r = Resolvers::new().fallback(|_| async move { Ok(val!({})) });
    let (handle, fut) = executor(r).start(&m, val!({}));
    let mut events = handle.events();
    let (o, token) = futures::join!(fut, async {
        let mut token = None;
        while let Some(e) = events.next().await {
            if e.event_type == EventType::TaskSubmitted {
                handle.stop(None, None);
                token = Some(());
            }
        }
        token
    });
    assert!(token.is_some());
    assert_eq!(o.status, Status::Aborted);
    assert!(!types(&o).contains(&"TaskStateAborted"));
    assert!(handle.send_task_success("anything", val!(1)).is_err());
}

/// A Map whose iterations run in place (a Task answered at once) stops between
/// states like any other run: the iteration that saw the stop ends, no later one
/// starts.
async fn stop_from_a_task_answered_at_once_ends_a_map_running_in_place() {
    let m = machine(
        r#"{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"T","States":{
            "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:111111111111:function:f","Next":"P"},
            "P":{"Type":"Pass","End":true}}}}}}"#,
    );
    let handle_slot: Arc<OnceLock<ExecutionHandle>> = Arc::new(OnceLock::new());
    let slot = handle_slot.clone();
    let r = Resolvers::new().on_sync(
        "arn:aws:lambda:us-east-1:111111111111:function:f",
        move |task| {
            if task.input == val!(2) {
                if let Some(h) = slot.get() {
                    h.stop(Some("Operator"), None);
                }
            }
            Ok(task.input.clone())
        },
    );
    let (handle, fut) = executor(r).start(&m, val!([1, 2, 3]));
    assert!(handle_slot.set(handle.clone()).is_ok());
    let o = fut.await;
    assert_eq!(o.status, Status::Aborted);
    assert_eq!(o.error_name(), Some("Operator"));
    let started: Vec<u64> = events_of(&o, EventType::MapIterationStarted)
        .iter()
        .map(|e| details(e)["index"].as_u64().unwrap_or(u64::MAX))
        .collect();
    assert_eq!(started, [0, 1], "no iteration starts after the stop");
    assert_eq!(
        events_of(&o, EventType::PassStateEntered).len(),
        1,
        "only the first iteration reaches P"
    );
    assert_eq!(types(&o).last(), Some(&"ExecutionAborted"));
}

both!(
    stop_during_wait_records_only_execution_aborted,
    stop_without_error_has_empty_details,
    stop_abandons_a_running_task_and_its_token,
    stop_from_a_task_answered_at_once_ends_a_map_running_in_place,
);
