//! Goldreich's local function (docs/math.md §4) with predicate P5 on a seeded random 5-uniform
//! hypergraph.

use super::{check_sizes, structure_rng, Candidate, MAX_BITS};
use crate::bits::Bits;
use crate::circuit::{Circuit, CircuitBuilder};
use crate::counter::CallCounter;
use crate::error::{Error, Result};
use crate::owf::OneWayFunction;
use rand::Rng;

/// Goldreich's local function (docs/math.md §4): a seeded random 5-uniform hypergraph S_1..S_m
/// (each S_j an ordered 5-tuple of distinct indices of {0, …, n − 1}, uniform), output bit j =
/// P5(x_{S_j}) with P5(a, b, c, d, e) = a ⊕ b ⊕ c ⊕ (d ∧ e). Conjectured one-way for
/// n ≤ m ≤ n^1.2 (not enforced). Sizes: 5 ≤ n ≤ [`MAX_BITS`], 1 ≤ m ≤ [`MAX_BITS`].
#[derive(Debug, Clone)]
pub struct Goldreich {
    input_bits: usize,
    output_bits: usize,
    seed: u64,
    hyperedges: Vec<[u32; 5]>,
    counter: CallCounter,
}

impl Goldreich {
    /// Builds f with a hypergraph drawn from `seed`.
    pub fn new(input_bits: usize, output_bits: usize, seed: u64) -> Result<Self> {
        check_sizes(
            Candidate::Goldreich,
            input_bits,
            output_bits,
            MAX_BITS,
            MAX_BITS,
        )?;
        if input_bits < 5 {
            return Err(Error::InputBitsUnsupported {
                candidate: Candidate::Goldreich.to_string(),
                input_bits,
                supported: format!("5 ≤ n ≤ {MAX_BITS} (hyperedges have 5 distinct inputs)"),
            });
        }
        let mut rng = structure_rng(Candidate::Goldreich, seed, input_bits, output_bits);
        let hyperedges = (0..output_bits)
            .map(|_| {
                let mut e = [0u32; 5];
                for k in 0..5 {
                    e[k] = loop {
                        let c = rng.random_range(0..input_bits as u32);
                        if !e[..k].contains(&c) {
                            break c;
                        }
                    };
                }
                e
            })
            .collect();
        Ok(Self {
            input_bits,
            output_bits,
            seed,
            hyperedges,
            counter: CallCounter::new(),
        })
    }

    /// The hyperedges (S_j = (a, b, c, d, e) for output bit j).
    pub fn hyperedges(&self) -> &[[u32; 5]] {
        &self.hyperedges
    }
}

impl OneWayFunction for Goldreich {
    fn name(&self) -> &str {
        Candidate::Goldreich.name()
    }
    fn input_bits(&self) -> usize {
        self.input_bits
    }
    fn output_bits(&self) -> usize {
        self.output_bits
    }
    fn seed(&self) -> Option<u64> {
        Some(self.seed)
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
        let xw = x.words();
        let bit = |i: u32| (xw[i as usize / 64] >> (i % 64)) & 1;
        let mut words = vec![0u64; self.output_bits.div_ceil(64)];
        for (j, &[a, b, c, d, e]) in self.hyperedges.iter().enumerate() {
            words[j / 64] |= (bit(a) ^ bit(b) ^ bit(c) ^ (bit(d) & bit(e))) << (j % 64);
        }
        Bits::from_words_unchecked(words, self.output_bits)
    }
    /// Four gates per output bit: two XORs, one AND, one XOR.
    fn compile(&self) -> Circuit {
        let mut b = CircuitBuilder::new(self.input_bits);
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
