//! `statelang run`: output, exit codes, --history, --input @FILE.
use std::process::Command;

fn statelang(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_statelang"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("statelang-cli-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn hello_example_runs_on_virtual_time() {
    let started = std::time::Instant::now();
    let (code, out, err) = statelang(&[
        "run",
        "examples/hello.asl.json",
        "--input",
        r#"{"names": ["Ada", "Grace"], "formal": false}"#,
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.trim(),
        r#"{"greeted":2,"lines":["Hi, Ada!","Hi, Grace!"]}"#
    );
    assert!(
        started.elapsed().as_secs() < 30,
        "the one-hour Wait is virtual"
    );
}

#[test]
fn retry_intervals_can_be_overridden() {
    let def = temp(
        "retrying.asl.json",
        r#"{"StartAt":"Fails","States":{"Fails":{"Type":"Fail","Error":"E"}}}"#,
    );
    // A Parallel whose only branch fails, retried twice.
    let def2 = temp(
        "retrying2.asl.json",
        r#"{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
            "Retry":[{"ErrorEquals":["E"],"IntervalSeconds":3600,"MaxAttempts":2}],
            "Branches":[{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}}]}}}"#,
    );
    let started_times = |out: &str| -> Vec<i64> {
        // A failed execution prints only its history.
        let history: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        let events = history["events"].as_array().unwrap().clone();
        let t = |e: &serde_json::Value| e["timestamp"].as_f64().unwrap_or(f64::NAN);
        let t0 = t(&events[0]);
        events
            .iter()
            .filter(|e| e["type"] == "ParallelStateStarted")
            .map(|e| ((t(e) - t0) * 1000.0).round() as i64)
            .collect()
    };
    let (code, out, _) = statelang(&["run", &def2, "--history"]);
    assert_eq!(code, 1);
    // BackoffRate 2 by default: an hour, then two.
    assert_eq!(started_times(&out), [0, 3_600_000, 10_800_000]);
    let (code, out, _) = statelang(&["run", &def2, "--history", "--retry-interval", "P=5"]);
    assert_eq!(code, 1);
    assert_eq!(started_times(&out), [0, 5, 10]);
    let (code, out, _) = statelang(&["run", &def2, "--history", "--retry-interval", "0"]);
    assert_eq!(code, 1);
    assert_eq!(started_times(&out), [0, 0, 0]);
    let (code, _, err) = statelang(&["run", &def, "--retry-interval", "P=soon"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("'soon' is not a number of milliseconds"),
        "{err}"
    );
}

#[test]
fn input_from_a_file_and_history() {
    let input = temp("input.json", r#"{"names": ["Ada"], "formal": true}"#);
    let (code, out, err) = statelang(&[
        "run",
        "examples/hello.asl.json",
        "--input",
        &format!("@{input}"),
        "--history",
    ]);
    assert_eq!(code, 0, "{err}");
    let (history, output) = out.trim().rsplit_once('\n').unwrap();
    let history: serde_json::Value = serde_json::from_str(history).unwrap();
    let events = history["events"].as_array().unwrap();
    assert_eq!(events[0]["type"], "ExecutionStarted");
    assert_eq!(events.last().unwrap()["type"], "ExecutionSucceeded");
    assert_eq!(output, r#"{"greeted":1,"lines":["Good day, Ada!"]}"#);
}

#[test]
fn failure_prints_error_and_cause_and_exits_1() {
    let def = temp(
        "fail.json",
        r#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Oops","Cause":"on purpose"}}}"#,
    );
    let (code, out, err) = statelang(&["run", &def]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("FAILED") && err.contains("error: Oops") && err.contains("cause: on purpose"),
        "{err}"
    );
}

#[test]
fn task_without_resolver_names_state_and_resource() {
    let def = temp(
        "task.json",
        r#"{"StartAt":"Charge","States":{"Charge":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:charge","End":true}}}"#,
    );
    let (code, _, err) = statelang(&["run", &def]);
    assert_eq!(code, 1);
    assert!(err.contains("States.TaskFailed"), "{err}");
    assert!(
        err.contains("'Charge'") && err.contains("function:charge"),
        "{err}"
    );
}

#[test]
fn bad_input_and_bad_definitions_exit_2() {
    let (code, _, err) = statelang(&["run", "examples/hello.asl.json", "--input", "{nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("not valid JSON"), "{err}");
    let def = temp("bad.json", r#"{"StartAt":"X","States":{}}"#);
    let (code, _, _) = statelang(&["run", &def]);
    assert_eq!(code, 2);
    let (code, _, _) = statelang(&["run", "/no/such/file.json"]);
    assert_eq!(code, 2);
}
