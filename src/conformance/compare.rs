//! Structural comparison of an expected (recorded) value with an actual one.
//!
//! Key order is ignored, numbers compare by value (`1.0` equals `1`, as Python's
//! snapshot comparison does), and placeholders the recording left unresolved
//! (`<resource:1>`, `<uuid:2>`, `<json-input:1>`, …) match any text, as long as the
//! same placeholder stands for the same text throughout the case.

use regex::Regex;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::fmt;

/// The first place where expected and actual differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// Where: `output`, `error`, `history[3].details.output.x`, …
    pub location: String,
    /// The expected value (compact JSON, or a description).
    pub expected: String,
    /// The actual value.
    pub actual: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A status difference carries our error and cause: keep them readable.
        let max = if self.location == "status" { 600 } else { 160 };
        write!(
            f,
            "{}: expected {}, actual {}",
            self.location,
            truncate(&self.expected, 160),
            truncate(&self.actual, max)
        )
    }
}

/// Shortens `s` to about `max` characters.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max).collect();
    format!("{head}…")
}

/// Compact JSON of a value.
pub fn show(v: &Json) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A comparison of one case: placeholder bindings persist across calls.
#[derive(Debug, Default)]
pub struct Comparer {
    bindings: HashMap<String, String>,
    patterns: HashMap<String, Option<(Regex, Vec<String>)>>,
}

fn placeholder_regex() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"<[A-Za-z][A-Za-z0-9_\-]*:\d+>|<MapRunArnPart\d+_\d+idx>|<secondary_test_aws_account_id>|<test_aws_account_id>|<random_arn_part>",
        )
        .expect("valid regex")
    })
}

impl Comparer {
    /// A fresh comparison.
    pub fn new() -> Comparer {
        Comparer::default()
    }

    /// Compares `expected` with `actual`, reporting the first difference under `at`.
    pub fn compare(&mut self, at: &str, expected: &Json, actual: &Json) -> Result<(), Difference> {
        let diff = |e: &Json, a: &Json| Difference {
            location: at.to_string(),
            expected: show(e),
            actual: show(a),
        };
        match (expected, actual) {
            (Json::Object(e), Json::Object(a)) => {
                for (k, ev) in e {
                    match a.get(k) {
                        Some(av) => self.compare(&format!("{at}.{k}"), ev, av)?,
                        None => {
                            return Err(Difference {
                                location: format!("{at}.{k}"),
                                expected: show(ev),
                                actual: String::from("(missing)"),
                            })
                        }
                    }
                }
                if let Some((k, av)) = a.iter().find(|(k, _)| !e.contains_key(*k)) {
                    return Err(Difference {
                        location: format!("{at}.{k}"),
                        expected: String::from("(absent)"),
                        actual: show(av),
                    });
                }
                Ok(())
            }
            (Json::Array(e), Json::Array(a)) => {
                for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                    self.compare(&format!("{at}[{i}]"), ev, av)?;
                }
                if e.len() != a.len() {
                    return Err(Difference {
                        location: format!("{at}.length"),
                        expected: e.len().to_string(),
                        actual: a.len().to_string(),
                    });
                }
                Ok(())
            }
            (Json::Number(e), Json::Number(a)) => {
                let same = match (e.as_i64(), a.as_i64(), e.as_u64(), a.as_u64()) {
                    (Some(x), Some(y), _, _) => x == y,
                    (_, _, Some(x), Some(y)) => x == y,
                    _ => e.as_f64() == a.as_f64(),
                };
                if same {
                    Ok(())
                } else {
                    Err(diff(expected, actual))
                }
            }
            (Json::String(e), Json::String(a)) => {
                if self.strings_match(e, a) || json_texts_match(self, e, a) {
                    Ok(())
                } else {
                    Err(string_diff(at, e, a))
                }
            }
            (Json::String(e), other) if placeholder_regex().is_match(e) => {
                // A placeholder standing for a whole non-string value.
                if self.strings_match(e, &show(other)) {
                    Ok(())
                } else {
                    Err(diff(expected, actual))
                }
            }
            (e, a) if e == a => Ok(()),
            _ => Err(diff(expected, actual)),
        }
    }

    /// `true` when they compare equal, without reporting where.
    pub fn matches(&mut self, expected: &Json, actual: &Json) -> bool {
        let saved = self.bindings.clone();
        let ok = self.compare("", expected, actual).is_ok();
        if !ok {
            self.bindings = saved;
        }
        ok
    }

    fn strings_match(&mut self, expected: &str, actual: &str) -> bool {
        if expected == actual {
            return true;
        }
        if !expected.contains('<') {
            return false;
        }
        let entry = self
            .patterns
            .entry(expected.to_string())
            .or_insert_with(|| compile_pattern(expected));
        let Some((re, names)) = entry else {
            return false;
        };
        let Some(caps) = re.captures(actual) else {
            return false;
        };
        let mut new = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let got = caps.get(i + 1).map(|m| m.as_str()).unwrap_or("");
            match self.bindings.get(name) {
                Some(b) if b != got => return false,
                Some(_) => {}
                None => {
                    if let Some((_, prev)) = new.iter().find(|(n, _): &&(String, String)| n == name)
                    {
                        if prev != got {
                            return false;
                        }
                    }
                    new.push((name.clone(), got.to_string()));
                }
            }
        }
        self.bindings.extend(new);
        true
    }
}

/// Two JSON object texts that differ only in formatting (a Lambda error cause
/// recorded with Python's separators, mocked as compact JSON) compare as JSON.
fn json_texts_match(cmp: &mut Comparer, e: &str, a: &str) -> bool {
    let (e, a) = (e.trim_start(), a.trim_start());
    if !(e.starts_with('{') && a.starts_with('{')) {
        return false;
    }
    match (
        serde_json::from_str::<Json>(e),
        serde_json::from_str::<Json>(a),
    ) {
        (Ok(ev), Ok(av)) => cmp.matches(&ev, &av),
        _ => false,
    }
}

/// A difference between two strings, showing where they start to differ.
fn string_diff(at: &str, e: &str, a: &str) -> Difference {
    let common = e
        .char_indices()
        .zip(a.chars())
        .take_while(|((_, x), y)| x == y)
        .count();
    let skip = common.saturating_sub(30);
    let cut = |s: &str| -> String {
        if skip > 20 {
            let rest: String = s.chars().skip(skip).collect();
            format!("…{}", show(&Json::String(rest)))
        } else {
            show(&Json::String(s.to_string()))
        }
    };
    Difference {
        location: at.to_string(),
        expected: cut(e),
        actual: cut(a),
    }
}

/// The expected string as an anchored regex whose groups are its placeholders.
fn compile_pattern(expected: &str) -> Option<(Regex, Vec<String>)> {
    let ph = placeholder_regex();
    if !ph.is_match(expected) {
        return None;
    }
    let mut pattern = String::from("^");
    let mut names = Vec::new();
    let mut last = 0;
    for m in ph.find_iter(expected) {
        pattern.push_str(&regex::escape(&expected[last..m.start()]));
        pattern.push_str("(.+?)");
        names.push(m.as_str().to_string());
        last = m.end();
    }
    pattern.push_str(&regex::escape(&expected[last..]));
    pattern.push('$');
    Regex::new(&format!("(?s){pattern}"))
        .ok()
        .map(|r| (r, names))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_bind_consistently() {
        let mut c = Comparer::new();
        assert!(c
            .compare("x", &json!(["a <r:1> b", "<r:1>"]), &json!(["a Q b", "Q"]))
            .is_ok());
        let mut c = Comparer::new();
        assert!(c
            .compare("x", &json!(["<r:1>", "<r:1>"]), &json!(["Q", "P"]))
            .is_err());
    }

    #[test]
    fn numbers_by_value() {
        let mut c = Comparer::new();
        assert!(c.compare("x", &json!(1.0), &json!(1)).is_ok());
        assert!(c.compare("x", &json!(1.5), &json!(1)).is_err());
    }
}
