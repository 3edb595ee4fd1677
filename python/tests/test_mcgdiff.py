"""``hardiff.mcgdiff_gmm`` (the MCGdiff Gaussian-mixture benchmark, Cardoso et al., ICLR 2024)
against the authors' definition and an independent NumPy computation of its exact posterior
(Bayes' rule in precision form per component, evidence by ``numpy.linalg.slogdet``)."""

import math

import numpy as np
import pytest

import hardiff

CASES = [(2, 1), (8, 1), (8, 2), (20, 4)]


def grid_means(d):
    """The authors' means: [-8i, -8j] * (d // 2) for i, j in -2..2, i outer."""
    return np.array([[-8.0 * i, -8.0 * j] * (d // 2) for i in range(-2, 3) for j in range(-2, 3)])


def numpy_posterior(weights, means, a, y, eta):
    """Per-component posteriors of N(mu_k, I) under y = A x + eta xi, reweighted by evidence."""
    d, m = a.shape[1], a.shape[0]
    prec = np.eye(d) + a.T @ a / eta**2
    cov = np.linalg.inv(prec)
    post_means = (cov @ (means.T + (a.T @ y / eta**2)[:, None])).T
    s = a @ a.T + eta**2 * np.eye(m)
    _, logdet = np.linalg.slogdet(s)
    r = y[None, :] - means @ a.T
    logw = np.log(weights) - 0.5 * np.sum(r * np.linalg.solve(s, r.T).T, axis=1) - 0.5 * logdet
    w = np.exp(logw - logw.max())
    return w / w.sum(), post_means, cov


@pytest.mark.parametrize("d,m", CASES)
def test_the_instance_follows_the_authors_definition(d, m):
    prior, meas = hardiff.mcgdiff_gmm(d, m, seed=3)
    assert isinstance(prior, hardiff.GaussianMixture) and isinstance(meas, hardiff.Measurement)
    assert (prior.dim, meas.dim, meas.m) == (d, d, m)
    np.testing.assert_array_equal(prior.means, grid_means(d))
    np.testing.assert_array_equal(prior.covs, np.broadcast_to(np.eye(d), (25, d, d)))
    assert np.all(prior.weights > 0) and abs(prior.weights.sum() - 1) < 1e-12
    s = np.linalg.svd(meas.a, compute_uv=False)  # NumPy's LAPACK SVD, descending
    assert np.all((s > 0) & (s < 1))
    assert 0 < meas.noise_std < s[0]


def test_the_same_seed_gives_the_same_instance():
    p1, m1 = hardiff.mcgdiff_gmm(8, 2, seed=7)
    p2, m2 = hardiff.mcgdiff_gmm(8, 2, seed=7)
    p3, m3 = hardiff.mcgdiff_gmm(8, 2, seed=8)
    np.testing.assert_array_equal(p1.weights, p2.weights)
    np.testing.assert_array_equal(m1.a, m2.a)
    np.testing.assert_array_equal(m1.y, m2.y)
    assert m1.noise_std == m2.noise_std
    assert not np.array_equal(m1.a, m3.a)


@pytest.mark.parametrize("d,m", CASES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_exact_posterior_matches_numpy(d, m, seed):
    prior, meas = hardiff.mcgdiff_gmm(d, m, seed=seed)
    post = prior.posterior(meas)
    w, mu, cov = numpy_posterior(prior.weights, prior.means, meas.a, meas.y, meas.noise_std)
    # hardiff drops components whose posterior weight underflows to 0: match the rest by mean.
    keep = [
        k
        for k in range(25)
        if np.any(np.max(np.abs(post.means - mu[k]), axis=1) < 1e-6)
    ]
    assert all(w[k] < 1e-250 for k in range(25) if k not in keep)
    np.testing.assert_allclose(post.means, mu[keep], atol=1e-9)
    np.testing.assert_allclose(post.weights, w[keep], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(post.covs, np.broadcast_to(cov, post.covs.shape), atol=1e-9)


@pytest.mark.parametrize("d,m", [(3, 1), (0, 1), (4, 0), (4, 5), (-2, 1)])
def test_bad_sizes_raise_value_error(d, m):
    with pytest.raises(ValueError):
        hardiff.mcgdiff_gmm(d, m, seed=0)


def test_the_measurement_is_plausible_for_a_prior_draw():
    """y − A x* ~ N(0, η² I) for x* a prior draw, so y lies near A μ_k for some k: the smallest
    Mahalanobis distance of y to the A μ_k under AAᵀ + η² I stays below a χ²_m tail bound
    (6 + √m)², which a correct instance exceeds with probability < 1e-7."""
    for d, m in CASES:
        prior, meas = hardiff.mcgdiff_gmm(d, m, seed=5)
        s = meas.a @ meas.a.T + meas.noise_std**2 * np.eye(m)
        r = meas.y[None, :] - prior.means @ meas.a.T
        maha = np.sum(r * np.linalg.solve(s, r.T).T, axis=1)
        assert maha.min() < (6 + math.sqrt(m)) ** 2
