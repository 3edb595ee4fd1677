//! Lattice Gaussian sums (docs/math.md §1): the direct and Poisson-dual forms against each other,
//! against brute-force sums, against theta-function closed forms, and their derivatives
//! against finite differences.

use hardiff_dist::lattice::{
    gaussian_function, log_gaussian_function, LatticeSum, LatticeSumForm,
    FORM_SWITCH_RELATIVE_WIDTH,
};
use hardiff_dist::numerics::log_sum_exp;
use hardiff_dist::Error;
use statrs::function::gamma::gamma;
use std::f64::consts::PI;

/// Brute-force log Σ_k exp(−(x − c − hk)²/(2v)) over every k within 45 std of x (terms
/// beyond are below e^{−1000} of the largest): independent of both forms.
fn brute_force_log_sum(offset: f64, spacing: f64, variance: f64, x: f64) -> f64 {
    let centre = (x - offset) / spacing;
    let reach = 45.0 * variance.sqrt() / spacing + 2.0;
    let lo = (centre - reach).floor() as i64;
    let hi = (centre + reach).ceil() as i64;
    let terms: Vec<f64> = (lo..=hi)
        .map(|k| {
            let d = x - offset - spacing * k as f64;
            -d * d / (2.0 * variance)
        })
        .collect();
    log_sum_exp(&terms)
}

fn log_grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / (n - 1) as f64).exp())
        .collect()
}

#[test]
fn direct_and_dual_forms_agree_to_1e_12_over_widths_1e_3_to_1e3() {
    // docs/math.md §1: both forms are exact, so log S must agree to 1e-12 (= relative 1e-12 on S;
    // comparing logs also covers widths where S itself underflows, e.g. s = 1e-3 at y = ½
    // where S ≈ e^{-125000}). The dual form Θ(y) cancels when Θ(y) ≪ Θ(0) = Σ|terms| (small
    // s, y away from the lattice): there its rounding error is ≈ 1e-16·Θ(0)/Θ(y), so the
    // comparison is made only where that condition number Θ(0)/Θ(y) = S(c)/S(x) ≤ 1e3, and at
    // every width it is made at least at y = 0 and y = ±1e-3·s (condition ≈ 1).
    let mut compared = 0;
    let mut skipped = 0;
    for &(offset, spacing) in &[(0.0, 1.0), (0.5, 1.0), (0.3, 1.0 / 6.0), (-1.7, 2.5)] {
        for s in log_grid(1e-3, 1e3, 49) {
            let l = LatticeSum::new(offset, spacing, (s * spacing).powi(2)).unwrap();
            let log_s0 = l.log_sum_with(offset, LatticeSumForm::Direct);
            for y in [0.0, 1e-3 * s, -1e-3 * s, 0.05, -0.13, 0.25, 0.37, 0.5] {
                let x = offset + spacing * (y + 3.0);
                let direct = l.log_sum_with(x, LatticeSumForm::Direct);
                let dual = l.log_sum_with(x, LatticeSumForm::Dual);
                let condition = (log_s0 - direct).exp();
                if condition <= 1e3 {
                    assert!(
                        (direct - dual).abs() <= 1e-12,
                        "c={offset} h={spacing} s={s} y={y}: direct {direct} dual {dual}"
                    );
                    compared += 1;
                } else {
                    skipped += 1;
                }
                // Auto is always the well-conditioned form and equals one of them exactly.
                let auto = l.log_sum(x);
                let expect = if s < FORM_SWITCH_RELATIVE_WIDTH {
                    direct
                } else {
                    dual
                };
                assert_eq!(auto, expect);
            }
        }
    }
    // Every width is compared; the skipped cases are the cancelling small-s dual evaluations.
    assert!(compared >= 4 * 49 * 3, "compared {compared}");
    assert!(skipped < compared, "skipped {skipped}");
}

#[test]
fn both_forms_match_a_brute_force_sum() {
    // Independent reference: explicit log-sum-exp over all terms (brute_force_log_sum).
    for &(offset, spacing) in &[(0.0_f64, 1.0_f64), (0.5, 1.0), (0.21, 0.4)] {
        for s in [1e-3_f64, 0.02, 0.3, 0.4, 1.0, 7.0, 120.0] {
            let v = (s * spacing).powi(2);
            let l = LatticeSum::new(offset, spacing, v).unwrap();
            for x in [0.0, 0.11, -0.49, 2.3, 40.0] {
                let reference = brute_force_log_sum(offset, spacing, v, x);
                let auto = l.log_sum(x);
                let direct = l.log_sum_with(x, LatticeSumForm::Direct);
                assert!(
                    (auto - reference).abs() <= 1e-12 * reference.abs().max(1.0),
                    "s={s} x={x}: auto {auto} brute {reference}"
                );
                assert!((direct - reference).abs() <= 1e-12 * reference.abs().max(1.0));
            }
        }
    }
}

#[test]
fn theta_function_closed_forms() {
    // θ₃(e^{-π}) = Σ_n e^{-πn²} = π^{1/4}/Γ(3/4) and θ₂(e^{-π}) = Σ_n e^{-π(n+½)²}
    // = 2^{-1/4} π^{1/4}/Γ(3/4) (classical values at τ = i, where θ₂ = θ₄ and
    // θ₃⁴ = θ₂⁴ + θ₄⁴). These are ρ_1(Z) and ρ_1(½ + Z) (docs/math.md §0, §1).
    let theta3 = PI.powf(0.25) / gamma(0.75);
    let z = LatticeSum::for_gaussian_function(0.0, 1.0, 1.0).unwrap();
    let half = LatticeSum::for_gaussian_function(0.5, 1.0, 1.0).unwrap();
    for form in [
        LatticeSumForm::Auto,
        LatticeSumForm::Direct,
        LatticeSumForm::Dual,
    ] {
        assert!((z.log_sum_with(0.0, form) - theta3.ln()).abs() < 1e-14);
        assert!((half.log_sum_with(0.0, form) - (theta3 / 2f64.powf(0.25)).ln()).abs() < 1e-14);
    }
    // Jacobi: ρ_s(Z) = s·ρ_{1/s}(Z) (Poisson summation); at s = 0.2 the auto form is direct
    // and at 1/s = 5 it is dual, so this checks one form against the other across the switch.
    for s in [0.05, 0.2, 0.7] {
        let a = LatticeSum::for_gaussian_function(0.0, 1.0, s)
            .unwrap()
            .log_sum(0.0);
        let b = LatticeSum::for_gaussian_function(0.0, 1.0, 1.0 / s)
            .unwrap()
            .log_sum(0.0);
        assert!((a - (s.ln() + b)).abs() < 1e-13, "s = {s}");
    }
    // (1/γ)Z: Σ_{y ∈ (1/γ)Z} ρ_s(y) = ρ_{γs}(Z) (substitute y = k/γ).
    let gamma_ = 6.0;
    let a = LatticeSum::for_gaussian_function(0.0, 1.0 / gamma_, 0.3)
        .unwrap()
        .log_sum(0.0);
    let b = LatticeSum::for_gaussian_function(0.0, 1.0, gamma_ * 0.3)
        .unwrap()
        .log_sum(0.0);
    assert!((a - b).abs() < 1e-13);
}

#[test]
fn gaussian_function_values() {
    // ρ_s(x) = exp(−πx²/s²) (docs/math.md §0): ρ_s(0) = 1, ρ_1(1) = e^{-π}, ρ_2(1) = e^{-π/4}.
    assert_eq!(gaussian_function(0.0, 3.0), 1.0);
    assert!((gaussian_function(1.0, 1.0) - (-PI).exp()).abs() < 1e-16);
    assert!((log_gaussian_function(1.0, 2.0) + PI / 4.0).abs() < 1e-16);
}

#[test]
fn derivatives_match_finite_differences_in_both_forms() {
    // Central differences of log S (step 1e-5·scale; truncation error O(step²) ≈ 1e-10
    // relative, rounding ≈ 1e-16/step): tolerance 1e-6 of the derivative's natural scale.
    for &(offset, spacing, s) in &[
        (0.0, 1.0, 0.05),
        (0.3, 1.0, 0.3),
        (0.5, 0.5, 0.45),
        (0.1, 2.0, 1.0),
        (-0.4, 1.0, 3.0),
    ] {
        let l = LatticeSum::new(offset, spacing, (s * spacing).powi(2)).unwrap();
        let scale = 1.0 / (spacing * s);
        let step = 1e-5 * spacing * s;
        for x in [0.0, 0.07, 0.31, -0.8, 12.3] {
            // The dual form is checked only where it does not cancel (condition ≤ 1e3, as in
            // the agreement test above); the direct form everywhere.
            let condition = (l.log_sum_with(offset, LatticeSumForm::Direct)
                - l.log_sum_with(x, LatticeSumForm::Direct))
            .exp();
            let forms: &[LatticeSumForm] = if condition <= 1e3 {
                &[LatticeSumForm::Direct, LatticeSumForm::Dual]
            } else {
                &[LatticeSumForm::Direct]
            };
            for &form in forms {
                let v = l.eval_with(x, form);
                let fd1 = (l.log_sum_with(x + step, form) - l.log_sum_with(x - step, form))
                    / (2.0 * step);
                let fd2 = (l.eval_with(x + step, form).d_log_sum
                    - l.eval_with(x - step, form).d_log_sum)
                    / (2.0 * step);
                assert!(
                    (v.d_log_sum - fd1).abs() <= 1e-6 * scale,
                    "{form} s={s} x={x}: {} vs {fd1}",
                    v.d_log_sum
                );
                assert!(
                    (v.d2_log_sum - fd2).abs() <= 1e-6 * scale * scale,
                    "{form} s={s} x={x}: {} vs {fd2}",
                    v.d2_log_sum
                );
            }
        }
    }
}

#[test]
fn truncation_bounds_are_stated_and_tiny_in_the_auto_regime() {
    for s in log_grid(1e-3, 1e3, 25) {
        let l = LatticeSum::new(0.0, 1.0, s * s).unwrap();
        // Module docs: ≤ 1.0e-17 in the auto regime (worst at the switch s = 1/√(2π)).
        assert!(l.truncation_bound(LatticeSumForm::Auto) <= 1.0e-17);
    }
    // The forced direct form at s = 1e3 still has a bound ≈ 9.5e-19·s ≈ 1e-15.
    let l = LatticeSum::new(0.0, 1.0, 1e6).unwrap();
    assert!(l.truncation_bound(LatticeSumForm::Direct) < 2e-15);
}

#[test]
fn far_tails_are_finite() {
    // x up to 40 and far from the lattice: log S is finite in both regimes.
    for s in [1e-3, 0.1, 2.0] {
        let l = LatticeSum::new(0.25, 1.0, s * s).unwrap();
        for x in [-40.0, 39.75, 40.0] {
            let v = l.eval(x);
            assert!(v.log_sum.is_finite() && v.d_log_sum.is_finite() && v.d2_log_sum.is_finite());
        }
    }
}

#[test]
fn bad_parameters_are_typed_errors() {
    assert!(matches!(
        LatticeSum::new(f64::NAN, 1.0, 1.0),
        Err(Error::NonFinite { name: "offset", .. })
    ));
    assert!(matches!(
        LatticeSum::new(0.0, 0.0, 1.0),
        Err(Error::NonPositive {
            name: "spacing",
            ..
        })
    ));
    assert!(matches!(
        LatticeSum::new(0.0, 1.0, -1.0),
        Err(Error::NonPositive {
            name: "variance",
            ..
        })
    ));
    assert!(matches!(
        LatticeSum::new(0.0, 1.0, f64::NAN),
        Err(Error::NonPositive { .. })
    ));
    assert!(matches!(
        LatticeSum::new(0.0, 1.0, 1e20),
        Err(Error::OutOfRange { .. })
    ));
    assert!(matches!(
        LatticeSum::for_gaussian_function(0.0, 1.0, 0.0),
        Err(Error::NonPositive { name: "s", .. })
    ));
    for form in [
        LatticeSumForm::Auto,
        LatticeSumForm::Direct,
        LatticeSumForm::Dual,
    ] {
        assert_eq!(form.to_string().parse::<LatticeSumForm>().unwrap(), form);
    }
    assert!(matches!(
        "theta".parse::<LatticeSumForm>(),
        Err(Error::Invalid(_))
    ));
}
