//! Path text → root and segments.
//!
//! The grammar is Jayway JsonPath's, as AWS accepts it:
//!
//! * roots `$`, `$$` (context object) and `$name` (a variable: `[A-Za-z_][A-Za-z0-9_]*`);
//! * `.name` (everything up to the next `.`, `[` or `(`; a blank is an error, as in Jayway),
//!   `.*`, `..x` (descendants);
//! * `['name']` / `["name"]` (taken verbatim: a backslash only keeps the character after it
//!   from closing the name, as AWS evaluates `$['Test\""Name"']`), unions `['a','b']`;
//! * `[n]`, `[-n]`, `[0,2]`, `[*]`, `[a:b]`, `[a:]`, `[:b]`, `[a:b:step]`;
//! * `[?( … )]` filters (see `filter.rs`);
//! * a trailing `.length()`.

use super::{filter, Compiled, ContextField, Function, PathSyntaxError, Segment};
use crate::data::PathRoot;
use std::sync::Arc;

/// Parses a whole path.
pub(super) fn parse(text: &str) -> Result<(PathRoot, Compiled), PathSyntaxError> {
    let mut p = Parser::new(text);
    let root = p.root()?;
    let (segments, function) = p.segments(Ctx::Top)?;
    if !p.at_end() {
        return Err(p.error("unexpected text after the path"));
    }
    Ok((root, compile(segments, function)))
}

/// Computes the derived flags of a segment list.
pub(super) fn compile(segments: Vec<Segment>, function: Option<Function>) -> Compiled {
    let last = segments.len().checked_sub(1);
    let leaf_is_last = function.is_none();
    let definite = segments.iter().enumerate().all(|(i, s)| match s {
        Segment::Name(_) | Segment::Index(_) => true,
        Segment::Names(_) => Some(i) == last,
        _ => false,
    });
    let multi_props_not_leaf = segments
        .iter()
        .enumerate()
        .find(|(i, s)| matches!(s, Segment::Names(_)) && !(Some(*i) == last && leaf_is_last))
        .map(|(i, _)| i);
    let context_field = if definite && function.is_none() && multi_props_not_leaf.is_none() {
        context_field(&segments)
    } else {
        None
    };
    let names_only = function.is_none() && segments.iter().all(|s| matches!(s, Segment::Name(_)));
    let writable = function.is_none()
        && segments.iter().all(|s| match s {
            Segment::Name(_) => true,
            Segment::Index(n) => *n >= 0,
            _ => false,
        });
    Compiled {
        segments,
        function,
        definite,
        multi_props_not_leaf,
        context_field,
        names_only,
        writable,
    }
}

/// The context-object field the first segments name, and how many they are.
fn context_field(segments: &[Segment]) -> Option<(ContextField, usize)> {
    let name = |i: usize| match segments.get(i) {
        Some(Segment::Name(n)) => Some(&**n),
        _ => None,
    };
    Some(match (name(0)?, name(1), name(2)) {
        ("Execution", ..) => (ContextField::Execution, 1),
        ("StateMachine", ..) => (ContextField::StateMachine, 1),
        ("State", Some("Name"), _) => (ContextField::StateName, 2),
        ("State", Some("EnteredTime"), _) => (ContextField::StateEnteredTime, 2),
        ("State", Some("RetryCount"), _) => (ContextField::StateRetryCount, 2),
        ("Task", Some("Token"), _) => (ContextField::TaskToken, 2),
        ("Map", Some("Item"), Some("Index")) => (ContextField::MapItemIndex, 3),
        ("Map", Some("Item"), Some("Value")) => (ContextField::MapItemValue, 3),
        _ => return None,
    })
}

/// Checks that a parsed path is a Reference Path (names and indices `>= 0` only).
pub(super) fn check_reference(text: &str, compiled: &Compiled) -> Result<(), PathSyntaxError> {
    let what = if compiled.function.is_some() {
        Some("functions such as length()")
    } else {
        compiled.segments.iter().find_map(|s| match s {
            Segment::Name(_) => None,
            Segment::Index(n) if *n >= 0 => None,
            Segment::Index(_) => Some("negative indices"),
            Segment::Names(_) | Segment::Indices(_) => Some("unions ([a,b])"),
            Segment::Wildcard => Some("wildcards ('*')"),
            Segment::Slice { .. } => Some("slices ([a:b])"),
            Segment::Filter(_) => Some("filters ([?(...)])"),
            Segment::Descendant(_) => Some("descendant scans ('..')"),
        })
    };
    match what {
        None => Ok(()),
        Some(what) => Err(PathSyntaxError {
            message: format!(
                "Invalid reference path '{text}': {what} are not allowed; a reference path may only \
                 use '.name', ['name'] and [index] to name a single node"
            ),
        }),
    }
}

/// Where a path is being read: at the top level, or inside a filter expression (where a
/// path ends at the first character that cannot continue it).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Ctx {
    /// A whole path string.
    Top,
    /// An `@…` or `$…` operand inside `[?( … )]`.
    Filter,
}

/// A cursor over the path text.
pub(super) struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    pub(super) fn new(text: &'a str) -> Parser<'a> {
        Parser { text, pos: 0 }
    }

    pub(super) fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(super) fn peek2(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    pub(super) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub(super) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    pub(super) fn eat_str(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    pub(super) fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    pub(super) fn expect(&mut self, c: char) -> Result<(), PathSyntaxError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(match self.peek() {
                Some(found) => self.error(format!("expected '{c}' but found '{found}'")),
                None => self.error(format!("expected '{c}' but the path ended")),
            })
        }
    }

    /// An error at the current position.
    pub(super) fn error(&self, what: impl std::fmt::Display) -> PathSyntaxError {
        let col = self.text.get(..self.pos).map_or(0, |s| s.chars().count());
        PathSyntaxError {
            message: format!("Invalid JSONPath '{}': {what} at position {col}", self.text),
        }
    }

    fn root(&mut self) -> Result<PathRoot, PathSyntaxError> {
        if !self.eat('$') {
            return Err(self.error("a path must start with '$'"));
        }
        if self.eat('$') {
            return Ok(PathRoot::Context);
        }
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    self.bump();
                }
                Ok(PathRoot::Variable(Arc::from(&self.text[start..self.pos])))
            }
            _ => Ok(PathRoot::Input),
        }
    }

    /// Reads segments (and an optional trailing function) until the text ends or, in a
    /// filter, until a character that cannot continue a path.
    pub(super) fn segments(
        &mut self,
        ctx: Ctx,
    ) -> Result<(Vec<Segment>, Option<Function>), PathSyntaxError> {
        let mut segments = Vec::new();
        loop {
            match self.peek() {
                None => break,
                Some('.') => {
                    self.bump();
                    if self.eat('.') {
                        let inner = match self.peek() {
                            None => return Err(self.error("a path must not end with '..'")),
                            Some('*') => {
                                self.bump();
                                Segment::Wildcard
                            }
                            Some('[') => self.bracket()?,
                            Some('.') => return Err(self.error("unexpected '.'")),
                            Some(_) => {
                                let name = self.dot_name(ctx)?;
                                if self.peek() == Some('(') {
                                    return Err(self.error("a function cannot follow '..'"));
                                }
                                Segment::Name(name)
                            }
                        };
                        segments.push(Segment::Descendant(Box::new(inner)));
                        continue;
                    }
                    match self.peek() {
                        None => return Err(self.error("a path must not end with '.'")),
                        Some('*') => {
                            self.bump();
                            segments.push(Segment::Wildcard);
                        }
                        // Jayway accepts `$.['a']` as `$['a']`.
                        Some('[') => {}
                        Some(_) => {
                            let name = self.dot_name(ctx)?;
                            if self.peek() == Some('(') {
                                let function = self.function(&name)?;
                                let more = match ctx {
                                    Ctx::Top => !self.at_end(),
                                    Ctx::Filter => matches!(self.peek(), Some('.' | '[')),
                                };
                                if more {
                                    return Err(
                                        self.error("a function must be the last part of a path")
                                    );
                                }
                                return Ok((segments, Some(function)));
                            }
                            segments.push(Segment::Name(name));
                        }
                    }
                }
                Some('[') => {
                    let seg = self.bracket()?;
                    segments.push(seg);
                }
                Some(c) => match ctx {
                    Ctx::Top => return Err(self.error(format!("unexpected character '{c}'"))),
                    Ctx::Filter => break,
                },
            }
        }
        Ok((segments, None))
    }

    /// A name after `.`: up to the next `.`, `[` or `(` (and, in a filter, up to a blank,
    /// an operator or a closing bracket).
    fn dot_name(&mut self, ctx: Ctx) -> Result<Arc<str>, PathSyntaxError> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            let stop = match ctx {
                Ctx::Top => {
                    if c == ' ' {
                        return Err(self.error(
                            "a property name with blanks needs bracket notation, e.g. ['my prop']",
                        ));
                    }
                    matches!(c, '.' | '[' | '(')
                }
                Ctx::Filter => {
                    c.is_whitespace()
                        || matches!(
                            c,
                            '.' | '[' | '(' | ')' | ']' | '=' | '!' | '<' | '>' | '&' | '|' | ','
                        )
                }
            };
            if stop {
                break;
            }
            self.bump();
        }
        if self.pos == start {
            return Err(self.error("expected a property name after '.'"));
        }
        Ok(Arc::from(&self.text[start..self.pos]))
    }

    /// `name()` after the name has been read; the cursor is at `(`.
    fn function(&mut self, name: &str) -> Result<Function, PathSyntaxError> {
        self.expect('(')?;
        self.skip_ws();
        if self.peek() != Some(')') {
            return Err(self.error(format!("function '{name}()' takes no arguments")));
        }
        match name {
            "length" => {
                self.bump();
                Ok(Function::Length)
            }
            other => Err(self.error(format!(
                "function '{other}()' is not supported (only length() is)"
            ))),
        }
    }

    /// A `[…]` segment; the cursor is at `[`.
    fn bracket(&mut self) -> Result<Segment, PathSyntaxError> {
        self.bump();
        self.skip_ws();
        match self.peek() {
            Some('*') => {
                self.bump();
                self.skip_ws();
                self.expect(']')?;
                Ok(Segment::Wildcard)
            }
            Some('?') => {
                self.bump();
                self.skip_ws();
                self.expect('(')?;
                let expr = filter::parse(self)?;
                self.skip_ws();
                self.expect(')')?;
                self.skip_ws();
                self.expect(']')?;
                Ok(Segment::Filter(Box::new(expr)))
            }
            Some('\'' | '"') => {
                let mut names = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some('\'' | '"') => names.push(Arc::from(self.quoted_raw()?)),
                        _ => return Err(self.error("expected a quoted property name")),
                    }
                    self.skip_ws();
                    if !self.eat(',') {
                        break;
                    }
                }
                self.expect(']')?;
                Ok(if names.len() == 1 {
                    Segment::Name(names.swap_remove(0))
                } else {
                    Segment::Names(names)
                })
            }
            Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => self.numeric_bracket(),
            Some(c) => Err(self.error(format!("unexpected character '{c}' after '['"))),
            None => Err(self.error("unterminated '['")),
        }
    }

    /// `[n]`, `[a,b]`, `[a:b:c]`; the cursor is after `[` and blanks.
    fn numeric_bracket(&mut self) -> Result<Segment, PathSyntaxError> {
        let first = self.int()?;
        self.skip_ws();
        if self.eat(':') {
            self.skip_ws();
            let end = self.int()?;
            self.skip_ws();
            let step = if self.eat(':') {
                self.skip_ws();
                let s = self.int()?;
                self.skip_ws();
                s
            } else {
                None
            };
            self.expect(']')?;
            let step = step.unwrap_or(1);
            if step == 0 {
                return Err(self.error("a slice step must not be 0"));
            }
            return Ok(Segment::Slice {
                start: first,
                end,
                step,
            });
        }
        let Some(first) = first else {
            return Err(self.error("expected an index"));
        };
        let mut indices = vec![first];
        while self.eat(',') {
            self.skip_ws();
            match self.int()? {
                Some(n) => indices.push(n),
                None => return Err(self.error("expected an index after ','")),
            }
            self.skip_ws();
        }
        self.expect(']')?;
        Ok(if indices.len() == 1 {
            Segment::Index(first)
        } else {
            Segment::Indices(indices)
        })
    }

    /// An optional integer: `-?[0-9]+`.
    fn int(&mut self) -> Result<Option<i64>, PathSyntaxError> {
        let start = self.pos;
        let negative = self.eat('-');
        let digits = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
        if self.pos == digits {
            if negative {
                return Err(self.error("expected digits after '-'"));
            }
            return Ok(None);
        }
        match self.text[start..self.pos].parse::<i64>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => Err(self.error("index out of range")),
        }
    }

    /// A quoted name, verbatim; the cursor is at the opening quote.
    pub(super) fn quoted_raw(&mut self) -> Result<&'a str, PathSyntaxError> {
        let Some(quote) = self.bump() else {
            return Err(self.error("expected a quote"));
        };
        let start = self.pos;
        loop {
            match self.bump() {
                None => return Err(self.error("unterminated quoted name")),
                Some('\\') => {
                    if self.bump().is_none() {
                        return Err(self.error("unterminated quoted name"));
                    }
                }
                Some(c) if c == quote => return Ok(&self.text[start..self.pos - 1]),
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Path;
    use super::*;

    fn segs(text: &str) -> Vec<Segment> {
        parse(text).unwrap().1.segments
    }

    fn err(text: &str) -> String {
        Path::parse(text).unwrap_err().message
    }

    #[test]
    fn roots() {
        assert_eq!(parse("$").unwrap().0, PathRoot::Input);
        assert_eq!(parse("$$").unwrap().0, PathRoot::Context);
        assert_eq!(parse("$$.Execution.Id").unwrap().0, PathRoot::Context);
        assert_eq!(
            parse("$my_var1.x").unwrap().0,
            PathRoot::Variable(Arc::from("my_var1"))
        );
        assert_eq!(parse("$_x").unwrap().0, PathRoot::Variable(Arc::from("_x")));
        assert!(segs("$").is_empty());
        assert!(Path::parse("a.b").is_err());
        assert!(Path::parse("").is_err());
        assert!(Path::parse(" $").is_err());
        assert!(Path::parse("$1").is_err());
    }

    /// The names of `segments` (`?` for any other segment).
    fn names_of(segments: &[Segment]) -> Vec<String> {
        segments
            .iter()
            .map(|s| match s {
                Segment::Name(n) => n.to_string(),
                _ => String::from("?"),
            })
            .collect()
    }

    #[test]
    fn dot_names_take_odd_characters() {
        let s = segs("$.detail-type.input-value.a:b.c]d");
        let names = names_of(&s);
        assert_eq!(names, ["detail-type", "input-value", "a:b", "c]d"]);
        assert!(matches!(&segs("$.['a']")[..], [Segment::Name(n)] if &**n == "a"));
    }

    #[test]
    fn quoted_names_are_verbatim() {
        // Recorded on AWS: `$['Test\""Name"']` reads the key `Test\""Name"`.
        let s = segs(r#"$['Test\""Name"']"#);
        assert!(matches!(&s[..], [Segment::Name(n)] if &**n == r#"Test\""Name""#));
        let s = segs(r#"$["it's"]['a.b']['x y']['']"#);
        let names = names_of(&s);
        assert_eq!(names, ["it's", "a.b", "x y", ""]);
        assert!(matches!(&segs(r"$['a\'b']")[..], [Segment::Name(n)] if &**n == r"a\'b"));
        assert!(matches!(&segs("$[ 'a' , \"b\" ]")[..], [Segment::Names(n)] if n.len() == 2));
    }

    #[test]
    fn brackets() {
        assert!(matches!(&segs("$[0]")[..], [Segment::Index(0)]));
        assert!(matches!(&segs("$[-1]")[..], [Segment::Index(-1)]));
        assert!(matches!(&segs("$[ 2 ]")[..], [Segment::Index(2)]));
        assert!(matches!(&segs("$[0,2]")[..], [Segment::Indices(v)] if v == &[0, 2]));
        assert!(matches!(&segs("$[*]")[..], [Segment::Wildcard]));
        assert!(matches!(&segs("$.*")[..], [Segment::Wildcard]));
        assert!(matches!(
            &segs("$[1:]")[..],
            [Segment::Slice {
                start: Some(1),
                end: None,
                step: 1
            }]
        ));
        assert!(matches!(
            &segs("$[:2]")[..],
            [Segment::Slice {
                start: None,
                end: Some(2),
                step: 1
            }]
        ));
        assert!(matches!(
            &segs("$[1:5:2]")[..],
            [Segment::Slice {
                start: Some(1),
                end: Some(5),
                step: 2
            }]
        ));
        assert!(matches!(&segs("$..a")[..], [Segment::Descendant(_)]));
        assert!(matches!(&segs("$..*")[..], [Segment::Descendant(_)]));
        assert!(matches!(&segs("$..[0]")[..], [Segment::Descendant(_)]));
        assert!(matches!(&segs("$[?(@.x == 0)]")[..], [Segment::Filter(_)]));
    }

    #[test]
    fn functions() {
        let (_, c) = parse("$.a.length()").unwrap();
        assert_eq!(c.function, Some(Function::Length));
        assert!(c.definite);
        assert!(err("$.a.length().b").contains("last part"));
        assert!(err("$.a.max()").contains("not supported"));
        assert!(err("$.a.length(1)").contains("no arguments"));
    }

    #[test]
    fn syntax_errors_say_what_and_where() {
        assert_eq!(
            err("$.a b"),
            "Invalid JSONPath '$.a b': a property name with blanks needs bracket notation, \
             e.g. ['my prop'] at position 3"
        );
        assert!(err("$.").contains("must not end with '.'"));
        assert!(err("$..").contains("must not end with '..'"));
        assert!(err("$.a[").contains("unterminated"));
        assert!(err("$['a").contains("unterminated quoted name"));
        assert!(err("$[0:1:0]").contains("step"));
        assert!(err("$[abc]").contains("unexpected character 'a'"));
        assert!(err("$[99999999999999999999]").contains("out of range"));
        assert!(err("$x-y").contains("unexpected character '-'"));
        assert!(err("$[?(@.a =~ /x/)]").contains("not supported"));
    }

    #[test]
    fn definiteness() {
        for p in [
            "$",
            "$.a",
            "$.a[0].b",
            "$[-1]",
            "$['a','b']",
            "$.a.length()",
        ] {
            assert!(Path::parse(p).unwrap().is_definite(), "{p}");
        }
        for p in [
            "$[*]",
            "$.a[1:]",
            "$[0,1]",
            "$..a",
            "$[?(@.a)]",
            "$['a','b'].c",
            "$.*",
        ] {
            assert!(!Path::parse(p).unwrap().is_definite(), "{p}");
        }
    }

    #[test]
    fn reference_paths() {
        for p in [
            "$",
            "$.a",
            "$.a['b c'][0]",
            "$$.Execution.Input",
            "$var.x[2]",
        ] {
            assert!(Path::parse_reference(p).is_ok(), "{p}");
        }
        let cases = [
            ("$.a[*]", "wildcards ('*')"),
            ("$.*", "wildcards ('*')"),
            ("$.a[1:2]", "slices ([a:b])"),
            ("$.a[0,1]", "unions ([a,b])"),
            ("$['a','b']", "unions ([a,b])"),
            ("$..a", "descendant scans ('..')"),
            ("$[?(@.a)]", "filters ([?(...)])"),
            ("$.a[-1]", "negative indices"),
            ("$.a.length()", "functions such as length()"),
        ];
        for (p, what) in cases {
            let e = Path::parse_reference(p).unwrap_err().message;
            assert_eq!(
                e,
                format!(
                    "Invalid reference path '{p}': {what} are not allowed; a reference path may \
                     only use '.name', ['name'] and [index] to name a single node"
                )
            );
            assert!(!Path::parse(p).unwrap().is_reference());
        }
    }

    #[test]
    fn no_input_panics() {
        // A small deterministic generator: strings over the path alphabet.
        let alphabet: Vec<char> = "$@.[]()'\"\\*?:,-0123456789 abc=!<>&|~/_éx\u{1F600}"
            .chars()
            .collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let data = crate::val!({"a": [1, {"b": "x"}], "c": {"d": null}});
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let mut s = String::from(if next() % 8 == 0 { "" } else { "$" });
            for _ in 0..len {
                s.push(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            if let Ok(p) = Path::parse(&s) {
                let _ = p.select(&data);
                let _ = p.canonical();
                let _ = p.write(data.clone(), crate::val!(1));
                let _ = Path::parse(&p.canonical());
            }
            let _ = Path::parse_reference(&s);
        }
    }
}
