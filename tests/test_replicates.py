"""Clustering motifs across training replicates on motifs with known overlaps (JASPAR matrices,
noised, shifted inside wider kernels, reverse-complemented)."""

import numpy as np
import pytest

from danqmotifs.core.motif import Motif
from danqmotifs.sources.jaspar import fetch_motifs
from danqmotifs.trust.replicates import Member, cluster_labels, cluster_rows, pair_p_values, replicate_members

IDS = ["MA0139.2", "MA0083.3", "MA0138.3", "MA0114.5"]       # CTCF, SRF, REST, HNF4A


@pytest.fixture(scope="module")
def jaspar():
    return fetch_motifs(IDS, "JASPAR2024")


def _kernel_pwm(pwm, rng, width=30, offset=2, noise=30.0, rc=False):
    """The motif inside a ``width``-column kernel PWM (near-uniform flanks), Dirichlet noise."""
    core = pwm[::-1, ::-1] if rc else pwm
    out = rng.dirichlet(np.full(4, 50.0), size=width)
    out[offset:offset + core.shape[0]] = [rng.dirichlet(noise * row + 0.5) for row in core]
    return out


def test_known_overlaps_cluster_and_the_rest_stays_apart(jaspar):
    rng = np.random.default_rng(0)
    ctcf, srf, rest, hnf4a = (m.pwm for m in jaspar)
    reps = [  # replicate 0: CTCF, SRF, HNF4A; replicate 1: CTCF reverse-complemented and shifted, REST,
              # HNF4A; replicate 2: SRF shifted
        [_kernel_pwm(ctcf, rng), _kernel_pwm(srf, rng), _kernel_pwm(hnf4a, rng)],
        [_kernel_pwm(ctcf, rng, offset=5, rc=True), _kernel_pwm(rest, rng, offset=1), _kernel_pwm(hnf4a, rng, 30, 7)],
        [_kernel_pwm(srf, rng, offset=9)],
    ]
    members = []
    for r, pwms in enumerate(reps):
        faith = [{"kernel": str(k), "corr_heuristic": str(0.5 + 0.1 * k)} for k in range(len(pwms))]
        members += replicate_members(r, np.stack(pwms), np.full(len(pwms), 100), None,
                                     influence=np.linspace(0.3, 0.1, len(pwms)), faith_rows=faith)
    assert all(m.motif.width < 30 for m in members)                    # flanks trimmed
    rows, labels = cluster_rows(members, 3, jaspar)
    groups = sorted(sorted(r["kernels"].split()) for r in rows)
    assert groups == sorted([["r0:k0", "r1:k0"], ["r0:k1", "r2:k0"], ["r0:k2", "r1:k2"], ["r1:k1"]])
    by = {r["kernels"].split()[0]: r for r in rows}
    assert [r["replicates"] for r in rows] == [2, 2, 2, 1]              # reproducible ones first
    assert rows[-1]["kernels"] == "r1:k1" and rows[-1]["match_name"].upper() == "REST"
    names = {frozenset(r["kernels"].split()): r["match_name"].upper() for r in rows}
    assert names[frozenset({"r0:k0", "r1:k0"})] == "CTCF"
    assert names[frozenset({"r0:k1", "r2:k0"})] == "SRF"
    assert by["r0:k0"]["influence"] == pytest.approx(0.3)               # both members' influence 0.3
    assert by["r0:k0"]["corr_heuristic"] == pytest.approx(0.5)
    assert all(r["n_replicates"] == 3 for r in rows)


def test_unrelated_random_motifs_do_not_cluster():
    rng = np.random.default_rng(1)
    motifs = [Motif(f"m{i}", rng.dirichlet(np.full(4, 0.7), size=10)) for i in range(12)]
    labels = cluster_labels(pair_p_values(motifs))
    assert len(set(labels.tolist())) >= 11


def test_labels_numbered_by_first_member_and_trivial_sizes():
    P = np.array([[0, 0.5, 1e-9], [0.5, 0, 0.5], [1e-9, 0.5, 0]])
    assert cluster_labels(P).tolist() == [0, 1, 0]
    assert cluster_labels(np.zeros((1, 1))).tolist() == [0] and cluster_labels(np.zeros((0, 0))).size == 0
    rows, labels = cluster_rows([], 2)
    assert rows == [] and labels.size == 0


def test_members_skip_kernels_without_influence_or_motif():
    rng = np.random.default_rng(2)
    pwms = rng.dirichlet(np.full(4, 0.3), size=(3, 12))
    ms = replicate_members(0, pwms, [10, 10, 10], np.array([True, False, True]), influence=np.array([0.1, 0.2, 0.0]))
    assert [m.kernel for m in ms] == [0] and isinstance(ms[0], Member)
