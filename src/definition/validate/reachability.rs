//! Every state reachable from `StartAt` (UNREACHABLE_STATE), and at least one
//! terminal state per scope (MISSING_END_STATE).

use super::Graph;
use crate::definition::diagnostic::Code;
use crate::definition::parse::pointer::join;
use crate::definition::parse::Ctx;

/// Checks reachability and terminal states of one scope whose `States` object is at
/// `states_ptr` and whose scope object is at `scope_ptr`.
pub(crate) fn check(cx: &mut Ctx<'_>, graph: &Graph, scope_ptr: &str, states_ptr: &str) {
    let n = graph.names.len();
    if n == 0 {
        return;
    }
    if graph.complete && !graph.terminal.iter().any(|&t| t) {
        cx.error_code(
            Code::MissingEndState,
            scope_ptr,
            "Workflow has no terminal state: at least one state needs \"End\": true, or be a Succeed or Fail state",
        );
    }
    let Some(start) = graph.start else { return };
    let mut seen = vec![false; n];
    let mut stack = vec![start];
    seen[start] = true;
    while let Some(id) = stack.pop() {
        for &next in &graph.edges[id] {
            if next < n && !seen[next] {
                seen[next] = true;
                stack.push(next);
            }
        }
    }
    for (id, name) in graph.names.iter().enumerate() {
        if !seen[id] {
            cx.error_code(
                Code::UnreachableState,
                &join(states_ptr, name),
                format!("State \"{name}\" is not reachable: no StartAt, Next, Default or Catch transition leads to it"),
            );
        }
    }
}
