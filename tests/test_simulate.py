"""The simulation source: real JASPAR motifs planted where the labels say, same seed same bytes."""

import hashlib

import numpy as np
import pytest

from danqmotifs.core.errors import InputError
from danqmotifs.formats.meme import read_meme, write_meme
from danqmotifs.sources.datafile import DataReader
from danqmotifs.sources.jaspar import fetch_motifs
from danqmotifs.sources.simulate import SimSpec, resolve_pairs, simulate_block, simulate_split

IDS = ["MA0139.2", "MA0035.5", "MA0080.7"]


@pytest.fixture(scope="module")
def motifs():
    return fetch_motifs(IDS, "JASPAR2024")


def _best_loglik(codes, pwm):
    """Best log-likelihood ratio of the PWM over all windows and both strands of each sequence."""
    lp = np.log(pwm + 1e-3) - np.log(0.25)
    w = pwm.shape[0]
    best = np.full(codes.shape[0], -np.inf)
    for strand in (codes, (3 - codes[:, ::-1]) % 5):
        for o in range(codes.shape[1] - w + 1):
            win = strand[:, o:o + w]
            best = np.maximum(best, lp[np.arange(w), win].sum(axis=1))
    return best


def test_fetch_motifs_are_probabilities(motifs):
    assert [m.id for m in motifs] == IDS
    assert motifs[0].name == "CTCF" and motifs[0].width == 15
    for m in motifs:
        np.testing.assert_allclose(m.pwm.sum(axis=1), 1.0)


def test_unknown_jaspar_id_is_a_clear_error():
    with pytest.raises(InputError, match="MA9999.1 does not exist in JASPAR2024"):
        fetch_motifs(["MA0139.2", "MA9999.1"], "JASPAR2024")
    with pytest.raises(InputError, match="not a JASPAR matrix id"):
        fetch_motifs(["CTCF"], "JASPAR2024")


def test_planted_motifs_are_where_the_labels_say(motifs):
    spec = SimSpec(motifs, length=120, gc=0.4, density=0.5, pairs=resolve_pairs([["MA0139", "MA0035.5"]], motifs))
    x, y = simulate_block(np.random.default_rng(0), spec, 600)
    assert x.shape == (600, 120) and y.shape == (600, 4)
    assert x.max() <= 3
    np.testing.assert_array_equal(y[:, 3], y[:, 0] & y[:, 1])
    assert 0.4 < y[:, :3].mean() < 0.55
    # the CTCF PWM scores labelled sequences far above unlabelled ones
    s = _best_loglik(x, motifs[0].pwm)
    assert np.median(s[y[:, 0] == 1]) > np.median(s[y[:, 0] == 0]) + 5


def test_background_gc(motifs):
    spec = SimSpec(motifs, length=200, gc=0.6, density=0.0)
    x, y = simulate_block(np.random.default_rng(1), spec, 500)
    gc = np.isin(x, [1, 2]).mean()
    assert abs(gc - 0.6) < 0.01 and y.sum() == 0


def test_label_noise_flips_labels(motifs):
    spec = SimSpec(motifs, length=100, gc=0.5, density=0.0, label_noise=0.2)
    _, y = simulate_block(np.random.default_rng(2), spec, 2000)
    assert 0.17 < y.mean() < 0.23


def test_bad_pairs(motifs):
    with pytest.raises(InputError, match="not one of motif_ids"):
        resolve_pairs([["MA0139.2", "MA0001.1"]], motifs)


def test_same_seed_same_bytes(tmp_path, motifs):
    spec = SimSpec(motifs, length=80, gc=0.42, density=0.3)
    digests = []
    for run in range(2):
        p = tmp_path / f"train{run}.h5"
        simulate_split(p, spec, 1000, seed=7, split="train")
        digests.append(hashlib.sha256(p.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    simulate_split(tmp_path / "other.h5", spec, 1000, seed=8, split="train")
    assert hashlib.sha256((tmp_path / "other.h5").read_bytes()).hexdigest() != digests[0]
    with DataReader(tmp_path / "train0.h5") as r:
        assert r.n == 1000 and r.length == 80 and r.source == "simulate"
        assert r.target_names == ["MA0139.2_CTCF", "MA0035.5_GATA1", "MA0080.7_Spi1"]
        assert abs(r.base_frequencies.sum() - 1) < 1e-12


def test_truth_meme_round_trip(tmp_path, motifs):
    p = tmp_path / "truth.meme"
    write_meme(p, motifs, background=[0.29, 0.21, 0.21, 0.29])
    back, bg = read_meme(p)
    assert [m.id for m in back] == IDS
    for a, b in zip(motifs, back):
        np.testing.assert_allclose(a.pwm, b.pwm, atol=2e-6)
    np.testing.assert_allclose(bg, [0.29, 0.21, 0.21, 0.29])
