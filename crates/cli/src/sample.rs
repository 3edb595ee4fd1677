//! `hardiff sample` and `hardiff posterior`: unconditional and posterior samplers of
//! hardiff-sde on a prior read from a JSON file (see [`hardiff_bench::prior`]).

use crate::check_in_memory;
use crate::error::{input_error, usage, CliResult, ExitCode};
use crate::output::Output;
use crate::values::FloatList;
use anyhow::Context;
use clap::Args;
use hardiff_bench::io::{indexed_names, Table};
use hardiff_bench::prior::{MeasurementSpec, PriorSpec};
use hardiff_dist::rng;
use hardiff_sde::posterior::{PosteriorMethod, PosteriorStats};
use hardiff_sde::{SampleStats, SamplerConfig, SamplerKind};
use ndarray::Array1;
use std::path::PathBuf;

/// Samples per block of `hardiff sample`. The reverse-time samplers move a batch together (the
/// Langevin step size is a batch average), so `sample` runs them on blocks of this many points,
/// block b on the stream `rng::stream(seed, "cli/sample", [b])`: memory stays bounded for any
/// n, and the output for a seed is a function of (seed, n) only. The block size is part of that
/// definition, so it is fixed.
pub const SAMPLE_BLOCK: usize = 4096;

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
    /// Number of samples (0 prints the header only, or [] with --format json). Any n streams in
    /// bounded memory: the sampler runs on blocks of 4096 points, block b seeded from (seed, b).
    #[arg(long)]
    n: usize,
    /// Seed.
    #[arg(long)]
    seed: u64,
    /// Early-stopping OU time (default 1e-3).
    #[arg(long = "t-min")]
    t_min: Option<f64>,
    /// Write counted costs (all blocks together) as JSON here.
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
    #[arg(long, allow_hyphen_values = true)]
    y: FloatList,
    /// The posterior sampler.
    #[arg(long, value_enum)]
    sampler: PosteriorName,
    /// Number of samples (0 prints the header only, or [] with --format json). The samplers
    /// hold all n samples at once (SMC resamples across them), so n × dimension is limited to
    /// 2^24.
    #[arg(long)]
    n: usize,
    /// Seed.
    #[arg(long)]
    seed: u64,
    /// Grid steps (diffusion-based samplers).
    #[arg(long)]
    steps: Option<usize>,
    /// SMC particles (default: n; particles × dimension is limited to 2^24).
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

pub(super) fn sample(args: SampleArgs, out: &Output) -> CliResult {
    let prior = PriorSpec::load(&args.prior).map_err(input_error)?;
    let mut config = SamplerConfig::new(args.sampler.into());
    if let Some(steps) = args.steps {
        config = config.with_steps(steps);
    }
    if let Some(t_min) = args.t_min {
        config = config.with_t_min(t_min);
    }
    // Parameters are checked here (exit 2); what the sampler reports later is a failure.
    let grid = config.time_grid().or_usage()?;
    let kind = SamplerKind::from(args.sampler);
    let mut stats = SampleStats {
        sampler: kind.name().to_string(),
        steps: grid.steps(),
        n: 0,
        score_evals: 0,
        t_max: grid.t_max(),
        t_min: grid.t_min(),
    };
    let dim = prior.dim();
    out.blocks(
        indexed_names("x", dim),
        args.n,
        SAMPLE_BLOCK,
        |b, mut block| {
            let mut stream = rng::stream(args.seed, "cli/sample", &[b]);
            let run = hardiff_sde::sample(prior.score(), &config, block.nrows(), &mut stream)
                .with_context(|| format!("block {b} of {SAMPLE_BLOCK} samples"))
                .or_failure()?;
            block.assign(&run.samples);
            stats.n += run.stats.n;
            stats.score_evals += run.stats.score_evals;
            Ok(())
        },
    )?;
    write_stats(serde_json::to_value(&stats), args.stats.as_deref())
}

/// Reports counted costs on stderr and, when asked, in a JSON file.
fn write_stats(
    value: serde_json::Result<serde_json::Value>,
    path: Option<&std::path::Path>,
) -> CliResult {
    let value = value.or_failure()?;
    eprintln!("stats: {value}");
    if let Some(path) = path {
        hardiff_bench::io::write_json(path, &value).or_failure()?;
    }
    Ok(())
}

pub(super) fn posterior(args: PosteriorArgs, out: &Output) -> CliResult {
    let prior = PriorSpec::load(&args.prior).map_err(input_error)?;
    let measurement = MeasurementSpec::load(&args.measurement).map_err(input_error)?;
    let y = &args.y.0;
    if y.len() != measurement.measurement_count() {
        return Err(usage(format!(
            "--y has {} entries but the measurement has {} rows",
            y.len(),
            measurement.measurement_count()
        )));
    }
    let dim = prior.dim();
    if measurement.dim() != dim {
        return Err(usage(format!(
            "the measurement has {} columns but the prior has dimension {dim}",
            measurement.dim()
        )));
    }
    check_in_memory("--n", args.n, dim)?;
    if let Some(p) = args.particles {
        if p == 0 {
            return Err(usage("--particles must be at least 1"));
        }
        check_in_memory("--particles", p, dim)?;
    }
    if args.max_draws == Some(0) {
        return Err(usage("--max-draws must be at least 1"));
    }
    let mut method = PosteriorMethod::from_name(match args.sampler {
        PosteriorName::Rejection => "rejection",
        PosteriorName::Smc => "smc",
        PosteriorName::Dps => "dps",
        PosteriorName::Pigdm => "pigdm",
        PosteriorName::Langevin => "langevin",
    })
    .or_failure()?;
    // Guided samplers use the exact Jacobian when the prior has VJPs (`as_prior`), else the
    // Jacobian-free one.
    match (&mut method, args.max_draws, args.particles) {
        (PosteriorMethod::Rejection(c), Some(d), _) => c.max_draws = d,
        (PosteriorMethod::Smc(c), _, Some(p)) => c.particles = Some(p),
        _ => {}
    }
    let name = method.name();
    if let Some(steps) = args.steps {
        method = method.with_steps(steps);
    }
    if let Some(t_min) = args.t_min {
        method = method.with_t_min(t_min);
    }
    // Parameters are checked here (exit 2); what the sampler reports later — an exhausted
    // rejection budget, a diverging guided sampler — is a failure (exit 1).
    if let Some(schedule) = method.schedule() {
        schedule.time_grid().or_usage()?;
    }
    let columns = indexed_names("x", dim);
    if args.n == 0 {
        let stats = PosteriorStats {
            method: name.to_string(),
            ..PosteriorStats::default()
        };
        out.table(&Table {
            columns,
            rows: Vec::new(),
        })?;
        return write_stats(serde_json::to_value(&stats), args.stats.as_deref());
    }
    let y = Array1::from(y.clone());
    let mut stream = rng::stream(args.seed, "cli/posterior", &[]);
    let run = method
        .sample(
            &prior.as_prior(),
            &measurement,
            y.view(),
            args.n,
            &mut stream,
        )
        .context("posterior sampling")
        .or_failure()?;
    write_stats(serde_json::to_value(&run.stats), args.stats.as_deref())?;
    out.table(&Table::with_prefix("x", &run.samples))
}
