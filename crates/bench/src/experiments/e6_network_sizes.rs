//! E6: g̃'s efficient score (docs/math.md §5) as one ReLU network per time step — its size against n
//! for each candidate, and its L2 accuracy against t.

use crate::engine::{Experiment, PointContext, PointRecord, PointSpec, Scale};
use crate::error::{Error, Result};
use crate::fit::{fit_scaling_tolerant, mean_of, Curve, GrowthClass, DEFAULT_MODEL_TOLERANCE};
use crate::plot::{LinePlot, Series, SeriesStyle};
use crate::report::{ExperimentReport, SummaryEntry, ValueTable};
use hardiff_dist::rng;
use hardiff_nn::owf_net::{owf_network_summary, OwfNetSummary, OwfSummaryOptions};
use hardiff_owf::Candidate;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::Path;

/// E6: the constructed network's size vs n for each candidate, and its accuracy vs t.
pub struct NetworkSizes;

/// One E6 point: a candidate with n input bits (m = n).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct E6Point {
    /// The one-way-function candidate.
    pub kind: Candidate,
    /// Input bits n (= output bits m).
    pub n: usize,
}

fn e6_grid(scale: Scale) -> (Vec<Candidate>, Vec<usize>, usize) {
    match scale {
        // BLAKE3's network takes ~15 s per n to build and check: default scale only.
        Scale::Quick => (
            vec![Candidate::Goldreich, Candidate::Linear],
            vec![8, 16, 32],
            8,
        ),
        Scale::Default => (
            vec![
                Candidate::Blake3,
                Candidate::Goldreich,
                Candidate::SubsetSum,
                Candidate::Linear,
                Candidate::Identity,
            ],
            vec![8, 16, 32, 64],
            10,
        ),
    }
}

impl Experiment for NetworkSizes {
    fn id(&self) -> &'static str {
        "E6"
    }
    fn title(&self) -> &'static str {
        "g̃'s efficient score as one ReLU network: size vs n per candidate, L2 accuracy vs t"
    }
    type Point = E6Point;
    /// hardiff-nn's summary of the network: sizes, and errors per grid time.
    type Outcome = OwfNetSummary;

    fn points(&self, scale: Scale) -> Vec<PointSpec<E6Point>> {
        let (kinds, ns, _) = e6_grid(scale);
        let mut v = Vec::new();
        for &kind in &kinds {
            for &n in &ns {
                if kind == Candidate::Goldreich && n < 5 {
                    continue;
                }
                v.push(PointSpec::new(
                    format!("{kind}-n={n:03}"),
                    E6Point { kind, n },
                ));
            }
        }
        v
    }
    fn run_point(&self, ctx: &PointContext, point: &E6Point) -> Result<OwfNetSummary> {
        let &E6Point { kind, n } = point;
        let (_, _, brute_max) = e6_grid(ctx.scale);
        let options = OwfSummaryOptions {
            points: if ctx.scale == Scale::Quick { 200 } else { 600 },
            brute_force_max_n: brute_max,
            error_seed: rng::stream(ctx.seed, "E6", &[n as u64]).random(),
            ..OwfSummaryOptions::default()
        };
        owf_network_summary(
            kind,
            n,
            n,
            rng::stream(ctx.seed, "E6/f", &[n as u64]).random(),
            &options,
        )
        .map_err(Error::from)
    }
    fn summarise(
        &self,
        _scale: Scale,
        points: &[PointRecord<E6Point, OwfNetSummary>],
        out: &Path,
    ) -> Result<ExperimentReport> {
        let mut table = ValueTable::new(&[
            "f",
            "n",
            "circuit_gates",
            "neurons",
            "weights",
            "depth",
            "max_error_vs_exact",
            "max_error_vs_efficient",
        ]);
        let mut curves: std::collections::BTreeMap<String, Curve> = Default::default();
        let mut error_plot = LinePlot::new(
            "constructed network: normalised L2 error vs t (n where brute force is possible)",
            "OU time t",
            "σ·√E‖net − s‖²",
        )
        .log_axes(true, true);
        for rec in points {
            let v = &rec.result;
            table.push(vec![
                json!(v.kind),
                json!(v.n),
                json!(v.circuit_gates),
                json!(v.neurons),
                json!(v.weights),
                json!(v.depth),
                json!(v.max_error),
                json!(v.max_error_vs_efficient),
            ]);
            curves
                .entry(v.kind.clone())
                .or_default()
                .push((v.n as f64, vec![v.weights as f64]));
            if v.max_error.is_some() {
                let pts: Vec<(f64, f64)> = v
                    .steps
                    .iter()
                    .filter_map(|s| Some((s.t, s.error?)))
                    .collect();
                error_plot = error_plot.with(Series::new(
                    format!("{} n = {}", v.kind, v.n),
                    pts,
                    SeriesStyle::LinePoints,
                ));
            }
        }
        let mut fits = Vec::new();
        let mut size_plot = LinePlot::new(
            "constructed network: nonzero weights vs n",
            "input bits n (m = n)",
            "nonzero weights (largest over the time grid)",
        )
        .log_axes(true, true);
        for (kind, curve) in &curves {
            size_plot = size_plot.with(Series::new(
                kind.clone(),
                curve.iter().map(|(n, w)| (*n, w[0])).collect(),
                SeriesStyle::LinePoints,
            ));
            if curve.len() >= 3 {
                // BLAKE3's compression rounds are a fixed circuit for every n ≤ 512, so its
                // count is (large constant) + (small power of n): over n = 8…64 it grows only
                // ~2.7×, and a pure power law misses that shape by a few percent. Allow the
                // model 10% on it (the others keep the default 5%); docs/math.md §9.
                let tolerance = if kind == "blake3" {
                    0.10
                } else {
                    DEFAULT_MODEL_TOLERANCE
                };
                let fit = fit_scaling_tolerant(curve, 100, 6, &mean_of, tolerance)?;
                fits.push(
                    SummaryEntry::new(
                        "E6",
                        &format!("network-weights/{kind}"),
                        "input_bits",
                        "nonzero_weights",
                        GrowthClass::Polynomial,
                        None,
                        0.0,
                        fit,
                    )
                    .explain_if_not_agreeing(if kind == "blake3" {
                        crate::experiments::e1_unconditional::BLAKE3_NETWORK_NOTE
                    } else {
                        ""
                    }),
                );
            }
        }
        size_plot.save(&out.join("E6-size.svg"))?;
        error_plot.save(&out.join("E6-error.svg"))?;
        let markdown = "Each network computes, at one grid time, the efficient score of docs/math.md §5: sign ramps → f's circuit compiled gate by \
            gate (NOT a = 1 − a, AND = ReLU(a + b − 1), XOR via ReLU) → selection of the vertex score, with the 1-D scores \
            (log h±)′ and (log g)′ as piecewise-linear ReLU interpolants. Size is polynomial in n and in f's circuit (fits); the \
            error against the brute-force exact score stays at the efficient score's own error plus the interpolation tolerance.";
        Ok(ExperimentReport {
            table,
            fits,
            plots: vec!["E6-size.svg".into(), "E6-error.svg".into()],
            markdown: markdown.into(),
            claims: Vec::new(),
        })
    }
}
