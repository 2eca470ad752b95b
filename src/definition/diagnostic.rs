//! Validation diagnostics, in the shape of ValidateStateMachineDefinition's response.

use serde::Serialize;
use std::fmt;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// The definition is rejected.
    Error,
    /// The definition is accepted, but something is probably wrong.
    Warning,
}

/// A stable diagnostic code, in AWS's vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// The text is not JSON.
    InvalidJsonDescription,
    /// A field is missing, misplaced, of the wrong type or out of range (AWS's catch-all).
    SchemaValidationFailed,
    /// A `Next`/`Default`/`StartAt` names no state in its scope.
    MissingTransitionTarget,
    /// A state cannot be reached from `StartAt`.
    UnreachableState,
    /// Two states share a name.
    DuplicateStateName,
    /// A scope has no terminal state.
    MissingEndState,
    /// A state's `Next` and `End` rules are broken.
    InvalidTransition,
    /// The definition exceeds a size limit.
    DefinitionTooLarge,
    /// A state name breaks the naming rules (1–80 characters).
    InvalidStateName,
}

impl Code {
    /// The code as AWS prints it, e.g. `SCHEMA_VALIDATION_FAILED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidJsonDescription => "INVALID_JSON_DESCRIPTION",
            Code::SchemaValidationFailed => "SCHEMA_VALIDATION_FAILED",
            Code::MissingTransitionTarget => "MISSING_TRANSITION_TARGET",
            Code::UnreachableState => "UNREACHABLE_STATE",
            Code::DuplicateStateName => "DUPLICATE_STATE_NAME",
            Code::MissingEndState => "MISSING_END_STATE",
            Code::InvalidTransition => "INVALID_TRANSITION",
            Code::DefinitionTooLarge => "DEFINITION_TOO_LARGE",
            Code::InvalidStateName => "INVALID_STATE_NAME",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One problem found in a definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// ERROR or WARNING.
    pub severity: Severity,
    /// The stable code.
    pub code: Code,
    /// What is wrong and what is expected.
    pub message: String,
    /// A JSON pointer to the offending field, e.g. `/States/Charge/Retry/0/ErrorEquals`
    /// (empty when there is no location, as for a blank definition; then it is not
    /// serialised, as AWS omits it).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub location: String,
    /// 1-based line in the source text, when parsed from text.
    #[serde(skip)]
    pub line: Option<usize>,
    /// 1-based column in the source text, when parsed from text.
    #[serde(skip)]
    pub column: Option<usize>,
}

impl Diagnostic {
    /// An ERROR diagnostic.
    pub fn error(
        code: Code,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location: location.into(),
            line: None,
            column: None,
        }
    }

    /// The message AWS's CreateStateMachine returns for it:
    /// `Invalid State Machine Definition: '<CODE>: <message> at <location>'`.
    pub fn create_message(&self) -> String {
        format!(
            "Invalid State Machine Definition: '{}: {} at {}'",
            self.code, self.message, self.location
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {}", self.code, self.location, self.message)
    }
}

/// A definition that was rejected, with every problem found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid state machine definition: {}", first_message(.diagnostics))]
pub struct DefinitionError {
    /// All diagnostics, errors first, in document order.
    pub diagnostics: Vec<Diagnostic>,
}

fn first_message(d: &[Diagnostic]) -> String {
    match d {
        [] => String::from("no diagnostics"),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

/// The ValidateStateMachineDefinition response shape:
/// `{"result": "OK"|"FAIL", "diagnostics": [...], "truncated": false}`.
#[derive(Clone, Debug, Serialize)]
pub struct ValidationReport {
    /// `OK` or `FAIL`.
    pub result: &'static str,
    /// At most 100 diagnostics, as AWS returns.
    pub diagnostics: Vec<Diagnostic>,
    /// `true` when more than 100 were found.
    pub truncated: bool,
}

impl ValidationReport {
    /// Builds the report from a list of diagnostics.
    pub fn new(mut diagnostics: Vec<Diagnostic>) -> ValidationReport {
        let result = if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            "FAIL"
        } else {
            "OK"
        };
        let truncated = diagnostics.len() > 100;
        diagnostics.truncate(100);
        ValidationReport {
            result,
            diagnostics,
            truncated,
        }
    }
}
