"""Keras backends: the choice (train.backend, KERAS_BACKEND) and a tiny DanQ trained, resumed,
evaluated, predicted and read on TensorFlow and JAX, each in a process of its own
(tests/backend_check.py); PyTorch too where it is installed."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from danqmotifs.core.errors import InputError
from danqmotifs.model.training.runtime import BACKENDS, select_backend

ROOT = Path(__file__).resolve().parents[1]


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(InputError, match="unknown Keras backend 'theano'"):
        select_backend("theano")
    with pytest.raises(InputError, match="KERAS_BACKEND"):
        select_backend("mxnet", source="KERAS_BACKEND")


def test_backend_cannot_change_once_keras_is_imported(monkeypatch):
    pytest.importorskip("jax")
    import keras

    current = keras.backend.backend()
    other = next(b for b in ("jax", "tensorflow") if b != current)
    monkeypatch.setenv("KERAS_BACKEND", current)
    with pytest.raises(InputError, match=f"already imported with the {current} backend, {other} is asked"):
        select_backend(other)
    assert select_backend(current) == current and select_backend(None) == current


def test_schema_config_and_settings_name_the_same_backends():
    import yaml

    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    train = schema["properties"]["train"]["properties"]
    assert tuple(train["backend"]["enum"]) == BACKENDS and train["backend"]["default"] == "tensorflow"
    assert yaml.safe_load((ROOT / "config.yaml").read_text())["train"]["backend"] == "tensorflow"
    from danqmotifs.model.training import TrainSettings

    assert TrainSettings().backend == "tensorflow"


def test_importing_the_stages_does_not_import_keras():
    """The backend is chosen when Keras is first imported: the rule scripts import these modules
    first and choose it (select_backend) afterwards, so none of them may import Keras."""
    code = ("import sys, danqmotifs.model.training, danqmotifs.model.evaluate, danqmotifs.model.predict, danqmotifs.model.kernels, "
            "danqmotifs.model; print(sorted(m for m in ('keras', 'tensorflow', 'jax', 'torch') if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def _check(backends, tmp_path) -> dict:
    """Run tests/backend_check.py once per entry of ``backends`` (side by side, one process each)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("KERAS_BACKEND", None)
    procs = {}
    for i, b in enumerate(backends):
        procs[(b, i)] = subprocess.Popen([sys.executable, str(ROOT / "tests/backend_check.py"), b,
                                          str(tmp_path / f"{b}-{i}")], env=env, text=True,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = {}
    for key, p in procs.items():
        stdout, stderr = p.communicate(timeout=900)
        assert p.returncode == 0, f"{key[0]} run failed:\n{stderr[-3000:]}"
        out[key] = json.loads(stdout.strip().splitlines()[-1])
    return out


def _assert_trains_and_resumes(r, backend):
    assert r["backend"] == backend
    assert r["first_epochs"] == 1 and r["resumed_from"] == 1 and r["resume_note"]
    # 2 epochs in one go == 1 epoch, a stop and a resumed second: weights, optimizer, history
    assert r["same_weights"] and r["same_optimizer_state"] and r["same_history"]
    # fit on the stream trains on each epoch's batches in order, as train_on_batch over them does
    assert r["fit_equals_steps"]
    assert [h["epoch"] for h in r["history"]] == [1, 2]


def test_tensorflow_and_jax_train_resume_predict_and_jax_repeats_its_bytes(tmp_path):
    """On JAX and TensorFlow: train, resume, evaluate, predict, read the kernels; two JAX processes
    with the same seed give the same bytes in every output. Across backends the bytes differ: each
    backend draws the initial weights and dropout masks from its own random generator."""
    pytest.importorskip("jax")
    pytest.importorskip("tensorflow")
    runs = _check(["jax", "jax", "tensorflow"], tmp_path)
    jax1, jax2, tf = runs[("jax", 0)], runs[("jax", 1)], runs[("tensorflow", 2)]
    _assert_trains_and_resumes(jax1, "jax")
    _assert_trains_and_resumes(tf, "tensorflow")
    assert jax1["sha256"]["best.keras"] != tf["sha256"]["best.keras"]
    assert jax1["sha256"] == jax2["sha256"] and jax1["history"] == jax2["history"]


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch is not installed "
                    "(not in the test extra: pip install torch)")
def test_torch_trains_resumes_and_predicts(tmp_path):
    """PyTorch trains, resumes (bit for bit the uninterrupted run: its Dropout layers carry explicit
    seeds there, so their masks come from generators the checkpoint keeps), evaluates and predicts;
    two processes give the same bytes."""
    runs = _check(["torch", "torch"], tmp_path)
    r1, r2 = runs[("torch", 0)], runs[("torch", 1)]
    _assert_trains_and_resumes(r1, "torch")
    assert r1["sha256"] == r2["sha256"] and all(len(v) == 64 for v in r1["sha256"].values())
