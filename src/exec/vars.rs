//! Workflow variables (`Assign`) and their scopes.
//!
//! The top level is the outer scope; each Parallel branch and Map iteration gets an
//! inner scope that can read its parents and writes only its own variables. Writes
//! happen after a state finishes, so every expression of a state sees the values as
//! they were when it was entered.

use crate::data::Variables;
use crate::value::{Map, Val};

/// One variable scope, linked to the scopes that enclose it.
#[derive(Debug, Default)]
pub(crate) struct Vars<'p> {
    local: Map,
    parent: Option<&'p Vars<'p>>,
}

impl<'p> Vars<'p> {
    /// The outermost scope (also a Distributed Map child's, which cannot read outer
    /// variables).
    pub(crate) fn root() -> Vars<'static> {
        Vars {
            local: Map::new(),
            parent: None,
        }
    }

    /// An inner scope (a Parallel branch or an inline Map iteration).
    pub(crate) fn child(parent: &'p Vars<'p>) -> Vars<'p> {
        Vars {
            local: Map::new(),
            parent: Some(parent),
        }
    }

    /// Applies a state's assignments to this scope.
    pub(crate) fn assign(&mut self, values: Map) {
        if self.local.is_empty() {
            self.local = values;
        } else {
            self.local.extend(values);
        }
    }
}

impl Variables for Vars<'_> {
    fn get(&self, name: &str) -> Option<Val> {
        match self.local.get(name) {
            Some(v) => Some(v.clone()),
            None => self.parent.and_then(|p| p.get(name)),
        }
    }
}
