//! Wait states: Seconds, Timestamp, SecondsPath, TimestampPath, with AWS's error texts.

use super::engine::{Failure, StateCx, StateOk};
use super::io;
use crate::data::timestamp::Timestamp;
use crate::definition::wait::Wait;
use crate::value::Val;

/// Targets at least this many seconds away are rejected ("Wait state delay is too long.").
const MAX_DELAY_SECONDS: i64 = 1 << 31;

/// Runs a Wait state.
pub(crate) async fn run(cx: &StateCx<'_>, w: &Wait, raw: Val) -> Result<StateOk, Failure> {
    let ctx = cx.ctx;
    let effective = io::effective_input(cx, &raw, ctx)?;
    let now = cx.run.clock.now_millis();
    let delay_millis: i64 = match w {
        Wait::Seconds(s) => i64::try_from(*s).unwrap_or(i64::MAX).saturating_mul(1000),
        Wait::Timestamp(t) => until(t, now),
        Wait::SecondsPath(p) => {
            let v = p.eval(&cx.env(&effective, ctx)).map_err(|_| {
                cx.runtime(format!(
                    "The SecondsPath parameter does not reference an input value: {}",
                    p.text()
                ))
            })?;
            let secs = match v.as_number() {
                Some(n) if n.is_i64() || n.is_u64() => n.as_i64().unwrap_or(i64::MAX),
                _ => {
                    return Err(cx.runtime(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
                        p.text(),
                        io::shown(&v)
                    )))
                }
            };
            if secs < 0 {
                return Err(cx.runtime(format!(
                    "The SecondsPath parameter references a negative value: {} == {}",
                    p.text(),
                    secs
                )));
            }
            secs.saturating_mul(1000)
        }
        Wait::TimestampPath(p) => {
            let v = p.eval(&cx.env(&effective, ctx)).map_err(|_| {
                cx.runtime(format!(
                    "The TimestampPath parameter does not reference an input value: {}",
                    p.text()
                ))
            })?;
            match v.as_str().and_then(Timestamp::parse) {
                Some(t) => until(&t, now),
                None => {
                    return Err(cx.runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {}",
                        p.text(),
                        io::shown(&v)
                    )))
                }
            }
        }
        Wait::SecondsExpr(j) => {
            let v = super::jsonata::eval(cx, j, "Seconds", super::jsonata::States::new(&raw, ctx))?;
            match v.as_i64() {
                Some(s) if s >= 0 => s.saturating_mul(1000),
                _ => {
                    return Err(super::jsonata::error(
                        cx,
                        Some("Seconds"),
                        format!("The Seconds field must be a non-negative integer, but was: {v}"),
                    ))
                }
            }
        }
        Wait::TimestampExpr(j) => {
            let v =
                super::jsonata::eval(cx, j, "Timestamp", super::jsonata::States::new(&raw, ctx))?;
            match v.as_str().and_then(Timestamp::parse) {
                Some(t) => until(&t, now),
                None => {
                    return Err(super::jsonata::error(
                        cx,
                        Some("Timestamp"),
                        format!(
                            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {}",
                            io::shown(&v)
                        ),
                    ))
                }
            }
        }
    };
    if delay_millis / 1000 >= MAX_DELAY_SECONDS {
        return Err(cx.runtime("Wait state delay is too long."));
    }
    if delay_millis > 0 {
        cx.run.clock.timer(delay_millis as u64).await;
    }
    let (output, assigned) = io::finish(cx, raw, effective, ctx, cx.state.assign.as_ref())?;
    Ok(StateOk {
        output,
        next: cx.state.transition,
        assigned,
    })
}

/// Milliseconds from `now` until `t` (0 when `t` is past).
fn until(t: &Timestamp, now: i64) -> i64 {
    (t.as_millis().saturating_sub(now)).max(0)
}
