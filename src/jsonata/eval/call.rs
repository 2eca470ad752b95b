//! Function calls, lambdas and closures, partial application, `~>`, and the
//! tail-call trampoline.

use super::{bind, child, lookup, Ctx, Env, R};
use crate::jsonata::ast::{Kind, Node};
use crate::jsonata::error::Error;
use crate::jsonata::functions;
use crate::jsonata::value::{Func, Value};
use std::rc::Rc;

/// The number of arguments a function value takes (what higher-order functions pass).
pub(crate) fn arity(f: &Value) -> usize {
    match f {
        Value::Function(func) => match &**func {
            Func::Builtin(b) => b.arity(),
            Func::Lambda { def, .. } => def.params.len(),
            Func::Partial { args, .. } => args.iter().filter(|a| a.is_none()).count(),
            Func::Regex(_) | Func::Chain(..) | Func::Transform(..) => 1,
        },
        _ => 0,
    }
}

impl Ctx<'_> {
    /// Evaluates a call node; `apply_to` is the left side of `~>`.
    pub(super) fn evaluate_function(
        &mut self,
        expr: &Node,
        input: Option<&Value>,
        env: &Env,
        apply_to: Option<Option<Value>>,
    ) -> R {
        let Kind::Call(procedure, arg_nodes) = &expr.kind else {
            return Ok(None);
        };
        let proc = self.evaluate(procedure, input, env)?;
        if proc.is_none() {
            if let Kind::Path(steps) = &procedure.kind {
                if let Some(Kind::Name(n)) = steps.first().map(|s| &s.kind) {
                    if lookup(env, n).is_some()
                        || crate::jsonata::functions::Builtin::lookup(n, self.profile).is_some()
                    {
                        return Err(Error::new("T1005").pos(expr.position).token(n.to_string()));
                    }
                }
            }
        }
        let mut args = Vec::with_capacity(arg_nodes.len() + 1);
        if let Some(a) = apply_to {
            args.push(a);
        }
        for a in arg_nodes {
            args.push(self.evaluate(a, input, env)?);
        }
        let name = procedure.proc_name();
        self.apply(proc.as_ref(), args, input, env)
            .map_err(|mut e| {
                if e.position.is_none() {
                    e.position = Some(expr.position);
                }
                if e.token.is_none() {
                    e.token = Some(name.clone());
                }
                e
            })
    }

    pub(super) fn evaluate_partial(
        &mut self,
        expr: &Node,
        procedure: &Node,
        arg_nodes: &[Option<Node>],
        input: Option<&Value>,
        env: &Env,
    ) -> R {
        let mut args = Vec::with_capacity(arg_nodes.len());
        for a in arg_nodes {
            match a {
                Some(a) => args.push(Some(self.evaluate(a, input, env)?)),
                None => args.push(None),
            }
        }
        let proc = self.evaluate(procedure, input, env)?;
        match proc {
            Some(f @ Value::Function(_)) => Ok(Some(Value::Function(Rc::new(Func::Partial {
                func: f,
                args,
            })))),
            None => {
                if let Kind::Path(steps) = &procedure.kind {
                    if let Some(Kind::Name(n)) = steps.first().map(|s| &s.kind) {
                        if lookup(env, n).is_some()
                            || functions::Builtin::lookup(n, self.profile).is_some()
                        {
                            return Err(Error::new("T1007")
                                .pos(expr.position)
                                .token(n.to_string()));
                        }
                    }
                }
                Err(Error::new("T1008")
                    .pos(expr.position)
                    .token(procedure.proc_name()))
            }
            Some(_) => Err(Error::new("T1008")
                .pos(expr.position)
                .token(procedure.proc_name())),
        }
    }

    pub(super) fn evaluate_apply(
        &mut self,
        expr: &Node,
        l: &Node,
        r: &Node,
        input: Option<&Value>,
        env: &Env,
    ) -> R {
        let lhs = self.evaluate(l, input, env)?;
        if let Kind::Call(..) = r.kind {
            return self.evaluate_function(r, input, env, Some(lhs));
        }
        let func = self.evaluate(r, input, env)?;
        let Some(func @ Value::Function(_)) = func else {
            return Err(Error::new("T2006")
                .pos(expr.position)
                .value(func.map(|f| f.describe()).unwrap_or_default()));
        };
        if let Some(f @ Value::Function(_)) = lhs {
            return Ok(Some(Value::Function(Rc::new(Func::Chain(f, func)))));
        }
        self.apply(Some(&func), vec![lhs], None, env)
    }

    /// Applies a function value to arguments, running tail calls in a loop.
    pub(crate) fn apply(
        &mut self,
        proc: Option<&Value>,
        args: Vec<Option<Value>>,
        input: Option<&Value>,
        env: &Env,
    ) -> R {
        let mut result = self.apply_inner(proc, args, input, env)?;
        loop {
            let thunk = match &result {
                Some(Value::Function(f)) => match &**f {
                    Func::Lambda {
                        def,
                        input: tin,
                        env: tenv,
                    } if def.thunk => Some((def.clone(), tin.clone(), tenv.clone())),
                    _ => None,
                },
                _ => None,
            };
            let Some((def, tin, tenv)) = thunk else { break };
            let Kind::Call(procedure, arg_nodes) = &def.body.kind else {
                break;
            };
            let next = self.evaluate(procedure, tin.as_ref(), &tenv)?;
            let mut args = Vec::with_capacity(arg_nodes.len());
            for a in arg_nodes {
                args.push(self.evaluate(a, tin.as_ref(), &tenv)?);
            }
            let name = procedure.proc_name();
            let pos = def.body.position;
            result = self
                .apply_inner(next.as_ref(), args, input, env)
                .map_err(|mut e| {
                    if e.position.is_none() {
                        e.position = Some(pos);
                    }
                    if e.token.is_none() {
                        e.token = Some(name.clone());
                    }
                    e
                })?;
        }
        Ok(result)
    }

    fn apply_inner(
        &mut self,
        proc: Option<&Value>,
        args: Vec<Option<Value>>,
        input: Option<&Value>,
        env: &Env,
    ) -> R {
        let Some(Value::Function(f)) = proc else {
            return Err(Error::new("T1006"));
        };
        match &**f {
            Func::Builtin(b) => {
                let args = b.signature().validate(&args, input)?;
                functions::call(self, *b, args, input, env)
            }
            Func::Lambda {
                def,
                input: lin,
                env: lenv,
            } => {
                let args = match &def.signature {
                    Some(sig) => sig.validate(&args, input)?,
                    None => args,
                };
                if self.depth + 1 > self.max_depth {
                    return Err(Error::new("U1001"));
                }
                let frame = child(lenv);
                for (i, p) in def.params.iter().enumerate() {
                    bind(&frame, p, args.get(i).cloned().flatten());
                }
                self.evaluate(&def.body, lin.as_ref(), &frame)
            }
            Func::Partial { func, args: bound } => {
                let mut supplied = args.into_iter();
                let full: Vec<Option<Value>> = bound
                    .iter()
                    .map(|a| match a {
                        Some(v) => v.clone(),
                        None => supplied.next().flatten(),
                    })
                    .collect();
                self.apply(Some(func), full, input, env)
            }
            Func::Regex(re) => {
                let s = match args.first() {
                    Some(Some(Value::String(s))) => s.clone(),
                    _ => return Ok(None),
                };
                Ok(functions::string::regex_match_object(re, &s, 0))
            }
            Func::Chain(f, g) => {
                let r = self.apply(Some(f), args, input, env)?;
                self.apply(Some(g), vec![r], input, env)
            }
            Func::Transform(def, tenv) => {
                let arg = args.into_iter().next().flatten();
                self.transform(def, arg, tenv)
            }
        }
    }
}
