//! Unconditional reverse-time samplers that take any [`Score`] (docs/math.md §7): Euler–Maruyama on
//! the reverse SDE, the DDPM-ancestral (exact OU bridge) step, the probability-flow ODE with
//! Heun (and with Euler, as the first-order reference), and annealed Langevin /
//! predictor–corrector.
//!
//! Why a module: one [`Stepper`] holds the per-step kernels (benchmarked one step at a time),
//! and [`sample`] drives any of them over a [`TimeGrid`] from N(0, I) at T, counting every score
//! evaluation (one per point per call) through [`CountingScore`].
//!
//! Step conventions, with h = t − t' > 0 the step from t down to t':
//! - **EM** (reverse SDE dY = [Y + 2 s(Y)] dτ + √2 dB): Y ← Y + h (Y + 2 s_t(Y)) + √(2h) ξ.
//! - **DDPM-ancestral**: x̂₀ = D_t(Y) = e^t (Y + v_t s_t(Y)); Y' ~ q(x_{t'} | x_t = Y, x_0 = x̂₀),
//!   the OU bridge ([`Bridge`]). *Not* exact in law for Gaussian data: see
//!   [`SamplerKind::DdpmAncestral`].
//! - **Heun** on dx/dt = f(x, t) = −x − s_t(x), integrated backwards:
//!   x̃ = x − h f(x, t), x' = x − (h/2)(f(x, t) + f(x̃, t')). Two evaluations per step.
//! - **Langevin**: predictor (one ancestral step), then K corrector steps at t':
//!   x ← x + δ s_{t'}(x) + √(2δ) ξ with δ = 2 (r ‖ξ‖/‖s‖)² (batch means of the per-point
//!   norms; Song et al. 2021, Alg. 5), r the signal-to-noise ratio. For N(0, cI) this is
//!   δ ≈ 2r²c, whose unadjusted-Langevin stationary variance is c/(1 − r²): the corrector's
//!   bias is O(r²), measured in the tests.

use crate::error::{positive, Error, Result};
use crate::grid::{GridKind, TimeGrid, DEFAULT_T_MAX, DEFAULT_T_MIN};
use crate::ou::{self, Bridge};
use hardiff_dist::{CountingScore, Score};
use ndarray::{Array2, ArrayViewMut2, Zip};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Which reverse-time sampler to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SamplerKind {
    /// Euler–Maruyama on the reverse SDE (weak order 1). CLI name `em`.
    EulerMaruyama,
    /// The exponential-integrator DDPM-ancestral step: the exact OU bridge from t to t' with
    /// x_0 replaced by the denoiser D_t(x) (docs/math.md §7). CLI name `ddpm`.
    ///
    /// As docs/math.md §7 (DDPM) explains, this step is *not* exact in law for Gaussian data, even with the
    /// exact denoiser. The exact reverse kernel is p(x_{t'} | x_t) = ∫ q(x_{t'} | x_t, x_0)
    /// p(x_0 | x_t) dx_0, whose covariance is the bridge variance *plus* c_x0² Cov[X_0 | X_t];
    /// the step drops the second term (e.g. one step from T = ∞ to 0 returns the point E\[X_0\]).
    /// For N(0, 1) data, one step 1 → 0.5 gives variance 0.830 instead of 1. The missing variance
    /// vanishes as steps shrink (O(h) per step), and [`ddpm_tweedie_step`] restores it with the
    /// second-order Tweedie covariance, which makes the step exact for Gaussian data.
    DdpmAncestral,
    /// The probability-flow ODE integrated with Heun's method (order 2). CLI name `heun`.
    Heun,
    /// The probability-flow ODE integrated with Euler's method (order 1; the reference for
    /// Heun's order). CLI name `euler-ode`.
    OdeEuler,
    /// Annealed Langevin / predictor–corrector ([`LangevinConfig`]). CLI name `langevin`.
    Langevin,
}

impl SamplerKind {
    /// All kinds, in CLI order.
    pub const ALL: [SamplerKind; 5] = [
        SamplerKind::EulerMaruyama,
        SamplerKind::DdpmAncestral,
        SamplerKind::Heun,
        SamplerKind::OdeEuler,
        SamplerKind::Langevin,
    ];

    /// The CLI name (`em`, `ddpm`, `heun`, `euler-ode`, `langevin`).
    pub fn name(self) -> &'static str {
        match self {
            SamplerKind::EulerMaruyama => "em",
            SamplerKind::DdpmAncestral => "ddpm",
            SamplerKind::Heun => "heun",
            SamplerKind::OdeEuler => "euler-ode",
            SamplerKind::Langevin => "langevin",
        }
    }

    /// The step count used when none is given (geometric grid, T = 10, t_min = 1e−3): at least
    /// twice the smallest count of {25, 50, 100, 200, 400} with which the sampler passed the
    /// d = 2 and d = 8 two-component GMM tests of `tests/unconditional.rs` when calibrated
    /// (EM 50, DDPM 50, Heun 25, Euler-ODE 100, Langevin 50): EM 200, DDPM 200, Heun 50,
    /// Euler-ODE 200, Langevin 100 (EM and DDPM get 4× because their O(h) variance bias on
    /// wide Gaussian directions is larger than on the GMM's components).
    pub fn default_steps(self) -> usize {
        match self {
            SamplerKind::EulerMaruyama => 200,
            SamplerKind::DdpmAncestral => 200,
            SamplerKind::Heun => 50,
            SamplerKind::OdeEuler => 200,
            SamplerKind::Langevin => 100,
        }
    }

    /// Score evaluations per point per step (the Langevin count is 1 + K correctors).
    pub fn evals_per_step(self, langevin: &LangevinConfig) -> u64 {
        match self {
            SamplerKind::Heun => 2,
            SamplerKind::Langevin => {
                langevin.corrector_steps as u64 + u64::from(langevin.predictor)
            }
            _ => 1,
        }
    }
}

impl FromStr for SamplerKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        SamplerKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "unknown sampler `{s}` (expected em, ddpm, heun, euler-ode or langevin)"
                ))
            })
    }
}

/// Parameters of the annealed-Langevin / predictor–corrector sampler.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LangevinConfig {
    /// Corrector (Langevin) steps K per grid time.
    pub corrector_steps: usize,
    /// Signal-to-noise ratio r of the step-size rule δ = 2 (r ‖ξ‖/‖s‖)².
    pub snr: f64,
    /// Whether to move between grid times with an ancestral predictor step (predictor–corrector,
    /// the default) or not at all (pure annealed Langevin, Song & Ermon 2019: K Langevin steps
    /// at each grid time only; then K must be large).
    pub predictor: bool,
}

impl Default for LangevinConfig {
    /// K = 1 corrector step with r = 0.1 (≈ 1% stationary variance bias), with predictor.
    fn default() -> Self {
        Self {
            corrector_steps: 1,
            snr: 0.1,
            predictor: true,
        }
    }
}

impl LangevinConfig {
    pub(crate) fn validate(&self) -> Result<()> {
        positive("Langevin snr", self.snr)?;
        if self.corrector_steps == 0 && !self.predictor {
            return Err(Error::Invalid(
                "Langevin sampler with neither predictor nor corrector steps does nothing".into(),
            ));
        }
        Ok(())
    }
}

/// Configuration of an unconditional sampler run. `SamplerConfig::new(kind)` gives the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplerConfig {
    /// The sampler.
    pub kind: SamplerKind,
    /// Number of grid steps; `None` → [`SamplerKind::default_steps`].
    pub steps: Option<usize>,
    /// Grid spacing; `None` → geometric ([`GridKind::default`]).
    pub grid: Option<GridKind>,
    /// Early-stopping time t_min > 0 (default [`DEFAULT_T_MIN`]).
    pub t_min: f64,
    /// Terminal time T (default [`DEFAULT_T_MAX`]).
    pub t_max: f64,
    /// Langevin parameters (used by [`SamplerKind::Langevin`] only).
    pub langevin: LangevinConfig,
}

impl SamplerConfig {
    /// Defaults for `kind`: default steps, geometric grid, T = 10, t_min = 1e−3.
    pub fn new(kind: SamplerKind) -> Self {
        Self {
            kind,
            steps: None,
            grid: None,
            t_min: DEFAULT_T_MIN,
            t_max: DEFAULT_T_MAX,
            langevin: LangevinConfig::default(),
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

    /// The same configuration with grid spacing `grid`.
    pub fn with_grid(mut self, grid: GridKind) -> Self {
        self.grid = Some(grid);
        self
    }

    /// The step count actually used.
    pub fn steps(&self) -> usize {
        self.steps.unwrap_or_else(|| self.kind.default_steps())
    }

    /// The time grid this configuration describes.
    pub fn time_grid(&self) -> Result<TimeGrid> {
        TimeGrid::new(
            self.grid.unwrap_or_default(),
            self.steps(),
            self.t_min,
            self.t_max,
        )
    }
}

/// Counted costs of a sampler run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleStats {
    /// The sampler (CLI name).
    pub sampler: String,
    /// Grid steps taken.
    pub steps: usize,
    /// Number of points sampled.
    pub n: usize,
    /// Score evaluations (one per point per call), all points together.
    pub score_evals: u64,
    /// Terminal time T.
    pub t_max: f64,
    /// Early-stopping time t_min (the samples approximate p_{t_min}).
    pub t_min: f64,
}

/// Samples with their counted costs.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleOutput {
    /// The samples, shape (n, d): approximate draws of p_{t_min}.
    pub samples: Array2<f64>,
    /// Counted costs.
    pub stats: SampleStats,
}

/// One reverse step of a sampler, with scratch buffers reused across steps (the hot path).
#[derive(Debug, Clone)]
pub struct Stepper {
    kind: SamplerKind,
    langevin: LangevinConfig,
    s: Array2<f64>,
    s2: Array2<f64>,
    tmp: Array2<f64>,
    noise: Array2<f64>,
}

impl Stepper {
    /// A stepper for `kind` (with `langevin` parameters if it is the Langevin sampler).
    pub fn new(kind: SamplerKind, langevin: LangevinConfig) -> Result<Self> {
        if kind == SamplerKind::Langevin {
            langevin.validate()?;
        }
        Ok(Self {
            kind,
            langevin,
            s: Array2::zeros((0, 0)),
            s2: Array2::zeros((0, 0)),
            tmp: Array2::zeros((0, 0)),
            noise: Array2::zeros((0, 0)),
        })
    }

    fn ensure(&mut self, shape: (usize, usize)) {
        if self.s.dim() != shape {
            self.s = Array2::zeros(shape);
            self.s2 = Array2::zeros(shape);
            self.tmp = Array2::zeros(shape);
            self.noise = Array2::zeros(shape);
        }
    }

    /// Moves the batch `x` (rows = points of p_t) from time `t` to `t_next` < t in place.
    pub fn step(
        &mut self,
        score: &dyn Score,
        t: f64,
        t_next: f64,
        mut x: ArrayViewMut2<f64>,
        rng: &mut dyn rand::RngCore,
    ) -> Result<()> {
        if !(t > t_next && t_next >= 0.0 && t.is_finite()) {
            return Err(Error::InvalidGrid(format!(
                "a reverse step needs t > t_next ≥ 0, got {t} → {t_next}"
            )));
        }
        if x.ncols() != score.dim() {
            return Err(Error::DimensionMismatch {
                what: "point dimension vs score dimension",
                expected: score.dim(),
                got: x.ncols(),
            });
        }
        self.ensure(x.dim());
        let h = t - t_next;
        match self.kind {
            SamplerKind::EulerMaruyama => {
                score.score(t, x.view(), self.s.view_mut())?;
                ou::fill_normal(rng, self.noise.view_mut());
                let sq = (2.0 * h).sqrt();
                Zip::from(&mut x)
                    .and(&self.s)
                    .and(&self.noise)
                    .for_each(|x, &s, &z| *x += h * (*x + 2.0 * s) + sq * z);
            }
            SamplerKind::DdpmAncestral => self.ancestral(score, t, t_next, x, rng)?,
            SamplerKind::Heun | SamplerKind::OdeEuler => {
                score.score(t, x.view(), self.s.view_mut())?;
                // f = −x − s (forward-time velocity); tmp ← x − h f (the Euler point).
                Zip::from(&mut self.tmp)
                    .and(&x)
                    .and(&self.s)
                    .for_each(|p, &x, &s| *p = x + h * (x + s));
                if self.kind == SamplerKind::OdeEuler {
                    x.assign(&self.tmp);
                } else {
                    score.score(t_next, self.tmp.view(), self.s2.view_mut())?;
                    Zip::from(&mut x)
                        .and(&self.s)
                        .and(&self.tmp)
                        .and(&self.s2)
                        .for_each(|x, &s, &p, &s2| *x += 0.5 * h * ((*x + s) + (p + s2)));
                }
            }
            SamplerKind::Langevin => {
                if self.langevin.predictor {
                    self.ancestral(score, t, t_next, x.view_mut(), rng)?;
                }
                for _ in 0..self.langevin.corrector_steps {
                    self.corrector(score, t_next, x.view_mut(), rng)?;
                }
            }
        }
        Ok(())
    }

    fn ancestral(
        &mut self,
        score: &dyn Score,
        t: f64,
        t_next: f64,
        mut x: ArrayViewMut2<f64>,
        rng: &mut dyn rand::RngCore,
    ) -> Result<()> {
        score.score(t, x.view(), self.s.view_mut())?;
        let bridge = Bridge::new(t, t_next)?;
        let (et, vt) = (t.exp(), ou::variance(t));
        let sd = bridge.var.sqrt();
        ou::fill_normal(rng, self.noise.view_mut());
        Zip::from(&mut x)
            .and(&self.s)
            .and(&self.noise)
            .for_each(|x, &s, &z| {
                let x0 = et * (*x + vt * s);
                *x = bridge.c_x0 * x0 + bridge.c_xt * *x + sd * z;
            });
        Ok(())
    }

    fn corrector(
        &mut self,
        score: &dyn Score,
        t: f64,
        mut x: ArrayViewMut2<f64>,
        rng: &mut dyn rand::RngCore,
    ) -> Result<()> {
        score.score(t, x.view(), self.s.view_mut())?;
        ou::fill_normal(rng, self.noise.view_mut());
        let delta = langevin_step_size(self.langevin.snr, &self.s, &self.noise);
        let sq = (2.0 * delta).sqrt();
        Zip::from(&mut x)
            .and(&self.s)
            .and(&self.noise)
            .for_each(|x, &s, &z| *x += delta * s + sq * z);
        Ok(())
    }
}

/// δ = 2 (r · mean‖ξ_b‖ / mean‖s_b‖)² (Song et al. 2021, Alg. 5); 2r² if the score vanishes.
pub(crate) fn langevin_step_size(snr: f64, s: &Array2<f64>, noise: &Array2<f64>) -> f64 {
    let mean_norm = |a: &Array2<f64>| {
        a.outer_iter().map(|r| r.dot(&r).sqrt()).sum::<f64>() / a.nrows().max(1) as f64
    };
    let (gn, zn) = (mean_norm(s), mean_norm(noise));
    if gn > 0.0 && gn.is_finite() {
        2.0 * (snr * zn / gn).powi(2)
    } else {
        2.0 * snr * snr
    }
}

/// Draws `n` points from N(0, I) at T and runs the configured reverse sampler down to t_min,
/// counting score evaluations. The result approximates p_{t_min}.
pub fn sample(
    score: &dyn Score,
    config: &SamplerConfig,
    n: usize,
    rng: &mut dyn rand::RngCore,
) -> Result<SampleOutput> {
    if n == 0 {
        return Err(Error::Empty {
            what: "number of samples n",
        });
    }
    let grid = config.time_grid()?;
    let mut x = ou::stationary_sample(rng, n, score.dim());
    let stats = run(
        score,
        config.kind,
        &config.langevin,
        &grid,
        x.view_mut(),
        rng,
    )?;
    Ok(SampleOutput { samples: x, stats })
}

/// Runs sampler `kind` over `grid` from the points `x` (taken as draws of p_T at T = grid's
/// first time) in place; returns the counted costs.
pub fn run(
    score: &dyn Score,
    kind: SamplerKind,
    langevin: &LangevinConfig,
    grid: &TimeGrid,
    mut x: ArrayViewMut2<f64>,
    rng: &mut dyn rand::RngCore,
) -> Result<SampleStats> {
    if x.nrows() == 0 {
        return Err(Error::Empty {
            what: "batch of points",
        });
    }
    let counted = CountingScore::new(score);
    let mut stepper = Stepper::new(kind, *langevin)?;
    if kind == SamplerKind::Langevin && !langevin.predictor {
        // Pure annealed Langevin: correct at T as well, then at each lower grid time.
        for _ in 0..langevin.corrector_steps {
            stepper.corrector(&counted, grid.t_max(), x.view_mut(), rng)?;
        }
    }
    for (i, (t, t_next)) in grid.intervals().enumerate() {
        stepper.step(&counted, t, t_next, x.view_mut(), rng)?;
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::Diverged {
                sampler: kind.name(),
                step: i,
                t: t_next,
            });
        }
    }
    Ok(SampleStats {
        sampler: kind.name().to_string(),
        steps: grid.steps(),
        n: x.nrows(),
        score_evals: counted.counter().get(),
        t_max: grid.t_max(),
        t_min: grid.t_min(),
    })
}

/// One DDPM step with the *second-order Tweedie* covariance, exact in law for Gaussian data with
/// the exact score (docs/math.md §7; the missing covariance is described at
/// [`SamplerKind::DdpmAncestral`]).
///
/// With H = ∇² log p_t(x) (d VJPs against the unit vectors), Cov[X_0 | X_t = x] =
/// e^{2t} v_t (I + v_t H), and the step draws Y' ~ N(c_x0 D_t(x) + c_xt x,
/// var I + c_x0² Cov[X_0 | X_t = x]) — for Gaussian data the exact reverse kernel
/// p(x_{t'} | x_t). Cost per point: 1 score evaluation, d VJPs and a d×d Cholesky
/// factorisation (negative eigenvalues from a non-log-concave law's Hessian are clamped at 0).
pub fn ddpm_tweedie_step(
    score: &dyn hardiff_dist::ScoreVjp,
    t: f64,
    t_next: f64,
    mut x: ArrayViewMut2<f64>,
    rng: &mut dyn rand::RngCore,
) -> Result<()> {
    let (n, d) = x.dim();
    if d != score.dim() {
        return Err(Error::DimensionMismatch {
            what: "point dimension vs score dimension",
            expected: score.dim(),
            got: d,
        });
    }
    let bridge = Bridge::new(t, t_next)?;
    let (et, vt) = (t.exp(), ou::variance(t));
    let mut s = Array2::zeros((n, d));
    score.score(t, x.view(), s.view_mut())?;
    // hess[j] = H e_j for every point (column j of the symmetric Hessian).
    let mut hess = Vec::with_capacity(d);
    let mut e = Array2::zeros((n, d));
    for j in 0..d {
        e.fill(0.0);
        e.column_mut(j).fill(1.0);
        let mut hj = Array2::zeros((n, d));
        score.score_vjp(t, x.view(), e.view(), hj.view_mut())?;
        hess.push(hj);
    }
    let cov_scale = bridge.c_x0 * bridge.c_x0 * et * et * vt;
    let mut k = Array2::<f64>::zeros((d, d));
    let mut z = ndarray::Array1::<f64>::zeros(d);
    for b in 0..n {
        for i in 0..d {
            for j in 0..d {
                let hij = 0.5 * (hess[j][[b, i]] + hess[i][[b, j]]);
                let id = if i == j { 1.0 } else { 0.0 };
                k[[i, j]] = bridge.var * id + cov_scale * (id + vt * hij);
            }
        }
        let root = psd_root(&k)?;
        for zi in z.iter_mut() {
            *zi = rand::Rng::sample(rng, rand_distr::StandardNormal);
        }
        let noise = root.dot(&z);
        let mut row = x.row_mut(b);
        for i in 0..d {
            let x0 = et * (row[i] + vt * s[[b, i]]);
            row[i] = bridge.c_x0 * x0 + bridge.c_xt * row[i] + noise[i];
        }
    }
    Ok(())
}

/// A matrix R with R Rᵀ = K for symmetric K ⪰ 0: Cholesky, or an eigen-square-root with negative
/// eigenvalues clamped to 0 when K is only semidefinite numerically.
fn psd_root(k: &Array2<f64>) -> Result<Array2<f64>> {
    match hardiff_dist::linalg::cholesky("reverse-kernel covariance", k.view()) {
        Ok(l) => Ok(l),
        Err(_) => {
            let (lam, q) =
                hardiff_dist::linalg::symmetric_eigen("reverse-kernel covariance", k.view())?;
            Ok(&q * &lam.mapv(|l| l.max(0.0).sqrt()))
        }
    }
}

/// Samples with [`ddpm_tweedie_step`] over the configured grid (the configuration's `kind` is
/// ignored). Counts score evaluations and VJPs (returned as `score_evals`, one each per point).
pub fn sample_ddpm_tweedie(
    score: &dyn hardiff_dist::ScoreVjp,
    config: &SamplerConfig,
    n: usize,
    rng: &mut dyn rand::RngCore,
) -> Result<SampleOutput> {
    if n == 0 {
        return Err(Error::Empty {
            what: "number of samples n",
        });
    }
    let grid = config.time_grid()?;
    let d = score.dim();
    let mut x = ou::stationary_sample(rng, n, d);
    for (i, (t, t_next)) in grid.intervals().enumerate() {
        ddpm_tweedie_step(score, t, t_next, x.view_mut(), rng)?;
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::Diverged {
                sampler: "ddpm-tweedie",
                step: i,
                t: t_next,
            });
        }
    }
    Ok(SampleOutput {
        samples: x,
        stats: SampleStats {
            sampler: "ddpm-tweedie".into(),
            steps: grid.steps(),
            n,
            score_evals: (grid.steps() * n * (1 + d)) as u64,
            t_max: grid.t_max(),
            t_min: grid.t_min(),
        },
    })
}
