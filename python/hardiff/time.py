"""Converters between hardiff's OU time and the time conventions samplers bring.

hardiff uses one time everywhere: the OU time t of dX = -X dt + sqrt(2) dB (docs/math.md §0),
so X_t = e^{-t} X_0 + sqrt(1 - e^{-2t}) Z. The conventions users bring relate to it by

* DDPM / VP: ᾱ(t) = e^{-2t} (``alpha_bar``), noise std sqrt(1 - ᾱ);
* VE / EDM: x̃ = e^{t} x_t = X_0 + σ Z with σ² = e^{2t} - 1 (``ve_sigma``, ``ou_time``);
* EDM denoiser D(x̃, σ) = E[X_0 | x̃] = x̃ + σ² e^{-t} s_t(e^{-t} x̃) (``as_denoiser``);
* ε-prediction ε̂(x_t, t) = -sqrt(1 - e^{-2t}) s_t(x_t) (``as_eps_model``).

``score`` arguments below are callables ``score(x, t) -> (n, dim)`` in OU time, e.g.
``Pancakes.score`` or an ``evaluate`` oracle's ``score``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = [
    "alpha_bar",
    "ve_sigma",
    "ou_time",
    "ou_time_from_alpha_bar",
    "as_denoiser",
    "as_eps_model",
]

ScoreFn = Callable[[np.ndarray, float], np.ndarray]


def alpha_bar(t: float) -> float:
    """ᾱ(t) = e^{-2t}: the DDPM signal fraction at OU time t (t ≥ 0)."""
    t = _check_time(t)
    return float(np.exp(-2.0 * t))


def ou_time_from_alpha_bar(alpha_bar: float) -> float:
    """The OU time t = -½ ln ᾱ of a DDPM ᾱ ∈ (0, 1]."""
    a = float(alpha_bar)
    if not (0.0 < a <= 1.0):
        raise ValueError(f"alpha_bar must lie in (0, 1], got {alpha_bar}")
    return -0.5 * float(np.log(a))


def ve_sigma(t: float) -> float:
    """σ(t) = sqrt(e^{2t} - 1): the VE noise level of e^{t} X_t at OU time t (t ≥ 0)."""
    t = _check_time(t)
    return float(np.sqrt(np.expm1(2.0 * t)))


def ou_time(sigma: float) -> float:
    """The OU time t = ½ ln(1 + σ²) of a VE noise level σ ≥ 0 (the inverse of ``ve_sigma``)."""
    s = float(sigma)
    if not (np.isfinite(s) and s >= 0.0):
        raise ValueError(f"sigma must be finite and >= 0, got {sigma}")
    return 0.5 * float(np.log1p(s * s))


def as_denoiser(score: ScoreFn) -> Callable[[np.ndarray, float], np.ndarray]:
    """An EDM/VE denoiser ``D(x̃, sigma)`` from an OU-time score ``score(x, t)``.

    D(x̃, σ) = x̃ + σ² e^{-t} s_t(e^{-t} x̃) with t = ``ou_time(sigma)``: Tweedie's formula for
    x̃ = X_0 + σ Z, since x̃ = e^{t} X_t and ∇_x̃ log p(x̃) = e^{-t} s_t(e^{-t} x̃).
    """

    def denoiser(x: np.ndarray, sigma: float) -> np.ndarray:
        t = ou_time(sigma)
        x = np.asarray(x, dtype=np.float64)
        e = np.exp(-t)
        return x + float(sigma) ** 2 * e * np.asarray(score(e * x, t))

    denoiser.__doc__ = "EDM denoiser D(x̃, sigma) = x̃ + sigma² e^{-t} s_t(e^{-t} x̃)."
    return denoiser


def as_eps_model(score: ScoreFn) -> Callable[[np.ndarray, float], np.ndarray]:
    """An ε-prediction model ``eps(x_t, t)`` (OU time t > 0) from a score ``score(x, t)``.

    ε̂(x_t, t) = -sqrt(1 - e^{-2t}) s_t(x_t): the posterior mean of the noise Z in
    X_t = e^{-t} X_0 + sqrt(1 - e^{-2t}) Z (docs/math.md §0).
    """

    def eps(x: np.ndarray, t: float) -> np.ndarray:
        t = _check_time(t)
        return -float(np.sqrt(-np.expm1(-2.0 * t))) * np.asarray(score(x, t))

    eps.__doc__ = "ε-prediction eps(x_t, t) = -sqrt(1 - e^{-2t}) s_t(x_t)."
    return eps


def _check_time(t: float) -> float:
    t = float(t)
    if not (np.isfinite(t) and t >= 0.0):
        raise ValueError(f"OU time t must be finite and >= 0, got {t}")
    return t
