//! The bench engine: resume, sharding, merge and fixture checks, on a toy experiment whose
//! cost is e^{0.5·size}·(1 + noise) with seeded noise.

use hardiff_bench::engine::{
    self as bench, BenchConfig, DynExperiment, Experiment, Fixtures, PointContext, PointRecord,
    PointSpec, Scale,
};
use hardiff_bench::fit::{fit_scaling, GrowthClass};
use hardiff_bench::report::{ExperimentReport, SummaryEntry};
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

struct Toy;

/// The toy's outcome. Its fields are declared out of alphabetical order on purpose: the stored
/// JSON must not depend on declaration order (see `stored_points_have_sorted_keys`).
#[derive(Serialize, Deserialize)]
struct ToyOutcome {
    m: u64,
    costs: Vec<f64>,
}

impl Experiment for Toy {
    type Point = u64;
    type Outcome = ToyOutcome;

    fn id(&self) -> &'static str {
        "T1"
    }
    fn title(&self) -> &'static str {
        "toy exponential"
    }
    fn points(&self, _scale: Scale) -> Vec<PointSpec<u64>> {
        (1..=6)
            .map(|m| PointSpec::new(format!("m={m}"), m))
            .collect()
    }
    fn run_point(&self, ctx: &PointContext, &m: &u64) -> hardiff_bench::Result<ToyOutcome> {
        assert_eq!(ctx.key, format!("m={m}"));
        let mut rng = hardiff_dist::rng::stream(ctx.seed, "T1", &[m]);
        let costs: Vec<f64> = (0..8)
            .map(|_| (0.5 * m as f64).exp() * (0.9 + 0.2 * rng.random::<f64>()))
            .collect();
        Ok(ToyOutcome { m, costs })
    }
    fn summarise(
        &self,
        _scale: Scale,
        points: &[PointRecord<u64, ToyOutcome>],
        _out: &Path,
    ) -> hardiff_bench::Result<ExperimentReport> {
        let curve: Vec<(f64, Vec<f64>)> = points
            .iter()
            .map(|p| {
                assert_eq!(p.spec.params, p.result.m);
                (p.result.m as f64, p.result.costs.clone())
            })
            .collect();
        let fit = fit_scaling(&curve, 100, 9)?;
        Ok(ExperimentReport {
            fits: vec![SummaryEntry::new(
                "T1",
                "toy",
                "m",
                "cost",
                GrowthClass::Exponential,
                Some(0.5),
                0.05,
                fit,
            )],
            ..Default::default()
        })
    }
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hardiff-bench-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    dir
}

fn config(out: &Path, shard: Option<(usize, usize)>) -> BenchConfig {
    BenchConfig {
        scale: Scale::Quick,
        only: None,
        seed: 11,
        out: out.to_path_buf(),
        shard,
        progress: false,
    }
}

#[test]
fn resume_shard_merge_and_check() {
    let exps: Vec<Box<dyn DynExperiment>> = vec![Box::new(Toy)];
    let full = temp("full");
    let first = bench::run(&exps, &config(&full, None)).unwrap();
    assert_eq!((first.computed, first.reused), (6, 0));
    let summary = first.summary.unwrap();
    assert_eq!(summary[0].verdict, "agrees");
    assert_eq!(summary[0].measured_class, GrowthClass::Exponential);
    // Resuming recomputes nothing and gives the same summary.
    let again = bench::run(&exps, &config(&full, None)).unwrap();
    assert_eq!((again.computed, again.reused), (0, 6));
    assert_eq!(again.summary.unwrap(), summary);

    // Two shards split the points 3 + 3, write no report alone, and merge to the same summary.
    let (a, b, merged) = (temp("a"), temp("b"), temp("merged"));
    let sa = bench::run(&exps, &config(&a, Some((1, 2)))).unwrap();
    let sb = bench::run(&exps, &config(&b, Some((2, 2)))).unwrap();
    assert_eq!((sa.computed, sb.computed), (3, 3));
    assert!(sa.summary.is_none() && sb.summary.is_none());
    let merged_summary = bench::merge(&exps, &[a.clone(), b.clone()], &merged).unwrap();
    assert_eq!(merged_summary, summary);
    assert_eq!(
        std::fs::read_to_string(merged.join("summary.json")).unwrap(),
        std::fs::read_to_string(full.join("summary.json")).unwrap()
    );
    // A merge that lacks a shard is refused.
    assert!(bench::merge(&exps, std::slice::from_ref(&a), &temp("half"))
        .unwrap_err()
        .to_string()
        .contains("lack point"));

    // Fixtures: the run passes its own baseline; a baseline with another class fails.
    let fixtures = Fixtures::from_summary(Scale::Quick, 11, &summary);
    assert!(fixtures.check(&summary, &["T1".into()]).is_empty());
    let mut wrong = fixtures.clone();
    wrong.curves[0].class = GrowthClass::Polynomial;
    let problems = wrong.check(&summary, &["T1".into()]);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].contains("class changed"), "{problems:?}");
    let mut drifted = fixtures;
    drifted.curves[0].rate += 1.0;
    assert!(drifted.check(&summary, &["T1".into()])[0].contains("left the baseline"));

    // A different seed in the same folder is refused rather than mixed.
    let mut other = config(&full, None);
    other.seed = 12;
    assert!(bench::run(&exps, &other)
        .unwrap_err()
        .to_string()
        .contains("seed"));
    for d in [full, a, b, merged] {
        std::fs::remove_dir_all(d).ok();
    }
}

#[test]
fn stored_points_have_sorted_keys() {
    // The report's bytes must not change when an outcome type's fields are reordered: points are
    // stored through a JSON value, whose objects keep their keys sorted.
    let exps: Vec<Box<dyn DynExperiment>> = vec![Box::new(Toy)];
    let out = temp("sorted");
    bench::run(&exps, &config(&out, Some((1, 6)))).unwrap();
    let text = std::fs::read_to_string(out.join("points/T1/m=1.json")).unwrap();
    let stored: PointRecord = serde_json::from_str(&text).unwrap();
    assert_eq!(stored.spec.key, "m=1");
    assert_eq!(stored.spec.params, serde_json::json!(1));
    let keys: Vec<&String> = stored.result.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["costs", "m"]);
    let costs = text.find("\"costs\"").unwrap();
    assert!(costs < text.find("\"m\"").unwrap(), "{text}");
    std::fs::remove_dir_all(out).ok();
}
