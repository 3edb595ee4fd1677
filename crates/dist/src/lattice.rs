//! The Gaussian function ρ_s and Gaussian sums over a shifted lattice `c + hZ` (docs/math.md §1).
//!
//! This module exists so that the lattice sum lives in **one** place: the discrete Gaussian's
//! normaliser, the smoothed discrete Gaussian, the periodic Gaussian and the Gaussian pancakes
//! (docs/math.md §2) all call [`LatticeSum`]. It is computed in log space, either by the direct sum
//! or by its Poisson-dual (theta) form, whichever converges faster.
//!
//! # The two forms and when each is used
//! For spacing h > 0, offset c and variance v, with relative width s = √v/h and reduced
//! position y = (x − c)/h − round((x − c)/h) ∈ [−½, ½]:
//! - **direct**: S(x) = Σ_{j∈Z} exp(−(y − j)²/(2s²)); needs O(s) terms;
//! - **dual** (Poisson summation, exact): S(x) = √(2π)·s·Θ(y),
//!   Θ(y) = 1 + 2 Σ_{j≥1} exp(−2π²s²j²) cos(2πjy); needs O(1/s) terms.
//!
//! The successive-term decay rates are e^{−1/(2s²)} and e^{−2π²s²}; they are equal at
//! s = 1/√(2π), so [`LatticeSumForm::Auto`] uses the direct form for s < 1/√(2π) and the dual
//! form otherwise (for the pancakes of docs/math.md §2 this is exactly the rule "direct iff b < 1").
//! In the auto regime both forms need at most 9 (direct) or 4 (dual) terms.
//!
//! # Truncation error (stated and certified; see [`LatticeSum::truncation_bound`])
//! With E = [`TRUNCATION_EXPONENT`] = 40:
//! - direct: every term smaller than e^{−E} times the largest is dropped; the dropped terms
//!   decay geometrically, so the **relative** error of S is at most
//!   2e^{−E}/(1 − e^{−√(2E)/s}) (≤ 1.0e−17 for s < 1/√(2π); ≈ 9.5e−19·s for large s);
//! - dual: terms j with 2π²s²j² > E are dropped; the **absolute** error of Θ is at most
//!   2e^{−E}/(1 − e^{−2√(2π²s²E)}). In the auto regime Θ ≥ 1 − 2Σ_{j≥1} e^{−πj²} > 0.91, so
//!   this is also a relative bound (≤ 1.0e−17). Where the dual form is forced at small s, Θ may
//!   be exponentially small (pure cancellation): its logarithm is then inaccurate, −∞ or NaN.
//!   Only [`LatticeSumForm::Auto`] is guaranteed well conditioned everywhere.
//!
//! Floating-point summation is compensated (Neumaier), so the forced direct form stays
//! accurate even with ~10⁴ terms.

use crate::error::{finite, positive, Error, Result};
use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

/// Terms below e^{−40} of the largest are dropped (docs/math.md §1; bound in the module docs).
pub const TRUNCATION_EXPONENT: f64 = 40.0;

/// The relative width s = √v/h at which the direct and dual forms converge equally fast,
/// 1/√(2π): [`LatticeSumForm::Auto`] uses the direct form below it and the dual form from it on.
pub const FORM_SWITCH_RELATIVE_WIDTH: f64 = 0.398_942_280_401_432_7;

/// The Gaussian function ρ_s(x) = exp(−π x²/s²) (docs/math.md §0), the un-normalised density of
/// N(0, s²/(2π)).
pub fn gaussian_function(x: f64, s: f64) -> f64 {
    log_gaussian_function(x, s).exp()
}

/// log ρ_s(x) = −π x²/s² (docs/math.md §0).
pub fn log_gaussian_function(x: f64, s: f64) -> f64 {
    -PI * (x / s) * (x / s)
}

/// Which form of a lattice sum to evaluate (docs/math.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LatticeSumForm {
    /// Whichever converges faster: direct if s = √v/h < 1/√(2π), dual otherwise.
    #[default]
    Auto,
    /// The direct sum Σ_k exp(−(x − c − hk)²/(2v)) (positive terms; always accurate, O(s) terms).
    Direct,
    /// The Poisson-dual (theta) form (O(1/s) terms; cancels when s is small).
    Dual,
}

impl fmt::Display for LatticeSumForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::Direct => "direct",
            Self::Dual => "dual",
        })
    }
}

impl FromStr for LatticeSumForm {
    type Err = Error;
    /// Parses `auto`, `direct` or `dual` (as written by `Display`).
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(Self::Auto),
            "direct" => Ok(Self::Direct),
            "dual" => Ok(Self::Dual),
            other => Err(Error::Invalid(format!(
                "lattice-sum form must be auto, direct or dual, got {other:?}"
            ))),
        }
    }
}

/// log S(x) and its first two derivatives in x (docs/math.md §1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatticeSumValue {
    /// log S(x).
    pub log_sum: f64,
    /// log S(x) + d²/(2v), d the distance from x to the nearest lattice point: log S relative
    /// to its largest term. It is O(log(1 + s)) even where log S itself is huge and negative
    /// (s ≪ 1), so differences such as log P(k) = log weight − log S keep full precision.
    pub log_sum_over_nearest: f64,
    /// d/dx log S(x) = −E_π[(x − c − hk)]/v (posterior-weighted, docs/math.md §1).
    pub d_log_sum: f64,
    /// d²/dx² log S(x) = Var_π(x − c − hk)/v² − 1/v.
    pub d2_log_sum: f64,
}

/// The lattice Gaussian sum S(x) = Σ_{k∈Z} exp(−(x − c − hk)²/(2v)) over the coset c + hZ
/// (docs/math.md §1), evaluated in log space by the direct or the Poisson-dual form.
///
/// Covers `c + Z` (h = 1) and `(1/γ)Z` (c = 0, h = 1/γ). The normaliser of the discrete
/// Gaussian D_{c+hZ,v} is `S(0)`; sums of ρ_s use v = s²/(2π)
/// ([`LatticeSum::for_gaussian_function`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatticeSum {
    offset: f64,
    spacing: f64,
    variance: f64,
    rel_std: f64,
    /// 2e^{−2π²s²j²} for j = 1..=8 (index j), precomputed for the short dual sums.
    dual_weights: [f64; 9],
    /// Number of dual terms J (all j with 2π²s²j² ≤ E).
    dual_terms: i64,
    /// e^{−1/s²}: the ratio of successive exponent steps of the direct sum.
    direct_ratio: f64,
    /// 1/(2s²), the direct exponent's scale (precomputed for the hot paths).
    inv_2s2: f64,
    /// 1/(h s²): d/dx log S = −(y − E j)/(h s²) in the direct form (precomputed).
    direct_slope: f64,
    /// 2π/h: d/dx log S = (2π/h)·Θ′/Θ in the dual form (precomputed).
    dual_slope: f64,
    /// J = ⌊½ + √(¼ + 2s²E)⌋: the largest |j| the direct form's truncation rule keeps for any
    /// y ∈ [−½, ½] (the hot paths sum the fixed range −J..=J, a superset of the rule's range).
    direct_terms: i64,
}

/// Dual sums with at most this many terms use the precomputed weights and a rotation.
const SHORT_DUAL: i64 = 8;
/// The hot paths ([`LatticeSum::d_log_sum_fast`], [`LatticeSum::log_sum_fast`]) take the direct
/// form's recurrence when J ≤ this (the auto regime has J ≤ 4).
const FAST_DIRECT: i64 = 16;
/// 1.5·2⁵²: adding and subtracting it rounds |u| < 2⁵¹ to the nearest integer (ties to even)
/// without a libm call.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
/// Direct sums with at most this many terms use the exponential recurrence.
const SHORT_DIRECT: i64 = 32;

impl LatticeSum {
    /// The sum over `offset + spacing·Z` of Gaussians of variance `variance`.
    ///
    /// Errors: non-finite offset, or spacing/variance not finite and > 0, or a relative width
    /// √v/h outside [1e−8, 1e8] (beyond it the forced forms would need > 10⁹ terms).
    pub fn new(offset: f64, spacing: f64, variance: f64) -> Result<Self> {
        let offset = finite("offset", offset)?;
        let spacing = positive("spacing", spacing)?;
        let variance = positive("variance", variance)?;
        let rel_std = variance.sqrt() / spacing;
        if !(1e-8..=1e8).contains(&rel_std) {
            return Err(Error::OutOfRange {
                name: "sqrt(variance)/spacing",
                value: rel_std,
                range: "[1e-8, 1e8]",
            });
        }
        let kappa = 2.0 * PI * PI * rel_std * rel_std;
        let dual_terms = (TRUNCATION_EXPONENT / kappa).sqrt().floor() as i64;
        let mut dual_weights = [0.0; 9];
        for (j, w) in dual_weights.iter_mut().enumerate().skip(1) {
            *w = 2.0 * (-kappa * (j * j) as f64).exp();
        }
        Ok(Self {
            offset,
            spacing,
            variance,
            rel_std,
            dual_weights,
            dual_terms,
            direct_ratio: (-1.0 / (rel_std * rel_std)).exp(),
            inv_2s2: 0.5 / (rel_std * rel_std),
            direct_slope: 1.0 / (spacing * rel_std * rel_std),
            dual_slope: 2.0 * PI / spacing,
            direct_terms: (0.5 + (0.25 + 2.0 * rel_std * rel_std * TRUNCATION_EXPONENT).sqrt())
                .floor() as i64,
        })
    }

    /// The sum Σ_{y ∈ c + hZ} ρ_s(x − y) of the Gaussian function ρ_s (docs/math.md §0), i.e.
    /// variance v = s²/(2π). `ρ_s(c + hZ)` is its value at x = 0.
    pub fn for_gaussian_function(offset: f64, spacing: f64, s: f64) -> Result<Self> {
        let s = positive("s", s)?;
        Self::new(offset, spacing, s * s / (2.0 * PI))
    }

    /// The offset c.
    pub fn offset(&self) -> f64 {
        self.offset
    }
    /// The spacing h.
    pub fn spacing(&self) -> f64 {
        self.spacing
    }
    /// The variance v.
    pub fn variance(&self) -> f64 {
        self.variance
    }
    /// The relative width s = √v/h that decides the form.
    pub fn relative_width(&self) -> f64 {
        self.rel_std
    }

    /// The form [`LatticeSumForm::Auto`] resolves to: `Direct` if s < 1/√(2π), else `Dual`.
    /// Forced forms resolve to themselves.
    pub fn resolve(&self, form: LatticeSumForm) -> LatticeSumForm {
        match form {
            LatticeSumForm::Auto if self.rel_std < FORM_SWITCH_RELATIVE_WIDTH => {
                LatticeSumForm::Direct
            }
            LatticeSumForm::Auto => LatticeSumForm::Dual,
            forced => forced,
        }
    }

    /// The certified truncation bound of `form` (module docs): a relative bound on S for the
    /// direct form, an absolute bound on Θ = S/(√(2π)s) for the dual form.
    pub fn truncation_bound(&self, form: LatticeSumForm) -> f64 {
        let e = TRUNCATION_EXPONENT;
        let s = self.rel_std;
        match self.resolve(form) {
            LatticeSumForm::Direct => 2.0 * (-e).exp() / -(-(2.0 * e).sqrt() / s).exp_m1(),
            _ => {
                let kappa = 2.0 * PI * PI * s * s;
                2.0 * (-e).exp() / -(-2.0 * (kappa * e).sqrt()).exp_m1()
            }
        }
    }

    /// log S(x), by the faster form.
    pub fn log_sum(&self, x: f64) -> f64 {
        self.eval_with(x, LatticeSumForm::Auto).log_sum
    }

    /// log S(x) by the given form.
    pub fn log_sum_with(&self, x: f64, form: LatticeSumForm) -> f64 {
        self.eval_with(x, form).log_sum
    }

    /// log S(x) and its first two derivatives, by the faster form.
    pub fn eval(&self, x: f64) -> LatticeSumValue {
        self.eval_with(x, LatticeSumForm::Auto)
    }

    /// log S(x) and its first two derivatives, by the given form.
    pub fn eval_with(&self, x: f64, form: LatticeSumForm) -> LatticeSumValue {
        let (y, sums) = self.sums(x, form);
        let value = sums.finish(self, y);
        let log_sum = match sums.form {
            LatticeSumForm::Direct => -0.5 * (y / self.rel_std) * (y / self.rel_std) + sums.s0.ln(),
            _ => (2.0 * PI).sqrt().ln() + self.rel_std.ln() + sums.s0.ln(),
        };
        LatticeSumValue {
            log_sum,
            log_sum_over_nearest: match sums.form {
                LatticeSumForm::Direct => sums.s0.ln(),
                _ => log_sum + 0.5 * (y / self.rel_std) * (y / self.rel_std),
            },
            d_log_sum: value.0,
            d2_log_sum: value.1,
        }
    }

    /// (d/dx log S(x), d²/dx² log S(x)) by the given form, without computing log S (the hot
    /// path of scores).
    pub fn derivatives_with(&self, x: f64, form: LatticeSumForm) -> (f64, f64) {
        let (y, sums) = self.sums(x, form);
        sums.finish(self, y)
    }

    /// d/dx log S(x) by the given form: the hot path of batch scores (docs/math.md §1).
    ///
    /// Same sums as [`Self::derivatives_with`] but only the two that the first derivative needs,
    /// plain (not compensated) summation, and, in the short regimes (direct with J ≤ 16 terms
    /// a side, dual with ≤ 8 terms), **one** exponential (direct) or one sin/cos (dual) per
    /// point: the direct terms w_j = e^{−j(j − 2y)/(2s²)} follow w_{±(j+1)} = w_{±j}·q_±·r^j
    /// with r = e^{−1/s²} precomputed, q_+ = e^{−(1−2y)/(2s²)} and q_− = r/q_+. The direct sum
    /// runs over the fixed range |j| ≤ J, a superset of the truncation rule's range, so the
    /// truncation bound of the module docs still holds. Agrees with [`Self::derivatives_with`]
    /// to rounding (a few ulps of the sums); elsewhere it falls back to it.
    #[inline]
    pub(crate) fn d_log_sum_fast(&self, x: f64, form: LatticeSumForm) -> f64 {
        let y = self.reduce(x);
        match self.fast_form(form) {
            Some(LatticeSumForm::Direct) => {
                let (s0, s1) = self.direct_fast(y);
                -(y - s1 / s0) * self.direct_slope
            }
            Some(_) => {
                let (t0, t1) = self.dual_fast(y);
                self.dual_slope * (t1 / t0)
            }
            None => self.derivatives_with(x, form).0,
        }
    }

    /// log S(x) by the given form: the hot path of batch log-densities. Same scheme as
    /// [`Self::d_log_sum_fast`] (one exponential and one logarithm per point in the short
    /// regimes); agrees with [`Self::log_sum_with`] to rounding.
    #[inline]
    pub(crate) fn log_sum_fast(&self, x: f64, form: LatticeSumForm) -> f64 {
        let y = self.reduce(x);
        match self.fast_form(form) {
            Some(LatticeSumForm::Direct) => {
                let (s0, _) = self.direct_fast(y);
                let r = y / self.rel_std;
                -0.5 * r * r + s0.ln()
            }
            Some(_) => {
                let (t0, _) = self.dual_fast(y);
                (2.0 * PI).sqrt().ln() + self.rel_std.ln() + t0.ln()
            }
            None => self.log_sum_with(x, form),
        }
    }

    /// The reduced position y = u − round(u) ∈ [−½, ½], u = (x − c)/h, without a libm call
    /// where |u| < 2⁵¹ (beyond, u is an integer to double precision and y = 0).
    #[inline]
    fn reduce(&self, x: f64) -> f64 {
        // Divided, not multiplied by 1/h: the same u as `sums`, so that both paths reduce to
        // the same y (g is steep between lattice points when s is small).
        let u = (x - self.offset) / self.spacing;
        if u.abs() < 2_251_799_813_685_248.0 {
            u - ((u + ROUND_MAGIC) - ROUND_MAGIC)
        } else {
            u - u.round()
        }
    }

    /// The resolved form when a short fast path exists for it, `None` otherwise.
    #[inline]
    fn fast_form(&self, form: LatticeSumForm) -> Option<LatticeSumForm> {
        match self.resolve(form) {
            LatticeSumForm::Direct if self.direct_terms <= FAST_DIRECT => {
                Some(LatticeSumForm::Direct)
            }
            LatticeSumForm::Dual if self.dual_terms <= SHORT_DUAL => Some(LatticeSumForm::Dual),
            _ => None,
        }
    }

    /// Σ_{|j|≤J} w_j and Σ_{|j|≤J} j·w_j, w_j = e^{−j(j − 2y)/(2s²)}, by the recurrence of
    /// [`Self::d_log_sum_fast`]. All factors are ≤ 1 (no overflow). When r = e^{−1/s²} is below
    /// the normal range (s < 0.038), q_− gets its own exponential instead of r/q_+.
    #[inline]
    fn direct_fast(&self, y: f64) -> (f64, f64) {
        let inv_2s2 = self.inv_2s2;
        let r = self.direct_ratio;
        let q_plus = (-(1.0 - 2.0 * y) * inv_2s2).exp();
        let q_minus = if r >= f64::MIN_POSITIVE {
            r / q_plus
        } else {
            (-(1.0 + 2.0 * y) * inv_2s2).exp()
        };
        let (mut s0, mut s1) = (1.0, 0.0);
        let (mut wp, mut sp, mut wm, mut sm) = (1.0, q_plus, 1.0, q_minus);
        for j in 1..=self.direct_terms {
            wp *= sp;
            sp *= r;
            wm *= sm;
            sm *= r;
            let jf = j as f64;
            s0 += wp + wm;
            s1 += jf * (wp - wm);
        }
        (s0, s1)
    }

    /// Θ(y) and dΘ/dθ at θ = 2πy over the precomputed dual weights (J ≤ 8), (cos, sin)(jθ)
    /// by rotation.
    #[inline]
    fn dual_fast(&self, y: f64) -> (f64, f64) {
        let (sin1, cos1) = (2.0 * PI * y).sin_cos();
        let (mut sj, mut cj) = (0.0_f64, 1.0_f64);
        let (mut t0, mut t1) = (1.0, 0.0);
        for j in 1..=self.dual_terms {
            let c = cj * cos1 - sj * sin1;
            sj = sj * cos1 + cj * sin1;
            cj = c;
            let q = self.dual_weights[j as usize];
            t0 += q * cj;
            t1 -= q * (j as f64) * sj;
        }
        (t0, t1)
    }

    /// The reduced position y and the three sums of the chosen form.
    #[inline]
    fn sums(&self, x: f64, form: LatticeSumForm) -> (f64, Sums) {
        let u = (x - self.offset) / self.spacing;
        let y = u - u.round();
        let sums = match self.resolve(form) {
            LatticeSumForm::Direct => self.direct(y),
            _ => self.dual(y),
        };
        (y, sums)
    }

    /// Direct form in the reduced variable y ∈ [−½, ½]: terms j with
    /// (y − j)² ≤ y² + 2s²E, i.e. within e^{−E} of the largest term (j = 0). Returns the
    /// sums Σw, Σw·j, Σw·j² with w_j = e^{−j(j − 2y)/(2s²)} (the terms relative to j = 0).
    fn direct(&self, y: f64) -> Sums {
        let s2 = self.rel_std * self.rel_std;
        let radius = (y * y + 2.0 * s2 * TRUNCATION_EXPONENT).sqrt();
        let lo = (y - radius).ceil() as i64;
        let hi = (y + radius).floor() as i64;
        let inv_2s2 = 0.5 / s2;
        // Moments of the integer j under the posterior weights, relative to the j = 0 term:
        // the exponent −j(j − 2y)/(2s²) = −((y−j)² − y²)/(2s²) has no cancellation, and
        // centring on j (not on y − j) keeps the variance free of cancellation when the
        // weight sits on one point.
        let (mut s0, mut s1, mut s2m) = (
            Neumaier::default(),
            Neumaier::default(),
            Neumaier::default(),
        );
        if hi - lo < SHORT_DIRECT {
            // Few terms: w_j/w_{j−1} = e^{−(2j − 1 − 2y)/(2s²)}, and successive ratios differ
            // by e^{−1/s²}, so two exponentials give every term (all ratios ≤ 1: no overflow;
            // rounding grows by ~2 ulps a term).
            s0.add(1.0);
            let (mut w, mut step) = (1.0, (-(1.0 - 2.0 * y) * inv_2s2).exp());
            for j in 1..=hi {
                w *= step;
                step *= self.direct_ratio;
                let jf = j as f64;
                s0.add(w);
                s1.add(w * jf);
                s2m.add(w * jf * jf);
            }
            let (mut w, mut step) = (1.0, (-(1.0 + 2.0 * y) * inv_2s2).exp());
            for j in (lo..=-1).rev() {
                w *= step;
                step *= self.direct_ratio;
                let jf = j as f64;
                s0.add(w);
                s1.add(w * jf);
                s2m.add(w * jf * jf);
            }
        } else {
            for j in lo..=hi {
                let jf = j as f64;
                let w = (-jf * (jf - 2.0 * y) * inv_2s2).exp();
                s0.add(w);
                s1.add(w * jf);
                s2m.add(w * jf * jf);
            }
        }
        Sums {
            form: LatticeSumForm::Direct,
            s0: s0.value(),
            s1: s1.value(),
            s2: s2m.value(),
        }
    }

    /// Dual (theta) form: S = √(2π) s Θ(y), Θ(y) = 1 + 2Σ_{j≥1} e^{−2π²s²j²} cos(2πjy).
    /// Returns Θ, dΘ/dθ and d²Θ/dθ² at θ = 2πy.
    fn dual(&self, y: f64) -> Sums {
        let jmax = self.dual_terms;
        let theta = 2.0 * PI * y;
        let (mut t0, mut t1, mut t2) = (
            Neumaier::default(),
            Neumaier::default(),
            Neumaier::default(),
        );
        t0.add(1.0);
        if jmax <= SHORT_DUAL {
            // A handful of terms: precomputed weights, (cos, sin)(jθ) by rotation.
            let (sin1, cos1) = theta.sin_cos();
            let (mut sj, mut cj) = (0.0_f64, 1.0_f64);
            for j in 1..=jmax {
                let c = cj * cos1 - sj * sin1;
                sj = sj * cos1 + cj * sin1;
                cj = c;
                let q = self.dual_weights[j as usize];
                let jf = j as f64;
                t0.add(q * cj);
                t1.add(-q * jf * sj);
                t2.add(-q * jf * jf * cj);
            }
        } else {
            // Many terms (forced dual at small s): each evaluated directly so that rounding
            // does not grow with j.
            let kappa = 2.0 * PI * PI * self.rel_std * self.rel_std;
            for j in 1..=jmax {
                let jf = j as f64;
                let (sj, cj) = (jf * theta).sin_cos();
                let q = 2.0 * (-kappa * jf * jf).exp();
                t0.add(q * cj);
                t1.add(-q * jf * sj);
                t2.add(-q * jf * jf * cj);
            }
        }
        Sums {
            form: LatticeSumForm::Dual,
            s0: t0.value(),
            s1: t1.value(),
            s2: t2.value(),
        }
    }
}

/// The three sums of one form at one point (see [`LatticeSum::direct`] and
/// [`LatticeSum::dual`]).
#[derive(Debug, Clone, Copy)]
struct Sums {
    form: LatticeSumForm,
    s0: f64,
    s1: f64,
    s2: f64,
}

impl Sums {
    /// (d/dx log S, d²/dx² log S) from the sums.
    #[inline]
    fn finish(&self, sum: &LatticeSum, y: f64) -> (f64, f64) {
        let h = sum.spacing;
        match self.form {
            LatticeSumForm::Direct => {
                let s2 = sum.rel_std * sum.rel_std;
                let mean_j = self.s1 / self.s0;
                let var_j = (self.s2 / self.s0 - mean_j * mean_j).max(0.0);
                // d/dx of −(x − c − hk)²/(2v) is −(y − j)/(h s²).
                (-(y - mean_j) / (h * s2), (var_j / s2 - 1.0) / (h * h * s2))
            }
            _ => {
                // Θ as a function of x: dθ/dx = 2π/h.
                let k = 2.0 * PI / h;
                let r1 = self.s1 / self.s0;
                (k * r1, k * k * (self.s2 / self.s0 - r1 * r1))
            }
        }
    }
}

/// Neumaier's compensated summation (the sums here may have ~10⁴ terms).
#[derive(Debug, Default, Clone, Copy)]
struct Neumaier {
    sum: f64,
    compensation: f64,
}

impl Neumaier {
    #[inline]
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }
    #[inline]
    fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_constant_is_one_over_sqrt_two_pi() {
        assert!((FORM_SWITCH_RELATIVE_WIDTH - 1.0 / (2.0 * PI).sqrt()).abs() < 1e-16);
    }

    #[test]
    fn hot_paths_match_the_compensated_sums() {
        // The one-exponential recurrence (and the r/q₊ shortcut, and its own-exponential
        // fallback at s < 0.038) against the compensated per-term sums, in every regime the
        // hot paths take and the ones they hand back, at y = ±½ exactly, near 0 and far out.
        let xs = [
            0.0,
            0.5,
            -0.5,
            0.25,
            -0.3,
            1e-9,
            0.49999999,
            3.7,
            -12.25,
            1e6 + 0.5,
            1e17,
            -1e300,
        ];
        for s in [
            0.01, 0.03, 0.05, 0.1, 0.2578, 0.3, 0.398, 0.4, 0.7, 1.5, 4.0, 20.0,
        ] {
            let l = LatticeSum::new(0.2, 1.3, (1.3 * s) * (1.3 * s)).unwrap();
            for form in [
                LatticeSumForm::Auto,
                LatticeSumForm::Direct,
                LatticeSumForm::Dual,
            ] {
                // The forced dual form cancels at small s (module docs): skip it there.
                if form == LatticeSumForm::Dual && s < 0.15 {
                    continue;
                }
                for x in xs {
                    let x = 0.2 + 1.3 * x;
                    let (d1, _) = l.derivatives_with(x, form);
                    let fast = l.d_log_sum_fast(x, form);
                    // Scale of d/dx log S: |y − E j|/(h s²) ≤ (1 + J)/(h s²).
                    let scale = (2.0 + 2.0 * l.direct_terms as f64) / (1.3 * s * s);
                    assert!(
                        (fast - d1).abs() <= 1e-13 * scale,
                        "s {s} {form} x {x}: {fast} vs {d1}"
                    );
                    let ls = l.log_sum_with(x, form);
                    let fast = l.log_sum_fast(x, form);
                    assert!(
                        (fast - ls).abs() <= 1e-13 * (1.0 + ls.abs()),
                        "log S, s {s} {form} x {x}: {fast} vs {ls}"
                    );
                }
            }
        }
    }

    #[test]
    fn auto_regime_truncation_bounds_are_below_1e_17() {
        // Worst cases of the bounds in the module docs sit at the switch point.
        for s in [1e-3, 0.1, 0.398, 0.399, 1.0, 1e3] {
            let l = LatticeSum::new(0.0, 1.0, s * s).unwrap();
            assert!(
                l.truncation_bound(LatticeSumForm::Auto) < 1.1e-17,
                "s = {s}"
            );
        }
    }
}
