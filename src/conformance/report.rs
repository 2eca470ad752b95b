//! Counting results, the expected-failures ratchet, and the CONFORMANCE.md report.

use super::CaseResult;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fmt::Write as _;

/// Pass/fail/skip counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases that were skipped.
    pub skipped: usize,
}

impl Summary {
    /// Counts `results`.
    pub fn of<'a>(results: impl IntoIterator<Item = &'a CaseResult>) -> Summary {
        let mut s = Summary::default();
        for r in results {
            s.add(r);
        }
        s
    }

    fn add(&mut self, r: &CaseResult) {
        if r.passed() {
            self.passed += 1;
        } else if r.failed() {
            self.failed += 1;
        } else {
            self.skipped += 1;
        }
    }

    /// Passed cases as a percentage of the cases that ran (not skipped).
    pub fn rate(&self) -> f64 {
        let ran = self.passed + self.failed;
        if ran == 0 {
            100.0
        } else {
            self.passed as f64 * 100.0 / ran as f64
        }
    }
}

impl fmt::Display for Summary {
    /// `N passed, M failed, K skipped`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// The expected-failures list: `<case name>  # <short reason>` per line (`#` lines
/// and blank lines are ignored).
#[derive(Clone, Debug, Default)]
pub struct ExpectedFailures {
    /// Case name → reason.
    pub cases: BTreeMap<String, String>,
}

/// What the ratchet found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ratchet {
    /// Failing cases that are not on the list.
    pub new_failures: Vec<String>,
    /// Listed cases that passed: take them off the list.
    pub now_passing: Vec<String>,
}

impl Ratchet {
    /// `true` when the results are exactly what the list allows.
    pub fn ok(&self) -> bool {
        self.new_failures.is_empty() && self.now_passing.is_empty()
    }
}

impl ExpectedFailures {
    /// Parses the list.
    pub fn parse(text: &str) -> ExpectedFailures {
        let mut cases = BTreeMap::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, reason) = match line.split_once('#') {
                Some((n, r)) => (n.trim(), r.trim()),
                None => (line, ""),
            };
            cases.insert(name.to_string(), reason.to_string());
        }
        ExpectedFailures { cases }
    }

    /// Checks results against the list.
    pub fn check(&self, results: &[CaseResult]) -> Ratchet {
        let mut r = Ratchet::default();
        for c in results {
            let listed = self.cases.contains_key(&c.name);
            if c.failed() && !listed {
                r.new_failures.push(c.name.clone());
            } else if c.passed() && listed {
                r.now_passing.push(c.name.clone());
            }
        }
        r
    }

    /// Writes a list from results: every failing case with `reason(case)`.
    pub fn generate(results: &[CaseResult], reason: impl Fn(&CaseResult) -> String) -> String {
        let mut out = String::from(
            "# Conformance cases that fail today, with why. The runner fails when a case\n\
             # outside this list fails or a listed case passes: the list only shrinks.\n\
             # Regenerate: statelang conformance ../shared/conformance/cases --write-expected-failures conformance/expected-failures.txt\n",
        );
        let mut names: Vec<&CaseResult> = results.iter().filter(|c| c.failed()).collect();
        names.sort_by(|a, b| a.name.cmp(&b.name));
        for c in names {
            let _ = writeln!(out, "{}  # {}", c.name, reason(c));
        }
        out
    }
}

/// Cases whose recording cannot be reproduced as the case is written: (name, why).
const CORPUS_GAPS: &[(&str, &str)] = &[
    (
        "intrinsic_functions/unique_id_generation__uuid__exec_hist_resp",
        "CORPUS: the recording masked States.UUID() as \"generated-uuid\" but the case has no rule for it",
    ),
    (
        "express/express_sync__query_runtime_memory__sync",
        "CORPUS: the recording masked StartTime/EnteredTime as start-time/entered-time but the case has no masks",
    ),
    (
        "scenarios/base_scenarios__lambda_service_invoke_with_retry_extended_input",
        "CORPUS: recorded 2023-10, before AWS added $$.Execution.RedriveCount",
    ),
];

/// A short reason for a failing case: the feature that explains it when it is a
/// known gap (JSONata, variables, the service API), else the first difference.
pub fn failure_reason(c: &CaseResult) -> String {
    if let Some((_, why)) = CORPUS_GAPS.iter().find(|(n, _)| *n == c.name) {
        return why.to_string();
    }
    let has = |f: &str| c.features.iter().any(|x| x == f || x.starts_with(f));
    let msg = match &c.verdict {
        super::Verdict::Failed(m) => m.as_str(),
        _ => "",
    };
    let gap = if has("jsonata") || msg.contains("JSONata") {
        Some("JSONata")
    } else if has("assign") || has("variables") || c.group == "assign" {
        Some("Assign/variables")
    } else if matches!(c.group.as_str(), "sfn_api" | "sfn_api_express") {
        Some("service API")
    } else if msg.contains("distributed Map is not implemented") {
        Some("BUG (exec: distributed Map/ItemReader not implemented)")
    } else {
        None
    };
    let first = super::compare::truncate(msg, 110).replace('\n', " ");
    match gap {
        Some(g) => format!("{g}: {first}"),
        None => format!("BUG: {first}"),
    }
}

/// The CONFORMANCE.md report: pass rates by corpus group and by feature.
pub fn markdown(results: &[CaseResult], command: &str) -> String {
    let mut out = String::new();
    let total = Summary::of(results);
    let _ = writeln!(out, "# Conformance\n");
    let _ = writeln!(out, "Regenerate this file with:\n\n    {command}\n");
    let _ = writeln!(
        out,
        "The corpus is `../shared/conformance/cases` (cases recorded against real AWS Step Functions; see its README). \
         A case passes when its status, output, error, cause and (where recorded) history all match after normalisation. \
         Failing cases are listed, with reasons, in `conformance/expected-failures.txt`.\n"
    );
    let _ = writeln!(
        out,
        "**Total: {total}** ({:.1}% of the cases that ran).\n",
        total.rate()
    );
    let table =
        |out: &mut String, title: &str, key: &str, groups: BTreeMap<String, Vec<&CaseResult>>| {
            let _ = writeln!(out, "## By {title}\n");
            let _ = writeln!(out, "| {key} | passed | failed | skipped | pass rate |");
            let _ = writeln!(out, "|---|---:|---:|---:|---:|");
            for (g, rs) in groups {
                let s = Summary::of(rs);
                let _ = writeln!(
                    out,
                    "| {g} | {} | {} | {} | {:.1}% |",
                    s.passed,
                    s.failed,
                    s.skipped,
                    s.rate()
                );
            }
            let _ = writeln!(out);
        };
    let mut by_group: BTreeMap<String, Vec<&CaseResult>> = BTreeMap::new();
    for r in results {
        by_group.entry(r.group.clone()).or_default().push(r);
    }
    table(&mut out, "corpus group", "group", by_group);
    let mut by_feature: BTreeMap<String, Vec<&CaseResult>> = BTreeMap::new();
    for r in results {
        let unique: BTreeSet<&String> = r.features.iter().collect();
        for f in unique {
            by_feature.entry(f.clone()).or_default().push(r);
        }
    }
    table(
        &mut out,
        "feature (a case counts once per feature it has)",
        "feature",
        by_feature,
    );
    out
}
