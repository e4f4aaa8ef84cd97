"""The motif table: ranking, the targets a kernel drives, the matches, faithfulness and logos."""

import numpy as np

from danqmotifs.formats.influence_table import InfluenceResult
from danqmotifs.report.motif_table import driven_targets, kernel_rows, rank_rows, write_motif_table


def _influence():
    dp = np.array([[0.0, 0.0, 0.0], [0.3, 0.01, 0.0], [0.1, 0.0, 0.2]])
    dl = np.array([[0.0, 0.0, 0.0], [-1.0, 0.2, 0.0], [-0.3, 0.0, 0.5]])
    z = np.zeros((3, 3))
    return InfluenceResult(["CTCF", "REST", "SRF"], dp, dl, z, np.full(3, 0.8), np.ones(3), 10, True)


def test_driven_targets_sign_and_order():
    assert driven_targets(np.array([0.3, 0.01, 0.0]), np.array([-1.0, 0.2, 0.0]), ["a", "b", "c"]) == "a(+) b(-)"


def test_rows_ranked_with_matches_faithfulness_and_logos(tmp_path):
    (tmp_path / "kernel_002.png").write_bytes(b"\x89PNG fake")
    best = {"kernel_001": {"target_id": "MA0139.2", "target_name": "CTCF", "q_value": "0.001"}}
    faith = [{"kernel": "1", "corr_exact": "1", "corr_heuristic": "0.9"}, {"kernel": "2", "corr_exact": "1",
                                                                            "corr_heuristic": "NA"}]
    rows = kernel_rows(_influence(), faith, best, tmp_path)
    assert [r["motif"] for r in rows] == ["kernel_001", "kernel_002", "kernel_000"]   # by influence
    assert rows[0]["match_name"] == "CTCF" and rows[0]["match_q"] == 0.001 and rows[0]["targets"] == "CTCF(+) REST(-)"
    assert rows[1]["targets"] == "SRF(-) CTCF(+)" and np.isnan(rows[1]["corr_heuristic"])
    assert rows[1]["logo"].endswith("kernel_002.png") and rows[0]["logo"] == ""
    assert rows[2]["targets"] == "" and rows[2]["match_id"] == ""
    write_motif_table(rows, tmp_path / "t.tsv")
    lines = (tmp_path / "t.tsv").read_text().splitlines()
    assert lines[0].split("\t")[:5] == ["rank", "motif", "replicates", "kernels", "influence"]
    assert "corr_heuristic" in lines[0] and "\tNA\t" in lines[2]


def test_reproducibility_ranks_before_influence():
    rows = rank_rows([dict(motif="a", replicates=1, influence=0.9), dict(motif="b", replicates=3, influence=0.1),
                      dict(motif="c", replicates=3, influence=0.2)])
    assert [r["motif"] for r in rows] == ["c", "b", "a"] and [r["rank"] for r in rows] == [1, 2, 3]
