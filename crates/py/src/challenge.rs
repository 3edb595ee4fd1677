//! The scoring of `hardiff.evaluate` (and of `hardiff challenge score`): the report's metrics
//! computed by `hardiff_bench::challenge::metrics`, so Python and the CLI print the same keys
//! and, for the same samples and seed, the same numbers. Kept in its own module: `evaluate.py`
//! calls [`score_report`] and only measures calls and wall time itself.

use super::{points, value_err, Gaussian, GaussianMixture, Measurement, OwfDistribution};
use hardiff_bench::challenge::metrics::{self, Law, ScoreOptions, Usage};
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;

/// hardiff-bench errors: work limits are `BudgetExceeded`, I/O `OSError`, the rest bad input.
fn bench_err(e: hardiff_bench::Error) -> PyErr {
    match e {
        e @ hardiff_bench::Error::Io { .. } => PyOSError::new_err(e.to_string()),
        hardiff_bench::Error::Sde(inner) => super::sde_err(inner),
        hardiff_bench::Error::Dist(inner) => super::dist_err(inner),
        hardiff_bench::Error::Owf(inner) => super::owf_err(inner),
        e => value_err(e.to_string()),
    }
}

/// score_report(prior, meas, x, *, seed, exact_budget=4000000, calls=None, max_calls=None,
/// wall_s=None) -> str: the JSON report of `hardiff.evaluate` for the samples x (n, dim) of a
/// posterior sampler on `prior` (OwfDistribution, Gaussian or GaussianMixture) given `meas`.
/// Reference draws come from streams derived from `seed` (docs/challenge.md "The report").
#[pyfunction]
#[pyo3(signature = (prior, meas, x, *, seed, exact_budget=metrics::DEFAULT_EXACT_BUDGET, calls=None, max_calls=None, wall_s=None))]
fn score_report(
    py: Python<'_>,
    prior: &Bound<'_, PyAny>,
    meas: &Measurement,
    x: &Bound<'_, PyAny>,
    seed: u64,
    exact_budget: u64,
    calls: Option<u64>,
    max_calls: Option<u64>,
    wall_s: Option<f64>,
) -> PyResult<String> {
    let options = ScoreOptions { seed, exact_budget };
    let usage = Usage {
        calls,
        max_calls,
        wall_s,
    };
    let x = points(x, None, "x")?;
    let v = x.as_array();
    let run = |law: Law<'_>| {
        py.detach(|| metrics::score(law, &meas.inner, meas.y.view(), v, &options, usage))
            .map_err(bench_err)
    };
    let report = if let Ok(g) = prior.cast::<OwfDistribution>() {
        run(Law::Owf(&g.get().dist))?
    } else if let Ok(g) = prior.cast::<Gaussian>() {
        run(Law::Gaussian(&g.get().law))?
    } else if let Ok(g) = prior.cast::<GaussianMixture>() {
        run(Law::Mixture(&g.get().law))?
    } else {
        return Err(value_err(format!(
            "score_report supports OwfDistribution, Gaussian and GaussianMixture priors, got {}",
            prior.get_type().name()?
        )));
    };
    serde_json::to_string(&report).map_err(|e| value_err(format!("encoding the report: {e}")))
}

/// wilson_interval(successes, n, z=1.959963984540054) -> (lo, hi): the Wilson score interval
/// of a binomial proportion (95 % for the default z); (0, 1) for n = 0.
#[pyfunction]
#[pyo3(signature = (successes, n, z=metrics::Z95))]
fn wilson_interval(successes: u64, n: u64, z: f64) -> PyResult<(f64, f64)> {
    if successes > n || !(z.is_finite() && z > 0.0) {
        return Err(value_err(format!(
            "need 0 ≤ successes ≤ n and z > 0, got successes={successes}, n={n}, z={z}"
        )));
    }
    Ok(metrics::wilson_interval(successes, n, z))
}

/// sliced_wasserstein(x, y, *, projections=256, seed=0) -> float: the sliced 2-Wasserstein
/// distance between two sample sets of one dimension (any sizes), directions from `seed`.
#[pyfunction]
#[pyo3(signature = (x, y, *, projections=metrics::PROJECTIONS, seed=0))]
fn sliced_wasserstein(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    projections: usize,
    seed: u64,
) -> PyResult<f64> {
    let (x, y) = (points(x, None, "x")?, points(y, None, "y")?);
    let (a, b) = (x.as_array(), y.as_array());
    py.detach(|| metrics::sliced_wasserstein_with(a, b, projections, seed))
        .map_err(bench_err)
}

/// Adds this module's functions to `hardiff._native`.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(score_report, m)?)?;
    m.add_function(wrap_pyfunction!(wilson_interval, m)?)?;
    m.add_function(wrap_pyfunction!(sliced_wasserstein, m)?)?;
    Ok(())
}
