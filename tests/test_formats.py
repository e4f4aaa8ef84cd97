"""Each on-disk format, through its one module: written, read back unchanged, and a corrupted file
refused with an InputError (danqmotifs.formats, kernels.h5 in danqmotifs.model.kernels, the AUC table in
danqmotifs.model.evaluate)."""

from __future__ import annotations

import gzip
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from danqmotifs.core.errors import InputError
from danqmotifs.formats.base_json import ln_b_per_kernel, read_base, write_base
from danqmotifs.formats.fasta import iter_fasta
from danqmotifs.formats.method_file import read_kernel_pwms, read_method_file, write_method_file
from danqmotifs.formats.tsv import NA, field, number, read_tsv, write_table
from danqmotifs.model.evaluate import read_auc_table, write_auc_table
from danqmotifs.model.kernels import read_kernels_file, write_kernels_file


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])


def _pwms(rng, K=3, L=5):
    p = rng.random((K, L, 4)) + 0.05
    return p / p.sum(axis=2, keepdims=True)


def test_method_file_roundtrip_and_corruption(tmp_path):
    rng = np.random.default_rng(0)
    pwms = _pwms(rng)
    result = SimpleNamespace(datasets={"PWM_tensor": pwms, "nsites": np.array([4, 0, 2]),
                                       "dead": np.array([False, True, False])},
                             attrs={"orientation": "correlation", "alphabet": "ACGT"})
    path = tmp_path / "heuristic.h5"
    write_method_file(path, result)
    first = path.read_bytes()
    write_method_file(path, result)
    assert path.read_bytes() == first                           # no time stamps
    back = read_method_file(path)
    np.testing.assert_array_equal(back["pwms"], pwms)
    assert back["nsites"].tolist() == [4, 0, 2] and back["keep"].tolist() == [True, False, True]
    bad = dict(result.datasets, PWM_tensor=pwms * 2)             # rows not probabilities
    write_method_file(tmp_path / "bad.h5", SimpleNamespace(datasets=bad, attrs={}))
    with pytest.raises(InputError, match="not probabilities"):
        read_kernel_pwms(tmp_path / "bad.h5")
    _truncate(path)
    with pytest.raises(InputError):
        read_method_file(path)


def test_base_json_roundtrip_and_corruption(tmp_path):
    path = tmp_path / "base.json"
    report = {"ln_b": [0.5, 1.25, 2.0], "status": "ok"}
    write_base(path, report)
    assert read_base(path) == report
    np.testing.assert_array_equal(ln_b_per_kernel(read_base(path), 3, path), [0.5, 1.25, 2.0])
    write_base(path, {"ln_b": 1.5})
    np.testing.assert_array_equal(ln_b_per_kernel(read_base(path), 2, path), [1.5, 1.5])   # shared
    with pytest.raises(InputError, match="2 values for 3 kernels"):
        ln_b_per_kernel({"ln_b": [1.0, 2.0]}, 3, path)
    with pytest.raises(InputError, match="negative or non-finite"):
        ln_b_per_kernel({"ln_b": -1.0}, 3, path)
    _truncate(path)
    with pytest.raises(InputError, match="not a readable JSON file"):
        read_base(path)
    path.write_text('{"b": 2}')
    with pytest.raises(InputError, match="no 'ln_b' key"):
        read_base(path)
    with pytest.raises(InputError, match="not a readable JSON file"):
        read_base(tmp_path / "missing.json")


def test_kernel_file_roundtrip_and_corruption(tmp_path):
    rng = np.random.default_rng(1)
    W = rng.standard_normal((4, 6, 4)).astype(np.float32)
    bias = rng.standard_normal(4).astype(np.float32)
    codes = rng.integers(0, 5, size=(7, 12)).astype(np.uint8)
    path = tmp_path / "kernels.h5"
    write_kernels_file(path, W, bias, codes, rows=np.arange(7) * 3, attrs={"split": "test", "seed": 1})
    kf = read_kernels_file(path)
    np.testing.assert_array_equal(kf.W, W)
    np.testing.assert_allclose(kf.bias, bias)
    np.testing.assert_array_equal(kf.codes, codes)
    assert kf.attrs["split"] == "test" and kf.attrs["orientation"] == "correlation"
    _truncate(path)
    with pytest.raises(InputError):
        read_kernels_file(path)


def test_auc_table_roundtrip_and_corruption(tmp_path):
    rows = [dict(target="t1", roc_auc=0.75, pr_auc=0.5, n_pos=10),
            dict(target="t2", roc_auc=float("nan"), pr_auc=None, n_pos=0)]
    path = tmp_path / "auc.tsv"
    write_auc_table(rows, path)
    assert path.read_text() == "target\troc_auc\tpr_auc\tn_pos\nt1\t0.750000\t0.500000\t10\nt2\tNA\tNA\t0\n"
    back = read_auc_table(path)
    assert back[0] == rows[0]
    assert math.isnan(back[1]["roc_auc"]) and math.isnan(back[1]["pr_auc"]) and back[1]["n_pos"] == 0
    path.write_text("target\troc_auc\tpr_auc\tn_pos\nt1\t0.7x\t0.5\t10\n")
    with pytest.raises(InputError, match="'0.7x' is not a number"):
        read_auc_table(path)
    path.write_text("target\troc_auc\tn_pos\nt1\t0.7\t10\n")
    with pytest.raises(InputError, match="no column"):
        read_auc_table(path)
    path.write_text("target\troc_auc\tpr_auc\tn_pos\nt1\t0.7\n")
    with pytest.raises(InputError, match="line 2 has 2 fields"):
        read_auc_table(path)


def test_table_writer_na_and_number_formats(tmp_path):
    assert [field(x) for x in (None, float("nan"), float("inf"), np.float32(0.25), 3, "a")] == \
        [NA, NA, NA, "0.250000", "3", "a"]
    assert field(1 / 3, ".6g") == "0.333333" and field(np.int64(7), ".6g") == "7"
    write_table(tmp_path / "t.tsv", ["a", "b"], [{"a": "x", "b": 1e-7}], float_format=".6g")
    assert (tmp_path / "t.tsv").read_text() == "a\tb\nx\t1e-07\n"
    assert read_tsv(tmp_path / "t.tsv") == [{"a": "x", "b": "1e-07"}]
    assert math.isnan(number("NA", "t.tsv")) and number("12", "t.tsv", int) == 12
    write_table(tmp_path / "empty.tsv", [], [])
    assert (tmp_path / "empty.tsv").read_text() == "\n"


def test_fasta_plain_gzip_and_corruption(tmp_path):
    text = b">r1 first\nACGT\nacgn\r\n>r2\nTTTT\n"
    (tmp_path / "a.fa").write_bytes(text)
    with gzip.open(tmp_path / "a.fa.gz", "wb") as fh:
        fh.write(text)
    want = [("r1", b"ACGTacgn", 1), ("r2", b"TTTT", 4)]
    assert list(iter_fasta(tmp_path / "a.fa")) == want == list(iter_fasta(tmp_path / "a.fa.gz"))
    _truncate(tmp_path / "a.fa.gz", 0.6)
    with pytest.raises(InputError, match="cannot read the file"):
        list(iter_fasta(tmp_path / "a.fa.gz"))
    (tmp_path / "b.fa").write_bytes(b"ACGT\n>r1\nACGT\n")
    with pytest.raises(InputError, match="sequence before the first"):
        list(iter_fasta(tmp_path / "b.fa"))


def test_owner_table_names_real_owners_and_every_formats_module():
    """formats/__init__'s owner table: every :mod:/:func: it names exists, and every module of
    formats/ (and meme.py) owns a row."""
    import importlib
    import pkgutil
    import re

    import danqmotifs.formats as formats

    doc = formats.__doc__
    named = re.findall(r":(mod|func):`([\w.]+)`", doc)
    assert len(named) > 30
    for kind, name in named:
        if kind == "mod":
            importlib.import_module(name)
        else:
            mod, _, attr = name.rpartition(".")
            assert callable(getattr(importlib.import_module(mod), attr)), name
    owners = {n for k, n in named if k == "mod"}
    mine = {f"danqmotifs.formats.{m.name}" for m in pkgutil.iter_modules(formats.__path__)}
    assert mine | {"danqmotifs.formats.meme", "danqmotifs.match.store", "danqmotifs.motifs.scoring"} <= owners
