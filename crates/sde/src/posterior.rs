//! Posterior samplers for y = A x + η (MATH.md §6–§7): exact rejection sampling, SMC with
//! TDS-style twisting, DPS and ΠGDM guidance (each with an exact-Jacobian and a Jacobian-free
//! variant) and annealed Langevin / predictor–corrector on an approximate posterior score.
//!
//! Why a module: every posterior sampler shares the same inputs (a [`Prior`] given by trait
//! objects, a [`LinearMeasurement`] and y), the same approximate likelihood ("twist") and the
//! same counted costs ([`PosteriorStats`]), so the CLI can pick the prior and the sampler at
//! run time.
//!
//! Conventions (all stated once here):
//! - **Denoiser** D_t(x) = e^t (x + v_t s_t(x)) (Tweedie, MATH.md §0), Jacobian
//!   J_D = e^t (I + v_t ∂s_t), applied transposed through [`ScoreVjp`] ([`Jacobian::Exact`]).
//!   **Jacobian-free** ([`Jacobian::Free`]) replaces J_D by α_t I — the exact Jacobian for
//!   N(μ, I) data (∂s_t = −I ⇒ e^t(1 − v_t) = α_t), consistent with ΠGDM's r_t² = v_t below; it
//!   needs no VJP. (Replacing J_D by I instead would over-weight guidance by e^t at large t.)
//! - **Approximate likelihood** (ΠGDM, MATH.md §7): p̃_t(y | x) = N(y; A D_t(x), η² I + r_t² AAᵀ)
//!   with r_t² = v_t (the exact Cov[X_0 | X_t] for N(μ, I) data; then p̃_t is the exact
//!   p_t(y | x) and the guided score below is the exact posterior score).
//! - **Guided score** s^y_t(x) = s_t(x) + ∇_x log p̃_t(y | x) ([`GuidedScore`]), used by ΠGDM
//!   (ancestral sampler), posterior Langevin (predictor–corrector) and as the SMC proposal.
//! - **DPS** (Chung et al. 2023, Alg. 1): after the ancestral step from x_t,
//!   x_{t'} ← x_{t'} − ζ_t ∇_{x_t} ‖y − A D_t(x_t)‖² with ζ_t = ζ/‖y − A D_t(x_t)‖ (per point).
//!   Since ∇‖r‖² = 2‖r‖ ∇‖r‖ this equals the official code's 2ζ ∇‖r‖. (MATH.md §7 writes
//!   ∇‖r‖ — the norm — together with ζ_t = ζ/‖r‖; that product is ζ ∇‖r‖/‖r‖, neither the paper's
//!   nor the code's step. hardiff follows the paper.)
//! - **SMC** targets the law of the *discretised* reverse chain reweighted by the exact
//!   likelihood at t_min: ∝ p^{chain}_{t_min}(x) N(y; A x, η² I). As particles → ∞ it is exact
//!   for that target; the chain's discretisation and early stopping are its only bias.

use crate::error::{positive, Error, Result};
use crate::grid::{GridKind, TimeGrid, DEFAULT_T_MAX, DEFAULT_T_MIN};
use crate::measurement::LinearMeasurement;
use crate::ou::{self, Bridge};
use crate::sampler::{self, LangevinConfig, SamplerKind};
use hardiff_dist::numerics::log_sum_exp;
use hardiff_dist::{CallCounter, Dimension, SampleBatch, Score, ScoreVjp};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis, Zip};
use rand::Rng as _;
use serde::{Deserialize, Serialize};

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// The prior as the oracles a posterior sampler may use, all as trait objects so that the CLI
/// can choose the law at run time. Each sampler says which it needs and returns
/// [`Error::MissingOracle`] otherwise.
#[derive(Clone, Copy, Default)]
pub struct Prior<'a> {
    /// Exact i.i.d. draws (rejection sampling).
    pub sampler: Option<&'a dyn SampleBatch>,
    /// The score s_t (all diffusion-based samplers).
    pub score: Option<&'a dyn Score>,
    /// The score with vector–Jacobian products ([`Jacobian::Exact`] guidance). Also serves as
    /// the score when `score` is `None`.
    pub score_vjp: Option<&'a dyn ScoreVjp>,
}

impl<'a> Prior<'a> {
    /// A law with an exact sampler and an exact score with VJPs (e.g. `Gaussian`,
    /// `GaussianMixture`): every sampler can run on it.
    pub fn exact<T: SampleBatch + ScoreVjp>(law: &'a T) -> Self {
        Self {
            sampler: Some(law),
            score: Some(law),
            score_vjp: Some(law),
        }
    }

    /// Only a score (e.g. a network): SMC, ΠGDM, DPS and Langevin with [`Jacobian::Free`].
    pub fn from_score(score: &'a dyn Score) -> Self {
        Self {
            score: Some(score),
            ..Self::default()
        }
    }

    /// A score with VJPs and no sampler.
    pub fn from_score_vjp(score: &'a dyn ScoreVjp) -> Self {
        Self {
            score_vjp: Some(score),
            ..Self::default()
        }
    }

    /// Only a sampler: rejection sampling.
    pub fn from_sampler(sampler: &'a dyn SampleBatch) -> Self {
        Self {
            sampler: Some(sampler),
            ..Self::default()
        }
    }

    fn score_ref(&self, method: &'static str) -> Result<ScoreRef<'a>> {
        match (self.score, self.score_vjp) {
            (Some(s), _) => Ok(ScoreRef::Plain(s)),
            (None, Some(v)) => Ok(ScoreRef::Vjp(v)),
            (None, None) => Err(Error::MissingOracle {
                sampler: method,
                oracle: "score",
            }),
        }
    }

    fn vjp(&self, method: &'static str, jacobian: Jacobian) -> Result<Option<&'a dyn ScoreVjp>> {
        match (jacobian, self.score_vjp) {
            (Jacobian::Free, _) => Ok(None),
            (Jacobian::Exact, Some(v)) => Ok(Some(v)),
            (Jacobian::Exact, None) => Err(Error::MissingOracle {
                sampler: method,
                oracle: "score VJP (use the Jacobian-free variant)",
            }),
        }
    }
}

/// A score given as either trait object (no trait upcasting needed).
#[derive(Clone, Copy)]
enum ScoreRef<'a> {
    Plain(&'a dyn Score),
    Vjp(&'a dyn ScoreVjp),
}

impl Dimension for ScoreRef<'_> {
    fn dim(&self) -> usize {
        match self {
            ScoreRef::Plain(s) => s.dim(),
            ScoreRef::Vjp(s) => s.dim(),
        }
    }
}

impl Score for ScoreRef<'_> {
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        match self {
            ScoreRef::Plain(s) => s.score(t, x, out),
            ScoreRef::Vjp(s) => s.score(t, x, out),
        }
    }
}

/// How guidance applies the denoiser's Jacobian J_D = e^t(I + v_t ∂s_t) (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Jacobian {
    /// J_Dᵀ u = e^t (u + v_t (∂s_t)ᵀ u) through [`ScoreVjp`] (one VJP per point per call).
    Exact,
    /// J_D ≈ α_t I (exact for N(μ, I) data); no VJP.
    Free,
}

/// A posterior sampler and its own parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum PosteriorMethod {
    /// Exact rejection sampling from prior draws (MATH.md §6); needs [`Prior::sampler`].
    Rejection {
        /// Budget of prior draws; exhausting it is [`Error::BudgetExhausted`].
        max_draws: u64,
    },
    /// SMC with ΠGDM-guided ancestral proposals and TDS-style twisting by p̃_t (module docs).
    Smc {
        /// Particles P (`None`: the number of samples requested).
        particles: Option<usize>,
        /// Jacobian used by the twisted proposal.
        jacobian: Jacobian,
        /// Resample (systematically) when ESS < `ess_threshold` · P (MATH.md §7: ½).
        ess_threshold: f64,
    },
    /// DPS guidance on the ancestral sampler, ζ_t = ζ/‖y − A D_t(x)‖ (module docs).
    Dps {
        /// The step scale ζ.
        zeta: f64,
        /// Jacobian of the guidance gradient.
        jacobian: Jacobian,
    },
    /// ΠGDM: the ancestral sampler on the guided score s + ∇ log p̃_t(y | x).
    Pigdm {
        /// Jacobian of the guidance gradient.
        jacobian: Jacobian,
    },
    /// Predictor–corrector Langevin on the guided score (likelihood gradient taken at the
    /// denoised point through p̃_t; as t → 0 it tends to the exact measurement gradient
    /// Aᵀ(y − A x)/η²).
    Langevin {
        /// Jacobian of the guidance gradient.
        jacobian: Jacobian,
        /// Corrector parameters.
        langevin: LangevinConfig,
    },
}

impl PosteriorMethod {
    /// The CLI names: `rejection`, `smc`, `dps`, `pigdm`, `langevin`.
    pub const NAMES: [&'static str; 5] = ["rejection", "smc", "dps", "pigdm", "langevin"];

    /// The method called `name` with its default parameters: rejection with 10⁷ draws; SMC
    /// with P = n, exact Jacobian, threshold ½; DPS with ζ = 0.1 and exact Jacobian (the best of
    /// ζ ∈ {0.05, 0.1, 0.2, 0.5, 1} on hardiff's GMM test problems; larger ζ makes DPS's
    /// normalised step oscillate across the measured subspace with amplitude ≈ ζ‖A‖); ΠGDM and
    /// Langevin with the exact Jacobian (K = 1, r = 0.1).
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name {
            "rejection" => PosteriorMethod::Rejection {
                max_draws: 10_000_000,
            },
            "smc" => PosteriorMethod::Smc {
                particles: None,
                jacobian: Jacobian::Exact,
                ess_threshold: 0.5,
            },
            "dps" => PosteriorMethod::Dps {
                zeta: 0.1,
                jacobian: Jacobian::Exact,
            },
            "pigdm" => PosteriorMethod::Pigdm {
                jacobian: Jacobian::Exact,
            },
            "langevin" => PosteriorMethod::Langevin {
                jacobian: Jacobian::Exact,
                langevin: LangevinConfig::default(),
            },
            _ => {
                return Err(Error::Invalid(format!(
                    "unknown posterior sampler `{name}` (expected one of {:?})",
                    Self::NAMES
                )))
            }
        })
    }

    /// The CLI name.
    pub fn name(&self) -> &'static str {
        match self {
            PosteriorMethod::Rejection { .. } => "rejection",
            PosteriorMethod::Smc { .. } => "smc",
            PosteriorMethod::Dps { .. } => "dps",
            PosteriorMethod::Pigdm { .. } => "pigdm",
            PosteriorMethod::Langevin { .. } => "langevin",
        }
    }

    /// Default grid steps (unused by rejection sampling).
    pub fn default_steps(&self) -> usize {
        match self {
            PosteriorMethod::Rejection { .. } => 0,
            PosteriorMethod::Smc { .. } => 100,
            PosteriorMethod::Dps { .. } | PosteriorMethod::Pigdm { .. } => 200,
            PosteriorMethod::Langevin { .. } => 100,
        }
    }
}

/// Configuration of a posterior sampler run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PosteriorConfig {
    /// The method and its parameters.
    pub method: PosteriorMethod,
    /// Grid steps (`None`: [`PosteriorMethod::default_steps`]).
    pub steps: Option<usize>,
    /// Grid spacing (`None`: geometric, [`GridKind::default`]).
    pub grid: Option<GridKind>,
    /// Early-stopping time (default 1e−3).
    pub t_min: f64,
    /// Terminal time (default 10).
    pub t_max: f64,
}

impl PosteriorConfig {
    /// Defaults around `method`.
    pub fn new(method: PosteriorMethod) -> Self {
        Self {
            method,
            steps: None,
            grid: None,
            t_min: DEFAULT_T_MIN,
            t_max: DEFAULT_T_MAX,
        }
    }

    /// The same configuration with `steps` grid steps.
    pub fn with_steps(mut self, steps: usize) -> Self {
        self.steps = Some(steps);
        self
    }

    /// The same configuration with early-stopping time `t_min`.
    pub fn with_t_min(mut self, t_min: f64) -> Self {
        self.t_min = t_min;
        self
    }

    /// The time grid (for the diffusion-based methods).
    pub fn time_grid(&self) -> Result<TimeGrid> {
        TimeGrid::new(
            self.grid.unwrap_or_default(),
            self.steps.unwrap_or_else(|| self.method.default_steps()),
            self.t_min,
            self.t_max,
        )
    }
}

/// The effective sample size at one time of an SMC run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EssPoint {
    /// OU time at which the weights were measured.
    pub t: f64,
    /// ESS = (Σw)²/Σw² before any resampling at that time.
    pub ess: f64,
}

/// Counted costs and diagnostics of a posterior sampler run (serialisable for `--stats`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PosteriorStats {
    /// Method (CLI name).
    pub method: String,
    /// Samples returned.
    pub n: usize,
    /// Grid steps (0 for rejection sampling).
    pub steps: usize,
    /// Prior draws examined (rejection sampling).
    pub prior_draws: u64,
    /// Prior score evaluations (one per point per call).
    pub score_evals: u64,
    /// Score VJP evaluations (one per point per call).
    pub vjp_evals: u64,
    /// Likelihood evaluations (one per point).
    pub likelihood_evals: u64,
    /// Samples accepted (rejection sampling).
    pub accepted: u64,
    /// Measured acceptance rate accepted / prior_draws (rejection sampling).
    pub acceptance_rate: Option<f64>,
    /// ESS over time (SMC), one point per step and one at t_min.
    pub ess_trace: Vec<EssPoint>,
    /// Number of resampling events (SMC; the final draw of the output is not counted).
    pub resamples: usize,
    /// Particles (SMC).
    pub particles: usize,
    /// Estimate of log p_Y(y): SMC's normalising-constant estimate, or for rejection sampling
    /// log(rate) − (m/2) log(2πη²) (MATH.md §6).
    pub log_evidence_estimate: Option<f64>,
}

/// Posterior samples with their counted costs.
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorOutput {
    /// The samples, shape (n, d).
    pub samples: Array2<f64>,
    /// Costs and diagnostics.
    pub stats: PosteriorStats,
}

/// Runs the configured posterior sampler for `n` samples of x | y.
///
/// Errors: dimension mismatches between the prior, A and y; n = 0; a missing oracle;
/// an exhausted rejection budget; a diverging guided sampler.
pub fn sample_posterior(
    prior: &Prior<'_>,
    measurement: &LinearMeasurement,
    y: ArrayView1<f64>,
    config: &PosteriorConfig,
    n: usize,
    rng: &mut dyn rand::RngCore,
) -> Result<PosteriorOutput> {
    if n == 0 {
        return Err(Error::Empty {
            what: "number of samples n",
        });
    }
    measurement.check_y(&y)?;
    let name = config.method.name();
    if let PosteriorMethod::Rejection { max_draws } = config.method {
        let sampler = prior.sampler.ok_or(Error::MissingOracle {
            sampler: name,
            oracle: "exact sampler",
        })?;
        return rejection(sampler, measurement, y, n, max_draws, rng);
    }
    let score = prior.score_ref(name)?;
    check_dim(score.dim(), measurement)?;
    let grid = config.time_grid()?;
    match config.method {
        PosteriorMethod::Rejection { .. } => unreachable!("handled above"),
        PosteriorMethod::Smc {
            particles,
            jacobian,
            ess_threshold,
        } => {
            let vjp = prior.vjp(name, jacobian)?;
            let guided = GuidedScore::new(score, vjp, measurement, y)?;
            smc(
                &guided,
                &grid,
                particles.unwrap_or(n),
                ess_threshold,
                n,
                rng,
            )
        }
        PosteriorMethod::Dps { zeta, jacobian } => {
            let vjp = prior.vjp(name, jacobian)?;
            let guided = GuidedScore::new(score, vjp, measurement, y)?;
            dps(&guided, &grid, zeta, n, rng)
        }
        PosteriorMethod::Pigdm { jacobian } => {
            let vjp = prior.vjp(name, jacobian)?;
            let guided = GuidedScore::new(score, vjp, measurement, y)?;
            guided_sampler(
                &guided,
                SamplerKind::DdpmAncestral,
                &LangevinConfig::default(),
                &grid,
                n,
                name,
                rng,
            )
        }
        PosteriorMethod::Langevin { jacobian, langevin } => {
            let vjp = prior.vjp(name, jacobian)?;
            let guided = GuidedScore::new(score, vjp, measurement, y)?;
            guided_sampler(
                &guided,
                SamplerKind::Langevin,
                &langevin,
                &grid,
                n,
                name,
                rng,
            )
        }
    }
}

fn check_dim(d: usize, measurement: &LinearMeasurement) -> Result<()> {
    if d != measurement.dim() {
        return Err(Error::DimensionMismatch {
            what: "prior dimension vs columns of A",
            expected: measurement.dim(),
            got: d,
        });
    }
    Ok(())
}

/// Exact rejection sampling (MATH.md §6): draw X ~ prior, accept with probability
/// exp(−‖y − AX‖²/(2η²)), until `n` are accepted or `max_draws` prior draws have been examined
/// (then [`Error::BudgetExhausted`] with the measured acceptance rate). Prior draws are made in
/// batches sized from the running acceptance estimate; `prior_draws` counts the draws examined
/// (draws of the last batch past the n-th acceptance are neither examined nor counted).
pub fn rejection(
    prior: &dyn SampleBatch,
    measurement: &LinearMeasurement,
    y: ArrayView1<f64>,
    n: usize,
    max_draws: u64,
    rng: &mut dyn rand::RngCore,
) -> Result<PosteriorOutput> {
    if n == 0 {
        return Err(Error::Empty {
            what: "number of samples n",
        });
    }
    if max_draws == 0 {
        return Err(Error::Empty {
            what: "rejection budget max_draws",
        });
    }
    check_dim(prior.dim(), measurement)?;
    measurement.check_y(&y)?;
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

/// The ΠGDM approximate posterior score s^y_t(x) = s_t(x) + ∇_x log p̃_t(y | x) with
/// p̃_t(y | x) = N(y; A D_t(x), η² I + v_t AAᵀ) (module docs), counting prior score evaluations
/// and VJPs. It is a [`Score`], so any unconditional sampler runs on it.
pub struct GuidedScore<'a> {
    score: ScoreRef<'a>,
    vjp: Option<&'a dyn ScoreVjp>,
    measurement: &'a LinearMeasurement,
    y: Array1<f64>,
    /// Eigenvalues μ and eigenvectors U (columns) of AAᵀ.
    aat_val: Array1<f64>,
    aat_vec: Array2<f64>,
    score_calls: CallCounter,
    vjp_calls: CallCounter,
}

/// Guidance quantities at one (t, x) batch.
struct Twist {
    /// Prior denoiser D_t(x).
    denoised: Array2<f64>,
    /// ∇_x log p̃_t(y | x) (empty when the DPS direction was asked for).
    grad: Array2<f64>,
    /// log p̃_t(y | x).
    log_twist: Array1<f64>,
    /// Residual norms ‖y − A D_t(x)‖.
    residual_norm: Array1<f64>,
    /// J_Dᵀ Aᵀ (y − A D_t(x)) (the DPS direction, before its scaling; empty unless asked for).
    dps_direction: Array2<f64>,
}

impl<'a> GuidedScore<'a> {
    fn new(
        score: ScoreRef<'a>,
        vjp: Option<&'a dyn ScoreVjp>,
        measurement: &'a LinearMeasurement,
        y: ArrayView1<f64>,
    ) -> Result<Self> {
        check_dim(score.dim(), measurement)?;
        measurement.check_y(&y)?;
        let a = measurement.a();
        let (aat_val, aat_vec) = if measurement.m() == 0 {
            (Array1::zeros(0), Array2::zeros((0, 0)))
        } else {
            hardiff_dist::linalg::symmetric_eigen("A Aᵀ", a.dot(&a.t()).view())?
        };
        Ok(Self {
            score,
            vjp,
            measurement,
            y: y.to_owned(),
            aat_val: aat_val.mapv(|v| v.max(0.0)),
            aat_vec,
            score_calls: CallCounter::new(),
            vjp_calls: CallCounter::new(),
        })
    }

    /// The guided score for `prior` (its score, and its VJP if `jacobian` is exact).
    pub fn from_prior(
        prior: &Prior<'a>,
        jacobian: Jacobian,
        measurement: &'a LinearMeasurement,
        y: ArrayView1<f64>,
    ) -> Result<Self> {
        let score = prior.score_ref("guided score")?;
        let vjp = prior.vjp("guided score", jacobian)?;
        Self::new(score, vjp, measurement, y)
    }

    /// Prior score evaluations so far (one per point).
    pub fn score_evals(&self) -> u64 {
        self.score_calls.get()
    }

    /// VJP evaluations so far (one per point).
    pub fn vjp_evals(&self) -> u64 {
        self.vjp_calls.get()
    }

    fn prior_score(&self, t: f64, x: ArrayView2<f64>, out: ArrayViewMut2<f64>) -> Result<()> {
        self.score_calls.add(x.nrows() as u64);
        self.score.score(t, x, out)?;
        Ok(())
    }

    /// J_Dᵀ u for each row (exact through the VJP, or α_t u).
    fn jacobian_t(&self, t: f64, x: ArrayView2<f64>, u: Array2<f64>) -> Result<Array2<f64>> {
        match self.vjp {
            Some(v) => {
                self.vjp_calls.add(x.nrows() as u64);
                let mut hu = Array2::zeros(u.raw_dim());
                v.score_vjp(t, x, u.view(), hu.view_mut())?;
                let (et, vt) = (t.exp(), ou::variance(t));
                Ok((u + &(hu * vt)) * et)
            }
            None => Ok(u * ou::alpha(t)),
        }
    }

    /// Guidance at (t, x) given the prior score `s` at (t, x): with `want_dps` the DPS direction
    /// (and `grad` left empty), otherwise ∇_x log p̃ (and `dps_direction` left empty).
    fn twist(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        s: ArrayView2<f64>,
        want_dps: bool,
    ) -> Result<Twist> {
        let (et, vt) = (t.exp(), ou::variance(t));
        let mut denoised = &s * vt;
        denoised += &x;
        denoised *= et;
        let a = self.measurement.a();
        let eta2 = self.measurement.noise_std().powi(2);
        // R = y − D Aᵀ (rows); in the eigenbasis of AAᵀ, S_t = η² I + v_t AAᵀ is diagonal.
        let mut r = denoised.dot(&a.t());
        r.mapv_inplace(|v| -v);
        r += &self.y;
        let var = self.aat_val.mapv(|mu| eta2 + vt * mu);
        let ru = r.dot(&self.aat_vec);
        let mut w = ru.clone();
        w /= &var;
        let log_det: f64 = var.iter().map(|v| v.ln()).sum();
        let m = self.measurement.m() as f64;
        let log_twist = (&ru * &w)
            .sum_axis(Axis(1))
            .mapv(|q| -0.5 * (q + log_det + m * LN_2PI));
        // ∇_D log p̃ = Aᵀ S_t⁻¹ R (rows: (S⁻¹R) A); ∇_x = J_Dᵀ of it.
        let grad_d = w.dot(&self.aat_vec.t()).dot(&a);
        let residual_norm = r.outer_iter().map(|row| row.dot(&row).sqrt()).collect();
        // DPS needs only J_Dᵀ Aᵀ r; everything else only J_Dᵀ ∇_D log p̃ (one VJP either way).
        let (grad, dps_direction) = if want_dps {
            (Array2::zeros((0, 0)), self.jacobian_t(t, x, r.dot(&a))?)
        } else {
            (self.jacobian_t(t, x, grad_d)?, Array2::zeros((0, 0)))
        };
        Ok(Twist {
            denoised,
            grad,
            log_twist,
            residual_norm,
            dps_direction,
        })
    }
}

impl Dimension for GuidedScore<'_> {
    fn dim(&self) -> usize {
        self.score.dim()
    }
}

impl Score for GuidedScore<'_> {
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        hardiff_dist::score::check_shapes(self.dim(), &x, &out)?;
        let to_dist = |e: Error| match e {
            Error::Dist(d) => d,
            other => hardiff_dist::Error::Invalid(other.to_string()),
        };
        self.prior_score(t, x, out.view_mut()).map_err(to_dist)?;
        let tw = self.twist(t, x, out.view(), false).map_err(to_dist)?;
        out += &tw.grad;
        Ok(())
    }
}

/// Runs an unconditional sampler on the guided score (ΠGDM = ancestral, posterior Langevin =
/// predictor–corrector).
fn guided_sampler(
    guided: &GuidedScore<'_>,
    kind: SamplerKind,
    langevin: &LangevinConfig,
    grid: &TimeGrid,
    n: usize,
    name: &str,
    rng: &mut dyn rand::RngCore,
) -> Result<PosteriorOutput> {
    let mut x = ou::stationary_sample(rng, n, guided.dim());
    sampler::run(guided, kind, langevin, grid, x.view_mut(), rng)?;
    Ok(PosteriorOutput {
        samples: x,
        stats: PosteriorStats {
            method: name.into(),
            n,
            steps: grid.steps(),
            score_evals: guided.score_evals(),
            vjp_evals: guided.vjp_evals(),
            ..Default::default()
        },
    })
}

/// DPS (module docs): ancestral steps on the prior score, each followed by
/// x_{t'} += 2ζ J_Dᵀ Aᵀ r/‖r‖ with r = y − A D_t(x_t).
fn dps(
    guided: &GuidedScore<'_>,
    grid: &TimeGrid,
    zeta: f64,
    n: usize,
    rng: &mut dyn rand::RngCore,
) -> Result<PosteriorOutput> {
    let zeta = positive("DPS zeta", zeta)?;
    let d = guided.dim();
    let mut x = ou::stationary_sample(rng, n, d);
    let mut s = Array2::zeros((n, d));
    let mut noise = Array2::zeros((n, d));
    for (i, (t, tn)) in grid.intervals().enumerate() {
        guided.prior_score(t, x.view(), s.view_mut())?;
        let tw = guided.twist(t, x.view(), s.view(), true)?;
        let bridge = Bridge::new(t, tn)?;
        ou::fill_normal(rng, noise.view_mut());
        let sd = bridge.var.sqrt();
        Zip::from(&mut x)
            .and(&tw.denoised)
            .and(&noise)
            .for_each(|x, &x0, &z| *x = bridge.c_x0 * x0 + bridge.c_xt * *x + sd * z);
        for ((mut row, dir), &rn) in x
            .outer_iter_mut()
            .zip(tw.dps_direction.outer_iter())
            .zip(tw.residual_norm.iter())
        {
            if rn > 0.0 {
                row.scaled_add(2.0 * zeta / rn, &dir);
            }
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::Diverged {
                sampler: "dps",
                step: i,
                t: tn,
            });
        }
    }
    Ok(PosteriorOutput {
        samples: x,
        stats: PosteriorStats {
            method: "dps".into(),
            n,
            steps: grid.steps(),
            score_evals: guided.score_evals(),
            vjp_evals: guided.vjp_evals(),
            ..Default::default()
        },
    })
}

/// ESS = (Σw)²/Σw² of log-weights.
fn ess(log_w: &Array1<f64>) -> f64 {
    let lse = log_sum_exp(log_w.as_slice().expect("contiguous"));
    let lse2 = log_sum_exp(&log_w.iter().map(|v| 2.0 * v).collect::<Vec<_>>());
    (2.0 * lse - lse2).exp()
}

/// Systematic resampling: `n` indices from normalised weights exp(log_w − LSE) with one uniform.
pub fn systematic_resample(
    log_w: &Array1<f64>,
    n: usize,
    rng: &mut dyn rand::RngCore,
) -> Vec<usize> {
    let lse = log_sum_exp(log_w.as_slice().expect("contiguous"));
    let u0: f64 = rng.random::<f64>() / n as f64;
    let mut idx = Vec::with_capacity(n);
    let mut cum = 0.0;
    let mut j = 0usize;
    let last = log_w.len() - 1;
    for (i, lw) in log_w.iter().enumerate() {
        cum += (lw - lse).exp();
        while j < n && (u0 + j as f64 / n as f64) < cum {
            idx.push(i);
            j += 1;
        }
    }
    // Rounding can leave the last few positions above the final cumulative sum ≈ 1.
    while idx.len() < n {
        idx.push(last);
    }
    idx
}

/// SMC / TDS (MATH.md §7; module docs): P particles from N(0, I) at T, weighted by p̃_T(y | x);
/// each step proposes from the ΠGDM-guided ancestral kernel q and multiplies the weight by
/// p(x'|x) p̃_{t'}(y|x') / (q(x'|x) p̃_t(y|x)), where p is the prior ancestral kernel; the last
/// step uses the exact likelihood N(y; A x', η² I) in place of p̃_{t_min}. Systematic resampling
/// when ESS < threshold · P; the output is n systematic draws from the final weighted particles.
fn smc(
    guided: &GuidedScore<'_>,
    grid: &TimeGrid,
    particles: usize,
    ess_threshold: f64,
    n: usize,
    rng: &mut dyn rand::RngCore,
) -> Result<PosteriorOutput> {
    if particles == 0 {
        return Err(Error::Empty {
            what: "number of SMC particles",
        });
    }
    if !(0.0..=1.0).contains(&ess_threshold) {
        return Err(Error::Invalid(format!(
            "ESS threshold must lie in [0, 1], got {ess_threshold}"
        )));
    }
    let d = guided.dim();
    let p = particles;
    let meas = guided.measurement;
    let mut x = ou::stationary_sample(rng, p, d);
    let mut s = Array2::zeros((p, d));
    guided.prior_score(grid.t_max(), x.view(), s.view_mut())?;
    let mut tw = guided.twist(grid.t_max(), x.view(), s.view(), false)?;
    let mut log_w = tw.log_twist.clone();
    let mut log_z = 0.0;
    let mut trace = Vec::with_capacity(grid.steps() + 1);
    let mut resamples = 0usize;
    let mut noise = Array2::zeros((p, d));
    let steps = grid.steps();
    let mut likelihood_evals = 0u64;
    for (i, (t, tn)) in grid.intervals().enumerate() {
        let e = ess(&log_w);
        trace.push(EssPoint { t, ess: e });
        if e < ess_threshold * p as f64 {
            log_z += log_sum_exp(log_w.as_slice().expect("contiguous")) - (p as f64).ln();
            let idx = systematic_resample(&log_w, p, rng);
            x = x.select(Axis(0), &idx);
            s = s.select(Axis(0), &idx);
            tw = Twist {
                denoised: tw.denoised.select(Axis(0), &idx),
                grad: tw.grad.select(Axis(0), &idx),
                log_twist: tw.log_twist.select(Axis(0), &idx),
                residual_norm: tw.residual_norm.select(Axis(0), &idx),
                dps_direction: Array2::zeros((0, 0)),
            };
            log_w.fill(0.0);
            resamples += 1;
        }
        let bridge = Bridge::new(t, tn)?;
        let (et, vt) = (t.exp(), ou::variance(t));
        // Prior-kernel mean m and guided mean m_y = m + c_x0 e^t v_t ∇log p̃_t.
        let mut mean = &tw.denoised * bridge.c_x0;
        mean.scaled_add(bridge.c_xt, &x);
        let shift = &tw.grad * (bridge.c_x0 * et * vt);
        ou::fill_normal(rng, noise.view_mut());
        let sd = bridge.var.sqrt();
        // x' = m + shift + sd ξ;  log p(x'|x) − log q(x'|x) = (‖sd ξ‖² − ‖shift + sd ξ‖²)/(2 var).
        let prop = &shift + &(&noise * sd);
        let log_ratio = ((&noise * &noise).sum_axis(Axis(1)) * (sd * sd)
            - (&prop * &prop).sum_axis(Axis(1)))
            / (2.0 * bridge.var);
        x = mean + &prop;
        let last = i + 1 == steps;
        if last {
            let mut ll = Array1::zeros(p);
            meas.log_likelihood(x.view(), guided.y.view(), ll.view_mut())?;
            likelihood_evals += p as u64;
            log_w += &(log_ratio + &ll - &tw.log_twist);
        } else {
            guided.prior_score(tn, x.view(), s.view_mut())?;
            let next = guided.twist(tn, x.view(), s.view(), false)?;
            log_w += &(log_ratio + &next.log_twist - &tw.log_twist);
            tw = next;
        }
        if x.iter().chain(log_w.iter()).any(|v| v.is_nan()) {
            return Err(Error::Diverged {
                sampler: "smc",
                step: i,
                t: tn,
            });
        }
    }
    trace.push(EssPoint {
        t: grid.t_min(),
        ess: ess(&log_w),
    });
    log_z += log_sum_exp(log_w.as_slice().expect("contiguous")) - (p as f64).ln();
    let idx = systematic_resample(&log_w, n, rng);
    Ok(PosteriorOutput {
        samples: x.select(Axis(0), &idx),
        stats: PosteriorStats {
            method: "smc".into(),
            n,
            steps,
            score_evals: guided.score_evals(),
            vjp_evals: guided.vjp_evals(),
            likelihood_evals,
            ess_trace: trace,
            resamples,
            particles: p,
            log_evidence_estimate: Some(log_z),
            ..Default::default()
        },
    })
}
