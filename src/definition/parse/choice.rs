//! Choice states: `Choices` rules compiled into [`Condition`]s, `Default`.

use super::assign::parse_assign;
use super::fields::unsupported;
use super::pointer::join;
use super::values::{self, Obj};
use super::{compat, type_name, Ctx};
use crate::data::timestamp::Timestamp;
use crate::definition::choice::{
    Choice, ChoiceRule, Comparison, Condition, Operand, Ordering, StringPattern, Test,
};
use crate::definition::machine::QueryLanguage;
use crate::definition::validate::transitions::Targets;
use serde_json::Value;
use std::sync::Arc;

/// The operand type an operator family takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    String,
    Numeric,
    Boolean,
    Timestamp,
}

const ORDERINGS: &[(&str, Ordering)] = &[
    ("Equals", Ordering::Equals),
    ("LessThanEquals", Ordering::LessThanEquals),
    ("GreaterThanEquals", Ordering::GreaterThanEquals),
    ("LessThan", Ordering::LessThan),
    ("GreaterThan", Ordering::GreaterThan),
];

const TYPE_TESTS: &[&str] = &[
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
];

/// Splits an operator name into (family, ordering, is a `…Path` variant).
fn operator(name: &str) -> Option<(Family, Ordering, bool)> {
    let (base, is_path) = match name.strip_suffix("Path") {
        Some(b) => (b, true),
        None => (name, false),
    };
    let (family, rest) = if let Some(r) = base.strip_prefix("String") {
        (Family::String, r)
    } else if let Some(r) = base.strip_prefix("Numeric") {
        (Family::Numeric, r)
    } else if let Some(r) = base.strip_prefix("Boolean") {
        (Family::Boolean, r)
    } else if let Some(r) = base.strip_prefix("Timestamp") {
        (Family::Timestamp, r)
    } else {
        return None;
    };
    let ordering = ORDERINGS.iter().find(|(s, _)| *s == rest)?.1;
    if family == Family::Boolean && ordering != Ordering::Equals {
        return None;
    }
    Some((family, ordering, is_path))
}

/// `true` for every comparison-operator key of a rule.
fn is_operator(key: &str) -> bool {
    operator(key).is_some() || key == "StringMatches" || TYPE_TESTS.contains(&key)
}

/// Parses a Choice state's own fields.
pub(crate) fn parse_choice(
    cx: &mut Ctx<'_>,
    o: Obj<'_>,
    ql: QueryLanguage,
    targets: &mut Targets<'_>,
) -> Option<Choice> {
    let before = cx.error_count();
    let mut rules = Vec::new();
    match o.get("Choices") {
        None => values::missing(cx, o.ptr, "Choices"),
        Some(Value::Array(items)) if items.is_empty() => {
            cx.error(&o.at("Choices"), "Value cannot be empty");
        }
        Some(Value::Array(items)) => {
            let ptr = o.at("Choices");
            for (i, item) in items.iter().enumerate() {
                if let Some(r) = top_rule(cx, item, &join(&ptr, &i.to_string()), ql, targets) {
                    rules.push(r);
                }
            }
        }
        Some(v) => values::wrong_type(cx, &o.at("Choices"), "Choices", "ARRAY", v),
    }
    let default = match values::opt_plain_str(cx, o, "Default", ql) {
        Some(d) => targets.resolve(cx, &o.at("Default"), "Default", d),
        None => None,
    };
    (cx.error_count() == before).then_some(Choice { rules, default })
}

fn top_rule(
    cx: &mut Ctx<'_>,
    v: &Value,
    ptr: &str,
    ql: QueryLanguage,
    targets: &mut Targets<'_>,
) -> Option<ChoiceRule> {
    let Value::Object(map) = v else {
        values::wrong_type(cx, ptr, "Choices", "OBJECT", v);
        return None;
    };
    let o = Obj { map, ptr };
    let next = match values::opt_plain_str(cx, o, "Next", ql) {
        Some(n) => targets.resolve(cx, &o.at("Next"), "Next", n),
        None => {
            if !o.has("Next") {
                values::missing(cx, ptr, "Next");
            }
            None
        }
    };
    let assign = match o.get("Assign") {
        Some(a) => parse_assign(cx, a, &o.at("Assign"), ql).map(Some),
        None => Some(None),
    };
    let (condition, output) = match ql {
        QueryLanguage::Jsonata => {
            for key in map.keys() {
                if !matches!(
                    key.as_str(),
                    "Condition" | "Next" | "Assign" | "Output" | "Comment"
                ) {
                    unsupported(cx, &o.at(key), key);
                }
            }
            let cond = match o.get("Condition") {
                None => {
                    values::missing(cx, ptr, "Condition");
                    None
                }
                Some(Value::Bool(_)) => o
                    .get("Condition")
                    .and_then(|c| values::jsonata_value(cx, &o.at("Condition"), c))
                    .map(Condition::Jsonata),
                Some(c @ Value::String(s)) if crate::definition::jsonata::is_expression(s) => {
                    values::jsonata_value(cx, &o.at("Condition"), c).map(Condition::Jsonata)
                }
                Some(c) => {
                    cx.error(
                        &o.at("Condition"),
                        format!("The field 'Condition' must be a BOOLEAN or a JSONata expression but was {}", type_name(c)),
                    );
                    None
                }
            };
            let output = match o.get("Output") {
                Some(out) => values::jsonata_value(cx, &o.at("Output"), out).map(Some),
                None => Some(None),
            };
            (cond, output)
        }
        QueryLanguage::JsonPath => (rule(cx, o, true, ql), Some(None)),
    };
    Some(ChoiceRule {
        condition: condition?,
        next: next?,
        assign: assign?,
        output: output?,
    })
}

/// A JSONPath rule (top-level or nested): exactly one of a comparison, And, Or, Not.
fn rule(cx: &mut Ctx<'_>, o: Obj<'_>, top: bool, ql: QueryLanguage) -> Option<Condition> {
    let mut ops = Vec::new();
    for key in o.map.keys() {
        let k = key.as_str();
        match k {
            "Variable" | "Comment" => {}
            "Next" | "Assign" if top => {}
            "Next" => cx.error(
                &o.at(k),
                "Nested Choice Rules (inside 'And', 'Or' or 'Not') cannot have a 'Next' field",
            ),
            "Assign" => cx.error(
                &o.at(k),
                "Nested Choice Rules (inside 'And', 'Or' or 'Not') cannot have an 'Assign' field",
            ),
            "And" | "Or" | "Not" => ops.push(k),
            _ if is_operator(k) => ops.push(k),
            _ => unsupported(cx, &o.at(k), k),
        }
    }
    values::opt_plain_str(cx, o, "Comment", ql);
    let op = match ops.as_slice() {
        [one] => *one,
        [] => {
            cx.error(
                o.ptr,
                "A Choice Rule must have exactly one comparison operator (with 'Variable'), or 'And', 'Or' or 'Not'",
            );
            return None;
        }
        _ => {
            cx.error(
                o.ptr,
                "Each Choice Rule can only have one comparison operator.",
            );
            return None;
        }
    };
    let v = o.get(op)?;
    let ptr = o.at(op);
    match op {
        "And" | "Or" => {
            if o.has("Variable") {
                unsupported(cx, &o.at("Variable"), "Variable");
            }
            let Value::Array(items) = v else {
                values::wrong_type(cx, &ptr, op, "ARRAY", v);
                return None;
            };
            if items.is_empty() {
                cx.error(&ptr, "Value cannot be empty");
                return None;
            }
            let mut children = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                children.push(nested(cx, item, &join(&ptr, &i.to_string()), op, ql));
            }
            let children: Option<Vec<_>> = children.into_iter().collect();
            let children = children?;
            Some(if op == "And" {
                Condition::And(children)
            } else {
                Condition::Or(children)
            })
        }
        "Not" => {
            if o.has("Variable") {
                unsupported(cx, &o.at("Variable"), "Variable");
            }
            nested(cx, v, &ptr, op, ql).map(|c| Condition::Not(Box::new(c)))
        }
        _ => {
            let variable = match values::opt_str(cx, o, "Variable") {
                Some(s) => compat::reference(cx, &o.at("Variable"), "Variable", s),
                None => {
                    if !o.has("Variable") {
                        values::missing(cx, o.ptr, "Variable");
                    }
                    None
                }
            };
            let test = test(cx, op, v, &ptr);
            Some(Condition::Compare(Comparison {
                variable: variable?,
                test: test?,
            }))
        }
    }
}

fn nested(
    cx: &mut Ctx<'_>,
    v: &Value,
    ptr: &str,
    parent: &str,
    ql: QueryLanguage,
) -> Option<Condition> {
    let Value::Object(map) = v else {
        values::wrong_type(cx, ptr, parent, "OBJECT", v);
        return None;
    };
    rule(cx, Obj { map, ptr }, false, ql)
}

/// Compiles one comparison operator and checks its operand's type.
fn test(cx: &mut Ctx<'_>, op: &str, v: &Value, ptr: &str) -> Option<Test> {
    if TYPE_TESTS.contains(&op) {
        let Value::Bool(b) = v else {
            values::wrong_type(cx, ptr, op, "BOOLEAN", v);
            return None;
        };
        return Some(match op {
            "IsNull" => Test::IsNull(*b),
            "IsPresent" => Test::IsPresent(*b),
            "IsNumeric" => Test::IsNumeric(*b),
            "IsString" => Test::IsString(*b),
            "IsBoolean" => Test::IsBoolean(*b),
            _ => Test::IsTimestamp(*b),
        });
    }
    if op == "StringMatches" {
        let Value::String(s) = v else {
            values::wrong_type(cx, ptr, op, "STRING", v);
            return None;
        };
        return Some(Test::StringMatches(StringPattern::new(s)));
    }
    let (family, ordering, is_path) = operator(op)?;
    if is_path {
        let Value::String(s) = v else {
            values::wrong_type(cx, ptr, op, "STRING", v);
            return None;
        };
        let p = compat::reference(cx, ptr, op, s)?;
        return Some(match family {
            Family::String => Test::String(ordering, Operand::Path(p)),
            Family::Numeric => Test::Numeric(ordering, Operand::Path(p)),
            Family::Boolean => Test::Boolean(Operand::Path(p)),
            Family::Timestamp => Test::Timestamp(ordering, Operand::Path(p)),
        });
    }
    match (family, v) {
        (Family::String, Value::String(s)) => Some(Test::String(
            ordering,
            Operand::Literal(Arc::from(s.as_str())),
        )),
        (Family::Numeric, Value::Number(n)) => {
            Some(Test::Numeric(ordering, Operand::Literal(n.clone())))
        }
        (Family::Boolean, Value::Bool(b)) => Some(Test::Boolean(Operand::Literal(*b))),
        (Family::Timestamp, Value::String(s)) => match Timestamp::parse(s) {
            Some(t) => Some(Test::Timestamp(ordering, Operand::Literal(t))),
            None => {
                cx.error(ptr, "String does not match RFC3339 timestamp");
                None
            }
        },
        (family, v) => {
            let expected = match family {
                Family::String | Family::Timestamp => "STRING",
                Family::Numeric => "NUMBER",
                Family::Boolean => "BOOLEAN",
            };
            values::wrong_type(cx, ptr, op, expected, v);
            None
        }
    }
}
