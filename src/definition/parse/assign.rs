//! `Assign`: variable names (CHECKLIST §9) and the values, in either query language.

use super::pointer::join;
use super::values;
use super::{compat, Ctx};
use crate::definition::io::Assign;
use crate::definition::machine::QueryLanguage;
use serde_json::Value;

/// The longest variable name AWS accepts.
const MAX_VARIABLE_NAME: usize = 80;

/// Parses an `Assign` object at `ptr` and records its names for the scoping check.
pub(crate) fn parse_assign(
    cx: &mut Ctx<'_>,
    v: &Value,
    ptr: &str,
    ql: QueryLanguage,
) -> Option<Assign> {
    let Value::Object(map) = v else {
        values::wrong_type(cx, ptr, "Assign", "OBJECT", v);
        return None;
    };
    let before = cx.error_count();
    for key in map.keys() {
        let name = match ql {
            QueryLanguage::JsonPath => key.strip_suffix(".$").unwrap_or(key),
            QueryLanguage::Jsonata => key.as_str(),
        };
        let key_ptr = join(ptr, key);
        if let Some(problem) = name_problem(name) {
            cx.error(
                &key_ptr,
                format!("Invalid variable name '{name}': {problem}"),
            );
            continue;
        }
        cx.assignments
            .push((cx.scope_stack.clone(), name.to_owned(), key_ptr));
    }
    let assign = match ql {
        QueryLanguage::JsonPath => compat::template(cx, ptr, v).map(Assign::JsonPath),
        QueryLanguage::Jsonata => values::jsonata_value(cx, ptr, v).map(Assign::Jsonata),
    };
    (cx.error_count() == before).then_some(assign).flatten()
}

/// What is wrong with a variable name, if anything.
fn name_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Some("a variable name cannot be empty".into());
    };
    if name == "states" {
        return Some("'states' is reserved".into());
    }
    let len = name.chars().count();
    if len > MAX_VARIABLE_NAME {
        return Some(format!(
            "it is {len} characters long; the maximum is {MAX_VARIABLE_NAME}"
        ));
    }
    if !(first.is_alphabetic() || first == '_') {
        return Some("it must start with a letter or '_'".into());
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_alphanumeric() || *c == '_')) {
        return Some(format!(
            "it may contain only letters, digits and '_' (found '{bad}'); only whole variables can be assigned"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::name_problem;

    #[test]
    fn variable_names() {
        assert!(name_problem("x").is_none());
        assert!(name_problem("_x9").is_none());
        assert!(name_problem("states").is_some());
        assert!(name_problem("x.y").is_some());
        assert!(name_problem("x[2]").is_some());
        assert!(name_problem("9x").is_some());
        assert!(name_problem(&"a".repeat(81)).is_some());
        assert!(name_problem(&"a".repeat(80)).is_none());
    }
}
