"""Speed of the k2p simulation benchmark: the compiled trainer vs one Keras ``model.fit`` per motif.

    .venv/bin/python benchmarks/bench_k2p_simulation.py [--quick] [--full] [--workflow [N]] [--results]

Side by side in one run, on the same motifs (the first 6 of the default 48-motif sample of
JASPAR2016 CORE, all taxa; --quick: 2), the same data and the same initial weights:

* ``keras loop`` (the plain way, as the paper's code): per motif, build the one-kernel model and
  ``model.fit`` it (RMSprop, batch 100, <= 60 epochs, EarlyStopping patience 5, best weights);
* ``ours``: ``danqmotifs.papers.k2p.simulation.trainer.train_many`` trains the same motifs in one call (numba,
  2 threads; compiled code loaded from numba's cache, the first-call cost reported apart).

The side-by-side uses the trainer's Keras 3 behaviour (the Keras installed here is Keras 3; the
authors' Keras 1.0.4 is not). Also: the wall and CPU time of the default 48-motif sample end to end
under the authors' protocol with the held-out check (simulate, train twice, derive, score, the
regressions; in this process, after the warm-up) and, with --full, of all 1,082 matrices. The test
AUROC of both trainers is reported for the subset (a sanity check: the same model, trained alike).

``--workflow`` also times what a user runs: the Snakemake target with the full-run config
(``snakemake --cores 2 k2p_simulation --configfile config/k2p_full.yaml``, every matrix; ``N``: a
sample of N), into a temporary results directory, once with ``random_starts: false`` (the paper
protocol and the held-out fixed panels) and once with the default ``true`` (the held-out check's
random starts too). Wall time, the CPU time of every process it ran (the jobs included), and the
1-minute load average before and after each (the machine may be shared: the CPU time is the figure
that other work disturbs least). ``--results`` then writes this benchmark's section of
benchmarks/RESULTS.md (``run_all.py --collect --only k2p_simulation``), with the command and machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_result  # noqa: E402
sys.path.insert(0, str(HERE.parent / "src"))

from danqmotifs.core.metrics import roc_auc  # noqa: E402
from danqmotifs.papers.k2p.simulation import keras_reference as kr  # noqa: E402
from danqmotifs.papers.k2p.simulation.data import make_data, motif_rngs  # noqa: E402
from danqmotifs.papers.k2p.simulation.run import run_chunk  # noqa: E402
from danqmotifs.papers.k2p.simulation.select import data_indices, select_motifs  # noqa: E402
from danqmotifs.papers.k2p.simulation.settings import Settings  # noqa: E402
from danqmotifs.papers.k2p.simulation.stats import summarize  # noqa: E402
from danqmotifs.papers.k2p.simulation.trainer import init_weights, permutations, predict, train_many  # noqa: E402
from danqmotifs.sources.jaspar import fetch_collection  # noqa: E402

SEED = 1


def prepare(motifs, settings):
    out = []
    for m in motifs:
        rngs = motif_rngs(SEED, m.id)
        d = make_data(m.pwm, settings, rngs)
        out.append((d, init_weights(m.width, rngs["init"]),
                    permutations(d.idx["train"].size, settings.max_epochs, rngs["shuffle"])))
    return out


def timed(f, *a, **kw):
    t0, c0 = time.perf_counter(), time.process_time()
    r = f(*a, **kw)
    return r, time.perf_counter() - t0, time.process_time() - c0


def ours(prep, settings, threads=2):
    return train_many([p[0].part("train") for p in prep], [p[0].part("valid") for p in prep],
                      [p[1] for p in prep], [p[2] for p in prep], settings, threads=threads)


def keras_loop(prep, settings):
    models = []
    for d, init, _ in prep:
        models.append(kr.fit_plain(d.part("train"), d.part("valid"), init, settings)[0])
    return models


def workflow_run(random_starts: bool, sample: int | None, cores: int = 2) -> dict:
    """One Snakemake run of the k2p_simulation target (the full-run config, a temporary results
    directory): wall s, CPU s of every process it ran, load averages, and the paper analysis."""
    import json
    import resource
    import subprocess
    import tempfile

    root = HERE.parent
    with tempfile.TemporaryDirectory(prefix="k2p_bench_") as tmp:
        extra = Path(tmp) / "bench.yaml"
        extra.write_text(f"results: {tmp}/results\nfigures:\n  k2p_simulation:\n"
                         f"    sample: {'null' if sample is None else sample}\n"
                         f"    random_starts: {'true' if random_starts else 'false'}\n")
        cmd = [str(Path(sys.executable).parent / "snakemake"), "--cores", str(cores), "k2p_simulation",
               "--configfile", "config/k2p_full.yaml", str(extra)]
        env = {**os.environ, "PYTHONPATH": str(root / "src")}
        load0 = os.getloadavg()[0]
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        r = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        load1 = os.getloadavg()[0]
        if r.returncode != 0:
            raise SystemExit(f"k2p_simulation failed:\n{r.stderr[-3000:]}")
        summ = json.loads((Path(tmp) / "results/figures/k2p_simulation/wilcoxon.json").read_text())
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return {"wall": wall, "cpu": cpu, "load": (load0, load1), "paper": summ["paper"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 motifs in the side-by-side, 12 in the sample")
    ap.add_argument("--full", action="store_true", help="also time all 1,082 matrices end to end")
    ap.add_argument("--workflow", nargs="?", const=0, type=int, default=None, metavar="N",
                    help="only time the Snakemake full run (paper protocol, then with the held-out "
                         "random starts); N: a sample of N matrices instead of all")
    ap.add_argument("--results", action="store_true",
                    help="then write this section of benchmarks/RESULTS.md (run_all.py --collect)")
    args = ap.parse_args()
    S = Settings(semantics="keras3", epsilon=1e-7)        # the Keras loop is Keras 3
    n_sub, n_sample = (2, 12) if args.quick else (6, 48)
    sample = select_motifs("JASPAR2016", sample=n_sample, seed=SEED)
    sub = sample[:n_sub]
    prep = prepare(sub, S)
    figures, ratios = [], []

    def fig(what, value, unit):
        figures.append({"what": what, "value": float(f"{float(value):.4g}"), "unit": unit})
        print(f"{what}: {value:.4g} {unit}", flush=True)

    _, first, _ = timed(ours, prep[:1], Settings(max_epochs=1, semantics="keras3", epsilon=1e-7), 1)
    fig("ours: first call (compile or load numba's cache), 1 motif x 1 epoch", first, "s")
    T, t_ours, c_ours = timed(ours, prep, S)
    import keras  # noqa: F401  (import outside the timing)

    models, t_keras, c_keras = timed(keras_loop, prep, S)
    fig(f"keras loop: train {n_sub} motifs (one model.fit each)", t_keras, "s")
    fig(f"ours: train the same {n_sub} motifs (one call, 2 threads)", t_ours, "s")
    fig("keras loop CPU time", c_keras, "s")
    fig("ours CPU time", c_ours, "s")
    ratios.append({"what": f"training {n_sub} motifs, wall", "value": round(t_keras / t_ours, 1),
                   "baseline": "keras loop"})
    ratios.append({"what": f"training {n_sub} motifs, CPU", "value": round(c_keras / c_ours, 1),
                   "baseline": "keras loop"})
    print(f"ratio: {t_keras / t_ours:.1f}x wall, {c_keras / c_ours:.1f}x CPU", flush=True)
    for k, (d, _, _) in enumerate(prep):
        codes, labels = d.part("test")
        a_o = roc_auc(labels, predict(codes, T.W[k], T.bias[k], T.dense_w[k], T.dense_b[k]))
        a_k = roc_auc(labels, kr.predict(models[k], codes))
        fig(f"{sub[k].id}: test AUROC, ours ({int(T.epochs[k])} epochs)", a_o, "")
        fig(f"{sub[k].id}: test AUROC, keras loop", a_k, "")
    whole = fetch_collection("JASPAR2016", "CORE", None)
    P = Settings()                                        # the authors' protocol (Keras 1 semantics)
    rows, t48, c48 = timed(run_chunk, sample, P, SEED, indices=data_indices(sample, whole), threads=2,
                           log=lambda s: None)
    fig(f"{n_sample}-motif sample end to end, authors' protocol + held-out check (in process), wall", t48, "s")
    fig(f"{n_sample}-motif sample end to end, CPU", c48, "s")
    if args.full:
        allm = select_motifs("JASPAR2016", seed=SEED)
        rows, tall, call = timed(run_chunk, allm, P, SEED, indices=data_indices(allm, whole), threads=2,
                                 log=lambda s: None)
        fig(f"all {len(allm)} matrices end to end (in process), wall", tall, "s")
        fig(f"all {len(allm)} matrices end to end, CPU", call, "s")
        import pandas as pd

        summ = summarize(pd.DataFrame(rows))["paper"]
        for metric in ("auroc", "auprc"):
            s = summ[metric]
            fig(f"full run {metric}: Wilcoxon p, exact > heuristic", s["p_value"], "")
            fig(f"full run {metric}: Wilcoxon p, heuristic > exact", s["p_value_heuristic_greater"], "")
            fig(f"full run {metric}: mean difference exact - heuristic", s["mean_difference"], "")
            fig(f"full run {metric}: exact wins / ties / losses", s["wins"], f"/ {s['ties']} / {s['losses']}")
    if args.workflow is not None:
        workflow_figures(args.workflow or None, fig)
    write_result("k2p_simulation", figures, ratios)
    print(f"wrote {HERE / 'out' / 'k2p_simulation.json'}")
    if args.results:
        collect()


def collect() -> None:
    """This benchmark's section of RESULTS.md from benchmarks/out/k2p_simulation.json."""
    import subprocess

    subprocess.run([sys.executable, str(HERE / "run_all.py"), "--collect", "--only", "k2p_simulation"],
                   check=True)


def workflow_figures(sample: int | None, fig) -> None:
    """Time the Snakemake target twice (paper protocol alone, then with the random starts)."""
    what = "all 1,082 matrices" if sample is None else f"a {sample}-matrix sample"
    for random_starts, label in ((False, "paper protocol (random_starts: false)"),
                                 (True, "with the held-out random starts (random_starts: true)")):
        r = workflow_run(random_starts, sample)
        head = f"snakemake --cores 2 k2p_simulation --configfile config/k2p_full.yaml, {what}, {label}"
        fig(f"{head}: wall", r["wall"], "s")
        fig(f"{head}: CPU time of all its processes", r["cpu"], "s")
        fig(f"{head}: 1-minute load average before / after", r["load"][0], f"/ {r['load'][1]:.1f}")
        for metric in ("auroc", "auprc"):
            fig(f"{head}: paper {metric}, Wilcoxon p (exact > heuristic)", r["paper"][metric]["p_value"], "")


if __name__ == "__main__":
    main()
