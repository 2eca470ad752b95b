//! The JSONata engine's API, the Step Functions functions (CHECKLIST §8.4), limits, and
//! a no-panic fuzz of the compiler and evaluator.

use statelang::data::random::Random;
use statelang::jsonata::{Bindings, Expression, Profile};
use statelang::{val, Val};
use std::sync::Arc;
use std::time::Duration;

fn eval(text: &str) -> Result<Option<Val>, statelang::jsonata::JsonataError> {
    let b = Bindings::new()
        .with_random(Arc::new(Random::seeded(7)))
        .with_now_millis(1_700_000_000_000);
    Expression::compile(text)?.evaluate(None, &b)
}

fn ok(text: &str) -> Val {
    eval(text).unwrap().unwrap()
}

#[test]
fn states_binding_and_paths() {
    let mut b = Bindings::new();
    b.set(
        "states",
        val!({"input": {"a": {"b": [1, 2, 3]}, "name": "x"}}),
    );
    let e = Expression::compile("$states.input.a.b[1] & '-' & $states.input.name").unwrap();
    assert_eq!(e.evaluate(None, &b).unwrap(), Some(val!("2-x")));
    let missing = Expression::compile("$states.input.nope").unwrap();
    assert_eq!(missing.evaluate(None, &b).unwrap(), None);
}

#[test]
fn range_examples() {
    assert_eq!(ok("$range(0,10,2)"), val!([0, 2, 4, 6, 8, 10]));
    assert_eq!(ok("$range(0,9,3)"), val!([0, 3, 6, 9]));
    assert_eq!(ok("$range(0,10,3)"), val!([0, 3, 6, 9]));
    assert_eq!(ok("$range(1,9,9)"), val!(1));
    assert_eq!(ok("[$range(1,9,9)]"), val!([1]));
    assert_eq!(ok("$range(5,1,-2)"), val!([5, 3, 1]));
    assert_eq!(eval("$range(1,9,0)").unwrap(), None);
}

#[test]
fn partition_examples() {
    assert_eq!(ok("$partition([1,2,3,4,5],2)"), val!([[1, 2], [3, 4], [5]]));
    assert_eq!(ok("$partition([],2)"), val!([]));
}

#[test]
fn hash_examples() {
    assert_eq!(
        ok("$hash('input data','SHA-1')"),
        val!("aaff4a450a104cd177d28d18d74485e8cae074b7")
    );
    assert_eq!(
        ok("$hash('', 'MD5')"),
        val!("d41d8cd98f00b204e9800998ecf8427e")
    );
    assert!(eval("$hash('x', 'SHA-3')").is_err());
}

#[test]
fn parse_examples() {
    assert_eq!(ok(r#"$parse('"-0"')"#), val!("-0"));
    assert_eq!(ok("$parse('-0')"), val!(0));
    assert_eq!(ok(r#"$parse('"HelloWorld"')"#), val!("HelloWorld"));
    assert_eq!(ok(r#"$parse('{"a":[1,2]}').a[1]"#), val!(2));
}

#[test]
fn random_and_uuid() {
    let a = ok("$random(42)");
    assert_eq!(a, ok("$random(42)"));
    let n = ok("$random()").as_f64().unwrap();
    assert!((0.0..1.0).contains(&n));
    let u = ok("$uuid()");
    let u = u.as_str().unwrap();
    assert_eq!(u.len(), 36);
    assert_eq!(&u[14..15], "4");
}

#[test]
fn eval_is_not_available_in_step_functions() {
    let e = eval("$eval('1+1')").unwrap_err();
    assert_eq!(e.code, "T1006");
    assert_eq!(e.message, "Attempted to invoke a non-function");
    assert_eq!(eval("$randomSeeded(1)").unwrap_err().code, "T1006");
    let plain = Expression::compile_with("$eval('1+1')", Profile::Jsonata).unwrap();
    assert_eq!(
        plain.evaluate(None, &Bindings::new()).unwrap(),
        Some(val!(2))
    );
    // The AWS additions are not in plain JSONata.
    let plain = Expression::compile_with("$uuid()", Profile::Jsonata).unwrap();
    assert_eq!(
        plain.evaluate(None, &Bindings::new()).unwrap_err().code,
        "T1006"
    );
}

#[test]
fn integral_numbers_are_integers() {
    assert_eq!(ok("1.0 + 2").to_json_string(), "3");
    assert_eq!(ok("7 / 2").to_json_string(), "3.5");
    assert_eq!(ok("$millis()").to_json_string(), "1700000000000");
    assert_eq!(ok("$now()"), val!("2023-11-14T22:13:20.000Z"));
}

#[test]
fn errors_carry_codes_and_positions() {
    let e = Expression::compile("1 +").unwrap_err();
    assert_eq!(e.code, "S0207");
    let e = eval("'a' + 1").unwrap_err();
    assert_eq!(e.code, "T2001");
    assert!(e.position.is_some());
}

#[test]
fn deep_recursion_is_an_error_not_a_crash() {
    let e = eval("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))").unwrap_err();
    assert_eq!(e.code, "U1001");
    // Tail calls run in constant depth.
    let t = ok("($f := function($n, $acc){ $n = 0 ? $acc : $f($n - 1, $acc + 1) }; $f(10000, 0))");
    assert_eq!(t, val!(10000));
    // Deeply nested source is rejected by the parser, not the stack.
    let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    assert!(Expression::compile(&deep).is_err());
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    assert!(Expression::compile(&deep).is_err());
    let deep = format!("1{}", " + 1".repeat(5000));
    let _ = Expression::compile(&deep).map(|e| e.evaluate(None, &Bindings::new()));
}

#[test]
fn time_limit() {
    let b = Bindings::new().with_time_limit(Duration::from_millis(50));
    let e = Expression::compile("($f := function($n){ $f($n + 1) }; $f(0))").unwrap();
    assert_eq!(e.evaluate(None, &b).unwrap_err().code, "U1001");
}

#[test]
fn fuzz_never_panics() {
    let alphabet: Vec<&str> = vec![
        "a",
        "b",
        "$",
        "$x",
        "$states",
        ".",
        "[",
        "]",
        "{",
        "}",
        "(",
        ")",
        ",",
        ":",
        ";",
        "?",
        "+",
        "-",
        "*",
        "/",
        "%",
        "|",
        "=",
        "<",
        ">",
        "^",
        "&",
        "!",
        "~",
        "..",
        ":=",
        "~>",
        "**",
        "@",
        "#",
        "1",
        "0.5",
        "'s'",
        "\"t\"",
        "true",
        "null",
        "in",
        "and",
        "or",
        "function",
        "$map",
        "$sum",
        "$string",
        "$filter",
        "$reduce",
        "$sort",
        "$keys",
        "$match",
        "/a+/i",
        " ",
        "`q`",
        "$range",
        "$partition",
        "$",
        "λ",
        "$$",
        "1e400",
        "\\",
        "/*",
        "*/",
        "$lookup",
        "$each",
    ];
    let rng = Random::seeded(12345);
    let input = val!({"a": [1, {"b": 2}, "x"], "b": {"a": [true, null]}});
    let mut b = Bindings::new()
        .with_random(Arc::new(Random::seeded(1)))
        .with_max_depth(200)
        .with_time_limit(Duration::from_millis(200));
    b.set("x", val!([3, 1, 2]));
    b.set("states", val!({"input": {"a": 1}}));
    for _ in 0..4000 {
        let len = 1 + (rng.next_u64() % 12) as usize;
        let text: String = (0..len)
            .map(|_| alphabet[(rng.next_u64() % alphabet.len() as u64) as usize])
            .collect();
        if let Ok(e) = Expression::compile(&text) {
            let _ = e.evaluate(Some(&input), &b);
        }
        if let Ok(e) = Expression::compile_with(&text, Profile::Jsonata) {
            let _ = e.evaluate(None, &b);
        }
    }
}

#[test]
fn integer_pictures() {
    assert_eq!(ok("$formatInteger(1984, 'I')"), val!("MCMLXXXIV"));
    assert_eq!(ok("$formatInteger(34, 'w')"), val!("thirty-four"));
    assert_eq!(
        ok("$formatInteger(555, 'Ww')"),
        val!("Five Hundred and Fifty-Five")
    );
    assert_eq!(ok("$formatInteger(23, '0;o')"), val!("23rd"));
    assert_eq!(ok("$formatInteger(1234567, '#,##0')"), val!("1,234,567"));
    assert_eq!(ok("$formatInteger(28, 'A')"), val!("AB"));
    assert_eq!(ok("$parseInteger('MCMLXXXIV', 'I')"), val!(1984));
    assert_eq!(ok("$parseInteger('twenty-first', 'w;o')"), val!(21));
    assert_eq!(ok("$parseInteger('1,234,567', '#,##0')"), val!(1234567));
    // Absurdly long outputs are refused, not built.
    assert_eq!(
        eval("$formatInteger(1e300, 'I')").unwrap_err().code,
        "D3130"
    );
    assert!(eval("$formatInteger(1e300, 'w')").is_ok());
    assert!(eval("$formatInteger(1e300, 'a')").is_ok());
}
