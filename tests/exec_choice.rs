//! Choice states: operators, type mismatches, missing variables, Default, no match.
mod common;
use common::*;
use statelang::exec::{EventType, Status};
use statelang::{val, Val};

fn choice(rule: &str) -> String {
    format!(
        r#"{{"StartAt":"C","States":{{"C":{{"Type":"Choice","Choices":[{{{rule},"Next":"Yes"}}],"Default":"No"}},
        "Yes":{{"Type":"Pass","Result":"yes","End":true}},"No":{{"Type":"Pass","Result":"no","End":true}}}}}}"#
    )
}

async fn decide(rule: &str, input: Val) -> String {
    let o = run_plain(&choice(rule), input).await;
    assert_eq!(o.status, Status::Succeeded, "{rule}: {:?}", o.error);
    o.output.unwrap().as_str().unwrap().to_string()
}

async fn comparison_operators() {
    let cases: &[(&str, Val, &str)] = &[
        (
            r#""Variable":"$.s","StringEquals":"a""#,
            val!({"s": "a"}),
            "yes",
        ),
        (
            r#""Variable":"$.s","StringLessThan":"AB""#,
            val!({"s": "A"}),
            "yes",
        ),
        (
            r#""Variable":"$.s","StringGreaterThanEquals":"A ""#,
            val!({"s": "A"}),
            "no",
        ),
        (
            r#""Variable":"$.n","NumericEquals":0"#,
            val!({"n": 0.0}),
            "yes",
        ),
        (
            r#""Variable":"$.n","NumericLessThan":2"#,
            val!({"n": 1.5}),
            "yes",
        ),
        (
            r#""Variable":"$.n","NumericGreaterThanEquals":2"#,
            val!({"n": 2}),
            "yes",
        ),
        (
            r#""Variable":"$.n","NumericEqualsPath":"$.m""#,
            val!({"n": 1, "m": 1.0}),
            "yes",
        ),
        (
            r#""Variable":"$.b","BooleanEquals":true"#,
            val!({"b": true}),
            "yes",
        ),
        (
            r#""Variable":"$.t","TimestampLessThan":"2024-01-01T00:00:00Z""#,
            val!({"t": "2023-12-31T23:00:00-02:00"}),
            "no",
        ),
        (
            r#""Variable":"$.t","TimestampGreaterThan":"2024-01-01T00:00:00Z""#,
            val!({"t": "2024-01-01T00:00:01Z"}),
            "yes",
        ),
        (
            r#""Variable":"$.s","StringMatches":"log-*.txt""#,
            val!({"s": "log-2024.txt"}),
            "yes",
        ),
        (
            r#""Variable":"$.s","StringMatches":"a\\*b""#,
            val!({"s": "axb"}),
            "no",
        ),
    ];
    for (rule, input, expected) in cases {
        assert_eq!(
            decide(rule, input.clone()).await,
            *expected,
            "{rule} on {input}"
        );
    }
}

async fn type_mismatches_are_false_not_errors() {
    for input in [
        val!({"n": "1"}),
        val!({"n": null}),
        val!({"n": [1]}),
        val!({"n": true}),
    ] {
        assert_eq!(
            decide(r#""Variable":"$.n","NumericEquals":1"#, input).await,
            "no"
        );
    }
    assert_eq!(
        decide(r#""Variable":"$.n","StringEquals":"1""#, val!({"n": 1})).await,
        "no"
    );
    assert_eq!(
        decide(
            r#""Variable":"$.n","BooleanEquals":true"#,
            val!({"n": "true"})
        )
        .await,
        "no"
    );
    assert_eq!(
        decide(
            r#""Variable":"$.t","TimestampEquals":"2024-01-01T00:00:00Z""#,
            val!({"t": "2023-02-24 12:15:56.832957"})
        )
        .await,
        "no"
    );
}

async fn type_tests() {
    let cases: &[(&str, Val, &str)] = &[
        (
            r#""Variable":"$.x","IsPresent":true"#,
            val!({"x": null}),
            "yes",
        ),
        (r#""Variable":"$.x","IsPresent":false"#, val!({}), "yes"),
        (
            r#""Variable":"$.x","IsNull":true"#,
            val!({"x": null}),
            "yes",
        ),
        (r#""Variable":"$.x","IsNull":false"#, val!({"x": 0}), "yes"),
        (
            r#""Variable":"$.x","IsNumeric":true"#,
            val!({"x": "1"}),
            "no",
        ),
        (
            r#""Variable":"$.x","IsString":true"#,
            val!({"x": ""}),
            "yes",
        ),
        (
            r#""Variable":"$.x","IsBoolean":false"#,
            val!({"x": null}),
            "yes",
        ),
        (
            r#""Variable":"$.x","IsTimestamp":true"#,
            val!({"x": "2016-03-14T01:59:00Z"}),
            "yes",
        ),
        (
            r#""Variable":"$.x","IsTimestamp":true"#,
            val!({"x": "2016-03-14 01:59:00Z"}),
            "no",
        ),
    ];
    for (rule, input, expected) in cases {
        assert_eq!(
            decide(rule, input.clone()).await,
            *expected,
            "{rule} on {input}"
        );
    }
}

async fn and_or_not_compose() {
    let rule = r#""And":[{"Variable":"$.a","IsPresent":true},{"Or":[{"Variable":"$.a","NumericGreaterThan":10},{"Not":{"Variable":"$.a","NumericLessThan":0}}]}]"#;
    assert_eq!(decide(rule, val!({"a": 5})).await, "yes");
    assert_eq!(decide(rule, val!({"a": -5})).await, "no");
    assert_eq!(decide(rule, val!({})).await, "no");
}

async fn missing_variable_is_a_runtime_error() {
    let o = run_plain(
        &choice(r#""Variable":"$.missing","NumericEquals":1"#),
        val!({}),
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("States.Runtime"));
    assert!(o
        .cause()
        .unwrap()
        .starts_with("An error occurred while executing the state 'C' (entered at the event id #2). Invalid path '$.missing'"));
}

async fn no_match_without_default_is_no_choice_matched() {
    let o = run_plain(
        r#"{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsNull":true,"Next":"Y"}]},"Y":{"Type":"Succeed"}}}"#,
        val!({"a": 1}),
    )
    .await;
    assert_eq!(o.error_name(), Some("States.NoChoiceMatched"));
    assert_eq!(
        types(&o),
        ["ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed"]
    );
}

async fn input_and_output_paths_apply_to_the_effective_input() {
    let o = run_plain(
        r#"{"StartAt":"C","States":{"C":{"Type":"Choice","InputPath":"$.inner","OutputPath":"$.v",
            "Choices":[{"Variable":"$.v","NumericEquals":1,"Next":"Done"}]},"Done":{"Type":"Succeed"}}}"#,
        val!({"inner": {"v": 1}}),
    )
    .await;
    assert_eq!(o.output, Some(val!(1)));
    let exited = o.history.find(EventType::ChoiceStateExited).unwrap();
    assert_eq!(details(exited)["output"], serde_json::json!(1));
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "SucceedStateEntered",
            "SucceedStateExited",
            "ExecutionSucceeded"
        ]
    );
}

both!(
    comparison_operators,
    type_mismatches_are_false_not_errors,
    type_tests,
    and_or_not_compose,
    missing_variable_is_a_runtime_error,
    no_match_without_default_is_no_choice_matched,
    input_and_output_paths_apply_to_the_effective_input,
);
