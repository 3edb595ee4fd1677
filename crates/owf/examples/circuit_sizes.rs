//! Prints the circuit size (gates, by type) and depth of every candidate (MATH.md §4:
//! "Size and depth are reported").
//!
//! `cargo run -p hardiff-owf --example circuit_sizes`

use hardiff_owf::{build, Kind};

fn main() -> Result<(), hardiff_owf::Error> {
    println!("| kind | n | m | gates | AND | XOR | NOT | const | depth |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for kind in Kind::ALL {
        for (n, m) in [(16, 16), (64, 64), (256, 256), (512, 512)] {
            let m = if kind == Kind::SubsetSum {
                m.min(64)
            } else {
                m
            };
            let f = build(kind, n, m, 0)?;
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
