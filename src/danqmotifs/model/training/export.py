"""Exporting a trained model: a canonical ``.keras`` file (equal models, equal bytes) and the
per-epoch history TSV."""

from __future__ import annotations

import json
from pathlib import Path

from ...core.errors import atomic_output
from ...formats.tsv import read_tsv
from .fit import TrainResult

HISTORY_COLUMNS = ("epoch", "loss", "auc", "val_loss", "val_auc", "learning_rate")


def _renumber_shared_ids(node, ids: dict):
    """Keras names objects shared between layers by their Python id(); number them 1, 2, ..."""
    if isinstance(node, dict):
        return {k: (ids.setdefault(v, len(ids) + 1) if k == "shared_object_id" else _renumber_shared_ids(v, ids))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_renumber_shared_ids(v, ids) for v in node]
    return node


def canonical_keras(src, dst) -> None:
    """Copy a ``.keras`` file so that equal models give equal bytes: the save date, the zip entry
    times and the HDF5 dataset times that Keras writes are replaced by constants."""
    import io
    import zipfile

    import h5py

    def copy_group(a, b):
        for k, v in a.attrs.items():
            b.attrs[k] = v
        for name, obj in a.items():
            if isinstance(obj, h5py.Dataset):
                d = b.create_dataset(name, data=obj[()], dtype=obj.dtype, track_times=False)
                for k, v in obj.attrs.items():
                    d.attrs[k] = v
            else:
                copy_group(obj, b.create_group(name))

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "metadata.json":
                meta = json.loads(data)
                meta["date_saved"] = "1980-01-01@00:00:00"
                data = json.dumps(meta).encode()
            elif info.filename == "config.json":
                data = json.dumps(_renumber_shared_ids(json.loads(data), {})).encode()
            elif info.filename.endswith(".h5"):
                buf = io.BytesIO()
                with h5py.File(io.BytesIO(data), "r") as hin, h5py.File(buf, "w") as hout:
                    copy_group(hin, hout)
                data = buf.getvalue()
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data)


def export(result: TrainResult, model_path, history_path, targets_path=None) -> None:
    """Write the best model (in a canonical form: same weights, same bytes), the history and the
    target names, each atomically."""
    with atomic_output(model_path) as tmp:
        canonical_keras(result.best_model, tmp)
    write_history(result.history, history_path, result.best_epoch)
    if targets_path is not None:
        with atomic_output(targets_path) as tmp:
            Path(tmp).write_text("".join(f"{t}\n" for t in result.target_names))


def write_history(history: list[dict], path, best_epoch: int = 0) -> None:
    """Per-epoch TSV: epoch, loss, auc, val_loss, val_auc, learning_rate, best (1 on the kept epoch)."""
    lines = ["\t".join(HISTORY_COLUMNS + ("best",))]
    for row in history:
        vals = [str(row["epoch"])] + [f"{row[k]:.6f}" for k in HISTORY_COLUMNS[1:-1]]
        vals.append(f"{row['learning_rate']:.6g}")
        vals.append("1" if row["epoch"] == best_epoch else "0")
        lines.append("\t".join(vals))
    with atomic_output(path) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")


def read_history(path) -> list[dict]:
    """Rows of a history TSV written by :func:`write_history`."""
    rows = []
    for d in read_tsv(path):
        rows.append({k: (int(v) if k in ("epoch", "best") else float(v)) for k, v in d.items()})
    return rows
