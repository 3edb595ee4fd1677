"""hardiff from Python: hard instances for diffusion posterior samplers, with exact answers.

The laws (``Pancakes``, ``Gaussian``, ``GaussianMixture``, ``OwfDistribution`` — g̃ built from
a one-way function) give exact samples, densities, OU-time scores and Tweedie denoisers; the
Gaussian laws give exact posteriors under a ``Measurement`` y = A x + η ξ (``mcgdiff_gmm`` builds
the MCGdiff mixture benchmark); ``evaluate`` runs your posterior sampler against them with
counted oracle calls. Conventions are hardiff's
(docs/math.md §0): arrays are float64 ``(n, dim)``, time is the OU time t of
dX = -X dt + sqrt(2) dB, every random call takes ``seed=``; ``hardiff.time`` converts to DDPM ᾱ,
VE/EDM σ and ε-prediction.

Errors: ``ValueError`` for bad parameters and shapes, ``BudgetExceeded`` (a ``RuntimeError``)
for work limits, ``OSError`` for files.

>>> import hardiff, numpy as np
>>> prior = hardiff.Gaussian(np.zeros(2), np.eye(2))
>>> meas = hardiff.Measurement(np.eye(2)[:1], np.array([1.0]), 0.5)
>>> post = prior.posterior(meas)
>>> float(post.mean[0])
0.8
"""

from . import time
from ._native import (
    BudgetExceeded,
    Gaussian,
    GaussianMixture,
    Measurement,
    OwfDistribution,
    Pancakes,
    __version__,
    mcgdiff_gmm,
)
from .evaluate import Oracle, Report, evaluate, sliced_wasserstein, wilson_interval

__all__ = [
    "BudgetExceeded",
    "Gaussian",
    "GaussianMixture",
    "Measurement",
    "Oracle",
    "OwfDistribution",
    "Pancakes",
    "Report",
    "__version__",
    "evaluate",
    "mcgdiff_gmm",
    "sliced_wasserstein",
    "time",
    "wilson_interval",
]
