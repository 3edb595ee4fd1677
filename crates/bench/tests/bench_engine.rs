//! The bench engine: resume, sharding, merge and fixture checks, on a toy experiment whose
//! cost is e^{0.5·size}·(1 + noise) with seeded noise; results independent of the number of
//! threads; exclusive experiments running alone; timing.json; `compare_reports`.

use hardiff_bench::claim::{Claim, ClaimVerdict, Estimate};
use hardiff_bench::class_test::ClassVerdict;
use hardiff_bench::engine::{
    self as bench, BenchConfig, DynExperiment, Experiment, Fixtures, PointContext, PointRecord,
    PointSpec, Scale,
};
use hardiff_bench::fit::{fit_scaling, GrowthClass};
use hardiff_bench::report::{
    compare_reports, is_timing_column, CurveVerdict, ExperimentReport, SummaryEntry, Timing,
    ValueTable,
};
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The toy experiment; `perturbed` scales the cost at m = 3 by 1.5 (a regression for the
/// fixture check to catch).
#[derive(Default)]
struct Toy {
    perturbed: bool,
}

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
        let bump = if self.perturbed && m == 3 { 1.5 } else { 1.0 };
        let costs: Vec<f64> = (0..8)
            .map(|_| bump * (0.5 * m as f64).exp() * (0.9 + 0.2 * rng.random::<f64>()))
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
        let mut table = ValueTable::new(&["m", "mean_cost", "wall_seconds"]);
        for p in points {
            let mean = p.result.costs.iter().sum::<f64>() / p.result.costs.len() as f64;
            table.push(vec![json!(p.result.m), json!(mean), json!(p.wall_seconds)]);
        }
        // A claim per size: the mean cost is e^{0.5 m} within 15% (every trial is within 10%).
        let claims = points
            .iter()
            .map(|p| {
                let m = p.result.m as f64;
                let c = &p.result.costs;
                let ratio: Vec<f64> = c.iter().map(|v| v / (0.5 * m).exp()).collect();
                let lo = ratio.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = ratio.iter().copied().fold(0.0, f64::max);
                let mean = ratio.iter().sum::<f64>() / ratio.len() as f64;
                Claim::about(
                    "T1",
                    format!("cost/m={}", p.result.m),
                    "cost / e^(0.5 m) = 1",
                    "the toy's law",
                )
                .within(1.0, 0.15, Estimate::new(mean, lo, hi))
            })
            .collect();
        Ok(ExperimentReport {
            table,
            claims,
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
        jobs: 2,
    }
}

fn with_jobs(out: &Path, jobs: usize) -> BenchConfig {
    BenchConfig {
        jobs,
        ..config(out, None)
    }
}

/// A point file's text without its wall and CPU time lines (pretty JSON: one field a line).
fn without_times(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("\"wall_seconds\":") && !l.contains("\"cpu_seconds\":"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn resume_shard_merge_and_check() {
    let exps: Vec<Box<dyn DynExperiment>> = vec![Box::new(Toy::default())];
    let full = temp("full");
    let first = bench::run(&exps, &config(&full, None)).unwrap();
    assert_eq!((first.computed, first.reused), (6, 0));
    let summary = first.summary.unwrap();
    assert_eq!(summary.curves[0].verdict, CurveVerdict::Agrees);
    assert_eq!(summary.curves[0].measured_class, ClassVerdict::Exponential);
    assert_eq!(summary.claims.len(), 6);
    assert!(summary
        .claims
        .iter()
        .all(|c| c.verdict() == ClaimVerdict::Holds));
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
    wrong.curves[0].class = ClassVerdict::Polynomial;
    let problems = wrong.check(&summary, &["T1".into()]);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].contains("class polynomial in the baseline, now exponential"),
        "{problems:?}"
    );
    // An inconclusive baseline accepts the predicted class (and inconclusive) but not the
    // opposite one.
    let mut weak = fixtures.clone();
    weak.curves[0].class = ClassVerdict::Inconclusive;
    assert!(weak.check(&summary, &["T1".into()]).is_empty());
    weak.curves[0].predicted = Some(GrowthClass::Polynomial);
    assert_eq!(weak.check(&summary, &["T1".into()]).len(), 1);
    let mut drifted = fixtures.clone();
    drifted.curves[0].rate += 1.0;
    assert!(drifted.check(&summary, &["T1".into()])[0].contains("left the baseline"));
    // Claims: one input perturbed (the cost at m = 3 × 1.5) breaks that size's claim, and the
    // check against the unperturbed run's fixture reports exactly it; a missing claim too.
    let perturbed_dir = temp("perturbed");
    let perturbed: Vec<Box<dyn DynExperiment>> = vec![Box::new(Toy { perturbed: true })];
    let bad = bench::run(&perturbed, &config(&perturbed_dir, None))
        .unwrap()
        .summary
        .unwrap();
    // (The bump also bends the curve, which the curve check reports on its own line.)
    let problems = fixtures.check(&bad, &["T1".into()]);
    let claim_lines: Vec<&String> = problems.iter().filter(|p| p.contains("claim")).collect();
    assert_eq!(claim_lines.len(), 1, "{problems:?}");
    assert!(
        claim_lines[0].contains("claim cost/m=3: holds in the baseline, now fails"),
        "{problems:?}"
    );
    let mut fewer = summary.clone();
    fewer.claims.remove(0);
    let problems = fixtures.check(&fewer, &["T1".into()]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("cost/m=1: missing"), "{problems:?}");
    // summary.json holds both kinds of rows.
    let text = std::fs::read_to_string(full.join("summary.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["curves"].as_array().unwrap().len(), 1);
    assert_eq!(json["claims"][2]["claim"], "cost/m=3");
    assert_eq!(json["claims"][2]["verdict"], "holds");
    assert!(std::fs::read_to_string(full.join("report.md"))
        .unwrap()
        .contains("## Claims"));
    std::fs::remove_dir_all(perturbed_dir).ok();

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
    let exps: Vec<Box<dyn DynExperiment>> = vec![Box::new(Toy::default())];
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

#[test]
fn report_does_not_depend_on_the_number_of_threads() {
    let exps: Vec<Box<dyn DynExperiment>> = vec![Box::new(Toy::default())];
    let (one, three) = (temp("jobs1"), temp("jobs3"));
    let r1 = bench::run(&exps, &with_jobs(&one, 1)).unwrap();
    let r3 = bench::run(&exps, &with_jobs(&three, 3)).unwrap();
    assert_eq!((r1.jobs, r3.jobs, r1.computed, r3.computed), (1, 3, 6, 6));
    let read = |dir: &Path, name: &str| std::fs::read(dir.join(name)).unwrap();
    assert_eq!(read(&one, "summary.json"), read(&three, "summary.json"));
    // The CSV agrees byte for byte once its wall-time column is dropped.
    let csv_without_wall = |dir: &Path| -> Vec<String> {
        String::from_utf8(read(dir, "T1.csv"))
            .unwrap()
            .lines()
            .map(|l| l.rsplit_once(',').unwrap().0.to_string())
            .collect()
    };
    let rows = csv_without_wall(&one);
    assert_eq!(rows.len(), 7, "{rows:?}");
    assert_eq!(rows[0], "m,mean_cost");
    assert_eq!(rows, csv_without_wall(&three));
    for m in 1..=6 {
        let file = format!("points/T1/m={m}.json");
        assert_eq!(
            without_times(&one.join(&file)),
            without_times(&three.join(&file))
        );
    }
    assert_eq!(compare_reports(&one, &three).unwrap(), Vec::<String>::new());
    // jobs 0 stands for the available cores.
    assert!(bench::effective_jobs(0) >= 1);
    assert_eq!(bench::effective_jobs(5), 5);
    for d in [one, three] {
        std::fs::remove_dir_all(d).ok();
    }
}

#[test]
fn compare_reports_lists_each_difference_outside_timing_columns() {
    assert!(is_timing_column("wall_seconds") && is_timing_column("seconds_per_sample"));
    assert!(is_timing_column("score_points_per_second") && is_timing_column("wall"));
    assert!(!is_timing_column("prior_draws") && !is_timing_column("m"));
    let exps: Vec<Box<dyn DynExperiment>> = vec![Box::new(Toy::default())];
    let (a, b) = (temp("cmp-a"), temp("cmp-b"));
    bench::run(&exps, &config(&a, None)).unwrap();
    bench::run(&exps, &config(&b, None)).unwrap();
    let csv = b.join("T1.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // Another wall time is no difference …
    let (head, _) = lines[1].rsplit_once(',').unwrap();
    lines[1] = format!("{head},12345.6");
    std::fs::write(&csv, lines.join("\n") + "\n").unwrap();
    assert!(compare_reports(&a, &b).unwrap().is_empty());
    // … another cost is, as is another summary and a CSV present on one side only.
    lines[2] = lines[2].replacen(',', ",9", 1);
    std::fs::write(&csv, lines.join("\n") + "\n").unwrap();
    std::fs::write(b.join("summary.json"), "[]\n").unwrap();
    std::fs::write(b.join("extra.csv"), "x\n1\n").unwrap();
    let diffs = compare_reports(&a, &b).unwrap();
    assert_eq!(diffs.len(), 3, "{diffs:?}");
    assert!(
        diffs[0].starts_with("summary.json: differs from line 1"),
        "{diffs:?}"
    );
    assert!(
        diffs[1].starts_with("T1.csv: row 2, column mean_cost: "),
        "{diffs:?}"
    );
    assert!(diffs[2].starts_with("extra.csv: missing from"), "{diffs:?}");
    for d in [a, b] {
        std::fs::remove_dir_all(d).ok();
    }
}

#[test]
fn timing_is_recorded_per_experiment_and_old_point_files_still_load() {
    let exps: Vec<Box<dyn DynExperiment>> = vec![Box::new(Toy::default())];
    let out = temp("timing");
    bench::run(&exps, &config(&out, None)).unwrap();
    let timing: Timing = hardiff_bench::io::read_json(&out.join("timing.json")).unwrap();
    assert_eq!(timing.jobs, Some(2));
    let t1 = &timing.experiments[0];
    assert_eq!(
        (t1.experiment.as_str(), t1.points, t1.computed),
        ("T1", 6, 6)
    );
    assert!(t1.cpu_seconds.unwrap() >= 0.0 && t1.wall_seconds > 0.0);
    assert!(t1.elapsed_seconds.unwrap() <= timing.elapsed_seconds.unwrap());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("## Time spent") && md.contains("\n| T1 | 6 | 6 |"),
        "{md}"
    );
    assert!(
        md.contains("to its last.\n\n| experiment | points |"),
        "{md}"
    );
    // timing.json is not part of the summary.
    assert!(!std::fs::read_to_string(out.join("summary.json"))
        .unwrap()
        .contains("cpu_seconds"));
    // A point file written before CPU time was recorded loads; a resumed run computes nothing.
    let path = out.join("points/T1/m=1.json");
    let mut record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    record.as_object_mut().unwrap().remove("cpu_seconds");
    std::fs::write(&path, serde_json::to_string_pretty(&record).unwrap()).unwrap();
    let old: PointRecord = serde_json::from_value(record).unwrap();
    assert_eq!(old.cpu_seconds, None);
    bench::run(&exps, &config(&out, None)).unwrap();
    let timing: Timing = hardiff_bench::io::read_json(&out.join("timing.json")).unwrap();
    let t1 = &timing.experiments[0];
    assert_eq!(
        (t1.computed, t1.elapsed_seconds, t1.cpu_seconds),
        (0, None, None)
    );
    std::fs::remove_dir_all(out).ok();
}

/// When each point of the two experiments below ran: (exclusive?, start, end).
type Log = Arc<Mutex<Vec<(bool, Instant, Instant)>>>;

/// How many `Busy` points run at once, and the most that ever did.
#[derive(Default)]
struct Concurrency {
    state: Mutex<(usize, usize)>,
    changed: Condvar,
}

/// Six points that each wait (up to 10 s) until three of them run at once, then log themselves.
struct Busy {
    log: Log,
    concurrency: Arc<Concurrency>,
}

/// Three exclusive points that sleep 20 ms each and log themselves.
struct Timed {
    log: Log,
}

fn toy_points() -> Vec<PointSpec<u64>> {
    (1..=6)
        .map(|m| PointSpec::new(format!("m={m}"), m))
        .collect()
}

impl Experiment for Busy {
    type Point = u64;
    type Outcome = u64;
    fn id(&self) -> &'static str {
        "BUSY"
    }
    fn title(&self) -> &'static str {
        "points that run together"
    }
    fn points(&self, _scale: Scale) -> Vec<PointSpec<u64>> {
        toy_points()
    }
    fn run_point(&self, _ctx: &PointContext, &m: &u64) -> hardiff_bench::Result<u64> {
        let start = Instant::now();
        let c = &self.concurrency;
        let mut state = c.state.lock().unwrap();
        state.0 += 1;
        state.1 = state.1.max(state.0);
        c.changed.notify_all();
        let (mut state, _) = c
            .changed
            .wait_timeout_while(state, Duration::from_secs(10), |s| s.1 < 3)
            .unwrap();
        state.0 -= 1;
        drop(state);
        self.log
            .lock()
            .unwrap()
            .push((false, start, Instant::now()));
        Ok(m)
    }
    fn summarise(
        &self,
        _scale: Scale,
        _points: &[PointRecord<u64, u64>],
        _out: &Path,
    ) -> hardiff_bench::Result<ExperimentReport> {
        Ok(ExperimentReport::default())
    }
}

impl Experiment for Timed {
    type Point = u64;
    type Outcome = u64;
    fn id(&self) -> &'static str {
        "TIMED"
    }
    fn title(&self) -> &'static str {
        "points that run alone"
    }
    fn points(&self, _scale: Scale) -> Vec<PointSpec<u64>> {
        toy_points().into_iter().take(3).collect()
    }
    fn run_point(&self, _ctx: &PointContext, &m: &u64) -> hardiff_bench::Result<u64> {
        let start = Instant::now();
        std::thread::sleep(Duration::from_millis(20));
        self.log.lock().unwrap().push((true, start, Instant::now()));
        Ok(m)
    }
    fn summarise(
        &self,
        _scale: Scale,
        _points: &[PointRecord<u64, u64>],
        _out: &Path,
    ) -> hardiff_bench::Result<ExperimentReport> {
        Ok(ExperimentReport::default())
    }
    fn exclusive(&self) -> bool {
        true
    }
}

#[test]
fn points_run_in_parallel_and_exclusive_points_alone() {
    let log: Log = Arc::default();
    let concurrency = Arc::new(Concurrency::default());
    // Busy comes first in report order, so the exclusive points are not simply run last.
    let exps: Vec<Box<dyn DynExperiment>> = vec![
        Box::new(Busy {
            log: log.clone(),
            concurrency: concurrency.clone(),
        }),
        Box::new(Timed { log: log.clone() }),
    ];
    let out = temp("exclusive");
    let outcome = bench::run(&exps, &with_jobs(&out, 3)).unwrap();
    assert_eq!(outcome.computed, 9);
    // Three threads ran three Busy points at once (each waits for that, up to 10 s).
    assert_eq!(concurrency.state.lock().unwrap().1, 3);
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 9);
    for (i, &(exclusive, start, end)) in log.iter().enumerate() {
        if !exclusive {
            continue;
        }
        for (j, &(_, other_start, other_end)) in log.iter().enumerate() {
            assert!(
                i == j || other_end <= start || other_start >= end,
                "exclusive point {i} overlaps point {j}"
            );
        }
    }
    std::fs::remove_dir_all(out).ok();
}
