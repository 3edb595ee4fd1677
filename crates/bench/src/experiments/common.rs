//! What several experiments on g̃ share: the one-way function's seed, random secrets, f's full
//! output table and the exact acceptance probability of rejection sampling (docs/math.md §6).

use crate::error::{Error, Result};
use hardiff_dist::rng;
use hardiff_owf::{Bits, OneWayFunction};
use rand::{Rng, RngCore};

/// The seed of the one-way function of an experiment (fixed per run seed and experiment).
pub(crate) fn owf_seed(run_seed: u64, label: &str) -> u64 {
    rng::stream(run_seed, label, &[]).random()
}

/// A uniformly random n-bit secret.
pub(crate) fn random_bits(n: usize, rng: &mut dyn RngCore) -> Bits {
    let bools: Vec<bool> = (0..n).map(|_| rng.random::<bool>()).collect();
    Bits::from_bools(&bools)
}

/// The table of f on every seed 0..2^n (as integers), evaluated uncounted so the experiment's
/// counted costs are not polluted. Refuses n > 20.
pub fn output_table(f: &dyn OneWayFunction) -> Result<Vec<Bits>> {
    let n = f.input_bits();
    if n > 20 {
        return Err(Error::Invalid(format!(
            "output table of 2^{n} entries refused (n ≤ 20)"
        )));
    }
    (0..1u64 << n)
        .map(|s| Ok(f.eval_uncounted(&Bits::from_u64(s, n)?)))
        .collect()
}

/// E_{s*, ξ}\[P_acc\] of rejection sampling on g̃ when the first `bits` output coordinates are
/// measured with noise η (docs/math.md §6), exact up to a relative error e^{−2β²/η²}:
/// E\[P_acc\] = 2^{−bits/2} Σ_j q_j e^{−jβ²/η²}, where q_j is the probability that two independent
/// uniform seeds' measured output bits differ in j places. (Per measured coordinate,
/// E_ξ exp(−(δ/η + ξ)²/2) = 2^{−1/2} e^{−δ²/(4η²)} with δ ∈ {0, ±2β}.) Terms j ≥ 2 are dropped.
pub fn expected_acceptance(table: &[Bits], bits: usize, beta_over_eta: f64) -> f64 {
    let mut hist = vec![0.0f64; 1 << bits];
    for y in table {
        let pattern = (0..bits).fold(0usize, |acc, j| acc | (usize::from(y.bit(j)) << j));
        hist[pattern] += 1.0 / table.len() as f64;
    }
    let q0: f64 = hist.iter().map(|p| p * p).sum();
    let q1: f64 = (0..hist.len())
        .map(|y| hist[y] * (0..bits).map(|b| hist[y ^ (1 << b)]).sum::<f64>())
        .sum();
    let decay = (-beta_over_eta * beta_over_eta).exp();
    2f64.powf(-(bits as f64) / 2.0) * (q0 + q1 * decay)
}
