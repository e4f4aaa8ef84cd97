"""The fasta source: a FASTA plus a TSV of labels keyed by record id."""

import gzip
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from danqmotifs.core.alphabet import decode, encode
from danqmotifs.core.errors import InputError
from danqmotifs.formats.fasta import iter_fasta, resize_codes
from danqmotifs.sources.datafile import DataReader
from danqmotifs.sources.fasta import SPLITS, assign_splits, convert_fasta, read_labels

ROOT = Path(__file__).resolve().parents[1]


def _records(n=30, length=24, seed=0):
    rng = np.random.default_rng(seed)
    chroms = ["chr1", "chr2", "chr3"]
    recs = []
    for i in range(n):
        seq = "".join(rng.choice(list("ACGTacgtN"), size=length))
        recs.append((f"{chroms[i % 3]}:{100 * i}-{100 * i + length}", seq))
    return recs


def _write_fasta(path, recs, crlf=False, width=10):
    nl = "\r\n" if crlf else "\n"
    text = ""
    for rid, seq in recs:
        text += f">{rid} some description{nl}"
        text += nl.join(seq[i:i + width] for i in range(0, len(seq), width)) + nl
    data = text.encode()
    if str(path).endswith(".gz"):
        with gzip.open(path, "wb") as fh:
            fh.write(data)
    else:
        Path(path).write_bytes(data)


def _write_labels(path, ids, y, names=("tA", "tB", "tC")):
    lines = ["id\t" + "\t".join(names)] + [f"{i}\t" + "\t".join(str(v) for v in row) for i, row in zip(ids, y)]
    Path(path).write_text("\n".join(lines) + "\n")


@pytest.fixture()
def case(tmp_path):
    recs = _records()
    y = (np.random.default_rng(1).random((len(recs), 3)) < 0.5).astype(np.uint8)
    _write_fasta(tmp_path / "seqs.fa", recs)
    order = np.random.default_rng(2).permutation(len(recs))        # label rows in another order
    _write_labels(tmp_path / "labels.tsv", [recs[i][0] for i in order], y[order])
    outputs = {s: tmp_path / "out" / f"{s}.h5" for s in SPLITS}
    return tmp_path, recs, y, outputs


def _read_all(outputs):
    got = {}
    for s in SPLITS:
        with DataReader(outputs[s]) as r:
            x, t = r.read(0, r.n)
            got[s] = (list(r.ids.asstr()[:]), x, t, r.target_names, dict(r._f.attrs))
    return got


def test_records_labels_and_ids_come_through(case):
    tmp, recs, y, outputs = case
    plan = convert_fasta(tmp / "seqs.fa", tmp / "labels.tsv", outputs, valid_fraction=0.2, test_fraction=0.1, seed=3)
    assert plan.counts == {"train": 21, "valid": 6, "test": 3}
    got = _read_all(outputs)
    by_id = {rid: (seq, y[k]) for k, (rid, seq) in enumerate(recs)}
    seen = []
    for s in SPLITS:
        ids, x, t, names, attrs = got[s]
        assert names == ["tA", "tB", "tC"] and attrs["source"] == "fasta"
        for rid, xc, tc in zip(ids, x, t):
            assert decode(xc) == by_id[rid][0].upper()          # soft-masked bases kept as bases
            np.testing.assert_array_equal(tc, by_id[rid][1])    # labels found by id
        # within a split the FASTA order is kept
        pos = [next(k for k, (r, _) in enumerate(recs) if r == i) for i in ids]
        assert pos == sorted(pos)
        seen += ids
    assert sorted(seen) == sorted(r for r, _ in recs)


def test_gzip_and_windows_line_endings_give_the_same_data(case):
    tmp, recs, y, outputs = case
    convert_fasta(tmp / "seqs.fa", tmp / "labels.tsv", outputs, seed=5)
    plain = _read_all(outputs)
    _write_fasta(tmp / "seqs.fa.gz", recs, crlf=True, width=7)
    outs2 = {s: tmp / "gz" / f"{s}.h5" for s in SPLITS}
    convert_fasta(tmp / "seqs.fa.gz", tmp / "labels.tsv", outs2, seed=5)
    gz = _read_all(outs2)
    for s in SPLITS:
        assert plain[s][0] == gz[s][0]
        np.testing.assert_array_equal(plain[s][1], gz[s][1])
        np.testing.assert_array_equal(plain[s][2], gz[s][2])


def test_fraction_split_is_seeded(case):
    ids = [f"r{i}" for i in range(200)]
    a = assign_splits(ids, "fraction", [], [], 0.1, 0.15, seed=7, where="data.fasta")
    b = assign_splits(ids, "fraction", [], [], 0.1, 0.15, seed=7, where="data.fasta")
    c = assign_splits(ids, "fraction", [], [], 0.1, 0.15, seed=8, where="data.fasta")
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert np.bincount(a, minlength=3).tolist() == [150, 20, 30]


def test_split_by_ids_and_by_chromosome(case):
    tmp, recs, y, outputs = case
    ids = [r for r, _ in recs]
    plan = convert_fasta(tmp / "seqs.fa", tmp / "labels.tsv", outputs, split_by="ids",
                         valid_ids=[ids[4]], test_ids=[ids[0], ids[7]])
    got = _read_all(outputs)
    assert got["valid"][0] == [ids[4]] and got["test"][0] == [ids[0], ids[7]]
    assert plan.counts["train"] == len(ids) - 3
    convert_fasta(tmp / "seqs.fa", tmp / "labels.tsv", outputs, split_by="chrom",
                  valid_ids=["chr2"], test_ids=["chr3", "chr9"])
    got = _read_all(outputs)
    assert {i.split(":")[0] for i in got["train"][0]} == {"chr1"}
    assert {i.split(":")[0] for i in got["valid"][0]} == {"chr2"}
    assert {i.split(":")[0] for i in got["test"][0]} == {"chr3"}


def test_resize_center_and_left():
    codes = encode("AACCGGTT")
    assert decode(resize_codes(codes, 4, "center")) == "CCGG"
    assert decode(resize_codes(codes, 5, "center")) == "ACCGG"
    assert decode(resize_codes(codes, 12, "center")) == "NNAACCGGTTNN"
    assert decode(resize_codes(codes, 11, "center")) == "NAACCGGTTNN"
    assert decode(resize_codes(codes, 4, "left")) == "AACC"
    assert decode(resize_codes(codes, 10, "left")) == "AACCGGTTNN"


def test_unequal_lengths(tmp_path):
    recs = [("a", "ACGTACGTAC"), ("b", "ACGTAC"), ("c", "ACGTACGTACGTAC")] + [(f"x{i}", "ACGTACGTAC") for i in range(20)]
    _write_fasta(tmp_path / "s.fa", recs)
    _write_labels(tmp_path / "l.tsv", [r for r, _ in recs], np.zeros((len(recs), 3), int))
    outs = {s: tmp_path / "o" / f"{s}.h5" for s in SPLITS}
    with pytest.raises(InputError, match=r"s.fa: record 'b' \(line 3\) is 6 bp, unlike the first record's 10 bp.*resize"):
        convert_fasta(tmp_path / "s.fa", tmp_path / "l.tsv", outs)
    with pytest.raises(InputError, match=r"record 'a' \(line 1\) is 10 bp, unlike data.fasta.length 8 bp"):
        convert_fasta(tmp_path / "s.fa", tmp_path / "l.tsv", outs, length=8)
    with pytest.raises(InputError, match=r"data.fasta.length: resize 'center' needs a target length"):
        convert_fasta(tmp_path / "s.fa", tmp_path / "l.tsv", outs, resize="center")
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
    convert_fasta(tmp_path / "s.fa", tmp_path / "l.tsv", outs, length=8, resize="center", split_by="ids",
                  valid_ids=["b"], test_ids=["c"])
    got = _read_all(outs)
    assert decode(got["valid"][1][0]) == "NACGTACN"
    assert decode(got["test"][1][0]) == "TACGTACG"
    assert decode(got["train"][1][0]) == "CGTACGTA"


@pytest.mark.parametrize("seq,msg", [("ACGTRACGTA", r"record 'r1': letter 'R' at position 5"),
                                      ("ACGT-ACGTA", r"record 'r1': letter '-' at position 5"),
                                      ("ACGTACGTA*", r"record 'r1': letter '\*' at position 10")])
def test_other_letters_name_record_and_position(tmp_path, seq, msg):
    _write_fasta(tmp_path / "s.fa", [("r0", "ACGTACGTAC"), ("r1", seq)])
    _write_labels(tmp_path / "l.tsv", ["r0", "r1"], [[0, 0, 0], [1, 1, 1]])
    with pytest.raises(InputError, match=msg):
        convert_fasta(tmp_path / "s.fa", tmp_path / "l.tsv", {s: tmp_path / f"{s}.h5" for s in SPLITS})


def test_label_and_record_mismatches(case):
    tmp, recs, y, outputs = case
    ids = [r for r, _ in recs]
    _write_labels(tmp / "extra.tsv", ids + ["chr9:1-25"], np.vstack([y, [[1, 0, 1]]]))
    with pytest.raises(InputError, match=r"extra.tsv: the label row 'chr9:1-25' names no record of .*seqs.fa"):
        convert_fasta(tmp / "seqs.fa", tmp / "extra.tsv", outputs)
    _write_labels(tmp / "missing.tsv", ids[:5] + ids[6:], np.delete(y, 5, axis=0))
    with pytest.raises(InputError, match=rf"missing.tsv: record '{ids[5]}' of .*seqs.fa has no label row"):
        convert_fasta(tmp / "seqs.fa", tmp / "missing.tsv", outputs)
    _write_labels(tmp / "dup.tsv", ids + ids[:1], np.vstack([y, y[:1]]))
    with pytest.raises(InputError, match=rf"record '{ids[0]}' has more than one label row"):
        convert_fasta(tmp / "seqs.fa", tmp / "dup.tsv", outputs)
    assert not any(p.exists() for p in outputs.values())


@pytest.mark.parametrize("text,msg", [
    ("r0\t1\t0\n", "looks like data, not a header"),
    ("id\tA\tB\nr0\t1\t2\n", r"record 'r0', target 'B': the value 2"),
    ("id\tA\tB\nr0\t1\t0.5\n", r"line 2 .*the label '0.5' is not 0 or 1"),
    ("id\tA\tB\nr0\t1\n", "rows have 2 columns, the header 3"),
    ("id\tA\tA\nr0\t1\t0\n", "non-empty and unique"),
    ("id\n", "fewer than 2"),
])
def test_bad_label_tables(tmp_path, text, msg):
    (tmp_path / "l.tsv").write_text(text)
    with pytest.raises(InputError, match=msg):
        read_labels(tmp_path / "l.tsv")


def test_label_table_with_crlf_and_gzip(tmp_path):
    text = "id\tA\tB\r\nr0\t1\t0\r\nr1\t0\t1\r\n"
    (tmp_path / "l.tsv").write_text(text, newline="")
    with gzip.open(tmp_path / "l.tsv.gz", "wt", newline="") as fh:
        fh.write(text)
    for p in ("l.tsv", "l.tsv.gz"):
        names, ids, y = read_labels(tmp_path / p)
        assert names == ["A", "B"] and ids == ["r0", "r1"] and y.tolist() == [[1, 0], [0, 1]]


def test_empty_and_malformed_fasta(tmp_path):
    (tmp_path / "l.tsv").write_text("id\tA\nr0\t1\n")
    outs = {s: tmp_path / f"{s}.h5" for s in SPLITS}
    (tmp_path / "empty.fa").write_text("")
    with pytest.raises(InputError, match="empty.fa: the FASTA holds no records"):
        convert_fasta(tmp_path / "empty.fa", tmp_path / "l.tsv", outs)
    (tmp_path / "nohdr.fa").write_text("ACGT\n")
    with pytest.raises(InputError, match="sequence before the first '>' header"):
        convert_fasta(tmp_path / "nohdr.fa", tmp_path / "l.tsv", outs)
    (tmp_path / "dup.fa").write_text(">r0\nACGT\n>r0\nACGT\n")
    with pytest.raises(InputError, match="record id 'r0' \\(line 3\\) appears twice"):
        convert_fasta(tmp_path / "dup.fa", tmp_path / "l.tsv", outs)
    (tmp_path / "noseq.fa").write_text(">r0\n>r1\nACGT\n")
    with pytest.raises(InputError, match="record 'r0' \\(line 1\\) has no sequence"):
        convert_fasta(tmp_path / "noseq.fa", tmp_path / "l.tsv", outs)
    assert list(iter_fasta(tmp_path / "dup.fa"))[0][:2] == ("r0", b"ACGT")


def test_bad_split_settings(case):
    tmp, recs, y, outputs = case
    ids = [r for r, _ in recs]
    fa, lab = tmp / "seqs.fa", tmp / "labels.tsv"
    with pytest.raises(InputError, match=r"data.fasta.valid_ids \(chromosomes\): the valid split would be empty \(30 records, split by chrom\)"):
        convert_fasta(fa, lab, outputs, split_by="chrom", valid_ids=["chrX"], test_ids=["chr3"])
    with pytest.raises(InputError, match="the train split would be empty"):
        convert_fasta(fa, lab, outputs, split_by="chrom", valid_ids=["chr1"], test_ids=["chr2", "chr3"])
    with pytest.raises(InputError, match="the valid split would be empty"):
        convert_fasta(fa, lab, outputs, valid_fraction=0.0)
    with pytest.raises(InputError, match="held-out id\\(s\\) are not records of the FASTA, e.g. 'nope'"):
        convert_fasta(fa, lab, outputs, split_by="ids", valid_ids=["nope"], test_ids=[ids[0]])
    with pytest.raises(InputError, match="listed as both validation and test"):
        convert_fasta(fa, lab, outputs, split_by="ids", valid_ids=[ids[1]], test_ids=[ids[1]])
    with pytest.raises(InputError, match="held-out lists are given but split_by is 'fraction'"):
        convert_fasta(fa, lab, outputs, valid_ids=[ids[1]])
    with pytest.raises(InputError, match="add up to 1 or more"):
        convert_fasta(fa, lab, outputs, valid_fraction=0.5, test_fraction=0.5)
    assert not any(p.exists() for p in outputs.values())


# ---- the workflow rule ----------------------------------------------------------------------------
def _snakemake(workdir, config, *args):
    (workdir / "cfg.yaml").write_text(yaml.safe_dump(config))
    targets = [f"results/data/{s}.h5" for s in SPLITS]
    return subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--configfile",
                           "cfg.yaml", "-c1", *args, *targets], cwd=workdir, capture_output=True, text=True)


def test_rule_loads_and_a_bad_input_leaves_no_output(case):
    tmp, recs, y, _ = case
    _write_fasta(tmp / "seqs.fa.gz", recs)
    cfg = {"seed": 4, "data": {"source": "fasta", "fasta": {"fasta": str(tmp / "seqs.fa.gz"),
                                                            "labels": str(tmp / "labels.tsv"),
                                                            "valid_fraction": 0.2, "test_fraction": 0.2}}}
    r = _snakemake(tmp, cfg)
    assert r.returncode == 0, r.stdout + r.stderr
    with DataReader(tmp / "results/data/test.h5") as rd:
        assert rd.n == 6 and rd.target_names == ["tA", "tB", "tC"]
    assert "train: 18 sequences x 24 bp" in (tmp / "results/logs/load_data.log").read_text()
    _write_fasta(tmp / "seqs.fa.gz", recs[:-1] + [(recs[-1][0], "ACGTACGTACGTACGTACGTACGZ")])
    r = _snakemake(tmp, cfg, "--forceall")
    assert r.returncode != 0
    assert f"seqs.fa.gz: record '{recs[-1][0]}': letter 'Z' at position 24" in r.stderr
    assert not any((tmp / "results/data").glob("*.h5"))
    r = _snakemake(tmp, {"data": {"source": "fasta", "fasta": {"fasta": str(tmp / "seqs.fa.gz")}}}, "-n")
    assert r.returncode != 0 and "data.fasta.labels is empty" in r.stdout + r.stderr
