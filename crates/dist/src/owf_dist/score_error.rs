//! The accuracy of a score for g̃ (docs/math.md §5 "Accuracy measure"): the crate's one L2
//! estimator ([`crate::score_error`]) against the brute-force exact score, on points drawn from
//! the law at OU time t, split into the x- (input) and u- (output) parts.

use super::check_time;
use super::law::OwfDistribution;
use crate::error::{Error, Result};
use crate::score::{SampleBatch, Score};
use crate::score_error::{l2_score_error_split, ScoreError};
use rand::RngCore;
use serde::Serialize;

/// The L2 error of an approximate score against the exact score of g̃ at one OU time
/// ([`OwfDistribution::score_error`]): the generic estimate, and the normalised errors of the
/// two blocks of coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OwfScoreError {
    /// The estimate over all n + m coordinates ([`ScoreError`]; the reference is the exact
    /// score).
    pub error: ScoreError,
    /// The normalised error σ·√E‖ŝ_x − s_x‖² of the x-part (the n input coordinates) alone.
    pub normalised_error_x: f64,
    /// The normalised error of the u-part (the m output coordinates) alone.
    pub normalised_error_u: f64,
}

impl OwfDistribution {
    /// The normalised L2 error of `approx` against the exact (brute-force) score under the law
    /// at OU time t > 0, from `points` samples of [`OwfDistribution::at_time`] drawn from `rng`
    /// (docs/math.md §5 "Accuracy measure"): with σ the VE level of t, the error is
    /// σ·√E_{p_σ}‖ŝ_σ − s_σ‖² = √(1 − e^{−2t})·√E_{p_t}‖ŝ_t − s_t‖², reported with its
    /// Monte-Carlo standard error (delta method) and split into the x- and u-parts. Counts
    /// f-evaluations (sampling, and whatever `approx` does).
    ///
    /// Errors: t ≤ 0 or not finite; fewer than 2 points; n above the brute-force limit;
    /// `approx` of the wrong dimension.
    pub fn score_error(
        &self,
        approx: &dyn Score,
        t: f64,
        points: usize,
        rng: &mut dyn RngCore,
    ) -> Result<OwfScoreError> {
        let t = check_time(t)?;
        if points < 2 {
            return Err(Error::OutOfRange {
                name: "number of points of a score error",
                value: points as f64,
                range: "≥ 2",
            });
        }
        let exact = self.brute_force_score()?;
        let x = self.at_time(t)?.sample_batch(rng, points);
        let (error, head, tail) =
            l2_score_error_split(approx, &exact, t, x.view(), self.input_bits())?;
        let scale = crate::ou_time::noise_std(t);
        Ok(OwfScoreError {
            error,
            normalised_error_x: scale * head.sqrt(),
            normalised_error_u: scale * tail.sqrt(),
        })
    }

    /// [`OwfDistribution::score_error`] of the [`super::EfficientOwfScore`] at each time of
    /// `times`, each from its own stream `rng::stream(seed, "owf-efficient-score-error", [i])`.
    pub fn efficient_score_error_table(
        &self,
        times: &[f64],
        points: usize,
        seed: u64,
    ) -> Result<Vec<OwfScoreError>> {
        let approx = self.efficient_score();
        times
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let mut rng = crate::rng::stream(seed, "owf-efficient-score-error", &[i as u64]);
                self.score_error(&approx, t, points, &mut rng)
            })
            .collect()
    }
}
