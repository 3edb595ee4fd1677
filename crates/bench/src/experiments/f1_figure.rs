//! F1: Figure 1 of arXiv 2404.03272 — 2-D Gaussian pancakes blur into the Gaussian as σ grows.

use crate::engine::{Experiment, PointContext, PointRecord, PointSpec, Scale};
use crate::error::Result;
use crate::plot::{LinePlot, Series, SeriesStyle};
use crate::report::{ExperimentReport, ValueTable};
use hardiff_dist::{rng, GaussianPancakes, PancakeProfile, SampleBatch};
use ndarray::Array1;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::Path;

/// F1: Figure 1 of arXiv 2404.03272 (2-D pancakes, γ = 6, σ ∈ {0.01, 0.05, 0.25}).
pub struct Figure1;

/// What one F1 point (a σ) measures: the 1-D profile's geometry and its TV to N(0, 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct F1Row {
    /// Thickness σ.
    pub sigma: f64,
    /// TV(P_u, N(0, I)).
    pub tv: f64,
    /// Spacing h₀/a of the layers along u ([`PancakeProfile::spacing`]).
    pub spacing: f64,
    /// Common std τ = σ/a of the layers ([`PancakeProfile::width`]).
    pub width: f64,
    /// b = γσ/a ([`PancakeProfile::blur`]).
    pub b: f64,
}

impl Experiment for Figure1 {
    fn id(&self) -> &'static str {
        "F1"
    }
    fn title(&self) -> &'static str {
        "Figure 1 of arXiv 2404.03272: 2-D pancakes blur into the Gaussian as σ grows"
    }
    /// The thickness σ.
    type Point = f64;
    type Outcome = F1Row;

    fn points(&self, _scale: Scale) -> Vec<PointSpec<f64>> {
        FIGURE1_SIGMAS
            .iter()
            .map(|&s| PointSpec::new(format!("sigma={s}"), s))
            .collect()
    }
    fn run_point(&self, _ctx: &PointContext, &sigma: &f64) -> Result<F1Row> {
        let p = PancakeProfile::new(6.0, sigma)?;
        Ok(F1Row {
            sigma,
            tv: p.tv_to_standard_gaussian(),
            spacing: p.spacing(),
            width: p.width(),
            b: p.blur(),
        })
    }
    fn summarise(
        &self,
        scale: Scale,
        points: &[PointRecord<f64, F1Row>],
        out: &Path,
    ) -> Result<ExperimentReport> {
        let n = if scale == Scale::Quick { 1000 } else { 3000 };
        let plots = write_figure1(out, n, 1)?;
        let mut table = ValueTable::new(&["sigma", "spacing", "width", "b", "tv"]);
        for p in points {
            let v = &p.result;
            table.push(vec![
                json!(v.sigma),
                json!(v.spacing),
                json!(v.width),
                json!(v.b),
                json!(v.tv),
            ]);
        }
        Ok(ExperimentReport {
            table,
            fits: vec![],
            plots,
            markdown: "γ = 6, u = (−1/√2, 1/√2). Scatter plots of exact samples and the density along u (rescaled to peak 1, \
                       like the paper) against N(0, 1). Reproduce with `hardiff figure pancakes --out DIR`."
                .into(),
            claims: Vec::new(),
        })
    }
}

/// σ values of the paper's Figure 1.
pub const FIGURE1_SIGMAS: [f64; 3] = [0.01, 0.05, 0.25];

/// Writes Figure 1 (arXiv 2404.03272) into `out`: `pancakes-scatter-sigma-*.svg` and
/// `pancakes-density-sigma-*.svg`. Returns the file names.
pub fn write_figure1(out: &Path, n: usize, seed: u64) -> Result<Vec<String>> {
    let s = std::f64::consts::FRAC_1_SQRT_2;
    let mut files = Vec::new();
    for (i, &sigma) in FIGURE1_SIGMAS.iter().enumerate() {
        let law = GaussianPancakes::new(2, 6.0, sigma, Array1::from(vec![-s, s]))?;
        let mut stream = rng::stream(seed, "figure1", &[i as u64]);
        let x = law.sample_batch(&mut stream, n);
        let pts: Vec<(f64, f64)> = x.rows().into_iter().map(|r| (r[0], r[1])).collect();
        let name = format!("pancakes-scatter-sigma-{sigma}.svg");
        LinePlot::new(
            format!("2-D Gaussian pancakes, γ = 6, σ = {sigma}, u = (−1/√2, 1/√2)"),
            "x0",
            "x1",
        )
        .with(Series::new(
            format!("{n} samples"),
            pts,
            SeriesStyle::Points,
        ))
        .save(&out.join(&name))?;
        files.push(name);

        // The density along u against N(0, 1), each rescaled to peak 1 as in the paper.
        let profile = law.profile();
        let grid: Vec<f64> = (0..=16000)
            .map(|k| -4.0 + 8.0 * k as f64 / 16000.0)
            .collect();
        let dens: Vec<f64> = grid.iter().map(|&z| profile.density(z)).collect();
        let gauss: Vec<f64> = grid.iter().map(|&z| (-0.5 * z * z).exp()).collect();
        let peak = dens.iter().copied().fold(0.0, f64::max);
        let name = format!("pancakes-density-sigma-{sigma}.svg");
        LinePlot::new(
            format!("density along u (rescaled to peak 1), γ = 6, σ = {sigma}"),
            "⟨x, u⟩",
            "rescaled density",
        )
        .with(Series::new(
            "pancakes A(z)",
            grid.iter()
                .zip(&dens)
                .map(|(&z, &d)| (z, d / peak))
                .collect(),
            SeriesStyle::Line,
        ))
        .with(Series::new(
            "N(0, 1)",
            grid.iter().zip(&gauss).map(|(&z, &g)| (z, g)).collect(),
            SeriesStyle::Line,
        ))
        .save(&out.join(&name))?;
        files.push(name);
    }
    Ok(files)
}
