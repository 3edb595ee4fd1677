//! Exact ReLU gadgets (docs/math.md §5 "As a ReLU network"), written against a [`ReluGraph`]:
//!
//! | gadget | formula | exact where | neurons |
//! |---|---|---|---|
//! | [`not`] | 1 − a | everywhere (a bit) | 0 |
//! | [`and`] | ReLU(a + b − 1) | a, b ∈ {0,1} (and ∈ \[0,1\] output for a, b ∈ \[0,1\]) | 1 |
//! | [`xor`] | a + b − 2 ReLU(a + b − 1) | a, b ∈ {0,1} | 1 |
//! | [`xor_abs`] | ReLU(a − b) + ReLU(b − a) = \|a − b\| | a, b ∈ {0,1} | 2 |
//! | [`clamp`] | lo + ReLU(x − lo) − ReLU(x − hi) = min(max(x, lo), hi) | all x | 2 |
//! | [`sign_ramp`] | ReLU(x/(2δ) + ½) − ReLU(x/(2δ) − ½) | = 1\[x > 0\] for \|x\| ≥ δ, in \[0,1\] between | 2 |
//! | [`mul_bit`] | ReLU(r + 2Mb − M) − Mb = b·r | b ∈ {0,1}, \|r\| ≤ M | 1 |
//! | [`PiecewiseLinear::to_relu`] | v₀ − s_L ReLU(k₀ − x) + Σᵢ Δsᵢ ReLU(x − kᵢ) | equals the interpolant everywhere | ≤ knots + 1 |
//!
//! On inputs in \[0,1\] (e.g. a sign ramp inside its transition) the gates stay in \[0,1\]: AND, XOR
//! and |a − b| map \[0,1\]² into \[0,1\], so downstream gadgets that assume bounded values stay
//! valid.
//!
//! [`PiecewiseLinear`] interpolates a 1-D function at knots (uniform, with the classical bound
//! h²·max|f''|/8, or adaptive to a tolerance) with constant or linear extension outside the
//! knots; one ReLU per knot where the slope changes.

use crate::error::{count, positive, Error, Result};
use crate::relu_net::{Affine, ReluGraph};
use serde::{Deserialize, Serialize};

/// NOT a = 1 − a (no neuron).
pub fn not(a: &Affine) -> Affine {
    &(-a) + 1.0
}

/// AND a b = ReLU(a + b − 1) (one neuron).
pub fn and(g: &mut ReluGraph, a: &Affine, b: &Affine) -> Affine {
    g.relu(&(&(a + b) + -1.0))
}

/// XOR a b = a + b − 2·ReLU(a + b − 1) (one neuron; docs/math.md §5's form).
pub fn xor(g: &mut ReluGraph, a: &Affine, b: &Affine) -> Affine {
    let s = a + b;
    let n = g.relu(&(&s + -1.0));
    &s - &(&n * 2.0)
}

/// XOR a b = |a − b| = ReLU(a − b) + ReLU(b − a) (two neurons, but the result refers only to
/// neurons of one layer, which saves pass-throughs in deep circuits).
pub fn xor_abs(g: &mut ReluGraph, a: &Affine, b: &Affine) -> Affine {
    let d = a - b;
    let p = g.relu(&d);
    let q = g.relu(&(-&d));
    &p + &q
}

/// clamp(x, lo, hi) = lo + ReLU(x − lo) − ReLU(x − hi), exact for every x; requires lo < hi.
pub fn clamp(g: &mut ReluGraph, x: &Affine, lo: f64, hi: f64) -> Result<Affine> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(Error::Invalid(format!(
            "clamp needs finite lo < hi, got [{lo}, {hi}]"
        )));
    }
    let a = g.relu(&(x + -lo));
    let b = g.relu(&(x + -hi));
    Ok(&(&a - &b) + lo)
}

/// The steep clamped ramp reading the sign of x: equals 1\[x > 0\] exactly for |x| ≥ `delta`,
/// and rises linearly from 0 to 1 on (−δ, δ). Requires δ > 0.
pub fn sign_ramp(g: &mut ReluGraph, x: &Affine, delta: f64) -> Result<Affine> {
    positive("sign ramp half-width delta", delta)?;
    let y = x * (1.0 / (2.0 * delta));
    let a = g.relu(&(&y + 0.5));
    let b = g.relu(&(&y + -0.5));
    Ok(&a - &b)
}

/// b·r for a bit b ∈ {0,1} and |r| ≤ `bound`: ReLU(r + 2Mb − M) − Mb (one neuron).
pub fn mul_bit(g: &mut ReluGraph, b: &Affine, r: &Affine, bound: f64) -> Result<Affine> {
    positive("mul_bit bound", bound)?;
    let n = g.relu(&(&(r + &(b * (2.0 * bound))) + -bound));
    Ok(&n - &(b * bound))
}

/// Piecewise-linear interpolant with knots k₀ < … < k_{n−1}, values vᵢ, and slopes s_L, s_R
/// beyond the end knots (0 for constant extension).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PiecewiseLinear {
    knots: Vec<f64>,
    values: Vec<f64>,
    left_slope: f64,
    right_slope: f64,
    /// Largest |f − interpolant| found by the fitting procedure on its check points (None for
    /// interpolants given directly).
    fit_error: Option<f64>,
}

/// How an interpolant continues beyond its end knots.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Extension {
    /// Constant (the end values).
    Constant,
    /// Continue the end segments' slopes.
    Linear,
    /// Given slopes (left, right).
    Slopes(f64, f64),
}

impl PiecewiseLinear {
    /// An interpolant from knots (strictly increasing, finite, at least one) and values.
    pub fn new(
        knots: Vec<f64>,
        values: Vec<f64>,
        left_slope: f64,
        right_slope: f64,
    ) -> Result<Self> {
        count("number of knots", knots.len())?;
        if knots.len() != values.len() {
            return Err(Error::DimensionMismatch {
                what: "values per knot",
                expected: knots.len(),
                got: values.len(),
            });
        }
        if knots.iter().chain(&values).any(|v| !v.is_finite())
            || !left_slope.is_finite()
            || !right_slope.is_finite()
        {
            return Err(Error::Invalid(
                "knots, values and slopes must be finite".into(),
            ));
        }
        if knots.windows(2).any(|w| w[1] <= w[0]) {
            return Err(Error::Invalid("knots must be strictly increasing".into()));
        }
        Ok(Self {
            knots,
            values,
            left_slope,
            right_slope,
            fit_error: None,
        })
    }

    fn with_extension(knots: Vec<f64>, values: Vec<f64>, ext: Extension) -> Result<Self> {
        let n = knots.len();
        let end_slope = |i: usize| {
            if n < 2 {
                0.0
            } else {
                (values[i + 1] - values[i]) / (knots[i + 1] - knots[i])
            }
        };
        let (l, r) = match ext {
            Extension::Constant => (0.0, 0.0),
            Extension::Linear => (end_slope(0), end_slope(n.saturating_sub(2))),
            Extension::Slopes(l, r) => (l, r),
        };
        Self::new(knots, values, l, r)
    }

    /// Interpolates `f` at `n_knots` ≥ 2 uniform knots on [a, b]. For f ∈ C² the error on
    /// [a, b] is at most h²·max|f''|/8 with h = (b − a)/(n_knots − 1).
    pub fn uniform<F: Fn(f64) -> f64>(
        f: F,
        a: f64,
        b: f64,
        n_knots: usize,
        ext: Extension,
    ) -> Result<Self> {
        check_interval(a, b)?;
        if n_knots < 2 {
            return Err(Error::Invalid(format!("need ≥ 2 knots, got {n_knots}")));
        }
        let knots: Vec<f64> = (0..n_knots)
            .map(|i| a + (b - a) * i as f64 / (n_knots - 1) as f64)
            .collect();
        let values = eval_all(&f, &knots)?;
        Self::with_extension(knots, values, ext)
    }

    /// Interpolates `f` on [a, b] with knots placed adaptively: a segment is bisected while the
    /// interpolation error at its 8 interior check points exceeds `tol` (curvature-adaptive:
    /// straight stretches get few knots, kinks and steep transitions many). Errors if more than
    /// `max_knots` knots would be needed. The largest checked error is kept
    /// ([`PiecewiseLinear::fit_error`]); between check points the true error can exceed it by
    /// at most (seg/9)²·max|f''|/8 on a segment of width seg.
    pub fn adaptive<F: Fn(f64) -> f64>(
        f: F,
        a: f64,
        b: f64,
        tol: f64,
        max_knots: usize,
        ext: Extension,
    ) -> Result<Self> {
        check_interval(a, b)?;
        positive("tol", tol)?;
        let min_width = (b - a) * 1e-12;
        let initial = 8usize;
        let mut knots = vec![a];
        let mut values = vec![checked(&f, a)?];
        let mut worst: f64 = 0.0;
        // Process segments left to right with an explicit stack (right halves pushed first).
        let mut stack: Vec<(f64, f64, f64, f64)> = Vec::new();
        let edges: Vec<f64> = (0..=initial)
            .map(|i| a + (b - a) * i as f64 / initial as f64)
            .collect();
        let edge_vals = eval_all(&f, &edges)?;
        for i in (0..initial).rev() {
            stack.push((edges[i], edges[i + 1], edge_vals[i], edge_vals[i + 1]));
        }
        while let Some((l, r, fl, fr)) = stack.pop() {
            let mut err: f64 = 0.0;
            for j in 1..=8 {
                let x = l + (r - l) * j as f64 / 9.0;
                let lin = fl + (fr - fl) * (x - l) / (r - l);
                err = err.max((checked(&f, x)? - lin).abs());
            }
            if err > tol && r - l > min_width {
                let m = 0.5 * (l + r);
                let fm = checked(&f, m)?;
                stack.push((m, r, fm, fr));
                stack.push((l, m, fl, fm));
            } else {
                worst = worst.max(err);
                knots.push(r);
                values.push(fr);
                if knots.len() > max_knots {
                    return Err(Error::Invalid(format!(
                        "adaptive interpolation on [{a}, {b}] to tolerance {tol} needs more than {max_knots} knots"
                    )));
                }
            }
        }
        let mut p = Self::with_extension(knots, values, ext)?;
        p.fit_error = Some(worst);
        Ok(p)
    }

    /// Joins `left` and `right` (all of `left`'s knots below `right`'s) into one interpolant:
    /// the gap between them is one straight segment, extensions come from each side.
    pub fn join(left: &Self, right: &Self) -> Result<Self> {
        let l_last = *left.knots.last().expect("≥ 1 knot");
        if right.knots[0] <= l_last {
            return Err(Error::Invalid(format!(
                "join needs left knots below right knots, got {l_last} ≥ {}",
                right.knots[0]
            )));
        }
        let knots = left.knots.iter().chain(&right.knots).copied().collect();
        let values = left.values.iter().chain(&right.values).copied().collect();
        let mut p = Self::new(knots, values, left.left_slope, right.right_slope)?;
        p.fit_error = match (left.fit_error, right.fit_error) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        Ok(p)
    }

    /// The knots.
    pub fn knots(&self) -> &[f64] {
        &self.knots
    }
    /// The values at the knots.
    pub fn values(&self) -> &[f64] {
        &self.values
    }
    /// Largest checked error of the fit (adaptive fits only).
    pub fn fit_error(&self) -> Option<f64> {
        self.fit_error
    }

    /// Records the checked error of a fit this interpolant was derived from.
    pub(crate) fn set_fit_error(&mut self, e: Option<f64>) {
        self.fit_error = e;
    }

    fn segment_slope(&self, i: usize) -> f64 {
        let n = self.knots.len();
        if i + 1 >= n {
            self.right_slope
        } else {
            (self.values[i + 1] - self.values[i]) / (self.knots[i + 1] - self.knots[i])
        }
    }

    /// The interpolant at x.
    pub fn eval(&self, x: f64) -> f64 {
        let k = &self.knots;
        if x <= k[0] {
            return self.values[0] + self.left_slope * (x - k[0]);
        }
        // index of the last knot ≤ x
        let i = k.partition_point(|&v| v <= x) - 1;
        self.values[i] + self.segment_slope(i) * (x - k[i])
    }

    /// Number of ReLUs [`PiecewiseLinear::to_relu`] uses.
    pub fn n_relus(&self) -> usize {
        let mut n = usize::from(self.left_slope != 0.0);
        let mut prev = 0.0;
        for i in 0..self.knots.len() {
            let s = self.segment_slope(i);
            if s - prev != 0.0 {
                n += 1;
            }
            prev = s;
        }
        n
    }

    /// The interpolant applied to the form `x`, as ReLU neurons of `g`:
    /// v₀ − s_L·ReLU(k₀ − x) + Σᵢ (sᵢ − sᵢ₋₁)·ReLU(x − kᵢ) with s₋₁ = 0 (exact for every x).
    pub fn to_relu(&self, g: &mut ReluGraph, x: &Affine) -> Affine {
        // One ReLU per slope change; the output form is summed once (Affine::sum_scaled), not
        // folded knot by knot, which was quadratic in the number of knots.
        let start = Affine::constant(self.values[0]);
        let mut parts: Vec<(f64, Affine)> = vec![(1.0, start)];
        if self.left_slope != 0.0 {
            let n = g.relu(&(&(-x) + self.knots[0]));
            parts.push((-self.left_slope, n));
        }
        let mut prev = 0.0;
        for i in 0..self.knots.len() {
            let s = self.segment_slope(i);
            let delta = s - prev;
            if delta != 0.0 {
                let n = g.relu(&(x + -self.knots[i]));
                parts.push((delta, n));
            }
            prev = s;
        }
        Affine::sum_scaled(parts.iter().map(|(c, form)| (*c, form)))
    }

    /// max |f − interpolant| over `n_points` uniform points of [a, b] (an independent check).
    pub fn max_error_against<F: Fn(f64) -> f64>(
        &self,
        f: F,
        a: f64,
        b: f64,
        n_points: usize,
    ) -> f64 {
        (0..n_points)
            .map(|i| {
                let x = a + (b - a) * i as f64 / (n_points.max(2) - 1) as f64;
                (f(x) - self.eval(x)).abs()
            })
            .fold(0.0, f64::max)
    }
}

fn check_interval(a: f64, b: f64) -> Result<()> {
    if a.is_finite() && b.is_finite() && a < b {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "need a finite interval a < b, got [{a}, {b}]"
        )))
    }
}

fn checked<F: Fn(f64) -> f64>(f: &F, x: f64) -> Result<f64> {
    let v = f(x);
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Error::Invalid(format!(
            "function is not finite at x = {x}: {v}"
        )))
    }
}

fn eval_all<F: Fn(f64) -> f64>(f: &F, xs: &[f64]) -> Result<Vec<f64>> {
    xs.iter().map(|&x| checked(f, x)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn eval1(g: &ReluGraph, out: &Affine, x: f64) -> f64 {
        let net = g.compile(std::slice::from_ref(out)).unwrap();
        net.eval_owned(Array2::from_elem((1, 1), x).view()).unwrap()[[0, 0]]
    }

    #[test]
    fn boolean_gates_are_exact_on_bits() {
        let mut g = ReluGraph::with_nonnegative_inputs(2);
        let (a, b) = (g.input(0).unwrap(), g.input(1).unwrap());
        let outs = vec![
            not(&a),
            and(&mut g, &a, &b),
            xor(&mut g, &a, &b),
            xor_abs(&mut g, &a, &b),
        ];
        let net = g.compile(&outs).unwrap();
        for bits in 0..4u32 {
            let (x, y) = (bits & 1, bits >> 1);
            let o = net
                .eval_owned(
                    Array2::from_shape_vec((1, 2), vec![x as f64, y as f64])
                        .unwrap()
                        .view(),
                )
                .unwrap();
            let truth = [1 - x, x & y, x ^ y, x ^ y];
            for k in 0..4 {
                assert_eq!(o[[0, k]], truth[k] as f64, "gate {k} on ({x}, {y})");
            }
        }
    }

    #[test]
    fn clamp_ramp_and_mul_bit() {
        let mut g = ReluGraph::new(1);
        let x = g.input(0).unwrap();
        let c = clamp(&mut g, &x, -0.5, 2.0).unwrap();
        let delta = 1e-3;
        let r = sign_ramp(&mut g, &x, delta).unwrap();
        for i in 0..=400 {
            let v = -5.0 + 0.025 * i as f64;
            assert!((eval1(&g, &c, v) - v.clamp(-0.5, 2.0)).abs() < 1e-15);
            let ramp = eval1(&g, &r, v);
            if v.abs() >= delta {
                assert_eq!(ramp, if v > 0.0 { 1.0 } else { 0.0 }, "ramp at {v}");
            }
        }
        assert!((eval1(&g, &r, 0.0) - 0.5).abs() < 1e-15);
        assert!((eval1(&g, &r, 0.5e-3) - 0.75).abs() < 1e-12);
        let mut g = ReluGraph::new(2);
        let (b, rr) = (g.input(0).unwrap(), g.input(1).unwrap());
        let m = mul_bit(&mut g, &b, &rr, 3.0).unwrap();
        let net = g.compile(&[m]).unwrap();
        for bit in [0.0, 1.0] {
            for r in [-3.0, -1.2, 0.0, 2.5, 3.0] {
                let o = net
                    .eval_owned(Array2::from_shape_vec((1, 2), vec![bit, r]).unwrap().view())
                    .unwrap();
                assert!((o[[0, 0]] - bit * r).abs() < 1e-15, "{bit}·{r}");
            }
        }
    }

    #[test]
    fn uniform_interpolation_meets_the_second_derivative_bound() {
        // sin on [0, π], |f''| ≤ 1: error ≤ h²/8.
        for n in [5, 17, 65] {
            let p = PiecewiseLinear::uniform(
                f64::sin,
                0.0,
                std::f64::consts::PI,
                n,
                Extension::Constant,
            )
            .unwrap();
            let h = std::f64::consts::PI / (n - 1) as f64;
            let err = p.max_error_against(f64::sin, 0.0, std::f64::consts::PI, 20_001);
            assert!(
                err <= h * h / 8.0 * (1.0 + 1e-9),
                "n = {n}: {err} > {}",
                h * h / 8.0
            );
            // Closed form: on a segment [a, b] with slope s = (sin b − sin a)/h the error
            // sin x − (sin a + s(x − a)) peaks where cos x = s, i.e. at x* = arccos s.
            let exact = (0..n - 1)
                .map(|i| {
                    let a = i as f64 * h;
                    let s = (((i + 1) as f64 * h).sin() - a.sin()) / h;
                    let x = s.acos();
                    x.sin() - (a.sin() + s * (x - a))
                })
                .fold(0.0, f64::max);
            assert!(
                (err - exact).abs() < 1e-7,
                "n = {n}: grid {err} vs closed form {exact}"
            );
        }
    }

    #[test]
    fn adaptive_interpolation_meets_its_tolerance_with_fewer_knots() {
        // A steep transition: f = tanh(50 x) on [−1, 1]; |f''| ≤ 50²·0.77.
        let f = |x: f64| (50.0 * x).tanh();
        for tol in [1e-2, 1e-3, 1e-4] {
            let p =
                PiecewiseLinear::adaptive(f, -1.0, 1.0, tol, 100_000, Extension::Constant).unwrap();
            // Independent check on a grid 50× denser than the finest segment's check points.
            let err = p.max_error_against(f, -1.0, 1.0, 400_001);
            assert!(err <= 1.05 * tol, "tol {tol}: dense-grid error {err}");
            assert!(p.fit_error().unwrap() <= tol);
            // Uniform knots would need h = √(8 tol / max|f''|): compare counts.
            let uniform = (2.0 / (8.0 * tol / (2500.0 * 0.7698)).sqrt()).ceil() as usize + 1;
            assert!(
                p.knots().len() < uniform,
                "{} adaptive vs {uniform} uniform",
                p.knots().len()
            );
        }
        assert!(PiecewiseLinear::adaptive(f, -1.0, 1.0, 1e-6, 50, Extension::Constant).is_err());
    }

    #[test]
    fn relu_form_of_an_interpolant_is_exact_everywhere() {
        let f = |x: f64| (3.0 * x).sin() + 0.3 * x;
        for ext in [
            Extension::Constant,
            Extension::Linear,
            Extension::Slopes(-2.0, 0.5),
        ] {
            let p = PiecewiseLinear::adaptive(f, -2.0, 1.5, 1e-3, 10_000, ext).unwrap();
            let mut g = ReluGraph::new(1);
            let x = g.input(0).unwrap();
            let o = p.to_relu(&mut g, &x);
            let net = g.compile(&[o]).unwrap();
            assert_eq!(net.size().neurons, p.n_relus());
            assert!(p.n_relus() <= p.knots().len() + 1);
            let xs = Array2::from_shape_fn((2001, 1), |(i, _)| -4.0 + 7.0 * i as f64 / 2000.0);
            let ys = net.eval_owned(xs.view()).unwrap();
            for i in 0..2001 {
                let v = xs[[i, 0]];
                assert!((ys[[i, 0]] - p.eval(v)).abs() < 1e-12, "{ext:?} at {v}");
            }
        }
        // Joining two fits across a jump: the gap is one straight segment.
        let l = PiecewiseLinear::uniform(|x| x, -1.0, -0.1, 3, Extension::Constant).unwrap();
        let r = PiecewiseLinear::uniform(|x| x + 5.0, 0.1, 1.0, 3, Extension::Constant).unwrap();
        let j = PiecewiseLinear::join(&l, &r).unwrap();
        assert!((j.eval(0.0) - 2.5).abs() < 1e-12);
        assert!((j.eval(-3.0) + 1.0).abs() < 1e-15 && (j.eval(3.0) - 6.0).abs() < 1e-15);
    }
}
