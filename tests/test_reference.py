"""The one reference AUC table reader (danqmotifs.formats.reference) on tables written here that reproduce
each quirk of DanQ's published aucs.txt: explanatory text in the AUC cells of a target without test
positives, a treatment that reads NA, the same (cell, mark, treatment) triple on several rows, and
numbers written as 9.53E-005."""

import json
import warnings

import numpy as np
import pytest

from danqmotifs.core.errors import InputError
from danqmotifs.formats.reference import (NAME_SEP, ReferenceWarning, check_reference, match_rows, read_reference,
                                  read_table)

HEADER = ("Cell Type\tTF/DNase/HistoneMark\tTreatment\tDeepSEA ROC AUC\tDanQ ROC AUC\t"
          "DanQ-JASPAR ROC AUC\tDeepSEA PR AUC\tDanQ PR AUC\tDanQ-JASPAR PR AUC")
NO_POS = "NA (No positive in Test region)"
ROWS = [
    "8988T\tDNase\tNone\t0.910351436\t0.9132489837\t0.9149074326\t0.4011462495\t0.4184384446\t0.423433222",
    "GM12878\tCTCF\tNone\t0.95\t0.96\t0.97\t0.60\t0.62\t0.63",
    "GM12878\tCTCF\tNone\t0.93\t0.94\t0.95\t0.50\t0.52\t0.53",          # the same triple again
    "GM12878\tPol3\tNone\t0.942061887\t0.9867335502\t0.9623137445\t9.53E-005\t0.0037484529\t0.0001098919",
    "HepG2\tSREBP1\tNA\t0.85\t0.84\t0.88\t0.20\t0.19\t0.25",            # treatment NA: a name
    "K562\tBRF1\tNone\t" + "\t".join([NO_POS] * 6),                      # no test positives
    "K562\tH3K4me3\tNone\t0.70\t0.72\t0.71\t0.30\t0.31\t0.32",
]
GENERATED = [f"target_{i:04d}" for i in range(len(ROWS))]


def names_of(rows):
    return [NAME_SEP.join(r.split("\t")[:3]) for r in rows]


@pytest.fixture
def aucs(tmp_path):
    p = tmp_path / "aucs.txt"
    p.write_text("\n".join([HEADER] + ROWS) + "\n")
    return p


def test_explanatory_text_is_missing_counted_and_named(aucs):
    with pytest.warns(ReferenceWarning) as rec:
        table = read_table(aucs)
    msg = str(rec[0].message)
    assert "6 AUC cells on 1 rows are not numbers" in msg
    assert "rows 7 (K562|BRF1|None)" in msg and repr(NO_POS) in msg
    assert table.layout == "aucs" and table.columns == ["DeepSEA", "DanQ", "DanQ-JASPAR"]
    assert all(np.isnan(table.auc[m][c][5]) for m in ("roc_auc", "pr_auc") for c in table.columns)
    assert table.auc["pr_auc"]["DeepSEA"][3] == pytest.approx(9.53e-5)       # E-notation read
    assert table.summary()["missing_rows"] == [7] and table.summary()["n_missing_cells"] == 6


def test_na_treatment_is_a_name_and_triples_repeat(aucs):
    with pytest.warns(ReferenceWarning):
        table = read_table(aucs)
    assert table.names[4] == "HepG2|SREBP1|NA"
    assert table.names[1] == table.names[2] == "GM12878|CTCF|None"
    assert np.isfinite(table.auc["roc_auc"]["DanQ"][4])                     # row kept, not missing


def test_position_match_for_unnamed_targets_with_count_check(aucs):
    with pytest.warns(ReferenceWarning):
        ref = read_reference(aucs, GENERATED)
    assert ref.matched_by == "position" and ref.n_matched == len(ROWS)
    assert ref.classes == ["DNase", "TF", "TF", "TF", "TF", "TF", "histone"]
    np.testing.assert_allclose(ref.auc["roc_auc"]["DanQ"][[1, 2]], [0.96, 0.94])
    with pytest.warns(ReferenceWarning), pytest.raises(InputError, match="7 rows, but the model has 6 targets"):
        read_reference(aucs, GENERATED[:6])


def test_name_match_takes_repeated_triples_in_order(aucs):
    names = names_of(ROWS)
    # the model's targets in another order, the repeated triple twice, one target the table lacks
    targets = [names[6], names[1], "HeLa|CTCF|None", names[2], names[4], names[0]]
    with pytest.warns(ReferenceWarning) as rec:
        ref = read_reference(aucs, targets)
    assert ref.matched_by == "name" and ref.n_matched == 5
    roc = ref.auc["roc_auc"]["DanQ"]
    np.testing.assert_allclose(roc[[0, 1, 3, 4, 5]], [0.72, 0.96, 0.94, 0.84, 0.9132489837])
    assert np.isnan(roc[2]) and ref.classes[2] == "unknown"
    assert any("1 of 6 targets have no row of that name: HeLa|CTCF|None" in str(w.message) for w in rec)


def test_named_targets_without_a_common_name_fail(aucs):
    with pytest.warns(ReferenceWarning), pytest.raises(InputError, match="no row name of the table"):
        read_reference(aucs, [f"CTCF_{i}" for i in range(len(ROWS))])


@pytest.mark.parametrize("text,match", [
    ("target\troc_auc\nx\tNA\ny\tno positives\n", "no AUC cell of the table holds a number"),
    ("target\troc_auc\ntarget_0000\t1.5\n", "outside"),
    ("name\tauc\ntarget_0000\t0.5\n", "neither the aucs.txt layout"),
    (HEADER + "\n8988T\tDNase\tNone\t0.9\n", "line 2 has 4 tab-separated fields, the header 9"),
    ("", "empty"),
    ("target\troc_auc\n", "no rows"),
])
def test_bad_tables(tmp_path, text, match):
    p = tmp_path / "ref.tsv"
    p.write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReferenceWarning)
        with pytest.raises(InputError, match=match):
            read_table(p)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_table(tmp_path / "none.txt")


def test_plain_tsv_by_name_and_by_position(tmp_path):
    p = tmp_path / "ref.tsv"
    p.write_text("target\troc_auc\tpr_auc\tclass\ntarget_0003\t0.5\t0.1\tTF\ntarget_0000\t0.9\tNA\tDNase\n"
                 "other\t0.7\t0.2\tTF\n")
    with pytest.warns(ReferenceWarning):
        ref = read_reference(p, GENERATED[:5])                # shares names -> by name
    roc = ref.auc["roc_auc"]["reference"]
    assert ref.matched_by == "name" and roc[0] == 0.9 and roc[3] == 0.5 and np.isnan(roc[1])
    assert ref.classes == ["DNase", "unknown", "unknown", "TF", "unknown"]
    assert ref.as_dict(GENERATED[:5]) == {"target_0000": {"roc_auc": 0.9, "pr_auc": pytest.approx(np.nan, nan_ok=True)},
                                          "target_0003": {"roc_auc": 0.5, "pr_auc": 0.1}}
    q = tmp_path / "byorder.tsv"
    q.write_text("roc_auc\n0.1\n0.2\n0.3\n")
    ref = read_reference(q, ["x", "y", "z"])
    assert ref.matched_by == "position" and ref.auc["roc_auc"]["reference"][2] == 0.3
    with pytest.raises(InputError, match="3 rows, but the model has 2 targets"):
        read_reference(q, ["x", "y"])


def test_check_reference_summary(aucs):
    with pytest.warns(ReferenceWarning):
        info = check_reference(aucs, GENERATED)
    json.dumps(info)
    assert info["matched_by"] == "position" and info["n_rows"] == 7 and info["n_usable"]["roc_auc"]["DanQ"] == 6
    with pytest.warns(ReferenceWarning):
        rows, how = match_rows(read_table(aucs), GENERATED)
    assert how == "position" and rows.tolist() == list(range(7))


def test_expected_target_names_from_the_inputs(tmp_path):
    from danqmotifs.sources.targets import expected_target_names
    from helpers.deepsea import write_mat5

    codes = np.zeros((4, 20), np.uint8)
    write_mat5(tmp_path / "test.mat", "test", codes, np.zeros((4, 3), np.uint8))
    assert expected_target_names("deepsea", {"test_mat": str(tmp_path / "test.mat")}) == \
        ["target_0000", "target_0001", "target_0002"]
    (tmp_path / "names.txt").write_text("a|DNase|None\nb|CTCF|NA\nc|H3K4me3|None\n")
    assert expected_target_names("deepsea", {"test_mat": str(tmp_path / "test.mat"),
                                             "target_names": str(tmp_path / "names.txt")})[1] == "b|CTCF|NA"
    (tmp_path / "labels.tsv").write_text("id\tx\ty\nr1\t0\t1\n")
    assert expected_target_names("fasta", {"labels": str(tmp_path / "labels.tsv")}) == ["x", "y"]
    assert expected_target_names("bed", {"bed": "x.bed"}) is None
