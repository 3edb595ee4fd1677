//! The reduction of arXiv 2402.12727 (docs/math.md §6): **a posterior sampler for g̃ inverts f.**
//!
//! Given y = f(s*) for an unknown s*, the inverter builds g̃ for f, measures the f-part of a
//! (virtual) sample whose seed is s* — A reads the first `bits` output coordinates u, and
//! y_meas = β(2y − 1) + η ξ — runs any posterior sampler of hardiff-sde on (g̃, A, y_meas),
//! decodes each posterior sample's input signs ŝ = 1\[x > 0\], and checks f(ŝ) = y. Exact
//! posterior samples put almost all their mass on preimages once η ≪ β (docs/math.md §6), so an
//! efficient posterior sampler would be an efficient inverter; [`PosteriorInverter`] implements
//! `hardiff_owf::Inverter`, so it is measured beside brute force and elimination.

use crate::error::{Error, Result};
use hardiff_dist::owf_dist::{OwfDistribution, OwfParams};
use hardiff_dist::{rng, Score};
use hardiff_owf::{Bits, Inversion, Inverter, OneWayFunction};
use hardiff_sde::posterior::{PosteriorMethod, PosteriorStats, Prior};
use hardiff_sde::LinearMeasurement;
use ndarray::Array1;
use rand::RngCore;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Which score of g̃ the diffusion-based posterior samplers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScoreOracle {
    /// The efficient score of docs/math.md §5 (one f-evaluation per point): what a network computes.
    Efficient,
    /// The exact score by brute force over 2^n seeds (exponential; small n only).
    Exact,
}

/// The measurement of the first `bits` output coordinates of g̃ with noise η, and the observed
/// y_meas = β(2y_{\[bits\]} − 1) + η ξ for the output bits `y` (docs/math.md §6).
pub fn measure_output_bits(
    dist: &OwfDistribution,
    y: &Bits,
    bits: usize,
    noise: f64,
    rng: &mut dyn RngCore,
) -> Result<(LinearMeasurement, Array1<f64>)> {
    let (n, m) = (dist.input_bits(), dist.output_bits());
    if bits > m || y.len() != m {
        return Err(Error::Invalid(format!(
            "cannot measure {bits} of the m = {m} output bits of a {}-bit output",
            y.len()
        )));
    }
    let coords: Vec<usize> = (n..n + bits).collect();
    let measurement = LinearMeasurement::select(n + m, &coords, noise)?;
    let beta = dist.params().amplitude();
    let observed = Array1::from_iter((0..bits).map(|j| {
        let xi: f64 = StandardNormal.sample(rng);
        beta * if y.bit(j) { 1.0 } else { -1.0 } + noise * xi
    }));
    Ok((measurement, observed))
}

/// One inversion attempt through a posterior sampler, with everything it cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// A preimage of the measured bits' full output y (f(ŝ) = y), if some sample decoded to one.
    pub preimage: Option<String>,
    /// Posterior samples drawn.
    pub samples: usize,
    /// How many of them decoded to a preimage of y (all m bits).
    pub preimages_found: usize,
    /// How many matched y on the measured bits only.
    pub measured_bits_matched: usize,
    /// f-evaluations (prior sampling, efficient score, checks), counted on f.
    pub f_evals: u64,
    /// The sampler's counted costs (prior draws, score evaluations, …). `None` when a rejection
    /// budget ran out before any sample was accepted.
    pub stats: Option<PosteriorStats>,
    /// Prior draws examined (rejection sampling; also when the budget ran out).
    pub prior_draws: u64,
}

/// Inverts f by posterior sampling on g̃ (module docs).
#[derive(Debug, Clone)]
pub struct PosteriorInverter {
    /// The posterior sampler and its configuration (grid included).
    pub config: PosteriorMethod,
    /// The score of g̃ given to diffusion-based samplers.
    pub score: ScoreOracle,
    /// Posterior samples per attempt (particles for SMC: see `config`).
    pub samples: usize,
    /// Measurement noise as a multiple of β (default ¼, docs/math.md §5).
    pub noise_ratio: f64,
    /// Seed of the measurement noise and the sampler (streams are keyed by y, so an attempt is
    /// a deterministic function of (seed, y)).
    pub seed: u64,
}

impl PosteriorInverter {
    /// An inverter with the default measurement noise η = β/4.
    pub fn new(config: PosteriorMethod, score: ScoreOracle, samples: usize, seed: u64) -> Self {
        Self {
            config,
            score,
            samples,
            noise_ratio: 0.25,
            seed,
        }
    }

    /// The attempt on g̃ for output y, measuring `bits` output bits.
    pub fn attempt(&self, dist: &OwfDistribution, y: &Bits, bits: usize) -> Result<Attempt> {
        let f = dist.function();
        let before = f.evaluations();
        let mut stream = rng::stream(self.seed, "posterior-inverter", y.words());
        let noise = self.noise_ratio * dist.params().amplitude();
        let (measurement, observed) = measure_output_bits(dist, y, bits, noise, &mut stream)?;
        let efficient;
        let exact;
        let score: &dyn Score = match self.score {
            ScoreOracle::Efficient => {
                efficient = dist.efficient_score();
                &efficient
            }
            ScoreOracle::Exact => {
                exact = dist.brute_force_score()?;
                &exact
            }
        };
        // g̃'s scores offer no VJPs: guidance uses the Jacobian-free form.
        let prior = Prior::from_score(score).with_sampler(dist);
        let result = self.config.sample(
            &prior,
            &measurement,
            observed.view(),
            self.samples,
            &mut stream,
        );
        let (samples, stats, prior_draws) = match result {
            Ok(out) => {
                let draws = out.stats.prior_draws;
                (Some(out.samples), Some(out.stats), draws)
            }
            Err(hardiff_sde::Error::BudgetExhausted { draws, .. }) => (None, None, draws),
            Err(e) => return Err(e.into()),
        };
        let mut attempt = Attempt {
            preimage: None,
            samples: samples.as_ref().map_or(0, |s| s.nrows()),
            preimages_found: 0,
            measured_bits_matched: 0,
            f_evals: 0,
            stats,
            prior_draws,
        };
        if let Some(samples) = samples {
            for row in samples.rows() {
                let decoded = dist.decode(row)?;
                let image = f.eval(&decoded.seed)?;
                if (0..bits).all(|j| image.bit(j) == y.bit(j)) {
                    attempt.measured_bits_matched += 1;
                }
                if &image == y {
                    attempt.preimages_found += 1;
                    if attempt.preimage.is_none() {
                        attempt.preimage = Some(decoded.seed.to_hex());
                    }
                }
            }
        }
        attempt.f_evals = f.evaluations() - before;
        Ok(attempt)
    }
}

impl Inverter for PosteriorInverter {
    fn name(&self) -> &str {
        match self.config {
            PosteriorMethod::Rejection(_) => "posterior-rejection",
            PosteriorMethod::Smc(_) => "posterior-smc",
            PosteriorMethod::Dps(_) => "posterior-dps",
            PosteriorMethod::Pigdm(_) => "posterior-pigdm",
            PosteriorMethod::Langevin(_) => "posterior-langevin",
        }
    }

    /// Takes a fresh copy of f (same function, own counter) to share it with g̃, measures all m
    /// output bits and samples the posterior. Costs: f-evaluations (counted on the caller's f
    /// too) and, in `operations`, score evaluations plus prior draws.
    fn invert(&self, f: &dyn OneWayFunction, y: &Bits) -> hardiff_owf::Result<Inversion> {
        let (n, m) = (f.input_bits(), f.output_bits());
        let invalid = |e: Error| hardiff_owf::Error::Invalid(format!("posterior inverter: {e}"));
        let shared: std::sync::Arc<dyn OneWayFunction> = f.fresh_copy().into();
        let params = OwfParams::default_rule(n, m).map_err(|e| invalid(e.into()))?;
        let dist = OwfDistribution::new(shared, params).map_err(|e| invalid(e.into()))?;
        let attempt = self.attempt(&dist, y, m).map_err(invalid)?;
        f.counter().add(attempt.f_evals);
        let preimage = match &attempt.preimage {
            Some(hex) => Some(Bits::from_hex(hex, n)?),
            None => None,
        };
        let score_evals = attempt.stats.as_ref().map_or(0, |s| s.score_evals);
        Ok(Inversion {
            preimage,
            evaluations: attempt.f_evals,
            operations: score_evals + attempt.prior_draws,
        })
    }
}
