//! Tests of the exact Gaussian and Gaussian-mixture laws (docs/math.md §7) against independent
//! computations: finite differences, quadrature, brute-force convolution and exact samples.

use approx::assert_abs_diff_eq;
use hardiff_dist::numerics::integrate;
use hardiff_dist::stats::{chi_square, ks_one_sample, normal_cdf};
use hardiff_dist::{
    rng, Error, Gaussian, GaussianMixture, LogDensity, SampleBatch, Score, ScoreVjp,
};
use ndarray::{array, Array1, Array2, ArrayView2};

/// Largest absolute entry-wise difference.
fn max_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    (a - b).iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

fn g3() -> Gaussian {
    Gaussian::new(
        array![0.5, -1.0, 2.0],
        array![[2.0, 0.3, -0.4], [0.3, 1.0, 0.2], [-0.4, 0.2, 0.5]],
    )
    .unwrap()
}

fn gmm3() -> GaussianMixture {
    let c2 = Gaussian::new(
        array![-1.5, 1.0, 0.0],
        array![[0.3, -0.1, 0.0], [-0.1, 0.6, 0.05], [0.0, 0.05, 0.2]],
    )
    .unwrap();
    GaussianMixture::new(vec![0.35, 0.65], vec![g3(), c2]).unwrap()
}

fn points() -> Array2<f64> {
    array![
        [0.1, -0.3, 1.2],
        [-1.0, 0.8, 0.4],
        [2.5, -2.0, -1.0],
        [0.0, 0.0, 0.0]
    ]
}

fn log_p<L: LogDensity>(law: &L, t: f64, x: ArrayView2<f64>) -> Array1<f64> {
    let mut out = Array1::zeros(x.nrows());
    law.log_density(t, x, out.view_mut()).unwrap();
    out
}

/// Central finite differences of log p_t (step 1e-5; truncation error O(h²)·|∂³ log p| ≈ 1e-9).
fn fd_gradient<L: LogDensity>(law: &L, t: f64, x: &Array2<f64>) -> Array2<f64> {
    let h = 1e-5;
    let mut g = Array2::zeros(x.raw_dim());
    for j in 0..x.ncols() {
        let mut xp = x.clone();
        let mut xm = x.clone();
        xp.column_mut(j).mapv_inplace(|v| v + h);
        xm.column_mut(j).mapv_inplace(|v| v - h);
        let d = (log_p(law, t, xp.view()) - log_p(law, t, xm.view())) / (2.0 * h);
        g.column_mut(j).assign(&d);
    }
    g
}

fn score_of<S: Score>(s: &S, t: f64, x: &Array2<f64>) -> Array2<f64> {
    let mut out = Array2::zeros(x.raw_dim());
    s.score(t, x.view(), out.view_mut()).unwrap();
    out
}

#[test]
fn score_is_gradient_of_log_density() {
    let x = points();
    for t in [0.0, 0.05, 0.7, 3.0] {
        let g = g3();
        assert!(max_diff(&score_of(&g, t, &x), &fd_gradient(&g, t, &x)) < 1e-6);
        let m = gmm3();
        assert!(max_diff(&score_of(&m, t, &x), &fd_gradient(&m, t, &x)) < 1e-6);
    }
}

#[test]
fn vjp_is_jacobian_of_score() {
    let x = points();
    let v = array![
        [1.0, 0.0, -0.5],
        [0.2, 0.3, 0.1],
        [-1.0, 2.0, 0.0],
        [0.0, 1.0, 1.0]
    ];
    let h = 1e-5;
    for t in [0.0, 0.3, 2.0] {
        for law in [&g3() as &dyn ScoreVjp, &gmm3() as &dyn ScoreVjp] {
            // Directional derivative of s along v = J v; J is symmetric (a Hessian), so = Jᵀ v.
            let xp = &x + &(&v * h);
            let xm = &x - &(&v * h);
            let mut sp = Array2::zeros(x.raw_dim());
            let mut sm = Array2::zeros(x.raw_dim());
            law.score(t, xp.view(), sp.view_mut()).unwrap();
            law.score(t, xm.view(), sm.view_mut()).unwrap();
            let fd = (sp - sm) / (2.0 * h);
            let mut jv = Array2::zeros(x.raw_dim());
            law.score_vjp(t, x.view(), v.view(), jv.view_mut()).unwrap();
            assert!(max_diff(&jv, &fd) < 1e-6);
        }
    }
}

#[test]
fn marginal_at_time_matches_quadrature_convolution_1d() {
    // p_t(x) = ∫ p_0(x0) φ_{v_t}(x − α_t x0) dx0 by adaptive Gauss–Kronrod (abs tol 1e-13).
    let mix = GaussianMixture::new(
        vec![0.3, 0.7],
        vec![
            Gaussian::new(array![-2.0], array![[0.04]]).unwrap(),
            Gaussian::new(array![1.0], array![[0.5]]).unwrap(),
        ],
    )
    .unwrap();
    for t in [0.02f64, 0.4, 2.0] {
        let (alpha, v) = ((-t).exp(), 1.0 - (-2.0 * t).exp());
        for x in [-2.5, -0.3, 0.9, 3.0] {
            let p0 = |x0: f64| {
                log_p(&mix, 0.0, array![[x0]].view())[0].exp()
                    * (-(x - alpha * x0).powi(2) / (2.0 * v)).exp()
                    / (2.0 * std::f64::consts::PI * v).sqrt()
            };
            let reference = integrate(&p0, -12.0, 12.0, 1e-13);
            let exact = log_p(&mix, t, array![[x]].view())[0].exp();
            assert_abs_diff_eq!(exact, reference, epsilon = 1e-10);
            let via_law = log_p(&mix.at_time(t).unwrap(), 0.0, array![[x]].view())[0].exp();
            assert_abs_diff_eq!(via_law, exact, epsilon = 1e-13);
        }
    }
}

/// Whitens samples by the exact law and KS-tests each coordinate against Φ; also checks the
/// whitened mean and covariance entry-wise within 5 standard errors (per-entry false-failure
/// rate ≈ 6e-7). Returns the smallest KS p-value.
fn check_whitened(g: &Gaussian, x: &Array2<f64>) -> f64 {
    let n = x.nrows() as f64;
    // z = diag(λ^{-1/2}) Qᵀ (x − μ): N(0, I) under the law.
    let centered = x - &g.mean();
    let mut z = centered.dot(&g.eigenvectors());
    z /= &g.eigenvalues().mapv(f64::sqrt);
    let d = g.dim();
    let mean = z.mean_axis(ndarray::Axis(0)).unwrap();
    for &m in mean.iter() {
        assert!(m.abs() < 5.0 / n.sqrt(), "whitened mean {m}");
    }
    let cov = z.t().dot(&z) / n;
    for i in 0..d {
        for j in 0..d {
            let target = if i == j { 1.0 } else { 0.0 };
            let se = ((1.0 + target) / n).sqrt();
            assert!(
                (cov[[i, j]] - target).abs() < 5.0 * se,
                "whitened cov[{i},{j}] = {}",
                cov[[i, j]]
            );
        }
    }
    (0..d)
        .map(|j| ks_one_sample(&mut z.column(j).to_vec(), normal_cdf).p_value)
        .fold(1.0, f64::min)
}

#[test]
fn gaussian_sampling_matches_law() {
    // Per-coordinate KS with Bonferroni: false-failure rate ≤ 3 · (1e-3/3) = 1e-3.
    let g = g3();
    let mut r = rng::stream(11, "gaussian-test", &[0]);
    let x = g.sample_batch(&mut r, 20_000);
    assert!(check_whitened(&g, &x) > 1e-3 / 3.0);
    // Law at time t against forward-noised exact samples: x_t = α x_0 + √v z.
    let t: f64 = 0.6;
    let (alpha, v) = ((-t).exp(), 1.0 - (-2.0 * t).exp());
    let z = Gaussian::standard(3).unwrap().sample_batch(&mut r, 20_000);
    let xt = &x * alpha + &(z * v.sqrt());
    assert!(check_whitened(&g.at_time(t).unwrap(), &xt) > 1e-3 / 3.0);
}

#[test]
fn mixture_sampling_matches_law() {
    let m = gmm3();
    let mut r = rng::stream(12, "gaussian-test", &[0]);
    let (x, labels) = m.sample_with_labels(&mut r, 20_000);
    let mut counts = [0u64; 2];
    for &l in &labels {
        counts[l] += 1;
    }
    // Component masses: chi-square against w (false-failure rate 1e-3 at the threshold).
    let chi = chi_square(&counts, m.weights().as_slice().unwrap(), 0).unwrap();
    assert!(chi.p_value > 1e-3, "{chi:?}");
    for (k, c) in m.components().iter().enumerate() {
        let rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == k).collect();
        let xk = x.select(ndarray::Axis(0), &rows);
        // 2 components × 3 coordinates, Bonferroni: total false-failure rate ≤ 1e-3.
        assert!(check_whitened(c, &xk) > 1e-3 / 6.0);
    }
    // Overall moments against the closed forms (tolerance 6 SE of a coordinate's mean).
    let mean = x.mean_axis(ndarray::Axis(0)).unwrap();
    let sd = m.cov().diag().mapv(f64::sqrt);
    for j in 0..3 {
        assert!((mean[j] - m.mean()[j]).abs() < 6.0 * sd[j] / (20_000f64).sqrt());
    }
}

/// Brute-force posterior moments in 1-D by quadrature of p(x) exp(−(y − a x)²/(2η²)).
#[test]
fn posterior_matches_quadrature_1d() {
    let mix = GaussianMixture::new(
        vec![0.4, 0.6],
        vec![
            Gaussian::new(array![-1.5], array![[0.2]]).unwrap(),
            Gaussian::new(array![1.0], array![[0.6]]).unwrap(),
        ],
    )
    .unwrap();
    let a = array![[0.8]];
    let eta = 0.3;
    let y = array![-0.4];
    let post = mix.posterior(a.view(), eta, y.view()).unwrap();
    let unnorm = |x: f64| {
        log_p(&mix, 0.0, array![[x]].view())[0].exp()
            * (-(y[0] - a[[0, 0]] * x).powi(2) / (2.0 * eta * eta)).exp()
    };
    let z = integrate(&unnorm, -15.0, 15.0, 1e-14);
    // Evidence: p_Y(y) = Z / √(2πη²).
    let evidence = z / (2.0 * std::f64::consts::PI * eta * eta).sqrt();
    assert_abs_diff_eq!(
        mix.log_evidence(a.view(), eta, y.view()).unwrap(),
        evidence.ln(),
        epsilon = 1e-10
    );
    let m1 = integrate(&|x| x * unnorm(x), -15.0, 15.0, 1e-14) / z;
    let m2 = integrate(&|x| x * x * unnorm(x), -15.0, 15.0, 1e-14) / z;
    assert_abs_diff_eq!(post.mean()[0], m1, epsilon = 1e-10);
    assert_abs_diff_eq!(post.cov()[[0, 0]], m2 - m1 * m1, epsilon = 1e-10);
    // Pointwise density.
    for x in [-2.0, -0.5, 0.3, 1.7] {
        let exact = log_p(&post, 0.0, array![[x]].view())[0].exp();
        assert_abs_diff_eq!(exact, unnorm(x) / z, epsilon = 1e-10);
    }
}

/// Brute-force posterior moments in 2-D by nested adaptive quadrature (tolerance 1e-11 per
/// inner integral) for a Gaussian prior and a mixture prior, one scalar measurement.
#[test]
fn posterior_matches_quadrature_2d() {
    let g = Gaussian::new(array![0.3, -0.2], array![[1.0, 0.4], [0.4, 0.7]]).unwrap();
    let g2 = Gaussian::new(array![-1.0, 1.2], array![[0.3, -0.1], [-0.1, 0.4]]).unwrap();
    let mix = GaussianMixture::new(vec![0.5, 0.5], vec![g.clone(), g2]).unwrap();
    let a = array![[1.0, -0.5]];
    let eta = 0.4;
    let y = array![0.9];
    let check = |prior: &dyn LogDensity, mean: Array1<f64>, cov: Array2<f64>, log_ev: f64| {
        let f = |x1: f64, x2: f64, k: usize| {
            let lp = {
                let mut o = Array1::zeros(1);
                prior
                    .log_density(0.0, array![[x1, x2]].view(), o.view_mut())
                    .unwrap();
                o[0]
            };
            let r = y[0] - a[[0, 0]] * x1 - a[[0, 1]] * x2;
            let w = (lp - r * r / (2.0 * eta * eta)).exp();
            w * [1.0, x1, x2, x1 * x1, x1 * x2, x2 * x2][k]
        };
        let moment = |k: usize| {
            integrate(
                &|x1: f64| integrate(&|x2: f64| f(x1, x2, k), -10.0, 10.0, 1e-12),
                -10.0,
                10.0,
                1e-11,
            )
        };
        let z = moment(0);
        let ev = z / (2.0 * std::f64::consts::PI * eta * eta).sqrt();
        assert_abs_diff_eq!(log_ev, ev.ln(), epsilon = 1e-8);
        let (m1, m2) = (moment(1) / z, moment(2) / z);
        assert_abs_diff_eq!(mean[0], m1, epsilon = 1e-8);
        assert_abs_diff_eq!(mean[1], m2, epsilon = 1e-8);
        assert_abs_diff_eq!(cov[[0, 0]], moment(3) / z - m1 * m1, epsilon = 1e-8);
        assert_abs_diff_eq!(cov[[0, 1]], moment(4) / z - m1 * m2, epsilon = 1e-8);
        assert_abs_diff_eq!(cov[[1, 1]], moment(5) / z - m2 * m2, epsilon = 1e-8);
    };
    let pg = g.posterior(a.view(), eta, y.view()).unwrap();
    check(
        &g,
        pg.mean().to_owned(),
        pg.cov().to_owned(),
        g.log_evidence(a.view(), eta, y.view()).unwrap(),
    );
    let pm = mix.posterior(a.view(), eta, y.view()).unwrap();
    check(
        &mix,
        pm.mean(),
        pm.cov(),
        mix.log_evidence(a.view(), eta, y.view()).unwrap(),
    );
}

#[test]
fn posterior_with_tiny_noise_stays_valid() {
    // η = 1e-4 along a measured direction: Σ' has eigenvalue ≈ η²/‖a‖² there (precision form).
    let g = g3();
    let a = array![[1.0, 0.0, 0.0]];
    let post = g.posterior(a.view(), 1e-4, array![0.7].view()).unwrap();
    assert_abs_diff_eq!(post.mean()[0], 0.7, epsilon = 1e-7);
    assert_abs_diff_eq!(post.cov()[[0, 0]], 1e-8, epsilon = 1e-12);
}

#[test]
fn bad_input_is_a_typed_error() {
    let sym_err = Gaussian::new(array![0.0, 0.0], array![[1.0, 0.5], [0.4, 1.0]]);
    assert!(matches!(sym_err, Err(Error::NotSymmetric { .. })));
    let pd_err = Gaussian::new(array![0.0, 0.0], array![[1.0, 2.0], [2.0, 1.0]]);
    assert!(matches!(pd_err, Err(Error::NotPositiveDefinite { .. })));
    let shape_err = Gaussian::new(array![0.0, 0.0], Array2::eye(3));
    assert!(matches!(shape_err, Err(Error::DimensionMismatch { .. })));
    let g = Gaussian::standard(2).unwrap();
    assert!(matches!(
        GaussianMixture::new(vec![0.5, 0.6], vec![g.clone(), g.clone()]),
        Err(Error::OutOfRange { .. })
    ));
    assert!(matches!(
        GaussianMixture::new(vec![1.5, -0.5], vec![g.clone(), g.clone()]),
        Err(Error::NonPositive { .. })
    ));
    assert!(matches!(
        GaussianMixture::new(
            vec![0.5, 0.5],
            vec![g.clone(), Gaussian::standard(3).unwrap()]
        ),
        Err(Error::DimensionMismatch { .. })
    ));
    let a = array![[1.0, 0.0]];
    assert!(matches!(
        g.posterior(a.view(), 0.0, array![1.0].view()),
        Err(Error::NonPositive { .. })
    ));
    assert!(matches!(
        g.posterior(a.view(), 0.1, array![1.0, 2.0].view()),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        g.posterior(array![[1.0, 0.0, 0.0]].view(), 0.1, array![1.0].view()),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut out = Array2::zeros((1, 3));
    assert!(g
        .score(0.0, array![[1.0, 2.0]].view(), out.view_mut())
        .is_err());
    let mut out2 = Array2::zeros((1, 2));
    assert!(g
        .score(-1.0, array![[1.0, 2.0]].view(), out2.view_mut())
        .is_err());
}
