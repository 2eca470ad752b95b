//! Why the engine has its own value type: the costs that decided it.
//!
//! A state machine passes one payload through many states, and the history records
//! it at every step. Each benchmark does the same job on a ~200 KB document with
//! `serde_json::Value` (which can only be deep-cloned) and with the engine's `Val`
//! (Arc-shared, with cached serialised length):
//!
//! * `share`: hand the payload to the next state and to a history event;
//! * `result_path_write`: write a small result into the payload (ResultPath);
//! * `size_check`: the 256 KiB payload-limit check after that write.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use statelang::value::Val;
use std::sync::Arc;

fn document() -> serde_json::Value {
    let records: Vec<serde_json::Value> = (0..2200)
        .map(|i| {
            serde_json::json!({
                "id": i,
                "name": format!("record-{i:05}"),
                "tags": ["alpha", "beta", "gamma"],
                "score": 12.5,
                "active": true
            })
        })
        .collect();
    serde_json::json!({"payload": {"doc": {"records": records}, "picked": null}, "step": 0})
}

fn bench(c: &mut Criterion) {
    let serde_doc = document();
    let val_doc = Val::from(&serde_doc);
    let bytes = serde_json::to_vec(&serde_doc).unwrap().len();
    assert!(bytes > 150_000, "document is {bytes} bytes");
    assert_eq!(val_doc.json_len(), bytes);

    let mut g = c.benchmark_group("share 200KB");
    g.bench_function("serde_json::Value clone", |b| {
        b.iter(|| black_box(&serde_doc).clone())
    });
    g.bench_function("Val clone", |b| b.iter(|| black_box(&val_doc).clone()));
    g.finish();

    let mut g = c.benchmark_group("result_path_write 200KB");
    g.bench_function("serde_json::Value", |b| {
        b.iter(|| {
            let mut d = black_box(&serde_doc).clone();
            d["payload"]["picked"] = serde_json::json!({"id": 7});
            d
        })
    });
    g.bench_function("Val", |b| {
        b.iter(|| {
            let mut d = black_box(&val_doc).clone();
            if let Some(payload) = d.as_object_mut().and_then(|m| m.get_mut("payload")) {
                if let Some(m) = payload.as_object_mut() {
                    m.insert(Arc::from("picked"), statelang::val!({"id": 7}));
                }
            }
            d
        })
    });
    g.finish();

    let mut g = c.benchmark_group("size_check after write 200KB");
    g.bench_function("serde_json::to_vec len", |b| {
        b.iter(|| serde_json::to_vec(black_box(&serde_doc)).unwrap().len())
    });
    g.bench_function("Val::json_len (spine recomputed)", |b| {
        b.iter(|| {
            let mut d = black_box(&val_doc).clone();
            if let Some(m) = d.as_object_mut() {
                m.insert(Arc::from("step"), Val::int(1));
            }
            d.json_len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
