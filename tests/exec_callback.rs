//! `.waitForTaskToken`: TaskSubmitted records the resolver's response; the state then
//! waits for the token to be completed through the ExecutionHandle.
mod common;
use common::*;
use futures::channel::mpsc;
use futures::StreamExt;
use serde_json::json;
use statelang::exec::{EventType, Resolvers, Status};
use statelang::{val, Val};
use std::sync::Arc;

const DEF: &str = r#"{"StartAt":"Send","States":{"Send":{"Type":"Task",
    "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","TimeoutSeconds":600,"End":true}}}"#;

/// A resolver that hands the token to the test and answers like SQS.
fn sqs() -> (Resolvers, mpsc::UnboundedReceiver<Arc<str>>) {
    let (tx, rx) = mpsc::unbounded();
    let r = Resolvers::new().fallback(move |task| {
        let tx = tx.clone();
        async move {
            let token = task.task_token.clone().expect("a token");
            let in_context = task
                .context
                .get("Task")
                .and_then(|t| t.get("Token"))
                .cloned();
            assert_eq!(in_context, Some(Val::String(token.clone())));
            tx.unbounded_send(token).unwrap();
            Ok(val!({"MessageId": "m-1"}))
        }
    });
    (r, rx)
}

async fn success_completes_the_task() {
    let (r, mut tokens) = sqs();
    let (handle, fut) = executor(r).start(&machine(DEF), val!({"q": 1}));
    let (o, ()) = futures::join!(fut, async {
        let token = tokens.next().await.unwrap();
        handle
            .send_task_success(&token, val!({"approved": true}))
            .unwrap();
        assert!(
            handle.send_task_success(&token, val!(1)).is_err(),
            "one use only"
        );
    });
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!({"approved": true})));
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSubmitted",
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(
        details(o.history.find(EventType::TaskSubmitted).unwrap()),
        json!({"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken",
               "output": {"MessageId": "m-1"}, "outputDetails": {"truncated": false}})
    );
}

async fn failure_fails_the_task_and_empty_error_is_absent() {
    let (r, mut tokens) = sqs();
    let def = r#"{"StartAt":"Send","States":{"Send":{"Type":"Task",
        "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true},
        "Caught":{"Type":"Pass","End":true}}}"#;
    let (handle, fut) = executor(r).start(&machine(def), val!({}));
    let (o, ()) = futures::join!(fut, async {
        let token = tokens.next().await.unwrap();
        handle.send_task_failure(&token, "", None).unwrap();
    });
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!({"Error": null, "Cause": null})));
    let failed = o.history.find(EventType::TaskFailed).unwrap();
    assert_eq!(
        details(failed),
        json!({"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken"})
    );
}

async fn named_failure_propagates() {
    let (r, mut tokens) = sqs();
    let (handle, fut) = executor(r).start(&machine(DEF), val!({}));
    let (o, ()) = futures::join!(fut, async {
        let token = tokens.next().await.unwrap();
        handle
            .send_task_failure(&token, "Rejected", Some("manager said no"))
            .unwrap();
    });
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("Rejected"));
    assert_eq!(o.cause(), Some("manager said no"));
}

async fn unanswered_token_times_out() {
    let (r, _tokens) = sqs();
    let o = executor(r).run(&machine(DEF), val!({})).await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("States.Timeout"));
    let timed_out = o.history.find(EventType::TaskTimedOut).unwrap();
    assert_eq!(timed_out.timestamp_millis, T0 + 600_000);
}

async fn handle_heartbeats_keep_the_token_alive() {
    let (r, mut tokens) = sqs();
    let def = r#"{"StartAt":"Send","States":{"Send":{"Type":"Task",
        "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":10,"End":true}}}"#;
    let (handle, fut) = executor(r).start(&machine(def), val!({}));
    let mut events = handle.events();
    let (o, ()) = futures::join!(fut, async {
        let token = tokens.next().await.unwrap();
        handle.send_task_heartbeat(&token).unwrap();
        assert!(handle.send_task_heartbeat("no-such-token").is_err());
        while let Some(e) = events.next().await {
            if e.event_type == EventType::TaskSubmitted {
                break;
            }
        }
        handle.send_task_success(&token, val!("ok")).unwrap();
    });
    assert_eq!(o.output, Some(val!("ok")));
}

async fn token_completed_before_the_resolver_returns_is_kept() {
    let (handle_tx, mut handle_rx) = mpsc::unbounded();
    let r = Resolvers::new().fallback(move |task| {
        let token = task.task_token.clone().unwrap();
        let handle_tx = handle_tx.clone();
        async move {
            handle_tx.unbounded_send(token).unwrap();
            // Give the test a chance to complete the token before we return.
            for _ in 0..4 {
                yield_now().await;
            }
            Ok(val!("submitted"))
        }
    });
    let (handle, fut) = executor(r).start(&machine(DEF), val!({}));
    let (o, ()) = futures::join!(fut, async {
        let token: Arc<str> = handle_rx.next().await.unwrap();
        handle.send_task_success(&token, val!("early")).unwrap();
    });
    assert_eq!(o.output, Some(val!("early")));
    assert!(types(&o).contains(&"TaskSubmitted"));
}

both!(
    success_completes_the_task,
    failure_fails_the_task_and_empty_error_is_absent,
    named_failure_propagates,
    unanswered_token_times_out,
    handle_heartbeats_keep_the_token_alive,
    token_completed_before_the_resolver_returns_is_kept,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_completed_from_a_spawned_task() {
    let (r, mut tokens) = sqs();
    // The completer runs on another worker thread: give it time to be scheduled
    // before idle detection jumps the virtual clock past TimeoutSeconds (with the
    // default 16 idle rounds this raced on a loaded machine).
    let (handle, fut) = executor(r)
        .idle_yields(1_000_000)
        .start(&machine(DEF), val!({}));
    let completer = tokio::spawn(async move {
        let token = tokens.next().await.unwrap();
        handle
            .send_task_success(&token, val!("from elsewhere"))
            .unwrap();
    });
    let o = tokio::spawn(fut).await.unwrap();
    completer.await.unwrap();
    assert_eq!(o.output, Some(val!("from elsewhere")));
}
