"""The bad-input suite: one place that feeds every stage's commands bad inputs.

Each case runs the real command (a console script, or the workflow up to the failing rule) in a
fresh directory and checks three things: the exit status is non-zero, the message names the file
(or config key) and the problem, and no output of the failing step exists afterwards.
Stage-level details are tested beside each module; this suite checks the user-facing behaviour.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import h5py
import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@dataclass
class Case:
    id: str
    setup: Callable[[Path], list[str]]          # writes inputs, returns the command
    expect: list[str]                           # substrings of the message (besides the file)
    names: str                                  # the file or key the message must name
    outputs: list[str] = field(default_factory=list)   # must not exist afterwards
    ok: bool = False                            # a case that must be accepted


def _cli(name: str, *args: str) -> list[str]:
    return [str(BIN / name), *map(str, args)]


def _workflow(d: Path, cfg: dict, *targets: str) -> list[str]:
    (d / "cfg.yaml").write_text(yaml.safe_dump(cfg))
    return [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(d),
            "--configfile", str(d / "cfg.yaml"), "--cores", "1", *targets]


DATA_OUT = ["out/data/train.h5", "out/data/valid.h5", "out/data/test.h5"]


def _fasta_cfg(d: Path, records: dict[str, str], labels: str | None = None, gz=False, crlf=False,
               **fasta) -> list[str]:
    nl = "\r\n" if crlf else "\n"
    text = "".join(f">{k}{nl}{v}{nl}" for k, v in records.items())
    fa = d / ("in.fa.gz" if gz else "in.fa")
    if gz:
        with gzip.open(fa, "wt", newline="") as fh:
            fh.write(text)
    else:
        fa.write_bytes(text.encode())
    if labels is None:
        labels = "id\tT1\n" + "".join(f"{k}\t{i % 2}\n" for i, k in enumerate(records))
    (d / "labels.tsv").write_text(labels)
    cfg = {"results": "out", "data": {"source": "fasta", "fasta": {
        "fasta": str(fa), "labels": str(d / "labels.tsv"), "valid_fraction": 0.2,
        "test_fraction": 0.2, **fasta}}}
    return _workflow(d, cfg, *DATA_OUT)


def _records(n=20, L=40, seed=0):
    rng = np.random.default_rng(seed)
    return {f"r{i}": "".join(rng.choice(list("ACGT"), L)) for i in range(n)}


def _bed_cfg(d: Path, bed_text: str) -> list[str]:
    rng = np.random.default_rng(1)
    genome = d / "genome.fa"
    genome.write_text("".join(f">chr{c}\n{''.join(rng.choice(list('ACGT'), 300))}\n" for c in (1, 7, 8)))
    (d / "regions.bed").write_text(bed_text)
    cfg = {"results": "out", "data": {"source": "bed", "bed": {
        "bed": str(d / "regions.bed"), "genome": str(genome), "width": 50,
        "test_chroms": ["chr8"], "valid_chroms": ["chr7"]}}}
    return _workflow(d, cfg, *DATA_OUT)


def _sim_cfg(d: Path, **sim) -> list[str]:
    cfg = {"results": "out", "data": {"simulate": {"n_train": 50, "n_valid": 20, "n_test": 20,
                                                   "length": 60, "pairs": [], **sim}}}
    return _workflow(d, cfg, *DATA_OUT, "out/data/truth.meme")


def _kernel_text(d: Path, rows: list[list[float]]) -> Path:
    p = d / "kernel.txt"
    p.write_text("\n".join(" ".join(str(v) for v in r) for r in rows) + "\n")
    return p


def _tensors(d: Path, kernels: np.ndarray, seqs: np.ndarray) -> tuple[Path, Path]:
    k, s = d / "kernels.h5", d / "seqs.h5"
    with h5py.File(k, "w") as f:
        f["kernels"] = kernels
    with h5py.File(s, "w") as f:
        f["sequences"] = seqs
    return k, s


def _onehot(n, L, seed=0):
    codes = np.random.default_rng(seed).integers(0, 4, (n, L))
    return np.eye(4, dtype=np.uint8)[codes]


def _meme(d: Path, rows: list[list[float]], header=True, ids=("m1",), name="query.meme") -> Path:
    p = d / name
    head = "MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\n" if header else ""
    body = "".join(f"MOTIF {i}\nletter-probability matrix: alength= 4 w= {len(rows)} nsites= 20 E= 0\n"
                   + "".join(" ".join(map(str, r)) + "\n" for r in rows) + "\n" for i in ids)
    p.write_text(head + body)
    return p


GOOD_PWM = [[0.7, 0.1, 0.1, 0.1], [0.1, 0.7, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1],
            [0.1, 0.1, 0.1, 0.7], [0.25, 0.25, 0.25, 0.25]]

CASES = [
    # --- data stage (through the workflow) ---
    Case("fasta_bad_letter", lambda d: _fasta_cfg(d, {**_records(), "r3": "ACGTZ" * 8}),
         ["'Z'", "r3"], "in.fa", DATA_OUT),
    Case("fasta_unequal_lengths", lambda d: _fasta_cfg(d, {**_records(), "r5": "ACGT" * 3}),
         ["length"], "in.fa", DATA_OUT),
    Case("fasta_empty", lambda d: _fasta_cfg(d, {}, labels="id\tT1\nr0\t1\n"), ["no record", "empty"],
         "in.fa", DATA_OUT),
    Case("labels_for_missing_record",
         lambda d: _fasta_cfg(d, _records(), labels="id\tT1\n" + "".join(f"r{i}\t1\n" for i in range(21))),
         ["r20"], "labels.tsv", DATA_OUT),
    Case("record_without_labels",
         lambda d: _fasta_cfg(d, _records(), labels="id\tT1\n" + "".join(f"r{i}\t1\n" for i in range(19))),
         ["r19"], "labels", DATA_OUT),
    Case("fasta_gz_crlf_lowercase_accepted",
         lambda d: _fasta_cfg(d, {k: v.lower() for k, v in _records().items()}, gz=True, crlf=True),
         [], "", [], ok=True),
    Case("fasta_path_missing", lambda d: _workflow(d, {"results": "out", "data": {"source": "fasta", "fasta": {
        "fasta": str(d / "nowhere.fa"), "labels": str(d / "nowhere.tsv")}}}, *DATA_OUT),
         ["missing"], "nowhere.fa", DATA_OUT),
    Case("bed_past_chromosome_end",
         lambda d: _bed_cfg(d, "#chrom\tstart\tend\tT1\nchr1\t10\t60\t1\nchr1\t280\t400\t1\n"),
         ["chr1", "end"], "regions.bed", DATA_OUT),
    Case("bed_empty", lambda d: _bed_cfg(d, "#chrom\tstart\tend\tT1\n"), ["no region"], "regions.bed", DATA_OUT),
    Case("jaspar_id_missing", lambda d: _sim_cfg(d, motif_ids=["MA0139.2", "MA9999.1"]),
         ["does not exist"], "MA9999.1", DATA_OUT + ["out/data/truth.meme"]),
    Case("config_key_mistyped", lambda d: _sim_cfg(d, lenght=60), ["lenght"], "lenght", DATA_OUT),
    Case("output_dir_not_writable",
         lambda d: ((d / "blocker").write_text(""), _workflow(d, {"results": "blocker/out", "data": {
             "simulate": {"n_train": 20, "n_valid": 10, "n_test": 10, "length": 60, "pairs": []}}},
             "blocker/out/data/train.h5"))[1],
         ["blocker"], "blocker", []),
    # --- kernels to PWMs (console scripts) ---
    Case("kernel_three_columns", lambda d: _cli("kernel2pwm", _kernel_text(d, [[1, 2, 3]] * 5), d / "out.meme"),
         ["column"], "kernel.txt", ["out.meme"]),
    Case("kernel_nan", lambda d: _cli("kernel2pwm", _kernel_text(d, [[1, 2, 3, "nan"]] * 5), d / "out.meme"),
         ["nan"], "kernel.txt", ["out.meme"]),
    Case("base_not_positive", lambda d: _cli("kernel2pwm", "--base", "-2", _kernel_text(d, [[1, 2, 3, 4]] * 5),
                                             d / "out.meme"),
         ["base"], "base", ["out.meme"]),
    Case("meme_zero_row_for_pwm2kernel",
         lambda d: _cli("pwm2kernel", _meme(d, GOOD_PWM[:4] + [[0, 0, 0, 0]]), d / "kernel.txt"),
         ["row"], "query.meme", ["kernel.txt"]),
    Case("meme_non_numeric_row",
         lambda d: (lambda p: (p.write_text(p.read_text().replace("0.7 0.1 0.1 0.1", "0.7 x 0.1 0.1")),
                               _cli("pwm2kernel", p, d / "kernel.txt"))[1])(_meme(d, GOOD_PWM)),
         ["numeric", "number", "x"], "query.meme", ["kernel.txt"]),
    Case("kernel_tensor_wrong_rank",
         lambda d: _cli("kernel2pwm-mle", *_tensors(d, np.zeros((5, 4)), _onehot(10, 30)), d / "pwm.h5"),
         ["rank", "dimension"], "kernels.h5", ["pwm.h5"]),
    Case("kernel_tensor_five_channels",
         lambda d: _cli("kernel2pwm-mle", *_tensors(d, np.zeros((3, 5, 5)), _onehot(10, 30)), d / "pwm.h5"),
         ["5"], "kernels.h5", ["pwm.h5"]),
    Case("sequences_shorter_than_kernels",
         lambda d: _cli("kernel2pwm-mle", *_tensors(d, np.ones((3, 12, 4)), _onehot(10, 8)), d / "pwm.h5"),
         ["shorter", "length"], "seqs.h5", ["pwm.h5"]),
    Case("sequences_not_one_hot",
         lambda d: _cli("kernel2pwm-mle", *_tensors(d, np.ones((3, 5, 4)), _onehot(10, 30) * 2), d / "pwm.h5"),
         ["one-hot"], "seqs.h5", ["pwm.h5"]),
    Case("hdf5_truncated_mid_write",
         lambda d: (lambda k, s: (k.write_bytes(k.read_bytes()[: k.stat().st_size // 2]),
                                  _cli("kernel2pwm-mle", k, s, d / "pwm.h5"))[1])(
             *_tensors(d, np.random.default_rng(0).normal(size=(40, 20, 4)), _onehot(10, 30))),
         ["HDF5", "truncated"], "kernels.h5", ["pwm.h5"]),
    # --- MEME / matching ---
    Case("meme_duplicate_ids", lambda d: _cli("motif-match", _meme(d, GOOD_PWM, ids=("m1", "m1")),
                                              "--db", _meme(d, GOOD_PWM, name="db.meme"), "--out", d / "m.tsv"),
         ["duplicate"], "query.meme", ["m.tsv"]),
    Case("meme_query_missing", lambda d: _cli("motif-match", d / "absent.meme", "--out", d / "m.tsv"),
         ["does not exist"], "absent.meme", ["m.tsv"]),
    # --- first-hour classes: config files, headers, row sums, names ---
    Case("config_duplicate_key",
         lambda d: ((d / "dup.yaml").write_text("results: out\ndata:\n  source: simulate\ndata:\n  source: fasta\n"),
                    [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(d),
                     "--configfile", str(d / "dup.yaml"), "--cores", "1"])[1],
         ["appears twice"], "dup.yaml", ["out"]),
    Case("config_tilde_path", lambda d: _workflow(d, {"results": "out", "data": {"source": "fasta", "fasta": {
        "fasta": "~/nowhere.fa", "labels": str(d / "l.tsv")}}}, *DATA_OUT),
         ["starts with '~'"], "data.fasta.fasta", DATA_OUT),
    Case("config_seed_beyond_uint32", lambda d: _workflow(d, {"results": "out", "seed": 2**32}, *DATA_OUT),
         ["maximum"], "seed", DATA_OUT),
    Case("config_predict_name_with_brace", lambda d: _workflow(d, {"results": "out", "evaluate": {
        "predict": [str(d / "x{1}.fa")]}}, *DATA_OUT),
         ["rename"], "evaluate.predict", DATA_OUT),
    Case("labels_comment_line",
         lambda d: _fasta_cfg(d, _records(), labels="id\tT1\n# comment\n" + "".join(
             f"r{i}\t{i % 2}\n" for i in range(20))),
         ["comment line"], "labels.tsv", DATA_OUT),
    Case("bed_header_without_hash",
         lambda d: _bed_cfg(d, "chrom\tstart\tend\tT1\nchr1\t10\t60\t1\n"),
         ["without '#'"], "regions.bed", DATA_OUT),
    Case("meme_rows_summing_to_093_memelite",
         lambda d: _cli("motif-match", _meme(d, [[0.63, 0.1, 0.1, 0.1]] + GOOD_PWM[1:]), "--db",
                        _meme(d, GOOD_PWM, name="db.meme"), "--dist", "euclidean", "--engine", "memelite",
                        "--out", d / "m.tsv"),
         ["position 1", "0.93"], "query.meme", ["m.tsv"]),
    # --- prediction ---
    Case("corrupt_checkpoint", lambda d: ((d / "best.keras").write_bytes(b"not a keras file" * 10),
                                          (d / "x.fa").write_text(">a\nACGT\n"),
                                          _cli("predict", "--model", d / "best.keras", "--fasta", d / "x.fa",
                                               "--out", d / "p.tsv"))[2],
         ["model", "checkpoint"], "best.keras", ["p.tsv"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path: Path):
    cmd = case.setup(tmp_path)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    r = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600)
    out = r.stderr + r.stdout
    if case.ok:
        assert r.returncode == 0, out[-3000:]
        return
    assert r.returncode != 0, f"accepted bad input:\n{out[-3000:]}"
    assert case.names in out, f"message does not name {case.names!r}:\n{out[-3000:]}"
    low = out.lower()
    assert any(e.lower() in low for e in case.expect), f"message lacks {case.expect}:\n{out[-3000:]}"
    for rel in case.outputs:
        assert not (tmp_path / rel).exists(), f"{rel} left behind"
    leftovers = [p for p in tmp_path.rglob("*.tmp*")]
    assert not leftovers, leftovers


def test_suite_is_large_enough():
    assert sum(not c.ok for c in CASES) >= 20
