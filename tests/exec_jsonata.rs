//! JSONata mode in the executor: Output, Arguments, Assign and variables, Choice
//! Condition, Map Items/ItemSelector, Wait, Fail, Catch errorOutput, EvaluationFailed
//! history, QueryEvaluationError causes, and compile errors at parse time.
mod common;
use common::*;
use serde_json::json;
use statelang::definition::{validate, MachineType, ParseOptions};
use statelang::exec::{EventType, Resolvers, Status, TaskError};
use statelang::val;

const PREFIX: &str = "An error occurred while executing the state";

async fn output_evaluates_expressions_at_any_depth() {
    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass",
            "Output":{"sum":"{% $sum($states.input.xs) %}","nested":[1,{"name":"{% $states.context.State.Name %}"}],
                      "lit":"not {% an expression","range":"{% $range(1, 9, 9) %}"},
            "End":true}}}"#,
        val!({"xs": [1, 2, 3]}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(
        o.output,
        Some(
            val!({"sum": 6, "nested": [1, {"name": "P"}], "lit": "not {% an expression", "range": 1})
        )
    );
}

async fn output_defaults_to_input_and_literals_are_allowed() {
    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"A","States":{
            "A":{"Type":"Pass","Next":"B"},
            "B":{"Type":"Pass","Output":[null, 1, "x"],"End":true}}}"#,
        val!({"a": 1}),
    )
    .await;
    assert_eq!(o.output, Some(val!([null, 1, "x"])));
}

async fn arguments_go_to_the_task_and_result_reaches_output() {
    let r = Resolvers::new().on("arn:aws:states:::lambda:invoke", |task| async move {
        assert_eq!(task.input, val!({"FunctionName": "f", "Payload": {"n": 2}}));
        Ok(val!({"Payload": 40}))
    });
    let o = run(
        r#"{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task",
            "Resource":"arn:aws:states:::lambda:invoke",
            "Arguments":{"FunctionName":"f","Payload":{"n":"{% $states.input.n %}"}},
            "Output":"{% $states.result.Payload + $states.input.n %}","End":true}}}"#,
        val!({"n": 2}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!(42)));
}

async fn assign_sees_variables_as_they_were_when_the_state_was_entered() {
    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"A","States":{
            "A":{"Type":"Pass","Assign":{"x":1,"y":2},"Next":"B"},
            "B":{"Type":"Pass","Assign":{"x":"{% $y %}","y":"{% $x %}"},"Output":{"x":"{% $x %}"},"Next":"C"},
            "C":{"Type":"Pass","Output":{"x":"{% $x %}","y":"{% $y %}"},"End":true}}}"#,
        val!({}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!({"x": 2, "y": 1})));
    let exited = events_of(&o, EventType::PassStateExited);
    assert_eq!(details(exited[1])["output"], json!({"x": 1}));
    assert_eq!(
        details(exited[1])["assignedVariables"],
        json!({"x": 2, "y": 1})
    );
}

async fn variables_cross_query_languages() {
    let o = run_plain(
        r#"{"StartAt":"A","States":{
            "A":{"Type":"Pass","Assign":{"fromPath.$":"$.v"},"Next":"B"},
            "B":{"Type":"Pass","QueryLanguage":"JSONata","Assign":{"fromAta":"{% $fromPath * 2 %}"},"Next":"C"},
            "C":{"Type":"Pass","Parameters":{"a.$":"$fromPath","b.$":"$fromAta"},"End":true}}}"#,
        val!({"v": 21}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!({"a": 21, "b": 42})));
}

async fn choice_condition_picks_the_rule_and_its_output() {
    let def = r#"{"QueryLanguage":"JSONata","StartAt":"C","States":{
        "C":{"Type":"Choice","Choices":[
              {"Condition":"{% $states.input.n > 1 %}","Next":"Big","Output":"big","Assign":{"seen":"rule"}}],
            "Default":"Small","Assign":{"seen":"default"}},
        "Big":{"Type":"Pass","Output":{"o":"{% $states.input %}","seen":"{% $seen %}"},"End":true},
        "Small":{"Type":"Pass","Output":{"o":"{% $states.input %}","seen":"{% $seen %}"},"End":true}}}"#;
    let o = run_plain(def, val!({"n": 5})).await;
    assert_eq!(o.output, Some(val!({"o": "big", "seen": "rule"})));
    let o = run_plain(def, val!({"n": 0})).await;
    assert_eq!(o.output, Some(val!({"o": {"n": 0}, "seen": "default"})));
}

async fn choice_condition_must_be_boolean() {
    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"C","States":{
            "C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n %}","Next":"E"}],"Default":"E"},
            "E":{"Type":"Succeed"}}}"#,
        val!({"n": 5}),
    )
    .await;
    assert_eq!(o.error_name(), Some("States.QueryEvaluationError"));
    let cause = o.error.unwrap().cause.unwrap();
    assert!(
        cause.ends_with("The JSONata expression '$states.input.n' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was 'number' for value: 5"),
        "{cause}"
    );
}

async fn map_items_and_item_selector() {
    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map",
            "Items":"{% $states.input.xs %}",
            "ItemSelector":{"v":"{% $states.context.Map.Item.Value %}","i":"{% $states.context.Map.Item.Index %}","k":"{% $states.input.k %}"},
            "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input.v * 10 + $states.input.i + $states.input.k %}","End":true}}},
            "End":true}}}"#,
        val!({"xs": [1, 2, 3], "k": 100}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!([110, 121, 132])));
}

async fn map_items_must_be_an_array() {
    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map",
            "Items":"{% 'string' %}",
            "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
            "End":true}}}"#,
        val!({}),
    )
    .await;
    assert_eq!(
        o.error.as_ref().unwrap().cause.as_deref(),
        Some("An error occurred while executing the state 'M' (entered at the event id #2). The JSONata expression ''string'' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'string' for value: \"string\"")
    );
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "MapStateEntered",
            "EvaluationFailed",
            "MapStateFailed",
            "ExecutionFailed"
        ]
    );
    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map",
            "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
            "End":true}}}"#,
        val!(1),
    )
    .await;
    assert!(o
        .error
        .unwrap()
        .cause
        .unwrap()
        .ends_with("Map state input must be an array but was: 1"));
}

async fn wait_seconds_and_timestamp() {
    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"W","States":{
            "W":{"Type":"Wait","Seconds":"{% $states.input.s %}","Next":"X"},
            "X":{"Type":"Wait","Timestamp":"{% $states.input.t %}","End":true}}}"#,
        val!({"s": 5, "t": "2024-01-01T00:01:00Z"}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    let last = o.history.events().last().unwrap();
    assert_eq!(last.timestamp_millis, T0 + 60_000);

    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"W","States":{
            "W":{"Type":"Wait","Timestamp":"{% $states.input.t %}","End":true}}}"#,
        val!({"t": "2016-12-05T21:29:29"}),
    )
    .await;
    assert_eq!(o.error_name(), Some("States.QueryEvaluationError"));
    let failed = o.history.find(EventType::EvaluationFailed).unwrap();
    assert_eq!(details(failed)["location"], json!("Timestamp"));
    assert!(details(failed)["cause"]
        .as_str()
        .unwrap()
        .ends_with("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: 2016-12-05T21:29:29"));
}

async fn fail_error_and_cause_from_expressions() {
    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"F","States":{
            "F":{"Type":"Fail","Error":"{% 'E.' & $states.input.kind %}","Cause":"{% $string($states.input.n) %}"}}}"#,
        val!({"kind": "Bad", "n": 3}),
    )
    .await;
    let e = o.error.unwrap();
    assert_eq!(&*e.error, "E.Bad");
    assert_eq!(e.cause.as_deref(), Some("3"));
}

async fn catch_sees_error_output_and_input() {
    let r = Resolvers::new().fallback(|_| async { Err(TaskError::new("Boom", "it broke")) });
    let o = run(
        r#"{"QueryLanguage":"JSONata","StartAt":"T","States":{
            "T":{"Type":"Task","Resource":"x",
                 "Catch":[{"ErrorEquals":["States.ALL"],"Next":"N",
                   "Output":{"err":"{% $states.errorOutput.Error %}","in":"{% $states.input.a %}"},
                   "Assign":{"cause":"{% $states.errorOutput.Cause %}"}}],"End":true},
            "N":{"Type":"Pass","Output":{"o":"{% $states.input %}","c":"{% $cause %}"},"End":true}}}"#,
        val!({"a": 1}),
        r,
    )
    .await;
    assert_eq!(
        o.output,
        Some(val!({"o": {"err": "Boom", "in": 1}, "c": "it broke"}))
    );
}

async fn query_evaluation_errors_are_catchable() {
    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"P","States":{
            "P":{"Type":"Parallel","Arguments":"{% $nope %}",
                 "Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],
                 "Catch":[{"ErrorEquals":["States.QueryEvaluationError"],"Next":"N"}],"End":true},
            "N":{"Type":"Pass","Output":"{% $states.input.Error %}","End":true}}}"#,
        val!({}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!("States.QueryEvaluationError")));
}

async fn undefined_is_an_error_with_its_location() {
    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass",
            "Assign":{"result":"{% $doesNotExist %}"},"End":true}}}"#,
        val!({}),
    )
    .await;
    let cause = format!(
        "{PREFIX} 'S' (entered at the event id #2). The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined)."
    );
    assert_eq!(o.error.as_ref().unwrap().cause.as_deref(), Some(&*cause));
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "PassStateEntered",
            "EvaluationFailed",
            "ExecutionFailed"
        ]
    );
    let failed = o.history.find(EventType::EvaluationFailed).unwrap();
    assert_eq!(
        details(failed),
        json!({"error": "States.QueryEvaluationError", "cause": cause, "location": "Assign/result", "state": "S"})
    );
}

async fn runtime_errors_carry_the_jsonata_code() {
    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass",
            "Output":{"r":"{% $randomSeeded() %}"},"End":true}}}"#,
        val!({}),
    )
    .await;
    let cause = o.error.unwrap().cause.unwrap();
    assert!(
        cause.contains("The JSONata expression '$randomSeeded()' specified for the field 'Output/r' threw an error during evaluation. T1006: "),
        "{cause}"
    );
}

async fn random_and_uuid_follow_the_execution_seed() {
    let def = r#"{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Pass",
        "Output":{"r":"{% $random() %}","u":"{% $uuid() %}","now":"{% $now() %}"},"End":true}}}"#;
    let a = run_plain(def, val!({})).await;
    let b = run_plain(def, val!({})).await;
    assert_eq!(a.output, b.output);
    assert_eq!(
        a.output.unwrap().get("now"),
        Some(&val!("2024-01-01T00:00:00.000Z"))
    );
}

async fn item_selector_errors_are_catchable_after_map_state_failed() {
    let o = run_plain(
        r#"{"QueryLanguage":"JSONata","StartAt":"M","States":{
            "M":{"Type":"Map","Items":[1],"ItemSelector":{"v":"{% $nope %}"},
                 "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
                 "Catch":[{"ErrorEquals":["States.QueryEvaluationError"],"Next":"N"}],"End":true},
            "N":{"Type":"Pass","Output":"{% $states.input.Error %}","End":true}}}"#,
        val!({}),
    )
    .await;
    assert_eq!(o.output, Some(val!("States.QueryEvaluationError")));
    let failed = o.history.find(EventType::EvaluationFailed).unwrap();
    assert_eq!(details(failed)["location"], json!("ItemSelector/v"));
    assert!(o.history.find(EventType::MapStateFailed).is_some());
}

async fn timeout_seconds_from_an_expression() {
    let r = Resolvers::new().fallback(|task| async move {
        Ok(val!({"timeout": task.timeout_seconds, "heartbeat": task.heartbeat_seconds}))
    });
    let o = run(
        r#"{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"x",
            "TimeoutSeconds":"{% $states.input.t %}","HeartbeatSeconds":"{% $states.input.t - 1 %}","End":true}}}"#,
        val!({"t": 10}),
        r,
    )
    .await;
    assert_eq!(o.output, Some(val!({"timeout": 10, "heartbeat": 9})));
}

both!(
    item_selector_errors_are_catchable_after_map_state_failed,
    timeout_seconds_from_an_expression,
    output_evaluates_expressions_at_any_depth,
    output_defaults_to_input_and_literals_are_allowed,
    arguments_go_to_the_task_and_result_reaches_output,
    assign_sees_variables_as_they_were_when_the_state_was_entered,
    variables_cross_query_languages,
    choice_condition_picks_the_rule_and_its_output,
    choice_condition_must_be_boolean,
    map_items_and_item_selector,
    map_items_must_be_an_array,
    wait_seconds_and_timestamp,
    fail_error_and_cause_from_expressions,
    catch_sees_error_output_and_input,
    query_evaluation_errors_are_catchable,
    undefined_is_an_error_with_its_location,
    runtime_errors_carry_the_jsonata_code,
    random_and_uuid_follow_the_execution_seed,
);

#[test]
fn expressions_that_do_not_compile_are_rejected_at_parse_time() {
    let def = json!({"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": {
        "Type": "Pass", "Output": {"a": ["{% 1 + %}"]}, "End": true}}});
    let d = validate(
        &def.to_string(),
        &ParseOptions {
            machine_type: MachineType::Standard,
        },
    )
    .diagnostics;
    assert!(
        d.iter()
            .any(|d| d.code.to_string() == "SCHEMA_VALIDATION_FAILED"
                && d.location == "/States/S/Output/a/0"
                && d.message
                    .contains("The JSONata expression '1 +' is invalid")),
        "{d:#?}"
    );
}
