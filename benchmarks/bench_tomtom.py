"""Speed of the matching: 320 motifs of width 26 (as DanQ's kernels) against the 879 matrices of
JASPAR2024 CORE vertebrates with memelite's Tomtom, once compiled.

Figures: the warm time (median of repeats, after one warm-up call) with all threads and with one
thread side by side; the first call in a process that finds the compiled code cached; and, unless
--quick, the first call in a fresh process with an empty numba cache (the one-off compile).

    .venv/bin/python benchmarks/bench_tomtom.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "out" / "tomtom.json"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_result  # noqa: E402

_CHILD = """
import sys, time, numpy as np
sys.path.insert(0, {src!r})
from danqmotifs.sources.jaspar import fetch_collection
from danqmotifs.match.engines import tomtom_memelite
from danqmotifs.core.motif import Motif
targets = fetch_collection()
rng = np.random.default_rng(0)
q = [Motif(f"k{{i}}", rng.dirichlet(np.full(4, 1.0), size=26)) for i in range({n})]
t0 = time.perf_counter(); tomtom_memelite(q, targets); t1 = time.perf_counter()
tomtom_memelite(q, targets); t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def queries(n: int, width: int = 26, seed: int = 1):
    """Random-ish kernel motifs: rows from Dirichlet distributions of varied sharpness."""
    from danqmotifs.core.motif import Motif

    rng = np.random.default_rng(seed)
    alphas = rng.choice([0.3, 0.7, 1.5, 4.0], size=n)
    return [Motif(f"kernel_{i:03d}", rng.dirichlet(np.full(4, a), size=width), "exact") for i, a in enumerate(alphas)]


def _child(n: int, cache_dir: str | None) -> tuple[float, float, float]:
    """(first call s, second call s, CPU s of the whole child process) in a fresh process."""
    import resource

    env = dict(os.environ)
    if cache_dir:
        env["NUMBA_CACHE_DIR"] = cache_dir
    src = str(Path(__file__).resolve().parents[1] / "src")
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", _CHILD.format(src=src, n=n)], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return float(out[-2]), float(out[-1]), cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="64 motifs, 2 repeats, no cold compile")
    a = ap.parse_args()
    import numba

    from danqmotifs.match.engines import tomtom_memelite
    from danqmotifs.sources.jaspar import fetch_collection

    n, reps = (64, 2) if a.quick else (320, 3)
    targets = fetch_collection()
    qs = queries(n)
    figures = []

    def fig(what, value, unit="s"):
        figures.append({"what": what, "value": round(float(value), 4), "unit": unit})
        print(f"{what}: {value:.3f} {unit}")

    fig("targets (JASPAR2024 CORE vertebrates, latest)", len(targets), "matrices")
    fig("query motifs (width 26)", n, "motifs")
    # one process that finds the compiled code in numba's cache (site-packages)
    first_cached, _, _ = _child(8, None)
    fig("first call in a fresh process, compiled code cached (8 motifs)", first_cached)

    tomtom_memelite(qs, targets)  # warm-up
    threads = numba.get_num_threads()
    t_all, t_one = [], []
    for _ in range(reps):  # interleaved, so that both see the same machine load
        t0 = time.perf_counter()
        tomtom_memelite(qs, targets, n_jobs=-1)
        t_all.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        tomtom_memelite(qs, targets, n_jobs=1)
        t_one.append(time.perf_counter() - t0)
    med_all, med_one = float(np.median(t_all)), float(np.median(t_one))
    fig(f"{n} x {len(targets)} warm, {threads} threads (median of {reps})", med_all)
    fig(f"{n} x {len(targets)} warm, 1 thread (median of {reps})", med_one)
    ratio = [{"what": f"1 thread / {threads} threads", "value": round(med_one / med_all, 3),
              "baseline": f"{threads} threads"}]

    if not a.quick:
        with tempfile.TemporaryDirectory() as cache:
            first_cold, warm, cpu = _child(8, cache)
        fig("first call with an empty numba cache (compile + 8 motifs), wall", first_cold)
        fig("compile time (that call minus a warm call), wall", first_cold - warm)
        fig("CPU time of that whole process (compile dominated)", cpu, "CPU s")

    write_result("tomtom", figures, ratio, machine={"cpus": os.cpu_count(), "numba_threads": threads,
                                                    "load_average_1min": round(os.getloadavg()[0], 2)})
    print(f"-> {OUT}")


if __name__ == "__main__":
    main()
