//! The identity / truncation control (docs/math.md §4): f(s) = the first m bits of s.

use super::{check_sizes, Candidate, MAX_BITS};
use crate::bits::Bits;
use crate::circuit::{Circuit, CircuitBuilder};
use crate::counter::CallCounter;
use crate::error::Result;
use crate::owf::OneWayFunction;

/// Identity / truncation control (docs/math.md §4): f(s) = the first m bits of s, m ≤ n; no seed.
#[derive(Debug, Clone)]
pub struct Identity {
    input_bits: usize,
    output_bits: usize,
    counter: CallCounter,
}

impl Identity {
    /// Builds the truncation to output_bits ≤ input_bits bits (1 ≤ n ≤ [`MAX_BITS`]).
    pub fn new(input_bits: usize, output_bits: usize) -> Result<Self> {
        check_sizes(
            Candidate::Identity,
            input_bits,
            output_bits,
            MAX_BITS,
            input_bits.min(MAX_BITS),
        )?;
        Ok(Self {
            input_bits,
            output_bits,
            counter: CallCounter::new(),
        })
    }
}

impl OneWayFunction for Identity {
    fn name(&self) -> &str {
        Candidate::Identity.name()
    }
    fn input_bits(&self) -> usize {
        self.input_bits
    }
    fn output_bits(&self) -> usize {
        self.output_bits
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
        x.truncated(self.output_bits).expect("m ≤ n")
    }
    /// No gates: output j is input wire j.
    fn compile(&self) -> Circuit {
        let b = CircuitBuilder::new(self.input_bits);
        let outputs = b.inputs(0, self.output_bits);
        b.finish(outputs)
            .expect("builder wires are valid by construction")
    }
}
