//! The compact-JSON byte length of a value, cached on arrays and objects.

use super::words::{u32_at, u64_at};
use super::Val;
use std::io;

/// A writer that only counts bytes.
struct Counter(usize);

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Length of a string as a JSON string literal (quotes and escapes included), as
/// serde_json writes it: `\"`, `\\`, `\b`, `\t`, `\n`, `\f`, `\r` take two bytes,
/// other control characters six (`\u00XX`), everything else itself.
///
/// Eight bytes at a time: a word with no control character, quote or backslash
/// (the common case) adds nothing; only a word that has one is looked up per byte.
pub(crate) fn of_str(s: &str) -> usize {
    let bytes = s.as_bytes();
    let n = bytes.len();
    if n < 4 {
        // Up to three bytes: a table lookup each.
        return n + 2 + extra_of(bytes);
    }
    if n < 8 {
        // Four to seven bytes as one word of two overlapping 4-byte reads (a byte
        // read twice is tested twice, which only matters when the word has an
        // escape: then each byte is looked up once).
        let w = u64::from(u32_at(bytes, 0)) | u64::from(u32_at(bytes, n - 4)) << 32;
        return n + 2 + if needs_escape(w) { extra_of(bytes) } else { 0 };
    }
    let mut extra = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        if needs_escape(u64_at(chunk, 0)) {
            extra += extra_of(chunk);
        }
    }
    // The last 1 to 7 bytes: the word that ends the string (overlapping the last
    // chunk) is tested; only on a hit are the remaining bytes looked up.
    let rest = chunks.remainder();
    if !rest.is_empty() && needs_escape(u64_at(bytes, n - 8)) {
        extra += extra_of(rest);
    }
    n + 2 + extra
}

/// The bytes the escapes of `bytes` add, one table lookup per byte.
#[inline]
fn extra_of(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .map(|&c| usize::from(EXTRA[usize::from(c)]))
        .sum::<usize>()
}

/// `true` when some byte of `w` is below 0x20, `"` or `\` (may also say `true`
/// for a word without one, never `false` for a word with one).
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit of a byte set where the byte is below 0x20 / zero after the xor.
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    let q = w ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let b = w ^ (ONES * u64::from(b'\\'));
    let backslash = b.wrapping_sub(ONES) & !b;
    (control | quote | backslash) & HIGH != 0
}

/// The bytes an escape adds to each byte value: 1 for `\"`, `\\` and the
/// one-letter control escapes, 5 for the other control characters (`\u00XX`).
static EXTRA: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = 5;
        c += 1;
    }
    t[0x08] = 1;
    t[0x09] = 1;
    t[0x0A] = 1;
    t[0x0C] = 1;
    t[0x0D] = 1;
    t[b'"' as usize] = 1;
    t[b'\\' as usize] = 1;
    t
};

/// Decimal digits of `n` (at least one).
fn digits(n: u64) -> usize {
    // Most numbers in payloads are small: compare before dividing.
    match n {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        1_000..=9_999 => 4,
        _ => n.ilog10() as usize + 1,
    }
}

/// Length of a number as serde_json writes it: integers counted directly, floats
/// through serde_json's own formatter.
fn of_number(n: &serde_json::Number) -> usize {
    if let Some(u) = n.as_u64() {
        return digits(u);
    }
    if let Some(i) = n.as_i64() {
        return 1 + digits(i.unsigned_abs());
    }
    let mut c = Counter(0);
    let _ = serde_json::to_writer(&mut c, n);
    c.0
}

/// The compact-JSON length of `v` when it costs no traversal: scalars (a string is
/// scanned), and arrays and objects whose length is cached.
#[inline]
pub(super) fn known(v: &Val) -> Option<usize> {
    // Scalars directly: `of` is the recursive traversal, whose call costs more
    // than a scalar's length.
    match v {
        Val::Array(a) => a.json_len.get(),
        Val::Object(o) => o.json_len.get(),
        Val::Null | Val::Bool(true) => Some(4),
        Val::Bool(false) => Some(5),
        Val::Number(n) => Some(of_number(n)),
        Val::String(s) => Some(of_str(s)),
    }
}

/// [`of`] for a member of an array or object: scalars and nodes whose length is
/// cached without the recursive call (whose frame costs more than a scalar).
/// Also [`Val::json_len`]'s body: a payload check of a value whose length is
/// cached costs no call.
#[inline(always)]
pub(super) fn of_member(v: &Val) -> usize {
    match known(v) {
        Some(n) => n,
        None => of(v),
    }
}

/// Compact-JSON byte length of `v`.
pub(super) fn of(v: &Val) -> usize {
    match v {
        Val::Null => 4,
        Val::Bool(true) => 4,
        Val::Bool(false) => 5,
        Val::Number(n) => of_number(n),
        Val::String(s) => of_str(s),
        Val::Array(a) => a.json_len.get_or_init(|| {
            let items = &a.items;
            2 + items.iter().map(of_member).sum::<usize>() + items.len().saturating_sub(1)
        }),
        Val::Object(o) => o.json_len.get_or_init(|| {
            let map: &super::ObjectNode = o;
            2 + map
                .iter()
                .map(|(k, v)| of_str(k) + 1 + of_member(v))
                .sum::<usize>()
                + map.len().saturating_sub(1)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn lengths_match_serde_json() {
        let mut all = String::new();
        for b in 0u8..128 {
            all.push(char::from(b));
        }
        let long = format!("{all}{all}é\u{2028}😀 and a longer tail with no escapes");
        for s in [
            &all[..],
            &long[..],
            "",
            "plain",
            "exactly8",
            "sixteen chars!!!",
            "é\u{2028}😀",
            "\"\\/",
            "0123456789\"",
            "01234567\\",
            "a\u{7f}\u{80}\u{ff}",
            "\n",
            "a\tb\u{1}",
            "\u{1f}\"é",
            "1234567",
        ] {
            assert_eq!(of_str(s), serde_json::to_string(s).unwrap().len(), "{s:?}");
        }
        for text in [
            "0",
            "7",
            "10",
            "99",
            "100",
            "9999",
            "10000",
            "-1",
            "-10",
            "18446744073709551615",
            "-9223372036854775808",
            "1.5",
            "-0.0",
            "1e300",
            "123456.789",
        ] {
            let v = Val::from_json_str(text).unwrap();
            assert_eq!(of(&v), v.to_json_string().len(), "{text}");
        }
    }

    #[test]
    fn an_escape_at_any_position_of_short_and_long_strings_is_counted() {
        // Every length around the word sizes, with one escape (or a multi-byte
        // character) at every position: the overlapping word reads count it once.
        for len in 0..26 {
            let plain = "a".repeat(len);
            assert_eq!(of_str(&plain), len + 2, "{plain:?}");
            for pos in 0..len {
                for c in ['"', '\\', '\n', '\u{1}', '\u{1f}', 'é'] {
                    let mut s = plain.clone();
                    s.replace_range(pos..pos + 1, &c.to_string());
                    assert_eq!(
                        of_str(&s),
                        serde_json::to_string(&s).unwrap().len(),
                        "{s:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn nested_lengths_mix_cached_and_uncounted_members() {
        // Parsed values have their lengths cached; values built in code do not.
        let parsed = Val::from_json_str(r#"{"a":[1,"x\"y",{"b":null}],"c":true}"#).unwrap();
        let built = || {
            Val::object_from([
                (Arc::from("k\n"), Val::array(vec![Val::int(-12), Val::Null])),
                (Arc::from("s"), Val::string("tab\t")),
            ])
        };
        let doc = Val::array(vec![
            parsed.clone(),
            built(),
            Val::object_from([
                (Arc::from("inner"), built()),
                (Arc::from("p"), parsed),
                (Arc::from("f"), Val::float(2.5)),
                (Arc::from("e"), Val::array(Vec::new())),
            ]),
            Val::Bool(false),
        ]);
        assert_eq!(of(&doc), doc.to_json_string().len());
        // Asked again: the cached lengths give the same answer.
        assert_eq!(of(&doc), doc.to_json_string().len());
    }
}
