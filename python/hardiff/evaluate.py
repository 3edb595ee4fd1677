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

The metrics are computed in Rust (``hardiff_bench::challenge::metrics``, through
``hardiff._native.score_report``): the same computation prints the report of
``hardiff challenge score CHALLENGE SAMPLES --format json``, with the same keys, so a sampler
scored from Python and one scored from a file of samples in any language are compared on one
scale (docs/challenge.md).
"""

from __future__ import annotations

import json
import time as _time
from typing import Any, Callable, Dict, Optional, Tuple

import numpy as np

from . import _native
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
    """The Wilson score interval for a binomial proportion (95 % for the default z).

    (0, 1) for n = 0; computed by hardiff's Rust scoring (the interval of every report).
    """
    return tuple(_native.wilson_interval(int(successes), int(n), float(z)))  # type: ignore


def sliced_wasserstein(
    x: np.ndarray, y: np.ndarray, *, projections: int = 256, seed: int = 0
) -> float:
    """Sliced 2-Wasserstein distance between two sample sets of one dimension.

    sqrt of the mean over ``projections`` uniform random directions θ (drawn from a stream
    derived from ``seed``) of W2²(θ·x, θ·y), each one-dimensional W2 computed exactly from the
    sorted projections; the distance of every report (computed in Rust).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(f"sample sets must be 2-D of one dimension, got {x.shape} and {y.shape}")
    return float(_native.sliced_wasserstein(x, y, projections=int(projections), seed=int(seed)))


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

    ``rng`` is ``numpy.random.default_rng(seed)``; the exact references use hardiff streams
    derived from ``seed`` too (``rng::stream(seed, "challenge/score/…")``), so a report is a
    function of its arguments, and equals ``hardiff challenge score --seed SEED`` on the same
    samples except for ``calls``, ``max_calls`` and ``wall_s``. ``max_calls`` bounds the
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
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed must be in [0, 2^64), got {seed}")
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
    text = _native.score_report(
        prior,
        meas,
        x,
        seed=seed,
        exact_budget=max(0, int(exact_budget)),
        calls=oracle.calls,
        max_calls=max_calls,
        wall_s=wall,
    )
    return Report(json.loads(text))


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
