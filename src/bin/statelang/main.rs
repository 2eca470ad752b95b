//! The `statelang` command-line tool: one module per subcommand.
#![forbid(unsafe_code)]

mod bench;
mod conformance;
mod run;
mod validate;
mod workload;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// statelang: an Amazon States Language (AWS Step Functions) engine.
#[derive(Parser)]
#[command(name = "statelang", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands; each variant dispatches to its own module.
#[derive(Subcommand)]
enum Command {
    /// Validate state machine definitions as ValidateStateMachineDefinition does.
    Validate(validate::Args),
    /// Benchmark the shared workloads: median time, state entries/s, peak memory.
    Bench(bench::Args),
    /// Run the conformance corpus (cases recorded against AWS) and compare.
    Conformance(conformance::Args),
    /// Run a state machine on an input (virtual time; no task resolvers).
    Run(run::Args),
}

fn main() -> ExitCode {
    // clap prints usage errors and exits with status 2 itself.
    let cli = Cli::parse();
    match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Conformance(args) => conformance::run(&args),
        Command::Run(args) => run::run(&args),
    }
}
