//! Prints the tables of hardiff-sde's measured accuracy: for each unconditional sampler, prior
//! (Gaussian, two-component GMM) and step count, the distance of 2000 samples to the exact law
//! at t_min and the score evaluations; and for each posterior sampler the distance to the exact
//! posterior. Run with `cargo run --release -p hardiff-sde --example sde_report [-- section]`.

#[path = "../tests/common/mod.rs"]
mod common;

use hardiff_dist::{rng, GaussianMixture, SampleBatch, Score};
use hardiff_sde::{sample, SamplerConfig, SamplerKind};

fn unconditional(d: usize, n: usize) {
    let g = common::gaussian(d);
    let m = common::gmm(d);
    println!("\n## Unconditional samplers, d = {d}, n = {n}, geometric grid, T = 10, t_min = 1e-3");
    println!("| sampler | prior | steps | SW2 | energy | mean err (z) | cov err (z) | mass p | score evals/pt |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for kind in SamplerKind::ALL {
        for steps in [10, 25, 50, 100, 200, 400] {
            for (name, score, exact_t, mix) in [
                (
                    "gauss",
                    &g as &dyn Score,
                    Box::new(g.at_time(1e-3).unwrap()) as Box<dyn SampleBatch>,
                    None::<&GaussianMixture>,
                ),
                (
                    "gmm",
                    &m as &dyn Score,
                    Box::new(m.at_time(1e-3).unwrap()) as Box<dyn SampleBatch>,
                    Some(&m),
                ),
            ] {
                let cfg = SamplerConfig::new(kind).with_steps(steps);
                let mut r = rng::stream(1, "report", &[steps as u64, d as u64]);
                let out = sample(score, &cfg, n, &mut r).unwrap();
                let dist = common::distances(out.samples.view(), exact_t.as_ref(), 7);
                let (me, ce, mp) = match mix {
                    Some(mm) => {
                        let c =
                            common::component_check(out.samples.view(), &mm.at_time(1e-3).unwrap());
                        (
                            c.mean_err,
                            c.cov_err,
                            format!("{:.3} z {:.1}/{:.1}", c.mass_p, c.mean_z, c.cov_z),
                        )
                    }
                    None => {
                        let (mu, cv) = hardiff_sde::metrics::moments(out.samples.view()).unwrap();
                        let gt = g.at_time(1e-3).unwrap();
                        let me = (&mu - &gt.mean())
                            .iter()
                            .fold(0.0f64, |a, v| a.max(v.abs()));
                        let ce = (&cv - &gt.cov()).iter().fold(0.0f64, |a, v| a.max(v.abs()));
                        (me, ce, "-".into())
                    }
                };
                println!(
                    "| {} | {} | {} | {:.4} (floor {:.4}) | {:.5} (floor {:.5}) | {:.4} | {:.4} | {} | {} |",
                    kind.name(), name, steps, dist.sw, dist.sw_floor, dist.energy, dist.energy_floor, me, ce, mp,
                    out.stats.score_evals / n as u64
                );
            }
        }
    }
}

/// The posterior test problems: (name, prior, A, η, y).
fn problems() -> Vec<(
    String,
    Box<dyn Law>,
    ndarray::Array2<f64>,
    f64,
    ndarray::Array1<f64>,
)> {
    let mut out: Vec<(
        String,
        Box<dyn Law>,
        ndarray::Array2<f64>,
        f64,
        ndarray::Array1<f64>,
    )> = Vec::new();
    for d in [2usize, 8] {
        let a2 = if d == 2 {
            ndarray::array![[1.0, 0.5]]
        } else {
            ndarray::Array2::from_shape_fn((2, d), |(i, j)| {
                if (i + j) % 3 == 0 {
                    1.0
                } else {
                    0.3 * (j as f64 - 3.5) / 3.5
                }
            })
        };
        // d = 2: y between the GMM's modes (posterior masses 0.85/0.15 against prior 0.3/0.7).
        let y = if d == 2 {
            ndarray::array![-0.3]
        } else {
            ndarray::Array1::from_elem(a2.nrows(), 0.8)
        };
        out.push((
            format!("gauss d={d}"),
            Box::new(common::gaussian(d)),
            a2.clone(),
            0.3,
            y.clone(),
        ));
        out.push((format!("gmm d={d}"), Box::new(common::gmm(d)), a2, 0.3, y));
    }
    out
}

/// What the report needs from a prior.
trait Law: hardiff_dist::ScoreVjp + SampleBatch {
    fn posterior_law(
        &self,
        a: ndarray::ArrayView2<f64>,
        eta: f64,
        y: ndarray::ArrayView1<f64>,
    ) -> Box<dyn SampleBatch>;
    fn log_ev(&self, a: ndarray::ArrayView2<f64>, eta: f64, y: ndarray::ArrayView1<f64>) -> f64;
}
impl Law for hardiff_dist::Gaussian {
    fn posterior_law(
        &self,
        a: ndarray::ArrayView2<f64>,
        eta: f64,
        y: ndarray::ArrayView1<f64>,
    ) -> Box<dyn SampleBatch> {
        Box::new(self.at_time(1e-3).unwrap().posterior(a, eta, y).unwrap())
    }
    fn log_ev(&self, a: ndarray::ArrayView2<f64>, eta: f64, y: ndarray::ArrayView1<f64>) -> f64 {
        self.log_evidence(a, eta, y).unwrap()
    }
}
impl Law for GaussianMixture {
    fn posterior_law(
        &self,
        a: ndarray::ArrayView2<f64>,
        eta: f64,
        y: ndarray::ArrayView1<f64>,
    ) -> Box<dyn SampleBatch> {
        Box::new(self.at_time(1e-3).unwrap().posterior(a, eta, y).unwrap())
    }
    fn log_ev(&self, a: ndarray::ArrayView2<f64>, eta: f64, y: ndarray::ArrayView1<f64>) -> f64 {
        self.log_evidence(a, eta, y).unwrap()
    }
}

fn posterior(n: usize) {
    use hardiff_sde::{
        sample_posterior, Jacobian, LinearMeasurement, PosteriorConfig, PosteriorMethod, Prior,
    };
    println!("\n## Posterior samplers, n = {n}, geometric grid, T = 10, t_min = 1e-3 (reference: exact posterior of p_(t_min))");
    println!("| sampler | problem | steps | energy (floor) | mean err | score evals/pt | vjp/pt | notes |");
    println!("|---|---|---|---|---|---|---|---|");
    for (name, law, a, eta, y) in problems() {
        let meas = LinearMeasurement::new(a.clone(), eta).unwrap();
        let exact = law.posterior_law(a.view(), eta, y.view());
        let prior = Prior {
            sampler: Some(law.as_ref() as &dyn SampleBatch),
            score: None,
            score_vjp: Some(law.as_ref() as &dyn hardiff_dist::ScoreVjp),
        };
        let mut methods: Vec<(String, PosteriorMethod, Vec<usize>)> = vec![
            (
                "rejection".into(),
                PosteriorMethod::Rejection {
                    max_draws: 100_000_000,
                },
                vec![0],
            ),
            (
                "smc".into(),
                PosteriorMethod::from_name("smc").unwrap(),
                vec![25, 100],
            ),
            (
                "smc-jf".into(),
                PosteriorMethod::Smc {
                    particles: None,
                    jacobian: Jacobian::Free,
                    ess_threshold: 0.5,
                },
                vec![100],
            ),
            (
                "pigdm".into(),
                PosteriorMethod::from_name("pigdm").unwrap(),
                vec![50, 200, 800],
            ),
            (
                "pigdm-jf".into(),
                PosteriorMethod::Pigdm {
                    jacobian: Jacobian::Free,
                },
                vec![200],
            ),
            (
                "langevin".into(),
                PosteriorMethod::from_name("langevin").unwrap(),
                vec![100, 400],
            ),
            (
                "langevin-jf".into(),
                PosteriorMethod::Langevin {
                    jacobian: Jacobian::Free,
                    langevin: Default::default(),
                },
                vec![100],
            ),
        ];
        for zeta in [0.05, 0.2, 0.5, 1.0] {
            methods.push((
                format!("dps z={zeta}"),
                PosteriorMethod::Dps {
                    zeta,
                    jacobian: Jacobian::Exact,
                },
                vec![200],
            ));
        }
        methods.push((
            "dps-jf z=0.2".into(),
            PosteriorMethod::Dps {
                zeta: 0.2,
                jacobian: Jacobian::Free,
            },
            vec![200],
        ));
        for (mname, method, steps_list) in methods {
            for steps in steps_list {
                let mut cfg = PosteriorConfig::new(method.clone());
                if steps > 0 {
                    cfg = cfg.with_steps(steps);
                }
                let mut r = rng::stream(3, "report-post", &[steps as u64]);
                let out = match sample_posterior(&prior, &meas, y.view(), &cfg, n, &mut r) {
                    Ok(o) => o,
                    Err(e) => {
                        println!("| {mname} | {name} | {steps} | error: {e} | | | | |");
                        continue;
                    }
                };
                let dist = common::distances(out.samples.view(), exact.as_ref(), 11);
                let mut re = rng::stream(3, "report-post-mean", &[]);
                let big = exact.sample_batch(&mut re, 100_000);
                let (mu, _) = hardiff_sde::metrics::moments(big.view()).unwrap();
                let (m, _) = hardiff_sde::metrics::moments(out.samples.view()).unwrap();
                let me = (&m - &mu).iter().fold(0.0f64, |a, v| a.max(v.abs()));
                let st = &out.stats;
                let notes = match &method {
                    PosteriorMethod::Rejection { .. } => format!(
                        "rate {:.4} (exact {:.4}), draws {}",
                        st.acceptance_rate.unwrap(),
                        meas.acceptance_rate(law.log_ev(a.view(), eta, y.view())),
                        st.prior_draws
                    ),
                    PosteriorMethod::Smc { .. } => format!(
                        "min ESS {:.0}, resamples {}, log Z {:.4} (exact {:.4})",
                        st.ess_trace
                            .iter()
                            .map(|e| e.ess)
                            .fold(f64::INFINITY, f64::min),
                        st.resamples,
                        st.log_evidence_estimate.unwrap(),
                        law.log_ev(a.view(), eta, y.view())
                    ),
                    _ => String::new(),
                };
                println!(
                    "| {mname} | {name} | {steps} | {:.5} ({:.5}) | {:.4} | {} | {} | {notes} |",
                    dist.energy,
                    dist.energy_floor,
                    me,
                    st.score_evals / n as u64,
                    st.vjp_evals / n as u64
                );
            }
        }
    }
}

/// SMC: log-evidence estimate and posterior-mean error as particles and steps grow.
fn smc_convergence() {
    use hardiff_sde::{
        sample_posterior, LinearMeasurement, PosteriorConfig, PosteriorMethod, Prior,
    };
    println!("\n## SMC convergence (exact Jacobian), log Z and posterior mean error vs exact posterior of p_(t_min)");
    println!("| problem | steps | particles | log Z - exact | mean err | min ESS / P |");
    println!("|---|---|---|---|---|---|");
    for (name, law, a, eta, y) in problems() {
        let meas = LinearMeasurement::new(a.clone(), eta).unwrap();
        let exact = law.posterior_law(a.view(), eta, y.view());
        let mut re = rng::stream(3, "report-post-mean", &[]);
        let big = exact.sample_batch(&mut re, 200_000);
        let (mu, _) = hardiff_sde::metrics::moments(big.view()).unwrap();
        let prior = Prior {
            sampler: None,
            score: None,
            score_vjp: Some(law.as_ref() as &dyn hardiff_dist::ScoreVjp),
        };
        let exact_ev = law.log_ev(a.view(), eta, y.view());
        for steps in [50, 200, 800] {
            for p in [250usize, 1000, 4000] {
                let cfg = PosteriorConfig::new(PosteriorMethod::from_name("smc").unwrap())
                    .with_steps(steps);
                let mut r = rng::stream(5, "smc-conv", &[steps as u64, p as u64]);
                let out = sample_posterior(&prior, &meas, y.view(), &cfg, p, &mut r).unwrap();
                let (m, _) = hardiff_sde::metrics::moments(out.samples.view()).unwrap();
                let me = (&m - &mu).iter().fold(0.0f64, |a, v| a.max(v.abs()));
                let min_ess = out
                    .stats
                    .ess_trace
                    .iter()
                    .map(|e| e.ess)
                    .fold(f64::INFINITY, f64::min);
                println!(
                    "| {name} | {steps} | {p} | {:+.4} | {:.4} | {:.2} |",
                    out.stats.log_evidence_estimate.unwrap() - exact_ev,
                    me,
                    min_ess / p as f64
                );
            }
        }
    }
}

fn smc_debug() {
    use hardiff_sde::{
        sample_posterior, LinearMeasurement, PosteriorConfig, PosteriorMethod, Prior,
    };
    let probs = problems();
    let (name, law, a, eta, y) = &probs[1];
    let meas = LinearMeasurement::new(a.clone(), *eta).unwrap();
    let prior = Prior {
        sampler: None,
        score: None,
        score_vjp: Some(law.as_ref() as &dyn hardiff_dist::ScoreVjp),
    };
    let exact_ev = law.log_ev(a.view(), *eta, y.view());
    for steps in [200usize, 800, 3200] {
        for seed in 0..6u64 {
            let cfg =
                PosteriorConfig::new(PosteriorMethod::from_name("smc").unwrap()).with_steps(steps);
            let mut r = rng::stream(seed, "smc-debug", &[]);
            let out = sample_posterior(&prior, &meas, y.view(), &cfg, 4000, &mut r).unwrap();
            let tr = &out.stats.ess_trace;
            let worst = tr.iter().cloned().fold((0.0, f64::INFINITY), |b, e| {
                if e.ess < b.1 {
                    (e.t, e.ess)
                } else {
                    b
                }
            });
            println!("{name} steps {steps} seed {seed}: logZ-exact {:+.4} resamples {} worst ESS {:.0} at t={:.4} final ESS {:.0}", out.stats.log_evidence_estimate.unwrap() - exact_ev, out.stats.resamples, worst.1, worst.0, tr.last().unwrap().ess);
        }
    }
}

fn probe() {
    let m = common::gmm(2);
    let a = ndarray::array![[1.0, 0.5]];
    for y in [-1.0, -0.6, -0.3, 0.0, 0.3] {
        let yv = ndarray::array![y];
        let post = m.posterior(a.view(), 0.3, yv.view()).unwrap();
        let meas = hardiff_sde::LinearMeasurement::new(a.clone(), 0.3).unwrap();
        println!(
            "y={y}: post w {:?} P_acc {:.4}",
            post.weights(),
            meas.acceptance_rate(m.log_evidence(a.view(), 0.3, yv.view()).unwrap())
        );
    }
    let m8 = common::gmm(8);
    for eta in [0.05, 0.1, 0.2] {
        for y in [[0.3, -0.4], [0.0, 0.0], [1.0, 0.5]] {
            let a =
                ndarray::Array2::from_shape_fn(
                    (2, 8),
                    |(i, j)| if (i + j) % 3 == 0 { 1.0 } else { 0.2 },
                );
            let meas = hardiff_sde::LinearMeasurement::new(a.clone(), eta).unwrap();
            let yv = ndarray::Array1::from(y.to_vec());
            println!(
                "d8 eta {eta} y {y:?}: P_acc {:.2e}",
                meas.acceptance_rate(m8.log_evidence(a.view(), eta, yv.view()).unwrap())
            );
        }
    }
}

fn timing() {
    let m = common::gmm(2);
    let exact = m.at_time(1e-3).unwrap();
    for kind in SamplerKind::ALL {
        let t0 = std::time::Instant::now();
        let mut r = rng::stream(1, "t", &[]);
        let out = sample(&m, &SamplerConfig::new(kind), 2000, &mut r).unwrap();
        let t1 = t0.elapsed();
        let c = common::component_check(out.samples.view(), &exact);
        let t2 = t0.elapsed();
        let _ = common::distances(out.samples.view(), &exact, 3);
        let t3 = t0.elapsed();
        println!(
            "{}: sample {:?}, check {:?}, distances {:?} {}",
            kind.name(),
            t1,
            t2 - t1,
            t3 - t2,
            c.mass_p
        );
    }
}

fn main() {
    let section = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    if section == "all" || section == "uncond" {
        unconditional(2, 2000);
        unconditional(8, 2000);
    }
    if section == "timing" {
        timing();
    }
    if section == "probe" {
        probe();
    }
    if section == "smc-debug" {
        smc_debug();
    }
    if section == "all" || section == "smc" {
        smc_convergence();
    }
    if section == "all" || section == "posterior" {
        posterior(2000);
    }
}
