"""Two posterior samplers from the literature, in NumPy, written only against hardiff's public
``oracle`` (``dim``, ``score(x, t)``, ``denoise(x, t)``; see ``hardiff.evaluate``).

Both have the signature ``sampler(oracle, meas, n, rng) -> (n, dim) array`` that
``hardiff.evaluate`` calls, and both use hardiff's conventions (docs/math.md §0): OU time t of
dX = -X dt + sqrt(2) dB, alpha_t = e^-t, v_t = 1 - e^-2t, Tweedie's denoiser
D_t(x) = E[X_0 | X_t = x] = e^t (x + v_t s_t(x)).

* ``dps``: Diffusion Posterior Sampling, Chung et al. 2022 (arXiv 2209.14687), Algorithm 1:
  after each DDPM-ancestral step from x_t, x' <- x' - zeta/||y - A x0_hat|| * grad_{x_t}
  ||y - A x0_hat||^2 with x0_hat = D_t(x_t) (docs/math.md §7).
* ``tds``: Twisted Diffusion Sampler, Wu et al. 2023 (arXiv 2306.17775), Algorithm 1: a
  sequential Monte Carlo sampler whose particles move by the twisted (guided) ancestral kernel
  and are reweighted by p(x'|x) p~(y|x') / (q(x'|x) p~(y|x)), resampled when the effective
  sample size drops below half.

**The Jacobian.** Both need the gradient of a function of x0_hat = D_t(x) with respect to x,
i.e. the vector-Jacobian product J_D^T g, and the oracle gives only D (no autodiff). We use
that J_D = e^t (I + v_t grad s_t) is *symmetric* when s_t is a gradient field (it is the
Hessian of log p_t, docs/math.md §0), so J_D^T g = J_D g is a directional derivative, computed
by central finite differences: J_D g ~ ||g|| (D(x + h u) - D(x - h u)) / (2h), u = g/||g||,
h = 1e-4. This costs two extra ``denoise`` calls per point and step (three in all), is exact
to O(h^2) for the exact scores of Gaussian mixtures, and is only as good as the symmetry of
the oracle's Jacobian otherwise (g~'s efficient score is an approximation of a gradient field).
``jacobian="free"`` instead replaces J_D by alpha_t I, the exact Jacobian for unit-covariance
Gaussian data (docs/math.md §7, "Jacobian-free variants"): one call per point and step.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["dps", "tds", "time_grid"]

FD_STEP = 1e-4


def time_grid(steps: int, t_max: float = 5.0, t_min: float = 1e-3) -> np.ndarray:
    """A geometric grid of steps + 1 OU times from t_max down to t_min (docs/math.md §7)."""
    return t_max * (t_min / t_max) ** (np.arange(steps + 1) / steps)


def _bridge(t: float, s: float):
    """Coefficients of the DDPM-ancestral step from OU time t down to s < t (docs/math.md §7):
    x_s ~ N(c_x0 x0_hat + c_xt x_t, var I)."""
    a = math.exp(-(t - s))
    b = -math.expm1(-2 * (t - s))
    v_t, v_s = -math.expm1(-2 * t), -math.expm1(-2 * s)
    return b * math.exp(-s) / v_t, a * v_s / v_t, b * v_s / v_t


def _jd_times(oracle, x, t, g, jacobian):
    """J_D(x) g per row: central differences of the denoiser along g (J_D is symmetric, so this
    is also J_D^T g), or alpha_t g for the Jacobian-free variant."""
    if jacobian == "free":
        return math.exp(-t) * g
    norm = np.linalg.norm(g, axis=1, keepdims=True)
    u = g / np.where(norm > 0, norm, 1.0)
    diff = oracle.denoise(x + FD_STEP * u, t) - oracle.denoise(x - FD_STEP * u, t)
    return norm * diff / (2 * FD_STEP)


def dps(oracle, meas, n, rng, *, steps=100, zeta=1.0, jacobian="fd"):
    """DPS (Chung et al. 2022, Alg. 1) with step size zeta / ||y - A x0_hat|| per point.

    Cost: ``steps`` x (3 with ``jacobian="fd"``, 1 with ``"free"``) oracle calls per sample.
    Returns draws at OU time t_min = 1e-3 (docs/math.md §7, "Start and stop").
    """
    a, y = np.asarray(meas.a), np.asarray(meas.y)
    ts = time_grid(steps)
    x = rng.standard_normal((n, oracle.dim))
    for t, s in zip(ts[:-1], ts[1:]):
        x0 = oracle.denoise(x, t)
        r = y - x0 @ a.T  # (n, m)
        # grad_{x_t} ||r||^2 = -2 J_D^T A^T r.
        grad = -2.0 * _jd_times(oracle, x, t, r @ a, jacobian)
        c_x0, c_xt, var = _bridge(t, s)
        x_new = c_x0 * x0 + c_xt * x + math.sqrt(var) * rng.standard_normal(x.shape)
        rnorm = np.linalg.norm(r, axis=1, keepdims=True)
        x = x_new - zeta / np.maximum(rnorm, 1e-12) * grad
    return x


def _systematic(logw, rng):
    """Systematic resampling indices, one row of log-weights per group: (G, P) -> (G, P)."""
    g, p = logw.shape
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    c = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    c[:, -1] = 1.0
    u = (rng.random((g, 1)) + np.arange(p)) / p
    return np.stack([np.searchsorted(c[i], u[i], side="right") for i in range(g)])


def tds(oracle, meas, n, rng, *, steps=100, particles=16, jacobian="fd"):
    """TDS (Wu et al. 2023, Alg. 1): ceil(n / particles) independent twisted SMC runs of
    ``particles`` particles each; every run returns its final resampled particles.

    Twisting function p~_t(y | x) = N(y; A D_t(x), eta^2 I + v_t A A^T): the measurement of the
    denoised point with the posterior spread Cov[X_0 | X_t] ~ v_t I added (exact for
    unit-covariance Gaussian data; TDS's twisting with the same covariance correction as
    PiGDM, docs/math.md §7). The proposal is the ancestral kernel with its mean moved by
    var * grad log p~_t(y | x_t); the last step weighs by the exact likelihood N(y; A x, eta^2 I).
    Cost: ``steps`` x (3 with ``jacobian="fd"``, 1 with ``"free"``) + 1 oracle calls per particle.
    """
    a, y, eta = np.asarray(meas.a), np.asarray(meas.y), float(meas.noise_std)
    m, d = a.shape
    groups = -(-n // particles)
    ts = time_grid(steps)
    aat = a @ a.T

    def twist(x, t):
        """log p~_t(y | x) up to a constant shared by all particles, D_t(x), and cov^-1 r."""
        x0 = oracle.denoise(x, t)
        cov = eta**2 * np.eye(m) + (-math.expm1(-2 * t)) * aat
        r = y - x0 @ a.T
        sol = np.linalg.solve(cov, r.T).T
        return -0.5 * np.sum(r * sol, axis=1), x0, sol

    x = rng.standard_normal((groups * particles, d))
    logp, x0, sol = twist(x, ts[0])
    logw = logp.copy()
    for k, (t, s) in enumerate(zip(ts[:-1], ts[1:])):
        # Resample within each group when its ESS falls below half the particles.
        lw = logw.reshape(groups, particles)
        w = np.exp(lw - lw.max(axis=1, keepdims=True))
        ess = w.sum(axis=1) ** 2 / (w**2).sum(axis=1)
        low = ess < particles / 2
        if low.any():
            idx = np.tile(np.arange(particles), (groups, 1))
            idx[low] = _systematic(lw[low], rng)
            flat = (idx + particles * np.arange(groups)[:, None]).ravel()
            x, x0, sol, logp = x[flat], x0[flat], sol[flat], logp[flat]
            lw = lw.copy()
            lw[low] = 0.0
            logw = lw.ravel()
        # grad_x log p~_t(y | x) = J_D^T A^T cov^-1 (y - A D_t(x)).
        grad = _jd_times(oracle, x, t, sol @ a, jacobian)
        c_x0, c_xt, var = _bridge(t, s)
        mean = c_x0 * x0 + c_xt * x
        shift = var * grad
        x_new = mean + shift + math.sqrt(var) * rng.standard_normal(x.shape)
        # log p(x'|x) - log q(x'|x) for two Gaussians of equal variance.
        log_pq = (np.sum((x_new - mean - shift) ** 2, axis=1)
                  - np.sum((x_new - mean) ** 2, axis=1)) / (2 * var)
        if k == steps - 1:
            r = y - x_new @ a.T
            logp_new = -0.5 * np.sum(r * r, axis=1) / eta**2  # the exact likelihood
        else:
            logp_new, x0, sol = twist(x_new, s)
        # Terms shared by all particles of a step (Gaussian normalising constants) cancel in
        # the normalised weights, so log p~ is kept up to them.
        logw = logw + log_pq + logp_new - logp
        logp = logp_new
        x = x_new
    lw = logw.reshape(groups, particles)
    idx = _systematic(lw, rng)
    flat = (idx + particles * np.arange(groups)[:, None]).ravel()
    return x[flat][:n]
