//! BLAKE3-keyed (docs/math.md §4): the first m bits of keyed BLAKE3 of the packed input, and the
//! circuit of one BLAKE3 compression that computes it.

use super::{check_sizes, Candidate};
use crate::bits::Bits;
use crate::circuit::{Circuit, CircuitBuilder, Wire};
use crate::counter::CallCounter;
use crate::error::Result;
use crate::owf::OneWayFunction;

/// Largest input_bits of [`Blake3Keyed`]: one 64-byte BLAKE3 block, so that f is one
/// compression.
pub const BLAKE3_MAX_INPUT_BITS: usize = 512;

/// Largest output_bits of [`Blake3Keyed`]: one 64-byte output block of the root compression.
pub const BLAKE3_MAX_OUTPUT_BITS: usize = 512;

/// BLAKE3 initialisation vector (the SHA-256 IV).
const IV: [u32; 8] = [
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
];
/// BLAKE3's message word permutation applied between rounds.
const MSG_PERMUTATION: [usize; 16] = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];
const CHUNK_START: u32 = 1;
const CHUNK_END: u32 = 2;
const ROOT: u32 = 8;
const KEYED_HASH: u32 = 16;

/// BLAKE3-keyed (docs/math.md §4): f_K(x) = the first m bits of keyed BLAKE3 of x packed
/// little-endian into ⌈n/8⌉ bytes (bit i of x = bit i % 8 of byte i / 8, see [`crate::bits`];
/// BLAKE3's extended output for m > 256). [`Blake3Keyed::new`] derives
/// K = `blake3::derive_key("hardiff-owf 2026-11 blake3 key v1", seed as 8 LE bytes)`;
/// [`Blake3Keyed::with_key`] takes K as given (e.g. the key of BLAKE3's published test
/// vectors).
///
/// Sizes: 1 ≤ n ≤ 512 (the input is one 64-byte block, so f is one compression and compiles to
/// one compression circuit) and 1 ≤ m ≤ 512.
#[derive(Debug, Clone)]
pub struct Blake3Keyed {
    input_bits: usize,
    output_bits: usize,
    seed: Option<u64>,
    key: [u8; 32],
    counter: CallCounter,
}

impl Blake3Keyed {
    /// Builds f with the given sizes and the key derived from `seed`.
    pub fn new(input_bits: usize, output_bits: usize, seed: u64) -> Result<Self> {
        let mut f = Self::with_key(Self::key_for_seed(seed), input_bits, output_bits)?;
        f.seed = Some(seed);
        Ok(f)
    }

    /// Builds f with the given sizes and the 32-byte key `key` (no seed).
    pub fn with_key(key: [u8; 32], input_bits: usize, output_bits: usize) -> Result<Self> {
        check_sizes(
            Candidate::Blake3,
            input_bits,
            output_bits,
            BLAKE3_MAX_INPUT_BITS,
            BLAKE3_MAX_OUTPUT_BITS,
        )?;
        Ok(Self {
            input_bits,
            output_bits,
            seed: None,
            key,
            counter: CallCounter::new(),
        })
    }

    /// The BLAKE3 key derived from `seed`.
    pub fn key_for_seed(seed: u64) -> [u8; 32] {
        ::blake3::derive_key("hardiff-owf 2026-11 blake3 key v1", &seed.to_le_bytes())
    }

    /// The key K.
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }
}

impl OneWayFunction for Blake3Keyed {
    fn name(&self) -> &str {
        Candidate::Blake3.name()
    }
    fn input_bits(&self) -> usize {
        self.input_bits
    }
    fn output_bits(&self) -> usize {
        self.output_bits
    }
    fn seed(&self) -> Option<u64> {
        self.seed
    }
    fn counter(&self) -> &CallCounter {
        &self.counter
    }
    fn fresh_copy(&self) -> Box<dyn OneWayFunction> {
        Box::new(Self {
            counter: CallCounter::new(),
            ..self.clone()
        })
    }

    fn eval_uncounted(&self, x: &Bits) -> Bits {
        let count = self.output_bits.div_ceil(64);
        if count <= 4 {
            // ≤ 256 bits: the words go straight into Bits' inline buffer (no allocation).
            let mut words = [0u64; 4];
            self.eval_uncounted_words(x, &mut words[..count]);
            Bits::from_inline_words_unchecked(words, count, self.output_bits)
        } else {
            let mut words = [0u64; 8];
            self.eval_uncounted_words(x, &mut words[..count]);
            Bits::from_word_array_unchecked(words, count, self.output_bits)
        }
    }

    fn eval_uncounted_words(&self, x: &Bits, out: &mut [u64]) {
        // n ≤ 512: the input is one block. On little-endian targets Bits' words already are
        // the packed bytes, hashed in place: copying them to a fresh buffer first costs more
        // than the copy (the hash's 16- and 32-byte loads cannot forward from 8-byte stores).
        let nbytes = self.input_bits.div_ceil(8);
        #[cfg(target_endian = "little")]
        let bytes = {
            let all = zerocopy::IntoBytes::as_bytes(x.words());
            // (An input of another length than n gives an unspecified result, not a panic.)
            all.get(..nbytes).unwrap_or(all)
        };
        #[cfg(not(target_endian = "little"))]
        let mut block = [0u8; 64];
        #[cfg(not(target_endian = "little"))]
        let bytes = {
            for (chunk, w) in block.chunks_exact_mut(8).zip(x.words()) {
                chunk.copy_from_slice(&w.to_le_bytes());
            }
            &block[..nbytes]
        };
        if self.output_bits <= 256 {
            // One keyed hash, read as 32-bit halves (the width BLAKE3 writes them in).
            let hash = ::blake3::keyed_hash(&self.key, bytes);
            let h = hash.as_bytes();
            for (j, w) in out.iter_mut().enumerate() {
                *w = half_word(h, 2 * j) | half_word(h, 2 * j + 1) << 32;
            }
        } else {
            self.eval_xof(bytes, out);
        }
        if let Some(last) = out.last_mut() {
            *last &= last_word_mask(self.output_bits);
        }
    }
    fn compile(&self) -> Circuit {
        keyed_blake3_circuit(&self.key, self.input_bits, self.output_bits)
            .expect("sizes validated by Blake3Keyed::with_key")
    }
}

impl Blake3Keyed {
    /// The words of f for m > 256: the first m bits of the keyed XOF (unmasked; the caller
    /// masks the last word). Kept out of line, so that the common m ≤ 256 path does not carry
    /// its ~2 KB hasher on the stack.
    #[cold]
    #[inline(never)]
    fn eval_xof(&self, bytes: &[u8], out: &mut [u64]) {
        let mut block = [0u8; 64];
        ::blake3::Hasher::new_keyed(&self.key)
            .update(bytes)
            .finalize_xof()
            .fill(&mut block);
        for (j, w) in out.iter_mut().enumerate() {
            *w = half_word(&block, 2 * j) | half_word(&block, 2 * j + 1) << 32;
        }
    }
}

/// Little-endian 32-bit word i of `bytes`, widened.
#[inline(always)]
fn half_word(bytes: &[u8], i: usize) -> u64 {
    u64::from(u32::from_le_bytes(
        bytes[4 * i..4 * i + 4].try_into().expect("4 bytes"),
    ))
}

/// The valid bits of the last word of an `m`-bit vector.
#[inline(always)]
fn last_word_mask(m: usize) -> u64 {
    match m % 64 {
        0 => u64::MAX,
        r => (1u64 << r) - 1,
    }
}

/// The circuit of [`Blake3Keyed`] for an arbitrary key: the BLAKE3 compression function of one
/// block in keyed mode, with chaining value = the key's words, counter 0,
/// block_len = ⌈n/8⌉ and flags KEYED_HASH | CHUNK_START | CHUNK_END | ROOT; message word j,
/// bit k is input bit 32j + k (0 beyond n). 32-bit additions are ripple-carry adders,
/// rotations are rewiring. Output bit i is bit i % 32 of word i / 32 of the root output block
/// (words 0..8: v_i ⊕ v_{i+8}; words 8..16: v_{i+8} ⊕ cv_i), i.e. keyed BLAKE3's first m bits.
///
/// Sizes as [`Blake3Keyed::new`]: 1 ≤ n ≤ 512 (one block), 1 ≤ m ≤ 512 (one output block).
pub fn keyed_blake3_circuit(
    key: &[u8; 32],
    input_bits: usize,
    output_bits: usize,
) -> Result<Circuit> {
    check_sizes(
        Candidate::Blake3,
        input_bits,
        output_bits,
        BLAKE3_MAX_INPUT_BITS,
        BLAKE3_MAX_OUTPUT_BITS,
    )?;
    let n = input_bits;
    let mut b = CircuitBuilder::new(n);
    let cv: Vec<u32> = key
        .chunks(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let word = |b: &mut CircuitBuilder, v: u32| b.constant_word(u64::from(v), 32);
    let mut msg: Vec<Vec<Wire>> = (0..16)
        .map(|j| {
            (0..32)
                .map(|k| {
                    let i = 32 * j + k;
                    if i < n {
                        b.input(i)
                    } else {
                        b.constant(false)
                    }
                })
                .collect()
        })
        .collect();
    let mut v: Vec<Vec<Wire>> = Vec::with_capacity(16);
    for &c in &cv {
        v.push(word(&mut b, c));
    }
    for &c in &IV[..4] {
        v.push(word(&mut b, c));
    }
    v.push(word(&mut b, 0)); // counter low
    v.push(word(&mut b, 0)); // counter high
    v.push(word(&mut b, n.div_ceil(8) as u32)); // block_len
    v.push(word(&mut b, KEYED_HASH | CHUNK_START | CHUNK_END | ROOT));

    let add =
        |b: &mut CircuitBuilder, x: &[Wire], y: &[Wire]| b.add_words(x, y).expect("32-bit words");
    let xor_rotr = |b: &mut CircuitBuilder, x: &[Wire], y: &[Wire], k: usize| {
        CircuitBuilder::rotr(&b.xor_words(x, y).expect("32-bit words"), k)
    };
    let g = |b: &mut CircuitBuilder,
             v: &mut Vec<Vec<Wire>>,
             [ia, ib, ic, id]: [usize; 4],
             mx: &[Wire],
             my: &[Wire]| {
        let t = add(b, &v[ia], &v[ib]);
        v[ia] = add(b, &t, mx);
        v[id] = xor_rotr(b, &v[id], &v[ia], 16);
        v[ic] = add(b, &v[ic], &v[id]);
        v[ib] = xor_rotr(b, &v[ib], &v[ic], 12);
        let t = add(b, &v[ia], &v[ib]);
        v[ia] = add(b, &t, my);
        v[id] = xor_rotr(b, &v[id], &v[ia], 8);
        v[ic] = add(b, &v[ic], &v[id]);
        v[ib] = xor_rotr(b, &v[ib], &v[ic], 7);
    };
    for round in 0..7 {
        g(&mut b, &mut v, [0, 4, 8, 12], &msg[0], &msg[1]);
        g(&mut b, &mut v, [1, 5, 9, 13], &msg[2], &msg[3]);
        g(&mut b, &mut v, [2, 6, 10, 14], &msg[4], &msg[5]);
        g(&mut b, &mut v, [3, 7, 11, 15], &msg[6], &msg[7]);
        g(&mut b, &mut v, [0, 5, 10, 15], &msg[8], &msg[9]);
        g(&mut b, &mut v, [1, 6, 11, 12], &msg[10], &msg[11]);
        g(&mut b, &mut v, [2, 7, 8, 13], &msg[12], &msg[13]);
        g(&mut b, &mut v, [3, 4, 9, 14], &msg[14], &msg[15]);
        if round < 6 {
            msg = MSG_PERMUTATION.iter().map(|&p| msg[p].clone()).collect();
        }
    }
    let mut out_words = Vec::with_capacity(16);
    for i in 0..8 {
        out_words.push(b.xor_words(&v[i], &v[i + 8]).expect("32-bit words"));
    }
    for i in 0..8 {
        let c = word(&mut b, cv[i]);
        out_words.push(b.xor_words(&v[i + 8], &c).expect("32-bit words"));
    }
    let outputs: Vec<Wire> = out_words.concat().into_iter().take(output_bits).collect();
    b.finish(outputs)
}
