//! The candidates of MATH.md §4, each with its direct evaluation and its circuit.
//!
//! Seeds: every seeded candidate derives its key or structure from its `u64` seed by BLAKE3 key
//! derivation (`blake3::derive_key` with a fixed per-candidate context), so the same
//! `(kind, n, m, seed)` gives the same function on every machine. BLAKE3's key depends on the
//! seed only (so f for m bits is the truncation of f for more bits); the random structures of
//! the other candidates (hypergraph, weights, matrix) come from a ChaCha stream keyed by
//! `(seed, n, m)`.

use crate::bits::Bits;
use crate::circuit::{Circuit, CircuitBuilder, Wire};
use crate::error::{Error, Result};
use crate::gf2::Gf2Matrix;
use crate::owf::{EvalCounter, Kind, OneWayFunction};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng;

/// Largest n or m accepted by the candidates without an intrinsic limit (Goldreich, linear,
/// identity, and n of subset sum): large enough for every experiment, small enough that a
/// dense m×n GF(2) matrix stays below 2 MiB.
pub const MAX_BITS: usize = 4096;

/// Largest n of [`Blake3Keyed`]: one 64-byte BLAKE3 block, so that f is one compression.
pub const BLAKE3_MAX_INPUT_BITS: usize = 512;

/// Largest m of [`Blake3Keyed`]: one 64-byte output block of the root compression.
pub const BLAKE3_MAX_OUTPUT_BITS: usize = 512;

/// Largest m of [`SubsetSum`] (weights and sums are `u64` mod 2^m).
pub const SUBSET_SUM_MAX_OUTPUT_BITS: usize = 64;

fn check_sizes(kind: Kind, n: usize, m: usize, max_n: usize, max_m: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::ZeroBits {
            what: "n (input bits)",
        });
    }
    if m == 0 {
        return Err(Error::ZeroBits {
            what: "m (output bits)",
        });
    }
    if n > max_n {
        return Err(Error::InputBitsUnsupported {
            kind: kind.to_string(),
            n,
            supported: format!("1 ≤ n ≤ {max_n}"),
        });
    }
    if m > max_m {
        return Err(Error::OutputBitsUnsupported {
            kind: kind.to_string(),
            m,
            supported: format!("1 ≤ m ≤ {max_m}"),
        });
    }
    Ok(())
}

/// The ChaCha stream from which a candidate draws its random structure.
fn structure_rng(kind: Kind, seed: u64, n: usize, m: usize) -> ChaCha12Rng {
    let context = format!("hardiff-owf 2026-11 {kind} structure v1");
    let mut material = Vec::with_capacity(24);
    material.extend_from_slice(&seed.to_le_bytes());
    material.extend_from_slice(&(n as u64).to_le_bytes());
    material.extend_from_slice(&(m as u64).to_le_bytes());
    ChaCha12Rng::from_seed(blake3::derive_key(&context, &material))
}

// ---------------------------------------------------------------------------------------------
// BLAKE3
// ---------------------------------------------------------------------------------------------

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

/// BLAKE3-keyed (MATH.md §4): f_K(x) = the first m bits of keyed BLAKE3 of x packed
/// little-endian into ⌈n/8⌉ bytes (BLAKE3's extended output for m > 256), with
/// K = `blake3::derive_key("hardiff-owf 2026-11 blake3 key v1", seed as 8 LE bytes)`.
///
/// Sizes: 1 ≤ n ≤ 512 (the input is one 64-byte block, so f is one compression and compiles to
/// one compression circuit) and 1 ≤ m ≤ 512.
#[derive(Debug, Clone)]
pub struct Blake3Keyed {
    n: usize,
    m: usize,
    seed: u64,
    key: [u8; 32],
    counter: EvalCounter,
}

impl Blake3Keyed {
    /// Builds f with n input bits, m output bits and the key derived from `seed`.
    pub fn new(n: usize, m: usize, seed: u64) -> Result<Self> {
        check_sizes(
            Kind::Blake3,
            n,
            m,
            BLAKE3_MAX_INPUT_BITS,
            BLAKE3_MAX_OUTPUT_BITS,
        )?;
        Ok(Self {
            n,
            m,
            seed,
            key: Self::key_for_seed(seed),
            counter: EvalCounter::new(),
        })
    }

    /// The BLAKE3 key derived from `seed`.
    pub fn key_for_seed(seed: u64) -> [u8; 32] {
        blake3::derive_key("hardiff-owf 2026-11 blake3 key v1", &seed.to_le_bytes())
    }

    /// The key K.
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }
}

impl OneWayFunction for Blake3Keyed {
    fn kind(&self) -> Kind {
        Kind::Blake3
    }
    fn input_bits(&self) -> usize {
        self.n
    }
    fn output_bits(&self) -> usize {
        self.m
    }
    fn seed(&self) -> Option<u64> {
        Some(self.seed)
    }
    fn counter(&self) -> &EvalCounter {
        &self.counter
    }

    fn eval_uncounted(&self, x: &Bits) -> Bits {
        // n ≤ 512: the input fits one 64-byte block on the stack (no allocation).
        let mut block = [0u8; 64];
        for (k, w) in x.words().iter().enumerate() {
            block[8 * k..8 * k + 8].copy_from_slice(&w.to_le_bytes());
        }
        let bytes = &block[..self.n.div_ceil(8)];
        let mut out = [0u8; 64];
        if self.m <= 256 {
            out[..32].copy_from_slice(blake3::keyed_hash(&self.key, bytes).as_bytes());
        } else {
            blake3::Hasher::new_keyed(&self.key)
                .update(bytes)
                .finalize_xof()
                .fill(&mut out);
        }
        let mut words: Vec<u64> = out
            .chunks_exact(8)
            .take(self.m.div_ceil(64))
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        if self.m % 64 != 0 {
            if let Some(last) = words.last_mut() {
                *last &= (1u64 << (self.m % 64)) - 1;
            }
        }
        Bits::from_words_unchecked(words, self.m)
    }
    fn compile(&self) -> Circuit {
        keyed_blake3_circuit(&self.key, self.n, self.m)
            .expect("sizes validated by Blake3Keyed::new")
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
pub fn keyed_blake3_circuit(key: &[u8; 32], n: usize, m: usize) -> Result<Circuit> {
    check_sizes(
        Kind::Blake3,
        n,
        m,
        BLAKE3_MAX_INPUT_BITS,
        BLAKE3_MAX_OUTPUT_BITS,
    )?;
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
    let outputs: Vec<Wire> = out_words.concat().into_iter().take(m).collect();
    b.finish(outputs)
}

// ---------------------------------------------------------------------------------------------
// Goldreich
// ---------------------------------------------------------------------------------------------

/// Goldreich's local function (MATH.md §4): a seeded random 5-uniform hypergraph S_1..S_m
/// (each S_j an ordered 5-tuple of distinct indices of {0, …, n − 1}, uniform), output bit j =
/// P5(x_{S_j}) with P5(a, b, c, d, e) = a ⊕ b ⊕ c ⊕ (d ∧ e). Conjectured one-way for
/// n ≤ m ≤ n^1.2 (not enforced). Sizes: 5 ≤ n ≤ [`MAX_BITS`], 1 ≤ m ≤ [`MAX_BITS`].
#[derive(Debug, Clone)]
pub struct Goldreich {
    n: usize,
    m: usize,
    seed: u64,
    hyperedges: Vec<[u32; 5]>,
    counter: EvalCounter,
}

impl Goldreich {
    /// Builds f with a hypergraph drawn from `seed`.
    pub fn new(n: usize, m: usize, seed: u64) -> Result<Self> {
        check_sizes(Kind::Goldreich, n, m, MAX_BITS, MAX_BITS)?;
        if n < 5 {
            return Err(Error::InputBitsUnsupported {
                kind: Kind::Goldreich.to_string(),
                n,
                supported: format!("5 ≤ n ≤ {MAX_BITS} (hyperedges have 5 distinct inputs)"),
            });
        }
        let mut rng = structure_rng(Kind::Goldreich, seed, n, m);
        let hyperedges = (0..m)
            .map(|_| {
                let mut e = [0u32; 5];
                for k in 0..5 {
                    e[k] = loop {
                        let c = rng.random_range(0..n as u32);
                        if !e[..k].contains(&c) {
                            break c;
                        }
                    };
                }
                e
            })
            .collect();
        Ok(Self {
            n,
            m,
            seed,
            hyperedges,
            counter: EvalCounter::new(),
        })
    }

    /// The hyperedges (S_j = (a, b, c, d, e) for output bit j).
    pub fn hyperedges(&self) -> &[[u32; 5]] {
        &self.hyperedges
    }
}

impl OneWayFunction for Goldreich {
    fn kind(&self) -> Kind {
        Kind::Goldreich
    }
    fn input_bits(&self) -> usize {
        self.n
    }
    fn output_bits(&self) -> usize {
        self.m
    }
    fn seed(&self) -> Option<u64> {
        Some(self.seed)
    }
    fn counter(&self) -> &EvalCounter {
        &self.counter
    }
    fn eval_uncounted(&self, x: &Bits) -> Bits {
        let xw = x.words();
        let bit = |i: u32| (xw[i as usize / 64] >> (i % 64)) & 1;
        let mut words = vec![0u64; self.m.div_ceil(64)];
        for (j, &[a, b, c, d, e]) in self.hyperedges.iter().enumerate() {
            words[j / 64] |= (bit(a) ^ bit(b) ^ bit(c) ^ (bit(d) & bit(e))) << (j % 64);
        }
        Bits::from_words_unchecked(words, self.m)
    }
    /// Four gates per output bit: two XORs, one AND, one XOR.
    fn compile(&self) -> Circuit {
        let mut b = CircuitBuilder::new(self.n);
        let outputs = self
            .hyperedges
            .iter()
            .map(|e| {
                let [a, bb, c, d, ee] = e.map(|i| b.input(i as usize));
                let t = b.xor(a, bb);
                let t = b.xor(t, c);
                let q = b.and(d, ee);
                b.xor(t, q)
            })
            .collect();
        b.finish(outputs)
            .expect("builder wires are valid by construction")
    }
}

// ---------------------------------------------------------------------------------------------
// Subset sum
// ---------------------------------------------------------------------------------------------

/// Subset sum (MATH.md §4): seeded weights a_1..a_n uniform in [0, 2^m),
/// f(x) = Σ x_i a_i mod 2^m, output bit j = bit j of the sum. Sizes: 1 ≤ n ≤ [`MAX_BITS`],
/// 1 ≤ m ≤ 64.
#[derive(Debug, Clone)]
pub struct SubsetSum {
    n: usize,
    m: usize,
    seed: u64,
    weights: Vec<u64>,
    counter: EvalCounter,
}

impl SubsetSum {
    /// Builds f with weights drawn from `seed`.
    pub fn new(n: usize, m: usize, seed: u64) -> Result<Self> {
        check_sizes(Kind::SubsetSum, n, m, MAX_BITS, SUBSET_SUM_MAX_OUTPUT_BITS)?;
        let mut rng = structure_rng(Kind::SubsetSum, seed, n, m);
        let weights = (0..n)
            .map(|_| rng.random::<u64>() & Self::mask(m))
            .collect();
        Ok(Self {
            n,
            m,
            seed,
            weights,
            counter: EvalCounter::new(),
        })
    }

    fn mask(m: usize) -> u64 {
        if m == 64 {
            u64::MAX
        } else {
            (1u64 << m) - 1
        }
    }

    /// The weights a_1..a_n.
    pub fn weights(&self) -> &[u64] {
        &self.weights
    }
}

impl OneWayFunction for SubsetSum {
    fn kind(&self) -> Kind {
        Kind::SubsetSum
    }
    fn input_bits(&self) -> usize {
        self.n
    }
    fn output_bits(&self) -> usize {
        self.m
    }
    fn seed(&self) -> Option<u64> {
        Some(self.seed)
    }
    fn counter(&self) -> &EvalCounter {
        &self.counter
    }
    fn eval_uncounted(&self, x: &Bits) -> Bits {
        let sum = self
            .weights
            .iter()
            .enumerate()
            .filter(|&(i, _)| x.bit(i))
            .fold(0u64, |s, (_, &a)| s.wrapping_add(a))
            & Self::mask(self.m);
        Bits::from_u64(sum, self.m).expect("sum is masked to m ≤ 64 bits")
    }
    /// A chain of n ripple-carry adders mod 2^m adding the words (x_i ∧ a_{i,k})_k (constant
    /// folding turns each into x_i or 0).
    fn compile(&self) -> Circuit {
        let mut b = CircuitBuilder::new(self.n);
        let mut acc = b.constant_word(0, self.m);
        for (i, &a) in self.weights.iter().enumerate() {
            let xi = b.input(i);
            let w = b.constant_word(a, self.m);
            let term: Vec<Wire> = w.iter().map(|&c| b.and(xi, c)).collect();
            acc = b.add_words(&acc, &term).expect("m-bit words");
        }
        b.finish(acc)
            .expect("builder wires are valid by construction")
    }
}

// ---------------------------------------------------------------------------------------------
// Linear control
// ---------------------------------------------------------------------------------------------

/// GF(2)-linear control (MATH.md §4): f(x) = M x with M a seeded uniformly random m×n matrix of
/// full rank min(m, n) (redrawn from the same stream until full rank). Injective for m ≥ n,
/// onto for m ≤ n; inverted by Gaussian elimination. Sizes: 1 ≤ n, m ≤ [`MAX_BITS`].
#[derive(Debug, Clone)]
pub struct Linear {
    seed: u64,
    matrix: Gf2Matrix,
    counter: EvalCounter,
}

impl Linear {
    /// Builds f with a full-rank matrix drawn from `seed`.
    pub fn new(n: usize, m: usize, seed: u64) -> Result<Self> {
        check_sizes(Kind::Linear, n, m, MAX_BITS, MAX_BITS)?;
        let mut rng = structure_rng(Kind::Linear, seed, n, m);
        // A uniform square matrix over GF(2) has full rank with probability ≈ 0.289, a
        // rectangular one with probability ≥ 0.577, so a few draws suffice on average.
        let matrix = loop {
            let candidate = Gf2Matrix::random(&mut rng, m, n);
            if candidate.rank() == m.min(n) {
                break candidate;
            }
        };
        Ok(Self {
            seed,
            matrix,
            counter: EvalCounter::new(),
        })
    }

    /// The matrix M (m rows, n columns).
    pub fn matrix(&self) -> &Gf2Matrix {
        &self.matrix
    }
}

impl OneWayFunction for Linear {
    fn kind(&self) -> Kind {
        Kind::Linear
    }
    fn input_bits(&self) -> usize {
        self.matrix.cols()
    }
    fn output_bits(&self) -> usize {
        self.matrix.rows()
    }
    fn seed(&self) -> Option<u64> {
        Some(self.seed)
    }
    fn counter(&self) -> &EvalCounter {
        &self.counter
    }
    fn is_gf2_affine(&self) -> bool {
        true
    }
    fn eval_uncounted(&self, x: &Bits) -> Bits {
        self.matrix.mul_vec(x).expect("length checked by eval")
    }
    /// Output j is a balanced XOR tree over the inputs i with M_ji = 1.
    fn compile(&self) -> Circuit {
        let n = self.matrix.cols();
        let mut b = CircuitBuilder::new(n);
        let outputs = (0..self.matrix.rows())
            .map(|j| {
                let row = self.matrix.row(j);
                let ins: Vec<Wire> = (0..n).filter(|&i| row.bit(i)).map(|i| b.input(i)).collect();
                b.xor_many(&ins)
            })
            .collect();
        b.finish(outputs)
            .expect("builder wires are valid by construction")
    }
}

// ---------------------------------------------------------------------------------------------
// Identity / truncation control
// ---------------------------------------------------------------------------------------------

/// Identity / truncation control (MATH.md §4): f(s) = the first m bits of s, m ≤ n; no seed.
#[derive(Debug, Clone)]
pub struct Identity {
    n: usize,
    m: usize,
    counter: EvalCounter,
}

impl Identity {
    /// Builds the truncation to m ≤ n bits (1 ≤ n ≤ [`MAX_BITS`]).
    pub fn new(n: usize, m: usize) -> Result<Self> {
        check_sizes(Kind::Identity, n, m, MAX_BITS, n.min(MAX_BITS))?;
        Ok(Self {
            n,
            m,
            counter: EvalCounter::new(),
        })
    }
}

impl OneWayFunction for Identity {
    fn kind(&self) -> Kind {
        Kind::Identity
    }
    fn input_bits(&self) -> usize {
        self.n
    }
    fn output_bits(&self) -> usize {
        self.m
    }
    fn seed(&self) -> Option<u64> {
        None
    }
    fn counter(&self) -> &EvalCounter {
        &self.counter
    }
    fn is_gf2_affine(&self) -> bool {
        true
    }
    fn eval_uncounted(&self, x: &Bits) -> Bits {
        x.truncated(self.m).expect("m ≤ n")
    }
    /// No gates: output j is input wire j.
    fn compile(&self) -> Circuit {
        let b = CircuitBuilder::new(self.n);
        let outputs = b.inputs(0, self.m);
        b.finish(outputs)
            .expect("builder wires are valid by construction")
    }
}
