//! Sorting (`^( )`, and the merge sort `$sort` shares) and grouping / object
//! construction (`{ k: v }` and `step{ k: v }`).

use super::{append, bind, child, Ctx, Env};
use crate::jsonata::ast::{Kind, Node};
use crate::jsonata::error::Error;
use crate::jsonata::value::{ObjMap, Tuple, Value, SEQUENCE, TUPLE_STREAM};
use indexmap::IndexMap;
use std::rc::Rc;
use std::sync::Arc;

/// A stable merge sort with a fallible "a goes after b" comparator (jsonata-js `fn.sort`).
pub(crate) fn merge_sort<F>(items: Vec<Value>, after: &mut F) -> Result<Vec<Value>, Error>
where
    F: FnMut(&Value, &Value) -> Result<bool, Error>,
{
    if items.len() <= 1 {
        return Ok(items);
    }
    let mut right = items;
    let left = right.drain(..right.len() / 2).collect::<Vec<_>>();
    let left = merge_sort(left, after)?;
    let right = merge_sort(right, after)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if after(&left[i], &right[j])? {
            out.push(right[j].clone());
            j += 1;
        } else {
            out.push(left[i].clone());
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    Ok(out)
}

fn tuple_frame(env: &Env, t: &Tuple) -> Env {
    let f = child(env);
    for (n, v) in &t.binds {
        bind(&f, n, v.clone());
    }
    f
}

impl Ctx<'_> {
    /// Sorts `items` by the terms of a sort step.
    pub(super) fn evaluate_sort(
        &mut self,
        expr: &Node,
        items: Vec<Value>,
        tuples: bool,
        env: &Env,
    ) -> Result<Value, Error> {
        let Kind::Sort(terms) = &expr.kind else {
            return Ok(Value::seq(items));
        };
        if items.len() <= 1 {
            let flags = if tuples {
                SEQUENCE | TUPLE_STREAM
            } else {
                SEQUENCE
            };
            return Ok(Value::array_flags(items, flags));
        }
        let pos = expr.position;
        // Evaluate every key once per item, then sort on the keys.
        let mut keyed: Vec<Value> = Vec::with_capacity(items.len());
        let mut keys: Vec<Vec<Option<Value>>> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let (ctx, e) = match (tuples, item) {
                (true, Value::Tuple(t)) => (t.at.clone(), tuple_frame(env, t)),
                _ => (Some(item.clone()), env.clone()),
            };
            let mut k = Vec::with_capacity(terms.len());
            for term in terms {
                k.push(self.evaluate(&term.expr, ctx.as_ref(), &e)?);
            }
            keys.push(k);
            keyed.push(Value::Number(i as f64));
        }
        let mut after = |a: &Value, b: &Value| -> Result<bool, Error> {
            let ia = a.as_f64().unwrap_or(0.0) as usize;
            let ib = b.as_f64().unwrap_or(0.0) as usize;
            let mut comp = 0i32;
            for (t, term) in terms.iter().enumerate() {
                let aa = &keys[ia][t];
                let bb = &keys[ib][t];
                comp = match (aa, bb) {
                    (None, None) => 0,
                    (None, _) => 1,
                    (_, None) => -1,
                    (Some(x), Some(y)) => {
                        let ok = |v: &Value| matches!(v, Value::Number(_) | Value::String(_));
                        if !ok(x) || !ok(y) {
                            let bad = if !ok(x) { x } else { y };
                            return Err(Error::new("T2008").pos(pos).value(bad.describe()));
                        }
                        let c = match (x, y) {
                            (Value::Number(p), Value::Number(q)) => {
                                p.partial_cmp(q).unwrap_or(std::cmp::Ordering::Equal)
                            }
                            (Value::String(p), Value::String(q)) => {
                                super::operators::cmp_js_strings(p, q)
                            }
                            _ => {
                                return Err(Error::new("T2007")
                                    .pos(pos)
                                    .value(x.describe())
                                    .value2(y.describe()))
                            }
                        };
                        let c = c as i32;
                        if term.descending {
                            -c
                        } else {
                            c
                        }
                    }
                };
                if comp != 0 {
                    break;
                }
            }
            Ok(comp == 1)
        };
        let sorted = merge_sort(keyed, &mut after)?;
        let out: Vec<Value> = sorted
            .iter()
            .map(|i| items[i.as_f64().unwrap_or(0.0) as usize].clone())
            .collect();
        let flags = if tuples { SEQUENCE | TUPLE_STREAM } else { 0 };
        Ok(Value::array_flags(out, flags))
    }

    /// Grouping / object construction.
    pub(super) fn evaluate_group(
        &mut self,
        pairs: &[(Node, Node)],
        position: usize,
        input: Option<Value>,
        env: &Env,
    ) -> Result<Value, Error> {
        let (mut items, reduce): (Vec<Option<Value>>, bool) = match &input {
            Some(Value::Array(a)) => (
                a.items.iter().cloned().map(Some).collect(),
                a.has(TUPLE_STREAM),
            ),
            Some(v) => (vec![Some(v.clone())], false),
            None => (Vec::new(), false),
        };
        if items.is_empty() {
            items.push(None);
        }
        let mut groups: IndexMap<Arc<str>, (Option<Value>, usize)> = IndexMap::new();
        for item in &items {
            let (ctx, e) = match (reduce, item) {
                (true, Some(Value::Tuple(t))) => (t.at.clone(), tuple_frame(env, t)),
                _ => (item.clone(), env.clone()),
            };
            for (pi, (k, _)) in pairs.iter().enumerate() {
                let key = self.evaluate(k, ctx.as_ref(), &e)?;
                match key {
                    None => {}
                    Some(Value::String(key)) => {
                        if let Some(entry) = groups.get_mut(&key) {
                            if entry.1 != pi {
                                return Err(Error::new("D1009")
                                    .pos(position)
                                    .value(format!("\"{key}\"")));
                            }
                            entry.0 = append(entry.0.take(), item.clone());
                        } else {
                            groups.insert(key, (item.clone(), pi));
                        }
                    }
                    Some(other) => {
                        return Err(Error::new("T1003").pos(position).value(other.describe()))
                    }
                }
            }
        }
        let mut result = ObjMap::new();
        for (key, (data, pi)) in groups {
            let (ctx, e) = if reduce {
                let t = reduce_tuples(data.as_ref());
                let at = t.at.clone();
                (at, tuple_frame(env, &t))
            } else {
                (data, env.clone())
            };
            if let Some(v) = self.evaluate(&pairs[pi].1, ctx.as_ref(), &e)? {
                result.insert(key, v);
            }
        }
        Ok(Value::object(result))
    }
}

fn reduce_tuples(data: Option<&Value>) -> Tuple {
    match data {
        Some(Value::Tuple(t)) => (**t).clone(),
        Some(Value::Array(a)) => {
            let mut iter = a.items.iter();
            let mut result = match iter.next() {
                Some(Value::Tuple(t)) => (**t).clone(),
                _ => Tuple {
                    at: None,
                    binds: Vec::new(),
                },
            };
            for t in iter {
                if let Value::Tuple(t) = t {
                    result.at = append(result.at.take(), t.at.clone());
                    for (n, v) in &t.binds {
                        let cur = result.get(n).cloned().flatten();
                        result.set(n, append(cur, v.clone()));
                    }
                }
            }
            result
        }
        _ => Tuple {
            at: None,
            binds: Vec::new(),
        },
    }
}

#[allow(dead_code)]
fn _unused(_: Rc<()>) {}
