"""The native surface against independent NumPy formulas (closed forms, finite differences).

Statistical checks use fixed seeds, so they are deterministic; each states the chance that a
correct implementation would fail it for a random seed.
"""

import json
import math

import numpy as np
import pytest

import hardiff

RNG = np.random.default_rng(20261203)


def spd(d, rng=RNG):
    m = rng.standard_normal((d, d))
    return m @ m.T / d + 0.5 * np.eye(d)


def gauss_logpdf(x, mean, cov):
    d = len(mean)
    r = x - mean
    sol = np.linalg.solve(cov, r.T).T
    _, logdet = np.linalg.slogdet(cov)
    return -0.5 * np.sum(r * sol, axis=1) - 0.5 * logdet - 0.5 * d * math.log(2 * math.pi)


# --- Gaussians: closed forms ------------------------------------------------------------------


def test_gaussian_posterior_matches_the_closed_form():
    d, m, eta = 3, 2, 0.3
    mu, cov = RNG.standard_normal(d), spd(d)
    a, y = RNG.standard_normal((m, d)), RNG.standard_normal(m)
    post = hardiff.Gaussian(mu, cov).posterior(hardiff.Measurement(a, y, eta))
    prec = np.linalg.inv(cov) + a.T @ a / eta**2
    cov_post = np.linalg.inv(prec)
    mean_post = cov_post @ (np.linalg.solve(cov, mu) + a.T @ y / eta**2)
    np.testing.assert_allclose(post.cov, cov_post, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(post.mean, mean_post, rtol=1e-9, atol=1e-12)


def test_mixture_posterior_weights_and_components_match_the_closed_form():
    d, k, eta = 2, 3, 0.5
    w = np.array([0.2, 0.5, 0.3])
    means = RNG.standard_normal((k, d)) * 2
    covs = np.stack([spd(d) for _ in range(k)])
    a, y = RNG.standard_normal((1, d)), np.array([0.7])
    prior = hardiff.GaussianMixture(w, means, covs)
    post = prior.posterior(hardiff.Measurement(a, y, eta))
    logw = np.array(
        [
            math.log(w[j])
            + gauss_logpdf(y[None, :], a @ means[j], a @ covs[j] @ a.T + eta**2 * np.eye(1))[0]
            for j in range(k)
        ]
    )
    wp = np.exp(logw - logw.max())
    wp /= wp.sum()
    np.testing.assert_allclose(post.weights, wp, rtol=1e-9)
    for j in range(k):
        cj = np.linalg.inv(np.linalg.inv(covs[j]) + a.T @ a / eta**2)
        mj = cj @ (np.linalg.solve(covs[j], means[j]) + a.T @ y / eta**2)
        np.testing.assert_allclose(post.covs[j], cj, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(post.means[j], mj, rtol=1e-9, atol=1e-12)
    ev = np.log(np.sum(np.exp(logw)))
    assert prior.log_evidence(hardiff.Measurement(a, y, eta)) == pytest.approx(ev, rel=1e-9)


@pytest.mark.parametrize("t", [0.0, 0.1, 1.3])
def test_gaussian_score_density_and_tweedie_match_the_closed_form(t):
    d = 3
    mu, cov = RNG.standard_normal(d), spd(d)
    g = hardiff.Gaussian(mu, cov)
    x = RNG.standard_normal((5, d))
    al, v = math.exp(-t), -math.expm1(-2 * t)
    ct = al**2 * cov + v * np.eye(d)
    np.testing.assert_allclose(g.log_density(x, t), gauss_logpdf(x, al * mu, ct), rtol=1e-10)
    score = -np.linalg.solve(ct, (x - al * mu).T).T
    np.testing.assert_allclose(g.score(x, t), score, rtol=1e-9, atol=1e-12)
    # E[X_0 | X_t = x] = μ + α Σ C_t⁻¹ (x − α μ): Gaussian conditioning, independent of Tweedie.
    tweedie = mu + (al * cov @ np.linalg.solve(ct, (x - al * mu).T)).T
    np.testing.assert_allclose(g.denoise(x, t), tweedie, rtol=1e-9, atol=1e-12)


def test_mixture_score_is_the_gradient_of_its_log_density():
    d, k, t, h = 2, 3, 0.4, 1e-5
    prior = hardiff.GaussianMixture(
        np.full(k, 1 / k), RNG.standard_normal((k, d)) * 2, np.stack([spd(d) for _ in range(k)])
    )
    x = RNG.standard_normal((4, d))
    fd = np.stack(
        [
            (prior.log_density(x + h * e, t) - prior.log_density(x - h * e, t)) / (2 * h)
            for e in np.eye(d)
        ],
        axis=1,
    )
    np.testing.assert_allclose(prior.score(x, t), fd, rtol=1e-6, atol=1e-7)


def test_gaussian_samples_have_the_ou_marginal_moments():
    # 20 000 samples: the mean error bound of 5 standard errors fails with probability < 1e-5.
    d, t, n = 2, 0.5, 20_000
    mu, cov = np.array([1.0, -2.0]), np.array([[2.0, 0.5], [0.5, 1.0]])
    x = hardiff.Gaussian(mu, cov).sample(n, t=t, seed=7)
    al, v = math.exp(-t), -math.expm1(-2 * t)
    ct = al**2 * cov + v * np.eye(d)
    assert x.shape == (n, d) and x.dtype == np.float64
    assert np.all(np.abs(x.mean(axis=0) - al * mu) < 5 * np.sqrt(np.diag(ct) / n))
    np.testing.assert_allclose(np.cov(x, rowvar=False), ct, atol=0.08)


def test_sampling_is_a_function_of_the_seed():
    g = hardiff.GaussianMixture([0.5, 0.5], [[0.0], [3.0]], [[[1.0]], [[0.5]]])
    np.testing.assert_array_equal(g.sample(10, seed=3), g.sample(10, seed=3))
    assert not np.array_equal(g.sample(10, seed=3), g.sample(10, seed=4))
    p = hardiff.Pancakes(4, 2.0, 0.1, seed=1)
    np.testing.assert_array_equal(p.sample(5, t=0.2, seed=9), p.sample(5, t=0.2, seed=9))


def test_arrays_are_read_without_copy_and_any_layout_works():
    g = hardiff.Gaussian(np.zeros(3), np.eye(3))
    x = RNG.standard_normal((6, 3))
    # A Fortran-ordered and a strided view give the same values as the C-ordered array.
    np.testing.assert_allclose(g.score(np.asfortranarray(x), 0.2), g.score(x, 0.2))
    wide = RNG.standard_normal((6, 6))
    np.testing.assert_allclose(g.score(wide[:, ::2], 0.2), g.score(wide[:, ::2].copy(), 0.2))
    # Lists and float32 are converted.
    np.testing.assert_allclose(g.score(x.astype(np.float32).tolist(), 0.2),
                               g.score(x.astype(np.float32).astype(np.float64), 0.2))


# --- Pancakes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("t", [0.05, 0.5])
def test_pancake_score_is_the_gradient_of_its_log_density(t):
    d, h = 3, 1e-5
    p = hardiff.Pancakes(d, 2.0, 0.25, seed=5)
    x = RNG.standard_normal((6, d))
    fd = np.stack(
        [(p.log_density(x + h * e, t) - p.log_density(x - h * e, t)) / (2 * h) for e in np.eye(d)],
        axis=1,
    )
    np.testing.assert_allclose(p.score(x, t), fd, rtol=1e-5, atol=1e-6)


def test_pancake_denoiser_is_tweedie_of_its_score():
    p = hardiff.Pancakes(3, 2.0, 0.25, seed=5)
    x, t = RNG.standard_normal((4, 3)), 0.3
    expected = math.exp(t) * (x - math.expm1(-2 * t) * p.score(x, t))
    np.testing.assert_allclose(p.denoise(x, t), expected, rtol=1e-12)


def test_pancakes_secret_and_tv():
    u = np.array([0.6, 0.8, 0.0])
    p = hardiff.Pancakes(3, 2.0, 0.1, secret=u)
    np.testing.assert_array_equal(p.secret, u)
    assert p.dim == 3 and 0.0 < p.tv() <= 1.0
    q = hardiff.Pancakes(5, 2.0, 0.1, seed=2)
    assert np.linalg.norm(q.secret) == pytest.approx(1.0, abs=1e-12)
    # Along the secret the law is a smoothed lattice; orthogonally it is N(0, 1): the
    # orthogonal variance of 20 000 points lies within 0.06 of 1 except with probability < 1e-9.
    x = p.sample(20_000, seed=1)
    orth = x @ np.array([0.8, -0.6, 0.0])
    assert abs(orth.var() - 1.0) < 0.06


# --- Measurement ------------------------------------------------------------------------------


def test_measurement_forward_likelihood_and_json_round_trip(tmp_path):
    a, y, eta = RNG.standard_normal((2, 3)), np.array([0.1, -0.4]), 0.2
    meas = hardiff.Measurement(a, y, eta)
    x = RNG.standard_normal((5, 3))
    np.testing.assert_allclose(meas.forward(x), x @ a.T, rtol=1e-12)
    r = y - x @ a.T
    ll = -0.5 * np.sum(r**2, axis=1) / eta**2 - 2 * 0.5 * math.log(2 * math.pi * eta**2)
    np.testing.assert_allclose(meas.log_likelihood(x), ll, rtol=1e-10)
    path = tmp_path / "meas.json"
    meas.to_json(path)
    assert set(json.loads(path.read_text())) == {"a", "y", "noise_std"}
    back = hardiff.Measurement.from_json(str(path))
    np.testing.assert_array_equal(back.a, a)
    np.testing.assert_array_equal(back.y, y)
    assert back.noise_std == eta and (back.m, back.dim) == (2, 3)


# --- g̃ ----------------------------------------------------------------------------------------


def owf(**kw):
    return hardiff.OwfDistribution("blake3", 6, 6, 11, **kw)


def test_owf_parameters_follow_the_default_rule():
    g = owf()
    n, m, eps = 6, 6, 0.05
    sigma_c = 0.5 / (2 * math.sqrt(2 * math.log(n / eps**2)))
    assert g.dim == 12 and (g.input_bits, g.output_bits) == (6, 6)
    assert g.alpha == 0.5 and g.sigma_c == pytest.approx(sigma_c, rel=1e-12)
    assert g.beta == pytest.approx(eps * sigma_c / math.sqrt(m), rel=1e-12)
    assert g.eta == pytest.approx(g.beta / 4, rel=1e-12)
    assert owf(beta=0.01).beta == 0.01


def test_owf_samples_decode_to_valid_pairs():
    g = owf()
    x = g.sample(50, seed=3)
    s = g.decode(x)
    assert s.shape == (50, 6) and s.dtype == np.uint8
    np.testing.assert_array_equal(s, (x[:, :6] > 0).astype(np.uint8))
    # The f-part of an exact sample is β(2 f(s) − 1): measuring all its bits, the sample inverts.
    assert np.allclose(np.abs(x[:, 6:]), g.beta)
    a = np.hstack([np.zeros((6, 6)), np.eye(6)])
    for row in x[:20]:
        meas = hardiff.Measurement(a, row[6:], g.eta)
        assert g.inverts(row[None, :], meas)[0]
        # Flipping one seed sign gives (almost surely) another f value on 6 bits.
    flipped = x[:20].copy()
    flipped[:, :6] *= -1
    misses = [not g.inverts(flipped[i][None, :], hardiff.Measurement(a, x[i, 6:], g.eta))[0]
              for i in range(20)]
    assert sum(misses) >= 15


def test_exact_posterior_samples_invert_the_measured_bits():
    g = owf()
    meas = g.measure(4, seed=2)
    assert meas.m == 4 and meas.dim == 12 and meas.noise_std == pytest.approx(g.beta / 4)
    post = g.posterior_samples(meas, 64, seed=1)
    assert post.shape == (64, 12)
    # η = β/4: a measured sign is flipped by noise with probability Φ(−4) ≈ 3e-5 per bit.
    assert g.inverts(post, meas).mean() >= 0.95


def test_owf_exact_score_is_the_gradient_of_the_log_density_and_calls_are_counted():
    g = hardiff.OwfDistribution("goldreich", 5, 5, 3)
    x, t, h = g.sample(3, t=0.4, seed=1), 0.4, 1e-5
    fd = np.stack(
        [(g.log_density(x + h * e, t) - g.log_density(x - h * e, t)) / (2 * h)
         for e in np.eye(g.dim)],
        axis=1,
    )
    before = g.calls
    np.testing.assert_allclose(g.score(x, t, exact=True), fd, rtol=1e-4, atol=1e-4)
    g.denoise(x, t)
    g.score(x, t)
    assert g.calls == before + 9


def test_owf_efficient_score_is_close_to_the_exact_score_at_large_t():
    g = owf()
    x = g.sample(20, t=2.0, seed=4)
    np.testing.assert_allclose(g.score(x, 2.0), g.score(x, 2.0, exact=True), atol=1e-3)


# --- Errors -----------------------------------------------------------------------------------


BAD = [
    (lambda: hardiff.Gaussian([0.0, 0.0], [[1.0, 0.0], [0.0, -1.0]]), ValueError),
    (lambda: hardiff.Gaussian([0.0, float("nan")], np.eye(2)), ValueError),
    (lambda: hardiff.Gaussian([0.0], np.eye(2)), ValueError),
    (lambda: hardiff.GaussianMixture([0.5, 0.6], [[0.0], [1.0]], [[[1.0]], [[1.0]]]), ValueError),
    (lambda: hardiff.GaussianMixture([1.0], [[0.0], [1.0]], [[[1.0]], [[1.0]]]), ValueError),
    (lambda: hardiff.Pancakes(3, 2.0, 0.1, secret=[1.0, 1.0, 0.0]), ValueError),
    (lambda: hardiff.Pancakes(3, 2.0, 0.1, secret=[1.0, 0.0]), ValueError),
    (lambda: hardiff.Pancakes(3, -2.0, 0.1), ValueError),
    (lambda: hardiff.Pancakes(-3, 2.0, 0.1), ValueError),
    (lambda: hardiff.Pancakes(3, 2.0, 0.1).sample(-1, seed=0), ValueError),
    (lambda: hardiff.Pancakes(3, 2.0, 0.1).score(np.zeros((2, 4)), 0.1), ValueError),
    (lambda: hardiff.Pancakes(3, 2.0, 0.1).score(np.zeros(3), 0.1), ValueError),
    (lambda: hardiff.Pancakes(3, 2.0, 0.1).score(np.full((1, 3), np.nan), 0.1), ValueError),
    (lambda: hardiff.Pancakes(3, 2.0, 0.1).score(np.zeros((1, 3)), -0.1), ValueError),
    (lambda: hardiff.Pancakes(3, 2.0, 0.1).score(np.zeros((1, 3)), float("inf")), ValueError),
    (lambda: hardiff.Pancakes(3, 2.0, 0.1).score([["a", "b", "c"]], 0.1), ValueError),
    (lambda: hardiff.Measurement(np.eye(2), [0.0, 0.0], 0.0), ValueError),
    (lambda: hardiff.Measurement(np.eye(2), [0.0], 0.1), ValueError),
    (lambda: hardiff.Gaussian(np.zeros(3), np.eye(3)).posterior(
        hardiff.Measurement(np.eye(2), [0.0, 0.0], 0.1)), ValueError),
    (lambda: hardiff.OwfDistribution("md5", 4, 4, 0), ValueError),
    (lambda: hardiff.OwfDistribution("blake3", 0, 4, 0), ValueError),
    (lambda: hardiff.OwfDistribution("blake3", 4, 4, 0, gamma=1.0), ValueError),
    (lambda: hardiff.OwfDistribution("blake3", 4, 4, 0, beta=1.0), ValueError),
    (lambda: owf().measure(7, seed=0), ValueError),
    (lambda: owf().inverts(np.zeros((1, 12)), hardiff.Measurement(np.eye(12), np.zeros(12), 0.1)),
     ValueError),
    (lambda: owf().log_density(np.zeros((1, 12)), 0.0), ValueError),
    (lambda: hardiff.OwfDistribution("blake3", 24, 4, 0).log_density(np.zeros((1, 28)), 0.5),
     hardiff.BudgetExceeded),
    (lambda: hardiff.OwfDistribution("blake3", 24, 4, 0).score(np.zeros((1, 28)), 0.5, exact=True),
     hardiff.BudgetExceeded),
    (lambda: owf().posterior_samples(owf().measure(6, seed=1), 10, seed=0, max_draws=5),
     hardiff.BudgetExceeded),
    (lambda: hardiff.Measurement.from_json("/nonexistent/dir/meas.json"), OSError),
]


@pytest.mark.parametrize("call,exc", BAD)
def test_bad_input_raises_the_documented_exception(call, exc):
    with pytest.raises(exc):
        call()


def test_budget_exceeded_is_a_runtime_error_and_messages_carry_the_value():
    assert issubclass(hardiff.BudgetExceeded, RuntimeError)
    with pytest.raises(ValueError, match="-0.1"):
        hardiff.Pancakes(3, 2.0, 0.1).score(np.zeros((1, 3)), -0.1)


def test_file_errors(tmp_path):
    meas = hardiff.Measurement(np.eye(1), [0.0], 0.1)
    with pytest.raises(OSError):
        meas.to_json(tmp_path / "missing" / "m.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError):
        hardiff.Measurement.from_json(bad)
