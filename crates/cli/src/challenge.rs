//! `hardiff challenge new|score|reference|suite`: hard instances pinned in a hashed JSON file
//! that any posterior sampler, in any language, can take (docs/challenge.md;
//! [`hardiff_bench::challenge`]).

use crate::check_in_memory;
use crate::error::{usage, CliError, CliResult, ExitCode};
use crate::output::Output;
use clap::{Args, Subcommand};
use hardiff_bench::challenge::metrics::{ScoreOptions, Usage, DEFAULT_EXACT_BUDGET};
use hardiff_bench::challenge::{
    self, samples, Challenge, ChallengeError, Measure, NewChallenge, SuiteOptions,
    DEFAULT_REFERENCE_BUDGET,
};
use hardiff_bench::io::{format_f64, Format};
use hardiff_bench::prior::MeasurementSpec;
use hardiff_bench::Error as BenchError;
use serde_json::Value;
use std::path::PathBuf;

/// The long help of `hardiff challenge`: the file format in brief.
pub const ABOUT: &str = "\
Hard instances as hashed JSON files that any posterior sampler can take (docs/challenge.md).

DIR/challenge.json holds: \"format\": \"hardiff-challenge\", \"version\": 1, \"name\", \"seed\",
\"prior\" (the CLI's prior JSON: owf-dist, gaussian or gmm), \"measurement\" {\"a\": [[..]],
\"y\": [..], \"noise_std\": η} for y = A x* + η ξ with a hidden x*, \"success\" (what counts as
success) and \"sha256\": lowercase hex SHA-256 of the file without its sha256 member in the
JSON Canonicalization Scheme (RFC 8785: sorted keys, no whitespace, ECMAScript numbers).

Workflow: `challenge new` writes a challenge; your sampler writes SAMPLES as .npy (float32 or
float64, shape (n, d)) or CSV with header x0,..,x{d-1}; `challenge score` prints the report of
Python's hardiff.evaluate (same keys with --format json). `challenge reference` writes exact
posterior samples; `challenge suite` writes ladders of challenges.

Exit codes: 0 ok; 1 a tampered file (hash mismatch), an exhausted budget or I/O; 2 bad usage,
a malformed file or samples of the wrong shape.";

/// `hardiff challenge …`
#[derive(Debug, Subcommand)]
pub enum ChallengeCommand {
    /// Draws a challenge from a prior and writes DIR/challenge.json.
    ///
    /// g̃ (owf-dist) priors take --measured-bits K: y measures the first K output bits of f(s*) for a hidden seed s*
    /// (docs/math.md §6). Gaussian and gmm priors take --measurements K (A with K rows of
    /// i.i.d. N(0, 1/d) entries) or --measurement FILE (A from `{"a": [[..]], "noise_std": η}`),
    /// and y = A x* + η ξ for a hidden x* drawn from the prior.
    New(NewArgs),
    /// Scores posterior samples against a challenge (the report of hardiff.evaluate).
    ///
    /// Prints CSV `metric,value` rows, or with `--format json` the nested report with
    /// evaluate's keys. Refuses a tampered challenge (exit 1) and malformed samples (exit 2).
    Score(ScoreArgs),
    /// Writes exact posterior samples of a challenge.
    ///
    /// Closed form for Gaussians and mixtures, rejection from the prior on g̃ (refused when the expected n·2^(1.5k) prior draws exceed --max-draws).
    Reference(ReferenceArgs),
    /// Writes ladders of challenges with an index DIR/suite.json.
    ///
    /// g̃ over measured bits (blake3,
    /// n = 32, m = 24, k = 4, 8, …, 24 by default), so success can be plotted against the
    /// 2^(1.5k) cost of rejection sampling, and the MCGdiff Gaussian-mixture benchmark over
    /// dimension (2, 8, 16, 32 by default; 25 components, A with sorted U(0,1) singular values).
    Suite(SuiteArgs),
}

/// `hardiff challenge new`
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Prior JSON file (`{"kind":"owf-dist"|"gaussian"|"gmm",…}`, as `hardiff sample`).
    #[arg(long)]
    prior: PathBuf,
    /// g̃: measure the first K output bits of f (1 ≤ K ≤ output_bits).
    #[arg(long = "measured-bits", value_name = "K", conflicts_with_all = ["measurements", "measurement"])]
    measured_bits: Option<usize>,
    /// Gaussians and mixtures: K random rows of A (i.i.d. N(0, 1/d) entries).
    #[arg(long, value_name = "K", conflicts_with = "measurement")]
    measurements: Option<usize>,
    /// Gaussians and mixtures: A (and η, unless --noise-std) from a measurement JSON file.
    #[arg(long, value_name = "FILE")]
    measurement: Option<PathBuf>,
    /// Noise η (default: β/4 on g̃, 0.1 on Gaussians and mixtures).
    #[arg(long = "noise-std")]
    noise_std: Option<f64>,
    /// Seed of the hidden draw, of A and of the noise.
    #[arg(long)]
    seed: u64,
    /// Output folder (created); the challenge is written to DIR/challenge.json.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// `hardiff challenge score`
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The challenge file.
    challenge: PathBuf,
    /// Samples: .npy (float32/float64, shape (n, d)) or CSV with header x0,…,x{d−1}.
    samples: PathBuf,
    /// Seed of the reference streams (default: the challenge's seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Oracle calls the sampler made, if known (reported as `calls`).
    #[arg(long)]
    calls: Option<u64>,
    /// The sampler's call budget, if any (reported as `max_calls`).
    #[arg(long = "max-calls")]
    max_calls: Option<u64>,
    /// Wall-clock seconds of the sampler, if known (reported as `wall_s`).
    #[arg(long = "wall-s")]
    wall_s: Option<f64>,
    /// g̃: budget of prior draws for the exact-posterior baseline (as evaluate's exact_budget).
    #[arg(long = "exact-budget", default_value_t = DEFAULT_EXACT_BUDGET)]
    exact_budget: u64,
}

/// `hardiff challenge reference`
#[derive(Debug, Args)]
pub struct ReferenceArgs {
    /// The challenge file.
    challenge: PathBuf,
    /// Number of exact posterior samples.
    #[arg(long)]
    n: usize,
    /// Output file: .npy (float64), anything else CSV with header x0,….
    #[arg(long)]
    out: PathBuf,
    /// Seed of the reference stream (default: the challenge's seed).
    #[arg(long)]
    seed: Option<u64>,
    /// g̃: budget of prior draws for rejection sampling.
    #[arg(long = "max-draws", default_value_t = DEFAULT_REFERENCE_BUDGET)]
    max_draws: u64,
}

/// `hardiff challenge suite`
#[derive(Debug, Args)]
pub struct SuiteArgs {
    /// Output folder: DIR/<name>/challenge.json per challenge and DIR/suite.json.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Seed of every challenge.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// One-way-function candidate of the g̃ ladder.
    #[arg(long, default_value = "blake3")]
    owf: String,
    /// n of the g̃ ladder.
    #[arg(long = "input-bits", default_value_t = 32)]
    input_bits: usize,
    /// m of the g̃ ladder (at least the largest measured bits).
    #[arg(long = "output-bits", default_value_t = 24)]
    output_bits: usize,
    /// Measured bits of the g̃ ladder, comma-separated.
    #[arg(
        long = "measured-bits",
        value_delimiter = ',',
        default_value = "4,8,12,16,20,24"
    )]
    measured_bits: Vec<usize>,
    /// Dimensions (even) of the MCGdiff GMM ladder, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "2,8,16,32")]
    dims: Vec<usize>,
    /// Rows of A (d_y) in the MCGdiff GMM ladder.
    #[arg(long = "gmm-measurements", default_value_t = 1)]
    gmm_measurements: usize,
}

/// Exit codes of a challenge error: a tampered file, an exhausted or exceeded budget, I/O →
/// 1; malformed content → 2.
fn challenge_error(e: ChallengeError) -> CliError {
    match e {
        e @ (ChallengeError::Tampered { .. } | ChallengeError::TooExpensive(_)) => {
            CliError::failure(e)
        }
        ChallengeError::Bench(b) => bench_error(b),
        e => CliError::failure(e),
    }
}

fn bench_error(e: BenchError) -> CliError {
    match e {
        e @ (BenchError::Io { .. }
        | BenchError::Sde(hardiff_sde::Error::BudgetExhausted { .. })) => CliError::failure(e),
        e => CliError::usage(e),
    }
}

fn load(path: &std::path::Path) -> CliResult<Challenge> {
    Challenge::load(path).map_err(challenge_error)
}

pub(super) fn run(cmd: ChallengeCommand, out: &Output) -> CliResult {
    match cmd {
        ChallengeCommand::New(args) => new(args),
        ChallengeCommand::Score(args) => score(args, out),
        ChallengeCommand::Reference(args) => reference(args),
        ChallengeCommand::Suite(args) => suite(args),
    }
}

fn new(args: NewArgs) -> CliResult {
    let text = std::fs::read_to_string(&args.prior).map_err(|e| {
        CliError::failure(BenchError::io(
            format!("reading {}", args.prior.display()),
            e,
        ))
    })?;
    let prior: Value = serde_json::from_str(&text)
        .map_err(|e| usage(format!("parsing {}: {e}", args.prior.display())))?;
    let mut noise_std = args.noise_std;
    let measure = match (args.measured_bits, args.measurements, &args.measurement) {
        (Some(k), None, None) => Measure::OutputBits(k),
        (None, Some(k), None) => Measure::Rows(k),
        (None, None, Some(path)) => {
            let spec: MeasurementSpec = hardiff_bench::io::read_json(path).map_err(bench_error)?;
            let m = MeasurementSpec::load(path).map_err(bench_error)?;
            noise_std = noise_std.or(Some(spec.noise_std));
            Measure::Matrix(m.matrix().to_owned())
        }
        _ => {
            return Err(usage(
                "say what to measure: --measured-bits K (owf-dist priors), or --measurements K \
                 or --measurement FILE (gaussian and gmm priors)",
            ))
        }
    };
    let c = Challenge::new(&NewChallenge {
        prior,
        measure,
        noise_std,
        seed: args.seed,
    })
    .map_err(challenge_error)?;
    let path = c.write(&args.out).map_err(challenge_error)?;
    println!("{}", path.display());
    eprintln!("challenge {} sha256 {}", c.file().name, c.sha256());
    Ok(())
}

fn score(args: ScoreArgs, out: &Output) -> CliResult {
    let c = load(&args.challenge)?;
    let x = samples::read_samples(&args.samples, c.dim()).map_err(bench_error)?;
    let options = ScoreOptions {
        seed: args.seed.unwrap_or(c.file().seed),
        exact_budget: args.exact_budget,
    };
    let usage = Usage {
        calls: args.calls,
        max_calls: args.max_calls,
        wall_s: args.wall_s,
    };
    let report = c
        .score(x.view(), &options, usage)
        .map_err(challenge_error)?;
    let value = serde_json::to_value(&report).or_failure()?;
    let text = match out.format() {
        Format::Json => serde_json::to_string_pretty(&value).or_failure()?,
        Format::Csv => {
            let mut rows = vec!["metric,value".to_string()];
            flatten("", &value, &mut rows);
            rows.join("\n")
        }
    };
    out.line(&text)
}

/// `metric,value` CSV rows of a JSON report: nested keys joined by `.`, array entries by
/// index (`ci95.0`), null as an empty field, floats in shortest round-trip form.
fn flatten(prefix: &str, value: &Value, rows: &mut Vec<String>) {
    let key = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| flatten(&key(k), v, rows)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| flatten(&key(&i.to_string()), v, rows)),
        Value::Null => rows.push(format!("{prefix},")),
        Value::Bool(b) => rows.push(format!("{prefix},{b}")),
        Value::Number(n) => rows.push(match (n.as_u64(), n.as_f64()) {
            (Some(u), _) => format!("{prefix},{u}"),
            (None, Some(f)) => format!("{prefix},{}", format_f64(f)),
            _ => format!("{prefix},{n}"),
        }),
        Value::String(s) => {
            if s.contains([',', '"', '\n', '\r']) {
                rows.push(format!("{prefix},\"{}\"", s.replace('"', "\"\"")));
            } else {
                rows.push(format!("{prefix},{s}"));
            }
        }
    }
}

fn reference(args: ReferenceArgs) -> CliResult {
    let c = load(&args.challenge)?;
    check_in_memory("--n", args.n, c.dim())?;
    if args.max_draws == 0 {
        return Err(usage("--max-draws must be at least 1"));
    }
    let x = c
        .reference(args.n, args.seed.unwrap_or(c.file().seed), args.max_draws)
        .map_err(challenge_error)?;
    samples::write_samples(&args.out, &x).map_err(bench_error)?;
    println!("{}", args.out.display());
    Ok(())
}

fn suite(args: SuiteArgs) -> CliResult {
    let options = SuiteOptions {
        seed: args.seed,
        owf: args.owf,
        input_bits: args.input_bits,
        output_bits: args.output_bits,
        measured_bits: args.measured_bits,
        dims: args.dims,
        gmm_measurements: args.gmm_measurements,
    };
    let mut entries = challenge::owf_ladder(&args.out, &options).map_err(challenge_error)?;
    entries.extend(challenge::mcgdiff_ladder(&args.out, &options).map_err(challenge_error)?);
    let index = challenge::write_index(&args.out, &entries).map_err(challenge_error)?;
    for e in &entries {
        println!("{}", args.out.join(&e.path).display());
    }
    eprintln!("index {}", index.display());
    Ok(())
}
