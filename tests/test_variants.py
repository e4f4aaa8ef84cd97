"""Variant effects (danqmotifs.model.variants, the score-variants command) on a small genome and VCF
written here: SNVs, an insertion, a deletion, a multi-allelic line, a variant at a chromosome's
start, a REF mismatch, a chromosome the genome lacks and a symbolic allele; plain and bgzipped."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from danqmotifs.cli.variants import main as variants_main
from danqmotifs.core.alphabet import decode, encode
from danqmotifs.core.errors import InputError
from danqmotifs.model import ModelSpec, build_model
from danqmotifs.model.modelio import make_predictor, predict_codes
from danqmotifs.model.variants import VariantWarning, iter_vcf, log_odds, score_vcf, windows
from danqmotifs.sources.bed import open_genome

W = 40
rng = np.random.default_rng(7)
CHR = {"chr1": "".join(rng.choice(list("ACGT"), 300)), "chr2": "".join(rng.choice(list("ACGT"), 120))}


def vcf_lines():
    c1 = CHR["chr1"]
    return [
        "##fileformat=VCFv4.2",
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
        f"chr1\t101\trs1\t{c1[100]}\t{'A' if c1[100] != 'A' else 'C'}\t.\tPASS\t.",          # SNV
        f"chr1\t151\tins\t{c1[150]}\t{c1[150]}TTT\t.\tPASS\t.",                           # insertion
        f"chr1\t201\tdel\t{c1[200:205]}\t{c1[200]}\t.\tPASS\t.",                          # deletion
        f"chr1\t51\tmulti\t{c1[50]}\tA,C,G,T\t.\tPASS\t.",                                # multi-allelic (one = REF)
        f"chr2\t3\tedge\t{CHR['chr2'][2]}\t{'G' if CHR['chr2'][2] != 'G' else 'T'}\t.\tPASS\t.",  # near the start
        f"chr1\t120\tbadref\t{'A' if c1[119] != 'A' else 'C'}\tG\t.\tPASS\t.",           # REF mismatch
        "chrX\t10\tnochrom\tA\tG\t.\tPASS\t.",                                            # unknown chromosome
        "chr1\t130\tsv\tA\t<DEL>\t.\tPASS\t.",                                            # symbolic
    ]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("variants")
    (d / "genome.fa").write_text("".join(f">{k}\n" + "\n".join(s[i:i + 60] for i in range(0, len(s), 60)) + "\n"
                                         for k, s in CHR.items()))
    (d / "calls.vcf").write_text("\n".join(vcf_lines()) + "\n")
    keras.utils.set_random_seed(0)
    model = build_model(ModelSpec(kernels=4, kernel_width=6, pool=5, lstm_units=3, dense_units=5, n_targets=3,
                                  length=W))
    model.save(d / "m.keras")
    (d / "targets.txt").write_text("ta\ntb\ntc\n")
    return d, model


def test_windows_centre_the_variant_and_apply_the_allele(files):
    d, _ = files
    g = open_genome(d / "genome.fa")
    lengths = {k: len(v) for k, v in CHR.items()}
    vs = {v.id + ":" + v.alt: v for v in iter_vcf(d / "calls.vcf")}
    c1 = CHR["chr1"]
    snv = vs[f"rs1:{'A' if c1[100] != 'A' else 'C'}"]
    ref, alt = windows(g, lengths, snv, W)
    assert decode(ref) == c1[80:120] and decode(alt) == c1[80:100] + snv.alt + c1[101:120]
    ref, alt = windows(g, lengths, vs[f"ins:{c1[150]}TTT"], W)
    assert decode(alt) == c1[130:150] + c1[150] + "TTT" + c1[151:167]
    ref, alt = windows(g, lengths, vs[f"del:{c1[200]}"], W)
    assert decode(ref) == c1[180:220] and decode(alt) == c1[180:200] + c1[200] + c1[205:224]
    edge = next(v for v in vs.values() if v.id == "edge")
    ref, alt = windows(g, lengths, edge, W)
    assert decode(ref) == "N" * 18 + CHR["chr2"][:22]                 # N before the chromosome's start
    assert windows(g, lengths, next(v for v in vs.values() if v.id == "badref"), W)[0] == "ref_mismatch"
    assert windows(g, lengths, next(v for v in vs.values() if v.id == "nochrom"), W)[0] == "unknown_chrom"
    g.close()


@pytest.mark.parametrize("compressed", [False, True])
def test_scores_tsv_and_h5_agree_with_direct_predictions(files, tmp_path, compressed):
    d, model = files
    vcf = d / "calls.vcf"
    if compressed:
        bgzf = pytest.importorskip("Bio.bgzf")
        vcf = tmp_path / "calls.vcf.gz"
        with bgzf.BgzfWriter(str(vcf), "wb") as fh:
            fh.write((d / "calls.vcf").read_bytes())
    with pytest.warns(VariantWarning, match="4 variants not scored \\(1 REF mismatches, 1 on chromosomes the genome "
                      "lacks, 2 unsupported"):
        counts = score_vcf(d / "m.keras", vcf, d / "genome.fa", tmp_path / "e.tsv", tmp_path / "e.h5",
                           tmp_path / "skipped.tsv", batch_size=3, chunk=2, log=lambda m: None)
    # rs1, ins, del, multi x 3 (the ALT equal to REF is unsupported), edge = 7 scored
    assert counts == {"scored": 7, "ref_mismatch": 1, "unknown_chrom": 1, "unsupported": 2}
    skipped = (tmp_path / "skipped.tsv").read_text().splitlines()
    assert skipped[0].split("\t") == ["chrom", "pos", "id", "ref", "alt", "line", "reason"]
    assert {r.split("\t")[2] for r in skipped[1:]} == {"badref", "nochrom", "sv", "multi"}
    assert any("but the genome has" in r for r in skipped[1:])
    with h5py.File(tmp_path / "e.h5") as f:
        ids = [x.decode() for x in f["id"][()]]
        ref, alt = f["ref_prob"][()], f["alt_prob"][()]
        np.testing.assert_allclose(f["abs_diff"][()], np.abs(alt - ref), atol=1e-6)
        np.testing.assert_allclose(f["log_odds_diff"][()], log_odds(alt) - log_odds(ref), rtol=1e-4, atol=1e-4)
        assert [t.decode() for t in f["target_names"][()]] == ["ta", "tb", "tc"]
    assert ids == ["rs1", "ins", "del", "multi", "multi", "multi", "edge"]
    # the reference window of rs1 predicted directly, reverse-complement averaged
    c1 = CHR["chr1"]
    direct = predict_codes(make_predictor(model, True), encode(c1[80:120])[None], 1)
    np.testing.assert_allclose(ref[0], direct[0], atol=1e-6)
    rows = (tmp_path / "e.tsv").read_text().splitlines()
    assert rows[0].split("\t") == ["chrom", "pos", "id", "ref", "alt", "target", "ref_prob", "alt_prob", "abs_diff",
                                   "log_odds_diff"]
    assert len(rows) == 1 + 7 * 3
    first = rows[1].split("\t")
    assert first[:3] == ["chr1", "101", "rs1"] and first[5] == "ta"
    assert float(first[6]) == pytest.approx(float(ref[0, 0]), rel=1e-5)


def test_same_settings_same_bytes_and_chunking_within_float_noise(files, tmp_path):
    d, _ = files
    for name, c in (("a", 1), ("b", 1), ("c", 100)):
        with pytest.warns(VariantWarning):
            score_vcf(d / "m.keras", d / "calls.vcf", d / "genome.fa", tmp_path / f"{name}.tsv", None, None,
                      batch_size=4, chunk=c, log=lambda m: None)
    assert (tmp_path / "a.tsv").read_bytes() == (tmp_path / "b.tsv").read_bytes()

    def values(name):
        return np.array([[float(x) for x in r.split("\t")[6:]] for r in (tmp_path / name).read_text().splitlines()[1:]])

    # other chunks put other windows in one batch: the same numbers up to TensorFlow's float noise
    np.testing.assert_allclose(values("a.tsv"), values("c.tsv"), atol=1e-5)


def test_cli_and_bad_inputs(files, tmp_path, capsys):
    d, _ = files
    assert variants_main(["--model", str(d / "m.keras"), "--vcf", str(d / "calls.vcf"), "--genome",
                          str(d / "genome.fa"), "--h5", str(tmp_path / "o.h5"), "--no-reverse-complement"]) == 0
    err = capsys.readouterr().err
    assert "scored 7 variants" in err and "warning:" in err
    assert (tmp_path / "o.skipped.tsv").exists()
    (tmp_path / "short.vcf").write_text("chr1\t5\tx\tA\n")
    assert variants_main(["--model", str(d / "m.keras"), "--vcf", str(tmp_path / "short.vcf"), "--genome",
                          str(d / "genome.fa"), "--tsv", str(tmp_path / "x.tsv")]) == 2
    assert "fewer than 5" in capsys.readouterr().err and not (tmp_path / "x.tsv").exists()
    (tmp_path / "other.vcf").write_text("1\t5\tx\tA\tG\n2\t9\ty\tC\tT\n")
    with pytest.warns(VariantWarning), pytest.raises(InputError, match="no variant is on a chromosome of the genome"):
        score_vcf(d / "m.keras", tmp_path / "other.vcf", d / "genome.fa", tmp_path / "y.tsv", log=lambda m: None)
    assert not (tmp_path / "y.tsv").exists()
    assert variants_main(["--model", str(d / "m.keras"), "--vcf", str(d / "calls.vcf"), "--genome",
                          str(d / "genome.fa")]) == 2


def test_rule_scores_a_vcf_with_an_imported_model(files, tmp_path):
    """The score_variants rule (variants.vcf) on the model given as model.file, the same bytes as the
    command's TSV."""
    import subprocess
    import sys
    from pathlib import Path

    import yaml

    d, _ = files
    repo = Path(__file__).resolve().parents[1]
    cfg = {"results": "out", "train": {"threads": 1},
           "data": {"simulate": {"motif_ids": ["MA0139.2", "MA0080.7", "MA0114.5"], "length": W, "n_train": 20,
                                 "n_valid": 10, "n_test": 10, "pairs": []}},
           "model": {"source": "file", "file": str(d / "m.keras")},
           "variants": {"vcf": str(d / "calls.vcf"), "genome": str(d / "genome.fa"), "chunk": 3, "batch_size": 4}}
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(cfg))
    res = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(repo / "Snakefile"), "-d", str(tmp_path),
                          "--configfile", str(tmp_path / "cfg.yaml"), "--cores", "1", "--nolock",
                          "out/variants/effects.tsv"], capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    log = (tmp_path / "out/logs/score_variants.log").read_text()
    assert "7 variants scored" in log and "1 REF mismatches" in log
    rows = (tmp_path / "out/variants/effects.tsv").read_text().splitlines()
    assert len(rows) == 1 + 7 * 3
    names = (tmp_path / "out/model/targets.txt").read_text().split()
    assert {r.split("\t")[5] for r in rows[1:]} == set(names)
    with h5py.File(tmp_path / "out/variants/effects.h5") as f:
        assert f["ref_prob"].shape == (7, 3)


def test_published_layout_model_scores_variants(files, tmp_path):
    """DanQ's published weights layout (a small random file) through score-variants, with --length and
    --pool as for predict: the same numbers as the model the loader builds."""
    from danqmotifs.model.modelio import load_model
    from helpers.published import random_published_weights, write_published_weights

    d, _ = files
    w = random_published_weights(np.random.default_rng(2), kernels=4, kernel_width=6, lstm_units=3,
                                 pooled_length=(W - 6 + 1) // 5, dense_units=5, n_targets=2)
    write_published_weights(tmp_path / "DanQ_bestmodel.hdf5", w)
    assert variants_main(["--model", str(tmp_path / "DanQ_bestmodel.hdf5"), "--vcf", str(d / "calls.vcf"),
                          "--genome", str(d / "genome.fa"), "--h5", str(tmp_path / "p.h5"), "--length", str(W),
                          "--pool", "5"]) == 0
    model = load_model(tmp_path / "DanQ_bestmodel.hdf5", length=W, pool=5)
    with h5py.File(tmp_path / "p.h5") as f:
        ref = f["ref_prob"][()]
        assert [t.decode() for t in f["target_names"][()]] == ["target_0000", "target_0001"]
    c1 = CHR["chr1"]
    np.testing.assert_allclose(ref[0], predict_codes(make_predictor(model, True), encode(c1[80:120])[None], 1)[0],
                               atol=1e-6)
