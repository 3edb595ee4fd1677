//! hardiff from Python: the native module `hardiff._native` (PyO3 + rust-numpy), built by
//! maturin from the repository's `pyproject.toml`; the pure-Python layer (`hardiff.time`,
//! `hardiff.evaluate`, the stubs) lives in `python/hardiff/`.
//!
//! Why a crate of its own: the laws, scores and exact posteriors of hardiff-dist, hardiff-sde
//! and hardiff-reduce become NumPy-in, NumPy-out objects that a posterior-sampler author can
//! call from Python. Conventions are hardiff's (docs/math.md §0): arrays are float64
//! `(n, dim)`, time is the OU time t, every random call takes a `seed` from which one
//! `hardiff_dist::rng::stream` is derived (the same label as the CLI's command, so the same
//! seed gives the same numbers as `hardiff … sample --seed`). Inputs are read without copying
//! when they already are float64 arrays; results are handed to NumPy without copying; the GIL
//! is released around every kernel.
//!
//! Errors become Python exceptions carrying the Rust message: `ValueError` for bad parameters
//! and shapes, `hardiff.BudgetExceeded` (a `RuntimeError`) for work limits (brute-force sizes,
//! a rejection budget), `OSError` for files. No input crashes the interpreter.
//!
//! Architecture invariant: a top-layer binding like the CLI — no mathematics of its own (every
//! number comes from a library crate), the only file access is `Measurement`'s JSON.

mod challenge;

use std::sync::Arc;

use hardiff_dist::ndarray::{Array1, Array2, Array3, Axis};
use hardiff_dist::owf_dist::{OwfDistribution as Owf, OwfParams};
use hardiff_dist::{
    ou_time, rng, CallCounter, Dimension, GaussianPancakes, LogDensity, SampleBatch, Score,
};
use hardiff_owf::{Bits, Candidate, OneWayFunction};
use hardiff_sde::LinearMeasurement;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray2};
use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

create_exception!(
    hardiff,
    BudgetExceeded,
    PyRuntimeError,
    "A work limit was reached: a brute-force size above its limit, an exhausted rejection \
     budget, or an oracle's max_calls."
);

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// hardiff-dist errors: `TooLarge` (a brute-force work limit) is a budget, the rest bad input.
fn dist_err(e: hardiff_dist::Error) -> PyErr {
    match e {
        hardiff_dist::Error::TooLarge { .. } => BudgetExceeded::new_err(e.to_string()),
        hardiff_dist::Error::Owf(inner) => owf_err(inner),
        _ => PyValueError::new_err(e.to_string()),
    }
}

fn owf_err(e: hardiff_owf::Error) -> PyErr {
    match e {
        hardiff_owf::Error::TooLarge { .. } => BudgetExceeded::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

fn sde_err(e: hardiff_sde::Error) -> PyErr {
    match e {
        hardiff_sde::Error::BudgetExhausted { .. } => BudgetExceeded::new_err(e.to_string()),
        hardiff_sde::Error::Dist(inner) => dist_err(inner),
        _ => PyValueError::new_err(e.to_string()),
    }
}

fn reduce_err(e: hardiff_reduce::Error) -> PyErr {
    match e {
        hardiff_reduce::Error::Dist(inner) => dist_err(inner),
        hardiff_reduce::Error::Owf(inner) => owf_err(inner),
        hardiff_reduce::Error::Sde(inner) => sde_err(inner),
        _ => PyValueError::new_err(e.to_string()),
    }
}

fn value_err(msg: impl Into<String>) -> PyErr {
    PyValueError::new_err(msg.into())
}

// ---------------------------------------------------------------------------------------------
// Arrays in
// ---------------------------------------------------------------------------------------------

/// `x` as a float64 NumPy array of `ndim` dimensions: the array itself (no copy) when it
/// already is one, else `numpy.asarray(x, dtype=float64)`.
fn as_f64_array<'py>(
    x: &Bound<'py, PyAny>,
    ndim: usize,
    what: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let arr = if x.cast::<PyArray2<f64>>().is_ok() || x.cast::<PyArray1<f64>>().is_ok() {
        x.clone()
    } else {
        let np = x.py().import("numpy")?;
        np.call_method1("asarray", (x, "float64"))
            .map_err(|e| value_err(format!("{what} must be a float64 array-like: {e}")))?
    };
    let got: usize = arr.getattr("ndim")?.extract()?;
    if got != ndim {
        let shape = arr.getattr("shape")?.str()?.to_string();
        return Err(value_err(format!(
            "{what} must be a {ndim}-D array, got shape {shape}"
        )));
    }
    Ok(arr)
}

/// Points `(n, dim)`: float64, 2-D, `dim` columns (when given), all finite.
fn points<'py>(
    x: &Bound<'py, PyAny>,
    dim: Option<usize>,
    what: &str,
) -> PyResult<PyReadonlyArray2<'py, f64>> {
    let arr = as_f64_array(x, 2, what)?;
    let arr = arr
        .cast_into::<PyArray2<f64>>()
        .map_err(|e| value_err(format!("{what}: {e}")))?;
    let ro = arr
        .try_readonly()
        .map_err(|e| value_err(format!("{what}: {e}")))?;
    {
        let v = ro.as_array();
        if let Some(d) = dim {
            if v.ncols() != d {
                return Err(value_err(format!(
                    "{what} must have shape (n, {d}), got ({}, {})",
                    v.nrows(),
                    v.ncols()
                )));
            }
        }
        if !all_finite(x.py(), v) {
            let bad = v
                .iter()
                .find(|e| !e.is_finite())
                .copied()
                .unwrap_or(f64::NAN);
            return Err(value_err(format!("{what} must be finite, found {bad}")));
        }
    }
    Ok(ro)
}

/// Whether every entry of `v` is finite. The check reads every input value, so it is written
/// to run at memory speed: on a contiguous array, fixed chunks in parallel on rayon's pool
/// with the GIL released, each folded without early exit (which lets the compiler vectorise
/// it). An element-wise `ndarray` iterator with early exit cost as much as the pancake score
/// itself (perf, 100 000 × 16 points), which put the binding at 2× the Rust call.
fn all_finite(py: Python<'_>, v: hardiff_dist::ndarray::ArrayView2<'_, f64>) -> bool {
    match v.as_slice_memory_order() {
        Some(s) => py.detach(|| {
            s.par_chunks(FINITE_CHUNK)
                .all(|c| c.iter().fold(true, |ok, e| ok & e.is_finite()))
        }),
        None => v.iter().all(|e| e.is_finite()),
    }
}

/// Entries per parallel chunk of the finiteness check (large enough that scheduling is
/// negligible, small enough to split 10⁵-point inputs over the cores).
const FINITE_CHUNK: usize = 1 << 16;

/// A finite float64 vector (1-D array-like).
fn vector(x: &Bound<'_, PyAny>, what: &str) -> PyResult<Array1<f64>> {
    let arr = as_f64_array(x, 1, what)?;
    let arr = arr
        .cast_into::<PyArray1<f64>>()
        .map_err(|e| value_err(format!("{what}: {e}")))?;
    let ro = arr
        .try_readonly()
        .map_err(|e| value_err(format!("{what}: {e}")))?;
    let v = ro.as_array().to_owned();
    if let Some(bad) = v.iter().find(|e| !e.is_finite()) {
        return Err(value_err(format!("{what} must be finite, found {bad}")));
    }
    Ok(v)
}

/// A finite float64 matrix (2-D array-like), copied.
fn matrix(x: &Bound<'_, PyAny>, what: &str) -> PyResult<Array2<f64>> {
    Ok(points(x, None, what)?.as_array().to_owned())
}

/// A finite float64 3-D array (e.g. a stack of covariances), copied.
fn stack(x: &Bound<'_, PyAny>, what: &str) -> PyResult<Array3<f64>> {
    let arr = as_f64_array(x, 3, what)?;
    let arr = arr
        .cast_into::<PyArray3<f64>>()
        .map_err(|e| value_err(format!("{what}: {e}")))?;
    let ro = arr
        .try_readonly()
        .map_err(|e| value_err(format!("{what}: {e}")))?;
    let v = ro.as_array().to_owned();
    if let Some(bad) = v.iter().find(|e| !e.is_finite()) {
        return Err(value_err(format!("{what} must be finite, found {bad}")));
    }
    Ok(v)
}

/// A count (number of samples, dimension, bits): a non-negative integer, as a `ValueError`
/// rather than an `OverflowError` when negative.
fn count(name: &str, v: i64) -> PyResult<usize> {
    usize::try_from(v).map_err(|_| value_err(format!("{name} must be ≥ 0, got {v}")))
}

/// An OU time t: finite and ≥ 0 (docs/math.md §0).
fn time(t: f64) -> PyResult<f64> {
    ou_time::validate(t).map_err(dist_err)
}

// ---------------------------------------------------------------------------------------------
// Shared kernels
// ---------------------------------------------------------------------------------------------

fn score_of<'py, S: Score + Sync + ?Sized>(
    py: Python<'py>,
    law: &S,
    x: &Bound<'py, PyAny>,
    t: f64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let t = time(t)?;
    let x = points(x, Some(law.dim()), "x")?;
    let v = x.as_array();
    let out = py.detach(|| law.score_owned(t, v)).map_err(dist_err)?;
    Ok(out.into_pyarray(py))
}

/// Tweedie's denoiser D_t(x) = e^t (x + v_t s_t(x)) (docs/math.md §0).
fn denoise_of<'py, S: Score + Sync + ?Sized>(
    py: Python<'py>,
    law: &S,
    x: &Bound<'py, PyAny>,
    t: f64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let t = time(t)?;
    let x = points(x, Some(law.dim()), "x")?;
    let v = x.as_array();
    let out = py
        .detach(|| {
            let s = law.score_owned(t, v)?;
            ou_time::denoise(t, v, s.view())
        })
        .map_err(dist_err)?;
    Ok(out.into_pyarray(py))
}

/// `n` exact draws of `law` from the stream `(seed, label)`, with the GIL released.
fn sample_batch_of<'py, L: SampleBatch + ?Sized>(
    py: Python<'py>,
    law: &L,
    n: usize,
    seed: u64,
    label: &str,
) -> Bound<'py, PyArray2<f64>> {
    let out = py.detach(|| {
        let mut stream = rng::stream(seed, label, &[]);
        law.sample_batch(&mut stream, n)
    });
    out.into_pyarray(py)
}

fn log_density_of<'py, L: LogDensity + Sync + ?Sized>(
    py: Python<'py>,
    law: &L,
    x: &Bound<'py, PyAny>,
    t: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let t = time(t)?;
    let x = points(x, Some(law.dim()), "x")?;
    let v = x.as_array();
    let out = py
        .detach(|| law.log_density_owned(t, v))
        .map_err(dist_err)?;
    Ok(out.into_pyarray(py))
}

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

/// The JSON form of a measurement: `{"a": [[..], ..], "y": [..], "noise_std": η}`.
#[derive(Serialize, Deserialize)]
struct MeasurementFile {
    a: Vec<Vec<f64>>,
    y: Vec<f64>,
    noise_std: f64,
}

/// A linear Gaussian measurement y = A x + η ξ, ξ ~ N(0, I_m) (docs/math.md §6), together with
/// its observed value y.
#[pyclass(module = "hardiff._native", name = "Measurement", frozen)]
#[derive(Clone)]
struct Measurement {
    inner: LinearMeasurement,
    y: Array1<f64>,
}

impl Measurement {
    fn build(a: Array2<f64>, y: Array1<f64>, noise_std: f64) -> PyResult<Self> {
        let inner = LinearMeasurement::new(a, noise_std).map_err(sde_err)?;
        inner.check_y(&y.view()).map_err(sde_err)?;
        Ok(Self { inner, y })
    }
}

#[pymethods]
impl Measurement {
    /// Measurement(a, y, noise_std): A of shape (m, d), y of length m, noise std η > 0.
    #[new]
    fn new(a: &Bound<'_, PyAny>, y: &Bound<'_, PyAny>, noise_std: f64) -> PyResult<Self> {
        Self::build(matrix(a, "a")?, vector(y, "y")?, noise_std)
    }

    /// The matrix A, shape (m, d).
    #[getter]
    fn a<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        self.inner.matrix().to_owned().into_pyarray(py)
    }

    /// The observed y, length m.
    #[getter]
    fn y<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.y.clone().into_pyarray(py)
    }

    /// The noise standard deviation η.
    #[getter]
    fn noise_std(&self) -> f64 {
        self.inner.noise_std()
    }

    /// The dimension d of the points.
    #[getter]
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    /// The number m of measured values.
    #[getter]
    fn m(&self) -> usize {
        self.inner.measurement_count()
    }

    /// A x_b for every row: x Aᵀ, shape (n, m).
    fn forward<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let x = points(x, Some(self.inner.dim()), "x")?;
        let v = x.as_array();
        let a = self.inner.matrix();
        let out = py.detach(|| v.dot(&a.t()));
        Ok(out.into_pyarray(py))
    }

    /// log p(y | x_b) = log N(y; A x_b, η² I) for every row, shape (n,).
    fn log_likelihood<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = points(x, Some(self.inner.dim()), "x")?;
        let v = x.as_array();
        let mut out = Array1::zeros(v.nrows());
        if v.nrows() > 0 {
            py.detach(|| self.inner.log_likelihood(v, self.y.view(), out.view_mut()))
                .map_err(sde_err)?;
        }
        Ok(out.into_pyarray(py))
    }

    /// Writes the measurement as JSON `{"a": [[..]], "y": [..], "noise_std": η}`.
    fn to_json(&self, path: std::path::PathBuf) -> PyResult<()> {
        let file = MeasurementFile {
            a: self
                .inner
                .matrix()
                .rows()
                .into_iter()
                .map(|r| r.to_vec())
                .collect(),
            y: self.y.to_vec(),
            noise_std: self.inner.noise_std(),
        };
        let text = serde_json::to_string_pretty(&file)
            .map_err(|e| value_err(format!("cannot encode the measurement: {e}")))?;
        std::fs::write(&path, text)
            .map_err(|e| PyOSError::new_err(format!("{}: {e}", path.display())))
    }

    /// Reads a measurement written by `to_json`.
    #[staticmethod]
    fn from_json(path: std::path::PathBuf) -> PyResult<Self> {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| PyOSError::new_err(format!("{}: {e}", path.display())))?;
        let file: MeasurementFile = serde_json::from_str(&text)
            .map_err(|e| value_err(format!("{}: not a measurement: {e}", path.display())))?;
        let m = file.a.len();
        let d = file.a.first().map_or(0, Vec::len);
        if file.a.iter().any(|r| r.len() != d) {
            return Err(value_err(format!(
                "{}: the rows of a have different lengths",
                path.display()
            )));
        }
        let a = Array2::from_shape_vec((m, d), file.a.concat())
            .map_err(|e| value_err(e.to_string()))?;
        Self::build(a, Array1::from(file.y), file.noise_std)
    }

    fn __repr__(&self) -> String {
        format!(
            "Measurement(m={}, dim={}, noise_std={})",
            self.inner.measurement_count(),
            self.inner.dim(),
            self.inner.noise_std()
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Gaussian pancakes
// ---------------------------------------------------------------------------------------------

/// Gaussian pancakes (docs/math.md §2): standard normal orthogonal to a secret unit direction u,
/// a smoothed discrete Gaussian of spacing γ and width σ along it.
#[pyclass(module = "hardiff._native", name = "Pancakes", frozen)]
struct Pancakes {
    law: GaussianPancakes,
}

#[pymethods]
impl Pancakes {
    /// Pancakes(dim, gamma, sigma, *, secret=None, seed=0): the secret is a unit vector of
    /// length dim, or drawn from `seed` (as `hardiff pancakes sample --seed`).
    #[new]
    #[pyo3(signature = (dim, gamma, sigma, *, secret=None, seed=0))]
    fn new(
        dim: i64,
        gamma: f64,
        sigma: f64,
        secret: Option<&Bound<'_, PyAny>>,
        seed: u64,
    ) -> PyResult<Self> {
        let dim = count("dim", dim)?;
        let law = match secret {
            Some(u) => GaussianPancakes::new(dim, gamma, sigma, vector(u, "secret")?),
            None => GaussianPancakes::with_random_secret(dim, gamma, sigma, seed),
        }
        .map_err(dist_err)?;
        Ok(Self { law })
    }

    /// The secret unit direction u.
    #[getter]
    fn secret<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.law.secret().to_owned().into_pyarray(py)
    }

    /// The dimension d.
    #[getter]
    fn dim(&self) -> usize {
        self.law.dim()
    }

    /// γ, the pancake spacing parameter.
    #[getter]
    fn gamma(&self) -> f64 {
        self.law.gamma()
    }

    /// σ, the pancake width parameter.
    #[getter]
    fn sigma(&self) -> f64 {
        self.law.sigma()
    }

    /// n exact samples of the law at OU time t, shape (n, dim) (the CLI's stream for `seed`).
    #[pyo3(signature = (n, *, t=0.0, seed))]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        n: i64,
        t: f64,
        seed: u64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let n = count("n", n)?;
        let law = self.law.at_time(time(t)?).map_err(dist_err)?;
        let mut out = Array2::zeros((n, law.dim()));
        py.detach(|| {
            let mut stream = rng::stream(seed, "cli/pancakes/sample", &[]);
            law.sample_rows_into(&mut stream, out.view_mut())
        })
        .map_err(dist_err)?;
        Ok(out.into_pyarray(py))
    }

    /// log p_t(x_b) for every row, shape (n,).
    fn log_density<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        t: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        log_density_of(py, &self.law, x, t)
    }

    /// The exact score s_t(x_b) = ∇ log p_t(x_b), shape (n, dim).
    fn score<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        t: f64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        score_of(py, &self.law, x, t)
    }

    /// Tweedie's denoiser E[X_0 | X_t = x] = e^t (x + v_t s_t(x)), shape (n, dim).
    fn denoise<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        t: f64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        denoise_of(py, &self.law, x, t)
    }

    /// The total-variation distance to N(0, I_d) (docs/math.md §2).
    fn tv(&self) -> f64 {
        self.law.tv_to_standard_gaussian()
    }

    fn __repr__(&self) -> String {
        format!(
            "Pancakes(dim={}, gamma={}, sigma={})",
            self.law.dim(),
            self.law.gamma(),
            self.law.sigma()
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Gaussians and mixtures
// ---------------------------------------------------------------------------------------------

/// The measurement of a `Measurement` against a law of dimension `dim`.
fn check_meas(meas: &Measurement, dim: usize) -> PyResult<()> {
    if meas.inner.dim() != dim {
        return Err(value_err(format!(
            "the measurement is for dimension {}, the law has dimension {dim}",
            meas.inner.dim()
        )));
    }
    Ok(())
}

/// A Gaussian N(μ, Σ) with exact scores and posteriors (docs/math.md §7).
#[pyclass(module = "hardiff._native", name = "Gaussian", frozen)]
struct Gaussian {
    law: hardiff_dist::Gaussian,
}

#[pymethods]
impl Gaussian {
    /// Gaussian(mean, cov): mean of length d, cov a symmetric positive-definite d×d matrix.
    #[new]
    fn new(mean: &Bound<'_, PyAny>, cov: &Bound<'_, PyAny>) -> PyResult<Self> {
        let law = hardiff_dist::Gaussian::new(vector(mean, "mean")?, matrix(cov, "cov")?)
            .map_err(dist_err)?;
        Ok(Self { law })
    }

    /// The dimension d.
    #[getter]
    fn dim(&self) -> usize {
        self.law.dim()
    }

    /// The mean μ.
    #[getter]
    fn mean<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.law.mean().to_owned().into_pyarray(py)
    }

    /// The covariance Σ.
    #[getter]
    fn cov<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        self.law.cov().to_owned().into_pyarray(py)
    }

    /// n exact samples of the law at OU time t, shape (n, dim).
    #[pyo3(signature = (n, *, t=0.0, seed))]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        n: i64,
        t: f64,
        seed: u64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let law = self.law.at_time(time(t)?).map_err(dist_err)?;
        Ok(sample_batch_of(
            py,
            &law,
            count("n", n)?,
            seed,
            "py/gaussian/sample",
        ))
    }

    /// log p_t(x_b) for every row, shape (n,).
    fn log_density<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        t: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        log_density_of(py, &self.law, x, t)
    }

    /// The exact score s_t(x_b), shape (n, dim).
    fn score<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        t: f64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        score_of(py, &self.law, x, t)
    }

    /// Tweedie's denoiser E[X_0 | X_t = x], shape (n, dim).
    fn denoise<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        t: f64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        denoise_of(py, &self.law, x, t)
    }

    /// The exact posterior given the measurement (a Gaussian, docs/math.md §7).
    fn posterior(&self, meas: &Measurement) -> PyResult<Self> {
        check_meas(meas, self.law.dim())?;
        let law = self
            .law
            .posterior(meas.inner.matrix(), meas.inner.noise_std(), meas.y.view())
            .map_err(dist_err)?;
        Ok(Self { law })
    }

    /// log p_Y(y), the evidence of the measurement under this prior.
    fn log_evidence(&self, meas: &Measurement) -> PyResult<f64> {
        check_meas(meas, self.law.dim())?;
        self.law
            .log_evidence(meas.inner.matrix(), meas.inner.noise_std(), meas.y.view())
            .map_err(dist_err)
    }

    fn __repr__(&self) -> String {
        format!("Gaussian(dim={})", self.law.dim())
    }
}

/// A Gaussian mixture Σ_k w_k N(μ_k, Σ_k) with exact scores and posteriors (docs/math.md §7).
#[pyclass(module = "hardiff._native", name = "GaussianMixture", frozen)]
struct GaussianMixture {
    law: hardiff_dist::GaussianMixture,
}

#[pymethods]
impl GaussianMixture {
    /// GaussianMixture(weights, means, covs): weights (K,) positive summing to 1, means (K, d),
    /// covs (K, d, d).
    #[new]
    fn new(
        weights: &Bound<'_, PyAny>,
        means: &Bound<'_, PyAny>,
        covs: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let weights = vector(weights, "weights")?;
        let means = matrix(means, "means")?;
        let covs = stack(covs, "covs")?;
        let k = weights.len();
        if means.nrows() != k || covs.len_of(Axis(0)) != k {
            return Err(value_err(format!(
                "weights, means and covs must have the same number of components, got {k}, {} \
                 and {}",
                means.nrows(),
                covs.len_of(Axis(0))
            )));
        }
        let components = means
            .rows()
            .into_iter()
            .zip(covs.outer_iter())
            .map(|(m, c)| hardiff_dist::Gaussian::new(m.to_owned(), c.to_owned()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(dist_err)?;
        let law =
            hardiff_dist::GaussianMixture::new(weights.to_vec(), components).map_err(dist_err)?;
        Ok(Self { law })
    }

    /// The dimension d.
    #[getter]
    fn dim(&self) -> usize {
        self.law.dim()
    }

    /// The weights w, shape (K,).
    #[getter]
    fn weights<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.law.weights().to_owned().into_pyarray(py)
    }

    /// The component means, shape (K, d).
    #[getter]
    fn means<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        let (k, d) = (self.law.components().len(), self.law.dim());
        let mut out = Array2::zeros((k, d));
        for (mut row, c) in out.rows_mut().into_iter().zip(self.law.components()) {
            row.assign(&c.mean());
        }
        out.into_pyarray(py)
    }

    /// The component covariances, shape (K, d, d).
    #[getter]
    fn covs<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray3<f64>> {
        let (k, d) = (self.law.components().len(), self.law.dim());
        let mut out = Array3::zeros((k, d, d));
        for (mut m, c) in out.outer_iter_mut().zip(self.law.components()) {
            m.assign(&c.cov());
        }
        out.into_pyarray(py)
    }

    /// The mixture mean Σ_k w_k μ_k.
    #[getter]
    fn mean<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.law.mean().into_pyarray(py)
    }

    /// The mixture covariance.
    #[getter]
    fn cov<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        self.law.cov().into_pyarray(py)
    }

    /// n exact samples of the law at OU time t, shape (n, dim).
    #[pyo3(signature = (n, *, t=0.0, seed))]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        n: i64,
        t: f64,
        seed: u64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let law = self.law.at_time(time(t)?).map_err(dist_err)?;
        Ok(sample_batch_of(
            py,
            &law,
            count("n", n)?,
            seed,
            "py/gaussian-mixture/sample",
        ))
    }

    /// log p_t(x_b) for every row, shape (n,).
    fn log_density<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        t: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        log_density_of(py, &self.law, x, t)
    }

    /// The exact score s_t(x_b), shape (n, dim).
    fn score<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        t: f64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        score_of(py, &self.law, x, t)
    }

    /// Tweedie's denoiser E[X_0 | X_t = x], shape (n, dim).
    fn denoise<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        t: f64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        denoise_of(py, &self.law, x, t)
    }

    /// The posterior component probabilities π_k(x_b) ∝ w_k N_k,t(x_b) at OU time t, shape
    /// (n, K).
    #[pyo3(signature = (x, t=0.0))]
    fn responsibilities<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        t: f64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let t = time(t)?;
        let x = points(x, Some(self.law.dim()), "x")?;
        let v = x.as_array();
        let mut out = Array2::zeros((v.nrows(), self.law.components().len()));
        py.detach(|| self.law.responsibilities(t, v, out.view_mut()))
            .map_err(dist_err)?;
        Ok(out.into_pyarray(py))
    }

    /// The exact posterior given the measurement (a mixture, docs/math.md §7).
    fn posterior(&self, meas: &Measurement) -> PyResult<Self> {
        check_meas(meas, self.law.dim())?;
        let law = self
            .law
            .posterior(meas.inner.matrix(), meas.inner.noise_std(), meas.y.view())
            .map_err(dist_err)?;
        Ok(Self { law })
    }

    /// log p_Y(y), the evidence of the measurement under this prior.
    fn log_evidence(&self, meas: &Measurement) -> PyResult<f64> {
        check_meas(meas, self.law.dim())?;
        self.law
            .log_evidence(meas.inner.matrix(), meas.inner.noise_std(), meas.y.view())
            .map_err(dist_err)
    }

    fn __repr__(&self) -> String {
        format!(
            "GaussianMixture(components={}, dim={})",
            self.law.components().len(),
            self.law.dim()
        )
    }
}

// ---------------------------------------------------------------------------------------------
// g̃
// ---------------------------------------------------------------------------------------------

/// g̃, the distribution built from a one-way function f (docs/math.md §5): exact samples,
/// brute-force densities and scores, the efficient score, decoding, and the measurement of the
/// posterior-sampling reduction (docs/math.md §6).
#[pyclass(module = "hardiff._native", name = "OwfDistribution", frozen)]
struct OwfDistribution {
    dist: Owf,
    owf: String,
    seed: u64,
    /// Score evaluations (points) requested through `score` and `denoise`.
    calls: CallCounter,
}

impl OwfDistribution {
    /// The measured output bits of a measurement: the signs of y, which must read output
    /// coordinates n, n + 1, … of g̃ (as `measure` builds it).
    fn measured_bits(&self, meas: &Measurement) -> PyResult<Vec<bool>> {
        let (n, d) = (self.dist.input_bits(), self.dist.dim());
        check_meas(meas, d)?;
        let a = meas.inner.matrix();
        for (j, row) in a.rows().into_iter().enumerate() {
            let ok = row
                .iter()
                .enumerate()
                .all(|(i, &v)| v == if i == n + j { 1.0 } else { 0.0 });
            if !ok {
                return Err(value_err(format!(
                    "row {j} of the measurement does not read output coordinate {} of g̃ \
                     (inverts() needs a measurement built by measure())",
                    n + j
                )));
            }
        }
        Ok(meas.y.iter().map(|&v| v > 0.0).collect())
    }
}

#[pymethods]
impl OwfDistribution {
    /// OwfDistribution(owf, input_bits, output_bits, seed, **params): g̃ for the candidate `owf`
    /// (blake3, goldreich, subset-sum, linear, identity) with the default parameter rule of
    /// docs/math.md §5. params: alpha (spacing), envelope (R), epsilon, beta (amplitude),
    /// sigma_c (crossover), eta (measurement noise), brute_force_limit.
    #[new]
    #[pyo3(signature = (owf, input_bits, output_bits, seed, **params))]
    fn new(
        owf: &str,
        input_bits: i64,
        output_bits: i64,
        seed: u64,
        params: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let n = count("input_bits", input_bits)?;
        let m = count("output_bits", output_bits)?;
        let candidate: Candidate = owf.parse().map_err(owf_err)?;
        let f: Arc<dyn OneWayFunction> = candidate.build_arc(n, m, seed).map_err(owf_err)?;
        let (mut alpha, mut envelope, mut epsilon) = (
            OwfParams::DEFAULT_SPACING,
            OwfParams::DEFAULT_ENVELOPE,
            OwfParams::DEFAULT_EPSILON,
        );
        let (mut beta, mut sigma_c, mut eta, mut limit) = (None, None, None, None);
        if let Some(params) = params {
            for (k, v) in params.iter() {
                let key: String = k.extract()?;
                let num = || -> PyResult<f64> {
                    v.extract::<f64>()
                        .map_err(|_| value_err(format!("parameter {key} must be a number")))
                };
                match key.as_str() {
                    "alpha" => alpha = num()?,
                    "envelope" => envelope = num()?,
                    "epsilon" => epsilon = num()?,
                    "beta" => beta = Some(num()?),
                    "sigma_c" => sigma_c = Some(num()?),
                    "eta" => eta = Some(num()?),
                    "brute_force_limit" => {
                        limit = Some(count(
                            "brute_force_limit",
                            v.extract::<i64>()
                                .map_err(|_| value_err("brute_force_limit must be an integer"))?,
                        )?)
                    }
                    other => {
                        return Err(value_err(format!(
                            "unknown g̃ parameter {other:?} (valid: alpha, envelope, epsilon, \
                             beta, sigma_c, eta, brute_force_limit)"
                        )))
                    }
                }
            }
        }
        let mut p = OwfParams::from_rule(n, m, envelope, alpha, epsilon).map_err(dist_err)?;
        if let Some(b) = beta {
            p = p.with_amplitude(b).map_err(dist_err)?;
        }
        if let Some(s) = sigma_c {
            p = p.with_crossover(s).map_err(dist_err)?;
        }
        if let Some(e) = eta {
            p = p.with_noise(e).map_err(dist_err)?;
        }
        let mut dist = Owf::new(f, p).map_err(dist_err)?;
        if let Some(l) = limit {
            dist = dist.with_brute_force_limit(l).map_err(dist_err)?;
        }
        Ok(Self {
            dist,
            owf: candidate.name().to_string(),
            seed,
            calls: CallCounter::new(),
        })
    }

    /// d = n + m.
    #[getter]
    fn dim(&self) -> usize {
        self.dist.dim()
    }

    /// n, the input bits of f.
    #[getter]
    fn input_bits(&self) -> usize {
        self.dist.input_bits()
    }

    /// m, the output bits of f.
    #[getter]
    fn output_bits(&self) -> usize {
        self.dist.output_bits()
    }

    /// α, the lattice spacing.
    #[getter]
    fn alpha(&self) -> f64 {
        self.dist.params().spacing()
    }

    /// β, the amplitude of the f-part.
    #[getter]
    fn beta(&self) -> f64 {
        self.dist.params().amplitude()
    }

    /// η, the default measurement noise (β/4 by the default rule).
    #[getter]
    fn eta(&self) -> f64 {
        self.dist.params().noise()
    }

    /// σ_c, the crossover VE level of the efficient score.
    #[getter]
    fn sigma_c(&self) -> f64 {
        self.dist.params().crossover()
    }

    /// R, the envelope.
    #[getter]
    fn envelope(&self) -> f64 {
        self.dist.params().envelope()
    }

    /// Score evaluations (points) requested through `score` and `denoise` so far.
    #[getter]
    fn calls(&self) -> u64 {
        self.calls.get()
    }

    /// n exact samples of the law at OU time t, shape (n, dim) (the CLI's
    /// `owf-dist sample` stream for `seed`).
    #[pyo3(signature = (n, *, t=0.0, seed))]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        n: i64,
        t: f64,
        seed: u64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let n = count("n", n)?;
        let t = time(t)?;
        let mut out = Array2::zeros((n, self.dist.dim()));
        py.detach(|| {
            let mut stream = rng::stream(seed, "cli/owf-dist/sample", &[]);
            self.dist.sample_rows_at(t, &mut stream, out.view_mut())
        })
        .map_err(dist_err)?;
        Ok(out.into_pyarray(py))
    }

    /// log p_t(x_b) by brute force over the 2^n seeds (t > 0), shape (n,).
    fn log_density<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        t: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        log_density_of(py, &self.dist, x, t)
    }

    /// The efficient score of docs/math.md §5 (one f-evaluation per point), or with
    /// `exact=True` the exact score by brute force over 2^n seeds; shape (n, dim). Counted in
    /// `calls`.
    #[pyo3(signature = (x, t, *, exact=false))]
    fn score<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        t: f64,
        exact: bool,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let rows = x.len().unwrap_or(0) as u64;
        let out = if exact {
            let s = self.dist.brute_force_score().map_err(dist_err)?;
            score_of(py, &s, x, t)?
        } else {
            score_of(py, &self.dist.efficient_score(), x, t)?
        };
        self.calls.add(rows);
        Ok(out)
    }

    /// Tweedie's denoiser from the efficient score, shape (n, dim). Counted in `calls`.
    fn denoise<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        t: f64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let rows = x.len().unwrap_or(0) as u64;
        let out = denoise_of(py, &self.dist.efficient_score(), x, t)?;
        self.calls.add(rows);
        Ok(out)
    }

    /// The input bits ŝ = 1[x > 0] of every row, uint8 of shape (n, input_bits).
    fn decode<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<u8>>> {
        let x = points(x, Some(self.dist.dim()), "x")?;
        let n = self.dist.input_bits();
        let out = x
            .as_array()
            .slice(hardiff_dist::ndarray::s![.., ..n])
            .mapv(|v| u8::from(v > 0.0));
        Ok(out.into_pyarray(py))
    }

    /// A measurement of the first `measured_bits` output coordinates of g̃ at a fresh secret
    /// s* (drawn from `seed`): y = β(2f(s*) − 1) + η ξ with η = `noise_std` or β/4
    /// (docs/math.md §6).
    #[pyo3(signature = (measured_bits, *, noise_std=None, seed))]
    fn measure(
        &self,
        py: Python<'_>,
        measured_bits: i64,
        noise_std: Option<f64>,
        seed: u64,
    ) -> PyResult<Measurement> {
        let bits = count("measured_bits", measured_bits)?;
        let noise = noise_std.unwrap_or(self.dist.params().amplitude() / 4.0);
        let (inner, y) = py
            .detach(|| {
                let mut stream = rng::stream(seed, "py/owf-dist/measure", &[]);
                let (_, seeds) = self.dist.sample_with_seeds(&mut stream, 1);
                let y = self.dist.function().eval(&seeds[0])?;
                hardiff_reduce::inverter::measure_output_bits(
                    &self.dist,
                    &y,
                    bits,
                    noise,
                    &mut stream,
                )
            })
            .map_err(reduce_err)?;
        Ok(Measurement { inner, y })
    }

    /// For every row x_b: whether f(decode(x_b)) agrees with the measured bits (the signs of
    /// y) on the measured output coordinates. One f-evaluation per row.
    fn inverts<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        meas: &Measurement,
    ) -> PyResult<Bound<'py, PyArray1<bool>>> {
        let want = self.measured_bits(meas)?;
        let x = points(x, Some(self.dist.dim()), "x")?;
        let v = x.as_array();
        let n = self.dist.input_bits();
        let out = py
            .detach(|| -> Result<Vec<bool>, hardiff_owf::Error> {
                v.rows()
                    .into_iter()
                    .map(|r| {
                        let s: Vec<bool> = r.iter().take(n).map(|&e| e > 0.0).collect();
                        let y = self.dist.function().eval(&Bits::from_bools(&s))?;
                        Ok(want.iter().enumerate().all(|(j, &b)| y.bit(j) == b))
                    })
                    .collect()
            })
            .map_err(owf_err)?;
        Ok(Array1::from(out).into_pyarray(py))
    }

    /// n exact posterior samples given `meas` by rejection from the prior (docs/math.md §6),
    /// refusing (BudgetExceeded) after `max_draws` prior draws; expected draws ≈ n·2^{m'}.
    #[pyo3(signature = (meas, n, *, seed, max_draws=10_000_000))]
    fn posterior_samples<'py>(
        &self,
        py: Python<'py>,
        meas: &Measurement,
        n: i64,
        seed: u64,
        max_draws: u64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let n = count("n", n)?;
        check_meas(meas, self.dist.dim())?;
        if n == 0 {
            return Ok(Array2::<f64>::zeros((0, self.dist.dim())).into_pyarray(py));
        }
        let out = py
            .detach(|| {
                let mut stream = rng::stream(seed, "py/owf-dist/posterior", &[]);
                hardiff_sde::posterior::rejection(
                    &self.dist,
                    &meas.inner,
                    meas.y.view(),
                    n,
                    max_draws,
                    &mut stream,
                )
            })
            .map_err(sde_err)?;
        Ok(out.samples.into_pyarray(py))
    }

    fn __repr__(&self) -> String {
        format!(
            "OwfDistribution({:?}, input_bits={}, output_bits={}, seed={})",
            self.owf,
            self.dist.input_bits(),
            self.dist.output_bits(),
            self.seed
        )
    }
}

// ---------------------------------------------------------------------------------------------
// The MCGdiff benchmark
// ---------------------------------------------------------------------------------------------

/// mcgdiff_gmm(dim, measurements, *, seed) -> (GaussianMixture, Measurement): the
/// Gaussian-mixture benchmark of MCGdiff (Cardoso et al., ICLR 2024) as its authors define it —
/// 25 unit-covariance components on the grid {−16, −8, 0, 8, 16}² tiled to dimension `dim`
/// (even), weights ξ²/Σξ² with ξ ~ N(0, 1), A = U diag(s) V_mᵀ with Haar singular vectors and
/// sorted U(0, 1) singular values s, noise std u·max(s) with u ~ U(0, 1), and y = A x* + noise
/// for a prior draw x* (hardiff_dist::mcgdiff). The same seed gives the same instance.
#[pyfunction]
#[pyo3(signature = (dim, measurements, *, seed))]
fn mcgdiff_gmm(
    py: Python<'_>,
    dim: i64,
    measurements: i64,
    seed: u64,
) -> PyResult<(GaussianMixture, Measurement)> {
    let dim = count("dim", dim)?;
    let m = count("measurements", measurements)?;
    let inst = py
        .detach(|| hardiff_dist::McgdiffGmm::new(dim, m, seed))
        .map_err(dist_err)?;
    let (law, a, y, noise_std, _truth) = inst.into_parts();
    Ok((
        GaussianMixture { law },
        Measurement::build(a, y, noise_std)?,
    ))
}

/// The native module `hardiff._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("BudgetExceeded", m.py().get_type::<BudgetExceeded>())?;
    m.add_class::<Measurement>()?;
    m.add_class::<Pancakes>()?;
    m.add_class::<Gaussian>()?;
    m.add_class::<GaussianMixture>()?;
    m.add_class::<OwfDistribution>()?;
    m.add_function(wrap_pyfunction!(mcgdiff_gmm, m)?)?;
    challenge::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
