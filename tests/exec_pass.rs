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

async fn parameters_written_at_a_result_path() {
    // The common Pass shape (Parameters over the whole input, ResultPath, no
    // Result or OutputPath): the template's result is placed into the raw input.
    let o = run_plain(
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"i":1,"from.$":"$.last.i","tag.$":"$.name"},
        "ResultPath":"$.last","Next":"B"},
        "B":{"Type":"Pass","Parameters":{"i":2,"from.$":"$.last.i","tag.$":"$.name"},"ResultPath":"$.last","End":true}}}"#,
        val!({"name": "n", "last": {"i": 0}}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(
        o.output,
        Some(val!({"name": "n", "last": {"i": 2, "from": 1, "tag": "n"}}))
    );
    assert_eq!(
        details(&o.history.events()[2]),
        serde_json::json!({"name": "A", "output": {"name": "n", "last": {"i": 1, "from": 0, "tag": "n"}},
            "outputDetails": {"truncated": false}})
    );
    assert_well_linked(&o);
}

async fn parameters_at_a_result_path_that_does_not_apply_fail() {
    // ResultPath into a string: States.ResultPathMatchFailure with the input shown.
    let o = run_plain(
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"k.$":"$.s"},"ResultPath":"$.s.x","End":true}}}"#,
        val!({"s": "text"}),
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    let error = o.error.expect("an error");
    assert_eq!(&*error.error, "States.ResultPathMatchFailure");
    assert!(
        error.cause.as_deref().is_some_and(
            |c| c.starts_with("Unable to apply ResultPath '$.s.x' to input '{\"s\":\"text\"}'")
        ),
        "{error:?}"
    );
    // A Parameters path that selects nothing: States.Runtime with the state's prefix.
    let o = run_plain(
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"k.$":"$.missing"},"ResultPath":"$.r","End":true}}}"#,
        val!({"s": "text"}),
    )
    .await;
    let error = o.error.expect("an error");
    assert_eq!(&*error.error, "States.Runtime");
    assert!(
        error.cause.as_deref().is_some_and(|c| c.starts_with(
            "An error occurred while executing the state 'A' (entered at the event id #2)."
        )),
        "{error:?}"
    );
}

async fn parameters_as_the_output_or_discarded() {
    // Parameters with the default ResultPath: the template's result is the output.
    let o = run_plain(
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"k":1,"v.$":"$.x"},"End":true}}}"#,
        val!({"x": [1, 2]}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!({"k": 1, "v": [1, 2]})));
    // ResultPath null: the input passes on, the template's result is dropped...
    let input = val!({"x": "kept"});
    let o = run_plain(
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"v.$":"$.x"},"ResultPath":null,"End":true}}}"#,
        input.clone(),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert!(o.output.expect("output").ptr_eq(&input));
    // ...but it is still evaluated: a path that selects nothing fails the state.
    let o = run_plain(
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"v.$":"$.missing"},"ResultPath":null,"End":true}}}"#,
        input,
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(&*o.error.expect("an error").error, "States.Runtime");
}

both!(
    result_replaces_input,
    default_paths_pass_the_input_through_uncopied,
    any_json_value_is_a_valid_input,
    execution_started_records_input_and_role,
    parameters_written_at_a_result_path,
    parameters_at_a_result_path_that_does_not_apply_fail,
    parameters_as_the_output_or_discarded,
);
