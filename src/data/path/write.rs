//! ResultPath: writing a value into a document at a reference path.
//!
//! The write is checked first without touching the document, then done in one pass that
//! copies only the nodes on the way down (`Val::as_object_mut` / `as_array_mut` copy a
//! node only when it is shared), so every sibling subtree stays shared with the input.

use super::{Path, PathError, Segment};
use crate::data::PathRoot;
use crate::value::{json_str_len, Val};
use std::sync::Arc;

/// [`Path::write`].
pub(super) fn write(path: &Path, target: Val, value: Val) -> Result<Val, PathError> {
    try_write(path, target, value).map_err(|(e, _)| e)
}

/// [`Path::try_write`]: on failure the untouched target comes back with the error.
pub(super) fn try_write(path: &Path, mut target: Val, value: Val) -> Result<Val, (PathError, Val)> {
    if path.root != PathRoot::Input {
        return Err((
            PathError {
                message: format!(
                    "Invalid ResultPath '{}': only paths rooted at '$' can be written",
                    path.text
                ),
            },
            target,
        ));
    }
    let c = &*path.compiled;
    if !c.writable {
        return Err((
            PathError {
                message: format!(
                    "Invalid ResultPath '{}': only names and indices >= 0 can be written",
                    path.text
                ),
            },
            target,
        ));
    }
    if !applies(&c.segments, &target) {
        let message = format!(
            "Unable to apply ReferencePath {} to input {}",
            path.text,
            target.to_json_string()
        );
        return Err((PathError { message }, target));
    }
    put(&mut target, &c.segments, value);
    Ok(target)
}

/// Can `segments` be written into `node`? Every existing step must be an object (for a
/// name) or an array holding the index; missing properties are created, but only as
/// objects, so everything after a missing property must be a name.
fn applies(segments: &[Segment], node: &Val) -> bool {
    let mut cur = node;
    for (i, seg) in segments.iter().enumerate() {
        cur = match (seg, cur) {
            // A last name can always be written into an object (set or added).
            (Segment::Name(_), Val::Object(_)) if i + 1 == segments.len() => return true,
            (Segment::Name(name), Val::Object(o)) => match o.get(&**name) {
                Some(v) => v,
                None => {
                    return segments[i + 1..]
                        .iter()
                        .all(|s| matches!(s, Segment::Name(_)))
                }
            },
            (Segment::Index(n), Val::Array(a)) => {
                match usize::try_from(*n).ok().and_then(|j| a.items().get(j)) {
                    Some(v) => v,
                    None => return false,
                }
            }
            _ => return false,
        };
    }
    true
}

/// Writes `value` (the check has passed).
///
/// A node whose compact-JSON length was cached keeps it known: the new length is the
/// old one adjusted by the written entry, when the old and new entries' lengths are
/// known without a traversal (so the size check after a ResultPath write into a
/// large document costs only the written spine).
fn put(node: &mut Val, segments: &[Segment], value: Val) {
    let Some((seg, rest)) = segments.split_first() else {
        *node = value;
        return;
    };
    let old_len = node.known_json_len();
    let new_len = match seg {
        Segment::Name(name) => {
            // Looked up once: the position is reused for the write.
            let pos = node.as_object().and_then(|m| m.get_index_of(&**name));
            // `None`: the key is new; `Some(None)`: its old value's length is unknown.
            let old_child = pos
                .and_then(|i| node.as_object().and_then(|m| m.get_index(i)))
                .map(|(_, v)| v.known_json_len());
            // The last step into a shared object (the input the history still holds):
            // one copy with the new entry in place, without taking the shared node
            // apart first (no uniqueness checks, no clone of the replaced value).
            if let (true, Val::Object(o)) = (rest.is_empty(), &*node) {
                if Arc::strong_count(o) > 1 {
                    let n = value.known_json_len();
                    let copy = o.clone_setting(pos, name, value);
                    let comma = usize::from(o.len() + usize::from(pos.is_none()) > 1);
                    let len = match (old_len, old_child, n) {
                        (Some(old), Some(Some(o)), Some(n)) => Some(old - o + n),
                        (Some(old), None, Some(n)) => {
                            Some(old + comma + json_str_len(name) + 1 + n)
                        }
                        _ => None,
                    };
                    if let Some(len) = len {
                        copy.set_json_len(len);
                    }
                    *node = copy;
                    return;
                }
            }
            // The entry to write, made writable (the node copied if shared, the key
            // appended if new).
            let rest_empty = rest.is_empty();
            let make = move || {
                if rest_empty {
                    Val::Null
                } else {
                    Val::empty_object()
                }
            };
            let Some(slot) = node.object_slot_mut(name, pos, make) else {
                return;
            };
            let new_child = if rest_empty {
                let n = value.known_json_len();
                *slot = value;
                n
            } else {
                put(slot, rest, value);
                slot.known_json_len()
            };
            let comma = usize::from(node.as_object().map_or(0, |o| o.len()) > 1);
            match (old_len, old_child, new_child) {
                (Some(old), Some(Some(o)), Some(n)) => Some(old - o + n),
                (Some(old), None, Some(n)) => Some(old + comma + json_str_len(name) + 1 + n),
                _ => None,
            }
        }
        Segment::Index(n) => {
            let Ok(j) = usize::try_from(*n) else { return };
            let old_child = old_len.and_then(|_| node.get_index(j).and_then(Val::known_json_len));
            let Some(items) = node.as_array_mut() else {
                return;
            };
            let Some(child) = items.get_mut(j) else {
                return;
            };
            put(child, rest, value);
            match (old_len, old_child, child.known_json_len()) {
                (Some(old), Some(o), Some(n)) => Some(old - o + n),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some(n) = new_len {
        node.set_json_len(n);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Path;
    use crate::val;
    use crate::value::Val;

    fn w(path: &str, target: Val, value: Val) -> Result<Val, String> {
        Path::parse(path)
            .unwrap()
            .write(target, value)
            .map_err(|e| e.message)
    }

    #[test]
    fn dollar_replaces_everything() {
        assert_eq!(w("$", val!({"a": 1}), val!([1])), Ok(val!([1])));
        assert_eq!(w("$", val!("s"), val!(null)), Ok(val!(null)));
    }

    #[test]
    fn sets_and_creates_intermediate_objects() {
        assert_eq!(
            w("$.a", val!({"x": 1, "a": 0, "y": 2}), val!({"r": true})),
            Ok(val!({"x": 1, "a": {"r": true}, "y": 2}))
        );
        let out = w("$.a.b.c", val!({"x": 1}), val!(5)).unwrap();
        assert_eq!(out, val!({"x": 1, "a": {"b": {"c": 5}}}));
        // Key order is kept when replacing.
        assert_eq!(
            w("$.a", val!({"a": 0, "b": 1}), val!(9))
                .unwrap()
                .to_json_string(),
            r#"{"a":9,"b":1}"#
        );
        assert_eq!(
            w("$.a.new", val!({"a": {"old": 1}}), val!(2)),
            Ok(val!({"a": {"old": 1, "new": 2}}))
        );
        assert_eq!(
            w("$['x y'].z", val!({}), val!(1)),
            Ok(val!({"x y": {"z": 1}}))
        );
    }

    #[test]
    fn indices_replace_existing_elements() {
        assert_eq!(
            w("$.arr[1]", val!({"arr": [1, 2, 3]}), val!("b")),
            Ok(val!({"arr": [1, "b", 3]}))
        );
        assert_eq!(
            w("$[0].p", val!([{"q": 1}]), val!(2)),
            Ok(val!([{"q": 1, "p": 2}]))
        );
        assert_eq!(
            w("$.arr[0].deep.er", val!({"arr": [{}]}), val!(1)),
            Ok(val!({"arr": [{"deep": {"er": 1}}]}))
        );
    }

    #[test]
    fn result_path_match_failures() {
        assert_eq!(
            w("$.x", val!("raw"), val!(1)),
            Err(String::from(
                "Unable to apply ReferencePath $.x to input \"raw\""
            ))
        );
        assert_eq!(
            w("$.a.b", val!({"a": 3}), val!(1)),
            Err(String::from(
                "Unable to apply ReferencePath $.a.b to input {\"a\":3}"
            ))
        );
        assert_eq!(
            w("$.a.b", val!({"a": null}), val!(1)),
            Err(String::from(
                "Unable to apply ReferencePath $.a.b to input {\"a\":null}"
            ))
        );
        for (p, doc) in [
            ("$.arr[3]", val!({"arr": [1, 2, 3]})),
            ("$.arr[0]", val!({"arr": {"0": 1}})),
            ("$.missing[0]", val!({})),
            ("$.missing.x[0]", val!({})),
            ("$[0]", val!({})),
        ] {
            let e = w(p, doc.clone(), val!(1)).unwrap_err();
            assert_eq!(
                e,
                format!("Unable to apply ReferencePath {p} to input {doc}")
            );
        }
    }

    #[test]
    fn only_input_rooted_reference_paths_are_written() {
        assert!(w("$$.x", val!({}), val!(1))
            .unwrap_err()
            .contains("rooted at '$'"));
        assert!(w("$v.x", val!({}), val!(1))
            .unwrap_err()
            .contains("rooted at '$'"));
        for p in ["$.a[*]", "$..a", "$.a[-1]", "$.a.length()", "$['a','b']"] {
            assert!(
                w(p, val!({"a": [1]}), val!(1))
                    .unwrap_err()
                    .contains("only names and indices"),
                "{p}"
            );
        }
    }

    #[test]
    fn siblings_stay_shared() {
        let doc = val!({
            "big": {"deep": [1, 2, 3]},
            "other": [{"x": 1}],
            "target": {"keep": {"k": 1}, "old": 1}
        });
        let out = w("$.target.old", doc.clone(), val!(2)).unwrap();
        assert_eq!(out.get("target").unwrap().get("old"), Some(&val!(2)));
        // The original is untouched.
        assert_eq!(doc.get("target").unwrap().get("old"), Some(&val!(1)));
        // Everything off the spine is the same allocation.
        assert!(out.get("big").unwrap().ptr_eq(doc.get("big").unwrap()));
        assert!(out.get("other").unwrap().ptr_eq(doc.get("other").unwrap()));
        let keep = |v: &Val| v.get("target").unwrap().get("keep").unwrap().clone();
        assert!(keep(&out).ptr_eq(&keep(&doc)));
        // The spine itself was copied, not mutated in place.
        assert!(!out
            .get("target")
            .unwrap()
            .ptr_eq(doc.get("target").unwrap()));
    }

    #[test]
    fn unshared_target_is_written_in_place() {
        let doc = val!({"a": {"b": 1}, "c": [1]});
        let c_before = doc.get("c").unwrap().clone();
        let out = w("$.a.b", doc, val!(2)).unwrap();
        assert!(out.get("c").unwrap().ptr_eq(&c_before));
    }
}
#[cfg(test)]
mod len_tests {
    use super::super::Path;
    use crate::value::Val;
    #[test]
    fn keeps_len_known() {
        let v = Val::from_json_str(r#"{"name":"bench","last":{"i":-1},"keep":[1,2,3]}"#).unwrap();
        assert!(v.known_json_len().is_some());
        let n = Val::from_json_str(r#"{"i":0,"x":"y"}"#).unwrap();
        let out = Path::parse("$.last").unwrap().write(v, n).unwrap();
        assert_eq!(out.known_json_len(), Some(out.to_json_string().len()));
    }
}
