//! K: kernel throughputs — exact discrete Gaussian sampling, the batched pancake score and g̃
//! rejection sampling at n = m = 12 (wall time; the criterion benches in `benches/` are the
//! careful version).

use crate::engine::{Experiment, PointContext, PointRecord, PointSpec, Scale};
use crate::error::Result;
use crate::plot::{LinePlot, Series, SeriesStyle};
use crate::report::{ExperimentReport, ValueTable};
use hardiff_dist::{rng, DiscreteGaussian, GaussianPancakes, OwfDistribution, SampleBatch, Score};
use hardiff_owf::{Bits, Candidate};
use hardiff_sde::posterior::rejection;
use hardiff_sde::LinearMeasurement;
use ndarray::Array2;
use rand::distr::Distribution;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::Path;
use std::time::Instant;

/// K: kernel throughputs (wall time; the criterion benches in `benches/` are the careful version).
pub struct Kernels;

/// One K point: the dimension d of the pancake score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KernelPoint {
    /// Dimension d.
    pub dim: usize,
}

/// What one K point measures (wall time on this machine).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KernelOutcome {
    /// Dimension d.
    pub dim: usize,
    /// Per repetition: seconds per point of the batched pancake score (batch 1024, t = 0.1).
    pub score_seconds_per_point: Vec<f64>,
    /// Exact discrete Gaussian sampling, narrow then wide.
    pub discrete_gaussian: Vec<SamplingThroughput>,
    /// Prior draws per second of exact rejection sampling (docs/math.md §6) from g̃ at
    /// n = m = 12 (BLAKE3, the m u-coordinates observed with the law's noise; a budget of
    /// [`OWF_REJECTION_DRAWS`] draws on rayon's global pool; best of the repetitions). Each draw
    /// is n exact discrete-Gaussian draws, one f-evaluation, its log-acceptance and one uniform.
    /// Absent (0) in records written before it existed.
    #[serde(default)]
    pub owf_rejection_draws_per_second: f64,
}

/// Prior draws per g̃ rejection run of K.
pub const OWF_REJECTION_DRAWS: u64 = 1 << 16;

/// Prior draws per second of rejection sampling from g̃ at n = m = 12 (see
/// [`KernelOutcome::owf_rejection_draws_per_second`]): best of `reps` runs of
/// [`OWF_REJECTION_DRAWS`] draws each.
fn owf_rejection_draws_per_second(seed: u64, reps: usize) -> Result<f64> {
    let (n, m) = (12, 12);
    let f = Candidate::Blake3.build_arc(n, m, seed)?;
    let dist = OwfDistribution::with_default_params(f)?;
    let a = Array2::from_shape_fn((m, n + m), |(i, j)| if j == n + i { 1.0 } else { 0.0 });
    let meas = LinearMeasurement::new(a, dist.params().noise())?;
    let y = dist.vertex_value(&Bits::from_u64(0xa5c, n)?)?;
    let mut stream = rng::stream(seed, "K/owf-rejection", &[]);
    let mut best = 0.0f64;
    for _ in 0..reps {
        let start = Instant::now();
        // Asks for more acceptances than the budget yields: exactly the budget is drawn.
        let draws = match rejection(
            &dist,
            &meas,
            y.view(),
            OWF_REJECTION_DRAWS as usize,
            OWF_REJECTION_DRAWS,
            &mut stream,
        ) {
            Ok(out) => out.stats.prior_draws,
            Err(hardiff_sde::Error::BudgetExhausted { draws, .. }) => draws,
            Err(e) => return Err(e.into()),
        };
        best = best.max(draws as f64 / start.elapsed().as_secs_f64());
    }
    Ok(best)
}

/// Throughput of exact discrete Gaussian sampling at one width.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplingThroughput {
    /// `narrow` (inversion) or `wide` (rejection).
    pub width: String,
    /// The standard deviation parameter.
    pub std: f64,
    /// Samples per second.
    pub samples_per_second: f64,
}

impl Experiment for Kernels {
    fn id(&self) -> &'static str {
        "K"
    }
    fn title(&self) -> &'static str {
        "Kernel throughputs: exact discrete Gaussian sampling and the batched pancake score"
    }
    type Point = KernelPoint;
    type Outcome = KernelOutcome;
    /// Throughputs are wall times: K's points run alone, never beside other points.
    fn exclusive(&self) -> bool {
        true
    }

    fn points(&self, scale: Scale) -> Vec<PointSpec<KernelPoint>> {
        let dims: &[usize] = match scale {
            Scale::Quick => &[16, 64, 256],
            Scale::Default => &[16, 32, 64, 128, 256, 512],
        };
        dims.iter()
            .map(|&d| PointSpec::new(format!("dim={d}"), KernelPoint { dim: d }))
            .collect()
    }
    fn run_point(&self, ctx: &PointContext, point: &KernelPoint) -> Result<KernelOutcome> {
        let dim = point.dim;
        let mut stream = rng::stream(ctx.seed, "K", &[dim as u64]);
        let law = GaussianPancakes::with_random_secret(dim, 2.0, 0.5, ctx.seed)?;
        let batch = 1024;
        let x = law.sample_batch(&mut stream, batch);
        let mut out = Array2::zeros(x.raw_dim());
        let reps = if ctx.scale == Scale::Quick { 5 } else { 20 };
        let mut score_seconds = Vec::new();
        for _ in 0..reps {
            let start = Instant::now();
            law.score(0.1, x.view(), out.view_mut())?;
            score_seconds.push(start.elapsed().as_secs_f64() / batch as f64);
        }
        // Discrete Gaussian throughput at a small and a large width (inversion and rejection).
        let mut dg = Vec::new();
        for (label, std) in [("narrow", 0.3), ("wide", 1e4)] {
            let law = DiscreteGaussian::new(0.5, 1.0, std)?;
            let n = 200_000;
            let start = Instant::now();
            let mut acc = 0.0;
            for _ in 0..n {
                acc += law.sample(&mut stream);
            }
            std::hint::black_box(acc);
            dg.push(SamplingThroughput {
                width: label.into(),
                std,
                samples_per_second: n as f64 / start.elapsed().as_secs_f64(),
            });
        }
        Ok(KernelOutcome {
            dim,
            score_seconds_per_point: score_seconds,
            discrete_gaussian: dg,
            owf_rejection_draws_per_second: owf_rejection_draws_per_second(
                ctx.seed,
                if ctx.scale == Scale::Quick { 3 } else { 10 },
            )?,
        })
    }
    fn summarise(
        &self,
        _scale: Scale,
        points: &[PointRecord<KernelPoint, KernelOutcome>],
        out: &Path,
    ) -> Result<ExperimentReport> {
        let mut table = ValueTable::new(&[
            "dim",
            "score_points_per_second",
            "dg_narrow_per_second",
            "dg_wide_per_second",
            "owf_rejection_draws_per_second",
        ]);
        let mut curve = Vec::new();
        for p in points {
            let v = &p.result;
            let secs = &v.score_seconds_per_point;
            let best = secs.iter().copied().fold(f64::INFINITY, f64::min);
            curve.push((v.dim as f64, secs.clone()));
            let throughput = |i: usize| {
                v.discrete_gaussian
                    .get(i)
                    .map_or(serde_json::Value::Null, |t| json!(t.samples_per_second))
            };
            table.push(vec![
                json!(v.dim),
                json!(1.0 / best),
                throughput(0),
                throughput(1),
                json!(v.owf_rejection_draws_per_second),
            ]);
        }
        LinePlot::new(
            "pancake score: seconds per point against d (batch 1024, t = 0.1)",
            "d",
            "seconds per point",
        )
        .log_axes(true, true)
        .with(Series::new(
            "measured",
            curve
                .iter()
                .map(|(d, s)| (*d, s.iter().sum::<f64>() / s.len() as f64))
                .collect(),
            SeriesStyle::LinePoints,
        ))
        .save(&out.join("K-score-vs-d.svg"))?;
        Ok(ExperimentReport {
            table,
            fits: vec![],
            plots: vec!["K-score-vs-d.svg".into()],
            markdown: "Wall-clock throughputs on this machine (for careful numbers run `cargo bench -p hardiff-benches`). \
                       `owf_rejection_draws_per_second`: prior draws per second of exact rejection sampling from g̃ at n = m = 12 (BLAKE3; all threads). \
                       The exact score costs one 1-D lattice sum plus O(d) arithmetic per point: the time per point grows at most linearly in d. \
                       Wall time is not fitted or checked (only counted costs are)."
                .into(),
            claims: Vec::new(),
        })
    }
}
