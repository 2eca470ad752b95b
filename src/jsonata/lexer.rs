//! The tokenizer: JSONata source text → tokens, one at a time, driven by the parser
//! (whether `/` starts a regex or divides depends on the parser's position).

use super::error::Error;

/// A token's kind and payload.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// An operator or punctuation symbol (`.`, `:=`, `and`, ...).
    Op(&'static str),
    /// A field name (bare or backquoted).
    Name(String),
    /// A `$variable` (without the `$`).
    Var(String),
    /// A string literal.
    Str(String),
    /// A number literal.
    Num(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A regex literal: pattern and flags.
    Regex(String, String),
    /// End of input.
    End,
}

/// A token with its (end) position, as jsonata-js reports positions.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub position: usize,
}

const OPERATORS: &[&str] = &[
    ".", "[", "]", "{", "}", "(", ")", ",", "@", "#", ";", ":", "?", "+", "-", "*", "/", "%", "|",
    "=", "<", ">", "^", "&", "!", "~",
];

const DOUBLE: &[&str] = &["..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??"];

fn single_op(c: char) -> Option<&'static str> {
    let mut buf = [0u8; 4];
    let s = c.encode_utf8(&mut buf);
    OPERATORS.iter().copied().find(|o| *o == s)
}

/// The tokenizer state.
pub(crate) struct Lexer<'a> {
    chars: Vec<char>,
    pos: usize,
    _src: &'a str,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Lexer<'a> {
        Lexer {
            chars: src.chars().collect(),
            pos: 0,
            _src: src,
        }
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    /// The next token; `infix` when the parser expects an operator (then `/` divides).
    pub fn next(&mut self, infix: bool) -> Result<Token, Error> {
        loop {
            let Some(c) = self.at(self.pos) else {
                return Ok(Token {
                    tok: Tok::End,
                    position: self.pos,
                });
            };
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}') {
                self.pos += 1;
                continue;
            }
            if c == '/' && self.at(self.pos + 1) == Some('*') {
                let start = self.pos;
                self.pos += 2;
                loop {
                    match self.at(self.pos) {
                        None => return Err(Error::new("S0106").pos(start)),
                        Some('*') if self.at(self.pos + 1) == Some('/') => {
                            self.pos += 2;
                            break;
                        }
                        _ => self.pos += 1,
                    }
                }
                continue;
            }
            break;
        }
        let c = self.chars[self.pos];
        if !infix && c == '/' {
            self.pos += 1;
            return self.regex();
        }
        if let Some(n) = self.at(self.pos + 1) {
            let pair: String = [c, n].iter().collect();
            if let Some(op) = DOUBLE.iter().copied().find(|o| *o == pair) {
                self.pos += 2;
                return Ok(self.tok(Tok::Op(op)));
            }
        }
        if let Some(op) = single_op(c) {
            self.pos += 1;
            return Ok(self.tok(Tok::Op(op)));
        }
        if c == '"' || c == '\'' {
            self.pos += 1;
            return self.string(c);
        }
        if c.is_ascii_digit() {
            return self.number();
        }
        if c == '`' {
            self.pos += 1;
            let start = self.pos;
            while let Some(ch) = self.at(self.pos) {
                if ch == '`' {
                    let name: String = self.chars[start..self.pos].iter().collect();
                    self.pos += 1;
                    return Ok(self.tok(Tok::Name(name)));
                }
                self.pos += 1;
            }
            return Err(Error::new("S0105").pos(self.pos));
        }
        let start = self.pos;
        let mut i = self.pos;
        while let Some(ch) = self.at(i) {
            if matches!(ch, ' ' | '\t' | '\n' | '\r' | '\u{b}') || single_op(ch).is_some() {
                break;
            }
            i += 1;
        }
        self.pos = i;
        if c == '$' {
            let name: String = self.chars[start + 1..i].iter().collect();
            return Ok(self.tok(Tok::Var(name)));
        }
        let name: String = self.chars[start..i].iter().collect();
        let tok = match name.as_str() {
            "and" => Tok::Op("and"),
            "or" => Tok::Op("or"),
            "in" => Tok::Op("in"),
            "true" => Tok::Bool(true),
            "false" => Tok::Bool(false),
            "null" => Tok::Null,
            _ => Tok::Name(name),
        };
        Ok(self.tok(tok))
    }

    fn tok(&self, tok: Tok) -> Token {
        Token {
            tok,
            position: self.pos,
        }
    }

    fn string(&mut self, quote: char) -> Result<Token, Error> {
        let mut out = String::new();
        while let Some(c) = self.at(self.pos) {
            if c == '\\' {
                self.pos += 1;
                let Some(e) = self.at(self.pos) else { break };
                match e {
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    '/' => out.push('/'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => {
                        let hex: String = self
                            .chars
                            .get(self.pos + 1..self.pos + 5)
                            .map(|s| s.iter().collect())
                            .unwrap_or_default();
                        let Ok(code) = u32::from_str_radix(&hex, 16) else {
                            return Err(Error::new("S0104").pos(self.pos));
                        };
                        if hex.len() != 4 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                            return Err(Error::new("S0104").pos(self.pos));
                        }
                        self.pos += 4;
                        // Surrogate pairs: combine with a following \uDC00-\uDFFF.
                        if (0xD800..0xDC00).contains(&code)
                            && self.at(self.pos + 1) == Some('\\')
                            && self.at(self.pos + 2) == Some('u')
                        {
                            let hex2: String = self
                                .chars
                                .get(self.pos + 3..self.pos + 7)
                                .map(|s| s.iter().collect())
                                .unwrap_or_default();
                            if let Ok(low) = u32::from_str_radix(&hex2, 16) {
                                if (0xDC00..0xE000).contains(&low) {
                                    let cp = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                                    out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                                    self.pos += 6;
                                    self.pos += 1;
                                    continue;
                                }
                            }
                        }
                        out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                    }
                    other => {
                        return Err(Error::new("S0103").pos(self.pos).value(other.to_string()))
                    }
                }
                self.pos += 1;
            } else if c == quote {
                self.pos += 1;
                return Ok(self.tok(Tok::Str(out)));
            } else {
                out.push(c);
                self.pos += 1;
            }
        }
        Err(Error::new("S0101").pos(self.pos))
    }

    fn number(&mut self) -> Result<Token, Error> {
        let start = self.pos;
        let mut i = self.pos;
        let digits = |i: &mut usize, chars: &[char]| {
            let s = *i;
            while chars.get(*i).is_some_and(|c| c.is_ascii_digit()) {
                *i += 1;
            }
            *i > s
        };
        if self.at(i) == Some('0') {
            i += 1;
        } else {
            digits(&mut i, &self.chars);
        }
        if self.at(i) == Some('.') && self.at(i + 1).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
            digits(&mut i, &self.chars);
        }
        if matches!(self.at(i), Some('e' | 'E')) {
            let mut j = i + 1;
            if matches!(self.at(j), Some('+' | '-')) {
                j += 1;
            }
            if digits(&mut j, &self.chars) {
                i = j;
            }
        }
        let text: String = self.chars[start..i].iter().collect();
        self.pos = i;
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(self.tok(Tok::Num(n))),
            _ => Err(Error::new("S0102").pos(self.pos).token(text)),
        }
    }

    fn regex(&mut self) -> Result<Token, Error> {
        let start = self.pos;
        let mut depth: i32 = 0;
        while let Some(c) = self.at(self.pos) {
            if c == '/' && depth == 0 {
                let mut backslashes = 0;
                while self.pos > backslashes && self.at(self.pos - (backslashes + 1)) == Some('\\')
                {
                    backslashes += 1;
                }
                if backslashes % 2 == 0 {
                    let pattern: String = self.chars[start..self.pos].iter().collect();
                    if pattern.is_empty() {
                        return Err(Error::new("S0301").pos(self.pos));
                    }
                    self.pos += 1;
                    let fstart = self.pos;
                    while matches!(self.at(self.pos), Some('i' | 'm')) {
                        self.pos += 1;
                    }
                    let flags: String = self.chars[fstart..self.pos].iter().collect();
                    return Ok(self.tok(Tok::Regex(pattern, flags)));
                }
            }
            let prev = if self.pos > 0 {
                self.at(self.pos - 1)
            } else {
                None
            };
            if matches!(c, '(' | '[' | '{') && prev != Some('\\') {
                depth += 1;
            }
            if matches!(c, ')' | ']' | '}') && prev != Some('\\') {
                depth -= 1;
            }
            self.pos += 1;
        }
        Err(Error::new("S0302").pos(self.pos))
    }
}
