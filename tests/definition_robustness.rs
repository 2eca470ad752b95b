//! Hostile inputs give diagnostics, never a panic or a hang.

use statelang::definition::{validate, ParseOptions};
use statelang::StateMachine;

fn codes(text: &str) -> Vec<String> {
    let r = validate(text, &ParseOptions::default());
    assert_eq!(r.result, "FAIL", "{text:.80}");
    assert!(StateMachine::parse(text).is_err());
    r.diagnostics.iter().map(|d| d.code.to_string()).collect()
}

#[test]
fn malformed_json() {
    for t in [
        "{",
        "{\"StartAt\":",
        "{\"a\" 1}",
        "[1,]",
        "{'a':1}",
        "nul",
        "\"unterminated",
        "{} {}",
        "\u{feff}{}",
    ] {
        let c = codes(t);
        assert!(!c.is_empty());
    }
    let r = validate("{\n  \"StartAt\": tru\n}", &ParseOptions::default());
    let d = &r.diagnostics[0];
    assert_eq!(d.code.as_str(), "INVALID_JSON_DESCRIPTION");
    assert!(
        d.message.starts_with("Unrecognized token 'tru'"),
        "{}",
        d.message
    );
    assert_eq!((d.line, d.column), (Some(2), Some(17)));
}

#[test]
fn recorded_not_a_definition() {
    let r = validate("not a definition", &ParseOptions::default());
    assert_eq!(
        r.diagnostics[0].location,
        "[Source: (String)\"not a definition\"; line: 1, column: 4]"
    );
    assert_eq!(
        r.diagnostics[0].message,
        "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"not a definition\"; line: 1, column: 4]"
    );
}

#[test]
fn deep_nesting() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(codes(&deep), vec!["INVALID_JSON_DESCRIPTION"]);
    let deep_obj = format!(
        r#"{{"StartAt":"A","States":{{"A":{{"Type":"Pass","End":true,"Result":{}1{}}}}}}}"#,
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    assert_eq!(codes(&deep_obj), vec!["INVALID_JSON_DESCRIPTION"]);
}

#[test]
fn too_large() {
    let filler = "x".repeat(1_048_577);
    let text =
        format!(r#"{{"Comment":"{filler}","StartAt":"A","States":{{"A":{{"Type":"Succeed"}}}}}}"#);
    assert_eq!(codes(&text), vec!["DEFINITION_TOO_LARGE"]);
    // Just under the limit is parsed normally.
    let filler = "x".repeat(1_000_000);
    let ok =
        format!(r#"{{"Comment":"{filler}","StartAt":"A","States":{{"A":{{"Type":"Succeed"}}}}}}"#);
    assert!(StateMachine::parse(&ok).is_ok());
}

#[test]
fn non_object_roots() {
    for t in ["[]", "1", "\"s\"", "null", "true", "", "   \n"] {
        let r = validate(t, &ParseOptions::default());
        assert_eq!(
            r.diagnostics[0].code.as_str(),
            "SCHEMA_VALIDATION_FAILED",
            "{t:?}"
        );
        assert_eq!(
            r.diagnostics[0].message,
            "Definition must be a valid JSON object"
        );
    }
}

#[test]
fn huge_numbers() {
    let t = |n: &str| {
        format!(r#"{{"StartAt":"A","TimeoutSeconds":{n},"States":{{"A":{{"Type":"Succeed"}}}}}}"#)
    };
    assert_eq!(codes(&t("1e400")), vec!["INVALID_JSON_DESCRIPTION"]);
    assert_eq!(
        codes(&t("123456789012345678901234567890")),
        vec!["SCHEMA_VALIDATION_FAILED"]
    );
    assert_eq!(codes(&t("-1")), vec!["SCHEMA_VALIDATION_FAILED"]);
    assert_eq!(codes(&t("1.5")), vec!["SCHEMA_VALIDATION_FAILED"]);
    let w = |n: &str| {
        format!(r#"{{"StartAt":"A","States":{{"A":{{"Type":"Wait","Seconds":{n},"End":true}}}}}}"#)
    };
    assert_eq!(
        codes(&w("99999999999999999999")),
        vec!["SCHEMA_VALIDATION_FAILED"]
    );
}

#[test]
fn odd_unicode() {
    // Names with combining marks, emoji, RTL text and escaped surrogate pairs.
    let text = r#"{"StartAt":"é\u0301😀","States":{"é\u0301😀":{"Type":"Pass","Next":"עברית"},"עברית":{"Type":"Succeed","Comment":"\ud83d\ude00 \u0000"}}}"#;
    assert!(StateMachine::parse(text).is_ok());
    // A lone surrogate is not valid JSON text.
    assert_eq!(codes(r#"{"a":"\ud800"}"#), vec!["INVALID_JSON_DESCRIPTION"]);
    // Positions are reported in characters, past multi-byte text.
    let r = validate(
        "{\"Comment\":\"ééé\",\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Nope\"}}}",
        &ParseOptions::default(),
    );
    let d = &r.diagnostics[0];
    assert_eq!(d.location, "/States/A/Type");
    assert_eq!((d.line, d.column), (Some(1), Some(47)));
}
