"""Run a user's posterior sampler on a hardiff instance and score it against exact answers.

``evaluate(sampler, prior, meas, n=..., seed=...)`` calls ``sampler(oracle, meas, n, rng)``,
where ``oracle`` exposes only ``dim``, ``score(x, t)`` and ``denoise(x, t)`` of the prior (OU
time t, docs/math.md §0), counts every point it is asked about, and refuses calls beyond
``max_calls`` with ``hardiff.BudgetExceeded``. The sampler returns an ``(n, dim)`` array.

* On g̃ (``OwfDistribution``): the success rate (rows that invert f on the measured bits) with a
  95 % Wilson interval, beside three baselines: a random guess (2^{-m'}), unconditional prior
  samples, and the exact posterior (min(n, 100) rejection samples, when their expected cost
  of about 2^{1.5 m'} prior draws each — docs/math.md §6 — is within ``exact_budget``).
* On ``Gaussian`` / ``GaussianMixture``: sliced Wasserstein distance to exact posterior samples
  together with its noise floor (the same distance between two exact sample sets of size n),
  the posterior component-weight TV (mixtures), and the mean and covariance errors.

Calls (points the oracle was asked about) and wall time of the sampler are reported in both.
"""

from __future__ import annotations

import math
import time as _time
from typing import Any, Callable, Dict, Optional, Tuple

import numpy as np

from ._native import BudgetExceeded, Gaussian, GaussianMixture, Measurement, OwfDistribution

__all__ = ["Oracle", "Report", "evaluate", "wilson_interval", "sliced_wasserstein"]

Sampler = Callable[["Oracle", Measurement, int, np.random.Generator], Any]


class Oracle:
    """The prior as a sampler sees it: ``dim``, ``score(x, t)``, ``denoise(x, t)``, counted.

    Every call costs one unit per point (row of ``x``), as hardiff's ``CallCounter`` counts; a
    call that would take the total beyond ``max_calls`` raises ``hardiff.BudgetExceeded``
    without being evaluated.
    """

    __slots__ = ("_prior", "_max_calls", "_calls")

    def __init__(self, prior: Any, max_calls: Optional[int] = None) -> None:
        """Wraps ``prior`` (anything with ``dim``, ``score`` and ``denoise``)."""
        if max_calls is not None and max_calls < 0:
            raise ValueError(f"max_calls must be >= 0 or None, got {max_calls}")
        self._prior = prior
        self._max_calls = max_calls
        self._calls = 0

    @property
    def dim(self) -> int:
        """The dimension d of the points."""
        return int(self._prior.dim)

    @property
    def calls(self) -> int:
        """Points evaluated so far (score and denoise together)."""
        return self._calls

    @property
    def max_calls(self) -> Optional[int]:
        """The budget of points, or None for none."""
        return self._max_calls

    def _charge(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2:
            raise ValueError(f"x must be a 2-D array (n, dim), got shape {x.shape}")
        rows = x.shape[0]
        if self._max_calls is not None and self._calls + rows > self._max_calls:
            raise BudgetExceeded(
                f"oracle budget of {self._max_calls} calls exceeded: {self._calls} used, "
                f"{rows} more requested"
            )
        self._calls += rows
        return x

    def score(self, x: Any, t: float) -> np.ndarray:
        """The prior's score s_t(x) at OU time t, shape (n, dim)."""
        return self._prior.score(self._charge(x), t)

    def denoise(self, x: Any, t: float) -> np.ndarray:
        """Tweedie's denoiser E[X_0 | X_t = x] = e^t (x + v_t s_t(x)), shape (n, dim)."""
        return self._prior.denoise(self._charge(x), t)

    def __repr__(self) -> str:
        return f"Oracle(dim={self.dim}, calls={self._calls}, max_calls={self._max_calls})"


class Report:
    """The outcome of ``evaluate``: attribute access to its fields, ``to_dict()`` for JSON."""

    def __init__(self, fields: Dict[str, Any]) -> None:
        """A report holding ``fields`` (plain Python values)."""
        self._fields = dict(fields)

    def to_dict(self) -> Dict[str, Any]:
        """The report as a dict of plain Python values (JSON-serialisable)."""
        return _plain(self._fields)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        keys = ("prior", "n", "success_rate", "sliced_wasserstein", "calls", "wall_s")
        shown = ", ".join(f"{k}={self._fields[k]!r}" for k in keys if k in self._fields)
        return f"Report({shown})"


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> Tuple[float, float]:
    """The Wilson score interval for a binomial proportion (95 % for the default z)."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def sliced_wasserstein(
    x: np.ndarray, y: np.ndarray, *, projections: int = 256, seed: int = 0
) -> float:
    """Sliced 2-Wasserstein distance between two equal-size sample sets.

    sqrt of the mean over ``projections`` uniform random directions θ of W2²(θ·x, θ·y), each
    one-dimensional W2 computed exactly from sorted projections.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 2:
        raise ValueError(f"sample sets must have equal 2-D shapes, got {x.shape} and {y.shape}")
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((x.shape[1], projections))
    theta /= np.linalg.norm(theta, axis=0, keepdims=True)
    px = np.sort(x @ theta, axis=0)
    py = np.sort(y @ theta, axis=0)
    return float(np.sqrt(np.mean((px - py) ** 2)))


def evaluate(
    sampler: Sampler,
    prior: Any,
    meas: Measurement,
    *,
    n: int,
    seed: int,
    max_calls: Optional[int] = None,
    exact_budget: int = 4_000_000,
) -> Report:
    """Runs ``sampler(oracle, meas, n, rng)`` on ``prior`` and ``meas`` and scores its samples.

    ``rng`` is ``numpy.random.default_rng(seed)``; the exact references use streams derived
    from ``seed`` too, so a report is a function of its arguments. ``max_calls`` bounds the
    oracle's points (``BudgetExceeded`` from the sampler propagates). On g̃ the exact
    posterior baseline is min(n, 100) rejection samples, drawn when their expected cost
    (about 2^{1.5 m'} prior draws each) is at most ``exact_budget`` and within that budget;
    otherwise it is None and ``exact_posterior_note`` says why.

    Raises ValueError for an unsupported prior, n < 1, a measurement of another dimension, or
    a sampler result that is not a finite (n, dim) array.
    """
    if not isinstance(prior, (OwfDistribution, Gaussian, GaussianMixture)):
        raise ValueError(
            "evaluate supports OwfDistribution, Gaussian and GaussianMixture priors, "
            f"got {type(prior).__name__}"
        )
    if not isinstance(meas, Measurement):
        raise ValueError(f"meas must be a hardiff.Measurement, got {type(meas).__name__}")
    n = int(n)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if meas.dim != prior.dim:
        raise ValueError(
            f"the measurement is for dimension {meas.dim}, the prior has dimension {prior.dim}"
        )
    seed = int(seed)
    oracle = Oracle(prior, max_calls)
    rng = np.random.default_rng(seed)
    start = _time.perf_counter()
    x = sampler(oracle, meas, n, rng)
    wall = _time.perf_counter() - start
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (n, prior.dim):
        raise ValueError(f"the sampler must return shape ({n}, {prior.dim}), got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("the sampler returned non-finite values")
    fields: Dict[str, Any] = {
        "prior": type(prior).__name__,
        "n": n,
        "seed": seed,
        "dim": prior.dim,
        "measurements": meas.m,
        "calls": oracle.calls,
        "calls_per_sample": oracle.calls / n,
        "max_calls": max_calls,
        "wall_s": wall,
    }
    if isinstance(prior, OwfDistribution):
        fields.update(_owf_metrics(prior, meas, x, seed, exact_budget))
    else:
        fields.update(_gaussian_metrics(prior, meas, x, seed))
    return Report(fields)


def _derived(seed: int, k: int) -> int:
    """An independent u64 seed for reference stream k of an evaluation."""
    return int(np.random.SeedSequence([seed, k]).generate_state(1, dtype=np.uint64)[0])


def _rate(ok: np.ndarray) -> Dict[str, Any]:
    s, n = int(np.count_nonzero(ok)), int(ok.size)
    return {"success_rate": s / n, "successes": s, "n": n, "ci95": list(wilson_interval(s, n))}


def _owf_metrics(
    prior: OwfDistribution, meas: Measurement, x: np.ndarray, seed: int, exact_budget: int
) -> Dict[str, Any]:
    ok = prior.inverts(x, meas)
    ours = _rate(ok)
    m = meas.m
    prior_ok = prior.inverts(prior.sample(x.shape[0], seed=_derived(seed, 1)), meas)
    n_exact = min(x.shape[0], 100)
    expected_draws = n_exact * 2.0 ** (1.5 * m)
    exact: Optional[Dict[str, Any]] = None
    exact_note = (
        f"skipped: expected cost {n_exact}·2^(1.5·{m}) = {expected_draws:.3g} prior draws "
        f"> exact_budget = {exact_budget}"
    )
    if expected_draws <= exact_budget:
        try:
            post = prior.posterior_samples(
                meas, n_exact, seed=_derived(seed, 2), max_draws=max(1, int(exact_budget))
            )
            exact = _rate(prior.inverts(post, meas))
            exact_note = "rejection sampling (exact)"
        except BudgetExceeded as e:
            exact_note = f"skipped: {e}"
    return {
        "success_rate": ours["success_rate"],
        "successes": ours["successes"],
        "ci95": ours["ci95"],
        "baselines": {
            "random_guess": 2.0**-m,
            "prior": _rate(prior_ok),
            "exact_posterior": exact,
            "exact_posterior_note": exact_note,
        },
    }


def _gaussian_metrics(prior: Any, meas: Measurement, x: np.ndarray, seed: int) -> Dict[str, Any]:
    post = prior.posterior(meas)
    n = x.shape[0]
    ref = post.sample(n, seed=_derived(seed, 1))
    ref2 = post.sample(n, seed=_derived(seed, 2))
    proj_seed = _derived(seed, 3)
    sw = sliced_wasserstein(x, ref, seed=proj_seed)
    floor = sliced_wasserstein(ref2, ref, seed=proj_seed)
    mean, cov = np.asarray(post.mean), np.asarray(post.cov)

    def moments(s: np.ndarray) -> Tuple[float, float]:
        c = np.cov(s, rowvar=False).reshape(cov.shape) if n > 1 else np.zeros_like(cov)
        return float(np.linalg.norm(s.mean(axis=0) - mean)), float(np.linalg.norm(c - cov))

    mean_err, cov_err = moments(x)
    mean_floor, cov_floor = moments(ref2)
    out: Dict[str, Any] = {
        "success_rate": None,
        "ci95": None,
        "sliced_wasserstein": sw,
        "sliced_wasserstein_floor": floor,
        "mean_error": mean_err,
        "mean_error_floor": mean_floor,
        "cov_error": cov_err,
        "cov_error_floor": cov_floor,
    }
    baselines: Dict[str, Any] = {
        "prior_sliced_wasserstein": sliced_wasserstein(
            prior.sample(n, seed=_derived(seed, 4)), ref, seed=proj_seed
        )
    }
    if isinstance(post, GaussianMixture):
        w = np.asarray(post.weights)
        tv = 0.5 * float(np.abs(post.responsibilities(x).mean(axis=0) - w).sum())
        tv_floor = 0.5 * float(np.abs(post.responsibilities(ref2).mean(axis=0) - w).sum())
        out["weight_tv"] = tv
        out["weight_tv_floor"] = tv_floor
        out["posterior_weights"] = w.tolist()
    out["baselines"] = baselines
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _plain(u) for k, u in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(u) for u in v]
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    return v
