"""Kernel influence on CPU: the batched way beside the plain way, and what fits in an hour.

    .venv/bin/python benchmarks/bench_influence.py [--quick]

Random-weight models (the rate does not depend on the weights) with the evaluate rule's default of
averaging each sequence with its reverse complement:

* the ``small`` preset at the default run's sizes (64 x 20 kernels, 200 bp, 10 targets): the
  batched influence of all kernels over the default sample (influence.n_sequences = 1000); the
  target is under a minute on 2 cores;
* the ``danq`` preset (320 x 26 kernels, 1000 bp, 919 targets): sequence-kernel pairs per second of
  the batched way (first layer once, K perturbed copies through the layers above) and of the plain
  way (one full model call per perturbed kernel), side by side on the same sequences and kernels,
  and the sample size whose influence over all 320 kernels takes one hour at the batched rate.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_result  # noqa: E402
sys.path.insert(0, str(HERE.parent / "src"))


def _data(rng, n, length, T):
    return (rng.integers(0, 4, size=(n, length)).astype(np.uint8),
            (rng.random((n, T)) < 0.3).astype(np.uint8))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    import keras

    from danqmotifs.model import build_model, spec_from_config
    from danqmotifs.trust.influence import kernel_influence, kernel_influence_plain

    threads = os.cpu_count()
    figures, ratios = [], []
    rng = np.random.default_rng(0)
    quiet = lambda m: None  # noqa: E731

    # the default run
    keras.utils.set_random_seed(0)
    n_default = 500 if args.quick else 1000
    small = build_model(spec_from_config({"preset": "small"}, 200, 10))
    codes, labels = _data(rng, n_default, 200, 10)
    names = [f"t{i}" for i in range(10)]
    kernel_influence(small, codes[:100], labels[:100], names, log=quiet)          # trace once
    t0, c0 = time.perf_counter(), time.process_time()
    kernel_influence(small, codes, labels, names, log=quiet)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    figures.append({"what": f"default run sizes (small preset, 64 kernels, 200 bp, 10 targets): influence of "
                            f"all kernels over {n_default} sequences, batched", "value": round(dt, 2), "unit": "s"})
    figures.append({"what": "default run sizes: the same, CPU time of all threads (less sensitive to other "
                            "processes on a shared machine)", "value": round(cpu, 2), "unit": "s"})
    figures.append({"what": "default run sizes: sequence-kernel pairs, batched", "value": round(n_default * 64 / dt),
                    "unit": "pairs/s"})

    # the danq preset, side by side on the same sequences and kernels
    danq = build_model(spec_from_config({"preset": "danq"}, 1000, 919))
    n, kern = (8, 8) if args.quick else (20, 16)
    codes, labels = _data(rng, n, 1000, 919)
    names = [f"t{i}" for i in range(919)]
    sel = list(range(kern))
    kernel_influence(danq, codes[:4], labels[:4], names, batch_size=4, kernels=[0, 1], log=quiet)   # trace
    kernel_influence_plain(danq, codes[:4], labels[:4], names, batch_size=4, kernels=[0])
    t0 = time.perf_counter()
    kernel_influence(danq, codes, labels, names, batch_size=n, kernels=sel, log=quiet)
    fast = n * kern / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    kernel_influence_plain(danq, codes, labels, names, batch_size=n, kernels=sel)
    plain = n * kern / (time.perf_counter() - t0)
    figures.append({"what": f"danq preset (320 x 26, 1000 bp, 919 targets), {n} sequences x {kern} kernels: "
                            "batched (first layer once)", "value": round(fast, 2), "unit": "pairs/s"})
    figures.append({"what": "danq preset, same pairs: plain (one full model call per kernel)",
                    "value": round(plain, 2), "unit": "pairs/s"})
    ratios.append({"what": "danq preset: batched pairs/s / plain pairs/s", "value": round(fast / plain, 3),
                   "baseline": "plain"})
    hour = int(3600 * fast / 320)
    figures.append({"what": f"danq preset: sample size whose influence over all 320 kernels takes 1 hour "
                            f"on this machine ({threads} cores), batched", "value": hour, "unit": "sequences"})

    print(write_result("influence", figures, ratios).read_text(), end="")


if __name__ == "__main__":
    main()
