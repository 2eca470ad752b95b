//! Task states: the resource, timeouts, credentials, Retry and Catch.

use super::jsonata::JsonataValue;
use super::retry::{Catcher, Retrier};
use crate::data::path::Path;
use crate::data::template::Template;
use std::sync::Arc;

/// A `Task` state's own fields (data processing lives in [`super::io::Io`]).
#[derive(Debug)]
pub struct Task {
    /// `Resource`, classified.
    pub resource: Resource,
    /// `TimeoutSeconds` / `TimeoutSecondsPath`.
    pub timeout: Option<Seconds>,
    /// `HeartbeatSeconds` / `HeartbeatSecondsPath`.
    pub heartbeat: Option<Seconds>,
    /// `Credentials` (`RoleArn` or `RoleArn.$`).
    pub credentials: Option<Credentials>,
    /// `Retry`, in order.
    pub retry: Vec<Retrier>,
    /// `Catch`, in order.
    pub catch: Vec<Catcher>,
}

/// A number of seconds given literally, by path, or by JSONata expression.
#[derive(Clone, Debug)]
pub enum Seconds {
    /// A literal positive integer.
    Literal(u64),
    /// A reference path resolved at run time (`*SecondsPath`).
    Path(Path),
    /// A JSONata expression.
    Jsonata(JsonataValue),
}

/// `Credentials`: the role to assume for the task.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// JSONPath: a template with `RoleArn` or `RoleArn.$`.
    JsonPath(Template),
    /// JSONata: a value with `RoleArn` possibly an expression.
    Jsonata(JsonataValue),
}

/// A Task `Resource`, parsed once.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The ARN exactly as written.
    pub arn: Arc<str>,
    /// What kind of resource it is.
    pub kind: ResourceKind,
}

/// How a Task's resource is invoked, which decides its history events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// A Lambda function ARN used directly: `LambdaFunction*` events.
    LambdaFunction,
    /// An activity ARN: `Activity*` events.
    Activity,
    /// An optimised integration `arn:aws:states:::<service>:<action>[.sync|.sync:2|.waitForTaskToken]`
    /// or an SDK integration `arn:aws:states:::aws-sdk:<service>:<action>[...]`: `Task*` events.
    Integration {
        /// `resourceType` in history: `lambda`, `sqs`, `aws-sdk:s3`, ...
        service: Arc<str>,
        /// `resource` in history: the action with its suffix, e.g. `invoke`, `sendMessage.waitForTaskToken`.
        action: Arc<str>,
        /// The integration pattern from the suffix.
        pattern: IntegrationPattern,
    },
    /// Any other resource string (custom resources of an embedding program): `Task*` events.
    Custom,
}

/// The service-integration pattern, from the resource suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntegrationPattern {
    /// No suffix: the call's response is the result.
    RequestResponse,
    /// `.sync`: wait for the job; `states:startExecution` Input/Output as JSON strings.
    Sync,
    /// `.sync:2`: like `.sync`, with parsed JSON.
    Sync2,
    /// `.waitForTaskToken`: wait until the token is completed.
    WaitForTaskToken,
}
