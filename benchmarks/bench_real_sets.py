"""Real ChIP-seq sets x first-layer activation x motif method, over seeds: does an exponential first
layer make kernels that name the ChIP'd TF? (issue 31, items 2 and 3)

    PYTHONPATH=src nice .venv/bin/python benchmarks/bench_real_sets.py --keep benchmarks/out/real_sets \
        [--sets ctcf p73 sim] [--activations relu exponential] [--seeds 1 2 3] [--cores 2] [--collect]

Runs (one snakemake run each, in ``KEEP/<set>/<activation>/seed<N>``, training included):

- every real set shipped (``config/real_ctcf.yaml``: 500 GM12878 CTCF peaks; ``config/real_p73.yaml``:
  TAp73alpha peaks; data/real/README.md gives source and licence), all its peaks, its own split;
  every registered motif method (exact, heuristic, exact_oops, refined);
- ``sim``: the simulated default (config.yaml: eight planted JASPAR motifs), methods exact and
  heuristic (its default), read through results/summary.json (planted recovery).

``config/real_both.yaml`` is the same two peak files in one model, so it is not a separate set.
No other real set is reachable offline here (searched: see docs/activation.md, "Real sets").

Every run: the set's config with ``model.conv_activation`` and ``seed`` set, and ``train.max_epochs``
100 (both activations) so that early stopping ends each run; the table counts runs that hit the cap.

Per set x activation x method, over the seeds, the mean and the range (min-max) of:

- AUC: test ROC AUC (results/eval/test_auc.tsv; the real sets have one target);
- HIT: 1 if some kernel's best JASPAR2024 CORE vertebrates match at q < 0.05 is in the ChIP'd TF's
  JASPAR family (CTCF: "More than 3 adjacent zinc fingers"; TAp73alpha: "p53-related factors"), else 0;
- BEST: log10 of the smallest q of such a best match; a run with no such match counts as
  log10(0.05) = -1.30 (censored at the threshold: a miss is never better than a hit), and the
  number of censored runs is reported beside it;
- SHARE: kernels whose best significant match is in the family / kernels with any significant
  best match (Koo & Ploenzke's match fraction, read on real data); undefined (left out of the mean)
  when no kernel has a significant match;
- sim: the fraction of the 8 planted motifs recovered by id and by family (Pearson distance;
  results/summary.json, danqmotifs.trust.planted), and the mean test ROC AUC over the 8 targets.

DECISION RULE (issue 31 item 3; fixed and committed before any number of this benchmark was seen):
the exponential first layer becomes the default (``model.conv_activation`` in config.yaml) if and
only if, for the exact method,

1. mean BEST (over the 3 seeds) is lower (better) under exponential than under relu by at least 1.0
   (one order of magnitude in q) on a majority of the real sets (with two sets: both), and
2. on no real set is mean BEST higher (worse) under exponential by 1.0 or more, and
3. the mean over the real sets of mean test ROC AUC is not lower under exponential by more than
   0.02, and
4. planted recovery on the simulated default (exact method, by id, Pearson; mean over its seeds) is
   not lower under exponential.

All four are read on complete numbers (every set, activation and seed finished); with anything
missing the rule is not applied and the default stays relu. HIT, SHARE and the other methods are
reported beside it but do not enter the rule.

Writes benchmarks/real_sets.tsv (one row per set, activation, seed and method) and
benchmarks/out/real_sets.json (benchmarks/run_all.py's format, gathered into RESULTS.md), whose
notes hold the table and the rule's verdict.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # result_file.py and bench_real.py, beside this file
from bench_real import best_significant, families_table  # noqa: E402
from result_file import write_result, write_rows  # noqa: E402

ROOT = HERE.parent
Q = 0.05
CENSOR = float(np.log10(Q))
REAL_METHODS = ("exact", "heuristic", "exact_oops", "refined")
SIM_METHODS = ("exact", "heuristic")
#: set -> (config, label of the ChIP'd TF, a JASPAR matrix naming its family); sim: planted motifs
SETS = {
    "ctcf": ("config/real_ctcf.yaml", "CTCF", "MA0139"),
    "p73": ("config/real_p73.yaml", "TAp73alpha", "MA0861"),
    "sim": ("config.yaml", "", ""),
}
REAL = ("ctcf", "p73")
ACTIVATIONS = ("relu", "exponential")
MAX_EPOCHS = 100


def overlay(name: str, activation: str, seed: int, methods=REAL_METHODS) -> dict:
    """The set's config with this activation and seed, results under the work directory."""
    cfg = yaml.safe_load((ROOT / SETS[name][0]).read_text())
    cfg["results"] = "results"
    cfg["seed"] = int(seed)
    cfg.setdefault("model", {})["conv_activation"] = activation
    # the schedule: the defaults (Adam 0.001, learning-rate cuts after 3 epochs without a lower
    # validation loss, early stop after 6) with a cap of MAX_EPOCHS, so early stopping, not the cap,
    # ends the runs (the pilot's exponential runs hit the default cap of 40); runs at the cap are counted
    cfg.setdefault("train", {})["max_epochs"] = MAX_EPOCHS
    if name in REAL:
        cfg["data"]["peaks"]["peaks"] = [str(ROOT / p) for p in cfg["data"]["peaks"]["peaks"]]
        cfg.setdefault("motifs", {})["methods"] = list(methods)
    else:
        cfg.setdefault("motifs", {})["methods"] = list(SIM_METHODS)
    return cfg


def targets(name: str) -> list[str]:
    return (["results/summary.json"] if name == "sim" else ["results/match/match_summary.json"]) + [
        "results/eval/test_auc.tsv"]


def run(name: str, activation: str, seed: int, workdir: Path, cores: int, methods=REAL_METHODS) -> int:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "overlay.yaml").write_text(yaml.safe_dump(overlay(name, activation, seed, methods)))
    cmd = [str(Path(sys.executable).parent / "snakemake"), *targets(name), "-s", str(ROOT / "Snakefile"),
           "--directory", str(workdir), "--cores", str(cores), "--rerun-incomplete",
           "--configfile", str(ROOT / "config.yaml"), str(workdir / "overlay.yaml")]
    t0 = time.perf_counter()
    with open(workdir / "snakemake.log", "w") as log:
        rc = subprocess.run(cmd, check=False, cwd=workdir, stdout=log, stderr=subprocess.STDOUT).returncode
    dt = time.perf_counter() - t0
    (workdir / "wall_s.txt").write_text(f"{dt:.0f}\n")
    print(f"{name}/{activation}/seed{seed}: rc {rc}, {dt:.0f} s", flush=True)
    return rc


def test_aucs(path: Path) -> list[float]:
    with open(path) as fh:
        return [float(r["roc_auc"]) for r in csv.DictReader(fh, delimiter="\t")]


def epochs(results: Path) -> tuple[int, int]:
    """(epochs run, max_epochs) of the training (model/history.tsv)."""
    hist = results / "model" / "history.tsv"
    n = max(0, len(hist.read_text().splitlines()) - 1) if hist.exists() else 0
    cfg = yaml.safe_load((results.parent / "overlay.yaml").read_text())
    return n, int(cfg.get("train", {}).get("max_epochs", 40))


def real_rows(name: str, activation: str, seed: int, results: Path) -> list[dict]:
    """One row per method: HIT, BEST, SHARE (module docstring), the test AUC and the epochs run."""
    from danqmotifs.match import load_results

    fams = families_table(results / "match" / "jaspar_families.tsv")
    fam = fams[SETS[name][2]]
    auc = float(np.mean(test_aucs(results / "eval" / "test_auc.tsv")))
    n_ep, max_ep = epochs(results)
    out = []
    for method, res in load_results(results / "match" / "pvalues.h5").items():
        best, qbest, sig, hit, _ = best_significant(res, fams, fam, Q)
        out.append({"set": name, "activation": activation, "seed": seed, "method": method,
                    "auc": round(auc, 6), "hit": int(hit.any()),
                    "best": round(float(np.log10(qbest[hit].min())), 3) if hit.any() else "",
                    "n_family": int(hit.sum()), "n_significant": int(sig.sum()),
                    "share": round(hit.sum() / sig.sum(), 4) if sig.any() else "",
                    "recovered_id": "", "recovered_family": "", "epochs": n_ep, "max_epochs": max_ep})
    return out


def sim_rows(activation: str, seed: int, results: Path) -> list[dict]:
    """One row per method: planted recovery by id and family (Pearson), mean test AUC, epochs run."""
    summ = json.loads((results / "summary.json").read_text())
    rows = [r for r in summ["motifs"] if r["distance"] == "pearson"]
    auc = float(np.mean(test_aucs(results / "eval" / "test_auc.tsv")))
    n_ep, max_ep = epochs(results)
    return [{"set": "sim", "activation": activation, "seed": seed, "method": m, "auc": round(auc, 6),
             "hit": "", "best": "", "n_family": "", "n_significant": "", "share": "",
             "recovered_id": round(float(np.mean([bool(r[f"recovered_{m}"]) for r in rows])), 4),
             "recovered_family": round(float(np.mean([bool(r[f"recovered_family_{m}"]) for r in rows])), 4),
             "epochs": n_ep, "max_epochs": max_ep} for m in SIM_METHODS]


def summarise(rows: list[dict]) -> list[dict]:
    """Per set x activation x method: mean and range over the seeds of every metric."""
    out = []
    keys = sorted({(r["set"], r["activation"], r["method"]) for r in rows},
                  key=lambda k: (list(SETS).index(k[0]), ACTIVATIONS.index(k[1]), k[2]))
    for s, a, m in keys:
        rs = [r for r in rows if (r["set"], r["activation"], r["method"]) == (s, a, m)]
        row = {"set": s, "activation": a, "method": m, "seeds": len(rs),
               "at_cap": sum(r["epochs"] >= r["max_epochs"] for r in rs)}
        for col in ("auc", "hit", "best", "share", "recovered_id", "recovered_family"):
            if col == "best" and s in REAL:
                vals = [r["best"] if r["best"] != "" else CENSOR for r in rs]
                row["best_censored"] = sum(r["best"] == "" for r in rs)
            else:
                vals = [r[col] for r in rs if r[col] != ""]
            row[col] = (float(np.mean(vals)), float(np.min(vals)), float(np.max(vals))) if vals else None
        out.append(row)
    return out


def decide(summary: list[dict], n_seeds: int, sets=REAL) -> dict:
    """The decision rule of the module docstring on ``summary`` (:func:`summarise`)."""
    get = {(r["set"], r["activation"], r["method"]): r for r in summary}
    need = [(s, a, "exact") for s in (*sets, "sim") for a in ACTIVATIONS]
    missing = [k for k in need if k not in get or get[k]["seeds"] < n_seeds]
    if missing:
        return {"applied": False, "default": "relu",
                "why": "incomplete: " + ", ".join("/".join(k[:2]) for k in missing)}
    d_best = {s: get[(s, "exponential", "exact")]["best"][0] - get[(s, "relu", "exact")]["best"][0] for s in sets}
    better = [s for s in sets if d_best[s] <= -1.0]
    worse = [s for s in sets if d_best[s] >= 1.0]
    d_auc = float(np.mean([get[(s, "exponential", "exact")]["auc"][0] for s in sets])
                  - np.mean([get[(s, "relu", "exact")]["auc"][0] for s in sets]))
    d_rec = get[("sim", "exponential", "exact")]["recovered_id"][0] - get[("sim", "relu", "exact")]["recovered_id"][0]
    checks = {"1_best_better_on_majority": len(better) > len(sets) / 2, "2_best_worse_nowhere": not worse,
              "3_auc_drop_at_most_0.02": d_auc >= -0.02, "4_planted_recovery_not_lower": d_rec >= 0}
    ok = all(checks.values())
    return {"applied": True, "default": "exponential" if ok else "relu", "checks": checks,
            "delta_best_exact": {s: round(v, 3) for s, v in d_best.items()},
            "delta_mean_auc": round(d_auc, 4), "delta_planted_recovery_id": round(d_rec, 4)}


def _cell(v, digits=3) -> str:
    if v is None:
        return "-"
    mean, lo, hi = v
    return f"{mean:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def markdown(summary: list[dict]) -> str:
    head = ("| set | activation | method | seeds | runs at epoch cap | test ROC AUC | HIT | BEST (log10 q) "
            "| censored | SHARE | planted by id | planted by family |")
    lines = [head, "|" + "---|" * 12]
    for r in summary:
        lines.append(f"| {r['set']} | {r['activation']} | {r['method']} | {r['seeds']} | {r['at_cap']} | "
                     f"{_cell(r['auc'])} | {_cell(r['hit'], 2)} | {_cell(r['best'], 2)} | "
                     f"{r.get('best_censored', '-')} | {_cell(r['share'], 2)} | {_cell(r['recovered_id'], 2)} | "
                     f"{_cell(r['recovered_family'], 2)} |")
    return "\n".join(lines)


def section_text(summary: list[dict], verdict: dict, rows: list[dict], n_seeds: int) -> str:
    """RESULTS.md's text for this benchmark: what ran, the table, the rule's verdict."""
    runs = sorted({(r["set"], r["activation"], r["seed"]) for r in rows})
    expected = len(SETS) * len(ACTIVATIONS) * n_seeds
    partial = len(runs) < expected
    head = [("**PARTIAL**: " if partial else "") + f"{len(runs)} of {expected} runs (set x activation x seed) "
            "finished: " + ", ".join(f"{s}/{a}/seed{d}" for s, a, d in runs) + ".",
            "",
            "Methods run: " + ", ".join(sorted({r["method"] for r in rows})) + ". "
            "Mean [min, max] over the seeds that finished (column `seeds`). BEST: log10 q of the best "
            "family match, a run without one counted as log10 0.05 (`censored` runs). SHARE: kernels whose "
            "best significant match is in the TF's family / kernels with any significant best match. "
            "Rule (docstring of benchmarks/bench_real_sets.py, docs/activation.md): exact method only.", "",
            markdown(summary), "",
            "Decision: " + (f"the rule says **{verdict['default']}**: " + json.dumps(verdict)
                            if verdict.get("applied") else
                            f"the rule was **not applied** ({verdict['why']}); the default stays relu.")]
    return "\n".join(head)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    ap.add_argument("--activations", nargs="+", default=list(ACTIVATIONS), choices=list(ACTIVATIONS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    ap.add_argument("--methods", nargs="+", default=list(REAL_METHODS), choices=list(REAL_METHODS),
                    help="methods of the real sets (exact and heuristic alone: exact_oops and refined "
                         "take ~10 min each per run on 2 busy cores)")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--keep", type=Path, default=HERE / "out" / "real_sets", help="work directories")
    ap.add_argument("--collect", action="store_true", help="run nothing; read what --keep holds")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    base = args.keep.resolve()
    t0 = time.perf_counter()
    if not args.collect:
        # the real sets first, seed-major (a run cut short has every set and activation at least once),
        # then the simulation (hours on 2 CPU cores, minutes on a GPU)
        for group in ([s for s in args.sets if s in REAL], [s for s in args.sets if s not in REAL]):
            for seed in args.seeds:
                for name in group:
                    for act in args.activations:
                        run(name, act, seed, base / name / act / f"seed{seed}", args.cores, args.methods)
    rows = []
    for name in SETS:
        for act in ACTIVATIONS:
            for seed in args.seeds:
                res = base / name / act / f"seed{seed}" / "results"
                try:
                    if name == "sim" and (res / "summary.json").exists():
                        rows += sim_rows(act, seed, res)
                    elif name != "sim" and (res / "match" / "pvalues.h5").exists():
                        rows += real_rows(name, act, seed, res)
                except (OSError, KeyError, ValueError) as exc:
                    print(f"{name}/{act}/seed{seed}: unreadable ({exc})", file=sys.stderr)
    if not rows:
        sys.exit(f"no run finished; logs under {base}")
    write_rows(args.out / "real_sets.tsv", rows)
    summary = summarise(rows)
    verdict = decide(summary, len(args.seeds))
    table = markdown(summary)
    figures = [{"what": f"{r['set']}, {r['activation']}, {r['method']}: "
                        + (f"mean BEST (log10 q), {r['seeds']} seeds" if r["set"] in REAL
                           else f"planted recovered by id (Pearson), {r['seeds']} seeds"),
                "value": round((r["best"] if r["set"] in REAL else r["recovered_id"])[0], 3),
                "unit": "log10 q" if r["set"] in REAL else "fraction"} for r in summary]
    write_result("real_sets", figures, command="PYTHONPATH=src nice .venv/bin/python benchmarks/bench_real_sets.py "
                 + " ".join(a for a in sys.argv[1:] if a != "--collect"),
                 out_dir=args.out / "out", notes={"table": table, "decision": verdict},
                 markdown=section_text(summary, verdict, rows, len(args.seeds)), wall_s=time.perf_counter() - t0)
    print(table)
    print(json.dumps(verdict, indent=1))


if __name__ == "__main__":
    main()
