//! One passing and one failing definition per validation rule.

use serde_json::{json, Value};
use statelang::definition::{validate, MachineType, ParseOptions};
use statelang::StateMachine;

/// A machine whose only state is `state` (named `S`).
fn one(state: Value) -> Value {
    json!({"StartAt": "S", "States": {"S": state}})
}

fn diags_with(def: &Value, machine_type: MachineType) -> Vec<(String, String, String)> {
    let text = serde_json::to_string(def).unwrap();
    validate(&text, &ParseOptions { machine_type })
        .diagnostics
        .into_iter()
        .map(|d| (d.code.to_string(), d.location, d.message))
        .collect()
}

fn diags(def: &Value) -> Vec<(String, String, String)> {
    diags_with(def, MachineType::Standard)
}

#[track_caller]
fn ok(def: Value) {
    let d = diags(&def);
    assert!(d.is_empty(), "expected valid, got {d:#?}");
    StateMachine::from_value(def).expect("from_value agrees with validate");
}

/// Asserts a diagnostic with this code and location whose message contains `needle`.
#[track_caller]
fn fails(def: Value, code: &str, location: &str, needle: &str) {
    let d = diags(&def);
    assert!(
        d.iter()
            .any(|(c, l, m)| c == code && l == location && m.contains(needle)),
        "expected {code} at {location} containing {needle:?}, got {d:#?}"
    );
    assert!(StateMachine::from_value(def).is_err());
}

#[test]
fn top_level_fields() {
    ok(one(json!({"Type": "Succeed"})));
    fails(
        json!({}),
        "SCHEMA_VALIDATION_FAILED",
        "/",
        "These fields are required: [States, StartAt]",
    );
    fails(
        json!({"StartAt": "S"}),
        "SCHEMA_VALIDATION_FAILED",
        "/",
        "These fields are required: [States]",
    );
    fails(
        json!({"States": {"S": {"Type": "Succeed"}}}),
        "SCHEMA_VALIDATION_FAILED",
        "/",
        "These fields are required: [StartAt]",
    );
    let mut d = one(json!({"Type": "Succeed"}));
    d["Version"] = json!("1.0");
    d["TimeoutSeconds"] = json!(60);
    d["Comment"] = json!("c");
    ok(d.clone());
    d["Version"] = json!("2.0");
    fails(d.clone(), "SCHEMA_VALIDATION_FAILED", "/Version", "[1.0]");
    d["Version"] = json!("1.0");
    d["TimeoutSeconds"] = json!(100_000_000);
    fails(
        d.clone(),
        "SCHEMA_VALIDATION_FAILED",
        "/TimeoutSeconds",
        "between",
    );
    d["TimeoutSeconds"] = json!(1);
    d["Extra"] = json!(1);
    fails(d, "SCHEMA_VALIDATION_FAILED", "/Extra", "not supported");
}

#[test]
fn state_type_and_transitions() {
    fails(one(json!({"Type": "Nope"})), "SCHEMA_VALIDATION_FAILED", "/States/S/Type",
        "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]");
    fails(
        one(json!({"Type": "Pass", "End": true, "Next": "S"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "mutually exclusive",
    );
    fails(
        one(json!({"Type": "Pass"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "'Next'",
    );
    fails(
        one(json!({"Type": "Pass", "End": false})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "'Next'",
    );
    fails(
        one(json!({"Type": "Succeed", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/End",
        "not supported",
    );
    fails(
        one(json!({"Type": "Pass", "Next": "Nowhere"})),
        "MISSING_TRANSITION_TARGET",
        "/States/S/Next",
        "Nowhere",
    );
    fails(
        json!({"StartAt": "X", "States": {"S": {"Type": "Succeed"}}}),
        "MISSING_TRANSITION_TARGET",
        "/StartAt",
        "X",
    );
    fails(
        json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}),
        "UNREACHABLE_STATE",
        "/States/B",
        "B",
    );
    fails(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}),
        "MISSING_END_STATE",
        "/",
        "terminal",
    );
    ok(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Fail"}}}),
    );
}

#[test]
fn state_names() {
    let long = "x".repeat(81);
    fails(
        json!({"StartAt": long, "States": {long.clone(): {"Type": "Succeed"}}}),
        "INVALID_STATE_NAME",
        &format!("/States/{long}"),
        "1 to 80",
    );
    ok(json!({"StartAt": "x".repeat(80), "States": {"x".repeat(80): {"Type": "Succeed"}}}));
    // Unique across nested scopes.
    fails(
        json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}]}}}),
        "DUPLICATE_STATE_NAME",
        "/States/P/Branches/0/States/P",
        "Duplicate State name",
    );
    // Duplicate keys in the text.
    let r = validate(
        r#"{"StartAt":"A","States":{"A":{"Type":"Succeed"},"A":{"Type":"Succeed"}}}"#,
        &ParseOptions::default(),
    );
    assert_eq!(r.diagnostics[0].code.as_str(), "DUPLICATE_STATE_NAME");
    assert_eq!(r.diagnostics[0].location, "/States/A");
    let r = validate(
        r#"{"StartAt":"A","States":{"A":{"Type":"Succeed","Type":"Succeed"}}}"#,
        &ParseOptions::default(),
    );
    assert_eq!(r.diagnostics[0].location, "/States/A/Type");
}

#[test]
fn query_language() {
    let mut d = one(json!({"Type": "Pass", "End": true, "QueryLanguage": "JSONPath"}));
    ok(d.clone());
    d["QueryLanguage"] = json!("JSONata");
    fails(
        d,
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
    );
    ok(one(
        json!({"Type": "Pass", "End": true, "QueryLanguage": "JSONata", "Output": "{% $states.input %}"}),
    ));
    fails(
        one(json!({"Type": "Pass", "End": true, "QueryLanguage": "JSONata", "InputPath": "$"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/InputPath",
        "JSONata",
    );
    fails(
        one(json!({"Type": "Pass", "End": true, "Output": {}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Output",
        "JSONata",
    );
    fails(
        one(json!({"Type": "Pass", "End": true, "QueryLanguage": "JSONPathX"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/QueryLanguage",
        "[JSONPath, JSONata]",
    );
    fails(
        one(json!({"Type": "Pass", "Next": "{% 'S' %}", "QueryLanguage": "JSONata"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Next",
        "does not accept JSONata",
    );
    fails(
        one(
            json!({"Type": "Task", "End": true, "QueryLanguage": "JSONata", "Resource": "{% 'x' %}"}),
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Resource",
        "does not accept JSONata",
    );
    ok(one(
        json!({"Type": "Task", "End": true, "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::lambda:invoke",
        "TimeoutSeconds": "{% 3 %}", "Arguments": {"a": "{% $states.input %}"}}),
    ));
    fails(
        one(json!({"Type": "Pass", "End": true, "QueryLanguage": "JSONata", "Output": "{%  %}"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Output",
        "empty",
    );
}

fn task(extra: Value) -> Value {
    let mut t = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true});
    for (k, v) in extra.as_object().unwrap() {
        t[k] = v.clone();
    }
    one(t)
}

#[test]
fn task_fields() {
    ok(task(json!({"TimeoutSeconds": 10, "HeartbeatSeconds": 5})));
    fails(
        task(json!({"TimeoutSeconds": 10, "HeartbeatSeconds": 10})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/HeartbeatSeconds",
        "smaller",
    );
    fails(
        task(json!({"TimeoutSeconds": 0})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/TimeoutSeconds",
        "between 1 and 99999999",
    );
    fails(
        task(json!({"TimeoutSeconds": 1, "TimeoutSecondsPath": "$.t"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "mutually exclusive",
    );
    fails(
        one(json!({"Type": "Task", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "The field 'Resource' is required but was missing",
    );
    fails(
        task(json!({"Credentials": {}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Credentials",
        "The field 'RoleArn' is required but was missing",
    );
    ok(task(
        json!({"Credentials": {"RoleArn": "arn:aws:iam::1:role/r"}}),
    ));
    fails(one(json!({"Type": "Task", "End": true, "Resource": "arn:aws:states:::dynamodb:query"})),
        "SCHEMA_VALIDATION_FAILED", "/States/S/Resource",
        "The resource provided arn:aws:states:::dynamodb:query is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.");
    ok(one(
        json!({"Type": "Task", "End": true, "Resource": "my-custom-resource"}),
    ));
    ok(task(json!({"ResultSelector": {"a": 1}})));
    fails(
        task(json!({"ResultSelector": [1]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/ResultSelector",
        "OBJECT",
    );
}

#[test]
fn express_restrictions() {
    let t = |r: &str| one(json!({"Type": "Task", "End": true, "Resource": r}));
    let express = |d: &Value| diags_with(d, MachineType::Express);
    let act = t("arn:aws:states:us-east-1:111111111111:activity:a");
    assert!(diags(&act).is_empty());
    assert_eq!(
        express(&act)[0].2,
        "Express state machine does not support Activity ARN"
    );
    assert_eq!(express(&act)[0].1, "/States/S/Resource");
    assert_eq!(
        express(&t("arn:aws:states:::states:startExecution.sync"))[0].2,
        "Express state machine does not support '.sync' service integration"
    );
    assert_eq!(
        express(&t("arn:aws:states:::sqs:sendMessage.waitForTaskToken"))[0].2,
        "Express state machine does not support '.waitForTaskToken' service integration "
    );
    assert!(express(&t("arn:aws:states:::lambda:invoke")).is_empty());
}

#[test]
fn retry_and_catch() {
    ok(task(
        json!({"Retry": [{"ErrorEquals": ["A"], "IntervalSeconds": 1, "MaxAttempts": 0, "BackoffRate": 1.0,
        "MaxDelaySeconds": 5, "JitterStrategy": "FULL"}, {"ErrorEquals": ["States.ALL"]}]}),
    ));
    fails(
        task(json!({"Retry": [{"ErrorEquals": []}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/ErrorEquals",
        "Value cannot be empty",
    );
    fails(
        task(json!({"Retry": [{}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0",
        "'ErrorEquals' is required",
    );
    fails(
        task(json!({"Retry": [{"ErrorEquals": ["States.ALL", "A"]}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/ErrorEquals/0",
        "alone",
    );
    fails(
        task(json!({"Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["A"]}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/ErrorEquals/0",
        "last",
    );
    fails(
        task(json!({"Retry": [{"ErrorEquals": ["States.Foo"]}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/ErrorEquals/0",
        "predefined",
    );
    fails(
        task(json!({"Retry": [{"ErrorEquals": ["A"], "IntervalSeconds": 0}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/IntervalSeconds",
        "between",
    );
    fails(
        task(json!({"Retry": [{"ErrorEquals": ["A"], "MaxAttempts": -1}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/MaxAttempts",
        "between",
    );
    fails(
        task(json!({"Retry": [{"ErrorEquals": ["A"], "BackoffRate": 0.5}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/BackoffRate",
        "between",
    );
    fails(
        task(json!({"Retry": [{"ErrorEquals": ["A"], "MaxDelaySeconds": 31_622_401}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/MaxDelaySeconds",
        "between",
    );
    fails(
        task(json!({"Retry": [{"ErrorEquals": ["A"], "JitterStrategy": "HALF"}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/JitterStrategy",
        "[FULL, NONE]",
    );
    fails(
        task(json!({"Retry": [{"ErrorEquals": ["A"], "Foo": 1}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Retry/0/Foo",
        "not supported",
    );
    ok(task(json!({"Retry": [], "Catch": []})));
    ok(task(
        json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "S", "ResultPath": "$.error"}]}),
    ));
    fails(
        task(json!({"Catch": [{"ErrorEquals": ["States.ALL"]}]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Catch/0",
        "'Next' is required",
    );
    fails(
        task(json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "X"}]})),
        "MISSING_TRANSITION_TARGET",
        "/States/S/Catch/0/Next",
        "X",
    );
}

fn choice(rules: Value) -> Value {
    json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": rules, "Default": "D"}, "D": {"Type": "Succeed"}}})
}

#[test]
fn choice_rules() {
    ok(choice(json!([
        {"Variable": "$.a", "StringEquals": "x", "Next": "D"},
        {"Variable": "$.a", "NumericGreaterThanEquals": 1.5, "Next": "D"},
        {"Variable": "$.a", "BooleanEquals": true, "Next": "D"},
        {"Variable": "$.a", "TimestampLessThan": "2024-01-01T00:00:00Z", "Next": "D"},
        {"Variable": "$.a", "StringEqualsPath": "$.b", "Next": "D"},
        {"Variable": "$.a", "StringMatches": "a*", "Next": "D"},
        {"Variable": "$.a", "IsPresent": false, "Next": "D"},
        {"And": [{"Variable": "$.a", "IsNull": true}], "Next": "D"},
        {"Not": {"Or": [{"Variable": "$.a", "IsString": true}]}, "Next": "D"}
    ])));
    fails(
        choice(json!([])),
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices",
        "Value cannot be empty",
    );
    fails(
        choice(json!([{"Variable": "$.a", "StringEquals": 1, "Next": "D"}])),
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices/0/StringEquals",
        "STRING",
    );
    fails(
        choice(json!([{"Variable": "$.a", "NumericEquals": "1", "Next": "D"}])),
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices/0/NumericEquals",
        "NUMBER",
    );
    fails(
        choice(json!([{"Variable": "$.a", "BooleanEquals": 1, "Next": "D"}])),
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices/0/BooleanEquals",
        "BOOLEAN",
    );
    fails(
        choice(json!([{"Variable": "$.a", "TimestampEquals": "yesterday", "Next": "D"}])),
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices/0/TimestampEquals",
        "RFC3339",
    );
    fails(
        choice(json!([{"Variable": "$.a", "IsNull": "yes", "Next": "D"}])),
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices/0/IsNull",
        "BOOLEAN",
    );
    fails(
        choice(json!([{"Variable": "$.a", "IsNull": true, "IsString": true, "Next": "D"}])),
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices/0",
        "only have one comparison operator",
    );
    fails(
        choice(json!([{"Variable": "$.a", "Next": "D"}])),
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices/0",
        "exactly one comparison operator",
    );
    fails(
        choice(json!([{"Variable": "$.a", "IsNull": true}])),
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices/0",
        "'Next' is required",
    );
    fails(
        choice(json!([{"Not": {"Variable": "$.a", "IsNull": true, "Next": "D"}, "Next": "D"}])),
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices/0/Not/Next",
        "Nested",
    );
    fails(
        choice(json!([{"IsNull": true, "Next": "D"}])),
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices/0",
        "'Variable' is required",
    );
    fails(
        choice(json!([{"Variable": "$.a", "IsNull": true, "Next": "Nope"}])),
        "MISSING_TRANSITION_TARGET",
        "/States/C/Choices/0/Next",
        "Nope",
    );
    fails(
        json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$", "IsNull": true, "Next": "C"}], "Next": "C"}}}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Next",
        "not supported",
    );
    // JSONata rules.
    ok(
        json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {"C": {"Type": "Choice",
        "Choices": [{"Condition": "{% $states.input.a = 1 %}", "Next": "D", "Output": 1}], "Default": "D"}, "D": {"Type": "Succeed"}}}),
    );
    fails(
        json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {"C": {"Type": "Choice",
        "Choices": [{"Condition": 1, "Next": "D"}]}, "D": {"Type": "Succeed"}}}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/C/Choices/0/Condition",
        "BOOLEAN",
    );
}

#[test]
fn wait_fields() {
    ok(one(json!({"Type": "Wait", "Seconds": 0, "End": true})));
    ok(one(
        json!({"Type": "Wait", "Timestamp": "2016-03-14T01:59:00.123+02:00", "End": true}),
    ));
    fails(
        one(json!({"Type": "Wait", "Timestamp": "2016-03-14 01:59:00Z", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Timestamp",
        "String does not match RFC3339 timestamp",
    );
    fails(
        one(json!({"Type": "Wait", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "exactly one",
    );
    fails(
        one(json!({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "exactly one",
    );
    fails(
        one(json!({"Type": "Wait", "Seconds": -1, "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Seconds",
        "between",
    );
    ok(one(
        json!({"Type": "Wait", "Seconds": "{% 1 %}", "End": true, "QueryLanguage": "JSONata"}),
    ));
}

#[test]
fn fail_fields() {
    ok(one(json!({"Type": "Fail"})));
    ok(one(json!({"Type": "Fail", "Error": "E", "Cause": "C"})));
    fails(
        one(json!({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "mutually exclusive",
    );
    fails(
        one(json!({"Type": "Fail", "Cause": "C", "CausePath": "$.c"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "mutually exclusive",
    );
    fails(
        one(json!({"Type": "Fail", "ErrorPath": "States.ArrayLength($.a)"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/ErrorPath",
        "returns a string",
    );
    fails(
        one(json!({"Type": "Fail", "Error": 1})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Error",
        "STRING",
    );
    fails(
        one(json!({"Type": "Fail", "InputPath": "$"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/InputPath",
        "not supported",
    );
}

#[test]
fn parallel_fields() {
    let branch = json!({"StartAt": "B", "States": {"B": {"Type": "Succeed"}}});
    ok(one(
        json!({"Type": "Parallel", "End": true, "Branches": [branch]}),
    ));
    fails(
        one(json!({"Type": "Parallel", "End": true, "Branches": []})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Branches",
        "Value cannot be empty",
    );
    fails(
        one(json!({"Type": "Parallel", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "'Branches' is required",
    );
    fails(
        one(
            json!({"Type": "Parallel", "End": true, "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}, "TimeoutSeconds": 1}]}),
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Branches/0/TimeoutSeconds",
        "not supported",
    );
    // Transitions stay inside a scope.
    fails(
        json!({"StartAt": "S", "States": {"S": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "S"}}}]}}}),
        "MISSING_TRANSITION_TARGET",
        "/States/S/Branches/0/States/B/Next",
        "S",
    );
}

fn map(extra: Value) -> Value {
    let mut m = json!({"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}});
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            m.as_object_mut().unwrap().remove(k);
        } else {
            m[k] = v.clone();
        }
    }
    one(m)
}

#[test]
fn map_fields() {
    ok(map(
        json!({"MaxConcurrency": 0, "ToleratedFailurePercentage": 50.5, "ToleratedFailureCount": 3}),
    ));
    ok(map(
        json!({"ItemProcessor": null, "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}),
    ));
    fails(
        map(json!({"Iterator": {"StartAt": "J", "States": {"J": {"Type": "Succeed"}}}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "mutually exclusive",
    );
    fails(
        map(json!({"ItemProcessor": null})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "'ItemProcessor' is required",
    );
    fails(
        map(json!({"ItemSelector": {}, "Parameters": {}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "mutually exclusive",
    );
    fails(
        map(json!({"MaxConcurrency": -1})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/MaxConcurrency",
        "between",
    );
    fails(
        map(json!({"ToleratedFailurePercentage": 101})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/ToleratedFailurePercentage",
        "between",
    );
    fails(
        map(json!({"MaxConcurrency": 1, "MaxConcurrencyPath": "$.m"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S",
        "mutually exclusive",
    );
    fails(
        map(
            json!({"ItemProcessor": {"ProcessorConfig": {"Mode": "SOMETIMES"}, "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}),
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/ItemProcessor/ProcessorConfig/Mode",
        "[INLINE, DISTRIBUTED]",
    );
    fails(
        map(
            json!({"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}),
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/ItemProcessor/ProcessorConfig",
        "'ExecutionType' is required",
    );
    ok(map(json!({"Label": "my-label_1"})));
    fails(
        map(json!({"Label": "a b"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Label",
        "forbidden",
    );
    fails(
        map(json!({"Label": "x".repeat(41)})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Label",
        "1 to 40",
    );
    fails(
        map(json!({"Label": ""})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Label",
        "1 to 40",
    );
    ok(map(
        json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 10}}}),
    ));
    fails(
        map(
            json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "XML"}}}),
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/ItemReader/ReaderConfig/InputType",
        "CSV",
    );
    fails(
        map(
            json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN"}}}),
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/ItemReader/ReaderConfig",
        "CSVHeaders",
    );
    fails(
        map(json!({"ItemBatcher": {"MaxInputBytesPerBatch": 262_145}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/ItemBatcher/MaxInputBytesPerBatch",
        "between",
    );
    fails(
        map(
            json!({"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "WriterConfig": {"OutputType": "CSV"}}}),
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/ResultWriter/WriterConfig/OutputType",
        "JSON",
    );
}

#[test]
fn variables() {
    ok(one(
        json!({"Type": "Pass", "End": true, "Assign": {"x": 1, "_y": "z"}}),
    ));
    fails(
        one(json!({"Type": "Pass", "End": true, "Assign": {"x.y": 1}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Assign/x.y",
        "Invalid variable name",
    );
    fails(
        one(json!({"Type": "Pass", "End": true, "Assign": {"x[2]": 1}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Assign/x[2]",
        "Invalid variable name",
    );
    fails(
        one(json!({"Type": "Pass", "End": true, "Assign": {"states": 1}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Assign/states",
        "reserved",
    );
    fails(
        one(json!({"Type": "Pass", "End": true, "Assign": {"1x": 1}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Assign/1x",
        "letter",
    );
    fails(
        one(json!({"Type": "Succeed", "Assign": {"x": 1}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Assign",
        "not supported",
    );
    // An inner scope may not assign an outer variable.
    let nested = |inner: &str| {
        json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "A", "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true, "Assign": {inner: 2}}}}]},
        "A": {"Type": "Pass", "End": true, "Assign": {"x": 1}}}})
    };
    ok(nested("y"));
    fails(
        nested("x"),
        "SCHEMA_VALIDATION_FAILED",
        "/States/P/Branches/0/States/B/Assign/x",
        "enclosing scope",
    );
}

#[test]
fn positions_are_reported_for_text() {
    let text = "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}\n  }\n}";
    let err = StateMachine::parse(text).unwrap_err();
    let d = &err.diagnostics[0];
    assert_eq!(
        (d.location.as_str(), d.line, d.column),
        ("/States/A/Next", Some(4), Some(27))
    );
}

#[test]
fn compiled_machine_resolves_transitions() {
    let m = StateMachine::parse(
        r#"{"StartAt":"B","States":{"A":{"Type":"Succeed"},"B":{"Type":"Pass","Next":"A"}}}"#,
    )
    .unwrap();
    let s = m.scope();
    assert_eq!(s.start_at, 1);
    assert_eq!(
        s.states[1].transition,
        statelang::definition::Transition::Next(0)
    );
    assert_eq!(s.find("A"), Some(0));
}

#[test]
fn templates_and_intrinsics() {
    ok(one(
        json!({"Type": "Pass", "End": true, "Parameters": {"a.$": "$.x", "b.$": "States.Format('{}', $.y)", "c": "$.literal"}}),
    ));
    fails(one(json!({"Type": "Pass", "End": true, "Parameters": {"parsed.$": "States.StringToJson('\\\"')"}})),
        "SCHEMA_VALIDATION_FAILED", "/States/S/Parameters",
        "The value for the field 'parsed.$' must be a valid JSONPath or a valid intrinsic function call");
    fails(
        one(json!({"Type": "Pass", "End": true, "Parameters": {"arrayField.$": [1]}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Parameters",
        "'arrayField.$'",
    );
    ok(one(
        json!({"Type": "Fail", "ErrorPath": "States.Format('E{}', $.code)", "CausePath": "$.cause"}),
    ));
    fails(
        one(json!({"Type": "Fail", "ErrorPath": "States.Format("})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/ErrorPath",
        "valid intrinsic",
    );
    fails(
        one(json!({"Type": "Pass", "End": true, "Assign": {"x.$": "States.Nope()"}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/S/Assign",
        "'x.$'",
    );
}
