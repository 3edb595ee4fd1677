//! Posterior samplers against exact posteriors (docs/math.md §6–§7): rejection sampling is exact and
//! its acceptance rate is (2πη²)^{m/2} p_Y(y); SMC converges as particles grow; the ΠGDM guided
//! score is the exact posterior score when its Gaussian assumption holds; DPS, ΠGDM and Langevin
//! have their known biases on Gaussian and GMM priors (exact where theory says so, bounded by
//! measured values elsewhere); every method runs by name on a user's own `Score`; bad input is
//! a typed error.
//!
//! False-failure budget: each statistical assertion states its rate; total < 1e-3. Assertions
//! against *measured* biases use fixed seeds and are deterministic; their tolerances say what
//! regression they catch.

mod common;

use hardiff_dist::stats::{ks_one_sample, normal_cdf};
use hardiff_dist::{rng, Dimension, Gaussian, GaussianMixture, SampleBatch, Score};
use hardiff_sde::posterior::{
    Dps, DpsConfig, GuidedScore, Pigdm, PigdmConfig, PosteriorLangevin, PosteriorLangevinConfig,
    Rejection, RejectionConfig, Smc, SmcConfig,
};
use hardiff_sde::{metrics, ou, PosteriorSampler, PriorScore, Schedule, WithVjp};
use hardiff_sde::{
    sample, Error, Jacobian, LinearMeasurement, PosteriorMethod, Prior, SamplerConfig, SamplerKind,
};
use ndarray::{array, Array1, Array2, ArrayView2, ArrayViewMut2};

/// The d = 2 problem: one measurement y = x₁ + x₂/2 + η, η = 0.3, y = −0.3. On the GMM prior
/// (masses 0.3, 0.7) the exact posterior masses are (0.851, 0.149) and P_acc ≈ 0.0030
/// (closed forms, docs/math.md §6–§7): y lies between the modes, so the measurement moves mass.
fn problem_2d() -> (LinearMeasurement, Array1<f64>) {
    (
        LinearMeasurement::new(array![[1.0, 0.5]], 0.3).unwrap(),
        array![-0.3],
    )
}

/// Whitened per-coordinate KS of `x` against the Gaussian `g`; smallest p-value.
fn whitened_ks(g: &Gaussian, x: &Array2<f64>) -> f64 {
    let mut z = (x - &g.mean()).dot(&g.eigenvectors());
    z /= &g.eigenvalues().mapv(f64::sqrt);
    (0..g.dim())
        .map(|j| ks_one_sample(&mut z.column(j).to_vec(), normal_cdf).p_value)
        .fold(1.0, f64::min)
}

#[test]
fn rejection_sampling_is_exact_and_its_acceptance_rate_matches_the_closed_form() {
    let (meas, y) = problem_2d();
    let n = 2000;
    // Gaussian prior: whitened KS against the exact posterior (2 coordinates at 1e-4/2 each).
    let g = common::gaussian(2);
    let post = g
        .posterior(meas.matrix(), meas.noise_std(), y.view())
        .unwrap();
    let mut r = rng::stream(200, "rejection", &[0]);
    // The typed sampler on the law itself (it needs only `SampleBatch`).
    let out = Rejection::new(RejectionConfig::default())
        .unwrap()
        .sample(&g, &meas, y.view(), n, &mut r)
        .unwrap();
    assert!(whitened_ks(&post, &out.samples) > 1e-4 / 2.0);
    // Acceptance: prior draws until n acceptances ~ NegativeBinomial(n, P) with
    // P = (2πη²)^{m/2} p_Y(y) (docs/math.md §6): mean n/P, sd √(n(1−P))/P; |z| < 4.5 (rate 7e-6).
    let p_acc = meas.acceptance_rate(
        g.log_evidence(meas.matrix(), meas.noise_std(), y.view())
            .unwrap(),
    );
    let draws = out.stats.prior_draws as f64;
    let z = (draws - n as f64 / p_acc) / ((n as f64 * (1.0 - p_acc)).sqrt() / p_acc);
    eprintln!(
        "Gaussian prior: acceptance {:.4} measured vs {p_acc:.4} exact (z = {z:.2})",
        out.stats.acceptance_rate.unwrap()
    );
    assert!(z.abs() < 4.5);

    // GMM prior in d = 2: posterior component masses (chi-square, rate 1e-4) and per-component
    // whitened KS (2 components × 2 coordinates at 1e-4/4), acceptance rate as above.
    let m = common::gmm(2);
    let post = m
        .posterior(meas.matrix(), meas.noise_std(), y.view())
        .unwrap();
    let mut r = rng::stream(200, "rejection", &[1]);
    // By name, on a run-time prior.
    let out = PosteriorMethod::from_name("rejection")
        .unwrap()
        .sample(&Prior::exact(&m), &meas, y.view(), n, &mut r)
        .unwrap();
    let labels = metrics::assign_components(&post, 0.0, out.samples.view()).unwrap();
    let chi = metrics::component_mass_chi_square(&labels, post.weights()).unwrap();
    eprintln!(
        "GMM posterior masses {:?} (prior {:?}); chi-square p {:.3}",
        post.weights(),
        m.weights(),
        chi.p_value
    );
    assert!(chi.p_value > 1e-4);
    for (k, c) in post.components().iter().enumerate() {
        let rows: Vec<usize> = (0..n).filter(|&i| labels[i] == k).collect();
        assert!(whitened_ks(c, &out.samples.select(ndarray::Axis(0), &rows)) > 1e-4 / 4.0);
    }
    let p_acc = meas.acceptance_rate(
        m.log_evidence(meas.matrix(), meas.noise_std(), y.view())
            .unwrap(),
    );
    let draws = out.stats.prior_draws as f64;
    let z = (draws - n as f64 / p_acc) / ((n as f64 * (1.0 - p_acc)).sqrt() / p_acc);
    eprintln!(
        "GMM prior: acceptance {:.4} measured vs {p_acc:.4} exact (z = {z:.2})",
        out.stats.acceptance_rate.unwrap()
    );
    assert!(z.abs() < 4.5);
}

#[test]
fn rejection_budget_exhaustion_is_a_typed_error_with_the_measured_rate() {
    // A measurement of a GMM in d = 8 (m = 2, η = 0.2): P_acc ≈ 2.6e-3. With 200 000 draws,
    // accepted ~ Binomial(200 000, P): the reported rate must be within 5 sd of P (rate 6e-7).
    let m = common::gmm(8);
    let a = Array2::from_shape_fn((2, 8), |(i, j)| if (i + j) % 3 == 0 { 1.0 } else { 0.2 });
    let meas = LinearMeasurement::new(a, 0.2).unwrap();
    let y = array![1.0, 0.5];
    let p = meas.acceptance_rate(
        m.log_evidence(meas.matrix(), meas.noise_std(), y.view())
            .unwrap(),
    );
    let mut r = rng::stream(201, "budget", &[]);
    let err = hardiff_sde::posterior::rejection(&m, &meas, y.view(), 10_000_000, 200_000, &mut r)
        .unwrap_err();
    match err {
        Error::BudgetExhausted {
            max_draws,
            draws,
            accepted,
            requested,
            acceptance_rate,
        } => {
            assert_eq!(
                (max_draws, draws, requested),
                (200_000, 200_000, 10_000_000)
            );
            assert_eq!(acceptance_rate, accepted as f64 / 200_000.0);
            let sd = (p * (1.0 - p) / 200_000.0).sqrt();
            eprintln!("budget exhausted: measured rate {acceptance_rate:.2e}, exact {p:.2e}");
            assert!((acceptance_rate - p).abs() < 5.0 * sd);
        }
        other => panic!("expected BudgetExhausted, got {other:?}"),
    }
}

#[test]
fn guided_score_is_the_exact_posterior_score_when_pigdm_is_exact() {
    // For a prior N(μ, I), p(x₀ | x_t) = N(D_t(x), v_t I) exactly, so p̃_t(y | x) = p_t(y | x) and
    // the guided score equals the score of the OU-diffused exact posterior (both Jacobians
    // coincide: J_D = α_t I). Checked pointwise to 1e-9 at several t.
    let prior = Gaussian::isotropic(array![0.4, -1.0, 0.3], 1.0).unwrap();
    let meas = LinearMeasurement::new(array![[1.0, 0.5, 0.0], [0.0, -1.0, 2.0]], 0.2).unwrap();
    let y = array![0.5, -0.3];
    let post = prior
        .posterior(meas.matrix(), meas.noise_std(), y.view())
        .unwrap();
    let x = array![[0.1, 0.2, -0.3], [1.5, -2.0, 0.7], [0.0, 0.0, 0.0]];
    let with_vjp = WithVjp::new(&prior);
    for oracle in [&with_vjp as &dyn PriorScore, &prior] {
        let guided = GuidedScore::new(oracle, &meas, y.view()).unwrap();
        let jac = guided.jacobian();
        assert_eq!(jac, oracle.jacobian());
        for t in [1e-3, 0.1, 1.0, 5.0] {
            let (mut a, mut b) = (Array2::zeros((3, 3)), Array2::zeros((3, 3)));
            guided.score(t, x.view(), a.view_mut()).unwrap();
            post.score(t, x.view(), b.view_mut()).unwrap();
            let err = (&a - &b).iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(err < 1e-9, "{jac:?} t = {t}: {err}");
        }
    }
    // For a correlated prior the guided score is an approximation: report its error.
    let g = common::gaussian(2);
    let (meas, y) = problem_2d();
    let post = g
        .posterior(meas.matrix(), meas.noise_std(), y.view())
        .unwrap();
    let with_vjp = WithVjp::new(&g);
    let guided = GuidedScore::new(&with_vjp, &meas, y.view()).unwrap();
    let xs = g.sample_batch(&mut rng::stream(202, "guided", &[]), 500);
    for t in [0.01, 0.3, 1.0] {
        let (mut a, mut b) = (Array2::zeros((500, 2)), Array2::zeros((500, 2)));
        guided.score(t, xs.view(), a.view_mut()).unwrap();
        post.score(t, xs.view(), b.view_mut()).unwrap();
        let rms = ((&a - &b).mapv(|v| v * v).sum() / 500.0).sqrt();
        eprintln!("ΠGDM guided score, correlated Gaussian prior, t = {t}: RMS error vs exact posterior score {rms:.4}");
    }
}

#[test]
fn heun_on_the_exact_guided_score_samples_the_exact_posterior() {
    // Prior N(μ, I) (ΠGDM exact): any unconditional sampler on the guided score samples the
    // OU-diffused posterior. Heun at its default steps vs the exact law at t_min: whitened KS
    // (2 coordinates at 1e-4/2 each).
    let prior = Gaussian::isotropic(array![1.0, -0.5], 1.0).unwrap();
    let (meas, y) = problem_2d();
    let post_t = prior
        .posterior(meas.matrix(), meas.noise_std(), y.view())
        .unwrap()
        .at_time(1e-3)
        .unwrap();
    let with_vjp = WithVjp::new(&prior);
    let guided = GuidedScore::new(&with_vjp, &meas, y.view()).unwrap();
    let mut r = rng::stream(203, "heun-guided", &[]);
    let out = sample(
        &guided,
        &SamplerConfig::new(SamplerKind::Heun),
        3000,
        &mut r,
    )
    .unwrap();
    let p = whitened_ks(&post_t, &out.samples);
    eprintln!(
        "Heun on the exact guided score: KS p {p:.3}; prior score evals {}, VJPs {}",
        guided.score_evals(),
        guided.vjp_evals()
    );
    assert!(p > 1e-4 / 2.0);
    assert_eq!(guided.score_evals(), 3000 * 100);
    assert_eq!(guided.vjp_evals(), 3000 * 100);
}

/// Weighted estimate of the posterior mean and the mass of component 0 from SMC output
/// (equally weighted after the final resampling).
fn smc_estimates(
    prior: &GaussianMixture,
    post: &GaussianMixture,
    p: usize,
    seed: u64,
) -> (Array1<f64>, f64, f64) {
    let (meas, y) = problem_2d();
    let smc = Smc::new(SmcConfig::default().with_steps(100)).unwrap();
    let mut r = rng::stream(204, "smc-conv", &[p as u64, seed]);
    let out = smc
        .sample(&WithVjp::new(prior), &meas, y.view(), p, &mut r)
        .unwrap();
    assert_eq!(out.stats.ess_trace.len(), 101);
    assert_eq!(out.stats.score_evals, (p * 100) as u64);
    let labels = metrics::assign_components(post, 0.0, out.samples.view()).unwrap();
    let mass0 = labels.iter().filter(|&&l| l == 0).count() as f64 / p as f64;
    let mean = out.samples.mean_axis(ndarray::Axis(0)).unwrap();
    (mean, mass0, out.stats.log_evidence_estimate.unwrap())
}

#[test]
fn smc_converges_to_the_exact_posterior_as_particles_grow() {
    // GMM prior in d = 2 whose posterior masses differ from the prior's. Over 6 independent runs
    // per particle count, the RMS error of the posterior-mean and component-mass estimates must
    // fall by ≥ 2× from P = 100 to P = 1600 (Monte-Carlo error ∝ P^{−1/2} predicts 4×), and the
    // log-evidence estimate averaged over the P = 1600 runs must be within 0.15 of log p_Y(y)
    // (measured sd of one run ≈ 0.1 at P = 1600 plus the 100-step chain's bias).
    let m = common::gmm(2);
    let (meas, y) = problem_2d();
    let post = m
        .at_time(1e-3)
        .unwrap()
        .posterior(meas.matrix(), meas.noise_std(), y.view())
        .unwrap();
    let exact_mean = post.mean();
    let exact_mass0 = post.weights()[0];
    let log_ev = m
        .log_evidence(meas.matrix(), meas.noise_std(), y.view())
        .unwrap();
    let mut rms = Vec::new();
    let mut mean_log_z = 0.0;
    for p in [100usize, 1600] {
        let (mut se_mean, mut se_mass) = (0.0, 0.0);
        for seed in 0..6 {
            let (mean, mass0, log_z) = smc_estimates(&m, &post, p, seed);
            se_mean += (&mean - &exact_mean).mapv(|v| v * v).sum();
            se_mass += (mass0 - exact_mass0).powi(2);
            if p == 1600 {
                mean_log_z += log_z / 6.0;
            }
        }
        rms.push(((se_mean / 6.0).sqrt(), (se_mass / 6.0).sqrt()));
    }
    eprintln!(
        "SMC (100 steps): RMS error of posterior mean {:.4} (P=100) → {:.4} (P=1600); of mass₀ {:.4} → {:.4} (exact mass₀ {exact_mass0:.4}); mean log Z − log p_Y = {:+.4}",
        rms[0].0, rms[1].0, rms[0].1, rms[1].1, mean_log_z - log_ev
    );
    assert!(
        rms[1].0 < rms[0].0 / 2.0 && rms[1].1 < rms[0].1 / 2.0,
        "{rms:?}"
    );
    assert!((mean_log_z - log_ev).abs() < 0.15);
}

/// Mean and covariance of samples.
fn moments(x: &Array2<f64>) -> (Array1<f64>, Array2<f64>) {
    metrics::moments(x.view()).unwrap()
}

/// The largest |coordinate| of the mean error of `x` against `mean`.
fn max_mean_error(x: &Array2<f64>, mean: ndarray::ArrayView1<f64>) -> f64 {
    (&moments(x).0 - &mean)
        .iter()
        .fold(0.0f64, |a, v| a.max(v.abs()))
}

/// Relative error of the sample variance of a·x against the exact posterior's, a = the
/// measurement's one row: how much a sampler over- or under-disperses along the direction the
/// measurement informs (docs/math.md §7 guidance).
fn measured_variance_error(x: &Array2<f64>, exact: &Gaussian, meas: &LinearMeasurement) -> f64 {
    let a = meas.matrix().row(0).to_owned();
    let cov = moments(x).1;
    a.dot(&cov.dot(&a)) / a.dot(&exact.cov().dot(&a)) - 1.0
}

/// The diffusion-based samplers at their defaults.
fn dps() -> Dps {
    Dps::new(DpsConfig::default()).unwrap()
}
fn pigdm() -> Pigdm {
    Pigdm::new(PigdmConfig::default()).unwrap()
}
fn langevin() -> PosteriorLangevin {
    PosteriorLangevin::new(PosteriorLangevinConfig::default()).unwrap()
}

#[test]
fn pigdm_and_langevin_are_exact_in_mean_on_an_isotropic_gaussian_and_dps_is_biased() {
    // Prior N(μ, I), the d = 2 problem, n = 4000. ΠGDM's p̃_t is then the exact p_t(y | x), so
    // the guided score is the exact score of the OU-smoothed posterior (tested pointwise above)
    // and ΠGDM and Langevin target N(m, Σ) := the posterior diffused to t_min. For Gaussian laws
    // both samplers' means are exact whatever the steps (the ancestral step and the Langevin
    // corrector are affine in x and preserve the mean of a Gaussian target), so each mean
    // coordinate must be within 4.5 SE = 4.5 √(Σ_ii/n) (rate 6.8e-6 each, 4 coordinates). The
    // variances carry discretisation bias (DDPM-ancestral's missing variance, O(h) per step, and
    // the corrector's O(r²) = 1% inflation; the measured relative errors, −4% to +5% over four
    // seeds, are within 2 SE of ±3%): each diagonal entry must be within 0.03 Σ_ii + 5 SE,
    // SE = Σ_ii √(2/n) (rate ≤ 5.7e-7 each if the bias is within 3%).
    // For N(μ, I) the Jacobian-free α_t I *is* the denoiser's Jacobian, so handing the law
    // itself (Jacobian-free) or `WithVjp` (exact) must give the same samples up to rounding.
    let prior = Gaussian::isotropic(array![1.0, -0.5], 1.0).unwrap();
    let (meas, y) = problem_2d();
    let (a, eta) = (meas.matrix(), meas.noise_std());
    let target = prior
        .posterior(a, eta, y.view())
        .unwrap()
        .at_time(1e-3)
        .unwrap();
    let n = 4000;
    let with_vjp = WithVjp::new(&prior);
    for name in ["pigdm", "langevin"] {
        let run = |prior: &dyn PriorScore| {
            let mut r = rng::stream(208, "iso", &[]);
            let out = match name {
                "pigdm" => pigdm().sample(prior, &meas, y.view(), n, &mut r),
                _ => langevin().sample(prior, &meas, y.view(), n, &mut r),
            };
            out.unwrap().samples
        };
        let exact = run(&with_vjp);
        let free = run(&prior);
        let diff = (&exact - &free).iter().fold(0.0f64, |a, v| a.max(v.abs()));
        assert!(
            diff < 1e-9,
            "{name}: exact vs Jacobian-free differ by {diff}"
        );
        let (mean, cov) = moments(&exact);
        for i in 0..2 {
            let sig = target.cov()[[i, i]];
            let z = (mean[i] - target.mean()[i]) / (sig / n as f64).sqrt();
            let rel = cov[[i, i]] / sig - 1.0;
            eprintln!("{name} on N(μ, I): mean z[{i}] = {z:.2}, variance rel. error {rel:+.3}");
            assert!(z.abs() < 4.5, "{name}: mean z[{i}] = {z}");
            assert!(
                rel.abs() < 0.03 + 5.0 * (2.0 / n as f64).sqrt(),
                "{name}: {rel}"
            );
        }
    }
    // DPS is not exact even here: over seeds 0–2 its largest mean error is 0.054–0.063 (MC SE
    // ≤ 0.014 per coordinate at n = 4000), and it under-disperses along the measured direction.
    // Tolerance: largest measured + 4 SE ≈ 0.12. It would catch guidance that is off or a tenth
    // as strong (the prior-to-posterior shift is 0.78 in x₁) or a doubled bias.
    let out = dps()
        .sample(
            &prior,
            &meas,
            y.view(),
            n,
            &mut rng::stream(208, "iso", &[]),
        )
        .unwrap();
    let err = max_mean_error(&out.samples, target.mean());
    let spread = measured_variance_error(&out.samples, &target, &meas);
    eprintln!("DPS on N(μ, I): largest mean error {err:.4}, Var(a·x) rel. error {spread:+.4}");
    assert!(err < 0.12, "DPS mean error {err}");
    // Its under-dispersion along a, as in the correlated test below (measured −0.758 … −0.752
    // over seeds 0–3 of that test's stream on this prior).
    assert!((spread + 0.76).abs() < 0.03, "DPS spread {spread}");
}

#[test]
fn approximate_samplers_biases_on_a_correlated_gaussian_are_bounded() {
    // Correlated prior (eigenvalues 0.07 … 1.5): ΠGDM's r_t² = v_t and α_t I are both
    // approximations, so every method has a bias. Measured largest |mean error| per coordinate
    // against the exact posterior at t_min, over seeds 0–2 at n = 4000 (MC SE ≤ 0.013):
    //   ΠGDM exact J 0.025, Jacobian-free 0.159; Langevin exact J 0.024, Jacobian-free 0.121;
    //   DPS exact J 0.216, Jacobian-free 0.078.
    // Tolerance: largest measured + 0.05 (≈ 4 SE): fails if a bias grows by ≳ 0.05, e.g. the
    // Jacobian-free variants' (the α_t I approximation is what separates 0.025 from 0.159) or a
    // wrong VJP scaling in the exact ones. Deterministic (fixed seed).
    //
    // Spread along the measured direction a = (1, ½): the relative error of Var(a·x) against the
    // exact posterior's, over seeds 0–3 at n = 4000 (SE of the ratio √(2/n) ≈ 0.022 for an
    // unbiased sampler) and both Jacobians:
    //   ΠGDM −0.05 … +0.03, Langevin +0.007 … +0.078 (the corrector's O(r²) inflation plus
    //   noise; at n = 20000 it is −0.006 … +0.019), DPS −0.765 … −0.755 (both Jacobians, and
    //   −0.758 … −0.752 on the isotropic prior).
    // ΠGDM and Langevin: |error| < 0.03 + 5 SE as in the isotropic test (bias within 3%, rate
    // ≤ 5.7e-7 each). DPS under-disperses: its step ζ/‖r‖·∇‖r‖² has a fixed length, so the
    // residual y − A D_t(x) ends up much narrower than the noise; the error is nearly
    // deterministic (spread 0.01 over seeds, SE of the ratio ≈ 0.24·√(2/n) ≈ 0.005), so it must lie
    // in −0.76 ± 0.03 (≈ 6 SE). That band is a real check of the guidance strength: halving ζ
    // gives −0.94 and doubling it −0.04 (measured, same seeds).
    let g = common::gaussian(2);
    let (meas, y) = problem_2d();
    let target = g
        .posterior(meas.matrix(), meas.noise_std(), y.view())
        .unwrap()
        .at_time(1e-3)
        .unwrap();
    let n = 4000;
    let with_vjp = WithVjp::new(&g);
    let cases: [(&str, &dyn PriorScore, f64, f64, f64); 2] = [
        // (Jacobian, prior, ΠGDM bound, Langevin bound, DPS bound)
        ("exact", &with_vjp, 0.025 + 0.05, 0.024 + 0.05, 0.216 + 0.05),
        ("free", &g, 0.159 + 0.05, 0.121 + 0.05, 0.078 + 0.05),
    ];
    for (jac, prior, b_pigdm, b_langevin, b_dps) in cases {
        let r = || rng::stream(300, "measure", &[0]);
        let errs = [
            (
                "pigdm",
                pigdm().sample(prior, &meas, y.view(), n, &mut r()),
                b_pigdm,
            ),
            (
                "langevin",
                langevin().sample(prior, &meas, y.view(), n, &mut r()),
                b_langevin,
            ),
            (
                "dps",
                dps().sample(prior, &meas, y.view(), n, &mut r()),
                b_dps,
            ),
        ];
        for (name, out, bound) in errs {
            let samples = out.unwrap().samples;
            let err = max_mean_error(&samples, target.mean());
            let spread = measured_variance_error(&samples, &target, &meas);
            eprintln!("{name} ({jac} Jacobian), correlated Gaussian: mean error {err:.4} (bound {bound:.3}), Var(a·x) rel. error {spread:+.4}");
            assert!(err < bound, "{name} {jac}: {err}");
            if name == "dps" {
                assert!((spread + 0.76).abs() < 0.03, "{name} {jac}: {spread}");
            } else {
                let se = (2.0 / n as f64).sqrt();
                assert!(spread.abs() < 0.03 + 5.0 * se, "{name} {jac}: {spread}");
            }
        }
    }
}

#[test]
fn approximate_samplers_biases_on_a_gmm_are_bounded() {
    // DPS, ΠGDM and Langevin (exact and Jacobian-free) on the d = 2 GMM problem at their default
    // steps, n = 1000, by name on run-time priors. Asserted: counted costs; that the exact
    // Jacobian halves the energy distance of ΠGDM and Langevin here (measured 0.12–0.18 vs
    // 0.42–0.53 and 0.08–0.11 vs 0.35–0.43 over seeds 0–3), which catches swapped Jacobians;
    // and bounds on the energy distance and the largest mean error: 1.25 × the largest value
    // measured over seeds 0–3 (listed below; seed 0 is the one run), so a regression that
    // worsens a bias by a quarter fails. Rejection (exact) must be at the noise floor.
    let m = common::gmm(2);
    let (meas, y) = problem_2d();
    let post = m
        .at_time(1e-3)
        .unwrap()
        .posterior(meas.matrix(), meas.noise_std(), y.view())
        .unwrap();
    let n = 1000;
    let exact_prior = Prior::exact(&m);
    let free_prior = Prior::from_score(&m).with_sampler(&m);
    // (name, Jacobian, largest energy, largest mean error) over seeds 0–3.
    let cases = [
        ("rejection", Jacobian::Exact, 0.0, 0.0),
        ("dps", Jacobian::Exact, 0.220, 0.277),
        ("dps", Jacobian::Free, 0.567, 0.784),
        ("pigdm", Jacobian::Exact, 0.181, 0.468),
        ("pigdm", Jacobian::Free, 0.531, 0.929),
        ("langevin", Jacobian::Exact, 0.109, 0.379),
        ("langevin", Jacobian::Free, 0.427, 0.832),
    ];
    let mut energies = std::collections::HashMap::new();
    for (name, jacobian, energy_max, mean_err_max) in cases {
        let method = PosteriorMethod::from_name(name).unwrap();
        let prior = match jacobian {
            Jacobian::Exact => &exact_prior,
            Jacobian::Free => &free_prior,
        };
        assert_eq!(prior.jacobian(), jacobian);
        let mut r = rng::stream(205, "bias", &[]);
        let out = method.sample(prior, &meas, y.view(), n, &mut r).unwrap();
        assert!(out.samples.iter().all(|v| v.is_finite()));
        let dist = common::distances(out.samples.view(), &post, 9);
        let labels = metrics::assign_components(&post, 0.0, out.samples.view()).unwrap();
        let mass0 = labels.iter().filter(|&&l| l == 0).count() as f64 / n as f64;
        let mean_err = max_mean_error(&out.samples, post.mean().view());
        let st = &out.stats;
        eprintln!(
            "{name} ({jacobian:?}): energy {:.5} (floor {:.5}), mass₀ {mass0:.3} (exact {:.3}), mean err {mean_err:.4}, score evals/pt {}, VJPs/pt {}",
            dist.energy, dist.energy_floor, post.weights()[0], st.score_evals / n as u64, st.vjp_evals / n as u64
        );
        energies.insert((name, jacobian), dist.energy);
        let steps = method.schedule().map_or(0, |s| s.steps) as u64;
        let vjps_per_eval = u64::from(jacobian == Jacobian::Exact);
        match name {
            // Exact-vs-exact energy at n = 1000 is within ±2.5e-3 (measured).
            "rejection" => assert!(dist.energy < 5e-3),
            "dps" | "pigdm" => {
                assert_eq!(st.score_evals, steps * n as u64);
                assert_eq!(st.vjp_evals, vjps_per_eval * steps * n as u64);
            }
            _ => {
                assert_eq!(st.score_evals, 2 * steps * n as u64);
                assert_eq!(st.vjp_evals, vjps_per_eval * 2 * steps * n as u64);
            }
        }
        if name != "rejection" {
            assert!(dist.energy < 1.25 * energy_max, "{name} {jacobian:?}");
            assert!(mean_err < 1.25 * mean_err_max, "{name} {jacobian:?}");
        }
    }
    for name in ["pigdm", "langevin"] {
        assert!(
            energies[&(name, Jacobian::Exact)] < 0.5 * energies[&(name, Jacobian::Free)],
            "{name}: {energies:?}"
        );
    }
}

/// A user's own score, for N(μ, I): under the OU process X_t ~ N(α_t μ, I) (α_t² + v_t = 1),
/// so s_t(x) = α_t μ − x. It implements `Score` only: no VJPs, no sampler.
struct MyIsotropicScore {
    mean: Array1<f64>,
}

impl Dimension for MyIsotropicScore {
    fn dim(&self) -> usize {
        self.mean.len()
    }
}

impl Score for MyIsotropicScore {
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        hardiff_dist::score::check_shapes(self.dim(), &x, &out)?;
        let shift = &self.mean * ou::alpha(t);
        out.assign(&(&shift - &x));
        Ok(())
    }
}

#[test]
fn every_diffusion_method_runs_by_name_on_a_user_defined_score() {
    // What a downstream user of hardiff-sde alone does: their own `Score`, a method by name.
    // Prior N(μ, I) in d = 2, the d = 2 problem. Exact references: ΠGDM and Langevin target the
    // posterior diffused to t_min (their guided score is then exact, see above); SMC targets
    // p_{t_min} reweighted by the likelihood (module docs), i.e. the posterior of the prior at
    // t_min. The two differ by < 1e-3.
    let mean = array![1.0, -0.5];
    let user = MyIsotropicScore { mean: mean.clone() };
    let law = Gaussian::isotropic(mean, 1.0).unwrap();
    let (meas, y) = problem_2d();
    let (a, eta) = (meas.matrix(), meas.noise_std());
    let smoothed_post = law
        .posterior(a, eta, y.view())
        .unwrap()
        .at_time(1e-3)
        .unwrap();
    let smc_target = law
        .at_time(1e-3)
        .unwrap()
        .posterior(a, eta, y.view())
        .unwrap();
    let prior = Prior::from_score(&user);
    assert_eq!(prior.jacobian(), Jacobian::Free);
    let n = 2000;
    // ΠGDM, Langevin: i.i.d. samples, exact mean (previous tests): |z| < 4.5 per coordinate
    // (rate 6.8e-6 each).
    for name in ["pigdm", "langevin"] {
        let mut r = rng::stream(209, name, &[]);
        let out = PosteriorMethod::from_name(name)
            .unwrap()
            .sample(&prior, &meas, y.view(), n, &mut r)
            .unwrap();
        assert_eq!(out.stats.vjp_evals, 0);
        let m = moments(&out.samples).0;
        for i in 0..2 {
            let sig = smoothed_post.cov()[[i, i]];
            let z = (m[i] - smoothed_post.mean()[i]) / (sig / n as f64).sqrt();
            eprintln!("{name} on a user score: mean z[{i}] = {z:.2}");
            assert!(z.abs() < 4.5, "{name}: z[{i}] = {z}");
        }
    }
    // SMC: its output is not i.i.d. (resampling duplicates particles), so the standard error
    // comes from 16 independent runs of P = n = 250: the mean over runs must be within 6
    // estimated SE of the exact mean per coordinate (Student t with 15 degrees of freedom:
    // P(|t| > 6) = 2.4e-5 each). The 100-step chain's own bias in the mean (its ~5% variance
    // deficit shifts the posterior mean by ≈ 0.003) is well below that SE (≈ 0.01).
    let runs: Vec<Array1<f64>> = (0..16u64)
        .map(|k| {
            let mut r = rng::stream(209, "smc", &[k]);
            let out = PosteriorMethod::from_name("smc")
                .unwrap()
                .sample(&prior, &meas, y.view(), 250, &mut r)
                .unwrap();
            assert_eq!(out.stats.vjp_evals, 0);
            moments(&out.samples).0
        })
        .collect();
    for i in 0..2 {
        let xs: Vec<f64> = runs.iter().map(|m| m[i]).collect();
        let avg = xs.iter().sum::<f64>() / 16.0;
        let sd = (xs.iter().map(|v| (v - avg).powi(2)).sum::<f64>() / 15.0).sqrt();
        let t = (avg - smc_target.mean()[i]) / (sd / 4.0);
        eprintln!(
            "smc on a user score: mean t[{i}] = {t:.2} (SE {:.4})",
            sd / 4.0
        );
        assert!(t.abs() < 6.0, "smc: t[{i}] = {t}");
    }
    // DPS runs and shows the bias bounded on this law in the isotropic test above (< 0.12).
    let mut r = rng::stream(209, "dps", &[]);
    let out = PosteriorMethod::from_name("dps")
        .unwrap()
        .sample(&prior, &meas, y.view(), n, &mut r)
        .unwrap();
    let err = max_mean_error(&out.samples, smoothed_post.mean());
    eprintln!("dps on a user score: largest mean error {err:.4}");
    assert!(err < 0.12);
    // Rejection needs exact draws: by name it is the one typed run-time error.
    let mut r = rng::stream(209, "rejection", &[]);
    assert!(matches!(
        PosteriorMethod::from_name("rejection").unwrap().sample(
            &prior,
            &meas,
            y.view(),
            10,
            &mut r
        ),
        Err(Error::MissingOracle {
            sampler: "rejection",
            ..
        })
    ));
}

#[test]
fn bad_input_is_a_typed_error() {
    let g = Gaussian::standard(2).unwrap();
    let (meas, y) = problem_2d();
    let mut r = rng::stream(206, "errors", &[]);
    let method = |name: &str| PosteriorMethod::from_name(name).unwrap().with_steps(5);
    // A prior with only a score runs every diffusion method (Jacobian-free); only rejection
    // sampling needs more.
    let only_score = Prior::from_score(&g);
    assert!(matches!(
        method("rejection").sample(&only_score, &meas, y.view(), 5, &mut r),
        Err(Error::MissingOracle { .. })
    ));
    for name in ["smc", "dps", "pigdm", "langevin"] {
        let out = method(name)
            .sample(&only_score, &meas, y.view(), 5, &mut r)
            .unwrap();
        assert_eq!(out.stats.vjp_evals, 0, "{name}");
        let out = method(name)
            .sample(&Prior::from_score_vjp(&g), &meas, y.view(), 5, &mut r)
            .unwrap();
        assert!(out.stats.vjp_evals > 0, "{name}");
    }
    // Dimension mismatches: prior vs A, y vs A; n = 0.
    let g3 = Gaussian::standard(3).unwrap();
    for name in PosteriorMethod::NAMES {
        assert!(
            matches!(
                method(name).sample(&Prior::exact(&g3), &meas, y.view(), 5, &mut r),
                Err(Error::DimensionMismatch { .. })
            ),
            "{name}"
        );
        assert!(
            matches!(
                method(name).sample(&Prior::exact(&g), &meas, array![1.0, 2.0].view(), 5, &mut r),
                Err(Error::DimensionMismatch { .. })
            ),
            "{name}"
        );
        assert!(
            matches!(
                method(name).sample(&Prior::exact(&g), &meas, y.view(), 0, &mut r),
                Err(Error::Empty { .. })
            ),
            "{name}"
        );
    }
    assert!(matches!(
        PosteriorMethod::from_name("magic"),
        Err(Error::Invalid(_))
    ));
    // Invalid configurations are refused when the sampler is built.
    assert!(matches!(
        Dps::new(DpsConfig::default().with_zeta(-1.0)),
        Err(Error::NonPositive { .. })
    ));
    assert!(matches!(
        PosteriorMethod::Dps(DpsConfig::default().with_zeta(f64::NAN)).sample(
            &Prior::exact(&g),
            &meas,
            y.view(),
            5,
            &mut r
        ),
        Err(Error::NonPositive { .. })
    ));
    assert!(matches!(
        Smc::new(SmcConfig::default().with_ess_threshold(2.0)),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        Smc::new(SmcConfig::default().with_particles(0)),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        Pigdm::new(PigdmConfig::default().with_steps(0)),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        PosteriorLangevin::new(
            PosteriorLangevinConfig::default().with_schedule(Schedule::new(10).with_t_min(20.0))
        ),
        Err(Error::InvalidGrid(_))
    ));
    assert!(matches!(
        Rejection::new(RejectionConfig::default().with_max_draws(0)),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        hardiff_sde::posterior::rejection(&g, &meas, y.view(), 5, 0, &mut r),
        Err(Error::Empty { .. })
    ));
}

#[test]
fn configs_stats_and_priors_round_trip_through_json() {
    // What the CLI reads and writes: a prior file, a posterior method and the --stats output.
    let m = common::gmm(2);
    let json = serde_json::to_string(&m).unwrap();
    let back: GaussianMixture = serde_json::from_str(&json).unwrap();
    // serde_json's float parsing may differ from the printed value in the last ulp.
    assert_eq!(back.weights(), m.weights());
    for (b, c) in back.components().iter().zip(m.components()) {
        assert!((&b.mean() - &c.mean()).iter().all(|v| v.abs() < 1e-15));
        assert!((&b.cov() - &c.cov()).iter().all(|v| v.abs() < 1e-15));
    }
    let bad = r#"{"weights": [0.5, 0.6], "components": [{"mean": [0], "cov": [[1]]}, {"mean": [1], "cov": [[1]]}]}"#;
    assert!(serde_json::from_str::<GaussianMixture>(bad).is_err());
    let not_pd = r#"{"mean": [0, 0], "cov": [[1, 2], [2, 1]]}"#;
    assert!(serde_json::from_str::<Gaussian>(not_pd).is_err());
    for name in PosteriorMethod::NAMES {
        let method = PosteriorMethod::from_name(name).unwrap().with_steps(7);
        let s = serde_json::to_string(&method).unwrap();
        assert_eq!(serde_json::from_str::<PosteriorMethod>(&s).unwrap(), method);
        // The tag alone gives the defaults.
        let tag_only = format!(r#"{{"method": "{name}"}}"#);
        assert_eq!(
            serde_json::from_str::<PosteriorMethod>(&tag_only).unwrap(),
            PosteriorMethod::from_name(name).unwrap()
        );
    }
    let smc: PosteriorMethod =
        serde_json::from_str(r#"{"method": "smc", "particles": 64, "ess_threshold": 0.25}"#)
            .unwrap();
    assert_eq!(
        smc,
        PosteriorMethod::Smc(
            SmcConfig::default()
                .with_particles(64)
                .with_ess_threshold(0.25)
        )
    );
    assert!(serde_json::from_str::<PosteriorMethod>(r#"{"method": "magic"}"#).is_err());
    let (meas, y) = problem_2d();
    let mut r = rng::stream(207, "json", &[]);
    let out = PosteriorMethod::from_name("smc")
        .unwrap()
        .with_steps(10)
        .sample(&Prior::exact(&m), &meas, y.view(), 50, &mut r)
        .unwrap();
    let v: serde_json::Value = serde_json::to_value(&out.stats).unwrap();
    assert_eq!(v["method"], "smc");
    assert_eq!(v["ess_trace"].as_array().unwrap().len(), 11);
    assert_eq!(v["particles"], 50);
}

/// Rejection sampling's prior blocks come from streams keyed by the seed and the block index and
/// are taken in block order (docs/math.md §6; posterior::rejection module docs): the samples and
/// the draw count are identical on 1, 2 and 4 threads, and for a prior whose draws cost
/// more (g̃) as for a cheap one. Deterministic: no false failures.
#[test]
fn rejection_output_does_not_depend_on_the_thread_count() {
    let (meas, y) = problem_2d();
    let m = common::gmm(2);
    let f = hardiff_owf::Candidate::Blake3.build_arc(4, 4, 3).unwrap();
    let owf = hardiff_dist::OwfDistribution::with_default_params(f).unwrap();
    let owf_meas = LinearMeasurement::new(
        Array2::from_shape_fn((2, 8), |(i, j)| if j == 4 + i { 1.0 } else { 0.0 }),
        0.3,
    )
    .unwrap();
    let owf_y = array![0.5, -0.5];
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            // Enough acceptances for several rounds of several blocks each.
            let mut r = rng::stream(7, "rejection/threads", &[]);
            let a =
                hardiff_sde::posterior::rejection(&m, &meas, y.view(), 3000, 10_000_000, &mut r)
                    .unwrap();
            let before = owf.function().evaluations();
            let b = hardiff_sde::posterior::rejection(
                &owf,
                &owf_meas,
                owf_y.view(),
                500,
                10_000_000,
                &mut r,
            )
            .unwrap();
            // f is charged for the draws examined, not for blocks other threads drew past
            // the 500th acceptance.
            assert_eq!(
                owf.function().evaluations() - before,
                b.stats.prior_draws,
                "{threads} threads: counted f-evaluations"
            );
            (
                a.samples,
                a.stats.prior_draws,
                b.samples,
                b.stats.prior_draws,
            )
        })
    };
    let one = run(1);
    assert!(one.1 > 3000 && one.3 > 500);
    for threads in [2, 4] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
}
