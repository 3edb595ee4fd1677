//! The report of a bench run: what an experiment's summary produces ([`ExperimentReport`]:
//! a [`ValueTable`], fitted curves as [`SummaryEntry`]s, plots, Markdown), and the writer that
//! turns the summaries of finished experiments into a report folder's `<EXP>.json`,
//! `<EXP>.csv`, `summary.json` and `report.md` (layout in [`crate::engine`]).

use crate::engine::{DynExperiment, PointRecord, RunInfo, Scale};
use crate::error::Result;
use crate::fit::{GrowthClass, ScalingFit};
use crate::io::{atomic_write, write_json};
use serde::{Deserialize, Serialize};
use std::path::Path;

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

/// Summarises each experiment's finished points (in the order of its points) and writes the
/// report folder's files: `<EXP>.json`, `<EXP>.csv` (plots are written by the experiments),
/// `summary.json` and `report.md`. Returns the summary.
pub(crate) fn write_report(
    out: &Path,
    info: &RunInfo,
    finished: &[(&dyn DynExperiment, Vec<PointRecord>)],
) -> Result<Vec<SummaryEntry>> {
    let mut summary = Vec::new();
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
