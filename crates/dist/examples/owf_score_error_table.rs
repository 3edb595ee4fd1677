//! Measures and prints the efficient-score error of g̃ over OU time for n ∈ {4, 8, 12, 16}
//! (m = n, default rule of docs/math.md §5, BLAKE3 and identity f; n = 4 for comparison with the
//! table of docs/math.md §5): the normalised error σ·√E‖ŝ − s‖² against the brute-force score,
//! split into x- and u-parts, beside the u-part's predicted size β√m/σ above σ_c.
//!
//! Run with `cargo run --release -p hardiff-dist --example owf_score_error_table`
//! (seconds to a minute).

use hardiff_dist::ou_time::ve_sigma_to_ou_time;
use hardiff_dist::OwfDistribution;
use hardiff_owf::Candidate;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sigmas = [
        0.002, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.12, 0.3, 1.0, 5.0,
    ];
    let times: Vec<f64> = sigmas.iter().map(|&s| ve_sigma_to_ou_time(s)).collect();
    for n in [4usize, 8, 12, 16] {
        for kind in [Candidate::Blake3, Candidate::Identity] {
            let g = OwfDistribution::with_default_params(kind.build_arc(n, n, 7)?)?;
            let p = g.params();
            println!(
                "\n{kind} n = m = {n}: σ_c = {:.4}, β = {:.3e}, ε = 0.05, 1000 points per t",
                p.crossover(),
                p.amplitude()
            );
            println!("| σ | t | regime | normalised error ± se | x-part | u-part | β√m/σ |");
            println!("|---|---|---|---|---|---|---|");
            for e in g.efficient_score_error_table(&times, 1000, 2026)? {
                let regime = if e.error.sigma <= p.crossover() {
                    "round"
                } else {
                    "drop-f"
                };
                println!(
                    "| {:.3} | {:.3e} | {regime} | {:.4} ± {:.4} | {:.4} | {:.4} | {:.4} |",
                    e.error.sigma,
                    e.error.t,
                    e.error.normalised_error,
                    e.error.normalised_std_error,
                    e.normalised_error_x,
                    e.normalised_error_u,
                    p.amplitude() * (n as f64).sqrt() / e.error.sigma
                );
            }
        }
    }
    Ok(())
}
