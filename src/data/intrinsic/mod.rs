//! Intrinsic functions (`States.Format(...)` and the 17 others), compiled once.
//!
//! [`Intrinsic::parse`] turns the text of a `.$` value such as
//! `States.Format('Hello {}', $.name)` into a call tree: the function is resolved to a
//! [`Function`] variant, literals become [`Val`]s, paths become compiled
//! [`Path`]s, and per-function work that depends only on literals (the pieces of a
//! literal `States.Format` template, the algorithm of a literal `States.Hash`) is done
//! then. [`Intrinsic::eval`] only walks the tree: it does no name lookups and no
//! parsing of the definition text.
//!
//! ```
//! use statelang::data::intrinsic::Intrinsic;
//! let call = Intrinsic::parse("States.MathAdd(1.5, 2)").unwrap();
//! assert_eq!(call.text(), "States.MathAdd(1.5, 2)");
//! ```
//!
//! Failures at run time are `States.IntrinsicFailure`, except a path argument that
//! does not resolve, which is `States.Runtime` (as AWS treats path misses).

mod arrays;
mod encoding;
mod format;
mod json;
mod math;
mod parse;
mod strings;

use super::path::Path;
use super::{Env, PathRoot};
use crate::error::StatesError;
use crate::value::Val;
use std::fmt;
use std::sync::Arc;

pub use arrays::MAX_RANGE_ITEMS;
pub use encoding::{HashAlgorithm, MAX_INPUT_CHARS};

/// The most intrinsic function calls one field may contain, nested calls included.
pub const MAX_CALLS: usize = 10;

/// A compiled intrinsic function call, e.g. `States.Format('{}', $.x)`.
#[derive(Clone, Debug)]
pub struct Intrinsic {
    text: Arc<str>,
    call: Call,
}

/// The 18 intrinsic functions AWS Step Functions offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    /// `States.Format(template, args...)`.
    Format,
    /// `States.StringToJson(string)`.
    StringToJson,
    /// `States.JsonToString(value)`.
    JsonToString,
    /// `States.Array(values...)`.
    Array,
    /// `States.ArrayPartition(array, size)`.
    ArrayPartition,
    /// `States.ArrayContains(array, value)`.
    ArrayContains,
    /// `States.ArrayRange(first, last, step)`.
    ArrayRange,
    /// `States.ArrayGetItem(array, index)`.
    ArrayGetItem,
    /// `States.ArrayLength(array)`.
    ArrayLength,
    /// `States.ArrayUnique(array)`.
    ArrayUnique,
    /// `States.Base64Encode(string)`.
    Base64Encode,
    /// `States.Base64Decode(string)`.
    Base64Decode,
    /// `States.Hash(data, algorithm)`.
    Hash,
    /// `States.JsonMerge(object, object, false)`.
    JsonMerge,
    /// `States.MathRandom(start, end[, seed])`.
    MathRandom,
    /// `States.MathAdd(a, b)`.
    MathAdd,
    /// `States.StringSplit(string, delimiters)`.
    StringSplit,
    /// `States.UUID()`.
    Uuid,
}

impl Function {
    /// All 18 functions.
    pub const ALL: [Function; 18] = [
        Function::Format,
        Function::StringToJson,
        Function::JsonToString,
        Function::Array,
        Function::ArrayPartition,
        Function::ArrayContains,
        Function::ArrayRange,
        Function::ArrayGetItem,
        Function::ArrayLength,
        Function::ArrayUnique,
        Function::Base64Encode,
        Function::Base64Decode,
        Function::Hash,
        Function::JsonMerge,
        Function::MathRandom,
        Function::MathAdd,
        Function::StringSplit,
        Function::Uuid,
    ];

    /// The full name, e.g. `States.Format`.
    pub fn name(self) -> &'static str {
        match self {
            Function::Format => "States.Format",
            Function::StringToJson => "States.StringToJson",
            Function::JsonToString => "States.JsonToString",
            Function::Array => "States.Array",
            Function::ArrayPartition => "States.ArrayPartition",
            Function::ArrayContains => "States.ArrayContains",
            Function::ArrayRange => "States.ArrayRange",
            Function::ArrayGetItem => "States.ArrayGetItem",
            Function::ArrayLength => "States.ArrayLength",
            Function::ArrayUnique => "States.ArrayUnique",
            Function::Base64Encode => "States.Base64Encode",
            Function::Base64Decode => "States.Base64Decode",
            Function::Hash => "States.Hash",
            Function::JsonMerge => "States.JsonMerge",
            Function::MathRandom => "States.MathRandom",
            Function::MathAdd => "States.MathAdd",
            Function::StringSplit => "States.StringSplit",
            Function::Uuid => "States.UUID",
        }
    }

    /// The function with this full name (`States.Format`), if there is one.
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The accepted argument counts, as an inclusive range (`usize::MAX`: no maximum).
    pub fn arity(self) -> (usize, usize) {
        match self {
            Function::Format => (1, usize::MAX),
            Function::Array => (0, usize::MAX),
            Function::Uuid => (0, 0),
            Function::StringToJson
            | Function::JsonToString
            | Function::ArrayLength
            | Function::ArrayUnique
            | Function::Base64Encode
            | Function::Base64Decode => (1, 1),
            Function::ArrayPartition
            | Function::ArrayContains
            | Function::ArrayGetItem
            | Function::Hash
            | Function::MathAdd
            | Function::StringSplit => (2, 2),
            Function::ArrayRange | Function::JsonMerge => (3, 3),
            Function::MathRandom => (2, 3),
        }
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an intrinsic function call's text was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {offset})")]
pub struct IntrinsicSyntaxError {
    /// What is wrong, for a person.
    pub message: String,
    /// The byte offset in the text where the problem was found.
    pub offset: usize,
}

/// One call in the tree: the function, its arguments and literal-only precomputation.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) func: Function,
    pub(crate) args: Vec<Arg>,
    pub(crate) prepared: Prepared,
}

/// Work done at parse time for literal arguments.
#[derive(Clone, Debug)]
pub(crate) enum Prepared {
    /// Nothing to precompute.
    None,
    /// A literal `States.Format` template, split at its `{}` placeholders.
    FormatPieces(Vec<Box<str>>),
    /// A literal `States.Hash` algorithm.
    Hash(HashAlgorithm),
}

/// One argument.
#[derive(Clone, Debug)]
pub(crate) enum Arg {
    /// A string, number, boolean or null literal.
    Literal(Val),
    /// A path (`$...`, `$$...` or `$var...`).
    Path(Path),
    /// A nested call.
    Call(Box<Call>),
}

impl Intrinsic {
    /// Parses an intrinsic function call (CHECKLIST §13.2): one `States.Name(args)`
    /// call with string, number, boolean, null, path and nested-call arguments, at most
    /// [`MAX_CALLS`] calls in all. Unknown functions, wrong argument counts and
    /// literal arguments of the wrong type are rejected here.
    pub fn parse(text: &str) -> Result<Intrinsic, IntrinsicSyntaxError> {
        let call = parse::parse(text)?;
        Ok(Intrinsic {
            text: Arc::from(text),
            call,
        })
    }

    /// `true` when `text` is meant as an intrinsic call rather than a path: it starts
    /// with `States.`.
    pub fn is_intrinsic(text: &str) -> bool {
        text.starts_with("States.")
    }

    /// The source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The outermost function.
    pub fn function(&self) -> Function {
        self.call.func
    }

    /// Evaluates the call against the env.
    pub fn eval(&self, env: &Env<'_>) -> Result<Val, StatesError> {
        self.call.eval(env)
    }

    /// Appends the names of the workflow variables that the call's paths read
    /// (paths rooted at `$name`), in source order.
    pub fn variable_references(&self, out: &mut Vec<Arc<str>>) {
        self.call.variable_references(out);
    }
}

impl fmt::Display for Intrinsic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Call {
    fn eval(&self, env: &Env<'_>) -> Result<Val, StatesError> {
        // Up to four arguments are evaluated into a stack buffer (no allocation),
        // sized for the common one- and two-argument calls.
        let n = self.args.len();
        if n <= 2 {
            let mut small: [Val; 2] = Default::default();
            for (slot, arg) in small.iter_mut().zip(&self.args) {
                *slot = arg.eval(env)?;
            }
            self.apply(&small[..n], env)
        } else if n <= 4 {
            let mut small: [Val; 4] = Default::default();
            for (slot, arg) in small.iter_mut().zip(&self.args) {
                *slot = arg.eval(env)?;
            }
            self.apply(&small[..n], env)
        } else {
            let mut large = Vec::with_capacity(n);
            for arg in &self.args {
                large.push(arg.eval(env)?);
            }
            self.apply(&large, env)
        }
    }

    fn apply(&self, args: &[Val], env: &Env<'_>) -> Result<Val, StatesError> {
        match self.func {
            Function::Format => format::format(self, args),
            Function::StringToJson => json::string_to_json(args),
            Function::JsonToString => Ok(json::json_to_string(args)),
            Function::Array => Ok(Val::array(args.to_vec())),
            Function::ArrayPartition => arrays::partition(args),
            Function::ArrayContains => arrays::contains(args),
            Function::ArrayRange => arrays::range(args),
            Function::ArrayGetItem => arrays::get_item(args),
            Function::ArrayLength => arrays::length(args),
            Function::ArrayUnique => arrays::unique(args),
            Function::Base64Encode => encoding::base64_encode(args),
            Function::Base64Decode => encoding::base64_decode(args),
            Function::Hash => encoding::hash(self, args),
            Function::JsonMerge => json::merge(args),
            Function::MathRandom => math::random(args, env),
            Function::MathAdd => math::add(args),
            Function::StringSplit => strings::split(args),
            Function::Uuid => Ok(Val::string(env.random.uuid_v4())),
        }
    }

    fn variable_references(&self, out: &mut Vec<Arc<str>>) {
        for arg in &self.args {
            match arg {
                Arg::Literal(_) => {}
                Arg::Path(path) => {
                    if let PathRoot::Variable(name) = path.root() {
                        out.push(name.clone());
                    }
                }
                Arg::Call(call) => call.variable_references(out),
            }
        }
    }
}

impl Arg {
    /// A literal, or a path of names found in the input, is cloned in place (no
    /// call, nothing returned through memory); the rest is [`Arg::eval_general`].
    #[inline(always)]
    fn eval(&self, env: &Env<'_>) -> Result<Val, StatesError> {
        match self {
            Arg::Literal(v) => Ok(v.clone()),
            Arg::Path(path) => match path.names_in_input(env.input) {
                Some(v) => Ok(v.clone()),
                None => self.eval_general(env),
            },
            Arg::Call(_) => self.eval_general(env),
        }
    }

    /// [`Arg::eval`] for a nested call or the general path evaluation.
    #[inline(never)]
    fn eval_general(&self, env: &Env<'_>) -> Result<Val, StatesError> {
        match self {
            Arg::Literal(v) => Ok(v.clone()),
            Arg::Path(path) => path.eval(env).map_err(|e| StatesError::runtime(e.message)),
            Arg::Call(call) => call.eval(env),
        }
    }
}

// ---- helpers shared by the function files -------------------------------------

/// `States.IntrinsicFailure` for `func` with a reason.
pub(crate) fn failure(func: Function, reason: impl fmt::Display) -> StatesError {
    StatesError::intrinsic(format!("Invalid arguments in {func}: {reason}"))
}

/// "a string", "an array", ...: the JSON type of a value with its article.
pub(crate) fn type_phrase(v: &Val) -> &'static str {
    use crate::value::JsonType;
    match v.json_type() {
        JsonType::Null => "null",
        JsonType::Boolean => "a boolean",
        JsonType::Number => "a number",
        JsonType::String => "a string",
        JsonType::Array => "an array",
        JsonType::Object => "an object",
    }
}

/// The argument as a string, or a failure naming its position.
pub(crate) fn expect_str(func: Function, args: &[Val], i: usize) -> Result<&str, StatesError> {
    match args.get(i) {
        Some(Val::String(s)) => Ok(s),
        Some(v) => Err(failure(
            func,
            format!(
                "argument {} must be a string but was {}",
                i + 1,
                type_phrase(v)
            ),
        )),
        None => Err(failure(func, format!("argument {} is missing", i + 1))),
    }
}

/// The argument as an array, or a failure naming its position.
pub(crate) fn expect_array(func: Function, args: &[Val], i: usize) -> Result<&[Val], StatesError> {
    match args.get(i) {
        Some(Val::Array(a)) => Ok(a.items()),
        Some(v) => Err(failure(
            func,
            format!(
                "argument {} must be an array but was {}",
                i + 1,
                type_phrase(v)
            ),
        )),
        None => Err(failure(func, format!("argument {} is missing", i + 1))),
    }
}

/// The argument as a number (`f64`), or a failure naming its position.
pub(crate) fn expect_number(func: Function, args: &[Val], i: usize) -> Result<f64, StatesError> {
    match args.get(i) {
        Some(v @ Val::Number(_)) => v
            .as_f64()
            .ok_or_else(|| failure(func, format!("argument {} is not a finite number", i + 1))),
        Some(v) => Err(failure(
            func,
            format!(
                "argument {} must be a number but was {}",
                i + 1,
                type_phrase(v)
            ),
        )),
        None => Err(failure(func, format!("argument {} is missing", i + 1))),
    }
}

/// The argument as an integer: a number with no fractional part that fits in `i64`.
pub(crate) fn expect_integer(func: Function, args: &[Val], i: usize) -> Result<i64, StatesError> {
    if let Some(n) = args.get(i).and_then(Val::as_i64) {
        return Ok(n);
    }
    let f = expect_number(func, args, i)?;
    if f.fract() == 0.0 && (-9.2e18..=9.2e18).contains(&f) {
        Ok(f as i64)
    } else {
        Err(failure(
            func,
            format!("argument {} must be an integer but was {}", i + 1, args[i]),
        ))
    }
}

/// Java's `Math.round(double)`: the closest integer, ties toward positive infinity,
/// saturating at the `i64` range (NaN gives 0).
pub(crate) fn java_round(x: f64) -> i64 {
    if x.is_nan() {
        return 0;
    }
    let floor = x.floor();
    let r = if x - floor >= 0.5 { floor + 1.0 } else { floor };
    // `as` saturates for out-of-range floats.
    r as i64
}

#[cfg(test)]
mod tests;
