"""Motif recovery beyond the default eight: the whole workflow on random sets of JASPAR motifs.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_recovery.py [--config FILE] [--sets N]
        [--cores N] [--jobs N] [--keep DIR] [--quick]

Draws ``--sets`` (default 5) sets of 8 matrices from JASPAR2024 CORE vertebrates with a fixed seed
(:func:`draw_sets`: 10-25 bits of information content, at most one matrix per TF family in a set,
never the default eight as a set) and runs the simulation -> training -> motifs -> matching chain
of the Snakefile on each, in a work directory of its own with the config under test (``--config``,
default config.yaml) overlaid with the set's ``data.simulate.motif_ids``, ``pairs: []`` and the
set's own seed. Sets are independent snakemake runs (``--jobs`` of them at once, ``--cores`` each),
so a cluster can run them in parallel.

Writes benchmarks/recovery.tsv (one row per set and planted motif: its family, its test ROC AUC,
and whether the exact PWMs and the heuristic PFMs recovered it as the exact JASPAR id and at the
TF-family level, under the Pearson and the Euclidean distance; docs/design.md section 7 and
danqmotifs.trust.planted for the criterion) and benchmarks/out/recovery.json (the format of
benchmarks/run_all.py) with the averages over the sets.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_result, write_rows  # noqa: E402
ROOT = HERE.parent
SEED = 2024                                     # the draw of the sets; set i trains with seed 100 + i
SET_SIZE = 8
IC_RANGE = (10.0, 25.0)                         # bits
DEFAULT_EIGHT = ("MA0139", "MA0080", "MA0466", "MA0114", "MA0138", "MA0506", "MA0106", "MA0083")
#: the workflow's column distances (the table src/danqmotifs/tomtom/distances.json, read with json alone)
DISTANCES = tuple(d["name"] for d in
                  json.loads((ROOT / "src/danqmotifs/tomtom/distances.json").read_text())["distances"])
METHODS = ("exact", "heuristic")
LEVELS = {"id": "recovered_{m}", "family": "recovered_family_{m}"}


def information_content(pwm: np.ndarray) -> float:
    """Total information content in bits against a uniform background (sum over columns)."""
    p = np.clip(np.asarray(pwm, float), 1e-12, 1.0)
    return float(np.sum(2.0 + np.sum(p * np.log2(p), axis=1)))


def families(motif) -> frozenset:
    """The matrix's TF families (JASPAR's annotation); a matrix without one is a family of its own."""
    fam = [f.strip().lower() for f in motif.extra.get("tf_family", []) if f.strip()]
    return frozenset(fam) if fam else frozenset({f"id:{motif.id.split('.')[0]}"})


def eligible(motifs, ic_range=IC_RANGE) -> list:
    """The matrices a set may contain (information content within ``ic_range``), sorted by id."""
    lo, hi = ic_range
    return sorted((m for m in motifs if lo <= information_content(m.pwm) <= hi), key=lambda m: m.id)


def draw_sets(motifs, n_sets: int, seed: int = SEED, size: int = SET_SIZE, ic_range=IC_RANGE) -> list[list]:
    """``n_sets`` sets of ``size`` matrices, each with at most one matrix per TF family.

    Set ``i`` depends only on ``seed``, ``i`` and the collection: its own generator shuffles the
    eligible matrices and keeps each one whose families do not meet those already kept. A draw that
    equals the default eight is redrawn (it cannot train the defaults on themselves).
    """
    pool = eligible(motifs, ic_range)
    out = []
    for i in range(n_sets):
        for attempt in range(100):
            rng = np.random.default_rng([seed, i, attempt])
            chosen, seen = [], set()
            for k in rng.permutation(len(pool)):
                fam = families(pool[k])
                if fam & seen:
                    continue
                chosen.append(pool[k])
                seen |= fam
                if len(chosen) == size:
                    break
            if len(chosen) < size:
                raise ValueError(f"only {len(chosen)} TF families among {len(pool)} eligible matrices")
            if {m.id.split(".")[0] for m in chosen} != set(DEFAULT_EIGHT):
                break
        else:
            raise ValueError("every draw was the default eight: the collection has too few families")
        out.append(sorted(chosen, key=lambda m: m.id))
    return out


def overlay(ids, seed: int) -> dict:
    return {"seed": seed, "results": "results",
            "data": {"source": "simulate", "simulate": {"motif_ids": list(ids), "pairs": []}}}


def run_set(i: int, ids, seed: int, config: Path, workdir: Path, cores: int) -> dict:
    """One snakemake run of the chain in ``workdir``; returns its wall time and return code."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(config, workdir / "config.yaml")
    (workdir / "overlay.yaml").write_text(yaml.safe_dump(overlay(ids, seed)))
    cmd = [str(Path(sys.executable).parent / "snakemake"), "results/summary.json", "results/eval/test_auc.tsv",
           "-s", str(ROOT / "Snakefile"), "--directory", str(workdir), "--cores", str(cores),
           "--configfile", str(workdir / "config.yaml"), str(workdir / "overlay.yaml")]
    t0 = time.perf_counter()
    with open(workdir / "snakemake.log", "w") as log:
        r = subprocess.run(cmd, check=False, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    dt = time.perf_counter() - t0
    print(f"set {i}: rc {r.returncode}, {dt:.0f} s ({workdir})", flush=True)
    return {"rc": r.returncode, "wall_s": dt}


def read_auc(path: Path) -> dict[str, float]:
    with open(path) as fh:
        return {row["target"].split("_")[0]: float(row["roc_auc"]) for row in csv.DictReader(fh, delimiter="\t")}


def oracle_auc(motifs, data_path: Path) -> dict[str, float]:
    """Test ROC AUC of each planted PWM itself: the best log-odds window (either strand, against the
    data's base frequencies) of each sequence: a reference for the model's AUC (a motif whose own PWM
    scores under 0.9 is hard in this simulation rather than badly learned; a model far below its
    PWM did not learn the motif)."""
    import h5py
    from numpy.lib.stride_tricks import sliding_window_view

    from danqmotifs.core.metrics import roc_auc

    with h5py.File(data_path, "r") as f:
        codes = f["sequences"][:].astype(np.intp)
        targets = f["targets"][:]
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in f["target_names"][:]]
        bg = np.asarray(f.attrs["base_frequencies"], float)
    out = {}
    for m in motifs:
        col = next((j for j, n in enumerate(names) if n.split("_")[0] == m.id), None)
        if col is None:
            continue
        lo = np.log(np.clip(m.pwm, 1e-4, 1) / bg)                        # (w, 4)
        best = np.full(len(codes), -np.inf)
        for mat in (lo, lo[::-1, ::-1]):
            padded = np.hstack([mat, np.full((mat.shape[0], 1), -50.0)])  # a code 4 (N) never scores
            win = sliding_window_view(np.minimum(codes, 4), mat.shape[0], axis=1)   # (n, L-w+1, w)
            sc = padded[np.arange(mat.shape[0]), win].sum(axis=2)
            best = np.maximum(best, sc.max(axis=1))
        out[m.id] = float(roc_auc(targets[:, col].astype(float), best))
    return out


def rows_of_set(i: int, seed: int, motifs, workdir: Path) -> list[dict]:
    """One row per planted motif: family, test ROC AUC, the 8 recovery verdicts."""
    summary = json.loads((workdir / "results" / "summary.json").read_text())
    auc = read_auc(workdir / "results" / "eval" / "test_auc.tsv")
    oracle = oracle_auc(motifs, workdir / "results" / "data" / "test.h5")
    verdicts = {(r["planted_id"], r["distance"]): r for r in summary["motifs"]}
    out = []
    for m in motifs:
        row = {"set": i, "seed": seed, "motif": m.id, "name": m.name,
               "tf_family": "; ".join(m.extra.get("tf_family", [])),
               "ic_bits": round(information_content(m.pwm), 2), "width": m.width,
               "test_auc": auc.get(m.id, float("nan")), "pwm_auc": round(oracle.get(m.id, float("nan")), 6)}
        for dist in DISTANCES:
            v = verdicts[(m.id, dist)]
            for meth in METHODS:
                for level, key in LEVELS.items():
                    row[f"{meth}_{level}_{dist}"] = int(bool(v[key.format(m=meth)]))
        out.append(row)
    return out


def aggregate(rows: list[dict]) -> dict:
    """Fractions of planted motifs recovered per method, level and distance, averaged over the sets."""
    sets = sorted({r["set"] for r in rows})
    agg = {}
    for meth in METHODS:
        for level in LEVELS:
            for dist in DISTANCES:
                col = f"{meth}_{level}_{dist}"
                agg[col] = float(np.mean([np.mean([r[col] for r in rows if r["set"] == s]) for s in sets]))
    aucs = np.array([r["test_auc"] for r in rows])
    agg["auc_ge_0.9"] = float(np.mean(aucs >= 0.9))
    agg["auc_median"] = float(np.median(aucs))
    return agg


def per_set(rows: list[dict]) -> dict[str, dict]:
    """Per set: motifs recovered (of 8) per method, level and distance, and motifs at AUC >= 0.9."""
    out = {}
    for s in sorted({r["set"] for r in rows}):
        rs = [r for r in rows if r["set"] == s]
        out[str(s)] = {k: int(sum(r[k] for r in rs)) for k in rs[0] if k.split("_")[0] in METHODS}
        out[str(s)]["auc_ge_0.9"] = int(sum(r["test_auc"] >= 0.9 for r in rs))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", type=Path, default=ROOT / "config.yaml", help="the config under test")
    ap.add_argument("--sets", type=int, default=5, help="motif sets of 8 (default 5)")
    ap.add_argument("--jobs", type=int, default=1, help="sets run at once")
    ap.add_argument("--cores", type=int, default=2, help="snakemake --cores of each set")
    ap.add_argument("--keep", type=Path, default=None, help="keep the work directories under DIR")
    ap.add_argument("--seed", type=int, default=SEED, help="seed of the draw of the sets")
    ap.add_argument("--label", default="", help="a name for this config in the JSON (e.g. before)")
    ap.add_argument("--quick", action="store_true", help="2 sets (a smoke run)")
    ap.add_argument("--before", type=Path, default=None,
                    help="an earlier recovery.json (e.g. of the old defaults): its figures are carried "
                         "into this one, prefixed with its label, for a before/after table")
    ap.add_argument("--set", type=int, default=None, dest="only",
                    help="run only set I (with --keep: one cluster job per set, then --collect)")
    ap.add_argument("--collect", action="store_true",
                    help="run nothing: read the finished sets under --keep and write the table")
    ap.add_argument("--out", type=Path, default=HERE, help="write DIR/recovery.tsv and DIR/out/recovery.json")
    args = ap.parse_args()
    from danqmotifs.sources.jaspar import fetch_collection

    n_sets = 2 if args.quick else args.sets
    sets = draw_sets(fetch_collection("JASPAR2024", "CORE", "vertebrates"), n_sets, args.seed)
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench_recovery_"))
    cfg = args.config.resolve()
    if (args.collect or args.only is not None) and args.keep is None:
        sys.exit("--collect and --set need --keep DIR (where the sets' work directories are)")
    todo = [] if args.collect else [args.only] if args.only is not None else list(range(n_sets))
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        done = dict(zip(todo, pool.map(lambda i: run_set(i, [m.id for m in sets[i]], 100 + i, cfg,
                                                            base / f"set{i}", args.cores), todo)))
    wall = time.perf_counter() - t0
    if args.only is not None:
        return
    runs = [done.get(i) or {"rc": 0 if (base / f"set{i}" / "results" / "summary.json").exists() else 1}
            for i in range(n_sets)]
    rows, failed = [], []
    for i, (motifs, run) in enumerate(zip(sets, runs)):
        if run["rc"] != 0:
            failed.append(i)
            continue
        rows += rows_of_set(i, 100 + i, motifs, base / f"set{i}")
    if not rows:
        sys.exit(f"every set failed; logs under {base}")
    write_rows(args.out / "recovery.tsv", rows)
    agg = aggregate(rows)
    kind = {"exact": "exact PWMs", "heuristic": "heuristic PFMs"}
    figures = [{"what": f"{kind[meth]}, {level} level, {dist} (mean over sets)",
                "value": agg[f"{meth}_{level}_{dist}"], "unit": "fraction recovered"}
               for meth in METHODS for level in LEVELS for dist in DISTANCES]
    figures += [{"what": "planted motifs with test ROC AUC >= 0.9", "value": agg["auc_ge_0.9"], "unit": "fraction"},
                {"what": "median test ROC AUC of planted motifs", "value": agg["auc_median"], "unit": ""},
                {"what": f"sets run ({len(failed)} failed)", "value": n_sets, "unit": "sets of 8"},
                {"what": "wall time, all sets", "value": wall, "unit": "s"}][: None if todo else -1]
    if args.before:
        old = json.loads(args.before.read_text())
        figures = [{**f, "what": f"[{label}] {f['what']}"} for label in [old.get("label") or "before"]
                   for f in old["figures"] if "wall time" not in f["what"]] + \
                  [{**f, "what": f"[{args.label or 'this config'}] {f['what']}"} for f in figures]
    cmd = "PYTHONPATH=src .venv/bin/python benchmarks/bench_recovery.py " + " ".join(sys.argv[1:])
    write_result("recovery", figures, command=cmd.strip(), out_dir=args.out / "out", label=args.label,
                 config=str(args.config), sets=[[m.id for m in s] for s in sets], aggregate=agg,
                 per_set=per_set(rows))
    print(json.dumps(agg, indent=1))
    if args.keep is None and not failed:
        shutil.rmtree(base, ignore_errors=True)
    if failed:
        sys.exit(f"sets {failed} failed; see {base}")


if __name__ == "__main__":
    main()
