"""Training: streamed shuffled batches, determinism, resume from a checkpoint, bad input."""

import json
import os
import shutil

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from danqmotifs.core.alphabet import codes_to_onehot
from danqmotifs.core.errors import InputError
from danqmotifs.model.training import (Checkpoint, SplitSequence, TrainSettings, configure_runtime, data_identity,
                                 export, fingerprint, read_history, train)
from danqmotifs.sources.datafile import DataReader
from helpers.data import write_split
from helpers.keras_model import kernels
from helpers.stream import fit_equals_steps

TINY = {"preset": "small", "kernels": 4, "kernel_width": 5, "pool": 4, "lstm_units": 3, "dense_units": 4}


def _planted(rng, n, length=40, motif="GATTACA"):
    """Random DNA; target 0 = the motif was planted, target 1 = random label."""
    codes = rng.integers(0, 4, size=(n, length)).astype(np.uint8)
    y = np.zeros((n, 2), np.uint8)
    y[:, 0] = rng.random(n) < 0.4
    y[:, 1] = rng.random(n) < 0.3
    site = np.array(["ACGT".index(c) for c in motif], np.uint8)
    for i in np.flatnonzero(y[:, 0]):
        o = rng.integers(0, length - len(site) + 1)
        codes[i, o:o + len(site)] = site
    return codes, y


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(5)
    for split, n in (("train", 700), ("valid", 200)):
        c, y = _planted(rng, n)
        write_split(d / f"{split}.h5", c, y, ["site", "noise"], "simulate", split)
    return d


def _settings(**kw):
    base = dict(optimizer="adam", learning_rate=0.01, batch_size=50, max_epochs=2, patience=5, threads=1)
    base.update(kw)
    return TrainSettings(**base)


# ----------------------------------------------------------------------------------------- streaming

def test_shuffled_epoch_visits_every_row_once_and_depends_on_seed_and_epoch(tmp_path):
    n, L = 1000, 12
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(n, L)).astype(np.uint8)
    # row i is identified by its targets (i in base 256, two digits)
    ids = np.stack([np.arange(n) // 256, np.arange(n) % 256], axis=1).astype(np.uint8)
    write_split(tmp_path / "d.h5", codes, ids, ["hi", "lo"], "simulate", "train")
    ds = SplitSequence(tmp_path / "d.h5", batch_size=64, shuffle=True, seed=3, window_chunks=2, chunk_rows=100)
    assert len(ds) == 16

    def order(epoch):
        ds.set_epoch(epoch)
        rows = []
        for b in range(len(ds)):
            x, y = ds[b]
            r = (y[:, 0].astype(int) * 256 + y[:, 1].astype(int))
            np.testing.assert_array_equal(x, codes_to_onehot(codes[r]))    # one-hot of the right rows
            rows.append(r)
        return np.concatenate(rows)

    e0, e1 = order(0), order(1)
    assert sorted(e0) == list(range(n)) and sorted(e1) == list(range(n))
    assert not np.array_equal(e0, e1) and not np.array_equal(e0, np.arange(n))
    np.testing.assert_array_equal(order(0), e0)                      # same seed and epoch, same order
    other = SplitSequence(tmp_path / "d.h5", batch_size=64, shuffle=True, seed=4, window_chunks=2, chunk_rows=100)
    other.set_epoch(0)
    assert not np.array_equal(np.concatenate([other.batch_codes(b)[1][:, 1] for b in range(16)]), e0 % 256)
    # memory is bounded: only a couple of windows of 2 x 100 rows are ever held
    assert len(ds._windows) <= 4
    assert all(w[0].shape[0] <= 200 for w in ds._windows.values())


def test_keras_dataset_positions_are_fixed_batches_of_fixed_epochs(data):
    """Stream position k is batch k % steps of epoch first + k // steps (endless) or batch k of the
    first epoch (finite), whatever the look-ahead threads read first; a restarted stream (Keras
    reads one batch to learn the shapes, then starts over) gives the same batches again."""
    ds = SplitSequence(data / "train.h5", batch_size=64, shuffle=True, seed=2, window_chunks=1, chunk_rows=100)
    assert len(ds) == 11
    stream = ds.keras_dataset(first_epoch=2, workers=2, lookahead=3)
    finite = ds.keras_dataset(first_epoch=1, endless=False, workers=0)
    assert stream.num_batches is None and finite.num_batches == 11
    want = {}
    for e in (1, 2, 3):
        ds.set_epoch(e)
        want[e] = [ds[b] for b in range(11)]
    for k in [0, 5, 0, 1, 12, 11, 21, 20, 10]:             # out of order, repeated, across epochs
        e, b = 2 + k // 11, k % 11
        for got, exp in zip(stream[k], want[e][b]):
            np.testing.assert_array_equal(got, exp)
    for b in range(11):
        for got, exp in zip(finite[b], want[1][b]):
            np.testing.assert_array_equal(got, exp)
    with pytest.raises(IndexError):
        finite[11]
    assert stream[10][0].shape == (700 - 640, 40, 4)
    ds.close()
    assert stream._pool._shutdown


def test_fit_on_the_stream_trains_on_exactly_the_epochs_batches_in_order(data):
    """model.fit on the stream (look-ahead threads, a resumed run's first epoch) updates the model
    with exactly the batches of each epoch in index order: its weights equal those of
    train_on_batch over the expected batches, bit for bit."""
    configure_runtime(0, 1)
    assert fit_equals_steps(data / "train.h5", batch_size=64, chunk_rows=100)


def test_batch_onehot_equals_the_reference_encoding():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 5, size=(7, 33)).astype(np.uint8)
    x = codes_to_onehot(codes)
    assert x.dtype == np.float32 and x.shape == (7, 33, 4)
    reference = np.zeros((7, 33, 4), dtype=np.float32)
    for i, j in np.ndindex(7, 33):
        if codes[i, j] < 4:
            reference[i, j, codes[i, j]] = 1.0
    np.testing.assert_array_equal(x, reference)


def test_unshuffled_batches_are_file_order_and_steps_cap_the_epoch(data):
    ds = SplitSequence(data / "valid.h5", batch_size=64, shuffle=False)
    with DataReader(data / "valid.h5") as r:
        codes, y = r.read(0, r.n)
    assert len(ds) == 4                                             # 200 rows: 3 full batches + 8
    x, t = ds[3]
    np.testing.assert_array_equal(x, codes_to_onehot(codes[192:]))
    np.testing.assert_array_equal(t, y[192:].astype(np.float32))
    assert len(SplitSequence(data / "valid.h5", batch_size=64, steps=2)) == 2


def test_empty_split_is_a_clear_error(tmp_path):
    write_split(tmp_path / "e.h5", np.zeros((0, 30), np.uint8), np.zeros((0, 2), np.uint8), ["a", "b"],
                "simulate", "train")
    with pytest.raises(InputError, match="no sequences"):
        SplitSequence(tmp_path / "e.h5", batch_size=10)


# ----------------------------------------------------------------------------------------- training

def _weights(path):
    m = keras.models.load_model(path, compile=False)
    return [w.copy() for w in m.get_weights()]


def _run(data, ckpt, seed=1, log=None, **kw):
    configure_runtime(seed, 1)
    return train(data / "train.h5", data / "valid.h5", ckpt, TINY, _settings(**kw), seed,
                 log=log or (lambda m: None))


@pytest.fixture(scope="module")
def runs(data, tmp_path_factory):
    """Two epochs in one go; one epoch then a resumed second; another one-epoch run."""
    d = tmp_path_factory.mktemp("runs")
    out = {"dir": d}
    out["full"] = _run(data, d / "full", max_epochs=2)
    out["first"] = _run(data, d / "split", max_epochs=1)
    out["first_weights"] = _weights(out["first"].best_model)
    out["first_state"] = json.loads((d / "split" / "state.json").read_text())
    out["notes"] = []
    out["second"] = _run(data, d / "split", max_epochs=2, log=out["notes"].append)
    out["again"] = _run(data, d / "again", max_epochs=1)
    return out


def test_same_seed_gives_identical_weights_and_history(runs):
    for wa, wb in zip(runs["first_weights"], _weights(runs["again"].best_model)):
        np.testing.assert_array_equal(wa, wb)
    assert runs["again"].history == runs["first"].history
    # a different seed starts from different weights
    from danqmotifs.model import build_model

    def init(seed):
        configure_runtime(seed, 1)
        return build_model(runs["full"].spec).get_weights()
    assert not np.array_equal(init(1)[0], init(2)[0])
    np.testing.assert_array_equal(init(3)[0], init(3)[0])


def test_resume_continues_from_the_last_epoch_with_optimizer_state(runs):
    """Two epochs in one go == one epoch, stop, then a rerun that resumes for the second."""
    d = runs["dir"]
    assert runs["first"].resumed_from == 0 and len(runs["first"].history) == 1
    assert runs["first_state"]["epochs_done"] == 1
    assert any("resuming from the checkpoint after epoch 1" in n for n in runs["notes"])
    second = runs["second"]
    assert second.resumed_from == 1 and [r["epoch"] for r in second.history] == [1, 2]
    last_full = keras.models.load_model(d / "full" / "epoch-0002.keras")
    last_split = keras.models.load_model(d / "split" / "epoch-0002.keras")
    steps = 2 * 14                                                     # 700 rows / 50 per batch
    assert int(last_split.optimizer.iterations.numpy()) == int(last_full.optimizer.iterations.numpy()) == steps
    for wa, wb in zip(last_full.get_weights(), last_split.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    for va, vb in zip(last_full.optimizer.variables, last_split.optimizer.variables):
        np.testing.assert_array_equal(va.numpy(), vb.numpy())
    assert runs["full"].history == second.history


def test_checkpoint_of_another_configuration_is_not_resumed(runs, data):
    d = runs["dir"] / "full"
    spec = runs["full"].spec
    ids = dict(train=data_identity(data / "train.h5"), valid=data_identity(data / "valid.h5"))
    fp = fingerprint(spec, _settings(max_epochs=2), 1, ids, {"init": [], "init_margin": 3})
    state, note = Checkpoint(d, fp).load()
    assert state is not None and state["epochs_done"] == 2 and "resuming" in note
    # what may change between a kill and the rerun: epochs, patience, threads
    assert fingerprint(spec, _settings(max_epochs=9, patience=1, threads=3), 1, ids, {"init": [], "init_margin": 3}) == fp
    for other in (fingerprint(spec, _settings(learning_rate=0.02), 1, ids, {"init": [], "init_margin": 3}),
                  fingerprint(spec, _settings(), 2, ids, {"init": [], "init_margin": 3}),
                  fingerprint(spec, _settings(), 1, dict(ids, train=dict(ids["train"], n=1)),
                              {"init": [], "init_margin": 3})):
        state, note = Checkpoint(d, other).load()
        assert state is None and "another configuration" in note


def test_damaged_checkpoint_starts_over(runs, data, tmp_path):
    shutil.copytree(runs["dir"] / "full", tmp_path / "ck")
    (tmp_path / "ck" / "state.json").write_text("{ truncated")
    state, note = Checkpoint(tmp_path / "ck", "x").load()
    assert state is None and "unreadable" in note
    shutil.rmtree(tmp_path / "ck")
    shutil.copytree(runs["dir"] / "full", tmp_path / "ck")
    (tmp_path / "ck" / "epoch-0002.keras").write_bytes(b"not a zip file")
    notes = []
    r = _run(data, tmp_path / "ck", max_epochs=1, log=notes.append)
    assert r.resumed_from == 0 and any("cannot be loaded" in n for n in notes)
    assert [h["epoch"] for h in r.history] == [1]
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["best-0001.keras", "epoch-0001.keras", "state.json"]


def test_learns_a_planted_site_early_stops_and_exports(data, tmp_path):
    r = _run(data, tmp_path / "ck", max_epochs=10, patience=2, learning_rate=0.02)
    vl = [h["val_loss"] for h in r.history]
    assert r.best_epoch == int(np.argmin(vl)) + 1
    if len(r.history) < 10:                                        # stopped early: patience epochs after the best
        assert len(r.history) == r.best_epoch + 2
    from danqmotifs.model.evaluate import evaluate_split

    rows = evaluate_split(r.best_model, data / "valid.h5", log=lambda m: None)
    assert rows[0]["roc_auc"] > 0.9                                  # the planted site is learned
    assert rows[1]["roc_auc"] < 0.75                                 # the random label is not
    out = tmp_path / "out"
    export(r, out / "best.keras", out / "history.tsv", out / "targets.txt")
    hist = read_history(out / "history.tsv")
    assert [h["epoch"] for h in hist] == [h["epoch"] for h in r.history]
    assert [h["best"] for h in hist].index(1) == r.best_epoch - 1
    np.testing.assert_allclose([h["val_loss"] for h in hist], vl, atol=1e-6)
    assert (out / "targets.txt").read_text().split() == ["site", "noise"]
    W, _ = kernels(keras.models.load_model(out / "best.keras", compile=False))
    assert W.shape == (4, 5, 4)


def test_split_mismatch_is_a_clear_error(data, tmp_path):
    rng = np.random.default_rng(0)
    c, y = _planted(rng, 50, length=60)
    write_split(tmp_path / "v.h5", c, y, ["site", "noise"], "simulate", "valid")
    with pytest.raises(InputError, match="60 bp"):
        train(data / "train.h5", tmp_path / "v.h5", tmp_path / "ck", TINY, _settings(), 1)
    assert not (tmp_path / "ck").exists()


def test_checkpoint_prunes_unreferenced_files(tmp_path):
    ck = Checkpoint(tmp_path / "ck", "fp")
    (tmp_path / "ck").mkdir()
    (tmp_path / "ck" / "epoch-0001.keras").write_text("x")
    (tmp_path / "ck" / "best-0001.keras").write_text("x")
    (tmp_path / "ck" / "stale.tmp").write_text("x")
    ck._prune({"last_model": "epoch-0001.keras", "best_model": "best-0001.keras"})
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["best-0001.keras", "epoch-0001.keras"]
    state, note = ck.load()
    assert state is None and "no checkpoint" in note


# ----------------------------------------------------------------------------------------- plateau rule

def _replay_plateau_rule(history, lr0, patience, factor, floor):
    """The learning rate of each epoch as the rule prescribes, replayed from the validation losses."""
    lrs, lr, best, wait = [], lr0, np.inf, 0
    for h in history:
        lrs.append(lr)
        if h["val_loss"] < best:
            best, wait = h["val_loss"], 0
        else:
            wait += 1
            if wait >= patience and max(lr * factor, floor) < lr:
                lr, wait = max(lr * factor, floor), 0
    return lrs


def test_reduced_lr_rule():
    from danqmotifs.model.training.fit import _reduced_lr

    s = _settings(reduce_lr_patience=2, reduce_lr_factor=0.5, min_learning_rate=0.003)
    assert _reduced_lr(0.01, {"lr_wait": 1}, s) is None
    assert _reduced_lr(0.01, {"lr_wait": 2}, s) == pytest.approx(0.005)
    assert _reduced_lr(0.005, {"lr_wait": 2}, s) == pytest.approx(0.003)      # the floor
    assert _reduced_lr(0.003, {"lr_wait": 5}, s) is None                      # already at the floor
    assert _reduced_lr(0.01, {"lr_wait": 9}, _settings(reduce_lr_patience=0)) is None   # off


def test_learning_rate_is_cut_on_plateaus_and_the_cut_survives_a_resume(data, tmp_path):
    kw = dict(learning_rate=0.05, reduce_lr_patience=1, reduce_lr_factor=0.5, min_learning_rate=1e-4,
              patience=50)
    full = _run(data, tmp_path / "full", max_epochs=6, **kw)
    lrs = [h["learning_rate"] for h in full.history]
    np.testing.assert_allclose(lrs, _replay_plateau_rule(full.history, 0.05, 1, 0.5, 1e-4), rtol=1e-6)
    assert min(lrs) < 0.05                                           # this data does plateau
    _run(data, tmp_path / "split", max_epochs=3, **kw)
    split = _run(data, tmp_path / "split", max_epochs=6, **kw)
    assert split.resumed_from == 3 and split.history == full.history
