//! Prints the circuit size (gates, by type) and depth of every candidate (docs/math.md §4:
//! "Size and depth are reported").
//!
//! `cargo run -p hardiff-owf --example circuit_sizes`

use hardiff_owf::Candidate;

fn main() -> Result<(), hardiff_owf::Error> {
    println!("| candidate | n | m | gates | AND | XOR | NOT | const | depth |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for kind in Candidate::ALL {
        for (n, m) in [(16, 16), (64, 64), (256, 256), (512, 512)] {
            let m = if kind == Candidate::SubsetSum {
                m.min(64)
            } else {
                m
            };
            let f = kind.build(n, m, 0)?;
            let c = f.compile();
            let g = c.gate_counts();
            println!(
                "| {kind} | {n} | {m} | {} | {} | {} | {} | {} | {} |",
                c.size(),
                g.and,
                g.xor,
                g.not,
                g.constant,
                c.depth()
            );
        }
    }
    Ok(())
}
