"""The maximum-likelihood base (docs/design.md section 6)."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danqmotifs.core.pwm import kernel_to_pwm, window_scores
from danqmotifs.formats.base_json import ln_b_per_kernel
from danqmotifs.motifs import mle


def grid_argmax(f, lo, hi, tol=1e-8):
    """Brute force: evaluate f on a 201-point grid, zoom in around the best point, repeat."""
    while hi - lo > tol:
        g = np.linspace(lo, hi, 201)
        vals = np.array([f(x) for x in g])
        i = int(np.argmax(vals))
        step = g[1] - g[0]
        lo, hi = max(g[max(i - 1, 0)], 0.0), g[min(i + 1, 200)]
        if hi - lo < 2.5 * step and step < tol:
            break
    return 0.5 * (lo + hi)


def sample_problem(rng, K=4, L=10, n=300, v0=1.5):
    """Best-window scores drawn from the kernels' own PWMs (one window per sequence)."""
    W = rng.standard_normal((K, L, 4))
    P = kernel_to_pwm(W, v0)
    x = np.empty((K, n, L), dtype=np.uint8)
    for t in range(K):
        cum = P[t].cumsum(axis=-1)
        u = rng.random((n, L, 1))
        x[t] = (u > cum[None]).sum(axis=-1)
    m = window_scores(W, x).T                                       # (n, K)
    return W, m


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), sequences=st.sampled_from(["all", "activated"]))
def test_shared_base_matches_brute_force_grid(seed, sequences):
    rng = np.random.default_rng(seed)
    W, m = sample_problem(rng, v0=rng.uniform(0.3, 4.0))
    bias = -np.quantile(m, 0.4, axis=0)                             # about 60 % activated
    fit = mle.estimate_base(W, m, bias, sequences, "shared")
    S, n = mle.sufficient_stats(m, mle.used_pairs(m, bias, sequences))
    best = grid_argmax(lambda v: mle.loglik(v, W, S, n).sum(), 0.0, 30.0)
    assert fit.status[0] == 0
    assert abs(fit.ln_b[0] - best) <= 1e-6
    assert np.all(fit.ln_b == fit.ln_b[0])
    # the derivative vanishes at the optimum (relative to the size of the sums)
    assert abs(fit.dloglik[0]) <= 1e-9 * (np.abs(S).sum() + 1)
    assert fit.loglik[0] >= mle.loglik(best, W, S, n).sum() - 1e-9


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_per_kernel_bases_match_brute_force_grid(seed):
    rng = np.random.default_rng(seed)
    W, m = sample_problem(rng, K=5, v0=rng.uniform(0.5, 3.0))
    bias = -np.quantile(m, 0.5, axis=0)
    for sequences in ("all", "activated"):
        fit = mle.estimate_base(W, m, bias, sequences, "per_kernel")
        S, n = mle.sufficient_stats(m, mle.used_pairs(m, bias, sequences))
        for t in range(W.shape[0]):
            best = grid_argmax(lambda v: mle.loglik(v, W[t:t + 1], S[t:t + 1], n[t:t + 1])[0], 0.0, 40.0)
            assert abs(fit.ln_b[t] - best) <= 1e-6
        assert np.all(np.abs(fit.dloglik) <= 1e-9 * (np.abs(S) + 1))


def test_mle_recovers_the_generating_base():
    rng = np.random.default_rng(7)
    W, m = sample_problem(rng, K=3, L=12, n=20000, v0=2.0)
    fit = mle.estimate_base(W, m, sequences="all", base="shared")
    assert fit.ln_b[0] == pytest.approx(2.0, rel=0.03)
    per = mle.estimate_base(W, m, sequences="all", base="per_kernel")
    np.testing.assert_allclose(per.ln_b, 2.0, rtol=0.06)


def test_loglik_is_concave_and_derivative_consistent():
    rng = np.random.default_rng(1)
    W, m = sample_problem(rng)
    S, n = mle.sufficient_stats(m, np.ones(m.shape, bool))
    g = np.linspace(0, 6, 601)
    ll = np.array([mle.loglik(v, W, S, n).sum() for v in g])
    assert np.all(np.diff(ll, 2) <= 1e-7)
    h = 1e-6
    for v in (0.3, 1.0, 4.0):
        num = (mle.loglik(v + h, W, S, n) - mle.loglik(v - h, W, S, n)) / (2 * h)
        np.testing.assert_allclose(mle.dloglik(v, W, S, n), num, rtol=1e-5, atol=1e-4)


def test_zero_base_when_derivative_at_zero_is_not_positive():
    rng = np.random.default_rng(2)
    W = rng.standard_normal((3, 8, 4))
    # best windows no better than average: the likelihood decreases from v = 0
    m = np.tile(W.mean(axis=-1).sum(axis=-1) - 0.5, (50, 1))
    fit = mle.estimate_base(W, m, sequences="all", base="shared")
    assert fit.ln_b[0] == 0.0 and fit.status[0] == 1
    per = mle.estimate_base(W, m, sequences="all", base="per_kernel")
    assert np.all(per.ln_b == 0.0) and np.all(per.status == 1)
    np.testing.assert_allclose(kernel_to_pwm(W, per.ln_b), 0.25)
    rep = mle.base_report(per, W, m, np.zeros(3), {"sequences": "all", "base": "per_kernel",
                                                     "strands": "forward"}, 50)
    assert rep["zero_base_kernels"] == [0, 1, 2] and rep["status"] == ["zero"] * 3


def test_constant_kernel_does_not_move_the_base():
    W = np.zeros((1, 5, 4)) + 0.3
    m = np.full((20, 1), 1.5)
    fit = mle.estimate_base(W, m, sequences="all", base="per_kernel")
    assert fit.ln_b[0] == 0.0 and fit.status[0] == 1


def test_unbounded_when_every_best_window_is_the_consensus():
    rng = np.random.default_rng(3)
    W = rng.standard_normal((2, 6, 4))
    m = np.tile(W.max(axis=-1).sum(axis=-1), (40, 1))
    per = mle.estimate_base(W, m, sequences="all", base="per_kernel")
    assert np.all(per.status == 2)
    P = kernel_to_pwm(W, per.ln_b)
    assert np.all(np.isfinite(P))
    np.testing.assert_allclose(P.max(axis=-1), 1.0)


def test_activated_filter_and_dead_kernel_fallback():
    rng = np.random.default_rng(4)
    W, m = sample_problem(rng, K=3, n=400)
    bias = np.array([-np.median(m[:, 0]), -np.median(m[:, 1]), -(m[:, 2].max() + 1.0)])   # kernel 2 dead
    used = mle.used_pairs(m, bias, "activated")
    assert used[:, 2].sum() == 0 and 150 < used[:, 0].sum() < 250
    fit = mle.estimate_base(W, m, bias, "activated", "per_kernel")
    np.testing.assert_array_equal(fit.nsites, used.sum(axis=0))
    assert fit.fallback == [2] and fit.status[2] == 3
    shared = mle.estimate_base(W, m, bias, "activated", "shared")
    assert fit.ln_b[2] == pytest.approx(shared.ln_b[0])
    # activated windows score higher: their base is larger than with all windows
    all_fit = mle.estimate_base(W, m, bias, "all", "per_kernel")
    assert np.all(fit.ln_b[:2] > all_fit.ln_b[:2])
    with pytest.raises(ValueError):
        mle.used_pairs(m, bias, "some")
    with pytest.raises(ValueError):
        mle.estimate_base(W, m, bias, "all", "each")


def test_all_sequences_ignore_the_bias_like_k2p():
    # k2p folds a bias into the kernel as b/L per entry: with all sequences nothing changes
    rng = np.random.default_rng(5)
    W, m = sample_problem(rng, K=2)
    b = np.array([0.7, -1.3])
    W2 = W + (b / W.shape[1])[:, None, None]
    m2 = m + b[None, :]
    a = mle.estimate_base(W, m, sequences="all", base="shared").ln_b[0]
    c = mle.estimate_base(W2, m2, sequences="all", base="shared").ln_b[0]
    assert a == pytest.approx(c, rel=1e-10)


def test_base_report_is_json_with_profile_peaking_at_optimum():
    rng = np.random.default_rng(6)
    W, m = sample_problem(rng, K=3)
    bias = np.zeros(3)
    opts = {"sequences": "all", "base": "shared", "strands": "forward"}
    fit = mle.estimate_base(W, m, bias, "all", "shared")
    rep = json.loads(json.dumps(mle.base_report(fit, W, m, bias, opts, m.shape[0])))
    for key in ("ln_b", "b", "loglik", "dloglik", "n", "K", "options", "profile", "nsites"):
        assert key in rep
    assert rep["b"] == pytest.approx(np.exp(rep["ln_b"]))
    assert rep["n"] == m.shape[0] and rep["K"] == 3 and rep["options"] == opts
    g, ll = np.array(rep["profile"]["ln_b"]), np.array(rep["profile"]["loglik"])
    assert abs(g[np.argmax(ll)] - rep["ln_b"]) <= (g[1] - g[0])
    assert max(ll) <= rep["loglik"] + 1e-9
    np.testing.assert_allclose(ln_b_per_kernel(rep, 3), rep["ln_b"])
    with pytest.raises(Exception, match="3 kernels"):
        ln_b_per_kernel({"ln_b": [1.0, 2.0]}, 3)
