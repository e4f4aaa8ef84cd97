"""The k2p simulation's faster paths give the numbers the slower ones gave: rows of a small JASPAR
subset against the rows the code wrote before the speed changes (tests/data/
k2p_rows_before_speedup.tsv, written by commit 27763f6's run_chunk with the settings below; on the
machine that wrote it the new rows are byte-identical), the fixed-draw columns unchanged without the
random starts, the per-fit Newton iterations against fits run one at a time, the vectorised data
draws at the edges, and the chunk's matrices taken from the collection read once."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from danqmotifs.papers.k2p.simulation import paper, plr
from danqmotifs.papers.k2p.simulation.plot import heldout_figure
from danqmotifs.papers.k2p.simulation.run import run_chunk, write_rows
from danqmotifs.papers.k2p.simulation.select import chunk_motifs, data_indices
from danqmotifs.papers.k2p.simulation.settings import Settings
from danqmotifs.papers.k2p.simulation.stats import summarize
from danqmotifs.sources.jaspar import fetch_collection, fetch_motifs

BEFORE = Path(__file__).parent / "data" / "k2p_rows_before_speedup.tsv"
IDS = ["MA0139.1", "MA0004.1", "MA0018.2", "MA0592.2"]       # 19, 6, 8 and 11 bp
SETTINGS = Settings(n_positive=400, n_negative=400, length=30, max_epochs=12)


@pytest.fixture(scope="module")
def jaspar2016():
    return fetch_collection("JASPAR2016", "CORE", None)


@pytest.fixture(scope="module")
def rows_both(jaspar2016):
    motifs = chunk_motifs(IDS, jaspar2016, "JASPAR2016")
    idx = data_indices(motifs, jaspar2016)
    quiet = dict(threads=1, log=lambda s: None)
    return (run_chunk(motifs, SETTINGS, 1, indices=idx, **quiet),
            run_chunk(motifs, SETTINGS, 1, indices=idx, random_starts=False, **quiet))


def _read(path):
    return pd.read_csv(path, sep="\t", dtype={"matrix_id": str, "name": str}, keep_default_na=False,
                       na_values=["NaN", "nan"])


def test_rows_equal_the_rows_before_the_speed_changes(rows_both, tmp_path):
    write_rows(rows_both[0], tmp_path / "now.tsv")
    now, before = _read(tmp_path / "now.tsv"), _read(BEFORE)
    assert list(now.columns) == list(before.columns)
    # the table holds 6 significant digits; another CPU type may move a last bit of the float64
    # arithmetic, never a chosen lambda, an epoch count or a site count
    pd.testing.assert_frame_equal(now, before, check_exact=False, rtol=1e-5)
    for col in [c for c in before.columns if c.startswith(("lambda_", "epochs_", "best_epoch_", "nsites_"))]:
        assert now[col].tolist() == before[col].tolist(), col


def test_without_random_starts_the_fixed_columns_are_the_same(rows_both, tmp_path):
    both, fixed_only = rows_both
    for a, b in zip(both, fixed_only):
        assert not any("random" in k for k in b)
        assert b == {k: v for k, v in a.items() if k in b} and set(b) == {k for k in a if "random" not in k}
    table = pd.DataFrame(fixed_only)
    summ = summarize(table, bootstrap=50)
    assert set(summ["heldout"]) == {"fixed"}
    assert summ["paper"] == summarize(pd.DataFrame(both), bootstrap=50)["paper"]
    heldout_figure(table, tmp_path / "h.png", summ)                 # the fixed rows only
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"


def test_fits_stop_on_their_own_and_equal_fits_run_alone():
    """Rows that converge at different speeds (a separable one runs all its iterations): the
    batch gives every fit bit for bit what a fit computed alone gives."""
    rng = np.random.default_rng(3)
    y = np.r_[np.ones(60), np.zeros(60)]
    X = np.array([rng.normal(size=120) + s * y for s in (0.0, 0.5, 2.0, 40.0)] + [np.round(rng.normal(size=120), 1)])
    folds = (plr.folds(y)[None, :] != np.arange(5)[:, None]).astype(float)
    b0, b1 = plr.fit(X[:, None, None, :], y, folds[None, None], plr.LAMBDAS[None, :, None])
    for r in range(X.shape[0]):
        for g, lam in enumerate(plr.LAMBDAS):
            for k in range(5):
                a0, a1 = plr.fit(X[r], y, folds[k], lam)
                assert (a0, a1) == (b0[r, g, k], b1[r, g, k])


@pytest.mark.parametrize("length, width", [(12, 12), (12, 1), (13, 12)])
def test_vectorised_draws_at_the_edges(length, width):
    """A site as wide as the sequence, a 1 bp site, one spare position: the one-call draws equal
    the authors' call-by-call draws (head, site by choice, tail; negatives head and tail)."""
    pwm = np.random.default_rng(width).dirichlet(np.ones(4), size=width)
    S = Settings(n_positive=17, n_negative=11, length=length)
    codes, _ = paper.simulate(pwm, 5, S)
    rs = np.random.RandomState(5)
    heads = rs.randint(0, length - width + 1, size=17)
    for i, h in enumerate(heads):
        head = rs.randint(0, 4, size=h)
        site = [rs.choice(4, size=1, p=pwm[j] / pwm[j].sum())[0] for j in range(width)]
        tail = rs.randint(0, 4, size=length - width - h)
        assert codes[i].tolist() == np.r_[head, site, tail].tolist()
    rs = np.random.RandomState(5)
    for i, h in enumerate(rs.randint(0, length + 1, size=11)):
        assert codes[17 + i].tolist() == np.r_[rs.randint(0, 4, size=h), rs.randint(0, 4, size=length - h)].tolist()


def test_chunk_matrices_come_from_the_collection_read_once(jaspar2016):
    picked = chunk_motifs(IDS, jaspar2016, "JASPAR2016")
    alone = fetch_motifs(IDS, "JASPAR2016")
    assert [m.id for m in picked] == IDS
    assert all(np.array_equal(a.pwm, b.pwm) and a.name == b.name for a, b in zip(picked, alone))
    # an id outside the set read (an older version) is fetched from the release
    older = chunk_motifs(["MA0139.1", "MA0018.1"], [m for m in jaspar2016 if m.id != "MA0018.1"], "JASPAR2016")
    assert [m.id for m in older] == ["MA0139.1", "MA0018.1"]
