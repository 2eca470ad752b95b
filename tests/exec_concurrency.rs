//! MaxConcurrency is never exceeded (counted at the resolver), and concurrent work
//! really overlaps.
mod common;
use common::*;
use statelang::exec::{Clock, Resolvers, Status, VirtualClock};
use statelang::val;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

struct Meter {
    now: AtomicUsize,
    max: AtomicUsize,
    calls: AtomicUsize,
}

fn metered(clock: VirtualClock, meter: Arc<Meter>) -> Resolvers {
    Resolvers::new().fallback(move |task| {
        let clock = clock.clone();
        let meter = meter.clone();
        async move {
            let n = meter.now.fetch_add(1, Ordering::SeqCst) + 1;
            meter.max.fetch_max(n, Ordering::SeqCst);
            meter.calls.fetch_add(1, Ordering::SeqCst);
            let i = task.input.as_i64().unwrap_or(0) as u64;
            // Uneven durations, so iterations finish out of order.
            clock.sleep(1_000 + (i * 7_919) % 5_000).await;
            meter.now.fetch_sub(1, Ordering::SeqCst);
            Ok(val!({"item": i as i64}))
        }
    })
}

async fn run_map(max_concurrency: u32, items: usize) -> (Arc<Meter>, statelang::Outcome) {
    let clock = VirtualClock::starting_at(T0);
    let meter = Arc::new(Meter {
        now: AtomicUsize::new(0),
        max: AtomicUsize::new(0),
        calls: AtomicUsize::new(0),
    });
    let def = format!(
        r#"{{"StartAt":"M","States":{{"M":{{"Type":"Map","MaxConcurrency":{max_concurrency},"End":true,
        "ItemProcessor":{{"StartAt":"T","States":{{"T":{{"Type":"Task","Resource":"work","End":true}}}}}}}}}}}}"#
    );
    let input = statelang::Val::array((0..items as i64).map(statelang::Val::int).collect());
    let o = executor_with_clock(metered(clock.clone(), meter.clone()), clock)
        .run(&machine(&def), input)
        .await;
    (meter, o)
}

async fn max_concurrency_is_never_exceeded() {
    for limit in [1u32, 3, 7] {
        let (meter, o) = run_map(limit, 20).await;
        assert_eq!(o.status, Status::Succeeded);
        assert_eq!(meter.calls.load(Ordering::SeqCst), 20);
        assert_eq!(
            meter.max.load(Ordering::SeqCst),
            limit as usize,
            "limit {limit}"
        );
        let out = o.output.unwrap();
        let items: Vec<i64> = out
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.get("item").and_then(|i| i.as_i64()).unwrap())
            .collect();
        assert_eq!(items, (0..20).collect::<Vec<_>>(), "results in item order");
    }
}

async fn zero_means_unbounded() {
    let (meter, o) = run_map(0, 25).await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(meter.max.load(Ordering::SeqCst), 25);
}

async fn parallel_branches_overlap_in_virtual_time() {
    let clock = VirtualClock::starting_at(T0);
    let meter = Arc::new(Meter {
        now: AtomicUsize::new(0),
        max: AtomicUsize::new(0),
        calls: AtomicUsize::new(0),
    });
    let o = executor_with_clock(metered(clock.clone(), meter.clone()), clock.clone())
        .run(
            &machine(
                r#"{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
                {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"w","End":true}}},
                {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"w","End":true}}},
                {"StartAt":"C","States":{"C":{"Type":"Task","Resource":"w","End":true}}}]}}}"#,
            ),
            val!(0),
        )
        .await;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(meter.max.load(Ordering::SeqCst), 3);
    assert_eq!(clock.now_millis(), T0 + 1_000, "three 1 s tasks took 1 s");
}

both!(
    max_concurrency_is_never_exceeded,
    zero_means_unbounded,
    parallel_branches_overlap_in_virtual_time,
);

#[test]
fn execution_futures_are_send() {
    fn assert_send<T: Send + 'static>(_: &T) {}
    let (handle, fut) = executor(Resolvers::new()).start(
        &machine(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#),
        val!({}),
    );
    assert_send(&fut);
    assert_send(&handle);
}
