//! Prints hardiff-sde's measured accuracy tables (Markdown): for each unconditional sampler,
//! prior (Gaussian, two-component GMM) and step count, the distance of 2000 samples to the exact
//! law at t_min and the score evaluations; SMC's convergence in particles; and for each posterior
//! sampler the distance to the exact posterior.
//!
//! `cargo run --release -p hardiff-sde --example sde_report [-- uncond|smc|posterior]`

#[path = "../tests/common/mod.rs"]
mod common;

use hardiff_dist::{rng, Gaussian, GaussianMixture, SampleBatch, Score, ScoreVjp};
use hardiff_sde::metrics::moments;
use hardiff_sde::posterior::DpsConfig;
use hardiff_sde::{
    sample, Jacobian, LinearMeasurement, PosteriorMethod, Prior, SamplerConfig, SamplerKind,
};
use ndarray::{array, Array1, Array2, ArrayView1, ArrayView2};

const T_MIN: f64 = 1e-3;

fn max_abs(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    (&a - &b).iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

fn unconditional(d: usize, n: usize) {
    let g = common::gaussian(d);
    let m = common::gmm(d);
    let (g_t, m_t) = (g.at_time(T_MIN).unwrap(), m.at_time(T_MIN).unwrap());
    println!("\n## Unconditional samplers, d = {d}, n = {n}, geometric grid, T = 10, t_min = 1e-3");
    println!("| sampler | prior | steps | energy (exact-vs-exact) | SW2 (exact-vs-exact) | max mean err | max cov err | GMM mass p | score evals/pt |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for kind in SamplerKind::ALL {
        for steps in [10, 25, 50, 100, 200, 400] {
            for (name, score, exact) in [
                ("gauss", &g as &dyn Score, &g_t as &dyn SampleBatch),
                ("gmm", &m as &dyn Score, &m_t as &dyn SampleBatch),
            ] {
                let cfg = SamplerConfig::new(kind).with_steps(steps);
                let mut r = rng::stream(1, "report", &[steps as u64, d as u64]);
                let out = sample(score, &cfg, n, &mut r).unwrap();
                let dist = common::distances(out.samples.view(), exact, 7);
                let (me, ce, mp) = if name == "gmm" {
                    let c = common::component_check(out.samples.view(), &m_t, 0.0);
                    (c.mean_err, c.cov_err, format!("{:.3}", c.mass_p))
                } else {
                    let (mu, cv) = moments(out.samples.view()).unwrap();
                    let ce = (&cv - &g_t.cov())
                        .iter()
                        .fold(0.0f64, |a, v| a.max(v.abs()));
                    (max_abs(mu.view(), g_t.mean()), ce, "-".into())
                };
                println!(
                    "| {} | {name} | {steps} | {:.5} ({:.5}) | {:.4} ({:.4}) | {me:.4} | {ce:.4} | {mp} | {} |",
                    kind.name(),
                    dist.energy,
                    dist.energy_floor,
                    dist.sw,
                    dist.sw_floor,
                    out.stats.score_evals / n as u64
                );
            }
        }
    }
}

/// A prior with everything the report needs.
trait Law: ScoreVjp + SampleBatch {
    /// The exact posterior of the law at t_min (what the diffusion samplers target).
    fn posterior_at_t_min(
        &self,
        a: ArrayView2<f64>,
        eta: f64,
        y: ArrayView1<f64>,
    ) -> Box<dyn SampleBatch>;
    fn log_ev(&self, a: ArrayView2<f64>, eta: f64, y: ArrayView1<f64>) -> f64;
}

impl Law for Gaussian {
    fn posterior_at_t_min(
        &self,
        a: ArrayView2<f64>,
        eta: f64,
        y: ArrayView1<f64>,
    ) -> Box<dyn SampleBatch> {
        Box::new(self.at_time(T_MIN).unwrap().posterior(a, eta, y).unwrap())
    }
    fn log_ev(&self, a: ArrayView2<f64>, eta: f64, y: ArrayView1<f64>) -> f64 {
        self.log_evidence(a, eta, y).unwrap()
    }
}

impl Law for GaussianMixture {
    fn posterior_at_t_min(
        &self,
        a: ArrayView2<f64>,
        eta: f64,
        y: ArrayView1<f64>,
    ) -> Box<dyn SampleBatch> {
        Box::new(self.at_time(T_MIN).unwrap().posterior(a, eta, y).unwrap())
    }
    fn log_ev(&self, a: ArrayView2<f64>, eta: f64, y: ArrayView1<f64>) -> f64 {
        self.log_evidence(a, eta, y).unwrap()
    }
}

/// A posterior test problem.
struct Problem {
    name: String,
    law: Box<dyn Law>,
    meas: LinearMeasurement,
    y: Array1<f64>,
}

/// Gaussian and GMM priors in d = 2 (y = x₁ + x₂/2 + η, η = 0.3, y = −0.3: between the GMM's
/// modes) and d = 8 (two measurements, η = 0.3, y = (0.8, 0.8)).
fn problems() -> Vec<Problem> {
    let mut out = Vec::new();
    for d in [2usize, 8] {
        let (a, y) = if d == 2 {
            (array![[1.0, 0.5]], array![-0.3])
        } else {
            let a = Array2::from_shape_fn((2, d), |(i, j)| {
                if (i + j) % 3 == 0 {
                    1.0
                } else {
                    0.3 * (j as f64 - 3.5) / 3.5
                }
            });
            (a, array![0.8, 0.8])
        };
        let meas = LinearMeasurement::new(a, 0.3).unwrap();
        out.push(Problem {
            name: format!("gauss d={d}"),
            law: Box::new(common::gaussian(d)),
            meas: meas.clone(),
            y: y.clone(),
        });
        out.push(Problem {
            name: format!("gmm d={d}"),
            law: Box::new(common::gmm(d)),
            meas,
            y,
        });
    }
    out
}

/// The law as a run-time prior whose guidance uses `jacobian`.
fn prior_of(law: &dyn Law, jacobian: Jacobian) -> Prior<'_> {
    match jacobian {
        Jacobian::Exact => Prior::from_score_vjp(law as &dyn ScoreVjp),
        Jacobian::Free => Prior::from_score(law as &dyn Score),
    }
    .with_sampler(law as &dyn SampleBatch)
}

fn smc_convergence() {
    println!(
        "\n## SMC (exact Jacobian): log-evidence and posterior-mean error vs the exact posterior"
    );
    println!("| problem | steps | particles | log Z − log p_Y | max mean err | min ESS / P | resamples |");
    println!("|---|---|---|---|---|---|---|");
    for pb in problems() {
        let (a, eta) = (pb.meas.matrix(), pb.meas.noise_std());
        let exact = pb.law.posterior_at_t_min(a, eta, pb.y.view());
        let big = exact.sample_batch(&mut rng::stream(3, "report-post-mean", &[]), 200_000);
        let (mu, _) = moments(big.view()).unwrap();
        let log_ev = pb.law.log_ev(a, eta, pb.y.view());
        for steps in [50, 200] {
            for p in [250usize, 1000, 4000] {
                let cfg = PosteriorMethod::from_name("smc").unwrap().with_steps(steps);
                let mut r = rng::stream(5, "smc-conv", &[steps as u64, p as u64]);
                let out = cfg
                    .sample(
                        &prior_of(pb.law.as_ref(), Jacobian::Exact),
                        &pb.meas,
                        pb.y.view(),
                        p,
                        &mut r,
                    )
                    .unwrap();
                let (m, _) = moments(out.samples.view()).unwrap();
                let min_ess = out
                    .stats
                    .ess_trace
                    .iter()
                    .map(|e| e.ess)
                    .fold(f64::INFINITY, f64::min);
                println!(
                    "| {} | {steps} | {p} | {:+.4} | {:.4} | {:.2} | {} |",
                    pb.name,
                    out.stats.log_evidence_estimate.unwrap() - log_ev,
                    max_abs(m.view(), mu.view()),
                    min_ess / p as f64,
                    out.stats.resamples
                );
            }
        }
    }
}

fn posterior(n: usize) {
    println!("\n## Posterior samplers, n = {n}, geometric grid, T = 10, t_min = 1e-3 (reference: exact posterior of p_(t_min))");
    println!("| sampler | problem | steps | energy (exact-vs-exact) | max mean err | score evals/pt | VJPs/pt | notes |");
    println!("|---|---|---|---|---|---|---|---|");
    for pb in problems() {
        let (a, eta) = (pb.meas.matrix(), pb.meas.noise_std());
        let exact = pb.law.posterior_at_t_min(a, eta, pb.y.view());
        let big = exact.sample_batch(&mut rng::stream(3, "report-post-mean", &[]), 200_000);
        let (mu, _) = moments(big.view()).unwrap();
        let log_ev = pb.law.log_ev(a, eta, pb.y.view());
        let (exact_jac, free) = (Jacobian::Exact, Jacobian::Free);
        let mut methods: Vec<(String, PosteriorMethod, Jacobian, Vec<usize>)> = vec![
            (
                "rejection".into(),
                PosteriorMethod::from_name("rejection").unwrap(),
                exact_jac,
                vec![0],
            ),
            (
                "smc".into(),
                PosteriorMethod::from_name("smc").unwrap(),
                exact_jac,
                vec![25, 100],
            ),
            (
                "smc-jf".into(),
                PosteriorMethod::from_name("smc").unwrap(),
                free,
                vec![100],
            ),
            (
                "pigdm".into(),
                PosteriorMethod::from_name("pigdm").unwrap(),
                exact_jac,
                vec![50, 200, 800],
            ),
            (
                "pigdm-jf".into(),
                PosteriorMethod::from_name("pigdm").unwrap(),
                free,
                vec![200],
            ),
            (
                "langevin".into(),
                PosteriorMethod::from_name("langevin").unwrap(),
                exact_jac,
                vec![100, 400],
            ),
            (
                "langevin-jf".into(),
                PosteriorMethod::from_name("langevin").unwrap(),
                free,
                vec![100],
            ),
        ];
        for zeta in [0.05, 0.1, 0.2, 0.5, 1.0] {
            methods.push((
                format!("dps ζ={zeta}"),
                PosteriorMethod::Dps(DpsConfig::default().with_zeta(zeta)),
                exact_jac,
                vec![200],
            ));
        }
        methods.push((
            "dps-jf ζ=0.1".into(),
            PosteriorMethod::from_name("dps").unwrap(),
            free,
            vec![200],
        ));
        for (mname, method, jacobian, steps_list) in methods {
            for steps in steps_list {
                let mut cfg = method.clone();
                if steps > 0 {
                    cfg = cfg.with_steps(steps);
                }
                let mut r = rng::stream(3, "report-post", &[steps as u64]);
                let out = match cfg.sample(
                    &prior_of(pb.law.as_ref(), jacobian),
                    &pb.meas,
                    pb.y.view(),
                    n,
                    &mut r,
                ) {
                    Ok(o) => o,
                    Err(e) => {
                        println!("| {mname} | {} | {steps} | error: {e} | | | | |", pb.name);
                        continue;
                    }
                };
                let dist = common::distances(out.samples.view(), exact.as_ref(), 11);
                let (m, _) = moments(out.samples.view()).unwrap();
                let st = &out.stats;
                let notes = match &method {
                    PosteriorMethod::Rejection(_) => format!(
                        "acceptance {:.4} (exact {:.4}), prior draws {}",
                        st.acceptance_rate.unwrap(),
                        pb.meas.acceptance_rate(log_ev),
                        st.prior_draws
                    ),
                    PosteriorMethod::Smc(_) => format!(
                        "min ESS {:.0}, resamples {}, log Z − log p_Y {:+.3}",
                        st.ess_trace
                            .iter()
                            .map(|e| e.ess)
                            .fold(f64::INFINITY, f64::min),
                        st.resamples,
                        st.log_evidence_estimate.unwrap() - log_ev
                    ),
                    _ => String::new(),
                };
                println!(
                    "| {mname} | {} | {steps} | {:.5} ({:.5}) | {:.4} | {} | {} | {notes} |",
                    pb.name,
                    dist.energy,
                    dist.energy_floor,
                    max_abs(m.view(), mu.view()),
                    st.score_evals / n as u64,
                    st.vjp_evals / n as u64
                );
            }
        }
    }
}

fn main() {
    let section = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    if section == "all" || section == "uncond" {
        unconditional(2, 2000);
        unconditional(8, 2000);
    }
    if section == "all" || section == "smc" {
        smc_convergence();
    }
    if section == "all" || section == "posterior" {
        posterior(2000);
    }
}
