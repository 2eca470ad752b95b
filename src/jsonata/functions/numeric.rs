//! Numeric functions: aggregation, casting, rounding, `$formatBase`, `$formatNumber`.

use crate::jsonata::error::Error;
use crate::jsonata::eval::R;
use crate::jsonata::value::{format_number as js_number, Value};

fn nums(v: &Value) -> Vec<f64> {
    v.items().iter().filter_map(|x| x.as_f64()).collect()
}

/// `$sum`.
pub(crate) fn sum(v: Option<Value>) -> R {
    Ok(v.map(|v| Value::Number(nums(&v).iter().sum())))
}

/// `$max` / `$min`.
pub(crate) fn max_min(v: Option<Value>, max: bool) -> R {
    let Some(v) = v else { return Ok(None) };
    let ns = nums(&v);
    if ns.is_empty() {
        return Ok(None);
    }
    let r = ns.iter().copied().fold(
        if max {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        },
        |a, b| if max { a.max(b) } else { a.min(b) },
    );
    Ok(Some(Value::Number(r)))
}

/// `$average`.
pub(crate) fn average(v: Option<Value>) -> R {
    let Some(v) = v else { return Ok(None) };
    let ns = nums(&v);
    if ns.is_empty() {
        return Ok(None);
    }
    Ok(Some(Value::Number(
        ns.iter().sum::<f64>() / ns.len() as f64,
    )))
}

/// `$number`.
pub(crate) fn number(v: Option<Value>) -> R {
    let Some(v) = v else { return Ok(None) };
    match &v {
        Value::Number(_) => Ok(Some(v)),
        Value::Bool(b) => Ok(Some(Value::Number(if *b { 1.0 } else { 0.0 }))),
        Value::String(s) => {
            if let Some(n) = parse_js_number(s) {
                return Ok(Some(Value::Number(n)));
            }
            Err(Error::new("D3030").value(v.describe()))
        }
        _ => Err(Error::new("D3030").value(v.describe())),
    }
}

fn parse_js_number(s: &str) -> Option<f64> {
    let radix = |p: &str, r: u32| {
        let digits = s.get(2..)?;
        if s.len() > 2 && s[..2].eq_ignore_ascii_case(p) && !digits.is_empty() {
            u64::from_str_radix(digits, r).ok().map(|n| n as f64)
        } else {
            None
        }
    };
    if let Some(n) = radix("0x", 16)
        .or_else(|| radix("0o", 8))
        .or_else(|| radix("0b", 2))
    {
        return Some(n);
    }
    let b = s.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int = &s[digits_start..i];
    if int.is_empty() {
        return None;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == f {
            return None;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == f {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `$floor`, `$ceil`, `$abs`.
pub(crate) fn unary(v: Option<Value>, f: fn(f64) -> f64) -> R {
    Ok(v.and_then(|v| v.as_f64())
        .map(|n| Value::Number(f(n) + 0.0)))
}

/// `$sqrt`.
pub(crate) fn sqrt(v: Option<Value>) -> R {
    let Some(n) = v.and_then(|v| v.as_f64()) else {
        return Ok(None);
    };
    if n < 0.0 {
        return Err(Error::new("D3060").value(js_number(n)));
    }
    Ok(Some(Value::Number(n.sqrt())))
}

/// `$power`.
pub(crate) fn power(b: Option<Value>, e: Option<Value>) -> R {
    let (Some(b), Some(e)) = (b.and_then(|v| v.as_f64()), e.and_then(|v| v.as_f64())) else {
        return Ok(None);
    };
    let r = b.powf(e);
    if !r.is_finite() {
        return Err(Error::new("D3061").value(js_number(b)));
    }
    Ok(Some(Value::Number(r)))
}

fn shift(n: f64, by: i32) -> f64 {
    let s = js_number(n);
    let (m, e) = match s.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
        None => (s, 0),
    };
    format!("{m}e{}", e + by).parse().unwrap_or(n)
}

/// Banker's rounding to `precision` decimal places.
pub(crate) fn round_half_even(n: f64, precision: i32) -> f64 {
    let mut arg = n;
    if precision != 0 {
        arg = shift(arg, precision);
    }
    let mut result = (arg + 0.5).floor();
    let diff = result - arg;
    if diff.abs() == 0.5 && (result % 2.0).abs() == 1.0 {
        result -= 1.0;
    }
    if precision != 0 {
        result = shift(result, -precision);
    }
    if result == 0.0 {
        0.0
    } else {
        result
    }
}

/// `$round`.
pub(crate) fn round(v: Option<Value>, precision: Option<Value>) -> R {
    let Some(n) = v.and_then(|v| v.as_f64()) else {
        return Ok(None);
    };
    let p = precision.and_then(|v| v.as_f64()).unwrap_or(0.0) as i32;
    Ok(Some(Value::Number(round_half_even(n, p))))
}

/// `$formatBase`.
pub(crate) fn format_base(v: Option<Value>, radix: Option<Value>) -> R {
    let Some(n) = v.and_then(|v| v.as_f64()) else {
        return Ok(None);
    };
    let n = round_half_even(n, 0);
    let radix = radix.and_then(|r| r.as_f64()).unwrap_or(10.0);
    if !(2.0..=36.0).contains(&radix) {
        return Err(Error::new("D3100").value(js_number(radix)));
    }
    let radix = radix as u32;
    let neg = n < 0.0;
    let mut x = n.abs() as u128;
    let mut digits = Vec::new();
    loop {
        digits.push(std::char::from_digit((x % radix as u128) as u32, radix).unwrap_or('0'));
        x /= radix as u128;
        if x == 0 {
            break;
        }
    }
    if neg {
        digits.push('-');
    }
    digits.reverse();
    Ok(Some(Value::String(
        digits.into_iter().collect::<String>().into(),
    )))
}

/// `$formatNumber` with an XPath decimal-format picture (the common subset:
/// `#`, `0`, grouping `,`, decimal `.`, `%`, `‰`, exponent `e`, prefix/suffix).
pub(crate) fn format_number(v: Option<Value>, picture: Option<Value>, options: Option<Value>) -> R {
    let Some(n) = v.and_then(|v| v.as_f64()) else {
        return Ok(None);
    };
    let picture = picture
        .as_ref()
        .and_then(|p| p.as_str())
        .unwrap_or("")
        .to_string();
    let opt = |k: &str, d: &str| -> String {
        options
            .as_ref()
            .and_then(|o| o.field(k))
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| d.to_string())
    };
    let decimal_sep = opt("decimal-separator", ".");
    let group_sep = opt("grouping-separator", ",");
    let zero = opt("zero-digit", "0");
    let percent = opt("percent", "%");
    let per_mille = opt("per-mille", "\u{2030}");
    let minus = opt("minus-sign", "-");
    let exp_sep = opt("exponent-separator", "e");
    let digit = opt("digit", "#");
    let pattern_sep = opt("pattern-separator", ";");
    let zero_c = zero.chars().next().unwrap_or('0');
    let subs: Vec<&str> = picture.split(pattern_sep.as_str()).collect();
    if subs.len() > 2 {
        return Err(Error::new("D3080"));
    }
    let sub = if n < 0.0 && subs.len() == 2 {
        subs[1]
    } else {
        subs[0]
    };
    let is_active = |c: char| {
        c.is_ascii_digit()
            || (c as u32 >= zero_c as u32 && (c as u32) < zero_c as u32 + 10)
            || decimal_sep.starts_with(c)
            || group_sep.starts_with(c)
            || digit.starts_with(c)
            || exp_sep.starts_with(c)
    };
    let chars: Vec<char> = sub.chars().collect();
    let first = chars
        .iter()
        .position(|c| is_active(*c) && !exp_sep.starts_with(*c))
        .unwrap_or(chars.len());
    let last = chars
        .iter()
        .rposition(|c| is_active(*c) && !exp_sep.starts_with(*c))
        .map(|i| i + 1)
        .unwrap_or(first);
    let prefix: String = chars[..first].iter().collect();
    let suffix: String = chars[last.max(first)..].iter().collect();
    let body: String = chars[first..last.max(first)].iter().collect();
    if body.matches(decimal_sep.as_str()).count() > 1 {
        return Err(Error::new("D3081"));
    }
    let (mant_pic, exp_pic) = match body.find(exp_sep.as_str()) {
        Some(i) if !exp_sep.is_empty() => (
            body[..i].to_string(),
            Some(body[i + exp_sep.len()..].to_string()),
        ),
        _ => (body.clone(), None),
    };
    let (int_pic, frac_pic) = match mant_pic.find(decimal_sep.as_str()) {
        Some(i) => (
            mant_pic[..i].to_string(),
            mant_pic[i + decimal_sep.len()..].to_string(),
        ),
        None => (mant_pic.clone(), String::new()),
    };
    let is_digit_char = |c: char| {
        c.is_ascii_digit() || (c as u32 >= zero_c as u32 && (c as u32) < zero_c as u32 + 10)
    };
    let min_int = int_pic.chars().filter(|c| is_digit_char(*c)).count();
    let min_frac = frac_pic.chars().filter(|c| is_digit_char(*c)).count();
    let max_frac = frac_pic
        .chars()
        .filter(|c| is_digit_char(*c) || digit.starts_with(*c))
        .count();
    // grouping positions in the integer part
    let int_clean: Vec<char> = int_pic.chars().collect();
    let mut group_positions = Vec::new();
    let mut count = 0;
    for c in int_clean.iter().rev() {
        if group_sep.starts_with(*c) {
            group_positions.push(count);
        } else {
            count += 1;
        }
    }
    let regular = if let Some(&g) = group_positions.first() {
        if g > 0
            && group_positions
                .iter()
                .enumerate()
                .all(|(i, p)| *p == g * (i + 1))
        {
            Some(g)
        } else {
            None
        }
    } else {
        None
    };
    let mut value = n.abs();
    if suffix.contains(percent.as_str()) || prefix.contains(percent.as_str()) {
        value *= 100.0;
    } else if suffix.contains(per_mille.as_str()) || prefix.contains(per_mille.as_str()) {
        value *= 1000.0;
    }
    let mut exponent = 0i32;
    if let Some(ep) = &exp_pic {
        let _ = ep;
        if value != 0.0 {
            let max_int = min_int.max(1) as i32;
            exponent = value.log10().floor() as i32 + 1 - max_int;
            value /= 10f64.powi(exponent);
        }
    }
    let rounded = round_half_even(value, max_frac as i32);
    let s = format!("{:.*}", max_frac, rounded);
    let (ip, fp) = match s.split_once('.') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (s.clone(), String::new()),
    };
    let mut fp = fp;
    while fp.len() > min_frac && fp.ends_with('0') {
        fp.pop();
    }
    let mut ip = ip.trim_start_matches('0').to_string();
    while ip.len() < min_int {
        ip.insert(0, '0');
    }
    if ip.is_empty() && fp.is_empty() {
        ip.push('0');
    }
    // grouping
    let mut grouped = String::new();
    let ipc: Vec<char> = ip.chars().collect();
    for (i, c) in ipc.iter().enumerate() {
        let from_right = ipc.len() - i;
        grouped.push(*c);
        let rem = from_right - 1;
        if rem > 0 {
            let put = match regular {
                Some(g) => rem % g == 0,
                None => group_positions.contains(&rem),
            };
            if put {
                grouped.push_str(&group_sep);
            }
        }
    }
    let map_digits = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    char::from_u32(zero_c as u32 + (c as u32 - '0' as u32)).unwrap_or(c)
                } else {
                    c
                }
            })
            .collect()
    };
    let mut out = map_digits(&grouped);
    if !fp.is_empty() {
        out.push_str(&decimal_sep);
        out.push_str(&map_digits(&fp));
    }
    if let Some(ep) = &exp_pic {
        let min_exp = ep.chars().filter(|c| is_digit_char(*c)).count();
        let mut es = exponent.abs().to_string();
        while es.len() < min_exp {
            es.insert(0, '0');
        }
        out.push_str(&exp_sep);
        if exponent < 0 {
            out.push_str(&minus);
        }
        out.push_str(&map_digits(&es));
    }
    let mut result = format!("{prefix}{out}{suffix}");
    if n < 0.0 && subs.len() == 1 {
        result = format!("{minus}{result}");
    }
    Ok(Some(Value::String(result.into())))
}
