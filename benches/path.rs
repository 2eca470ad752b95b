//! Path evaluation and ResultPath writes.
//!
//! * `definite $.a.b.c`: the fast path (three map lookups and an `Arc` bump);
//! * `wildcard $.items[*].id`: an indefinite path over 20 items;
//! * `write 200KB $.result.value`: a ResultPath write into a 200 KB document that is
//!   shared with its caller, so only the spine is copied.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use statelang::data::path::Path;
use statelang::val;
use statelang::value::{Map, Val};
use std::sync::Arc;

fn big_document() -> Val {
    let items: Vec<Val> = (0..2200)
        .map(|i| {
            val!({
                "id": i,
                "name": format!("item-{i:05}"),
                "tags": ["alpha", "beta", "gamma"],
                "price": 12.5,
                "in_stock": true
            })
        })
        .collect();
    let mut m = Map::new();
    m.insert(Arc::from("meta"), val!({"source": "bench", "version": 3}));
    m.insert(Arc::from("items"), Val::array(items));
    m.insert(Arc::from("result"), val!({"value": null, "other": 1}));
    Val::object(m)
}

fn bench(c: &mut Criterion) {
    let small = val!({"a": {"b": {"c": 42}}, "x": 1});
    let definite = Path::parse("$.a.b.c").unwrap();
    assert_eq!(definite.select(&small).unwrap(), val!(42));
    c.bench_function("definite $.a.b.c", |b| {
        b.iter(|| definite.select(black_box(&small)).unwrap())
    });

    let items: Vec<Val> = (0..20).map(|i| val!({"id": i, "v": "x"})).collect();
    let mut m = Map::new();
    m.insert(Arc::from("items"), Val::array(items));
    let list = Val::object(m);
    let wildcard = Path::parse("$.items[*].id").unwrap();
    c.bench_function("wildcard $.items[*].id (20 items)", |b| {
        b.iter(|| wildcard.select(black_box(&list)).unwrap())
    });

    let doc = big_document();
    let size = doc.json_len();
    assert!(size >= 200_000, "document is {size} bytes");
    let result_path = Path::parse_reference("$.result.value").unwrap();
    let value = val!({"status": "ok", "count": 3});
    c.bench_function("write 200KB $.result.value", |b| {
        b.iter(|| {
            result_path
                .write(black_box(doc.clone()), value.clone())
                .unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
