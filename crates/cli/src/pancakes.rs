//! `hardiff discrete-gaussian …`, `hardiff pancakes …` and `hardiff figure pancakes`.

use crate::error::{input_error, usage, CliResult, ExitCode};
use crate::output::Output;
use crate::values::FloatList;
use crate::{check_in_memory, MAX_IN_MEMORY_ENTRIES};
use anyhow::Context;
use clap::{Args, Subcommand};
use hardiff_bench::io::{self, Format, Table};
use hardiff_dist::{rng, DiscreteGaussian, GaussianPancakes, LogDensity, PancakeProfile, Score};
use ndarray::{Array1, Array2};
use rand::distr::Distribution;
use std::path::PathBuf;

/// `hardiff discrete-gaussian …`
#[derive(Debug, Subcommand)]
pub enum DiscreteGaussianCommand {
    /// Exact samples z ∈ C + HZ with P(z) ∝ exp(−z²/(2S²)); prints column `z`.
    #[command(allow_negative_numbers = true)]
    Sample {
        /// Standard deviation parameter S = √v of docs/math.md §1 (> 0).
        #[arg(long = "std")]
        std: f64,
        /// Offset C of the coset C + HZ.
        #[arg(long, default_value_t = 0.0)]
        offset: f64,
        /// Spacing H of the coset C + HZ (> 0).
        #[arg(long, default_value_t = 1.0)]
        spacing: f64,
        /// Number of samples (0 prints the header only, or [] with --format json; any n streams
        /// in bounded memory).
        #[arg(long)]
        n: usize,
        /// Seed.
        #[arg(long)]
        seed: u64,
    },
}

/// Pancake parameters shared by the commands that take a fixed secret.
#[derive(Debug, Args)]
pub struct PancakeArgs {
    /// Spacing parameter γ > 0 (docs/math.md §2).
    #[arg(long)]
    gamma: f64,
    /// Thickness σ > 0.
    #[arg(long)]
    sigma: f64,
    /// Secret unit vector u, comma-separated (its length is the dimension; norm 1 within 1e-9).
    #[arg(long, allow_hyphen_values = true)]
    secret: FloatList,
    /// OU time t ≥ 0 (0 is the data law).
    #[arg(long, default_value_t = 0.0)]
    t: f64,
}

impl PancakeArgs {
    fn build(&self) -> CliResult<GaussianPancakes> {
        let u = &self.secret.0;
        GaussianPancakes::new(u.len(), self.gamma, self.sigma, Array1::from(u.clone())).or_usage()
    }
}

/// `hardiff pancakes …`
#[derive(Debug, Subcommand)]
pub enum PancakesCommand {
    /// Exact samples; prints columns x0…x{D−1}. Without --secret one is drawn from the seed and
    /// reported on stderr.
    #[command(allow_negative_numbers = true)]
    Sample {
        /// Dimension D.
        #[arg(long)]
        dim: usize,
        /// Spacing parameter γ > 0.
        #[arg(long)]
        gamma: f64,
        /// Thickness σ > 0.
        #[arg(long)]
        sigma: f64,
        /// Secret unit vector u (comma-separated, length D); drawn from the seed if absent.
        #[arg(long, allow_hyphen_values = true)]
        secret: Option<FloatList>,
        /// Sample the law at OU time t instead of the data law.
        #[arg(long, default_value_t = 0.0)]
        t: f64,
        /// Number of samples (0 prints the header only, or [] with --format json; any n streams
        /// in bounded memory).
        #[arg(long)]
        n: usize,
        /// Seed.
        #[arg(long)]
        seed: u64,
    },
    /// log p_t(x) of the points on stdin (CSV x0,x1,…); prints column `log_density`.
    #[command(allow_negative_numbers = true)]
    LogDensity(PancakeArgs),
    /// Score ∇ log p_t(x) of the points on stdin; prints columns s0…s{D−1}.
    #[command(allow_negative_numbers = true)]
    Score(PancakeArgs),
    /// TV(P_u, N(0, I)) by 1-D quadrature (independent of d and u); prints one number.
    #[command(allow_negative_numbers = true)]
    Tv {
        /// Spacing parameter γ > 0.
        #[arg(long)]
        gamma: f64,
        /// Thickness σ > 0.
        #[arg(long)]
        sigma: f64,
    },
}

/// `hardiff figure …`
#[derive(Debug, Subcommand)]
pub enum FigureCommand {
    /// Figure 1 of arXiv 2404.03272: 2-D pancakes (γ = 6, u = (−1/√2, 1/√2)) for
    /// σ ∈ {0.01, 0.05, 0.25}: scatter plots and the density along u against N(0, 1).
    Pancakes {
        /// Output folder for the SVG files.
        #[arg(long)]
        out: PathBuf,
        /// Points per scatter plot (0 draws empty plots; at most 2^23, the in-memory limit).
        #[arg(long, default_value_t = 2000)]
        n: usize,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

pub(super) fn discrete_gaussian(cmd: DiscreteGaussianCommand, out: &Output) -> CliResult {
    let DiscreteGaussianCommand::Sample {
        std,
        offset,
        spacing,
        n,
        seed,
    } = cmd;
    let law = DiscreteGaussian::new(offset, spacing, std).or_usage()?;
    // One draw per row: chunking cannot change the numbers.
    let mut stream = rng::stream(seed, "cli/discrete-gaussian", &[]);
    out.samples(vec!["z".into()], n, |mut chunk| {
        chunk.iter_mut().for_each(|z| *z = law.sample(&mut stream));
        Ok(())
    })
}

fn read_stdin_points(dim: usize) -> CliResult<Array2<f64>> {
    io::read_points(std::io::stdin().lock(), Some(dim))
        .map_err(input_error)
        .map_err(|e| e.context("reading points from stdin"))
}

pub(super) fn pancakes(cmd: PancakesCommand, out: &Output) -> CliResult {
    match cmd {
        PancakesCommand::Sample {
            dim,
            gamma,
            sigma,
            secret,
            t,
            n,
            seed,
        } => {
            if dim > MAX_IN_MEMORY_ENTRIES {
                return Err(usage(format!(
                    "--dim {dim} exceeds the in-memory limit of {MAX_IN_MEMORY_ENTRIES} entries \
                     per point"
                )));
            }
            let law = match secret {
                Some(FloatList(u)) => {
                    if u.len() != dim {
                        return Err(usage(format!(
                            "--secret has {} entries but --dim is {dim}",
                            u.len()
                        )));
                    }
                    GaussianPancakes::new(dim, gamma, sigma, Array1::from(u)).or_usage()?
                }
                None => {
                    let law =
                        GaussianPancakes::with_random_secret(dim, gamma, sigma, seed).or_usage()?;
                    let u: Vec<String> = law.secret().iter().map(|v| io::format_f64(*v)).collect();
                    eprintln!("secret: {}", u.join(","));
                    law
                }
            };
            let law = law.at_time(t).or_usage()?;
            // Row by row (ξ then z per point): the bytes do not depend on the chunk size.
            let mut stream = rng::stream(seed, "cli/pancakes/sample", &[]);
            out.samples(io::indexed_names("x", dim), n, |chunk| {
                law.sample_rows_into(&mut stream, chunk).or_failure()
            })
        }
        PancakesCommand::LogDensity(args) => {
            let law = args.build()?;
            let x = read_stdin_points(law.dim())?;
            let mut values = Array1::zeros(x.nrows());
            // The only error left is the OU time, a parameter.
            LogDensity::log_density(&law, args.t, x.view(), values.view_mut()).or_usage()?;
            let data = values.insert_axis(ndarray::Axis(1));
            out.table(&Table::from_array(vec!["log_density".into()], &data))
        }
        PancakesCommand::Score(args) => {
            let law = args.build()?;
            let x = read_stdin_points(law.dim())?;
            let mut s = Array2::zeros(x.raw_dim());
            // The only error left is the OU time, a parameter.
            law.score(args.t, x.view(), s.view_mut()).or_usage()?;
            out.table(&Table::with_prefix("s", &s))
        }
        PancakesCommand::Tv { gamma, sigma } => {
            let tv = PancakeProfile::new(gamma, sigma)
                .or_usage()?
                .tv_to_standard_gaussian();
            match out.format() {
                Format::Csv => out.line(&io::format_f64(tv)),
                Format::Json => out.line(&serde_json::json!({ "tv": tv }).to_string()),
            }
        }
    }
}

pub(super) fn figure(cmd: FigureCommand, out: &Output) -> CliResult {
    let FigureCommand::Pancakes {
        out: folder,
        n,
        seed,
    } = cmd;
    check_in_memory("--n", n, 2)?;
    let files = hardiff_bench::experiments::f1_figure::write_figure1(&folder, n, seed)
        .context("drawing Figure 1")
        .or_failure()?;
    for f in files {
        out.line(&folder.join(f).display().to_string())?;
    }
    Ok(())
}
