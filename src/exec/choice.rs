//! Choice states: rules in order, first match wins; type mismatches are `false`; a
//! missing `Variable` is `States.Runtime` except for `IsPresent`.

use super::engine::{Failure, StateCx, StateOk};
use super::io;
use super::jsonata::{self, States};
use crate::data::path::Path;
use crate::data::timestamp::Timestamp;
use crate::data::Env;
use crate::definition::choice::{Choice, Comparison, Condition, Operand, Ordering, Test};
use crate::definition::io::{Assign, InputFilter, Io};
use crate::definition::jsonata::JsonataValue;
use crate::definition::state::Transition;
use crate::error::{names, StatesError};
use crate::value::{Number, Val};
use std::cmp::Ordering as Cmp;

/// Runs a Choice state.
pub(crate) fn run(cx: &StateCx<'_>, c: &Choice, raw: Val) -> Result<StateOk, Failure> {
    let ctx = cx.ctx;
    // The effective input is the raw input itself unless an InputPath selects from
    // it: borrowed, not cloned (and the output is then the raw input, moved).
    let filtered = match &cx.state.io {
        Io::JsonPath(io) if !matches!(io.input_path, InputFilter::Identity) => {
            Some(io::filter(cx, &io.input_path, &raw, ctx)?)
        }
        _ => None,
    };
    let effective = filtered.as_ref().unwrap_or(&raw);
    let mut chosen: Option<(usize, Option<&Assign>, Option<&JsonataValue>)> = None;
    {
        let env = cx.env(effective, ctx);
        let states = States::new(&raw, ctx);
        for rule in &c.rules {
            if eval(cx, &rule.condition, &env, states)? {
                chosen = Some((rule.next, rule.assign.as_ref(), rule.output.as_ref()));
                break;
            }
        }
    }
    let (next, assign_block, rule_output) = match chosen {
        Some(x) => x,
        None => match c.default {
            Some(d) => (d, cx.state.assign.as_ref(), None),
            None => {
                return Err(Failure::new(StatesError::without_cause(
                    names::NO_CHOICE_MATCHED,
                )))
            }
        },
    };
    let assigned = match assign_block {
        Some(a) => Some(io::assign(cx, a, effective, ctx, States::new(&raw, ctx))?),
        None => None,
    };
    let output = match &cx.state.io {
        Io::JsonPath(io) => match &io.output_path {
            InputFilter::Identity => filtered.unwrap_or(raw),
            f => io::filter(cx, f, effective, ctx)?,
        },
        Io::Jsonata(io) => match rule_output.or(io.output.as_ref()) {
            Some(o) => jsonata::eval(cx, o, "Output", States::new(&raw, ctx))?,
            None => raw,
        },
    };
    Ok(StateOk {
        output,
        next: Transition::Next(next),
        assigned,
    })
}

/// Evaluates a condition.
fn eval(
    cx: &StateCx<'_>,
    c: &Condition,
    env: &Env<'_>,
    states: States<'_>,
) -> Result<bool, Failure> {
    match c {
        Condition::And(cs) => {
            for c in cs {
                if !eval(cx, c, env, states)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Condition::Or(cs) => {
            for c in cs {
                if eval(cx, c, env, states)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Condition::Not(c) => Ok(!eval(cx, c, env, states)?),
        Condition::Compare(cmp) => compare(cx, cmp, env),
        Condition::Jsonata(j) => {
            match jsonata::eval_typed(cx, j, "Condition", states, "boolean")? {
                Val::Bool(b) => Ok(b),
                _ => Ok(false),
            }
        }
    }
}

fn compare(cx: &StateCx<'_>, cmp: &Comparison, env: &Env<'_>) -> Result<bool, Failure> {
    // An input path of names that finds its node is read in place (no clone).
    let owned;
    let value: &Val = match cmp.variable.names_in_input(env.input) {
        Some(v) => v,
        None => match cmp.variable.eval(env) {
            Ok(v) => {
                owned = v;
                &owned
            }
            Err(e) => {
                return match cmp.test {
                    Test::IsPresent(expected) => Ok(!expected),
                    _ => Err(cx.runtime(e.message)),
                }
            }
        },
    };
    // An operand path of names that finds its node is read in place too (no
    // clone, no value returned through memory).
    let mut slot = None;
    Ok(match &cmp.test {
        Test::String(ord, op) => {
            let Some(s) = value.as_str() else {
                return Ok(false);
            };
            match op {
                Operand::Literal(l) => ordered(*ord, s.cmp(l)),
                Operand::Path(p) => match operand(cx, p, env, &mut slot)?.as_str() {
                    Some(l) => ordered(*ord, s.cmp(l)),
                    None => false,
                },
            }
        }
        Test::Numeric(ord, op) => {
            let Some(n) = value.as_number() else {
                return Ok(false);
            };
            let r = match op {
                Operand::Literal(l) => cmp_numbers(n, l),
                Operand::Path(p) => match operand(cx, p, env, &mut slot)?.as_number() {
                    Some(l) => cmp_numbers(n, l),
                    None => None,
                },
            };
            r.is_some_and(|r| ordered(*ord, r))
        }
        Test::Boolean(op) => {
            let Some(b) = value.as_bool() else {
                return Ok(false);
            };
            match op {
                Operand::Literal(l) => b == *l,
                Operand::Path(p) => operand(cx, p, env, &mut slot)?.as_bool() == Some(b),
            }
        }
        Test::Timestamp(ord, op) => {
            let Some(t) = value.as_str().and_then(Timestamp::parse) else {
                return Ok(false);
            };
            match op {
                Operand::Literal(l) => ordered(*ord, t.cmp(l)),
                Operand::Path(p) => match operand(cx, p, env, &mut slot)?
                    .as_str()
                    .and_then(Timestamp::parse)
                {
                    Some(l) => ordered(*ord, t.cmp(&l)),
                    None => false,
                },
            }
        }
        Test::StringMatches(pattern) => value.as_str().is_some_and(|s| pattern.matches(s)),
        Test::IsNull(b) => value.is_null() == *b,
        Test::IsPresent(b) => *b,
        Test::IsNumeric(b) => matches!(value, Val::Number(_)) == *b,
        Test::IsString(b) => matches!(value, Val::String(_)) == *b,
        Test::IsBoolean(b) => matches!(value, Val::Bool(_)) == *b,
        Test::IsTimestamp(b) => value.as_str().and_then(Timestamp::parse).is_some() == *b,
    })
}

/// The value of an operand path: its node in the input, or the general
/// evaluation's value, kept in `slot`.
fn operand<'a>(
    cx: &StateCx<'_>,
    p: &Path,
    env: &Env<'a>,
    slot: &'a mut Option<Val>,
) -> Result<&'a Val, Failure> {
    match p.names_in_input(env.input) {
        Some(v) => Ok(v),
        None => {
            let v = p.eval(env).map_err(|e| cx.runtime(e.message))?;
            Ok(&*slot.insert(v))
        }
    }
}

fn ordered(ord: Ordering, r: Cmp) -> bool {
    match ord {
        Ordering::Equals => r == Cmp::Equal,
        Ordering::LessThan => r == Cmp::Less,
        Ordering::GreaterThan => r == Cmp::Greater,
        Ordering::LessThanEquals => r != Cmp::Greater,
        Ordering::GreaterThanEquals => r != Cmp::Less,
    }
}

/// Compares numbers by value: exactly for integers, as `f64` otherwise.
fn cmp_numbers(a: &Number, b: &Number) -> Option<Cmp> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return Some(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return Some(x.cmp(&y));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}
