//! The single-crate API a downstream user sees (crate docs): one owner of `dim()`, owned
//! results beside buffer-writing ones, the traits through references and boxes, errors from
//! the user's own code, exact sampling of any law at OU time t, and Tweedie's denoiser.
//! References are closed forms (docs/math.md §0, §7) and the buffer-writing methods themselves.

use hardiff_dist::prelude::*;
use hardiff_dist::{CountingScore, Error};
use hardiff_owf::Candidate;
use ndarray::array;
use rand_distr::{Distribution, StandardNormal};

/// `dim()` on a generic law that is both a score and a sampler resolves to [`Dimension`]
/// (it was ambiguous, E0034, when three traits each declared it).
fn dim_of<L: Score + SampleBatch + LogDensity>(law: &L) -> usize {
    law.dim()
}

#[test]
fn one_dim_for_every_trait() {
    let pancakes = GaussianPancakes::with_random_secret(3, 2.0, 0.5, 1).unwrap();
    assert_eq!(dim_of(&pancakes), 3);
    let g = OwfDistribution::with_default_params(Candidate::Identity.build_arc(2, 2, 0).unwrap())
        .unwrap();
    // OwfDistribution implements SampleBatch and LogDensity: `g.dim()` is n + m.
    assert_eq!(g.dim(), 4);
    let boxed: Box<dyn Score> = Box::new(StandardGaussian::new(5).unwrap());
    assert_eq!(boxed.dim(), 5);
}

#[test]
fn owned_results_equal_the_buffer_writing_methods() {
    let law = GaussianPancakes::with_random_secret(4, 3.0, 0.2, 2).unwrap();
    let x = law.sample_batch(&mut rng::stream(1, "api", &[]), 7);
    let v = law.sample_batch(&mut rng::stream(2, "api", &[]), 7);
    let t = 0.05;
    let mut s = Array2::zeros((7, 4));
    law.score(t, x.view(), s.view_mut()).unwrap();
    assert_eq!(law.score_owned(t, x.view()).unwrap(), s);
    let mut lp = Array1::zeros(7);
    law.log_density(t, x.view(), lp.view_mut()).unwrap();
    assert_eq!(law.log_density_owned(t, x.view()).unwrap(), lp);
    let mut jv = Array2::zeros((7, 4));
    law.score_vjp(t, x.view(), v.view(), jv.view_mut()).unwrap();
    assert_eq!(law.score_vjp_owned(t, x.view(), v.view()).unwrap(), jv);
    // Errors still surface: a point of the wrong dimension.
    let bad = Array2::<f64>::zeros((2, 3));
    assert!(matches!(
        law.score_owned(t, bad.view()),
        Err(Error::DimensionMismatch { .. })
    ));
}

#[test]
fn counting_a_borrowed_score_keeps_its_vjp() {
    let law = Gaussian::new(array![1.0, -1.0], array![[2.0, 0.5], [0.5, 1.0]]).unwrap();
    let counted = CountingScore::new(&law);
    let x = array![[0.0, 0.0], [1.0, 2.0], [-3.0, 0.5]];
    let v = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
    // CountingScore<&Gaussian> is a ScoreVjp: usable by guidance samplers while counting.
    let jv = counted.score_vjp_owned(0.3, x.view(), v.view()).unwrap();
    assert_eq!(counted.counter().get(), 3);
    assert_eq!(jv, law.score_vjp_owned(0.3, x.view(), v.view()).unwrap());
}

/// A user's score that fails with the user's own error type.
struct Unloaded;

#[derive(Debug)]
struct NotLoaded(&'static str);

impl std::fmt::Display for NotLoaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "weights not loaded from {}", self.0)
    }
}

impl std::error::Error for NotLoaded {}

impl Dimension for Unloaded {
    fn dim(&self) -> usize {
        2
    }
}

impl Score for Unloaded {
    fn score(&self, _t: f64, _x: ArrayView2<f64>, _out: ArrayViewMut2<f64>) -> Result<()> {
        Err(Error::external(NotLoaded("net.json")))
    }
}

#[test]
fn a_user_score_reports_its_own_error() {
    let reference = StandardGaussian::new(2).unwrap();
    let x = Array2::zeros((3, 2));
    // Through hardiff's own estimator, unchanged and downcastable.
    let err = l2_score_error(&Unloaded, &reference, 0.1, x.view()).unwrap_err();
    assert_eq!(err.to_string(), "weights not loaded from net.json");
    let Error::External(inner) = &err else {
        panic!("expected an external error, got {err:?}");
    };
    assert_eq!(
        inner.get_ref().downcast_ref::<NotLoaded>().unwrap().0,
        "net.json"
    );
    // Clones share the original (errors stay `Clone + PartialEq` for the crates above).
    assert_eq!(err.clone(), err);
    assert_ne!(err, Error::external(NotLoaded("net.json")));
}

#[test]
fn ou_marginal_draws_the_law_then_the_noise() {
    // X_t = α_t X_0 + √v_t Z (docs/math.md §0), X_0's draws first, then Z row-major.
    let law = StandardGaussian::new(2).unwrap();
    let t = 0.7;
    let xt = OuMarginal::new(&law, t)
        .unwrap()
        .sample_batch(&mut rng::stream(3, "api-ou", &[]), 5);
    let mut r = rng::stream(3, "api-ou", &[]);
    let x0 = law.sample_batch(&mut r, 5);
    let expected = x0.mapv(|v| {
        let z: f64 = StandardNormal.sample(&mut r);
        ou_time::alpha(t) * v + ou_time::noise_std(t) * z
    });
    assert_eq!(xt, expected);
    // At t = 0 it is the law itself and draws nothing more.
    let x0_again = OuMarginal::new(&law, 0.0)
        .unwrap()
        .sample_batch(&mut rng::stream(3, "api-ou", &[]), 5);
    assert_eq!(x0_again, x0);
    assert!(OuMarginal::new(&law, -1.0).is_err());
}

#[test]
fn tweedie_denoiser_is_the_posterior_mean_of_a_gaussian() {
    // X_0 ~ N(μ, s²) in 1-D: E[X_0 | X_t = x] = μ + α s²(x − α μ)/(α² s² + v) (docs/math.md §7,
    // conditioning a bivariate normal).
    let (mu, s2, t) = (1.5, 0.4, 0.25);
    let law = Gaussian::new(array![mu], array![[s2]]).unwrap();
    let x = array![[-2.0], [0.0], [0.7], [3.0]];
    let score = law.score_owned(t, x.view()).unwrap();
    let denoised = ou_time::denoise(t, x.view(), score.view()).unwrap();
    let (a, v) = ((-t).exp(), 1.0 - (-2.0 * t).exp());
    for (d, xi) in denoised.iter().zip(x.iter()) {
        let expected = mu + a * s2 * (xi - a * mu) / (a * a * s2 + v);
        assert!((d - expected).abs() < 1e-13, "{d} vs {expected}");
    }
}
