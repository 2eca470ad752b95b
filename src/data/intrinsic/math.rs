//! `States.MathAdd` and `States.MathRandom`.

use super::{expect_number, failure, java_round, Function};
use crate::data::Env;
use crate::error::StatesError;
use crate::value::Val;

/// `States.MathAdd(a, b)`: each operand rounded half-up (Java `Math.round`), then added.
pub(super) fn add(args: &[Val]) -> Result<Val, StatesError> {
    // Integers that f64 holds exactly round to themselves: add them directly.
    const EXACT: i64 = 1 << 53;
    if let [a, b] = args {
        if let (Some(a), Some(b)) = (a.as_i64(), b.as_i64()) {
            if (-EXACT..=EXACT).contains(&a) && (-EXACT..=EXACT).contains(&b) {
                return Ok(Val::int(a + b));
            }
        }
    }
    let f = Function::MathAdd;
    let a = java_round(expect_number(f, args, 0)?);
    let b = java_round(expect_number(f, args, 1)?);
    a.checked_add(b)
        .map(Val::int)
        .ok_or_else(|| failure(f, "the sum is out of range"))
}

/// `States.MathRandom(start, end[, seed])`: an integer in `[start, end)`, bounds
/// rounded. With a seed the draw is deterministic (`java.util.Random(seed).nextInt`);
/// without one it comes from the execution's random source.
pub(super) fn random(args: &[Val], env: &Env<'_>) -> Result<Val, StatesError> {
    let f = Function::MathRandom;
    let start = java_round(expect_number(f, args, 0)?);
    let end = java_round(expect_number(f, args, 1)?);
    if start >= end {
        return Err(failure(
            f,
            format!("the start ({start}) must be less than the end ({end})"),
        ));
    }
    let span = (i128::from(end) - i128::from(start)) as u128;
    let offset = if args.len() > 2 {
        let seed = java_round(expect_number(f, args, 2)?);
        match u32::try_from(span) {
            Ok(bound) if bound <= i32::MAX as u32 => {
                u128::from(JavaRandom::new(seed).next_int(bound as i32) as u32)
            }
            _ => u128::from(JavaRandom::new(seed).next_long() as u64) % span,
        }
    } else {
        u128::from(env.random.next_u64()) % span
    };
    Ok(Val::int((i128::from(start) + offset as i128) as i64))
}

/// `java.util.Random`: the 48-bit linear congruential generator.
struct JavaRandom {
    seed: u64,
}

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: i64) -> JavaRandom {
        JavaRandom {
            seed: (seed as u64 ^ Self::MULTIPLIER) & Self::MASK,
        }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.seed = (self.seed.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB)) & Self::MASK;
        (self.seed >> (48 - bits)) as i64 as i32
    }

    fn next_int(&mut self, bound: i32) -> i32 {
        let mut r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            return ((i64::from(bound) * i64::from(r)) >> 31) as i32;
        }
        let mut u = r;
        loop {
            r = u % bound;
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                return r;
            }
            u = self.next(31);
        }
    }

    fn next_long(&mut self) -> i64 {
        let hi = i64::from(self.next(32));
        let lo = i64::from(self.next(32));
        (hi << 32).wrapping_add(lo)
    }
}

#[cfg(test)]
mod tests {
    use super::JavaRandom;

    #[test]
    fn java_random_matches_the_jdk() {
        // new java.util.Random(42).nextInt(10) == 0, nextInt(100) == 30;
        // new Random(1).nextInt(100) == 85.
        assert_eq!(JavaRandom::new(42).next_int(10), 0);
        assert_eq!(JavaRandom::new(42).next_int(100), 30);
        assert_eq!(JavaRandom::new(1).next_int(100), 85);
        // new Random(42).nextInt() == -1170105035
        assert_eq!(JavaRandom::new(42).next(32), -1170105035);
    }
}
