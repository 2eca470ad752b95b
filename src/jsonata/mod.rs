//! JSONata: the expression language of Step Functions' JSONata mode.
//!
//! Compile once, evaluate many times. Compilation parses the text, runs the same
//! post-parse pass as jsonata-js (paths, predicates, parent `%` resolution, tail-call
//! marking) and resolves library function names to built-ins; evaluation never
//! re-parses or looks built-ins up by name.
//!
//! ```
//! use statelang::jsonata::{Bindings, Expression};
//! use statelang::val;
//!
//! let expr = Expression::compile("$sum($states.input.items.price) & ' EUR'").unwrap();
//! let mut bindings = Bindings::new();
//! bindings.set("states", val!({"input": {"items": [{"price": 2}, {"price": 3.5}]}}));
//! let out = expr.evaluate(None, &bindings).unwrap();
//! assert_eq!(out, Some(val!("5.5 EUR")));
//! ```
//!
//! Evaluation returns `Ok(None)` for JSONata's *undefined*; Step Functions treats that
//! as an error (`States.QueryEvaluationError`), which is the caller's decision.

mod ast;
mod error;
mod eval;
mod functions;
mod lexer;
mod parser;
mod signature;
mod value;

pub use error::JsonataError;
pub use functions::Profile;

use crate::data::random::Random;
use crate::value::Val;
use std::sync::Arc;
use std::time::Duration;

/// The default bound on nested evaluation (jsonata-js's `U1001` stack-overflow guard).
pub const DEFAULT_MAX_DEPTH: usize = 10_000;

/// The default bound on the stack evaluation uses (measured, not estimated: frame sizes
/// differ between debug and release builds), leaving room on a 2 MiB thread.
pub const DEFAULT_MAX_STACK: usize = 1 << 20;

/// A compiled JSONata expression. `Send + Sync`; share it by reference or `Arc`.
#[derive(Debug)]
pub struct Expression {
    root: ast::Node,
    profile: Profile,
    source: Arc<str>,
}

/// Variables and the evaluation environment for one evaluation.
#[derive(Debug)]
pub struct Bindings {
    vars: Vec<(Arc<str>, Val)>,
    random: Option<Arc<Random>>,
    now_millis: Option<i64>,
    max_depth: usize,
    max_stack: usize,
    time_limit: Option<Duration>,
}

impl Default for Bindings {
    fn default() -> Self {
        Bindings::new()
    }
}

impl Bindings {
    /// No variables; entropy-seeded randomness; the clock read at evaluation start.
    pub fn new() -> Bindings {
        Bindings {
            vars: Vec::new(),
            random: None,
            now_millis: None,
            max_depth: DEFAULT_MAX_DEPTH,
            max_stack: DEFAULT_MAX_STACK,
            time_limit: None,
        }
    }

    /// Binds `$name` (e.g. `"states"` for `$states`) to a value.
    pub fn set(&mut self, name: impl Into<Arc<str>>, value: Val) -> &mut Bindings {
        let name = name.into();
        if let Some(slot) = self.vars.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = value;
        } else {
            self.vars.push((name, value));
        }
        self
    }

    /// The randomness source of `$random()`, `$uuid()` and `$shuffle()`.
    pub fn with_random(mut self, random: Arc<Random>) -> Bindings {
        self.random = Some(random);
        self
    }

    /// Fixes the instant `$now()` and `$millis()` report (epoch milliseconds).
    pub fn with_now_millis(mut self, millis: i64) -> Bindings {
        self.now_millis = Some(millis);
        self
    }

    /// Bounds nested evaluation depth (error `U1001` beyond it).
    pub fn with_max_depth(mut self, depth: usize) -> Bindings {
        self.max_depth = depth;
        self
    }

    /// Bounds the thread stack evaluation may use, in bytes (error `U1001` beyond it).
    /// The default suits a 2 MiB thread (tokio's worker default); raise it only on
    /// threads with larger stacks.
    pub fn with_max_stack(mut self, bytes: usize) -> Bindings {
        self.max_stack = bytes;
        self
    }

    /// Bounds evaluation time (error `U1001` beyond it).
    pub fn with_time_limit(mut self, limit: Duration) -> Bindings {
        self.time_limit = Some(limit);
        self
    }
}

impl Expression {
    /// Compiles `text` with the Step Functions function library.
    pub fn compile(text: &str) -> Result<Expression, JsonataError> {
        Expression::compile_with(text, Profile::StepFunctions)
    }

    /// Compiles `text` with the given function library.
    pub fn compile_with(text: &str, profile: Profile) -> Result<Expression, JsonataError> {
        // Runs on the caller's thread: the parser bounds nesting (S0201 beyond it) and
        // keeps its frames small, so even a debug build stays well inside a 2 MiB stack.
        let parsed = parser::parse(text, profile).map_err(|e| e.into_public())?;
        Ok(Expression {
            root: parsed.root,
            profile,
            source: Arc::from(text),
        })
    }

    /// The expression text as compiled.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates against `input` (JSONata's `$`; `None` = undefined) with `bindings`.
    /// `Ok(None)` is undefined. Functions in the result are dropped from containers;
    /// a function as the whole result is undefined.
    pub fn evaluate(
        &self,
        input: Option<&Val>,
        bindings: &Bindings,
    ) -> Result<Option<Val>, JsonataError> {
        let now_millis = bindings.now_millis.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0)
        });
        let mut ctx = eval::Ctx {
            depth: 0,
            max_depth: bindings.max_depth,
            deadline: bindings.time_limit.map(|d| std::time::Instant::now() + d),
            ticks: 0,
            random: bindings.random.as_deref(),
            entropy: None,
            now_millis,
            profile: self.profile,
            stack_base: eval::stack_position(),
            max_stack: bindings.max_stack,
        };
        let env: eval::Env = std::rc::Rc::new(eval::Frame::default());
        let input = input.map(|v| {
            let v = value::Value::from_val(v);
            match &v {
                value::Value::Array(a) => value::Value::array_flags(
                    vec![value::Value::Array(a.clone())],
                    value::SEQUENCE | value::OUTER_WRAPPER,
                ),
                _ => v,
            }
        });
        eval::bind(&env, &Arc::from("$"), input.clone());
        for (name, v) in &bindings.vars {
            eval::bind(&env, name, Some(value::Value::from_val(v)));
        }
        let result = ctx
            .evaluate(&self.root, input.as_ref(), &env)
            .map_err(|e| e.into_public())?;
        Ok(result.and_then(|v| v.to_val()))
    }
}
