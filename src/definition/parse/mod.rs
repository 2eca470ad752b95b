//! ASL JSON → [`StateMachine`]: the entry points, and the context every parser
//! function shares (options, collected diagnostics, names seen so far).
//!
//! Each concept has its own file: `document` (top level and scopes), `states`
//! (what every state shares), one file per state type, `retry`, `assign`,
//! `resource` (Task resource classification), `fields` (which fields each state
//! type accepts), and `json` (text → JSON with duplicate-key detection).

mod assign;
mod choice;
mod compat;
mod document;
mod fail;
mod fields;
pub(crate) mod hash;
mod io;
pub(crate) mod json;
mod map;
mod parallel;
pub(crate) mod pointer;
mod resource;
mod retry;
mod states;
mod task;
mod values;
mod wait;

use super::diagnostic::{Code, DefinitionError, Diagnostic, Severity, ValidationReport};
use super::machine::{QueryLanguage, StateMachine};
use super::source_position;
use super::ParseOptions;
use serde_json::Value;

pub use resource::classify_resource;

/// What every parser function shares while one definition is compiled.
pub(crate) struct Ctx<'o> {
    /// The options the definition is parsed with.
    pub opts: &'o ParseOptions,
    /// Every problem found so far, in document order.
    pub diags: Vec<Diagnostic>,
    /// The top-level `QueryLanguage`.
    pub machine_ql: QueryLanguage,
    /// Every state name seen so far, across all scopes.
    pub state_names: hash::FastSet<String>,
    /// Variable scopes: the stack of scope ids enclosing the state being parsed.
    pub scope_stack: Vec<usize>,
    /// The number of scopes created so far.
    pub scope_count: usize,
    /// Every variable assignment: (enclosing scope ids, innermost last; name; pointer).
    pub assignments: Vec<(Vec<usize>, String, String)>,
}

impl<'o> Ctx<'o> {
    fn new(opts: &'o ParseOptions) -> Ctx<'o> {
        Ctx {
            opts,
            diags: Vec::new(),
            machine_ql: QueryLanguage::JsonPath,
            state_names: hash::FastSet::default(),
            scope_stack: Vec::new(),
            scope_count: 0,
            assignments: Vec::new(),
        }
    }

    /// Records a `SCHEMA_VALIDATION_FAILED` error at `ptr`.
    pub fn error(&mut self, ptr: &str, message: impl Into<String>) {
        self.error_code(Code::SchemaValidationFailed, ptr, message);
    }

    /// Records an error with the given code at `ptr`.
    pub fn error_code(&mut self, code: Code, ptr: &str, message: impl Into<String>) {
        self.diags
            .push(Diagnostic::error(code, pointer::display(ptr), message));
    }

    /// The number of errors so far (to tell whether a sub-parse added any).
    pub fn error_count(&self) -> usize {
        self.diags.len()
    }
}

/// AWS's name for a JSON value's type: `STRING`, `NUMBER`, `BOOLEAN`, `OBJECT`, `ARRAY`, `NULL`.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Bool(_) => "BOOLEAN",
        Value::Number(_) => "NUMBER",
        Value::String(_) => "STRING",
        Value::Array(_) => "ARRAY",
        Value::Object(_) => "OBJECT",
    }
}

/// Compiles a parsed JSON document, collecting every diagnostic.
fn compile(value: Value, opts: &ParseOptions) -> Result<StateMachine, Vec<Diagnostic>> {
    let mut cx = Ctx::new(opts);
    let def = document::parse_document(&mut cx, value);
    match def {
        Some(def) if cx.diags.is_empty() => Ok(StateMachine::from_def(def)),
        _ => {
            if cx.diags.is_empty() {
                cx.error("", "The definition could not be compiled");
            }
            Err(cx.diags)
        }
    }
}

/// Parses definition text into diagnostics or a machine; positions are filled in
/// only when there are diagnostics.
fn parse_text_all(text: &str, opts: &ParseOptions) -> Result<StateMachine, Vec<Diagnostic>> {
    let parsed = json::parse_text(text).map_err(|d| vec![d])?;
    let mut dup_diags = Vec::new();
    for ptr in &parsed.duplicates {
        let segs = pointer::segments(ptr);
        let key = segs.last().cloned().unwrap_or_default();
        let parent_is_states = segs.len() >= 2 && segs[segs.len() - 2] == "States";
        let d = if parent_is_states {
            Diagnostic::error(
                Code::DuplicateStateName,
                ptr.as_str(),
                format!("Duplicate State name: '{key}' (state names must be unique within the state machine)"),
            )
        } else {
            Diagnostic::error(
                Code::SchemaValidationFailed,
                ptr.as_str(),
                format!("The field '{key}' appears more than once in the same object"),
            )
        };
        dup_diags.push(d);
    }
    let result = compile(parsed.value, opts);
    let mut diags = match result {
        Ok(m) if dup_diags.is_empty() => return Ok(m),
        Ok(_) => dup_diags,
        Err(mut d) => {
            dup_diags.append(&mut d);
            dup_diags
        }
    };
    source_position::fill_positions(text, &mut diags);
    Err(diags)
}

impl StateMachine {
    /// Parses and validates a definition (a STANDARD state machine).
    ///
    /// ```
    /// use statelang::StateMachine;
    /// let m = StateMachine::parse(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#).unwrap();
    /// assert_eq!(m.scope().states.len(), 1);
    /// ```
    pub fn parse(text: &str) -> Result<StateMachine, DefinitionError> {
        StateMachine::parse_with(text, &ParseOptions::default())
    }

    /// Parses and validates a definition with options (e.g. EXPRESS rules).
    pub fn parse_with(text: &str, opts: &ParseOptions) -> Result<StateMachine, DefinitionError> {
        parse_text_all(text, opts).map_err(|diagnostics| DefinitionError { diagnostics })
    }

    /// Compiles an already-parsed JSON definition (a STANDARD state machine).
    pub fn from_value(value: Value) -> Result<StateMachine, DefinitionError> {
        StateMachine::from_value_with(value, &ParseOptions::default())
    }

    /// Compiles an already-parsed JSON definition with options.
    pub fn from_value_with(
        value: Value,
        opts: &ParseOptions,
    ) -> Result<StateMachine, DefinitionError> {
        compile(value, opts).map_err(|diagnostics| DefinitionError { diagnostics })
    }
}

/// Validates definition text as ValidateStateMachineDefinition does: the report lists
/// every problem (at most 100), with `result` `OK` or `FAIL`.
///
/// ```
/// use statelang::definition::{validate, ParseOptions};
/// let r = validate("{}", &ParseOptions::default());
/// assert_eq!(r.result, "FAIL");
/// assert_eq!(r.diagnostics[0].message, "These fields are required: [States, StartAt]");
/// ```
pub fn validate(text: &str, opts: &ParseOptions) -> ValidationReport {
    match parse_text_all(text, opts) {
        Ok(_) => ValidationReport::new(Vec::new()),
        Err(mut diags) => {
            diags.sort_by_key(|d| d.severity != Severity::Error);
            ValidationReport::new(diags)
        }
    }
}
