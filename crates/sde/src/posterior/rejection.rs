//! Exact rejection sampling (docs/math.md §6): draw X ~ prior, accept with probability
//! exp(−‖y − AX‖²/(2η²)) ≤ 1. The accepted draws are exact i.i.d. posterior samples; the cost is
//! the number of prior draws, n / P_acc on average with P_acc = (2πη²)^{m/2} p_Y(y) — the
//! quantity whose growth in m the bench measures.
//!
//! It needs exact prior draws, so [`Rejection`] is a [`PosteriorSampler`] for every
//! [`SampleBatch`] and for nothing else; it never evaluates a score.

use super::{check_problem, PosteriorOutput, PosteriorSampler, PosteriorStats};
use crate::error::{Error, Result};
use crate::measurement::LinearMeasurement;
use hardiff_dist::SampleBatch;
use ndarray::{Array1, Array2, ArrayView1};
use rand::Rng as _;
use serde::{Deserialize, Serialize};

/// Configuration of [`Rejection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct RejectionConfig {
    /// Budget of prior draws (default 10⁷); exhausting it is [`Error::BudgetExhausted`], which
    /// reports the measured acceptance rate.
    pub max_draws: u64,
}

impl Default for RejectionConfig {
    /// A budget of 10⁷ prior draws: enough for 1000 samples at P_acc = 10⁻⁴, seconds of work
    /// for the cheap priors of the bench.
    fn default() -> Self {
        Self {
            max_draws: 10_000_000,
        }
    }
}

impl RejectionConfig {
    /// The same configuration with a budget of `max_draws` prior draws.
    pub fn with_max_draws(mut self, max_draws: u64) -> Self {
        self.max_draws = max_draws;
        self
    }
}

/// Exact rejection sampling (module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    config: RejectionConfig,
}

impl Rejection {
    /// The sampler. Errors: a zero budget.
    pub fn new(config: RejectionConfig) -> Result<Self> {
        if config.max_draws == 0 {
            return Err(Error::Empty {
                what: "rejection budget max_draws",
            });
        }
        Ok(Self { config })
    }

    /// Its configuration.
    pub fn config(&self) -> &RejectionConfig {
        &self.config
    }
}

impl<P: SampleBatch + ?Sized> PosteriorSampler<P> for Rejection {
    fn name(&self) -> &'static str {
        "rejection"
    }

    /// Draws from the prior until `n` are accepted or `max_draws` prior draws have been examined
    /// (then [`Error::BudgetExhausted`] with the measured acceptance rate). Prior draws are made
    /// in batches sized from the running acceptance estimate; `prior_draws` counts the draws
    /// examined (draws of the last batch past the n-th acceptance are neither examined nor
    /// counted). The stats' `log_evidence_estimate` is log(rate) − (m/2) log(2πη²).
    fn sample(
        &self,
        prior: &P,
        measurement: &LinearMeasurement,
        y: ArrayView1<f64>,
        n: usize,
        rng: &mut dyn rand::RngCore,
    ) -> Result<PosteriorOutput> {
        check_problem(prior.dim(), measurement, &y, n)?;
        let max_draws = self.config.max_draws;
        let d = prior.dim();
        let mut out = Array2::zeros((n, d));
        let (mut accepted, mut draws) = (0usize, 0u64);
        while accepted < n {
            if draws >= max_draws {
                return Err(Error::BudgetExhausted {
                    max_draws,
                    draws,
                    accepted,
                    requested: n,
                    acceptance_rate: accepted as f64 / draws as f64,
                });
            }
            // Laplace-smoothed running rate; ask for ~10% more than the expected need.
            let rate = (accepted as f64 + 1.0) / (draws as f64 + 2.0);
            let want = (1.1 * (n - accepted) as f64 / rate).ceil() as u64;
            let batch = want.clamp(64, 1 << 16).min(max_draws - draws) as usize;
            let x = prior.sample_batch(rng, batch);
            let mut log_acc = Array1::zeros(batch);
            measurement.log_acceptance(x.view(), y, log_acc.view_mut())?;
            for (row, &la) in x.outer_iter().zip(log_acc.iter()) {
                draws += 1;
                // Accept w.p. e^{la}: u < e^{la} ⇔ ln u < la (u ∈ (0, 1]).
                let u: f64 = 1.0 - rng.random::<f64>();
                if u.ln() < la {
                    out.row_mut(accepted).assign(&row);
                    accepted += 1;
                    if accepted == n {
                        break;
                    }
                }
            }
        }
        let rate = n as f64 / draws as f64;
        Ok(PosteriorOutput {
            samples: out,
            stats: PosteriorStats {
                method: "rejection".into(),
                n,
                prior_draws: draws,
                likelihood_evals: draws,
                accepted: n as u64,
                acceptance_rate: Some(rate),
                log_evidence_estimate: Some(rate.ln() + measurement.log_normaliser()),
                ..Default::default()
            },
        })
    }
}

/// Rejection sampling with a budget of `max_draws` prior draws: shorthand for
/// `Rejection::new(RejectionConfig::default().with_max_draws(max_draws))?.sample(…)`.
///
/// Errors: n = 0 or `max_draws` = 0 ([`Error::Empty`]); dimension mismatches; an exhausted
/// budget ([`Error::BudgetExhausted`]).
pub fn rejection(
    prior: &dyn SampleBatch,
    measurement: &LinearMeasurement,
    y: ArrayView1<f64>,
    n: usize,
    max_draws: u64,
    rng: &mut dyn rand::RngCore,
) -> Result<PosteriorOutput> {
    Rejection::new(RejectionConfig::default().with_max_draws(max_draws))?.sample(
        prior,
        measurement,
        y,
        n,
        rng,
    )
}
