"""The DanQ paper's comparisons (danqmotifs.papers.danq.figures, danqmotifs.papers.danq.plot) on small tables."""

import math

import numpy as np
import pytest

from danqmotifs.core.errors import InputError
from danqmotifs.formats.reference import deepsea_classes, read_reference, target_class
from danqmotifs.papers.danq import figures as dq

AUCS_HEADER = ("Cell Type\tTF/DNase/HistoneMark\tTreatment\tDeepSEA ROC AUC\tDanQ ROC AUC\t"
               "DanQ-JASPAR ROC AUC\tDeepSEA PR AUC\tDanQ PR AUC\tDanQ-JASPAR PR AUC")
# five targets: 2 DNase, 2 TF, 1 histone mark; the last PR AUCs are NA
AUCS_ROWS = [
    "8988T\tDNase\tNone\t0.90\t0.91\t0.92\t0.40\t0.41\t0.42",
    "AoSMC\tDNase\tNone\t0.80\t0.85\t0.86\t0.30\t0.35\t0.36",
    "GM12878\tCTCF\tNone\t0.95\t0.96\t0.97\t0.60\t0.62\t0.63",
    "HepG2\tHNF4A\tNone\t0.85\t0.84\t0.88\t0.20\t0.19\t0.25",
    "K562\tH3K4me3\tNone\t0.70\t0.72\t0.71\tNA\tNA\tNA",
]
TARGETS = [f"target_{i:04d}" for i in range(5)]


@pytest.fixture
def aucs_file(tmp_path):
    p = tmp_path / "aucs.txt"
    p.write_text("\n".join([AUCS_HEADER] + AUCS_ROWS) + "\n")
    return p


@pytest.mark.parametrize("mark,cls", [("DNase", "DNase"), ("H3K4me3", "histone"), ("H2A.Z", "histone"),
                                      ("H4K20me1", "histone"), ("CTCF", "TF"), ("HNF4A", "TF"),
                                      ("Pol2-4H8", "TF"), ("histone", "histone")])
def test_target_class(mark, cls):
    assert target_class(mark) == cls


def test_deepsea_classes_only_for_919_targets():
    c = deepsea_classes(919)
    assert c[:125] == ["DNase"] * 125 and c[125:815] == ["TF"] * 690 and c[815:] == ["histone"] * 104
    assert deepsea_classes(918) is None


def test_aucs_layout_read_by_position(aucs_file):
    ref = read_reference(aucs_file, TARGETS)
    assert ref.layout == "aucs" and ref.columns == ["DeepSEA", "DanQ", "DanQ-JASPAR"]
    assert ref.classes == ["DNase", "DNase", "TF", "TF", "histone"]
    np.testing.assert_allclose(ref.auc["roc_auc"]["DanQ"], [0.91, 0.85, 0.96, 0.84, 0.72])
    assert np.isnan(ref.auc["pr_auc"]["DeepSEA"][4]) and ref.auc["pr_auc"]["DeepSEA"][0] == 0.40


def test_class_means_and_shares(aucs_file):
    ref = read_reference(aucs_file, TARGETS)
    model = {"roc_auc": np.array([0.95, 0.80, 0.99, np.nan, 0.75]),
             "pr_auc": np.array([0.50, 0.20, 0.70, 0.30, np.nan])}
    rows = {(r["class"], r["model"]): r for r in dq.class_means(model, ref) if not r["source"].startswith("pub")}
    assert rows[("DNase", "this model")]["mean_roc_auc"] == pytest.approx(0.875)
    assert rows[("TF", "this model")]["mean_roc_auc"] == pytest.approx(0.99)         # NaN left out
    assert rows[("TF", "this model")]["n_roc_auc"] == 1                           # n leaves the NaN out too
    assert rows[("TF", "this model")]["n_pr_auc"] == 2
    assert rows[("histone", "DanQ")]["n_pr_auc"] == 0
    assert rows[("histone", "DanQ")]["mean_pr_auc"] is None                           # all NA
    assert rows[("all", "DeepSEA")]["mean_roc_auc"] == pytest.approx(np.mean([0.9, 0.8, 0.95, 0.85, 0.7]))
    published = [r for r in dq.class_means(model, ref) if r["source"].startswith("published")]
    assert [(r["model"], r["mean_roc_auc"], r["mean_pr_auc"]) for r in published] == [
        ("DeepSEA", 0.9326, 0.3425), ("DanQ", 0.9384, 0.3709), ("DanQ-JASPAR", 0.9417, 0.3794)]
    comp = {(c["reference"], c["metric"]): c for c in dq.comparisons(model, ref)}
    # ROC vs DeepSEA: targets 0, 1, 2, 4 defined; model above for 0 (0.95 > 0.9), 2, 4 -> 3 of 4
    assert comp[("DeepSEA", "roc_auc")]["share_above"] == pytest.approx(0.75)
    assert comp[("DeepSEA", "roc_auc")]["n_targets"] == 4
    assert comp[("DanQ", "pr_auc")]["n_targets"] == 4          # target 4 NA in both, target 3 defined
    assert dq.share_above(np.array([np.nan]), np.array([0.5])) == (None, 0)


def test_motif_counts_from_the_match_summary():
    summary = {"distance": "pearson", "engine": "native", "evalue_threshold": 0.01,
               "methods": {"exact": {"n_matched": 5, "n_motifs": 8}, "heuristic": {"n_matched": 3, "n_motifs": 7}}}
    rows = dq.motif_counts(summary, database="JASPAR 2024 CORE vertebrates")
    assert [(r["method"], r["n_matched"], r["n_motifs"], r["distance"]) for r in rows] == [
        ("exact", 5, 8, "pearson"), ("heuristic", 3, 7, "pearson"), ("heuristic", 163, 320, "pearson")]
    assert rows[-1]["source"].startswith("published")
    # the paper's count is against three databases, this run's against one: said in each row
    assert rows[0]["database"] == "JASPAR 2024 CORE vertebrates"
    assert "Jolma 2013" in rows[-1]["database"] and "UniPROBE" in rows[-1]["database"]
    with pytest.raises(InputError, match="no per-method counts"):
        dq.motif_counts({"distance": "pearson"})


def test_published_meme_matched_against_the_same_database(tmp_path):
    from danqmotifs.core.motif import Motif
    from danqmotifs.formats.meme import write_meme

    rng = np.random.default_rng(3)
    db = [Motif(f"MA{i:04d}.1", rng.dirichlet(np.full(4, 0.2), size=12), name=f"m{i}") for i in range(30)]
    write_meme(tmp_path / "db.meme", db)
    # two published motifs copied from the database, one random, flat one
    published = [Motif("M0", db[4].pwm), Motif("M1", db[17].pwm[::-1, ::-1]), Motif("M2", np.full((10, 4), 0.25))]
    write_meme(tmp_path / "DanQ.meme", published)
    cfg = {"engine": "native", "tomtom_args": "", "distance": "pearson", "evalue_threshold": 0.01}
    row = dq.published_meme_count(tmp_path / "DanQ.meme", tmp_path / "db.meme", cfg)
    assert (row["n_matched"], row["n_motifs"], row["distance"]) == (2, 3, "pearson")
    rows = dq.motif_counts({"methods": {"heuristic": {"n_matched": 1, "n_motifs": 3}}, "distance": "pearson",
                            "evalue_threshold": 0.01}, database="db", published_meme=row)
    assert [r["source"] for r in rows] == ["this run", "published motifs, matched in this run",
                                           "published (DanQ paper)"]
    assert rows[1]["database"] == rows[0]["database"] == "db"


def test_scatter_draws_the_largest_class_first():
    from danqmotifs.papers.danq.plot import draw_auc_scatter
    from danqmotifs.report.plot import figure

    x = np.linspace(0.6, 0.9, 12)
    classes = ["DNase"] * 2 + ["TF"] * 8 + ["histone"] * 2
    _fig, axes = figure(1, 1)
    draw_auc_scatter(axes[0][0], x, x + 0.05, classes)
    order = sorted(axes[0][0].collections, key=lambda c: c.get_zorder())
    assert [c.get_label().split()[0] for c in order] == ["TF", "DNase", "histone"]


def test_model_aucs_table_and_writers(tmp_path):
    t = tmp_path / "test_auc.tsv"
    t.write_text("target\troc_auc\tpr_auc\tn_pos\na\t0.9\t0.5\t3\nb\tNA\tNA\t0\n")
    names, auc = dq.read_model_aucs(t)
    assert names == ["a", "b"] and auc["roc_auc"][0] == 0.9 and math.isnan(auc["pr_auc"][1])
    dq.write_rows([{"x": 1, "y": float("nan"), "z": None}], tmp_path / "r.tsv")
    assert (tmp_path / "r.tsv").read_text() == "x\ty\tz\n1\tNA\tNA\n"
    dq.write_json({"a": float("nan"), "b": [1.5]}, tmp_path / "r.json")
    assert '"a": null' in (tmp_path / "r.json").read_text()
    bad = tmp_path / "bad.tsv"
    bad.write_text("target\tauc\na\t0.5\n")
    with pytest.raises(InputError, match="columns target, roc_auc, pr_auc"):
        dq.read_model_aucs(bad)
    bad.write_text("target\troc_auc\tpr_auc\na\t0.5\thigh\n")          # a cell that is not a number
    with pytest.raises(InputError, match="'high' is not a number") as exc:
        dq.read_model_aucs(bad)
    assert str(bad) in str(exc.value)


def test_scatter_figure(tmp_path, aucs_file):
    from danqmotifs.papers.danq.plot import draw_auc_scatter, plot_auc_scatter
    from danqmotifs.report.plot import figure

    ref = read_reference(aucs_file, TARGETS)
    model = {"roc_auc": np.array([0.95, 0.80, 0.99, 0.83, 0.75]), "pr_auc": np.array([0.5, 0.2, 0.7, 0.3, 0.1])}
    _fig, axes = figure(1, 1)
    share = draw_auc_scatter(axes[0][0], ref.auc["roc_auc"]["DanQ"], model["roc_auc"], ref.classes, "roc_auc", "DanQ")
    assert share == pytest.approx(3 / 5)                     # 0.95>0.91, 0.99>0.96, 0.75>0.72
    assert "60.0% of 5 targets" in axes[0][0].get_title()
    out = tmp_path / "scatter.png"
    plot_auc_scatter(model, ref.auc, ref.columns, out, ref.classes, title="t")
    first = out.read_bytes()
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    plot_auc_scatter(model, ref.auc, ref.columns, out, ref.classes, title="t")
    assert out.read_bytes() == first                         # deterministic bytes
