//! The engine shares payloads instead of copying them (design.md, "Values and cost"):
//! a state with default paths passes its input through as the same allocation, a
//! Parameters template or InputPath that selects a large subtree shares it, a
//! ResultPath write copies only the spine, and the history records the very same
//! values. Checked with `Val::ptr_eq` on a ~200 KB document.

use statelang::exec::{EventType, Executor, HistoryLevel, NoResolver, Outcome, Status};
use statelang::value::Map;
use statelang::{val, StateMachine, Val};
use std::sync::Arc;

/// A ~200 KB document: `{"payload": {"doc": {"records": [...]}}, "small": 1}`.
fn big_input() -> Val {
    let records: Vec<Val> = (0..1000)
        .map(|i| {
            val!({
                "id": i,
                "name": format!("record-{i:05}"),
                "text": "x".repeat(150),
                "tags": ["a", "b", "c"],
            })
        })
        .collect();
    let mut doc = Map::new();
    doc.insert(Arc::from("records"), Val::array(records));
    let mut payload = Map::new();
    payload.insert(Arc::from("doc"), Val::object(doc));
    let mut root = Map::new();
    root.insert(Arc::from("payload"), Val::object(payload));
    root.insert(Arc::from("small"), Val::int(1));
    let v = Val::object(root);
    assert!(v.json_len() > 190_000, "the document is ~200 KB");
    v
}

fn run(definition: &str, input: Val) -> Outcome {
    let machine = StateMachine::parse(definition).expect("valid definition");
    let executor = Executor::new(Arc::new(NoResolver))
        .random_seed(1)
        // The selecting test holds the document twice (~400 KB) in one state output.
        .max_payload_bytes(1 << 20)
        .history(HistoryLevel::Full);
    let o = futures::executor::block_on(executor.run(&machine, input));
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.error);
    o
}

fn payload(v: &Val) -> &Val {
    v.get("payload").expect("payload")
}

#[test]
fn default_paths_pass_the_payload_through_uncopied() {
    let input = big_input();
    let o = run(
        r#"{"StartAt":"A","States":{
            "A":{"Type":"Pass","Next":"B"},
            "B":{"Type":"Pass","Next":"C"},
            "C":{"Type":"Pass","End":true}}}"#,
        input.clone(),
    );
    let out = o.output.as_ref().expect("output");
    assert!(out.ptr_eq(&input), "the output is the input itself");
    let mut seen = 0;
    for e in o.history.events() {
        for v in [e.input(), e.output()].into_iter().flatten() {
            assert!(
                v.ptr_eq(&input),
                "{} records a copy of the payload",
                e.event_type
            );
            seen += 1;
        }
    }
    // ExecutionStarted, 3 × (Entered + Exited), ExecutionSucceeded.
    assert_eq!(seen, 8);
}

#[test]
fn selecting_and_writing_share_the_large_subtree() {
    let input = big_input();
    let o = run(
        r#"{"StartAt":"Select","States":{
            "Select":{"Type":"Pass","Parameters":{"doc.$":"$.payload","step":1},
                      "ResultPath":"$.selected","Next":"Pick"},
            "Pick":{"Type":"Pass","InputPath":"$.payload.doc","ResultPath":"$.picked","Next":"Narrow"},
            "Narrow":{"Type":"Pass","OutputPath":"$.payload","End":true}}}"#,
        input.clone(),
    );
    let big = payload(&input);
    let events = o.history.events();
    let exited = |name: &str| {
        events
            .iter()
            .find(|e| e.event_type == EventType::PassStateExited && e.state_name() == Some(name))
            .and_then(|e| e.output())
            .unwrap_or_else(|| panic!("{name} exited"))
            .clone()
    };

    // Parameters `doc.$: $.payload` shares the subtree; the ResultPath write keeps
    // the rest of the input shared too.
    let after_select = exited("Select");
    let selected = after_select.get("selected").expect("selected");
    assert!(selected.get("doc").expect("doc").ptr_eq(big));
    assert!(payload(&after_select).ptr_eq(big));

    // InputPath selects a subtree without copying it.
    let after_pick = exited("Pick");
    assert!(after_pick
        .get("picked")
        .expect("picked")
        .ptr_eq(big.get("doc").unwrap()));
    assert!(payload(&after_pick).ptr_eq(big));

    // OutputPath `$.payload`: the execution's output is the input's subtree itself.
    let out = o.output.as_ref().expect("output");
    assert!(out.ptr_eq(big));

    // History entries hold the same allocations as the states saw.
    let entered_pick = events
        .iter()
        .find(|e| e.event_type == EventType::PassStateEntered && e.state_name() == Some("Pick"))
        .and_then(|e| e.input())
        .expect("Pick entered");
    assert!(entered_pick.ptr_eq(&after_select));
    assert!(o
        .history
        .find(EventType::ExecutionSucceeded)
        .and_then(|e| e.output())
        .is_some_and(|v| v.ptr_eq(big)));
}
