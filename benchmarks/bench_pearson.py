"""Speed of our Tomtom engine (danqmotifs.tomtom): Pearson and Euclidean column scores, beside
memelite's Tomtom (Euclidean), 320 kernel-like motifs against JASPAR2024 CORE vertebrates.

Queries: PWMs of 320 random DanQ-like kernels (width 26, some with a JASPAR motif planted as
log-probabilities, as DanQ-JASPAR initialised its kernels), through the exact kernel -> PWM map
(danqmotifs.core.pwm.kernel_to_pwm) at a few bases. Timings are warm (after one compile/warm-up call),
median and min of repeats, all threads, the engines taking turns within each repeat (ratios are
taken within a repeat, then their median and min reported); a per-phase CPU profile of our
engine in one thread follows (benchmarks/tomtom_phases.py); the first-call (compile, or load
from numba's cache) time is taken once in a fresh process with an empty numba cache, unless --quick. With --meme-reference DIR it
also measures the agreement with MEME's tomtom outputs kept there (../shared/reference: the
Jaccard of the query sets matched at E < 0.01, the share of the same best target, the Spearman
correlation of log p-values of the pairs both report).

    .venv/bin/python benchmarks/bench_pearson.py [--quick] [--meme-reference ../shared/reference]
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

OUT = Path(__file__).resolve().parent / "out" / "pearson.json"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_result  # noqa: E402
from tomtom_phases import phase_profile  # noqa: E402
SRC = str(Path(__file__).resolve().parents[1] / "src")

_CHILD = """
import sys, time, numpy as np
sys.path.insert(0, {src!r})
from danqmotifs.tomtom import tomtom
rng = np.random.default_rng(0)
q = [rng.dirichlet(np.ones(4), size=26) for _ in range(4)]
t = [rng.dirichlet(np.ones(4), size=12) for _ in range(60)]
t0 = time.perf_counter(); tomtom(q, t); tomtom(q, t, distance="euclidean"); t1 = time.perf_counter()
tomtom(q, t); tomtom(q, t, distance="euclidean"); t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def kernel_queries(targets, n: int = 320, width: int = 26, seed: int = 1) -> list[np.ndarray]:
    """PWMs of random kernels; every other kernel carries a planted target motif (ln p - ln 1/4)."""
    from danqmotifs.core.pwm import kernel_to_pwm

    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        W = rng.normal(0.0, 0.5, size=(width, 4))
        if i % 2 == 0:
            m = targets[rng.integers(len(targets))].pwm
            m = m[: width - 6]
            at = rng.integers(3, width - 3 - len(m) + 1)
            W[at: at + len(m)] = np.log(np.clip(m, 1e-3, None)) - np.log(0.25)
        out.append(kernel_to_pwm(W, rng.choice([0.7, 1.0, 1.5, 2.0])))
    return out


def _first_call(cache_dir: str) -> tuple[float, float]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", _CHILD.format(src=SRC)], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[-2]), float(out[-1])


class Figures(list):
    """The benchmark's figures, printed as they come."""

    def add(self, what: str, value: float, unit: str = "s") -> None:
        self.append({"what": what, "value": round(float(value), 6), "unit": unit})
        print(f"{what}: {value:.4g} {unit}", flush=True)


def warm_timings(Q, T, reps: int) -> dict[str, list[float]]:
    """Warm wall times of each engine per repeat (the engines run in turn within each repeat, so
    all see the same machine load; the ratios are taken within a repeat)."""
    import warnings

    from memelite import tomtom as memelite_tomtom

    from danqmotifs.tomtom import tomtom

    def memelite_run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            memelite_tomtom([q.T.copy() for q in Q], [t.T.copy() for t in T], n_jobs=-1)

    runs = {"ours, pearson": lambda: tomtom(Q, T, distance="pearson"),
            "ours, euclidean": lambda: tomtom(Q, T, distance="euclidean"),
            "memelite, euclidean": memelite_run}
    for f in runs.values():  # compile / warm up
        f()
    times = {k: [] for k in runs}
    for _ in range(reps):
        for k, f in runs.items():
            t0 = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t0)
    return times


def meme_agreement(ref_dir: Path, figures: Figures) -> None:
    """Agreement with MEME's tomtom 5.5.8 outputs (Pearson) in ``ref_dir`` (see its README)."""
    import pandas as pd
    from scipy.stats import spearmanr

    from danqmotifs.formats.meme import read_meme
    from danqmotifs.tomtom import tomtom, tomtom_table

    db, _ = read_meme(ref_dir / "jaspar2016_core_vertebrates.meme")
    for which in ("exact", "heuristic"):
        qs, bg = read_meme(ref_dir / f"queries_{which}.meme")
        res = tomtom(qs, db, background=bg)
        ours = tomtom_table(res, [m.id for m in qs], [m.id for m in db], thresh=10, evalue=True)
        ref = pd.read_csv(ref_dir / f"tomtom_pearson_{which}.tsv", sep="\t", comment="#")
        best_ref = ref[ref["E-value"] < 0.01].groupby("Query_ID").first()["Target_ID"]
        best_our = ours[ours["E-value"] < 0.01].groupby("Query_ID").first()["Target_ID"]
        a, b = set(best_ref.index), set(best_our.index)
        both = sorted(a & b)
        pairs = ref.merge(ours, on=["Query_ID", "Target_ID"], suffixes=("_ref", "_our"))
        rho = spearmanr(np.log(pairs["p-value_ref"]), np.log(pairs["p-value_our"])).statistic
        same = ["Optimal_offset", "Overlap", "Orientation", "Target_consensus"]
        alike = np.all([pairs[f"{c}_ref"] == pairs[f"{c}_our"] for c in same], axis=0)
        figures.add(f"{which}: queries matched at E < 0.01, MEME / ours", len(a), f"/ {len(b)}")
        figures.add(f"{which}: Jaccard of the matched query sets", len(a & b) / max(1, len(a | b)), "")
        figures.add(f"{which}: same best target (queries both match)",
                    np.mean([best_ref[q] == best_our[q] for q in both]), "fraction")
        figures.add(f"{which}: Spearman of log p over the {len(pairs)} pairs both report "
                    f"(MEME {len(ref)}, ours {len(ours)} at E < 10)", rho, "")
        figures.add(f"{which}: max relative p-value difference",
                    np.max(np.abs(pairs["p-value_our"] / pairs["p-value_ref"] - 1)), "")
        figures.add(f"{which}: pairs with the same offset, overlap, orientation, consensus",
                    alike.mean(), "fraction")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="64 queries, 2 repeats, no cold compile")
    ap.add_argument("--repeats", type=int, default=None, help="warm repeats (default 7; --quick 2)")
    ap.add_argument("--profile-queries", type=int, default=64,
                    help="queries in the per-phase profile (the first N; default 64)")
    ap.add_argument("--no-cold", action="store_true",
                    help="skip the first call with an empty numba cache (minutes on a busy machine)")
    shared = Path(__file__).resolve().parents[2] / "shared" / "reference"
    ap.add_argument("--meme-reference", type=Path, default=shared if shared.is_dir() else None,
                    help="folder with MEME tomtom outputs (default ../shared/reference when it exists): "
                         "also measure the agreement with them")
    a = ap.parse_args()
    import numba

    from danqmotifs.sources.jaspar import fetch_collection

    n, reps = (64, 2) if a.quick else (320, 7)
    reps = a.repeats or reps
    targets = fetch_collection()
    T = [m.pwm for m in targets]
    Q = kernel_queries(targets, n)
    figures = Figures()
    threads = numba.get_num_threads()
    figures.add("targets (JASPAR2024 CORE vertebrates, latest)", len(T), "matrices")
    figures.add("queries (kernel PWMs, width 26)", n, "motifs")
    times = warm_timings(Q, T, reps)
    med = {k: float(np.median(v)) for k, v in times.items()}
    for k, v in times.items():
        figures.add(f"{k}: {n} x {len(T)} warm, {threads} threads (median of {reps})", med[k])
        figures.add(f"{k}: {n} x {len(T)} warm, {threads} threads (min of {reps})", min(v))
    from danqmotifs.tomtom import tomtom

    c0 = time.process_time()
    tomtom(Q, T, n_jobs=1)
    figures.add(f"ours, pearson: CPU time of one warm 1-thread run ({n} x {len(T)})",
                time.process_time() - c0, "CPU s")
    base = np.array(times["memelite, euclidean"])
    ratios = []
    for k in ("ours, pearson", "ours, euclidean"):
        per_rep = np.array(times[k]) / base  # within each repeat: side by side
        ratios.append({"what": f"{k} / memelite euclidean, median of {reps} repeats",
                       "value": round(float(np.median(per_rep)), 3), "baseline": "memelite, euclidean"})
        ratios.append({"what": f"{k} / memelite euclidean, min of {reps} repeats",
                       "value": round(float(np.min(per_rep)), 3), "baseline": "memelite, euclidean"})
    n_prof = min(n, a.profile_queries)
    prof = phase_profile(Q[:n_prof], T, repeats=3)
    for dist, res in prof.items():
        total = res["total"][1]
        for phase, (_, median) in res.items():
            figures.add(f"profile, {dist}, 1 thread, {n_prof} queries: {phase} (median of 3; "
                        f"{100 * median / total:.0f}%)", median, "CPU s")
    # MEME's tomtom 5.5.8 (-dist pearson) took 688 s for 320 x 519 on 2 cores (not rerun here: the
    # MEME suite is not installed); the work grows with the number of targets, so scale ours to 519
    per_519 = med["ours, pearson"] * 519 / len(T)
    figures.add("ours, pearson: the same, scaled to 320 x 519 targets", per_519)
    ratios.append({"what": "MEME tomtom 688 s (320 x 519, measured once, not rerun) / ours pearson scaled to "
                           "519 targets", "value": round(688.0 / per_519, 1), "baseline": "ours, pearson"})
    if not (a.quick or a.no_cold):
        with tempfile.TemporaryDirectory() as cache:
            first, warm = _first_call(cache)
        figures.add("first calls with an empty numba cache (both distances, 4 x 60 motifs)", first)
        figures.add("compile time (those calls minus warm calls)", first - warm)
    if a.meme_reference is not None:
        meme_agreement(a.meme_reference, figures)
    machine = {"cpus": os.cpu_count(), "numba_threads": threads,
               "load_average_1min": round(os.getloadavg()[0], 2)}
    command = " ".join(["python benchmarks/bench_pearson.py", *[x if not x.endswith("/shared/reference") else "../shared/reference" for x in sys.argv[1:]]])
    write_result("pearson", figures, ratios, command, machine=machine)
    print(f"-> {OUT}")

if __name__ == "__main__":
    main()
