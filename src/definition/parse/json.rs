//! Definition text → `serde_json::Value`, detecting duplicate keys and turning
//! syntax errors into diagnostics that say where and what (in the Jackson style AWS
//! reports for unrecognized tokens).

use super::pointer;
use crate::definition::diagnostic::{Code, Diagnostic};
use crate::definition::source_position::line_col;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
use std::fmt;

/// The longest definition AWS accepts, in characters.
pub(crate) const MAX_DEFINITION_CHARS: usize = 1_048_576;

/// A successfully parsed document, with the pointers of keys that were duplicated.
pub(crate) struct ParsedText {
    pub value: Value,
    /// JSON pointers of the second (and later) occurrences of a key in an object.
    pub duplicates: Vec<String>,
}

/// Parses the definition text. Errors are complete diagnostics (with line/column).
pub(crate) fn parse_text(text: &str) -> Result<ParsedText, Diagnostic> {
    if text.len() > MAX_DEFINITION_CHARS {
        let chars = text.chars().count();
        if chars > MAX_DEFINITION_CHARS {
            return Err(Diagnostic::error(
                Code::DefinitionTooLarge,
                "/",
                format!(
                    "The definition is {chars} characters long; the maximum is {MAX_DEFINITION_CHARS} characters"
                ),
            ));
        }
    }
    if text.trim().is_empty() {
        return Err(Diagnostic::error(
            Code::SchemaValidationFailed,
            "",
            "Definition must be a valid JSON object",
        ));
    }
    let collector = RefCell::new(Collector::default());
    let mut de = serde_json::Deserializer::from_str(text);
    let result = Seed(&collector)
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    match result {
        Ok(value) => Ok(ParsedText {
            value,
            duplicates: collector.into_inner().duplicates,
        }),
        Err(e) => Err(syntax_diagnostic(text, &e)),
    }
}

/// One step of the path to the value being read.
enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Default)]
struct Collector {
    path: Vec<Seg>,
    duplicates: Vec<String>,
}

impl Collector {
    /// The JSON pointer of the current position.
    fn pointer(&self) -> String {
        let mut p = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(k) => pointer::push(&mut p, k),
                Seg::Index(i) => pointer::push(&mut p, &i.to_string()),
            }
        }
        p
    }
}

struct Seed<'a>(&'a RefCell<Collector>);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            self.0.borrow_mut().path.push(Seg::Index(items.len()));
            let next = seq.next_element_seed(Seed(self.0));
            self.0.borrow_mut().path.pop();
            match next? {
                Some(v) => items.push(v),
                None => break,
            }
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            self.0.borrow_mut().path.push(Seg::Key(key));
            let value = access.next_value_seed(Seed(self.0));
            let Some(Seg::Key(key)) = self.0.borrow_mut().path.pop() else {
                unreachable!("the key pushed above")
            };
            match map.entry(key) {
                Entry::Vacant(v) => {
                    v.insert(value?);
                }
                Entry::Occupied(mut o) => {
                    let mut c = self.0.borrow_mut();
                    let mut p = c.pointer();
                    pointer::push(&mut p, o.key());
                    c.duplicates.push(p);
                    o.insert(value?);
                }
            }
        }
        Ok(Value::Object(map))
    }
}

/// Jackson's `[Source: (String)"..."; line: L, column: C]`, truncated as Jackson does.
fn source_ref(text: &str, line: usize, column: usize) -> String {
    const MAX: usize = 500;
    let count = text.chars().count();
    let shown: String = text.chars().take(MAX).collect();
    let truncated = if count > MAX {
        format!("[truncated {} chars]", count - MAX)
    } else {
        String::new()
    };
    format!("[Source: (String)\"{shown}\"{truncated}; line: {line}, column: {column}]")
}

/// Byte offset of the character serde_json failed on, from its 1-based line and
/// column (column counts bytes; 0 means the line break before the line).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    let mut off = if column == 0 {
        start.saturating_sub(1)
    } else {
        (start + column - 1).min(text.len())
    };
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    off
}

fn syntax_diagnostic(text: &str, e: &serde_json::Error) -> Diagnostic {
    let (line, column) = (e.line().max(1), e.column());
    let raw = e.to_string();
    // serde_json appends " at line L column C"; keep only the description.
    let what = raw
        .rsplit_once(" at line ")
        .map_or(raw.as_str(), |(w, _)| w)
        .to_owned();
    if what.contains("recursion limit exceeded") {
        let loc = source_ref(text, line, column);
        return located(
            Code::InvalidJsonDescription,
            format!("The definition is nested too deeply (JSON nesting is limited to 128 levels)\n at {loc}"),
            loc,
            line,
            column,
        );
    }
    if what.starts_with("expected value") || what.starts_with("expected ident") {
        // serde_json consumed the offending character; column 0 means it was the
        // line break ending the previous line.
        let off = offset_of(text, line, column);
        // Jackson: the whole token (letters, digits, '_', '$') is reported, with the
        // column just after it.
        let is_tok = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
        let start = text[..off]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_tok(c))
            .last()
            .map_or(off, |(i, _)| i);
        let end = text[start..]
            .char_indices()
            .find(|&(_, c)| !is_tok(c))
            .map_or(text.len(), |(i, _)| start + i);
        let token = &text[start..end];
        if token.chars().next().is_some_and(char::is_alphabetic) {
            let (l, c) = line_col(text, end);
            let loc = source_ref(text, l, c);
            return located(
                Code::InvalidJsonDescription,
                format!("Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at {loc}"),
                loc,
                l,
                c,
            );
        }
        if let Some(ch) = text[off..].chars().next() {
            let (l, c) = line_col(text, off);
            let loc = source_ref(text, l, c);
            return located(
                Code::InvalidJsonDescription,
                format!("Unexpected character ('{ch}' (code {})): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at {loc}", u32::from(ch)),
                loc,
                l,
                c,
            );
        }
    }
    let mut msg = what;
    if let Some(first) = msg.get(..1) {
        let upper = first.to_uppercase();
        msg.replace_range(..1, &upper);
    }
    let loc = source_ref(text, line, column.max(1));
    located(
        Code::InvalidJsonDescription,
        format!("{msg}\n at {loc}"),
        loc,
        line,
        column.max(1),
    )
}

fn located(
    code: Code,
    message: String,
    location: String,
    line: usize,
    column: usize,
) -> Diagnostic {
    let mut d = Diagnostic::error(code, location, message);
    d.line = Some(line);
    d.column = Some(column);
    d
}
