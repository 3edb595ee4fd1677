//! Runs the pancake learning experiment (docs/math.md §3, §8) and prints its records:
//! `cargo run -p hardiff-bench --example pancake_learning [steps] [train_samples] [dims...]`.
//! JSON records on stdout, a table on stderr.

use hardiff_bench::experiments::pancake_learning::{
    pancake_learning_experiment, PancakeExperimentConfig,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let mut config = PancakeExperimentConfig::default();
    if let Some(&s) = args.first() {
        config.dsm.steps = s;
    }
    if let Some(&n) = args.get(1) {
        config.train_samples = n;
    }
    if args.len() > 2 {
        config.dims = args[2..].to_vec();
    }
    let start = std::time::Instant::now();
    let records = pancake_learning_experiment(&config)?;
    eprintln!(
        "({:.1} s) γ = {}, σ = {}, {} samples, {} steps",
        start.elapsed().as_secs_f64(),
        config.gamma,
        config.sigma,
        config.train_samples,
        config.dsm.steps
    );
    eprintln!("| d | t | estimator | mse ± se | normalised | mse / gaussian |");
    eprintln!("|---|---|---|---|---|---|");
    for r in &records {
        eprintln!(
            "| {} | {} | {} | {:.4} ± {:.4} | {:.4} | {:.3} |",
            r.d, r.t, r.estimator, r.mse, r.mse_std_err, r.normalised_error, r.relative_to_gaussian
        );
        println!("{}", serde_json::to_string(r)?);
    }
    Ok(())
}
