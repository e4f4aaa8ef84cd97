"""Epoch checkpoints that resume: the model files, the JSON state, what identifies a run.

After every epoch the model (optimizer state included), the best model so far and a small JSON
state are written to a checkpoint directory, each file atomically and the state last. Training
run again with the same configuration continues after the last finished epoch; a checkpoint of
another configuration or data is ignored (and said so).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ...core.errors import atomic_output
from ...sources.datafile import DataReader
from ..danq import ModelSpec
from .runtime import _module
from .settings import TrainSettings

STATE_FILE = "state.json"


def _numpy(variable) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(variable.value))


#: key of PyTorch's global generator in the seed states: on that backend an unseeded Dropout draws
#: its masks from it rather than from the layer's seed generator
TORCH_RNG = "__torch_global_rng__"


def seed_states(model) -> dict[str, list[int]]:
    """States of the layers' random seed generators (dropout) and, on PyTorch, of its global
    generator; the model file does not keep them."""
    import keras

    out = {}
    for layer in model._flatten_layers(include_self=False, recursive=True):
        gen = getattr(layer, "seed_generator", None)
        if gen is not None:
            out[layer.name] = [int(v) for v in _numpy(gen.state).ravel()]
    if keras.backend.backend() == "torch":
        out[TORCH_RNG] = [int(v) for v in _module("torch").get_rng_state().tolist()]
    return out


def restore_seed_states(model, states: dict[str, list[int]]) -> None:
    for layer in model._flatten_layers(include_self=False, recursive=True):
        gen = getattr(layer, "seed_generator", None)
        if gen is not None and layer.name in states:
            current = _numpy(gen.state)
            gen.state.assign(np.asarray(states[layer.name]).astype(current.dtype).reshape(current.shape))
    if TORCH_RNG in states:
        torch = _module("torch")
        torch.set_rng_state(torch.tensor(states[TORCH_RNG], dtype=torch.uint8))


def data_identity(path) -> dict:
    """What identifies a data file for resuming: shape, targets, size and modification time."""
    p = Path(path)
    st = p.stat()
    with DataReader(p) as r:
        names = hashlib.sha256("\n".join(r.target_names).encode()).hexdigest()[:16]
        return dict(n=r.n, length=r.length, n_targets=r.n_targets, target_names=names,
                    size=st.st_size, mtime_ns=st.st_mtime_ns)


def fingerprint(spec: ModelSpec, settings: TrainSettings, seed: int, data: dict, extra: dict | None = None) -> str:
    """Hash of everything a checkpoint must share with the current run to be resumed."""
    keep = {k: v for k, v in asdict(settings).items()
            if k not in ("max_epochs", "patience", "threads", "gpus", "jit_compile", "input_workers")}
    if keep.get("backend") == "tensorflow":
        del keep["backend"]         # TensorFlow checkpoints from before the key resume as before
    blob = json.dumps(dict(spec=spec.to_dict(), train=keep, seed=seed, data=data, extra=extra or {}),
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


class Checkpoint:
    """Epoch checkpoints in one directory: ``epoch-NNNN.keras`` (last model, optimizer included),
    ``best-NNNN.keras`` (best by validation loss) and ``state.json`` (written last)."""

    def __init__(self, directory, fp: str):
        self.dir = Path(directory)
        self.fp = fp

    def load(self) -> tuple[dict | None, str]:
        """(state, note): the state to resume from, or None with the reason."""
        sf = self.dir / STATE_FILE
        if not sf.exists():
            return None, "no checkpoint: training starts from scratch"
        try:
            state = json.loads(sf.read_text())
        except (OSError, ValueError) as exc:
            return None, f"checkpoint state {sf} is unreadable ({exc}): training starts from scratch"
        if state.get("fingerprint") != self.fp:
            return None, (f"checkpoint in {self.dir} belongs to another configuration or data: "
                          "training starts from scratch")
        for key in ("last_model", "best_model"):
            if not (self.dir / state.get(key, "")).is_file():
                return None, f"checkpoint file {state.get(key)} is missing: training starts from scratch"
        return state, f"resuming from the checkpoint after epoch {state['epochs_done']} in {self.dir}"

    def save(self, model, state: dict, improved: bool) -> dict:
        """Write this epoch's model (and the best one if ``improved``) and then the state."""
        self.dir.mkdir(parents=True, exist_ok=True)
        e = state["epochs_done"]
        last = f"epoch-{e:04d}.keras"
        with atomic_output(self.dir / last) as tmp:
            model.save(tmp)
        state["last_model"] = last
        if improved:
            best = f"best-{e:04d}.keras"
            shutil.copyfile(self.dir / last, self.dir / f".{best}.tmp")
            os.replace(self.dir / f".{best}.tmp", self.dir / best)
            state["best_model"] = best
        state["fingerprint"] = self.fp
        with atomic_output(self.dir / STATE_FILE) as tmp:
            tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
        self._prune(state)
        return state

    def _prune(self, state: dict) -> None:
        keep = {STATE_FILE, state.get("last_model"), state.get("best_model")}
        for p in self.dir.iterdir():
            if p.name not in keep:
                with contextlib.suppress(OSError):
                    shutil.rmtree(p) if p.is_dir() else p.unlink()

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

