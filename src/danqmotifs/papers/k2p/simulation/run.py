"""One chunk of motifs end to end (simulate, train, derive, score), and the aggregate over chunks."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ....errors import InputError, atomic_output
from ....motif import Motif
from ....pwm import consensus, total_information
from . import logistic
from .data import make_data, motif_rngs, motif_seed
from .motifs import exact_pwm, heuristic_pwm
from .score import best_windows, loglik_scores, metrics
from .settings import Settings
from .stats import summarize
from .trainer import init_weights, permutations, predict, train_many

#: how a derived matrix is compared with its planted one (kept in one place, see tomtom_pvalues)
TOMTOM_DISTANCE = "pearson"


def tomtom_pvalues(queries: Sequence[np.ndarray], planted: Sequence[int], targets: Sequence[Motif]) -> np.ndarray:
    """Tomtom p-value of each query PWM against its planted matrix ``targets[planted[i]]``.

    The p-values are those of a search of the whole target set (Tomtom's null is built from the
    targets' columns), read at the planted matrix: this package's Tomtom (danqmotifs.tomtom) with
    the Pearson distance, as the matching stage uses by default; the one place to change it.
    """
    from ....tomtom import tomtom

    r = tomtom([np.asarray(q, dtype=np.float64) for q in queries], [t.pwm for t in targets],
               distance=TOMTOM_DISTANCE, n_jobs=1)
    return r.p_values[np.arange(len(queries)), np.asarray(planted, dtype=np.int64)]


def _prepare(motif: Motif, settings: Settings, seed: int):
    rngs = motif_rngs(seed, motif.id)
    data = make_data(motif.pwm, settings, rngs)
    train, valid = data.part("train"), data.part("valid")
    init = init_weights(motif.width, rngs["init"])
    perm = permutations(train[0].shape[0], settings.max_epochs, rngs["shuffle"])
    return data, train, valid, init, perm


def _score_row(motif: Motif, data, trained, m: int, settings: Settings) -> tuple[dict, dict]:
    """Derive the matrices of model ``m`` and score them: (row, {method: pwm})."""
    W, bias = trained.W[m], float(trained.bias[m])
    fit_codes, fit_labels = data.part("train", "valid")
    test_codes, test_labels = data.part("test")
    P_exact, ln_b, status = exact_pwm(W, fit_codes)
    P_heur, nsites = heuristic_pwm(W, bias, fit_codes)
    pwms = {"exact": P_exact, "heuristic": P_heur, "planted": motif.pwm}
    row = {"matrix_id": motif.id, "name": motif.name, "width": motif.width,
           "ic_bits": float(total_information(motif.pwm)),
           "n_train": int(data.idx["train"].size), "n_valid": int(data.idx["valid"].size),
           "n_test": int(data.idx["test"].size), "epochs": int(trained.epochs[m]),
           "best_epoch": int(trained.best_epoch[m]) + 1,
           "best_val_loss": float(trained.val_loss[m, trained.best_epoch[m]]),
           "dense_w": float(trained.dense_w[m]),
           "ln_b": ln_b, "base_status": status, "nsites_heuristic": nsites}
    scores = {k: loglik_scores(P, test_codes) for k, P in pwms.items()}
    scores["model"] = predict(test_codes, W, bias, float(trained.dense_w[m]), float(trained.dense_b[m]))
    scores["kernel"] = best_windows(W, test_codes)[0]
    for k, s in scores.items():
        row[f"auroc_{k}"], row[f"auprc_{k}"] = metrics(test_labels, s)
    if settings.logistic_cv:
        for k, P in pwms.items():
            prob = logistic.cv_probabilities(loglik_scores(P, fit_codes), fit_labels, scores[k])
            row[f"auroc_{k}_lr"], row[f"auprc_{k}_lr"] = metrics(test_labels, prob)
    for k, P in pwms.items():
        row[f"consensus_{k}"] = consensus(P)
    return row, pwms


def run_chunk(motifs: Sequence[Motif], settings: Settings, seed: int, targets: Sequence[Motif] | None = None,
              threads: int | None = None, log: Callable[[str], None] = print) -> list[dict]:
    """Run every motif of a chunk: one row per motif (dicts; the columns of motifs.tsv).

    ``targets``: the Tomtom database for the p-value of each derived matrix against its planted
    one (default: the chunk's planted matrices; the workflow passes the whole JASPAR set). Planted
    matrices missing from ``targets`` are added to it.
    """
    motifs = list(motifs)
    for mo in motifs:
        if mo.width > settings.length:
            raise InputError(f"matrix {mo.id}", f"{mo.width} bp wide, wider than the {settings.length} bp sequences",
                             "raise sizes.length or leave this matrix out")
    t0 = time.perf_counter()
    prepared = [_prepare(mo, settings, seed) for mo in motifs]
    log(f"simulated {len(motifs)} motif(s) in {time.perf_counter() - t0:.1f} s")
    t1 = time.perf_counter()
    trained = train_many([p[1] for p in prepared], [p[2] for p in prepared], [p[3] for p in prepared],
                         [p[4] for p in prepared], settings, threads=threads)
    log(f"trained {len(motifs)} model(s) in {time.perf_counter() - t1:.1f} s "
        f"(epochs {int(trained.epochs.min())}-{int(trained.epochs.max())})")
    t2 = time.perf_counter()
    rows, queries, planted_at = [], [], []
    targets = list(targets) if targets else []
    index = {t.id: i for i, t in enumerate(targets)}
    for m, mo in enumerate(motifs):
        row, pwms = _score_row(mo, prepared[m][0], trained, m, settings)
        row["seed"] = motif_seed(seed, mo.id)
        rows.append(row)
        if mo.id not in index:
            index[mo.id] = len(targets)
            targets.append(mo)
        queries += [pwms["exact"], pwms["heuristic"]]
        planted_at += [index[mo.id]] * 2
    if rows:
        p = tomtom_pvalues(queries, planted_at, targets)
        for m, row in enumerate(rows):
            row["tomtom_p_exact"], row["tomtom_p_heuristic"] = float(p[2 * m]), float(p[2 * m + 1])
    log(f"scored {len(motifs)} motif(s) in {time.perf_counter() - t2:.1f} s")
    return rows


def write_rows(rows: list[dict], path) -> None:
    """A chunk's (or the aggregate's) rows as TSV, atomically."""
    import pandas as pd

    with atomic_output(path) as tmp:
        pd.DataFrame(rows).to_csv(tmp, sep="\t", index=False, float_format="%.6g")


def read_rows(paths: Sequence) -> "pd.DataFrame":  # noqa: F821
    """The rows of several chunk tables, sorted by matrix id (an id twice: InputError)."""
    import pandas as pd

    frames = []
    for p in paths:
        if not Path(p).exists():
            raise InputError(p, "the chunk table does not exist", "rerun the k2p_simulation_chunk rule")
        frames.append(pd.read_csv(p, sep="\t", dtype={"matrix_id": str, "name": str}, keep_default_na=False,
                                  na_values=["NaN", "nan"]))
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if "matrix_id" not in df:
        raise InputError(", ".join(map(str, paths)) or "<no chunks>", "no motif rows",
                         "rerun the k2p_simulation_chunk rules")
    dup = df["matrix_id"][df["matrix_id"].duplicated()].tolist()
    if dup:
        raise InputError(", ".join(map(str, paths)), f"matrix id(s) in two chunks: {', '.join(dup)}",
                         "delete the chunk tables and rerun")
    return df.sort_values("matrix_id", kind="stable").reset_index(drop=True)


def aggregate(chunk_paths: Sequence, table_path, json_path) -> tuple["pd.DataFrame", dict]:  # noqa: F821
    """Gather the chunks into motifs.tsv and write the test results to wilcoxon.json."""
    df = read_rows(chunk_paths)
    summ = summarize(df)
    write_rows(df.to_dict("records"), table_path)
    with atomic_output(json_path) as tmp:
        Path(tmp).write_text(json.dumps(summ, indent=1, sort_keys=True) + "\n")
    return df, summ
