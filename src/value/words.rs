//! Little-endian machine words read from byte strings, for comparing and scanning
//! short strings a word at a time instead of byte by byte.

/// The little-endian 4-byte word at `at` (`s` has at least `at + 4` bytes).
#[inline(always)]
pub(crate) fn u32_at(s: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&s[at..at + 4]);
    u32::from_le_bytes(w)
}

/// The little-endian 8-byte word at `at` (`s` has at least `at + 8` bytes).
#[inline(always)]
pub(crate) fn u64_at(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&s[at..at + 8]);
    u64::from_le_bytes(w)
}
