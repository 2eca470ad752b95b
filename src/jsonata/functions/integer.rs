//! `$formatInteger` and `$parseInteger` with XPath `format-integer` pictures, as
//! jsonata-js implements them: decimal digits (any Unicode decimal digit family) with
//! grouping separators, `;o` ordinals, roman numerals (`I`/`i`), letters (`A`/`a`) and
//! English words (`W`/`w`/`Ww`).

use crate::jsonata::error::Error;
use crate::jsonata::eval::R;
use crate::jsonata::value::Value;

/// The zero of each Unicode decimal digit family jsonata-js recognises.
const ZEROS: &[u32] = &[
    0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10,
];

const FEW: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const ORDINALS: [&str; 20] = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
];
const DECADES: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const DECADE_ORDINALS: [&str; 8] = [
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
];
const MAGNITUDES: [&str; 4] = ["thousand", "million", "billion", "trillion"];

#[derive(Clone, Copy, PartialEq)]
enum Case {
    Lower,
    Upper,
    Title,
}

enum Primary {
    Letters(Case),
    Roman(Case),
    Words(Case),
    Decimal {
        zero: u32,
        mandatory: usize,
        /// Separators as (digits to their right, character).
        separators: Vec<(usize, char)>,
        /// A regular grouping (every `n` digits), if the separators are regular.
        regular: Option<(usize, char)>,
    },
}

struct Picture {
    primary: Primary,
    ordinal: bool,
}

fn analyse(picture: &str) -> Result<Picture, Error> {
    let (primary, ordinal) = match picture.rfind(';') {
        Some(i) => (&picture[..i], picture[i + 1..].starts_with('o')),
        None => (picture, false),
    };
    let primary = match primary {
        "A" => Primary::Letters(Case::Upper),
        "a" => Primary::Letters(Case::Lower),
        "I" => Primary::Roman(Case::Upper),
        "i" => Primary::Roman(Case::Lower),
        "W" => Primary::Words(Case::Upper),
        "Ww" => Primary::Words(Case::Title),
        "w" => Primary::Words(Case::Lower),
        _ => decimal(primary)?,
    };
    Ok(Picture { primary, ordinal })
}

fn digit_family(c: char) -> Option<u32> {
    let c = c as u32;
    ZEROS.iter().copied().find(|z| c >= *z && c <= z + 9)
}

fn decimal(primary: &str) -> Result<Primary, Error> {
    let mut zero = None;
    let mut mandatory = 0;
    let mut position = 0;
    let mut separators = Vec::new();
    for c in primary.chars().rev() {
        if let Some(z) = digit_family(c) {
            mandatory += 1;
            position += 1;
            match zero {
                None => zero = Some(z),
                Some(existing) if existing != z => return Err(Error::new("D3131")),
                Some(_) => {}
            }
        } else if c == '#' {
            position += 1;
        } else {
            separators.push((position, c));
        }
    }
    let Some(zero) = zero else {
        return Err(Error::new("D3130").value(primary));
    };
    let regular = regular_repeat(&separators);
    Ok(Primary::Decimal {
        zero,
        mandatory,
        separators,
        regular,
    })
}

fn regular_repeat(separators: &[(usize, char)]) -> Option<(usize, char)> {
    let (_, ch) = *separators.first()?;
    if separators.iter().any(|(_, c)| *c != ch) {
        return None;
    }
    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let factor = separators.iter().fold(0, |g, (p, _)| gcd(g, *p));
    if factor == 0 {
        return None;
    }
    for i in 1..=separators.len() {
        if !separators.iter().any(|(p, _)| *p == i * factor) {
            return None;
        }
    }
    Some((factor, ch))
}

fn apply_case(s: String, case: Case) -> String {
    match case {
        Case::Lower => s,
        Case::Upper => s.to_uppercase(),
        Case::Title => s
            .split(' ')
            .map(|w| {
                if w == "and" {
                    return w.to_string();
                }
                w.split('-')
                    .map(|part| {
                        let mut cs = part.chars();
                        match cs.next() {
                            Some(f) => f.to_uppercase().chain(cs).collect(),
                            None => String::new(),
                        }
                    })
                    .collect::<Vec<String>>()
                    .join("-")
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn to_roman(mut n: f64) -> String {
    const TABLE: [(f64, &str); 13] = [
        (1000.0, "m"),
        (900.0, "cm"),
        (500.0, "d"),
        (400.0, "cd"),
        (100.0, "c"),
        (90.0, "xc"),
        (50.0, "l"),
        (40.0, "xl"),
        (10.0, "x"),
        (9.0, "ix"),
        (5.0, "v"),
        (4.0, "iv"),
        (1.0, "i"),
    ];
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

fn to_letters(mut n: f64, a: u8) -> String {
    let mut out = Vec::new();
    while n > 0.0 {
        out.push(a + ((n - 1.0) % 26.0) as u8);
        n = ((n - 1.0) / 26.0).floor();
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn words(num: f64, prev: bool, ord: bool) -> String {
    let mut w = String::new();
    if num <= 19.0 {
        if prev {
            w.push_str(" and ");
        }
        let i = num as usize;
        w.push_str(if ord { ORDINALS[i] } else { FEW[i] });
    } else if num < 100.0 {
        let tens = (num / 10.0).floor() as usize;
        let rem = num % 10.0;
        if prev {
            w.push_str(" and ");
        }
        w.push_str(if ord && rem == 0.0 {
            DECADE_ORDINALS[tens - 2]
        } else {
            DECADES[tens - 2]
        });
        if rem > 0.0 {
            w.push('-');
            w.push_str(&words(rem, false, ord));
        }
    } else if num < 1000.0 {
        let hundreds = (num / 100.0).floor() as usize;
        let rem = num % 100.0;
        if prev {
            w.push_str(", ");
        }
        w.push_str(FEW[hundreds]);
        w.push_str(" hundred");
        if rem > 0.0 {
            w.push_str(&words(rem, true, ord));
        } else if ord {
            w.push_str("th");
        }
    } else {
        let mag = ((num.log10() / 3.0).floor() as usize).min(MAGNITUDES.len());
        let factor = 10f64.powi(mag as i32 * 3);
        let mant = (num / factor).floor();
        let rem = num - mant * factor;
        if prev {
            w.push_str(", ");
        }
        w.push_str(&words(mant, false, false));
        w.push(' ');
        w.push_str(MAGNITUDES[mag - 1]);
        if rem > 0.0 {
            w.push_str(&words(rem, true, ord));
        } else if ord {
            w.push_str("th");
        }
    }
    w
}

fn format_decimal(
    n: f64,
    zero: u32,
    mandatory: usize,
    separators: &[(usize, char)],
    regular: Option<(usize, char)>,
    ordinal: bool,
) -> String {
    let digits = format!("{n:.0}");
    let mut chars: Vec<char> = "0"
        .repeat(mandatory.saturating_sub(digits.len()))
        .chars()
        .chain(digits.chars())
        .collect();
    if zero != 0x30 {
        for c in chars.iter_mut() {
            *c = char::from_u32(zero + (*c as u32 - 0x30)).unwrap_or(*c);
        }
    }
    if let Some((every, ch)) = regular {
        let groups = (chars.len() - 1) / every;
        for i in (1..=groups).rev() {
            let at = chars.len() - i * every;
            chars.insert(at, ch);
        }
    } else {
        for &(position, ch) in separators.iter().rev() {
            if position <= chars.len() {
                let at = chars.len() - position;
                chars.insert(at, ch);
            }
        }
    }
    let mut s: String = chars.into_iter().collect();
    if ordinal {
        let b = digits.as_bytes();
        let last = b[b.len() - 1];
        let tens = if b.len() > 1 { b[b.len() - 2] } else { b'0' };
        s.push_str(match (tens, last) {
            (b'1', _) => "th",
            (_, b'1') => "st",
            (_, b'2') => "nd",
            (_, b'3') => "rd",
            _ => "th",
        });
    }
    s
}

/// The largest number written in roman numerals (a thousand `M`s).
const MAX_ROMAN: f64 = 1_000_000.0;

/// `$formatInteger(number, picture)`.
pub(crate) fn format_integer(v: Option<Value>, picture: Option<Value>) -> R {
    let Some(n) = v.and_then(|v| v.as_f64()) else {
        return Ok(None);
    };
    let pic = picture
        .and_then(|p| p.as_str().map(str::to_string))
        .unwrap_or_default();
    let picture = analyse(&pic)?;
    let n = n.floor();
    let negative = n < 0.0;
    let n = n.abs();
    let body = match &picture.primary {
        Primary::Letters(case) => to_letters(n, if *case == Case::Upper { b'A' } else { b'a' }),
        Primary::Roman(_) if n > MAX_ROMAN => {
            // One `m` per thousand: beyond this the output would be absurdly long.
            return Err(Error::new("D3130").value(pic));
        }
        Primary::Roman(case) => {
            let r = to_roman(n);
            if *case == Case::Upper {
                r.to_uppercase()
            } else {
                r
            }
        }
        Primary::Words(case) => apply_case(words(n, false, picture.ordinal), *case),
        Primary::Decimal {
            zero,
            mandatory,
            separators,
            regular,
        } => format_decimal(n, *zero, *mandatory, separators, *regular, picture.ordinal),
    };
    let out = if negative { format!("-{body}") } else { body };
    Ok(Some(Value::String(out.into())))
}

fn word_value(w: &str) -> Option<f64> {
    if let Some(i) = FEW.iter().position(|x| *x == w) {
        return Some(i as f64);
    }
    if let Some(i) = ORDINALS.iter().position(|x| *x == w) {
        return Some(i as f64);
    }
    if let Some(i) = DECADES.iter().position(|x| *x == w) {
        return Some((i as f64 + 2.0) * 10.0);
    }
    if let Some(i) = DECADE_ORDINALS.iter().position(|x| *x == w) {
        return Some((i as f64 + 2.0) * 10.0);
    }
    if w == "hundred" || w == "hundredth" {
        return Some(100.0);
    }
    let base = w.strip_suffix("th").unwrap_or(w);
    MAGNITUDES
        .iter()
        .position(|x| *x == base)
        .map(|i| 10f64.powi(3 * (i as i32 + 1)))
}

fn from_words(text: &str) -> Option<f64> {
    let lower = text.to_lowercase();
    let normalized = lower.replace(", ", " ").replace(" and ", " ");
    let mut segs = vec![0.0];
    for part in normalized.split([' ', '-']).filter(|p| !p.is_empty()) {
        let v = word_value(part)?;
        if v < 100.0 {
            let mut top = segs.pop().unwrap_or(0.0);
            if top >= 1000.0 {
                segs.push(top);
                top = 0.0;
            }
            segs.push(top + v);
        } else {
            let top = segs.pop().unwrap_or(0.0);
            segs.push(top * v);
        }
    }
    Some(segs.iter().sum())
}

fn from_roman(text: &str) -> Option<f64> {
    let value = |c: char| match c.to_ascii_uppercase() {
        'M' => Some(1000.0),
        'D' => Some(500.0),
        'C' => Some(100.0),
        'L' => Some(50.0),
        'X' => Some(10.0),
        'V' => Some(5.0),
        'I' => Some(1.0),
        _ => None,
    };
    let vals: Vec<f64> = text.chars().map(value).collect::<Option<_>>()?;
    let mut total = 0.0;
    for (i, v) in vals.iter().enumerate() {
        if vals.get(i + 1).is_some_and(|next| next > v) {
            total -= v;
        } else {
            total += v;
        }
    }
    Some(total)
}

fn from_letters(text: &str, a: char) -> Option<f64> {
    let mut n = 0.0;
    for c in text.chars() {
        let d = (c as u32).checked_sub(a as u32)?;
        if d >= 26 {
            return None;
        }
        n = n * 26.0 + d as f64 + 1.0;
    }
    Some(n)
}

/// `$parseInteger(string, picture)`.
pub(crate) fn parse_integer(v: Option<Value>, picture: Option<Value>) -> R {
    let Some(Value::String(s)) = v else {
        return Ok(None);
    };
    let pic = picture
        .and_then(|p| p.as_str().map(str::to_string))
        .unwrap_or_default();
    let picture = analyse(&pic)?;
    let parsed = match &picture.primary {
        Primary::Letters(case) => from_letters(&s, if *case == Case::Upper { 'A' } else { 'a' }),
        Primary::Roman(_) => from_roman(&s),
        Primary::Words(_) => from_words(&s),
        Primary::Decimal {
            zero, separators, ..
        } => {
            let mut text: &str = &s;
            if picture.ordinal {
                for suffix in ["st", "nd", "rd", "th"] {
                    if let Some(t) = text.strip_suffix(suffix) {
                        text = t;
                        break;
                    }
                }
            }
            let mut n = 0.0;
            let mut ok = !text.is_empty();
            for c in text.chars() {
                match (c as u32).checked_sub(*zero) {
                    Some(d) if d < 10 => n = n * 10.0 + d as f64,
                    _ if separators.iter().any(|(_, sc)| *sc == c) => {}
                    _ => ok = false,
                }
            }
            ok.then_some(n)
        }
    };
    match parsed {
        Some(n) => Ok(Some(Value::Number(n))),
        None => Err(Error::new("D3137").message(format!("Unable to parse integer: {s}"))),
    }
}
