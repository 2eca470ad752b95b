//! Function signatures (`<s-nn?:s>`): parsing and argument validation, as jsonata-js's
//! signature.js does it (a regex over one type letter per argument).

use super::error::Error;
use super::value::Value;
use std::sync::Arc;

#[derive(Clone, Debug)]
struct Param {
    regex: String,
    kind: String,
    context: bool,
    context_regex: Option<Arc<regex::Regex>>,
    subtype: Option<String>,
}

/// A parsed signature.
#[derive(Clone, Debug)]
pub(crate) struct Signature {
    params: Vec<Param>,
    regex: Arc<regex::Regex>,
}

fn symbol(v: Option<&Value>) -> char {
    match v {
        None => 'm',
        Some(Value::Function(_)) => 'f',
        Some(Value::String(_)) => 's',
        Some(Value::Number(_)) => 'n',
        Some(Value::Bool(_)) => 'b',
        Some(Value::Null) => 'l',
        Some(Value::Array(_)) => 'a',
        Some(Value::Object(_)) | Some(Value::Tuple(_)) => 'o',
    }
}

impl Signature {
    /// Parses `<...>` signature text.
    pub fn parse(sig: &str) -> Result<Signature, Error> {
        let chars: Vec<char> = sig.chars().collect();
        let mut params: Vec<Param> = Vec::new();
        let new_param = || Param {
            regex: String::new(),
            kind: String::new(),
            context: false,
            context_regex: None,
            subtype: None,
        };
        let mut param = new_param();
        let mut position = 1;
        while position < chars.len() {
            let c = chars[position];
            if c == ':' {
                break;
            }
            match c {
                's' | 'n' | 'b' | 'l' | 'o' => {
                    param.regex = format!("[{c}m]");
                    param.kind = c.to_string();
                    params.push(std::mem::replace(&mut param, new_param()));
                }
                'a' => {
                    param.regex = "[asnblfom]".into();
                    param.kind = "a".into();
                    params.push(std::mem::replace(&mut param, new_param()));
                }
                'f' => {
                    param.regex = "f".into();
                    param.kind = "f".into();
                    params.push(std::mem::replace(&mut param, new_param()));
                }
                'j' => {
                    param.regex = "[asnblom]".into();
                    param.kind = "j".into();
                    params.push(std::mem::replace(&mut param, new_param()));
                }
                'x' => {
                    param.regex = "[asnblfom]".into();
                    param.kind = "x".into();
                    params.push(std::mem::replace(&mut param, new_param()));
                }
                '-' => {
                    if let Some(prev) = params.last_mut() {
                        prev.context = true;
                        prev.context_regex = regex::Regex::new(&format!("^{}$", prev.regex))
                            .ok()
                            .map(Arc::new);
                        prev.regex.push('?');
                    }
                }
                '?' | '+' => {
                    if let Some(prev) = params.last_mut() {
                        prev.regex.push(c);
                    }
                }
                '(' => {
                    let end = find_closing(&chars, position, '(', ')');
                    let choice: String = chars[position + 1..end].iter().collect();
                    if choice.contains('<') {
                        return Err(Error::new("S0402").value(choice));
                    }
                    param.regex = format!("[{choice}m]");
                    param.kind = format!("({choice})");
                    position = end;
                    params.push(std::mem::replace(&mut param, new_param()));
                }
                '<' => {
                    let Some(prev) = params.last_mut() else {
                        return Err(Error::new("S0401").value(""));
                    };
                    if prev.kind == "a" || prev.kind == "f" {
                        let end = find_closing(&chars, position, '<', '>');
                        prev.subtype = Some(chars[position + 1..end].iter().collect());
                        position = end;
                    } else {
                        return Err(Error::new("S0401").value(prev.kind.clone()));
                    }
                }
                _ => {}
            }
            position += 1;
        }
        let re: String = params.iter().map(|p| format!("({})", p.regex)).collect();
        let regex = regex::Regex::new(&format!("^{re}$"))
            .map_err(|_| Error::new("S0401").value(sig.to_string()))?;
        Ok(Signature {
            params,
            regex: Arc::new(regex),
        })
    }

    /// Validates `args` (substituting the context for a missing `-` argument) and
    /// returns the arguments the function receives.
    pub fn validate(
        &self,
        args: &[Option<Value>],
        context: Option<&Value>,
    ) -> Result<Vec<Option<Value>>, Error> {
        // The top-level input array arrives wrapped; the context is the array itself.
        let unwrapped;
        let context = match context {
            Some(Value::Array(a)) if a.has(super::value::OUTER_WRAPPER) => {
                unwrapped = a.items.first().cloned();
                unwrapped.as_ref()
            }
            other => other,
        };
        let supplied: String = args.iter().map(|a| symbol(a.as_ref())).collect();
        let Some(caps) = self.regex.captures(&supplied) else {
            return Err(self.validation_error(args, &supplied));
        };
        let mut out = Vec::with_capacity(self.params.len());
        let mut arg_index = 0;
        for (i, param) in self.params.iter().enumerate() {
            let m = caps.get(i + 1).map(|m| m.as_str()).unwrap_or("");
            if m.is_empty() {
                if param.context {
                    let ctype = symbol(context).to_string();
                    if param
                        .context_regex
                        .as_ref()
                        .is_some_and(|r| r.is_match(&ctype))
                    {
                        out.push(context.cloned());
                    } else {
                        return Err(Error::new("T0411")
                            .value(context.map(|c| c.describe()).unwrap_or_default())
                            .index(arg_index + 1));
                    }
                } else {
                    out.push(args.get(arg_index).cloned().flatten());
                    arg_index += 1;
                }
            } else {
                for single in m.chars() {
                    let arg = args.get(arg_index).cloned().flatten();
                    if param.kind == "a" {
                        if single == 'm' {
                            out.push(None);
                        } else {
                            let arg = arg.expect("matched a present argument");
                            let mut ok = true;
                            if let Some(sub) = &param.subtype {
                                if single != 'a' && m != sub.as_str() {
                                    ok = false;
                                } else if single == 'a' {
                                    if let Value::Array(items) = &arg {
                                        if let Some(first) = items.items.first() {
                                            let t = symbol(Some(first));
                                            if !sub.starts_with(t) {
                                                ok = false;
                                            } else {
                                                ok = items
                                                    .items
                                                    .iter()
                                                    .all(|v| symbol(Some(v)) == t);
                                            }
                                        }
                                    }
                                }
                            }
                            if !ok {
                                return Err(Error::new("T0412")
                                    .value(arg.describe())
                                    .index(arg_index + 1));
                            }
                            if single != 'a' {
                                out.push(Some(Value::array(vec![arg])));
                            } else {
                                out.push(Some(arg));
                            }
                        }
                    } else {
                        out.push(arg);
                    }
                    arg_index += 1;
                }
            }
        }
        Ok(out)
    }

    fn validation_error(&self, args: &[Option<Value>], supplied: &str) -> Error {
        let mut partial = String::from("^");
        let mut good_to = 0;
        for p in &self.params {
            partial.push_str(&p.regex);
            match regex::Regex::new(&partial)
                .ok()
                .and_then(|r| r.find(supplied).map(|m| m.end()))
            {
                Some(end) => good_to = end,
                None => break,
            }
        }
        let value = args
            .get(good_to)
            .cloned()
            .flatten()
            .map(|v| v.describe())
            .unwrap_or_default();
        Error::new("T0410").value(value).index(good_to + 1)
    }
}

fn find_closing(chars: &[char], start: usize, open: char, close: char) -> usize {
    let mut depth = 1;
    let mut pos = start;
    while pos + 1 < chars.len() {
        pos += 1;
        if chars[pos] == open {
            depth += 1;
        } else if chars[pos] == close {
            depth -= 1;
            if depth == 0 {
                break;
            }
        }
    }
    pos
}
