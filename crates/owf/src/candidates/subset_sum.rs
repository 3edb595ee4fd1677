//! Subset sum (docs/math.md §4): Σ x_i a_i mod 2^m with seeded weights.

use super::{check_sizes, structure_rng, Candidate, MAX_BITS};
use crate::bits::Bits;
use crate::circuit::{Circuit, CircuitBuilder, Wire};
use crate::counter::CallCounter;
use crate::error::Result;
use crate::owf::OneWayFunction;
use rand::Rng;

/// Largest output_bits of [`SubsetSum`] (weights and sums are `u64` mod 2^m).
pub const SUBSET_SUM_MAX_OUTPUT_BITS: usize = 64;

/// Subset sum (docs/math.md §4): seeded weights a_1..a_n uniform in [0, 2^m),
/// f(x) = Σ x_i a_i mod 2^m, output bit j = bit j of the sum. Sizes: 1 ≤ n ≤ [`MAX_BITS`],
/// 1 ≤ m ≤ 64.
#[derive(Debug, Clone)]
pub struct SubsetSum {
    output_bits: usize,
    seed: u64,
    weights: Vec<u64>,
    counter: CallCounter,
}

impl SubsetSum {
    /// Builds f with weights drawn from `seed`.
    pub fn new(input_bits: usize, output_bits: usize, seed: u64) -> Result<Self> {
        check_sizes(
            Candidate::SubsetSum,
            input_bits,
            output_bits,
            MAX_BITS,
            SUBSET_SUM_MAX_OUTPUT_BITS,
        )?;
        let mut rng = structure_rng(Candidate::SubsetSum, seed, input_bits, output_bits);
        let weights = (0..input_bits)
            .map(|_| rng.random::<u64>() & Self::mask(output_bits))
            .collect();
        Ok(Self {
            output_bits,
            seed,
            weights,
            counter: CallCounter::new(),
        })
    }

    /// 2^m − 1, the mask of an m-bit sum.
    fn mask(output_bits: usize) -> u64 {
        if output_bits == 64 {
            u64::MAX
        } else {
            (1u64 << output_bits) - 1
        }
    }

    /// The weights a_1..a_n.
    pub fn weights(&self) -> &[u64] {
        &self.weights
    }
}

impl OneWayFunction for SubsetSum {
    fn name(&self) -> &str {
        Candidate::SubsetSum.name()
    }
    fn input_bits(&self) -> usize {
        self.weights.len()
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
        let sum = self
            .weights
            .iter()
            .enumerate()
            .filter(|&(i, _)| x.bit(i))
            .fold(0u64, |s, (_, &a)| s.wrapping_add(a))
            & Self::mask(self.output_bits);
        Bits::from_u64(sum, self.output_bits).expect("sum is masked to m ≤ 64 bits")
    }
    /// A chain of n ripple-carry adders mod 2^m adding the words (x_i ∧ a_{i,k})_k (constant
    /// folding turns each into x_i or 0).
    fn compile(&self) -> Circuit {
        let mut b = CircuitBuilder::new(self.weights.len());
        let mut acc = b.constant_word(0, self.output_bits);
        for (i, &a) in self.weights.iter().enumerate() {
            let xi = b.input(i);
            let w = b.constant_word(a, self.output_bits);
            let term: Vec<Wire> = w.iter().map(|&c| b.and(xi, c)).collect();
            acc = b.add_words(&acc, &term).expect("m-bit words");
        }
        b.finish(acc)
            .expect("builder wires are valid by construction")
    }
}
