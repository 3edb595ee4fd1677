//! `hardiff discrete-gaussian …`, `hardiff pancakes …` and `hardiff figure pancakes`.

use super::{print_table, UsageError};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use hardiff_bench::io::{self, Format, Table};
use hardiff_dist::{
    rng, DiscreteGaussian, GaussianPancakes, LogDensity, PancakeProfile, SampleBatch, Score,
};
use ndarray::{Array1, Array2};
use rand::distr::Distribution;
use std::path::PathBuf;

/// `hardiff discrete-gaussian …`
#[derive(Debug, Subcommand)]
pub enum DiscreteGaussianCommand {
    /// Exact samples z ∈ C + HZ with P(z) ∝ exp(−z²/(2S²)); prints column `z`.
    #[command(allow_negative_numbers = true)]
    Sample {
        /// Standard deviation parameter S = √v of MATH.md §1 (> 0).
        #[arg(long = "std")]
        std: f64,
        /// Offset C of the coset C + HZ.
        #[arg(long, default_value_t = 0.0)]
        offset: f64,
        /// Spacing H of the coset C + HZ (> 0).
        #[arg(long, default_value_t = 1.0)]
        spacing: f64,
        /// Number of samples.
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
    /// Spacing parameter γ > 0 (MATH.md §2).
    #[arg(long)]
    gamma: f64,
    /// Thickness σ > 0.
    #[arg(long)]
    sigma: f64,
    /// Secret unit vector u, comma-separated (its length is the dimension; norm 1 within 1e-9).
    #[arg(
        long,
        value_delimiter = ',',
        allow_hyphen_values = true,
        required = true
    )]
    secret: Vec<f64>,
    /// OU time t ≥ 0 (0 is the data law).
    #[arg(long, default_value_t = 0.0)]
    t: f64,
}

impl PancakeArgs {
    fn build(&self) -> Result<GaussianPancakes> {
        Ok(GaussianPancakes::new(
            self.secret.len(),
            self.gamma,
            self.sigma,
            Array1::from(self.secret.clone()),
        )?)
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
        #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
        secret: Option<Vec<f64>>,
        /// Sample the law at OU time t instead of the data law.
        #[arg(long, default_value_t = 0.0)]
        t: f64,
        /// Number of samples.
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
        /// Points per scatter plot.
        #[arg(long, default_value_t = 2000)]
        n: usize,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

pub(super) fn discrete_gaussian(cmd: DiscreteGaussianCommand, format: Format) -> Result<()> {
    let DiscreteGaussianCommand::Sample {
        std,
        offset,
        spacing,
        n,
        seed,
    } = cmd;
    let law = DiscreteGaussian::new(offset, spacing, std)?;
    let mut stream = rng::stream(seed, "cli/discrete-gaussian", &[]);
    let z: Vec<f64> = (0..n).map(|_| law.sample(&mut stream)).collect();
    let data = Array2::from_shape_vec((n, 1), z).expect("n × 1");
    print_table(&Table::from_array(vec!["z".into()], &data), format)
}

fn read_stdin_points(dim: usize) -> Result<Array2<f64>> {
    io::read_points(std::io::stdin().lock(), Some(dim)).context("reading points from stdin")
}

pub(super) fn pancakes(cmd: PancakesCommand, format: Format) -> Result<()> {
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
            let law = match secret {
                Some(u) => {
                    if u.len() != dim {
                        return Err(UsageError(format!(
                            "--secret has {} entries but --dim is {dim}",
                            u.len()
                        ))
                        .into());
                    }
                    GaussianPancakes::new(dim, gamma, sigma, Array1::from(u))?
                }
                None => {
                    let law = GaussianPancakes::with_random_secret(dim, gamma, sigma, seed)?;
                    let u: Vec<String> = law.secret().iter().map(|v| io::format_f64(*v)).collect();
                    eprintln!("secret: {}", u.join(","));
                    law
                }
            };
            let law = law.at_time(t)?;
            let mut stream = rng::stream(seed, "cli/pancakes/sample", &[]);
            print_table(
                &Table::with_prefix("x", &law.sample_batch(&mut stream, n)),
                format,
            )
        }
        PancakesCommand::LogDensity(args) => {
            let law = args.build()?;
            let x = read_stdin_points(law.dim())?;
            let mut out = Array1::zeros(x.nrows());
            LogDensity::log_density(&law, args.t, x.view(), out.view_mut())?;
            let data = out.insert_axis(ndarray::Axis(1));
            print_table(
                &Table::from_array(vec!["log_density".into()], &data),
                format,
            )
        }
        PancakesCommand::Score(args) => {
            let law = args.build()?;
            let x = read_stdin_points(law.dim())?;
            let mut out = Array2::zeros(x.raw_dim());
            law.score(args.t, x.view(), out.view_mut())?;
            print_table(&Table::with_prefix("s", &out), format)
        }
        PancakesCommand::Tv { gamma, sigma } => {
            let tv = PancakeProfile::new(gamma, sigma)?.tv_to_standard_gaussian();
            match format {
                Format::Csv => println!("{}", io::format_f64(tv)),
                Format::Json => println!("{}", serde_json::json!({ "tv": tv })),
            }
            Ok(())
        }
    }
}

pub(super) fn figure(cmd: FigureCommand) -> Result<()> {
    let FigureCommand::Pancakes { out, n, seed } = cmd;
    let files = hardiff_bench::experiments::f1_figure::write_figure1(&out, n, seed)?;
    for f in files {
        println!("{}", out.join(f).display());
    }
    Ok(())
}
