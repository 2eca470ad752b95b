//! History: AWS and corpus shapes, recording levels, the live event stream,
//! timestamps and previousEventId links.
mod common;
use common::*;
use futures::StreamExt;
use serde_json::json;
use statelang::exec::{EventType, HistoryLevel, Resolvers, Status};
use statelang::val;

const DEF: &str = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","Next":"W"},
    "W":{"Type":"Wait","Seconds":2,"End":true}}}"#;

async fn aws_shape_serialises_payloads_as_strings() {
    let o = run_plain(DEF, val!({"in": true})).await;
    let aws = o.history.to_aws_json();
    let events = aws["events"].as_array().unwrap();
    assert_eq!(events.len(), 6);
    assert_eq!(
        events[2],
        json!({
            "timestamp": T0 as f64 / 1000.0,
            "type": "PassStateExited",
            "id": 3,
            "previousEventId": 2,
            "stateExitedEventDetails": {
                "name": "A",
                "output": "{\"in\":true,\"r\":{\"x\":1}}",
                "outputDetails": {"truncated": false}
            }
        })
    );
    assert_eq!(events[4]["timestamp"], json!((T0 + 2_000) as f64 / 1000.0));
    assert!(events[3].get("waitStateEnteredEventDetails").is_none());
    assert!(events[3].get("stateEnteredEventDetails").is_some());
}

async fn corpus_shape_parses_payloads() {
    let o = run_plain(DEF, val!({"in": true})).await;
    let corpus = o.history.to_corpus_json();
    assert_eq!(
        corpus[5],
        json!({"type": "ExecutionSucceeded", "details": {"output": {"in": true, "r": {"x": 1}}, "outputDetails": {"truncated": false}}})
    );
}

async fn summary_level_drops_data_fields() {
    let o = executor(Resolvers::new())
        .history(HistoryLevel::Summary)
        .run(&machine(DEF), val!({"in": true}))
        .await;
    assert_eq!(o.history.len(), 6);
    assert_eq!(details(&o.history.events()[1]), json!({"name": "A"}));
    assert_eq!(o.output, Some(val!({"in": true, "r": {"x": 1}})));
}

async fn none_level_keeps_no_events_but_counts_ids() {
    let o = executor(Resolvers::new())
        .history(HistoryLevel::None)
        .run(
            &machine(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","InputPath":"$.nope","End":true}}}"#),
            val!({}),
        )
        .await;
    assert!(o.history.is_empty());
    assert!(o.cause().unwrap().contains("(entered at the event id #4)"));
}

async fn events_stream_live_and_end_with_the_execution() {
    let (handle, fut) = executor(Resolvers::new()).start(&machine(DEF), val!({}));
    let events = handle.events();
    let (o, seen) = futures::join!(fut, events.collect::<Vec<_>>());
    assert_eq!(o.status, Status::Succeeded);
    let seen: Vec<EventType> = seen.iter().map(|e| e.event_type).collect();
    assert_eq!(seen, o.history.types());
    // Subscribing after the end replays the stored history.
    let replay: Vec<_> = handle.events().collect().await;
    assert_eq!(replay.len(), o.history.len());
}

async fn previous_event_ids_follow_each_chain() {
    let o = run_plain(
        r#"{"StartAt":"Par","States":{"Par":{"Type":"Parallel","Next":"After","Branches":[
            {"StartAt":"A1","States":{"A1":{"Type":"Wait","Seconds":1,"Next":"A2"},"A2":{"Type":"Pass","End":true}}},
            {"StartAt":"B1","States":{"B1":{"Type":"Wait","Seconds":2,"Next":"B2"},"B2":{"Type":"Pass","End":true}}}]},
            "After":{"Type":"Pass","End":true}}}"#,
        val!({}),
    )
    .await;
    assert_well_linked(&o);
    let by_id = |id: u64| &o.history.events()[id as usize - 1];
    for e in o.history.events() {
        if let Some(name) = e.state_name() {
            if e.event_type.as_str().ends_with("Exited") && name.len() == 2 {
                let prev = by_id(e.previous_event_id);
                assert_eq!(
                    prev.state_name(),
                    Some(name),
                    "Exited follows its own Entered"
                );
            }
        }
    }
    let a2 = o
        .history
        .events()
        .iter()
        .find(|e| e.state_name() == Some("A2") && e.event_type == EventType::PassStateEntered)
        .unwrap();
    assert_eq!(by_id(a2.previous_event_id).state_name(), Some("A1"));
}

both!(
    aws_shape_serialises_payloads_as_strings,
    corpus_shape_parses_payloads,
    summary_level_drops_data_fields,
    none_level_keeps_no_events_but_counts_ids,
    events_stream_live_and_end_with_the_execution,
    previous_event_ids_follow_each_chain,
);
