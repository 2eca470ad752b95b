//! JSONPath paths and reference paths, compiled once (Jayway semantics, as AWS runs them).
//!
//! STUB: the public API below is the contract; the path helper replaces the bodies.

use super::{Env, PathRoot};
use crate::value::Val;
use std::fmt;

/// A compiled path: `$`, `$.a.b`, `$['x y']`, `$.a[0]`, `$.a[-1]`, `$.a[*].b`, `$..b`,
/// slices, unions, filters, `$$.` context paths and `$var` variable paths.
#[derive(Clone, Debug)]
pub struct Path {
    text: std::sync::Arc<str>,
    root: PathRoot,
}

/// A path string that is not valid syntax.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PathSyntaxError {
    /// What is wrong, for a person.
    pub message: String,
}

/// A path that did not resolve at run time, with Jayway's wording.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PathError {
    /// e.g. `Invalid path '$.x' : No results for path: $['x']`.
    pub message: String,
}

impl Path {
    /// Parses a Path (any JSONPath AWS accepts, rooted at `$`, `$$` or `$var`).
    pub fn parse(text: &str) -> Result<Path, PathSyntaxError> {
        let _ = text;
        unimplemented!("path helper")
    }

    /// Parses a Reference Path: a definite path of names and indices only.
    pub fn parse_reference(text: &str) -> Result<Path, PathSyntaxError> {
        let _ = text;
        unimplemented!("path helper")
    }

    /// The source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where the path starts.
    pub fn root(&self) -> &PathRoot {
        &self.root
    }

    /// `true` when the path names at most one node (no wildcard, slice, union, filter, `..`).
    pub fn is_definite(&self) -> bool {
        unimplemented!("path helper")
    }

    /// Evaluates against the env: resolves the root (`$` → `env.input`, `$$` → the
    /// context object, `$name` → the variable), then selects.
    pub fn eval(&self, env: &Env<'_>) -> Result<Val, PathError> {
        let _ = env;
        unimplemented!("path helper")
    }

    /// Selects from `data` as if it were the root value.
    pub fn select(&self, data: &Val) -> Result<Val, PathError> {
        let _ = data;
        unimplemented!("path helper")
    }

    /// Writes `value` at this (reference) path inside `target`, creating missing
    /// intermediate objects, and returns the new document (ResultPath).
    pub fn write(&self, target: Val, value: Val) -> Result<Val, PathError> {
        let _ = (target, value);
        unimplemented!("path helper")
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
