"""The published DanQ file in Keras 3, and the fidelity test's own work, at the paper's sizes.

    .venv/bin/python benchmarks/bench_fidelity.py [--quick]

* reading a DanQ_bestmodel.hdf5-layout file of random weights (320 x 26 kernels, 2 x 320 LSTM
  units, 48000 -> 925 -> 919) and building the Keras 3 model;
* CPU prediction throughput of that model (two forward LSTMs with Keras 0.2's hard sigmoid) beside
  the ``danq`` preset of ``danqmotifs.model`` (a Keras Bidirectional LSTM), same sizes;
* the fidelity test's substitutes for 320 kernels of 26: the exact one, and the heuristic
  least-squares fit over 100,000 sampled windows. The test's main cost is three evaluation passes
  (original, exact, heuristic) over the split, i.e. three times the evaluate rule.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_result  # noqa: E402
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE.parent / "tests"))          # helpers.published: synthetic weights files


def _rate(model, x, repeats: int = 2) -> float:
    model.predict_on_batch(x[:8])                          # trace once
    t0 = time.perf_counter()
    for _ in range(repeats):
        model.predict_on_batch(x)
    return repeats * x.shape[0] / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    import keras  # noqa: F401  (imported before any timing)
    from danqmotifs.core.alphabet import codes_to_onehot
    from danqmotifs.model import build_model, spec_from_config
    from danqmotifs.model.published import load_published_danq
    from danqmotifs.papers.k2p.fidelity import exact_substitute, heuristic_substitute, sample_windows
    from helpers.published import random_published_weights, write_published_weights
    from danqmotifs.core.pwm import kernel_to_pwm

    rng = np.random.default_rng(0)
    n_seq = 20 if args.quick else 100
    figures, ratios = [], []
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "DanQ_bestmodel.hdf5"
        weights = random_published_weights(rng)
        write_published_weights(path, weights)
        t0 = time.perf_counter()
        model = load_published_danq(path)
        figures.append({"what": "read DanQ_bestmodel.hdf5 layout (46.9 M parameters) and build the Keras 3 model",
                        "value": round(time.perf_counter() - t0, 2), "unit": "s"})
    x = codes_to_onehot(rng.integers(0, 4, size=(n_seq, 1000)))
    published = _rate(model, x)
    preset = _rate(build_model(spec_from_config({"preset": "danq"}, 1000, 919)), x)
    figures.append({"what": f"published model, CPU predictions (batch {n_seq})", "value": round(published, 1),
                    "unit": "sequences/s"})
    figures.append({"what": f"danq preset (Keras Bidirectional), CPU predictions (batch {n_seq})",
                    "value": round(preset, 1), "unit": "sequences/s"})
    ratios.append({"what": "published model throughput / danq preset throughput (CPU)",
                   "value": round(published / preset, 2), "baseline": "danq preset"})

    W = weights.correlation_kernels().astype(np.float64)
    bias = weights.conv_bias.astype(np.float64)
    v = np.full(W.shape[0], 1.5)
    t0 = time.perf_counter()
    exact_substitute(W, bias, kernel_to_pwm(W, v), v)
    figures.append({"what": "exact substitute, 320 kernels x 26", "value": round(time.perf_counter() - t0, 3),
                    "unit": "s"})
    codes = rng.integers(0, 4, size=(2000, 1000)).astype(np.uint8)
    n_win = 20_000 if args.quick else 100_000
    ppm = rng.dirichlet(np.ones(4), size=W.shape[:2])
    t0 = time.perf_counter()
    heuristic_substitute(W, bias, ppm, np.zeros(W.shape[0], bool), sample_windows(codes, 26, n_win))
    figures.append({"what": f"heuristic least-squares fit, 320 kernels x 26, {n_win:,} windows",
                    "value": round(time.perf_counter() - t0, 2), "unit": "s"})

    print(write_result("fidelity", figures, ratios).read_text(), end="")


if __name__ == "__main__":
    main()
