//! DSM training converges to known scores (docs/math.md §8): diagonal Gaussians in d = 1 and d = 8
//! (closed-form score at every t, docs/math.md §7 "Under OU, N(μ, Σ) at time t is
//! N(α_t μ, α_t² Σ + v_t I)") and a two-component Gaussian mixture whose exact score is the
//! responsibility-weighted average of the component scores. The references are computed inline
//! here, independently of the network code and of `hardiff-dist`'s Gaussian types.

use hardiff_dist::rng::stream;
use hardiff_dist::score_error::l2_score_error;
use hardiff_dist::{Dimension, OuMarginal, SampleBatch, Score};
use hardiff_nn::{DsmConfig, DsmTrainer, Parameterization, ScoreMlp, TimeEmbedding};
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2};
use rand_distr::{Distribution, StandardNormal};

/// N(μ, diag(s²)), with its exact OU score.
struct DiagGaussian {
    mean: Array1<f64>,
    std: Array1<f64>,
}

impl Dimension for DiagGaussian {
    fn dim(&self) -> usize {
        self.mean.len()
    }
}

impl SampleBatch for DiagGaussian {
    fn sample_batch(&self, rng: &mut dyn rand::RngCore, n: usize) -> Array2<f64> {
        Array2::from_shape_fn((n, self.mean.len()), |(_, k)| {
            let z: f64 = StandardNormal.sample(rng);
            self.mean[k] + self.std[k] * z
        })
    }
}

impl Score for DiagGaussian {
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        let (a, v) = ((-t).exp(), 1.0 - (-2.0 * t).exp());
        for ((b, k), o) in out.indexed_iter_mut() {
            // −(x − α μ)/(α² s² + v) per coordinate.
            *o = -(x[[b, k]] - a * self.mean[k]) / (a * a * self.std[k].powi(2) + v);
        }
        Ok(())
    }
}

/// ½ N(μ₁, s² I) + ½ N(μ₂, s² I), with its exact OU score.
struct TwoGmm {
    mu: [Array1<f64>; 2],
    s: f64,
}

impl Dimension for TwoGmm {
    fn dim(&self) -> usize {
        self.mu[0].len()
    }
}

impl SampleBatch for TwoGmm {
    fn sample_batch(&self, rng: &mut dyn rand::RngCore, n: usize) -> Array2<f64> {
        let d = self.mu[0].len();
        let mut x = Array2::zeros((n, d));
        for r in 0..n {
            let c = (rng.next_u32() & 1) as usize;
            for k in 0..d {
                let z: f64 = StandardNormal.sample(rng);
                x[[r, k]] = self.mu[c][k] + self.s * z;
            }
        }
        x
    }
}

impl Score for TwoGmm {
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        let (a, v) = ((-t).exp(), 1.0 - (-2.0 * t).exp());
        let var = a * a * self.s * self.s + v;
        for (b, row) in x.rows().into_iter().enumerate() {
            let d2: Vec<f64> = (0..2)
                .map(|c| {
                    row.iter()
                        .zip(self.mu[c].iter())
                        .map(|(xi, m)| (xi - a * m).powi(2))
                        .sum::<f64>()
                })
                .collect();
            // responsibility of component 0 (equal weights, equal covariances)
            let r0 = 1.0 / (1.0 + ((d2[0] - d2[1]) / (2.0 * var)).exp());
            for k in 0..row.len() {
                let s0 = -(row[k] - a * self.mu[0][k]) / var;
                let s1 = -(row[k] - a * self.mu[1][k]) / var;
                out[[b, k]] = r0 * s0 + (1.0 - r0) * s1;
            }
        }
        Ok(())
    }
}

fn config(steps: usize, seed: u64) -> DsmConfig {
    DsmConfig {
        steps,
        batch_size: 256,
        learning_rate: 3e-3,
        t_min: 0.01,
        t_max: 2.0,
        seed,
        ..DsmConfig::default()
    }
}

fn normalised_errors(
    model: &ScoreMlp,
    law: &(impl SampleBatch + Score),
    ts: &[f64],
) -> Vec<(f64, f64, f64)> {
    ts.iter()
        .map(|&t| {
            let mut rng = stream(99, "nn-test-eval", &[(t * 1e6) as u64]);
            let x = OuMarginal::new(law, t)
                .unwrap()
                .sample_batch(&mut rng, 4000);
            let e = l2_score_error(model, law, t, x.view()).unwrap();
            (t, e.normalised_error, e.mean_squared_error)
        })
        .collect()
}

#[test]
fn learns_a_one_dimensional_gaussian_score() {
    let law = DiagGaussian {
        mean: Array1::from(vec![1.0]),
        std: Array1::from(vec![0.5]),
    };
    let emb = TimeEmbedding::new(0.01, 2.0, 3).unwrap();
    let mut model = ScoreMlp::new(1, &[64, 64], emb, Parameterization::Noise, 1).unwrap();
    let cfg = config(1500, 1);
    let mut tr = DsmTrainer::new(&model, cfg).unwrap();
    tr.run(&mut model, &law, 1500).unwrap();
    for (t, norm, mse) in normalised_errors(&model, &law, &[0.03, 0.3, 1.0]) {
        eprintln!("1-D Gaussian: t = {t}: normalised error {norm:.4}, mse {mse:.4e}");
        // Bound: 0.1 normalised (the score's own normalised scale is √v·‖s‖ ~ 1).
        assert!(norm < 0.1, "t = {t}: normalised error {norm}");
    }
}

#[test]
fn learns_an_eight_dimensional_gaussian_score() {
    let law = DiagGaussian {
        mean: Array1::from_iter((0..8).map(|k| 0.5 - 0.15 * k as f64)),
        std: Array1::from_iter((0..8).map(|k| 0.4 + 0.1 * k as f64)),
    };
    let emb = TimeEmbedding::new(0.01, 2.0, 3).unwrap();
    let mut model =
        ScoreMlp::new(8, &[128, 128], emb, Parameterization::GaussianResidual, 2).unwrap();
    let mut tr = DsmTrainer::new(&model, config(2000, 2)).unwrap();
    tr.run(&mut model, &law, 2000).unwrap();
    for (t, norm, mse) in normalised_errors(&model, &law, &[0.03, 0.3, 1.0]) {
        eprintln!("8-D Gaussian: t = {t}: normalised error {norm:.4}, mse {mse:.4e}");
        // Bound 0.15 normalised over 8 coordinates (≈ 0.05 per coordinate).
        assert!(norm < 0.15, "t = {t}: normalised error {norm}");
    }
}

#[test]
fn mixture_score_error_falls_with_training() {
    let law = TwoGmm {
        mu: [Array1::from(vec![1.5, 0.0]), Array1::from(vec![-1.5, 0.5])],
        s: 0.4,
    };
    let emb = TimeEmbedding::new(0.01, 2.0, 3).unwrap();
    let mut model = ScoreMlp::new(2, &[64, 64], emb, Parameterization::Noise, 3).unwrap();
    let total = 2000;
    let mut tr = DsmTrainer::new(&model, config(total, 3)).unwrap();
    let mut history = Vec::new();
    for chunk in [25, 175, 1800] {
        tr.run(&mut model, &law, chunk).unwrap();
        let errs = normalised_errors(&model, &law, &[0.05, 0.3]);
        let mean_sq: f64 = errs.iter().map(|e| e.1 * e.1).sum::<f64>() / errs.len() as f64;
        eprintln!("GMM after {} steps: {errs:?}", tr.steps_done());
        history.push(mean_sq.sqrt());
    }
    assert!(
        history.windows(2).all(|w| w[1] < w[0]),
        "errors {history:?} must fall"
    );
    assert!(*history.last().unwrap() < 0.2, "final error {history:?}");
}
