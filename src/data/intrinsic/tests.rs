//! Unit tests of the intrinsic parser and the 18 functions, with AWS's examples.

use super::*;
use crate::data::context::ContextObject;
use crate::data::random::Random;
use crate::data::NoVariables;
use crate::val;

fn run_on(text: &str, input: &Val) -> Result<Val, StatesError> {
    let call = Intrinsic::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let context = ContextObject::default();
    let random = Random::seeded(7);
    let env = Env {
        input,
        context: &context,
        variables: &NoVariables,
        random: &random,
    };
    call.eval(&env)
}

fn run(text: &str) -> Val {
    run_on(text, &Val::Null).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn fails(text: &str) -> StatesError {
    match run_on(text, &Val::Null) {
        Ok(v) => panic!("{text}: expected a failure, got {v}"),
        Err(e) => e,
    }
}

fn syntax_error(text: &str) -> IntrinsicSyntaxError {
    match Intrinsic::parse(text) {
        Ok(_) => panic!("{text}: expected a syntax error"),
        Err(e) => e,
    }
}

// ---- grammar -------------------------------------------------------------------

#[test]
fn literals_and_whitespace() {
    assert_eq!(
        run("  States.Array( 'a' ,1, -2.5e1, true,false , null )  "),
        val!(["a", 1, -25.0, true, false, null])
    );
    assert_eq!(run("States.Array()"), val!([]));
    assert_eq!(
        run("States.Array(0, 10, 1.5, 2E3)"),
        val!([0, 10, 1.5, 2000.0])
    );
}

#[test]
fn string_escapes() {
    assert_eq!(
        run(r"States.Array('it\'s', '\{\}', 'a\\b')"),
        val!(["it's", "{}", "a\\b"])
    );
    // Unescaped braces are fine outside Format templates.
    assert_eq!(
        run(r#"States.StringToJson('{"constant_in_literal": "false"}')"#),
        val!({"constant_in_literal": "false"})
    );
    // Real newlines inside a literal (a JSON "\n" in the definition).
    assert_eq!(
        run("States.StringSplit('Hello\nWorld', '\n')"),
        val!(["Hello", "World"])
    );
}

#[test]
fn illegal_escapes_are_syntax_errors() {
    for text in [
        r#"States.Format('say \"hi\"')"#,
        r"States.Format('\n')",
        r"States.Format('\u0041')",
        r"States.Array('abc\",
        r"States.Array('abc\'",
    ] {
        syntax_error(text);
    }
}

#[test]
fn malformed_calls_are_syntax_errors() {
    for text in [
        "",
        "States.",
        "States.Format",
        "States.Format(",
        "States.Format('a'",
        "States.Format('a',)",
        "States.Format(,'a')",
        "States.Format('a') x",
        "States.Format('a'))",
        "States.Nope()",
        "States.format('a')",
        "Foo.Format('a')",
        "States.Array(01)",
        "States.Array(1.)",
        "States.Array(.5)",
        "States.Array(1e)",
        "States.Array(-)",
        "States.Array(True)",
        "States.Array(undefined)",
        "States.Array(\"x\")",
        "States.Array(1 2)",
        "States.Array('a' 'b')",
    ] {
        syntax_error(text);
    }
}

#[test]
fn argument_counts_are_checked() {
    for text in [
        "States.UUID(1)",
        "States.Hash('a')",
        "States.Hash('a', 'MD5', 1)",
        "States.Format()",
        "States.StringToJson()",
        "States.ArrayRange(1, 2)",
        "States.MathRandom(1)",
        "States.MathRandom(1, 2, 3, 4)",
        "States.JsonMerge(States.StringToJson('{}'), States.StringToJson('{}'))",
    ] {
        let e = syntax_error(text);
        assert!(e.message.contains("argument"), "{text}: {e}");
    }
    Intrinsic::parse("States.UUID()").unwrap();
    Intrinsic::parse("States.UUID( )").unwrap();
    Intrinsic::parse("States.MathRandom(1, 2)").unwrap();
    Intrinsic::parse("States.MathRandom(1, 2, 3)").unwrap();
}

#[test]
fn literal_argument_types_are_checked() {
    for text in [
        "States.Format(1)",
        "States.StringToJson(1)",
        "States.ArrayLength('abc')",
        "States.ArrayGetItem(1, 0)",
        "States.ArrayGetItem(States.Array(1), 'x')",
        "States.MathAdd('1', 2)",
        "States.ArrayRange(1, true, 1)",
        "States.Hash('a', 'SHA-3')",
        "States.Hash('a', 'md5')",
        "States.JsonMerge(States.StringToJson('{}'), States.StringToJson('{}'), true)",
        "States.JsonMerge(States.StringToJson('{}'), States.StringToJson('{}'), 'false')",
        "States.JsonMerge('a', States.StringToJson('{}'), false)",
        "States.StringSplit('a', 1)",
        "States.Base64Encode(null)",
    ] {
        syntax_error(text);
    }
}

#[test]
fn format_placeholder_count_is_checked() {
    syntax_error("States.Format('{} {}', 1)");
    syntax_error("States.Format('{}')");
    syntax_error("States.Format('x', 1)");
    // Escaped braces are not placeholders.
    syntax_error(r"States.Format('\{}', 1)");
    syntax_error(r"States.Format('{\}', 1)");
    assert_eq!(run(r"States.Format('\{}')"), val!("{}"));
    assert_eq!(run(r"States.Format('\{{}\}', 'x')"), val!("{x}"));
    assert_eq!(run("States.Format('{ }')"), val!("{ }"));
}

#[test]
fn at_most_ten_calls() {
    let nest = |n: usize| {
        let mut s = String::from("1");
        for _ in 0..n {
            s = format!("States.MathAdd({s}, 1)");
        }
        s
    };
    assert_eq!(run(&nest(10)), val!(11));
    let e = syntax_error(&nest(11));
    assert!(e.message.contains("at most 10"), "{e}");
    // Siblings count too.
    let siblings = format!("States.Array({})", ["States.UUID()"; 9].join(", "));
    Intrinsic::parse(&siblings).unwrap();
    let siblings = format!("States.Array({})", ["States.UUID()"; 10].join(", "));
    syntax_error(&siblings);
    // Deep nesting is rejected without recursing deeply.
    syntax_error(&nest(10_000));
}

#[test]
fn is_intrinsic_and_text() {
    assert!(Intrinsic::is_intrinsic("States.UUID()"));
    assert!(!Intrinsic::is_intrinsic("$.States"));
    let call = Intrinsic::parse("States.UUID()").unwrap();
    assert_eq!(call.text(), "States.UUID()");
    assert_eq!(call.function(), Function::Uuid);
    assert_eq!(call.to_string(), "States.UUID()");
    for f in Function::ALL {
        assert_eq!(Function::from_name(f.name()), Some(f));
    }
}

// ---- functions -----------------------------------------------------------------

#[test]
fn format_renders_like_java() {
    assert_eq!(
        run("States.Format('Formatting argument {}.', '')"),
        val!("Formatting argument .")
    );
    assert_eq!(
        run("States.Format('{} {} {} {}', 1, 1.1, null, true)"),
        val!("1 1.1 null true")
    );
    assert_eq!(
        run(r#"States.Format('x={}', States.StringToJson('{"Arg1":1,"Arg2":[]}'))"#),
        val!("x={Arg1=1, Arg2=[]}")
    );
    assert_eq!(
        run(r#"States.Format('{}', States.StringToJson('[1, "a", {"b": [null, {}]}]'))"#),
        val!("[1, a, {b=[null, {}]}]")
    );
    // A template from a call: placeholders counted at run time.
    assert_eq!(
        run("States.Format(States.Format('\\{\\}{}', '!'), 'x')"),
        val!("x!")
    );
    let e = fails("States.Format(States.Format('\\{\\}'), 'x', 'y')");
    assert!(e.is(crate::error::names::INTRINSIC_FAILURE));
}

#[test]
fn string_to_json() {
    assert_eq!(run("States.StringToJson('')"), Val::Null);
    assert_eq!(run("States.StringToJson(' ')"), Val::Null);
    assert_eq!(run("States.StringToJson('null')"), Val::Null);
    assert_eq!(run("States.StringToJson('-0')").to_json_string(), "0");
    assert_eq!(run("States.StringToJson('1.1')"), val!(1.1));
    assert_eq!(
        run("States.StringToJson('\"HelloWorld\"')"),
        val!("HelloWorld")
    );
    assert_eq!(
        run(r#"States.StringToJson('{"Arg1": 1, "Arg2": []}')"#),
        val!({"Arg1": 1, "Arg2": []})
    );
    let e = fails("States.StringToJson('{nope')");
    assert!(e.is(crate::error::names::INTRINSIC_FAILURE));
    fails("States.StringToJson(States.Array())");
}

#[test]
fn json_to_string_is_compact() {
    assert_eq!(
        run(r#"States.JsonToString(States.StringToJson('{"Arg1": 1, "Arg2": []}'))"#),
        val!(r#"{"Arg1":1,"Arg2":[]}"#)
    );
    assert_eq!(
        run("States.JsonToString('HelloWorld')"),
        val!("\"HelloWorld\"")
    );
    assert_eq!(run("States.JsonToString(null)"), val!("null"));
    assert_eq!(run("States.JsonToString(1.1)"), val!("1.1"));
    assert_eq!(
        run("States.JsonToString(States.Array(1, 2, 'HelloWorld'))"),
        val!("[1,2,\"HelloWorld\"]")
    );
}

#[test]
fn array_partition() {
    let p = |a: &str, n: &str| {
        run(&format!(
            "States.ArrayPartition(States.StringToJson('{a}'), {n})"
        ))
    };
    assert_eq!(p("[]", "1"), val!([]));
    assert_eq!(p("[0,1,2]", "2"), val!([[0, 1], [2]]));
    assert_eq!(p("[0,1,2,3]", "2"), val!([[0, 1], [2, 3]]));
    assert_eq!(p("[0,1]", "5"), val!([[0, 1]]));
    assert_eq!(p("[0,1,2]", "1"), val!([[0], [1], [2]]));
    assert_eq!(p("[0,1,2]", "1.6"), val!([[0, 1], [2]]));
    fails("States.ArrayPartition(States.Array(1), 0)");
    fails("States.ArrayPartition(States.Array(1), -1)");
    fails("States.ArrayPartition(States.Array(1), States.Format('2'))");
}

#[test]
fn array_contains_uses_deep_equality() {
    let c = |a: &str, v: &str| {
        run(&format!(
            "States.ArrayContains(States.StringToJson('{a}'), States.StringToJson('{v}'))"
        ))
    };
    assert_eq!(c("[]", "null"), val!(false));
    assert_eq!(c("[]", "[]"), val!(false));
    assert_eq!(c("[[1,2,3],2]", "null"), val!(false));
    assert_eq!(c("[[1,2,3],2]", "[1,2,3]"), val!(true));
    assert_eq!(c(r#"[{"1":2,"2":[]}]"#, r#"{"2":[],"1":2}"#), val!(true));
    assert_eq!(c(r#"[{"1":2,"2":[]}]"#, "[]"), val!(false));
    assert_eq!(c("[true,false]", "true"), val!(true));
    fails("States.ArrayContains(States.StringToJson('{}'), 1)");
}

#[test]
fn array_range() {
    assert_eq!(run("States.ArrayRange(0, 9, 3)"), val!([0, 3, 6, 9]));
    assert_eq!(run("States.ArrayRange(0, 10, 3)"), val!([0, 3, 6, 9]));
    assert_eq!(run("States.ArrayRange(1, 9, 9)"), val!([1]));
    assert_eq!(run("States.ArrayRange(1, 9, 2)"), val!([1, 3, 5, 7, 9]));
    assert_eq!(run("States.ArrayRange(5, 1, -2)"), val!([5, 3, 1]));
    assert_eq!(run("States.ArrayRange(3, 3, 1)"), val!([3]));
    assert_eq!(run("States.ArrayRange(1, 5, -1)"), val!([]));
    assert_eq!(run("States.ArrayRange(1.0, 3, 1)"), val!([1, 2, 3]));
    assert_eq!(
        run("States.ArrayRange(1, 1000, 1)")
            .as_array()
            .unwrap()
            .len(),
        1000
    );
    fails("States.ArrayRange(0, 1000, 1)");
    fails("States.ArrayRange(1, 9, 0)");
    fails("States.ArrayRange(1.5, 9, 1)");
    fails("States.ArrayRange(-9000000000000000000, 9000000000000000000, 1)");
}

#[test]
fn array_get_item_length_unique() {
    let arr = "States.Array(1, 2, 3, 4, 5, 6, 7, 8, 9)";
    assert_eq!(run(&format!("States.ArrayGetItem({arr}, 5)")), val!(6));
    assert_eq!(run(&format!("States.ArrayLength({arr})")), val!(9));
    let e = fails(&format!("States.ArrayGetItem({arr}, 9)"));
    assert!(e.is(crate::error::names::INTRINSIC_FAILURE));
    fails(&format!("States.ArrayGetItem({arr}, -1)"));
    fails(&format!("States.ArrayGetItem({arr}, 1.5)"));
    assert_eq!(
        run(
            r#"States.ArrayUnique(States.StringToJson('[1,2,3,3,3,3,3,3,4,[1],[1],{"a":1},{"a":1},null,null]'))"#
        ),
        val!([1, 2, 3, 4, [1], {"a": 1}, null])
    );
    assert_eq!(run("States.ArrayUnique(States.Array())"), val!([]));
    fails("States.ArrayLength(States.Format('x'))");
}

#[test]
fn base64() {
    assert_eq!(
        run("States.Base64Encode('Data to encode')"),
        val!("RGF0YSB0byBlbmNvZGU=")
    );
    assert_eq!(run("States.Base64Encode('')"), val!(""));
    assert_eq!(
        run("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')"),
        val!("Data to encode")
    );
    assert_eq!(
        run("States.Base64Decode('RGF0YSB0byBlbmNvZGU')"),
        val!("Data to encode")
    );
    assert_eq!(run("States.Base64Decode('')"), val!(""));
    fails("States.Base64Decode('***')");
    let long = "a".repeat(10_001);
    fails(&format!("States.Base64Encode('{long}')"));
    let ok = "a".repeat(10_000);
    run(&format!("States.Base64Encode('{ok}')"));
}

#[test]
fn hash() {
    assert_eq!(
        run("States.Hash('input data', 'SHA-1')"),
        val!("aaff4a450a104cd177d28d18d74485e8cae074b7")
    );
    assert_eq!(
        run("States.Hash('input data', 'SHA-256')"),
        val!("b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3")
    );
    assert_eq!(
        run("States.Hash('input data', 'SHA-512')"),
        val!("6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4")
    );
    assert_eq!(
        run("States.Hash('', 'MD5')"),
        val!("d41d8cd98f00b204e9800998ecf8427e")
    );
    assert_eq!(
        run("States.Hash('abc', 'SHA-384')"),
        val!("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
    );
    // The algorithm from a call is checked at run time.
    assert_eq!(
        run("States.Hash('', States.Format('MD5'))"),
        val!("d41d8cd98f00b204e9800998ecf8427e")
    );
    fails("States.Hash('', States.Format('SHA-3'))");
    fails("States.Hash(States.Array(), 'MD5')");
    fails(&format!("States.Hash('{}', 'MD5')", "x".repeat(10_001)));
}

#[test]
fn json_merge_is_shallow() {
    assert_eq!(
        run(
            r#"States.JsonMerge(States.StringToJson('{"a":{"a1":1,"a2":2},"b":2,"d":3}'), States.StringToJson('{"a":{"a3":1,"a4":2},"c":3,"d":4}'), false)"#
        ),
        val!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3, "d": 4})
    );
    fails("States.JsonMerge(States.Array(), States.StringToJson('{}'), false)");
    fails("States.JsonMerge(States.StringToJson('{}'), States.StringToJson('{}'), States.StringToJson('true'))");
}

#[test]
fn math_add_rounds_half_up() {
    for (a, b, sum) in [
        ("1.49", "1.5", 3),
        ("1.5", "1.51", 4),
        ("-1.5", "0", -1),
        ("-1.51", "0", -2),
        ("-2.5", "0", -2),
        ("-0.5", "0.5", 1),
        ("-0.5", "0", 0),
        ("-1.49", "-1.5", -2),
        ("3.5", "0", 4),
        ("0.49999999999999994", "0", 0),
        ("111", "-1", 110),
    ] {
        assert_eq!(
            run(&format!("States.MathAdd({a}, {b})")),
            Val::int(sum),
            "{a} + {b}"
        );
    }
    fails("States.MathAdd(States.Format('1'), 1)");
    fails("States.MathAdd(9223372036854775807, 1)");
}

#[test]
fn math_random() {
    for _ in 0..50 {
        let v = run("States.MathRandom(12.5, 44.51)").as_i64().unwrap();
        assert!((13..45).contains(&v), "{v}");
        let v = run("States.MathRandom(-99999, -9999)").as_i64().unwrap();
        assert!((-99999..-9999).contains(&v), "{v}");
    }
    assert_eq!(run("States.MathRandom(0, 1)"), val!(0));
    // Seeded: deterministic, java.util.Random(seed).nextInt(end - start) + start.
    assert_eq!(run("States.MathRandom(0, 999, 3)"), val!(239));
    assert_eq!(run("States.MathRandom(0, 10, 42)"), val!(0));
    assert_eq!(run("States.MathRandom(100, 200, 1)"), val!(185));
    fails("States.MathRandom(5, 5)");
    fails("States.MathRandom(6, 5)");
}

#[test]
fn string_split_uses_a_delimiter_set() {
    let s = |a: &str, d: &str| run(&format!("States.StringSplit('{a}', '{d}')"));
    assert_eq!(s(" ", ","), val!([" "]));
    assert_eq!(s(" , ", ","), val!([" ", " "]));
    assert_eq!(s(", , ,", ","), val!([" ", " "]));
    assert_eq!(s(",,,,", ","), val!([]));
    assert_eq!(s("1,2,3,4,5", ","), val!(["1", "2", "3", "4", "5"]));
    assert_eq!(
        s("This.is+a,test=string", ".+,="),
        val!(["This", "is", "a", "test", "string"])
    );
    assert_eq!(
        s("split on T and \nnew line", "T\n"),
        val!(["split on ", " and ", "new line"])
    );
    assert_eq!(s("abc", ""), val!(["abc"]));
    assert_eq!(s("", ","), val!([]));
    assert_eq!(s("aébéc", "é"), val!(["a", "b", "c"]));
    fails("States.StringSplit(States.Array(), ',')");
}

#[test]
fn uuid_comes_from_the_env_random() {
    let v = run("States.UUID()");
    let s = v.as_str().unwrap();
    assert_eq!(s.len(), 36);
    assert_eq!(s, Random::seeded(7).uuid_v4());
}

#[test]
fn nested_calls() {
    assert_eq!(
        run("States.ArrayGetItem(States.StringSplit('a-b-c', '-'), States.MathAdd(States.ArrayLength(States.StringSplit('a-b-c', '-')), -1))"),
        val!("c")
    );
}

#[test]
fn java_round_matches_math_round() {
    assert_eq!(java_round(2.5), 3);
    assert_eq!(java_round(-2.5), -2);
    assert_eq!(java_round(-2.51), -3);
    assert_eq!(java_round(f64::NAN), 0);
    assert_eq!(java_round(1e300), i64::MAX);
    assert_eq!(java_round(-1e300), i64::MIN);
}

// ---- paths (need the path module) ------------------------------------------------

#[test]
fn path_arguments() {
    let input = val!({"a": {"b": [1, 2]}, "s": "x,y", "n": 2, "k": {"x": 1}});
    let ok = |t: &str| run_on(t, &input).unwrap_or_else(|e| panic!("{t}: {e}"));
    assert_eq!(ok("States.ArrayLength($.a.b)"), val!(2));
    assert_eq!(ok("States.ArrayGetItem($.a.b , 1)"), val!(2));
    assert_eq!(ok("States.StringSplit($.s, ',')"), val!(["x", "y"]));
    assert_eq!(
        ok("States.Array($['s'], $.a['b'][0], $)")
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(ok("States.Format('{}', $.k)"), val!("{x=1}"));
    assert_eq!(ok("States.Array($.a.b[?(@ > 1)])"), val!([[2]]));
    // A path that does not resolve is States.Runtime.
    let e = run_on("States.ArrayLength($.nope)", &input).unwrap_err();
    assert!(e.is(crate::error::names::RUNTIME), "{e}");
    assert_eq!(
        e.cause.as_deref(),
        Some("Invalid path '$.nope' : No results for path: $['nope']")
    );
    syntax_error("States.ArrayLength($.)");
    syntax_error("States.ArrayLength($.a[)");
}

#[test]
fn variable_references() {
    let call =
        Intrinsic::parse("States.Format('{} {} {}', $v1.x, $.y, States.Array($v2, $$.State))")
            .unwrap();
    let mut out = Vec::new();
    call.variable_references(&mut out);
    assert_eq!(out, vec![Arc::from("v1"), Arc::from("v2")]);
}

#[test]
fn string_to_json_minus_zero() {
    assert_eq!(
        run("States.StringToJson('[-0, -0.0, 0.0, \"-0\"]')").to_json_string(),
        "[0,0,0.0,\"-0\"]"
    );
    assert_eq!(run("States.StringToJson('-0.0')").to_json_string(), "-0.0");
}
