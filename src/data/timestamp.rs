//! RFC 3339 timestamps: parsing (Wait `Timestamp`, Choice `Timestamp*`) and the
//! `YYYY-MM-DDTHH:MM:SS.mmmZ` format AWS uses for the context object and history.

use std::cmp::Ordering;
use std::fmt;

/// An instant, as seconds and nanoseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before).
    pub secs: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub nanos: u32,
}

impl Timestamp {
    /// Parses an RFC 3339 date-time as AWS accepts it: `YYYY-MM-DDTHH:MM:SS`, an
    /// optional fraction of any length, then `Z` or `±HH:MM`. Upper-case `T` and `Z`
    /// only; no space separator; calendar fields checked. Returns `None` otherwise.
    pub fn parse(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        if b.len() < 20 {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let part = b.get(r)?;
            if !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(
                part.iter()
                    .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')),
            )
        };
        let year = num(0..4)?;
        let month = num(5..7)?;
        let day = num(8..10)?;
        let hour = num(11..13)?;
        let minute = num(14..16)?;
        let second = num(17..19)?;
        if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let mut i = 19;
        let mut nanos: u32 = 0;
        if b[i] == b'.' {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 9 {
                    nanos = nanos * 10 + u32::from(b[i] - b'0');
                }
                i += 1;
            }
            let digits = i - start;
            if digits == 0 {
                return None;
            }
            for _ in digits..9 {
                nanos *= 10;
            }
        }
        let offset_secs = match b.get(i)? {
            b'Z' if i + 1 == b.len() => 0,
            sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
                let oh = num(i + 1..i + 3)?;
                let om = num(i + 4..i + 6)?;
                if oh > 23 || om > 59 {
                    return None;
                }
                let off = oh * 3600 + om * 60;
                if *sign == b'+' {
                    off
                } else {
                    -off
                }
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_secs;
        Some(Timestamp { secs, nanos })
    }

    /// The instant `millis` milliseconds after the epoch.
    pub fn from_millis(millis: i64) -> Timestamp {
        Timestamp {
            secs: millis.div_euclid(1000),
            nanos: (millis.rem_euclid(1000) * 1_000_000) as u32,
        }
    }

    /// Milliseconds since the epoch (truncating sub-millisecond precision).
    pub fn as_millis(&self) -> i64 {
        self.secs * 1000 + i64::from(self.nanos / 1_000_000)
    }
}

impl PartialOrd<i64> for Timestamp {
    fn partial_cmp(&self, millis: &i64) -> Option<Ordering> {
        Some(self.as_millis().cmp(millis))
    }
}

impl PartialEq<i64> for Timestamp {
    fn eq(&self, millis: &i64) -> bool {
        self.as_millis() == *millis
    }
}

impl fmt::Display for Timestamp {
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, as AWS prints context-object timestamps.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            y,
            m,
            d,
            rem / 3600,
            (rem / 60) % 60,
            rem % 60,
            self.nanos / 1_000_000
        )
    }
}

/// Formats epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
///
/// Written digit by digit (years 0–9999; others go through `Display`): the context
/// object formats `EnteredTime` often, and the `fmt` machinery was a tenth of a
/// Map iteration's cost.
pub fn format_millis(millis: i64) -> String {
    let t = Timestamp::from_millis(millis);
    let days = t.secs.div_euclid(86_400);
    let rem = t.secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return t.to_string();
    }
    let ms = i64::from(t.nanos / 1_000_000);
    let mut b = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut v: i64| {
        for i in (at..at + width).rev() {
            b[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, y);
    put(5, 2, m);
    put(8, 2, d);
    put(11, 2, rem / 3600);
    put(14, 2, (rem / 60) % 60);
    put(17, 2, rem % 60);
    put(20, 3, ms);
    std::str::from_utf8(&b)
        .map(str::to_string)
        .unwrap_or_default()
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_forms_aws_accepts() {
        for ok in [
            "2016-03-14T01:59:00Z",
            "2016-03-14T01:59:00.000000Z",
            "2016-03-14T01:59:00.00Z",
            "2016-03-14T01:59:00+01:00",
            "2024-02-29T23:59:59-05:30",
        ] {
            assert!(Timestamp::parse(ok).is_some(), "{ok}");
        }
    }

    #[test]
    fn rejects_what_aws_rejects() {
        for bad in [
            "2016-03-14T01:59:00",
            "2016-03-14 01:59:00Z",
            "2016-13-14T01:59:00Z",
            "2016-03-14T25:59:00Z",
            "2016-03-14t01:59:00z",
            "2023-02-29T00:00:00Z",
            "2016-03-14T01:59:00.Z",
            "not a date",
            "",
        ] {
            assert!(Timestamp::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn offsets_give_the_same_instant() {
        let a = Timestamp::parse("2020-01-01T01:00:00+01:00").unwrap();
        let b = Timestamp::parse("2020-01-01T00:00:00Z").unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn formats_with_milliseconds_and_z() {
        for ms in [
            -1,
            -86_400_001,
            951_782_400_000,
            4_102_444_800_999,
            253_402_300_799_999,
            253_402_300_800_000,
            -62_167_219_200_001,
        ] {
            assert_eq!(format_millis(ms), Timestamp::from_millis(ms).to_string());
        }
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
        let t = Timestamp::parse("2024-02-29T23:59:59.1234Z").unwrap();
        assert_eq!(t.to_string(), "2024-02-29T23:59:59.123Z");
        assert_eq!(format_millis(t.as_millis()), "2024-02-29T23:59:59.123Z");
    }
}
