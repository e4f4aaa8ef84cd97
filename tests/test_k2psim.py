"""The k2p simulation benchmark: data, trainer, derived matrices, scores, statistics, selection."""

import json

import numpy as np
import pandas as pd
import pytest

from danqmotifs.core.errors import InputError
from danqmotifs.core.metrics import roc_auc
from danqmotifs.core.motif import Motif
from danqmotifs.core.pwm import row_logsumexp
from danqmotifs.papers.k2p.simulation import paper, plr
from danqmotifs.papers.k2p.simulation.data import make_data, motif_rngs, motif_seed, sample_sites
from danqmotifs.papers.k2p.simulation.motifs import HEURISTIC_PSEUDOCOUNT, exact_pwm, exact_pwm_base_e, heuristic_pwm
from danqmotifs.papers.k2p.simulation.run import aggregate, read_rows, run_chunk, write_rows
from danqmotifs.papers.k2p.simulation.score import best_windows, floor_zeros, loglik_scores, metrics
from danqmotifs.papers.k2p.simulation.select import chunks, select_motifs
from danqmotifs.papers.k2p.simulation.settings import Settings, with_defaults
from danqmotifs.papers.k2p.simulation.stats import paired_summary, summarize
from danqmotifs.papers.k2p.simulation.trainer import init_weights, permutations, predict, train_many

SHARP = np.full((8, 4), 0.02)
SHARP[np.arange(8), [0, 1, 2, 3, 3, 2, 1, 0]] = 0.94          # ACGTTGCA


#: the trainer's Keras 3 behaviour (the other one, keras1, is the default: the authors')
KERAS3 = dict(semantics="keras3", epsilon=1e-7)


def small(**kw):
    base = dict(n_positive=300, n_negative=300, max_epochs=15)
    base.update(kw)
    return Settings(**base)


# ------------------------------------------------------------------------------------------ data

def test_seed_is_stable_and_depends_on_seed_and_id():
    assert motif_seed(1, "MA0139.1") == motif_seed(1, "MA0139.1")
    assert len({motif_seed(1, "MA0139.1"), motif_seed(2, "MA0139.1"), motif_seed(1, "MA0139.2")}) == 3
    a, b = motif_rngs(3, "MA0001.1"), motif_rngs(3, "MA0001.1")
    assert np.array_equal(a["data"].integers(0, 1000, 10), b["data"].integers(0, 1000, 10))


def test_sites_follow_the_column_frequencies():
    pwm = np.array([[0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25], [0.0, 0.0, 0.5, 0.5]])
    s = sample_sites(pwm, 40000, np.random.default_rng(0))
    freq = np.stack([np.bincount(s[:, j], minlength=4) / s.shape[0] for j in range(3)])
    assert np.abs(freq - pwm).max() < 0.01


def test_data_plants_one_instance_and_splits_stratified():
    S = Settings()
    d = make_data(SHARP, S, motif_rngs(1, "X"))
    assert d.codes.shape == (4000, 50) and d.labels.sum() == 2000
    sizes = {k: v.size for k, v in d.idx.items()}
    assert sizes == {"train": 2400, "valid": 600, "test": 1000}
    assert all(d.labels[v].sum() * 2 == v.size for v in d.idx.values())          # stratified
    assert np.array_equal(np.sort(np.concatenate(list(d.idx.values()))), np.arange(4000))
    # the consensus (probability 0.94 ** 8 = 0.61 per site) is far more frequent in positives
    cons = np.array([0, 1, 2, 3, 3, 2, 1, 0])
    win = np.lib.stride_tricks.sliding_window_view(d.codes, 8, axis=1)
    has = (win == cons).all(axis=2).any(axis=1)
    assert has[d.labels == 1].mean() > 0.55 and has[d.labels == 0].mean() < 0.02


# -------------------------------------------------------------------------------------- trainer

def _loss(W, b, d, e, codes, y):
    top, _ = best_windows(W, codes)
    z = d * np.maximum(top + b, 0.0) + e
    return np.mean(np.logaddexp(0.0, z) - y * z)


def test_one_full_batch_step_is_rmsprop_on_the_true_gradient():
    """One epoch with one batch = one RMSprop step: theta - lr g / sqrt(0.1 g^2 + eps), with g the
    finite-difference gradient of the mean binary cross-entropy."""
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(64, 20)).astype(np.uint8)
    y = rng.integers(0, 2, 64).astype(np.float64)
    W0, _, _, _ = init_weights(5, rng)
    b0, d0, e0 = 0.1, 0.8, -0.2
    S = Settings(batch_size=64, max_epochs=1, learning_rate=0.01, **KERAS3)
    T = train_many([(codes, y)], [(codes[:8], y[:8])], [(W0, b0, d0, e0)], [permutations(64, 1, rng)], S)
    theta = np.r_[W0.ravel(), b0, d0, e0]

    def f(t):
        return _loss(t[:20].reshape(5, 4), t[20], t[21], t[22], codes, y)

    h = 1e-6
    g = np.array([(f(theta + h * np.eye(23)[i]) - f(theta - h * np.eye(23)[i])) / (2 * h) for i in range(23)])
    expected = theta - 0.01 * g / np.sqrt(0.1 * g * g + 1e-7)
    got = np.r_[T.W[0].ravel(), T.bias[0], T.dense_w[0], T.dense_b[0]]
    assert np.abs(got - expected).max() < 1e-6
    assert T.epochs[0] == 1 and T.best_epoch[0] == 0
    assert T.train_loss[0, 0] == pytest.approx(f(theta), abs=1e-12)
    assert T.val_loss[0, 0] == pytest.approx(_loss(T.W[0], T.bias[0], T.dense_w[0], T.dense_b[0], codes[:8], y[:8]),
                                             abs=1e-12)


def test_training_learns_and_keeps_the_best_epoch():
    S = small(max_epochs=30, patience=3, learning_rate=0.01, **KERAS3)
    rngs = motif_rngs(5, "SHARP")
    d = make_data(SHARP, S, rngs)
    W0, b0, _, e0 = init_weights(8, rngs["init"])
    init = (W0, b0, 1.0, e0)                        # a positive dense weight: a motif detector
    T = train_many([d.part("train")], [d.part("valid")], [init], [permutations(360, 30, rngs["shuffle"])], S)
    vl = T.val_loss[0, :T.epochs[0]]
    assert T.best_epoch[0] == int(np.argmin(vl))
    assert T.epochs[0] == 30 or T.epochs[0] - 1 - T.best_epoch[0] >= 3        # stopped by patience
    codes, labels = d.part("test")
    assert roc_auc(labels, predict(codes, T.W[0], T.bias[0], T.dense_w[0], T.dense_b[0])) > 0.9


def test_models_of_different_widths_train_side_by_side_as_alone():
    S = small(max_epochs=5)
    motifs = [SHARP, SHARP[:5]]
    prep = []
    for k, pwm in enumerate(motifs):
        rngs = motif_rngs(1, f"m{k}")
        d = make_data(pwm, S, rngs)
        prep.append((d.part("train"), d.part("valid"), init_weights(pwm.shape[0], rngs["init"]),
                     permutations(360, 5, rngs["shuffle"])))
    both = train_many(*[[p[i] for p in prep] for i in range(4)], S, threads=2)
    for k in range(2):
        alone = train_many(*[[prep[k][i]] for i in range(4)], S)
        assert np.array_equal(alone.W[0], both.W[k]) and alone.dense_w[0] == both.dense_w[k]


# ---------------------------------------------------------------------------- derived matrices

def test_exact_pwm_ranks_like_the_kernel():
    """The identity: the exact PWM's max log-likelihood = v * (kernel max score) - sum_j lse_j, so
    both rank the sequences alike and their AUROCs agree."""
    rng = np.random.default_rng(2)
    W = rng.normal(size=(9, 4))
    codes = rng.integers(0, 4, size=(500, 50)).astype(np.uint8)
    P, v, status = exact_pwm(W, codes)
    assert status == 0 and v > 0
    m, _ = best_windows(W, codes)
    ll = loglik_scores(P, codes)
    assert np.allclose(ll, v * m - row_logsumexp(W, v).sum(), atol=1e-9)
    labels = rng.integers(0, 2, 500)
    assert roc_auc(labels, ll) == pytest.approx(roc_auc(labels, m), abs=1e-12)


def test_heuristic_weights_windows_by_activation():
    W = np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0]])           # "AC" scores 2
    codes = np.array([[2, 0, 1, 3],          # AC at 1: activation 2 - 0.5
                      [0, 2, 2, 0],          # best 1 (A.) at 0 or 3 -> first, window AG: 0.5
                      [3, 3, 3, 3]], dtype=np.uint8)   # best 0: activation -0.5, not added
    P, n = heuristic_pwm(W, -0.5, codes)
    c = np.full((2, 4), HEURISTIC_PSEUDOCOUNT)
    c[0, 0] += 1.5 + 0.5
    c[1, 1] += 1.5
    c[1, 2] += 0.5
    assert n == 2 and np.allclose(P, c / c.sum(axis=1, keepdims=True))


def test_scores_floor_zeros_and_metrics():
    P = np.array([[1.0, 0, 0, 0], [0.5, 0.5, 0, 0]])
    F = floor_zeros(P)
    assert F[0, 1] == pytest.approx(0.05) and F[0, 0] == 1.0
    codes = np.array([[0, 1, 3], [3, 3, 3]], dtype=np.uint8)
    assert np.allclose(loglik_scores(P, codes), [np.log(0.5), np.log(0.05) * 2])
    auroc, auprc = metrics(np.array([1, 0, 1, 0]), np.array([0.9, 0.1, 0.8, 0.2]))
    assert auroc == 1.0 and auprc == 1.0


# ------------------------------------------------------------------------------------ statistics

def test_paired_summary_counts_and_scipy_p():
    from scipy.stats import wilcoxon

    a = np.array([0.9, 0.8, 0.7, 0.95, 0.6, np.nan])
    b = np.array([0.85, 0.8, 0.72, 0.9, 0.5, 0.3])
    s = paired_summary(a, b)
    assert (s["n"], s["wins"], s["ties"], s["losses"]) == (5, 3, 1, 1)
    assert s["mean_difference"] == pytest.approx(np.mean([0.05, 0, -0.02, 0.05, 0.1]))
    assert s["p_value"] == pytest.approx(wilcoxon(a[:5], b[:5], alternative="greater").pvalue)
    assert paired_summary([0.5, 0.6], [0.5, 0.6])["p_value"] is None


# -------------------------------------------------------------------------------- selection

def test_selection_and_bad_input():
    ms = select_motifs("JASPAR2016", sample=5, seed=1)
    assert len(ms) == 5 and [m.id for m in ms] == sorted(m.id for m in ms)
    assert [m.id for m in select_motifs("JASPAR2016", sample=5, seed=1)] == [m.id for m in ms]
    assert [m.id for m in select_motifs("JASPAR2016", motif_ids=["MA0139"])] == ["MA0139.1"]
    assert chunks(list(range(5)), 2) == [[0, 1], [2, 3], [4]]
    for kw, text in ((dict(sample=10000), "only 1082"), (dict(motif_ids=["MA9999.1"]), "does not exist"),
                     (dict(release="JASPAR1999"), "no release"), (dict(length=10), "wider than")):
        with pytest.raises(InputError, match=text):
            select_motifs(**{"release": "JASPAR2016", **kw})
    with pytest.raises(InputError, match="unknown key"):
        Settings.from_config({"lenght": 50})
    assert with_defaults({"sizes": {"length": 60}})["sizes"]["n_positive"] == 2000


# ----------------------------------------------------------------------------- end to end

def test_chunk_end_to_end_and_aggregate(tmp_path):
    motifs = [Motif("SHARP", SHARP), Motif("SHORT", SHARP[2:7])]
    S = small()
    rows = run_chunk(motifs, S, seed=1, log=lambda s: None)
    assert [r["matrix_id"] for r in rows] == ["SHARP", "SHORT"] and [r["index"] for r in rows] == [0, 1]
    for r in rows:
        assert r["n_train"] == 360 and r["n_valid"] == 90 and r["n_test"] == 150
        assert 0.5 <= r["paper_auroc_planted"] <= 1 and r["heldout_fixed_raw_auroc_planted"] > 0.85
        assert r["heldout_random_raw_auroc_planted"] == r["heldout_fixed_raw_auroc_planted"]   # same data
        for kind in ("fixed", "random"):
            for name in ("exact", "heuristic"):
                # the LR-oriented score turns a backwards raw score round and keeps a forward one
                raw, lr = r[f"heldout_{kind}_raw_auroc_{name}"], r[f"heldout_{kind}_lr_auroc_{name}"]
                assert lr == pytest.approx(raw if r[f"lr_slope_{kind}_{name}"] > 0 else 1 - raw, abs=1e-9)
    again = run_chunk(motifs, S, seed=1, log=lambda s: None)
    assert again == rows                                                     # deterministic
    write_rows(rows[:1], tmp_path / "0.tsv")
    write_rows(rows[1:], tmp_path / "1.tsv")
    df, summ = aggregate([tmp_path / "1.tsv", tmp_path / "0.tsv"], tmp_path / "motifs.tsv", tmp_path / "w.json")
    assert list(df["matrix_id"]) == ["SHARP", "SHORT"]
    on_disk = json.loads((tmp_path / "w.json").read_text())
    assert on_disk["protocol"] == "paper"
    for a in (on_disk["paper"], on_disk["heldout"]["fixed"]["raw"], on_disk["heldout"]["random"]["lr"]):
        assert a["n_motifs"] == 2 and set(a["auroc"]) >= {"p_value", "mean_difference", "wins", "ties", "losses"}
        signs = a["by_dense_weight_sign"]
        assert signs["positive"]["n_motifs"] + signs["negative"]["n_motifs"] == 2
    again = summarize(pd.read_csv(tmp_path / "motifs.tsv", sep="\t"))
    assert again["paper"]["auprc"]["wins"] == on_disk["paper"]["auprc"]["wins"]
    with pytest.raises(InputError, match="two chunks"):
        read_rows([tmp_path / "0.tsv", tmp_path / "0.tsv"])


def test_figures(tmp_path):
    from danqmotifs.papers.k2p.simulation.plot import differences_figure, heldout_figure, scatter_figure

    rng = np.random.default_rng(0)
    cols = {"dense_w_fixed": rng.normal(size=20), "dense_w_random": rng.normal(size=20)}
    for pre in ["paper_"] + [f"heldout_{k}_{s}_" for k in ("fixed", "random") for s in ("raw", "lr")]:
        for metric in ("auroc", "auprc"):
            for name in ("exact", "heuristic"):
                cols[f"{pre}{metric}_{name}"] = rng.uniform(0.5, 1, 20)
    t = pd.DataFrame(cols)
    summ = summarize(t)
    scatter_figure(t, tmp_path / "s.png", summ)
    differences_figure(t, tmp_path / "d.png")
    heldout_figure(t, tmp_path / "h.png", summ)
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG" and (tmp_path / "d.png").stat().st_size > 1000
    assert (tmp_path / "h.png").stat().st_size > 1000
