//! The array functions: `States.ArrayPartition`, `ArrayContains`, `ArrayRange`,
//! `ArrayGetItem`, `ArrayLength` and `ArrayUnique`.

use super::{expect_array, expect_integer, expect_number, failure, java_round, Function};
use crate::error::StatesError;
use crate::value::Val;

/// The most items `States.ArrayRange` may produce.
pub const MAX_RANGE_ITEMS: usize = 1000;

/// `States.ArrayPartition(array, size)`: chunks of `size` (rounded), the last one
/// possibly shorter.
pub(super) fn partition(args: &[Val]) -> Result<Val, StatesError> {
    let f = Function::ArrayPartition;
    let items = expect_array(f, args, 0)?;
    let size = java_round(expect_number(f, args, 1)?);
    if size <= 0 {
        return Err(failure(
            f,
            format!(
                "the chunk size must be a positive integer but was {}",
                args[1]
            ),
        ));
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(Val::array(
        items.chunks(size).map(|c| Val::array(c.to_vec())).collect(),
    ))
}

/// `States.ArrayContains(array, value)`: deep equality.
pub(super) fn contains(args: &[Val]) -> Result<Val, StatesError> {
    let items = expect_array(Function::ArrayContains, args, 0)?;
    let needle = args.get(1).unwrap_or(&Val::Null);
    Ok(Val::Bool(items.iter().any(|v| v == needle)))
}

/// `States.ArrayRange(first, last, step)`: `last` only when a step lands on it;
/// at most [`MAX_RANGE_ITEMS`] items.
pub(super) fn range(args: &[Val]) -> Result<Val, StatesError> {
    let f = Function::ArrayRange;
    let first = expect_integer(f, args, 0)?;
    let last = expect_integer(f, args, 1)?;
    let step = expect_integer(f, args, 2)?;
    if step == 0 {
        return Err(failure(f, "the step must not be 0"));
    }
    let span = i128::from(last) - i128::from(first);
    let count = if span == 0 {
        1
    } else if (span > 0) != (step > 0) {
        0
    } else {
        span / i128::from(step) + 1
    };
    if count > MAX_RANGE_ITEMS as i128 {
        return Err(failure(
            f,
            format!("the range would have {count} items; at most {MAX_RANGE_ITEMS} are allowed"),
        ));
    }
    let items = (0..count)
        .map(|i| Val::int((i128::from(first) + i * i128::from(step)) as i64))
        .collect();
    Ok(Val::array(items))
}

/// `States.ArrayGetItem(array, index)`: the 0-based element.
pub(super) fn get_item(args: &[Val]) -> Result<Val, StatesError> {
    let f = Function::ArrayGetItem;
    let items = expect_array(f, args, 0)?;
    let index = expect_integer(f, args, 1)?;
    usize::try_from(index)
        .ok()
        .and_then(|i| items.get(i))
        .cloned()
        .ok_or_else(|| {
            failure(
                f,
                format!(
                    "index {index} is out of bounds for an array of length {}",
                    items.len()
                ),
            )
        })
}

/// `States.ArrayLength(array)`.
pub(super) fn length(args: &[Val]) -> Result<Val, StatesError> {
    let items = expect_array(Function::ArrayLength, args, 0)?;
    Ok(Val::int(items.len() as i64))
}

/// `States.ArrayUnique(array)`: first occurrences, in order, by deep equality.
pub(super) fn unique(args: &[Val]) -> Result<Val, StatesError> {
    let items = expect_array(Function::ArrayUnique, args, 0)?;
    let mut out: Vec<Val> = Vec::with_capacity(items.len());
    for v in items {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    if out.len() == items.len() {
        return Ok(args[0].clone());
    }
    Ok(Val::array(out))
}
