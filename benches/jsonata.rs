//! JSONata compile and evaluate costs on small, typical Step Functions expressions.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use statelang::jsonata::{Bindings, Expression};
use statelang::val;

const EXPRESSIONS: &[(&str, &str)] = &[
    ("path", "$states.input.a.b"),
    ("sum_map", "$sum($map($states.input.items, function($i){ $i.price * $i.qty }))"),
    ("concat", "'Hello, ' & $states.input.name & '! You have ' & $count($states.input.items) & ' items.'"),
    ("object", "{'id': $states.input.a.b, 'name': $uppercase($states.input.name), 'total': $sum($states.input.items.price)}"),
];

fn bench(c: &mut Criterion) {
    let mut bindings = Bindings::new().with_now_millis(0);
    bindings.set(
        "states",
        val!({"input": {"a": {"b": 42}, "name": "world",
            "items": [{"price": 2, "qty": 3}, {"price": 5.5, "qty": 1}, {"price": 1, "qty": 10}]}}),
    );
    for (name, text) in EXPRESSIONS {
        c.bench_function(&format!("jsonata_compile_{name}"), |b| {
            b.iter(|| Expression::compile(black_box(text)).unwrap())
        });
        let expr = Expression::compile(text).unwrap();
        c.bench_function(&format!("jsonata_evaluate_{name}"), |b| {
            b.iter(|| expr.evaluate(None, black_box(&bindings)).unwrap())
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
