//! [`ObjectNode`]: the shared body of an object value, its header and its entries in
//! one allocation.
//!
//! A state machine builds many small objects (a Parameters template's output, the
//! input copied by a ResultPath write, `{"Error", "Cause"}`), and each one is kept by
//! the history. A node that held a [`Map`] (a `Vec`) cost two allocations per object;
//! here an object of up to [`INLINE`] entries keeps them inside the node, a
//! dynamically sized struct made from a fixed-size one (`ObjectNode<[Pair; N]>`
//! coerces to `ObjectNode<[Pair]>`, no unsafe code). A larger object, or one changed
//! in place through [`Val::as_object_mut`], keeps a boxed [`Map`] (with its hash index)
//! instead and an empty inline part.
//!
//! Measured (callgrind, instructions per execution, pass_chain_1000): see the commit
//! that introduced it and BENCHMARKS.md.

/// One entry of an object: its key and value.
pub(crate) use super::map::Pair;
use super::map::{self, Map};
use super::{LenCache, Val};
use std::sync::Arc;

/// Up to this many entries an object keeps them inside its node (no hash index: a
/// lookup scans them, as [`Map`] does up to [`map::SMALL`] keys).
pub const INLINE: usize = map::SMALL;

/// The shared body of an object value: its cached serialised length and its entries
/// in insertion order. Read it like a [`Map`] (`get`, `iter`, `len`, ...); build
/// objects as a [`Map`] and turn them into values with [`Val::object`].
pub struct ObjectNode<E: ?Sized = [Pair]> {
    pub(super) json_len: LenCache,
    /// The entries of a large or in-place-changed object (then `inline` is not read).
    spill: Option<Box<Map>>,
    inline: E,
}

/// Runs `$make!` with the literal indices `0 .. $n` (for `$n` up to [`INLINE`]), or
/// `$fallback` for a longer object: a fixed-size array of entries written as an array
/// expression is built in place, without a loop or a guard per element.
macro_rules! by_inline_len {
    ($n:expr, $make:ident, $fallback:expr) => {
        match $n {
            0 => $make!(),
            1 => $make!(0),
            2 => $make!(0 1),
            3 => $make!(0 1 2),
            4 => $make!(0 1 2 3),
            5 => $make!(0 1 2 3 4),
            6 => $make!(0 1 2 3 4 5),
            7 => $make!(0 1 2 3 4 5 6),
            8 => $make!(0 1 2 3 4 5 6 7),
            _ => $fallback,
        }
    };
}
pub(crate) use by_inline_len;

/// Never used: callers promise the exact count. A wrong count must not panic.
#[cold]
fn filler() -> Pair {
    (Arc::from(""), Val::Null)
}

/// A node holding `map` as its spilled entries.
fn spilled(map: Map) -> Arc<ObjectNode> {
    let node: Arc<ObjectNode> = Arc::new(ObjectNode {
        json_len: LenCache::default(),
        spill: Some(Box::new(map)),
        inline: [],
    });
    node
}

impl ObjectNode {
    /// A node holding exactly these entries inline (distinct keys, the caller's
    /// promise), with its compact-JSON length when known. Meant for `N` up to
    /// [`INLINE`].
    #[inline]
    pub(crate) fn from_array<const N: usize>(
        inline: [Pair; N],
        json_len: Option<usize>,
    ) -> Arc<ObjectNode> {
        Arc::new(ObjectNode {
            json_len: LenCache::with(json_len),
            spill: None,
            inline,
        })
    }

    /// A node from exactly `n` entries with distinct keys (the caller's promise; a
    /// duplicate would be found first on lookup and written twice).
    pub(crate) fn from_distinct(n: usize, entries: impl Iterator<Item = Pair>) -> Arc<ObjectNode> {
        let mut entries = entries;
        let mut next = move || entries.next().unwrap_or_else(filler);
        macro_rules! make {
            ($($i:literal)*) => {
                ObjectNode::from_array([$({ let _ = $i; next() }),*], None)
            };
        }
        by_inline_len!(
            n,
            make,
            spilled(std::iter::from_fn(|| Some(next())).take(n).collect())
        )
    }

    /// A node from a map (its entries moved in).
    pub(crate) fn from_map(map: Map) -> Arc<ObjectNode> {
        if map.len() <= INLINE && !map.has_index() {
            ObjectNode::from_distinct(map.len(), map.into_iter())
        } else {
            spilled(map)
        }
    }

    /// The entries in order.
    #[inline]
    pub(crate) fn entries(&self) -> &[Pair] {
        match &self.spill {
            Some(m) => m.entries(),
            None => &self.inline,
        }
    }

    /// The number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// `true` when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// The position of `key`.
    #[inline]
    pub fn get_index_of<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<usize> {
        match &self.spill {
            Some(m) => m.get_index_of(key),
            None => {
                let key = key.as_ref();
                self.inline.iter().position(|(k, _)| map::key_eq(k, key))
            }
        }
    }

    /// The value under `key`.
    #[inline]
    pub fn get<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<&Val> {
        match &self.spill {
            Some(m) => m.get(key),
            None => {
                let key = key.as_ref();
                self.inline
                    .iter()
                    .find(|(k, _)| map::key_eq(k, key))
                    .map(|(_, v)| v)
            }
        }
    }

    /// The key and value under `key`.
    pub fn get_key_value<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<(&Arc<str>, &Val)> {
        self.get_index_of(key).and_then(|i| self.get_index(i))
    }

    /// `true` when `key` is present.
    pub fn contains_key<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> bool {
        self.get_index_of(key).is_some()
    }

    /// The entry at position `i`.
    pub fn get_index(&self, i: usize) -> Option<(&Arc<str>, &Val)> {
        self.entries().get(i).map(|(k, v)| (k, v))
    }

    /// The first entry.
    pub fn first(&self) -> Option<(&Arc<str>, &Val)> {
        self.get_index(0)
    }

    /// The last entry.
    pub fn last(&self) -> Option<(&Arc<str>, &Val)> {
        self.entries().last().map(|(k, v)| (k, v))
    }

    /// `(&key, &value)` in order.
    pub fn iter(&self) -> map::Iter<'_> {
        map::iter(self.entries())
    }

    /// The keys in order.
    pub fn keys(&self) -> map::Keys<'_> {
        map::keys(self.entries())
    }

    /// The values in order.
    pub fn values(&self) -> map::Values<'_> {
        map::values(self.entries())
    }

    /// A copy of the entries as a [`Map`] (values shared).
    pub fn to_map(&self) -> Map {
        match &self.spill {
            Some(m) => (**m).clone(),
            None => Map::from_distinct(self.inline.to_vec()),
        }
    }

    /// A copy in which the entry at `pos` holds `value` (or, with `pos` `None`, a
    /// copy with `key: value` appended, `key` being absent): the replaced value is
    /// never cloned, and the copy is made at its final length.
    pub(crate) fn clone_setting(&self, pos: Option<usize>, key: &Arc<str>, value: Val) -> Val {
        let n = self.len() + usize::from(pos.is_none());
        if self.spill.is_some() || n > INLINE {
            let map = match &self.spill {
                Some(m) => m.clone_setting(pos, key, value),
                None => Map::from_distinct(self.inline.to_vec()).clone_setting(pos, key, value),
            };
            return Val::Object(spilled(map));
        }
        let mut value = Some(value);
        let old = &self.inline;
        // Entry `i` of the copy: the old one, the new value in its place, or the
        // appended key.
        let mut pick = |i: usize| match old.get(i) {
            Some((k, v)) if pos != Some(i) => (k.clone(), v.clone()),
            Some((k, _)) => (k.clone(), value.take().unwrap_or_default()),
            None => (key.clone(), value.take().unwrap_or_default()),
        };
        macro_rules! make {
            ($($i:literal)*) => {
                ObjectNode::from_array([$(pick($i)),*], None)
            };
        }
        Val::Object(by_inline_len!(n, make, spilled((0..n).map(pick).collect())))
    }

    /// The entries as a [`Map`], moved out of this node (which keeps its keys and
    /// `null` values; only for a node about to be changed or dropped).
    fn take_map(&mut self) -> Map {
        match &mut self.spill {
            Some(m) => std::mem::take(&mut **m),
            None => Map::from_distinct(
                self.inline
                    .iter_mut()
                    .map(|(k, v)| (k.clone(), std::mem::take(v)))
                    .collect(),
            ),
        }
    }
}

/// Copy-on-write access to an object value's node, for [`Val`]'s mutators.
impl Val {
    /// Mutable access to the map, copying the object node (not its values) if it is
    /// shared. Invalidates the cached length. The object keeps its entries in a
    /// separate map from then on (an in-place change may add keys).
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        let Val::Object(o) = self else {
            return None;
        };
        if Arc::get_mut(o).is_none() {
            *o = spilled(o.to_map());
        }
        let node = Arc::get_mut(o)?;
        node.json_len.reset();
        if node.spill.is_none() {
            let map = node.take_map();
            node.spill = Some(Box::new(map));
        }
        node.spill.as_deref_mut()
    }

    /// The map, if this is an object: moved out when this value holds the only
    /// reference, copied (values shared) otherwise.
    pub fn into_object(self) -> Option<Map> {
        match self {
            Val::Object(mut o) => Some(match Arc::get_mut(&mut o) {
                Some(node) => node.take_map(),
                None => o.to_map(),
            }),
            _ => None,
        }
    }

    /// The value under `key` in this object, made writable: the node is copied if it
    /// is shared, and `key` is appended with `make()` if it is absent (`pos` is its
    /// position, looked up by the caller). Invalidates the cached length. `None` when
    /// this is not an object.
    pub(crate) fn object_slot_mut(
        &mut self,
        key: &Arc<str>,
        pos: Option<usize>,
        make: impl FnOnce() -> Val,
    ) -> Option<&mut Val> {
        let Val::Object(o) = self else {
            return None;
        };
        let i = match pos {
            Some(i) => {
                if Arc::get_mut(o).is_none() {
                    let current = o.entries().get(i).map(|(_, v)| v.clone());
                    if let Val::Object(copy) = o.clone_setting(Some(i), key, current?) {
                        *o = copy;
                    }
                }
                i
            }
            None => {
                let i = o.len();
                let value = make();
                let copy = match Arc::get_mut(o) {
                    // Unique: the entries move into the larger node.
                    Some(node) => {
                        let mut map = node.take_map();
                        map.push_unique(key.clone(), value);
                        ObjectNode::from_map(map)
                    }
                    None => match o.clone_setting(None, key, value) {
                        Val::Object(copy) => copy,
                        _ => return None,
                    },
                };
                *o = copy;
                i
            }
        };
        let node = Arc::get_mut(o)?;
        node.json_len.reset();
        match &mut node.spill {
            Some(m) => m.get_index_mut(i),
            None => node.inline.get_mut(i).map(|(_, v)| v),
        }
    }
}

impl<'a> IntoIterator for &'a ObjectNode {
    type Item = (&'a Arc<str>, &'a Val);
    type IntoIter = map::Iter<'a>;
    fn into_iter(self) -> map::Iter<'a> {
        self.iter()
    }
}

impl std::fmt::Debug for ObjectNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::val;

    fn k(s: &str) -> Arc<str> {
        Arc::from(s)
    }

    fn object_of(n: usize) -> Val {
        let mut m = Map::new();
        for i in 0..n {
            m.insert(k(&format!("k{i}")), Val::int(i as i64));
        }
        Val::object(m)
    }

    #[test]
    fn reads_the_same_inline_and_spilled() {
        for n in [0, 1, INLINE - 1, INLINE, INLINE + 1, 40] {
            let v = object_of(n);
            let o = v.as_object().unwrap();
            assert_eq!(o.len(), n);
            assert_eq!(o.is_empty(), n == 0);
            for i in 0..n {
                let key = format!("k{i}");
                assert_eq!(o.get(&key), Some(&Val::int(i as i64)));
                assert_eq!(o.get_index_of(&key), Some(i));
                assert_eq!(o.get_index(i).map(|(k, _)| &**k), Some(key.as_str()));
            }
            assert_eq!(o.get("nope"), None);
            let keys: Vec<String> = o.keys().map(|k| k.to_string()).collect();
            let want: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
            assert_eq!(keys, want);
            assert_eq!(o.to_map().len(), n);
        }
    }

    #[test]
    fn clone_setting_replaces_or_appends_and_shares_the_rest() {
        for n in [1, INLINE - 1, INLINE, INLINE + 1] {
            let doc = object_of(n);
            let o = doc.as_object().unwrap();
            let replaced = o.clone_setting(Some(0), &k("k0"), val!("x"));
            assert_eq!(replaced.get("k0"), Some(&val!("x")));
            assert_eq!(replaced.as_object().unwrap().len(), n);
            let appended = o.clone_setting(None, &k("new"), val!(true));
            let a = appended.as_object().unwrap();
            assert_eq!(a.len(), n + 1);
            assert_eq!(a.last().map(|(k, v)| (&**k, v)), Some(("new", &val!(true))));
            assert_eq!(
                doc.as_object().unwrap().len(),
                n,
                "the original is untouched"
            );
        }
    }

    #[test]
    fn mutation_copies_shared_nodes_and_moves_unique_ones() {
        let inner = val!({"deep": [1, 2]});
        let mut m = Map::new();
        m.insert(k("a"), inner.clone());
        let doc = Val::object(m);
        let mut copy = doc.clone();
        copy.as_object_mut().unwrap().insert(k("b"), val!(1));
        assert_eq!(doc.as_object().unwrap().len(), 1);
        assert_eq!(copy.as_object().unwrap().len(), 2);
        assert!(copy.get("a").unwrap().ptr_eq(&inner));

        let mut unique = object_of(3);
        let slot = unique.object_slot_mut(&k("z"), None, Val::empty_object);
        *slot.unwrap() = val!(9);
        assert_eq!(unique.get("z"), Some(&val!(9)));
        assert_eq!(unique.as_object().unwrap().get_index_of("z"), Some(3));
        let shared = unique.clone();
        *unique
            .object_slot_mut(&k("k1"), Some(1), Val::default)
            .unwrap() = val!("w");
        assert_eq!(unique.get("k1"), Some(&val!("w")));
        assert_eq!(shared.get("k1"), Some(&val!(1)));

        let moved = unique.into_object().unwrap();
        assert_eq!(moved.len(), 4);
        assert_eq!(moved.get("k1"), Some(&val!("w")));
        assert_eq!(
            shared.clone().into_object().unwrap().get("k1"),
            Some(&val!(1))
        );
    }

    #[test]
    fn object_from_keeps_insert_semantics_for_repeated_keys() {
        let v = Val::object_from([(k("a"), val!(1)), (k("b"), val!(2)), (k("a"), val!(3))]);
        assert_eq!(v.to_json_string(), r#"{"a":3,"b":2}"#);
        let w = Val::object_from([(k("x"), val!(1)), (k("y"), val!([true]))]);
        assert_eq!(w, val!({"x": 1, "y": [true]}));
        let Val::Object(o) = &w else { unreachable!() };
        assert!(o.spill.is_none());
        let many: [(Arc<str>, Val); 9] = std::array::from_fn(|i| (k(&format!("k{i}")), val!(i)));
        let m = Val::object_from(many);
        assert_eq!(m.as_object().unwrap().len(), 9);
        assert_eq!(m.get("k8"), Some(&val!(8)));
    }

    #[test]
    fn a_small_object_is_one_allocation_sized_to_its_entries() {
        // Inline nodes carry no boxed map; their size grows with the entry count.
        let v = object_of(2);
        let Val::Object(o) = &v else { unreachable!() };
        assert!(o.spill.is_none());
        assert_eq!(o.inline.len(), 2);
        let big = object_of(INLINE + 1);
        let Val::Object(b) = &big else { unreachable!() };
        assert!(b.spill.is_some() && b.inline.is_empty());
    }
}
