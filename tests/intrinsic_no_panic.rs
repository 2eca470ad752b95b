//! Robustness: thousands of random and odd strings fed to `Intrinsic::parse` and
//! `Template::compile` (and, when they parse, evaluated) must never panic.

use serde_json::json;
use statelang::data::context::ContextObject;
use statelang::data::intrinsic::{Function, Intrinsic};
use statelang::data::random::Random;
use statelang::data::template::Template;
use statelang::data::{Env, NoVariables};
use statelang::val;

const PIECES: &[&str] = &[
    "States.",
    "(",
    ")",
    ",",
    " ",
    "'",
    "\\",
    "\\'",
    "\\{",
    "\\}",
    "\\\\",
    "{}",
    "{",
    "}",
    "$",
    "$$",
    "$.a",
    "$.b[0]",
    "$['x', 'y']",
    "$..a",
    "$[*]",
    "$.a[?(@.x > 1)]",
    "$v",
    "$$.Execution.Input",
    "[",
    "]",
    "\"",
    "0",
    "1",
    "-1",
    "1.5",
    "1e400",
    "-0",
    "9999999999999999999999",
    "true",
    "false",
    "null",
    "é",
    "\u{1F600}",
    "\n",
    "\t",
    "States.Array(",
    "States.Format('{}', ",
    "'SHA-1'",
    "'MD5'",
    "States.StringToJson('{\"a\":1}')",
    "States.Array(1, 2, 3)",
    "'{}'",
    "'a,b'",
    "','",
    "1000",
    "States.MathAdd(1, 2)",
    "'x'",
];

fn random_text(r: &Random) -> String {
    let mut s = String::new();
    if r.next_u64() % 4 != 0 {
        let f = Function::ALL[(r.next_u64() % 18) as usize];
        s.push_str(f.name());
        s.push('(');
    }
    let n = r.next_u64() % 12;
    for _ in 0..n {
        if r.next_u64() % 10 == 0 {
            // An arbitrary character, control characters included.
            let c = char::from_u32((r.next_u64() % 0x3000) as u32).unwrap_or('?');
            s.push(c);
        } else {
            s.push_str(PIECES[(r.next_u64() % PIECES.len() as u64) as usize]);
        }
    }
    if r.next_u64() % 3 != 0 {
        s.push(')');
    }
    s
}

#[test]
fn parse_compile_and_eval_never_panic() {
    let r = Random::seeded(0x5EED);
    let input = val!({"a": [1, {"x": 2}, "s"], "b": ["x", 3], "x": "a,b", "y": {"k": null}});
    let context = ContextObject::default();
    let eval_random = Random::seeded(1);
    let env = Env {
        input: &input,
        context: &context,
        variables: &NoVariables,
        random: &eval_random,
    };
    let mut parsed = 0;
    for _ in 0..5000 {
        let text = random_text(&r);
        if let Ok(call) = Intrinsic::parse(&text) {
            parsed += 1;
            let _ = call.eval(&env);
        }
        for template in [
            json!({"f.$": text}),
            json!({"a": [{"f.$": text}], "b": text}),
            json!([{"f.$": text}]),
        ] {
            if let Ok(t) = Template::compile(&template) {
                let _ = t.eval(&env);
            }
        }
        // Byte-level truncations of the text (at char boundaries).
        for (i, _) in text.char_indices().step_by(3) {
            let _ = Intrinsic::parse(&text[..i]);
        }
    }
    assert!(parsed > 0, "the generator should produce some valid calls");
}
