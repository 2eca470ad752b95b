//! The shared benchmark workloads (`../shared/workloads`): loading
//! `NAME.{asl,input,expected,meta}.json`, the task handler of `task_retry_catch`, and
//! the executor the benchmarks run them with.
//!
//! Used by `statelang bench` and, through `#[path]`, by `benches/workloads.rs`, so the
//! command and the criterion benchmarks measure the same thing. It uses only the
//! library's public API.

use statelang::exec::{Executor, HistoryLevel, Limits, Resolvers, TaskError, VirtualClock};
use statelang::{StateMachine, Val};
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The resource that `task_retry_catch`'s `Work` state calls.
pub const FLAKY_RESOURCE: &str = "arn:aws:lambda:us-east-1:123456789012:function:flaky";

/// One workload, loaded and parsed.
pub struct Workload {
    /// The workload name (`pass_chain_1000`).
    pub name: String,
    /// The compiled definition.
    pub machine: StateMachine,
    /// How long parsing and validating the definition took, in milliseconds.
    pub construct_ms: f64,
    /// The execution input as JSON text: [`Workload::fresh_input`] parses a new,
    /// unshared [`Val`] from it for every run.
    pub input: String,
    /// The expected execution output.
    pub expected: Val,
    /// States entered per execution (`meta.state_entries`).
    pub state_entries: u64,
    /// Task handler calls per execution (`meta.handler_invocations`), if it has tasks.
    pub handler_invocations: Option<u64>,
}

impl Workload {
    /// A fresh input, parsed anew, so no length or other cache survives from an
    /// earlier run (the engine never mutates its input, but it does cache sizes).
    pub fn fresh_input(&self) -> Val {
        Val::from_json_str(&self.input).unwrap_or_default()
    }
}

/// The workload names in `dir` (every `NAME.asl.json`), sorted.
pub fn names_in(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".asl.json"))
                .map(str::to_string)
        })
        .collect();
    names.sort();
    Ok(names)
}

/// Expands command-line arguments into `(directory, name)` pairs: a directory stands
/// for all its workloads, a `NAME.asl.json` file for that one.
pub fn expand(args: &[PathBuf]) -> Result<Vec<(PathBuf, String)>, String> {
    let mut out = Vec::new();
    for a in args {
        if a.is_dir() {
            let names = names_in(a).map_err(|e| format!("cannot list {}: {e}", a.display()))?;
            if names.is_empty() {
                return Err(format!("no *.asl.json workloads in {}", a.display()));
            }
            out.extend(names.into_iter().map(|n| (a.clone(), n)));
        } else {
            let file = a.file_name().and_then(|f| f.to_str()).unwrap_or_default();
            let Some(name) = file.strip_suffix(".asl.json") else {
                return Err(format!(
                    "{}: expected a directory or a NAME.asl.json file",
                    a.display()
                ));
            };
            let dir = a.parent().map(Path::to_path_buf).unwrap_or_default();
            out.push((dir, name.to_string()));
        }
    }
    Ok(out)
}

fn read_text(dir: &Path, name: &str, part: &str) -> Result<String, String> {
    let path = dir.join(format!("{name}.{part}.json"));
    std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn read_json<T: serde::de::DeserializeOwned>(
    dir: &Path,
    name: &str,
    part: &str,
) -> Result<T, String> {
    let text = read_text(dir, name, part)?;
    serde_json::from_str(&text).map_err(|e| format!("{name}.{part}.json: {e}"))
}

/// Loads and parses workload `name` from `dir`.
pub fn load(dir: &Path, name: &str) -> Result<Workload, String> {
    let asl_path = dir.join(format!("{name}.asl.json"));
    let asl = std::fs::read_to_string(&asl_path)
        .map_err(|e| format!("cannot read {}: {e}", asl_path.display()))?;
    let input = read_text(dir, name, "input")?;
    Val::from_json_str(&input).map_err(|e| format!("{name}.input.json: {e}"))?;
    let expected: Val = read_json(dir, name, "expected")?;
    let meta: serde_json::Value = read_json(dir, name, "meta")?;
    let t0 = Instant::now();
    let machine = StateMachine::parse(&asl)
        .map_err(|e| format!("{}: definition rejected: {e}", asl_path.display()))?;
    let construct_ms = t0.elapsed().as_secs_f64() * 1e3;
    let state_entries = meta
        .get("state_entries")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| format!("{name}.meta.json: no state_entries"))?;
    let handler_invocations = meta
        .get("handler_invocations")
        .and_then(serde_json::Value::as_u64);
    Ok(Workload {
        name: name.to_string(),
        machine,
        construct_ms,
        input,
        expected,
        state_entries,
        handler_invocations,
    })
}

/// The hash of a job id: a word-at-a-time multiplicative hash (FxHash's mixing
/// step), with the length mixed in last. SipHash (the `HashMap` default) costs more
/// than the rest of a call, and a byte-at-a-time hash (FNV) still ~10 instructions
/// per byte. Not resistant to chosen keys; the ids are the benchmark's own.
fn id_hash(id: &str) -> u64 {
    fn mix(h: u64, word: u64) -> u64 {
        (h.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95)
    }
    fn u32_at(b: &[u8], i: usize) -> u64 {
        u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]))
    }
    let mut h = 0;
    let mut chunks = id.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = mix(h, u64::from_le_bytes(w));
    }
    // The last 1 to 7 bytes as one word read in place (two overlapping 4-byte
    // reads, or three single bytes), not copied into a buffer first: a word load
    // right after byte stores waits for them to reach the cache.
    let rest = chunks.remainder();
    let n = rest.len();
    let tail = match n {
        0 => None,
        1..=3 => {
            Some(u64::from(rest[0]) | u64::from(rest[n / 2]) << 8 | u64::from(rest[n - 1]) << 16)
        }
        _ => Some(u32_at(rest, 0) | u32_at(rest, n - 4) << 32),
    };
    if let Some(w) = tail {
        h = mix(h, w);
    }
    mix(h, id.len() as u64)
}

/// A hasher for keys that are already hashes ([`id_hash`]): passes them through.
#[derive(Clone, Copy, Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (the keys are `u64`); fold anything else in.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Call counts per `input.id` (its string, or the JSON text of a non-string id),
/// keyed by the id's hash, computed once per call: growing the table moves hashes
/// and never re-reads an id (a JavaScript `Map` keyed by strings has the same
/// property: engines cache a string's hash in the string). Ids whose hash an
/// earlier id already took (never seen in practice) are counted in `collided`.
#[derive(Default)]
struct Calls {
    by_hash: HashMap<u64, (Arc<str>, u64), BuildHasherDefault<PassThrough>>,
    collided: HashMap<Arc<str>, u64>,
}

impl Calls {
    /// Counts a call for `id` (whose `Arc`, if there is one, becomes the key of a
    /// new entry: a reference count, no copy); returns the id's count.
    fn bump(&mut self, id: &str, shared: Option<&Arc<str>>) -> u64 {
        let key = || shared.cloned().unwrap_or_else(|| Arc::from(id));
        match self.by_hash.entry(id_hash(id)) {
            Entry::Occupied(mut e) if same_text(&e.get().0, id) => {
                let count = &mut e.get_mut().1;
                *count += 1;
                *count
            }
            Entry::Occupied(_) => {
                let count = self.collided.entry(key()).or_insert(0);
                *count += 1;
                *count
            }
            Entry::Vacant(e) => {
                e.insert((key(), 1));
                1
            }
        }
    }
}

/// `key == id`, by address first: a job's retries pass the same string (the key
/// is the `Arc` of its first call), so its text is compared only on a hash hit
/// by another string.
fn same_text(key: &str, id: &str) -> bool {
    (std::ptr::eq(key.as_ptr(), id.as_ptr()) && key.len() == id.len()) || key == id
}

/// Appends the decimal digits of `n`.
fn push_u64(s: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in &digits[i..] {
        s.push(char::from(*d));
    }
}

/// The `task_retry_catch` handler, with per-execution state: create one per run.
///
/// `calls[input.id] += 1`; a `fatal` job raises `FatalError` (`fatal <id>`); otherwise
/// the first two calls raise `FlakyError` (`flaky <id> attempt <n>`) and the third
/// returns `{"attempts": n, "value": input.n * 2}`.
#[derive(Clone)]
pub struct FlakyHandler {
    /// The call counts and the number of calls, under one lock (one atomic
    /// round trip per call, not two).
    calls: Arc<Mutex<(Calls, u64)>>,
    /// The result's keys, shared by every result.
    attempts_key: Arc<str>,
    value_key: Arc<str>,
}

impl Default for FlakyHandler {
    fn default() -> FlakyHandler {
        FlakyHandler {
            calls: Arc::default(),
            attempts_key: Arc::from("attempts"),
            value_key: Arc::from("value"),
        }
    }
}

impl FlakyHandler {
    /// A handler with no calls recorded.
    pub fn new() -> FlakyHandler {
        FlakyHandler::default()
    }

    /// How many times the handler has been called.
    pub fn invocations(&self) -> u64 {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).1
    }

    /// One call.
    pub fn call(&self, input: &Val) -> Result<Val, TaskError> {
        // One pass over the input's fields.
        let (mut id_val, mut fatal, mut n_val) = (None, false, None);
        for (k, v) in input.as_object().into_iter().flat_map(|m| m.iter()) {
            match &**k {
                "id" => id_val = Some(v),
                "fatal" => fatal = v.as_bool() == Some(true),
                "n" => n_val = Some(v),
                _ => {}
            }
        }
        // A string id is looked up as it is, and its `Arc` becomes the key of a
        // new entry (a reference count, no copy).
        let text;
        let (id, shared): (&str, Option<&Arc<str>>) = match id_val {
            Some(Val::String(s)) => (s, Some(s)),
            Some(v) => {
                text = v.to_json_string();
                (&text, None)
            }
            None => ("", None),
        };
        let n = {
            let mut guard = self.calls.lock().unwrap_or_else(|e| e.into_inner());
            let (calls, invocations) = &mut *guard;
            *invocations += 1;
            calls.bump(id, shared)
        };
        if fatal {
            let mut cause = String::with_capacity(6 + id.len());
            cause.push_str("fatal ");
            cause.push_str(id);
            return Err(TaskError::new("FatalError", cause));
        }
        if n <= 2 {
            let mut cause = String::with_capacity(16 + id.len() + 20);
            cause.push_str("flaky ");
            cause.push_str(id);
            cause.push_str(" attempt ");
            push_u64(&mut cause, n);
            return Err(TaskError::new("FlakyError", cause));
        }
        let value = match n_val {
            Some(v) if v.as_i64().is_some() => Val::int(v.as_i64().unwrap_or_default() * 2),
            Some(v) => Val::float(v.as_f64().unwrap_or(f64::NAN) * 2.0),
            None => Val::Null,
        };
        Ok(Val::object_from([
            (self.attempts_key.clone(), Val::int(n as i64)),
            (self.value_key.clone(), value),
        ]))
    }

    /// A router that sends [`FLAKY_RESOURCE`] to this handler.
    pub fn resolvers(&self) -> Resolvers {
        let h = self.clone();
        Resolvers::new().on_sync(FLAKY_RESOURCE, move |task| h.call(&task.input))
    }
}

/// The executor a benchmark run uses: a fresh handler, a fresh virtual clock, a fixed
/// seed, the given history level, and no history-event cap (`choice_loop` and
/// `map_10k` record more than AWS's 25,000 events; the peers do not cap either). The
/// payload limit stays at AWS's 256 KiB.
///
/// Retry back-off is overridden to 0, as the workloads' contract asks of every
/// runner (`task_retry_catch`'s `IntervalSeconds: 1`; the peers override it too),
/// unless `keep_retry_delays`: then each retry waits its interval on the virtual
/// clock (no real time, but a timer per retry).
pub fn executor(
    handler: &FlakyHandler,
    history: HistoryLevel,
    keep_retry_delays: bool,
) -> Executor {
    let executor = Executor::new(Arc::new(handler.resolvers()))
        .clock(Arc::new(VirtualClock::new()))
        .random_seed(1)
        .execution_name("bench")
        .history(history)
        .limits(Limits {
            max_history_events: u64::MAX,
            ..Limits::default()
        });
    if keep_retry_delays {
        executor
    } else {
        executor.retry_interval_override_all(0)
    }
}

/// Where `got` first differs from `expected` (`None` when equal), as a short
/// JSONPath-like description.
pub fn first_diff(got: &Val, expected: &Val) -> Option<String> {
    fn show(v: &Val) -> String {
        let s = v.to_json_string();
        if s.len() > 200 {
            format!("{}...", &s[..s.floor_char_boundary_compat(200)])
        } else {
            s
        }
    }
    fn walk(a: &Val, b: &Val, path: &str) -> Option<String> {
        if a == b {
            return None;
        }
        match (a, b) {
            (Val::Array(x), Val::Array(y)) => {
                if x.items().len() != y.items().len() {
                    return Some(format!(
                        "{path}: array length {} vs expected {}",
                        x.items().len(),
                        y.items().len()
                    ));
                }
                x.items()
                    .iter()
                    .zip(y.items())
                    .enumerate()
                    .find_map(|(i, (p, q))| walk(p, q, &format!("{path}[{i}]")))
            }
            (Val::Object(x), Val::Object(y)) => {
                for (k, v) in x.iter() {
                    let sub = format!("{path}.{k}");
                    match y.get(k) {
                        Some(w) => {
                            if let Some(d) = walk(v, w, &sub) {
                                return Some(d);
                            }
                        }
                        None => return Some(format!("{sub}: unexpected {}", show(v))),
                    }
                }
                y.keys()
                    .find(|k| !x.contains_key(*k))
                    .map(|k| format!("{path}.{k}: missing"))
            }
            _ => Some(format!("{path}: got {} expected {}", show(a), show(b))),
        }
    }
    walk(got, expected, "$")
}

/// `str::floor_char_boundary` is unstable; this is the stable equivalent.
trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorCharBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

#[cfg(test)]
mod tests {
    // Unused where this file is compiled without the test harness (the criterion
    // benchmark includes it, and its `#[test]` functions are then left out).
    #[allow(unused_imports)]
    use super::*;

    #[test]
    fn calls_are_counted_per_id_also_when_hashes_collide() {
        let mut calls = Calls::default();
        let a: Arc<str> = Arc::from("job-1");
        assert_eq!(calls.bump("job-1", Some(&a)), 1);
        assert_eq!(calls.bump("job-1", None), 2);
        assert_eq!(calls.bump("job-2", None), 1);
        assert_eq!(calls.bump("job-1", Some(&a)), 3);
        // An id whose hash another id already holds is counted on its own.
        calls
            .by_hash
            .insert(id_hash("other"), (Arc::from("taken"), 7));
        assert_eq!(calls.bump("other", None), 1);
        assert_eq!(calls.bump("other", None), 2);
        assert_eq!(calls.bump("taken", None), 1);
        assert_eq!(calls.by_hash.get(&id_hash("other")).map(|e| e.1), Some(7));
    }

    #[test]
    fn the_flaky_handler_follows_the_workload_contract() {
        let handler = FlakyHandler::new();
        let job = Val::from_json_str(r#"{"id":"job-7","n":7,"fatal":false}"#).expect("json");
        for attempt in 1..=2 {
            let e = handler.call(&job).expect_err("flaky");
            assert_eq!(e.error, "FlakyError");
            assert_eq!(
                e.cause.as_deref(),
                Some(&*format!("flaky job-7 attempt {attempt}"))
            );
        }
        let ok = handler.call(&job).expect("third attempt");
        assert_eq!(ok.to_json_string(), r#"{"attempts":3,"value":14}"#);
        let fatal = Val::from_json_str(r#"{"id":"job-10","n":10,"fatal":true}"#).expect("json");
        let e = handler.call(&fatal).expect_err("fatal");
        assert_eq!(
            (&*e.error, e.cause.as_deref()),
            ("FatalError", Some("fatal job-10"))
        );
        // A non-string id is counted by its JSON text.
        let numeric = Val::from_json_str(r#"{"id":5,"n":1}"#).expect("json");
        assert!(handler.call(&numeric).is_err());
        assert!(handler.call(&numeric).is_err());
        assert!(handler.call(&numeric).is_ok());
        assert_eq!(handler.invocations(), 7);
        // A new handler starts from no calls.
        assert!(FlakyHandler::new().call(&job).is_err());
    }
}
