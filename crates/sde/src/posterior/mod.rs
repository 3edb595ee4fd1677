//! Posterior samplers for y = A x + η (docs/math.md §6–§7), one module each: exact rejection
//! sampling ([`mod@rejection`]), SMC with TDS-style twisting ([`smc`]), DPS ([`dps`]), ΠGDM
//! ([`pigdm`]) and predictor–corrector Langevin on an approximate posterior score
//! ([`langevin`]).
//!
//! # Design
//! - **One module per method behind [`PosteriorSampler`].** Each module has its configuration
//!   (`XxxConfig`: `Default` gives the documented defaults, `with_…` setters change them) and a
//!   sampler built from it by `Xxx::new`, which validates the configuration (and builds its time
//!   grid) once, so that `sample` can only fail on the problem (dimensions, n = 0) or at run time
//!   (an exhausted budget, a diverging iterate).
//! - **The prior's type says which oracles a method needs**, so a call that cannot work does
//!   not compile. `PosteriorSampler<P>` is generic over the prior: [`Rejection`] runs on any
//!   `P: SampleBatch` (exact i.i.d. draws), the four diffusion-based methods on any
//!   `P: PriorScore`. Every [`Score`] is a [`PriorScore`] whose guidance is *Jacobian-free*
//!   (J_D ≈ α_t I, below), so SMC, DPS, ΠGDM and Langevin run on a user's own score — a network,
//!   say — with no VJP; wrapping a [`ScoreVjp`] in [`WithVjp`] selects the *exact* Jacobian.
//!   (Before, the Jacobian was a field of the method's configuration and defaulted to exact, so
//!   `from_name("smc")` on a plain score compiled and then failed at run time.)
//!
//!   ```
//!   # use hardiff_dist::{rng, Gaussian};
//!   # use hardiff_sde::posterior::{PosteriorSampler, Rejection, RejectionConfig};
//!   # use hardiff_sde::LinearMeasurement;
//!   # use ndarray::array;
//!   let law = Gaussian::standard(1).unwrap(); // exact draws: rejection runs
//!   let measurement = LinearMeasurement::new(array![[1.0]], 0.5).unwrap();
//!   let rejection = Rejection::new(RejectionConfig::default()).unwrap();
//!   let mut stream = rng::stream(0, "doc", &[]);
//!   let out = rejection.sample(&law, &measurement, array![0.0].view(), 10, &mut stream).unwrap();
//!   assert_eq!(out.samples.nrows(), 10);
//!   ```
//!   ```compile_fail
//!   # use hardiff_dist::{rng, CountingScore, Gaussian};
//!   # use hardiff_sde::posterior::{PosteriorSampler, Rejection, RejectionConfig};
//!   # use hardiff_sde::LinearMeasurement;
//!   # use ndarray::array;
//!   # let law = Gaussian::standard(1).unwrap();
//!   # let measurement = LinearMeasurement::new(array![[1.0]], 0.5).unwrap();
//!   # let rejection = Rejection::new(RejectionConfig::default()).unwrap();
//!   # let mut stream = rng::stream(0, "doc", &[]);
//!   let score_only = CountingScore::new(&law); // a score, no sampler: does not compile
//!   let out = rejection.sample(&score_only, &measurement, array![0.0].view(), 10, &mut stream);
//!   ```
//! - **[`PosteriorMethod`] is the serde / CLI form**: one variant per method carrying its
//!   configuration, [`PosteriorMethod::from_name`] and [`PosteriorMethod::sample`], which runs on
//!   a run-time [`Prior`] (a score, with or without VJPs, and optionally an exact sampler). Every
//!   [`Prior`] has a score, so every diffusion-based method runs on every [`Prior`]; the one
//!   oracle error left at run time is `rejection` on a prior without a sampler
//!   ([`Error::MissingOracle`]) — a name chosen at run time cannot be checked at compile time.
//! - Shared: the approximate likelihood and guided score ([`GuidedScore`]), the counted costs
//!   ([`PosteriorStats`], serialised for the CLI's `--stats` and the bench) and the reverse-time
//!   grid of the diffusion-based methods ([`Schedule`]).
//!
//! # Conventions (stated once here)
//! - **Denoiser** D_t(x) = e^t (x + v_t s_t(x)) (Tweedie, docs/math.md §0), Jacobian
//!   J_D = e^t (I + v_t ∂s_t), applied transposed through [`ScoreVjp`] ([`Jacobian::Exact`]).
//!   **Jacobian-free** ([`Jacobian::Free`]) replaces J_D by α_t I — the exact Jacobian for
//!   N(μ, I) data (∂s_t = −I ⇒ e^t(1 − v_t) = α_t), consistent with ΠGDM's r_t² = v_t below; it
//!   needs no VJP. (Replacing J_D by I instead would over-weight guidance by e^t at large t.)
//! - **Approximate likelihood** (ΠGDM, docs/math.md §7): p̃_t(y | x) = N(y; A D_t(x), η² I + r_t² AAᵀ)
//!   with r_t² = v_t (the exact Cov[X_0 | X_t] for N(μ, I) data; then p̃_t is the exact
//!   p_t(y | x) and the guided score below is the exact posterior score).
//! - **Guided score** s^y_t(x) = s_t(x) + ∇_x log p̃_t(y | x) ([`GuidedScore`]), used by ΠGDM
//!   (ancestral sampler), posterior Langevin (predictor–corrector) and as the SMC proposal.
//! - **DPS** (Chung et al. 2023, Alg. 1): after the ancestral step from x_t,
//!   x_{t'} ← x_{t'} − ζ_t ∇_{x_t} ‖y − A D_t(x_t)‖² with ζ_t = ζ/‖y − A D_t(x_t)‖ (per point).
//!   Since ∇‖r‖² = 2‖r‖ ∇‖r‖ this equals the official code's 2ζ ∇‖r‖ (docs/math.md §7 guidance;
//!   an earlier draft mixed ∇‖r‖ with ζ/‖r‖, which is neither step — see its corrections
//!   appendix). hardiff follows the paper.
//! - **SMC** targets the law of the *discretised* reverse chain reweighted by the exact
//!   likelihood at t_min: ∝ p^{chain}_{t_min}(x) N(y; A x, η² I). As particles → ∞ it is exact
//!   for that target; the chain's discretisation and early stopping are its only bias.
//! - The diffusion-based methods return approximate draws of the posterior *at t_min* (of the
//!   OU-smoothed prior), like the unconditional samplers; rejection sampling returns exact
//!   draws at t = 0.

pub mod dps;
mod guided;
pub mod langevin;
pub mod pigdm;
pub mod rejection;
pub mod smc;

pub use dps::{Dps, DpsConfig};
pub use guided::GuidedScore;
pub use langevin::{PosteriorLangevin, PosteriorLangevinConfig};
pub use pigdm::{Pigdm, PigdmConfig};
pub use rejection::{rejection, Rejection, RejectionConfig};
pub use smc::{systematic_resample, Smc, SmcConfig};

use crate::error::{Error, Result};
use crate::grid::{GridKind, TimeGrid, DEFAULT_T_MAX, DEFAULT_T_MIN};
use crate::measurement::LinearMeasurement;
use hardiff_dist::{Dimension, SampleBatch, Score, ScoreVjp};
use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut2};
use serde::{Deserialize, Serialize};

/// A posterior sampler for x | y with y = A x + η, on a prior of type `P`.
///
/// `P` is what the method needs of the prior: [`Rejection`] implements it for every
/// `P: SampleBatch`, the diffusion-based methods ([`Smc`], [`Dps`], [`Pigdm`],
/// [`PosteriorLangevin`]) for every `P: PriorScore` — any [`Score`] (Jacobian-free guidance),
/// [`WithVjp`] (exact Jacobian) or a run-time [`Prior`].
pub trait PosteriorSampler<P: ?Sized> {
    /// The method's CLI name (also [`PosteriorStats::method`]).
    fn name(&self) -> &'static str;

    /// Draws `n` samples of x | y with their counted costs.
    ///
    /// Errors: n = 0; the prior's dimension differs from A's columns or y from A's rows; a
    /// run-time failure of the method (an exhausted rejection budget, a diverging iterate).
    fn sample(
        &self,
        prior: &P,
        measurement: &LinearMeasurement,
        y: ArrayView1<f64>,
        n: usize,
        rng: &mut dyn rand::RngCore,
    ) -> Result<PosteriorOutput>;
}

/// How guidance applies the denoiser's Jacobian J_D = e^t(I + v_t ∂s_t) (module docs). Decided
/// by the prior ([`PriorScore::jacobian`]), not by the method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Jacobian {
    /// J_Dᵀ u = e^t (u + v_t (∂s_t)ᵀ u) through [`ScoreVjp`] (one VJP per point per call).
    Exact,
    /// J_D ≈ α_t I (exact for N(μ, I) data); no VJP.
    Free,
}

/// The prior as the diffusion-based posterior samplers see it: its score s_t and, if guidance is
/// to use the exact denoiser Jacobian, the score's vector–Jacobian products.
///
/// Every [`Score`] implements it without VJPs (Jacobian-free guidance, [`Jacobian::Free`]) —
/// also a law that *has* VJPs, such as `GaussianMixture`, when passed as itself. [`WithVjp`]
/// (and [`Prior::exact`] / [`Prior::from_score_vjp`]) give the exact Jacobian.
pub trait PriorScore {
    /// The score s_t of the prior.
    fn as_score(&self) -> &dyn Score;

    /// The VJPs of s_t that guidance uses, or `None` for Jacobian-free guidance.
    fn as_score_vjp(&self) -> Option<&dyn ScoreVjp> {
        None
    }

    /// Which Jacobian guidance applies with this prior.
    fn jacobian(&self) -> Jacobian {
        if self.as_score_vjp().is_some() {
            Jacobian::Exact
        } else {
            Jacobian::Free
        }
    }
}

impl<S: Score> PriorScore for S {
    fn as_score(&self) -> &dyn Score {
        self
    }
}

/// A score with VJPs, given to a posterior sampler so that its guidance uses the exact denoiser
/// Jacobian ([`Jacobian::Exact`]; one VJP per point per guidance evaluation).
#[derive(Clone, Copy)]
pub struct WithVjp<'a>(VjpScore<'a>);

impl<'a> WithVjp<'a> {
    /// The exact-Jacobian prior of `score`.
    pub fn new(score: &'a dyn ScoreVjp) -> Self {
        Self(VjpScore(score))
    }
}

impl PriorScore for WithVjp<'_> {
    fn as_score(&self) -> &dyn Score {
        &self.0
    }
    fn as_score_vjp(&self) -> Option<&dyn ScoreVjp> {
        Some(self.0 .0)
    }
}

/// A `&dyn ScoreVjp` seen as a `&dyn Score` (no trait upcasting before Rust 1.86, the MSRV
/// being 1.85).
#[derive(Clone, Copy)]
struct VjpScore<'a>(&'a dyn ScoreVjp);

impl Dimension for VjpScore<'_> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
}

impl Score for VjpScore<'_> {
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        self.0.score(t, x, out)
    }
}

/// The prior of a posterior run chosen at run time ([`PosteriorMethod::sample`]): always a score
/// (with or without VJPs: the prior decides the guidance Jacobian), and optionally an exact
/// sampler for rejection sampling.
#[derive(Clone, Copy)]
pub struct Prior<'a> {
    sampler: Option<&'a dyn SampleBatch>,
    score: Guide<'a>,
}

#[derive(Clone, Copy)]
enum Guide<'a> {
    Free(&'a dyn Score),
    Exact(WithVjp<'a>),
}

impl<'a> Prior<'a> {
    /// A law with an exact sampler and an exact score with VJPs (e.g. `Gaussian`,
    /// `GaussianMixture`): every method runs on it, guidance with the exact Jacobian.
    pub fn exact<T: SampleBatch + ScoreVjp>(law: &'a T) -> Self {
        Self::from_score_vjp(law).with_sampler(law)
    }

    /// Only a score (e.g. a network): SMC, DPS, ΠGDM and Langevin with Jacobian-free guidance.
    pub fn from_score(score: &'a dyn Score) -> Self {
        Self {
            sampler: None,
            score: Guide::Free(score),
        }
    }

    /// A score with VJPs: SMC, DPS, ΠGDM and Langevin with exact-Jacobian guidance.
    pub fn from_score_vjp(score: &'a dyn ScoreVjp) -> Self {
        Self {
            sampler: None,
            score: Guide::Exact(WithVjp::new(score)),
        }
    }

    /// The same prior with an exact sampler (for rejection sampling). The sampler must draw
    /// from the law whose score this prior holds; nothing can check that.
    pub fn with_sampler(mut self, sampler: &'a dyn SampleBatch) -> Self {
        self.sampler = Some(sampler);
        self
    }

    /// The exact sampler, if any.
    pub fn sampler(&self) -> Option<&'a dyn SampleBatch> {
        self.sampler
    }
}

impl PriorScore for Prior<'_> {
    fn as_score(&self) -> &dyn Score {
        match &self.score {
            Guide::Free(s) => *s,
            Guide::Exact(v) => v.as_score(),
        }
    }
    fn as_score_vjp(&self) -> Option<&dyn ScoreVjp> {
        match &self.score {
            Guide::Free(_) => None,
            Guide::Exact(v) => v.as_score_vjp(),
        }
    }
}

/// The reverse-time grid of a diffusion-based posterior sampler: `steps` intervals of a
/// `grid`-spaced [`TimeGrid`] from `t_max` down to `t_min`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Schedule {
    /// Grid steps N ≥ 1 (one score evaluation per point per step, two for Langevin's default).
    pub steps: usize,
    /// Grid spacing (default geometric, [`GridKind::default`]).
    pub grid: GridKind,
    /// Early-stopping time t_min > 0 (default [`DEFAULT_T_MIN`] = 1e−3).
    pub t_min: f64,
    /// Terminal time T (default [`DEFAULT_T_MAX`] = 10).
    pub t_max: f64,
}

impl Schedule {
    /// `steps` steps of the default grid: geometric, T = 10, t_min = 1e−3.
    pub fn new(steps: usize) -> Self {
        Self {
            steps,
            grid: GridKind::default(),
            t_min: DEFAULT_T_MIN,
            t_max: DEFAULT_T_MAX,
        }
    }

    /// The same schedule with `steps` steps.
    pub fn with_steps(mut self, steps: usize) -> Self {
        self.steps = steps;
        self
    }

    /// The same schedule with grid spacing `grid`.
    pub fn with_grid(mut self, grid: GridKind) -> Self {
        self.grid = grid;
        self
    }

    /// The same schedule with early-stopping time `t_min`.
    pub fn with_t_min(mut self, t_min: f64) -> Self {
        self.t_min = t_min;
        self
    }

    /// The same schedule with terminal time `t_max`.
    pub fn with_t_max(mut self, t_max: f64) -> Self {
        self.t_max = t_max;
        self
    }

    /// The time grid (errors: steps = 0, or not 0 < t_min < T < ∞).
    pub fn time_grid(&self) -> Result<TimeGrid> {
        TimeGrid::new(self.grid, self.steps, self.t_min, self.t_max)
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
    /// log(rate) − (m/2) log(2πη²) (docs/math.md §6).
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

/// A posterior sampler chosen at run time (by CLI name or from JSON) with its configuration:
/// the serde form of the per-method configurations. JSON: `{"method": "smc", …fields of
/// [`SmcConfig`]}`; missing fields take the method's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum PosteriorMethod {
    /// Exact rejection sampling from prior draws (docs/math.md §6); needs [`Prior::sampler`].
    Rejection(RejectionConfig),
    /// SMC with ΠGDM-guided ancestral proposals and TDS-style twisting (module docs).
    Smc(SmcConfig),
    /// DPS guidance on the ancestral sampler (module docs).
    Dps(DpsConfig),
    /// ΠGDM: the ancestral sampler on the guided score.
    Pigdm(PigdmConfig),
    /// Predictor–corrector Langevin on the guided score.
    Langevin(PosteriorLangevinConfig),
}

impl PosteriorMethod {
    /// The CLI names: `rejection`, `smc`, `dps`, `pigdm`, `langevin`.
    pub const NAMES: [&'static str; 5] = ["rejection", "smc", "dps", "pigdm", "langevin"];

    /// The method called `name` with its default configuration ([`RejectionConfig`],
    /// [`SmcConfig`], [`DpsConfig`], [`PigdmConfig`], [`PosteriorLangevinConfig`] document
    /// them). Errors: an unknown name ([`Error::Invalid`]).
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name {
            "rejection" => PosteriorMethod::Rejection(RejectionConfig::default()),
            "smc" => PosteriorMethod::Smc(SmcConfig::default()),
            "dps" => PosteriorMethod::Dps(DpsConfig::default()),
            "pigdm" => PosteriorMethod::Pigdm(PigdmConfig::default()),
            "langevin" => PosteriorMethod::Langevin(PosteriorLangevinConfig::default()),
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
            PosteriorMethod::Rejection(_) => "rejection",
            PosteriorMethod::Smc(_) => "smc",
            PosteriorMethod::Dps(_) => "dps",
            PosteriorMethod::Pigdm(_) => "pigdm",
            PosteriorMethod::Langevin(_) => "langevin",
        }
    }

    /// The reverse-time grid (`None` for rejection sampling, which has none).
    pub fn schedule(&self) -> Option<&Schedule> {
        match self {
            PosteriorMethod::Rejection(_) => None,
            PosteriorMethod::Smc(c) => Some(&c.schedule),
            PosteriorMethod::Dps(c) => Some(&c.schedule),
            PosteriorMethod::Pigdm(c) => Some(&c.schedule),
            PosteriorMethod::Langevin(c) => Some(&c.schedule),
        }
    }

    /// The reverse-time grid, mutably (`None` for rejection sampling).
    pub fn schedule_mut(&mut self) -> Option<&mut Schedule> {
        match self {
            PosteriorMethod::Rejection(_) => None,
            PosteriorMethod::Smc(c) => Some(&mut c.schedule),
            PosteriorMethod::Dps(c) => Some(&mut c.schedule),
            PosteriorMethod::Pigdm(c) => Some(&mut c.schedule),
            PosteriorMethod::Langevin(c) => Some(&mut c.schedule),
        }
    }

    /// The same method with `steps` grid steps (rejection sampling has no grid: unchanged).
    pub fn with_steps(mut self, steps: usize) -> Self {
        if let Some(s) = self.schedule_mut() {
            s.steps = steps;
        }
        self
    }

    /// The same method with early-stopping time `t_min` (rejection sampling: unchanged).
    pub fn with_t_min(mut self, t_min: f64) -> Self {
        if let Some(s) = self.schedule_mut() {
            s.t_min = t_min;
        }
        self
    }

    /// Runs the method on `prior` for `n` samples of x | y: builds the method's sampler from its
    /// configuration and calls [`PosteriorSampler::sample`].
    ///
    /// Errors: an invalid configuration; those of [`PosteriorSampler::sample`]; and, the only
    /// oracle error, [`Error::MissingOracle`] for rejection sampling on a prior without
    /// [`Prior::sampler`] (every [`Prior`] has the score the other methods need).
    pub fn sample(
        &self,
        prior: &Prior<'_>,
        measurement: &LinearMeasurement,
        y: ArrayView1<f64>,
        n: usize,
        rng: &mut dyn rand::RngCore,
    ) -> Result<PosteriorOutput> {
        match self {
            PosteriorMethod::Rejection(c) => {
                let sampler = prior.sampler().ok_or(Error::MissingOracle {
                    sampler: "rejection",
                    oracle: "exact sampler",
                })?;
                Rejection::new(*c)?.sample(sampler, measurement, y, n, rng)
            }
            PosteriorMethod::Smc(c) => Smc::new(*c)?.sample(prior, measurement, y, n, rng),
            PosteriorMethod::Dps(c) => Dps::new(*c)?.sample(prior, measurement, y, n, rng),
            PosteriorMethod::Pigdm(c) => Pigdm::new(*c)?.sample(prior, measurement, y, n, rng),
            PosteriorMethod::Langevin(c) => {
                PosteriorLangevin::new(*c)?.sample(prior, measurement, y, n, rng)
            }
        }
    }
}

/// Checks n > 0, y against A's rows and the prior's dimension `d` against A's columns (in
/// that order, for every method).
pub(crate) fn check_problem(
    d: usize,
    measurement: &LinearMeasurement,
    y: &ArrayView1<f64>,
    n: usize,
) -> Result<()> {
    if n == 0 {
        return Err(Error::Empty {
            what: "number of samples n",
        });
    }
    measurement.check_y(y)?;
    check_dim(d, measurement)
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
