//! `cargo xtask`: hardiff's task runner (the cargo-xtask pattern: plain Rust, no shell scripts).
//!
//! **Architecture invariant:** xtask orchestrates and computes nothing itself; every experiment,
//! fit and report lives in `hardiff-bench`. (The one exception is `peer`, which times
//! hardiff's kernels beside the NumPy peer script; it is a benchmark, not a library.)
//!
//! - `cargo xtask bench [--quick] [--only E2,E3] [--seed K] [--out DIR] [--check]
//!   [--update-fixtures] [--shard k/N] [--jobs N]` — run the suite and write the report folder.
//! - `cargo xtask merge DIR… [--out DIR] [--check]` — combine shard folders into one report.
//! - `cargo xtask plot DIR` — re-render a finished report folder from its stored points.
//! - `cargo xtask compare DIR_A DIR_B` — fail (one line per difference) unless two report
//!   folders agree outside their wall-time columns.
//! - `cargo xtask peer` — time the NumPy peer against hardiff on the same inputs.
//! - `cargo xtask ci` — what `.ci/run` runs: fmt, clippy, tests, the quick bench check.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use hardiff_bench::engine::{self as bench, BenchConfig, Fixtures, Scale};
use hardiff_bench::report::{claims_section, compare_reports, summary_table, Summary};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

mod peer;
mod peer_binding;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "hardiff's bench, report and CI tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Run the experiment suite and write the report folder.
    Bench(BenchArgs),
    /// Merge shard report folders into one report.
    Merge {
        /// Shard folders written by `bench --shard k/N`.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Folder for the merged report.
        #[arg(long, default_value = "target/hardiff-report/merged")]
        out: PathBuf,
        /// Compare the merged summary against the fixtures of its scale.
        #[arg(long)]
        check: bool,
    },
    /// Re-render a report folder from its stored points.
    Plot {
        /// A folder written by `bench` (complete).
        dir: PathBuf,
    },
    /// Check that two report folders agree: `summary.json` byte for byte and every CSV cell by
    /// cell, except wall-time columns (a header that contains "second", which covers K's
    /// throughputs per second, or starts with "wall"). Exits 1 with one line per difference.
    Compare {
        /// A report folder.
        a: PathBuf,
        /// Another report folder, e.g. the same run with another `--jobs`.
        b: PathBuf,
    },
    /// Run the NumPy peer beside hardiff on the same inputs and report the speed ratios.
    Peer {
        /// Output format: sentences, or one JSON object.
        #[arg(long, value_enum, default_value_t = peer::Format::Text)]
        format: peer::Format,
        /// Time the profile this xtask was built with. By default a dev-profile xtask (what
        /// `cargo xtask` runs: debug assertions and overflow checks on) rebuilds and reruns
        /// itself in the release profile, the one `cargo bench` and users' builds time.
        #[arg(long)]
        as_built: bool,
    },
    /// Run what CI runs: fmt, clippy, the test suite, `bench --quick --check` on 2 threads and
    /// on 1, and `compare` of the two.
    Ci,
}

#[derive(clap::Args)]
struct BenchArgs {
    /// CI scale (about 2 minutes on 2 cores) instead of the default scale (about 10).
    #[arg(long)]
    quick: bool,
    /// Only these experiments, comma-separated (e.g. E2,E3).
    #[arg(long, value_delimiter = ',')]
    only: Option<Vec<String>>,
    /// Seed of the run: same seed, same numbers.
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    /// Report folder (default `target/hardiff-report/<scale>`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Fail (exit 1, one line per regression) if a curve changes class or leaves its tolerance,
    /// or a claim that held in the fixture no longer holds or is missing.
    #[arg(long)]
    check: bool,
    /// Rewrite the baselines in fixtures/ from this run.
    #[arg(long)]
    update_fixtures: bool,
    /// Run only shard k of N (deterministic split of the points), e.g. 3/8.
    #[arg(long, value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
    /// No progress bars.
    #[arg(long)]
    no_progress: bool,
    /// Worker threads for independent points (default: one per available core). The results do
    /// not depend on it (`cargo xtask compare`); K's timed points always run alone.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected k/N, got {s:?}"))?;
    let k: usize = k
        .trim()
        .parse()
        .map_err(|_| format!("bad shard index {k:?}"))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("bad shard count {n:?}"))?;
    if n == 0 || k == 0 || k > n {
        return Err(format!("shard must satisfy 1 ≤ k ≤ N, got {k}/{n}"));
    }
    Ok((k, n))
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn fixtures_path(scale: Scale) -> PathBuf {
    let name = match scale {
        Scale::Quick => "bench-quick.json",
        Scale::Default => "bench-default.json",
    };
    workspace_root().join("fixtures").join(name)
}

fn check_against_fixtures(scale: Scale, summary: &Summary, ran: &[String]) -> Result<()> {
    let path = fixtures_path(scale);
    let fixtures: Fixtures = hardiff_bench::io::read_json(&path).with_context(|| {
        format!(
            "no baseline for this scale: run with --update-fixtures to create {}",
            path.display()
        )
    })?;
    let problems = fixtures.check(summary, ran);
    if problems.is_empty() {
        eprintln!(
            "check: {} curves and {} claims match the baselines in {}",
            summary.curves.len(),
            summary.claims.len(),
            path.display()
        );
        return Ok(());
    }
    for p in &problems {
        println!("regression: {p}");
    }
    bail!(
        "{} regression(s) of curves or claims against {}",
        problems.len(),
        path.display()
    )
}

fn bench(args: BenchArgs) -> Result<()> {
    let started = Instant::now();
    let scale = if args.quick {
        Scale::Quick
    } else {
        Scale::Default
    };
    let out = args.out.unwrap_or_else(|| {
        workspace_root()
            .join("target")
            .join("hardiff-report")
            .join(if args.quick { "quick" } else { "default" })
    });
    let experiments = hardiff_bench::experiments::all();
    let config = BenchConfig {
        scale,
        only: args.only.clone(),
        seed: args.seed,
        out: out.clone(),
        shard: args.shard,
        progress: !args.no_progress,
        jobs: args.jobs.map_or(0, usize::from),
    };
    let outcome = bench::run(&experiments, &config)?;
    eprintln!(
        "bench: {} points computed ({:.1} s on {} thread{}), {} resumed; report folder {}",
        outcome.computed,
        outcome.elapsed_seconds,
        outcome.jobs,
        if outcome.jobs == 1 { "" } else { "s" },
        outcome.reused,
        out.display()
    );
    let finished = || {
        eprintln!(
            "bench: finished in {:.1} s",
            started.elapsed().as_secs_f64()
        )
    };
    let Some(summary) = outcome.summary else {
        eprintln!("bench: shard finished; combine the shards with `cargo xtask merge DIR…`");
        finished();
        return Ok(());
    };
    print_summary(&summary);
    let ran: Vec<String> = match &args.only {
        Some(ids) => ids.clone(),
        None => experiments.iter().map(|e| e.id().to_string()).collect(),
    };
    if args.update_fixtures {
        if args.only.is_some() {
            bail!("--update-fixtures needs the whole suite (drop --only)");
        }
        let path = fixtures_path(scale);
        hardiff_bench::io::write_json(&path, &Fixtures::from_summary(scale, args.seed, &summary))?;
        eprintln!("bench: baselines written to {}", path.display());
    }
    let checked = if args.check {
        check_against_fixtures(scale, &summary, &ran)
    } else {
        Ok(())
    };
    finished();
    checked
}

/// Prints the summary's curve table and its claims section.
fn print_summary(summary: &Summary) {
    print!("{}", summary_table(&summary.curves));
    println!();
    print!("{}", claims_section(&summary.claims));
}

/// `cargo xtask compare`: one line per difference on stdout, exit 1 when there is any.
fn compare(a: &Path, b: &Path) -> Result<()> {
    let differences = compare_reports(a, b)?;
    for d in &differences {
        println!("{d}");
    }
    if !differences.is_empty() {
        bail!(
            "{} difference(s) between {} and {}",
            differences.len(),
            a.display(),
            b.display()
        );
    }
    eprintln!(
        "compare: {} and {} agree (summary.json byte for byte, CSVs outside wall-time columns)",
        a.display(),
        b.display()
    );
    Ok(())
}

fn run_cmd(program: &str, args: &[&str]) -> Result<()> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(workspace_root())
        .status()
        .with_context(|| format!("starting {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            print!("{e}");
            return;
        }
        Err(e) => {
            let line = one_line_usage_error(&e.to_string());
            eprintln!("{line} (see `cargo xtask --help`)");
            std::process::exit(2);
        }
    };
    let result = match cli.task {
        Task::Bench(args) => bench(args),
        Task::Merge { shards, out, check } => (|| {
            let experiments = hardiff_bench::experiments::all();
            let summary = bench::merge(&experiments, &shards, &out)?;
            print_summary(&summary);
            eprintln!("merge: report written to {}", out.display());
            if check {
                let info: bench::RunInfo = hardiff_bench::io::read_json(&out.join("run.json"))?;
                let mut ran: Vec<String> = summary
                    .curves
                    .iter()
                    .map(|e| e.experiment.clone())
                    .chain(summary.claims.iter().map(|c| c.experiment().to_string()))
                    .collect();
                ran.dedup();
                check_against_fixtures(info.scale, &summary, &ran)?;
            }
            Ok(())
        })(),
        Task::Plot { dir } => (|| {
            let experiments = hardiff_bench::experiments::all();
            let summary = bench::merge(&experiments, std::slice::from_ref(&dir), &dir)?;
            print_summary(&summary);
            Ok(())
        })(),
        Task::Compare { a, b } => compare(&a, &b),
        Task::Peer { format, as_built } => {
            if cfg!(debug_assertions) && !as_built {
                // Timings are benchmarks: rerun this command from the release profile.
                let format = match format {
                    peer::Format::Text => "text",
                    peer::Format::Json => "json",
                };
                eprintln!(
                    "peer: timing the release profile (cargo run --release -p xtask -- peer)"
                );
                run_cmd(
                    "cargo",
                    &[
                        "run",
                        "--release",
                        "--quiet",
                        "-p",
                        "xtask",
                        "--",
                        "peer",
                        "--as-built",
                        "--format",
                        format,
                    ],
                )
            } else {
                peer::run(&workspace_root(), format).map_err(Into::into)
            }
        }
        Task::Ci => (|| {
            run_cmd("cargo", &["fmt", "--all", "--", "--check"])?;
            run_cmd(
                "cargo",
                &[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
            )?;
            run_cmd("cargo", &["test", "--workspace"])?;
            // The quick check on 2 threads, then on 1 into another folder: same report.
            let (two, one) = ("target/hardiff-report/ci", "target/hardiff-report/ci-jobs1");
            for dir in [two, one] {
                let dir = workspace_root().join(dir);
                if dir.exists() {
                    std::fs::remove_dir_all(&dir)
                        .with_context(|| format!("removing {}", dir.display()))?;
                }
            }
            run_cmd(
                "cargo",
                &[
                    "xtask",
                    "bench",
                    "--quick",
                    "--check",
                    "--no-progress",
                    "--jobs",
                    "2",
                    "--out",
                    two,
                ],
            )?;
            run_cmd(
                "cargo",
                &[
                    "xtask",
                    "bench",
                    "--quick",
                    "--no-progress",
                    "--jobs",
                    "1",
                    "--out",
                    one,
                ],
            )?;
            run_cmd("cargo", &["xtask", "compare", two, one])
        })(),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// Folds clap's multi-line usage error into one line, dropping the usage and help hints (the
/// same rule as the `hardiff` binary's).
fn one_line_usage_error(text: &str) -> String {
    let kept: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !(l.is_empty() || l.starts_with("Usage:") || l.starts_with("For more information"))
        })
        .collect();
    kept.join(" ")
}
