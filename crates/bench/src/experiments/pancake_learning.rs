//! Learning the score of Gaussian pancakes (docs/math.md §2, §3, §8): how well does a network trained
//! by denoising score matching on samples — **without** the secret direction u — estimate the
//! exact score, as the dimension d grows?
//!
//! For each d the experiment draws one fixed training set of pancake samples (the sample budget)
//! and compares, at a few OU times t, the L2 error E_{p_t}‖ŝ − s_t‖² (Monte Carlo, standard
//! error) of four estimators:
//! - `exact`: the exact pancake score (error 0 by definition; listed as the reference);
//! - `gaussian`: ŝ = −x, the score of N(0, I) — knows nothing of the pancakes; its error is
//!   E_{p_t}[g_t(⟨x,u⟩)²], the size of the pancake signal a learner must capture;
//! - `mlp-blind`: a dense ReLU [`ScoreMlp`] on R^d (parameterization −x + n/√v_t) trained by DSM
//!   on the samples, never told u;
//! - `mlp-given-u`: ŝ(x) = −x + g(⟨x,u⟩, t)·u with g a 1-D MLP trained by DSM on the projections
//!   ⟨x₀, u⟩ of the same samples ([`ProjectedScore`]).
//!
//! The cryptographic claim (Song 2024, docs/math.md §3) is that no efficient estimator keeps a small
//! error as d grows; the records show how the blind network's error moves from the given-u
//! network's towards the `gaussian` baseline.
//!
//! Not yet part of the bench suite ([`super::all`]); run it with
//! `cargo run -p hardiff-bench --example pancake_learning`.

use crate::error::{Error, Result};
use hardiff_dist::pancakes::GaussianPancakes;
use hardiff_dist::rng::stream;
use hardiff_dist::score_error::{l2_score_error, ScoreError};
use hardiff_dist::standard_gaussian::StandardGaussian;
use hardiff_dist::{OuMarginal, SampleBatch};
use hardiff_nn::dsm::{Dataset, DsmConfig, DsmTrainer};
use hardiff_nn::projected::ProjectedScore;
use hardiff_nn::score_mlp::{Parameterization, ScoreMlp, TimeEmbedding};
use ndarray::Axis;
use serde::{Deserialize, Serialize};

/// `value` if it is ≥ 1, else an error naming the setting.
fn count(name: &str, value: usize) -> Result<usize> {
    if value >= 1 {
        Ok(value)
    } else {
        Err(Error::Invalid(format!(
            "{name} must be at least 1, got {value}"
        )))
    }
}

/// Settings of [`pancake_learning_experiment`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PancakeExperimentConfig {
    /// Dimensions d.
    pub dims: Vec<usize>,
    /// Spacing parameter γ.
    pub gamma: f64,
    /// Thickness σ.
    pub sigma: f64,
    /// Size of the fixed training set per d (the sample budget).
    pub train_samples: usize,
    /// Hidden widths of the blind d-dimensional network.
    pub hidden: Vec<usize>,
    /// Hidden widths of the 1-D network given u.
    pub hidden_given_u: Vec<usize>,
    /// Sine/cosine pairs of the time embedding.
    pub time_frequencies: usize,
    /// DSM settings (steps, batch, learning rate, time range, seed) for both networks.
    pub dsm: DsmConfig,
    /// OU times at which errors are measured.
    pub eval_times: Vec<f64>,
    /// Monte Carlo points per error.
    pub eval_points: usize,
    /// Seed for the secret, the training set and the evaluation points.
    pub seed: u64,
}

impl Default for PancakeExperimentConfig {
    /// γ = 2, σ = 0.2 (b = γσ/a ≈ 0.39: pancakes clearly visible at t = 0; their score signal
    /// E\[g_t²\] stays O(0.1–1) up to t ≈ 0.05 and fades by t ≈ 0.3 as b_t → γ), d ∈ {2,…,32},
    /// 20 000 training samples, 4000 DSM steps of 256 on t ∈ [0.005, 2].
    fn default() -> Self {
        Self {
            dims: vec![2, 4, 8, 16, 32],
            gamma: 2.0,
            sigma: 0.2,
            train_samples: 20_000,
            hidden: vec![256, 256],
            hidden_given_u: vec![128, 128],
            time_frequencies: 4,
            dsm: DsmConfig {
                steps: 4000,
                batch_size: 256,
                learning_rate: 2e-3,
                final_lr_fraction: 0.05,
                t_min: 0.005,
                t_max: 2.0,
                grad_clip: Some(10.0),
                seed: 0,
            },
            eval_times: vec![0.01, 0.05, 0.2],
            eval_points: 4000,
            seed: 0,
        }
    }
}

/// One (d, estimator, t) result of [`pancake_learning_experiment`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PancakeRecord {
    /// Dimension d.
    pub d: usize,
    /// γ.
    pub gamma: f64,
    /// σ.
    pub sigma: f64,
    /// `exact`, `gaussian`, `mlp-blind` or `mlp-given-u` (module docs).
    pub estimator: String,
    /// OU time t.
    pub t: f64,
    /// Training samples available to the estimator (0 for `exact` and `gaussian`).
    pub samples_used: usize,
    /// DSM steps (0 for `exact` and `gaussian`).
    pub training_steps: usize,
    /// Trainable parameters (0 for `exact` and `gaussian`).
    pub parameters: usize,
    /// E_{p_t}‖ŝ − s_t‖² (Monte Carlo mean).
    pub mse: f64,
    /// Standard error of `mse`.
    pub mse_std_err: f64,
    /// √v_t·√mse (docs/math.md §8).
    pub normalised_error: f64,
    /// `mse` divided by the `gaussian` baseline's mse at the same (d, t): 0 = exact, 1 = has
    /// learned nothing beyond −x.
    pub relative_to_gaussian: f64,
    /// Final DSM loss (NaN for `exact` and `gaussian`).
    pub final_loss: f64,
}

/// Runs the experiment of the module docs and returns one record per (d, estimator, t).
pub fn pancake_learning_experiment(config: &PancakeExperimentConfig) -> Result<Vec<PancakeRecord>> {
    count("number of dims", config.dims.len())?;
    count("train_samples", config.train_samples)?;
    count("eval_points", config.eval_points)?;
    count("number of eval times", config.eval_times.len())?;
    let mut records = Vec::new();
    for &d in &config.dims {
        count("d", d)?;
        let law = GaussianPancakes::with_random_secret(
            d,
            config.gamma,
            config.sigma,
            config.seed ^ d as u64,
        )?;
        let u = law.secret().to_owned();
        // The stream labels keep the names of the experiment's first home (hardiff-nn), so a
        // seed gives the same records as before the move.
        let mut rng = stream(config.seed, "hardiff-nn pancakes train-set", &[d as u64]);
        let data = Dataset::new(law.sample_batch(&mut rng, config.train_samples))?;
        let projected = Dataset::new(data.rows().dot(&u).insert_axis(Axis(1)))?;
        let emb = TimeEmbedding::new(config.dsm.t_min, config.dsm.t_max, config.time_frequencies)?;

        let mut blind = ScoreMlp::new(
            d,
            &config.hidden,
            emb,
            Parameterization::GaussianResidual,
            config.seed ^ ((d as u64) << 8),
        )?;
        let mut trainer = DsmTrainer::new(&blind, config.dsm.clone())?;
        trainer.run(&mut blind, &data, config.dsm.steps)?;
        let blind_loss = trainer.report().losses.last().map_or(f64::NAN, |l| l.loss);

        let mut one_d = ScoreMlp::new(
            1,
            &config.hidden_given_u,
            emb,
            Parameterization::GaussianResidual,
            config.seed ^ ((d as u64) << 16),
        )?;
        let mut trainer_u = DsmTrainer::new(&one_d, config.dsm.clone())?;
        trainer_u.run(&mut one_d, &projected, config.dsm.steps)?;
        let given_loss = trainer_u
            .report()
            .losses
            .last()
            .map_or(f64::NAN, |l| l.loss);
        let given_u = ProjectedScore::new(u.clone(), one_d)?;
        let gaussian = StandardGaussian::new(d)?;

        for (k, &t) in config.eval_times.iter().enumerate() {
            let mut rng = stream(
                config.seed,
                "hardiff-nn pancakes eval",
                &[d as u64, k as u64],
            );
            let pts = OuMarginal::new(&law, t)?.sample_batch(&mut rng, config.eval_points);
            let base = l2_score_error(&gaussian, &law, t, pts.view())?;
            let mut push = |name: &str,
                            e: ScoreError,
                            samples: usize,
                            steps: usize,
                            params: usize,
                            loss: f64| {
                records.push(PancakeRecord {
                    d,
                    gamma: config.gamma,
                    sigma: config.sigma,
                    estimator: name.to_string(),
                    t,
                    samples_used: samples,
                    training_steps: steps,
                    parameters: params,
                    mse: e.mean_squared_error,
                    mse_std_err: e.std_error,
                    normalised_error: e.normalised_error,
                    relative_to_gaussian: if base.mean_squared_error > 0.0 {
                        e.mean_squared_error / base.mean_squared_error
                    } else {
                        f64::NAN
                    },
                    final_loss: loss,
                });
            };
            push(
                "exact",
                l2_score_error(&law, &law, t, pts.view())?,
                0,
                0,
                0,
                f64::NAN,
            );
            push("gaussian", base, 0, 0, 0, f64::NAN);
            push(
                "mlp-blind",
                l2_score_error(&blind, &law, t, pts.view())?,
                config.train_samples,
                config.dsm.steps,
                blind.net().n_params(),
                blind_loss,
            );
            push(
                "mlp-given-u",
                l2_score_error(&given_u, &law, t, pts.view())?,
                config.train_samples,
                config.dsm.steps,
                given_u.inner().net().n_params(),
                given_loss,
            );
        }
    }
    Ok(records)
}
