"""Predicting new sequences with a trained model: FASTA or one-hot in, probabilities out (TSV or HDF5).

    predict --model results/model/best.keras --fasta new.fa --out new.tsv
    predict --model DanQ_bestmodel.hdf5 --onehot example.h5 --out example.tsv

One-hot input is DeepSEA's layout without labels (DanQ's ``data/example.h5``, DeepSEA's .mat
files; :mod:`danqmotifs.sources.onehot`); its rows are predicted as given, named
``<dataset>:<index>``.

Records are read, encoded and predicted in batches (memory does not grow with the number of
records). Every record must have the model's input length, unless ``--resize center`` trims or pads
it (with N) around its centre. Predictions are averaged over each sequence and its reverse
complement unless ``--no-reverse-complement``. Column names come from ``--targets`` (one name per
line; by default ``targets.txt`` beside the model, as the train rule writes it), else t1, t2, ...
The TSV gives each probability to 6 significant digits (``%.6g``, as score-variants), so a small
probability is never printed as 0. The ``predict`` command is ``danqmotifs.cli.predict``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from ..core.errors import InputError, atomic_output, require_file
from ..formats.fasta import encode_record, iter_fasta, resize_codes
from .modelio import load_model, make_predictor, model_shape, predict_codes
from .published import is_published_danq


def encoded_batches(path, length: int, batch_size: int, resize: str = "none"
                    ) -> Iterator[tuple[list[str], np.ndarray]]:
    """(ids, codes (B, length)) of the FASTA records, ``batch_size`` at a time."""
    path = Path(path)
    require_file(path, "the FASTA file", "correct the path")
    ids, rows = [], []
    seen = 0
    for rid, raw, _line in iter_fasta(path):
        seen += 1
        codes = encode_record(path, rid, raw)
        if codes.shape[0] != length and resize == "none":
            raise InputError(path, f"record {rid} is {codes.shape[0]} bp but the model takes {length} bp",
                             "give sequences of the model's length, or resize them with --resize center")
        fixed = resize_codes(codes, length, resize) if codes.shape[0] != length else codes
        ids.append(rid)
        rows.append(fixed)
        if len(rows) == batch_size:
            yield ids, np.stack(rows)
            ids, rows = [], []
    if rows:
        yield ids, np.stack(rows)
    if seen == 0:
        raise InputError(path, "no FASTA records", "give a FASTA file with at least one record")


def onehot_batches(path, length: int, batch_size: int, resize: str = "none", layout: str | None = None
                   ) -> Iterator[tuple[list[str], np.ndarray]]:
    """(names, codes (B, length)) of the sequences of a DeepSEA-layout one-hot file whose axes are
    in the order ``layout`` (None: the format's, or the one the shape and ``length`` tell; see
    :class:`danqmotifs.sources.onehot.OneHotFile`)."""
    from ..sources.onehot import OneHotFile

    with OneHotFile(path, layout, length) as f:
        if f.length != length and resize == "none":
            raise InputError(path, f"sequences are {f.length} bp but the model takes {length} bp",
                             "give sequences of the model's length, or resize them with --resize center")
        for names, codes in f.blocks(batch_size):
            if f.length != length:
                codes = np.stack([resize_codes(c, length, resize) for c in codes])
            yield names, codes


def default_target_names(model_path, n_targets: int, targets_file=None) -> list[str]:
    """Target names from ``targets_file`` (or targets.txt beside the model), else target_0000 ...
    for DanQ's published weights file (DeepSEA's targets), t1..tn for other models."""
    p = Path(targets_file) if targets_file else Path(model_path).with_name("targets.txt")
    if p.is_file():
        names = [l.strip() for l in p.read_text(encoding="utf-8-sig").splitlines() if l.strip()]
        if len(names) != n_targets:
            raise InputError(p, f"{len(names)} target names but the model predicts {n_targets} targets",
                             "give one name per line for each of the model's outputs")
        return names
    if targets_file:
        raise InputError(p, "the target names file does not exist", "correct the path")
    if is_published_danq(model_path):     # DeepSEA's targets, named as the deepsea data source does
        return [f"target_{i:04d}" for i in range(n_targets)]
    return [f"t{i + 1}" for i in range(n_targets)]


def predict_fasta(model_path, fasta, out, batch_size: int = 256, average_rc: bool = True,
                  resize: str = "none", targets_file=None, fmt: str | None = None,
                  length: int | None = None, pool: int | None = None, onehot: bool = False,
                  onehot_layout: str | None = None) -> int:
    """Write the probabilities of every FASTA record to ``out`` (TSV, or HDF5 when the name ends in
    .h5/.hdf5 or ``fmt='h5'``; ``-`` is standard output, see :func:`danqmotifs.core.errors.atomic_output`).
    With ``onehot``, ``fasta`` is a DeepSEA-layout one-hot file instead, its axes in the order
    ``onehot_layout`` (:func:`onehot_batches`).
    Returns the number of records."""
    if int(batch_size) < 1:
        raise InputError("--batch-size", f"the batch size must be >= 1, got {batch_size}",
                         "give a positive number of sequences per batch")
    model = load_model(model_path, length=length, pool=pool)   # length, pool: published file only
    length, n_targets = model_shape(model)
    if length is None:
        raise InputError(model_path, "the model does not fix a sequence length", "use a model trained by this workflow")
    names = default_target_names(model_path, n_targets, targets_file)
    fmt = fmt or ("h5" if str(out).endswith((".h5", ".hdf5")) else "tsv")
    predict = make_predictor(model, average_rc)
    if onehot:
        def batches(path, length, batch_size, resize):
            return onehot_batches(path, length, batch_size, resize, onehot_layout)
    else:
        batches = encoded_batches
    n = 0
    with atomic_output(out) as tmp:
        if fmt == "tsv":
            with open(tmp, "w") as fh:
                fh.write("id\t" + "\t".join(names) + "\n")
                for ids, codes in batches(fasta, length, batch_size, resize):
                    p = predict_codes(predict, codes, batch_size)
                    for rid, row in zip(ids, p):
                        fh.write(rid + "\t" + "\t".join(f"{v:.6g}" for v in row) + "\n")
                    n += len(ids)
        elif fmt == "h5":
            import h5py

            with h5py.File(tmp, "w") as f:
                str_dt = h5py.string_dtype("utf-8")
                prob = f.create_dataset("probabilities", shape=(0, n_targets), maxshape=(None, n_targets),
                                        dtype="f4", chunks=(max(1, min(batch_size, 4096)), n_targets),
                                        track_times=False)
                idd = f.create_dataset("ids", shape=(0,), maxshape=(None,), dtype=str_dt, chunks=(4096,),
                                       track_times=False)
                f.create_dataset("target_names", data=np.array(names, dtype=object), dtype=str_dt,
                                 track_times=False)
                f.attrs["average_reverse_complement"] = bool(average_rc)
                for ids, codes in batches(fasta, length, batch_size, resize):
                    p = predict_codes(predict, codes, batch_size)
                    prob.resize(n + len(ids), axis=0)
                    prob[n:n + len(ids)] = p
                    idd.resize(n + len(ids), axis=0)
                    idd[n:n + len(ids)] = np.array(ids, dtype=object)
                    n += len(ids)
        else:
            raise InputError(out, f"unknown output format {fmt!r}", "use tsv or h5")
    return n
