"""The examples in examples/python (DPS and TDS written against the public oracle, and the
script that prints the README's tables) run at a tiny size, so they cannot rot; and TDS, which
is consistent, is close to the exact posterior on a Gaussian prior (where its twisting is
exact)."""

import os
import sys

import numpy as np
import pytest

import hardiff

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python")
sys.path.insert(0, os.path.abspath(EXAMPLES))

import run_examples  # noqa: E402
import samplers  # noqa: E402


def test_the_script_prints_both_tables(capsys):
    run_examples.main(["--tiny"])
    out = capsys.readouterr().out
    assert "| MCGdiff GMM d=2, m=1 | DPS" in out
    assert "| 2 | TDS (4 particles)" in out


@pytest.mark.parametrize("jacobian", ["fd", "free"])
@pytest.mark.parametrize("name", ["dps", "tds"])
def test_samplers_return_finite_draws_and_count_calls(name, jacobian):
    prior, meas = hardiff.mcgdiff_gmm(4, 2, seed=1)
    oracle = hardiff.Oracle(prior)
    fn = getattr(samplers, name)
    x = fn(oracle, meas, 10, np.random.default_rng(0), steps=5, jacobian=jacobian)
    assert x.shape == (10, 4) and np.all(np.isfinite(x))
    per_step = 3 if jacobian == "fd" else 1
    assert oracle.calls >= 10 * 5 * per_step


def test_the_finite_difference_jacobian_matches_the_closed_form():
    # For N(μ, Σ) the denoiser is affine: D_t(x) = e^t (x + v_t s_t(x)) with
    # s_t(x) = −(α²Σ + v I)⁻¹(x − αμ), so J_D = e^t (I − v (α²Σ + v I)⁻¹).
    mu, cov = np.array([0.3, -1.0]), np.array([[2.0, 0.4], [0.4, 0.7]])
    g = hardiff.Gaussian(mu, cov)
    t = 0.4
    al, v = np.exp(-t), -np.expm1(-2 * t)
    jd = np.exp(t) * (np.eye(2) - v * np.linalg.inv(al**2 * cov + v * np.eye(2)))
    x = np.random.default_rng(2).standard_normal((3, 2))
    u = np.random.default_rng(3).standard_normal((3, 2))
    got = samplers._jd_times(hardiff.Oracle(g), x, t, u, "fd")
    np.testing.assert_allclose(got, u @ jd.T, rtol=1e-6, atol=1e-8)


def test_tds_is_close_to_the_exact_posterior_of_a_gaussian():
    # The twisting N(y; A D_t, η² I + v_t AAᵀ) is exact for N(μ, I) data, so TDS is then exact
    # up to discretisation. n = 2000, seed fixed: the mean error of exact samples is about
    # 0.03; 0.15 leaves room for the 50-step discretisation (a failure would mean a bias).
    g = hardiff.Gaussian(np.array([1.0, -2.0]), np.eye(2))
    meas = hardiff.Measurement(np.array([[0.6, -0.3]]), [0.5], 0.2)
    r = hardiff.evaluate(
        lambda o, m, n, rng: samplers.tds(o, m, n, rng, steps=50, particles=16),
        g, meas, n=2000, seed=0,
    ).to_dict()
    assert r["mean_error"] < 0.15
    assert r["sliced_wasserstein"] < 3 * r["sliced_wasserstein_floor"] + 0.05
