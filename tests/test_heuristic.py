"""The heuristic PFM (max-activation windows stacked per kernel)."""

import numpy as np
import pytest

from danqmotifs.core.alphabet import reverse_complement_codes
from danqmotifs.core.pwm import kernel_to_pwm, pwm_to_kernel
from danqmotifs.motifs.heuristic import counts_to_pwm, heuristic_counts
from danqmotifs.motifs.scoring import numba_available, scan_max

_CONS = [0, 2, 1, 3, 0, 2, 3, 1, 1, 0, 3, 2]          # AGCTAGTCCATG
MOTIF = np.full((12, 4), 0.03)                       # a sharp 12-bp motif, rows A C G T
MOTIF[np.arange(12), _CONS] = 0.91
MOTIF[4] = [0.70, 0.10, 0.10, 0.10]


def planted(rng, n, length, pwm, frac, strand="+"):
    """Random sequences; a fraction gets one window sampled from ``pwm`` (on the given strand)."""
    codes = rng.integers(0, 4, size=(n, length)).astype(np.uint8)
    L = pwm.shape[0]
    has = rng.random(n) < frac
    for s in np.flatnonzero(has):
        site = (rng.random((L, 1)) > pwm.cumsum(axis=1)).sum(axis=1).astype(np.uint8)
        if strand == "-":
            site = reverse_complement_codes(site)
        p = rng.integers(0, length - L + 1)
        codes[s, p:p + L] = site
    return codes, has


def reference_counts(codes, W, bias, both):
    """The per-kernel, per-sequence loop of the recipe (small inputs)."""
    from danqmotifs.core.alphabet import codes_to_onehot

    K, L, _ = W.shape
    x = codes_to_onehot(codes, dtype=np.float64)
    counts = np.zeros((K, L, 4))
    nsites = np.zeros(K, int)
    for t in range(K):
        for s in range(codes.shape[0]):
            strands = [(x[s], False)] + ([(x[s][::-1, ::-1], True)] if both else [])
            for seq, rev in strands:
                act = [max(np.sum(seq[i:i + L] * W[t]) + bias[t], 0) for i in range(seq.shape[0] - L + 1)]
                i = int(np.argmax(act))
                if act[i] > 0:
                    counts[t] += seq[i:i + L]
                    nsites[t] += 1
    return counts, nsites


@pytest.mark.parametrize("engine", ["numpy"] + (["numba"] if numba_available() else []))
@pytest.mark.parametrize("both", [False, True])
def test_vectorised_counts_equal_the_loop(both, engine):
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(30, 25)).astype(np.uint8)
    codes[2, 3:6] = 4
    W = rng.standard_normal((4, 6, 4))
    bias = np.array([-1.0, 0.5, -3.0, -100.0])
    scan = scan_max(codes, W, both_strands=both, engine="blas")
    h = heuristic_counts(codes, 6, bias, scan.m, scan.pos, scan.m_rc, scan.pos_rc, batch_size=7, engine=engine)
    ref_counts, ref_nsites = reference_counts(codes, W, bias, both)
    np.testing.assert_array_equal(h.nsites, ref_nsites)
    np.testing.assert_array_equal(h.counts, ref_counts)
    assert h.dead.tolist() == [False, False, False, True]


def test_recovers_a_planted_kernels_motif():
    rng = np.random.default_rng(1)
    codes, has = planted(rng, 3000, 60, MOTIF, 0.6)
    W, _ = pwm_to_kernel(MOTIF, 1.0)
    W = W - np.log(0.25)                                             # log-odds against uniform
    bias = np.array([-6.0])                                          # random 8-mers rarely pass
    scan = scan_max(codes, W[None], engine="blas")
    h = heuristic_counts(codes, 12, bias, scan.m, scan.pos)
    assert abs(h.nsites[0] - has.sum()) < 0.12 * has.sum()
    assert np.abs(h.pwm[0] - MOTIF).max() < 0.06
    assert h.max_activation[0] > 0 and not h.dead[0]


def test_both_strands_recovers_a_minus_strand_motif():
    rng = np.random.default_rng(2)
    codes, has = planted(rng, 2000, 60, MOTIF, 0.6, strand="-")
    W, _ = pwm_to_kernel(MOTIF, 1.0)
    W = (W - np.log(0.25))[None]
    bias = np.array([-6.0])
    scan = scan_max(codes, W, both_strands=True, engine="blas")
    fwd = heuristic_counts(codes, 12, bias, scan.m, scan.pos)
    both = heuristic_counts(codes, 12, bias, scan.m, scan.pos, scan.m_rc, scan.pos_rc)
    assert fwd.nsites[0] < 0.1 * has.sum()                           # forward sees background only
    assert both.nsites[0] >= 0.85 * has.sum()
    assert np.abs(both.pwm[0] - MOTIF).max() < 0.07


def test_dead_kernel_gives_uniform_rows_not_nan():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 4, size=(50, 30)).astype(np.uint8)
    W = rng.standard_normal((2, 5, 4))
    bias = np.array([0.0, -1e6])
    scan = scan_max(codes, W, engine="blas")
    h = heuristic_counts(codes, 5, bias, scan.m, scan.pos)
    assert h.dead.tolist() == [False, True] and h.nsites[1] == 0 and h.max_activation[1] == 0
    P = h.pwm
    assert np.all(np.isfinite(P))
    np.testing.assert_allclose(P[1], 0.25)
    np.testing.assert_allclose(P.sum(axis=-1), 1.0)


def test_counts_to_pwm_handles_empty_rows():
    c = np.array([[[2, 0, 0, 2], [0, 0, 0, 0]]], dtype=float)
    np.testing.assert_allclose(counts_to_pwm(c), [[[0.5, 0, 0, 0.5], [0.25] * 4]])


def test_exact_pwm_beats_heuristic_on_a_planted_kernel():
    # ground truth: a kernel that IS a PWM's log-probabilities (base e); planted windows are its
    # samples. The exact PWM at the true base recovers it exactly; the heuristic only approximately.
    rng = np.random.default_rng(4)
    codes, _ = planted(rng, 1500, 50, MOTIF, 0.7)
    W, _ = pwm_to_kernel(MOTIF, 1.0)
    exact = kernel_to_pwm(W, 1.0)
    scan = scan_max(codes, W[None], engine="blas")
    h = heuristic_counts(codes, 12, np.array([-np.log(0.25) * 12 - 9.0]), scan.m, scan.pos)
    assert np.abs(exact - MOTIF).max() < 1e-12
    assert np.abs(h.pwm[0] - MOTIF).max() > 1e-3
