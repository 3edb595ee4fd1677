//! `hardiff nn train|score|compile`: ReLU score networks of hardiff-nn on the command line.

use crate::check_in_memory;
use crate::error::{input_error, usage, CliError, CliResult, ExitCode};
use crate::output::Output;
use crate::values::CountList;
use anyhow::Context;
use clap::{Args, Subcommand};
use hardiff_bench::io::{self, Format, Table};
use hardiff_bench::prior::PriorSpec;
use hardiff_dist::{Dimension, Score};
use hardiff_nn::owf_net::{owf_network_summary, OwfSummaryOptions};
use hardiff_nn::{train_score_network, DsmConfig, Parameterization, ScoreMlp};
use hardiff_owf::Candidate;
use ndarray::Array2;
use std::path::PathBuf;

/// `hardiff nn …`
#[derive(Debug, Subcommand)]
pub enum NnCommand {
    /// Train a ReLU MLP by denoising score matching on samples of a prior file; writes a
    /// versioned JSON checkpoint and prints the loss curve (columns step, loss).
    Train(TrainArgs),
    /// The score of a checkpoint at OU time t for the points on stdin; columns s0…s{d−1}.
    #[command(allow_negative_numbers = true)]
    Score {
        /// Checkpoint written by `nn train`.
        #[arg(long)]
        checkpoint: PathBuf,
        /// OU time t > 0.
        #[arg(long, default_value_t = 0.1)]
        t: f64,
    },
    /// Build g̃'s efficient score as ReLU networks (one per time of the default grid) and print
    /// their size and measured error: {"neurons","weights","depth","max_error",…}.
    Compile {
        /// The one-way function: blake3, goldreich, subset-sum, linear or identity.
        #[arg(long)]
        kind: String,
        /// n.
        #[arg(long = "input-bits")]
        input_bits: usize,
        /// m.
        #[arg(long = "output-bits")]
        output_bits: usize,
        /// Seed of f.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Monte-Carlo points per time for the error (≥ 2).
        #[arg(long, default_value_t = 1000)]
        points: usize,
    },
}

/// `hardiff nn train`
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Prior JSON file (the data law; see `hardiff sample --help`).
    #[arg(long)]
    prior: PathBuf,
    /// Hidden layer widths, comma-separated.
    #[arg(long, default_value = "128,128")]
    hidden: CountList,
    /// Adam steps.
    #[arg(long, default_value_t = 2000)]
    steps: usize,
    /// Rows per step.
    #[arg(long = "batch-size", default_value_t = 256)]
    batch_size: usize,
    /// Peak learning rate.
    #[arg(long = "learning-rate", default_value_t = 1e-3)]
    learning_rate: f64,
    /// Seed of initialisation and training.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Checkpoint file to write.
    #[arg(long)]
    out: PathBuf,
}

pub(super) fn run(cmd: NnCommand, out: &Output) -> CliResult {
    match cmd {
        NnCommand::Train(args) => {
            let prior = PriorSpec::load(&args.prior).map_err(input_error)?;
            check_in_memory("--batch-size", args.batch_size, prior.dim())?;
            let config = DsmConfig {
                steps: args.steps,
                batch_size: args.batch_size,
                learning_rate: args.learning_rate,
                seed: args.seed,
                ..DsmConfig::default()
            };
            let (model, report) = train_score_network(
                prior.sampler(),
                &args.hidden.0,
                Parameterization::GaussianResidual,
                4,
                &config,
            )
            .map_err(|e| match e {
                // A non-finite loss: the training failed, the request was well-formed.
                e @ hardiff_nn::Error::Diverged { .. } => CliError::failure(e),
                // Everything else is refused before the first step: a parameter.
                e => CliError::usage(e),
            })?;
            std::fs::write(&args.out, model.to_json())
                .with_context(|| format!("writing {}", args.out.display()))
                .or_failure()?;
            eprintln!("checkpoint written to {}", args.out.display());
            let rows: Vec<Vec<f64>> = report
                .losses
                .iter()
                .map(|p| vec![p.step as f64, p.loss])
                .collect();
            out.table(&Table {
                columns: vec!["step".into(), "loss".into()],
                rows,
            })
        }
        NnCommand::Score { checkpoint, t } => {
            let text = std::fs::read_to_string(&checkpoint)
                .with_context(|| format!("reading {}", checkpoint.display()))
                .or_failure()?;
            let model = ScoreMlp::from_json(&text)
                .with_context(|| format!("reading {}", checkpoint.display()))
                .or_usage()?;
            let x = io::read_points(std::io::stdin().lock(), Some(model.dim()))
                .map_err(input_error)
                .map_err(|e| e.context("reading points from stdin"))?;
            let mut s = Array2::zeros(x.raw_dim());
            // Shapes are right by construction: the only error left is the time t.
            model.score(t, x.view(), s.view_mut()).or_usage()?;
            out.table(&Table::with_prefix("s", &s))
        }
        NnCommand::Compile {
            kind,
            input_bits,
            output_bits,
            seed,
            points,
        } => {
            let kind: Candidate = kind.parse().or_usage()?;
            if points < 2 {
                return Err(usage(format!("--points must be at least 2, got {points}")));
            }
            check_in_memory("--points", points, input_bits.saturating_add(output_bits))?;
            // Parameters first (exit 2): the candidate and g̃ must exist at these sizes.
            let f = kind.build_arc(input_bits, output_bits, seed).or_usage()?;
            hardiff_dist::OwfDistribution::with_default_params(f).or_usage()?;
            let options = OwfSummaryOptions {
                points,
                ..OwfSummaryOptions::default()
            };
            let summary = owf_network_summary(kind, input_bits, output_bits, seed, &options)
                .context("building the network")
                .or_failure()?;
            let value = serde_json::to_value(&summary).or_failure()?;
            match out.format() {
                Format::Json => out.line(&value.to_string()),
                Format::Csv => out.line(&format!(
                    "neurons,weights,depth,max_error\n{},{},{},{}",
                    summary.neurons,
                    summary.weights,
                    summary.depth,
                    summary.max_error.map_or("".to_string(), io::format_f64)
                )),
            }
        }
    }
}
