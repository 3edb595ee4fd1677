//! docs/math.md §5's independent check of the efficient score's crossover (n = m = 4, identity f,
//! R = 1, α = 0.5, β = 0.002): the normalised error of rounding alone (σ_c = 100), of dropping
//! f alone (σ_c = 10⁻⁶), and of switching at σ_c = 0.05, over σ ∈ [0.002, 5], beside the
//! drop-f prediction β√m/σ.
//!
//! Run with `cargo run --release -p hardiff-dist --example owf_forced_regimes`.

use hardiff_dist::ou_time::ve_sigma_to_ou_time;
use hardiff_dist::{OwfDistribution, OwfParams, OwfScoreError};
use hardiff_owf::Candidate;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let f = Candidate::Identity.build_arc(4, 4, 0)?;
    let base = OwfParams::default_rule(4, 4)?.with_amplitude(0.002)?;
    let sigmas = [0.002, 0.01, 0.03, 0.05, 0.06, 0.08, 0.12, 0.3, 1.0, 5.0];
    let times: Vec<f64> = sigmas.iter().map(|&s| ve_sigma_to_ou_time(s)).collect();
    let run = |crossover: f64| -> hardiff_dist::Result<Vec<OwfScoreError>> {
        let g = OwfDistribution::new(f.clone(), base.with_crossover(crossover)?)?;
        g.efficient_score_error_table(&times, 3000, 5)
    };
    let (round, drop, switch) = (run(100.0)?, run(1e-6)?, run(0.05)?);
    println!("| σ | round only | drop f only | β√m/σ | switch at 0.05 |");
    println!("|---|---|---|---|---|");
    for i in 0..sigmas.len() {
        println!(
            "| {:.3} | {:.2e} | {:.2e} | {:.2e} | {:.2e} |",
            sigmas[i],
            round[i].error.normalised_error,
            drop[i].error.normalised_error,
            0.002 * 2.0 / sigmas[i],
            switch[i].error.normalised_error
        );
    }
    Ok(())
}
