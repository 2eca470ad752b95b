//! Corpus-driven test of payload templates and intrinsic functions against AWS
//! recordings: every single-state Pass case with `Parameters` in the
//! `intrinsic_functions`, `base`, `comments` and `scenarios` groups of
//! `/work/shared/conformance/cases` (or `$STATELANG_CORPUS`).
//!
//! The state is run by hand here (InputPath → Parameters → ResultPath → OutputPath),
//! without the executor, so that templates and intrinsics are checked on their own.

use serde_json::Value;
use statelang::data::context::{ContextObject, ExecutionContext};
use statelang::data::path::Path;
use statelang::data::random::Random;
use statelang::data::template::Template;
use statelang::data::{Env, NoVariables};
use statelang::{StatesError, Val};
use std::path::PathBuf;
use std::sync::Arc;

/// Cases that are expected to differ from AWS, with the reason.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

const GROUPS: &[&str] = &["intrinsic_functions", "base", "comments", "scenarios"];

fn corpus_dir() -> PathBuf {
    std::env::var_os("STATELANG_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/conformance/cases"))
}

enum Outcome {
    Pass,
    Skip(String),
    Fail(String),
}

#[test]
fn intrinsic_corpus() {
    let root = corpus_dir();
    if !root.join("intrinsic_functions").is_dir() {
        println!(
            "intrinsic corpus: {} not found, skipping",
            root.join("intrinsic_functions").display()
        );
        return;
    }
    let (mut passed, mut failed, mut skipped, mut known) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for group in GROUPS {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(root.join(group)) {
            Ok(dir) => dir
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect(),
            Err(_) => continue,
        };
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable case");
            let case: Value = serde_json::from_str(&text).expect("case is JSON");
            let name = case["name"].as_str().unwrap_or_default().to_string();
            let in_scope = *group == "intrinsic_functions";
            match run_case(&case) {
                Outcome::Pass => passed += 1,
                Outcome::Skip(why) => {
                    skipped += 1;
                    if in_scope {
                        println!("skip {name}: {why}");
                    }
                }
                Outcome::Fail(why) => {
                    if let Some((_, reason)) = KNOWN_DIFFERENCES.iter().find(|(n, _)| *n == name) {
                        known += 1;
                        println!("known difference {name}: {reason}");
                    } else {
                        failed += 1;
                        failures.push(format!("{name}: {why}"));
                    }
                }
            }
        }
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    println!(
        "intrinsic corpus: {passed} passed, {failed} failed, {skipped} skipped ({known} known differences)"
    );
    assert!(
        failures.is_empty(),
        "{} corpus case(s) failed",
        failures.len()
    );
    assert!(passed > 0);
}

fn run_case(case: &Value) -> Outcome {
    let Some(def) = case["definition"].as_object() else {
        return Outcome::Skip("no definition object".into());
    };
    if def.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata") {
        return Outcome::Skip("JSONata".into());
    }
    let Some(states) = def.get("States").and_then(Value::as_object) else {
        return Outcome::Skip("no States".into());
    };
    if states.len() != 1 {
        return Outcome::Skip("more than one state".into());
    }
    let (state_name, state) = states.iter().next().expect("one state");
    if state["Type"] != "Pass" {
        return Outcome::Skip(format!("a {} state", state["Type"]));
    }
    if state.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata") {
        return Outcome::Skip("JSONata".into());
    }
    let Some(params) = state.get("Parameters") else {
        return Outcome::Skip("no Parameters".into());
    };
    const HANDLED: &[&str] = &[
        "Type",
        "Parameters",
        "End",
        "Next",
        "Comment",
        "InputPath",
        "ResultPath",
        "OutputPath",
    ];
    if let Some(k) = state
        .as_object()
        .and_then(|o| o.keys().find(|k| !HANDLED.contains(&k.as_str())))
    {
        return Outcome::Skip(format!("uses {k}"));
    }
    let expected = &case["expected"];
    let status = expected["status"].as_str().unwrap_or_default();
    if status != "SUCCEEDED" && status != "FAILED" {
        return Outcome::Skip(format!("status {status}"));
    }

    let template = match Template::compile(params) {
        Ok(t) => t,
        Err(e) => return Outcome::Fail(format!("compile error: {e}")),
    };
    let raw_input = Val::from(&case["input"]);
    let ctx = &case["context"];
    let sm_name = ctx["stateMachineName"].as_str().unwrap_or("<ArnPart_0idx>");
    let exec_name = ctx["executionName"]
        .as_str()
        .unwrap_or("<ExecArnPart_0idx>");
    let execution = ExecutionContext {
        id: format!("arn:<partition>:states:<region>:111111111111:execution:{sm_name}:{exec_name}"),
        name: exec_name.to_string(),
        input: raw_input.clone(),
        role_arn: ctx["roleArn"]
            .as_str()
            .unwrap_or("snf_role_arn")
            .to_string(),
        start_millis: 0,
        redrive_count: 0,
        state_machine_id: format!(
            "arn:<partition>:states:<region>:111111111111:stateMachine:{sm_name}"
        ),
        state_machine_name: sm_name.to_string(),
    };
    let context = ContextObject {
        execution: execution.execution_val(),
        state_machine: execution.state_machine_val(),
        state_name: Arc::from(state_name.as_str()),
        ..ContextObject::default()
    };
    let random = Random::seeded(0);

    let result = (|| -> Result<Val, StatesError> {
        let input = match state.get("InputPath") {
            None => raw_input.clone(),
            Some(Value::Null) => Val::empty_object(),
            Some(p) => select(p, &raw_input, &context)?,
        };
        let env = Env {
            input: &input,
            context: &context,
            variables: &NoVariables,
            random: &random,
        };
        let result = template.eval(&env)?;
        let output = match state.get("ResultPath") {
            None => result,
            Some(Value::Null) => raw_input.clone(),
            Some(Value::String(p)) => Path::parse_reference(p)
                .map_err(|e| StatesError::runtime(e.message))?
                .write(raw_input.clone(), result)
                .map_err(|e| StatesError::new("States.ResultPathMatchFailure", e.message))?,
            Some(other) => return Err(StatesError::runtime(format!("bad ResultPath {other}"))),
        };
        match state.get("OutputPath") {
            None => Ok(output),
            Some(Value::Null) => Ok(Val::empty_object()),
            Some(p) => select(p, &output, &context),
        }
    })();

    match (status, result) {
        ("SUCCEEDED", Ok(actual)) => compare_output(case, &expected["output"], &actual),
        ("SUCCEEDED", Err(e)) => Outcome::Fail(format!("expected success, got {e}")),
        (_, Ok(v)) => Outcome::Fail(format!("expected a failure, got {v}")),
        (_, Err(e)) => {
            let want_error = expected["error"].as_str().unwrap_or_default();
            let prefix = format!(
                "An error occurred while executing the state '{state_name}' (entered at the event id #2). "
            );
            let want_cause = expected["cause"].as_str().unwrap_or_default();
            let got_cause = e.cause.clone().unwrap_or_default();
            let want_cause = want_cause.strip_prefix(&prefix).unwrap_or(want_cause);
            let want_cause = want_cause.replace("<json-input:1>", &raw_input.to_json_string());
            if &*e.error == want_error && got_cause == want_cause {
                Outcome::Pass
            } else {
                Outcome::Fail(format!(
                    "expected {want_error}: {want_cause}\n     got {}: {got_cause}",
                    e.error
                ))
            }
        }
    }
}

fn select(path: &Value, data: &Val, context: &ContextObject) -> Result<Val, StatesError> {
    let text = path.as_str().unwrap_or_default();
    let p = Path::parse(text).map_err(|e| StatesError::runtime(e.message))?;
    let random = Random::seeded(0);
    let env = Env {
        input: data,
        context,
        variables: &NoVariables,
        random: &random,
    };
    p.eval(&env).map_err(|e| StatesError::runtime(e.message))
}

/// Compares structurally; masked random values are checked for shape only.
fn compare_output(case: &Value, expected: &Value, actual: &Val) -> Outcome {
    let masked = |v: &Value| matches!(v.as_str(), Some("RandomNumberGenerated" | "generated-uuid"));
    let expected_val;
    let mut actual = actual.clone();
    if let Some(want) = expected.get("FunctionResult").filter(|v| masked(v)) {
        let got = actual.get("FunctionResult").cloned().unwrap_or_default();
        let ok = match want.as_str() {
            Some("generated-uuid") => got.as_str().is_some_and(is_uuid_v4),
            _ => {
                let args = &case["input"]["FunctionInput"];
                let round = |v: &Value| v.as_f64().map(|f| (f + 0.5).floor() as i64);
                match (got.as_i64(), round(&args["fst"]), round(&args["snd"])) {
                    (Some(n), Some(lo), Some(hi)) => (lo..hi).contains(&n),
                    _ => false,
                }
            }
        };
        if !ok {
            return Outcome::Fail(format!("masked value has the wrong shape: {got}"));
        }
        let mut e = expected.clone();
        e["FunctionResult"] = Value::Null;
        expected_val = Val::from(&e);
        if let Some(m) = actual.as_object_mut() {
            m.insert(Arc::from("FunctionResult"), Val::Null);
        }
    } else {
        expected_val = Val::from(expected);
    }
    if expected_val == actual {
        Outcome::Pass
    } else {
        Outcome::Fail(format!("expected {expected_val}\n     got {actual}"))
    }
}

fn is_uuid_v4(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            14 => c == '4',
            _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
        })
}
