//! Prior and measurement files of the CLI: JSON with a `kind` tag, loaded into the laws of
//! hardiff-dist and handed to samplers as trait objects.
//!
//! ```json
//! {"kind":"gaussian","mean":[0,0],"cov":[[1,0],[0,1]]}
//! {"kind":"gmm","weights":[0.3,0.7],"means":[[-2,0],[2,0]],"covs":[[[1,0],[0,1]],[[0.5,0],[0,0.5]]]}
//! {"kind":"pancakes","gamma":2,"sigma":0.5,"secret":[0.6,-0.8]}
//! {"kind":"owf-dist","owf":"blake3","input_bits":8,"output_bits":8,"seed":1}
//! ```
//! `owf-dist` also takes `alpha`, `envelope`, `beta` (docs/math.md §5 defaults) and `exact_score`
//! (brute-force score instead of the efficient one). A measurement file is
//! `{"a":[[…],…],"noise_std":…}`.

use crate::error::{Error, Result};
use hardiff_dist::owf_dist::{BruteForceOwfScore, EfficientOwfScore, OwfDistribution, OwfParams};
use hardiff_dist::{Gaussian, GaussianMixture, GaussianPancakes, SampleBatch, Score, ScoreVjp};
use hardiff_sde::posterior::Prior;
use ndarray::{Array1, Array2};
use serde::Deserialize;
use std::path::Path;

/// A prior file.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum PriorSpec {
    /// N(mean, cov).
    Gaussian {
        /// Mean vector.
        mean: Vec<f64>,
        /// Covariance matrix (symmetric positive definite).
        cov: Vec<Vec<f64>>,
    },
    /// Σ_k w_k N(μ_k, Σ_k).
    Gmm {
        /// Weights (positive, summing to 1).
        weights: Vec<f64>,
        /// Component means.
        means: Vec<Vec<f64>>,
        /// Component covariances.
        covs: Vec<Vec<Vec<f64>>>,
    },
    /// Gaussian pancakes (docs/math.md §2).
    Pancakes {
        /// γ.
        gamma: f64,
        /// σ.
        sigma: f64,
        /// Unit secret u.
        secret: Vec<f64>,
    },
    /// g̃ built from a one-way function (docs/math.md §5).
    OwfDist {
        /// Candidate name (blake3, goldreich, subset-sum, linear, identity).
        owf: String,
        /// n.
        input_bits: usize,
        /// m.
        output_bits: usize,
        /// Seed of the candidate (identity needs none).
        #[serde(default)]
        seed: Option<u64>,
        /// Lattice spacing α.
        #[serde(default)]
        alpha: Option<f64>,
        /// Envelope R.
        #[serde(default)]
        envelope: Option<f64>,
        /// Amplitude β.
        #[serde(default)]
        beta: Option<f64>,
        /// Use the brute-force exact score (2^n per point) instead of the efficient one.
        #[serde(default)]
        exact_score: bool,
    },
}

fn matrix(rows: &[Vec<f64>], what: &str) -> Result<Array2<f64>> {
    let n = rows.len();
    let k = rows.first().map_or(0, Vec::len);
    if rows.iter().any(|r| r.len() != k) {
        return Err(Error::Invalid(format!(
            "{what}: rows have different lengths"
        )));
    }
    Array2::from_shape_vec((n, k), rows.concat())
        .map_err(|e| Error::Invalid(format!("{what}: {e}")))
}

/// A loaded prior: the law and the oracles samplers may use.
pub enum LoadedPrior {
    /// A Gaussian.
    Gaussian(Gaussian),
    /// A Gaussian mixture.
    Gmm(GaussianMixture),
    /// Pancakes.
    Pancakes(GaussianPancakes),
    /// g̃ with its efficient score.
    OwfEfficient(OwfDistribution, EfficientOwfScore),
    /// g̃ with its brute-force score.
    OwfExact(OwfDistribution, BruteForceOwfScore),
}

impl PriorSpec {
    /// Reads and validates a prior file.
    pub fn load(path: &Path) -> Result<LoadedPrior> {
        let spec: PriorSpec = crate::io::read_json(path)?;
        spec.build()
    }

    /// Builds the law (validating every parameter).
    pub fn build(&self) -> Result<LoadedPrior> {
        Ok(match self {
            PriorSpec::Gaussian { mean, cov } => LoadedPrior::Gaussian(Gaussian::new(
                Array1::from(mean.clone()),
                matrix(cov, "cov")?,
            )?),
            PriorSpec::Gmm {
                weights,
                means,
                covs,
            } => {
                if means.len() != weights.len() || covs.len() != weights.len() {
                    return Err(Error::Invalid(format!(
                        "gmm: {} weights, {} means and {} covs must agree",
                        weights.len(),
                        means.len(),
                        covs.len()
                    )));
                }
                let components = means
                    .iter()
                    .zip(covs)
                    .map(|(m, c)| {
                        Gaussian::new(Array1::from(m.clone()), matrix(c, "covs")?)
                            .map_err(Error::from)
                    })
                    .collect::<Result<Vec<_>>>()?;
                LoadedPrior::Gmm(GaussianMixture::new(weights.clone(), components)?)
            }
            PriorSpec::Pancakes {
                gamma,
                sigma,
                secret,
            } => LoadedPrior::Pancakes(GaussianPancakes::new(
                secret.len(),
                *gamma,
                *sigma,
                Array1::from(secret.clone()),
            )?),
            PriorSpec::OwfDist {
                owf,
                input_bits,
                output_bits,
                seed,
                alpha,
                envelope,
                beta,
                exact_score,
            } => {
                let kind: hardiff_owf::Candidate = owf.parse()?;
                let f = kind.build_arc(*input_bits, *output_bits, seed.unwrap_or(0))?;
                let mut params = OwfParams::from_rule(
                    *input_bits,
                    *output_bits,
                    envelope.unwrap_or(OwfParams::DEFAULT_ENVELOPE),
                    alpha.unwrap_or(OwfParams::DEFAULT_SPACING),
                    OwfParams::DEFAULT_EPSILON,
                )?;
                if let Some(b) = beta {
                    params = params.with_amplitude(*b)?;
                }
                let dist = OwfDistribution::new(f, params)?;
                if *exact_score {
                    let score = dist.brute_force_score()?;
                    LoadedPrior::OwfExact(dist, score)
                } else {
                    let score = dist.efficient_score();
                    LoadedPrior::OwfEfficient(dist, score)
                }
            }
        })
    }
}

impl LoadedPrior {
    /// Dimension.
    pub fn dim(&self) -> usize {
        self.score().dim()
    }

    /// The score every diffusion sampler uses.
    pub fn score(&self) -> &dyn Score {
        match self {
            LoadedPrior::Gaussian(g) => g,
            LoadedPrior::Gmm(g) => g,
            LoadedPrior::Pancakes(p) => p,
            LoadedPrior::OwfEfficient(_, s) => s,
            LoadedPrior::OwfExact(_, s) => s,
        }
    }

    /// The exact sampler.
    pub fn sampler(&self) -> &dyn SampleBatch {
        match self {
            LoadedPrior::Gaussian(g) => g,
            LoadedPrior::Gmm(g) => g,
            LoadedPrior::Pancakes(p) => p,
            LoadedPrior::OwfEfficient(d, _) | LoadedPrior::OwfExact(d, _) => d,
        }
    }

    /// Score VJPs, where the law offers them.
    pub fn score_vjp(&self) -> Option<&dyn ScoreVjp> {
        match self {
            LoadedPrior::Gaussian(g) => Some(g),
            LoadedPrior::Gmm(g) => Some(g),
            LoadedPrior::Pancakes(p) => Some(p),
            LoadedPrior::OwfEfficient(..) | LoadedPrior::OwfExact(..) => None,
        }
    }

    /// The oracles as a posterior-sampler prior: guidance uses the exact Jacobian where the
    /// law offers VJPs, the Jacobian-free form otherwise.
    pub fn as_prior(&self) -> Prior<'_> {
        match self.score_vjp() {
            Some(v) => Prior::from_score_vjp(v),
            None => Prior::from_score(self.score()),
        }
        .with_sampler(self.sampler())
    }

    /// g̃, when the prior is one (for decoding samples).
    pub fn owf_distribution(&self) -> Option<&OwfDistribution> {
        match self {
            LoadedPrior::OwfEfficient(d, _) | LoadedPrior::OwfExact(d, _) => Some(d),
            _ => None,
        }
    }
}

/// A measurement file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasurementSpec {
    /// The matrix A (m' rows of length d).
    pub a: Vec<Vec<f64>>,
    /// Noise standard deviation η > 0.
    pub noise_std: f64,
}

impl MeasurementSpec {
    /// Reads and validates a measurement file.
    pub fn load(path: &Path) -> Result<hardiff_sde::LinearMeasurement> {
        let spec: MeasurementSpec = crate::io::read_json(path)?;
        Ok(hardiff_sde::LinearMeasurement::new(
            matrix(&spec.a, "a")?,
            spec.noise_std,
        )?)
    }
}
