"""Speed of the k2p simulation's regression step (caret plr, 5-fold CV over its 3-value grid, then a
refit): the plain way (one optimiser call per fit) vs the vectorised solver, side by side.

    .venv/bin/python benchmarks/bench_k2p_regression.py [--quick]

The inputs are real: the maximal log-likelihoods of the exact, heuristic and planted PWMs of the
first motifs of JASPAR2016 CORE (all taxa) under the authors' protocol (their data, the fixed
initial draw, Keras 1 training), on the 3,000 train + validation sequences; 3 rows per motif (the
workflow fits 5 per motif: the random initialisation's exact and heuristic PWMs too, so the
full-run figures are scaled by rows).

* ``plain``: per row, per lambda, per fold, then the refit: ``scipy.optimize.minimize`` (L-BFGS-B)
  on the same criterion, one call per fit (16 fits per row), as a per-fit loop would do it;
* ``vectorised``: ``danqmotifs.papers.k2p.simulation.plr.train``, all rows x grid x folds at once.

Both pick their lambda by the same folds; the figures say how often the choices agree and the
largest slope difference. The per-row times are scaled to the full run (1,082 matrices x 5 rows).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_result  # noqa: E402
sys.path.insert(0, str(HERE.parent / "src"))

from danqmotifs.papers.k2p.simulation import paper, plr  # noqa: E402
from danqmotifs.papers.k2p.simulation.data import MotifData  # noqa: E402
from danqmotifs.papers.k2p.simulation.motifs import exact_pwm_base_e, heuristic_pwm  # noqa: E402
from danqmotifs.papers.k2p.simulation.score import loglik_scores  # noqa: E402
from danqmotifs.papers.k2p.simulation.settings import Settings  # noqa: E402
from danqmotifs.papers.k2p.simulation.trainer import train_many  # noqa: E402
from danqmotifs.sources.jaspar import fetch_collection  # noqa: E402

FULL_ROWS = 1082 * 5


def features(n_motifs: int):
    S = Settings()
    motifs = fetch_collection("JASPAR2016", "CORE", None)[:n_motifs]
    data, inits = [], []
    for i, m in enumerate(motifs):
        codes, labels = paper.simulate(m.pwm, i, S)
        d = MotifData(codes, labels, paper.split(labels, S))
        data.append(d)
        inits.append(paper.fixed_init(m.width, d.idx["train"].size, S.max_epochs))
    T = train_many([d.part("train") for d in data], [d.part("valid") for d in data], [i[0] for i in inits],
                   [i[1] for i in inits], S, threads=2)
    X = []
    for k, (m, d) in enumerate(zip(motifs, data)):
        codes, _ = d.part("train", "valid")
        P_heur, _ = heuristic_pwm(T.W[k], T.bias[k], codes)
        for P in (exact_pwm_base_e(T.W[k]), P_heur, m.pwm):
            X.append(loglik_scores(P, codes))
    return np.array(X), data[0].part("train", "valid")[1].astype(np.float64)


def plain(X, y, k=5, seed=123):
    """One L-BFGS call per fit."""
    from scipy.optimize import minimize
    from scipy.special import expit

    def fit1(x, yy, lam):
        mu, sd = x.mean(), x.std() or 1.0
        z = (x - mu) / sd

        def f(t):
            eta = t[0] + t[1] * z
            p = expit(eta)
            val = np.sum(np.logaddexp(0, eta) - yy * eta) + lam / sd ** 2 * t[1] ** 2
            g = np.array([np.sum(p - yy), np.sum((p - yy) * z) + 2 * lam / sd ** 2 * t[1]])
            return val, g

        t = minimize(f, np.zeros(2), jac=True, method="L-BFGS-B", options={"gtol": 1e-10, "ftol": 1e-14}).x
        return t[0] - t[1] / sd * mu, t[1] / sd

    fold = plr.folds(y, k, seed)
    lam_out, b1_out = [], []
    for x in X:
        acc = []
        for lam in plr.LAMBDAS:
            a = []
            for f in range(k):
                tr, te = fold != f, fold == f
                b0, b1 = fit1(x[tr], y[tr], lam)
                a.append(np.mean(((b0 + b1 * x[te]) >= 0) == (y[te] > 0.5)))
            acc.append(np.mean(a))
        lam = plr.LAMBDAS[int(np.argmax(acc))]
        lam_out.append(lam)
        b1_out.append(fit1(x, y, lam)[1])
    return np.array(lam_out), np.array(b1_out)


def timed(f, *a):
    t0, c0 = time.perf_counter(), time.process_time()
    r = f(*a)
    return r, time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="4 motifs (12 rows) instead of 12 (36 rows)")
    args = ap.parse_args()
    n = 4 if args.quick else 12
    X, y = features(n)
    R = X.shape[0]
    figures, ratios = [], []

    def fig(what, value, unit):
        figures.append({"what": what, "value": float(f"{float(value):.4g}"), "unit": unit})
        print(f"{what}: {value:.4g} {unit}", flush=True)

    (lam_p, b1_p), t_p, c_p = timed(plain, X, y)
    m, t_v, c_v = timed(plr.train, X, y)
    fig(f"plain: {R} rows x (3 lambdas x 5 folds + refit), wall", t_p, "s")
    fig(f"vectorised: the same {R} rows, wall", t_v, "s")
    fig("plain CPU time", c_p, "s")
    fig("vectorised CPU time", c_v, "s")
    fig("plain, scaled to the full run (1,082 x 5 rows), CPU", c_p / R * FULL_ROWS, "s")
    fig("vectorised, scaled to the full run (1,082 x 5 rows), CPU", c_v / R * FULL_ROWS, "s")
    fig("rows where both choose the same lambda", int((lam_p == m["lam"]).sum()), f"of {R}")
    same = lam_p == m["lam"]
    fig("largest relative slope difference (same lambda)",
        float(np.max(np.abs(b1_p[same] - m["b1"][same]) / np.maximum(np.abs(m["b1"][same]), 1e-12))), "")
    ratios.append({"what": f"regression step, {R} rows, wall", "value": round(t_p / t_v, 1), "baseline": "plain"})
    ratios.append({"what": f"regression step, {R} rows, CPU", "value": round(c_p / c_v, 1), "baseline": "plain"})
    print(f"ratio: {t_p / t_v:.1f}x wall, {c_p / c_v:.1f}x CPU", flush=True)
    write_result("k2p_regression", figures, ratios)
    print(f"wrote {HERE / 'out' / 'k2p_regression.json'}")


if __name__ == "__main__":
    main()
