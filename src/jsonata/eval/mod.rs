//! The evaluator: walks the processed tree (jsonata-js's `evaluate`), split by concern.

mod call;
mod operators;
mod path;
mod sort_group;
mod transform;

use super::ast::{Kind, Node, Stage};
use super::error::Error;
use super::functions::{self, Builtin, Profile};
use super::value::{Value, KEEP_SINGLETON, OUTER_WRAPPER, SEQUENCE, TUPLE_STREAM};
use crate::data::random::Random;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

pub(crate) use call::arity;
pub(crate) use operators::cmp_js_strings;
pub(crate) use sort_group::merge_sort;
pub(crate) use transform::deep_clone;

/// An evaluation result: `None` is undefined.
pub(crate) type R = Result<Option<Value>, Error>;

/// A variable frame.
#[derive(Debug, Default)]
pub(crate) struct Frame {
    vars: RefCell<Vec<(Arc<str>, Option<Value>)>>,
    parent: Option<Env>,
}

/// A shared environment (chain of frames).
pub(crate) type Env = Rc<Frame>;

/// Creates a child frame.
pub(crate) fn child(parent: &Env) -> Env {
    Rc::new(Frame {
        vars: RefCell::new(Vec::new()),
        parent: Some(parent.clone()),
    })
}

/// Binds `name` in this frame.
pub(crate) fn bind(env: &Env, name: &Arc<str>, v: Option<Value>) {
    let mut vars = env.vars.borrow_mut();
    if let Some(slot) = vars.iter_mut().find(|(n, _)| n == name) {
        slot.1 = v;
    } else {
        vars.push((name.clone(), v));
    }
}

/// Looks `name` up through the frames.
pub(crate) fn lookup(env: &Env, name: &str) -> Option<Value> {
    let mut e = Some(env);
    while let Some(f) = e {
        if let Some((_, v)) = f.vars.borrow().iter().find(|(n, _)| &**n == name) {
            return v.clone();
        }
        e = f.parent.as_ref();
    }
    None
}

/// Per-evaluation state: limits, clock, randomness, profile.
pub(crate) struct Ctx<'a> {
    pub depth: usize,
    pub max_depth: usize,
    pub deadline: Option<Instant>,
    pub ticks: u32,
    /// The caller's randomness source, if it supplied one.
    pub random: Option<&'a Random>,
    /// An entropy-seeded source, created on first use when the caller supplied none
    /// (seeding costs a system call, and most evaluations never draw a number).
    pub entropy: Option<Random>,
    pub now_millis: i64,
    pub profile: Profile,
    /// Address of a local in the frame that started evaluation.
    pub stack_base: usize,
    /// The most stack (bytes) evaluation may use below `stack_base`.
    pub max_stack: usize,
}

/// The address of a local of the caller's frame: how deep the stack is right now.
#[inline(never)]
pub(crate) fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(std::ptr::addr_of!(marker)) as usize
}

impl Ctx<'_> {
    /// The randomness source of `$random()`, `$uuid()` and `$shuffle()`.
    pub fn random(&mut self) -> &Random {
        if let Some(r) = self.random {
            return r;
        }
        self.entropy.get_or_insert_with(Random::from_entropy)
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > self.max_depth
            || stack_position().abs_diff(self.stack_base) > self.max_stack
        {
            return Err(Error::new("U1001"));
        }
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks % 256 == 0 {
            if let Some(d) = self.deadline {
                if Instant::now() > d {
                    return Err(Error::new("U1001").message(
                        "Expression evaluation timeout: Check for infinite loop".to_string(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Checks the time limit (for long-running loops inside functions).
    pub fn check_time(&mut self) -> Result<(), Error> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks % 1024 == 0 {
            if let Some(d) = self.deadline {
                if Instant::now() > d {
                    return Err(Error::new("U1001").message(
                        "Expression evaluation timeout: Check for infinite loop".to_string(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Evaluates `expr` against `input` in `env`.
    pub fn evaluate(&mut self, expr: &Node, input: Option<&Value>, env: &Env) -> R {
        if let Err(e) = self.enter() {
            self.depth -= 1;
            return Err(e);
        }
        let r = self.eval_inner(expr, input, env);
        self.depth -= 1;
        r
    }

    fn eval_inner(&mut self, expr: &Node, input: Option<&Value>, env: &Env) -> R {
        let result = self.dispatch(expr, input, env)?;
        self.post_process(expr, result, env)
    }

    /// One small frame per node kind: debug builds give every temporary of a large
    /// `match` its own stack slot, so the arms live in separate functions.
    fn dispatch(&mut self, expr: &Node, input: Option<&Value>, env: &Env) -> R {
        match &expr.kind {
            Kind::Path(steps) => self.evaluate_path(expr, steps, input, env),
            Kind::Binary(op, l, r) => self.evaluate_binary(expr, *op, l, r, input, env),
            Kind::Call(..) => self.evaluate_function(expr, input, env, None),
            Kind::Condition(c, t, e) => self.evaluate_condition(c, t, e.as_deref(), input, env),
            Kind::Block(exprs) => self.evaluate_block(exprs, input, env),
            Kind::Variable(name, builtin) => Ok(self.evaluate_variable(name, *builtin, input, env)),
            _ => self.evaluate_other(expr, input, env),
        }
    }

    #[inline(never)]
    fn evaluate_condition(
        &mut self,
        c: &Node,
        t: &Node,
        e: Option<&Node>,
        input: Option<&Value>,
        env: &Env,
    ) -> R {
        let cond = self.evaluate(c, input, env)?;
        if functions::boolean::to_bool(cond.as_ref()) == Some(true) {
            self.evaluate(t, input, env)
        } else if let Some(e) = e {
            self.evaluate(e, input, env)
        } else {
            Ok(None)
        }
    }

    #[inline(never)]
    fn evaluate_block(&mut self, exprs: &[Node], input: Option<&Value>, env: &Env) -> R {
        let frame = child(env);
        let mut r = None;
        for e in exprs {
            r = self.evaluate(e, input, &frame)?;
        }
        Ok(r)
    }

    #[inline(never)]
    fn evaluate_other(&mut self, expr: &Node, input: Option<&Value>, env: &Env) -> R {
        let result = match &expr.kind {
            Kind::Path(steps) => self.evaluate_path(expr, steps, input, env)?,
            Kind::Binary(op, l, r) => self.evaluate_binary(expr, *op, l, r, input, env)?,
            Kind::Negate(e) => match self.evaluate(e, input, env)? {
                None => None,
                Some(Value::Number(n)) => Some(Value::Number(-n)),
                Some(v) => {
                    return Err(Error::new("D1002")
                        .pos(expr.position)
                        .token("-")
                        .value(v.describe()))
                }
            },
            Kind::ArrayCons(items) => {
                let mut out: Vec<Value> = Vec::new();
                for item in items {
                    let v = self.evaluate(item, input, env)?;
                    if let Some(v) = v {
                        if matches!(item.kind, Kind::ArrayCons(_)) {
                            out.push(v);
                        } else {
                            match v {
                                Value::Array(a) => out.extend(a.items.iter().cloned()),
                                v => out.push(v),
                            }
                        }
                    }
                }
                let flags = if expr.consarray {
                    super::value::CONS
                } else {
                    0
                };
                Some(Value::array_flags(out, flags))
            }
            Kind::ObjectCons(pairs) => {
                Some(self.evaluate_group(pairs, expr.position, input.cloned(), env)?)
            }
            Kind::Name(name) => lookup_field(input, name),
            Kind::Str(s) => Some(Value::String(s.clone())),
            Kind::Num(n) => Some(Value::Number(*n)),
            Kind::Bool(b) => Some(Value::Bool(*b)),
            Kind::Null => Some(Value::Null),
            Kind::Wildcard => Some(wildcard(input)),
            Kind::Descendant => descendants(input),
            Kind::Parent(_) => match &expr.label {
                Some(l) => lookup(env, l),
                None => None,
            },
            Kind::Condition(c, t, e) => {
                let cond = self.evaluate(c, input, env)?;
                if functions::boolean::to_bool(cond.as_ref()) == Some(true) {
                    self.evaluate(t, input, env)?
                } else if let Some(e) = e {
                    self.evaluate(e, input, env)?
                } else {
                    None
                }
            }
            Kind::Block(exprs) => {
                let frame = child(env);
                let mut r = None;
                for e in exprs {
                    r = self.evaluate(e, input, &frame)?;
                }
                r
            }
            Kind::Bind(name, rhs) => {
                let v = self.evaluate(rhs, input, env)?;
                bind(env, name, v.clone());
                v
            }
            Kind::Regex(re, _) => Some(Value::Function(Rc::new(super::value::Func::Regex(
                re.clone(),
            )))),
            Kind::Call(..) => self.evaluate_function(expr, input, env, None)?,
            Kind::Partial(p, args) => self.evaluate_partial(expr, p, args, input, env)?,
            Kind::Lambda(def) => Some(Value::Function(Rc::new(super::value::Func::Lambda {
                def: def.clone(),
                input: input.cloned(),
                env: env.clone(),
            }))),
            Kind::Variable(name, builtin) => self.evaluate_variable(name, *builtin, input, env),
            Kind::Apply(l, r) => self.evaluate_apply(expr, l, r, input, env)?,
            Kind::Transform(def) => Some(Value::Function(Rc::new(super::value::Func::Transform(
                def.clone(),
                env.clone(),
            )))),
            Kind::Sort(_) => {
                let items = input.map(|v| v.items()).unwrap_or_default();
                Some(self.evaluate_sort(expr, items, false, env)?)
            }
            Kind::RawDot(..)
            | Kind::RawFilter(..)
            | Kind::RawGroup(..)
            | Kind::RawSort(..)
            | Kind::RawFocus(..)
            | Kind::RawIndex(..)
            | Kind::RawTransform(..) => {
                return Err(Error::new("S0206").pos(expr.position));
            }
        };

        Ok(result)
    }

    #[inline(never)]
    fn post_process(&mut self, expr: &Node, result: Option<Value>, env: &Env) -> R {
        let mut result = result;
        for stage in &expr.predicate {
            if let Stage::Filter(p) = stage {
                result = Some(self.evaluate_filter(p, result, env)?);
            }
        }
        if !matches!(expr.kind, Kind::Path(_)) {
            if let Some(g) = &expr.group {
                result = Some(self.evaluate_group(&g.pairs, g.position, result, env)?);
            }
        }
        if let Some(Value::Array(a)) = &result {
            if a.has(SEQUENCE) && !a.has(TUPLE_STREAM) {
                if expr.keep_array {
                    a.set(KEEP_SINGLETON);
                }
                if a.items.is_empty() {
                    return Ok(None);
                } else if a.items.len() == 1 && !a.has(KEEP_SINGLETON) {
                    return Ok(Some(a.items[0].clone()));
                }
            }
        }
        Ok(result)
    }

    fn evaluate_variable(
        &mut self,
        name: &Arc<str>,
        builtin: Option<Builtin>,
        input: Option<&Value>,
        env: &Env,
    ) -> Option<Value> {
        if let Some(b) = builtin {
            return Some(Value::Function(Rc::new(super::value::Func::Builtin(b))));
        }
        if name.is_empty() {
            return match input {
                Some(Value::Array(a)) if a.has(OUTER_WRAPPER) => a.items.first().cloned(),
                other => other.cloned(),
            };
        }
        if let Some(v) = lookup(env, name) {
            return Some(v);
        }
        // A library function whose name is also bound somewhere in the expression.
        Builtin::lookup(name, self.profile)
            .map(|b| Value::Function(Rc::new(super::value::Func::Builtin(b))))
    }
}

/// `fn.lookup`: field of an object, or of every object in an array (flattened).
pub(crate) fn lookup_field(input: Option<&Value>, key: &str) -> Option<Value> {
    match input? {
        Value::Array(a) => {
            let mut out = Vec::new();
            for item in &a.items {
                match lookup_field(Some(item), key) {
                    Some(Value::Array(r)) => out.extend(r.items.iter().cloned()),
                    Some(v) => out.push(v),
                    None => {}
                }
            }
            Some(Value::seq(out))
        }
        v @ Value::Object(_) => v.field(key),
        Value::Tuple(t) => lookup_field(t.at.as_ref(), key),
        _ => None,
    }
}

fn flatten_into(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(a) => a.items.iter().for_each(|i| flatten_into(i, out)),
        v => out.push(v.clone()),
    }
}

fn wildcard(input: Option<&Value>) -> Value {
    let mut out = Vec::new();
    let mut seq = true;
    let input = match input {
        Some(Value::Array(a)) if a.has(OUTER_WRAPPER) && !a.items.is_empty() => {
            Some(a.items[0].clone())
        }
        other => other.cloned(),
    };
    match &input {
        Some(o @ Value::Object(_)) => {
            for (_, v) in o.entries() {
                if v.is_array() {
                    flatten_into(&v, &mut out);
                    seq = false;
                } else {
                    out.push(v);
                }
            }
        }
        Some(Value::Array(a)) => {
            for v in &a.items {
                if v.is_array() {
                    flatten_into(v, &mut out);
                    seq = false;
                } else {
                    out.push(v.clone());
                }
            }
        }
        _ => {}
    }
    if seq {
        Value::seq(out)
    } else {
        Value::array(out)
    }
}

fn recurse_descendants(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(a) => a.items.iter().for_each(|i| recurse_descendants(i, out)),
        o @ Value::Object(_) => {
            out.push(o.clone());
            for (_, child) in o.entries() {
                recurse_descendants(&child, out);
            }
        }
        other => out.push(other.clone()),
    }
}

fn descendants(input: Option<&Value>) -> Option<Value> {
    let input = input?;
    let mut out = Vec::new();
    recurse_descendants(input, &mut out);
    if out.len() == 1 {
        out.pop()
    } else {
        Some(Value::seq(out))
    }
}

/// `fn.append`.
pub(crate) fn append(a: Option<Value>, b: Option<Value>) -> Option<Value> {
    match (a, b) {
        (None, b) => b,
        (a, None) => a,
        (Some(a), Some(b)) => {
            let mut items = a.items();
            match b {
                Value::Array(x) => items.extend(x.items.iter().cloned()),
                v => items.push(v),
            }
            Some(Value::array(items))
        }
    }
}
