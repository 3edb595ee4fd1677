//! Prints the size and error of g̃'s score network (docs/math.md §5) against n for every
//! one-way-function candidate: `cargo run -p hardiff-nn --example owf_net_sizes [n...]`.
//! One JSON line per (kind, n) on stdout, a table on stderr.

use hardiff_nn::{owf_network_summary, OwfSummaryOptions};
use hardiff_owf::Candidate;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ns: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let ns = if ns.is_empty() {
        vec![4, 6, 8, 10, 12]
    } else {
        ns
    };
    let options = OwfSummaryOptions {
        points: 1000,
        ..OwfSummaryOptions::default()
    };
    eprintln!("| kind | n = m | circuit gates | circuit depth | neurons | weights | depth | max error (vs exact) | max error (vs efficient) |");
    eprintln!("|---|---|---|---|---|---|---|---|---|");
    for kind in Candidate::ALL {
        for &n in &ns {
            let s = owf_network_summary(kind, n, n, 1, &options)?;
            eprintln!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {:.4} |",
                s.kind,
                n,
                s.circuit_gates,
                s.circuit_depth,
                s.neurons,
                s.weights,
                s.depth,
                s.max_error.map_or("–".into(), |e| format!("{e:.4}")),
                s.max_error_vs_efficient
            );
            println!("{}", serde_json::to_string(&s)?);
        }
    }
    Ok(())
}
