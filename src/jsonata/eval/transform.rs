//! The transform operator `| pattern | update, delete |`: copy, then modify the
//! objects the pattern selects (identified by pointer in the fresh copy).

use super::{Ctx, Env, R};
use crate::jsonata::ast::TransformDef;
use crate::jsonata::error::Error;
use crate::jsonata::value::{Array, Obj, ObjMap, Value};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

/// A deep copy in which every object is a fresh, uniquely identified map.
pub(crate) fn deep_clone(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(Rc::new(Array {
            items: a.items.iter().map(deep_clone).collect(),
            flags: a.flags.clone(),
        })),
        o @ Value::Object(_) => {
            let map: ObjMap = o
                .entries()
                .into_iter()
                .map(|(k, v)| (k, deep_clone(&v)))
                .collect();
            Value::object(map)
        }
        other => other.clone(),
    }
}

#[derive(Default)]
struct Edit {
    updates: Vec<(Arc<str>, Value)>,
    deletes: Vec<Arc<str>>,
}

fn rebuild(v: &Value, edits: &HashMap<usize, Edit>) -> Value {
    match v {
        Value::Array(a) => Value::Array(Rc::new(Array {
            items: a.items.iter().map(|i| rebuild(i, edits)).collect(),
            flags: a.flags.clone(),
        })),
        Value::Object(Obj::Map(m)) => {
            let mut map: ObjMap = m
                .iter()
                .map(|(k, v)| (k.clone(), rebuild(v, edits)))
                .collect();
            if let Some(e) = edits.get(&(Rc::as_ptr(m) as usize)) {
                for (k, v) in &e.updates {
                    map.insert(k.clone(), rebuild(v, edits));
                }
                for k in &e.deletes {
                    map.shift_remove(k);
                }
            }
            Value::object(map)
        }
        other => other.clone(),
    }
}

impl Ctx<'_> {
    pub(super) fn transform(&mut self, def: &TransformDef, arg: Option<Value>, env: &Env) -> R {
        let Some(arg) = arg else { return Ok(None) };
        if !matches!(arg, Value::Object(_) | Value::Array(_)) {
            return Err(Error::new("T0410").index(1).token("transform"));
        }
        let result = deep_clone(&arg);
        let matches = self.evaluate(&def.pattern, Some(&result), env)?;
        let mut edits: HashMap<usize, Edit> = HashMap::new();
        if let Some(m) = matches {
            for item in m.items() {
                let update = self.evaluate(&def.update, Some(&item), env)?;
                let key = match &item {
                    Value::Object(Obj::Map(m)) => Some(Rc::as_ptr(m) as usize),
                    _ => None,
                };
                if let Some(u) = update {
                    if !matches!(u, Value::Object(_)) {
                        return Err(Error::new("T2011").value(u.describe()));
                    }
                    if let Some(key) = key {
                        edits.entry(key).or_default().updates.extend(u.entries());
                    }
                }
                if let Some(d) = &def.delete {
                    if let Some(dels) = self.evaluate(d, Some(&item), env)? {
                        let list = dels.items();
                        if !list.iter().all(|v| matches!(v, Value::String(_))) {
                            return Err(Error::new("T2012").value(dels.describe()));
                        }
                        if let Some(key) = key {
                            let e = edits.entry(key).or_default();
                            for s in list {
                                if let Value::String(s) = s {
                                    e.deletes.push(s);
                                }
                            }
                        }
                    }
                }
            }
        }
        if edits.is_empty() {
            return Ok(Some(result));
        }
        Ok(Some(rebuild(&result, &edits)))
    }
}
