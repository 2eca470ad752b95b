//! Task states: Resource, TimeoutSeconds/HeartbeatSeconds (and their paths),
//! Credentials, Retry, Catch, and the EXPRESS restrictions.

use super::resource::classify_resource;
use super::retry::{parse_catch, parse_retry};
use super::values::{self, Obj};
use super::{compat, Ctx};
use crate::definition::machine::{MachineType, QueryLanguage};
use crate::definition::task::{
    Credentials, IntegrationPattern, Resource, ResourceKind, Seconds, Task,
};
use crate::definition::validate::transitions::Targets;
use serde_json::Value;

/// The largest TimeoutSeconds / HeartbeatSeconds AWS accepts.
pub(crate) const MAX_SECONDS: u64 = 99_999_999;

/// Parses a Task state's own fields.
pub(crate) fn parse_task(
    cx: &mut Ctx<'_>,
    o: Obj<'_>,
    ql: QueryLanguage,
    targets: &mut Targets<'_>,
) -> Option<Task> {
    let resource = parse_resource(cx, o, ql);
    let timeout = seconds(cx, o, "TimeoutSeconds", "TimeoutSecondsPath", ql);
    let heartbeat = seconds(cx, o, "HeartbeatSeconds", "HeartbeatSecondsPath", ql);
    if let (Some(Some(Seconds::Literal(t))), Some(Some(Seconds::Literal(h)))) =
        (&timeout, &heartbeat)
    {
        if h >= t {
            cx.error(
                &o.at("HeartbeatSeconds"),
                format!("'HeartbeatSeconds' ({h}) must be smaller than 'TimeoutSeconds' ({t})"),
            );
        }
    }
    let credentials = match o.get("Credentials") {
        Some(v) => credentials(cx, &o.at("Credentials"), v, ql).map(Some),
        None => Some(None),
    };
    let retry = parse_retry(cx, o, ql);
    let catch = parse_catch(cx, o, ql, targets);
    Some(Task {
        resource: resource?,
        timeout: timeout?,
        heartbeat: heartbeat?,
        credentials: credentials?,
        retry: retry?,
        catch: catch?,
    })
}

fn parse_resource(cx: &mut Ctx<'_>, o: Obj<'_>, ql: QueryLanguage) -> Option<Resource> {
    if !o.has("Resource") {
        values::missing(cx, o.ptr, "Resource");
        return None;
    }
    let arn = values::opt_plain_str(cx, o, "Resource", ql)?;
    let ptr = o.at("Resource");
    let resource = match classify_resource(arn) {
        Ok(r) => r,
        Err(message) => {
            cx.error(&ptr, message);
            return None;
        }
    };
    if cx.opts.machine_type == MachineType::Express {
        let problem = match &resource.kind {
            ResourceKind::Activity => Some("Express state machine does not support Activity ARN"),
            ResourceKind::Integration { pattern, .. } => match pattern {
                IntegrationPattern::Sync | IntegrationPattern::Sync2 => {
                    Some("Express state machine does not support '.sync' service integration")
                }
                IntegrationPattern::WaitForTaskToken => {
                    Some("Express state machine does not support '.waitForTaskToken' service integration ")
                }
                IntegrationPattern::RequestResponse => None,
            },
            _ => None,
        };
        if let Some(p) = problem {
            cx.error(&ptr, p);
            return None;
        }
    }
    Some(resource)
}

/// `X` / `XPath` (JSONPath) or `X` as literal or expression (JSONata): a positive
/// number of seconds. `Some(None)` when absent.
fn seconds(
    cx: &mut Ctx<'_>,
    o: Obj<'_>,
    key: &str,
    path_key: &str,
    ql: QueryLanguage,
) -> Option<Option<Seconds>> {
    if values::exclusive(cx, o, key, path_key) {
        return None;
    }
    if let Some(v) = o.get(key) {
        let ptr = o.at(key);
        return match values::literal_or_expr(cx, &ptr, v, ql)? {
            Err(expr) => Some(Some(Seconds::Jsonata(expr))),
            Ok(v) => values::int_value(cx, &ptr, key, v, 1, MAX_SECONDS)
                .map(|n| Some(Seconds::Literal(n))),
        };
    }
    if ql == QueryLanguage::JsonPath {
        if let Some(s) = values::opt_str(cx, o, path_key) {
            return compat::reference(cx, &o.at(path_key), path_key, s)
                .map(|p| Some(Seconds::Path(p)));
        }
        if o.has(path_key) {
            return None;
        }
    }
    Some(None)
}

fn credentials(cx: &mut Ctx<'_>, ptr: &str, v: &Value, ql: QueryLanguage) -> Option<Credentials> {
    let Value::Object(map) = v else {
        values::wrong_type(cx, ptr, "Credentials", "OBJECT", v);
        return None;
    };
    let has_role = map.contains_key("RoleArn")
        || (ql == QueryLanguage::JsonPath && map.contains_key("RoleArn.$"));
    if !has_role {
        values::missing(cx, ptr, "RoleArn");
        return None;
    }
    match ql {
        QueryLanguage::JsonPath => compat::template(cx, ptr, v).map(Credentials::JsonPath),
        QueryLanguage::Jsonata => values::jsonata_value(cx, ptr, v).map(Credentials::Jsonata),
    }
}
