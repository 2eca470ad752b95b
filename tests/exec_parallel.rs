//! Parallel states: branch order, shared input, failures abort siblings.
mod common;
use common::*;
use statelang::exec::{EventType, Resolvers, Status};
use statelang::val;

async fn results_come_back_in_branch_order() {
    let o = run_plain(
        r#"{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[
            {"StartAt":"Slow","States":{"Slow":{"Type":"Wait","Seconds":5,"Next":"S2"},"S2":{"Type":"Pass","Result":0,"End":true}}},
            {"StartAt":"Fast","States":{"Fast":{"Type":"Pass","Result":1,"End":true}}},
            {"StartAt":"Same","States":{"Same":{"Type":"Pass","End":true}}}
        ]}}}"#,
        val!({"in": true}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!([0, 1, {"in": true}])));
    let t = types(&o);
    assert_eq!(t[1..3], ["ParallelStateEntered", "ParallelStateStarted"]);
    assert_eq!(
        t[t.len() - 3..],
        [
            "ParallelStateSucceeded",
            "ParallelStateExited",
            "ExecutionSucceeded"
        ]
    );
    let started = o.history.find(EventType::ParallelStateStarted).unwrap();
    let firsts: Vec<_> = o
        .history
        .events()
        .iter()
        .filter(|e| {
            matches!(e.state_name(), Some("Slow" | "Fast" | "Same"))
                && e.event_type.as_str().ends_with("Entered")
        })
        .collect();
    assert_eq!(firsts.len(), 3);
    for e in firsts {
        assert_eq!(
            e.previous_event_id, started.id,
            "branches link to ParallelStateStarted"
        );
    }
    assert_well_linked(&o);
}

async fn branches_share_the_input_without_copying() {
    let input = val!({"big": [1, 2, 3]});
    let o = run_plain(
        r#"{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[
            {"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},
            {"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}]}}}"#,
        input.clone(),
    )
    .await;
    let out = o.output.unwrap();
    let items = out.as_array().unwrap();
    assert!(items[0].ptr_eq(&input) && items[1].ptr_eq(&input));
}

async fn failing_branch_aborts_running_siblings() {
    let r = Resolvers::new().on("forever", |_| async move {
        futures::future::pending::<()>().await;
        Ok(val!(null))
    });
    let o = run(
        r#"{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[
            {"StartAt":"Busy","States":{"Busy":{"Type":"Task","Resource":"forever","End":true}}},
            {"StartAt":"Waiting","States":{"Waiting":{"Type":"Wait","Seconds":100,"End":true}}},
            {"StartAt":"Breaks","States":{"Breaks":{"Type":"Wait","Seconds":1,"Next":"Boom"},"Boom":{"Type":"Fail","Error":"FailureType","Cause":"Cause description"}}}
        ]}}}"#,
        val!({}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("FailureType"));
    assert_eq!(o.cause(), Some("Cause description"));
    let t = types(&o);
    let tail = &t[t.len() - 5..];
    assert_eq!(
        tail,
        [
            "FailStateEntered",
            "TaskStateAborted",
            "WaitStateAborted",
            "ParallelStateFailed",
            "ExecutionFailed"
        ]
    );
}

async fn uncaught_task_failure_in_a_branch_records_task_state_aborted() {
    let r = Resolvers::new().on("arn:aws:states:::sqs:sendMessage", |_| async move {
        Err(statelang::exec::TaskError::new("SQS.Boom", "x"))
    });
    let o = run(
        r#"{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,
            "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Caught"}],
            "Branches":[{"StartAt":"Send","States":{"Send":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}]},
            "Caught":{"Type":"Pass","End":true}}}"#,
        val!({}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(
        types(&o)[3..10],
        [
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskFailed",
            "TaskStateAborted",
            "ParallelStateFailed",
            "ParallelStateExited"
        ]
    );
}

async fn parameters_and_result_selector_shape_input_and_output() {
    let o = run_plain(
        r#"{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,
            "Parameters":{"n.$":"$.n"},
            "ResultSelector":{"first.$":"$[0].n","second.$":"$[1]"},
            "Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},
                        {"StartAt":"B","States":{"B":{"Type":"Pass","Result":"b","End":true}}}]}}}"#,
        val!({"n": 7, "other": 1}),
    )
    .await;
    assert_eq!(o.output, Some(val!({"first": 7, "second": "b"})));
}

both!(
    results_come_back_in_branch_order,
    branches_share_the_input_without_copying,
    failing_branch_aborts_running_siblings,
    uncaught_task_failure_in_a_branch_records_task_state_aborted,
    parameters_and_result_selector_shape_input_and_output,
);
