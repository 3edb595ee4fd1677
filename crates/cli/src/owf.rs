//! `hardiff owf eval|invert`: the one-way-function candidates of docs/math.md §4 on the command line.

use crate::error::{usage, CliError, CliResult, ExitCode};
use crate::output::Output;
use anyhow::anyhow;
use clap::{Args, Subcommand};
use hardiff_bench::io::Format;
use hardiff_owf::{Bits, BruteForce, Candidate, Elimination, Inverter, OneWayFunction};

/// Which candidate, with its sizes and seed.
#[derive(Debug, Args)]
pub struct OwfArgs {
    /// The candidate: blake3, goldreich, subset-sum, linear or identity.
    #[arg(long)]
    pub kind: String,
    /// n, the number of input bits.
    #[arg(long = "input-bits")]
    pub input_bits: usize,
    /// m, the number of output bits.
    #[arg(long = "output-bits")]
    pub output_bits: usize,
    /// Seed of the candidate's key / hypergraph / weights / matrix (identity needs none).
    #[arg(long)]
    pub seed: Option<u64>,
}

impl OwfArgs {
    /// Builds the candidate; a seeded kind without `--seed` is a usage error.
    pub fn build(&self) -> CliResult<Box<dyn OneWayFunction>> {
        let kind: Candidate = self.kind.parse().or_usage()?;
        let seed = match (kind, self.seed) {
            (Candidate::Identity, s) => s.unwrap_or(0),
            (_, Some(s)) => s,
            (_, None) => return Err(usage(format!("--seed is required for --kind {kind}"))),
        };
        kind.build(self.input_bits, self.output_bits, seed)
            .or_usage()
    }
}

/// Inversion methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InvertMethod {
    /// Exhaustive search over all 2^n inputs (refused beyond n = 24).
    BruteForce,
    /// Gaussian elimination over GF(2) (linear and identity only).
    Elimination,
}

/// `hardiff owf …`
#[derive(Debug, Subcommand)]
pub enum OwfCommand {
    /// f(x) for one input; prints the output as hex (bit i = bit i%8 of byte i/8).
    Eval {
        /// The candidate.
        #[command(flatten)]
        f: OwfArgs,
        /// The input x as hex (⌈n/8⌉ bytes, little-endian bit order).
        #[arg(long)]
        input: String,
    },
    /// A preimage of an output; prints `preimage,evaluations` (hex and count).
    Invert {
        /// The candidate.
        #[command(flatten)]
        f: OwfArgs,
        /// The output y as hex (⌈m/8⌉ bytes).
        #[arg(long)]
        output: String,
        /// Inversion method (default: elimination for linear/identity, else brute force).
        #[arg(long, value_enum)]
        method: Option<InvertMethod>,
    },
}

pub(super) fn run(cmd: OwfCommand, out: &Output) -> CliResult {
    match cmd {
        OwfCommand::Eval { f, input } => {
            let f = f.build()?;
            let x = Bits::from_hex(&input, f.input_bits()).or_usage()?;
            // x has f's input length by construction: an error here is f's own.
            let y = f.eval(&x).or_failure()?;
            match out.format() {
                Format::Csv => out.line(&y.to_hex()),
                Format::Json => out.line(&serde_json::json!({ "output": y.to_hex() }).to_string()),
            }
        }
        OwfCommand::Invert { f, output, method } => {
            let f = f.build()?;
            let y = Bits::from_hex(&output, f.output_bits()).or_usage()?;
            let method = method.unwrap_or(if f.is_gf2_affine() {
                InvertMethod::Elimination
            } else {
                InvertMethod::BruteForce
            });
            let inverter: Box<dyn Inverter> = match method {
                InvertMethod::BruteForce => Box::new(BruteForce::new()),
                InvertMethod::Elimination => Box::new(Elimination),
            };
            let result = inverter.invert(f.as_ref(), &y).map_err(|e| match e {
                // Brute force over its work limit: the work failed, the request was fine.
                e @ hardiff_owf::Error::TooLarge { .. } => CliError::failure(e),
                // Elimination asked of a non-affine function, and the like.
                e => CliError::usage(e),
            })?;
            let preimage = result.preimage.ok_or_else(|| {
                CliError::failure(anyhow!(
                    "no preimage: {} has no input of {} bits with output {output} ({} proved it with {} evaluations)",
                    f.name(),
                    f.input_bits(),
                    inverter.name(),
                    result.evaluations
                ))
            })?;
            match out.format() {
                Format::Csv => out.line(&format!(
                    "preimage,evaluations\n{},{}",
                    preimage.to_hex(),
                    result.evaluations
                )),
                Format::Json => out.line(
                    &serde_json::json!({ "preimage": preimage.to_hex(), "evaluations": result.evaluations, "method": inverter.name() })
                        .to_string(),
                ),
            }
        }
    }
}
