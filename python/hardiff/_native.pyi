"""Type stubs of the native module ``hardiff._native`` (crates/py), written by hand.

Arrays are float64 ``(n, dim)`` unless stated; t is the OU time (docs/math.md §0).
"""

from __future__ import annotations

import os
from typing import Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

ArrayLike = npt.ArrayLike
F64 = npt.NDArray[np.float64]
PathLike = Union[str, "os.PathLike[str]"]

class BudgetExceeded(RuntimeError):
    """A work limit was reached (brute-force size, rejection budget, oracle max_calls)."""

class Measurement:
    """y = A x + η ξ, ξ ~ N(0, I_m) (docs/math.md §6), with its observed y."""

    def __init__(self, a: ArrayLike, y: ArrayLike, noise_std: float) -> None: ...
    @property
    def a(self) -> F64:
        """A, shape (m, d)."""
    @property
    def y(self) -> F64:
        """The observed y, shape (m,)."""
    @property
    def noise_std(self) -> float:
        """η > 0."""
    @property
    def dim(self) -> int:
        """d, the dimension of the points."""
    @property
    def m(self) -> int:
        """m, the number of measured values."""
    def forward(self, x: ArrayLike) -> F64:
        """x Aᵀ, shape (n, m)."""
    def log_likelihood(self, x: ArrayLike) -> F64:
        """log N(y; A x_b, η² I) per row, shape (n,)."""
    def to_json(self, path: PathLike) -> None:
        """Writes {"a": [[..]], "y": [..], "noise_std": η}; OSError on file errors."""
    @staticmethod
    def from_json(path: PathLike) -> Measurement:
        """Reads a file written by to_json; OSError on file errors, ValueError on content."""

class Pancakes:
    """Gaussian pancakes (docs/math.md §2) with a secret unit direction."""

    def __init__(
        self,
        dim: int,
        gamma: float,
        sigma: float,
        *,
        secret: Optional[ArrayLike] = None,
        seed: int = 0,
    ) -> None: ...
    @property
    def secret(self) -> F64:
        """The secret unit direction u, shape (dim,)."""
    @property
    def dim(self) -> int:
        """d."""
    @property
    def gamma(self) -> float:
        """γ."""
    @property
    def sigma(self) -> float:
        """σ."""
    def sample(self, n: int, *, t: float = 0.0, seed: int) -> F64:
        """n exact samples of the law at OU time t."""
    def log_density(self, x: ArrayLike, t: float) -> F64:
        """log p_t per row, shape (n,)."""
    def score(self, x: ArrayLike, t: float) -> F64:
        """The exact score s_t(x)."""
    def denoise(self, x: ArrayLike, t: float) -> F64:
        """Tweedie's denoiser e^t (x + v_t s_t(x))."""
    def tv(self) -> float:
        """TV distance to N(0, I_d)."""

class Gaussian:
    """N(μ, Σ) with exact scores and posteriors (docs/math.md §7)."""

    def __init__(self, mean: ArrayLike, cov: ArrayLike) -> None: ...
    @property
    def dim(self) -> int:
        """d."""
    @property
    def mean(self) -> F64:
        """μ."""
    @property
    def cov(self) -> F64:
        """Σ."""
    def sample(self, n: int, *, t: float = 0.0, seed: int) -> F64:
        """n exact samples of the law at OU time t."""
    def log_density(self, x: ArrayLike, t: float) -> F64:
        """log p_t per row, shape (n,)."""
    def score(self, x: ArrayLike, t: float) -> F64:
        """The exact score s_t(x)."""
    def denoise(self, x: ArrayLike, t: float) -> F64:
        """Tweedie's denoiser e^t (x + v_t s_t(x))."""
    def posterior(self, meas: Measurement) -> Gaussian:
        """The exact posterior given meas."""
    def log_evidence(self, meas: Measurement) -> float:
        """log p_Y(y)."""

class GaussianMixture:
    """Σ_k w_k N(μ_k, Σ_k) with exact scores and posteriors (docs/math.md §7)."""

    def __init__(self, weights: ArrayLike, means: ArrayLike, covs: ArrayLike) -> None: ...
    @property
    def dim(self) -> int:
        """d."""
    @property
    def weights(self) -> F64:
        """w, shape (K,)."""
    @property
    def means(self) -> F64:
        """μ_k, shape (K, d)."""
    @property
    def covs(self) -> F64:
        """Σ_k, shape (K, d, d)."""
    @property
    def mean(self) -> F64:
        """The mixture mean."""
    @property
    def cov(self) -> F64:
        """The mixture covariance."""
    def sample(self, n: int, *, t: float = 0.0, seed: int) -> F64:
        """n exact samples of the law at OU time t."""
    def log_density(self, x: ArrayLike, t: float) -> F64:
        """log p_t per row, shape (n,)."""
    def score(self, x: ArrayLike, t: float) -> F64:
        """The exact score s_t(x)."""
    def denoise(self, x: ArrayLike, t: float) -> F64:
        """Tweedie's denoiser e^t (x + v_t s_t(x))."""
    def responsibilities(self, x: ArrayLike, t: float = 0.0) -> F64:
        """Component probabilities π_k(x) at OU time t, shape (n, K)."""
    def posterior(self, meas: Measurement) -> GaussianMixture:
        """The exact posterior given meas."""
    def log_evidence(self, meas: Measurement) -> float:
        """log p_Y(y)."""

class OwfDistribution:
    """g̃ for a one-way function (docs/math.md §5) and its inversion by posterior sampling (§6)."""

    def __init__(
        self,
        owf: str,
        input_bits: int,
        output_bits: int,
        seed: int,
        *,
        alpha: float = ...,
        envelope: float = ...,
        epsilon: float = ...,
        beta: float = ...,
        sigma_c: float = ...,
        eta: float = ...,
        brute_force_limit: int = ...,
    ) -> None: ...
    @property
    def dim(self) -> int:
        """d = n + m."""
    @property
    def input_bits(self) -> int:
        """n."""
    @property
    def output_bits(self) -> int:
        """m."""
    @property
    def alpha(self) -> float:
        """α, the lattice spacing."""
    @property
    def beta(self) -> float:
        """β, the amplitude of the f-part."""
    @property
    def eta(self) -> float:
        """η, the default measurement noise (β/4)."""
    @property
    def sigma_c(self) -> float:
        """σ_c, the crossover of the efficient score."""
    @property
    def envelope(self) -> float:
        """R."""
    @property
    def calls(self) -> int:
        """Score evaluations (points) so far."""
    def sample(self, n: int, *, t: float = 0.0, seed: int) -> F64:
        """n exact samples of the law at OU time t."""
    def log_density(self, x: ArrayLike, t: float) -> F64:
        """log p_t by brute force (t > 0), shape (n,)."""
    def score(self, x: ArrayLike, t: float, *, exact: bool = False) -> F64:
        """The efficient score, or the exact one by brute force."""
    def denoise(self, x: ArrayLike, t: float) -> F64:
        """Tweedie's denoiser from the efficient score."""
    def decode(self, x: ArrayLike) -> npt.NDArray[np.uint8]:
        """Seed bits 1[x_i > 0], shape (n, input_bits)."""
    def measure(
        self, measured_bits: int, *, noise_std: Optional[float] = None, seed: int
    ) -> Measurement:
        """A measurement of f(s*) on its first measured_bits bits for a fresh secret s*."""
    def inverts(self, x: ArrayLike, meas: Measurement) -> npt.NDArray[np.bool_]:
        """Whether f(decode(x_b)) matches the measured bits, per row."""
    def posterior_samples(
        self, meas: Measurement, n: int, *, seed: int, max_draws: int = 10_000_000
    ) -> F64:
        """Exact posterior samples by rejection (BudgetExceeded past max_draws)."""

def mcgdiff_gmm(dim: int, measurements: int, *, seed: int) -> Tuple[GaussianMixture, Measurement]:
    """The MCGdiff Gaussian-mixture benchmark (Cardoso et al., ICLR 2024) as its authors define it.

    25 unit-covariance components with means (-8i, -8j) for (i, j) in {-2..2}^2 tiled to
    ``dim`` (even), weights xi^2 / sum(xi^2) with xi ~ N(0, 1); A = U diag(s) V_m^T with Haar
    singular vectors and m = ``measurements`` sorted U(0, 1) singular values s (1 <= m <= dim);
    noise std u * max(s), u ~ U(0, 1); y = A x* + noise for a prior draw x*. The same seed
    gives the same instance. ValueError for an odd dim or m outside 1..dim.
    """

# --- scoring (crates/py/src/challenge.rs; the metrics of evaluate and `hardiff challenge score`)

def score_report(
    prior: Union[OwfDistribution, Gaussian, GaussianMixture],
    meas: Measurement,
    x: ArrayLike,
    *,
    seed: int,
    exact_budget: int = 4_000_000,
    calls: Optional[int] = None,
    max_calls: Optional[int] = None,
    wall_s: Optional[float] = None,
) -> str:
    """The JSON report of evaluate for samples x (n, dim); references from streams of seed."""

def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion ((0, 1) for n = 0)."""

def sliced_wasserstein(
    x: ArrayLike, y: ArrayLike, *, projections: int = 256, seed: int = 0
) -> float:
    """Sliced 2-Wasserstein distance between two sample sets of one dimension."""
