//! `hardiff owf-dist sample|log-density|score`: the hard instance g̃ of docs/math.md §5.

use super::owf::OwfArgs;
use crate::error::{input_error, usage, CliResult, ExitCode};
use crate::output::Output;
use clap::{Args, Subcommand};
use hardiff_bench::io::{self, Table};
use hardiff_dist::owf_dist::{OwfDistribution, OwfParams};
use hardiff_dist::{rng, LogDensity, Score};
use ndarray::{Array1, Array2, Axis};
use std::sync::Arc;

/// The instance: f, and g̃'s parameters (defaults from the rule of docs/math.md §5).
#[derive(Debug, Args)]
pub struct InstanceArgs {
    /// The one-way function (its `--seed` also seeds the sampling stream, which is derived
    /// separately, so the two never share randomness).
    #[command(flatten)]
    pub f: OwfArgs,
    /// Lattice spacing α (default 0.5).
    #[arg(long, default_value_t = OwfParams::DEFAULT_SPACING)]
    pub alpha: f64,
    /// Envelope R of the discretized Gaussian (default 1).
    #[arg(long, default_value_t = OwfParams::DEFAULT_ENVELOPE)]
    pub envelope: f64,
    /// Amplitude β of the f-part (default ε·σ_c/√m with ε = 0.05, docs/math.md §5).
    #[arg(long)]
    pub beta: Option<f64>,
}

impl InstanceArgs {
    /// Builds g̃; every error is a parameter's (exit 2).
    pub fn build(&self) -> CliResult<OwfDistribution> {
        let f = Arc::from(self.f.build()?);
        let (n, m) = (self.f.input_bits, self.f.output_bits);
        let mut params =
            OwfParams::from_rule(n, m, self.envelope, self.alpha, OwfParams::DEFAULT_EPSILON)
                .or_usage()?;
        if let Some(beta) = self.beta {
            params = params.with_amplitude(beta).or_usage()?;
        }
        OwfDistribution::new(f, params).or_usage()
    }
}

/// `hardiff owf-dist …`
#[derive(Debug, Subcommand)]
pub enum OwfDistCommand {
    /// Exact samples of g̃ (or of its law at OU time t); columns x0…x{N+M−1}, the N input
    /// coordinates first, then the M coordinates of the f-part.
    #[command(allow_negative_numbers = true)]
    Sample {
        /// The instance.
        #[command(flatten)]
        instance: InstanceArgs,
        /// Number of samples (0 prints the header only, or [] with --format json; any n streams
        /// in bounded memory).
        #[arg(long)]
        n: usize,
        /// OU time t ≥ 0 of the law to sample (0 = g̃ itself).
        #[arg(long, default_value_t = 0.0)]
        t: f64,
    },
    /// log-density of the OU-smoothed law at t > 0 (brute force over the 2^N seeds) of the
    /// points on stdin; column `log_density`.
    #[command(allow_negative_numbers = true)]
    LogDensity {
        /// The instance.
        #[command(flatten)]
        instance: InstanceArgs,
        /// OU time t > 0 (g̃ has atoms, so t = 0 is refused).
        #[arg(long)]
        t: f64,
    },
    /// Score at OU time t > 0 of the points on stdin; columns s0…s{N+M−1}. Default: the
    /// efficient score (one f-evaluation per point); `--exact`: brute force over 2^N seeds.
    #[command(allow_negative_numbers = true)]
    Score {
        /// The instance.
        #[command(flatten)]
        instance: InstanceArgs,
        /// OU time t > 0.
        #[arg(long)]
        t: f64,
        /// Use the exact brute-force score.
        #[arg(long)]
        exact: bool,
    },
}

pub(super) fn run(cmd: OwfDistCommand, out: &Output) -> CliResult {
    match cmd {
        OwfDistCommand::Sample { instance, n, t } => {
            let dist = instance.build()?;
            hardiff_dist::ou_time::validate(t).or_usage()?;
            let seed = instance.f.seed.unwrap_or(0);
            // Row by row (X_0, then its noise at t > 0): the bytes do not depend on the chunk
            // size.
            let mut stream = rng::stream(seed, "cli/owf-dist/sample", &[]);
            let d = dist.input_bits() + dist.output_bits();
            out.samples(io::indexed_names("x", d), n, |chunk| {
                dist.sample_rows_at(t, &mut stream, chunk).or_failure()
            })
        }
        OwfDistCommand::LogDensity { instance, t } => {
            let dist = instance.build()?;
            positive_time(t)?;
            let x = read_points(&dist)?;
            let mut values = Array1::zeros(x.nrows());
            // Parameters are checked: what is left is the brute-force work limit (exit 1).
            dist.log_density(t, x.view(), values.view_mut())
                .or_failure()?;
            let data = values.insert_axis(Axis(1));
            out.table(&Table::from_array(vec!["log_density".into()], &data))
        }
        OwfDistCommand::Score { instance, t, exact } => {
            let dist = instance.build()?;
            positive_time(t)?;
            let x = read_points(&dist)?;
            let mut s = Array2::zeros(x.raw_dim());
            if exact {
                // Refused beyond the brute-force limit on n: a work limit (exit 1).
                dist.brute_force_score()
                    .or_failure()?
                    .score(t, x.view(), s.view_mut())
                    .or_failure()?;
            } else {
                dist.efficient_score()
                    .score(t, x.view(), s.view_mut())
                    .or_failure()?;
            }
            out.table(&Table::with_prefix("s", &s))
        }
    }
}

/// g̃ has atoms at t = 0: its density and score need a finite t > 0 (exit 2 otherwise).
fn positive_time(t: f64) -> CliResult {
    if t > 0.0 && t.is_finite() {
        Ok(())
    } else {
        Err(usage(format!(
            "t must be > 0 and finite, got {t} (g̃ has atoms at t = 0: its density and score \
             exist only for t > 0)"
        )))
    }
}

fn read_points(dist: &OwfDistribution) -> CliResult<Array2<f64>> {
    let d = dist.input_bits() + dist.output_bits();
    io::read_points(std::io::stdin().lock(), Some(d))
        .map_err(input_error)
        .map_err(|e| e.context("reading points from stdin"))
}
