"""The attribution route: in-silico mutagenesis against a plain loop, the hypothetical gradient on
each installed Keras backend, the streamed HDF5 file (same seed, same bytes), the choice of targets,
TF-MoDISco recovering a planted motif that our Tomtom names, and the workflow running the route."""

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from danqmotifs.core.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))


def _tiny(length=16, n_targets=3, seed=0):
    import keras

    from danqmotifs.model import ModelSpec, build_model

    keras.utils.set_random_seed(seed)
    spec = ModelSpec(kernels=4, kernel_width=5, pool=3, lstm_units=3, dense_units=5, n_targets=n_targets,
                     length=length)
    return build_model(spec)


def _codes(n, length, seed=1):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 4, (n, length)).astype(np.uint8)


# ------------------------------------------------------------------------------------------ logits

def test_logit_model_gives_the_pre_sigmoid_output():
    from danqmotifs.attribution.attribute import logit_model
    from danqmotifs.core.alphabet import codes_to_onehot

    m = _tiny()
    x = codes_to_onehot(_codes(4, 16))
    z = np.asarray(logit_model(m).predict_on_batch(x), dtype=np.float64)
    p = np.asarray(m.predict_on_batch(x), dtype=np.float64)
    np.testing.assert_allclose(1 / (1 + np.exp(-z)), p, atol=1e-6)


def test_logit_model_refuses_an_output_without_sigmoid():
    import keras

    from danqmotifs.attribution.attribute import logit_model

    m = keras.Sequential([keras.Input((10, 4)), keras.layers.Flatten(), keras.layers.Dense(2, activation="relu")])
    with pytest.raises(InputError, match="not a sigmoid output"):
        logit_model(m)


# ------------------------------------------------------------------------------------------- ISM

@pytest.mark.parametrize("average_rc", [True, False])
def test_ism_equals_a_plain_loop_over_single_base_changes(average_rc):
    from danqmotifs.attribution.attribute import ism, ism_loop, logit_model
    from danqmotifs.core.alphabet import codes_to_onehot

    lm = logit_model(_tiny())
    codes = _codes(2, 16)
    codes[1, 4] = 4                                   # an N: mutated to all four bases
    x = codes_to_onehot(codes)
    fast, z0 = ism(lm, x, [0, 2], average_rc, batch_size=7)
    slow = ism_loop(lm, x, [0, 2], average_rc)
    assert fast.shape == (2, 2, 16, 4) and z0.shape == (2, 2)
    np.testing.assert_allclose(fast, slow, atol=2e-6)
    assert np.all(fast[x[None].repeat(2, 0) == 1] == 0)        # the reference base: no change
    assert np.count_nonzero(slow[:, 1, 4]) > 0                  # the N position is attributed


def test_ism_makes_3L_plus_1_predictions_per_sequence(tmp_path):
    from helpers.data import write_split

    from danqmotifs.attribution.attribute import attribute_split

    codes = _codes(10, 16)
    labels = np.zeros((10, 3), np.uint8)
    labels[::2, 1] = 1
    write_split(tmp_path / "test.h5", codes, labels, ["a", "b", "c"], "fasta", "test")
    summ = attribute_split(_tiny(), tmp_path / "test.h5", tmp_path / "attr.h5", ["b"], "ism", 100, 1,
                           average_rc=True, log=lambda m: None)
    assert summ["n_sequences"] == 5                    # only positives for b
    assert summ["model_calls_rows"] == 5 * (3 * 16 + 1) * 2


# -------------------------------------------------------------------------------------- gradient

GRAD_CHECK = r"""
import json, sys
import numpy as np
from danqmotifs.model.training.runtime import select_backend
select_backend(sys.argv[1])
import keras
from danqmotifs.core.alphabet import codes_to_onehot
from danqmotifs.attribution.attribute import hypothetical, gradient, logit_model, predict_logits
from danqmotifs.model import ModelSpec, build_model
keras.utils.set_random_seed(0)
m = build_model(ModelSpec(kernels=4, kernel_width=5, pool=3, lstm_units=3, dense_units=5, n_targets=3, length=16))
lm = logit_model(m)
x = codes_to_onehot(np.random.default_rng(1).integers(0, 4, (3, 16)).astype(np.uint8))
h, z0 = hypothetical(lm, x, [0, 2], "grad", True)
g = gradient(lm, x, [0, 2], True).astype(np.float64)
# central differences of the RC-averaged logit along a few input coordinates (float64 sums)
eps, worst = 1e-2, 0.0
for (i, l, b) in [(0, 3, 1), (1, 10, 2), (2, 0, 3)]:
    xp, xm = x.copy(), x.copy(); xp[i, l, b] += eps; xm[i, l, b] -= eps
    fd = (predict_logits(lm, xp, [0, 2], True) - predict_logits(lm, xm, [0, 2], True))[i] / (2 * eps)
    worst = max(worst, float(np.max(np.abs(fd - g[:, i, l, b]) / (np.abs(fd) + 1e-3))))
print(json.dumps(dict(backend=keras.backend.backend(), shape=list(h.shape),
                      centred=float(np.abs(h.sum(-1)).max()), scale=float(np.abs(h).max()),
                      fd_rel_error=worst, same_as_centred_gradient=float(np.abs(h - (g - g.mean(-1, keepdims=True))).max()))))
"""


@pytest.mark.parametrize("backend,module", [("tensorflow", "tensorflow"), ("jax", "jax"), ("torch", "torch")])
def test_hypothetical_gradient_shape_and_centring_per_backend(backend, module, tmp_path):
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed here, so the {backend} gradient cannot run "
                    f"(pip install {module} to test it)")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("KERAS_BACKEND", None)
    r = subprocess.run([sys.executable, "-c", GRAD_CHECK, backend], env=env, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["backend"] == backend
    assert out["shape"] == [2, 3, 16, 4]
    assert out["centred"] < 1e-6 * max(1.0, out["scale"]) and out["scale"] > 0
    assert out["same_as_centred_gradient"] < 1e-6
    assert out["fd_rel_error"] < 0.05


# ------------------------------------------------------------------------------- file and targets

def test_attribution_file_same_seed_same_bytes_and_window(tmp_path):
    from helpers.data import write_split

    from danqmotifs.attribution.attribute import attribute_split, read_attributions

    codes = _codes(12, 16)
    labels = np.ones((12, 3), np.uint8)
    labels[:3, 0] = 0
    write_split(tmp_path / "test.h5", codes, labels, ["a", "b", "c"], "fasta", "test")
    m = _tiny()
    digests = []
    for name in ("one.h5", "two.h5"):
        attribute_split(m, tmp_path / "test.h5", tmp_path / name, ["a", "c"], "ism", 8, 5, block=3,
                        log=lambda s: None)
        digests.append(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    x, h, rows = read_attributions(tmp_path / "one.h5", "a", window=10)
    assert x.shape == h.shape and x.shape[1:] == (10, 4) and np.all(rows >= 3)
    np.testing.assert_allclose(h.sum(-1), 0, atol=1e-5)
    with pytest.raises(InputError, match="longer than the sequences"):
        read_attributions(tmp_path / "one.h5", "a", window=40)
    with pytest.raises(InputError, match="no attributions for target"):
        read_attributions(tmp_path / "one.h5", "b")


def test_default_targets_are_the_best_by_auc_and_unknown_ones_are_refused():
    from danqmotifs.attribution.attribute import choose_targets

    rows = [dict(target="a", roc_auc=0.7), dict(target="b", roc_auc=float("nan")),
            dict(target="c", roc_auc=0.9), dict(target="d", roc_auc=0.8)]
    assert choose_targets("abcd", [], 2, rows) == ["c", "d"]
    assert choose_targets("abcd", ["b"], 2, rows) == ["b"]
    with pytest.raises(InputError, match="not the model's"):
        choose_targets("abcd", ["x"], 2, rows)


# ---------------------------------------------------------------------------------------- modisco

def _planted_attributions(n=300, length=100, seed=3):
    """Random sequences, each with one CTCF site (MA0139.2, either strand) whose hypothetical
    contributions are the site matrix's log-odds, noise elsewhere."""
    from danqmotifs.sources.jaspar import fetch_motifs

    rng = np.random.default_rng(seed)
    P = fetch_motifs(["MA0139.2"])[0].pwm
    W = P.shape[0]
    codes = rng.integers(0, 4, (n, length)).astype(np.uint8)
    hyp = rng.normal(0, 0.02, (n, length, 4))
    for i in range(n):
        s = int(rng.integers(10, length - W - 10))
        pw = P[::-1, ::-1] if rng.random() < 0.5 else P
        codes[i, s:s + W] = [rng.choice(4, p=r) for r in pw]
        hyp[i, s:s + W] += np.log((pw + 0.01) / 1.04 / 0.25)
    hyp -= hyp.mean(-1, keepdims=True)
    return codes, hyp.astype(np.float32)


def test_modisco_recovers_a_planted_motif_and_our_tomtom_names_it(tmp_path):
    pytest.importorskip("modiscolite", reason="tfmodisco-lite (the attrib extra) is not installed")
    from danqmotifs.attribution.modisco import read_patterns, run_modisco, write_patterns
    from danqmotifs.core.alphabet import codes_to_onehot
    from danqmotifs.formats.meme import read_meme, write_meme
    from danqmotifs.match import best_indices, match_motifs
    from danqmotifs.sources.jaspar import fetch_collection

    codes, hyp = _planted_attributions()
    pats = run_modisco(codes_to_onehot(codes), hyp, "toy|CTCF", log=lambda m: None)
    assert pats and pats[0].id == "toy_CTCF.pos_pattern_0"
    top = pats[0]
    assert top.n_seqlets >= 50
    w = top.trim[1] - top.trim[0]
    assert 10 <= w < top.ppm.shape[0]                              # trimmed by the CWM
    write_patterns(tmp_path / "p.h5", pats)
    back = read_patterns(tmp_path / "p.h5")
    np.testing.assert_array_equal(back[0].ppm, top.ppm)
    write_meme(tmp_path / "p.meme", [p.motif() for p in back])
    motifs, _ = read_meme(tmp_path / "p.meme")
    res = match_motifs(motifs, fetch_collection(), "native", distance="pearson", n_jobs=1)
    b = best_indices(res)[0]
    assert res.target_names[b].upper() == "CTCF" and res.q_value[0, b] < 1e-4


def test_modisco_refuses_non_finite_attributions():
    pytest.importorskip("modiscolite", reason="tfmodisco-lite (the attrib extra) is not installed")
    from danqmotifs.attribution.modisco import run_modisco

    x = np.zeros((3, 40, 4), np.float32)
    h = np.full((3, 40, 4), np.nan, np.float32)
    with pytest.raises(InputError, match="not finite"):
        run_modisco(x, h, "t")


def test_cwm_trim_span():
    from danqmotifs.attribution.modisco import cwm_trim_span

    cwm = np.zeros((10, 4))
    cwm[3, 0], cwm[6, 1], cwm[8, 2] = 1.0, -0.5, 0.1
    assert cwm_trim_span(cwm, 0.3) == (3, 7)
    assert cwm_trim_span(np.zeros((5, 4)), 0.3) == (0, 5)


# ---------------------------------------------------------------------------------------- workflow

@pytest.mark.slow
def test_workflow_runs_the_route_end_to_end(tmp_path):
    pytest.importorskip("modiscolite", reason="tfmodisco-lite (the attrib extra) is not installed")
    import yaml

    from test_workflow import TINY, snakemake

    cfg = json.loads(json.dumps(TINY))
    cfg["train"]["max_epochs"] = 3
    cfg["influence"] = {"enabled": False}
    cfg["attribution"] = {"enabled": True, "split": "train", "n_sequences": 200, "targets": ["MA0139.2_CTCF"],
                          "modisco": {"window": 80}}
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(cfg))
    r = snakemake(tmp_path, "out/match/best_matches.tsv", "out/summary.json")
    assert r.returncode == 0, r.stderr[-4000:] + r.stdout[-2000:]
    out = tmp_path / "out"
    summ = json.loads((out / "attribution/attributions.json").read_text())
    assert summ["kind"] == "ism" and summ["targets"] == ["MA0139.2_CTCF"] and summ["n_sequences"] > 0
    mod = json.loads((out / "attribution/modisco.json").read_text())
    assert set(mod["targets"]) == {"MA0139.2_CTCF"}
    assert (out / "match/modisco.pearson.h5").is_file() and (out / "match/modisco.euclidean.h5").is_file()
    from danqmotifs.match import load_results

    res = load_results(out / "match/modisco.pearson.h5")["modisco"]
    assert res.query_ids == list(mod["targets"]["MA0139.2_CTCF"]["patterns"])
    planted = json.loads((out / "summary.json").read_text())
    assert "modisco" in json.dumps(planted)
