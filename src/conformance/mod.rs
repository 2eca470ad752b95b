//! The conformance runner: runs the shared corpus of cases recorded against real
//! AWS Step Functions and compares what statelang does with what AWS did.
//!
//! A case file (see the corpus README) holds a definition, an input, mocked task
//! results and the recorded outcome. [`run_case`] checks one case:
//! - `creation_error` / `validation` cases: the definition must be rejected with the
//!   same code, location and message, or validated with the same diagnostics;
//! - every other case: the execution runs on a virtual clock with the case's input,
//!   identity (`context`), mocks and S3 objects; the actual status, output, error,
//!   cause and history are rewritten by the case's `normalize` rules and `masks`
//!   (see [`normalize`]) and compared structurally (see [`compare`]).
//!
//! ```no_run
//! use statelang::conformance::{collect_cases, run_case_file, Summary};
//! let files = collect_cases(&["../shared/conformance/cases".into()]);
//! let results: Vec<_> = files.iter().map(|f| run_case_file(f)).collect();
//! println!("{}", Summary::of(&results));
//! ```

pub mod compare;
mod execute;
pub mod normalize;
pub mod report;

use crate::definition::validate;
use crate::StateMachine;
use compare::{show, Comparer, Difference};
use normalize::{Mask, MaskMode, Normalizer, Rule};
use serde_json::{json, Value as Json};
use std::fmt;
use std::path::{Path, PathBuf};

pub use report::{ExpectedFailures, Summary};

/// How a case turned out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Everything recorded matched.
    Passed,
    /// The first difference (or why the case could not run).
    Failed(String),
    /// The case format cannot express this case; the reason.
    Skipped(String),
}

/// The result of one case.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The case's `name` (`<group>/<short name>`), or the file path when unreadable.
    pub name: String,
    /// The corpus group (the part of the name before `/`).
    pub group: String,
    /// The case's `features`.
    pub features: Vec<String>,
    /// The verdict.
    pub verdict: Verdict,
}

impl CaseResult {
    /// `true` when the case passed.
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Passed
    }

    /// `true` when the case failed.
    pub fn failed(&self) -> bool {
        matches!(self.verdict, Verdict::Failed(_))
    }

    /// The result as JSON: `{"name", "group", "features", "result", "message"?}`.
    pub fn to_json(&self) -> Json {
        let (result, message) = match &self.verdict {
            Verdict::Passed => ("passed", None),
            Verdict::Failed(m) => ("failed", Some(m)),
            Verdict::Skipped(m) => ("skipped", Some(m)),
        };
        let mut v = json!({
            "name": self.name,
            "group": self.group,
            "features": self.features,
            "result": result,
        });
        if let Some(m) = message {
            v["message"] = Json::String(m.clone());
        }
        v
    }
}

impl fmt::Display for CaseResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.verdict {
            Verdict::Passed => write!(f, "{}: passed", self.name),
            Verdict::Failed(m) => write!(f, "{}: {}", self.name, m),
            Verdict::Skipped(m) => write!(f, "{}: skipped: {}", self.name, m),
        }
    }
}

/// Every `*.json` file under `dirs` (recursively; a file argument is taken as is),
/// sorted.
pub fn collect_cases(dirs: &[PathBuf]) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for d in dirs {
        if d.is_file() {
            out.push(d.clone());
        } else {
            walk(d, &mut out);
        }
    }
    out.sort();
    out
}

/// Reads and runs one case file. Never panics: an unreadable or malformed case is a
/// failing result with a message.
pub fn run_case_file(path: &Path) -> CaseResult {
    let fallback = path.display().to_string();
    let case: Json = match std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(c) => c,
        Err(e) => {
            return CaseResult {
                group: group_of(&fallback),
                name: fallback,
                features: Vec::new(),
                verdict: Verdict::Failed(format!("unreadable case: {e}")),
            }
        }
    };
    let mut r = run_case(&case);
    if r.name.is_empty() {
        r.name = fallback;
        r.group = group_of(&r.name);
    }
    r
}

fn group_of(name: &str) -> String {
    name.split('/').next().unwrap_or("").to_string()
}

/// Runs one parsed case.
pub fn run_case(case: &Json) -> CaseResult {
    let name = case
        .get("name")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string();
    let features = case
        .get("features")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let verdict = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(case))) {
        Ok(v) => v,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Verdict::Failed(format!("panicked: {msg}"))
        }
    };
    CaseResult {
        group: group_of(&name),
        name,
        features,
        verdict,
    }
}

fn check(case: &Json) -> Verdict {
    let Some(expected) = case.get("expected").and_then(Json::as_object) else {
        return Verdict::Failed("the case has no `expected` object".into());
    };
    let result = if let Some(err) = expected.get("creation_error") {
        check_creation_error(case, err)
    } else if let Some(v) = expected.get("validation") {
        check_validation(case, v)
    } else if expected.contains_key("status") {
        match check_execution(case, &Json::Object(expected.clone())) {
            Err(execute::RunError::Skip(why)) => return Verdict::Skipped(why),
            Err(execute::RunError::Fail(m)) => Err(m),
            Ok(()) => Ok(()),
        }
    } else {
        return Verdict::Skipped("no status, creation_error or validation is recorded".to_string());
    };
    match result {
        Ok(()) => Verdict::Passed,
        Err(m) => Verdict::Failed(m),
    }
}

/// Checks only the case's definition, without running it: a definition AWS rejected
/// (`expected.creation_error`) must be rejected with the same code, location and
/// message; a ValidateStateMachineDefinition recording (`expected.validation`) must
/// be reproduced; any other definition (AWS accepted it) must parse.
pub fn check_definition(case: &Json) -> Result<(), String> {
    let expected = case.get("expected");
    if let Some(err) = expected.and_then(|e| e.get("creation_error")) {
        return check_creation_error(case, err);
    }
    if let Some(v) = expected.and_then(|e| e.get("validation")) {
        return check_validation(case, v);
    }
    let text = execute::definition_text(case)?;
    match StateMachine::parse_with(&text, &execute::parse_options(case)) {
        Ok(_) => Ok(()),
        Err(e) => Err(format!(
            "definition rejected, but AWS accepted it: {}",
            e.diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" | ")
        )),
    }
}

/// AWS's recordings were normalised: `us-east-1` → `<region>`, `arn:aws:` → `arn:<partition>:`.
fn normalise_message(s: &str) -> String {
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

fn check_creation_error(case: &Json, err: &Json) -> Result<(), String> {
    let text = execute::definition_text(case)?;
    let msg = err.get("message").and_then(Json::as_str).unwrap_or("");
    let parsed = StateMachine::parse_with(&text, &execute::parse_options(case));
    let diags = match parsed {
        Ok(_) => {
            return Err(format!(
                "creation_error: expected {}, actual (accepted)",
                compare::truncate(msg, 160)
            ))
        }
        Err(e) => e.diagnostics,
    };
    let ours: Vec<String> = diags
        .iter()
        .map(|d| normalise_message(&d.create_message()))
        .collect();
    let hit = match split_creation_error(msg) {
        Some((code, message, location)) => diags.iter().any(|d| {
            d.code.as_str() == code
                && d.location == location
                && normalise_message(&d.message) == message
        }),
        None => ours.iter().any(|o| o == msg),
    };
    if hit {
        Ok(())
    } else {
        Err(format!(
            "creation_error: expected {}, actual {}",
            compare::truncate(msg, 160),
            compare::truncate(&ours.join(" | "), 160)
        ))
    }
}

fn check_validation(case: &Json, v: &Json) -> Result<(), String> {
    let text = execute::definition_text(case)?;
    let report = validate(&text, &execute::parse_options(case));
    let ours: Vec<Json> = report
        .diagnostics
        .iter()
        .map(|d| {
            json!({"code": d.code.as_str(), "location": d.location, "message": normalise_message(&d.message)})
        })
        .collect();
    let theirs: Vec<Json> = v
        .get("diagnostics")
        .and_then(Json::as_array)
        .map(|ds| {
            ds.iter()
                .map(|d| {
                    let s = |k: &str| d.get(k).and_then(Json::as_str).unwrap_or("");
                    json!({"code": s("code"), "location": s("location"), "message": s("message")})
                })
                .collect()
        })
        .unwrap_or_default();
    let mut cmp = Comparer::new();
    cmp.compare(
        "validation.result",
        v.get("result").unwrap_or(&Json::Null),
        &json!(report.result),
    )
    .map_err(|d| d.to_string())?;
    cmp.compare(
        "validation.diagnostics",
        &Json::Array(theirs),
        &Json::Array(ours),
    )
    .map_err(|d| d.to_string())
}

/// Builds the case's normaliser from `normalize` and `masks`.
pub fn normalizer_of(case: &Json) -> Result<Normalizer, String> {
    let mut n = Normalizer::default();
    if let Some(rules) = case.get("normalize").and_then(Json::as_array) {
        for r in rules {
            let s = |k: &str| r.get(k).and_then(Json::as_str).unwrap_or("");
            let rule = Rule::new(s("regex"), s("replacement"))?;
            n.rules.push(if s("derived") == "input diff" {
                rule.data_only()
            } else {
                rule
            });
        }
    }
    if let Some(masks) = case.get("masks").and_then(Json::as_array) {
        for m in masks {
            let s = |k: &str| m.get(k).and_then(Json::as_str).unwrap_or("");
            let mode = match s("mode") {
                "reference" => MaskMode::Reference,
                _ => MaskMode::Value,
            };
            n.masks
                .push(Mask::new(s("jsonpath"), s("replacement"), mode)?);
        }
    }
    Ok(n)
}

fn check_execution(case: &Json, expected: &Json) -> Result<(), execute::RunError> {
    let normalizer = normalizer_of(case)?;
    let actual = execute::execute(case)?;
    // One document, so tokens are numbered consistently everywhere.
    let mut doc = json!({
        "events": actual.events,
        "status": actual.status,
        "output": actual.output,
        "error": actual.error,
        "cause": actual.cause,
    });
    normalizer.apply(&mut doc);
    final_result_from_history(&mut doc);
    compare_execution(expected, &doc).map_err(|d| execute::RunError::Fail(d.to_string()))
}

/// The recorded output, error and cause were taken from the closing history event;
/// take ours from there too, so history masks apply to them and an absent error
/// name stays absent.
fn final_result_from_history(doc: &mut Json) {
    let last = doc
        .get("events")
        .and_then(Json::as_array)
        .and_then(|e| e.last())
        .cloned();
    let Some(last) = last else { return };
    let details = corpus_event(&last)["details"].clone();
    match last.get("type").and_then(Json::as_str) {
        Some("ExecutionSucceeded") => {
            if let Some(o) = details.get("output") {
                doc["output"] = o.clone();
            }
        }
        Some("ExecutionFailed" | "ExecutionAborted" | "ExecutionTimedOut") => {
            doc["error"] = details.get("error").cloned().unwrap_or(Json::Null);
            doc["cause"] = details.get("cause").cloned().unwrap_or(Json::Null);
        }
        _ => {}
    }
}

/// Compares a case's `expected` with a normalised actual document
/// `{"status", "output", "error", "cause", "events": [raw events]}`.
pub fn compare_execution(expected: &Json, actual: &Json) -> Result<(), Difference> {
    let mut cmp = Comparer::new();
    let get = |v: &Json, k: &str| v.get(k).cloned().unwrap_or(Json::Null);
    if let Err(mut d) = cmp.compare("status", &get(expected, "status"), &get(actual, "status")) {
        // Say why ours ended as it did.
        for k in ["error", "cause"] {
            if let Some(s) = actual.get(k).filter(|v| !v.is_null()) {
                let s = compare::truncate(&show(s), 400);
                d.actual.push_str(&format!(" ({k} {s})"));
            }
        }
        return Err(d);
    }
    if let Some(o) = expected.get("output") {
        cmp.compare("output", o, &get(actual, "output"))?;
    }
    for k in ["error", "cause"] {
        match expected.get(k) {
            Some(e) => cmp.compare(k, e, &get(actual, k))?,
            None => {
                // AWS omitted it: ours must be absent too, unless only a final result
                // without error details was recorded (SUCCEEDED cases).
                let a = get(actual, k);
                let failed = matches!(
                    expected.get("status").and_then(Json::as_str),
                    Some("FAILED") | Some("ABORTED")
                );
                if failed && !a.is_null() {
                    return Err(Difference {
                        location: k.to_string(),
                        expected: "(absent)".into(),
                        actual: show(&a),
                    });
                }
            }
        }
    }
    let Some(history) = expected.get("history").and_then(Json::as_array) else {
        return Ok(());
    };
    let events: Vec<Json> = actual
        .get("events")
        .and_then(Json::as_array)
        .map(|a| a.iter().map(corpus_event).collect())
        .unwrap_or_default();
    if expected.get("history_order").is_some() {
        return compare_as_multiset(&mut cmp, history, &events);
    }
    for (i, (e, a)) in history.iter().zip(&events).enumerate() {
        let et = get(e, "type");
        let at = get(a, "type");
        if et != at {
            return Err(Difference {
                location: format!("history[{i}].type"),
                expected: et.as_str().unwrap_or("").to_string(),
                actual: at.as_str().unwrap_or("").to_string(),
            });
        }
        let loc = format!("history[{i}]({})", et.as_str().unwrap_or(""));
        cmp.compare(&loc, &get(e, "details"), &get(a, "details"))?;
    }
    if history.len() != events.len() {
        let i = history.len().min(events.len());
        let t = |v: Option<&Json>| {
            v.and_then(|e| e.get("type"))
                .and_then(Json::as_str)
                .unwrap_or("(end)")
                .to_string()
        };
        return Err(Difference {
            location: format!("history[{i}].type"),
            expected: t(history.get(i)),
            actual: t(events.get(i)),
        });
    }
    Ok(())
}

/// The raw event `{"type", "<xxx>EventDetails": {...}}` as the corpus writes it:
/// `{"type", "details"}`.
fn corpus_event(raw: &Json) -> Json {
    let t = raw.get("type").cloned().unwrap_or(Json::Null);
    let details = raw
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.as_str() != "type"))
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| json!({}));
    json!({"type": t, "details": details})
}

/// `history_order` cases: the test re-sorted (and deduplicated) the events of
/// Parallel branches, so only the first and last events keep their place; every
/// recorded event must occur in ours.
fn compare_as_multiset(
    cmp: &mut Comparer,
    history: &[Json],
    events: &[Json],
) -> Result<(), Difference> {
    if let (Some(e), Some(a)) = (history.first(), events.first()) {
        cmp.compare("history[0]", e, a)?;
    }
    if let (Some(e), Some(a)) = (history.last(), events.last()) {
        cmp.compare("history[last]", e, a)?;
    }
    let mut used = vec![false; events.len()];
    for (i, e) in history.iter().enumerate() {
        let found = events
            .iter()
            .enumerate()
            .find(|(j, a)| !used[*j] && cmp.matches(e, a))
            .map(|(j, _)| j);
        match found {
            Some(j) => used[j] = true,
            None => {
                return Err(Difference {
                    location: format!("history[{i}] (as a multiset)"),
                    expected: show(e),
                    actual: "(no such event)".into(),
                })
            }
        }
    }
    Ok(())
}
