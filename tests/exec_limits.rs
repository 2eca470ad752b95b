//! Payload and history limits.
mod common;
use common::*;
use statelang::exec::{EventType, Resolvers, Status};
use statelang::{val, Val};

async fn oversized_pass_result_fails_the_execution() {
    let big = "a".repeat(262_144);
    let def = format!(
        r#"{{"StartAt":"State_1","States":{{"State_1":{{"Type":"Pass","Result":{{"Arg1":"{big}"}},"End":true}}}}}}"#
    );
    let o = run_plain(&def, val!({})).await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("States.DataLimitExceeded"));
    assert_eq!(
        o.cause(),
        Some("The state/task 'State_1' returned a result with a size exceeding the maximum number of bytes service limit.")
    );
    assert_eq!(
        types(&o),
        ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]
    );
}

async fn payload_at_the_limit_is_fine() {
    let o = executor(Resolvers::new())
        .max_payload_bytes(12)
        .run(
            &machine(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#),
            Val::from("1234567890"),
        )
        .await;
    assert_eq!(o.status, Status::Succeeded);
}

async fn oversized_execution_input_is_rejected() {
    let o = executor(Resolvers::new())
        .max_payload_bytes(4)
        .run(
            &machine(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#),
            val!({"too": "big"}),
        )
        .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("States.DataLimitExceeded"));
}

async fn history_limit_fails_the_execution() {
    let items: Vec<Val> = (0..100).map(Val::int).collect();
    let o = executor(Resolvers::new())
        .max_history_events(50)
        .run(
            &machine(
                r#"{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,"End":true,
                "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}}"#,
            ),
            Val::array(items),
        )
        .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("States.Runtime"));
    assert_eq!(
        o.cause(),
        Some("The execution reached the maximum number of history events (50).")
    );
    assert!(
        o.history.len() <= 55,
        "stopped promptly: {}",
        o.history.len()
    );
    assert_eq!(
        o.history.events().last().unwrap().event_type,
        EventType::ExecutionFailed
    );
}

both!(
    oversized_pass_result_fails_the_execution,
    payload_at_the_limit_is_fine,
    oversized_execution_input_is_rejected,
    history_limit_fails_the_execution,
);
