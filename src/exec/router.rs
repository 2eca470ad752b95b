//! [`Resolvers`]: a router from resource ARNs (exact, prefix or `*` pattern) to async
//! closures, so the common case is one line per task.

use super::resolver::{TaskError, TaskRequest, TaskResolver};
use crate::error::names;
use crate::value::Val;
use async_trait::async_trait;
use futures::future::BoxFuture;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A route's handler: an async closure (its future boxed), or a plain one that
/// answers at once ([`Resolvers::on_sync`]).
#[derive(Clone)]
enum Handler {
    Async(AsyncFn),
    Sync(SyncFn),
}

type AsyncFn = Arc<dyn Fn(TaskRequest) -> BoxFuture<'static, Result<Val, TaskError>> + Send + Sync>;
type SyncFn = Arc<dyn Fn(&TaskRequest) -> Result<Val, TaskError> + Send + Sync>;

enum Matcher {
    Exact(String),
    Prefix(String),
    Pattern(Vec<String>),
}

impl Matcher {
    fn matches(&self, resource: &str) -> bool {
        match self {
            Matcher::Exact(s) => s == resource,
            Matcher::Prefix(p) => resource.starts_with(p.as_str()),
            Matcher::Pattern(parts) => glob(parts, resource),
        }
    }
}

/// `*` matches any run of characters; everything else is literal; the whole string
/// must match.
fn glob(parts: &[String], s: &str) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return s.is_empty();
    };
    let Some(mut tail) = s.strip_prefix(first.as_str()) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return tail.is_empty();
    };
    for part in middle {
        match tail.find(part.as_str()) {
            Some(i) => tail = &tail[i + part.len()..],
            None => return false,
        }
    }
    tail.ends_with(last.as_str())
}

/// Routes Task resources to async closures.
///
/// Routes are tried in the order they were added; the first match handles the task.
/// With no match and no fallback, the task fails with `States.TaskFailed` and a cause
/// naming the state and the resource (catchable, like calling a function that does
/// not exist).
///
/// ```
/// use statelang::exec::{Resolvers, TaskError};
/// use statelang::val;
/// let resolvers = Resolvers::new()
///     .on("arn:aws:lambda:us-east-1:123456789012:function:charge", |task| async move {
///         Ok(val!({"charged": task.input.get("amount").cloned()}))
///     })
///     .on_pattern("arn:aws:states:::sqs:*", |_task| async move { Ok(val!({})) })
///     .fallback(|task| async move {
///         Err(TaskError::new("NotImplemented", format!("no handler for {}", task.resource)))
///     });
/// # let _ = resolvers;
/// ```
#[derive(Default)]
pub struct Resolvers {
    routes: Vec<(Matcher, Handler)>,
    fallback: Option<Handler>,
}

fn handler<F, Fut>(f: F) -> Handler
where
    F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Val, TaskError>> + Send + 'static,
{
    Handler::Async(Arc::new(move |task| Box::pin(f(task))))
}

impl Resolvers {
    /// An empty router.
    pub fn new() -> Resolvers {
        Resolvers::default()
    }

    /// Handles the resource equal to `resource`.
    pub fn on<F, Fut>(mut self, resource: &str, f: F) -> Resolvers
    where
        F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Val, TaskError>> + Send + 'static,
    {
        self.routes
            .push((Matcher::Exact(resource.to_string()), handler(f)));
        self
    }

    /// Handles the resource equal to `resource` with a plain (not async) closure, for
    /// tasks answered at once (from memory, by a computation): the executor gets the
    /// outcome without a boxed future ([`TaskResolver::invoke_now`]).
    ///
    /// ```
    /// use statelang::exec::Resolvers;
    /// use statelang::val;
    /// let resolvers = Resolvers::new().on_sync("arn:aws:lambda:us-east-1:123456789012:function:double", |task| {
    ///     Ok(val!({"doubled": task.input.get("n").and_then(|n| n.as_i64()).map(|n| n * 2)}))
    /// });
    /// # let _ = resolvers;
    /// ```
    pub fn on_sync<F>(mut self, resource: &str, f: F) -> Resolvers
    where
        F: Fn(&TaskRequest) -> Result<Val, TaskError> + Send + Sync + 'static,
    {
        self.routes.push((
            Matcher::Exact(resource.to_string()),
            Handler::Sync(Arc::new(f)),
        ));
        self
    }

    /// Handles every resource starting with `prefix`.
    pub fn on_prefix<F, Fut>(mut self, prefix: &str, f: F) -> Resolvers
    where
        F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Val, TaskError>> + Send + 'static,
    {
        self.routes
            .push((Matcher::Prefix(prefix.to_string()), handler(f)));
        self
    }

    /// Handles every resource matching `pattern`, where `*` matches any run of
    /// characters (`arn:aws:lambda:*:function:charge*`).
    pub fn on_pattern<F, Fut>(mut self, pattern: &str, f: F) -> Resolvers
    where
        F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Val, TaskError>> + Send + 'static,
    {
        let parts = pattern.split('*').map(str::to_string).collect();
        self.routes.push((Matcher::Pattern(parts), handler(f)));
        self
    }

    /// Handles every resource no route matched.
    pub fn fallback<F, Fut>(mut self, f: F) -> Resolvers
    where
        F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Val, TaskError>> + Send + 'static,
    {
        self.fallback = Some(handler(f));
        self
    }

    fn route(&self, resource: &str) -> Option<&Handler> {
        self.routes
            .iter()
            .find(|(m, _)| m.matches(resource))
            .map(|(_, h)| h)
            .or(self.fallback.as_ref())
    }
}

impl std::fmt::Debug for Resolvers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolvers")
            .field("routes", &self.routes.len())
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

/// The failure of a task whose resource nobody handles.
pub fn no_resolver(task: &TaskRequest) -> TaskError {
    TaskError::new(
        names::TASK_FAILED,
        format!(
            "No task resolver is registered for the resource '{}' (state '{}').",
            task.resource, task.state_name
        ),
    )
}

/// Written out rather than through `#[async_trait]`: the handler's future is already
/// boxed, so it is returned as it is instead of being wrapped in a second box that
/// holds (a move of) the whole request.
impl TaskResolver for Resolvers {
    fn invoke<'life0, 'async_trait>(
        &'life0 self,
        task: TaskRequest,
    ) -> Pin<Box<dyn Future<Output = Result<Val, TaskError>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        match self.route(&task.resource) {
            Some(Handler::Async(h)) => h(task),
            Some(Handler::Sync(h)) => Box::pin(std::future::ready(h(&task))),
            None => Box::pin(std::future::ready(Err(no_resolver(&task)))),
        }
    }

    fn invoke_now(&self, task: &TaskRequest) -> Option<Result<Val, TaskError>> {
        match self.route(&task.resource) {
            Some(Handler::Async(_)) => None,
            Some(Handler::Sync(h)) => Some(h(task)),
            None => Some(Err(no_resolver(task))),
        }
    }
}

/// A resolver that handles nothing: every task fails as unresolved.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoResolver;

#[async_trait]
impl TaskResolver for NoResolver {
    async fn invoke(&self, task: TaskRequest) -> Result<Val, TaskError> {
        Err(no_resolver(&task))
    }

    fn invoke_now(&self, task: &TaskRequest) -> Option<Result<Val, TaskError>> {
        Some(Err(no_resolver(task)))
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    fn g(p: &str, s: &str) -> bool {
        let parts: Vec<String> = p.split('*').map(str::to_string).collect();
        glob(&parts, s)
    }

    #[test]
    fn glob_matches_whole_strings() {
        assert!(g("a*c", "abc"));
        assert!(g("a*c", "ac"));
        assert!(!g("a*c", "acb"));
        assert!(g("*", ""));
        assert!(g("arn:*:function:*", "arn:aws:lambda:function:x"));
        assert!(!g("abc", "abcd"));
        assert!(g("abc", "abc"));
    }
}
