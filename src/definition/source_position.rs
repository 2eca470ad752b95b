//! JSON pointer → 1-based line and column in the definition text.
//!
//! A small scanner walks the text along the pointer's segments, skipping values it
//! does not descend into. It runs only when there are diagnostics to place. An
//! object member is placed at its key; an array element at its first character. A
//! pointer that names something absent is placed at the deepest part that exists.

use super::diagnostic::Diagnostic;
use super::parse::pointer;

/// Fills `line`/`column` of every diagnostic whose location is a JSON pointer.
pub fn fill_positions(text: &str, diags: &mut [Diagnostic]) {
    for d in diags.iter_mut() {
        if d.line.is_some() || !(d.location.starts_with('/')) {
            continue;
        }
        if let Some(offset) = locate(text, &d.location) {
            let (line, column) = line_col(text, offset);
            d.line = Some(line);
            d.column = Some(column);
        }
    }
}

/// The 1-based line and column (in characters) of byte `offset`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The byte offset of the pointer's target (or of its deepest existing part).
pub fn locate(text: &str, ptr: &str) -> Option<usize> {
    let segments = pointer::segments(ptr);
    let mut s = Scanner {
        b: text.as_bytes(),
        i: 0,
    };
    s.ws();
    let mut found = s.i;
    for seg in &segments {
        s.ws();
        match s.peek()? {
            b'{' => {
                s.i += 1;
                let mut hit = None;
                loop {
                    s.ws();
                    if s.peek()? == b'}' {
                        break;
                    }
                    let key_at = s.i;
                    let key = s.string()?;
                    s.ws();
                    s.expect(b':')?;
                    s.ws();
                    if key == *seg {
                        // The last occurrence wins (as in the parsed value).
                        hit = Some((key_at, s.i));
                    }
                    s.skip_value()?;
                    s.ws();
                    if s.peek()? == b',' {
                        s.i += 1;
                    }
                }
                let Some((key_at, value_at)) = hit else {
                    return Some(found);
                };
                found = key_at;
                s.i = value_at;
            }
            b'[' => {
                let want: usize = seg.parse().ok()?;
                s.i += 1;
                let mut idx = 0;
                loop {
                    s.ws();
                    if s.peek()? == b']' {
                        return Some(found);
                    }
                    if idx == want {
                        found = s.i;
                        break;
                    }
                    s.skip_value()?;
                    s.ws();
                    if s.peek()? == b',' {
                        s.i += 1;
                    }
                    idx += 1;
                }
            }
            _ => return Some(found),
        }
    }
    Some(found)
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// Reads a string literal, decoding escapes.
    fn string(&mut self) -> Option<String> {
        let start = self.i;
        self.skip_string()?;
        serde_json::from_slice(&self.b[start..self.i]).ok()
    }

    fn skip_string(&mut self) -> Option<()> {
        self.expect(b'"')?;
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                b'\\' => self.i += 2,
                _ => self.i += 1,
            }
        }
    }

    /// Skips one value iteratively (no recursion, so deep nesting is safe).
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            self.ws();
            match self.peek()? {
                b'"' => self.skip_string()?,
                b'{' | b'[' => {
                    depth += 1;
                    self.i += 1;
                    continue;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.i += 1;
                }
                b',' | b':' => {
                    self.i += 1;
                    continue;
                }
                _ => {
                    while !matches!(
                        self.peek(),
                        None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                    ) {
                        self.i += 1;
                    }
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_elements() {
        let text = "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Task\", \"Retry\": [{}, {\"ErrorEquals\": []}]}\n  }\n}";
        assert_eq!(line_col(text, locate(text, "/").unwrap()), (1, 1));
        assert_eq!(line_col(text, locate(text, "/StartAt").unwrap()), (2, 3));
        assert_eq!(line_col(text, locate(text, "/States/A").unwrap()), (4, 5));
        assert_eq!(
            line_col(text, locate(text, "/States/A/Retry/1/ErrorEquals").unwrap()),
            (4, 42)
        );
        // Missing parts fall back to the deepest existing one.
        assert_eq!(
            line_col(text, locate(text, "/States/A/Next").unwrap()),
            (4, 5)
        );
    }
}
