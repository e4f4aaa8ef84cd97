"""Speed of the MLE path: best-window scores m[s, t] of DanQ-sized kernels over a sequence sample,
the MLE of the base, and the exact PWMs, including I/O.

    .venv/bin/python benchmarks/bench_mle.py [--quick]

Full size (the issue's target): 10,000 sequences x 1000 bp, 320 kernels x 26 rows. Random one-hot
sequences and random kernels are written to a kernels.h5 in the workflow's layout in a temporary
directory; the timed run reads it back (with its one-hot validation), scans, fits the base (shared
and per kernel) and writes the PWM tensor, once per scan engine (blas, numba) side by side.

Baseline, in the same run: the straightforward loop of the published toolbox, one
``scipy.signal.correlate(sequence, kernel, "valid")`` per sequence and kernel, on a subset of the
sequences (all 320 kernels); its time per (sequence, kernel) pair is compared with ours on the full
run, and with ours on the same subset. Both give the same m to 1e-9.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_result  # noqa: E402
sys.path.insert(0, str(HERE.parent / "src"))

from danqmotifs.core.pwm import kernel_to_pwm  # noqa: E402
from danqmotifs.model.kernels import read_kernels_file, write_kernels_file  # noqa: E402
from danqmotifs.motifs.mle import estimate_base  # noqa: E402
from danqmotifs.motifs.scoring import numba_available, scan_max  # noqa: E402


def full_run(path: Path, out: Path, engine: str, batch_size: int) -> dict:
    import h5py

    t = {}
    c0 = time.process_time()
    t0 = time.perf_counter()
    kf = read_kernels_file(path)
    t["read"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    scan = scan_max(kf.codes, kf.W, batch_size=batch_size, engine=engine)
    t["scan"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    shared = estimate_base(kf.W, scan.m, kf.bias, "all", "shared")
    per = estimate_base(kf.W, scan.m, kf.bias, "activated", "per_kernel")
    t["mle"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    P = kernel_to_pwm(kf.W, per.ln_b)
    with h5py.File(out, "w") as f:
        f.create_dataset("PWM_tensor", data=P, track_times=False)
        f.create_dataset("ln_b", data=per.ln_b, track_times=False)
    t["pwm_write"] = time.perf_counter() - t3
    t["total"] = time.perf_counter() - t0
    t["cpu"] = time.process_time() - c0
    return {"times": t, "m": scan.m, "ln_b_shared": float(shared.ln_b[0])}


def baseline_correlate(x_onehot: np.ndarray, W: np.ndarray) -> np.ndarray:
    """The published toolbox's loop: one scipy.signal.correlate per sequence and kernel."""
    from scipy import signal

    n, K = x_onehot.shape[0], W.shape[0]
    m = np.empty((n, K))
    for s in range(n):
        for t in range(K):
            m[s, t] = signal.correlate(x_onehot[s], W[t], mode="valid")[:, 0].max()
    return m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1,000 sequences, baseline on 3 sequences")
    ap.add_argument("--n", type=int, default=None, help="sequences (default 10,000; --quick 1,000)")
    ap.add_argument("--subset", type=int, default=None, help="sequences of the baseline (default 12)")
    ap.add_argument("--batch-size", type=int, default=256)
    args = ap.parse_args()
    n = args.n or (1000 if args.quick else 10000)
    subset = args.subset or (3 if args.quick else 12)
    Ls, K, L = 1000, 320, 26
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    engines = ["blas"] + (["numba"] if numba_available() else [])
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(n, Ls)).astype(np.uint8)
    W = (rng.standard_normal((K, L, 4)) * 0.3).astype(np.float32)
    bias = (-rng.random(K) * 2).astype(np.float32)
    figures, ratios = [], []

    def fig(what, value, unit):
        figures.append({"what": what, "value": round(float(value), 4), "unit": unit})
        print(f"{what}: {value:.4g} {unit}", flush=True)

    fig("CPU cores available", cpus, "cores")
    fig("load average (1 min) at start", os.getloadavg()[0], "")
    with tempfile.TemporaryDirectory() as tmp:
        kpath = Path(tmp) / "kernels.h5"
        write_kernels_file(kpath, W, bias, codes)
        del codes
        if "numba" in engines:                      # compile (or load the cache) outside the timing
            scan_max(np.zeros((1, 40), np.uint8), W[:2], engine="numba")
        runs = {}
        for eng in engines:
            r = full_run(kpath, Path(tmp) / f"pwms_{eng}.h5", eng, args.batch_size)
            runs[eng] = r
            tt = r["times"]
            size = f"{n} x {Ls} bp x {K} kernels x {L}"
            fig(f"{eng}: total incl. I/O, {size}", tt["total"], "s")
            for phase in ("read", "scan", "mle", "pwm_write"):
                fig(f"{eng}: {phase}", tt[phase], "s")
            fig(f"{eng}: CPU time of the process (all threads), total", tt["cpu"], "s")
        if len(engines) == 2:
            fig("max |m_blas - m_numba|", np.abs(runs["blas"]["m"] - runs["numba"]["m"]).max(), "")
        # baseline on a subset, ours on the same subset, side by side
        kf = read_kernels_file(kpath)
        xs = np.eye(4)[kf.codes[:subset]]
        c0, t0 = time.process_time(), time.perf_counter()
        m_ref = baseline_correlate(xs, kf.W.astype(np.float64))
        t_base = time.perf_counter() - t0
        cpu_base = time.process_time() - c0
        per_pair_base = t_base / (subset * K)
        fig(f"baseline scipy.signal.correlate loop, {subset} sequences x {K} kernels", t_base, "s")
        fig("baseline per (sequence, kernel) pair", per_pair_base * 1e6, "us")
        fig(f"baseline extrapolated to {n} sequences", per_pair_base * n * K, "s")
        for eng in engines:
            m_full = runs[eng]["m"]
            err = np.abs(m_full[:subset] - m_ref).max()
            fig(f"{eng}: max |m - baseline m| on the subset", err, "")
            t0 = time.perf_counter()
            scan_max(kf.codes[:subset], kf.W, engine=eng)
            t_sub = time.perf_counter() - t0
            fig(f"{eng}: scan of the same subset", t_sub, "s")
            per_pair = runs[eng]["times"]["scan"] / (n * K)
            ratios.append({"what": f"{eng} scan vs correlate loop, per pair (full run)",
                           "value": round(per_pair_base / per_pair, 1), "baseline": "scipy.signal.correlate loop"})
            ratios.append({"what": f"{eng} total incl. I/O + MLE vs correlate loop (scores only), per pair",
                           "value": round(per_pair_base / (runs[eng]["times"]["total"] / (n * K)), 1),
                           "baseline": "scipy.signal.correlate loop"})
            ratios.append({"what": f"{eng} total vs correlate loop, per pair, by CPU time (less sensitive to load)",
                           "value": round((cpu_base / (subset * K)) / (runs[eng]["times"]["cpu"] / (n * K)), 1),
                           "baseline": "scipy.signal.correlate loop"})
            ratios.append({"what": f"{eng} vs correlate loop on the same {subset} sequences",
                           "value": round(t_base / t_sub, 1), "baseline": "scipy.signal.correlate loop"})
    for r in ratios:
        print(f"ratio: {r['what']}: {r['value']}x", flush=True)
    fig("load average (1 min) at end", os.getloadavg()[0], "")
    write_result("mle", figures, ratios, machine={"cpus": cpus})
    print(f"wrote {HERE / 'out' / 'mle.json'}")


if __name__ == "__main__":
    main()
