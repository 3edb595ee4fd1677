//! # hardiff-cli
//!
//! The `hardiff` command-line program: every public capability of the workspace as a command
//! that prints CSV (header row) or JSON on stdout and reads points as CSV (header x0,x1,…) on
//! stdin. Errors are one line on stderr; the exit code is 2 for bad usage or parameters and 1 for
//! failures.
//!
//! **Architecture invariant:** argument parsing, file and table I/O, exit codes — no
//! mathematics. Every number it prints comes from a library crate (hardiff-bench and below).

mod nn;
mod owf;
mod owf_dist;
mod pancakes;
mod sample;

use anyhow::Result;
use clap::{Parser, Subcommand};
use hardiff_bench::io::{Format, Table};

/// hardiff: hardness results about diffusion models, executable.
#[derive(Debug, Parser)]
#[command(name = "hardiff", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Output format of printed tables.
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// `--format`: how printed tables are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FormatArg {
    /// Comma-separated values with a header row.
    #[default]
    Csv,
    /// One JSON document.
    Json,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Self {
        match arg {
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
        }
    }
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Exact discrete Gaussians on a coset c + hZ (MATH.md §1).
    #[command(subcommand)]
    DiscreteGaussian(pancakes::DiscreteGaussianCommand),
    /// Gaussian pancakes: samples, densities, scores, TV to N(0, I) (MATH.md §2).
    #[command(subcommand)]
    Pancakes(pancakes::PancakesCommand),
    /// Figures of the seed papers, as SVG.
    #[command(subcommand)]
    Figure(pancakes::FigureCommand),
    /// One-way-function candidates: evaluate and invert (MATH.md §4).
    #[command(subcommand)]
    Owf(owf::OwfCommand),
    /// The hard instance g̃ built from a one-way function (MATH.md §5).
    #[command(subcommand)]
    OwfDist(owf_dist::OwfDistCommand),
    /// Unconditional diffusion sampling from a prior file (MATH.md §7).
    Sample(sample::SampleArgs),
    /// Posterior sampling given linear measurements y = A x + η (MATH.md §6–§7).
    Posterior(sample::PosteriorArgs),
    /// ReLU score networks: train by DSM, evaluate, build g̃'s score by construction.
    #[command(subcommand)]
    Nn(nn::NnCommand),
}

/// Marks an error as bad usage or parameters (exit code 2) rather than a failure (exit 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Whether an error is the caller's (exit 2) or a failure (exit 1).
pub fn exit_code(error: &anyhow::Error) -> i32 {
    let usage = error.chain().any(|e| {
        e.is::<UsageError>()
            || e.is::<hardiff_dist::Error>()
            || e.is::<hardiff_owf::Error>()
            || e.is::<serde_json::Error>()
            || e.is::<hardiff_nn::Error>()
            || e.downcast_ref::<hardiff_sde::Error>().is_some_and(|s| {
                !matches!(
                    s,
                    hardiff_sde::Error::BudgetExhausted { .. }
                        | hardiff_sde::Error::Diverged { .. }
                )
            })
            || matches!(
                e.downcast_ref::<hardiff_bench::Error>(),
                Some(
                    hardiff_bench::Error::Csv(_)
                        | hardiff_bench::Error::Invalid(_)
                        | hardiff_bench::Error::Dist(_)
                        | hardiff_bench::Error::Owf(_)
                        | hardiff_bench::Error::Json { .. }
                )
            )
    });
    if usage {
        2
    } else {
        1
    }
}

/// Prints a table to stdout in the chosen format.
pub(crate) fn print_table(table: &Table, format: Format) -> Result<()> {
    let stdout = std::io::stdout();
    table.write(format, stdout.lock())?;
    Ok(())
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let format = Format::from(cli.format);
    match cli.command {
        Command::DiscreteGaussian(cmd) => pancakes::discrete_gaussian(cmd, format),
        Command::Pancakes(cmd) => pancakes::pancakes(cmd, format),
        Command::Figure(cmd) => pancakes::figure(cmd),
        Command::Owf(cmd) => owf::run(cmd, format),
        Command::OwfDist(cmd) => owf_dist::run(cmd, format),
        Command::Sample(args) => sample::sample(args, format),
        Command::Posterior(args) => sample::posterior(args, format),
        Command::Nn(cmd) => nn::run(cmd, format),
    }
}

/// Folds clap's multi-line usage error into one line (dropping the usage and help hints).
pub fn one_line_usage_error(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The program: parse, run, report errors as one line.
pub fn main() -> ! {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            print!("{e}");
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("{} (try --help)", one_line_usage_error(&e.to_string()));
            std::process::exit(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .without_time()
        .init();
    match run(cli) {
        Ok(()) => std::process::exit(0),
        Err(e)
            if e.chain().any(|c| {
                let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
                c.downcast_ref::<std::io::Error>().is_some_and(broken)
                    || matches!(c.downcast_ref::<hardiff_bench::Error>(), Some(hardiff_bench::Error::Io { cause, .. }) if broken(cause))
            }) =>
        {
            // `hardiff … | head`: the reader left; that is not a failure.
            std::process::exit(0)
        }
        Err(e) => {
            // One readable line: the chain joined by ": ".
            let msg = format!("{e:#}").replace('\n', " ");
            eprintln!("error: {msg}");
            std::process::exit(exit_code(&e));
        }
    }
}
