//! Pass states: Result, pass-through without copying, history shape.
mod common;
use common::*;
use statelang::exec::{EventType, Status};
use statelang::val;

async fn result_replaces_input() {
    let o = run_plain(
        r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"Arg1":"argument1","k.$":"$.x"},"End":true}}}"#,
        val!({"in": 1}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!({"Arg1": "argument1", "k.$": "$.x"})));
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    let entered = &o.history.events()[1];
    assert_eq!(
        entered.previous_event_id, 0,
        "first StateEntered links to 0"
    );
    assert_eq!(
        details(entered),
        serde_json::json!({"name": "P", "input": {"in": 1}, "inputDetails": {"truncated": false}})
    );
    assert_eq!(o.history.events()[2].previous_event_id, 2);
    assert_eq!(o.history.events()[3].previous_event_id, 3);
    assert_well_linked(&o);
}

async fn default_paths_pass_the_input_through_uncopied() {
    let input = val!({"big": [1, 2, 3], "nested": {"a": "b"}});
    let o = run_plain(
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}"#,
        input.clone(),
    )
    .await;
    let out = o.output.expect("output");
    assert!(out.ptr_eq(&input), "the same shared value comes out");
    assert!(o.history.events()[1].input().unwrap().ptr_eq(&input));
}

async fn any_json_value_is_a_valid_input() {
    for input in [val!(null), val!(3), val!("s"), val!([1, {"a": 2}])] {
        let o = run_plain(
            r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#,
            input.clone(),
        )
        .await;
        assert_eq!(o.output, Some(input));
    }
}

async fn execution_started_records_input_and_role() {
    let o = run_plain(
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#,
        val!({"x": 1}),
    )
    .await;
    let started = o.history.find(EventType::ExecutionStarted).unwrap();
    assert_eq!(started.id, 1);
    assert_eq!(started.previous_event_id, 0);
    assert_eq!(
        details(started),
        serde_json::json!({"input": {"x": 1}, "inputDetails": {"truncated": false}, "roleArn": "arn:aws:iam::111111111111:role/test"})
    );
}

both!(
    result_replaces_input,
    default_paths_pass_the_input_through_uncopied,
    any_json_value_is_a_valid_input,
    execution_started_records_input_and_role,
);
