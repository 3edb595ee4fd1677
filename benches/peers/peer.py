#!/usr/bin/env python3
"""The NumPy peer of hardiff (`cargo xtask peer`).

Computes, vectorised in NumPy, the same two kernels hardiff times, on inputs that hardiff wrote:

(a) the Gaussian-pancake score at OU time t (docs/math.md §2, direct mixture form):
    s_t(x) = -x + g_t(<x,u>) u,  g_t(z) = (log A_t)'(z) + z,
    A_t(z) = sum_k w_k N(z; c_k, tau_t^2),  c_k = h0 k / a_t,  tau_t = sigma_t / a_t,
    w_k ∝ exp(-(h0 k)^2 / 2),  h0 = sqrt(2 pi) / gamma,  a_t = sqrt(1 + sigma_t^2),
    sigma_t^2 = e^{2t} (1 + sigma^2) - 1,
    with hardiff's truncation: per point, mixture terms below e^{-40} of the largest are dropped
    (crates/dist/src/lattice.rs, TRUNCATION_EXPONENT);
(b) rejection sampling from the posterior of a Gaussian-mixture prior under y = A x + eta,
    eta ~ N(0, noise_std^2 I) (docs/math.md §6): draw x from the prior, accept with probability
    exp(-|y - A x|^2 / (2 noise_std^2)), until n samples are accepted.

Usage: peer.py CONFIG.json  (written by xtask/src/peer.rs). Writes the pancake scores to
the CSV path named in the config and prints one JSON object with wall times on stdout.
Exit status 3 (and a message on stderr) when NumPy is missing.
"""

import json
import math
import sys
import time

TRUNCATION_EXPONENT = 40.0

try:
    import numpy as np
except ImportError:  # pragma: no cover - exercised by the Rust side's skip path
    sys.stderr.write("NumPy is not installed\n")
    sys.exit(3)


def pancake_score(x, u, gamma, sigma, t):
    """Exact pancake score at OU time t for the rows of x (docs/math.md §2, direct form)."""
    sigma_t2 = math.exp(2.0 * t) * (1.0 + sigma * sigma) - 1.0
    a_t = math.sqrt(1.0 + sigma_t2)
    tau_t = math.sqrt(sigma_t2) / a_t
    h0 = math.sqrt(2.0 * math.pi) / gamma
    z = x @ u
    # In y = h0 k the log-term -y^2/2 - (a z - y)^2/(2 sigma_t^2) is a parabola with peak at
    # y* = z / a_t and curvature a_t^2 / sigma_t^2: it is e^{-40} below its peak at
    # |y - y*| = sqrt(80) sigma_t / a_t. The k range covers that for every point; the mask below
    # then applies the rule exactly.
    reach = math.sqrt(2.0 * TRUNCATION_EXPONENT * sigma_t2)
    k_lo = math.floor((z.min() - reach) / (a_t * h0)) - 1
    k_hi = math.ceil((z.max() + reach) / (a_t * h0)) + 1
    k = np.arange(k_lo, k_hi + 1, dtype=np.float64)
    c = h0 * k / a_t
    log_w = -0.5 * (h0 * k) ** 2
    diff = z[:, None] - c[None, :]
    log_terms = log_w[None, :] - diff * diff / (2.0 * tau_t * tau_t)
    top = log_terms.max(axis=1, keepdims=True)
    rel = log_terms - top
    weights = np.where(rel >= -TRUNCATION_EXPONENT, np.exp(rel), 0.0)
    posterior = weights / weights.sum(axis=1, keepdims=True)
    dlog = -(posterior * diff).sum(axis=1) / (tau_t * tau_t)
    g = dlog + z
    return -x + g[:, None] * u[None, :]


def sample_mixture(rng, weights, means, chols, n):
    comp = rng.choice(len(weights), size=n, p=weights)
    noise = rng.standard_normal((n, means.shape[1]))
    x = np.empty_like(noise)
    for j in range(len(weights)):
        idx = comp == j
        x[idx] = means[j] + noise[idx] @ chols[j].T
    return x


def rejection(cfg):
    """Rejection sampling until cfg['n'] acceptances; returns (draws, accepted, seconds)."""
    rng = np.random.default_rng(cfg["seed"])
    weights = np.asarray(cfg["weights"], dtype=np.float64)
    means = np.asarray(cfg["means"], dtype=np.float64)
    chols = [np.linalg.cholesky(np.asarray(c, dtype=np.float64)) for c in cfg["covs"]]
    a = np.asarray(cfg["a"], dtype=np.float64)
    y = np.asarray(cfg["y"], dtype=np.float64)
    inv2v = 0.5 / cfg["noise_std"] ** 2
    n, batch = cfg["n"], cfg.get("batch", 1 << 16)
    start = time.perf_counter()
    draws, accepted = 0, 0
    while accepted < n:
        x = sample_mixture(rng, weights, means, chols, batch)
        r = y[None, :] - x @ a.T
        log_acc = -inv2v * (r * r).sum(axis=1)
        ok = np.log1p(-rng.random(batch)) < log_acc
        hits = np.flatnonzero(ok)
        need = n - accepted
        if len(hits) >= need:
            # Count draws only up to the n-th acceptance, like a one-at-a-time loop.
            draws += int(hits[need - 1]) + 1
            accepted = n
        else:
            draws += batch
            accepted += len(hits)
    return draws, accepted, time.perf_counter() - start


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: peer.py CONFIG.json\n")
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        cfg = json.load(f)
    pc = cfg["pancake"]
    x = np.loadtxt(pc["points"], delimiter=",", ndmin=2)
    u = np.asarray(pc["secret"], dtype=np.float64)
    best = math.inf
    for _ in range(pc["reps"]):
        start = time.perf_counter()
        s = pancake_score(x, u, pc["gamma"], pc["sigma"], pc["t"])
        best = min(best, time.perf_counter() - start)
    np.savetxt(pc["out"], s, delimiter=",", fmt="%.17g")
    draws, accepted, seconds = rejection(cfg["rejection"])
    json.dump(
        {
            "numpy_version": np.__version__,
            "pancake": {"n": int(x.shape[0]), "d": int(x.shape[1]), "seconds": best},
            "rejection": {"draws": draws, "accepted": accepted, "seconds": seconds},
        },
        sys.stdout,
    )
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
