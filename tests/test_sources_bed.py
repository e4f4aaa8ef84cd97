"""The bed source: labelled regions, fixed-width windows cut from a genome, split by chromosome."""

import gzip
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from danqmotifs.core.alphabet import decode
from danqmotifs.core.errors import InputError
from danqmotifs.sources.bed import SPLITS, center_windows, convert_bed, read_bed
from danqmotifs.sources.datafile import DataReader

ROOT = Path(__file__).resolve().parents[1]
CHROMS = [f"chr{i}" for i in range(1, 11)]


def _genome(tmp_path, seed=0):
    """Random chromosomes (soft-masked stretches and N included), 60 bp lines."""
    rng = np.random.default_rng(seed)
    seqs = {}
    with open(tmp_path / "genome.fa", "w") as fh:
        for k, c in enumerate(CHROMS):
            s = np.array(list("".join(rng.choice(list("ACGT"), 400 + 37 * k))))
            s[50:80] = np.char.lower(s[50:80])
            s[10:14] = "N"
            seqs[c] = "".join(s)
            fh.write(f">{c} assembled\n")
            for i in range(0, len(seqs[c]), 60):
                fh.write(seqs[c][i:i + 60] + "\n")
    return tmp_path / "genome.fa", seqs


def _bed(tmp_path, rows, header="#chrom\tstart\tend\tCTCF\tDNase", name="regions.bed"):
    text = (header + "\n" if header else "") + "\n".join("\t".join(str(v) for v in r) for r in rows) + "\n"
    (tmp_path / name).write_text(text)
    return tmp_path / name


def _rows():
    rows = []
    for k, c in enumerate(CHROMS):
        rows.append((c, 150, 190, k % 2, 1))
        rows.append((c, 200 + k, 260 + k, 1, 0))
    return rows


def _outs(tmp_path):
    return {s: tmp_path / "out" / f"{s}.h5" for s in SPLITS}


def test_windows_are_centred():
    ws, we = center_windows(np.array([100, 100, 0]), np.array([200, 201, 1]), 10)
    assert ws.tolist() == [145, 145, -5] and (we - ws).tolist() == [10, 10, 10]


def test_windows_labels_ids_and_chromosome_split(tmp_path):
    genome, seqs = _genome(tmp_path)
    bed = _bed(tmp_path, _rows())
    summary = convert_bed(bed, genome, _outs(tmp_path), width=100, test_chroms=["chr8", "chr9"], valid_chroms=["chr7"])
    assert summary == {"n": 20, "targets": 2, "train": 14, "valid": 2, "test": 4}
    rows = {(c, s, e): (a, b) for c, s, e, a, b in _rows()}
    for split, chroms in {"train": set(CHROMS) - {"chr7", "chr8", "chr9"}, "valid": {"chr7"},
                          "test": {"chr8", "chr9"}}.items():
        with DataReader(_outs(tmp_path)[split]) as r:
            x, t = r.read(0, r.n)
            ids = list(r.ids.asstr()[:])
            assert r.target_names == ["CTCF", "DNase"] and r.length == 100
            assert r._f.attrs["source"] == "bed"
        assert {i.split(":")[0] for i in ids} == chroms
        for i, xc, tc in zip(ids, x, t):
            c, span = i.split(":")
            ws, we = map(int, span.split("-"))
            assert we - ws == 100
            assert decode(xc) == seqs[c][ws:we].upper()
            region = next(k for k in rows if k[0] == c and (k[1] + k[2]) // 2 - 50 == ws)
            assert tuple(tc) == rows[region]


def test_header_optional_gzip_and_track_lines(tmp_path):
    genome, seqs = _genome(tmp_path)
    text = "track name=x\nbrowser position chr1\n# a comment\n" + "\n".join(
        "\t".join(map(str, r)) for r in _rows()) + "\n"
    with gzip.open(tmp_path / "r.bed.gz", "wt") as fh:
        fh.write(text)
    convert_bed(tmp_path / "r.bed.gz", genome, _outs(tmp_path), width=50)
    with DataReader(_outs(tmp_path)["test"]) as r:
        assert r.target_names == ["target_0000", "target_0001"] and r.n == 4


def test_region_past_the_chromosome_end(tmp_path):
    genome, seqs = _genome(tmp_path)
    n1 = len(seqs["chr1"])
    bed = _bed(tmp_path, _rows() + [("chr1", n1 - 20, n1 + 5, 1, 1)])
    with pytest.raises(InputError, match=rf"regions.bed: line 22 \('chr1\t{n1 - 20}\t{n1 + 5}\t1\t1'\): the region "
                                         rf"ends at {n1 + 5}, past the end of chr1 \({n1} bp\)"):
        convert_bed(bed, genome, _outs(tmp_path), width=10)
    bed = _bed(tmp_path, _rows() + [("chr1", n1 - 30, n1 - 10, 1, 1)])
    with pytest.raises(InputError, match=r"line 22 .*its 100 bp window chr1:\d+-\d+ runs off chr1.*lower data.bed.width"):
        convert_bed(bed, genome, _outs(tmp_path), width=100)
    bed = _bed(tmp_path, [("chr1", 0, 10, 1, 1)] + _rows())
    with pytest.raises(InputError, match=r"line 2 .*window chr1:-45-55 runs off chr1"):
        convert_bed(bed, genome, _outs(tmp_path), width=100)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_unknown_chromosome(tmp_path):
    genome, _ = _genome(tmp_path)
    bed = _bed(tmp_path, _rows() + [("1", 100, 200, 0, 0)])
    with pytest.raises(InputError, match=r"line 22 .*chromosome '1' is not in the genome .*genome.fa "
                                         r"\(it has chr1, chr2, .*check 'chr1' against '1' naming"):
        convert_bed(bed, genome, _outs(tmp_path), width=60)


@pytest.mark.parametrize("rows,header,msg", [
    ([], "#chrom\tstart\tend\tA", "the BED holds no regions"),
    ([("chr1", 10, 20)], None, r"line 1 .*3 columns; labels are missing"),
    ([("chr1", 10, 20, "peak1", 0)], None, r"line 1 .*the label value 'peak1' is not 0 or 1"),
    ([("chr1", 10, 20, 1, 0), ("chr2", 10, 20, 1)], None, r"line 2 .*1 label columns where 2 were expected"),
    ([("chr1", 10, 20, 1)], "#chrom\tstart\tend\tA\tB", r"line 2 .*1 label columns where 2 were expected"),
    ([("chr1", 30, 20, 1)], None, r"line 1 .*the region 30-20 is empty or negative"),
    ([("chr1", "ten", 20, 1)], None, r"line 1 .*start and end must be integers"),
    ([("chr1", 10, 20, 2)], None, r"the label value '2' is not 0 or 1"),
])
def test_bad_bed_lines(tmp_path, rows, header, msg):
    bed = _bed(tmp_path, rows, header=header)
    if not rows:
        bed.write_text(header + "\n\n")
    with pytest.raises(InputError, match=msg):
        read_bed(bed)


def test_empty_split_and_overlapping_lists(tmp_path):
    genome, _ = _genome(tmp_path)
    rows = [r for r in _rows() if r[0] != "chr7"]
    bed = _bed(tmp_path, rows)
    with pytest.raises(InputError, match=r"data.bed.valid_chroms: the valid split would be empty: no region lies on "
                                         r"chr7 \(the BED has regions on chr1, chr10, chr2"):
        convert_bed(bed, genome, _outs(tmp_path))
    with pytest.raises(InputError, match=r"data.bed.valid_chroms: the valid split would be empty: no chromosome is listed"):
        convert_bed(bed, genome, _outs(tmp_path), valid_chroms=[])
    with pytest.raises(InputError, match=r"the train split would be empty: every region lies on a held-out chromosome"):
        convert_bed(bed, genome, _outs(tmp_path), valid_chroms=CHROMS[:5], test_chroms=CHROMS[5:])
    with pytest.raises(InputError, match="chr8 listed for both validation and test"):
        convert_bed(bed, genome, _outs(tmp_path), valid_chroms=["chr8"])
    assert not (tmp_path / "out").exists()


def test_iupac_codes_become_n_other_letters_fail(tmp_path):
    (tmp_path / "g.fa").write_text(">chr1\n" + "ACGTRYACGT" * 10 + "\n>chr7\n" + "A" * 100 + "\n>chr8\n" + "C" * 40 + "X" + "C" * 59 + "\n")
    bed = _bed(tmp_path, [("chr1", 20, 40, 1, 0), ("chr7", 20, 40, 0, 1), ("chr8", 20, 40, 1, 1)])
    with pytest.raises(InputError, match=r"g.fa: chr8:41 \(1-based\) has the letter 'X'"):
        convert_bed(bed, tmp_path / "g.fa", _outs(tmp_path), width=60)
    assert not any(p.exists() for p in _outs(tmp_path).values())
    (tmp_path / "g.fa").write_text(">chr1\n" + "ACGTRYACGT" * 10 + "\n>chr7\n" + "A" * 100 + "\n>chr8\n" + "C" * 100 + "\n")
    os.remove(tmp_path / "g.fa.fai")
    convert_bed(bed, tmp_path / "g.fa", _outs(tmp_path), width=20)
    with DataReader(_outs(tmp_path)["train"]) as r:
        assert decode(r.read(0, 1)[0][0]) == "ACGTNNACGTACGTNNACGT"


def test_genome_in_a_read_only_directory(tmp_path, monkeypatch):
    """Without write access beside the genome, the .fai index is built in a temporary directory."""
    d = tmp_path / "ro"
    d.mkdir()
    genome, seqs = _genome(d)
    bed = _bed(tmp_path, _rows())
    import danqmotifs.sources.bed as bedmod

    real_access = os.access
    monkeypatch.setattr(bedmod.os, "access", lambda p, mode: False if Path(p) == d else real_access(p, mode))
    convert_bed(bed, genome, _outs(tmp_path), width=40)
    assert not (d / "genome.fa.fai").exists()
    with DataReader(_outs(tmp_path)["test"]) as r:
        i = r.ids.asstr()[0]
        c, span = i.split(":")
        ws, we = map(int, span.split("-"))
        assert decode(r.read(0, 1)[0][0]) == seqs[c][ws:we].upper()


def test_genome_problems(tmp_path):
    bed = _bed(tmp_path, _rows())
    with pytest.raises(InputError, match="the genome FASTA does not exist"):
        convert_bed(bed, tmp_path / "nope.fa", _outs(tmp_path))
    with gzip.open(tmp_path / "g.fa.gz", "wt") as fh:
        fh.write(">chr1\nACGT\n")
    with pytest.raises(InputError, match=r"g.fa.gz: cannot index the genome with pyfaidx.*bgzip"):
        convert_bed(bed, tmp_path / "g.fa.gz", _outs(tmp_path))


# ---- the workflow rule ----------------------------------------------------------------------------
def _snakemake(workdir, config, *args):
    (workdir / "cfg.yaml").write_text(yaml.safe_dump(config))
    targets = [f"results/data/{s}.h5" for s in SPLITS]
    return subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--configfile",
                           "cfg.yaml", "-c1", *args, *targets], cwd=workdir, capture_output=True, text=True)


def test_rule_loads_and_a_bad_input_leaves_no_output(tmp_path):
    genome, seqs = _genome(tmp_path)
    bed = _bed(tmp_path, _rows())
    cfg = {"data": {"source": "bed", "bed": {"bed": str(bed), "genome": str(genome), "width": 80}}}
    r = _snakemake(tmp_path, cfg)
    assert r.returncode == 0, r.stdout + r.stderr
    with DataReader(tmp_path / "results/data/valid.h5") as rd:
        assert rd.n == 2 and rd.length == 80
    assert "test: 4 sequences" in (tmp_path / "results/logs/load_data.log").read_text()
    n1 = len(seqs["chr1"])
    _bed(tmp_path, _rows() + [("chr1", n1 - 5, n1 + 50, 1, 1)])
    r = _snakemake(tmp_path, cfg, "--forceall")
    assert r.returncode != 0
    assert f"regions.bed: line 22 ('chr1\t{n1 - 5}\t{n1 + 50}\t1\t1'): the region ends at {n1 + 50}" in r.stderr
    assert not any((tmp_path / "results/data").glob("*.h5"))
