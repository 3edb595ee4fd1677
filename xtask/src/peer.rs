//! The NumPy peer (`cargo xtask peer`): the same pancake score and rejection-sampling loop,
//! vectorised in NumPy (`benches/peers/peer.py`), run beside hardiff on the same inputs.
//!
//! Why it exists: a reader who knows NumPy can check hardiff's two hot kernels against an
//! independent implementation written from docs/math.md alone, and see what the Rust code buys.
//!
//! What it does, in order:
//! 1. probes the interpreter (`$HARDIFF_PEER_PYTHON`, default `python3`) for NumPy; when either
//!    is missing it prints one line and returns `Ok` (the peer is optional: CI has no NumPy);
//! 2. draws the inputs: pancakes (d = 16, γ = 2, σ = 0.1, a secret u) and 20 000 points of
//!    their law at OU time t = 0.05, written as CSV in shortest round-trip form (both sides read
//!    bit-identical numbers); and a two-component Gaussian mixture in d = 2 with a 1-row
//!    measurement (docs/math.md §6);
//! 3. runs hardiff: [`GaussianPancakes`]'s score (best of 5 wall times) and
//!    [`hardiff_sde::posterior::rejection()`] for 20 000 acceptances (best of 3), each once
//!    inside a one-thread rayon pool (`_1`) and once on the global pool, all cores (`_all`);
//! 4. runs `peer.py` on the same inputs and reads its scores and timings;
//! 5. checks that the scores agree (max abs difference ≤ [`SCORE_TOLERANCE`]) and that the two
//!    acceptance rates agree statistically (two-proportion z-test, |z| < 4.5, false-alarm rate
//!    ≈ 7e−6), prints both against the exact rate (2πη²)^{m/2} p_Y(y), and prints the speed
//!    ratios (NumPy seconds / hardiff seconds: > 1 means hardiff is faster), and that the
//!    one-thread and all-core scores are bit-identical. A disagreement is an error.
//!
//! `cargo xtask peer --format json` prints the same as one JSON object ([`PeerReport`] plus the
//! four ratios `score_ratio_1`, `score_ratio_all`, `rejection_ratio_1`, `rejection_ratio_all`;
//! or `{"skipped": reason}` without NumPy). `cargo xtask` runs in the dev profile (optimised,
//! but with debug assertions and overflow checks, about 9% more instructions in the rejection
//! kernel), so `peer` reruns itself from a release build unless given `--as-built`; the JSON
//! names the profile it timed.
//!
//! How far the score is from its ceiling (one dot product, one exponential, a few multiply-adds
//! and an axpy per point) is discussed in `benches/peers/README.md`; the one-thread time per
//! point is printed beside the ratios (`hardiff_ns_per_point_1`).

use crate::peer_binding::BindingOutcome;
use hardiff_bench::io::format_f64;
use hardiff_bench::{Error, Result};
use hardiff_dist::{rng, Gaussian, GaussianMixture, GaussianPancakes, SampleBatch, Score};
use hardiff_sde::LinearMeasurement;
use ndarray::{arr1, arr2, Array1, Array2};
use serde::{Deserialize, Serialize};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The environment variable naming the Python interpreter (default `python3`).
pub const PYTHON_ENV: &str = "HARDIFF_PEER_PYTHON";

/// The scores of the two sides must agree to this absolute difference (both evaluate the same
/// lattice sum in float64 with the same e^{−40} truncation; they differ only in rounding).
pub const SCORE_TOLERANCE: f64 = 1e-9;

/// |z| of the two-proportion test above which the acceptance rates are said to disagree.
pub const RATE_Z_LIMIT: f64 = 4.5;

/// Timed repetitions of hardiff's rejection sampling per thread setting (best is reported; the
/// same stream each time, so the same draws).
pub const REJECTION_REPS: usize = 3;

/// Sizes of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerConfig {
    /// Dimension of the pancakes.
    pub dim: usize,
    /// γ.
    pub gamma: f64,
    /// σ.
    pub sigma: f64,
    /// OU time of the score.
    pub t: f64,
    /// Points scored.
    pub points: usize,
    /// Timed repetitions of the score (best is reported).
    pub reps: usize,
    /// Acceptances requested from rejection sampling.
    pub accepted: usize,
    /// Seed of the inputs and of hardiff's sampler (NumPy's sampler is seeded from it too).
    pub seed: u64,
}

impl Default for PeerConfig {
    fn default() -> Self {
        Self {
            dim: 16,
            gamma: 2.0,
            sigma: 0.1,
            t: 0.05,
            points: 20_000,
            reps: 5,
            accepted: 20_000,
            seed: 2024,
        }
    }
}

/// The pancake-score comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreComparison {
    /// Points scored.
    pub points: usize,
    /// Dimension.
    pub dim: usize,
    /// max |s_hardiff − s_numpy| over all coordinates.
    pub max_abs_diff: f64,
    /// Whether hardiff's one-thread and all-core scores are bit-identical.
    pub threads_identical: bool,
    /// Best wall time of hardiff's batch score on one thread, seconds.
    pub hardiff_seconds_1: f64,
    /// Best wall time of hardiff's batch score on all cores, seconds.
    pub hardiff_seconds_all: f64,
    /// Best wall time of NumPy's batch score, seconds.
    pub numpy_seconds: f64,
}

impl ScoreComparison {
    /// hardiff's one-thread time per point, nanoseconds.
    pub fn ns_per_point_1(&self) -> f64 {
        1e9 * self.hardiff_seconds_1 / self.points as f64
    }
    /// hardiff's all-core time per point, nanoseconds.
    pub fn ns_per_point_all(&self) -> f64 {
        1e9 * self.hardiff_seconds_all / self.points as f64
    }
}

/// The rejection-sampling comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectionComparison {
    /// The exact acceptance probability (2πη²)^{m/2} p_Y(y) (docs/math.md §6).
    pub exact_rate: f64,
    /// hardiff: prior draws until `accepted` acceptances.
    pub hardiff_draws: u64,
    /// NumPy: prior draws until `accepted` acceptances.
    pub numpy_draws: u64,
    /// Acceptances on each side.
    pub accepted: u64,
    /// Two-proportion z statistic of the two measured rates.
    pub z: f64,
    /// hardiff's best wall time on one thread, seconds.
    pub hardiff_seconds_1: f64,
    /// hardiff's best wall time on all cores, seconds.
    pub hardiff_seconds_all: f64,
    /// NumPy's wall time, seconds.
    pub numpy_seconds: f64,
}

impl RejectionComparison {
    /// hardiff's measured acceptance rate.
    pub fn hardiff_rate(&self) -> f64 {
        self.accepted as f64 / self.hardiff_draws as f64
    }
    /// NumPy's measured acceptance rate.
    pub fn numpy_rate(&self) -> f64 {
        self.accepted as f64 / self.numpy_draws as f64
    }
}

/// A finished comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerReport {
    /// NumPy's version.
    pub numpy_version: String,
    /// The pancake score.
    pub score: ScoreComparison,
    /// Rejection sampling.
    pub rejection: RejectionComparison,
}

impl PeerReport {
    /// True when the scores agree within [`SCORE_TOLERANCE`], hardiff's one-thread and
    /// all-core scores are bit-identical and |z| < [`RATE_Z_LIMIT`].
    pub fn agrees(&self) -> bool {
        self.score.max_abs_diff <= SCORE_TOLERANCE
            && self.score.threads_identical
            && self.rejection.z.abs() < RATE_Z_LIMIT
    }

    /// The report as one JSON object: its fields, the four speed ratios (NumPy seconds /
    /// hardiff seconds), the per-point times, the thread count, the build profile and `agrees`.
    pub fn to_json(&self) -> serde_json::Value {
        let (s, j) = (&self.score, &self.rejection);
        serde_json::json!({
            "numpy_version": self.numpy_version,
            "score": s,
            "rejection": j,
            "score_ratio_1": s.numpy_seconds / s.hardiff_seconds_1,
            "score_ratio_all": s.numpy_seconds / s.hardiff_seconds_all,
            "rejection_ratio_1": j.numpy_seconds / j.hardiff_seconds_1,
            "rejection_ratio_all": j.numpy_seconds / j.hardiff_seconds_all,
            "hardiff_ns_per_point_1": s.ns_per_point_1(),
            "hardiff_ns_per_point_all": s.ns_per_point_all(),
            "threads_all": rayon::current_num_threads(),
            "score_tolerance": SCORE_TOLERANCE,
            "rate_z_limit": RATE_Z_LIMIT,
            "profile": PROFILE,
            "agrees": self.agrees(),
        })
    }
}

/// The build profile this binary was compiled in (what `cargo xtask` uses: dev, optimised).
pub const PROFILE: &str = if cfg!(debug_assertions) {
    "dev (debug assertions; Cargo.toml: opt-level 2, dependencies 3)"
} else {
    "release"
};

/// How [`run`] prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Sentences for a reader.
    #[default]
    Text,
    /// One JSON object on stdout.
    Json,
}

/// Either a report, or the reason the peer could not run.
#[derive(Debug, Clone, PartialEq)]
pub enum PeerOutcome {
    /// Python or NumPy is missing (the reason, one line).
    Skipped(String),
    /// Both sides ran.
    Compared(PeerReport),
}

/// The prior, measurement and observation of the rejection comparison: weights (0.35, 0.65),
/// means (−1.5, 0.5) and (1, −0.5), covariances [[0.6, 0.2], [0.2, 0.4]] and
/// [[0.3, −0.1], [−0.1, 0.8]]; A = [[1, 0.5]], η = 0.05, y = (0.3).
pub fn rejection_problem() -> Result<(GaussianMixture, LinearMeasurement, Array1<f64>)> {
    let prior = GaussianMixture::new(
        vec![0.35, 0.65],
        vec![
            Gaussian::new(arr1(&[-1.5, 0.5]), arr2(&[[0.6, 0.2], [0.2, 0.4]]))?,
            Gaussian::new(arr1(&[1.0, -0.5]), arr2(&[[0.3, -0.1], [-0.1, 0.8]]))?,
        ],
    )?;
    let measurement = LinearMeasurement::new(arr2(&[[1.0, 0.5]]), 0.05)?;
    Ok((prior, measurement, arr1(&[0.3])))
}

/// Checks that `python` runs and imports NumPy; returns NumPy's version or why not.
pub fn probe_numpy(python: &OsStr) -> std::result::Result<String, String> {
    let out = Command::new(python)
        .args([
            "-c",
            "import sys, numpy; sys.stdout.write(numpy.__version__)",
        ])
        .output()
        .map_err(|e| format!("{} could not be run ({e})", python.to_string_lossy()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(format!(
            "{} cannot import NumPy (install it with `pip install numpy`)",
            python.to_string_lossy()
        ))
    }
}

/// The interpreter: `$HARDIFF_PEER_PYTHON` or `python3`.
pub fn python() -> OsString {
    std::env::var_os(PYTHON_ENV).unwrap_or_else(|| OsString::from("python3"))
}

fn write_csv(path: &Path, x: &Array2<f64>) -> Result<()> {
    let mut s = String::with_capacity(x.len() * 24);
    for row in x.rows() {
        let cells: Vec<String> = row.iter().map(|&v| format_f64(v)).collect();
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    std::fs::write(path, s).map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

fn read_csv(path: &Path, rows: usize, cols: usize) -> Result<Array2<f64>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let mut values = Vec::with_capacity(rows * cols);
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        for field in line.split(',') {
            values.push(field.trim().parse::<f64>().map_err(|_| {
                Error::Csv(format!("{} line {}: {field:?}", path.display(), i + 1))
            })?);
        }
    }
    Array2::from_shape_vec((rows, cols), values)
        .map_err(|e| Error::Csv(format!("{}: {e}", path.display())))
}

#[derive(Deserialize)]
struct NumpyTimes {
    numpy_version: String,
    pancake: NumpyScore,
    rejection: NumpyRejection,
}

#[derive(Deserialize)]
struct NumpyScore {
    seconds: f64,
}

#[derive(Deserialize)]
struct NumpyRejection {
    draws: u64,
    accepted: u64,
    seconds: f64,
}

/// Runs both sides (see the module docs) with `python`; the script is
/// `root/benches/peers/peer.py`. Inputs and outputs live in a temporary folder that is removed
/// afterwards.
///
/// Errors: the script is missing or fails for a reason other than a missing NumPy, a lower
/// crate fails, or files cannot be written.
pub fn compare(root: &Path, python: &OsStr, config: &PeerConfig) -> Result<PeerOutcome> {
    let numpy_version = match probe_numpy(python) {
        Ok(v) => v,
        Err(reason) => return Ok(PeerOutcome::Skipped(reason)),
    };
    let script = root.join("benches").join("peers").join("peer.py");
    if !script.is_file() {
        return Err(Error::Invalid(format!(
            "the NumPy peer script {} is missing",
            script.display()
        )));
    }
    let dir = std::env::temp_dir().join(format!("hardiff-peer-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let result = compare_in(&dir, &script, python, config, numpy_version);
    // Best effort: a leftover temporary folder is harmless.
    let _ = std::fs::remove_dir_all(&dir);
    result.map(PeerOutcome::Compared)
}

fn compare_in(
    dir: &Path,
    script: &Path,
    python: &OsStr,
    config: &PeerConfig,
    numpy_version: String,
) -> Result<PeerReport> {
    // Inputs.
    let law =
        GaussianPancakes::with_random_secret(config.dim, config.gamma, config.sigma, config.seed)?;
    let x = law.at_time(config.t)?.sample_batch(
        &mut rng::stream(config.seed, "peer/points", &[]),
        config.points,
    );
    let points: PathBuf = dir.join("points.csv");
    let scores: PathBuf = dir.join("numpy-scores.csv");
    write_csv(&points, &x)?;
    let (prior, measurement, y) = rejection_problem()?;
    let exact_rate = measurement.acceptance_rate(prior.log_evidence(
        measurement.matrix(),
        measurement.noise_std(),
        y.view(),
    )?);
    let cfg = serde_json::json!({
        "pancake": {
            "points": points, "out": scores, "secret": law.secret().to_vec(),
            "gamma": config.gamma, "sigma": config.sigma, "t": config.t, "reps": config.reps,
        },
        "rejection": {
            "weights": prior.weights().to_vec(),
            "means": prior.components().iter().map(|c| c.mean().to_vec()).collect::<Vec<_>>(),
            "covs": prior.components().iter().map(|c| c.cov().rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>()).collect::<Vec<_>>(),
            "a": measurement.matrix().rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
            "noise_std": measurement.noise_std(), "y": y.to_vec(),
            "n": config.accepted, "seed": config.seed,
        },
    });
    let cfg_path = dir.join("config.json");
    hardiff_bench::io::write_json(&cfg_path, &cfg)?;

    // hardiff: once in a one-thread pool, once on the global pool (all cores).
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| Error::Invalid(format!("building a one-thread pool: {e}")))?;
    let time_score = |s: &mut Array2<f64>| -> Result<f64> {
        let mut best = f64::INFINITY;
        for _ in 0..config.reps.max(1) {
            let start = Instant::now();
            law.score(config.t, x.view(), s.view_mut())?;
            best = best.min(start.elapsed().as_secs_f64());
        }
        Ok(best)
    };
    let mut s1 = Array2::zeros(x.raw_dim());
    let hardiff_score_1 = one.install(|| time_score(&mut s1))?;
    let mut s = Array2::zeros(x.raw_dim());
    let hardiff_score_all = time_score(&mut s)?;
    let threads_identical = s1 == s;
    let expected_draws = config.accepted as f64 / exact_rate;
    let time_rejection = || -> Result<(f64, u64)> {
        let mut best = (f64::INFINITY, 0);
        for _ in 0..REJECTION_REPS {
            let start = Instant::now();
            let out = hardiff_sde::posterior::rejection(
                &prior,
                &measurement,
                y.view(),
                config.accepted,
                (100.0 * expected_draws) as u64 + 1000,
                &mut rng::stream(config.seed, "peer/rejection", &[]),
            )?;
            best = (
                best.0.min(start.elapsed().as_secs_f64()),
                out.stats.prior_draws,
            );
        }
        Ok(best)
    };
    let (hardiff_rejection_1, _) = one.install(time_rejection)?;
    let (hardiff_rejection_all, prior_draws) = time_rejection()?;

    // NumPy.
    let run = Command::new(python)
        .arg(script)
        .arg(&cfg_path)
        .output()
        .map_err(|e| Error::io(format!("running {}", script.display()), e))?;
    if !run.status.success() {
        return Err(Error::Invalid(format!(
            "{} failed ({}): {}",
            script.display(),
            run.status,
            String::from_utf8_lossy(&run.stderr).trim()
        )));
    }
    let times: NumpyTimes = serde_json::from_slice(&run.stdout)
        .map_err(|e| Error::json("the NumPy peer's output", e))?;
    let theirs = read_csv(&scores, x.nrows(), x.ncols())?;
    let max_abs_diff = (&s - &theirs).iter().fold(0.0f64, |m, v| {
        if v.is_nan() {
            f64::INFINITY
        } else {
            m.max(v.abs())
        }
    });

    let (da, dn, k) = (
        prior_draws as f64,
        times.rejection.draws as f64,
        config.accepted as f64,
    );
    let pooled = 2.0 * k / (da + dn);
    let z = (k / da - k / dn) / (pooled * (1.0 - pooled) * (1.0 / da + 1.0 / dn)).sqrt();
    if times.rejection.accepted != config.accepted as u64 {
        return Err(Error::Invalid(format!(
            "the NumPy peer accepted {} samples, not {}",
            times.rejection.accepted, config.accepted
        )));
    }
    Ok(PeerReport {
        numpy_version: if times.numpy_version.is_empty() {
            numpy_version
        } else {
            times.numpy_version
        },
        score: ScoreComparison {
            points: x.nrows(),
            dim: x.ncols(),
            max_abs_diff,
            threads_identical,
            hardiff_seconds_1: hardiff_score_1,
            hardiff_seconds_all: hardiff_score_all,
            numpy_seconds: times.pancake.seconds,
        },
        rejection: RejectionComparison {
            exact_rate,
            hardiff_draws: prior_draws,
            numpy_draws: times.rejection.draws,
            accepted: config.accepted as u64,
            z,
            hardiff_seconds_1: hardiff_rejection_1,
            hardiff_seconds_all: hardiff_rejection_all,
            numpy_seconds: times.rejection.seconds,
        },
    })
}

/// Runs the peer comparison from the workspace root with the default sizes and
/// `$HARDIFF_PEER_PYTHON` (or `python3`), printing the result on stdout in `format`. A missing
/// Python or NumPy prints one line (JSON: `{"skipped": reason}`) and returns `Ok`; a
/// disagreement between the two sides is an error (after printing the report).
pub fn run(root: &Path, format: Format) -> Result<()> {
    let python = python();
    let report = match compare(root, &python, &PeerConfig::default())? {
        PeerOutcome::Skipped(reason) => {
            match format {
                Format::Text => println!("NumPy peer skipped: {reason}."),
                Format::Json => println!("{}", serde_json::json!({ "skipped": reason })),
            }
            return Ok(());
        }
        PeerOutcome::Compared(r) => r,
    };
    let binding = crate::peer_binding::time(root, &python, &PeerConfig::default())?;
    match format {
        Format::Json => {
            let mut j = report.to_json();
            match &binding {
                BindingOutcome::Timed(b) => b.extend_json(&mut j),
                BindingOutcome::Skipped(why) => j["python_binding_skipped"] = why.clone().into(),
            }
            println!("{j}")
        }
        Format::Text => {
            print_text(&report);
            match &binding {
                BindingOutcome::Timed(b) => b.print_text(),
                BindingOutcome::Skipped(why) => println!("Python binding skipped: {why}."),
            }
        }
    }
    if let BindingOutcome::Timed(b) = &binding {
        if !b.identical {
            return Err(Error::Invalid(
                "the Python binding's scores differ from the same call in Rust".into(),
            ));
        }
    }
    if report.agrees() {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "the NumPy peer disagrees with hardiff: max score difference {:.3e}, one-thread and \
             all-core scores identical: {}, rate z = {:.2}",
            report.score.max_abs_diff, report.score.threads_identical, report.rejection.z
        )))
    }
}

fn print_text(r: &PeerReport) {
    let s = &r.score;
    let j = &r.rejection;
    println!(
        "NumPy peer (NumPy {}) against hardiff ({} profile), same inputs; hardiff on 1 thread \
         and on all {} threads",
        r.numpy_version,
        PROFILE,
        rayon::current_num_threads()
    );
    println!(
        "pancake score, {} points in d = {}: max |hardiff − numpy| = {:.3e} (tolerance {:.0e}), \
         1-thread and all-core outputs identical: {}; NumPy {:.3} ms; hardiff 1 thread {:.3} ms \
         ({:.1} ns/point, ratio {:.2}), all cores {:.3} ms ({:.1} ns/point, ratio {:.2})",
        s.points,
        s.dim,
        s.max_abs_diff,
        SCORE_TOLERANCE,
        s.threads_identical,
        1e3 * s.numpy_seconds,
        1e3 * s.hardiff_seconds_1,
        s.ns_per_point_1(),
        s.numpy_seconds / s.hardiff_seconds_1,
        1e3 * s.hardiff_seconds_all,
        s.ns_per_point_all(),
        s.numpy_seconds / s.hardiff_seconds_all
    );
    println!(
        "rejection sampling, {} acceptances: rate hardiff {:.5} ({} draws), NumPy {:.5} ({} draws), \
         exact {:.5}; z = {:.2} (|z| < {RATE_Z_LIMIT}); NumPy {:.4} s; hardiff 1 thread {:.4} s \
         (ratio {:.2}), all cores {:.4} s (ratio {:.2})",
        j.accepted,
        j.hardiff_rate(),
        j.hardiff_draws,
        j.numpy_rate(),
        j.numpy_draws,
        j.exact_rate,
        j.z,
        j.numpy_seconds,
        j.hardiff_seconds_1,
        j.numpy_seconds / j.hardiff_seconds_1,
        j.hardiff_seconds_all,
        j.numpy_seconds / j.hardiff_seconds_all
    );
    if r.agrees() {
        println!("the two sides agree (a time ratio > 1 means hardiff is faster)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn skips_cleanly_without_python_or_numpy() {
        let cfg = PeerConfig::default();
        let missing = compare(&root(), OsStr::new("/nonexistent/python3"), &cfg).unwrap();
        assert!(matches!(missing, PeerOutcome::Skipped(ref r) if r.contains("could not be run")));
        // `false` runs but exits non-zero, like a Python without NumPy.
        let no_numpy = compare(&root(), OsStr::new("false"), &cfg).unwrap();
        assert!(matches!(no_numpy, PeerOutcome::Skipped(ref r) if r.contains("NumPy")));
    }

    #[test]
    fn hardiff_rejection_rate_matches_the_exact_acceptance() {
        // The exact acceptance (2πη²)^{1/2} p_Y(y) (docs/math.md §6) against hardiff's measured rate
        // for 4000 acceptances: draws until the k-th acceptance, D, has mean k/p and variance
        // k(1−p)/p²; |D − k/p| < 4.5 SD fails w.p. ≈ 7e−6 (normal approximation).
        let (prior, m, y) = rejection_problem().unwrap();
        let p = m.acceptance_rate(
            prior
                .log_evidence(m.matrix(), m.noise_std(), y.view())
                .unwrap(),
        );
        assert!(p > 0.01 && p < 0.2, "acceptance {p}");
        let k = 4000usize;
        let out = hardiff_sde::posterior::rejection(
            &prior,
            &m,
            y.view(),
            k,
            10_000_000,
            &mut rng::stream(3, "peer-test", &[]),
        )
        .unwrap();
        let d = out.stats.prior_draws as f64;
        let (mean, sd) = (k as f64 / p, (k as f64 * (1.0 - p)).sqrt() / p);
        assert!((d - mean).abs() < 4.5 * sd, "draws {d} vs {mean} ± {sd}");
    }

    #[test]
    fn json_report_carries_the_four_ratios() {
        let report = PeerReport {
            numpy_version: "x".into(),
            score: ScoreComparison {
                points: 1000,
                dim: 16,
                max_abs_diff: 1e-14,
                threads_identical: true,
                hardiff_seconds_1: 2e-5,
                hardiff_seconds_all: 1e-5,
                numpy_seconds: 1e-4,
            },
            rejection: RejectionComparison {
                exact_rate: 0.05,
                hardiff_draws: 100,
                numpy_draws: 100,
                accepted: 5,
                z: 0.0,
                hardiff_seconds_1: 4.0,
                hardiff_seconds_all: 2.0,
                numpy_seconds: 1.0,
            },
        };
        let j = report.to_json();
        assert_eq!(j["score_ratio_1"], 5.0);
        assert_eq!(j["score_ratio_all"], 10.0);
        assert_eq!(j["rejection_ratio_1"], 0.25);
        assert_eq!(j["rejection_ratio_all"], 0.5);
        assert_eq!(j["hardiff_ns_per_point_1"], 20.0);
        assert_eq!(j["agrees"], true);
        let mut bad = report;
        bad.score.threads_identical = false;
        assert!(!bad.agrees());
    }

    #[test]
    fn csv_round_trip_is_bit_exact() {
        let x = arr2(&[[0.1, -2.5e-300], [1.0 / 3.0, 7.0]]);
        let dir = std::env::temp_dir().join(format!("hardiff-peer-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.csv");
        write_csv(&path, &x).unwrap();
        assert_eq!(read_csv(&path, 2, 2).unwrap(), x);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
