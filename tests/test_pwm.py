"""The exact kernel <-> PWM transformation (docs/design.md section 5)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danqmotifs.core.pwm import (column_information, consensus, exactness_check, flip_convention, kernel_to_pwm,
                            log_pwm, pwm_to_kernel, row_logsumexp, score_offset, total_information,
                            window_scores)


def _windows(rng, K, n, L):
    return rng.integers(0, 4, size=(K, n, L)).astype(np.uint8)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), K=st.integers(1, 6), L=st.integers(1, 30),
       ln_b=st.floats(0.05, 60.0), scale=st.floats(0.01, 5.0))
def test_identity_score_equals_loglik_over_lnb_plus_constant(seed, K, L, ln_b, scale):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((K, L, 4)) * scale
    x = _windows(rng, K, 50, L)
    score = window_scores(W, x)
    lnP = log_pwm(W, ln_b)
    C = score_offset(W, ln_b)
    rhs = window_scores(lnP, x) / ln_b + C[:, None]
    assert np.abs(score - rhs).max() <= 1e-9
    P = kernel_to_pwm(W, ln_b)
    np.testing.assert_allclose(P.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(P, np.exp(lnP), rtol=1e-13, atol=1e-300)
    # from the PWM itself (what is written to disk), as long as no entry leaves float64's range
    if P.min() > 1e-290:
        rhs2 = window_scores(np.log(P), x) / ln_b + C[:, None]
        assert np.abs(score - rhs2).max() <= 1e-9


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), ln_b=st.floats(0.1, 20.0))
def test_per_kernel_bases_and_bias_do_not_change_pwm(seed, ln_b):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((4, 9, 4))
    v = rng.uniform(0.1, 10, 4)
    P = kernel_to_pwm(W, v)
    for k in range(4):
        np.testing.assert_allclose(P[k], kernel_to_pwm(W[k], v[k]), rtol=1e-14, atol=1e-300)
    # a bias spread over the rows (or any per-row constant) leaves the PWM unchanged
    shifted = W + rng.standard_normal((4, 9, 1))
    np.testing.assert_allclose(kernel_to_pwm(shifted, ln_b), kernel_to_pwm(W, ln_b), rtol=1e-12, atol=1e-300)


def test_matches_naive_power_formula_for_moderate_base():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((12, 4))
    b = 3.7
    C = b ** W
    naive = C / C.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(kernel_to_pwm(W, np.log(b)), naive, rtol=1e-13)


@pytest.mark.parametrize("ln_b", [800.0, 1e5, 1e300])
def test_huge_base_does_not_overflow(ln_b):
    W = np.array([[0.0, 1.0, 2.0, 3.0], [5.0, 5.0, -1.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
    P = kernel_to_pwm(W, ln_b)
    # the naive formula overflows here
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(ln_b * W)
        assert not np.all(np.isfinite(naive / naive.sum(axis=1, keepdims=True)))
    assert np.all(np.isfinite(P))
    np.testing.assert_allclose(P[0], [0, 0, 0, 1])
    np.testing.assert_allclose(P[1], [0.5, 0.5, 0, 0])          # ties share the mass
    np.testing.assert_allclose(P[2], 0.25)
    assert np.all(np.isfinite(row_logsumexp(W, ln_b)))
    assert np.isfinite(score_offset(W, ln_b))


def test_constant_row_and_zero_base_give_uniform_rows():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((5, 4))
    W[2] = 0.7
    P = kernel_to_pwm(W, 2.5)
    np.testing.assert_allclose(P[2], 0.25, rtol=0, atol=1e-15)
    assert not np.allclose(P[0], 0.25)
    np.testing.assert_allclose(kernel_to_pwm(W, 0.0), 0.25, atol=1e-15)
    assert np.isnan(score_offset(W, 0.0))


def test_bad_base_is_rejected():
    W = np.zeros((3, 4))
    for bad in (-1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="ln b"):
            kernel_to_pwm(W, bad)
    with pytest.raises(ValueError, match="one value per kernel"):
        kernel_to_pwm(np.zeros((3, 2, 4)), [1.0, 2.0])
    with pytest.raises(ValueError, match="kernel must be"):
        kernel_to_pwm(np.zeros((3, 5)), 1.0)


def test_convention_flip_reverses_rows_only():
    rng = np.random.default_rng(2)
    W = rng.standard_normal((3, 7, 4))
    conv = flip_convention(W, "convolution")
    np.testing.assert_array_equal(conv, W[:, ::-1, :])
    np.testing.assert_array_equal(flip_convention(conv, "convolution"), W)
    np.testing.assert_array_equal(flip_convention(W, "correlation"), W)
    with pytest.raises(ValueError):
        flip_convention(W, "theano")
    # a Theano kernel scanned as a true convolution scores like its flip scanned as a correlation
    x = rng.integers(0, 4, 30)
    onehot = np.eye(4)[x]
    Wk = W[0]
    corr = [np.sum(onehot[i:i + 7] * flip_convention(Wk, "convolution")) for i in range(24)]
    from scipy.signal import convolve
    true_conv = convolve(onehot, Wk[:, ::-1], mode="valid")[:, 0]     # flip channels: only rows convolve
    np.testing.assert_allclose(corr, true_conv)


def test_kernel_pwm_kernel_round_trip_up_to_row_constants():
    rng = np.random.default_rng(3)
    W = rng.standard_normal((11, 4))
    for ln_b in (0.3, 1.0, 7.0):
        P = kernel_to_pwm(W, ln_b)
        W2, delta = pwm_to_kernel(P, ln_b)
        assert delta == 0.0
        d = W2 - W
        np.testing.assert_allclose(d, d[:, :1].repeat(4, axis=1), atol=1e-12)
        np.testing.assert_allclose(kernel_to_pwm(W2, ln_b), P, rtol=1e-12)


def test_pwm_kernel_pwm_round_trip_with_zero_entries():
    P = np.array([[0.5, 0.5, 0.0, 0.0], [0.1, 0.2, 0.3, 0.4], [1.0, 0.0, 0.0, 0.0]])
    W, delta = pwm_to_kernel(P, np.log(2.0))
    assert delta == pytest.approx(0.01)                         # smallest positive (0.1) / 10
    np.testing.assert_allclose(2.0 ** W[1], P[1])                # rows without zeros untouched
    np.testing.assert_allclose(2.0 ** W[0], [0.5, 0.5, 0.01, 0.01])   # zeros only, no renormalisation
    back = kernel_to_pwm(W, np.log(2.0))
    np.testing.assert_allclose(back[1], P[1], rtol=1e-12)
    np.testing.assert_allclose(back[0], np.array([0.5, 0.5, 0.01, 0.01]) / 1.02, rtol=1e-12)
    W3, d3 = pwm_to_kernel(P, 1.0, delta=1e-3)
    assert d3 == 1e-3 and np.exp(W3[2, 1]) == pytest.approx(1e-3)


def test_pwm_to_kernel_shifts():
    P = np.array([[0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]])
    W0, _ = pwm_to_kernel(P, 1.0)
    W1, _ = pwm_to_kernel(P, 1.0, shift=2.0)
    np.testing.assert_allclose(W1, W0 + 2.0)
    W2, _ = pwm_to_kernel(P, 1.0, shift=2.0, shift_by_minimum=True)
    assert W2.min() == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(W2, W0 + abs(W0.min()))
    with pytest.raises(ValueError):
        pwm_to_kernel(P, 0.0)
    with pytest.raises(ValueError):
        pwm_to_kernel(np.array([[1.2, -0.2, 0, 0]]), 1.0)


def test_exactness_check_on_random_kernels_and_zero_bases():
    rng = np.random.default_rng(4)
    W = rng.standard_normal((6, 26, 4)) * 0.5
    v = np.array([0.0, 0.5, 2.0, 10.0, 40.0, 0.0])
    P = kernel_to_pwm(W, v)
    res = exactness_check(W, P, v, n_windows=500, seed=1)
    assert res["max_abs_error"] <= 1e-9
    assert res["n_kernels_checked"] == 4
    assert res["uniform_kernels"] == [0, 5] and res["uniform_ok"]
    assert res["max_pwm_error"] <= 1e-15
    # a PWM that is not the kernel's exact PWM is caught
    P_bad = P.copy()
    P_bad[2, 3] = kernel_to_pwm(W[2, 3:4] * 1.01, v[2])[0]
    assert exactness_check(W, P_bad, v, n_windows=500, seed=1)["max_pwm_error"] > 1e-6
    # extreme bases: entries underflow in P, the identity still holds in ln P
    v_big = np.full(6, 2000.0)
    res_big = exactness_check(W, kernel_to_pwm(W, v_big), v_big, n_windows=200)
    assert res_big["max_abs_error"] <= 1e-9 and res_big["max_pwm_error"] == 0.0


def test_information_content_and_consensus():
    P = np.array([[1.0, 0, 0, 0], [0.25, 0.25, 0.25, 0.25], [0, 0, 0.5, 0.5]])
    assert total_information(P) == pytest.approx(2.0 + 0.0 + 1.0)
    np.testing.assert_allclose(total_information(np.stack([P, P[::-1]])), [3.0, 3.0])
    # per column against a uniform background, the same bits; against another background, KL(p || bg)
    np.testing.assert_allclose(column_information(P), [2.0, 0.0, 1.0], atol=1e-12)
    bg = np.array([0.4, 0.1, 0.1, 0.4])
    np.testing.assert_allclose(column_information(P, bg)[2], 0.5 * np.log2(0.5 / 0.1) + 0.5 * np.log2(0.5 / 0.4))
    assert consensus(P)[0] == "A" and consensus(P)[2] == "G"
    assert consensus(np.stack([P, P[::-1]])) == [consensus(P), consensus(P[::-1])]
