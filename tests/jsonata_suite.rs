//! The official JSONata 2.0.6 test suite (as data) against `statelang::jsonata`,
//! with a ratchet: conformance/jsonata-expected-failures.txt lists the cases known to
//! fail; the test fails when any other case fails or a listed case passes.
//!
//! The suite is found at `$STATELANG_JSONATA_SUITE`, `../shared/jsonata-suite` beside
//! the crate, or `/work/shared/jsonata-suite`; without it the test is skipped.
//! `JSONATA_SUITE_FILTER=<group>` runs one group and prints every failure.

use statelang::jsonata::{Bindings, Expression, Profile};
use statelang::Val;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn suite_dir() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(p) = std::env::var("STATELANG_JSONATA_SUITE") {
        candidates.push(PathBuf::from(p));
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/jsonata-suite"));
    candidates.push(PathBuf::from("/work/shared/jsonata-suite"));
    candidates.into_iter().find(|p| p.join("groups").is_dir())
}

enum Outcome {
    Pass,
    Fail(String),
}

fn run_case(case: &serde_json::Value, datasets: &Path, group: &Path) -> Outcome {
    let from_file = case
        .get("expr-file")
        .and_then(|f| f.as_str())
        .and_then(|f| std::fs::read_to_string(group.join(f)).ok());
    let Some(expr) = from_file
        .as_deref()
        .or_else(|| case.get("expr").and_then(|e| e.as_str()))
    else {
        return Outcome::Fail("no expr".into());
    };
    let input: Option<Val> = if let Some(d) = case.get("data") {
        Some(Val::from(d))
    } else {
        match case.get("dataset").and_then(|d| d.as_str()) {
            Some(name) => {
                let text = std::fs::read_to_string(datasets.join(format!("{name}.json")))
                    .unwrap_or_else(|_| "null".into());
                Some(Val::from_json_str(&text).unwrap_or(Val::Null))
            }
            None => None,
        }
    };
    let mut bindings = Bindings::new()
        .with_now_millis(1_500_000_000_000)
        .with_max_stack(48 << 20);
    if let Some(d) = case.get("depth").and_then(|d| d.as_u64()) {
        bindings = bindings.with_max_depth(d as usize);
    }
    let limit = case
        .get("timelimit")
        .and_then(|t| t.as_u64())
        .unwrap_or(5000);
    bindings = bindings.with_time_limit(Duration::from_millis(limit));
    if let Some(b) = case.get("bindings").and_then(|b| b.as_object()) {
        for (k, v) in b {
            bindings.set(k.as_str(), Val::from(v));
        }
    }
    let result = Expression::compile_with(expr, Profile::Jsonata)
        .and_then(|e| e.evaluate(input.as_ref(), &bindings));
    let code = case
        .get("code")
        .or_else(|| case.get("error").and_then(|e| e.get("code")))
        .and_then(|c| c.as_str());
    if let Some(code) = code {
        return match result {
            Err(e) if e.code == code => Outcome::Pass,
            Err(e) => Outcome::Fail(format!("expected {code}, got {}: {}", e.code, e.message)),
            Ok(v) => Outcome::Fail(format!("expected {code}, got {v:?}")),
        };
    }
    if case.get("undefinedResult").and_then(|u| u.as_bool()) == Some(true) {
        return match result {
            Ok(None) => Outcome::Pass,
            Ok(Some(v)) => Outcome::Fail(format!("expected undefined, got {v}")),
            Err(e) => Outcome::Fail(format!("expected undefined, got {e}")),
        };
    }
    if let Some(expected) = case.get("result") {
        let expected = Val::from(expected);
        return match result {
            Ok(Some(v)) if same(&v, &expected) => Outcome::Pass,
            Ok(v) => Outcome::Fail(format!("expected {expected}, got {v:?}")),
            Err(e) => Outcome::Fail(format!("expected {expected}, got {e}")),
        };
    }
    Outcome::Fail("case has no expectation".into())
}

/// Structural equality; numbers equal when they agree to 15 significant digits
/// (jsonata-js's own output precision).
fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Number(x), Val::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x == y || format!("{x:.14e}") == format!("{y:.14e}")
        }
        (Val::Array(_), Val::Array(_)) => {
            let (x, y) = (a.as_array().unwrap(), b.as_array().unwrap());
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Val::Object(_), Val::Object(_)) => {
            let (x, y) = (a.as_object().unwrap(), b.as_object().unwrap());
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn expected_failures() -> BTreeSet<String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance/jsonata-expected-failures.txt");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn jsonata_suite() {
    let Some(dir) = suite_dir() else {
        println!("jsonata suite: not found (set STATELANG_JSONATA_SUITE); skipped");
        return;
    };
    // Deep recursion cases run in a thread with a generous stack.
    let handle = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || run_suite(&dir))
        .expect("spawn suite thread");
    handle.join().expect("suite thread");
}

fn run_suite(dir: &Path) {
    let filter = std::env::var("JSONATA_SUITE_FILTER").ok();
    let datasets = dir.join("datasets");
    let mut groups: Vec<PathBuf> = std::fs::read_dir(dir.join("groups"))
        .expect("groups dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    groups.sort();
    let expected = expected_failures();
    let (mut passed, mut failed) = (0, 0);
    let mut failures: Vec<(String, String)> = Vec::new();
    for group in groups {
        let gname = group.file_name().unwrap().to_string_lossy().to_string();
        if filter.as_ref().is_some_and(|f| !gname.contains(f.as_str())) {
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&group)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for file in files {
            if file.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let stem = file.file_stem().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&file).unwrap();
            let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
                // Lone UTF-16 surrogates, which Rust strings cannot hold.
                failed += 1;
                failures.push((
                    format!("{gname}/{stem}"),
                    "case file is not valid UTF-8 JSON".into(),
                ));
                continue;
            };
            let cases: Vec<serde_json::Value> = match json {
                serde_json::Value::Array(a) => a,
                other => vec![other],
            };
            let many = cases.len() > 1;
            for (i, case) in cases.iter().enumerate() {
                let id = if many {
                    format!("{gname}/{stem}[{i}]")
                } else {
                    format!("{gname}/{stem}")
                };
                match run_case(case, &datasets, &group) {
                    Outcome::Pass => passed += 1,
                    Outcome::Fail(why) => {
                        failed += 1;
                        let expr = case.get("expr").and_then(|e| e.as_str()).unwrap_or("");
                        failures.push((id, format!("{why}  [expr: {}]", expr.replace('\n', " "))));
                    }
                }
            }
        }
    }
    println!("jsonata suite: {passed} passed, {failed} failed");
    if let Ok(out) = std::env::var("JSONATA_SUITE_WRITE") {
        let text: String = failures
            .iter()
            .map(|(id, why)| {
                let short: String = why.chars().take(150).collect();
                format!("{id}  # {short}\n")
            })
            .collect();
        std::fs::write(out, text).unwrap();
    }
    if filter.is_some() {
        for (id, why) in &failures {
            println!("FAIL {id}: {why}");
        }
        return;
    }
    let failing: BTreeSet<String> = failures.iter().map(|(id, _)| id.clone()).collect();
    let unexpected: Vec<&(String, String)> = failures
        .iter()
        .filter(|(id, _)| !expected.contains(id))
        .collect();
    let fixed: Vec<&String> = expected
        .iter()
        .filter(|id| !failing.contains(*id))
        .collect();
    for (id, why) in &unexpected {
        println!("UNEXPECTED FAILURE {id}: {why}");
    }
    for id in &fixed {
        println!("NOW PASSING (remove from the list) {id}");
    }
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "jsonata suite ratchet broken"
    );
}
