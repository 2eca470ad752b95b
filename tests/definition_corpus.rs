//! Every case of the shared conformance corpus, as far as definitions go (see
//! [`statelang::conformance::check_definition`]): a definition AWS rejected
//! (`expected.creation_error`) must be rejected with the same code, location and
//! message; a ValidateStateMachineDefinition recording (`expected.validation`) must
//! be reproduced; every other definition (AWS accepted it and ran it) must parse.
#![cfg(feature = "conformance")]

use serde_json::Value;
use statelang::conformance::{check_definition, collect_cases};
use std::path::PathBuf;

/// Cases whose outcome differs from AWS for a known reason: (case name, reason).
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

fn cases_dir() -> PathBuf {
    std::env::var_os("STATELANG_CONFORMANCE_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/conformance/cases"))
}

#[test]
fn definition_corpus() {
    let dir = cases_dir();
    if !dir.is_dir() {
        println!("definition corpus: {} not found; skipped", dir.display());
        return;
    }
    let files = collect_cases(&[dir]);
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
        let outcome = std::panic::catch_unwind(|| check_definition(&case))
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
    assert!(passed > 0, "no cases in {}", cases_dir().display());
    assert_eq!(failed, 0, "definition corpus failures");
}
