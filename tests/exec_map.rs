//! Inline Map states: ItemsPath, ItemSelector with $$.Map.Item, events, order,
//! failures and tolerance.
mod common;
use common::*;
use serde_json::json;
use statelang::exec::{EventType, Resolvers, Status, TaskError};
use statelang::val;

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

both!(
    item_selector_and_events,
    empty_items_give_an_empty_array,
    results_keep_item_order_whatever_finishes_first,
    failing_iteration_aborts_the_others,
    tolerated_failures_keep_the_map_going,
    max_concurrency_path_accepts_numeric_strings_and_rejects_others,
    iterations_read_but_do_not_share_variables,
    negative_max_concurrency_path_stalls_before_entering_the_map,
);
