//! Variable scoping: a Parallel branch or Map processor may not assign a variable
//! that an enclosing scope assigns.

use crate::definition::parse::Ctx;
use std::collections::{HashMap, HashSet};

/// Reports every assignment in an inner scope of a name assigned in an outer one.
pub(crate) fn check_scoping(cx: &mut Ctx<'_>) {
    let mut by_scope: HashMap<usize, HashSet<&str>> = HashMap::new();
    for (stack, name, _) in &cx.assignments {
        if let Some(&scope) = stack.last() {
            by_scope.entry(scope).or_default().insert(name.as_str());
        }
    }
    let mut errors = Vec::new();
    for (stack, name, ptr) in &cx.assignments {
        let outer = &stack[..stack.len().saturating_sub(1)];
        if outer.iter().any(|s| {
            by_scope
                .get(s)
                .is_some_and(|names| names.contains(name.as_str()))
        }) {
            errors.push((ptr.clone(), format!(
                "The variable '{name}' is assigned in an enclosing scope; a Parallel branch or Map iteration cannot assign an outer variable"
            )));
        }
    }
    for (ptr, msg) in errors {
        cx.error(&ptr, msg);
    }
}
