//! The bench engine behind `cargo xtask bench`: runs experiments point by point, saves each
//! finished point atomically (so an interrupted run resumes), supports deterministic sharding and
//! merging, and hands the finished points to the [report writer](crate::report), which turns them
//! into a report folder (JSON, CSV, SVG, `report.md`, `summary.json`); and the fixture check.
//!
//! Layout of a report folder `OUT/`:
//! ```text
//! run.json                      scale and seed of the run (a resumed run must match)
//! points/<EXP>/<key>.json       one finished point each (the resumable state)
//! <EXP>.json, <EXP>.csv         the experiment's table
//! <EXP>-*.svg                   its plots
//! report.md, summary.json       the summary over all experiments
//! timing.json                   CPU and wall seconds per experiment (never in summary.json)
//! ```
//! The report is a pure function of the points, so `merge` of shards gives the same report as a
//! single run (wall and CPU times aside, which no two runs share).
//!
//! **Parallel points, scheduling-free results.** [`run`] runs the points it has to compute in a
//! rayon pool of [`BenchConfig::jobs`] threads that it builds for the call (so a library user's
//! global rayon pool is neither used nor changed; code inside a point that uses rayon runs in
//! this pool too, so `jobs` bounds the threads of the whole run). Each point draws from its own
//! seeded streams (`rng::stream(seed, label, …)`) and is saved under its own key, and everything
//! the report writer reads is taken in the order of the experiments and their points, never in
//! order of completion: `summary.json` and every CSV are byte-identical for any `jobs`, wall-time
//! columns aside (`cargo xtask compare`, [`crate::report::compare_reports`]). Points of an
//! [`Experiment::exclusive`] experiment (wall-time throughputs) run alone, one at a time,
//! before the parallel batch.
//!
//! **Typed points, JSON on disk.** An experiment implements [`Experiment`] with its own point
//! and outcome types (serde-derived), so a renamed field is a compile error rather than a
//! `null` read by string key. The engine stores experiments as [`DynExperiment`] trait objects;
//! the blanket implementation of [`DynExperiment`] for every [`Experiment`] is the one place
//! where points and outcomes are converted to and from JSON.

use crate::claim::ClaimVerdict;
use crate::class_test::ClassVerdict;
use crate::error::{Error, Result};
use crate::fit::GrowthClass;
use crate::io::{atomic_write, read_json, write_json};
use crate::report::{
    short, write_report, CurveVerdict, ExperimentReport, Invocation, Summary, SummaryEntry,
};
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// How large the sweeps are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// CI scale: about two minutes on 2 cores.
    Quick,
    /// The standard suite: about ten minutes on 2 cores.
    Default,
}

/// One point of a sweep: a stable key (used as file name and for sharding) and its parameters —
/// the experiment's [`Experiment::Point`], or JSON (the default `P`) as the engine stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointSpec<P = serde_json::Value> {
    /// Unique within the experiment; `[A-Za-z0-9._=-]` only.
    pub key: String,
    /// The parameters the experiment needs to run the point.
    pub params: P,
}

impl<P> PointSpec<P> {
    /// A point with a key and its parameters.
    pub fn new(key: impl Into<String>, params: P) -> Self {
        Self {
            key: key.into(),
            params,
        }
    }
}

impl<P: Serialize> PointSpec<P> {
    /// The stored form: parameters as a JSON value. (A JSON value keeps object keys sorted, so
    /// the bytes on disk do not depend on the order of a struct's fields.)
    pub fn to_json(&self) -> Result<PointSpec> {
        Ok(PointSpec {
            key: self.key.clone(),
            params: serde_json::to_value(&self.params).map_err(|e| {
                Error::json(format!("serialising parameters of point {}", self.key), e)
            })?,
        })
    }
}

impl PointSpec {
    /// Parses the stored parameters into the experiment's point type.
    pub fn parse<P: DeserializeOwned>(&self) -> Result<PointSpec<P>> {
        Ok(PointSpec {
            key: self.key.clone(),
            params: serde_json::from_value(self.params.clone())
                .map_err(|e| Error::json(format!("parameters of point {}", self.key), e))?,
        })
    }
}

/// A finished point: typed (`PointRecord<E::Point, E::Outcome>`, what
/// [`Experiment::summarise`] reads) or as stored on disk (the JSON default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointRecord<P = serde_json::Value, O = serde_json::Value> {
    /// The point.
    pub spec: PointSpec<P>,
    /// What the experiment measured (deterministic given the seed, except wall times).
    pub result: O,
    /// Wall time of the whole point in seconds.
    pub wall_seconds: f64,
    /// CPU time of the thread that ran the point, in seconds: below `wall_seconds` when the
    /// machine was busy with other work. `None` in point files written before it was recorded
    /// (they still load) or where the platform has no per-thread clock.
    #[serde(default)]
    pub cpu_seconds: Option<f64>,
}

impl PointRecord {
    /// Parses the stored record into the experiment's point and outcome types.
    pub fn parse<P: DeserializeOwned, O: DeserializeOwned>(&self) -> Result<PointRecord<P, O>> {
        Ok(PointRecord {
            spec: self.spec.parse()?,
            result: serde_json::from_value(self.result.clone())
                .map_err(|e| Error::json(format!("result of point {}", self.spec.key), e))?,
            wall_seconds: self.wall_seconds,
            cpu_seconds: self.cpu_seconds,
        })
    }
}

/// What a point's code gets: the seed and key for its streams, and the scale.
#[derive(Debug, Clone)]
pub struct PointContext {
    /// The run's seed; derive streams with `rng::stream(seed, "<EXP>/…", …)`.
    pub seed: u64,
    /// The scale of the run.
    pub scale: Scale,
    /// The point's key ([`PointSpec::key`]), for experiments that label streams by it.
    pub key: String,
}

/// An experiment: a sweep over one size with trials per point, with typed points and outcomes.
///
/// The engine runs [`Experiment::run_point`] once per point (resumably, possibly on another
/// shard) and stores its outcome as JSON; [`Experiment::summarise`] gets them all back, typed.
/// Both types must survive a JSON round trip unchanged (note that JSON has no NaN or ∞: such
/// an `f64` is stored as `null`, which reads back only into an `Option<f64>`).
///
/// # Example
///
/// A toy experiment whose cost at size m is m², run through the engine into a fresh folder:
///
/// ```
/// use hardiff_bench::engine::{
///     self, BenchConfig, DynExperiment, Experiment, PointContext, PointRecord, PointSpec, Scale,
/// };
/// use hardiff_bench::report::{ExperimentReport, ValueTable};
/// use serde_json::json;
/// use std::path::Path;
///
/// struct Squares;
///
/// impl Experiment for Squares {
///     type Point = u32; // the size m
///     type Outcome = u64; // its cost
///     fn id(&self) -> &'static str {
///         "SQ"
///     }
///     fn title(&self) -> &'static str {
///         "squares"
///     }
///     fn points(&self, _scale: Scale) -> Vec<PointSpec<u32>> {
///         (1..=4).map(|m| PointSpec::new(format!("m={m}"), m)).collect()
///     }
///     fn run_point(&self, _ctx: &PointContext, &m: &u32) -> hardiff_bench::Result<u64> {
///         Ok(u64::from(m * m))
///     }
///     fn summarise(
///         &self,
///         _scale: Scale,
///         points: &[PointRecord<u32, u64>],
///         _out: &Path,
///     ) -> hardiff_bench::Result<ExperimentReport> {
///         let mut table = ValueTable::new(&["m", "cost"]);
///         for p in points {
///             table.push(vec![json!(p.spec.params), json!(p.result)]);
///         }
///         Ok(ExperimentReport { table, ..Default::default() })
///     }
/// }
///
/// let out = std::env::temp_dir().join(format!("hardiff-bench-doc-{}", std::process::id()));
/// std::fs::remove_dir_all(&out).ok();
/// let experiments: Vec<Box<dyn DynExperiment>> = vec![Box::new(Squares)];
/// let config = BenchConfig {
///     scale: Scale::Quick,
///     only: None,
///     seed: 1,
///     out: out.clone(),
///     shard: None,
///     progress: false,
///     jobs: 2, // two worker threads; the CSV is the same for any number
/// };
/// assert_eq!(engine::run(&experiments, &config)?.computed, 4);
/// let csv = std::fs::read_to_string(out.join("SQ.csv")).expect("written by the run");
/// assert_eq!(csv, "m,cost\n1,1\n2,4\n3,9\n4,16\n");
/// // A second run finds every point on disk and recomputes none.
/// assert_eq!(engine::run(&experiments, &config)?.reused, 4);
/// std::fs::remove_dir_all(&out).ok();
/// # Ok::<(), hardiff_bench::Error>(())
/// ```
pub trait Experiment: Send + Sync {
    /// The parameters of one point.
    type Point: Serialize + DeserializeOwned;
    /// What running one point measures.
    type Outcome: Serialize + DeserializeOwned;
    /// Short id, e.g. "E2".
    fn id(&self) -> &'static str;
    /// One-line title.
    fn title(&self) -> &'static str;
    /// The points of the sweep at a scale, in a fixed order.
    fn points(&self, scale: Scale) -> Vec<PointSpec<Self::Point>>;
    /// Runs one point. Must be deterministic given `ctx.seed` and the point.
    fn run_point(&self, ctx: &PointContext, point: &Self::Point) -> Result<Self::Outcome>;
    /// Summarises the finished points (in the order of [`Experiment::points`]): tables, fits,
    /// plots written under `out`, Markdown.
    fn summarise(
        &self,
        scale: Scale,
        points: &[PointRecord<Self::Point, Self::Outcome>],
        out: &Path,
    ) -> Result<ExperimentReport>;
    /// Whether the points must run alone: `true` for an experiment that measures wall-time
    /// throughput (K), which other points running beside it would distort. [`run`] runs such
    /// points one at a time, with no other point running, before the parallel batch.
    fn exclusive(&self) -> bool {
        false
    }
}

/// An [`Experiment`] with its types erased to JSON: what the engine stores and runs
/// (`Box<dyn DynExperiment>`). Implemented for every [`Experiment`]; there is no need to
/// implement it by hand.
pub trait DynExperiment: Send + Sync {
    /// [`Experiment::id`].
    fn id(&self) -> &'static str;
    /// [`Experiment::title`].
    fn title(&self) -> &'static str;
    /// [`Experiment::points`] in their stored form.
    fn points_json(&self, scale: Scale) -> Result<Vec<PointSpec>>;
    /// [`Experiment::run_point`] on a stored point, returning the outcome as JSON.
    fn run_point_json(&self, ctx: &PointContext, point: &PointSpec) -> Result<serde_json::Value>;
    /// [`Experiment::summarise`] over stored records.
    fn summarise_json(
        &self,
        scale: Scale,
        points: &[PointRecord],
        out: &Path,
    ) -> Result<ExperimentReport>;
    /// [`Experiment::exclusive`].
    fn exclusive(&self) -> bool;
}

impl<E: Experiment> DynExperiment for E {
    fn id(&self) -> &'static str {
        Experiment::id(self)
    }
    fn title(&self) -> &'static str {
        Experiment::title(self)
    }
    fn points_json(&self, scale: Scale) -> Result<Vec<PointSpec>> {
        Experiment::points(self, scale)
            .iter()
            .map(PointSpec::to_json)
            .collect()
    }
    fn run_point_json(&self, ctx: &PointContext, point: &PointSpec) -> Result<serde_json::Value> {
        let point = point.parse::<E::Point>()?;
        let outcome = Experiment::run_point(self, ctx, &point.params)?;
        serde_json::to_value(outcome)
            .map_err(|e| Error::json(format!("serialising result of point {}", point.key), e))
    }
    fn summarise_json(
        &self,
        scale: Scale,
        points: &[PointRecord],
        out: &Path,
    ) -> Result<ExperimentReport> {
        let typed = points
            .iter()
            .map(PointRecord::parse)
            .collect::<Result<Vec<_>>>()?;
        Experiment::summarise(self, scale, &typed, out)
    }
    fn exclusive(&self) -> bool {
        Experiment::exclusive(self)
    }
}

/// Settings of one bench run.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// Sweep size.
    pub scale: Scale,
    /// Run only these experiment ids (all when `None`).
    pub only: Option<Vec<String>>,
    /// The run's seed.
    pub seed: u64,
    /// Report folder.
    pub out: PathBuf,
    /// `(k, n)`: run only the points whose global index i has i mod n = k − 1.
    pub shard: Option<(usize, usize)>,
    /// Show progress bars (stderr).
    pub progress: bool,
    /// Worker threads for the points (0: one per available core). [`run`] builds a rayon pool
    /// of this size for the call; the results do not depend on it, only the wall time does.
    pub jobs: usize,
}

/// The run's identity, stored as `run.json`; resumed and merged runs must agree on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Sweep size.
    pub scale: Scale,
    /// Seed.
    pub seed: u64,
}

/// Outcome of [`run`].
#[derive(Debug, Clone)]
pub struct BenchOutcome {
    /// Points computed in this invocation.
    pub computed: usize,
    /// Points found already finished (resumed).
    pub reused: usize,
    /// Worker threads used ([`BenchConfig::jobs`], 0 resolved to the core count).
    pub jobs: usize,
    /// Wall seconds from the start of the first computed point to the end of the last.
    pub elapsed_seconds: f64,
    /// The summary (curves and claims), when every point of the selected experiments is
    /// finished.
    pub summary: Option<Summary>,
}

fn select<'a>(
    experiments: &'a [Box<dyn DynExperiment>],
    only: &Option<Vec<String>>,
) -> Result<Vec<&'a dyn DynExperiment>> {
    if let Some(ids) = only {
        for id in ids {
            if !experiments.iter().any(|e| e.id().eq_ignore_ascii_case(id)) {
                let known: Vec<&str> = experiments.iter().map(|e| e.id()).collect();
                return Err(Error::Invalid(format!(
                    "unknown experiment {id:?}; known: {}",
                    known.join(", ")
                )));
            }
        }
    }
    Ok(experiments
        .iter()
        .filter(|e| {
            only.as_ref()
                .is_none_or(|ids| ids.iter().any(|i| e.id().eq_ignore_ascii_case(i)))
        })
        .map(|e| e.as_ref())
        .collect())
}

fn point_path(out: &Path, exp: &str, key: &str) -> PathBuf {
    out.join("points").join(exp).join(format!("{key}.json"))
}

fn check_run_info(out: &Path, info: &RunInfo) -> Result<()> {
    let path = out.join("run.json");
    if path.exists() {
        let existing: RunInfo = read_json(&path)?;
        if &existing != info {
            return Err(Error::Invalid(format!(
                "{} holds a run with scale {:?} and seed {}, not scale {:?} and seed {}: use another --out or delete it",
                out.display(),
                existing.scale,
                existing.seed,
                info.scale,
                info.seed
            )));
        }
        Ok(())
    } else {
        write_json(&path, info)
    }
}

/// The number of worker threads `jobs` stands for (0: one per available core).
pub fn effective_jobs(jobs: usize) -> usize {
    if jobs == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        jobs
    }
}

/// When one computed point ran, in seconds since the start of [`run`]'s points phase.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: f64,
    end: f64,
}

/// Runs one point and saves its record; returns when it ran.
fn run_one(
    exp: &dyn DynExperiment,
    spec: &PointSpec,
    config: &BenchConfig,
    phase: Instant,
    bar: &indicatif::ProgressBar,
) -> Result<Span> {
    let ctx = PointContext {
        seed: config.seed,
        scale: config.scale,
        key: spec.key.clone(),
    };
    bar.set_message(format!("{} {}", exp.id(), spec.key));
    tracing::info!(experiment = exp.id(), point = %spec.key, "running point");
    let start = phase.elapsed().as_secs_f64();
    let cpu = cpu_time::ThreadTime::try_now().ok();
    let wall = Instant::now();
    let result = exp
        .run_point_json(&ctx, spec)
        .map_err(|e| Error::Invalid(format!("{} point {}: {e}", exp.id(), spec.key)))?;
    let record = PointRecord {
        spec: spec.clone(),
        result,
        wall_seconds: wall.elapsed().as_secs_f64(),
        cpu_seconds: cpu
            .and_then(|c| c.try_elapsed().ok())
            .map(|d| d.as_secs_f64()),
    };
    write_json(&point_path(&config.out, exp.id(), &spec.key), &record)?;
    bar.inc(1);
    Ok(Span {
        start,
        end: phase.elapsed().as_secs_f64(),
    })
}

/// Runs (or resumes) the selected experiments' points in this shard, then writes the report if
/// every selected point is finished.
///
/// The points run in a rayon pool of [`BenchConfig::jobs`] threads built for this call (see the
/// [module documentation](self)): first the points of [exclusive](Experiment::exclusive)
/// experiments, one at a time, then all others in parallel. Each point is saved as it finishes.
/// When a point fails, points not yet started are skipped and the error of the first failed
/// point (in point order) is returned; the finished points stay saved for a resumed run.
pub fn run(experiments: &[Box<dyn DynExperiment>], config: &BenchConfig) -> Result<BenchOutcome> {
    let selected = select(experiments, &config.only)?;
    let info = RunInfo {
        scale: config.scale,
        seed: config.seed,
    };
    if let Some((k, n)) = config.shard {
        if n == 0 || k == 0 || k > n {
            return Err(Error::Invalid(format!(
                "shard must be k/N with 1 ≤ k ≤ N, got {k}/{n}"
            )));
        }
    }
    check_run_info(&config.out, &info)?;
    let jobs = effective_jobs(config.jobs);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("hardiff-bench-{i}"))
        .build()
        .map_err(|e| Error::Invalid(format!("starting {jobs} worker threads: {e}")))?;
    let mut all: Vec<(&dyn DynExperiment, PointSpec)> = Vec::new();
    for e in &selected {
        all.extend(e.points_json(config.scale)?.into_iter().map(|p| (*e, p)));
    }
    let mine: Vec<&(&dyn DynExperiment, PointSpec)> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| config.shard.is_none_or(|(k, n)| i % n == k - 1))
        .map(|(_, p)| p)
        .collect();
    let todo: Vec<&(&dyn DynExperiment, PointSpec)> = mine
        .iter()
        .copied()
        .filter(|(e, p)| !point_path(&config.out, e.id(), &p.key).exists())
        .collect();
    let reused = mine.len() - todo.len();
    let bar = if config.progress {
        let bar = indicatif::ProgressBar::new(todo.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} {msg}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(500));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let (alone, shared): (Vec<_>, Vec<_>) = todo.iter().copied().partition(|(e, _)| e.exclusive());
    let phase = Instant::now();
    // Spans of the computed points, in the order of `alone` then `shared`.
    let mut spans: Vec<(&str, Span)> = Vec::with_capacity(todo.len());
    pool.install(|| -> Result<()> {
        for (exp, spec) in &alone {
            spans.push((exp.id(), run_one(*exp, spec, config, phase, &bar)?));
        }
        let failed = AtomicBool::new(false);
        // One rayon job per point (`with_max_len(1)`): points take seconds, so the finest split
        // balances best and costs nothing.
        let outcomes: Vec<Option<Result<Span>>> = shared
            .par_iter()
            .with_max_len(1)
            .map(|(exp, spec)| {
                if failed.load(Ordering::Relaxed) {
                    return None;
                }
                let outcome = run_one(*exp, spec, config, phase, &bar);
                if outcome.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                Some(outcome)
            })
            .collect();
        for ((exp, _), outcome) in shared.iter().zip(outcomes) {
            if let Some(outcome) = outcome {
                spans.push((exp.id(), outcome?));
            }
        }
        Ok(())
    })
    .inspect_err(|_| bar.abandon())?;
    let elapsed = phase.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let complete = all
        .iter()
        .all(|(e, p)| point_path(&config.out, e.id(), &p.key).exists());
    let summary = if complete {
        let mut experiments: BTreeMap<String, (usize, f64)> = BTreeMap::new();
        for e in &selected {
            let mine: Vec<Span> = spans
                .iter()
                .filter(|(id, _)| *id == e.id())
                .map(|(_, s)| *s)
                .collect();
            if !mine.is_empty() {
                let first = mine.iter().map(|s| s.start).fold(f64::INFINITY, f64::min);
                let last = mine.iter().map(|s| s.end).fold(0.0, f64::max);
                experiments.insert(e.id().to_string(), (mine.len(), last - first));
            }
        }
        let invocation = Invocation {
            jobs,
            elapsed_seconds: elapsed,
            experiments,
        };
        Some(finish(&selected, &config.out, &info, Some(&invocation))?)
    } else {
        None
    };
    Ok(BenchOutcome {
        computed: todo.len(),
        reused,
        jobs,
        elapsed_seconds: elapsed,
        summary,
    })
}

/// Merges shard folders into `out` and writes the report. All shards must come from runs with
/// the same scale and seed, and together hold every point of the experiments they ran.
pub fn merge(
    experiments: &[Box<dyn DynExperiment>],
    shards: &[PathBuf],
    out: &Path,
) -> Result<Summary> {
    let mut info: Option<RunInfo> = None;
    let mut ids: Vec<String> = Vec::new();
    for dir in shards {
        let this: RunInfo = read_json(&dir.join("run.json"))?;
        if let Some(prev) = &info {
            if prev != &this {
                return Err(Error::Invalid(format!(
                    "{} was run with scale {:?} seed {}, unlike the other shards",
                    dir.display(),
                    this.scale,
                    this.seed
                )));
            }
        }
        info = Some(this);
        let points = dir.join("points");
        let entries = std::fs::read_dir(&points)
            .map_err(|e| Error::io(format!("reading {}", points.display()), e))?;
        for exp_dir in entries.flatten() {
            let exp = exp_dir.file_name().to_string_lossy().into_owned();
            if !ids.contains(&exp) {
                ids.push(exp.clone());
            }
            for file in std::fs::read_dir(exp_dir.path())
                .map_err(|e| Error::io("reading shard points", e))?
                .flatten()
            {
                let name = file.file_name();
                if !name.to_string_lossy().ends_with(".json") {
                    continue;
                }
                let bytes = std::fs::read(file.path())
                    .map_err(|e| Error::io(format!("reading {}", file.path().display()), e))?;
                atomic_write(&out.join("points").join(&exp).join(name), &bytes)?;
            }
        }
    }
    let info =
        info.ok_or_else(|| Error::Invalid("merge needs at least one shard folder".into()))?;
    check_run_info(out, &info)?;
    let selected = select(experiments, &Some(ids))?;
    for e in &selected {
        for p in e.points_json(info.scale)? {
            if !point_path(out, e.id(), &p.key).exists() {
                return Err(Error::Invalid(format!(
                    "merged shards lack point {} of {}: run the missing shard first",
                    p.key,
                    e.id()
                )));
            }
        }
    }
    finish(&selected, out, &info, None)
}

/// Reads every selected experiment's finished points and writes the report.
fn finish(
    selected: &[&dyn DynExperiment],
    out: &Path,
    info: &RunInfo,
    invocation: Option<&Invocation>,
) -> Result<Summary> {
    let finished = selected
        .iter()
        .map(|exp| {
            let records = exp
                .points_json(info.scale)?
                .iter()
                .map(|p| read_json(&point_path(out, exp.id(), &p.key)))
                .collect::<Result<Vec<PointRecord>>>()?;
            Ok((*exp, records))
        })
        .collect::<Result<Vec<_>>>()?;
    write_report(out, info, &finished, invocation)
}

/// A stored baseline curve with its tolerance (`fixtures/bench-<scale>.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Experiment id.
    pub experiment: String,
    /// Curve name.
    pub curve: String,
    /// The class test's verdict in the baseline run. A conclusive class must be reproduced; an
    /// inconclusive baseline (a weak design, e.g. at quick scale) only requires that the run
    /// does not give the class opposite to `predicted`.
    pub class: ClassVerdict,
    /// The predicted class (absent in fixture files written before the class test).
    #[serde(default)]
    pub predicted: Option<GrowthClass>,
    /// The curve's verdict in the baseline run: a curve that agreed must still agree (absent in
    /// older fixture files).
    #[serde(default)]
    pub verdict: Option<CurveVerdict>,
    /// Baseline rate.
    pub rate: f64,
    /// Allowed absolute deviation of the rate.
    pub tolerance: f64,
}

/// A stored claim verdict (`fixtures/bench-<scale>.json`): a claim that held must still hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimBaseline {
    /// Experiment id.
    pub experiment: String,
    /// The claim's stable key ([`crate::claim::Claim::key`]).
    pub claim: String,
    /// Its verdict in the baseline run.
    pub verdict: ClaimVerdict,
}

/// The fixture file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fixtures {
    /// Scale the baselines were measured at.
    pub scale: Scale,
    /// Seed they were measured with.
    pub seed: u64,
    /// The curves.
    pub curves: Vec<Baseline>,
    /// The claims' verdicts (absent in fixture files written before claims existed).
    #[serde(default)]
    pub claims: Vec<ClaimBaseline>,
}

impl Fixtures {
    /// Baselines from a summary: each curve with tolerance max(3 × CI half-width, 15% of |rate|,
    /// 0.05) — wide enough for reruns on other machines, narrow enough to catch a change of rate —
    /// and each claim's verdict.
    pub fn from_summary(scale: Scale, seed: u64, summary: &Summary) -> Self {
        Self {
            scale,
            seed,
            curves: summary
                .curves
                .iter()
                .map(|e| Baseline {
                    experiment: e.experiment.clone(),
                    curve: e.curve.clone(),
                    class: e.measured_class,
                    predicted: Some(e.predicted_class),
                    verdict: Some(e.verdict),
                    rate: e.rate,
                    tolerance: (1.5 * (e.rate_ci[1] - e.rate_ci[0]))
                        .max(0.15 * e.rate.abs())
                        .max(0.05),
                })
                .collect(),
            claims: summary
                .claims
                .iter()
                .map(|c| ClaimBaseline {
                    experiment: c.experiment().to_string(),
                    claim: c.key().to_string(),
                    verdict: c.verdict(),
                })
                .collect(),
        }
    }

    /// One line per regression: a missing curve, a changed class (against an inconclusive
    /// baseline: the wrong class), a curve that agreed and no longer does, or a rate out of
    /// tolerance;
    /// a missing claim, a claim that held and no longer holds, or one that was inconclusive and
    /// now fails. (A claim that failed in the baseline is a known failure and is not checked.)
    /// Curves and claims of experiments not in `ran` are not checked.
    pub fn check(&self, summary: &Summary, ran: &[String]) -> Vec<String> {
        let mut problems = Vec::new();
        let was_run = |exp: &str| ran.iter().any(|r| r.eq_ignore_ascii_case(exp));
        let by_key: BTreeMap<(&str, &str), &SummaryEntry> = summary
            .curves
            .iter()
            .map(|e| ((e.experiment.as_str(), e.curve.as_str()), e))
            .collect();
        for b in &self.curves {
            if !was_run(&b.experiment) {
                continue;
            }
            let Some(e) = by_key.get(&(b.experiment.as_str(), b.curve.as_str())) else {
                problems.push(format!(
                    "{} {}: curve missing from this run",
                    b.experiment, b.curve
                ));
                continue;
            };
            let wrong_class = match (b.class, b.predicted) {
                (ClassVerdict::Inconclusive, Some(p)) => {
                    e.measured_class == ClassVerdict::from(p.other())
                }
                (ClassVerdict::Inconclusive, None) => false,
                (class, _) => e.measured_class != class,
            };
            if wrong_class {
                problems.push(format!(
                    "{} {}: class {} in the baseline, now {} (rate {}; {})",
                    b.experiment,
                    b.curve,
                    b.class,
                    e.measured_class,
                    short(e.rate),
                    e.note
                ));
            } else if b.verdict == Some(CurveVerdict::Agrees) && e.verdict != CurveVerdict::Agrees {
                problems.push(format!(
                    "{} {}: agreed with the theory in the baseline, now {} ({})",
                    b.experiment, b.curve, e.verdict, e.note
                ));
            } else if (e.rate - b.rate).abs() > b.tolerance {
                problems.push(format!(
                    "{} {}: rate {} left the baseline {} ± {}",
                    b.experiment,
                    b.curve,
                    short(e.rate),
                    short(b.rate),
                    short(b.tolerance)
                ));
            }
        }
        let claims: BTreeMap<(&str, &str), &crate::claim::Claim> = summary
            .claims
            .iter()
            .map(|c| ((c.experiment(), c.key()), c))
            .collect();
        for b in &self.claims {
            if !was_run(&b.experiment) || b.verdict == ClaimVerdict::Fails {
                continue;
            }
            match claims.get(&(b.experiment.as_str(), b.claim.as_str())) {
                None => problems.push(format!(
                    "{} claim {}: missing from this run (it {} in the baseline)",
                    b.experiment, b.claim, b.verdict
                )),
                Some(c) if c.verdict() != b.verdict && c.verdict() != ClaimVerdict::Holds => {
                    problems.push(format!(
                        "{} claim {}: {} in the baseline, now {} (measured {} [{}, {}], {})",
                        b.experiment,
                        b.claim,
                        b.verdict,
                        c.verdict(),
                        short(c.measured()),
                        short(c.interval()[0]),
                        short(c.interval()[1]),
                        c.relation().describe(c.predicted())
                    ))
                }
                Some(_) => {}
            }
        }
        problems
    }
}
