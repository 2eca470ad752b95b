//! Every case of the shared conformance corpus, as far as definitions go: a
//! definition AWS rejected (`expected.creation_error`) must be rejected with the same
//! code, location and message; a ValidateStateMachineDefinition recording
//! (`expected.validation`) must be reproduced; every other definition (AWS accepted
//! it and ran it) must parse.

use serde_json::Value;
use statelang::definition::{validate, MachineType, ParseOptions};
use statelang::StateMachine;
use std::path::{Path, PathBuf};

/// Cases whose outcome differs from AWS for a known reason: (case name, reason).
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

fn cases_dir() -> PathBuf {
    std::env::var_os("STATELANG_CONFORMANCE_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/conformance/cases"))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

/// AWS's recordings were normalised: `arn:aws:` → `arn:<partition>:`, `us-east-1` → `<region>`.
fn normalise(s: &str) -> String {
    s.replace("us-east-1", "<region>")
        .replace("arn:aws:", "arn:<partition>:")
}

/// `Invalid State Machine Definition: '<CODE>: <message> at <location>'` → parts.
fn split_creation_error(msg: &str) -> Option<(String, String, String)> {
    let inner = msg
        .strip_prefix("Invalid State Machine Definition: '")?
        .strip_suffix('\'')?;
    let (code, rest) = inner.split_once(": ")?;
    let (message, location) = rest.rsplit_once(" at ")?;
    Some((code.to_owned(), message.to_owned(), location.to_owned()))
}

fn check_case(case: &Value) -> Result<(), String> {
    let text = match (case.get("definition_raw"), case.get("definition")) {
        (Some(Value::String(raw)), _) => raw.clone(),
        (_, Some(def)) => serde_json::to_string(def).unwrap(),
        _ => return Err("case has no definition".into()),
    };
    let machine_type = match case
        .pointer("/context/stateMachineType")
        .and_then(Value::as_str)
    {
        Some("EXPRESS") => MachineType::Express,
        _ => MachineType::Standard,
    };
    let opts = ParseOptions { machine_type };
    let expected = case.get("expected").cloned().unwrap_or(Value::Null);
    if let Some(err) = expected.get("creation_error") {
        let msg = err.get("message").and_then(Value::as_str).unwrap_or("");
        let (code, message, location) = split_creation_error(msg)
            .ok_or_else(|| format!("unparsable creation_error {msg:?}"))?;
        return match StateMachine::parse_with(&text, &opts) {
            Ok(_) => Err(format!("accepted, but AWS rejected it: {msg}")),
            Err(e) => {
                let hit = e.diagnostics.iter().any(|d| {
                    d.code.as_str() == code
                        && d.location == location
                        && normalise(&d.message) == message
                });
                if hit {
                    Ok(())
                } else {
                    Err(format!(
                        "AWS: {code}: {message} at {location}\n      ours: {}",
                        e.diagnostics
                            .iter()
                            .map(|d| format!(
                                "{}: {} at {}",
                                d.code,
                                normalise(&d.message),
                                d.location
                            ))
                            .collect::<Vec<_>>()
                            .join("\n            ")
                    ))
                }
            }
        };
    }
    if let Some(v) = expected.get("validation") {
        let report = validate(&text, &opts);
        let ours: Vec<(String, String, String)> = report
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.code.to_string(),
                    d.location.clone(),
                    normalise(&d.message),
                )
            })
            .collect();
        let theirs: Vec<(String, String, String)> = v
            .get("diagnostics")
            .and_then(Value::as_array)
            .map(|ds| {
                ds.iter()
                    .map(|d| {
                        let s = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                        (s("code"), s("location"), s("message"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let result = v.get("result").and_then(Value::as_str).unwrap_or("");
        if report.result != result || ours != theirs {
            return Err(format!(
                "validation differs:\n      AWS:  {result} {theirs:?}\n      ours: {} {ours:?}",
                report.result
            ));
        }
        return Ok(());
    }
    match StateMachine::parse_with(&text, &opts) {
        Ok(_) => Ok(()),
        Err(e) => Err(format!(
            "rejected, but AWS accepted it:\n      {}",
            e.diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n      ")
        )),
    }
}

#[test]
fn definition_corpus() {
    let dir = cases_dir();
    if !dir.is_dir() {
        println!("definition corpus: {} not found; skipped", dir.display());
        return;
    }
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let (mut passed, mut failed, mut known) = (0, 0, 0);
    let mut failures = Vec::new();
    for f in &files {
        let case: Value = match std::fs::read_to_string(f)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
        {
            Some(c) => c,
            None => {
                failures.push(format!("{}: unreadable case", f.display()));
                failed += 1;
                continue;
            }
        };
        let name = case
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let outcome = std::panic::catch_unwind(|| check_case(&case))
            .unwrap_or_else(|_| Err("panicked".into()));
        let is_known = KNOWN_DIFFERENCES.iter().any(|(n, _)| *n == name);
        match outcome {
            Ok(()) => passed += 1,
            Err(_) if is_known => known += 1,
            Err(why) => {
                failed += 1;
                failures.push(format!("{name}: {why}"));
            }
        }
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    println!("definition corpus: {passed} passed, {failed} failed ({known} known differences)");
    assert_eq!(failed, 0, "definition corpus failures");
}
