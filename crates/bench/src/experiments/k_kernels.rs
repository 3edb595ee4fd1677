//! K: kernel throughputs — exact discrete Gaussian sampling and the batched pancake score (wall
//! time; the criterion benches in `benches/` are the careful version).

use crate::engine::{Experiment, PointContext, PointRecord, PointSpec, Scale};
use crate::error::Result;
use crate::plot::{LinePlot, Series, SeriesStyle};
use crate::report::{ExperimentReport, ValueTable};
use hardiff_dist::{rng, DiscreteGaussian, GaussianPancakes, SampleBatch, Score};
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
                       The exact score costs one 1-D lattice sum plus O(d) arithmetic per point: the time per point grows at most linearly in d. \
                       Wall time is not fitted or checked (only counted costs are)."
                .into(),
        })
    }
}
