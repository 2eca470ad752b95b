//! Binary operators: arithmetic, comparison, equality, `&`, `and`/`or`, `in`, `..`.

use super::{Ctx, Env, R};
use crate::jsonata::ast::{BinOp, Node};
use crate::jsonata::error::Error;
use crate::jsonata::functions::{boolean::to_bool, string::to_string};
use crate::jsonata::value::{deep_equal, Value};

/// The largest sequence the range operator allocates.
const MAX_RANGE: f64 = 1e7;

impl Ctx<'_> {
    pub(super) fn evaluate_binary(
        &mut self,
        expr: &Node,
        op: BinOp,
        l: &Node,
        r: &Node,
        input: Option<&Value>,
        env: &Env,
    ) -> R {
        let lhs = self.evaluate(l, input, env)?;
        if matches!(op, BinOp::And | BinOp::Or) {
            let lb = to_bool(lhs.as_ref()).unwrap_or(false);
            let result = match op {
                BinOp::And => {
                    lb && {
                        let rhs = self.evaluate(r, input, env)?;
                        to_bool(rhs.as_ref()).unwrap_or(false)
                    }
                }
                _ => {
                    lb || {
                        let rhs = self.evaluate(r, input, env)?;
                        to_bool(rhs.as_ref()).unwrap_or(false)
                    }
                }
            };
            return Ok(Some(Value::Bool(result)));
        }
        let rhs = self.evaluate(r, input, env)?;
        binary(op, lhs, rhs).map_err(|e| e.pos(expr.position).token(op.symbol()))
    }
}

/// Applies a (non-short-circuit) binary operator.
pub(crate) fn binary(op: BinOp, lhs: Option<Value>, rhs: Option<Value>) -> R {
    match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
            for v in [&lhs, &rhs].into_iter().flatten() {
                if let Value::Number(n) = v {
                    if !n.is_finite() {
                        return Err(
                            Error::new("D1001").value(crate::jsonata::value::format_number(*n))
                        );
                    }
                }
            }
            if let Some(l) = &lhs {
                if !matches!(l, Value::Number(_)) {
                    return Err(Error::new("T2001").value(l.describe()));
                }
            }
            if let Some(r) = &rhs {
                if !matches!(r, Value::Number(_)) {
                    return Err(Error::new("T2002").value(r.describe()));
                }
            }
            let (Some(Value::Number(a)), Some(Value::Number(b))) = (lhs, rhs) else {
                return Ok(None);
            };
            let v = match op {
                BinOp::Add => a + b,
                BinOp::Sub => a - b,
                BinOp::Mul => a * b,
                BinOp::Div => a / b,
                _ => a % b,
            };
            Ok(Some(Value::Number(v)))
        }
        BinOp::Eq | BinOp::Ne => {
            let (Some(a), Some(b)) = (lhs, rhs) else {
                return Ok(Some(Value::Bool(false)));
            };
            let eq = deep_equal(&a, &b);
            Ok(Some(Value::Bool(if op == BinOp::Eq { eq } else { !eq })))
        }
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            let comparable = |v: &Option<Value>| {
                matches!(v, None | Some(Value::Number(_)) | Some(Value::String(_)))
            };
            if !comparable(&lhs) || !comparable(&rhs) {
                let bad = if !comparable(&lhs) { &lhs } else { &rhs };
                return Err(Error::new("T2010")
                    .value(bad.as_ref().map(|v| v.describe()).unwrap_or_default()));
            }
            let (Some(a), Some(b)) = (lhs, rhs) else {
                return Ok(None);
            };
            let ord = match (&a, &b) {
                (Value::Number(x), Value::Number(y)) => x.partial_cmp(y),
                (Value::String(x), Value::String(y)) => Some(cmp_js_strings(x, y)),
                _ => return Err(Error::new("T2009").value(a.describe()).value2(b.describe())),
            };
            let Some(ord) = ord else {
                return Ok(Some(Value::Bool(false)));
            };
            use std::cmp::Ordering::*;
            let r = match op {
                BinOp::Lt => ord == Less,
                BinOp::Le => ord != Greater,
                BinOp::Gt => ord == Greater,
                _ => ord != Less,
            };
            Ok(Some(Value::Bool(r)))
        }
        BinOp::Concat => {
            let mut s = String::new();
            if let Some(l) = &lhs {
                s.push_str(&to_string(l, false)?);
            }
            if let Some(r) = &rhs {
                s.push_str(&to_string(r, false)?);
            }
            Ok(Some(Value::String(s.into())))
        }
        BinOp::In => {
            let (Some(a), Some(b)) = (lhs, rhs) else {
                return Ok(Some(Value::Bool(false)));
            };
            let found = b.items().iter().any(|x| strict_equal(x, &a));
            Ok(Some(Value::Bool(found)))
        }
        BinOp::Range => {
            let is_int = |v: &Option<Value>| match v {
                None => true,
                Some(Value::Number(n)) => n.fract() == 0.0,
                _ => false,
            };
            if !is_int(&lhs) {
                return Err(
                    Error::new("T2003").value(lhs.map(|v| v.describe()).unwrap_or_default())
                );
            }
            if !is_int(&rhs) {
                return Err(
                    Error::new("T2004").value(rhs.map(|v| v.describe()).unwrap_or_default())
                );
            }
            let (Some(Value::Number(a)), Some(Value::Number(b))) = (lhs, rhs) else {
                return Ok(None);
            };
            if a > b {
                return Ok(None);
            }
            let size = b - a + 1.0;
            if size > MAX_RANGE {
                return Err(Error::new("D2014").value(crate::jsonata::value::format_number(size)));
            }
            let items: Vec<Value> = (0..size as i64)
                .map(|i| Value::Number(a + i as f64))
                .collect();
            Ok(Some(Value::seq(items)))
        }
        BinOp::And | BinOp::Or => Ok(Some(Value::Bool(false))),
    }
}

/// JavaScript `===` on JSON-ish values (objects and arrays by identity).
fn strict_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => std::rc::Rc::ptr_eq(x, y),
        (Value::Function(x), Value::Function(y)) => std::rc::Rc::ptr_eq(x, y),
        _ => false,
    }
}

/// Compares strings by UTF-16 code units, as JavaScript does.
pub(crate) fn cmp_js_strings(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}
