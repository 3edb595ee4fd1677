//! Time grids against their closed forms, and the exact OU transitions (docs/math.md §0, §7).

use hardiff_dist::ou_time::{self, ou_time_to_ve_sigma};
use hardiff_dist::rng;
use hardiff_dist::stats::{ks_one_sample, normal_cdf};
use hardiff_sde::ou;
use hardiff_sde::{Error, GridKind, TimeGrid};
use ndarray::Array2;

#[test]
fn uniform_grid_closed_form() {
    let g = TimeGrid::new(GridKind::Uniform, 8, 0.01, 2.0).unwrap();
    assert_eq!(g.steps(), 8);
    for (i, &t) in g.times().iter().enumerate() {
        // t_i = T + (i/N)(t_min − T).
        assert!((t - (2.0 + i as f64 / 8.0 * (0.01 - 2.0))).abs() < 1e-14);
    }
}

#[test]
fn geometric_grid_has_constant_ratio() {
    let g = TimeGrid::new(GridKind::Geometric, 20, 1e-3, 10.0).unwrap();
    // t_{i+1}/t_i = (t_min/T)^{1/N} = (1e−4)^{1/20}.
    let ratio = (1e-4f64).powf(1.0 / 20.0);
    for w in g.times().windows(2) {
        assert!((w[1] / w[0] - ratio).abs() < 1e-12);
    }
    assert_eq!(g.t_max(), 10.0);
    assert_eq!(g.t_min(), 1e-3);
}

#[test]
fn karras_grid_is_equispaced_in_sigma_to_the_one_over_rho() {
    let rho = 7.0;
    let (t_min, t_max, n) = (1e-3, 10.0, 30);
    let g = TimeGrid::new(GridKind::Karras { rho }, n, t_min, t_max).unwrap();
    // σ_i = (σ_max^{1/ρ} + i/N (σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ with σ = √(e^{2t} − 1) (docs/math.md §0, §7).
    let (hi, lo) = (
        ou_time_to_ve_sigma(t_max).powf(1.0 / rho),
        ou_time_to_ve_sigma(t_min).powf(1.0 / rho),
    );
    for (i, &t) in g.times().iter().enumerate() {
        let expect = hi + i as f64 / n as f64 * (lo - hi);
        assert!(
            (ou_time_to_ve_sigma(t).powf(1.0 / rho) - expect).abs() < 1e-12,
            "i = {i}"
        );
    }
    // Default kind is geometric.
    assert_eq!(GridKind::default(), GridKind::Geometric);
}

#[test]
fn grid_errors_are_typed() {
    assert!(matches!(
        TimeGrid::new(GridKind::Uniform, 0, 0.1, 1.0),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        TimeGrid::new(GridKind::Uniform, 5, 0.0, 1.0),
        Err(Error::InvalidGrid(_))
    ));
    assert!(matches!(
        TimeGrid::new(GridKind::Geometric, 5, 2.0, 1.0),
        Err(Error::InvalidGrid(_))
    ));
    assert!(matches!(
        TimeGrid::new(GridKind::Karras { rho: -1.0 }, 5, 0.1, 1.0),
        Err(Error::NonPositive { .. })
    ));
}

#[test]
fn forward_transitions_are_exact() {
    // X_t | X_0 = x0 is N(α_t x0, v_t); composing 0 → 0.3 → 1.1 must equal 0 → 1.1.
    // KS per coordinate (2 coordinates × 2 checks, Bonferroni): false-failure rate ≤ 1e-3.
    let mut r = rng::stream(21, "ou-test", &[]);
    let n = 5000;
    let mut x0 = Array2::zeros((n, 2));
    x0.column_mut(0).fill(1.5);
    x0.column_mut(1).fill(-0.7);
    let direct = ou::forward(x0.view(), 1.1, &mut r).unwrap();
    let mid = ou::forward(x0.view(), 0.3, &mut r).unwrap();
    let composed = ou::transition(mid.view(), 0.3, 1.1, &mut r).unwrap();
    let (a, v) = (ou_time::alpha(1.1), ou_time::variance(1.1));
    for x in [&direct, &composed] {
        for (j, c) in [1.5, -0.7].into_iter().enumerate() {
            let mut z: Vec<f64> = x
                .column(j)
                .iter()
                .map(|&xi| (xi - a * c) / v.sqrt())
                .collect();
            assert!(ks_one_sample(&mut z, normal_cdf).p_value > 1e-3 / 4.0);
        }
    }
    assert!(ou::transition(x0.view(), 1.0, 0.5, &mut r).is_err());
}
