"""The peaks source (peak files alone, generated negatives) and the dinucleotide shuffle."""

import collections
import itertools
from pathlib import Path

import numpy as np
import pytest

from danqmotifs.core.alphabet import decode, encode
from danqmotifs.core.errors import InputError
from danqmotifs.sources import SOURCES
from danqmotifs.sources.datafile import SPLITS, DataReader
from danqmotifs.sources.peaks import convert_peaks, parse_coordinates, peak_name
from danqmotifs.sources.shuffle import dinucleotide_counts, dinucleotide_shuffle, shuffle_rng

ROOT = Path(__file__).resolve().parents[1]
CHROMS = ["chr1", "chr2", "chr7", "chr8"]


# --- the shuffle -------------------------------------------------------------------------------

def test_shuffle_keeps_dinucleotides_exactly_and_is_seeded():
    rng = np.random.default_rng(5)
    for n in (3, 10, 57, 200):
        s = rng.integers(0, 5, n).astype(np.uint8)
        t = dinucleotide_shuffle(s, shuffle_rng(1, n))
        assert (dinucleotide_counts(t) == dinucleotide_counts(s)).all()
        assert t[0] == s[0] and t[-1] == s[-1]
        assert (dinucleotide_shuffle(s, shuffle_rng(1, n)) == t).all()
    s = encode("ACGTTGCAACGGTACAGGATCCATTAGCGCGATATCCGA" * 3)
    shuffles = {decode(dinucleotide_shuffle(s, shuffle_rng(seed))) for seed in range(20)}
    assert len(shuffles) == 20 and decode(s) not in shuffles


def test_shuffle_draws_every_eulerian_sequence_uniformly():
    s = encode("ACAGCATGCA")
    want = dinucleotide_counts(s)
    valid = {x for x in itertools.product(range(4), repeat=s.size)
             if x[0] == s[0] and (dinucleotide_counts(np.array(x)) == want).all()}
    assert len(valid) > 5
    rng = np.random.default_rng(0)
    n = 300 * len(valid)
    got = collections.Counter(tuple(dinucleotide_shuffle(s, rng).tolist()) for _ in range(n))
    assert set(got) == valid
    counts = np.array(list(got.values()))
    expected = n / len(valid)
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < len(valid) + 6 * np.sqrt(2 * len(valid))    # far inside a uniform draw's spread


# --- the source --------------------------------------------------------------------------------

def _genome(tmp_path, seed=0, size=6000):
    rng = np.random.default_rng(seed)
    seqs = {}
    with open(tmp_path / "genome.fa", "w") as fh:
        for c in CHROMS:
            seqs[c] = "".join(rng.choice(list("ACGT"), size))
            fh.write(f">{c}\n")
            for i in range(0, size, 60):
                fh.write(seqs[c][i:i + 60] + "\n")
    return tmp_path / "genome.fa", seqs


def _peaks_fasta(tmp_path, seqs, starts, name="TF1.fa", width=100):
    with open(tmp_path / name, "w") as fh:
        for c, s in starts:
            fh.write(f">{c}:{s}-{s + width} score\n{seqs[c][s:s + width]}\n")
    return tmp_path / name


def _outs(tmp_path):
    return {s: tmp_path / "out" / f"{s}.h5" for s in SPLITS}


def _read(path):
    """(codes, targets, ids, target names, attributes) of a data file."""
    import h5py

    with DataReader(path) as r:
        seq, y = r.read(0, r.n)
    with h5py.File(path, "r") as f:
        ids = [i.decode() if isinstance(i, bytes) else i for i in f["ids"][:]]
        names = [t.decode() if isinstance(t, bytes) else t for t in f["target_names"][:]]
        return seq, y, ids, names, dict(f.attrs)


STARTS = [("chr1", 500), ("chr1", 2500), ("chr2", 800), ("chr7", 1200), ("chr8", 3000), ("chr8", 400)]


def test_shuffle_negatives_two_targets_chrom_splits(tmp_path):
    genome, seqs = _genome(tmp_path)
    a = _peaks_fasta(tmp_path, seqs, STARTS, "TF1.fa")
    b = _peaks_fasta(tmp_path, seqs, [("chr2", 800), ("chr2", 4000), ("chr7", 100), ("chr8", 5000)], "TF2.fa")
    summary = convert_peaks([a, b], _outs(tmp_path), negatives_per_peak=2, seed=3, width=100)
    assert summary["targets"] == ["TF1", "TF2"]
    seq, y, ids, names, attrs = _read(_outs(tmp_path)["train"])
    assert names == ["TF1", "TF2"] and attrs["negatives"] == "shuffle"
    # chr2:800 is in both files: one sequence labelled for both targets
    assert ids.count("chr2:800-900") == 1 and y[ids.index("chr2:800-900")].tolist() == [1, 1]
    assert y[ids.index("chr1:500-600")].tolist() == [1, 0] and y[ids.index("chr2:4000-4100")].tolist() == [0, 1]
    for k, rid in enumerate(ids):
        if "|shuffle" in rid:
            peak = ids.index(rid.split("|")[0])
            assert y[k].tolist() == [0, 0]
            assert (dinucleotide_counts(seq[k]) == dinucleotide_counts(seq[peak])).all()
            assert decode(seq[peak]) == seqs[rid.split(":")[0]][int(rid.split(":")[1].split("-")[0]):][:100]
    assert sum("|shuffle" in i for i in ids) == 2 * sum("|" not in i for i in ids)
    test_ids = _read(_outs(tmp_path)["test"])[2]
    valid_ids = _read(_outs(tmp_path)["valid"])[2]
    assert all(i.startswith("chr8:") for i in test_ids) and all(i.startswith("chr7:") for i in valid_ids)
    assert summary["counts"]["test"] == (3, 6)
    # same config and seed -> same bytes; another seed -> other shuffles
    first = {s: p.read_bytes() for s, p in _outs(tmp_path).items()}
    convert_peaks([a, b], _outs(tmp_path), negatives_per_peak=2, seed=3, width=100)
    assert all(p.read_bytes() == first[s] for s, p in _outs(tmp_path).items())
    convert_peaks([a, b], _outs(tmp_path), negatives_per_peak=2, seed=4, width=100)
    assert _read(_outs(tmp_path)["train"])[0].tobytes() != _read_bytes_seq(first["train"], tmp_path)


def _read_bytes_seq(data, tmp_path):
    p = tmp_path / "copy.h5"
    p.write_bytes(data)
    return _read(p)[0].tobytes()


def test_bed_peaks_with_flanking_negatives(tmp_path):
    genome, seqs = _genome(tmp_path)
    bed = tmp_path / "CTCF.bed"
    bed.write_text("track name=x\n" + "".join(f"{c}\t{s}\t{s + 60}\tpeak\t9\n" for c, s in STARTS))
    convert_peaks([bed], _outs(tmp_path), genome=genome, negatives="flank", flank_distance=700, width=100)
    seq, y, ids, names, _ = _read(_outs(tmp_path)["train"])
    assert names == ["CTCF"]
    peaks = [i for i in ids if "|" not in i]
    assert peaks[0] == "chr1:480-580"                # centred 100 bp window of chr1:500-560
    for k, rid in enumerate(ids):
        c, s, e = parse_coordinates(rid.split("|")[0])
        assert decode(seq[k]) == seqs[c][s:e]
        if rid.endswith("|flank"):
            assert y[k].tolist() == [0]
            assert not any(c == pc and s < pe and ps < e for pc, ps, pe in
                           (parse_coordinates(p) for p in peaks))
    assert "chr1:1180-1280|flank" in ids             # 700 bp downstream of chr1:480-580


def test_gc_matched_negatives_match_gc_on_the_same_chromosome(tmp_path):
    rng = np.random.default_rng(1)
    # a genome with GC-rich and AT-rich halves: matching must pick the peak's kind
    with open(tmp_path / "genome.fa", "w") as fh:
        seqs = {}
        for c in CHROMS:
            rich = "".join(rng.choice(list("ACGT"), 3000, p=[0.1, 0.4, 0.4, 0.1]))
            poor = "".join(rng.choice(list("ACGT"), 3000, p=[0.4, 0.1, 0.1, 0.4]))
            seqs[c] = rich + poor
            fh.write(f">{c}\n{seqs[c]}\n")
    fa = _peaks_fasta(tmp_path, seqs, [("chr1", 100), ("chr1", 4000), ("chr7", 200), ("chr8", 3500)], width=100)
    convert_peaks([fa], _outs(tmp_path), genome=tmp_path / "genome.fa", negatives="gc",
                  negatives_per_peak=3, gc_tolerance=0.05, seed=2, width=100)
    seq, y, ids, _, _ = _read(_outs(tmp_path)["train"])

    def gc(codes):
        return np.mean((codes == 1) | (codes == 2))

    negs = [k for k, i in enumerate(ids) if i.endswith("|gc")]
    assert len(negs) == 6
    for k in negs:
        peak = max(j for j in range(k) if "|" not in ids[j])
        assert ids[k].split(":")[0] == ids[peak].split(":")[0]
        assert abs(gc(seq[k]) - gc(seq[peak])) <= 0.05
        c, s, e = parse_coordinates(ids[k].split("|")[0])
        assert decode(seq[k]) == seqs[c][s:e]


def test_bad_peak_inputs_name_the_problem(tmp_path):
    genome, seqs = _genome(tmp_path)
    fa = _peaks_fasta(tmp_path, seqs, STARTS, width=100)
    with pytest.raises(InputError, match="genome"):
        convert_peaks([fa], _outs(tmp_path), negatives="flank", width=100)
    bed = tmp_path / "p.bed"
    bed.write_text("chr1\t10\t70\n")
    with pytest.raises(InputError, match="needs a genome"):
        convert_peaks([bed], _outs(tmp_path), width=100)
    bed.write_text("chrZ\t10\t70\n")
    with pytest.raises(InputError, match="chrZ"):
        convert_peaks([bed], _outs(tmp_path), genome=genome, width=100)
    noid = tmp_path / "noid.fa"
    noid.write_text(">peak1\nACGTACGTAC\n>peak2\nACGTTTGTAC\n>peak3\nACGTTTGTAC\n")
    with pytest.raises(InputError, match="not chrom:start-end"):
        convert_peaks([noid], _outs(tmp_path), genome=genome, negatives="gc", width=10, split_by="fraction",
                      valid_fraction=0.34, test_fraction=0.34)
    with pytest.raises(InputError, match="test split would be empty"):
        convert_peaks([fa], _outs(tmp_path), width=100, test_chroms=["chr19"])
    assert not any(p.exists() for p in _outs(tmp_path).values())


def test_registered_and_real_files_convert(tmp_path):
    src = SOURCES["peaks"]
    block = {"peaks": ["a.fa", "b.fa"], "genome": ""}
    assert src.inputs(block) == {"peaks_0": "a.fa", "peaks_1": "b.fa"}
    assert src.missing({"peaks": []}) and not src.missing(block)
    assert peak_name("x/Gm12878.CTCF.top500.w200.fa.gz") == "Gm12878.CTCF.top500.w200"
    real = ROOT / "data" / "real" / "Gm12878.CTCF.top500.w200.fa"
    summary = convert_peaks([real], _outs(tmp_path), names=["CTCF"], seed=1)
    assert sum(p for p, _ in summary["counts"].values()) == 500
    assert summary["counts"]["test"][0] == 28          # 13 on chr8 + 15 on chr9


@pytest.mark.parametrize("name, counts", [("ctcf", "train: 453 peaks + 453 negatives"),
                                          ("p73", "test: 96 peaks + 96 negatives")])
def test_real_configs_load_their_data_in_the_workflow(tmp_path, name, counts):
    """config/real_*.yaml as shipped (paths made absolute): the data rule of the workflow runs."""
    import subprocess
    import sys

    import yaml

    cfg = yaml.safe_load((ROOT / "config" / f"real_{name}.yaml").read_text())
    cfg["data"]["peaks"]["peaks"] = [str(ROOT / p) for p in cfg["data"]["peaks"]["peaks"]]
    cfg["results"] = "results"
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(cfg))
    r = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--configfile",
                        str(ROOT / "config.yaml"), "cfg.yaml", "-c1", *[f"results/data/{s}.h5" for s in SPLITS]],
                       cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert counts in (tmp_path / "results/logs/load_data.log").read_text()
