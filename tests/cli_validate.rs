//! `statelang validate` end to end: exit codes and the output formats.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::Command;

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("statelang-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_statelang"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn valid_file_exits_0() {
    let f = temp_file(
        "ok.json",
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#,
    );
    let (code, stdout, _) = run(&["validate", f.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(stdout.is_empty());
    let (code, stdout, _) = run(&["validate", "--json", f.to_str().unwrap()]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["result"], "OK");
}

#[test]
fn invalid_file_exits_1_with_one_line_per_diagnostic() {
    let f = temp_file(
        "bad.json",
        "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}\n  }\n}",
    );
    let name = f.to_str().unwrap();
    let (code, stdout, _) = run(&["validate", name]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!("{name}:4:27: ERROR MISSING_TRANSITION_TARGET at /States/A/Next: Missing 'Next' target: B (no state of that name in the same scope)")
    );
    assert!(lines[1].starts_with(&format!("{name}:1:1: ERROR MISSING_END_STATE at /: ")));

    let ok = temp_file(
        "ok2.json",
        r#"{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}"#,
    );
    let (code, stdout, _) = run(&["validate", "--json", name, ok.to_str().unwrap()]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v[name]["result"], "FAIL");
    assert_eq!(v[ok.to_str().unwrap()]["result"], "OK");
}

#[test]
fn express_type_applies_express_rules() {
    let f = temp_file(
        "act.json",
        r#"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:us-east-1:111111111111:activity:x","End":true}}}"#,
    );
    assert_eq!(run(&["validate", f.to_str().unwrap()]).0, 0);
    let (code, stdout, _) = run(&["validate", "--type", "EXPRESS", f.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stdout.contains("Express state machine does not support Activity ARN"));
}

#[test]
fn missing_file_and_usage_errors_exit_2() {
    let (code, _, stderr) = run(&["validate", "/nonexistent/definition.json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read"));
    assert_eq!(run(&["validate"]).0, 2);
    assert_eq!(run(&["validate", "--type", "SOMETIMES", "x.json"]).0, 2);
    assert_eq!(run(&["no-such-command"]).0, 2);
}
