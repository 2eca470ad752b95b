//! Unit tests of payload templates.

use super::*;
use crate::data::context::ContextObject;
use crate::data::random::Random;
use crate::data::NoVariables;
use crate::error::names;
use crate::val;
use serde_json::json;

fn eval_on(t: &Template, input: &Val) -> Result<Val, StatesError> {
    let context = ContextObject::default();
    let random = Random::seeded(1);
    let env = Env {
        input,
        context: &context,
        variables: &NoVariables,
        random: &random,
    };
    t.eval(&env)
}

fn compile_err(v: serde_json::Value) -> TemplateError {
    Template::compile(&v).expect_err("expected a compile error")
}

#[test]
fn literal_subtrees_are_shared() {
    let t = Template::compile(&json!({"a": {"b": [1, {"c": "$.x"}]}, "s": "$name"})).unwrap();
    assert!(t.is_literal());
    let a = eval_on(&t, &Val::Null).unwrap();
    let b = eval_on(&t, &Val::Null).unwrap();
    assert!(a.ptr_eq(&b));
    assert_eq!(a, val!({"a": {"b": [1, {"c": "$.x"}]}, "s": "$name"}));
    assert_eq!(t.as_literal(), Some(&a));
}

#[test]
fn pass_result_is_not_processed() {
    let t = Template::literal(val!({"unsupported1.$": "$.jsonpath", "unsupported2.$": "$$"}));
    assert!(t.is_literal());
    assert_eq!(
        eval_on(&t, &Val::Null).unwrap(),
        val!({"unsupported1.$": "$.jsonpath", "unsupported2.$": "$$"})
    );
}

#[test]
fn non_string_dynamic_values_are_rejected() {
    let e = compile_err(json!({"arrayField.$": [1]}));
    assert_eq!(e.pointer, "/arrayField.$");
    assert_eq!(
        e.message,
        "The value for the field 'arrayField.$' must be a STRING that contains a JSONPath but was an ARRAY"
    );
    let e = compile_err(json!({"a": [{"o.$": {"x": 1}}]}));
    assert_eq!(e.pointer, "/a/0/o.$");
    assert!(e.message.ends_with("but was an OBJECT"), "{}", e.message);
    assert!(compile_err(json!({"n.$": 1}))
        .message
        .ends_with("but was a NUMBER"));
    assert!(compile_err(json!({"n.$": null}))
        .message
        .ends_with("but was a NULL"));
    assert!(compile_err(json!({"n.$": true}))
        .message
        .ends_with("but was a BOOLEAN"));
}

#[test]
fn invalid_dynamic_strings_are_rejected() {
    for bad in [
        "nope",
        "",
        "States.Nope()",
        r#"States.StringToJson('{\"a\": 1}')"#,
        "States.Format('{}')",
    ] {
        let e = compile_err(json!({"x": {"parsed.$": bad}}));
        assert_eq!(e.pointer, "/x/parsed.$", "{bad}");
        assert_eq!(
            e.message,
            "The value for the field 'parsed.$' must be a valid JSONPath or a valid intrinsic function call",
            "{bad}"
        );
    }
}

#[test]
fn pointer_tokens_are_escaped() {
    let e = compile_err(json!({"a/b": {"c~d.$": 1}}));
    assert_eq!(e.pointer, "/a~1b/c~0d.$");
}

#[test]
fn intrinsic_fields_and_arrays() {
    let t = Template::compile(&json!({
        "lit": 1,
        "f.$": "States.Format('{}-{}', 'a', 2)",
        "arr": [1, {"u.$": "States.MathAdd(1, 2)"}, [{"deep.$": "States.Array()"}]],
    }))
    .unwrap();
    assert!(!t.is_literal());
    assert_eq!(
        eval_on(&t, &Val::Null).unwrap(),
        val!({"lit": 1, "f": "a-2", "arr": [1, {"u": 3}, [{"deep": []}]]})
    );
    // Top-level arrays (Pass Parameters may be any JSON value).
    let t = Template::compile(&json!([0, {"x.$": "States.UUID()"}])).unwrap();
    let v = eval_on(&t, &Val::Null).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
}

#[test]
fn intrinsic_failures_pass_through() {
    let t = Template::compile(&json!({"x.$": "States.ArrayRange(1, 9, States.MathAdd(0, 0))"}))
        .unwrap();
    let e = eval_on(&t, &Val::Null).unwrap_err();
    assert!(e.is(names::INTRINSIC_FAILURE), "{e}");
}

#[test]
fn display_shows_the_shape() {
    let t = Template::compile(&json!({"a": 1, "f.$": "States.UUID()"})).unwrap();
    assert_eq!(t.to_string(), r#"{"a":1,"f.$":"States.UUID()"}"#);
}

// ---- paths (need the path module) ------------------------------------------------

#[test]
fn paths_select_from_the_input() {
    let t =
        Template::compile(&json!({"a.$": "$.x", "b": {"c.$": "$.y[1]"}, "whole.$": "$"})).unwrap();
    let input = val!({"x": {"big": [1, 2, 3]}, "y": [0, "one"]});
    let out = eval_on(&t, &input).unwrap();
    assert_eq!(out.get("b"), Some(&val!({"c": "one"})));
    // Selected subtrees are shared, not copied.
    assert!(out.get("a").unwrap().ptr_eq(input.get("x").unwrap()));
    assert!(out.get("whole").unwrap().ptr_eq(&input));
}

#[test]
fn missing_paths_are_runtime_errors_with_aws_wording() {
    let t = Template::compile(&json!({"value.$": "$.no_such_jsonpath"})).unwrap();
    let e = eval_on(&t, &val!({"int-literal": 0})).unwrap_err();
    assert!(e.is(names::RUNTIME));
    assert_eq!(
        e.cause.as_deref(),
        Some("The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"int-literal\":0}'")
    );
    let t = Template::compile(&json!({"value.$": "$$.Execution.Input.no_such_jsonpath"})).unwrap();
    let e = eval_on(&t, &val!({"int-literal": 0})).unwrap_err();
    assert_eq!(
        e.cause.as_deref(),
        Some("The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"int-literal\":0}'")
    );
}

#[test]
fn variable_references_in_document_order() {
    let t = Template::compile(&json!({
        "a.$": "$v1",
        "b": [{"c.$": "States.Format('{}', $v2.x)"}],
        "d.$": "$.notvar",
        "e": "$v3",
    }))
    .unwrap();
    let mut out = Vec::new();
    t.variable_references(&mut out);
    assert_eq!(out, vec![Arc::from("v1"), Arc::from("v2")]);
}

#[test]
fn a_key_written_twice_keeps_one_entry_at_its_first_position() {
    let t = Template::compile(&json!({"a": 1, "b": 2, "a.$": "$.x"})).unwrap();
    let out = eval_on(&t, &val!({"x": "new"})).unwrap();
    assert_eq!(out.to_json_string(), r#"{"a":"new","b":2}"#);
}

#[test]
fn outputs_know_their_length() {
    let t = Template::compile(
        &json!({"i": 1, "from.$": "$.a", "tag.$": "$.s", "meta": {"k": 0, "odd": false}}),
    )
    .unwrap();
    let out = eval_on(&t, &val!({"a": -1, "s": "x\"y"})).unwrap();
    assert_eq!(out.known_json_len(), Some(out.to_json_string().len()));
    // A value whose length is not known yet leaves the output's unknown too.
    let t = Template::compile(&json!({"all.$": "$"})).unwrap();
    let out = eval_on(&t, &Val::from(&json!({"a": [1]}))).unwrap();
    assert_eq!(out.known_json_len(), None);
    assert_eq!(out.json_len(), out.to_json_string().len());
}
