//! Choice states: rules compiled into typed conditions.

use super::io::Assign;
use super::jsonata::JsonataValue;
use super::machine::StateId;
use crate::data::path::Path;
use crate::data::timestamp::Timestamp;
use crate::value::Number;
use std::sync::Arc;

/// A `Choice` state's own fields.
#[derive(Debug)]
pub struct Choice {
    /// `Choices`, in order; the first match wins.
    pub rules: Vec<ChoiceRule>,
    /// `Default`, resolved.
    pub default: Option<StateId>,
}

/// A top-level Choice rule.
#[derive(Debug)]
pub struct ChoiceRule {
    /// The test.
    pub condition: Condition,
    /// `Next`, resolved.
    pub next: StateId,
    /// The rule's `Assign` (replaces the state-level one when this rule matches).
    pub assign: Option<Assign>,
    /// The rule's JSONata `Output`.
    pub output: Option<JsonataValue>,
}

/// A boolean test over the state's effective input.
#[derive(Debug)]
pub enum Condition {
    /// `And`: all children.
    And(Vec<Condition>),
    /// `Or`: any child.
    Or(Vec<Condition>),
    /// `Not`.
    Not(Box<Condition>),
    /// `Variable` + one comparison operator.
    Compare(Comparison),
    /// JSONata `Condition`: a literal boolean or an expression.
    Jsonata(JsonataValue),
}

/// `Variable` and its operator.
#[derive(Debug)]
pub struct Comparison {
    /// `Variable` (a path rooted at `$`, `$$` or `$var`).
    pub variable: Path,
    /// The operator and operand.
    pub test: Test,
}

/// An ordering operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ordering {
    /// `*Equals`
    Equals,
    /// `*LessThan`
    LessThan,
    /// `*GreaterThan`
    GreaterThan,
    /// `*LessThanEquals`
    LessThanEquals,
    /// `*GreaterThanEquals`
    GreaterThanEquals,
}

/// An operand: a literal checked at parse time, or a `…Path` resolved at run time.
#[derive(Clone, Debug)]
pub enum Operand<T> {
    /// The literal value.
    Literal(T),
    /// A reference path (the `…Path` operator variants).
    Path(Path),
}

/// The comparison operators.
#[derive(Debug)]
pub enum Test {
    /// `String*` / `String*Path`.
    String(Ordering, Operand<Arc<str>>),
    /// `Numeric*` / `Numeric*Path`.
    Numeric(Ordering, Operand<Number>),
    /// `BooleanEquals` / `BooleanEqualsPath`.
    Boolean(Operand<bool>),
    /// `Timestamp*` / `Timestamp*Path`.
    Timestamp(Ordering, Operand<Timestamp>),
    /// `StringMatches` with its compiled pattern.
    StringMatches(StringPattern),
    /// `IsNull`.
    IsNull(bool),
    /// `IsPresent`.
    IsPresent(bool),
    /// `IsNumeric`.
    IsNumeric(bool),
    /// `IsString`.
    IsString(bool),
    /// `IsBoolean`.
    IsBoolean(bool),
    /// `IsTimestamp`.
    IsTimestamp(bool),
}

/// A `StringMatches` pattern: `*` matches any run of characters; `\*` and `\\` are literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringPattern {
    /// Literal pieces between the stars; `parts.len() == stars + 1`.
    parts: Vec<String>,
}

impl StringPattern {
    /// Compiles a pattern. Never fails: a dangling `\` is taken literally.
    pub fn new(pattern: &str) -> StringPattern {
        let mut parts = vec![String::new()];
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(e) => parts.last_mut().map_or((), |p| p.push(e)),
                    None => parts.last_mut().map_or((), |p| p.push('\\')),
                },
                '*' => parts.push(String::new()),
                _ => parts.last_mut().map_or((), |p| p.push(c)),
            }
        }
        StringPattern { parts }
    }

    /// `true` when the whole of `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        let (first, rest) = match self.parts.split_first() {
            Some(x) => x,
            None => return s.is_empty(),
        };
        if rest.is_empty() {
            return s == first;
        }
        let Some(mut tail) = s.strip_prefix(first.as_str()) else {
            return false;
        };
        let (last, middle) = match rest.split_last() {
            Some(x) => x,
            None => return true,
        };
        for part in middle {
            match tail.find(part.as_str()) {
                Some(i) => tail = &tail[i + part.len()..],
                None => return false,
            }
        }
        tail.len() >= last.len() && tail.ends_with(last.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::StringPattern;

    #[test]
    fn star_matches_any_run_and_escapes_are_literal() {
        let p = StringPattern::new("log-*.txt");
        assert!(p.matches("log-.txt"));
        assert!(p.matches("log-2024.txt"));
        assert!(!p.matches("log-2024.txt2"));
        assert!(StringPattern::new("*").matches(""));
        assert!(StringPattern::new("a*b*c").matches("abc"));
        assert!(!StringPattern::new("a*b*c").matches("acb"));
        assert!(StringPattern::new(r"a\*b").matches("a*b"));
        assert!(!StringPattern::new(r"a\*b").matches("axb"));
        assert!(StringPattern::new(r"a\\b").matches(r"a\b"));
        assert!(!StringPattern::new("ab*ba").matches("aba"));
    }
}
