//! Gaussian pancakes with nothing but `hardiff-dist`: exact samples, the exact score and
//! log-density of the law at OU time t, and the total variation to N(0, I_d).
//!
//! Every printed number is also checked: the score against central finite differences of the
//! log-density, the sample's projection on the secret against the law's moments, and the TV
//! against the reference value of docs/math.md §2 (γ = 6, σ = 0.05: 0.508306).

use hardiff_dist::ndarray::{s, Array2};
use hardiff_dist::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Pancakes in d = 16: a discrete Gaussian of spacing ≈ 0.417 and thickness ≈ 0.05 along a
    // secret unit vector, N(0, 1) in the 15 other directions.
    let (dim, gamma, sigma) = (16, 6.0, 0.05);
    let law = GaussianPancakes::with_random_secret(dim, gamma, sigma, 2024)?;
    let mut rng = rng::stream(2024, "downstream/pancakes", &[]);

    // 1. Exact samples. Along u the law has mean 0 and variance close to 1 (a lattice
    //    Gaussian is not exactly N(0, 1), so 10% is generous for 20 000 draws).
    let n = 20_000;
    let x = law.sample_batch(&mut rng, n);
    let along_u = x.dot(&law.secret());
    let (mean, var) = (along_u.mean().unwrap(), along_u.var(1.0));
    println!("samples: {n} × {dim}; along u: mean {mean:+.4}, variance {var:.4}");
    assert!(mean.abs() < 5.0 / (n as f64).sqrt(), "mean along u {mean}");
    assert!((var - 1.0).abs() < 0.1, "variance along u {var}");

    // 2. The exact score and log-density of the law at OU time t, owned results.
    let t = 0.01;
    let points: Array2<f64> = x.slice(s![..8, ..]).to_owned();
    let score = law.score_owned(t, points.view())?;
    let log_p = law.log_density_owned(t, points.view())?;
    let mut worst: f64 = 0.0;
    let h = 1e-5;
    for (b, row) in points.rows().into_iter().enumerate() {
        for i in 0..dim {
            let (mut plus, mut minus) = (row.to_owned(), row.to_owned());
            plus[i] += h;
            minus[i] -= h;
            let pair = ndarray_stack(&plus, &minus);
            let lp = law.log_density_owned(t, pair.view())?;
            let fd = (lp[0] - lp[1]) / (2.0 * h);
            worst = worst.max((fd - score[[b, i]]).abs() / (1.0 + fd.abs()));
        }
    }
    println!(
        "t = {t}: log p_t of the first point {:.6}; score vs finite differences: worst relative gap {worst:.2e}",
        log_p[0]
    );
    assert!(worst < 1e-5, "score and log-density disagree ({worst})");

    // 3. TV to N(0, I_d), by quadrature along u; noise washes the pancakes out.
    let tv = law.tv_to_standard_gaussian();
    let tv_later = law.at_time(0.5)?.tv_to_standard_gaussian();
    println!("TV(pancakes, N(0, I)) = {tv:.6} at t = 0, {tv_later:.2e} at t = 0.5");
    assert!(
        (tv - 0.508306).abs() < 1e-6,
        "TV {tv} vs reference 0.508306"
    );
    assert!(tv_later < 1e-3);
    println!("ok");
    Ok(())
}

/// Two points as the rows of a (2, d) batch.
fn ndarray_stack(a: &Array1<f64>, b: &Array1<f64>) -> Array2<f64> {
    let mut out = Array2::zeros((2, a.len()));
    out.row_mut(0).assign(a);
    out.row_mut(1).assign(b);
    out
}
