//! `statelang validate FILE... [--json] [--type STANDARD|EXPRESS]`.
//!
//! Text output: one line per diagnostic,
//! `FILE:LINE:COL: SEVERITY CODE at LOCATION: message` (`:LINE:COL` is left out when
//! the position is unknown; a missing location prints as `-`). `--json` prints the
//! ValidationReport (an object keyed by file name when several files are given).
//! Exit status: 0 when every file is valid, 1 when any is invalid, 2 on usage or I/O
//! errors.

use clap::ValueEnum;
use statelang::definition::{validate, Diagnostic, MachineType, ParseOptions, ValidationReport};
use std::path::PathBuf;
use std::process::ExitCode;

/// The state machine type whose rules apply.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TypeArg {
    /// Standard workflows (the default).
    #[value(name = "STANDARD", alias = "standard")]
    Standard,
    /// Express workflows: no activities, `.sync` or `.waitForTaskToken`.
    #[value(name = "EXPRESS", alias = "express")]
    Express,
}

/// Arguments of `statelang validate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Definition files (ASL JSON).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print the ValidationReport JSON instead of one line per diagnostic.
    #[arg(long)]
    json: bool,
    /// The state machine type to validate for.
    #[arg(long = "type", value_enum, default_value = "STANDARD")]
    machine_type: TypeArg,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> ExitCode {
    let opts = ParseOptions {
        machine_type: match args.machine_type {
            TypeArg::Standard => MachineType::Standard,
            TypeArg::Express => MachineType::Express,
        },
    };
    let mut io_error = false;
    let mut invalid = false;
    let mut reports: Vec<(String, ValidationReport)> = Vec::new();
    for file in &args.files {
        let name = file.display().to_string();
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("statelang: cannot read {name}: {e}");
                io_error = true;
                continue;
            }
        };
        let report = validate(&text, &opts);
        invalid |= report.result != "OK";
        if !args.json {
            for d in &report.diagnostics {
                println!("{}", line(&name, d));
            }
        }
        reports.push((name, report));
    }
    if args.json {
        let json = if args.files.len() == 1 {
            reports
                .first()
                .map(|(_, r)| serde_json::to_value(r).unwrap_or_default())
        } else {
            let map: serde_json::Map<String, serde_json::Value> = reports
                .iter()
                .map(|(n, r)| (n.clone(), serde_json::to_value(r).unwrap_or_default()))
                .collect();
            Some(serde_json::Value::Object(map))
        };
        if let Some(j) = json {
            println!("{}", serde_json::to_string_pretty(&j).unwrap_or_default());
        }
    }
    if io_error {
        ExitCode::from(2)
    } else if invalid {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `FILE:LINE:COL: SEVERITY CODE at LOCATION: message`, on one line.
fn line(file: &str, d: &Diagnostic) -> String {
    let pos = match (d.line, d.column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    };
    let severity = match d.severity {
        statelang::definition::Severity::Error => "ERROR",
        statelang::definition::Severity::Warning => "WARNING",
    };
    let location = if d.location.is_empty() {
        "-"
    } else {
        d.location.as_str()
    };
    let message = d.message.replace('\n', " ");
    format!(
        "{file}{pos}: {severity} {} at {location}: {message}",
        d.code
    )
}
