//! The engine's JSON value: immutable, reference-counted, cheap to share.
//!
//! A state machine moves the same payload through many states and records it in the
//! history at every step. `serde_json::Value` can only be deep-cloned, so inside the
//! engine payloads are [`Val`]s: strings, arrays and objects sit behind `Arc`, so a
//! clone is a reference-count increment, and writing into a shared document copies
//! only the spine from the root to the written node (the rest stays shared).
//!
//! Arrays and objects also remember their compact-JSON byte length once computed, so
//! the payload-size limit check on a large document that changed in one place costs
//! only the changed spine.
//!
//! The choice was measured (`cargo bench --bench values`, a ~200 KB document, 2-core
//! machine, medians): handing the payload to the next state and to a history event
//! costs 15 ns as a `Val` and 984 µs as a deep-cloned `serde_json::Value`; a ResultPath
//! write into it costs 0.5 µs against 1.1 ms; the 256 KiB size check after that write
//! costs 0.16 µs against 320 µs for serialising it.
//!
//! At the API boundary a [`Val`] converts to and from `serde_json::Value`, and it
//! implements `Serialize`/`Deserialize` directly, so JSON text parses straight into it.

mod json_len;

pub(crate) use json_len::of_str as json_str_len;
pub mod map;
mod object;
mod serde_impl;
mod words;

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub use map::Map;
pub(crate) use object::{by_inline_len, Pair};
pub use object::{ObjectNode, INLINE};
pub use serde_json::Number;

/// A JSON value inside the engine. Cloning is O(1).
// The tag is a whole word (`repr(u64)`): every variant's payload starts at byte 8,
// and bytes 1..8 are padding. With the default layout the tag shared byte 0 with
// `Number`'s own, `Bool`'s payload sat at byte 1, and every move of a `Val` into a
// new place (a template entry, a history event, a ResultPath copy) copied bytes
// 1..8 with two overlapping 4-byte loads that the CPU cannot forward from the
// 8-byte stores that had just written them: a stall per move. The size is the
// same (24 bytes, 24 as an `Option`); pass_chain_1000 ran 10 % faster, choice_loop
// 19 % (BENCHMARKS.md, note 16).
#[derive(Default)]
#[repr(u64)]
pub enum Val {
    /// JSON `null`.
    #[default]
    Null,
    /// JSON `true` / `false`.
    Bool(bool),
    /// A JSON number (integer or float, as serde_json keeps it).
    Number(Number),
    /// A JSON string.
    String(Arc<str>),
    /// A JSON array.
    Array(Arc<ArrayNode>),
    /// A JSON object (key order preserved).
    Object(Arc<ObjectNode>),
}

/// Inlined where a value is cloned (a reference-count increment or a copy): the
/// derived `clone` was a call that returned the value through memory, which the
/// caller read back at once.
impl Clone for Val {
    #[inline(always)]
    fn clone(&self) -> Val {
        match self {
            Val::Null => Val::Null,
            Val::Bool(b) => Val::Bool(*b),
            Val::Number(n) => Val::Number(n.clone()),
            Val::String(s) => Val::String(Arc::clone(s)),
            Val::Array(a) => Val::Array(Arc::clone(a)),
            Val::Object(o) => Val::Object(Arc::clone(o)),
        }
    }
}

/// A cached serialised length: `usize::MAX` until computed. Two threads computing
/// it at once store the same number, so a plain atomic is enough (a `OnceLock`'s
/// initialisation protocol cost more than computing a small object's length).
struct LenCache(AtomicUsize);

const UNKNOWN: usize = usize::MAX;

impl LenCache {
    /// A cache holding `n`, or empty.
    #[inline]
    fn with(n: Option<usize>) -> LenCache {
        LenCache(AtomicUsize::new(n.unwrap_or(UNKNOWN)))
    }

    fn get_or_init(&self, f: impl FnOnce() -> usize) -> usize {
        match self.0.load(Ordering::Relaxed) {
            UNKNOWN => {
                let n = f();
                self.0.store(n, Ordering::Relaxed);
                n
            }
            n => n,
        }
    }

    fn get(&self) -> Option<usize> {
        match self.0.load(Ordering::Relaxed) {
            UNKNOWN => None,
            n => Some(n),
        }
    }

    fn set(&self, n: usize) {
        self.0.store(n, Ordering::Relaxed);
    }

    fn reset(&mut self) {
        *self.0.get_mut() = UNKNOWN;
    }
}

impl Default for LenCache {
    fn default() -> LenCache {
        LenCache(AtomicUsize::new(UNKNOWN))
    }
}

impl Clone for LenCache {
    fn clone(&self) -> LenCache {
        LenCache(AtomicUsize::new(self.0.load(Ordering::Relaxed)))
    }
}

/// The shared body of an array value, with its cached serialised length.
#[derive(Clone, Default)]
pub struct ArrayNode {
    items: Vec<Val>,
    json_len: LenCache,
}

impl ArrayNode {
    /// The elements.
    pub fn items(&self) -> &[Val] {
        &self.items
    }
}

/// The JSON type of a value, named as AWS names types in its error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonType {
    /// `null`
    Null,
    /// `boolean`
    Boolean,
    /// `number`
    Number,
    /// `string`
    String,
    /// `array`
    Array,
    /// `object`
    Object,
}

impl JsonType {
    /// The lower-case name (`"object"`, `"array"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }
}

impl Val {
    /// A string value.
    pub fn string(s: impl Into<Arc<str>>) -> Val {
        Val::String(s.into())
    }

    /// An array value from its elements.
    pub fn array(items: Vec<Val>) -> Val {
        Val::Array(Arc::new(ArrayNode {
            items,
            json_len: LenCache::default(),
        }))
    }

    /// An object value from a map.
    pub fn object(map: Map) -> Val {
        Val::Object(ObjectNode::from_map(map))
    }

    /// An object value from a fixed list of entries, built in one allocation when
    /// there are at most [`INLINE`] of them. A repeated key keeps its first position
    /// and its last value, as [`Map::insert`] does.
    ///
    /// ```
    /// use statelang::value::Val;
    /// use std::sync::Arc;
    /// let v = Val::object_from([(Arc::from("a"), Val::int(1)), (Arc::from("b"), Val::Null)]);
    /// assert_eq!(v.to_json_string(), r#"{"a":1,"b":null}"#);
    /// ```
    pub fn object_from<const N: usize>(entries: [(Arc<str>, Val); N]) -> Val {
        let distinct = (1..N).all(|i| {
            entries[..i]
                .iter()
                .all(|(k, _)| !map::key_eq(k, &entries[i].0))
        });
        if distinct && N <= INLINE {
            Val::object_from_array(entries, None)
        } else {
            Val::object(entries.into_iter().collect())
        }
    }

    /// An object value from up to [`INLINE`] entries whose keys are distinct (a
    /// compiled template's output keys): no lookups, one allocation; its
    /// compact-JSON length `json_len`, when known, is stored with the node (not
    /// written into it afterwards).
    #[inline(always)]
    pub(crate) fn object_from_array<const N: usize>(
        entries: [Pair; N],
        json_len: Option<usize>,
    ) -> Val {
        debug_assert!(json_len.map_or(true, |n| {
            let entries: Vec<Pair> = entries.to_vec();
            n == Val::object(Map::from_distinct(entries))
                .to_json_string()
                .len()
        }));
        Val::Object(ObjectNode::from_array(entries, json_len))
    }

    /// An empty object `{}`.
    pub fn empty_object() -> Val {
        Val::object(Map::new())
    }

    /// An integer number.
    pub fn int(n: i64) -> Val {
        Val::Number(n.into())
    }

    /// A float number; NaN and infinities (not JSON) become `null`.
    pub fn float(f: f64) -> Val {
        match Number::from_f64(f) {
            Some(n) => Val::Number(n),
            None => Val::Null,
        }
    }

    /// The JSON type of this value.
    pub fn json_type(&self) -> JsonType {
        match self {
            Val::Null => JsonType::Null,
            Val::Bool(_) => JsonType::Boolean,
            Val::Number(_) => JsonType::Number,
            Val::String(_) => JsonType::String,
            Val::Array(_) => JsonType::Array,
            Val::Object(_) => JsonType::Object,
        }
    }

    /// `true` for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a number.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Val::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as `f64`, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    /// The number as `i64`, if this is an integer number that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Val]> {
        match self {
            Val::Array(a) => Some(&a.items),
            _ => None,
        }
    }

    /// The entries, if this is an object.
    pub fn as_object(&self) -> Option<&ObjectNode> {
        match self {
            Val::Object(o) => Some(o),
            _ => None,
        }
    }

    /// Mutable access to the elements, copying the array node (not its elements) if
    /// it is shared. Invalidates the cached length.
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Val>> {
        match self {
            Val::Array(a) => {
                let node = Arc::make_mut(a);
                node.json_len.reset();
                Some(&mut node.items)
            }
            _ => None,
        }
    }

    /// The value under `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Val> {
        self.as_object().and_then(|m| m.get(key))
    }

    /// The element at `index`, if this is an array that long.
    pub fn get_index(&self, index: usize) -> Option<&Val> {
        self.as_array().and_then(|a| a.get(index))
    }

    /// `true` when both values are the same allocation (or equal scalars that are cheap
    /// to compare). A fast path for equality and for "did this state copy?" checks.
    pub fn ptr_eq(&self, other: &Val) -> bool {
        match (self, other) {
            (Val::Array(a), Val::Array(b)) => Arc::ptr_eq(a, b),
            (Val::Object(a), Val::Object(b)) => Arc::ptr_eq(a, b),
            (Val::String(a), Val::String(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// The byte length of this value's compact JSON serialisation (as
    /// `serde_json::to_string` writes it). Cached on arrays and objects.
    #[inline]
    pub fn json_len(&self) -> usize {
        json_len::of_member(self)
    }

    /// [`Val::json_len`] when it costs no traversal: scalars, and arrays and objects
    /// whose length is already cached.
    pub(crate) fn known_json_len(&self) -> Option<usize> {
        json_len::known(self)
    }

    /// Caches `n` as this array's or object's compact-JSON length. The caller has
    /// computed it from parts whose lengths are known (a template's fixed keys plus
    /// its values, a write's old length adjusted by the replaced entry).
    pub(crate) fn set_json_len(&self, n: usize) {
        debug_assert_eq!(n, self.to_json_string().len());
        match self {
            Val::Array(a) => a.json_len.set(n),
            Val::Object(o) => o.json_len.set(n),
            _ => {}
        }
    }

    /// Compact JSON text.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("null"))
    }

    /// Parses JSON text into a value.
    pub fn from_json_str(text: &str) -> Result<Val, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Converts to a `serde_json::Value` (a deep copy).
    pub fn to_serde(&self) -> serde_json::Value {
        match self {
            Val::Null => serde_json::Value::Null,
            Val::Bool(b) => serde_json::Value::Bool(*b),
            Val::Number(n) => serde_json::Value::Number(n.clone()),
            Val::String(s) => serde_json::Value::String(s.to_string()),
            Val::Array(a) => serde_json::Value::Array(a.items.iter().map(Val::to_serde).collect()),
            Val::Object(o) => serde_json::Value::Object(
                o.iter()
                    .map(|(k, v)| (k.to_string(), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

impl From<&serde_json::Value> for Val {
    fn from(value: &serde_json::Value) -> Val {
        match value {
            serde_json::Value::Null => Val::Null,
            serde_json::Value::Bool(b) => Val::Bool(*b),
            serde_json::Value::Number(n) => Val::Number(n.clone()),
            serde_json::Value::String(s) => Val::String(Arc::from(s.as_str())),
            serde_json::Value::Array(a) => Val::array(a.iter().map(Val::from).collect()),
            serde_json::Value::Object(o) => Val::object(
                o.iter()
                    .map(|(k, v)| (Arc::from(k.as_str()), Val::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<serde_json::Value> for Val {
    fn from(value: serde_json::Value) -> Val {
        Val::from(&value)
    }
}

impl From<&Val> for serde_json::Value {
    fn from(value: &Val) -> serde_json::Value {
        value.to_serde()
    }
}

impl From<Val> for serde_json::Value {
    fn from(value: Val) -> serde_json::Value {
        value.to_serde()
    }
}

impl From<bool> for Val {
    fn from(b: bool) -> Val {
        Val::Bool(b)
    }
}

impl From<i64> for Val {
    fn from(n: i64) -> Val {
        Val::int(n)
    }
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::string(s)
    }
}

impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::string(s)
    }
}

impl From<Vec<Val>> for Val {
    fn from(items: Vec<Val>) -> Val {
        Val::array(items)
    }
}

impl From<Map> for Val {
    fn from(map: Map) -> Val {
        Val::object(map)
    }
}

impl PartialEq for Val {
    /// Structural equality. Numbers compare as serde_json compares them, except that
    /// an integer and a float with the same value are equal (`1 == 1.0`), as Jackson's
    /// numeric comparison in AWS treats them.
    fn eq(&self, other: &Val) -> bool {
        if self.ptr_eq(other) {
            return true;
        }
        match (self, other) {
            (Val::Null, Val::Null) => true,
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (Val::Number(a), Val::Number(b)) => numbers_equal(a, b),
            (Val::String(a), Val::String(b)) => a == b,
            (Val::Array(a), Val::Array(b)) => a.items == b.items,
            (Val::Object(a), Val::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v == w))
            }
            _ => false,
        }
    }
}

/// Numeric equality by value: integers exactly, otherwise as `f64`.
pub fn numbers_equal(a: &Number, b: &Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

impl fmt::Debug for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json_string())
    }
}

impl fmt::Display for Val {
    /// Compact JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json_string())
    }
}

/// Builds a [`Val`] from JSON literal syntax, like `serde_json::json!`.
#[macro_export]
macro_rules! val {
    ($($json:tt)+) => {
        $crate::value::Val::from(::serde_json::json!($($json)+))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_compact_json_in_key_order() {
        let text = r#"{"b":1,"a":[true,null,1.5,"x"],"c":{"z":-3,"y":1.0}}"#;
        let v = Val::from_json_str(text).unwrap();
        assert_eq!(v.to_json_string(), text);
        assert_eq!(v.json_len(), text.len());
    }

    #[test]
    fn clone_shares_and_write_copies_only_the_spine() {
        let doc = val!({"big": {"deep": [1, 2, 3]}, "small": 1});
        let mut copy = doc.clone();
        copy.as_object_mut()
            .unwrap()
            .insert(Arc::from("small"), Val::int(2));
        assert_eq!(doc.get("small"), Some(&Val::int(1)));
        assert_eq!(copy.get("small"), Some(&Val::int(2)));
        assert!(doc.get("big").unwrap().ptr_eq(copy.get("big").unwrap()));
    }

    #[test]
    fn into_object_moves_or_copies_keeping_values_shared() {
        let doc = val!({"big": {"deep": [1, 2, 3]}});
        let copy = doc.clone().into_object().unwrap();
        assert!(copy.get("big").unwrap().ptr_eq(doc.get("big").unwrap()));
        assert_eq!(Val::object(copy), doc);
        assert!(val!([1]).into_object().is_none());
    }

    #[test]
    fn cached_length_is_invalidated_by_writes() {
        let mut v = val!({"a": [1, 2]});
        assert_eq!(v.json_len(), r#"{"a":[1,2]}"#.len());
        v.as_object_mut()
            .unwrap()
            .insert(Arc::from("bb"), Val::string("é\n"));
        assert_eq!(v.json_len(), v.to_json_string().len());
    }

    #[test]
    fn integer_and_float_compare_equal_by_value() {
        assert_eq!(val!(1), val!(1.0));
        assert_ne!(val!(1), val!(1.5));
        assert_eq!(val!({"a": [0]}), val!({"a": [0.0]}));
    }

    #[test]
    fn a_value_stays_three_words_with_a_word_tag() {
        use std::mem::{align_of, size_of};
        // A bigger value would cost every object entry and history event; the
        // word tag must not grow it, and `Option<Val>` still uses the tag's niche.
        assert_eq!(size_of::<Val>(), 24);
        assert_eq!(size_of::<Option<Val>>(), 24);
        assert_eq!(size_of::<Pair>(), 40);
        assert_eq!(align_of::<Val>(), 8);
    }

    #[test]
    fn serde_round_trip() {
        let s = serde_json::json!({"k": [1, {"x": null}], "u": u64::MAX});
        assert_eq!(Val::from(&s).to_serde(), s);
    }
}
