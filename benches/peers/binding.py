#!/usr/bin/env python3
"""The Python-binding timing of `cargo xtask peer` (xtask/src/peer_binding.rs).

Times ``hardiff.Pancakes.score(x, t)`` — the installed extension, called from Python on a
float64 array of points that Rust wrote — and writes the scores back, so the Rust side can time
the same library call on the same points and check that both return the same numbers.

Usage: binding.py CONFIG.json. Prints one JSON object {"seconds": best wall time,
"hardiff_version": ...} on stdout. Exit status 3 (and a message on stderr) when ``hardiff`` (or
NumPy) is not installed in this interpreter.
"""

import json
import sys
import time

try:
    import numpy as np

    import hardiff
except ImportError as e:  # pragma: no cover - exercised by the Rust side's skip path
    sys.stderr.write(f"hardiff is not installed in this interpreter ({e}); pip install .\n")
    sys.exit(3)


def main(path):
    with open(path) as f:
        cfg = json.load(f)
    rows, dim = cfg["points"], cfg["dim"]
    # Raw little-endian float64, row-major: read without any parsing.
    x = np.fromfile(cfg["input"], dtype="<f8").reshape(rows, dim)
    law = hardiff.Pancakes(dim, cfg["gamma"], cfg["sigma"], secret=np.asarray(cfg["secret"]))
    t = cfg["t"]
    s = law.score(x, t)  # warm-up (page faults of the first output, thread-pool start)
    best = float("inf")
    for _ in range(cfg["reps"]):
        start = time.perf_counter()
        s = law.score(x, t)
        best = min(best, time.perf_counter() - start)
    np.ascontiguousarray(s, dtype="<f8").tofile(cfg["output"])
    print(json.dumps({"seconds": best, "hardiff_version": hardiff.__version__}))


if __name__ == "__main__":
    main(sys.argv[1])
