//! Rewriting actual results the way LocalStack's snapshot library rewrote the
//! recordings: the case's `normalize` regex rules (in order), its jsonpath `masks`,
//! and the undocumented rules (`<uuid:N>` for UUIDs under keys ending in `id`,
//! keys containing `timestamp`, `Request ID: …`).
//!
//! Everything works on one JSON document, so a `reference` mask or a UUID token is
//! numbered consistently across the history, the output and the cause.

use regex::{NoExpand, Regex};
use serde_json::Value as Json;
use std::collections::HashMap;

/// One `normalize` rule: a regex and its literal replacement.
#[derive(Clone, Debug)]
pub struct Rule {
    regex: Regex,
    replacement: String,
    /// Leaves error causes alone (rules marked `"derived": "input diff"`: the
    /// recording rewrote the test's input values, not their echo in error messages).
    data_only: bool,
}

impl Rule {
    /// Compiles a rule. The case files were written for Python's `re`; escapes of
    /// characters that Rust's regex does not accept escaped (`\ `) are made literal.
    pub fn new(pattern: &str, replacement: &str) -> Result<Rule, String> {
        let regex = Regex::new(pattern)
            .or_else(|_| Regex::new(&python_to_rust(pattern)))
            .map_err(|e| format!("normalize regex {pattern:?}: {e}"))?;
        Ok(Rule {
            regex,
            replacement: replacement.to_string(),
            data_only: false,
        })
    }

    /// Makes the rule leave `cause` values alone.
    pub fn data_only(mut self) -> Rule {
        self.data_only = true;
        self
    }

    /// Applies the rule to a string.
    pub fn apply(&self, s: &str) -> String {
        self.regex
            .replace_all(s, NoExpand(&self.replacement))
            .into_owned()
    }
}

/// `\X` with a non-alphanumeric X → X escaped the Rust way.
fn python_to_rust(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n) if n.is_ascii_alphanumeric() => {
                    out.push('\\');
                    out.push(n);
                }
                Some(n) => out.push_str(&regex::escape(&n.to_string())),
                None => out.push_str("\\\\"),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// How a mask replaces what its path selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaskMode {
    /// The value at the path becomes the replacement string.
    Value,
    /// Each distinct value at the path becomes `<replacement:N>`, everywhere it occurs.
    Reference,
}

/// A jsonpath mask (`$..TaskToken`, `$..events..output.FunctionResult`).
#[derive(Clone, Debug)]
pub struct Mask {
    segments: Vec<Segment>,
    replacement: String,
    mode: MaskMode,
}

#[derive(Clone, Debug)]
struct Segment {
    /// `..name` (any depth) rather than `.name`.
    descendant: bool,
    name: String,
}

impl Mask {
    /// Parses a mask. Only `$`, `.name`, `..name` and `['name']` are supported (all
    /// the corpus uses).
    pub fn new(path: &str, replacement: &str, mode: MaskMode) -> Result<Mask, String> {
        let bad = || format!("unsupported mask jsonpath {path:?}");
        let rest = path.strip_prefix('$').ok_or_else(bad)?;
        let mut segments = Vec::new();
        let b = rest.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let descendant;
            if rest[i..].starts_with("..") {
                descendant = true;
                i += 2;
            } else if b[i] == b'.' {
                descendant = false;
                i += 1;
            } else if b[i] == b'[' {
                descendant = false;
            } else {
                return Err(bad());
            }
            let name;
            if rest[i..].starts_with("['") {
                let end = rest[i + 2..].find("']").ok_or_else(bad)?;
                name = rest[i + 2..i + 2 + end].to_string();
                i += end + 4;
            } else {
                let end = rest[i..]
                    .find(['.', '['])
                    .map(|e| i + e)
                    .unwrap_or(rest.len());
                name = rest[i..end].to_string();
                i = end;
            }
            if name.is_empty() {
                return Err(bad());
            }
            segments.push(Segment { descendant, name });
        }
        Ok(Mask {
            segments,
            replacement: replacement.to_string(),
            mode,
        })
    }

    /// JSON pointers (as key/index lists) of every node the path selects.
    fn select(&self, doc: &Json) -> Vec<Vec<Step>> {
        let mut current: Vec<Vec<Step>> = vec![Vec::new()];
        for seg in &self.segments {
            let mut next = Vec::new();
            for p in &current {
                let Some(node) = resolve(doc, p) else {
                    continue;
                };
                if seg.descendant {
                    descend(node, p.clone(), &seg.name, &mut next);
                } else if let Some(o) = node.as_object() {
                    if o.contains_key(&seg.name) {
                        let mut q = p.clone();
                        q.push(Step::Key(seg.name.clone()));
                        next.push(q);
                    }
                }
            }
            current = next;
        }
        current
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn resolve<'a>(doc: &'a Json, path: &[Step]) -> Option<&'a Json> {
    let mut n = doc;
    for s in path {
        n = match s {
            Step::Key(k) => n.get(k)?,
            Step::Index(i) => n.get(*i)?,
        };
    }
    Some(n)
}

fn resolve_mut<'a>(doc: &'a mut Json, path: &[Step]) -> Option<&'a mut Json> {
    let mut n = doc;
    for s in path {
        n = match s {
            Step::Key(k) => n.get_mut(k)?,
            Step::Index(i) => n.get_mut(*i)?,
        };
    }
    Some(n)
}

/// Every `name` member at any depth under (and including) `node`.
fn descend(node: &Json, path: Vec<Step>, name: &str, out: &mut Vec<Vec<Step>>) {
    match node {
        Json::Object(o) => {
            for (k, v) in o {
                let mut q = path.clone();
                q.push(Step::Key(k.clone()));
                if k == name {
                    out.push(q.clone());
                }
                descend(v, q, name, out);
            }
        }
        Json::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                let mut q = path.clone();
                q.push(Step::Index(i));
                descend(v, q, name, out);
            }
        }
        _ => {}
    }
}

/// The whole rewriting of one case.
#[derive(Clone, Debug, Default)]
pub struct Normalizer {
    /// The `normalize` rules, in order.
    pub rules: Vec<Rule>,
    /// The `masks`.
    pub masks: Vec<Mask>,
}

fn uuid_regex() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
            .expect("valid regex")
    })
}

fn request_id_regex() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| Regex::new(r"Request ID: [0-9A-Za-z\-]+").expect("valid regex"))
}

impl Normalizer {
    /// Applies everything to `doc`, in the snapshot library's order: the undocumented
    /// value rules, the masks, then the case's regex rules.
    pub fn apply(&self, doc: &mut Json) {
        parse_json_causes(doc);
        timestamps(doc);
        uuids(doc);
        map_strings(doc, &|s| {
            if s.contains("Request ID: ") {
                request_id_regex()
                    .replace_all(s, NoExpand("Request ID: <request_id>"))
                    .into_owned()
            } else {
                s.to_string()
            }
        });
        for m in &self.masks {
            self.mask(m, doc);
        }
        for r in &self.rules {
            if r.data_only {
                map_strings_outside_causes(doc, &|s| r.apply(s));
            } else {
                map_strings(doc, &|s| r.apply(s));
            }
        }
    }

    fn mask(&self, m: &Mask, doc: &mut Json) {
        let paths = m.select(doc);
        match m.mode {
            MaskMode::Value => {
                for p in paths {
                    if let Some(n) = resolve_mut(doc, &p) {
                        *n = Json::String(m.replacement.clone());
                    }
                }
            }
            MaskMode::Reference => {
                let mut seen: Vec<Json> = Vec::new();
                for p in &paths {
                    if let Some(n) = resolve(doc, p) {
                        if !seen.contains(n) {
                            seen.push(n.clone());
                        }
                    }
                }
                let tokens: Vec<(Json, String)> = seen
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (v, format!("<{}:{}>", m.replacement, i + 1)))
                    .collect();
                replace_values(doc, &tokens);
            }
        }
    }
}

/// Replaces every value equal to a token's value (and every occurrence of a string
/// value inside longer strings) with the token.
fn replace_values(doc: &mut Json, tokens: &[(Json, String)]) {
    if let Some((_, t)) = tokens.iter().find(|(v, _)| v == doc) {
        *doc = Json::String(t.clone());
        return;
    }
    match doc {
        Json::String(s) => {
            for (v, t) in tokens {
                if let Json::String(needle) = v {
                    if needle.len() >= 4 && s.contains(needle.as_str()) {
                        *s = s.replace(needle.as_str(), t);
                    }
                }
            }
        }
        Json::Array(a) => a.iter_mut().for_each(|x| replace_values(x, tokens)),
        Json::Object(o) => o.values_mut().for_each(|x| replace_values(x, tokens)),
        _ => {}
    }
}

/// Applies `f` to every string value and object key.
pub fn map_strings(doc: &mut Json, f: &dyn Fn(&str) -> String) {
    match doc {
        Json::String(s) => {
            let n = f(s);
            if n != *s {
                *s = n;
            }
        }
        Json::Array(a) => a.iter_mut().for_each(|x| map_strings(x, f)),
        Json::Object(o) => {
            let needs_key_change = o.keys().any(|k| f(k) != *k);
            if needs_key_change {
                let old = std::mem::take(o);
                for (k, mut v) in old {
                    map_strings(&mut v, f);
                    o.insert(f(&k), v);
                }
            } else {
                o.values_mut().for_each(|x| map_strings(x, f));
            }
        }
        _ => {}
    }
}

/// [`map_strings`], except under `cause` keys.
fn map_strings_outside_causes(doc: &mut Json, f: &dyn Fn(&str) -> String) {
    match doc {
        Json::Object(o) => {
            let old = std::mem::take(o);
            for (k, mut v) in old {
                if k != "cause" {
                    map_strings_outside_causes(&mut v, f);
                }
                o.insert(f(&k), v);
            }
        }
        Json::Array(a) => a.iter_mut().for_each(|x| map_strings_outside_causes(x, f)),
        other => map_strings(other, f),
    }
}

/// A `cause` that is a JSON object text becomes the object (the snapshot tool
/// parsed such causes).
fn parse_json_causes(doc: &mut Json) {
    match doc {
        Json::Array(a) => a.iter_mut().for_each(parse_json_causes),
        Json::Object(o) => {
            for (k, v) in o.iter_mut() {
                if k == "cause" {
                    if let Json::String(s) = v {
                        if s.trim_start().starts_with('{') {
                            if let Ok(p @ Json::Object(_)) = serde_json::from_str::<Json>(s) {
                                *v = p;
                                continue;
                            }
                        }
                    }
                }
                parse_json_causes(v);
            }
        }
        _ => {}
    }
}

/// Values under keys containing `timestamp` become `"timestamp"`.
fn timestamps(doc: &mut Json) {
    match doc {
        Json::Array(a) => a.iter_mut().for_each(timestamps),
        Json::Object(o) => {
            for (k, v) in o.iter_mut() {
                if k.contains("timestamp") && !v.is_object() && !v.is_array() {
                    *v = Json::String("timestamp".into());
                } else {
                    timestamps(v);
                }
            }
        }
        _ => {}
    }
}

/// UUIDs under keys ending in `id` become `<uuid:N>` (numbered by first
/// occurrence), and every other occurrence of the same UUID the same token.
fn uuids(doc: &mut Json) {
    let mut found: Vec<String> = Vec::new();
    collect_uuids(doc, &mut found);
    if found.is_empty() {
        return;
    }
    let map: HashMap<String, String> = found
        .iter()
        .enumerate()
        .map(|(i, u)| (u.clone(), format!("<uuid:{}>", i + 1)))
        .collect();
    map_strings(doc, &|s| {
        let mut s = s.to_string();
        for (u, t) in &map {
            if s.contains(u.as_str()) {
                s = s.replace(u.as_str(), t);
            }
        }
        s
    });
}

fn collect_uuids(doc: &Json, out: &mut Vec<String>) {
    match doc {
        Json::Array(a) => a.iter().for_each(|x| collect_uuids(x, out)),
        Json::Object(o) => {
            for (k, v) in o {
                if k.to_ascii_lowercase().ends_with("id") {
                    if let Json::String(s) = v {
                        if uuid_regex().is_match(s) && !out.contains(s) {
                            out.push(s.clone());
                        }
                    }
                }
                collect_uuids(v, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_escapes_are_accepted() {
        let r = Rule::new(r"2016\-12\-05\ 21:29:29Z", "date").unwrap();
        assert_eq!(r.apply("x 2016-12-05 21:29:29Z"), "x date");
    }

    #[test]
    fn masks_select_descendants() {
        let m = Mask::new("$..events..output.F", "R", MaskMode::Value).unwrap();
        let mut d = json!({"events": [{"a": {"output": {"F": 1, "G": 2}}}]});
        Normalizer {
            rules: vec![],
            masks: vec![m],
        }
        .apply(&mut d);
        assert_eq!(
            d,
            json!({"events": [{"a": {"output": {"F": "R", "G": 2}}}]})
        );
    }
}
