//! The bench engine behind `cargo xtask bench`: runs experiments point by point, saves each
//! finished point atomically (so an interrupted run resumes), supports deterministic sharding and
//! merging, and turns the points into a report folder (JSON, CSV, SVG, `report.md`,
//! `summary.json`) and a fixture check.
//!
//! Layout of a report folder `OUT/`:
//! ```text
//! run.json                      scale and seed of the run (a resumed run must match)
//! points/<EXP>/<key>.json       one finished point each (the resumable state)
//! <EXP>.json, <EXP>.csv         the experiment's table
//! <EXP>-*.svg                   its plots
//! report.md, summary.json       the summary over all experiments
//! ```
//! The report is a pure function of the points, so `merge` of shards gives the same report as a
//! single run (wall times aside, which no two runs share).

use crate::error::{Error, Result};
use crate::fit::{GrowthClass, ScalingFit};
use crate::io::{atomic_write, read_json, write_json};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
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

/// One point of a sweep: a stable key (used as file name and for sharding) and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointSpec {
    /// Unique within the experiment; `[A-Za-z0-9._=-]` only.
    pub key: String,
    /// The parameters the experiment needs to run the point.
    pub params: serde_json::Value,
}

impl PointSpec {
    /// A point with a key and serialisable parameters.
    pub fn new(key: impl Into<String>, params: impl Serialize) -> Self {
        Self {
            key: key.into(),
            params: serde_json::to_value(params).expect("point parameters serialise"),
        }
    }
    /// Parses the parameters back into the experiment's type.
    pub fn params<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(self.params.clone())
            .map_err(|e| Error::json(format!("parameters of point {}", self.key), e))
    }
}

/// A finished point as stored on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointRecord {
    /// The point.
    pub spec: PointSpec,
    /// What the experiment measured (deterministic given the seed, except wall times).
    pub result: serde_json::Value,
    /// Wall time of the whole point in seconds.
    pub wall_seconds: f64,
}

impl PointRecord {
    /// Parses the result back into the experiment's type.
    pub fn result<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(self.result.clone())
            .map_err(|e| Error::json(format!("result of point {}", self.spec.key), e))
    }
}

/// What a point's code gets: the seed for its stream and the scale.
#[derive(Debug, Clone)]
pub struct PointContext {
    /// The run's seed; derive streams with `rng::stream(seed, "<EXP>/<key>", …)`.
    pub seed: u64,
    /// The scale of the run.
    pub scale: Scale,
}

/// One fitted curve in `summary.json` (the format of the issue that introduced the bench).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryEntry {
    /// Experiment id, e.g. "E2".
    pub experiment: String,
    /// Which curve of the experiment (e.g. "rejection/blake3").
    pub curve: String,
    /// Name of the size parameter, e.g. "measured_bits".
    pub size: String,
    /// Name of the cost, e.g. "prior_draws".
    pub cost: String,
    /// What the theory predicts.
    pub predicted_class: GrowthClass,
    /// Predicted rate (degree or exponential rate), when the theory gives one.
    pub predicted_rate: Option<f64>,
    /// Fitted class.
    pub measured_class: GrowthClass,
    /// Fitted rate of the measured class.
    pub rate: f64,
    /// 95% bootstrap interval of the rate.
    pub rate_ci: [f64; 2],
    /// "agrees" when the class matches and the predicted rate (if any) is within
    /// `rate_tolerance` of the measured rate or inside its interval; "differs" otherwise.
    pub verdict: String,
    /// The fit behind the entry.
    pub fit: ScalingFit,
}

impl SummaryEntry {
    /// Builds an entry, deciding the verdict: the class must match, and a predicted rate must lie
    /// within the bootstrap interval widened by `rate_tolerance` (absolute).
    pub fn new(
        experiment: &str,
        curve: &str,
        size: &str,
        cost: &str,
        predicted_class: GrowthClass,
        predicted_rate: Option<f64>,
        rate_tolerance: f64,
        fit: ScalingFit,
    ) -> Self {
        let class_ok = fit.class == predicted_class;
        let rate_ok = predicted_rate.is_none_or(|p| {
            fit.class != predicted_class
                || (p >= fit.rate_ci[0] - rate_tolerance && p <= fit.rate_ci[1] + rate_tolerance)
        });
        Self {
            experiment: experiment.into(),
            curve: curve.into(),
            size: size.into(),
            cost: cost.into(),
            predicted_class,
            predicted_rate,
            measured_class: fit.class,
            rate: fit.rate,
            rate_ci: fit.rate_ci,
            verdict: if class_ok && rate_ok {
                "agrees"
            } else {
                "differs"
            }
            .into(),
            fit,
        }
    }
}

/// A table of JSON values (numbers, strings, booleans) written as CSV and JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ValueTable {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows of values.
    pub rows: Vec<Vec<serde_json::Value>>,
}

impl ValueTable {
    /// An empty table with these columns.
    pub fn new(columns: &[&str]) -> Self {
        Self {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }
    /// Appends a row (must have one value per column).
    pub fn push(&mut self, row: Vec<serde_json::Value>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }
    /// CSV text with a header row.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.columns).expect("in-memory CSV");
        for row in &self.rows {
            w.write_record(row.iter().map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            }))
            .expect("in-memory CSV");
        }
        String::from_utf8(w.into_inner().expect("in-memory CSV")).expect("UTF-8 CSV")
    }
    /// A Markdown table.
    pub fn to_markdown(&self) -> String {
        let mut s = format!(
            "| {} |\n|{}\n",
            self.columns.join(" | "),
            "---|".repeat(self.columns.len())
        );
        for row in &self.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => match n.as_f64() {
                        Some(f) if n.is_f64() => short(f),
                        _ => n.to_string(),
                    },
                    serde_json::Value::Null => "—".into(),
                    other => other.to_string(),
                })
                .collect();
            s.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        s
    }
}

/// A number in 4 significant digits for Markdown.
pub fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let mag = v.abs().log10();
    if (-3.0..5.0).contains(&mag) {
        let decimals = (3.0 - mag.floor()).max(0.0) as usize;
        format!("{v:.decimals$}")
    } else {
        format!("{v:.3e}")
    }
}

/// What an experiment's summary produces.
#[derive(Debug, Clone, Default)]
pub struct ExperimentReport {
    /// The table written as `<EXP>.csv` / `<EXP>.json`.
    pub table: ValueTable,
    /// Fitted curves, for `summary.json` and the summary table.
    pub fits: Vec<SummaryEntry>,
    /// File names of the plots written into the report folder.
    pub plots: Vec<String>,
    /// Markdown body of the experiment's section (findings, explanations).
    pub markdown: String,
}

/// An experiment: a sweep over one size with trials per point.
pub trait Experiment: Send + Sync {
    /// Short id, e.g. "E2".
    fn id(&self) -> &'static str;
    /// One-line title.
    fn title(&self) -> &'static str;
    /// The points of the sweep at a scale, in a fixed order.
    fn points(&self, scale: Scale) -> Vec<PointSpec>;
    /// Runs one point. Must be deterministic given `ctx.seed` and the point.
    fn run_point(&self, ctx: &PointContext, point: &PointSpec) -> Result<serde_json::Value>;
    /// Summarises the finished points (in the order of [`Experiment::points`]): tables, fits,
    /// plots written under `out`, Markdown.
    fn summarise(
        &self,
        scale: Scale,
        points: &[PointRecord],
        out: &Path,
    ) -> Result<ExperimentReport>;
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
    /// The summary, when every point of the selected experiments is finished.
    pub summary: Option<Vec<SummaryEntry>>,
}

fn select<'a>(
    experiments: &'a [Box<dyn Experiment>],
    only: &Option<Vec<String>>,
) -> Result<Vec<&'a dyn Experiment>> {
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

/// Runs (or resumes) the selected experiments' points in this shard, then writes the report if
/// every selected point is finished.
pub fn run(experiments: &[Box<dyn Experiment>], config: &BenchConfig) -> Result<BenchOutcome> {
    let selected = select(experiments, &config.only)?;
    let info = RunInfo {
        scale: config.scale,
        seed: config.seed,
    };
    check_run_info(&config.out, &info)?;
    if let Some((k, n)) = config.shard {
        if n == 0 || k == 0 || k > n {
            return Err(Error::Invalid(format!(
                "shard must be k/N with 1 ≤ k ≤ N, got {k}/{n}"
            )));
        }
    }
    let all: Vec<(&dyn Experiment, PointSpec)> = selected
        .iter()
        .flat_map(|e| e.points(config.scale).into_iter().map(move |p| (*e, p)))
        .collect();
    let mine: Vec<&(&dyn Experiment, PointSpec)> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| config.shard.is_none_or(|(k, n)| i % n == k - 1))
        .map(|(_, p)| p)
        .collect();
    let todo: Vec<&&(&dyn Experiment, PointSpec)> = mine
        .iter()
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
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let ctx = PointContext {
        seed: config.seed,
        scale: config.scale,
    };
    for (exp, spec) in &todo {
        bar.set_message(format!("{} {}", exp.id(), spec.key));
        tracing::info!(experiment = exp.id(), point = %spec.key, "running point");
        let start = Instant::now();
        let result = exp
            .run_point(&ctx, spec)
            .map_err(|e| Error::Invalid(format!("{} point {}: {e}", exp.id(), spec.key)))?;
        let record = PointRecord {
            spec: spec.clone(),
            result,
            wall_seconds: start.elapsed().as_secs_f64(),
        };
        write_json(&point_path(&config.out, exp.id(), &spec.key), &record)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let complete = all
        .iter()
        .all(|(e, p)| point_path(&config.out, e.id(), &p.key).exists());
    let summary = if complete {
        Some(write_report(&selected, &config.out, &info)?)
    } else {
        None
    };
    Ok(BenchOutcome {
        computed: todo.len(),
        reused,
        summary,
    })
}

/// Merges shard folders into `out` and writes the report. All shards must come from runs with
/// the same scale and seed, and together hold every point of the experiments they ran.
pub fn merge(
    experiments: &[Box<dyn Experiment>],
    shards: &[PathBuf],
    out: &Path,
) -> Result<Vec<SummaryEntry>> {
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
        for p in e.points(info.scale) {
            if !point_path(out, e.id(), &p.key).exists() {
                return Err(Error::Invalid(format!(
                    "merged shards lack point {} of {}: run the missing shard first",
                    p.key,
                    e.id()
                )));
            }
        }
    }
    write_report(&selected, out, &info)
}

fn write_report(
    selected: &[&dyn Experiment],
    out: &Path,
    info: &RunInfo,
) -> Result<Vec<SummaryEntry>> {
    let mut summary = Vec::new();
    let mut sections = String::new();
    for exp in selected {
        let records: Vec<PointRecord> = exp
            .points(info.scale)
            .iter()
            .map(|p| read_json(&point_path(out, exp.id(), &p.key)))
            .collect::<Result<_>>()?;
        let report = exp.summarise(info.scale, &records, out)?;
        write_json(
            &out.join(format!("{}.json", exp.id())),
            &serde_json::json!({
                "experiment": exp.id(),
                "title": exp.title(),
                "columns": report.table.columns,
                "rows": report.table.rows,
                "fits": report.fits,
                "points": records,
            }),
        )?;
        atomic_write(
            &out.join(format!("{}.csv", exp.id())),
            report.table.to_csv().as_bytes(),
        )?;
        sections.push_str(&format!(
            "\n## {} — {}\n\n{}\n",
            exp.id(),
            exp.title(),
            report.markdown.trim_end()
        ));
        if !report.table.rows.is_empty() {
            sections.push_str(&format!("\n{}", report.table.to_markdown()));
        }
        for plot in &report.plots {
            sections.push_str(&format!("\n![{plot}]({plot})\n"));
        }
        summary.extend(report.fits);
    }
    write_json(&out.join("summary.json"), &summary)?;
    let mut md = format!(
        "# hardiff bench report\n\nScale `{:?}`, seed {}. Every number below is reproduced by \
         `cargo xtask bench{} --seed {}`.\n\n## Summary\n\n{}\n",
        info.scale,
        info.seed,
        if info.scale == Scale::Quick {
            " --quick"
        } else {
            ""
        },
        info.seed,
        summary_table(&summary)
    );
    md.push_str(&sections);
    atomic_write(&out.join("report.md"), md.as_bytes())?;
    Ok(summary)
}

/// The summary table of `report.md`.
pub fn summary_table(summary: &[SummaryEntry]) -> String {
    let mut s = String::from(
        "| experiment | curve | size → cost | predicted | measured (95% CI) | verdict |\n|---|---|---|---|---|---|\n",
    );
    for e in summary {
        let predicted = match e.predicted_rate {
            Some(r) => format!("{} ({})", e.predicted_class, short(r)),
            None => e.predicted_class.to_string(),
        };
        s.push_str(&format!(
            "| {} | {} | {} → {} | {} | {} {} [{}, {}] | {} |\n",
            e.experiment,
            e.curve,
            e.size,
            e.cost,
            predicted,
            e.measured_class,
            short(e.rate),
            short(e.rate_ci[0]),
            short(e.rate_ci[1]),
            e.verdict
        ));
    }
    if summary.is_empty() {
        s.push_str("| — | — | — | — | — | — |\n");
    }
    s
}

/// A stored baseline curve with its tolerance (`fixtures/bench-quick.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Experiment id.
    pub experiment: String,
    /// Curve name.
    pub curve: String,
    /// Class that must be reproduced.
    pub class: GrowthClass,
    /// Baseline rate.
    pub rate: f64,
    /// Allowed absolute deviation of the rate.
    pub tolerance: f64,
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
}

impl Fixtures {
    /// Baselines from a summary, each with tolerance max(3 × CI half-width, 15% of |rate|, 0.05)
    /// — wide enough for reruns on other machines, narrow enough to catch a change of rate.
    pub fn from_summary(scale: Scale, seed: u64, summary: &[SummaryEntry]) -> Self {
        Self {
            scale,
            seed,
            curves: summary
                .iter()
                .map(|e| Baseline {
                    experiment: e.experiment.clone(),
                    curve: e.curve.clone(),
                    class: e.measured_class,
                    rate: e.rate,
                    tolerance: (1.5 * (e.rate_ci[1] - e.rate_ci[0]))
                        .max(0.15 * e.rate.abs())
                        .max(0.05),
                })
                .collect(),
        }
    }

    /// One line per regression: a missing curve, a changed class, or a rate out of tolerance.
    /// Curves of experiments not in `ran` are not checked.
    pub fn check(&self, summary: &[SummaryEntry], ran: &[String]) -> Vec<String> {
        let mut problems = Vec::new();
        let by_key: BTreeMap<(&str, &str), &SummaryEntry> = summary
            .iter()
            .map(|e| ((e.experiment.as_str(), e.curve.as_str()), e))
            .collect();
        for b in &self.curves {
            if !ran.iter().any(|r| r.eq_ignore_ascii_case(&b.experiment)) {
                continue;
            }
            match by_key.get(&(b.experiment.as_str(), b.curve.as_str())) {
                None => problems.push(format!(
                    "{} {}: curve missing from this run",
                    b.experiment, b.curve
                )),
                Some(e) if e.measured_class != b.class => problems.push(format!(
                    "{} {}: class changed from {} to {} (rate {})",
                    b.experiment,
                    b.curve,
                    b.class,
                    e.measured_class,
                    short(e.rate)
                )),
                Some(e) if (e.rate - b.rate).abs() > b.tolerance => problems.push(format!(
                    "{} {}: rate {} left the baseline {} ± {}",
                    b.experiment,
                    b.curve,
                    short(e.rate),
                    short(b.rate),
                    short(b.tolerance)
                )),
                Some(_) => {}
            }
        }
        problems
    }
}
