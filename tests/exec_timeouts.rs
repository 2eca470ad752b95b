//! TimeoutSeconds on Task states and on the whole execution.
mod common;
use common::*;
use serde_json::json;
use statelang::exec::{EventType, Resolvers, Status};
use statelang::val;

const LAMBDA: &str = "arn:aws:lambda:us-east-1:111111111111:function:slow";

fn never() -> Resolvers {
    Resolvers::new().fallback(|_| async move {
        futures::future::pending::<()>().await;
        Ok(val!(null))
    })
}

async fn never_returning_resolver_is_ended_by_timeout_seconds() {
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":5,"End":true}}}"#,
        val!({}),
        never(),
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("States.Timeout"));
    assert_eq!(o.cause(), None);
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskTimedOut",
            "ExecutionFailed"
        ]
    );
    let scheduled = o.history.find(EventType::TaskScheduled).unwrap();
    assert_eq!(details(scheduled)["timeoutInSeconds"], json!(5));
    let timed_out = o.history.find(EventType::TaskTimedOut).unwrap();
    assert_eq!(
        details(timed_out),
        json!({"resourceType": "lambda", "resource": "invoke", "error": "States.Timeout"})
    );
    assert_eq!(timed_out.timestamp_millis, T0 + 5_000);
    assert_eq!(
        details(o.history.find(EventType::ExecutionFailed).unwrap()),
        json!({"error": "States.Timeout"})
    );
}

async fn lambda_timeout_is_lambda_function_timed_out_and_catchable() {
    let def = format!(
        r#"{{"StartAt":"T","States":{{"T":{{"Type":"Task","Resource":"{LAMBDA}","TimeoutSeconds":3,
            "Catch":[{{"ErrorEquals":["States.TaskFailed"],"Next":"Wrong"}},{{"ErrorEquals":["States.Timeout"],"Next":"Right"}}],"End":true}},
            "Wrong":{{"Type":"Pass","Result":"wrong","End":true}},"Right":{{"Type":"Pass","End":true}}}}}}"#
    );
    let o = run(&def, val!({}), never()).await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(
        o.output,
        Some(val!({"Error": "States.Timeout", "Cause": ""}))
    );
    assert!(types(&o).contains(&"LambdaFunctionTimedOut"));
    let scheduled = o.history.find(EventType::LambdaFunctionScheduled).unwrap();
    assert_eq!(details(scheduled)["timeoutInSeconds"], json!(3));
}

async fn task_without_timeout_records_no_timeout_field() {
    let r = Resolvers::new().fallback(|_| async move { Ok(val!(1)) });
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}"#,
        val!({}),
        r,
    )
    .await;
    let scheduled = o.history.find(EventType::TaskScheduled).unwrap();
    assert!(details(scheduled).get("timeoutInSeconds").is_none());
    assert!(details(scheduled).get("heartbeatInSeconds").is_none());
}

async fn execution_timeout_ends_timed_out_and_cannot_be_caught() {
    let o = run_plain(
        r#"{"TimeoutSeconds":10,"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,
            "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],
            "Branches":[{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}]},
            "Caught":{"Type":"Pass","End":true}}}"#,
        val!({}),
    )
    .await;
    assert_eq!(o.status, Status::TimedOut);
    assert_eq!(o.error_name(), Some("States.Timeout"));
    let last = o.history.events().last().unwrap();
    assert_eq!(last.event_type, EventType::ExecutionTimedOut);
    assert_eq!(last.timestamp_millis, T0 + 10_000);
    assert!(!types(&o).contains(&"WaitStateAborted"));
    assert!(!types(&o).contains(&"PassStateEntered"));
}

both!(
    never_returning_resolver_is_ended_by_timeout_seconds,
    lambda_timeout_is_lambda_function_timed_out_and_catchable,
    task_without_timeout_records_no_timeout_field,
    execution_timeout_ends_timed_out_and_cannot_be_caught,
);
