//! Parse + validate throughput: a generated 1,000-state definition, and the shared
//! `pass_chain_1000` workload when present.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use statelang::StateMachine;

/// A 1,000-state definition mixing Pass, Task (with Retry/Catch), Choice and Wait.
fn generated(n: usize) -> String {
    let mut states = serde_json::Map::new();
    for i in 0..n {
        let next = format!("S{}", i + 1);
        let state = if i + 1 == n {
            serde_json::json!({"Type": "Succeed"})
        } else {
            match i % 4 {
                0 => {
                    serde_json::json!({"Type": "Pass", "Result": {"i": i}, "ResultPath": "$.r", "Next": next})
                }
                1 => {
                    serde_json::json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "OutputPath": "$.Payload",
                    "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": next}], "Next": next})
                }
                2 => serde_json::json!({"Type": "Choice", "Choices": [
                    {"Variable": "$.r.i", "NumericGreaterThan": 5, "Next": next},
                    {"And": [{"Variable": "$.x", "IsPresent": true}, {"Variable": "$.x", "StringEquals": "y"}], "Next": next}],
                    "Default": next}),
                _ => serde_json::json!({"Type": "Wait", "Seconds": 1, "Next": next}),
            }
        };
        states.insert(format!("S{i}"), state);
    }
    serde_json::json!({"StartAt": "S0", "States": states}).to_string()
}

fn bench(c: &mut Criterion) {
    let text = generated(1000);
    StateMachine::parse(&text).expect("the generated definition is valid");
    c.bench_function("parse_validate_generated_1000", |b| {
        b.iter(|| StateMachine::parse(black_box(&text)).unwrap())
    });
    let workload = "/work/shared/workloads/pass_chain_1000.asl.json";
    match std::fs::read_to_string(workload) {
        Ok(text) => {
            StateMachine::parse(&text).expect("pass_chain_1000 is valid");
            c.bench_function("parse_validate_pass_chain_1000", |b| {
                b.iter(|| StateMachine::parse(black_box(&text)).unwrap())
            });
        }
        Err(_) => eprintln!("{workload} not found; skipped"),
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
