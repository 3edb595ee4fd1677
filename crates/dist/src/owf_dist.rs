//! The hard instance g̃ built from a one-way function (MATH.md §5).
//!
//! This module exists because g̃ is the distribution on which the two hardness theorems meet:
//! its score is *easy* (one f-evaluation, [`EfficientOwfScore`]) at every noise level, yet
//! posterior sampling on it inverts f (MATH.md §6). Everything here is exact or brute force:
//!
//! - [`OwfParams`]: envelope R, lattice spacing α, amplitude β, crossover σ_c and measurement
//!   noise η, with the default rule of MATH.md §5 (σ_c = α/(2√(2 ln(n/ε²))), β = ε σ_c/√m,
//!   η = β/4, ε = 0.05);
//! - [`OwfDistribution`]: exact sampling (i.i.d. discretized-Gaussian coordinates on α(Z + ½)
//!   drawn by the exact [`DiscreteGaussian`] sampler, then u = β(2f(s) − 1)), sampling at OU
//!   time t through the exact OU transition, decoding, and the brute-force log-density at t > 0;
//! - [`HalfLatticeSums`]: the half-lattice sums h^±_σ and their log-derivatives;
//! - [`BruteForceOwfScore`] (exact, 2^n seeds) and [`EfficientOwfScore`] (MATH.md §5);
//! - [`OwfDistribution::score_error`]: the normalised L2 error σ·√E‖ŝ − s‖² of any score
//!   against the exact one under the time-t law, with a Monte-Carlo standard error.
//!
//! Time convention (MATH.md §0): every API takes OU time t; internally the VE level is
//! σ² = e^{2t} − 1, p_t(x) = e^{td} p_σ(e^t x) and s_t(x) = e^t s_σ(e^t x).
//!
//! # Brute force
//! The exact log-density and score sum over all 2^n seeds s with weights
//! π_s ∝ Π_i h^{s_i}_σ(x_i) Π_j φ_{σ²}(u_j − v_j(s)). The table of f(s) for all seeds is
//! computed once per distribution (2^n counted f-evaluations) and shared by its clones. Each
//! point then costs O(2^n·⌈m/8⌉) table look-ups: the input part Σ_i log h^{s_i} is split into
//! two half-tables over the low and high halves of s, the output part into 256-entry tables per
//! output byte; the posterior marginals P(s_i = 1) and P(f_j(s) = 1), which are all the score
//! needs, come from the same tables.

use crate::discrete_gaussian::DiscreteGaussian;
use crate::error::{positive, Error, Result};
use crate::score::{check_shapes, LogDensity, SampleBatch, Score};
use crate::smoothed::SmoothedDiscreteGaussian;
use hardiff_owf::{Bits, OneWayFunction};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};
use rand::{Rng, RngCore};
use rand_distr::StandardNormal;
use serde::Serialize;
use std::f64::consts::PI;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// The VE noise level σ = √(e^{2t} − 1) of OU time t (MATH.md §0).
pub fn ou_time_to_ve_sigma(t: f64) -> f64 {
    (2.0 * t).exp_m1().sqrt()
}

/// The OU time t = ½ ln(1 + σ²) of VE noise level σ (MATH.md §0).
pub fn ve_sigma_to_ou_time(sigma: f64) -> f64 {
    0.5 * (sigma * sigma).ln_1p()
}

/// Parameters of g̃ (MATH.md §5). Construct by the default rule ([`OwfParams::default_rule`],
/// [`OwfParams::from_rule`]) or explicitly ([`OwfParams::new`]); every constructor validates,
/// so a value is always usable.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OwfParams {
    envelope: f64,
    spacing: f64,
    amplitude: f64,
    crossover: f64,
    noise: f64,
}

impl OwfParams {
    /// Default envelope R (MATH.md §5).
    pub const DEFAULT_ENVELOPE: f64 = 1.0;
    /// Default lattice spacing α (MATH.md §5).
    pub const DEFAULT_SPACING: f64 = 0.5;
    /// Default target accuracy ε of the efficient score (MATH.md §5).
    pub const DEFAULT_EPSILON: f64 = 0.05;

    /// The default rule for n input and m output bits: R = 1, α = 0.5, ε = 0.05, hence
    /// σ_c = α/(2√(2 ln(n/ε²))), β = ε σ_c/√m, η = β/4 (MATH.md §5). For n = m = 4:
    /// σ_c ≈ 0.0651, β ≈ 0.00163.
    pub fn default_rule(n: usize, m: usize) -> Result<Self> {
        Self::from_rule(
            n,
            m,
            Self::DEFAULT_ENVELOPE,
            Self::DEFAULT_SPACING,
            Self::DEFAULT_EPSILON,
        )
    }

    /// The rule of MATH.md §5 for given R, α and ε ∈ (0, 1): σ_c = α/(2√(2 ln(n/ε²))),
    /// β = ε σ_c/√m, η = β/4.
    pub fn from_rule(
        n: usize,
        m: usize,
        envelope: f64,
        spacing: f64,
        epsilon: f64,
    ) -> Result<Self> {
        if n == 0 || m == 0 {
            return Err(Error::Invalid(format!(
                "g̃ needs n ≥ 1 input and m ≥ 1 output bits, got n = {n}, m = {m}"
            )));
        }
        let epsilon = positive("epsilon", epsilon)?;
        if epsilon >= 1.0 {
            return Err(Error::OutOfRange {
                name: "epsilon",
                value: epsilon,
                range: "(0, 1)",
            });
        }
        let spacing = positive("alpha (spacing)", spacing)?;
        // n/ε² > 1 because ε < 1 ≤ n, so the logarithm is positive.
        let crossover = spacing / (2.0 * (2.0 * (n as f64 / (epsilon * epsilon)).ln()).sqrt());
        let amplitude = epsilon * crossover / (m as f64).sqrt();
        Self::new(envelope, spacing, amplitude, crossover, amplitude / 4.0)
    }

    /// Explicit parameters: envelope R, spacing α, amplitude β, crossover σ_c, noise η, all
    /// finite and > 0, with R/α ∈ [1e−6, 1e9] (the exact sampler's range) and β < α/2 (the
    /// f-part must be small against the lattice, MATH.md §5 "β ≪ α").
    pub fn new(
        envelope: f64,
        spacing: f64,
        amplitude: f64,
        crossover: f64,
        noise: f64,
    ) -> Result<Self> {
        let envelope = positive("R (envelope)", envelope)?;
        let spacing = positive("alpha (spacing)", spacing)?;
        let amplitude = positive("beta (amplitude)", amplitude)?;
        let crossover = positive("sigma_c (crossover)", crossover)?;
        let noise = positive("eta (measurement noise)", noise)?;
        if amplitude >= spacing / 2.0 {
            return Err(Error::OutOfRange {
                name: "beta (amplitude)",
                value: amplitude,
                range: "(0, alpha/2)",
            });
        }
        // Validates R/α against the discrete Gaussian sampler's supported range.
        DiscreteGaussian::new(spacing / 2.0, spacing, envelope)?;
        Ok(Self {
            envelope,
            spacing,
            amplitude,
            crossover,
            noise,
        })
    }

    /// The same parameters with amplitude β, and the measurement noise reset to its default
    /// η = β/4 (call [`OwfParams::with_noise`] afterwards to override it).
    pub fn with_amplitude(self, amplitude: f64) -> Result<Self> {
        Self::new(
            self.envelope,
            self.spacing,
            amplitude,
            self.crossover,
            amplitude / 4.0,
        )
    }

    /// The same parameters with crossover σ_c.
    pub fn with_crossover(self, crossover: f64) -> Result<Self> {
        Self::new(
            self.envelope,
            self.spacing,
            self.amplitude,
            crossover,
            self.noise,
        )
    }

    /// The same parameters with measurement noise η.
    pub fn with_noise(self, noise: f64) -> Result<Self> {
        Self::new(
            self.envelope,
            self.spacing,
            self.amplitude,
            self.crossover,
            noise,
        )
    }

    /// R, the envelope std of the discretized Gaussian.
    pub fn envelope(&self) -> f64 {
        self.envelope
    }
    /// α, the lattice spacing (the lattice is α(Z + ½)).
    pub fn spacing(&self) -> f64 {
        self.spacing
    }
    /// β, the amplitude of the f-part u = β(2f(s) − 1).
    pub fn amplitude(&self) -> f64 {
        self.amplitude
    }
    /// σ_c, the VE level at which the efficient score switches regime.
    pub fn crossover(&self) -> f64 {
        self.crossover
    }
    /// t_c = ½ ln(1 + σ_c²), the crossover as an OU time.
    pub fn crossover_time(&self) -> f64 {
        ve_sigma_to_ou_time(self.crossover)
    }
    /// η, the default measurement noise for posterior experiments (MATH.md §6).
    pub fn noise(&self) -> f64 {
        self.noise
    }
}

/// The half-lattice sums h^±_σ(x) = Σ_{k∈L, ±k>0} P(k) φ_{σ²}(x − k) of MATH.md §5 at one VE
/// level σ, with P the law D_α on L = α(Z + ½) (envelope R). Each has mass ½, and
/// h^−(x) = h^+(−x) by symmetry.
///
/// Computed in log space by a direct sum: completing the square,
/// log P(k) − (x − k)²/(2σ²) = −log Z − (k − c)²/(2u) − x²/(2(R² + σ²)) with
/// u = R²σ²/(R² + σ²) and c = x R²/(R² + σ²). The terms kept are those within e^{−40} of the
/// largest term of the half-lattice: k ∈ [c − r, c + r] with r = √(80u), and, when that window
/// misses the half-lattice, its first point and the next ⌈r/α⌉ + 1 (the terms fall off at least
/// like e^{−(jα)²/(2u)} from the first), so the relative truncation error is below ~e^{−40}.
/// (log h^+)′(x) = (E_w\[k\] − x)/σ² with w the normalised terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfLatticeSums {
    spacing: f64,
    sigma2: f64,
    u: f64,
    shrink: f64,
    inv_total: f64,
    radius: f64,
    log_constant: f64,
}

/// Exponent below which lattice terms are dropped (relative e^{−40}, as in MATH.md §1 sums).
const HALF_SUM_EXPONENT: f64 = 40.0;

impl HalfLatticeSums {
    /// h^±_σ for the lattice law of `params` at VE level σ > 0.
    pub fn new(params: &OwfParams, sigma: f64) -> Result<Self> {
        let sigma = positive("sigma", sigma)?;
        let r2 = params.envelope * params.envelope;
        let sigma2 = sigma * sigma;
        let u = r2 * sigma2 / (r2 + sigma2);
        let log_z = DiscreteGaussian::new(params.spacing / 2.0, params.spacing, params.envelope)?
            .log_normaliser();
        Ok(Self {
            spacing: params.spacing,
            sigma2,
            u,
            shrink: r2 / (r2 + sigma2),
            inv_total: 1.0 / (r2 + sigma2),
            radius: (2.0 * HALF_SUM_EXPONENT * u).sqrt(),
            log_constant: -log_z - 0.5 * (2.0 * PI * sigma2).ln(),
        })
    }

    /// The VE level σ.
    pub fn sigma(&self) -> f64 {
        self.sigma2.sqrt()
    }

    /// (log h^+_σ(x), (log h^+_σ)′(x)).
    pub fn plus(&self, x: f64) -> (f64, f64) {
        let a = self.spacing;
        let c = self.shrink * x;
        // Lattice points k_j = α(j + ½), j ≥ 0.
        let lo = ((c - self.radius) / a - 0.5).floor().max(0.0);
        let hi = ((c + self.radius) / a - 0.5)
            .ceil()
            .max(lo + (self.radius / a).ceil() + 1.0);
        let (lo, hi) = (lo as i64, hi as i64);
        let inv_2u = 0.5 / self.u;
        // The largest exponent is at the kept point nearest c; subtract it for stability.
        let nearest = ((c / a - 0.5).round() as i64).clamp(lo, hi);
        let e_max = {
            let d = a * (nearest as f64 + 0.5) - c;
            -d * d * inv_2u
        };
        let (mut s0, mut s1) = (0.0, 0.0);
        for j in lo..=hi {
            let k = a * (j as f64 + 0.5);
            let d = k - c;
            let w = (-d * d * inv_2u - e_max).exp();
            s0 += w;
            s1 += w * (k - c);
        }
        // E_w[k] − x = (E_w[k − c]) + c − x, kept in that form so that σ → 0 loses no digits
        // through k − x when k ≈ x.
        let mean_k_minus_x = s1 / s0 + (c - x);
        (
            self.log_constant - 0.5 * x * x * self.inv_total + e_max + s0.ln(),
            mean_k_minus_x / self.sigma2,
        )
    }

    /// (log h^−_σ(x), (log h^−_σ)′(x)) = (log h^+(−x), −(log h^+)′(−x)).
    pub fn minus(&self, x: f64) -> (f64, f64) {
        let (l, d) = self.plus(-x);
        (l, -d)
    }

    /// h^{s}: `positive = true` is h^+ (seed bit 1), `false` is h^− (seed bit 0).
    pub fn half(&self, positive: bool, x: f64) -> (f64, f64) {
        if positive {
            self.plus(x)
        } else {
            self.minus(x)
        }
    }
}

/// f(s) for every seed s = 0..2^n (as ⌈m/8⌉ little-endian bytes each): the brute-force table.
#[derive(Debug)]
struct SeedTable {
    out_bytes: usize,
    bytes: Vec<u8>,
}

#[derive(Debug)]
struct Inner {
    f: Arc<dyn OneWayFunction>,
    params: OwfParams,
    coordinate: DiscreteGaussian,
    brute_force_limit: usize,
    table: OnceLock<Arc<SeedTable>>,
}

/// The one-way-function distribution g̃ on R^{n+m} (MATH.md §5): X = (z, u) with z ∈ L^n
/// i.i.d. D_α (L = α(Z + ½)), seed s = 1\[z > 0\] and u = β(2f(s) − 1).
///
/// Points are rows `(x_1..x_n, u_1..u_m)`. Clones are cheap and share f (and its evaluation
/// counter) and the brute-force table.
#[derive(Clone)]
pub struct OwfDistribution {
    inner: Arc<Inner>,
}

impl fmt::Debug for OwfDistribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwfDistribution")
            .field("f", &self.inner.f.describe())
            .field("params", &self.inner.params)
            .field("brute_force_limit", &self.inner.brute_force_limit)
            .finish()
    }
}

/// A decoded point: input bits ŝ = 1\[x > 0\] and output bits 1\[u > 0\] (MATH.md §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// ŝ_i = 1\[x_i > 0\].
    pub seed: Bits,
    /// 1\[u_j > 0\].
    pub output: Bits,
}

impl OwfDistribution {
    /// The default limit on n for brute-force routines (2^20 seeds per point).
    pub const DEFAULT_BRUTE_FORCE_LIMIT: usize = 20;
    /// The largest configurable brute-force limit.
    pub const MAX_BRUTE_FORCE_LIMIT: usize = 30;

    /// g̃ for f with the given parameters.
    pub fn new(f: Arc<dyn OneWayFunction>, params: OwfParams) -> Result<Self> {
        let coordinate =
            DiscreteGaussian::new(params.spacing / 2.0, params.spacing, params.envelope)?;
        Ok(Self {
            inner: Arc::new(Inner {
                f,
                params,
                coordinate,
                brute_force_limit: Self::DEFAULT_BRUTE_FORCE_LIMIT,
                table: OnceLock::new(),
            }),
        })
    }

    /// g̃ for f with the default rule of MATH.md §5 ([`OwfParams::default_rule`]).
    pub fn with_default_params(f: Arc<dyn OneWayFunction>) -> Result<Self> {
        let params = OwfParams::default_rule(f.input_bits(), f.output_bits())?;
        Self::new(f, params)
    }

    /// The same distribution with brute-force routines refusing n > `limit` (≤ 30).
    pub fn with_brute_force_limit(&self, limit: usize) -> Result<Self> {
        if limit > Self::MAX_BRUTE_FORCE_LIMIT {
            return Err(Error::OutOfRange {
                name: "brute-force limit",
                value: limit as f64,
                range: "[0, 30]",
            });
        }
        Ok(Self {
            inner: Arc::new(Inner {
                f: self.inner.f.clone(),
                params: self.inner.params,
                coordinate: self.inner.coordinate.clone(),
                brute_force_limit: limit,
                table: self
                    .inner
                    .table
                    .get()
                    .cloned()
                    .map(OnceLock::from)
                    .unwrap_or_default(),
            }),
        })
    }

    /// The one-way function f.
    pub fn f(&self) -> &Arc<dyn OneWayFunction> {
        &self.inner.f
    }
    /// The parameters.
    pub fn params(&self) -> &OwfParams {
        &self.inner.params
    }
    /// n, the number of input coordinates.
    pub fn input_bits(&self) -> usize {
        self.inner.f.input_bits()
    }
    /// m, the number of output coordinates.
    pub fn output_bits(&self) -> usize {
        self.inner.f.output_bits()
    }
    /// The configured brute-force limit on n.
    pub fn brute_force_limit(&self) -> usize {
        self.inner.brute_force_limit
    }
    /// The coordinate law D_α on α(Z + ½) with envelope R (MATH.md §5).
    pub fn coordinate_law(&self) -> &DiscreteGaussian {
        &self.inner.coordinate
    }

    /// The vertex value v(s) = β(2f(s) − 1) ∈ {±β}^m (one counted f-evaluation).
    pub fn vertex_value(&self, seed: &Bits) -> Result<Array1<f64>> {
        let y = self.inner.f.eval(seed)?;
        let beta = self.inner.params.amplitude;
        Ok(y.iter().map(|b| if b { beta } else { -beta }).collect())
    }

    /// Draws `count` exact samples of g̃ (t = 0) and their seeds s (one counted f-evaluation
    /// per sample).
    pub fn sample_with_seeds(
        &self,
        rng: &mut dyn RngCore,
        count: usize,
    ) -> (Array2<f64>, Vec<Bits>) {
        let (n, m) = (self.input_bits(), self.output_bits());
        let mut out = Array2::zeros((count, n + m));
        let mut seeds = Vec::with_capacity(count);
        for row in out.rows_mut() {
            seeds.push(self.draw_row(rng, row));
        }
        (out, seeds)
    }

    /// One exact sample of g̃ written into `row` (length n + m); returns its seed s. Draws the n
    /// coordinates in order, then evaluates f (one counted evaluation, no randomness).
    fn draw_row(&self, rng: &mut dyn RngCore, mut row: ArrayViewMut1<f64>) -> Bits {
        let (n, m) = (self.input_bits(), self.output_bits());
        let beta = self.inner.params.amplitude;
        let mut seed = Bits::zeros(n);
        for i in 0..n {
            let z = self
                .inner
                .coordinate
                .point(self.inner.coordinate.sample_index(rng));
            row[i] = z;
            seed.set(i, z > 0.0);
        }
        let y = self
            .inner
            .f
            .eval(&seed)
            .expect("seed has n bits by construction");
        for j in 0..m {
            row[n + j] = if y.bit(j) { beta } else { -beta };
        }
        seed
    }

    /// Fills the rows of `out` (shape `(rows, n + m)`) with samples of the law at OU time
    /// t ≥ 0 (the law of [`OwfDistribution::sample_at`]), drawn **row by row**: row i's X_0 and
    /// then, for t > 0, its n + m Gaussian draws of X_t = e^{−t} X_0 + √(1 − e^{−2t}) Z, before
    /// anything of row i + 1 (MATH.md §0). Filling n rows in chunks of any sizes therefore
    /// consumes the stream exactly as one call does, so a streamed output does not depend on
    /// its chunk size. At t = 0 the numbers equal [`OwfDistribution::sample_at`]'s; at t > 0
    /// that method draws every X_0 first and is kept as it is for reproducibility.
    ///
    /// Errors: t is not a finite OU time ≥ 0; `out` does not have n + m columns.
    pub fn sample_rows_at(
        &self,
        t: f64,
        rng: &mut dyn RngCore,
        mut out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        let t = crate::error::ou_time(t)?;
        let d = self.input_bits() + self.output_bits();
        if out.ncols() != d {
            return Err(Error::DimensionMismatch {
                what: "columns of the output rows (n + m)",
                expected: d,
                got: out.ncols(),
            });
        }
        let a = (-t).exp();
        let s = (-(-2.0 * t).exp_m1()).sqrt();
        for mut row in out.rows_mut() {
            self.draw_row(rng, row.view_mut());
            if t > 0.0 {
                // In logical order (iter_mut), whatever the layout of `out`.
                for v in row.iter_mut() {
                    *v = a * *v + s * rng.sample::<f64, _>(StandardNormal);
                }
            }
        }
        Ok(())
    }

    /// Draws `count` samples of the law at OU time t ≥ 0: X_t = e^{−t} X_0 + √(1 − e^{−2t}) Z
    /// with X_0 exact (MATH.md §0).
    pub fn sample_at(&self, t: f64, rng: &mut dyn RngCore, count: usize) -> Result<Array2<f64>> {
        let t = crate::error::ou_time(t)?;
        let (mut x, _) = self.sample_with_seeds(rng, count);
        if t > 0.0 {
            let a = (-t).exp();
            let s = (-(-2.0 * t).exp_m1()).sqrt();
            x.mapv_inplace(|v| a * v + s * rng.sample::<f64, _>(StandardNormal));
        }
        Ok(x)
    }

    /// Decodes one point (a row of length n + m): ŝ = 1\[x > 0\], output bits 1\[u > 0\].
    pub fn decode(&self, point: ArrayView1<f64>) -> Result<Decoded> {
        let (n, m) = (self.input_bits(), self.output_bits());
        if point.len() != n + m {
            return Err(Error::DimensionMismatch {
                what: "g̃ point dimension (n + m)",
                expected: n + m,
                got: point.len(),
            });
        }
        let bools =
            |r: std::ops::Range<usize>| -> Vec<bool> { r.map(|i| point[i] > 0.0).collect() };
        Ok(Decoded {
            seed: Bits::from_bools(&bools(0..n)),
            output: Bits::from_bools(&bools(n..n + m)),
        })
    }

    /// Decodes every row of a batch.
    pub fn decode_batch(&self, x: ArrayView2<f64>) -> Result<Vec<Decoded>> {
        x.rows().into_iter().map(|r| self.decode(r)).collect()
    }

    /// The exact (brute-force) score ([`BruteForceOwfScore`]); builds the table of f on all 2^n
    /// seeds on first use (2^n counted evaluations). Errors: n above the brute-force limit.
    pub fn brute_force_score(&self) -> Result<BruteForceOwfScore> {
        self.seed_table()?;
        Ok(BruteForceOwfScore { dist: self.clone() })
    }

    /// The efficient score of MATH.md §5 ([`EfficientOwfScore`]).
    pub fn efficient_score(&self) -> EfficientOwfScore {
        EfficientOwfScore { dist: self.clone() }
    }

    /// The table of f on all seeds, built on first use. The limit is checked on every call:
    /// besides the table, each brute-force point costs 2^n.
    fn seed_table(&self) -> Result<&SeedTable> {
        let n = self.input_bits();
        if n > self.inner.brute_force_limit {
            return Err(Error::TooLarge {
                what: "brute-force sum over the seeds of g̃",
                size: n,
                limit: self.inner.brute_force_limit,
                work: format!("2^{n} seeds per point and 2^{n} f-evaluations"),
            });
        }
        if let Some(t) = self.inner.table.get() {
            return Ok(t);
        }
        let out_bytes = self.output_bits().div_ceil(8);
        let mut bytes = Vec::with_capacity(out_bytes << n);
        for s in 0..1u64 << n {
            let y = self.inner.f.eval(&Bits::from_u64(s, n)?)?;
            bytes.extend_from_slice(&y.to_le_bytes());
        }
        let _ = self
            .inner
            .table
            .set(Arc::new(SeedTable { out_bytes, bytes }));
        Ok(self.inner.table.get().expect("just set"))
    }

    /// Brute-force log-density and score at one VE point `y` (length n + m) and level σ.
    /// Writes σ-level scores into `score` if given and returns log p_σ(y).
    fn brute_force_point(
        &self,
        table: &SeedTable,
        halves: &HalfLatticeSums,
        y: ArrayView1<f64>,
        score: Option<ArrayViewMut1<f64>>,
        work: &mut Workspace,
    ) -> f64 {
        let (n, m) = (self.input_bits(), self.output_bits());
        let beta = self.inner.params.amplitude;
        let sigma2 = halves.sigma2;
        let n_lo = n / 2;
        let n_hi = n - n_lo;
        let ob = table.out_bytes;
        // Per-coordinate log factors and log-derivatives for seed bit 1 (+) and 0 (−).
        let mut a = Vec::with_capacity(n);
        for i in 0..n {
            a.push((halves.plus(y[i]), halves.minus(y[i])));
        }
        let log_norm = -0.5 * (2.0 * PI * sigma2).ln();
        let b: Vec<(f64, f64)> = (0..m)
            .map(|j| {
                let u = y[n + j];
                (
                    log_norm - (u - beta) * (u - beta) / (2.0 * sigma2),
                    log_norm - (u + beta) * (u + beta) / (2.0 * sigma2),
                )
            })
            .collect();
        // Half tables over the low and high seed bits.
        let fill_half = |table: &mut Vec<f64>, bits: std::ops::Range<usize>| {
            let len = bits.len();
            table.clear();
            table.push(bits.clone().map(|i| a[i].1 .0).sum());
            for s in 1..1usize << len {
                let low = s.trailing_zeros() as usize;
                let i = bits.start + low;
                let prev = table[s & (s - 1)];
                table.push(prev + a[i].0 .0 - a[i].1 .0);
            }
        };
        fill_half(&mut work.a_lo, 0..n_lo);
        fill_half(&mut work.a_hi, n_lo..n);
        // Output byte tables: B_c[byte] = Σ_{j in byte c} b_j^{bit}.
        work.b.clear();
        for c in 0..ob {
            for byte in 0..256usize {
                let mut v = 0.0;
                for k in 0..8 {
                    let j = 8 * c + k;
                    if j < m {
                        v += if (byte >> k) & 1 == 1 { b[j].0 } else { b[j].1 };
                    }
                }
                work.b.push(v);
            }
        }
        let lo_mask = (1usize << n_lo) - 1;
        work.lw.clear();
        let mut max = f64::NEG_INFINITY;
        for s in 0..1usize << n {
            let mut v = work.a_lo[s & lo_mask] + work.a_hi[s >> n_lo];
            let row = &table.bytes[s * ob..(s + 1) * ob];
            for (c, &byte) in row.iter().enumerate() {
                v += work.b[256 * c + byte as usize];
            }
            max = max.max(v);
            work.lw.push(v);
        }
        let want_score = score.is_some();
        if want_score {
            work.w_lo.clear();
            work.w_lo.resize(1 << n_lo, 0.0);
            work.w_hi.clear();
            work.w_hi.resize(1 << n_hi, 0.0);
            work.t.clear();
            work.t.resize(256 * ob, 0.0);
        }
        let mut total = 0.0;
        for s in 0..1usize << n {
            let d = work.lw[s] - max;
            // Terms below e^{-60} of the largest cannot change any double-precision result.
            if d < -60.0 {
                continue;
            }
            let w = d.exp();
            total += w;
            if want_score {
                work.w_lo[s & lo_mask] += w;
                work.w_hi[s >> n_lo] += w;
                let row = &table.bytes[s * ob..(s + 1) * ob];
                for (c, &byte) in row.iter().enumerate() {
                    work.t[256 * c + byte as usize] += w;
                }
            }
        }
        if let Some(mut out) = score {
            // Posterior marginals P(s_i = 1) and P(f_j(s) = 1).
            for i in 0..n {
                let (tab, bit) = if i < n_lo {
                    (&work.w_lo, i)
                } else {
                    (&work.w_hi, i - n_lo)
                };
                let p: f64 = tab
                    .iter()
                    .enumerate()
                    .filter(|(s, _)| (s >> bit) & 1 == 1)
                    .map(|(_, w)| w)
                    .sum::<f64>()
                    / total;
                out[i] = p * a[i].0 .1 + (1.0 - p) * a[i].1 .1;
            }
            for j in 0..m {
                let (c, k) = (j / 8, j % 8);
                let q: f64 = (0..256usize)
                    .filter(|byte| (byte >> k) & 1 == 1)
                    .map(|byte| work.t[256 * c + byte])
                    .sum::<f64>()
                    / total;
                out[n + j] = (beta * (2.0 * q - 1.0) - y[n + j]) / sigma2;
            }
        }
        max + total.ln()
    }

    /// The normalised L2 error of `approx` against the exact (brute-force) score under the law
    /// at OU time t > 0, from `points` samples (MATH.md §5 "Accuracy measure"): with σ the VE
    /// level of t, the error is σ·√E_{p_σ}‖ŝ_σ − s_σ‖² = √(1 − e^{−2t})·√E_{p_t}‖ŝ_t − s_t‖²,
    /// reported with its Monte-Carlo standard error (delta method) and split into the x- and
    /// u-parts. Counts f-evaluations (sampling, and whatever `approx` does).
    pub fn score_error(
        &self,
        approx: &dyn Score,
        t: f64,
        points: usize,
        rng: &mut dyn RngCore,
    ) -> Result<ScoreError> {
        if t <= 0.0 || !t.is_finite() {
            return Err(Error::TimeNotPositive {
                t,
                why: "the score of g̃ is defined only for t > 0 (the law has atoms)",
            });
        }
        if points < 2 {
            return Err(Error::Invalid(format!(
                "score_error needs at least 2 points, got {points}"
            )));
        }
        let exact = self.brute_force_score()?;
        let d = self.input_bits() + self.output_bits();
        if approx.dim() != d {
            return Err(Error::DimensionMismatch {
                what: "approximate score dimension",
                expected: d,
                got: approx.dim(),
            });
        }
        let x = self.sample_at(t, rng, points)?;
        let mut s_exact = Array2::zeros((points, d));
        let mut s_approx = Array2::zeros((points, d));
        exact.score(t, x.view(), s_exact.view_mut())?;
        approx.score(t, x.view(), s_approx.view_mut())?;
        let n = self.input_bits();
        let (mut sq, mut sq_x, mut sq_u, mut exact_sq) = (vec![0.0; points], 0.0, 0.0, 0.0);
        for b in 0..points {
            let (mut ex, mut eu) = (0.0, 0.0);
            for k in 0..d {
                let e = s_approx[[b, k]] - s_exact[[b, k]];
                if k < n {
                    ex += e * e;
                } else {
                    eu += e * e;
                }
                exact_sq += s_exact[[b, k]] * s_exact[[b, k]];
            }
            sq[b] = ex + eu;
            sq_x += ex;
            sq_u += eu;
        }
        let np = points as f64;
        let mean = sq.iter().sum::<f64>() / np;
        let var = sq.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (np - 1.0);
        let se_mean = (var / np).sqrt();
        let scale = (-(-2.0 * t).exp_m1()).sqrt();
        let normalised_error = scale * mean.sqrt();
        let normalised_std_error = if mean > 0.0 {
            scale * se_mean / (2.0 * mean.sqrt())
        } else {
            0.0
        };
        Ok(ScoreError {
            t,
            sigma: ou_time_to_ve_sigma(t),
            points,
            rms_error: mean.sqrt(),
            normalised_error,
            normalised_std_error,
            normalised_error_x: scale * (sq_x / np).sqrt(),
            normalised_error_u: scale * (sq_u / np).sqrt(),
            normalised_exact_norm: scale * (exact_sq / np).sqrt(),
        })
    }

    /// [`OwfDistribution::score_error`] of the [`EfficientOwfScore`] at each time of `times`,
    /// each from its own stream `rng::stream(seed, "owf-efficient-score-error", [i])`.
    pub fn efficient_score_error_table(
        &self,
        times: &[f64],
        points: usize,
        seed: u64,
    ) -> Result<Vec<ScoreError>> {
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

/// Reusable buffers of the brute-force kernel.
#[derive(Default)]
struct Workspace {
    a_lo: Vec<f64>,
    a_hi: Vec<f64>,
    b: Vec<f64>,
    lw: Vec<f64>,
    w_lo: Vec<f64>,
    w_hi: Vec<f64>,
    t: Vec<f64>,
}

/// The L2 error of an approximate score against the exact score of g̃ at one OU time
/// ([`OwfDistribution::score_error`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScoreError {
    /// OU time t.
    pub t: f64,
    /// VE level σ = √(e^{2t} − 1).
    pub sigma: f64,
    /// Number of Monte-Carlo points.
    pub points: usize,
    /// √E_{p_t}‖ŝ_t − s_t‖² in OU units.
    pub rms_error: f64,
    /// σ·√E_{p_σ}‖ŝ_σ − s_σ‖² (MATH.md §5's scale-free error; compare with ε).
    pub normalised_error: f64,
    /// Monte-Carlo standard error of `normalised_error` (delta method).
    pub normalised_std_error: f64,
    /// The normalised error of the x-part (input coordinates) alone.
    pub normalised_error_x: f64,
    /// The normalised error of the u-part (output coordinates) alone.
    pub normalised_error_u: f64,
    /// σ·√E‖s_σ‖², the normalised size of the exact score itself (≈ √d at large σ).
    pub normalised_exact_norm: f64,
}

fn check_time(t: f64) -> Result<f64> {
    if t > 0.0 && t.is_finite() {
        Ok(t)
    } else {
        Err(Error::TimeNotPositive {
            t,
            why: "g̃ has atoms at t = 0: its density and score exist only for t > 0",
        })
    }
}

impl SampleBatch for OwfDistribution {
    fn dim(&self) -> usize {
        self.input_bits() + self.output_bits()
    }
    /// Exact samples at t = 0 (one counted f-evaluation each).
    fn sample_batch(&self, rng: &mut dyn RngCore, n: usize) -> Array2<f64> {
        self.sample_with_seeds(rng, n).0
    }
}

impl LogDensity for OwfDistribution {
    fn dim(&self) -> usize {
        self.input_bits() + self.output_bits()
    }
    /// log p_t(x) = d·t + log g̃_σ(e^t x) by brute force over the 2^n seeds (MATH.md §5).
    /// Errors: t ≤ 0 (atoms), n above the brute-force limit, shape mismatch.
    fn log_density(&self, t: f64, x: ArrayView2<f64>, mut out: ArrayViewMut1<f64>) -> Result<()> {
        let t = check_time(t)?;
        let d = self.input_bits() + self.output_bits();
        check_rows(d, &x, out.len())?;
        let table = self.seed_table()?;
        let sigma = ou_time_to_ve_sigma(t);
        let halves = HalfLatticeSums::new(&self.inner.params, sigma)?;
        let et = t.exp();
        let mut work = Workspace::default();
        for (b, row) in x.rows().into_iter().enumerate() {
            let y = row.mapv(|v| et * v);
            out[b] =
                d as f64 * t + self.brute_force_point(table, &halves, y.view(), None, &mut work);
        }
        Ok(())
    }
}

fn check_rows(d: usize, x: &ArrayView2<f64>, out_len: usize) -> Result<()> {
    if x.ncols() != d {
        return Err(Error::DimensionMismatch {
            what: "point dimension",
            expected: d,
            got: x.ncols(),
        });
    }
    if out_len != x.nrows() {
        return Err(Error::DimensionMismatch {
            what: "output length",
            expected: x.nrows(),
            got: out_len,
        });
    }
    Ok(())
}

/// The exact score of g̃ by brute force over all 2^n seeds (MATH.md §5 "Exact score"): posterior
/// weights π_s over seeds, then ∂_{x_i} log g̃_σ = Σ_s π_s (log h^{s_i}_σ)′(x_i) and
/// ∇_u log g̃_σ = Σ_s π_s (v(s) − u)/σ², at OU time t through s_t(x) = e^t s_σ(e^t x).
///
/// Cost: the table of f on all seeds once (2^n counted evaluations, shared with the
/// distribution), then O(2^n ⌈m/8⌉) per point. Built by [`OwfDistribution::brute_force_score`].
#[derive(Debug, Clone)]
pub struct BruteForceOwfScore {
    dist: OwfDistribution,
}

impl BruteForceOwfScore {
    /// The distribution.
    pub fn distribution(&self) -> &OwfDistribution {
        &self.dist
    }
}

impl Score for BruteForceOwfScore {
    fn dim(&self) -> usize {
        self.dist.input_bits() + self.dist.output_bits()
    }
    /// Errors: t ≤ 0 (g̃ has atoms), shape mismatch.
    fn score(&self, t: f64, x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) -> Result<()> {
        let t = check_time(t)?;
        check_shapes(self.dim(), &x, &out)?;
        let table = self.dist.seed_table()?;
        let sigma = ou_time_to_ve_sigma(t);
        let halves = HalfLatticeSums::new(&self.dist.inner.params, sigma)?;
        let et = t.exp();
        let mut work = Workspace::default();
        for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
            let y = row.mapv(|v| et * v);
            self.dist
                .brute_force_point(table, &halves, y.view(), Some(o.view_mut()), &mut work);
            o.mapv_inplace(|v| et * v);
        }
        Ok(())
    }
}

/// The efficient score of g̃ (MATH.md §5), at OU time t with VE level σ:
/// - σ ≤ σ_c: round ŝ = 1\[x > 0\], score_x_i = (log h^{ŝ_i}_σ)′(x_i),
///   score_u = (v(ŝ) − u)/σ² — one counted f-evaluation per point;
/// - σ > σ_c: drop the f-part, score_x_i = (log g_σ)′(x_i) with g_σ = h^+ + h^− the smoothed
///   full D_α ([`SmoothedDiscreteGaussian`]), score_u = −u/σ² — no f-evaluation.
///
/// Its normalised error is ≤ ε over the whole time grid under the default rule (measured:
/// [`OwfDistribution::efficient_score_error_table`]). Built by
/// [`OwfDistribution::efficient_score`].
#[derive(Debug, Clone)]
pub struct EfficientOwfScore {
    dist: OwfDistribution,
}

impl EfficientOwfScore {
    /// The distribution.
    pub fn distribution(&self) -> &OwfDistribution {
        &self.dist
    }

    /// Whether OU time t is in the small-noise (rounding) regime σ ≤ σ_c.
    pub fn rounds_at(&self, t: f64) -> bool {
        ou_time_to_ve_sigma(t) <= self.dist.inner.params.crossover
    }
}

impl Score for EfficientOwfScore {
    fn dim(&self) -> usize {
        self.dist.input_bits() + self.dist.output_bits()
    }
    /// Errors: t ≤ 0 (g̃ has atoms), shape mismatch.
    fn score(&self, t: f64, x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) -> Result<()> {
        let t = check_time(t)?;
        check_shapes(self.dim(), &x, &out)?;
        let params = &self.dist.inner.params;
        let (n, m) = (self.dist.input_bits(), self.dist.output_bits());
        let sigma = ou_time_to_ve_sigma(t);
        let sigma2 = sigma * sigma;
        let et = t.exp();
        if sigma <= params.crossover {
            let halves = HalfLatticeSums::new(params, sigma)?;
            let seeds: Vec<Bits> = x
                .rows()
                .into_iter()
                .map(|r| Bits::from_bools(&(0..n).map(|i| r[i] > 0.0).collect::<Vec<_>>()))
                .collect();
            let outputs = self.dist.inner.f.eval_batch(&seeds)?;
            let beta = params.amplitude;
            for ((row, mut o), fy) in x.rows().into_iter().zip(out.rows_mut()).zip(&outputs) {
                for i in 0..n {
                    let y = et * row[i];
                    // ŝ_i = 1[y > 0] = 1[x > 0].
                    o[i] = et * halves.half(y > 0.0, y).1;
                }
                for j in 0..m {
                    let v = if fy.bit(j) { beta } else { -beta };
                    o[n + j] = et * (v - et * row[n + j]) / sigma2;
                }
            }
        } else {
            let g = SmoothedDiscreteGaussian::new(
                params.spacing / 2.0,
                params.spacing,
                params.envelope,
                sigma,
            )?;
            for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
                for i in 0..n {
                    o[i] = et * g.score(et * row[i]);
                }
                for j in 0..m {
                    o[n + j] = -et * et * row[n + j] / sigma2;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::log_sum_exp;

    #[test]
    fn time_sigma_round_trip() {
        for sigma in [1e-4, 0.0651, 1.0, 30.0] {
            let t = ve_sigma_to_ou_time(sigma);
            assert!((ou_time_to_ve_sigma(t) / sigma - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn half_sums_add_up_to_the_smoothed_discrete_gaussian() {
        // h^+ + h^− = g_σ (MATH.md §5), against smoothed.rs's independent lattice-sum code.
        let p = OwfParams::default_rule(4, 4).unwrap();
        for sigma in [0.01, 0.06, 0.3, 1.0, 4.0] {
            let h = HalfLatticeSums::new(&p, sigma).unwrap();
            let g = SmoothedDiscreteGaussian::new(0.25, 0.5, 1.0, sigma).unwrap();
            for x in [-3.0, -0.7, -0.1, 0.0, 0.05, 0.25, 1.3, 4.0] {
                let (lp, dp) = h.plus(x);
                let (lm, dm) = h.minus(x);
                let l = log_sum_exp(&[lp, lm]);
                let gv = g.eval(x);
                assert!(
                    (l - gv.log_density).abs() < 1e-10,
                    "σ={sigma} x={x}: {l} vs {}",
                    gv.log_density
                );
                // (log g)′ = (h^+ (log h^+)′ + h^− (log h^−)′)/g.
                let d = (lp - l).exp() * dp + (lm - l).exp() * dm;
                assert!(
                    (d - gv.score).abs() < 1e-8 * (1.0 + gv.score.abs()),
                    "σ={sigma} x={x}: {d} vs {}",
                    gv.score
                );
            }
        }
    }
}
