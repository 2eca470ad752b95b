//! DISTRIBUTED Map: child executions, MapRun events, ItemReader through the
//! resolver, ItemBatcher, tolerance.
mod common;
use common::*;
use serde_json::json;
use statelang::exec::{EventType, Resolvers, Status, TaskError};
use statelang::{val, Val};

fn dmap(extra: &str, processor_state: &str) -> String {
    format!(
        r#"{{"StartAt":"M","States":{{"M":{{"Type":"Map","End":true,{extra}
        "ItemProcessor":{{"ProcessorConfig":{{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"}},
        "StartAt":"S","States":{{"S":{processor_state}}}}}}}}}}}"#
    )
}

async fn children_run_outside_the_parent_history() {
    let o = run_plain(
        &dmap(
            r#""Label":"greet","#,
            r#"{"Type":"Pass","Parameters":{"v.$":"$","exec.$":"$$.Execution.Input"},"End":true}"#,
        ),
        val!([1, 2]),
    )
    .await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    assert_eq!(
        o.output,
        Some(val!([{"v": 1, "exec": 1}, {"v": 2, "exec": 2}]))
    );
    assert_eq!(
        types(&o),
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "MapRunStarted",
            "MapRunSucceeded",
            "MapStateSucceeded",
            "MapStateExited",
            "ExecutionSucceeded"
        ]
    );
    let arn = details(o.history.find(EventType::MapRunStarted).unwrap())["mapRunArn"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        arn.starts_with("arn:aws:states:us-east-1:111111111111:mapRun:TestMachine/greet:"),
        "{arn}"
    );
}

async fn item_reader_reads_csv_through_the_resolver() {
    let r = Resolvers::new().on("arn:aws:states:::s3:getObject", |task| async move {
        assert_eq!(task.input, val!({"Bucket": "b", "Key": "file.csv"}));
        Ok(Val::from("H1,H2\nv1,v2\nv3\n"))
    });
    let o = run(
        &dmap(
            r#""ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"b","Key.$":"$.key"},
               "ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"}},"#,
            r#"{"Type":"Pass","End":true}"#,
        ),
        val!({"key": "file.csv"}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    assert_eq!(
        o.output,
        Some(val!([{"H1": "v1", "H2": "v2"}, {"H1": "v3", "H2": ""}]))
    );
    assert_eq!(
        details(o.history.find(EventType::MapStateStarted).unwrap()),
        json!({"length": 0})
    );
}

async fn item_reader_failures_are_item_reader_failed() {
    let r = Resolvers::new().on("arn:aws:states:::s3:getObject", |_| async move {
        Ok(Val::from("{\"not\": \"a list\"}"))
    });
    let o = run(
        &dmap(
            r#""ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"b","Key":"k"},
               "ReaderConfig":{"InputType":"JSON"}},"#,
            r#"{"Type":"Pass","End":true}"#,
        ),
        val!({}),
        r,
    )
    .await;
    assert_eq!(o.error_name(), Some("States.ItemReaderFailed"));
    assert_eq!(o.cause(), Some("Attempting to map over non-iterable node."));
    assert_eq!(
        types(&o)[3..],
        [
            "MapRunStarted",
            "MapRunFailed",
            "MapStateFailed",
            "ExecutionFailed"
        ]
    );
}

async fn item_batcher_groups_items() {
    let o = run_plain(
        &dmap(
            r#""ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"k":"v"}},"#,
            r#"{"Type":"Pass","End":true}"#,
        ),
        val!([1, 2, 3]),
    )
    .await;
    assert_eq!(
        o.output,
        Some(val!([
            {"Items": [1, 2], "BatchInput": {"k": "v"}},
            {"Items": [3], "BatchInput": {"k": "v"}}
        ]))
    );
}

async fn failures_over_the_threshold_fail_the_map_run() {
    let r = Resolvers::new().fallback(|_| async move { Err(TaskError::new("Nope", "x")) });
    let o = run(
        &dmap(
            r#""ToleratedFailureCount":1,"#,
            r#"{"Type":"Task","Resource":"x","End":true}"#,
        ),
        val!([1, 2, 3]),
        r,
    )
    .await;
    assert_eq!(
        o.error_name(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    let failed = o.history.find(EventType::MapRunFailed).unwrap();
    assert_eq!(
        details(failed),
        json!({"error": "States.ExceedToleratedFailureThreshold", "cause": "The specified tolerated failure threshold was exceeded"})
    );
}

async fn children_cannot_read_outer_variables() {
    let o = run_plain(
        r#"{"StartAt":"Init","States":{"Init":{"Type":"Pass","Assign":{"outer":1},"Next":"M"},
            "M":{"Type":"Map","End":true,"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
            "StartAt":"S","States":{"S":{"Type":"Pass","Parameters":{"o.$":"$outer"},"End":true}}}}}}"#,
        val!([1]),
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(
        o.error_name(),
        Some("States.ExceedToleratedFailureThreshold")
    );
}

both!(
    children_run_outside_the_parent_history,
    item_reader_reads_csv_through_the_resolver,
    item_reader_failures_are_item_reader_failed,
    item_batcher_groups_items,
    failures_over_the_threshold_fail_the_map_run,
    children_cannot_read_outer_variables,
);
