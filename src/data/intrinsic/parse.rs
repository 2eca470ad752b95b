//! The lexer and parser of intrinsic calls (CHECKLIST §13.2), with the static checks:
//! known function names, argument counts, literal argument types, at most
//! [`MAX_CALLS`] calls.

use super::encoding::HashAlgorithm;
use super::{Arg, Call, Function, IntrinsicSyntaxError, Prepared, MAX_CALLS};
use crate::data::path::Path;
use crate::value::Val;

/// Parses a whole field: exactly one call, optional surrounding whitespace.
pub(super) fn parse(text: &str) -> Result<Call, IntrinsicSyntaxError> {
    let mut p = Parser {
        text,
        pos: 0,
        calls: 0,
    };
    p.skip_ws();
    let call = p.call()?;
    p.skip_ws();
    if p.pos != text.len() {
        return Err(p.error("unexpected text after the closing ')'"));
    }
    Ok(call)
}

/// A Format template split at its placeholders.
type Pieces = Vec<Box<str>>;

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    calls: usize,
}

/// A string literal: its decoded text and, for `States.Format`, the text split at the
/// unescaped `{}` placeholders.
struct StrLit {
    text: String,
    pieces: Vec<Box<str>>,
}

impl<'a> Parser<'a> {
    fn error(&self, message: impl Into<String>) -> IntrinsicSyntaxError {
        IntrinsicSyntaxError {
            message: message.into(),
            offset: self.pos,
        }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        let trimmed = rest.trim_start();
        self.pos += rest.len() - trimmed.len();
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// `States.Name ( args )`.
    fn call(&mut self) -> Result<Call, IntrinsicSyntaxError> {
        let start = self.pos;
        if !self.rest().starts_with("States.") {
            return Err(self.error("expected an intrinsic function call 'States.<Name>(...)'"));
        }
        self.calls += 1;
        if self.calls > MAX_CALLS {
            return Err(self.error(format!(
                "too many intrinsic functions: at most {MAX_CALLS} are allowed in one field"
            )));
        }
        self.pos += "States.".len();
        let name_len = self
            .rest()
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(self.rest().len());
        let name = &self.text[start..self.pos + name_len];
        let func = Function::from_name(name).ok_or_else(|| IntrinsicSyntaxError {
            message: format!("unknown intrinsic function '{name}'"),
            offset: start,
        })?;
        self.pos += name_len;
        self.skip_ws();
        if !self.eat('(') {
            return Err(self.error(format!("expected '(' after {name}")));
        }
        let mut args = Vec::new();
        let mut pieces = None;
        self.skip_ws();
        if !self.eat(')') {
            loop {
                self.skip_ws();
                let arg_start = self.pos;
                let (arg, lit_pieces) = self.arg()?;
                if args.is_empty() {
                    pieces = lit_pieces;
                }
                args.push((arg, arg_start));
                self.skip_ws();
                if self.eat(',') {
                    continue;
                }
                if self.eat(')') {
                    break;
                }
                return Err(self.error("expected ',' or ')' after an argument"));
            }
        }
        let prepared = check(func, &args, pieces, start)?;
        Ok(Call {
            func,
            args: args.into_iter().map(|(a, _)| a).collect(),
            prepared,
        })
    }

    /// One argument; for a string literal also its Format pieces.
    fn arg(&mut self) -> Result<(Arg, Option<Pieces>), IntrinsicSyntaxError> {
        match self.peek() {
            Some('\'') => {
                let lit = self.string()?;
                Ok((Arg::Literal(Val::string(lit.text)), Some(lit.pieces)))
            }
            Some('$') => Ok((Arg::Path(self.path()?), None)),
            Some('S') if self.rest().starts_with("States.") => {
                Ok((Arg::Call(Box::new(self.call()?)), None))
            }
            Some(c) if c == '-' || c.is_ascii_digit() => Ok((Arg::Literal(self.number()?), None)),
            Some(c) if c.is_ascii_alphabetic() => {
                let len = self
                    .rest()
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .unwrap_or(self.rest().len());
                let word = &self.rest()[..len];
                let v = match word {
                    "true" => Val::Bool(true),
                    "false" => Val::Bool(false),
                    "null" => Val::Null,
                    _ => return Err(self.error(format!("unexpected argument '{word}'"))),
                };
                self.pos += len;
                Ok((Arg::Literal(v), None))
            }
            Some(c) => Err(self.error(format!("unexpected character '{c}' in argument list"))),
            None => Err(self.error("unexpected end of text: missing ')'")),
        }
    }

    /// `'...'` with the escapes `\'`, `\{`, `\}`, `\\`.
    fn string(&mut self) -> Result<StrLit, IntrinsicSyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let mut text = String::new();
        let mut pieces: Vec<Box<str>> = Vec::new();
        let mut piece = String::new();
        // `true` when the last char pushed to `piece` is an unescaped '{'.
        let mut open_brace = false;
        loop {
            let Some(c) = self.peek() else {
                return Err(IntrinsicSyntaxError {
                    message: "unterminated string literal".into(),
                    offset: open,
                });
            };
            self.pos += c.len_utf8();
            match c {
                '\'' => break,
                '\\' => {
                    let esc = self.peek();
                    match esc {
                        Some(e @ ('\'' | '{' | '}' | '\\')) => {
                            self.pos += 1;
                            text.push(e);
                            piece.push(e);
                            open_brace = false;
                        }
                        Some(e) => {
                            self.pos -= 1;
                            return Err(self.error(format!(
                                "invalid escape sequence '\\{e}' in a string literal \
                                 (only \\', \\{{, \\}} and \\\\ are allowed)"
                            )));
                        }
                        None => {
                            self.pos -= 1;
                            return Err(self.error("dangling '\\' at the end of the text"));
                        }
                    }
                }
                '}' if open_brace => {
                    text.push('}');
                    piece.pop();
                    pieces.push(std::mem::take(&mut piece).into_boxed_str());
                    open_brace = false;
                }
                _ => {
                    text.push(c);
                    piece.push(c);
                    open_brace = c == '{';
                }
            }
        }
        pieces.push(piece.into_boxed_str());
        Ok(StrLit { text, pieces })
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Result<Val, IntrinsicSyntaxError> {
        let start = self.pos;
        let b = self.text.as_bytes();
        let mut i = self.pos;
        let digits = |i: &mut usize| {
            let s = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            *i - s
        };
        if i < b.len() && b[i] == b'-' {
            i += 1;
        }
        let int_start = i;
        let n = digits(&mut i);
        if n == 0 || (n > 1 && b[int_start] == b'0') {
            return Err(self.error("invalid number literal"));
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            if digits(&mut i) == 0 {
                self.pos = i;
                return Err(self.error("invalid number literal: digits expected after '.'"));
            }
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                i += 1;
            }
            if digits(&mut i) == 0 {
                self.pos = i;
                return Err(self.error("invalid number literal: digits expected in the exponent"));
            }
        }
        if i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
            self.pos = i;
            return Err(self.error("invalid number literal"));
        }
        self.pos = i;
        let lit = &self.text[start..i];
        match Val::from_json_str(lit) {
            Ok(v @ Val::Number(_)) => Ok(v),
            _ => Err(IntrinsicSyntaxError {
                message: format!("number literal '{lit}' is out of range"),
                offset: start,
            }),
        }
    }

    /// A path argument: runs to the `,` or `)` that is outside brackets, parentheses
    /// and quotes; trailing whitespace is not part of it.
    fn path(&mut self) -> Result<Path, IntrinsicSyntaxError> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        let mut escaped = false;
        let mut end = self.text.len();
        for (i, c) in self.rest().char_indices() {
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                continue;
            }
            match c {
                '\'' | '"' => quote = Some(c),
                '[' | '(' => depth += 1,
                ']' | ')' if depth > 0 => depth -= 1,
                ',' | ')' if depth == 0 => {
                    end = start + i;
                    break;
                }
                _ => {}
            }
        }
        let text = self.text[start..end].trim_end();
        self.pos = start + text.len();
        Path::parse(text).map_err(|e| IntrinsicSyntaxError {
            message: format!("invalid path argument '{text}': {}", e.message),
            offset: start,
        })
    }
}

/// The static checks of one call: argument count and literal argument types.
fn check(
    func: Function,
    args: &[(Arg, usize)],
    pieces: Option<Vec<Box<str>>>,
    offset: usize,
) -> Result<Prepared, IntrinsicSyntaxError> {
    let err = |message: String, offset: usize| IntrinsicSyntaxError { message, offset };
    let (min, max) = func.arity();
    let n = args.len();
    if n < min || n > max {
        let expected = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(err(
            format!("{func} takes {expected} argument(s) but was given {n}"),
            offset,
        ));
    }
    // Which literal kinds each argument position accepts.
    #[derive(PartialEq)]
    enum Kind {
        Any,
        Str,
        Num,
        Array,
        Object,
        False,
    }
    let kind = |i: usize| -> Kind {
        match (func, i) {
            (Function::Format, 0) => Kind::Str,
            (Function::StringToJson | Function::Base64Encode | Function::Base64Decode, _) => {
                Kind::Str
            }
            (Function::StringSplit | Function::Hash, _) => Kind::Str,
            (
                Function::ArrayPartition
                | Function::ArrayContains
                | Function::ArrayGetItem
                | Function::ArrayLength
                | Function::ArrayUnique,
                0,
            ) => Kind::Array,
            (Function::ArrayPartition | Function::ArrayGetItem, 1) => Kind::Num,
            (Function::ArrayRange | Function::MathAdd | Function::MathRandom, _) => Kind::Num,
            (Function::JsonMerge, 0 | 1) => Kind::Object,
            (Function::JsonMerge, _) => Kind::False,
            _ => Kind::Any,
        }
    };
    for (i, (arg, at)) in args.iter().enumerate() {
        let Arg::Literal(v) = arg else { continue };
        let k = kind(i);
        let ok = match k {
            Kind::Any => true,
            Kind::Str => matches!(v, Val::String(_)),
            Kind::Num => matches!(v, Val::Number(_)),
            Kind::Array | Kind::Object => false,
            Kind::False => matches!(v, Val::Bool(false)),
        };
        if !ok {
            let want = match k {
                Kind::Any => "any value",
                Kind::Str => "a string",
                Kind::Num => "a number",
                Kind::Array => "an array (a path or a call)",
                Kind::Object => "an object (a path or a call)",
                Kind::False => "the literal false (deep merge is not supported)",
            };
            return Err(err(
                format!("argument {} of {func} must be {want} but was {v}", i + 1),
                *at,
            ));
        }
    }
    match func {
        Function::Format => match pieces {
            Some(pieces) => {
                let placeholders = pieces.len() - 1;
                if placeholders != n - 1 {
                    return Err(err(
                        format!(
                            "the States.Format template has {placeholders} placeholder(s) \
                             but {} argument(s) follow it",
                            n - 1
                        ),
                        offset,
                    ));
                }
                Ok(Prepared::FormatPieces(pieces))
            }
            None => Ok(Prepared::None),
        },
        Function::Hash => match &args[1].0 {
            Arg::Literal(Val::String(name)) => match HashAlgorithm::from_name(name) {
                Some(alg) => Ok(Prepared::Hash(alg)),
                None => Err(err(
                    format!(
                        "unsupported hash algorithm '{name}' \
                         (expected MD5, SHA-1, SHA-256, SHA-384 or SHA-512)"
                    ),
                    args[1].1,
                )),
            },
            _ => Ok(Prepared::None),
        },
        _ => Ok(Prepared::None),
    }
}
