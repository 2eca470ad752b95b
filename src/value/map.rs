//! [`Map`]: the object representation, an insertion-ordered map from `Arc<str>` keys
//! to [`Val`]s.
//!
//! Most JSON objects a state machine builds are small (a Parameters template's few
//! keys, `{"Error", "Cause"}`, a Map item). For them a hash table costs more than it
//! saves: an allocation of its own and a hash of every key on every insert. So a
//! `Map` is a plain vector of entries, looked up by a linear scan, and grows a hash
//! index (`std`'s randomly seeded hasher, so keys from untrusted input cannot force
//! collisions) only once it has more than [`SMALL`] keys.
//!
//! The methods follow `indexmap::IndexMap`'s names and semantics (insert keeps the
//! position of an existing key; `shift_remove` keeps the order of the rest).

use super::words::{u32_at, u64_at};
use super::Val;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Up to this many keys a map has no hash index (lookups scan the entries).
pub const SMALL: usize = 8;

/// One entry: a key and its value.
pub(crate) type Pair = (Arc<str>, Val);
type Entry_ = Pair;

/// An insertion-ordered map from keys to values: the object representation.
///
/// AWS keeps key order (it is visible in history and in `States.JsonToString`), so
/// objects preserve the order in which keys were inserted.
#[derive(Clone, Default)]
pub struct Map {
    entries: Vec<Entry_>,
    /// Key → position, present only above [`SMALL`] keys. Boxed so that a small map
    /// (the common case) carries one pointer for it rather than a whole `HashMap`.
    #[allow(clippy::box_collection)]
    index: Option<Box<HashMap<Arc<str>, usize>>>,
}

/// An iterator over `(&key, &value)` in order.
pub type Iter<'a> =
    std::iter::Map<std::slice::Iter<'a, Entry_>, fn(&'a Entry_) -> (&'a Arc<str>, &'a Val)>;

/// An iterator over `(&key, &mut value)` in order.
pub type IterMut<'a> = std::iter::Map<
    std::slice::IterMut<'a, Entry_>,
    fn(&'a mut Entry_) -> (&'a Arc<str>, &'a mut Val),
>;

/// An iterator over the keys in order.
pub type Keys<'a> = std::iter::Map<std::slice::Iter<'a, Entry_>, fn(&'a Entry_) -> &'a Arc<str>>;

/// An iterator over the values in order.
pub type Values<'a> = std::iter::Map<std::slice::Iter<'a, Entry_>, fn(&'a Entry_) -> &'a Val>;

/// An owning iterator over `(key, value)` in order.
pub type IntoIter = std::vec::IntoIter<Entry_>;

/// `(&key, &value)` over entries in order.
pub(crate) fn iter(entries: &[Pair]) -> Iter<'_> {
    entries.iter().map(pair)
}

/// The keys of entries in order.
pub(crate) fn keys(entries: &[Pair]) -> Keys<'_> {
    entries.iter().map(key_of)
}

/// The values of entries in order.
pub(crate) fn values(entries: &[Pair]) -> Values<'_> {
    entries.iter().map(value_of)
}

fn pair(e: &Entry_) -> (&Arc<str>, &Val) {
    (&e.0, &e.1)
}

fn pair_mut(e: &mut Entry_) -> (&Arc<str>, &mut Val) {
    (&e.0, &mut e.1)
}

fn key_of(e: &Entry_) -> &Arc<str> {
    &e.0
}

fn value_of(e: &Entry_) -> &Val {
    &e.1
}

/// `a == b` for keys, without a call to `memcmp` for the short keys objects mostly
/// have: up to 16 bytes are compared as one or two overlapping machine words.
#[inline(always)]
pub(crate) fn key_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => u32_at(a, 0) == u32_at(b, 0) && u32_at(a, n - 4) == u32_at(b, n - 4),
        8..=16 => u64_at(a, 0) == u64_at(b, 0) && u64_at(a, n - 8) == u64_at(b, n - 8),
        _ => a == b,
    }
}

impl Map {
    /// An empty map.
    pub fn new() -> Map {
        Map::default()
    }

    /// An empty map with room for `n` entries.
    pub fn with_capacity(n: usize) -> Map {
        Map {
            entries: Vec::with_capacity(n),
            index: None,
        }
    }

    /// A map of entries whose keys are distinct (the caller's promise).
    pub(crate) fn from_distinct(entries: Vec<Pair>) -> Map {
        let mut map = Map {
            entries,
            index: None,
        };
        map.rebuild_index();
        map
    }

    /// The entries in order.
    #[inline]
    pub(crate) fn entries(&self) -> &[Pair] {
        &self.entries
    }

    /// `true` when the map has grown a hash index (more than [`SMALL`] keys).
    pub(crate) fn has_index(&self) -> bool {
        self.index.is_some()
    }

    /// A copy in which the entry at `pos` holds `value` (or, with `pos` `None`, a
    /// copy with `key: value` appended, `key` being absent): the replaced value is
    /// never cloned, and the copy is allocated at its final length.
    pub(crate) fn clone_setting(&self, pos: Option<usize>, key: &Arc<str>, value: Val) -> Map {
        let extra = usize::from(pos.is_none());
        let mut entries = Vec::with_capacity(self.entries.len() + extra);
        match pos {
            Some(i) => {
                entries.extend(self.entries[..i].iter().cloned());
                entries.push((self.entries[i].0.clone(), value));
                entries.extend(self.entries[i + 1..].iter().cloned());
            }
            None => {
                entries.extend(self.entries.iter().cloned());
                entries.push((key.clone(), value));
            }
        }
        let mut map = Map {
            entries,
            index: self.index.clone(),
        };
        if pos.is_none() {
            match &mut map.index {
                Some(index) => {
                    index.insert(key.clone(), map.entries.len() - 1);
                }
                None if map.entries.len() > SMALL => map.rebuild_index(),
                None => {}
            }
        }
        map
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The position of `key`.
    pub fn get_index_of<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<usize> {
        let key = key.as_ref();
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| key_eq(k, key)),
        }
    }

    /// The value under `key`.
    pub fn get<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<&Val> {
        self.get_index_of(key).map(|i| &self.entries[i].1)
    }

    /// The value under `key`, mutably.
    pub fn get_mut<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<&mut Val> {
        self.get_index_of(key).map(|i| &mut self.entries[i].1)
    }

    /// The key and value under `key`.
    pub fn get_key_value<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<(&Arc<str>, &Val)> {
        self.get_index_of(key).map(|i| pair(&self.entries[i]))
    }

    /// `true` when `key` is present.
    pub fn contains_key<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> bool {
        self.get_index_of(key).is_some()
    }

    /// The entry at position `i`.
    pub fn get_index(&self, i: usize) -> Option<(&Arc<str>, &Val)> {
        self.entries.get(i).map(pair)
    }

    /// The value at position `i`, mutably.
    pub fn get_index_mut(&mut self, i: usize) -> Option<&mut Val> {
        self.entries.get_mut(i).map(|e| &mut e.1)
    }

    /// The first entry.
    pub fn first(&self) -> Option<(&Arc<str>, &Val)> {
        self.entries.first().map(pair)
    }

    /// The last entry.
    pub fn last(&self) -> Option<(&Arc<str>, &Val)> {
        self.entries.last().map(pair)
    }

    /// Sets `key` to `value`: an existing key keeps its position and the old value is
    /// returned; a new key goes last.
    pub fn insert(&mut self, key: Arc<str>, value: Val) -> Option<Val> {
        match self.get_index_of(&*key) {
            Some(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            None => {
                self.push_new(key, value);
                None
            }
        }
    }

    /// Appends `key`, which the caller knows is absent (a compiled template whose
    /// output keys are distinct): no lookup first. Were it present, the map would
    /// hold it twice and lookups would find the first.
    #[inline]
    pub(crate) fn push_unique(&mut self, key: Arc<str>, value: Val) {
        debug_assert!(!self.contains_key(&*key));
        // A small map with room (a template's output, sized for its fields): a
        // plain append.
        if self.index.is_none() && self.entries.len() < SMALL.min(self.entries.capacity()) {
            self.entries.push((key, value));
            return;
        }
        self.push_new(key, value);
    }

    /// Appends a key known to be absent.
    fn push_new(&mut self, key: Arc<str>, value: Val) -> usize {
        let i = self.entries.len();
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), i);
        }
        self.entries.push((key, value));
        if self.index.is_none() && self.entries.len() > SMALL {
            self.rebuild_index();
        }
        i
    }

    fn rebuild_index(&mut self) {
        if self.entries.len() <= SMALL {
            self.index = None;
            return;
        }
        let mut index = HashMap::with_capacity(self.entries.len());
        for (i, (k, _)) in self.entries.iter().enumerate() {
            index.insert(k.clone(), i);
        }
        self.index = Some(Box::new(index));
    }

    /// The value under `key`, inserting the one `f` makes if it is absent.
    pub fn get_or_insert_with(&mut self, key: Arc<str>, f: impl FnOnce() -> Val) -> &mut Val {
        let i = match self.get_index_of(&*key) {
            Some(i) => i,
            None => self.push_new(key, f()),
        };
        &mut self.entries[i].1
    }

    /// The entry for `key`, to read or insert in place.
    pub fn entry(&mut self, key: Arc<str>) -> Entry<'_> {
        match self.get_index_of(&*key) {
            Some(i) => Entry::Occupied(&mut self.entries[i].1),
            None => Entry::Vacant(self, key),
        }
    }

    /// Removes `key`, keeping the order of the other entries.
    pub fn shift_remove<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<Val> {
        let i = self.get_index_of(key)?;
        let (_, v) = self.entries.remove(i);
        if self.index.is_some() {
            self.rebuild_index();
        }
        Some(v)
    }

    /// Keeps only the entries for which `f` is `true`, in order.
    pub fn retain(&mut self, mut f: impl FnMut(&Arc<str>, &mut Val) -> bool) {
        self.entries.retain_mut(|(k, v)| f(k, v));
        if self.index.is_some() {
            self.rebuild_index();
        }
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.index = None;
    }

    /// Reserves room for `n` more entries.
    pub fn reserve(&mut self, n: usize) {
        self.entries.reserve(n);
    }

    /// `(&key, &value)` in order.
    pub fn iter(&self) -> Iter<'_> {
        self.entries.iter().map(pair)
    }

    /// `(&key, &mut value)` in order.
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        self.entries.iter_mut().map(pair_mut)
    }

    /// The keys in order.
    pub fn keys(&self) -> Keys<'_> {
        self.entries.iter().map(key_of)
    }

    /// The values in order.
    pub fn values(&self) -> Values<'_> {
        self.entries.iter().map(value_of)
    }

    /// The values in order, mutably.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Val> {
        self.entries.iter_mut().map(|e| &mut e.1)
    }
}

/// A key's place in a [`Map`]: there already, or free.
pub enum Entry<'a> {
    /// The key is present; its value.
    Occupied(&'a mut Val),
    /// The key is absent.
    Vacant(&'a mut Map, Arc<str>),
}

impl<'a> Entry<'a> {
    /// The value, inserting `f()` if the key is absent.
    pub fn or_insert_with(self, f: impl FnOnce() -> Val) -> &'a mut Val {
        match self {
            Entry::Occupied(v) => v,
            Entry::Vacant(map, key) => {
                let i = map.push_new(key, f());
                &mut map.entries[i].1
            }
        }
    }

    /// The value, inserting `v` if the key is absent.
    pub fn or_insert(self, v: Val) -> &'a mut Val {
        self.or_insert_with(|| v)
    }

    /// The value, inserting `null` if the key is absent.
    pub fn or_default(self) -> &'a mut Val {
        self.or_insert_with(Val::default)
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl PartialEq for Map {
    /// Same keys with equal values, in any order (as `IndexMap` compares).
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(&**k) == Some(v))
    }
}

impl Extend<(Arc<str>, Val)> for Map {
    fn extend<I: IntoIterator<Item = (Arc<str>, Val)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl FromIterator<(Arc<str>, Val)> for Map {
    fn from_iter<I: IntoIterator<Item = (Arc<str>, Val)>>(iter: I) -> Map {
        let iter = iter.into_iter();
        let mut m = Map::with_capacity(iter.size_hint().0);
        m.extend(iter);
        m
    }
}

impl IntoIterator for Map {
    type Item = (Arc<str>, Val);
    type IntoIter = IntoIter;
    fn into_iter(self) -> IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Arc<str>, &'a Val);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a Arc<str>, &'a mut Val);
    type IntoIter = IterMut<'a>;
    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Arc<str> {
        Arc::from(s)
    }

    #[test]
    fn keeps_insertion_order_and_replaces_in_place_small_and_large() {
        for n in [4usize, SMALL, SMALL + 1, 40] {
            let mut m = Map::new();
            for i in 0..n {
                assert_eq!(m.insert(k(&format!("k{i}")), Val::int(i as i64)), None);
            }
            assert_eq!(m.insert(k("k1"), Val::int(100)), Some(Val::int(1)));
            assert_eq!(m.len(), n);
            assert_eq!(m.get("k1"), Some(&Val::int(100)));
            assert_eq!(m.get_index_of("k1"), Some(1));
            assert_eq!(m.get("nope"), None);
            let keys: Vec<String> = m.keys().map(|k| k.to_string()).collect();
            let want: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
            assert_eq!(keys, want);
            assert_eq!(m.shift_remove("k0"), Some(Val::int(0)));
            assert_eq!(m.get_index_of("k2"), Some(1));
            assert!(!m.contains_key("k0"));
            *m.entry(k("new")).or_insert_with(Val::empty_object) = Val::Bool(true);
            assert_eq!(m.get_index_of("new"), Some(n - 1));
            assert_eq!(m.get("new"), Some(&Val::Bool(true)));
            m.retain(|k, _| &**k != "k2");
            assert_eq!(m.get_index_of("k3"), Some(1));
            assert_eq!(m.get("k2"), None);
        }
    }

    #[test]
    fn key_eq_is_string_equality() {
        let words = [
            "",
            "a",
            "b",
            "ab",
            "ba",
            "abc",
            "abd",
            "xbc",
            "abcd",
            "abce",
            "abcdefg",
            "abcdefh",
            "bbcdefg",
            "abcdefgh",
            "abcdefgi",
            "abcdefghijklmnop",
            "abcdefghijklmnoq",
            "bbcdefghijklmnop",
            "abcdefghXjklmnop",
            "abcdefghijklmnopq",
            "abcdefghijklmnopr",
            "é",
            "e\u{301}",
        ];
        for a in words {
            for b in words {
                assert_eq!(key_eq(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn equality_ignores_order() {
        let a: Map = [(k("x"), Val::int(1)), (k("y"), Val::int(2))]
            .into_iter()
            .collect();
        let b: Map = [(k("y"), Val::int(2)), (k("x"), Val::int(1))]
            .into_iter()
            .collect();
        assert_eq!(a, b);
    }
}
