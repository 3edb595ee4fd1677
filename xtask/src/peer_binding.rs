//! The Python-binding part of `cargo xtask peer`: what scoring 100 000 points costs from Python
//! (`hardiff.Pancakes.score`, the extension in crates/py) against the same library call from
//! Rust, on the same points (issue 13: at most [`RATIO_LIMIT`]×).
//!
//! Why it exists: the binding promises NumPy arrays in and out without copies and with the GIL
//! released around the kernel, so its overhead over Rust should be the argument checks and the
//! Python call. This measures it, and checks that both sides return bit-identical scores.
//!
//! What it does: writes [`POINTS`] points of the peer's pancakes (docs/math.md §2) at OU time
//! t as raw little-endian float64; times `GaussianPancakes::score_owned` (what the binding
//! calls) in Rust, best of [`REPS`] after a warm-up, in a one-thread rayon pool and on the
//! global pool; runs `benches/peers/binding.py` (same best-of, once with
//! `RAYON_NUM_THREADS=1`, once as inherited) and reads its scores and times. The ratios are
//! Python seconds / Rust seconds (1 = no overhead). Skipped, with a reason, when the
//! interpreter cannot import `hardiff` (`pip install .` installs it).

use crate::peer::PeerConfig;
use hardiff_bench::{Error, Result};
use hardiff_dist::{rng, GaussianPancakes, SampleBatch, Score};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Points scored per call (the 100 000).
pub const POINTS: usize = 100_000;

/// Timed repetitions per side and thread setting (the best is reported: timings on a loaded
/// machine only ever err upwards).
pub const REPS: usize = 15;

/// The bound on Python seconds / Rust seconds.
pub const RATIO_LIMIT: f64 = 1.25;

/// The timing of the binding against Rust.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BindingTiming {
    /// Points per call.
    pub points: usize,
    /// Dimension.
    pub dim: usize,
    /// The installed package's version.
    pub hardiff_version: String,
    /// Whether the Python scores equal Rust's bit for bit (both thread settings).
    pub identical: bool,
    /// Rust's best wall time on one thread, seconds.
    pub rust_seconds_1: f64,
    /// Rust's best wall time on the global pool (all cores), seconds.
    pub rust_seconds_all: f64,
    /// Python's best wall time with `RAYON_NUM_THREADS=1`, seconds.
    pub python_seconds_1: f64,
    /// Python's best wall time on the extension's global pool, seconds.
    pub python_seconds_all: f64,
}

impl BindingTiming {
    /// Python seconds / Rust seconds on all cores.
    pub fn ratio_all(&self) -> f64 {
        self.python_seconds_all / self.rust_seconds_all
    }

    /// Python seconds / Rust seconds on one thread.
    pub fn ratio_1(&self) -> f64 {
        self.python_seconds_1 / self.rust_seconds_1
    }

    /// Adds the timing to the peer's JSON report: `python_vs_rust_score_ratio` (all cores),
    /// `python_vs_rust_score_ratio_1` and the raw numbers under `python_binding`.
    pub fn extend_json(&self, report: &mut serde_json::Value) {
        if let Some(map) = report.as_object_mut() {
            map.insert("python_vs_rust_score_ratio".into(), self.ratio_all().into());
            map.insert("python_vs_rust_score_ratio_1".into(), self.ratio_1().into());
            map.insert(
                "python_binding".into(),
                serde_json::to_value(self).unwrap_or_default(),
            );
        }
    }

    /// One line for the text report.
    pub fn print_text(&self) {
        println!(
            "Python binding (hardiff {}), pancake score of {} points in d = {}: Python/Rust \
             time ratio {:.3} on all cores ({:.2} ms / {:.2} ms) and {:.3} on one thread \
             ({:.2} ms / {:.2} ms); limit {RATIO_LIMIT}; scores identical: {}",
            self.hardiff_version,
            self.points,
            self.dim,
            self.ratio_all(),
            1e3 * self.python_seconds_all,
            1e3 * self.rust_seconds_all,
            self.ratio_1(),
            1e3 * self.python_seconds_1,
            1e3 * self.rust_seconds_1,
            self.identical
        );
    }
}

/// Either a timing or the reason it could not be taken.
#[derive(Debug, Clone, PartialEq)]
pub enum BindingOutcome {
    /// The interpreter cannot import hardiff (or NumPy); the reason.
    Skipped(String),
    /// The timing.
    Timed(BindingTiming),
}

#[derive(Deserialize)]
struct PythonTimes {
    seconds: f64,
    hardiff_version: String,
}

/// Times the binding against Rust on the peer's pancakes (`config`'s dim, γ, σ, t, seed) with
/// [`POINTS`] points. Errors: the script is missing or fails for a reason other than a missing
/// package, a lower crate fails, or files cannot be written.
pub fn time(root: &Path, python: &OsStr, config: &PeerConfig) -> Result<BindingOutcome> {
    let script = root.join("benches").join("peers").join("binding.py");
    if !script.is_file() {
        return Err(Error::Invalid(format!(
            "the binding timing script {} is missing",
            script.display()
        )));
    }
    let dir = std::env::temp_dir().join(format!("hardiff-peer-binding-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let result = time_in(&dir, &script, python, config);
    // Best effort: a leftover temporary folder is harmless.
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn write_raw(path: &Path, x: &Array2<f64>) -> Result<()> {
    let bytes: Vec<u8> = x.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(path, bytes).map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

fn read_raw(path: &Path, rows: usize, cols: usize) -> Result<Array2<f64>> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let values: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("chunks of 8 bytes")))
        .collect();
    Array2::from_shape_vec((rows, cols), values).map_err(|e| {
        Error::Invalid(format!(
            "{}: expected {rows} × {cols} float64 values: {e}",
            path.display()
        ))
    })
}

fn time_in(
    dir: &Path,
    script: &Path,
    python: &OsStr,
    config: &PeerConfig,
) -> Result<BindingOutcome> {
    let law =
        GaussianPancakes::with_random_secret(config.dim, config.gamma, config.sigma, config.seed)?;
    let x = law.at_time(config.t)?.sample_batch(
        &mut rng::stream(config.seed, "peer/binding-points", &[]),
        POINTS,
    );
    let input = dir.join("points.f64");
    write_raw(&input, &x)?;

    // Rust: the call the binding makes (`score_owned`, output allocated per call).
    let time_rust = || -> Result<(f64, Array2<f64>)> {
        let mut s = law.score_owned(config.t, x.view())?;
        let mut best = f64::INFINITY;
        for _ in 0..REPS {
            let start = Instant::now();
            s = law.score_owned(config.t, x.view())?;
            best = best.min(start.elapsed().as_secs_f64());
        }
        Ok((best, s))
    };
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| Error::Invalid(format!("building a one-thread pool: {e}")))?;
    let (rust_1, s1) = one.install(time_rust)?;
    let (rust_all, s_all) = time_rust()?;

    // Python, once per thread setting.
    let run_python = |threads: Option<&str>, tag: &str| -> Result<Option<(f64, String)>> {
        let output = dir.join(format!("scores-{tag}.f64"));
        let cfg = serde_json::json!({
            "input": input, "output": output, "points": POINTS, "dim": config.dim,
            "gamma": config.gamma, "sigma": config.sigma, "t": config.t,
            "secret": law.secret().to_vec(), "reps": REPS,
        });
        let cfg_path = dir.join(format!("binding-{tag}.json"));
        hardiff_bench::io::write_json(&cfg_path, &cfg)?;
        let mut cmd = Command::new(python);
        cmd.arg(script).arg(&cfg_path);
        if let Some(n) = threads {
            cmd.env("RAYON_NUM_THREADS", n);
        }
        let run = cmd
            .output()
            .map_err(|e| Error::io(format!("running {}", script.display()), e))?;
        if run.status.code() == Some(3) {
            return Ok(None);
        }
        if !run.status.success() {
            return Err(Error::Invalid(format!(
                "{} failed ({}): {}",
                script.display(),
                run.status,
                String::from_utf8_lossy(&run.stderr).trim()
            )));
        }
        let times: PythonTimes = serde_json::from_slice(&run.stdout)
            .map_err(|e| Error::json("the binding script's output", e))?;
        let theirs = read_raw(&output, POINTS, config.dim)?;
        let same = if threads.is_some() {
            theirs == s1
        } else {
            theirs == s_all
        };
        Ok(Some((
            if same { times.seconds } else { f64::NAN },
            times.hardiff_version,
        )))
    };
    let Some((py_1, version)) = run_python(Some("1"), "1")? else {
        return Ok(BindingOutcome::Skipped(format!(
            "{} cannot import hardiff (install it with `pip install .`)",
            python.to_string_lossy()
        )));
    };
    let Some((py_all, _)) = run_python(None, "all")? else {
        return Ok(BindingOutcome::Skipped("hardiff import failed".into()));
    };
    let identical = py_1.is_finite() && py_all.is_finite() && s1 == s_all;
    Ok(BindingOutcome::Timed(BindingTiming {
        points: POINTS,
        dim: config.dim,
        hardiff_version: version,
        identical,
        rust_seconds_1: rust_1,
        rust_seconds_all: rust_all,
        python_seconds_1: py_1,
        python_seconds_all: py_all,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_round_trip_is_bit_exact() {
        let dir = std::env::temp_dir().join(format!("hardiff-binding-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let x = ndarray::arr2(&[[0.1, -2.5e-300], [f64::MAX, 1.0 / 3.0]]);
        let p = dir.join("x.f64");
        write_raw(&p, &x).unwrap();
        assert_eq!(read_raw(&p, 2, 2).unwrap(), x);
        assert!(read_raw(&p, 3, 2).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn json_carries_the_ratio_keys() {
        let t = BindingTiming {
            points: 10,
            dim: 2,
            hardiff_version: "0".into(),
            identical: true,
            rust_seconds_1: 2.0,
            rust_seconds_all: 1.0,
            python_seconds_1: 2.5,
            python_seconds_all: 1.1,
        };
        let mut j = serde_json::json!({"agrees": true});
        t.extend_json(&mut j);
        assert_eq!(j["python_vs_rust_score_ratio_1"], 1.25);
        assert!((j["python_vs_rust_score_ratio"].as_f64().unwrap() - 1.1).abs() < 1e-12);
        assert_eq!(j["python_binding"]["points"], 10);
        assert_eq!(j["agrees"], true);
    }
}
