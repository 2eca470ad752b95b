//! The evaluation value: JSON (input documents stay shared `Val`s), sequences with
//! jsonata-js's flags (singleton unwrapping), functions and tuple-stream entries.

use super::ast::LambdaDef;
use super::eval::Env;
use super::functions::Builtin;
use crate::value::{Map as ValMap, Val};
use indexmap::IndexMap;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

/// Array flags (jsonata-js sets these as properties on JS arrays).
pub(crate) const SEQUENCE: u8 = 1;
pub(crate) const KEEP_SINGLETON: u8 = 2;
pub(crate) const CONS: u8 = 4;
pub(crate) const OUTER_WRAPPER: u8 = 8;
pub(crate) const TUPLE_STREAM: u8 = 16;

/// An array or sequence.
#[derive(Debug)]
pub(crate) struct Array {
    pub items: Vec<Value>,
    pub flags: Cell<u8>,
}

impl Array {
    pub fn has(&self, f: u8) -> bool {
        self.flags.get() & f != 0
    }
    pub fn set(&self, f: u8) {
        self.flags.set(self.flags.get() | f);
    }
}

/// An object's key → value map.
pub(crate) type ObjMap = IndexMap<Arc<str>, Value>;

/// An object: either a JSON object from the input (shared, not copied) or built.
#[derive(Clone, Debug)]
pub(crate) enum Obj {
    Json(Val),
    Map(Rc<ObjMap>),
}

/// A function value.
#[derive(Debug)]
pub(crate) enum Func {
    Builtin(Builtin),
    Lambda {
        def: Arc<LambdaDef>,
        input: Option<Value>,
        env: Env,
    },
    /// A partially applied function: `None` entries are the `?` placeholders.
    Partial {
        func: Value,
        args: Vec<Option<Option<Value>>>,
    },
    Regex(Arc<regex::Regex>),
    /// `f ~> g` for two functions: `λ($x){ $g($f($x)) }`.
    Chain(Value, Value),
    /// A transform `|pattern|update,delete|` closed over its environment.
    Transform(Arc<super::ast::TransformDef>, Env),
}

/// One entry of a tuple stream: the context item and its variable bindings.
#[derive(Clone, Debug)]
pub(crate) struct Tuple {
    pub at: Option<Value>,
    pub binds: Vec<(Arc<str>, Option<Value>)>,
}

impl Tuple {
    pub fn set(&mut self, name: &Arc<str>, v: Option<Value>) {
        if let Some(slot) = self.binds.iter_mut().find(|(n, _)| n == name) {
            slot.1 = v;
        } else {
            self.binds.push((name.clone(), v));
        }
    }
    pub fn get(&self, name: &str) -> Option<&Option<Value>> {
        self.binds
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v)
    }
}

/// A JSONata value (undefined is `Option::None` around it).
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(Arc<str>),
    Array(Rc<Array>),
    Object(Obj),
    Function(Rc<Func>),
    Tuple(Rc<Tuple>),
}

impl Value {
    pub fn array(items: Vec<Value>) -> Value {
        Value::array_flags(items, 0)
    }
    pub fn array_flags(items: Vec<Value>, flags: u8) -> Value {
        Value::Array(Rc::new(Array {
            items,
            flags: Cell::new(flags),
        }))
    }
    /// An empty sequence.
    pub fn seq(items: Vec<Value>) -> Value {
        Value::array_flags(items, SEQUENCE)
    }
    pub fn str(s: &str) -> Value {
        Value::String(Arc::from(s))
    }
    pub fn object(map: ObjMap) -> Value {
        Value::Object(Obj::Map(Rc::new(map)))
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The items when this is an array, else a one-item slice view.
    pub fn items(&self) -> Vec<Value> {
        match self {
            Value::Array(a) => a.items.clone(),
            v => vec![v.clone()],
        }
    }

    /// Field lookup on an object.
    pub fn field(&self, key: &str) -> Option<Value> {
        match self {
            Value::Object(Obj::Json(v)) => v.get(key).map(Value::from_val),
            Value::Object(Obj::Map(m)) => m.get(key).cloned(),
            _ => None,
        }
    }

    /// The object's entries (converted), in order.
    pub fn entries(&self) -> Vec<(Arc<str>, Value)> {
        match self {
            Value::Object(Obj::Json(v)) => v
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), Value::from_val(v)))
                        .collect()
                })
                .unwrap_or_default(),
            Value::Object(Obj::Map(m)) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => Vec::new(),
        }
    }

    /// The object's keys in order.
    pub fn keys(&self) -> Vec<Arc<str>> {
        match self {
            Value::Object(Obj::Json(v)) => v
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default(),
            Value::Object(Obj::Map(m)) => m.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// Converts an engine value (shares objects, converts arrays one level at a time).
    pub fn from_val(v: &Val) -> Value {
        match v {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            Val::String(s) => Value::String(s.clone()),
            Val::Array(a) => Value::array(a.items().iter().map(Value::from_val).collect()),
            Val::Object(_) => Value::Object(Obj::Json(v.clone())),
        }
    }

    /// Converts to an engine value; functions become `None` (dropped from containers).
    pub fn to_val(&self) -> Option<Val> {
        Some(match self {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => number_to_val(*n),
            Value::String(s) => Val::String(s.clone()),
            Value::Array(a) => Val::array(a.items.iter().filter_map(|v| v.to_val()).collect()),
            Value::Object(Obj::Json(v)) => v.clone(),
            Value::Object(Obj::Map(m)) => {
                let mut out = ValMap::with_capacity(m.len());
                for (k, v) in m.iter() {
                    if let Some(v) = v.to_val() {
                        out.insert(k.clone(), v);
                    }
                }
                Val::object(out)
            }
            Value::Function(_) => return None,
            Value::Tuple(t) => return t.at.as_ref().and_then(|v| v.to_val()),
        })
    }

    /// A short JSON-ish rendering for error messages.
    pub fn describe(&self) -> String {
        match self {
            Value::String(s) => serde_json::to_string(&**s).unwrap_or_default(),
            Value::Function(_) => "function".into(),
            v => match v.to_val() {
                Some(v) => v.to_json_string(),
                None => String::new(),
            },
        }
    }
}

/// A double as an engine number: integral values become integers.
pub(crate) fn number_to_val(n: f64) -> Val {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        Val::int(n as i64)
    } else {
        Val::float(n)
    }
}

/// Formats a double the way JavaScript's `Number.prototype.toString` does.
pub(crate) fn format_number(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if n == 0.0 {
        return "0".into();
    }
    let sci = format!("{:e}", n);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let k = digits.len() as i32;
    let e = exp + 1; // position of the decimal point relative to the digits
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if k <= e && e <= 21 {
        out.push_str(&digits);
        for _ in 0..(e - k) {
            out.push('0');
        }
    } else if 0 < e && e <= 21 {
        out.push_str(&digits[..e as usize]);
        out.push('.');
        out.push_str(&digits[e as usize..]);
    } else if -6 < e && e <= 0 {
        out.push_str("0.");
        for _ in 0..(-e) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if e > 0 { '+' } else { '-' });
        out.push_str(&(e - 1).abs().to_string());
    }
    out
}

/// Rounds to 15 significant digits (what `$string` and `&` do before printing).
pub(crate) fn to_precision_15(n: f64) -> f64 {
    format!("{:.14e}", n).parse().unwrap_or(n)
}

/// Deep equality (jsonata-js `isDeepEqual`).
pub(crate) fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.items.len() == y.items.len()
                && x.items
                    .iter()
                    .zip(y.items.iter())
                    .all(|(p, q)| deep_equal(p, q))
        }
        (Value::Object(Obj::Json(x)), Value::Object(Obj::Json(y))) => x == y,
        (Value::Object(_), Value::Object(_)) => {
            let ka = a.keys();
            let kb = b.keys();
            ka.len() == kb.len()
                && ka.iter().all(|k| match (a.field(k), b.field(k)) {
                    (Some(p), Some(q)) => deep_equal(&p, &q),
                    _ => false,
                })
        }
        (Value::Function(x), Value::Function(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}
