//! The conformance runner and the mock loader: index ranges, Throw, unmocked
//! states, normalisation and masks, where a mismatch is reported, and the ratchet
//! over the real corpus when it is present.
#![cfg(feature = "conformance")]

use serde_json::{json, Value};
use statelang::conformance::normalize::{Mask, MaskMode, Normalizer, Rule};
use statelang::conformance::{check_definition, compare_execution, run_case, Verdict};
use statelang::exec::{EventType, Executor, Status};
use statelang::mock::{MockConfig, MockResolver};
use statelang::{val, StateMachine};
use std::path::PathBuf;
use std::sync::Arc;

fn machine(def: Value) -> StateMachine {
    StateMachine::parse(&def.to_string()).expect("valid definition")
}

fn retrying_task() -> StateMachine {
    machine(retrying_task_json())
}

#[test]
fn mock_config_ranges_and_throw() {
    let config = MockConfig::from_json(
        &json!({
            "StateMachines": {"Orders": {"TestCases": {"Flaky": {"Charge": "FlakyCharge"}}}},
            "MockedResponses": {
                "FlakyCharge": {
                    "0-1": {"Throw": {"Error": "Busy", "Cause": "try later"}},
                    "2": {"Return": {"charged": true}}
                }
            }
        })
        .to_string(),
    )
    .unwrap();
    assert_eq!(config.only_state_machine().unwrap(), "Orders");
    let resolver = Arc::new(config.resolver("Orders", "Flaky").unwrap());
    let executor = Executor::new(resolver.clone());
    let outcome = futures::executor::block_on(executor.run(&retrying_task(), val!({})));
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output, Some(val!({"charged": true})));
    assert_eq!(resolver.invocations("Charge"), 3);
    let failed = outcome
        .history
        .type_names()
        .iter()
        .filter(|t| **t == "TaskFailed")
        .count();
    assert_eq!(failed, 2);
}

#[test]
fn mock_config_errors() {
    let config = MockConfig::from_json(
        r#"{"StateMachines": {"A": {"TestCases": {"T": {"S": "Missing"}}}}, "MockedResponses": {}}"#,
    )
    .unwrap();
    assert!(config.resolver("B", "T").is_err());
    assert!(config.resolver("A", "U").is_err());
    let e = config.resolver("A", "T").unwrap_err().to_string();
    assert!(e.contains("Missing"), "{e}");
    assert!(
        MockConfig::from_json(r#"{"MockedResponses": {"R": {"x-y": {"Return": 1}}}}"#).is_err()
    );
}

#[test]
fn unmocked_state_names_the_state_and_index() {
    let resolver = MockResolver::from_mocked_responses(&json!({
        "Charge": {"0": {"Throw": {"Error": "Busy"}}}
    }))
    .unwrap();
    let executor = Executor::new(Arc::new(resolver));
    let outcome = futures::executor::block_on(executor.run(&retrying_task(), val!({})));
    assert_eq!(outcome.status, Status::Failed);
    let cause = outcome.cause().unwrap_or_default().to_string();
    assert!(
        cause.contains("invocation 1") && cause.contains("'Charge'"),
        "{cause}"
    );

    let other = machine(json!({
        "StartAt": "Ship",
        "States": {"Ship": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true}}
    }));
    let resolver = MockResolver::from_mocked_responses(&json!({})).unwrap();
    let outcome =
        futures::executor::block_on(Executor::new(Arc::new(resolver)).run(&other, val!({})));
    assert!(outcome.cause().unwrap_or_default().contains("'Ship'"));
}

#[test]
fn submitted_completes_the_task_token() {
    let m = machine(json!({
        "StartAt": "Ask",
        "States": {"Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"TaskToken.$": "$$.Task.Token"},
            "End": true
        }}
    }));
    let resolver = MockResolver::from_mocked_responses(&json!({
        "Ask": {"0": {"Submitted": {"MessageId": "m-1"}, "Return": {"approved": true}}}
    }))
    .unwrap();
    let (handle, fut) = Executor::new(Arc::new(resolver.clone())).start(&m, val!({}));
    resolver.attach(handle);
    let outcome = futures::executor::block_on(fut);
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.error);
    assert_eq!(outcome.output, Some(val!({"approved": true})));
    let types = outcome.history.type_names();
    assert!(types.contains(&"TaskSubmitted"), "{types:?}");
}

/// Runs a one-state `.sync`/`.sync:2` machine on a mocked response; returns the
/// event types from `TaskStarted` on and the `TaskSubmitted` output, if any.
fn run_sync_mock(resource: &str, response: Value) -> (Vec<&'static str>, Option<Value>) {
    let m = machine(json!({
        "StartAt": "Start",
        "States": {"Start": {"Type": "Task", "Resource": resource, "End": true}}
    }));
    let resolver = MockResolver::from_mocked_responses(&json!({"Start": {"0": response}})).unwrap();
    let outcome = futures::executor::block_on(Executor::new(Arc::new(resolver)).run(&m, val!({})));
    let types = outcome.history.type_names();
    let start = types.iter().position(|t| *t == "TaskStarted").unwrap();
    let submitted = outcome
        .history
        .find(EventType::TaskSubmitted)
        .map(|e| e.to_corpus_json()["details"]["output"].clone());
    (types[start..].to_vec(), submitted)
}

#[test]
fn sync_mocks_record_task_submitted() {
    let sync = "arn:aws:states:::states:startExecution.sync";
    let sync2 = "arn:aws:states:::states:startExecution.sync:2";
    let submitted = json!({"ExecutionArn": "child", "StartDate": "start-date"});
    // The job started, then succeeded or failed: TaskSubmitted records `Submitted`.
    for resource in [sync, sync2] {
        let (types, out) = run_sync_mock(
            resource,
            json!({"Submitted": submitted, "Return": {"Status": "SUCCEEDED"}}),
        );
        assert_eq!(
            types,
            [
                "TaskStarted",
                "TaskSubmitted",
                "TaskSucceeded",
                "TaskStateExited",
                "ExecutionSucceeded"
            ]
        );
        assert_eq!(out.as_ref(), Some(&submitted));
    }
    let (types, out) = run_sync_mock(
        sync,
        json!({"Submitted": submitted, "Throw": {"Error": "States.TaskFailed", "Cause": "child failed"}}),
    );
    assert_eq!(
        types,
        [
            "TaskStarted",
            "TaskSubmitted",
            "TaskFailed",
            "ExecutionFailed"
        ]
    );
    assert_eq!(out.as_ref(), Some(&submitted));
    // No `Submitted`: a Return is a job that started (AWS always records TaskSubmitted
    // then; the immediate response is unknown, so `{}`), a Throw a call that was
    // rejected before any job started (no TaskSubmitted).
    let (types, out) = run_sync_mock(sync2, json!({"Return": {"Status": "SUCCEEDED"}}));
    assert_eq!(
        types[..3],
        ["TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    );
    assert_eq!(out, Some(json!({})));
    let (types, out) = run_sync_mock(
        sync,
        json!({"Throw": {"Error": "StepFunctions.AccessDeniedException"}}),
    );
    assert_eq!(types, ["TaskStarted", "TaskFailed", "ExecutionFailed"]);
    assert_eq!(out, None);
    // A request-response task records no TaskSubmitted.
    let (types, _) = run_sync_mock(
        "arn:aws:states:::states:startExecution",
        json!({"Submitted": submitted, "Return": {"ExecutionArn": "child"}}),
    );
    assert_eq!(types[..2], ["TaskStarted", "TaskSucceeded"]);
}

#[test]
fn definition_checks_without_running() {
    let good = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let bad = json!({"StartAt": "P", "States": {"P": {"Type": "Pass"}}});
    // AWS accepted it (the case recorded a run): it must parse.
    assert!(
        check_definition(&json!({"definition": good, "expected": {"status": "SUCCEEDED"}})).is_ok()
    );
    assert!(
        check_definition(&json!({"definition": bad, "expected": {"status": "SUCCEEDED"}})).is_err()
    );
    // AWS rejected it: ours must reject it with the same message.
    let rejected = |message: &str| json!({"definition": bad, "expected": {"creation_error": {"code": "InvalidDefinition", "message": message}}});
    assert!(check_definition(&rejected(
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: something else at /States/P'"
    ))
    .is_err());
    assert!(check_definition(
        &json!({"definition": good, "expected": {"creation_error": {"message": "x"}}})
    )
    .is_err());
    // A validation recording must be reproduced.
    let validated = |result: &str| json!({"definition": good, "expected": {"validation": {"result": result, "diagnostics": []}}});
    assert!(check_definition(&validated("OK")).is_ok());
    assert!(check_definition(&validated("FAIL")).is_err());
}

#[test]
fn normalisation_rules_masks_and_uuids() {
    let n = Normalizer {
        rules: vec![
            Rule::new("us-east-1", "<region>").unwrap(),
            Rule::new(r"arn:aws:", "arn:<partition>:").unwrap(),
        ],
        masks: vec![
            Mask::new("$..TaskToken", "task_token", MaskMode::Reference).unwrap(),
            Mask::new("$..StartTime", "start-time", MaskMode::Value).unwrap(),
        ],
    };
    let mut doc = json!({
        "events": [
            {"type": "TaskScheduled", "taskScheduledEventDetails": {
                "parameters": {"TaskToken": "tok-123456", "StartTime": 5},
                "region": "us-east-1"}},
            {"type": "X", "xEventDetails": {"echo": "token=tok-123456", "MessageId": "0b7c1e1a-1111-4222-8333-444455556666",
             "again": "0b7c1e1a-1111-4222-8333-444455556666", "event_timestamp": 17}}
        ],
        "output": {"arn": "arn:aws:states:us-east-1:1:x"},
        "cause": "{\"a\": 1}"
    });
    n.apply(&mut doc);
    let d = &doc["events"][0]["taskScheduledEventDetails"];
    assert_eq!(d["parameters"]["TaskToken"], json!("<task_token:1>"));
    assert_eq!(d["parameters"]["StartTime"], json!("start-time"));
    assert_eq!(d["region"], json!("<region>"));
    let x = &doc["events"][1]["xEventDetails"];
    assert_eq!(x["echo"], json!("token=<task_token:1>"));
    assert_eq!(x["MessageId"], json!("<uuid:1>"));
    assert_eq!(x["again"], json!("<uuid:1>"));
    assert_eq!(x["event_timestamp"], json!("timestamp"));
    assert_eq!(
        doc["output"]["arn"],
        json!("arn:<partition>:states:<region>:1:x")
    );
    assert_eq!(doc["cause"], json!({"a": 1}));
}

#[test]
fn mismatches_are_reported_where_they_are() {
    let expected = json!({
        "status": "SUCCEEDED",
        "output": {"a": [1, 2]},
        "history": [
            {"type": "ExecutionStarted", "details": {"input": {}}},
            {"type": "PassStateEntered", "details": {"name": "P", "input": {"x": "<resource:1>"}}}
        ]
    });
    let actual = |out: Value, name: &str, x: &str| {
        json!({
            "status": "SUCCEEDED",
            "output": out,
            "events": [
                {"type": "ExecutionStarted", "executionStartedEventDetails": {"input": {}}},
                {"type": "PassStateEntered", "stateEnteredEventDetails": {"name": name, "input": {"x": x}}}
            ]
        })
    };
    assert!(compare_execution(&expected, &actual(json!({"a": [1, 2.0]}), "P", "anything")).is_ok());
    let d = compare_execution(&expected, &actual(json!({"a": [1, 3]}), "P", "q")).unwrap_err();
    assert_eq!(d.location, "output.a[1]");
    let d = compare_execution(&expected, &actual(json!({"a": [1, 2]}), "Q", "q")).unwrap_err();
    assert_eq!(d.location, "history[1](PassStateEntered).name");
    assert_eq!(d.expected, "\"P\"");
    assert_eq!(d.actual, "\"Q\"");
}

#[test]
fn activity_cases_record_the_consumer_worker_name() {
    let activity = "arn:aws:states:us-east-1:111111111111:activity:work";
    let history = |worker: Value| {
        json!([
            {"type": "ExecutionStarted", "details": {"input": {}, "inputDetails": {"truncated": false}, "roleArn": "snf_role_arn"}},
            {"type": "TaskStateEntered", "details": {"name": "A", "input": {}, "inputDetails": {"truncated": false}}},
            {"type": "ActivityScheduled", "details": {"resource": activity, "input": {}, "inputDetails": {"truncated": false}}},
            {"type": "ActivityStarted", "details": worker},
            {"type": "ActivitySucceeded", "details": {"output": {"done": 1}, "outputDetails": {"truncated": false}}},
            {"type": "TaskStateExited", "details": {"name": "A", "output": {"done": 1}, "outputDetails": {"truncated": false}}},
            {"type": "ExecutionSucceeded", "details": {"output": {"done": 1}, "outputDetails": {"truncated": false}}}
        ])
    };
    let case = |worker: Value| {
        json!({
            "name": "demo/activity",
            "definition": {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": activity, "End": true}}},
            "input": {},
            "mocks": {"A": {"0": {"Return": {"done": 1}}}},
            "expected": {"status": "SUCCEEDED", "output": {"done": 1}, "history": history(worker)}
        })
    };
    let r = run_case(&case(json!({"workerName": "CONSUMER"})));
    assert_eq!(r.verdict, Verdict::Passed);
    // No worker name recorded: none is set.
    let r = run_case(&case(json!({})));
    assert_eq!(r.verdict, Verdict::Passed);
}

#[test]
fn a_whole_case_runs_and_malformed_cases_fail_cleanly() {
    let case = json!({
        "name": "demo/pass",
        "definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": true}, "End": true}}},
        "input": {},
        "features": ["state:pass"],
        "context": {"stateMachineName": "<ArnPart_0idx>", "executionName": "<ExecArnPart_0idx>", "roleArn": "snf_role_arn"},
        "expected": {"status": "SUCCEEDED", "output": {"ok": true}, "history": [
            {"type": "ExecutionStarted", "details": {"input": {}, "inputDetails": {"truncated": false}, "roleArn": "snf_role_arn"}},
            {"type": "PassStateEntered", "details": {"input": {}, "inputDetails": {"truncated": false}, "name": "P"}},
            {"type": "PassStateExited", "details": {"output": {"ok": true}, "outputDetails": {"truncated": false}, "name": "P"}},
            {"type": "ExecutionSucceeded", "details": {"output": {"ok": true}, "outputDetails": {"truncated": false}}}
        ]}
    });
    let r = run_case(&case);
    assert_eq!(r.verdict, Verdict::Passed, "{r}");
    assert_eq!(r.group, "demo");

    for bad in [
        json!({}),
        json!({"name": "x/y", "expected": {"status": "SUCCEEDED"}}),
        json!({"name": "x/y", "definition": 3, "expected": {"status": "SUCCEEDED"}}),
        json!({"name": "x/y", "definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
               "expected": {"status": "SUCCEEDED"}, "normalize": [{"regex": "(", "replacement": ""}]}),
        json!({"name": "x/y", "definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
               "expected": {"status": "SUCCEEDED"}, "mocks": {"P": {"zero": {"Return": 1}}}}),
    ] {
        assert!(run_case(&bad).failed(), "{bad}");
    }
}

fn corpus_dir() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        PathBuf::from("/work/shared/conformance/cases"),
        root.join("../shared/conformance/cases"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

#[test]
fn corpus_ratchet() {
    let Some(dir) = corpus_dir() else {
        println!("conformance corpus not found; skipping the ratchet");
        return;
    };
    let list = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("conformance/expected-failures.txt");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_statelang"))
        .arg("conformance")
        .arg(&dir)
        .arg("--expected-failures")
        .arg(&list)
        .output()
        .expect("run statelang");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{}", stdout.lines().last().unwrap_or(""));
    assert!(
        out.status.success(),
        "conformance ratchet failed:\n{stderr}\n{}",
        stdout.lines().last().unwrap_or("")
    );
}

/// Runs `statelang run DEF --mock-config MOCKS ARGS...` on temporary files.
fn run_cli_mocked(tag: &str, def: &Value, mocks: &Value, args: &[&str]) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("statelang-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let def_file = dir.join("def.json");
    let mocks_file = dir.join("mocks.json");
    std::fs::write(&def_file, def.to_string()).unwrap();
    std::fs::write(&mocks_file, mocks.to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_statelang"))
        .arg("run")
        .arg(&def_file)
        .arg("--mock-config")
        .arg(&mocks_file)
        .args(args)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn run_cli_with_mock_config() {
    let out = run_cli_mocked(
        "mock",
        &retrying_task_json(),
        &json!({
            "StateMachines": {"Orders": {"TestCases": {"Flaky": {"Charge": "R"}}}},
            "MockedResponses": {"R": {"0": {"Throw": {"Error": "Busy"}}, "1": {"Return": {"ok": 1}}}}
        }),
        &["--test-case", "Flaky"],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), r#"{"ok":1}"#);
}

#[test]
fn run_cli_sets_the_activity_worker_name() {
    let out = run_cli_mocked(
        "worker",
        &json!({"StartAt": "A", "States": {"A": {
            "Type": "Task",
            "Resource": "arn:aws:states:us-east-1:111111111111:activity:work",
            "End": true
        }}}),
        &json!({
            "StateMachines": {"M": {"TestCases": {"T": {"A": "R"}}}},
            "MockedResponses": {"R": {"0": {"Return": {"ok": 1}}}}
        }),
        &[
            "--test-case",
            "T",
            "--history",
            "--activity-worker-name",
            "poller-1",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(r#""workerName": "poller-1""#), "{stdout}");
}

fn retrying_task_json() -> Value {
    json!({
        "StartAt": "Charge",
        "States": {"Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 5, "IntervalSeconds": 1}],
            "End": true
        }}
    })
}
