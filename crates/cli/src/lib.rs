//! # hardiff-cli
//!
//! The `hardiff` command-line program: every public capability of the workspace as a command
//! that prints CSV (header row) or JSON on stdout and reads points as CSV (header x0,x1,…) on
//! stdin.
//!
//! - **Errors** are one line on stderr. The exit code is decided where the error is raised, as
//!   a [`CliError`] (cargo's model): 2 for bad usage or parameters (including malformed input
//!   files and points), 1 for a failure (a numerical failure, an exhausted work or budget limit,
//!   an I/O error), and 0 when the reader of stdout went away (`hardiff … | head`).
//! - **Sample counts:** `--n 0` is valid for every command that takes `--n` and prints the
//!   header row only (CSV) or `[]` (JSON), like `head -n 0`. Sampling commands write their
//!   output in fixed-size chunks, so memory stays bounded for any n and `hardiff … --n
//!   1000000000000 | head -3` prints three lines and exits 0. The numbers for a given seed do
//!   not depend on the chunk size (see [`output`]). Commands whose samplers need all samples at
//!   once (`posterior`, `figure`, `nn`) refuse sizes above [`MAX_IN_MEMORY_ENTRIES`] with
//!   exit 2 instead of attempting the allocation.
//!
//! **Architecture invariant:** argument parsing, file and table I/O, exit codes — no
//! mathematics. Every number it prints comes from a library crate (hardiff-bench and below).
//!
//! ## Example
//! The binary is `hardiff_cli::main`; [`run`] is the same program on an already parsed command
//! line, which is how tests and embedding programs drive it. A bad parameter is a usage error
//! (exit 2) decided where it was found:
//! ```
//! use clap::Parser;
//! use hardiff_cli::{run, Cli, CliError};
//!
//! // `hardiff pancakes tv --gamma 6 --sigma 0.05` prints 0.5083062830287016 (docs/math.md §2).
//! let ok = Cli::try_parse_from(["hardiff", "pancakes", "tv", "--gamma", "6", "--sigma", "0.05"])?;
//! run(ok).expect("a valid command runs");
//!
//! // σ must be positive: the library's typed error becomes exit code 2 and one line.
//! let bad = Cli::try_parse_from(["hardiff", "pancakes", "tv", "--gamma", "6", "--sigma=-1"])?;
//! let error = run(bad).unwrap_err();
//! assert_eq!(error.exit_code, CliError::USAGE);
//! assert!(error.to_string().contains("sigma"), "{error}");
//! # Ok::<(), clap::Error>(())
//! ```

mod challenge;
mod error;
mod nn;
pub mod output;
mod owf;
mod owf_dist;
mod pancakes;
mod sample;
pub mod values;

pub use error::{CliError, CliResult, ExitCode};

use clap::{Parser, Subcommand};
use hardiff_bench::io::Format;
use output::Output;

/// The largest number of `f64` entries (rows × dimension) a command that holds all its samples
/// in memory accepts: 2^24 entries, 128 MiB per array (the samplers keep a few such arrays).
pub const MAX_IN_MEMORY_ENTRIES: usize = 1 << 24;

/// hardiff: hardness results about diffusion models, executable.
#[derive(Debug, Parser)]
#[command(name = "hardiff", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Output format of printed tables.
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    /// Rows per output chunk of the streaming sampling commands (for tests: the output must
    /// not depend on it). Default: 65536 entries' worth of rows.
    #[arg(long = "chunk-rows", global = true, hide = true)]
    pub chunk_rows: Option<usize>,
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
    /// Exact discrete Gaussians on a coset c + hZ (docs/math.md §1).
    #[command(subcommand)]
    DiscreteGaussian(pancakes::DiscreteGaussianCommand),
    /// Gaussian pancakes: samples, densities, scores, TV to N(0, I) (docs/math.md §2).
    #[command(subcommand)]
    Pancakes(pancakes::PancakesCommand),
    /// Figures of the seed papers, as SVG.
    #[command(subcommand)]
    Figure(pancakes::FigureCommand),
    /// One-way-function candidates: evaluate and invert (docs/math.md §4).
    #[command(subcommand)]
    Owf(owf::OwfCommand),
    /// The hard instance g̃ built from a one-way function (docs/math.md §5).
    #[command(subcommand)]
    OwfDist(owf_dist::OwfDistCommand),
    /// Unconditional diffusion sampling from a prior file (docs/math.md §7).
    Sample(sample::SampleArgs),
    /// Posterior sampling given linear measurements y = A x + η (docs/math.md §6–§7).
    Posterior(sample::PosteriorArgs),
    /// ReLU score networks: train by DSM, evaluate, build g̃'s score by construction.
    #[command(subcommand)]
    Nn(nn::NnCommand),
    /// Hard instances as hashed JSON files that any posterior sampler can take: new, score,
    /// reference, suite (docs/challenge.md).
    #[command(subcommand, long_about = challenge::ABOUT)]
    Challenge(challenge::ChallengeCommand),
}

/// Refuses `rows` × `dim` entries above [`MAX_IN_MEMORY_ENTRIES`] (exit 2), naming the flag.
pub(crate) fn check_in_memory(flag: &str, rows: usize, dim: usize) -> CliResult {
    match rows.checked_mul(dim.max(1)) {
        Some(entries) if entries <= MAX_IN_MEMORY_ENTRIES => Ok(()),
        _ => Err(CliError::usage(anyhow::anyhow!(
            "{flag} {rows} × dimension {dim} exceeds the in-memory limit of \
             {MAX_IN_MEMORY_ENTRIES} entries (this command holds all of them at once; split \
             the work over several runs with different seeds)"
        ))),
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> CliResult {
    let out = Output::new(Format::from(cli.format), cli.chunk_rows)?;
    match cli.command {
        Command::DiscreteGaussian(cmd) => pancakes::discrete_gaussian(cmd, &out),
        Command::Pancakes(cmd) => pancakes::pancakes(cmd, &out),
        Command::Figure(cmd) => pancakes::figure(cmd, &out),
        Command::Owf(cmd) => owf::run(cmd, &out),
        Command::OwfDist(cmd) => owf_dist::run(cmd, &out),
        Command::Sample(args) => sample::sample(args, &out),
        Command::Posterior(args) => sample::posterior(args, &out),
        Command::Nn(cmd) => nn::run(cmd, &out),
        Command::Challenge(cmd) => challenge::run(cmd, &out),
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

/// The program: parse, run, report errors as one line with the code they carry.
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
            std::process::exit(CliError::USAGE);
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
        Err(e) => {
            if e.exit_code != 0 {
                eprintln!("error: {}", e.one_line());
            }
            std::process::exit(e.exit_code);
        }
    }
}
