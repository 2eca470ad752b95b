//! The compact-JSON byte length of a value, cached on arrays and objects.

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

/// Length of a string as a JSON string literal (quotes and escapes included).
pub(super) fn of_str(s: &str) -> usize {
    let mut c = Counter(0);
    // Writing a &str to a counting writer cannot fail.
    let _ = serde_json::to_writer(&mut c, s);
    c.0
}

/// Compact-JSON byte length of `v`.
pub(super) fn of(v: &Val) -> usize {
    match v {
        Val::Null => 4,
        Val::Bool(true) => 4,
        Val::Bool(false) => 5,
        Val::Number(n) => {
            let mut c = Counter(0);
            let _ = serde_json::to_writer(&mut c, n);
            c.0
        }
        Val::String(s) => of_str(s),
        Val::Array(a) => a.json_len.get_or_init(|| {
            let items = &a.items;
            2 + items.iter().map(of).sum::<usize>() + items.len().saturating_sub(1)
        }),
        Val::Object(o) => o.json_len.get_or_init(|| {
            let map = &o.map;
            2 + map
                .iter()
                .map(|(k, v)| of_str(k) + 1 + of(v))
                .sum::<usize>()
                + map.len().saturating_sub(1)
        }),
    }
}
