"""The same seeds give the same numbers from Python as from the `hardiff` command line.

The CLI binary is `$HARDIFF_CLI`, else `target/debug/hardiff` of this checkout (built by
`cargo test --workspace`, as .ci/run does before pytest); the tests skip when neither exists.
"""

import io
import os
import pathlib
import subprocess

import numpy as np
import pytest

import hardiff

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("HARDIFF_CLI") or str(ROOT / "target" / "debug" / "hardiff")

pytestmark = pytest.mark.skipif(not os.path.exists(CLI), reason=f"no hardiff CLI at {CLI}")


def cli(*args):
    out = subprocess.run([CLI, *map(str, args)], check=True, capture_output=True, text=True)
    return np.loadtxt(io.StringIO(out.stdout), delimiter=",", skiprows=1, ndmin=2)


def test_pancake_samples_match_the_cli():
    x = cli("pancakes", "sample", "--dim", 3, "--gamma", 2, "--sigma", 0.1, "--n", 5,
            "--seed", 4, "--t", 0.2)
    p = hardiff.Pancakes(3, 2.0, 0.1, seed=4)
    np.testing.assert_allclose(p.sample(5, t=0.2, seed=4), x, rtol=1e-15, atol=0)


def test_owf_samples_match_the_cli():
    x = cli("owf-dist", "sample", "--kind", "goldreich", "--input-bits", 6, "--output-bits", 5,
            "--seed", 11, "--n", 4, "--t", 0.3)
    g = hardiff.OwfDistribution("goldreich", 6, 5, 11)
    np.testing.assert_allclose(g.sample(4, t=0.3, seed=11), x, rtol=1e-15, atol=0)
