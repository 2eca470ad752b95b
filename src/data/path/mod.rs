//! JSONPath paths and reference paths, compiled once (Jayway semantics, as AWS runs them).
//!
//! The pipeline is visible in the file names:
//!
//! * `parse.rs`: the path text → a root and a `Vec` of segments, once, at
//!   definition-parse time. Names become `Arc<str>`; nothing is re-parsed later.
//! * `filter.rs`: the `[?( … )]` filter expressions (parsing and evaluation).
//! * `select.rs`: evaluation. A *definite* path (names and single indices) is a loop of map
//!   lookups that returns one value (an `Arc` bump, no allocation) or Jayway's error; an
//!   *indefinite* path (wildcard, slice, union, filter, `..`) always returns an array.
//! * `write.rs`: ResultPath writes, copying only the spine from the root to the written node.
//! * `canonical.rs`: the canonical (Jayway `toString`) form, used in error messages and by
//!   [`Path::canonical`].
//!
//! ```
//! use statelang::data::path::Path;
//! use statelang::val;
//!
//! let doc = val!({"order": {"items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 0}]}});
//! let p = Path::parse("$.order.items[?(@.qty > 0)].sku").unwrap();
//! assert_eq!(p.select(&doc).unwrap(), val!(["a"]));
//!
//! let missing = Path::parse("$.order.total").unwrap();
//! assert_eq!(
//!     missing.select(&doc).unwrap_err().message,
//!     "Invalid path '$.order.total' : No results for path: $['order']['total']"
//! );
//!
//! let rp = Path::parse_reference("$.result.ok").unwrap();
//! let out = rp.write(doc, val!(true)).unwrap();
//! assert_eq!(out.get("result"), Some(&val!({"ok": true})));
//! ```

mod canonical;
mod filter;
mod parse;
mod select;
mod write;

use super::{Env, PathRoot};
use crate::value::Val;
use std::fmt;
use std::sync::Arc;

/// A compiled path: `$`, `$.a.b`, `$['x y']`, `$.a[0]`, `$.a[-1]`, `$.a[*].b`, `$..b`,
/// slices, unions, filters, `$$.` context paths and `$var` variable paths.
///
/// Parse once with [`Path::parse`] (or [`Path::parse_reference`]); evaluation never looks
/// at the text again. Cloning is cheap (the compiled segments are shared).
#[derive(Clone, Debug)]
pub struct Path {
    text: Arc<str>,
    root: PathRoot,
    compiled: Arc<Compiled>,
}

/// The compiled form of a path after its root.
#[derive(Debug)]
pub(crate) struct Compiled {
    /// The segments, in order.
    pub(crate) segments: Vec<Segment>,
    /// A trailing function such as `.length()`.
    pub(crate) function: Option<Function>,
    /// Jayway's notion of definite: only names and single indices (a union of names is
    /// allowed as the last segment: Jayway merges it into one object).
    pub(crate) definite: bool,
    /// The position of a union of names that is not the last segment: Jayway accepts the
    /// text but fails every evaluation with "Multi properties can only be used as path leafs".
    pub(crate) multi_props_not_leaf: Option<usize>,
    /// For a definite path with no function: the context-object field its first
    /// segments name and how many segments that takes (resolved at parse time, so
    /// a `$$.…` evaluation does not compare names). Only meaningful under `$$`.
    pub(crate) context_field: Option<(ContextField, usize)>,
    /// Only names (`$.a.b.c`): selected by a loop of lookups, no other checks.
    pub(crate) names_only: bool,
    /// Only names and indices `>= 0`, no function: a path ResultPath can write.
    pub(crate) writable: bool,
}

/// A field of the context object that [`Path::eval`] reads without building `$$`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ContextField {
    /// `$$.Execution`
    Execution,
    /// `$$.StateMachine`
    StateMachine,
    /// `$$.State.Name`
    StateName,
    /// `$$.State.EnteredTime`
    StateEnteredTime,
    /// `$$.State.RetryCount`
    StateRetryCount,
    /// `$$.Task.Token`
    TaskToken,
    /// `$$.Map.Item.Index`
    MapItemIndex,
    /// `$$.Map.Item.Value`
    MapItemValue,
}

/// One step of a path.
#[derive(Clone, Debug)]
pub(crate) enum Segment {
    /// `.name` or `['name']`.
    Name(Arc<str>),
    /// `['a','b']`: a union of names.
    Names(Vec<Arc<str>>),
    /// `[n]`; negative counts from the end.
    Index(i64),
    /// `[0,2]`: a union of indices.
    Indices(Vec<i64>),
    /// `.*` or `[*]`.
    Wildcard,
    /// `[start:end:step]`.
    Slice {
        /// The first index (default: the start, or the end for a negative step).
        start: Option<i64>,
        /// One past the last index (default: the end, or before the start for a negative step).
        end: Option<i64>,
        /// The step (never 0; default 1).
        step: i64,
    },
    /// `[?(expr)]`.
    Filter(Box<filter::Expr>),
    /// `..x`: `x` applied to the node and to every node below it.
    Descendant(Box<Segment>),
}

/// A function applied to the result of the path before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Function {
    /// `length()`: array length, object size, string length.
    Length,
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
    ///
    /// ```
    /// use statelang::data::{path::Path, PathRoot};
    /// let p = Path::parse("$$.Execution.Input['detail-type']").unwrap();
    /// assert_eq!(p.root(), &PathRoot::Context);
    /// assert!(Path::parse("$.a b").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Path, PathSyntaxError> {
        let (root, compiled) = parse::parse(text)?;
        Ok(Path {
            text: Arc::from(text),
            root,
            compiled: Arc::new(compiled),
        })
    }

    /// Parses a Reference Path: a definite path of names and indices only.
    ///
    /// Wildcards, slices, unions, filters, `..`, negative indices and functions are
    /// rejected with a message that names what is not allowed.
    ///
    /// ```
    /// use statelang::data::path::Path;
    /// assert!(Path::parse_reference("$.a['b c'][0]").is_ok());
    /// let e = Path::parse_reference("$.a[*]").unwrap_err();
    /// assert!(e.message.contains("wildcard"));
    /// ```
    pub fn parse_reference(text: &str) -> Result<Path, PathSyntaxError> {
        let path = Path::parse(text)?;
        parse::check_reference(text, &path.compiled)?;
        Ok(path)
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
    ///
    /// As in Jayway, a union of names in the last position (`$['a','b']`) is definite: it
    /// selects one object made of those properties.
    pub fn is_definite(&self) -> bool {
        self.compiled.definite
    }

    /// `true` when this path is a Reference Path: only names and indices `>= 0`.
    pub fn is_reference(&self) -> bool {
        parse::check_reference(&self.text, &self.compiled).is_ok()
    }

    /// The canonical form: the root as written, then every segment in brackets
    /// (`$['a'][0][*]`), as Jayway prints paths. Parsing it again gives a path that
    /// selects the same nodes (for names that can be quoted at all; see
    /// [`Path::parse`]: a quoted name is taken verbatim, a backslash only protects the
    /// character after it from ending the name).
    ///
    /// ```
    /// use statelang::data::path::Path;
    /// let p = Path::parse("$.detail-type.items[0]").unwrap();
    /// assert_eq!(p.canonical(), "$['detail-type']['items'][0]");
    /// ```
    pub fn canonical(&self) -> String {
        canonical::path(&self.root, &self.compiled)
    }

    /// Evaluates against the env: resolves the root (`$` → `env.input`, `$$` → the
    /// context object, `$name` → the variable), then selects.
    ///
    /// A missing variable is a [`PathError`].
    #[inline]
    pub fn eval(&self, env: &Env<'_>) -> Result<Val, PathError> {
        match &self.root {
            PathRoot::Input => self.select(env.input),
            PathRoot::Context => match select::from_context(self, env.context) {
                Some(v) => Ok(v),
                None => self.select(&env.context.to_val()),
            },
            PathRoot::Variable(name) => match env.variables.get(name) {
                Some(v) => self.select(&v),
                None => Err(PathError {
                    message: format!(
                        "Invalid path '{}' : The variable '{}' is not defined",
                        self.text, name
                    ),
                }),
            },
        }
    }

    /// The node an input path of names only (`$.a.b`) leads to, when every name is
    /// there: the common case of a template field, without the general evaluation.
    #[inline(always)]
    pub(crate) fn names_in_input<'v>(&self, input: &'v Val) -> Option<&'v Val> {
        let c = &*self.compiled;
        if !c.names_only || !matches!(self.root, PathRoot::Input) {
            return None;
        }
        select::names(&c.segments, input)
    }

    /// Selects from `data` as if it were the root value.
    ///
    /// A definite path returns the one node it names, or Jayway's error
    /// (`No results for path: …`, `Missing property in path …`). An indefinite path
    /// returns an array of the matches, `[]` when there are none, and never fails.
    #[inline]
    pub fn select(&self, data: &Val) -> Result<Val, PathError> {
        select::select(self, data)
    }

    /// Writes `value` at this (reference) path inside `target`, creating missing
    /// intermediate objects, and returns the new document (ResultPath).
    ///
    /// `$` returns `value`. Only the nodes from the root to the written one are copied
    /// (and only when shared); every other subtree stays shared with `target`. An
    /// intermediate that exists but is not an object (or, for `[n]`, not an array long
    /// enough) is `States.ResultPathMatchFailure`:
    /// `Unable to apply ReferencePath <path> to input <compact json>`.
    pub fn write(&self, target: Val, value: Val) -> Result<Val, PathError> {
        write::write(self, target, value)
    }

    /// [`Path::write`], handing the untouched `target` back with the error (a failed
    /// write changes nothing), so a caller can describe it without keeping a copy.
    pub(crate) fn try_write(&self, target: Val, value: Val) -> Result<Val, (PathError, Val)> {
        write::try_write(self, target, value)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
