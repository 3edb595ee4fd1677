//! `hardiff sample` and `hardiff posterior`: unconditional and posterior samplers of
//! hardiff-sde on a prior read from a JSON file (see [`hardiff_bench::prior`]).

use super::{print_table, UsageError};
use anyhow::{Context, Result};
use clap::Args;
use hardiff_bench::io::{Format, Table};
use hardiff_bench::prior::{MeasurementSpec, PriorSpec};
use hardiff_dist::rng;
use hardiff_sde::posterior::PosteriorMethod;
use hardiff_sde::{SamplerConfig, SamplerKind};
use ndarray::Array1;
use std::path::PathBuf;

/// Unconditional sampler names of the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SamplerName {
    /// Euler–Maruyama on the reverse SDE.
    Em,
    /// DDPM-ancestral (exponential integrator).
    Ddpm,
    /// Probability-flow ODE with Heun's method.
    Heun,
    /// Annealed Langevin / predictor–corrector.
    Langevin,
}

impl From<SamplerName> for SamplerKind {
    fn from(s: SamplerName) -> Self {
        match s {
            SamplerName::Em => SamplerKind::EulerMaruyama,
            SamplerName::Ddpm => SamplerKind::DdpmAncestral,
            SamplerName::Heun => SamplerKind::Heun,
            SamplerName::Langevin => SamplerKind::Langevin,
        }
    }
}

/// `hardiff sample`
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct SampleArgs {
    /// Prior JSON file (`{"kind":"gaussian"|"gmm"|"pancakes"|"owf-dist",…}`).
    #[arg(long)]
    prior: PathBuf,
    /// The reverse-time sampler.
    #[arg(long, value_enum)]
    sampler: SamplerName,
    /// Grid steps (default: a count that reproduces a 2-D GMM, per sampler).
    #[arg(long)]
    steps: Option<usize>,
    /// Number of samples.
    #[arg(long)]
    n: usize,
    /// Seed.
    #[arg(long)]
    seed: u64,
    /// Early-stopping OU time (default 1e-3).
    #[arg(long = "t-min")]
    t_min: Option<f64>,
    /// Write counted costs as JSON here.
    #[arg(long)]
    stats: Option<PathBuf>,
}

/// Posterior sampler names of the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PosteriorName {
    /// Exact rejection sampling from prior draws.
    Rejection,
    /// Sequential Monte Carlo with twisted proposals.
    Smc,
    /// Diffusion posterior sampling.
    Dps,
    /// Pseudo-inverse guided diffusion.
    Pigdm,
    /// Annealed Langevin on the guided score.
    Langevin,
}

/// `hardiff posterior`
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct PosteriorArgs {
    /// Prior JSON file.
    #[arg(long)]
    prior: PathBuf,
    /// Measurement JSON file `{"a":[[…]],"noise_std":…}`.
    #[arg(long)]
    measurement: PathBuf,
    /// The observation y, comma-separated (one entry per row of A).
    #[arg(
        long,
        value_delimiter = ',',
        allow_hyphen_values = true,
        required = true
    )]
    y: Vec<f64>,
    /// The posterior sampler.
    #[arg(long, value_enum)]
    sampler: PosteriorName,
    /// Number of samples.
    #[arg(long)]
    n: usize,
    /// Seed.
    #[arg(long)]
    seed: u64,
    /// Grid steps (diffusion-based samplers).
    #[arg(long)]
    steps: Option<usize>,
    /// SMC particles (default: n).
    #[arg(long)]
    particles: Option<usize>,
    /// Rejection budget of prior draws (default 10^7); exhausting it is an error that reports
    /// the measured acceptance rate.
    #[arg(long = "max-draws")]
    max_draws: Option<u64>,
    /// Early-stopping OU time (default 1e-3).
    #[arg(long = "t-min")]
    t_min: Option<f64>,
    /// Write counted costs (prior draws, score evaluations, acceptance rate, ESS) as JSON here.
    #[arg(long)]
    stats: Option<PathBuf>,
}

pub(super) fn sample(args: SampleArgs, format: Format) -> Result<()> {
    let prior = PriorSpec::load(&args.prior)?;
    let mut config = SamplerConfig::new(args.sampler.into());
    if let Some(steps) = args.steps {
        config = config.with_steps(steps);
    }
    if let Some(t_min) = args.t_min {
        config = config.with_t_min(t_min);
    }
    let mut stream = rng::stream(args.seed, "cli/sample", &[]);
    let out = hardiff_sde::sample(prior.score(), &config, args.n, &mut stream)?;
    let stats = serde_json::to_value(&out.stats)?;
    eprintln!("stats: {stats}");
    if let Some(path) = &args.stats {
        hardiff_bench::io::write_json(path, &stats)?;
    }
    print_table(&Table::with_prefix("x", &out.samples), format)
}

pub(super) fn posterior(args: PosteriorArgs, format: Format) -> Result<()> {
    let prior = PriorSpec::load(&args.prior)?;
    let measurement = MeasurementSpec::load(&args.measurement)?;
    if args.y.len() != measurement.m() {
        return Err(UsageError(format!(
            "--y has {} entries but the measurement has {} rows",
            args.y.len(),
            measurement.m()
        ))
        .into());
    }
    let mut method = PosteriorMethod::from_name(match args.sampler {
        PosteriorName::Rejection => "rejection",
        PosteriorName::Smc => "smc",
        PosteriorName::Dps => "dps",
        PosteriorName::Pigdm => "pigdm",
        PosteriorName::Langevin => "langevin",
    })?;
    // Guided samplers use the exact Jacobian when the prior has VJPs (`as_prior`), else the
    // Jacobian-free one.
    match (&mut method, args.max_draws, args.particles) {
        (PosteriorMethod::Rejection(c), Some(d), _) => c.max_draws = d,
        (PosteriorMethod::Smc(c), _, Some(p)) => c.particles = Some(p),
        _ => {}
    }
    if let Some(steps) = args.steps {
        method = method.with_steps(steps);
    }
    if let Some(t_min) = args.t_min {
        method = method.with_t_min(t_min);
    }
    let y = Array1::from(args.y.clone());
    let mut stream = rng::stream(args.seed, "cli/posterior", &[]);
    let out = method
        .sample(
            &prior.as_prior(),
            &measurement,
            y.view(),
            args.n,
            &mut stream,
        )
        .context("posterior sampling")?;
    let stats = serde_json::to_value(&out.stats)?;
    eprintln!("stats: {stats}");
    if let Some(path) = &args.stats {
        hardiff_bench::io::write_json(path, &stats)?;
    }
    print_table(&Table::with_prefix("x", &out.samples), format)
}
