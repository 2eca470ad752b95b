//! The context object (`$$` in JSONPath, `$states.context` in JSONata).
//!
//! The executor keeps the parts that change per state as plain fields and builds the
//! JSON object only when a `$$` path is actually evaluated.

use super::timestamp::format_millis;
use crate::value::{Map, Val};
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

/// What the context object holds for the state being evaluated.
#[derive(Clone, Debug, Default)]
pub struct ContextObject {
    /// `$$.Execution` (Id, Input, Name, RoleArn, StartTime, RedriveCount), built once per execution.
    pub execution: Val,
    /// `$$.StateMachine` (Id, Name), built once per execution.
    pub state_machine: Val,
    /// `$$.State.Name`.
    pub state_name: Arc<str>,
    /// `$$.State.EnteredTime`, as epoch milliseconds.
    pub state_entered_millis: i64,
    /// `$$.State.RetryCount`: present only in states that can retry (Task, Parallel, Map).
    pub retry_count: Option<u32>,
    /// `$$.Task.Token`: present only while a `.waitForTaskToken` task runs.
    pub task_token: Option<Arc<str>>,
    /// `$$.Map.Item` (Index, Value): present only while a Map evaluates its ItemSelector.
    pub map_item: Option<(usize, Val)>,
}

/// The parts of `$$.Execution` and `$$.StateMachine` fixed for a whole execution.
#[derive(Clone, Debug)]
pub struct ExecutionContext {
    /// The execution ARN.
    pub id: String,
    /// The execution name.
    pub name: String,
    /// The original execution input.
    pub input: Val,
    /// The execution role ARN.
    pub role_arn: String,
    /// The start time, as epoch milliseconds.
    pub start_millis: i64,
    /// How many times the execution was redriven.
    pub redrive_count: u32,
    /// The state machine ARN.
    pub state_machine_id: String,
    /// The state machine name.
    pub state_machine_name: String,
}

fn key(s: &str) -> Arc<str> {
    Arc::from(s)
}

impl ExecutionContext {
    /// `$$.Execution` as a value, in the key order AWS prints.
    pub fn execution_val(&self) -> Val {
        let mut m = Map::with_capacity(6);
        m.insert(key("Id"), Val::string(self.id.as_str()));
        m.insert(key("Input"), self.input.clone());
        m.insert(key("Name"), Val::string(self.name.as_str()));
        m.insert(key("RoleArn"), Val::string(self.role_arn.as_str()));
        m.insert(
            key("StartTime"),
            Val::string(format_millis(self.start_millis)),
        );
        m.insert(key("RedriveCount"), Val::int(i64::from(self.redrive_count)));
        Val::object(m)
    }

    /// `$$.StateMachine` as a value.
    pub fn state_machine_val(&self) -> Val {
        let mut m = Map::with_capacity(2);
        m.insert(key("Id"), Val::string(self.state_machine_id.as_str()));
        m.insert(key("Name"), Val::string(self.state_machine_name.as_str()));
        Val::object(m)
    }
}

impl ContextObject {
    /// The whole context object as a JSON value.
    pub fn to_val(&self) -> Val {
        let mut root = Map::with_capacity(5);
        root.insert(key("Execution"), self.execution.clone());
        root.insert(key("StateMachine"), self.state_machine.clone());
        let mut state = Map::with_capacity(3);
        state.insert(key("Name"), Val::String(self.state_name.clone()));
        state.insert(
            key("EnteredTime"),
            Val::string(format_millis(self.state_entered_millis)),
        );
        if let Some(n) = self.retry_count {
            state.insert(key("RetryCount"), Val::int(i64::from(n)));
        }
        root.insert(key("State"), Val::object(state));
        if let Some(token) = &self.task_token {
            let mut task = Map::with_capacity(1);
            task.insert(key("Token"), Val::String(token.clone()));
            root.insert(key("Task"), Val::object(task));
        }
        if let Some((index, value)) = &self.map_item {
            let mut item = Map::with_capacity(2);
            item.insert(key("Index"), Val::int(*index as i64));
            item.insert(key("Value"), value.clone());
            let mut map = Map::with_capacity(1);
            map.insert(key("Item"), Val::object(item));
            root.insert(key("Map"), Val::object(map));
        }
        Val::object(root)
    }
}

/// The context object handed to a task resolver: its fields, and the JSON value
/// (`$$`), built the first time it is read. Dereferences to that value, so
/// `request.context.get("State")` reads it like any [`Val`].
#[derive(Clone, Default)]
pub struct LazyContext {
    fields: ContextObject,
    value: OnceLock<Val>,
}

impl LazyContext {
    /// A context object whose JSON value is built on first use.
    pub fn new(fields: ContextObject) -> LazyContext {
        LazyContext {
            fields,
            value: OnceLock::new(),
        }
    }

    /// The fields it is built from.
    pub fn fields(&self) -> &ContextObject {
        &self.fields
    }

    /// The fields, to change them: the JSON value built from the old ones (if it
    /// was read) is dropped, and the next read builds it from the new ones. Lets
    /// one request serve several attempts of a Task state.
    pub fn fields_mut(&mut self) -> &mut ContextObject {
        drop(self.value.take());
        &mut self.fields
    }

    /// The whole context object as a JSON value (built once).
    pub fn value(&self) -> &Val {
        self.value.get_or_init(|| self.fields.to_val())
    }
}

impl Deref for LazyContext {
    type Target = Val;

    fn deref(&self) -> &Val {
        self.value()
    }
}

impl From<Val> for LazyContext {
    /// A context given as a finished value (its fields stay at their defaults).
    fn from(value: Val) -> LazyContext {
        LazyContext {
            fields: ContextObject::default(),
            value: OnceLock::from(value),
        }
    }
}

impl PartialEq<Val> for LazyContext {
    fn eq(&self, other: &Val) -> bool {
        self.value() == other
    }
}

impl fmt::Debug for LazyContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.value(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_count_task_and_map_only_when_set() {
        let mut c = ContextObject {
            state_name: Arc::from("S"),
            ..ContextObject::default()
        };
        let v = c.to_val();
        assert!(v.get("State").unwrap().get("RetryCount").is_none());
        assert!(v.get("Task").is_none());
        assert!(v.get("Map").is_none());
        c.retry_count = Some(2);
        c.task_token = Some(Arc::from("tok"));
        c.map_item = Some((3, Val::string("x")));
        let v = c.to_val();
        assert_eq!(
            v.get("State").unwrap().get("RetryCount"),
            Some(&Val::int(2))
        );
        assert_eq!(
            v.get("Task").unwrap().get("Token"),
            Some(&Val::string("tok"))
        );
        let item = v.get("Map").unwrap().get("Item").unwrap();
        assert_eq!(item.get("Index"), Some(&Val::int(3)));
        assert_eq!(
            v.get("State").unwrap().get("EnteredTime"),
            Some(&Val::string("1970-01-01T00:00:00.000Z"))
        );
    }
}
