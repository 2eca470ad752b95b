//! Evaluation.
//!
//! A definite path is a loop of lookups that returns a clone of the node it names (an
//! `Arc` bump, no allocation), or Jayway's error for the first step that fails:
//!
//! * a missing property in the last position, an index out of range anywhere:
//!   `No results for path: <whole path>`;
//! * a missing property before the last position: `Missing property in path <prefix>`;
//! * a name applied to a non-object: `Expected to find an object with property …`;
//! * an index applied to `null` / a non-array: `The path … is null` /
//!   `Filter: … can only be applied to arrays. …`.
//!
//! An indefinite path collects every match, in document order, into an array; it never
//! fails (AWS returns `[]` when nothing matches).

use super::{canonical, filter, ContextField, Function, Path, PathError, Segment};
use crate::data::context::ContextObject;
use crate::data::timestamp::format_millis;
use crate::value::{Map, ObjectNode, Val};

/// [`Path::select`].
#[inline]
pub(super) fn select(path: &Path, data: &Val) -> Result<Val, PathError> {
    let c = &*path.compiled;
    // `$.a.b` through objects that have the names (the common case): a loop of
    // lookups; a miss goes on below, for its error.
    if c.names_only {
        if let Some(v) = names(&c.segments, data) {
            return Ok(v.clone());
        }
    }
    select_general(path, data)
}

/// [`select`] past its fast path (kept out of line so the fast path stays small).
#[inline(never)]
fn select_general(path: &Path, data: &Val) -> Result<Val, PathError> {
    let c = &*path.compiled;
    if let Some(i) = c.multi_props_not_leaf {
        return Err(error(
            path,
            format!(
                "Multi properties can only be used as path leafs: {}",
                canonical::jayway(&c.segments[..=i], None)
            ),
        ));
    }
    if c.definite {
        return definite(path, data);
    }
    let mut out = Vec::new();
    collect(&c.segments, data, data, &mut out);
    let all = Val::array(out);
    Ok(match c.function {
        Some(f) => apply(f, &all),
        None => all,
    })
}

fn error(path: &Path, detail: String) -> PathError {
    PathError {
        message: format!("Invalid path '{}' : {detail}", path.text),
    }
}

/// A definite `$$.…` path of names and indices resolved straight from the context
/// object's fields, without building `$$` (`$$.Map.Item.Value` is a clone, not a
/// whole context object). `None` when the path does not resolve this way (a miss,
/// a union, a function, `$$` itself): the caller then selects from the whole object,
/// which also produces Jayway's error.
pub(super) fn from_context(path: &Path, ctx: &ContextObject) -> Option<Val> {
    let c = &*path.compiled;
    let (field, used) = c.context_field?;
    let start = match field {
        ContextField::Execution => ctx.execution.clone(),
        ContextField::StateMachine => ctx.state_machine.clone(),
        ContextField::StateName => Val::String(ctx.state_name.clone()),
        ContextField::StateEnteredTime => Val::string(format_millis(ctx.state_entered_millis)),
        ContextField::StateRetryCount => Val::int(i64::from(ctx.retry_count?)),
        ContextField::TaskToken => Val::String(ctx.task_token.clone()?),
        ContextField::MapItemIndex => Val::int(ctx.map_item.as_ref()?.0 as i64),
        ContextField::MapItemValue => ctx.map_item.as_ref()?.1.clone(),
    };
    let segs = &c.segments;
    let rest = &segs[used..];
    if rest.is_empty() {
        return Some(start);
    }
    let mut cur = &start;
    for seg in rest {
        cur = match (seg, cur) {
            (Segment::Name(n), Val::Object(o)) => lookup(o, n)?,
            (Segment::Index(n), Val::Array(a)) => &a.items()[resolve_index(*n, a.items().len())?],
            _ => return None,
        };
    }
    Some(cur.clone())
}

/// The definite fast path.
fn definite(path: &Path, data: &Val) -> Result<Val, PathError> {
    let c = &*path.compiled;
    let segments = &c.segments;
    let mut cur = data;
    for (i, seg) in segments.iter().enumerate() {
        cur = match seg {
            Segment::Name(name) => match cur {
                Val::Object(o) => match lookup(o, name) {
                    Some(v) => v,
                    None => return Err(missing(path, i)),
                },
                other => return Err(expected_object(path, i, other)),
            },
            Segment::Index(n) => match cur {
                Val::Array(a) => match resolve_index(*n, a.items().len()) {
                    Some(j) => &a.items()[j],
                    None => return Err(no_results(path)),
                },
                other => return Err(not_an_array(path, i, other)),
            },
            Segment::Names(names) => match cur {
                // Only ever the last segment here (otherwise `multi_props_not_leaf`).
                Val::Object(o) => {
                    let merged = merge(o, names);
                    return Ok(match c.function {
                        Some(f) => apply(f, &merged),
                        None => merged,
                    });
                }
                other => return Err(expected_object(path, i, other)),
            },
            // Not reachable for a definite path; evaluate generally rather than panic.
            _ => {
                let mut out = Vec::new();
                collect(&segments[i..], cur, data, &mut out);
                return Ok(Val::array(out));
            }
        };
    }
    Ok(match c.function {
        Some(f) => apply(f, cur),
        None => cur.clone(),
    })
}

/// The node a path of names leads to through objects, if every name is there.
#[inline]
pub(super) fn names<'v>(segments: &[Segment], data: &'v Val) -> Option<&'v Val> {
    let mut cur = data;
    for seg in segments {
        cur = match (seg, cur) {
            (Segment::Name(name), Val::Object(o)) => lookup(o, name)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// An object lookup (a small object's entries are scanned).
#[inline]
fn lookup<'m>(object: &'m ObjectNode, name: &str) -> Option<&'m Val> {
    object.get(name)
}

/// A property that is not there: the leaf gives "No results", an intermediate
/// (including the last name before a function) gives "Missing property".
fn missing(path: &Path, i: usize) -> PathError {
    let c = &*path.compiled;
    if i + 1 == c.segments.len() && c.function.is_none() {
        no_results(path)
    } else {
        error(
            path,
            format!(
                "Missing property in path {}",
                canonical::jayway(&c.segments[..=i], None)
            ),
        )
    }
}

fn no_results(path: &Path) -> PathError {
    let c = &*path.compiled;
    error(
        path,
        format!(
            "No results for path: {}",
            canonical::jayway(&c.segments, c.function)
        ),
    )
}

fn expected_object(path: &Path, i: usize, found: &Val) -> PathError {
    let c = &*path.compiled;
    let mut fragment = String::new();
    canonical::jayway_fragment(&c.segments[i], &mut fragment);
    error(
        path,
        format!(
            "Expected to find an object with property {fragment} in path {} but found '{}'. \
             This is not a json object according to the JsonProvider: \
             'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
            canonical::jayway(&c.segments[..i], None),
            canonical::java_class(found)
        ),
    )
}

fn not_an_array(path: &Path, i: usize, found: &Val) -> PathError {
    let c = &*path.compiled;
    if found.is_null() {
        return error(
            path,
            format!(
                "The path {} is null",
                canonical::jayway(&c.segments[..i], None)
            ),
        );
    }
    let mut rest = String::new();
    canonical::jayway_segments_into(&c.segments[i..], c.function, &mut rest);
    let context = match found {
        Val::String(s) => s.to_string(),
        other => other.to_json_string(),
    };
    error(
        path,
        format!("Filter: {rest} can only be applied to arrays. Current context is: {context}"),
    )
}

/// `n` as a position in an array of `len` (negative counts from the end).
pub(super) fn resolve_index(n: i64, len: usize) -> Option<usize> {
    if n >= 0 {
        usize::try_from(n).ok().filter(|&j| j < len)
    } else {
        let back = usize::try_from(n.unsigned_abs()).ok()?;
        len.checked_sub(back)
    }
}

/// The positions a slice selects (Python semantics; Jayway agrees for positive steps).
fn slice_indices(start: Option<i64>, end: Option<i64>, step: i64, len: usize) -> Vec<usize> {
    let n = i64::try_from(len).unwrap_or(i64::MAX);
    let norm = |x: i64, lo: i64, hi: i64| {
        let x = if x < 0 { x.saturating_add(n) } else { x };
        x.clamp(lo, hi)
    };
    let mut out = Vec::new();
    if step > 0 {
        let s = start.map_or(0, |x| norm(x, 0, n));
        let e = end.map_or(n, |x| norm(x, 0, n));
        let mut i = s;
        while i < e {
            out.push(i as usize);
            i = i.saturating_add(step);
        }
    } else {
        let s = start.map_or(n - 1, |x| norm(x, -1, n - 1));
        let e = end.map_or(-1, |x| norm(x, -1, n - 1));
        let mut i = s;
        while i > e {
            out.push(i as usize);
            i = i.saturating_add(step);
        }
    }
    out
}

/// A union of names in the last position: one object with the properties that exist.
fn merge(map: &ObjectNode, names: &[std::sync::Arc<str>]) -> Val {
    let mut merged = Map::with_capacity(names.len());
    for name in names {
        if let Some(v) = map.get(&**name) {
            merged.insert(name.clone(), v.clone());
        }
    }
    Val::object(merged)
}

/// Applies a path function to a value.
pub(super) fn apply(f: Function, v: &Val) -> Val {
    match f {
        Function::Length => match v {
            Val::Array(a) => Val::int(a.items().len() as i64),
            Val::Object(o) => Val::int(o.len() as i64),
            // Java strings count UTF-16 code units.
            Val::String(s) => Val::int(s.encode_utf16().count() as i64),
            _ => Val::Null,
        },
    }
}

/// Collects every match of `segments` under `node` into `out`.
pub(super) fn collect(segments: &[Segment], node: &Val, root: &Val, out: &mut Vec<Val>) {
    match segments.split_first() {
        None => out.push(node.clone()),
        Some((seg, rest)) => step(seg, rest, node, root, out),
    }
}

fn step(seg: &Segment, rest: &[Segment], node: &Val, root: &Val, out: &mut Vec<Val>) {
    match seg {
        Segment::Name(name) => {
            if let Val::Object(o) = node {
                if let Some(v) = lookup(o, name) {
                    collect(rest, v, root, out);
                }
            }
        }
        Segment::Names(names) => {
            if let Val::Object(o) = node {
                if rest.is_empty() {
                    out.push(merge(o, names));
                } else {
                    for name in names {
                        if let Some(v) = o.get(&**name) {
                            collect(rest, v, root, out);
                        }
                    }
                }
            }
        }
        Segment::Index(n) => {
            if let Some(items) = node.as_array() {
                if let Some(j) = resolve_index(*n, items.len()) {
                    collect(rest, &items[j], root, out);
                }
            }
        }
        Segment::Indices(ns) => {
            if let Some(items) = node.as_array() {
                for n in ns {
                    if let Some(j) = resolve_index(*n, items.len()) {
                        collect(rest, &items[j], root, out);
                    }
                }
            }
        }
        Segment::Wildcard => match node {
            Val::Object(o) => {
                for v in o.values() {
                    collect(rest, v, root, out);
                }
            }
            Val::Array(a) => {
                for v in a.items() {
                    collect(rest, v, root, out);
                }
            }
            _ => {}
        },
        Segment::Slice { start, end, step } => {
            if let Some(items) = node.as_array() {
                for j in slice_indices(*start, *end, *step, items.len()) {
                    collect(rest, &items[j], root, out);
                }
            }
        }
        Segment::Filter(expr) => match node {
            Val::Array(a) => {
                for item in a.items() {
                    if filter::test(expr, item, root) {
                        collect(rest, item, root, out);
                    }
                }
            }
            Val::Object(_) if filter::test(expr, node, root) => collect(rest, node, root, out),
            _ => {}
        },
        Segment::Descendant(inner) => descend(inner, rest, node, root, out),
    }
}

/// `..inner`: `inner` applied to `node` and to every node below it, in document order.
/// A scanning filter tests each object (not arrays' elements twice), as Jayway does.
fn descend(inner: &Segment, rest: &[Segment], node: &Val, root: &Val, out: &mut Vec<Val>) {
    match inner {
        Segment::Filter(expr) => {
            if matches!(node, Val::Object(_)) && filter::test(expr, node, root) {
                collect(rest, node, root, out);
            }
        }
        _ => step(inner, rest, node, root, out),
    }
    match node {
        Val::Object(o) => {
            for v in o.values() {
                descend(inner, rest, v, root, out);
            }
        }
        Val::Array(a) => {
            for v in a.items() {
                descend(inner, rest, v, root, out);
            }
        }
        _ => {}
    }
}

/// A filter operand: the one node a definite path names (`None` when missing), or the
/// array of matches of an indefinite one; then the function, if any.
pub(super) fn resolve(
    segments: &[Segment],
    function: Option<Function>,
    definite: bool,
    base: &Val,
    root: &Val,
) -> Option<Val> {
    let found = if definite {
        let mut cur = base;
        for seg in segments {
            cur = match seg {
                Segment::Name(name) => cur.get(name)?,
                Segment::Index(n) => {
                    let items = cur.as_array()?;
                    &items[resolve_index(*n, items.len())?]
                }
                _ => return None,
            };
        }
        cur.clone()
    } else {
        let mut out = Vec::new();
        collect(segments, base, root, &mut out);
        Val::array(out)
    };
    Some(match function {
        Some(f) => apply(f, &found),
        None => found,
    })
}

#[cfg(test)]
mod tests {
    use super::super::Path;
    use super::*;
    use crate::data::context::ContextObject;
    use crate::data::random::Random;
    use crate::data::{Env, NoVariables};
    use crate::val;
    use std::sync::Arc;

    fn sel(path: &str, doc: &Val) -> Result<Val, String> {
        Path::parse(path)
            .unwrap()
            .select(doc)
            .map_err(|e| e.message)
    }

    fn items() -> Val {
        let items: Vec<Val> = (0..11).map(|i| val!({ "item_key": i })).collect();
        let mut m = Map::new();
        m.insert(Arc::from("items"), Val::array(items));
        Val::object(m)
    }

    #[test]
    fn recorded_array_access() {
        // base/json_path_array_access_.items_0
        assert_eq!(sel("$.items[0]", &items()), Ok(val!({"item_key": 0})));
        assert_eq!(sel("$.items[10]", &items()), Ok(val!({"item_key": 10})));
        assert_eq!(sel("$.items[-1]", &items()), Ok(val!({"item_key": 10})));
    }

    #[test]
    fn recorded_indefinite_paths_on_empty_input_give_empty_arrays() {
        // base/json_path_array_wildcard_or_slice_with_no_input*
        for p in [
            "$[*]",
            "$.item.items[1:]",
            "$.item.items[1:5]",
            "$.item.items[1:5].itemValue",
            "$.items[*]",
            "$.items[*].itemValue",
            "$.items[1:]",
            "$.items[1:].itemValue",
            "$.items[:1].itemValue",
            "$.items[:1]",
        ] {
            assert_eq!(sel(p, &val!({})), Ok(val!([])), "{p}");
        }
    }

    #[test]
    fn recorded_missing_leaf_messages() {
        // base_scenarios__invalid_jsonpath_ST.INVALID_JSONPATH_IN_{INPUT,OUTPUT,TIMEOUTSECONDS}PATH
        for name in [
            "NoSuchInputPath",
            "NoSuchOutputPath",
            "NoSuchTimeoutSecondsPath",
        ] {
            assert_eq!(
                sel(&format!("$.{name}"), &val!({"a": 1})),
                Err(format!(
                    "Invalid path '$.{name}' : No results for path: $['{name}']"
                ))
            );
        }
    }

    #[test]
    fn missing_intermediate_message() {
        // CHECKLIST §5.2 [V]
        assert_eq!(
            sel("$.no.such.result.path", &val!({"a": 1})),
            Err(String::from(
                "Invalid path '$.no.such.result.path' : Missing property in path $['no']"
            ))
        );
        assert_eq!(
            sel("$.a.b.c", &val!({"a": {"x": 1}})),
            Err(String::from(
                "Invalid path '$.a.b.c' : Missing property in path $['a']['b']"
            ))
        );
        assert_eq!(
            sel("$.a['b c'].d", &val!({"a": {}})),
            Err(String::from(
                "Invalid path '$.a['b c'].d' : Missing property in path $['a']['b c']"
            ))
        );
        assert_eq!(
            sel("$.a.length()", &val!({})),
            Err(String::from(
                "Invalid path '$.a.length()' : Missing property in path $['a']"
            ))
        );
    }

    #[test]
    fn missing_leaf_and_index_messages() {
        assert_eq!(
            sel("$.a[0].b", &val!({"a": [{}]})),
            Err(String::from(
                "Invalid path '$.a[0].b' : No results for path: $['a'][0]['b']"
            ))
        );
        // An index out of range, even in the middle, is "No results" for the whole path.
        assert_eq!(
            sel("$.a[5].b", &val!({"a": [1]})),
            Err(String::from(
                "Invalid path '$.a[5].b' : No results for path: $['a'][5]['b']"
            ))
        );
        assert_eq!(
            sel("$.a[-2]", &val!({"a": [1]})),
            Err(String::from(
                "Invalid path '$.a[-2]' : No results for path: $['a'][-2]"
            ))
        );
    }

    #[test]
    fn wrong_type_messages() {
        assert_eq!(
            sel("$.a.b", &val!({"a": "s"})),
            Err(String::from(
                "Invalid path '$.a.b' : Expected to find an object with property ['b'] in path \
                 $['a'] but found 'java.lang.String'. This is not a json object according to the \
                 JsonProvider: 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'."
            ))
        );
        assert_eq!(
            sel("$.a", &val!([1])),
            Err(String::from(
                "Invalid path '$.a' : Expected to find an object with property ['a'] in path \
                 $ but found 'net.minidev.json.JSONArray'. This is not a json object according \
                 to the JsonProvider: 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'."
            ))
        );
        assert_eq!(
            sel("$.a[0]", &val!({"a": null})),
            Err(String::from(
                "Invalid path '$.a[0]' : The path $['a'] is null"
            ))
        );
        assert_eq!(
            sel("$.a[0].b", &val!({"a": {"x": 1}})),
            Err(String::from(
                "Invalid path '$.a[0].b' : Filter: [0]['b'] can only be applied to arrays. \
                 Current context is: {\"x\":1}"
            ))
        );
    }

    #[test]
    fn definite_paths() {
        let doc =
            val!({"a": {"b": {"c": [10, 20, 30]}}, "detail-type": "x", "Test\\\"\"Name\"": 5});
        assert_eq!(sel("$", &doc), Ok(doc.clone()));
        assert_eq!(sel("$.a.b.c[1]", &doc), Ok(val!(20)));
        assert_eq!(sel("$['a']['b'].c[-1]", &doc), Ok(val!(30)));
        assert_eq!(sel("$.detail-type", &doc), Ok(val!("x")));
        // base_scenarios__escape_sequence_parsing_ESCAPE_SEQUENCES_JSONPATH
        assert_eq!(sel(r#"$['Test\""Name"']"#, &doc), Ok(val!(5)));
        // The result is the same allocation as the node in the document.
        let got = Path::parse("$.a.b").unwrap().select(&doc).unwrap();
        assert!(got.ptr_eq(doc.get("a").unwrap().get("b").unwrap()));
    }

    #[test]
    fn multi_property_leaf_merges() {
        let doc = val!({"a": {"v": 1}, "b": {"v": 2}, "c": {"v": 3}});
        assert_eq!(
            sel("$['a', 'b']", &doc),
            Ok(val!({"a": {"v": 1}, "b": {"v": 2}}))
        );
        assert_eq!(sel("$['a','zz']", &doc), Ok(val!({"a": {"v": 1}})));
        // Recorded by a user on AWS (see the module docs).
        assert_eq!(
            sel("$['a', 'b'].v", &doc),
            Err(String::from(
                "Invalid path '$['a', 'b'].v' : Multi properties can only be used as path leafs: \
                 $['a', 'b']"
            ))
        );
        assert_eq!(sel("$[*]['v']", &doc), Ok(val!([1, 2, 3])));
    }

    #[test]
    fn indefinite_paths() {
        let doc = val!({
            "store": {
                "book": [
                    {"title": "A", "price": 8, "tags": ["x"]},
                    {"title": "B", "price": 12},
                    {"title": "C", "price": 5, "isbn": "1"}
                ],
                "bicycle": {"price": 20}
            }
        });
        assert_eq!(
            sel("$.store.book[*].title", &doc),
            Ok(val!(["A", "B", "C"]))
        );
        assert_eq!(sel("$.store.book.*.title", &doc), Ok(val!(["A", "B", "C"])));
        assert_eq!(sel("$.store.book[0,2].title", &doc), Ok(val!(["A", "C"])));
        assert_eq!(sel("$.store.book[1:].title", &doc), Ok(val!(["B", "C"])));
        assert_eq!(sel("$.store.book[:1].title", &doc), Ok(val!(["A"])));
        assert_eq!(sel("$.store.book[-2:].title", &doc), Ok(val!(["B", "C"])));
        assert_eq!(sel("$.store.book[0:3:2].title", &doc), Ok(val!(["A", "C"])));
        assert_eq!(
            sel("$.store.book[::-1].title", &doc),
            Ok(val!(["C", "B", "A"]))
        );
        assert_eq!(sel("$.store.book[5:9]", &doc), Ok(val!([])));
        assert_eq!(sel("$..price", &doc), Ok(val!([8, 12, 5, 20])));
        assert_eq!(sel("$..book[0].title", &doc), Ok(val!(["A"])));
        assert_eq!(
            sel("$..[0]", &doc),
            Ok(val!([{"title": "A", "price": 8, "tags": ["x"]}, "x"]))
        );
        assert_eq!(sel("$..[?(@.isbn)].title", &doc), Ok(val!(["C"])));
        assert_eq!(sel("$..[?(@.price > 10)].price", &doc), Ok(val!([12, 20])));
        assert_eq!(
            sel("$.store.*", &doc).map(|v| v.as_array().map(<[Val]>::len)),
            Ok(Some(2))
        );
        assert_eq!(
            sel("$..*", &val!({"a": {"b": 1}, "c": 2})),
            Ok(val!([{"b": 1}, 2, 1]))
        );
        // Nothing matches: `[]`, never an error, whatever the types.
        assert_eq!(sel("$.store.book[*].nope", &doc), Ok(val!([])));
        assert_eq!(sel("$.store.bicycle.price[*]", &doc), Ok(val!([])));
        assert_eq!(sel("$.nope[?(@.a)]", &doc), Ok(val!([])));
        assert_eq!(sel("$[*]", &val!("s")), Ok(val!([])));
    }

    #[test]
    fn length_function() {
        let doc = val!({"a": [1, 2, 3], "o": {"x": 1, "y": 2}, "s": "héllo😀", "n": 5});
        assert_eq!(sel("$.a.length()", &doc), Ok(val!(3)));
        assert_eq!(sel("$.o.length()", &doc), Ok(val!(2)));
        assert_eq!(sel("$.s.length()", &doc), Ok(val!(7)));
        assert_eq!(sel("$.n.length()", &doc), Ok(Val::Null));
        assert_eq!(sel("$.length()", &doc), Ok(val!(4)));
        assert_eq!(sel("$.a[*].length()", &doc), Ok(val!(3)));
        assert_eq!(sel("$.a[?(@ > 1)].length()", &doc), Ok(val!(2)));
    }

    #[test]
    fn slices_follow_python_rules() {
        let idx = |s, e, st, n| slice_indices(s, e, st, n);
        assert_eq!(idx(Some(1), None, 1, 4), vec![1, 2, 3]);
        assert_eq!(idx(None, Some(-1), 1, 4), vec![0, 1, 2]);
        assert_eq!(idx(Some(-10), Some(10), 1, 4), vec![0, 1, 2, 3]);
        assert_eq!(idx(None, None, -2, 5), vec![4, 2, 0]);
        assert_eq!(idx(Some(i64::MIN), Some(i64::MAX), i64::MAX, 3), vec![0]);
        assert_eq!(idx(Some(i64::MAX), Some(i64::MIN), i64::MIN, 3), vec![2]);
        assert_eq!(idx(Some(i64::MAX), Some(i64::MIN), -1, 3), vec![2, 1, 0]);
        assert!(idx(None, None, 1, 0).is_empty());
        assert!(idx(None, None, -1, 0).is_empty());
        assert_eq!(resolve_index(i64::MIN, 3), None);
        assert_eq!(resolve_index(-3, 3), Some(0));
    }

    #[test]
    fn eval_resolves_roots() {
        let input = val!({"a": 1});
        let ctx = ContextObject {
            state_name: Arc::from("S1"),
            ..ContextObject::default()
        };
        let mut vars = Map::new();
        vars.insert(Arc::from("x"), val!({"y": [7]}));
        let random = Random::seeded(1);
        let env = Env {
            input: &input,
            context: &ctx,
            variables: &vars,
            random: &random,
        };
        let eval = |p: &str| Path::parse(p).unwrap().eval(&env).map_err(|e| e.message);
        assert_eq!(eval("$.a"), Ok(val!(1)));
        assert_eq!(eval("$$.State.Name"), Ok(val!("S1")));
        assert_eq!(eval("$x.y[0]"), Ok(val!(7)));
        assert_eq!(eval("$x"), Ok(val!({"y": [7]})));
        assert_eq!(
            eval("$nope.y"),
            Err(String::from(
                "Invalid path '$nope.y' : The variable 'nope' is not defined"
            ))
        );
        let no_vars = Env {
            variables: &NoVariables,
            ..env
        };
        assert!(Path::parse("$x").unwrap().eval(&no_vars).is_err());
    }

    #[test]
    fn context_paths_resolve_as_the_whole_object_does() {
        let mut ctx = ContextObject {
            execution: val!({"Id": "arn:x", "Input": {"a": [1, 2]}, "Name": "e"}),
            state_machine: val!({"Id": "arn:sm", "Name": "sm"}),
            state_name: Arc::from("S1"),
            state_entered_millis: 1_700_000_000_123,
            ..ContextObject::default()
        };
        let input = val!({});
        let random = Random::seeded(1);
        let paths = [
            "$$",
            "$$.Execution",
            "$$.Execution.Input.a[1]",
            "$$.Execution.Input.a[-1]",
            "$$.Execution.Input.a[5]",
            "$$.Execution.Nope",
            "$$.Execution.Nope.x",
            "$$.Execution.Input.a.length()",
            "$$.StateMachine.Name",
            "$$.State",
            "$$.State.Name",
            "$$.State.Name.x",
            "$$.State.EnteredTime",
            "$$.State.RetryCount",
            "$$.State.Nope",
            "$$.Task.Token",
            "$$.Map.Item.Index",
            "$$.Map.Item.Value",
            "$$.Map.Item.Value.k",
            "$$.Map.Item",
            "$$.Map.Nope",
            "$$['State','Execution']",
            "$$.Nope",
        ];
        for round in 0..2 {
            if round == 1 {
                ctx.retry_count = Some(2);
                ctx.task_token = Some(Arc::from("tok"));
                ctx.map_item = Some((3, val!({"k": true})));
            }
            let whole = ctx.to_val();
            let env = Env {
                input: &input,
                context: &ctx,
                variables: &NoVariables,
                random: &random,
            };
            for p in paths {
                let path = Path::parse(p).unwrap();
                let direct = path.eval(&env).map_err(|e| e.message);
                let via_whole = path.select(&whole).map_err(|e| e.message);
                assert_eq!(direct, via_whole, "{p} (round {round})");
            }
        }
    }
}
