//! Payload templates (JSONPath `Parameters`, `ResultSelector`, `ItemSelector`,
//! `Assign`, `Credentials`), compiled once.
//!
//! A template is any JSON value. A key ending in `.$` holds a path (`$.x`, `$$.x`,
//! `$var.x`) or an intrinsic call; its output key drops the `.$` and its value is the
//! evaluation result. Everything else is literal. Objects and arrays are processed
//! recursively (objects inside arrays too). A subtree without `.$` keys is kept as one
//! shared literal [`Val`], so evaluating it costs a reference-count increment.
//!
//! ```
//! use statelang::data::template::Template;
//! let t = Template::compile(&serde_json::json!({"a": 1, "b": [true]})).unwrap();
//! assert!(t.is_literal());
//! ```

use super::intrinsic::Intrinsic;
use super::path::Path;
use super::{Env, PathRoot};
use crate::error::StatesError;
use crate::value::{by_inline_len, json_str_len, JsonType, Map, Pair, Val, INLINE};
use std::fmt;
use std::sync::Arc;

/// A compiled payload template.
#[derive(Clone, Debug)]
pub struct Template {
    root: Node,
}

/// Why a template was rejected, with AWS's wording.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at {pointer}")]
pub struct TemplateError {
    /// JSON pointer to the offending field, relative to the template (e.g. `/a/b.$`).
    pub pointer: String,
    /// What is wrong, e.g. `The value for the field 'parsed.$' must be a valid JSONPath
    /// or a valid intrinsic function call`.
    pub message: String,
}

#[derive(Clone, Debug)]
enum Node {
    /// A subtree with no `.$` keys.
    Literal(Val),
    /// An object with at least one dynamic field somewhere below. The flag is `true`
    /// when the output keys are distinct (`{"a": 1, "a.$": "$.x"}` has two `a`s), so
    /// evaluation can append without looking each key up first. With distinct keys
    /// the third field is the compact-JSON length of everything but the dynamic
    /// values (braces, keys, colons, commas, literal values), so the output's length
    /// is known as soon as its dynamic values' lengths are.
    Object(Vec<(Arc<str>, Field)>, bool, Option<usize>),
    /// An array with at least one dynamic element somewhere below.
    Array(Vec<Node>),
}

#[derive(Clone, Debug)]
enum Field {
    /// A plain value (possibly with dynamic parts further down).
    Node(Node),
    /// `"key.$": "$.path"`; `key` is the original key, with `.$`.
    Path { path: Path, key: Arc<str> },
    /// `"key.$": "States.Fn(...)"`.
    Intrinsic(Intrinsic),
}

impl Template {
    /// Compiles a template: every `.$` value must be a string holding a path or an
    /// intrinsic call.
    pub fn compile(value: &serde_json::Value) -> Result<Template, TemplateError> {
        let mut pointer = String::new();
        Ok(Template {
            root: compile_node(value, &mut pointer)?,
        })
    }

    /// A template that is only a literal (Pass `Result`): `.$` keys are not processed.
    pub fn literal(value: Val) -> Template {
        Template {
            root: Node::Literal(value),
        }
    }

    /// `true` when the template has no `.$` fields, so it evaluates to a fixed value.
    pub fn is_literal(&self) -> bool {
        matches!(self.root, Node::Literal(_))
    }

    /// The fixed value of a literal template.
    pub fn as_literal(&self) -> Option<&Val> {
        match &self.root {
            Node::Literal(v) => Some(v),
            _ => None,
        }
    }

    /// Evaluates the template. A `.$` path that does not resolve is `States.Runtime`:
    /// `The JSONPath '<path>' specified for the field '<key>.$' could not be found in
    /// the input '<input JSON>'`. Intrinsic failures are passed through.
    pub fn eval(&self, env: &Env<'_>) -> Result<Val, StatesError> {
        eval_node(&self.root, env)
    }

    /// Appends the names of the workflow variables the template reads (paths rooted at
    /// `$name`, also inside intrinsic calls), in document order.
    pub fn variable_references(&self, out: &mut Vec<Arc<str>>) {
        node_variables(&self.root, out);
    }
}

fn push_pointer_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            _ => pointer.push(c),
        }
    }
}

/// "a STRING", "an ARRAY": the JSON type as AWS's validator names it.
fn aws_type_name(v: &serde_json::Value) -> &'static str {
    match Val::from(v).json_type() {
        JsonType::Null => "a NULL",
        JsonType::Boolean => "a BOOLEAN",
        JsonType::Number => "a NUMBER",
        JsonType::String => "a STRING",
        JsonType::Array => "an ARRAY",
        JsonType::Object => "an OBJECT",
    }
}

fn compile_node(value: &serde_json::Value, pointer: &mut String) -> Result<Node, TemplateError> {
    match value {
        serde_json::Value::Object(map) => {
            let mut fields = Vec::with_capacity(map.len());
            let mut dynamic = false;
            for (key, v) in map {
                let len = pointer.len();
                push_pointer_token(pointer, key);
                let field = match key.strip_suffix(".$") {
                    Some(out_key) => {
                        dynamic = true;
                        let field = compile_dynamic(key, v, pointer)?;
                        (Arc::from(out_key), field)
                    }
                    None => {
                        let node = compile_node(v, pointer)?;
                        dynamic |= !matches!(node, Node::Literal(_));
                        (Arc::from(key.as_str()), Field::Node(node))
                    }
                };
                pointer.truncate(len);
                fields.push(field);
            }
            if dynamic {
                let distinct = fields
                    .iter()
                    .enumerate()
                    .all(|(i, (k, _))| fields[..i].iter().all(|(j, _)| j != k));
                // Literal fields' values are counted here too, once.
                let frame = distinct.then(|| {
                    2 + fields.len().saturating_sub(1)
                        + fields
                            .iter()
                            .map(|(k, f)| {
                                json_str_len(k)
                                    + 1
                                    + match f {
                                        Field::Node(Node::Literal(v)) => v.json_len(),
                                        _ => 0,
                                    }
                            })
                            .sum::<usize>()
                });
                Ok(Node::Object(fields, distinct, frame))
            } else {
                Ok(literal(value))
            }
        }
        serde_json::Value::Array(items) => {
            let mut nodes = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                push_pointer_token(pointer, &i.to_string());
                nodes.push(compile_node(item, pointer)?);
                pointer.truncate(len);
            }
            if nodes.iter().all(|n| matches!(n, Node::Literal(_))) {
                Ok(literal(value))
            } else {
                Ok(Node::Array(nodes))
            }
        }
        _ => Ok(literal(value)),
    }
}

/// A literal node, its compact-JSON length computed once here (so an output that
/// embeds it knows its own length without a walk).
fn literal(value: &serde_json::Value) -> Node {
    let v = Val::from(value);
    v.json_len();
    Node::Literal(v)
}

fn compile_dynamic(
    key: &str,
    value: &serde_json::Value,
    pointer: &str,
) -> Result<Field, TemplateError> {
    let invalid = || {
        TemplateError {
        pointer: pointer.to_string(),
        message: format!(
            "The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call"
        ),
    }
    };
    let serde_json::Value::String(text) = value else {
        return Err(TemplateError {
            pointer: pointer.to_string(),
            message: format!(
                "The value for the field '{key}' must be a STRING that contains a JSONPath but was {}",
                aws_type_name(value)
            ),
        });
    };
    if Intrinsic::is_intrinsic(text) {
        return Intrinsic::parse(text)
            .map(Field::Intrinsic)
            .map_err(|_| invalid());
    }
    if !text.starts_with('$') {
        return Err(invalid());
    }
    let path = Path::parse(text).map_err(|_| invalid())?;
    Ok(Field::Path {
        path,
        key: Arc::from(key),
    })
}

fn eval_node(node: &Node, env: &Env<'_>) -> Result<Val, StatesError> {
    match node {
        Node::Literal(v) => Ok(v.clone()),
        Node::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(eval_node(item, env)?);
            }
            Ok(Val::array(out))
        }
        Node::Object(fields, true, frame) if fields.len() <= INLINE => {
            // Distinct keys, few enough to sit inside the object node: the entries
            // are evaluated straight into the node's array (one allocation, no
            // lookups).
            let mut len = *frame;
            macro_rules! make {
                ($($i:literal)*) => {{
                    let entries = [$(field_entry(&fields[$i], env, &mut len)?),*];
                    Val::object_from_array(entries, len)
                }};
            }
            Ok(by_inline_len!(fields.len(), make, Val::Null))
        }
        Node::Object(fields, distinct, frame) => {
            let mut map = Map::with_capacity(fields.len());
            let mut len = *frame;
            for (key, field) in fields {
                let v = match field {
                    Field::Node(Node::Literal(v)) => {
                        if *distinct {
                            map.push_unique(key.clone(), v.clone());
                        } else {
                            map.insert(key.clone(), v.clone());
                        }
                        continue;
                    }
                    other => eval_field(other, env)?,
                };
                if let Some(n) = len {
                    len = v.known_json_len().map(|m| n + m);
                }
                if *distinct {
                    map.push_unique(key.clone(), v);
                } else {
                    map.insert(key.clone(), v);
                }
            }
            let out = Val::object(map);
            if let Some(n) = len {
                out.set_json_len(n);
            }
            Ok(out)
        }
    }
}

/// One entry of a distinct-key object template, its value's length added to `len`
/// (`None` once a length is unknown).
#[inline(always)]
fn field_entry(
    (key, field): &(Arc<str>, Field),
    env: &Env<'_>,
    len: &mut Option<usize>,
) -> Result<Pair, StatesError> {
    let v = match field {
        Field::Node(Node::Literal(v)) => v.clone(),
        other => {
            let v = eval_field(other, env)?;
            if let Some(n) = *len {
                *len = v.known_json_len().map(|m| n + m);
            }
            v
        }
    };
    Ok((key.clone(), v))
}

/// The value of one non-literal field of an object template: a path of names
/// found in the input is cloned in place (no call, nothing returned through
/// memory); the rest is [`eval_field_general`].
#[inline(always)]
fn eval_field(field: &Field, env: &Env<'_>) -> Result<Val, StatesError> {
    if let Field::Path { path, .. } = field {
        if let Some(v) = path.names_in_input(env.input) {
            return Ok(v.clone());
        }
    }
    eval_field_general(field, env)
}

/// [`eval_field`] for nested templates, intrinsic calls and the general path
/// evaluation (with its error); a path's in-place read was tried already.
#[inline(never)]
fn eval_field_general(field: &Field, env: &Env<'_>) -> Result<Val, StatesError> {
    match field {
        Field::Node(n) => eval_node(n, env),
        Field::Path { path, key } => path.eval(env).map_err(|_| {
            StatesError::runtime(format!(
                "The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
                path.text(),
                key,
                env.input.to_json_string()
            ))
        }),
        Field::Intrinsic(call) => call.eval(env),
    }
}

fn node_variables(node: &Node, out: &mut Vec<Arc<str>>) {
    match node {
        Node::Literal(_) => {}
        Node::Array(items) => items.iter().for_each(|n| node_variables(n, out)),
        Node::Object(fields, ..) => {
            for (_, field) in fields {
                match field {
                    Field::Node(n) => node_variables(n, out),
                    Field::Path { path, .. } => {
                        if let PathRoot::Variable(name) = path.root() {
                            out.push(name.clone());
                        }
                    }
                    Field::Intrinsic(call) => call.variable_references(out),
                }
            }
        }
    }
}

impl fmt::Display for Template {
    /// The template's output shape: literals as JSON, dynamic fields as their source.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn write_node(node: &Node, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match node {
                Node::Literal(v) => write!(f, "{v}"),
                Node::Array(items) => {
                    f.write_str("[")?;
                    for (i, n) in items.iter().enumerate() {
                        if i > 0 {
                            f.write_str(",")?;
                        }
                        write_node(n, f)?;
                    }
                    f.write_str("]")
                }
                Node::Object(fields, ..) => {
                    f.write_str("{")?;
                    for (i, (key, field)) in fields.iter().enumerate() {
                        if i > 0 {
                            f.write_str(",")?;
                        }
                        match field {
                            Field::Node(n) => {
                                write!(f, "{}:", Val::String(key.clone()))?;
                                write_node(n, f)?;
                            }
                            Field::Path { path, key } => {
                                write!(
                                    f,
                                    "{}:{}",
                                    Val::String(key.clone()),
                                    Val::string(path.text())
                                )?;
                            }
                            Field::Intrinsic(call) => {
                                write!(
                                    f,
                                    "{}:{}",
                                    Val::string(format!("{key}.$")),
                                    Val::string(call.text())
                                )?;
                            }
                        }
                    }
                    f.write_str("}")
                }
            }
        }
        write_node(&self.root, f)
    }
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
