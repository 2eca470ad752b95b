//! Higher-order functions: `$map`, `$filter`, `$single`, `$reduce`, `$sift`, `$each`, `$sort`.

use super::boolean::to_bool;
use crate::jsonata::error::Error;
use crate::jsonata::eval::{arity, merge_sort, Ctx, Env, R};
use crate::jsonata::value::{ObjMap, Value};

fn hof_args(f: &Value, a: Value, i: Value, all: &Value) -> Vec<Option<Value>> {
    let n = arity(f);
    let mut args = vec![Some(a)];
    if n >= 2 {
        args.push(Some(i));
    }
    if n >= 3 {
        args.push(Some(all.clone()));
    }
    args
}

/// `$map`.
pub(crate) fn map(ctx: &mut Ctx, arr: Option<Value>, f: Option<Value>, env: &Env) -> R {
    let (Some(arr), Some(f)) = (arr, f) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for (i, item) in arr.items().into_iter().enumerate() {
        ctx.check_time()?;
        let args = hof_args(&f, item, Value::Number(i as f64), &arr);
        if let Some(v) = ctx.apply(Some(&f), args, None, env)? {
            out.push(v);
        }
    }
    Ok(Some(Value::seq(out)))
}

/// `$filter`.
pub(crate) fn filter(ctx: &mut Ctx, arr: Option<Value>, f: Option<Value>, env: &Env) -> R {
    let (Some(arr), Some(f)) = (arr, f) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for (i, item) in arr.items().into_iter().enumerate() {
        ctx.check_time()?;
        let args = hof_args(&f, item.clone(), Value::Number(i as f64), &arr);
        let r = ctx.apply(Some(&f), args, None, env)?;
        if to_bool(r.as_ref()) == Some(true) {
            out.push(item);
        }
    }
    Ok(Some(Value::seq(out)))
}

/// `$single`.
pub(crate) fn single(ctx: &mut Ctx, arr: Option<Value>, f: Option<Value>, env: &Env) -> R {
    let Some(arr) = arr else { return Ok(None) };
    let mut found = None;
    for (i, item) in arr.items().into_iter().enumerate() {
        let ok = match &f {
            Some(f) => {
                let args = hof_args(f, item.clone(), Value::Number(i as f64), &arr);
                to_bool(ctx.apply(Some(f), args, None, env)?.as_ref()) == Some(true)
            }
            None => true,
        };
        if ok {
            if found.is_some() {
                return Err(Error::new("D3138"));
            }
            found = Some(item);
        }
    }
    match found {
        Some(v) => Ok(Some(v)),
        None => Err(Error::new("D3139")),
    }
}

/// `$reduce`.
pub(crate) fn reduce(
    ctx: &mut Ctx,
    seq: Option<Value>,
    f: Option<Value>,
    init: Option<Value>,
    env: &Env,
) -> R {
    let (Some(seq), Some(f)) = (seq, f) else {
        return Ok(None);
    };
    let n = arity(&f);
    if n < 2 {
        return Err(Error::new("D3050"));
    }
    let items = seq.items();
    let (mut result, start) = if init.is_none() && !items.is_empty() {
        (Some(items[0].clone()), 1)
    } else {
        (init, 0)
    };
    for (i, item) in items.iter().enumerate().skip(start) {
        ctx.check_time()?;
        let mut args = vec![result, Some(item.clone())];
        if n >= 3 {
            args.push(Some(Value::Number(i as f64)));
        }
        if n >= 4 {
            args.push(Some(seq.clone()));
        }
        result = ctx.apply(Some(&f), args, None, env)?;
    }
    Ok(result)
}

/// `$sift`.
pub(crate) fn sift(ctx: &mut Ctx, obj: Option<Value>, f: Option<Value>, env: &Env) -> R {
    let (Some(obj), Some(f)) = (obj, f) else {
        return Ok(None);
    };
    let mut out = ObjMap::new();
    for (k, v) in obj.entries() {
        let args = hof_args(&f, v.clone(), Value::String(k.clone()), &obj);
        if to_bool(ctx.apply(Some(&f), args, None, env)?.as_ref()) == Some(true) {
            out.insert(k, v);
        }
    }
    if out.is_empty() {
        return Ok(None);
    }
    Ok(Some(Value::object(out)))
}

/// `$each`.
pub(crate) fn each(ctx: &mut Ctx, obj: Option<Value>, f: Option<Value>, env: &Env) -> R {
    let (Some(obj), Some(f)) = (obj, f) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for (k, v) in obj.entries() {
        let args = hof_args(&f, v, Value::String(k), &obj);
        if let Some(r) = ctx.apply(Some(&f), args, None, env)? {
            out.push(r);
        }
    }
    Ok(Some(Value::seq(out)))
}

/// `$sort`.
pub(crate) fn sort(ctx: &mut Ctx, arr: Option<Value>, f: Option<Value>, env: &Env) -> R {
    let Some(arr) = arr else { return Ok(None) };
    let items = arr.items();
    if items.len() <= 1 {
        return Ok(Some(arr));
    }
    let sorted = match f {
        None => {
            let all_num = items.iter().all(|v| matches!(v, Value::Number(_)));
            let all_str = items.iter().all(|v| matches!(v, Value::String(_)));
            if !all_num && !all_str {
                return Err(Error::new("D3070"));
            }
            merge_sort(items, &mut |a, b| {
                Ok(match (a, b) {
                    (Value::Number(x), Value::Number(y)) => x > y,
                    (Value::String(x), Value::String(y)) => {
                        crate::jsonata::eval::cmp_js_strings(x, y) == std::cmp::Ordering::Greater
                    }
                    _ => false,
                })
            })?
        }
        Some(f) => merge_sort(items, &mut |a, b| {
            let r = ctx.apply(Some(&f), vec![Some(a.clone()), Some(b.clone())], None, env)?;
            Ok(to_bool(r.as_ref()) == Some(true))
        })?,
    };
    Ok(Some(Value::array(sorted)))
}
