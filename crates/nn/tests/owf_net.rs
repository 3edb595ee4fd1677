//! g̃'s score network (docs/math.md §5) against the efficient score it implements and against the
//! exact (brute-force) score of hardiff-dist.

use hardiff_dist::owf_dist::OwfDistribution;
use hardiff_dist::rng::stream;
use hardiff_dist::{SampleBatch, Score};
use hardiff_nn::{default_time_grid, OwfNetConfig, OwfScoreNetwork};
use hardiff_owf::Candidate;
use ndarray::Array2;

fn dist(kind: Candidate, n: usize, m: usize) -> OwfDistribution {
    OwfDistribution::with_default_params(kind.build_arc(n, m, 3).unwrap()).unwrap()
}

#[test]
fn network_equals_the_efficient_score_outside_the_ramp() {
    let config = OwfNetConfig::default();
    for (kind, n, m) in [
        (Candidate::Goldreich, 5, 5),
        (Candidate::SubsetSum, 5, 4),
        (Candidate::Identity, 4, 4),
    ] {
        let d = dist(kind, n, m);
        let times = default_time_grid(&d);
        let net = OwfScoreNetwork::build(&d, &times, &config).unwrap();
        let eff = d.efficient_score();
        for (k, step) in net.steps().iter().enumerate() {
            let t = step.t;
            let mut rng = stream(1, "nn-owf-net-test", &[k as u64]);
            let x = d.at_time(t).unwrap().sample_batch(&mut rng, 400);
            let mut a = Array2::zeros(x.raw_dim());
            let mut b = Array2::zeros(x.raw_dim());
            net.score(t, x.view(), a.view_mut()).unwrap();
            eff.score(t, x.view(), b.view_mut()).unwrap();
            // The interpolation tolerance in OU units (module docs of owf_net):
            // pl_tolerance/(√v_t·√n); allow 5% for error between the fit's check points.
            let tol =
                config.pl_tolerance / (hardiff_dist::ou_time::noise_std(t) * (n as f64).sqrt());
            let mut checked = 0;
            for r in 0..x.nrows() {
                if (0..n).any(|i| x[[r, i]].abs() < step.ramp_halfwidth) {
                    continue; // inside the ramp: the network is allowed to differ
                }
                checked += 1;
                for i in 0..n {
                    assert!(
                        (a[[r, i]] - b[[r, i]]).abs() <= 1.05 * tol,
                        "{kind} t={t}: x-part {i}: {} vs {} (tol {tol})",
                        a[[r, i]],
                        b[[r, i]]
                    );
                }
                for j in n..n + m {
                    // The u-part is exact arithmetic on the same formula: rounding only.
                    assert!(
                        (a[[r, j]] - b[[r, j]]).abs() <= 1e-9 * (1.0 + b[[r, j]].abs()),
                        "{kind} t={t}: u-part {j}: {} vs {}",
                        a[[r, j]],
                        b[[r, j]]
                    );
                }
            }
            assert!(
                checked >= 390,
                "{kind} t={t}: only {checked} points outside the ramp"
            );
        }
    }
}

#[test]
fn network_error_against_the_exact_score_is_within_two_epsilon() {
    // docs/math.md §5: the efficient score's normalised error is ≤ 2ε = 0.1 over the grid under the
    // default rule; the network adds ≤ pl_tolerance = 0.01 on top (as a sup-norm bound).
    let d = dist(Candidate::Goldreich, 5, 5);
    let times = default_time_grid(&d);
    let net = OwfScoreNetwork::build(&d, &times, &OwfNetConfig::default()).unwrap();
    for (k, &t) in times.iter().enumerate() {
        let mut rng = stream(2, "nn-owf-net-exact", &[k as u64]);
        let e = d.score_error(&net, t, 1500, &mut rng).unwrap();
        eprintln!(
            "t = {t:.5}: normalised error {:.4} ± {:.4}",
            e.error.normalised_error, e.error.normalised_std_error
        );
        assert!(e.error.normalised_error <= 0.11, "t = {t}: {e:?}");
    }
}

#[test]
fn off_grid_times_are_refused_and_regimes_follow_sigma_c() {
    let d = dist(Candidate::Linear, 5, 5);
    let times = default_time_grid(&d);
    let net = OwfScoreNetwork::build(&d, &times, &OwfNetConfig::default()).unwrap();
    let x = Array2::zeros((1, 10));
    let mut o = Array2::zeros((1, 10));
    assert!(net.score(times[2] * 1.01, x.view(), o.view_mut()).is_err());
    assert!(net.score(times[2], x.view(), o.view_mut()).is_ok());
    let sc = d.params().crossover();
    for s in net.steps() {
        assert_eq!(s.rounding, s.sigma <= sc, "t = {}", s.t);
    }
    // The large-noise networks do not contain f: depth 2 (one layer of interpolant ReLUs).
    assert!(net
        .steps()
        .iter()
        .filter(|s| !s.rounding)
        .all(|s| s.network.size().depth == 2));
    assert!(OwfScoreNetwork::build(&d, &[0.0], &OwfNetConfig::default()).is_err());
}
