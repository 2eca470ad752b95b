//! JSONata-mode values: JSON in which strings of the form `{% expr %}` are expressions.
//!
//! Every expression is compiled once, when the definition is parsed. A field value
//! becomes a [`Template`] tree: subtrees without expressions stay literal values
//! (shared, never copied per evaluation), and each `{% %}` string leaf holds its
//! compiled [`Expression`], the path of the leaf inside the field (for the
//! `Output/result` locations of error messages) and the `$variables` it mentions.

use crate::jsonata::{Expression, JsonataError, Profile};
use crate::value::Val;
use std::sync::Arc;

/// A JSONata-mode field value: literal JSON with `{% ... %}` strings at any depth,
/// compiled.
#[derive(Clone, Debug)]
pub struct JsonataValue {
    /// The value as written.
    pub value: Val,
    /// The compiled template.
    pub template: Template,
}

/// A compiled JSONata-mode value.
#[derive(Clone, Debug)]
pub enum Template {
    /// A subtree without expressions, used as written.
    Literal(Val),
    /// A `{% expr %}` string.
    Expr(Arc<Expr>),
    /// An array with expressions in some items.
    Array(Vec<Template>),
    /// An object with expressions in some values (keys in document order).
    Object(Vec<(Arc<str>, Template)>),
}

/// One compiled `{% expr %}` leaf.
#[derive(Debug)]
pub struct Expr {
    /// The compiled expression.
    pub expression: Expression,
    /// The expression body as AWS quotes it in errors (between the delimiters, trimmed).
    pub text: Arc<str>,
    /// The leaf's path inside the field, `/`-separated (`""` for the field itself,
    /// `"result"` for `{"result": "{% ... %}"}`).
    pub path: Arc<str>,
    /// The `$names` the expression mentions (over-approximated: function names and
    /// lambda parameters may appear), `states` excluded.
    pub variables: Vec<Arc<str>>,
    /// `true` when the expression mentions `$states`.
    pub uses_states: bool,
}

impl JsonataValue {
    /// Compiles a JSONata-mode value. The error names the leaf's path inside the value
    /// and says why its expression does not compile.
    pub fn compile(value: Val) -> Result<JsonataValue, (String, String)> {
        let template = compile_template(&value, "")?;
        Ok(JsonataValue { value, template })
    }

    /// `true` when the value holds no expression.
    pub fn is_literal(&self) -> bool {
        matches!(self.template, Template::Literal(_))
    }
}

fn join(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}/{key}")
    }
}

fn compile_template(v: &Val, path: &str) -> Result<Template, (String, String)> {
    match v {
        Val::String(s) => match expression_body(s) {
            Some(body) => Ok(Template::Expr(Arc::new(compile_expr(body, path)?))),
            None => Ok(Template::Literal(v.clone())),
        },
        Val::Array(a) => {
            let items = a
                .items()
                .iter()
                .enumerate()
                .map(|(i, item)| compile_template(item, &join(path, &i.to_string())))
                .collect::<Result<Vec<_>, _>>()?;
            if items.iter().all(|t| matches!(t, Template::Literal(_))) {
                Ok(Template::Literal(v.clone()))
            } else {
                Ok(Template::Array(items))
            }
        }
        Val::Object(o) => {
            let fields = o
                .iter()
                .map(|(k, item)| Ok((k.clone(), compile_template(item, &join(path, k))?)))
                .collect::<Result<Vec<_>, (String, String)>>()?;
            if fields
                .iter()
                .all(|(_, t)| matches!(t, Template::Literal(_)))
            {
                Ok(Template::Literal(v.clone()))
            } else {
                Ok(Template::Object(fields))
            }
        }
        _ => Ok(Template::Literal(v.clone())),
    }
}

fn compile_expr(body: &str, path: &str) -> Result<Expr, (String, String)> {
    let text = body.trim();
    let expression = Expression::compile_with(body, Profile::StepFunctions)
        .map_err(|e: JsonataError| (path.to_string(), compile_message(text, &e)))?;
    let mut variables = Vec::new();
    let mut uses_states = false;
    for name in mentioned_variables(body) {
        if name == "states" {
            uses_states = true;
        } else if !variables.iter().any(|v: &Arc<str>| **v == *name) {
            variables.push(Arc::from(name));
        }
    }
    Ok(Expr {
        expression,
        text: Arc::from(text),
        path: Arc::from(path),
        variables,
        uses_states,
    })
}

fn compile_message(text: &str, e: &JsonataError) -> String {
    format!(
        "The JSONata expression '{text}' is invalid: {}: {}",
        e.code, e.message
    )
}

/// The `$name` tokens of a JSONata body, outside string literals and comments.
fn mentioned_variables(body: &str) -> Vec<&str> {
    let bytes = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    if bytes[i] == b'\\' && q != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'$' => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric()
                        || bytes[end] == b'_'
                        || bytes[end] >= 0x80)
                {
                    end += 1;
                }
                if end > start {
                    if let Some(name) = body.get(start..end) {
                        out.push(name);
                    }
                }
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
    }
    out
}

/// `true` when `s` is a JSONata expression string: starts with `{%` and ends with `%}`.
pub fn is_expression(s: &str) -> bool {
    s.len() >= 4 && s.starts_with("{%") && s.ends_with("%}")
}

/// The expression body between `{%` and `%}`, if `s` is an expression string.
pub fn expression_body(s: &str) -> Option<&str> {
    if is_expression(s) {
        Some(&s[2..s.len() - 2])
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_outside_strings() {
        assert_eq!(
            mentioned_variables(" $x & '$y' & $states.input & \"$z\" /* $w */ & $sum($v_1) "),
            vec!["x", "states", "sum", "v_1"]
        );
    }

    #[test]
    fn literal_subtrees_stay_literal() {
        let v = crate::val!({"a": [1, 2], "b": {"c": "{% 1 %}"}, "d": "x"});
        let j = JsonataValue::compile(v).unwrap();
        let Template::Object(fields) = &j.template else {
            panic!("object expected")
        };
        assert!(matches!(fields[0].1, Template::Literal(_)));
        let Template::Object(inner) = &fields[1].1 else {
            panic!("object expected")
        };
        let Template::Expr(e) = &inner[0].1 else {
            panic!("expression expected")
        };
        assert_eq!(&*e.path, "b/c");
    }

    #[test]
    fn compile_errors_name_the_leaf() {
        let (path, msg) = JsonataValue::compile(crate::val!({"r": ["{% 1 + %}"]})).unwrap_err();
        assert_eq!(path, "r/0");
        assert!(
            msg.starts_with("The JSONata expression '1 +' is invalid: S0"),
            "{msg}"
        );
    }
}
