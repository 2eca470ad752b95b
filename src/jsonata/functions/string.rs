//! String functions, including the regex-taking ones (`$match`, `$contains`, `$split`,
//! `$replace`). Regexes use the `regex` crate; JavaScript's lookaround and
//! backreferences are not supported and fail to compile with D3200.

use crate::jsonata::error::Error;
use crate::jsonata::eval::{Ctx, Env, R};
use crate::jsonata::value::{format_number, to_precision_15, Func, ObjMap, Value};
use base64::Engine as _;
use std::sync::Arc;

/// `$string` / `&` casting: strings as-is, everything else as (JS-formatted) JSON.
pub(crate) fn to_string(v: &Value, pretty: bool) -> Result<String, Error> {
    match v {
        Value::String(s) => Ok(s.to_string()),
        Value::Function(_) => Ok(String::new()),
        Value::Number(n) if !n.is_finite() => Err(Error::new("D3001").value(format_number(*n))),
        _ => {
            let mut out = String::new();
            write_json(v, pretty, 0, &mut out)?;
            Ok(out)
        }
    }
}

fn indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_json(v: &Value, pretty: bool, level: usize, out: &mut String) -> Result<(), Error> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_finite() {
                out.push_str(&format_number(to_precision_15(*n)))
            } else {
                return Err(Error::new("D1001").value(format_number(*n)));
            }
        }
        Value::String(s) => out.push_str(&serde_json::to_string(&**s).unwrap_or_default()),
        Value::Function(_) => out.push_str("\"\""),
        Value::Tuple(t) => match &t.at {
            Some(v) => write_json(v, pretty, level, out)?,
            None => out.push_str("null"),
        },
        Value::Array(a) => {
            if a.items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in a.items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if pretty {
                    indent(out, level + 1);
                }
                write_json(item, pretty, level + 1, out)?;
            }
            if pretty {
                indent(out, level);
            }
            out.push(']');
        }
        Value::Object(_) => {
            let entries = v.entries();
            if entries.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, val)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if pretty {
                    indent(out, level + 1);
                }
                out.push_str(&serde_json::to_string(&**k).unwrap_or_default());
                out.push(':');
                if pretty {
                    out.push(' ');
                }
                write_json(val, pretty, level + 1, out)?;
            }
            if pretty {
                indent(out, level);
            }
            out.push('}');
        }
    }
    Ok(())
}

fn s(v: &Option<Value>) -> Option<Arc<str>> {
    match v {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Converts a JS-style (possibly fractional) index to an integer.
fn to_int(n: f64) -> i64 {
    if n.is_nan() {
        0
    } else {
        n.trunc() as i64
    }
}

/// JS `Array.prototype.slice` bounds.
fn slice_bounds(len: i64, start: i64, end: Option<i64>) -> (usize, usize) {
    let norm = |i: i64| {
        if i < 0 {
            (len + i).max(0)
        } else {
            i.min(len)
        }
    };
    let a = norm(start);
    let b = end.map(norm).unwrap_or(len);
    (a as usize, b.max(a) as usize)
}

/// `$substring` (by code points).
pub(crate) fn substring(str: Option<Value>, start: Option<Value>, length: Option<Value>) -> R {
    let Some(st) = s(&str) else { return Ok(None) };
    let chars: Vec<char> = st.chars().collect();
    let len = chars.len() as i64;
    let mut start = to_int(start.and_then(|v| v.as_f64()).unwrap_or(0.0));
    if len + start < 0 {
        start = 0;
    }
    let (a, b) = match length.and_then(|v| v.as_f64()) {
        Some(l) => {
            if l <= 0.0 {
                return Ok(Some(Value::str("")));
            }
            let l = to_int(l.min(1e15));
            let end = if start >= 0 {
                start + l
            } else {
                len + start + l
            };
            slice_bounds(len, start, Some(end))
        }
        None => slice_bounds(len, start, None),
    };
    Ok(Some(Value::String(
        chars[a..b].iter().collect::<String>().into(),
    )))
}

/// `$substringBefore`.
pub(crate) fn substring_before(str: Option<Value>, chars: Option<Value>) -> R {
    let Some(st) = s(&str) else { return Ok(None) };
    let Some(c) = s(&chars) else {
        return Ok(Some(Value::String(st)));
    };
    Ok(Some(match st.find(&*c) {
        Some(i) => Value::str(&st[..i]),
        None => Value::String(st),
    }))
}

/// `$substringAfter`.
pub(crate) fn substring_after(str: Option<Value>, chars: Option<Value>) -> R {
    let Some(st) = s(&str) else { return Ok(None) };
    let Some(c) = s(&chars) else {
        return Ok(Some(Value::String(st)));
    };
    Ok(Some(match st.find(&*c) {
        Some(i) => Value::str(&st[i + c.len()..]),
        None => Value::String(st),
    }))
}

/// `$trim`.
pub(crate) fn trim(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_ws = false;
    for c in s.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            if !in_ws {
                out.push(' ');
            }
            in_ws = true;
        } else {
            out.push(c);
            in_ws = false;
        }
    }
    let out = out.strip_prefix(' ').unwrap_or(&out);
    out.strip_suffix(' ').unwrap_or(out).to_string()
}

/// `$pad`.
pub(crate) fn pad(str: Option<Value>, width: Option<Value>, ch: Option<Value>) -> R {
    let Some(st) = s(&str) else { return Ok(None) };
    let width = width.and_then(|v| v.as_f64()).unwrap_or(0.0);
    let ch = s(&ch)
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| Arc::from(" "));
    let len = st.chars().count() as f64;
    let pad_len = width.abs().trunc() - len;
    if pad_len <= 0.0 {
        return Ok(Some(Value::String(st)));
    }
    let padding: String = ch.chars().cycle().take(pad_len as usize).collect();
    Ok(Some(Value::String(
        if width > 0.0 {
            format!("{st}{padding}")
        } else {
            format!("{padding}{st}")
        }
        .into(),
    )))
}

/// UTF-16 offset of a byte offset.
fn utf16_offset(s: &str, byte: usize) -> usize {
    s[..byte].encode_utf16().count()
}

/// One regex match as jsonata-js's matcher returns it: `{match, index, groups}`.
fn match_value(s: &str, caps: &regex::Captures) -> Value {
    let m = caps.get(0).expect("group 0");
    let mut obj = ObjMap::new();
    obj.insert("match".into(), Value::str(m.as_str()));
    obj.insert(
        "index".into(),
        Value::Number(utf16_offset(s, m.start()) as f64),
    );
    let groups = (1..caps.len())
        .map(|i| Value::str(caps.get(i).map(|g| g.as_str()).unwrap_or("")))
        .collect();
    obj.insert("groups".into(), Value::array(groups));
    Value::object(obj)
}

/// Calling a regex value: the first match object, or undefined.
pub(crate) fn regex_match_object(re: &regex::Regex, s: &str, from: usize) -> Option<Value> {
    let caps = re.captures_at(s, from)?;
    let m = caps.get(0)?;
    let mut obj = ObjMap::new();
    obj.insert("match".into(), Value::str(m.as_str()));
    obj.insert(
        "start".into(),
        Value::Number(utf16_offset(s, m.start()) as f64),
    );
    obj.insert("end".into(), Value::Number(utf16_offset(s, m.end()) as f64));
    let groups = (1..caps.len())
        .map(|i| Value::str(caps.get(i).map(|g| g.as_str()).unwrap_or("")))
        .collect();
    obj.insert("groups".into(), Value::array(groups));
    Some(Value::object(obj))
}

/// A match with byte positions (for internal iteration).
struct M {
    start: usize,
    end: usize,
    value: Value,
}

/// All matches of a regex function value (D1004 on an empty match).
fn all_matches(f: &Value, s: &str, limit: Option<usize>) -> Result<Option<Vec<M>>, Error> {
    let Value::Function(func) = f else {
        return Ok(None);
    };
    let Func::Regex(re) = &**func else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for caps in re.captures_iter(s) {
        if limit.is_some_and(|l| out.len() >= l) {
            break;
        }
        let m = caps.get(0).expect("group 0");
        if m.as_str().is_empty() {
            return Err(Error::new("D1004").value(re.as_str().to_string()));
        }
        out.push(M {
            start: m.start(),
            end: m.end(),
            value: match_value(s, &caps),
        });
    }
    Ok(Some(out))
}

fn limit_of(v: &Option<Value>, code: &'static str) -> Result<Option<usize>, Error> {
    match v {
        Some(Value::Number(n)) => {
            if *n < 0.0 {
                Err(Error::new(code))
            } else {
                Ok(Some(n.floor() as usize))
            }
        }
        _ => Ok(None),
    }
}

/// `$match`.
pub(crate) fn match_fn(
    _ctx: &mut Ctx,
    str: Option<Value>,
    pattern: Option<Value>,
    limit: Option<Value>,
    _env: &Env,
) -> R {
    let Some(st) = s(&str) else { return Ok(None) };
    let limit = limit_of(&limit, "D3040")?;
    let Some(p) = pattern else { return Ok(None) };
    let Some(ms) = all_matches(&p, &st, limit)? else {
        return Err(Error::new("T1010"));
    };
    Ok(Some(Value::seq(ms.into_iter().map(|m| m.value).collect())))
}

/// `$contains`.
pub(crate) fn contains(_ctx: &mut Ctx, str: Option<Value>, token: Option<Value>, _env: &Env) -> R {
    let Some(st) = s(&str) else { return Ok(None) };
    Ok(Some(Value::Bool(match &token {
        Some(Value::String(t)) => st.contains(&**t),
        Some(f @ Value::Function(_)) => {
            all_matches(f, &st, Some(1))?.is_some_and(|m| !m.is_empty())
        }
        _ => false,
    })))
}

/// `$split`.
pub(crate) fn split(
    _ctx: &mut Ctx,
    str: Option<Value>,
    sep: Option<Value>,
    limit: Option<Value>,
    _env: &Env,
) -> R {
    let Some(st) = s(&str) else { return Ok(None) };
    let limit = limit_of(&limit, "D3020")?;
    let mut parts: Vec<Value> = match &sep {
        Some(Value::String(sep)) => {
            if sep.is_empty() {
                st.chars()
                    .map(|c| Value::String(c.to_string().into()))
                    .collect()
            } else {
                st.split(&**sep).map(Value::str).collect()
            }
        }
        Some(f @ Value::Function(_)) => {
            let ms = all_matches(f, &st, None)?.unwrap_or_default();
            let mut out = Vec::new();
            let mut pos = 0;
            for m in ms {
                out.push(Value::str(&st[pos..m.start]));
                pos = m.end;
            }
            out.push(Value::str(&st[pos..]));
            out
        }
        _ => vec![Value::String(st.clone())],
    };
    if let Some(l) = limit {
        parts.truncate(l);
    }
    Ok(Some(Value::array(parts)))
}

/// `$join`.
pub(crate) fn join(strs: Option<Value>, sep: Option<Value>) -> R {
    let Some(strs) = strs else { return Ok(None) };
    let sep = s(&sep).unwrap_or_else(|| Arc::from(""));
    let parts: Vec<String> = strs
        .items()
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    Ok(Some(Value::String(parts.join(&sep).into())))
}

fn substitute(replacement: &str, m: &Value) -> String {
    let matched = m
        .field("match")
        .and_then(|v| v.as_str().map(str::to_string));
    let groups: Vec<String> = m
        .field("groups")
        .map(|g| {
            g.items()
                .iter()
                .map(|v| v.as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    let r: Vec<char> = replacement.chars().collect();
    let mut out = String::new();
    let mut pos = 0;
    while pos < r.len() {
        if r[pos] != '$' {
            out.push(r[pos]);
            pos += 1;
            continue;
        }
        pos += 1;
        match r.get(pos) {
            Some('$') => {
                out.push('$');
                pos += 1;
            }
            Some('0') => {
                out.push_str(matched.as_deref().unwrap_or(""));
                pos += 1;
            }
            _ => {
                let max_digits = if groups.is_empty() {
                    1
                } else {
                    (groups.len() as f64).log10().floor() as usize + 1
                };
                let digits: String = r[pos..]
                    .iter()
                    .take(max_digits)
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                let mut index: Option<usize> = digits.parse().ok();
                let mut used = digits.len();
                if max_digits > 1 && index.is_some_and(|i| i > groups.len()) && used > 1 {
                    used -= 1;
                    index = digits[..used].parse().ok();
                }
                match index {
                    Some(i) => {
                        if i >= 1 {
                            if let Some(g) = groups.get(i - 1) {
                                out.push_str(g);
                            }
                        }
                        pos += used;
                    }
                    None => out.push('$'),
                }
            }
        }
    }
    out
}

/// `$replace`.
pub(crate) fn replace(
    ctx: &mut Ctx,
    str: Option<Value>,
    pattern: Option<Value>,
    replacement: Option<Value>,
    limit: Option<Value>,
    env: &Env,
) -> R {
    let Some(st) = s(&str) else { return Ok(None) };
    if matches!(&pattern, Some(Value::String(p)) if p.is_empty()) {
        return Err(Error::new("D3010"));
    }
    let limit = limit_of(&limit, "D3011")?;
    if limit == Some(0) {
        return Ok(Some(Value::String(st)));
    }
    match &pattern {
        Some(Value::String(p)) => {
            let rep = match &replacement {
                Some(Value::String(r)) => r.to_string(),
                Some(v) => to_string(v, false)?,
                None => String::new(),
            };
            let mut out = String::new();
            let mut pos = 0;
            let mut count = 0;
            while let Some(i) = st[pos..].find(&**p) {
                if limit.is_some_and(|l| count >= l) {
                    break;
                }
                out.push_str(&st[pos..pos + i]);
                out.push_str(&rep);
                pos += i + p.len();
                count += 1;
            }
            out.push_str(&st[pos..]);
            Ok(Some(Value::String(out.into())))
        }
        Some(f @ Value::Function(_)) => {
            let ms = all_matches(f, &st, limit)?.unwrap_or_default();
            let mut out = String::new();
            let mut pos = 0;
            for m in ms {
                out.push_str(&st[pos..m.start]);
                let r = match &replacement {
                    Some(Value::String(r)) => substitute(r, &m.value),
                    Some(func @ Value::Function(_)) => {
                        match ctx.apply(Some(func), vec![Some(m.value.clone())], None, env)? {
                            Some(Value::String(s)) => s.to_string(),
                            _ => return Err(Error::new("D3012")),
                        }
                    }
                    _ => String::new(),
                };
                out.push_str(&r);
                pos = m.end;
            }
            out.push_str(&st[pos..]);
            Ok(Some(Value::String(out.into())))
        }
        _ => Ok(Some(Value::String(st))),
    }
}

/// `$base64encode`.
pub(crate) fn base64_encode(v: Option<Value>) -> R {
    Ok(
        s(&v)
            .map(|st| Value::str(&base64::engine::general_purpose::STANDARD.encode(st.as_bytes()))),
    )
}

/// `$base64decode`.
pub(crate) fn base64_decode(v: Option<Value>) -> R {
    let Some(st) = s(&v) else { return Ok(None) };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(st.as_bytes())
        .unwrap_or_default();
    Ok(Some(Value::String(String::from_utf8_lossy(&bytes).into())))
}

/// `$encodeUrlComponent` / `$encodeUrl`.
pub(crate) fn encode_url(v: Option<Value>, component: bool) -> R {
    let Some(st) = s(&v) else { return Ok(None) };
    let mut out = String::new();
    for b in st.bytes() {
        let c = b as char;
        let keep = c.is_ascii_alphanumeric()
            || "-_.!~*'()".contains(c)
            || (!component && ";,/?:@&=+$#".contains(c));
        if keep {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(Some(Value::String(out.into())))
}

/// `$decodeUrlComponent` / `$decodeUrl`.
pub(crate) fn decode_url(v: Option<Value>, component: bool) -> R {
    let Some(st) = s(&v) else { return Ok(None) };
    let bytes = st.as_bytes();
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    let malformed = || Error::new("D3140").value(st.to_string());
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = st.get(i + 1..i + 3).ok_or_else(malformed)?;
            let b = u8::from_str_radix(hex, 16).map_err(|_| malformed())?;
            if !component && b < 0x80 && ";,/?:@&=+$#".contains(b as char) {
                out.extend_from_slice(&bytes[i..i + 3]);
            } else {
                out.push(b);
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).map_err(|_| malformed())?;
    Ok(Some(Value::String(s.into())))
}
