//! The JSONPath I/O pipeline: InputPath, Parameters, ResultSelector, ResultPath,
//! OutputPath, Assign, and the States.Runtime prefix.
mod common;
use common::*;
use statelang::exec::{EventType, Resolvers, Status};
use statelang::val;

async fn full_task_pipeline() {
    let r = Resolvers::new().on("work", |task| async move {
        assert_eq!(task.input, val!({"value": 2, "ctx": "T", "fixed": "x"}));
        Ok(val!({"payload": {"doubled": 4}, "noise": true}))
    });
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"work",
            "InputPath":"$.inner",
            "Parameters":{"value.$":"$.v","ctx.$":"$$.State.Name","fixed":"x"},
            "ResultSelector":{"d.$":"$.payload.doubled"},
            "ResultPath":"$.result",
            "OutputPath":"$.result",
            "End":true}}}"#,
        val!({"inner": {"v": 2}, "outer": 1}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    assert_eq!(o.output, Some(val!({"d": 4})));
    let scheduled = o.history.find(EventType::TaskScheduled).unwrap();
    assert_eq!(
        details(scheduled)["parameters"],
        serde_json::json!({"value": 2, "ctx": "T", "fixed": "x"})
    );
}

async fn result_path_merges_into_the_raw_input() {
    let o = run_plain(
        r#"{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.a","Result":{"r":1},"ResultPath":"$.a.b","End":true}}}"#,
        val!({"a": {"x": 1}, "keep": true}),
    )
    .await;
    assert_eq!(
        o.output,
        Some(val!({"a": {"x": 1, "b": {"r": 1}}, "keep": true}))
    );
}

async fn null_input_and_output_paths_give_empty_objects() {
    let o = run_plain(
        r#"{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":null,"ResultPath":"$.got","Next":"Q"},
            "Q":{"Type":"Pass","OutputPath":null,"End":true}}}"#,
        val!({"a": 1}),
    )
    .await;
    assert_eq!(o.output, Some(val!({})));
    let exited = o.history.find(EventType::PassStateExited).unwrap();
    assert_eq!(
        details(exited)["output"],
        serde_json::json!({"a": 1, "got": {}})
    );
}

async fn result_path_null_discards_the_result() {
    let o = run_plain(
        r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"dropped","ResultPath":null,"End":true}}}"#,
        val!({"a": 1}),
    )
    .await;
    assert_eq!(o.output, Some(val!({"a": 1})));
}

async fn missing_input_path_is_runtime_with_prefix() {
    let o = run_plain(
        r#"{"StartAt":"pass","States":{"pass":{"Type":"Pass","InputPath":"$.NoSuchInputPath","End":true}}}"#,
        val!({"int-literal": 0}),
    )
    .await;
    assert_eq!(o.error_name(), Some("States.Runtime"));
    assert_eq!(
        o.cause(),
        Some("An error occurred while executing the state 'pass' (entered at the event id #2). Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']")
    );
    assert_eq!(
        types(&o),
        ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]
    );
}

async fn missing_parameter_path_is_runtime_and_not_caught() {
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x","Parameters":{"value.$":"$.no_such"},
            "Retry":[{"ErrorEquals":["States.ALL"]}],
            "Catch":[{"ErrorEquals":["States.Runtime"],"Next":"H"},{"ErrorEquals":["States.ALL"],"Next":"H"}],"End":true},
            "H":{"Type":"Pass","End":true}}}"#,
        val!({"int-literal": 0}),
        Resolvers::new(),
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("States.Runtime"));
    assert_eq!(
        o.cause(),
        Some("An error occurred while executing the state 'T' (entered at the event id #2). The JSONPath '$.no_such' specified for the field 'value.$' could not be found in the input '{\"int-literal\":0}'")
    );
    assert_eq!(
        types(&o),
        ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]
    );
}

async fn catcher_output_skips_the_state_output_path() {
    let r = Resolvers::new()
        .fallback(|_| async move { Err(statelang::exec::TaskError::new("Boom", "c")) });
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x","OutputPath":"$.no.such.path",
            "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"H"}],"End":true},
            "H":{"Type":"Pass","End":true}}}"#,
        val!({"keep": 1}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(
        o.output,
        Some(val!({"keep": 1, "error": {"Error": "Boom", "Cause": "c"}}))
    );
}

async fn assign_sees_values_from_state_entry_and_applies_after() {
    let o = run_plain(
        r#"{"StartAt":"A","States":{
            "A":{"Type":"Pass","Assign":{"x":1,"y":2},"Next":"B"},
            "B":{"Type":"Pass","Assign":{"x.$":"$y","y.$":"$x"},"OutputPath":"$x","Next":"C"},
            "C":{"Type":"Pass","Parameters":{"x.$":"$x","y.$":"$y"},"End":true}}}"#,
        val!({}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    assert_eq!(o.output, Some(val!({"x": 2, "y": 1})));
    let b_exit = &events_of(&o, EventType::PassStateExited)[1];
    assert_eq!(
        details(b_exit)["output"],
        serde_json::json!(1),
        "OutputPath saw the old x"
    );
    assert_eq!(
        details(b_exit)["assignedVariables"],
        serde_json::json!({"x": 2, "y": 1})
    );
    assert_eq!(
        b_exit.to_aws_json()["stateExitedEventDetails"]["assignedVariables"],
        serde_json::json!({"x": "2", "y": "1"})
    );
}

async fn catcher_assign_replaces_state_assign() {
    let r = Resolvers::new()
        .fallback(|_| async move { Err(statelang::exec::TaskError::new("Boom", "c")) });
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x","Assign":{"s":"state"},
            "Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"err.$":"$.Error"},"Next":"H"}],"End":true},
            "H":{"Type":"Pass","Parameters":{"err.$":"$err"},"End":true}}}"#,
        val!({}),
        r,
    )
    .await;
    assert_eq!(o.output, Some(val!({"err": "Boom"})));
}

/// Every way a JSONPath state reads `$$.State.Name` sees its own name, also after
/// states that never read the context (which leave it as it was).
async fn context_state_name_is_the_reading_states_own() {
    let r = Resolvers::new().on("work", |task| async move {
        let state = task.context.get("State").cloned().unwrap_or_default();
        Ok(state.get("Name").cloned().unwrap_or_default())
    });
    let o = run(
        r#"{"StartAt":"Plain","States":{
            "Plain":{"Type":"Pass","Result":{"n":1},"ResultPath":"$.plain","Next":"ByPath"},
            "ByPath":{"Type":"Pass","Parameters":{"name.$":"$$.State.Name"},"ResultPath":"$.path","Next":"Quiet"},
            "Quiet":{"Type":"Pass","Next":"ByIntrinsic"},
            "ByIntrinsic":{"Type":"Pass","Parameters":{"name.$":"States.Format('{}!', $$.State.Name)"},"ResultPath":"$.intrinsic","Next":"Quiet2"},
            "Quiet2":{"Type":"Pass","Next":"ByTask"},
            "ByTask":{"Type":"Task","Resource":"work","ResultPath":"$.task","Next":"Quiet3"},
            "Quiet3":{"Type":"Pass","Next":"ByChoice"},
            "ByChoice":{"Type":"Choice","Choices":[{"Variable":"$$.State.Name","StringEquals":"ByChoice","Next":"ByOutputPath"}],"Default":"Wrong"},
            "Wrong":{"Type":"Fail","Error":"WrongName"},
            "ByOutputPath":{"Type":"Pass","Parameters":{"all.$":"$","ctx.$":"$$"},"OutputPath":"$.ctx.State.Name","End":true}}}"#,
        val!({}),
        r,
    )
    .await;
    assert_eq!(o.output, Some(val!("ByOutputPath")), "{:?}", o.error_name());
    let exited_output = |name: &str| {
        o.history
            .events()
            .iter()
            .find(|e| e.event_type == EventType::PassStateExited && e.state_name() == Some(name))
            .and_then(|e| e.output().map(|v| v.to_json_string()))
    };
    let intrinsic = exited_output("ByIntrinsic").unwrap_or_default();
    assert!(
        intrinsic.contains(r#""path":{"name":"ByPath"}"#),
        "{intrinsic}"
    );
    assert!(
        intrinsic.contains(r#""intrinsic":{"name":"ByIntrinsic!"}"#),
        "{intrinsic}"
    );
    let quiet3 = exited_output("Quiet3").unwrap_or_default();
    assert!(quiet3.contains(r#""task":"ByTask""#), "{quiet3}");
}

both!(
    context_state_name_is_the_reading_states_own,
    full_task_pipeline,
    result_path_merges_into_the_raw_input,
    null_input_and_output_paths_give_empty_objects,
    result_path_null_discards_the_result,
    missing_input_path_is_runtime_with_prefix,
    missing_parameter_path_is_runtime_and_not_caught,
    catcher_output_skips_the_state_output_path,
    assign_sees_values_from_state_entry_and_applies_after,
    catcher_assign_replaces_state_assign,
);
