//! Small numerical kernels shared by every distribution: log-sum-exp and adaptive quadrature.
//!
//! Special functions (erf, Φ, incomplete gamma) come from `statrs`; this module holds only what
//! no dependency offers in the shape hardiff needs.

/// log Σ exp(xᵢ), stable for any finite inputs; `-inf` for an empty or all-`-inf` input.
pub fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY || max.is_nan() {
        return max;
    }
    let sum: f64 = values.iter().map(|v| (v - max).exp()).sum();
    max + sum.ln()
}

/// Streaming log-sum-exp accumulator (no allocation; one pass).
#[derive(Debug, Clone, Copy)]
pub struct LogSumExp {
    max: f64,
    sum: f64,
}

impl Default for LogSumExp {
    fn default() -> Self {
        Self::new()
    }
}

impl LogSumExp {
    /// An empty accumulator (its value is −∞).
    pub fn new() -> Self {
        Self {
            max: f64::NEG_INFINITY,
            sum: 0.0,
        }
    }
    /// Adds exp(`value`).
    pub fn add(&mut self, value: f64) {
        if value == f64::NEG_INFINITY {
            return;
        }
        if value > self.max {
            self.sum = self.sum * (self.max - value).exp() + 1.0;
            self.max = value;
        } else {
            self.sum += (value - self.max).exp();
        }
    }
    /// log of the sum so far.
    pub fn value(&self) -> f64 {
        if self.max == f64::NEG_INFINITY {
            f64::NEG_INFINITY
        } else {
            self.max + self.sum.ln()
        }
    }
}

/// ∫_a^b f by adaptive Gauss–Kronrod (7–15) to absolute tolerance `abs_tol` (+ relative 1e-12),
/// bisecting at most to depth 50. For reference computations in tests and in quadrature-based
/// quantities such as TV distances; pass breakpoints of non-smooth or peaked integrands by
/// splitting the interval yourself ([`integrate_with_breaks`]).
pub fn integrate<F: Fn(f64) -> f64>(f: &F, a: f64, b: f64, abs_tol: f64) -> f64 {
    let (value, err) = gauss_kronrod_15(f, a, b);
    adapt(f, a, b, value, err, abs_tol, 0)
}

/// [`integrate`] over `[a, b]` split at the sorted `breaks` that fall inside it.
pub fn integrate_with_breaks<F: Fn(f64) -> f64>(
    f: &F,
    a: f64,
    b: f64,
    breaks: &[f64],
    abs_tol: f64,
) -> f64 {
    let mut points: Vec<f64> = std::iter::once(a)
        .chain(breaks.iter().copied().filter(|&x| x > a && x < b))
        .chain(std::iter::once(b))
        .collect();
    points.sort_by(f64::total_cmp);
    let pieces = (points.len() - 1).max(1) as f64;
    points
        .windows(2)
        .map(|w| integrate(f, w[0], w[1], abs_tol / pieces))
        .sum()
}

fn adapt<F: Fn(f64) -> f64>(
    f: &F,
    a: f64,
    b: f64,
    value: f64,
    err: f64,
    abs_tol: f64,
    depth: u32,
) -> f64 {
    if err <= abs_tol.max(1e-12 * value.abs()) || depth >= 50 {
        return value;
    }
    let m = 0.5 * (a + b);
    let (lv, le) = gauss_kronrod_15(f, a, m);
    let (rv, re) = gauss_kronrod_15(f, m, b);
    adapt(f, a, m, lv, le, 0.5 * abs_tol, depth + 1)
        + adapt(f, m, b, rv, re, 0.5 * abs_tol, depth + 1)
}

/// One Gauss–Kronrod 7/15 panel: (Kronrod estimate, |Kronrod − Gauss|).
fn gauss_kronrod_15<F: Fn(f64) -> f64>(f: &F, a: f64, b: f64) -> (f64, f64) {
    // Nodes and weights from QUADPACK's qk15.
    const XGK: [f64; 8] = [
        0.991_455_371_120_812_6,
        0.949_107_912_342_758_5,
        0.864_864_423_359_769_1,
        0.741_531_185_599_394_4,
        0.586_087_235_467_691_1,
        0.405_845_151_377_397_2,
        0.207_784_955_007_898_5,
        0.0,
    ];
    const WGK: [f64; 8] = [
        0.022_935_322_010_529_22,
        0.063_092_092_629_978_55,
        0.104_790_010_322_250_2,
        0.140_653_259_715_525_9,
        0.169_004_726_639_267_9,
        0.190_350_578_064_785_4,
        0.204_432_940_075_298_9,
        0.209_482_141_084_727_8,
    ];
    const WG: [f64; 4] = [
        0.129_484_966_168_869_7,
        0.279_705_391_489_276_7,
        0.381_830_050_505_118_9,
        0.417_959_183_673_469_4,
    ];
    let centre = 0.5 * (a + b);
    let half = 0.5 * (b - a);
    let fc = f(centre);
    let mut kronrod = fc * WGK[7];
    let mut gauss = fc * WG[3];
    for j in 0..7 {
        let dx = half * XGK[j];
        let pair = f(centre - dx) + f(centre + dx);
        kronrod += WGK[j] * pair;
        if j % 2 == 1 {
            gauss += WG[j / 2] * pair;
        }
    }
    (kronrod * half, ((kronrod - gauss) * half).abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn log_sum_exp_matches_direct_sum_and_handles_extremes() {
        let v = [0.1, -2.0, 3.5];
        let direct = v.iter().map(|x: &f64| x.exp()).sum::<f64>().ln();
        assert_relative_eq!(log_sum_exp(&v), direct, max_relative = 1e-15);
        // exp(1000) overflows; log-sum-exp must not: log(2 e^1000) = 1000 + ln 2.
        assert_relative_eq!(
            log_sum_exp(&[1000.0, 1000.0]),
            1000.0 + 2f64.ln(),
            max_relative = 1e-15
        );
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
        let mut acc = LogSumExp::new();
        for x in v {
            acc.add(x);
        }
        assert_relative_eq!(acc.value(), direct, max_relative = 1e-15);
    }

    #[test]
    fn quadrature_closed_forms() {
        // ∫_0^π sin = 2; ∫ Gaussian density over ±10 = 1 − 2Φ̄(10) ≈ 1 (to 1e-22).
        assert_relative_eq!(
            integrate(&f64::sin, 0.0, std::f64::consts::PI, 1e-13),
            2.0,
            max_relative = 1e-12
        );
        let phi = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
        assert_relative_eq!(
            integrate_with_breaks(&phi, -10.0, 10.0, &[0.0], 1e-14),
            1.0,
            max_relative = 1e-12
        );
    }
}
