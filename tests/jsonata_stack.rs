//! Compilation and evaluation run on the caller's thread: deeply nested source and
//! deep recursion must end in an error, never a stack overflow, on a 2 MiB thread
//! (tokio's worker default) — in debug builds too, where frames are largest.

use statelang::data::random::Random;
use statelang::jsonata::{Bindings, Expression, Profile};
use std::sync::Arc;
use std::time::Duration;

/// Runs `f` on a fresh thread with a 2 MiB stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow or panic")
}

fn bindings() -> Bindings {
    Bindings::new()
        .with_random(Arc::new(Random::seeded(1)))
        .with_now_millis(0)
        .with_time_limit(Duration::from_secs(20))
}

/// Nested forms at depth `n`.
fn nested(n: usize) -> Vec<(&'static str, String)> {
    vec![
        ("parens", format!("{}1{}", "(".repeat(n), ")".repeat(n))),
        ("blocks", format!("{}1{}", "(0;".repeat(n), ")".repeat(n))),
        ("brackets", format!("{}1{}", "[".repeat(n), "]".repeat(n))),
        ("ranges", format!("{}1{}", "[1..".repeat(n), "]".repeat(n))),
        (
            "objects",
            format!("{}1{}", "{'a':".repeat(n), "}".repeat(n)),
        ),
        (
            "object keys",
            format!("{}'k'{}", "{".repeat(n), ":1}".repeat(n)),
        ),
        ("conditions", format!("{}1", "true ? 1 : ".repeat(n))),
        (
            "condition thens",
            format!("{}1{}", "true ? (".repeat(n), ") : 0".repeat(n)),
        ),
        ("unary minus", format!("{}1", "-".repeat(n))),
        (
            "unary minus parens",
            format!("{}1{}", "-(".repeat(n), ")".repeat(n)),
        ),
        (
            "calls",
            format!("{}1{}", "$string(".repeat(n), ")".repeat(n)),
        ),
        (
            "partials",
            format!("{}1{}", "$substring(?, ".repeat(n), ")".repeat(n)),
        ),
        (
            "lambdas",
            format!("{}1{}", "function($x){".repeat(n), "}".repeat(n)),
        ),
        ("applications", format!("1{}", " ~> $string".repeat(n))),
        ("sums", format!("1{}", " + 1".repeat(n))),
        (
            "right sums",
            format!("{}1{}", "1 + (".repeat(n), ")".repeat(n)),
        ),
        ("concats", format!("'a'{}", " & 'a'".repeat(n))),
        ("paths", format!("a{}", ".a".repeat(n))),
        (
            "path parens",
            format!("{}a{}", "a.(".repeat(n), ")".repeat(n)),
        ),
        ("filters", format!("a{}", "[0]".repeat(n))),
        (
            "nested filters",
            format!("{}1{}", "a[".repeat(n), "]".repeat(n)),
        ),
        ("sorts", format!("{}a{}", "a^(".repeat(n), ")".repeat(n))),
        (
            "groups",
            format!("{}1{}", "a{'k':".repeat(n), "}".repeat(n)),
        ),
        ("binds", format!("{}1", "$x := ".repeat(n))),
        ("elvis", format!("{}1{}", "(".repeat(n), " ?: 2)".repeat(n))),
        (
            "coalesce",
            format!("{}1{}", "(".repeat(n), " ?? 2)".repeat(n)),
        ),
        (
            "transforms",
            format!("{}1{}", "| a | ".repeat(n), " |".repeat(n)),
        ),
        ("parents", format!("a.b{}", ".%".repeat(n))),
        ("focus", format!("a{}", "@$x.b".repeat(n))),
        ("index", format!("a{}", "#$i.b".repeat(n))),
        (
            "mixed",
            format!("{}1{}", "[{'a': ($f(-(".repeat(n), "))))}]".repeat(n)),
        ),
    ]
}

#[test]
fn deeply_nested_source_is_an_error_on_a_small_stack() {
    for depth in [15, 50, 110, 1000, 20_000] {
        on_small_stack(move || {
            for (name, text) in nested(depth) {
                for profile in [Profile::StepFunctions, Profile::Jsonata] {
                    if let Ok(e) = Expression::compile_with(&text, profile) {
                        // Whatever compiles must also evaluate without overflowing.
                        let _ = e.evaluate(Some(&statelang::val!({"a": {"a": 1}})), &bindings());
                    } else if depth <= 15
                        && !matches!(name, "binds" | "parents" | "focus" | "index")
                    {
                        // Moderate nesting is within the bound.
                        let err = Expression::compile_with(&text, profile).unwrap_err();
                        assert_ne!(err.token.as_deref(), Some("(nesting too deep)"), "{name}");
                    }
                }
            }
        });
    }
}

#[test]
fn nesting_beyond_the_bound_is_s0201() {
    on_small_stack(|| {
        let text = format!("{}1{}", "(".repeat(1000), ")".repeat(1000));
        let err = Expression::compile(&text).unwrap_err();
        assert_eq!(err.code, "S0201");
        let text = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert!(Expression::compile(&text).is_ok());
    });
}

#[test]
fn copies_made_by_elvis_and_coalesce_are_bounded() {
    // Each nested `?:` copies its left side, doubling the tree.
    on_small_stack(|| {
        let text = format!("{}$x{}", "(".repeat(60), " ?: 1)".repeat(60));
        assert!(Expression::compile(&text).is_err());
        let text = format!("{}$x{}", "(".repeat(60), " ?? 1)".repeat(60));
        assert!(Expression::compile(&text).is_err());
        let text = format!("{}$x{}", "(".repeat(8), " ?? 1)".repeat(8));
        assert!(Expression::compile(&text).is_ok());
    });
}

#[test]
fn deep_recursion_is_u1001_on_a_small_stack() {
    on_small_stack(|| {
        let b = bindings();
        for text in [
            "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))",
            "($f := function($n){ $n = 0 ? [] : [$f($n - 1)] }; $f(100000))",
            "($f := function($n){ $n = 0 ? {} : {'a': $f($n - 1)} }; $f(100000))",
            "($f := function($n){ $map([$n], function($v){ $v = 0 ? 0 : $f($v - 1) }) }; $f(100000))",
            "($f := function($n){ $sort([$n, 1], function($a, $b){ $f($n + 1) }) }; $f(0))",
            "($f := function($n){ ($n ~> $f) + 1 }; $f(0))",
            "($f := function($n){ $f.a ? 1 : {'a': $f($n)} }; $f(0))",
        ] {
            let e = Expression::compile(text).unwrap();
            let err = e.evaluate(None, &b).unwrap_err();
            assert_eq!(err.code, "U1001", "{text}");
        }
        // Tail calls run in constant depth.
        let e = Expression::compile(
            "($f := function($n, $acc){ $n = 0 ? $acc : $f($n - 1, $acc + 1) }; $f(10000, 0))",
        )
        .unwrap();
        assert_eq!(e.evaluate(None, &b).unwrap(), Some(statelang::val!(10000)));
    });
}

#[test]
fn deep_input_evaluates_on_a_small_stack() {
    on_small_stack(|| {
        // Values as deep as serde_json accepts (128 levels).
        let mut json = String::from("1");
        for _ in 0..60 {
            json = format!("{{\"a\": [{json}]}}");
        }
        let input = statelang::Val::from_json_str(&json).unwrap();
        for text in [
            "$",
            "**",
            "$string($)",
            "$keys(**)",
            "$ ~> | ** | {} |",
            "$sift($, function($v){true})",
        ] {
            let e = Expression::compile(text).unwrap();
            let _ = e.evaluate(Some(&input), &bindings());
        }
    });
}
