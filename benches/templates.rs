//! Payload template and intrinsic function evaluation.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::json;
use statelang::data::context::ContextObject;
use statelang::data::random::Random;
use statelang::data::template::Template;
use statelang::data::{Env, NoVariables};
use statelang::val;

fn bench(c: &mut Criterion) {
    let input = val!({
        "order": {"id": "o-123", "items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}]},
        "customer": {"name": "Ada", "tier": "gold"},
        "csv": "alpha,beta,gamma,delta",
        "n": 41.5
    });
    let context = ContextObject::default();
    let random = Random::seeded(1);
    let env = Env {
        input: &input,
        context: &context,
        variables: &NoVariables,
        random: &random,
    };
    let cases = [
        (
            "template_2_paths_and_literals",
            json!({"id.$": "$.order.id", "who.$": "$.customer.name", "source": "bench", "flags": {"a": true, "b": [1, 2]}}),
        ),
        (
            "format",
            json!({"msg.$": "States.Format('Order {} for {}', $.order.id, $.customer.name)"}),
        ),
        ("math_add", json!({"sum.$": "States.MathAdd($.n, 1)"})),
        (
            "string_split",
            json!({"parts.$": "States.StringSplit($.csv, ',')"}),
        ),
        (
            "hash_sha256",
            json!({"h.$": "States.Hash($.order.id, 'SHA-256')"}),
        ),
        ("literal_only", json!({"a": 1, "b": {"c": [1, 2, 3]}})),
    ];
    for (name, template) in cases {
        let t = Template::compile(&template).expect("valid template");
        t.eval(&env).expect("evaluates");
        c.bench_function(name, |b| b.iter(|| black_box(t.eval(black_box(&env)))));
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
