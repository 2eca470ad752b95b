//! Filter expressions: `[?(@.x == 0 && (@.y > 1 || !@.z))]`.
//!
//! Operands are `@` paths (relative to the candidate node), `$` paths (relative to the
//! document root), and literals: numbers, `'strings'`, `"strings"` (backslash escapes are
//! decoded, as Jayway decodes filter strings), `true`, `false`, `null`. Operators are
//! `==, !=, <, <=, >, >=`, `&&`, `||`, `!` and parentheses; a path alone tests existence.
//!
//! Comparison rules: numbers compare by value (`1 == 1.0`), strings lexicographically,
//! values of different JSON types are never equal or ordered, and a missing operand makes
//! every comparison false except `!=` (which is `!(a == b)`, as in Jayway). Regular
//! expressions (`=~`) and Jayway's word operators (`in`, `nin`, `size`, …) are reported as
//! syntax errors.

use super::parse::{Ctx, Parser};
use super::{canonical, select, Function, PathSyntaxError, Segment};
use crate::value::{Number, Val};
use std::cmp::Ordering;
use std::fmt;

/// A filter expression.
#[derive(Clone, Debug)]
pub(crate) enum Expr {
    /// `a || b`
    Or(Box<Expr>, Box<Expr>),
    /// `a && b`
    And(Box<Expr>, Box<Expr>),
    /// `!a`
    Not(Box<Expr>),
    /// `@.x`: the path exists.
    Exists(Operand),
    /// `a <op> b`
    Compare(Operand, CmpOp, Operand),
    /// `true` / `false`
    Bool(bool),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// One side of a comparison.
#[derive(Clone, Debug)]
pub(crate) enum Operand {
    /// `@…`: relative to the node being tested.
    Current(RelPath),
    /// `$…`: relative to the document root.
    Root(RelPath),
    /// A JSON literal.
    Literal(Val),
}

/// The segments of an operand path.
#[derive(Clone, Debug)]
pub(crate) struct RelPath {
    pub(crate) segments: Vec<Segment>,
    pub(crate) function: Option<Function>,
    pub(crate) definite: bool,
}

/// Parses an expression; the cursor is after `(` and stops before the closing `)`.
pub(super) fn parse(p: &mut Parser<'_>) -> Result<Expr, PathSyntaxError> {
    or(p)
}

fn or(p: &mut Parser<'_>) -> Result<Expr, PathSyntaxError> {
    let mut left = and(p)?;
    loop {
        p.skip_ws();
        if !p.eat_str("||") {
            return Ok(left);
        }
        let right = and(p)?;
        left = Expr::Or(Box::new(left), Box::new(right));
    }
}

fn and(p: &mut Parser<'_>) -> Result<Expr, PathSyntaxError> {
    let mut left = unary(p)?;
    loop {
        p.skip_ws();
        if !p.eat_str("&&") {
            return Ok(left);
        }
        let right = unary(p)?;
        left = Expr::And(Box::new(left), Box::new(right));
    }
}

fn unary(p: &mut Parser<'_>) -> Result<Expr, PathSyntaxError> {
    p.skip_ws();
    if p.peek() == Some('!') && p.peek2() != Some('=') {
        p.bump();
        return Ok(Expr::Not(Box::new(unary(p)?)));
    }
    primary(p)
}

fn primary(p: &mut Parser<'_>) -> Result<Expr, PathSyntaxError> {
    p.skip_ws();
    if p.eat('(') {
        let e = or(p)?;
        p.skip_ws();
        p.expect(')')?;
        return Ok(e);
    }
    let left = operand(p)?;
    p.skip_ws();
    match cmp_op(p)? {
        Some(op) => {
            p.skip_ws();
            let right = operand(p)?;
            Ok(Expr::Compare(left, op, right))
        }
        None => match left {
            Operand::Literal(Val::Bool(b)) => Ok(Expr::Bool(b)),
            Operand::Literal(_) => Err(p.error("expected a comparison operator after a literal")),
            path => Ok(Expr::Exists(path)),
        },
    }
}

fn cmp_op(p: &mut Parser<'_>) -> Result<Option<CmpOp>, PathSyntaxError> {
    const OPS: [(&str, CmpOp); 6] = [
        ("==", CmpOp::Eq),
        ("!=", CmpOp::Ne),
        ("<=", CmpOp::Le),
        (">=", CmpOp::Ge),
        ("<", CmpOp::Lt),
        (">", CmpOp::Gt),
    ];
    if p.rest().starts_with("=~") {
        return Err(p.error("regular expressions (=~) are not supported in filters"));
    }
    for (text, op) in OPS {
        if p.eat_str(text) {
            return Ok(Some(op));
        }
    }
    match p.peek() {
        Some('=') => Err(p.error("use '==' to compare")),
        Some(c) if c.is_alphabetic() => {
            let word: String = p.rest().chars().take_while(|c| c.is_alphabetic()).collect();
            Err(p.error(format!("the filter operator '{word}' is not supported")))
        }
        _ => Ok(None),
    }
}

fn operand(p: &mut Parser<'_>) -> Result<Operand, PathSyntaxError> {
    p.skip_ws();
    match p.peek() {
        Some('@') => {
            p.bump();
            Ok(Operand::Current(rel_path(p)?))
        }
        Some('$') => {
            p.bump();
            if p.peek()
                .is_some_and(|c| c == '$' || c.is_ascii_alphabetic() || c == '_')
            {
                return Err(p.error("only '@' and '$' paths can be used inside a filter"));
            }
            Ok(Operand::Root(rel_path(p)?))
        }
        Some('\'' | '"') => {
            let raw = p.quoted_raw()?;
            Ok(Operand::Literal(Val::string(unescape(raw))))
        }
        Some(c) if c == '-' || c.is_ascii_digit() => {
            let rest = p.rest();
            let len = rest
                .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
                .unwrap_or(rest.len());
            match serde_json::from_str::<Number>(&rest[..len]) {
                Ok(n) => {
                    for _ in rest[..len].chars() {
                        p.bump();
                    }
                    Ok(Operand::Literal(Val::Number(n)))
                }
                Err(_) => Err(p.error(format!("invalid number '{}'", &rest[..len]))),
            }
        }
        Some(c) if c.is_alphabetic() => {
            let word: String = p
                .rest()
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            let val = match word.as_str() {
                "true" => Val::Bool(true),
                "false" => Val::Bool(false),
                "null" => Val::Null,
                _ => return Err(p.error(format!("unexpected word '{word}' in a filter"))),
            };
            p.eat_str(&word);
            Ok(Operand::Literal(val))
        }
        Some('/') => Err(p.error("regular expressions are not supported in filters")),
        Some(c) => Err(p.error(format!("unexpected character '{c}' in a filter"))),
        None => Err(p.error("the filter ended early")),
    }
}

fn rel_path(p: &mut Parser<'_>) -> Result<RelPath, PathSyntaxError> {
    let (segments, function) = p.segments(Ctx::Filter)?;
    let definite = segments
        .iter()
        .all(|s| matches!(s, Segment::Name(_) | Segment::Index(_)));
    Ok(RelPath {
        segments,
        function,
        definite,
    })
}

/// Decodes Java-style escapes (`\\ \' \" \n \t \r \b \f \/ \uXXXX`); any other escaped
/// character stands for itself.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 4 => {
                        out.push(ch);
                        for _ in 0..4 {
                            chars.next();
                        }
                    }
                    _ => out.push('u'),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Does `item` pass the filter? `root` is the document (`$` inside the filter).
pub(super) fn test(expr: &Expr, item: &Val, root: &Val) -> bool {
    match expr {
        Expr::Or(a, b) => test(a, item, root) || test(b, item, root),
        Expr::And(a, b) => test(a, item, root) && test(b, item, root),
        Expr::Not(a) => !test(a, item, root),
        Expr::Bool(b) => *b,
        Expr::Exists(o) => match (o, value(o, item, root)) {
            (_, None) => false,
            (Operand::Current(rp) | Operand::Root(rp), Some(v)) if !rp.definite => {
                v.as_array().is_some_and(|a| !a.is_empty())
            }
            (_, Some(_)) => true,
        },
        Expr::Compare(a, op, b) => compare(value(a, item, root), *op, value(b, item, root)),
    }
}

fn value(o: &Operand, item: &Val, root: &Val) -> Option<Val> {
    match o {
        Operand::Current(rp) => select::resolve(&rp.segments, rp.function, rp.definite, item, root),
        Operand::Root(rp) => select::resolve(&rp.segments, rp.function, rp.definite, root, root),
        Operand::Literal(v) => Some(v.clone()),
    }
}

fn compare(a: Option<Val>, op: CmpOp, b: Option<Val>) -> bool {
    match op {
        CmpOp::Eq => equal(a.as_ref(), b.as_ref()),
        CmpOp::Ne => !equal(a.as_ref(), b.as_ref()),
        _ => {
            let (Some(a), Some(b)) = (a, b) else {
                return false;
            };
            match order(&a, &b) {
                Some(o) => match op {
                    CmpOp::Lt => o == Ordering::Less,
                    CmpOp::Le => o != Ordering::Greater,
                    CmpOp::Gt => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                },
                None => false,
            }
        }
    }
}

fn equal(a: Option<&Val>, b: Option<&Val>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.json_type() == b.json_type() && a == b,
        _ => false,
    }
}

fn order(a: &Val, b: &Val) -> Option<Ordering> {
    match (a, b) {
        (Val::Number(x), Val::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                return Some(x.cmp(&y));
            }
            if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                return Some(x.cmp(&y));
            }
            x.as_f64()?.partial_cmp(&y.as_f64()?)
        }
        (Val::String(x), Val::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

impl fmt::Display for Expr {
    /// A form that parses back to the same expression (fully parenthesised).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Or(a, b) => write!(f, "({a} || {b})"),
            Expr::And(a, b) => write!(f, "({a} && {b})"),
            Expr::Not(a) => write!(f, "!({a})"),
            Expr::Exists(o) => write!(f, "{o}"),
            Expr::Compare(a, op, b) => {
                let op = match op {
                    CmpOp::Eq => "==",
                    CmpOp::Ne => "!=",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                };
                write!(f, "{a} {op} {b}")
            }
            Expr::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (root, rp) = match self {
            Operand::Current(rp) => ("@", rp),
            Operand::Root(rp) => ("$", rp),
            // Strings print as JSON strings, which the filter parser decodes back.
            Operand::Literal(v) => return write!(f, "{v}"),
        };
        let mut s = String::from(root);
        canonical::segments_into(&rp.segments, rp.function, &mut s);
        f.write_str(&s)
    }
}

#[cfg(test)]
mod tests {
    use crate::data::path::Path;
    use crate::val;

    fn sel(path: &str, doc: &crate::value::Val) -> crate::value::Val {
        Path::parse(path).unwrap().select(doc).unwrap()
    }

    #[test]
    fn recorded_filter_case() {
        // base/state_pass_regex_json_path_base: `$.users[?(@.status == 0)]`.
        let doc = val!({"users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}]});
        assert_eq!(
            sel("$.users[?(@.status == 0)]", &doc),
            val!([{"year": 1997, "status": 0}])
        );
    }

    #[test]
    fn operators() {
        let doc = val!({"xs": [
            {"n": 1, "s": "a", "b": true},
            {"n": 2.5, "s": "b", "b": false},
            {"n": 3, "s": "c", "z": null},
            {"n": "3", "s": 3}
        ]});
        let n = |p: &str| sel(p, &doc).as_array().unwrap().len();
        assert_eq!(n("$.xs[?(@.n == 1)]"), 1);
        assert_eq!(n("$.xs[?(@.n == 1.0)]"), 1);
        assert_eq!(n("$.xs[?(@.n != 1)]"), 3);
        assert_eq!(n("$.xs[?(@.n < 3)]"), 2);
        assert_eq!(n("$.xs[?(@.n <= 3)]"), 3);
        assert_eq!(n("$.xs[?(@.n > 1)]"), 2);
        assert_eq!(n("$.xs[?(@.n >= 2.5)]"), 2);
        assert_eq!(n("$.xs[?(@.n == '3')]"), 1);
        assert_eq!(n("$.xs[?(@.s > 'a')]"), 2);
        assert_eq!(n("$.xs[?(@.s == \"b\")]"), 1);
        assert_eq!(n("$.xs[?(@.b == true)]"), 1);
        assert_eq!(n("$.xs[?(@.b)]"), 2);
        assert_eq!(n("$.xs[?(!@.b)]"), 2);
        assert_eq!(n("$.xs[?(@.z == null)]"), 1);
        assert_eq!(n("$.xs[?(@.z)]"), 1);
        assert_eq!(n("$.xs[?(@.n > 1 && @.n < 3)]"), 1);
        assert_eq!(n("$.xs[?(@.n == 1 || @.s == 'c')]"), 2);
        assert_eq!(n("$.xs[?((@.n == 1 || @.n == 3) && !(@.s == 'a'))]"), 1);
        assert_eq!(n("$.xs[?(@['s'] == 'a')]"), 1);
        assert_eq!(n("$.xs[?(@.n > $.xs[0].n)]"), 2);
        assert_eq!(n("$.xs[?(@.s.length() == 1)]"), 3);
        assert_eq!(n("$.xs[?(true)]"), 4);
        assert_eq!(n("$.xs[?(false)]"), 0);
        // Mismatched types are never ordered.
        assert_eq!(n("$.xs[?(@.b < 5)]"), 0);
        assert_eq!(n("$.xs[?(@.n < 'z')]"), 1);
    }

    #[test]
    fn filter_on_object_tests_the_object() {
        let doc = val!({"a": {"x": 1}});
        assert_eq!(sel("$.a[?(@.x == 1)]", &doc), val!([{"x": 1}]));
        assert_eq!(sel("$.a[?(@.x == 2)]", &doc), val!([]));
        assert_eq!(sel("$.a.x[?(@ == 1)]", &doc), val!([]));
    }

    #[test]
    fn literal_escapes_are_decoded() {
        let doc = val!([{"s": "it's"}, {"s": "a\nb"}, {"s": "é"}]);
        assert_eq!(sel(r"$[?(@.s == 'it\'s')]", &doc), val!([{"s": "it's"}]));
        assert_eq!(sel(r#"$[?(@.s == "a\nb")]"#, &doc), val!([{"s": "a\nb"}]));
        assert_eq!(sel(r"$[?(@.s == '\u00e9')]", &doc), val!([{"s": "é"}]));
    }

    #[test]
    fn syntax_errors() {
        for p in [
            "$[?(@.a =~ /x/)]",
            "$[?(@.a in ['x'])]",
            "$[?(@.a = 1)]",
            "$[?(1)]",
            "$[?(@.a == )]",
            "$[?(@.a == 1]",
            "$[?(@.a == 01)]",
            "$[?($x.a == 1)]",
            "$[?(@.a == 1) ]x",
        ] {
            assert!(Path::parse(p).is_err(), "{p}");
        }
    }
}
