"""model.lstm_gates: Keras 0.2's hard-sigmoid LSTM gates (clip(0.2 x + 0.5, 0, 1), not Keras 3's
slope-1/6 hard_sigmoid), the config keys of DanQ-JASPAR as published (525 initial kernels)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest
import yaml

keras = pytest.importorskip("keras")

from danqmotifs.core.errors import InputError
from danqmotifs.model import ModelSpec, build_model, spec_from_config
from danqmotifs.model.modelio import load_model

SPEC = dict(kernels=3, kernel_width=5, pool=4, lstm_units=2, dense_units=3, n_targets=2, length=25)


def lstm(model):
    return model.get_layer("bilstm").forward_layer


def test_hard_sigmoid_gates_are_keras02s():
    model = build_model(ModelSpec(**SPEC, lstm_gates="hard_sigmoid_keras02"))
    act = lstm(model).cell.recurrent_activation
    x = np.array([-3.0, -2.5, -1.0, 0.0, 1.0, 2.5, 3.0], np.float32)
    np.testing.assert_allclose(np.asarray(act(x)), np.clip(0.2 * x + 0.5, 0, 1), atol=1e-7)
    # Keras 3's hard_sigmoid is another function (slope 1/6): the option is not that one
    assert not np.allclose(np.asarray(keras.activations.hard_sigmoid(x)), np.clip(0.2 * x + 0.5, 0, 1))
    assert lstm(build_model(ModelSpec(**SPEC))).cell.recurrent_activation is keras.activations.sigmoid


def test_hard_sigmoid_model_saves_and_loads(tmp_path):
    keras.utils.set_random_seed(0)
    model = build_model(ModelSpec(**SPEC, lstm_gates="hard_sigmoid_keras02"))
    model.save(tmp_path / "m.keras")
    again = load_model(tmp_path / "m.keras")
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (3, 25))]
    np.testing.assert_allclose(again.predict_on_batch(x), model.predict_on_batch(x), atol=1e-6)


def test_config_key_and_fingerprint_compatibility():
    spec = spec_from_config({"preset": "small", "lstm_gates": "hard_sigmoid_keras02"}, 100, 3)
    assert spec.lstm_gates == "hard_sigmoid_keras02" and spec.to_dict()["lstm_gates"] == "hard_sigmoid_keras02"
    plain = spec_from_config({"preset": "small", "lstm_gates": "sigmoid"}, 100, 3)
    assert "lstm_gates" not in plain.to_dict()          # fingerprints of earlier runs are unchanged
    with pytest.raises(InputError, match="unknown LSTM gate activation"):
        spec_from_config({"preset": "small", "lstm_gates": "tanh"}, 100, 3)


def test_danq_jaspar_paper_config_gives_525_initial_kernels():
    from pathlib import Path

    from danqmotifs.sources.jaspar import jaspar_init_motifs

    m = yaml.safe_load((Path(__file__).resolve().parents[1] / "config/danq_jaspar_paper.yaml").read_text())["model"]
    motifs = jaspar_init_motifs(m["jaspar_release"], m["jaspar_collection"], m["jaspar_tax_group"],
                                m["jaspar_reverse_complements"])
    assert len(motifs) == 525 and [x.id for x in motifs[-6:]] == [f"{i}_rc" for i in m["jaspar_reverse_complements"]]
    # every matrix fits its 30-row kernel with 3 rows free on either side, so none is cut
    assert max(x.pwm.shape[0] for x in motifs) <= 30 - 2 * m["jaspar_margin"]
