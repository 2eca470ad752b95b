//! [`Resolvers`]: a router from resource ARNs (exact, prefix or `*` pattern) to async
//! closures, so the common case is one line per task.

use super::resolver::{TaskError, TaskRequest, TaskResolver};
use crate::error::names;
use crate::value::Val;
use async_trait::async_trait;
use futures::future::BoxFuture;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

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
    /// The first resources routed, with where they went.
    seen: SeenResources,
}

/// How many resources [`SeenResources`] remembers.
const SEEN: usize = 4;

/// The first [`SEEN`] resources routed, each with the index of the route that
/// handles it (`None`: the fallback, or nobody). A Task state's `Resource` is one
/// string shared by all its runs and attempts, so it is found again by its
/// address, without comparing its text (a 50-character ARN per attempt). Each
/// slot is set once and keeps its string alive, so no other string can take that
/// address while it is remembered; reading a slot takes no lock.
#[derive(Default)]
struct SeenResources([OnceLock<(Arc<str>, Option<usize>)>; SEEN]);

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
    pub fn on<F, Fut>(self, resource: &str, f: F) -> Resolvers
    where
        F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Val, TaskError>> + Send + 'static,
    {
        self.with_route(Matcher::Exact(resource.to_string()), handler(f))
    }

    /// Handles the resource equal to `resource` with a plain (not async) closure, for
    /// tasks answered at once (from memory, by a computation): the executor gets the
    /// outcome without a boxed future ([`TaskResolver::invoke_now`]), and an inline Map
    /// over such Tasks runs its iterations one after another in place
    /// ([`TaskResolver::answers_at_once`]).
    ///
    /// ```
    /// use statelang::exec::Resolvers;
    /// use statelang::val;
    /// let resolvers = Resolvers::new().on_sync("arn:aws:lambda:us-east-1:123456789012:function:double", |task| {
    ///     Ok(val!({"doubled": task.input.get("n").and_then(|n| n.as_i64()).map(|n| n * 2)}))
    /// });
    /// # let _ = resolvers;
    /// ```
    pub fn on_sync<F>(self, resource: &str, f: F) -> Resolvers
    where
        F: Fn(&TaskRequest) -> Result<Val, TaskError> + Send + Sync + 'static,
    {
        self.with_route(
            Matcher::Exact(resource.to_string()),
            Handler::Sync(Arc::new(f)),
        )
    }

    /// Handles every resource starting with `prefix`.
    pub fn on_prefix<F, Fut>(self, prefix: &str, f: F) -> Resolvers
    where
        F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Val, TaskError>> + Send + 'static,
    {
        self.with_route(Matcher::Prefix(prefix.to_string()), handler(f))
    }

    /// Handles every resource matching `pattern`, where `*` matches any run of
    /// characters (`arn:aws:lambda:*:function:charge*`).
    pub fn on_pattern<F, Fut>(self, pattern: &str, f: F) -> Resolvers
    where
        F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Val, TaskError>> + Send + 'static,
    {
        let parts = pattern.split('*').map(str::to_string).collect();
        self.with_route(Matcher::Pattern(parts), handler(f))
    }

    /// Handles every resource no route matched.
    pub fn fallback<F, Fut>(mut self, f: F) -> Resolvers
    where
        F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Val, TaskError>> + Send + 'static,
    {
        self.fallback = Some(handler(f));
        self.seen = SeenResources::default();
        self
    }

    /// Adds a route after the others. Where resources went before is forgotten
    /// (a new route may take some of them), as [`Resolvers::fallback`] forgets it.
    fn with_route(mut self, matcher: Matcher, handler: Handler) -> Resolvers {
        self.routes.push((matcher, handler));
        self.seen = SeenResources::default();
        self
    }

    /// The index of the first route matching `resource` (`None`: the fallback).
    fn route_index(&self, resource: &str) -> Option<usize> {
        self.routes.iter().position(|(m, _)| m.matches(resource))
    }

    /// The handler of `resource`: the one remembered for this string if it was
    /// routed before, else the first matching route's (then remembered, while
    /// there is room), else the fallback.
    fn route(&self, resource: &Arc<str>) -> Option<&Handler> {
        let index = 'found: {
            for slot in &self.seen.0 {
                match slot.get() {
                    Some((seen, index)) if Arc::ptr_eq(seen, resource) => break 'found *index,
                    Some(_) => {}
                    None => {
                        let index = self.route_index(resource);
                        // Another thread may have taken the slot meanwhile: the
                        // index found is right either way.
                        let _ = slot.set((resource.clone(), index));
                        break 'found index;
                    }
                }
            }
            self.route_index(resource)
        };
        self.handler_at(index)
    }

    /// The handler of route `index` (`None`: the fallback, if any).
    fn handler_at(&self, index: Option<usize>) -> Option<&Handler> {
        match index {
            Some(i) => self.routes.get(i).map(|(_, h)| h),
            None => self.fallback.as_ref(),
        }
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

    /// `true` for a resource routed to an [`Resolvers::on_sync`] closure, or to
    /// nobody (it fails at once).
    fn answers_at_once(&self, resource: &str) -> bool {
        let handler = self.handler_at(self.route_index(resource));
        !matches!(handler, Some(Handler::Async(_)))
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

    fn answers_at_once(&self, _resource: &str) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::{glob, Resolvers, SEEN};
    use crate::data::context::{ContextObject, LazyContext};
    use crate::definition::task::ResourceKind;
    use crate::exec::resolver::{TaskRequest, TaskResolver};
    use crate::value::Val;
    use std::sync::Arc;

    fn request(resource: &Arc<str>) -> TaskRequest {
        TaskRequest::new(
            resource.clone(),
            ResourceKind::Custom,
            Arc::from("S"),
            Val::Null,
            LazyContext::new(ContextObject::default()),
        )
    }

    /// Which handler answered (its name), or the error's name.
    fn answer(r: &Resolvers, resource: &Arc<str>) -> String {
        match r.invoke_now(&request(resource)) {
            Some(Ok(v)) => v.as_str().unwrap_or_default().to_string(),
            Some(Err(e)) => e.error.to_string(),
            None => "async".to_string(),
        }
    }

    #[test]
    fn a_resource_routed_again_goes_where_it_went_first() {
        let r = Resolvers::new()
            .on_sync("a", |_| Ok(Val::string("A")))
            .on_sync("b", |_| Ok(Val::string("B")));
        // More resources than are remembered, each asked twice; equal texts in
        // different strings route alike.
        let names: Vec<Arc<str>> = ["a", "b", "c", "a", "b", "x", "y", "z"]
            .iter()
            .map(|s| Arc::from(*s))
            .collect();
        assert!(names.len() > SEEN);
        for _ in 0..2 {
            let got: Vec<String> = names.iter().map(|n| answer(&r, n)).collect();
            assert_eq!(
                got,
                [
                    "A",
                    "B",
                    "States.TaskFailed",
                    "A",
                    "B",
                    "States.TaskFailed",
                    "States.TaskFailed",
                    "States.TaskFailed"
                ]
            );
        }
    }

    #[test]
    fn adding_a_route_forgets_where_resources_went() {
        let c: Arc<str> = Arc::from("c");
        let r = Resolvers::new().fallback(|_| async { Ok(Val::Null) });
        assert_eq!(answer(&r, &c), "async");
        let r = r.on_sync("c", |_| Ok(Val::string("C")));
        assert_eq!(answer(&r, &c), "C");
    }

    #[test]
    fn only_plain_closures_and_unrouted_resources_are_answered_at_once() {
        let r = Resolvers::new()
            .on_sync("sync", |_| Ok(Val::Null))
            .on("async", |_| async { Ok(Val::Null) });
        assert!(r.answers_at_once("sync"));
        assert!(!r.answers_at_once("async"));
        // Nobody handles it: it fails at once.
        assert!(r.answers_at_once("other"));
        let r = r.fallback(|_| async { Ok(Val::Null) });
        assert!(!r.answers_at_once("other"));
        assert!(r.answers_at_once("sync"));
        // Through an `Arc`, as the executor holds it.
        let shared: Arc<dyn TaskResolver> = Arc::new(r);
        assert!(Arc::new(shared.clone()).answers_at_once("sync"));
        assert!(!shared.answers_at_once("async"));
    }

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
