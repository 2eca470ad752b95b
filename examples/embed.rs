//! Embedding statelang: a checkout workflow whose Task states are plain async Rust
//! closures routed by resource name, with Retry, Catch, a Map and virtual time.
//!
//! Run with `cargo run --example embed`.

use statelang::exec::{Executor, Resolvers, Status, TaskError};
use statelang::{val, StateMachine, Val};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

const CHECKOUT: &str = r#"{
  "Comment": "Reserve every line item, charge the card (retrying a flaky gateway), then confirm.",
  "StartAt": "ReserveItems",
  "States": {
    "ReserveItems": {
      "Type": "Map",
      "ItemsPath": "$.items",
      "MaxConcurrency": 4,
      "ItemProcessor": {
        "StartAt": "Reserve",
        "States": {
          "Reserve": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:reserve",
            "End": true
          }
        }
      },
      "ResultPath": "$.reservations",
      "Next": "Charge"
    },
    "Charge": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {
        "FunctionName": "charge",
        "Payload": { "amount.$": "$.total", "card.$": "$.card" }
      },
      "ResultSelector": { "receipt.$": "$.Payload.receipt" },
      "ResultPath": "$.payment",
      "TimeoutSeconds": 30,
      "Retry": [
        { "ErrorEquals": ["Gateway.Unavailable"], "IntervalSeconds": 2, "BackoffRate": 2, "MaxAttempts": 3 }
      ],
      "Catch": [
        { "ErrorEquals": ["Card.Declined"], "ResultPath": "$.error", "Next": "Declined" }
      ],
      "Next": "Confirm"
    },
    "Confirm": {
      "Type": "Pass",
      "Parameters": {
        "status": "confirmed",
        "receipt.$": "$.payment.receipt",
        "reserved.$": "States.ArrayLength($.reservations)"
      },
      "End": true
    },
    "Declined": {
      "Type": "Fail",
      "Error": "CheckoutDeclined",
      "Cause": "The card was declined."
    }
  }
}"#;

fn main() {
    let machine = StateMachine::parse(CHECKOUT).expect("a valid definition");

    // The payment gateway fails twice before it answers: Retry handles it.
    let gateway_calls = Arc::new(AtomicU32::new(0));
    let calls = gateway_calls.clone();
    let resolvers = Resolvers::new()
        .on(
            "arn:aws:lambda:us-east-1:123456789012:function:reserve",
            |task| async move {
                let sku = task.input.get("sku").cloned().unwrap_or_default();
                Ok(val!({ "sku": sku.to_serde(), "reserved": true }))
            },
        )
        .on("arn:aws:states:::lambda:invoke", move |task| {
            let attempt = calls.fetch_add(1, Ordering::SeqCst);
            async move {
                let payload = task.input.get("Payload").cloned().unwrap_or_default();
                if payload.get("card") == Some(&Val::from("0000")) {
                    return Err(TaskError::new("Card.Declined", "insufficient funds"));
                }
                if attempt < 2 {
                    return Err(TaskError::new("Gateway.Unavailable", "try again later"));
                }
                Ok(val!({ "StatusCode": 200, "Payload": { "receipt": "R-1001" } }))
            }
        });

    let executor = Executor::new(Arc::new(resolvers)).random_seed(1);
    let input = val!({
        "items": [{ "sku": "book" }, { "sku": "pen" }],
        "total": 42,
        "card": "4242"
    });
    let outcome = futures::executor::block_on(executor.run(&machine, input));

    assert_eq!(outcome.status, Status::Succeeded);
    println!("output: {}", outcome.output.clone().unwrap_or_default());
    println!(
        "gateway calls: {} (two retried failures, with virtual back-off)",
        gateway_calls.load(Ordering::SeqCst)
    );
    println!("history:");
    for event in outcome.history.events() {
        println!(
            "  {:>3} {:<28} {}",
            event.id,
            event.event_type,
            event.state_name().unwrap_or("")
        );
    }

    // A declined card is caught and ends in the Fail state.
    let declined = futures::executor::block_on(
        executor.run(&machine, val!({ "items": [], "total": 1, "card": "0000" })),
    );
    assert_eq!(declined.status, Status::Failed);
    println!(
        "declined: {} ({})",
        declined.error_name().unwrap_or(""),
        declined.cause().unwrap_or("")
    );
}
