//! [`Bits`]: the packed bit vector every function in this crate reads and writes.
//!
//! One representation, used everywhere (inputs, outputs, preimages, hex on the command line):
//!
//! - **bit order**: bit `i` of a `Bits` is bit `i % 64` of word `i / 64` (little-endian words),
//!   equivalently bit `i % 8` of byte `i / 8` of [`Bits::to_le_bytes`];
//! - **bytes**: a vector of `len` bits packs into ⌈len/8⌉ bytes, little-endian (docs/math.md §4: "x
//!   packed little-endian into ⌈n/8⌉ bytes"); this is exactly the byte string BLAKE3 hashes;
//! - **hex**: [`Bits::to_hex`] writes those bytes in order, two lowercase digits per byte (high
//!   nibble first), so the hex of a BLAKE3 output equals the `blake3` crate's `to_hex()`;
//!   e.g. the 12-bit vector with only bit 0 and bit 9 set is `"0102"`;
//! - **integers**: for `len ≤ 64`, [`Bits::from_u64`] / [`Bits::to_u64`] read bit `i` as the
//!   coefficient of 2^i, so brute force enumerates seeds as the integers 0..2^n;
//! - **invariant**: positions `len..` of the last word are zero, so derived equality and hashing
//!   are equality of bit strings.

use crate::error::{Error, Result};
use smallvec::SmallVec;
use std::fmt;

/// Words stored inline (no heap allocation): up to 256 bits, which covers the outputs of the
/// candidates at the sizes the bench uses, so that one evaluation allocates nothing.
const INLINE_WORDS: usize = 4;
type Words = SmallVec<[u64; INLINE_WORDS]>;

/// A packed vector of `len` bits (bit `i` = bit `i % 64` of word `i / 64`); see the module docs
/// for byte, hex and integer conversions.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Bits {
    len: usize,
    words: Words,
}

/// Number of 64-bit words needed for `len` bits.
pub const fn words_for(len: usize) -> usize {
    len.div_ceil(64)
}

/// Mask of the valid bits of the last word of a `len`-bit vector (all ones if `len` is a
/// multiple of 64 and nonzero).
const fn last_word_mask(len: usize) -> u64 {
    match len % 64 {
        0 => u64::MAX,
        r => (1u64 << r) - 1,
    }
}

impl Bits {
    /// The all-zero vector of `len` bits.
    pub fn zeros(len: usize) -> Self {
        Self {
            len,
            words: Words::from_elem(0, words_for(len)),
        }
    }

    /// From booleans (`bools[i]` is bit `i`).
    pub fn from_bools(bools: &[bool]) -> Self {
        let mut b = Self::zeros(bools.len());
        for (i, &v) in bools.iter().enumerate() {
            if v {
                b.words[i / 64] |= 1 << (i % 64);
            }
        }
        b
    }

    /// From packed words; errors if `words.len() != ⌈len/64⌉` or a bit at or beyond `len` is set.
    pub fn from_words(words: Vec<u64>, len: usize) -> Result<Self> {
        if words.len() != words_for(len) {
            return Err(Error::LengthMismatch {
                what: "number of 64-bit words",
                expected: words_for(len),
                got: words.len(),
            });
        }
        if let Some(&last) = words.last() {
            let stray = last & !last_word_mask(len);
            if stray != 0 {
                return Err(Error::StrayBits {
                    len,
                    bit: (words.len() - 1) * 64 + stray.trailing_zeros() as usize,
                });
            }
        }
        Ok(Self {
            len,
            words: Words::from_vec(words),
        })
    }

    /// Overwrites every bit with packed `words`, keeping the length: the bits
    /// [`Bits::from_words`]`(words, len)` gives, without allocating. For hot loops that rebuild
    /// one buffer per item (e.g. the seed of every draw of g̃, docs/math.md §5), where setting
    /// bit by bit costs a bounds check and a branch per bit.
    ///
    /// Errors: `words.len() != ⌈len/64⌉`, or a bit at or beyond `len` is set (then `self` is
    /// unchanged).
    pub fn assign_words(&mut self, words: &[u64]) -> Result<()> {
        if words.len() != self.words.len() {
            return Err(Error::LengthMismatch {
                what: "number of 64-bit words",
                expected: self.words.len(),
                got: words.len(),
            });
        }
        if let Some(&last) = words.last() {
            let stray = last & !last_word_mask(self.len);
            if stray != 0 {
                return Err(Error::StrayBits {
                    len: self.len,
                    bit: (words.len() - 1) * 64 + stray.trailing_zeros() as usize,
                });
            }
        }
        self.words.copy_from_slice(words);
        Ok(())
    }

    /// The `len`-bit vector whose bit `i` is bit `i` of `value` (`len ≤ 64`, `value < 2^len`).
    pub fn from_u64(value: u64, len: usize) -> Result<Self> {
        if len > 64 {
            return Err(Error::LengthMismatch {
                what: "Bits::from_u64 length (at most 64)",
                expected: 64,
                got: len,
            });
        }
        let words = if len == 0 { vec![] } else { vec![value] };
        Self::from_words(words, len)
    }

    /// The integer Σ bit_i 2^i, if `len ≤ 64`.
    pub fn to_u64(&self) -> Option<u64> {
        match self.words.len() {
            0 => Some(0),
            1 => Some(self.words[0]),
            _ => None,
        }
    }

    /// From ⌈len/8⌉ little-endian bytes (bit `i` = bit `i % 8` of byte `i / 8`); errors on the
    /// wrong byte count or a set bit at or beyond `len`.
    pub fn from_le_bytes(bytes: &[u8], len: usize) -> Result<Self> {
        if bytes.len() != len.div_ceil(8) {
            return Err(Error::LengthMismatch {
                what: "number of bytes (⌈len/8⌉)",
                expected: len.div_ceil(8),
                got: bytes.len(),
            });
        }
        let mut words = vec![0u64; words_for(len)];
        for (k, &byte) in bytes.iter().enumerate() {
            words[k / 8] |= u64::from(byte) << (8 * (k % 8));
        }
        Self::from_words(words, len)
    }

    /// The ⌈len/8⌉ little-endian bytes (bit `i` = bit `i % 8` of byte `i / 8`).
    pub fn to_le_bytes(&self) -> Vec<u8> {
        let nbytes = self.len.div_ceil(8);
        let mut out = Vec::with_capacity(nbytes);
        for k in 0..nbytes {
            out.push((self.words[k / 8] >> (8 * (k % 8))) as u8);
        }
        out
    }

    /// Parses the hex form of [`Bits::to_hex`]: exactly 2⌈len/8⌉ hex digits (either case), the
    /// little-endian bytes in order; bits at or beyond `len` must be zero.
    pub fn from_hex(hex: &str, len: usize) -> Result<Self> {
        let hex = hex.trim();
        let hex = hex
            .strip_prefix("0x")
            .or_else(|| hex.strip_prefix("0X"))
            .unwrap_or(hex);
        let nbytes = len.div_ceil(8);
        if hex.len() != 2 * nbytes {
            return Err(Error::BadHex {
                len,
                why: format!("expected {} hex digits, got {}", 2 * nbytes, hex.len()),
            });
        }
        let digits = hex.as_bytes();
        let mut bytes = Vec::with_capacity(nbytes);
        for pair in digits.chunks(2) {
            let digit = |c: u8| {
                (c as char).to_digit(16).ok_or_else(|| Error::BadHex {
                    len,
                    why: format!("{:?} is not a hex digit", c as char),
                })
            };
            bytes.push((digit(pair[0])? * 16 + digit(pair[1])?) as u8);
        }
        Self::from_le_bytes(&bytes, len).map_err(|e| match e {
            Error::StrayBits { bit, .. } => Error::BadHex {
                len,
                why: format!("bit {bit} is set but the vector has only {len} bits"),
            },
            other => other,
        })
    }

    /// The hex form: the ⌈len/8⌉ little-endian bytes in order, two lowercase digits each.
    pub fn to_hex(&self) -> String {
        self.to_le_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Booleans, `out[i]` = bit `i`.
    pub fn to_bools(&self) -> Vec<bool> {
        (0..self.len).map(|i| self.bit(i)).collect()
    }

    /// The number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the vector has no bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bit `i`.
    ///
    /// # Panics
    /// If `i ≥ len` (as slice indexing does); use [`Bits::get`] for a checked read.
    pub fn bit(&self, i: usize) -> bool {
        assert!(
            i < self.len,
            "bit index {i} out of range for {} bits",
            self.len
        );
        (self.words[i / 64] >> (i % 64)) & 1 == 1
    }

    /// Bit `i`, or `None` if `i ≥ len`.
    pub fn get(&self, i: usize) -> Option<bool> {
        (i < self.len).then(|| self.bit(i))
    }

    /// Sets bit `i` to `value`.
    ///
    /// # Panics
    /// If `i ≥ len` (as slice indexing does).
    pub fn set(&mut self, i: usize, value: bool) {
        assert!(
            i < self.len,
            "bit index {i} out of range for {} bits",
            self.len
        );
        let mask = 1u64 << (i % 64);
        if value {
            self.words[i / 64] |= mask;
        } else {
            self.words[i / 64] &= !mask;
        }
    }

    /// The packed words (bits at or beyond `len` are zero).
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// Number of ones.
    pub fn count_ones(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The first `len` bits (`len ≤ self.len()`), e.g. truncating a hash to m bits.
    pub fn truncated(&self, len: usize) -> Result<Self> {
        if len > self.len {
            return Err(Error::LengthMismatch {
                what: "truncation length (at most the vector's length)",
                expected: self.len,
                got: len,
            });
        }
        let mut words = Words::from_slice(&self.words[..words_for(len)]);
        if let Some(last) = words.last_mut() {
            *last &= last_word_mask(len);
        }
        Ok(Self { len, words })
    }

    /// Bitwise XOR with a vector of the same length.
    pub fn xor(&self, other: &Bits) -> Result<Self> {
        if other.len != self.len {
            return Err(Error::LengthMismatch {
                what: "XOR operand length",
                expected: self.len,
                got: other.len,
            });
        }
        Ok(Self {
            len: self.len,
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(a, b)| a ^ b)
                .collect(),
        })
    }

    /// Iterator over the bits, bit 0 first.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = bool> + '_ {
        (0..self.len).map(|i| self.bit(i))
    }

    /// Crate-internal: wraps words the caller guarantees to satisfy the invariant.
    pub(crate) fn from_words_unchecked(words: Vec<u64>, len: usize) -> Self {
        Self::from_word_slice_unchecked(&words, len)
    }

    /// Crate-internal: the first `count` ≤ 4 of `words` (at most 256 bits, stored inline), which
    /// the caller guarantees to satisfy the invariant (`count = ⌈len/64⌉`, the last word
    /// masked).
    #[inline]
    pub(crate) fn from_inline_words_unchecked(words: [u64; 4], count: usize, len: usize) -> Self {
        debug_assert_eq!(count, words_for(len));
        debug_assert!(words[..count]
            .last()
            .is_none_or(|&w| w & !last_word_mask(len) == 0));
        Self {
            len,
            words: Words::from_buf_and_len(words, count),
        }
    }

    /// Crate-internal: the first `count` of `words`, which the caller guarantees to satisfy the
    /// invariant (`count = ⌈len/64⌉`); ≤ 256 bits move into the inline buffer with no copy loop.
    pub(crate) fn from_word_array_unchecked(words: [u64; 8], count: usize, len: usize) -> Self {
        if count <= INLINE_WORDS {
            debug_assert_eq!(count, words_for(len));
            debug_assert!(words[..count]
                .last()
                .is_none_or(|&w| w & !last_word_mask(len) == 0));
            let inline = [words[0], words[1], words[2], words[3]];
            Self {
                len,
                words: Words::from_buf_and_len(inline, count),
            }
        } else {
            Self::from_word_slice_unchecked(&words[..count], len)
        }
    }

    /// Crate-internal: copies words the caller guarantees to satisfy the invariant (no heap
    /// allocation up to 256 bits).
    pub(crate) fn from_word_slice_unchecked(words: &[u64], len: usize) -> Self {
        debug_assert_eq!(words.len(), words_for(len));
        debug_assert!(words.last().is_none_or(|&w| w & !last_word_mask(len) == 0));
        Self {
            len,
            words: Words::from_slice(words),
        }
    }
}

impl fmt::Display for Bits {
    /// The hex form ([`Bits::to_hex`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bits({}; ", self.len)?;
        for b in self.iter() {
            f.write_str(if b { "1" } else { "0" })?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assign_words_equals_from_words_and_rejects_bad_words() {
        for len in [1, 12, 64, 70, 256, 300] {
            let words: Vec<u64> = (0..words_for(len) as u64)
                .map(|k| 0x9e37_79b9_7f4a_7c15u64.wrapping_mul(k + 1))
                .collect();
            let mut valid = words.clone();
            *valid.last_mut().unwrap() &= last_word_mask(len);
            let mut b = Bits::zeros(len);
            b.assign_words(&valid).unwrap();
            assert_eq!(
                b,
                Bits::from_words(valid.clone(), len).unwrap(),
                "len {len}"
            );
            // Wrong word count or a bit at or beyond len: typed errors, b unchanged.
            assert!(matches!(
                b.assign_words(&valid[1..]),
                Err(Error::LengthMismatch { .. })
            ));
            if len % 64 != 0 {
                let mut stray = valid.clone();
                *stray.last_mut().unwrap() |= 1 << (len % 64);
                assert!(matches!(
                    b.assign_words(&stray),
                    Err(Error::StrayBits { len: l, bit }) if l == len && bit == len
                ));
            }
            assert_eq!(b, Bits::from_words(valid, len).unwrap());
        }
    }

    #[test]
    fn hex_round_trip_and_documented_example() {
        // Module docs: bits 0 and 9 of a 12-bit vector → bytes [0x01, 0x02].
        let mut b = Bits::zeros(12);
        b.set(0, true);
        b.set(9, true);
        assert_eq!(b.to_hex(), "0102");
        assert_eq!(Bits::from_hex("0102", 12).unwrap(), b);
        assert_eq!(Bits::from_hex("0x0102", 12).unwrap(), b);
        // Bit 12 is beyond the length: typed error.
        assert!(matches!(
            Bits::from_hex("0110", 12),
            Err(Error::BadHex { .. })
        ));
        assert!(matches!(
            Bits::from_hex("01", 12),
            Err(Error::BadHex { .. })
        ));
        assert!(matches!(
            Bits::from_hex("01zz", 12),
            Err(Error::BadHex { .. })
        ));
    }

    #[test]
    fn integer_bytes_bools_agree() {
        let x = 0b1011_0000_0001_u64;
        let b = Bits::from_u64(x, 12).unwrap();
        assert_eq!(b.to_u64(), Some(x));
        assert_eq!(b.to_le_bytes(), vec![0x01, 0x0b]);
        let bools: Vec<bool> = (0..12).map(|i| (x >> i) & 1 == 1).collect();
        assert_eq!(b.to_bools(), bools);
        assert_eq!(Bits::from_bools(&bools), b);
        assert!(matches!(
            Bits::from_u64(1 << 12, 12),
            Err(Error::StrayBits { len: 12, bit: 12 })
        ));
        let long = Bits::from_bools(&[true; 130]);
        assert_eq!(long.words().len(), 3);
        assert_eq!(long.count_ones(), 130);
        assert_eq!(long.truncated(65).unwrap().count_ones(), 65);
        assert_eq!(Bits::from_le_bytes(&long.to_le_bytes(), 130).unwrap(), long);
    }
}
