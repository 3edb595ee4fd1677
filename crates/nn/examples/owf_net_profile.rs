//! Profiling driver (not part of the suite): one E6-like summary per argument `kind:n`.
use hardiff_dist::owf_dist::OwfDistribution;
use hardiff_dist::rng::stream;
use hardiff_dist::{SampleBatch, Score};
use hardiff_nn::{
    default_time_grid, owf_network_summary, OwfNetConfig, OwfScoreNetwork, OwfSummaryOptions,
};
use hardiff_owf::Candidate;
use ndarray::Array2;
use std::sync::Arc;
use std::time::Instant;

fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let full = args.first().map(|a| a == "--full").unwrap_or(false);
    if full {
        args.remove(0);
    }
    for a in args {
        let (k, n) = a.split_once(':').ok_or("kind:n")?;
        let kind: Candidate = k.parse()?;
        let n: usize = n.parse()?;
        if full {
            let options = OwfSummaryOptions {
                points: 600,
                brute_force_max_n: 10,
                ..OwfSummaryOptions::default()
            };
            let (t0, c0) = (Instant::now(), cpu());
            let s = owf_network_summary(kind, n, n, 1, &options)?;
            eprintln!(
                "{a}: summary {:.2}s wall {:.2}s cpu, weights {}",
                t0.elapsed().as_secs_f64(),
                cpu() - c0,
                s.weights
            );
            continue;
        }
        let f = kind.build_arc(n, n, 1)?;
        let dist = OwfDistribution::with_default_params(Arc::clone(&f))?;
        let times = default_time_grid(&dist);
        let c0 = cpu();
        let circuit = f.compile();
        let c1 = cpu();
        let net = OwfScoreNetwork::build(&dist, &times, &OwfNetConfig::default())?;
        let c2 = cpu();
        let mut evalc = 0.0;
        for (k, &t) in times.iter().enumerate() {
            let mut rng = stream(0, "p", &[k as u64]);
            let pts = dist.at_time(t)?.sample_batch(&mut rng, 600);
            let mut o = Array2::zeros(pts.raw_dim());
            let c = cpu();
            net.score(t, pts.view(), o.view_mut())?;
            evalc += cpu() - c;
        }
        eprintln!(
            "{a}: circuit {} gates {:.2}s; build {:.2}s cpu; eval 600 pts x {} times {:.2}s cpu; knots {:?}; weights {:?}",
            circuit.size(), c1 - c0, c2 - c1, times.len(), evalc,
            net.steps().iter().map(|s| s.knots).collect::<Vec<_>>(),
            net.steps().iter().map(|s| s.network.size().weights).collect::<Vec<_>>()
        );
    }
    Ok(())
}
