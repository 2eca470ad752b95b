//! Paths: steps, tuple streams (`@`, `#`, `%`), predicates and stages.

use super::{bind, child, Ctx, Env, R};
use crate::jsonata::ast::{Kind, Node, Stage};
use crate::jsonata::error::Error;
use crate::jsonata::functions::boolean::to_bool;
use crate::jsonata::value::{Tuple, Value, CONS, KEEP_SINGLETON, SEQUENCE, TUPLE_STREAM};
use std::rc::Rc;

fn tuple_env(env: &Env, t: &Tuple) -> Env {
    let frame = child(env);
    for (n, v) in &t.binds {
        bind(&frame, n, v.clone());
    }
    frame
}

fn as_tuple(v: &Value) -> Tuple {
    match v {
        Value::Tuple(t) => (**t).clone(),
        other => Tuple {
            at: Some(other.clone()),
            binds: Vec::new(),
        },
    }
}

impl Ctx<'_> {
    pub(super) fn evaluate_path(
        &mut self,
        expr: &Node,
        steps: &[Node],
        input: Option<&Value>,
        env: &Env,
    ) -> R {
        let first_is_var = matches!(steps.first().map(|s| &s.kind), Some(Kind::Variable(..)));
        let (mut input_seq, input_value): (Vec<Option<Value>>, Value) = match input {
            Some(a @ Value::Array(arr)) if !first_is_var => {
                (arr.items.iter().cloned().map(Some).collect(), a.clone())
            }
            Some(v) => (vec![Some(v.clone())], Value::seq(vec![v.clone()])),
            None => (vec![None], Value::seq(vec![])),
        };
        let mut result: Option<Value> = None;
        let mut is_tuple = false;
        let mut tuples: Option<Vec<Value>> = None;
        let last = steps.len().saturating_sub(1);
        for (ii, step) in steps.iter().enumerate() {
            if step.tuple {
                is_tuple = true;
            }
            if ii == 0 && step.consarray {
                result = self.evaluate(step, Some(&input_value), env)?;
            } else if is_tuple {
                tuples = Some(self.evaluate_tuple_step(step, &input_seq, tuples.take(), env)?);
            } else {
                result = Some(self.evaluate_step(step, &input_seq, env, ii == last)?);
            }
            if !is_tuple {
                let empty = match &result {
                    None => true,
                    Some(Value::Array(a)) => a.items.is_empty(),
                    Some(_) => false,
                };
                if empty {
                    break;
                }
            }
            if step.focus.is_none() {
                input_seq = match &result {
                    Some(Value::Array(a)) => a.items.iter().cloned().map(Some).collect(),
                    Some(v) => vec![Some(v.clone())],
                    None => Vec::new(),
                };
            }
        }
        if is_tuple {
            let ts = tuples.clone().unwrap_or_default();
            if expr.tuple {
                result = Some(Value::array_flags(ts, SEQUENCE | TUPLE_STREAM));
            } else {
                let items = ts
                    .iter()
                    .filter_map(|t| match t {
                        Value::Tuple(t) => t.at.clone(),
                        _ => None,
                    })
                    .collect();
                result = Some(Value::seq(items));
            }
        }
        if expr.keep_singleton_array {
            if let Some(Value::Array(a)) = &result {
                if a.has(CONS) && !a.has(SEQUENCE) {
                    result = Some(Value::seq(vec![Value::Array(a.clone())]));
                }
            }
            match &result {
                Some(Value::Array(a)) => a.set(KEEP_SINGLETON),
                Some(v) => {
                    result = Some(Value::array_flags(
                        vec![v.clone()],
                        SEQUENCE | KEEP_SINGLETON,
                    ))
                }
                None => {}
            }
        }
        if let Some(g) = &expr.group {
            let input = if is_tuple {
                Some(Value::array_flags(
                    tuples.unwrap_or_default(),
                    SEQUENCE | TUPLE_STREAM,
                ))
            } else {
                result
            };
            result = Some(self.evaluate_group(&g.pairs, g.position, input, env)?);
        }
        Ok(result)
    }

    fn evaluate_step(
        &mut self,
        step: &Node,
        input: &[Option<Value>],
        env: &Env,
        last_step: bool,
    ) -> Result<Value, Error> {
        if let Kind::Sort(_) = step.kind {
            let items: Vec<Value> = input.iter().flatten().cloned().collect();
            let mut r = self.evaluate_sort(step, items, false, env)?;
            if !step.stages.is_empty() {
                r = self.evaluate_stages(&step.stages, r, env)?;
            }
            return Ok(r);
        }
        let mut results: Vec<Value> = Vec::new();
        for item in input {
            self.check_time()?;
            let mut res = self.evaluate(step, item.as_ref(), env)?;
            for stage in &step.stages {
                if let Stage::Filter(p) = stage {
                    res = Some(self.evaluate_filter(p, res, env)?);
                }
            }
            if let Some(r) = res {
                results.push(r);
            }
        }
        if last_step && results.len() == 1 {
            if let Value::Array(a) = &results[0] {
                if !a.has(SEQUENCE) {
                    return Ok(results.pop().expect("one result"));
                }
            }
        }
        let mut out = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Value::Array(a) if !a.has(CONS) => out.extend(a.items.iter().cloned()),
                v => out.push(v),
            }
        }
        Ok(Value::seq(out))
    }

    fn evaluate_stages(
        &mut self,
        stages: &[Stage],
        input: Value,
        env: &Env,
    ) -> Result<Value, Error> {
        let mut result = input;
        for stage in stages {
            match stage {
                Stage::Filter(p) => result = self.evaluate_filter(p, Some(result), env)?,
                Stage::Index(name) => {
                    if let Value::Array(a) = &result {
                        let items: Vec<Value> = a
                            .items
                            .iter()
                            .enumerate()
                            .map(|(i, t)| {
                                let mut t = as_tuple(t);
                                t.set(name, Some(Value::Number(i as f64)));
                                Value::Tuple(Rc::new(t))
                            })
                            .collect();
                        result = Value::array_flags(items, a.flags.get());
                    }
                }
            }
        }
        Ok(result)
    }

    fn evaluate_tuple_step(
        &mut self,
        step: &Node,
        input: &[Option<Value>],
        tuples: Option<Vec<Value>>,
        env: &Env,
    ) -> Result<Vec<Value>, Error> {
        if let Kind::Sort(_) = step.kind {
            let mut result = if let Some(ts) = tuples {
                self.evaluate_sort(step, ts, true, env)?
            } else {
                let items: Vec<Value> = input.iter().flatten().cloned().collect();
                let sorted = self.evaluate_sort(step, items, false, env)?;
                let ts: Vec<Value> = sorted
                    .items()
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let mut t = Tuple {
                            at: Some(v),
                            binds: Vec::new(),
                        };
                        if let Some(ix) = &step.index {
                            t.set(ix, Some(Value::Number(i as f64)));
                        }
                        Value::Tuple(Rc::new(t))
                    })
                    .collect();
                Value::array_flags(ts, SEQUENCE | TUPLE_STREAM)
            };
            if !step.stages.is_empty() {
                result = self.evaluate_stages(&step.stages, result, env)?;
            }
            return Ok(result.items());
        }
        let tuples: Vec<Tuple> = match tuples {
            Some(ts) => ts.iter().map(as_tuple).collect(),
            None => input
                .iter()
                .map(|i| Tuple {
                    at: i.clone(),
                    binds: Vec::new(),
                })
                .collect(),
        };
        let mut result: Vec<Value> = Vec::new();
        for t in &tuples {
            self.check_time()?;
            let step_env = tuple_env(env, t);
            let res = self.evaluate(step, t.at.as_ref(), &step_env)?;
            let Some(res) = res else { continue };
            let (items, is_stream) = match &res {
                Value::Array(a) => (a.items.clone(), a.has(TUPLE_STREAM)),
                v => (vec![v.clone()], false),
            };
            for (bb, item) in items.into_iter().enumerate() {
                let mut nt = t.clone();
                if is_stream {
                    let src = as_tuple(&item);
                    nt.at = src.at.clone();
                    for (n, v) in src.binds {
                        nt.set(&n, v);
                    }
                } else {
                    if let Some(f) = &step.focus {
                        nt.set(f, Some(item));
                        nt.at = t.at.clone();
                    } else {
                        nt.at = Some(item);
                    }
                    if let Some(ix) = &step.index {
                        nt.set(ix, Some(Value::Number(bb as f64)));
                    }
                    if let Some(label) = &step.label {
                        if step.ancestor.is_some() {
                            nt.set(label, t.at.clone());
                        }
                    }
                }
                result.push(Value::Tuple(Rc::new(nt)));
            }
        }
        let mut out = Value::array_flags(result, SEQUENCE | TUPLE_STREAM);
        if !step.stages.is_empty() {
            out = self.evaluate_stages(&step.stages, out, env)?;
        }
        Ok(out.items())
    }

    /// A predicate `[...]`: numeric index(es) or a boolean filter.
    pub(super) fn evaluate_filter(
        &mut self,
        predicate: &Node,
        input: Option<Value>,
        env: &Env,
    ) -> Result<Value, Error> {
        let (items, stream) = match &input {
            Some(Value::Array(a)) => (a.items.clone(), a.has(TUPLE_STREAM)),
            Some(v) => (vec![v.clone()], false),
            None => (Vec::new(), false),
        };
        let flags = if stream {
            SEQUENCE | TUPLE_STREAM
        } else {
            SEQUENCE
        };
        let mut results = Vec::new();
        if let Kind::Num(n) = predicate.kind {
            let mut index = n.floor();
            if index < 0.0 {
                index += items.len() as f64;
            }
            if index >= 0.0 {
                if let Some(item) = items.get(index as usize) {
                    if let Value::Array(_) = item {
                        return Ok(item.clone());
                    }
                    results.push(item.clone());
                }
            }
            return Ok(Value::array_flags(results, flags));
        }
        let len = items.len() as f64;
        for (index, item) in items.iter().enumerate() {
            self.check_time()?;
            let (context, e) = match (stream, item) {
                (true, Value::Tuple(t)) => (t.at.clone(), tuple_env(env, t)),
                _ => (Some(item.clone()), env.clone()),
            };
            let res = self.evaluate(predicate, context.as_ref(), &e)?;
            let numbers: Option<Vec<f64>> = match &res {
                Some(Value::Number(n)) => Some(vec![*n]),
                Some(Value::Array(a))
                    if !a.items.is_empty()
                        && a.items.iter().all(|v| matches!(v, Value::Number(_))) =>
                {
                    Some(a.items.iter().filter_map(|v| v.as_f64()).collect())
                }
                _ => None,
            };
            if let Some(ns) = numbers {
                for n in ns {
                    let mut ii = n.floor();
                    if ii < 0.0 {
                        ii += len;
                    }
                    if ii == index as f64 {
                        results.push(item.clone());
                    }
                }
            } else if to_bool(res.as_ref()) == Some(true) {
                results.push(item.clone());
            }
        }
        Ok(Value::array_flags(results, flags))
    }
}
