//! `statelang conformance DIR...`: run the AWS-recorded conformance corpus.

use clap::Args as ClapArgs;
use statelang::conformance::report::{failure_reason, markdown};
use statelang::conformance::{
    collect_cases, run_case_file, CaseResult, ExpectedFailures, Summary, Verdict,
};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `statelang conformance`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Case files or directories of case files (searched recursively).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// The expected-failures list (`<case name>  # reason` per line): exit non-zero
    /// when a case outside it fails or a listed case passes.
    #[arg(long, value_name = "FILE")]
    expected_failures: Option<PathBuf>,
    /// Print per-case results as JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Also list skipped cases with their reasons.
    #[arg(long)]
    verbose: bool,
    /// Write the pass-rate report (by group and by feature) in Markdown to FILE.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Write the current failures as an expected-failures list to FILE.
    #[arg(long, value_name = "FILE")]
    write_expected_failures: Option<PathBuf>,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> ExitCode {
    let files = collect_cases(&args.dirs);
    let results: Vec<CaseResult> = files.iter().map(|f| run_case_file(f)).collect();
    let summary = Summary::of(&results);

    if args.json {
        let doc = serde_json::json!({
            "results": results.iter().map(CaseResult::to_json).collect::<Vec<_>>(),
            "passed": summary.passed,
            "failed": summary.failed,
            "skipped": summary.skipped,
        });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        for r in &results {
            match &r.verdict {
                Verdict::Failed(m) => println!("{}: {}", r.name, m.replace('\n', " ")),
                Verdict::Skipped(m) if args.verbose => println!("{}: skipped: {m}", r.name),
                _ => {}
            }
        }
    }

    let mut ok = true;
    if let Some(path) = &args.report {
        // The corpus sits next to the checkout: show it the way the CI script does.
        let dirs = args
            .dirs
            .iter()
            .map(|d| {
                let d = d.display().to_string();
                match d.find("shared/conformance/cases") {
                    Some(i) => format!("../{}", &d[i..]),
                    None => d,
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let command = format!(
            "cargo run --release --bin statelang -- conformance {dirs} --report {} --write-expected-failures conformance/expected-failures.txt",
            path.display()
        );
        if let Err(e) = std::fs::write(path, markdown(&results, &command)) {
            eprintln!("cannot write {}: {e}", path.display());
            ok = false;
        }
    }
    if let Some(path) = &args.write_expected_failures {
        if let Err(e) = std::fs::write(path, ExpectedFailures::generate(&results, failure_reason)) {
            eprintln!("cannot write {}: {e}", path.display());
            ok = false;
        }
    }
    if let Some(path) = &args.expected_failures {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let ratchet = ExpectedFailures::parse(&text).check(&results);
                for n in &ratchet.new_failures {
                    eprintln!("unexpected failure (not in {}): {n}", path.display());
                }
                for n in &ratchet.now_passing {
                    eprintln!("now passing (remove it from {}): {n}", path.display());
                }
                ok &= ratchet.ok();
            }
            Err(e) => {
                eprintln!("cannot read {}: {e}", path.display());
                ok = false;
            }
        }
    }
    if !args.json {
        println!("{summary}");
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
