"""Tomtom's q-values: Storey's pi0 and the Benjamini-Hochberg step-up, per query.

Tomtom (``convert_tomtom_p_to_q`` -> MEME's ``compute_qvalues``) takes, for one query, the p-values
of ALL its target comparisons, each strand of each target counted separately (2 x n_targets values
with both strands), and

1. estimates pi0 as in Storey (2002): pi0(lambda) = #{p >= lambda} / ((1 - lambda) m) on 100
   lambdas 0.005, 0.01, ..., 0.5; the plug-in estimate is their minimum; 100 bootstrap samples of
   1000 p-values pick the lambda whose pi0 has the smallest mean squared error against the
   plug-in; pi0 is clipped to [0, 1] (1 when m <= 100);
2. q_(i) = min_{j >= i} min(1, pi0 * p_(j) * m / j) over the p-values in increasing order.

MEME draws the bootstrap samples from its own random generator; here a fixed-seed xorshift
generator per query makes the result reproducible (pi0 differs from MEME's only through the lambda
that the bootstrap picks).
"""

from __future__ import annotations

import numpy as np
from numba import njit

NUM_BOOTSTRAPS = 100
NUM_BOOTSTRAP_SAMPLES = 1000
NUM_LAMBDA = 100
MAX_LAMBDA = 0.5
MIN_SAMPLES = 100


@njit(cache=True)
def _next(state):
    """xorshift64*: returns (new state, uniform float in [0, 1))."""
    x = state
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    out = x * np.uint64(2685821657736338717)
    return x, (out >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _pi0_fixed(n_ge, m, lam):
    pi0 = n_ge / ((1.0 - lam) * m)
    return np.inf if pi0 == 0.0 else pi0


@njit(cache=True)
def storey_pi0(p_sorted, seed):
    """Tomtom's bootstrap estimate of pi0 from p-values sorted in increasing order."""
    m = p_sorted.shape[0]
    if m <= MIN_SAMPLES:
        return 1.0
    lams = np.empty(NUM_LAMBDA)
    for i in range(NUM_LAMBDA):
        lams[i] = (i + 1) / NUM_LAMBDA * MAX_LAMBDA
    # bucket[k]: how many lambdas are <= p_sorted[k] (p >= lambda for lambdas 0..bucket-1)
    bucket = np.searchsorted(lams, p_sorted, side="right")
    pi0s = np.empty(NUM_LAMBDA)
    counts = np.zeros(NUM_LAMBDA + 1)
    for k in range(m):
        counts[bucket[k]] += 1.0
    n_ge = np.empty(NUM_LAMBDA)
    acc = 0.0
    for i in range(NUM_LAMBDA - 1, -1, -1):
        acc += counts[i + 1]
        n_ge[i] = acc
    for i in range(NUM_LAMBDA):
        pi0s[i] = _pi0_fixed(n_ge[i], m, lams[i])
    plug_in = np.min(pi0s)
    mse = np.zeros(NUM_LAMBDA)
    state = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(0x2545F4914F6CDD1D)
    if state == np.uint64(0):
        state = np.uint64(1)
    for _ in range(NUM_BOOTSTRAPS):
        counts[:] = 0.0
        for _ in range(NUM_BOOTSTRAP_SAMPLES):
            state, u = _next(state)
            counts[bucket[min(int(u * m), m - 1)]] += 1.0
        acc = 0.0
        for i in range(NUM_LAMBDA - 1, -1, -1):
            acc += counts[i + 1]
            err = _pi0_fixed(acc, NUM_BOOTSTRAP_SAMPLES, lams[i]) - plug_in
            mse[i] += err * err
    best = 0
    for i in range(1, NUM_LAMBDA):
        if mse[i] < mse[best]:
            best = i
    return min(max(pi0s[best], 0.0), 1.0)


@njit(cache=True)
def tomtom_qvalues(p, seed):
    """q-values of one query's p-values (any order), and the pi0 used."""
    m = p.shape[0]
    order = np.argsort(p)
    ps = p[order]
    pi0 = storey_pi0(ps, seed)
    q = np.empty(m)
    for i in range(m):
        q[i] = min(1.0, pi0 * ps[i] * m / (i + 1))
    for i in range(m - 2, -1, -1):
        q[i] = min(q[i], q[i + 1])
    out = np.empty(m)
    out[order] = q
    return out, pi0
