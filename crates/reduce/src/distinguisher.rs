//! Song's reduction (docs/math.md §3): a score oracle for an unknown law D ∈ {P_u, N(0, I_d)} turned
//! into a distinguisher; the oracles the experiments feed it; and the statistical contrast —
//! brute-force projection pursuit over an η-net of the sphere.
//!
//! Why a module: the reduction is the bridge between "an L2-accurate score" and "a distinguisher
//! for Gaussian pancakes", the object whose hardness the cryptographic claim is about. Keeping
//! the statistic, the oracles and the advantage estimator in one place makes every constant the
//! paper leaves open (it gives none) visible and stated once.
//!
//! # The distinguisher and its constants
//! The distinguisher knows the public (d, γ, σ) but not u. On the grid t_k = k·h, k = 1..N, it
//! draws ℓ fresh z ~ N(0, I_d) per k, queries the oracle and computes
//!
//! Δ̂ = max_k (1/ℓ) Σ_i ‖s̄_{t_k}(z_i) + z_i‖²,
//!
//! where s̄ is the oracle's output set to 0 where its norm exceeds M; it says "pancakes" iff
//! Δ̂ > τ/2. Song's asymptotic choices (h ≍ ε²/(L²d), T = Nh ≍ log(K/ε), τ ≍ 1/log d) come with
//! no constants, and with L ≈ 1/τ_t² they would ask for tens of thousands of grid times. hardiff
//! uses instead (defaults of [`PancakeDistinguisher::new`]):
//! - **grid**: h = t₁ = [`DEFAULT_FIRST_TIME`] = 0.05 and N = [`DEFAULT_TIME_STEPS`] = 4, so
//!   t ∈ {0.05, 0.10, 0.15, 0.20}. E_{z~N(0,I)}‖s_t(z) + z‖² = E\[g_t²\] decreases in t (docs/math.md §3),
//!   so for the exact oracle the maximum is attained at t₁; the later times only give an
//!   oracle that is poor at t₁ further chances. t₁ = 0.05 keeps the pancakes of width
//!   τ_{t₁} ≈ 0.32 (at γ = 2, σ = 0.1) resolvable by a small network while the signal
//!   E[g_{t₁}²] ≈ 4.09 is still large;
//! - **queries**: ℓ = [`DEFAULT_QUERIES_PER_TIME`] = 256 per time (N·ℓ = 1024 oracle calls);
//! - **threshold**: τ = E_{z~N(0,1)}[g_{t₁}²] (the exact oracle's expected statistic under
//!   pancakes; independent of u and d, [`PancakeProfile::mean_squared_excess_score_under_gaussian`]), so the
//!   decision level τ/2 sits half-way between the exact oracle's Δ under N(0, I) (0) and under
//!   P_u (τ);
//! - **truncation**: M = √d + 6 + 4√(2π)/τ_{t₁}², the form √d + C/σ² of docs/math.md §3 with σ
//!   replaced by the profile width at the earliest queried time: the exact score
//!   −z + g_t(⟨z,u⟩)u has norm ≤ ‖z‖ + |g_t| and |g_t| ≤ 4√(2π)/τ_t² ≤ 4√(2π)/τ_{t₁}²
//!   (docs/math.md §2, Lemma B.5), while P(‖z‖ > √d + 6) ≤ e^{−18} ≈ 1.5e−8, so the exact oracle is
//!   essentially never truncated and truncation only tames a learned oracle's wild outputs.
//!
//! # Oracles ([`OracleSpec`])
//! Each is a [`Score`] for the unknown law D (pancakes with a fresh secret, or N(0, I)):
//! - `Exact`: the pancake score (knows u) or −x;
//! - `ConstantError { ε }`: exact + ε·v with v a uniformly random unit vector drawn once per
//!   oracle (independent of u): the error is the same at every point, so E_{p_t}‖error‖² = ε²
//!   **exactly** under every law and time; under N(0, I) the statistic is exactly ε², so the
//!   distinguisher starts to cry "pancakes" under the null once ε² > τ/2;
//! - `Attenuated { ε }`: under pancakes −x + (1 − λ_t)g_t(⟨x,u⟩)u with
//!   λ_t = min(1, ε/√F_t), F_t = E_{z~A_t}[g_t(z)²] (the pancake signal under the pancakes'
//!   own law), so the L2 error under p_t is exactly min(ε², F_t); under N(0, I) it is exact.
//!   It hides the error inside the signal: the statistic under pancakes is (1 − λ_{t₁})²τ and
//!   falls below τ/2 once λ_{t₁} > 1 − 1/√2, i.e. ε > (1 − 1/√2)√F_{t₁};
//! - `WorstCase { ε }`: the oracle that defeats the test at the smallest L2 error
//!   ([`WorstCasePancakeScore`], docs/math.md §3): it cancels the fraction
//!   c_t = φ/(φ + μ_tA_t) of the signal (a Lagrange multiplier μ_t on the p_t-L2 budget), i.e.
//!   mostly *between* the pancakes, where an error costs little under p_t but the N(0, I)
//!   queries see the signal in full; L2 error min(ε², F_t) and exact under N(0, I). The test
//!   fails against it from ε_worst = [`PancakeDistinguisher::worst_case_breakpoint`] on
//!   (≈ 0.532 at (γ, σ) = (2, 0.1), against √(τ/2) ≈ 1.43), so an L2 error below √(τ/2) does
//!   **not** by itself guarantee the advantage;
//! - `Mlp(budget)`: a ReLU MLP trained by DSM (hardiff-nn) on samples of D, never told u, with
//!   the poly budget of [`MlpBudget`];
//! - `GaussianScore`: −x whatever D is (knows nothing): advantage exactly 0.
//!
//! # Statistical contrast (docs/math.md §3, paper §4)
//! [`SphereNet`] is a deterministic net of the sphere; [`projection_pursuit`] finds the net
//! direction maximising the empirical mean of the contrast T(z) = cos(ωz), ω = √(2π)γa
//! ([`PancakeContrast`]): along u, ωz = 2πk + √(2π)γσg, so E\[T\] = e^{−πγ²σ²} (large), while
//! under N(0, 1) E\[T\] = e^{−ω²/2} (tiny). Its sample cost is poly(d) but its time is
//! (net points) × (samples), exponential in d.

use crate::error::{Error, Result};
use hardiff_dist::score::check_shapes;
use hardiff_dist::{
    rng, Dimension, GaussianPancakes, PancakeProfile, SampleBatch, Score, StandardGaussian,
};
use hardiff_nn::{train_score_network, DsmConfig, Parameterization, ScoreMlp};
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis, Zip};
use rand::distr::Distribution;
use rand::RngCore;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Default first grid time t₁ = h (see the module docs).
pub const DEFAULT_FIRST_TIME: f64 = 0.05;
/// Default number of grid times N.
pub const DEFAULT_TIME_STEPS: usize = 4;
/// Default number ℓ of fresh N(0, I) queries per grid time.
pub const DEFAULT_QUERIES_PER_TIME: usize = 256;
/// The slack s in M = √d + s + 4√(2π)/τ_{t₁}²: P(‖z‖ > √d + s) ≤ e^{−s²/2}.
pub const TRUNCATION_SLACK: f64 = 6.0;

/// Which law the unknown D is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Hypothesis {
    /// D = P_u with a secret u uniform on the sphere.
    Pancakes,
    /// D = N(0, I_d).
    Gaussian,
}

/// The value of the statistic Δ̂ on one run (docs/math.md §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statistic {
    /// Δ̂ = max over the grid of the per-time means.
    pub value: f64,
    /// (1/ℓ) Σ_i ‖s̄_{t_k}(z_i) + z_i‖² for each grid time t_k.
    pub per_time: Vec<f64>,
    /// Oracle outputs set to 0 because their norm exceeded M.
    pub truncated: u64,
    /// Oracle point queries (N·ℓ).
    pub queries: u64,
}

/// Song's distinguisher for (γ, σ)-pancakes in dimension d (docs/math.md §3; constants in the
/// module docs). A constructed value is always valid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PancakeDistinguisher {
    dim: usize,
    gamma: f64,
    sigma: f64,
    times: Vec<f64>,
    queries_per_time: usize,
    truncation: f64,
    threshold: f64,
}

impl PancakeDistinguisher {
    /// The distinguisher with the default grid (t₁ = h = 0.05, N = 4) and ℓ = 256.
    ///
    /// Errors: d = 0, or γ, σ not valid pancake parameters.
    pub fn new(dim: usize, gamma: f64, sigma: f64) -> Result<Self> {
        Self::with_grid(
            dim,
            gamma,
            sigma,
            DEFAULT_FIRST_TIME,
            DEFAULT_TIME_STEPS,
            DEFAULT_QUERIES_PER_TIME,
        )
    }

    /// The distinguisher on the uniform grid t_k = k·h, k = 1..`steps`, with ℓ = `queries`
    /// per time; τ = E\[g_h²\] and M = √d + 6 + 4√(2π)/τ_h² as in the module docs.
    ///
    /// Errors: d = 0; h not finite and > 0; `steps` or `queries` = 0; invalid γ, σ.
    pub fn with_grid(
        dim: usize,
        gamma: f64,
        sigma: f64,
        h: f64,
        steps: usize,
        queries: usize,
    ) -> Result<Self> {
        if dim == 0 {
            return Err(Error::Invalid("the dimension d must be ≥ 1".into()));
        }
        if !(h.is_finite() && h > 0.0) {
            return Err(Error::Invalid(format!(
                "the grid step h must be finite and > 0, got {h}"
            )));
        }
        if steps == 0 || queries == 0 {
            return Err(Error::Invalid(format!(
                "the grid needs ≥ 1 time and ≥ 1 query per time, got {steps} and {queries}"
            )));
        }
        let profile = PancakeProfile::new(gamma, sigma)?.at_time(h)?;
        let threshold = profile.mean_squared_excess_score_under_gaussian();
        let width = profile.width();
        let truncation =
            (dim as f64).sqrt() + TRUNCATION_SLACK + 4.0 * (2.0 * PI).sqrt() / (width * width);
        Ok(Self {
            dim,
            gamma,
            sigma,
            times: (1..=steps).map(|k| k as f64 * h).collect(),
            queries_per_time: queries,
            truncation,
            threshold,
        })
    }

    /// The dimension d.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// γ (public).
    pub fn gamma(&self) -> f64 {
        self.gamma
    }
    /// σ (public).
    pub fn sigma(&self) -> f64 {
        self.sigma
    }
    /// The grid times t_k.
    pub fn times(&self) -> &[f64] {
        &self.times
    }
    /// ℓ, the fresh queries per grid time.
    pub fn queries_per_time(&self) -> usize {
        self.queries_per_time
    }
    /// The truncation level M.
    pub fn truncation(&self) -> f64 {
        self.truncation
    }
    /// τ = E_{z~N(0,1)}[g_{t₁}²].
    pub fn threshold(&self) -> f64 {
        self.threshold
    }
    /// The decision level τ/2.
    pub fn decision_level(&self) -> f64 {
        0.5 * self.threshold
    }

    /// Computes Δ̂ for `oracle` with fresh queries z ~ N(0, I_d) from `rng` (ℓ per grid time,
    /// drawn time by time in grid order).
    ///
    /// Errors: the oracle's dimension differs from d, or the oracle fails.
    pub fn statistic(&self, oracle: &dyn Score, rng: &mut dyn RngCore) -> Result<Statistic> {
        if oracle.dim() != self.dim {
            return Err(Error::Invalid(format!(
                "the oracle has dimension {}, the distinguisher {}",
                oracle.dim(),
                self.dim
            )));
        }
        let l = self.queries_per_time;
        let mut z = Array2::<f64>::zeros((l, self.dim));
        let mut s = Array2::<f64>::zeros((l, self.dim));
        let m2 = self.truncation * self.truncation;
        let mut per_time = Vec::with_capacity(self.times.len());
        let mut truncated = 0;
        for &t in &self.times {
            z.mapv_inplace(|_| StandardNormal.sample(rng));
            oracle.score(t, z.view(), s.view_mut())?;
            let mut total = 0.0;
            for (zr, sr) in z.rows().into_iter().zip(s.rows()) {
                let norm2 = sr.dot(&sr);
                // s̄ = 0 where ‖s‖ > M (or is not finite), so ‖s̄ + z‖² = ‖z‖² there.
                total += if norm2.is_finite() && norm2 <= m2 {
                    Zip::from(&sr)
                        .and(&zr)
                        .fold(0.0, |a, &si, &zi| a + (si + zi) * (si + zi))
                } else {
                    truncated += 1;
                    zr.dot(&zr)
                };
            }
            per_time.push(total / l as f64);
        }
        let value = per_time.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Ok(Statistic {
            value,
            per_time,
            truncated,
            queries: (self.times.len() * l) as u64,
        })
    }

    /// The decision: "pancakes" iff Δ̂ > τ/2.
    pub fn says_pancakes(&self, statistic: &Statistic) -> bool {
        statistic.value > self.decision_level()
    }

    /// ε_worst: the smallest L2 error ε (at each grid time) at which some oracle brings the
    /// population statistic under pancakes down to the decision level, max_k S_k(ε) = τ/2, with
    /// S_k(ε) the smallest statistic of an oracle of error ε at t_k ([`CancellationProfile`],
    /// docs/math.md §3): the test keeps its advantage against every oracle of error < ε only if
    /// ε ≤ min(√(τ/2), ε_worst). Bisection in ε to 1e−10; S_k decreases in ε.
    pub fn worst_case_breakpoint(&self) -> Result<f64> {
        let base = PancakeProfile::new(self.gamma, self.sigma)?;
        let mut grids = self
            .times
            .iter()
            .map(|&t| Ok(CancellationProfile::grid(&base.at_time(t)?)))
            .collect::<Result<Vec<_>>>()?;
        let level = self.decision_level();
        let mut max_statistic = |eps: f64| {
            grids
                .iter_mut()
                .map(|c| {
                    c.solve(eps * eps);
                    c.statistic()
                })
                .fold(0.0, f64::max)
        };
        // At ε² = max_k F_k every signal is cancelled (statistic 0).
        let (mut lo, mut hi) = (0.0, self.signal_under_pancakes()?.sqrt());
        while max_statistic(hi) > level {
            hi *= 2.0;
        }
        while hi - lo > 1e-10 {
            let mid = 0.5 * (lo + hi);
            if max_statistic(mid) > level {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Ok(0.5 * (lo + hi))
    }

    /// F_{t₁} = E_{z~A_{t₁}}[g_{t₁}(z)²], the signal under the pancakes' own law at the first
    /// grid time (the `Attenuated` oracle's error scale).
    pub fn signal_under_pancakes(&self) -> Result<f64> {
        Ok(PancakeProfile::new(self.gamma, self.sigma)?
            .at_time(self.times[0])?
            .mean_squared_excess_score_under_profile())
    }
}

/// The unknown law D of one trial.
#[derive(Debug, Clone)]
pub enum UnknownLaw {
    /// Pancakes P_u (boxed: it is much larger than the Gaussian variant).
    Pancakes(Box<GaussianPancakes>),
    /// N(0, I_d).
    Gaussian(StandardGaussian),
}

impl UnknownLaw {
    /// Draws D under `hypothesis`: for pancakes a secret u uniform on S^{d−1} (a normalised
    /// standard Gaussian vector from `rng`).
    pub fn draw(
        hypothesis: Hypothesis,
        dim: usize,
        gamma: f64,
        sigma: f64,
        rng: &mut dyn RngCore,
    ) -> Result<Self> {
        Ok(match hypothesis {
            Hypothesis::Pancakes => Self::Pancakes(Box::new(GaussianPancakes::new(
                dim,
                gamma,
                sigma,
                random_unit_vector(dim, rng)?,
            )?)),
            Hypothesis::Gaussian => Self::Gaussian(StandardGaussian::new(dim)?),
        })
    }
    /// The dimension d.
    pub fn dim(&self) -> usize {
        match self {
            Self::Pancakes(p) => p.dim(),
            Self::Gaussian(g) => g.dim(),
        }
    }
    /// The law as a sampler.
    pub fn sampler(&self) -> &dyn SampleBatch {
        match self {
            Self::Pancakes(p) => p.as_ref(),
            Self::Gaussian(g) => g,
        }
    }
    /// The law's exact score.
    pub fn exact_score(&self) -> Box<dyn Score + '_> {
        match self {
            Self::Pancakes(p) => Box::new(p.as_ref()),
            Self::Gaussian(g) => Box::new(g),
        }
    }
}

/// A unit vector uniform on S^{d−1}: a standard Gaussian vector, normalised.
pub fn random_unit_vector(dim: usize, rng: &mut dyn RngCore) -> Result<Array1<f64>> {
    if dim == 0 {
        return Err(Error::Invalid("the dimension d must be ≥ 1".into()));
    }
    loop {
        let v: Array1<f64> = Array1::from_shape_simple_fn(dim, || StandardNormal.sample(rng));
        let norm = v.dot(&v).sqrt();
        // A zero vector has probability 0; the loop only guards the impossible case.
        if norm > 0.0 {
            return Ok(v / norm);
        }
    }
}

/// A score plus a fixed vector: s(x) + c for every x and t (the `ConstantError` oracle, with
/// c = ε·v, ‖v‖ = 1: its L2 error is exactly ‖c‖² = ε² under every law).
#[derive(Debug, Clone)]
pub struct OffsetScore<S> {
    inner: S,
    offset: Array1<f64>,
}

impl<S: Score> OffsetScore<S> {
    /// `inner` + `offset`. Errors: the offset's length differs from the score's dimension, or
    /// it has a non-finite entry.
    pub fn new(inner: S, offset: Array1<f64>) -> Result<Self> {
        if offset.len() != inner.dim() {
            return Err(Error::Invalid(format!(
                "offset of length {} for a score of dimension {}",
                offset.len(),
                inner.dim()
            )));
        }
        if offset.iter().any(|v| !v.is_finite()) {
            return Err(Error::Invalid("the offset must be finite".into()));
        }
        Ok(Self { inner, offset })
    }
    /// The offset c.
    pub fn offset(&self) -> ArrayView1<'_, f64> {
        self.offset.view()
    }
}

impl<S: Score> Dimension for OffsetScore<S> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
}

impl<S: Score> Score for OffsetScore<S> {
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        self.inner.score(t, x, out.view_mut())?;
        out += &self.offset;
        Ok(())
    }
}

/// The pancake score with its signal shrunk: −x + (1 − λ_t) g_t(⟨x,u⟩) u with
/// λ_t = min(1, ε/√F_t), F_t = E_{z~A_t}\[g_t²\], so that E_{p_t}‖ŝ − s_t‖² = min(ε², F_t)
/// exactly (module docs). F_t is computed by quadrature at each call.
#[derive(Debug, Clone)]
pub struct AttenuatedPancakeScore {
    law: GaussianPancakes,
    epsilon: f64,
}

impl AttenuatedPancakeScore {
    /// Errors: ε not finite and ≥ 0.
    pub fn new(law: GaussianPancakes, epsilon: f64) -> Result<Self> {
        if !(epsilon.is_finite() && epsilon >= 0.0) {
            return Err(Error::Invalid(format!(
                "ε must be finite and ≥ 0, got {epsilon}"
            )));
        }
        Ok(Self { law, epsilon })
    }
    /// λ_t = min(1, ε/√F_t).
    pub fn attenuation(&self, t: f64) -> hardiff_dist::Result<f64> {
        let f = self
            .law
            .profile()
            .at_time(t)?
            .mean_squared_excess_score_under_profile();
        Ok(if f > 0.0 {
            (self.epsilon / f.sqrt()).min(1.0)
        } else {
            1.0
        })
    }
}

impl Dimension for AttenuatedPancakeScore {
    fn dim(&self) -> usize {
        self.law.dim()
    }
}

impl Score for AttenuatedPancakeScore {
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        check_shapes(self.law.dim(), &x, &out)?;
        let keep = 1.0 - self.attenuation(t)?;
        self.law.score(t, x, out.view_mut())?;
        // s_t + x = g u; keep the fraction (1 − λ) of it.
        Zip::from(&mut out)
            .and(&x)
            .for_each(|o, &xi| *o = keep * (*o + xi) - xi);
        Ok(())
    }
}

/// Half-width of the fixed quadrature grid of [`CancellationProfile`]: outside [−10, 10],
/// φ(z) < 8e−23 and A_t(z) ≤ φ(z)·const, so both integrands are negligible.
const CANCELLATION_HALF_WIDTH: f64 = 10.0;
/// Grid points per profile width τ_t of [`CancellationProfile`]'s trapezoid rule (the
/// integrands vary on the scale τ_t; the rule converges geometrically for such integrands,
/// and a test checks it against adaptive quadrature).
const CANCELLATION_POINTS_PER_WIDTH: f64 = 32.0;

/// The worst oracle's cancellation at one OU time (docs/math.md §3, "Which errors the test
/// tolerates"): the fraction c(z) ∈ [0, 1] of the pancake signal g_t(z) that the oracle removes
/// along u, and the two 1-D integrals that fix it.
///
/// **Derivation.** An oracle ŝ = s_t + e for pancakes has L2 error E_{x~p_t}‖e‖², while the
/// test sees, on its N(0, I) queries, E_{z~N(0,I)}‖ŝ(z) + z‖² = E‖g_t(⟨z,u⟩)u + e(z)‖². The
/// orthogonal part of x has the same law N(0, I_{d−1}) under p_t and under N(0, I), so replacing
/// e by its conditional mean given ⟨x,u⟩ along u lowers both (Jensen): the cheapest e is
/// e(x) = −c(z)g_t(z)u with z = ⟨x,u⟩. Minimising the statistic
/// S(c) = ∫φ(1 − c)²g² subject to the error E(c) = ∫A_t c²g² ≤ ε² with a Lagrange multiplier μ,
/// pointwise in z: −2φ(1 − c)g² + 2μA_t c g² = 0, i.e.
///
///   c(z) = φ(z) / (φ(z) + μA_t(z)),
///
/// which cancels the signal where the pancakes are thin (A_t ≪ φ, between the layers), where
/// the error costs little under p_t but the signal counts fully on the queries. E(c) falls from
/// F_t (μ = 0, c ≡ 1: the oracle is −x) to 0 (μ → ∞: exact), so each ε² < F_t has one μ_t with
/// E = ε² exactly; the statistic S is then the smallest any oracle of that error can reach.
///
/// Both integrals are computed with a trapezoid rule on a fixed grid (32 points per width τ_t
/// over [−10, 10]) and μ by bisection in log μ.
#[derive(Debug, Clone, PartialEq)]
pub struct CancellationProfile {
    /// ln μ: −∞ for c ≡ 1 (μ = 0), +∞ for c ≡ 0.
    log_multiplier: f64,
    /// Grid nodes z_i with their trapezoid weights, log A_t(z_i) − log φ(z_i), φ(z_i)g_t(z_i)² and
    /// A_t(z_i)g_t(z_i)² (weights folded in).
    grid: Vec<GridNode>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct GridNode {
    log_ratio: f64,
    signal_gaussian: f64,
    signal_pancakes: f64,
}

impl CancellationProfile {
    /// The cancellation of the profile `at_t` (the 1-D law A_t at the OU time in question) with
    /// the multiplier μ = e^{`log_multiplier`} (−∞: c ≡ 1; +∞: c ≡ 0).
    ///
    /// Errors: `log_multiplier` is NaN.
    pub fn with_log_multiplier(at_t: &PancakeProfile, log_multiplier: f64) -> Result<Self> {
        if log_multiplier.is_nan() {
            return Err(Error::Invalid("ln μ must not be NaN".into()));
        }
        let mut c = Self::grid(at_t);
        c.log_multiplier = log_multiplier;
        Ok(c)
    }

    /// The cancellation whose L2 error under p_t is min(ε², F_t), F_t = E_{z~A_t}\[g_t²\]: μ_t by
    /// bisection in ln μ (to 1e−12 absolute in ln μ), c ≡ 1 (μ = 0) when ε² ≥ F_t.
    ///
    /// Errors: ε not finite and ≥ 0.
    pub fn for_error(at_t: &PancakeProfile, epsilon: f64) -> Result<Self> {
        let epsilon = check_epsilon(epsilon)?;
        let mut c = Self::grid(at_t);
        c.solve(epsilon * epsilon);
        Ok(c)
    }

    /// The trapezoid grid of `at_t` (multiplier left at −∞).
    fn grid(at_t: &PancakeProfile) -> Self {
        let h = at_t.width() / CANCELLATION_POINTS_PER_WIDTH;
        let n = (2.0 * CANCELLATION_HALF_WIDTH / h).ceil() as usize;
        let h = 2.0 * CANCELLATION_HALF_WIDTH / n as f64;
        let grid = (0..=n)
            .map(|i| {
                let z = -CANCELLATION_HALF_WIDTH + i as f64 * h;
                let w = if i == 0 || i == n { 0.5 * h } else { h };
                let v = at_t.eval(z);
                let log_phi = log_std_normal_density(z);
                let g2 = v.excess_score * v.excess_score;
                GridNode {
                    log_ratio: v.log_density - log_phi,
                    signal_gaussian: w * log_phi.exp() * g2,
                    signal_pancakes: w * v.log_density.exp() * g2,
                }
            })
            .collect();
        Self {
            log_multiplier: f64::NEG_INFINITY,
            grid,
        }
    }

    /// Sets μ so that the L2 error is min(`target`, F_t) (`target` = ε² ≥ 0).
    fn solve(&mut self, target: f64) {
        self.log_multiplier = f64::NEG_INFINITY;
        if target >= self.l2_error() {
            return;
        }
        if target <= 0.0 {
            self.log_multiplier = f64::INFINITY;
            return;
        }
        // E is continuous and decreasing in ln μ, from F_t to 0: widen the bracket until it
        // holds the target, then bisect.
        let mut error_at = |log_mu: f64| {
            self.log_multiplier = log_mu;
            self.l2_error()
        };
        let (mut lo, mut hi) = (-50.0, 50.0);
        while error_at(lo) < target {
            lo -= 50.0;
        }
        while error_at(hi) > target {
            hi += 50.0;
        }
        while hi - lo > 1e-12 {
            let mid = 0.5 * (lo + hi);
            if error_at(mid) > target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        self.log_multiplier = 0.5 * (lo + hi);
    }

    /// ln μ.
    pub fn log_multiplier(&self) -> f64 {
        self.log_multiplier
    }

    /// 1 − c given ln(A_t(z)/φ(z)): μA/(φ + μA), computed without overflow.
    fn kept(&self, log_ratio: f64) -> f64 {
        if self.log_multiplier == f64::NEG_INFINITY {
            return 0.0;
        }
        if self.log_multiplier == f64::INFINITY {
            return 1.0;
        }
        let x = self.log_multiplier + log_ratio;
        if x >= 0.0 {
            1.0 / (1.0 + (-x).exp())
        } else {
            let e = x.exp();
            e / (1.0 + e)
        }
    }

    /// c(z) = φ/(φ + μA_t), the fraction of the signal removed at z, given the profile `at_t`
    /// this cancellation was built for.
    pub fn fraction(&self, at_t: &PancakeProfile, z: f64) -> f64 {
        1.0 - self.kept(at_t.log_density(z) - log_std_normal_density(z))
    }

    /// The L2 error E_{z~A_t}\[c²g_t²\] (trapezoid rule).
    pub fn l2_error(&self) -> f64 {
        self.grid
            .iter()
            .map(|n| {
                let c = 1.0 - self.kept(n.log_ratio);
                c * c * n.signal_pancakes
            })
            .sum()
    }

    /// The test's population statistic at this time, E_{z~N(0,1)}\[(1 − c)²g_t²\] (trapezoid rule).
    pub fn statistic(&self) -> f64 {
        self.grid
            .iter()
            .map(|n| {
                let k = self.kept(n.log_ratio);
                k * k * n.signal_gaussian
            })
            .sum()
    }
}

/// The oracle that defeats the test at the smallest L2 error (docs/math.md §3, "Which errors the
/// test tolerates"): under pancakes −x + (1 − c_t(⟨x,u⟩))g_t(⟨x,u⟩)u with the Lagrange
/// cancellation c_t = φ/(φ + μ_tA_t) of [`CancellationProfile`], μ_t chosen so that the L2 error
/// under p_t is exactly min(ε², F_t) at every t; under N(0, I) it is exact. No oracle of L2
/// error ≤ ε at each queried time gives a smaller population statistic, so the test fails
/// against it from [`PancakeDistinguisher::worst_case_breakpoint`] on — far below √(τ/2).
///
/// μ_t is solved at each call (a few thousand profile evaluations; the distinguisher calls
/// once per grid time).
#[derive(Debug, Clone)]
pub struct WorstCasePancakeScore {
    law: GaussianPancakes,
    epsilon: f64,
}

impl WorstCasePancakeScore {
    /// Errors: ε not finite and ≥ 0.
    pub fn new(law: GaussianPancakes, epsilon: f64) -> Result<Self> {
        let epsilon = check_epsilon(epsilon)?;
        Ok(Self { law, epsilon })
    }
    /// ε.
    pub fn epsilon(&self) -> f64 {
        self.epsilon
    }
    /// The cancellation at OU time t (L2 error min(ε², F_t)).
    pub fn cancellation(&self, t: f64) -> Result<CancellationProfile> {
        CancellationProfile::for_error(&self.law.profile().at_time(t)?, self.epsilon)
    }
}

impl Dimension for WorstCasePancakeScore {
    fn dim(&self) -> usize {
        self.law.dim()
    }
}

impl Score for WorstCasePancakeScore {
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        check_shapes(self.law.dim(), &x, &out)?;
        let at_t = self.law.profile().at_time(t)?;
        let mut cancel = CancellationProfile::grid(&at_t);
        cancel.solve(self.epsilon * self.epsilon);
        let u = self.law.secret();
        for (xr, mut or) in x.rows().into_iter().zip(out.rows_mut()) {
            let z = xr.dot(&u);
            let v = at_t.eval(z);
            let kept = cancel.kept(v.log_density - log_std_normal_density(z)) * v.excess_score;
            Zip::from(&mut or)
                .and(&xr)
                .and(&u)
                .for_each(|o, &xi, &ui| *o = -xi + kept * ui);
        }
        Ok(())
    }
}

/// ln φ(z) for the standard normal density φ.
fn log_std_normal_density(z: f64) -> f64 {
    -0.5 * z * z - 0.5 * (2.0 * PI).ln()
}

/// ε itself if it is finite and ≥ 0.
fn check_epsilon(epsilon: f64) -> Result<f64> {
    if epsilon.is_finite() && epsilon >= 0.0 {
        Ok(epsilon)
    } else {
        Err(Error::Invalid(format!(
            "ε must be finite and ≥ 0, got {epsilon}"
        )))
    }
}

/// The poly budget of the `Mlp` oracle: samples, DSM steps and width.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpBudget {
    /// Training samples per dimension: the fixed training set has `samples_per_dim · d` rows.
    pub samples_per_dim: usize,
    /// Hidden widths of the ReLU MLP.
    pub hidden: Vec<usize>,
    /// Adam steps.
    pub steps: usize,
    /// Rows per step.
    pub batch_size: usize,
    /// Peak learning rate (cosine decay to 5% of it).
    pub learning_rate: f64,
    /// DSM time law: log-uniform on [t_min, t_max].
    pub t_min: f64,
    /// Upper end of the DSM time law.
    pub t_max: f64,
    /// Sine/cosine pairs of the time embedding.
    pub time_frequencies: usize,
}

impl Default for MlpBudget {
    /// 2000·d samples, two hidden layers of 64, 3000 Adam steps of 128 rows, learning rate
    /// 3e−3, times log-uniform on [0.04, 0.25] (the distinguisher queries t ∈ [0.05, 0.2]), 3
    /// time frequencies; the network is −x + n/√v_t (it learns only the departure from N(0, I)).
    ///
    /// Calibrated once, at d = 2 only: the smallest of the budgets tried (800 steps failed,
    /// 3000 steps succeeded) with which the trained network distinguishes in d = 2; it is then
    /// held fixed (samples linear in d, everything else constant) as d grows.
    fn default() -> Self {
        Self {
            samples_per_dim: 2000,
            hidden: vec![64, 64],
            steps: 3000,
            batch_size: 128,
            learning_rate: 3e-3,
            t_min: 0.04,
            t_max: 0.25,
            time_frequencies: 3,
        }
    }
}

impl MlpBudget {
    /// Draws the training set from `law` with `rng` and trains the network (initialisation and
    /// DSM stream seeded by `seed`); returns it with the number of samples used.
    pub fn train(
        &self,
        law: &dyn SampleBatch,
        rng: &mut dyn RngCore,
        seed: u64,
    ) -> Result<(ScoreMlp, usize)> {
        let n = self.samples_per_dim * law.dim();
        let data = hardiff_nn::Dataset::new(law.sample_batch(rng, n)).map_err(nn_error)?;
        let config = DsmConfig {
            steps: self.steps,
            batch_size: self.batch_size,
            learning_rate: self.learning_rate,
            final_lr_fraction: 0.05,
            t_min: self.t_min,
            t_max: self.t_max,
            grad_clip: Some(10.0),
            seed,
        };
        let (model, _) = train_score_network(
            &data,
            &self.hidden,
            Parameterization::GaussianResidual,
            self.time_frequencies,
            &config,
        )
        .map_err(nn_error)?;
        Ok((model, n))
    }
}

fn nn_error(e: hardiff_nn::Error) -> Error {
    Error::Invalid(format!("training the score network: {e}"))
}

/// An oracle for the unknown law (module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OracleSpec {
    /// The exact score of D.
    Exact,
    /// Exact plus ε times a random unit vector fixed per oracle.
    ConstantError {
        /// ε = √(L2 error).
        epsilon: f64,
    },
    /// The pancake signal shrunk so that the L2 error is min(ε², F_t); exact under N(0, I).
    Attenuated {
        /// ε = √(L2 error) where below F_t.
        epsilon: f64,
    },
    /// The Lagrange oracle that defeats the test at the smallest L2 error: the pancake signal
    /// cancelled by c_t = φ/(φ + μ_tA_t), L2 error min(ε², F_t); exact under N(0, I)
    /// ([`WorstCasePancakeScore`]).
    WorstCase {
        /// ε = √(L2 error) where below F_t.
        epsilon: f64,
    },
    /// A ReLU MLP trained by DSM on samples of D.
    Mlp(MlpBudget),
    /// −x, whatever D is.
    GaussianScore,
}

impl OracleSpec {
    /// A short name for tables ("exact", "constant-error", "attenuated", "worst-case", "mlp",
    /// "gaussian").
    pub fn name(&self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::ConstantError { .. } => "constant-error",
            Self::Attenuated { .. } => "attenuated",
            Self::WorstCase { .. } => "worst-case",
            Self::Mlp(_) => "mlp",
            Self::GaussianScore => "gaussian",
        }
    }

    /// Builds the oracle for `law`; randomness (the error direction, the training set) from
    /// `rng`, the network's own streams from `seed`.
    pub fn build<'a>(
        &self,
        law: &'a UnknownLaw,
        rng: &mut dyn RngCore,
        seed: u64,
    ) -> Result<Box<dyn Score + 'a>> {
        let dim = law.dim();
        Ok(match self {
            Self::Exact => law.exact_score(),
            Self::ConstantError { epsilon } => {
                if !(epsilon.is_finite() && *epsilon >= 0.0) {
                    return Err(Error::Invalid(format!(
                        "ε must be finite and ≥ 0, got {epsilon}"
                    )));
                }
                let v = random_unit_vector(dim, rng)? * *epsilon;
                Box::new(OffsetScore::new(law.exact_score(), v)?)
            }
            Self::Attenuated { epsilon } => match law {
                UnknownLaw::Pancakes(p) => {
                    Box::new(AttenuatedPancakeScore::new((**p).clone(), *epsilon)?)
                }
                UnknownLaw::Gaussian(g) => Box::new(*g),
            },
            Self::WorstCase { epsilon } => match law {
                UnknownLaw::Pancakes(p) => {
                    Box::new(WorstCasePancakeScore::new((**p).clone(), *epsilon)?)
                }
                UnknownLaw::Gaussian(g) => {
                    check_epsilon(*epsilon)?;
                    Box::new(*g)
                }
            },
            Self::Mlp(budget) => Box::new(budget.train(law.sampler(), rng, seed)?.0),
            Self::GaussianScore => Box::new(StandardGaussian::new(dim)?),
        })
    }
}

/// The estimated advantage |P[pancakes | P_u] − P[pancakes | N(0, I)]| of the distinguisher
/// with one kind of oracle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdvantageEstimate {
    /// Trials per hypothesis.
    pub trials: usize,
    /// P̂[say pancakes | P_u].
    pub p_pancakes: f64,
    /// P̂[say pancakes | N(0, I)].
    pub p_gaussian: f64,
    /// |p_pancakes − p_gaussian|.
    pub advantage: f64,
    /// Binomial standard error √(p₁(1−p₁)/n + p₀(1−p₀)/n).
    pub std_err: f64,
    /// Δ̂ of every trial under pancakes.
    pub statistics_pancakes: Vec<f64>,
    /// Δ̂ of every trial under N(0, I).
    pub statistics_gaussian: Vec<f64>,
    /// Oracle point queries over all trials and both hypotheses.
    pub oracle_queries: u64,
    /// Truncated oracle outputs over all trials.
    pub truncated: u64,
}

/// Estimates the advantage of `distinguisher` with oracles built by `spec`: `trials` runs
/// under each hypothesis, each with a fresh law (fresh secret u), a fresh oracle and fresh
/// queries. Trial i under hypothesis h uses `rng::stream(seed, label, [i, h, purpose])` with
/// purpose 0 for the law, 1 for the oracle and 2 for the queries (h = 0 pancakes, 1 Gaussian),
/// so the estimate is a deterministic function of (seed, label).
///
/// Errors: trials = 0, or a failing oracle.
pub fn estimate_advantage(
    distinguisher: &PancakeDistinguisher,
    spec: &OracleSpec,
    trials: usize,
    seed: u64,
    label: &str,
) -> Result<AdvantageEstimate> {
    if trials == 0 {
        return Err(Error::Invalid("at least one trial is needed".into()));
    }
    let mut stats = [Vec::with_capacity(trials), Vec::with_capacity(trials)];
    let mut says = [0usize; 2];
    let (mut queries, mut truncated) = (0u64, 0u64);
    for trial in 0..trials as u64 {
        for (h, hypothesis) in [Hypothesis::Pancakes, Hypothesis::Gaussian]
            .into_iter()
            .enumerate()
        {
            let idx = |purpose: u64| [trial, h as u64, purpose];
            let law = UnknownLaw::draw(
                hypothesis,
                distinguisher.dim,
                distinguisher.gamma,
                distinguisher.sigma,
                &mut rng::stream(seed, label, &idx(0)),
            )?;
            let mut oracle_rng = rng::stream(seed, label, &idx(1));
            let oracle_seed = rand::Rng::random::<u64>(&mut oracle_rng);
            let oracle = spec.build(&law, &mut oracle_rng, oracle_seed)?;
            let stat =
                distinguisher.statistic(oracle.as_ref(), &mut rng::stream(seed, label, &idx(2)))?;
            says[h] += usize::from(distinguisher.says_pancakes(&stat));
            queries += stat.queries;
            truncated += stat.truncated;
            stats[h].push(stat.value);
        }
    }
    let n = trials as f64;
    let (p1, p0) = (says[0] as f64 / n, says[1] as f64 / n);
    let [statistics_pancakes, statistics_gaussian] = stats;
    Ok(AdvantageEstimate {
        trials,
        p_pancakes: p1,
        p_gaussian: p0,
        advantage: (p1 - p0).abs(),
        std_err: (p1 * (1.0 - p1) / n + p0 * (1.0 - p0) / n).sqrt(),
        statistics_pancakes,
        statistics_gaussian,
        oracle_queries: queries,
        truncated,
    })
}

/// At most this many net points are built (beyond it projection pursuit is out of reach).
pub const MAX_NET_POINTS: u64 = 50_000_000;

/// A deterministic net of the sphere S^{d−1} up to sign (docs/math.md §3, statistical contrast).
///
/// **Construction**: the grid points of the cube [−1, 1]^d with spacing 2/m that lie on its
/// surface (integer coordinates i_j ∈ {−m, −m+2, …, m} with max_j |i_j| = m), normalised, and
/// of each antipodal pair ±g only the one whose first non-zero coordinate is positive (pancakes
/// are symmetric under u ↦ −u). There are ((m+1)^d − (m−1)^d)/2 points.
///
/// **Covering radius**: every unit x has a net point ĝ with sin∠(x, ±ĝ) ≤ √(d−1)/m, i.e.
/// 1 − ⟨x, ĝ⟩² ≤ (d−1)/m². Proof: y = x/‖x‖_∞ lies on a face of the cube, ‖y‖ ≥ 1; rounding
/// its d−1 free coordinates to the grid moves it by ≤ 1/m each, to a grid point g on the same
/// face, so the distance from y to the line ℝg is ≤ ‖y − g‖ ≤ √(d−1)/m, and
/// sin∠(y, g) ≤ ‖y − g‖/‖y‖ ≤ √(d−1)/m.
#[derive(Debug, Clone, PartialEq)]
pub struct SphereNet {
    resolution: usize,
    points: Array2<f64>,
}

impl SphereNet {
    /// The net of resolution m in dimension d.
    ///
    /// Errors: d = 0, m = 0, or more than [`MAX_NET_POINTS`] points.
    pub fn new(dim: usize, resolution: usize) -> Result<Self> {
        if dim == 0 || resolution == 0 {
            return Err(Error::Invalid(format!(
                "a sphere net needs d ≥ 1 and m ≥ 1, got d = {dim}, m = {resolution}"
            )));
        }
        let size = Self::size(dim, resolution)
            .filter(|&n| n <= MAX_NET_POINTS)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "a sphere net with d = {dim}, m = {resolution} has more than {MAX_NET_POINTS} points"
                ))
            })? as usize;
        let m = resolution as i64;
        let mut points = Array2::zeros((size, dim));
        let mut idx = vec![-m; dim];
        let mut row = 0;
        loop {
            let on_surface = idx.iter().any(|i| i.abs() == m);
            let first_positive = idx.iter().find(|&&i| i != 0).is_some_and(|&i| i > 0);
            if on_surface && first_positive {
                let norm = idx.iter().map(|&i| (i * i) as f64).sum::<f64>().sqrt();
                for (p, &i) in points.row_mut(row).iter_mut().zip(&idx) {
                    *p = i as f64 / norm;
                }
                row += 1;
            }
            // Odometer over {−m, −m+2, …, m}^d.
            let mut j = 0;
            loop {
                if j == dim {
                    debug_assert_eq!(row, size);
                    return Ok(Self { resolution, points });
                }
                if idx[j] < m {
                    idx[j] += 2;
                    break;
                }
                idx[j] = -m;
                j += 1;
            }
        }
    }

    /// The coarsest net whose covering bound √(d−1)/m is ≤ η: m = max(1, ⌈√(d−1)/η⌉).
    pub fn with_covering(dim: usize, eta: f64) -> Result<Self> {
        if !(eta.is_finite() && eta > 0.0) {
            return Err(Error::Invalid(format!(
                "η must be finite and > 0, got {eta}"
            )));
        }
        Self::new(dim, Self::resolution_for(dim, eta))
    }

    /// m = max(1, ⌈√(d−1)/η⌉) (with a 1e−12 guard so an exact quotient is not rounded up).
    pub fn resolution_for(dim: usize, eta: f64) -> usize {
        ((dim.saturating_sub(1) as f64).sqrt() / eta - 1e-12)
            .ceil()
            .max(1.0) as usize
    }

    /// ((m+1)^d − (m−1)^d)/2, or None if it overflows u64.
    pub fn size(dim: usize, resolution: usize) -> Option<u64> {
        let d = u32::try_from(dim).ok()?;
        let hi = (resolution as u64 + 1).checked_pow(d)?;
        let lo = (resolution as u64 - 1).checked_pow(d)?;
        Some((hi - lo) / 2)
    }

    /// The dimension d.
    pub fn dim(&self) -> usize {
        self.points.ncols()
    }
    /// The resolution m.
    pub fn resolution(&self) -> usize {
        self.resolution
    }
    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.nrows()
    }
    /// Always false (a net has at least one point).
    pub fn is_empty(&self) -> bool {
        self.points.nrows() == 0
    }
    /// The unit vectors, one per row.
    pub fn points(&self) -> ArrayView2<'_, f64> {
        self.points.view()
    }
    /// The covering bound η = √(d−1)/m on the sine of the angle to the nearest point.
    pub fn sine_covering_radius(&self) -> f64 {
        ((self.dim() - 1) as f64).sqrt() / self.resolution as f64
    }
}

/// The pancake contrast T(z) = cos(ωz) with ω = √(2π)·γ·a, a = √(1 + σ²) (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PancakeContrast {
    gamma: f64,
    sigma: f64,
    omega: f64,
}

impl PancakeContrast {
    /// The contrast for public (γ, σ). Errors: γ or σ not finite and > 0.
    pub fn new(gamma: f64, sigma: f64) -> Result<Self> {
        if !(gamma.is_finite() && gamma > 0.0 && sigma.is_finite() && sigma > 0.0) {
            return Err(Error::Invalid(format!(
                "γ and σ must be finite and > 0, got γ = {gamma}, σ = {sigma}"
            )));
        }
        Ok(Self {
            gamma,
            sigma,
            omega: (2.0 * PI).sqrt() * gamma * (1.0 + sigma * sigma).sqrt(),
        })
    }
    /// ω.
    pub fn frequency(&self) -> f64 {
        self.omega
    }
    /// E[T(⟨x, u⟩)] under P_u: e^{−πγ²σ²} (ωz = 2πk + √(2π)γσg).
    pub fn mean_along_secret(&self) -> f64 {
        (-PI * self.gamma * self.gamma * self.sigma * self.sigma).exp()
    }
    /// E[T(⟨x, w⟩)] for any unit w under N(0, I): e^{−ω²/2}.
    pub fn mean_under_gaussian(&self) -> f64 {
        (-0.5 * self.omega * self.omega).exp()
    }
    /// The decision level of the pursuit test: half of e^{−πγ²σ²}·e^{−ω²η²/2}, the contrast of
    /// a net direction at sine-distance η from u when the lattice phase mismatch
    /// 2πk(1 − cos∠) is neglected (a heuristic level, stated as such).
    pub fn pursuit_level(&self, eta: f64) -> f64 {
        0.5 * self.mean_along_secret() * (-0.5 * self.omega * self.omega * eta * eta).exp()
    }
}

/// What [`projection_pursuit`] found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PursuitResult {
    /// The maximising net direction û.
    pub direction: Vec<f64>,
    /// Its empirical contrast (1/n) Σ_i T(⟨x_i, û⟩).
    pub contrast: f64,
    /// Counted cost: net points × samples contrast evaluations.
    pub evaluations: u64,
}

/// Brute-force projection pursuit: the net direction maximising the empirical mean of the
/// contrast over `samples` (rows). Exponential time in d (the net's size), poly(d) samples.
///
/// Errors: no samples, or the samples' dimension differs from the net's.
pub fn projection_pursuit(
    samples: ArrayView2<f64>,
    net: &SphereNet,
    contrast: &PancakeContrast,
) -> Result<PursuitResult> {
    if samples.nrows() == 0 || samples.ncols() != net.dim() {
        return Err(Error::Invalid(format!(
            "projection pursuit needs samples of dimension {}, got shape {:?}",
            net.dim(),
            samples.dim()
        )));
    }
    const CHUNK: usize = 1024;
    let n = samples.nrows() as f64;
    let omega = contrast.omega;
    let (mut best, mut best_value) = (0usize, f64::NEG_INFINITY);
    let pts = net.points();
    for start in (0..net.len()).step_by(CHUNK) {
        let chunk = pts.slice(s![start..(start + CHUNK).min(net.len()), ..]);
        let proj = samples.dot(&chunk.t());
        let means = proj.mapv(|p| (omega * p).cos()).sum_axis(Axis(0)) / n;
        for (k, &v) in means.iter().enumerate() {
            if v > best_value {
                best_value = v;
                best = start + k;
            }
        }
    }
    Ok(PursuitResult {
        direction: pts.row(best).to_vec(),
        contrast: best_value,
        evaluations: net.len() as u64 * samples.nrows() as u64,
    })
}
