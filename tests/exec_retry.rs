//! Retry: first matching retrier, per-retrier counts, back-off, jitter, MaxAttempts 0.
mod common;
use common::*;
use statelang::exec::{EventType, Resolvers, Status, TaskError};
use statelang::val;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// A resolver that fails with the given errors in order, then succeeds.
fn failing(errors: &'static [&'static str]) -> (Resolvers, Arc<AtomicU32>) {
    let calls = Arc::new(AtomicU32::new(0));
    let c = calls.clone();
    let r = Resolvers::new().fallback(move |task| {
        let n = c.fetch_add(1, Ordering::SeqCst) as usize;
        async move {
            assert_eq!(task.retry_count as usize, n, "$$.State.RetryCount");
            assert_eq!(
                task.context.get("State").and_then(|s| s.get("RetryCount")),
                Some(&val!(n as i64))
            );
            match errors.get(n) {
                Some(e) => Err(TaskError::new(*e, format!("attempt {n}"))),
                None => Ok(val!({"attempts": n as i64 + 1})),
            }
        }
    });
    (r, calls)
}

fn scheduled_times(o: &statelang::Outcome) -> Vec<i64> {
    events_of(o, EventType::TaskScheduled)
        .iter()
        .map(|e| e.timestamp_millis - T0)
        .collect()
}

async fn backoff_delays_follow_interval_and_rate() {
    let (r, calls) = failing(&["E", "E", "E"]);
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
            "Retry":[{"ErrorEquals":["E"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":3}],"End":true}}}"#,
        val!({}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!({"attempts": 4})));
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(scheduled_times(&o), [0, 2_000, 8_000, 26_000]);
    let t = types(&o);
    assert_eq!(t.iter().filter(|t| **t == "TaskStateEntered").count(), 1);
    assert_eq!(t.iter().filter(|t| **t == "TaskFailed").count(), 3);
}

async fn max_delay_caps_each_interval() {
    let (r, _) = failing(&["E", "E", "E"]);
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x",
            "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":4,"BackoffRate":2,"MaxDelaySeconds":5}],"End":true}}}"#,
        val!({}),
        r,
    )
    .await;
    assert_eq!(scheduled_times(&o), [0, 4_000, 9_000, 14_000]);
}

async fn exhausted_retrier_is_not_fallen_through() {
    let (r, calls) = failing(&["E", "E", "E"]);
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x",
            "Retry":[{"ErrorEquals":["E"],"MaxAttempts":1},{"ErrorEquals":["States.ALL"],"MaxAttempts":5}],"End":true}}}"#,
        val!({}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("E"));
    assert_eq!(o.cause(), Some("attempt 1"));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

async fn max_attempts_zero_never_retries() {
    let (r, calls) = failing(&["E"]);
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x",
            "Retry":[{"ErrorEquals":["E"],"MaxAttempts":0},{"ErrorEquals":["States.ALL"]}],"End":true}}}"#,
        val!({}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

async fn attempts_are_counted_per_retrier_for_the_whole_stay() {
    // The spec's example: errors A, B, C, B; retrier 1 {A, B; 2 attempts}, retrier 2 {C}.
    let (r, calls) = failing(&["A", "B", "C", "B"]);
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x",
            "Retry":[{"ErrorEquals":["A","B"],"MaxAttempts":2,"IntervalSeconds":1,"BackoffRate":2},
                     {"ErrorEquals":["C"],"IntervalSeconds":5}],"End":true}}}"#,
        val!({}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.error_name(), Some("B"));
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(scheduled_times(&o), [0, 1_000, 3_000, 8_000]);
}

async fn full_jitter_stays_within_the_interval_and_is_seeded() {
    let def = r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x",
        "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":10,"MaxAttempts":3,"JitterStrategy":"FULL"}],"End":true}}}"#;
    let (r1, _) = failing(&["E", "E", "E"]);
    let (r2, _) = failing(&["E", "E", "E"]);
    let a = run(def, val!({}), r1).await;
    let b = run(def, val!({}), r2).await;
    let ta = scheduled_times(&a);
    assert_eq!(ta, scheduled_times(&b), "same seed, same delays");
    let gaps: Vec<i64> = ta.windows(2).map(|w| w[1] - w[0]).collect();
    for (gap, max) in gaps.iter().zip([10_000, 20_000, 40_000]) {
        assert!((0..=max).contains(gap), "{gap} within [0, {max}]");
    }
}

async fn task_failed_matcher_does_not_retry_timeouts() {
    let r = Resolvers::new().fallback(|_| async move {
        futures::future::pending::<()>().await;
        Ok(val!(1))
    });
    let o = run(
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x","TimeoutSeconds":1,
            "Retry":[{"ErrorEquals":["States.TaskFailed"]}],"End":true}}}"#,
        val!({}),
        r,
    )
    .await;
    assert_eq!(o.error_name(), Some("States.Timeout"));
    assert_eq!(events_of(&o, EventType::TaskScheduled).len(), 1);
}

async fn parallel_retry_reruns_every_branch() {
    let calls = Arc::new(AtomicU32::new(0));
    let c = calls.clone();
    let r = Resolvers::new().fallback(move |task| {
        let n = c.fetch_add(1, Ordering::SeqCst);
        async move {
            assert_eq!(task.retry_count, 0, "the branch's task is entered afresh");
            if n == 0 {
                Err(TaskError::named("E"))
            } else {
                Ok(val!({"attempts": n as i64 + 1}))
            }
        }
    });
    let o = run(
        r#"{"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,
            "Retry":[{"ErrorEquals":["E"],"IntervalSeconds":1}],
            "Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"a","End":true}}},
                        {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"x","End":true}}}]}}}"#,
        val!({}),
        r,
    )
    .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.output, Some(val!(["a", {"attempts": 2}])));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(events_of(&o, EventType::ParallelStateStarted).len(), 2);
    assert_eq!(events_of(&o, EventType::PassStateEntered).len(), 2);
}

/// `Executor::retry_interval_override`: the state's own override, else the one
/// for every state, replaces the computed delay; counts and events are the same.
async fn retry_interval_overrides_replace_the_computed_delays() {
    let definition = r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x",
        "Retry":[{"ErrorEquals":["E"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":3}],"Next":"Par"},
        "Par":{"Type":"Parallel","End":true,
            "Retry":[{"ErrorEquals":["E"],"IntervalSeconds":5}],
            "Branches":[{"StartAt":"B","States":{"B":{"Type":"Task","Resource":"y","End":true}}}]}}}"#;
    // `x` fails twice, `y` once.
    let resolvers = || {
        let (x, y) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
        Resolvers::new()
            .on("x", move |_| {
                let n = x.fetch_add(1, Ordering::SeqCst);
                async move {
                    match n {
                        0 | 1 => Err(TaskError::named("E")),
                        _ => Ok(val!("x")),
                    }
                }
            })
            .on("y", move |_| {
                let n = y.fetch_add(1, Ordering::SeqCst);
                async move {
                    match n {
                        0 => Err(TaskError::named("E")),
                        _ => Ok(val!("y")),
                    }
                }
            })
    };
    let times = |o: &statelang::Outcome, t: EventType| -> Vec<i64> {
        events_of(o, t)
            .iter()
            .map(|e| e.timestamp_millis - T0)
            .collect()
    };
    let m = machine(definition);

    let plain = executor(resolvers()).run(&m, val!({})).await;
    assert_eq!(plain.output, Some(val!(["y"])));
    assert_eq!(
        times(&plain, EventType::TaskScheduled),
        [0, 2_000, 8_000, 8_000, 13_000]
    );
    assert_eq!(
        times(&plain, EventType::ParallelStateStarted),
        [8_000, 13_000]
    );

    let own = executor(resolvers())
        .retry_interval_override("T", 250)
        .run(&m, val!({}))
        .await;
    assert_eq!(
        times(&own, EventType::TaskScheduled),
        [0, 250, 500, 500, 5_500]
    );
    assert_eq!(types(&own), types(&plain), "the same events");

    let all = executor(resolvers())
        .retry_interval_override_all(0)
        .retry_interval_override("T", 100)
        .run(&m, val!({}))
        .await;
    assert_eq!(all.output, Some(val!(["y"])));
    assert_eq!(
        times(&all, EventType::TaskScheduled),
        [0, 100, 200, 200, 200]
    );
    assert_eq!(times(&all, EventType::ParallelStateStarted), [200, 200]);
    assert_eq!(types(&all), types(&plain));
}

both!(
    retry_interval_overrides_replace_the_computed_delays,
    backoff_delays_follow_interval_and_rate,
    max_delay_caps_each_interval,
    exhausted_retrier_is_not_fallen_through,
    max_attempts_zero_never_retries,
    attempts_are_counted_per_retrier_for_the_whole_stay,
    full_jitter_stays_within_the_interval_and_is_seeded,
    task_failed_matcher_does_not_retry_timeouts,
    parallel_retry_reruns_every_branch,
);

/// `Clock::timer`: a virtual clock's timer is held in place, fires when the clock
/// advances and is cancelled when dropped; any other clock's default wraps its
/// `sleep`.
#[test]
fn clock_timers() {
    use futures::future::BoxFuture;
    use futures::FutureExt;
    use statelang::exec::clock::Timer;
    use statelang::exec::{Clock, VirtualClock};

    let clock = VirtualClock::starting_at(0);
    let mut t: Timer = clock.timer(1_000);
    assert!((&mut t).now_or_never().is_none());
    assert_eq!(clock.pending_timers(), 1);
    assert!(clock.advance());
    assert_eq!(clock.now_millis(), 1_000);
    assert!(t.now_or_never().is_some());
    let dropped = clock.timer(500);
    assert_eq!(clock.pending_timers(), 1);
    drop(dropped);
    assert_eq!(clock.pending_timers(), 0);
    assert!(!clock.advance());
    assert!(clock.timer(0).now_or_never().is_some());

    struct Counting(AtomicU32);
    impl Clock for Counting {
        fn now_millis(&self) -> i64 {
            0
        }
        fn sleep(&self, _millis: u64) -> BoxFuture<'static, ()> {
            self.0.fetch_add(1, Ordering::Relaxed);
            Box::pin(async {})
        }
    }
    let c = Counting(AtomicU32::new(0));
    assert!(c.timer(10).now_or_never().is_some());
    assert_eq!(c.0.load(Ordering::Relaxed), 1);
}
