"""One chunk of motifs end to end (simulate, train, derive, score), and the aggregate over chunks."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ....core.errors import InputError, atomic_output, require_file
from ....core.metrics import roc_auc
from ....core.motif import Motif
from ....core.pwm import consensus, total_information
from . import paper, plr
from .data import MotifData, motif_rngs, motif_seed
from .motifs import exact_pwm_base_e, heuristic_pwm
from .score import loglik_scores, metrics
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

def _fit_names(idx: dict, labels: np.ndarray, length: int) -> np.ndarray:
    """The authors' sequence names of the fit rows (train, then valid): R sorts its table by them
    before the regression, which decides the order of tied scores in the AUPRC."""
    names = []
    for part, tag in (("train", "training"), ("valid", "validation")):
        names += [f"{tag}__{i}__{length}__{int(y)}" for i, y in enumerate(labels[idx[part]])]
    return np.array(names)

def _prepare(motifs, indices, settings: Settings, seed: int, init_seed: int, random_starts: bool = True):
    """Data of every motif, and the two initialisations: fixed (one draw per width, the authors')
    and random (a draw per motif from its own seed; empty without ``random_starts``)."""
    data, fixed, random = [], [], []
    by_width = {}
    for mo, index in zip(motifs, indices):
        codes, labels = paper.simulate(mo.pwm, index, settings)
        d = MotifData(codes, labels, paper.split(labels, settings))
        n_train = d.idx["train"].size
        key = (mo.width, n_train)
        if key not in by_width:
            by_width[key] = paper.fixed_init(mo.width, n_train, settings.max_epochs, init_seed)
        data.append(d)
        fixed.append(by_width[key])
        if not random_starts:
            continue
        rngs = motif_rngs(seed, mo.id)
        random.append((init_weights(mo.width, rngs["init"], settings.semantics), permutations(n_train, settings.max_epochs, rngs["shuffle"])))
    return data, fixed, random

def _train(data, inits, settings: Settings, threads):
    return train_many([d.part("train") for d in data], [d.part("valid") for d in data], [i[0] for i in inits],
                      [i[1] for i in inits], settings, threads=threads)

KINDS = ("fixed", "random")
PWMS = ("exact", "heuristic", "planted")

def run_chunk(motifs: Sequence[Motif], settings: Settings, seed: int, indices: Sequence[int] | None = None,
              targets: Sequence[Motif] | None = None, threads: int | None = None, init_seed: int = paper.INIT_SEED, lr_seed: int = 123,
              random_starts: bool = True, log: Callable[[str], None] = print) -> list[dict]:
    """Run every motif of a chunk: one row per motif (dicts; the columns of motifs.tsv).

    Each motif is trained twice: from the authors' fixed initial draw of its width (``fixed``:
    the paper protocol and the first held-out check) and from a random draw of its own
    (``random``; only with ``random_starts``, the held-out check's second half: without it the
    ``*_random*`` columns are left out and the other columns are the same). Columns ``paper_*``:
    the authors' protocol (the regression refit on the fit rows, in-sample; AUROC of class labels, trapezoid AUPRC); ``heldout_{fixed,random}_{raw,lr}_*``: the
    test split scored by the raw maximal log-likelihood and by the fitted regression's probability.

    ``indices``: each matrix's position in the sorted ids of the whole set (the data seed; default
    0, 1, ...). ``targets``: the Tomtom database for the p-value of each derived matrix against
    its planted one (default: the chunk's planted matrices). Planted matrices missing from
    ``targets`` are added to it.
    """
    motifs = list(motifs)
    indices = list(range(len(motifs))) if indices is None else [int(i) for i in indices]
    for mo in motifs:
        if mo.width > settings.length:
            raise InputError(f"matrix {mo.id}", f"{mo.width} bp wide, wider than the {settings.length} bp sequences",
                             "raise sizes.length or leave this matrix out")
    if not motifs:
        return []
    t0 = time.perf_counter()
    data, fixed, random = _prepare(motifs, indices, settings, seed, init_seed, random_starts)
    log(f"simulated {len(motifs)} motif(s) in {time.perf_counter() - t0:.1f} s")
    t1 = time.perf_counter()
    trained = {"fixed": _train(data, fixed, settings, threads)}
    if random_starts:
        trained["random"] = _train(data, random, settings, threads)
    kinds = tuple(trained)
    log(f"trained {len(kinds) * len(motifs)} model(s) in {time.perf_counter() - t1:.1f} s (epochs "
        + ", ".join(f"{int(t.epochs.min())}-{int(t.epochs.max())} {k}" for k, t in trained.items()) + ")")
    t2 = time.perf_counter()
    rows, pwms, fit_x, test_x, keys = [], {}, [], [], []
    for m, (mo, d) in enumerate(zip(motifs, data)):
        fit_codes, fit_labels = d.part("train", "valid")
        test_codes, test_labels = d.part("test")
        row = {"matrix_id": mo.id, "name": mo.name, "width": mo.width, "index": indices[m],
               "ic_bits": float(total_information(mo.pwm)), "n_train": int(d.idx["train"].size),
               "n_valid": int(d.idx["valid"].size), "n_test": int(d.idx["test"].size),
               "seed_random": motif_seed(seed, mo.id)}
        if not random_starts:
            del row["seed_random"]
        for kind in kinds:
            t = trained[kind]
            W, bias = t.W[m], float(t.bias[m])
            row[f"epochs_{kind}"] = int(t.epochs[m])
            row[f"best_epoch_{kind}"] = int(t.best_epoch[m]) + 1
            row[f"dense_w_{kind}"] = float(t.dense_w[m])
            model_test = predict(test_codes, W, bias, float(t.dense_w[m]), float(t.dense_b[m]))
            row[f"auroc_model_{kind}"] = roc_auc(test_labels, model_test)
            P_heur, nsites = heuristic_pwm(W, bias, fit_codes)
            row[f"nsites_heuristic_{kind}"] = nsites
            pwms[(m, kind)] = {"exact": exact_pwm_base_e(W), "heuristic": P_heur, "planted": mo.pwm}
            for name in PWMS:
                if name == "planted" and kind == "random":
                    continue        # the same data: the planted matrix's scores are the fixed ones
                P = pwms[(m, kind)][name]
                fit_x.append(loglik_scores(P, fit_codes))
                test_x.append(loglik_scores(P, test_codes))
                keys.append((m, kind, name))
        for name in ("exact", "heuristic"):
            row[f"consensus_{name}"] = consensus(pwms[(m, "fixed")][name])
        rows.append(row)
    t3 = time.perf_counter()
    fit_labels = data[0].part("train", "valid")[1]
    test_labels = data[0].part("test")[1]
    same = all(np.array_equal(d.part("train", "valid")[1], fit_labels) for d in data)
    if not same:  # pragma: no cover - the sizes are the same for every motif of a run
        raise InputError("k2p simulation chunk", "motifs with different split layouts", "use one sizes block")
    X, T = np.array(fit_x), np.array(test_x)
    model = plr.train(X, fit_labels, seed=lr_seed)
    in_label, in_prob = plr.predict(model, X)
    _, test_prob = plr.predict(model, T)
    names = _fit_names(data[0].idx, data[0].labels, settings.length)
    paper_auroc = paper.class_label_auroc(fit_labels, in_label)
    paper_auprc = paper.trapezoid_auprc(fit_labels, in_prob, order_key=names)
    for r, (m, kind, name) in enumerate(keys):
        row = rows[m]
        also = (kind, "random") if name == "planted" and random_starts else (kind,)
        if kind == "fixed":
            row[f"paper_auroc_{name}"] = float(paper_auroc[r])
            row[f"paper_auprc_{name}"] = float(paper_auprc[r])
            row[f"lambda_{name}"] = float(model["lam"][r])
        for k in also:
            row[f"heldout_{k}_raw_auroc_{name}"], row[f"heldout_{k}_raw_auprc_{name}"] = metrics(test_labels, T[r])
            row[f"heldout_{k}_lr_auroc_{name}"], row[f"heldout_{k}_lr_auprc_{name}"] = metrics(test_labels, test_prob[r])
            row[f"lr_slope_{k}_{name}"] = float(model["b1"][r])
    log(f"scored {len(motifs)} motif(s) in {t3 - t2:.1f} s, regressions ({len(keys)} rows x grid x folds) "
        f"in {time.perf_counter() - t3:.1f} s")
    if targets is not None:
        targets = list(targets)
        index = {t.id: i for i, t in enumerate(targets)}
        queries, planted_at = [], []
        for m, mo in enumerate(motifs):
            if mo.id not in index:
                index[mo.id] = len(targets)
                targets.append(mo)
            queries += [pwms[(m, "fixed")]["exact"], pwms[(m, "fixed")]["heuristic"]]
            planted_at += [index[mo.id]] * 2
        p = tomtom_pvalues(queries, planted_at, targets)
        for m, row in enumerate(rows):
            row["tomtom_p_exact"], row["tomtom_p_heuristic"] = float(p[2 * m]), float(p[2 * m + 1])
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
        require_file(p, "the chunk table", "rerun the k2p_simulation_chunk rule")
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

def aggregate(chunk_paths: Sequence, table_path, json_path, protocol: str = "paper",
              bootstrap: int = 2000) -> tuple["pd.DataFrame", dict]:  # noqa: F821
    """Gather the chunks into motifs.tsv and write the test results to wilcoxon.json."""
    df = read_rows(chunk_paths)
    summ = summarize(df, protocol=protocol, bootstrap=bootstrap)
    write_rows(df.to_dict("records"), table_path)
    with atomic_output(json_path) as tmp:
        Path(tmp).write_text(json.dumps(summ, indent=1, sort_keys=True) + "\n")
    return df, summ
