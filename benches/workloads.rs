//! The shared workloads (`../shared/workloads`) under criterion, plus the cost of one
//! transition and of recording history.
//!
//! * `workload/NAME`: one execution of each shared workload, full history, fresh
//!   handler per run (the input is shared between iterations: the engine never
//!   mutates it). Each workload's output is checked against `NAME.expected.json`
//!   once before timing. Skipped, with a notice, when the directory is absent
//!   (`$STATELANG_WORKLOADS` overrides where it is looked for).
//! * `pass_transition`: a chain of 1,000 trivial Pass states with full history; the
//!   reported time is per transition (target: under 1 µs).
//! * `history/{none,summary,full}`: `pass_chain_1000` at each history level, to
//!   show what recording costs.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use statelang::exec::HistoryLevel;
use statelang::{StateMachine, Val};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "../src/bin/statelang/workload.rs"]
mod workload;

use workload::{FlakyHandler, Workload};

/// `$STATELANG_WORKLOADS`, else `../shared/workloads` relative to the crate (also
/// tried one level further up, for a git worktree under `wt/NAME`).
fn workloads_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("STATELANG_WORKLOADS") {
        return PathBuf::from(d);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let near = root.join("../shared/workloads");
    let far = root.join("../../shared/workloads");
    if !near.is_dir() && far.is_dir() {
        far
    } else {
        near
    }
}

fn run_once(w: &Workload, input: &Val, level: HistoryLevel) -> statelang::Outcome {
    let handler = FlakyHandler::new();
    let executor = workload::executor(&handler, level, false);
    futures::executor::block_on(executor.run(&w.machine, input.clone()))
}

fn check(w: &Workload) {
    let o = run_once(w, &w.fresh_input(), HistoryLevel::Full);
    let out = o
        .output
        .unwrap_or_else(|| panic!("{}: {} {:?}", w.name, o.status, o.error));
    if let Some(d) = workload::first_diff(&out, &w.expected) {
        panic!("{}: WRONG-OUTPUT: {d}", w.name);
    }
}

fn shared_workloads(c: &mut Criterion) {
    let dir = workloads_dir();
    let names = match workload::names_in(&dir) {
        Ok(n) => n,
        Err(_) => {
            println!("skipping the shared workloads: {} not found", dir.display());
            return;
        }
    };
    let mut group = c.benchmark_group("workload");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for name in names {
        let w = workload::load(&dir, &name).unwrap_or_else(|e| panic!("{e}"));
        check(&w);
        let input = w.fresh_input();
        group.throughput(Throughput::Elements(w.state_entries));
        group.bench_function(&name, |b| {
            b.iter(|| run_once(&w, &input, HistoryLevel::Full))
        });
    }
    group.finish();
}

/// `n` trivial Pass states in a row.
fn pass_chain(n: usize) -> StateMachine {
    let states: Vec<String> = (0..n)
        .map(|i| {
            let next = if i + 1 == n {
                String::from(r#""End":true"#)
            } else {
                format!(r#""Next":"P{}""#, i + 1)
            };
            format!(r#""P{i}":{{"Type":"Pass",{next}}}"#)
        })
        .collect();
    let def = format!(r#"{{"StartAt":"P0","States":{{{}}}}}"#, states.join(","));
    StateMachine::parse(&def).expect("valid chain")
}

fn pass_transition(c: &mut Criterion) {
    const N: u32 = 1000;
    let machine = pass_chain(N as usize);
    let input = statelang::val!({"order": {"id": 7, "items": [1, 2, 3]}});
    let handler = FlakyHandler::new();
    let executor = workload::executor(&handler, HistoryLevel::Full, false);
    let o = futures::executor::block_on(executor.run(&machine, input.clone()));
    assert_eq!(o.history.len(), 2 * N as usize + 2, "full history recorded");
    assert!(o.output.is_some_and(|v| v.ptr_eq(&input)));
    // Reported per transition: the time of a 1,000-state execution divided by 1,000.
    c.bench_function("pass_transition", |b| {
        b.iter_custom(|iters| {
            let t0 = Instant::now();
            for _ in 0..iters {
                let o = futures::executor::block_on(executor.run(&machine, input.clone()));
                drop(o);
            }
            t0.elapsed() / N
        })
    });
}

fn history_levels(c: &mut Criterion) {
    let dir = workloads_dir();
    let Ok(w) = workload::load(&dir, "pass_chain_1000") else {
        println!(
            "skipping history levels: pass_chain_1000 not found in {}",
            dir.display()
        );
        return;
    };
    let input = w.fresh_input();
    let mut group = c.benchmark_group("history");
    group.throughput(Throughput::Elements(w.state_entries));
    for (name, level) in [
        ("none", HistoryLevel::None),
        ("summary", HistoryLevel::Summary),
        ("full", HistoryLevel::Full),
    ] {
        group.bench_function(name, |b| b.iter(|| run_once(&w, &input, level)));
    }
    group.finish();
}

criterion_group!(benches, pass_transition, history_levels, shared_workloads);
criterion_main!(benches);
