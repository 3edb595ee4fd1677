//! The [`OneWayFunction`] trait (docs/math.md §4): what every candidate — built in or defined in a
//! downstream crate — implements.
//!
//! Evaluation always goes through [`OneWayFunction::eval`] / [`OneWayFunction::eval_batch`],
//! which check input lengths and count into the function's [`CallCounter`] (DESIGN.md "cost is
//! counted, not only timed"): a scaling curve can then be measured in f-evaluations, which are
//! deterministic.
//!
//! This module knows no candidate: the built-ins and their construction by name live in
//! [`crate::candidates`], which depends on this trait and not the other way round.

use crate::bits::Bits;
use crate::circuit::Circuit;
use crate::counter::CallCounter;
use crate::error::{Error, Result};
use std::fmt;

/// A function f: {0,1}^input_bits → {0,1}^output_bits on packed bits ([`Bits`], bit order
/// documented there), with counted evaluation and a circuit that computes it (docs/math.md §4).
///
/// Implementors provide the required methods — a [`name`](OneWayFunction::name), the sizes,
/// the [`CallCounter`], [`eval_uncounted`](OneWayFunction::eval_uncounted), a
/// [`compile`](OneWayFunction::compile)d circuit (built with the public
/// [`CircuitBuilder`](crate::CircuitBuilder)) and a [`fresh_copy`](OneWayFunction::fresh_copy);
/// callers use [`eval`](OneWayFunction::eval) and [`eval_batch`](OneWayFunction::eval_batch),
/// which check the input length and count. Everything here can be implemented outside this
/// crate (the integration test `tests/downstream_candidate.rs` does so).
pub trait OneWayFunction: Send + Sync + fmt::Debug {
    /// A short name for reports and descriptions (`blake3`, `goldreich`, …; a downstream
    /// candidate chooses its own). Names are labels, not identities: two functions with the
    /// same name may differ (other key, other sizes).
    fn name(&self) -> &str;

    /// The number of input bits (n in docs/math.md §4).
    fn input_bits(&self) -> usize;

    /// The number of output bits (m in docs/math.md §4).
    fn output_bits(&self) -> usize;

    /// The seed the function was built from, if any (`None` for unseeded functions such as
    /// identity, or a BLAKE3 candidate given its key directly). Only used in descriptions.
    fn seed(&self) -> Option<u64> {
        None
    }

    /// The counter of f-evaluations (clones of the function share it).
    fn counter(&self) -> &CallCounter;

    /// Implementors' hook: f(x) without counting. `x.len()` is
    /// [`input_bits`](OneWayFunction::input_bits) (the provided methods check it); on an input
    /// of another length the result is unspecified. Callers use [`OneWayFunction::eval`], which
    /// counts.
    fn eval_uncounted(&self, x: &Bits) -> Bits;

    /// f(x) without counting, written as its ⌈output_bits/64⌉ packed words (bit j of f(x) is bit
    /// j % 64 of word j / 64; bits past output_bits are zero) into `out`, which has exactly
    /// that length. For hot loops that read f's bits and need no [`Bits`] value (g̃'s sampler,
    /// [`OneWayFunction::eval_batch_words`]). The provided method copies
    /// [`eval_uncounted`](OneWayFunction::eval_uncounted)'s words; a candidate overrides it
    /// when it can write them directly.
    fn eval_uncounted_words(&self, x: &Bits, out: &mut [u64]) {
        out.copy_from_slice(self.eval_uncounted(x).words());
    }

    /// A boolean circuit over {AND, XOR, NOT, constants} computing f (input_bits inputs,
    /// output_bits outputs, output j = bit j of f(x)); its evaluation equals
    /// [`OneWayFunction::eval`] on every input. hardiff-nn compiles it into a ReLU network
    /// (docs/math.md §5).
    fn compile(&self) -> Circuit;

    /// The same function with its own counter at zero: what a caller holds when it must own f
    /// (e.g. to share it with g̃ in a distribution) without adding to the counts of the f it
    /// was given. Typically `Box::new(Self { counter: CallCounter::new(), ..self.clone() })`.
    fn fresh_copy(&self) -> Box<dyn OneWayFunction>;

    /// Whether f is GF(2)-affine (f(x ⊕ x') = f(x) ⊕ f(x') ⊕ f(0)); the easy controls are, and
    /// [`Elimination`](crate::Elimination) inverts exactly these.
    fn is_gf2_affine(&self) -> bool {
        false
    }

    /// f(x), counted as one evaluation; errors if `x.len() != input_bits`.
    fn eval(&self, x: &Bits) -> Result<Bits> {
        check_input(self.input_bits(), x)?;
        self.counter().add(1);
        Ok(self.eval_uncounted(x))
    }

    /// f on every input of a batch, counted as `xs.len()` evaluations; errors (before any
    /// evaluation) if some input has the wrong length.
    fn eval_batch(&self, xs: &[Bits]) -> Result<Vec<Bits>> {
        for x in xs {
            check_input(self.input_bits(), x)?;
        }
        self.counter().add(xs.len() as u64);
        Ok(xs.iter().map(|x| self.eval_uncounted(x)).collect())
    }

    /// f on every input of a batch as packed words: input i's ⌈output_bits/64⌉ words at
    /// `out[i·w..(i + 1)·w]` with w = ⌈output_bits/64⌉ (the layout of
    /// [`OneWayFunction::eval_uncounted_words`]), counted as `xs.len()` evaluations with one
    /// increment. The allocation-free form of [`OneWayFunction::eval_batch`], for a caller's
    /// reused buffer. Errors (before any evaluation) if some input has the wrong length or
    /// `out.len() != xs.len()·w`.
    fn eval_batch_words(&self, xs: &[Bits], out: &mut [u64]) -> Result<()> {
        for x in xs {
            check_input(self.input_bits(), x)?;
        }
        let w = self.output_bits().div_ceil(64);
        if out.len() != xs.len() * w {
            return Err(Error::LengthMismatch {
                what: "output words (one row of ⌈m/64⌉ words per input)",
                expected: xs.len() * w,
                got: out.len(),
            });
        }
        self.counter().add(xs.len() as u64);
        for (x, row) in xs.iter().zip(out.chunks_exact_mut(w.max(1))) {
            self.eval_uncounted_words(x, row);
        }
        Ok(())
    }

    /// Evaluations counted so far (over all holders of this function's counter).
    fn evaluations(&self) -> u64 {
        self.counter().get()
    }

    /// A one-line description, e.g. `blake3(n=16, m=16, seed=7)` (n input bits, m output bits).
    fn describe(&self) -> String {
        let (name, n, m) = (self.name(), self.input_bits(), self.output_bits());
        match self.seed() {
            Some(seed) => format!("{name}(n={n}, m={m}, seed={seed})"),
            None => format!("{name}(n={n}, m={m})"),
        }
    }
}

fn check_input(input_bits: usize, x: &Bits) -> Result<()> {
    if x.len() == input_bits {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            what: "one-way function input bits",
            expected: input_bits,
            got: x.len(),
        })
    }
}
