"""Speed of the heuristic PFMs (stack each sequence's max-activation window per kernel).

    .venv/bin/python benchmarks/bench_heuristic.py [--quick]

Ours: the batched scan (``scoring.scan_max``) then the counting step (``heuristic_counts``), on n
sequences x 1000 bp (default 10,000; --quick 1,000) with 320 kernels x 26, forward strand.

Baselines, side by side in the same run on a subset of the sequences (all kernels):

* ``recipe loop`` (DanQ issue #9): the first layer's activations computed in one batch, then a
  Python loop over kernels and sequences that takes the argmax of each activation track and adds
  the window to the kernel's counts when the activation is > 0. Our counting step replaces exactly
  this loop (the activations are the common part): that ratio is the like-for-like one.
* ``naive loop``: the same loop computing each (kernel, sequence) activation track itself (NumPy
  dot products over the window view).

Counts of both baselines equal ours exactly on the subset. Wall and CPU times are reported (the
machine may be shared: CPU time is less sensitive to other processes).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_result  # noqa: E402
sys.path.insert(0, str(HERE.parent / "src"))

from danqmotifs.core.alphabet import codes_to_onehot  # noqa: E402
from danqmotifs.motifs.heuristic import heuristic_counts  # noqa: E402
from danqmotifs.motifs.scoring import numba_available, scan_max  # noqa: E402


def batch_activations(x: np.ndarray, W: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """ReLU(conv + bias) of a batch: (n, P, K) float32, as the model's first layer gives it."""
    n, Ls, _ = x.shape
    K, L, _ = W.shape
    win = np.lib.stride_tricks.sliding_window_view(x.astype(np.float32), L, axis=1)     # (n, P, 4, L)
    A = np.ascontiguousarray(win.transpose(0, 1, 3, 2)).reshape(-1, L * 4)
    act = A @ W.reshape(K, L * 4).T.astype(np.float32) + bias.astype(np.float32)
    return np.maximum(act, 0).reshape(n, Ls - L + 1, K)


def recipe_loop(x: np.ndarray, act: np.ndarray, L: int) -> tuple[np.ndarray, np.ndarray]:
    """The Python loop over kernels and sequences on given activations (n, P, K)."""
    n, P, K = act.shape
    counts = np.zeros((K, L, 4))
    nsites = np.zeros(K, dtype=np.int64)
    for t in range(K):
        for s in range(n):
            i = int(np.argmax(act[s, :, t]))
            if act[s, i, t] > 0:
                counts[t] += x[s, i:i + L]
                nsites[t] += 1
    return counts, nsites


def naive_loop(x: np.ndarray, W: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per kernel, per sequence: the activation track, its argmax, the window if activated."""
    n, Ls, _ = x.shape
    K, L, _ = W.shape
    counts = np.zeros((K, L, 4))
    nsites = np.zeros(K, dtype=np.int64)
    for t in range(K):
        w = W[t].ravel()
        for s in range(n):
            win = np.lib.stride_tricks.sliding_window_view(x[s], (L, 4))[:, 0]   # (P, L, 4)
            act = np.maximum(win.reshape(-1, L * 4) @ w + bias[t], 0.0)
            i = int(np.argmax(act))
            if act[i] > 0:
                counts[t] += x[s, i:i + L]
                nsites[t] += 1
    return counts, nsites


class Timer:
    def __enter__(self):
        self.c, self.t = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t
        self.cpu = time.process_time() - self.c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1,000 sequences, baselines on 4 sequences")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--subset", type=int, default=None, help="sequences of the baselines (default 12)")
    args = ap.parse_args()
    n = args.n or (1000 if args.quick else 10000)
    subset = args.subset or (4 if args.quick else 12)
    Ls, K, L = 1000, 320, 26
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    engine = "numba" if numba_available() else "blas"
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(n, Ls)).astype(np.uint8)
    W = (rng.standard_normal((K, L, 4)) * 0.3).astype(np.float32)
    bias = (-rng.random(K) * 4).astype(np.float32)
    bias[:8] = -1e3                                                   # a few dead kernels
    figures, ratios = [], []

    def fig(what, value, unit):
        figures.append({"what": what, "value": round(float(value), 4), "unit": unit})
        print(f"{what}: {value:.4g} {unit}", flush=True)

    def ratio(what, value, baseline):
        ratios.append({"what": what, "value": round(float(value), 1), "baseline": baseline})

    fig("CPU cores available", cpus, "cores")
    fig("load average (1 min) at start", os.getloadavg()[0], "")
    # compile / load the numba caches outside the timings
    warm = scan_max(codes[:2, :60], W[:3], engine=engine)
    heuristic_counts(codes[:2, :60], L, bias[:3], warm.m, warm.pos,
                     engine="numba" if engine == "numba" else "numpy")
    with Timer() as t_scan:
        scan = scan_max(codes, W, engine=engine)
    with Timer() as t_count:
        h = heuristic_counts(codes, L, bias, scan.m, scan.pos)
    pairs = n * K
    fig(f"ours: scan ({engine}), {n} x {Ls} bp x {K} kernels x {L}", t_scan.wall, "s")
    fig("ours: counting step", t_count.wall, "s")
    fig("ours: total", t_scan.wall + t_count.wall, "s")
    fig("ours: CPU time, scan + count (all threads)", t_scan.cpu + t_count.cpu, "s")
    fig("dead kernels", int(h.dead.sum()), "kernels")

    xs = codes_to_onehot(codes[:subset], dtype=np.float64)
    W64, b64 = W.astype(np.float64), bias.astype(np.float64)
    with Timer() as t_act:
        act = batch_activations(xs, W64, b64)
    with Timer() as t_recipe:
        c_recipe, ns_recipe = recipe_loop(xs, act, L)
    with Timer() as t_naive:
        c_naive, ns_naive = naive_loop(xs, W64, b64)
    sub = scan_max(codes[:subset], W, engine=engine)
    with Timer() as t_count_sub:
        h_sub = heuristic_counts(codes[:subset], L, bias, sub.m, sub.pos)
    same = bool(np.array_equal(c_recipe, h_sub.counts) and np.array_equal(c_naive, h_sub.counts)
                and np.array_equal(ns_recipe, h_sub.nsites))
    fig("baselines agree with ours on the subset (1 = yes)", int(same), "")
    ps = subset * K
    fig(f"recipe: batch activations, {subset} sequences", t_act.wall, "s")
    fig(f"recipe: Python loop over {K} kernels x {subset} sequences", t_recipe.wall, "s")
    fig("recipe loop per (sequence, kernel) pair", t_recipe.wall / ps * 1e6, "us")
    fig(f"recipe loop extrapolated to {n} sequences", t_recipe.wall / ps * pairs, "s")
    fig(f"naive loop: {K} kernels x {subset} sequences", t_naive.wall, "s")
    fig("naive loop per (sequence, kernel) pair", t_naive.wall / ps * 1e6, "us")
    fig(f"our counting step on the same {subset} sequences", t_count_sub.wall, "s")

    ratio("counting step vs recipe loop, per pair (full run vs subset), wall",
          (t_recipe.wall / ps) / (t_count.wall / pairs), "DanQ issue #9 loop on given activations")
    ratio("counting step vs recipe loop, per pair, CPU time",
          (t_recipe.cpu / ps) / (t_count.cpu / pairs), "DanQ issue #9 loop on given activations")
    ratio(f"counting step vs recipe loop on the same {subset} sequences, wall",
          t_recipe.wall / max(t_count_sub.wall, 1e-9), "DanQ issue #9 loop on given activations")
    ratio("scan + count vs batch activations + recipe loop, per pair, wall",
          ((t_act.wall + t_recipe.wall) / ps) / ((t_scan.wall + t_count.wall) / pairs),
          "DanQ issue #9 recipe, whole")
    ratio("scan + count vs naive loop, per pair, wall",
          (t_naive.wall / ps) / ((t_scan.wall + t_count.wall) / pairs), "naive per-kernel per-sequence loop")
    ratio("scan + count vs naive loop, per pair, CPU time",
          (t_naive.cpu / ps) / ((t_scan.cpu + t_count.cpu) / pairs), "naive per-kernel per-sequence loop")
    for r in ratios:
        print(f"ratio: {r['what']}: {r['value']}x", flush=True)
    fig("load average (1 min) at end", os.getloadavg()[0], "")
    write_result("heuristic", figures, ratios, machine={"cpus": cpus, "engine": engine})
    print(f"wrote {HERE / 'out' / 'heuristic.json'}")


if __name__ == "__main__":
    main()
