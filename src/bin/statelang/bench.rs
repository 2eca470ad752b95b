//! `statelang bench DIR... [--runs N] [--json FILE] [--history none|summary|full] [--keep-retry-delays]`.
//!
//! For each workload (`NAME.asl.json` with its input, expected output and meta, see
//! `../shared/workloads/README.md`): parse once (`construct_ms`), run once to warm
//! up, then run N times, each with a fresh deep copy of the input and a fresh task
//! handler, and check every output against the expected one (`ok` or
//! `WRONG-OUTPUT`). Prints the median wall time, state entries per second and the
//! peak memory; `--json` writes the peer runners' record schema
//! (`../shared/peers/README.md`) plus `peak_rss_kb`, `peak_delta_kb`, `history` and
//! `retry_delays`. Retry back-off is overridden to 0, as the workloads' contract asks of
//! every runner, unless `--keep-retry-delays` (then each retry waits on the virtual clock).
//!
//! Peak memory is read from `/proc/self/status`: the high-water mark is reset
//! (`/proc/self/clear_refs` ← `5`) after the workload is loaded, so `peak_delta_kb`
//! is what the runs added on top of the loaded workload (engine, output, history).
//! The allocator keeps freed memory, so with several workloads each one runs in a
//! child process of its own (unless `--in-process`): a workload's peak is then not
//! hidden by the heap an earlier one left behind.

use crate::workload::{self, FlakyHandler, Workload};
use clap::ValueEnum;
use statelang::exec::{HistoryLevel, Status};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// How much history the runs record.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum HistoryArg {
    /// No events kept.
    None,
    /// Events without their data fields.
    Summary,
    /// Every event with its input/output (the default, what AWS records).
    Full,
}

impl HistoryArg {
    fn level(self) -> HistoryLevel {
        match self {
            HistoryArg::None => HistoryLevel::None,
            HistoryArg::Summary => HistoryLevel::Summary,
            HistoryArg::Full => HistoryLevel::Full,
        }
    }

    fn name(self) -> &'static str {
        match self {
            HistoryArg::None => "none",
            HistoryArg::Summary => "summary",
            HistoryArg::Full => "full",
        }
    }
}

/// Arguments of `statelang bench`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Workload directories (every NAME.asl.json in them) or NAME.asl.json files.
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Timed runs per workload (after one warm-up run).
    #[arg(long, default_value_t = 10)]
    runs: usize,
    /// Untimed warm-up runs per workload.
    #[arg(long, default_value_t = 1)]
    warmup: usize,
    /// Write the records as a JSON array to FILE (the peer runners' schema).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// How much history to record.
    #[arg(long, value_enum, default_value = "full")]
    history: HistoryArg,
    /// Keep the definitions' retry back-off (each retry waits its interval on the
    /// virtual clock) instead of overriding it to 0, which the workloads' contract
    /// asks of every runner.
    #[arg(long)]
    keep_retry_delays: bool,
    /// Run every workload in this process instead of one child process each (the
    /// peak-memory figures then include what earlier workloads left in the heap).
    #[arg(long)]
    in_process: bool,
    /// Internal: this process is the child that benchmarks one workload.
    #[arg(long, hide = true)]
    child: bool,
}

/// The memory figures of `/proc/self/status`, in KiB.
fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// Resets the peak-RSS mark (Linux ≥ 4.0); `false` where that is not possible.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn median(xs: &[f64]) -> f64 {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    if s.is_empty() {
        f64::NAN
    } else if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The result of benchmarking one workload.
struct Record {
    status: &'static str,
    diff: Option<String>,
    runs_ms: Vec<f64>,
    invocations: Option<u64>,
    peak_rss_kb: Option<u64>,
    peak_delta_kb: Option<u64>,
}

fn bench_one(w: &Workload, args: &Args) -> Record {
    let level = args.history.level();
    let baseline = proc_status_kb("VmRSS");
    let peak_ok = reset_peak();
    let mut rec = Record {
        status: "ok",
        diff: None,
        runs_ms: Vec::with_capacity(args.runs),
        invocations: None,
        peak_rss_kb: None,
        peak_delta_kb: None,
    };
    for r in 0..args.warmup + args.runs {
        let handler = FlakyHandler::new();
        let executor = workload::executor(&handler, level, args.keep_retry_delays);
        let input = w.fresh_input();
        let t0 = Instant::now();
        let outcome = futures::executor::block_on(executor.run(&w.machine, input));
        let ms = t0.elapsed().as_secs_f64() * 1e3;
        match (&outcome.status, &outcome.output) {
            (Status::Succeeded, Some(out)) => {
                if let Some(d) = workload::first_diff(out, &w.expected) {
                    rec.status = "WRONG-OUTPUT";
                    rec.diff.get_or_insert(d);
                }
            }
            (status, _) => {
                rec.status = "run-failed";
                rec.diff = Some(format!(
                    "{status}: {}: {}",
                    outcome.error_name().unwrap_or(""),
                    outcome.cause().unwrap_or("")
                ));
                break;
            }
        }
        rec.invocations = Some(handler.invocations());
        if r >= args.warmup {
            rec.runs_ms.push(ms);
        }
    }
    if peak_ok {
        rec.peak_rss_kb = proc_status_kb("VmHWM");
        rec.peak_delta_kb = rec
            .peak_rss_kb
            .zip(baseline)
            .map(|(p, b)| p.saturating_sub(b));
    }
    rec
}

fn json_record(
    w: &Workload,
    rec: &Record,
    history: HistoryArg,
    keep_retry_delays: bool,
) -> serde_json::Value {
    let mut o = serde_json::json!({
        "peer": "statelang",
        "version": env!("CARGO_PKG_VERSION"),
        "runtime": if cfg!(debug_assertions) { "rust (debug build)" } else { "rust (release build)" },
        "workload": w.name,
        "status": rec.status,
        "diff": rec.diff,
        "construct_ms": round2(w.construct_ms),
        "runs_ms": rec.runs_ms.iter().map(|x| (x * 1000.0).round() / 1000.0).collect::<Vec<_>>(),
        "state_entries": w.state_entries,
        "history": history.name(),
        "retry_delays": if keep_retry_delays { "virtual" } else { "zero" },
        "peak_rss_kb": rec.peak_rss_kb,
        "peak_delta_kb": rec.peak_delta_kb,
    });
    if !rec.runs_ms.is_empty() {
        let m = median(&rec.runs_ms);
        o["median_ms"] = serde_json::json!((m * 1000.0).round() / 1000.0);
        o["transitions_per_s"] = serde_json::json!((w.state_entries as f64 / (m / 1e3)).round());
    }
    if let Some(expected) = w.handler_invocations {
        o["handler_invocations"] = serde_json::json!(rec.invocations);
        o["expected_invocations"] = serde_json::json!(expected);
    }
    o
}

fn fmt_rate(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

fn print_header() {
    println!(
        "{:<18} {:<12} {:>10} {:>12} {:>11} {:>11} {:>10}",
        "workload", "status", "median_ms", "entries/s", "peak_MiB", "delta_MiB", "parse_ms"
    );
}

/// Benchmarks each target in a child process (`statelang bench FILE --child`) and
/// gathers their records.
fn run_children(args: &Args, targets: &[(PathBuf, String)]) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("statelang: cannot find own executable: {e}");
            return ExitCode::from(2);
        }
    };
    print_header();
    let mut records: Vec<serde_json::Value> = Vec::new();
    let mut failed = false;
    let tmp = std::env::temp_dir().join(format!("statelang-bench-{}.json", std::process::id()));
    for (dir, name) in targets {
        let status = std::process::Command::new(&exe)
            .arg("bench")
            .arg(dir.join(format!("{name}.asl.json")))
            .args(["--runs", &args.runs.to_string()])
            .args(["--warmup", &args.warmup.to_string()])
            .args(["--history", args.history.name()])
            .args(args.keep_retry_delays.then_some("--keep-retry-delays"))
            .arg("--child")
            .arg("--json")
            .arg(&tmp)
            .status();
        match status {
            Ok(s) if s.code() == Some(0) || s.code() == Some(1) => {
                failed |= s.code() == Some(1);
                let text = std::fs::read_to_string(&tmp).unwrap_or_default();
                match serde_json::from_str::<Vec<serde_json::Value>>(&text) {
                    Ok(rs) => records.extend(rs),
                    Err(e) => {
                        eprintln!("statelang: {name}: unreadable child record: {e}");
                        failed = true;
                    }
                }
            }
            Ok(s) => {
                eprintln!("statelang: {name}: child exited with {s}");
                records.push(serde_json::json!({
                    "peer": "statelang", "version": env!("CARGO_PKG_VERSION"), "workload": name,
                    "status": "run-failed", "diff": format!("child exited with {s}"),
                }));
                failed = true;
            }
            Err(e) => {
                eprintln!("statelang: cannot start {}: {e}", exe.display());
                return ExitCode::from(2);
            }
        }
    }
    let _ = std::fs::remove_file(&tmp);
    finish(args, &records, failed)
}

fn finish(args: &Args, records: &[serde_json::Value], failed: bool) -> ExitCode {
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(records).unwrap_or_default();
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("statelang: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs the subcommand.
pub fn run(args: &Args) -> ExitCode {
    let targets = match workload::expand(&args.dirs) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("statelang: {e}");
            return ExitCode::from(2);
        }
    };
    if cfg!(debug_assertions) && !args.child {
        eprintln!("statelang bench: this is a debug build; use --release for real numbers");
    }
    if !args.child && !args.in_process && targets.len() > 1 {
        return run_children(args, &targets);
    }
    if !args.child {
        print_header();
    }
    let mut records = Vec::new();
    let mut failed = false;
    for (dir, name) in &targets {
        let w = match workload::load(dir, name) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("statelang: {e}");
                records.push(serde_json::json!({
                    "peer": "statelang", "version": env!("CARGO_PKG_VERSION"), "workload": name,
                    "status": "construct-failed", "error": e,
                }));
                failed = true;
                continue;
            }
        };
        let rec = bench_one(&w, args);
        failed |= rec.status != "ok";
        let m = median(&rec.runs_ms);
        let mib =
            |kb: Option<u64>| kb.map_or("-".to_string(), |k| format!("{:.1}", k as f64 / 1024.0));
        let inv = match (rec.invocations, w.handler_invocations) {
            (Some(got), Some(want)) => format!("  invocations={got}/{want}"),
            _ => String::new(),
        };
        println!(
            "{:<18} {:<12} {:>10.3} {:>12} {:>11} {:>11} {:>10.2}{}{}",
            w.name,
            rec.status,
            m,
            fmt_rate(w.state_entries as f64 / (m / 1e3)),
            mib(rec.peak_rss_kb),
            mib(rec.peak_delta_kb),
            w.construct_ms,
            inv,
            rec.diff
                .as_deref()
                .map(|d| format!("  DIFF: {d}"))
                .unwrap_or_default()
        );
        records.push(json_record(&w, &rec, args.history, args.keep_retry_delays));
    }
    finish(args, &records, failed)
}
