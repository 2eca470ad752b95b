//! Task states: resolvers, event families per resource kind, panics, missing
//! resolvers, oversized results.
mod common;
use common::*;
use serde_json::json;
use statelang::exec::{EventType, Resolvers, Status, TaskError};
use statelang::val;
use std::sync::Arc;

const LAMBDA: &str = "arn:aws:lambda:us-east-1:111111111111:function:charge";

fn one_task(resource: &str) -> String {
    format!(
        r#"{{"StartAt":"T","States":{{"T":{{"Type":"Task","Resource":"{resource}","End":true}}}}}}"#
    )
}

async fn lambda_arn_records_lambda_function_events() {
    let r = Resolvers::new().on(LAMBDA, |task| async move {
        assert_eq!(&*task.state_name, "T");
        Ok(val!({"charged": task.input.get("amount").cloned()}))
    });
    let o = run(&one_task(LAMBDA), val!({"amount": 5}), r).await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!({"charged": 5})));
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    let scheduled = o.history.find(EventType::LambdaFunctionScheduled).unwrap();
    assert_eq!(
        details(scheduled),
        json!({"resource": LAMBDA, "input": {"amount": 5}, "inputDetails": {"truncated": false}})
    );
    assert_eq!(
        details(o.history.find(EventType::LambdaFunctionStarted).unwrap()),
        json!({})
    );
    assert_well_linked(&o);
}

async fn integration_records_task_events_with_resource_split() {
    let r = Resolvers::new().on("arn:aws:states:::lambda:invoke", |_| async move {
        Ok(val!({"Payload": 1, "StatusCode": 200}))
    });
    let o = run(&one_task("arn:aws:states:::lambda:invoke"), val!({}), r).await;
    assert_eq!(
        types(&o)[2..5],
        ["TaskScheduled", "TaskStarted", "TaskSucceeded"]
    );
    let scheduled = o.history.find(EventType::TaskScheduled).unwrap();
    assert_eq!(
        details(scheduled),
        json!({"resourceType": "lambda", "resource": "invoke", "region": "us-east-1", "parameters": {}})
    );
    assert_eq!(
        details(o.history.find(EventType::TaskSucceeded).unwrap()),
        json!({"resourceType": "lambda", "resource": "invoke", "output": {"Payload": 1, "StatusCode": 200}, "outputDetails": {"truncated": false}})
    );
}

async fn activity_records_activity_events() {
    let arn = "arn:aws:states:us-east-1:111111111111:activity:approve";
    let r = Resolvers::new().on(arn, |_| async move { Ok(val!("ok")) });
    let o = executor(r)
        .activity_worker_name("worker-1")
        .run(&machine(&one_task(arn)), val!({}))
        .await;
    assert_eq!(
        types(&o)[2..5],
        ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]
    );
    assert_eq!(
        details(o.history.find(EventType::ActivityStarted).unwrap()),
        json!({"workerName": "worker-1"})
    );
    assert_eq!(o.output, Some(val!("ok")));
}

async fn resolver_error_fails_the_task() {
    let r = Resolvers::new().on(LAMBDA, |_| async move {
        Err(TaskError::new("Exception", "{\"errorMessage\":\"boom\"}"))
    });
    let o = run(&one_task(LAMBDA), val!({}), r).await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("Exception"));
    assert_eq!(o.cause(), Some("{\"errorMessage\":\"boom\"}"));
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionFailed",
            "ExecutionFailed"
        ]
    );
    assert_eq!(
        details(o.history.find(EventType::ExecutionFailed).unwrap()),
        json!({"error": "Exception", "cause": "{\"errorMessage\":\"boom\"}"})
    );
}

async fn panicking_resolver_becomes_task_failed() {
    let r = Resolvers::new().on("custom-task", |task| async move {
        if task.retry_count == 0 {
            panic!("resolver exploded");
        }
        Ok(val!(1))
    });
    let o = run(&one_task("custom-task"), val!({}), r).await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("States.TaskFailed"));
    assert_eq!(o.cause(), Some("resolver exploded"));
    let failed = o.history.find(EventType::TaskFailed).unwrap();
    assert_eq!(
        details(failed),
        json!({"resourceType": "custom", "resource": "custom-task", "error": "States.TaskFailed", "cause": "resolver exploded"})
    );
}

/// A sync resolver that panics is caught the same way: `States.TaskFailed` with the
/// panic message, and a retry calls it again.
async fn panicking_sync_resolver_becomes_task_failed() {
    let resolvers = || {
        Resolvers::new().on_sync("custom-task", |task| {
            if task.retry_count == 0 {
                panic!("sync resolver exploded");
            }
            Ok(val!({"attempt": task.retry_count}))
        })
    };
    let o = run(&one_task("custom-task"), val!({}), resolvers()).await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("States.TaskFailed"));
    assert_eq!(o.cause(), Some("sync resolver exploded"));
    let failed = o.history.find(EventType::TaskFailed).unwrap();
    assert_eq!(
        details(failed),
        json!({"resourceType": "custom", "resource": "custom-task", "error": "States.TaskFailed", "cause": "sync resolver exploded"})
    );
    let json = r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"custom-task",
        "Retry":[{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":1,"MaxAttempts":1}],"End":true}}}"#;
    let o = run(json, val!({}), resolvers()).await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    assert_eq!(o.output, Some(val!({"attempt": 1})));
}

async fn missing_resolver_names_state_and_resource() {
    let o = run(&one_task("nobody-handles-this"), val!({}), Resolvers::new()).await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("States.TaskFailed"));
    let cause = o.cause().unwrap();
    assert!(cause.contains("'nobody-handles-this'"), "{cause}");
    assert!(cause.contains("'T'"), "{cause}");
}

async fn prefix_pattern_and_fallback_routes() {
    let r = Resolvers::new()
        .on_prefix("arn:aws:lambda:", |_| async move { Ok(val!("prefix")) })
        .on_pattern("jobs:*:run", |_| async move { Ok(val!("pattern")) })
        .fallback(|t| async move { Ok(Val::from(format!("fallback {}", t.resource))) });
    use statelang::Val;
    let o = run(&one_task(LAMBDA), val!({}), r).await;
    assert_eq!(o.output, Some(val!("prefix")));
    let r = Resolvers::new()
        .on_pattern("jobs:*:run", |_| async move { Ok(val!("pattern")) })
        .fallback(|t| async move { Ok(Val::from(format!("fallback {}", t.resource))) });
    let o = run(&one_task("jobs:nightly:run"), val!({}), r).await;
    assert_eq!(o.output, Some(val!("pattern")));
    let r = Resolvers::new()
        .fallback(|t| async move { Ok(Val::from(format!("fallback {}", t.resource))) });
    let o = run(&one_task("other"), val!({}), r).await;
    assert_eq!(o.output, Some(val!("fallback other")));
}

async fn oversized_task_result_is_a_catchable_data_limit_failure() {
    let r = Resolvers::new().on(LAMBDA, |_| async move { Ok(Val::from("x".repeat(300))) });
    use statelang::Val;
    let def = format!(
        r#"{{"StartAt":"T","States":{{"T":{{"Type":"Task","Resource":"{LAMBDA}","Catch":[{{"ErrorEquals":["States.ALL"],"Next":"H"}}],"End":true}},"H":{{"Type":"Pass","End":true}}}}}}"#
    );
    let o = executor(r)
        .max_payload_bytes(260)
        .run(&machine(&def), val!({}))
        .await;
    assert_eq!(o.status, Status::Succeeded);
    let cause = format!("The state/task '{LAMBDA}' returned a result with a size exceeding the maximum number of bytes service limit.");
    assert_eq!(
        o.output,
        Some(val!({"Error": "States.DataLimitExceeded", "Cause": cause}))
    );
    assert_eq!(
        types(&o)[2..7],
        [
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionFailed",
            "TaskStateExited",
            "PassStateEntered"
        ]
    );
}

async fn request_carries_context_and_effective_input() {
    let r = Resolvers::new().on("ctx-task", |task| async move {
        let state = task.context.get("State").cloned().unwrap();
        assert_eq!(state.get("Name"), Some(&val!("T")));
        assert_eq!(state.get("RetryCount"), Some(&val!(0)));
        assert!(task.task_token.is_none());
        assert_eq!(
            task.context.get("Execution").and_then(|e| e.get("Name")),
            Some(&val!("test-execution"))
        );
        Ok(task.input)
    });
    let o = run(&one_task("ctx-task"), val!({"a": [1]}), r).await;
    assert_eq!(o.output, Some(val!({"a": [1]})));
}

async fn sync_resolvers_can_record_task_submitted() {
    let r = Resolvers::new().on(
        "arn:aws:states:::states:startExecution.sync:2",
        |task| async move {
            assert!(task.heartbeat.submitted(val!({"ExecutionArn": "child"})));
            assert!(task
                .heartbeat
                .submitted(val!("ignored: only the first is recorded")));
            Ok(val!({"Status": "SUCCEEDED", "Output": {"done": true}}))
        },
    );
    let o = run(
        &one_task("arn:aws:states:::states:startExecution.sync:2"),
        val!({}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(
        types(&o)[2..6],
        [
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded"
        ]
    );
    assert_eq!(
        details(o.history.find(EventType::TaskSubmitted).unwrap())["output"],
        json!({"ExecutionArn": "child"})
    );
    assert_eq!(
        o.output,
        Some(val!({"Status": "SUCCEEDED", "Output": {"done": true}}))
    );
}

/// A `.sync` job that was submitted and then failed: AWS records `TaskSubmitted`
/// before `TaskFailed` (callback/start_execution_sync_delegate_failure).
async fn sync_job_failing_after_submission_records_task_submitted() {
    let r = Resolvers::new().on(
        "arn:aws:states:::states:startExecution.sync",
        |task| async move {
            assert!(task.heartbeat.submitted(val!({"ExecutionArn": "child"})));
            Err(TaskError::new("States.TaskFailed", "the child failed"))
        },
    );
    let o = run(
        &one_task("arn:aws:states:::states:startExecution.sync"),
        val!({}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(
        types(&o)[2..],
        [
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskFailed",
            "ExecutionFailed"
        ]
    );
    assert_eq!(
        details(o.history.find(EventType::TaskSubmitted).unwrap())["output"],
        json!({"ExecutionArn": "child"})
    );
}

async fn custom_resources_can_wait_for_a_token() {
    let r = Resolvers::new().fallback(|task| async move {
        assert!(task.task_token.is_some());
        Ok(val!("submitted"))
    });
    let o = executor(r)
        .run(
            &machine(
                &one_task("approvals:request.waitForTaskToken")
                    .replace(r#""End":true"#, r#""TimeoutSeconds":5,"End":true"#),
            ),
            val!({}),
        )
        .await;
    assert_eq!(o.error_name(), Some("States.Timeout"));
    assert!(types(&o).contains(&"TaskSubmitted"));
}

async fn credentials_are_evaluated_and_recorded() {
    let r = Resolvers::new()
        .fallback(|task| async move { Ok(task.credentials.clone().unwrap_or_default()) });
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
            "InputPath":"$.inner","Parameters":{"FunctionName":"f"},
            "Credentials":{"RoleArn.$":"$.role"},"End":true}}}"#,
        val!({"inner": {"role": "arn:aws:iam::222222222222:role/other"}}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    assert_eq!(
        o.output,
        Some(val!({"RoleArn": "arn:aws:iam::222222222222:role/other"}))
    );
    assert_eq!(
        details(o.history.find(EventType::TaskScheduled).unwrap())["taskCredentials"],
        json!({"roleArn": "arn:aws:iam::222222222222:role/other"})
    );
}

/// A sync resolver is called with one request that the Task state reuses across
/// its attempts: each attempt must see its own retry count (also through a `$$`
/// value an earlier attempt built), and a sender kept from an earlier attempt
/// is refused.
async fn sync_resolver_sees_each_attempts_context() {
    use std::sync::Mutex;
    let kept: Arc<Mutex<Vec<statelang::exec::HeartbeatSender>>> = Arc::default();
    let k = kept.clone();
    let r = Resolvers::new().on_sync("sync-ctx", move |task| {
        let n = task.retry_count;
        let state = task.context.get("State").cloned().unwrap();
        assert_eq!(state.get("RetryCount"), Some(&val!(n)));
        assert_eq!(task.context.fields().retry_count, Some(n));
        let mut kept = k.lock().unwrap();
        // Senders of ended attempts are refused; this attempt's is accepted.
        assert!(kept.iter().all(|s| !s.beat()));
        assert!(task.heartbeat.beat());
        kept.push(task.heartbeat.clone());
        if n < 2 {
            Err(TaskError::named("Again"))
        } else {
            Ok(val!({"attempt": n}))
        }
    });
    let json = r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"sync-ctx",
        "Retry":[{"ErrorEquals":["Again"],"IntervalSeconds":1,"MaxAttempts":3}],"End":true}}}"#;
    let o = run(json, val!({}), r).await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    assert_eq!(o.output, Some(val!({"attempt": 2})));
    assert!(kept.lock().unwrap().iter().all(|s| !s.beat()));
}

/// `LazyContext::fields_mut` changes the fields and drops a value built from the
/// old ones.
async fn lazy_context_fields_mut_rebuilds_the_value() {
    use statelang::data::context::{ContextObject, LazyContext};
    let mut c = LazyContext::new(ContextObject {
        state_name: Arc::from("T"),
        retry_count: Some(0),
        ..ContextObject::default()
    });
    let state = c.get("State").cloned().unwrap();
    assert_eq!(state.get("RetryCount"), Some(&val!(0)));
    c.fields_mut().retry_count = Some(3);
    assert_eq!(c.fields().retry_count, Some(3));
    let state = c.get("State").cloned().unwrap();
    assert_eq!(state.get("RetryCount"), Some(&val!(3)));
    assert_eq!(state.get("Name"), Some(&val!("T")));
}

/// A static error name is borrowed (`TaskError.error` is a `Cow`), and the
/// retries of an attempt whose input is the same value record that value (not a
/// copy) in their `LambdaFunctionScheduled`, and share its settings (one `Arc`),
/// while an attempt with a new input records its own.
async fn retries_share_scheduled_details_of_the_same_input() {
    use statelang::exec::{EventDetails, LambdaFunctionSettings};
    use statelang::Val;
    use std::borrow::Cow;
    let resolvers = || {
        Resolvers::new().on_sync(LAMBDA, |task| {
            let e = TaskError::new("Flaky", "again");
            assert!(matches!(e.error, Cow::Borrowed("Flaky")));
            if task.retry_count < 2 {
                Err(e)
            } else {
                Ok(val!({"ok": true}))
            }
        })
    };
    type Scheduled = (Val, Option<Arc<LambdaFunctionSettings>>);
    let scheduled = |o: &statelang::exec::Outcome| -> Vec<Scheduled> {
        o.history
            .events()
            .iter()
            .filter_map(|e| match &e.details {
                EventDetails::LambdaFunctionScheduled {
                    resource,
                    input,
                    settings,
                } => {
                    assert_eq!(&**resource, LAMBDA);
                    Some((input.clone().expect("full history"), settings.clone()))
                }
                _ => None,
            })
            .collect()
    };
    let retry = r#""Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":1,"MaxAttempts":3}]"#;
    // The same input for every attempt: one shared value, no settings.
    let json = format!(
        r#"{{"StartAt":"T","States":{{"T":{{"Type":"Task","Resource":"{LAMBDA}",{retry},"End":true}}}}}}"#
    );
    let o = run(&json, val!({"a": 1}), resolvers()).await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    let d = scheduled(&o);
    assert_eq!(d.len(), 3);
    assert!(d
        .iter()
        .all(|(input, s)| input.ptr_eq(&d[0].0) && s.is_none()));
    assert_eq!(d[0].0, val!({"a": 1}));
    // A timeout: recorded by every attempt, from one shared copy.
    let json = format!(
        r#"{{"StartAt":"T","States":{{"T":{{"Type":"Task","Resource":"{LAMBDA}","TimeoutSeconds":30,{retry},"End":true}}}}}}"#
    );
    let o = run(&json, val!({"a": 1}), resolvers()).await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    let d = scheduled(&o);
    let first = d[0].1.clone().expect("settings");
    assert_eq!(first.timeout_seconds, Some(30));
    assert!(d
        .iter()
        .all(|(_, s)| s.as_ref().is_some_and(|s| Arc::ptr_eq(s, &first))));
    assert_eq!(
        o.history
            .find(EventType::LambdaFunctionScheduled)
            .map(details),
        Some(
            json!({"resource": LAMBDA, "input": {"a": 1}, "inputDetails": {"truncated": false},
            "timeoutInSeconds": 30})
        )
    );
    // Parameters that read the retry count: a new input per attempt.
    let json = format!(
        r#"{{"StartAt":"T","States":{{"T":{{"Type":"Task","Resource":"{LAMBDA}",
        "Parameters":{{"n.$":"$$.State.RetryCount"}},{retry},"End":true}}}}}}"#
    );
    let o = run(&json, val!({}), resolvers()).await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    let d = scheduled(&o);
    let inputs: Vec<_> = d.iter().map(|(input, _)| input.clone()).collect();
    assert_eq!(inputs, [val!({"n": 0}), val!({"n": 1}), val!({"n": 2})]);
    assert!(!d[0].0.ptr_eq(&d[1].0) && !d[1].0.ptr_eq(&d[2].0));
}

/// A resolver that sends a signal from `invoke_now` and then does not answer at
/// once: the attempt moves to a queue of its own with the signal, which is
/// recorded (`TaskSubmitted`) before the outcome.
async fn signal_sent_before_a_resolver_declines_to_answer_at_once_is_kept() {
    use statelang::exec::{TaskRequest, TaskResolver};
    struct Declines;
    #[async_trait::async_trait]
    impl TaskResolver for Declines {
        async fn invoke(&self, task: TaskRequest) -> Result<statelang::Val, TaskError> {
            assert!(task.heartbeat.beat());
            Ok(val!({"done": true}))
        }
        fn invoke_now(&self, task: &TaskRequest) -> Option<Result<statelang::Val, TaskError>> {
            assert!(task.heartbeat.submitted(val!({"JobId": "j"})));
            None
        }
    }
    let o = statelang::exec::Executor::new(Arc::new(Declines))
        .run(
            &statelang::StateMachine::parse(&one_task("custom-job")).unwrap(),
            val!({}),
        )
        .await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    assert_eq!(
        types(&o)[2..6],
        [
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded"
        ]
    );
    assert_eq!(
        details(o.history.find(EventType::TaskSubmitted).unwrap())["output"],
        json!({"JobId": "j"})
    );
}

/// A sync resolver that runs another execution (with its own sync Task) inside
/// its call: each call's sender stays accepted until its own call returns.
async fn nested_sync_calls_keep_their_own_signal_queues() {
    fn inner() -> Resolvers {
        Resolvers::new().on_sync("inner", |task| {
            assert!(task.heartbeat.beat());
            Ok(val!("in"))
        })
    }
    let r = Resolvers::new().on_sync("outer", |task| {
        assert!(task.heartbeat.beat());
        // Polled in place (a sync call cannot wait; the inner run ends at once).
        use futures::FutureExt;
        let o = run(&one_task("inner"), val!({}), inner())
            .now_or_never()
            .expect("the inner execution ends in one poll");
        assert_eq!(o.output, Some(val!("in")));
        // The inner call ended; this one is still open.
        assert!(task.heartbeat.beat());
        Ok(val!("out"))
    });
    let o = run(&one_task("outer"), val!({}), r).await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    assert_eq!(o.output, Some(val!("out")));
}

both!(
    signal_sent_before_a_resolver_declines_to_answer_at_once_is_kept,
    nested_sync_calls_keep_their_own_signal_queues,
    retries_share_scheduled_details_of_the_same_input,
    credentials_are_evaluated_and_recorded,
    sync_resolvers_can_record_task_submitted,
    sync_job_failing_after_submission_records_task_submitted,
    custom_resources_can_wait_for_a_token,
    lambda_arn_records_lambda_function_events,
    integration_records_task_events_with_resource_split,
    activity_records_activity_events,
    resolver_error_fails_the_task,
    panicking_resolver_becomes_task_failed,
    panicking_sync_resolver_becomes_task_failed,
    missing_resolver_names_state_and_resource,
    prefix_pattern_and_fallback_routes,
    oversized_task_result_is_a_catchable_data_limit_failure,
    request_carries_context_and_effective_input,
    sync_resolver_sees_each_attempts_context,
    lazy_context_fields_mut_rebuilds_the_value,
);
