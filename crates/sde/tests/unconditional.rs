//! Unconditional samplers against exact laws (docs/math.md §7): every sampler reproduces a
//! two-component GMM in d = 2 and d = 8; errors shrink as steps grow with the expected orders;
//! each sampler's output law on Gaussian data matches the exact law of its discretised chain;
//! DDPM-ancestral is *not* exact in law for Gaussian data, its second-order-Tweedie variant is.
//!
//! False-failure budget: every statistical assertion states its rate; the file's total is
//! below 1e-3 (fixed seeds, so a pass is reproducible).

mod common;

use hardiff_dist::stats::{ks_one_sample, normal_cdf};
use hardiff_dist::{ou_time, rng, Gaussian, SampleBatch, Score};
use hardiff_sde::sampler::{self, ddpm_tweedie_step, Stepper};
use hardiff_sde::{
    ou, sample, Error, GridKind, LangevinConfig, SamplerConfig, SamplerKind, TimeGrid,
};
use ndarray::{Array1, Array2};

const N: usize = 2000;

/// Systematic error allowed per mean or covariance entry at the default step counts: twice the
/// largest discretisation bias measured there when they were calibrated (≤ 0.01).
const BIAS_ALLOWANCE: f64 = 0.02;

/// The GMM check of one sampler at its default step count. Tolerances (per run):
/// - component masses: chi-square p > 1e-4 (false-failure rate 1e-4);
/// - every per-component mean and covariance entry: |error| ≤ 5 SE + [`BIAS_ALLOWANCE`], where
///   SE is the entry's Gaussian standard error (common/mod.rs), i.e. a z-test at 5 SE of the
///   error in excess of the allowed bias. If the bias of an entry is within the allowance, its
///   false-failure rate is ≤ P(|Z| > 5) = 5.7e-7; d = 8 has 2 × (8 + 36) = 88 distinct entries:
///   rate ≤ 5e-5 per run, 5e-4 over the 10 runs. (The SE of a mean entry lies in
///   [√(0.1/1400), √(0.6/600)] ≈ [0.0085, 0.032]: component variances in [0.1, 0.6] with ≈ 1400
///   and 600 points, so a mean bias above 0.02 + 5 × 0.032 ≈ 0.18 fails for every entry and one
///   above 0.06 for the best-resolved ones. Before, "z ≤ 5 or |error| ≤ 0.12" let an error of 0.12
///   pass whatever its SE.)
/// - energy distance to an exact sample < 5e-3: exact-vs-exact values at n = 2000 are within
///   ±2e-3 (measured), a 10-step sampler gives > 0.1.
fn check_gmm(kind: SamplerKind, d: usize) {
    let law = common::gmm(d);
    let cfg = SamplerConfig::new(kind);
    let mut r = rng::stream(100, "gmm-test", &[d as u64, kind as u64]);
    let out = sample(&law, &cfg, N, &mut r).unwrap();
    let exact = law.at_time(cfg.t_min).unwrap();
    let c = common::component_check(out.samples.view(), &exact, BIAS_ALLOWANCE);
    let dist = common::distances(out.samples.view(), &exact, 200 + d as u64);
    eprintln!(
        "{} d={d} steps={}: mass p {:.3}, mean z {:.2} (abs {:.4}, beyond the allowance {:.2}), cov z {:.2} (abs {:.4}, beyond {:.2}), energy {:.5} (floor {:.5}), SW2 {:.4} (floor {:.4}), evals/pt {}",
        kind.name(), cfg.steps(), c.mass_p, c.mean_z, c.mean_err, c.mean_excess_z, c.cov_z,
        c.cov_err, c.cov_excess_z, dist.energy, dist.energy_floor, dist.sw, dist.sw_floor,
        out.stats.score_evals / N as u64
    );
    assert!(c.mass_p > 1e-4, "component masses: p = {}", c.mass_p);
    assert!(c.mean_excess_z <= 5.0, "means: {c:?}");
    assert!(c.cov_excess_z <= 5.0, "covariances: {c:?}");
    assert!(dist.energy < 5e-3, "energy distance {}", dist.energy);
    assert_eq!(
        out.stats.score_evals,
        (cfg.steps() as u64) * N as u64 * kind.evals_per_step(&cfg.langevin)
    );
}

#[test]
fn every_sampler_reproduces_a_gmm_in_d2() {
    for kind in SamplerKind::ALL {
        check_gmm(kind, 2);
    }
}

#[test]
fn every_sampler_reproduces_a_gmm_in_d8() {
    for kind in SamplerKind::ALL {
        check_gmm(kind, 8);
    }
}

#[test]
fn error_shrinks_as_steps_grow() {
    // Energy distance to an exact sample at 4 steps vs the default: a coarse sampler is far off
    // (> 0.02, ≥ 10× the exact-vs-exact spread at n = 1000), and the default must be at least
    // 5× closer.
    let law = common::gmm(2);
    let exact = law.at_time(1e-3).unwrap();
    for kind in SamplerKind::ALL {
        let mut e = Vec::new();
        for steps in [4, kind.default_steps()] {
            let cfg = SamplerConfig::new(kind).with_steps(steps);
            let mut r = rng::stream(101, "shrink-test", &[kind as u64, steps as u64]);
            let out = sample(&law, &cfg, 1000, &mut r).unwrap();
            e.push(common::distances(out.samples.view(), &exact, 7).energy);
        }
        eprintln!(
            "{}: energy at 4 steps {:.5}, at {} steps {:.5}",
            kind.name(),
            e[0],
            kind.default_steps(),
            e[1]
        );
        assert!(e[0] > 0.02 && e[1] < e[0] / 5.0, "{}: {e:?}", kind.name());
    }
}

/// Least-squares slope of log(err) against log(steps): the observed convergence order.
fn observed_order(steps: &[usize], errs: &[f64]) -> f64 {
    let xs: Vec<f64> = steps.iter().map(|&s| (s as f64).ln()).collect();
    let ys: Vec<f64> = errs.iter().map(|e| e.ln()).collect();
    let (mx, my) = (
        xs.iter().sum::<f64>() / xs.len() as f64,
        ys.iter().sum::<f64>() / ys.len() as f64,
    );
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    -sxy / sxx
}

#[test]
fn heun_is_second_order_and_euler_first_order_pathwise() {
    // The probability-flow ODE is deterministic: run the same 200 starting points with N steps
    // and against a 5120-step Heun reference; the median endpoint error ~ C N^{−p}. (Median, not
    // RMS: on the GMM a few paths start near the separatrix between the modes, where the flow
    // map's derivative is huge and a coarse step sends them to the other mode.)
    // Expected p: 2 for Heun, 1 for Euler (classical ODE theory); asserted within ±0.4.
    for (name, law) in [
        ("gauss", Box::new(common::gaussian(2)) as Box<dyn Score>),
        ("gmm", Box::new(common::gmm(2)) as Box<dyn Score>),
    ] {
        let mut r = rng::stream(102, "order-test", &[]);
        let x_t = ou::stationary_sample(&mut r, 200, 2);
        let run = |kind: SamplerKind, steps: usize| {
            let grid = TimeGrid::new(GridKind::Geometric, steps, 1e-3, 10.0).unwrap();
            let mut x = x_t.clone();
            let mut unused = rng::stream(0, "unused", &[]);
            sampler::run(
                law.as_ref(),
                kind,
                &LangevinConfig::default(),
                &grid,
                x.view_mut(),
                &mut unused,
            )
            .unwrap();
            x
        };
        let reference = run(SamplerKind::Heun, 5120);
        // (Below 80 geometric steps, h/t ≈ 0.1, Heun is not yet asymptotic on the GMM.)
        let steps = [80, 160, 320];
        for kind in [SamplerKind::Heun, SamplerKind::OdeEuler] {
            let errs: Vec<f64> = steps
                .iter()
                .map(|&s| {
                    let diff = run(kind, s) - &reference;
                    let mut e: Vec<f64> = diff.outer_iter().map(|r| r.dot(&r).sqrt()).collect();
                    e.sort_by(f64::total_cmp);
                    e[e.len() / 2]
                })
                .collect();
            let p = observed_order(&steps, &errs);
            eprintln!(
                "{name} {}: median errors {:?} at steps {steps:?}: observed order {p:.2}",
                kind.name(),
                errs.iter().map(|e| format!("{e:.2e}")).collect::<Vec<_>>()
            );
            let expect = if kind == SamplerKind::Heun { 2.0 } else { 1.0 };
            assert!(
                (p - expect).abs() < 0.4,
                "{name} {}: order {p}",
                kind.name()
            );
        }
    }
}

/// The exact law of a sampler's discretised chain for 1-D data N(μ, λ) (an eigen-direction of a
/// Gaussian prior), started from N(0, 1) at T: every step is x' = A x + B + √V ξ because the
/// score s_t(x) = −(x − α_t μ)/c_t with c_t = α_t² λ + v_t is affine. Independent of the
/// sampler code (written from the step formulas of docs/math.md §7).
fn chain_law(kind: SamplerKind, grid: &TimeGrid, mu: f64, lam: f64) -> (f64, f64) {
    let (mut m, mut q) = (0.0, 1.0);
    let (alpha, var) = (|t: f64| (-t).exp(), |t: f64| 1.0 - (-2.0 * t).exp());
    let a1 = |t: f64| -1.0 / (alpha(t).powi(2) * lam + var(t));
    let a0 = |t: f64| alpha(t) * mu / (alpha(t).powi(2) * lam + var(t));
    for (t, tn) in grid.intervals() {
        let h = t - tn;
        let (a, b, v) = match kind {
            SamplerKind::EulerMaruyama => (1.0 + h + 2.0 * h * a1(t), 2.0 * h * a0(t), 2.0 * h),
            SamplerKind::DdpmAncestral => {
                let (ah, bh) = ((-h).exp(), 1.0 - (-2.0 * h).exp());
                let (cx0, cxt, bv) = (
                    bh * alpha(tn) / var(t),
                    ah * var(tn) / var(t),
                    bh * var(tn) / var(t),
                );
                let e = t.exp();
                (
                    cx0 * e * (1.0 + var(t) * a1(t)) + cxt,
                    cx0 * e * var(t) * a0(t),
                    bv,
                )
            }
            SamplerKind::OdeEuler => (1.0 + h * (1.0 + a1(t)), h * a0(t), 0.0),
            SamplerKind::Heun => {
                let (p, r) = (1.0 + h * (1.0 + a1(t)), h * a0(t));
                (
                    1.0 + 0.5 * h * ((1.0 + a1(t)) + (1.0 + a1(tn)) * p),
                    0.5 * h * (a0(t) + (1.0 + a1(tn)) * r + a0(tn)),
                    0.0,
                )
            }
            SamplerKind::Langevin => unreachable!("random step sizes: no closed form"),
        };
        m = a * m + b;
        q = a * a * q + v;
    }
    (m, q)
}

#[test]
fn observed_weak_orders_from_the_exact_chain_law() {
    // Variance error of the output law (exact recursion above) against the exact variance at
    // t_min, for data variance λ ∈ {0.1, 3}: EM, DDPM and Euler-ODE are first order, Heun second.
    let t_min: f64 = 1e-3;
    let steps = [100, 200, 400, 800];
    for lam in [0.1, 3.0] {
        let exact = lam * (-2.0 * t_min).exp() + ou_time::variance(t_min);
        for (kind, expect) in [
            (SamplerKind::EulerMaruyama, 1.0),
            (SamplerKind::DdpmAncestral, 1.0),
            (SamplerKind::OdeEuler, 1.0),
            (SamplerKind::Heun, 2.0),
        ] {
            let errs: Vec<f64> = steps
                .iter()
                .map(|&s| {
                    let g = TimeGrid::new(GridKind::Geometric, s, t_min, 10.0).unwrap();
                    (chain_law(kind, &g, 0.0, lam).1 - exact).abs()
                })
                .collect();
            let p = observed_order(&steps, &errs);
            eprintln!(
                "λ = {lam} {}: variance errors {:?}: observed order {p:.2}",
                kind.name(),
                errs.iter().map(|e| format!("{e:.2e}")).collect::<Vec<_>>()
            );
            assert!(
                (p - expect).abs() < 0.25,
                "{} λ = {lam}: order {p}",
                kind.name()
            );
        }
    }
}

/// Whitened coordinates of `x` in the eigenbasis of `g`'s covariance against predicted
/// per-direction (mean, variance); returns the smallest KS p-value.
fn eigen_ks(g: &Gaussian, x: &Array2<f64>, law: impl Fn(f64, f64) -> (f64, f64)) -> f64 {
    let q = g.eigenvectors();
    let y = x.dot(&q);
    let mu: Array1<f64> = q.t().dot(&g.mean());
    (0..g.dim())
        .map(|k| {
            let (m, v) = law(mu[k], g.eigenvalues()[k]);
            let mut z: Vec<f64> = y.column(k).iter().map(|&yi| (yi - m) / v.sqrt()).collect();
            ks_one_sample(&mut z, normal_cdf).p_value
        })
        .fold(1.0, f64::min)
}

#[test]
fn sampler_output_matches_its_chain_law_and_ddpm_is_not_exact() {
    // With 8 steps the discretisation bias is large, so this checks that the code runs the
    // chain of docs/math.md §7 (KS per eigen-direction against chain_law; 4 samplers × 2 directions,
    // threshold 1e-3/8 each: rate ≤ 1e-3 ... shared with the file budget by using 1e-4/8).
    let g = common::gaussian(2);
    let t_min: f64 = 1e-3;
    let grid = TimeGrid::new(GridKind::Geometric, 8, t_min, 10.0).unwrap();
    let exact = |mu: f64, lam: f64| {
        let a = (-t_min).exp();
        (a * mu, a * a * lam + ou_time::variance(t_min))
    };
    for kind in [
        SamplerKind::EulerMaruyama,
        SamplerKind::DdpmAncestral,
        SamplerKind::OdeEuler,
        SamplerKind::Heun,
    ] {
        let cfg = SamplerConfig::new(kind)
            .with_steps(8)
            .with_grid(GridKind::Geometric);
        let mut r = rng::stream(103, "chain-law", &[kind as u64]);
        let out = sample(&g, &cfg, 4000, &mut r).unwrap();
        let p_chain = eigen_ks(&g, &out.samples, |m, l| chain_law(kind, &grid, m, l));
        let p_exact = eigen_ks(&g, &out.samples, exact);
        eprintln!(
            "{} (8 steps): KS p vs its chain law {p_chain:.3}, vs the exact law {p_exact:.2e}",
            kind.name()
        );
        assert!(p_chain > 1e-4 / 8.0, "{}: p = {p_chain}", kind.name());
        if kind == SamplerKind::DdpmAncestral {
            // An earlier draft of docs/math.md §7 claimed exactness; the chain law predicts a variance deficit that KS must
            // see (the false-pass probability of this assertion under exactness is 1e-6).
            assert!(p_exact < 1e-6, "DDPM-ancestral looked exact: p = {p_exact}");
        }
    }
}

#[test]
fn ddpm_with_tweedie_covariance_is_exact_for_gaussian_data() {
    // Two steps only (T = 10 → 1 → t_min): exact in law (up to the e^{−T} start), so KS per
    // eigen-direction against the exact law at t_min: 2 directions at 1e-4/2 each.
    let g = common::gaussian(2);
    let t_min: f64 = 1e-3;
    let mut r = rng::stream(104, "tweedie", &[]);
    let mut x = ou::stationary_sample(&mut r, 4000, 2);
    ddpm_tweedie_step(&g, 10.0, 1.0, x.view_mut(), &mut r).unwrap();
    ddpm_tweedie_step(&g, 1.0, t_min, x.view_mut(), &mut r).unwrap();
    let p = eigen_ks(&g, &x, |mu, lam| {
        let a = (-t_min).exp();
        (a * mu, a * a * lam + ou_time::variance(t_min))
    });
    eprintln!("DDPM + second-order Tweedie, 2 steps: KS p vs exact law {p:.3}");
    assert!(p > 1e-4 / 2.0);
    // The driver does the same over a grid and counts 1 score + d VJPs per point per step.
    let cfg = SamplerConfig::new(SamplerKind::DdpmAncestral).with_steps(3);
    let out = sampler::sample_ddpm_tweedie(&g, &cfg, 10, &mut r).unwrap();
    assert_eq!(out.stats.score_evals, 3 * 10 * 3);
}

#[test]
fn config_names_serde_and_errors() {
    for kind in SamplerKind::ALL {
        assert_eq!(kind.name().parse::<SamplerKind>().unwrap(), kind);
    }
    assert!(matches!(
        "nope".parse::<SamplerKind>(),
        Err(Error::Invalid(_))
    ));
    let cfg = SamplerConfig::new(SamplerKind::Langevin).with_steps(7);
    let json = serde_json::to_string(&cfg).unwrap();
    assert_eq!(serde_json::from_str::<SamplerConfig>(&json).unwrap(), cfg);
    let g = Gaussian::standard(3).unwrap();
    let mut r = rng::stream(105, "errors", &[]);
    assert!(matches!(
        sample(&g, &cfg, 0, &mut r),
        Err(Error::Empty { .. })
    ));
    let bad = SamplerConfig {
        t_min: 0.0,
        ..SamplerConfig::new(SamplerKind::Heun)
    };
    assert!(matches!(
        sample(&g, &bad, 5, &mut r),
        Err(Error::InvalidGrid(_))
    ));
    let bad_snr = SamplerConfig {
        langevin: LangevinConfig {
            snr: 0.0,
            ..Default::default()
        },
        ..SamplerConfig::new(SamplerKind::Langevin)
    };
    assert!(matches!(
        sample(&g, &bad_snr, 5, &mut r),
        Err(Error::NonPositive { .. })
    ));
    let mut stepper = Stepper::new(SamplerKind::EulerMaruyama, LangevinConfig::default()).unwrap();
    let mut x = Array2::zeros((4, 2));
    assert!(matches!(
        stepper.step(&g, 1.0, 0.5, x.view_mut(), &mut r),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut x3 = Array2::zeros((4, 3));
    assert!(matches!(
        stepper.step(&g, 0.5, 1.0, x3.view_mut(), &mut r),
        Err(Error::InvalidGrid(_))
    ));
    // The exact prior's sampler and the stats' JSON form.
    let out = sample(
        &g,
        &SamplerConfig::new(SamplerKind::Heun).with_steps(3),
        4,
        &mut r,
    )
    .unwrap();
    let stats: serde_json::Value = serde_json::to_value(&out.stats).unwrap();
    assert_eq!(stats["score_evals"], 3 * 2 * 4);
    assert_eq!(g.sample_batch(&mut r, 3).dim(), (3, 3));
}
