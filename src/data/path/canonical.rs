//! The canonical form of paths: every segment in brackets, as Jayway's `toString` prints
//! them (`$['a'][0][*]`).
//!
//! Two flavours:
//! * [`jayway`]: exactly what appears in Jayway's error messages (the root is always `$`,
//!   names are printed verbatim between single quotes, a filter is `[?]`);
//! * [`path`]: a form that parses back to an equivalent path (the root as written, names
//!   quoted with whichever quote keeps them intact, filters printed in full).

use super::{Compiled, Function, Segment};
use crate::data::PathRoot;
use crate::value::Val;
use std::fmt::Write;

/// The Jayway canonical form of `segments` (and a trailing function), rooted at `$`.
pub(super) fn jayway(segments: &[Segment], function: Option<Function>) -> String {
    let mut out = String::from("$");
    jayway_segments_into(segments, function, &mut out);
    out
}

/// Appends the Jayway form of `segments` and the function.
pub(super) fn jayway_segments_into(
    segments: &[Segment],
    function: Option<Function>,
    out: &mut String,
) {
    for seg in segments {
        jayway_fragment(seg, out);
    }
    function_into(function, out);
}

/// Appends one segment as Jayway prints it.
pub(super) fn jayway_fragment(seg: &Segment, out: &mut String) {
    match seg {
        Segment::Name(n) => {
            out.push_str("['");
            out.push_str(n);
            out.push_str("']");
        }
        Segment::Names(ns) => {
            out.push('[');
            for (i, n) in ns.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push('\'');
                out.push_str(n);
                out.push('\'');
            }
            out.push(']');
        }
        Segment::Filter(_) => out.push_str("[?]"),
        Segment::Descendant(inner) => {
            out.push_str("..");
            jayway_fragment(inner, out);
        }
        other => structural_into(other, out),
    }
}

/// Segments without names or filters print the same in both flavours.
fn structural_into(seg: &Segment, out: &mut String) {
    match seg {
        Segment::Index(n) => {
            let _ = write!(out, "[{n}]");
        }
        Segment::Indices(ns) => {
            out.push('[');
            for (i, n) in ns.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{n}");
            }
            out.push(']');
        }
        Segment::Wildcard => out.push_str("[*]"),
        Segment::Slice { start, end, step } => {
            out.push('[');
            if let Some(s) = start {
                let _ = write!(out, "{s}");
            }
            out.push(':');
            if let Some(e) = end {
                let _ = write!(out, "{e}");
            }
            if *step != 1 {
                let _ = write!(out, ":{step}");
            }
            out.push(']');
        }
        // Names and filters are handled by the callers.
        Segment::Name(_) | Segment::Names(_) | Segment::Filter(_) | Segment::Descendant(_) => {}
    }
}

fn function_into(function: Option<Function>, out: &mut String) {
    match function {
        Some(Function::Length) => out.push_str(".length()"),
        None => {}
    }
}

/// The re-parseable canonical form of a whole path.
pub(super) fn path(root: &PathRoot, compiled: &Compiled) -> String {
    let mut out = match root {
        PathRoot::Input => String::from("$"),
        PathRoot::Context => String::from("$$"),
        PathRoot::Variable(name) => format!("${name}"),
    };
    segments_into(&compiled.segments, compiled.function, &mut out);
    out
}

/// Appends the re-parseable form of `segments` and the function.
pub(super) fn segments_into(segments: &[Segment], function: Option<Function>, out: &mut String) {
    for seg in segments {
        fragment_into(seg, out);
    }
    function_into(function, out);
}

fn fragment_into(seg: &Segment, out: &mut String) {
    match seg {
        Segment::Name(n) => {
            out.push('[');
            quote_name(n, out);
            out.push(']');
        }
        Segment::Names(ns) => {
            out.push('[');
            for (i, n) in ns.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quote_name(n, out);
            }
            out.push(']');
        }
        Segment::Filter(expr) => {
            let _ = write!(out, "[?({expr})]");
        }
        Segment::Descendant(inner) => {
            out.push_str("..");
            fragment_into(inner, out);
        }
        other => structural_into(other, out),
    }
}

/// Quotes a name so that the parser reads it back verbatim: single quotes when possible,
/// double quotes otherwise. A name that neither can carry (it holds both an unprotected
/// `'` and an unprotected `"`, or ends in an odd backslash) is printed in single quotes
/// as Jayway would, and does not read back the same.
pub(super) fn quote_name(name: &str, out: &mut String) {
    let quote = if survives(name, '\'') || !survives(name, '"') {
        '\''
    } else {
        '"'
    };
    out.push(quote);
    out.push_str(name);
    out.push(quote);
}

/// Does `name` between `quote`s read back as itself? (A backslash protects the next
/// character; the name is otherwise taken verbatim.)
pub(crate) fn survives(name: &str, quote: char) -> bool {
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if chars.next().is_none() {
                return false;
            }
        } else if c == quote {
            return false;
        }
    }
    true
}

/// The Java class Jayway's default JSON provider (json-smart) uses for a value, as
/// printed in "This is not a json object" errors.
pub(super) fn java_class(v: &Val) -> &'static str {
    match v {
        Val::Null => "null",
        Val::Bool(_) => "java.lang.Boolean",
        Val::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i32::try_from(i).is_ok() {
                    "java.lang.Integer"
                } else {
                    "java.lang.Long"
                }
            } else if n.is_u64() {
                "java.math.BigInteger"
            } else {
                "java.lang.Double"
            }
        }
        Val::String(_) => "java.lang.String",
        Val::Array(_) => "net.minidev.json.JSONArray",
        Val::Object(_) => "net.minidev.json.JSONObject",
    }
}

#[cfg(test)]
mod tests {
    use super::super::Path;
    use super::*;
    use crate::val;

    fn canon(p: &str) -> String {
        Path::parse(p).unwrap().canonical()
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canon("$"), "$");
        assert_eq!(canon("$.a.b[0]"), "$['a']['b'][0]");
        assert_eq!(canon("$$.Execution.Input"), "$$['Execution']['Input']");
        assert_eq!(canon("$v.x[-1]"), "$v['x'][-1]");
        assert_eq!(canon("$[\"it's\"]"), "$[\"it's\"]");
        assert_eq!(
            canon("$.a[*].b[1:].c[:2][0:4:2][0,1]"),
            "$['a'][*]['b'][1:]['c'][:2][0:4:2][0,1]"
        );
        assert_eq!(canon("$..a..*..[0]"), "$..['a']..[*]..[0]");
        assert_eq!(canon("$['a','b']"), "$['a','b']");
        assert_eq!(canon("$.a.length()"), "$['a'].length()");
        assert_eq!(
            canon("$[?(@.a == 'x\\'y' && !(@.b[0] > 1) || $.c)]"),
            "$[?(((@['a'] == \"x'y\" && !(@['b'][0] > 1)) || $['c']))]"
        );
    }

    #[test]
    fn canonical_filters_read_back() {
        let doc = val!([{"a": "x'y", "b": [0]}, {"a": "q", "b": [5]}, {"a": "z\n", "b": []}]);
        for p in [
            "$[?(@.a == 'x\\'y' && !(@.b[0] > 1))]",
            "$[?(@.a == \"z\\n\")]",
            "$[?(@.b.length() == 1 || false)]",
        ] {
            let path = Path::parse(p).unwrap();
            let again = Path::parse(&path.canonical()).unwrap();
            assert_eq!(path.select(&doc), again.select(&doc), "{p}");
            assert_ne!(path.select(&doc).unwrap(), val!([]), "{p}");
        }
    }

    #[test]
    fn quoting() {
        assert!(survives("a\\'b", '\''));
        assert!(!survives("a'b", '\''));
        assert!(!survives("a\\", '\''));
        assert!(survives("a\\\\", '\''));
        let mut s = String::new();
        quote_name("a'b", &mut s);
        assert_eq!(s, "\"a'b\"");
    }

    #[test]
    fn java_classes() {
        assert_eq!(java_class(&val!(1)), "java.lang.Integer");
        assert_eq!(java_class(&val!(5_000_000_000_i64)), "java.lang.Long");
        assert_eq!(java_class(&val!(u64::MAX)), "java.math.BigInteger");
        assert_eq!(java_class(&val!(1.5)), "java.lang.Double");
        assert_eq!(java_class(&val!(true)), "java.lang.Boolean");
        assert_eq!(java_class(&val!(null)), "null");
    }
}
