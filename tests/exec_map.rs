//! Inline Map states: ItemsPath, ItemSelector with $$.Map.Item, events, order,
//! failures and tolerance.
mod common;
use async_trait::async_trait;
use common::*;
use serde_json::json;
use statelang::exec::{
    EventType, Outcome, Resolvers, Status, TaskError, TaskRequest, TaskResolver,
};
use statelang::{val, Val};

async fn item_selector_and_events() {
    let o = run_plain(
        r#"{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,
            "ItemSelector":{"value.$":"$$.Map.Item.Value","index.$":"$$.Map.Item.Index","tag.$":"$.tag"},
            "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
            "ResultPath":"$.out","End":true}}}"#,
        val!({"items": ["a", "b"], "tag": "t"}),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    assert_eq!(
        o.output,
        Some(val!({"items": ["a", "b"], "tag": "t", "out": [
            {"value": "a", "index": 0, "tag": "t"},
            {"value": "b", "index": 1, "tag": "t"}
        ]}))
    );
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "MapIterationStarted",
            "PassStateEntered",
            "PassStateExited",
            "MapIterationSucceeded",
            "MapIterationStarted",
            "PassStateEntered",
            "PassStateExited",
            "MapIterationSucceeded",
            "MapStateSucceeded",
            "MapStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(
        details(o.history.find(EventType::MapStateStarted).unwrap()),
        json!({"length": 2})
    );
    let iterations = events_of(&o, EventType::MapIterationStarted);
    assert_eq!(details(iterations[1]), json!({"name": "M", "index": 1}));
    let succeeded = o.history.find(EventType::MapStateSucceeded).unwrap();
    let exited = o.history.find(EventType::MapStateExited).unwrap();
    assert_eq!(
        exited.previous_event_id, succeeded.previous_event_id,
        "AWS links MapStateExited like MapStateSucceeded"
    );
}

async fn empty_items_give_an_empty_array() {
    let o = run_plain(
        r#"{"StartAt":"M","States":{"M":{"Type":"Map","End":true,
            "Iterator":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}}"#,
        val!([]),
    )
    .await;
    assert_eq!(o.output, Some(val!([])));
    assert_eq!(
        details(o.history.find(EventType::MapStateStarted).unwrap()),
        json!({"length": 0})
    );
}

async fn results_keep_item_order_whatever_finishes_first() {
    let o = run_plain(
        r#"{"StartAt":"M","States":{"M":{"Type":"Map","End":true,
            "ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$","End":true}}}}}}"#,
        val!([30, 10, 20]),
    )
    .await;
    assert_eq!(o.output, Some(val!([30, 10, 20])));
    let ended: Vec<i64> = events_of(&o, EventType::MapIterationSucceeded)
        .iter()
        .map(|e| details(e)["index"].as_i64().unwrap())
        .collect();
    assert_eq!(ended, [1, 2, 0]);
    assert_eq!(
        o.history
            .find(EventType::MapStateSucceeded)
            .unwrap()
            .timestamp_millis,
        T0 + 30_000
    );
}

async fn failing_iteration_aborts_the_others() {
    let r = Resolvers::new().fallback(|task| async move {
        if task.input == val!(2) {
            Err(TaskError::new("ItemBroken", "item 2"))
        } else {
            futures::future::pending::<()>().await;
            Ok(val!(null))
        }
    });
    let o = run(
        r#"{"StartAt":"M","States":{"M":{"Type":"Map","End":true,
            "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x","End":true}}}}}}"#,
        val!([0, 1, 2]),
        r,
    )
    .await;
    assert_eq!(o.error_name(), Some("ItemBroken"));
    let t = types(&o);
    let tail = &t[t.len() - 9..];
    assert_eq!(
        tail,
        [
            "TaskFailed",
            "TaskStateAborted",
            "MapIterationFailed",
            "TaskStateAborted",
            "MapIterationAborted",
            "TaskStateAborted",
            "MapIterationAborted",
            "MapStateFailed",
            "ExecutionFailed"
        ]
    );
    let aborted: Vec<i64> = events_of(&o, EventType::MapIterationAborted)
        .iter()
        .map(|e| details(e)["index"].as_i64().unwrap())
        .collect();
    assert_eq!(aborted, [0, 1]);
}

async fn tolerated_failures_keep_the_map_going() {
    let r = Resolvers::new().fallback(|task| async move {
        match task.input.as_i64() {
            Some(n) if n % 2 == 1 => Err(TaskError::new("Odd", format!("{n}"))),
            _ => Ok(task.input),
        }
    });
    let def = |tolerance: &str| {
        format!(
            r#"{{"StartAt":"M","States":{{"M":{{"Type":"Map","End":true,{tolerance},
            "ItemProcessor":{{"StartAt":"T","States":{{"T":{{"Type":"Task","Resource":"x","End":true}}}}}}}}}}}}"#
        )
    };
    let o = executor(r)
        .run(
            &machine(&def(r#""ToleratedFailureCount":2"#)),
            val!([0, 1, 2, 3]),
        )
        .await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    assert_eq!(
        o.output,
        Some(val!([0, {"Error": "Odd", "Cause": "1"}, 2, {"Error": "Odd", "Cause": "3"}]))
    );
    let r = Resolvers::new().fallback(|task| async move {
        match task.input.as_i64() {
            Some(n) if n % 2 == 1 => Err(TaskError::new("Odd", format!("{n}"))),
            _ => Ok(task.input),
        }
    });
    let o = executor(r)
        .run(
            &machine(&def(r#""ToleratedFailurePercentage":25"#)),
            val!([0, 1, 2, 3]),
        )
        .await;
    assert_eq!(
        o.error_name(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    assert_eq!(
        o.cause(),
        Some("The specified tolerated failure threshold was exceeded")
    );
}

async fn max_concurrency_path_accepts_numeric_strings_and_rejects_others() {
    let def = r#"{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrencyPath":"$.mc","End":true,
        "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}}"#;
    let o = run_plain(def, val!({"items": [1, 2], "mc": "1"})).await;
    assert_eq!(o.output, Some(val!([1, 2])));
    let o = run_plain(def, val!({"items": [1, 2], "mc": "NoNumber"})).await;
    assert_eq!(o.error_name(), Some("States.Runtime"));
    assert_eq!(
        o.cause(),
        Some("An error occurred while executing the state 'M' (entered at the event id #2). The MaxConcurrencyPath field refers to value \"NoNumber\" which is not a valid integer: $.mc")
    );
    assert_eq!(
        types(&o),
        ["ExecutionStarted", "MapStateEntered", "ExecutionFailed"]
    );
}

/// AWS quirk (scenarios/base_scenarios__max_concurrency_path_negative): a negative
/// MaxConcurrencyPath value does not fail the state; the execution stalls before the
/// Map is entered and stays RUNNING.
async fn negative_max_concurrency_path_stalls_before_entering_the_map() {
    let def = r#"{"StartAt":"First","States":{"First":{"Type":"Pass","Next":"M"},
        "M":{"Type":"Map","InputPath":"$.cfg","ItemsPath":"$.items","MaxConcurrencyPath":"$.mc","Next":"After",
        "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}},
        "After":{"Type":"Pass","End":true}}}"#;
    let (handle, fut) =
        executor(Resolvers::new()).start(&machine(def), val!({"cfg": {"items": [1], "mc": -1}}));
    let mut fut = Box::pin(fut);
    for _ in 0..200 {
        assert!(
            futures::poll!(fut.as_mut()).is_pending(),
            "the execution must not end on its own"
        );
        yield_now().await;
    }
    assert!(handle.stop(None, None));
    let o = fut.await;
    assert_eq!(o.status, Status::Aborted);
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionAborted"
        ]
    );
    // The execution's own timeout still ends it.
    let timed = def.replacen(r#"{"StartAt""#, r#"{"TimeoutSeconds":10,"StartAt""#, 1);
    let o = run_plain(&timed, val!({"cfg": {"items": [1], "mc": "-1"}})).await;
    assert_eq!(o.status, Status::TimedOut);
    assert!(o.history.find(EventType::MapStateEntered).is_none());
}

async fn iterations_read_but_do_not_share_variables() {
    let o = run_plain(
        r#"{"StartAt":"Init","States":{"Init":{"Type":"Pass","Assign":{"outer":"o"},"Next":"M"},
            "M":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"Set","States":{
                "Set":{"Type":"Pass","Assign":{"inner.$":"$"},"Next":"Read"},
                "Read":{"Type":"Pass","Parameters":{"outer.$":"$outer","inner.$":"$inner"},"End":true}}}}}}"#,
        val!([1, 2]),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    assert_eq!(
        o.output,
        Some(val!([{"outer": "o", "inner": 1}, {"outer": "o", "inner": 2}]))
    );
}

/// A Map over Tasks with a Retry and a Catch, MaxConcurrency 0.
const TASK_MAP: &str = r#"{"StartAt":"M","States":{"M":{"Type":"Map","End":true,
    "ItemProcessor":{"StartAt":"T","States":{
        "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:111111111111:function:f","End":true,
            "Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":1,"MaxAttempts":2}],
            "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}]},
        "Caught":{"Type":"Pass","Result":"caught","End":true}}}}}}"#;

/// Fails the first attempt of every item (`Flaky`) and answers the second;
/// `fatal` items fail (`Fatal`, caught).
fn flaky(task: &TaskRequest) -> Result<Val, TaskError> {
    if task.input.get("fatal").and_then(Val::as_bool) == Some(true) {
        return Err(TaskError::new("Fatal", "fatal"));
    }
    match task.retry_count {
        0 => Err(TaskError::new("Flaky", "first attempt")),
        _ => Ok(task.input.get("n").cloned().unwrap_or(Val::Null)),
    }
}

/// The (type, item index) of each `MapIterationStarted`, `MapIterationSucceeded`
/// and `LambdaFunctionScheduled`, in history order (the index of a Task event is
/// that of the iteration whose chain it is on).
fn iteration_trace(o: &Outcome) -> Vec<(&'static str, u64)> {
    let mut index_of_event = std::collections::HashMap::new();
    let mut trace = Vec::new();
    for e in o.history.events().iter() {
        let index = match e.event_type {
            EventType::MapIterationStarted | EventType::MapIterationSucceeded => {
                details(e)["index"].as_u64().unwrap_or(u64::MAX)
            }
            _ => index_of_event
                .get(&e.previous_event_id)
                .copied()
                .unwrap_or(u64::MAX),
        };
        index_of_event.insert(e.id, index);
        if matches!(
            e.event_type,
            EventType::MapIterationStarted
                | EventType::MapIterationSucceeded
                | EventType::LambdaFunctionScheduled
        ) {
            trace.push((e.event_type.as_str(), index));
        }
    }
    trace
}

/// Iteration `i` entirely before iteration `i + 1` starts.
fn one_after_another(items: u64) -> Vec<(&'static str, u64)> {
    (0..items)
        .flat_map(|i| {
            [
                ("MapIterationStarted", i),
                ("LambdaFunctionScheduled", i),
                ("LambdaFunctionScheduled", i),
                ("MapIterationSucceeded", i),
            ]
        })
        .collect()
}

/// Tasks whose resolver answers at once and which retry without a delay never
/// wait: their iterations run one after another, and record exactly the events
/// iterations run side by side record when each completes in its first poll (a
/// resolver that answers in a future that is ready at once).
async fn iterations_of_tasks_answered_at_once_record_what_concurrent_ones_do() {
    let input = val!([{"n": 1}, {"n": 2, "fatal": true}, {"n": 3}]);
    let at_once = executor(
        Resolvers::new().on_sync("arn:aws:lambda:us-east-1:111111111111:function:f", flaky),
    )
    .retry_interval_override_all(0)
    .run(&machine(TASK_MAP), input.clone())
    .await;
    let in_futures = executor(Resolvers::new().on(
        "arn:aws:lambda:us-east-1:111111111111:function:f",
        |task| async move { flaky(&task) },
    ))
    .retry_interval_override_all(0)
    .run(&machine(TASK_MAP), input)
    .await;
    assert_eq!(at_once.status, Status::Succeeded, "{:?}", at_once.error);
    assert_eq!(at_once.output, Some(val!([1, "caught", 3])));
    assert_eq!(at_once.output, in_futures.output);
    assert_eq!(
        at_once.history.to_corpus_json(),
        in_futures.history.to_corpus_json()
    );
    assert_well_linked(&at_once);
}

/// A resolver that promises to answer at once but answers in a future.
struct Promising {
    promise: bool,
}

#[async_trait]
impl TaskResolver for Promising {
    async fn invoke(&self, task: TaskRequest) -> Result<Val, TaskError> {
        yield_now().await;
        Ok(task.input)
    }

    fn answers_at_once(&self, _resource: &str) -> bool {
        self.promise
    }
}

const PLAIN_TASK_MAP: &str = r#"{"StartAt":"M","States":{"M":{"Type":"Map","End":true,
    "ItemProcessor":{"StartAt":"T","States":{
        "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:111111111111:function:f","End":true}}}}}}"#;

/// The resolver's promise decides where iterations run: kept or broken, the
/// result is right; promised, iterations run one at a time (a broken promise
/// costs concurrency), else side by side (all start before the first ends).
async fn a_resolvers_promise_to_answer_at_once_runs_iterations_in_place() {
    for promise in [true, false] {
        let o = executor(Promising { promise })
            .run(&machine(PLAIN_TASK_MAP), val!([1, 2]))
            .await;
        assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
        assert_eq!(o.output, Some(val!([1, 2])));
        let order: Vec<&str> = types(&o)
            .into_iter()
            .filter(|t| t.starts_with("MapIteration"))
            .collect();
        let expected = if promise {
            [
                "MapIterationStarted",
                "MapIterationSucceeded",
                "MapIterationStarted",
                "MapIterationSucceeded",
            ]
        } else {
            [
                "MapIterationStarted",
                "MapIterationStarted",
                "MapIterationSucceeded",
                "MapIterationSucceeded",
            ]
        };
        assert_eq!(order, expected, "promise: {promise}");
    }
}

/// A retry delay on the virtual clock is a wait: iterations of Tasks answered at
/// once but retried after `IntervalSeconds` run side by side (the next starts
/// while one waits); with the delay overridden to 0 they run one after another.
async fn a_retry_delay_keeps_iterations_side_by_side() {
    let input = val!([{"n": 1}, {"n": 2}]);
    let resolvers =
        || Resolvers::new().on_sync("arn:aws:lambda:us-east-1:111111111111:function:f", flaky);
    let delayed = executor(resolvers())
        .run(&machine(TASK_MAP), input.clone())
        .await;
    assert_eq!(delayed.output, Some(val!([1, 2])));
    assert_eq!(
        iteration_trace(&delayed),
        [
            ("MapIterationStarted", 0),
            ("LambdaFunctionScheduled", 0),
            ("MapIterationStarted", 1),
            ("LambdaFunctionScheduled", 1),
            ("LambdaFunctionScheduled", 0),
            ("MapIterationSucceeded", 0),
            ("LambdaFunctionScheduled", 1),
            ("MapIterationSucceeded", 1),
        ]
    );
    let immediate = executor(resolvers())
        .retry_interval_override("T", 0)
        .run(&machine(TASK_MAP), input)
        .await;
    assert_eq!(immediate.output, Some(val!([1, 2])));
    assert_eq!(iteration_trace(&immediate), one_after_another(2));
}

both!(
    item_selector_and_events,
    empty_items_give_an_empty_array,
    results_keep_item_order_whatever_finishes_first,
    failing_iteration_aborts_the_others,
    tolerated_failures_keep_the_map_going,
    max_concurrency_path_accepts_numeric_strings_and_rejects_others,
    iterations_read_but_do_not_share_variables,
    negative_max_concurrency_path_stalls_before_entering_the_map,
    iterations_of_tasks_answered_at_once_record_what_concurrent_ones_do,
    a_resolvers_promise_to_answer_at_once_runs_iterations_in_place,
    a_retry_delay_keeps_iterations_side_by_side,
);
