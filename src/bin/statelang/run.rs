//! `statelang run DEFINITION [--input JSON | --input @FILE] [--history] [--real-time]
//! [--mock-config FILE --test-case NAME [--state-machine NAME]]
//! [--activity-worker-name NAME]`.
//!
//! With `--mock-config`, Task states are answered from a Step Functions Local
//! MockConfigFile (see `statelang::mock`). Otherwise it runs a definition on an input with no task resolvers (a Task state fails with
//! `States.TaskFailed`, naming the state and the resource). Time is virtual unless
//! `--real-time` is given: Waits, retry back-off and timeouts finish instantly.
//!
//! Output: with `--history`, first the history as `GetExecutionHistory` JSON
//! (`{"events": [...]}`); then, on success, the output JSON on one line. On failure
//! the status, error and cause go to standard error.
//! Exit status: 0 when the execution succeeded, 1 when it failed, timed out or was
//! aborted, 2 on usage errors, unreadable files, invalid JSON or an invalid definition.

use futures::channel::oneshot;
use futures::future::BoxFuture;
use futures::FutureExt;
use statelang::exec::clock::wall_clock_millis;
use statelang::exec::{Clock, Executor, NoResolver, Status};
use statelang::{StateMachine, Val};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Arguments of `statelang run`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The definition file (ASL JSON).
    #[arg(value_name = "DEFINITION")]
    definition: PathBuf,
    /// The execution input: JSON text, or `@FILE` to read it from a file (default `{}`).
    #[arg(long, value_name = "JSON|@FILE")]
    input: Option<String>,
    /// Print the execution history (GetExecutionHistory JSON) before the output.
    #[arg(long)]
    history: bool,
    /// Wait in real time instead of on the virtual clock.
    #[arg(long)]
    real_time: bool,
    /// Answer Task states from a Step Functions Local MockConfigFile.
    #[arg(long, value_name = "FILE", requires = "test_case")]
    mock_config: Option<PathBuf>,
    /// The mock configuration's test case to use.
    #[arg(long, value_name = "NAME", requires = "mock_config")]
    test_case: Option<String>,
    /// The mock configuration's state machine (default: the only one in the file).
    #[arg(long, value_name = "NAME", requires = "mock_config")]
    state_machine: Option<String>,
    /// The worker that polls activities, as `ActivityStarted.workerName` records it
    /// (default: none).
    #[arg(long, value_name = "NAME")]
    activity_worker_name: Option<String>,
    /// Wait MS milliseconds before every retry of state STATE (or, without
    /// `STATE=`, of every state without its own) instead of the delay its Retry
    /// fields compute. Repeatable.
    #[arg(long, value_name = "[STATE=]MS", value_parser = parse_retry_interval)]
    retry_interval: Vec<(Option<String>, u64)>,
}

/// `STATE=MS` or `MS`.
fn parse_retry_interval(text: &str) -> Result<(Option<String>, u64), String> {
    let (state, ms) = match text.rsplit_once('=') {
        Some((state, ms)) => (Some(state.to_string()), ms),
        None => (None, text),
    };
    let ms = ms
        .trim()
        .parse()
        .map_err(|_| format!("'{ms}' is not a number of milliseconds"))?;
    Ok((state, ms))
}

/// The mock resolver of `--mock-config/--test-case/--state-machine`, if given.
fn mock_resolver(args: &Args) -> Result<Option<statelang::mock::MockResolver>, String> {
    let (Some(file), Some(case)) = (&args.mock_config, &args.test_case) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let config = statelang::mock::MockConfig::from_json(&text).map_err(|e| e.to_string())?;
    let sm = match &args.state_machine {
        Some(s) => s.clone(),
        None => config
            .only_state_machine()
            .map_err(|e| e.to_string())?
            .to_string(),
    };
    config
        .resolver(&sm, case)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Real time on plain threads: each timer is a sleeping thread (the CLI needs no
/// async runtime).
struct ThreadClock;

impl Clock for ThreadClock {
    fn now_millis(&self) -> i64 {
        wall_clock_millis()
    }

    fn sleep(&self, millis: u64) -> BoxFuture<'static, ()> {
        let (tx, rx) = oneshot::channel::<()>();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(millis));
            let _ = tx.send(());
        });
        rx.map(|_| ()).boxed()
    }
}

fn read_input(arg: Option<&str>) -> Result<Val, String> {
    let text = match arg {
        None => return Ok(Val::empty_object()),
        Some(a) => match a.strip_prefix('@') {
            Some(file) => std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read input file {file}: {e}"))?,
            None => a.to_string(),
        },
    };
    Val::from_json_str(&text).map_err(|e| format!("the input is not valid JSON: {e}"))
}

/// Runs the subcommand.
pub fn run(args: &Args) -> ExitCode {
    let name = args.definition.display().to_string();
    let text = match std::fs::read_to_string(&args.definition) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("statelang: cannot read {name}: {e}");
            return ExitCode::from(2);
        }
    };
    let machine = match StateMachine::parse(&text) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("statelang: {name} is not a valid state machine definition:");
            for d in &e.diagnostics {
                eprintln!("  {d}");
            }
            return ExitCode::from(2);
        }
    };
    let input = match read_input(args.input.as_deref()) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("statelang: {e}");
            return ExitCode::from(2);
        }
    };
    let mocks = match mock_resolver(args) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("statelang: {e}");
            return ExitCode::from(2);
        }
    };
    let resolver: Arc<dyn statelang::exec::TaskResolver> = match &mocks {
        Some(m) => Arc::new(m.clone()),
        None => Arc::new(NoResolver),
    };
    let mut executor = Executor::new(resolver);
    if args.real_time {
        executor = executor.clock(Arc::new(ThreadClock));
    }
    if let Some(w) = &args.activity_worker_name {
        executor = executor.activity_worker_name(w.as_str());
    }
    for (state, ms) in &args.retry_interval {
        executor = match state {
            Some(state) => executor.retry_interval_override(state, *ms),
            None => executor.retry_interval_override_all(*ms),
        };
    }
    let (handle, fut) = executor.start(&machine, input);
    if let Some(m) = &mocks {
        // Mocked `.waitForTaskToken` tasks complete their tokens through the handle.
        m.attach(handle);
    }
    let outcome = futures::executor::block_on(fut);
    if args.history {
        match serde_json::to_string_pretty(&outcome.history.to_aws_json()) {
            Ok(h) => println!("{h}"),
            Err(e) => eprintln!("statelang: cannot print the history: {e}"),
        }
    }
    match outcome.status {
        Status::Succeeded => {
            println!("{}", outcome.output.unwrap_or_default());
            ExitCode::SUCCESS
        }
        status => {
            eprintln!("Execution {status}");
            if let Some(e) = &outcome.error {
                if !e.error.is_empty() {
                    eprintln!("error: {}", e.error);
                }
                if let Some(c) = &e.cause {
                    eprintln!("cause: {c}");
                }
            }
            ExitCode::from(1)
        }
    }
}
