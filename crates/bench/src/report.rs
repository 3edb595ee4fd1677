//! The report of a bench run: what an experiment's summary produces ([`ExperimentReport`]:
//! a [`ValueTable`], fitted curves as [`SummaryEntry`]s, plots, Markdown), and the writer that
//! turns the summaries of finished experiments into a report folder's `<EXP>.json`,
//! `<EXP>.csv`, `summary.json`, `timing.json` and `report.md` (layout in [`crate::engine`]);
//! and [`compare_reports`], which checks that two report folders agree outside their wall times.

use crate::claim::{claims_table, Claim};
use crate::class_test::{
    noncentrality, noncentrality_polynomial, ClassVerdict, LEVEL, MIN_NONCENTRALITY,
};
use crate::engine::{DynExperiment, PointRecord, RunInfo, Scale};
use crate::error::{Error, Result};
use crate::fit::{GrowthClass, ScalingFit};
use crate::io::{atomic_write, write_json};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What a curve row concludes (docs/math.md §9, "Agreement").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CurveVerdict {
    /// The class test gives the predicted class, and the predicted rate (if any) lies in the
    /// rate's 95% interval (widened by the entry's `rate_tolerance`).
    Agrees,
    /// The class test gives the other class, or the predicted rate lies outside the interval.
    Differs,
    /// The class test cannot tell (see the entry's `note`).
    Inconclusive,
}

impl std::fmt::Display for CurveVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CurveVerdict::Agrees => "agrees",
            CurveVerdict::Differs => "differs",
            CurveVerdict::Inconclusive => "inconclusive",
        })
    }
}

/// One fitted curve in `summary.json`: the prediction, both weighted fits with their χ²
/// p-values ([`ScalingFit`]), the design's noncentrality λ, the class test's verdict and
/// whether the curve agrees with the theory.
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
    /// The class test's verdict (polynomial, exponential or inconclusive).
    pub measured_class: ClassVerdict,
    /// Rate of the measured class's model; when inconclusive, of the predicted class's model.
    pub rate: f64,
    /// 95% interval of `rate` (weighted fit, docs/math.md §9).
    pub rate_ci: [f64; 2],
    /// Absolute widening of `rate_ci` allowed when comparing with the predicted rate (a known
    /// systematic effect the theory's rate drops; 0 for most curves).
    pub rate_tolerance: f64,
    /// χ² p-value of the polynomial model.
    pub p_polynomial: f64,
    /// χ² p-value of the exponential model.
    pub p_exponential: f64,
    /// The design's noncentrality λ: χ² of the wrong model on the noise-free predicted curve at
    /// this curve's sizes and variances (for a predicted exponential, χ²_poly of e^{c·size} with
    /// the predicted rate, or the fitted one when the theory gives none; for a predicted
    /// polynomial, χ²_exp of size^b). λ ≥ 10 gives the test its power.
    pub noncentrality: f64,
    /// Agrees, differs or inconclusive.
    pub verdict: CurveVerdict,
    /// Why, when the verdict is not "agrees" (empty otherwise).
    pub note: String,
    /// The fit behind the entry.
    pub fit: ScalingFit,
}

impl SummaryEntry {
    /// Appends the experiment's own explanation to the note of a curve that does not agree
    /// (an agreeing curve is left as it is), so that no inconclusive row goes unexplained.
    pub fn explain_if_not_agreeing(mut self, why: &str) -> Self {
        if self.verdict != CurveVerdict::Agrees && !why.is_empty() {
            self.note = format!("{}. {why}", self.note);
        }
        self
    }

    /// Builds an entry from a fit, computing λ and deciding the verdict: the class test must give
    /// the predicted class, and a predicted rate must lie within the rate's 95% interval widened
    /// by `rate_tolerance` (absolute).
    #[allow(clippy::too_many_arguments)]
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
        let (rate, rate_ci) = match (fit.class, predicted_class) {
            (ClassVerdict::Inconclusive, GrowthClass::Polynomial) => {
                (fit.polynomial.slope, fit.polynomial_ci)
            }
            (ClassVerdict::Inconclusive, GrowthClass::Exponential) => {
                (fit.exponential.slope, fit.exponential_ci)
            }
            _ => (fit.rate, fit.rate_ci),
        };
        let noncentrality = match predicted_class {
            GrowthClass::Exponential => noncentrality(
                &fit.sizes,
                &fit.variances,
                predicted_rate.unwrap_or(fit.exponential.slope),
            ),
            GrowthClass::Polynomial => noncentrality_polynomial(
                &fit.sizes,
                &fit.variances,
                predicted_rate.unwrap_or(fit.polynomial.slope),
            ),
        };
        let (p_poly, p_exp) = (fit.polynomial.p_value, fit.exponential.p_value);
        let (verdict, note) = if fit.class == ClassVerdict::from(predicted_class) {
            match predicted_rate {
                Some(p)
                    if !(p >= rate_ci[0] - rate_tolerance && p <= rate_ci[1] + rate_tolerance) =>
                {
                    (
                        CurveVerdict::Differs,
                        format!(
                            "predicted rate {} lies outside [{}, {}]{}",
                            short(p),
                            short(rate_ci[0]),
                            short(rate_ci[1]),
                            if rate_tolerance > 0.0 {
                                format!(" ± {}", short(rate_tolerance))
                            } else {
                                String::new()
                            }
                        ),
                    )
                }
                _ => (CurveVerdict::Agrees, String::new()),
            }
        } else if fit.class == ClassVerdict::from(predicted_class.other()) {
            (
                CurveVerdict::Differs,
                format!(
                    "the class test says {} (p_poly = {}, p_exp = {}, λ = {})",
                    fit.class,
                    short(p_poly),
                    short(p_exp),
                    short(noncentrality)
                ),
            )
        } else if p_poly < LEVEL && p_exp < LEVEL {
            (
                CurveVerdict::Inconclusive,
                format!(
                    "both models are rejected (p_poly = {}, p_exp = {}): over these sizes the curve is neither a clean power nor a clean exponential",
                    short(p_poly),
                    short(p_exp)
                ),
            )
        } else if noncentrality < MIN_NONCENTRALITY {
            (
                CurveVerdict::Inconclusive,
                format!(
                    "λ = {} < {}: too few sizes or trials at this scale to tell the classes apart (both models fit: p_poly = {}, p_exp = {})",
                    short(noncentrality),
                    MIN_NONCENTRALITY,
                    short(p_poly),
                    short(p_exp)
                ),
            )
        } else {
            (
                CurveVerdict::Inconclusive,
                format!(
                    "both models fit (p_poly = {}, p_exp = {}) although λ = {} ≥ {}: the test missed (probability ≈ 1 − power)",
                    short(p_poly),
                    short(p_exp),
                    short(noncentrality),
                    MIN_NONCENTRALITY
                ),
            )
        };
        Self {
            experiment: experiment.into(),
            curve: curve.into(),
            size: size.into(),
            cost: cost.into(),
            predicted_class,
            predicted_rate,
            measured_class: fit.class,
            rate,
            rate_ci,
            rate_tolerance,
            p_polynomial: p_poly,
            p_exponential: p_exp,
            noncentrality,
            verdict,
            note,
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
    /// Checked claims ([`Claim`]), for `summary.json` and report.md's "Claims" table.
    pub claims: Vec<Claim>,
}

/// `summary.json`: every fitted curve and every claim of a run, in report order. It holds no
/// wall time, so two runs of the same scale and seed give the same bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The fitted curves.
    pub curves: Vec<SummaryEntry>,
    /// The claims.
    pub claims: Vec<Claim>,
}

/// What the invocation that writes a report computed itself (none of it when the report comes
/// from `merge` or `plot`): its threads, its points phase, and per experiment id the number of
/// points it computed with the wall seconds from the first one's start to the last one's end.
#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    pub(crate) jobs: usize,
    pub(crate) elapsed_seconds: f64,
    pub(crate) experiments: BTreeMap<String, (usize, f64)>,
}

/// Time spent on one experiment's points, in `timing.json` and the last table of `report.md`.
/// (Never in `summary.json`, which stays comparable across runs.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentTiming {
    /// Experiment id.
    pub experiment: String,
    /// Its points.
    pub points: usize,
    /// Sum of the points' thread CPU seconds ([`PointRecord::cpu_seconds`]); `None` when a
    /// point file lacks it (written before CPU time was recorded).
    pub cpu_seconds: Option<f64>,
    /// Sum of the points' wall seconds: what the experiment costs on one thread. With several
    /// threads this exceeds the elapsed time.
    pub wall_seconds: f64,
    /// Points computed by the invocation that wrote the report (the others were resumed, or the
    /// report was merged from shards).
    pub computed: usize,
    /// Elapsed wall seconds of that invocation from the start of the first of those points to
    /// the end of the last (other experiments' points may have run in between); `None` when
    /// it computed none.
    pub elapsed_seconds: Option<f64>,
}

/// `timing.json`: where a report's time went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Worker threads of the invocation that wrote the report (`None`: merged or re-plotted
    /// from stored points, nothing computed).
    pub jobs: Option<usize>,
    /// Wall seconds of that invocation's points phase (`None` as for `jobs`).
    pub elapsed_seconds: Option<f64>,
    /// Per experiment, in report order.
    pub experiments: Vec<ExperimentTiming>,
}

impl Timing {
    fn new(
        finished: &[(&dyn DynExperiment, Vec<PointRecord>)],
        invocation: Option<&Invocation>,
    ) -> Self {
        let experiments = finished
            .iter()
            .map(|(exp, records)| {
                let now = invocation.and_then(|i| i.experiments.get(exp.id()));
                ExperimentTiming {
                    experiment: exp.id().to_string(),
                    points: records.len(),
                    cpu_seconds: records.iter().map(|r| r.cpu_seconds).sum(),
                    wall_seconds: records.iter().map(|r| r.wall_seconds).sum(),
                    computed: now.map_or(0, |n| n.0),
                    elapsed_seconds: now.map(|n| n.1),
                }
            })
            .collect();
        Self {
            jobs: invocation.map(|i| i.jobs),
            elapsed_seconds: invocation.map(|i| i.elapsed_seconds),
            experiments,
        }
    }

    /// The `report.md` section: one row per experiment.
    pub fn to_markdown(&self) -> String {
        let mut s = match (self.jobs, self.elapsed_seconds) {
            (Some(jobs), Some(elapsed)) => format!(
                "Points computed by this run took {} s of wall time on {jobs} worker thread{}. ",
                short(elapsed),
                if jobs == 1 { "" } else { "s" }
            ),
            _ => "Nothing was computed when this report was written (merged or re-plotted from \
                  stored points). "
                .to_string(),
        };
        s.push_str(
            "CPU and wall seconds are sums over each experiment's points (a point's CPU time is \
             that of the thread that ran it; CPU below wall means the machine was busy); elapsed \
             is this run's wall time from the experiment's first computed point to its last.\n\n\
             | experiment | points | computed now | CPU s | wall s | elapsed s |\n\
             |---|---|---|---|---|---|\n",
        );
        let opt = |v: Option<f64>| v.map_or("—".to_string(), short);
        for e in &self.experiments {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |
",
                e.experiment,
                e.points,
                e.computed,
                opt(e.cpu_seconds),
                short(e.wall_seconds),
                opt(e.elapsed_seconds)
            ));
        }
        s
    }
}

/// Summarises each experiment's finished points (in the order of its points) and writes the
/// report folder's files: `<EXP>.json`, `<EXP>.csv` (plots are written by the experiments),
/// `summary.json` (a [`Summary`]), `timing.json` and `report.md`. Returns the summary.
pub(crate) fn write_report(
    out: &Path,
    info: &RunInfo,
    finished: &[(&dyn DynExperiment, Vec<PointRecord>)],
    invocation: Option<&Invocation>,
) -> Result<Summary> {
    let mut summary = Summary::default();
    let mut sections = String::new();
    for (exp, records) in finished {
        let report = exp.summarise_json(info.scale, records, out)?;
        write_json(
            &out.join(format!("{}.json", exp.id())),
            &serde_json::json!({
                "experiment": exp.id(),
                "title": exp.title(),
                "columns": report.table.columns,
                "rows": report.table.rows,
                "fits": report.fits,
                "claims": report.claims,
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
        summary.curves.extend(report.fits);
        summary.claims.extend(report.claims);
    }
    write_json(&out.join("summary.json"), &summary)?;
    let mut md = format!(
        "# hardiff bench report\n\nScale `{:?}`, seed {}. Every number below is reproduced by \
         `cargo xtask bench{} --seed {}`.\n\n## Summary\n\n{}\n{}\n## Claims\n\n{}\n",
        info.scale,
        info.seed,
        if info.scale == Scale::Quick {
            " --quick"
        } else {
            ""
        },
        info.seed,
        CLASS_TEST_TEXT,
        summary_table(&summary.curves),
        claims_section(&summary.claims)
    );
    md.push_str(&sections);
    let timing = Timing::new(finished, invocation);
    write_json(&out.join("timing.json"), &timing)?;
    md.push_str(&format!("\n## Time spent\n\n{}", timing.to_markdown()));
    atomic_write(&out.join("report.md"), md.as_bytes())?;
    Ok(summary)
}

/// Whether a CSV column holds a wall-time measurement, which no two runs share and
/// [`compare_reports`] skips: its name contains `second` (seconds, seconds per sample, and K's
/// throughputs in samples or points per second) or starts with `wall`. ASCII case is ignored.
pub fn is_timing_column(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("second") || name.starts_with("wall")
}

/// At most this many differing cells are listed per CSV file; the rest are counted.
const MAX_CELL_LINES: usize = 20;

/// Compares two report folders: `summary.json` byte for byte, and every top-level `*.csv` cell
/// by cell outside the [timing columns](is_timing_column). Returns one line per difference
/// (empty: the folders agree), e.g. to check that a run does not depend on its number of
/// threads. A file present in one folder only is a difference; an unreadable folder or file,
/// or a malformed CSV, is an error.
pub fn compare_reports(a: &Path, b: &Path) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    let read = |dir: &Path, name: &str| -> Result<Option<Vec<u8>>> {
        let path = dir.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
        }
    };
    let missing = |name: &str, dir: &Path| format!("{name}: missing from {}", dir.display());
    match (read(a, "summary.json")?, read(b, "summary.json")?) {
        (Some(x), Some(y)) if x != y => {
            let (x, y) = (String::from_utf8_lossy(&x), String::from_utf8_lossy(&y));
            let line = x
                .lines()
                .zip(y.lines())
                .position(|(p, q)| p != q)
                .unwrap_or_else(|| x.lines().count().min(y.lines().count()));
            let at = |t: &str| t.lines().nth(line).unwrap_or("<end>").trim().to_string();
            lines.push(format!(
                "summary.json: differs from line {}: {} vs {}",
                line + 1,
                at(&x),
                at(&y)
            ));
        }
        (Some(_), Some(_)) => {}
        (None, _) => lines.push(missing("summary.json", a)),
        (_, None) => lines.push(missing("summary.json", b)),
    }
    let csv_names = |dir: &Path| -> Result<BTreeSet<String>> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
        Ok(entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".csv"))
            .collect())
    };
    let (names_a, names_b) = (csv_names(a)?, csv_names(b)?);
    for name in names_a.union(&names_b) {
        let (Some(x), Some(y)) = (read(a, name)?, read(b, name)?) else {
            let dir = if names_a.contains(name) { b } else { a };
            lines.push(missing(name, dir));
            continue;
        };
        if x != y {
            lines.extend(compare_csv(name, &x, &y)?);
        }
    }
    Ok(lines)
}

/// The differences between two CSV files with a header row, outside the timing columns.
fn compare_csv(name: &str, a: &[u8], b: &[u8]) -> Result<Vec<String>> {
    let parse = |bytes: &[u8]| -> Result<Vec<Vec<String>>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes)
            .records()
            .map(|r| {
                r.map(|r| r.iter().map(str::to_string).collect())
                    .map_err(|e| Error::Csv(format!("{name}: {e}")))
            })
            .collect()
    };
    let (a, b) = (parse(a)?, parse(b)?);
    let (head_a, head_b) = (
        a.first().cloned().unwrap_or_default(),
        b.first().cloned().unwrap_or_default(),
    );
    if head_a != head_b {
        return Ok(vec![format!(
            "{name}: header differs: {} vs {}",
            head_a.join(","),
            head_b.join(",")
        )]);
    }
    let mut lines = Vec::new();
    if a.len() != b.len() {
        lines.push(format!(
            "{name}: {} data rows vs {}",
            a.len().saturating_sub(1),
            b.len().saturating_sub(1)
        ));
    }
    let mut cells = 0;
    for (row, (ra, rb)) in a.iter().zip(&b).enumerate().skip(1) {
        for (col, title) in head_a.iter().enumerate() {
            let (x, y) = (ra.get(col), rb.get(col));
            if is_timing_column(title) || x == y {
                continue;
            }
            cells += 1;
            if cells <= MAX_CELL_LINES {
                let show = |v: Option<&String>| v.map_or("<none>", String::as_str).to_string();
                lines.push(format!(
                    "{name}: row {row}, column {title}: {} vs {}",
                    show(x),
                    show(y)
                ));
            }
        }
    }
    if cells > MAX_CELL_LINES {
        lines.push(format!(
            "{name}: and {} more differing cells",
            cells - MAX_CELL_LINES
        ));
    }
    Ok(lines)
}

/// How report.md's summary table is read (docs/math.md §9).
const CLASS_TEST_TEXT: &str = "Each curve's class comes from the χ² class test of docs/math.md §9 \
(`hardiff_bench::class_test`): both models — polynomial log cost = a + b·log size, exponential log \
cost = a + c·size — are fitted by weighted least squares, each size weighted by 1/Var of its \
aggregated log cost (a bootstrap over its trials, plus a 5% model tolerance unless the curve says \
otherwise); each model gets a χ² goodness-of-fit p-value on k − 2 degrees of freedom, and a class \
is claimed only when the other model is rejected at 5% and this one is not (or, when both fit, \
when even the exponential's upper rate grows the cost less than 2× over the range: bounded \
growth); otherwise the curve is *inconclusive*, never a default class. λ is the design's \
noncentrality (the wrong model's χ² on the noise-free predicted curve; λ ≥ 10 gives the test \
≈ 0.8 power). A curve *agrees* when its class is the predicted one and the predicted rate lies in \
the 95% interval of its rate. Rates' intervals are the weighted slope ± 1.96 se, widened by \
√max(1, χ²/dof).\n";

/// report.md's "Claims" section: a count of the verdicts and the [claims table](claims_table).
pub fn claims_section(claims: &[Claim]) -> String {
    use crate::claim::ClaimVerdict;
    let count = |v: ClaimVerdict| claims.iter().filter(|c| c.verdict() == v).count();
    format!(
        "Each claim's verdict is computed from its numbers (docs/math.md §9; `hardiff_bench::claim`): \
         {} hold, {} fail, {} inconclusive.\n\n{}",
        count(ClaimVerdict::Holds),
        count(ClaimVerdict::Fails),
        count(ClaimVerdict::Inconclusive),
        claims_table(claims)
    )
}

/// The summary table of `report.md`: per curve the prediction, both weighted fits with their
/// 95% intervals and χ² p-values, the design's λ, the class test's verdict and the agreement;
/// then one line per curve that does not agree, saying why.
pub fn summary_table(summary: &[SummaryEntry]) -> String {
    let mut s = String::from(
        "| experiment | curve | size → cost | predicted | polynomial b [95%], p | exponential c [95%], p | λ | class test | verdict |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for e in summary {
        let predicted = match e.predicted_rate {
            Some(r) => format!("{} ({})", e.predicted_class, short(r)),
            None => e.predicted_class.to_string(),
        };
        let fit = |slope: f64, ci: [f64; 2], p: f64| {
            format!(
                "{} [{}, {}], {}",
                short(slope),
                short(ci[0]),
                short(ci[1]),
                short(p)
            )
        };
        s.push_str(&format!(
            "| {} | {} | {} → {} | {} | {} | {} | {} | {} | {} |\n",
            e.experiment,
            e.curve,
            e.size,
            e.cost,
            predicted,
            fit(e.fit.polynomial.slope, e.fit.polynomial_ci, e.p_polynomial),
            fit(
                e.fit.exponential.slope,
                e.fit.exponential_ci,
                e.p_exponential
            ),
            short(e.noncentrality),
            e.measured_class,
            e.verdict
        ));
    }
    if summary.is_empty() {
        s.push_str("| — | — | — | — | — | — | — | — | — |\n");
    }
    let notes: Vec<&SummaryEntry> = summary.iter().filter(|e| !e.note.is_empty()).collect();
    if !notes.is_empty() {
        s.push('\n');
        for e in notes {
            s.push_str(&format!(
                "- **{} {}** {}: {}.\n",
                e.experiment,
                e.curve,
                e.verdict,
                // One full stop, whether or not the note ends with its own.
                e.note.trim_end_matches('.')
            ));
        }
    }
    s
}
