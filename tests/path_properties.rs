//! Property tests for compiled paths: the canonical form reads back to an equivalent
//! path, and a ResultPath write is read back by the same path without disturbing the
//! rest of the document.

use proptest::prelude::*;
use statelang::data::path::Path;
use statelang::value::{Map, Val};
use std::sync::Arc;

/// A definite-path step as generated.
#[derive(Clone, Debug)]
enum Step {
    Name(String),
    Index(i64),
}

/// Names with the characters that make quoting and dot notation interesting.
fn name() -> impl Strategy<Value = String> {
    let chars: Vec<char> = "abcXYZ019_-$@*:. []()'\"\\,?!=<>é😀\t".chars().collect();
    prop::collection::vec(prop::sample::select(chars), 0..8)
        .prop_map(|cs| cs.into_iter().collect::<String>())
        .prop_filter("a name some quote can carry", |n| {
            survives(n, '\'') || survives(n, '"')
        })
}

/// Does `name` read back verbatim between `quote`s? (A backslash protects the next
/// character; the name is otherwise taken as written.)
fn survives(name: &str, quote: char) -> bool {
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

fn step(allow_negative: bool) -> impl Strategy<Value = Step> {
    let low = if allow_negative { -3 } else { 0 };
    prop_oneof![
        3 => name().prop_map(Step::Name),
        1 => (low..4i64).prop_map(Step::Index),
    ]
}

/// Writes the steps the way a person might: dot notation when the name allows it,
/// brackets with either quote otherwise.
fn render(steps: &[Step], prefer_dots: &[bool]) -> String {
    let mut s = String::from("$");
    for (i, st) in steps.iter().enumerate() {
        match st {
            Step::Index(n) => s.push_str(&format!("[{n}]")),
            Step::Name(n) => {
                let dot_ok =
                    !n.is_empty() && !n.starts_with('*') && !n.contains(['.', '[', '(', ' ']);
                if dot_ok && prefer_dots.get(i).copied().unwrap_or(false) {
                    s.push('.');
                    s.push_str(n);
                } else {
                    let q = if survives(n, '"') && !survives(n, '\'') {
                        '"'
                    } else {
                        '\''
                    };
                    s.push('[');
                    s.push(q);
                    s.push_str(n);
                    s.push(q);
                    s.push(']');
                }
            }
        }
    }
    s
}

/// A document in which `steps` lead to `leaf`, with a few extra members around.
fn doc_along(steps: &[Step], leaf: Val) -> Val {
    let mut v = leaf;
    for st in steps.iter().rev() {
        v = match st {
            Step::Name(n) => {
                let mut m = Map::new();
                m.insert(Arc::from("other"), Val::int(1));
                m.insert(Arc::from(n.as_str()), v);
                Val::object(m)
            }
            Step::Index(i) => {
                let len = if *i >= 0 {
                    *i as usize + 1
                } else {
                    i.unsigned_abs() as usize
                };
                let pos = if *i >= 0 { *i as usize } else { 0 };
                let mut items = vec![Val::Null; len];
                items[pos] = v;
                Val::array(items)
            }
        };
    }
    v
}

fn json() -> impl Strategy<Value = Val> {
    let leaf = prop_oneof![
        Just(Val::Null),
        any::<bool>().prop_map(Val::Bool),
        (-1000i64..1000).prop_map(Val::int),
        (-1e6f64..1e6).prop_map(Val::float),
        "[a-z]{0,4}".prop_map(Val::string),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Val::array),
            prop::collection::vec(("[a-c]{1,2}", inner), 0..4).prop_map(|kvs| {
                Val::object(
                    kvs.into_iter()
                        .map(|(k, v)| (Arc::from(k.as_str()), v))
                        .collect(),
                )
            }),
        ]
    })
}

/// The Jayway detail of an error, without the `Invalid path '<text>' : ` prefix.
fn detail(r: Result<Val, statelang::data::path::PathError>) -> Result<Val, String> {
    r.map_err(|e| match e.message.split_once("' : ") {
        Some((_, d)) => d.to_string(),
        None => e.message,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn canonical_form_reads_back(
        steps in prop::collection::vec(step(true), 0..5),
        dots in prop::collection::vec(any::<bool>(), 5),
        leaf in json(),
        other in json(),
        use_other in any::<bool>(),
    ) {
        let text = render(&steps, &dots);
        let p = Path::parse(&text).map_err(|e| TestCaseError::fail(e.message))?;
        prop_assert!(p.is_definite());
        let canonical = p.canonical();
        let again = Path::parse(&canonical).map_err(|e| TestCaseError::fail(e.message))?;
        prop_assert_eq!(again.canonical(), canonical.clone());
        prop_assert!(again.is_definite());
        let doc = if use_other { other } else { doc_along(&steps, leaf.clone()) };
        let (a, b) = (detail(p.select(&doc)), detail(again.select(&doc)));
        prop_assert_eq!(&a, &b, "{} vs {}", text, canonical);
        if !use_other {
            prop_assert_eq!(a, Ok(leaf));
        }
    }

    #[test]
    fn write_then_read_along_existing_structure(
        steps in prop::collection::vec(step(false), 0..5),
        dots in prop::collection::vec(any::<bool>(), 5),
        old in json(),
        new in json(),
    ) {
        let text = render(&steps, &dots);
        let p = Path::parse_reference(&text).map_err(|e| TestCaseError::fail(e.message))?;
        let doc = doc_along(&steps, old);
        let out = p.write(doc.clone(), new.clone()).map_err(|e| TestCaseError::fail(e.message))?;
        prop_assert_eq!(p.select(&out).map_err(|e| e.message), Ok(new));
        if let (Some(Step::Name(first)), Some(before), Some(after)) =
            (steps.first(), doc.as_object(), out.as_object())
        {
            for (k, v) in before {
                if **k != **first {
                    prop_assert!(after.get(k).is_some_and(|w| w.ptr_eq(v) || w == v));
                }
            }
            prop_assert_eq!(before.len(), after.len());
        }
    }

    #[test]
    fn write_then_read_into_any_object(
        names in prop::collection::vec("[a-c]{1,2}", 1..4),
        doc in prop::collection::vec(("[a-c]{1,2}", json()), 0..5),
        new in json(),
    ) {
        let doc = Val::object(doc.into_iter().map(|(k, v)| (Arc::from(k.as_str()), v)).collect());
        let text = format!("$.{}", names.join("."));
        let p = Path::parse_reference(&text).map_err(|e| TestCaseError::fail(e.message))?;
        match p.write(doc.clone(), new.clone()) {
            Ok(out) => {
                prop_assert_eq!(p.select(&out).map_err(|e| e.message), Ok(new));
                let (before, after) = (doc.as_object().unwrap(), out.as_object().unwrap());
                for (k, v) in before {
                    if **k != *names[0] {
                        prop_assert!(after.get(k).is_some_and(|w| w.ptr_eq(v) || w == v));
                    }
                }
            }
            Err(e) => {
                // Only a non-object on the way down makes a write fail.
                let mut cur = &doc;
                let mut blocked = false;
                for n in &names {
                    match cur {
                        Val::Object(_) => match cur.get(n) {
                            Some(next) => cur = next,
                            None => break,
                        },
                        _ => { blocked = true; break; }
                    }
                }
                prop_assert!(blocked, "{}", e.message);
                prop_assert!(e.message.starts_with("Unable to apply ReferencePath "));
            }
        }
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,30}") {
        let _ = Path::parse(&s);
        let _ = Path::parse_reference(&s);
        let with_root = format!("${s}");
        if let Ok(p) = Path::parse(&with_root) {
            let _ = p.select(&Val::Null);
            let _ = Path::parse(&p.canonical());
        }
    }
}
