"""The challenge round trip from Python through the `hardiff` binary: new → reference → score,
the same report (keys and numbers) as `hardiff.evaluate` on the same samples, the instance hash
recomputed independently (RFC 8785 canonical JSON, docs/challenge.md), and a tampered file's
refusal (exit 1).

The CLI binary is `$HARDIFF_CLI`, else `target/debug/hardiff` (as in test_cli.py); the tests
skip when neither exists. Seeds are fixed: every check is deterministic.
"""

import hashlib
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

import hardiff

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("HARDIFF_CLI") or str(ROOT / "target" / "debug" / "hardiff")

pytestmark = pytest.mark.skipif(not os.path.exists(CLI), reason=f"no hardiff CLI at {CLI}")

# Keys that only the caller of the sampler knows (a file of samples does not).
USAGE_KEYS = {"calls", "calls_per_sample", "max_calls", "wall_s"}


def run(*args):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)


def ok(*args):
    out = run(*args)
    assert out.returncode == 0, out.stderr
    return out.stdout


# --- an independent RFC 8785 canonical encoding (docs/challenge.md "The hash") ---------------


def es_number(v):
    """ECMAScript Number::toString of a finite float (shortest round-trip digits)."""
    if v == 0:
        return "0"
    sign = "-" if v < 0 else ""
    mant, _, exp = repr(abs(v)).partition("e")
    ip, _, fp = mant.partition(".")
    digits = ip + fp
    n = len(ip) + (int(exp) if exp else 0)  # position of the decimal point in `digits`
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + ("e+" if e >= 0 else "e-") + str(abs(e))


def canonical(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return es_number(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(canonical(x) for x in v) + "]"
    keys = sorted(v, key=lambda k: k.encode("utf-16-be"))
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical(v[k]) for k in keys) + "}"


def instance_hash(obj):
    rest = {k: v for k, v in obj.items() if k != "sha256"}
    return hashlib.sha256(canonical(rest).encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    "v,want",
    [(1.0, "1"), (-0.0, "0"), (1e-7, "1e-7"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
     (0.1 + 0.2, "0.30000000000000004"), (1e-6, "0.000001"), (-1.5e-300, "-1.5e-300"),
     (123.456, "123.456")],
)
def test_es_number_reference_values(v, want):
    assert es_number(v) == want


# --- the round trip ---------------------------------------------------------------------------


def new_challenge(tmp_path, prior, *measure, seed=7):
    p = tmp_path / "prior.json"
    p.write_text(json.dumps(prior))
    out = tmp_path / "c"
    ok("challenge", "new", "--prior", p, *measure, "--seed", seed, "--out", out)
    path = out / "challenge.json"
    return path, json.loads(path.read_text())


def score(path, samples, *extra):
    return json.loads(ok("challenge", "score", path, samples, "--format", "json", *extra))


def test_owf_round_trip_matches_evaluate(tmp_path):
    prior = {"kind": "owf-dist", "owf": "blake3", "input_bits": 8, "output_bits": 8, "seed": 1}
    path, c = new_challenge(tmp_path, prior, "--measured-bits", 4)
    assert instance_hash(c) == c["sha256"], "the hash is reproducible outside Rust"
    ref = tmp_path / "ref.npy"
    ok("challenge", "reference", path, "--n", 200, "--out", ref)
    x = np.load(ref)
    assert x.shape == (200, 16) and x.dtype == np.float64
    r = score(path, ref)
    exact = r["baselines"]["exact_posterior"]["success_rate"]
    assert r["ci95"][0] <= exact <= r["ci95"][1]
    assert r["success_rate"] >= 0.9

    # The same samples through evaluate: the same keys and, beside the usage keys, the same
    # numbers (one Rust computation behind both).
    g = hardiff.OwfDistribution("blake3", 8, 8, 1)
    m = c["measurement"]
    meas = hardiff.Measurement(np.array(m["a"]), np.array(m["y"]), m["noise_std"])
    # Success as the Python binding's own `inverts` counts it.
    assert g.inverts(x, meas).mean() == r["success_rate"]
    e = hardiff.evaluate(lambda o, mm, n, rng: x, g, meas, n=200, seed=c["seed"]).to_dict()
    assert set(e) == set(r)
    assert {k: v for k, v in e.items() if k not in USAGE_KEYS} == {
        k: v for k, v in r.items() if k not in USAGE_KEYS
    }
    assert e["calls"] == 0 and r["calls"] is None

    # float32 samples are accepted too.
    np.save(tmp_path / "x32.npy", x.astype(np.float32))
    assert score(path, tmp_path / "x32.npy")["success_rate"] == r["success_rate"]


def test_gmm_round_trip_matches_evaluate(tmp_path):
    means = [[-3.0, 0.0], [3.0, 0.0], [0.0, 3.0]]
    covs = [[[0.5, 0.0], [0.0, 0.5]]] * 3
    prior = {"kind": "gmm", "weights": [0.3, 0.3, 0.4], "means": means, "covs": covs}
    path, c = new_challenge(tmp_path, prior, "--measurements", 1, "--noise-std", 0.5, seed=3)
    assert instance_hash(c) == c["sha256"]
    ref = tmp_path / "ref.npy"
    ok("challenge", "reference", path, "--n", 1000, "--out", ref, "--seed", 5)
    r = score(path, ref)
    # Exact samples sit at the floor: 4× the floor + 0.05 fails for < 1e-3 of seeds.
    assert r["sliced_wasserstein"] < 4 * r["sliced_wasserstein_floor"] + 0.05
    # Against Python's exact posterior (independent of the CLI): the posterior weights agree.
    gm = hardiff.GaussianMixture([0.3, 0.3, 0.4], np.array(means), np.array(covs))
    m = c["measurement"]
    meas = hardiff.Measurement(np.array(m["a"]), np.array(m["y"]), m["noise_std"])
    np.testing.assert_allclose(gm.posterior(meas).weights, r["posterior_weights"], rtol=1e-12)
    x = np.load(ref)
    e = hardiff.evaluate(lambda o, mm, n, rng: x, gm, meas, n=1000, seed=c["seed"]).to_dict()
    assert set(e) == set(r)
    assert {k: v for k, v in e.items() if k not in USAGE_KEYS} == {
        k: v for k, v in r.items() if k not in USAGE_KEYS
    }


def test_a_tampered_challenge_is_refused(tmp_path):
    prior = {"kind": "owf-dist", "owf": "blake3", "input_bits": 8, "output_bits": 8, "seed": 1}
    path, c = new_challenge(tmp_path, prior, "--measured-bits", 4)
    ref = tmp_path / "ref.csv"
    ok("challenge", "reference", path, "--n", 3, "--out", ref)
    c["measurement"]["y"][0] += 1e-9
    path.write_text(json.dumps(c))
    out = run("challenge", "score", path, ref)
    assert out.returncode == 1
    assert len(out.stderr.strip().splitlines()) == 1 and "altered" in out.stderr
    assert out.stdout == ""


def test_wrong_shapes_exit_2(tmp_path):
    prior = {"kind": "owf-dist", "owf": "blake3", "input_bits": 8, "output_bits": 8, "seed": 1}
    path, _ = new_challenge(tmp_path, prior, "--measured-bits", 4)
    bad = tmp_path / "bad.npy"
    for arr in (np.zeros((3, 15)), np.zeros(16), np.zeros((2, 16), dtype=np.int64),
                np.full((2, 16), np.nan)):
        np.save(bad, arr)
        out = run("challenge", "score", path, bad)
        assert out.returncode == 2, (arr.shape, arr.dtype, out.stderr)
        assert len(out.stderr.strip().splitlines()) == 1
