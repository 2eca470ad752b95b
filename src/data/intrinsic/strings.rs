//! `States.StringSplit`.

use super::{expect_str, Function};
use crate::error::StatesError;
use crate::value::Val;

/// `States.StringSplit(string, delimiters)`: `delimiters` is a set of characters
/// (Java `StringTokenizer`); empty tokens are dropped.
pub(super) fn split(args: &[Val]) -> Result<Val, StatesError> {
    let text = expect_str(Function::StringSplit, args, 0)?;
    let delims = expect_str(Function::StringSplit, args, 1)?;
    let tokens = if delims.chars().count() == 1 {
        let d = delims.chars().next().unwrap_or_default();
        text.split(d)
            .filter(|t| !t.is_empty())
            .map(Val::string)
            .collect()
    } else {
        text.split(|c: char| delims.contains(c))
            .filter(|t| !t.is_empty())
            .map(Val::string)
            .collect()
    };
    Ok(Val::array(tokens))
}
