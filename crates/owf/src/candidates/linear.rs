//! The GF(2)-linear control (docs/math.md §4): f(x) = M x with a seeded full-rank matrix.

use super::{check_sizes, structure_rng, Candidate, MAX_BITS};
use crate::bits::Bits;
use crate::circuit::{Circuit, CircuitBuilder, Wire};
use crate::counter::CallCounter;
use crate::error::Result;
use crate::gf2::Gf2Matrix;
use crate::owf::OneWayFunction;

/// GF(2)-linear control (docs/math.md §4): f(x) = M x with M a seeded uniformly random m×n matrix of
/// full rank min(m, n) (redrawn from the same stream until full rank). Injective for m ≥ n,
/// onto for m ≤ n; inverted by Gaussian elimination. Sizes: 1 ≤ n, m ≤ [`MAX_BITS`].
#[derive(Debug, Clone)]
pub struct Linear {
    seed: u64,
    matrix: Gf2Matrix,
    counter: CallCounter,
}

impl Linear {
    /// Builds f with a full-rank matrix drawn from `seed`.
    pub fn new(input_bits: usize, output_bits: usize, seed: u64) -> Result<Self> {
        check_sizes(
            Candidate::Linear,
            input_bits,
            output_bits,
            MAX_BITS,
            MAX_BITS,
        )?;
        let mut rng = structure_rng(Candidate::Linear, seed, input_bits, output_bits);
        // A uniform square matrix over GF(2) has full rank with probability ≈ 0.289, a
        // rectangular one with probability ≥ 0.577, so a few draws suffice on average.
        let matrix = loop {
            let candidate = Gf2Matrix::random(&mut rng, output_bits, input_bits);
            if candidate.rank() == output_bits.min(input_bits) {
                break candidate;
            }
        };
        Ok(Self {
            seed,
            matrix,
            counter: CallCounter::new(),
        })
    }

    /// The matrix M (m rows, n columns).
    pub fn matrix(&self) -> &Gf2Matrix {
        &self.matrix
    }
}

impl OneWayFunction for Linear {
    fn name(&self) -> &str {
        Candidate::Linear.name()
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
    fn counter(&self) -> &CallCounter {
        &self.counter
    }
    fn fresh_copy(&self) -> Box<dyn OneWayFunction> {
        Box::new(Self {
            counter: CallCounter::new(),
            ..self.clone()
        })
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
