"""The authors' protocol, each piece against a value worked out by hand: their data draws and
split, the fixed initial draw, Keras 1.0.4's RMSprop step and early stopping (final weights), the
base-e exact PWM, caret's penalised logistic regression on a tiny case, the class-label AUROC and
the trapezoid AUPRC."""

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import expit

from danqmotifs.papers.k2p.simulation import paper, plr
from danqmotifs.papers.k2p.simulation.motifs import exact_pwm_base_e
from danqmotifs.papers.k2p.simulation.settings import Settings
from danqmotifs.papers.k2p.simulation.stats import bootstrap_ci, paired_summary
from danqmotifs.papers.k2p.simulation.trainer import init_weights, permutations, train_many

PWM = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.7], [0.25, 0.25, 0.25, 0.25], [0.0, 0.5, 0.5, 0.0]])


# ------------------------------------------------------------------------------------- data

def _authors_way(pwm, index, n_pos, n_neg, L):
    """The draws written out one call at a time, with NumPy's choice for every site column."""
    w = pwm.shape[0]
    rs = np.random.RandomState(index)
    heads = rs.randint(0, L - w + 1, size=n_pos)
    pos = []
    for h in heads:
        head = rs.randint(0, 4, size=h)
        site = [rs.choice([0, 1, 2, 3], size=1, p=pwm[j])[0] for j in range(w)]
        tail = rs.randint(0, 4, size=L - w - h)
        pos.append(np.r_[head, site, tail])
    rs = np.random.RandomState(index)
    heads = rs.randint(0, L + 1, size=n_neg)
    neg = [np.r_[rs.randint(0, 4, size=h), rs.randint(0, 4, size=L - h)] for h in heads]
    return np.array(pos + neg)


def test_data_are_the_authors_draws():
    S = Settings(n_positive=40, n_negative=30, length=20)
    codes, labels = paper.simulate(PWM, 7, S)
    assert np.array_equal(codes, _authors_way(PWM, 7, 40, 30, 20))
    assert labels.tolist() == [1] * 40 + [0] * 30
    assert not np.array_equal(paper.simulate(PWM, 8, S)[0], codes)          # the seed is the index


def test_split_is_the_first_unshuffled_stratified_fold():
    labels = np.r_[np.ones(2000, np.uint8), np.zeros(2000, np.uint8)]
    idx = paper.split(labels, Settings())
    assert [idx[k].size for k in ("train", "valid", "test")] == [2400, 600, 1000]
    assert np.array_equal(idx["test"], np.r_[0:500, 2000:2500])
    assert np.array_equal(idx["valid"], np.r_[500:800, 2500:2800])
    assert np.array_equal(idx["train"], np.r_[800:2000, 2800:4000])


# ---------------------------------------------------------------------------- initialisation

def test_fixed_init_is_one_draw_per_width():
    (W, b, d, e), perms = paper.fixed_init(6, 10, 3)
    rs = np.random.RandomState(789)
    # Keras 1.0.4's Convolution1D default init='uniform': U(-0.05, 0.05) (not glorot, whatever w);
    # the Dense default glorot_uniform on (1, 1): limit sqrt(6 / 2) = sqrt(3)
    K = rs.uniform(-0.05, 0.05, size=(1, 4, 6, 1)).astype(np.float32)
    D = rs.uniform(-np.sqrt(3), np.sqrt(3), size=(1, 1)).astype(np.float32)
    assert np.array_equal(W, K[0, :, ::-1, 0].T.astype(np.float64))          # Theano flips the kernel
    assert (b, e) == (0.0, 0.0) and d == float(D[0, 0])
    order = np.arange(10)
    for k in range(3):
        rs.shuffle(order)
        assert np.array_equal(perms[k], order)
    again = paper.fixed_init(6, 10, 3)
    assert np.array_equal(again[0][0], W) and np.array_equal(again[1], perms)  # same width, same draw
    assert paper.fixed_init(7, 10, 3)[0][0].shape == (7, 4)
    wide = paper.fixed_init(30, 10, 1)[0][0]
    assert np.abs(wide).max() <= 0.05 and np.abs(wide).max() > 0.04   # the scale does not shrink with w


def test_random_init_follows_the_semantics():
    W1, *_ = init_weights(20, np.random.default_rng(0), "keras1")
    W3, *_ = init_weights(20, np.random.default_rng(0), "keras3")
    assert np.abs(W1).max() <= 0.05 and np.abs(W3).max() > 0.05            # glorot: limit sqrt(6/100)


# ---------------------------------------------------------------------------------- training

def _loss(W, b, d, e, codes, y):
    w = W.shape[0]
    P = codes.shape[1] - w + 1
    s = np.stack([W[np.arange(w), codes[:, p:p + w]].sum(1) for p in range(P)], 1) + b
    z = d * np.maximum(s.max(1), 0) + e
    return np.mean(np.logaddexp(0, z) - y * z)


def test_keras1_rmsprop_step_has_epsilon_after_the_square_root():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 4, size=(50, 15)).astype(np.uint8)
    y = rng.integers(0, 2, 50).astype(np.float64)
    W0, _, _, _ = init_weights(8, rng)            # 8 bp: no two windows of a sequence alike (no ties)
    S = Settings(batch_size=50, max_epochs=1, learning_rate=0.01, epsilon=1e-3)
    T = train_many([(codes, y)], [(codes[:5], y[:5])], [(W0, 0.1, 0.7, -0.1)], [permutations(50, 1, rng)], S)
    theta = np.r_[W0.ravel(), 0.1, 0.7, -0.1]
    h = 1e-6

    def f(t):
        return _loss(t[:32].reshape(8, 4), t[32], t[33], t[34], codes, y)

    g = np.array([(f(theta + h * np.eye(35)[i]) - f(theta - h * np.eye(35)[i])) / (2 * h) for i in range(35)])
    expected = theta - 0.01 * g / (np.sqrt(0.1 * g * g) + 1e-3)
    got = np.r_[T.W[0].ravel(), T.bias[0], T.dense_w[0], T.dense_b[0]]
    assert np.abs(got - expected).max() < 1e-6


def test_keras1_stopping_runs_patience_plus_two_epochs_and_keeps_the_final_weights():
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 4, size=(40, 12)).astype(np.uint8)
    y = rng.integers(0, 2, 40).astype(np.float64)
    init = init_weights(3, rng)
    perms = permutations(40, 30, rng)
    # learning rate 1e-300: the weights never move, the validation loss never improves after epoch 1. Keras 1 checks the
    # counter before raising it: epochs 2..p+1 raise it to p, epoch p+2 stops (p + 2 epochs);
    # Keras 3 raises it first and stops at p (p + 1 epochs)
    for semantics, epochs in (("keras1", 5), ("keras3", 4)):
        S = Settings(batch_size=10, max_epochs=30, learning_rate=1e-300, patience=3, semantics=semantics)
        T = train_many([(codes, y)], [(codes, y)], [init], [perms], S)
        assert T.epochs[0] == epochs and T.best_epoch[0] == 0
    # a real run: Keras 1 keeps the last epoch's weights (as a run without stopping of that
    # many epochs gives), Keras 3 the best epoch's
    S1 = Settings(batch_size=10, max_epochs=30, learning_rate=0.05, patience=1)
    T1 = train_many([(codes, y)], [(codes[:10], y[:10])], [init], [perms], S1)
    n = int(T1.epochs[0])
    assert n < 30 and T1.best_epoch[0] < n - 1
    full = train_many([(codes, y)], [(codes[:10], y[:10])], [init], [perms[:n]],
                      Settings(batch_size=10, max_epochs=n, learning_rate=0.05, patience=1000))
    assert np.array_equal(T1.W[0], full.W[0]) and T1.dense_w[0] == full.dense_w[0]


# ------------------------------------------------------------------------------------ matrices

def test_exact_pwm_is_base_e():
    W = np.log([[1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0]])
    assert np.allclose(exact_pwm_base_e(W), [[0.1, 0.2, 0.3, 0.4], [0.25] * 4])
    assert np.allclose(exact_pwm_base_e(W + 5.0), exact_pwm_base_e(W))       # bias / w cancels


# ----------------------------------------------------------------------------- regression

def test_plr_on_a_tiny_case():
    """x = +1: 3 of 4 positive; x = -1: 1 of 4. Without penalty b0 = 0, b1 = ln 3. With lambda the
    slope solves 8 sigmoid(b1) - 6 + 2 lambda b1 = 0 (the derivative of the criterion at b0 = 0)."""
    x = np.array([1, 1, 1, 1, -1, -1, -1, -1.0])
    y = np.array([1, 1, 1, 0, 1, 0, 0, 0.0])
    b0, b1 = plr.fit(x, y, np.ones(8), 0.0)
    assert b0 == pytest.approx(0, abs=1e-9) and b1 == pytest.approx(np.log(3), abs=1e-9)
    lam = 0.1
    expected = brentq(lambda b: 8 * expit(b) - 6 + 2 * lam * b, 0, 5)
    b0, b1 = plr.fit(x, y, np.ones(8), lam)
    assert b0 == pytest.approx(0, abs=1e-9) and b1 == pytest.approx(expected, abs=1e-9)
    # the CV: every grid value classifies alike here; caret sorts plr's results by decreasing lambda
    # and takes the first best, so the tie goes to the LARGEST lambda (0.1), refitted on all 40 rows
    m = plr.train(np.tile(x, 5)[None], np.tile(y, 5))
    assert np.ptp(m["accuracy"][0]) == 0
    refit = brentq(lambda b: 40 * expit(b) - 30 + 2 * 0.1 * b, 0, 5)
    assert m["lam"][0] == 0.1 and m["b1"][0] == pytest.approx(refit, abs=1e-9)
    labels, prob = plr.predict(m, [[1.0, -1.0]])
    assert labels.tolist() == [[1, 0]] and prob[0] == pytest.approx(expit([refit, -refit]))


def test_folds_are_stratified_and_fixed():
    y = np.r_[np.ones(23), np.zeros(17)]
    f = plr.folds(y)
    assert np.array_equal(f, plr.folds(y))
    for cls in (0, 1):
        counts = np.bincount(f[y == cls], minlength=5)
        assert counts.max() - counts.min() <= 1


# -------------------------------------------------------------------------------- metrics

def test_class_label_auroc_by_hand():
    # TPR 2/3, FPR 1/2: the ROC (0,0)-(1/2,2/3)-(1,1) has area (1 + 2/3 - 1/2) / 2
    assert paper.class_label_auroc([1, 1, 1, 0, 0], [1, 0, 1, 0, 1]) == pytest.approx(7 / 12)
    assert paper.class_label_auroc([1, 0], [1, 1]) == 0.5


def test_trapezoid_auprc_by_hand():
    # sorted: labels 1, 0, 1, 0: (recall, precision) = (.5, 1), (.5, .5), (1, 2/3), (1, .5)
    assert paper.trapezoid_auprc([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.6]) == pytest.approx(0.5 * (0.5 + 2 / 3) / 2)
    # ties follow order_key: the negative first here
    assert paper.trapezoid_auprc([1, 0], [0.5, 0.5], order_key=["b", "a"]) == pytest.approx(0.5 * (0 + 0.5) / 2 * 2)


def test_bootstrap_interval_brackets_the_mean():
    d = np.random.default_rng(0).normal(0.1, 0.05, 200)
    lo, hi = bootstrap_ci(d)
    assert lo < d.mean() < hi and hi - lo < 0.03
    s = paired_summary(d + 1, np.ones(200))
    assert s["mean_difference_ci95"][0] < s["mean_difference"] < s["mean_difference_ci95"][1]
