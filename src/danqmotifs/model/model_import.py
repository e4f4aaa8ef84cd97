"""Starting from an existing model instead of training one (config ``model.source``).

* ``file``: a Keras 3 ``.keras`` model, or DanQ's published Keras 0.2 weights
  (``DanQ_bestmodel.hdf5``, :mod:`danqmotifs.model.published`), is checked against the data (input length,
  number of targets) and written as the workflow's ``model/best.keras`` with ``targets.txt``, so
  every later stage (evaluation, prediction, kernel dump, fidelity) reads it like a trained model.
  The written model is checked to predict what the source file's model predicts.
* ``kernels``: an HDF5 file of first-layer kernels (K, L, 4) and biases, in either convention
  (docs/design.md section 4), as the k2p tools read them (``danqmotifs.model.modelio.kernels_from_file``):
  only the motif stages can run (there is no model to evaluate, to predict with or to test for
  fidelity).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from ..core.errors import InputError, atomic_output, require_file
from ..sources.datafile import DataReader
from .modelio import (check_dna_model, check_exact_conv, check_model_matches, first_conv_layer, load_model,
                      model_shape)
from .published import is_published_danq
from .training.export import canonical_keras

#: sequences of the data predicted by both the source and the written model
CHECK_SEQUENCES = 8


def import_model(src, data_path, model_out, targets_out, pool: int | None = None,
                 check_sequences: int = CHECK_SEQUENCES) -> dict:
    """Write the model file ``src`` as a canonical ``.keras`` file for the data at ``data_path``.

    Parameters
    ----------
    src : str or os.PathLike
        A ``.keras`` model or the published DanQ weights file (read at the data's sequence length).
    data_path : a data split (``results/data/*.h5``): its length, targets and target names.
    model_out, targets_out : the ``.keras`` file and the target names (one per line) to write.
    pool : int, optional
        Pooling size of a published weights file (None: the one that fits the data's length).
    check_sequences : int
        Sequences of the data predicted by both models; their predictions must agree to 1e-6.

    Returns
    -------
    dict : kind (``published`` or ``keras``), length, n_targets, kernels, kernel_width,
        n_params, max_abs_diff (of the check).
    """
    src = Path(src)
    require_file(src, "the model file", "set model.file to a .keras model or to "
                         "DanQ's published weights (DanQ_bestmodel.hdf5)")
    with DataReader(data_path) as r:
        length, names = r.length, list(r.target_names)
        x = r.read(0, min(check_sequences, r.n), onehot=True)[0]
    model = load_model(src, length=length, pool=pool)
    check_dna_model(model, src)
    check_exact_conv(model, src)
    check_model_matches(model, src, length, len(names), data_path)
    expected = np.asarray(model(x, training=False))
    with tempfile.TemporaryDirectory(prefix=".import.", dir=Path(model_out).parent) as d:
        raw = Path(d) / "raw.keras"
        model.save(raw)
        again = load_model(raw)
        diff = float(np.abs(np.asarray(again(x, training=False)) - expected).max()) if len(x) else 0.0
        if not diff <= 1e-6:
            raise InputError(src, f"the model saved as .keras predicts differently (max |diff| {diff:.3g})",
                             "report this: the conversion is not faithful for this file")
        with atomic_output(model_out) as tmp:
            canonical_keras(raw, tmp)
    with atomic_output(targets_out) as tmp:
        Path(tmp).write_text("".join(f"{t}\n" for t in names))
    conv = first_conv_layer(model, src)
    return {"kind": "published" if is_published_danq(src) else "keras", "length": model_shape(model)[0],
            "n_targets": len(names), "kernels": int(conv.kernel.shape[-1]),
            "kernel_width": int(conv.kernel.shape[0]), "n_params": int(model.count_params()),
            "max_abs_diff": diff}
