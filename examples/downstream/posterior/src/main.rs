//! Posterior sampling with nothing but `hardiff-sde`, on the user's own score.
//!
//! The prior is N(μ, diag(c)), written here as a plain `Score`: its OU-smoothed law at time t
//! is N(α_t μ, α_t² c + v_t) per coordinate (docs/math.md §0, §7), so
//! s_t(x)_i = −(x_i − α_t μ_i)/(α_t² c_i + v_t). With it the program
//! 1. samples the prior unconditionally with the probability-flow ODE (Heun) and checks the
//!    mean and variance against μ and c;
//! 2. conditions on one noisy linear measurement y = a·x + η with SMC chosen *by name*, repeats
//!    the run with independent streams, and checks the posterior mean against the closed form
//!    (hardiff's `Gaussian::posterior`, an independent computation) within the Monte-Carlo
//!    error measured across runs.

use hardiff_sde::hardiff_dist::{self, rng, Dimension, Gaussian, Score};
use hardiff_sde::ndarray::{array, Array1, Array2, ArrayView2, ArrayViewMut2, Axis, Zip};
use hardiff_sde::{
    ou, sample, LinearMeasurement, PosteriorMethod, Prior, SamplerConfig, SamplerKind,
};

/// The score of N(mean, diag(variance)) at every OU time.
struct DiagonalGaussianScore {
    mean: Array1<f64>,
    variance: Array1<f64>,
}

impl Dimension for DiagonalGaussianScore {
    fn dim(&self) -> usize {
        self.mean.len()
    }
}

impl Score for DiagonalGaussianScore {
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        hardiff_dist::score::check_shapes(self.dim(), &x, &out)?;
        let alpha = ou::alpha(t);
        let v = ou::variance(t);
        for (x_row, mut out_row) in x.rows().into_iter().zip(out.rows_mut()) {
            Zip::from(&mut out_row)
                .and(&x_row)
                .and(&self.mean)
                .and(&self.variance)
                .for_each(|o, &xi, &m, &c| *o = -(xi - alpha * m) / (alpha * alpha * c + v));
        }
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let prior = DiagonalGaussianScore {
        mean: array![1.0, -0.5, 0.0],
        variance: array![1.0, 0.25, 2.0],
    };
    let mut stream = rng::stream(11, "downstream/posterior", &[]);

    // 1. Unconditional Heun sampling of p_{t_min} ≈ the prior.
    let n = 4000;
    let out = sample(
        &prior,
        &SamplerConfig::new(SamplerKind::Heun),
        n,
        &mut stream,
    )?;
    let mean = out.samples.mean_axis(Axis(0)).unwrap();
    let var = out.samples.var_axis(Axis(0), 1.0);
    println!(
        "Heun, {n} samples, {} score calls: mean {mean:.3}, variance {var:.3}",
        out.stats.score_evals
    );
    for i in 0..prior.dim() {
        let se = (prior.variance[i] / n as f64).sqrt();
        // 5 standard errors, plus the ODE's discretisation and t_min bias (≤ 0.02 here).
        assert!(
            (mean[i] - prior.mean[i]).abs() < 5.0 * se + 0.02,
            "mean[{i}] = {}",
            mean[i]
        );
        assert!(
            (var[i] / prior.variance[i] - 1.0).abs() < 0.1,
            "variance[{i}] = {}",
            var[i]
        );
    }

    // 2. The posterior given y = x₀ + x₂ + η, η = 0.5, y = 2.5, by SMC chosen by name.
    let a = array![[1.0, 0.0, 1.0]];
    let noise = 0.5;
    let y = array![2.5];
    let measurement = LinearMeasurement::new(a.clone(), noise)?;
    let exact = Gaussian::new(prior.mean.clone(), Array2::from_diag(&prior.variance))?.posterior(
        a.view(),
        noise,
        y.view(),
    )?;
    let smc = PosteriorMethod::from_name("smc")?;
    let (runs, particles) = (12, 400);
    let mut run_means = Array2::zeros((runs, prior.dim()));
    for r in 0..runs {
        let mut run_stream = rng::stream(11, "downstream/posterior/smc", &[r as u64]);
        let post = smc.sample(
            &Prior::from_score(&prior),
            &measurement,
            y.view(),
            particles,
            &mut run_stream,
        )?;
        run_means
            .row_mut(r)
            .assign(&post.samples.mean_axis(Axis(0)).unwrap());
    }
    // SMC's particles are not independent (resampling); the spread of independent runs' means
    // is the honest Monte-Carlo error.
    let estimate = run_means.mean_axis(Axis(0)).unwrap();
    let se = run_means.std_axis(Axis(0), 1.0) / (runs as f64).sqrt();
    println!(
        "SMC, {runs} runs × {particles} particles: posterior mean {estimate:.3} ± {se:.3}; exact {:.3}",
        exact.mean()
    );
    for i in 0..prior.dim() {
        // t with 11 degrees of freedom beyond 4.4 has probability < 1e-3 (two-sided), and the
        // 0.01 covers the chain's discretisation bias.
        let gap = (estimate[i] - exact.mean()[i]).abs();
        assert!(
            gap < 4.4 * se[i] + 0.01,
            "posterior mean[{i}]: {} vs {}",
            estimate[i],
            exact.mean()[i]
        );
    }
    println!("ok");
    Ok(())
}
