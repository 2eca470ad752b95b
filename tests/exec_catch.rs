//! Catch: first matching catcher, error output, ResultPath null, uncatchable errors.
mod common;
use common::*;
use statelang::exec::{EventType, Resolvers, Status, TaskError};
use statelang::val;

fn failing(error: &'static str) -> Resolvers {
    Resolvers::new().fallback(move |_| async move { Err(TaskError::new(error, "it broke")) })
}

async fn first_matching_catcher_wins_and_error_output_replaces_input() {
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x","End":true,
            "Catch":[{"ErrorEquals":["Other"],"Next":"A"},{"ErrorEquals":["Boom","Other2"],"Next":"B"},{"ErrorEquals":["States.ALL"],"Next":"A"}]},
            "A":{"Type":"Pass","Result":"A","End":true},"B":{"Type":"Pass","End":true}}}"#,
        val!({"original": true}),
        failing("Boom"),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!({"Error": "Boom", "Cause": "it broke"})));
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskFailed",
            "TaskStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    let exited = o.history.find(EventType::TaskStateExited).unwrap();
    assert_eq!(
        details(exited)["output"],
        serde_json::json!({"Error": "Boom", "Cause": "it broke"})
    );
    assert_well_linked(&o);
}

async fn result_path_null_keeps_the_raw_input() {
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x","End":true,
            "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":null,"Next":"A"}]},
            "A":{"Type":"Pass","End":true}}}"#,
        val!({"original": true}),
        failing("Boom"),
    )
    .await;
    assert_eq!(o.output, Some(val!({"original": true})));
}

async fn no_matching_catcher_fails_the_execution() {
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x","End":true,
            "Catch":[{"ErrorEquals":["Other"],"Next":"A"}]},
            "A":{"Type":"Pass","End":true}}}"#,
        val!({}),
        failing("Boom"),
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("Boom"));
    assert_eq!(types(&o).last(), Some(&"ExecutionFailed"));
    assert!(!types(&o).contains(&"TaskStateExited"));
}

async fn task_failed_matcher_catches_custom_errors() {
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x","End":true,
            "Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"A"}]},
            "A":{"Type":"Pass","End":true}}}"#,
        val!({}),
        failing("Lambda.Unknown"),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
}

async fn errors_from_a_branch_are_caught_on_the_parallel_state() {
    let o = run_plain(
        r#"{"StartAt":"Par","States":{"Par":{"Type":"Parallel","Next":"Done",
            "Catch":[{"ErrorEquals":["FailureType"],"Next":"Handled"}],
            "Branches":[{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"FailureType","Cause":"branch cause"}}}]},
            "Done":{"Type":"Pass","End":true},"Handled":{"Type":"Pass","End":true}}}"#,
        val!({}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(
        o.output,
        Some(val!({"Error": "FailureType", "Cause": "branch cause"}))
    );
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "ParallelStateEntered",
            "ParallelStateStarted",
            "FailStateEntered",
            "ParallelStateFailed",
            "ParallelStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
}

async fn oversized_pass_output_cannot_be_caught() {
    let def = r#"{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,
        "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Handled"}],
        "Branches":[{"StartAt":"Big","States":{"Big":{"Type":"Pass","Result":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","End":true}}}]},
        "Handled":{"Type":"Pass","End":true}}}"#;
    let o = executor(Resolvers::new())
        .max_payload_bytes(50)
        .run(&machine(def), val!({}))
        .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("States.DataLimitExceeded"));
    assert_eq!(
        o.cause(),
        Some("The state/task 'Big' returned a result with a size exceeding the maximum number of bytes service limit.")
    );
}

both!(
    first_matching_catcher_wins_and_error_output_replaces_input,
    result_path_null_keeps_the_raw_input,
    no_matching_catcher_fails_the_execution,
    task_failed_matcher_catches_custom_errors,
    errors_from_a_branch_are_caught_on_the_parallel_state,
    oversized_pass_output_cannot_be_caught,
);
