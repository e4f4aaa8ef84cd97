"""The compiled trainer against Keras itself (TensorFlow backend): same initial weights and batch
order give the same weights after an epoch; full trainings reach the same test AUROC."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from danqmotifs.core.metrics import roc_auc  # noqa: E402
from danqmotifs.papers.k2p.simulation import keras_reference as kr  # noqa: E402
from danqmotifs.papers.k2p.simulation.data import make_data, motif_rngs  # noqa: E402
from danqmotifs.papers.k2p.simulation.settings import Settings  # noqa: E402
from danqmotifs.papers.k2p.simulation.trainer import init_weights, permutations, predict, train_many  # noqa: E402
from danqmotifs.sources.jaspar import fetch_motifs  # noqa: E402

# a narrow matrix (7 bp: tied maxima in the max-pool occur) and a wide one
IDS = ["MA0081.1", "MA0139.1"]
# the reference is Keras 3: the trainer's Keras 3 behaviour
KERAS3 = dict(semantics="keras3", epsilon=1e-7)


def _prepare(motif, settings, dense_w=None):
    rngs = motif_rngs(1, motif.id)
    d = make_data(motif.pwm, settings, rngs)
    init = init_weights(motif.width, rngs["init"])
    if dense_w is not None:
        init = (init[0], init[1], dense_w, init[3])
    return d, init, permutations(d.idx["train"].size, settings.max_epochs, rngs["shuffle"])


@pytest.mark.parametrize("mid", IDS)
def test_one_epoch_equals_keras(mid):
    S = Settings(max_epochs=1, **KERAS3)
    motif = fetch_motifs([mid], "JASPAR2016")[0]
    d, init, perm = _prepare(motif, S)
    ours = train_many([d.part("train")], [d.part("valid")], [init], [perm], S)
    (W, b, dw, db), loss, val_loss = kr.fit_one_epoch(d.part("train"), d.part("valid"), init, perm[0], S)
    assert np.abs(ours.W[0] - W).max() < 1e-5
    assert abs(ours.bias[0] - b) < 1e-5 and abs(ours.dense_w[0] - dw) < 1e-5 and abs(ours.dense_b[0] - db) < 1e-5
    assert ours.train_loss[0, 0] == pytest.approx(loss, abs=1e-5)
    assert ours.val_loss[0, 0] == pytest.approx(val_loss, abs=1e-5)


@pytest.mark.slow
def test_full_training_reaches_the_auroc_of_keras():
    S = Settings(**KERAS3)
    for motif in fetch_motifs(IDS, "JASPAR2016"):
        d, init, perm = _prepare(motif, S, dense_w=1.0)
        ours = train_many([d.part("train")], [d.part("valid")], [init], [perm], S)
        model, _ = kr.fit_plain(d.part("train"), d.part("valid"), init, S)
        codes, labels = d.part("test")
        a_ours = roc_auc(labels, predict(codes, ours.W[0], ours.bias[0], ours.dense_w[0], ours.dense_b[0]))
        a_keras = roc_auc(labels, kr.predict(model, codes))
        assert a_ours > 0.8 and abs(a_ours - a_keras) < 0.03
